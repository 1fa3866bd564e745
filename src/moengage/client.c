/* SPDX-License-Identifier: MIT */
/*
 * client.c: the MoEngage HTTP client (client.h).
 *
 * Threading: one thread per client owns the curl multi handle, every easy
 * handle and every transfer once it is queued. Both are made on the first
 * submit, not by ml_client_new(): an idle client costs no thread and no
 * libcurl/TLS initialisation (about 2.5 MB of resident library pages in a
 * server that keeps three clients). curl_global_init() is serialised by a
 * static mutex (older libcurl builds are not thread-safe there). Other
 * threads only append to the submit queue (under c->mu); the submit that
 * finds the queue empty wakes the thread with curl_multi_wakeup(), so a
 * burst of submits costs one wake-up, and a submit from a completion
 * callback (on the thread itself) costs none. The thread sleeps in curl_multi_poll()
 * with a timeout no longer than the next retry's due time, so a retry never
 * blocks other transfers and nothing sleeps.
 *
 * Hosts: the thread keeps one struct client_host per MoEngage host it has
 * sent to, with the transfers of that host that are in the multi handle
 * (at most max_host_connections, or that many times CLIENT_H2_STREAMS once
 * the host answered over HTTP/2) and a FIFO of the ones waiting for a
 * connection. Requests beyond the limit wait there, not in libcurl's
 * pending list, where each would go through libcurl's connect step again
 * every time a transfer ends. A retry that is due goes to the head of its
 * host's queue.
 *
 * Ownership: ml_client_submit() moves the built request into a transfer
 * (struct client_xfer) which the thread frees after calling the completion
 * callback exactly once: with the final answer, a transport error, or
 * ML_ECANCELED when ml_client_free() stops the thread first. The easy
 * handle is set up on the thread when the transfer starts; its header list
 * is made of nodes inside the transfer that point at the request's own
 * header lines (wiped with the request), so no header is copied. Easy
 * handles are reused: a finished one goes to c->idle (at most
 * CLIENT_IDLE_EASY, client thread only) and the next transfer takes it and
 * curl_easy_reset()s it, so no option of one request survives into the
 * next; ml_client_free() frees them.
 *
 * Retries follow ml_retry_decide() with the wall clock for
 * x-ratelimit-reset and randombytes_uniform() for jitter; the due time is
 * kept on the monotonic clock.
 */
#include <moelink/client.h>

#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <moelink/buf.h>
#include <moelink/envelope.h>
#include <moelink/mem.h>

#include "ml_version.h"

#define CLIENT_DEF_CONNECT_MS 5000L
#define CLIENT_DEF_TIMEOUT_MS 30000L
#define CLIENT_DEF_MAX_RESPONSE (8u * 1024u * 1024u)
#define CLIENT_DEF_HOST_CONNS 8
#define CLIENT_IDLE_POLL_MS 1000
#define CLIENT_CONNECT_TO_MAX 300
#define CLIENT_IDLE_EASY 64	/* easy handles kept for reuse */
#define CLIENT_H2_STREAMS 100	/* libcurl's CURLMOPT_MAX_CONCURRENT_STREAMS */

struct client_host;

struct client_xfer {
	struct client_xfer *next;
	struct client_xfer *prev;	/* in c->active only */
	struct ml_client *c;
	struct client_host *host;
	struct ml_request req;
	struct ml_response resp;
	struct ml_buf body;
	CURL *easy;
	/* CURLOPT_HTTPHEADER: the request's lines, then "Expect:". */
	struct curl_slist hdrs[ML_MAX_HEADERS + 1];
	ml_client_done_fn cb;
	void *ud;
	int attempt;
	int in_multi;
	int write_rc;		/* ML_ETOOBIG/ML_ENOMEM from the write callback */
	int64_t due_ms;		/* monotonic due time of a retry; 0 = none */
	char errbuf[CURL_ERROR_SIZE];
};

