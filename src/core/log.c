/* SPDX-License-Identifier: MIT */
/*
 * log.c: see log.h. One line at a time under a mutex so lines from
 * different threads never interleave.
 *
 * Two ways out. ml_log writes its line at once (one fprintf + fflush).
 * ml_log_buffered (the server's access log) formats its line straight into
 * a 64 KiB buffer, written with one fwrite when it is three quarters full,
 * before any ml_log line (so the order of lines is kept), by a flusher
 * thread ML_LOG_FLUSH_NS after the first line buffered, by ml_log_flush,
 * and at exit. So under load the access log costs one write per few
 * hundred lines instead of one per line, and a line is on disk within
 * 0.1 s. The flusher starts with the first buffered line (every signal
 * blocked in it); if it cannot start, buffered lines are written at once.
 */
#include "core/log.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_LINE_MAX 2048		/* a line's text, as ml_log's */
#define LOG_BUF_CAP (64 * 1024)
#define LOG_BUF_HIGH (48 * 1024)	/* write when over this */

static const char *const log_names[] = { "debug", "info", "warn", "error" };
static enum ml_log_level log_level = ML_LOG_INFO;
static FILE *log_fp;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_cv = PTHREAD_COND_INITIALIZER;
static char log_buf[LOG_BUF_CAP];
static size_t log_len;
static int log_flusher;		/* 0 not started, 1 running, -1 failed */
static time_t log_ts_at = -1;	/* the second log_ts was made for */
static char log_ts[32];

void
ml_log_set_level(enum ml_log_level lvl)
{
	log_level = lvl;
}

static FILE *
log_sink(void)
{
	return log_fp != NULL ? log_fp : stderr;
}

/* Write out what is buffered. Locked. */
static void
log_drain(void)
{
	if (log_len == 0)
		return;
	fwrite(log_buf, 1, log_len, log_sink());
	fflush(log_sink());
	log_len = 0;
}

void
ml_log_flush(void)
{
	pthread_mutex_lock(&log_mu);
	log_drain();
	pthread_mutex_unlock(&log_mu);
}

void
ml_log_set_file(FILE *fp)
{
	pthread_mutex_lock(&log_mu);
	log_drain();
	log_fp = fp;
	pthread_mutex_unlock(&log_mu);
}

int
ml_log_parse_level(const char *s, enum ml_log_level *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum ml_log_level)i;
			return 0;
		}
	}
	return -1;
}

/* The "2026-11-29T08:00:00Z" of now, made once per second. Locked. */
static const char *
log_time(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != log_ts_at) {
		gmtime_r(&now, &tm);
		strftime(log_ts, sizeof(log_ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		log_ts_at = now;
	}
	return log_ts;
}

void
ml_log(enum ml_log_level lvl, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (lvl < log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_mu);
	log_drain();
	fprintf(log_sink(), "ts=%s level=%s %s\n", log_time(),
	    log_names[lvl], line);
	fflush(log_sink());
	pthread_mutex_unlock(&log_mu);
}

/* The flusher: waits for a first buffered line, then writes 0.1 s later. */
static void *
log_flush_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&log_mu);
	for (;;) {
		while (log_len == 0)
			pthread_cond_wait(&log_cv, &log_mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += ML_LOG_FLUSH_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (log_len > 0 && pthread_cond_timedwait(&log_cv, &log_mu,
		    &until) == 0)
			;
		log_drain();
	}
	return NULL;
}

static void
log_at_exit(void)
{
	ml_log_flush();
}

/* Start the flusher with every signal blocked. Locked. */
static void
log_flusher_start(void)
{
	sigset_t all, old;
	pthread_t t;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	log_flusher = pthread_create(&t, NULL, log_flush_main, NULL) == 0 ?
	    1 : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (log_flusher == 1) {
		pthread_detach(t);
		atexit(log_at_exit);
	}
}

void
ml_log_buffered(enum ml_log_level lvl, const char *fmt, ...)
{
	va_list ap;
	size_t was;
	int n;

	if (lvl < log_level)
		return;
	pthread_mutex_lock(&log_mu);
	if (log_flusher == 0)
		log_flusher_start();
	if (LOG_BUF_CAP - log_len < LOG_LINE_MAX + 64)
		log_drain();
	was = log_len;
	n = snprintf(log_buf + log_len, LOG_BUF_CAP - log_len,
	    "ts=%s level=%s ", log_time(), log_names[lvl]);
	log_len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(log_buf + log_len, LOG_LINE_MAX, fmt, ap);
	va_end(ap);
	log_len += n < 0 ? 0 : n >= LOG_LINE_MAX ? LOG_LINE_MAX - 1 :
	    (size_t)n;
	log_buf[log_len++] = '\n';
	if (log_len > LOG_BUF_HIGH || log_flusher != 1)
		log_drain();
	else if (was == 0)
		pthread_cond_signal(&log_cv);
	pthread_mutex_unlock(&log_mu);
}

void
ml_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t i, n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	for (i = 0; i < n; i++)
		if (line[i] == '"' || line[i] == '\n' || line[i] == '\r')
			line[i] = line[i] == '"' ? '\'' : ' ';
	ml_log(ML_LOG_WARN, "msg=\"libmicrohttpd\" detail=\"%s\"", line);
}
