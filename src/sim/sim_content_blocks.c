/* SPDX-License-Identifier: MIT */
/*
 * sim_content_blocks.c: Content Blocks, written from content-blocks.yaml,
 * on api-<dc> under /v1/external/campaigns, general key, MOE-APPKEY
 * required:
 *
 *   POST /content-blocks             create; 200 with an empty body, 409 if
 *                                    the label is taken
 *   PUT  /content-blocks             update by id (content_type is fixed)
 *   POST /content-blocks/get-by-ids  {"data":[...]} in the order asked
 *   POST /content-blocks/search      filters; empty filters return all
 *
 * Create and update answer errors as {"error","message","details"}, the two
 * reads as {"title","description","code"} (the 400 examples of each).
 * MoEngage documents no rate limit and no 401 body here; the 401 is
 * inferred in each route's shape. The simulator does not personalize:
 * "content" is the raw content.
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#define CB_WRITE 1	/* route extra: create/update error shape */

static const struct ml_sim_coll cb_coll = { "content_blocks", NULL };
static const int cb_write = CB_WRITE;

/* ---- answers --------------------------------------------------------- */

static int
cb_is_write(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_route(ctx)->extra == &cb_write;
}

/* The route's error shape, with ctx's request id as the code. */
static int
cb_fail(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc)
{
	if (cb_is_write(ctx))
		return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("error",
		    title, "message", desc, "details", ctx->request_id,
		    NULL));
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    "description", desc, "code", ctx->request_id, NULL));
}

/* "<f> - Some of the field values are invalid: <f> : <v>" */
static int
cb_invalid(struct ml_sim_ctx *ctx, const char *field, const char *value)
{
	char desc[400];

	snprintf(desc, sizeof(desc), "%s - Some of the field values are "
	    "invalid: %s : %s", field, field, value != NULL ? value : "None");
	return cb_fail(ctx, 400, "Invalid Field Value", desc);
}

static int
cb_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_NO_APPKEY:	/* the documented 400 example */
		return cb_invalid(ctx, "app_key", NULL);
	case ML_SIM_REF_STATE:		/* inferred */
		return cb_fail(ctx, 403, "Forbidden Request", "Your account is "
		    "suspended. Please contact MoEngage team.");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return cb_fail(ctx, 413, "Payload Too Large", "The request "
		    "body is too large.");
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return cb_fail(ctx, 400, "Malformed JSON", "Could not decode "
		    "the request body. The JSON was incorrect or not encoded "
		    "as UTF-8.");
	default:
		break;
	}
	return cb_fail(ctx, 401, "Authentication required", "Invalid identity "
	    "information found.");	/* inferred: none documented */
}

static const struct ml_sim_fam_spec cb_spec = {
	ML_FAM_CONTENT_BLOCKS, cb_refuse
};

/* ---- validation ------------------------------------------------------- */

static int
cb_need_strs(struct ml_sim_ctx *ctx, json_object *o,
    const char *const *fields)
{
	size_t i;

	for (i = 0; fields[i] != NULL; i++)
		if (ml_sim_fam_str(o, fields[i]) == NULL)
			return cb_invalid(ctx, fields[i], NULL);
	return ML_OK;
}

