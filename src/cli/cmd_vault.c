/* SPDX-License-Identifier: MIT */
/*
 * cmd_vault.c: `moelink vault ...`: master-key rotation and status.
 *
 *   vault rotate  add a new key "kN" to the key file as current and re-seal
 *                 every account record under it, in one transaction
 *   vault reseal  re-seal records not yet under the current key (finishes
 *                 a rotation that was interrupted)
 *   vault status  key ids, which is current, and how many records use each
 *
 * Contract: never prints key material. Takes --db URL (env MOELINK_DB) and
 * --key-file F (env MOELINK_KEY_FILE, default ./var/master.key). Reads
 * MOELINK_MASTER_KEY itself (the vault library never reads the
 * environment); rotation refuses to run while it is set, because the next
 * start would make the environment key current again. A running `moelink
 * serve` keeps working during a rotation: SQLite WAL lets it read while the
 * rewrite commits, and it re-reads the key file on SIGHUP (or when it meets
 * a record sealed with a key id it does not hold). Exit codes per cmd.h;
 * `status` exits 1 when records use a key the vault does not have.
 */
#include "cli/cmd.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "store/store.h"
#include "vault/vault.h"

struct vault_opts {
	char db[1024];
	char key_file[1024];
};

static const struct ml_opt vault_tab[] = {
	{ "db", ML_OPT_STR, offsetof(struct vault_opts, db),
	    sizeof(((struct vault_opts *)0)->db), ML_STORE_DEFAULT_URL,
	    "MOELINK_DB", 0, 0, "URL", "store URL (" ML_STORE_SCHEMES "PATH)" },
	{ "key-file", ML_OPT_STR, offsetof(struct vault_opts, key_file),
	    sizeof(((struct vault_opts *)0)->key_file),
	    ML_VAULT_DEFAULT_KEY_FILE, "MOELINK_KEY_FILE", 0, 0, "FILE",
	    "master key file (lines '<key_id> <base64>', mode 0600)" },
	ML_OPT_END,
};

static const char vault_usage[] =
    "Usage: moelink vault rotate [--db URL] [--key-file FILE]\n"
    "       moelink vault reseal [--db URL] [--key-file FILE]\n"
    "       moelink vault status [--db URL] [--key-file FILE]\n\n"
    "Rotate the master key that seals stored MoEngage credentials, or show\n"
    "which keys exist and how many account records each one seals.\n\n";

static int
vault_fail(const char *what, const struct ml_err *err)
{
	fprintf(stderr, "moelink vault: %s: %s\n", what, err->msg);
	return ML_EXIT_FAIL;
}

/* Re-seal every record not under the current key; print the count. */
static int
vault_reseal_all(struct ml_store *s, struct ml_vault *v)
{
	char cur[ML_VAULT_KEY_ID_MAX];
	struct ml_err err;
	int64_t n = 0;

	ml_err_clear(&err);
	if (ml_vault_current_key_id(v, cur, sizeof(cur), &err) != ML_OK)
		return vault_fail("no current key", &err);
	if (ml_store_account_reseal(s, ml_vault_reseal, v, &n, &err) != ML_OK) {
		fprintf(stderr, "moelink vault: re-sealing failed, nothing was "
		    "changed: %s\n", err.msg);
		return ML_EXIT_FAIL;
	}
	printf("current_key\t%s\nresealed\t%lld\n", cur, (long long)n);
	return ML_EXIT_OK;
}

static int
vault_rotate(struct ml_store *s, struct ml_vault *v, const char *key_file)
{
	char id[ML_VAULT_KEY_ID_MAX];
	struct ml_err err;
	int rc;

	ml_err_clear(&err);
	if (ml_vault_keyfile_rotate(v, key_file, id, sizeof(id), &err) !=
	    ML_OK)
		return vault_fail("cannot add a new key", &err);
	fprintf(stderr, "moelink vault: new master key %s added to %s; back "
	    "the file up again now.\n", id, key_file);
	rc = vault_reseal_all(s, v);
	if (rc)
		fprintf(stderr, "moelink vault: key %s stays in the key file "
		    "(harmless); fix the error and run 'moelink vault "
		    "reseal'.\n", id);
	else
		fprintf(stderr, "moelink vault: send SIGHUP to a running "
		    "'moelink serve' so it loads the new key.\n");
	return rc;
}

