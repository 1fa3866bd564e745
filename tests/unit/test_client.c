/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the client's transport behaviour without a MoEngage
 * simulator: refused connections, silent servers (timeouts), cancellation
 * on shutdown, more requests than connections (the client's own per-host
 * queue), and local errors that must send nothing. Every "server" is a
 * socket of this process on 127.0.0.1; full exchanges are covered by
 * tests/integration/test_call_data.py against `moelink sim`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <moelink/client.h>
#include <moelink/json.h>

/* A listening socket that never accepts: TCP connects, TLS never starts. */
static int
silent_server(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A port nothing listens on. */
static int
closed_port(void)
{
	int port, fd = silent_server(&port);

	close(fd);
	return port;
}

/* Connections the silent server received so far. */
static int
accepted(int fd)
{
	int n = 0, c;

	while ((c = accept(fd, NULL, NULL)) >= 0) {
		close(c);
		n++;
	}
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	return n;
}

static struct ml_client *
client(int port, long timeout_ms, int attempts)
{
	struct ml_client_opts o;
	struct ml_client *c = NULL;
	char ct[64];
	struct ml_err err;

	snprintf(ct, sizeof(ct), "127.0.0.1:%d", port);
	ml_client_opts_init(&o);
	o.connect_to = ct;
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = timeout_ms;
	o.retry.max_attempts = attempts;
	o.retry.base_ms = 5;
	o.retry.max_backoff_ms = 20;
	if (ml_client_new(&o, &c, &err) != ML_OK)
		fail_msg("ml_client_new: %s", err.msg);
	return c;
}

static void
account(struct ml_account *a)
{
	ml_account_init(a);
	assert_int_equal(ml_account_set(a, "WS_US01", "01", NULL), ML_OK);
	assert_int_equal(ml_keyset_set(&a->keys, ML_KEY_DATA, "k"), ML_OK);
}

static int
call(struct ml_client *c, const char *action, const char *body,
    struct ml_response *resp, struct ml_err *err)
{
	struct ml_call_input in;
	struct ml_account acct;
	int rc;

	account(&acct);
	memset(&in, 0, sizeof(in));
	if (body != NULL)
		assert_int_equal(ml_json_parse(body, strlen(body), 0, 0,
		    &in.body, NULL), ML_OK);
	ml_response_init(resp);
	ml_err_clear(err);
	rc = ml_client_call(c, ml_catalog_find(action), &acct, &in, resp, err);
	json_object_put(in.body);
	ml_account_cleanup(&acct);
	return rc;
}

#define EVENT_BODY "{\"type\":\"event\",\"customer_id\":\"u1\",\"actions\":" \
	"[{\"action\":\"Bought\"}]}"

static void
client_refused_connection_is_retried_then_reported(void **state)
{
	struct ml_response resp;
	struct ml_client *c;
	struct ml_err err;

	(void)state;
	c = client(closed_port(), 2000, 3);
	/* Nothing left the machine, so even an event may be resent. */
	assert_int_equal(call(c, "moengage_track_event", EVENT_BODY, &resp,
	    &err), ML_ENET);
	assert_string_equal(err.kind, "network_error");
	assert_non_null(strstr(err.msg, "api-01.moengage.com"));
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(resp.status, 0);
	ml_response_cleanup(&resp);
	ml_client_free(c);
}

static void
client_timeout_resends_only_idempotent_requests(void **state)
{
	struct ml_response resp;
	struct ml_client *c;
	struct ml_err err;
	int fd, port;

	(void)state;
	fd = silent_server(&port);
	c = client(port, 150, 2);
	/* An event may have been recorded: one attempt only. */
	assert_int_equal(call(c, "moengage_track_event", EVENT_BODY, &resp,
	    &err), ML_ETIMEOUT);
	assert_string_equal(err.kind, "timeout");
	assert_int_equal(resp.attempts, 1);
	ml_response_cleanup(&resp);
	assert_int_equal(accepted(fd), 1);
	/* Test Connection only reads: sent again. */
	assert_int_equal(call(c, "moengage_test_connection", NULL, &resp,
	    &err), ML_ETIMEOUT);
	assert_int_equal(resp.attempts, 2);
	ml_response_cleanup(&resp);
	ml_client_free(c);
	assert_int_equal(accepted(fd), 2);
	close(fd);
}

static void
client_local_errors_send_nothing(void **state)
{
	struct ml_response resp;
	struct ml_client *c;
	struct ml_err err;
	int fd, port;

	(void)state;
	fd = silent_server(&port);
	c = client(port, 2000, 3);
	assert_int_equal(call(c, "moengage_track_event", "{\"type\":\"event\","
	    "\"customer_id\":\"u1\",\"actions\":[]}", &resp, &err), ML_EINVAL);
	assert_string_equal(err.kind, "validation_failed");
	assert_int_equal(resp.attempts, 0);
	ml_response_cleanup(&resp);
	ml_client_free(c);
	assert_int_equal(accepted(fd), 0);
	close(fd);
}

struct counter {
	pthread_mutex_t mu;
	int calls;
	int canceled;
};

static void
count_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct counter *k = ud;

	(void)resp;
	pthread_mutex_lock(&k->mu);
	k->calls++;
	if (err != NULL && err->code == ML_ECANCELED &&
	    strcmp(err->kind, "canceled") == 0)
		k->canceled++;
	pthread_mutex_unlock(&k->mu);
}

