/* SPDX-License-Identifier: MIT */
/*
 * test_util.h: helpers shared by the unit tests. Include after <cmocka.h>.
 * Everything is static inline so a test that uses a part pays nothing for the
 * rest (and -Wunused-function stays quiet).
 */
#ifndef ML_TEST_UTIL_H
#define ML_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/request.h>

/* Parse test input that must be JSON (NULL stays NULL); fails the test if not. */
static inline json_object *
tu_json(const char *text)
{
	json_object *o = NULL;

	if (text == NULL)
		return NULL;
	if (ml_json_parse(text, strlen(text), 0, 0, &o, NULL) != ML_OK)
		fail_msg("test input is not JSON: %.200s", text);
	return o;
}

/* The value of header `name` in a built request, or NULL. */
static inline const char *
tu_header(const struct ml_request *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->nheaders; i++)
		if (strncmp(r->headers[i], name, n) == 0 &&
		    r->headers[i][n] == ':' && r->headers[i][n + 1] == ' ')
			return r->headers[i] + n + 2;
	return NULL;
}

/*
 * Directory removal, for tests that include <ftw.h> themselves (it needs
 * _XOPEN_SOURCE before any system header, which only the test file can set).
 */
#ifdef FTW_DEPTH
static inline int
tu_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Remove a test's temporary directory tree. */
static inline void
tu_rmtree(const char *dir)
{
	nftw(dir, tu_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
#endif

#endif
