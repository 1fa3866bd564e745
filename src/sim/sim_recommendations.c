/* SPDX-License-Identifier: MIT */
/*
 * sim_recommendations.c: Recommendations, written from
 * recommendations.yaml, on api-<dc> under /v1 with the general key and
 * MOE-APPKEY:
 *
 *   GET  /recommendations          size (1..100) + batch_num paging, most
 *                                  recently updated first, archived ones
 *                                  only when ?status asks; 100/min and
 *                                  10,000/day
 *   GET  /recommendations/{id}     1,000/min; unknown or archived: 400
 *                                  {"code":"recommendation does not exist"}
 *   POST /recommendations/{id}/items   RECOMMENDATION-TYPE header (enum),
 *                                  user_id required; 10,000/min
 *
 * Errors are {"code","message"}; 429 has only x-ratelimit-* headers.
 * Recommendations are set up on the dashboard at MoEngage: each simulated
 * workspace holds REC_SEEDED of them (stable ids derived from the workspace
 * id; REC_ARCHIVED of them archived). Result items are up to 10 items of the
 * workspace's first catalog (sim_catalog.c), each with item_id, limited to
 * include_fields when given.
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#define REC_SEEDED 12
#define REC_ARCHIVED 2
#define REC_SIZE_DEFAULT 10
#define REC_SIZE_MAX 100
#define REC_RESULTS 10

static const char *const rec_types[] = { "user_action", "item_attribute",
	"catalog_alert", "similar_item", "frequently_viewed_together",
	"frequently_bought_together", "trending_item", "user_personalization",
	NULL };

static const char *const rec_statuses[] = { "Active", "Processing",
	"Archived", "Failed", NULL };

static const struct ml_sim_limit rec_limits[] = {
	{ "recommendations_list_per_min", 100 },
	{ "recommendations_list_per_day", 10000 },
	{ "recommendation_get_per_min", 1000 },
	{ "recommendation_items_per_min", 10000 },
};

/* ---- seeded recommendations ------------------------------------------ */

static const char *
rec_seed_status(long i)
{
	if (i > REC_SEEDED - REC_ARCHIVED)
		return "Archived";
	if (i == 4)
		return "Processing";
	if (i == 7)
		return "Failed";
	return "Active";
}

/* Inserted most recently updated first: the order the list answers in. */
static int
rec_seed(struct ml_sim_ctx *ctx, json_object *coll)
{
	char id[ML_SIM_HEXID_LEN + 1], cat[ML_SIM_HEXID_LEN + 1];
	char created[ML_SIM_TIME_MAX], updated[ML_SIM_TIME_MAX], name[64];
	json_object *r;
	long i;

	ml_sim_fam_hexid_of(ctx->ws->id, 5000, cat);
	for (i = 1; i <= REC_SEEDED; i++) {
		ml_sim_fam_hexid_of(ctx->ws->id, 6000 + i, id);
		ml_sim_fam_time(created, sizeof(created), ML_SIM_TIME_MICRO,
		    (REC_SEEDED + i) * 86400L);
		ml_sim_fam_time(updated, sizeof(updated), ML_SIM_TIME_MICRO,
		    i * 3600L);
		snprintf(name, sizeof(name), "Simulated recommendation %02ld",
		    i);
		r = ml_sim_fam_strs("id", id, "db_name", ctx->ws->db_name,
		    "recommendation_type", rec_types[(i - 1) % 8], "name", name,
		    "catalog", cat, "status", rec_seed_status(i),
		    "created_time", created, "updated_time", updated, NULL);
		if (r == NULL || json_object_object_add(r, "description",
		    NULL) || json_object_object_add(coll, id, r)) {
			json_object_put(r);
			return ML_ENOMEM;
		}
	}
	return ML_OK;
}

static const struct ml_sim_coll rec_coll = { "recommendations", rec_seed };

/* ---- answers --------------------------------------------------------- */

static int
rec_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("code", code,
	    "message", msg, NULL));
}

static int
rec_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_STATE:		/* inferred */
		return rec_fail(ctx, 403, "request-denied", "Your account does "
		    "not have access to the Recommendation APIs.");
	case ML_SIM_REF_TOO_BIG:
		return rec_fail(ctx, 413, "payload-size-exceeded", "Your "
		    "payload size exceeds the 1MB limit. Please reduce the "
		    "payload size and try again.");
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return rec_fail(ctx, 400, "invalid-request-format", "Invalid "
		    "request format. Please provide a valid JSON request "
		    "body.");
	case ML_SIM_REF_RATE:
		/* "There won't be any response body for this request." */
		return ml_sim_fam_send_empty(ctx, 429);
	default:
		break;
	}
	return rec_fail(ctx, 401, "request-unauthenticated", "Your request is "
	    "unauthorized. Please verify your credentials and try again.");
}