/* Optional members: enums, e-mail and lists of strings. */
static int
cb_check_common(struct ml_sim_ctx *ctx, json_object *o, const char *by)
{
	static const char *const types[] = { "HTML", "TEXT", NULL };
	static const char *const statuses[] = { "ACTIVE", "DRAFT", NULL };
	static const char *const sources[] = { "CAMPAIGNS", "INFORM", NULL };
	static const char *const lists[] = { "tag_ids", "team_ids",
	    "content_block_used", NULL };
	json_object *v;
	size_t i, j, n;

	if (json_object_object_get_ex(o, "content_type", NULL) &&
	    !ml_sim_fam_in(ml_json_str(o, "content_type"), types))
		return cb_invalid(ctx, "content_type",
		    ml_json_str(o, "content_type"));
	if (json_object_object_get_ex(o, "status", NULL) &&
	    !ml_sim_fam_in(ml_json_str(o, "status"), statuses))
		return cb_invalid(ctx, "status", ml_json_str(o, "status"));
	if (json_object_object_get_ex(o, "source", NULL) &&
	    !ml_sim_fam_in(ml_json_str(o, "source"), sources))
		return cb_invalid(ctx, "source", ml_json_str(o, "source"));
	if (!ml_sim_fam_is_email(ml_json_str(o, by)))
		return cb_invalid(ctx, by, ml_json_str(o, by));
	for (i = 0; lists[i] != NULL; i++) {
		if (!json_object_object_get_ex(o, lists[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_array))
			return cb_invalid(ctx, lists[i],
			    json_object_get_string(v));
		n = json_object_array_length(v);
		for (j = 0; j < n; j++)
			if (!json_object_is_type(json_object_array_get_idx(v,
			    j), json_type_string))
				return cb_invalid(ctx, lists[i],
				    json_object_get_string(v));
	}
	/* "ContentApi.* Jinja calls are not supported in raw_content." */
	if (strstr(ml_json_str(o, "raw_content"), "ContentApi.") != NULL)
		return cb_invalid(ctx, "raw_content", "ContentApi.* calls are "
		    "not supported");
	return ML_OK;
}

static json_object *
cb_find_label(json_object *coll, const char *label, const char *except)
{
	return ml_sim_fam_find(coll, "label", label, except);
}

static int
cb_label_taken(struct ml_sim_ctx *ctx, const char *label)
{
	char msg[400];

	snprintf(msg, sizeof(msg), "label - A content block with this label "
	    "already exists in the workspace: label : %s", label);
	return cb_fail(ctx, 409, "Duplicate Label", msg);
}

/* Copy the members a caller may set from body into block. */
static int
cb_apply(json_object *block, json_object *body, const char *by_key)
{
	static const char *const keys[] = { "name", "label", "raw_content",
	    "content_type", "status", "description", "tag_ids", "team_ids",
	    "content_block_used", "images_used", "source", "content_json",
	    NULL };
	char now[ML_SIM_TIME_MAX];
	json_object *v;
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (json_object_object_get_ex(body, keys[i], &v) &&
		    ml_sim_fam_put(block, keys[i], ml_sim_fam_copy(v)) == NULL)
			return ML_ENOMEM;
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	if (ml_json_add_str(block, "content", ml_json_str(block,
	    "raw_content")) || ml_json_add_str(block, "updated_by",
	    ml_json_str(body, by_key)) ||
	    ml_json_add_str(block, "updated_at", now))
		return ML_ENOMEM;
	return ML_OK;
}

/* ---- create and update ------------------------------------------------ */

static int
cb_create_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = arg, *b;
	char id[ML_SIM_HEXID_LEN + 1], now[ML_SIM_TIME_MAX];

	if (cb_find_label(coll, ml_json_str(body, "label"), NULL) != NULL)
		return cb_label_taken(ctx, ml_json_str(body, "label"));
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return cb_fail(ctx, 400, "Limit Exceeded", "The workspace holds "
		    "the most content blocks the simulator keeps.");
	ml_sim_fam_hexid(id);
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MICRO, 0);
	b = ml_sim_fam_strs("id", id, "status", "ACTIVE", "source",
	    "CAMPAIGNS", "created_by", ml_json_str(body, "created_by"),
	    "created_at", now, NULL);
	b = ml_sim_fam_put(b, "tag_ids", json_object_new_array());
	b = ml_sim_fam_put(b, "team_ids", json_object_new_array());
	b = ml_sim_fam_put(b, "images_used", json_object_new_array());
	if (b == NULL || cb_apply(b, body, "created_by") ||
	    json_object_object_add(coll, id, b)) {
		json_object_put(b);
		return ML_ENOMEM;
	}
	/* "Success. The response body is empty." */
	return ml_sim_fam_send_empty(ctx, 200);
}

