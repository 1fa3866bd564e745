/* SPDX-License-Identifier: MIT */
/*
 * opts.h: a config table that drives command-line parsing, config files
 * (`key = value` lines, '#' comments), environment defaults and --help, from
 * one const array of rows per command. Values land in a caller struct at the
 * row's offset: strings in fixed char arrays (bounded), numbers as long,
 * flags as int.
 *
 * Precedence: default < environment < config file < command line.
 */
#ifndef ML_OPTS_H
#define ML_OPTS_H

#include <stddef.h>
#include <stdio.h>

#include <moelink/err.h>

enum ml_opt_type { ML_OPT_STR = 0, ML_OPT_LONG, ML_OPT_FLAG };

struct ml_opt {
	const char *name;	/* long option and config key: "listen" */
	enum ml_opt_type type;
	size_t offset;		/* offsetof(struct target, field) */
	size_t size;		/* STR: sizeof the char array */
	const char *def;	/* default as text; NULL = empty/0 */
	const char *env;	/* environment variable or NULL */
	long min, max;		/* LONG bounds (ignored if min == max == 0) */
	const char *metavar;	/* "HOST:PORT" */
	const char *help;
};

#define ML_OPT_END { NULL, ML_OPT_STR, 0, 0, NULL, NULL, 0, 0, NULL, NULL }

/* Apply defaults, then environment values. */
int ml_opts_defaults(const struct ml_opt *tab, void *target,
    struct ml_err *err);
/* Set one option by name from text (used by files and argv). */
int ml_opts_set(const struct ml_opt *tab, void *target, const char *name,
    const char *value, struct ml_err *err);
/* Load `key = value` lines. Unknown keys are errors (with the line number). */
int ml_opts_load_file(const struct ml_opt *tab, void *target,
    const char *path, struct ml_err *err);
/* The same from an open stream; path only names it in messages. */
int ml_opts_load_stream(const struct ml_opt *tab, void *target, FILE *fp,
    const char *path, struct ml_err *err);
/*
 * Parse argv[first..argc). Accepts --name VALUE, --name=VALUE and --flag.
 * "--config FILE" loads the file at that point if the table has a "config"
 * row. Non-option arguments are collected in order into positional[] (up to
 * max_pos; more is a usage error) and their count into *npos. --help sets
 * *help to 1 and stops.
 */
int ml_opts_parse_argv(const struct ml_opt *tab, void *target, int argc,
    char **argv, int first, char **positional, int max_pos, int *npos,
    int *help, struct ml_err *err);
/* Print the option table as help text. */
void ml_opts_print_help(const struct ml_opt *tab, FILE *fp);

#endif
