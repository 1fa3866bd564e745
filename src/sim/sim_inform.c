/* SPDX-License-Identifier: MIT */
/*
 * sim_inform.c: Inform transactional alerts, written from inform.yaml:
 * POST /v1.0/alerts/send on api-<dc> (live) and sandbox-api-<dc> (test),
 * Basic auth with the Inform key, MOE-APPKEY required. Every error is
 * {"message","err_code","status_code"}: 400 120002, 401 120001, 409 120105
 * (the same transaction_id within 5 minutes of a success), 429 140110,
 * 500 140109. Success is {"message":"Successfully Received","request_id"};
 * the per-channel details are CSM-enabled and left out.
 *
 * Alerts are configured on the dashboard, which the simulator has not got:
 * an alert_id is valid when it is a 24-hex-digit id, an alert may also be
 * named by alert_reference_name alone (docs/sim.md). Live and sandbox keep
 * separate transaction histories and share the 10K RPM window.
 */
#include "sim/sim_fam.h"

#include <string.h>

#include <moelink/json.h>

#define INFORM_TXN_MAX 50
#define INFORM_DUP_MS (5 * 60 * 1000)

static const char *const inform_channels[] = {
	"SMS", "EMAIL", "PUSH", "WHATSAPP", "RCS", NULL
};

static const struct ml_sim_limit inform_limits[] = {
	{ "inform_per_min", 10000 },
};

static const struct ml_sim_coll inform_tx = { "inform_transactions", NULL };
static const struct ml_sim_coll inform_tx_sandbox = {
	"inform_transactions_sandbox", NULL
};

/* {"message","err_code","status_code"} */
static int
inform_fail(struct ml_sim_ctx *ctx, int status, const char *msg,
    const char *code, long num)
{
	json_object *o = ml_sim_fam_strs("message", msg, "err_code", code,
	    NULL);

	if (o != NULL && ml_json_add_int(o, "status_code", num) != ML_OK) {
		json_object_put(o);
		o = NULL;
	}
	return ml_sim_fam_send(ctx, status, o);
}

static int
inform_bad(struct ml_sim_ctx *ctx, const char *msg)
{
	return inform_fail(ctx, 400, msg, "BAD_REQUEST", 120002);
}

static int
inform_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_TOO_BIG:	/* inferred: no documented 413 */
		return inform_fail(ctx, 413, "Payload too large",
		    "BAD_REQUEST", 120002);
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return inform_bad(ctx, "Invalid payload format");
	case ML_SIM_REF_RATE:
		return inform_fail(ctx, 429, "Too many requests",
		    "Rate Limit", 140110);
	default:
		break;
	}
	return inform_fail(ctx, 401, "Invalid App Key or Basic Auth",
	    "UNAUTHORIZED", 120001);
}

static const struct ml_sim_fam_spec inform_spec = {
	ML_FAM_INFORM, inform_refuse
};

static int
inform_check(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *payloads, *ch;
	const char *tx, *alert;
	size_t n = 0;

	if (!json_object_object_get_ex(o, "transaction_id", NULL))
		return inform_bad(ctx, "transaction_id is required");
	tx = ml_sim_fam_str(o, "transaction_id");
	if (tx == NULL || strlen(tx) > INFORM_TXN_MAX)
		return inform_bad(ctx, "transaction_id must be a string of 1 "
		    "to 50 characters");
	alert = ml_json_str(o, "alert_id");
	if (json_object_object_get_ex(o, "alert_id", NULL) ?
	    !ml_sim_fam_is_hexid(alert) :
	    ml_sim_fam_str(o, "alert_reference_name") == NULL)
		return inform_bad(ctx, "Invalid Alert ID");
	payloads = ml_json_get(o, "payloads", json_type_object);
	if (payloads == NULL)
		return inform_bad(ctx, "payloads is required");
	json_object_object_foreach(payloads, k, v) {
		if (!ml_sim_fam_in(k, inform_channels))
			return inform_bad(ctx, "Invalid channel in payloads");
		ch = v;
		if (!json_object_is_type(ch, json_type_object) ||
		    ml_sim_fam_str(ch, "recipient") == NULL)
			return inform_bad(ctx, "recipient is required for "
			    "every channel");
		n++;
	}
	if (n == 0)
		return inform_bad(ctx, "payloads is required");
	return ML_OK;
}

/* Record the transaction unless it was sent in the last five minutes. */
static int
inform_record(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	const char *tx = ml_json_str(arg, "transaction_id");
	int64_t now = ml_sim_fam_mono_ms();
	json_object *t;

	if (json_object_object_get_ex(coll, tx, &t) &&
	    now - json_object_get_int64(t) < INFORM_DUP_MS)
		return inform_fail(ctx, 409, "Duplicate Transaction ID",
		    "DUPLICATE_REQUEST_RECEIVED", 120105);
	/* Keep memory bounded: forget expired ones when it grows. */
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX) {
		json_object_object_foreach(coll, k, v) {
			if (now - json_object_get_int64(v) >= INFORM_DUP_MS)
				json_object_object_del(coll, k);
		}
	}
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return inform_fail(ctx, 429, "Too many requests",
		    "Rate Limit", 140110);
	t = json_object_new_int64(now);
	if (t == NULL || json_object_object_add(coll, tx, t) != 0) {
		json_object_put(t);
		return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("message",
	    "Successfully Received", "request_id", ctx->request_id, NULL));
}

static int
inform_send(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, inform_check,
	    ctx->kind == ML_HOST_SANDBOX_API ? &inform_tx_sandbox : &inform_tx,
	    inform_record);
}

static int
inform_other(struct ml_sim_ctx *ctx, int status)
{
	switch (status) {
	case 400:
		return inform_bad(ctx, "Invalid Alert ID");
	case 409:
		return inform_fail(ctx, 409, "Duplicate Transaction ID",
		    "DUPLICATE_REQUEST_RECEIVED", 120105);
	case 500:
		return inform_fail(ctx, 500, "Unexpected error occurred",
		    "Internal Server Error", 140109);
	default:
		break;
	}
	return inform_fail(ctx, status, MHD_get_reason_phrase_for(
	    (unsigned)status), status >= 500 ? "Internal Server Error" :
	    "BAD_REQUEST", status >= 500 ? 140109 : 120002);
}

static int
inform_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, inform_other);
}

static const struct ml_sim_fam_route r_send = {
	&inform_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &inform_limits[0], NULL }, NULL
};

static const struct ml_sim_route inform_routes[] = {
	{ "POST", "/v1.0/alerts/send", "inform_send", inform_send, &r_send },
};

const struct ml_sim_family ml_sim_family_inform = {
	"inform", ML_HOST_API, inform_routes,
	sizeof(inform_routes) / sizeof(inform_routes[0]),
	inform_limits, sizeof(inform_limits) / sizeof(inform_limits[0]),
	inform_fault,
};

/* The test endpoint: same routes on sandbox-api-<dc>; no limits of its own. */
const struct ml_sim_family ml_sim_family_inform_sandbox = {
	"inform", ML_HOST_SANDBOX_API, inform_routes,
	sizeof(inform_routes) / sizeof(inform_routes[0]),
	NULL, 0,
	inform_fault,
};
