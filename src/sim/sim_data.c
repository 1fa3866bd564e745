/* SPDX-License-Identifier: MIT */
/*
 * sim_data.c: the Data API family (host api-<dc>, base /v1), written from
 * MoEngage's data.yaml, not from the client's catalog. Routes, documented
 * rate limits, and the bodies MoEngage documents for each endpoint, byte for
 * byte, including where endpoints disagree with each other (Merge Users words
 * its auth errors differently, Delete User answers 429/500 with
 * {"title","description"}, Bulk Import's messages start with a stray quote).
 * Where MoEngage documents no body for a case, the answer is marked
 * "inferred" here and in docs/sim.md.
 *
 * Every endpoint runs the same prelude, in this order: 413 body cap, Basic
 * auth (401/409), account state (403), MOE-APPKEY where required, app_id in
 * path/query vs the Basic username (400/409), Content-Type (400/415), empty
 * body (400), JSON (400). Then the endpoint validates (400), spends its rate
 * window (429, with x-ratelimit-* headers on every authenticated answer),
 * applies the change to the store and answers. Helpers return DATA_DONE once
 * they have written an answer.
 */
#include "sim/sim.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "core/log.h"

#define DATA_DONE 1

#define T_AUTH "Authentication required"
#define T_MISSING "MissingAttributeError"
#define MSG_ACCEPTED "Your request has been accepted and will be processed soon."
#define MSG_MALFORMED "Could not decode the request body. The JSON was " \
    "incorrect or not encoded as UTF-8."
#define MSG_UNEXPECTED "An unexpected error was encountered while " \
    "processing this request. Please contact MoEngage Team"

enum data_id_in { ID_NONE = 0, ID_PATH, ID_QUERY };
enum data_429 { RL_ERROR = 0, RL_CUSTOMERS, RL_TITLE };

/* Per-route facts: where app_id goes, limits, and the documented variants. */
struct data_route {
	enum data_id_in id_in;
	const struct ml_sim_limit *limit;	/* NULL: not rate limited */
	const struct ml_sim_limit *limit2;	/* Bulk: the events pool */
	enum data_429 rl_style;
	const char *msg_413, *type_413;
	const char *msg_415, *type_415;
	const char *msg_500, *type_500;		/* type NULL: title form */
	const char *msg_malformed;
	int merge_wording;			/* Merge's own auth texts */
	int appkey;		/* 2: MOE-APPKEY required, 1: checked if sent */
	/* The endpoint's 400s; units[0] (and [1], Bulk events) to spend. */
	int (*check)(struct ml_sim_ctx *ctx, json_object *body, long units[2]);
	/* Apply it; ML_OK answers the generic success, DATA_DONE answered. */
	int (*apply)(struct ml_sim_ctx *ctx, json_object *body);
};

#define DATA_OP(name) \
	static int data_check_##name(struct ml_sim_ctx *, json_object *, \
	    long[2]); \
	static int data_apply_##name(struct ml_sim_ctx *, json_object *)
DATA_OP(user);
DATA_OP(event);
DATA_OP(bulk);
DATA_OP(device);
DATA_OP(opt_out);
DATA_OP(merge);
DATA_OP(delete);
DATA_OP(get_user);
DATA_OP(test_conn);
DATA_OP(gdpr);
#define OPS(name) data_check_##name, data_apply_##name

/* The documented per-minute limits (rate-limits.mdx, data.yaml). */
static const struct ml_sim_limit data_limits[] = {
	{ "track_user_per_min", 10000 },
	{ "events_per_min", 30000 },
	{ "bulk_users_per_min", 60000 },
	{ "bulk_events_per_min", 60000 },
	{ "devices_per_min", 10000 },
	{ "opt_out_per_min", 1000 },
	{ "merge_per_min", 1000 },
	{ "delete_per_min", 5000 },
	{ "get_user_per_min", 1000 },
};

#define L_USER (&data_limits[0])
#define L_EVENTS (&data_limits[1])
#define L_BULK_USERS (&data_limits[2])
#define L_BULK_EVENTS (&data_limits[3])
#define L_DEVICES (&data_limits[4])
#define L_OPT_OUT (&data_limits[5])
#define L_MERGE (&data_limits[6])
#define L_DELETE (&data_limits[7])
#define L_GET_USER (&data_limits[8])

#define V413 "Payload size exceeds 128 KB", "PayloadTooLarge"
#define V415 "Unsupported Media Type", "MediaTypeError"
#define V415_EV "Content type is not supported", "Unsupported media type"
#define V500 "Internal Server Error", "ServerError"
#define V500_EV MSG_UNEXPECTED, "ServerError"

static const struct data_route r_track_user = {
	ID_PATH, L_USER, NULL, RL_ERROR, V413, V415, V500, MSG_MALFORMED, 0, 0,
	OPS(user)
};
static const struct data_route r_event = {
	ID_PATH, L_EVENTS, NULL, RL_CUSTOMERS, V413, V415_EV, V500_EV,
	MSG_MALFORMED, 0, 0, OPS(event)
};
/* Bulk documents only 200 and 400: 413/415/429/500 bodies are inferred. */
static const struct data_route r_bulk = {
	ID_PATH, L_BULK_USERS, L_BULK_EVENTS, RL_CUSTOMERS, V413, V415, V500,
	"'" MSG_MALFORMED, 0, 0, OPS(bulk)
};
static const struct data_route r_device = {
	ID_PATH, L_DEVICES, NULL, RL_CUSTOMERS, V413, V415_EV, V500_EV,
	MSG_MALFORMED, 0, 0, OPS(device)
};
static const struct data_route r_opt_out = {
	ID_QUERY, L_OPT_OUT, NULL, RL_CUSTOMERS,
	"Payload cannot exceed 128KB", "Payload too large", V415_EV,
	MSG_UNEXPECTED, "Server Error", MSG_MALFORMED, 0, 0, OPS(opt_out)
};
static const struct data_route r_merge = {
	ID_QUERY, L_MERGE, NULL, RL_ERROR,
	"The payload can not exceed 128KB", "PayloadTooLarge",
	"The header 'Content-Type' is missing. Kindly provide the header "
	"'Content-Type' and set it as 'application/json'", "MediaTypeError",
	V500_EV,
	/* Sic: data.yaml's merge example has three spaces. */
	"Could not decode the request body. The JSON was incorrect or not   "
	"encoded as UTF-8.", 1, 1, OPS(merge)
};
static const struct data_route r_delete = {
	ID_QUERY, L_DELETE, NULL, RL_TITLE, V413, V415,
	"Please contact the MoEngage team.", NULL, MSG_MALFORMED, 0, 0,
	OPS(delete)
};
static const struct data_route r_get_user = {
	ID_QUERY, L_GET_USER, NULL, RL_ERROR, V413, V415, V500, MSG_MALFORMED,
	0, 0, OPS(get_user)
};
static const struct data_route r_test_conn = {
	ID_NONE, NULL, NULL, RL_ERROR, V413, V415, V500, MSG_MALFORMED, 0, 2,
	OPS(test_conn)
};
/* gdpr-ccpa.yaml: no rate limit is documented, so none is applied. */
static const struct data_route r_gdpr = {
	ID_PATH, NULL, NULL, RL_CUSTOMERS, "Payload can not exceed 128KB.",
	"Payload too large", V415_EV, MSG_UNEXPECTED, "Server Error",
	MSG_MALFORMED, 0, 0, OPS(gdpr)
};
static const struct data_route r_install = {
	ID_NONE, NULL, NULL, RL_ERROR, V413, V415, V500, MSG_MALFORMED, 0, 0,
	NULL, NULL
};

