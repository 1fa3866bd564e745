/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the Hub's credential input (ml_link_creds_parse, link.c):
 * which key fills which slot, and which form field an error names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#include "server/link.h"

/* Parse text as the form's JSON; returns the status, fills c and err. */
static int
parse(const char *text, const char *def_ws, const char *def_dc,
    struct ml_link_creds *c, struct ml_err *err)
{
	json_object *obj = NULL;
	int rc;

	assert_int_equal(ml_json_parse(text, strlen(text), 0, 0, &obj, NULL),
	    ML_OK);
	ml_err_clear(err);
	rc = ml_link_creds_parse(obj, def_ws, def_dc, c, err);
	json_object_put(obj);
	return rc;
}

static void
expect_field(const char *text, const char *field, const char *kind)
{
	struct ml_link_creds c;
	struct ml_err err;

	ml_link_creds_init(&c);
	assert_int_not_equal(parse(text, NULL, NULL, &c, &err), ML_OK);
	assert_string_equal(err.field, field);
	if (kind != NULL)
		assert_string_equal(err.kind, kind);
	assert_true(err.msg[0] != '\0');
	ml_link_creds_cleanup(&c);
}

static void
link_separate_keys_fill_their_slots(void **state)
{
	struct ml_link_creds c;
	struct ml_err err;

	(void)state;
	ml_link_creds_init(&c);
	assert_int_equal(parse("{\"workspace_id\":\" WS1 \",\"data_center\":"
	    "\"02\",\"data_key\":\"d-key\\n\",\"general_key\":\"g-key\","
	    "\"push_key\":\"p-key\"}", NULL, NULL, &c, &err), ML_OK);
	assert_string_equal(c.acct.workspace_id, "WS1");
	assert_string_equal(c.acct.data_center, "02");
	assert_string_equal(c.acct.keys.key[ML_KEY_DATA], "d-key");
	assert_string_equal(c.acct.keys.key[ML_KEY_GENERAL], "g-key");
	assert_string_equal(c.acct.keys.key[ML_KEY_PUSH], "p-key");
	assert_null(c.acct.keys.key[ML_KEY_MULTI]);
	assert_string_equal(c.single_field, "");
	ml_link_creds_cleanup(&c);
}

static void
link_one_key_alone_is_the_multi_key(void **state)
{
	struct ml_link_creds c;
	struct ml_err err;

	(void)state;
	ml_link_creds_init(&c);
	assert_int_equal(parse("{\"workspace_id\":\"WS1\",\"data_center\":"
	    "\"01\",\"data_key\":\"only\"}", NULL, NULL, &c, &err), ML_OK);
	assert_string_equal(c.acct.keys.key[ML_KEY_MULTI], "only");
	assert_null(c.acct.keys.key[ML_KEY_DATA]);
	assert_string_equal(c.single_field, "data_key");
	/* The same in the general field: errors then point there. */
	assert_int_equal(parse("{\"workspace_id\":\"WS1\",\"data_center\":"
	    "\"01\",\"general_key\":\"only\"}", NULL, NULL, &c, &err), ML_OK);
	assert_string_equal(c.acct.keys.key[ML_KEY_MULTI], "only");
	assert_null(c.acct.keys.key[ML_KEY_GENERAL]);
	assert_string_equal(c.single_field, "general_key");
	/* The same key twice is one key. */
	assert_int_equal(parse("{\"workspace_id\":\"WS1\",\"data_center\":"
	    "\"01\",\"data_key\":\"k\",\"general_key\":\"k\"}", NULL, NULL,
	    &c, &err), ML_OK);
	assert_string_equal(c.acct.keys.key[ML_KEY_MULTI], "k");
	assert_null(c.acct.keys.key[ML_KEY_DATA]);
	assert_null(c.acct.keys.key[ML_KEY_GENERAL]);
	ml_link_creds_cleanup(&c);
}

static void
link_patch_defaults_fill_the_gaps(void **state)
{
	struct ml_link_creds c;
	struct ml_err err;

	(void)state;
	ml_link_creds_init(&c);
	assert_int_equal(parse("{\"data_key\":\"new\"}", "WS_OLD", "03", &c,
	    &err), ML_OK);
	assert_string_equal(c.acct.workspace_id, "WS_OLD");
	assert_string_equal(c.acct.data_center, "03");
	assert_int_equal(parse("{\"data_key\":\"new\",\"data_center\":\"05\"}",
	    "WS_OLD", "03", &c, &err), ML_OK);
	assert_string_equal(c.acct.data_center, "05");
	ml_link_creds_cleanup(&c);
}

