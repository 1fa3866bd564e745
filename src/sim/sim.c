/* SPDX-License-Identifier: MIT */
/*
 * sim.c: the simulator's HTTP front: one libmicrohttpd daemon (epoll, an
 * internal pool of two threads, per-connection memory capped, optional TLS)
 * that serves every MoEngage host of every data center by routing on the
 * Host header, plus the /_sim/ admin API.
 *
 * Request life cycle (access handler):
 *   1st call   allocate the per-request state and return: answering here
 *              would make MHD 0.9.75 drop keep-alive (c-stack.md 4.1);
 *   uploads    copy up to ML_SIM_BODY_MAX bytes, count and discard the rest
 *              so an oversized body gets its 413 without unbounded memory;
 *   last call  dispatch (admin, 404/405, fault, family handler), journal it,
 *              then queue the answer, or suspend the connection until the
 *              timer thread resumes it (injected latency), or refuse to
 *              answer (injected drop).
 * Every answer carries X-Request-Id with the request's 8-letter id.
 */
#include "sim/sim.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"

#define SIM_POOL_THREADS 2
#define SIM_CONN_MEMORY (32 * 1024)
#define SIM_CONN_TIMEOUT 120
#define SIM_PEM_MAX (1024 * 1024)
#define SIM_JOURNAL_KEEP 1000

/* Per-request state between the handler calls. */
struct sim_req {
	struct ml_buf body;
	size_t total;
	int too_big;
	int waiting;		/* suspended; answer is in resp */
	struct ml_sim_resp resp;
};

static void
sim_resp_init(struct ml_sim_resp *r)
{
	memset(r, 0, sizeof(*r));
	ml_buf_init(&r->body, ML_SIM_RESP_MAX);
}

static void
sim_resp_cleanup(struct ml_sim_resp *r)
{
	ml_buf_cleanup(&r->body);
}

void
ml_sim_request_id(char *out)
{
	static const char letters[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	int i;

	for (i = 0; i < ML_SIM_REQID_LEN; i++)
		out[i] = letters[randombytes_uniform(sizeof(letters) - 1)];
	out[ML_SIM_REQID_LEN] = '\0';
}

int
ml_sim_json_add(json_object *obj, const char *key, json_object *v)
{
	if (v == NULL)
		return ML_ENOMEM;
	if (json_object_object_add(obj, key, v)) {
		json_object_put(v);
		return ML_ENOMEM;
	}
	return ML_OK;
}

int
ml_sim_json_add_opt(json_object *obj, const char *key, json_object *v)
{
	if (json_object_object_add(obj, key, v)) {
		json_object_put(v);
		return ML_ENOMEM;
	}
	return ML_OK;
}

int
ml_sim_json_push(json_object *arr, json_object *v)
{
	if (v == NULL)
		return ML_ENOMEM;
	if (json_object_array_add(arr, v)) {
		json_object_put(v);
		return ML_ENOMEM;
	}
	return ML_OK;
}

const char *
ml_sim_header(struct ml_sim_ctx *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, name);
}

const char *
ml_sim_query(struct ml_sim_ctx *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

static int
sim_set_header(struct ml_sim_resp *r, const char *name, const char *value)
{
	int i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr[i].name, name) == 0)
			break;
	if (i == ML_SIM_MAX_HDRS)
		return ML_ETOOBIG;
	ml_strlcpy(r->hdr[i].name, name, sizeof(r->hdr[i].name));
	ml_strlcpy(r->hdr[i].value, value, sizeof(r->hdr[i].value));
	if (i == r->nhdr)
		r->nhdr++;
	return ML_OK;
}

