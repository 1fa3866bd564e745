/* SPDX-License-Identifier: MIT */
/*
 * sim_business_events.c: Business Events, written from business-events.yaml
 * and business-events-v5.yaml, on api-<dc> with the general key:
 *
 *   POST /v1.0/business_event           create (at most 50 per workspace)
 *   POST /v1.0/business_event/trigger   trigger (50/hour, 200/day)
 *   POST /v1.0/business_event/search    by event_ids or event_names (100/min)
 *   POST /v5/business-events/triggers   trigger (10/5 min, 50/hour, 200/day)
 *   GET  /v5/business-events            all, or one by name or id
 *                                       (60/min, 1,000/hour)
 *   POST /v5/business-events/search     filters.names or filters.ids
 *                                       (30/min, 500/hour)
 *
 * The legacy paths answer errors as {"error":{"code":"400 Bad Request",
 * "message","details":[{code,target,message}],"request_id"}} (401 with the
 * nested details business-events.yaml shows) and 429 as {"status":"error",
 * "data":{...}}; the v5 paths as {"error":{"code","message","target",
 * "details"},"response_id"}, the v5 trigger as {"response_id","error":
 * {"code","message","details":[{field,issue,message}]}}. v5 pages with limit (<= 20) and an opaque
 * cursor (the base64 of the last event's id) over the stored events in
 * creation order.
 *
 * Campaigns are set up on the dashboard, which the simulator has not got: a
 * business event counts as having one active campaign unless its name
 * starts with "nocampaign" (any case); triggering such an event is the
 * documented 400 "No active campaign found for business event name" (v5:
 * 200 with triggered_status FAILURE and nothing triggered). The legacy and
 * v5 triggers share the hourly and daily quotas.
 */
#include "sim/sim_fam.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#define BE_MAX 50
#define BE_V5_LIMIT_MAX 20
#define BE_NO_CAMPAIGN "nocampaign"

#define BE_400 "400 Bad Request"
#define BE_BAD "Bad request"

static const struct ml_sim_limit be_limits[] = {
	{ "business_event_search_per_min", 100 },
	{ "business_event_triggers_per_hour", 50 },
	{ "business_event_triggers_per_day", 200 },
	{ "business_event_triggers_per_5min", 10 },	/* v5 */
	{ "business_events_v5_list_per_min", 60 },
	{ "business_events_v5_list_per_hour", 1000 },
	{ "business_events_v5_search_per_min", 30 },
	{ "business_events_v5_search_per_hour", 500 },
};

static const struct ml_sim_coll be_coll = { "business_events", NULL };

/* ---- answers --------------------------------------------------------- */

/* The legacy envelope with one detail (consumed). */
static int
be_fail_detail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, json_object *detail)
{
	return ml_sim_fam_send_details(ctx, status, code, msg,
	    ml_sim_fam_list1(detail));
}

static int
be_fail(struct ml_sim_ctx *ctx, const char *msg, const char *dcode,
    const char *target, const char *dmsg)
{
	return be_fail_detail(ctx, 400, BE_400, msg, ml_sim_fam_detail(dcode,
	    json_object_new_string(target), json_object_new_string(dmsg)));
}

/* "<f> - Field is required but value is None : None" */
static int
be_missing(struct ml_sim_ctx *ctx, const char *field)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s - Field is required but value is None "
	    ": None", field);
	return be_fail(ctx, BE_BAD, "MissingValue", field, msg);
}

static int
be_extra(struct ml_sim_ctx *ctx, const char *cls, const char *field)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "Additional fields are not allowed "
	    "document schema for class %s:%s", cls, field);
	return be_fail(ctx, msg, "InvalidValue", field, msg);
}

/* "['<attr>'] - Wrong Attribute data type is passed : '<type>'" */
static int
be_wrong_type(struct ml_sim_ctx *ctx, const char *attr, const char *type)
{
	char msg[300];

	snprintf(msg, sizeof(msg), "['%s'] - Wrong Attribute data type is "
	    "passed : '%s'", attr, type);
	return be_fail_detail(ctx, 400, BE_400, BE_BAD, ml_sim_fam_detail(
	    "MissingValue", ml_sim_fam_list1(json_object_new_string(attr)),
	    json_object_new_string(msg)));
}

static int
be_bad_email(struct ml_sim_ctx *ctx, const char *field, const char *value,
    const char *msg)
{
	char d[300];

	snprintf(d, sizeof(d), "%s - Invalid email address : '%s'", field,
	    value);
	return be_fail(ctx, msg, "MissingValue", field, d);
}

