/* SPDX-License-Identifier: MIT */
/*
 * store_pg.c: the PostgreSQL backend of the store (ops table in
 * store_int.h), for several `moelink serve` nodes sharing one database.
 *
 * Contract: the same statuses and semantics as store_sqlite.c, statement
 * for statement. Connections come from a pool (default 4, "?pool=N"; see
 * store_pg_conn.c), each used by one thread at a time, so MHD's threads can
 * call in concurrently. Every statement is prepared once per connection and
 * every value travels as a parameter.
 *
 * Concurrency differs from SQLite, which runs one writer at a time; here
 * writers run in parallel under READ COMMITTED, so each race is settled by
 * the row itself:
 * - spending a connect session or a sign-in link is one UPDATE ... WHERE
 *   <still unspent> RETURNING: a second spender blocks on the row lock,
 *   re-checks the WHERE clause after the first commits and gets no row;
 * - key rotation reads each batch FOR UPDATE, so a concurrent credential
 *   change waits instead of being overwritten by a reseal of the old blob;
 * - a page of accounts and its total are read in one REPEATABLE READ
 *   snapshot.
 * The schema is migrated on open (store_pg_migrations.c) under an advisory
 * lock, so nodes starting together migrate once.
 */
#include "store/store_pg_int.h"

#include <moelink/mem.h>

#include <stdarg.h>
#include <string.h>

#define PG_RESEAL_BATCH 256
/* pg_advisory_xact_lock key of migrations: "moelink" in ASCII. */
#define PG_MIGRATE_LOCK "SELECT pg_advisory_xact_lock(30787867158457707)"

enum pg_stmt {
	PG_SCHEMA_VERSION = 0,
	PG_SCHEMA_BUMP,
	PG_PROJECT_INSERT,
	PG_PROJECT_GET,
	PG_PROJECT_LIST,
	PG_PROJECT_COUNT,
	PG_APIKEY_INSERT,
	PG_APIKEY_LOOKUP,
	PG_APIKEY_REVOKE,
	PG_APIKEY_LIST,
	PG_SETTING_SET,
	PG_SETTING_GET,
	PG_SETTING_DELETE,
	PG_SESSION_INSERT,
	PG_SESSION_FIND,
	PG_SESSION_GET,
	PG_SESSION_SPEND,
	PG_SESSION_STATE,
	PG_ACCOUNT_INSERT,
	PG_ACCOUNT_GET,
	PG_ACCOUNT_LIST,
	PG_ACCOUNT_LIST_OWNER,
	PG_ACCOUNT_LIST_COUNT,
	PG_ACCOUNT_LIST_COUNT_OWNER,
	PG_ACCOUNT_UPDATE,
	PG_ACCOUNT_SET_CREDS,
	PG_ACCOUNT_SET_STATUS,
	PG_ACCOUNT_DELETE,
	PG_ACCOUNT_COUNT,
	PG_ACCOUNT_SEALED_BATCH,
	PG_ACCOUNT_RESEAL,
	PG_KEY_USAGE,
	PG_DASH_INSERT,
	PG_DASH_FIND,
	PG_DASH_CONSUME,
	PG_DASH_DELETE,
	PG_PURGE_DASH,
	PG_PURGE_SESSIONS,
	PG_STMT_COUNT
};

#define PG_SESSION_COLS \
	"id, project_id, origin_owner_id, origin_owner_name, " \
	"origin_username, label, metadata, account_id, created_at, " \
	"expires_at, spent_at"
#define PG_ACCOUNT_COLS \
	"id, project_id, provider, origin_owner_id, origin_owner_name, " \
	"origin_username, label, metadata, workspace_id, data_center, " \
	"status, status_reasons, key_id, key_hints, created_at, updated_at, " \
	"last_verified_at"
/* The account list: store_sqlite.c's statements, same parameters. */
#define PG_ACCOUNT_PAGE \
	" AND ($2::text IS NULL OR provider = $2)" \
	" AND (created_at, id) > ($5, $6)" \
	" ORDER BY created_at, id LIMIT $3 OFFSET $4"
#define PG_ACCOUNT_COUNT_OF(owner) \
	"SELECT count(*) FROM (SELECT 1 FROM accounts WHERE project_id = $1" \
	owner " AND ($2::text IS NULL OR provider = $2) LIMIT $3) AS m"
#define PG_DASH_COLS \
	"id, subject, project_id, one_time, created_at, expires_at, " \
	"consumed_at, token_hash"

