/* SPDX-License-Identifier: MIT */
/*
 * validate_business_events.c: Business Events input rules
 * (business-events.yaml, business-events-v5.yaml). Legacy create needs the
 * event name, its attribute definitions (types string, int, float, array,
 * date) and created_by; trigger the name and the attribute values; search
 * event_ids or event_names. v5 list takes name or id (not both), a limit of
 * 1..20 and a cursor; v5 search the same in its body under filters; v5
 * trigger needs event_name and triggered_by.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <stdio.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

static const char *const attr_types[] = {
	"string", "int", "float", "array", "date", NULL,
};
static const char *const no_query[] = { NULL };
static const char *const list_query[] = { "name", "id", "limit", "cursor",
	NULL };

/* Only one of two members may be given. */
static int
be_one_of(json_object *obj, const char *a, const char *b, const char *prefix,
    struct ml_err *err)
{
	json_object *va = NULL, *vb = NULL;

	if (obj == NULL)
		return ML_OK;
	json_object_object_get_ex(obj, a, &va);
	json_object_object_get_ex(obj, b, &vb);
	if (va != NULL && vb != NULL)
		return ml__vfail(err, prefix, b, "give either %s or %s, not "
		    "both", a, b);
	return ML_OK;
}

static int
be_attr(json_object *a, const char *prefix, void *ud, struct ml_err *err)
{
	int rc;

	(void)ud;
	rc = ml__vstring(a, "attribute_name", 1, prefix, NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(a, "attribute_data_type", attr_types, 1, prefix,
		    err);
	return rc;
}

int
ml_validate_create_business_event(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "event_name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "created_by", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__veach(body, "event_attributes", 0, 0, 1, "",
		    "{\"attribute_name\", \"attribute_data_type\"}", be_attr,
		    NULL, err);
	return rc;
}

int
ml_validate_trigger_business_event(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "event_name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "event_attributes", 1, "", NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "triggered_by", 0, "", NULL, err);
	return rc;
}

int
ml_validate_search_business_events(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "event_ids", 1, 0, 0, "", err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "event_names", 1, 0, 0, "", err);
	if (rc == ML_OK)
		rc = be_one_of(body, "event_ids", "event_names", "", err);
	if (rc == ML_OK && ml_json_get(body, "event_ids", json_type_array) ==
	    NULL && ml_json_get(body, "event_names", json_type_array) == NULL)
		rc = ml__vfail(err, "", "event_ids", "give event_ids or "
		    "event_names");
	return rc;
}

int
ml_validate_list_business_events(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)body;
	rc = ml__vquery_keys(query, list_query, err);
	if (rc == ML_OK)
		rc = be_one_of(query, "name", "id", "query.", err);
	if (rc == ML_OK)
		rc = ml__vint(query, "limit", 1, ML_BE_V5_LIMIT_MAX, 0, 1,
		    "query.", 0, NULL, err);
	return rc;
}

int
ml_validate_search_business_events_v5(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *filters;
	int rc;

	rc = ml__vquery_keys(query, no_query, err);
	if (rc || body == NULL)
		return rc;
	rc = ml__vobject(body, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "filters", 0, "", &filters, err);
	if (rc == ML_OK)
		rc = ml__vstrings(filters, "names", 1, 0, 0, "filters.", err);
	if (rc == ML_OK)
		rc = ml__vstrings(filters, "ids", 1, 0, 0, "filters.", err);
	if (rc == ML_OK)
		rc = be_one_of(filters, "names", "ids", "filters.", err);
	if (rc == ML_OK)
		rc = ml__vint(body, "limit", 1, ML_BE_V5_LIMIT_MAX, 0, 0, "", 0,
		    NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "cursor", 0, "", NULL, err);
	return rc;
}

int
ml_validate_trigger_business_event_v5(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "event_name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "triggered_by", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "event_attributes", 0, "", NULL,
		    err);
	return rc;
}
