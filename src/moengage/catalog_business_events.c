/* SPDX-License-Identifier: MIT */
/*
 * catalog_business_events.c: the Business Events family's rows (reference 7;
 * business-events.yaml, business-events-v5.yaml). Host api-<dc>, the general
 * key. Legacy /v1.0/business_event answers errors in
 * {error:{code,message,details,request_id}}; v5 in
 * {error:{code,message,target,details},response_id} and pages GET and search
 * by limit (at most 20) and an opaque cursor. Limits: 50 business events per
 * workspace; triggers 50 an hour and 200 a day (v5: 10 per 5 minutes);
 * legacy search 100 a minute; v5 list 60 a minute, search 30.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_CREATE_BUSINESS_EVENT \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"event_name\",\"event_attributes\",\"created_by\"]," \
	"\"properties\":{\"event_name\":{\"type\":\"string\"," \
	"\"minLength\":1},\"event_attributes\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"object\",\"required\":[\"attribute_name\"," \
	"\"attribute_data_type\"]," \
	"\"properties\":{\"attribute_name\":{\"type\":\"string\"," \
	"\"minLength\":1},\"attribute_data_type\":{\"enum\":[\"string\"," \
	"\"int\",\"float\",\"array\",\"date\"]}}}}," \
	"\"created_by\":{\"type\":\"string\",\"minLength\":1}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_TRIGGER_BUSINESS_EVENT \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"event_name\",\"event_attributes\"]," \
	"\"properties\":{\"event_name\":{\"type\":\"string\"," \
	"\"minLength\":1},\"event_attributes\":{\"type\":\"object\"}," \
	"\"triggered_by\":{\"type\":\"string\",\"minLength\":1}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_SEARCH_BUSINESS_EVENTS \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"properties\":{\"event_ids\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1},\"minItems\":1}," \
	"\"event_names\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1},\"minItems\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_LIST_BUSINESS_EVENTS \
	"{\"type\":\"object\",\"required\":[]," \
	"\"properties\":{\"query\":{\"type\":\"object\"," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"exact event name (not with id)\"}," \
	"\"id\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"event id (not with name)\"}," \
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":20}," \
	"\"cursor\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"next_cursor of the previous page\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_SEARCH_BUSINESS_EVENTS_V5 \
	"{\"type\":\"object\",\"required\":[]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"properties\":{\"filters\":{\"type\":\"object\"," \
	"\"properties\":{\"names\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1},\"minItems\":1}," \
	"\"ids\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1},\"minItems\":1}}},\"limit\":{\"type\":\"integer\"," \
	"\"minimum\":1,\"maximum\":20},\"cursor\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_TRIGGER_BUSINESS_EVENT_V5 \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"event_name\",\"triggered_by\"]," \
	"\"properties\":{\"event_name\":{\"type\":\"string\"," \
	"\"minLength\":1},\"triggered_by\":{\"type\":\"string\"," \
	"\"minLength\":1},\"event_attributes\":{\"type\":\"object\"}," \
	"\"moe_request_id\":{\"type\":\"string\",\"minLength\":1}}}}," \
	"\"additionalProperties\":false}"

#define BE_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_BUSINESS_EVENTS, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_business_events[] = {
	BE_ROW("moengage_create_business_event", "POST",
	    "/v1.0/business_event", ml_validate_create_business_event,
	    "Create a business event and its attribute definitions (50 per "
	    "workspace)", SCHEMA_CREATE_BUSINESS_EVENT, ML_ENV_ERROR_DETAILS,
	    ML_PAGE_NONE, 0, 0, ML_ACT_BODY_REQUIRED),
	BE_ROW("moengage_trigger_business_event", "POST",
	    "/v1.0/business_event/trigger", ml_validate_trigger_business_event,
	    "Trigger a business event's campaigns (50 an hour, 200 a day)",
	    SCHEMA_TRIGGER_BUSINESS_EVENT, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    0, 0, ML_ACT_BODY_REQUIRED),
	BE_ROW("moengage_search_business_events", "POST",
	    "/v1.0/business_event/search", ml_validate_search_business_events,
	    "Look up business events by ids or names (legacy, unpaged)",
	    SCHEMA_SEARCH_BUSINESS_EVENTS, ML_ENV_ERROR_DETAILS, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	BE_ROW("moengage_list_business_events", "GET", "/v5/business-events",
	    ml_validate_list_business_events,
	    "List business events, or one by name or id (v5, cursor paged)",
	    SCHEMA_LIST_BUSINESS_EVENTS, ML_ENV_V5, ML_PAGE_CURSOR, 60, 0,
	    ML_ACT_IDEMPOTENT),
	BE_ROW("moengage_search_business_events_v5", "POST",
	    "/v5/business-events/search",
	    ml_validate_search_business_events_v5,
	    "Search business events by names or ids (v5, cursor paged)",
	    SCHEMA_SEARCH_BUSINESS_EVENTS_V5, ML_ENV_V5, ML_PAGE_CURSOR, 30, 0,
	    ML_ACT_IDEMPOTENT),
	BE_ROW("moengage_trigger_business_event_v5", "POST",
	    "/v5/business-events/triggers",
	    ml_validate_trigger_business_event_v5,
	    "Trigger a business event (v5; reports triggered and skipped "
	    "campaigns)", SCHEMA_TRIGGER_BUSINESS_EVENT_V5, ML_ENV_V5,
	    ML_PAGE_NONE, 0, 0, ML_ACT_BODY_REQUIRED),
	ML__ROW_END,
};