/* 401: the detail's message is itself a detail (or a list of one). */
static int
be_unauthorized(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	const char *target = "APP_SECRET_KEY";
	const char *msg = "Invalid APP_SECRET_KEY is provided.";
	json_object *inner;

	if (why->ref == ML_SIM_REF_NO_AUTH) {
		inner = ml_sim_fam_detail("MissingValue",
		    json_object_new_string("Authorization"),
		    json_object_new_string("APP_ID and APP_SECRET_KEY is "
		    "missing in Authorization Header."));
		return be_fail_detail(ctx, 401, "401 Authentication error",
		    "Authentication required", ml_sim_fam_detail("InvalidValue",
		    json_object_new_string("Authorization"), inner));
	}
	if (why->ref == ML_SIM_REF_UNKNOWN_WS) {
		target = "APP_ID";
		msg = "Invalid APP_ID is provided.";
	}
	inner = ml_sim_fam_detail("InvalidValue", json_object_new_string(target),
	    json_object_new_string(msg));
	return be_fail_detail(ctx, 401, "401 Authentication error",
	    "Authentication required", ml_sim_fam_detail("InvalidValue",
	    json_object_new_string(target), ml_sim_fam_list1(inner)));
}

static int
be_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	json_object *d;

	switch (why->ref) {
	case ML_SIM_REF_RATE:
		d = ml_sim_fam_strs("title", "rate limiter exception",
		    "description", "Exceeded rate limit for this app", NULL);
		if (d != NULL && ml_json_add_int(d, "code", 429)) {
			json_object_put(d);
			d = NULL;
		}
		return ml_sim_fam_send(ctx, 429, ml_sim_fam_put(
		    ml_sim_fam_strs("status", "error", NULL), "data", d));
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return be_fail_detail(ctx, 413, "413 Payload Too Large",
		    "Payload Too Large", ml_sim_fam_detail("InvalidValue",
		    json_object_new_string("body"), json_object_new_string(
		    "The request body is too large.")));
	case ML_SIM_REF_STATE:		/* inferred */
		return be_fail_detail(ctx, 403, "403 Forbidden",
		    "Your account is suspended. Please contact MoEngage team.",
		    ml_sim_fam_detail("InvalidValue", json_object_new_string("APP_ID"),
		    json_object_new_string("Account is not active.")));
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return be_fail(ctx, BE_BAD, "InvalidValue", "body",
		    "Could not decode the request body. The JSON was "
		    "incorrect or not encoded as UTF-8.");
	default:
		break;
	}
	return be_unauthorized(ctx, why);
}

/* v5: {"error":{"code","message"[,"target"],"details":[...]},
 *      "response_id":"resp_<id>"} */
static int
be5_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, const char *target, const char *dcode,
    const char *dmsg)
{
	json_object *details = json_object_new_array(), *e;
	char rid[32];

	if (dcode != NULL)
		details = ml_sim_fam_push(details, ml_sim_fam_strs("code",
		    dcode, "target", target, "message", dmsg, NULL));
	e = ml_sim_fam_put(ml_sim_fam_strs("code", code, "message", msg,
	    "target", target, NULL), "details", details);
	snprintf(rid, sizeof(rid), "resp_%s", ctx->request_id);
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(ml_sim_fam_put(
	    json_object_new_object(), "error", e), "response_id",
	    json_object_new_string(rid)));
}

static int
be5_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_RATE:
		return be5_fail(ctx, 429, "RATE_LIMITED", "Rate limit exceeded "
		    "for this workspace.", NULL, NULL, NULL);
	case ML_SIM_REF_STATE:
		return be5_fail(ctx, 403, "FORBIDDEN", "You do not have the "
		    "required permission for this operation.", "permission",
		    "FORBIDDEN", "Required permission: business_events:view");
	case ML_SIM_REF_NO_AUTH:
		return be5_fail(ctx, 401, "UNAUTHORIZED", "Authentication "
		    "required.", "Authorization", "MISSING_VALUE", "APP_ID and "
		    "APP_SECRET_KEY is missing in Authorization Header.");
	case ML_SIM_REF_UNKNOWN_WS:
		return be5_fail(ctx, 401, "UNAUTHORIZED", "Authentication "
		    "required.", "APP_ID", "INVALID_VALUE", "Invalid APP_ID is "
		    "provided.");
	case ML_SIM_REF_BAD_KEY:
	case ML_SIM_REF_NO_APPKEY:
	case ML_SIM_REF_APPKEY:
		return be5_fail(ctx, 401, "UNAUTHORIZED", "Authentication "
		    "required.", "APP_SECRET_KEY", "INVALID_VALUE", "Invalid "
		    "APP_SECRET_KEY is provided.");
	default:
		break;
	}
	return be5_fail(ctx, ctx->body_too_big ? 413 : 400, "INVALID_REQUEST",
	    "The request body is not valid JSON.", "body", "INVALID_VALUE",
	    "Could not decode the request body.");
}

static const struct ml_sim_fam_spec be_spec = {
	ML_FAM_BUSINESS_EVENTS, be_refuse
};

static const struct ml_sim_fam_spec be5_spec = {
	ML_FAM_BUSINESS_EVENTS, be5_refuse
};

/* ---- create ---------------------------------------------------------- */

