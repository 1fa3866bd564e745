/* SPDX-License-Identifier: MIT */
/*
 * sim_templates.c: Custom Templates, written from push-templates.yaml and
 * sms-templates.yaml, on api-<dc> with the general key and MOE-APPKEY (the
 * 401 example says MoEngage checks it):
 *
 *   POST /v1.0/custom-templates/{channel}          create
 *   PUT  /v1.0/custom-templates/{channel}          update (a new version)
 *   POST /v1.0/custom-templates/{channel}/search   page + entries (<= 15)
 *
 * for channel push, sms, osm, inapp and email; 100 requests/min per
 * endpoint. Create answers {"external_template_id":<uuid>}; template_id +
 * template_version must be unique per channel; SMS and OSM hold at most 100
 * templates, the others 10,000. Errors: 400 {"error":{"code":"400 Bad
 * Request","message","details":[...],"request_id"}}, 401
 * {"title":"Authentication required"[,"description"]}, 403 (wrong key or
 * workspace, sms-templates.yaml) in the 400 envelope, 415 {"title",
 * "description"}, 429 {"response_id","type":"custom_template","error"}.
 *
 * Push and SMS bodies are checked as their OpenAPI files describe; osm,
 * inapp and email have no OpenAPI file, so only meta_info is checked there.
 * Search returns the latest version of each template in creation order
 * (or in sort_params order), or the exact versions template_ids names.
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#define TPL_ENTRIES_MAX 15
#define TPL_VERSIONS_MAX 1000	/* the simulator's cap, not MoEngage's */
#define TPL_400 "400 Bad Request"
#define TPL_INVALID "Validation failed because of invalid request data"

enum tpl_op { TPL_CREATE = 0, TPL_UPDATE, TPL_SEARCH };

struct tpl_channel {
	const char *name;	/* path segment */
	const char *label;	/* meta_info.channel */
	long max;		/* templates a workspace may hold */
	struct ml_sim_coll coll;
};

static const struct tpl_channel tpl_channels[] = {
	{ "push", "PUSH", 10000, { "templates_push", NULL } },
	{ "sms", "SMS", 100, { "templates_sms", NULL } },
	{ "osm", "OSM", 100, { "templates_osm", NULL } },
	{ "inapp", "INAPP", 10000, { "templates_inapp", NULL } },
	{ "email", "EMAIL", 10000, { "templates_email", NULL } },
};

#define TPL_NCHANNELS (sizeof(tpl_channels) / sizeof(tpl_channels[0]))

/* 100 RPM per endpoint: one window per (channel, operation). */
static const struct ml_sim_limit tpl_limits[] = {
	{ "templates_push_create_per_min", 100 },
	{ "templates_push_update_per_min", 100 },
	{ "templates_push_search_per_min", 100 },
	{ "templates_sms_create_per_min", 100 },
	{ "templates_sms_update_per_min", 100 },
	{ "templates_sms_search_per_min", 100 },
	{ "templates_osm_create_per_min", 100 },
	{ "templates_osm_update_per_min", 100 },
	{ "templates_osm_search_per_min", 100 },
	{ "templates_inapp_create_per_min", 100 },
	{ "templates_inapp_update_per_min", 100 },
	{ "templates_inapp_search_per_min", 100 },
	{ "templates_email_create_per_min", 100 },
	{ "templates_email_update_per_min", 100 },
	{ "templates_email_search_per_min", 100 },
};

/* What a handler works on. */
struct tpl_req {
	const struct tpl_channel *ch;
	enum tpl_op op;
	const struct ml_sim_limit *lim;
	json_object *body;
	json_object *details;	/* validation findings, in order */
};

/* ---- answers --------------------------------------------------------- */

static int
tpl_simple(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    "description", desc, NULL));
}

static int
tpl_one(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, const char *dcode, const char *target,
    const char *dmsg)
{
	return ml_sim_fam_send_details(ctx, status, code, msg,
	    ml_sim_fam_list1(ml_sim_fam_detail(dcode,
	    json_object_new_string(target), json_object_new_string(dmsg))));
}

