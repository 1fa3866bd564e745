/* SPDX-License-Identifier: MIT */
/*
 * request.c: one action call -> one concrete HTTP request (request.h).
 *
 * Order matters: the key is picked and the input validated and size-checked
 * before anything else, so an invalid call costs nothing and never reaches
 * the network. Every header value and the body may carry credentials or
 * personal data; they are wiped when the request is cleaned up, and the
 * "workspace:key" string behind Basic auth is wiped as soon as it is encoded.
 *
 * Stateless and thread-safe (libsodium must be initialised, which
 * ml_client_new does; sodium_bin2base64/bin2hex need no initialisation).
 */
#include <moelink/request.h>

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/buf.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "moengage/idempotency.h"

#define REQUEST_URL_MAX 8192
#define REQUEST_HEADER_MAX 8192

/* Extra headers a caller may pass in ml_call_input.headers, by row flag. */
#define HDR_FORWARDED_FOR "X-Forwarded-For"
#define HDR_RECO_TYPE "RECOMMENDATION-TYPE"

/* Optional headers any action passes through (Portfolio, v5 tracing). */
static const char *const request_passthrough[] = {
	HDR_FORWARDED_FOR, "MOE-PROJECT-CODE", "X-MOE-Request-Id", NULL,
};

/* recommendations.yaml: the RECOMMENDATION-TYPE enum. */
static const char *const request_reco_types[] = {
	"user_action", "item_attribute", "catalog_alert", "similar_item",
	"frequently_viewed_together", "frequently_bought_together",
	"trending_item", "user_personalization", NULL,
};

#define REQUEST_SHA256_HEX (crypto_hash_sha256_BYTES * 2 + 1)

void
ml_request_init(struct ml_request *req)
{
	memset(req, 0, sizeof(*req));
}

void
ml_request_cleanup(struct ml_request *req)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		ml_free_secret(req->headers[i]);
	ml_free_zero(req->body, req->body_len);
	ml_free_secret(req->url);
	ml_request_init(req);
}

void
ml_response_init(struct ml_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->ratelimit_limit = -1;
	resp->ratelimit_remaining = -1;
}

void
ml_response_cleanup(struct ml_response *resp)
{
	/* Answers such as Get User's carry personal data: wipe them too. */
	ml_free_zero(resp->body, resp->body_len);
	ml_response_init(resp);
}

static int
request_token_ok(const char *name)
{
	const unsigned char *p;

	if (name == NULL || name[0] == '\0')
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return 0;
	return 1;
}

int
ml_request_add_header(struct ml_request *req, const char *name,
    const char *value, struct ml_err *err)
{
	size_t nlen, vlen;
	char *line;

	if (!request_token_ok(name))
		return ml_err_set(err, ML_EINVAL, "invalid_header",
		    "header name '%.40s' is not a valid HTTP token",
		    name != NULL ? name : "");
	if (value == NULL || strpbrk(value, "\r\n") != NULL) {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "invalid_header",
		    "the value of header %s contains a line break", name);
	}
	if (req->nheaders >= ML_MAX_HEADERS)
		return ml_err_set(err, ML_ETOOBIG, "invalid_header",
		    "too many headers (at most %d)", ML_MAX_HEADERS);
	nlen = strlen(name);
	vlen = strlen(value);
	if (nlen + 2 + vlen > REQUEST_HEADER_MAX)
		return ml_err_set(err, ML_ETOOBIG, "invalid_header",
		    "header %s is too long", name);
	/* "Name: value" in one allocation: built per request, so no printf. */
	line = ml_malloc(nlen + 2 + vlen + 1);
	if (line == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	memcpy(line, name, nlen);
	memcpy(line + nlen, ": ", 2);
	memcpy(line + nlen + 2, value, vlen + 1);
	req->headers[req->nheaders++] = line;
	return ML_OK;
}

/*
 * json-c keeps a string member's bytes and the last serialization inside
 * the object; an object we built around a key is wiped before it is freed.
 */
static void
request_wipe_json(json_object *o, const char *text, size_t text_len)
{
	if (o == NULL)
		return;
	if (text != NULL)
		sodium_memzero((void *)(uintptr_t)text, text_len);
	json_object_object_foreach(o, k, v) {
		(void)k;
		if (json_object_is_type(v, json_type_string))
			sodium_memzero((void *)(uintptr_t)
			    json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
	}
}

/* Text of a path or query value: strings as they are, numbers as JSON. */
static const char *
request_scalar(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return json_object_get_string(v);
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return ml_json_text(v);
	default:
		return NULL;
	}
}

