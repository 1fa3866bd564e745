/* SPDX-License-Identifier: MIT */
/*
 * seed_accounts.c: fill a moelink store with linked accounts for the server
 * benchmarks, straight through the store and vault APIs (store.h, vault.h),
 * never through MoEngage: a project, one project API key, and --count
 * accounts whose credentials are sealed with the vault key in --key-file
 * exactly as a Hub link seals them (so `moelink serve --key-file` opens
 * them). Accounts cycle over --owners end users.
 *
 * Output on stdout, one "name<TAB>value" per line:
 *   project_id, api_key (plaintext, once), first_account, last_account,
 *   accounts, seconds, per_second
 * The API key is a throwaway for the benchmark's own temporary store.
 *
 * Single-threaded; the store is closed (WAL checkpointed) before exit.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <moelink/account.h>
#include <moelink/keys.h>
#include <moelink/mem.h>

#include "bench_util.h"
#include "store/store.h"
#include "vault/vault.h"

struct seed_opts {
	char db[1024];
	char key_file[1024];
	char project[ML_STORE_NAME_MAX];
	char workspace[ML_WORKSPACE_ID_MAX];
	char dc[8];
	char data_key[256];
	long count;
	long owners;
};

#define S(f) offsetof(struct seed_opts, f), sizeof(((struct seed_opts *)0)->f)
#define N(f) offsetof(struct seed_opts, f), sizeof(long)

static const struct ml_opt seed_opt_table[] = {
	{ "db", ML_OPT_STR, S(db), NULL, NULL, 0, 0, "URL",
	    "store URL (sqlite://PATH), required" },
	{ "key-file", ML_OPT_STR, S(key_file), NULL, NULL, 0, 0, "FILE",
	    "vault key file (created 0600 if missing), required" },
	{ "project", ML_OPT_STR, S(project), "bench", NULL, 0, 0, "NAME",
	    "project to create" },
	{ "workspace", ML_OPT_STR, S(workspace), "BENCH_WS", NULL, 0, 0, "ID",
	    "MoEngage workspace id of every account" },
	{ "dc", ML_OPT_STR, S(dc), "01", NULL, 0, 0, "DC", "data center" },
	{ "data-key", ML_OPT_STR, S(data_key), "bench-data-key-0001", NULL, 0,
	    0, "KEY", "Data API key sealed into every account" },
	{ "count", ML_OPT_LONG, N(count), "1000", NULL, 0, 10000000, "N",
	    "accounts to insert" },
	{ "owners", ML_OPT_LONG, N(owners), "1000", NULL, 1, 10000000, "N",
	    "distinct origin_owner_id values" },
	ML_OPT_END
};

#undef S
#undef N

/*
 * Insert account number i of the run: a carries the fields every account
 * shares (seed_accounts_all fills them once); this sets a fresh id, the
 * owner and label, and seals ks for that id (the id is the associated
 * data, so every account needs its own blob).
 */
static int
seed_accounts_one(struct ml_store *st, struct ml_vault *v,
    const struct seed_opts *o, struct ml_store_account *a,
    const struct ml_keyset *ks, long i, struct ml_err *err)
{
	int rc;

	rc = ml_store_id_new("acc", a->id, sizeof(a->id), err);
	if (rc)
		return rc;
	snprintf(a->origin_owner_id, sizeof(a->origin_owner_id), "owner-%ld",
	    i % o->owners);
	snprintf(a->origin_owner_name, sizeof(a->origin_owner_name),
	    "Bench Customer %ld", i % o->owners);
	snprintf(a->label, sizeof(a->label), "Bench workspace %ld", i);
	ml_free_zero(a->sealed, a->sealed_len);
	a->sealed = NULL;
	a->sealed_len = 0;
	rc = ml_vault_seal_keyset(v, a->id, ks, "", &a->sealed, &a->sealed_len,
	    a->key_id, sizeof(a->key_id), err);
	if (rc == ML_OK)
		rc = ml_store_account_insert(st, a, err);
	return rc;
}

