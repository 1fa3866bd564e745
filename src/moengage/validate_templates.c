/* SPDX-License-Identifier: MIT */
/*
 * validate_templates.c: Custom Templates input rules (push-templates.yaml,
 * sms-templates.yaml; osm, inapp and email have no OpenAPI file and share
 * SMS's meta_info). Create needs meta_info with template_id,
 * template_name, template_version and created_by; update needs
 * external_template_id and meta_info with template_name and updated_by.
 * Push also needs meta_info.platform (ANDROID, IOS) and template_style
 * (BASIC, STYLIZED), and a body with basic_details for each listed
 * platform and none for another; SMS needs basic_details.message. Push and
 * SMS bodies hold only the members their files define. Search takes page
 * >= 1 and entries 1..15 (both mandatory at MoEngage since 2025-11-15: the
 * paging iterator fills them when absent). Stateless and thread-safe;
 * nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <string.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

enum tpl_kind { TPL_OTHER = 0, TPL_PUSH, TPL_SMS };

static const char *const no_query[] = { NULL };
static const char *const meta_create[] = {
	"template_id", "template_name", "template_version", "created_by", NULL,
};
static const char *const meta_update[] = {
	"template_name", "updated_by", NULL,
};
static const char *const push_top[] = {
	"ANDROID", "IOS", "meta_info", "external_template_id",
	"update_campaigns", NULL,
};
static const char *const sms_top[] = {
	"basic_details", "meta_info", "external_template_id",
	"update_campaigns", NULL,
};
static const char *const sms_details[] = { "message", NULL };
static const char *const push_platforms[] = { "ANDROID", "IOS", NULL };
static const char *const push_styles[] = { "BASIC", "STYLIZED", NULL };
static const char *const push_actions[] = {
	"NAVIGATE_TO_A_SCREEN", "DEEPLINKING", "RICH_LANDING", NULL,
};
static const char *const android_need[] = {
	"title", "message", "default_click_action",
	"default_click_action_value", NULL,
};
static const char *const ios_need[] = {
	"title", "message", "default_click_action_value", NULL,
};

/* Every member of o must be in allowed. */
static int
tpl_only(json_object *o, const char *const *allowed, const char *prefix,
    struct ml_err *err)
{
	size_t i;
	int known;

	json_object_object_foreach(o, k, v) {
		(void)v;
		known = 0;
		for (i = 0; allowed[i] != NULL; i++)
			known |= strcmp(k, allowed[i]) == 0;
		if (!known)
			return ml__vfail(err, prefix, k, "is not a member of "
			    "this template; MoEngage refuses it");
	}
	return ML_OK;
}

/*
 * Each of need in meta_info: a non-empty string (template_id and
 * template_version may be numbers, as push-templates.yaml's example sends).
 */
static int
tpl_meta(json_object *meta, const char *const *need, struct ml_err *err)
{
	json_object *v;
	size_t i;
	int rc = ML_OK;

	for (i = 0; rc == ML_OK && need[i] != NULL; i++) {
		if (json_object_object_get_ex(meta, need[i], &v) &&
		    (json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double)) &&
		    (strcmp(need[i], "template_id") == 0 ||
		    strcmp(need[i], "template_version") == 0))
			continue;
		rc = ml__vstring(meta, need[i], 1, "meta_info.", NULL, err);
	}
	return rc;
}

/* The body of one push platform, if meta_info lists it (and only then). */
static int
tpl_push_platform(json_object *body, json_object *list, const char *plat,
    struct ml_err *err)
{
	char prefix[ML__VPATH_MAX];
	const char *const *need;
	json_object *pb, *bd = NULL;
	const char *s;
	size_t i, n = json_object_array_length(list);
	int listed = 0, rc;

	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(list, i));
		listed |= s != NULL && strcmp(s, plat) == 0;
	}
	rc = ml__vobj_member(body, plat, listed, "", &pb, err);
	if (rc || pb == NULL)
		return rc;
	if (!listed)
		return ml__vfail(err, "", plat, "has a body but meta_info."
		    "platform does not list %s", plat);
	ml__vpath(prefix, sizeof(prefix), plat, ".", -1);
	rc = ml__vobj_member(pb, "basic_details", 1, prefix, &bd, err);
	ml__vpath(prefix, sizeof(prefix), plat, ".basic_details.", -1);
	need = strcmp(plat, "ANDROID") == 0 ? android_need : ios_need;
	for (i = 0; rc == ML_OK && need[i] != NULL; i++)
		rc = ml__vstring(bd, need[i], 1, prefix, NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(bd, "default_click_action", push_actions, 0,
		    prefix, err);
	return rc;
}

static int
tpl_push(json_object *body, json_object *meta, struct ml_err *err)
{
	json_object *list;
	const char *s;
	size_t i, n;
	int rc;

	rc = tpl_only(body, push_top, "", err);
	if (rc == ML_OK)
		rc = ml__varray(meta, "platform", 1, 2, 1, "meta_info.", &list,
		    err);
	if (rc)
		return rc;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(list, i));
		if (s == NULL || (strcmp(s, push_platforms[0]) != 0 &&
		    strcmp(s, push_platforms[1]) != 0))
			return ml__vfail(err, "meta_info.", "platform",
			    "may list only \"ANDROID\" and \"IOS\"");
	}
	rc = ml__venum(meta, "template_style", push_styles, 1, "meta_info.",
	    err);
	if (rc == ML_OK)
		rc = tpl_push_platform(body, list, "ANDROID", err);
	if (rc == ML_OK)
		rc = tpl_push_platform(body, list, "IOS", err);
	return rc;
}

static int
tpl_sms(json_object *body, struct ml_err *err)
{
	json_object *bd;
	int rc;

	rc = tpl_only(body, sms_top, "", err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "basic_details", 1, "", &bd, err);
	if (rc == ML_OK)
		rc = tpl_only(bd, sms_details, "basic_details.", err);
	if (rc == ML_OK)
		rc = ml__vstring(bd, "message", 1, "basic_details.", NULL,
		    err);
	return rc;
}

static int
tpl_check(json_object *body, json_object *query, enum tpl_kind kind,
    int update, struct ml_err *err)
{
	json_object *meta = NULL;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK && update)
		rc = ml__vstring(body, "external_template_id", 1, "", NULL,
		    err);
	if (rc == ML_OK && update)
		rc = ml__vbool(body, "update_campaigns", 0, "", err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "meta_info", 1, "", &meta, err);
	if (rc == ML_OK)
		rc = tpl_meta(meta, update ? meta_update : meta_create, err);
	if (rc == ML_OK && kind == TPL_PUSH)
		rc = tpl_push(body, meta, err);
	else if (rc == ML_OK && kind == TPL_SMS)
		rc = tpl_sms(body, err);
	return rc;
}

int
ml_validate_create_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	return tpl_check(body, query, TPL_OTHER, 0, err);
}

int
ml_validate_update_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	return tpl_check(body, query, TPL_OTHER, 1, err);
}

int
ml_validate_create_push_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	return tpl_check(body, query, TPL_PUSH, 0, err);
}

int
ml_validate_update_push_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	return tpl_check(body, query, TPL_PUSH, 1, err);
}

int
ml_validate_create_sms_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	return tpl_check(body, query, TPL_SMS, 0, err);
}

int
ml_validate_update_sms_template(json_object *body, json_object *query,
    struct ml_err *err)
{
	return tpl_check(body, query, TPL_SMS, 1, err);
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
