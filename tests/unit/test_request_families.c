/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: request building for every action of the families beyond
 * Data: host, path, query, key and auth scheme, MoEngage's extra headers and
 * the body. The Basic credentials and the Push and report signatures were
 * computed independently with Python's base64 and hashlib, and the push
 * signature is recomputed here from its formula.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <moelink/account.h>
#include <moelink/catalog.h>
#include <moelink/json.h>
#include <moelink/request.h>

/* base64("WS_US01:<key>") per slot. */
#define B_DATA "Basic V1NfVVMwMTpkYXRhLWtleS11czAx"
#define B_GEN "Basic V1NfVVMwMTpnZW4ta2V5LXVzMDE="
#define B_INFORM "Basic V1NfVVMwMTppbmZvcm0ta2V5LXVzMDE="
#define B_PERS "Basic V1NfVVMwMTpwZXJzLWtleS11czAx"
#define B_MULTI_EU "Basic V1NfRVUwMjptdWx0aS1rZXktZXUwMg=="
#define B_PUSH "Basic V1NfVVMwMTpwdXNoLWtleS11czAx"
#define LA_IOS \
	"\"ios\":{\"content_state\":{\"s\":\"1-0\"},\"alert\":{\"title\":" \
	"\"Goal\",\"body\":\"1-0\"}"
/* sha256("WS_US01|Order Updates|push-key-us01") */
#define PUSH_SIG \
	"95366c3a6b16bbc863c2aafc84e4c04d7fd77813fa8d5983b6ed31ff0f9063ef"
/* sha256("WS_EU02|Order Updates|multi-key-eu02") */
#define PUSH_SIG_EU \
	"f4ea8dd1e51461ec9b82bfc79675aa61f9f54d6eeecb3e9efae4da0d12080f29"
/* sha256("WS_US01|Report_-_test_20210217.zip|gen-key-us01") */
#define REPORT_SIG \
	"25ce3ba0bd8b645fd3969fd4cd9fe68b46f6e363c982d422e7712381261b9787"

#define API "https://api-01.moengage.com"
#define PUSH_BODY \
	"{\"campaignName\":\"Order Updates\",\"targetPlatform\":[\"ANDROID\"]," \
	"\"targetAudience\":\"User\",\"targetUserAttributes\":{\"attribute\":" \
	"\"USER_ATTRIBUTE_UNIQUE_ID\",\"comparisonParameter\":\"is\"," \
	"\"attributeValue\":\"123\"},\"payload\":{\"ANDROID\":{\"title\":\"t\"," \
	"\"message\":\"m\"}},\"campaignDelivery\":{\"type\":\"soon\"}}"
#define FILE_SEG \
	"{\"name\":\"vip\",\"attribute_name\":\"uid\",\"attribute_type\":" \
	"\"string\",\"file_url\":\"https://files.example/vip.csv\""
#define INFORM_BODY \
	"{\"alert_id\":\"636b\",\"transaction_id\":\"TXN_1\",\"payloads\":" \
	"{\"SMS\":{\"recipient\":\"123\"}}}"
#define STATS_BODY \
	"{\"request_id\":\"r1\",\"campaign_ids\":[\"c1\"],\"start_date\":" \
	"\"2024-12-01\",\"end_date\":\"2024-12-31\",\"attribution_type\":" \
	"\"VIEW_THROUGH\",\"metric_type\":\"TOTAL\"}"

static void
acct_us01(struct ml_account *a)
{
	ml_account_init(a);
	assert_int_equal(ml_account_set(a, "WS_US01", "01", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_DATA, "data-key-us01"),
	    ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_GENERAL,
	    "gen-key-us01"), ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_PUSH, "push-key-us01"),
	    ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_INFORM,
	    "inform-key-us01"), ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_PERSONALIZE,
	    "pers-key-us01"), ML_OK);
	ml_strlcpy(a->db_name, "moe_db_us01", sizeof(a->db_name));
}