/* ---- answers ------------------------------------------------------- */

static const struct data_route *
data_info(struct ml_sim_ctx *ctx)
{
	return ctx->route->info;
}

/* {"status":"fail","error":{["attribute"],"message","type","request_id"}} */
static int
data_fail(struct ml_sim_ctx *ctx, int status, const char *attr,
    const char *msg, const char *type)
{
	json_object *o, *e;
	int rc = ML_ENOMEM;

	o = json_object_new_object();
	e = json_object_new_object();
	if (o == NULL || e == NULL)
		goto out;
	if ((attr != NULL && ml_json_add_str(e, "attribute", attr)) ||
	    ml_json_add_str(e, "message", msg) ||
	    ml_json_add_str(e, "type", type) ||
	    ml_json_add_str(e, "request_id", ctx->request_id) ||
	    ml_json_add_str(o, "status", "fail"))
		goto out;
	rc = ml_sim_json_add(o, "error", e);
	e = NULL;
	if (rc == ML_OK)
		rc = ml_sim_reply_json(ctx, status, o);
out:
	json_object_put(e);
	json_object_put(o);
	return rc ? rc : DATA_DONE;
}

/* {"status":"fail","title","description"} (Delete User's 429 and 500). */
static int
data_fail_title(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc)
{
	json_object *o = json_object_new_object();
	int rc = ML_ENOMEM;

	if (o != NULL && ml_json_add_str(o, "status", "fail") == ML_OK &&
	    ml_json_add_str(o, "title", title) == ML_OK &&
	    ml_json_add_str(o, "description", desc) == ML_OK)
		rc = ml_sim_reply_json(ctx, status, o);
	json_object_put(o);
	return rc ? rc : DATA_DONE;
}

static int
data_missing(struct ml_sim_ctx *ctx, const char *attr, const char *msg)
{
	return data_fail(ctx, 400, attr, msg, T_MISSING);
}

static int
data_auth_fail(struct ml_sim_ctx *ctx, int status, const char *msg)
{
	/* Merge's 409s end the type with a full stop; the rest do not. */
	return data_fail(ctx, status, NULL, msg,
	    status == 409 && data_info(ctx)->merge_wording ? T_AUTH "." :
	    T_AUTH);
}

static int
data_fail_429(struct ml_sim_ctx *ctx)
{
	switch (data_info(ctx)->rl_style) {
	case RL_TITLE:
		return data_fail_title(ctx, 429, "Rate limit exceeded",
		    "Exceeded rate limit for this url");
	case RL_CUSTOMERS:
		return data_fail(ctx, 429, NULL, "Rate limits for customers "
		    "exceeded. Please Try After Some Time",
		    "Rate Limits Exceeded");
	case RL_ERROR:
		break;
	}
	return data_fail(ctx, 429, NULL, "Rate limit exceeded",
	    "RateLimitError");
}

static int
data_fail_500(struct ml_sim_ctx *ctx, int status)
{
	const struct data_route *r = data_info(ctx);

	if (r->type_500 == NULL)
		return data_fail_title(ctx, status, "Internal Error",
		    r->msg_500);
	return data_fail(ctx, status, NULL, r->msg_500, r->type_500);
}

static int
data_success(struct ml_sim_ctx *ctx)
{
	json_object *o = json_object_new_object();
	int rc = ML_ENOMEM;

	/* data-overview.mdx's sample success carries a request_id. */
	if (o != NULL && ml_json_add_str(o, "status", "success") == ML_OK &&
	    ml_json_add_str(o, "message", MSG_ACCEPTED) == ML_OK &&
	    ml_json_add_str(o, "request_id", ctx->request_id) == ML_OK)
		rc = ml_sim_reply_json(ctx, 200, o);
	json_object_put(o);
	return rc ? rc : DATA_DONE;
}

/* Map a helper's result to the route handler's contract. */
static int
data_done(int rc)
{
	return rc == DATA_DONE ? ML_OK : rc;
}

/* ---- prelude: auth, app_id, content type, JSON ---------------------- */

static int
data_basic_fail(struct ml_sim_ctx *ctx, enum ml_sim_basic b)
{
	int merge = data_info(ctx)->merge_wording;

	switch (b) {
	case ML_SIM_BASIC_NO_HEADER:
		/* Merge documents its own missing_authdetails example. */
		return data_auth_fail(ctx, 401, merge ? "Authorization details "
		    "are missing" : "Authentication Header Required");
	case ML_SIM_BASIC_EMPTY:
		return data_auth_fail(ctx, 401, merge ? "Authorization details "
		    "are missing" : "No identity information found");
	case ML_SIM_BASIC_NOT_BASIC:
		return data_auth_fail(ctx, 401, "Invalid authorization used. "
		    "MoEngage only supports 'Basic Auth' authorization.");
	case ML_SIM_BASIC_UNDECODABLE:
		return data_auth_fail(ctx, 401,
		    "Invalid identity information found");
	case ML_SIM_BASIC_NO_USER:
		return data_auth_fail(ctx, 401, merge ?
		    "Username (APP_KEY) is missing in the Basic Auth "
		    "authorization." :
		    "APP_KEY missing in the authentication header");
	case ML_SIM_BASIC_NO_PASS:
		return data_auth_fail(ctx, 401, merge ?
		    "Password (APP_SECRET) is missing in the Basic Auth "
		    "authorization." :
		    "APP_SECRET missing in the authentication header");
	case ML_SIM_BASIC_OK:
		break;
	}
	return ML_EINTERNAL;
}

