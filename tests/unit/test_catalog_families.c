/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the rows of the families beyond Data match MoEngage's
 * documents (host, method, path, key slot, envelope, paging, rate), every
 * row's input schema is an object schema, every documented limit fails
 * locally with the offending field named and nothing built, and each
 * family's documented error bodies normalize into one error (Push's
 * 200-Fail is an error, Inform's 409 duplicate is success-already-sent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include <moelink/account.h>
#include <moelink/buf.h>
#include <moelink/catalog.h>
#include <moelink/envelope.h>
#include <moelink/json.h>
#include <moelink/request.h>

struct want_row {
	const char *name;
	enum ml_family fam;
	enum ml_host_kind host;
	const char *method, *path;
	enum ml_envelope env;
	enum ml_paging paging;
	int rate;
	enum ml_key_slot slot;
};

#define SEG ML_FAM_SEGMENTATION, ML_HOST_API
#define GEN(f) f, ML_HOST_API

static const struct want_row want[] = {
	{ "moengage_list_segments", SEG, "GET", "/v3/custom-segments",
	    ML_ENV_RESPONSE_TYPE, ML_PAGE_NONE, 50, ML_KEY_DATA },
	{ "moengage_get_segment", SEG, "GET", "/v3/custom-segments/{id}",
	    ML_ENV_RESPONSE_TYPE, ML_PAGE_NONE, 100, ML_KEY_DATA },
	{ "moengage_create_file_segment", SEG, "POST",
	    "/v2/custom-segments/file-segment", ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_KEY_DATA },
	{ "moengage_unarchive_segment", SEG, "PATCH",
	    "/v2/custom-segments/unarchive", ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_KEY_DATA },
	{ "moengage_sync_cohort", SEG, "POST", "/v1/integrations/cohortsync",
	    ML_ENV_DATA, ML_PAGE_NONE, 300, ML_KEY_DATA },
	{ "moengage_send_push_v2_1", ML_FAM_PUSH, ML_HOST_PUSHAPI, "POST",
	    "/v2.1/transaction/sendpush", ML_ENV_PUSH, ML_PAGE_NONE, 10000,
	    ML_KEY_PUSH },
	{ "moengage_get_campaign_stats", GEN(ML_FAM_CAMPAIGN_REPORT), "POST",
	    "/core-services/v1/campaign-stats", ML_ENV_TITLE,
	    ML_PAGE_OFFSET_LIMIT, 100, ML_KEY_GENERAL },
	{ "moengage_list_business_events", GEN(ML_FAM_BUSINESS_EVENTS), "GET",
	    "/v5/business-events", ML_ENV_V5, ML_PAGE_CURSOR, 60,
	    ML_KEY_GENERAL },
	{ "moengage_search_business_events_v5", GEN(ML_FAM_BUSINESS_EVENTS),
	    "POST", "/v5/business-events/search", ML_ENV_V5, ML_PAGE_CURSOR,
	    30, ML_KEY_GENERAL },
	{ "moengage_search_business_events", GEN(ML_FAM_BUSINESS_EVENTS),
	    "POST", "/v1.0/business_event/search", ML_ENV_ERROR_DETAILS,
	    ML_PAGE_NONE, 100, ML_KEY_GENERAL },
	{ "moengage_search_sms_templates", GEN(ML_FAM_TEMPLATES), "POST",
	    "/v1.0/custom-templates/sms/search", ML_ENV_ERROR_DETAILS,
	    ML_PAGE_PAGE_ENTRIES, 100, ML_KEY_GENERAL },
	{ "moengage_get_content_blocks", GEN(ML_FAM_CONTENT_BLOCKS), "POST",
	    "/v1/external/campaigns/content-blocks/get-by-ids", ML_ENV_TITLE,
	    ML_PAGE_NONE, 0, ML_KEY_GENERAL },
	{ "moengage_delete_catalog_items", GEN(ML_FAM_CATALOG), "POST",
	    "/v1/catalog/{catalog_id}/items/bulk-delete", ML_ENV_CATALOG,
	    ML_PAGE_NONE, 100, ML_KEY_GENERAL },
	{ "moengage_bulk_update_subscription_preferences",
	    GEN(ML_FAM_SUBSCRIPTION), "POST",
	    "/v1/category-subscription/user-preferences", ML_ENV_TITLE,
	    ML_PAGE_NONE, 100, ML_KEY_DATA },
	{ "moengage_bulk_resubscribe_emails", GEN(ML_FAM_SUBSCRIPTION), "POST",
	    "/emails/v1.0/bulk-resubscribe", ML_ENV_V5, ML_PAGE_NONE, 10,
	    ML_KEY_DATA },
	{ "moengage_fetch_experiences", ML_FAM_PERSONALIZE, ML_HOST_SDK, "POST",
	    "/v1/experiences/fetch", ML_ENV_TITLE, ML_PAGE_NONE, 10000,
	    ML_KEY_PERSONALIZE },
	{ "moengage_list_recommendations", GEN(ML_FAM_RECOMMENDATIONS), "GET",
	    "/v1/recommendations", ML_ENV_CODE_MESSAGE, ML_PAGE_SIZE_BATCH, 100,
	    ML_KEY_GENERAL },
	{ "moengage_send_inform_sandbox", ML_FAM_INFORM, ML_HOST_SANDBOX_API,
	    "POST", "/v1.0/alerts/send", ML_ENV_INFORM, ML_PAGE_NONE, 10000,
	    ML_KEY_INFORM },
};

