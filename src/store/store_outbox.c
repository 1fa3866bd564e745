/* SPDX-License-Identifier: MIT */
/*
 * store_outbox.c: the delivery pipeline's tables over SQLite (see
 * store_outbox.h; the schema is the store's migration 2,
 * ML_STORE_OUTBOX_MIGRATION in this header's companion).
 *
 * Connections: a fixed pool opened on the store's database file, each used
 * by one thread at a time (checked out under a mutex). Every connection
 * runs WAL with synchronous=NORMAL, so a committed transaction survives a
 * crash of the process (not of the machine before the next checkpoint),
 * and a 5 s busy timeout, so writers from the store's own pool and this one
 * queue up instead of failing. Multi-statement writes run in BEGIN
 * IMMEDIATE transactions. Statements are prepared once per connection.
 *
 * Writers of this pool take a process mutex (wmu) around their write
 * transaction. SQLite allows one writer anyway, and a pool connection that
 * finds the file locked would sleep in the busy handler (1 ms growing to
 * 100 ms) rather than wake when the lock is released, leaving the file
 * idle while a 10,000-element request waits its turn. The mutex hands the
 * lock over at once; the busy timeout still covers writers outside this
 * pool.
 *
 * Enqueue inserts OB_INSERT_ROWS rows per statement execution (one
 * multi-row VALUES statement, prepared once per connection), so SQLite's
 * per-statement costs (the AUTOINCREMENT counter, the CHECK list, the
 * statement journal) are paid once per chunk instead of once per row.
 */
#include "store/store_outbox.h"
#include "store/store_outbox_pg.h"

#include <moelink/buf.h>
#include <moelink/mem.h>

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#define OB_POOL_DEFAULT 4
#define OB_BUSY_MS 5000
#define OB_TOKEN_RANDOM 32
#define OB_HASH 32
#define OB_INSERT_ROWS 128	/* rows per multi-row INSERT */
#define OB_INSERT_COLS "INSERT INTO outbox (project_id, account_id, kind," \
	" customer_id, payload, units, enqueued_at) VALUES "

enum ob_sql {
	OB_ACCOUNT_CHECK = 0,
	OB_INSERT,
	OB_ACCOUNTS,
	OB_CLAIM,
	OB_DELETE_RANGE,
	OB_MINUTE_BUMP,
	OB_STATE_BUMP,
	OB_RETRY_RANGE,
	OB_DEAD_COPY,
	OB_STATS,
	OB_STATS_MINUTES,
	OB_DL_LIST,
	OB_DL_COUNT,
	OB_DL_FIX,
	OB_DL_ACCOUNTS,
	OB_DL_REQUEUE,
	OB_DL_DROP,
	OB_DL_REQUEUE_ONE,
	OB_DL_DROP_ONE,
	OB_DL_ACCOUNT_OF,
	OB_WK_INSERT,
	OB_WK_LOOKUP,
	OB_WK_LIST,
	OB_WK_REVOKE,
	OB_SQL_COUNT
};

#define OB_STATE_UPSERT(col) \
	"INSERT INTO delivery_state (account_id, " col ")" \
	" VALUES (?1, ?2) ON CONFLICT (account_id) DO UPDATE SET"

#define OB_DL_FILTER \
	" WHERE project_id = ?1 AND (?2 IS NULL OR account_id = ?2)"
#define OB_REQUEUE_COLS \
	"project_id, account_id, kind, customer_id, payload, units, enqueued_at"

