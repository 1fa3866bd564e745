/* SPDX-License-Identifier: MIT */
/*
 * store.h: moelink's persistence, one interface over several backends.
 *
 * A struct ml_store is opened from a URL ("sqlite://./var/moelink.db", or
 * "postgres://user@host:port/db" when built with libpq) and dispatches
 * every call through an ops table, so callers never know the backend. The
 * schema is migrated to the newest version on open.
 *
 * Contract for every function below:
 * - Returns ML_OK or a negative ML_E*: ML_ENOTFOUND (no such object *in
 *   this project*: an object of another project is indistinguishable from a
 *   missing one), ML_ECONFLICT (already exists / already spent / already
 *   consumed), ML_EEXPIRED (a token past its expiry), ML_EINVAL (an argument
 *   over its documented size or malformed), ML_ENOMEM, ML_ESTORE (database
 *   failure; err->msg carries the database's message). Detail in *err (may
 *   be NULL).
 * - Thread-safe: one struct ml_store may be used from any number of threads
 *   at once (MHD's thread pool); the store serialises internally where the
 *   backend needs it. Callbacks (ml_store_account_reseal) run inside the
 *   store and must not call back into it.
 * - Ids are random, URL-safe, prefixed: "prj_", "key_", "acc_", "cs_",
 *   "ds_" + 22 base64url characters (16 random bytes). Timestamps are epoch
 *   seconds (int64_t). 0 means "not set" for optional timestamps.
 * - Every operation on an object that belongs to a project takes the project
 *   id and is scoped by it in SQL.
 * - Tokens (API keys, connect-session tokens, dashboard tokens) are generated
 *   here, returned in plaintext exactly once, and stored only as SHA-256
 *   hashes; lookups compare hashes in constant time. The caller wipes the
 *   plaintext (sodium_memzero) when done.
 * - Record structs are embedded by the caller: *_init() (cannot fail) before
 *   use, *_cleanup() after (frees heap members, not the struct). A result
 *   struct passed to a getter is cleaned and refilled. Lists are heap arrays
 *   freed with the matching *_free(array, n).
 */
#ifndef ML_STORE_H
#define ML_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/account.h>
#include <moelink/err.h>

#define ML_STORE_ID_MAX 32		/* "acc_" + 22 chars + NUL, with room */
#define ML_STORE_TOKEN_MAX 64		/* "mlk_" + 43 chars + NUL, with room */
#define ML_STORE_TOKEN_PREFIX_MAX 16	/* display prefix "mlk_ab12cd" */
#define ML_STORE_NAME_MAX 128		/* project names */
#define ML_STORE_TEXT_MAX 256		/* owner ids/names, usernames, labels */
#define ML_STORE_KEY_ID_MAX 32		/* vault key ids (same as vault.h) */
#define ML_STORE_SETTING_KEY_MAX 64
#define ML_STORE_JSON_MAX 16384		/* metadata / reasons / hints text */
#define ML_STORE_VALUE_MAX 65536	/* setting values */
#define ML_STORE_BLOB_MAX 65536		/* sealed credential blobs */
#define ML_STORE_PAGE_SIZE_MAX 1000
#define ML_STORE_PAGE_SIZE_DEFAULT 25

#define ML_STORE_DEFAULT_URL "sqlite://./var/moelink.db"
/* For error messages, and --help where "PATH" follows: sqlite:// last. */
#ifdef ML_HAVE_LIBPQ
#define ML_STORE_SCHEMES "postgres://USER@HOST:PORT/DB, sqlite://"
#else
#define ML_STORE_SCHEMES "sqlite://"
#endif

/* Well-known setting keys (project id "" = global). */
#define ML_SETTING_ADMIN_PASSWORD "admin_password_hash"	/* crypto_pwhash_str */
#define ML_SETTING_FRAME_ORIGINS "hub_frame_origins"	/* space-separated */

struct ml_store_ops;

/*
 * The store handle. Opaque to callers: use the functions below. `impl` is
 * the backend's state, `ops` its table (store_<backend>.c).
 */
struct ml_store {
	const struct ml_store_ops *ops;
	void *impl;
	char scheme[16];		/* "sqlite" */
	/* Write generations (ml_store_account_gen, ml_store_apikey_gen). */
	_Atomic uint64_t account_gen;
	_Atomic uint64_t apikey_gen;
};

