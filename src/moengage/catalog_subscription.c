/* SPDX-License-Identifier: MIT */
/*
 * catalog_subscription.c: the Subscription Preferences family's rows
 * (reference 8.5; subscription-categories.yaml, email-subscription.yaml).
 * Host api-<dc>, the Data key, MOE-APPKEY required; a Portfolio workspace
 * passes MOE-PROJECT-CODE in the call's headers. Category preferences answer
 * errors in {title, description}: 100 requests a minute, at most 50 users in
 * a bulk update. Opt-in management allows 1,000 a minute; bulk resubscribe
 * 10 a minute and 100 addresses, and answers errors in {response_id,
 * error:{message, err_code}} (the v5 shape). The v5 reads
 * (subscription-categories-v5.yaml) answer {"error":{code,message,
 * target}}, 100 a minute; the v5 PATCH carries an Idempotency-Key header
 * (the caller's, or a UUID v4 made per call and kept across its retries:
 * idempotency.c), which makes its retries safe.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_GET_SUBSCRIPTION_PREFERENCES \
	"{\"type\":\"object\",\"required\":[\"query\"]," \
	"\"properties\":{\"query\":{\"type\":\"object\"," \
	"\"required\":[\"user_id\",\"cid\"]," \
	"\"properties\":{\"user_id\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"encrypted user id from the preference link\"}," \
	"\"cid\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"encrypted campaign id\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_UPDATE_SUBSCRIPTION_PREFERENCES \
	"{\"type\":\"object\",\"required\":[\"body\",\"query\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"categories\",\"unsubscribe_all\"]," \
	"\"properties\":{\"categories\":{\"type\":\"object\"," \
	"\"additionalProperties\":{\"type\":\"boolean\"}," \
	"\"description\":\"category name -> subscribed\"}," \
	"\"unsubscribe_all\":{\"type\":\"boolean\"}}}," \
	"\"query\":{\"type\":\"object\",\"required\":[\"user_id\",\"cid\"]," \
	"\"properties\":{\"user_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"cid\":{\"type\":\"string\",\"minLength\":1}," \
	"\"moe_event_id\":{\"type\":\"string\",\"minLength\":1}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_BULK_UPDATE_SUBSCRIPTION_PREFERENCES \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"channel\",\"user_preferences\"]," \
	"\"properties\":{\"channel\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"e.g. email\"}," \
	"\"user_preferences\":{\"type\":\"array\",\"minItems\":1," \
	"\"maxItems\":50,\"items\":{\"type\":\"object\"," \
	"\"required\":[\"customer_id\",\"categories\",\"unsubscribe_all\"]," \
	"\"properties\":{\"customer_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"categories\":{\"type\":\"object\"," \
	"\"additionalProperties\":{\"type\":\"boolean\"}," \
	"\"description\":\"category name -> subscribed\"}," \
	"\"unsubscribe_all\":{\"type\":\"boolean\"}}}}}}," \
	"\"headers\":{\"type\":\"object\"," \
	"\"properties\":{\"MOE-PROJECT-CODE\":{\"type\":\"string\"," \
	"\"minLength\":1,\"description\":\"Portfolio workspaces only\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_UPDATE_EMAIL_OPT_IN \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"user_preferences\"]," \
	"\"properties\":{\"user_preferences\":{\"type\":\"object\"," \
	"\"required\":[\"opt_in_status\",\"channel\"]," \
	"\"properties\":{\"customer_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"email_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"categories\":{\"type\":\"object\"," \
	"\"additionalProperties\":{\"type\":\"boolean\"}," \
	"\"description\":\"category name -> subscribed\"}," \
	"\"opt_in_status\":{\"enum\":[\"DOUBLE_OPTED_IN\",\"OPTED_OUT\"," \
	"\"OPT_IN_PENDING\"],\"description\":\"any case\"}," \
	"\"channel\":{\"enum\":[\"email\"],\"description\":\"any case\"}}," \
	"\"description\":\"customer_id or email_id is required\"}}}," \
	"\"headers\":{\"type\":\"object\"," \
	"\"properties\":{\"MOE-PROJECT-CODE\":{\"type\":\"string\"," \
	"\"minLength\":1,\"description\":\"Portfolio workspaces only\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_BULK_RESUBSCRIBE_EMAILS \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"recipients\",\"esp\",\"request_id\"]," \
	"\"properties\":{\"recipients\":{\"type\":[\"string\",\"array\"]," \
	"\"items\":{\"type\":\"string\",\"minLength\":1},\"maxItems\":100," \
	"\"description\":\"comma-separated add" \
	"resses or an array; at most 100\"}," \
	"\"customer_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"esp\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"e.g. SendGrid\"}," \
	"\"update_esp\":{\"type\":\"boolean\"}," \
	"\"request_id\":{\"type\":\"string\",\"minLength\":1}}}," \
	"\"headers\":{\"type\":\"object\"," \
	"\"properties\":{\"MOE-PROJECT-CODE\":{\"type\":\"string\"," \
	"\"minLength\":1,\"description\":\"Portfolio workspaces only\"}}}}," \
	"\"additionalProperties\":false}"

/* v5 reads: query only; the two v5 drafts differ on MOE-APPKEY (sent). */
#define SCHEMA_LIST_SUBSCRIPTION_CATEGORIES \
	"{\"type\":\"object\",\"properties\":{\"query\":{\"type\":" \
	"\"object\",\"properties\":{\"channel\":{\"enum\":[\"email\"," \
	"\"sms\"]}}}},\"additionalProperties\":false}"