static const struct ml__pg_sql pg_sql[PG_STMT_COUNT] = {
	[PG_SCHEMA_VERSION] = { "SELECT version FROM moelink_schema", "" },
	[PG_SCHEMA_BUMP] = { "UPDATE moelink_schema SET version = $1", "i" },
	[PG_PROJECT_INSERT] = {
	    "INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3)",
	    "tti" },
	[PG_PROJECT_GET] = {
	    "SELECT id, name, created_at FROM projects WHERE id = $1", "t" },
	[PG_PROJECT_LIST] = {
	    "SELECT id, name, created_at FROM projects"
	    " ORDER BY created_at, seq", "" },
	[PG_PROJECT_COUNT] = { "SELECT count(*) FROM projects", "" },
	[PG_APIKEY_INSERT] = {
	    "INSERT INTO api_keys (id, project_id, key_hash, prefix,"
	    " created_at) VALUES ($1, $2, $3, $4, $5)", "ttbti" },
	[PG_APIKEY_LOOKUP] = {
	    "SELECT id, project_id, prefix, created_at, revoked_at, key_hash"
	    " FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", "b" },
	[PG_APIKEY_REVOKE] = {
	    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3)"
	    " WHERE project_id = $1 AND id = $2", "tti" },
	[PG_APIKEY_LIST] = {
	    "SELECT id, project_id, prefix, created_at, revoked_at"
	    " FROM api_keys WHERE project_id = $1 ORDER BY created_at, seq",
	    "t" },
	[PG_SETTING_SET] = {
	    "INSERT INTO settings (project_id, key, value, updated_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, key)"
	    " DO UPDATE SET value = excluded.value,"
	    " updated_at = excluded.updated_at", "ttti" },
	[PG_SETTING_GET] = {
	    "SELECT value FROM settings WHERE project_id = $1 AND key = $2",
	    "tt" },
	[PG_SETTING_DELETE] = {
	    "DELETE FROM settings WHERE project_id = $1 AND key = $2", "tt" },
	[PG_SESSION_INSERT] = {
	    "INSERT INTO connect_sessions (id, project_id, token_hash,"
	    " origin_owner_id, origin_owner_name, origin_username, label,"
	    " metadata, created_at, expires_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    "ttbtttttii" },
	[PG_SESSION_FIND] = {
	    "SELECT " PG_SESSION_COLS ", token_hash FROM connect_sessions"
	    " WHERE token_hash = $1", "b" },
	[PG_SESSION_GET] = {
	    "SELECT " PG_SESSION_COLS " FROM connect_sessions"
	    " WHERE project_id = $1 AND id = $2", "tt" },
	[PG_SESSION_SPEND] = {
	    "UPDATE connect_sessions SET spent_at = $3, account_id = $4"
	    " WHERE project_id = $1 AND id = $2 AND spent_at IS NULL"
	    " AND expires_at > $3 RETURNING id", "ttit" },
	[PG_SESSION_STATE] = {
	    "SELECT spent_at FROM connect_sessions"
	    " WHERE project_id = $1 AND id = $2", "tt" },
	[PG_ACCOUNT_INSERT] = {
	    "INSERT INTO accounts (" PG_ACCOUNT_COLS ", sealed) VALUES ($1,"
	    " $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
	    " $16, $17, $18)", "ttttttttttttttiiob" },
	[PG_ACCOUNT_GET] = {
	    "SELECT " PG_ACCOUNT_COLS ", sealed FROM accounts"
	    " WHERE project_id = $1 AND id = $2", "tt" },
	[PG_ACCOUNT_LIST] = {
	    "SELECT " PG_ACCOUNT_COLS " FROM accounts WHERE project_id = $1"
	    PG_ACCOUNT_PAGE, "ttiiit" },
	[PG_ACCOUNT_LIST_OWNER] = {
	    "SELECT " PG_ACCOUNT_COLS " FROM accounts WHERE project_id = $1"
	    " AND origin_owner_id = $7" PG_ACCOUNT_PAGE, "ttiiitt" },
	[PG_ACCOUNT_LIST_COUNT] = { PG_ACCOUNT_COUNT_OF(""), "tti" },
	[PG_ACCOUNT_LIST_COUNT_OWNER] = {
	    PG_ACCOUNT_COUNT_OF(" AND origin_owner_id = $4"), "ttit" },
	[PG_ACCOUNT_UPDATE] = {
	    "UPDATE accounts SET label = coalesce($3, label),"
	    " metadata = coalesce($4, metadata), updated_at = $5"
	    " WHERE project_id = $1 AND id = $2", "tttti" },
	[PG_ACCOUNT_SET_CREDS] = {
	    "UPDATE accounts SET sealed = $3, key_id = $4, key_hints = $5,"
	    " workspace_id = $6, data_center = $7, status = $8,"
	    " status_reasons = $9,"
	    " last_verified_at = coalesce($10, last_verified_at),"
	    " updated_at = $11 WHERE project_id = $1 AND id = $2",
	    "ttbttttttoi" },
	[PG_ACCOUNT_SET_STATUS] = {
	    "UPDATE accounts SET status = $3, status_reasons = $4,"
	    " last_verified_at = coalesce($5, last_verified_at),"
	    " updated_at = $6 WHERE project_id = $1 AND id = $2", "ttttoi" },
	[PG_ACCOUNT_DELETE] = {
	    "DELETE FROM accounts WHERE project_id = $1 AND id = $2", "tt" },
	[PG_ACCOUNT_COUNT] = {
	    "SELECT count(*) FROM accounts WHERE $1 IS NULL OR project_id = $1",
	    "t" },
	[PG_ACCOUNT_SEALED_BATCH] = {
	    "SELECT id, sealed, key_id FROM accounts WHERE id > $1"
	    " ORDER BY id LIMIT $2 FOR UPDATE", "ti" },
	[PG_ACCOUNT_RESEAL] = {
	    "UPDATE accounts SET sealed = $2, key_id = $3 WHERE id = $1",
	    "tbt" },
	[PG_KEY_USAGE] = {
	    "SELECT key_id, count(*) FROM accounts GROUP BY key_id"
	    " ORDER BY key_id", "" },
	[PG_DASH_INSERT] = {
	    "INSERT INTO dash_sessions (id, token_hash, subject, project_id,"
	    " one_time, created_at, expires_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7)", "tbttiii" },
	[PG_DASH_FIND] = {
	    "SELECT " PG_DASH_COLS " FROM dash_sessions WHERE token_hash = $1",
	    "b" },
	[PG_DASH_CONSUME] = {
	    "UPDATE dash_sessions SET consumed_at = $2 WHERE token_hash = $1"
	    " AND one_time = 1 AND consumed_at IS NULL AND expires_at > $2"
	    " RETURNING id", "bi" },
	[PG_DASH_DELETE] = {
	    "DELETE FROM dash_sessions WHERE token_hash = $1", "b" },
	[PG_PURGE_DASH] = {
	    "DELETE FROM dash_sessions WHERE expires_at <= $1", "i" },
	[PG_PURGE_SESSIONS] = {
	    "DELETE FROM connect_sessions WHERE expires_at <= $1", "i" },
};

