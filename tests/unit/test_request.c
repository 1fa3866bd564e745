/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: request building (URL, headers, body) for every Data action,
 * key choice, size caps, header injection, and out-of-memory at every
 * allocation. Expected Basic credentials and the Push signature were
 * computed independently (Python base64/hashlib).
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
#include <moelink/json.h>
#include <moelink/mem.h>
#include <moelink/request.h>

/* base64("WS_US01:data-key-us01") and base64("WS_EU02:multi-key-eu02") */
#define BASIC_US01 "Basic V1NfVVMwMTpkYXRhLWtleS11czAx"
#define BASIC_EU02 "Basic V1NfRVUwMjptdWx0aS1rZXktZXUwMg=="

static void
acct_us01(struct ml_account *a)
{
	ml_account_init(a);
	assert_int_equal(ml_account_set(a, "WS_US01", "01", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_DATA, "data-key-us01"),
	    ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_PUSH, "push-key-us01"),
	    ML_OK);
}

static int
build(struct ml_request *r, const char *action, struct ml_account *a,
    const char *body, const char *query, const char *path, struct ml_err *err)
{
	struct ml_call_input in;
	int rc;

	memset(&in, 0, sizeof(in));
	in.body = tu_json(body);
	in.query = tu_json(query);
	in.path = tu_json(path);
	ml_err_clear(err);
	rc = ml_request_build(r, ml_catalog_find(action), a, &in, err);
	json_object_put(in.body);
	json_object_put(in.query);
	json_object_put(in.path);
	return rc;
}

static void
assert_clean(const struct ml_request *r)
{
	assert_null(r->url);
	assert_null(r->body);
	assert_int_equal(r->nheaders, 0);
	assert_null(r->action);
}

static void
request_builds_every_data_action(void **state)
{
	static const struct {
		const char *action, *body, *url;
	} cases[] = {
		{ "moengage_track_user",
		    "{\"type\":\"customer\",\"customer_id\":\"u1\","
		    "\"attributes\":{\"name\":\"J\"}}",
		    "https://api-01.moengage.com/v1/customer/WS_US01" },
		{ "moengage_track_event",
		    "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":"
		    "[{\"action\":\"Bought\",\"platform\":\"web\"}]}",
		    "https://api-01.moengage.com/v1/event/WS_US01" },
		{ "moengage_bulk_import",
		    "{\"type\":\"transition\",\"elements\":[{\"type\":"
		    "\"customer\",\"customer_id\":\"u1\"}]}",
		    "https://api-01.moengage.com/v1/transition/WS_US01" },
		{ "moengage_track_device",
		    "{\"type\":\"device\",\"customer_id\":\"u1\",\"device_id\":"
		    "\"d1\",\"attributes\":{\"platform\":\"ANDROID\","
		    "\"push_id\":\"tok\"}}",
		    "https://api-01.moengage.com/v1/device/WS_US01" },
		{ "moengage_device_opt_out",
		    "{\"user_identifier_type\":\"customer_id\","
		    "\"user_identifier_value\":\"u1\",\"action_type\":\"block\"}",
		    "https://api-01.moengage.com/v1/devices/manage?app_id=WS_US01" },
		{ "moengage_merge_users",
		    "{\"merge_data\":[{\"merged_user\":\"a\",\"retained_user\":"
		    "\"b\"}]}",
		    "https://api-01.moengage.com/v1/customer/merge?app_id=WS_US01" },
		{ "moengage_delete_user",
		    "{\"identity_type\":\"customer_id\",\"identity_value\":\"u1\"}",
		    "https://api-01.moengage.com/v1/customer/delete?app_id=WS_US01" },
		{ "moengage_get_user",
		    "{\"data\":{\"identifiers\":[{\"identifier_type\":"
		    "\"customer_id\",\"identifier\":\"u1\"}]}}",
		    "https://api-01.moengage.com/v1/customers/export?app_id=WS_US01" },
		{ "moengage_test_connection",
		    "{\"app_id\":\"WS_US01\",\"app_secret\":\"s\",\"source\":\"t\","
		    "\"region\":\"01\"}",
		    "https://api-01.moengage.com/v1/integrations/authentication" },
	};
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;
	size_t i;

	(void)state;
	acct_us01(&acct);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (build(&r, cases[i].action, &acct, cases[i].body, NULL, NULL,
		    &err) != ML_OK)
			fail_msg("%s: %s", cases[i].action, err.msg);
		assert_string_equal(r.url, cases[i].url);
		assert_string_equal(r.method, "POST");
		assert_string_equal(r.host, "api-01.moengage.com");
		assert_string_equal(tu_header(&r, "Authorization"), BASIC_US01);
		assert_string_equal(tu_header(&r, "MOE-APPKEY"), "WS_US01");
		assert_string_equal(tu_header(&r, "Content-Type"),
		    "application/json");
		assert_null(tu_header(&r, "MOE-DBNAME"));
		/* The body goes out as given (compact JSON). */
		assert_string_equal(r.body, cases[i].body);
		assert_int_equal(r.body_len, strlen(cases[i].body));
		assert_int_equal(r.family, ML_FAM_DATA);
		assert_int_equal(r.envelope, ML_ENV_DATA);
		assert_ptr_equal(r.action, ml_catalog_find(cases[i].action));
		ml_request_cleanup(&r);
		assert_clean(&r);
	}
	ml_account_cleanup(&acct);
}

