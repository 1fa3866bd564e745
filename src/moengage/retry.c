/* SPDX-License-Identifier: MIT */
/*
 * retry.c: the retry decision (retry.h) as a pure function of one attempt's
 * outcome, an injected wall clock and an injected random value, so every
 * rule is unit-tested without sleeping. The client thread turns the wait
 * into a due time; nothing here blocks.
 */
#include <moelink/retry.h>

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>

#include <moelink/err.h>

#define RETRY_DEF_ATTEMPTS 6
#define RETRY_DEF_BASE_MS 2000L
#define RETRY_DEF_MAX_BACKOFF_MS 30000L
#define RETRY_DEF_MAX_WAIT_MS 65000L
/* x-ratelimit-reset values at or above this are epoch seconds (2001+). */
#define RETRY_EPOCH_MIN 1000000000LL
#define RETRY_JITTER_MAX_MS 1000L

struct ml_retry_policy
ml_retry_policy_default(void)
{
	struct ml_retry_policy p = {
		RETRY_DEF_ATTEMPTS, RETRY_DEF_BASE_MS,
		RETRY_DEF_MAX_BACKOFF_MS, RETRY_DEF_MAX_WAIT_MS,
	};

	return p;
}

static struct ml_retry_policy
retry_effective(const struct ml_retry_policy *p)
{
	struct ml_retry_policy d = ml_retry_policy_default();

	if (p == NULL)
		return d;
	if (p->max_attempts > 0)
		d.max_attempts = p->max_attempts;
	if (p->base_ms > 0)
		d.base_ms = p->base_ms;
	if (p->max_backoff_ms > 0)
		d.max_backoff_ms = p->max_backoff_ms;
	if (p->max_wait_ms > 0)
		d.max_wait_ms = p->max_wait_ms;
	return d;
}

/* base * 2^(attempt-1), capped, with jitter in [50%, 100%]. */
static long
retry_backoff(const struct ml_retry_policy *p, int attempt, uint32_t rnd)
{
	long b = p->base_ms, half;
	int i;

	for (i = 1; i < attempt && b < p->max_backoff_ms; i++)
		b = b > p->max_backoff_ms / 2 ? p->max_backoff_ms : b * 2;
	if (b > p->max_backoff_ms)
		b = p->max_backoff_ms;
	half = b / 2;
	return half + (long)(rnd % (uint32_t)(b - half + 1));
}

/*
 * Leading decimal seconds of a header value ("23", " 23.4", "5;w=60");
 * the fraction rounds up. -1 if there is no number.
 */
static long long
retry_seconds(const char *s)
{
	long long v;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v > 4000000000000LL)
		return -1;
	if (*end == '.' && end[1] >= '1' && end[1] <= '9')
		v++;
	return v;
}

/* Milliseconds the headers ask us to wait; -1 if they say nothing. */
static long long
retry_header_wait(const struct ml_attempt *a)
{
	long long wait = -1, v, ms;
	time_t t;

	if (a->ratelimit_reset != NULL) {
		v = retry_seconds(a->ratelimit_reset);
		if (v >= RETRY_EPOCH_MIN)
			ms = v * 1000 - a->now_ms;
		else
			ms = v * 1000;
		if (v >= 0)
			wait = ms > 0 ? ms : 0;
	}
	if (a->retry_after != NULL) {
		v = retry_seconds(a->retry_after);
		if (v >= 0) {
			ms = v * 1000;
		} else {
			/* An HTTP date: curl's parser, not ours. */
			t = curl_getdate(a->retry_after, NULL);
			ms = t == (time_t)-1 ? -1 :
			    (long long)t * 1000 - a->now_ms;
			if (t != (time_t)-1 && ms < 0)
				ms = 0;
		}
		if (ms > wait)
			wait = ms;
	}
	return wait;
}

int
ml_retry_decide(const struct ml_retry_policy *policy,
    const struct ml_attempt *a, long *wait_ms)
{
	struct ml_retry_policy p = retry_effective(policy);
	long long hw, w;
	long jitter;

	*wait_ms = 0;
	if (a->attempt >= p.max_attempts)
		return 0;
	if (a->status == 429) {
		hw = retry_header_wait(a);
		/* The window opens after the longest wait allowed: final. */
		if (hw > p.max_wait_ms)
			return 0;
		if (hw >= 0) {
			jitter = p.base_ms / 2 < RETRY_JITTER_MAX_MS ?
			    p.base_ms / 2 : RETRY_JITTER_MAX_MS;
			w = hw + (long long)(a->rnd % (uint32_t)(jitter + 1));
		} else {
			w = retry_backoff(&p, a->attempt, a->rnd);
		}
		*wait_ms = (long)(w < p.max_wait_ms ? w : p.max_wait_ms);
		return 1;
	}
	if (a->status >= 500 && a->status <= 599 && a->status != 501 &&
	    a->status != 505) {
		w = retry_backoff(&p, a->attempt, a->rnd);
		hw = a->retry_after != NULL ? retry_header_wait(a) : -1;
		if (hw > w)
			w = hw < p.max_wait_ms ? hw : p.max_wait_ms;
		*wait_ms = (long)w;
		return 1;
	}
	if (a->status == 0 && a->idempotent &&
	    (a->transport_rc == ML_ETIMEOUT || a->transport_rc == ML_ENET)) {
		*wait_ms = retry_backoff(&p, a->attempt, a->rnd);
		return 1;
	}
	return 0;
}