/* One MoEngage host; client thread only. */
struct client_host {
	struct client_host *next;
	char *name;
	char *connect_to;		/* "host::HOST:PORT", or NULL */
	struct curl_slist ct;		/* CURLOPT_CONNECT_TO list of one */
	int active;			/* its transfers in the multi handle */
	int multiplexed;		/* its last answer came over HTTP/2 */
	struct client_xfer *queue;	/* waiting for a connection */
	struct client_xfer **queue_tail;
};

static pthread_mutex_t client_global_mu = PTHREAD_MUTEX_INITIALIZER;

/* libcurl only reads the header lines it is given. */
static char client_no_expect[] = "Expect:";

struct ml_client {
	struct ml_client_opts opts;
	char *connect_to;	/* copies of the opts strings */
	char *ca_file;
	char *proxy;
	CURLM *multi;
	pthread_t thread;
	int thread_started;
	int curl_ready;
	pthread_mutex_t mu;	/* guards stopping, queue and the start */
	int stopping;
	struct client_xfer *queue;
	struct client_xfer **queue_tail;
	/* Client thread only from here. */
	struct client_xfer *active;	/* in the multi handle */
	struct client_xfer *waiting;	/* retries not yet due */
	struct client_host *hosts;
	size_t nhosts;
	int self_submit;		/* a callback submitted: don't sleep */
	CURL *idle[CLIENT_IDLE_EASY];	/* finished easy handles */
	size_t nidle;
};

static int64_t
client_clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ml_client_opts_init(struct ml_client_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout_ms = CLIENT_DEF_CONNECT_MS;
	opts->timeout_ms = CLIENT_DEF_TIMEOUT_MS;
	opts->max_response = CLIENT_DEF_MAX_RESPONSE;
	opts->max_host_connections = CLIENT_DEF_HOST_CONNS;
	opts->retry = ml_retry_policy_default();
}

/* Keep a finished (not added) easy handle for the next transfer. */
static void
client_easy_release(struct ml_client *c, CURL *easy)
{
	if (easy == NULL)
		return;
	if (c->nidle < CLIENT_IDLE_EASY)
		c->idle[c->nidle++] = easy;
	else
		curl_easy_cleanup(easy);
}

/* Frees the transfer and what it owns (not the callback's data). */
static void
client_xfer_free(struct client_xfer *x)
{
	if (x == NULL)
		return;
	client_easy_release(x->c, x->easy);
	ml_buf_cleanup_zero(&x->body);
	ml_response_cleanup(&x->resp);
	ml_request_cleanup(&x->req);
	ml_free(x);
}

/* Header lines of the answer: keep what retries and callers need. */
static size_t
client_header(char *buf, size_t size, size_t n, void *ud)
{
	struct client_xfer *x = ud;
	size_t len = size * n, nlen, vlen;
	const char *colon, *v;
	char *dst = NULL, num[24];
	size_t cap = 0;

	if (len >= 5 && strncasecmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): forget the last. */
		x->resp.content_type[0] = '\0';
		x->resp.ratelimit_reset[0] = '\0';
		x->resp.retry_after[0] = '\0';
		x->resp.ratelimit_limit = -1;
		x->resp.ratelimit_remaining = -1;
		return len;
	}
	colon = memchr(buf, ':', len);
	if (colon == NULL)
		return len;
	nlen = (size_t)(colon - buf);
	v = colon + 1;
	while (v < buf + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(buf + len - v);
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' '))
		vlen--;
#define HDR_IS(s) (nlen == sizeof(s) - 1 && strncasecmp(buf, s, nlen) == 0)
	if (HDR_IS("content-type")) {
		dst = x->resp.content_type;
		cap = sizeof(x->resp.content_type);
	} else if (HDR_IS("x-ratelimit-reset")) {
		dst = x->resp.ratelimit_reset;
		cap = sizeof(x->resp.ratelimit_reset);
	} else if (HDR_IS("retry-after")) {
		dst = x->resp.retry_after;
		cap = sizeof(x->resp.retry_after);
	} else if (HDR_IS("x-ratelimit-limit") ||
	    HDR_IS("x-ratelimit-remaining")) {
		long *out = HDR_IS("x-ratelimit-limit") ?
		    &x->resp.ratelimit_limit : &x->resp.ratelimit_remaining;
		size_t l = vlen < sizeof(num) - 1 ? vlen : sizeof(num) - 1;
		char *end;
		memcpy(num, v, l);
		num[l] = '\0';
		*out = strtol(num, &end, 10);
		if (end == num)
			*out = -1;
	}
