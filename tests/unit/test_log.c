/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the front ends' logger (log.c), here its libmicrohttpd
 * callback shared by `moelink serve` and `moelink sim`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/log.h"

/* Call the callback as libmicrohttpd does: a format and its va_list. */
static void
mhd_says(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ml_log_mhd(NULL, fmt, ap);
	va_end(ap);
}

/* Everything logged while fn runs, as text. */
static void
captured(void (*fn)(void), char *out, size_t cap)
{
	FILE *fp = tmpfile();
	size_t n;

	assert_non_null(fp);
	ml_log_set_file(fp);
	fn();
	ml_log_set_file(NULL);
	rewind(fp);
	n = fread(out, 1, cap - 1, fp);
	out[n] = '\0';
	fclose(fp);
}

static void
say_error(void)
{
	mhd_says("Error: \"%s\" on fd %d\r\n\n", "accept", 7);
}

static void
say_nothing(void)
{
	ml_log_set_level(ML_LOG_ERROR);
	mhd_says("ignored %d\n", 1);
	ml_log_set_level(ML_LOG_INFO);
}

static void
log_mhd_is_one_warn_line_with_detail(void **state)
{
	char text[1024];

	(void)state;
	captured(say_error, text, sizeof(text));
	assert_non_null(strstr(text, " level=warn msg=\"libmicrohttpd\" "
	    "detail=\"Error: 'accept' on fd 7\"\n"));
	/* One line: MHD's own trailing newlines are gone. */
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
}

static void
log_mhd_follows_the_level(void **state)
{
	char text[256];

	(void)state;
	captured(say_nothing, text, sizeof(text));
	assert_string_equal(text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_mhd_is_one_warn_line_with_detail),
		cmocka_unit_test(log_mhd_follows_the_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