static int
build(struct ml_request *r, const char *action, struct ml_account *a,
    const char *body, const char *query, const char *path,
    const char *headers, struct ml_err *err)
{
	const struct ml_action *row = ml_catalog_find(action);
	struct ml_call_input in;
	int rc;

	if (row == NULL)
		fail_msg("no action %s", action);
	memset(&in, 0, sizeof(in));
	in.body = tu_json(body);
	in.query = tu_json(query);
	in.path = tu_json(path);
	in.headers = tu_json(headers);
	ml_err_clear(err);
	rc = ml_request_build(r, row, a, &in, err);
	json_object_put(in.body);
	json_object_put(in.query);
	json_object_put(in.path);
	json_object_put(in.headers);
	return rc;
}

struct rcase {
	const char *action;
	const char *body, *query, *path, *headers;
	const char *method;
	const char *url;
	const char *auth;		/* Authorization, NULL = must be absent */
	const char *hname, *hvalue;	/* one more header to check */
};

static const struct rcase cases[] = {
	{ "moengage_list_segments", NULL, "{\"name\":\"VIP users\"}", NULL,
	    NULL, "GET", API "/v3/custom-segments?name=VIP%20users", B_DATA,
	    NULL, NULL },
	{ "moengage_create_segment", "{\"name\":\"VIP\",\"included_filters\":"
	    "{\"filter_operator\":\"and\",\"filters\":[{\"filter_type\":"
	    "\"user_attributes\",\"name\":\"city\",\"data_type\":\"string\","
	    "\"operator\":\"is\",\"value\":\"Pune\"}]}}", NULL, NULL, NULL,
	    "POST", API "/v3/custom-segments", B_DATA, NULL, NULL },
	/* FilterGroupV3 sets no minimum on its filters. */
	{ "moengage_create_segment", "{\"name\":\"All\",\"included_filters\":"
	    "{\"filter_operator\":\"and\",\"filters\":[]}}", NULL, NULL, NULL,
	    "POST", API "/v3/custom-segments", B_DATA, NULL, NULL },
	{ "moengage_get_segment", NULL, NULL, "{\"id\":\"seg 1\"}", NULL,
	    "GET", API "/v3/custom-segments/seg%201", B_DATA, NULL, NULL },
	{ "moengage_update_segment", "{\"name\":\"VIP2\",\"included_filters\""
	    ":{\"filter_operator\":\"or\",\"filters\":[]}}", NULL,
	    "{\"id\":\"s1\"}", NULL, "PATCH", API "/v3/custom-segments/s1",
	    B_DATA, NULL, NULL },
	{ "moengage_create_file_segment", FILE_SEG ",\"expiry_time\":30}",
	    NULL, NULL, NULL, "POST", API "/v2/custom-segments/file-segment",
	    B_DATA, "MOE-DBNAME", "moe_db_us01" },
	{ "moengage_add_file_segment_users", FILE_SEG "}", NULL, NULL, NULL,
	    "PUT", API "/v2/custom-segments/file-segment/add-users", B_DATA,
	    "MOE-DBNAME", "moe_db_us01" },
	{ "moengage_remove_file_segment_users", FILE_SEG ",\"cs_id\":\"c\"}",
	    NULL, NULL, NULL, "PUT",
	    API "/v2/custom-segments/file-segment/remove-users", B_DATA,
	    "MOE-DBNAME", "moe_db_us01" },
	{ "moengage_replace_file_segment_users", FILE_SEG "}", NULL, NULL,
	    NULL, "PUT", API "/v2/custom-segments/file-segment/replace",
	    B_DATA, "MOE-DBNAME", "moe_db_us01" },
	{ "moengage_archive_segment", "{\"name\":\"vip\"}", NULL, NULL, NULL,
	    "PATCH", API "/v2/custom-segments/archive", B_DATA, "MOE-DBNAME",
	    "moe_db_us01" },
	{ "moengage_unarchive_segment", "{\"name\":\"vip\"}", NULL, NULL,
	    NULL, "PATCH", API "/v2/custom-segments/unarchive", B_DATA,
	    "MOE-DBNAME", "moe_db_us01" },
	{ "moengage_sync_cohort", "{\"action\":\"add_members\",\"partner\":"
	    "\"p1\",\"parameters\":{\"cohort_name\":\"c\",\"cohort_id\":\"c1\","
	    "\"members\":[{\"uid\":\"u1\"}]}}", NULL, NULL, NULL, "POST",
	    API "/v1/integrations/cohortsync", B_DATA, NULL, NULL },
	{ "moengage_get_campaign_stats", STATS_BODY, NULL, NULL, NULL, "POST",
	    API "/core-services/v1/campaign-stats", B_GEN, NULL, NULL },
	{ "moengage_download_campaign_report", NULL, NULL,
	    "{\"filename\":\"Report_-_test_20210217.zip\"}", NULL, "GET",
	    API "/campaign_reports/rest_api/WS_US01/Report_-_test_20210217.zip",
	    NULL, "Signature", REPORT_SIG },
	{ "moengage_create_business_event", "{\"event_name\":\"Series\","
	    "\"event_attributes\":[{\"attribute_name\":\"season\","
	    "\"attribute_data_type\":\"string\"}],\"created_by\":\"a@b.co\"}",
	    NULL, NULL, NULL, "POST", API "/v1.0/business_event", B_GEN, NULL,
	    NULL },
	{ "moengage_trigger_business_event", "{\"event_name\":\"Series\","
	    "\"event_attributes\":{\"season\":\"1\"}}", NULL, NULL, NULL,
	    "POST", API "/v1.0/business_event/trigger", B_GEN, NULL, NULL },
	{ "moengage_search_business_events", "{\"event_names\":[\"Series\"]}",
	    NULL, NULL, NULL, "POST", API "/v1.0/business_event/search", B_GEN,
	    NULL, NULL },
	{ "moengage_list_business_events", NULL, "{\"limit\":20}", NULL, NULL,
	    "GET", API "/v5/business-events?limit=20", B_GEN, NULL, NULL },
	{ "moengage_search_business_events_v5", NULL, NULL, NULL,
	    "{\"X-MOE-Request-Id\":\"9f2c1b7a\"}", "POST",
	    API "/v5/business-events/search", B_GEN, "X-MOE-Request-Id",
	    "9f2c1b7a" },
	{ "moengage_trigger_business_event_v5", "{\"event_name\":\"drop\","
	    "\"triggered_by\":\"ops@a.co\"}", NULL, NULL, NULL, "POST",
	    API "/v5/business-events/triggers", B_GEN, NULL, NULL },
	{ "moengage_create_content_block", "{\"name\":\"n\",\"label\":\"l\","
	    "\"raw_content\":\"<b>x</b>\",\"content_type\":\"HTML\","
	    "\"created_by\":\"a@b.co\"}", NULL, NULL, NULL, "POST",
	    API "/v1/external/campaigns/content-blocks", B_GEN, NULL, NULL },
	{ "moengage_update_content_block", "{\"id\":\"i\",\"name\":\"n\","
	    "\"status\":\"ACTIVE\",\"raw_content\":\"x\",\"updated_by\":"
	    "\"a@b.co\"}", NULL, NULL, NULL, "PUT",
	    API "/v1/external/campaigns/content-blocks", B_GEN, NULL, NULL },
	{ "moengage_get_content_blocks", "{\"ids\":[\"i1\"]}", NULL, NULL,
	    NULL, "POST", API "/v1/external/campaigns/content-blocks/get-by-ids",
	    B_GEN, NULL, NULL },
	{ "moengage_search_content_blocks", "{\"filters\":{}}", NULL, NULL,
	    NULL, "POST", API "/v1/external/campaigns/content-blocks/search",
	    B_GEN, NULL, NULL },
	{ "moengage_create_catalog", "{\"name\":\"shoes\",\"price_currency\":"
	    "\"USD\",\"attributes\":["
	    "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"title\","
	    "\"type\":\"string\"},{\"name\":\"link\",\"type\":\"string\"},"
	    "{\"name\":\"image_link\",\"type\":\"string\"}]}", NULL, NULL, NULL,
	    "POST", API "/v1/catalog", B_GEN, NULL, NULL },
	{ "moengage_add_catalog_attributes", "{\"attributes\":[{\"name\":"
	    "\"price\",\"type\":\"double\"}]}", NULL, "{\"catalog_id\":\"c1\"}",
	    NULL, "PATCH", API "/v1/catalog/c1/attributes", B_GEN, NULL, NULL },
	{ "moengage_add_catalog_items", "{\"items\":[{\"id\":\"P1\"}]}", NULL,
	    "{\"catalog_id\":\"c1\"}", NULL, "POST", API "/v1/catalog/c1/items",
	    B_GEN, NULL, NULL },
	{ "moengage_update_catalog_items", "{\"items\":[{\"id\":\"P1\","
	    "\"attributes\":{\"price\":3}}]}", NULL, "{\"catalog_id\":\"c1\"}",
	    NULL, "PATCH", API "/v1/catalog/c1/items", B_GEN, NULL, NULL },
	{ "moengage_delete_catalog_items", "{\"items\":[\"P1\"]}", NULL,
	    "{\"catalog_id\":\"c1\"}", NULL, "POST",
	    API "/v1/catalog/c1/items/bulk-delete", B_GEN, NULL, NULL },
	{ "moengage_search_catalog_items", "{\"items\":[\"P1\"]}", NULL,
	    "{\"catalog_id\":\"c1\"}", NULL, "POST",
	    API "/v1/catalog/c1/items/search", B_GEN, NULL, NULL },
	{ "moengage_get_subscription_preferences", NULL,
	    "{\"user_id\":\"u+1\",\"cid\":\"c\"}", NULL, NULL, "GET",
	    API "/v1/category-subscription/user-preferences?user_id=u%2B1&cid=c",
	    B_DATA, NULL, NULL },
	{ "moengage_update_subscription_preferences", "{\"categories\":"
	    "{\"Promotional\":true},\"unsubscribe_all\":false}",
	    "{\"user_id\":\"u\",\"cid\":\"c\"}", NULL, NULL, "PUT",
	    API "/v1/category-subscription/user-preferences?user_id=u&cid=c",
	    B_DATA, NULL, NULL },
	{ "moengage_bulk_update_subscription_preferences", "{\"channel\":"
	    "\"email\",\"user_preferences\":[{\"customer_id\":\"u1\","
	    "\"categories\":{\"News\":false},\"unsubscribe_all\":false}]}", NULL,
	    NULL, "{\"moe-project-code\":\"P9\"}", "POST",
	    API "/v1/category-subscription/user-preferences", B_DATA,
	    "MOE-PROJECT-CODE", "P9" },
	{ "moengage_update_email_opt_in", "{\"user_preferences\":{"
	    "\"email_id\":\"a@b.co\",\"opt_in_status\":\"DOUBLE_OPTED_IN\","
	    "\"channel\":\"email\"}}", NULL, NULL, NULL, "PUT",
	    API "/v1.0/opt-in-management/user-preferences", B_DATA, NULL, NULL },
	{ "moengage_bulk_resubscribe_emails", "{\"recipients\":\"a@b.co,"
	    "c@d.co\",\"esp\":\"SendGrid\",\"request_id\":\"r1\"}", NULL, NULL,
	    NULL, "POST", API "/emails/v1.0/bulk-resubscribe", B_DATA, NULL,
	    NULL },
	{ "moengage_list_subscription_categories", NULL,
	    "{\"channel\":\"email\"}", NULL, NULL, "GET",
	    API "/v5/subscription-categories?channel=email", B_DATA, NULL,
	    NULL },
	{ "moengage_get_subscription_preferences_v5", NULL,
	    "{\"user_identifier_type\":\"uid\",\"user_identifier_value\":"
	    "\"u+1\"}", NULL, "{\"X-MOE-Request-Id\":\"t1\"}", "GET",
	    API "/v5/subscription-preferences?user_identifier_type=uid&"
	    "user_identifier_value=u%2B1", B_DATA, "X-MOE-Request-Id", "t1" },
	/* Cards: the general key; DELETE with a body. */
	{ "moengage_fetch_cards", "{\"uid\":\"u@example.com\",\"platforms\":"
	    "[\"WEB\"]}", "{\"page\":2,\"limit\":10}", NULL, NULL, "POST",
	    API "/v1/cards/fetch?page=2&limit=10", B_GEN, "MOE-APPKEY",
	    "WS_US01" },
	{ "moengage_delete_cards", "{\"unique_id\":\"d1\",\"campaign_ids\":"
	    "[\"c1\"],\"platforms\":[\"android\"]}", NULL, NULL, NULL,
	    "DELETE", API "/v1/cards/delete", B_GEN, "MOE-APPKEY", "WS_US01" },
	/* Live Activities: Push key in Basic auth, X-MOE-APPKEY. */
	{ "moengage_start_live_activity", "{\"broadcast_live_activity_id\":"
	    "\"la1\"," LA_IOS ",\"attribute_type\":\"T\",\"attribute_info\":"
	    "{}}}", NULL, NULL, NULL, "POST",
	    API "/v1.0/live-activity/broadcast/start", B_PUSH, "X-MOE-APPKEY",
	    "WS_US01" },
	{ "moengage_update_live_activity", "{\"broadcast_live_activity_id\":"
	    "\"la1\"," LA_IOS "}}", NULL, NULL, NULL, "POST",
	    API "/v1.0/live-activity/broadcast/update", B_PUSH, "X-MOE-APPKEY",
	    "WS_US01" },
	{ "moengage_end_live_activity", "{\"broadcast_live_activity_id\":"
	    "\"la1\",\"instance_id\":\"i1\"," LA_IOS "}}", NULL, NULL, NULL,
	    "POST", API "/v1.0/live-activity/broadcast/end", B_PUSH,
	    "X-MOE-APPKEY", "WS_US01" },
	{ "moengage_update_subscription_preferences_v5", "{\"user_identifier"
	    "_type\":\"uid\",\"user_identifier_value\":\"u1\",\"is_globally_"
	    "unsubscribed\":true}", NULL, NULL, "{\"Idempotency-Key\":\"3f2b8c1e-"
	    "9d4a-4b6e-8f10-2a3b4c5d6e7f\"}", "PATCH",
	    API "/v5/subscription-preferences", B_DATA, "Idempotency-Key",
	    "3f2b8c1e-9d4a-4b6e-8f10-2a3b4c5d6e7f" },
	{ "moengage_fetch_experiences", "{\"identifiers\":{\"customer_id\":"
	    "\"u1\"},\"experience_key\":[\"homepage-banner\"]}", NULL, NULL,
	    NULL, "POST", "https://sdk-01.moengage.com/v1/experiences/fetch",
	    B_PERS, NULL, NULL },
	/* Neither identifiers nor experience_key is required. */
	{ "moengage_fetch_experiences", "{}", NULL, NULL, NULL, "POST",
	    "https://sdk-01.moengage.com/v1/experiences/fetch", B_PERS, NULL,
	    NULL },
	{ "moengage_fetch_experiences", "{\"identifiers\":{"
	    "\"user_identifiers\":{\"u_em\":\"a@b.co\"}}}", NULL, NULL, NULL,
	    "POST", "https://sdk-01.moengage.com/v1/experiences/fetch", B_PERS,
	    NULL, NULL },
	{ "moengage_get_experience_metadata", NULL,
	    "{\"status\":\"Active,Paused\"}", NULL, NULL, "GET",
	    "https://sdk-01.moengage.com/v1/experiences/metadata"
	    "?status=Active%2CPaused", B_PERS, NULL, NULL },
	{ "moengage_report_experience_events", "{\"elements\":[{"
	    "\"customer_id\":\"u1\",\"actions\":[{\"action\":"
	    "\"MOE_PERSONALIZATION_MESSAGE_SHOWN\",\"moe_event_uuid\":\"e1\","
	    "\"attributes\":{\"cid\":\"c\",\"experience\":\"e\",\"moe_locale_id\":"
	    "\"0\",\"moe_variation_id\":\"1\",\"audience_name\":\"a\","
	    "\"audience_id\":\"i\"}}]}]}",
	    NULL, NULL, NULL, "POST",
	    "https://sdk-01.moengage.com/v1/experiences/events", B_PERS, NULL,
	    NULL },
	{ "moengage_list_recommendations", NULL,
	    "{\"size\":100,\"batch_num\":2}", NULL, NULL, "GET",
	    API "/v1/recommendations?size=100&batch_num=2", B_GEN, NULL, NULL },
	{ "moengage_get_recommendation", NULL, NULL,
	    "{\"recommendation_id\":\"r1\"}", NULL, "GET",
	    API "/v1/recommendations/r1", B_GEN, NULL, NULL },
	{ "moengage_get_recommendation_items", "{\"user_id\":\"u1\"}", NULL,
	    "{\"recommendation_id\":\"r1\"}",
	    "{\"RECOMMENDATION-TYPE\":\"trending_item\"}", "POST",
	    API "/v1/recommendations/r1/items", B_GEN, "RECOMMENDATION-TYPE",
	    "trending_item" },
	{ "moengage_send_inform", INFORM_BODY, NULL, NULL, NULL, "POST",
	    API "/v1.0/alerts/send", B_INFORM, NULL, NULL },
	{ "moengage_send_inform_sandbox", INFORM_BODY, NULL, NULL, NULL,
	    "POST", "https://sandbox-api-01.moengage.com/v1.0/alerts/send",
	    B_INFORM, NULL, NULL },
};

