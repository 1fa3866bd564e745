/* SPDX-License-Identifier: MIT */
/*
 * validate_templates.c: Custom Templates input rules (push-templates.yaml,
 * sms-templates.yaml; the osm, inapp and email channels share the shape):
 * create needs meta_info with a template name; update needs
 * external_template_id and meta_info; search takes page >= 1 and entries
 * 1..15 (both mandatory at MoEngage since 2025-11-15: the paging iterator
 * fills them when absent). Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include "moengage/validate_int.h"

static const char *const no_query[] = { NULL };

int
ml_validate_create_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *meta;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "meta_info", 1, "", &meta, err);
	if (rc == ML_OK)
		rc = ml__vstring(meta, "template_name", 1, "meta_info.", NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__vstring(meta, "created_by", 0, "meta_info.", NULL,
		    err);
	return rc;
}

int
ml_validate_update_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "external_template_id", 1, "", NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "meta_info", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vbool(body, "update_campaigns", 0, "", err);
	return rc;
}

int
ml_validate_search_templates(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vint(body, "page", 1, INT32_MAX, 1, 0, "", 0, NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__vint(body, "entries", 1, ML_TEMPLATE_ENTRIES_MAX, 1, 0,
		    "", 0, NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "template_name", 0, "", NULL, err);
	return rc;
}
