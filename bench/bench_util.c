/* SPDX-License-Identifier: MIT */
/*
 * bench_util.c: helpers for the benchmark programs (bench_util.h).
 *
 * Stateless and thread-safe: every function works on its arguments and the
 * file system only.
 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t
bench_util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
bench_util_port_file(const char *path, unsigned port, struct ml_err *err)
{
	char tmp[1100];
	FILE *fp;
	int ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return ml_err_set(err, ML_EIO, NULL, "port file path too long");
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return ml_err_set(err, ML_EIO, NULL, "cannot write %s", tmp);
	ok = fprintf(fp, "%u\n", port) > 0;
	ok &= fclose(fp) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return ml_err_set(err, ML_EIO, NULL, "cannot write %s", path);
	}
	return ML_OK;
}

int
bench_util_vm_kb(const char *field, long *kb)
{
	char line[256];
	size_t n = strlen(field);
	FILE *fp;
	int rc = ML_ENOTFOUND;

	*kb = 0;
	fp = fopen("/proc/self/status", "r");
	if (fp == NULL)
		return ML_EIO;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			*kb = strtol(line + n + 1, NULL, 10);
			rc = ML_OK;
			break;
		}
	}
	fclose(fp);
	return rc;
}

int
bench_util_opts(const struct ml_opt *tab, void *target, int argc,
    char **argv, const char *prog)
{
	struct ml_err err;
	int help = 0, npos = 0, rc;

	ml_err_clear(&err);
	rc = ml_opts_defaults(tab, target, &err);
	if (rc == ML_OK)
		rc = ml_opts_parse_argv(tab, target, argc, argv, 1, NULL, 0,
		    &npos, &help, &err);
	if (help) {
		printf("Usage: %s [OPTIONS]\n\n", prog);
		ml_opts_print_help(tab, stdout);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 2;
	}
	return -1;
}
