/* SPDX-License-Identifier: MIT */
/*
 * sim_catalog.c: the Catalog API, written from catalog.yaml, on api-<dc>
 * under /v1 with the general key and MOE-APPKEY on every request:
 *
 *   POST  /catalog                          201 {"catalog_id": 24 hex}
 *   PATCH /catalog/{id}/attributes          202, duplicates listed
 *   POST  /catalog/{id}/items               <= 50 items, valid/invalid counts
 *   PATCH /catalog/{id}/items               <= 50 updates
 *   POST  /catalog/{id}/items/bulk-delete   202 with valid/invalid counts
 *   POST  /catalog/{id}/items/search        <= 50 ids
 *
 * Every error is {"error-code","message"}; the limit is 100 requests per
 * minute and 1,000 per hour, combined across the Catalog APIs, with 429
 * carrying only x-ratelimit-* headers (no body is documented). A workspace
 * holds at most 35 catalogs of at most 50 attributes; id, title, link and
 * image_link (strings) are mandatory. Item values must convert to the
 * attribute's type: string, bool, double, datetime (ISO 8601 with a zone),
 * geopoint ("lat,lon"). The documented payload cap is 5 MB; the simulator
 * reads at most 128 KB and answers payload-size-exceeded beyond that.
 */
#include "sim/sim_fam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>

#define CAT_MAX 35
#define CAT_ATTRS_MAX 50
#define CAT_ITEMS_MAX 50
#define CAT_ITEMS_SIZE "items size should be greater than 0 and less than " \
    "or equal to 50"

static const struct ml_sim_limit cat_limits[] = {
	{ "catalog_per_min", 100 },
	{ "catalog_per_hour", 1000 },
};

static const char *const cat_mandatory[] = { "id", "title", "link",
	"image_link", NULL };

const struct ml_sim_coll ml_sim_coll_catalogs = { "catalogs", NULL };

/* ---- answers --------------------------------------------------------- */

static int
cat_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("error-code", code,
	    "message", msg, NULL));
}

static int
cat_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_STATE:
		return cat_fail(ctx, 403, "request-denied", "Your account does "
		    "not have access to the Catalog APIs.");
	case ML_SIM_REF_TOO_BIG:
		return cat_fail(ctx, 413, "payload-size-exceeded", "Your "
		    "payload size exceeds the 5MB limit. Please reduce the "
		    "payload size and try again.");
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return cat_fail(ctx, 400, "invalid-request", "The request body "
		    "is not a valid JSON. Please provide a valid JSON request "
		    "body.");
	case ML_SIM_REF_RATE:
		/* catalog.yaml: only the x-ratelimit-* headers. */
		return ml_sim_fam_send_empty(ctx, 429);
	default:
		break;
	}
	return cat_fail(ctx, 401, "request-unauthenticated", "Your request is "
	    "unauthorized. Please verify your credentials and try again.");
}

static const struct ml_sim_fam_spec cat_spec = {
	ML_FAM_CATALOG, cat_refuse
};

static int
cat_bad(struct ml_sim_ctx *ctx, const char *msg)
{
	return cat_fail(ctx, 400, "invalid-request", msg);
}

static int
cat_not_found(struct ml_sim_ctx *ctx)
{
	return cat_fail(ctx, 404, "catalog-not-found", "We could not find any "
	    "API based catalog for the provided catalog id.");
}

/* ---- types ------------------------------------------------------------ */

static const char *const cat_types[] = { "string", "bool", "double",
	"datetime", "geopoint", NULL };

static int
cat_is_double(const char *s, double lo, double hi, const char **end)
{
	char *e;
	double d;

	errno = 0;
	d = strtod(s, &e);
	if (errno || e == s || d < lo || d > hi)
		return 0;
	*end = e;
	return 1;
}

/* ISO 8601 with a zone: YYYY-MM-DDTHH:MM:SS[.f+](Z|+HH:MM|-HH:MM). */
static int
cat_is_datetime(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	char date[11];
	size_t i;

	if (strlen(s) < sizeof(shape))
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (ml_sim_fam_days(date) < 0)
		return 0;
	s += sizeof(shape) - 1;
	if (*s == '.') {
		for (s++, i = 0; *s >= '0' && *s <= '9'; s++, i++)
			;
		if (i == 0)
			return 0;
	}
	if (strcmp(s, "Z") == 0)
		return 1;
	return (s[0] == '+' || s[0] == '-') && strlen(s) == 6 &&
	    s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
	    s[3] == ':' && s[4] >= '0' && s[4] <= '9' && s[5] >= '0' &&
	    s[5] <= '9';
}