static void
request_families_every_action_has_a_case(void **state)
{
	const struct ml_action *const *rows;
	size_t i, j, n;
	int found;

	(void)state;
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		if (rows[i]->family == ML_FAM_DATA ||
		    rows[i]->family == ML_FAM_TEMPLATES ||
		    rows[i]->family == ML_FAM_PUSH)
			continue;	/* own tests below / test_request.c */
		found = 0;
		for (j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
			found |= strcmp(cases[j].action, rows[i]->name) == 0;
		if (!found)
			fail_msg("no request case for %s", rows[i]->name);
	}
}

static void
request_families_build_host_path_key_headers(void **state)
{
	struct ml_account a;
	struct ml_request r;
	struct ml_err err;
	json_object *want, *got;
	size_t i;

	(void)state;
	acct_us01(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];

		if (build(&r, c->action, &a, c->body, c->query, c->path,
		    c->headers, &err) != ML_OK)
			fail_msg("%s: %s", c->action, err.msg);
		assert_string_equal(r.method, c->method);
		if (strcmp(r.url, c->url) != 0)
			fail_msg("%s: url %s, want %s", c->action, r.url, c->url);
		if (c->auth != NULL)
			assert_string_equal(tu_header(&r, "Authorization"), c->auth);
		else
			assert_null(tu_header(&r, "Authorization"));
		assert_string_equal(tu_header(&r, "MOE-APPKEY"), "WS_US01");
		if (c->hname != NULL) {
			if (tu_header(&r, c->hname) == NULL)
				fail_msg("%s: no %s header", c->action,
				    c->hname);
			assert_string_equal(tu_header(&r, c->hname), c->hvalue);
		}
		if (c->body != NULL) {
			want = tu_json(c->body);
			got = tu_json(r.body);
			if (!json_object_equal(want, got))
				fail_msg("%s: body %s", c->action, r.body);
			json_object_put(want);
			json_object_put(got);
			assert_string_equal(tu_header(&r, "Content-Type"),
			    "application/json");
		} else {
			assert_null(r.body);
		}
		ml_request_cleanup(&r);
	}
	ml_account_cleanup(&a);
}

