/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: MoEngage's error bodies (reference section 9, the OpenAPI
 * examples) turned into one struct ml_err.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/envelope.h>

static int
parse(enum ml_envelope env, int status, const char *body, struct ml_err *err)
{
	ml_err_clear(err);
	return ml_envelope_parse(env, status, body, body ? strlen(body) : 0,
	    err);
}

static void
envelope_success_is_ok(void **state)
{
	struct ml_err err;
	int env;

	(void)state;
	for (env = 0; env < ML_ENV_COUNT; env++) {
		assert_int_equal(parse((enum ml_envelope)env, 200,
		    "{\"status\":\"success\",\"message\":\"Your request has been "
		    "accepted and will be processed soon.\"}", &err), ML_OK);
		assert_int_equal(parse((enum ml_envelope)env, 201,
		    "{\"catalog_id\":\"64a\"}", &err), ML_OK);
		assert_int_equal(parse((enum ml_envelope)env, 202, NULL, &err),
		    ML_OK);
		assert_int_equal(parse((enum ml_envelope)env, 200, "not json",
		    &err), ML_OK);
	}
	assert_int_equal(err.code, ML_OK);
}

static void
envelope_data_auth_failure(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_DATA, 401, "{\"status\":\"fail\",\"error\":"
	    "{\"message\":\"App Secret key mismatch. Please login to the "
	    "dashboard to verify key\",\"type\":\"Authentication required\","
	    "\"request_id\":\"PVUDFisO\"}}", &err), ML_EAUTH);
	assert_int_equal(err.code, ML_EAUTH);
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.kind, "moengage_auth_failed");
	assert_string_equal(err.moe_type, "Authentication required");
	assert_string_equal(err.moe_message, "App Secret key mismatch. Please "
	    "login to the dashboard to verify key");
	assert_string_equal(err.moe_request_id, "PVUDFisO");
	assert_non_null(strstr(err.msg, "App Secret key mismatch"));
	assert_non_null(strstr(err.msg, "401"));
	/* 403: suspended account, also an auth failure. */
	assert_int_equal(parse(ML_ENV_DATA, 403, "{\"status\":\"fail\",\"error\":"
	    "{\"message\":\"given app_id is invalid/blocked\",\"type\":"
	    "\"InvalidParams\",\"request_id\":\"pIvbWnGT\"}}", &err), ML_EAUTH);
	/* 409 "App key mismatch in params and authentication". */
	assert_int_equal(parse(ML_ENV_DATA, 409, "{\"status\":\"fail\",\"error\":"
	    "{\"message\":\"App key mismatch in params and authentication\","
	    "\"type\":\"Authentication required\",\"request_id\":\"x\"}}", &err),
	    ML_EAUTH);
	assert_string_equal(err.kind, "moengage_auth_failed");
}

static void
envelope_data_validation_names_attribute(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_DATA, 400, "{\"status\":\"fail\",\"error\":"
	    "{\"attribute\":\"platform\",\"message\":\"'platform' is not a valid "
	    "platform.\",\"type\":\"ValueError\",\"request_id\":\"r1\"}}", &err),
	    ML_EHTTP);
	assert_string_equal(err.kind, "moengage_validation_failed");
	assert_string_equal(err.field, "platform");
	assert_string_equal(err.moe_type, "ValueError");
	/* Get User's over-the-cap answer has no "error" wrapper. */
	assert_int_equal(parse(ML_ENV_DATA, 400, "{\"attribute\":\"users\","
	    "\"message\":\"max limit allowed is 20\",\"type\":\"LimitBreached\"}",
	    &err), ML_EHTTP);
	assert_string_equal(err.field, "users");
	assert_string_equal(err.moe_message, "max limit allowed is 20");
	/* Delete User's "User doesn't exists" is a 400 of type Not Found. */
	assert_int_equal(parse(ML_ENV_DATA, 400, "{\"status\":\"fail\",\"error\":"
	    "{\"message\":\"User doesn't exists with customer id x\",\"type\":"
	    "\"Not Found\",\"request_id\":\"bYvNTyWb\"}}", &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_not_found");
}

static void
envelope_data_statuses_map_to_kinds(void **state)
{
	static const struct {
		int status;
		int code;
		const char *kind;
	} cases[] = {
		{ 404, ML_EHTTP, "moengage_not_found" },
		{ 409, ML_EHTTP, "moengage_conflict" },
		{ 413, ML_EHTTP, "moengage_payload_too_large" },
		{ 415, ML_EHTTP, "moengage_error" },
		{ 429, ML_ERATELIMIT, "moengage_rate_limited" },
		{ 500, ML_EHTTP, "moengage_server_error" },
		{ 503, ML_EHTTP, "moengage_server_error" },
	};
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(ML_ENV_DATA, cases[i].status,
		    "{\"status\":\"fail\",\"error\":{\"message\":\"m\",\"type\":"
		    "\"T\",\"request_id\":\"r\"}}", &err), cases[i].code);
		assert_string_equal(err.kind, cases[i].kind);
		assert_int_equal(err.http_status, cases[i].status);
	}
}

