/* SPDX-License-Identifier: MIT */
/*
 * validate_int.h: helpers shared by the per-family validators (not public).
 *
 * Field paths are built as prefix + name, where prefix is "" or ends in '.'
 * ("elements[2].") so a nested error names the exact input. Every helper
 * returns ML_OK or ML_EINVAL with err filled as validate.h describes.
 */
#ifndef ML_VALIDATE_INT_H
#define ML_VALIDATE_INT_H

#include <json-c/json.h>
#include <stddef.h>

#include <moelink/err.h>

#define ML__VPATH_MAX 64

/* Fail: kind "validation_failed", field prefix+name, msg "<field>: <text>". */
int ml__vfail(struct ml_err *err, const char *prefix, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Write prefix + name + suffix ("elements" "[3]" ".") into out. */
void ml__vpath(char *out, size_t cap, const char *prefix, const char *name,
    long index);

/* body must be a JSON object. */
int ml__vobject(json_object *body, struct ml_err *err);

/*
 * obj[key] must be a non-empty string if present (and present if
 * required). *out (may be NULL) gets the string or NULL when absent.
 */
int ml__vstring(json_object *obj, const char *key, int required,
    const char *prefix, const char **out, struct ml_err *err);

/* obj[key], if present (or required), must be one of allowed (NULL-ended). */
int ml__venum(json_object *obj, const char *key, const char *const *allowed,
    int required, const char *prefix, struct ml_err *err);

/*
 * obj[key] must be an array of min..max elements (max 0 = unbounded) if
 * present (or required). *out (may be NULL) gets it or NULL when absent.
 */
int ml__varray(json_object *obj, const char *key, size_t min, size_t max,
    int required, const char *prefix, json_object **out, struct ml_err *err);

/*
 * obj[key] must be an array of min..max elements (as ml__varray), each a
 * JSON object (else "must be an object <shape>"), and fn must accept each;
 * fn gets the element's path prefix ("merge_data[3].").
 */
typedef int (*ml__vitem_fn)(json_object *item, const char *path, void *ud,
    struct ml_err *err);
int ml__veach(json_object *obj, const char *key, size_t min, size_t max,
    int required, const char *prefix, const char *shape, ml__vitem_fn fn,
    void *ud, struct ml_err *err);

/* obj[key], if present (or required), must be a JSON object; *out gets it. */
int ml__vobj_member(json_object *obj, const char *key, int required,
    const char *prefix, json_object **out, struct ml_err *err);

#endif
