/* SPDX-License-Identifier: MIT */
/*
 * catalog_templates.c: the Custom Templates family's rows (reference 8.1;
 * push-templates.yaml, sms-templates.yaml; osm, inapp and email share the
 * paths). Host api-<dc>, the general key, MOE-APPKEY sent (the 401 example
 * asks for it). Errors: 400 {error:{code,message,details}}, 401
 * {title,description}, 429 {response_id,type,error}; envelope.c falls back
 * across them. Search is paged by page and entries (at most 15). 100
 * requests a minute per endpoint.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_CREATE_PUSH_TEMPLATE \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"meta_info\"]," \
	"\"properties\":{\"meta_info\":{\"type\":\"object\"," \
	"\"required\":[\"template_name\"]," \
	"\"properties\":{\"template_name\":{\"type\":\"string\"," \
	"\"minLength\":1},\"template_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"template_version\":{\"type\":[\"string\"," \
	"\"integer\"]},\"created_by\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":true}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_UPDATE_PUSH_TEMPLATE \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"external_template_id\",\"meta_info\"]," \
	"\"properties\":{\"external_template_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"meta_info\":{\"type\":\"object\"," \
	"\"description\":\"updated_by, template_version, ...\"}," \
	"\"update_campaigns\":{\"type\":\"boolean\"}}," \
	"\"additionalProperties\":true}},\"additionalProperties\":false}"

#define SCHEMA_SEARCH_PUSH_TEMPLATES \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"page\",\"entries\"]," \
	"\"properties\":{\"page\":{\"type\":\"integer\",\"minimum\":1}," \
	"\"entries\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":15}," \
	"\"template_name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"template_ids\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"properties\":{\"external_template_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"version\":{\"type\":\"integer\"}}}}," \
	"\"created_by\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1}},\"updated_by\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}}}," \
	"\"additionalProperties\":true}},\"additionalProperties\":false}"

#define TMPL_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_TEMPLATES, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_templates[] = {
	TMPL_ROW("moengage_create_push_template", "POST",
	    "/v1.0/custom-templates/push", ml_validate_create_template,
	    "Create a custom push template", SCHEMA_CREATE_PUSH_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_push_template", "PUT",
	    "/v1.0/custom-templates/push", ml_validate_update_template,
	    "Update a custom push template (a new version)",
	    SCHEMA_UPDATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_push_templates", "POST",
	    "/v1.0/custom-templates/push/search", ml_validate_search_templates,
	    "Search custom push templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_PUSH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_sms_template", "POST",
	    "/v1.0/custom-templates/sms", ml_validate_create_template,
	    "Create a custom SMS template", SCHEMA_CREATE_PUSH_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_sms_template", "PUT",
	    "/v1.0/custom-templates/sms", ml_validate_update_template,
	    "Update a custom SMS template (a new version)",
	    SCHEMA_UPDATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_sms_templates", "POST",
	    "/v1.0/custom-templates/sms/search", ml_validate_search_templates,
	    "Search custom SMS templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_PUSH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_osm_template", "POST",
	    "/v1.0/custom-templates/osm", ml_validate_create_template,
	    "Create a custom on-site message template",
	    SCHEMA_CREATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_osm_template", "PUT",
	    "/v1.0/custom-templates/osm", ml_validate_update_template,
	    "Update a custom on-site message template (a new version)",
	    SCHEMA_UPDATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_osm_templates", "POST",
	    "/v1.0/custom-templates/osm/search", ml_validate_search_templates,
	    "Search custom on-site message templates (paged by page and "
	    "entries <= 15)", SCHEMA_SEARCH_PUSH_TEMPLATES,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_inapp_template", "POST",
	    "/v1.0/custom-templates/inapp", ml_validate_create_template,
	    "Create a custom in-app template", SCHEMA_CREATE_PUSH_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_inapp_template", "PUT",
	    "/v1.0/custom-templates/inapp", ml_validate_update_template,
	    "Update a custom in-app template (a new version)",
	    SCHEMA_UPDATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_inapp_templates", "POST",
	    "/v1.0/custom-templates/inapp/search",
	    ml_validate_search_templates,
	    "Search custom in-app templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_PUSH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_email_template", "POST",
	    "/v1.0/custom-templates/email", ml_validate_create_template,
	    "Create a custom email template", SCHEMA_CREATE_PUSH_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_email_template", "PUT",
	    "/v1.0/custom-templates/email", ml_validate_update_template,
	    "Update a custom email template (a new version)",
	    SCHEMA_UPDATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_email_templates", "POST",
	    "/v1.0/custom-templates/email/search",
	    ml_validate_search_templates,
	    "Search custom email templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_PUSH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