static const char *const ob_text[OB_SQL_COUNT] = {
	[OB_ACCOUNT_CHECK] =
	    "SELECT 1 FROM accounts WHERE id = ?1 AND project_id = ?2",
	/* The parameters of ob_bind_row: ?1 project, ?2 account, ?3 time. */
	[OB_INSERT] = OB_INSERT_COLS "(?1, ?2, ?4, ?5, ?6, ?7, ?3)",
	[OB_ACCOUNTS] =
	    "SELECT DISTINCT o.account_id, a.project_id FROM outbox o"
	    " JOIN accounts a ON a.id = o.account_id",
	[OB_CLAIM] =
	    "SELECT seq, kind, customer_id, payload, units, enqueued_at,"
	    " attempts, next_attempt_at, first_failed_at FROM outbox"
	    " WHERE account_id = ?1 ORDER BY seq LIMIT ?2",
	[OB_DELETE_RANGE] =
	    "DELETE FROM outbox WHERE account_id = ?1 AND seq >= ?2"
	    " AND seq <= ?3",
	/* ?2 minute, ?3 delivered, ?4 retried, ?5 dead, ?6 requests */
	[OB_MINUTE_BUMP] =
	    "INSERT INTO delivery_minutes (account_id, minute, delivered,"
	    " retried, dead, requests) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (account_id, minute) DO UPDATE SET"
	    " delivered = delivered + excluded.delivered,"
	    " retried = retried + excluded.retried,"
	    " dead = dead + excluded.dead,"
	    " requests = requests + excluded.requests",
	/* ?2 delivered ?3 retried ?4 dead ?5 requests ?6 error ?7 now */
	[OB_STATE_BUMP] =
	    "INSERT INTO delivery_state (account_id, delivered, retried, dead,"
	    " requests, last_error, last_error_at, last_delivered_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?6 IS NULL THEN NULL"
	    " ELSE ?7 END, CASE WHEN ?2 > 0 THEN ?7 ELSE NULL END)"
	    " ON CONFLICT (account_id) DO UPDATE SET"
	    " delivered = delivered + excluded.delivered,"
	    " retried = retried + excluded.retried,"
	    " dead = dead + excluded.dead,"
	    " requests = requests + excluded.requests,"
	    " last_error = coalesce(excluded.last_error, last_error),"
	    " last_error_at = coalesce(excluded.last_error_at, last_error_at),"
	    " last_delivered_at = coalesce(excluded.last_delivered_at,"
	    " last_delivered_at)",
	[OB_RETRY_RANGE] =
	    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?4,"
	    " first_failed_at = CASE WHEN first_failed_at = 0 THEN ?5"
	    " ELSE first_failed_at END, last_error = ?6"
	    " WHERE account_id = ?1 AND seq >= ?2 AND seq <= ?3",
	[OB_DEAD_COPY] =
	    "INSERT INTO dead_letters (project_id, account_id, kind,"
	    " customer_id, payload, units, reason, detail, attempts,"
	    " enqueued_at, created_at) SELECT project_id, account_id, kind,"
	    " customer_id, payload, units, ?4, ?5, attempts + 1, enqueued_at,"
	    " ?6 FROM outbox WHERE account_id = ?1 AND seq >= ?2 AND seq <= ?3"
	    " ORDER BY seq",
	[OB_STATS] =
	    "SELECT a.id, coalesce(d.delivered, 0), coalesce(d.retried, 0),"
	    " coalesce(d.dead, 0), coalesce(d.requests, 0), d.last_error,"
	    " coalesce(d.last_error_at, 0), coalesce(d.last_delivered_at, 0),"
	    " (SELECT count(*) FROM outbox o WHERE o.account_id = a.id),"
	    " (SELECT count(*) FROM dead_letters l WHERE l.account_id = a.id)"
	    " FROM accounts a LEFT JOIN delivery_state d ON d.account_id = a.id"
	    " WHERE a.project_id = ?1 AND (?2 IS NULL OR a.id = ?2)"
	    " AND (?3 IS NULL OR (a.created_at, a.id) > (SELECT b.created_at,"
	    " b.id FROM accounts b WHERE b.id = ?3 AND b.project_id = ?1))"
	    " ORDER BY a.created_at, a.id LIMIT ?4",
	[OB_STATS_MINUTES] =
	    "SELECT minute, delivered FROM delivery_minutes"
	    " WHERE account_id = ?1 AND minute > ?2 AND minute <= ?3",
	[OB_DL_LIST] =
	    "SELECT id, account_id, kind, customer_id, payload, reason, detail,"
	    " attempts, enqueued_at, created_at FROM dead_letters" OB_DL_FILTER
	    " AND id > ?3 ORDER BY id LIMIT ?4",
	[OB_DL_COUNT] = "SELECT count(*) FROM dead_letters" OB_DL_FILTER,
	[OB_DL_FIX] =
	    "UPDATE dead_letters SET payload = ?3 WHERE project_id = ?1"
	    " AND id = ?2",
	[OB_DL_ACCOUNTS] =
	    "SELECT DISTINCT account_id, project_id FROM dead_letters"
	    OB_DL_FILTER,
	[OB_DL_REQUEUE] =
	    "INSERT INTO outbox (" OB_REQUEUE_COLS ") SELECT " OB_REQUEUE_COLS
	    " FROM dead_letters" OB_DL_FILTER " ORDER BY id",
	[OB_DL_DROP] = "DELETE FROM dead_letters" OB_DL_FILTER,
	[OB_DL_REQUEUE_ONE] =
	    "INSERT INTO outbox (" OB_REQUEUE_COLS ") SELECT " OB_REQUEUE_COLS
	    " FROM dead_letters WHERE project_id = ?1 AND id = ?2",
	[OB_DL_DROP_ONE] =
	    "DELETE FROM dead_letters WHERE project_id = ?1 AND id = ?2",
	[OB_DL_ACCOUNT_OF] =
	    "SELECT account_id, project_id FROM dead_letters"
	    " WHERE project_id = ?1 AND id = ?2",
	[OB_WK_INSERT] =
	    "INSERT INTO write_keys (id, project_id, account_id, key_hash,"
	    " prefix, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6"
	    " WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?3"
	    " AND project_id = ?2)",
	[OB_WK_LOOKUP] =
	    "SELECT id, project_id, account_id, prefix, created_at,"
	    " coalesce(revoked_at, 0), key_hash FROM write_keys"
	    " WHERE key_hash = ?1",
	[OB_WK_LIST] =
	    "SELECT id, project_id, account_id, prefix, created_at,"
	    " coalesce(revoked_at, 0) FROM write_keys WHERE project_id = ?1"
	    " AND account_id = ?2 ORDER BY created_at, id",
	[OB_WK_REVOKE] =
	    "UPDATE write_keys SET revoked_at = coalesce(revoked_at, ?3)"
	    " WHERE project_id = ?1 AND id = ?2",
};

struct ob_conn {
	sqlite3 *db;
	sqlite3_stmt *st[OB_SQL_COUNT];
	sqlite3_stmt *insert_many;	/* OB_INSERT_ROWS rows (ob_insert_many) */
	pthread_mutex_t *wmu;		/* the pool's writer mutex */
	int writing;			/* holds *wmu */
};

struct ml_store_outbox {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_mutex_t wmu;		/* one writer of this pool at a time */
	struct ob_conn *conns;
	int *busy;
	int nconns;
	struct ml__store_outbox_pg *pg;	/* PostgreSQL: all calls go there */
};

/* ---- plumbing ----------------------------------------------------------- */

static int
ob_err(struct ob_conn *c, const char *what, struct ml_err *err)
{
	int ext = sqlite3_extended_errcode(c->db);

	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "%s: no such account", what);
	if ((ext & 0xff) == SQLITE_NOMEM)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	return ml_err_set(err, ML_ESTORE, "storage_error", "%s: %s", what,
	    sqlite3_errmsg(c->db));
}

static struct ob_conn *
ob_get(struct ml_store_outbox *o)
{
	int i;

	if (o->pg != NULL)
		return NULL;	/* never used: ML__OUTBOX_PG returned */
	pthread_mutex_lock(&o->mu);
	for (;;) {
		for (i = 0; i < o->nconns; i++)
			if (!o->busy[i])
				break;
		if (i < o->nconns)
			break;
		pthread_cond_wait(&o->cv, &o->mu);
	}
	o->busy[i] = 1;
	pthread_mutex_unlock(&o->mu);
	return &o->conns[i];
}