static void
envelope_delete_title_description_shape(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_DATA, 429, "{\"status\":\"fail\",\"title\":"
	    "\"Rate limit exceeded\",\"description\":\"Exceeded rate limit for "
	    "this url\"}", &err), ML_ERATELIMIT);
	assert_string_equal(err.moe_type, "Rate limit exceeded");
	assert_string_equal(err.moe_message, "Exceeded rate limit for this url");
	assert_int_equal(parse(ML_ENV_TITLE, 400, "{\"title\":\"Invalid Field "
	    "Value\",\"description\":\"app_key - Some of the field values are "
	    "invalid: app_key : None\",\"code\":\"wUcwPRZF\"}", &err), ML_EHTTP);
	assert_string_equal(err.moe_request_id, "wUcwPRZF");
	assert_string_equal(err.moe_type, "Invalid Field Value");
}

static void
envelope_error_details_shape(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_ERROR_DETAILS, 400, "{\"error\":{\"code\":"
	    "\"400 Bad Request\",\"message\":\"Validation failed because of "
	    "invalid request data\",\"details\":[{\"code\":\"MissingValue\","
	    "\"target\":\"template_name\",\"message\":\"template_name is "
	    "required\"}],\"request_id\":\"64a5\"}}", &err), ML_EHTTP);
	assert_string_equal(err.moe_type, "400 Bad Request");
	assert_string_equal(err.field, "template_name");
	assert_string_equal(err.moe_request_id, "64a5");
	assert_string_equal(err.moe_message, "Validation failed because of "
	    "invalid request data: template_name is required");
	/* Its 429 comes in yet another wrapper. */
	assert_int_equal(parse(ML_ENV_ERROR_DETAILS, 429, "{\"status\":\"error\","
	    "\"data\":{\"code\":429,\"title\":\"rate limiter exception\","
	    "\"description\":\"Exceeded rate limit for this app\"}}", &err),
	    ML_ERATELIMIT);
	assert_string_equal(err.moe_message, "Exceeded rate limit for this app");
}

/* Content Blocks' writes: {"error","message","details"}, details the id. */
static void
envelope_content_block_write_shape(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_TITLE, 409, "{\"error\":\"Duplicate "
	    "Label\",\"message\":\"label - A content block with this label "
	    "already exists in the workspace: label : summer\",\"details\":"
	    "\"dPQnUgNp\"}", &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_conflict");
	assert_string_equal(err.moe_type, "Duplicate Label");
	assert_string_equal(err.moe_request_id, "dPQnUgNp");
	assert_string_equal(err.moe_message, "label - A content block with "
	    "this label already exists in the workspace: label : summer");
	/* The read routes keep {"title","description","code"}. */
	assert_int_equal(parse(ML_ENV_TITLE, 400, "{\"title\":\"Invalid Field "
	    "Value\",\"description\":\"app_key - Some of the field values are "
	    "invalid: app_key : None\",\"code\":\"nGpUNpDQ\"}", &err), ML_EHTTP);
	assert_string_equal(err.moe_type, "Invalid Field Value");
	assert_string_equal(err.moe_request_id, "nGpUNpDQ");
}

