/* SPDX-License-Identifier: MIT */
/*
 * sim_live_activities.c: Broadcast Live Activities, written from
 * live-activities.yaml: POST /v1.0/live-activity/broadcast/{start,update,
 * end} on api-<dc>, Basic auth with the Push key and an X-MOE-APPKEY
 * header naming the workspace. Fault and journal family "push".
 *
 * Limits: start 5 a minute per workspace; update and end 500 a minute per
 * workspace and 5 a minute per live activity id (each route its own
 * per-id window, counted here in the store; the workspaces file overrides
 * them like any limit). A 429 is the documented empty array [].
 *
 * Bodies: 200 {"data":{"instance_id","message":"success"}}; 400
 * {"error":{"code":"PayloadError","message":"Mandatory fields are missing
 * or invalid","details":[{code,target,message}]}}; 401/403/413/500
 * {"error":{"code","message"}} with the documented texts (AuthError,
 * OperationNotAllowed, PayloadSizeError for an ios object over 5120 bytes,
 * ServerError).
 *
 * Campaigns are created with the Push campaign API, which the simulator
 * has not got: any broadcast_live_activity_id can start. A start records
 * its instance (instance_id given or made); starting an instance again is
 * the documented "Duplicate Request"; update and end act on the instance
 * named (else the id's latest) and answer "Invalid Action" for one never
 * started or already ended (inferred), "Dismissal date is already passed"
 * once its dismissal date is past.
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <moelink/json.h>

#define LA_IOS_MAX 5120
#define LA_WINDOW_MS (60 * 1000)

enum { LA_START = 0, LA_UPDATE, LA_END };

static const struct ml_sim_limit la_limits[] = {
	{ "live_activity_start_per_min", 5 },
	{ "live_activity_update_per_min", 500 },
	{ "live_activity_end_per_min", 500 },
	{ "live_activity_update_per_id_per_min", 5 },
	{ "live_activity_end_per_id_per_min", 5 },
};

static const char *const la_alert_keys[] = {
	"title", "subtitle", "body", "sound", NULL
};

static const struct ml_sim_coll la_coll = { "live_activities", NULL };
static const struct ml_sim_coll la_windows = { "live_activity_windows",
	NULL };

/* {"error":{"code","message"}} */
static int
la_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(
	    json_object_new_object(), "error", ml_sim_fam_strs("code", code,
	    "message", msg, NULL)));
}

/* The documented 400 with one detail. */
static int
la_bad(struct ml_sim_ctx *ctx, const char *code, const char *target,
    const char *msg)
{
	json_object *d = ml_sim_fam_detail(code,
	    json_object_new_string(target), json_object_new_string(msg));

	return ml_sim_fam_send(ctx, 400, ml_sim_fam_put(
	    json_object_new_object(), "error", ml_sim_fam_put(ml_sim_fam_strs(
	    "code", "PayloadError", "message", "Mandatory fields are missing "
	    "or invalid", NULL), "details", ml_sim_fam_list1(d))));
}

static int
la_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_TOO_BIG:
		return la_fail(ctx, 413, "PayloadSizeError", "Payload size "
		    "exceeded for IOS. Max size is 5120 bytes");
	case ML_SIM_REF_NO_AUTH:
	case ML_SIM_REF_NO_APPKEY:
		return la_fail(ctx, 401, "AuthError", "Authorization header or "
		    "X-MOE-APPKEY is missing");
	case ML_SIM_REF_APPKEY:
		return la_fail(ctx, 401, "AuthError", "Invalid App Key");
	case ML_SIM_REF_UNKNOWN_WS:
	case ML_SIM_REF_BAD_KEY:
		return la_fail(ctx, 401, "AuthError", "Invalid Data Key");
	case ML_SIM_REF_STATE:		/* inferred */
		return la_fail(ctx, 403, "OperationNotAllowed", "Your account "
		    "is blocked. Please contact MoEngage team.");
	case ML_SIM_REF_RATE:		/* documented: [] */
		return ml_sim_fam_send(ctx, 429, json_object_new_array());
	default:			/* media, body: inferred */
		return la_bad(ctx, "json_invalid", "body", "Invalid JSON body");
	}
}

static const struct ml_sim_fam_spec la_spec = { ML_FAM_PUSH, la_refuse };

/* A required object member of o, else the 400 naming path. */
static int
la_need_obj(struct ml_sim_ctx *ctx, json_object *o, const char *key,
    const char *path)
{
	if (ml_json_get(o, key, json_type_object) == NULL)
		return la_bad(ctx, "missing", path, "Field required");
	return ML_OK;
}