/* 403 (or Merge's 400) for a workspace that is not active. */
static int
data_state_fail(struct ml_sim_ctx *ctx)
{
	const struct data_route *r = data_info(ctx);

	if (r == &r_delete && ctx->ws->state != ML_SIM_WS_ACTIVE)
		return data_fail(ctx, 403, NULL,
		    "given app_id is invalid/blocked", "InvalidParams");
	switch (ctx->ws->state) {
	case ML_SIM_WS_BLOCKED:
		if (r->merge_wording)
			return data_fail(ctx, 400, NULL, "Your account is "
			    "blacklisted, Please contact MoEngage.",
			    "Blacklisted");
		return data_fail(ctx, 403, NULL, "Your account is blocked. "
		    "Please contact MoEngage team.", "BlockedClient");
	case ML_SIM_WS_SUSPENDED:
		if (r->merge_wording)
			return data_fail(ctx, 400, NULL, "Account Suspended.",
			    "Account Suspended");
		return data_fail(ctx, 403, NULL, "Your account is suspended. "
		    "Please contact MoEngage team.", "Account Suspended");
	case ML_SIM_WS_TEMP_SUSPENDED:
		if (r->merge_wording)
			return data_fail(ctx, 403, NULL,
			    "Account Temporarily Suspended.",
			    "Account Temporarily Suspended.");
		return data_fail(ctx, 403, NULL, "Your account is temporarily "
		    "suspended due to payment issues.",
		    "Account Temporarily Suspended");
	case ML_SIM_WS_ACTIVE:
		break;
	}
	return ML_OK;
}

static int
data_auth(struct ml_sim_ctx *ctx, struct ml_sim_creds *c)
{
	const struct data_route *r = data_info(ctx);
	enum ml_sim_basic b;
	const char *appkey;

	b = ml_sim_auth_basic(ctx, c);
	if (b != ML_SIM_BASIC_OK)
		return data_basic_fail(ctx, b);
	appkey = ml_sim_header(ctx, "MOE-APPKEY");
	if (appkey == NULL && r->appkey == 2)
		return data_auth_fail(ctx, 401,
		    "MOE-APPKEY is missing in Header");
	if (appkey != NULL && r->appkey > 0 && strcmp(appkey, c->user) != 0)
		return data_auth_fail(ctx, 401, "MOE_APPKEY doesn't match the "
		    "Username (APP_KEY) used in Basic Auth authorization.");
	switch (ml_sim_auth_key(ctx, ML_FAM_DATA, c)) {
	case ML_SIM_KEY_UNKNOWN_WS:
	case ML_SIM_KEY_WRONG_DC:
		/*
		 * MoEngage documents no cross-DC answer; each DC is its own
		 * deployment, so the workspace is simply unknown there.
		 */
		return data_auth_fail(ctx, 401,
		    "Invalid APP_ID used in Authentication Header");
	case ML_SIM_KEY_NOT_SET:
		return data_auth_fail(ctx, 409, r->merge_wording ?
		    "App Secret key is not set. Please login to the dashboard "
		    "to set a key." :
		    "App Secret key is not set. Please login to the dashboard "
		    "to set a key");
	case ML_SIM_KEY_MISMATCH:
		return data_auth_fail(ctx, 401, "App Secret key mismatch. "
		    "Please login to the dashboard to verify key");
	case ML_SIM_KEY_OK:
		break;
	}
	return data_state_fail(ctx);
}

static int
data_app_id(struct ml_sim_ctx *ctx, const struct ml_sim_creds *c)
{
	const struct data_route *r = data_info(ctx);
	const char *id = NULL;

	if (r->id_in == ID_PATH)
		id = ctx->param[0];
	else if (r->id_in == ID_QUERY)
		id = ml_sim_query(ctx, "app_id");
	else
		return ML_OK;
	if (id == NULL || id[0] == '\0')
		return data_fail(ctx, 400, NULL,
		    "app_id is required in path/query params.",
		    "ParamsRequired");
	if (strcmp(id, c->user) != 0)
		return data_auth_fail(ctx, 409, r->merge_wording ?
		    "App key mismatch in params and authentication." :
		    "App key mismatch in params and authentication");
	return ML_OK;
}

