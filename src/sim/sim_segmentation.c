/* SPDX-License-Identifier: MIT */
/*
 * sim_segmentation.c: Segments and Cohort Sync, written from
 * custom-segments.yaml and cohort-audience.yaml, on api-<dc> with the Data
 * key:
 *
 *   GET|POST   /v3/custom-segments        list (exact ?name=) / create
 *   GET|PATCH  /v3/custom-segments/{id}   get (file or filter) / update
 *   POST  /v2/custom-segments/file-segment                 create, 202
 *   PUT   /v2/custom-segments/file-segment/{add-users|remove-users|replace}
 *   PATCH /v2/custom-segments/{archive|unarchive}
 *   POST  /v1/integrations/cohortsync     add/remove members, 300/min
 *
 * v3 needs MOE-APPKEY or MOE-DBNAME and answers errors as {"response_id",
 * "type":"custom_segment","error":{"code","message"}}; v2 needs MOE-DBNAME
 * (the workspace's db_name from the workspaces file) and answers
 * {"title","description"}; cohort sync needs MOE-APPKEY and answers in the
 * Data API's envelope. Names are unique across segments (409), so are the
 * filters of filter segments; at most 1,000 segments are active. File
 * segments are not filled (the simulator fetches no file_url) and no
 * callback is made. Cohort members are kept only for users the Data API
 * holds, as cohort-audience.yaml says ("does not create new users").
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#define SEG_ACTIVE_MAX 1000
#define SEG_TYPE "custom_segment"

enum seg_v2_op { SEG_ADD = 0, SEG_REMOVE, SEG_REPLACE };

static const struct ml_sim_limit seg_limits[] = {
	{ "segments_create_per_min", 50 },
	{ "segments_create_per_hour", 200 },
	{ "segments_create_per_day", 1000 },
	{ "segments_list_per_min", 50 },
	{ "segments_list_per_hour", 200 },
	{ "segments_list_per_day", 1000 },
	{ "segments_get_per_min", 100 },
	{ "segments_get_per_hour", 1000 },
	{ "segments_get_per_day", 4000 },
	{ "file_segment_ops_per_hour", 10 },
	{ "file_segment_ops_per_day", 100 },
	{ "cohort_sync_per_min", 300 },
};

static const struct ml_sim_coll seg_coll = { "segments", NULL };
static const struct ml_sim_coll cohort_coll = { "cohorts", NULL };

/* ---- v3 answers ------------------------------------------------------- */

static json_object *
seg3_error(struct ml_sim_ctx *ctx, const char *code, const char *msg)
{
	return ml_sim_fam_put(ml_sim_fam_strs("response_id", ctx->request_id,
	    "type", SEG_TYPE, NULL), "error", ml_sim_fam_strs("code", code,
	    "message", msg, NULL));
}

static int
seg3_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg)
{
	return ml_sim_fam_send(ctx, status, seg3_error(ctx, code, msg));
}

static int
seg3_bad_format(struct ml_sim_ctx *ctx)
{
	return seg3_fail(ctx, 400, "Invalid request", "Invalid request format. "
	    "Please check the documentation to ensure that the request has "
	    "been formed correctly.");
}

static int
seg3_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	char msg[128];

	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
	case ML_SIM_REF_UNKNOWN_WS:
		return seg3_fail(ctx, 401, "Authentication required", "Invalid "
		    "APP_KEY used in Authentication Header");
	case ML_SIM_REF_BAD_KEY:
		return seg3_fail(ctx, 401, "Authentication required",
		    "APP_SECRET key mismatch. Please login to the dashboard to "
		    "verify key");
	case ML_SIM_REF_NO_APPKEY:
	case ML_SIM_REF_APPKEY:
		return seg3_fail(ctx, 400, "Request Error", "MoEngage Client "
		    "not found. Please check values for headers - MOE-APPKEY "
		    "or MOE-DBNAME");
	case ML_SIM_REF_STATE:		/* inferred */
		return seg3_fail(ctx, 403, "Forbidden operation", "Your account "
		    "is suspended. Please contact MoEngage team.");
	case ML_SIM_REF_TOO_BIG:
		return seg3_fail(ctx, 413, "Query length limit exceeded", "The "
		    "query is too large to execute. Please reduce the "
		    "filters.");
	case ML_SIM_REF_RATE:
		ml_sim_fam_limit_text(why, msg, sizeof(msg));
		return seg3_fail(ctx, 429, "Too Many Requests", msg);
	default:
		break;
	}
	return seg3_bad_format(ctx);
}

static const struct ml_sim_fam_spec seg3_spec = {
	ML_FAM_SEGMENTATION, seg3_refuse
};

/* ---- v2 answers ------------------------------------------------------- */

static int
seg2_fail(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    "description", desc, NULL));
}

