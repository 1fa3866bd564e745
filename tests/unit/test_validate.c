/* SPDX-License-Identifier: MIT */
/* Unit tests: MoEngage input rules checked before sending (validate.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <moelink/catalog.h>
#include <moelink/json.h>
#include <moelink/validate.h>

/*
 * Run fn on the JSON text; want_field NULL means "must pass", otherwise the
 * call must fail with validation_failed on exactly that field and a message
 * containing want_text (if not NULL).
 */
static void
check(ml_validate_fn fn, const char *text, const char *want_field,
    const char *want_text)
{
	struct ml_err err;
	json_object *o = NULL;
	int rc;

	ml_err_clear(&err);
	if (ml_json_parse(text, strlen(text), 0, 0, &o, &err) != ML_OK)
		fail_msg("test input is not JSON: %s", text);
	ml_err_clear(&err);
	rc = fn(o, NULL, &err);
	json_object_put(o);
	if (want_field == NULL) {
		if (rc != ML_OK)
			fail_msg("expected %s to pass, got: %s", text, err.msg);
		return;
	}
	if (rc != ML_EINVAL)
		fail_msg("expected %s to fail on %s", text, want_field);
	assert_string_equal(err.kind, "validation_failed");
	if (strcmp(err.field, want_field) != 0)
		fail_msg("%s: field '%s', expected '%s' (%s)", text, err.field,
		    want_field, err.msg);
	if (want_text != NULL && strstr(err.msg, want_text) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", text, err.msg,
		    want_text);
}

static int
elem(json_object *body, json_object *query, struct ml_err *err)
{
	(void)query;
	return ml_validate_data_element(body, err);
}

static void
validate_type_must_be_lowercase(void **state)
{
	(void)state;
	check(ml_validate_track_user,
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"}", NULL, NULL);
	check(ml_validate_track_user,
	    "{\"type\":\"Customer\",\"customer_id\":\"u1\"}", "type",
	    "lowercase");
	check(ml_validate_track_user, "{\"customer_id\":\"u1\"}", "type", NULL);
	check(ml_validate_track_event,
	    "{\"type\":\"EVENT\",\"customer_id\":\"u1\",\"actions\":"
	    "[{\"action\":\"a\"}]}", "type", "lowercase");
	check(ml_validate_track_device,
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"}", "type",
	    "\"device\"");
	check(ml_validate_bulk_import,
	    "{\"type\":\"Transition\",\"elements\":[]}", "type", "lowercase");
}

static void
validate_blocked_customer_ids_refused(void **state)
{
	static const char *const blocked[] = { "unknown", "guest", "null",
	    "0", "1", "true", "false", "user_attribute_unique_id", "na", "n/a",
	    "''", "dummy_seller_code", "user_id", "id", "customer_id", "uid",
	    "userid", "none", "-2", "-1", "2", "GUEST", " null ", "None" };
	char text[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
		snprintf(text, sizeof(text), "{\"type\":\"customer\","
		    "\"customer_id\":\"%s\"}", blocked[i]);
		check(ml_validate_track_user, text, "customer_id",
		    "placeholder");
	}
	/* Numbers are stringified by MoEngage: 0, 1, 2, -1 are blocked. */
	check(ml_validate_track_user,
	    "{\"type\":\"customer\",\"customer_id\":1}", "customer_id", NULL);
	check(ml_validate_track_user,
	    "{\"type\":\"customer\",\"customer_id\":12345}", NULL, NULL);
	check(ml_validate_track_user,
	    "{\"type\":\"customer\",\"customer_id\":\"\"}", "customer_id",
	    "empty");
	check(ml_validate_track_user,
	    "{\"type\":\"customer\",\"customer_id\":\"guest_42\"}", NULL, NULL);
	assert_false(ml_validate_customer_id_blocked("john@example.com"));
	assert_true(ml_validate_customer_id_blocked(""));
}

