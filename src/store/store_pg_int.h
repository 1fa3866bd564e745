/* SPDX-License-Identifier: MIT */
/*
 * store_pg_int.h: the PostgreSQL plumbing shared by the store's PostgreSQL
 * backend (store_pg.c) and the outbox's (store_outbox_pg.c), implemented in
 * store_pg_conn.c. Not for callers of the store.
 *
 * - A pool of libpq connections (struct ml__pg_pool), each used by one
 *   thread at a time: acquire, run statements, release. Release rolls back
 *   a transaction left open and reconnects a connection that broke.
 * - Statements live in const tables (struct ml__pg_table): SQL with $n
 *   placeholders plus a one-character type per parameter. Each is prepared
 *   once per connection, on first use, with those types, and every value is
 *   sent as a parameter in binary. No SQL is ever built from values.
 * - Results come back in binary: integers are read by width, text and
 *   bytea as raw bytes.
 * - Errors map SQLSTATEs to the store's statuses: unique violation
 *   ML_ECONFLICT, foreign-key violation ML_ENOTFOUND, out of memory
 *   ML_ENOMEM, anything else ML_ESTORE with the server's message.
 */
#ifndef ML_STORE_PG_INT_H
#define ML_STORE_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/buf.h>

#include "store/store_int.h"

#define ML__PG_PARAMS_MAX 20	/* parameters of one statement */
#define ML__PG_SETS 2		/* statement tables: store, outbox */
#define ML__PG_POOL_DEFAULT 4

/* Type OIDs of the parameter types we send (pg_type.dat). */
#define ML__PG_OID_BYTEA 17
#define ML__PG_OID_INT8 20
#define ML__PG_OID_TEXT 25
#define ML__PG_OID_TEXT_ARRAY 1009
#define ML__PG_OID_INT8_ARRAY 1016

/*
 * One statement. `params` has one character per $n, in order:
 * 't' text (const char *; NULL binds NULL), 'i' int8 (int64_t), 'o' int8
 * where 0 binds NULL, 'b' bytea (a byte pointer, size_t), 'S' text[] and
 * 'I' int8[] (a binary array from ml__pg_array_*: its data, size_t).
 */
struct ml__pg_sql {
	const char *sql;
	const char *params;
};

/*
 * A table of at most 64 statements. `set` (0..ML__PG_SETS-1) indexes the
 * connection's prepared bitmap; `prefix` makes prepared names unique
 * across tables ("s" -> s0, s1, ...).
 */
struct ml__pg_table {
	int set;
	const char *prefix;
	const struct ml__pg_sql *sql;
	int n;
};

struct ml__pg_conn {
	PGconn *pg;
	uint64_t prepared[ML__PG_SETS];
};

/* Embedded by its owner; zeroed memory is a closed pool. */
struct ml__pg_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ml__pg_conn *conns;
	size_t nconns;
	size_t *idle;		/* stack of idle connection indexes */
	size_t nidle;
	int sync_ready;		/* mu and cv initialised */
};

/*
 * Connect n connections (0 = ML__PG_POOL_DEFAULT) to `where`, the part of a
 * postgres:// URL after the scheme ("user@host:port/db"), as application
 * `app` (NULL = "moelink"; at most 63 bytes, what pg_stat_activity shows).
 * libpq fills what the URL leaves out from its PG* environment variables
 * and ~/.pgpass. On failure the pool is closed again. ML_ESTORE names the
 * server's reason.
 */
int ml__pg_pool_open(struct ml__pg_pool *p, const char *where, long n,
    const char *app, struct ml_err *err);
/* Close every connection; safe on a zeroed or half-opened pool. */
void ml__pg_pool_close(struct ml__pg_pool *p);
/* Check out an idle connection, waiting for one if all are in use. */
struct ml__pg_conn *ml__pg_acquire(struct ml__pg_pool *p);
/* Check it back in (rolls back an open transaction, reconnects if broken). */
void ml__pg_release(struct ml__pg_pool *p, struct ml__pg_conn *c);

/*
 * Run statement `id` of table t with the parameters that follow (types as
 * in t->sql[id].params). On ML_OK *out (may be NULL: then discarded) is the
 * result, freed by the caller with PQclear.
 */
int ml__pg_exec(struct ml__pg_conn *c, const struct ml__pg_table *t, int id,
    PGresult **out, struct ml_err *err, ...);
int ml__pg_vexec(struct ml__pg_conn *c, const struct ml__pg_table *t, int id,
    PGresult **out, struct ml_err *err, va_list ap);
/* A constant statement without parameters (BEGIN, COMMIT, a migration). */
int ml__pg_simple(struct ml__pg_conn *c, const char *sql, struct ml_err *err);
int ml__pg_begin(struct ml__pg_conn *c, struct ml_err *err);
/* Commit when rc is ML_OK, else roll back; returns the final status. */
int ml__pg_end(struct ml__pg_conn *c, int rc, struct ml_err *err);
/* Map a failed result (or, r NULL, the connection's error) to ML_E*. */
int ml__pg_fail(const struct ml__pg_conn *c, const PGresult *r,
    const char *what, struct ml_err *err);
/* Rows an INSERT/UPDATE/DELETE touched. */
int64_t ml__pg_changes(PGresult *r);

/* ---- binary result readers (row, col); NULL reads as "" / 0 / NULL ---- */

int ml__pg_isnull(const PGresult *r, int row, int col);
void ml__pg_col_copy(const PGresult *r, int row, int col, char *dst,
    size_t cap);
int64_t ml__pg_col_int(const PGresult *r, int row, int col);
/* Heap copy (ml_malloc) of a text column; *len (may be NULL) its length. */
int ml__pg_col_dup(const PGresult *r, int row, int col, char **out,
    size_t *len, struct ml_err *err);
/* Heap copy of a bytea column. */
int ml__pg_col_blob(const PGresult *r, int row, int col, unsigned char **out,
    size_t *len, struct ml_err *err);
/* Constant-time comparison of a bytea column with hash. */
int ml__pg_col_hash_eq(const PGresult *r, int row, int col,
    const unsigned char *hash, size_t len);

typedef int (*ml__pg_read_fn)(const PGresult *r, int row, void *elem,
    struct ml_err *err);

/*
 * Every row of r into a heap array of zeroed `elem`-byte elements, each
 * filled by read(). *arr is NULL when there are no rows. On failure the
 * elements read so far stay in *arr / *n for the caller to free.
 */
int ml__pg_collect(const PGresult *r, size_t elem, ml__pg_read_fn read,
    void **arr, size_t *n, struct ml_err *err);

/* ---- binary one-dimensional arrays for 'S' / 'I' parameters ----------- */

/* Start an array of n elements of type elem_oid in b (ml_buf_init'd). */
int ml__pg_array_init(struct ml_buf *b, unsigned elem_oid, size_t n);
int ml__pg_array_text(struct ml_buf *b, const char *s, size_t len);
int ml__pg_array_int(struct ml_buf *b, int64_t v);

/* The PostgreSQL schema as migrations (store_pg_migrations.c). */
extern const char *const ml__store_pg_migrations[];
extern const int ml__store_pg_migration_count;

/*
 * The part of a postgres:// store URL after the scheme, without its
 * "?query" (the store's ?pool=N), into out. ML_EINVAL if it does not fit.
 */
int ml__pg_url_where(const char *url, char *out, size_t cap,
    struct ml_err *err);

#endif