static void
client_free_cancels_pending_work_once(void **state)
{
	struct counter k = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	struct ml_account acct;
	struct ml_request req;
	struct ml_client *c;
	struct ml_err err;
	int fd, port, i;

	(void)state;
	fd = silent_server(&port);
	c = client(port, 60000, 6);
	account(&acct);
	for (i = 0; i < 5; i++) {
		assert_int_equal(ml_request_build(&req,
		    ml_catalog_find("moengage_test_connection"), &acct, NULL,
		    &err), ML_OK);
		assert_int_equal(ml_client_submit(c, &req, count_done, &k,
		    &err), ML_OK);
		/* The client owns the request now. */
		assert_null(req.url);
	}
	ml_client_free(c);
	assert_int_equal(k.calls, 5);
	assert_int_equal(k.canceled, 5);
	ml_account_cleanup(&acct);
	close(fd);
}

/* Build Test Connection requests on acct and submit them with cb. */
static void
submit_n(struct ml_client *c, struct ml_account *acct, int n,
    ml_client_done_fn cb, void **uds)
{
	struct ml_request req;
	struct ml_err err;
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(ml_request_build(&req,
		    ml_catalog_find("moengage_test_connection"), acct, NULL,
		    &err), ML_OK);
		assert_int_equal(ml_client_submit(c, &req, cb, uds[i], &err),
		    ML_OK);
	}
}

/* Completions in the order they arrived. */
#define ORDER_MAX 8

struct order;

struct order_slot {
	struct order *o;
	int i;
};

struct order {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n;
	int seen[ORDER_MAX];
	int code[ORDER_MAX];
	char kind[ORDER_MAX][48];
	char msg[ORDER_MAX][ML_ERR_MSG_LEN];
	struct order_slot slot[ORDER_MAX];
	void *uds[ORDER_MAX];
};

static void
order_init(struct order *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	for (i = 0; i < ORDER_MAX; i++) {
		o->slot[i].o = o;
		o->slot[i].i = i;
		o->uds[i] = &o->slot[i];
	}
}

static void
order_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct order_slot *s = ud;
	struct order *o = s->o;

	(void)resp;
	pthread_mutex_lock(&o->mu);
	o->seen[o->n] = s->i;
	o->code[o->n] = err != NULL ? err->code : ML_OK;
	ml_strlcpy(o->kind[o->n], err != NULL ? err->kind : "",
	    sizeof(o->kind[o->n]));
	ml_strlcpy(o->msg[o->n], err != NULL ? err->msg : "",
	    sizeof(o->msg[o->n]));
	o->n++;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

/* A TLS peer that accepts n connections, reads the ClientHello of each
 * and hangs up: every request fails at once, with nothing sent. */
struct hangup {
	int fd;
	int n;
};

