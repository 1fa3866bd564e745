/* SPDX-License-Identifier: MIT */
/*
 * http.h: the server's HTTP layer over libmicrohttpd, shared by every
 * handler file of src/server.
 *
 * One struct ml_http_req lives per request, from MHD's first access-handler
 * call to its completion notice. The first call only sets it up (answering
 * there makes MHD 0.9.75 drop keep-alive); the body is accumulated into a
 * bounded buffer (the route's cap, 1 MiB by default; beyond it 413); the
 * route handler runs once the body is complete and either queues a
 * response or suspends the connection while MoEngage answers
 * (ml_http_call_start). A resumed connection runs the same handler again;
 * the handler keeps its progress in r->state.
 *
 * Handlers never return MHD codes: they return ML_OK once they queued a
 * response or suspended, or a negative ML_E* (the layer then answers with a
 * JSON error from r->err, or 500).
 */
#ifndef ML_SERVER_HTTP_H
#define ML_SERVER_HTTP_H

#include <json-c/json.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/buf.h>
#include <moelink/err.h>
#include <moelink/request.h>

#include "store/store.h"

struct ml_server;
struct ml_http_req;

#define ML_HTTP_DEFAULT_BODY_MAX (1024u * 1024u)
#define ML_HTTP_MAX_PARAMS 2
#define ML_HTTP_PARAM_MAX 128
#define ML_HTTP_MAX_EXTRA_HEADERS 6
#define ML_HTTP_REQUEST_ID_LEN 24

/* Route flags: who may call it. */
#define ML_ROUTE_PUBLIC		0x0u	/* no caller authentication */
#define ML_ROUTE_PROJECT	0x1u	/* API key, or dashboard cookie + CSRF */

typedef int (*ml_http_handler_fn)(struct ml_http_req *r);

struct ml_route {
	const char *method;		/* "GET", ...; GET routes also answer HEAD */
	const char *pattern;		/* "/accounts/{id}" */
	ml_http_handler_fn fn;
	unsigned flags;			/* ML_ROUTE_* */
	size_t max_body;		/* 0 = ML_HTTP_DEFAULT_BODY_MAX */
};

/*
 * An upstream MoEngage call made while the connection is suspended. The
 * completion callback (client thread) fills rc, err and resp, sets done and
 * resumes the connection; the handler reads them when it runs again.
 */
struct ml_http_call {
	int pending;
	int done;
	int rc;
	struct ml_err err;
	struct ml_response resp;
};

struct ml_http_req {
	struct ml_server *srv;
	struct MHD_Connection *conn;
	char method[16];
	char path[512];				/* no query string */
	char request_id[ML_HTTP_REQUEST_ID_LEN];
	const struct ml_route *route;
	int route_status;			/* 0, 404 or 405 */
	char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX];
	struct ml_buf body;
	int body_too_big;
	int started;				/* handler ran at least once */
	int answered;				/* a response was queued */
	int suspended;
	int64_t start_ns;
	unsigned status;			/* for the access log */
	size_t bytes;
	/* Caller identity (ml_auth_project). */
	char project_id[ML_STORE_ID_MAX];
	int via_dashboard;			/* authenticated by cookie */
	/* Extra response headers for the next reply (owned). */
	char *hdr_name[ML_HTTP_MAX_EXTRA_HEADERS];
	char *hdr_value[ML_HTTP_MAX_EXTRA_HEADERS];
	size_t nhdr;
	/* Handler progress across suspend/resume, freed with state_free. */
	void *state;
	void (*state_free)(void *state);
	struct ml_http_call *call;		/* the call in flight, if any */
	struct ml_err err;			/* detail for an error return */
};

/* ---- router.c ---------------------------------------------------------- */

/*
 * Match method and path against a NULL-terminated route table. ML_OK sets
 * *out and copies {param} segments into params (in pattern order).
 * ML_ENOTFOUND if no pattern matches the path; ML_EINVAL if a pattern
 * matches but not the method (405). A parameter longer than
 * ML_HTTP_PARAM_MAX-1 does not match.
 */
