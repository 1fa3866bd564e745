/* SPDX-License-Identifier: MIT */
/*
 * api_proxy.c: POST /proxy {method, path, query, headers, body, host_kind}
 * for the account in x-account-id. moelink adds the credentials of the
 * family the path belongs to (Basic with its key, Push's or the report
 * download's signature, MOE-APPKEY, MOE-DBNAME where the row wants it) and
 * sends the call to the account's own data-center host of that kind; the
 * answer is relayed as MoEngage gave it (status, type, body).
 *
 * Nothing the caller sends can name a host: the host comes from host_kind
 * (one of moelink's kinds) and the account's data center, and the path must
 * be an absolute path of plain segments. Refused (400, nothing sent): an
 * absolute or scheme-relative URL, "." or ".." segments, empty segments,
 * percent-encoded '.', '/', '\', '%' or control bytes, backslashes, '?',
 * '#', braces, CR/LF in any header, and a path of no known family (no key
 * to choose). Hop-by-hop and credential headers the caller sends are
 * dropped (moelink sets its own); other headers outside the short list
 * MoEngage documents are refused.
 */
#include "server/api_actions.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <moelink/dc.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/api_ratelimit.h"
#include "server/server.h"

#define PROXY_PATH_MAX 2000

/* Dropped: hop-by-hop (RFC 9110 7.6.1) and what moelink sets itself. */
static const char *const proxy_dropped[] = {
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
	"Host", "Content-Length", "Content-Type", "Accept", "Authorization",
	"MOE-APPKEY", "X-MOE-APPKEY", "X-MOE-PushAPI-Signature",
	"X-MOE-Query-Type", "Signature", "MOE-DBNAME", "Cookie", "Expect",
	NULL,
};

/* Passed on (request.c's list plus the Recommendations header). */
static const char *const proxy_passed[] = {
	"X-Forwarded-For", "MOE-PROJECT-CODE", "X-MOE-Request-Id",
	"RECOMMENDATION-TYPE", NULL,
};

static const char *const proxy_methods[] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", NULL,
};

static int
proxy_in(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcasecmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
proxy_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A plain absolute path, or a sentence saying what is wrong with it. */
static const char *
proxy_path_problem(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i, seg, len = strlen(p);
	int hi, lo, v;

	if (len == 0 || p[0] != '/')
		return "must be an absolute path starting with '/' (no URL)";
	if (len > PROXY_PATH_MAX)
		return "is too long";
	for (i = 0; i < len; i++) {
		if (s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '\0') &&
		    i + 1 < len)
			return "must not contain empty segments ('//')";
		if (s[i] == '%') {
			hi = proxy_hex(s[i + 1]);
			lo = hi < 0 ? -1 : proxy_hex(s[i + 2]);
			if (hi < 0 || lo < 0)
				return "has a malformed percent-encoding";
			v = hi * 16 + lo;
			if (v == '.' || v == '/' || v == '\\' || v == '%' ||
			    v < 0x20 || v == 0x7f)
				return "must not percent-encode '.', '/', "
				    "'\\', '%' or control characters";
			continue;
		}
		if (!(isalnum(s[i]) || strchr("-._~!$&'()*+,;=:@/", s[i]) !=
		    NULL))
			return "may only hold URL path characters (no '?', "
			    "'#', '\\', braces, spaces or control characters)";
	}
	/* "." and ".." segments. */
	for (i = 1; i <= len; i = seg + 1) {
		seg = i + strcspn(p + i, "/");
		if ((seg - i == 1 && p[i] == '.') ||
		    (seg - i == 2 && p[i] == '.' && p[i + 1] == '.'))
			return "must not contain '.' or '..' segments";
		if (seg >= len)
			break;
	}
	return NULL;
}

static int
proxy_fail(struct ml_err *err, const char *field, const char *kind,
    const char *msg)
{
	ml_err_field(err, field);
	return ml_err_set(err, ML_EINVAL, kind, "%s", msg);
}