static void
envelope_v5_and_response_type_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_V5, 401, "{\"error\":{\"code\":"
	    "\"UNAUTHORIZED\",\"message\":\"Invalid credentials\",\"target\":"
	    "\"Authorization\",\"details\":[]},\"response_id\":\"resp_1\"}",
	    &err), ML_EAUTH);
	assert_string_equal(err.moe_type, "UNAUTHORIZED");
	assert_string_equal(err.field, "Authorization");
	assert_string_equal(err.moe_request_id, "resp_1");
	/* The v5 pages word the rate limit two ways: both are rate limits. */
	assert_int_equal(parse(ML_ENV_V5, 429, "{\"error\":{\"code\":"
	    "\"RATE_LIMITED\",\"message\":\"Too many requests\"},"
	    "\"response_id\":\"resp_2\"}", &err), ML_ERATELIMIT);
	assert_string_equal(err.kind, "moengage_rate_limited");
	assert_string_equal(err.moe_type, "RATE_LIMITED");
	assert_int_equal(parse(ML_ENV_V5, 429, "{\"response_id\":\"resp_3\","
	    "\"error\":{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":"
	    "\"Exceeded rate limit for this workspace.\"}}", &err),
	    ML_ERATELIMIT);
	assert_string_equal(err.kind, "moengage_rate_limited");
	assert_string_equal(err.moe_message,
	    "Exceeded rate limit for this workspace.");
	assert_string_equal(err.moe_request_id, "resp_3");
	/* The code decides even behind another status line. */
	assert_int_equal(parse(ML_ENV_V5, 400, "{\"error\":{\"code\":"
	    "\"RATE_LIMIT_EXCEEDED\",\"message\":\"slow down\"}}", &err),
	    ML_ERATELIMIT);
	assert_string_equal(err.kind, "moengage_rate_limited");
	assert_int_equal(parse(ML_ENV_RESPONSE_TYPE, 429, "{\"response_id\":"
	    "\"r9\",\"type\":\"custom_template\",\"error\":{\"code\":\"Too Many "
	    "Requests\",\"message\":\"API rate limit breached. Current limit: "
	    "100/1 mins\"}}", &err), ML_ERATELIMIT);
	assert_string_equal(err.moe_type, "Too Many Requests");
	assert_string_equal(err.moe_request_id, "r9");
}

static void
envelope_catalog_recos_inform_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_CATALOG, 404, "{\"error-code\":"
	    "\"catalog-not-found\",\"message\":\"Catalog not found\"}", &err),
	    ML_EHTTP);
	assert_string_equal(err.kind, "moengage_not_found");
	assert_string_equal(err.moe_type, "catalog-not-found");
	assert_int_equal(parse(ML_ENV_CODE_MESSAGE, 400, "{\"code\":"
	    "\"recommendation does not exist\",\"message\":\"Recommendation does "
	    "not exist or archived. Please check recommendation_id.\"}", &err),
	    ML_EHTTP);
	assert_string_equal(err.moe_type, "recommendation does not exist");
	assert_int_equal(parse(ML_ENV_INFORM, 400, "{\"message\":\"Invalid "
	    "Alert ID\",\"err_code\":\"BAD_REQUEST\",\"status_code\":120002}",
	    &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_validation_failed");
	assert_string_equal(err.moe_type, "BAD_REQUEST");
	assert_string_equal(err.moe_message, "Invalid Alert ID");
	/* A duplicate transaction_id means the alert was already sent:
	 * success (ml_envelope_already_sent tells it apart). */
	assert_int_equal(parse(ML_ENV_INFORM, 409, "{\"message\":\"Duplicate "
	    "Transaction ID\",\"err_code\":\"DUPLICATE_REQUEST_RECEIVED\","
	    "\"status_code\":120105}", &err), ML_OK);
}

/* A 2xx body is only skipped when it cannot say "fail": escaped, any case,
 * in every envelope (Test Connection documents 200 {"status":"error"}). */
static void
envelope_2xx_failure_found_in_every_shape(void **state)
{
	static const char *const failed[] = {
		"{\"status\":\"fail\"}",
		"{\"status\":\"FAILURE\",\"message\":\"x\"}",
		"{\"status\":\"Error\"}",
		"{\"st\\u0061tus\":\"F\\u0061il\"}",
		"{\"status\":\"\\u0065rror\"}",
	};
	struct ml_err err;
	size_t i;
	int env;

	(void)state;
	for (env = 0; env < ML_ENV_COUNT; env++) {
		for (i = 0; i < sizeof(failed) / sizeof(failed[0]); i++) {
			assert_int_equal(parse((enum ml_envelope)env, 200,
			    failed[i], &err), ML_EHTTP);
			assert_int_equal(err.http_status, 200);
		}
		/* The words elsewhere, or a success status, are success. */
		assert_int_equal(parse((enum ml_envelope)env, 200,
		    "{\"status\":\"success\",\"message\":\"no error, "
		    "nothing failed\"}", &err), ML_OK);
		assert_int_equal(parse((enum ml_envelope)env, 200,
		    "{\"status\":\"succ\\u0065ss\"}", &err), ML_OK);
		assert_int_equal(parse((enum ml_envelope)env, 204, "", &err),
		    ML_OK);
	}
}

static void
envelope_push_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	/* Push reports failure with HTTP 200. */
	assert_int_equal(parse(ML_ENV_PUSH, 200, "{\"status\":\"Fail\","
	    "\"Error_Message\":\"Campaign Name not found\",\"responseId\":"
	    "\"0956\",\"requestId\":\"\"}", &err), ML_EHTTP);
	assert_int_equal(err.http_status, 200);
	assert_string_equal(err.moe_message, "Campaign Name not found");
	assert_string_equal(err.moe_request_id, "0956");
	assert_int_equal(parse(ML_ENV_PUSH, 200, "{\"status\":\"Success\","
	    "\"requestId\":\"1\",\"responseId\":\"1\",\"cid\":\"66\"}", &err),
	    ML_OK);
	assert_int_equal(parse(ML_ENV_PUSH, 401, "[]", &err), ML_EAUTH);
	assert_non_null(strstr(err.msg, "without an error message"));
	assert_int_equal(parse(ML_ENV_PUSH, 429, "", &err), ML_ERATELIMIT);
	assert_non_null(strstr(err.msg, "empty body"));
	assert_int_equal(parse(ML_ENV_PUSH, 500, "{\"code\":500,\"status\":"
	    "\"error\",\"reason\":\"There seems to be an error. We are working to "
	    "fix this.\",\"reference\":\"ref-1\"}", &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_server_error");
	assert_string_equal(err.moe_request_id, "ref-1");
	assert_non_null(strstr(err.msg, "There seems to be an error"));
}

static void
envelope_fileimport_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_FILEIMPORT, 404, "{\"status\":\"fail\","
	    "\"error_type\":\"NOT_FOUND\",\"message\":\"This import is either "
	    "deleted or expired.\"}", &err), ML_EHTTP);
	assert_string_equal(err.moe_type, "NOT_FOUND");
	assert_int_equal(parse(ML_ENV_FILEIMPORT, 401, "{\"title\":"
	    "\"HeaderMissing\",\"description\":\"MOE-APPKEY is missing in "
	    "Header\"}", &err), ML_EAUTH);
	assert_string_equal(err.moe_message, "MOE-APPKEY is missing in Header");
}

