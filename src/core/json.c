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

/* The value of 4 hex digits, or 0x110000 if one is not hex. */
static unsigned
json_hex4(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return 0x110000;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 (RFC 3629 table). */
static size_t
json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			hi = 0x9f;		/* surrogates D800..DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else
		return 0;			/* 80..C1, F5..FF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * What json-c's strict mode still lets through, found in one pass over the
 * text once json-c has accepted its structure:
 * - single-quoted object keys ({'a':1}): in JSON a single quote can only
 *   occur inside a string;
 * - UTF-8 that RFC 3629 forbids: overlong forms (C0 80, E0 80 80, F0 80..),
 *   UTF-16 surrogates encoded as UTF-8 (ED A0..BF xx), code points above
 *   U+10FFFF (F4 90.., F5..FF) and stray continuation bytes;
 * - \u escapes that are not a valid UTF-16 pair: a lone high surrogate
 *   (\uD800), a lone low one (\uDC00), a high one followed by anything but
 *   a low one. RFC 8259 section 8.2 leaves such strings "unpredictable";
 *   json-c would turn them into replacement characters or CESU bytes.
 * Returns 0 when clean, else the byte offset + 1 of the first problem and
 * *why says which.
 */
static size_t
json_scan_text(const char *text, size_t len, const char **why)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	unsigned u, lo;
	int in_str = 0;

	*why = NULL;
	while (i < len) {
		if (s[i] >= 0x80) {
			n = json_utf8_len(s + i, len - i);
			if (n == 0) {
				*why = "invalid UTF-8 (overlong, surrogate, "
				    "above U+10FFFF or truncated)";
				goto out;
			}
			i += n;
		} else if (!in_str) {
			if (s[i] == '\'') {
				*why = "single quotes are not JSON string "
				    "quotes";
				goto out;
			}
			in_str = s[i] == '"';
			i++;
		} else if (s[i] == '"') {
			in_str = 0;
			i++;
		} else if (s[i] != '\\') {
			i++;
		} else if (i + 1 >= len || s[i + 1] != 'u') {
			i += 2;
		} else if (len - i < 6) {
			*why = "truncated \\u escape";
			goto out;
		} else {
			u = json_hex4(text + i + 2);
			lo = 0;
			if (u >= 0xd800 && u <= 0xdbff && len - i >= 12 &&
			    s[i + 6] == '\\' && s[i + 7] == 'u')
				lo = json_hex4(text + i + 8);
			if (u >= 0xdc00 && u <= 0xdfff) {
				*why = "lone low surrogate \\u escape";
				goto out;
			}
			if (u >= 0xd800 && u <= 0xdbff &&
			    (lo < 0xdc00 || lo > 0xdfff)) {
				*why = "high surrogate \\u escape not "
				    "followed by a low one";
				goto out;
			}
			i += lo != 0 ? 12 : 6;
		}
	}
out:
	return *why != NULL ? i + 1 : 0;
}

int
ml_json_parse(const char *text, size_t len, size_t max_len, int max_depth,
    json_object **out, struct ml_err *err)
{
	struct json_tokener *tok = NULL;
	json_object *obj = NULL;
	enum json_tokener_error jerr;
	const char *why = NULL;
	size_t used, bad;
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
	bad = jerr == json_tokener_success ? json_scan_text(text, len, &why) :
	    0;
	if (bad != 0) {
		rc = ml_err_set(err, ML_EJSON, "malformed_json",
		    "invalid JSON at byte %zu: %s", bad - 1, why);
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