/* The caller's headers: refuse CR/LF and unknown ones, drop the rest. */
static int
proxy_headers(json_object *in, json_object **out, struct ml_err *err)
{
	const char *v;
	json_object *o;

	*out = NULL;
	if (in == NULL)
		return ML_OK;
	if (!json_object_is_type(in, json_type_object))
		return proxy_fail(err, "headers", "invalid_field",
		    "headers must be a JSON object of strings");
	o = json_object_new_object();
	if (o == NULL)
		return ML_ENOMEM;
	json_object_object_foreach(in, k, val) {
		v = json_object_is_type(val, json_type_string) ?
		    json_object_get_string(val) : NULL;
		if (v == NULL || strpbrk(k, "\r\n:") != NULL ||
		    strpbrk(v, "\r\n") != NULL || k[0] == '\0') {
			json_object_put(o);
			return proxy_fail(err, "headers", "invalid_header",
			    "header names and values must be strings without "
			    "line breaks");
		}
		if (proxy_in(k, proxy_dropped))
			continue;
		if (!proxy_in(k, proxy_passed)) {
			json_object_put(o);
			ml_err_field(err, "headers");
			return ml_err_set(err, ML_EINVAL, "invalid_header",
			    "header %.40s is not passed to MoEngage; allowed: "
			    "X-Forwarded-For, MOE-PROJECT-CODE, "
			    "X-MOE-Request-Id, RECOMMENDATION-TYPE", k);
		}
		if (json_object_object_add(o, k, json_object_get(val)) != 0) {
			json_object_put(val);
			json_object_put(o);
			return ML_ENOMEM;
		}
	}
	*out = o;
	return ML_OK;
}

/* The one-off row: the family's key and scheme for a concrete path. */
static int
proxy_row(struct ml_http_req *r, struct ml_api_call *c, const char *method,
    enum ml_host_kind kind, const char *path)
{
	const struct ml_action *m;
	const char *file;
	int fam;

	fam = ml_catalog_family_of(kind, path);
	if (fam < 0)
		return proxy_fail(&r->err, "path", "unknown_path", "this path belongs "
		    "to no MoEngage API family moelink knows, so no key can be "
		    "chosen for it");
	m = ml_catalog_match(method, kind, path);
	ml_strlcpy(c->tmp_path, path, sizeof(c->tmp_path));
	memset(&c->tmp, 0, sizeof(c->tmp));
	c->tmp.name = "moengage_proxy";
	c->tmp.family = (enum ml_family)fam;
	c->tmp.host = kind;
	c->tmp.path = c->tmp_path;
	c->tmp.ws_place = ML_WS_NONE;
	c->tmp.summary = "raw proxy call";
	c->tmp.input_schema = "{}";
	if (m != NULL) {
		c->tmp.method = m->method;
		c->tmp.auth = m->auth;
		c->tmp.headers = m->headers;
		c->tmp.envelope = m->envelope;
		c->tmp.max_body = m->max_body;
		c->tmp.flags = m->flags & ML_ACT_IDEMPOTENT;
	} else {
		c->tmp.method = method;
		c->tmp.auth = fam == ML_FAM_PUSH ? ML_AUTH_PUSH_SIGNATURE :
		    ML_AUTH_BASIC;
		c->tmp.headers = ML_HDR_APPKEY;
		if (fam == ML_FAM_PUSH && strncmp(path, "/v2.1/", 6) == 0)
			c->tmp.headers |= ML_HDR_PUSH_V21;
		c->tmp.envelope = fam == ML_FAM_PUSH ? ML_ENV_PUSH : ML_ENV_DATA;
	}
	if (c->tmp.auth == ML_AUTH_REPORT_SIGNATURE) {
		file = strrchr(path, '/') + 1;
		c->path_params = json_object_new_object();
		if (c->path_params == NULL || ml_json_add_str(c->path_params,
		    "filename", file) != ML_OK)
			return ML_ENOMEM;
		c->in.path = c->path_params;
	}
	c->a = &c->tmp;
	return ML_OK;
}