static int
seed_accounts_all(struct ml_store *st, struct ml_vault *v,
    const struct seed_opts *o, const char *project_id, struct ml_err *err)
{
	char first[ML_STORE_ID_MAX] = "";
	struct ml_store_account a;
	struct ml_keyset ks;
	int64_t t0;
	double secs;
	long i;
	int rc;

	ml_keyset_init(&ks);
	ml_store_account_init(&a);
	if (ml_keyset_set(&ks, ML_KEY_DATA, o->data_key) != ML_OK) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	/* What every account shares; the key hints are the same for all. */
	ml_strlcpy(a.project_id, project_id, sizeof(a.project_id));
	ml_strlcpy(a.provider, "moengage", sizeof(a.provider));
	ml_strlcpy(a.workspace_id, o->workspace, sizeof(a.workspace_id));
	ml_strlcpy(a.data_center, o->dc, sizeof(a.data_center));
	a.status = ML_ACCOUNT_ACTIVE;
	a.last_verified_at = ml_store_now();
	rc = ml_vault_keyset_hints(&ks, &a.key_hints, err);
	t0 = bench_util_now_ns();
	for (i = 0; rc == ML_OK && i < o->count; i++) {
		rc = seed_accounts_one(st, v, o, &a, &ks, i, err);
		if (rc == ML_OK && i == 0)
			ml_strlcpy(first, a.id, sizeof(first));
		if (rc == ML_OK && (i + 1) % 20000 == 0)
			fprintf(stderr, "seed_accounts: %ld accounts\n", i + 1);
	}
	if (rc)
		goto out;
	secs = (double)(bench_util_now_ns() - t0) / 1e9;
	printf("first_account\t%s\nlast_account\t%s\naccounts\t%ld\n"
	    "seconds\t%.2f\nper_second\t%.0f\n", first,
	    o->count > 0 ? a.id : "", o->count, secs,
	    secs > 0 ? (double)o->count / secs : 0.0);
out:
	ml_store_account_cleanup(&a);
	ml_keyset_cleanup(&ks);
	return rc;
}

static int
seed_accounts_run(const struct seed_opts *o, struct ml_err *err)
{
	struct ml_store_project p;
	struct ml_store *st = NULL;
	struct ml_vault *v = NULL;
	char key[ML_STORE_TOKEN_MAX];
	unsigned flags = 0;
	int rc;

	ml_store_project_init(&p);
	rc = ml_vault_new(&v, err);
	if (rc == ML_OK)
		rc = ml_vault_mkdirs(o->key_file, err);
	if (rc == ML_OK)
		rc = ml_vault_load(v, NULL, o->key_file, 1, &flags, err);
	if (rc == ML_OK)
		rc = ml_store_open(o->db, &st, err);
	if (rc == ML_OK)
		rc = ml_store_project_create(st, o->project, &p, err);
	if (rc == ML_OK)
		rc = ml_store_apikey_create(st, p.id, key, sizeof(key), NULL,
		    err);
	if (rc)
		goto out;
	printf("project_id\t%s\napi_key\t%s\n", p.id, key);
	fflush(stdout);
	sodium_memzero(key, sizeof(key));
	rc = seed_accounts_all(st, v, o, p.id, err);
out:
	ml_store_close(st);
	ml_vault_free(v);
	ml_store_project_cleanup(&p);
	return rc;
}

int
main(int argc, char **argv)
{
	struct seed_opts o;
	struct ml_err err;
	int rc;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	rc = bench_util_opts(seed_opt_table, &o, argc, argv, "seed_accounts");
	if (rc >= 0)
		return rc;
	if (o.db[0] == '\0' || o.key_file[0] == '\0') {
		fprintf(stderr, "seed_accounts: --db and --key-file are "
		    "required\n");
		return 2;
	}
	rc = seed_accounts_run(&o, &err);
	if (rc) {
		fprintf(stderr, "seed_accounts: %s\n", err.msg);
		return 1;
	}
	return 0;
}
