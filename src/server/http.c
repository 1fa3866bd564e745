/* SPDX-License-Identifier: MIT */
/*
 * http.c: the libmicrohttpd glue of `moelink serve` (see http.h).
 *
 * Contract: every request gets a struct ml_http_req on MHD's first handler
 * call and nothing is answered on that call (MHD 0.9.75 drops keep-alive if
 * we do), except a 413 for a declared Content-Length over the route's cap.
 * Bodies are copied into a buffer capped per route; a body that grows past
 * the cap is drained and discarded, never buffered, and answered with 413.
 * Every answer carries X-Request-Id, nosniff and no-referrer, and every
 * request ends in one access-log line (method, path without the query,
 * status, bytes, duration, request id) from the completion notice, which
 * also frees the request; access lines are buffered (ml_log_buffered: on
 * disk within 0.1 s, in order with every other line). Upstream MoEngage calls run on the client thread
 * while the connection is suspended; the completion callback only copies
 * the result and resumes.
 */
#include "server/http.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/auth.h"
#include "server/server.h"
#include "server/work.h"

int64_t
ml_http_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
ml_http_log(struct ml_http_req *r, int level, const char *fmt, ...)
{
	char line[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ml_log((enum ml_log_level)level, "request_id=%s %s", r->request_id,
	    line);
}

/* Copy s for a log line: bytes outside printable ASCII, '"' and '\' as %XX. */
static void
http_log_safe(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0' && o + 4 < cap; s++) {
		c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
		    c == '%') {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

static void
http_req_free(struct ml_http_req *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->state != NULL && r->state_free != NULL)
		r->state_free(r->state);
	for (i = 0; i < r->nhdr; i++) {
		ml_free(r->hdr_name[i]);
		ml_free(r->hdr_value[i]);
	}
	ml_buf_cleanup_zero(&r->body);
	ml_free(r);
}

static void
http_inflight_add(struct ml_server *srv, long d)
{
	pthread_mutex_lock(&srv->inflight_mu);
	srv->inflight += d;
	if (srv->inflight == 0)
		pthread_cond_broadcast(&srv->inflight_cv);
	pthread_mutex_unlock(&srv->inflight_mu);
}

/*
 * Request ids: SipHash-2-4 of a counter under a key drawn once per
 * process. Unique (a permutation of the counter for 2^64 requests),
 * unpredictable without the key, and no getrandom() call per request.
 */
static unsigned char http_id_key[crypto_shorthash_KEYBYTES];
static pthread_once_t http_id_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t http_id_seq;

static void
http_id_init(void)
{
	randombytes_buf(http_id_key, sizeof(http_id_key));
}

static struct ml_http_req *
http_req_new(struct ml_server *srv, struct MHD_Connection *conn,
    const char *url, const char *method)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[crypto_shorthash_BYTES], seq[8];
	struct ml_http_req *r;
	uint64_t n;
	size_t i;
	int rc;

	r = ml_calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->srv = srv;
	r->conn = conn;
	ml_strlcpy(r->method, method, sizeof(r->method));
	r->start_ns = ml_http_now_ns();
	ml_strlcpy(r->path, url, sizeof(r->path));
	pthread_once(&http_id_once, http_id_init);
	n = atomic_fetch_add(&http_id_seq, 1);
	for (i = 0; i < sizeof(seq); i++)
		seq[i] = (unsigned char)(n >> (8 * i));
	crypto_shorthash(rnd, seq, sizeof(seq), http_id_key);
	memcpy(r->request_id, "req_", 4);
	for (i = 0; i < sizeof(rnd); i++) {
		r->request_id[4 + 2 * i] = hex[rnd[i] >> 4];
		r->request_id[5 + 2 * i] = hex[rnd[i] & 15];
	}
	r->request_id[4 + 2 * sizeof(rnd)] = '\0';
	ml_err_clear(&r->err);
	rc = ml_router_match(srv->routes, method, r->path, &r->route,
	    r->params);
	if (strlen(url) >= sizeof(r->path))
		rc = ML_ENOTFOUND;
	r->route_status = rc == ML_OK ? 0 : (rc == ML_EINVAL ? 405 : 404);
	ml_buf_init(&r->body, r->route != NULL && r->route->max_body > 0 ?
	    r->route->max_body : ML_HTTP_DEFAULT_BODY_MAX);
	return r;
}

