/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.h: per-workspace pacing for the delivery worker. One token
 * bucket per kind of unit MoEngage limits per minute: users and events
 * (Bulk Import: 60,000 users + 60,000 events per minute, data.yaml), merged
 * user pairs (Merge Users: 1,000 per minute) and delete requests (5,000 per
 * minute). Plus a "paused until" set from a 429's reset.
 *
 * Pacing never lets any 60-second window (sliding or fixed, however aligned)
 * see more than the limit: the bucket refills at (100 - headroom)% of the
 * limit and holds at most burst_ms worth of tokens, so a window sees at most
 * capacity + refill * 60 s < limit. The bucket starts empty, so a restart
 * cannot add a burst on top of what the previous process sent.
 *
 * Pure: the clock is passed in (epoch or monotonic milliseconds, the same
 * source for every call on one struct); nothing sleeps. Not thread-safe:
 * one struct per workspace, used under the caller's lock.
 */
#ifndef MOELINK_RATELIMIT_H
#define MOELINK_RATELIMIT_H

#include <stdint.h>

#include <moelink/err.h>

enum ml_rl_kind {
	ML_RL_USERS = 0,	/* Bulk Import users (customer, device elements) */
	ML_RL_EVENTS,		/* Bulk Import events (actions) */
	ML_RL_MERGES,		/* Merge Users pairs */
	ML_RL_DELETES,		/* Delete User requests */
	ML_RL_KIND_COUNT
};

/* MoEngage's documented per-workspace limits, per minute. */
#define ML_RL_DEFAULT_USERS 60000L
#define ML_RL_DEFAULT_EVENTS 60000L
#define ML_RL_DEFAULT_MERGES 1000L
#define ML_RL_DEFAULT_DELETES 5000L
#define ML_RL_DEFAULT_HEADROOM_PCT 3
#define ML_RL_DEFAULT_BURST_MS 1000L

struct ml_ratelimit_opts {
	long per_min[ML_RL_KIND_COUNT];	/* limit per minute; > 0 */
	int headroom_pct;		/* 0..50: pace this far below the limit */
	long burst_ms;			/* 1..60000: bucket size in refill time */
};

struct ml_bucket {
	double tokens;
	double capacity;
	double per_ms;		/* refill rate */
	int64_t last_ms;	/* time of the last refill */
};

struct ml_ratelimit {
	struct ml_bucket b[ML_RL_KIND_COUNT];
	int64_t paused_until_ms;	/* 0 = not paused */
};

/* "users", "events", "merges", "deletes". */
const char *ml_rl_kind_name(enum ml_rl_kind k);

/* MoEngage's documented limits and the default headroom and burst. */
void ml_ratelimit_opts_init(struct ml_ratelimit_opts *o);
/* ML_EINVAL with err->field for a value out of range. */
int ml_ratelimit_opts_check(const struct ml_ratelimit_opts *o,
    struct ml_err *err);

/* Start with empty buckets at now_ms (out-of-range options are clamped). */
void ml_ratelimit_init(struct ml_ratelimit *rl,
    const struct ml_ratelimit_opts *o, int64_t now_ms);

/*
 * The most units of kind k one take can need while still being possible
 * without debt (the bucket size, at least 1). Cap a batch's units by this.
 */
long ml_ratelimit_capacity(const struct ml_ratelimit *rl, enum ml_rl_kind k);

/*
 * Spend need[k] units of every kind at once, or nothing. Returns 1 when
 * spent. Returns 0 when not possible now, with *wait_ms (>= 1) the time
 * after which it will be (the pause's end, or the refill of the scarcest
 * bucket). A need above the capacity is allowed once the bucket is full and
 * leaves it in debt, so an oversized request is delayed, never starved.
 */
int ml_ratelimit_take(struct ml_ratelimit *rl,
    const long need[ML_RL_KIND_COUNT], int64_t now_ms, long *wait_ms);

/* Pause every kind until until_ms (a later pause extends, never shortens). */
void ml_ratelimit_pause_until(struct ml_ratelimit *rl, int64_t until_ms);

/*
 * How long a 429 asks to wait, in ms: x-ratelimit-reset is epoch seconds
 * when >= 1e9 and seconds remaining otherwise (MoEngage documents both);
 * Retry-After is seconds. The larger of the two that parse, at least 1000
 * ms, at most max_ms; dflt_ms when neither parses. Headers may be NULL.
 */
long ml_ratelimit_reset_wait(const char *reset, const char *retry_after,
    int64_t now_ms, long dflt_ms, long max_ms);

#endif