static int
seg2_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	char msg[160];

	switch (why->ref) {
	case ML_SIM_REF_NO_APPKEY:	/* inferred wording */
		snprintf(msg, sizeof(msg), "Mandatory header missing in the "
		    "request: %s", why->header);
		return seg2_fail(ctx, 400, "Invalid Request", msg);
	case ML_SIM_REF_APPKEY:		/* inferred wording */
		return seg2_fail(ctx, 400, "Invalid Request", "MOE-DBNAME does "
		    "not match the workspace");
	case ML_SIM_REF_STATE:		/* inferred */
		return seg2_fail(ctx, 403, "Forbidden", "Your account is "
		    "suspended. Please contact MoEngage team.");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return seg2_fail(ctx, 413, "Payload Too Large", "The request "
		    "body is too large.");
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return seg2_fail(ctx, 400, "Invalid Request", "Invalid payload "
		    "format");
	case ML_SIM_REF_RATE:
		snprintf(msg, sizeof(msg), "File segment operations limit "
		    "breached. Allowed: %ld per %s", why->rate.limit,
		    why->lim != NULL && ml_sim_fam_window(why->lim) > 3600 ?
		    "day" : "hour");
		return seg2_fail(ctx, 429, "Too Many Requests", msg);
	default:
		break;
	}
	return seg2_fail(ctx, 401, "Authentication required", "Invalid "
	    "Workspace ID or API key used in the Authorization header");
}

static const struct ml_sim_fam_spec seg2_spec = {
	ML_FAM_SEGMENTATION, seg2_refuse
};

/* ---- the store -------------------------------------------------------- */

/*
 * Active (not archived) segments. Archived ones count too once the
 * collection reaches the simulator's cap, so memory stays bounded.
 */
static long
seg_active(json_object *coll)
{
	long n = 0;

	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return SEG_ACTIVE_MAX;

	json_object_object_foreach(coll, k, v) {
		(void)k;
		n += !ml_json_bool(v, "archived", 0);
	}
	return n;
}

static json_object *
seg_by_name(json_object *coll, const char *name, const char *except)
{
	return ml_sim_fam_find(coll, "name", name, except);
}

/* A new segment {id, name, kind, archived, created/updated times}. */
static json_object *
seg_new(const char *name, const char *kind, char *id)
{
	char now[ML_SIM_TIME_MAX];
	json_object *s;

	ml_sim_fam_hexid(id);
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	s = ml_sim_fam_strs("id", id, "name", name, "kind", kind,
	    "created_time", now, "updated_time", now, "type",
	    strcmp(kind, "filter") == 0 ? "ELASTIC_SEARCH" : "FILE",
	    "source", "API", NULL);
	return ml_sim_fam_put(s, "archived", json_object_new_boolean(0));
}

/* ---- v3: filter segments ---------------------------------------------- */

static int
seg3_group_ok(json_object *g, int depth)
{
	static const char *const ops[] = { "and", "or", NULL };
	static const char *const types[] = { "user_attributes", "actions",
	    "psychographic_event", "custom_segments", "nested_filters", NULL };
	json_object *filters, *f;
	size_t i, n;

	if (!json_object_is_type(g, json_type_object) || depth > 16 ||
	    !ml_sim_fam_in(ml_json_str(g, "filter_operator"), ops))
		return 0;
	filters = ml_json_get(g, "filters", json_type_array);
	if (filters == NULL)
		return 0;
	n = json_object_array_length(filters);
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(filters, i);
		if (!json_object_is_type(f, json_type_object) ||
		    !ml_sim_fam_in(ml_json_str(f, "filter_type"), types))
			return 0;
		if (strcmp(ml_json_str(f, "filter_type"), "nested_filters") ==
		    0 && !seg3_group_ok(f, depth + 1))
			return 0;
	}
	return 1;
}

static int
seg3_check(struct ml_sim_ctx *ctx, json_object *o, int create)
{
	json_object *ex;
	const char *name = ml_json_str(o, "name"), *p;
	int blank = 1;

	if (create || json_object_object_get_ex(o, "name", NULL)) {
		if (name == NULL)
			return seg3_bad_format(ctx);
		for (p = name; *p != '\0'; p++)
			blank &= *p == ' ' || *p == '\t' || *p == '\n';
		if (blank || strpbrk(name, "<>") != NULL)
			return seg3_fail(ctx, 400, "Invalid Request", "Invalid "
			    "request. Please ensure that the filters are "
			    "correct and the custom-segment name doesn't "
			    "contain HTML characters/only whitespaces.");
	}
	if (!seg3_group_ok(json_object_object_get(o, "included_filters"), 0))
		return seg3_bad_format(ctx);
	if (json_object_object_get_ex(o, "excluded_filters", &ex) &&
	    ex != NULL && !seg3_group_ok(ex, 0))
		return seg3_bad_format(ctx);
	return ML_OK;
}

