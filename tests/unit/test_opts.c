/* SPDX-License-Identifier: MIT */
/* Unit tests: the option table (defaults, environment, files, argv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/opts.h"

struct topts {
	char listen[32];
	char config[256];
	long workers;
	int verbose;
};

static const struct ml_opt tab[] = {
	{ "listen", ML_OPT_STR, offsetof(struct topts, listen), 32,
	    "127.0.0.1:8080", "MLTEST_LISTEN", 0, 0, "HOST:PORT", "address" },
	{ "config", ML_OPT_STR, offsetof(struct topts, config), 256, NULL,
	    NULL, 0, 0, "FILE", "config file" },
	{ "workers", ML_OPT_LONG, offsetof(struct topts, workers), sizeof(long),
	    "4", "MLTEST_WORKERS", 1, 64, "N", "threads" },
	{ "verbose", ML_OPT_FLAG, offsetof(struct topts, verbose), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "talk more" },
	ML_OPT_END,
};

static int
argv_parse(struct topts *o, char **argv, int argc, char **pos, int max_pos,
    int *npos, int *help, struct ml_err *err)
{
	ml_err_clear(err);
	return ml_opts_parse_argv(tab, o, argc, argv, 1, pos, max_pos, npos,
	    help, err);
}

static void
opts_defaults_then_environment(void **state)
{
	struct topts o;
	struct ml_err err;

	(void)state;
	memset(&o, 0x55, sizeof(o));
	unsetenv("MLTEST_LISTEN");
	unsetenv("MLTEST_WORKERS");
	assert_int_equal(ml_opts_defaults(tab, &o, &err), ML_OK);
	assert_string_equal(o.listen, "127.0.0.1:8080");
	assert_string_equal(o.config, "");
	assert_int_equal(o.workers, 4);
	assert_int_equal(o.verbose, 0);
	setenv("MLTEST_LISTEN", "0.0.0.0:9", 1);
	setenv("MLTEST_WORKERS", "8", 1);
	assert_int_equal(ml_opts_defaults(tab, &o, &err), ML_OK);
	assert_string_equal(o.listen, "0.0.0.0:9");
	assert_int_equal(o.workers, 8);
	setenv("MLTEST_WORKERS", "many", 1);
	assert_int_equal(ml_opts_defaults(tab, &o, &err), ML_EINVAL);
	unsetenv("MLTEST_LISTEN");
	unsetenv("MLTEST_WORKERS");
}

static void
opts_argv_forms_and_positionals(void **state)
{
	char *argv[] = { "cmd", "--listen=1.2.3.4:5", "pos1", "--workers", "9",
	    "--verbose" };
	struct topts o;
	struct ml_err err;
	char *pos[2];
	int npos, help;

	(void)state;
	ml_opts_defaults(tab, &o, &err);
	assert_int_equal(argv_parse(&o, argv, 6, pos, 2, &npos, &help, &err),
	    ML_OK);
	assert_string_equal(o.listen, "1.2.3.4:5");
	assert_int_equal(o.workers, 9);
	assert_int_equal(o.verbose, 1);
	assert_int_equal(npos, 1);
	assert_string_equal(pos[0], "pos1");
	assert_int_equal(help, 0);
}

static void
opts_argv_errors_are_usage(void **state)
{
	char *unknown[] = { "cmd", "--nope" };
	char *noval[] = { "cmd", "--listen" };
	char *range[] = { "cmd", "--workers", "65" };
	char *notnum[] = { "cmd", "--workers", "1x" };
	char *toolong[] = { "cmd", "--listen",
	    "0123456789012345678901234567890123456789" };
	char *extra[] = { "cmd", "a", "b" };
	char *badflag[] = { "cmd", "--verbose=maybe" };
	struct topts o;
	struct ml_err err;
	char *pos[1];
	int npos, help;

	(void)state;
	ml_opts_defaults(tab, &o, &err);
	assert_int_equal(argv_parse(&o, unknown, 2, pos, 1, &npos, &help,
	    &err), ML_EINVAL);
	assert_non_null(strstr(err.msg, "--nope"));
	assert_int_equal(argv_parse(&o, noval, 2, pos, 1, &npos, &help, &err),
	    ML_EINVAL);
	assert_non_null(strstr(err.msg, "needs a value"));
	assert_int_equal(argv_parse(&o, range, 3, pos, 1, &npos, &help, &err),
	    ML_EINVAL);
	assert_non_null(strstr(err.msg, "1..64"));
	assert_int_equal(argv_parse(&o, notnum, 3, pos, 1, &npos, &help, &err),
	    ML_EINVAL);
	assert_int_equal(argv_parse(&o, toolong, 3, pos, 1, &npos, &help,
	    &err), ML_EINVAL);
	assert_string_equal(o.listen, "127.0.0.1:8080");
	assert_int_equal(argv_parse(&o, extra, 3, pos, 1, &npos, &help, &err),
	    ML_EINVAL);
	assert_int_equal(argv_parse(&o, badflag, 2, pos, 1, &npos, &help,
	    &err), ML_EINVAL);
}

static void
opts_help_stops_parsing(void **state)
{
	char *argv[] = { "cmd", "x", "--help", "--nope" };
	struct topts o;
	struct ml_err err;
	char *pos[1];
	int npos, help;

	(void)state;
	ml_opts_defaults(tab, &o, &err);
	assert_int_equal(argv_parse(&o, argv, 4, pos, 1, &npos, &help, &err),
	    ML_OK);
	assert_int_equal(help, 1);
	assert_int_equal(npos, 1);
}

static void
opts_config_file_then_command_line(void **state)
{
	char path[] = "/tmp/moelink-opts-XXXXXX";
	char *argv[4];
	struct topts o;
	struct ml_err err;
	char *pos[1];
	int fd, npos, help;
	FILE *fp;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "# comment\n\nworkers = 12\n  listen=10.0.0.1:80  \n");
	fclose(fp);
	argv[0] = "cmd";
	argv[1] = "--config";
	argv[2] = path;
	argv[3] = "--workers=2";
	ml_opts_defaults(tab, &o, &err);
	assert_int_equal(argv_parse(&o, argv, 4, pos, 1, &npos, &help, &err),
	    ML_OK);
	assert_string_equal(o.listen, "10.0.0.1:80");
	assert_int_equal(o.workers, 2);
	/* Unknown keys and bad values name the line. */
	fp = fopen(path, "w");
	fprintf(fp, "workers = 1\nbogus = 1\n");
	fclose(fp);
	assert_int_equal(ml_opts_load_file(tab, &o, path, &err), ML_EINVAL);
	assert_non_null(strstr(err.msg, ":2:"));
	fp = fopen(path, "w");
	fprintf(fp, "no equals sign\n");
	fclose(fp);
	assert_int_equal(ml_opts_load_file(tab, &o, path, &err), ML_EINVAL);
	unlink(path);
	assert_int_equal(ml_opts_load_file(tab, &o, path, &err), ML_EIO);
}

static void
opts_help_lists_every_option(void **state)
{
	char buf[2048];
	FILE *fp;
	size_t n;

	(void)state;
	fp = tmpfile();
	assert_non_null(fp);
	ml_opts_print_help(tab, fp);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(buf, "--listen HOST:PORT"));
	assert_non_null(strstr(buf, "(default: 127.0.0.1:8080)"));
	assert_non_null(strstr(buf, "[env MLTEST_WORKERS]"));
	assert_non_null(strstr(buf, "--verbose"));
	assert_non_null(strstr(buf, "--help"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opts_defaults_then_environment),
		cmocka_unit_test(opts_argv_forms_and_positionals),
		cmocka_unit_test(opts_argv_errors_are_usage),
		cmocka_unit_test(opts_help_stops_parsing),
		cmocka_unit_test(opts_config_file_then_command_line),
		cmocka_unit_test(opts_help_lists_every_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