#undef HDR_IS
	if (dst != NULL) {
		size_t l = vlen < cap - 1 ? vlen : cap - 1;
		memcpy(dst, v, l);
		dst[l] = '\0';
	}
	return len;
}

static size_t
client_write(char *p, size_t size, size_t n, void *ud)
{
	struct client_xfer *x = ud;
	int rc;

	rc = ml_buf_append(&x->body, p, size * n);
	if (rc) {
		/* Returning short aborts the transfer (CURLE_WRITE_ERROR). */
		x->write_rc = rc;
		return 0;
	}
	return size * n;
}

/* Set up x's easy handle (taken from c->idle or made) for its request. */
static int
client_easy_setup(struct ml_client *c, struct client_xfer *x)
{
	const struct ml_request *r = &x->req;
	CURLcode cc = CURLE_OK;
	size_t i;

	/* A reused handle forgets every option of its last request (headers,
	 * private pointer, write target, CONNECT_TO, CAINFO, method, body);
	 * its connections stay in the multi handle's cache. */
	if (c->nidle > 0) {
		x->easy = c->idle[--c->nidle];
		curl_easy_reset(x->easy);
	} else {
		x->easy = curl_easy_init();
	}
	if (x->easy == NULL)
		return ML_ENOMEM;
	/* Never wait for "100 Continue"; MoEngage bodies are small. */
	for (i = 0; i < r->nheaders; i++) {
		x->hdrs[i].data = r->headers[i];
		x->hdrs[i].next = &x->hdrs[i + 1];
	}
	x->hdrs[i].data = client_no_expect;
	x->hdrs[i].next = NULL;
#define SET(opt, val) \
	do { if (cc == CURLE_OK) cc = curl_easy_setopt(x->easy, opt, val); } \
	while (0)
	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "https");
