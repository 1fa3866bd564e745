/* SPDX-License-Identifier: MIT */
/*
 * router.c: match a request (method, path) to a row of a const route table.
 *
 * Patterns are literal segments and {name} segments; a {name} segment
 * matches one non-empty path segment (no '/') of at most
 * ML_HTTP_PARAM_MAX-1 bytes, copied into params in pattern order. GET rows
 * also answer HEAD. No allocation; safe from any thread.
 */
#include "server/http.h"

#include <stdio.h>
#include <string.h>

#include <moelink/buf.h>

/* Does path match pattern? Fills params when they are given. */
static int
router_path_match(const char *pattern, const char *path,
    char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX])
{
	const char *p = pattern, *s = path, *end;
	size_t n, np = 0;

	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			end = strchr(p, '}');
			if (end == NULL || np >= ML_HTTP_MAX_PARAMS)
				return 0;
			n = strcspn(s, "/");
			if (n == 0 || n >= ML_HTTP_PARAM_MAX)
				return 0;
			if (params != NULL) {
				memcpy(params[np], s, n);
				params[np][n] = '\0';
			}
			np++;
			p = end + 1;
			s += n;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

static int
router_method_match(const char *want, const char *method)
{
	if (strcmp(want, method) == 0)
		return 1;
	return strcmp(want, "GET") == 0 && strcmp(method, "HEAD") == 0;
}

int
ml_router_match(const struct ml_route *tab, const char *method,
    const char *path, const struct ml_route **out,
    char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX])
{
	const struct ml_route *rt;
	int path_seen = 0;

	*out = NULL;
	for (rt = tab; rt->pattern != NULL; rt++) {
		if (!router_path_match(rt->pattern, path, NULL))
			continue;
		path_seen = 1;
		if (!router_method_match(rt->method, method))
			continue;
		router_path_match(rt->pattern, path, params);
		*out = rt;
		return ML_OK;
	}
	return path_seen ? ML_EINVAL : ML_ENOTFOUND;
}

void
ml_router_allowed(const struct ml_route *tab, const char *path, char *out,
    size_t cap)
{
	const struct ml_route *rt;
	size_t len = 0;
	int n;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (rt = tab; rt->pattern != NULL; rt++) {
		if (!router_path_match(rt->pattern, path, NULL))
			continue;
		n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "",
		    rt->method);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
}
