/* SPDX-License-Identifier: MIT */
/*
 * validate_catalog.c: Catalog input rules (catalog.yaml): a new catalog
 * has a name, an ISO 4217 price_currency and at most 50 attributes, among
 * them the mandatory string attributes id, title, link and image_link,
 * each of type string, bool, double, datetime or geopoint; item requests
 * carry 1..50 items (objects with an id for ingest and update, plain ids
 * for delete and search).
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <string.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

static const char *const attr_types[] = {
	"string", "bool", "double", "datetime", "geopoint", NULL,
};
static const char *const mandatory[] = {
	"id", "title", "link", "image_link", NULL,
};
static const char *const no_query[] = { NULL };

/* One attribute; ud is the bit set of the mandatory attributes seen. */
static int
cat_attribute(json_object *a, const char *prefix, void *ud,
    struct ml_err *err)
{
	unsigned *seen = ud;
	const char *name;
	size_t j;
	int rc;

	rc = ml__vstring(a, "name", 1, prefix, &name, err);
	if (rc == ML_OK)
		rc = ml__venum(a, "type", attr_types, 1, prefix, err);
	if (rc)
		return rc;
	for (j = 0; mandatory[j] != NULL; j++)
		if (strcmp(name, mandatory[j]) == 0)
			*seen |= 1u << j;
	return ML_OK;
}

/* Check attributes[]; *seen gets a bit per mandatory attribute found. */
static int
cat_attributes(json_object *body, unsigned *seen, struct ml_err *err)
{
	*seen = 0;
	return ml__veach(body, "attributes", 1, ML_CATALOG_ATTRIBUTES_MAX, 1,
	    "", "{\"name\", \"type\"}", cat_attribute, seen, err);
}

/* price_currency: required, an ISO 4217 code (three capital letters). */
static int
cat_currency(json_object *body, struct ml_err *err)
{
	const char *c;
	int rc;

	rc = ml__vstring(body, "price_currency", 1, "", &c, err);
	if (rc)
		return rc;
	if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' ||
	    c[1] > 'Z' || c[2] < 'A' || c[2] > 'Z')
		return ml__vfail(err, "", "price_currency", "\"%.20s\" is not "
		    "an ISO 4217 currency code such as USD", c);
	return ML_OK;
}

int
ml_validate_create_catalog(json_object *body, json_object *query,
    struct ml_err *err)
{
	unsigned seen;
	size_t j;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = cat_currency(body, err);
	if (rc == ML_OK)
		rc = cat_attributes(body, &seen, err);
	if (rc)
		return rc;
	for (j = 0; mandatory[j] != NULL; j++)
		if (!(seen & (1u << j)))
			return ml__vfail(err, "", "attributes", "must include "
			    "the mandatory attribute \"%s\" (id, title, link "
			    "and image_link are required)", mandatory[j]);
	return ML_OK;
}

int
ml_validate_add_catalog_attributes(json_object *body, json_object *query,
    struct ml_err *err)
{
	unsigned seen;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = cat_attributes(body, &seen, err);
	return rc;
}

/* One item: a string id; an update (ud non-NULL) also its attributes. */
static int
cat_item(json_object *it, const char *prefix, void *ud, struct ml_err *err)
{
	int rc;

	rc = ml__vstring(it, "id", 1, prefix, NULL, err);
	if (rc == ML_OK && ud != NULL)
		rc = ml__vobj_member(it, "attributes", 1, prefix, NULL, err);
	return rc;
}

/* items[]: 1..50 objects with a string id. */
static int
cat_items(json_object *body, json_object *query, int update,
    struct ml_err *err)
{
	static int update_flag;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__veach(body, "items", 1, ML_CATALOG_ITEMS_MAX, 1, "",
		    "with an id", cat_item, update ? &update_flag : NULL, err);
	return rc;
}

int
ml_validate_add_catalog_items(json_object *body, json_object *query,
    struct ml_err *err)
{
	return cat_items(body, query, 0, err);
}

int
ml_validate_update_catalog_items(json_object *body, json_object *query,
    struct ml_err *err)
{
	return cat_items(body, query, 1, err);
}

int
ml_validate_catalog_item_ids(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "items", 1, ML_CATALOG_ITEMS_MAX, 1, "",
		    err);
	return rc;
}