#else
	SET(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SET(CURLOPT_HTTP_VERSION, c->opts.http1_only ?
	    (long)CURL_HTTP_VERSION_1_1 : (long)CURL_HTTP_VERSION_2TLS);
	SET(CURLOPT_PIPEWAIT, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, c->opts.timeout_ms);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	SET(CURLOPT_USERAGENT, "moelink/" MOELINK_VERSION);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_WRITEFUNCTION, client_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, client_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->opts.max_response);
	if (c->ca_file != NULL)
		SET(CURLOPT_CAINFO, c->ca_file);
	/* Without a proxy of the caller's, say so: libcurl would otherwise
	 * getenv() the *_proxy variables on every transfer. */
	SET(CURLOPT_PROXY, c->proxy != NULL ? c->proxy : "");
	SET(CURLOPT_NOPROXY, c->proxy != NULL ? "" : "*");
	/* Only this request's own (MoEngage) host is redirected; the URL,
	 * Host header and TLS SNI stay the real ones. */
	if (x->host->connect_to != NULL)
		SET(CURLOPT_CONNECT_TO, &x->host->ct);
	if (r->body != NULL) {
		SET(CURLOPT_POSTFIELDS, r->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		if (strcmp(r->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, r->method);
	} else if (strcmp(r->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(r->method, "POST") == 0) {
		SET(CURLOPT_POSTFIELDS, "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	} else {
		SET(CURLOPT_CUSTOMREQUEST, r->method);
	}
#undef SET
	if (cc == CURLE_OUT_OF_MEMORY)
		return ML_ENOMEM;
	return cc == CURLE_OK ? ML_OK : ML_EINTERNAL;
}

/* Run the callback once and free the transfer. */
static void
client_finish(struct client_xfer *x, const struct ml_err *err)
{
	x->resp.attempts = x->attempt;
	x->cb(x->ud, &x->resp, err);
	client_xfer_free(x);
}

static void
client_fail(struct client_xfer *x, int rc, const char *what)
{
	struct ml_err err;

	ml_err_clear(&err);
	ml_err_set(&err, rc, NULL, "%s", what);
	client_finish(x, &err);
}

static void
client_cancel(struct client_xfer *x)
{
	struct ml_err err;

	ml_err_clear(&err);
	ml_err_set(&err, ML_ECANCELED, "canceled",
	    "the MoEngage client shut down before %s completed",
	    x->req.action != NULL ? x->req.action->name : "the request");
	client_finish(x, &err);
}

/* Cancel every transfer of a list linked by next. */
static void
client_cancel_list(struct client_xfer *x)
{
	struct client_xfer *next;

	for (; x != NULL; x = next) {
		next = x->next;
		client_cancel(x);
	}
}

/*
 * The host of name, made on first use. A new host raises
 * CURLMOPT_MAXCONNECTS to max_host_connections per host, so libcurl's
 * connection cache (by default 4 x the transfers currently added) never
 * shrinks below what the hosts may keep open and idle connections are not
 * closed and re-handshaked.
 */
static struct client_host *
client_host_get(struct ml_client *c, const char *name)
{
	char ct[CLIENT_CONNECT_TO_MAX];
	struct client_host *h;

	for (h = c->hosts; h != NULL; h = h->next)
		if (strcmp(h->name, name) == 0)
			return h;
	h = ml_calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->name = ml_strdup(name);
	if (h->name != NULL && c->connect_to != NULL) {
		snprintf(ct, sizeof(ct), "%s::%s", name, c->connect_to);
		h->connect_to = ml_strdup(ct);
		h->ct.data = h->connect_to;
	}
	if (h->name == NULL || (c->connect_to != NULL &&
	    h->connect_to == NULL)) {
		ml_free(h->name);
		ml_free(h);
		return NULL;
	}
	h->queue_tail = &h->queue;
	h->next = c->hosts;
	c->hosts = h;
	c->nhosts++;
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
	    (long)c->opts.max_host_connections * (long)c->nhosts);
	return h;
}

static void
client_host_free(struct client_host *h)
{
	ml_free(h->connect_to);
	ml_free(h->name);
	ml_free(h);
}

/* Transfers of h allowed in the multi handle at once. */
static int
client_host_limit(const struct ml_client *c, const struct client_host *h)
{
	int n = c->opts.max_host_connections;

	if (!h->multiplexed)
		return n;
	return n < INT_MAX / CLIENT_H2_STREAMS ? n * CLIENT_H2_STREAMS :
	    INT_MAX;
}

static void
client_active_add(struct ml_client *c, struct client_xfer *x)
{
	x->prev = NULL;
	x->next = c->active;
	if (c->active != NULL)
		c->active->prev = x;
	c->active = x;
}

static void
client_active_del(struct ml_client *c, struct client_xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		c->active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->next = x->prev = NULL;
}

/* Start one attempt of x (set up on its first); 0 if x was finished. */
static int
client_start(struct ml_client *c, struct client_xfer *x)
{
	int rc;

	if (x->easy == NULL) {
		rc = client_easy_setup(c, x);
		if (rc) {
			client_fail(x, rc, rc == ML_ENOMEM ? "out of memory" :
			    "could not set up the transfer");
			return 0;
		}
	}
	x->attempt++;
	x->write_rc = ML_OK;
	x->errbuf[0] = '\0';
	ml_buf_reset(&x->body);
	ml_response_cleanup(&x->resp);
	if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
		client_fail(x, ML_EINTERNAL, "could not start the transfer");
		return 0;
	}
	x->in_multi = 1;
	x->host->active++;
	client_active_add(c, x);
	return 1;
}

/* Start what h's connections allow, oldest first. */
static void
client_host_pump(struct ml_client *c, struct client_host *h)
{
	struct client_xfer *x;

	while (h->queue != NULL && h->active < client_host_limit(c, h)) {
		x = h->queue;
		h->queue = x->next;
		if (h->queue == NULL)
			h->queue_tail = &h->queue;
		x->next = NULL;
		client_start(c, x);
	}
}

/* A submitted transfer: to the back of its host's queue. */
static void
client_enqueue(struct ml_client *c, struct client_xfer *x)
{
	struct client_host *h = client_host_get(c, x->req.host);

	if (h == NULL) {
		client_fail(x, ML_ENOMEM, "out of memory");
		return;
	}
	x->host = h;
	x->next = NULL;
	*h->queue_tail = x;
	h->queue_tail = &x->next;
}

/* A retry that is due: to the front of its host's queue. */
static void
client_requeue(struct client_xfer *x)
{
	struct client_host *h = x->host;

	x->next = h->queue;
	if (h->queue == NULL)
		h->queue_tail = &x->next;
	h->queue = x;
}

/* curl result -> ML_* status; *nothing_sent if the request never left. */
static int
client_transport_rc(CURLcode res, int write_rc, int *nothing_sent,
    int *permanent)
{
	*nothing_sent = 0;
	*permanent = 0;
	switch (res) {
	case CURLE_OPERATION_TIMEDOUT:
		return ML_ETIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		*nothing_sent = 1;
		return ML_ENET;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		*permanent = 1;
		return ML_ENET;
	case CURLE_FILESIZE_EXCEEDED:
		*permanent = 1;
		return ML_ETOOBIG;
	case CURLE_WRITE_ERROR:
		*permanent = 1;
		return write_rc != ML_OK ? write_rc : ML_ENET;
	case CURLE_OUT_OF_MEMORY:
		*permanent = 1;
		return ML_ENOMEM;
	default:
		return ML_ENET;
	}
}

static void
client_transport_err(struct ml_client *c, struct client_xfer *x, int rc,
    CURLcode res, struct ml_err *err)
{
	const char *detail = x->errbuf[0] != '\0' ? x->errbuf :
	    curl_easy_strerror(res);

	if (rc == ML_ETIMEOUT)
		ml_err_set(err, rc, "timeout", "no answer from %s within %ld ms "
		    "(%s)", x->req.host, c->opts.timeout_ms, detail);
	else if (rc == ML_ETOOBIG)
		ml_err_set(err, rc, "response_too_large", "the answer from %s "
		    "is larger than %zu bytes", x->req.host,
		    c->opts.max_response);
	else if (rc == ML_ENOMEM)
		ml_err_set(err, rc, NULL, "out of memory");
	else
		ml_err_set(err, rc, "network_error", "could not reach %s: %s",
		    x->req.host, detail);
}

/* One attempt ended: retry later, or finish; then start the next. */
static void
client_done(struct ml_client *c, struct client_xfer *x, CURLcode res)
{
	struct client_host *h = x->host;
	struct ml_attempt at;
	struct ml_err err;
	long status = 0, hv = 0, wait_ms;
	int rc = ML_OK, nothing_sent = 0, permanent = 0;

	curl_multi_remove_handle(c->multi, x->easy);
	x->in_multi = 0;
	h->active--;
	client_active_del(c, x);
	ml_err_clear(&err);
	if (res == CURLE_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &hv);
		h->multiplexed = hv == CURL_HTTP_VERSION_2_0;
	} else {
		rc = client_transport_rc(res, x->write_rc, &nothing_sent,
		    &permanent);
	}
	x->resp.status = (int)status;
	x->resp.http_version = hv == CURL_HTTP_VERSION_2_0 ? 2 : 1;
	memset(&at, 0, sizeof(at));
	at.attempt = x->attempt;
	at.status = (int)status;
	at.transport_rc = rc;
	at.idempotent = !permanent && (x->req.idempotent || nothing_sent);
	at.ratelimit_reset = x->resp.ratelimit_reset[0] != '\0' ?
	    x->resp.ratelimit_reset : NULL;
	at.retry_after = x->resp.retry_after[0] != '\0' ?
	    x->resp.retry_after : NULL;
	at.now_ms = client_clock_ms(CLOCK_REALTIME);
	at.rnd = randombytes_uniform(UINT32_MAX);
	if (!permanent && ml_retry_decide(&c->opts.retry, &at, &wait_ms)) {
		x->due_ms = client_clock_ms(CLOCK_MONOTONIC) + wait_ms;
		if (x->due_ms == 0)
			x->due_ms = 1;
		x->next = c->waiting;
		c->waiting = x;
	} else if (rc != ML_OK) {
		client_transport_err(c, x, rc, res, &err);
		client_finish(x, &err);
	} else {
		x->resp.body_len = x->body.len;
		x->resp.body = ml_buf_detach(&x->body);
		if (x->resp.body == NULL) {
			x->resp.body_len = 0;
			ml_err_set(&err, ML_ENOMEM, NULL, "out of memory");
			client_finish(x, &err);
		} else {
			rc = ml_envelope_parse(x->req.envelope,
			    x->resp.status, x->resp.body, x->resp.body_len,
			    &err);
			client_finish(x, rc ? &err : NULL);
		}
	}
	client_host_pump(c, h);
}