static const struct ml__pg_table pg_table = {
	.set = 0, .prefix = "s", .sql = pg_sql, .n = PG_STMT_COUNT,
};

/* The schema's version row, created under the migration lock. */
static const char pg_schema_table[] =
    "CREATE TABLE IF NOT EXISTS moelink_schema (version INTEGER NOT NULL);"
    "INSERT INTO moelink_schema (version) SELECT 0"
    " WHERE NOT EXISTS (SELECT 1 FROM moelink_schema)";

static struct ml__pg_pool *
pg_pool(struct ml_store *s)
{
	return s->impl;
}

static int
pg_notfound(struct ml_err *err, const char *what)
{
	return ml_err_set(err, ML_ENOTFOUND, "not_found", "no such %s", what);
}

/* ---- row readers -------------------------------------------------------- */

static int
pg_read_project(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_store_project *p = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, p->id, sizeof(p->id));
	ml__pg_col_copy(r, row, 1, p->name, sizeof(p->name));
	p->created_at = ml__pg_col_int(r, row, 2);
	return ML_OK;
}

static int
pg_read_apikey(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_store_apikey *k = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, k->id, sizeof(k->id));
	ml__pg_col_copy(r, row, 1, k->project_id, sizeof(k->project_id));
	ml__pg_col_copy(r, row, 2, k->prefix, sizeof(k->prefix));
	k->created_at = ml__pg_col_int(r, row, 3);
	k->revoked_at = ml__pg_col_int(r, row, 4);
	return ML_OK;
}

static int
pg_read_session(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_store_session *cs = elem;

	ml__pg_col_copy(r, row, 0, cs->id, sizeof(cs->id));
	ml__pg_col_copy(r, row, 1, cs->project_id, sizeof(cs->project_id));
	ml__pg_col_copy(r, row, 2, cs->origin_owner_id,
	    sizeof(cs->origin_owner_id));
	ml__pg_col_copy(r, row, 3, cs->origin_owner_name,
	    sizeof(cs->origin_owner_name));
	ml__pg_col_copy(r, row, 4, cs->origin_username,
	    sizeof(cs->origin_username));
	ml__pg_col_copy(r, row, 5, cs->label, sizeof(cs->label));
	ml__pg_col_copy(r, row, 7, cs->account_id, sizeof(cs->account_id));
	cs->created_at = ml__pg_col_int(r, row, 8);
	cs->expires_at = ml__pg_col_int(r, row, 9);
	cs->spent_at = ml__pg_col_int(r, row, 10);
	return ml__pg_col_dup(r, row, 6, &cs->metadata, NULL, err);
}

static int
pg_read_account(const PGresult *r, int row, struct ml_store_account *a,
    int sealed, struct ml_err *err)
{
	enum ml_store_account_status status = ML_ACCOUNT_ERROR;
	char name[16];
	int rc;

	ml__pg_col_copy(r, row, 0, a->id, sizeof(a->id));
	ml__pg_col_copy(r, row, 1, a->project_id, sizeof(a->project_id));
	ml__pg_col_copy(r, row, 2, a->provider, sizeof(a->provider));
	ml__pg_col_copy(r, row, 3, a->origin_owner_id,
	    sizeof(a->origin_owner_id));
	ml__pg_col_copy(r, row, 4, a->origin_owner_name,
	    sizeof(a->origin_owner_name));
	ml__pg_col_copy(r, row, 5, a->origin_username,
	    sizeof(a->origin_username));
	ml__pg_col_copy(r, row, 6, a->label, sizeof(a->label));
	ml__pg_col_copy(r, row, 8, a->workspace_id, sizeof(a->workspace_id));
	ml__pg_col_copy(r, row, 9, a->data_center, sizeof(a->data_center));
	ml__pg_col_copy(r, row, 10, name, sizeof(name));
	ml_store_account_status_parse(name, &status);
	a->status = status;
	ml__pg_col_copy(r, row, 12, a->key_id, sizeof(a->key_id));
	a->created_at = ml__pg_col_int(r, row, 14);
	a->updated_at = ml__pg_col_int(r, row, 15);
	a->last_verified_at = ml__pg_col_int(r, row, 16);
	rc = ml__pg_col_dup(r, row, 7, &a->metadata, NULL, err);
	if (rc == ML_OK)
		rc = ml__pg_col_dup(r, row, 11, &a->status_reasons, NULL, err);
	if (rc == ML_OK)
		rc = ml__pg_col_dup(r, row, 13, &a->key_hints, NULL, err);
	if (rc == ML_OK && sealed)
		rc = ml__pg_col_blob(r, row, 17, &a->sealed, &a->sealed_len,
		    err);
	return rc;
}