static void
validate_customer_id_or_identity_resolution(void **state)
{
	(void)state;
	check(ml_validate_track_user, "{\"type\":\"customer\"}", "customer_id",
	    "Identity Resolution");
	/* Identity Resolution: an identifier in attributes instead. */
	check(ml_validate_track_user, "{\"type\":\"customer\",\"attributes\":"
	    "{\"moe_mobile\":\"+9198\"}}", NULL, NULL);
	check(ml_validate_track_event, "{\"type\":\"event\",\"user_identifiers\":"
	    "{\"moe_mobile\":\"+91\"},\"actions\":[{\"action\":\"a\"}]}", NULL,
	    NULL);
	check(ml_validate_track_event, "{\"type\":\"event\",\"actions\":"
	    "[{\"action\":\"a\"}]}", "customer_id", "user_identifiers");
	check(ml_validate_track_device, "{\"type\":\"device\",\"device_id\":"
	    "\"d\",\"attributes\":{\"platform\":\"ANDROID\",\"push_id\":\"t\"}}",
	    "customer_id", NULL);
}

static void
validate_reserved_attribute_names(void **state)
{
	(void)state;
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"moe_score\":1}}", "attributes.moe_score",
	    "moe_");
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"id\":1}}", "attributes.id", "reserved");
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"_id\":1}}", "attributes._id", NULL);
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"\":1}}", "attributes", "empty");
	/* MoEngage's own moe_ attributes are fine. */
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"moe_unsubscribe\":true,"
	    "\"moe_email_optin_status\":\"OPTED_OUT\",\"name\":\"J\"}}", NULL,
	    NULL);
	/* Event names and event attributes. */
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"moe_custom\"}]}",
	    "actions[0].action", "moe_");
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"ok\"},{\"action\":\"b\","
	    "\"attributes\":{\"MOE_x\":1}}]}", "actions[1].attributes.MOE_x",
	    NULL);
	/* "id" is only reserved for user attributes. */
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"Bought\",\"attributes\":"
	    "{\"id\":\"sku1\"}}]}", NULL, NULL);
}

static void
validate_array_operators(void **state)
{
	(void)state;
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"addValueToArrayField\":{\"tags\":[\"a\"]},"
	    "\"removeValueFromArrayField\":{\"tags\":[\"b\"]}}}", "attributes",
	    "add and remove");
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"tags\":[],\"addValueToArrayField\":"
	    "{\"tags\":[\"a\"]}}}", "attributes", "same call");
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"addValueToArrayField\":{\"tags\":[\"a\"]},"
	    "\"removeValueFromArrayField\":{\"cats\":[\"b\"]}}}", NULL, NULL);
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"unset_attributes\":[{\"type\":\"regex\",\"attr\":\"x\"}]}",
	    "unset_attributes[0].type", "equals");
}

static void
validate_platform_spellings(void **state)
{
	static const char *const ok[] = { "ANDROID", "Android", "iOS", "IOS",
	    "web", "Web", "TV", "unknown", "Windows" };
	static const char *const bad[] = { "", "andriod", "ios7", "mac",
	    "AndroidTV" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(ml_validate_platform_ok(ok[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(ml_validate_platform_ok(bad[i]));
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"a\",\"platform\":\"mac\"}]}",
	    "actions[0].platform", "ANDROID, iOS, web, TV or unknown");
	check(ml_validate_track_user, "{\"type\":\"customer\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"platforms\":[{\"platform\":\"Symbian\","
	    "\"active\":\"true\"}]}}", "attributes.platforms[0].platform", NULL);
}

static void
validate_event_actions(void **state)
{
	(void)state;
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[]}", "actions", "empty");
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\"}", "actions", "required");
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"attributes\":{}}]}", "actions[0].action",
	    "required");
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"\"}]}", "actions[0].action",
	    "empty");
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[\"Bought\"]}", "actions[0]", NULL);
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"a\",\"user_timezone_offset\":"
	    "54001}]}", "actions[0].user_timezone_offset", "54000");
	check(ml_validate_track_event, "{\"type\":\"event\",\"customer_id\":"
	    "\"u1\",\"actions\":[{\"action\":\"Flight Booked\",\"attributes\":"
	    "{\"price\":3999},\"platform\":\"iOS\",\"current_time\":1433837969,"
	    "\"user_timezone_offset\":19800}]}", NULL, NULL);
}