static int
tpl_forbidden(struct ml_sim_ctx *ctx, const char *target)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "Invalid %s is provided.", target);
	return tpl_one(ctx, 403, "403 Forbidden", "Authentication required",
	    "InvalidValue", target, msg);
}

static int
tpl_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	char msg[128];

	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
		return tpl_simple(ctx, 401, "Authentication required", NULL);
	case ML_SIM_REF_NO_APPKEY:
		return tpl_simple(ctx, 401, "Authentication required",
		    "MOE-APPKEY missing in Authentication Header");
	case ML_SIM_REF_UNKNOWN_WS:
	case ML_SIM_REF_APPKEY:
		return tpl_forbidden(ctx, "APP_ID");
	case ML_SIM_REF_BAD_KEY:
		return tpl_forbidden(ctx, "APP_SECRET_KEY");
	case ML_SIM_REF_STATE:		/* inferred */
		return tpl_one(ctx, 403, "403 Forbidden", "Account is not "
		    "active", "InvalidValue", "APP_ID", "Your account is "
		    "suspended. Please contact MoEngage team.");
	case ML_SIM_REF_MEDIA:
		return tpl_simple(ctx, 415, "Unsupported media type",
		    "Content type is not supported");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return tpl_simple(ctx, 413, "Payload Too Large",
		    "The request body is too large.");
	case ML_SIM_REF_RATE:
		ml_sim_fam_limit_text(why, msg, sizeof(msg));
		return ml_sim_fam_send(ctx, 429, ml_sim_fam_put(
		    ml_sim_fam_strs("response_id", ctx->request_id, "type",
		    "custom_template", NULL), "error", ml_sim_fam_strs("code",
		    "Too Many Requests", "message", msg, NULL)));
	default:
		break;
	}
	return tpl_one(ctx, 400, TPL_400, TPL_INVALID, "InvalidValue", "body",
	    "Could not decode the request body. The JSON was incorrect or "
	    "not encoded as UTF-8.");
}

static const struct ml_sim_fam_spec tpl_spec = {
	ML_FAM_TEMPLATES, tpl_refuse
};

/* ---- validation: findings pile up, as the documented 400s show ------- */

static int
tpl_note(struct tpl_req *q, const char *code, const char *target,
    const char *msg)
{
	q->details = ml_sim_fam_push(q->details, ml_sim_fam_detail(code,
	    json_object_new_string(target), json_object_new_string(msg)));
	return q->details == NULL ? ML_ENOMEM : ML_OK;
}

static int
tpl_missing(struct tpl_req *q, const char *field)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s value is required but value is passed "
	    "empty.", field);
	return tpl_note(q, "MissingValue", field, msg);
}

static int
tpl_invalid(struct tpl_req *q, const char *field)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s value is invalid.", field);
	return tpl_note(q, "InvalidValue", field, msg);
}

/*
 * Each of fields must be a non-empty string; template_id and
 * template_version may be numbers (push-templates.yaml's own example sends
 * template_id: 1234567890).
 */
static int
tpl_need(struct tpl_req *q, json_object *o, const char *const *fields)
{
	json_object *v;
	size_t i;
	int rc = ML_OK, num;

	for (i = 0; rc == ML_OK && fields[i] != NULL; i++) {
		num = strcmp(fields[i], "template_id") == 0 ||
		    strcmp(fields[i], "template_version") == 0;
		if (!json_object_object_get_ex(o, fields[i], &v) ||
		    (json_object_is_type(v, json_type_string) &&
		    json_object_get_string_len(v) == 0))
			rc = tpl_missing(q, fields[i]);
		else if (!json_object_is_type(v, json_type_string) &&
		    !(num && (json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double))))
			rc = tpl_invalid(q, fields[i]);
	}
	return rc;
}

/* Keys of o outside allowed: "['k'] are not expected in this request." */
static int
tpl_unexpected(struct tpl_req *q, json_object *o, const char *const *allowed)
{
	const char *extra = ml_sim_fam_extra_key(o, allowed);
	char target[160], msg[220];

	if (extra == NULL)
		return ML_OK;
	snprintf(target, sizeof(target), "['%s']", extra);
	snprintf(msg, sizeof(msg), "%s are not expected in this request.",
	    target);
	return tpl_note(q, "NotSupported", target, msg);
}

