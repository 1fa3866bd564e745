/* SPDX-License-Identifier: MIT */
/*
 * fuzz_router: libFuzzer target for the router's path matching
 * (ml_router_match, ml_router_allowed) over the server's real route table.
 * The first byte picks the method, the rest is the path. Invariants: a
 * match's row has that method (or GET for HEAD), every {param} is a
 * non-empty segment without '/' that fits, and putting the params back
 * into the pattern gives the path again; "Allow" is non-empty exactly when
 * some row has the path; a 405 never comes without one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/mem.h>

#include "server/http.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get",
};

/* The pattern with params put back; 0 if it does not fit. */
static int
rebuild(const char *pattern, char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX],
    char *out, size_t cap)
{
	const char *p = pattern, *end;
	size_t len = 0, n, np = 0;

	while (*p != '\0') {
		if (*p == '{') {
			end = strchr(p, '}');
			if (end == NULL)
				abort();
			n = strlen(params[np]);
			if (n == 0 || strchr(params[np], '/') != NULL ||
			    n >= ML_HTTP_PARAM_MAX)
				abort();
			if (len + n >= cap)
				return 0;
			memcpy(out + len, params[np++], n);
			len += n;
			p = end + 1;
			continue;
		}
		if (len + 1 >= cap)
			return 0;
		out[len++] = *p++;
	}
	out[len] = '\0';
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];
	char allow[256], *path, *back;
	const struct ml_route *rt = NULL;
	const char *method;
	int rc;

	if (size == 0 || size > 4096)
		return 0;
	method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	path = ml_malloc(size);
	back = ml_malloc(size + 1);
	if (path == NULL || back == NULL)
		abort();
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	memset(params, 0, sizeof(params));
	rc = ml_router_match(ml_server_routes, method, path, &rt, params);
	ml_router_allowed(ml_server_routes, path, allow, sizeof(allow));
	if (rc == ML_OK) {
		if (rt == NULL || (strcmp(rt->method, method) != 0 &&
		    !(strcmp(rt->method, "GET") == 0 &&
		    strcmp(method, "HEAD") == 0)))
			abort();
		if (!rebuild(rt->pattern, params, back, size + 1) ||
		    strcmp(back, path) != 0)
			abort();
		if (allow[0] == '\0')
			abort();
	} else if (rc == ML_EINVAL) {
		if (rt != NULL || allow[0] == '\0')
			abort();
	} else if (rc == ML_ENOTFOUND) {
		if (rt != NULL || allow[0] != '\0')
			abort();
	} else {
		abort();
	}
	ml_free(path);
	ml_free(back);
	return 0;
}
