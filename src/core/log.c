/* SPDX-License-Identifier: MIT */
/*
 * log.c: see log.h. One fprintf per line under a mutex so lines from
 * different threads never interleave.
 */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static enum ml_log_level log_level = ML_LOG_INFO;
static FILE *log_fp;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void
ml_log_set_level(enum ml_log_level lvl)
{
	log_level = lvl;
}

void
ml_log_set_file(FILE *fp)
{
	log_fp = fp;
}

int
ml_log_parse_level(const char *s, enum ml_log_level *out)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum ml_log_level)i;
			return 0;
		}
	}
	return -1;
}

void
ml_log(enum ml_log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char line[2048], ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (lvl < log_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_mu);
	fprintf(log_fp != NULL ? log_fp : stderr, "ts=%s level=%s %s\n", ts,
	    names[lvl], line);
	fflush(log_fp != NULL ? log_fp : stderr);
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
