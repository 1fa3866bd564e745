/* SPDX-License-Identifier: MIT */
/* Unit tests: token buckets with an injected clock (nothing sleeps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/ratelimit.h>

static void
need_of(long need[ML_RL_KIND_COUNT], long users, long events)
{
	memset(need, 0, sizeof(long) * ML_RL_KIND_COUNT);
	need[ML_RL_USERS] = users;
	need[ML_RL_EVENTS] = events;
}

static void
ratelimit_defaults_are_documented_limits(void **state)
{
	struct ml_ratelimit_opts o;
	struct ml_err err;

	(void)state;
	ml_ratelimit_opts_init(&o);
	assert_int_equal(o.per_min[ML_RL_USERS], 60000);
	assert_int_equal(o.per_min[ML_RL_EVENTS], 60000);
	assert_int_equal(o.per_min[ML_RL_MERGES], 1000);
	assert_int_equal(ml_ratelimit_opts_check(&o, &err), ML_OK);
	o.per_min[ML_RL_EVENTS] = 0;
	assert_int_equal(ml_ratelimit_opts_check(&o, &err), ML_EINVAL);
	assert_string_equal(err.field, "events");
}

/*
 * Drive a greedy sender (sends a batch of 500 the moment tokens allow) for
 * ten simulated minutes and check every sliding 60 s window: never above
 * the limit, and the long-run rate at least 95% of it.
 */
static void
ratelimit_no_window_exceeds_limit_and_rate_stays_high(void **state)
{
	enum { SECONDS = 600, BATCH = 500 };
	static long per_sec[SECONDS];
	struct ml_ratelimit rl;
	long need[ML_RL_KIND_COUNT], wait, window = 0, total = 0, maxwin = 0;
	int64_t t = 1000000, end = t + SECONDS * 1000L;
	int i;

	(void)state;
	memset(per_sec, 0, sizeof(per_sec));
	ml_ratelimit_init(&rl, NULL, t);
	need_of(need, 0, BATCH);
	while (t < end) {
		if (ml_ratelimit_take(&rl, need, t, &wait)) {
			per_sec[(t - 1000000) / 1000] += BATCH;
			continue;
		}
		assert_true(wait >= 1);
		t += wait;
	}
	for (i = 0; i < SECONDS; i++) {
		window += per_sec[i];
		if (i >= 60)
			window -= per_sec[i - 60];
		if (window > maxwin)
			maxwin = window;
		total += per_sec[i];
	}
	assert_true(maxwin <= 60000);
	/* Delivered rate over the run: at least 95% of 60,000 a minute. */
	assert_true(total >= (long)(0.95 * 60000.0 * SECONDS / 60));
}

static void
ratelimit_starts_empty_so_restart_cannot_burst(void **state)
{
	struct ml_ratelimit rl;
	long need[ML_RL_KIND_COUNT], wait;

	(void)state;
	ml_ratelimit_init(&rl, NULL, 5000);
	need_of(need, 1, 0);
	assert_int_equal(ml_ratelimit_take(&rl, need, 5000, &wait), 0);
	assert_true(wait >= 1 && wait <= 2);
	assert_int_equal(ml_ratelimit_take(&rl, need, 5000 + wait, &wait), 1);
}

static void
ratelimit_take_is_all_or_nothing_across_kinds(void **state)
{
	struct ml_ratelimit rl;
	long need[ML_RL_KIND_COUNT], wait;
	int64_t t = 0;

	(void)state;
	ml_ratelimit_init(&rl, NULL, t);
	t += 1000;	/* a full bucket: 970 of each */
	need_of(need, 900, 0);
	assert_int_equal(ml_ratelimit_take(&rl, need, t, &wait), 1);
	/* Users are short now, events are not: nothing is spent. */
	need_of(need, 500, 500);
	assert_int_equal(ml_ratelimit_take(&rl, need, t, &wait), 0);
	need_of(need, 0, 960);
	assert_int_equal(ml_ratelimit_take(&rl, need, t, &wait), 1);
}