static void
request_every_dc_gives_regional_host(void **state)
{
	const struct ml_dc_info *dcs = ml_dc_list();
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;
	char want[128];
	int d;

	(void)state;
	for (d = 0; d < ML_DC_COUNT; d++) {
		ml_account_init(&acct);
		assert_int_equal(ml_account_set(&acct, "WS", dcs[d].id, NULL),
		    ML_OK);
		ml_keyset_set(&acct.keys, ML_KEY_DATA, "k");
		assert_int_equal(build(&r, "moengage_delete_user", &acct,
		    "{\"identity_type\":\"customer_id\",\"identity_value\":"
		    "\"u\"}", NULL, NULL, &err), ML_OK);
		snprintf(want, sizeof(want), "https://api-%s.moengage.com/v1/"
		    "customer/delete?app_id=WS", dcs[d].id);
		assert_string_equal(r.url, want);
		ml_request_cleanup(&r);
		ml_account_cleanup(&acct);
	}
}

static void
request_url_encodes_workspace_and_query(void **state)
{
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	ml_account_init(&acct);
	assert_int_equal(ml_account_set(&acct, "A/B?C#%", "02", NULL), ML_OK);
	ml_keyset_set(&acct.keys, ML_KEY_DATA, "k");
	assert_int_equal(build(&r, "moengage_track_user", &acct,
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"}", NULL, NULL, &err),
	    ML_OK);
	assert_string_equal(r.url,
	    "https://api-02.moengage.com/v1/customer/A%2FB%3FC%23%25");
	ml_request_cleanup(&r);
	assert_int_equal(build(&r, "moengage_get_user", &acct,
	    "{\"data\":{\"identifiers\":[{\"identifier_type\":\"id\","
	    "\"identifier\":\"x\"}]}}", "{\"note\":\"a b&c=d\",\"n\":5}", NULL,
	    &err), ML_OK);
	assert_string_equal(r.url, "https://api-02.moengage.com/v1/customers/"
	    "export?app_id=A%2FB%3FC%23%25&note=a%20b%26c%3Dd&n=5");
	ml_request_cleanup(&r);
	/* A caller's app_id may only repeat the account's. */
	assert_int_equal(build(&r, "moengage_get_user", &acct,
	    "{\"data\":{\"identifiers\":[{\"identifier_type\":\"id\","
	    "\"identifier\":\"x\"}]}}", "{\"app_id\":\"OTHER\"}", NULL, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "query.app_id");
	assert_clean(&r);
	assert_int_equal(build(&r, "moengage_get_user", &acct,
	    "{\"data\":{\"identifiers\":[{\"identifier_type\":\"id\","
	    "\"identifier\":\"x\"}]}}", "{\"x\":{\"nested\":1}}", NULL, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "query.x");
	ml_account_cleanup(&acct);
}

static void
request_refuses_line_breaks_in_headers(void **state)
{
	struct ml_request r;
	struct ml_err err;

	(void)state;
	ml_request_init(&r);
	assert_int_equal(ml_request_add_header(&r, "X-A", "ok", &err), ML_OK);
	assert_int_equal(ml_request_add_header(&r, "X-B", "a\r\nX-Evil: 1",
	    &err), ML_EINVAL);
	assert_int_equal(ml_request_add_header(&r, "X-B", "a\nb", &err),
	    ML_EINVAL);
	assert_int_equal(ml_request_add_header(&r, "X-B", "a\rb", &err),
	    ML_EINVAL);
	assert_int_equal(ml_request_add_header(&r, "X-B: evil", "v", &err),
	    ML_EINVAL);
	assert_int_equal(ml_request_add_header(&r, "", "v", &err), ML_EINVAL);
	assert_int_equal(ml_request_add_header(&r, "X\nB", "v", &err),
	    ML_EINVAL);
	assert_int_equal(r.nheaders, 1);
	assert_string_equal(r.headers[0], "X-A: ok");
	ml_request_cleanup(&r);
}

static void
request_forwarded_for_only_known_headers(void **state)
{
	struct ml_call_input in;
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	acct_us01(&acct);
	memset(&in, 0, sizeof(in));
	in.body = tu_json("{\"type\":\"customer\",\"customer_id\":\"u1\"}");
	in.headers = tu_json("{\"X-Forwarded-For\":\"203.0.113.195\"}");
	assert_int_equal(ml_request_build(&r,
	    ml_catalog_find("moengage_track_user"), &acct, &in, &err), ML_OK);
	assert_string_equal(tu_header(&r, "X-Forwarded-For"), "203.0.113.195");
	ml_request_cleanup(&r);
	json_object_put(in.headers);
	in.headers = tu_json("{\"X-Forwarded-For\":\"1.2.3.4\\r\\nX-Evil: 1\"}");
	assert_int_equal(ml_request_build(&r,
	    ml_catalog_find("moengage_track_user"), &acct, &in, &err),
	    ML_EINVAL);
	assert_clean(&r);
	json_object_put(in.headers);
	in.headers = tu_json("{\"Authorization\":\"Basic eA==\"}");
	assert_int_equal(ml_request_build(&r,
	    ml_catalog_find("moengage_track_user"), &acct, &in, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "headers.Authorization");
	json_object_put(in.headers);
	json_object_put(in.body);
	ml_account_cleanup(&acct);
}

static void
request_key_choice_falls_back_to_multi(void **state)
{
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	ml_account_init(&acct);
	assert_int_equal(ml_account_set(&acct, "WS_EU02", "02", NULL), ML_OK);
	/* No key at all: a local error naming the Data key, nothing built. */
	assert_int_equal(build(&r, "moengage_track_user", &acct,
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"}", NULL, NULL, &err),
	    ML_ENOKEY);
	assert_string_equal(err.kind, "missing_api_key");
	assert_string_equal(err.field, "data");
	assert_non_null(strstr(err.msg, "Data API key"));
	assert_clean(&r);
	/* The general key does not open the Data API. */
	ml_keyset_set(&acct.keys, ML_KEY_GENERAL, "gen");
	assert_int_equal(build(&r, "moengage_track_user", &acct,
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"}", NULL, NULL, &err),
	    ML_ENOKEY);
	ml_keyset_set(&acct.keys, ML_KEY_MULTI, "multi-key-eu02");
	assert_int_equal(build(&r, "moengage_track_user", &acct,
	    "{\"type\":\"customer\",\"customer_id\":\"u1\"}", NULL, NULL, &err),
	    ML_OK);
	assert_string_equal(tu_header(&r, "Authorization"), BASIC_EU02);
	assert_string_equal(r.url,
	    "https://api-02.moengage.com/v1/customer/WS_EU02");
	ml_request_cleanup(&r);
	ml_account_cleanup(&acct);
}

/* A bulk body of about `size` bytes made of valid customer elements. */
static char *
bulk_body(size_t size)
{
	struct ml_buf b;
	size_t i = 0;

	ml_buf_init(&b, size + 4096);
	assert_int_equal(ml_buf_append_str(&b,
	    "{\"type\":\"transition\",\"elements\":["), ML_OK);
	while (b.len < size - 200) {
		assert_int_equal(ml_buf_appendf(&b, "%s{\"type\":\"customer\","
		    "\"customer_id\":\"user-%06zu\",\"attributes\":{\"note\":"
		    "\"%s\"}}", i ? "," : "", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
		    ML_OK);
		i++;
	}
	assert_int_equal(ml_buf_append_str(&b, "]}"), ML_OK);
	return ml_buf_detach(&b);
}

static void
request_body_caps_are_per_action(void **state)
{
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;
	char *small, *big;

	(void)state;
	acct_us01(&acct);
	small = bulk_body(99 * 1024);
	big = bulk_body(101 * 1024);
	assert_true(strlen(big) > 100 * 1024 && strlen(big) < 128 * 1024);
	assert_int_equal(build(&r, "moengage_bulk_import", &acct, small, NULL,
	    NULL, &err), ML_OK);
	ml_request_cleanup(&r);
	/* 101 KB: over Bulk Import's 100 KB, nothing is built. */
	assert_int_equal(build(&r, "moengage_bulk_import", &acct, big, NULL,
	    NULL, &err), ML_ETOOBIG);
	assert_string_equal(err.kind, "payload_too_large");
	assert_string_equal(err.field, "body");
	assert_non_null(strstr(err.msg, "102400"));
	assert_clean(&r);
	ml_free(small);
	ml_free(big);
	/* 129 KB track user: over the 128 KB default. */
	{
		struct ml_call_input in;
		json_object *u, *attrs;

		big = ml_malloc(129 * 1024);
		assert_non_null(big);
		memset(big, 'x', 129 * 1024 - 1);
		big[129 * 1024 - 1] = '\0';
		memset(&in, 0, sizeof(in));
		u = tu_json("{\"type\":\"customer\",\"customer_id\":\"u1\"}");
		attrs = json_object_new_object();
		ml_json_add_str(attrs, "blob", big);
		json_object_object_add(u, "attributes", attrs);
		in.body = u;
		assert_int_equal(ml_request_build(&r,
		    ml_catalog_find("moengage_track_user"), &acct, &in, &err),
		    ML_ETOOBIG);
		assert_non_null(strstr(err.msg, "131072"));
		assert_clean(&r);
		json_object_put(u);
	}
	ml_free(big);
	ml_account_cleanup(&acct);
}

static void
request_validation_failure_sends_nothing(void **state)
{
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	acct_us01(&acct);
	assert_int_equal(build(&r, "moengage_track_event", &acct,
	    "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":[]}", NULL,
	    NULL, &err), ML_EINVAL);
	assert_string_equal(err.kind, "validation_failed");
	assert_string_equal(err.field, "actions");
	assert_clean(&r);
	assert_int_equal(build(&r, "moengage_track_event", &acct, NULL, NULL,
	    NULL, &err), ML_EINVAL);
	assert_string_equal(err.field, "body");
	assert_clean(&r);
	ml_account_cleanup(&acct);
}

static void
request_test_connection_body_from_account(void **state)
{
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	acct_us01(&acct);
	assert_int_equal(build(&r, "moengage_test_connection", &acct, NULL,
	    NULL, NULL, &err), ML_OK);
	assert_string_equal(r.url,
	    "https://api-01.moengage.com/v1/integrations/authentication");
	assert_string_equal(r.body, "{\"app_id\":\"WS_US01\",\"app_secret\":"
	    "\"data-key-us01\",\"source\":\"moelink\",\"region\":\"01\"}");
	assert_string_equal(tu_header(&r, "MOE-APPKEY"), "WS_US01");
	assert_string_equal(tu_header(&r, "Authorization"), BASIC_US01);
	assert_true(r.idempotent);
	ml_request_cleanup(&r);
	assert_int_equal(build(&r, "moengage_track_event", &acct,
	    "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":[{\"action\":"
	    "\"a\"}]}", NULL, NULL, &err), ML_OK);
	/* Data APIs do not deduplicate: an event is never resent blindly. */
	assert_false(r.idempotent);
	ml_request_cleanup(&r);
	ml_account_cleanup(&acct);
}

/* Rows of families to come, to prove the builder already serves them. */
static const struct ml_action push_row = {
	"test_push", ML_FAM_PUSH, ML_HOST_PUSHAPI, "POST",
	"/v2.1/transaction/sendpush", ML_WS_NONE, ML_AUTH_PUSH_SIGNATURE,
	ML_HDR_APPKEY | ML_HDR_PUSH_V21, ML_ENV_PUSH, ML_PAGE_NONE, 0, 10000,
	NULL, "test row", "{}", ML_ACT_BODY_REQUIRED, NULL,
};

static const struct ml_action seg_row = {
	"test_segment", ML_FAM_SEGMENTATION, ML_HOST_API, "PUT",
	"/v2/custom-segments/file-segment/{op}", ML_WS_NONE, ML_AUTH_BASIC,
	ML_HDR_APPKEY | ML_HDR_DBNAME, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0, NULL,
	"test row", "{}", 0, NULL,
};

static void
request_push_signature_and_headers(void **state)
{
	struct ml_call_input in;
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;
	json_object *sent;

	(void)state;
	acct_us01(&acct);
	memset(&in, 0, sizeof(in));
	in.body = tu_json("{\"campaignName\":\"Order Updates\",\"targetAudience\":"
	    "\"User\",\"requestType\":\"push\"}");
	assert_int_equal(ml_request_build(&r, &push_row, &acct, &in, &err),
	    ML_OK);
	assert_string_equal(r.url,
	    "https://pushapi-01.moengage.com/v2.1/transaction/sendpush");
	assert_null(tu_header(&r, "Authorization"));
	assert_string_equal(tu_header(&r, "X-MOE-APPKEY"), "WS_US01");
	assert_string_equal(tu_header(&r, "X-MOE-PushAPI-Signature"),
	    "95366c3a6b16bbc863c2aafc84e4c04d7fd77813fa8d5983b6ed31ff0f9063ef");
	assert_string_equal(tu_header(&r, "X-MOE-Query-Type"), "user");
	sent = tu_json(r.body);
	assert_string_equal(ml_json_str(sent, "signature"),
	    "95366c3a6b16bbc863c2aafc84e4c04d7fd77813fa8d5983b6ed31ff0f9063ef");
	assert_string_equal(ml_json_str(sent, "appId"), "WS_US01");
	/* The caller's body is not modified. */
	assert_null(ml_json_str(in.body, "signature"));
	json_object_put(sent);
	ml_request_cleanup(&r);
	json_object_put(in.body);
	ml_account_cleanup(&acct);
}

static void
request_dbname_and_path_params(void **state)
{
	struct ml_account acct;
	struct ml_call_input in;
	struct ml_request r;
	struct ml_err err;

	(void)state;
	acct_us01(&acct);
	memset(&in, 0, sizeof(in));
	in.body = tu_json("{\"name\":\"s\"}");
	in.path = tu_json("{\"op\":\"add users\"}");
	assert_int_equal(ml_request_build(&r, &seg_row, &acct, &in, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "db_name");
	ml_strlcpy(acct.db_name, "acme_db", sizeof(acct.db_name));
	assert_int_equal(ml_request_build(&r, &seg_row, &acct, &in, &err),
	    ML_OK);
	assert_string_equal(tu_header(&r, "MOE-DBNAME"), "acme_db");
	assert_string_equal(r.method, "PUT");
	assert_string_equal(r.url, "https://api-01.moengage.com/v2/"
	    "custom-segments/file-segment/add%20users");
	ml_request_cleanup(&r);
	json_object_put(in.path);
	in.path = NULL;
	assert_int_equal(ml_request_build(&r, &seg_row, &acct, &in, &err),
	    ML_EINVAL);
	assert_string_equal(err.field, "path.op");
	ml_strlcpy(acct.db_name, "db\r\nX-Evil: 1", sizeof(acct.db_name));
	in.path = tu_json("{\"op\":\"replace\"}");
	assert_int_equal(ml_request_build(&r, &seg_row, &acct, &in, &err),
	    ML_EINVAL);
	assert_clean(&r);
	json_object_put(in.path);
	json_object_put(in.body);
	ml_account_cleanup(&acct);
}

/* Fail the n-th allocation for n = 1.. until the build needs fewer. */
static void
alloc_walk(const char *action, const char *body, const char *query)
{
	struct ml_account acct;
	struct ml_request r;
	struct ml_err err;
	int n, rc, failures = 0;

	acct_us01(&acct);
	for (n = 1; n < 500; n++) {
		ml_mem_fail_after(n, 0);
		rc = build(&r, action, &acct, body, query, NULL, &err);
		ml_mem_fail_after(0, 0);
		if (rc == ML_OK) {
			ml_request_cleanup(&r);
			break;
		}
		if (rc != ML_ENOMEM)
			fail_msg("%s: allocation %d failed with %d (%s)", action,
			    n, rc, err.msg);
		assert_string_equal(err.kind, "out_of_memory");
		assert_clean(&r);
		failures++;
	}
	assert_true(failures >= 5);
	assert_true(n < 500);
	/* Every later allocation failing too (sticky) is just as clean. */
	ml_mem_fail_after(3, 1);
	rc = build(&r, action, &acct, body, query, NULL, &err);
	ml_mem_fail_after(0, 0);
	assert_int_equal(rc, ML_ENOMEM);
	assert_clean(&r);
	ml_account_cleanup(&acct);
}

static void
request_out_of_memory_is_clean_at_every_allocation(void **state)
{
	(void)state;
	alloc_walk("moengage_track_user", "{\"type\":\"customer\","
	    "\"customer_id\":\"u1\",\"attributes\":{\"name\":\"J\"}}", NULL);
	alloc_walk("moengage_get_user", "{\"data\":{\"identifiers\":[{"
	    "\"identifier_type\":\"id\",\"identifier\":\"x\"}]}}",
	    "{\"a\":\"b c\"}");
	alloc_walk("moengage_test_connection", NULL, NULL);
}

static void
request_response_init_marks_headers_absent(void **state)
{
	struct ml_response resp;

	(void)state;
	ml_response_init(&resp);
	assert_int_equal(resp.ratelimit_limit, -1);
	assert_int_equal(resp.ratelimit_remaining, -1);
	resp.body = ml_strdup("{\"x\":1}");
	resp.body_len = 7;
	ml_response_cleanup(&resp);
	assert_null(resp.body);
	assert_int_equal(resp.status, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_builds_every_data_action),
		cmocka_unit_test(request_every_dc_gives_regional_host),
		cmocka_unit_test(request_url_encodes_workspace_and_query),
		cmocka_unit_test(request_refuses_line_breaks_in_headers),
		cmocka_unit_test(request_forwarded_for_only_known_headers),
		cmocka_unit_test(request_key_choice_falls_back_to_multi),
		cmocka_unit_test(request_body_caps_are_per_action),
		cmocka_unit_test(request_validation_failure_sends_nothing),
		cmocka_unit_test(request_test_connection_body_from_account),
		cmocka_unit_test(request_push_signature_and_headers),
		cmocka_unit_test(request_dbname_and_path_params),
		cmocka_unit_test(request_out_of_memory_is_clean_at_every_allocation),
		cmocka_unit_test(request_response_init_marks_headers_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