/* List rows carry no sealed blob. */
static int
pg_read_account_row(const PGresult *r, int row, void *elem,
    struct ml_err *err)
{
	return pg_read_account(r, row, elem, 0, err);
}

static int
pg_read_account_full(const PGresult *r, int row, void *elem,
    struct ml_err *err)
{
	return pg_read_account(r, row, elem, 1, err);
}

/* Column 0 as heap text into *(char **)elem. */
static int
pg_read_text(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	return ml__pg_col_dup(r, row, 0, elem, NULL, err);
}

/* Column 0 as an integer into *(int64_t *)elem. */
static int
pg_read_int(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	(void)err;
	*(int64_t *)elem = ml__pg_col_int(r, row, 0);
	return ML_OK;
}

static int
pg_read_dash(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_store_dash *d = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, d->id, sizeof(d->id));
	ml__pg_col_copy(r, row, 1, d->subject, sizeof(d->subject));
	ml__pg_col_copy(r, row, 2, d->project_id, sizeof(d->project_id));
	d->one_time = ml__pg_col_int(r, row, 3) != 0;
	d->created_at = ml__pg_col_int(r, row, 4);
	d->expires_at = ml__pg_col_int(r, row, 5);
	d->consumed_at = ml__pg_col_int(r, row, 6);
	return ML_OK;
}

static int
pg_read_key_usage(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_store_key_usage *u = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, u->key_id, sizeof(u->key_id));
	u->accounts = ml__pg_col_int(r, row, 1);
	return ML_OK;
}

/* ---- one statement on a pooled connection ------------------------------- */

/*
 * With `read` set the statement is a query: its first row goes through
 * read() into out (after, with `hash` set, a constant-time check of column
 * hash_col against it); no row is ML_ENOTFOUND "no such <label>". Without
 * `read` it is a write; with need_change, 0 rows touched is ML_ENOTFOUND.
 */
struct pg_call {
	enum pg_stmt id;
	const char *label;
	int need_change;
	ml__pg_read_fn read;
	void *out;
	const unsigned char *hash;
	int hash_col;
};

static int
pg_run(struct ml_store *s, const struct pg_call *call, struct ml_err *err,
    ...)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	PGresult *r = NULL;
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = ml__pg_vexec(c, &pg_table, call->id, &r, err, ap);
	va_end(ap);
	if (rc == ML_OK && call->read == NULL) {
		if (call->need_change && ml__pg_changes(r) == 0)
			rc = ML_ENOTFOUND;
	} else if (rc == ML_OK) {
		if (PQntuples(r) == 0 || (call->hash != NULL &&
		    !ml__pg_col_hash_eq(r, 0, call->hash_col, call->hash,
		    ML_STORE_HASH_BYTES)))
			rc = ML_ENOTFOUND;
		else
			rc = call->read(r, 0, call->out, err);
	}
	if (rc == ML_ENOTFOUND)
		pg_notfound(err, call->label);
	PQclear(r);
	ml__pg_release(pg_pool(s), c);
	return rc;
}