/* Does v convert to the attribute type? */
static int
cat_fits(const char *type, json_object *v)
{
	const char *s = json_object_get_string(v), *end;

	if (strcmp(type, "string") == 0)
		return json_object_is_type(v, json_type_string);
	if (strcmp(type, "bool") == 0)
		return json_object_is_type(v, json_type_boolean) ||
		    (json_object_is_type(v, json_type_string) &&
		    (strcmp(s, "true") == 0 || strcmp(s, "false") == 0));
	if (strcmp(type, "double") == 0)
		return json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double) ||
		    (json_object_is_type(v, json_type_string) &&
		    cat_is_double(s, -1e308, 1e308, &end) && *end == '\0');
	if (!json_object_is_type(v, json_type_string))
		return 0;
	if (strcmp(type, "datetime") == 0)
		return cat_is_datetime(s);
	/* geopoint: "latitude,longitude" */
	return cat_is_double(s, -90, 90, &end) && *end == ',' &&
	    cat_is_double(end + 1, -180, 180, &end) && *end == '\0';
}

/* Check an attributes array; on success fill schema (name -> type). */
static int
cat_check_attrs(struct ml_sim_ctx *ctx, json_object *attrs,
    json_object *schema)
{
	json_object *a;
	const char *name, *type;
	char msg[300];
	size_t i, n;

	if (attrs == NULL)
		return cat_bad(ctx, "The request is missing the mandatory "
		    "field: attributes");
	n = json_object_array_length(attrs);
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(attrs, i);
		name = ml_sim_fam_str(a, "name");
		type = ml_json_str(a, "type");
		if (name == NULL)
			return cat_bad(ctx, "Every attribute needs a name and "
			    "a type.");
		if (!ml_sim_fam_in(type, cat_types)) {
			snprintf(msg, sizeof(msg), "The data type provided for "
			    "some of the attributes is invalid. Provided "
			    "value: %s You can add attributes with valid data "
			    "types - [bool, double, string, datetime, "
			    "geopoint] only", type != NULL ? type : "None");
			return cat_bad(ctx, msg);
		}
		if (!json_object_object_get_ex(schema, name, NULL) &&
		    ml_json_add_str(schema, name, type))
			return ML_ENOMEM;
	}
	return ML_OK;
}

/* ---- create and attributes ------------------------------------------ */

static int
cat_check_create(struct ml_sim_ctx *ctx, json_object *o, json_object *schema)
{
	const char *cur = ml_json_str(o, "price_currency");
	char missing[200] = "";
	size_t i;
	int rc;

	if (ml_sim_fam_str(o, "name") == NULL)
		return cat_bad(ctx, "The request is missing the mandatory "
		    "field: name");
	if (cur == NULL || strlen(cur) != 3 || cur[0] < 'A' || cur[0] > 'Z' ||
	    cur[1] < 'A' || cur[1] > 'Z' || cur[2] < 'A' || cur[2] > 'Z')
		return cat_bad(ctx, "The price_currency provided is invalid. "
		    "Please provide an ISO 4217 currency code.");
	rc = cat_check_attrs(ctx, ml_json_get(o, "attributes",
	    json_type_array), schema);
	if (rc)
		return rc;
	for (i = 0; cat_mandatory[i] != NULL; i++) {
		const char *t = ml_json_str(schema, cat_mandatory[i]);

		if (t == NULL || strcmp(t, "string") != 0) {
			if (missing[0] != '\0')
				ml_strlcpy(missing + strlen(missing), ", ",
				    sizeof(missing) - strlen(missing));
			ml_strlcpy(missing + strlen(missing),
			    cat_mandatory[i], sizeof(missing) -
			    strlen(missing));
		}
	}
	if (missing[0] != '\0') {
		char msg[400];

		snprintf(msg, sizeof(msg), "You must include mandatory "
		    "attributes: id, title, link, and image_link with string "
		    "data type and try again. Invalid or absent attributes: "
		    "%s", missing);
		return cat_fail(ctx, 400, "missing-mandatory-attributes", msg);
	}
	if (json_object_object_length(schema) > CAT_ATTRS_MAX)
		return cat_fail(ctx, 400, "attribute-limit-exceeded", "Your "
		    "catalog has exceeded the maximum limit of 50 attributes "
		    "per catalog. Please reduce the number of attributes and "
		    "try again.");
	return ML_OK;
}