/* {"data":{...},"response_id","type"} for a stored segment. */
static int
seg3_send_one(struct ml_sim_ctx *ctx, int status, json_object *s)
{
	static const char *const keys[] = { "name", "id", "created_time",
	    "updated_time", "type", "source", "description",
	    "included_filters", "excluded_filters", NULL };
	json_object *d = json_object_new_object(), *v;
	size_t i;

	for (i = 0; d != NULL && keys[i] != NULL; i++)
		if (json_object_object_get_ex(s, keys[i], &v))
			d = ml_sim_fam_put(d, keys[i], ml_sim_fam_copy(v));
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(ml_sim_fam_strs(
	    "response_id", ctx->request_id, "type", SEG_TYPE, NULL), "data",
	    d));
}

/* 409 when the name or the filters are taken by another segment. */
static int
seg3_conflict(struct ml_sim_ctx *ctx, json_object *coll, json_object *o,
    const char *self)
{
	json_object *inc = json_object_object_get(o, "included_filters");
	json_object *exc = json_object_object_get(o, "excluded_filters"), *e;
	const char *name = ml_json_str(o, "name");
	char msg[400];

	if (name != NULL && seg_by_name(coll, name, self) != NULL) {
		snprintf(msg, sizeof(msg), "Another custom-segment already "
		    "exists with the same name: %s. Please change the "
		    "custom-segment name.", name);
		return seg3_fail(ctx, 409, "Resource not created", msg);
	}
	json_object_object_foreach(coll, k, v) {
		if ((self != NULL && strcmp(k, self) == 0) ||
		    strcmp(ml_json_str(v, "kind"), "filter") != 0 ||
		    !json_object_equal(inc, json_object_object_get(v,
		    "included_filters")) || !json_object_equal(exc,
		    json_object_object_get(v, "excluded_filters")))
			continue;
		snprintf(msg, sizeof(msg), "Another custom-segment already "
		    "exists containing the given filters: %s. Please reuse the "
		    "same or update the filters", ml_json_str(v, "name"));
		e = seg3_error(ctx, "Resource not created", msg);
		e = ml_sim_fam_put(e, "error", ml_sim_fam_put(ml_sim_fam_copy(
		    json_object_object_get(e, "error")), "existing_cs_name",
		    json_object_new_string(ml_json_str(v, "name"))));
		if (e != NULL && ml_json_add_str(json_object_object_get(e,
		    "error"), "existing_cs_id", k)) {
			json_object_put(e);
			e = NULL;
		}
		return ml_sim_fam_send(ctx, 409, e);
	}
	return ML_OK;
}

static int
seg3_create_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = arg, *s, *e;
	char id[ML_SIM_HEXID_LEN + 1];
	long active;
	int rc;

	rc = seg3_conflict(ctx, coll, body, NULL);
	if (rc)
		return rc;
	active = seg_active(coll);
	if (active >= SEG_ACTIVE_MAX) {
		e = seg3_error(ctx, "Too Many Requests", "Total active segments "
		    "limit breached. Request rejected!");
		if (e != NULL && (ml_json_add_int(json_object_object_get(e,
		    "error"), "actual_count", active + 1) ||
		    ml_json_add_int(json_object_object_get(e, "error"),
		    "limit", SEG_ACTIVE_MAX))) {
			json_object_put(e);
			e = NULL;
		}
		return ml_sim_fam_send(ctx, 429, e);
	}
	s = seg_new(ml_json_str(body, "name"), "filter", id);
	s = ml_sim_fam_put(s, "included_filters", ml_sim_fam_copy(
	    json_object_object_get(body, "included_filters")));
	if (s != NULL && json_object_object_get(body, "excluded_filters"))
		s = ml_sim_fam_put(s, "excluded_filters", ml_sim_fam_copy(
		    json_object_object_get(body, "excluded_filters")));
	if (s == NULL || json_object_object_add(coll, id, s)) {
		json_object_put(s);
		return ML_ENOMEM;
	}
	return seg3_send_one(ctx, 201, s);
}

static int
seg3_check_create(struct ml_sim_ctx *ctx, json_object *body)
{
	return seg3_check(ctx, body, 1);
}

static int
seg3_create(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, seg3_check_create, &seg_coll,
	    seg3_create_fn);
}

struct seg_find {
	const char *id;		/* get/update: the path id */
	json_object *body;	/* update */
};

/* GET /v3/custom-segments[?name=]: every segment, or the one named. */
static int
seg3_list_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	static const char *const keys[] = { "name", "id", "created_time",
	    "type", "source", NULL };
	const char *name = ml_sim_query(ctx, "name");
	json_object *data = json_object_new_array(), *one, *v;
	size_t i;

	(void)arg;
	json_object_object_foreach(coll, k, s) {
		(void)k;
		if (name != NULL && strcmp(name, ml_json_str(s, "name")) != 0)
			continue;
		one = json_object_new_object();
		for (i = 0; one != NULL && keys[i] != NULL; i++)
			if (json_object_object_get_ex(s, keys[i], &v))
				one = ml_sim_fam_put(one, keys[i],
				    ml_sim_fam_copy(v));
		data = ml_sim_fam_push(data, one);
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(ml_sim_fam_strs(
	    "response_id", ctx->request_id, "type", SEG_TYPE, NULL), "data",
	    data));
}

