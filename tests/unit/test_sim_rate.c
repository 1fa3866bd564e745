/* SPDX-License-Identifier: MIT */
/* Unit tests: the simulator's fixed 60-second rate windows (sim_rate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/sim.h"

static const struct ml_sim_limit lim_a = { "a_per_min", 3 };
static const struct ml_sim_limit lim_b = { "b_per_min", 3 };

#define T0 1000000

static void
sim_rate_refuses_past_the_limit_without_spending(void **state)
{
	struct ml_sim_rate *r;
	struct ml_sim_rate_info in;

	(void)state;
	assert_int_equal(ml_sim_rate_new(2, &r), ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 2, T0, &in),
	    ML_OK);
	assert_int_equal(in.remaining, 1);
	assert_int_equal(in.limit, 3);
	/* 2 more do not fit: refused, and the 1 left is still there. */
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 2, T0 + 10,
	    &in), ML_ERATELIMIT);
	assert_int_equal(in.remaining, 1);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0 + 20,
	    &in), ML_OK);
	assert_int_equal(in.remaining, 0);
	ml_sim_rate_free(r);
}

static void
sim_rate_window_is_fixed_sixty_seconds(void **state)
{
	struct ml_sim_rate *r;
	struct ml_sim_rate_info in;

	(void)state;
	assert_int_equal(ml_sim_rate_new(1, &r), ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 3, T0, &in),
	    ML_OK);
	assert_int_equal(in.reset, 59);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0 + 30500,
	    &in), ML_ERATELIMIT);
	assert_int_equal(in.reset, 29);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0 + 59999,
	    &in), ML_ERATELIMIT);
	assert_int_equal(in.reset, 0);
	/* The window that opened at T0 ends at T0 + 60 s. */
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0 + 60000,
	    &in), ML_OK);
	assert_int_equal(in.remaining, 2);
	assert_int_equal(in.reset, 59);
	ml_sim_rate_free(r);
}

static void
sim_rate_windows_are_per_workspace_and_limit(void **state)
{
	struct ml_sim_rate *r;
	struct ml_sim_rate_info in;

	(void)state;
	assert_int_equal(ml_sim_rate_new(2, &r), ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 3, T0, &in),
	    ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 1, &lim_a, 3, 3, T0, &in),
	    ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_b, 3, 3, T0, &in),
	    ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0, &in),
	    ML_ERATELIMIT);
	ml_sim_rate_reset(r);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0, &in),
	    ML_OK);
	ml_sim_rate_free(r);
}

static void
sim_rate_reading_does_not_open_a_window(void **state)
{
	struct ml_sim_rate *r;
	struct ml_sim_rate_info in;

	(void)state;
	assert_int_equal(ml_sim_rate_new(1, &r), ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 0, T0, &in),
	    ML_OK);
	assert_int_equal(in.remaining, 3);
	assert_int_equal(in.reset, 0);
	/* The first real use 50 s later still gets a full minute. */
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 3, T0 + 50000,
	    &in), ML_OK);
	assert_int_equal(ml_sim_rate_take_at(r, 0, &lim_a, 3, 1, T0 + 100000,
	    &in), ML_ERATELIMIT);
	ml_sim_rate_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_rate_refuses_past_the_limit_without_spending),
		cmocka_unit_test(sim_rate_window_is_fixed_sixty_seconds),
		cmocka_unit_test(sim_rate_windows_are_per_workspace_and_limit),
		cmocka_unit_test(sim_rate_reading_does_not_open_a_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
