/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: catalog rows added from the audit of MoEngage's OpenAPI files
 * (docs/actions.md): each row says what its file says (method, host kind,
 * path, where the workspace id goes, auth, headers, documented limits), a
 * concrete request maps back to it, and its validator refuses what the file
 * marks required or outside an enum, naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/catalog.h>
#include <moelink/json.h>
#include <moelink/validate.h>

#include "moengage/validate_fam_int.h"
#include "test_util.h"

struct want_row {
	const char *name, *method, *path, *concrete;
	enum ml_host_kind host;
	enum ml_family family;
	enum ml_ws_place ws;
	enum ml_auth auth;
	unsigned headers;
	int rate_per_min;
	size_t max_body;
};

static const struct want_row want_rows[] = {
	/* gdpr-ccpa.yaml: app id in the path, Data key, no documented rate. */
	{ "moengage_submit_gdpr_request", "POST",
	    "/v1/opengdpr_requests/{workspace_id}",
	    "/v1/opengdpr_requests/WS1", ML_HOST_API, ML_FAM_DATA, ML_WS_PATH,
	    ML_AUTH_BASIC, ML_HDR_APPKEY, 0, 0 },
	/* message-archival.yaml: Data key, MOE-APPKEY, 1000 RPM. */
	{ "moengage_view_archived_message", "POST", "/v1/archival/view",
	    "/v1/archival/view", ML_HOST_API, ML_FAM_DATA, ML_WS_NONE,
	    ML_AUTH_BASIC, ML_HDR_APPKEY, 1000, 0 },
	/* data.yaml: File Imports on their own host, base /v1.0/data. */
	{ "moengage_trigger_file_import", "POST",
	    "/v1.0/data/fileimports/trigger/{schedule_id}",
	    "/v1.0/data/fileimports/trigger/abc", ML_HOST_FILEIMPORTS,
	    ML_FAM_DATA, ML_WS_NONE, ML_AUTH_BASIC, ML_HDR_APPKEY, 0, 0 },
	{ "moengage_get_file_imports", "POST",
	    "/v1.0/data/fileimports/import/status",
	    "/v1.0/data/fileimports/import/status", ML_HOST_FILEIMPORTS,
	    ML_FAM_DATA, ML_WS_NONE, ML_AUTH_BASIC, ML_HDR_APPKEY, 50, 0 },
	{ "moengage_get_file_import_history", "POST",
	    "/v1.0/data/fileimports/import/run/history",
	    "/v1.0/data/fileimports/import/run/history", ML_HOST_FILEIMPORTS,
	    ML_FAM_DATA, ML_WS_NONE, ML_AUTH_BASIC, ML_HDR_APPKEY, 50, 0 },
	/* subscription-categories-v5.yaml: the two reads, 100/min. */
	{ "moengage_list_subscription_categories", "GET",
	    "/v5/subscription-categories", "/v5/subscription-categories",
	    ML_HOST_API, ML_FAM_SUBSCRIPTION, ML_WS_NONE, ML_AUTH_BASIC,
	    ML_HDR_APPKEY, 100, 0 },
	{ "moengage_get_subscription_preferences_v5", "GET",
	    "/v5/subscription-preferences", "/v5/subscription-preferences",
	    ML_HOST_API, ML_FAM_SUBSCRIPTION, ML_WS_NONE, ML_AUTH_BASIC,
	    ML_HDR_APPKEY, 100, 0 },
	/* data.yaml: security [], the workspace id in the appId query. */
	{ "moengage_track_install", "GET", "/v1/installInfo",
	    "/v1/installInfo", ML_HOST_API, ML_FAM_DATA, ML_WS_NONE,
	    ML_AUTH_NONE, ML_HDR_APPKEY, 0, 0 },
};

static void
catalog_docs_rows_match_the_openapi_files(void **state)
{
	const struct want_row *w;
	const struct ml_action *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want_rows) / sizeof(want_rows[0]); i++) {
		w = &want_rows[i];
		a = ml_catalog_find(w->name);
		if (a == NULL)
			fail_msg("no row %s", w->name);
		assert_string_equal(a->method, w->method);
		assert_string_equal(a->path, w->path);
		assert_int_equal(a->host, w->host);
		assert_int_equal(a->family, w->family);
		assert_int_equal(a->ws_place, w->ws);
		assert_int_equal(a->auth, w->auth);
		assert_int_equal(a->headers, w->headers);
		assert_int_equal(a->rate_per_min, w->rate_per_min);
		assert_int_equal(a->max_body, w->max_body);
		assert_non_null(a->validate);
		/* The proxy and the simulator's journal find the row back. */
		assert_ptr_equal(ml_catalog_match(w->method, w->host,
		    w->concrete), a);
	}
}