static const struct ml_sim_fam_spec rec_spec = {
	ML_FAM_RECOMMENDATIONS, rec_refuse
};

static int
rec_not_found(struct ml_sim_ctx *ctx)
{
	return rec_fail(ctx, 400, "recommendation does not exist",
	    "Recommendation does not exist or archived. Please check "
	    "recommendation_id.");
}

/* ---- list ------------------------------------------------------------ */

struct rec_list {
	const char *status;	/* comma-separated, or NULL */
	long size, batch;
};

/* 1 if st is wanted: listed in want, or not archived when want is NULL. */
static int
rec_wanted(const char *want, const char *st)
{
	size_t n = strlen(st);
	const char *p;

	if (want == NULL)
		return strcmp(st, "Archived") != 0;
	for (p = want; p != NULL; p = strchr(p, ',') != NULL ?
	    strchr(p, ',') + 1 : NULL)
		if (strncmp(p, st, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Every comma-separated value must be a known status. */
static int
rec_check_status(struct ml_sim_ctx *ctx, const char *want)
{
	char one[64], msg[300];
	const char *p, *c;
	size_t n;

	for (p = want; p != NULL; p = c != NULL ? c + 1 : NULL) {
		c = strchr(p, ',');
		n = c != NULL ? (size_t)(c - p) : strlen(p);
		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!ml_sim_fam_in(one, rec_statuses)) {
			snprintf(msg, sizeof(msg), "Invalid status value(s) "
			    "provided: '%s'. Valid status values are: Active, "
			    "Archived, Failed, Processing (case-sensitive).",
			    one);
			return rec_fail(ctx, 400, "invalid-status-value", msg);
		}
	}
	return ML_OK;
}

static int
rec_check_page(struct ml_sim_ctx *ctx, const char *name, long v, long max,
    int bad)
{
	char msg[300];

	if (!bad && v >= 1 && v <= max)
		return ML_OK;
	snprintf(msg, sizeof(msg), "Invalid value '%s' for parameter '%s'. "
	    "Please provide a valid integer value.", ml_sim_query(ctx,
	    name) != NULL ? ml_sim_query(ctx, name) : "", name);
	return rec_fail(ctx, 400, "invalid-pagination-param", msg);
}

static int
rec_list_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	const struct rec_list *q = arg;
	json_object *items = json_object_new_array();
	long seen = 0, first = (q->batch - 1) * q->size;

	json_object_object_foreach(coll, k, r) {
		(void)k;
		if (items == NULL || !rec_wanted(q->status, ml_json_str(r,
		    "status")))
			continue;
		if (seen >= first && seen < first + q->size)
			items = ml_sim_fam_push(items, ml_sim_fam_copy(r));
		seen++;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "items", items));
}

static int
rec_list(struct ml_sim_ctx *ctx)
{
	struct rec_list q = { ml_sim_query(ctx, "status"), 0, 0 };
	json_object *body = NULL;
	int rc, bs, bb;

	rc = ml_sim_fam_begin(ctx, &body);
	bs = ml_sim_fam_query_long(ctx, "size", REC_SIZE_DEFAULT, &q.size);
	bb = ml_sim_fam_query_long(ctx, "batch_num", 1, &q.batch);
	if (rc == ML_OK)
		rc = rec_check_page(ctx, "size", q.size, REC_SIZE_MAX, bs != 0);
	if (rc == ML_OK)
		rc = rec_check_page(ctx, "batch_num", q.batch, 10000000L,
		    bb != 0);
	if (rc == ML_OK && q.status != NULL)
		rc = rec_check_status(ctx, q.status);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &rec_coll, rec_list_fn, &q);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- one recommendation and its results ------------------------------- */

/* The recommendation of the path, unless unknown or archived (copied). */
static int
rec_get_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object **out = arg, *r;

	if (!json_object_object_get_ex(coll, ctx->param[0], &r) ||
	    strcmp(ml_json_str(r, "status"), "Archived") == 0)
		return rec_not_found(ctx);
	*out = ml_sim_fam_copy(r);
	return *out != NULL ? ML_OK : ML_ENOMEM;
}

static int
rec_lookup(struct ml_sim_ctx *ctx, json_object **r)
{
	*r = NULL;
	if (!ml_sim_fam_is_hexid(ctx->param[0]))
		return rec_fail(ctx, 400, "invalid-request-format", "Invalid "
		    "format provided for recommendation_id.");
	return ml_sim_store_run(ctx, &rec_coll, rec_get_fn, r);
}

