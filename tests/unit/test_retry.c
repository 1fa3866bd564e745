/* SPDX-License-Identifier: MIT */
/* Unit tests: retry decisions with an injected clock and random value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/err.h>
#include <moelink/retry.h>

/* 2026-11-29T08:00:00Z in epoch milliseconds. */
#define NOW_MS 1795939200000LL

static struct ml_attempt
attempt(int n, int status)
{
	struct ml_attempt a;

	memset(&a, 0, sizeof(a));
	a.attempt = n;
	a.status = status;
	a.now_ms = NOW_MS;
	return a;
}

static long
decide(const struct ml_retry_policy *p, const struct ml_attempt *a)
{
	long w = -7;

	if (!ml_retry_decide(p, a, &w)) {
		assert_int_equal(w, 0);
		return -1;
	}
	return w;
}

static void
retry_default_policy_matches_data_api_docs(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();

	(void)state;
	assert_int_equal(p.max_attempts, 6);
	assert_int_equal(p.base_ms, 2000);
	assert_int_equal(p.max_backoff_ms, 30000);
	assert_int_equal(p.max_wait_ms, 65000);
}

static void
retry_5xx_backs_off_exponentially_with_jitter(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;
	long lo, hi;

	(void)state;
	/* rnd 0 gives the low end (50%), rnd max the full backoff. */
	a = attempt(1, 503);
	a.rnd = 0;
	lo = decide(&p, &a);
	a.rnd = UINT32_MAX;
	hi = decide(&p, &a);
	assert_true(lo >= 1000 && hi <= 2000 && lo < hi);
	assert_int_equal(lo, 1000);
	a = attempt(2, 500);
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 2000);
	a = attempt(3, 502);
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 4000);
	/* 2000 * 2^4 = 32000 is capped at 30 s. */
	a = attempt(5, 504);
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 15000);
	a.rnd = 15000;
	assert_int_equal(decide(&p, &a), 30000);
	/* Jitter spreads: different random values, different waits. */
	a = attempt(2, 503);
	a.rnd = 1234;
	lo = decide(&p, &a);
	a.rnd = 2345;
	hi = decide(&p, &a);
	assert_int_not_equal(lo, hi);
	assert_true(lo >= 2000 && lo <= 4000 && hi >= 2000 && hi <= 4000);
}

static void
retry_stops_after_max_attempts(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(5, 503);
	assert_true(decide(&p, &a) >= 0);
	a = attempt(6, 503);
	assert_int_equal(decide(&p, &a), -1);
	a = attempt(6, 429);
	assert_int_equal(decide(&p, &a), -1);
	p.max_attempts = 1;
	a = attempt(1, 503);
	assert_int_equal(decide(&p, &a), -1);
}

static void
retry_never_for_2xx_or_other_4xx(void **state)
{
	static const int final[] = { 200, 201, 202, 400, 401, 403, 404, 409,
	    413, 415, 501, 505 };
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(final) / sizeof(final[0]); i++) {
		a = attempt(1, final[i]);
		a.retry_after = "1";
		assert_int_equal(decide(&p, &a), -1);
	}
}

static void
retry_429_waits_for_reset_seconds_remaining(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(1, 429);
	a.ratelimit_reset = "23";
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 23000);
	/* Jitter is at most 1 s on top. */
	a.rnd = UINT32_MAX;
	assert_true(decide(&p, &a) >= 23000 && decide(&p, &a) <= 24000);
	a.ratelimit_reset = "0";
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 0);
}

static void
retry_429_waits_for_reset_epoch(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(1, 429);
	a.rnd = 0;
	/* Epoch seconds 17 s after now. */
	a.ratelimit_reset = "1795939217";
	assert_int_equal(decide(&p, &a), 17000);
	/* A reset already past: go now. */
	a.ratelimit_reset = "1795939100";
	assert_int_equal(decide(&p, &a), 0);
	/* Up to max_wait_ms away (jitter may round it up to the cap)... */
	a.ratelimit_reset = "1795939265";
	assert_int_equal(decide(&p, &a), 65000);
	a.rnd = UINT32_MAX;
	assert_int_equal(decide(&p, &a), 65000);
	/* ... but further: final now, a retry would be refused again. */
	a.ratelimit_reset = "1795939266";
	assert_int_equal(decide(&p, &a), -1);
	a.ratelimit_reset = "1795949200";
	assert_int_equal(decide(&p, &a), -1);
}