/* Requeue due retries; returns ms until the next one (or the idle poll). */
static int
client_run_due(struct ml_client *c)
{
	struct client_xfer *x, **pp;
	int64_t now, left;
	int timeout = CLIENT_IDLE_POLL_MS;

	if (c->waiting == NULL)
		return timeout;
	now = client_clock_ms(CLOCK_MONOTONIC);
	for (pp = &c->waiting; (x = *pp) != NULL;) {
		if (x->due_ms <= now) {
			*pp = x->next;
			x->due_ms = 0;
			client_requeue(x);
			client_host_pump(c, x->host);
			timeout = 0;
			continue;
		}
		left = x->due_ms - now;
		if (left < timeout)
			timeout = (int)left;
		pp = &x->next;
	}
	return timeout;
}

/* At shutdown: every transfer the thread holds ends with ML_ECANCELED. */
static void
client_cancel_all(struct ml_client *c)
{
	struct client_host *h;
	struct client_xfer *x;

	while ((x = c->active) != NULL) {
		client_active_del(c, x);
		curl_multi_remove_handle(c->multi, x->easy);
		x->in_multi = 0;
		x->host->active--;
		client_cancel(x);
	}
	client_cancel_list(c->waiting);
	c->waiting = NULL;
	for (h = c->hosts; h != NULL; h = h->next) {
		client_cancel_list(h->queue);
		h->queue = NULL;
		h->queue_tail = &h->queue;
	}
}

