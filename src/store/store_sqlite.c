/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite.c: the SQLite backend of the store (ops table in store_int.h).
 *
 * Contract: a small pool of connections (up to 4, "?pool=N"), each opened
 * with SQLITE_OPEN_NOMUTEX and used by one thread at a time: one is opened
 * (and migrates the schema) at start, the others only when every open one
 * is busy, so an idle server holds one. Each caps its page cache at
 * SQ_CACHE_KIB and none preallocates cache lines. A caller
 * checks a connection out, runs its statements, resets them and checks it
 * back in. Every connection runs WAL, synchronous=NORMAL, foreign_keys=ON
 * and a 5 s busy timeout, and caches its prepared statements (prepared once,
 * SQLITE_PREPARE_PERSISTENT). Writes that span statements run in BEGIN
 * IMMEDIATE transactions so they take the write lock up front and wait in
 * the busy handler instead of failing on a lock upgrade. Readers never block
 * writers (WAL). The database file is created mode 0600 (its -wal and -shm
 * files inherit that) inside a parent directory created 0700 if missing.
 * The schema is migrated on open (store_migrations.c).
 */
#include "store/store_int.h"
#include "vault/vault.h"

#include <moelink/mem.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQ_POOL_DEFAULT 4
#define SQ_CACHE_KIB 1024	/* per connection; SQLite's default is 2 MiB */
#define SQ_BUSY_MS 5000
#define SQ_RESEAL_BATCH 256

enum sq_stmt {
	SQ_BEGIN = 0,
	SQ_BEGIN_WRITE,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_USER_VERSION,
	SQ_PROJECT_INSERT,
	SQ_PROJECT_GET,
	SQ_PROJECT_LIST,
	SQ_PROJECT_COUNT,
	SQ_APIKEY_INSERT,
	SQ_APIKEY_LOOKUP,
	SQ_APIKEY_REVOKE,
	SQ_APIKEY_LIST,
	SQ_SETTING_SET,
	SQ_SETTING_GET,
	SQ_SETTING_DELETE,
	SQ_SESSION_INSERT,
	SQ_SESSION_FIND,
	SQ_SESSION_GET,
	SQ_SESSION_SPEND,
	SQ_SESSION_STATE,
	SQ_ACCOUNT_INSERT,
	SQ_ACCOUNT_GET,
	SQ_ACCOUNT_LIST,
	SQ_ACCOUNT_LIST_OWNER,
	SQ_ACCOUNT_LIST_COUNT,
	SQ_ACCOUNT_LIST_COUNT_OWNER,
	SQ_ACCOUNT_UPDATE,
	SQ_ACCOUNT_SET_CREDS,
	SQ_ACCOUNT_SET_STATUS,
	SQ_ACCOUNT_DELETE,
	SQ_ACCOUNT_COUNT,
	SQ_ACCOUNT_SEALED_BATCH,
	SQ_ACCOUNT_RESEAL,
	SQ_KEY_USAGE,
	SQ_DASH_INSERT,
	SQ_DASH_FIND,
	SQ_DASH_CONSUME,
	SQ_DASH_DELETE,
	SQ_PURGE_DASH,
	SQ_PURGE_SESSIONS,
	SQ_STMT_COUNT
};

#define SQ_SESSION_COLS \
	"id, project_id, origin_owner_id, origin_owner_name, " \
	"origin_username, label, metadata, account_id, created_at, " \
	"expires_at, spent_at"
#define SQ_ACCOUNT_COLS \
	"id, project_id, provider, origin_owner_id, origin_owner_name, " \
	"origin_username, label, metadata, workspace_id, data_center, " \
	"status, status_reasons, key_id, key_hints, created_at, updated_at, " \
	"last_verified_at"
/*
 * The account list, one statement per owner filter so each can use its
 * index: without an owner, accounts_project_order (project_id, created_at,
 * id) gives the page in order from the cursor on, reading only the page;
 * with one, accounts_filter (project_id, origin_owner_id, provider) finds
 * the owner's accounts. The count reads at most ?3 index entries.
 * Parameters: ?1 project, ?2 provider or NULL, ?3 limit, ?4 offset, ?5 ?6
 * the cursor (created_at, id) the page starts after, ?7 owner.
 */
#define SQ_ACCOUNT_PAGE \
	" AND (?2 IS NULL OR provider = ?2) AND (created_at, id) > (?5, ?6)" \
	" ORDER BY created_at, id LIMIT ?3 OFFSET ?4"
#define SQ_ACCOUNT_COUNT_OF(owner) \
	"SELECT count(*) FROM (SELECT 1 FROM accounts WHERE project_id = ?1" \
	owner " AND (?2 IS NULL OR provider = ?2) LIMIT ?3)"
#define SQ_DASH_COLS \
	"id, subject, project_id, one_time, created_at, expires_at, " \
	"consumed_at, token_hash"