/*
 * Open (creating if needed) and migrate the store at `url`.
 * sqlite://PATH: relative paths are relative to the working directory; the
 * parent directory is created (0700) if missing. postgres://USER@HOST:PORT/DB
 * (a libpq URL; PG* variables and ~/.pgpass fill the rest) needs the
 * database to exist. Query options: "?pool=N" connections (1..64, default
 * 4). An unknown scheme is ML_EINVAL with a message naming the supported
 * ones. On success *out is owned by the caller (ml_store_close).
 */
int ml_store_open(const char *url, struct ml_store **out, struct ml_err *err);
/* Close and free; NULL is a no-op. */
void ml_store_close(struct ml_store *s);
/* The schema version the database is at (after open: the newest). */
int ml_store_schema_version(struct ml_store *s, int *version,
    struct ml_err *err);
/* The newest schema version this build knows. */
int ml_store_schema_latest(void);

/*
 * Write generations, for caches in front of the store. account_gen grows
 * after every account write made through this handle (update, credentials,
 * status, delete, reseal; also insert), apikey_gen after every API-key
 * revocation, whether the write succeeded or not. A cache reads the
 * generation BEFORE it reads the store and keeps an answer only while the
 * generation is unchanged: then no write of this process can be hidden by
 * it. Writes by other processes are not seen here (bound them with a TTL).
 */
uint64_t ml_store_account_gen(struct ml_store *s);
uint64_t ml_store_apikey_gen(struct ml_store *s);

/*
 * A fresh random id "<prefix>_" + 22 base64url chars into out (cap >=
 * ML_STORE_ID_MAX). prefix is "acc", "prj", ... (at most 6 chars).
 */
int ml_store_id_new(const char *prefix, char *out, size_t cap,
    struct ml_err *err);
/* Current time in epoch seconds (the store's clock). */
int64_t ml_store_now(void);

/* ---- projects ---------------------------------------------------------- */

struct ml_store_project {
	char id[ML_STORE_ID_MAX];
	char name[ML_STORE_NAME_MAX];
	int64_t created_at;
};

void ml_store_project_init(struct ml_store_project *p);
void ml_store_project_cleanup(struct ml_store_project *p);
/* name: 1..127 bytes. out (may be NULL) receives the new project. */
int ml_store_project_create(struct ml_store *s, const char *name,
    struct ml_store_project *out, struct ml_err *err);
int ml_store_project_get(struct ml_store *s, const char *id,
    struct ml_store_project *out, struct ml_err *err);
/* All projects in creation order. *out is NULL when *n is 0. */
int ml_store_project_list(struct ml_store *s, struct ml_store_project **out,
    size_t *n, struct ml_err *err);
void ml_store_project_list_free(struct ml_store_project *list, size_t n);
/* Number of projects (0 = first run). */
int ml_store_project_count(struct ml_store *s, int64_t *n,
    struct ml_err *err);

/* ---- project API keys -------------------------------------------------- */

/* A key's public face; the key itself is never stored. */
struct ml_store_apikey {
	char id[ML_STORE_ID_MAX];		/* "key_..." */
	char project_id[ML_STORE_ID_MAX];
	char prefix[ML_STORE_TOKEN_PREFIX_MAX];	/* "mlk_" + 6 chars, display */
	int64_t created_at;
	int64_t revoked_at;			/* 0 = live */
};

void ml_store_apikey_init(struct ml_store_apikey *k);
void ml_store_apikey_cleanup(struct ml_store_apikey *k);
/*
 * Create a key for a project: "mlk_" + base64url(32 random bytes) is written
 * to key (cap >= ML_STORE_TOKEN_MAX) ONCE; only its hash is stored. info
 * (may be NULL) receives id and display prefix. ML_ENOTFOUND if the project
 * does not exist.
 */
int ml_store_apikey_create(struct ml_store *s, const char *project_id,
    char *key, size_t cap, struct ml_store_apikey *info, struct ml_err *err);
/*
 * Authenticate a presented key: ML_OK fills info (project_id, id, prefix);
 * ML_ENOTFOUND for an unknown, malformed or revoked key.
 */
