/* SPDX-License-Identifier: MIT */
/*
 * store_int.h: what a store backend implements (the ops table) and the
 * helpers store.c shares with backends. Not for callers of the store.
 *
 * Division of work: store.c validates arguments (sizes, required fields),
 * generates ids and tokens and hashes tokens; a backend only runs SQL. A
 * backend op receives already-validated input, token HASHES (never the
 * plaintext) and the current time, and returns the statuses documented in
 * store.h. Result structs handed to a backend are initialised and empty.
 */
#ifndef ML_STORE_INT_H
#define ML_STORE_INT_H

#include "store/store.h"

#define ML_STORE_HASH_BYTES 32	/* SHA-256 of a token */

struct ml_store_url {
	char path[4096];	/* file path (sqlite) */
	long pool;		/* connections; 0 = backend default */
};

struct ml_store_ops {
	const char *scheme;	/* "sqlite" */
	int (*open)(struct ml_store *s, const struct ml_store_url *url,
	    struct ml_err *err);
	void (*close)(struct ml_store *s);
	int (*schema_version)(struct ml_store *s, int *version,
	    struct ml_err *err);

	int (*project_insert)(struct ml_store *s,
	    const struct ml_store_project *p, struct ml_err *err);
	int (*project_get)(struct ml_store *s, const char *id,
	    struct ml_store_project *out, struct ml_err *err);
	int (*project_list)(struct ml_store *s, struct ml_store_project **out,
	    size_t *n, struct ml_err *err);
	int (*project_count)(struct ml_store *s, int64_t *n,
	    struct ml_err *err);

	int (*apikey_insert)(struct ml_store *s,
	    const struct ml_store_apikey *k,
	    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err);
	int (*apikey_lookup)(struct ml_store *s,
	    const unsigned char hash[ML_STORE_HASH_BYTES],
	    struct ml_store_apikey *out, struct ml_err *err);
	int (*apikey_revoke)(struct ml_store *s, const char *project_id,
	    const char *key_id, int64_t now, struct ml_err *err);
	int (*apikey_list)(struct ml_store *s, const char *project_id,
	    struct ml_store_apikey **out, size_t *n, struct ml_err *err);

	int (*setting_set)(struct ml_store *s, const char *project_id,
	    const char *key, const char *value, int64_t now,
	    struct ml_err *err);
	int (*setting_get)(struct ml_store *s, const char *project_id,
	    const char *key, char **value, struct ml_err *err);
	int (*setting_delete)(struct ml_store *s, const char *project_id,
	    const char *key, struct ml_err *err);

	int (*session_insert)(struct ml_store *s,
	    const struct ml_store_session *cs,
	    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err);
	int (*session_find)(struct ml_store *s,
	    const unsigned char hash[ML_STORE_HASH_BYTES],
	    struct ml_store_session *out, struct ml_err *err);
	int (*session_get)(struct ml_store *s, const char *project_id,
	    const char *id, struct ml_store_session *out, struct ml_err *err);
	int (*session_spend)(struct ml_store *s, const char *project_id,
	    const char *id, const char *account_id, int64_t now,
	    struct ml_err *err);

	/* session_id NULL: plain insert; else insert + spend atomically. */
	int (*account_insert)(struct ml_store *s,
	    const struct ml_store_account *a, const char *session_id,
	    int64_t now, struct ml_err *err);
	int (*account_get)(struct ml_store *s, const char *project_id,
	    const char *id, struct ml_store_account *out, struct ml_err *err);
	/*
	 * Up to page_size + 1 rows (store.c drops the extra one and sets
	 * f->more); *total counts at most count_max + 1 (0: all).
	 */
	int (*account_list)(struct ml_store *s,
	    const struct ml_store_account_filter *f,
	    struct ml_store_account **out, size_t *n, int64_t *total,
	    struct ml_err *err);
	int (*account_update)(struct ml_store *s, const char *project_id,
	    const char *id, const char *label, const char *metadata,
	    int64_t now, struct ml_err *err);
	int (*account_set_credentials)(struct ml_store *s,
	    const struct ml_store_account *a, int64_t now,
	    struct ml_err *err);
	int (*account_set_status)(struct ml_store *s, const char *project_id,
	    const char *id, enum ml_store_account_status status,
	    const char *reasons, int64_t last_verified_at, int64_t now,
	    struct ml_err *err);
	int (*account_delete)(struct ml_store *s, const char *project_id,
	    const char *id, struct ml_err *err);
	int (*account_count)(struct ml_store *s, const char *project_id,
	    int64_t *n, struct ml_err *err);
	int (*account_reseal)(struct ml_store *s, ml_store_reseal_fn fn,
	    void *ctx, int64_t now, int64_t *resealed, struct ml_err *err);
	int (*key_usage)(struct ml_store *s, struct ml_store_key_usage **out,
	    size_t *n, struct ml_err *err);

	int (*dash_insert)(struct ml_store *s, const struct ml_store_dash *d,
	    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err);
	int (*dash_find)(struct ml_store *s,
	    const unsigned char hash[ML_STORE_HASH_BYTES],
	    struct ml_store_dash *out, struct ml_err *err);
	/* ML_OK for the one winner; else ECONFLICT / EEXPIRED / ENOTFOUND. */
	int (*dash_consume)(struct ml_store *s,
	    const unsigned char hash[ML_STORE_HASH_BYTES], int64_t now,
	    struct ml_store_dash *out, struct ml_err *err);
	int (*dash_delete)(struct ml_store *s,
	    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err);
	int (*purge_expired)(struct ml_store *s, int64_t now, int64_t *n,
	    struct ml_err *err);
};

/* Backends. */
extern const struct ml_store_ops ml__store_sqlite_ops;
#ifdef ML_HAVE_LIBPQ
extern const struct ml_store_ops ml__store_pg_ops;	/* store_pg.c */
#endif

/* SQLite migrations, oldest first: entry i takes user_version i to i+1. */
extern const char *const ml__store_sqlite_migrations[];
extern const int ml__store_sqlite_migration_count;

/*
 * A new secret token: prefix + base64url of 32 random bytes into token
 * (cap >= ML_STORE_TOKEN_MAX), and its SHA-256 into hash. store.c makes the
 * store's tokens with it; the outbox's write keys ("mlw_") too.
 */
int ml__store_token_new(const char *prefix, char *token, size_t cap,
    unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err);
/*
 * SHA-256 of a presented token after checking its shape (prefix + 43
 * base64url characters); ML_ENOTFOUND, without hashing, for any other.
 */
int ml__store_token_hash(const char *prefix, const char *token,
    unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err);

/* Copy a string into a fixed field; ML_EINVAL naming `field` if too long. */
int ml__store_copy(char *dst, size_t cap, const char *src, const char *field,
    struct ml_err *err);

#endif
