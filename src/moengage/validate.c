/* SPDX-License-Identifier: MIT */
/*
 * validate.c: the small typed checks every family's validator is made of
 * (validate_int.h). The rules themselves live per family
 * (validate_data.c, ...). Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

int
ml__vfail(struct ml_err *err, const char *prefix, const char *name,
    const char *fmt, ...)
{
	char field[ML__VPATH_MAX], text[ML_ERR_MSG_LEN];
	va_list ap;
	size_t len;

	ml__vpath(field, sizeof(field), prefix, name, -1);
	/* "elements[2]." names the element itself when name is empty. */
	len = strlen(field);
	if (len > 0 && field[len - 1] == '.')
		field[len - 1] = '\0';
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ml_err_field(err, field);
	if (field[0] == '\0')
		return ml_err_set(err, ML_EINVAL, "validation_failed", "%s",
		    text);
	return ml_err_set(err, ML_EINVAL, "validation_failed", "%s: %s",
	    field, text);
}

void
ml__vpath(char *out, size_t cap, const char *prefix, const char *name,
    long index)
{
	if (index >= 0)
		snprintf(out, cap, "%s%s[%ld].", prefix != NULL ? prefix : "",
		    name != NULL ? name : "", index);
	else
		snprintf(out, cap, "%s%s", prefix != NULL ? prefix : "",
		    name != NULL ? name : "");
}

int
ml__vobject(json_object *body, struct ml_err *err)
{
	if (body == NULL)
		return ml__vfail(err, "", "body",
		    "a JSON object body is required");
	if (!json_object_is_type(body, json_type_object))
		return ml__vfail(err, "", "body",
		    "the body must be a JSON object, not %s",
		    json_type_to_name(json_object_get_type(body)));
	return ML_OK;
}

static json_object *
validate_member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/*
 * obj[key] into *v: NULL when absent (an error if required), else it must
 * be of `type` (`what` names it in the message).
 */
static int
validate_typed(json_object *obj, const char *key, int required,
    json_type type, const char *what, const char *prefix, json_object **v,
    struct ml_err *err)
{
	*v = validate_member(obj, key);
	if (*v == NULL) {
		if (required)
			return ml__vfail(err, prefix, key,
			    "is required and missing");
		return ML_OK;
	}
	if (!json_object_is_type(*v, type))
		return ml__vfail(err, prefix, key, "must be %s, not %s", what,
		    json_type_to_name(json_object_get_type(*v)));
	return ML_OK;
}

int
ml__vstring(json_object *obj, const char *key, int required,
    const char *prefix, const char **out, struct ml_err *err)
{
	json_object *v;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = validate_typed(obj, key, required, json_type_string, "a string",
	    prefix, &v, err);
	if (rc || v == NULL)
		return rc;
	if (json_object_get_string_len(v) == 0)
		return ml__vfail(err, prefix, key, "must not be empty");
	if (out != NULL)
		*out = json_object_get_string(v);
	return ML_OK;
}

int
ml__venum(json_object *obj, const char *key, const char *const *allowed,
    int required, const char *prefix, struct ml_err *err)
{
	char list[160];
	const char *s;
	size_t i, used = 0;
	int rc;

	rc = ml__vstring(obj, key, required, prefix, &s, err);
	if (rc || s == NULL)
		return rc;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(s, allowed[i]) == 0)
			return ML_OK;
	list[0] = '\0';
	for (i = 0; allowed[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s\"%s\"", i > 0 ? ", " : "", allowed[i]);
	return ml__vfail(err, prefix, key, "\"%.40s\" is not allowed; use %s",
	    s, list);
}

int
ml__varray(json_object *obj, const char *key, size_t min, size_t max,
    int required, const char *prefix, json_object **out, struct ml_err *err)
{
	json_object *v;
	size_t n;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = validate_typed(obj, key, required, json_type_array, "an array",
	    prefix, &v, err);
	if (rc || v == NULL)
		return rc;
	n = json_object_array_length(v);
	if (n < min && min == 1)
		return ml__vfail(err, prefix, key, "must not be an empty array");
	if (n < min)
		return ml__vfail(err, prefix, key, "needs at least %zu elements",
		    min);
	if (max > 0 && n > max)
		return ml__vfail(err, prefix, key,
		    "has %zu elements; MoEngage allows at most %zu per request",
		    n, max);
	if (out != NULL)
		*out = v;
	return ML_OK;
}

int
ml__veach(json_object *obj, const char *key, size_t min, size_t max,
    int required, const char *prefix, const char *shape, ml__vitem_fn fn,
    void *ud, struct ml_err *err)
{
	char path[ML__VPATH_MAX];
	json_object *arr, *it;
	size_t i;
	int rc;

	rc = ml__varray(obj, key, min, max, required, prefix, &arr, err);
	for (i = 0; rc == ML_OK && arr != NULL &&
	    i < json_object_array_length(arr); i++) {
		it = json_object_array_get_idx(arr, i);
		ml__vpath(path, sizeof(path), prefix, key, (long)i);
		if (!json_object_is_type(it, json_type_object))
			return ml__vfail(err, path, "", "must be an object %s",
			    shape);
		rc = fn(it, path, ud, err);
	}
	return rc;
}

int
ml__vobj_member(json_object *obj, const char *key, int required,
    const char *prefix, json_object **out, struct ml_err *err)
{
	json_object *v;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = validate_typed(obj, key, required, json_type_object,
	    "an object", prefix, &v, err);
	if (rc == ML_OK && out != NULL)
		*out = v;
	return rc;
}
