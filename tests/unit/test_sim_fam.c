/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: what the simulated families beyond Data share (sim_fam.c)
 * and how they sit in the registry: every route of every family is reached
 * by its own path on its own host, limit names are unique (the workspaces
 * file overrides them by name) and name their window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim/sim_fam.h"

static void
sim_fam_days_follow_the_calendar(void **state)
{
	(void)state;
	assert_int_equal(ml_sim_fam_days("1970-01-01"), 0);
	assert_int_equal(ml_sim_fam_days("2000-03-01"), 11017);
	assert_int_equal(ml_sim_fam_days("2024-12-31") -
	    ml_sim_fam_days("2024-12-01"), 30);
	/* Leap days: 2024 has one, 2023 and 1900-style centuries not. */
	assert_int_equal(ml_sim_fam_days("2024-03-01") -
	    ml_sim_fam_days("2024-02-28"), 2);
	assert_int_equal(ml_sim_fam_days("2023-02-29"), -1);
	assert_int_equal(ml_sim_fam_days("2100-02-29"), -1);
	assert_true(ml_sim_fam_days("2000-02-29") > 0);
	assert_int_equal(ml_sim_fam_days("2024-13-01"), -1);
	assert_int_equal(ml_sim_fam_days("2024-1-01"), -1);
	assert_int_equal(ml_sim_fam_days("2024-01-01T00"), -1);
	assert_int_equal(ml_sim_fam_days(NULL), -1);
}

static void
sim_fam_window_comes_from_the_limit_name(void **state)
{
	static const struct ml_sim_limit rows[] = {
		{ "x_per_min", 1 }, { "x_per_5min", 1 }, { "x_per_hour", 1 },
		{ "x_per_day", 1 },
	};

	(void)state;
	assert_int_equal(ml_sim_fam_window(&rows[0]), 60);
	assert_int_equal(ml_sim_fam_window(&rows[1]), 300);
	assert_int_equal(ml_sim_fam_window(&rows[2]), 3600);
	assert_int_equal(ml_sim_fam_window(&rows[3]), 86400);
}

static void
sim_fam_ids_have_moengage_shapes(void **state)
{
	char a[ML_SIM_HEXID_LEN + 1], b[ML_SIM_HEXID_LEN + 1];
	char u[ML_SIM_UUID_LEN + 1];

	(void)state;
	ml_sim_fam_hexid_of("WS_1", 1, a);
	ml_sim_fam_hexid_of("WS_1", 1, b);
	assert_string_equal(a, b);	/* stable: seeded ids survive restarts */
	assert_true(ml_sim_fam_is_hexid(a));
	ml_sim_fam_hexid_of("WS_1", 2, b);
	assert_string_not_equal(a, b);
	ml_sim_fam_hexid_of("WS_2", 1, b);
	assert_string_not_equal(a, b);
	ml_sim_fam_hexid(a);
	ml_sim_fam_hexid(b);
	assert_true(ml_sim_fam_is_hexid(a));
	assert_string_not_equal(a, b);
	ml_sim_fam_uuid(u);
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '4');
	assert_true(strchr("89ab", u[19]) != NULL);
	assert_false(ml_sim_fam_is_hexid("0123456789abcdef0123456g"));
	assert_false(ml_sim_fam_is_hexid("0123"));
}

static void
sim_fam_field_checks(void **state)
{
	static const char *const keys[] = { "a", "b", NULL };
	json_object *o = json_tokener_parse("{\"a\":1,\"c\":2}");

	(void)state;
	assert_true(ml_sim_fam_is_email("john.doe@example.com"));
	assert_false(ml_sim_fam_is_email("john@example"));
	assert_false(ml_sim_fam_is_email("@example.com"));
	assert_false(ml_sim_fam_is_email("a@b@c.com"));
	assert_false(ml_sim_fam_is_email("a b@c.com"));
	assert_true(ml_sim_fam_contains_nocase("Summer Sale Header", "SALE"));
	assert_false(ml_sim_fam_contains_nocase("Summer", "winter"));
	assert_true(ml_sim_fam_in_nocase("user", (const char *const[]){
	    "All Users", "User", NULL }));
	assert_string_equal(ml_sim_fam_extra_key(o, keys), "c");
	json_object_put(o);
}