/*
 * fn on a body and a query (JSON texts, NULL for none): ML_OK when
 * want_field is NULL, else a validation failure naming want_field.
 */
static void
check_in(ml_validate_fn fn, const char *body_text, const char *query_text,
    const char *want_field)
{
	struct ml_err err;
	json_object *body = tu_json(body_text), *query = tu_json(query_text);
	int rc;

	body_text = body_text != NULL ? body_text : "(no body)";
	query_text = query_text != NULL ? query_text : "(no query)";
	ml_err_clear(&err);
	rc = fn(body, query, &err);
	json_object_put(body);
	json_object_put(query);
	if (want_field == NULL) {
		if (rc != ML_OK)
			fail_msg("%s %s: refused: %s", body_text, query_text,
			    err.msg);
		return;
	}
	if (rc != ML_EINVAL)
		fail_msg("%s %s: accepted, expected a refusal of %s", body_text,
		    query_text, want_field);
	assert_string_equal(err.kind, "validation_failed");
	if (strcmp(err.field, want_field) != 0)
		fail_msg("%s %s: field %s, expected %s", body_text, query_text,
		    err.field, want_field);
}

#define check(fn, body, want) check_in((fn), (body), NULL, (want))
#define check_query(fn, query, want) check_in((fn), NULL, (query), (want))

#define GDPR_HEAD "{\"request_type\":\"erasure\",\"submitted_time\":" \
	"\"2018-10-05T15:00:00Z\",\"api_version\":\"1.0\","

static void
catalog_docs_gdpr_request_fields(void **state)
{
	ml_validate_fn fn = ml_validate_gdpr_request;

	(void)state;
	check(fn, GDPR_HEAD "\"identities\":[{\"identity_type\":\"email\","
	    "\"identity_value\":\"ann@example.com\"}]}", NULL);
	check(fn, GDPR_HEAD "\"identities\":[{\"identity_type\":\"ID\","
	    "\"identity_value\":\"u1\"},{\"identity_type\":\"mobile\","
	    "\"identity_value\":\"+15550100\"}]}", NULL);
	check(fn, "{\"submitted_time\":\"2018-10-05T15:00:00Z\","
	    "\"api_version\":\"1.0\",\"identities\":[{\"identity_type\":"
	    "\"ID\",\"identity_value\":\"u1\"}]}", "request_type");
	check(fn, "{\"request_type\":\"erasure\",\"api_version\":\"1.0\","
	    "\"identities\":[{\"identity_type\":\"ID\",\"identity_value\":"
	    "\"u1\"}]}", "submitted_time");
	check(fn, GDPR_HEAD "\"identities\":[]}", "identities");
	check(fn, "{\"request_type\":\"erasure\",\"submitted_time\":\"x\","
	    "\"api_version\":\"1.0\"}", "identities");
	check(fn, GDPR_HEAD "\"identities\":[{\"identity_type\":\"customer_id\","
	    "\"identity_value\":\"u1\"}]}", "identities[0].identity_type");
	check(fn, GDPR_HEAD "\"identities\":[{\"identity_type\":\"email\"}]}",
	    "identities[0].identity_value");
}

#define ARCH_HEAD "{\"user_id\":\"u1\",\"delivery_type\":\"ONE_TIME\"," \
	"\"campaign_type\":\"sms\",\"campaign_channel\":\"SMS\"," \
	"\"campaign_id\":\"c1\",\"platform\":\"SMS\","

static void
catalog_docs_archival_fields_and_enums(void **state)
{
	ml_validate_fn fn = ml_validate_view_archived_message;

	(void)state;
	check(fn, ARCH_HEAD "\"event_name\":\"SMS Sent\","
	    "\"sent_epoch_time\":1716972486}", NULL);
	check(fn, ARCH_HEAD "\"event_name\":\"SMS Sent\","
	    "\"sent_epoch_time\":1716972486,\"event_id\":\"e1\"}", NULL);
	check(fn, ARCH_HEAD "\"event_name\":\"SMS Clicked\","
	    "\"sent_epoch_time\":1716972486}", "event_name");
	check(fn, ARCH_HEAD "\"event_name\":\"SMS Sent\"}",
	    "sent_epoch_time");
	check(fn, ARCH_HEAD "\"event_name\":\"SMS Sent\","
	    "\"sent_epoch_time\":\"1716972486\"}", "sent_epoch_time");
	check(fn, "{\"delivery_type\":\"ONE_TIME\"}", "user_id");
	check(fn, "{\"user_id\":\"u1\",\"delivery_type\":\"DAILY\"}",
	    "delivery_type");
}

