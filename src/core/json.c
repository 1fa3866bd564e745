/* SPDX-License-Identifier: MIT */
/*
 * json.c: strict JSON parsing over json-c (see json.h). json-c is lenient by
 * default (single quotes, trailing commas, invalid UTF-8, silent integer
 * clamping); every parse in moelink goes through ml_json_parse so none of that
 * leaks in.
 */
#include <moelink/json.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * json-c clamps integers outside int64/uint64 to the boundary values. A real
 * value at exactly those boundaries is implausible in MoEngage payloads, so a
 * boundary value is treated as overflow.
 */
static int
json_check_ranges(json_object *o, int depth)
{
	if (o == NULL || depth > 512)
		return 0;
	switch (json_object_get_type(o)) {
	case json_type_int:
		if (json_object_get_int64(o) == INT64_MIN)
			return -1;
		if (json_object_get_int64(o) == INT64_MAX &&
		    json_object_get_uint64(o) == UINT64_MAX)
			return -1;
		return 0;
	case json_type_double:
		/* json-c takes NaN, Infinity and 1e999 even in strict mode. */
		return isfinite(json_object_get_double(o)) ? 0 : -1;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (json_check_ranges(v, depth + 1))
				return -1;
		}
		return 0;
	}
	case json_type_array: {
		size_t i, n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (json_check_ranges(json_object_array_get_idx(o, i),
			    depth + 1))
				return -1;
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * json-c 0.16's strict mode still takes single-quoted object keys
 * ({'a':1}). In JSON a single quote can only occur inside a string, so one
 * outside any string means the document is not JSON.
 */
static int
json_bare_single_quote(const char *text, size_t len)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (text[i] == '\\')
				i++;
			else if (text[i] == '"')
				in_str = 0;
		} else if (text[i] == '"') {
			in_str = 1;
		} else if (text[i] == '\'') {
			return 1;
		}
	}
	return 0;
}

int
ml_json_parse(const char *text, size_t len, size_t max_len, int max_depth,
    json_object **out, struct ml_err *err)
{
	struct json_tokener *tok = NULL;
	json_object *obj = NULL;
	enum json_tokener_error jerr;
	size_t used;
	int rc = ML_OK;

	*out = NULL;
	if (max_len > 0 && len > max_len)
		return ml_err_set(err, ML_ETOOBIG, "payload_too_large",
		    "JSON document is %zu bytes; the limit is %zu bytes",
		    len, max_len);
	if (len == 0 || text == NULL)
		return ml_err_set(err, ML_EJSON, "malformed_json",
		    "empty body: a JSON document is required");
	if (len > INT32_MAX)
		return ml_err_set(err, ML_ETOOBIG, "payload_too_large",
		    "JSON document too large");
	tok = json_tokener_new_ex(max_depth > 0 ? max_depth :
	    ML_JSON_DEFAULT_DEPTH);
	if (tok == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue && used == len) {
		/* A top-level number ("0", "-12") is only complete once the
		 * tokener sees its end: feed the terminating NUL. */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr != json_tokener_success)
			jerr = json_tokener_continue;
	}
	if (jerr == json_tokener_success && json_bare_single_quote(text, len)) {
		rc = ml_err_set(err, ML_EJSON, "malformed_json",
		    "invalid JSON: single quotes are not JSON string quotes");
		goto out;
	}
	if (jerr == json_tokener_continue) {
		rc = ml_err_set(err, ML_EJSON, "malformed_json",
		    "incomplete JSON document (ended after %zu bytes)", len);
		goto out;
	}
	if (jerr != json_tokener_success) {
		rc = ml_err_set(err, ML_EJSON, "malformed_json",
		    "invalid JSON at byte %zu: %s", used,
		    json_tokener_error_desc(jerr));
		goto out;
	}
	/* Only whitespace may follow the document. */
	for (; used < len; used++) {
		char c = text[used];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			rc = ml_err_set(err, ML_EJSON, "malformed_json",
			    "unexpected data after the JSON document at byte %zu",
			    used);
			goto out;
		}
	}
	if (json_check_ranges(obj, 0)) {
		rc = ml_err_set(err, ML_EJSON, "malformed_json",
		    "number out of range (64-bit integers, finite numbers)");
		goto out;
	}
	*out = obj;
	obj = NULL;
out:
	json_object_put(obj);
	json_tokener_free(tok);
	return rc;
}

json_object *
ml_json_get(json_object *obj, const char *key, json_type type)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	if (!json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *
ml_json_str(json_object *obj, const char *key)
{
	json_object *v = ml_json_get(obj, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

int64_t
ml_json_int(json_object *obj, const char *key, int64_t def)
{
	json_object *v = ml_json_get(obj, key, json_type_int);

	return v ? json_object_get_int64(v) : def;
}

int
ml_json_bool(json_object *obj, const char *key, int def)
{
	json_object *v = ml_json_get(obj, key, json_type_boolean);

	return v ? json_object_get_boolean(v) : def;
}

const char *
ml_json_text(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

int
ml_json_add_str(json_object *obj, const char *key, const char *val)
{
	json_object *s = json_object_new_string(val);

	if (s == NULL)
		return ML_ENOMEM;
	if (json_object_object_add(obj, key, s)) {
		json_object_put(s);
		return ML_ENOMEM;
	}
	return ML_OK;
}

int
ml_json_add_int(json_object *obj, const char *key, int64_t val)
{
	json_object *s = json_object_new_int64(val);

	if (s == NULL)
		return ML_ENOMEM;
	if (json_object_object_add(obj, key, s)) {
		json_object_put(s);
		return ML_ENOMEM;
	}
	return ML_OK;
}