/* A concrete path for a pattern: {x} becomes 24 hex digits. */
static void
fill_pattern(const char *pattern, char *out, size_t cap)
{
	size_t n = 0;
	const char *p;

	for (p = pattern; *p != '\0' && n + 25 < cap; p++) {
		if (*p == '{') {
			memcpy(out + n, "0123456789abcdef01234567", 24);
			n += 24;
			p = strchr(p, '}');
			continue;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
}

static void
sim_fam_every_route_is_reached_on_its_host(void **state)
{
	const struct ml_sim_family *const *f;
	struct ml_sim_ctx ctx;
	char path[300];
	size_t i, n = 0;

	(void)state;
	for (f = ml_sim_families; *f != NULL; f++) {
		for (i = 0; i < (*f)->nroutes; i++) {
			const struct ml_sim_route *r = &(*f)->routes[i];

			fill_pattern(r->pattern, path, sizeof(path));
			memset(&ctx, 0, sizeof(ctx));
			ctx.kind = (*f)->host;
			ctx.method = r->method;
			ctx.path = path;
			assert_int_equal(ml_sim_route_match(&ctx),
			    ML_SIM_MATCH_OK);
			/* Sandbox Inform shares its rows with live Inform. */
			assert_ptr_equal(ctx.route->handle, r->handle);
			assert_string_equal(ctx.fam->name, (*f)->name);
			n++;
		}
	}
	assert_true(n > 0);
	/* Personalize is on sdk-<dc> only. */
	memset(&ctx, 0, sizeof(ctx));
	ctx.kind = ML_HOST_API;
	ctx.method = "POST";
	ctx.path = "/v1/experiences/fetch";
	assert_int_equal(ml_sim_route_match(&ctx), ML_SIM_MATCH_NONE);
}

static void
sim_fam_limit_names_are_unique_and_findable(void **state)
{
	const struct ml_sim_family *const *f;
	const struct ml_sim_limit *l;
	size_t i;

	(void)state;
	for (f = ml_sim_families; *f != NULL; f++) {
		for (i = 0; i < (*f)->nlimits; i++) {
			l = &(*f)->limits[i];
			assert_ptr_equal(ml_sim_limit_find(l->name), l);
			assert_true(l->per_min > 0);
			/* Every name says its window. */
			assert_true(strstr(l->name, "_per_") != NULL);
		}
	}
	assert_non_null(ml_sim_limit_find("catalog_per_hour"));
	assert_non_null(ml_sim_limit_find("file_segment_ops_per_day"));
}

static void
sim_fam_every_family_is_registered(void **state)
{
	static const char *const names[] = { "data", "push",
	    "campaign_report", "business_events", "templates",
	    "content_blocks", "catalog", "segmentation", "subscription",
	    "personalize", "recommendations", "inform", "cards", NULL };
	size_t i;

	(void)state;
	for (i = 0; names[i] != NULL; i++)
		assert_non_null(ml_sim_family_find(names[i]));
	assert_null(ml_sim_family_find("app_inbox"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_fam_days_follow_the_calendar),
		cmocka_unit_test(sim_fam_window_comes_from_the_limit_name),
		cmocka_unit_test(sim_fam_ids_have_moengage_shapes),
		cmocka_unit_test(sim_fam_field_checks),
		cmocka_unit_test(sim_fam_every_route_is_reached_on_its_host),
		cmocka_unit_test(sim_fam_limit_names_are_unique_and_findable),
		cmocka_unit_test(sim_fam_every_family_is_registered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