static int
seg3_list(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, NULL, &seg_coll, seg3_list_fn);
}

/* The segment of the path id, or the documented 404. */
static int
seg3_lookup(struct ml_sim_ctx *ctx, json_object *coll, const char *id,
    json_object **s)
{
	char msg[200];

	if (json_object_object_get_ex(coll, id, s))
		return ML_OK;
	snprintf(msg, sizeof(msg), "Custom segment not found with the given "
	    "id: %s", id);
	return seg3_fail(ctx, 404, "Entity Not Found", msg);
}

static int
seg3_get_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	const struct seg_find *f = arg;
	json_object *s;
	int rc;

	rc = seg3_lookup(ctx, coll, f->id, &s);
	return rc ? rc : seg3_send_one(ctx, 200, s);
}

static int
seg3_update_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	const struct seg_find *f = arg;
	json_object *s, *v;
	char now[ML_SIM_TIME_MAX];
	int rc;

	rc = seg3_lookup(ctx, coll, f->id, &s);
	if (rc)
		return rc;
	if (strcmp(ml_json_str(s, "kind"), "filter") != 0 ||
	    ml_json_bool(s, "archived", 0))
		return seg3_fail(ctx, 403, "Forbidden operation", "Update isn't "
		    "supported for file-segments, internally created "
		    "custom-segments, custom-segments imported from Analyze "
		    "and archived custom-segments.");
	rc = seg3_conflict(ctx, coll, f->body, f->id);
	if (rc)
		return rc;
	if (json_object_object_get_ex(f->body, "name", &v) &&
	    ml_sim_fam_put(s, "name", ml_sim_fam_copy(v)) == NULL)
		return ML_ENOMEM;
	if (ml_sim_fam_put(s, "included_filters", ml_sim_fam_copy(
	    json_object_object_get(f->body, "included_filters"))) == NULL)
		return ML_ENOMEM;
	json_object_object_del(s, "excluded_filters");
	if (json_object_object_get(f->body, "excluded_filters") != NULL &&
	    ml_sim_fam_put(s, "excluded_filters", ml_sim_fam_copy(
	    json_object_object_get(f->body, "excluded_filters"))) == NULL)
		return ML_ENOMEM;
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	if (ml_json_add_str(s, "updated_time", now))
		return ML_ENOMEM;
	return seg3_send_one(ctx, 200, s);
}

/* GET and PATCH /v3/custom-segments/{id}. */
static int
seg3_by_id(struct ml_sim_ctx *ctx, int update)
{
	struct seg_find f = { ctx->param[0], NULL };
	int rc;

	rc = ml_sim_fam_begin(ctx, &f.body);
	if (rc == ML_OK && !ml_sim_fam_is_hexid(f.id))
		rc = seg3_fail(ctx, 400, "Invalid request", "Invalid bson "
		    "object-id passed in the request");
	if (rc == ML_OK && update)
		rc = seg3_check(ctx, f.body, 0);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &seg_coll, update ? seg3_update_fn :
		    seg3_get_fn, &f);
	json_object_put(f.body);
	return ml_sim_fam_end(ctx, rc);
}

static int
seg3_get(struct ml_sim_ctx *ctx)
{
	return seg3_by_id(ctx, 0);
}

static int
seg3_update(struct ml_sim_ctx *ctx)
{
	return seg3_by_id(ctx, 1);
}

/* ---- v2: file segments and archiving ---------------------------------- */

/* "Mandatory field missing in the request: <f>" */
static int
seg2_missing(struct ml_sim_ctx *ctx, const char *field)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "Mandatory field missing in the request: "
	    "%s", field);
	return seg2_fail(ctx, 400, "Invalid Request", msg);
}

static int
seg2_invalid(struct ml_sim_ctx *ctx, const char *field)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "Invalid value for the field: %s", field);
	return seg2_fail(ctx, 400, "Invalid Request", msg);
}

static int
seg2_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "http://", 7) == 0) && strlen(s) > 8;
}