static int
tpl_check_platform(struct tpl_req *q, const char *plat, json_object *meta)
{
	static const char *const android[] = { "title", "message",
	    "default_click_action", "default_click_action_value", NULL };
	static const char *const ios[] = { "title", "message",
	    "default_click_action_value", NULL };
	static const char *const actions[] = { "NAVIGATE_TO_A_SCREEN",
	    "DEEPLINKING", "RICH_LANDING", NULL };
	json_object *list = ml_json_get(meta, "platform", json_type_array);
	json_object *body = ml_json_get(q->body, plat, json_type_object), *bd;
	const char *act, *p;
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;
	int listed = 0, rc;
	char msg[160];

	for (i = 0; i < n; i++) {
		p = json_object_get_string(json_object_array_get_idx(list, i));
		listed |= p != NULL && strcmp(p, plat) == 0;
	}
	if (listed && body == NULL) {
		snprintf(msg, sizeof(msg), "Template Body is missing for %s.",
		    plat);
		return tpl_note(q, "MissingValue", "platform", msg);
	}
	if (!listed && body != NULL) {
		snprintf(msg, sizeof(msg), "%s is missing in meta_info but "
		    "template body is passed for %s.", plat, plat);
		return tpl_note(q, "MissingValue", "platform", msg);
	}
	if (body == NULL)
		return ML_OK;
	bd = ml_json_get(body, "basic_details", json_type_object);
	if (bd == NULL)
		return tpl_missing(q, "basic_details");
	rc = tpl_need(q, bd, strcmp(plat, "ANDROID") == 0 ? android : ios);
	act = ml_json_str(bd, "default_click_action");
	if (rc == ML_OK && act != NULL && !ml_sim_fam_in(act, actions))
		rc = tpl_invalid(q, "default_click_action");
	return rc;
}

static int
tpl_check_push(struct tpl_req *q, json_object *meta)
{
	static const char *const plats[] = { "ANDROID", "IOS", NULL };
	static const char *const styles[] = { "BASIC", "STYLIZED", NULL };
	json_object *list = ml_json_get(meta, "platform", json_type_array);
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;
	int rc = ML_OK;

	if (list == NULL || n == 0)
		rc = tpl_missing(q, "platform");
	for (i = 0; rc == ML_OK && i < n; i++)
		if (!ml_sim_fam_in(json_object_get_string(
		    json_object_array_get_idx(list, i)), plats))
			rc = tpl_invalid(q, "platform");
	if (rc == ML_OK && json_object_object_get_ex(meta, "template_style",
	    NULL) && !ml_sim_fam_in(ml_json_str(meta, "template_style"),
	    styles))
		rc = tpl_invalid(q, "template_style");
	if (rc == ML_OK)
		rc = tpl_check_platform(q, "ANDROID", meta);
	if (rc == ML_OK)
		rc = tpl_check_platform(q, "IOS", meta);
	return rc;
}

static int
tpl_check_sms(struct tpl_req *q)
{
	static const char *const keys[] = { "message", NULL };
	static const char *const need[] = { "message", NULL };
	json_object *bd = ml_json_get(q->body, "basic_details",
	    json_type_object);

	if (bd == NULL)
		return tpl_missing(q, "basic_details");
	if (tpl_unexpected(q, bd, keys) != ML_OK)
		return ML_ENOMEM;
	return tpl_need(q, bd, need);
}