static int
request_vfail(struct ml_err *err, const char *field, int code,
    const char *kind, const char *msg)
{
	ml_err_field(err, field);
	return ml_err_set(err, code, kind, "%s: %s", field, msg);
}

static int
request_path(struct ml_buf *url, const struct ml_action *a,
    const struct ml_account *acct, json_object *params, struct ml_err *err)
{
	char name[64], field[80];
	const char *t = a->path, *close, *val;
	json_object *v;
	size_t len;
	int rc = ML_OK;

	while (*t != '\0' && rc == ML_OK) {
		if (*t != '{') {
			len = strcspn(t, "{");
			rc = ml_buf_append(url, t, len);
			t += len;
			continue;
		}
		close = strchr(t, '}');
		if (close == NULL || (size_t)(close - t - 1) >= sizeof(name))
			return ml_err_set(err, ML_EINTERNAL, NULL,
			    "bad path template in action %s", a->name);
		memcpy(name, t + 1, (size_t)(close - t - 1));
		name[close - t - 1] = '\0';
		t = close + 1;
		if (strcmp(name, "workspace_id") == 0) {
			rc = ml_buf_append_urlenc(url, acct->workspace_id);
			continue;
		}
		snprintf(field, sizeof(field), "path.%s", name);
		v = NULL;
		if (params != NULL)
			json_object_object_get_ex(params, name, &v);
		val = v != NULL ? request_scalar(v) : NULL;
		if (val == NULL || val[0] == '\0')
			return request_vfail(err, field, ML_EINVAL,
			    "validation_failed", "this path parameter is "
			    "required (a string or number)");
		rc = ml_buf_append_urlenc(url, val);
	}
	return rc;
}

static int
request_query(struct ml_buf *url, const struct ml_action *a,
    const struct ml_account *acct, json_object *query, struct ml_err *err)
{
	char field[80];
	const char *val;
	int rc = ML_OK, first = 1;

	if (a->ws_place == ML_WS_QUERY_APP_ID) {
		rc = ml_buf_append_str(url, "?app_id=");
		if (rc == ML_OK)
			rc = ml_buf_append_urlenc(url, acct->workspace_id);
		first = 0;
	}
	if (rc || query == NULL)
		return rc;
	if (!json_object_is_type(query, json_type_object))
		return request_vfail(err, "query", ML_EINVAL,
		    "validation_failed", "must be a JSON object of parameters");
	json_object_object_foreach(query, k, v) {
		snprintf(field, sizeof(field), "query.%s", k);
		if (v == NULL)
			continue;
		val = request_scalar(v);
		if (val == NULL)
			return request_vfail(err, field, ML_EINVAL,
			    "validation_failed",
			    "query values must be strings or numbers");
		if (a->ws_place == ML_WS_QUERY_APP_ID &&
		    strcmp(k, "app_id") == 0) {
			/* We set app_id from the account; a different one
			 * would be MoEngage's 409 "App key mismatch". */
			if (strcmp(val, acct->workspace_id) != 0)
				return request_vfail(err, field, ML_EINVAL,
				    "validation_failed", "differs from the "
				    "account's workspace id");
			continue;
		}
		rc = ml_buf_append(url, first ? "?" : "&", 1);
		if (rc == ML_OK)
			rc = ml_buf_append_urlenc(url, k);
		if (rc == ML_OK)
			rc = ml_buf_append(url, "=", 1);
		if (rc == ML_OK)
			rc = ml_buf_append_urlenc(url, val);
		if (rc)
			return rc;
		first = 0;
	}
	return ML_OK;
}

static int
request_basic(struct ml_request *req, const char *ws, const char *key,
    struct ml_err *err)
{
	static const char basic[] = "Basic ";
	size_t wlen = strlen(ws), klen = strlen(key), clen, b64len;
	char *cred = NULL, *hdr = NULL;
	int rc = ML_OK;

