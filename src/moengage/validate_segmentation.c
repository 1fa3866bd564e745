/* SPDX-License-Identifier: MIT */
/*
 * validate_segmentation.c: input rules of the Segmentation family
 * (custom-segments.yaml, cohort-audience.yaml): file segments v2 need a
 * name, the identifying attribute and its type (string or double) and an
 * http(s) CSV URL, creation also an expiry in days; filter segments v3 a
 * name (on create) and the included filter group, whose list may be
 * empty; cohort sync an action, a partner and the cohort's members by uid.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

static const char *const attribute_types[] = { "string", "double", NULL };
static const char *const filter_operators[] = { "and", "or", NULL };
static const char *const cohort_actions[] = {
	"add_members", "remove_members", NULL,
};
static const char *const no_query[] = { NULL };
static const char *const list_query[] = { "name", NULL };

static int
seg_url(json_object *body, const char *key, int required,
    struct ml_err *err)
{
	const char *s;
	int rc;

	rc = ml__vstring(body, key, required, "", &s, err);
	if (rc || s == NULL)
		return rc;
	if (strncasecmp(s, "https://", 8) != 0 &&
	    strncasecmp(s, "http://", 7) != 0)
		return ml__vfail(err, "", key, "must be an http(s) URL "
		    "MoEngage can download");
	return ML_OK;
}

/*
 * A filter group: {"filter_operator":"and|or","filters":[...]}; the list
 * may be empty (FilterGroupV3 sets no minimum).
 */
static int
seg_filter_group(json_object *body, const char *key, struct ml_err *err)
{
	char prefix[ML__VPATH_MAX];
	json_object *g;
	int rc;

	rc = ml__vobj_member(body, key, 0, "", &g, err);
	if (rc || g == NULL)
		return rc;
	snprintf(prefix, sizeof(prefix), "%s.", key);
	rc = ml__venum(g, "filter_operator", filter_operators, 1, prefix, err);
	if (rc == ML_OK)
		rc = ml__varray(g, "filters", 0, 0, 1, prefix, NULL, err);
	return rc;
}

/* included_filters (required on create and update) and excluded_filters. */
static int
seg_filters_required(json_object *body, struct ml_err *err)
{
	int rc;

	rc = seg_filter_group(body, "included_filters", err);
	if (rc == ML_OK)
		rc = seg_filter_group(body, "excluded_filters", err);
	if (rc == ML_OK && ml_json_get(body, "included_filters",
	    json_type_object) == NULL)
		rc = ml__vfail(err, "", "included_filters",
		    "is required and missing");
	return rc;
}

int
ml_validate_list_segments(json_object *body, json_object *query,
    struct ml_err *err)
{
	(void)body;
	return ml__vquery_keys(query, list_query, err);
}

int
ml_validate_create_segment(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = seg_filters_required(body, err);
	return rc;
}

int
ml_validate_update_segment(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "name", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "updated_by", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = seg_filters_required(body, err);
	return rc;
}

/* The fields every file-segment upload shares (BaseSegmentRequestV2). */
static int
seg_file_base(json_object *body, json_object *query, struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "attribute_name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "attribute_type", attribute_types, 1, "",
		    err);
	if (rc == ML_OK)
		rc = seg_url(body, "file_url", 1, err);
	if (rc == ML_OK)
		rc = seg_url(body, "callback_url", 0, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "emails", 0, 0, 0, "", err);
	return rc;
}

int
ml_validate_create_file_segment(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = seg_file_base(body, query, err);
	if (rc == ML_OK)
		rc = ml__vint(body, "expiry_time", 1, 36500, 1, 0, "", 0,
		    NULL, err);
	return rc;
}

int
ml_validate_update_file_segment(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = seg_file_base(body, query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "cs_id", 0, "", NULL, err);
	return rc;
}

int
ml_validate_segment_name(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "cs_id", 0, "", NULL, err);
	return rc;
}

static int
seg_member(json_object *m, const char *prefix, void *ud, struct ml_err *err)
{
	(void)ud;
	return ml__vstring(m, "uid", 1, prefix, NULL, err);
}

int
ml_validate_sync_cohort(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *params;
	const char *name;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "action", cohort_actions, 1, "", err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "partner", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "parameters", 1, "", &params, err);
	if (rc == ML_OK)
		rc = ml__vstring(params, "cohort_name", 1, "parameters.", &name,
		    err);
	if (rc == ML_OK && (name[0] == '.' || strchr(name, '|') != NULL))
		rc = ml__vfail(err, "parameters.", "cohort_name", "must not "
		    "start with '.' or contain '|'");
	if (rc == ML_OK)
		rc = ml__vstring(params, "cohort_id", 1, "parameters.", NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__veach(params, "members", 1, 0, 1, "parameters.",
		    "{\"uid\": ...}", seg_member, NULL, err);
	return rc;
}