/* All rows of a query into a heap array (ml__pg_collect); NULL on error. */
static int
pg_list(struct ml_store *s, enum pg_stmt id, size_t elem, ml__pg_read_fn read,
    void **out, size_t *n, struct ml_err *err, ...)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	PGresult *r = NULL;
	va_list ap;
	int rc;

	*out = NULL;
	va_start(ap, err);
	rc = ml__pg_vexec(c, &pg_table, id, &r, err, ap);
	va_end(ap);
	if (rc == ML_OK)
		rc = ml__pg_collect(r, elem, read, out, n, err);
	PQclear(r);
	ml__pg_release(pg_pool(s), c);
	if (rc) {
		ml_free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- open, migrate, close ---------------------------------------------- */

static int
pg_version_on(struct ml__pg_conn *c, int64_t *v, struct ml_err *err)
{
	PGresult *r = NULL;
	int rc;

	*v = 0;
	rc = ml__pg_exec(c, &pg_table, PG_SCHEMA_VERSION, &r, err);
	if (rc == ML_OK && PQntuples(r) > 0)
		*v = ml__pg_col_int(r, 0, 0);
	PQclear(r);
	return rc;
}

/*
 * Bring the schema to the newest version, one migration per transaction.
 * The advisory lock, held to the end of each transaction, plus re-reading
 * the version inside it, make nodes that start together safe.
 */
static int
pg_migrate(struct ml__pg_conn *c, struct ml_err *err)
{
	int64_t v = 0;
	int rc;

	for (;;) {
		rc = ml__pg_begin(c, err);
		if (rc == ML_OK)
			rc = ml__pg_simple(c, PG_MIGRATE_LOCK, err);
		if (rc == ML_OK)
			rc = ml__pg_simple(c, pg_schema_table, err);
		if (rc == ML_OK)
			rc = pg_version_on(c, &v, err);
		if (rc == ML_OK && v > ml__store_pg_migration_count)
			rc = ml_err_set(err, ML_ESTORE, "schema_too_new",
			    "the database is at schema version %lld but this "
			    "moelink knows only up to %d: upgrade moelink",
			    (long long)v, ml__store_pg_migration_count);
		if (rc != ML_OK || v == ml__store_pg_migration_count)
			break;
		rc = ml__pg_simple(c, ml__store_pg_migrations[v], err);
		if (rc == ML_OK)
			rc = ml__pg_exec(c, &pg_table, PG_SCHEMA_BUMP, NULL,
			    err, v + 1);
		rc = ml__pg_end(c, rc, err);
		if (rc)
			return rc;
	}
	return ml__pg_end(c, rc, err);
}

static void
pg_close(struct ml_store *s)
{
	struct ml__pg_pool *p = pg_pool(s);

	if (p == NULL)
		return;
	ml__pg_pool_close(p);
	ml_free(p);
	s->impl = NULL;
}

static int
pg_open(struct ml_store *s, const struct ml_store_url *url,
    struct ml_err *err)
{
	struct ml__pg_conn *c;
	struct ml__pg_pool *p;
	int rc;

	p = ml_calloc(1, sizeof(*p));
	if (p == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	s->impl = p;
	rc = ml__pg_pool_open(p, url->path, url->pool, NULL, err);
	if (rc == ML_OK) {
		c = ml__pg_acquire(p);
		rc = pg_migrate(c, err);
		ml__pg_release(p, c);
	}
	if (rc)
		pg_close(s);
	return rc;
}

static int
pg_schema_version(struct ml_store *s, int *version, struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	int64_t v = 0;
	int rc;

	rc = pg_version_on(c, &v, err);
	ml__pg_release(pg_pool(s), c);
	*version = (int)v;
	return rc;
}

/* ---- projects ----------------------------------------------------------- */

static int
pg_project_insert(struct ml_store *s, const struct ml_store_project *p,
    struct ml_err *err)
{
	const struct pg_call call = { .id = PG_PROJECT_INSERT,
	    .label = "project" };

	return pg_run(s, &call, err, p->id, p->name, p->created_at);
}

static int
pg_project_get(struct ml_store *s, const char *id,
    struct ml_store_project *out, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_PROJECT_GET,
	    .label = "project", .read = pg_read_project, .out = out };

	return pg_run(s, &call, err, id);
}

static int
pg_project_list(struct ml_store *s, struct ml_store_project **out, size_t *n,
    struct ml_err *err)
{
	return pg_list(s, PG_PROJECT_LIST, sizeof(**out), pg_read_project,
	    (void **)out, n, err);
}

static int
pg_project_count(struct ml_store *s, int64_t *n, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_PROJECT_COUNT,
	    .label = "count", .read = pg_read_int, .out = n };

	return pg_run(s, &call, err);
}

/* ---- API keys ----------------------------------------------------------- */

static int
pg_apikey_insert(struct ml_store *s, const struct ml_store_apikey *k,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct pg_call call = { .id = PG_APIKEY_INSERT,
	    .label = "API key" };

	return pg_run(s, &call, err, k->id, k->project_id, hash,
	    (size_t)ML_STORE_HASH_BYTES, k->prefix, k->created_at);
}

static int
pg_apikey_lookup(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_store_apikey *out,
    struct ml_err *err)
{
	const struct pg_call call = { .id = PG_APIKEY_LOOKUP,
	    .label = "API key", .read = pg_read_apikey, .out = out,
	    .hash = hash, .hash_col = 5 };

	return pg_run(s, &call, err, hash, (size_t)ML_STORE_HASH_BYTES);
}

static int
pg_apikey_revoke(struct ml_store *s, const char *project_id,
    const char *key_id, int64_t now, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_APIKEY_REVOKE,
	    .label = "API key", .need_change = 1 };

	return pg_run(s, &call, err, project_id, key_id, now);
}

static int
pg_apikey_list(struct ml_store *s, const char *project_id,
    struct ml_store_apikey **out, size_t *n, struct ml_err *err)
{
	return pg_list(s, PG_APIKEY_LIST, sizeof(**out), pg_read_apikey,
	    (void **)out, n, err, project_id);
}

/* ---- settings ----------------------------------------------------------- */

static int
pg_setting_set(struct ml_store *s, const char *project_id, const char *key,
    const char *value, int64_t now, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_SETTING_SET,
	    .label = "setting" };

	return pg_run(s, &call, err, project_id, key, value, now);
}