static void
ratelimit_pause_from_429_blocks_until_reset(void **state)
{
	struct ml_ratelimit rl;
	long need[ML_RL_KIND_COUNT], wait, ms;
	int64_t now = 1700000000000LL;

	(void)state;
	ml_ratelimit_init(&rl, NULL, now);
	now += 5000;
	ms = ml_ratelimit_reset_wait("23", NULL, now, 60000, 0);
	assert_int_equal(ms, 23000);
	ml_ratelimit_pause_until(&rl, now + ms);
	need_of(need, 1, 1);
	assert_int_equal(ml_ratelimit_take(&rl, need, now + 1000, &wait), 0);
	assert_int_equal(wait, 22000);
	/* A shorter pause does not shorten it. */
	ml_ratelimit_pause_until(&rl, now + 10);
	assert_int_equal(ml_ratelimit_take(&rl, need, now + 22999, &wait), 0);
	/* Tokens were emptied by the pause; after it the bucket refills. */
	assert_int_equal(ml_ratelimit_take(&rl, need, now + 23000 + 50, &wait),
	    1);
}

static void
ratelimit_reset_wait_parses_both_forms(void **state)
{
	int64_t now = 1700000000000LL;

	(void)state;
	/* Epoch seconds (>= 1e9). */
	assert_int_equal(ml_ratelimit_reset_wait("1700000042", NULL, now,
	    60000, 0), 42000);
	/* Seconds remaining; a list form "5, 5;w=60" takes the first. */
	assert_int_equal(ml_ratelimit_reset_wait("5, 5;w=60", NULL, now,
	    60000, 0), 5000);
	/* Retry-After wins when larger. */
	assert_int_equal(ml_ratelimit_reset_wait("2", "30", now, 60000, 0),
	    30000);
	/* Garbage and absence fall back to the default; a cap applies. */
	assert_int_equal(ml_ratelimit_reset_wait("soon", NULL, now, 60000, 0),
	    60000);
	assert_int_equal(ml_ratelimit_reset_wait(NULL, NULL, now, 7000, 0),
	    7000);
	assert_int_equal(ml_ratelimit_reset_wait("3600", NULL, now, 0, 90000),
	    90000);
	/* A reset in the past still waits a little. */
	assert_int_equal(ml_ratelimit_reset_wait("1600000000", NULL, now, 0,
	    0), 1000);
}

static void
ratelimit_oversized_need_waits_for_full_bucket_then_debt(void **state)
{
	struct ml_ratelimit_opts o;
	struct ml_ratelimit rl;
	long need[ML_RL_KIND_COUNT], wait;
	int64_t t = 0;

	(void)state;
	ml_ratelimit_opts_init(&o);
	o.per_min[ML_RL_MERGES] = 600;	/* 9.7 a second after headroom */
	ml_ratelimit_init(&rl, &o, t);
	assert_int_equal(ml_ratelimit_capacity(&rl, ML_RL_MERGES), 9);
	memset(need, 0, sizeof(need));
	need[ML_RL_MERGES] = 50;
	assert_int_equal(ml_ratelimit_take(&rl, need, t, &wait), 0);
	t += wait;
	assert_int_equal(ml_ratelimit_take(&rl, need, t, &wait), 1);
	/* In debt: the next merge waits for the debt to be repaid. */
	need[ML_RL_MERGES] = 1;
	assert_int_equal(ml_ratelimit_take(&rl, need, t, &wait), 0);
	assert_true(wait > 4000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ratelimit_defaults_are_documented_limits),
		cmocka_unit_test(ratelimit_no_window_exceeds_limit_and_rate_stays_high),
		cmocka_unit_test(ratelimit_starts_empty_so_restart_cannot_burst),
		cmocka_unit_test(ratelimit_take_is_all_or_nothing_across_kinds),
		cmocka_unit_test(ratelimit_pause_from_429_blocks_until_reset),
		cmocka_unit_test(ratelimit_reset_wait_parses_both_forms),
		cmocka_unit_test(ratelimit_oversized_need_waits_for_full_bucket_then_debt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