const char *
ml_http_header(struct ml_http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
ml_http_query(struct ml_http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
ml_http_cookie(struct ml_http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int
ml_http_add_header(struct ml_http_req *r, const char *name,
    const char *value)
{
	if (r->nhdr >= ML_HTTP_MAX_EXTRA_HEADERS ||
	    strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return ml_err_set(&r->err, ML_EINTERNAL, NULL,
		    "cannot add response header %s", name);
	r->hdr_name[r->nhdr] = ml_strdup(name);
	r->hdr_value[r->nhdr] = ml_strdup(value);
	if (r->hdr_name[r->nhdr] == NULL || r->hdr_value[r->nhdr] == NULL) {
		ml_free(r->hdr_name[r->nhdr]);
		ml_free(r->hdr_value[r->nhdr]);
		return ML_ENOMEM;
	}
	r->nhdr++;
	return ML_OK;
}

static int
http_has_extra(struct ml_http_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr_name[i], name) == 0)
			return 1;
	return 0;
}

int
ml_http_reply(struct ml_http_req *r, unsigned status,
    const char *content_type, const void *data, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result mr;
	size_t i;
	int rc = ML_OK;

	if (r->answered)
		return ML_OK;
	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return ML_ENOMEM;
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	if (content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (!http_has_extra(r, "Cache-Control"))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (!http_has_extra(r, "Content-Security-Policy"))
		MHD_add_response_header(resp, "Content-Security-Policy",
		    "default-src 'none'; frame-ancestors 'none'");
	for (i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
	mr = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	if (mr != MHD_YES)
		rc = ML_EIO;
	r->answered = 1;
	r->status = status;
	r->bytes = len;
	return rc;
}

int
ml_http_reply_json(struct ml_http_req *r, unsigned status, json_object *obj)
{
	const char *text = ml_json_text(obj);

	if (text == NULL)
		return ML_ENOMEM;
	return ml_http_reply(r, status, "application/json", text,
	    strlen(text));
}

/* "a,b" in err->field becomes "field":"a","fields":["a","b"]. */
static int
http_err_fields(json_object *e, const char *field)
{
	json_object *arr;
	char one[64];
	const char *p = field;
	size_t n;
	int rc;

	n = strcspn(p, ",");
	if (n >= sizeof(one))
		n = sizeof(one) - 1;
	memcpy(one, p, n);
	one[n] = '\0';
	rc = ml_json_add_str(e, "field", one);
	if (rc)
		return rc;
	arr = json_object_new_array();
	if (arr == NULL || json_object_object_add(e, "fields", arr)) {
		json_object_put(arr);
		return ML_ENOMEM;
	}
	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n > 0 && json_object_array_add(arr,
		    json_object_new_string_len(p, (int)n)))
			return ML_ENOMEM;
		p += n;
		if (*p == ',')
			p++;
	}
	return ML_OK;
}

static int
http_err_moengage(json_object *e, const struct ml_err *err)
{
	json_object *m;
	int rc = ML_OK;

	if (err->http_status == 0 && err->moe_message[0] == '\0' &&
	    err->moe_type[0] == '\0')
		return ML_OK;
	m = json_object_new_object();
	if (m == NULL || json_object_object_add(e, "moengage", m)) {
		json_object_put(m);
		return ML_ENOMEM;
	}
	if (err->http_status != 0)
		rc = ml_json_add_int(m, "status", err->http_status);
	if (rc == ML_OK && err->moe_type[0] != '\0')
		rc = ml_json_add_str(m, "type", err->moe_type);
	if (rc == ML_OK && err->moe_message[0] != '\0')
		rc = ml_json_add_str(m, "message", err->moe_message);
	if (rc == ML_OK && err->moe_request_id[0] != '\0')
		rc = ml_json_add_str(m, "request_id", err->moe_request_id);
	return rc;
}

int
ml_http_err_json(struct ml_http_req *r, const struct ml_err *err,
    json_object **out)
{
	json_object *root, *e;
	int rc;

	*out = NULL;
	root = json_object_new_object();
	e = json_object_new_object();
	if (root == NULL || e == NULL || json_object_object_add(root, "error",
	    e)) {
		json_object_put(root);
		json_object_put(e);
		return ML_ENOMEM;
	}
	rc = ml_json_add_str(e, "code", err->kind[0] != '\0' ? err->kind :
	    ml_err_kind(err->code));
	if (rc == ML_OK)
		rc = ml_json_add_str(e, "message", err->msg[0] != '\0' ?
		    err->msg : ml_strerror(err->code));
	if (rc == ML_OK)
		rc = ml_json_add_str(e, "request_id", r->request_id);
	if (rc == ML_OK && err->field[0] != '\0')
		rc = http_err_fields(e, err->field);
	if (rc == ML_OK)
		rc = http_err_moengage(e, err);
	if (rc) {
		json_object_put(root);
		return rc;
	}
	*out = root;
	return ML_OK;
}

int
ml_http_reply_err(struct ml_http_req *r, unsigned status,
    const struct ml_err *err)
{
	json_object *root;
	int rc;

	rc = ml_http_err_json(r, err, &root);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, status, root);
	json_object_put(root);
	return rc;
}

int
ml_http_reply_error(struct ml_http_req *r, unsigned status, const char *code,
    const char *fmt, ...)
{
	struct ml_err err;
	va_list ap;

	ml_err_clear(&err);
	err.code = ML_EINVAL;
	ml_strlcpy(err.kind, code, sizeof(err.kind));
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return ml_http_reply_err(r, status, &err);
}

unsigned
ml_http_status_of(int code)
{
	switch (code) {
	case ML_EINVAL:
	case ML_EJSON:
	case ML_EDC:
	case ML_ENOKEY:
		return 400;
	case ML_EAUTH:
		return 401;
	case ML_ENOTFOUND:
		return 404;
	case ML_ECONFLICT:
		return 409;
	case ML_EEXPIRED:
		return 410;
	case ML_ETOOBIG:
		return 413;
	case ML_ERATELIMIT:
		return 429;
	case ML_EHTTP:
	case ML_ENET:
		return 502;
	case ML_ETIMEOUT:
		return 504;
	case ML_ENOMEM:
	case ML_ECANCELED:
		return 503;
	default:
		return 500;
	}
}

int
ml_http_body_json(struct ml_http_req *r, json_object **out)
{
	const char *ct = ml_http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_object *obj = NULL;
	int rc;

	*out = NULL;
	if (ct != NULL && strncasecmp(ct, "application/json", 16) != 0) {
		ml_err_set(&r->err, ML_EINVAL, "unsupported_media_type",
		    "send the body as application/json (got %.60s)", ct);
		ml_http_reply_err(r, 415, &r->err);
		return ML_EINVAL;
	}
	rc = ml_json_parse(r->body.data, r->body.len, r->body.max, 0, &obj,
	    &r->err);
	if (rc)
		return rc;
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return ml_err_set(&r->err, ML_EINVAL, "invalid_request",
		    "the body must be a JSON object");
	}
	*out = obj;
	return ML_OK;
}