static void
ob_put(struct ml_store_outbox *o, struct ob_conn *c)
{
	int i;

	for (i = 0; i < OB_SQL_COUNT; i++)
		if (c->st[i] != NULL)
			sqlite3_reset(c->st[i]);
	if (c->insert_many != NULL)
		sqlite3_reset(c->insert_many);
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (c->writing) {
		c->writing = 0;
		pthread_mutex_unlock(c->wmu);
	}
	pthread_mutex_lock(&o->mu);
	o->busy[c - o->conns] = 0;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

/* The cached statement id, reset and unbound. */
static sqlite3_stmt *
ob_stmt(struct ob_conn *c, enum ob_sql id, struct ml_err *err)
{
	if (c->st[id] == NULL) {
		if (sqlite3_prepare_v3(c->db, ob_text[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &c->st[id], NULL) != SQLITE_OK) {
			ob_err(c, "prepare", err);
			return NULL;
		}
		return c->st[id];
	}
	sqlite3_reset(c->st[id]);
	sqlite3_clear_bindings(c->st[id]);
	return c->st[id];
}

static void
ob_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Run a statement to completion; *changes (may be NULL). */
static int
ob_run(struct ob_conn *c, sqlite3_stmt *st, const char *what, int *changes,
    struct ml_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ob_err(c, what, err);
	if (changes != NULL)
		*changes = sqlite3_changes(c->db);
	return ML_OK;
}

static int
ob_begin(struct ob_conn *c, struct ml_err *err)
{
	int rc;

	pthread_mutex_lock(c->wmu);
	c->writing = 1;
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK)
		return ML_OK;
	rc = ob_err(c, "begin", err);
	c->writing = 0;
	pthread_mutex_unlock(c->wmu);
	return rc;
}

/* Commit if rc is ML_OK, else roll back; returns the final status. */
static int
ob_finish(struct ob_conn *c, int rc, struct ml_err *err)
{
	if (rc == ML_OK && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		rc = ob_err(c, "commit", err);
	if (rc != ML_OK && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (c->writing) {
		c->writing = 0;
		pthread_mutex_unlock(c->wmu);
	}
	return rc;
}

static void
ob_col(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	ml_strlcpy(dst, t != NULL ? (const char *)t : "", cap);
}

/* A heap copy of a text column (NULL stays NULL); ML_ENOMEM. */
static int
ob_col_dup(sqlite3_stmt *st, int i, char **out, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (t == NULL)
		return ML_OK;
	*out = ml_strndup((const char *)t, n);
	if (*out == NULL)
		return ML_ENOMEM;
	if (len != NULL)
		*len = n;
	return ML_OK;
}

/* Grow a heap array by one element; ML_ENOMEM. */
static int
ob_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return ML_OK;
	ncap = *cap ? *cap * 2 : 16;
	p = ml_reallocarray(*arr, ncap, elem);
	if (p == NULL)
		return ML_ENOMEM;
	memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = p;
	*cap = ncap;
	return ML_OK;
}

typedef int (*ob_read_fn)(sqlite3_stmt *st, void *elem);

/*
 * Step st to its end, one element of elem bytes per row filled by read.
 * *out and *n get what was collected even on failure (the caller frees it
 * with the element type's free function).
 */
static int
ob_collect(struct ob_conn *c, sqlite3_stmt *st, size_t elem, ob_read_fn read,
    void **out, size_t *n, const char *what, struct ml_err *err)
{
	size_t cap = 0;
	int step, rc = ML_OK;

	*out = NULL;
	*n = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = ob_grow(out, &cap, *n, elem);
		if (rc)
			break;
		/* Counted even if read fails, so the free covers its parts. */
		rc = read(st, (char *)*out + (*n)++ * elem);
		if (rc)
			break;
	}
	sqlite3_reset(st);
	if (rc)
		return ml_err_set(err, rc, NULL, "out of memory");
	return step == SQLITE_DONE ? ML_OK : ob_err(c, what, err);
}

/*
 * Give up a list whose elements own no memory (accounts, stats, write keys):
 * free it and leave the caller's pair empty, as every failure path must.
 */
static void
ob_list_drop(void **out, size_t *n)
{
	ml_free(*out);
	*out = NULL;
	*n = 0;
}

/* ---- open / close ------------------------------------------------------- */

void
ml_store_outbox_close(struct ml_store_outbox *o)
{
	int i, j;

	if (o == NULL)
		return;
#ifdef ML_HAVE_LIBPQ
	ml__store_outbox_pg_close(o->pg);
#endif
	for (i = 0; o->conns != NULL && i < o->nconns; i++) {
		for (j = 0; j < OB_SQL_COUNT; j++)
			sqlite3_finalize(o->conns[i].st[j]);
		sqlite3_finalize(o->conns[i].insert_many);
		sqlite3_close_v2(o->conns[i].db);
	}
	pthread_mutex_destroy(&o->mu);
	pthread_mutex_destroy(&o->wmu);
	pthread_cond_destroy(&o->cv);
	ml_free(o->conns);
	ml_free(o->busy);
	ml_free(o);
}

#ifdef ML_HAVE_LIBPQ
/* A PostgreSQL store: the handle forwards every call (store_outbox_pg.c). */
static int
ob_open_pg(const char *url, int conns, struct ml_store_outbox **out,
    struct ml_err *err)
{
	struct ml_store_outbox *o;
	int rc;

	o = ml_calloc(1, sizeof(*o));
	if (o == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	pthread_mutex_init(&o->mu, NULL);
	pthread_mutex_init(&o->wmu, NULL);
	pthread_cond_init(&o->cv, NULL);
	rc = ml__store_outbox_pg_open(url, conns, &o->pg, err);
	if (rc)
		ml_store_outbox_close(o);
	else
		*out = o;
	return rc;
}
#endif

int
ml_store_outbox_open(const char *url, int conns, struct ml_store_outbox **out,
    struct ml_err *err)
{
	static const char prefix[] = "sqlite://";
	static const char pragmas[] = "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
	struct ml_store_outbox *o = NULL;
	char path[4096];
	const char *q;
	size_t plen;
	int i, rc = ML_OK;

	*out = NULL;
#ifdef ML_HAVE_LIBPQ
	if (url != NULL && strncmp(url, "postgres://", 11) == 0)
		return ob_open_pg(url, conns, out, err);
#endif
	if (url == NULL || strncmp(url, prefix, sizeof(prefix) - 1) != 0)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "the delivery outbox needs a sqlite:// store URL");
	url += sizeof(prefix) - 1;
	q = strchr(url, '?');
	plen = q != NULL ? (size_t)(q - url) : strlen(url);
	if (plen == 0 || plen >= sizeof(path))
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "the store URL has no usable file path");
	memcpy(path, url, plen);
	path[plen] = '\0';
	if (strcmp(path, ":memory:") == 0)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "the delivery outbox must be durable: use a file, not "
		    ":memory:");
	o = ml_calloc(1, sizeof(*o));
	if (o == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	pthread_mutex_init(&o->mu, NULL);
	pthread_mutex_init(&o->wmu, NULL);
	pthread_cond_init(&o->cv, NULL);
	o->nconns = conns > 0 ? conns : OB_POOL_DEFAULT;
	o->conns = ml_calloc((size_t)o->nconns, sizeof(*o->conns));
	o->busy = ml_calloc((size_t)o->nconns, sizeof(*o->busy));
	if (o->conns == NULL || o->busy == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < o->nconns; i++) {
		struct ob_conn *c = &o->conns[i];

		c->wmu = &o->wmu;
		if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    sqlite3_extended_result_codes(c->db, 1) != SQLITE_OK ||
		    sqlite3_busy_timeout(c->db, OB_BUSY_MS) != SQLITE_OK ||
		    sqlite3_exec(c->db, pragmas, NULL, NULL, NULL) !=
		    SQLITE_OK) {
			rc = ml_err_set(err, ML_ESTORE, "storage_error",
			    "cannot open %s for the outbox: %s", path,
			    c->db ? sqlite3_errmsg(c->db) : "out of memory");
			goto out;
		}
	}
	/* The schema must be there (the store migrated it). */
	if (ob_stmt(&o->conns[0], OB_CLAIM, err) == NULL) {
		rc = ML_ESTORE;
		goto out;
	}
	*out = o;
	o = NULL;
