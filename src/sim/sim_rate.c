/* SPDX-License-Identifier: MIT */
/*
 * sim_rate.c: per-workspace, per-minute rate limits as MoEngage documents
 * them (reference 3.2, rate-limits.mdx): one fixed 60-second window per
 * (workspace, limit). A window opens at the first use after the previous one
 * ended; units are counted per element where the limit is ("30,000 events
 * per minute"), per request where it is ("1,000 requests per minute").
 *
 * Windows are created on first use and never outnumber workspaces x declared
 * limits. Families with hourly or daily limits use ml_sim_rate_take_window,
 * the same fixed window with another length. One mutex guards the table; the
 * clock is CLOCK_MONOTONIC so wall clock jumps cannot reset a window.
 */
#include "sim/sim.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <moelink/mem.h>

#define RATE_WINDOW_MS 60000

struct rate_win {
	size_t ws;
	const struct ml_sim_limit *lim;
	int64_t start_ms;
	long used;
};

struct ml_sim_rate {
	pthread_mutex_t mu;
	size_t nws;
	struct rate_win *win;
	size_t n, cap;
};

static int64_t
rate_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ml_sim_rate_new(size_t nws, struct ml_sim_rate **out)
{
	struct ml_sim_rate *r;

	*out = NULL;
	r = ml_calloc(1, sizeof(*r));
	if (r == NULL)
		return ML_ENOMEM;
	pthread_mutex_init(&r->mu, NULL);
	r->nws = nws;
	*out = r;
	return ML_OK;
}

void
ml_sim_rate_free(struct ml_sim_rate *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->mu);
	ml_free(r->win);
	ml_free(r);
}

void
ml_sim_rate_reset(struct ml_sim_rate *r)
{
	pthread_mutex_lock(&r->mu);
	r->n = 0;
	pthread_mutex_unlock(&r->mu);
}

/* The window for (ws, lim), created if new; NULL on ML_ENOMEM. Locked. */
static struct rate_win *
rate_window(struct ml_sim_rate *r, size_t ws, const struct ml_sim_limit *lim)
{
	struct rate_win *w;
	size_t i, ncap;

	for (i = 0; i < r->n; i++)
		if (r->win[i].ws == ws && r->win[i].lim == lim)
			return &r->win[i];
	if (r->n == r->cap) {
		ncap = r->cap ? r->cap * 2 : 16;
		w = ml_reallocarray(r->win, ncap, sizeof(*w));
		if (w == NULL)
			return NULL;
		r->win = w;
		r->cap = ncap;
	}
	w = &r->win[r->n++];
	memset(w, 0, sizeof(*w));
	w->ws = ws;
	w->lim = lim;
	w->start_ms = INT64_MIN / 2;	/* long expired */
	return w;
}

static int rate_take(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, int64_t window_ms, long units,
    int64_t now, struct ml_sim_rate_info *info);

int
ml_sim_rate_take(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, long units,
    struct ml_sim_rate_info *info)
{
	return ml_sim_rate_take_at(r, ws_idx, lim, limit, units, rate_now_ms(),
	    info);
}

int
ml_sim_rate_take_at(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, long units, int64_t now,
    struct ml_sim_rate_info *info)
{
	return rate_take(r, ws_idx, lim, limit, RATE_WINDOW_MS, units, now,
	    info);
}

int
ml_sim_rate_take_window(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, int64_t window_ms,
    long units, struct ml_sim_rate_info *info)
{
	return rate_take(r, ws_idx, lim, limit, window_ms, units, rate_now_ms(),
	    info);
}

/* A fixed window of window_ms for (ws_idx, lim). */
static int
rate_take(struct ml_sim_rate *r, size_t ws_idx, const struct ml_sim_limit *lim,
    long limit, int64_t window_ms, long units, int64_t now,
    struct ml_sim_rate_info *info)
{
	struct rate_win *w;
	int64_t left;
	int rc = ML_OK;

	info->limit = limit;
	info->remaining = limit;
	info->reset = 0;
	pthread_mutex_lock(&r->mu);
	w = rate_window(r, ws_idx, lim);
	if (w == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	if (now - w->start_ms >= window_ms) {
		w->used = 0;
		/* A read alone does not open a window. */
		w->start_ms = units > 0 ? now : now - window_ms;
	}
	if (units > limit - w->used)
		rc = ML_ERATELIMIT;
	else
		w->used += units;
	info->remaining = limit - w->used;
	left = window_ms - (now - w->start_ms);
	if (left >= window_ms)
		left = window_ms - 1;
	/* Whole seconds: < 60 for minute windows, as data-overview.mdx says. */
	info->reset = left > 0 && w->used > 0 ? (long)(left / 1000) : 0;
out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}