static int
cat_create_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *schema = ((json_object **)arg)[0];
	json_object *body = ((json_object **)arg)[1], *c;
	char id[ML_SIM_HEXID_LEN + 1], now[ML_SIM_TIME_MAX];
	const char *name = ml_json_str(body, "name");

	if (ml_sim_fam_find(coll, "name", name, NULL) != NULL)
		return cat_fail(ctx, 409, "duplicate-catalog-name", "Catalog "
		    "name already exists. Please use a different name for your "
		    "catalog and try again.");
	if (json_object_object_length(coll) >= CAT_MAX)
		return cat_fail(ctx, 400, "catalog-limit-exceeded", "You have "
		    "exceeded the total limit of 35 catalogs for your "
		    "account. You need to delete unused catalogs from the "
		    "dashboard and try again.");
	ml_sim_fam_hexid(id);
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MILLI_Z, 0);
	c = ml_sim_fam_strs("catalog_id", id, "name", name, "price_currency",
	    ml_json_str(body, "price_currency"), "created_at", now, NULL);
	c = ml_sim_fam_put(c, "attributes", json_object_get(schema));
	c = ml_sim_fam_put(c, "items", json_object_new_object());
	if (c == NULL || json_object_object_add(coll, id, c)) {
		json_object_put(c);
		return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 201, ml_sim_fam_strs("catalog_id", id,
	    NULL));
}

static int
cat_create(struct ml_sim_ctx *ctx)
{
	json_object *body = NULL, *schema = json_object_new_object();
	json_object *args[2];
	int rc;

	if (schema == NULL)
		return ML_ENOMEM;
	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = cat_check_create(ctx, body, schema);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	args[0] = schema;
	args[1] = body;
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &ml_sim_coll_catalogs, cat_create_fn,
		    args);
	json_object_put(schema);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- the catalog routes ------------------------------------------------ */

/* What a per-catalog operation works on inside the store. */
struct cat_op {
	json_object *body;
	int (*apply)(struct ml_sim_ctx *ctx, json_object *cat,
	    json_object *body);
};

static int
cat_op_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct cat_op *op = arg;
	json_object *cat;

	if (!json_object_object_get_ex(coll, ctx->param[0], &cat))
		return cat_not_found(ctx);
	return op->apply(ctx, cat, op->body);
}

/*
 * The shared shape of the per-catalog routes: prelude, the catalog must
 * exist (404), the body's list must hold 1..max entries when max > 0 (400
 * with msg), the windows are spent, then apply runs under the store lock.
 */
static int
cat_run(struct ml_sim_ctx *ctx, const char *list, const char *msg,
    int (*apply)(struct ml_sim_ctx *, json_object *, json_object *))
{
	struct cat_op op = { NULL, apply };
	json_object *arr;
	size_t n;
	int rc;

	rc = ml_sim_fam_begin(ctx, &op.body);
	if (rc == ML_OK && msg != NULL) {
		arr = ml_json_get(op.body, list, json_type_array);
		n = arr != NULL ? json_object_array_length(arr) : 0;
		if (n == 0 || n > CAT_ITEMS_MAX)
			rc = cat_bad(ctx, msg);
	}
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &ml_sim_coll_catalogs, cat_op_fn,
		    &op);
	json_object_put(op.body);
	return ml_sim_fam_end(ctx, rc);
}

