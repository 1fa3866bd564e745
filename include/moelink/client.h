/* SPDX-License-Identifier: MIT */
/*
 * client.h: the MoEngage HTTP client. One libcurl-multi thread per client
 * runs every transfer; HTTP/2 multiplexing per host over TLS where offered,
 * keep-alive otherwise. Callers submit built requests asynchronously (a
 * completion callback on the client thread) or call the blocking wrapper.
 * Retries (429 with x-ratelimit-reset / Retry-After, 5xx and timeouts with
 * jittered backoff) happen inside the client according to retry.h.
 *
 * The library reads no environment: the front end passes MOELINK_* settings
 * (and a proxy, if it wants one) through struct ml_client_opts.
 */
#ifndef MOELINK_CLIENT_H
#define MOELINK_CLIENT_H

#include <stdint.h>

#include <moelink/account.h>
#include <moelink/catalog.h>
#include <moelink/err.h>
#include <moelink/request.h>
#include <moelink/retry.h>

struct ml_client;

struct ml_client_opts {
	const char *connect_to;		/* "HOST:PORT": every MoEngage host connects there */
	const char *ca_file;		/* extra CA bundle to trust; NULL = system */
	const char *proxy;		/* libcurl proxy URL; NULL = no proxy (the
					 * *_proxy variables are not read) */
	long connect_timeout_ms;	/* 0 = 5000 */
	long timeout_ms;		/* per attempt; 0 = 30000 */
	size_t max_response;		/* bytes; 0 = 8 MiB */
	int http1_only;			/* 1 = never negotiate HTTP/2 */
	int max_host_connections;	/* 0 = 8 */
	struct ml_retry_policy retry;	/* zeroed = ml_retry_policy_default() */
};

/* Fill opts with defaults (all zero is also accepted). */
void ml_client_opts_init(struct ml_client_opts *opts);

/*
 * Make a client. Its thread, curl multi handle and libcurl's global
 * initialisation wait for the first submit, so an unused client costs
 * almost nothing.
 */
int ml_client_new(const struct ml_client_opts *opts, struct ml_client **out,
    struct ml_err *err);
/*
 * Stop the thread; transfers still in flight complete with ML_ECANCELED.
 * NULL is a no-op.
 */
void ml_client_free(struct ml_client *c);

/*
 * Completion callback, run on the client thread. resp and err are valid only
 * during the call; the callback may take resp->body (set it to NULL). err is
 * NULL on success (2xx, not a 200-with-Fail); otherwise it carries the
 * normalized error (transport, or MoEngage's envelope parsed per req->envelope).
 */
typedef void (*ml_client_done_fn)(void *ud, struct ml_response *resp,
    const struct ml_err *err);

/*
 * Submit req. On ML_OK the client owns *req's contents (req is reset as by
 * ml_request_init) and cb will be called exactly once. On error, nothing was
 * submitted, req is unchanged and cb is never called. May be called from any
 * thread, also from a completion callback (the cheapest way to keep requests
 * flowing: no thread wake-up). Requests beyond max_host_connections for a
 * host wait in the client and start in the order they were submitted.
 */
int ml_client_submit(struct ml_client *c, struct ml_request *req,
    ml_client_done_fn cb, void *ud, struct ml_err *err);

/*
 * Blocking: send req (cleaned up on return in every case) and wait. resp gets
 * the final answer (even on a MoEngage error, so callers can show the body).
 * Returns ML_OK on success or the error code, with err filled.
 */
int ml_client_send(struct ml_client *c, struct ml_request *req,
    struct ml_response *resp, struct ml_err *err);

/*
 * Blocking convenience: build the request for action a on acct with input in
 * (validation first; nothing is sent on a local error), send, normalize.
 */
int ml_client_call(struct ml_client *c, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    struct ml_response *resp, struct ml_err *err);

#endif
