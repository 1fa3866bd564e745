/* SPDX-License-Identifier: MIT */
/* Unit tests: the server's route matching (src/server/router.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/http.h"

static int h_list(struct ml_http_req *r) { (void)r; return 0; }
static int h_create(struct ml_http_req *r) { (void)r; return 0; }
static int h_get(struct ml_http_req *r) { (void)r; return 0; }
static int h_delete(struct ml_http_req *r) { (void)r; return 0; }
static int h_verify(struct ml_http_req *r) { (void)r; return 0; }
static int h_key(struct ml_http_req *r) { (void)r; return 0; }

static const struct ml_route routes[] = {
	{ "GET", "/accounts", h_list, ML_ROUTE_PROJECT, 0 },
	{ "POST", "/accounts", h_create, ML_ROUTE_PROJECT, 0 },
	{ "GET", "/accounts/{id}", h_get, ML_ROUTE_PROJECT, 0 },
	{ "DELETE", "/accounts/{id}", h_delete, ML_ROUTE_PROJECT, 0 },
	{ "POST", "/accounts/{id}/verify", h_verify, ML_ROUTE_PROJECT, 0 },
	{ "DELETE", "/accounts/{id}/keys/{key}", h_key, ML_ROUTE_PROJECT, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};

static ml_http_handler_fn
match(const char *method, const char *path, int want_rc,
    char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX])
{
	const struct ml_route *rt = NULL;

	assert_int_equal(ml_router_match(routes, method, path, &rt, params),
	    want_rc);
	if (want_rc != ML_OK) {
		assert_null(rt);
		return NULL;
	}
	assert_non_null(rt);
	return rt->fn;
}

static void
router_literal_and_method_pick_the_row(void **state)
{
	char p[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];

	(void)state;
	assert_ptr_equal(match("GET", "/accounts", ML_OK, p), h_list);
	assert_ptr_equal(match("POST", "/accounts", ML_OK, p), h_create);
}

static void
router_params_are_copied_in_order(void **state)
{
	char p[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];

	(void)state;
	assert_ptr_equal(match("GET", "/accounts/acc_123", ML_OK, p), h_get);
	assert_string_equal(p[0], "acc_123");
	assert_ptr_equal(match("POST", "/accounts/acc_9/verify", ML_OK, p),
	    h_verify);
	assert_string_equal(p[0], "acc_9");
	assert_ptr_equal(match("DELETE", "/accounts/a1/keys/k2", ML_OK, p),
	    h_key);
	assert_string_equal(p[0], "a1");
	assert_string_equal(p[1], "k2");
}

static void
router_head_answers_like_get(void **state)
{
	char p[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];

	(void)state;
	assert_ptr_equal(match("HEAD", "/accounts/x", ML_OK, p), h_get);
	match("HEAD", "/accounts/x/verify", ML_EINVAL, p);
}

static void
router_wrong_method_is_405_not_404(void **state)
{
	char p[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX], allow[64];

	(void)state;
	match("PUT", "/accounts", ML_EINVAL, p);
	match("PATCH", "/accounts/acc_1", ML_EINVAL, p);
	ml_router_allowed(routes, "/accounts", allow, sizeof(allow));
	assert_string_equal(allow, "GET, POST");
	ml_router_allowed(routes, "/accounts/z", allow, sizeof(allow));
	assert_string_equal(allow, "GET, DELETE");
}

static void
router_near_misses_are_404(void **state)
{
	static const char *const paths[] = {
		"/", "/account", "/accountsx", "/accounts/", "/accounts//verify",
		"/accounts/a/b", "/accounts/a/verify/", "/accounts/a/verifyx",
		"/accounts/a/keys/", "accounts", "",
	};
	char p[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		match("GET", paths[i], ML_ENOTFOUND, p);
}

static void
router_overlong_param_does_not_match(void **state)
{
	char p[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];
	char path[ML_HTTP_PARAM_MAX + 32];

	(void)state;
	memcpy(path, "/accounts/", 10);
	memset(path + 10, 'a', ML_HTTP_PARAM_MAX - 1);
	path[10 + ML_HTTP_PARAM_MAX - 1] = '\0';
	match("GET", path, ML_OK, p);
	assert_int_equal(strlen(p[0]), ML_HTTP_PARAM_MAX - 1);
	path[10 + ML_HTTP_PARAM_MAX - 1] = 'a';
	path[10 + ML_HTTP_PARAM_MAX] = '\0';
	match("GET", path, ML_ENOTFOUND, p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(router_literal_and_method_pick_the_row),
		cmocka_unit_test(router_params_are_copied_in_order),
		cmocka_unit_test(router_head_answers_like_get),
		cmocka_unit_test(router_wrong_method_is_405_not_404),
		cmocka_unit_test(router_near_misses_are_404),
		cmocka_unit_test(router_overlong_param_does_not_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