static int
cat_attrs_apply(struct ml_sim_ctx *ctx, json_object *cat, json_object *body)
{
	json_object *schema = ml_json_get(cat, "attributes", json_type_object);
	json_object *add = json_object_new_object(), *dups, *res;
	int rc;

	if (add == NULL)
		return ML_ENOMEM;
	rc = cat_check_attrs(ctx, ml_json_get(body, "attributes",
	    json_type_array), add);
	dups = json_object_new_array();
	json_object_object_foreach(add, k, v) {
		(void)v;
		if (rc != ML_OK || dups == NULL)
			break;
		if (json_object_object_get_ex(schema, k, NULL))
			dups = ml_sim_fam_push(dups, json_object_new_string(k));
	}
	if (rc == ML_OK && dups != NULL && (long)(json_object_object_length(
	    schema) + json_object_object_length(add) -
	    json_object_array_length(dups)) > CAT_ATTRS_MAX)
		rc = cat_fail(ctx, 413, "too-many-attributes", "Maximum "
		    "allowed attributes is 50");
	json_object_object_foreach(add, k2, v2) {
		if (rc != ML_OK || dups == NULL)
			break;
		if (!json_object_object_get_ex(schema, k2, NULL) &&
		    ml_json_add_str(schema, k2, json_object_get_string(v2)))
			rc = ML_ENOMEM;
	}
	json_object_put(add);
	if (rc) {
		json_object_put(dups);
		return rc;
	}
	res = json_object_new_object();
	if (res != NULL && ml_sim_json_add(res, "success",
	    json_object_new_boolean(1))) {
		json_object_put(res);
		res = NULL;
	}
	return ml_sim_fam_send(ctx, 202, ml_sim_fam_put(res,
	    "duplicate-item-attributes", dups));
}

static int
cat_attrs(struct ml_sim_ctx *ctx)
{
	return cat_run(ctx, NULL, NULL, cat_attrs_apply);
}

/* ---- items: grouped findings ----------------------------------------- */

/* The invalid items of a request, grouped by error-id. */
struct cat_report {
	long valid;
	long invalid;
	json_object *groups;	/* error-id -> {error-id,message,count,ids} */
};

static int
cat_report_add(struct cat_report *r, const char *err_id, const char *msg,
    const char *item_id)
{
	json_object *g, *ids;

	r->invalid++;
	if (!json_object_object_get_ex(r->groups, err_id, &g)) {
		g = ml_sim_fam_strs("error-id", err_id, "message", msg, NULL);
		g = ml_sim_fam_put(g, "count", json_object_new_int64(0));
		g = ml_sim_fam_put(g, "document_ids", json_object_new_array());
		if (g == NULL || json_object_object_add(r->groups, err_id, g)) {
			json_object_put(g);
			return ML_ENOMEM;
		}
	}
	ids = ml_json_get(g, "document_ids", json_type_array);
	if (ml_sim_json_push(ids, json_object_new_string(item_id != NULL ?
	    item_id : "")) || ml_json_add_int(g, "count",
	    ml_json_int(g, "count", 0) + 1))
		return ML_ENOMEM;
	return ML_OK;
}

/* {"message":{"valid":{"count"},"invalid":{"count"[,"details"]}}} */
static int
cat_report_send(struct ml_sim_ctx *ctx, int status, struct cat_report *r,
    int details)
{
	json_object *valid = json_object_new_object(), *invalid, *list, *msg;

	invalid = json_object_new_object();
	list = json_object_new_array();
	json_object_object_foreach(r->groups, k, g) {
		(void)k;
		list = ml_sim_fam_push(list, json_object_get(g));
	}
	if (valid != NULL && ml_json_add_int(valid, "count", r->valid)) {
		json_object_put(valid);
		valid = NULL;
	}
	if (invalid != NULL && ml_json_add_int(invalid, "count", r->invalid)) {
		json_object_put(invalid);
		invalid = NULL;
	}
	if (details)
		invalid = ml_sim_fam_put(invalid, "details", list);
	else
		json_object_put(list);
	msg = ml_sim_fam_put(json_object_new_object(), "valid", valid);
	msg = ml_sim_fam_put(msg, "invalid", invalid);
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(
	    json_object_new_object(), "message", msg));
}

/*
 * Check item attributes against the schema: the first undefined one and
 * the first that does not convert are reported through the two buffers.
 */