static int
pg_setting_get(struct ml_store *s, const char *project_id, const char *key,
    char **value, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_SETTING_GET,
	    .label = "setting", .read = pg_read_text, .out = value };

	return pg_run(s, &call, err, project_id, key);
}

static int
pg_setting_delete(struct ml_store *s, const char *project_id,
    const char *key, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_SETTING_DELETE,
	    .label = "setting", .need_change = 1 };

	return pg_run(s, &call, err, project_id, key);
}

/* ---- connect sessions --------------------------------------------------- */

static int
pg_session_insert(struct ml_store *s, const struct ml_store_session *cs,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct pg_call call = { .id = PG_SESSION_INSERT,
	    .label = "connect session" };

	return pg_run(s, &call, err, cs->id, cs->project_id, hash,
	    (size_t)ML_STORE_HASH_BYTES, cs->origin_owner_id,
	    cs->origin_owner_name, cs->origin_username, cs->label,
	    cs->metadata, cs->created_at, cs->expires_at);
}

static int
pg_session_find(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES],
    struct ml_store_session *out, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_SESSION_FIND,
	    .label = "connect session", .read = pg_read_session, .out = out,
	    .hash = hash, .hash_col = 11 };

	return pg_run(s, &call, err, hash, (size_t)ML_STORE_HASH_BYTES);
}

static int
pg_session_get(struct ml_store *s, const char *project_id, const char *id,
    struct ml_store_session *out, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_SESSION_GET,
	    .label = "connect session", .read = pg_read_session, .out = out };

	return pg_run(s, &call, err, project_id, id);
}

/*
 * The spend itself, on a checked-out connection. The UPDATE's WHERE clause
 * is the whole race: a concurrent spender waits on the row lock, then
 * re-evaluates the clause against the committed row and returns no row.
 * A loser reads why.
 */
static int
pg_spend_on(struct ml__pg_conn *c, const char *project_id, const char *id,
    const char *account_id, int64_t now, struct ml_err *err)
{
	PGresult *r = NULL;
	int rc, won;

	rc = ml__pg_exec(c, &pg_table, PG_SESSION_SPEND, &r, err, project_id,
	    id, now, account_id != NULL && account_id[0] != '\0' ?
	    account_id : NULL);
	won = rc == ML_OK && PQntuples(r) == 1;
	PQclear(r);
	if (rc != ML_OK || won)
		return rc;
	rc = ml__pg_exec(c, &pg_table, PG_SESSION_STATE, &r, err, project_id,
	    id);
	if (rc)
		return rc;
	if (PQntuples(r) == 0)
		rc = pg_notfound(err, "connect session");
	else if (!ml__pg_isnull(r, 0, 0))
		rc = ml_err_set(err, ML_ECONFLICT, "session_spent",
		    "this connect session was already used");
	else
		rc = ml_err_set(err, ML_EEXPIRED, "session_expired",
		    "this connect session has expired");
	PQclear(r);
	return rc;
}

static int
pg_session_spend(struct ml_store *s, const char *project_id, const char *id,
    const char *account_id, int64_t now, struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	int rc;

	rc = pg_spend_on(c, project_id, id, account_id, now, err);
	ml__pg_release(pg_pool(s), c);
	return rc;
}

/* ---- accounts ----------------------------------------------------------- */

static int
pg_account_insert(struct ml_store *s, const struct ml_store_account *a,
    const char *session_id, int64_t now, struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	int rc = ML_OK;

	if (session_id != NULL) {
		rc = ml__pg_begin(c, err);
		if (rc == ML_OK)
			rc = pg_spend_on(c, a->project_id, session_id, a->id,
			    now, err);
	}
	if (rc == ML_OK)
		rc = ml__pg_exec(c, &pg_table, PG_ACCOUNT_INSERT, NULL, err,
		    a->id, a->project_id, a->provider, a->origin_owner_id,
		    a->origin_owner_name, a->origin_username, a->label,
		    a->metadata, a->workspace_id, a->data_center,
		    ml_store_account_status_name(a->status), a->status_reasons,
		    a->key_id, a->key_hints,
		    a->created_at != 0 ? a->created_at : now,
		    a->updated_at != 0 ? a->updated_at : now,
		    a->last_verified_at, a->sealed, a->sealed_len);
	if (session_id != NULL)
		rc = ml__pg_end(c, rc, err);
	ml__pg_release(pg_pool(s), c);
	return rc;
}

static int
pg_account_get(struct ml_store *s, const char *project_id, const char *id,
    struct ml_store_account *out, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_ACCOUNT_GET,
	    .label = "account", .read = pg_read_account_full, .out = out };
	int rc;

	rc = pg_run(s, &call, err, project_id, id);
	if (rc)
		ml_store_account_cleanup(out);
	return rc;
}