static int
la_check(struct ml_sim_ctx *ctx, json_object *body, int route)
{
	json_object *ios = ml_json_get(body, "ios", json_type_object);
	json_object *alert, *b;
	char target[ML_SIM_PARAM_MAX];
	const char *text;
	size_t len;
	int rc = ML_OK;

	if (ml_sim_fam_str(body, "broadcast_live_activity_id") == NULL)
		return la_bad(ctx, "missing", "broadcast_live_activity_id",
		    "Field required");
	if (ios == NULL)
		return la_bad(ctx, "missing", "ios", "Field required");
	text = json_object_to_json_string_length(ios, JSON_C_TO_STRING_PLAIN,
	    &len);
	if (text != NULL && len > LA_IOS_MAX)
		return la_refuse(ctx, &(struct ml_sim_why){
		    .ref = ML_SIM_REF_TOO_BIG });
	if (route == LA_START && ml_sim_fam_str(ios, "attribute_type") == NULL)
		return la_bad(ctx, "missing", "ios.attribute_type",
		    "Field required");
	if (route == LA_START)
		rc = la_need_obj(ctx, ios, "attribute_info",
		    "ios.attribute_info");
	if (rc == ML_OK)
		rc = la_need_obj(ctx, ios, "content_state", "ios.content_state");
	if (rc == ML_OK)
		rc = la_need_obj(ctx, ios, "alert", "ios.alert");
	if (rc)
		return rc;
	alert = ml_json_get(ios, "alert", json_type_object);
	json_object_object_foreach(alert, k, v) {
		(void)v;
		if (ml_sim_fam_in(k, la_alert_keys))
			continue;
		/* The file's example: ios.alert.metrics. */
		snprintf(target, sizeof(target), "ios.alert.%s", k);
		return la_bad(ctx, "extra_forbidden", target,
		    "Extra inputs are not permitted");
	}
	if (ml_sim_fam_str(alert, "title") == NULL)
		return la_bad(ctx, "missing", "ios.alert.title",
		    "Field required");
	b = json_object_object_get(alert, "body");
	if (b == NULL || (!json_object_is_type(b, json_type_string) &&
	    !json_object_is_type(b, json_type_object)))
		return la_bad(ctx, "missing", "ios.alert.body",
		    "Field required");
	return ML_OK;
}

/* The request's route and body, for the store functions. */
struct la_req {
	int route;
	json_object *body;
};

/*
 * The per-id window of update and end: a fixed minute from its first use,
 * at most the limit's value (the workspace may override it). 1 if full.
 */
static int
la_id_window_full(struct ml_sim_ctx *ctx, json_object *coll, int route,
    const char *id)
{
	const struct ml_sim_limit *lim = &la_limits[route == LA_UPDATE ? 3 : 4];
	char key[ML_SIM_PARAM_MAX + 8];
	int64_t now = ml_sim_fam_mono_ms();
	json_object *w;

	snprintf(key, sizeof(key), "%s:%s", route == LA_UPDATE ? "update" :
	    "end", id);
	w = ml_json_get(coll, key, json_type_object);
	if (w == NULL || now - ml_json_int(w, "start_ms", 0) >= LA_WINDOW_MS) {
		w = json_object_new_object();
		if (w == NULL || ml_json_add_int(w, "start_ms", now) ||
		    ml_json_add_int(w, "count", 0) ||
		    json_object_object_add(coll, key, w)) {
			json_object_put(w);
			return -1;
		}
	}
	if (ml_json_int(w, "count", 0) >= ml_sim_ws_limit(ctx->ws, lim))
		return 1;
	return ml_json_add_int(w, "count", ml_json_int(w, "count", 0) + 1) ?
	    -1 : 0;
}

static int
la_window_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct la_req *q = arg;
	int full = la_id_window_full(ctx, coll, q->route, ml_json_str(q->body,
	    "broadcast_live_activity_id"));

	if (full < 0)
		return ML_ENOMEM;
	return full ? ml_sim_fam_send(ctx, 429, json_object_new_array()) :
	    ML_OK;
}

static int
la_ok(struct ml_sim_ctx *ctx, const char *instance)
{
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "data", ml_sim_fam_strs("instance_id",
	    instance, "message", "success", NULL)));
}

static int
la_start_fn(struct ml_sim_ctx *ctx, json_object *coll,
    json_object *instances, json_object *body)
{
	char made[64], hex[ML_SIM_HEXID_LEN + 1];
	const char *inst = ml_sim_fam_str(body, "instance_id");
	json_object *rec, *ios = ml_json_get(body, "ios", json_type_object);

	(void)coll;
	if (inst != NULL && json_object_object_get_ex(instances, inst, NULL))
		return la_fail(ctx, 403, "OperationNotAllowed", "Duplicate "
		    "Request, please use different instance_id");
	if (inst == NULL) {
		/* The documented form: "1749822841120-57c5c617". */
		ml_sim_fam_hexid(hex);
		snprintf(made, sizeof(made), "%lld-%.8s",
		    (long long)time(NULL) * 1000, hex);
		inst = made;
	}
	rec = json_object_new_object();
	if (rec == NULL || ml_json_add_int(rec, "dismissal_date",
	    ml_json_int(ios, "dismissal_date", 0)) ||
	    json_object_object_add(instances, inst, rec)) {
		json_object_put(rec);
		return ML_ENOMEM;
	}
	return la_ok(ctx, inst);
}