static void
validate_device_needs_platform_and_push_id(void **state)
{
	(void)state;
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d1\",\"attributes\":{\"platform\":"
	    "\"ANDROID\",\"push_id\":\"tok\",\"moe_push_opted\":\"True\"}}",
	    NULL, NULL);
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d1\",\"attributes\":{\"platform\":"
	    "\"ANDROID\"}}", "attributes.push_id", "required");
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d1\",\"attributes\":{\"push_id\":\"t\"}}",
	    "attributes.platform", "required");
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"attributes\":{\"platform\":\"iOS\",\"push_id\":\"t\"}}",
	    "device_id", NULL);
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d\"}", "attributes", NULL);
	/* Track Device takes DeviceAttributes' enum exactly (its 400 is
	 * documented); only Bulk's example writes "Windows". */
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d1\",\"attributes\":{\"platform\":"
	    "\"TV\",\"push_id\":\"t\"}}", NULL, NULL);
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d1\",\"attributes\":{\"platform\":"
	    "\"Android\",\"push_id\":\"t\"}}", "attributes.platform",
	    "ANDROID, iOS, web or TV");
	check(ml_validate_track_device, "{\"type\":\"device\",\"customer_id\":"
	    "\"u1\",\"device_id\":\"d1\",\"attributes\":{\"platform\":"
	    "\"Windows\",\"push_id\":\"t\"}}", "attributes.platform", NULL);
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":"
	    "[{\"type\":\"device\",\"customer_id\":\"u1\",\"device_id\":"
	    "\"d1\",\"attributes\":{\"platform\":\"Windows\",\"push_id\":"
	    "\"t\"}}]}", NULL, NULL);
}

static void
validate_get_user_at_most_20(void **state)
{
	char text[4096];
	size_t used, i;

	(void)state;
	used = (size_t)snprintf(text, sizeof(text),
	    "{\"data\":{\"identifiers\":[");
	for (i = 0; i < 21; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%s{\"identifier_type\":\"customer_id\",\"identifier\":"
		    "\"u%zu\"}", i ? "," : "", i);
	snprintf(text + used, sizeof(text) - used, "]}}");
	check(ml_validate_get_user, text, "data.identifiers", "at most 20");
	check(ml_validate_get_user, "{\"data\":{\"identifiers\":[{"
	    "\"identifier_type\":\"id\",\"identifier\":\"62e7\"},{"
	    "\"identifier_type\":\"moengage_id\",\"identifier\":\"x\"}],"
	    "\"user_fields_to_export\":[\"name\"]}}", NULL, NULL);
	check(ml_validate_get_user, "{\"identifiers\":[]}", "data", NULL);
	check(ml_validate_get_user, "{\"data\":{\"identifiers\":[]}}",
	    "data.identifiers", "empty");
	check(ml_validate_get_user, "{\"data\":{\"identifiers\":[{"
	    "\"identifier_type\":\"email\",\"identifier\":\"a\"}]}}",
	    "data.identifiers[0].identifier_type", "customer_id");
}

static void
validate_merge_at_most_50_pairs(void **state)
{
	char text[8192];
	size_t used, i;

	(void)state;
	used = (size_t)snprintf(text, sizeof(text), "{\"merge_data\":[");
	for (i = 0; i < 51; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%s{\"merged_user\":\"a%zu\",\"retained_user\":\"b%zu\"}",
		    i ? "," : "", i, i);
	snprintf(text + used, sizeof(text) - used, "]}");
	check(ml_validate_merge_users, text, "merge_data", "at most 50");
	check(ml_validate_merge_users, "{\"merge_data\":[{\"merged_user\":\"a\","
	    "\"retained_user\":\"b\"}]}", NULL, NULL);
	check(ml_validate_merge_users, "{\"merge_data\":[{\"merged_user\":\"a\","
	    "\"retained_user\":\"a\"}]}", "merge_data[0].retained_user", NULL);
	check(ml_validate_merge_users, "{\"merge_data\":[{\"merged_user\":\"a\""
	    "}]}", "merge_data[0].retained_user", "required");
}

static void
validate_delete_identity_type(void **state)
{
	(void)state;
	check(ml_validate_delete_user, "{\"identity_type\":\"customer_id\","
	    "\"identity_value\":\"u1\"}", NULL, NULL);
	check(ml_validate_delete_user, "{\"identity_type\":\"moengage_id\","
	    "\"identity_value\":\"6416\"}", NULL, NULL);
	check(ml_validate_delete_user, "{\"identity_type\":\"email\","
	    "\"identity_value\":\"u1\"}", "identity_type", "moengage_id");
	check(ml_validate_delete_user, "{\"identity_type\":\"customer_id\"}",
	    "identity_value", NULL);
}

static void
validate_opt_out_fields(void **state)
{
	(void)state;
	check(ml_validate_device_opt_out, "{\"user_identifier_type\":"
	    "\"customer_id\",\"user_identifier_value\":\"u1\",\"action_type\":"
	    "\"block\",\"device_identifiers\":[{\"push_id\":\"t\"}]}", NULL,
	    NULL);
	check(ml_validate_device_opt_out, "{\"user_identifier_type\":"
	    "\"customer_id\",\"user_identifier_value\":\"u1\",\"action_type\":"
	    "\"mute\"}", "action_type", "block");
	check(ml_validate_device_opt_out, "{\"user_identifier_type\":"
	    "\"customer_id\",\"user_identifier_value\":\"u1\",\"action_type\":"
	    "\"unblock\",\"device_identifiers\":[{\"imei\":\"1\"}]}",
	    "device_identifiers[0].imei", NULL);
}

static void
validate_bulk_elements_like_single_apis(void **state)
{
	(void)state;
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":"
	    "[]}", "elements", "empty");
	check(ml_validate_bulk_import, "{\"type\":\"transition\"}", "elements",
	    "required");
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":["
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"},"
	    "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":[{\"action\":"
	    "\"a\",\"platform\":\"web\"}]},"
	    "{\"type\":\"device\",\"customer_id\":\"u1\",\"device_id\":\"d\","
	    "\"attributes\":{\"platform\":\"iOS\",\"push_id\":\"t\"}}]}", NULL,
	    NULL);
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":["
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"},"
	    "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":[{\"action\":"
	    "\"a\",\"platform\":\"Nokia\"}]}]}", "elements[1].actions[0].platform",
	    NULL);
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":["
	    "{\"type\":\"Customer\",\"customer_id\":\"u1\"}]}",
	    "elements[0].type", "lowercase");
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":["
	    "{\"type\":\"segment\"}]}", "elements[0].type", NULL);
	check(ml_validate_bulk_import, "{\"type\":\"transition\",\"elements\":["
	    "{\"type\":\"customer\",\"customer_id\":\"null\"}]}",
	    "elements[0].customer_id", NULL);
	/* The exported per-element check is the same rule set. */
	check(elem, "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":[]}",
	    "actions", NULL);
	check(elem, "[1]", "", NULL);
}