static void
request_families_templates_every_channel(void **state)
{
	static const char *const channels[] = { "push", "sms", "osm", "inapp",
	    "email" };
	/* The smallest bodies the OpenAPI files allow: push (its platform
	 * body), sms (basic_details), the rest (meta_info only). */
#define META_NEW "\"meta_info\":{\"template_id\":\"t1\",\"template_name\":" \
	"\"t\",\"template_version\":\"1\",\"created_by\":\"a@b.co\""
#define META_UPD "\"external_template_id\":\"x\",\"meta_info\":{" \
	"\"template_name\":\"t\",\"updated_by\":\"a@b.co\""
#define TPL_PUSH ",\"platform\":[\"IOS\"],\"template_style\":\"BASIC\"}," \
	"\"IOS\":{\"basic_details\":{\"title\":\"t\",\"message\":\"m\"," \
	"\"default_click_action_value\":\"https://x\"}}}"
#define SMS_BODY "},\"basic_details\":{\"message\":\"hi\"}}"
	static const struct {
		const char *fmt, *method, *suffix, *body[3];
	} ops[] = {
		{ "moengage_create_%s_template", "POST", "", {
		    "{" META_NEW TPL_PUSH, "{" META_NEW SMS_BODY,
		    "{" META_NEW "}}" } },
		{ "moengage_update_%s_template", "PUT", "", {
		    "{" META_UPD TPL_PUSH, "{" META_UPD SMS_BODY,
		    "{" META_UPD "}}" } },
		{ "moengage_search_%s_templates", "POST", "/search", {
		    "{\"page\":1,\"entries\":15}", "{\"page\":1,\"entries\":15}",
		    "{\"page\":1,\"entries\":15}" } },
	};
#undef META_NEW
#undef META_UPD
#undef TPL_PUSH
#undef SMS_BODY
	struct ml_account a;
	struct ml_request r;
	struct ml_err err;
	char name[64], url[128];
	size_t c, o;

	(void)state;
	acct_us01(&a);
	for (c = 0; c < 5; c++) {
		for (o = 0; o < 3; o++) {
			snprintf(name, sizeof(name), ops[o].fmt, channels[c]);
			snprintf(url, sizeof(url), API
			    "/v1.0/custom-templates/%s%s", channels[c],
			    ops[o].suffix);
			if (build(&r, name, &a, ops[o].body[c < 2 ? c : 2],
			    NULL, NULL, NULL, &err) != ML_OK)
				fail_msg("%s: %s", name, err.msg);
			assert_string_equal(r.url, url);
			assert_string_equal(r.method, ops[o].method);
			assert_string_equal(tu_header(&r, "Authorization"), B_GEN);
			assert_string_equal(tu_header(&r, "MOE-APPKEY"), "WS_US01");
			ml_request_cleanup(&r);
		}
	}
	ml_account_cleanup(&a);
}