static const char *const sq_sql[SQ_STMT_COUNT] = {
	[SQ_BEGIN] = "BEGIN",
	[SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_USER_VERSION] = "PRAGMA user_version",
	[SQ_PROJECT_INSERT] =
	    "INSERT INTO projects (id, name, created_at) VALUES (?1, ?2, ?3)",
	[SQ_PROJECT_GET] =
	    "SELECT id, name, created_at FROM projects WHERE id = ?1",
	[SQ_PROJECT_LIST] =
	    "SELECT id, name, created_at FROM projects"
	    " ORDER BY created_at, rowid",
	[SQ_PROJECT_COUNT] = "SELECT count(*) FROM projects",
	[SQ_APIKEY_INSERT] =
	    "INSERT INTO api_keys (id, project_id, key_hash, prefix,"
	    " created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_APIKEY_LOOKUP] =
	    "SELECT id, project_id, prefix, created_at, revoked_at, key_hash"
	    " FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
	[SQ_APIKEY_REVOKE] =
	    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?3)"
	    " WHERE project_id = ?1 AND id = ?2",
	[SQ_APIKEY_LIST] =
	    "SELECT id, project_id, prefix, created_at, revoked_at"
	    " FROM api_keys WHERE project_id = ?1 ORDER BY created_at, rowid",
	[SQ_SETTING_SET] =
	    "INSERT INTO settings (project_id, key, value, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (project_id, key)"
	    " DO UPDATE SET value = excluded.value,"
	    " updated_at = excluded.updated_at",
	[SQ_SETTING_GET] =
	    "SELECT value FROM settings WHERE project_id = ?1 AND key = ?2",
	[SQ_SETTING_DELETE] =
	    "DELETE FROM settings WHERE project_id = ?1 AND key = ?2",
	[SQ_SESSION_INSERT] =
	    "INSERT INTO connect_sessions (id, project_id, token_hash,"
	    " origin_owner_id, origin_owner_name, origin_username, label,"
	    " metadata, created_at, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQ_SESSION_FIND] =
	    "SELECT " SQ_SESSION_COLS ", token_hash FROM connect_sessions"
	    " WHERE token_hash = ?1",
	[SQ_SESSION_GET] =
	    "SELECT " SQ_SESSION_COLS " FROM connect_sessions"
	    " WHERE project_id = ?1 AND id = ?2",
	[SQ_SESSION_SPEND] =
	    "UPDATE connect_sessions SET spent_at = ?3, account_id = ?4"
	    " WHERE project_id = ?1 AND id = ?2 AND spent_at IS NULL"
	    " AND expires_at > ?3",
	[SQ_SESSION_STATE] =
	    "SELECT spent_at FROM connect_sessions"
	    " WHERE project_id = ?1 AND id = ?2",
	[SQ_ACCOUNT_INSERT] =
	    "INSERT INTO accounts (" SQ_ACCOUNT_COLS ", sealed) VALUES (?1,"
	    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16, ?17, ?18)",
	[SQ_ACCOUNT_GET] =
	    "SELECT " SQ_ACCOUNT_COLS ", sealed FROM accounts"
	    " WHERE project_id = ?1 AND id = ?2",
	[SQ_ACCOUNT_LIST] =
	    "SELECT " SQ_ACCOUNT_COLS " FROM accounts WHERE project_id = ?1"
	    SQ_ACCOUNT_PAGE,
	[SQ_ACCOUNT_LIST_OWNER] =
	    "SELECT " SQ_ACCOUNT_COLS " FROM accounts WHERE project_id = ?1"
	    " AND origin_owner_id = ?7" SQ_ACCOUNT_PAGE,
	[SQ_ACCOUNT_LIST_COUNT] = SQ_ACCOUNT_COUNT_OF(""),
	[SQ_ACCOUNT_LIST_COUNT_OWNER] =
	    SQ_ACCOUNT_COUNT_OF(" AND origin_owner_id = ?4"),
	[SQ_ACCOUNT_UPDATE] =
	    "UPDATE accounts SET label = coalesce(?3, label),"
	    " metadata = coalesce(?4, metadata), updated_at = ?5"
	    " WHERE project_id = ?1 AND id = ?2",
	[SQ_ACCOUNT_SET_CREDS] =
	    "UPDATE accounts SET sealed = ?3, key_id = ?4, key_hints = ?5,"
	    " workspace_id = ?6, data_center = ?7, status = ?8,"
	    " status_reasons = ?9,"
	    " last_verified_at = coalesce(?10, last_verified_at),"
	    " updated_at = ?11 WHERE project_id = ?1 AND id = ?2",
	[SQ_ACCOUNT_SET_STATUS] =
	    "UPDATE accounts SET status = ?3, status_reasons = ?4,"
	    " last_verified_at = coalesce(?5, last_verified_at),"
	    " updated_at = ?6 WHERE project_id = ?1 AND id = ?2",
	[SQ_ACCOUNT_DELETE] =
	    "DELETE FROM accounts WHERE project_id = ?1 AND id = ?2",
	[SQ_ACCOUNT_COUNT] =
	    "SELECT count(*) FROM accounts WHERE ?1 IS NULL OR project_id = ?1",
	[SQ_ACCOUNT_SEALED_BATCH] =
	    "SELECT id, sealed, key_id FROM accounts WHERE id > ?1"
	    " ORDER BY id LIMIT ?2",
	[SQ_ACCOUNT_RESEAL] =
	    "UPDATE accounts SET sealed = ?2, key_id = ?3 WHERE id = ?1",
	[SQ_KEY_USAGE] =
	    "SELECT key_id, count(*) FROM accounts GROUP BY key_id"
	    " ORDER BY key_id",
	[SQ_DASH_INSERT] =
	    "INSERT INTO dash_sessions (id, token_hash, subject, project_id,"
	    " one_time, created_at, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQ_DASH_FIND] =
	    "SELECT " SQ_DASH_COLS " FROM dash_sessions WHERE token_hash = ?1",
	[SQ_DASH_CONSUME] =
	    "UPDATE dash_sessions SET consumed_at = ?2 WHERE token_hash = ?1"
	    " AND one_time = 1 AND consumed_at IS NULL AND expires_at > ?2",
	[SQ_DASH_DELETE] = "DELETE FROM dash_sessions WHERE token_hash = ?1",
	[SQ_PURGE_DASH] = "DELETE FROM dash_sessions WHERE expires_at <= ?1",
	[SQ_PURGE_SESSIONS] =
	    "DELETE FROM connect_sessions WHERE expires_at <= ?1",
};

struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ_STMT_COUNT];
	uint64_t used;		/* statements to reset at check-in */
};

struct sq_store {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sq_conn *conns;
	size_t nconns;		/* the pool's size */
	size_t nopen;		/* conns[0..nopen) opened or being opened */
	size_t *idle;		/* stack of idle connection indexes */
	size_t nidle;
	int grow_failed;	/* an extra connection failed: stop growing */
	int sync_ready;		/* mu and cv initialised */
	char *path;
};

static struct sq_store *
sq_impl(struct ml_store *s)
{
	return s->impl;
}

/* ---- errors, connections, statements ----------------------------------- */

static int
sq_fail(struct sq_conn *c, int src, const char *what, struct ml_err *err)
{
	int ext = c != NULL && c->db != NULL ? sqlite3_extended_errcode(c->db) :
	    src;
	const char *msg = c != NULL && c->db != NULL ? sqlite3_errmsg(c->db) :
	    sqlite3_errstr(src);

	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
	    ext == SQLITE_CONSTRAINT_UNIQUE)
		return ml_err_set(err, ML_ECONFLICT, "conflict",
		    "%s: already exists", what);
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "%s: the project does not exist", what);
	if ((src & 0xff) == SQLITE_NOMEM)
		return ml_err_set(err, ML_ENOMEM, NULL, "%s: out of memory",
		    what);
	return ml_err_set(err, ML_ESTORE, "storage_error", "%s: %s", what,
	    msg);
}

static int sq_conn_open(struct sq_conn *c, const char *path,
    struct ml_err *err);
static void sq_conn_close(struct sq_conn *c);

/*
 * An idle connection; if none is idle, a new one while the pool is not
 * full (opened outside the lock), else wait. Connection 0 is always open,
 * so a failed extra open only means waiting.
 */
