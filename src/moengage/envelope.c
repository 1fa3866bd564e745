/* SPDX-License-Identifier: MIT */
/*
 * envelope.c: MoEngage's error bodies (reference section 9) -> struct
 * ml_err. Each shape is one row of envelope_shapes[]: where in the JSON its
 * type, message, request id, offending field and detail live (a few
 * candidate paths each, "error.details.0.target" style). The row the action
 * names is tried first; if it finds nothing, every other row is tried, so an
 * endpoint that answers in a sibling family's shape (Delete User's 429 in
 * title/description, Get User's top-level LimitBreached) still gives
 * MoEngage's own words. Non-JSON and empty bodies get a sentence of our own.
 *
 * A rate limit is known by its status (429) or by its code in the body
 * (RATE_LIMITED and RATE_LIMIT_EXCEEDED are both documented for v5).
 *
 * Text copied from a body is cleaned of control characters and cut on a
 * UTF-8 boundary, so it is safe to print and to put into JSON.
 * Stateless and thread-safe.
 */
#include <moelink/envelope.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#define ENV_PATHS 3
#define ENV_SNIPPET 160

struct env_shape {
	const char *type[ENV_PATHS];
	const char *message[ENV_PATHS];
	const char *request_id[ENV_PATHS];
	const char *field[ENV_PATHS];
	const char *detail[ENV_PATHS];
};

static const struct env_shape envelope_shapes[ML_ENV_COUNT] = {
	/* {"status":"fail","error":{message,type,request_id,attribute}};
	 * Get User: {"attribute","message","type"} at the top. */
	[ML_ENV_DATA] = {
		{ "error.type", "type" },
		{ "error.message", "message" },
		{ "error.request_id", "request_id" },
		{ "error.attribute", "attribute" },
		{ NULL },
	},
	/* {"title","description","code"?}; Content Blocks' create and update
	 * answer {"error","message","details"} (details: the request id);
	 * Message Archival's 400 {"status":false,"error_message"} and 401
	 * {"status":false,"error"}; Cards' 400 {"status":false,"error",
	 * "request_id"}. */
	[ML_ENV_TITLE] = {
		{ "title", "error" },
		{ "description", "message", "error_message" },
		{ "code", "details", "request_id" }, { NULL }, { NULL },
	},
	/* {"error":{"code","message","details":[{code,target,message}],
	 * "request_id"}}; 429: {"status":"error","data":{code,title,...}} */
	[ML_ENV_ERROR_DETAILS] = {
		{ "error.code", "data.title" },
		{ "error.message", "data.description" },
		{ "error.request_id" },
		{ "error.details.0.target" },
		{ "error.details.0.message" },
	},
	/* {"error":{code,message,target,details},"response_id"} */
	[ML_ENV_V5] = {
		{ "error.code", "error.err_code" },
		{ "error.message" },
		{ "response_id" },
		{ "error.target", "error.details.0.target" },
		{ "error.details.0.message" },
	},
	/* {"response_id","type","error":{code,message}} */
	[ML_ENV_RESPONSE_TYPE] = {
		{ "error.code" }, { "error.message" }, { "response_id" },
		{ NULL }, { NULL },
	},
	/* {"error-code","message"} */
	[ML_ENV_CATALOG] = {
		{ "error-code" }, { "message" }, { NULL }, { NULL }, { NULL },
	},
	/* {"code","message"} */
	[ML_ENV_CODE_MESSAGE] = {
		{ "code" }, { "message" }, { NULL }, { NULL }, { NULL },
	},
	/* {"message","err_code","status_code"} */
	[ML_ENV_INFORM] = {
		{ "err_code" }, { "message" }, { "request_id" }, { NULL },
		{ NULL },
	},
	/* 200 {"status":"Fail","Error_Message","responseId","requestId"};
	 * 404/500 {"code","status":"error","reason","reference"} */
	[ML_ENV_PUSH] = {
		{ NULL },
		{ "Error_Message", "reason" },
		{ "responseId", "requestId", "reference" },
		{ NULL },
		{ NULL },
	},
	/* {"status","error_type","message"}; 401 {"title","description"} */
	[ML_ENV_FILEIMPORT] = {
		{ "error_type", "title" },
		{ "message", "description" },
		{ "request_id" },
		{ NULL },
		{ NULL },
	},
};

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
envelope_utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/* Overlong 3/4-byte forms, surrogates, and past U+10FFFF. */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return need;
}

/*
 * Bounded copy of text that came from MoEngage (or from whatever answered
 * in its place): control characters become spaces, bytes that are not
 * UTF-8 become '?', and a character that does not fit is left out whole.
 */
static void
envelope_copy(char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n;

	while (i < len && o + 1 < cap) {
		n = envelope_utf8_len(s + i, len - i);
		if (n == 0) {
			dst[o++] = '?';
			i++;
		} else if (n == 1) {
			dst[o++] = (s[i] < 0x20 || s[i] == 0x7f) ? ' ' :
			    (char)s[i];
			i++;
		} else if (o + n < cap) {
			memcpy(dst + o, s + i, n);
			o += n;
			i += n;
		} else {
			break;
		}
	}
	dst[o] = '\0';
}