static int
data_content_type(struct ml_sim_ctx *ctx)
{
	const struct data_route *r = data_info(ctx);
	const char *ct = ml_sim_header(ctx, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n;

	while (ct != NULL && (*ct == ' ' || *ct == '\t'))
		ct++;
	if (ct == NULL || *ct == '\0')
		return data_fail(ctx, 400, NULL,
		    "The Content-Type Header is required.",
		    "Missing header value");
	n = strlen("application/json");
	if (strncasecmp(ct, "application/json", n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t'))
		return data_fail(ctx, 415, NULL, r->msg_415, r->type_415);
	return ML_OK;
}

/* Spend units on the route's window (or just read it with units 0). */
static int
data_rate(struct ml_sim_ctx *ctx, const struct ml_sim_limit *lim, long units,
    struct ml_sim_rate_info *info)
{
	return ml_sim_rate_take(ctx->sim->rate, (size_t)ctx->ws_idx, lim,
	    ml_sim_ws_limit(ctx->ws, lim), units, info);
}

/* x-ratelimit-* on every authenticated answer of a limited endpoint. */
static int
data_rate_headers(struct ml_sim_ctx *ctx)
{
	const struct data_route *r = data_info(ctx);
	struct ml_sim_rate_info a, b;
	int rc;

	if (r->limit == NULL || ctx->ws == NULL)
		return ML_OK;
	rc = data_rate(ctx, r->limit, 0, &a);
	if (rc == ML_OK && r->limit2 != NULL) {
		rc = data_rate(ctx, r->limit2, 0, &b);
		if (rc == ML_OK && b.remaining < a.remaining)
			a = b;
	}
	if (rc == ML_ERATELIMIT)
		rc = ML_OK;
	return rc ? rc : ml_sim_reply_rate_headers(ctx, &a);
}

/*
 * Spend units (and units2 on limit2). On a breach nothing is spent and the
 * documented 429 is written.
 */
static int
data_spend(struct ml_sim_ctx *ctx, long units, long units2)
{
	const struct data_route *r = data_info(ctx);
	struct ml_sim_rate_info a, b;
	int rc;

	if (r->limit == NULL)
		return ML_OK;
	if (r->limit2 != NULL) {
		rc = data_rate(ctx, r->limit, 0, &a);
		if (rc == ML_OK)
			rc = data_rate(ctx, r->limit2, 0, &b);
		if (rc && rc != ML_ERATELIMIT)
			return rc;
		if (units > a.remaining || units2 > b.remaining)
			return data_fail_429(ctx);
		rc = data_rate(ctx, r->limit2, units2, &b);
		if (rc == ML_ERATELIMIT)
			return data_fail_429(ctx);
		if (rc)
			return rc;
	}
	rc = data_rate(ctx, r->limit, units, &a);
	if (rc == ML_ERATELIMIT)
		return data_fail_429(ctx);
	return rc;
}

/*
 * Everything before the endpoint's own checks. On ML_OK *body is the parsed
 * JSON object (or NULL for routes without a body) and ctx->ws is set.
 */
static int
data_prelude(struct ml_sim_ctx *ctx, json_object **body)
{
	const struct data_route *r = data_info(ctx);
	struct ml_sim_creds c;
	struct ml_err err;
	json_object *o = NULL;
	int rc;

	*body = NULL;
	if (ctx->body_too_big)
		return data_fail(ctx, 413, NULL, r->msg_413, r->type_413);
	rc = data_auth(ctx, &c);
	if (rc == ML_OK)
		rc = data_app_id(ctx, &c);
	ml_sim_creds_cleanup(&c);
	if (rc == ML_OK)
		rc = data_content_type(ctx);
	if (rc)
		return rc;
	if (ctx->body_len == 0)
		return data_fail(ctx, 400, NULL,
		    "A valid JSON document is required.",
		    "Body type is not JSON");
	rc = ml_json_parse(ctx->body, ctx->body_len, ML_SIM_BODY_MAX, 0, &o,
	    &err);
	if (rc == ML_ENOMEM)
		return rc;
	if (rc)
		return data_fail(ctx, 400, NULL, r->msg_malformed,
		    "Malformed JSON");
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return data_fail(ctx, 400, NULL,
		    "A valid JSON document is required.",
		    "Body type is not JSON");
	}
	*body = o;
	return ML_OK;
}

/* ---- shared field checks -------------------------------------------- */

/*
 * "type" must be exactly `want` (lowercase; data.yaml: "Customer" is not
 * accepted). MoEngage documents no body for this: inferred.
 */
static int
data_check_type(struct ml_sim_ctx *ctx, json_object *o, const char *want)
{
	json_object *v;
	const char *t;

	if (!json_object_object_get_ex(o, "type", &v))
		return data_missing(ctx, "type", "type is not found in the "
		    "payload");
	t = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	if (t == NULL || strcmp(t, want) != 0)
		return data_fail(ctx, 400, "type", "'type' is not a valid "
		    "type.", "ValueError");
	return ML_OK;
}

/* A required, non-empty customer_id in Track User / Track Event wording. */
static int
data_check_customer_id(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *v;

	if (!json_object_object_get_ex(o, "customer_id", &v) || v == NULL)
		return data_missing(ctx, "customer_id",
		    "customer_id is not found in the payload");
	if (!json_object_is_type(v, json_type_string))
		return data_missing(ctx, "customer_id", "customer_id is "
		    "expected to be String or Unicode String.");
	if (json_object_get_string_len(v) == 0)
		return data_missing(ctx, "customer_id",
		    "customer_id can not be empty Unicode String");
	return ML_OK;
}

/*
 * data-overview.mdx lists customer_id values MoEngage will not use; such
 * requests are accepted and dropped, as MoEngage does asynchronously.
 */
static int
data_blocked_id(const char *cid)
{
	static const char *const blocked[] = {
		"unknown", "guest", "null", "0", "1", "true", "false",
		"user_attribute_unique_id", "", "na", "n/a", "''",
		"dummy_seller_code", "user_id", "id", "customer_id", "uid",
		"userid", "none", "-2", "-1", "2", NULL
	};
	size_t i;

	if (cid == NULL)
		return 1;
	for (i = 0; blocked[i] != NULL; i++)
		if (strcasecmp(cid, blocked[i]) == 0)
			return 1;
	return 0;
}

/* Validate the actions of an event (Track Event wording). */
static int
data_check_actions(struct ml_sim_ctx *ctx, json_object *o, long *n_out)
{
	json_object *acts, *a, *v;
	size_t i, n;

	acts = ml_json_get(o, "actions", json_type_array);
	n = acts != NULL ? json_object_array_length(acts) : 0;
	if (n == 0)
		return data_missing(ctx, "actions",
		    "actions can not be empty Array");
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(acts, i);
		if (!json_object_is_type(a, json_type_object) ||
		    !json_object_object_get_ex(a, "action", &v) || v == NULL)
			return data_missing(ctx, "action",
			    "action is not found in the payload");
		if (!json_object_is_type(v, json_type_string))
			return data_fail(ctx, 400, "action", MSG_MALFORMED,
			    "Malformed JSON");
		if (json_object_get_string_len(v) == 0)
			return data_missing(ctx, "action",
			    "action cannot be empty Unicode string");
	}
	*n_out = (long)n;
	return ML_OK;
}

/* ---- Track User: POST /v1/customer/{app_id} -------------------------- */

static int
data_check_user(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	json_object *attrs, *add, *rm, *v;
	char msg[300];
	int rc;

	units[0] = 1;
	rc = data_check_type(ctx, o, "customer");
	if (rc == ML_OK)
		rc = data_check_customer_id(ctx, o);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(o, "attributes", &attrs))
		return ML_OK;
	if (!json_object_is_type(attrs, json_type_object))
		return data_fail(ctx, 400, "attributes", "attributes is "
		    "expected to be a dictionary.", "ValueError");
	add = ml_json_get(attrs, "addValueToArrayField", json_type_object);
	rm = ml_json_get(attrs, "removeValueFromArrayField", json_type_object);
	if (add != NULL && rm != NULL) {
		json_object_object_foreach(add, k, av) {
			(void)av;
			if (json_object_object_get_ex(rm, k, &v)) {
				snprintf(msg, sizeof(msg), "Cannot add and "
				    "remove '%s' at the same time", k);
				return data_fail(ctx, 400,
				    "addValueToArrayField", msg,
				    "ArrayFieldError");
			}
		}
	}
	/* "You can't directly set an attribute and add/remove it": inferred. */
	json_object_object_foreach(attrs, k, av) {
		(void)av;
		if ((add != NULL && json_object_object_get_ex(add, k, &v)) ||
		    (rm != NULL && json_object_object_get_ex(rm, k, &v))) {
			snprintf(msg, sizeof(msg), "Cannot set and add/remove "
			    "'%s' at the same time", k);
			return data_fail(ctx, 400, add != NULL &&
			    json_object_object_get_ex(add, k, &v) ?
			    "addValueToArrayField" :
			    "removeValueFromArrayField", msg,
			    "ArrayFieldError");
		}
	}
	return ML_OK;
}

static int
data_apply_user(struct ml_sim_ctx *ctx, json_object *o)
{
	int rc;

	if (data_blocked_id(ml_json_str(o, "customer_id")))
		return ML_OK;
	rc = ml_sim_state_track_user(ctx->sim->state, (size_t)ctx->ws_idx, o);
	if (rc == ML_ETOOBIG) {
		log_warn("msg=\"user store full; user dropped\" workspace=%s",
		    ctx->ws->id);
		rc = ML_OK;
	}
	return rc;
}