void
ml_http_call_init(struct ml_http_call *call)
{
	memset(call, 0, sizeof(*call));
	ml_err_clear(&call->err);
	ml_response_init(&call->resp);
}

void
ml_http_call_cleanup(struct ml_http_call *call)
{
	ml_response_cleanup(&call->resp);
	ml_http_call_init(call);
}

/* Client thread: keep the answer, then let MHD run the handler again. */
static void
http_call_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct ml_http_req *r = ud;
	struct ml_http_call *call = r->call;

	if (err != NULL) {
		call->err = *err;
		call->rc = err->code != ML_OK ? err->code : ML_EHTTP;
	} else {
		call->rc = ML_OK;
	}
	if (resp != NULL) {
		ml_response_cleanup(&call->resp);
		call->resp = *resp;
		resp->body = NULL;
		resp->body_len = 0;
	}
	call->pending = 0;
	call->done = 1;
	MHD_resume_connection(r->conn);
}

/* Worker thread: run the job, then let MHD run the handler again. */
static void
http_job_run(void *p)
{
	struct ml_http_job *job = p;

	job->fn(job->arg);
	job->rc = ML_OK;
	job->done = 1;
	MHD_resume_connection(job->r->conn);
}

int
ml_http_job_start(struct ml_http_req *r, struct ml_http_job *job,
    void (*fn)(void *arg), void *arg)
{
	struct ml_server *srv = r->srv;
	int rc;

	job->done = 0;
	job->rc = ML_OK;
	job->fn = fn;
	job->arg = arg;
	job->r = r;
	pthread_rwlock_rdlock(&srv->client_lock);
	if (srv->work == NULL || srv->stopping) {
		pthread_rwlock_unlock(&srv->client_lock);
		return ml_err_set(&r->err, ML_ECANCELED, "shutting_down",
		    "the server is shutting down; try again shortly");
	}
	/* Suspend first: the job may resume before submit returns. */
	MHD_suspend_connection(r->conn);
	r->suspended = 1;
	rc = ml_work_submit(srv->work, http_job_run, job, &r->err);
	pthread_rwlock_unlock(&srv->client_lock);
	if (rc) {
		/* It will never run: finish here, the handler runs again. */
		job->rc = rc;
		job->done = 1;
		MHD_resume_connection(r->conn);
	}
	return ML_OK;
}