static int
cb_update_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = arg, *b;
	const char *id = ml_json_str(body, "id"), *ct, *label;

	if (!json_object_object_get_ex(coll, id, &b))
		return cb_invalid(ctx, "id", id);
	ct = ml_json_str(body, "content_type");
	if (ct != NULL && strcmp(ct, ml_json_str(b, "content_type")) != 0)
		return cb_fail(ctx, 400, "Invalid Field Value", "Changing "
		    "content type is not supported in update api");
	label = ml_json_str(body, "label");
	if (label != NULL && cb_find_label(coll, label, id) != NULL)
		return cb_label_taken(ctx, label);
	if (cb_apply(b, body, "updated_by"))
		return ML_ENOMEM;
	return ml_sim_fam_send_empty(ctx, 200);
}

static int
cb_check_create(struct ml_sim_ctx *ctx, json_object *body)
{
	static const char *const need[] = { "name", "label", "raw_content",
	    "content_type", "created_by", NULL };
	int rc = cb_need_strs(ctx, body, need);

	return rc ? rc : cb_check_common(ctx, body, "created_by");
}

static int
cb_check_update(struct ml_sim_ctx *ctx, json_object *body)
{
	static const char *const need[] = { "id", "name", "status",
	    "raw_content", "updated_by", NULL };
	int rc = cb_need_strs(ctx, body, need);

	return rc ? rc : cb_check_common(ctx, body, "updated_by");
}

static int
cb_create(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, cb_check_create, &cb_coll, cb_create_fn);
}

static int
cb_update(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, cb_check_update, &cb_coll, cb_update_fn);
}

/* ---- reads ------------------------------------------------------------ */

/* The listed members of a stored block, in the documented order. */
static json_object *
cb_view(json_object *b, const char *const *keys)
{
	json_object *o = json_object_new_object(), *v;
	size_t i;

	for (i = 0; o != NULL && keys[i] != NULL; i++)
		if (json_object_object_get_ex(b, keys[i], &v))
			o = ml_sim_fam_put(o, keys[i], ml_sim_fam_copy(v));
	return o;
}

static int
cb_get_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	static const char *const keys[] = { "id", "name", "description",
	    "label", "content_type", "content", "raw_content", "created_by",
	    "status", "created_at", "updated_by", "updated_at", "tag_ids",
	    "team_ids", "images_used", NULL };
	json_object *body = arg, *data = json_object_new_array(), *b, *one;
	json_object *ids = ml_json_get(body, "ids", json_type_array);
	int raw = ml_json_bool(body, "is_raw_content_required", 0);
	size_t i, n = json_object_array_length(ids);

	for (i = 0; data != NULL && i < n; i++) {
		if (!json_object_object_get_ex(coll, json_object_get_string(
		    json_object_array_get_idx(ids, i)), &b))
			continue;
		one = cb_view(b, keys);
		if (one != NULL && !raw)
			json_object_object_del(one, "raw_content");
		data = ml_sim_fam_push(data, one);
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "data", data));
}

static int
cb_check_get(struct ml_sim_ctx *ctx, json_object *body)
{
	json_object *ids = ml_json_get(body, "ids", json_type_array);
	size_t i, n;

	if (ids == NULL)
		return cb_invalid(ctx, "ids", NULL);
	n = json_object_array_length(ids);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(ids, i),
		    json_type_string))
			return cb_invalid(ctx, "ids",
			    json_object_get_string(ids));
	return ML_OK;
}

static int
cb_get(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, cb_check_get, &cb_coll, cb_get_fn);
}

/* An absent filter matches; otherwise the value must be in it. */
static int
cb_in(json_object *filter, const char *value)
{
	size_t i, n;

	if (filter == NULL)
		return 1;
	n = json_object_array_length(filter);
	for (i = 0; value != NULL && i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(
		    filter, i)), value) == 0)
			return 1;
	return 0;
}