/* After a truncating snprintf: cut a character the cut left partial. */
static void
envelope_utf8_trim(char *s)
{
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		n = envelope_utf8_len((const unsigned char *)s + i, len - i);
		if (n == 0) {
			s[i] = '\0';
			return;
		}
		i += n;
	}
}

/* Follow "a.b.0.c" through objects and arrays. */
static json_object *
envelope_path(json_object *o, const char *path)
{
	char seg[48];
	const char *p = path;
	size_t len;
	char *end;
	long idx;

	while (o != NULL && *p != '\0') {
		len = strcspn(p, ".");
		if (len >= sizeof(seg))
			return NULL;
		memcpy(seg, p, len);
		seg[len] = '\0';
		p += len + (p[len] == '.');
		if (json_object_is_type(o, json_type_array)) {
			idx = strtol(seg, &end, 10);
			if (*end != '\0' || idx < 0)
				return NULL;
			o = json_object_array_get_idx(o, (size_t)idx);
		} else if (json_object_is_type(o, json_type_object)) {
			if (!json_object_object_get_ex(o, seg, &o))
				return NULL;
		} else {
			return NULL;
		}
	}
	return o;
}

/* The first path that holds a non-empty string or a number. */
static int
envelope_pick(json_object *o, const char *const *paths, char *dst,
    size_t cap)
{
	json_object *v;
	const char *s;
	size_t i;

	for (i = 0; i < ENV_PATHS && paths[i] != NULL; i++) {
		v = envelope_path(o, paths[i]);
		if (v == NULL || (!json_object_is_type(v, json_type_string) &&
		    !json_object_is_type(v, json_type_int)))
			continue;
		s = json_object_get_string(v);
		if (s == NULL || s[0] == '\0')
			continue;
		envelope_copy(dst, cap, s, strlen(s));
		return 1;
	}
	return 0;
}

/* Apply one shape; 1 if it found a message or a type. */
static int
envelope_apply(const struct env_shape *sh, json_object *o, struct ml_err *err)
{
	char detail[ML_ERR_MOE_MSG_LEN];
	int found;

	found = envelope_pick(o, sh->message, err->moe_message,
	    sizeof(err->moe_message));
	found |= envelope_pick(o, sh->type, err->moe_type,
	    sizeof(err->moe_type));
	if (!found)
		return 0;
	envelope_pick(o, sh->request_id, err->moe_request_id,
	    sizeof(err->moe_request_id));
	envelope_pick(o, sh->field, err->field, sizeof(err->field));
	if (envelope_pick(o, sh->detail, detail, sizeof(detail)) &&
	    strcmp(detail, err->moe_message) != 0) {
		size_t used = strlen(err->moe_message);
		snprintf(err->moe_message + used, sizeof(err->moe_message) - used,
		    "%s%s", used > 0 ? ": " : "", detail);
		envelope_utf8_trim(err->moe_message);
	}
	return 1;
}

static void
envelope_extract(enum ml_envelope env, json_object *o, struct ml_err *err)
{
	int i;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return;
	if ((int)env >= 0 && env < ML_ENV_COUNT &&
	    envelope_apply(&envelope_shapes[env], o, err))
		return;
	for (i = 0; i < ML_ENV_COUNT; i++) {
		if (i == (int)env)
			continue;
		if (envelope_apply(&envelope_shapes[i], o, err))
			return;
	}
}

/* A 2xx that still failed: Push's {"status":"Fail"} and its kin. */
static int
envelope_ok_but_failed(json_object *o)
{
	const char *st = ml_json_str(o, "status");

	return st != NULL && (strcasecmp(st, "fail") == 0 ||
	    strcasecmp(st, "failure") == 0 || strcasecmp(st, "error") == 0);
}

/*
 * 0 if body cannot be a 2xx failure, so it need not be parsed: a JSON
 * string "fail", "failure" or "error" (any case) written without escapes
 * has "fail" or "error" in its bytes, and one written with escapes has a
 * backslash. Most 2xx answers ({"status":"success","message":"Your request
 * has been accepted..."}) have neither; only those that might are parsed,
 * so the answer is the same as parsing every one.
 */
static int
envelope_may_say_failed(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (body[i] == '\\')
			return 1;
		if ((body[i] == 'f' || body[i] == 'F') && len - i >= 4 &&
		    strncasecmp(body + i, "fail", 4) == 0)
			return 1;
		if ((body[i] == 'e' || body[i] == 'E') && len - i >= 5 &&
		    strncasecmp(body + i, "error", 5) == 0)
			return 1;
	}
	return 0;
}

/*
 * The codes MoEngage's bodies use for a rate limit. The two Business
 * Events v5 pages disagree (the lookup routes say RATE_LIMITED, the trigger
 * page RATE_LIMIT_EXCEEDED); both, and the other families' words, mean the
 * same whatever the status line says.
 */
static int
envelope_rate_limit_type(const char *type)
{
	static const char *const types[] = {
		"RATE_LIMITED", "RATE_LIMIT_EXCEEDED", "RateLimitError",
		"TooManyRequests", "Rate Limit", "rate limiter exception", NULL,
	};
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (strcasecmp(type, types[i]) == 0)
			return 1;
	return 0;
}