static int
be_check_attrs(struct ml_sim_ctx *ctx, json_object *attrs)
{
	static const char *const types[] = { "string", "int", "float",
	    "array", "date", NULL };
	static const char *const keys[] = { "attribute_name",
	    "attribute_data_type", NULL };
	json_object *a;
	const char *name;
	size_t i, n = json_object_array_length(attrs);

	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(attrs, i);
		if (!json_object_is_type(a, json_type_object))
			return be_missing(ctx, "event_attribute");
		if (ml_sim_fam_extra_key(a, keys) != NULL)
			return be_extra(ctx, "BusinessEventCreateRequest",
			    "event_attribute");
		name = ml_sim_fam_str(a, "attribute_name");
		if (name == NULL)
			return be_missing(ctx, "attribute_name");
		if (!json_object_object_get_ex(a, "attribute_data_type", NULL))
			return be_missing(ctx, "attribute_data_type");
		if (!ml_sim_fam_in(ml_json_str(a, "attribute_data_type"),
		    types))
			return be_wrong_type(ctx, name, ml_json_str(a,
			    "attribute_data_type") != NULL ? ml_json_str(a,
			    "attribute_data_type") : "None");
	}
	return ML_OK;
}

static int
be_check_create(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const keys[] = { "event_name", "event_attributes",
	    "created_by", NULL };
	const char *extra = ml_sim_fam_extra_key(o, keys), *by;
	json_object *attrs;

	if (extra != NULL)
		return be_extra(ctx, "BusinessEventCreateRequest", extra);
	if (ml_sim_fam_str(o, "event_name") == NULL)
		return be_missing(ctx, "event_name");
	attrs = ml_json_get(o, "event_attributes", json_type_array);
	if (attrs == NULL)
		return be_missing(ctx, "event_attributes");
	by = ml_json_str(o, "created_by");
	if (by == NULL)
		return be_missing(ctx, "created_by");
	if (!ml_sim_fam_is_email(by))
		return be_bad_email(ctx, "created_by", by, BE_BAD);
	return be_check_attrs(ctx, attrs);
}

static json_object *
be_find_name(json_object *coll, const char *name)
{
	return ml_sim_fam_find(coll, "event_name", name, NULL);
}

static int
be_create_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = arg, *ev;
	char id[ML_SIM_HEXID_LEN + 1], when[ML_SIM_TIME_MAX];
	const char *name = ml_json_str(body, "event_name");

	if (be_find_name(coll, name) != NULL)	/* inferred wording */
		return be_fail(ctx, "Business event already exists",
		    "InvalidValue", "event_name", "Business event already "
		    "exists");
	if (json_object_object_length(coll) >= BE_MAX)	/* inferred */
		return be_fail(ctx, "Business event limit exceeded",
		    "NotSupported", "event_name", "You can create a maximum "
		    "of 50 business events for each workspace");
	ml_sim_fam_hexid(id);
	ml_sim_fam_time(when, sizeof(when), ML_SIM_TIME_MICRO, 0);
	ev = ml_sim_fam_strs("db_name", ctx->ws->db_name, "event_id", id,
	    "event_name", name, NULL);
	ev = ml_sim_fam_put(ev, "event_attributes", ml_sim_fam_copy(
	    ml_json_get(body, "event_attributes", json_type_array)));
	if (ev == NULL || ml_json_add_str(ev, "created_at", when) ||
	    ml_json_add_str(ev, "last_updated", when) ||
	    ml_json_add_int(ev, "total_trigger", 0) ||
	    ml_json_add_int(ev, "total_sent_message", 0) ||
	    ml_json_add_int(ev, "users_in_segment", 0) ||
	    ml_json_add_int(ev, "usage_count", 0) ||
	    ml_json_add_str(ev, "created_by", ml_json_str(body,
	    "created_by")) || ml_json_add_str(ev, "_id", id) ||
	    json_object_object_add(coll, id, ev)) {
		json_object_put(ev);
		return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("message",
	    "The business event has been created", "event_id", id, NULL));
}

static int
be_create(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, be_check_create, &be_coll, be_create_fn);
}

/* ---- trigger ---------------------------------------------------------- */

/* Does a triggered value fit the declared type? */
static int
be_type_fits(const char *type, json_object *v)
{
	if (strcmp(type, "int") == 0)
		return json_object_is_type(v, json_type_int);
	if (strcmp(type, "float") == 0)
		return json_object_is_type(v, json_type_double) ||
		    json_object_is_type(v, json_type_int);
	if (strcmp(type, "array") == 0)
		return json_object_is_type(v, json_type_array);
	return json_object_is_type(v, json_type_string);
}

static const char *
be_type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_int:
		return "Integer";
	case json_type_double:
		return "Float";
	case json_type_array:
		return "List";
	case json_type_boolean:
		return "Boolean";
	case json_type_object:
		return "Dict";
	case json_type_null:
		return "None";
	default:
		break;
	}
	return "String";
}