#define SCHEMA_GET_SUBSCRIPTION_PREFERENCES_V5 \
	"{\"type\":\"object\",\"required\":[\"query\"],\"properties\":{" \
	"\"query\":{\"type\":\"object\",\"required\":[" \
	"\"user_identifier_type\",\"user_identifier_value\"]," \
	"\"properties\":{\"user_identifier_type\":{\"enum\":[" \
	"\"moe_user_id\",\"uid\",\"email\"]},\"user_identifier_value\":{" \
	"\"type\":\"string\",\"minLength\":1,\"description\":\"moe_user_id " \
	"with or without its usr_ prefix\"},\"channel\":{\"enum\":[" \
	"\"email\",\"sms\"]}}}},\"additionalProperties\":false}"

#define SCHEMA_UPDATE_SUBSCRIPTION_PREFERENCES_V5 \
	"{\"type\":\"object\",\"required\":[\"body\"],\"properties\":{" \
	"\"body\":{\"type\":\"object\",\"required\":[" \
	"\"user_identifier_type\",\"user_identifier_value\"," \
	"\"is_globally_unsubscribed\"],\"properties\":{" \
	"\"request_id\":{\"type\":\"string\"}," \
	"\"user_identifier_type\":{\"enum\":[\"moe_user_id\",\"uid\"," \
	"\"email\"]},\"user_identifier_value\":{\"type\":\"string\"," \
	"\"minLength\":1},\"channel\":{\"enum\":[\"email\",\"sms\"]}," \
	"\"is_globally_unsubscribed\":{\"type\":\"boolean\",\"description\":" \
	"\"true: every category of the channel off (categories ignored)\"}," \
	"\"categories\":{\"type\":\"object\",\"additionalProperties\":{" \
	"\"type\":\"boolean\"},\"description\":\"sparse: only these " \
	"change\"},\"event_attributes\":{\"type\":\"object\"," \
	"\"maxProperties\":5,\"additionalProperties\":{\"type\":" \
	"\"string\",\"maxLength\":255}}}},\"headers\":{\"type\":" \
	"\"object\",\"properties\":{\"Idempotency-Key\":{\"type\":" \
	"\"string\",\"format\":\"uuid\",\"description\":\"default: a " \
	"new UUID v4 per call, the same on its retries\"}," \
	"\"MOE-PROJECT-CODE\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"Portfolio workspaces only\"}}}}," \
	"\"additionalProperties\":false}"

#define SUB_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_SUBSCRIPTION, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_subscription[] = {
	SUB_ROW("moengage_get_subscription_preferences", "GET",
	    "/v1/category-subscription/user-preferences",
	    ml_validate_get_subscription,
	    "Get a user's subscription categories (from a preference link)",
	    SCHEMA_GET_SUBSCRIPTION_PREFERENCES, ML_ENV_TITLE, ML_PAGE_NONE,
	    100, 0, ML_ACT_IDEMPOTENT),
	SUB_ROW("moengage_update_subscription_preferences", "PUT",
	    "/v1/category-subscription/user-preferences",
	    ml_validate_update_subscription,
	    "Update a user's subscription categories",
	    SCHEMA_UPDATE_SUBSCRIPTION_PREFERENCES, ML_ENV_TITLE, ML_PAGE_NONE,
	    100, 0, ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	SUB_ROW("moengage_bulk_update_subscription_preferences", "POST",
	    "/v1/category-subscription/user-preferences",
	    ml_validate_bulk_update_subscription,
	    "Update the subscription categories of up to 50 users",
	    SCHEMA_BULK_UPDATE_SUBSCRIPTION_PREFERENCES, ML_ENV_TITLE,
	    ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	SUB_ROW("moengage_update_email_opt_in", "PUT",
	    "/v1.0/opt-in-management/user-preferences",
	    ml_validate_email_opt_in,
	    "Set a user's email opt-in status (double opt-in management)",
	    SCHEMA_UPDATE_EMAIL_OPT_IN, ML_ENV_TITLE, ML_PAGE_NONE, 1000, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	SUB_ROW("moengage_bulk_resubscribe_emails", "POST",
	    "/emails/v1.0/bulk-resubscribe", ml_validate_bulk_resubscribe,
	    "Resubscribe up to 100 email addresses (SendGrid)",
	    SCHEMA_BULK_RESUBSCRIBE_EMAILS, ML_ENV_V5, ML_PAGE_NONE, 10, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	SUB_ROW("moengage_list_subscription_categories", "GET",
	    "/v5/subscription-categories",
	    ml_validate_list_subscription_categories,
	    "List the workspace's active subscription categories (v5)",
	    SCHEMA_LIST_SUBSCRIPTION_CATEGORIES, ML_ENV_V5, ML_PAGE_NONE, 100,
	    0, ML_ACT_IDEMPOTENT),
	SUB_ROW("moengage_get_subscription_preferences_v5", "GET",
	    "/v5/subscription-preferences", ml_validate_get_subscription_v5,
	    "Get a user's subscription state by moe_user_id, uid or email (v5)",
	    SCHEMA_GET_SUBSCRIPTION_PREFERENCES_V5, ML_ENV_V5, ML_PAGE_NONE,
	    100, 0, ML_ACT_IDEMPOTENT),
	/* Idempotent through its Idempotency-Key. */
	SUB_ROW("moengage_update_subscription_preferences_v5", "PATCH",
	    "/v5/subscription-preferences", ml_validate_update_subscription_v5,
	    "Update a user's subscription state (v5; answers 202, applied "
	    "later)",
	    SCHEMA_UPDATE_SUBSCRIPTION_PREFERENCES_V5, ML_ENV_V5, ML_PAGE_NONE,
	    100, ML_HDR_IDEMPOTENCY_KEY, ML_ACT_BODY_REQUIRED |
	    ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
