/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the Idempotency-Key of the v5 subscription preference update
 * (subscription-categories-v5.yaml, email-subscription-v5.yaml): a UUID v4
 * made per built request, or the caller's own passed through; refused
 * where it is not a UUID or where the row takes no such header; and the
 * row's body validator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <sodium.h>
#include <string.h>

#include <moelink/account.h>
#include <moelink/catalog.h>
#include <moelink/json.h>
#include <moelink/request.h>

#include "moengage/idempotency.h"

#define PATCH_V5 "moengage_update_subscription_preferences_v5"
#define BODY_V5 \
	"{\"user_identifier_type\":\"email\",\"user_identifier_value\":" \
	"\"jane@example.com\",\"is_globally_unsubscribed\":false," \
	"\"categories\":{\"promotional\":false,\"newsletter\":true}," \
	"\"event_attributes\":{\"source\":\"preference_center\"}}"
#define KEY_GIVEN "3f2b8c1e-9d4a-4b6e-8f10-2a3b4c5d6e7f"

static int
build(struct ml_request *r, const char *action, const char *body,
    const char *headers, struct ml_err *err)
{
	const struct ml_action *row = ml_catalog_find(action);
	struct ml_account a;
	struct ml_call_input in;
	int rc;

	assert_non_null(row);
	ml_account_init(&a);
	assert_int_equal(ml_account_set(&a, "WS_US01", "01", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a.keys, ML_KEY_DATA, "data-key-us01"),
	    ML_OK);
	memset(&in, 0, sizeof(in));
	in.body = tu_json(body);
	in.headers = tu_json(headers);
	ml_err_clear(err);
	rc = ml_request_build(r, row, &a, &in, err);
	json_object_put(in.body);
	json_object_put(in.headers);
	ml_account_cleanup(&a);
	return rc;
}

static void
idempotency_uuid4_is_rfc4122_version_4_and_fresh(void **state)
{
	char a[ML_UUID_LEN + 1], b[ML_UUID_LEN + 1];
	int i;

	(void)state;
	for (i = 0; i < 64; i++) {
		ml_idempotency_uuid4(a);
		ml_idempotency_uuid4(b);
		assert_int_equal(strlen(a), 36);
		assert_true(ml_idempotency_is_uuid(a));
		assert_int_equal(a[14], '4');			/* version */
		assert_non_null(strchr("89ab", a[19]));		/* variant */
		assert_string_not_equal(a, b);
	}
}

static void
idempotency_is_uuid_wants_8_4_4_4_12_hex(void **state)
{
	static const char *const bad[] = {
		"", "k", "3f2b8c1e9d4a4b6e8f102a3b4c5d6e7f",
		"3f2b8c1e-9d4a-4b6e-8f10-2a3b4c5d6e7", "3f2b8c1e-9d4a-4b6e-8f10-"
		"2a3b4c5d6e7fa", "3f2b8c1g-9d4a-4b6e-8f10-2a3b4c5d6e7f",
		"3f2b8c1e-9d4a-4b6e+8f10-2a3b4c5d6e7f", NULL,
	};
	size_t i;

	(void)state;
	assert_true(ml_idempotency_is_uuid(KEY_GIVEN));
	assert_true(ml_idempotency_is_uuid(
	    "3F2B8C1E-9D4A-1B6E-8F10-2A3B4C5D6E7F"));
	for (i = 0; bad[i] != NULL; i++)
		if (ml_idempotency_is_uuid(bad[i]))
			fail_msg("'%s' taken for a UUID", bad[i]);
	assert_false(ml_idempotency_is_uuid(NULL));
}

static void
idempotency_patch_v5_gets_a_new_key_per_call(void **state)
{
	struct ml_request r1, r2;
	struct ml_err err;
	const char *k1, *k2;

	(void)state;
	assert_int_equal(build(&r1, PATCH_V5, BODY_V5, NULL, &err), ML_OK);
	assert_int_equal(build(&r2, PATCH_V5, BODY_V5, NULL, &err), ML_OK);
	assert_string_equal(r1.method, "PATCH");
	assert_string_equal(r1.url,
	    "https://api-01.moengage.com/v5/subscription-preferences");
	assert_string_equal(tu_header(&r1, "MOE-APPKEY"), "WS_US01");
	k1 = tu_header(&r1, "Idempotency-Key");
	k2 = tu_header(&r2, "Idempotency-Key");
	assert_non_null(k1);
	assert_non_null(k2);
	assert_true(ml_idempotency_is_uuid(k1));
	assert_string_not_equal(k1, k2);
	/* The key makes the update safe to resend: the client retries it. */
	assert_true(r1.idempotent);
	ml_request_cleanup(&r1);
	ml_request_cleanup(&r2);
}

