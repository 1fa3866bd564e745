/* SPDX-License-Identifier: MIT */
/* Unit tests: the simulator's workspaces file (sim_ws.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sim/sim.h"

static int
parse(struct ml_sim_wsset *set, const char *text, struct ml_err *err)
{
	ml_sim_wsset_init(set);
	ml_err_clear(err);
	return ml_sim_wsset_parse(set, text, strlen(text), "ws.json", err);
}

static void
sim_ws_parses_keys_limits_and_state(void **state)
{
	struct ml_sim_wsset set;
	struct ml_err err;

	(void)state;
	assert_int_equal(parse(&set,
	    "[{\"workspace_id\":\"A\",\"data_center\":\"02\",\"name\":\"Aa\","
	    "\"keys\":{\"data\":\"kd\",\"multi\":\"km\"},"
	    "\"limits\":{\"bulk_users_per_min\":100},\"state\":\"suspended\"},"
	    "{\"workspace_id\":\"B\",\"data_center\":\"101\"}]", &err), ML_OK);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.ws[0].dc, "02");
	assert_string_equal(set.ws[0].name, "Aa");
	assert_string_equal(set.ws[0].keys.key[ML_KEY_DATA], "kd");
	assert_string_equal(set.ws[0].keys.key[ML_KEY_MULTI], "km");
	assert_null(set.ws[0].keys.key[ML_KEY_GENERAL]);
	assert_int_equal(set.ws[0].state, ML_SIM_WS_SUSPENDED);
	assert_int_equal(ml_sim_ws_limit(&set.ws[0],
	    ml_sim_limit_find("bulk_users_per_min")), 100);
	/* No override: the documented default. */
	assert_int_equal(ml_sim_ws_limit(&set.ws[1],
	    ml_sim_limit_find("bulk_users_per_min")), 60000);
	assert_string_equal(set.ws[1].name, "B");
	assert_int_equal(ml_sim_wsset_find(&set, "B"), 1);
	assert_int_equal(ml_sim_wsset_find(&set, "C"), -1);
	ml_sim_wsset_cleanup(&set);
}

static void
sim_ws_rejects_with_the_entry_named(void **state)
{
	static const char *const bad[][2] = {
		{ "[]", "1 to" },
		{ "[{\"data_center\":\"01\"}]", "\"workspace_id\" is required" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":1}]", "data_center" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"1\"}]",
		    "01, 02, 03, 04, 05, 06, 101" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\",\"limits\":"
		    "{\"merge_per_min\":0}}]", "merge_per_min" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\",\"keys\":"
		    "{\"data\":\"\"}}]", "non-empty" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\",\"state\":"
		    "\"gone\"}]", "\"state\"" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\","
		    "\"file_imports\":1001}]", "\"file_imports\" must be" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\","
		    "\"file_imports\":\"9\"}]", "from 0 to 1000" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\","
		    "\"file_import_files\":-1}]", "\"file_import_files\" must" },
		{ "[{\"workspace_id\":\"A\",\"data_center\":\"01\"},"
		    "{\"workspace_id\":\"A\",\"data_center\":\"01\"}]",
		    "entry 2 (\"A\"): duplicate" },
	};
	struct ml_sim_wsset set;
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(parse(&set, bad[i][0], &err), ML_OK);
		assert_non_null(strstr(err.msg, "ws.json"));
		if (strstr(err.msg, bad[i][1]) == NULL)
			fail_msg("%s: '%s' lacks '%s'", bad[i][0], err.msg,
			    bad[i][1]);
		assert_int_equal(set.n, 0);
		assert_null(set.ws);
	}
}

static void
sim_ws_demo_is_one_data_center_01_workspace(void **state)
{
	struct ml_sim_wsset set;
	struct ml_err err;
	struct ml_buf b;

	(void)state;
	ml_sim_wsset_init(&set);
	assert_int_equal(ml_sim_wsset_demo(&set, &err), ML_OK);
	assert_int_equal(set.n, 1);
	assert_true(set.demo);
	assert_string_equal(set.ws[0].dc, "01");
	ml_buf_init(&b, 65536);
	assert_int_equal(ml_sim_wsset_describe(&set, &b), ML_OK);
	assert_non_null(strstr(b.data, "\"demo-data-key\""));
	ml_buf_cleanup(&b);
	ml_sim_wsset_cleanup(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_ws_parses_keys_limits_and_state),
		cmocka_unit_test(sim_ws_rejects_with_the_entry_named),
		cmocka_unit_test(sim_ws_demo_is_one_data_center_01_workspace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