static struct sq_conn *
sq_acquire(struct ml_store *s)
{
	struct sq_store *q = sq_impl(s);
	struct sq_conn *c;
	size_t i;

	pthread_mutex_lock(&q->mu);
	while (q->nidle == 0) {
		if (q->nopen < q->nconns && !q->grow_failed) {
			i = q->nopen++;
			pthread_mutex_unlock(&q->mu);
			c = &q->conns[i];
			if (sq_conn_open(c, q->path, NULL) == ML_OK)
				return c;
			sq_conn_close(c);
			pthread_mutex_lock(&q->mu);
			q->grow_failed = 1;
			continue;
		}
		pthread_cond_wait(&q->cv, &q->mu);
	}
	c = &q->conns[q->idle[--q->nidle]];
	pthread_mutex_unlock(&q->mu);
	return c;
}

static void
sq_release(struct ml_store *s, struct sq_conn *c)
{
	struct sq_store *q = sq_impl(s);
	int i;

	for (i = 0; i < SQ_STMT_COUNT; i++) {
		if (c->used & ((uint64_t)1 << i)) {
			sqlite3_reset(c->stmt[i]);
			sqlite3_clear_bindings(c->stmt[i]);
		}
	}
	c->used = 0;
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_lock(&q->mu);
	q->idle[q->nidle++] = (size_t)(c - q->conns);
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* A ready (reset, unbound) cached statement. */
static int
sq_prep(struct sq_conn *c, enum sq_stmt id, sqlite3_stmt **st,
    struct ml_err *err)
{
	int rc;

	if (c->stmt[id] == NULL) {
		rc = sqlite3_prepare_v3(c->db, sq_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &c->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return sq_fail(c, rc, "prepare", err);
	} else if (c->used & ((uint64_t)1 << id)) {
		sqlite3_reset(c->stmt[id]);
		sqlite3_clear_bindings(c->stmt[id]);
	}
	c->used |= (uint64_t)1 << id;
	*st = c->stmt[id];
	return ML_OK;
}

/*
 * Bind parameters 1..n from a format: 't' text (NULL binds NULL), 'i'
 * int64, 'o' optional int64 (0 binds NULL), 'b' blob (pointer, size_t).
 * Values must outlive the statement's use (SQLITE_STATIC).
 */
static int
sq_vbind(struct sq_conn *c, sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const unsigned char *blob;
	const char *text;
	int i, rc = SQLITE_OK;
	int64_t v;
	size_t len;

	for (i = 1; fmt[i - 1] != '\0' && rc == SQLITE_OK; i++) {
		switch (fmt[i - 1]) {
		case 't':
			text = va_arg(ap, const char *);
			rc = text != NULL ? sqlite3_bind_text(st, i, text, -1,
			    SQLITE_STATIC) : sqlite3_bind_null(st, i);
			break;
		case 'i':
		case 'o':
			v = va_arg(ap, int64_t);
			rc = fmt[i - 1] == 'o' && v == 0 ?
			    sqlite3_bind_null(st, i) :
			    sqlite3_bind_int64(st, i, v);
			break;
		case 'b':
			blob = va_arg(ap, const unsigned char *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st, i, blob, len,
			    SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK)
		return sq_fail(c, rc, "bind", NULL) == ML_ENOMEM ? ML_ENOMEM :
		    ML_ESTORE;
	return ML_OK;
}

static int
sq_bind(struct sq_conn *c, sqlite3_stmt *st, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sq_vbind(c, st, fmt, ap);
	va_end(ap);
	return rc;
}

/* Step a statement that returns no rows; *changes (may be NULL). */
static int
sq_exec(struct sq_conn *c, sqlite3_stmt *st, const char *what, int *changes,
    struct ml_err *err)
{
	int rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_fail(c, rc, what, err);
	if (changes != NULL)
		*changes = sqlite3_changes(c->db);
	return ML_OK;
}

/* Step a query: ML_OK with a row, ML_ENOTFOUND when done, else error. */
static int
sq_row(struct sq_conn *c, sqlite3_stmt *st, const char *what,
    struct ml_err *err)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return ML_OK;
	if (rc == SQLITE_DONE)
		return ML_ENOTFOUND;
	return sq_fail(c, rc, what, err);
}

static int
sq_simple(struct sq_conn *c, enum sq_stmt id, struct ml_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sq_prep(c, id, &st, err);
	if (rc == ML_OK)
		rc = sq_exec(c, st, sq_sql[id], NULL, err);
	return rc;
}

/* Finish a transaction: commit on success, roll back otherwise. */
static int
sq_end(struct sq_conn *c, int rc, struct ml_err *err)
{
	struct ml_err ignore;

	if (rc == ML_OK)
		rc = sq_simple(c, SQ_COMMIT, err);
	if (rc != ML_OK && !sqlite3_get_autocommit(c->db))
		sq_simple(c, SQ_ROLLBACK, &ignore);
	return rc;
}

static int
sq_notfound(struct ml_err *err, const char *what)
{
	return ml_err_set(err, ML_ENOTFOUND, "not_found", "no such %s", what);
}

/* Read one int64 from a single-row query. */
static int
sq_scalar(struct sq_conn *c, sqlite3_stmt *st, int64_t *out,
    struct ml_err *err)
{
	int rc;

	rc = sq_row(c, st, "count", err);
	if (rc == ML_ENOTFOUND)
		rc = ml_err_set(err, ML_ESTORE, "storage_error",
		    "count returned no row");
	if (rc == ML_OK)
		*out = sqlite3_column_int64(st, 0);
	return rc;
}

/* ---- column readers ----------------------------------------------------- */

static void
sq_col_copy(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	ml_strlcpy(dst, t != NULL ? (const char *)t : "", cap);
}

/* Heap copy of a text column; NULL column gives NULL. */
static int
sq_col_dup(sqlite3_stmt *st, int i, char **out, struct ml_err *err)
{
	const unsigned char *t;

	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return ML_OK;
	t = sqlite3_column_text(st, i);
	*out = ml_strndup(t != NULL ? (const char *)t : "",
	    (size_t)sqlite3_column_bytes(st, i));
	if (*out == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	return ML_OK;
}

static int
sq_col_blob(sqlite3_stmt *st, int i, unsigned char **out, size_t *len,
    struct ml_err *err)
{
	const void *b = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);

	*out = NULL;
	*len = 0;
	*out = ml_malloc(n > 0 ? (size_t)n : 1);
	if (*out == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	if (n > 0)
		memcpy(*out, b, (size_t)n);
	*len = (size_t)n;
	return ML_OK;
}

/* Compare a hash column with the presented hash in constant time. */
static int
sq_col_hash_eq(sqlite3_stmt *st, int i,
    const unsigned char hash[ML_STORE_HASH_BYTES])
{
	const void *b = sqlite3_column_blob(st, i);

	return b != NULL && sqlite3_column_bytes(st, i) ==
	    ML_STORE_HASH_BYTES && sodium_memcmp(b, hash,
	    ML_STORE_HASH_BYTES) == 0;
}

static int
sq_read_project(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	struct ml_store_project *p = elem;

	(void)err;
	sq_col_copy(st, 0, p->id, sizeof(p->id));
	sq_col_copy(st, 1, p->name, sizeof(p->name));
	p->created_at = sqlite3_column_int64(st, 2);
	return ML_OK;
}

static int
sq_read_apikey(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	struct ml_store_apikey *k = elem;

	(void)err;
	sq_col_copy(st, 0, k->id, sizeof(k->id));
	sq_col_copy(st, 1, k->project_id, sizeof(k->project_id));
	sq_col_copy(st, 2, k->prefix, sizeof(k->prefix));
	k->created_at = sqlite3_column_int64(st, 3);
	k->revoked_at = sqlite3_column_int64(st, 4);
	return ML_OK;
}

static int
sq_read_session(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	struct ml_store_session *cs = elem;

	sq_col_copy(st, 0, cs->id, sizeof(cs->id));
	sq_col_copy(st, 1, cs->project_id, sizeof(cs->project_id));
	sq_col_copy(st, 2, cs->origin_owner_id, sizeof(cs->origin_owner_id));
	sq_col_copy(st, 3, cs->origin_owner_name,
	    sizeof(cs->origin_owner_name));
	sq_col_copy(st, 4, cs->origin_username, sizeof(cs->origin_username));
	sq_col_copy(st, 5, cs->label, sizeof(cs->label));
	sq_col_copy(st, 7, cs->account_id, sizeof(cs->account_id));
	cs->created_at = sqlite3_column_int64(st, 8);
	cs->expires_at = sqlite3_column_int64(st, 9);
	cs->spent_at = sqlite3_column_int64(st, 10);
	return sq_col_dup(st, 6, &cs->metadata, err);
}

static int
sq_read_account(sqlite3_stmt *st, struct ml_store_account *a, int sealed,
    struct ml_err *err)
{
	enum ml_store_account_status status = ML_ACCOUNT_ERROR;
	int rc;

	sq_col_copy(st, 0, a->id, sizeof(a->id));
	sq_col_copy(st, 1, a->project_id, sizeof(a->project_id));
	sq_col_copy(st, 2, a->provider, sizeof(a->provider));
	sq_col_copy(st, 3, a->origin_owner_id, sizeof(a->origin_owner_id));
	sq_col_copy(st, 4, a->origin_owner_name, sizeof(a->origin_owner_name));
	sq_col_copy(st, 5, a->origin_username, sizeof(a->origin_username));
	sq_col_copy(st, 6, a->label, sizeof(a->label));
	sq_col_copy(st, 8, a->workspace_id, sizeof(a->workspace_id));
	sq_col_copy(st, 9, a->data_center, sizeof(a->data_center));
	ml_store_account_status_parse((const char *)sqlite3_column_text(st,
	    10), &status);
	a->status = status;
	sq_col_copy(st, 12, a->key_id, sizeof(a->key_id));
	a->created_at = sqlite3_column_int64(st, 14);
	a->updated_at = sqlite3_column_int64(st, 15);
	a->last_verified_at = sqlite3_column_int64(st, 16);
	rc = sq_col_dup(st, 7, &a->metadata, err);
	if (rc == ML_OK)
		rc = sq_col_dup(st, 11, &a->status_reasons, err);
	if (rc == ML_OK)
		rc = sq_col_dup(st, 13, &a->key_hints, err);
	if (rc == ML_OK && sealed)
		rc = sq_col_blob(st, 17, &a->sealed, &a->sealed_len, err);
	return rc;
}

/* List rows carry no sealed blob. */
static int
sq_read_account_row(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	return sq_read_account(st, elem, 0, err);
}

static int
sq_read_account_full(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	return sq_read_account(st, elem, 1, err);
}

/* Column 0 as heap text into *(char **)elem. */
static int
sq_read_text(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	return sq_col_dup(st, 0, elem, err);
}

static int
sq_read_dash(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	struct ml_store_dash *d = elem;

	(void)err;
	sq_col_copy(st, 0, d->id, sizeof(d->id));
	sq_col_copy(st, 1, d->subject, sizeof(d->subject));
	sq_col_copy(st, 2, d->project_id, sizeof(d->project_id));
	d->one_time = sqlite3_column_int(st, 3) != 0;
	d->created_at = sqlite3_column_int64(st, 4);
	d->expires_at = sqlite3_column_int64(st, 5);
	d->consumed_at = sqlite3_column_int64(st, 6);
	return ML_OK;
}

/*
 * Step st to the end, appending one zeroed element of `elem` bytes per row
 * to *arr (heap, *n elements) and filling it with read(). On failure the
 * elements read so far stay in *arr for the caller to free.
 */
static int
sq_collect(struct sq_conn *c, sqlite3_stmt *st, const char *what,
    size_t elem, int (*read)(sqlite3_stmt *, void *, struct ml_err *),
    void **arr, size_t *n, struct ml_err *err)
{
	size_t cap = 0;
	char *slot;
	void *p;
	int rc;

	for (;;) {
		rc = sq_row(c, st, what, err);
		if (rc == ML_ENOTFOUND)
			return ML_OK;
		if (rc)
			return rc;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			p = ml_reallocarray(*arr, cap, elem);
			if (p == NULL)
				return ml_err_set(err, ML_ENOMEM, NULL,
				    "out of memory");
			*arr = p;
		}
		slot = (char *)*arr + *n * elem;
		memset(slot, 0, elem);
		(*n)++;
		rc = read(st, slot, err);
		if (rc)
			return rc;
	}
}

/*
 * One statement on a pooled connection, parameters bound from fmt/... (see
 * sq_vbind). With `read` set it is a query: the first row goes through
 * read() into out (after, with `hash` set, a constant-time check of column
 * hash_col against it); no row is ML_ENOTFOUND "no such <label>". Without
 * `read` it is a write; with need_change, 0 rows changed is ML_ENOTFOUND.
 */
struct sq_call {
	enum sq_stmt id;
	const char *label;
	int need_change;
	int (*read)(sqlite3_stmt *, void *, struct ml_err *);
	void *out;
	const unsigned char *hash;
	int hash_col;
};

static int
sq_run(struct ml_store *s, const struct sq_call *call, struct ml_err *err,
    const char *fmt, ...)
{
	struct sq_conn *c = sq_acquire(s);
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc, changes = 0;

	rc = sq_prep(c, call->id, &st, err);
	if (rc == ML_OK) {
		va_start(ap, fmt);
		rc = sq_vbind(c, st, fmt, ap);
		va_end(ap);
	}
	if (rc == ML_OK && call->read == NULL) {
		rc = sq_exec(c, st, call->label, &changes, err);
		if (rc == ML_OK && call->need_change && changes == 0)
			rc = ML_ENOTFOUND;
	} else if (rc == ML_OK) {
		rc = sq_row(c, st, call->label, err);
		if (rc == ML_OK && call->hash != NULL &&
		    !sq_col_hash_eq(st, call->hash_col, call->hash))
			rc = ML_ENOTFOUND;
		if (rc == ML_OK)
			rc = call->read(st, call->out, err);
	}
	if (rc == ML_ENOTFOUND)
		sq_notfound(err, call->label);
	sq_release(s, c);
	return rc;
}

/* All rows of a query into a heap array (see sq_collect); NULL on error. */
static int
sq_list(struct ml_store *s, enum sq_stmt id, const char *label, size_t elem,
    int (*read)(sqlite3_stmt *, void *, struct ml_err *), void **out,
    size_t *n, struct ml_err *err, const char *fmt, ...)
{
	struct sq_conn *c = sq_acquire(s);
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc;

	*out = NULL;
	rc = sq_prep(c, id, &st, err);
	if (rc == ML_OK) {
		va_start(ap, fmt);
		rc = sq_vbind(c, st, fmt, ap);
		va_end(ap);
	}
	if (rc == ML_OK)
		rc = sq_collect(c, st, label, elem, read, out, n, err);
	sq_release(s, c);
	if (rc) {
		ml_free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- open, migrate, close ---------------------------------------------- */

/* Create the database file owner-only if it does not exist yet. */
static int
sq_create_file(const char *path, struct ml_err *err)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 && errno != EEXIST)
		return ml_err_set(err, ML_EIO, "io_error",
		    "cannot create database %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ML_OK;
}

static int
sq_conn_open(struct sq_conn *c, const char *path, struct ml_err *err)
{
	static const char pragmas[] = "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -1024;";	/* KiB: SQ_CACHE_KIB */
	int rc;

	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(c, rc, path, err);
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, SQ_BUSY_MS);
	rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(c, rc, path, err);
	return ML_OK;
}

static void
sq_conn_close(struct sq_conn *c)
{
	int i;

	for (i = 0; i < SQ_STMT_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close_v2(c->db);
	memset(c, 0, sizeof(*c));
}

static int
sq_user_version(struct sq_conn *c, int *version, struct ml_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	int rc;

	rc = sq_prep(c, SQ_USER_VERSION, &st, err);
	if (rc == ML_OK)
		rc = sq_scalar(c, st, &v, err);
	if (st != NULL)
		sqlite3_reset(st);
	*version = (int)v;
	return rc;
}

/*
 * Bring the schema to the newest version, one migration per transaction.
 * BEGIN IMMEDIATE plus re-reading the version inside the transaction makes
 * two processes opening the same new file at once safe.
 */
static int
sq_migrate(struct sq_conn *c, struct ml_err *err)
{
	char bump[48];
	int rc, v;

	for (;;) {
		rc = sq_simple(c, SQ_BEGIN_WRITE, err);
		if (rc == ML_OK)
			rc = sq_user_version(c, &v, err);
		if (rc == ML_OK && v > ml__store_sqlite_migration_count)
			rc = ml_err_set(err, ML_ESTORE, "schema_too_new",
			    "the database is at schema version %d but this "
			    "moelink knows only up to %d: upgrade moelink", v,
			    ml__store_sqlite_migration_count);
		if (rc != ML_OK || v == ml__store_sqlite_migration_count)
			break;
		rc = sqlite3_exec(c->db, ml__store_sqlite_migrations[v], NULL,
		    NULL, NULL);
		if (rc != SQLITE_OK) {
			rc = sq_fail(c, rc, "migration", err);
			break;
		}
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		rc = sqlite3_exec(c->db, bump, NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			rc = sq_fail(c, rc, "migration", err);
			break;
		}
		rc = sq_end(c, ML_OK, err);
		if (rc)
			return rc;
	}
	return sq_end(c, rc, err);
}

static void
sq_close(struct ml_store *s)
{
	struct sq_store *q = sq_impl(s);
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; q->conns != NULL && i < q->nconns; i++)
		sq_conn_close(&q->conns[i]);
	if (q->sync_ready) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
	}
	ml_free(q->conns);
	ml_free(q->idle);
	ml_free(q->path);
	ml_free(q);
	s->impl = NULL;
}

/*
 * Before SQLite's first use in the process: no bulk preallocation of page
 * cache lines per connection (SQLITE_DEFAULT_PCACHE_INITSZ); lines are
 * allocated as pages are read. Too late (SQLite already initialised) is
 * harmless: then the default stays.
 */
static void
sq_global_config(void)
{
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
}

static int
sq_open(struct ml_store *s, const struct ml_store_url *url,
    struct ml_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_store *q;
	size_t n;
	int memory, rc;

	pthread_once(&once, sq_global_config);
	memory = strcmp(url->path, ":memory:") == 0;
	n = memory ? 1 : url->pool > 0 ? (size_t)url->pool : SQ_POOL_DEFAULT;
	q = ml_calloc(1, sizeof(*q));
	if (q == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	s->impl = q;
	q->conns = ml_calloc(n, sizeof(*q->conns));
	q->idle = ml_calloc(n, sizeof(*q->idle));
	q->path = ml_strdup(url->path);
	if (q->conns == NULL || q->idle == NULL || q->path == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (pthread_mutex_init(&q->mu, NULL) != 0) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "mutex init failed");
		goto out;
	}
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		rc = ml_err_set(err, ML_ENOMEM, NULL, "condvar init failed");
		goto out;
	}
	q->sync_ready = 1;
	if (!memory) {
		rc = ml_vault_mkdirs(url->path, err);
		if (rc == ML_OK)
			rc = sq_create_file(url->path, err);
		if (rc)
			goto out;
	}
	q->nconns = n;
	q->nopen = 1;
	rc = sq_conn_open(&q->conns[0], url->path, err);
	if (rc == ML_OK)
		rc = sq_migrate(&q->conns[0], err);
	if (rc)
		goto out;
	q->conns[0].used = 0;
	q->idle[q->nidle++] = 0;
out:
	if (rc)
		sq_close(s);
	return rc;
}

static int
sq_schema_version(struct ml_store *s, int *version, struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	int rc;

	rc = sq_user_version(c, version, err);
	sq_release(s, c);
	return rc;
}

/* ---- projects ----------------------------------------------------------- */

static int
sq_project_insert(struct ml_store *s, const struct ml_store_project *p,
    struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_PROJECT_INSERT,
	    .label = "project" };

	return sq_run(s, &call, err, "tti", p->id, p->name, p->created_at);
}