static int
tpl_check(struct tpl_req *q)
{
	/* platform (a list) is checked by tpl_check_push. */
	static const char *const create_push[] = { "template_style",
	    "template_id", "template_name", "template_version", "created_by",
	    NULL };
	static const char *const create_other[] = { "created_by",
	    "template_id", "template_name", "template_version", NULL };
	static const char *const update_push[] = { "template_style",
	    "updated_by", "template_name", NULL };
	static const char *const update_other[] = { "template_name",
	    "updated_by", NULL };
	static const char *const top_push[] = { "ANDROID", "IOS", "meta_info",
	    "external_template_id", "update_campaigns", NULL };
	static const char *const top_sms[] = { "basic_details", "meta_info",
	    "external_template_id", "update_campaigns", NULL };
	int push = strcmp(q->ch->name, "push") == 0;
	int sms = strcmp(q->ch->name, "sms") == 0;
	json_object *meta = ml_json_get(q->body, "meta_info",
	    json_type_object);
	int rc = ML_OK;

	if (push || sms)
		rc = tpl_unexpected(q, q->body, push ? top_push : top_sms);
	if (rc == ML_OK && q->op == TPL_UPDATE &&
	    ml_sim_fam_str(q->body, "external_template_id") == NULL)
		rc = tpl_missing(q, "external_template_id");
	if (rc == ML_OK && meta == NULL)
		return tpl_missing(q, "meta_info");
	if (rc == ML_OK)
		rc = tpl_need(q, meta, q->op == TPL_CREATE ? (push ?
		    create_push : create_other) : (push ? update_push :
		    update_other));
	if (rc == ML_OK && push)
		rc = tpl_check_push(q, meta);
	if (rc == ML_OK && sms)
		rc = tpl_check_sms(q);
	return rc;
}

/* ---- the store -------------------------------------------------------- */

/*
 * A template: {"latest": n, "versions": [version objects]}, keyed by its
 * external_template_id. A version object is what search returns.
 */

/* meta_info strings as search shows them (numbers become strings). */
static int
tpl_meta_str(json_object *meta, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(meta, key, &v) ||
	    json_object_is_type(v, json_type_string))
		return ML_OK;
	return ml_json_add_str(meta, key, json_object_get_string(v));
}

static json_object *
tpl_version(struct tpl_req *q, const char *ext, long version,
    json_object *prev)
{
	json_object *v = json_object_new_object(), *meta;
	const char *by;
	char now[ML_SIM_TIME_MAX];

	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	if (v == NULL || ml_json_add_str(v, "external_template_id", ext) ||
	    ml_json_add_int(v, "version", version)) {
		json_object_put(v);
		return NULL;
	}
	json_object_object_foreach(q->body, k, val) {
		if (strcmp(k, "meta_info") == 0 ||
		    strcmp(k, "external_template_id") == 0 ||
		    strcmp(k, "update_campaigns") == 0)
			continue;
		v = ml_sim_fam_put(v, k, ml_sim_fam_copy(val));
		if (v == NULL)
			return NULL;
	}
	/* An update keeps what it does not restate (template_id, ...). */
	meta = ml_sim_fam_copy(prev != NULL ? ml_json_get(prev, "meta_info",
	    json_type_object) : ml_json_get(q->body, "meta_info",
	    json_type_object));
	if (prev != NULL && meta != NULL) {
		json_object_object_foreach(ml_json_get(q->body, "meta_info",
		    json_type_object), mk, mv)
			meta = ml_sim_fam_put(meta, mk, ml_sim_fam_copy(mv));
	}
	by = ml_json_str(ml_json_get(q->body, "meta_info", json_type_object),
	    prev != NULL ? "updated_by" : "created_by");
	if (meta == NULL || tpl_meta_str(meta, "template_id") ||
	    tpl_meta_str(meta, "template_version") ||
	    ml_json_add_str(meta, "updated_by", by) ||
	    ml_json_add_str(meta, "channel", q->ch->label) ||
	    ml_json_add_str(meta, "template_source", "API") ||
	    ml_json_add_str(meta, "template_type", "CUSTOM")) {
		json_object_put(meta);
		json_object_put(v);
		return NULL;
	}
	v = ml_sim_fam_put(v, "meta_info", meta);
	if (v == NULL || ml_json_add_str(v, "created_by", prev != NULL ?
	    ml_json_str(prev, "created_by") : by) ||
	    ml_json_add_str(v, "created_at", prev != NULL ?
	    ml_json_str(prev, "created_at") : now) ||
	    ml_json_add_str(v, "updated_by", by) ||
	    ml_json_add_str(v, "updated_at", now)) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

/* Is (template_id, template_version) taken in this channel? */
static int
tpl_taken(json_object *coll, json_object *meta)
{
	json_object *vs, *m;
	const char *id = ml_json_str(meta, "template_id");
	const char *ver = ml_json_str(meta, "template_version");
	size_t i, n;

	if (id == NULL || ver == NULL)
		return 0;
	json_object_object_foreach(coll, k, t) {
		(void)k;
		vs = ml_json_get(t, "versions", json_type_array);
		n = json_object_array_length(vs);
		for (i = 0; i < n; i++) {
			m = ml_json_get(json_object_array_get_idx(vs, i),
			    "meta_info", json_type_object);
			if (ml_json_str(m, "template_id") != NULL &&
			    ml_json_str(m, "template_version") != NULL &&
			    strcmp(ml_json_str(m, "template_id"), id) == 0 &&
			    strcmp(ml_json_str(m, "template_version"),
			    ver) == 0)
				return 1;
		}
	}
	return 0;
}

static int
tpl_duplicate(struct ml_sim_ctx *ctx, json_object *meta)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "template_id:%s template_version:%s is "
	    "already present.", ml_json_str(meta, "template_id"),
	    ml_json_str(meta, "template_version"));
	return tpl_one(ctx, 400, TPL_400, "Duplicate - template_id and "
	    "template_version", "InvalidValue", "Duplicate - template_id and "
	    "template_version", msg);
}