static void
retry_429_beyond_a_short_max_wait_is_final(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	/* A server that holds callers at most 2 s (serve --retry-max-wait-ms). */
	p.max_wait_ms = 2000;
	a = attempt(1, 429);
	a.rnd = 0;
	a.ratelimit_reset = "2";
	assert_int_equal(decide(&p, &a), 2000);
	a.ratelimit_reset = "37";
	assert_int_equal(decide(&p, &a), -1);
	a.ratelimit_reset = NULL;
	a.retry_after = "3";
	assert_int_equal(decide(&p, &a), -1);
	/* No header: backoff capped by the same bound, then retried. */
	a.retry_after = NULL;
	a.attempt = 4;
	assert_int_equal(decide(&p, &a), 2000);
}

static void
retry_429_honours_retry_after_seconds_and_date(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(1, 429);
	a.rnd = 0;
	a.retry_after = "7";
	assert_int_equal(decide(&p, &a), 7000);
	/* IMF-fixdate 30 s after now. */
	a.retry_after = "Sun, 29 Nov 2026 08:00:30 GMT";
	assert_int_equal(decide(&p, &a), 30000);
	/* Both headers: the later one wins. */
	a.retry_after = "5";
	a.ratelimit_reset = "12";
	assert_int_equal(decide(&p, &a), 12000);
	a.retry_after = "40";
	assert_int_equal(decide(&p, &a), 40000);
}

static void
retry_429_without_headers_backs_off(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(2, 429);
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 2000);
	/* Garbage headers count as absent. */
	a.ratelimit_reset = "soon";
	a.retry_after = "later";
	assert_int_equal(decide(&p, &a), 2000);
}

static void
retry_5xx_retry_after_lengthens_wait(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(1, 503);
	a.rnd = 0;
	a.retry_after = "10";
	assert_int_equal(decide(&p, &a), 10000);
	a.retry_after = "0";
	assert_int_equal(decide(&p, &a), 1000);
}

static void
retry_transport_errors_only_when_idempotent(void **state)
{
	struct ml_retry_policy p = ml_retry_policy_default();
	struct ml_attempt a;

	(void)state;
	a = attempt(1, 0);
	a.transport_rc = ML_ETIMEOUT;
	/* An event may have been recorded: do not send it twice. */
	assert_int_equal(decide(&p, &a), -1);
	a.idempotent = 1;
	assert_int_equal(decide(&p, &a), 1000);
	a.transport_rc = ML_ENET;
	assert_int_equal(decide(&p, &a), 1000);
	a.transport_rc = ML_OK;
	assert_int_equal(decide(&p, &a), -1);
	a.transport_rc = ML_ETOOBIG;
	assert_int_equal(decide(&p, &a), -1);
}

static void
retry_zero_policy_fields_mean_defaults(void **state)
{
	struct ml_retry_policy p;
	struct ml_attempt a;

	(void)state;
	memset(&p, 0, sizeof(p));
	a = attempt(1, 500);
	a.rnd = 0;
	assert_int_equal(decide(&p, &a), 1000);
	a = attempt(6, 500);
	assert_int_equal(decide(&p, &a), -1);
	assert_int_equal(decide(NULL, &a), -1);
	/* A small base (tests): waits shrink accordingly, jitter too. */
	p.base_ms = 10;
	a = attempt(1, 429);
	a.ratelimit_reset = "1";
	a.rnd = UINT32_MAX;
	assert_true(decide(&p, &a) >= 1000 && decide(&p, &a) <= 1005);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retry_default_policy_matches_data_api_docs),
		cmocka_unit_test(retry_5xx_backs_off_exponentially_with_jitter),
		cmocka_unit_test(retry_stops_after_max_attempts),
		cmocka_unit_test(retry_never_for_2xx_or_other_4xx),
		cmocka_unit_test(retry_429_waits_for_reset_seconds_remaining),
		cmocka_unit_test(retry_429_waits_for_reset_epoch),
		cmocka_unit_test(retry_429_beyond_a_short_max_wait_is_final),
		cmocka_unit_test(retry_429_honours_retry_after_seconds_and_date),
		cmocka_unit_test(retry_429_without_headers_backs_off),
		cmocka_unit_test(retry_5xx_retry_after_lengthens_wait),
		cmocka_unit_test(retry_transport_errors_only_when_idempotent),
		cmocka_unit_test(retry_zero_policy_fields_mean_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