static void
envelope_classify(int status, struct ml_err *err, const char **lead)
{
	int code = ML_EHTTP;
	const char *kind = "moengage_error";

	*lead = "MoEngage returned an error";
	if (status == 401 || status == 403 || (status == 409 &&
	    strstr(err->moe_type, "Authentication") != NULL)) {
		code = ML_EAUTH;
		kind = "moengage_auth_failed";
		*lead = "MoEngage refused the credentials";
	} else if (status == 429 || envelope_rate_limit_type(err->moe_type)) {
		code = ML_ERATELIMIT;
		kind = "moengage_rate_limited";
		*lead = "MoEngage rate limit exceeded";
	} else if (status == 404 || (status == 400 &&
	    strcasecmp(err->moe_type, "Not Found") == 0)) {
		kind = "moengage_not_found";
		*lead = "MoEngage did not find it";
	} else if (status == 400) {
		kind = "moengage_validation_failed";
		*lead = "MoEngage rejected the request";
	} else if (status == 409) {
		kind = "moengage_conflict";
		*lead = "MoEngage reported a conflict";
	} else if (status == 413) {
		kind = "moengage_payload_too_large";
		*lead = "MoEngage refused the payload as too large";
	} else if (status >= 500 && status <= 599) {
		kind = "moengage_server_error";
		*lead = "MoEngage had a server error";
	}
	err->code = code;
	ml_strlcpy(err->kind, kind, sizeof(err->kind));
}

/* err->msg, truncated by design (MoEngage's text is kept whole in
 * moe_message). */
static void envelope_msg(struct ml_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
envelope_msg(struct ml_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/*
 * Inform answers a transaction_id it saw in the last 5 minutes with 409
 * {"err_code":"DUPLICATE_REQUEST_RECEIVED","status_code":120105}: the
 * alert was sent by the first request, so for the caller this is success.
 */
static int
envelope_inform_duplicate(enum ml_envelope env, int status, json_object *o)
{
	const char *code;

	if (env != ML_ENV_INFORM || status != 409 || o == NULL ||
	    !json_object_is_type(o, json_type_object))
		return 0;
	code = ml_json_str(o, "err_code");
	if (code != NULL && strcmp(code, "DUPLICATE_REQUEST_RECEIVED") == 0)
		return 1;
	return ml_json_int(o, "status_code", 0) == 120105;
}

int
ml_envelope_already_sent(enum ml_envelope env, int status, const char *body,
    size_t len)
{
	struct ml_err perr;
	json_object *o = NULL;
	int dup;

	if (env != ML_ENV_INFORM || status != 409 || body == NULL || len == 0)
		return 0;
	ml_json_parse(body, len, 0, 0, &o, &perr);
	dup = envelope_inform_duplicate(env, status, o);
	json_object_put(o);
	return dup;
}

int
ml_envelope_parse(enum ml_envelope env, int status, const char *body,
    size_t len, struct ml_err *err)
{
	struct ml_err local, perr;
	json_object *o = NULL;
	const char *lead, *what;
	char snippet[ENV_SNIPPET + 1];
	int rc;

	if (err == NULL)
		err = &local;
	if (status >= 200 && status <= 299 &&
	    (body == NULL || !envelope_may_say_failed(body, len)))
		return ML_OK;
	if (body != NULL && len > 0)
		ml_json_parse(body, len, 0, 0, &o, &perr);
	if ((status >= 200 && status <= 299 &&
	    !(o != NULL && json_object_is_type(o, json_type_object) &&
	    envelope_ok_but_failed(o))) ||
	    envelope_inform_duplicate(env, status, o)) {
		json_object_put(o);
		return ML_OK;
	}
	ml_err_clear(err);
	err->http_status = status;
	envelope_extract(env, o, err);
	envelope_classify(status, err, &lead);
	what = err->moe_message[0] != '\0' ? err->moe_message : NULL;
	if (what == NULL && o == NULL && body != NULL && len > 0) {
		envelope_copy(snippet, sizeof(snippet), body, len);
		ml_strlcpy(err->moe_message, snippet, sizeof(err->moe_message));
		envelope_msg(err, "%s (HTTP %d); the answer "
		    "is not JSON: %s", lead, status, snippet);
	} else if (what == NULL && err->moe_type[0] != '\0') {
		envelope_msg(err, "%s (HTTP %d): %s", lead,
		    status, err->moe_type);
	} else if (what == NULL) {
		envelope_msg(err, "%s (HTTP %d) %s", lead,
		    status, body == NULL || len == 0 ? "with an empty body" :
		    "without an error message");
	} else if (err->moe_type[0] != '\0') {
		envelope_msg(err, "%s (HTTP %d, %s): %s",
		    lead, status, err->moe_type, what);
	} else {
		envelope_msg(err, "%s (HTTP %d): %s", lead,
		    status, what);
	}
	envelope_utf8_trim(err->msg);
	rc = err->code;
	json_object_put(o);
	return rc;
}