int
ml_sim_reply_header(struct ml_sim_ctx *ctx, const char *name,
    const char *fmt, ...)
{
	char value[sizeof(ctx->resp.hdr[0].value)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return sim_set_header(&ctx->resp, name, value);
}

int
ml_sim_reply_raw(struct ml_sim_ctx *ctx, int status, const char *ctype,
    const char *data, size_t len)
{
	int rc;

	ml_buf_reset(&ctx->resp.body);
	ctx->resp.status = status;
	rc = ml_buf_append(&ctx->resp.body, data, len);
	if (rc == ML_OK && ctype != NULL)
		rc = sim_set_header(&ctx->resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    ctype);
	return rc;
}

int
ml_sim_reply_json(struct ml_sim_ctx *ctx, int status, json_object *obj)
{
	const char *text = ml_json_text(obj);

	if (text == NULL)
		return ML_ENOMEM;
	return ml_sim_reply_raw(ctx, status, "application/json", text,
	    strlen(text));
}

int
ml_sim_reply_rate_headers(struct ml_sim_ctx *ctx,
    const struct ml_sim_rate_info *info)
{
	int rc;

	rc = ml_sim_reply_header(ctx, "x-ratelimit-limit", "%ld", info->limit);
	if (rc == ML_OK)
		rc = ml_sim_reply_header(ctx, "x-ratelimit-remaining", "%ld",
		    info->remaining);
	if (rc == ML_OK)
		rc = ml_sim_reply_header(ctx, "x-ratelimit-reset", "%ld",
		    info->reset);
	return rc;
}

int
ml_sim_reply_not_found(struct ml_sim_ctx *ctx)
{
	/* push.yaml's documented 404 for an invalid endpoint. */
	static const char body[] = "{\"code\":404,\"status\":\"error\","
	    "\"reason\":\"Page not found. Please recheck the URL\"}";

	return ml_sim_reply_raw(ctx, MHD_HTTP_NOT_FOUND, "application/json",
	    body, sizeof(body) - 1);
}

int
ml_sim_reply_bad_method(struct ml_sim_ctx *ctx)
{
	/* data.yaml's documented 405 (file imports). */
	static const char body[] =
	    "{\"status\":\"fail\",\"message\":\"Method not allowed\"}";
	char own[256];
	int n;

	/* email-subscription.yaml documents Bulk Resubscribe's own 405. */
	if (ctx->kind == ML_HOST_API &&
	    strcmp(ctx->path, "/emails/v1.0/bulk-resubscribe") == 0) {
		n = snprintf(own, sizeof(own), "{\"response_id\":\"%s\","
		    "\"error\":{\"message\":\"This API only supports the POST "
		    "method. Kindly update the method and retry again.\"}}",
		    ctx->request_id);
		return ml_sim_reply_raw(ctx, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "application/json", own, (size_t)n);
	}
	return ml_sim_reply_raw(ctx, MHD_HTTP_METHOD_NOT_ALLOWED,
	    "application/json", body, sizeof(body) - 1);
}

/* Answer for a failure of the simulator itself (out of memory). */
static void
sim_reply_internal(struct ml_sim_ctx *ctx)
{
	static const char body[] = "{\"status\":\"fail\",\"error\":{\"message\":"
	    "\"Internal Server Error\",\"type\":\"ServerError\"}}";

	ctx->resp.nhdr = 0;
	ctx->resp.drop = 0;
	if (ml_sim_reply_raw(ctx, MHD_HTTP_INTERNAL_SERVER_ERROR,
	    "application/json", body, sizeof(body) - 1))
		ctx->resp.drop = 1;
}

/* Apply an injected fault to a routed request. Returns 1 if it answered. */
static int
sim_fault(struct ml_sim_ctx *ctx, int *rc)
{
	struct ml_sim_fault_hit hit;
	int r;

	r = ml_sim_faults_take(ctx->sim->faults, ctx->fam->name, ctx->path,
	    &hit);
	if (r <= 0) {
		*rc = r < 0 ? r : ML_OK;
		return r < 0;
	}
	ctx->resp.latency_ms = hit.latency_ms;
	*rc = ML_OK;
	if (hit.drop) {
		ctx->resp.drop = 1;
		r = 1;
	} else if (hit.status != 0 && hit.body != NULL) {
		*rc = ml_sim_reply_raw(ctx, hit.status, "application/json",
		    hit.body, strlen(hit.body));
		r = 1;
	} else if (hit.status != 0) {
		*rc = ctx->fam->fault_body(ctx, hit.status);
		r = 1;
	} else {
		r = 0;	/* latency only: answer normally, later */
	}
	ml_free(hit.body);
	return r;
}

static int
sim_is_admin(const struct ml_sim_ctx *ctx)
{
	return strncmp(ctx->path, "/_sim/", 6) == 0 ||
	    strcmp(ctx->path, "/_sim") == 0;
}

/*
 * Count a request for the workspace its Basic username names even when it
 * was answered before authentication (fault, 413, 404).
 */
static void
sim_attribute(struct ml_sim_ctx *ctx)
{
	struct ml_sim_creds c;

	if (ctx->claimed_idx >= 0)
		return;
	if (ml_sim_auth_basic(ctx, &c) == ML_SIM_BASIC_OK)
		ctx->claimed_idx = ml_sim_wsset_find(&ctx->sim->ws, c.user);
	ml_sim_creds_cleanup(&c);
}

static int
sim_dispatch(struct ml_sim_ctx *ctx)
{
	int rc;

	if (sim_is_admin(ctx))
		return ml_sim_admin_handle(ctx);
	if (ml_dc_parse_host(ctx->host, &ctx->kind, ctx->dc, sizeof(ctx->dc)))
		return ml_sim_reply_not_found(ctx);
	switch (ml_sim_route_match(ctx)) {
	case ML_SIM_MATCH_NONE:
		return ml_sim_reply_not_found(ctx);
	case ML_SIM_MATCH_METHOD:
		return ml_sim_reply_bad_method(ctx);
	case ML_SIM_MATCH_OK:
		break;
	}
	if (sim_fault(ctx, &rc))
		return rc;
	if (rc)
		return rc;
	return ctx->route->handle(ctx);
}

static enum MHD_Result
sim_queue(struct MHD_Connection *conn, struct ml_sim_resp *r)
{
	static char empty[1];
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int i;

	if (r->drop)
		return MHD_NO;	/* MHD closes the connection unanswered */
	resp = MHD_create_response_from_buffer(r->body.len,
	    r->body.data != NULL ? r->body.data : empty,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	for (i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr[i].name, r->hdr[i].value);
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
sim_process(struct ml_sim *sim, struct MHD_Connection *conn, const char *url,
    const char *method, struct sim_req *rq)
{
	struct ml_sim_ctx ctx;
	const char *host;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.sim = sim;
	ctx.conn = conn;
	ctx.method = method;
	ctx.path = url;
	host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	ctx.host = host != NULL ? host : "";
	ctx.ws_idx = -1;
	ctx.claimed_idx = -1;
	ctx.body = rq->body.data != NULL ? rq->body.data : "";
	ctx.body_len = rq->body.len;
	ctx.body_total = rq->total;
	ctx.body_too_big = rq->too_big;
	ml_sim_request_id(ctx.request_id);
	ctx.resp = rq->resp;	/* take over the initialised answer */
	rc = sim_dispatch(&ctx);
	if (rc == ML_OK && ctx.resp.status == 0 && !ctx.resp.drop)
		rc = ML_EINTERNAL;
	if (rc) {
		log_warn("msg=\"handler failed\" path=\"%s\" error=\"%s\"",
		    ctx.path, ml_strerror(rc));
		sim_reply_internal(&ctx);
	}
	if (!ctx.resp.drop)
		sim_set_header(&ctx.resp, "X-Request-Id", ctx.request_id);
	/* The journal and counters describe MoEngage traffic, not /_sim/. */
	if (!sim_is_admin(&ctx)) {
		sim_attribute(&ctx);
		if (ml_sim_reqlog_add(sim->reqlog, &ctx))
			log_warn("msg=\"journal entry lost\" request_id=%s",
			    ctx.request_id);
	}
	log_debug("msg=\"request\" method=%s host=\"%s\" path=\"%s\" "
	    "status=%d family=%s request_id=%s", method, ctx.host, url,
	    ctx.resp.drop ? 0 : ctx.resp.status,
	    ctx.fam != NULL ? ctx.fam->name : "-", ctx.request_id);
	rq->resp = ctx.resp;
}

static enum MHD_Result
sim_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct ml_sim *sim = cls;
	struct sim_req *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		rq = ml_calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		ml_buf_init(&rq->body, ML_SIM_BODY_MAX);
		sim_resp_init(&rq->resp);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		rq->total += *upload_data_size;
		if (!rq->too_big && ml_buf_append(&rq->body, upload_data,
		    *upload_data_size) != ML_OK) {
			/* Over the cap: keep reading, stop keeping. */
			rq->too_big = 1;
			ml_buf_cleanup(&rq->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->waiting) {
		rq->waiting = 0;
		return sim_queue(conn, &rq->resp);
	}
	sim_process(sim, conn, url, method, rq);
	if (rq->resp.latency_ms > 0) {
		rq->waiting = 1;
		MHD_suspend_connection(conn);
		if (ml_sim_timer_add(sim->timer, conn, rq->resp.latency_ms))
			MHD_resume_connection(conn);
		return MHD_YES;
	}
	return sim_queue(conn, &rq->resp);
}

static void
sim_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct sim_req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	ml_buf_cleanup(&rq->body);
	sim_resp_cleanup(&rq->resp);
	ml_free(rq);
	*con_cls = NULL;
}

int
ml_sim_read_file(const char *path, struct ml_buf *b, const char *kind,
    struct ml_err *err)
{
	char chunk[4096];
	FILE *fp;
	size_t n;
	int rc = ML_OK;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return ml_err_set(err, ML_EIO, kind, "%s: %s", path,
		    strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		rc = ml_buf_append(b, chunk, n);
		if (rc) {
			ml_err_set(err, rc, kind, "%s: larger than %zu bytes",
			    path, b->max);
			goto out;
		}
	}
	if (ferror(fp) || b->len == 0)
		rc = ml_err_set(err, ML_EIO, kind, "%s: unreadable or empty",
		    path);
out:
	/* The chunk may have held a private key. */
	sodium_memzero(chunk, sizeof(chunk));
	fclose(fp);
	return rc;
}

/* Read a whole PEM file (bounded) into a new NUL-terminated string. */
static int
sim_read_pem(const char *path, char **out, struct ml_err *err)
{
	struct ml_buf b;
	int rc;

	*out = NULL;
	ml_buf_init(&b, SIM_PEM_MAX);
	rc = ml_sim_read_file(path, &b, "invalid_tls", err);
	if (rc == ML_OK) {
		*out = ml_buf_detach(&b);
		if (*out == NULL)
			rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	ml_buf_cleanup_zero(&b);
	return rc;
}

/* Split "HOST:PORT" ("[v6]:PORT" too) and resolve it for bind(). */
static int
sim_resolve(const char *listen, struct addrinfo **res, struct ml_err *err)
{
	struct addrinfo hints;
	char host[128];
	const char *colon, *port;
	size_t hl;
	int gai;

	colon = strrchr(listen, ':');
	if (colon == NULL || colon[1] == '\0')
		return ml_err_set(err, ML_EINVAL, "invalid_option",
		    "--listen: expected HOST:PORT, got '%s'", listen);
	port = colon + 1;
	hl = (size_t)(colon - listen);
	if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return ml_err_set(err, ML_EINVAL, "invalid_option",
		    "--listen: bad host in '%s'", listen);
	memcpy(host, listen, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	gai = getaddrinfo(host, port, &hints, res);
	if (gai != 0)
		return ml_err_set(err, ML_EINVAL, "invalid_option",
		    "--listen %s: %s", listen, gai_strerror(gai));
	return ML_OK;
}

static int
sim_start(struct ml_sim *sim, const char *listen, struct ml_err *err)
{
	struct MHD_OptionItem tls_opts[3];
	const union MHD_DaemonInfo *info;
	struct addrinfo *ai = NULL;
	unsigned flags;
	int rc;

	rc = sim_resolve(listen, &ai, err);
	if (rc)
		return rc;
	memset(tls_opts, 0, sizeof(tls_opts));
	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (sim->tls) {
		flags |= MHD_USE_TLS;
		tls_opts[0].option = MHD_OPTION_HTTPS_MEM_KEY;
		tls_opts[0].ptr_value = sim->key_pem;
		tls_opts[1].option = MHD_OPTION_HTTPS_MEM_CERT;
		tls_opts[1].ptr_value = sim->cert_pem;
	}
	tls_opts[sim->tls ? 2 : 0].option = MHD_OPTION_END;
	sim->mhd = MHD_start_daemon(flags, 0, NULL, NULL, sim_access, sim,
	    MHD_OPTION_EXTERNAL_LOGGER, ml_log_mhd, NULL,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SIM_POOL_THREADS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SIM_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SIM_CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, sim_completed, sim,
	    MHD_OPTION_ARRAY, tls_opts,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	if (sim->mhd == NULL)
		return ml_err_set(err, ML_EIO, "listen_failed",
		    "cannot listen on %s (address in use, or bad TLS "
		    "certificate/key?)", listen);
	info = MHD_get_daemon_info(sim->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0)
		return ml_err_set(err, ML_EIO, "listen_failed",
		    "cannot tell the bound port of %s", listen);
	sim->port = info->port;
	return ML_OK;
}

int
ml_sim_new(const struct ml_sim_config *cfg, struct ml_sim **out,
    struct ml_err *err)
{
	struct ml_sim *sim;
	int rc;

	*out = NULL;
	/* Before any thread draws request ids or MoEngage ids. */
	if (sodium_init() < 0)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "libsodium failed to initialise");
	sim = ml_calloc(1, sizeof(*sim));
	if (sim == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	ml_sim_wsset_init(&sim->ws);
	if (cfg->workspaces != NULL && cfg->workspaces[0] != '\0')
		rc = ml_sim_wsset_load(&sim->ws, cfg->workspaces, err);
	else
		rc = ml_sim_wsset_demo(&sim->ws, err);
	if (rc)
		goto out;
	if ((cfg->tls_cert != NULL && cfg->tls_cert[0] != '\0') !=
	    (cfg->tls_key != NULL && cfg->tls_key[0] != '\0')) {
		rc = ml_err_set(err, ML_EINVAL, "invalid_option",
		    "--tls-cert and --tls-key go together");
		goto out;
	}
	if (cfg->tls_cert != NULL && cfg->tls_cert[0] != '\0') {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			rc = ml_err_set(err, ML_EINVAL, "invalid_tls",
			    "this libmicrohttpd was built without TLS");
			goto out;
		}
		rc = sim_read_pem(cfg->tls_cert, &sim->cert_pem, err);
		if (rc == ML_OK)
			rc = sim_read_pem(cfg->tls_key, &sim->key_pem, err);
		if (rc)
			goto out;
		sim->tls = 1;
	}
	if (ml_sim_state_new(sim->ws.n, &sim->state) ||
	    ml_sim_rate_new(sim->ws.n, &sim->rate) ||
	    ml_sim_reqlog_new(sim->ws.n, SIM_JOURNAL_KEEP, &sim->reqlog) ||
	    ml_sim_faults_new(&sim->faults) ||
	    ml_sim_store_new(sim->ws.n, &sim->store) ||
	    ml_sim_timer_new(&sim->timer)) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	rc = sim_start(sim, cfg->listen, err);
	if (rc)
		goto out;
	*out = sim;
	sim = NULL;
out:
	ml_sim_free(sim);
	return rc;
}

void
ml_sim_free(struct ml_sim *sim)
{
	if (sim == NULL)
		return;
	/* Delayed answers first: MHD must not stop with suspended ones. */
	ml_sim_timer_stop(sim->timer);
	if (sim->mhd != NULL)
		MHD_stop_daemon(sim->mhd);
	ml_sim_timer_free(sim->timer);
	ml_sim_faults_free(sim->faults);
	ml_sim_reqlog_free(sim->reqlog);
	ml_sim_rate_free(sim->rate);
	ml_sim_state_free(sim->state);
	ml_sim_store_free(sim->store);
	ml_sim_wsset_cleanup(&sim->ws);
	ml_free(sim->cert_pem);
	ml_free_secret(sim->key_pem);
	ml_free(sim);
}