static void
catalog_families_rows_match_moengage_docs(void **state)
{
	const struct ml_action *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = ml_catalog_find(want[i].name);
		if (a == NULL)
			fail_msg("missing row %s", want[i].name);
		assert_int_equal(a->family, want[i].fam);
		assert_int_equal(a->host, want[i].host);
		assert_string_equal(a->method, want[i].method);
		assert_string_equal(a->path, want[i].path);
		assert_int_equal(a->envelope, want[i].env);
		assert_int_equal(a->paging, want[i].paging);
		assert_int_equal(a->rate_per_min, want[i].rate);
		assert_int_equal(ml_family_key_slot(a->family), want[i].slot);
	}
	assert_int_equal(ml_catalog_find("moengage_download_campaign_report")->
	    auth, ML_AUTH_REPORT_SIGNATURE);
	assert_int_equal(ml_catalog_find("moengage_send_push")->auth,
	    ML_AUTH_PUSH_SIGNATURE);
	assert_true(ml_catalog_find("moengage_archive_segment")->headers &
	    ML_HDR_DBNAME);
	assert_int_equal(ml_catalog_find("moengage_add_catalog_items")->
	    max_body, 5u * 1024u * 1024u);
	/* Inform resends are safe: MoEngage deduplicates transaction_id. */
	assert_true(ml_catalog_find("moengage_send_inform")->flags &
	    ML_ACT_IDEMPOTENT);
}

static void
catalog_families_every_family_has_rows(void **state)
{
	const struct ml_action *const *rows;
	size_t i, n, count[ML_FAM_COUNT];
	int f;

	(void)state;
	memset(count, 0, sizeof(count));
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++)
		count[rows[i]->family]++;
	for (f = 0; f < ML_FAM_COUNT; f++)
		if (count[f] == 0)
			fail_msg("family %s has no action",
			    ml_family_name((enum ml_family)f));
	assert_int_equal(count[ML_FAM_TEMPLATES], 15);
	assert_int_equal(count[ML_FAM_SEGMENTATION], 11);
}

/* Every member a schema requires is one it describes. */
static void
catalog_families_schemas_are_object_schemas(void **state)
{
	const struct ml_action *const *rows;
	json_object *o, *props, *req;
	size_t i, j, n;

	(void)state;
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		o = tu_json(rows[i]->input_schema);
		assert_string_equal(ml_json_str(o, "type"), "object");
		props = ml_json_get(o, "properties", json_type_object);
		if (props == NULL)
			fail_msg("%s: no properties", rows[i]->name);
		req = ml_json_get(o, "required", json_type_array);
		for (j = 0; req != NULL && j < json_object_array_length(req);
		    j++)
			assert_non_null(ml_json_get(props,
			    json_object_get_string(json_object_array_get_idx(req,
			    j)), json_type_object));
		if (rows[i]->flags & ML_ACT_BODY_REQUIRED)
			assert_non_null(ml_json_get(props, "body",
			    json_type_object));
		if (strchr(rows[i]->path, '{') != NULL &&
		    rows[i]->ws_place != ML_WS_PATH)
			assert_non_null(ml_json_get(props, "path",
			    json_type_object));
		json_object_put(o);
	}
}

/* ---- limits ---------------------------------------------------------------- */

/* A JSON array of n elements made from fmt (one %zu). */
static const char *
arr(char *buf, size_t cap, size_t n, const char *fmt)
{
	size_t i, used = 0;

	used += (size_t)snprintf(buf, cap, "[");
	for (i = 0; i < n && used < cap; i++) {
		if (i > 0)
			used += (size_t)snprintf(buf + used, cap - used, ",");
		used += (size_t)snprintf(buf + used, cap - used, fmt, i);
	}
	snprintf(buf + used, cap - used, "]");
	return buf;
}

struct limit_case {
	const char *action;
	const char *body, *query, *path, *headers;
	const char *field;
};

static void
check_limit(const struct limit_case *c, struct ml_account *acct)
{
	struct ml_call_input in;
	struct ml_request r;
	struct ml_err err;
	int rc;

	memset(&in, 0, sizeof(in));
	in.body = tu_json(c->body);
	in.query = tu_json(c->query);
	in.path = tu_json(c->path);
	in.headers = tu_json(c->headers);
	ml_err_clear(&err);
	rc = ml_request_build(&r, ml_catalog_find(c->action), acct, &in, &err);
	json_object_put(in.body);
	json_object_put(in.query);
	json_object_put(in.path);
	json_object_put(in.headers);
	if (rc != ML_EINVAL)
		fail_msg("%s (%s): rc %d, want ML_EINVAL", c->action, c->field,
		    rc);
	if (strcmp(err.field, c->field) != 0)
		fail_msg("%s: field \"%s\", want \"%s\" (%s)", c->action,
		    err.field, c->field, err.msg);
	assert_string_equal(err.kind, "validation_failed");
	/* Nothing was built, so nothing can be sent. */
	assert_null(r.url);
	assert_null(r.body);
	assert_int_equal(r.nheaders, 0);
}