/* Message Archival (message-archival.yaml): 400 {"status":false,
 * "error_message"}, 401 {"status":false,"error"}. */
static void
envelope_archival_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_TITLE, 400, "{\"status\":false,"
	    "\"error_message\":\"This event is unsupported to view message "
	    "copy. The supported events are ['Email Sent', 'SMS Sent']\"}",
	    &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_validation_failed");
	assert_string_equal(err.moe_message, "This event is unsupported to "
	    "view message copy. The supported events are ['Email Sent', "
	    "'SMS Sent']");
	assert_non_null(strstr(err.msg, "(HTTP 400): This event is "
	    "unsupported"));
	assert_null(strstr(err.msg, "without an error message"));
	assert_int_equal(parse(ML_ENV_TITLE, 401, "{\"status\":false,"
	    "\"error\":\"Invalid data key\"}", &err), ML_EAUTH);
	assert_non_null(strstr(err.msg, "Invalid data key"));
}

/* Cards (cards.yaml): 400 {"status":false,"error","request_id"}, 401
 * {"title","code"}, 500 {"title","message"}. */
static void
envelope_cards_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_TITLE, 400, "{\"status\":false,\"error\":"
	    "\"User not found for this uid/ unique_id\",\"request_id\":"
	    "\"64f6a59ed1e36d0d57a790c1\"}", &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_validation_failed");
	assert_string_equal(err.moe_request_id, "64f6a59ed1e36d0d57a790c1");
	assert_non_null(strstr(err.msg, "User not found for this uid"));
	assert_int_equal(parse(ML_ENV_TITLE, 401, "{\"title\":\"Authentication "
	    "Failure\",\"code\":\"OjueJWoh\"}", &err), ML_EAUTH);
	assert_string_equal(err.moe_request_id, "OjueJWoh");
	assert_int_equal(parse(ML_ENV_TITLE, 500, "{\"title\":\"Internal "
	    "Server Error\",\"message\":\"An unexpected error was encountered"
	    "\"}", &err), ML_EHTTP);
	assert_string_equal(err.moe_message, "An unexpected error was "
	    "encountered");
}

