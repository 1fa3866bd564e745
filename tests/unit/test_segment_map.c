/* SPDX-License-Identifier: MIT */
/* Unit tests: Segment messages -> MoEngage Data API objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <string.h>

#include <moelink/json.h>
#include <moelink/validate.h>

#include "server/segment_map.h"

#define NOW 1764403200	/* 2025-11-29T08:00:00Z */

/* Map text; expect rc; the items must pass MoEngage's element rules. */
static int
map(const char *text, const char *implied, struct ml_segment_map_out *out,
    struct ml_err *err)
{
	json_object *msg = tu_json(text);
	size_t i;
	int rc;

	rc = ml_segment_map_message(msg, implied, NOW, out, err);
	json_object_put(msg);
	for (i = 0; rc == ML_OK && i < out->n; i++) {
		struct ml_err verr;

		if (strcmp(out->items[i].kind, "merge") == 0)
			continue;
		ml_err_clear(&verr);
		if (ml_validate_data_element(out->items[i].payload, &verr))
			fail_msg("mapped element invalid: %s (%s)", verr.msg,
			    ml_json_text(out->items[i].payload));
	}
	return rc;
}

static json_object *
attrs_of(json_object *el)
{
	return ml_json_get(el, "attributes", json_type_object);
}

static json_object *
action_of(json_object *el)
{
	return json_object_array_get_idx(ml_json_get(el, "actions",
	    json_type_array), 0);
}

static void
segment_map_identify_maps_reserved_traits(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;
	json_object *a;

	(void)state;
	assert_int_equal(map("{\"type\":\"identify\",\"userId\":\"u-42\","
	    "\"traits\":{\"email\":\"a@example.com\",\"firstName\":\"Ada\","
	    "\"lastName\":\"Lovelace\",\"phone\":\"+441234\",\"plan\":\"pro\","
	    "\"address\":{\"city\":\"London\",\"geo\":{\"lat\":51}},"
	    "\"id\":\"u-42\",\"moe_secret\":1}}", NULL, &out, &err), ML_OK);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.items[0].kind, "customer");
	assert_string_equal(out.items[0].customer_id, "u-42");
	assert_string_equal(ml_json_str(out.items[0].payload, "customer_id"),
	    "u-42");
	a = attrs_of(out.items[0].payload);
	assert_string_equal(ml_json_str(a, "u_em"), "a@example.com");
	assert_string_equal(ml_json_str(a, "u_fn"), "Ada");
	assert_string_equal(ml_json_str(a, "u_ln"), "Lovelace");
	assert_string_equal(ml_json_str(a, "u_n"), "Ada Lovelace");
	assert_string_equal(ml_json_str(a, "u_mb"), "+441234");
	assert_string_equal(ml_json_str(a, "plan"), "pro");
	assert_string_equal(ml_json_str(a, "address.city"), "London");
	assert_int_equal(ml_json_int(a, "address.geo.lat", 0), 51);
	/* "id" is the customer id, not an attribute; moe_ is refused. */
	assert_null(ml_json_get(a, "id", json_type_string));
	assert_null(ml_json_get(a, "moe_secret", json_type_int));
	assert_int_equal(out.dropped_attrs, 1);
	ml_segment_map_out_cleanup(&out);
}