static void
validate_body_must_be_object(void **state)
{
	(void)state;
	check(ml_validate_track_user, "[]", "body", "object");
	check(ml_validate_track_user, "\"customer\"", "body", NULL);
	check(ml_validate_test_connection, "{\"app_id\":\"W\",\"app_secret\":"
	    "\"k\",\"source\":\"t\",\"region\":\"01\"}", NULL, NULL);
	check(ml_validate_test_connection, "{\"app_id\":\"W\"}", "app_secret",
	    NULL);
}

static void
validate_every_data_row_rejects_missing_body(void **state)
{
	const struct ml_action *const *rows;
	struct ml_err err;
	size_t i, n;

	(void)state;
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		/* Rows without a body (Track App Install, Trigger File
		 * Import) take their input in the query or path. */
		if (rows[i]->family != ML_FAM_DATA || rows[i]->validate == NULL ||
		    (!(rows[i]->flags & ML_ACT_BODY_REQUIRED) &&
		    rows[i]->default_body == NULL))
			continue;
		ml_err_clear(&err);
		assert_int_equal(rows[i]->validate(NULL, NULL, &err), ML_EINVAL);
		assert_string_equal(err.field, "body");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validate_type_must_be_lowercase),
		cmocka_unit_test(validate_blocked_customer_ids_refused),
		cmocka_unit_test(validate_customer_id_or_identity_resolution),
		cmocka_unit_test(validate_reserved_attribute_names),
		cmocka_unit_test(validate_array_operators),
		cmocka_unit_test(validate_platform_spellings),
		cmocka_unit_test(validate_event_actions),
		cmocka_unit_test(validate_device_needs_platform_and_push_id),
		cmocka_unit_test(validate_get_user_at_most_20),
		cmocka_unit_test(validate_merge_at_most_50_pairs),
		cmocka_unit_test(validate_delete_identity_type),
		cmocka_unit_test(validate_opt_out_fields),
		cmocka_unit_test(validate_bulk_elements_like_single_apis),
		cmocka_unit_test(validate_body_must_be_object),
		cmocka_unit_test(validate_every_data_row_rejects_missing_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
