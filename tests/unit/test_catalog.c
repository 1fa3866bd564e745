/* SPDX-License-Identifier: MIT */
/* Unit tests: the action catalog (rows, lookup, request matching). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/catalog.h>
#include <moelink/json.h>

static void
catalog_every_schema_is_valid_json_object(void **state)
{
	const struct ml_action *const *rows;
	struct ml_err err;
	json_object *o, *props;
	size_t i, n;

	(void)state;
	rows = ml_catalog_all(&n);
	assert_true(n >= 9);
	for (i = 0; i < n; i++) {
		ml_err_clear(&err);
		o = NULL;
		if (ml_json_parse(rows[i]->input_schema,
		    strlen(rows[i]->input_schema), 0, 64, &o, &err) != ML_OK)
			fail_msg("%s: schema is not JSON: %s", rows[i]->name,
			    err.msg);
		assert_string_equal(ml_json_str(o, "type"), "object");
		props = ml_json_get(o, "properties", json_type_object);
		assert_non_null(props);
		/* Every Data row that takes a body (required, or built by
		 * default) describes it; the others (Track App Install,
		 * Trigger File Import) take a query or path instead. */
		if (rows[i]->family == ML_FAM_DATA &&
		    ((rows[i]->flags & ML_ACT_BODY_REQUIRED) ||
		    rows[i]->default_body != NULL))
			assert_non_null(ml_json_get(props, "body",
			    json_type_object));
		json_object_put(o);
	}
}

static void
catalog_rows_are_complete_and_unique(void **state)
{
	const struct ml_action *const *rows;
	size_t i, j, n;

	(void)state;
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		const struct ml_action *a = rows[i];
		assert_non_null(a->name);
		assert_int_equal(strncmp(a->name, "moengage_", 9), 0);
		assert_non_null(a->method);
		assert_non_null(a->path);
		assert_int_equal(a->path[0], '/');
		assert_non_null(a->summary);
		assert_true(strlen(a->summary) > 10);
		assert_true(a->headers & ML_HDR_APPKEY);
		assert_true((int)a->envelope >= 0 && a->envelope < ML_ENV_COUNT);
		if (a->ws_place == ML_WS_PATH)
			assert_non_null(strstr(a->path, "{workspace_id}"));
		else
			assert_null(strstr(a->path, "{workspace_id}"));
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(a->name, rows[j]->name);
	}
}

static void
catalog_data_rows_match_moengage_docs(void **state)
{
	static const struct {
		const char *name, *path;
		enum ml_ws_place ws;
		int rate;
	} want[] = {
		{ "moengage_track_user", "/v1/customer/{workspace_id}",
		    ML_WS_PATH, 10000 },
		{ "moengage_track_event", "/v1/event/{workspace_id}",
		    ML_WS_PATH, 30000 },
		{ "moengage_bulk_import", "/v1/transition/{workspace_id}",
		    ML_WS_PATH, 60000 },
		{ "moengage_track_device", "/v1/device/{workspace_id}",
		    ML_WS_PATH, 10000 },
		{ "moengage_device_opt_out", "/v1/devices/manage",
		    ML_WS_QUERY_APP_ID, 1000 },
		{ "moengage_merge_users", "/v1/customer/merge",
		    ML_WS_QUERY_APP_ID, 1000 },
		{ "moengage_delete_user", "/v1/customer/delete",
		    ML_WS_QUERY_APP_ID, 5000 },
		{ "moengage_get_user", "/v1/customers/export",
		    ML_WS_QUERY_APP_ID, 1000 },
		{ "moengage_test_connection", "/v1/integrations/authentication",
		    ML_WS_NONE, 0 },
	};
	const struct ml_action *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = ml_catalog_find(want[i].name);
		assert_non_null(a);
		assert_string_equal(a->path, want[i].path);
		assert_string_equal(a->method, "POST");
		assert_int_equal(a->ws_place, want[i].ws);
		assert_int_equal(a->rate_per_min, want[i].rate);
		assert_int_equal(a->family, ML_FAM_DATA);
		assert_int_equal(a->host, ML_HOST_API);
		assert_int_equal(a->auth, ML_AUTH_BASIC);
		assert_int_equal(a->envelope, ML_ENV_DATA);
		assert_int_equal(a->paging, ML_PAGE_NONE);
		assert_non_null(a->validate);
	}
	/* Bulk Import's own description caps a call at 100 KB. */
	assert_int_equal(ml_catalog_find("moengage_bulk_import")->max_body,
	    100 * 1024);
	assert_non_null(ml_catalog_find("moengage_test_connection")->
	    default_body);
}