static int
vault_status(struct ml_store *s, struct ml_vault *v)
{
	struct ml_store_key_usage *use = NULL;
	char id[ML_VAULT_KEY_ID_MAX], cur[ML_VAULT_KEY_ID_MAX];
	struct ml_err err;
	int64_t count;
	size_t i, j, n = 0;
	int missing = 0;

	ml_err_clear(&err);
	if (ml_vault_current_key_id(v, cur, sizeof(cur), &err) != ML_OK)
		return vault_fail("no current key", &err);
	if (ml_store_key_usage(s, &use, &n, &err) != ML_OK)
		return vault_fail("cannot count records", &err);
	for (i = 0; i < ml_vault_key_count(v); i++) {
		if (ml_vault_key_id_at(v, i, id, sizeof(id)) != ML_OK)
			continue;
		count = 0;
		for (j = 0; j < n; j++)
			if (strcmp(use[j].key_id, id) == 0)
				count = use[j].accounts;
		printf("%s\t%s\t%lld accounts\n", id,
		    strcmp(id, cur) == 0 ? "current" : "older",
		    (long long)count);
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < ml_vault_key_count(v); i++)
			if (ml_vault_key_id_at(v, i, id, sizeof(id)) == ML_OK &&
			    strcmp(use[j].key_id, id) == 0)
				break;
		if (i < ml_vault_key_count(v))
			continue;
		printf("%s\tMISSING\t%lld accounts\n", use[j].key_id,
		    (long long)use[j].accounts);
		missing = 1;
	}
	ml_store_key_usage_free(use, n);
	if (missing)
		fprintf(stderr, "moelink vault: some records are sealed with a "
		    "key this key file does not hold; they cannot be opened "
		    "until it is restored.\n");
	return missing ? ML_EXIT_FAIL : ML_EXIT_OK;
}

int
cmd_vault(int argc, char **argv)
{
	const char *env = getenv("MOELINK_MASTER_KEY");
	struct ml_vault *v = NULL;
	struct ml_store *s = NULL;
	struct vault_opts o;
	struct ml_err err;
	char *pos[1];
	int npos = 0, help = 0, rc;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(vault_tab, &o, &err) ||
	    ml_opts_parse_argv(vault_tab, &o, argc, argv, 1, pos, 1, &npos,
	    &help, &err)) {
		fprintf(stderr, "moelink vault: %s\n", err.msg);
		return ML_EXIT_USAGE;
	}
	if (help) {
		fputs(vault_usage, stdout);
		ml_opts_print_help(vault_tab, stdout);
		return ML_EXIT_OK;
	}
	if (npos != 1 || (strcmp(pos[0], "rotate") != 0 &&
	    strcmp(pos[0], "reseal") != 0 && strcmp(pos[0], "status") != 0)) {
		fputs(vault_usage, stderr);
		return ML_EXIT_USAGE;
	}
	if (strcmp(pos[0], "rotate") == 0 && env != NULL && env[0] != '\0') {
		fprintf(stderr, "moelink vault: MOELINK_MASTER_KEY is set; "
		    "rotation adds keys to the key file %s. Move the key into "
		    "that file as a line '<key_id> <base64>', unset the "
		    "variable, then rotate.\n", o.key_file);
		return ML_EXIT_FAIL;
	}
	rc = cmd_store_open("vault", o.db, &s);
	if (rc)
		return rc;
	rc = ML_EXIT_FAIL;
	if (ml_vault_new(&v, &err) != ML_OK ||
	    ml_vault_load(v, env, o.key_file, 0, NULL, &err) != ML_OK) {
		vault_fail("cannot load the master keys", &err);
		goto out;
	}
	if (strcmp(pos[0], "rotate") == 0)
		rc = vault_rotate(s, v, o.key_file);
	else if (strcmp(pos[0], "reseal") == 0)
		rc = vault_reseal_all(s, v);
	else
		rc = vault_status(s, v);
out:
	ml_vault_free(v);
	ml_store_close(s);
	return rc;
}