static void
cat_check_values(json_object *schema, json_object *attrs, char *undef,
    size_t ucap, char *badtype, size_t bcap)
{
	const char *type;

	undef[0] = badtype[0] = '\0';
	json_object_object_foreach(attrs, k, v) {
		type = ml_json_str(schema, k);
		if (type == NULL) {
			if (undef[0] != '\0')
				ml_strlcpy(undef + strlen(undef), ", ", ucap -
				    strlen(undef));
			ml_strlcpy(undef + strlen(undef), k, ucap -
			    strlen(undef));
		} else if (badtype[0] == '\0' && !cat_fits(type, v)) {
			snprintf(badtype, bcap, "The provided item attribute %s "
			    "with value %s can't be converted to the data type "
			    "%s as defined in the catalog schema.", k,
			    json_object_get_string(v), type);
		}
	}
}

static int
cat_add_one(struct cat_report *r, json_object *cat, json_object *item,
    json_object *seen)
{
	json_object *items = ml_json_get(cat, "items", json_type_object), *it;
	const char *id = ml_json_str(item, "id");
	char undef[300], bad[400], msg[600], now[ML_SIM_TIME_MAX];
	size_t i;

	for (i = 0; cat_mandatory[i] != NULL; i++)
		if (ml_sim_fam_str(item, cat_mandatory[i]) == NULL)
			return cat_report_add(r, "missing-mandatory-attributes",
			    "Your must include mandatory attributes: id, "
			    "title, link, and image_link with string data "
			    "type and try again.", id);
	if (json_object_object_get_ex(items, id, NULL) ||
	    json_object_object_get_ex(seen, id, NULL))
		return cat_report_add(r, "duplicate-item-ids", "Item ids within "
		    "a catalog must be unique. Please ensure your request "
		    "contains unique item ids for the given catalog and try "
		    "again.", id);
	cat_check_values(ml_json_get(cat, "attributes", json_type_object),
	    item, undef, sizeof(undef), bad, sizeof(bad));
	if (undef[0] != '\0') {
		snprintf(msg, sizeof(msg), "The provided item attribute is not "
		    "part of the defined catalog schema. Please check your "
		    "catalog schema and try again. Undefined attributes: %s",
		    undef);
		return cat_report_add(r, "invalid-item-attribute", msg, id);
	}
	if (bad[0] != '\0')
		return cat_report_add(r, "invalid-datatype-attribute", bad, id);
	if (json_object_object_length(items) >= ML_SIM_STORE_ITEMS_MAX)
		return cat_report_add(r, "item-limit-exceeded", "The catalog "
		    "holds the most items the simulator keeps.", id);
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MILLI_Z, 0);
	it = ml_sim_fam_copy(item);
	if (it == NULL || ml_json_add_str(it, "creation_date", now) ||
	    ml_json_add_str(it, "last_updated", now) ||
	    json_object_object_add(items, id, it) ||
	    json_object_object_add(seen, id, NULL))
		return ML_ENOMEM;
	r->valid++;
	return ML_OK;
}

static int
cat_items_add_apply(struct ml_sim_ctx *ctx, json_object *cat,
    json_object *body)
{
	json_object *list = ml_json_get(body, "items", json_type_array);
	struct cat_report r = { 0, 0, json_object_new_object() };
	json_object *seen = json_object_new_object(), *item;
	size_t i, n = json_object_array_length(list);
	int rc = r.groups != NULL && seen != NULL ? ML_OK : ML_ENOMEM;

	for (i = 0; rc == ML_OK && i < n; i++) {
		item = json_object_array_get_idx(list, i);
		if (!json_object_is_type(item, json_type_object))
			rc = cat_report_add(&r, "missing-mandatory-attributes",
			    "Your must include mandatory attributes: id, "
			    "title, link, and image_link with string data "
			    "type and try again.", NULL);
		else
			rc = cat_add_one(&r, cat, item, seen);
	}
	if (rc == ML_OK)
		rc = cat_report_send(ctx, 200, &r, 1);
	json_object_put(seen);
	json_object_put(r.groups);
	return rc;
}

static int
cat_items_add(struct ml_sim_ctx *ctx)
{
	return cat_run(ctx, "items", CAT_ITEMS_SIZE, cat_items_add_apply);
}