static void
idempotency_callers_key_is_passed_through(void **state)
{
	struct ml_request r;
	struct ml_err err;
	size_t i, n = 0;

	(void)state;
	assert_int_equal(build(&r, PATCH_V5, BODY_V5, "{\"idempotency-key\":\""
	    KEY_GIVEN "\",\"MOE-PROJECT-CODE\":\"P1\"}", &err), ML_OK);
	assert_string_equal(tu_header(&r, "Idempotency-Key"), KEY_GIVEN);
	assert_string_equal(tu_header(&r, "MOE-PROJECT-CODE"), "P1");
	for (i = 0; i < r.nheaders; i++)
		n += strncmp(r.headers[i], "Idempotency-Key:", 16) == 0;
	assert_int_equal(n, 1);
	ml_request_cleanup(&r);
	/* Not a UUID: refused before anything is sent. */
	assert_int_equal(build(&r, PATCH_V5, BODY_V5,
	    "{\"Idempotency-Key\":\"retry-1\"}", &err), ML_EINVAL);
	assert_string_equal(err.field, "headers.Idempotency-Key");
	assert_non_null(strstr(err.msg, "UUID"));
	/* A row without the header refuses it like any unknown header. */
	assert_int_equal(build(&r,
	    "moengage_bulk_update_subscription_preferences", "{\"channel\":"
	    "\"email\",\"user_preferences\":[{\"customer_id\":\"u1\","
	    "\"categories\":{\"News\":false},\"unsubscribe_all\":false}]}",
	    "{\"Idempotency-Key\":\"" KEY_GIVEN "\"}", &err), ML_EINVAL);
	assert_string_equal(err.field, "headers.Idempotency-Key");
}

static void
idempotency_patch_v5_body_is_checked(void **state)
{
	static const char *const bad[][2] = {
		{ "{\"user_identifier_value\":\"a@b.c\","
		    "\"is_globally_unsubscribed\":true}", "user_identifier_type" },
		{ "{\"user_identifier_type\":\"phone\",\"user_identifier_value\":"
		    "\"1\",\"is_globally_unsubscribed\":true}",
		    "user_identifier_type" },
		{ "{\"user_identifier_type\":\"email\",\"is_globally_unsubscribed\""
		    ":true}", "user_identifier_value" },
		{ "{\"user_identifier_type\":\"email\",\"user_identifier_value\":"
		    "\"a@b.c\"}", "is_globally_unsubscribed" },
		{ "{\"user_identifier_type\":\"email\",\"user_identifier_value\":"
		    "\"a@b.c\",\"is_globally_unsubscribed\":false,\"channel\":"
		    "\"push\"}", "channel" },
		{ "{\"user_identifier_type\":\"uid\",\"user_identifier_value\":"
		    "\"u1\",\"is_globally_unsubscribed\":false,\"categories\":{"
		    "\"news\":\"yes\"}}", "categories.news" },
		{ "{\"user_identifier_type\":\"uid\",\"user_identifier_value\":"
		    "\"u1\",\"is_globally_unsubscribed\":false,\"event_attributes\""
		    ":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\","
		    "\"f\":\"6\"}}", "event_attributes" },
		{ "{\"user_identifier_type\":\"uid\",\"user_identifier_value\":"
		    "\"u1\",\"is_globally_unsubscribed\":false,\"event_attributes\""
		    ":{\"n\":7}}", "event_attributes.n" },
	};
	struct ml_request r;
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(build(&r, PATCH_V5, bad[i][0], NULL, &err),
		    ML_EINVAL);
		if (strcmp(err.field, bad[i][1]) != 0)
			fail_msg("%s: field '%s', want '%s'", bad[i][0],
			    err.field, bad[i][1]);
	}
	/* No body at all. */
	assert_int_equal(build(&r, PATCH_V5, NULL, NULL, &err), ML_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    idempotency_uuid4_is_rfc4122_version_4_and_fresh),
		cmocka_unit_test(idempotency_is_uuid_wants_8_4_4_4_12_hex),
		cmocka_unit_test(idempotency_patch_v5_gets_a_new_key_per_call),
		cmocka_unit_test(idempotency_callers_key_is_passed_through),
		cmocka_unit_test(idempotency_patch_v5_body_is_checked),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
