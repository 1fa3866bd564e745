/* SPDX-License-Identifier: MIT */
/*
 * retry.h: the retry policy as a pure function, so it is tested with an
 * injected clock and random value, never by sleeping.
 *
 * - 429: wait for x-ratelimit-reset (epoch seconds if >= 1e9, else seconds
 *   remaining) or Retry-After (seconds or HTTP date), capped by max_wait_ms.
 * - 5xx, timeouts, dropped connections: backoff base_ms * 2^(attempt-1) with
 *   full jitter in [50%, 100%], capped by max_backoff_ms.
 * - any other 4xx, and 2xx: never retried.
 * - at most max_attempts requests in all (first try included).
 */
#ifndef MOELINK_RETRY_H
#define MOELINK_RETRY_H

#include <stdint.h>

struct ml_retry_policy {
	int max_attempts;	/* total tries; Data API docs: 1 + 5 retries */
	long base_ms;		/* first backoff; Data API docs: 2000 */
	long max_backoff_ms;	/* cap of one backoff */
	long max_wait_ms;	/* cap of one rate-limit wait */
};

struct ml_retry_policy ml_retry_policy_default(void);

/* What happened on one attempt. */
struct ml_attempt {
	int attempt;			/* 1-based number of the attempt just made */
	int status;			/* HTTP status, 0 if no answer */
	int transport_rc;		/* 0, ML_ETIMEOUT, ML_ENET */
	int idempotent;			/* request safe to resend after no answer */
	const char *ratelimit_reset;	/* header value or NULL */
	const char *retry_after;	/* header value or NULL */
	int64_t now_ms;			/* wall clock, epoch milliseconds */
	uint32_t rnd;			/* uniform random value for jitter */
};

/*
 * Returns 1 and sets *wait_ms if the request should be sent again after
 * waiting *wait_ms; 0 if the outcome is final.
 */
int ml_retry_decide(const struct ml_retry_policy *p, const struct ml_attempt *a,
    long *wait_ms);

#endif