static int
be_check_trigger(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const keys[] = { "event_name", "event_attributes",
	    "triggered_by", NULL };
	const char *extra = ml_sim_fam_extra_key(o, keys), *by;

	if (extra != NULL)
		return be_extra(ctx, "BusinessEventTriggerRequest", extra);
	if (ml_sim_fam_str(o, "event_name") == NULL)
		return be_missing(ctx, "event_name");
	if (ml_json_get(o, "event_attributes", json_type_object) == NULL)
		return be_missing(ctx, "event_attributes");
	by = ml_json_str(o, "triggered_by");
	if (json_object_object_get_ex(o, "triggered_by", NULL) &&
	    !ml_sim_fam_is_email(by))
		return be_bad_email(ctx, "triggered_by", by != NULL ? by : "",
		    "Business event does not exists");
	return ML_OK;
}

/* The declared type of attr in ev, or NULL. */
static const char *
be_declared(json_object *ev, const char *attr)
{
	json_object *attrs = ml_json_get(ev, "event_attributes",
	    json_type_array), *a;
	size_t i, n = attrs != NULL ? json_object_array_length(attrs) : 0;

	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(attrs, i);
		if (strcmp(ml_json_str(a, "attribute_name"), attr) == 0)
			return ml_json_str(a, "attribute_data_type");
	}
	return NULL;
}

/* What a trigger finds in the store. */
enum be_verdict {
	BE_V_OK = 0,
	BE_V_UNKNOWN,		/* no such event */
	BE_V_ATTR,		/* attribute not declared */
	BE_V_TYPE,		/* value of another type */
	BE_V_NO_CAMPAIGN	/* no active campaign (name rule) */
};

struct be_trig {
	json_object *body;
	int count;		/* count the trigger when it is OK */
	enum be_verdict verdict;
	const char *attr;	/* BE_V_ATTR / BE_V_TYPE: into body */
	const char *type;	/* BE_V_TYPE: the value's type name */
	char event_id[ML_SIM_HEXID_LEN + 1];
};

/*
 * Judge a trigger against the stored event; with t->count, count an OK
 * one. The answer is left to the caller (legacy and v5 word it apart).
 */
static int
be_trigger_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct be_trig *t = arg;
	const char *name = ml_json_str(t->body, "event_name"), *type;
	json_object *ev, *attrs;
	char when[ML_SIM_TIME_MAX];

	(void)ctx;
	ev = be_find_name(coll, name);
	if (ev == NULL) {
		t->verdict = BE_V_UNKNOWN;
		return ML_OK;
	}
	ml_strlcpy(t->event_id, ml_json_str(ev, "event_id"),
	    sizeof(t->event_id));
	attrs = ml_json_get(t->body, "event_attributes", json_type_object);
	if (attrs != NULL) {
		json_object_object_foreach(attrs, k, v) {
			type = be_declared(ev, k);
			t->attr = k;
			t->verdict = type == NULL ? BE_V_ATTR :
			    !be_type_fits(type, v) ? BE_V_TYPE : BE_V_OK;
			t->type = be_type_name(v);
			if (t->verdict != BE_V_OK)
				return ML_OK;
		}
	}
	t->verdict = strncasecmp(name, BE_NO_CAMPAIGN,
	    strlen(BE_NO_CAMPAIGN)) == 0 ? BE_V_NO_CAMPAIGN : BE_V_OK;
	if (t->verdict != BE_V_OK || !t->count)
		return ML_OK;
	ml_sim_fam_time(when, sizeof(when), ML_SIM_TIME_MICRO, 0);
	if (ml_json_add_int(ev, "total_trigger", ml_json_int(ev,
	    "total_trigger", 0) + 1) || ml_json_add_int(ev,
	    "total_sent_message", ml_json_int(ev, "total_sent_message", 0) +
	    1) || ml_json_add_str(ev, "last_received_time", when) ||
	    ml_json_add_str(ev, "last_updated", when))
		return ML_ENOMEM;
	return ML_OK;
}

/* The legacy wording of a verdict. */
static int
be_trigger_fail(struct ml_sim_ctx *ctx, const struct be_trig *t)
{
	switch (t->verdict) {
	case BE_V_UNKNOWN:
		return be_fail(ctx, "Business event does not exists",
		    "InvalidValue", "event_name",
		    "Business event does not exist");
	case BE_V_ATTR:
		return be_fail(ctx, "Wrong business event attribute passed in "
		    "api request", "InvalidValue", t->attr, "Wrong business "
		    "event attribute passed in api request");
	case BE_V_TYPE:
		return be_wrong_type(ctx, t->attr, t->type);
	case BE_V_NO_CAMPAIGN:
		return be_fail(ctx, "No active campaign found for business "
		    "event name", "InvalidValue", "event_name", "No active "
		    "campaign found for business event name");
	case BE_V_OK:
		break;
	}
	return ML_OK;
}

/*
 * Judge (no side effect), spend the trigger windows, then judge again and
 * count: a refused trigger costs no quota.
 */
static int
be_trigger_run(struct ml_sim_ctx *ctx, struct be_trig *t)
{
	int rc;

	t->count = 0;
	rc = ml_sim_store_run(ctx, &be_coll, be_trigger_fn, t);
	if (rc || t->verdict != BE_V_OK)
		return rc;
	rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc)
		return rc;
	t->count = 1;
	return ml_sim_store_run(ctx, &be_coll, be_trigger_fn, t);
}

