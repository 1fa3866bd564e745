/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the front ends' logger (log.c): its libmicrohttpd callback
 * shared by `moelink serve` and `moelink sim`, and the buffered lines of
 * the server's access log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
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

/* The size of what fp holds now. */
static long
file_size(FILE *fp)
{
	fflush(fp);
	fseek(fp, 0, SEEK_END);
	return ftell(fp);
}

static void
say_buffered_and_plain(void)
{
	ml_log_buffered(ML_LOG_INFO, "first=%d", 1);
	ml_log_buffered(ML_LOG_DEBUG, "below the level");
	/* A plain line writes the buffered ones before itself. */
	log_info("second=%d", 2);
	ml_log_buffered(ML_LOG_WARN, "third=%d", 3);
}

static void
log_buffered_keeps_order_with_plain_lines(void **state)
{
	char text[1024];

	(void)state;
	/* Switching the sink writes out what is buffered. */
	captured(say_buffered_and_plain, text, sizeof(text));
	assert_non_null(strstr(text, " level=info first=1\n"));
	assert_null(strstr(text, "below the level"));
	assert_true(strstr(text, "first=1") < strstr(text, "second=2"));
	assert_true(strstr(text, "second=2") < strstr(text, "third=3"));
	assert_non_null(strstr(text, " level=warn third=3\n"));
}

static void
log_buffered_is_written_without_a_flush(void **state)
{
	FILE *fp = tmpfile();
	long before;

	(void)state;
	assert_non_null(fp);
	ml_log_set_file(fp);
	before = file_size(fp);
	ml_log_buffered(ML_LOG_INFO, "request_id=req_1 status=200");
	/* The flusher writes it on its own; wait for that, however long. */
	while (file_size(fp) == before)
		sched_yield();
	ml_log_set_file(NULL);
	fclose(fp);
}

static void
log_buffered_survives_a_full_buffer(void **state)
{
	char line[600];
	FILE *fp = tmpfile();
	long want;
	int i;

	(void)state;
	assert_non_null(fp);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ml_log_set_file(fp);
	for (i = 0; i < 1000; i++)
		ml_log_buffered(ML_LOG_INFO, "%s", line);
	ml_log_flush();
	ml_log_set_file(NULL);
	/* Every line whole: "ts=... level=info " + 599 x + newline. */
	want = 1000L * (long)(strlen("ts=2026-11-29T08:00:00Z level=info ") +
	    sizeof(line));
	assert_int_equal(file_size(fp), want);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_mhd_is_one_warn_line_with_detail),
		cmocka_unit_test(log_mhd_follows_the_level),
		cmocka_unit_test(log_buffered_keeps_order_with_plain_lines),
		cmocka_unit_test(log_buffered_is_written_without_a_flush),
		cmocka_unit_test(log_buffered_survives_a_full_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