/* Update or end: the instance named, else the id's latest. */
static int
la_change_fn(struct ml_sim_ctx *ctx, json_object *instances, int route,
    json_object *body)
{
	const char *inst = ml_sim_fam_str(body, "instance_id");
	json_object *rec = NULL, *ios = ml_json_get(body, "ios",
	    json_type_object);
	int64_t dismiss;

	if (inst == NULL) {
		json_object_object_foreach(instances, k, v) {
			inst = k;
			rec = v;
		}
	} else {
		rec = ml_json_get(instances, inst, json_type_object);
	}
	if (rec == NULL || ml_json_int(rec, "ended", 0))	/* inferred */
		return la_fail(ctx, 403, "OperationNotAllowed",
		    "Invalid Action");
	dismiss = ml_json_int(rec, "dismissal_date", 0);
	if (dismiss > 0 && dismiss < (int64_t)time(NULL))
		return la_fail(ctx, 403, "OperationNotAllowed", "Dismissal "
		    "date is already passed");
	/* A dismissal date in the past ends the activity at once. */
	dismiss = ml_json_int(ios, "dismissal_date", 0);
	if (route == LA_END || (dismiss > 0 && dismiss < (int64_t)time(NULL))) {
		if (ml_json_add_int(rec, "ended", 1))
			return ML_ENOMEM;
	} else if (dismiss > 0 && ml_json_add_int(rec, "dismissal_date",
	    dismiss)) {
		return ML_ENOMEM;
	}
	return la_ok(ctx, inst);
}

static int
la_apply_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct la_req *q = arg;
	const char *id = ml_json_str(q->body, "broadcast_live_activity_id");
	json_object *instances = ml_json_get(coll, id, json_type_object);

	if (instances == NULL) {
		if (q->route != LA_START)	/* never started: inferred */
			return la_fail(ctx, 403, "OperationNotAllowed",
			    "Invalid Action");
		if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
			return la_fail(ctx, 403, "OperationNotAllowed",
			    "Max Instances Limit Reached");
		instances = json_object_new_object();
		if (instances == NULL ||
		    json_object_object_add(coll, id, instances)) {
			json_object_put(instances);
			return ML_ENOMEM;
		}
	}
	if (q->route == LA_START)
		return la_start_fn(ctx, coll, instances, q->body);
	return la_change_fn(ctx, instances, q->route, q->body);
}

static int
la_handle(struct ml_sim_ctx *ctx)
{
	const struct ml_sim_fam_route *r = ml_sim_fam_route(ctx);
	struct la_req q;
	int rc;

	memset(&q, 0, sizeof(q));
	q.route = *(const int *)r->extra;
	rc = ml_sim_fam_begin(ctx, &q.body);
	if (rc == ML_OK)
		rc = la_check(ctx, q.body, q.route);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK && q.route != LA_START)
		rc = ml_sim_store_run(ctx, &la_windows, la_window_fn, &q);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &la_coll, la_apply_fn, &q);
	json_object_put(q.body);
	return ml_sim_fam_end(ctx, rc);
}

static int
la_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return la_bad(ctx, "json_invalid", "body", "Invalid JSON body");
	if (status == 403)
		return la_fail(ctx, 403, "OperationNotAllowed",
		    "Invalid Action");
	if (status >= 500)
		return la_fail(ctx, status, "ServerError", "Internal Server "
		    "Error, something went wrong");
	return la_fail(ctx, status, "Error",
	    MHD_get_reason_phrase_for((unsigned)status));
}

static int
la_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, la_other);
}

static const int la_route_ids[] = { LA_START, LA_UPDATE, LA_END };

#define LA_FLAGS (ML_SIM_F_X_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY)

static const struct ml_sim_fam_route r_start = {
	&la_spec, LA_FLAGS, { &la_limits[0], NULL }, &la_route_ids[LA_START]
};
static const struct ml_sim_fam_route r_update = {
	&la_spec, LA_FLAGS, { &la_limits[1], NULL }, &la_route_ids[LA_UPDATE]
};
static const struct ml_sim_fam_route r_end = {
	&la_spec, LA_FLAGS, { &la_limits[2], NULL }, &la_route_ids[LA_END]
};

static const struct ml_sim_route la_routes[] = {
	{ "POST", "/v1.0/live-activity/broadcast/start",
	    "start_live_activity", la_handle, &r_start },
	{ "POST", "/v1.0/live-activity/broadcast/update",
	    "update_live_activity", la_handle, &r_update },
	{ "POST", "/v1.0/live-activity/broadcast/end",
	    "end_live_activity", la_handle, &r_end },
};

const struct ml_sim_family ml_sim_family_live_activities = {
	"push", ML_HOST_API, la_routes,
	sizeof(la_routes) / sizeof(la_routes[0]),
	la_limits, sizeof(la_limits) / sizeof(la_limits[0]),
	la_fault,
};