static void
segment_map_customer_id_falls_back_to_anonymous(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;

	(void)state;
	assert_int_equal(map("{\"type\":\"track\",\"anonymousId\":\"anon-7\","
	    "\"event\":\"Opened\"}", NULL, &out, &err), ML_OK);
	assert_string_equal(out.items[0].customer_id, "anon-7");
	ml_segment_map_out_cleanup(&out);
	assert_int_equal(map("{\"traits\":{\"id\":\"t-1\"},"
	    "\"anonymousId\":\"anon-8\"}", "identify", &out, &err), ML_OK);
	assert_string_equal(out.items[0].customer_id, "t-1");
	ml_segment_map_out_cleanup(&out);
	assert_int_equal(map("{\"event\":\"X\"}", "track", &out, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "userId");
	assert_int_equal(out.n, 0);
}

static void
segment_map_track_becomes_event_with_time_and_platform(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;
	json_object *act;

	(void)state;
	assert_int_equal(map("{\"type\":\"track\",\"userId\":\"u1\","
	    "\"event\":\"Order Completed\",\"properties\":{\"total\":39.5,"
	    "\"items\":[\"a\",\"b\"],\"shipping\":{\"method\":\"air\"}},"
	    "\"timestamp\":\"2025-11-29T07:00:00.250+01:00\","
	    "\"context\":{\"device\":{\"type\":\"ios\"},"
	    "\"app\":{\"version\":\"3.1\"}}}", NULL, &out, &err), ML_OK);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.items[0].kind, "event");
	act = action_of(out.items[0].payload);
	assert_string_equal(ml_json_str(act, "action"), "Order Completed");
	assert_string_equal(ml_json_str(act, "platform"), "iOS");
	assert_string_equal(ml_json_str(act, "app_version"), "3.1");
	/* 07:00+01:00 is 06:00Z: two hours before NOW. */
	assert_int_equal(ml_json_int(act, "current_time", 0), NOW - 7200);
	assert_string_equal(ml_json_str(attrs_of(act), "shipping.method"),
	    "air");
	assert_non_null(ml_json_get(attrs_of(act), "items", json_type_array));
	ml_segment_map_out_cleanup(&out);
}

static void
segment_map_future_time_is_clamped_to_now(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;

	(void)state;
	assert_int_equal(map("{\"userId\":\"u1\",\"event\":\"E\","
	    "\"timestamp\":\"2099-01-01T00:00:00Z\"}", "track", &out, &err),
	    ML_OK);
	assert_int_equal(ml_json_int(action_of(out.items[0].payload),
	    "current_time", 0), NOW);
	ml_segment_map_out_cleanup(&out);
}

static void
segment_map_page_and_screen_names(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;
	json_object *act;

	(void)state;
	assert_int_equal(map("{\"userId\":\"u1\",\"properties\":{\"url\":"
	    "\"https://x.test/\"},\"context\":{\"userAgent\":\"Mozilla\"}}",
	    "page", &out, &err), ML_OK);
	act = action_of(out.items[0].payload);
	assert_string_equal(ml_json_str(act, "action"), "Loaded a Page");
	assert_string_equal(ml_json_str(act, "platform"), "web");
	ml_segment_map_out_cleanup(&out);
	assert_int_equal(map("{\"type\":\"screen\",\"userId\":\"u1\","
	    "\"name\":\"Home\",\"category\":\"main\"}", NULL, &out, &err),
	    ML_OK);
	act = action_of(out.items[0].payload);
	assert_string_equal(ml_json_str(act, "action"), "Viewed Home Screen");
	assert_string_equal(ml_json_str(attrs_of(act), "name"), "Home");
	assert_string_equal(ml_json_str(attrs_of(act), "category"), "main");
	ml_segment_map_out_cleanup(&out);
	assert_int_equal(map("{\"userId\":\"u1\",\"name\":\"Pricing\"}",
	    "page", &out, &err), ML_OK);
	assert_string_equal(ml_json_str(action_of(out.items[0].payload),
	    "action"), "Viewed Pricing Page");
	ml_segment_map_out_cleanup(&out);
}

static void
segment_map_alias_becomes_merge_pair(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;

	(void)state;
	assert_int_equal(map("{\"type\":\"alias\",\"previousId\":\"anon-1\","
	    "\"userId\":\"u-1\"}", NULL, &out, &err), ML_OK);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.items[0].kind, "merge");
	assert_string_equal(ml_json_str(out.items[0].payload, "merged_user"),
	    "anon-1");
	assert_string_equal(ml_json_str(out.items[0].payload,
	    "retained_user"), "u-1");
	ml_segment_map_out_cleanup(&out);
	assert_int_equal(map("{\"previousId\":\"u\",\"userId\":\"u\"}",
	    "alias", &out, &err), ML_EINVAL);
	assert_int_equal(map("{\"userId\":\"u\"}", "alias", &out, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "previousId");
}

