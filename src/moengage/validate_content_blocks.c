/* SPDX-License-Identifier: MIT */
/*
 * validate_content_blocks.c: Content Blocks input rules
 * (content-blocks.yaml): create needs name, label, raw_content,
 * content_type (HTML or TEXT) and created_by, with status ACTIVE or DRAFT
 * and source CAMPAIGNS or INFORM when given; update needs id, name, status,
 * raw_content and updated_by; get-by-ids a non-empty list of ids; search an
 * optional filters object. Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include "moengage/validate_int.h"

static const char *const content_types[] = { "HTML", "TEXT", NULL };
static const char *const statuses[] = { "ACTIVE", "DRAFT", NULL };
static const char *const sources[] = { "CAMPAIGNS", "INFORM", NULL };
static const char *const no_query[] = { NULL };

/* What create and update share. */
static int
cb_common(json_object *body, json_object *query, struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "name", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "raw_content", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "source", sources, 0, "", err);
	if (rc == ML_OK)
		rc = ml__varray(body, "images_used", 0, 0, 0, "", NULL, err);
	return rc;
}

int
ml_validate_create_content_block(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = cb_common(body, query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "label", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "content_type", content_types, 1, "", err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "created_by", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "status", statuses, 0, "", err);
	return rc;
}

int
ml_validate_update_content_block(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = cb_common(body, query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "id", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "status", statuses, 1, "", err);
	if (rc == ML_OK)
		rc = ml__venum(body, "content_type", content_types, 0, "", err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "updated_by", 1, "", NULL, err);
	return rc;
}

int
ml_validate_get_content_blocks(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "ids", 1, 0, 1, "", err);
	if (rc == ML_OK)
		rc = ml__vbool(body, "is_raw_content_required", 0, "", err);
	return rc;
}

int
ml_validate_search_content_blocks(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vquery_keys(query, no_query, err);
	if (rc || body == NULL)
		return rc;
	rc = ml__vobject(body, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "filters", 0, "", NULL, err);
	return rc;
}