out:
	ml_store_outbox_close(o);
	return rc;
}

/* ---- outbox ------------------------------------------------------------- */

/* The connection's INSERT of OB_INSERT_ROWS rows, prepared on first use. */
static sqlite3_stmt *
ob_insert_many(struct ob_conn *c, struct ml_err *err)
{
	struct ml_buf sql;
	int i, b, rc;

	if (c->insert_many != NULL)
		return c->insert_many;
	ml_buf_init(&sql, 64 * OB_INSERT_ROWS + sizeof(OB_INSERT_COLS));
	rc = ml_buf_append_str(&sql, OB_INSERT_COLS);
	for (i = 0; i < OB_INSERT_ROWS && rc == ML_OK; i++) {
		b = 4 + 4 * i;
		rc = ml_buf_appendf(&sql, "%s(?1, ?2, ?%d, ?%d, ?%d, ?%d, ?3)",
		    i > 0 ? ", " : "", b, b + 1, b + 2, b + 3);
	}
	if (rc)
		ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	else if (sqlite3_prepare_v3(c->db, sql.data, (int)sql.len,
	    SQLITE_PREPARE_PERSISTENT, &c->insert_many, NULL) != SQLITE_OK)
		ob_err(c, "prepare", err);
	ml_buf_cleanup(&sql);
	return c->insert_many;
}

/* One row's kind, customer_id, payload and units: parameters base..+3. */
static void
ob_bind_row(sqlite3_stmt *st, int base, const struct ml_outbox_new *row)
{
	sqlite3_bind_text(st, base, row->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 1, row->customer_id != NULL ?
	    row->customer_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 2, row->payload, (int)row->payload_len,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 3, row->units);
}

/*
 * Insert rows in array order: whole chunks through the multi-row
 * statement, the rest one by one. ?1..?3 are bound once per statement
 * (a reset keeps bindings).
 */
static int
ob_insert(struct ob_conn *c, const char *project_id, const char *account_id,
    const struct ml_outbox_new *rows, size_t n, int64_t now_ms,
    struct ml_err *err)
{
	static const size_t sizes[] = { OB_INSERT_ROWS, 1 };
	sqlite3_stmt *st;
	size_t i = 0, k, j, per;
	int rc = ML_OK;

	for (k = 0; k < 2 && rc == ML_OK; k++) {
		per = sizes[k];
		if (n - i < per)
			continue;
		st = per > 1 ? ob_insert_many(c, err) : ob_stmt(c, OB_INSERT,
		    err);
		if (st == NULL)
			return ML_ESTORE;
		sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, account_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now_ms);
		for (; n - i >= per && rc == ML_OK; i += per) {
			for (j = 0; j < per; j++)
				ob_bind_row(st, 4 + 4 * (int)j, &rows[i + j]);
			rc = ob_run(c, st, "enqueue", NULL, err);
		}
	}
	return rc;
}

int
ml_store_outbox_enqueue(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, const struct ml_outbox_new *rows, size_t n,
    int64_t now_ms, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc;

	ML__OUTBOX_PG(o, enqueue(o->pg, project_id, account_id, rows, n, now_ms,
	    err));
	rc = ob_begin(c, err);
	if (rc)
		goto out;
	st = ob_stmt(c, OB_ACCOUNT_CHECK, err);
	if (st == NULL) {
		rc = ML_ESTORE;
		goto out;
	}
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, project_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? ml_err_set(err, ML_ENOTFOUND,
		    "not_found", "no account %s in this project", account_id) :
		    ob_err(c, "enqueue", err);
		goto out;
	}
	rc = ob_insert(c, project_id, account_id, rows, n, now_ms, err);