/* ---- Track Event: POST /v1/event/{Workspace_ID} ---------------------- */

static int
data_check_event(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	int rc;

	rc = data_check_type(ctx, o, "event");
	if (rc == ML_OK)
		rc = data_check_customer_id(ctx, o);
	if (rc == ML_OK)
		rc = data_check_actions(ctx, o, &units[0]);
	return rc;
}

static int
data_apply_event(struct ml_sim_ctx *ctx, json_object *o)
{
	int rc;

	if (data_blocked_id(ml_json_str(o, "customer_id")))
		return ML_OK;
	rc = ml_sim_state_track_event(ctx->sim->state, (size_t)ctx->ws_idx, o);
	return rc == ML_ETOOBIG ? ML_OK : rc;
}

/* ---- Track Device: POST /v1/device/{app_id} -------------------------- */

static int
data_nonempty_str(json_object *o, const char *key)
{
	const char *s = ml_json_str(o, key);

	return s != NULL && s[0] != '\0';
}

static int
data_check_device(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	static const char *const platforms[] = {
		"ANDROID", "iOS", "web", "TV", NULL
	};
	json_object *attrs;
	const char *p;
	size_t i;
	int rc;

	units[0] = 1;
	rc = data_check_type(ctx, o, "device");
	if (rc)
		return rc;
	if (!data_nonempty_str(o, "customer_id"))
		return data_missing(ctx, "customer_id",
		    "'customer_id' is not found in the payload");
	if (!data_nonempty_str(o, "device_id"))	/* inferred wording */
		return data_missing(ctx, "device_id",
		    "'device_id' is not found in the payload");
	attrs = ml_json_get(o, "attributes", json_type_object);
	if (attrs == NULL)
		return data_missing(ctx, "attributes",
		    "'attributes' is not found in the payload");
	if (!json_object_object_get_ex(attrs, "platform", NULL))
		return data_missing(ctx, "platform",
		    "'platform' is not found in payload");
	if (!data_nonempty_str(attrs, "push_id"))
		return data_missing(ctx, "push_id",
		    "'push_id' is not found in payload");
	p = ml_json_str(attrs, "platform");
	for (i = 0; p != NULL && platforms[i] != NULL; i++)
		if (strcmp(p, platforms[i]) == 0)
			return ML_OK;
	return data_fail(ctx, 400, "platform",
	    "'platform' is not a valid platform.", "ValueError");
}

static int
data_apply_device(struct ml_sim_ctx *ctx, json_object *o)
{
	int rc;

	rc = ml_sim_state_track_device(ctx->sim->state, (size_t)ctx->ws_idx,
	    o);
	/* Accepted, then dropped: devices need an existing user. */
	if (rc == ML_ENOTFOUND || rc == ML_ETOOBIG) {
		log_info("msg=\"device dropped\" workspace=%s reason=\"%s\"",
		    ctx->ws->id, rc == ML_ENOTFOUND ? "unknown customer_id" :
		    "device store full");
		rc = ML_OK;
	}
	return rc;
}

/* ---- Device Opt-out: POST /v1/devices/manage?app_id= ----------------- */

static int
data_check_opt_out(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	static const char *const allowed[] = {
		"moe_gaid", "push_id", "unique_id", "device_unique_id", NULL
	};
	json_object *ids, *d;
	const char *act;
	size_t i, j, n;

	units[0] = 1;
	if (!data_nonempty_str(o, "user_identifier_type"))
		return data_missing(ctx, "user_identifier_type",
		    "customer_identifier_type is not found in the payload");
	if (!data_nonempty_str(o, "user_identifier_value"))
		return data_missing(ctx, "user_identifier_value",
		    "user_identifier_value is not found in the payload");
	act = ml_json_str(o, "action_type");
	if (act == NULL)
		return data_missing(ctx, "action_type",
		    "Action_type is not found in the payload");
	if (strcmp(act, "block") != 0 && strcmp(act, "unblock") != 0)
		return data_fail(ctx, 400, "action_type", "action_type can "
		    "only be in ['block', 'unblock'] ", "ValueError");
	if (!json_object_object_get_ex(o, "device_identifiers", &ids))
		return ML_OK;	/* absent: every device of the user */
	n = json_object_is_type(ids, json_type_array) ?
	    json_object_array_length(ids) : 0;
	if (n == 0)
		return data_missing(ctx, "device_identifiers",
		    "device_identifiers is missing in the payload");
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(d, json_type_object) ||
		    json_object_object_length(d) == 0)
			goto bad;
		json_object_object_foreach(d, k, v) {
			(void)v;
			for (j = 0; allowed[j] != NULL; j++)
				if (strcmp(k, allowed[j]) == 0)
					break;
			if (allowed[j] == NULL)
				goto bad;
		}
	}
	return ML_OK;
bad:
	return data_fail(ctx, 400, "device_identifiers", "device identifier "
	    "can only be in ['moe_gaid', 'push_id', 'unique_id', "
	    "'device_unique_id'] ", "ValueError");
}

static int
data_apply_opt_out(struct ml_sim_ctx *ctx, json_object *o)
{
	int rc;

	rc = ml_sim_state_opt_out(ctx->sim->state, (size_t)ctx->ws_idx,
	    ml_json_str(o, "user_identifier_type"),
	    ml_json_str(o, "user_identifier_value"),
	    strcmp(ml_json_str(o, "action_type"), "block") == 0,
	    ml_json_get(o, "device_identifiers", json_type_array));
	return rc == ML_ENOTFOUND ? ML_OK : rc;	/* asynchronous at MoEngage */
}

/* ---- Merge Users: POST /v1/customer/merge?app_id= -------------------- */

#define MERGE_MAX 50

static int
data_check_merge_user(struct ml_sim_ctx *ctx, json_object *pair,
    const char *key)
{
	json_object *v;
	char msg[80];

	if (!json_object_object_get_ex(pair, key, &v) || v == NULL) {
		snprintf(msg, sizeof(msg), "%s is not found in the payload",
		    key);
		return data_missing(ctx, key, msg);
	}
	if (!json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0) {
		snprintf(msg, sizeof(msg),
		    "%s is expected to be String or Unicode String.", key);
		return data_missing(ctx, key, msg);
	}
	return ML_OK;
}

static int
data_check_merge(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	json_object *arr, *pair;
	size_t i, n;
	int rc;

	arr = ml_json_get(o, "merge_data", json_type_array);
	n = arr != NULL ? json_object_array_length(arr) : 0;
	if (n == 0)	/* inferred wording */
		return data_missing(ctx, "merge_data",
		    "merge_data is not found in the payload");
	if (n > MERGE_MAX)	/* documented cap, inferred body */
		return data_fail(ctx, 400, "merge_data",
		    "max limit allowed is 50", "LimitBreached");
	for (i = 0; i < n; i++) {
		pair = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(pair, json_type_object))
			return data_missing(ctx, "merged_user",
			    "merged_user is not found in the payload");
		rc = data_check_merge_user(ctx, pair, "merged_user");
		if (rc == ML_OK)
			rc = data_check_merge_user(ctx, pair, "retained_user");
		if (rc)
			return rc;
	}
	units[0] = (long)n;
	return ML_OK;
}