static void *
hangup_main(void *arg)
{
	struct hangup *h = arg;
	struct pollfd p = { h->fd, POLLIN, 0 };
	char buf[512];
	int i, c;

	for (i = 0; i < h->n; i++) {
		assert_true(poll(&p, 1, -1) == 1);
		c = accept(h->fd, NULL, NULL);
		assert_true(c >= 0);
		(void)read(c, buf, sizeof(buf));
		close(c);
	}
	return NULL;
}

/* A client of one attempt per request against a new hangup peer of
 * ORDER_MAX connections (its thread in *t); conns 0 = the default. */
static struct ml_client *
hangup_client(struct hangup *h, pthread_t *t, int conns)
{
	struct ml_client_opts opts;
	struct ml_client *c = NULL;
	struct ml_err err;
	char ct[64];
	int port;

	h->fd = silent_server(&port);
	h->n = ORDER_MAX;
	assert_int_equal(pthread_create(t, NULL, hangup_main, h), 0);
	snprintf(ct, sizeof(ct), "127.0.0.1:%d", port);
	ml_client_opts_init(&opts);
	opts.connect_to = ct;
	if (conns > 0)
		opts.max_host_connections = conns;
	opts.retry.max_attempts = 1;
	assert_int_equal(ml_client_new(&opts, &c, &err), ML_OK);
	return c;
}

/* Wait until n completions have arrived. */
static void
order_wait(struct order *o, int n)
{
	pthread_mutex_lock(&o->mu);
	while (o->n < n)
		pthread_cond_wait(&o->cv, &o->mu);
	pthread_mutex_unlock(&o->mu);
}

static void
client_more_requests_than_connections_complete_in_order(void **state)
{
	struct order o;
	struct ml_account acct;
	struct ml_client *c;
	struct hangup h;
	pthread_t t;
	int i;

	(void)state;
	c = hangup_client(&h, &t, 1);
	account(&acct);
	order_init(&o);
	/* 8 submitted at once on one connection: 7 wait their turn. */
	submit_n(c, &acct, ORDER_MAX, order_done, o.uds);
	order_wait(&o, ORDER_MAX);
	for (i = 0; i < ORDER_MAX; i++) {
		/* Each was sent (and failed) in its turn, none canceled. */
		assert_int_equal(o.seen[i], i);
		assert_int_equal(o.code[i], ML_ENET);
		assert_string_equal(o.kind[i], "network_error");
	}
	/* One connection per request: none was attempted twice. */
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(accepted(h.fd), 0);
	ml_client_free(c);
	ml_account_cleanup(&acct);
	close(h.fd);
}

/* Each completion submits the next request from the callback itself. */
struct chain {
	struct order o;
	struct ml_client *c;
	struct ml_account acct;
	int next;
};

static void
chain_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct order_slot *s = ud;
	struct chain *k = (struct chain *)(void *)s->o;
	struct ml_request req;
	struct ml_err e;

	if (k->next < ORDER_MAX) {
		assert_int_equal(ml_request_build(&req,
		    ml_catalog_find("moengage_test_connection"), &k->acct,
		    NULL, &e), ML_OK);
		assert_int_equal(ml_client_submit(k->c, &req, chain_done,
		    k->o.uds[k->next], &e), ML_OK);
		k->next++;
	}
	order_done(ud, resp, err);
}

static void
client_submit_from_a_callback_is_sent(void **state)
{
	struct chain k;
	struct hangup h;
	pthread_t t;
	int i;

	(void)state;
	order_init(&k.o);
	k.c = hangup_client(&h, &t, 0);
	account(&k.acct);
	k.next = 1;
	submit_n(k.c, &k.acct, 1, chain_done, k.o.uds);
	order_wait(&k.o, ORDER_MAX);
	for (i = 0; i < ORDER_MAX; i++) {
		assert_int_equal(k.o.seen[i], i);
		assert_string_equal(k.o.kind[i], "network_error");
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	ml_client_free(k.c);
	ml_account_cleanup(&k.acct);
	close(h.fd);
}

static void
client_free_cancels_requests_waiting_for_a_connection(void **state)
{
	struct order o;
	struct ml_client_opts opts;
	struct ml_account acct;
	struct ml_client *c = NULL;
	struct ml_err err;
	struct pollfd p;
	char ct[64];
	int fd, port, i;

	(void)state;
	fd = silent_server(&port);
	snprintf(ct, sizeof(ct), "127.0.0.1:%d", port);
	ml_client_opts_init(&opts);
	opts.connect_to = ct;
	opts.max_host_connections = 1;
	opts.timeout_ms = opts.connect_timeout_ms = 60000;
	assert_int_equal(ml_client_new(&opts, &c, &err), ML_OK);
	account(&acct);
	order_init(&o);
	submit_n(c, &acct, 4, order_done, o.uds);
	/* The first request has its connection (its TLS never starts). */
	p.fd = fd;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, -1), 1);
	ml_client_free(c);
	assert_int_equal(o.n, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(o.code[i], ML_ECANCELED);
		assert_string_equal(o.kind[i], "canceled");
		assert_non_null(strstr(o.msg[i], "shut down before"));
	}
	/* The three behind it never connected. */
	assert_int_equal(accepted(fd), 1);
	ml_account_cleanup(&acct);
	close(fd);
}