#define STATS_ON(start, end, attribution, extra) \
	"{\"request_id\":\"r\",\"start_date\":\"" start "\",\"end_date\":\"" \
	end "\",\"attribution_type\":\"" attribution "\",\"metric_type\":" \
	"\"TOTAL\"" extra "}"
#define STATS(extra) \
	STATS_ON("2024-12-01", "2024-12-20", "VIEW_THROUGH", extra)
#define PUSH(extra) \
	"{\"campaignName\":\"Order Updates\",\"targetPlatform\":[\"ANDROID\"]," \
	"\"payload\":{\"ANDROID\":{\"title\":\"t\",\"message\":\"m\"}}," \
	"\"campaignDelivery\":{\"type\":\"soon\"}" extra "}"
/* The experience_context an event's attributes carry back. */
#define PERS_CTX \
	"{\"cid\":\"c\",\"experience\":\"e\",\"moe_locale_id\":\"0\"," \
	"\"moe_variation_id\":\"1\",\"audience_name\":\"a\"," \
	"\"audience_id\":\"i\"}"
#define INFORM(txn) \
	"{\"transaction_id\":\"" txn "\",\"payloads\":{\"SMS\":{\"recipient\":" \
	"\"1\"}}}"

static const struct limit_case fixed_limits[] = {
	{ "moengage_get_campaign_stats", STATS(",\"limit\":11"), NULL, NULL,
	    NULL, "limit" },
	{ "moengage_get_campaign_stats", STATS_ON("2024-12-01", "2025-01-01",
	    "VIEW_THROUGH", ""), NULL, NULL, NULL, "end_date" },
	{ "moengage_get_campaign_stats", STATS_ON("2024-02-30", "2024-03-01",
	    "VIEW_THROUGH", ""), NULL, NULL, NULL, "start_date" },
	{ "moengage_get_campaign_stats", STATS_ON("2024-12-01", "2024-12-02",
	    "LAST_TOUCH", ""), NULL, NULL, NULL, "attribution_type" },
	{ "moengage_get_campaign_stats", STATS(",\"offset\":-1"), NULL, NULL,
	    NULL, "offset" },
	{ "moengage_download_campaign_report", NULL, NULL, "{}", NULL,
	    "path.filename" },
	{ "moengage_send_push", PUSH(",\"targetAudience\":\"All Users\","
	    "\"campaignName\":\"abcd\""), NULL, NULL, NULL, "campaignName" },
	{ "moengage_send_push", PUSH(",\"targetAudience\":\"Custom Segment\""),
	    NULL, NULL, NULL, "customSegmentName" },
	/* Each targeted platform needs its content (push.yaml payloads). */
	{ "moengage_send_push", "{\"campaignName\":\"Order Updates\","
	    "\"targetPlatform\":[\"ANDROID\",\"WEB\"],\"targetAudience\":"
	    "\"All Users\",\"payload\":{\"ANDROID\":{\"title\":\"t\","
	    "\"message\":\"m\"}},\"campaignDelivery\":{\"type\":\"soon\"}}",
	    NULL, NULL, NULL, "payload.WEB" },
	{ "moengage_send_push", "{\"campaignName\":\"Order Updates\","
	    "\"targetPlatform\":[\"WEB\"],\"targetAudience\":\"All Users\","
	    "\"payload\":{\"WEB\":{\"title\":\"t\",\"message\":\"m\","
	    "\"iconURL\":\"i\"}},\"campaignDelivery\":{\"type\":\"soon\"}}",
	    NULL, NULL, NULL, "payload.WEB.redirectURL" },
	{ "moengage_send_push_v2_1", "{\"campaignName\":\"Order Updates\","
	    "\"targetPlatform\":[\"Web\"],\"targetAudience\":\"All Users\","
	    "\"payload\":{},\"campaignDelivery\":{\"type\":\"soon\"}}", NULL,
	    NULL, NULL, "targetPlatform[0]" },
	{ "moengage_send_push", PUSH(",\"targetAudience\":\"Everyone\""),
	    NULL, NULL, NULL, "targetAudience" },
	{ "moengage_send_push_v2_1", "{\"campaignName\":\"Order Updates\","
	    "\"targetPlatform\":[\"WINDOWS\"],\"targetAudience\":\"All Users\","
	    "\"payload\":{},\"campaignDelivery\":{\"type\":\"soon\"}}", NULL,
	    NULL, NULL, "targetPlatform[0]" },
	{ "moengage_send_push", PUSH(",\"targetAudience\":\"All Users\","
	    "\"campaignDelivery\":{\"type\":\"now\"}"), NULL, NULL, NULL,
	    "campaignDelivery.type" },
	{ "moengage_list_business_events", NULL, "{\"limit\":21}", NULL, NULL,
	    "query.limit" },
	{ "moengage_list_business_events", NULL, "{\"name\":\"a\",\"id\":\"b\"}",
	    NULL, NULL, "query.id" },
	{ "moengage_list_business_events", NULL, "{\"page\":2}", NULL, NULL,
	    "query.page" },
	{ "moengage_search_business_events_v5", "{\"limit\":21}", NULL, NULL,
	    NULL, "limit" },
	{ "moengage_create_business_event", "{\"event_name\":\"e\","
	    "\"created_by\":\"a\",\"event_attributes\":[{\"attribute_name\":"
	    "\"x\",\"attribute_data_type\":\"bool\"}]}", NULL, NULL, NULL,
	    "event_attributes[0].attribute_data_type" },
	{ "moengage_search_push_templates", "{\"page\":1,\"entries\":16}",
	    NULL, NULL, NULL, "entries" },
	{ "moengage_search_email_templates", "{\"page\":0,\"entries\":10}",
	    NULL, NULL, NULL, "page" },
	{ "moengage_search_inapp_templates", "{\"page\":1}", NULL, NULL, NULL,
	    "entries" },
	{ "moengage_update_osm_template", "{\"meta_info\":{}}", NULL, NULL,
	    NULL, "external_template_id" },
	/* push-templates.yaml / sms-templates.yaml required members. */
	{ "moengage_create_email_template", "{\"meta_info\":{\"template_name\":"
	    "\"t\",\"template_id\":\"1\",\"template_version\":1}}", NULL, NULL,
	    NULL, "meta_info.created_by" },
	{ "moengage_update_inapp_template", "{\"external_template_id\":\"x\","
	    "\"meta_info\":{\"template_name\":\"t\"}}", NULL, NULL, NULL,
	    "meta_info.updated_by" },
	{ "moengage_create_sms_template", "{\"meta_info\":{\"template_name\":"
	    "\"t\",\"template_id\":\"1\",\"template_version\":\"1\","
	    "\"created_by\":\"a\"}}", NULL, NULL, NULL, "basic_details" },
	{ "moengage_update_sms_template", "{\"external_template_id\":\"x\","
	    "\"meta_info\":{\"template_name\":\"t\",\"updated_by\":\"a\"},"
	    "\"basic_details\":{\"message\":\"m\",\"summary\":\"s\"}}", NULL,
	    NULL, NULL, "basic_details.summary" },
	{ "moengage_create_push_template", "{\"meta_info\":{\"template_name\":"
	    "\"t\",\"template_id\":\"1\",\"template_version\":\"1\","
	    "\"created_by\":\"a\",\"template_style\":\"BASIC\",\"platform\":"
	    "[\"ANDROID\",\"IOS\"]},\"ANDROID\":{\"basic_details\":{\"title\":"
	    "\"t\",\"message\":\"m\",\"default_click_action\":\"DEEPLINKING\","
	    "\"default_click_action_value\":\"u\"}}}", NULL, NULL, NULL, "IOS" },
	{ "moengage_update_push_template", "{\"external_template_id\":\"x\","
	    "\"meta_info\":{\"template_name\":\"t\",\"updated_by\":\"a\","
	    "\"template_style\":\"BASIC\",\"platform\":[\"ANDROID\"]},"
	    "\"IOS\":{\"basic_details\":{}}}", NULL, NULL, NULL, "ANDROID" },
	{ "moengage_create_content_block", "{\"name\":\"n\",\"label\":\"l\","
	    "\"raw_content\":\"x\",\"content_type\":\"PDF\",\"created_by\":"
	    "\"a\"}", NULL, NULL, NULL, "content_type" },
	{ "moengage_create_catalog", "{\"name\":\"c\",\"price_currency\":"
	    "\"EUR\",\"attributes\":["
	    "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":"
	    "\"string\"},{\"name\":\"link\",\"type\":\"string\"}]}", NULL, NULL,
	    NULL, "attributes" },
	/* CreateCatalogRequest requires an ISO 4217 price_currency. */
	{ "moengage_create_catalog", "{\"name\":\"c\",\"attributes\":[]}", NULL,
	    NULL, NULL, "price_currency" },
	{ "moengage_create_catalog", "{\"name\":\"c\",\"price_currency\":"
	    "\"usd\",\"attributes\":[]}", NULL, NULL, NULL, "price_currency" },
	/* The alert is named by alert_id or alert_reference_name. */
	{ "moengage_send_inform", "{\"transaction_id\":\"t\",\"payloads\":"
	    "{\"SMS\":{\"recipient\":\"1\"}}}", NULL, NULL, NULL, "alert_id" },
	{ "moengage_add_catalog_items", "{\"items\":[{\"title\":\"no id\"}]}",
	    NULL, "{\"catalog_id\":\"c\"}", NULL, "items[0].id" },
	{ "moengage_add_catalog_items", "{\"items\":[{\"id\":\"P1\"}]}", NULL,
	    "{}", NULL, "path.catalog_id" },
	{ "moengage_get_subscription_preferences", NULL, "{\"user_id\":\"u\"}",
	    NULL, NULL, "query.cid" },
	{ "moengage_update_email_opt_in", "{\"user_preferences\":{"
	    "\"opt_in_status\":\"OPTED_OUT\",\"channel\":\"email\"}}", NULL,
	    NULL, NULL, "user_preferences.customer_id" },
	{ "moengage_fetch_experiences", "{\"identifiers\":{},"
	    "\"experience_key\":[\"k\"],\"TIME_OF_THE_DAY\":\"24\"}", NULL, NULL,
	    NULL, "TIME_OF_THE_DAY" },
	{ "moengage_fetch_experiences", "{\"identifiers\":{"
	    "\"user_identifiers\":[\"u\"]}}", NULL, NULL, NULL,
	    "identifiers.user_identifiers" },
	{ "moengage_update_segment", "{\"name\":\"VIP\"}", NULL,
	    "{\"id\":\"s1\"}", NULL, "included_filters" },
	{ "moengage_create_segment", "{\"name\":\"VIP\",\"included_filters\":"
	    "{\"filter_operator\":\"xor\",\"filters\":[]}}", NULL, NULL, NULL,
	    "included_filters.filter_operator" },
	{ "moengage_report_experience_events", "{\"elements\":[{"
	    "\"customer_id\":\"u\",\"user_timezone_offset\":54001,\"actions\":"
	    "[{\"action\":\"MOE_PERSONALIZATION_MESSAGE_SHOWN\"}]}]}", NULL,
	    NULL, NULL, "elements[0].user_timezone_offset" },
	{ "moengage_report_experience_events", "{\"elements\":[{"
	    "\"customer_id\":\"u\",\"actions\":[{\"action\":"
	    "\"MOE_PERSONALIZATION_MESSAGE_SHOWN\"}]}]}", NULL, NULL, NULL,
	    "elements[0].actions[0].attributes" },
	{ "moengage_report_experience_events", "{\"elements\":[{"
	    "\"customer_id\":\"u\",\"actions\":[{\"action\":"
	    "\"MOE_PERSONALIZATION_MESSAGE_SHOWN\",\"attributes\":{\"cid\":"
	    "\"c\"}}]}]}", NULL, NULL, NULL,
	    "elements[0].actions[0].attributes.experience" },
	{ "moengage_report_experience_events", "{\"elements\":[{"
	    "\"customer_id\":\"u\",\"actions\":[{\"action\":"
	    "\"MOE_PERSONALIZATION_MESSAGE_SHOWN\",\"event_time\":\"now\","
	    "\"attributes\":" PERS_CTX "}]}]}", NULL, NULL, NULL,
	    "elements[0].actions[0].event_time" },
	{ "moengage_get_experience_metadata", NULL,
	    "{\"status\":\"Active,Done\"}", NULL, NULL, "query.status" },
	{ "moengage_list_recommendations", NULL, "{\"size\":101}", NULL, NULL,
	    "query.size" },
	{ "moengage_list_recommendations", NULL, "{\"size\":\"0\"}", NULL,
	    NULL, "query.size" },
	{ "moengage_list_recommendations", NULL, "{\"status\":\"active\"}",
	    NULL, NULL, "query.status" },
	{ "moengage_get_recommendation_items", "{\"user_id\":\"u\"}", NULL,
	    "{\"recommendation_id\":\"r\"}",
	    "{\"RECOMMENDATION-TYPE\":\"best_sellers\"}",
	    "headers.RECOMMENDATION-TYPE" },
	{ "moengage_get_recommendation_items", "{\"user_id\":\"u\"}", NULL,
	    "{\"recommendation_id\":\"r\"}", NULL,
	    "headers.RECOMMENDATION-TYPE" },
	{ "moengage_send_inform", INFORM("123456789012345678901234567890"
	    "123456789012345678901"), NULL, NULL, NULL, "transaction_id" },
	{ "moengage_send_inform_sandbox", "{\"transaction_id\":\"t\","
	    "\"payloads\":{\"SMS\":{}}}", NULL, NULL, NULL,
	    "payloads.SMS.recipient" },
	{ "moengage_send_inform", "{\"payloads\":{\"SMS\":{\"recipient\":"
	    "\"1\"}}}", NULL, NULL, NULL, "transaction_id" },
	{ "moengage_sync_cohort", "{\"action\":\"add_members\",\"partner\":"
	    "\"p\",\"parameters\":{\"cohort_name\":\".hidden\",\"cohort_id\":"
	    "\"c\",\"members\":[{\"uid\":\"u\"}]}}", NULL, NULL, NULL,
	    "parameters.cohort_name" },
	{ "moengage_create_file_segment", "{\"name\":\"n\",\"attribute_name\":"
	    "\"uid\",\"attribute_type\":\"string\",\"file_url\":"
	    "\"ftp://x/a.csv\",\"expiry_time\":30}", NULL, NULL, NULL,
	    "file_url" },
};