int ml_store_apikey_lookup(struct ml_store *s, const char *key,
    struct ml_store_apikey *info, struct ml_err *err);
/* Revoke (idempotent for a live key; ML_ENOTFOUND if not this project's). */
int ml_store_apikey_revoke(struct ml_store *s, const char *project_id,
    const char *key_id, struct ml_err *err);
/* The project's keys (live and revoked) in creation order. */
int ml_store_apikey_list(struct ml_store *s, const char *project_id,
    struct ml_store_apikey **out, size_t *n, struct ml_err *err);
void ml_store_apikey_list_free(struct ml_store_apikey *list, size_t n);

/* ---- settings ---------------------------------------------------------- */

/*
 * Key/value settings. project_id NULL or "" = global (e.g. the admin
 * password hash); otherwise per project (e.g. allowed frame origins).
 * key: 1..63 bytes; value: up to ML_STORE_VALUE_MAX bytes of text.
 */
int ml_store_setting_set(struct ml_store *s, const char *project_id,
    const char *key, const char *value, struct ml_err *err);
/* *value is heap (ml_free_secret/ml_free by the caller); ML_ENOTFOUND. */
int ml_store_setting_get(struct ml_store *s, const char *project_id,
    const char *key, char **value, struct ml_err *err);
int ml_store_setting_delete(struct ml_store *s, const char *project_id,
    const char *key, struct ml_err *err);

/* ---- connect sessions -------------------------------------------------- */

enum ml_store_session_status {
	ML_SESSION_OPEN = 0,
	ML_SESSION_SPENT,
	ML_SESSION_EXPIRED
};

/* "open", "spent", "expired". */
const char *ml_store_session_status_name(enum ml_store_session_status st);

struct ml_store_session {
	char id[ML_STORE_ID_MAX];		/* "cs_..." */
	char project_id[ML_STORE_ID_MAX];
	char origin_owner_id[ML_STORE_TEXT_MAX];
	char origin_owner_name[ML_STORE_TEXT_MAX];
	char origin_username[ML_STORE_TEXT_MAX];	/* may be "" */
	char label[ML_STORE_TEXT_MAX];			/* may be "" */
	char *metadata;			/* JSON text or NULL; heap, owned */
	char account_id[ML_STORE_ID_MAX];	/* set once spent by a link */
	int64_t created_at;
	int64_t expires_at;
	int64_t spent_at;		/* 0 = not spent */
	/* computed when read, against the current time */
	enum ml_store_session_status status;
};

void ml_store_session_init(struct ml_store_session *cs);
void ml_store_session_cleanup(struct ml_store_session *cs);
/*
 * Create: the caller fills project_id, origin_owner_id (required),
 * origin_owner_name (required), origin_username, label, metadata (NULL or
 * JSON text, the caller validated it) and expires_at (> now). The store
 * fills id, created_at, status and writes the plaintext token
 * ("cst_" + 43 chars) to token (cap >= ML_STORE_TOKEN_MAX) ONCE.
 * ML_ENOTFOUND if the project does not exist.
 */
int ml_store_session_create(struct ml_store *s, struct ml_store_session *cs,
    char *token, size_t cap, struct ml_err *err);
/*
 * Find by presented token: ML_OK whatever the status (read out->status);
 * ML_ENOTFOUND for an unknown token.
 */
int ml_store_session_find(struct ml_store *s, const char *token,
    struct ml_store_session *out, struct ml_err *err);
int ml_store_session_get(struct ml_store *s, const char *project_id,
    const char *id, struct ml_store_session *out, struct ml_err *err);
/*
 * Spend atomically (UPDATE ... WHERE spent_at IS NULL AND expires_at > now):
 * of any number of racing callers exactly one gets ML_OK. Others get
 * ML_ECONFLICT (already spent), ML_EEXPIRED or ML_ENOTFOUND. account_id
 * (may be NULL) is recorded on the session.
 */
int ml_store_session_spend(struct ml_store *s, const char *project_id,
    const char *id, const char *account_id, struct ml_err *err);

/* ---- accounts ---------------------------------------------------------- */

enum ml_store_account_status {
	ML_ACCOUNT_ACTIVE = 0,
	ML_ACCOUNT_INACTIVE,
	ML_ACCOUNT_ERROR
};