/* sha256_hex(ws|campaign|key) from the formula, with libsodium, is sig. */
static void
expect_push_formula(const char *ws, const char *campaign, const char *key,
    const char *sig)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	char text[256], hex[65];

	snprintf(text, sizeof(text), "%s|%s|%s", ws, campaign, key);
	crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	assert_string_equal(hex, sig);
}

/* The built body carries signature sig and, unless app is NULL, appId app. */
static void
expect_signed_body(const struct ml_request *r, const char *sig,
    const char *app)
{
	json_object *body;

	body = tu_json(r->body);
	assert_string_equal(ml_json_str(body, "signature"), sig);
	if (app != NULL)
		assert_string_equal(ml_json_str(body, "appId"), app);
	json_object_put(body);
}

static void
request_families_push_signature_known_answer(void **state)
{
	struct ml_account a;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	expect_push_formula("WS_US01", "Order Updates", "push-key-us01",
	    PUSH_SIG);
	acct_us01(&a);
	/* v2: signature and appId in the body, no Basic auth, no v2.1
	 * headers. */
	assert_int_equal(build(&r, "moengage_send_push", &a, PUSH_BODY, NULL,
	    NULL, NULL, &err), ML_OK);
	assert_string_equal(r.url,
	    "https://pushapi-01.moengage.com/v2/transaction/sendpush");
	assert_null(tu_header(&r, "Authorization"));
	assert_null(tu_header(&r, "X-MOE-PushAPI-Signature"));
	expect_signed_body(&r, PUSH_SIG, "WS_US01");
	ml_request_cleanup(&r);
	/* v2.1: the same signature in the header, the query type from the
	 * audience. */
	assert_int_equal(build(&r, "moengage_send_push_v2_1", &a, PUSH_BODY,
	    NULL, NULL, NULL, &err), ML_OK);
	assert_string_equal(r.url,
	    "https://pushapi-01.moengage.com/v2.1/transaction/sendpush");
	assert_string_equal(tu_header(&r, "X-MOE-APPKEY"), "WS_US01");
	assert_string_equal(tu_header(&r, "X-MOE-PushAPI-Signature"), PUSH_SIG);
	assert_string_equal(tu_header(&r, "X-MOE-Query-Type"), "user");
	expect_signed_body(&r, PUSH_SIG, NULL);
	ml_request_cleanup(&r);
	/* A caller's own signature is replaced by the right one. */
	assert_int_equal(build(&r, "moengage_send_push", &a,
	    "{\"campaignName\":\"Order Updates\",\"signature\":\"forged\","
	    "\"appId\":\"OTHER\",\"targetPlatform\":[\"IOS\"],"
	    "\"targetAudience\":\"All Users\",\"payload\":{\"IOS\":{\"title\":"
	    "\"t\",\"message\":\"m\"}},"
	    "\"campaignDelivery\":{\"type\":\"soon\"}}", NULL, NULL, NULL, &err),
	    ML_OK);
	expect_signed_body(&r, PUSH_SIG, "WS_US01");
	ml_request_cleanup(&r);
	ml_account_cleanup(&a);
}

