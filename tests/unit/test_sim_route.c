/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the simulator's route registry (sim_route.c) against the
 * Data API paths of data.yaml.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sim/sim.h"

static enum ml_sim_match
match(struct ml_sim_ctx *ctx, enum ml_host_kind kind, const char *method,
    const char *path)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->kind = kind;
	ctx->method = method;
	ctx->path = path;
	return ml_sim_route_match(ctx);
}

static void
sim_route_literal_segment_beats_param(void **state)
{
	struct ml_sim_ctx ctx;

	(void)state;
	assert_int_equal(match(&ctx, ML_HOST_API, "POST",
	    "/v1/customer/merge"), ML_SIM_MATCH_OK);
	assert_string_equal(ctx.route->name, "merge_users");
	assert_int_equal(match(&ctx, ML_HOST_API, "POST",
	    "/v1/customer/delete"), ML_SIM_MATCH_OK);
	assert_string_equal(ctx.route->name, "delete_user");
	assert_int_equal(match(&ctx, ML_HOST_API, "POST",
	    "/v1/customer/WS_1"), ML_SIM_MATCH_OK);
	assert_string_equal(ctx.route->name, "track_user");
	assert_int_equal(ctx.nparam, 1);
	assert_string_equal(ctx.param[0], "WS_1");
	assert_string_equal(ctx.fam->name, "data");
}

static void
sim_route_every_documented_data_path(void **state)
{
	static const char *const rows[][3] = {
		{ "POST", "/v1/customers/export", "get_user" },
		{ "POST", "/v1/event/W", "track_event" },
		{ "POST", "/v1/device/W", "track_device" },
		{ "POST", "/v1/devices/manage", "device_opt_out" },
		{ "POST", "/v1/transition/W", "bulk_import" },
		{ "POST", "/v1/integrations/authentication",
		    "test_connection" },
		{ "GET", "/v1/installInfo", "track_install" },
	};
	struct ml_sim_ctx ctx;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(match(&ctx, ML_HOST_API, rows[i][0],
		    rows[i][1]), ML_SIM_MATCH_OK);
		assert_string_equal(ctx.route->name, rows[i][2]);
	}
}

static void
sim_route_near_misses(void **state)
{
	struct ml_sim_ctx ctx;

	(void)state;
	/* Known path, other method: 405. */
	assert_int_equal(match(&ctx, ML_HOST_API, "GET", "/v1/customer/W"),
	    ML_SIM_MATCH_METHOD);
	/* Trailing slash, missing param, extra segment, wrong prefix. */
	assert_int_equal(match(&ctx, ML_HOST_API, "POST", "/v1/customer/W/"),
	    ML_SIM_MATCH_NONE);
	assert_int_equal(match(&ctx, ML_HOST_API, "POST", "/v1/customer/"),
	    ML_SIM_MATCH_NONE);
	assert_int_equal(match(&ctx, ML_HOST_API, "POST",
	    "/v1/customer/W/x"), ML_SIM_MATCH_NONE);
	assert_int_equal(match(&ctx, ML_HOST_API, "POST", "/customer/W"),
	    ML_SIM_MATCH_NONE);
	/* The Data API lives on api-<dc> only. */
	assert_int_equal(match(&ctx, ML_HOST_PUSHAPI, "POST",
	    "/v1/customer/W"), ML_SIM_MATCH_NONE);
}

static void
sim_route_limits_are_found_by_name(void **state)
{
	const struct ml_sim_limit *l;

	(void)state;
	l = ml_sim_limit_find("bulk_users_per_min");
	assert_non_null(l);
	assert_int_equal(l->per_min, 60000);
	assert_int_equal(ml_sim_limit_find("events_per_min")->per_min, 30000);
	assert_int_equal(ml_sim_limit_find("get_user_per_min")->per_min, 1000);
	assert_null(ml_sim_limit_find("bulk_userz_per_min"));
	assert_non_null(ml_sim_family_find("data"));
	assert_null(ml_sim_family_find("nope"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_route_literal_segment_beats_param),
		cmocka_unit_test(sim_route_every_documented_data_path),
		cmocka_unit_test(sim_route_near_misses),
		cmocka_unit_test(sim_route_limits_are_found_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