static int
be_trigger(struct ml_sim_ctx *ctx)
{
	struct be_trig t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = ml_sim_fam_begin(ctx, &t.body);
	if (rc == ML_OK)
		rc = be_check_trigger(ctx, t.body);
	if (rc == ML_OK)
		rc = be_trigger_run(ctx, &t);
	if (rc == ML_OK && t.verdict != BE_V_OK)
		rc = be_trigger_fail(ctx, &t);
	if (rc == ML_OK)
		rc = ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("message",
		    "The business event has been triggered", NULL));
	json_object_put(t.body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- v5 trigger ---------------------------------------------------------- */

/* {"response_id":"resp_<id>","error":{"code","message"[,"details"]}} */
static int
be5t_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, const char *field, const char *issue)
{
	json_object *e = ml_sim_fam_strs("code", code, "message", msg, NULL);
	char rid[32];

	if (field != NULL)
		e = ml_sim_fam_put(e, "details", ml_sim_fam_list1(
		    ml_sim_fam_strs("field", field, "issue", issue, "message",
		    msg, NULL)));
	snprintf(rid, sizeof(rid), "resp_%s", ctx->request_id);
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(ml_sim_fam_strs(
	    "response_id", rid, NULL), "error", e));
}

static int
be5t_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
		return be5t_fail(ctx, 401, "AUTHENTICATION_REQUIRED", "Workspace "
		    "ID and API key are missing from the Authorization header.",
		    NULL, NULL);
	case ML_SIM_REF_UNKNOWN_WS:	/* inferred wording */
	case ML_SIM_REF_BAD_KEY:
	case ML_SIM_REF_NO_APPKEY:
	case ML_SIM_REF_APPKEY:
		return be5t_fail(ctx, 401, "AUTHENTICATION_REQUIRED", "Invalid "
		    "Workspace ID or API key in the Authorization header.", NULL,
		    NULL);
	case ML_SIM_REF_RATE:
		if (ml_sim_reply_header(ctx, "Retry-After", "%ld",
		    why->rate.reset > 0 ? why->rate.reset : 1))
			return ML_ENOMEM;
		return be5t_fail(ctx, 429, "RATE_LIMIT_EXCEEDED", "Exceeded rate "
		    "limit for this workspace.", NULL, NULL);
	case ML_SIM_REF_STATE:		/* inferred */
		return be5t_fail(ctx, 403, "FORBIDDEN", "Your account is "
		    "suspended. Please contact MoEngage team.", NULL, NULL);
	default:
		break;
	}
	return be5t_fail(ctx, ctx->body_too_big ? 413 : 400, "VALIDATION_FAILED",
	    "The request body is not valid JSON.", "body", "INVALID_VALUE");
}

static const struct ml_sim_fam_spec be5t_spec = {
	ML_FAM_BUSINESS_EVENTS, be5t_refuse
};

static int
be5t_check(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *attrs;

	if (ml_sim_fam_str(o, "event_name") == NULL)
		return be5t_fail(ctx, 400, "VALIDATION_FAILED", "event_name is "
		    "required", "event_name", "MISSING_VALUE");
	if (!ml_sim_fam_is_email(ml_json_str(o, "triggered_by")))
		return be5t_fail(ctx, 400, "VALIDATION_FAILED", "triggered_by "
		    "must be an email address", "triggered_by",
		    json_object_object_get_ex(o, "triggered_by", NULL) ?
		    "INVALID_VALUE" : "MISSING_VALUE");
	if (json_object_object_get_ex(o, "event_attributes", &attrs) &&
	    !json_object_is_type(attrs, json_type_object))
		return be5t_fail(ctx, 400, "VALIDATION_FAILED", "event_attributes "
		    "must be an object", "event_attributes", "INVALID_VALUE");
	return ML_OK;
}

/* 200 {"response_id","type":"business-event","data":{...}}. */
static int
be5t_answer(struct ml_sim_ctx *ctx, const struct be_trig *t)
{
	const char *rid = ml_sim_fam_str(t->body, "moe_request_id");
	int ok = t->verdict == BE_V_OK;
	json_object *sum, *data, *ids = json_object_new_array();
	char cid[ML_SIM_HEXID_LEN + 1], fallback[32];

	if (ok) {
		/* The event's one (simulated) campaign. */
		ml_sim_fam_hexid_of(t->event_id, 1, cid);
		ids = ml_sim_fam_push(ids, json_object_new_string(cid));
	}
	sum = json_object_new_object();
	if (sum != NULL && (ml_json_add_int(sum, "total", ok) ||
	    ml_json_add_int(sum, "triggered", ok) ||
	    ml_json_add_int(sum, "failed", 0))) {
		json_object_put(sum);
		sum = NULL;
	}
	data = ml_sim_fam_strs("triggered_status", ok ? "SUCCESS" : "FAILURE",
	    "message", "The business event has been triggered", NULL);
	data = ml_sim_fam_put(data, "summary", sum);
	data = ml_sim_fam_put(data, "triggered_campaign_ids", ids);
	data = ml_sim_fam_put(data, "failed_campaign_ids",
	    json_object_new_array());
	data = ml_sim_fam_put(data, "triggered_flow_ids",
	    json_object_new_array());
	data = ml_sim_fam_put(data, "failed_flow_ids", json_object_new_array());
	if (rid == NULL)
		rid = ml_sim_header(ctx, "X-MOE-Request-Id");
	snprintf(fallback, sizeof(fallback), "resp_%s", ctx->request_id);
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(ml_sim_fam_strs(
	    "response_id", rid != NULL ? rid : fallback, "type",
	    "business-event", NULL), "data", data));
}