	if (wlen + klen >= 1024)
		return ml_err_set(err, ML_ETOOBIG, "invalid_api_key",
		    "the API key is too long");
	/* "ws:key", then "Basic " + base64 of it; both wiped at once. */
	clen = wlen + 1 + klen;
	b64len = sodium_base64_ENCODED_LEN(clen,
	    sodium_base64_VARIANT_ORIGINAL);
	cred = ml_malloc(clen + 1);
	hdr = ml_malloc(sizeof(basic) - 1 + b64len);
	if (cred == NULL || hdr == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	memcpy(cred, ws, wlen);
	cred[wlen] = ':';
	memcpy(cred + wlen + 1, key, klen + 1);
	memcpy(hdr, basic, sizeof(basic) - 1);
	sodium_bin2base64(hdr + sizeof(basic) - 1, b64len,
	    (const unsigned char *)cred, clen, sodium_base64_VARIANT_ORIGINAL);
	rc = ml_request_add_header(req, "Authorization", hdr, err);
out:
	if (cred != NULL)
		ml_free_zero(cred, clen + 1);
	if (hdr != NULL)
		ml_free_zero(hdr, sizeof(basic) - 1 + b64len);
	return rc;
}

/* MoEngage's signatures: hex = sha256_hex(a|b|key). */
static void
request_sha256_hex(const char *a, const char *b, const char *key,
    char hex[REQUEST_SHA256_HEX])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)a, strlen(a));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)b, strlen(b));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)key, strlen(key));
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, REQUEST_SHA256_HEX, digest, sizeof(digest));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(digest, sizeof(digest));
}

/*
 * Push's scheme: signature = sha256_hex(appId|campaignName|push key) in the
 * body (and, for v2.1, in X-MOE-PushAPI-Signature, with X-MOE-Query-Type
 * the lowercased targetAudience or "bulk users" for bulkUserRequest). body
 * is our own copy.
 */
static int
request_push_signature(struct ml_request *req, const struct ml_action *a,
    const char *ws, const char *key, json_object *body, struct ml_err *err)
{
	char hex[REQUEST_SHA256_HEX], qtype[64];
	const char *campaign, *aud;
	size_t i;
	int rc;

	campaign = ml_json_str(body, "campaignName");
	if (campaign == NULL || campaign[0] == '\0')
		return request_vfail(err, "campaignName", ML_EINVAL,
		    "validation_failed", "is required to sign a Push request");
	request_sha256_hex(ws, campaign, key, hex);
	rc = ml_json_add_str(body, "appId", ws);
	if (rc == ML_OK)
		rc = ml_json_add_str(body, "signature", hex);
	if (rc)
		return ml_err_set(err, rc, NULL, "out of memory");
	if (!(a->headers & ML_HDR_PUSH_V21))
		return ML_OK;
	aud = ml_json_str(body, "targetAudience");
	if (ml_json_bool(body, "bulkUserRequest", 0))
		aud = "bulk users";
	ml_strlcpy(qtype, aud != NULL ? aud : "", sizeof(qtype));
	for (i = 0; qtype[i] != '\0'; i++)
		if (qtype[i] >= 'A' && qtype[i] <= 'Z')
			qtype[i] = (char)(qtype[i] - 'A' + 'a');
	rc = ml_request_add_header(req, "X-MOE-APPKEY", ws, err);
	if (rc == ML_OK)
		rc = ml_request_add_header(req, "X-MOE-PushAPI-Signature", hex,
		    err);
	if (rc == ML_OK && qtype[0] != '\0')
		rc = ml_request_add_header(req, "X-MOE-Query-Type", qtype, err);
	return rc;
}

/*
 * Campaign report download: Signature = sha256_hex(APP_ID|FILENAME|key)
 * (stats-report.yaml), FILENAME being the path parameter as given.
 */
static int
request_report_signature(struct ml_request *req, const char *ws,
    const char *key, json_object *path, struct ml_err *err)
{
	char hex[REQUEST_SHA256_HEX];
	json_object *v = NULL;
	const char *file;

	if (path != NULL)
		json_object_object_get_ex(path, "filename", &v);
	file = v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	if (file == NULL || file[0] == '\0')
		return request_vfail(err, "path.filename", ML_EINVAL,
		    "validation_failed", "is required to sign the download");
	request_sha256_hex(ws, file, key, hex);
	return ml_request_add_header(req, "Signature", hex, err);
}

