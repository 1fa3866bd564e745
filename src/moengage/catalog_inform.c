/* SPDX-License-Identifier: MIT */
/*
 * catalog_inform.c: the Inform family's rows (reference 8.8; inform.yaml).
 * The Inform key, MOE-APPKEY, errors in {message, err_code, status_code},
 * 10,000 requests a minute. Live sends go to api-<dc>, test sends to
 * sandbox-api-<dc>. The transaction_id makes a resend safe (the rows are
 * marked idempotent so timeouts are retried with the same body), and
 * envelope.c reports MoEngage's 409 DUPLICATE_REQUEST_RECEIVED as success:
 * already sent.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_SEND_INFORM \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"transaction_id\",\"payloads\"]," \
	"\"anyOf\":[{\"required\":[\"alert_id\"]}," \
	"{\"required\":[\"alert_reference_name\"]}]," \
	"\"properties\":{\"alert_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"alert_reference_name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"user_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"transaction_id\":{\"type\":\"string\",\"minLength\":1," \
	"\"maxLength\":50," \
	"\"description\":\"reused on retry: Mo" \
	"Engage answers a repeat within 5 minutes with 409," \
	" which moelink reports as success with already_sent\"}," \
	"\"payloads\":{\"type\":\"object\",\"minProperties\":1," \
	"\"description\":\"per channel (SMS, EMAIL, PUSH, WHATSAPP, RCS," \
	" ...)\",\"additionalProperties\":{\"type\":\"object\"," \
	"\"required\":[\"recipient\"]," \
	"\"properties\":{\"recipient\":{\"type\":\"string\",\"minLength\":1}," \
	"\"personalized_attributes\":{\"type\":\"object\"}}}}}}}," \
	"\"additionalProperties\":false}"

#define INFORM_ROW(name_, method_, path_, host_, fn_, sum_, schema_, env_, \
    page_, rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_INFORM, host_, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_inform[] = {
	INFORM_ROW("moengage_send_inform", "POST", "/v1.0/alerts/send",
	    ML_HOST_API, ml_validate_send_inform,
	    "Send a transactional alert (Inform) on its channels",
	    SCHEMA_SEND_INFORM, ML_ENV_INFORM, ML_PAGE_NONE, 10000, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	INFORM_ROW("moengage_send_inform_sandbox", "POST", "/v1.0/alerts/send",
	    ML_HOST_SANDBOX_API, ml_validate_send_inform,
	    "Send a transactional alert to Inform's test environment",
	    SCHEMA_SEND_INFORM, ML_ENV_INFORM, ML_PAGE_NONE, 10000, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