static int
sq_project_get(struct ml_store *s, const char *id,
    struct ml_store_project *out, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_PROJECT_GET,
	    .label = "project", .read = sq_read_project, .out = out };

	return sq_run(s, &call, err, "t", id);
}

static int
sq_project_list(struct ml_store *s, struct ml_store_project **out, size_t *n,
    struct ml_err *err)
{
	void *arr = NULL;
	int rc;

	rc = sq_list(s, SQ_PROJECT_LIST, "list projects", sizeof(**out),
	    sq_read_project, &arr, n, err, "");
	*out = arr;
	return rc;
}

/* Run a count query with an optional text parameter. */
static int
sq_count(struct ml_store *s, enum sq_stmt id, const char *param, int64_t *n,
    struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sq_prep(c, id, &st, err);
	if (rc == ML_OK && sqlite3_bind_parameter_count(st) > 0)
		rc = sq_bind(c, st, "t", param);
	if (rc == ML_OK)
		rc = sq_scalar(c, st, n, err);
	sq_release(s, c);
	return rc;
}

static int
sq_project_count(struct ml_store *s, int64_t *n, struct ml_err *err)
{
	return sq_count(s, SQ_PROJECT_COUNT, NULL, n, err);
}

/* ---- API keys ----------------------------------------------------------- */