int
ml_http_call_start(struct ml_http_req *r, struct ml_http_call *call,
    const struct ml_action *a, const struct ml_account *acct,
    const struct ml_call_input *in, int interactive, struct ml_err *err)
{
	struct ml_server *srv = r->srv;
	struct ml_client *client;
	struct ml_request req;
	int rc;

	ml_request_init(&req);
	ml_http_call_cleanup(call);
	rc = ml_request_build(&req, a, acct, in, err);
	if (rc)
		goto out;
	pthread_rwlock_rdlock(&srv->client_lock);
	client = interactive ? srv->verify_client : srv->client;
	if (client == NULL || srv->stopping) {
		pthread_rwlock_unlock(&srv->client_lock);
		rc = ml_err_set(err, ML_ECANCELED, "shutting_down",
		    "the server is shutting down; try again shortly");
		goto out;
	}
	call->pending = 1;
	r->call = call;
	/* Suspend first: the callback may resume before submit returns. */
	MHD_suspend_connection(r->conn);
	r->suspended = 1;
	rc = ml_client_submit(client, &req, http_call_done, r,
	    &call->err);
	pthread_rwlock_unlock(&srv->client_lock);
	if (rc) {
		/* The callback will never run: finish the call here. */
		call->rc = rc;
		call->pending = 0;
		call->done = 1;
		MHD_resume_connection(r->conn);
		rc = ML_OK;
	}
out:
	ml_request_cleanup(&req);
	return rc;
}

/* Answer for a request that no handler took: 404/405/413/auth. */
static void
http_dispatch(struct ml_http_req *r)
{
	char allow[64];
	int rc;

	r->suspended = 0;
	if (r->body_too_big) {
		ml_http_reply_error(r, 413, "payload_too_large",
		    "the request body is over the %zu byte limit of %s",
		    r->body.max, r->path);
		return;
	}
	if (!r->started) {
		if (r->route_status == 404) {
			ml_http_reply_error(r, 404, "not_found",
			    "no such endpoint");
			return;
		}
		if (r->route_status == 405) {
			ml_router_allowed(r->srv->routes, r->path, allow,
			    sizeof(allow));
			ml_http_add_header(r, "Allow", allow);
			ml_http_reply_error(r, 405, "method_not_allowed",
			    "%s is not allowed here (allowed: %s)",
			    r->method, allow);
			return;
		}
		r->started = 1;
		if (r->route->flags & ML_ROUTE_PROJECT) {
			rc = ml_auth_project(r);
			if (rc) {
				ml_http_reply_err(r, ml_http_status_of(rc),
				    &r->err);
				return;
			}
		}
	}
	rc = r->route->fn(r);
	if (r->answered || r->suspended)
		return;
	if (rc == ML_OK) {
		ml_err_set(&r->err, ML_EINTERNAL, NULL,
		    "the handler gave no answer");
		rc = ML_EINTERNAL;
	}
	if (rc == ML_ESTORE || rc == ML_EINTERNAL || rc == ML_ECRYPTO)
		ml_http_log(r, ML_LOG_ERROR, "msg=\"%s\" code=%s", r->err.msg,
		    ml_err_kind(rc));
	if (r->err.code == ML_OK)
		ml_err_set(&r->err, rc, NULL, "%s", ml_strerror(rc));
	ml_http_reply_err(r, ml_http_status_of(rc), &r->err);
}

/* A Content-Length over the cap is refused before any byte is read. */
static int
http_declared_too_big(struct ml_http_req *r)
{
	const char *cl = ml_http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (cl == NULL)
		return 0;
	n = strtoull(cl, &end, 10);
	return end != cl && n > r->body.max;
}

enum MHD_Result
ml_http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct ml_server *srv = cls;
	struct ml_http_req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		r = http_req_new(srv, conn, url, method);
		if (r == NULL)
			return MHD_NO;
		*con_cls = r;
		http_inflight_add(srv, 1);
		if (http_declared_too_big(r)) {
			r->body_too_big = 1;
			http_dispatch(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->body_too_big && !r->answered &&
		    ml_buf_append(&r->body, upload_data, *upload_data_size)) {
			r->body_too_big = 1;
			ml_buf_cleanup_zero(&r->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	http_dispatch(r);
	return (r->answered || r->suspended) ? MHD_YES : MHD_NO;
}

void
ml_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	static const char *const why[] = {
		"ok", "error", "timeout", "shutdown", "read_error",
		"client_abort"
	};
	struct ml_server *srv = cls;
	struct ml_http_req *r = *con_cls;
	char path[256];
	int64_t us;

	(void)conn;
	if (r == NULL)
		return;
	us = (ml_http_now_ns() - r->start_ns) / 1000;
	http_log_safe(r->path, path, sizeof(path));
	ml_log_buffered(toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ?
	    ML_LOG_INFO : ML_LOG_WARN, "request_id=%s method=%s path=%s "
	    "status=%u bytes=%zu duration_ms=%lld.%03lld%s%s", r->request_id, r->method, path,
	    r->status, r->bytes, (long long)(us / 1000),
	    (long long)(us % 1000),
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " end=",
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
	    ((unsigned)toe < sizeof(why) / sizeof(why[0]) ? why[toe] :
	    "other"));
	http_req_free(r);
	*con_cls = NULL;
	http_inflight_add(srv, -1);
}