static int
cat_update_one(struct cat_report *r, json_object *cat, json_object *upd)
{
	json_object *items = ml_json_get(cat, "items", json_type_object), *it;
	json_object *attrs = ml_json_get(upd, "attributes", json_type_object);
	const char *id = ml_json_str(upd, "id");
	char undef[300], bad[400], msg[600], now[ML_SIM_TIME_MAX];

	if (id == NULL || !json_object_object_get_ex(items, id, &it)) {
		snprintf(msg, sizeof(msg), "Item with id %s not found in the "
		    "catalog. Please check the item id and try again.",
		    id != NULL ? id : "None");
		return cat_report_add(r, "item-not-found", msg, id);
	}
	if (attrs == NULL)
		return cat_report_add(r, "invalid-attributes", "Some of the "
		    "attributes are not defined in the catalog schema: ()",
		    id);
	cat_check_values(ml_json_get(cat, "attributes", json_type_object),
	    attrs, undef, sizeof(undef), bad, sizeof(bad));
	if (undef[0] != '\0') {
		snprintf(msg, sizeof(msg), "Some of the attributes are not "
		    "defined in the catalog schema: (%s)", undef);
		return cat_report_add(r, "invalid-attributes", msg, id);
	}
	if (bad[0] != '\0')
		return cat_report_add(r, "invalid-datatype-attribute", bad, id);
	json_object_object_foreach(attrs, k, v) {
		if (strcmp(k, "id") != 0 &&
		    ml_sim_fam_put(it, k, ml_sim_fam_copy(v)) == NULL)
			return ML_ENOMEM;
	}
	ml_sim_fam_time(now, sizeof(now), ML_SIM_TIME_MILLI_Z, 0);
	if (ml_json_add_str(it, "last_updated", now))
		return ML_ENOMEM;
	r->valid++;
	return ML_OK;
}

static int
cat_items_update_apply(struct ml_sim_ctx *ctx, json_object *cat,
    json_object *body)
{
	json_object *list = ml_json_get(body, "items", json_type_array);
	struct cat_report r = { 0, 0, json_object_new_object() };
	size_t i, n = json_object_array_length(list);
	int rc = r.groups != NULL ? ML_OK : ML_ENOMEM;

	for (i = 0; rc == ML_OK && i < n; i++)
		rc = cat_update_one(&r, cat, json_object_array_get_idx(list,
		    i));
	if (rc == ML_OK)
		rc = cat_report_send(ctx, 200, &r, 1);
	json_object_put(r.groups);
	return rc;
}

static int
cat_items_update(struct ml_sim_ctx *ctx)
{
	return cat_run(ctx, "items", CAT_ITEMS_SIZE, cat_items_update_apply);
}

static int
cat_delete_apply(struct ml_sim_ctx *ctx, json_object *cat, json_object *body)
{
	json_object *list = ml_json_get(body, "items", json_type_array);
	json_object *items = ml_json_get(cat, "items", json_type_object);
	struct cat_report r = { 0, 0, json_object_new_object() };
	const char *id;
	size_t i, n = json_object_array_length(list);
	int rc;

	if (r.groups == NULL)
		return ML_ENOMEM;
	for (i = 0; i < n; i++) {
		id = json_object_get_string(json_object_array_get_idx(list, i));
		if (id != NULL && json_object_object_get_ex(items, id, NULL)) {
			json_object_object_del(items, id);
			r.valid++;
		} else {
			r.invalid++;
		}
	}
	rc = cat_report_send(ctx, 202, &r, 0);
	json_object_put(r.groups);
	return rc;
}

static int
cat_items_delete(struct ml_sim_ctx *ctx)
{
	return cat_run(ctx, "items", CAT_ITEMS_SIZE, cat_delete_apply);
}

static int
cat_search_apply(struct ml_sim_ctx *ctx, json_object *cat, json_object *body)
{
	json_object *list = ml_json_get(body, "items", json_type_array);
	json_object *items = ml_json_get(cat, "items", json_type_object);
	json_object *out = json_object_new_array(), *it, *one;
	const char *cid = ml_json_str(cat, "catalog_id");
	size_t i, n = json_object_array_length(list);

	for (i = 0; out != NULL && i < n; i++) {
		if (!json_object_object_get_ex(items, json_object_get_string(
		    json_object_array_get_idx(list, i)), &it))
			continue;
		one = ml_sim_fam_strs("catalog_id", cid, "feed_id", cid,
		    "price_currency", ml_json_str(cat, "price_currency"),
		    NULL);
		json_object_object_foreach(it, k, v) {
			if (one == NULL)
				break;
			one = ml_sim_fam_put(one, k, ml_sim_fam_copy(v));
		}
		out = ml_sim_fam_push(out, one);
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "items", out));
}

