/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.c: token buckets per workspace with an injected clock (see
 * ratelimit.h). Tokens are doubles so slow rates (1,000 merges a minute is
 * one token every 60 ms) refill smoothly without rounding drift. The clock
 * never goes backwards here: an earlier now_ms than the last refill counts
 * as no time passed.
 */
#include <moelink/ratelimit.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

static const char *const rl_names[ML_RL_KIND_COUNT] = {
	"users", "events", "merges", "deletes"
};

const char *
ml_rl_kind_name(enum ml_rl_kind k)
{
	if ((int)k < 0 || k >= ML_RL_KIND_COUNT)
		return "unknown";
	return rl_names[k];
}

void
ml_ratelimit_opts_init(struct ml_ratelimit_opts *o)
{
	o->per_min[ML_RL_USERS] = ML_RL_DEFAULT_USERS;
	o->per_min[ML_RL_EVENTS] = ML_RL_DEFAULT_EVENTS;
	o->per_min[ML_RL_MERGES] = ML_RL_DEFAULT_MERGES;
	o->per_min[ML_RL_DELETES] = ML_RL_DEFAULT_DELETES;
	o->headroom_pct = ML_RL_DEFAULT_HEADROOM_PCT;
	o->burst_ms = ML_RL_DEFAULT_BURST_MS;
}

int
ml_ratelimit_opts_check(const struct ml_ratelimit_opts *o, struct ml_err *err)
{
	int k;

	for (k = 0; k < ML_RL_KIND_COUNT; k++) {
		if (o->per_min[k] < 1 || o->per_min[k] > 100000000L) {
			ml_err_set(err, ML_EINVAL, "invalid_rate_limit",
			    "%s per minute must be 1..100000000 (got %ld)",
			    rl_names[k], o->per_min[k]);
			ml_err_field(err, rl_names[k]);
			return ML_EINVAL;
		}
	}
	if (o->headroom_pct < 0 || o->headroom_pct > 50) {
		ml_err_set(err, ML_EINVAL, "invalid_rate_limit",
		    "headroom must be 0..50 percent (got %d)", o->headroom_pct);
		ml_err_field(err, "headroom_pct");
		return ML_EINVAL;
	}
	if (o->burst_ms < 1 || o->burst_ms > 60000) {
		ml_err_set(err, ML_EINVAL, "invalid_rate_limit",
		    "burst must be 1..60000 ms (got %ld)", o->burst_ms);
		ml_err_field(err, "burst_ms");
		return ML_EINVAL;
	}
	return ML_OK;
}

void
ml_ratelimit_init(struct ml_ratelimit *rl, const struct ml_ratelimit_opts *o,
    int64_t now_ms)
{
	struct ml_ratelimit_opts d;
	double per_min;
	long burst;
	int k, head;

	if (o == NULL) {
		ml_ratelimit_opts_init(&d);
		o = &d;
	}
	head = o->headroom_pct < 0 ? 0 : o->headroom_pct > 50 ? 50 :
	    o->headroom_pct;
	burst = o->burst_ms < 1 ? 1 : o->burst_ms > 60000 ? 60000 :
	    o->burst_ms;
	for (k = 0; k < ML_RL_KIND_COUNT; k++) {
		per_min = o->per_min[k] < 1 ? 1.0 : (double)o->per_min[k];
		rl->b[k].per_ms = per_min * (100 - head) / 100.0 / 60000.0;
		rl->b[k].capacity = rl->b[k].per_ms * (double)burst;
		if (rl->b[k].capacity < 1.0)
			rl->b[k].capacity = 1.0;
		rl->b[k].tokens = 0.0;
		rl->b[k].last_ms = now_ms;
	}
	rl->paused_until_ms = 0;
}

long
ml_ratelimit_capacity(const struct ml_ratelimit *rl, enum ml_rl_kind k)
{
	long c;

	if ((int)k < 0 || k >= ML_RL_KIND_COUNT)
		return 1;
	c = (long)rl->b[k].capacity;
	return c < 1 ? 1 : c;
}

static void
bucket_refill(struct ml_bucket *b, int64_t now_ms)
{
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * b->per_ms;
		if (b->tokens > b->capacity)
			b->tokens = b->capacity;
		b->last_ms = now_ms;
	}
}

/* Milliseconds until b holds `want` tokens (0 if it does). */
static long
bucket_wait(const struct ml_bucket *b, double want)
{
	double ms;

	if (b->tokens >= want)
		return 0;
	ms = (want - b->tokens) / b->per_ms;
	if (ms > (double)LONG_MAX / 2)
		return LONG_MAX / 2;
	return (long)ms + 1;
}

int
ml_ratelimit_take(struct ml_ratelimit *rl, const long need[ML_RL_KIND_COUNT],
    int64_t now_ms, long *wait_ms)
{
	long w, worst = 0;
	double want;
	int k;

	if (rl->paused_until_ms > now_ms) {
		*wait_ms = (long)(rl->paused_until_ms - now_ms);
		return 0;
	}
	for (k = 0; k < ML_RL_KIND_COUNT; k++) {
		bucket_refill(&rl->b[k], now_ms);
		if (need[k] <= 0)
			continue;
		/* Above capacity: wait for a full bucket, then go into debt. */
		want = (double)need[k] < rl->b[k].capacity ? (double)need[k] :
		    rl->b[k].capacity;
		w = bucket_wait(&rl->b[k], want);
		if (w > worst)
			worst = w;
	}
	if (worst > 0) {
		*wait_ms = worst;
		return 0;
	}
	for (k = 0; k < ML_RL_KIND_COUNT; k++)
		if (need[k] > 0)
			rl->b[k].tokens -= (double)need[k];
	*wait_ms = 0;
	return 1;
}

void
ml_ratelimit_pause_until(struct ml_ratelimit *rl, int64_t until_ms)
{
	int k;

	if (until_ms <= rl->paused_until_ms)
		return;
	rl->paused_until_ms = until_ms;
	/* The window MoEngage resets empties; ours must not burst after it. */
	for (k = 0; k < ML_RL_KIND_COUNT; k++)
		if (rl->b[k].tokens > 0)
			rl->b[k].tokens = 0;
}

/* A non-negative decimal integer header value; -1 if it is not one. */
static long long
rl_parse_seconds(const char *s)
{
	long long v;
	char *end;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v > 100000000000LL)
		return -1;
	/* "5, 5;w=60" style lists: take the first value. */
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' && *end != ',' && *end != ';')
		return -1;
	return v;
}

long
ml_ratelimit_reset_wait(const char *reset, const char *retry_after,
    int64_t now_ms, long dflt_ms, long max_ms)
{
	long long r, a, best = -1;

	r = rl_parse_seconds(reset);
	if (r >= 1000000000LL) {
		/* Epoch seconds. */
		r = r * 1000 - now_ms;
		best = r < 0 ? 0 : r;
	} else if (r >= 0)
		best = r * 1000;
	a = rl_parse_seconds(retry_after);
	if (a >= 0 && a * 1000 > best)
		best = a * 1000;
	if (best < 0)
		best = dflt_ms;
	if (best < 1000)
		best = 1000;
	if (max_ms > 0 && best > max_ms)
		best = max_ms;
	return (long)best;
}