static int
tpl_create_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct tpl_req *q = arg;
	char ext[ML_SIM_UUID_LEN + 1];
	json_object *t, *v;
	int rc;

	ml_sim_fam_uuid(ext);
	v = tpl_version(q, ext, 1, NULL);
	if (v == NULL)
		return ML_ENOMEM;
	rc = ML_OK;
	if (tpl_taken(coll, ml_json_get(v, "meta_info", json_type_object)))
		rc = tpl_duplicate(ctx, ml_json_get(v, "meta_info",
		    json_type_object));
	else if ((long)json_object_object_length(coll) >= q->ch->max)
		rc = tpl_one(ctx, 400, TPL_400, "Maximum Template limit "
		    "exceeded", "NotSupported", "Maximum Template limit "
		    "exceeded", "You have already created maximum allowed "
		    "template allowed for client");
	if (rc) {
		json_object_put(v);
		return rc;
	}
	t = ml_sim_fam_put(json_object_new_object(), "versions",
	    ml_sim_fam_list1(v));
	if (t == NULL || ml_json_add_int(t, "latest", 1) ||
	    json_object_object_add(coll, ext, t)) {
		json_object_put(t);
		return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs(
	    "external_template_id", ext, NULL));
}

static int
tpl_update_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct tpl_req *q = arg;
	const char *ext = ml_json_str(q->body, "external_template_id");
	json_object *t, *vs, *prev, *v, *meta;
	char msg[300];
	long latest;
	int rc;

	if (!json_object_object_get_ex(coll, ext, &t)) {
		snprintf(msg, sizeof(msg), "%s is invalid template id.", ext);
		return tpl_one(ctx, 400, TPL_400, "Invalid template id",
		    "MissingValue", ext, msg);
	}
	vs = ml_json_get(t, "versions", json_type_array);
	if (json_object_array_length(vs) >= TPL_VERSIONS_MAX)
		return tpl_one(ctx, 400, TPL_400, "Maximum Template limit "
		    "exceeded", "NotSupported", "Maximum Template limit "
		    "exceeded", "The template has the most versions the "
		    "simulator keeps");
	latest = (long)ml_json_int(t, "latest", 1);
	prev = json_object_array_get_idx(vs, json_object_array_length(vs) - 1);
	v = tpl_version(q, ext, latest + 1, prev);
	if (v == NULL)
		return ML_ENOMEM;
	meta = ml_json_get(v, "meta_info", json_type_object);
	if (json_object_object_get_ex(ml_json_get(q->body, "meta_info",
	    json_type_object), "template_version", NULL) &&
	    tpl_taken(coll, meta)) {
		rc = tpl_duplicate(ctx, meta);
		json_object_put(v);
		return rc;
	}
	if (ml_sim_json_push(vs, v) || ml_json_add_int(t, "latest",
	    latest + 1))
		return ML_ENOMEM;
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs(
	    "external_template_id", ext, NULL));
}