static void
catalog_find_unknown_is_null(void **state)
{
	(void)state;
	assert_null(ml_catalog_find("moengage_nope"));
	assert_null(ml_catalog_find(""));
	assert_null(ml_catalog_find(NULL));
	assert_null(ml_catalog_find("MOENGAGE_TRACK_USER"));
}

static void
catalog_match_prefers_literal_segments(void **state)
{
	const struct ml_action *a;

	(void)state;
	/* "/v1/customer/merge" also fits /v1/customer/{workspace_id}. */
	a = ml_catalog_match("POST", ML_HOST_API, "/v1/customer/merge?app_id=X");
	assert_non_null(a);
	assert_string_equal(a->name, "moengage_merge_users");
	a = ml_catalog_match("POST", ML_HOST_API, "/v1/customer/delete");
	assert_string_equal(a->name, "moengage_delete_user");
	a = ml_catalog_match("POST", ML_HOST_API, "/v1/customer/WS_US01");
	assert_string_equal(a->name, "moengage_track_user");
	a = ml_catalog_match("POST", ML_HOST_API, "/v1/event/WS1");
	assert_string_equal(a->name, "moengage_track_event");
}

static void
catalog_match_rejects_near_misses(void **state)
{
	(void)state;
	assert_null(ml_catalog_match("GET", ML_HOST_API, "/v1/event/WS1"));
	assert_null(ml_catalog_match("POST", ML_HOST_PUSHAPI, "/v1/event/WS1"));
	assert_null(ml_catalog_match("POST", ML_HOST_API, "/v1/event/"));
	assert_null(ml_catalog_match("POST", ML_HOST_API, "/v1/event/a/b"));
	assert_null(ml_catalog_match("POST", ML_HOST_API, "/v1/event"));
	assert_null(ml_catalog_match("POST", ML_HOST_API, "v1/event/WS1"));
	assert_null(ml_catalog_match("POST", ML_HOST_API, NULL));
}

static void
catalog_family_of_covers_unlisted_paths(void **state)
{
	(void)state;
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v1/customer/WS1"), ML_FAM_DATA);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v1/catalog/abc/items"), ML_FAM_CATALOG);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v3/custom-segments"), ML_FAM_SEGMENTATION);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v1.0/alerts/send"), ML_FAM_INFORM);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/core-services/v1/campaign-stats"), ML_FAM_CAMPAIGN_REPORT);
	assert_int_equal(ml_catalog_family_of(ML_HOST_PUSHAPI,
	    "/v2/transaction/sendpush"), ML_FAM_PUSH);
	assert_int_equal(ml_catalog_family_of(ML_HOST_SDK,
	    "/v1/experiences/fetch"), ML_FAM_PERSONALIZE);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API, "/nothing"), -1);
}

static void
catalog_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(ml_envelope_name(ML_ENV_DATA), "data");
	assert_string_equal(ml_envelope_name(ML_ENV_CATALOG), "catalog");
	assert_string_equal(ml_envelope_name(ML_ENV_COUNT), "unknown");
	assert_string_equal(ml_paging_name(ML_PAGE_CURSOR), "cursor");
	assert_string_equal(ml_paging_name(ML_PAGE_NONE), "none");
	assert_string_equal(ml_ws_place_name(ML_WS_QUERY_APP_ID), "query");
	assert_string_equal(ml_auth_name(ML_AUTH_PUSH_SIGNATURE),
	    "push_signature");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalog_every_schema_is_valid_json_object),
		cmocka_unit_test(catalog_rows_are_complete_and_unique),
		cmocka_unit_test(catalog_data_rows_match_moengage_docs),
		cmocka_unit_test(catalog_find_unknown_is_null),
		cmocka_unit_test(catalog_match_prefers_literal_segments),
		cmocka_unit_test(catalog_match_rejects_near_misses),
		cmocka_unit_test(catalog_family_of_covers_unlisted_paths),
		cmocka_unit_test(catalog_names_are_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