/* The canonical spelling of a passthrough header, or NULL. */
static const char *
request_passthrough_name(const char *name)
{
	size_t i;

	for (i = 0; request_passthrough[i] != NULL; i++)
		if (strcasecmp(name, request_passthrough[i]) == 0)
			return request_passthrough[i];
	return NULL;
}

static int
request_reco_type_ok(const char *v)
{
	size_t i;

	for (i = 0; request_reco_types[i] != NULL; i++)
		if (strcmp(v, request_reco_types[i]) == 0)
			return 1;
	return 0;
}

static int
request_extra_headers(struct ml_request *req, const struct ml_action *a,
    const struct ml_account *acct, json_object *hdrs, struct ml_err *err)
{
	const char *reco = NULL, *pass;
	char field[80];
	int rc;

	if (a->headers & ML_HDR_DBNAME) {
		if (acct->db_name[0] == '\0')
			return request_vfail(err, "db_name", ML_EINVAL,
			    "validation_failed", "this action needs the "
			    "workspace's database name (MOE-DBNAME); set it on "
			    "the account");
		rc = ml_request_add_header(req, "MOE-DBNAME", acct->db_name,
		    err);
		if (rc)
			return rc;
	}
	if (hdrs != NULL && !json_object_is_type(hdrs, json_type_object))
		return request_vfail(err, "headers", ML_EINVAL,
		    "validation_failed", "must be a JSON object");
	if (hdrs != NULL) {
		json_object_object_foreach(hdrs, k, v) {
			snprintf(field, sizeof(field), "headers.%s", k);
			if (!json_object_is_type(v, json_type_string))
				return request_vfail(err, field, ML_EINVAL,
				    "validation_failed", "must be a string");
			if (strcasecmp(k, HDR_RECO_TYPE) == 0 &&
			    (a->headers & ML_HDR_RECO_TYPE)) {
				reco = json_object_get_string(v);
				continue;
			}
			if (strcasecmp(k, ML_IDEMPOTENCY_HEADER) == 0 &&
			    (a->headers & ML_HDR_IDEMPOTENCY_KEY))
				continue;	/* ml_idempotency_add */
			pass = request_passthrough_name(k);
			if (pass == NULL)
				return request_vfail(err, field, ML_EINVAL,
				    "validation_failed", "this action takes no "
				    "such header");
			rc = ml_request_add_header(req, pass,
			    json_object_get_string(v), err);
			if (rc)
				return rc;
		}
	}
	if (a->headers & ML_HDR_RECO_TYPE) {
		if (reco == NULL || reco[0] == '\0')
			return request_vfail(err, "headers." HDR_RECO_TYPE,
			    ML_EINVAL, "validation_failed", "is required");
		if (!request_reco_type_ok(reco))
			return request_vfail(err, "headers." HDR_RECO_TYPE,
			    ML_EINVAL, "validation_failed", "must be one of "
			    "user_action, item_attribute, catalog_alert, "
			    "similar_item, frequently_viewed_together, "
			    "frequently_bought_together, trending_item, "
			    "user_personalization");
		return ml_request_add_header(req, HDR_RECO_TYPE, reco, err);
	}
	return ML_OK;
}

