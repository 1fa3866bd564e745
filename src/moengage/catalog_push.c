/* SPDX-License-Identifier: MIT */
/*
 * catalog_push.c: the Push family's rows (reference 5; push.yaml,
 * push-v2-1.yaml). Host pushapi-<dc>, Push key, no Basic auth: the body
 * carries signature = sha256_hex(appId|campaignName|push key), which
 * request.c computes and writes with appId; v2.1 also sends X-MOE-APPKEY,
 * X-MOE-PushAPI-Signature and X-MOE-Query-Type (targetAudience lowercased,
 * "bulk users" for bulkUserRequest). Failures come back as HTTP 200
 * {"status":"Fail","Error_Message"}, which envelope.c turns into errors.
 * 10,000 requests a minute.
 *
 * Broadcast Live Activities (live-activities.yaml) are the Push key's too,
 * but on api-<dc> with Basic auth and an X-MOE-APPKEY header (not
 * MOE-APPKEY, which moelink sends anyway); errors {"error":{code,message,
 * details}}; start 5 a minute, update and end 500 a minute per workspace
 * and 5 a minute per live activity id.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_SEND_PUSH \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"campaignName\",\"targetPlatform\"," \
	"\"targetAudience\",\"payload\",\"campaignDelivery\"]," \
	"\"properties\":{\"campaignName\":{\"type\":\"string\"," \
	"\"minLength\":5," \
	"\"description\":\"part of the signatu" \
	"re; unique for All Users and Custom Segment\"}," \
	"\"requestType\":{\"type\":\"string\",\"default\":\"push\"}," \
	"\"targetPlatform\":{\"type\":\"array\",\"minItems\":1," \
	"\"items\":{\"enum\":[\"ANDROID\",\"IOS\",\"WEB\"]}}," \
	"\"targetAudience\":{\"enum\":[\"All Users\",\"Custom Segment\"," \
	"\"User\"]},\"bulkUserRequest\":{\"type\":\"boolean\"}," \
	"\"customSegmentName\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"required with Custom Segment\"}," \
	"\"targetUserAttributes\":{\"type\":\"object\"," \
	"\"required\":[\"attribute\",\"comparisonParameter\"," \
	"\"attributeValue\"]," \
	"\"properties\":{\"attribute\":{\"enum\":" \
	"[\"USER_ATTRIBUTE_UNIQUE_ID\",\"USER_ATTRIBUTE_USER_EMAIL\"," \
	"\"USER_ATTRIBUTE_USER_MOBILE\",\"MOE_GAID\"," \
	"\"ADVERTISING_IDENTIFIER\",\"PUSH_ID\"]}," \
	"\"comparisonParameter\":{\"enum\":[\"is\",\"in\"]}," \
	"\"attributeValue\":{\"description\":\"a string," \
	" or with \\\"in\\\" an array of at most 50\"}}," \
	"\"description\":\"required with User\"}," \
	"\"campaignTags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1}},\"payload\":{\"type\":\"object\"," \
	"\"description\":\"per platform: ANDROID, IOS, WEB\"}," \
	"\"campaignDelivery\":{\"type\":\"object\",\"required\":[\"type\"]," \
	"\"properties\":{\"type\":{\"enum\":[\"soon\",\"later\"," \
	"\"periodic\"]}}}}," \
	"\"description\":\"appId and signature" \
	" are filled by moelink from the account and its Push key\"}}," \
	"\"additionalProperties\":false}"

#define PUSH_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_PUSH, ML_HOST_PUSHAPI, method_, \
	    path_, ML_WS_NONE, ML_AUTH_PUSH_SIGNATURE, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

#define SCHEMA_ALERT \
	"\"alert\":{\"type\":\"object\",\"required\":[\"title\",\"body\"]," \
	"\"properties\":{\"title\":{\"type\":\"string\"},\"subtitle\":{" \
	"\"type\":\"string\"},\"body\":{\"type\":[\"string\",\"object\"]}," \
	"\"sound\":{\"type\":\"string\"}},\"additionalProperties\":false}"

#define SCHEMA_LIVE_ACTIVITY(ios_required_, ios_props_) \
	"{\"type\":\"object\",\"required\":[\"body\"],\"properties\":{" \
	"\"body\":{\"type\":\"object\",\"required\":[" \
	"\"broadcast_live_activity_id\",\"ios\"],\"properties\":{" \
	"\"broadcast_live_activity_id\":{\"type\":\"string\"," \
	"\"minLength\":1,\"description\":\"a push campaign created with " \
	"delivery type BROADCAST_LIVE_ACTIVITY\"},\"instance_id\":{" \
	"\"type\":\"string\",\"minLength\":1}," \
	"\"ios\":{\"type\":\"object\",\"description\":\"at most 5120 " \
	"bytes\",\"required\":[" ios_required_ "],\"properties\":{" \
	"\"dismissal_date\":{\"type\":\"integer\",\"description\":" \
	"\"epoch seconds\"}," ios_props_ "\"content_state\":{\"type\":" \
	"\"object\"}," SCHEMA_ALERT "}}}}},\"additionalProperties\":false}"

#define SCHEMA_LIVE_ACTIVITY_START SCHEMA_LIVE_ACTIVITY( \
	"\"attribute_type\",\"attribute_info\",\"content_state\",\"alert\"", \
	"\"attribute_type\":{\"type\":\"string\",\"minLength\":1}," \
	"\"attribute_info\":{\"type\":\"object\"},")

#define SCHEMA_LIVE_ACTIVITY_UPDATE SCHEMA_LIVE_ACTIVITY( \
	"\"content_state\",\"alert\"", \
	"\"stale_date\":{\"type\":\"integer\",\"description\":" \
	"\"epoch seconds\"},")

#define LA_ROW(name_, path_, fn_, sum_, schema_, rate_) \
	ML__ROW(name_, ML_FAM_PUSH, ML_HOST_API, "POST", path_, ML_WS_NONE, \
	    ML_AUTH_BASIC, ML_HDR_X_APPKEY, ML_ENV_ERROR_DETAILS, \
	    ML_PAGE_NONE, 0, rate_, fn_, sum_, schema_, ML_ACT_BODY_REQUIRED)

const struct ml_action ml__catalog_push[] = {
	PUSH_ROW("moengage_send_push", "POST", "/v2/transaction/sendpush",
	    ml_validate_send_push,
	    "Send a push campaign (v2): all users, a custom segment or users "
	    "by attribute", SCHEMA_SEND_PUSH, ML_ENV_PUSH, ML_PAGE_NONE, 10000,
	    0, ML_ACT_BODY_REQUIRED),
	PUSH_ROW("moengage_send_push_v2_1", "POST",
	    "/v2.1/transaction/sendpush", ml_validate_send_push,
	    "Send a push campaign (v2.1, with the X-MOE signature headers)",
	    SCHEMA_SEND_PUSH, ML_ENV_PUSH, ML_PAGE_NONE, 10000,
	    ML_HDR_PUSH_V21, ML_ACT_BODY_REQUIRED),
	LA_ROW("moengage_start_live_activity",
	    "/v1.0/live-activity/broadcast/start",
	    ml_validate_live_activity_start,
	    "Start a broadcast iOS Live Activity (5 a minute)",
	    SCHEMA_LIVE_ACTIVITY_START, 5),
	LA_ROW("moengage_update_live_activity",
	    "/v1.0/live-activity/broadcast/update",
	    ml_validate_live_activity_update,
	    "Update a broadcast iOS Live Activity (5 a minute per id)",
	    SCHEMA_LIVE_ACTIVITY_UPDATE, 500),
	LA_ROW("moengage_end_live_activity",
	    "/v1.0/live-activity/broadcast/end",
	    ml_validate_live_activity_update,
	    "End a broadcast iOS Live Activity (5 a minute per id)",
	    SCHEMA_LIVE_ACTIVITY_UPDATE, 500),
	ML__ROW_END,
};