static void
request_families_push_bulk_query_type_and_multi_key(void **state)
{
	struct ml_account a;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	ml_account_init(&a);
	assert_int_equal(ml_account_set(&a, "WS_EU02", "02", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a.keys, ML_KEY_MULTI,
	    "multi-key-eu02"), ML_OK);
	expect_push_formula("WS_EU02", "Order Updates", "multi-key-eu02",
	    PUSH_SIG_EU);
	assert_int_equal(build(&r, "moengage_send_push_v2_1", &a,
	    "{\"campaignName\":\"Order Updates\",\"targetPlatform\":[\"WEB\"],"
	    "\"targetAudience\":\"User\",\"bulkUserRequest\":true,"
	    "\"payload\":{\"WEB\":{\"title\":\"t\",\"message\":\"m\","
	    "\"redirectURL\":\"https://x\",\"iconURL\":\"https://x/i.png\"}},"
	    "\"campaignDelivery\":{\"type\":\"soon\"}}", NULL,
	    NULL, NULL, &err), ML_OK);
	assert_string_equal(r.host, "pushapi-02.moengage.com");
	assert_string_equal(tu_header(&r, "X-MOE-Query-Type"), "bulk users");
	assert_string_equal(tu_header(&r, "X-MOE-PushAPI-Signature"), PUSH_SIG_EU);
	expect_signed_body(&r, PUSH_SIG_EU, NULL);
	ml_request_cleanup(&r);
	/* The multi key also answers for Personalize, on sdk-02. */
	assert_int_equal(build(&r, "moengage_get_experience_metadata", &a,
	    NULL, NULL, NULL, NULL, &err), ML_OK);
	assert_string_equal(r.url,
	    "https://sdk-02.moengage.com/v1/experiences/metadata");
	assert_string_equal(tu_header(&r, "Authorization"), B_MULTI_EU);
	ml_request_cleanup(&r);
	ml_account_cleanup(&a);
}