static int
pg_account_list(struct ml_store *s, const struct ml_store_account_filter *f,
    struct ml_store_account **out, size_t *n, int64_t *total,
    struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	PGresult *r = NULL;
	void *arr = NULL;
	int rc, owner = f->origin_owner_id != NULL;

	/* One snapshot: the count and the page agree. */
	rc = ml__pg_simple(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    err);
	if (rc == ML_OK)
		rc = ml__pg_exec(c, &pg_table, owner ?
		    PG_ACCOUNT_LIST_COUNT_OWNER : PG_ACCOUNT_LIST_COUNT, &r, err,
		    f->project_id, f->provider, f->count_max > 0 ?
		    f->count_max + 1 : INT64_MAX, f->origin_owner_id);
	if (rc == ML_OK)
		*total = PQntuples(r) > 0 ? ml__pg_col_int(r, 0, 0) : 0;
	PQclear(r);
	r = NULL;
	if (rc == ML_OK)
		rc = ml__pg_exec(c, &pg_table, owner ? PG_ACCOUNT_LIST_OWNER :
		    PG_ACCOUNT_LIST, &r, err, f->project_id, f->provider,
		    f->page_size + 1, (f->page - 1) * f->page_size,
		    f->after_id != NULL ? f->after_created_at : INT64_MIN,
		    f->after_id != NULL ? f->after_id : "",
		    f->origin_owner_id);
	if (rc == ML_OK)
		rc = ml__pg_collect(r, sizeof(**out), pg_read_account_row,
		    &arr, n, err);
	PQclear(r);
	rc = ml__pg_end(c, rc, err);
	ml__pg_release(pg_pool(s), c);
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
pg_account_update(struct ml_store *s, const char *project_id, const char *id,
    const char *label, const char *metadata, int64_t now, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_ACCOUNT_UPDATE,
	    .label = "account", .need_change = 1 };

	return pg_run(s, &call, err, project_id, id, label, metadata, now);
}

static int
pg_account_set_credentials(struct ml_store *s,
    const struct ml_store_account *a, int64_t now, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_ACCOUNT_SET_CREDS,
	    .label = "account", .need_change = 1 };

	return pg_run(s, &call, err, a->project_id, a->id, a->sealed,
	    a->sealed_len, a->key_id, a->key_hints, a->workspace_id,
	    a->data_center, ml_store_account_status_name(a->status),
	    a->status_reasons, a->last_verified_at, now);
}

static int
pg_account_set_status(struct ml_store *s, const char *project_id,
    const char *id, enum ml_store_account_status status, const char *reasons,
    int64_t last_verified_at, int64_t now, struct ml_err *err)
{
	const struct pg_call call = { .id = PG_ACCOUNT_SET_STATUS,
	    .label = "account", .need_change = 1 };

	return pg_run(s, &call, err, project_id, id,
	    ml_store_account_status_name(status), reasons, last_verified_at,
	    now);
}

static int
pg_account_delete(struct ml_store *s, const char *project_id, const char *id,
    struct ml_err *err)
{
	const struct pg_call call = { .id = PG_ACCOUNT_DELETE,
	    .label = "account", .need_change = 1 };

	return pg_run(s, &call, err, project_id, id);
}

static int
pg_account_count(struct ml_store *s, const char *project_id, int64_t *n,
    struct ml_err *err)
{
	const struct pg_call call = { .id = PG_ACCOUNT_COUNT,
	    .label = "count", .read = pg_read_int, .out = n };

	return pg_run(s, &call, err, project_id);
}

/* Hand one record (row i of a batch) to fn and write back what it returns. */
static int
pg_reseal_one(struct ml__pg_conn *c, const PGresult *batch, int i,
    ml_store_reseal_fn fn, void *ctx, int64_t *resealed, struct ml_err *err)
{
	char id[ML_STORE_ID_MAX], key_id[ML_STORE_KEY_ID_MAX];
	char new_key_id[ML_STORE_KEY_ID_MAX] = "";
	unsigned char *nb = NULL;
	size_t nlen = 0;
	int rc;

	ml__pg_col_copy(batch, i, 0, id, sizeof(id));
	ml__pg_col_copy(batch, i, 2, key_id, sizeof(key_id));
	rc = fn(ctx, id, (const unsigned char *)PQgetvalue(batch, i, 1),
	    (size_t)PQgetlength(batch, i, 1), key_id, &nb, &nlen, new_key_id,
	    err);
	if (rc || nb == NULL)
		goto out;
	if (nlen == 0 || nlen > ML_STORE_BLOB_MAX || new_key_id[0] == '\0') {
		rc = ml_err_set(err, ML_EINVAL, "invalid_request",
		    "reseal callback returned an empty blob or key id");
		goto out;
	}
	rc = ml__pg_exec(c, &pg_table, PG_ACCOUNT_RESEAL, NULL, err, id, nb,
	    nlen, new_key_id);
	if (rc == ML_OK)
		(*resealed)++;
out:
	ml_free_zero(nb, nlen);
	return rc;
}

/*
 * Batches of PG_RESEAL_BATCH by id, each locked FOR UPDATE and held in its
 * result while rewritten; the whole walk is one transaction.
 */
