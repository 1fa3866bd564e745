/* SPDX-License-Identifier: MIT */
/*
 * catalog_personalize.c: the Personalize family's rows (reference 8.6;
 * personalize-experience.yaml). Host sdk-<dc> (not api-), the Personalize
 * key, MOE-APPKEY required, errors in {title, description, code}. Fetch
 * takes at most 25 experience keys (none: every experience; no identifiers:
 * the ones for all users) and is allowed 10,000 requests a minute
 * per workspace; events at most 100 users a request (MoEngage deduplicates
 * on moe_event_uuid, so a resend is safe). A fetch that matches nothing is
 * {"experiences":{}}, a success.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_FETCH_EXPERIENCES \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"properties\":{\"identifiers\":{\"type\":\"object\"," \
	"\"properties\":{\"customer_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"user_identifiers\":{\"type\":[\"object\"," \
	"\"string\"]}},\"description\":\"none: experiences for all " \
	"users\"},\"experience_key\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}," \
	"\"maxItems\":25,\"description\":\"none: every experience\"}," \
	"\"DAY_OF_THE_WEEK\":{\"enum\":[\"Monday\"," \
	"\"Tuesday\",\"Wednesday\",\"Thursday\",\"Friday\",\"Saturday\"," \
	"\"Sunday\"]},\"TIME_OF_THE_DAY\":{\"type\":\"string\"," \
	"\"pattern\":\"^([01][0-9]|2[0-3])$\"}," \
	"\"USER_IP_ADDRESS\":{\"type\":\"string\",\"minLength\":1}," \
	"\"USER_AGENT\":{\"type\":\"string\",\"minLength\":1}}," \
	"\"additionalProperties\":true}},\"additionalProperties\":false}"

#define SCHEMA_GET_EXPERIENCE_METADATA \
	"{\"type\":\"object\",\"required\":[]," \
	"\"properties\":{\"query\":{\"type\":\"object\"," \
	"\"properties\":{\"status\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"comma-separated: Active, Paused, Scheduled\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_REPORT_EXPERIENCE_EVENTS \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"elements\"]," \
	"\"properties\":{\"elements\":{\"type\":\"array\",\"minItems\":1," \
	"\"maxItems\":100,\"items\":{\"type\":\"object\"," \
	"\"required\":[\"customer_id\",\"actions\"]," \
	"\"properties\":{\"customer_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"user_attributes\":{\"type\":\"object\"}," \
	"\"user_timezone_offset\":{\"type\":\"integer\",\"minimum\":-54000," \
	"\"maximum\":54000},\"actions\":{\"type\":\"array\",\"minItems\":1," \
	"\"items\":{\"type\":\"object\",\"required\":[\"action\"," \
	"\"attributes\"],\"properties\":{\"action\":{\"enum\":[\"M" \
	"OE_PERSONALIZATION_MESSAGE_SHOWN\"," \
	"\"MOE_PERSONALIZATION_MESSAGE_CLICKED\"]}," \
	"\"moe_event_uuid\":{\"type\":\"string\",\"minLength\":1}," \
	"\"event_time\":{\"type\":\"integer\"}," \
	"\"attributes\":{\"type\":\"object\",\"required\":[\"cid\"," \
	"\"experience\",\"moe_locale_id\",\"moe_variation_id\"," \
	"\"audience_name\",\"audience_id\"],\"description\":\"the " \
	"fetch answer's experience_context\"}}}}}}}}}}," \
	"\"additionalProperties\":false}"

#define PERS_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_PERSONALIZE, ML_HOST_SDK, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_personalize[] = {
	PERS_ROW("moengage_fetch_experiences", "POST", "/v1/experiences/fetch",
	    ml_validate_fetch_experiences,
	    "Fetch up to 25 personalized experiences for a user",
	    SCHEMA_FETCH_EXPERIENCES, ML_ENV_TITLE, ML_PAGE_NONE, 10000, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	PERS_ROW("moengage_get_experience_metadata", "GET",
	    "/v1/experiences/metadata", ml_validate_experience_metadata,
	    "List experiences with their keys and status",
	    SCHEMA_GET_EXPERIENCE_METADATA, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ML_ACT_IDEMPOTENT),
	PERS_ROW("moengage_report_experience_events", "POST",
	    "/v1/experiences/events", ml_validate_experience_events,
	    "Report experience shown/clicked events for up to 100 users",
	    SCHEMA_REPORT_EXPERIENCE_EVENTS, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