static void
envelope_tolerates_other_families_shapes(void **state)
{
	struct ml_err err;

	(void)state;
	/* A Data-shaped body where the row expects Catalog's. */
	assert_int_equal(parse(ML_ENV_CATALOG, 401, "{\"status\":\"fail\","
	    "\"error\":{\"message\":\"Invalid APP_ID used in Authentication "
	    "Header\",\"type\":\"Authentication required\",\"request_id\":"
	    "\"q\"}}", &err), ML_EAUTH);
	assert_string_equal(err.moe_message, "Invalid APP_ID used in "
	    "Authentication Header");
	assert_string_equal(err.moe_request_id, "q");
}

static void
envelope_non_json_and_empty_bodies(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(ML_ENV_DATA, 502, "<html><body>502 Bad Gateway"
	    "</body></html>", &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_server_error");
	assert_non_null(strstr(err.msg, "not JSON"));
	assert_non_null(strstr(err.msg, "502 Bad Gateway"));
	assert_int_equal(parse(ML_ENV_DATA, 500, NULL, &err), ML_EHTTP);
	assert_non_null(strstr(err.msg, "empty body"));
	assert_int_equal(parse(ML_ENV_DATA, 400, "{\"status\":\"fail\"}", &err),
	    ML_EHTTP);
	assert_non_null(strstr(err.msg, "without an error message"));
	assert_int_equal(parse(ML_ENV_DATA, 400, "{\"error\":{\"message\":"
	    "[1,2]}}", &err), ML_EHTTP);
	assert_int_equal(parse(ML_ENV_DATA, 0, NULL, &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_error");
	/* Found by fuzz_envelope: a non-JSON body that is not UTF-8 either
	 * must not carry its stray bytes into the message. */
	assert_int_equal(parse(ML_ENV_DATA, 401, "bad\x8a body\xc0", &err),
	    ML_EAUTH);
	assert_string_equal(err.moe_message, "bad? body?");
	assert_non_null(strstr(err.msg, "bad? body?"));
}

static void
envelope_text_is_clean_and_cut_on_utf8_boundary(void **state)
{
	char body[2048], *p;
	struct ml_err err;
	size_t i, len;

	(void)state;
	assert_int_equal(parse(ML_ENV_DATA, 400, "{\"error\":{\"message\":"
	    "\"line1\\nline2\\u0007\"}}", &err), ML_EHTTP);
	assert_string_equal(err.moe_message, "line1 line2 ");
	/* 600 two-byte characters do not fit in moe_message (512). */
	static const char head[] = "{\"error\":{\"message\":\"";
	static const char tail[] = "\"}}";

	p = body;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (i = 0; i < 600; i++) {
		*p++ = (char)0xC3;
		*p++ = (char)0xA9;
	}
	memcpy(p, tail, sizeof(tail));
	assert_int_equal(parse(ML_ENV_DATA, 400, body, &err), ML_EHTTP);
	len = strlen(err.moe_message);
	assert_true(len > 400 && len % 2 == 0);
	assert_int_equal((unsigned char)err.moe_message[len - 1], 0xA9);
	len = strlen(err.msg);
	assert_true(len > 0 && len < ML_ERR_MSG_LEN);
	assert_true(((unsigned char)err.msg[len - 1] & 0xC0) != 0xC0);
	if (((unsigned char)err.msg[len - 1] & 0x80) != 0)
		assert_int_equal((unsigned char)err.msg[len - 1], 0xA9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(envelope_success_is_ok),
		cmocka_unit_test(envelope_data_auth_failure),
		cmocka_unit_test(envelope_data_validation_names_attribute),
		cmocka_unit_test(envelope_data_statuses_map_to_kinds),
		cmocka_unit_test(envelope_delete_title_description_shape),
		cmocka_unit_test(envelope_error_details_shape),
		cmocka_unit_test(envelope_v5_and_response_type_shapes),
		cmocka_unit_test(envelope_catalog_recos_inform_shapes),
		cmocka_unit_test(envelope_2xx_failure_found_in_every_shape),
		cmocka_unit_test(envelope_push_shapes),
		cmocka_unit_test(envelope_fileimport_shapes),
		cmocka_unit_test(envelope_archival_shapes),
		cmocka_unit_test(envelope_cards_shapes),
		cmocka_unit_test(envelope_tolerates_other_families_shapes),
		cmocka_unit_test(envelope_content_block_write_shape),
		cmocka_unit_test(envelope_non_json_and_empty_bodies),
		cmocka_unit_test(envelope_text_is_clean_and_cut_on_utf8_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
