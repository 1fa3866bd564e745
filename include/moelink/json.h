/* SPDX-License-Identifier: MIT */
/*
 * json.h: the one way moelink parses JSON from anywhere (callers, MoEngage,
 * files): json-c's tokener in strict mode with UTF-8 validation, a depth
 * limit, a size limit, no trailing garbage, and integers that json-c would
 * silently clamp are rejected. Also small typed getters used everywhere.
 */
#ifndef MOELINK_JSON_H
#define MOELINK_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/err.h>

#define ML_JSON_DEFAULT_DEPTH 32

/*
 * Parse exactly one JSON document of len bytes (no NUL needed). On success
 * *out owns a new reference (json_object_put() it). On failure *out is NULL,
 * err->kind is "malformed_json" (or "payload_too_large" if len > max_len) and
 * err->msg says where and why. max_depth 0 means ML_JSON_DEFAULT_DEPTH.
 */
int ml_json_parse(const char *text, size_t len, size_t max_len, int max_depth,
    json_object **out, struct ml_err *err);

/* Getters: return NULL/def when the key is missing or of another type. */
const char *ml_json_str(json_object *obj, const char *key);
json_object *ml_json_get(json_object *obj, const char *key, json_type type);
int64_t ml_json_int(json_object *obj, const char *key, int64_t def);
int ml_json_bool(json_object *obj, const char *key, int def);

/* Serialize without extra spaces; the string belongs to obj. */
const char *ml_json_text(json_object *obj);

/* Add a string member (copying). Returns ML_OK or ML_ENOMEM. */
int ml_json_add_str(json_object *obj, const char *key, const char *val);
int ml_json_add_int(json_object *obj, const char *key, int64_t val);

#endif