static void
segment_map_refuses_group_and_type_mismatch(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;

	(void)state;
	assert_int_equal(map("{\"type\":\"group\",\"userId\":\"u\","
	    "\"groupId\":\"g\"}", NULL, &out, &err), ML_EINVAL);
	assert_string_equal(err.kind, "unsupported_type");
	assert_int_equal(map("{\"type\":\"identify\",\"userId\":\"u\"}",
	    "track", &out, &err), ML_EINVAL);
	assert_string_equal(err.field, "type");
	assert_int_equal(map("{\"userId\":\"u\"}", NULL, &out, &err),
	    ML_EINVAL);
	assert_int_equal(map("[]", NULL, &out, &err), ML_EINVAL);
	assert_int_equal(map("{\"userId\":\"u\",\"event\":\"\"}", "track",
	    &out, &err), ML_EINVAL);
	assert_string_equal(err.field, "event");
}

static void
segment_map_identify_with_push_token_adds_device(void **state)
{
	struct ml_segment_map_out out;
	struct ml_err err;
	json_object *a;

	(void)state;
	assert_int_equal(map("{\"userId\":\"u1\",\"traits\":{},\"context\":{"
	    "\"device\":{\"type\":\"android\",\"id\":\"dev-1\",\"token\":"
	    "\"tok-9\",\"model\":\"Pixel\"},\"os\":{\"version\":\"15\"}}}",
	    "identify", &out, &err), ML_OK);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.items[1].kind, "device");
	assert_string_equal(ml_json_str(out.items[1].payload, "device_id"),
	    "dev-1");
	a = attrs_of(out.items[1].payload);
	assert_string_equal(ml_json_str(a, "platform"), "ANDROID");
	assert_string_equal(ml_json_str(a, "push_id"), "tok-9");
	assert_string_equal(ml_json_str(a, "os_version"), "15");
	ml_segment_map_out_cleanup(&out);
}

static void
segment_map_time_parses_iso_forms(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(ml_segment_map_time("2025-11-29T08:00:00Z", &t),
	    ML_OK);
	assert_int_equal(t, NOW);
	assert_int_equal(ml_segment_map_time("2025-11-29T13:30:00.5+05:30",
	    &t), ML_OK);
	assert_int_equal(t, NOW);
	assert_int_equal(ml_segment_map_time("2025-11-29", &t), ML_OK);
	assert_int_equal(t, NOW - 8 * 3600);
	assert_int_equal(ml_segment_map_time("2025-13-01T00:00:00Z", &t),
	    ML_EINVAL);
	assert_int_equal(ml_segment_map_time("yesterday", &t), ML_EINVAL);
	assert_int_equal(ml_segment_map_time("2025-11-29T08:00:00Zjunk", &t),
	    ML_EINVAL);
	assert_int_equal(ml_segment_map_time(NULL, &t), ML_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(segment_map_identify_maps_reserved_traits),
		cmocka_unit_test(segment_map_customer_id_falls_back_to_anonymous),
		cmocka_unit_test(segment_map_track_becomes_event_with_time_and_platform),
		cmocka_unit_test(segment_map_future_time_is_clamped_to_now),
		cmocka_unit_test(segment_map_page_and_screen_names),
		cmocka_unit_test(segment_map_alias_becomes_merge_pair),
		cmocka_unit_test(segment_map_refuses_group_and_type_mismatch),
		cmocka_unit_test(segment_map_identify_with_push_token_adds_device),
		cmocka_unit_test(segment_map_time_parses_iso_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