static void
acct_full(struct ml_account *a)
{
	ml_account_init(a);
	assert_int_equal(ml_account_set(a, "WS_US01", "01", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_MULTI, "multi"), ML_OK);
	ml_strlcpy(a->db_name, "db", sizeof(a->db_name));
}

static void
catalog_families_limits_fail_locally(void **state)
{
	struct ml_account a;
	size_t i;

	(void)state;
	acct_full(&a);
	for (i = 0; i < sizeof(fixed_limits) / sizeof(fixed_limits[0]); i++)
		check_limit(&fixed_limits[i], &a);
	ml_account_cleanup(&a);
}

/* The batch caps: n allowed passes, n + 1 fails on the array's field. */
static void
catalog_families_batch_caps(void **state)
{
	static const struct {
		const char *action, *fmt_body, *path, *field, *el;
		size_t max;
	} caps[] = {
		{ "moengage_add_catalog_items", "{\"items\":%s}",
		    "{\"catalog_id\":\"c\"}", "items", "{\"id\":\"P%zu\"}", 50 },
		{ "moengage_delete_catalog_items", "{\"items\":%s}",
		    "{\"catalog_id\":\"c\"}", "items", "\"P%zu\"", 50 },
		{ "moengage_search_catalog_items", "{\"items\":%s}",
		    "{\"catalog_id\":\"c\"}", "items", "\"P%zu\"", 50 },
		{ "moengage_get_campaign_stats", STATS(",\"campaign_ids\":%s"),
		    NULL, "campaign_ids", "\"c%zu\"", 10 },
		{ "moengage_bulk_update_subscription_preferences",
		    "{\"channel\":\"email\",\"user_preferences\":%s}", NULL,
		    "user_preferences", "{\"customer_id\":\"u%zu\","
		    "\"categories\":{},\"unsubscribe_all\":false}", 50 },
		{ "moengage_bulk_resubscribe_emails", "{\"esp\":\"SendGrid\","
		    "\"request_id\":\"r\",\"recipients\":%s}", NULL,
		    "recipients", "\"u%zu@x.co\"", 100 },
		{ "moengage_fetch_experiences", "{\"identifiers\":{},"
		    "\"experience_key\":%s}", NULL, "experience_key",
		    "\"k%zu\"", 25 },
		{ "moengage_report_experience_events", "{\"elements\":%s}",
		    NULL, "elements", "{\"customer_id\":\"u%zu\",\"actions\":"
		    "[{\"action\":\"MOE_PERSONALIZATION_MESSAGE_CLICKED\","
		    "\"attributes\":" PERS_CTX "}]}", 100 },
		{ "moengage_send_push", PUSH(",\"targetAudience\":\"User\","
		    "\"targetUserAttributes\":{\"attribute\":\"PUSH_ID\","
		    "\"comparisonParameter\":\"in\",\"attributeValue\":%s}"),
		    NULL, "targetUserAttributes.attributeValue", "\"t%zu\"", 50 },
		{ "moengage_create_catalog", "{\"name\":\"c\",\"price_currency\":"
		    "\"USD\",\"attributes\":%s}",
		    NULL, "attributes", "{\"name\":\"a%zu\",\"type\":\"string\"}",
		    50 },
	};
	static char a1[32768], body[36000];
	struct ml_account a;
	struct ml_call_input in;
	struct ml_request r;
	struct ml_err err;
	struct limit_case c;
	size_t i;
	int rc;

	(void)state;
	acct_full(&a);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		/* At the cap: accepted (create_catalog also needs the
		 * mandatory attributes, so it is checked over the cap only). */
		if (strcmp(caps[i].action, "moengage_create_catalog") != 0) {
			snprintf(body, sizeof(body), caps[i].fmt_body,
			    arr(a1, sizeof(a1), caps[i].max, caps[i].el));
			memset(&in, 0, sizeof(in));
			in.body = tu_json(body);
			in.path = tu_json(caps[i].path);
			rc = ml_request_build(&r, ml_catalog_find(
			    caps[i].action), &a, &in, &err);
			json_object_put(in.body);
			json_object_put(in.path);
			if (rc != ML_OK)
				fail_msg("%s at its cap: %s", caps[i].action,
				    err.msg);
			ml_request_cleanup(&r);
		}
		snprintf(body, sizeof(body), caps[i].fmt_body,
		    arr(a1, sizeof(a1), caps[i].max + 1, caps[i].el));
		memset(&c, 0, sizeof(c));
		c.action = caps[i].action;
		c.body = body;
		c.path = caps[i].path;
		c.field = caps[i].field;
		check_limit(&c, &a);
	}
	ml_account_cleanup(&a);
}