out:
	rc = ob_finish(c, rc, err);
	ob_put(o, c);
	return rc;
}

int
ml_store_outbox_shared(const struct ml_store_outbox *o)
{
	return o->pg != NULL;
}

static int
ob_read_account(sqlite3_stmt *st, void *elem)
{
	struct ml_outbox_account *a = elem;

	ob_col(st, 0, a->account_id, sizeof(a->account_id));
	ob_col(st, 1, a->project_id, sizeof(a->project_id));
	return ML_OK;
}

int
ml_store_outbox_accounts(struct ml_store_outbox *o,
    struct ml_outbox_account **out, size_t *n, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc = ML_ESTORE;

	ML__OUTBOX_PG(o, accounts(o->pg, out, n, err));
	*out = NULL;
	*n = 0;
	st = ob_stmt(c, OB_ACCOUNTS, err);
	if (st != NULL)
		rc = ob_collect(c, st, sizeof(**out), ob_read_account,
		    (void **)out, n, "outbox accounts", err);
	ob_put(o, c);
	if (rc)
		ob_list_drop((void **)out, n);
	return rc;
}

void
ml_store_outbox_rows_free(struct ml_outbox_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows != NULL && i < n; i++)
		ml_free(rows[i].payload);
	ml_free(rows);
}

int
ml_store_outbox_claim(struct ml_store_outbox *o, const char *account_id,
    size_t max_rows, size_t max_bytes, struct ml_outbox_row **out,
    size_t *n, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	struct ml_outbox_row *rows = NULL, *r;
	size_t cap = 0, cnt = 0, bytes = 0;
	sqlite3_stmt *st;
	int rc = ML_ESTORE, step = SQLITE_DONE;

	ML__OUTBOX_PG(o, claim(o->pg, account_id, max_rows, max_bytes, out,
	    n, err));
	st = ob_stmt(c, OB_CLAIM, err);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)(max_rows ? max_rows : 1));
	while (bytes < max_bytes && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = ob_grow((void **)&rows, &cap, cnt, sizeof(*rows));
		if (rc) {
			ml_err_set(err, rc, NULL, "out of memory");
			goto out;
		}
		r = &rows[cnt];
		r->seq = sqlite3_column_int64(st, 0);
		ob_col(st, 1, r->kind, sizeof(r->kind));
		ob_col(st, 2, r->customer_id, sizeof(r->customer_id));
		rc = ob_col_dup(st, 3, &r->payload, &r->payload_len);
		if (rc) {
			ml_err_set(err, rc, NULL, "out of memory");
			goto out;
		}
		r->units = (long)sqlite3_column_int64(st, 4);
		r->enqueued_ms = sqlite3_column_int64(st, 5);
		r->attempts = sqlite3_column_int(st, 6);
		r->next_attempt_ms = sqlite3_column_int64(st, 7);
		r->first_failed_ms = sqlite3_column_int64(st, 8);
		bytes += r->payload_len;
		cnt++;
	}
	rc = step == SQLITE_DONE || step == SQLITE_ROW ? ML_OK :
	    ob_err(c, "claim", err);
out:
	ob_put(o, c);
	if (rc) {
		ml_store_outbox_rows_free(rows, cnt);
		rows = NULL;
		cnt = 0;
	}
	*out = rows;
	*n = cnt;
	return rc;
}

/*
 * Counter bumps inside the caller's transaction: this minute's row and the
 * account's totals. error NULL keeps the last error.
 */
static int
ob_count(struct ob_conn *c, const char *account_id, int64_t now_s,
    long delivered, long retried, long dead, long requests, const char *error,
    struct ml_err *err)
{
	sqlite3_stmt *st;
	int rc;

	st = ob_stmt(c, OB_MINUTE_BUMP, err);
	if (st == NULL)
		return ML_ESTORE;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_s / 60);
	sqlite3_bind_int64(st, 3, delivered);
	sqlite3_bind_int64(st, 4, retried);
	sqlite3_bind_int64(st, 5, dead);
	sqlite3_bind_int64(st, 6, requests);
	rc = ob_run(c, st, "count", NULL, err);
	if (rc)
		return rc;
	st = ob_stmt(c, OB_STATE_BUMP, err);
	if (st == NULL)
		return ML_ESTORE;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, delivered);
	sqlite3_bind_int64(st, 3, retried);
	sqlite3_bind_int64(st, 4, dead);
	sqlite3_bind_int64(st, 5, requests);
	ob_text_or_null(st, 6, error);
	sqlite3_bind_int64(st, 7, now_s);
	return ob_run(c, st, "count", NULL, err);
}

/* Bind account + seq range as ?1..?3. */
static sqlite3_stmt *
ob_range(struct ob_conn *c, enum ob_sql id, const char *account_id,
    int64_t first, int64_t last, struct ml_err *err)
{
	sqlite3_stmt *st = ob_stmt(c, id, err);

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, last);
	return st;
}

/* Bind project + optional account as ?1, ?2. */
static sqlite3_stmt *
ob_scope(struct ob_conn *c, enum ob_sql id, const char *project_id,
    const char *account_id, struct ml_err *err)
{
	sqlite3_stmt *st = ob_stmt(c, id, err);

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	ob_text_or_null(st, 2, account_id);
	return st;
}

int
ml_store_outbox_done(struct ml_store_outbox *o, const char *account_id,
    int64_t first_seq, int64_t last_seq, long delivered, int64_t now_s,
    struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc;

	ML__OUTBOX_PG(o, done(o->pg, account_id, first_seq, last_seq,
	    delivered, now_s, err));
	rc = ob_begin(c, err);
	if (rc == ML_OK) {
		st = ob_range(c, OB_DELETE_RANGE, account_id, first_seq,
		    last_seq, err);
		rc = st ? ob_run(c, st, "delete", NULL, err) : ML_ESTORE;
	}
	if (rc == ML_OK)
		rc = ob_count(c, account_id, now_s, delivered, 0, 0, 1, NULL,
		    err);
	rc = ob_finish(c, rc, err);
	ob_put(o, c);
	return rc;
}

