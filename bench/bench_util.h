/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h: small helpers shared by the benchmark programs in bench/:
 * a monotonic clock, the port file the drivers wait for, and the process's
 * own memory figures from /proc/self/status. Front-end code (it may print);
 * nothing here is part of libmoelink.
 */
#ifndef ML_BENCH_UTIL_H
#define ML_BENCH_UTIL_H

#include <stdint.h>

#include <moelink/err.h>

#include "core/opts.h"

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t bench_util_now_ns(void);

/*
 * Write "PORT\n" to path through a temporary file and rename(2), so a
 * reader never sees a partial file. ML_EIO on failure.
 */
int bench_util_port_file(const char *path, unsigned port, struct ml_err *err);

/*
 * One "Vm...:" line of /proc/self/status in KiB ("VmHWM" = peak RSS,
 * "VmRSS" = current RSS). ML_ENOTFOUND if the line is missing.
 */
int bench_util_vm_kb(const char *field, long *kb);

/*
 * Parse a benchmark program's options with its ml_opt table (defaults
 * first). Returns -1 to go on; otherwise the exit code main() returns: 0
 * after printing --help for `prog`, 2 after printing a usage error.
 */
int bench_util_opts(const struct ml_opt *tab, void *target, int argc,
    char **argv, const char *prog);

#endif