static void *
client_main(void *arg)
{
	struct ml_client *c = arg;
	struct client_xfer *x, *next, *queue;
	struct client_host *h;
	struct CURLMsg *m;
	int running, left, stop, timeout;

	for (;;) {
		pthread_mutex_lock(&c->mu);
		queue = c->queue;
		c->queue = NULL;
		c->queue_tail = &c->queue;
		stop = c->stopping;
		pthread_mutex_unlock(&c->mu);
		if (stop) {
			client_cancel_list(queue);
			break;
		}
		if (queue != NULL) {
			for (x = queue; x != NULL; x = next) {
				next = x->next;
				client_enqueue(c, x);
			}
			for (h = c->hosts; h != NULL; h = h->next)
				client_host_pump(c, h);
		}
		timeout = client_run_due(c);
		curl_multi_perform(c->multi, &running);
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			x = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
			if (x != NULL)
				client_done(c, x, m->data.result);
		}
		/* A retry may have just become due: recompute the wait. */
		left = client_run_due(c);
		if (left < timeout)
			timeout = left;
		if (c->self_submit)
			timeout = 0;
		c->self_submit = 0;
		if (timeout > 0)
			curl_multi_poll(c->multi, NULL, 0, timeout, NULL);
	}
	client_cancel_all(c);
	return NULL;
}

/* "host:port" with a numeric port, or "[v6]:port". */
static int
client_connect_to_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s || strlen(s) >= 200)
		return 0;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port > 0 && port < 65536;
}

int
ml_client_new(const struct ml_client_opts *opts, struct ml_client **out,
    struct ml_err *err)
{
	struct ml_client_opts d;
	struct ml_client *c;
	int rc = ML_OK;