int
ml_store_outbox_retry(struct ml_store_outbox *o, const char *account_id,
    int64_t first_seq, int64_t last_seq, int64_t next_attempt_ms,
    int64_t now_ms, const char *error, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc, changes = 0;

	ML__OUTBOX_PG(o, retry(o->pg, account_id, first_seq, last_seq,
	    next_attempt_ms, now_ms, error, err));
	rc = ob_begin(c, err);
	if (rc == ML_OK) {
		st = ob_range(c, OB_RETRY_RANGE, account_id, first_seq,
		    last_seq, err);
		if (st == NULL)
			rc = ML_ESTORE;
		else {
			sqlite3_bind_int64(st, 4, next_attempt_ms);
			sqlite3_bind_int64(st, 5, now_ms);
			ob_text_or_null(st, 6, error);
			rc = ob_run(c, st, "retry", &changes, err);
		}
	}
	if (rc == ML_OK)
		rc = ob_count(c, account_id, now_ms / 1000, 0, changes, 0, 0,
		    error, err);
	rc = ob_finish(c, rc, err);
	ob_put(o, c);
	return rc;
}

int
ml_store_outbox_deadletter(struct ml_store_outbox *o, const char *account_id,
    int64_t first_seq, int64_t last_seq, const char *reason,
    const char *detail, int64_t now_s, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc, moved = 0;

	ML__OUTBOX_PG(o, deadletter(o->pg, account_id, first_seq, last_seq,
	    reason, detail, now_s, err));
	rc = ob_begin(c, err);
	if (rc == ML_OK) {
		st = ob_range(c, OB_DEAD_COPY, account_id, first_seq, last_seq,
		    err);
		if (st == NULL)
			rc = ML_ESTORE;
		else {
			ob_text_or_null(st, 4, reason);
			ob_text_or_null(st, 5, detail);
			sqlite3_bind_int64(st, 6, now_s);
			rc = ob_run(c, st, "dead letter", &moved, err);
		}
	}
	if (rc == ML_OK) {
		st = ob_range(c, OB_DELETE_RANGE, account_id, first_seq,
		    last_seq, err);
		rc = st ? ob_run(c, st, "dead letter", NULL, err) : ML_ESTORE;
	}
	if (rc == ML_OK)
		rc = ob_count(c, account_id, now_s, 0, 0, moved, 0, reason,
		    err);
	rc = ob_finish(c, rc, err);
	ob_put(o, c);
	return rc;
}

int
ml_store_outbox_note_error(struct ml_store_outbox *o, const char *account_id,
    const char *error, int64_t now_s, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	int rc;

	ML__OUTBOX_PG(o, note_error(o->pg, account_id, error, now_s, err));
	rc = ob_count(c, account_id, now_s, 0, 0, 0, 0, error, err);
	ob_put(o, c);
	return rc;
}

/* ---- stats -------------------------------------------------------------- */

static int
ob_minutes(struct ob_conn *c, struct ml_outbox_stats *s, int64_t now_s,
    struct ml_err *err)
{
	int64_t cur = now_s / 60, m;
	sqlite3_stmt *st;
	int step;

	st = ob_stmt(c, OB_STATS_MINUTES, err);
	if (st == NULL)
		return ML_ESTORE;
	sqlite3_bind_text(st, 1, s->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cur - ML_OUTBOX_CHART_MINUTES);
	sqlite3_bind_int64(st, 3, cur);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		m = sqlite3_column_int64(st, 0);
		s->per_minute[ML_OUTBOX_CHART_MINUTES - 1 - (cur - m)] =
		    sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? ML_OK : ob_err(c, "stats", err);
}

static int
ob_read_stats(sqlite3_stmt *st, void *elem)
{
	struct ml_outbox_stats *s = elem;

	ob_col(st, 0, s->account_id, sizeof(s->account_id));
	s->delivered = sqlite3_column_int64(st, 1);
	s->retried = sqlite3_column_int64(st, 2);
	s->dead_lettered = sqlite3_column_int64(st, 3);
	s->requests = sqlite3_column_int64(st, 4);
	ob_col(st, 5, s->last_error, sizeof(s->last_error));
	s->last_error_at = sqlite3_column_int64(st, 6);
	s->last_delivered_at = sqlite3_column_int64(st, 7);
	s->queued = sqlite3_column_int64(st, 8);
	s->dead_letters = sqlite3_column_int64(st, 9);
	return ML_OK;
}

int
ml_store_outbox_stats(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, const char *after, size_t limit, int64_t now_s,
    struct ml_outbox_stats **out, size_t *n, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	size_t i;
	int rc = ML_ESTORE;

	ML__OUTBOX_PG(o, stats(o->pg, project_id, account_id, after, limit,
	    now_s, out, n, err));
	*out = NULL;
	*n = 0;
	st = ob_scope(c, OB_STATS, project_id, account_id, err);
	if (st != NULL) {
		ob_text_or_null(st, 3, after);
		sqlite3_bind_int64(st, 4, limit > 0 && limit <= (size_t)INT64_MAX ?
		    (int64_t)limit : INT64_MAX);
		rc = ob_collect(c, st, sizeof(**out), ob_read_stats,
		    (void **)out, n, "stats", err);
	}
	for (i = 0; rc == ML_OK && i < *n; i++)
		rc = ob_minutes(c, &(*out)[i], now_s, err);
	ob_put(o, c);
	if (rc)
		ob_list_drop((void **)out, n);
	return rc;
}

/* ---- dead letters ------------------------------------------------------- */

void
ml_store_outbox_deadletters_free(struct ml_deadletter *list, size_t n)
{
	size_t i;

	for (i = 0; list != NULL && i < n; i++) {
		ml_free(list[i].payload);
		ml_free(list[i].detail);
	}
	ml_free(list);
}