static int
seg2_check(struct ml_sim_ctx *ctx, json_object *o, int create)
{
	static const char *const need[] = { "name", "attribute_name",
	    "attribute_type", "file_url", NULL };
	static const char *const types[] = { "string", "double", NULL };
	json_object *emails, *v;
	size_t i, n;

	for (i = 0; need[i] != NULL; i++)
		if (ml_sim_fam_str(o, need[i]) == NULL)
			return seg2_missing(ctx, need[i]);
	if (create && !json_object_object_get_ex(o, "expiry_time", &v))
		return seg2_missing(ctx, "expiry_time");
	if (create && (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1))
		return seg2_invalid(ctx, "expiry_time");
	if (!ml_sim_fam_in(ml_json_str(o, "attribute_type"), types))
		return seg2_invalid(ctx, "attribute_type");
	if (!seg2_is_url(ml_json_str(o, "file_url")))
		return seg2_invalid(ctx, "file_url");
	if (json_object_object_get_ex(o, "callback_url", NULL) &&
	    !seg2_is_url(ml_json_str(o, "callback_url")))
		return seg2_invalid(ctx, "callback_url");
	if (!json_object_object_get_ex(o, "emails", &emails))
		return ML_OK;
	if (!json_object_is_type(emails, json_type_array))
		return seg2_invalid(ctx, "emails");
	n = json_object_array_length(emails);
	for (i = 0; i < n; i++)
		if (!ml_sim_fam_is_email(json_object_get_string(
		    json_object_array_get_idx(emails, i))))
			return seg2_invalid(ctx, "emails");
	return ML_OK;
}

/* 202 {"message","success":true,"cs_name"[,"cs_id"]} */
static int
seg2_accepted(struct ml_sim_ctx *ctx, int status, const char *msg,
    json_object *s, int with_id)
{
	json_object *o = ml_sim_fam_strs("message", msg, NULL);

	o = ml_sim_fam_put(o, "success", json_object_new_boolean(1));
	if (o != NULL && (ml_json_add_str(o, "cs_name", ml_json_str(s,
	    "name")) || (with_id && ml_json_add_str(o, "cs_id",
	    ml_json_str(s, "id"))))) {
		json_object_put(o);
		o = NULL;
	}
	return ml_sim_fam_send(ctx, status, o);
}

static int
seg2_create_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	static const char *const keep[] = { "attribute_name",
	    "attribute_type", "file_url", "callback_url", "emails",
	    "expiry_time", NULL };
	json_object *body = arg, *s, *v;
	const char *name = ml_json_str(body, "name");
	char id[ML_SIM_HEXID_LEN + 1], msg[300];
	size_t i;

	if (seg_by_name(coll, name, NULL) != NULL) {
		snprintf(msg, sizeof(msg), "Name already exists : %s", name);
		return seg2_fail(ctx, 409, "Resource not created", msg);
	}
	if (seg_active(coll) >= SEG_ACTIVE_MAX)
		return seg2_fail(ctx, 429, "Too Many Requests", "Total active "
		    "segments limit breached. Request rejected!");
	s = seg_new(name, "file", id);
	for (i = 0; s != NULL && keep[i] != NULL; i++)
		if (json_object_object_get_ex(body, keep[i], &v))
			s = ml_sim_fam_put(s, keep[i], ml_sim_fam_copy(v));
	if (s == NULL || json_object_object_add(coll, id, s)) {
		json_object_put(s);
		return ML_ENOMEM;
	}
	return seg2_accepted(ctx, 202, "File-segment creation request "
	    "accepted", s, 1);
}

/* The segment a v2 body names: cs_id first, then name. */
static int
seg2_target(struct ml_sim_ctx *ctx, json_object *coll, json_object *body,
    int file_only, json_object **s)
{
	const char *id = ml_sim_fam_str(body, "cs_id");
	const char *name = ml_json_str(body, "name");
	char msg[ML_SIM_PARAM_MAX + 64];

	*s = NULL;
	if (id != NULL)
		json_object_object_get_ex(coll, id, s);
	else
		*s = seg_by_name(coll, name, NULL);
	if (*s != NULL && (!file_only || strcmp(ml_json_str(*s, "kind"),
	    "file") == 0))
		return ML_OK;
	/* Documented for a name; the cs_id wording is inferred. */
	snprintf(msg, sizeof(msg), "Segment not found with the given %s: %.*s",
	    id != NULL ? "cs_id" : "name", ML_SIM_PARAM_MAX,
	    id != NULL ? id : name != NULL ? name : "");
	return seg2_fail(ctx, 404, "Entity Not Found", msg);
}

struct seg2_users {
	json_object *body;
	enum seg_v2_op op;
};

static int
seg2_users_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	static const char *const msgs[] = {
		"File-segment user-add request accepted",
		"File-segment user-remove request accepted",
		"File-segment user-replace request accepted",
	};
	struct seg2_users *u = arg;
	char now[ML_SIM_TIME_MAX];
	json_object *s;
	int rc;

	rc = seg2_target(ctx, coll, u->body, 1, &s);
	if (rc)
		return rc;
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	if (ml_json_add_str(s, "updated_time", now) ||
	    ml_json_add_str(s, "file_url", ml_json_str(u->body, "file_url")))
		return ML_ENOMEM;
	return seg2_accepted(ctx, 202, msgs[u->op], s, 1);
}

static int
seg2_file(struct ml_sim_ctx *ctx, int create, enum seg_v2_op op)
{
	struct seg2_users u = { NULL, op };
	int rc;

	rc = ml_sim_fam_begin(ctx, &u.body);
	if (rc == ML_OK)
		rc = seg2_check(ctx, u.body, create);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = create ? ml_sim_store_run(ctx, &seg_coll, seg2_create_fn,
		    u.body) : ml_sim_store_run(ctx, &seg_coll, seg2_users_fn,
		    &u);
	json_object_put(u.body);
	return ml_sim_fam_end(ctx, rc);
}