static void
catalog_families_resubscribe_string_list_counts_addresses(void **state)
{
	static char list[8192], body[9000];
	struct limit_case c;
	struct ml_account a;
	size_t i, used = 0;

	(void)state;
	acct_full(&a);
	for (i = 0; i < 101; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%su%zu@x.co", i > 0 ? ", " : "", i);
	snprintf(body, sizeof(body), "{\"esp\":\"SendGrid\",\"request_id\":"
	    "\"r\",\"recipients\":\"%s\"}", list);
	memset(&c, 0, sizeof(c));
	c.action = "moengage_bulk_resubscribe_emails";
	c.body = body;
	c.field = "recipients";
	check_limit(&c, &a);
	ml_account_cleanup(&a);
}

static void
catalog_families_file_segment_needs_db_name(void **state)
{
	struct limit_case c;
	struct ml_account a;

	(void)state;
	acct_full(&a);
	a.db_name[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.action = "moengage_archive_segment";
	c.body = "{\"name\":\"vip\"}";
	c.field = "db_name";
	check_limit(&c, &a);
	ml_account_cleanup(&a);
}

/* ---- envelopes -------------------------------------------------------------- */

struct env_case {
	const char *action;
	int status;
	const char *body;
	int rc;
	const char *kind, *moe_type, *moe_msg;
};

static const struct env_case env_cases[] = {
	{ "moengage_send_push", 200, "{\"status\":\"Fail\",\"Error_Message\":"
	    "\"Signature is not verified\",\"responseId\":\"r1\"}", ML_EHTTP,
	    "moengage_error", "", "Signature is not verified" },
	{ "moengage_send_push", 200, "{\"status\":\"Success\",\"requestId\":"
	    "\"1\",\"cid\":\"66\"}", ML_OK, NULL, NULL, NULL },
	{ "moengage_send_push_v2_1", 500, "{\"code\":500,\"status\":\"error\","
	    "\"reason\":\"There seems to be an error.\"}", ML_EHTTP,
	    "moengage_server_error", "", "There seems to be an error." },
	{ "moengage_send_push", 401, "[]", ML_EAUTH, "moengage_auth_failed",
	    "", "" },
	{ "moengage_get_campaign_stats", 400, "{\"title\":\"Invalid Field "
	    "Value\",\"description\":\"app_key - Some of the field values are "
	    "invalid\",\"code\":\"wUcwPRZF\"}", ML_EHTTP,
	    "moengage_validation_failed", "Invalid Field Value",
	    "app_key - Some of the field values are invalid" },
	{ "moengage_create_business_event", 400, "{\"error\":{\"code\":\"400 "
	    "Bad Request\",\"message\":\"Validation failed\",\"details\":[{"
	    "\"code\":\"InvalidValue\",\"target\":\"event_name\",\"message\":"
	    "\"bad name\"}],\"request_id\":\"64a5\"}}", ML_EHTTP,
	    "moengage_validation_failed", "400 Bad Request",
	    "Validation failed: bad name" },
	{ "moengage_trigger_business_event", 429, "{\"status\":\"error\","
	    "\"data\":{\"code\":429,\"title\":\"rate limiter exception\","
	    "\"description\":\"Exceeded rate limit for this app\"}}",
	    ML_ERATELIMIT, "moengage_rate_limited", "rate limiter exception",
	    "Exceeded rate limit for this app" },
	{ "moengage_list_business_events", 401, "{\"error\":{\"code\":"
	    "\"UNAUTHORIZED\",\"message\":\"Invalid credentials\"},"
	    "\"response_id\":\"resp_1\"}", ML_EAUTH, "moengage_auth_failed",
	    "UNAUTHORIZED", "Invalid credentials" },
	{ "moengage_search_push_templates", 429, "{\"response_id\":\"r\","
	    "\"type\":\"custom_template\",\"error\":{\"code\":\"Too Many "
	    "Requests\",\"message\":\"API rate limit breached\"}}",
	    ML_ERATELIMIT, "moengage_rate_limited", "Too Many Requests",
	    "API rate limit breached" },
	{ "moengage_create_push_template", 401, "{\"title\":\"Authentication "
	    "required\",\"description\":\"MOE-APPKEY missing in Authentication "
	    "Header\"}", ML_EAUTH, "moengage_auth_failed",
	    "Authentication required",
	    "MOE-APPKEY missing in Authentication Header" },
	{ "moengage_create_content_block", 409, "{\"title\":\"Conflict\","
	    "\"description\":\"label already exists\"}", ML_EHTTP,
	    "moengage_conflict", "Conflict", "label already exists" },
	{ "moengage_get_segment", 400, "{\"response_id\":\"r\",\"type\":"
	    "\"custom_segment\",\"error\":{\"code\":\"Bad Request\","
	    "\"message\":\"MoEngage Client not found\"}}", ML_EHTTP,
	    "moengage_validation_failed", "Bad Request",
	    "MoEngage Client not found" },
	{ "moengage_create_file_segment", 409, "{\"title\":\"Resource not "
	    "created\",\"description\":\"Name already exists : vip\"}",
	    ML_EHTTP, "moengage_conflict", "Resource not created",
	    "Name already exists : vip" },
	{ "moengage_add_catalog_items", 404, "{\"error-code\":"
	    "\"catalog-not-found\",\"message\":\"Catalog not found\"}",
	    ML_EHTTP, "moengage_not_found", "catalog-not-found",
	    "Catalog not found" },
	{ "moengage_bulk_update_subscription_preferences", 400, "{\"title\":"
	    "\"Payload Limit Exceeded\",\"description\":\"Payload limit is set "
	    "to 50\"}", ML_EHTTP, "moengage_validation_failed",
	    "Payload Limit Exceeded", "Payload limit is set to 50" },
	{ "moengage_bulk_resubscribe_emails", 400, "{\"response_id\":\"r\","
	    "\"error\":{\"message\":\"Invalid ESP\",\"err_code\":"
	    "\"INVALID_ESP\"}}", ML_EHTTP, "moengage_validation_failed",
	    "INVALID_ESP", "Invalid ESP" },
	{ "moengage_fetch_experiences", 401, "{\"title\":\"Authentication "
	    "required\",\"description\":\"Invalid API_KEY used in "
	    "Authentication Header\"}", ML_EAUTH, "moengage_auth_failed",
	    "Authentication required",
	    "Invalid API_KEY used in Authentication Header" },
	{ "moengage_fetch_experiences", 200, "{\"experiences\":{}}", ML_OK,
	    NULL, NULL, NULL },
	{ "moengage_get_recommendation", 400, "{\"code\":\"recommendation does "
	    "not exist\",\"message\":\"Recommendation does not exist or "
	    "archived.\"}", ML_EHTTP, "moengage_validation_failed",
	    "recommendation does not exist",
	    "Recommendation does not exist or archived." },
	{ "moengage_send_inform", 401, "{\"message\":\"Invalid App Key or "
	    "Basic Auth\",\"err_code\":\"UNAUTHORIZED\",\"status_code\":"
	    "120001}", ML_EAUTH, "moengage_auth_failed", "UNAUTHORIZED",
	    "Invalid App Key or Basic Auth" },
	{ "moengage_send_inform", 409, "{\"message\":\"Duplicate Transaction "
	    "ID\",\"err_code\":\"DUPLICATE_REQUEST_RECEIVED\",\"status_code\":"
	    "120105}", ML_OK, NULL, NULL, NULL },
	{ "moengage_send_inform_sandbox", 409, "{\"message\":\"Duplicate "
	    "Transaction ID\",\"status_code\":120105}", ML_OK, NULL, NULL,
	    NULL },
	{ "moengage_sync_cohort", 400, "{\"status\":\"fail\",\"error\":{"
	    "\"attribute\":\"action\",\"message\":\"action is not found in the "
	    "payload\",\"type\":\"MissingAttributeError\",\"request_id\":"
	    "\"x\"}}", ML_EHTTP, "moengage_validation_failed",
	    "MissingAttributeError", "action is not found in the payload" },
};

static void
catalog_families_error_envelopes_normalize(void **state)
{
	const struct ml_action *a;
	struct ml_err err;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		const struct env_case *c = &env_cases[i];

		a = ml_catalog_find(c->action);
		assert_non_null(a);
		ml_err_clear(&err);
		rc = ml_envelope_parse(a->envelope, c->status, c->body,
		    strlen(c->body), &err);
		if (rc != c->rc)
			fail_msg("%s %d: rc %d, want %d (%s)", c->action,
			    c->status, rc, c->rc, err.msg);
		if (c->rc == ML_OK)
			continue;
		assert_int_equal(err.http_status, c->status);
		assert_string_equal(err.kind, c->kind);
		assert_string_equal(err.moe_type, c->moe_type);
		assert_string_equal(err.moe_message, c->moe_msg);
	}
}

static void
catalog_families_inform_duplicate_is_already_sent(void **state)
{
	static const char dup[] = "{\"message\":\"Duplicate Transaction ID\","
	    "\"err_code\":\"DUPLICATE_REQUEST_RECEIVED\",\"status_code\":120105}";
	static const char other[] = "{\"message\":\"Conflict\",\"err_code\":"
	    "\"OTHER\",\"status_code\":120999}";
	struct ml_err err;

	(void)state;
	assert_int_equal(ml_envelope_already_sent(ML_ENV_INFORM, 409, dup,
	    strlen(dup)), 1);
	/* Only Inform, only 409, only the duplicate code. */
	assert_int_equal(ml_envelope_already_sent(ML_ENV_TITLE, 409, dup,
	    strlen(dup)), 0);
	assert_int_equal(ml_envelope_already_sent(ML_ENV_INFORM, 400, dup,
	    strlen(dup)), 0);
	assert_int_equal(ml_envelope_already_sent(ML_ENV_INFORM, 409, other,
	    strlen(other)), 0);
	assert_int_equal(ml_envelope_parse(ML_ENV_INFORM, 409, other,
	    strlen(other), &err), ML_EHTTP);
	assert_string_equal(err.kind, "moengage_conflict");
	assert_int_equal(ml_envelope_already_sent(ML_ENV_INFORM, 409, NULL, 0),
	    0);
}

static void
catalog_families_proxy_paths_map_to_families(void **state)
{
	(void)state;
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v1/catalog/abc/items"), ML_FAM_CATALOG);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v3/custom-segments/x"), ML_FAM_SEGMENTATION);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v1/integrations/cohortsync"), ML_FAM_SEGMENTATION);
	assert_int_equal(ml_catalog_family_of(ML_HOST_API,
	    "/v1.0/alerts/send"), ML_FAM_INFORM);
	assert_int_equal(ml_catalog_family_of(ML_HOST_SDK,
	    "/v1/experiences/fetch"), ML_FAM_PERSONALIZE);
	assert_int_equal(ml_catalog_family_of(ML_HOST_PUSHAPI,
	    "/v2/transaction/sendpush"), ML_FAM_PUSH);
	assert_string_equal(ml_catalog_match("POST", ML_HOST_SANDBOX_API,
	    "/v1.0/alerts/send")->name, "moengage_send_inform_sandbox");
	assert_string_equal(ml_catalog_match("POST", ML_HOST_API,
	    "/v1/catalog/c1/items/search")->name,
	    "moengage_search_catalog_items");
	assert_string_equal(ml_catalog_match("GET", ML_HOST_API,
	    "/campaign_reports/rest_api/WS/r.zip")->name,
	    "moengage_download_campaign_report");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalog_families_rows_match_moengage_docs),
		cmocka_unit_test(catalog_families_every_family_has_rows),
		cmocka_unit_test(catalog_families_schemas_are_object_schemas),
		cmocka_unit_test(catalog_families_limits_fail_locally),
		cmocka_unit_test(catalog_families_batch_caps),
		cmocka_unit_test(
		    catalog_families_resubscribe_string_list_counts_addresses),
		cmocka_unit_test(catalog_families_file_segment_needs_db_name),
		cmocka_unit_test(catalog_families_error_envelopes_normalize),
		cmocka_unit_test(
		    catalog_families_inform_duplicate_is_already_sent),
		cmocka_unit_test(catalog_families_proxy_paths_map_to_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