/* "active", "inactive", "error"; parse returns ML_EINVAL otherwise. */
const char *ml_store_account_status_name(enum ml_store_account_status st);
int ml_store_account_status_parse(const char *name,
    enum ml_store_account_status *out);

/*
 * A linked account as stored. Strings in fixed arrays are bounded by their
 * size (longer input is ML_EINVAL); JSON members are heap text or NULL.
 * `sealed` is the vault blob (ml_vault_seal), never plaintext keys.
 */
struct ml_store_account {
	char id[ML_STORE_ID_MAX];	/* "acc_..." (ml_store_id_new) */
	char project_id[ML_STORE_ID_MAX];
	char provider[32];			/* "moengage" */
	char origin_owner_id[ML_STORE_TEXT_MAX];
	char origin_owner_name[ML_STORE_TEXT_MAX];
	char origin_username[ML_STORE_TEXT_MAX];
	char label[ML_STORE_TEXT_MAX];
	char *metadata;			/* JSON object text or NULL */
	char workspace_id[ML_WORKSPACE_ID_MAX];
	char data_center[4];
	enum ml_store_account_status status;
	char *status_reasons;		/* JSON array text or NULL */
	unsigned char *sealed;		/* heap; NULL in list results */
	size_t sealed_len;
	char key_id[ML_STORE_KEY_ID_MAX];	/* vault key that sealed it */
	char *key_hints;		/* JSON {"data":"ab12",...} or NULL */
	int64_t created_at;
	int64_t updated_at;
	int64_t last_verified_at;	/* 0 = never */
};

void ml_store_account_init(struct ml_store_account *a);
/* Frees heap members (sealed is wiped first). */
void ml_store_account_cleanup(struct ml_store_account *a);

/*
 * Insert: the caller fills every member (id from ml_store_id_new("acc"),
 * sealed from the vault sealed with that id as associated data). created_at
 * and updated_at are set to now when 0. ML_ECONFLICT if the id exists,
 * ML_ENOTFOUND if the project does not.
 */
int ml_store_account_insert(struct ml_store *s,
    const struct ml_store_account *a, struct ml_err *err);
/*
 * Insert and spend the connect session `session_id` (same project) in one
 * transaction: either both happen or neither. Session errors as in
 * ml_store_session_spend (ML_ECONFLICT, ML_EEXPIRED, ML_ENOTFOUND).
 */
int ml_store_account_insert_spend(struct ml_store *s,
    const struct ml_store_account *a, const char *session_id,
    struct ml_err *err);
/* Get one account including its sealed blob. */
int ml_store_account_get(struct ml_store *s, const char *project_id,
    const char *id, struct ml_store_account *out, struct ml_err *err);

struct ml_store_account_filter {
	const char *project_id;		/* required */
	const char *origin_owner_id;	/* NULL = any */
	const char *provider;		/* NULL = any */
	int64_t page;			/* 1-based; 0 = 1 */
	int64_t page_size;	/* 0 = default; <= ML_STORE_PAGE_SIZE_MAX */
	/* Keyset cursor: only accounts after (after_created_at, after_id). */
	const char *after_id;		/* NULL = from the first account */
	int64_t after_created_at;
	int64_t count_max;		/* > 0: count at most this many + 1 */
	int *more;			/* (may be NULL) 1 if rows follow */
};

/*
 * One page, ordered by (created_at, id) so pages are stable: page_size rows
 * after the cursor (if any), skipping (page - 1) * page_size of them. The
 * cost is that of the rows read, not of the project's size: without an
 * owner the page comes from the (project_id, created_at, id) index, with
 * one from the owner's accounts. *total is the number of matching
 * accounts over all pages (cursor ignored), but with count_max > 0 the
 * count stops at count_max + 1, so *total > count_max means "more than
 * count_max". *f->more tells whether another page follows. Items carry no
 * sealed blob.
 */
int ml_store_account_list(struct ml_store *s,
    const struct ml_store_account_filter *f, struct ml_store_account **out,
    size_t *n, int64_t *total, struct ml_err *err);
void ml_store_account_list_free(struct ml_store_account *list, size_t n);

/* Update label and/or metadata; NULL keeps the old value. Bumps updated_at. */
int ml_store_account_update(struct ml_store *s, const char *project_id,
    const char *id, const char *label, const char *metadata,
    struct ml_err *err);