static int
sq_apikey_insert(struct ml_store *s, const struct ml_store_apikey *k,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_APIKEY_INSERT,
	    .label = "API key" };

	return sq_run(s, &call, err, "ttbti", k->id, k->project_id, hash,
	    (size_t)ML_STORE_HASH_BYTES, k->prefix, k->created_at);
}

static int
sq_apikey_lookup(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_store_apikey *out,
    struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_APIKEY_LOOKUP,
	    .label = "API key", .read = sq_read_apikey, .out = out,
	    .hash = hash, .hash_col = 5 };

	return sq_run(s, &call, err, "b", hash, (size_t)ML_STORE_HASH_BYTES);
}

static int
sq_apikey_revoke(struct ml_store *s, const char *project_id,
    const char *key_id, int64_t now, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_APIKEY_REVOKE,
	    .label = "API key", .need_change = 1 };

	return sq_run(s, &call, err, "tti", project_id, key_id, now);
}

static int
sq_apikey_list(struct ml_store *s, const char *project_id,
    struct ml_store_apikey **out, size_t *n, struct ml_err *err)
{
	void *arr = NULL;
	int rc;

	rc = sq_list(s, SQ_APIKEY_LIST, "list API keys", sizeof(**out),
	    sq_read_apikey, &arr, n, err, "t", project_id);
	*out = arr;
	return rc;
}

