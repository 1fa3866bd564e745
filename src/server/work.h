/* SPDX-License-Identifier: MIT */
/*
 * work.h: a small pool of worker threads for the CPU-heavy steps of a
 * request (the admin password's Argon2id check), so they never run on one
 * of libmicrohttpd's few threads and stall other connections there.
 *
 * The threads start with the first job. Jobs run in submission order; a
 * job always runs, even while the pool is being freed, because the
 * connection it will resume is suspended until it has.
 */
#ifndef ML_SERVER_WORK_H
#define ML_SERVER_WORK_H

#include <stddef.h>

#include <moelink/err.h>

struct ml_work;

typedef void (*ml_work_fn)(void *arg);

/* A pool of nthreads (1..16) threads; none runs until the first job. */
int ml_work_new(size_t nthreads, struct ml_work **out, struct ml_err *err);
/*
 * Queue fn(arg). ML_ECANCELED once ml_work_free has begun; ML_ENOMEM;
 * ML_EINTERNAL if no thread could be started.
 */
int ml_work_submit(struct ml_work *w, ml_work_fn fn, void *arg,
    struct ml_err *err);
/* Run what is queued, then stop and free the threads. NULL is a no-op. */
void ml_work_free(struct ml_work *w);

#endif