static int
ob_read_deadletter(sqlite3_stmt *st, void *elem)
{
	struct ml_deadletter *d = elem;

	d->id = sqlite3_column_int64(st, 0);
	ob_col(st, 1, d->account_id, sizeof(d->account_id));
	ob_col(st, 2, d->kind, sizeof(d->kind));
	ob_col(st, 3, d->customer_id, sizeof(d->customer_id));
	ob_col(st, 5, d->reason, sizeof(d->reason));
	d->attempts = sqlite3_column_int(st, 7);
	d->enqueued_at = sqlite3_column_int64(st, 8) / 1000;
	d->created_at = sqlite3_column_int64(st, 9);
	if (ob_col_dup(st, 4, &d->payload, NULL) ||
	    ob_col_dup(st, 6, &d->detail, NULL))
		return ML_ENOMEM;
	return ML_OK;
}

int
ml_store_outbox_deadletters(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, int64_t after, size_t limit,
    struct ml_deadletter **out, size_t *n, int64_t *total, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc = ML_ESTORE;

	ML__OUTBOX_PG(o, deadletters(o->pg, project_id, account_id, after,
	    limit, out, n, total, err));
	*out = NULL;
	*n = 0;
	*total = 0;
	st = ob_scope(c, OB_DL_COUNT, project_id, account_id, err);
	if (st == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = ob_scope(c, OB_DL_LIST, project_id, account_id, err);
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, (int64_t)limit);
	rc = ob_collect(c, st, sizeof(**out), ob_read_deadletter, (void **)out,
	    n, "dead letters", err);
out:
	ob_put(o, c);
	if (rc) {
		ml_store_outbox_deadletters_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int
ml_store_outbox_deadletter_fix(struct ml_store_outbox *o,
    const char *project_id, int64_t id, const char *payload,
    struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc = ML_ESTORE, changes = 0;

	ML__OUTBOX_PG(o, deadletter_fix(o->pg, project_id, id, payload,
	    err));
	st = ob_stmt(c, OB_DL_FIX, err);
	if (st != NULL) {
		sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
		rc = ob_run(c, st, "dead letter fix", &changes, err);
	}
	ob_put(o, c);
	if (rc == ML_OK && changes == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no dead letter %lld", (long long)id);
	return rc;
}

/* Append the accounts a statement returns (account, project) to a list. */
static int
ob_collect_accounts(struct ob_conn *c, sqlite3_stmt *st,
    struct ml_outbox_account **list, size_t *cap, size_t *cnt,
    struct ml_err *err)
{
	size_t i;
	int step, dup;
	char id[ML_STORE_ID_MAX];

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ob_col(st, 0, id, sizeof(id));
		for (dup = 0, i = 0; i < *cnt && !dup; i++)
			dup = strcmp((*list)[i].account_id, id) == 0;
		if (dup)
			continue;
		if (ob_grow((void **)list, cap, *cnt, sizeof(**list)))
			return ml_err_set(err, ML_ENOMEM, NULL,
			    "out of memory");
		ml_strlcpy((*list)[*cnt].account_id, id, ML_STORE_ID_MAX);
		ob_col(st, 1, (*list)[*cnt].project_id, ML_STORE_ID_MAX);
		(*cnt)++;
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? ML_OK : ob_err(c, "replay", err);
}

/* Re-enqueue one dead letter by id; *moved += 1 when it existed. */
static int
ob_replay_one(struct ob_conn *c, const char *project_id, int64_t id,
    int64_t *moved, struct ml_err *err)
{
	sqlite3_stmt *st;
	int rc, changes = 0;

	st = ob_stmt(c, OB_DL_REQUEUE_ONE, err);
	if (st == NULL)
		return ML_ESTORE;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	rc = ob_run(c, st, "replay", &changes, err);
	if (rc || changes == 0)
		return rc;
	st = ob_stmt(c, OB_DL_DROP_ONE, err);
	if (st == NULL)
		return ML_ESTORE;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	rc = ob_run(c, st, "replay", NULL, err);
	if (rc == ML_OK)
		(*moved)++;
	return rc;
}

int
ml_store_outbox_replay(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, const int64_t *ids, size_t n_ids, int64_t now_ms,
    int64_t *moved, struct ml_outbox_account **accounts, size_t *n_accounts,
    struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	struct ml_outbox_account *list = NULL;
	size_t cap = 0, cnt = 0, i;
	sqlite3_stmt *st;
	int rc, changes = 0;

	ML__OUTBOX_PG(o, replay(o->pg, project_id, account_id, ids, n_ids,
	    now_ms, moved, accounts, n_accounts, err));
	(void)now_ms;	/* replayed rows keep their original enqueue time */
	*moved = 0;
	rc = ob_begin(c, err);
	for (i = 0; rc == ML_OK && i < n_ids; i++) {
		st = ob_stmt(c, OB_DL_ACCOUNT_OF, err);
		if (st == NULL) {
			rc = ML_ESTORE;
			break;
		}
		sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ids[i]);
		rc = ob_collect_accounts(c, st, &list, &cap, &cnt, err);
		if (rc == ML_OK)
			rc = ob_replay_one(c, project_id, ids[i], moved, err);
	}
	if (rc == ML_OK && n_ids == 0) {
		st = ob_scope(c, OB_DL_ACCOUNTS, project_id, account_id, err);
		rc = st ? ob_collect_accounts(c, st, &list, &cap, &cnt, err) :
		    ML_ESTORE;
		if (rc == ML_OK) {
			st = ob_scope(c, OB_DL_REQUEUE, project_id, account_id,
			    err);
			rc = st ? ob_run(c, st, "replay", &changes, err) :
			    ML_ESTORE;
		}
		if (rc == ML_OK) {
			st = ob_scope(c, OB_DL_DROP, project_id, account_id,
			    err);
			rc = st ? ob_run(c, st, "replay", NULL, err) :
			    ML_ESTORE;
		}
		*moved = changes;
	}
	rc = ob_finish(c, rc, err);
	ob_put(o, c);
	if (rc || accounts == NULL) {
		ml_free(list);
		list = NULL;
		cnt = 0;
	}
	if (rc)
		*moved = 0;
	if (accounts != NULL) {
		*accounts = list;
		*n_accounts = cnt;
	}
	return rc;
}

/* ---- write keys --------------------------------------------------------- */

static int
ob_read_write_key(sqlite3_stmt *st, void *elem)
{
	struct ml_write_key *k = elem;

	ob_col(st, 0, k->id, sizeof(k->id));
	ob_col(st, 1, k->project_id, sizeof(k->project_id));
	ob_col(st, 2, k->account_id, sizeof(k->account_id));
	ob_col(st, 3, k->prefix, sizeof(k->prefix));
	k->created_at = sqlite3_column_int64(st, 4);
	k->revoked_at = sqlite3_column_int64(st, 5);
	return ML_OK;
}

int
ml_store_outbox_write_key_create(struct ml_store_outbox *o,
    const char *project_id, const char *account_id, char *key, size_t cap,
    struct ml_write_key *info, struct ml_err *err)
{
	unsigned char raw[OB_TOKEN_RANDOM], hash[OB_HASH];
	struct ml_write_key k;
	struct ob_conn *c;
	sqlite3_stmt *st;
	size_t plen = sizeof(ML_OUTBOX_WRITE_KEY_PREFIX) - 1;
	int rc, changes = 0;

	ML__OUTBOX_PG(o, write_key_create(o->pg, project_id, account_id,
	    key, cap, info, err));
	memset(&k, 0, sizeof(k));
	if (cap < ML_STORE_TOKEN_MAX)
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "write key buffer too small");
	rc = ml_store_id_new("wk", k.id, sizeof(k.id), err);
	if (rc)
		return rc;
	randombytes_buf(raw, sizeof(raw));
	memcpy(key, ML_OUTBOX_WRITE_KEY_PREFIX, plen);
	sodium_bin2base64(key + plen, cap - plen, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	crypto_hash_sha256(hash, (const unsigned char *)key, strlen(key));
	ml_strlcpy(k.prefix, key, plen + 7);
	ml_strlcpy(k.project_id, project_id, sizeof(k.project_id));
	ml_strlcpy(k.account_id, account_id, sizeof(k.account_id));
	k.created_at = ml_store_now();
	c = ob_get(o);
	st = ob_stmt(c, OB_WK_INSERT, err);
	if (st == NULL)
		rc = ML_ESTORE;
	else {
		sqlite3_bind_text(st, 1, k.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, project_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, account_id, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, hash, sizeof(hash), SQLITE_STATIC);
		sqlite3_bind_text(st, 5, k.prefix, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, k.created_at);
		rc = ob_run(c, st, "write key", &changes, err);
	}
	ob_put(o, c);
	if (rc == ML_OK && changes == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no account %s in this project", account_id);
	if (rc)
		sodium_memzero(key, cap);
	else if (info != NULL)
		*info = k;
	return rc;
}

int
ml_store_outbox_write_key_lookup(struct ml_store_outbox *o, const char *key,
    struct ml_write_key *info, struct ml_err *err)
{
	unsigned char hash[OB_HASH];
	struct ob_conn *c;
	sqlite3_stmt *st;
	const void *stored;
	int rc = ML_ENOTFOUND;

	ML__OUTBOX_PG(o, write_key_lookup(o->pg, key, info, err));
	if (key == NULL || strncmp(key, ML_OUTBOX_WRITE_KEY_PREFIX,
	    sizeof(ML_OUTBOX_WRITE_KEY_PREFIX) - 1) != 0 ||
	    strlen(key) >= ML_STORE_TOKEN_MAX)
		return ml_err_set(err, ML_ENOTFOUND, "unauthorized",
		    "unknown write key");
	crypto_hash_sha256(hash, (const unsigned char *)key, strlen(key));
	c = ob_get(o);
	st = ob_stmt(c, OB_WK_LOOKUP, err);
	if (st == NULL)
		rc = ML_ESTORE;
	else {
		sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			stored = sqlite3_column_blob(st, 6);
			if (stored != NULL && sqlite3_column_bytes(st, 6) ==
			    OB_HASH && sodium_memcmp(stored, hash, OB_HASH) ==
			    0 && sqlite3_column_int64(st, 5) == 0) {
				rc = ob_read_write_key(st, info);
			}
		}
		sqlite3_reset(st);
	}
	ob_put(o, c);
	if (rc == ML_ENOTFOUND)
		ml_err_set(err, ML_ENOTFOUND, "unauthorized",
		    "unknown or revoked write key");
	return rc;
}

int
ml_store_outbox_write_key_list(struct ml_store_outbox *o,
    const char *project_id, const char *account_id, struct ml_write_key **out,
    size_t *n, struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc = ML_ESTORE;

	ML__OUTBOX_PG(o, write_key_list(o->pg, project_id, account_id, out,
	    n, err));
	*out = NULL;
	*n = 0;
	st = ob_scope(c, OB_WK_LIST, project_id, account_id, err);
	if (st != NULL)
		rc = ob_collect(c, st, sizeof(**out), ob_read_write_key,
		    (void **)out, n, "write keys", err);
	ob_put(o, c);
	if (rc)
		ob_list_drop((void **)out, n);
	return rc;
}

int
ml_store_outbox_write_key_revoke(struct ml_store_outbox *o,
    const char *project_id, const char *key_id, int64_t now_s,
    struct ml_err *err)
{
	struct ob_conn *c = ob_get(o);
	sqlite3_stmt *st;
	int rc = ML_ESTORE, changes = 0;

	ML__OUTBOX_PG(o, write_key_revoke(o->pg, project_id, key_id, now_s,
	    err));
	st = ob_stmt(c, OB_WK_REVOKE, err);
	if (st != NULL) {
		sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now_s);
		rc = ob_run(c, st, "write key revoke", &changes, err);
	}
	ob_put(o, c);
	if (rc == ML_OK && changes == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no write key %s in this project", key_id);
	return rc;
}