/* Answer with obj (consumed) and report DATA_DONE. */
static int
data_reply(struct ml_sim_ctx *ctx, json_object *obj)
{
	int rc = obj != NULL ? ml_sim_reply_json(ctx, 200, obj) : ML_ENOMEM;

	json_object_put(obj);
	return rc ? rc : DATA_DONE;
}

/* {"status":"success", key: value}: Merge's and Test Connection's answers. */
static int
data_reply_pair(struct ml_sim_ctx *ctx, const char *key, const char *value)
{
	json_object *o = json_object_new_object();

	if (o != NULL && (ml_json_add_str(o, "status", "success") ||
	    ml_json_add_str(o, key, value))) {
		json_object_put(o);
		o = NULL;
	}
	return data_reply(ctx, o);
}

static int
data_apply_merge(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *arr = ml_json_get(o, "merge_data", json_type_array);
	json_object *pair;
	size_t i, n = json_object_array_length(arr);
	int rc;

	for (i = 0; i < n; i++) {
		pair = json_object_array_get_idx(arr, i);
		/* "If the merging of any user fails ... it will skip". */
		rc = ml_sim_state_merge(ctx->sim->state, (size_t)ctx->ws_idx,
		    ml_json_str(pair, "merged_user"),
		    ml_json_str(pair, "retained_user"));
		if (rc && rc != ML_ENOTFOUND)
			return rc;
	}
	return data_reply_pair(ctx, "operation", "created");
}

/* ---- Delete User: POST /v1/customer/delete?app_id= ------------------- */

/*
 * The operation documents {identity_type, identity_value}; data.yaml's
 * DeleteUserRequest schema an identifiers array. Both are accepted.
 */
static json_object *
data_delete_ids(json_object *o, const char **type, const char **value)
{
	json_object *ids, *one;

	*type = ml_json_str(o, "identity_type");
	*value = ml_json_str(o, "identity_value");
	ids = ml_json_get(o, "identifiers", json_type_array);
	if (*type != NULL || *value != NULL || ids == NULL)
		return NULL;
	one = json_object_array_get_idx(ids, 0);
	*type = ml_json_str(one, "identifier_type");
	*value = ml_json_str(one, "identifier");
	return ids;
}

static int
data_check_delete(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	const char *type, *value;
	json_object *ids;

	units[0] = 1;
	ids = data_delete_ids(o, &type, &value);
	if (ids != NULL && json_object_array_length(ids) > 1)
		return data_fail(ctx, 400, "identifiers",
		    "max limit allowed is 1", "LimitBreached");
	/* Inferred wording, in the documented MissingAttributeError style. */
	if (type == NULL)
		return data_missing(ctx, "identity_type",
		    "identity_type is not found in the payload");
	if (strcmp(type, "customer_id") != 0 &&
	    strcmp(type, "moengage_id") != 0)
		return data_fail(ctx, 400, "identity_type", "identity_type "
		    "can only be in ['customer_id', 'moengage_id'] ",
		    "ValueError");
	if (value == NULL || value[0] == '\0')
		return data_missing(ctx, "identity_value",
		    "identity_value is not found in the payload");
	return ML_OK;
}

static int
data_apply_delete(struct ml_sim_ctx *ctx, json_object *o)
{
	const char *type, *value;
	struct ml_buf msg;
	int rc;

	data_delete_ids(o, &type, &value);
	rc = ml_sim_state_delete(ctx->sim->state, (size_t)ctx->ws_idx, type,
	    value);
	if (rc != ML_ENOTFOUND)
		return rc;
	/* data.yaml: 400 "User doesn't exists with customer id ..." */
	ml_buf_init(&msg, 4096);
	rc = ml_buf_appendf(&msg, "User doesn't exists with %s %s",
	    strcmp(type, "customer_id") == 0 ? "customer id" : "moengage id",
	    value);
	if (rc == ML_OK || rc == ML_ETOOBIG)
		rc = data_fail(ctx, 400, NULL, msg.data, "Not Found");
	ml_buf_cleanup(&msg);
	return rc;
}

/* ---- Get User: POST /v1/customers/export?app_id= --------------------- */

#define GET_USER_MAX 20

static int
data_check_get_user(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	json_object *data, *ids;
	size_t n;

	data = ml_json_get(o, "data", json_type_object);
	if (data == NULL)
		return data_missing(ctx, "data",
		    "data is not found in the payload");
	ids = ml_json_get(data, "identifiers", json_type_array);
	n = ids != NULL ? json_object_array_length(ids) : 0;
	if (n == 0)
		return data_missing(ctx, "identifiers",
		    "identifiers is not found in the payload");
	if (n > GET_USER_MAX)
		return data_fail(ctx, 400, "users", "max limit allowed is 20",
		    "LimitBreached");
	units[0] = (long)n;
	return ML_OK;
}

static int
data_export(struct ml_sim_ctx *ctx, json_object *body, json_object *out)
{
	json_object *data = ml_json_get(body, "data", json_type_object);
	json_object *ids = ml_json_get(data, "identifiers", json_type_array);
	json_object *fields = ml_json_get(data, "user_fields_to_export",
	    json_type_array);
	json_object *users, *missing, *one, *u, *c = NULL;
	size_t i, n = json_object_array_length(ids);
	const char *t, *v;
	int rc;

	missing = json_object_new_array();
	if (ml_sim_json_add(out, "users_not_found", missing))
		return ML_ENOMEM;
	users = json_object_new_array();
	if (ml_sim_json_add(out, "users", users))
		return ML_ENOMEM;
	for (i = 0; i < n; i++) {
		one = json_object_array_get_idx(ids, i);
		t = ml_json_str(one, "identifier_type");
		v = ml_json_str(one, "identifier");
		rc = t != NULL && v != NULL ? ml_sim_state_export(
		    ctx->sim->state, (size_t)ctx->ws_idx, t, v, fields, &u) :
		    ML_ENOTFOUND;
		if (rc == ML_OK) {
			rc = ml_sim_json_push(users, u);
		} else if (rc == ML_ENOTFOUND) {
			if (json_object_deep_copy(one, &c, NULL))
				return ML_ENOMEM;
			rc = ml_sim_json_push(missing, c);
			c = NULL;
		}
		if (rc)
			return rc;
	}
	return ML_OK;
}

