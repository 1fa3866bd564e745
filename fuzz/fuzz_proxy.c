/* SPDX-License-Identifier: MIT */
/*
 * fuzz_proxy: libFuzzer target for the proxy's request validation
 * (ml_api_proxy_check: method, host_kind, path, query, headers of POST
 * /proxy). Invariants: an accepted path starts with '/', has no "//",
 * "." or ".." segment, no '?', '#', '\\', control byte or space, and no
 * percent-encoded '.', '/', '\\', '%' or control byte; accepted headers
 * are only the passed names, without CR/LF; a refusal names a field.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "fuzz_common.h"
#include "server/api_actions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
check_path(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i, len = strlen(p), seg;
	int v;

	if (p[0] != '/' || strstr(p, "//") != NULL)
		abort();
	for (i = 0; i < len; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f || strchr("?#\\{}", s[i]))
			abort();
		if (s[i] == '%') {
			if (hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				abort();
			v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			if (v == '.' || v == '/' || v == '\\' || v == '%' ||
			    v < 0x20 || v == 0x7f)
				abort();
		}
	}
	for (i = 1; i <= len; i = seg + 1) {
		seg = i + strcspn(p + i, "/");
		if ((seg - i == 1 && p[i] == '.') ||
		    (seg - i == 2 && p[i] == '.' && p[i + 1] == '.'))
			abort();
		if (seg >= len)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const passed[] = { "X-Forwarded-For",
	    "MOE-PROJECT-CODE", "X-MOE-Request-Id", "RECOMMENDATION-TYPE",
	    NULL };
	struct ml_proxy_input p;
	struct ml_err err;
	json_object *obj;
	const char *v;
	size_t i;
	int ok;

	obj = fuzz_json_object(data, size);
	if (obj == NULL)
		return 0;
	ml_err_clear(&err);
	if (ml_api_proxy_check(obj, &p, &err) != ML_OK) {
		if (err.field[0] == '\0' || err.msg[0] == '\0' ||
		    p.headers != NULL)
			abort();
		json_object_put(obj);
		return 0;
	}
	if (p.method == NULL || p.path == NULL)
		abort();
	check_path(p.path);
	if (p.query != NULL && !json_object_is_type(p.query,
	    json_type_object))
		abort();
	if (p.headers != NULL) {
		json_object_object_foreach(p.headers, k, val) {
			for (i = 0, ok = 0; passed[i] != NULL; i++)
				ok |= strcasecmp(k, passed[i]) == 0;
			v = json_object_get_string(val);
			if (!ok || !json_object_is_type(val,
			    json_type_string) || strpbrk(k, "\r\n") != NULL ||
			    strpbrk(v, "\r\n") != NULL)
				abort();
		}
	}
	json_object_put(p.headers);
	json_object_put(obj);
	return 0;
}
