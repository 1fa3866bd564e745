/* SPDX-License-Identifier: MIT */
/*
 * catalog_templates.c: the Custom Templates family's rows (reference 8.1;
 * push-templates.yaml, sms-templates.yaml; osm, inapp and email share the
 * paths and SMS's meta_info, their bodies are the channel's own). Push
 * bodies follow meta_info.platform; SMS has basic_details.message. Host
 * api-<dc>, the general key, MOE-APPKEY sent (the 401 example
 * asks for it). Errors: 400 {error:{code,message,details}}, 401
 * {title,description}, 429 {response_id,type,error}; envelope.c falls back
 * across them. Search is paged by page and entries (at most 15). 100
 * requests a minute per endpoint.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

/* meta_info of a create (osm, inapp and email share SMS's) and update. */
#define S_META_CREATE_PROPS \
	"\"template_id\":{\"type\":[\"string\",\"integer\"]}," \
	"\"template_name\":" ML__S_STR "," \
	"\"template_version\":{\"type\":[\"string\",\"integer\"]}," \
	"\"created_by\":" ML__S_STR
#define S_META_CREATE \
	"\"required\":[\"template_id\",\"template_name\"," \
	"\"template_version\",\"created_by\"],\"properties\":{" \
	S_META_CREATE_PROPS "}"
#define S_META_UPDATE \
	"\"required\":[\"template_name\",\"updated_by\"],\"properties\":{" \
	"\"template_name\":" ML__S_STR ",\"updated_by\":" ML__S_STR "," \
	"\"template_version\":{\"type\":[\"string\",\"integer\"]}}"
/* Push: the platforms listed, their style, and a body per platform. */
#define S_PUSH_META \
	"\"platform\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":2," \
	"\"items\":{\"enum\":[\"ANDROID\",\"IOS\"]}}," \
	"\"template_style\":{\"enum\":[\"BASIC\",\"STYLIZED\"]}"
#define S_PUSH_BODY(need) \
	"{\"type\":\"object\",\"required\":[\"basic_details\"]," \
	"\"properties\":{\"basic_details\":{\"type\":\"object\"," \
	"\"required\":[" need "],\"properties\":{\"title\":" ML__S_STR "," \
	"\"message\":" ML__S_STR ",\"default_click_action\":{\"enum\":[" \
	"\"NAVIGATE_TO_A_SCREEN\",\"DEEPLINKING\",\"RICH_LANDING\"]}," \
	"\"default_click_action_value\":" ML__S_STR "}}}}"
#define S_PUSH_BODIES \
	"\"ANDROID\":" S_PUSH_BODY("\"title\",\"message\"," \
	"\"default_click_action\",\"default_click_action_value\"") "," \
	"\"IOS\":" S_PUSH_BODY("\"title\",\"message\"," \
	"\"default_click_action_value\"")
#define S_SMS_DETAILS \
	"\"basic_details\":{\"type\":\"object\",\"required\":[\"message\"]," \
	"\"properties\":{\"message\":" ML__S_STR "}," \
	"\"additionalProperties\":false}"
#define S_UPDATE_TOP \
	"\"external_template_id\":" ML__S_STR "," \
	"\"update_campaigns\":{\"type\":\"boolean\"}"
#define S_TEMPLATE(req, props, more) \
	ML__SCHEMA_IN("\"body\"", "\"body\":{\"type\":\"object\"," \
	"\"required\":[" req "],\"properties\":{" props "}" more "}")

#define SCHEMA_CREATE_PUSH_TEMPLATE \
	S_TEMPLATE("\"meta_info\"", "\"meta_info\":{\"type\":\"object\"," \
	"\"required\":[\"platform\",\"template_style\",\"template_id\"," \
	"\"template_name\",\"template_version\",\"created_by\"]," \
	"\"properties\":{" S_META_CREATE_PROPS "," S_PUSH_META "}}," \
	S_PUSH_BODIES, ",\"additionalProperties\":false," \
	"\"description\":\"a body for each platform meta_info lists\"")
#define SCHEMA_UPDATE_PUSH_TEMPLATE \
	S_TEMPLATE("\"external_template_id\",\"meta_info\"", S_UPDATE_TOP "," \
	"\"meta_info\":{\"type\":\"object\",\"required\":[\"platform\"," \
	"\"template_style\",\"template_name\",\"updated_by\"]," \
	"\"properties\":{\"template_name\":" ML__S_STR ",\"updated_by\":" \
	ML__S_STR "," S_PUSH_META "}}," S_PUSH_BODIES, \
	",\"additionalProperties\":false")