/* Lists (tag_ids, team_ids): any shared value. */
static int
cb_overlaps(json_object *filter, json_object *values)
{
	size_t i, n;

	if (filter == NULL)
		return 1;
	n = values != NULL ? json_object_array_length(values) : 0;
	for (i = 0; i < n; i++)
		if (cb_in(filter, json_object_get_string(
		    json_object_array_get_idx(values, i))))
			return 1;
	return 0;
}

static int
cb_search_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	static const char *const keys[] = { "id", "name", "description",
	    "label", "content_type", "status", "created_by", "created_at",
	    "updated_by", "updated_at", "tag_ids", "team_ids", NULL };
	json_object *f = ml_json_get(arg, "filters", json_type_object);
	json_object *data = json_object_new_array();
	const char *text = ml_json_str(f, "search_text");

	json_object_object_foreach(coll, k, b) {
		(void)k;
		if (data == NULL)
			break;
		if (!cb_in(ml_json_get(f, "content_type", json_type_array),
		    ml_json_str(b, "content_type")) ||
		    !cb_in(ml_json_get(f, "status", json_type_array),
		    ml_json_str(b, "status")) ||
		    !cb_in(ml_json_get(f, "updated_by", json_type_array),
		    ml_json_str(b, "updated_by")) ||
		    !cb_overlaps(ml_json_get(f, "tag_ids", json_type_array),
		    ml_json_get(b, "tag_ids", json_type_array)) ||
		    !cb_overlaps(ml_json_get(f, "team_ids", json_type_array),
		    ml_json_get(b, "team_ids", json_type_array)) ||
		    (text != NULL && !ml_sim_fam_contains_nocase(ml_json_str(b,
		    "name"), text)))
			continue;
		data = ml_sim_fam_push(data, cb_view(b, keys));
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "data", data));
}

static int
cb_check_search(struct ml_sim_ctx *ctx, json_object *body)
{
	static const char *const lists[] = { "content_type", "team_ids",
	    "tag_ids", "status", "updated_by", NULL };
	json_object *f = NULL, *v;
	size_t i;

	if (!json_object_object_get_ex(body, "filters", &f) || f == NULL)
		return ML_OK;
	if (!json_object_is_type(f, json_type_object))
		return cb_invalid(ctx, "filters", json_object_get_string(f));
	for (i = 0; lists[i] != NULL; i++)
		if (json_object_object_get_ex(f, lists[i], &v) &&
		    !json_object_is_type(v, json_type_array))
			return cb_invalid(ctx, lists[i],
			    json_object_get_string(v));
	return ML_OK;
}

static int
cb_search(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, cb_check_search, &cb_coll,
	    cb_search_fn);
}

/* ---- faults and the family ------------------------------------------- */

static int
cb_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return cb_invalid(ctx, "app_key", NULL);
	if (status == 409)
		return cb_label_taken(ctx, "label");
	if (status >= 500)
		return cb_fail(ctx, status, "Internal Server Error", cb_is_write(
		    ctx) ? "An unexpected error occurred on the server." :
		    NULL);
	return cb_fail(ctx, status, MHD_get_reason_phrase_for(
	    (unsigned)status), NULL);
}

static int
cb_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, cb_other);
}

static const struct ml_sim_fam_route r_write = {
	&cb_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY, { NULL }, &cb_write
};
static const struct ml_sim_fam_route r_read = {
	&cb_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY, { NULL }, NULL
};

static const struct ml_sim_route cb_routes[] = {
	{ "POST", "/v1/external/campaigns/content-blocks",
	    "create_content_block", cb_create, &r_write },
	{ "PUT", "/v1/external/campaigns/content-blocks",
	    "update_content_block", cb_update, &r_write },
	{ "POST", "/v1/external/campaigns/content-blocks/get-by-ids",
	    "get_content_blocks", cb_get, &r_read },
	{ "POST", "/v1/external/campaigns/content-blocks/search",
	    "search_content_blocks", cb_search, &r_read },
};

const struct ml_sim_family ml_sim_family_content_blocks = {
	"content_blocks", ML_HOST_API, cb_routes,
	sizeof(cb_routes) / sizeof(cb_routes[0]),
	NULL, 0,
	cb_fault,
};
