/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the Broadcast Live Activities validators (validate_push.c,
 * live-activities.yaml): what start, update and end require, the alert's
 * closed set of members (the file's extra_forbidden example) and the
 * 5120-byte cap of the ios object, each refusal naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include <moelink/catalog.h>
#include <moelink/json.h>

#include "moengage/validate_fam_int.h"

#define ALERT "\"alert\":{\"title\":\"Goal\",\"body\":\"1-0\"}"
#define START_OK \
	"{\"broadcast_live_activity_id\":\"la1\",\"ios\":{\"attribute_type\":" \
	"\"T\",\"attribute_info\":{\"a\":1},\"content_state\":{},"  ALERT "}}"
#define UPDATE_OK \
	"{\"broadcast_live_activity_id\":\"la1\",\"instance_id\":\"i1\"," \
	"\"ios\":{\"stale_date\":1750000000,\"content_state\":{\"s\":1}," \
	"\"alert\":{\"title\":\"t\",\"body\":{\"k\":\"v\"},\"sound\":" \
	"\"default\"}}}"

static int
check(ml_validate_fn fn, const char *body, struct ml_err *err)
{
	json_object *b = tu_json(body);
	int rc;

	ml_err_clear(err);
	rc = fn(b, NULL, err);
	json_object_put(b);
	return rc;
}

static void
validate_push_live_activity_accepts_the_files_examples(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(check(ml_validate_live_activity_start, START_OK, &err),
	    ML_OK);
	assert_int_equal(check(ml_validate_live_activity_update, UPDATE_OK,
	    &err), ML_OK);
	/* The rows point at them. */
	assert_ptr_equal(ml_catalog_find("moengage_end_live_activity")->validate,
	    ml_validate_live_activity_update);
	assert_true(ml_catalog_find("moengage_start_live_activity")->headers &
	    ML_HDR_X_APPKEY);
}

static void
validate_push_live_activity_refusals_name_the_field(void **state)
{
	static const struct {
		int start;
		const char *body, *field;
	} bad[] = {
		{ 1, "{\"ios\":{}}", "broadcast_live_activity_id" },
		{ 1, "{\"broadcast_live_activity_id\":\"x\"}", "ios" },
		{ 1, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"attribute_info\":{},\"content_state\":{}," ALERT "}}",
		    "ios.attribute_type" },
		{ 1, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"attribute_type\":\"T\",\"content_state\":{}," ALERT "}}",
		    "ios.attribute_info" },
		{ 0, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{" ALERT
		    "}}", "ios.content_state" },
		{ 0, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"content_state\":{}}}", "ios.alert" },
		{ 0, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"content_state\":{},\"alert\":{\"body\":\"b\"}}}",
		    "ios.alert.title" },
		{ 0, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"content_state\":{},\"alert\":{\"title\":\"t\",\"body\":1}}}",
		    "ios.alert.body" },
		{ 0, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"content_state\":{},\"alert\":{\"title\":\"t\",\"body\":"
		    "\"b\",\"metrics\":{}}}}", "ios.alert.metrics" },
		{ 0, "{\"broadcast_live_activity_id\":\"x\",\"ios\":{"
		    "\"dismissal_date\":\"soon\",\"content_state\":{}," ALERT "}}",
		    "ios.dismissal_date" },
	};
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(bad[i].start ?
		    ml_validate_live_activity_start :
		    ml_validate_live_activity_update, bad[i].body, &err),
		    ML_EINVAL);
		if (strcmp(err.field, bad[i].field) != 0)
			fail_msg("%s: field '%s', want '%s'", bad[i].body,
			    err.field, bad[i].field);
	}
}

static void
validate_push_live_activity_ios_over_5120_bytes(void **state)
{
	char body[8192], pad[5200];
	struct ml_err err;

	(void)state;
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"broadcast_live_activity_id\":\"x\","
	    "\"ios\":{\"content_state\":{\"p\":\"%s\"}," ALERT "}}", pad);
	assert_int_equal(check(ml_validate_live_activity_update, body, &err),
	    ML_ETOOBIG);
	assert_string_equal(err.field, "ios");
	assert_non_null(strstr(err.msg, "5120"));
	/* Just under the cap passes. */
	pad[5000] = '\0';
	snprintf(body, sizeof(body), "{\"broadcast_live_activity_id\":\"x\","
	    "\"ios\":{\"content_state\":{\"p\":\"%s\"}," ALERT "}}", pad);
	assert_int_equal(check(ml_validate_live_activity_update, body, &err),
	    ML_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    validate_push_live_activity_accepts_the_files_examples),
		cmocka_unit_test(
		    validate_push_live_activity_refusals_name_the_field),
		cmocka_unit_test(validate_push_live_activity_ios_over_5120_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