/*
 * Replace credentials in one statement: reads a->project_id, id, sealed,
 * sealed_len, key_id, key_hints, workspace_id, data_center, status,
 * status_reasons, last_verified_at. Bumps updated_at.
 */
int ml_store_account_set_credentials(struct ml_store *s,
    const struct ml_store_account *a, struct ml_err *err);
/* Set status + reasons (JSON or NULL); last_verified_at 0 keeps the old. */
int ml_store_account_set_status(struct ml_store *s, const char *project_id,
    const char *id, enum ml_store_account_status status, const char *reasons,
    int64_t last_verified_at, struct ml_err *err);
int ml_store_account_delete(struct ml_store *s, const char *project_id,
    const char *id, struct ml_err *err);
/* Accounts in a project, or in all projects when project_id is NULL. */
int ml_store_account_count(struct ml_store *s, const char *project_id,
    int64_t *n, struct ml_err *err);

/*
 * Key rotation. For every account (all projects) the store calls fn with
 * the account id, its sealed blob and key id; fn writes a replacement blob
 * (heap, ml_malloc; the store frees it with ml_free_zero) and its key id,
 * or sets *new_blob = NULL to leave the record as it is. All rewrites
 * happen in ONE transaction: if fn fails (its status is returned) or a
 * write fails, nothing changes. *resealed (may be NULL) = records rewritten.
 */
typedef int (*ml_store_reseal_fn)(void *ctx, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    unsigned char **new_blob, size_t *new_len,
    char new_key_id[ML_STORE_KEY_ID_MAX], struct ml_err *err);

int ml_store_account_reseal(struct ml_store *s, ml_store_reseal_fn fn,
    void *ctx, int64_t *resealed, struct ml_err *err);

/* How many accounts each vault key id seals (for `moelink vault status`). */
struct ml_store_key_usage {
	char key_id[ML_STORE_KEY_ID_MAX];
	int64_t accounts;
};

int ml_store_key_usage(struct ml_store *s, struct ml_store_key_usage **out,
    size_t *n, struct ml_err *err);
void ml_store_key_usage_free(struct ml_store_key_usage *list, size_t n);

/* ---- dashboard sessions and one-time sign-in links --------------------- */

struct ml_store_dash {
	char id[ML_STORE_ID_MAX];	/* "ds_..." */
	char subject[ML_STORE_TEXT_MAX];	/* who: "admin" */
	char project_id[ML_STORE_ID_MAX];	/* "" = all projects */
	int one_time;			/* 1: a sign-in link, consumed once */
	int64_t created_at;
	int64_t expires_at;
	int64_t consumed_at;		/* 0 = not consumed */
};

void ml_store_dash_init(struct ml_store_dash *d);
void ml_store_dash_cleanup(struct ml_store_dash *d);
/*
 * Create: caller fills subject, project_id, one_time, expires_at (> now).
 * Token "mds_" + 43 chars written to token ONCE; id, created_at filled.
 */
int ml_store_dash_create(struct ml_store *s, struct ml_store_dash *d,
    char *token, size_t cap, struct ml_err *err);
/*
 * Find a usable session by token: ML_OK (unexpired and, if one-time, not
 * consumed), ML_EEXPIRED, ML_ECONFLICT (one-time and already consumed),
 * ML_ENOTFOUND. out may be NULL.
 */
int ml_store_dash_find(struct ml_store *s, const char *token,
    struct ml_store_dash *out, struct ml_err *err);
/*
 * Consume a one-time link atomically: exactly one caller gets ML_OK; the
 * others ML_ECONFLICT. ML_EEXPIRED, ML_ENOTFOUND (also for a session that is
 * not one-time). out (may be NULL) receives the session.
 */
int ml_store_dash_consume(struct ml_store *s, const char *token,
    struct ml_store_dash *out, struct ml_err *err);
/* Delete (sign out). ML_ENOTFOUND if unknown. */
int ml_store_dash_delete(struct ml_store *s, const char *token,
    struct ml_err *err);
/* Delete expired dashboard sessions and connect sessions; *n removed. */
int ml_store_purge_expired(struct ml_store *s, int64_t *n,
    struct ml_err *err);

#endif
