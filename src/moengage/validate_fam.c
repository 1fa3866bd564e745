/* SPDX-License-Identifier: MIT */
/*
 * validate_fam.c: the typed checks the family validators share
 * (validate_fam_int.h): integer ranges (numbers or, in a query, decimal
 * strings), bounded strings, arrays of strings, case-free enums,
 * comma-separated enum lists, calendar dates and the allowed query keys.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moengage/validate_int.h"

static json_object *
fam_member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static int
fam_missing(json_object *v, int required, const char *prefix,
    const char *key, struct ml_err *err)
{
	if (v == NULL && required)
		return ml__vfail(err, prefix, key, "is required and missing");
	return ML_OK;
}

int
ml__vint(json_object *obj, const char *key, int64_t min, int64_t max,
    int required, int as_query, const char *prefix, int64_t def,
    int64_t *out, struct ml_err *err)
{
	json_object *v = fam_member(obj, key);
	const char *s;
	char *end;
	long long n;

	if (out != NULL)
		*out = def;
	if (v == NULL)
		return fam_missing(v, required, prefix, key, err);
	if (json_object_is_type(v, json_type_int)) {
		n = (long long)json_object_get_int64(v);
	} else if (as_query && json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (s[0] == '\0' || *end != '\0' || errno != 0)
			return ml__vfail(err, prefix, key,
			    "\"%.20s\" is not a whole number", s);
	} else {
		return ml__vfail(err, prefix, key,
		    "must be a whole number, not %s",
		    json_type_to_name(json_object_get_type(v)));
	}
	if (n < min || n > max)
		return ml__vfail(err, prefix, key, "is %lld; MoEngage accepts "
		    "%lld to %lld", n, (long long)min, (long long)max);
	if (out != NULL)
		*out = (int64_t)n;
	return ML_OK;
}

int
ml__vstrmax(json_object *obj, const char *key, size_t max, int required,
    const char *prefix, const char **out, struct ml_err *err)
{
	const char *s;
	size_t len;
	int rc;

	rc = ml__vstring(obj, key, required, prefix, &s, err);
	if (out != NULL)
		*out = s;
	if (rc || s == NULL)
		return rc;
	len = strlen(s);
	if (len > max)
		return ml__vfail(err, prefix, key, "is %zu characters long; "
		    "MoEngage allows at most %zu", len, max);
	return ML_OK;
}

int
ml__vstrings(json_object *obj, const char *key, size_t min, size_t max,
    int required, const char *prefix, struct ml_err *err)
{
	char path[ML__VPATH_MAX];
	json_object *arr, *el;
	size_t i, n;
	int rc;

	rc = ml__varray(obj, key, min, max, required, prefix, &arr, err);
	if (rc || arr == NULL)
		return rc;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(arr, i);
		if (json_object_is_type(el, json_type_string) &&
		    json_object_get_string_len(el) > 0)
			continue;
		snprintf(path, sizeof(path), "%s%s[%zu]",
		    prefix != NULL ? prefix : "", key, i);
		return ml__vfail(err, "", path, "must be a non-empty string");
	}
	return ML_OK;
}

static void
fam_list(char *out, size_t cap, const char *const *allowed)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; allowed[i] != NULL && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s\"%s\"",
		    i > 0 ? ", " : "", allowed[i]);
}

static int
fam_in(const char *s, size_t len, const char *const *allowed, int nocase)
{
	size_t i;

	for (i = 0; allowed[i] != NULL; i++) {
		if (strlen(allowed[i]) != len)
			continue;
		if ((nocase ? strncasecmp(s, allowed[i], len) :
		    strncmp(s, allowed[i], len)) == 0)
			return 1;
	}
	return 0;
}

int
ml__venum_nocase(json_object *obj, const char *key,
    const char *const *allowed, int required, const char *prefix,
    struct ml_err *err)
{
	char list[256];
	const char *s;
	int rc;

	rc = ml__vstring(obj, key, required, prefix, &s, err);
	if (rc || s == NULL)
		return rc;
	if (fam_in(s, strlen(s), allowed, 1))
		return ML_OK;
	fam_list(list, sizeof(list), allowed);
	return ml__vfail(err, prefix, key, "\"%.40s\" is not allowed; use %s",
	    s, list);
}

int
ml__venum_list(json_object *obj, const char *key,
    const char *const *allowed, const char *prefix, struct ml_err *err)
{
	char list[256];
	const char *s, *p;
	size_t len;
	int rc;

	rc = ml__vstring(obj, key, 0, prefix, &s, err);
	if (rc || s == NULL)
		return rc;
	for (p = s; ; p += len + 1) {
		len = strcspn(p, ",");
		if (!fam_in(p, len, allowed, 0)) {
			fam_list(list, sizeof(list), allowed);
			return ml__vfail(err, prefix, key, "\"%.*s\" is not "
			    "allowed; use a comma-separated list of %s",
			    (int)(len < 40 ? len : 40), p, list);
		}
		if (p[len] == '\0')
			break;
	}
	return ML_OK;
}

int
ml__vbool(json_object *obj, const char *key, int required,
    const char *prefix, struct ml_err *err)
{
	json_object *v = fam_member(obj, key);

	if (v == NULL)
		return fam_missing(v, required, prefix, key, err);
	if (!json_object_is_type(v, json_type_boolean))
		return ml__vfail(err, prefix, key, "must be true or false, "
		    "not %s", json_type_to_name(json_object_get_type(v)));
	return ML_OK;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long
fam_days(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
ml__vdate(json_object *obj, const char *key, int required,
    const char *prefix, long *days, struct ml_err *err)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char *s;
	long y, m, d;
	size_t i;
	int rc, leap;

	*days = 0;
	rc = ml__vstring(obj, key, required, prefix, &s, err);
	if (rc || s == NULL)
		return rc;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		goto bad;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			goto bad;
	y = (s[0] - '0') * 1000L + (s[1] - '0') * 100L + (s[2] - '0') * 10L +
	    (s[3] - '0');
	m = (s[5] - '0') * 10L + (s[6] - '0');
	d = (s[8] - '0') * 10L + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		goto bad;
	*days = fam_days(y, m, d);
	return ML_OK;
bad:
	return ml__vfail(err, prefix, key, "\"%.20s\" is not a date in "
	    "YYYY-MM-DD form", s);
}

int
ml__vquery_keys(json_object *query, const char *const *allowed,
    struct ml_err *err)
{
	char list[256];

	if (query == NULL)
		return ML_OK;
	if (!json_object_is_type(query, json_type_object))
		return ml__vfail(err, "", "query",
		    "must be a JSON object of parameters");
	json_object_object_foreach(query, k, v) {
		(void)v;
		if (fam_in(k, strlen(k), allowed, 0))
			continue;
		fam_list(list, sizeof(list), allowed);
		if (list[0] == '\0')
			return ml__vfail(err, "query.", k,
			    "this action takes no query parameters");
		return ml__vfail(err, "query.", k, "is not a parameter of "
		    "this action; it takes %s", list);
	}
	return ML_OK;
}

int
ml__vbody(json_object *body, json_object *query, const char *const *allowed,
    struct ml_err *err)
{
	int rc;

	rc = ml__vquery_keys(query, allowed, err);
	if (rc == ML_OK)
		rc = ml__vobject(body, err);
	return rc;
}