/* ---- search ---------------------------------------------------------- */

struct tpl_search {
	struct tpl_req *q;
	long page, entries;
};

/* 1 if any string of want (array) equals s; an absent filter matches. */
static int
tpl_any(json_object *filter, const char *s)
{
	size_t i, n;

	if (filter == NULL)
		return 1;
	n = json_object_array_length(filter);
	for (i = 0; s != NULL && i < n; i++)
		if (strcasecmp(json_object_get_string(
		    json_object_array_get_idx(filter, i)), s) == 0)
			return 1;
	return 0;
}

static int
tpl_matches(json_object *body, json_object *v)
{
	json_object *meta = ml_json_get(v, "meta_info", json_type_object);
	json_object *plat = ml_json_get(meta, "platform", json_type_array);
	const char *name = ml_json_str(body, "template_name");
	const char *tn = ml_json_str(meta, "template_name");
	json_object *fp = ml_json_get(body, "platform", json_type_array);
	size_t i, n = plat != NULL ? json_object_array_length(plat) : 0;
	int plat_ok = fp == NULL;

	for (i = 0; !plat_ok && i < n; i++)
		plat_ok = tpl_any(fp, json_object_get_string(
		    json_object_array_get_idx(plat, i)));
	/* template_name: a part of the name, or the template's id. */
	if (name != NULL && name[0] != '\0' && (tn == NULL ||
	    !ml_sim_fam_contains_nocase(tn, name)) && strcmp(name, ml_json_str(v,
	    "external_template_id")) != 0 && (ml_json_str(meta,
	    "template_id") == NULL || strcmp(name, ml_json_str(meta,
	    "template_id")) != 0))
		return 0;
	return plat_ok &&
	    tpl_any(ml_json_get(body, "template_source", json_type_array),
	    "API") &&
	    tpl_any(ml_json_get(body, "template_type", json_type_array),
	    "CUSTOM") &&
	    tpl_any(ml_json_get(body, "template_style", json_type_array),
	    ml_json_str(meta, "template_style")) &&
	    tpl_any(ml_json_get(body, "created_by", json_type_array),
	    ml_json_str(v, "created_by")) &&
	    tpl_any(ml_json_get(body, "updated_by", json_type_array),
	    ml_json_str(v, "updated_by"));
}

/* The versions template_ids asks for, or NULL when it asks for none. */
static int
tpl_by_ids(json_object *coll, json_object *ids, json_object *out)
{
	json_object *want, *t, *vs, *v;
	size_t i, j, n = json_object_array_length(ids), nv;
	long ver;

	for (i = 0; i < n; i++) {
		want = json_object_array_get_idx(ids, i);
		if (!json_object_object_get_ex(coll, ml_json_str(want,
		    "external_template_id") != NULL ? ml_json_str(want,
		    "external_template_id") : "", &t))
			continue;
		vs = ml_json_get(t, "versions", json_type_array);
		nv = json_object_array_length(vs);
		ver = (long)ml_json_int(want, "version",
		    ml_json_int(t, "latest", 1));
		for (j = 0; j < nv; j++) {
			v = json_object_array_get_idx(vs, j);
			if (ml_json_int(v, "version", 0) == ver &&
			    ml_sim_json_push(out, json_object_get(v)))
				return ML_ENOMEM;
		}
	}
	return ML_OK;
}

/* Sort key of a search hit for sort_params[0]. */
static int
tpl_sort_cmp(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a;
	json_object *y = *(json_object *const *)b;
	int c = strcmp(ml_json_str(x, "k"), ml_json_str(y, "k"));

	if (c == 0)
		c = (int)(ml_json_int(x, "seq", 0) - ml_json_int(y, "seq", 0));
	return c;
}