/* Test Connection against a target that never answers TLS, with proxy
 * (NULL = none) configured; the callers count where the connection went. */
static void
call_via(int target_port, const char *proxy)
{
	struct ml_client_opts o;
	struct ml_response resp;
	struct ml_client *c = NULL;
	struct ml_err err;
	char ct[64];

	snprintf(ct, sizeof(ct), "127.0.0.1:%d", target_port);
	ml_client_opts_init(&o);
	o.connect_to = ct;
	o.proxy = proxy;
	o.timeout_ms = o.connect_timeout_ms = 150;
	o.retry.max_attempts = 1;
	assert_int_equal(ml_client_new(&o, &c, &err), ML_OK);
	assert_int_not_equal(call(c, "moengage_test_connection", NULL, &resp,
	    &err), ML_OK);
	ml_response_cleanup(&resp);
	ml_client_free(c);
}

static void
client_uses_only_the_configured_proxy(void **state)
{
	int target, tport, proxy, pport;
	char url[64];

	(void)state;
	target = silent_server(&tport);
	proxy = silent_server(&pport);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", pport);
	/* The library reads no environment: libcurl must not either. */
	setenv("https_proxy", url, 1);
	setenv("HTTPS_PROXY", url, 1);
	setenv("ALL_PROXY", url, 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	call_via(tport, NULL);
	assert_int_equal(accepted(target), 1);
	assert_int_equal(accepted(proxy), 0);
	/* A proxy passed in the options is used. */
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	call_via(tport, url);
	assert_int_equal(accepted(target), 0);
	assert_int_equal(accepted(proxy), 1);
	close(target);
	close(proxy);
}

static void
client_rejects_bad_options_and_requests(void **state)
{
	struct ml_client_opts o;
	struct ml_request req;
	struct ml_client *c = NULL;
	struct ml_err err;

	(void)state;
	ml_client_opts_init(&o);
	o.connect_to = "no-port";
	assert_int_equal(ml_client_new(&o, &c, &err), ML_EINVAL);
	assert_null(c);
	o.connect_to = "127.0.0.1:99999";
	assert_int_equal(ml_client_new(&o, &c, &err), ML_EINVAL);
	o.connect_to = NULL;
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(ml_client_new(&o, &c, &err), ML_EIO);
	assert_non_null(strstr(err.msg, "CA file"));
	assert_int_equal(ml_client_new(NULL, &c, &err), ML_OK);
	/* An unbuilt request is refused and the callback never runs. */
	ml_request_init(&req);
	assert_int_equal(ml_client_submit(c, &req, count_done, NULL, &err),
	    ML_EINVAL);
	ml_client_free(c);
	ml_client_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_refused_connection_is_retried_then_reported),
		cmocka_unit_test(client_timeout_resends_only_idempotent_requests),
		cmocka_unit_test(client_local_errors_send_nothing),
		cmocka_unit_test(client_free_cancels_pending_work_once),
		cmocka_unit_test(client_more_requests_than_connections_complete_in_order),
		cmocka_unit_test(client_free_cancels_requests_waiting_for_a_connection),
		cmocka_unit_test(client_submit_from_a_callback_is_sent),
		cmocka_unit_test(client_uses_only_the_configured_proxy),
		cmocka_unit_test(client_rejects_bad_options_and_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