static void
request_families_missing_key_names_the_slot(void **state)
{
	struct ml_account a;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	ml_account_init(&a);
	assert_int_equal(ml_account_set(&a, "WS_IN03", "03", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a.keys, ML_KEY_DATA, "data-key-in03"),
	    ML_OK);
	/* Personalize never borrows the Data key. */
	assert_int_equal(build(&r, "moengage_fetch_experiences", &a,
	    "{\"identifiers\":{\"customer_id\":\"u\"},\"experience_key\":"
	    "[\"k\"]}", NULL, NULL, NULL, &err), ML_ENOKEY);
	assert_null(r.url);
	assert_non_null(strstr(err.msg, "ersonalize"));
	assert_int_equal(build(&r, "moengage_send_inform", &a, INFORM_BODY,
	    NULL, NULL, NULL, &err), ML_ENOKEY);
	assert_int_equal(build(&r, "moengage_get_campaign_stats", &a,
	    STATS_BODY, NULL, NULL, NULL, &err), ML_ENOKEY);
	ml_account_cleanup(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_families_every_action_has_a_case),
		cmocka_unit_test(request_families_build_host_path_key_headers),
		cmocka_unit_test(request_families_templates_every_channel),
		cmocka_unit_test(request_families_push_signature_known_answer),
		cmocka_unit_test(
		    request_families_push_bulk_query_type_and_multi_key),
		cmocka_unit_test(request_families_missing_key_names_the_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
