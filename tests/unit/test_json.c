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

/* Every text of list must be refused as malformed_json (msg naming why). */
static void
reject_all(const char *const *list, size_t n, const char *why)
{
	struct ml_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		if (parse(list[i], 0, 0, &err, NULL) != ML_EJSON)
			fail_msg("accepted #%zu: %s", i, list[i]);
		assert_string_equal(err.kind, "malformed_json");
		assert_true(strlen(err.msg) > 0);
		if (why != NULL && strstr(err.msg, why) == NULL)
			fail_msg("#%zu: '%s' lacks '%s'", i, err.msg, why);
	}
}

static void
accept_all(const char *const *list, size_t n)
{
	struct ml_err err;
	size_t i;

	for (i = 0; i < n; i++)
		if (parse(list[i], 0, 0, &err, NULL) != ML_OK)
			fail_msg("rejected #%zu %s: %s", i, list[i], err.msg);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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
	(void)state;
	reject_all(bad, NELEM(bad), NULL);
}

static void
json_accepts_valid_documents(void **state)
{
	static const char *const good[] = {
		"{}", "[]", "0", "\"x\"", "null", "true", " {\"a\":[1,2,{}]} \n",
		"{\"u\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
		"{\"e\":\"\\u00e9\\n\"}", "-9223372036854775807", "1.5e3",
	};
	(void)state;
	accept_all(good, NELEM(good));
}

/* RFC 3629 UTF-8 only: json-c's own check lets each of these through. */
static void
json_rejects_utf8_that_rfc3629_forbids(void **state)
{
	static const char *const bad[] = {
		"\"\xc0\x80\"",			/* overlong NUL */
		"\"\xc1\xbf\"",			/* overlong 7F */
		"\"\xe0\x80\xaf\"",		/* overlong '/' */
		"\"\xe0\x9f\xbf\"",		/* overlong U+07FF */
		"\"\xf0\x8f\xbf\xbf\"",		/* overlong U+FFFF */
		"\"\xed\xa0\x80\"",		/* U+D800 encoded */
		"\"\xed\xbf\xbf\"",		/* U+DFFF encoded */
		"{\"k\xed\xb0\x80\":1}",	/* surrogate in a key */
		"\"\xed\xa0\xbd\xed\xb8\x80\"",	/* CESU-8 pair */
		"\"\xf4\x90\x80\x80\"",		/* U+110000 */
		"\"\xf5\x80\x80\x80\"",
		"\"\xf8\x88\x80\x80\x80\"",	/* 5-byte form */
		"\"\x80\"",			/* stray continuation */
		"\"\xe2\x82\"",			/* truncated */
		"\"\xf0\x9f\x98\"",
	};
	struct ml_err err;

	(void)state;
	/* json-c refuses some itself (in its words), the strict pass the
	 * rest. */
	reject_all(bad, NELEM(bad), NULL);
	/* The message says where. */
	assert_int_equal(parse("[\"ab\xed\xa0\x80\"]", 0, 0, &err, NULL),
	    ML_EJSON);
	assert_non_null(strstr(err.msg, "byte 4"));
	assert_non_null(strstr(err.msg, "UTF-8"));
}

static void
json_accepts_utf8_edges(void **state)
{
	static const char *const good[] = {
		"\"\xc2\x80\"",			/* U+0080 */
		"\"\xdf\xbf\"",			/* U+07FF */
		"\"\xe0\xa0\x80\"",		/* U+0800 */
		"\"\xed\x9f\xbf\"",		/* U+D7FF */
		"\"\xee\x80\x80\"",		/* U+E000 */
		"\"\xef\xbf\xbf\"",		/* U+FFFF */
		"\"\xf0\x90\x80\x80\"",		/* U+10000 */
		"\"\xf4\x8f\xbf\xbf\"",		/* U+10FFFF */
		"{\"\xc3\xa9\":\"'\"}",		/* quote inside a string */
	};
	(void)state;
	accept_all(good, NELEM(good));
}

static void
json_surrogate_escapes_must_pair(void **state)
{
	static const char *const bad[] = {
		"\"\\uD800\"",			/* lone high */
		"\"\\udbff\"",
		"\"\\uDC00\"",			/* lone low */
		"\"a\\uDFFFb\"",
		"\"\\uD800x\"",			/* high, then no escape */
		"\"\\uD800\\n\"",		/* high, then another escape */
		"\"\\uD800\\u0041\"",		/* high, then no surrogate */
		"\"\\uD800\\uD800\\uDC00\"",	/* high, high, low */
		"\"\\uDC00\\uD800\"",		/* reversed pair */
		"{\"\\uD83D\":1}",		/* in a key */
	};
	json_object *o;
	struct ml_err err;

	(void)state;
	reject_all(bad, NELEM(bad), "surrogate");
	/* A valid pair decodes to the 4-byte UTF-8 form. */
	assert_int_equal(parse("[\"\\uD83D\\uDE00\",\"\\udbff\\udfff\","
	    "\"\\\\uD800\"]", 0, 0, &err, &o), ML_OK);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(o, 0)), "\xf0\x9f\x98\x80");
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(o, 1)), "\xf4\x8f\xbf\xbf");
	/* An escaped backslash followed by "uD800" is plain text. */
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(o, 2)), "\\uD800");
	json_object_put(o);
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
		cmocka_unit_test(json_rejects_utf8_that_rfc3629_forbids),
		cmocka_unit_test(json_accepts_utf8_edges),
		cmocka_unit_test(json_surrogate_escapes_must_pair),
		cmocka_unit_test(json_rejects_integers_json_c_would_clamp),
		cmocka_unit_test(json_depth_limit),
		cmocka_unit_test(json_size_limit),
		cmocka_unit_test(json_getters_check_types),
		cmocka_unit_test(json_parses_without_nul_terminator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
