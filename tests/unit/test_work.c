/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the server's worker pool (work.c): no thread until the first
 * job, every job submitted before ml_work_free runs exactly once, in order
 * on one thread, and nothing is taken once freeing has begun.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <string.h>

#include "server/work.h"

#define NJOBS 200

struct tally {
	pthread_mutex_t mu;
	int order[NJOBS];
	int n;
};

struct job {
	struct tally *t;
	int id;
};

static void
record(void *arg)
{
	struct job *j = arg;

	pthread_mutex_lock(&j->t->mu);
	j->t->order[j->t->n++] = j->id;
	pthread_mutex_unlock(&j->t->mu);
}

static int
threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
work_starts_no_thread_until_the_first_job(void **state)
{
	static struct tally t = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 };
	struct job j = { &t, 1 };
	struct ml_work *w = NULL;
	struct ml_err err;
	int before;

	(void)state;
	before = threads_now();
	assert_int_equal(ml_work_new(2, &w, &err), ML_OK);
	assert_int_equal(threads_now(), before);
	assert_int_equal(ml_work_submit(w, record, &j, &err), ML_OK);
	assert_int_equal(threads_now(), before + 1);
	ml_work_free(w);
	assert_int_equal(t.n, 1);
	assert_int_equal(threads_now(), before);
}

static void
work_runs_every_job_once_in_order_before_free_returns(void **state)
{
	static struct tally t = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 };
	static struct job jobs[NJOBS];
	struct ml_work *w = NULL;
	struct ml_err err;
	int i;

	(void)state;
	assert_int_equal(ml_work_new(1, &w, &err), ML_OK);
	for (i = 0; i < NJOBS; i++) {
		jobs[i].t = &t;
		jobs[i].id = i;
		assert_int_equal(ml_work_submit(w, record, &jobs[i], &err),
		    ML_OK);
	}
	ml_work_free(w);
	assert_int_equal(t.n, NJOBS);
	for (i = 0; i < NJOBS; i++)
		assert_int_equal(t.order[i], i);
}

/* A job that submits itself again until the pool refuses. */
struct late {
	struct ml_work *w;
	int rc;
};

static void
submit_late(void *arg)
{
	struct late *l = arg;
	struct ml_err err;

	l->rc = ml_work_submit(l->w, submit_late, l, &err);
}

static void
work_refuses_jobs_once_freeing_began(void **state)
{
	struct late l = { NULL, ML_OK };
	struct ml_err err;

	(void)state;
	assert_int_equal(ml_work_new(17, &l.w, &err), ML_EINVAL);
	assert_int_equal(ml_work_new(0, &l.w, &err), ML_EINVAL);
	assert_int_equal(ml_work_new(1, &l.w, &err), ML_OK);
	assert_int_equal(ml_work_submit(l.w, submit_late, &l, &err), ML_OK);
	/* Returns only once the chain ended: refused after freeing began. */
	ml_work_free(l.w);
	assert_int_equal(l.rc, ML_ECANCELED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(work_starts_no_thread_until_the_first_job),
		cmocka_unit_test(
		    work_runs_every_job_once_in_order_before_free_returns),
		cmocka_unit_test(work_refuses_jobs_once_freeing_began),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