/* ---- settings ----------------------------------------------------------- */

static int
sq_setting_set(struct ml_store *s, const char *project_id, const char *key,
    const char *value, int64_t now, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_SETTING_SET,
	    .label = "setting" };

	return sq_run(s, &call, err, "ttti", project_id, key, value, now);
}

static int
sq_setting_get(struct ml_store *s, const char *project_id, const char *key,
    char **value, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_SETTING_GET,
	    .label = "setting", .read = sq_read_text, .out = value };

	return sq_run(s, &call, err, "tt", project_id, key);
}

static int
sq_setting_delete(struct ml_store *s, const char *project_id,
    const char *key, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_SETTING_DELETE,
	    .label = "setting", .need_change = 1 };

	return sq_run(s, &call, err, "tt", project_id, key);
}

/* ---- connect sessions --------------------------------------------------- */

static int
sq_session_insert(struct ml_store *s, const struct ml_store_session *cs,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_SESSION_INSERT,
	    .label = "connect session" };

	return sq_run(s, &call, err, "ttbtttttii", cs->id, cs->project_id,
	    hash, (size_t)ML_STORE_HASH_BYTES, cs->origin_owner_id,
	    cs->origin_owner_name, cs->origin_username, cs->label,
	    cs->metadata, cs->created_at, cs->expires_at);
}

static int
sq_session_find(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES],
    struct ml_store_session *out, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_SESSION_FIND,
	    .label = "connect session", .read = sq_read_session, .out = out,
	    .hash = hash, .hash_col = 11 };

	return sq_run(s, &call, err, "b", hash, (size_t)ML_STORE_HASH_BYTES);
}

static int
sq_session_get(struct ml_store *s, const char *project_id, const char *id,
    struct ml_store_session *out, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_SESSION_GET,
	    .label = "connect session", .read = sq_read_session, .out = out };

	return sq_run(s, &call, err, "tt", project_id, id);
}

/*
 * The spend itself, on a checked-out connection. The UPDATE's WHERE clause
 * is the whole race: SQLite runs one write at a time, so exactly one caller
 * sees a changed row. A loser reads why.
 */
static int
sq_spend_on(struct sq_conn *c, const char *project_id, const char *id,
    const char *account_id, int64_t now, struct ml_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, changes = 0;

	rc = sq_prep(c, SQ_SESSION_SPEND, &st, err);
	if (rc == ML_OK)
		rc = sq_bind(c, st, "ttit", project_id, id, now,
		    account_id != NULL && account_id[0] != '\0' ? account_id :
		    NULL);
	if (rc == ML_OK)
		rc = sq_exec(c, st, "spend connect session", &changes, err);
	if (rc != ML_OK || changes == 1)
		return rc;
	rc = sq_prep(c, SQ_SESSION_STATE, &st, err);
	if (rc == ML_OK)
		rc = sq_bind(c, st, "tt", project_id, id);
	if (rc == ML_OK)
		rc = sq_row(c, st, "spend connect session", err);
	if (rc == ML_ENOTFOUND)
		return sq_notfound(err, "connect session");
	if (rc)
		return rc;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		rc = ml_err_set(err, ML_ECONFLICT, "session_spent",
		    "this connect session was already used");
	else
		rc = ml_err_set(err, ML_EEXPIRED, "session_expired",
		    "this connect session has expired");
	sqlite3_reset(st);
	return rc;
}

static int
sq_session_spend(struct ml_store *s, const char *project_id, const char *id,
    const char *account_id, int64_t now, struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	int rc;

	rc = sq_spend_on(c, project_id, id, account_id, now, err);
	sq_release(s, c);
	return rc;
}

/* ---- accounts ----------------------------------------------------------- */

static int
sq_account_insert(struct ml_store *s, const struct ml_store_account *a,
    const char *session_id, int64_t now, struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	sqlite3_stmt *st = NULL;
	int rc = ML_OK;

	if (session_id != NULL) {
		rc = sq_simple(c, SQ_BEGIN_WRITE, err);
		if (rc == ML_OK)
			rc = sq_spend_on(c, a->project_id, session_id, a->id,
			    now, err);
	}
	if (rc == ML_OK)
		rc = sq_prep(c, SQ_ACCOUNT_INSERT, &st, err);
	if (rc == ML_OK)
		rc = sq_bind(c, st, "ttttttttttttttiiob", a->id, a->project_id,
		    a->provider, a->origin_owner_id, a->origin_owner_name,
		    a->origin_username, a->label, a->metadata, a->workspace_id,
		    a->data_center, ml_store_account_status_name(a->status),
		    a->status_reasons, a->key_id, a->key_hints,
		    a->created_at != 0 ? a->created_at : now,
		    a->updated_at != 0 ? a->updated_at : now,
		    a->last_verified_at, a->sealed, a->sealed_len);
	if (rc == ML_OK)
		rc = sq_exec(c, st, "create account", NULL, err);
	if (session_id != NULL)
		rc = sq_end(c, rc, err);
	sq_release(s, c);
	return rc;
}