static int
data_apply_get_user(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *res, *data;
	int rc = ML_ENOMEM;

	res = json_object_new_object();
	data = json_object_new_object();
	if (res != NULL && data != NULL &&
	    !ml_json_add_str(res, "status", "success") &&
	    !ml_json_add_str(res, "type", "export_users"))
		rc = data_export(ctx, o, data);
	if (rc == ML_OK) {
		rc = ml_sim_json_add(res, "data", data);
		data = NULL;
	}
	json_object_put(data);
	if (rc) {
		json_object_put(res);
		return rc;
	}
	return data_reply(ctx, res);
}

/* ---- Bulk Import: POST /v1/transition/{Workspace_ID} ----------------- */

/* data.yaml's bulk messages start with a stray "'"; reproduced as is. */
static int
data_check_bulk(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	json_object *els, *el, *acts;
	const char *t, *a;
	size_t i, j, n, na;

	if (ml_json_str(o, "type") == NULL ||
	    strcmp(ml_json_str(o, "type"), "transition") != 0)
		return data_fail(ctx, 400, "type", "'type should be transition",
		    "AttributeError");	/* inferred */
	els = ml_json_get(o, "elements", json_type_array);
	n = els != NULL ? json_object_array_length(els) : 0;
	if (n == 0)
		return data_missing(ctx, "elements",
		    "'elements cannot be empty array");
	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(els, i);
		t = ml_json_str(el, "type");
		if (t == NULL || (strcmp(t, "customer") != 0 &&
		    strcmp(t, "event") != 0 && strcmp(t, "device") != 0))
			return data_fail(ctx, 400, "type", "'type in elements "
			    "should be customer/event/device",
			    "AttributeError");
		if (!data_nonempty_str(el, "customer_id"))
			return data_missing(ctx, "customer_id",
			    "'customer_id not found in the payload");
		if (strcmp(t, "customer") == 0)
			units[0]++;	/* users */
		if (strcmp(t, "event") != 0)
			continue;
		acts = ml_json_get(el, "actions", json_type_array);
		na = acts != NULL ? json_object_array_length(acts) : 0;
		for (j = 0; j < na; j++) {
			a = ml_json_str(json_object_array_get_idx(acts, j),
			    "action");
			if (a == NULL || a[0] == '\0')
				return data_missing(ctx, "action",
				    "'action cannot be empty Unicode string");
		}
		units[1] += (long)na;	/* events */
	}
	return ML_OK;
}

static int
data_apply_bulk(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *els = ml_json_get(o, "elements", json_type_array);
	size_t i, n = json_object_array_length(els);
	json_object *el;
	const char *t;
	int rc = ML_OK;

	/* Elements apply in order, so a device may follow its user. */
	for (i = 0; i < n && rc == ML_OK; i++) {
		el = json_object_array_get_idx(els, i);
		t = ml_json_str(el, "type");
		if (strcmp(t, "customer") == 0)
			rc = data_apply_user(ctx, el);
		else if (strcmp(t, "event") == 0)
			rc = data_apply_event(ctx, el);
		else
			rc = data_apply_device(ctx, el);
	}
	/* "All bulk API requests return a 200 response code." */
	return rc;
}

/* ---- Test Connection: POST /v1/integrations/authentication ----------- */

static int
data_check_test_conn(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	static const char *const required[] = {
		"app_id", "app_secret", "source", "region", NULL
	};
	const char *own, *multi, *secret;
	char msg[64];
	size_t i;
	int match = 0;

	(void)units;
	for (i = 0; required[i] != NULL; i++) {
		if (!data_nonempty_str(o, required[i])) {
			snprintf(msg, sizeof(msg), "%s is not found in the "
			    "payload", required[i]);
			return data_missing(ctx, required[i], msg);
		}
	}
	/* The body repeats the credentials; they must agree (inferred). */
	if (strcmp(ml_json_str(o, "app_id"), ctx->ws->id) != 0)
		return data_auth_fail(ctx, 409,
		    "App key mismatch in params and authentication");
	secret = ml_json_str(o, "app_secret");
	own = ctx->ws->keys.key[ML_KEY_DATA];
	multi = ctx->ws->keys.key[ML_KEY_MULTI];
	if (own != NULL && strlen(own) == strlen(secret))
		match |= sodium_memcmp(own, secret, strlen(own)) == 0;
	if (multi != NULL && strlen(multi) == strlen(secret))
		match |= sodium_memcmp(multi, secret, strlen(multi)) == 0;
	if (!match)
		return data_auth_fail(ctx, 401, "App Secret key mismatch. "
		    "Please login to the dashboard to verify key");
	return ML_OK;
}

static int
data_apply_test_conn(struct ml_sim_ctx *ctx, json_object *o)
{
	(void)o;
	return data_reply_pair(ctx, "app_name", ctx->ws->name);
}

/* ---- the pipeline every authenticated Data endpoint runs ------------- */

static int
data_handle(struct ml_sim_ctx *ctx)
{
	const struct data_route *r = data_info(ctx);
	json_object *body = NULL;
	long units[2] = { 0, 0 };
	int rc;

	rc = data_prelude(ctx, &body);
	if (rc == ML_OK)
		rc = r->check(ctx, body, units);
	if (rc == ML_OK)
		rc = data_spend(ctx, units[0], units[1]);
	if (rc == ML_OK)
		rc = r->apply(ctx, body);
	if (rc == ML_OK)
		rc = data_success(ctx);
	json_object_put(body);
	if (rc == DATA_DONE)
		rc = data_rate_headers(ctx);
	return data_done(rc);
}
/* ---- GDPR / CCPA: POST /v1/opengdpr_requests/{appId} ---------------- */

static const char *const gdpr_identity_types[] = {
	"ID", "user_secondary_id", "email", "mobile", "google_advertising_id",
	"advertising_identifier", NULL,
};

/*
 * Documented: request_type and identities missing (MissingAttributeError).
 * Inferred in the same style: submitted_time and api_version (required by
 * the schema), an empty identities array, an identity without its type or
 * value, a type outside the schema's enum (ValueError).
 */
