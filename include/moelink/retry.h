/* SPDX-License-Identifier: MIT */
/*
 * retry.h: the retry policy as a pure function, so it is tested with an
 * injected clock and random value, never by sleeping.
 *
 * - 429: wait for x-ratelimit-reset (epoch seconds if >= 1e9, else seconds
 *   remaining) or Retry-After (seconds or HTTP date); if both are present,
 *   the later one. A jitter of up to min(1 s, base_ms / 2) is added so that
 *   clients do not all return at the same instant, and the total is capped
 *   by max_wait_ms. If the headers ask for more than max_wait_ms, the 429
 *   is final at once: a retry before the window opens would only be
 *   refused again, so the caller gets the answer (and its reset) now. A
 *   429 with neither header backs off as below.
 * - 5xx (but 501 and 505, which a retry cannot fix): backoff
 *   base_ms * 2^(attempt-1), capped by max_backoff_ms, with jitter in
 *   [50%, 100%] of that; a Retry-After on the answer lengthens the wait
 *   (up to max_wait_ms).
 * - timeouts and transport failures (no answer): the same backoff, but only
 *   if the request is idempotent, because MoEngage may have acted on it
 *   (Data APIs do not deduplicate; a resent event is counted twice).
 * - any other 4xx, and 2xx: never retried.
 * - at most max_attempts requests in all (first try included).
 *
 * A policy field <= 0 means its default.
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

/* 6 attempts (1 + 5 retries, Data API docs), 2 s base, 30 s max backoff,
 * 65 s max rate-limit wait (one MoEngage window is 60 s). */
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
 * waiting *wait_ms; 0 if the outcome is final (*wait_ms is then 0). Pure:
 * no clock, no randomness, no allocation.
 */
int ml_retry_decide(const struct ml_retry_policy *p, const struct ml_attempt *a,
    long *wait_ms);

#endif