static int
sq_account_get(struct ml_store *s, const char *project_id, const char *id,
    struct ml_store_account *out, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_ACCOUNT_GET,
	    .label = "account", .read = sq_read_account_full, .out = out };
	int rc;

	rc = sq_run(s, &call, err, "tt", project_id, id);
	if (rc)
		ml_store_account_cleanup(out);
	return rc;
}

static int
sq_account_list(struct ml_store *s, const struct ml_store_account_filter *f,
    struct ml_store_account **out, size_t *n, int64_t *total,
    struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	void *arr = NULL;
	sqlite3_stmt *st = NULL;
	int rc, owner = f->origin_owner_id != NULL;

	/* One read transaction: the count and the page see one snapshot. */
	rc = sq_simple(c, SQ_BEGIN, err);
	if (rc == ML_OK)
		rc = sq_prep(c, owner ? SQ_ACCOUNT_LIST_COUNT_OWNER :
		    SQ_ACCOUNT_LIST_COUNT, &st, err);
	if (rc == ML_OK)
		rc = sq_bind(c, st, owner ? "ttit" : "tti", f->project_id,
		    f->provider, f->count_max > 0 ? f->count_max + 1 :
		    INT64_MAX, f->origin_owner_id);
	if (rc == ML_OK)
		rc = sq_scalar(c, st, total, err);
	if (rc == ML_OK)
		rc = sq_prep(c, owner ? SQ_ACCOUNT_LIST_OWNER : SQ_ACCOUNT_LIST,
		    &st, err);
	/* One row more than the page: whether another page follows. */
	if (rc == ML_OK)
		rc = sq_bind(c, st, owner ? "ttiiitt" : "ttiiit",
		    f->project_id, f->provider, f->page_size + 1,
		    (f->page - 1) * f->page_size, f->after_id != NULL ?
		    f->after_created_at : INT64_MIN, f->after_id != NULL ?
		    f->after_id : "", f->origin_owner_id);
	if (rc == ML_OK)
		rc = sq_collect(c, st, "list accounts", sizeof(**out),
		    sq_read_account_row, &arr, n, err);
	rc = sq_end(c, rc, err);
	sq_release(s, c);
	if (rc) {
		ml_store_account_list_free(arr, *n);
		arr = NULL;
		*n = 0;
		*total = 0;
	}
	*out = arr;
	return rc;
}

static int
sq_account_update(struct ml_store *s, const char *project_id, const char *id,
    const char *label, const char *metadata, int64_t now, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_ACCOUNT_UPDATE,
	    .label = "account", .need_change = 1 };

	return sq_run(s, &call, err, "tttti", project_id, id, label, metadata,
	    now);
}

static int
sq_account_set_credentials(struct ml_store *s,
    const struct ml_store_account *a, int64_t now, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_ACCOUNT_SET_CREDS,
	    .label = "account", .need_change = 1 };

	return sq_run(s, &call, err, "ttbttttttoi", a->project_id, a->id,
	    a->sealed, a->sealed_len, a->key_id, a->key_hints,
	    a->workspace_id, a->data_center,
	    ml_store_account_status_name(a->status), a->status_reasons,
	    a->last_verified_at, now);
}

static int
sq_account_set_status(struct ml_store *s, const char *project_id,
    const char *id, enum ml_store_account_status status, const char *reasons,
    int64_t last_verified_at, int64_t now, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_ACCOUNT_SET_STATUS,
	    .label = "account", .need_change = 1 };

	return sq_run(s, &call, err, "ttttoi", project_id, id,
	    ml_store_account_status_name(status), reasons, last_verified_at,
	    now);
}

static int
sq_account_delete(struct ml_store *s, const char *project_id, const char *id,
    struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_ACCOUNT_DELETE,
	    .label = "account", .need_change = 1 };

	return sq_run(s, &call, err, "tt", project_id, id);
}

static int
sq_account_count(struct ml_store *s, const char *project_id, int64_t *n,
    struct ml_err *err)
{
	return sq_count(s, SQ_ACCOUNT_COUNT, project_id, n, err);
}

struct sq_sealed {
	char id[ML_STORE_ID_MAX];
	char key_id[ML_STORE_KEY_ID_MAX];
	unsigned char *blob;
	size_t len;
};

static void
sq_sealed_free(struct sq_sealed *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ml_free_zero(b[i].blob, b[i].len);
		b[i].blob = NULL;
	}
}

/* Read up to SQ_RESEAL_BATCH accounts with id > after into b. */
static int
sq_sealed_batch(struct sq_conn *c, const char *after, struct sq_sealed *b,
    size_t *n, struct ml_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	rc = sq_prep(c, SQ_ACCOUNT_SEALED_BATCH, &st, err);
	if (rc == ML_OK)
		rc = sq_bind(c, st, "ti", after, (int64_t)SQ_RESEAL_BATCH);
	while (rc == ML_OK) {
		rc = sq_row(c, st, "read sealed credentials", err);
		if (rc == ML_ENOTFOUND) {
			rc = ML_OK;
			break;
		}
		if (rc)
			break;
		sq_col_copy(st, 0, b[*n].id, sizeof(b[*n].id));
		sq_col_copy(st, 2, b[*n].key_id, sizeof(b[*n].key_id));
		rc = sq_col_blob(st, 1, &b[*n].blob, &b[*n].len, err);
		if (rc == ML_OK)
			(*n)++;
	}
	sqlite3_reset(st);
	return rc;
}

/* Hand one record to fn and write back what it returns. */
static int
sq_reseal_one(struct sq_conn *c, const struct sq_sealed *b,
    ml_store_reseal_fn fn, void *ctx, int64_t *resealed, struct ml_err *err)
{
	char new_key_id[ML_STORE_KEY_ID_MAX] = "";
	unsigned char *nb = NULL;
	size_t nlen = 0;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = fn(ctx, b->id, b->blob, b->len, b->key_id, &nb, &nlen,
	    new_key_id, err);
	if (rc || nb == NULL)
		goto out;
	if (nlen == 0 || nlen > ML_STORE_BLOB_MAX || new_key_id[0] == '\0') {
		rc = ml_err_set(err, ML_EINVAL, "invalid_request",
		    "reseal callback returned an empty blob or key id");
		goto out;
	}
	rc = sq_prep(c, SQ_ACCOUNT_RESEAL, &st, err);
	if (rc == ML_OK)
		rc = sq_bind(c, st, "tbt", b->id, nb, nlen, new_key_id);
	if (rc == ML_OK)
		rc = sq_exec(c, st, "reseal account", NULL, err);
	if (rc == ML_OK)
		(*resealed)++;
out:
	ml_free_zero(nb, nlen);
	return rc;
}

