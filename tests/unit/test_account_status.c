/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the "status" member of PATCH /accounts/{id} and the refusal
 * of calls for an inactive account (account_status.c). The HTTP flows
 * (deactivate, held events, reactivation against MoEngage) are in
 * tests/integration/test_account_status.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/account_status.h"
#include "test_util.h"

/* Parse a PATCH body's status member; returns the status. */
static int
parse(const char *body, struct ml_account_status_change *sc,
    struct ml_err *err)
{
	json_object *obj = tu_json(body);
	int rc;

	ml_err_clear(err);
	rc = ml_account_status_parse(obj, sc, err);
	json_object_put(obj);
	return rc;
}

static void
account_status_parse_takes_active_and_inactive(void **state)
{
	struct ml_account_status_change sc;
	struct ml_err err;

	(void)state;
	assert_int_equal(parse("{\"status\":\"inactive\"}", &sc, &err), ML_OK);
	assert_true(sc.wanted);
	assert_int_equal(sc.to, ML_ACCOUNT_INACTIVE);
	assert_int_equal(parse("{\"label\":\"x\",\"status\":\"active\"}", &sc,
	    &err), ML_OK);
	assert_true(sc.wanted);
	assert_int_equal(sc.to, ML_ACCOUNT_ACTIVE);
	assert_false(sc.verified);
	/* No member: nothing to change. */
	assert_int_equal(parse("{\"label\":\"x\"}", &sc, &err), ML_OK);
	assert_false(sc.wanted);
}

static void
account_status_parse_refuses_other_values(void **state)
{
	static const char *const bad[] = {
		"{\"status\":\"error\"}", "{\"status\":\"Active\"}",
		"{\"status\":\"\"}", "{\"status\":1}", "{\"status\":null}",
		"{\"status\":[\"active\"]}",
	};
	struct ml_account_status_change sc;
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &sc, &err), ML_EINVAL);
		assert_false(sc.wanted);
		assert_string_equal(err.kind, "invalid_field");
		assert_string_equal(err.field, "status");
		assert_non_null(strstr(err.msg, "\"inactive\""));
	}
}

static void
account_status_check_refuses_only_inactive(void **state)
{
	struct ml_store_account a;
	struct ml_err err;

	(void)state;
	ml_store_account_init(&a);
	ml_strlcpy(a.id, "acc_abc", sizeof(a.id));
	ml_err_clear(&err);
	a.status = ML_ACCOUNT_ACTIVE;
	assert_int_equal(ml_account_status_check(&a, &err), ML_OK);
	/* An error account may still be called (its keys may work again). */
	a.status = ML_ACCOUNT_ERROR;
	assert_int_equal(ml_account_status_check(&a, &err), ML_OK);
	assert_string_equal(err.kind, "");
	a.status = ML_ACCOUNT_INACTIVE;
	assert_int_equal(ml_account_status_check(&a, &err), ML_ECONFLICT);
	assert_string_equal(err.kind, "account_inactive");
	assert_non_null(strstr(err.msg, "acc_abc"));
	assert_non_null(strstr(err.msg, "{\"status\":\"active\"}"));
	assert_non_null(strstr(err.msg, "moelink accounts activate"));
	ml_store_account_cleanup(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(account_status_parse_takes_active_and_inactive),
		cmocka_unit_test(account_status_parse_refuses_other_values),
		cmocka_unit_test(account_status_check_refuses_only_inactive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