static int
pg_account_reseal(struct ml_store *s, ml_store_reseal_fn fn, void *ctx,
    int64_t now, int64_t *resealed, struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	char after[ML_STORE_ID_MAX] = "";
	PGresult *r = NULL;
	int rc, i, n;

	(void)now;
	rc = ml__pg_begin(c, err);
	while (rc == ML_OK) {
		rc = ml__pg_exec(c, &pg_table, PG_ACCOUNT_SEALED_BATCH, &r, err,
		    after, (int64_t)PG_RESEAL_BATCH);
		if (rc)
			break;
		n = PQntuples(r);
		for (i = 0; rc == ML_OK && i < n; i++)
			rc = pg_reseal_one(c, r, i, fn, ctx, resealed, err);
		if (n > 0)
			ml__pg_col_copy(r, n - 1, 0, after, sizeof(after));
		PQclear(r);
		r = NULL;
		if (n < PG_RESEAL_BATCH)
			break;
	}
	rc = ml__pg_end(c, rc, err);
	if (rc)
		*resealed = 0;
	ml__pg_release(pg_pool(s), c);
	return rc;
}

static int
pg_key_usage(struct ml_store *s, struct ml_store_key_usage **out, size_t *n,
    struct ml_err *err)
{
	return pg_list(s, PG_KEY_USAGE, sizeof(**out), pg_read_key_usage,
	    (void **)out, n, err);
}

/* ---- dashboard sessions ------------------------------------------------- */

static int
pg_dash_insert(struct ml_store *s, const struct ml_store_dash *d,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct pg_call call = { .id = PG_DASH_INSERT,
	    .label = "dashboard session" };

	return pg_run(s, &call, err, d->id, hash, (size_t)ML_STORE_HASH_BYTES,
	    d->subject, d->project_id, (int64_t)d->one_time, d->created_at,
	    d->expires_at);
}

static int
pg_dash_find(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_store_dash *out,
    struct ml_err *err)
{
	const struct pg_call call = { .id = PG_DASH_FIND,
	    .label = "dashboard session", .read = pg_read_dash, .out = out,
	    .hash = hash, .hash_col = 7 };

	return pg_run(s, &call, err, hash, (size_t)ML_STORE_HASH_BYTES);
}

/*
 * The UPDATE ... RETURNING picks the one winner; everyone then reads the
 * row to fill out and, if they lost, to say why.
 */
static int
pg_dash_consume(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], int64_t now,
    struct ml_store_dash *out, struct ml_err *err)
{
	int64_t ignored;
	const struct pg_call call = { .id = PG_DASH_CONSUME,
	    .label = "sign-in link", .read = pg_read_int, .out = &ignored };
	int rc, won;

	rc = pg_run(s, &call, err, hash, (size_t)ML_STORE_HASH_BYTES, now);
	if (rc != ML_OK && rc != ML_ENOTFOUND)
		return rc;
	won = rc == ML_OK;
	rc = pg_dash_find(s, hash, out, err);
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
pg_dash_delete(struct ml_store *s,
    const unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	const struct pg_call call = { .id = PG_DASH_DELETE,
	    .label = "dashboard session", .need_change = 1 };

	return pg_run(s, &call, err, hash, (size_t)ML_STORE_HASH_BYTES);
}

static int
pg_purge_expired(struct ml_store *s, int64_t now, int64_t *n,
    struct ml_err *err)
{
	static const enum pg_stmt purge[] = { PG_PURGE_DASH,
	    PG_PURGE_SESSIONS };
	struct ml__pg_conn *c = ml__pg_acquire(pg_pool(s));
	PGresult *r;
	size_t i;
	int rc;

	rc = ml__pg_begin(c, err);
	for (i = 0; rc == ML_OK && i < sizeof(purge) / sizeof(purge[0]); i++) {
		r = NULL;
		rc = ml__pg_exec(c, &pg_table, purge[i], &r, err, now);
		if (rc == ML_OK)
			*n += ml__pg_changes(r);
		PQclear(r);
	}
	rc = ml__pg_end(c, rc, err);
	ml__pg_release(pg_pool(s), c);
	return rc;
}

const struct ml_store_ops ml__store_pg_ops = {
	.scheme = "postgres",
	.open = pg_open,
	.close = pg_close,
	.schema_version = pg_schema_version,
	.project_insert = pg_project_insert,
	.project_get = pg_project_get,
	.project_list = pg_project_list,
	.project_count = pg_project_count,
	.apikey_insert = pg_apikey_insert,
	.apikey_lookup = pg_apikey_lookup,
	.apikey_revoke = pg_apikey_revoke,
	.apikey_list = pg_apikey_list,
	.setting_set = pg_setting_set,
	.setting_get = pg_setting_get,
	.setting_delete = pg_setting_delete,
	.session_insert = pg_session_insert,
	.session_find = pg_session_find,
	.session_get = pg_session_get,
	.session_spend = pg_session_spend,
	.account_insert = pg_account_insert,
	.account_get = pg_account_get,
	.account_list = pg_account_list,
	.account_update = pg_account_update,
	.account_set_credentials = pg_account_set_credentials,
	.account_set_status = pg_account_set_status,
	.account_delete = pg_account_delete,
	.account_count = pg_account_count,
	.account_reseal = pg_account_reseal,
	.key_usage = pg_key_usage,
	.dash_insert = pg_dash_insert,
	.dash_find = pg_dash_find,
	.dash_consume = pg_dash_consume,
	.dash_delete = pg_dash_delete,
	.purge_expired = pg_purge_expired,
};
