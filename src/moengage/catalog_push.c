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
	ML__ROW_END,
};
