/* SPDX-License-Identifier: MIT */
/* Unit tests: the one strict JSON parser (ml_json_parse) and its getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

static int
parse(const char *text, size_t max_len, int depth, struct ml_err *err,
    json_object **out)
{
	json_object *o = NULL;
	int rc;

	ml_err_clear(err);
	rc = ml_json_parse(text, strlen(text), max_len, depth, &o, err);
	if (out != NULL)
		*out = o;
	else
		json_object_put(o);
	if (rc)
		assert_null(o);
	return rc;
}

static void
json_rejects_what_json_c_would_accept(void **state)
{
	static const char *const bad[] = {
		"{\"a\":1,}",		/* trailing comma */
		"[1,2,]",
		"{'a':1}",		/* single quotes */
		"{\"a\":'x'}",
		"{a:1}",		/* unquoted key */
		"{\"a\":1} x",		/* trailing garbage */
		"{\"a\":1}{}",
		"[1] ]",
		"\"\xff\"",		/* invalid UTF-8 */
		"\"\xc3\x28\"",
		"{\"a\":\"\xe2\x82\"}",	/* truncated sequence */
		"{\"a\":1",		/* incomplete */
		"",
		"   ",
		"NaN",			/* json-c takes these in strict mode */
		"{\"a\":NaN}",
		"[Infinity]",
		"[-Infinity]",
		"{\"a\":1e999}",
		"{\"a\":01}",
	};
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], 0, 0, &err, NULL) != ML_EJSON)
			fail_msg("accepted: %s", bad[i]);
		assert_string_equal(err.kind, "malformed_json");
		assert_true(strlen(err.msg) > 0);
	}
}

static void
json_accepts_valid_documents(void **state)
{
	static const char *const good[] = {
		"{}", "[]", "0", "\"x\"", "null", "true", " {\"a\":[1,2,{}]} \n",
		"{\"u\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
		"{\"e\":\"\\u00e9\\n\"}", "-9223372036854775807", "1.5e3",
	};
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (parse(good[i], 0, 0, &err, NULL) != ML_OK)
			fail_msg("rejected %s: %s", good[i], err.msg);
}

static void
json_rejects_integers_json_c_would_clamp(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse("{\"n\":99999999999999999999}", 0, 0, &err,
	    NULL), ML_EJSON);
	assert_non_null(strstr(err.msg, "out of range"));
	assert_int_equal(parse("[-99999999999999999999]", 0, 0, &err, NULL),
	    ML_EJSON);
	assert_int_equal(parse("[[[18446744073709551616]]]", 0, 0, &err, NULL),
	    ML_EJSON);
}

static void
json_depth_limit(void **state)
{
	char deep[256];
	struct ml_err err;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		deep[i] = '[';
	for (i = 0; i < 40; i++)
		deep[40 + i] = ']';
	deep[80] = '\0';
	/* 40 levels: over the default limit of 32, fine under 64. */
	assert_int_equal(parse(deep, 0, 0, &err, NULL), ML_EJSON);
	assert_non_null(strstr(err.msg, "too deep"));
	assert_int_equal(parse(deep, 0, 64, &err, NULL), ML_OK);
	deep[20] = '\0';
	memset(deep + 10, ']', 10);
	assert_int_equal(parse(deep, 0, 0, &err, NULL), ML_OK);
	/* A value counts as a level too. */
	assert_int_equal(parse("[[[1]]]", 0, 4, &err, NULL), ML_OK);
	assert_int_equal(parse("[[[[1]]]]", 0, 4, &err, NULL), ML_EJSON);
}

static void
json_size_limit(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(parse("[1,2,3]", 7, 0, &err, NULL), ML_OK);
	assert_int_equal(parse("[1,2,3] ", 7, 0, &err, NULL), ML_ETOOBIG);
	assert_string_equal(err.kind, "payload_too_large");
}

static void
json_getters_check_types(void **state)
{
	struct ml_err err;
	json_object *o;

	(void)state;
	assert_int_equal(parse("{\"s\":\"x\",\"i\":7,\"b\":true,\"o\":{},"
	    "\"n\":null}", 0, 0, &err, &o), ML_OK);
	assert_string_equal(ml_json_str(o, "s"), "x");
	assert_null(ml_json_str(o, "i"));
	assert_null(ml_json_str(o, "missing"));
	assert_int_equal(ml_json_int(o, "i", -1), 7);
	assert_int_equal(ml_json_int(o, "s", -1), -1);
	assert_int_equal(ml_json_bool(o, "b", 0), 1);
	assert_int_equal(ml_json_bool(o, "i", 0), 0);
	assert_non_null(ml_json_get(o, "o", json_type_object));
	assert_null(ml_json_get(o, "o", json_type_array));
	assert_null(ml_json_str(NULL, "s"));
	assert_int_equal(ml_json_add_str(o, "t", "a/b"), ML_OK);
	assert_int_equal(ml_json_add_int(o, "j", -5), ML_OK);
	/* Serialized compactly and without escaping '/'. */
	assert_string_equal(ml_json_text(o), "{\"s\":\"x\",\"i\":7,\"b\":true,"
	    "\"o\":{},\"n\":null,\"t\":\"a/b\",\"j\":-5}");
	json_object_put(o);
}

static void
json_parses_without_nul_terminator(void **state)
{
	struct ml_err err;
	json_object *o = NULL;
	const char text[] = { '[', '1', ']', '[', '2' };

	(void)state;
	assert_int_equal(ml_json_parse(text, 3, 0, 0, &o, &err), ML_OK);
	assert_int_equal(json_object_array_length(o), 1);
	json_object_put(o);
	assert_int_equal(ml_json_parse(NULL, 0, 0, 0, &o, &err), ML_EJSON);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_rejects_what_json_c_would_accept),
		cmocka_unit_test(json_accepts_valid_documents),
		cmocka_unit_test(json_rejects_integers_json_c_would_clamp),
		cmocka_unit_test(json_depth_limit),
		cmocka_unit_test(json_size_limit),
		cmocka_unit_test(json_getters_check_types),
		cmocka_unit_test(json_parses_without_nul_terminator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