/* Order hits by sort_params' first entry; creation order otherwise. */
static int
tpl_sort(json_object *body, json_object **hits)
{
	json_object *sp = ml_json_get(body, "sort_params", json_type_array);
	json_object *keyed, *h, *out;
	const char *field = NULL, *dir = NULL, *k;
	size_t i, n = json_object_array_length(*hits);

	sp = sp != NULL && json_object_array_length(sp) > 0 ?
	    json_object_array_get_idx(sp, 0) : NULL;
	if (!json_object_is_type(sp, json_type_object))
		return ML_OK;
	json_object_object_foreach(sp, sk, sv) {
		field = sk;
		dir = json_object_get_string(sv);
		break;
	}
	if (field == NULL)
		return ML_OK;
	keyed = json_object_new_array();
	for (i = 0; keyed != NULL && i < n; i++) {
		h = json_object_array_get_idx(*hits, i);
		k = strcmp(field, "template_name") == 0 ? ml_json_str(
		    ml_json_get(h, "meta_info", json_type_object),
		    "template_name") : strcmp(field, "last_modified_by") == 0 ?
		    ml_json_str(h, "updated_by") : ml_json_str(h, "updated_at");
		h = ml_sim_fam_put(ml_sim_fam_strs("k", k != NULL ? k : "",
		    NULL), "v", json_object_get(h));
		if (h != NULL && ml_json_add_int(h, "seq", (int64_t)i)) {
			json_object_put(h);
			h = NULL;
		}
		keyed = ml_sim_fam_push(keyed, h);
	}
	out = json_object_new_array();
	if (keyed == NULL || out == NULL) {
		json_object_put(keyed);
		json_object_put(out);
		return ML_ENOMEM;
	}
	json_object_array_sort(keyed, tpl_sort_cmp);
	for (i = 0; out != NULL && i < n; i++) {
		h = json_object_array_get_idx(keyed, dir != NULL &&
		    strcmp(dir, "DESCENDING") == 0 ? n - 1 - i : i);
		out = ml_sim_fam_push(out, json_object_get(
		    json_object_object_get(h, "v")));
	}
	json_object_put(keyed);
	if (out == NULL)
		return ML_ENOMEM;
	json_object_put(*hits);
	*hits = out;
	return ML_OK;
}

static int
tpl_search_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct tpl_search *s = arg;
	json_object *body = s->q->body, *hits = json_object_new_array(), *data;
	json_object *ids = ml_json_get(body, "template_ids", json_type_array);
	json_object *vs;
	size_t i, n;
	long first = (s->page - 1) * s->entries;
	int rc = ML_OK;

	if (hits == NULL)
		return ML_ENOMEM;
	if (ids != NULL && json_object_array_length(ids) > 0) {
		rc = tpl_by_ids(coll, ids, hits);
	} else {
		json_object_object_foreach(coll, k, t) {
			(void)k;
			vs = ml_json_get(t, "versions", json_type_array);
			t = json_object_array_get_idx(vs,
			    json_object_array_length(vs) - 1);
			if (tpl_matches(body, t) && ml_sim_json_push(hits,
			    json_object_get(t))) {
				rc = ML_ENOMEM;
				break;
			}
		}
	}
	if (rc == ML_OK)
		rc = tpl_sort(body, &hits);
	data = json_object_new_array();
	n = json_object_array_length(hits);
	for (i = 0; rc == ML_OK && data != NULL && (long)i < s->entries &&
	    first + (long)i < (long)n; i++)
		data = ml_sim_fam_push(data, ml_sim_fam_copy(
		    json_object_array_get_idx(hits, (size_t)first + i)));
	json_object_put(hits);
	if (rc) {
		json_object_put(data);
		return rc;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "data", data));
}

/* {"title":"Invalid Field Value","description","code"} */
static int
tpl_invalid_field(struct ml_sim_ctx *ctx, const char *field)
{
	char desc[200];

	snprintf(desc, sizeof(desc), "%s - Some of the field values are "
	    "invalid", field);
	return ml_sim_fam_send(ctx, 400, ml_sim_fam_strs("title", "Invalid "
	    "Field Value", "description", desc, "code", ctx->request_id,
	    NULL));
}

static int
tpl_search_check(struct ml_sim_ctx *ctx, json_object *body,
    struct tpl_search *s)
{
	json_object *v;

