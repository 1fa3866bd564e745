/* SPDX-License-Identifier: MIT */
/* Unit tests: the bounded byte buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/buf.h>
#include <moelink/err.h>
#include <moelink/mem.h>

static void
buf_append_grows_and_terminates(void **state)
{
	struct ml_buf b;
	int i;

	(void)state;
	ml_buf_init(&b, 1 << 20);
	assert_null(b.data);
	for (i = 0; i < 1000; i++)
		assert_int_equal(ml_buf_append_str(&b, "abc"), ML_OK);
	assert_int_equal(b.len, 3000);
	assert_int_equal(b.data[3000], '\0');
	assert_int_equal(strncmp(b.data + 2997, "abc", 3), 0);
	assert_int_equal(ml_buf_appendf(&b, "-%d-%s", 42, "x"), ML_OK);
	assert_string_equal(b.data + 3000, "-42-x");
	ml_buf_cleanup(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
buf_cap_is_enforced_and_buffer_unchanged(void **state)
{
	struct ml_buf b;

	(void)state;
	ml_buf_init(&b, 8);
	assert_int_equal(ml_buf_append_str(&b, "12345678"), ML_OK);
	assert_int_equal(ml_buf_append(&b, "9", 1), ML_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(ml_buf_appendf(&b, "%s", "x"), ML_ETOOBIG);
	assert_string_equal(b.data, "12345678");
	ml_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	/* A huge length never wraps around the cap check. */
	assert_int_equal(ml_buf_append(&b, "x", SIZE_MAX), ML_ETOOBIG);
	assert_int_equal(ml_buf_appendf(&b, "%0100d", 1), ML_ETOOBIG);
	assert_int_equal(b.len, 0);
	ml_buf_cleanup(&b);
}

static void
buf_urlenc_keeps_only_unreserved(void **state)
{
	struct ml_buf b;

	(void)state;
	ml_buf_init(&b, 256);
	assert_int_equal(ml_buf_append_urlenc(&b, "aZ09-_.~ /?#&=%+\xc3\xa9"),
	    ML_OK);
	assert_string_equal(b.data, "aZ09-_.~%20%2F%3F%23%26%3D%25%2B%C3%A9");
	ml_buf_cleanup(&b);
	/* Encoding that would pass the cap fails without partial growth
	 * beyond it. */
	ml_buf_init(&b, 4);
	assert_int_equal(ml_buf_append_urlenc(&b, "a b"), ML_ETOOBIG);
	assert_true(b.len <= 4);
	ml_buf_cleanup(&b);
}

static void
buf_detach_hands_over_storage(void **state)
{
	struct ml_buf b;
	char *p;

	(void)state;
	ml_buf_init(&b, 64);
	p = ml_buf_detach(&b);
	assert_non_null(p);
	assert_string_equal(p, "");
	ml_free(p);
	ml_buf_append_str(&b, "hello");
	p = ml_buf_detach(&b);
	assert_string_equal(p, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	ml_free(p);
	/* Still usable after detaching. */
	assert_int_equal(ml_buf_append_str(&b, "again"), ML_OK);
	ml_buf_cleanup_zero(&b);
	assert_null(b.data);
}

static void
buf_out_of_memory_leaves_buffer_intact(void **state)
{
	struct ml_buf b;

	(void)state;
	ml_buf_init(&b, 1 << 20);
	assert_int_equal(ml_buf_append_str(&b, "keep"), ML_OK);
	ml_mem_fail_after(1, 0);
	assert_int_equal(ml_buf_append(&b, "x", 1000), ML_ENOMEM);
	ml_mem_fail_after(0, 0);
	assert_string_equal(b.data, "keep");
	assert_int_equal(b.len, 4);
	ml_mem_fail_after(1, 0);
	assert_null(ml_buf_detach(&(struct ml_buf){ NULL, 0, 0, 8 }));
	ml_mem_fail_after(0, 0);
	ml_buf_cleanup(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_append_grows_and_terminates),
		cmocka_unit_test(buf_cap_is_enforced_and_buffer_unchanged),
		cmocka_unit_test(buf_urlenc_keeps_only_unreserved),
		cmocka_unit_test(buf_detach_hands_over_storage),
		cmocka_unit_test(buf_out_of_memory_leaves_buffer_intact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
