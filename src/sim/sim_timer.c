/* SPDX-License-Identifier: MIT */
/*
 * sim_timer.c: delayed answers without blocking MHD's worker threads. A
 * handler that must wait suspends its connection (MHD_suspend_connection)
 * and registers it here; one timer thread resumes it when due, and MHD then
 * calls the handler again, which queues the stored answer. Other connections
 * are served meanwhile.
 *
 * At most TIMER_MAX answers wait at once. ml_sim_timer_stop resumes every
 * waiting connection and refuses new ones; call it before the listener stops
 * (MHD must not be stopped with suspended connections), and free the timer
 * only after the listener is gone.
 */
#include "sim/sim.h"

#include <pthread.h>
#include <time.h>

#include <moelink/mem.h>

#define TIMER_MAX 1024

struct timer_item {
	struct timespec due;
	struct MHD_Connection *conn;
};

struct ml_sim_timer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int stop;
	struct timer_item item[TIMER_MAX];
	size_t n;
};

static int
timer_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *
timer_main(void *arg)
{
	struct ml_sim_timer *t = arg;
	struct timespec now;
	size_t i, first;

	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		if (t->n == 0) {
			pthread_cond_wait(&t->cv, &t->mu);
			continue;
		}
		first = 0;
		for (i = 1; i < t->n; i++)
			if (timer_before(&t->item[i].due, &t->item[first].due))
				first = i;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timer_before(&now, &t->item[first].due)) {
			pthread_cond_timedwait(&t->cv, &t->mu,
			    &t->item[first].due);
			continue;
		}
		MHD_resume_connection(t->item[first].conn);
		t->item[first] = t->item[--t->n];
	}
	/* Shutting down: answer everyone now. */
	for (i = 0; i < t->n; i++)
		MHD_resume_connection(t->item[i].conn);
	t->n = 0;
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

int
ml_sim_timer_new(struct ml_sim_timer **out)
{
	struct ml_sim_timer *t;
	pthread_condattr_t ca;

	*out = NULL;
	t = ml_calloc(1, sizeof(*t));
	if (t == NULL)
		return ML_ENOMEM;
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&t->thread, NULL, timer_main, t) != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		ml_free(t);
		return ML_ENOMEM;
	}
	*out = t;
	return ML_OK;
}

void
ml_sim_timer_stop(struct ml_sim_timer *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	if (t->stop) {
		pthread_mutex_unlock(&t->mu);
		return;
	}
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
}

void
ml_sim_timer_free(struct ml_sim_timer *t)
{
	if (t == NULL)
		return;
	ml_sim_timer_stop(t);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	ml_free(t);
}

int
ml_sim_timer_add(struct ml_sim_timer *t, struct MHD_Connection *conn,
    long delay_ms)
{
	struct timespec due;
	int rc = ML_OK;

	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += delay_ms / 1000;
	due.tv_nsec += (delay_ms % 1000) * 1000000L;
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->mu);
	if (t->n == TIMER_MAX || t->stop) {
		rc = ML_ETOOBIG;
	} else {
		t->item[t->n].due = due;
		t->item[t->n].conn = conn;
		t->n++;
		pthread_cond_signal(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}