	/* Mandatory since 15 November 2025. */
	if (!json_object_object_get_ex(body, "page", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1)
		return tpl_invalid_field(ctx, "page");
	s->page = (long)json_object_get_int64(v);
	if (!json_object_object_get_ex(body, "entries", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1 ||
	    json_object_get_int64(v) > TPL_ENTRIES_MAX)
		return tpl_invalid_field(ctx, "entries");
	s->entries = (long)json_object_get_int64(v);
	if (s->page > 1000000000L / s->entries)
		return tpl_invalid_field(ctx, "page");
	return ML_OK;
}

/* ---- handlers --------------------------------------------------------- */

static const struct tpl_channel *
tpl_channel(const char *name)
{
	size_t i;

	for (i = 0; i < TPL_NCHANNELS; i++)
		if (strcmp(tpl_channels[i].name, name) == 0)
			return &tpl_channels[i];
	return NULL;
}

static int
tpl_handle(struct ml_sim_ctx *ctx, enum tpl_op op)
{
	struct tpl_req q;
	struct tpl_search s;
	int rc;

	memset(&q, 0, sizeof(q));
	q.ch = tpl_channel(ctx->param[0]);
	if (q.ch == NULL)
		return ml_sim_reply_not_found(ctx);
	q.op = op;
	q.lim = &tpl_limits[(size_t)(q.ch - tpl_channels) * 3 + (size_t)op];
	rc = ml_sim_fam_begin(ctx, &q.body);
	if (rc == ML_OK && op == TPL_SEARCH)
		rc = tpl_search_check(ctx, q.body, &s);
	if (rc == ML_OK && op != TPL_SEARCH) {
		q.details = json_object_new_array();
		rc = q.details == NULL ? ML_ENOMEM : tpl_check(&q);
		if (rc == ML_OK && json_object_array_length(q.details) > 0) {
			rc = ml_sim_fam_send_details(ctx, 400, TPL_400,
			    TPL_INVALID, q.details);
			q.details = NULL;
		}
	}
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, q.lim);
	if (rc == ML_OK) {
		s.q = &q;
		rc = ml_sim_store_run(ctx, &q.ch->coll, op == TPL_CREATE ?
		    tpl_create_fn : op == TPL_UPDATE ? tpl_update_fn :
		    tpl_search_fn, op == TPL_SEARCH ? (void *)&s : (void *)&q);
	}
	json_object_put(q.details);
	json_object_put(q.body);
	return ml_sim_fam_end_with(ctx, rc, q.lim);
}

static int
tpl_create(struct ml_sim_ctx *ctx)
{
	return tpl_handle(ctx, TPL_CREATE);
}

static int
tpl_update(struct ml_sim_ctx *ctx)
{
	return tpl_handle(ctx, TPL_UPDATE);
}

static int
tpl_search(struct ml_sim_ctx *ctx)
{
	return tpl_handle(ctx, TPL_SEARCH);
}

static int
tpl_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return tpl_one(ctx, 400, TPL_400, TPL_INVALID, "MissingValue",
		    "template_name", "template_name value is required but "
		    "value is passed empty.");
	if (status == 403)
		return tpl_forbidden(ctx, "APP_SECRET_KEY");
	if (status >= 500)
		return ml_sim_fam_send_internal(ctx, status);
	return tpl_simple(ctx, status, MHD_get_reason_phrase_for(
	    (unsigned)status), NULL);
}

static int
tpl_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, tpl_other);
}

static const struct ml_sim_fam_route r_tpl = {
	&tpl_spec, ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY,
	{ NULL }, NULL
};

static const struct ml_sim_route tpl_routes[] = {
	{ "POST", "/v1.0/custom-templates/{channel}", "create_template",
	    tpl_create, &r_tpl },
	{ "PUT", "/v1.0/custom-templates/{channel}", "update_template",
	    tpl_update, &r_tpl },
	{ "POST", "/v1.0/custom-templates/{channel}/search",
	    "search_templates", tpl_search, &r_tpl },
};

const struct ml_sim_family ml_sim_family_templates = {
	"templates", ML_HOST_API, tpl_routes,
	sizeof(tpl_routes) / sizeof(tpl_routes[0]),
	tpl_limits, sizeof(tpl_limits) / sizeof(tpl_limits[0]),
	tpl_fault,
};