static int
data_check_gdpr(struct ml_sim_ctx *ctx, json_object *o, long units[2])
{
	static const char *const required[] = {
		"request_type", "submitted_time", "identities", "api_version",
		NULL,
	};
	json_object *ids, *it;
	const char *type;
	char msg[96];
	size_t i, j, n;

	units[0] = 1;
	for (i = 0; required[i] != NULL; i++) {
		if (!json_object_object_get_ex(o, required[i], NULL) ||
		    (strcmp(required[i], "identities") != 0 &&
		    !data_nonempty_str(o, required[i]))) {
			snprintf(msg, sizeof(msg), "%s is not found in the "
			    "payload", required[i]);
			return data_missing(ctx, required[i], msg);
		}
	}
	ids = ml_json_get(o, "identities", json_type_array);
	n = ids != NULL ? json_object_array_length(ids) : 0;
	if (n == 0)
		return data_missing(ctx, "identities",
		    "identities is not found in the payload");
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(ids, i);
		type = ml_json_str(it, "identity_type");
		if (type == NULL)
			return data_missing(ctx, "identity_type",
			    "identity_type is not found in the payload");
		for (j = 0; gdpr_identity_types[j] != NULL; j++)
			if (strcmp(type, gdpr_identity_types[j]) == 0)
				break;
		if (gdpr_identity_types[j] == NULL)
			return data_fail(ctx, 400, "identity_type",
			    "identity_type can only be in ['ID', "
			    "'user_secondary_id', 'email', 'mobile', "
			    "'google_advertising_id', 'advertising_identifier'] ",
			    "ValueError");
		if (!data_nonempty_str(it, "identity_value"))
			return data_missing(ctx, "identity_value",
			    "identity_value is not found in the payload");
	}
	return ML_OK;
}

/*
 * Erasure is asynchronous at MoEngage; the simulator erases at once the
 * users it can find: identity_type "ID" is the customer_id. Other identity
 * types name attributes it does not index, so nothing is erased for them.
 */
static int
data_apply_gdpr(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *ids = ml_json_get(o, "identities", json_type_array);
	json_object *it;
	size_t i;
	int rc = ML_OK;

	for (i = 0; rc == ML_OK && i < json_object_array_length(ids); i++) {
		it = json_object_array_get_idx(ids, i);
		if (strcmp(ml_json_str(it, "identity_type"), "ID") != 0)
			continue;
		rc = ml_sim_state_delete(ctx->sim->state, (size_t)ctx->ws_idx,
		    "customer_id", ml_json_str(it, "identity_value"));
		if (rc == ML_ENOTFOUND)
			rc = ML_OK;
	}
	return rc;
}

/* ---- Track App Install: GET /v1/installInfo (no auth) ---------------- */

static int
data_install(struct ml_sim_ctx *ctx)
{
	static const char *const required[] = {
		"appId", "src", "appAttributionKey", NULL
	};
	const char *app;
	char msg[80];
	size_t i;
	int rc = ML_OK;

	/* security: [] in data.yaml. Error bodies are not documented. */
	for (i = 0; rc == ML_OK && required[i] != NULL; i++) {
		if (ml_sim_query(ctx, required[i]) == NULL) {
			snprintf(msg, sizeof(msg), "%s is required in path/query "
			    "params.", required[i]);
			rc = data_fail(ctx, 400, NULL, msg, "ParamsRequired");
		}
	}
	app = ml_sim_query(ctx, "appId");
	if (rc == ML_OK && (ml_sim_wsset_find(&ctx->sim->ws, app) < 0 ||
	    strcmp(ctx->sim->ws.ws[ml_sim_wsset_find(&ctx->sim->ws,
	    app)].dc, ctx->dc) != 0))
		rc = data_fail(ctx, 400, NULL,
		    "given app_id is invalid/blocked", "InvalidParams");
	if (rc == ML_OK) {
		ctx->claimed_idx = ml_sim_wsset_find(&ctx->sim->ws, app);
		rc = data_success(ctx);
	}
	return data_done(rc);
}

/* ---- faults ----------------------------------------------------------- */

/* The documented error body for an injected status on this route. */
static int
data_fault_body(struct ml_sim_ctx *ctx, int status)
{
	const struct data_route *r = data_info(ctx);
	struct ml_sim_rate_info info;
	const char *reason;
	int rc;

	switch (status) {
	case 400:	/* introduction.mdx's standard error example */
		rc = data_fail(ctx, 400, NULL,
		    "The request parameters are invalid", "Bad Request");
		break;
	case 401:
		rc = data_auth_fail(ctx, 401, "App Secret key mismatch. "
		    "Please login to the dashboard to verify key");
		break;
	case 403:
		rc = data_fail(ctx, 403, NULL, "Your account is blocked. "
		    "Please contact MoEngage team.", "BlockedClient");
		break;
	case 404:
		return ml_sim_reply_not_found(ctx);
	case 409:
		rc = data_auth_fail(ctx, 409, r->merge_wording ?
		    "App key mismatch in params and authentication." :
		    "App key mismatch in params and authentication");
		break;
	case 413:
		rc = data_fail(ctx, 413, NULL, r->msg_413, r->type_413);
		break;
	case 415:
		rc = data_fail(ctx, 415, NULL, r->msg_415, r->type_415);
		break;
	case 429:
		rc = data_fail_429(ctx);
		if (rc == DATA_DONE && r->limit != NULL) {
			/* Injected: a short reset so clients retry soon. */
			info.limit = r->limit->per_min;
			info.remaining = 0;
			info.reset = 1;
			rc = ml_sim_reply_rate_headers(ctx, &info);
		}
		break;
	case 500:
		rc = data_fail_500(ctx, 500);
		break;
	default:
		reason = MHD_get_reason_phrase_for((unsigned)status);
		rc = data_fail(ctx, status, NULL, reason, status >= 500 ?
		    "ServerError" : reason);
		break;
	}
	return data_done(rc);
}

/* ---- the family ------------------------------------------------------- */

static const struct ml_sim_route data_routes[] = {
	{ "POST", "/v1/customer/{app_id}", "track_user", data_handle,
	    &r_track_user },
	{ "POST", "/v1/customers/export", "get_user", data_handle,
	    &r_get_user },
	{ "POST", "/v1/customer/merge", "merge_users", data_handle, &r_merge },
	{ "POST", "/v1/customer/delete", "delete_user", data_handle,
	    &r_delete },
	{ "POST", "/v1/event/{Workspace_ID}", "track_event", data_handle,
	    &r_event },
	{ "POST", "/v1/device/{app_id}", "track_device", data_handle,
	    &r_device },
	{ "POST", "/v1/devices/manage", "device_opt_out", data_handle,
	    &r_opt_out },
	{ "POST", "/v1/transition/{Workspace_ID}", "bulk_import", data_handle,
	    &r_bulk },
	{ "POST", "/v1/integrations/authentication", "test_connection",
	    data_handle, &r_test_conn },
	{ "POST", "/v1/opengdpr_requests/{appId}", "gdpr_request", data_handle,
	    &r_gdpr },
	{ "GET", "/v1/installInfo", "track_install", data_install,
	    &r_install },
};

const struct ml_sim_family ml_sim_family_data = {
	"data", ML_HOST_API, data_routes,
	sizeof(data_routes) / sizeof(data_routes[0]),
	data_limits, sizeof(data_limits) / sizeof(data_limits[0]),
	data_fault_body,
};