static void
catalog_docs_file_import_filters(void **state)
{
	ml_validate_fn st = ml_validate_file_import_status;
	ml_validate_fn hist = ml_validate_file_import_history;

	(void)state;
	check(st, "{}", NULL);
	/* The schema's single value and the example's array both pass. */
	check(st, "{\"import_type\":\"USERS\",\"offset\":2}", NULL);
	check(st, "{\"import_name\":\"test_import\",\"import_type\":["
	    "\"USERS\",\"EVENTS\",\"AUX_DATA\"],\"date\":{\"start_date\":"
	    "\"14/11/2024\",\"end_date\":\"14/11/2024\",\"format\":"
	    "\"DD/MM/YYYY\"},\"schedule_type\":[\"PERIODIC\",\"ONETIME\"],"
	    "\"file_source\":[\"SFTP\",\"S3\",\"CSV\"],\"offset\":\"1\"}",
	    NULL);
	/* Case-sensitive values: MoEngage answers "Unable to process". */
	check(st, "{\"import_type\":\"users\"}", "import_type");
	check(st, "{\"schedule_status\":[\"FAILED\",\"failed\"]}",
	    "schedule_status[1]");
	check(st, "{\"offset\":0}", "offset");
	check(st, "{\"date\":{\"start_date\":\"2024-11-14\","
	    "\"end_date\":\"2024-11-14\",\"format\":\"YY-M-D\"}}",
	    "date.format");
	check(st, "{\"date\":{\"end_date\":\"2024-11-14\"}}",
	    "date.start_date");
	check(st, NULL, "body");
	check(hist, "{\"import_id\":\"672561rr0abd2da34cf7f7df\"}", NULL);
	check(hist, "{\"import_name\":\"Special\",\"file_status\":["
	    "\"WAITING\"],\"date\":{\"start_date\":"
	    "\"2024-11-14T12:31:31.713000\",\"end_date\":"
	    "\"2024-11-15T00:00:00\"}}", NULL);
	check(hist, "{\"file_status\":[\"FAILED\"]}", "import_id");
	check(hist, "{\"import_id\":\"x\",\"file_status\":\"FAILED\"}",
	    "file_status");
	check(ml_validate_trigger_file_import, "{}", "body");
}

static void
catalog_docs_track_install_query(void **state)
{
	ml_validate_fn fn = ml_validate_track_install;

	(void)state;
	check_query(fn, "{\"appId\":\"WS\",\"src\":\"adjust\","
	    "\"appAttributionKey\":\"k\",\"idfv\":\"v\"}", NULL);
	check_query(fn, "{\"src\":\"adjust\",\"appAttributionKey\":\"k\"}",
	    "query.appId");
	check_query(fn, "{\"appId\":\"WS\",\"appAttributionKey\":\"k\"}",
	    "query.src");
	check_query(fn, "{\"appId\":\"WS\",\"src\":\"adjust\"}",
	    "query.appAttributionKey");
	check_query(fn, NULL, "query.appId");
	check(fn, "{}", "body");
}

static void
catalog_docs_subscription_v5_query(void **state)
{
	ml_validate_fn cats = ml_validate_list_subscription_categories;
	ml_validate_fn get = ml_validate_get_subscription_v5;

	(void)state;
	check_query(cats, NULL, NULL);
	check_query(cats, "{\"channel\":\"sms\"}", NULL);
	check_query(cats, "{\"channel\":\"push\"}", "query.channel");
	check_query(cats, "{\"user_id\":\"u1\"}", "query.user_id");
	check_query(get, "{\"user_identifier_type\":\"email\","
	    "\"user_identifier_value\":\"jane@example.com\",\"channel\":"
	    "\"email\"}", NULL);
	check_query(get, "{\"user_identifier_type\":\"moe_user_id\","
	    "\"user_identifier_value\":\"usr_64f0a1b2c3d4e5f600112233\"}",
	    NULL);
	check_query(get, "{\"user_identifier_type\":\"customer_id\","
	    "\"user_identifier_value\":\"u1\"}", "query.user_identifier_type");
	check_query(get, "{\"user_identifier_type\":\"uid\"}",
	    "query.user_identifier_value");
	check_query(get, NULL, "query.user_identifier_type");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalog_docs_rows_match_the_openapi_files),
		cmocka_unit_test(catalog_docs_gdpr_request_fields),
		cmocka_unit_test(catalog_docs_track_install_query),
		cmocka_unit_test(catalog_docs_subscription_v5_query),
		cmocka_unit_test(catalog_docs_archival_fields_and_enums),
		cmocka_unit_test(catalog_docs_file_import_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