	*out = NULL;
	ml_client_opts_init(&d);
	if (opts == NULL)
		opts = &d;
	if (opts->connect_to != NULL && opts->connect_to[0] != '\0' &&
	    !client_connect_to_ok(opts->connect_to))
		return ml_err_set(err, ML_EINVAL, "invalid_option",
		    "connect-to must be HOST:PORT, not '%.60s'",
		    opts->connect_to);
	if (opts->ca_file != NULL && opts->ca_file[0] != '\0' &&
	    access(opts->ca_file, R_OK) != 0)
		return ml_err_set(err, ML_EIO, "invalid_option",
		    "cannot read the CA file %.200s", opts->ca_file);
	if (sodium_init() < 0)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "libsodium could not be initialised");
	c = ml_calloc(1, sizeof(*c));
	if (c == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	c->opts = *opts;
	c->opts.connect_to = NULL;
	c->opts.ca_file = NULL;
	c->opts.proxy = NULL;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = CLIENT_DEF_CONNECT_MS;
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = CLIENT_DEF_TIMEOUT_MS;
	if (c->opts.max_response == 0)
		c->opts.max_response = CLIENT_DEF_MAX_RESPONSE;
	if (c->opts.max_host_connections <= 0)
		c->opts.max_host_connections = CLIENT_DEF_HOST_CONNS;
	c->queue_tail = &c->queue;
	pthread_mutex_init(&c->mu, NULL);
	if (opts->connect_to != NULL && opts->connect_to[0] != '\0') {
		c->connect_to = ml_strdup(opts->connect_to);
		if (c->connect_to == NULL)
			rc = ML_ENOMEM;
	}
	if (rc == ML_OK && opts->ca_file != NULL && opts->ca_file[0] != '\0') {
		c->ca_file = ml_strdup(opts->ca_file);
		if (c->ca_file == NULL)
			rc = ML_ENOMEM;
	}
	if (rc == ML_OK && opts->proxy != NULL && opts->proxy[0] != '\0') {
		c->proxy = ml_strdup(opts->proxy);
		if (c->proxy == NULL)
			rc = ML_ENOMEM;
	}
	if (rc) {
		ml_err_set(err, rc, NULL, "out of memory");
		goto out;
	}
	*out = c;
	c = NULL;
out:
	ml_client_free(c);
	return rc;
}

/*
 * Make the multi handle and start the thread unless done already; c->mu
 * held. A failure leaves nothing half made, so a later submit tries again.
 */
static int
client_start_thread(struct ml_client *c, struct ml_err *err)
{
	CURLcode cc;

	if (c->thread_started)
		return ML_OK;
	if (!c->curl_ready) {
		pthread_mutex_lock(&client_global_mu);
		cc = curl_global_init(CURL_GLOBAL_DEFAULT);
		pthread_mutex_unlock(&client_global_mu);
		if (cc != CURLE_OK)
			return ml_err_set(err, ML_ENET, NULL,
			    "libcurl could not be initialised");
		c->curl_ready = 1;
	}
	if (c->multi == NULL) {
		c->multi = curl_multi_init();
		if (c->multi == NULL)
			return ml_err_set(err, ML_ENOMEM, NULL,
			    "out of memory");
		curl_multi_setopt(c->multi, CURLMOPT_PIPELINING,
		    (long)CURLPIPE_MULTIPLEX);
		curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    (long)c->opts.max_host_connections);
		curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
		    (long)c->opts.max_host_connections);
	}
	if (pthread_create(&c->thread, NULL, client_main, c) != 0)
		return ml_err_set(err, ML_ENOMEM, NULL,
		    "could not start the client thread");
	c->thread_started = 1;
	return ML_OK;
}