static int
seg2_create(struct ml_sim_ctx *ctx)
{
	return seg2_file(ctx, 1, SEG_ADD);
}

static int
seg2_add(struct ml_sim_ctx *ctx)
{
	return seg2_file(ctx, 0, SEG_ADD);
}

static int
seg2_remove(struct ml_sim_ctx *ctx)
{
	return seg2_file(ctx, 0, SEG_REMOVE);
}

static int
seg2_replace(struct ml_sim_ctx *ctx)
{
	return seg2_file(ctx, 0, SEG_REPLACE);
}

static int
seg2_archive_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = ((json_object **)arg)[0], *s;
	int archive = ((json_object **)arg)[1] != NULL;
	char now[ML_SIM_TIME_MAX];
	int rc;

	rc = seg2_target(ctx, coll, body, 0, &s);
	if (rc)
		return rc;
	if (!archive && ml_json_bool(s, "archived", 0) &&
	    seg_active(coll) >= SEG_ACTIVE_MAX)
		return seg2_fail(ctx, 429, "Too Many Requests", "Total active "
		    "segments limit breached. Request rejected!");
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	if (ml_sim_json_add(s, "archived", json_object_new_boolean(archive)) ||
	    ml_json_add_str(s, "updated_time", now))
		return ML_ENOMEM;
	return seg2_accepted(ctx, 200, archive ? "Successfully archived the "
	    "custom segment" : "Successfully unarchived the custom segment", s,
	    0);
}

static int
seg2_archiving(struct ml_sim_ctx *ctx, int archive)
{
	json_object *args[2] = { NULL, NULL };
	int rc;

	rc = ml_sim_fam_begin(ctx, &args[0]);
	if (rc == ML_OK && ml_sim_fam_str(args[0], "name") == NULL)
		rc = seg2_missing(ctx, "name");
	args[1] = archive ? args[0] : NULL;
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &seg_coll, seg2_archive_fn, args);
	json_object_put(args[0]);
	return ml_sim_fam_end(ctx, rc);
}

static int
seg2_archive(struct ml_sim_ctx *ctx)
{
	return seg2_archiving(ctx, 1);
}

static int
seg2_unarchive(struct ml_sim_ctx *ctx)
{
	return seg2_archiving(ctx, 0);
}

/* ---- cohort sync: the Data API's envelope ------------------------------ */

static int
coh_fail(struct ml_sim_ctx *ctx, int status, const char *attr,
    const char *msg, const char *type)
{
	json_object *e = ml_sim_fam_strs("attribute", attr, "message", msg,
	    "type", type, "request_id", ctx->request_id, NULL);

	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(ml_sim_fam_strs(
	    "status", "fail", NULL), "error", e));
}

static int
coh_missing(struct ml_sim_ctx *ctx, const char *attr)
{
	char msg[120];

	snprintf(msg, sizeof(msg), "%s is not found in the payload", attr);
	return coh_fail(ctx, 400, attr, msg, "MissingAttributeError");
}

static int
coh_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	static const char *const auth = "Authentication required";

	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
		return coh_fail(ctx, 401, NULL, why->basic ==
		    ML_SIM_BASIC_NO_HEADER ? "Authentication Header Required" :
		    why->basic == ML_SIM_BASIC_EMPTY ? "No identity "
		    "information found" : "Invalid identity information found",
		    auth);
	case ML_SIM_REF_UNKNOWN_WS:
		return coh_fail(ctx, 401, NULL, "Invalid APP_ID used in "
		    "Authentication Header", auth);
	case ML_SIM_REF_BAD_KEY:
		return coh_fail(ctx, 401, NULL, "App Secret key mismatch. "
		    "Please login to the dashboard to verify key", auth);
	case ML_SIM_REF_NO_APPKEY:	/* "APP KEY ... missing": a 400 */
		return coh_fail(ctx, 400, "MOE-APPKEY", "MOE-APPKEY is not "
		    "found in the header", "MissingAttributeError");
	case ML_SIM_REF_APPKEY:
		return coh_fail(ctx, 401, NULL, "App key mismatch in params and "
		    "authentication", "Authentication Mismatch");
	case ML_SIM_REF_STATE:
		return coh_fail(ctx, 403, NULL, ctx->ws->state ==
		    ML_SIM_WS_TEMP_SUSPENDED ? "Your account is temporarily "
		    "suspended. Please contact MoEngage team." : "Your account "
		    "is suspended. Please contact MoEngage team.",
		    ctx->ws->state == ML_SIM_WS_BLOCKED ? "BlockedClient" :
		    ctx->ws->state == ML_SIM_WS_SUSPENDED ? "Account Suspended" :
		    "Account Temporarily Suspended");
	case ML_SIM_REF_TOO_BIG:
		return coh_fail(ctx, 413, NULL, "Payload can not exceed 128KB",
		    "Payload too large");
	case ML_SIM_REF_MEDIA:
		return coh_fail(ctx, 415, NULL, "Content type is not supported",
		    "Unsupported media type");
	case ML_SIM_REF_NO_BODY:
		return coh_missing(ctx, "data");
	case ML_SIM_REF_MALFORMED:
		return coh_fail(ctx, 400, NULL, "Could not decode the request "
		    "body. The JSON was incorrect or not encoded as UTF-8.",
		    "Malformed JSON");
	case ML_SIM_REF_RATE:
		return coh_fail(ctx, 429, NULL, "Rate limits for customers "
		    "exceeded. Please Try After Some Time",
		    "Rate Limits Exceeded");
	}
	return ML_EINTERNAL;
}