static int
cat_items_search(struct ml_sim_ctx *ctx)
{
	return cat_run(ctx, "items", "Item count should be greater than 0 and "
	    "less than or equal to 50", cat_search_apply);
}

/* ---- for Recommendations ---------------------------------------------- */

struct cat_sample {
	long max;
	json_object *items;
};

static int
cat_sample_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct cat_sample *s = arg;
	json_object *items, *one;
	const char *cid;

	(void)ctx;
	json_object_object_foreach(coll, k, cat) {
		cid = k;
		items = ml_json_get(cat, "items", json_type_object);
		json_object_object_foreach(items, id, it) {
			if ((long)json_object_array_length(s->items) >= s->max)
				break;
			one = ml_sim_fam_copy(it);
			if (one == NULL || ml_json_add_str(one, "item_id", id) ||
			    ml_json_add_str(one, "catalog_id", cid) ||
			    ml_json_add_str(one, "feed_id", cid) ||
			    ml_json_add_str(one, "price_currency",
			    ml_json_str(cat, "price_currency")) ||
			    ml_sim_json_push(s->items, one)) {
				json_object_put(one);
				return ML_ENOMEM;
			}
		}
		break;	/* the workspace's first catalog */
	}
	return ML_OK;
}

int
ml_sim_catalog_sample(struct ml_sim_ctx *ctx, long max, json_object **out)
{
	struct cat_sample s = { max, json_object_new_array() };
	int rc;

	*out = NULL;
	if (s.items == NULL)
		return ML_ENOMEM;
	rc = ml_sim_store_run(ctx, &ml_sim_coll_catalogs, cat_sample_fn, &s);
	if (rc) {
		json_object_put(s.items);
		return rc;
	}
	*out = s.items;
	return ML_OK;
}

/* ---- faults and the family ------------------------------------------- */

static int
cat_other(struct ml_sim_ctx *ctx, int status)
{
	switch (status) {
	case 400:
		return cat_bad(ctx, "The data type provided for some of the "
		    "attributes is invalid.");
	case 403:
		return cat_fail(ctx, 403, "request-denied", "Your account does "
		    "not have access to the Catalog APIs.");
	case 404:
		return cat_not_found(ctx);
	case 409:
		return cat_fail(ctx, 409, "duplicate-catalog-name", "Catalog "
		    "name already exists. Please use a different name for "
		    "your catalog and try again.");
	default:
		break;
	}
	return cat_fail(ctx, status, status >= 500 ? "unexpected-error" :
	    "invalid-request", MHD_get_reason_phrase_for((unsigned)status));
}

static int
cat_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, cat_other);
}

static const struct ml_sim_fam_route r_cat = {
	&cat_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &cat_limits[0], &cat_limits[1], NULL }, NULL
};

static const struct ml_sim_route cat_routes[] = {
	{ "POST", "/v1/catalog", "create_catalog", cat_create, &r_cat },
	{ "PATCH", "/v1/catalog/{catalog_id}/attributes",
	    "add_catalog_attributes", cat_attrs, &r_cat },
	{ "POST", "/v1/catalog/{catalog_id}/items", "add_catalog_items",
	    cat_items_add, &r_cat },
	{ "PATCH", "/v1/catalog/{catalog_id}/items", "update_catalog_items",
	    cat_items_update, &r_cat },
	{ "POST", "/v1/catalog/{catalog_id}/items/bulk-delete",
	    "delete_catalog_items", cat_items_delete, &r_cat },
	{ "POST", "/v1/catalog/{catalog_id}/items/search",
	    "search_catalog_items", cat_items_search, &r_cat },
};

const struct ml_sim_family ml_sim_family_catalog = {
	"catalog", ML_HOST_API, cat_routes,
	sizeof(cat_routes) / sizeof(cat_routes[0]),
	cat_limits, sizeof(cat_limits) / sizeof(cat_limits[0]),
	cat_fault,
};
