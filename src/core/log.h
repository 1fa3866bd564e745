/* SPDX-License-Identifier: MIT */
/*
 * log.h: tiny leveled logger for the front ends (server, sim, CLI). The
 * library never logs. Lines are key=value on stderr:
 *   ts=2026-11-29T08:00:00Z level=info msg="..." key=value ...
 * The sink and level are process-wide (the one allowed mutable global).
 */
#ifndef ML_LOG_H
#define ML_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum ml_log_level { ML_LOG_DEBUG = 0, ML_LOG_INFO, ML_LOG_WARN, ML_LOG_ERROR };

void ml_log_set_level(enum ml_log_level lvl);
int ml_log_parse_level(const char *s, enum ml_log_level *out);
void ml_log_set_file(FILE *fp);
void ml_log(enum ml_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The same line, buffered: written with the lines around it at most
 * ML_LOG_FLUSH_NS later (sooner under load, before any ml_log line, on
 * ml_log_flush and at exit). For the access log of a busy server.
 */
#define ML_LOG_FLUSH_NS 100000000L	/* 0.1 s */
void ml_log_buffered(enum ml_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Write out the buffered lines now. */
void ml_log_flush(void);

/*
 * A libmicrohttpd MHD_OPTION_EXTERNAL_LOGGER callback (cls unused): one
 * warn line, msg="libmicrohttpd" detail="...", trailing newlines dropped
 * and double quotes turned into single ones so the line stays key=value.
 */
void ml_log_mhd(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_debug(...) ml_log(ML_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) ml_log(ML_LOG_INFO, __VA_ARGS__)
#define log_warn(...) ml_log(ML_LOG_WARN, __VA_ARGS__)
#define log_error(...) ml_log(ML_LOG_ERROR, __VA_ARGS__)

#endif