int ml_router_match(const struct ml_route *tab, const char *method,
    const char *path, const struct ml_route **out,
    char params[ML_HTTP_MAX_PARAMS][ML_HTTP_PARAM_MAX]);
/* The methods allowed on a path, "GET, POST" style, into out. */
void ml_router_allowed(const struct ml_route *tab, const char *path,
    char *out, size_t cap);

/* ---- http.c ------------------------------------------------------------ */

/* Request header / query argument / cookie value, or NULL. */
const char *ml_http_header(struct ml_http_req *r, const char *name);
const char *ml_http_query(struct ml_http_req *r, const char *name);
const char *ml_http_cookie(struct ml_http_req *r, const char *name);

/* Parse the body as a JSON object (ML_EJSON/ML_EINVAL into r->err). */
int ml_http_body_json(struct ml_http_req *r, json_object **out);

/* Add a header to the next reply (copied). Refuses CR/LF. */
int ml_http_add_header(struct ml_http_req *r, const char *name,
    const char *value);

/*
 * Queue a response with the standard headers (X-Request-Id, nosniff,
 * Referrer-Policy, Cache-Control no-store unless the caller set one) plus
 * any added ones. data is copied.
 */
int ml_http_reply(struct ml_http_req *r, unsigned status,
    const char *content_type, const void *data, size_t len);
/* Serialize obj (not consumed) as the JSON body. */
int ml_http_reply_json(struct ml_http_req *r, unsigned status,
    json_object *obj);
/*
 * {"error":{"code","message","request_id", "field"?, "fields"?,
 * "moengage"?}} from err (its kind, msg, field and moe_* members).
 */
int ml_http_reply_err(struct ml_http_req *r, unsigned status,
    const struct ml_err *err);
/* That error object alone (*out: json_object_put it), to add members. */
int ml_http_err_json(struct ml_http_req *r, const struct ml_err *err,
    json_object **out);
/* Same with a code and a printf message. */
int ml_http_reply_error(struct ml_http_req *r, unsigned status,
    const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The HTTP status that fits an ML_E* code (400, 404, 409, 410, 413, ...). */
unsigned ml_http_status_of(int code);

/*
 * Build the request for action a (validation first: a local error returns
 * at once with err filled and nothing suspended), suspend the connection
 * and submit it to a MoEngage client: srv->client (full retry policy) or,
 * with interactive set, srv->verify_client (one quick retry: a person is
 * waiting). On ML_OK the handler must return ML_OK; it runs again when
 * call->done is set. call must stay valid until then (keep it in
 * r->state).
 */
int ml_http_call_start(struct ml_http_req *r, struct ml_http_call *call,
    const struct ml_action *a, const struct ml_account *acct,
    const struct ml_call_input *in, int interactive, struct ml_err *err);
void ml_http_call_init(struct ml_http_call *call);
void ml_http_call_cleanup(struct ml_http_call *call);

/*
 * A CPU-heavy step run off the MHD threads, on the server's worker pool
 * (work.h), while the connection is suspended. ml_http_job_start returns
 * ML_OK (the handler returns ML_OK and runs again once job->done is set;
 * job->rc is ML_OK if fn ran, else why it could not) or an error with
 * nothing suspended. job must stay valid until done (keep it in r->state).
 */
struct ml_http_job {
	int done;
	int rc;
	void (*fn)(void *arg);
	void *arg;
	struct ml_http_req *r;
};

int ml_http_job_start(struct ml_http_req *r, struct ml_http_job *job,
    void (*fn)(void *arg), void *arg);

/* Log with the request id: level, then printf text. */
void ml_http_log(struct ml_http_req *r, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Monotonic clock in nanoseconds. */
int64_t ml_http_now_ns(void);

/* The access handler and completion notice given to MHD (server.c). */
enum MHD_Result ml_http_access(void *cls, struct MHD_Connection *conn,
    const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls);
void ml_http_completed(void *cls, struct MHD_Connection *conn,
    void **con_cls, enum MHD_RequestTerminationCode toe);

#endif