static int
be5_trigger(struct ml_sim_ctx *ctx)
{
	struct be_trig t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = ml_sim_fam_begin(ctx, &t.body);
	if (rc == ML_OK)
		rc = be5t_check(ctx, t.body);
	if (rc == ML_OK)
		rc = be_trigger_run(ctx, &t);
	if (rc == ML_OK && (t.verdict == BE_V_UNKNOWN ||
	    t.verdict == BE_V_ATTR || t.verdict == BE_V_TYPE))
		rc = be5t_fail(ctx, 400, "VALIDATION_FAILED",
		    t.verdict == BE_V_UNKNOWN ? "Business event does not exists" :
		    "Wrong business event attribute passed in api request",
		    t.verdict == BE_V_UNKNOWN ? "event_name" : t.attr,
		    "INVALID_VALUE");
	/* No campaign attached: a trigger that triggers nothing. */
	if (rc == ML_OK && t.verdict == BE_V_NO_CAMPAIGN)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = be5t_answer(ctx, &t);
	json_object_put(t.body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- legacy search ----------------------------------------------------- */

/* 1 if s is a string member of the array arr. */
static int
be_listed(json_object *arr, const char *s)
{
	size_t i, n = arr != NULL ? json_object_array_length(arr) : 0;
	const char *e;

	for (i = 0; s != NULL && i < n; i++) {
		e = json_object_get_string(json_object_array_get_idx(arr, i));
		if (e != NULL && strcmp(e, s) == 0)
			return 1;
	}
	return 0;
}

static int
be_search_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = arg, *data = json_object_new_array();
	json_object *ids = ml_json_get(body, "event_ids", json_type_array);
	json_object *names = ml_json_get(body, "event_names", json_type_array);

	if (data == NULL)
		return ML_ENOMEM;
	json_object_object_foreach(coll, k, v) {
		if ((be_listed(ids, k) || be_listed(names, ml_json_str(v,
		    "event_name"))) &&
		    ml_sim_json_push(data, ml_sim_fam_copy(v))) {
			json_object_put(data);
			return ML_ENOMEM;
		}
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "data", data));
}

static int
be_check_search(struct ml_sim_ctx *ctx, json_object *body)
{
	static const char *const keys[] = { "event_ids", "event_names", NULL };
	const char *extra = ml_sim_fam_extra_key(body, keys);

	if (extra != NULL)
		return be_extra(ctx, "BusinessEventSearchRequest", extra);
	if (ml_json_get(body, "event_ids", json_type_array) == NULL &&
	    ml_json_get(body, "event_names", json_type_array) == NULL)
		return be_fail(ctx, BE_BAD, "MissingValue", "event_ids",
		    "At least one of event_ids or event_names should be "
		    "provided");	/* inferred wording */
	return ML_OK;
}

static int
be_search(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, be_check_search, &be_coll, be_search_fn);
}

/* ---- v5 get and search ----------------------------------------------- */

struct be5_query {
	json_object *names, *ids;	/* filters, or NULL */
	const char *name, *id;		/* GET's single filters, or NULL */
	const char *after;		/* event id the cursor points past */
	long limit;
};

