/* SPDX-License-Identifier: MIT */
/*
 * work.c: the worker pool of work.h.
 *
 * Contract: a mutex-guarded FIFO of jobs and a condition variable. Threads
 * are created on the first submit (an idle server runs none). ml_work_free
 * refuses new jobs, lets the threads drain the queue, and joins them: every
 * job submitted before it runs exactly once.
 */
#include "server/work.h"

#include <pthread.h>
#include <signal.h>

#include <moelink/mem.h>

#define WORK_THREADS_MAX 16

struct work_job {
	struct work_job *next;
	ml_work_fn fn;
	void *arg;
};

struct ml_work {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct work_job *head;
	struct work_job **tail;
	pthread_t thread[WORK_THREADS_MAX];
	size_t nthreads;
	size_t started;
	int stopping;
};

static void *
work_main(void *arg)
{
	struct ml_work *w = arg;
	struct work_job *j;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		j = w->head;
		if (j == NULL)
			break;		/* stopping and drained */
		w->head = j->next;
		if (w->head == NULL)
			w->tail = &w->head;
		pthread_mutex_unlock(&w->mu);
		j->fn(j->arg);
		ml_free(j);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
ml_work_new(size_t nthreads, struct ml_work **out, struct ml_err *err)
{
	struct ml_work *w;

	*out = NULL;
	if (nthreads == 0 || nthreads > WORK_THREADS_MAX)
		return ml_err_set(err, ML_EINVAL, NULL,
		    "a worker pool has 1 to %d threads", WORK_THREADS_MAX);
	w = ml_calloc(1, sizeof(*w));
	if (w == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->tail = &w->head;
	w->nthreads = nthreads;
	*out = w;
	return ML_OK;
}

int
ml_work_submit(struct ml_work *w, ml_work_fn fn, void *arg,
    struct ml_err *err)
{
	struct work_job *j;
	sigset_t all, old;
	int rc = ML_OK;

	j = ml_calloc(1, sizeof(*j));
	if (j == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		rc = ml_err_set(err, ML_ECANCELED, "shutting_down",
		    "the server is shutting down; try again shortly");
		goto out;
	}
	if (w->started < w->nthreads) {
		/* Workers take no signals: the main thread waits for them. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		if (pthread_create(&w->thread[w->started], NULL, work_main,
		    w) == 0)
			w->started++;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (w->started == 0) {
			rc = ml_err_set(err, ML_EINTERNAL, NULL,
			    "cannot start a worker thread");
			goto out;
		}
	}
	*w->tail = j;
	w->tail = &j->next;
	j = NULL;
	pthread_cond_signal(&w->cv);
out:
	pthread_mutex_unlock(&w->mu);
	ml_free(j);
	return rc;
}

void
ml_work_free(struct ml_work *w)
{
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->started; i++)
		pthread_join(w->thread[i], NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	ml_free(w);
}