static const struct ml_sim_fam_spec coh_spec = {
	ML_FAM_SEGMENTATION, coh_refuse
};

static int
coh_check(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const actions[] = { "add_members",
	    "remove_members", NULL };
	json_object *p, *members, *m;
	const char *name;
	size_t i, n;

	if (!json_object_object_get_ex(o, "action", NULL))
		return coh_missing(ctx, "action");
	if (!ml_sim_fam_in(ml_json_str(o, "action"), actions))
		return coh_fail(ctx, 400, "action", "action can only be in "
		    "['add_members', 'remove_members']", "ValueError");
	if (ml_sim_fam_str(o, "partner") == NULL)
		return coh_missing(ctx, "partner");
	p = ml_json_get(o, "parameters", json_type_object);
	if (p == NULL)
		return coh_missing(ctx, "parameters");
	name = ml_sim_fam_str(p, "cohort_name");
	if (name == NULL)
		return coh_missing(ctx, "cohort_name");
	/* cohort-audience.yaml's restricted characters. */
	if (name[0] == '.' || strpbrk(name, "|*?\\:<>\"/") != NULL)
		return coh_fail(ctx, 400, "cohort_name", "cohort_name contains "
		    "restricted characters", "ValueError");
	if (ml_sim_fam_str(p, "cohort_id") == NULL)
		return coh_missing(ctx, "cohort_id");
	members = ml_json_get(p, "members", json_type_array);
	if (members == NULL)
		return coh_missing(ctx, "members");
	n = json_object_array_length(members);
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(members, i);
		if (ml_sim_fam_str(m, "uid") == NULL)
			return coh_missing(ctx, "uid");
	}
	return ML_OK;
}

struct coh_sync {
	json_object *body;
	json_object *known;	/* uid -> null, the users the store holds */
};

static int
coh_sync_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct coh_sync *c = arg;
	json_object *p = ml_json_get(c->body, "parameters", json_type_object);
	const char *id = ml_json_str(p, "cohort_id");
	int add = strcmp(ml_json_str(c->body, "action"), "add_members") == 0;
	json_object *cohort, *members;

	if (!json_object_object_get_ex(coll, id, &cohort)) {
		if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
			return coh_fail(ctx, 429, NULL, "Rate limits for "
			    "customers exceeded. Please Try After Some Time",
			    "Rate Limits Exceeded");
		cohort = ml_sim_fam_put(ml_sim_fam_strs("cohort_id", id, NULL),
		    "members", json_object_new_object());
		if (cohort == NULL || json_object_object_add(coll, id,
		    cohort)) {
			json_object_put(cohort);
			return ML_ENOMEM;
		}
	}
	if (ml_json_add_str(cohort, "cohort_name", ml_json_str(p,
	    "cohort_name")) || ml_json_add_str(cohort, "partner",
	    ml_json_str(c->body, "partner")))
		return ML_ENOMEM;
	members = ml_json_get(cohort, "members", json_type_object);
	json_object_object_foreach(c->known, uid, v) {
		(void)v;
		if (!add)
			json_object_object_del(members, uid);
		else if (json_object_object_add(members, uid, NULL))
			return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("status", "success",
	    "message", "Your request has been accepted and will be processed "
	    "soon.", NULL));
}