void
ml_client_free(struct ml_client *c)
{
	struct client_host *h;
	size_t i;
	int started;

	if (c == NULL)
		return;
	/* Under the lock: a submit racing with us starts the thread there. */
	pthread_mutex_lock(&c->mu);
	c->stopping = 1;
	started = c->thread_started;
	pthread_mutex_unlock(&c->mu);
	if (started) {
		curl_multi_wakeup(c->multi);
		pthread_join(c->thread, NULL);
	}
	for (i = 0; i < c->nidle; i++)
		curl_easy_cleanup(c->idle[i]);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	if (c->curl_ready) {
		pthread_mutex_lock(&client_global_mu);
		curl_global_cleanup();
		pthread_mutex_unlock(&client_global_mu);
	}
	pthread_mutex_destroy(&c->mu);
	ml_free(c->connect_to);
	ml_free(c->ca_file);
	ml_free(c->proxy);
	while ((h = c->hosts) != NULL) {
		c->hosts = h->next;
		client_host_free(h);
	}
	ml_free(c);
}

int
ml_client_submit(struct ml_client *c, struct ml_request *req,
    ml_client_done_fn cb, void *ud, struct ml_err *err)
{
	struct client_xfer *x;
	int rc, wake = 0;

	if (c == NULL || req == NULL || cb == NULL || req->url == NULL)
		return ml_err_set(err, ML_EINVAL, NULL,
		    "nothing to submit (build the request first)");
	x = ml_malloc(sizeof(*x));
	if (x == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	/* The header nodes and error buffer are filled when x starts. */
	memset(x, 0, offsetof(struct client_xfer, hdrs));
	x->c = c;
	x->req = *req;
	x->cb = cb;
	x->ud = ud;
	x->attempt = 0;
	x->in_multi = 0;
	x->write_rc = ML_OK;
	x->due_ms = 0;
	ml_response_init(&x->resp);
	ml_buf_init(&x->body, c->opts.max_response);
	pthread_mutex_lock(&c->mu);
	rc = c->stopping ? ML_ECANCELED : client_start_thread(c, err);
	if (rc == ML_OK) {
		/* Only the submit that finds the queue empty wakes the
		 * thread: it takes the whole queue when it wakes. */
		wake = c->queue == NULL;
		*c->queue_tail = x;
		c->queue_tail = &x->next;
	}
	pthread_mutex_unlock(&c->mu);
	if (rc) {
		/* The request still belongs to the caller. */
		ml_buf_cleanup(&x->body);
		ml_free(x);
		if (rc == ML_ECANCELED)
			return ml_err_set(err, rc, "canceled",
			    "the MoEngage client is shutting down");
		return rc;
	}
	ml_request_init(req);
	/* From a completion callback the thread is awake already: it takes
	 * the queue before it polls again, without a wake-up. */
	if (pthread_equal(pthread_self(), c->thread))
		c->self_submit = 1;
	else if (wake)
		curl_multi_wakeup(c->multi);
	return ML_OK;
}

struct client_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
	int rc;
	struct ml_err err;
	struct ml_response *resp;
};

static void
client_send_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct client_wait *w = ud;

	pthread_mutex_lock(&w->mu);
	*w->resp = *resp;
	/* The body is now the waiter's. */
	resp->body = NULL;
	resp->body_len = 0;
	if (err != NULL) {
		w->err = *err;
		w->rc = err->code != ML_OK ? err->code : ML_EINTERNAL;
	}
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
ml_client_send(struct ml_client *c, struct ml_request *req,
    struct ml_response *resp, struct ml_err *err)
{
	struct client_wait w;
	int rc;

	ml_response_cleanup(resp);
	memset(&w, 0, sizeof(w));
	w.resp = resp;
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	rc = ml_client_submit(c, req, client_send_done, &w, err);
	if (rc) {
		ml_request_cleanup(req);
		goto out;
	}
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	rc = w.rc;
	if (rc && err != NULL)
		*err = w.err;
out:
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

int
ml_client_call(struct ml_client *c, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    struct ml_response *resp, struct ml_err *err)
{
	struct ml_request req;
	int rc;

	ml_request_init(&req);
	rc = ml_request_build(&req, a, acct, in, err);
	if (rc) {
		ml_response_cleanup(resp);
		return rc;
	}
	return ml_client_send(c, &req, resp, err);
}