#define SCHEMA_CREATE_SMS_TEMPLATE \
	S_TEMPLATE("\"basic_details\",\"meta_info\"", S_SMS_DETAILS "," \
	"\"meta_info\":{\"type\":\"object\"," S_META_CREATE "}", \
	",\"additionalProperties\":false")
#define SCHEMA_UPDATE_SMS_TEMPLATE \
	S_TEMPLATE("\"external_template_id\",\"basic_details\"," \
	"\"meta_info\"", S_UPDATE_TOP "," S_SMS_DETAILS "," \
	"\"meta_info\":{\"type\":\"object\"," S_META_UPDATE "}", \
	",\"additionalProperties\":false")
/* osm, inapp, email: no OpenAPI file; the body is the channel's own. */
#define SCHEMA_CREATE_TEMPLATE \
	S_TEMPLATE("\"meta_info\"", "\"meta_info\":{\"type\":\"object\"," \
	S_META_CREATE "}", ",\"additionalProperties\":true")
#define SCHEMA_UPDATE_TEMPLATE \
	S_TEMPLATE("\"external_template_id\",\"meta_info\"", S_UPDATE_TOP \
	",\"meta_info\":{\"type\":\"object\"," S_META_UPDATE "}", \
	",\"additionalProperties\":true")

#define SCHEMA_SEARCH_TEMPLATES \
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
	    "/v1.0/custom-templates/push", ml_validate_create_push_template,
	    "Create a custom push template", SCHEMA_CREATE_PUSH_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_push_template", "PUT",
	    "/v1.0/custom-templates/push", ml_validate_update_push_template,
	    "Update a custom push template (a new version)",
	    SCHEMA_UPDATE_PUSH_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_push_templates", "POST",
	    "/v1.0/custom-templates/push/search", ml_validate_search_templates,
	    "Search custom push templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_sms_template", "POST",
	    "/v1.0/custom-templates/sms", ml_validate_create_sms_template,
	    "Create a custom SMS template", SCHEMA_CREATE_SMS_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_sms_template", "PUT",
	    "/v1.0/custom-templates/sms", ml_validate_update_sms_template,
	    "Update a custom SMS template (a new version)",
	    SCHEMA_UPDATE_SMS_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_sms_templates", "POST",
	    "/v1.0/custom-templates/sms/search", ml_validate_search_templates,
	    "Search custom SMS templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_osm_template", "POST",
	    "/v1.0/custom-templates/osm", ml_validate_create_template,
	    "Create a custom on-site message template",
	    SCHEMA_CREATE_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_osm_template", "PUT",
	    "/v1.0/custom-templates/osm", ml_validate_update_template,
	    "Update a custom on-site message template (a new version)",
	    SCHEMA_UPDATE_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_osm_templates", "POST",
	    "/v1.0/custom-templates/osm/search", ml_validate_search_templates,
	    "Search custom on-site message templates (paged by page and "
	    "entries <= 15)", SCHEMA_SEARCH_TEMPLATES,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_inapp_template", "POST",
	    "/v1.0/custom-templates/inapp", ml_validate_create_template,
	    "Create a custom in-app template", SCHEMA_CREATE_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_inapp_template", "PUT",
	    "/v1.0/custom-templates/inapp", ml_validate_update_template,
	    "Update a custom in-app template (a new version)",
	    SCHEMA_UPDATE_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_inapp_templates", "POST",
	    "/v1.0/custom-templates/inapp/search",
	    ml_validate_search_templates,
	    "Search custom in-app templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	TMPL_ROW("moengage_create_email_template", "POST",
	    "/v1.0/custom-templates/email", ml_validate_create_template,
	    "Create a custom email template", SCHEMA_CREATE_TEMPLATE,
	    ML_ENV_ERROR_DETAILS, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_update_email_template", "PUT",
	    "/v1.0/custom-templates/email", ml_validate_update_template,
	    "Update a custom email template (a new version)",
	    SCHEMA_UPDATE_TEMPLATE, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED),
	TMPL_ROW("moengage_search_email_templates", "POST",
	    "/v1.0/custom-templates/email/search",
	    ml_validate_search_templates,
	    "Search custom email templates (paged by page and entries <= 15)",
	    SCHEMA_SEARCH_TEMPLATES, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