static int
sq_account_reseal(struct ml_store *s, ml_store_reseal_fn fn, void *ctx,
    int64_t now, int64_t *resealed, struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	char after[ML_STORE_ID_MAX] = "";
	struct sq_sealed *b;
	size_t i, n = 0;
	int rc;

	(void)now;
	b = ml_calloc(SQ_RESEAL_BATCH, sizeof(*b));
	if (b == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	rc = sq_simple(c, SQ_BEGIN_WRITE, err);
	while (rc == ML_OK) {
		rc = sq_sealed_batch(c, after, b, &n, err);
		for (i = 0; rc == ML_OK && i < n; i++)
			rc = sq_reseal_one(c, &b[i], fn, ctx, resealed, err);
		if (n > 0)
			ml_strlcpy(after, b[n - 1].id, sizeof(after));
		sq_sealed_free(b, n);
		if (n < SQ_RESEAL_BATCH)
			break;
	}
	rc = sq_end(c, rc, err);
	if (rc)
		*resealed = 0;
out:
	ml_free(b);
	sq_release(s, c);
	return rc;
}

static int
sq_read_key_usage(sqlite3_stmt *st, void *elem, struct ml_err *err)
{
	struct ml_store_key_usage *u = elem;

	(void)err;
	sq_col_copy(st, 0, u->key_id, sizeof(u->key_id));
	u->accounts = sqlite3_column_int64(st, 1);
	return ML_OK;
}

static int
sq_key_usage(struct ml_store *s, struct ml_store_key_usage **out, size_t *n,
    struct ml_err *err)
{
	void *arr = NULL;
	int rc;

	rc = sq_list(s, SQ_KEY_USAGE, "count key usage", sizeof(**out),
	    sq_read_key_usage, &arr, n, err, "");
	*out = arr;
	return rc;
}

/* ---- dashboard sessions ------------------------------------------------- */

static int
sq_dash_insert(struct ml_store *s, const struct ml_store_dash *d,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_DASH_INSERT,
	    .label = "dashboard session" };

	return sq_run(s, &call, err, "tbttiii", d->id, hash,
	    (size_t)ML_STORE_HASH_BYTES, d->subject, d->project_id,
	    (int64_t)d->one_time, d->created_at, d->expires_at);
}

static int
sq_dash_find(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_store_dash *out,
    struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_DASH_FIND,
	    .label = "dashboard session", .read = sq_read_dash, .out = out,
	    .hash = hash, .hash_col = 7 };

	return sq_run(s, &call, err, "b", hash, (size_t)ML_STORE_HASH_BYTES);
}

/*
 * The UPDATE picks the one winner; everyone then reads the row to fill out
 * and, if they lost, to say why.
 */
static int
sq_dash_consume(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], int64_t now,
    struct ml_store_dash *out, struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_DASH_CONSUME,
	    .label = "sign-in link", .need_change = 1 };
	struct ml_err ignore;
	int rc, won;

	rc = sq_run(s, &call, &ignore, "bi", hash,
	    (size_t)ML_STORE_HASH_BYTES, now);
	if (rc != ML_OK && rc != ML_ENOTFOUND)
		return ml_err_set(err, rc, NULL, "%s", ignore.msg);
	won = rc == ML_OK;
	rc = sq_dash_find(s, hash, out, err);
	if (rc || won)
		return rc;
	if (!out->one_time)
		return ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "not a sign-in link");
	if (out->consumed_at != 0)
		return ml_err_set(err, ML_ECONFLICT, "link_used",
		    "this sign-in link was already used");
	return ml_err_set(err, ML_EEXPIRED, "link_expired",
	    "this sign-in link has expired");
}

static int
sq_dash_delete(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct sq_call call = { .id = SQ_DASH_DELETE,
	    .label = "dashboard session", .need_change = 1 };

	return sq_run(s, &call, err, "b", hash, (size_t)ML_STORE_HASH_BYTES);
}

static int
sq_purge_expired(struct ml_store *s, int64_t now, int64_t *n,
    struct ml_err *err)
{
	struct sq_conn *c = sq_acquire(s);
	static const enum sq_stmt purge[] = { SQ_PURGE_DASH,
	    SQ_PURGE_SESSIONS };
	sqlite3_stmt *st = NULL;
	int rc, changes;
	size_t i;

	rc = sq_simple(c, SQ_BEGIN_WRITE, err);
	for (i = 0; rc == ML_OK && i < sizeof(purge) / sizeof(purge[0]); i++) {
		changes = 0;
		rc = sq_prep(c, purge[i], &st, err);
		if (rc == ML_OK)
			rc = sq_bind(c, st, "i", now);
		if (rc == ML_OK)
			rc = sq_exec(c, st, "purge expired", &changes, err);
		*n += changes;
	}
	rc = sq_end(c, rc, err);
	sq_release(s, c);
	return rc;
}

const struct ml_store_ops ml__store_sqlite_ops = {
	.scheme = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.project_insert = sq_project_insert,
	.project_get = sq_project_get,
	.project_list = sq_project_list,
	.project_count = sq_project_count,
	.apikey_insert = sq_apikey_insert,
	.apikey_lookup = sq_apikey_lookup,
	.apikey_revoke = sq_apikey_revoke,
	.apikey_list = sq_apikey_list,
	.setting_set = sq_setting_set,
	.setting_get = sq_setting_get,
	.setting_delete = sq_setting_delete,
	.session_insert = sq_session_insert,
	.session_find = sq_session_find,
	.session_get = sq_session_get,
	.session_spend = sq_session_spend,
	.account_insert = sq_account_insert,
	.account_get = sq_account_get,
	.account_list = sq_account_list,
	.account_update = sq_account_update,
	.account_set_credentials = sq_account_set_credentials,
	.account_set_status = sq_account_set_status,
	.account_delete = sq_account_delete,
	.account_count = sq_account_count,
	.account_reseal = sq_account_reseal,
	.key_usage = sq_key_usage,
	.dash_insert = sq_dash_insert,
	.dash_find = sq_dash_find,
	.dash_consume = sq_dash_consume,
	.dash_delete = sq_dash_delete,
	.purge_expired = sq_purge_expired,
};