int
ml_api_proxy_check(json_object *input, struct ml_proxy_input *p,
    struct ml_err *err)
{
	const char *kind_name, *problem;
	json_object *v = NULL;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->kind = ML_HOST_API;
	p->method = ml_json_str(input, "method");
	if (p->method == NULL || !proxy_in(p->method, proxy_methods))
		return proxy_fail(err, "method", "invalid_field", "method must "
		    "be GET, POST, PUT, PATCH or DELETE");
	for (i = 0; proxy_methods[i] != NULL; i++)
		if (strcasecmp(p->method, proxy_methods[i]) == 0)
			p->method = proxy_methods[i];
	kind_name = ml_json_str(input, "host_kind");
	if (kind_name != NULL && ml_host_kind_parse(kind_name, &p->kind) !=
	    ML_OK)
		return proxy_fail(err, "host_kind", "invalid_field", "host_kind "
		    "must be api, pushapi, sdk, sandbox-api or "
		    "fileimports-data-api");
	p->path = ml_json_str(input, "path");
	if (p->path == NULL)
		return proxy_fail(err, "path", "missing_field",
		    "path is required");
	problem = proxy_path_problem(p->path);
	if (problem != NULL) {
		ml_err_field(err, "path");
		return ml_err_set(err, ML_EINVAL, "invalid_path", "path %s",
		    problem);
	}
	json_object_object_get_ex(input, "query", &v);
	if (v != NULL && !json_object_is_type(v, json_type_object))
		return proxy_fail(err, "query", "invalid_field",
		    "query must be a JSON object");
	p->query = v;
	v = NULL;
	json_object_object_get_ex(input, "headers", &v);
	return proxy_headers(v, &p->headers, err);
}

static int
proxy_parse(struct ml_http_req *r, struct ml_api_call *c)
{
	static const char *const members[] = { "method", "path", "query",
	    "headers", "body", "host_kind", NULL };
	struct ml_proxy_input p;
	int rc;

	rc = ml_api_call_input(r, c, members);
	if (rc == ML_OK)
		rc = ml_api_proxy_check(c->input, &p, &r->err);
	if (rc)
		return rc;
	c->in.query = p.query;
	if (p.headers != NULL) {
		/* Kept with the input so it lives as long as the call. */
		if (json_object_object_add(c->input, "headers", p.headers) !=
		    0) {
			json_object_put(p.headers);
			return ML_ENOMEM;
		}
		c->in.headers = p.headers;
	}
	return proxy_row(r, c, p.method, p.kind, p.path);
}

int
ml_api_proxy(struct ml_http_req *r)
{
	struct ml_api_call *c = r->state;
	const struct ml_response *resp;
	json_object *none = NULL;
	long after;
	int rc;

	if (c == NULL) {
		c = ml_api_call_new(r);
		if (c == NULL)
			return ML_ENOMEM;
		rc = proxy_parse(r, c);
		if (rc == ML_OK)
			rc = ml_api_call_account(r, c);
		if (rc)
			return rc;
	}
	rc = ml_api_call_step(r, c, 0, &none);
	if (rc == 1)
		return ML_OK;
	if (rc)
		return rc;
	resp = &c->call.resp;
	if (resp->status <= 0)
		return ml_http_reply_err(r, ml_api_call_status(&c->call),
		    &c->call.err);
	ml_http_log(r, ML_LOG_INFO, "msg=\"proxied\" account=%s family=%s "
	    "host=%s status=%d", c->sa.id, ml_family_name(c->tmp.family),
	    ml_host_kind_name(c->tmp.host), resp->status);
	/* MoEngage's 429 as it came, with when to come back. */
	if (resp->status == 429) {
		rc = ml_api_ratelimit_header(r, resp, &after);
		if (rc)
			return rc;
	}
	return ml_http_reply(r, (unsigned)resp->status,
	    resp->content_type[0] != '\0' ? resp->content_type :
	    "application/json", resp->body != NULL ? resp->body : "",
	    resp->body_len);
}
