/* SPDX-License-Identifier: MIT */
/*
 * fuzz_opts: libFuzzer target for the `key = value` config-file parser
 * (ml_opts_load_stream, what `moelink serve --config FILE` reads), over a
 * table with each option type. Invariants: every string option stays
 * NUL-terminated within its size, every number within its bounds, every
 * flag 0 or 1; a failure says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_opts {
	char listen[16];
	char db[64];
	long threads;
	long any;
	int flag;
};

static const struct ml_opt fz_tab[] = {
	{ "listen", ML_OPT_STR, offsetof(struct fz_opts, listen), 16,
	    "127.0.0.1:8080", NULL, 0, 0, "ADDR", "listen" },
	{ "db", ML_OPT_STR, offsetof(struct fz_opts, db), 64, NULL, NULL, 0,
	    0, "URL", "db" },
	{ "threads", ML_OPT_LONG, offsetof(struct fz_opts, threads),
	    sizeof(long), "2", NULL, 1, 64, "N", "threads" },
	{ "any", ML_OPT_LONG, offsetof(struct fz_opts, any), sizeof(long),
	    NULL, NULL, 0, 0, "N", "unbounded" },
	{ "flag", ML_OPT_FLAG, offsetof(struct fz_opts, flag), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "flag" },
	ML_OPT_END,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_opts o;
	struct ml_err err;
	FILE *fp;
	int rc;

	if (size == 0)
		return 0;
	memset(&o, 0x5a, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(fz_tab, &o, &err) != ML_OK)
		abort();
	fp = fmemopen((void *)(uintptr_t)data, size, "r");
	if (fp == NULL)
		return 0;
	rc = ml_opts_load_stream(fz_tab, &o, fp, "fuzz.conf", &err);
	fclose(fp);
	if (rc != ML_OK && err.msg[0] == '\0')
		abort();
	if (memchr(o.listen, '\0', sizeof(o.listen)) == NULL ||
	    memchr(o.db, '\0', sizeof(o.db)) == NULL ||
	    o.threads < 1 || o.threads > 64 || (o.flag != 0 && o.flag != 1))
		abort();
	return 0;
}