static void
link_errors_name_the_field_to_fix(void **state)
{
	(void)state;
	expect_field("{\"data_center\":\"01\",\"data_key\":\"k\"}",
	    "workspace_id", "missing_field");
	expect_field("{\"workspace_id\":\"a b\",\"data_center\":\"01\","
	    "\"data_key\":\"k\"}", "workspace_id", "invalid_workspace_id");
	expect_field("{\"workspace_id\":\"a:b\",\"data_center\":\"01\","
	    "\"data_key\":\"k\"}", "workspace_id", "invalid_workspace_id");
	expect_field("{\"workspace_id\":\"W\",\"data_key\":\"k\"}",
	    "data_center", "missing_field");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"1\","
	    "\"data_key\":\"k\"}", "data_center", "invalid_data_center");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"07\","
	    "\"data_key\":\"k\"}", "data_center", "invalid_data_center");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\"}",
	    "data_key", "missing_api_key");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\","
	    "\"data_key\":\"   \"}", "data_key", "missing_api_key");
	/* A per-API key alone cannot be checked: the Data key is needed. */
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\","
	    "\"inform_key\":\"i\"}", "data_key", "missing_api_key");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\","
	    "\"general_key\":\"g\",\"push_key\":\"p\"}", "data_key",
	    "missing_api_key");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\","
	    "\"data_key\":\"has space\"}", "data_key", "invalid_api_key");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\","
	    "\"personalize_key\":\"caf\\u00e9\",\"data_key\":\"k\"}",
	    "personalize_key", "invalid_api_key");
	expect_field("{\"workspace_id\":7,\"data_center\":\"01\","
	    "\"data_key\":\"k\"}", "workspace_id", "invalid_field");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":1,"
	    "\"data_key\":\"k\"}", "data_center", "invalid_field");
	expect_field("{\"workspace_id\":\"W\",\"data_center\":\"01\","
	    "\"data_key\":[\"k\"]}", "data_key", "invalid_field");
}

static void
link_overlong_values_are_refused(void **state)
{
	char text[1200];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "{\"workspace_id\":\"W\","
	    "\"data_center\":\"01\",\"data_key\":\"");
	memset(text + n, 'k', 600);
	memcpy(text + n + 600, "\"}", 3);
	expect_field(text, "data_key", "invalid_field");
	n = (size_t)snprintf(text, sizeof(text), "{\"workspace_id\":\"");
	memset(text + n, 'w', 200);
	snprintf(text + n + 200, sizeof(text) - n - 200, "\",\"data_center\":"
	    "\"01\",\"data_key\":\"k\"}");
	expect_field(text, "workspace_id", NULL);
}

static void
link_wipe_json_overwrites_keys_only(void **state)
{
	json_object *obj = NULL;
	const char *text = "{\"workspace_id\":\"WS\",\"data_key\":\"secret1\","
	    "\"credentials\":{\"general_key\":\"secret2\"}}";

	(void)state;
	assert_int_equal(ml_json_parse(text, strlen(text), 0, 0, &obj, NULL),
	    ML_OK);
	ml_link_wipe_json(obj);
	assert_string_equal(ml_json_str(obj, "workspace_id"), "WS");
	assert_int_equal(ml_json_str(obj, "data_key")[0], '\0');
	assert_int_equal(ml_json_str(ml_json_get(obj, "credentials",
	    json_type_object), "general_key")[0], '\0');
	json_object_put(obj);
}

static void
link_db_name_is_read_trimmed_and_checked(void **state)
{
	struct ml_link_creds c;
	struct ml_err err;

	(void)state;
	ml_link_creds_init(&c);
	assert_int_equal(parse("{\"workspace_id\":\"WS1\",\"data_center\":"
	    "\"01\",\"data_key\":\"k\",\"db_name\":\" acme_prod-1.eu \"}",
	    NULL, NULL, &c, &err), ML_OK);
	assert_string_equal(c.acct.db_name, "acme_prod-1.eu");
	assert_int_equal(c.db_name_given, 1);
	assert_int_equal(parse("{\"workspace_id\":\"WS1\",\"data_center\":"
	    "\"01\",\"data_key\":\"k\"}", NULL, NULL, &c, &err), ML_OK);
	assert_string_equal(c.acct.db_name, "");
	assert_int_equal(c.db_name_given, 0);
	ml_link_creds_cleanup(&c);
	/* It becomes a header: nothing that could split or fold one. */
	expect_field("{\"workspace_id\":\"WS1\",\"data_center\":\"01\","
	    "\"data_key\":\"k\",\"db_name\":\"a\\r\\nX-Evil: 1\"}", "db_name",
	    "invalid_field");
	expect_field("{\"workspace_id\":\"WS1\",\"data_center\":\"01\","
	    "\"data_key\":\"k\",\"db_name\":\"acme prod\"}", "db_name",
	    "invalid_field");
	expect_field("{\"workspace_id\":\"WS1\",\"data_center\":\"01\","
	    "\"data_key\":\"k\",\"db_name\":[\"x\"]}", "db_name",
	    "invalid_field");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_separate_keys_fill_their_slots),
		cmocka_unit_test(link_one_key_alone_is_the_multi_key),
		cmocka_unit_test(link_patch_defaults_fill_the_gaps),
		cmocka_unit_test(link_errors_name_the_field_to_fix),
		cmocka_unit_test(link_overlong_values_are_refused),
		cmocka_unit_test(link_wipe_json_overwrites_keys_only),
		cmocka_unit_test(link_db_name_is_read_trimmed_and_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
