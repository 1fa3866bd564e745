/* SPDX-License-Identifier: MIT */
/*
 * cmd_admin.c: `moelink admin password [--db URL]`: set the dashboard
 * admin password.
 *
 * Contract: the password is read from stdin: on a terminal with echo off,
 * asked twice; otherwise the first line (so scripts can pipe it in). It must
 * have at least ML_VAULT_PASSWORD_MIN characters. Only its Argon2id hash
 * (crypto_pwhash_str) is stored, as the global setting
 * ML_SETTING_ADMIN_PASSWORD; the buffers that held the password are wiped.
 * Exit codes per cmd.h.
 */
#include "cli/cmd.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/opts.h"
#include "store/store.h"
#include "vault/vault.h"

#define ADMIN_PASSWORD_MAX 1024

struct admin_opts {
	char db[1024];
};

static const struct ml_opt admin_tab[] = {
	{ "db", ML_OPT_STR, offsetof(struct admin_opts, db),
	    sizeof(((struct admin_opts *)0)->db), ML_STORE_DEFAULT_URL,
	    "MOELINK_DB", 0, 0, "URL", "store URL (" ML_STORE_SCHEMES "PATH)" },
	ML_OPT_END,
};

static const char admin_usage[] =
    "Usage: moelink admin password [--db URL]\n\n"
    "Set the dashboard admin password, read from stdin (no echo on a\n"
    "terminal; at least 12 characters). Only its Argon2id hash is stored.\n\n";

/*
 * Read one line into buf (cap bytes) without the newline. On a terminal,
 * prompt on stderr and turn echo off. Returns 0, or -1 on EOF/too long.
 */
static int
admin_read_line(const char *prompt, int tty, char *buf, size_t cap)
{
	struct termios old, quiet;
	size_t len;
	int rc = 0, restore = 0;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) ==
			    0;
		}
	}
	if (fgets(buf, (int)cap, stdin) == NULL)
		rc = -1;
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (tty)
		fputc('\n', stderr);
	if (rc)
		return rc;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] != '\n' && !feof(stdin))
		return -1;	/* longer than the buffer */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return 0;
}

static int
admin_password(struct admin_opts *o)
{
	char pw[ADMIN_PASSWORD_MAX], again[ADMIN_PASSWORD_MAX];
	char hash[ML_VAULT_PWHASH_MAX];
	struct ml_store *s = NULL;
	struct ml_err err;
	int tty = isatty(STDIN_FILENO), rc = ML_EXIT_FAIL;

	ml_err_clear(&err);
	if (admin_read_line("New dashboard admin password: ", tty, pw,
	    sizeof(pw)) != 0) {
		fprintf(stderr, "moelink admin: no password on stdin (or "
		    "longer than %d bytes)\n", ADMIN_PASSWORD_MAX - 1);
		goto out;
	}
	if (tty && (admin_read_line("Repeat it: ", tty, again,
	    sizeof(again)) != 0 || strcmp(pw, again) != 0)) {
		fprintf(stderr, "moelink admin: the passwords differ\n");
		goto out;
	}
	if (ml_vault_password_hash(pw, hash, sizeof(hash), &err) != ML_OK) {
		fprintf(stderr, "moelink admin: %s\n", err.msg);
		goto out;
	}
	rc = cmd_store_open("admin", o->db, &s);
	if (rc)
		goto out;
	if (ml_store_setting_set(s, NULL, ML_SETTING_ADMIN_PASSWORD, hash,
	    &err) != ML_OK) {
		fprintf(stderr, "moelink admin: cannot store the password: "
		    "%s\n", err.msg);
		rc = ML_EXIT_FAIL;
		goto out;
	}
	printf("admin password set\n");
	rc = ML_EXIT_OK;
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	sodium_memzero(hash, sizeof(hash));
	ml_store_close(s);
	return rc;
}

int
cmd_admin(int argc, char **argv)
{
	struct admin_opts o;
	struct ml_err err;
	char *pos[1];
	int npos = 0, help = 0;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(admin_tab, &o, &err) ||
	    ml_opts_parse_argv(admin_tab, &o, argc, argv, 1, pos, 1, &npos,
	    &help, &err)) {
		fprintf(stderr, "moelink admin: %s\n", err.msg);
		return ML_EXIT_USAGE;
	}
	if (help) {
		fputs(admin_usage, stdout);
		ml_opts_print_help(admin_tab, stdout);
		return ML_EXIT_OK;
	}
	if (npos != 1 || strcmp(pos[0], "password") != 0) {
		fputs(admin_usage, stderr);
		return ML_EXIT_USAGE;
	}
	return admin_password(&o);
}