/* The members' uids that are users of the Data store (outside its lock). */
static int
coh_known(struct ml_sim_ctx *ctx, json_object *body, json_object *known)
{
	json_object *members = ml_json_get(ml_json_get(body, "parameters",
	    json_type_object), "members", json_type_array), *u;
	const char *uid;
	size_t i, n = json_object_array_length(members);
	int rc;

	for (i = 0; i < n; i++) {
		uid = ml_json_str(json_object_array_get_idx(members, i), "uid");
		rc = ml_sim_state_user(ctx->sim->state, (size_t)ctx->ws_idx,
		    uid, &u);
		if (rc == ML_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		json_object_put(u);
		if (json_object_object_add(known, uid, NULL))
			return ML_ENOMEM;
	}
	return ML_OK;
}

static int
coh_sync(struct ml_sim_ctx *ctx)
{
	struct coh_sync c = { NULL, json_object_new_object() };
	int rc;

	if (c.known == NULL)
		return ML_ENOMEM;
	rc = ml_sim_fam_begin(ctx, &c.body);
	if (rc == ML_OK)
		rc = coh_check(ctx, c.body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = coh_known(ctx, c.body, c.known);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &cohort_coll, coh_sync_fn, &c);
	json_object_put(c.known);
	json_object_put(c.body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- faults and the family ------------------------------------------- */

static int
seg_other(struct ml_sim_ctx *ctx, int status)
{
	const struct ml_sim_fam_spec *spec = ml_sim_fam_route(ctx)->spec;
	const char *why = MHD_get_reason_phrase_for((unsigned)status);

	if (spec == &coh_spec)
		return coh_fail(ctx, status, NULL, status >= 500 ? "An "
		    "unexpected error was encountered while processing this "
		    "request. Please contact MoEngage Team" : why,
		    status >= 500 ? "Server Error" : why);
	if (spec == &seg2_spec)
		return seg2_fail(ctx, status, status == 404 ? "Entity Not Found" :
		    status == 409 ? "Resource not created" : status >= 500 ?
		    "Internal Server Error" : why, NULL);
	if (status == 404)
		return seg3_fail(ctx, 404, "Entity Not Found", "Custom segment "
		    "not found with the given id");
	if (status >= 500)
		return seg3_fail(ctx, status, "Internal Server Error", "An "
		    "unexpected error was encountered while processing this "
		    "request. Please contact MoEngage Team");
	return seg3_fail(ctx, status, why, why);
}

static int
seg_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, seg_other);
}

#define V3 (ML_SIM_F_APPKEY_OR_DB)
#define V2 (ML_SIM_F_DBNAME | ML_SIM_F_BODY)

static const struct ml_sim_fam_route r_v3_list = {
	&seg3_spec, V3, { &seg_limits[3], &seg_limits[4], &seg_limits[5],
	    NULL }, NULL
};
static const struct ml_sim_fam_route r_v3_create = {
	&seg3_spec, V3 | ML_SIM_F_BODY, { &seg_limits[0], &seg_limits[1],
	    &seg_limits[2], NULL }, NULL
};
static const struct ml_sim_fam_route r_v3_get = {
	&seg3_spec, V3, { &seg_limits[6], &seg_limits[7], &seg_limits[8],
	    NULL }, NULL
};
static const struct ml_sim_fam_route r_v3_update = {
	&seg3_spec, V3 | ML_SIM_F_BODY, { NULL }, NULL
};
static const struct ml_sim_fam_route r_v2_ops = {
	&seg2_spec, V2, { &seg_limits[9], &seg_limits[10], NULL }, NULL
};
/* Replace and (un)archive are not among the counted operations. */
static const struct ml_sim_fam_route r_v2_other = {
	&seg2_spec, V2, { NULL }, NULL
};
static const struct ml_sim_fam_route r_cohort = {
	&coh_spec, ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY,
	{ &seg_limits[11], NULL }, NULL
};

static const struct ml_sim_route seg_routes[] = {
	{ "GET", "/v3/custom-segments", "list_segments", seg3_list,
	    &r_v3_list },
	{ "POST", "/v3/custom-segments", "create_filter_segment", seg3_create,
	    &r_v3_create },
	{ "GET", "/v3/custom-segments/{id}", "get_segment", seg3_get,
	    &r_v3_get },
	{ "PATCH", "/v3/custom-segments/{id}", "update_filter_segment",
	    seg3_update, &r_v3_update },
	{ "POST", "/v2/custom-segments/file-segment", "create_file_segment",
	    seg2_create, &r_v2_ops },
	{ "PUT", "/v2/custom-segments/file-segment/add-users",
	    "add_file_segment_users", seg2_add, &r_v2_ops },
	{ "PUT", "/v2/custom-segments/file-segment/remove-users",
	    "remove_file_segment_users", seg2_remove, &r_v2_ops },
	{ "PUT", "/v2/custom-segments/file-segment/replace",
	    "replace_file_segment_users", seg2_replace, &r_v2_other },
	{ "PATCH", "/v2/custom-segments/archive", "archive_segment",
	    seg2_archive, &r_v2_other },
	{ "PATCH", "/v2/custom-segments/unarchive", "unarchive_segment",
	    seg2_unarchive, &r_v2_other },
	{ "POST", "/v1/integrations/cohortsync", "cohort_sync", coh_sync,
	    &r_cohort },
};

const struct ml_sim_family ml_sim_family_segmentation = {
	"segmentation", ML_HOST_API, seg_routes,
	sizeof(seg_routes) / sizeof(seg_routes[0]),
	seg_limits, sizeof(seg_limits) / sizeof(seg_limits[0]),
	seg_fault,
};