static int
rec_get(struct ml_sim_ctx *ctx)
{
	json_object *body = NULL, *r = NULL;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = rec_lookup(ctx, &r);
	if (rc == ML_OK) {
		rc = ml_sim_fam_send(ctx, 200, r);
		r = NULL;
	}
	json_object_put(r);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* Keep item_id and the include_fields (all when absent). */
static json_object *
rec_fields(json_object *items, json_object *fields)
{
	json_object *out = json_object_new_array(), *it, *one, *v;
	size_t i, j, n = json_object_array_length(items), nf;
	const char *f;

	nf = fields != NULL ? json_object_array_length(fields) : 0;
	for (i = 0; out != NULL && i < n; i++) {
		it = json_object_array_get_idx(items, i);
		if (fields == NULL) {
			out = ml_sim_fam_push(out, json_object_get(it));
			continue;
		}
		one = ml_sim_fam_strs("item_id", ml_json_str(it, "item_id"),
		    NULL);
		for (j = 0; one != NULL && j < nf; j++) {
			f = json_object_get_string(json_object_array_get_idx(
			    fields, j));
			if (f != NULL && json_object_object_get_ex(it, f, &v))
				one = ml_sim_fam_put(one, f,
				    ml_sim_fam_copy(v));
		}
		out = ml_sim_fam_push(out, one);
	}
	return out;
}

static int
rec_check_items(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const anchored[] = { "similar_item",
	    "frequently_viewed_together", "frequently_bought_together", NULL };
	const char *type = ml_sim_header(ctx, "RECOMMENDATION-TYPE");
	json_object *f;

	if (!ml_sim_fam_in(type, rec_types))	/* inferred wording */
		return rec_fail(ctx, 400, "invalid-request-format", "Invalid "
		    "or missing RECOMMENDATION-TYPE header.");
	if (ml_sim_fam_str(o, "user_id") == NULL)
		return rec_fail(ctx, 400, "invalid-request-format", "user_id "
		    "is required.");
	/* "you must provide the item_id" for the anchored types. */
	if (ml_sim_fam_in(type, anchored) && ml_sim_fam_str(o,
	    "item_id") == NULL)
		return rec_fail(ctx, 400, "invalid-request-format", "item_id "
		    "is required for this RECOMMENDATION-TYPE.");
	if (json_object_object_get_ex(o, "include_fields", &f) && f != NULL &&
	    !json_object_is_type(f, json_type_array))
		return rec_fail(ctx, 400, "invalid-request-format",
		    "include_fields must be a list of attribute names.");
	return ML_OK;
}

static int
rec_items(struct ml_sim_ctx *ctx)
{
	json_object *body = NULL, *r = NULL, *items = NULL;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = rec_check_items(ctx, body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = rec_lookup(ctx, &r);
	if (rc == ML_OK)
		rc = ml_sim_catalog_sample(ctx, REC_RESULTS, &items);
	if (rc == ML_OK)
		rc = ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
		    json_object_new_object(), "items", rec_fields(items,
		    ml_json_get(body, "include_fields", json_type_array))));
	json_object_put(items);
	json_object_put(r);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- faults and the family ------------------------------------------- */

static int
rec_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return rec_not_found(ctx);
	if (status >= 500)
		return rec_fail(ctx, status, "unexpected-error", "Something went "
		    "wrong with your request. Please contact the MoEngage team "
		    "for further assistance.");
	return rec_fail(ctx, status, "request-denied",
	    MHD_get_reason_phrase_for((unsigned)status));
}

static int
rec_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, rec_other);
}

static const struct ml_sim_fam_route r_list = {
	&rec_spec, ML_SIM_F_APPKEY, { &rec_limits[0], &rec_limits[1], NULL },
	NULL
};
static const struct ml_sim_fam_route r_get = {
	&rec_spec, ML_SIM_F_APPKEY, { &rec_limits[2], NULL }, NULL
};
static const struct ml_sim_fam_route r_items = {
	&rec_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY, { &rec_limits[3], NULL },
	NULL
};

static const struct ml_sim_route rec_routes[] = {
	{ "GET", "/v1/recommendations", "list_recommendations", rec_list,
	    &r_list },
	{ "GET", "/v1/recommendations/{recommendation_id}",
	    "get_recommendation", rec_get, &r_get },
	{ "POST", "/v1/recommendations/{recommendation_id}/items",
	    "recommendation_items", rec_items, &r_items },
};

const struct ml_sim_family ml_sim_family_recommendations = {
	"recommendations", ML_HOST_API, rec_routes,
	sizeof(rec_routes) / sizeof(rec_routes[0]),
	rec_limits, sizeof(rec_limits) / sizeof(rec_limits[0]),
	rec_fault,
};