/* Validate, size-check and copy the body; *owned is a body we built. */
static int
request_body(struct ml_request *req, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    const char *key, json_object **owned, struct ml_err *err)
{
	json_object *body = in->body;
	const char *text;
	size_t len, max;
	int rc;

	if (body == NULL && a->default_body != NULL) {
		rc = a->default_body(acct, key, owned, err);
		if (rc)
			return rc;
		body = *owned;
	}
	if (body == NULL && (a->flags & ML_ACT_BODY_REQUIRED))
		return request_vfail(err, "body", ML_EINVAL,
		    "validation_failed", "this action needs a JSON body");
	if (a->validate != NULL) {
		rc = a->validate(body, in->query, err);
		if (rc)
			return rc;
	}
	if (body == NULL)
		return ML_OK;
	if (a->auth == ML_AUTH_PUSH_SIGNATURE) {
		if (*owned == NULL &&
		    json_object_deep_copy(body, owned, NULL) != 0)
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		body = *owned;
		rc = request_push_signature(req, a, acct->workspace_id, key,
		    body, err);
		if (rc)
			return rc;
	}
	text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (text == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	max = a->max_body != 0 ? a->max_body : ML_DEFAULT_MAX_BODY;
	if (len > max) {
		ml_err_field(err, "body");
		return ml_err_set(err, ML_ETOOBIG, "payload_too_large",
		    "the body is %zu bytes; MoEngage accepts at most %zu bytes "
		    "(%zu KB) for %s; split it into smaller requests", len, max,
		    max / 1024, a->name);
	}
	req->body = ml_malloc(len + 1);
	if (req->body == NULL)
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	else {
		memcpy(req->body, text, len + 1);
		req->body_len = len;
		rc = ML_OK;
	}
	if (*owned != NULL)
		request_wipe_json(*owned, text, len);
	return rc;
}

int
ml_request_build(struct ml_request *req, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    struct ml_err *err)
{
	static const struct ml_call_input none;
	char base[ML_BASE_URL_MAX];
	json_object *owned = NULL;
	const char *key = NULL;
	struct ml_buf url;
	int rc;

	ml_request_init(req);
	ml_buf_init(&url, REQUEST_URL_MAX);
	if (in == NULL)
		in = &none;
	if (a == NULL || acct == NULL || a->method == NULL ||
	    strlen(a->method) >= sizeof(req->method)) {
		rc = ml_err_set(err, ML_EINVAL, NULL,
		    "no action or account given");
		goto out;
	}
	if (acct->workspace_id[0] == '\0') {
		ml_err_field(err, "workspace_id");
		rc = ml_err_set(err, ML_EINVAL, "invalid_workspace_id",
		    "the account has no workspace id");
		goto out;
	}
	rc = ml_dc_host(a->host, acct->data_center, req->host,
	    sizeof(req->host), base, sizeof(base), err);
	if (rc)
		goto out;
	if (a->auth != ML_AUTH_NONE) {
		rc = ml_keyset_pick(&acct->keys, a->family, &key, NULL, err);
		if (rc)
			goto out;
	}
	rc = request_body(req, a, acct, in, key, &owned, err);
	if (rc)
		goto out;
	rc = ml_buf_append_str(&url, base);
	if (rc == ML_OK)
		rc = request_path(&url, a, acct, in->path, err);
	if (rc == ML_OK)
		rc = request_query(&url, a, acct, in->query, err);
	if (rc == ML_ETOOBIG)
		rc = ml_err_set(err, rc, "payload_too_large",
		    "the URL would be longer than %d bytes", REQUEST_URL_MAX);
	if (rc)
		goto out;
	if (a->auth == ML_AUTH_BASIC) {
		rc = request_basic(req, acct->workspace_id, key, err);
		if (rc)
			goto out;
	} else if (a->auth == ML_AUTH_REPORT_SIGNATURE) {
		rc = request_report_signature(req, acct->workspace_id, key,
		    in->path, err);
		if (rc)
			goto out;
	}
	rc = ml_request_add_header(req, "MOE-APPKEY", acct->workspace_id, err);
	if (rc == ML_OK && (a->headers & ML_HDR_X_APPKEY))	/* with Basic */
		rc = ml_request_add_header(req, "X-MOE-APPKEY",
		    acct->workspace_id, err);
	if (rc == ML_OK && req->body != NULL)
		rc = ml_request_add_header(req, "Content-Type",
		    "application/json", err);
	if (rc == ML_OK)
		rc = ml_request_add_header(req, "Accept", "application/json",
		    err);
	if (rc == ML_OK)
		rc = request_extra_headers(req, a, acct, in->headers, err);
	if (rc == ML_OK)
		rc = ml_idempotency_add(req, a, in->headers, err);
	if (rc)
		goto out;
	req->url = ml_buf_detach(&url);
	if (req->url == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	ml_strlcpy(req->method, a->method, sizeof(req->method));
	req->action = a;
	req->family = a->family;
	req->envelope = a->envelope;
	req->idempotent = (a->flags & ML_ACT_IDEMPOTENT) ||
	    strcmp(a->method, "GET") == 0;
out:
	json_object_put(owned);
	ml_buf_cleanup_zero(&url);
	if (rc == ML_ENOMEM)
		ml_err_set(err, rc, NULL, "out of memory");
	if (rc)
		ml_request_cleanup(req);
	return rc;
}