/* The v5 shape of a stored event. */
static json_object *
be5_item(json_object *ev)
{
	json_object *src = ml_json_get(ev, "event_attributes",
	    json_type_array), *attrs = json_object_new_array(), *o, *a;
	const char *t;
	size_t i, n = src != NULL ? json_object_array_length(src) : 0;

	for (i = 0; attrs != NULL && i < n; i++) {
		a = json_object_array_get_idx(src, i);
		t = ml_json_str(a, "attribute_data_type");
		if (strcmp(t, "int") == 0 || strcmp(t, "float") == 0)
			t = "number";
		else if (strcmp(t, "date") == 0)
			t = "datetime";
		attrs = ml_sim_fam_push(attrs, ml_sim_fam_strs("name",
		    ml_json_str(a, "attribute_name"), "data_type", t, NULL));
	}
	o = ml_sim_fam_strs("id", ml_json_str(ev, "event_id"), "name",
	    ml_json_str(ev, "event_name"), NULL);
	o = ml_sim_fam_put(o, "attributes", attrs);
	if (o == NULL || ml_json_add_int(o, "campaign_count", ml_json_int(ev,
	    "total_sent_message", 0)) || ml_json_add_int(o, "trigger_count",
	    ml_json_int(ev, "total_trigger", 0)) || ml_json_add_str(o,
	    "created_by", ml_json_str(ev, "created_by"))) {
		json_object_put(o);
		return NULL;
	}
	if (ml_json_str(ev, "last_received_time") != NULL &&
	    ml_json_add_str(o, "last_triggered_at", ml_json_str(ev,
	    "last_received_time"))) {
		json_object_put(o);
		return NULL;
	}
	if (ml_json_add_str(o, "created_at", ml_json_str(ev, "created_at"))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int
be5_matches(const struct be5_query *q, const char *id, json_object *ev)
{
	const char *name = ml_json_str(ev, "event_name");

	if (q->name != NULL && strcmp(q->name, name) != 0)
		return 0;
	if (q->id != NULL && strcmp(q->id, id) != 0)
		return 0;
	if (q->names != NULL && !be_listed(q->names, name))
		return 0;
	if (q->ids != NULL && !be_listed(q->ids, id))
		return 0;
	return 1;
}

/* The cursor: base64url of the 12 bytes of the last event's id. */
static void
be5_cursor(const char *id, char *out, size_t cap)
{
	unsigned char bin[ML_SIM_HEXID_LEN / 2];

	sodium_hex2bin(bin, sizeof(bin), id, strlen(id), NULL, NULL, NULL);
	sodium_bin2base64(out, cap, bin, sizeof(bin),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
be5_uncursor(const char *cursor, char *id)
{
	unsigned char bin[ML_SIM_HEXID_LEN / 2];
	size_t n = 0;

	if (sodium_base642bin(bin, sizeof(bin), cursor, strlen(cursor), NULL,
	    &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(bin))
		return -1;
	sodium_bin2hex(id, ML_SIM_HEXID_LEN + 1, bin, sizeof(bin));
	return 0;
}

static int
be5_page_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	const struct be5_query *q = arg;
	json_object *data = json_object_new_array(), *pg, *res;
	char cursor[64], rid[32];
	const char *last = NULL;
	int started = q->after == NULL, more = 0;

	if (data == NULL)
		return ML_ENOMEM;
	json_object_object_foreach(coll, k, v) {
		if (!started) {
			started = strcmp(k, q->after) == 0;
			continue;
		}
		if (!be5_matches(q, k, v))
			continue;
		if ((long)json_object_array_length(data) == q->limit) {
			more = 1;
			break;
		}
		if (ml_sim_json_push(data, be5_item(v))) {
			json_object_put(data);
			return ML_ENOMEM;
		}
		last = k;
	}
	pg = ml_sim_fam_put(json_object_new_object(), "has_more",
	    json_object_new_boolean(more));
	if (more && last != NULL) {
		be5_cursor(last, cursor, sizeof(cursor));
		pg = ml_sim_fam_put(pg, "next_cursor",
		    json_object_new_string(cursor));
	} else if (pg != NULL && json_object_object_add(pg, "next_cursor",
	    NULL) != 0) {
		json_object_put(pg);
		pg = NULL;
	}
	snprintf(rid, sizeof(rid), "resp_%s", ctx->request_id);
	res = ml_sim_fam_strs("response_id", rid, "type", "business-events",
	    NULL);
	res = ml_sim_fam_put(res, "data", data);
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(res, "pagination",
	    pg));
}

/* Shared checks of limit and cursor, then the page. */
static int
be5_answer(struct ml_sim_ctx *ctx, struct be5_query *q, const char *cursor)
{
	char id[ML_SIM_HEXID_LEN + 1];
	int rc;

	if (q->limit < 1 || q->limit > BE_V5_LIMIT_MAX)
		return be5_fail(ctx, 400, "INVALID_REQUEST", "limit must be "
		    "between 1 and 20.", "limit", "INVALID_VALUE", "Max 20 "
		    "per page.");
	if (cursor != NULL) {
		if (be5_uncursor(cursor, id) != 0)
			return be5_fail(ctx, 400, "INVALID_REQUEST", "Invalid "
			    "cursor.", "cursor", "INVALID_VALUE", "The cursor "
			    "is not one this API returned.");
		q->after = id;
	}
	/* business-events-v5.yaml's windows (a 400 spends nothing). */
	rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc)
		return rc;
	return ml_sim_store_run(ctx, &be_coll, be5_page_fn, q);
}

static int
be5_get(struct ml_sim_ctx *ctx)
{
	struct be5_query q;
	json_object *body = NULL;
	int rc;

	memset(&q, 0, sizeof(q));
	rc = ml_sim_fam_begin(ctx, &body);
	q.name = ml_sim_query(ctx, "name");
	q.id = ml_sim_query(ctx, "id");
	if (rc == ML_OK && q.name != NULL && q.id != NULL)
		rc = be5_fail(ctx, 400, "INVALID_REQUEST", "Use either name or "
		    "id, not both.", "name", "INVALID_VALUE", "Only one of name "
		    "or id may be supplied.");
	if (rc == ML_OK && ml_sim_fam_query_long(ctx, "limit",
	    BE_V5_LIMIT_MAX, &q.limit) != 0)
		q.limit = -1;
	if (rc == ML_OK)
		rc = be5_answer(ctx, &q, ml_sim_query(ctx, "cursor"));
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

static int
be5_search(struct ml_sim_ctx *ctx)
{
	struct be5_query q;
	json_object *body = NULL, *filters, *lim;
	int rc;

	memset(&q, 0, sizeof(q));
	q.limit = BE_V5_LIMIT_MAX;
	rc = ml_sim_fam_begin(ctx, &body);
	filters = ml_json_get(body, "filters", json_type_object);
	q.names = ml_json_get(filters, "names", json_type_array);
	q.ids = ml_json_get(filters, "ids", json_type_array);
	if (rc == ML_OK && q.names != NULL && q.ids != NULL)
		rc = be5_fail(ctx, 400, "INVALID_REQUEST", "Provide either "
		    "names or ids inside filters, not both.", "filters",
		    "INVALID_VALUE", "Only one of filters.names or filters.ids "
		    "may be supplied.");
	if (rc == ML_OK && json_object_object_get_ex(body, "limit", &lim))
		q.limit = json_object_is_type(lim, json_type_int) ?
		    (long)json_object_get_int64(lim) : -1;
	if (rc == ML_OK)
		rc = be5_answer(ctx, &q, ml_json_str(body, "cursor"));
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- faults and the family ------------------------------------------- */

static int
be_other(struct ml_sim_ctx *ctx, int status)
{
	const char *why = MHD_get_reason_phrase_for((unsigned)status);

	if (ml_sim_fam_route(ctx)->spec == &be5t_spec)
		return be5t_fail(ctx, status, status >= 500 ? "INTERNAL_ERROR" :
		    "VALIDATION_FAILED", status >= 500 ? "An unexpected error "
		    "occurred while processing the request. Retry the request, "
		    "and quote `response_id` if you contact MoEngage Support." :
		    why, NULL, NULL);
	if (ml_sim_fam_route(ctx)->spec == &be5_spec)
		return be5_fail(ctx, status, status == 403 ? "FORBIDDEN" :
		    status >= 500 ? "INTERNAL_ERROR" : "INVALID_REQUEST", why,
		    NULL, NULL, NULL);
	if (status == 400)
		return be_fail(ctx, "Business event does not exists",
		    "InvalidValue", "event_name", "Business event does not "
		    "exist");
	if (status >= 500)
		return ml_sim_fam_send_internal(ctx, status);
	return be_fail_detail(ctx, status, why, why, ml_sim_fam_detail("InvalidValue",
	    json_object_new_string("request"), json_object_new_string(why)));
}

static int
be_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, be_other);
}

static const struct ml_sim_fam_route r_create = {
	&be_spec, ML_SIM_F_BODY, { NULL }, NULL
};
static const struct ml_sim_fam_route r_trigger = {
	&be_spec, ML_SIM_F_BODY, { &be_limits[1], &be_limits[2], NULL }, NULL
};
static const struct ml_sim_fam_route r_search = {
	&be_spec, ML_SIM_F_BODY, { &be_limits[0], NULL }, NULL
};
static const struct ml_sim_fam_route r_v5_trigger = {
	&be5t_spec, ML_SIM_F_BODY, { &be_limits[3], &be_limits[1],
	    &be_limits[2], NULL }, NULL
};
static const struct ml_sim_fam_route r_v5_get = {
	&be5_spec, 0, { &be_limits[4], &be_limits[5], NULL }, NULL
};
static const struct ml_sim_fam_route r_v5_search = {
	&be5_spec, ML_SIM_F_BODY_OPT, { &be_limits[6], &be_limits[7], NULL },
	NULL
};

static const struct ml_sim_route be_routes[] = {
	{ "POST", "/v1.0/business_event", "create_business_event", be_create,
	    &r_create },
	{ "POST", "/v1.0/business_event/trigger", "trigger_business_event",
	    be_trigger, &r_trigger },
	{ "POST", "/v1.0/business_event/search", "search_business_events",
	    be_search, &r_search },
	{ "POST", "/v5/business-events/triggers", "trigger_business_event_v5",
	    be5_trigger, &r_v5_trigger },
	{ "GET", "/v5/business-events", "get_business_events_v5", be5_get,
	    &r_v5_get },
	{ "POST", "/v5/business-events/search", "search_business_events_v5",
	    be5_search, &r_v5_search },
};

const struct ml_sim_family ml_sim_family_business_events = {
	"business_events", ML_HOST_API, be_routes,
	sizeof(be_routes) / sizeof(be_routes[0]),
	be_limits, sizeof(be_limits) / sizeof(be_limits[0]),
	be_fault,
};
