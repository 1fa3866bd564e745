/* SPDX-License-Identifier: MIT */
/*
 * store_outbox_pg.c: the delivery outbox over PostgreSQL (contract in
 * store_outbox_pg.h and store_outbox.h; schema in store_pg_migrations.c).
 *
 * Connections: a pool of its own (store_pg_conn.c), like the SQLite outbox,
 * so ingest and the worker never wait on the store's pool.
 *
 * Several nodes share the tables, which SQLite never has to consider:
 * - Sequence values are handed out at INSERT, not at COMMIT, so two
 *   transactions enqueueing for one account could commit out of seq order
 *   and a claim could see seq 6 before seq 5 exists; a later delete of the
 *   range [.., 6] would then drop 5 unsent. Enqueue and replay therefore
 *   lock the account's row (FOR NO KEY UPDATE, always in id order when
 *   there are several) before inserting: one account's rows commit in seq
 *   order, and what a claim sees is always a prefix of the account's queue.
 * - An account is delivered by one node at a time: the holder of its row in
 *   outbox_leases. claim locks that row with FOR UPDATE SKIP LOCKED (a busy
 *   row is skipped, never waited for), takes the lease if it is free,
 *   expired, orphaned (its node has no session left: it died) or already
 *   this node's, and only then reads rows. done, retry and deadletter
 *   release it. Lease times use the database's clock, so the nodes' clocks
 *   may disagree.
 */
#include "store/store_outbox_pg.h"
#include "store/store_pg_int.h"

#include <moelink/buf.h>
#include <moelink/mem.h>

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define OP_DB_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
/* A node's sessions are named "moelink <node id>" (pg_stat_activity). */
#define OP_APP_PREFIX "moelink "

enum op_stmt {
	OP_ACCOUNT_LOCK = 0,
	OP_INSERT,
	OP_ACCOUNTS,
	OP_LEASE_ENSURE,
	OP_LEASE_TAKE,
	OP_LEASE_SET,
	OP_LEASE_RELEASE,
	OP_HEAD,
	OP_DELETE_RANGE,
	OP_MINUTE_BUMP,
	OP_STATE_BUMP,
	OP_RETRY_RANGE,
	OP_DEAD_COPY,
	OP_STATS,
	OP_STATS_MINUTES,
	OP_DL_LIST,
	OP_DL_COUNT,
	OP_DL_FIX,
	OP_DL_LOCK,
	OP_DL_LOCK_IDS,
	OP_DL_REQUEUE,
	OP_DL_DROP,
	OP_DL_REQUEUE_ONE,
	OP_DL_DROP_ONE,
	OP_WK_INSERT,
	OP_WK_LOOKUP,
	OP_WK_LIST,
	OP_WK_REVOKE,
	OP_STMT_COUNT
};

#define OP_DL_FILTER \
	" WHERE project_id = $1 AND ($2 IS NULL OR account_id = $2)"
#define OP_REQUEUE_COLS \
	"project_id, account_id, kind, customer_id, payload, units, enqueued_at"
#define OP_ROW_COLS \
	"seq, kind, customer_id, payload, units, enqueued_at, attempts," \
	" next_attempt_at, first_failed_at"
#define OP_WK_COLS \
	"id, project_id, account_id, prefix, created_at, coalesce(revoked_at, 0)"
/* The accounts whose dead letters match, locked in id order. */
#define OP_DL_LOCK_SQL(where) \
	"SELECT id, project_id FROM accounts WHERE id IN" \
	" (SELECT account_id FROM dead_letters" where ")" \
	" ORDER BY id FOR NO KEY UPDATE"

static const struct ml__pg_sql op_sql[OP_STMT_COUNT] = {
	[OP_ACCOUNT_LOCK] = {
	    "SELECT 1 FROM accounts WHERE id = $1 AND project_id = $2"
	    " FOR NO KEY UPDATE", "tt" },
	/* Array order is seq order: the identity is drawn row by row. */
	[OP_INSERT] = {
	    "INSERT INTO outbox (" OP_REQUEUE_COLS ")"
	    " SELECT $1, $2, k, c, p, u, $7"
	    " FROM unnest($3, $4, $5, $6) WITH ORDINALITY AS t(k, c, p, u, n)"
	    " ORDER BY n", "ttSSSIi" },
	[OP_ACCOUNTS] = {
	    "SELECT DISTINCT o.account_id, a.project_id FROM outbox o"
	    " JOIN accounts a ON a.id = o.account_id", "" },
	[OP_LEASE_ENSURE] = {
	    "INSERT INTO outbox_leases (account_id) SELECT $1"
	    " WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1)"
	    " ON CONFLICT (account_id) DO NOTHING", "t" },
	/* owner, until, now, and whether the owner still has a session */
	[OP_LEASE_TAKE] = {
	    "SELECT owner, until_ms, " OP_DB_NOW_MS ", EXISTS (SELECT 1"
	    " FROM pg_stat_activity WHERE application_name = '" OP_APP_PREFIX
	    "' || owner)::int FROM outbox_leases"
	    " WHERE account_id = $1 FOR UPDATE SKIP LOCKED", "t" },
	[OP_LEASE_SET] = {
	    "UPDATE outbox_leases SET owner = $2,"
	    " until_ms = " OP_DB_NOW_MS " + $3 WHERE account_id = $1", "tti" },
	[OP_LEASE_RELEASE] = {
	    "UPDATE outbox_leases SET until_ms = 0"
	    " WHERE account_id = $1 AND owner = $2", "tt" },
	/* The first $2 rows, while the payload bytes before a row < $3. */
	[OP_HEAD] = {
	    "SELECT " OP_ROW_COLS " FROM (SELECT " OP_ROW_COLS ","
	    " sum(octet_length(payload)) OVER (ORDER BY seq)"
	    " - octet_length(payload) AS before FROM outbox"
	    " WHERE account_id = $1 ORDER BY seq LIMIT $2) h"
	    " WHERE before < $3 ORDER BY seq", "tii" },
	[OP_DELETE_RANGE] = {
	    "DELETE FROM outbox WHERE account_id = $1 AND seq >= $2"
	    " AND seq <= $3", "tii" },
	/* $2 minute, $3 delivered, $4 retried, $5 dead, $6 requests */
	[OP_MINUTE_BUMP] = {
	    "INSERT INTO delivery_minutes (account_id, minute, delivered,"
	    " retried, dead, requests) VALUES ($1, $2, $3, $4, $5, $6)"
	    " ON CONFLICT (account_id, minute) DO UPDATE SET"
	    " delivered = delivery_minutes.delivered + excluded.delivered,"
	    " retried = delivery_minutes.retried + excluded.retried,"
	    " dead = delivery_minutes.dead + excluded.dead,"
	    " requests = delivery_minutes.requests + excluded.requests",
	    "tiiiii" },
	/* $2 delivered $3 retried $4 dead $5 requests $6 error $7 now */
	[OP_STATE_BUMP] = {
	    "INSERT INTO delivery_state (account_id, delivered, retried, dead,"
	    " requests, last_error, last_error_at, last_delivered_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 IS NULL THEN NULL"
	    " ELSE $7 END, CASE WHEN $2 > 0 THEN $7 ELSE NULL END)"
	    " ON CONFLICT (account_id) DO UPDATE SET"
	    " delivered = delivery_state.delivered + excluded.delivered,"
	    " retried = delivery_state.retried + excluded.retried,"
	    " dead = delivery_state.dead + excluded.dead,"
	    " requests = delivery_state.requests + excluded.requests,"
	    " last_error = coalesce(excluded.last_error,"
	    " delivery_state.last_error),"
	    " last_error_at = coalesce(excluded.last_error_at,"
	    " delivery_state.last_error_at),"
	    " last_delivered_at = coalesce(excluded.last_delivered_at,"
	    " delivery_state.last_delivered_at)", "tiiiiti" },
	[OP_RETRY_RANGE] = {
	    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $4,"
	    " first_failed_at = CASE WHEN first_failed_at = 0 THEN $5"
	    " ELSE first_failed_at END, last_error = $6"
	    " WHERE account_id = $1 AND seq >= $2 AND seq <= $3", "tiiiit" },
	[OP_DEAD_COPY] = {
	    "INSERT INTO dead_letters (project_id, account_id, kind,"
	    " customer_id, payload, units, reason, detail, attempts,"
	    " enqueued_at, created_at) SELECT project_id, account_id, kind,"
	    " customer_id, payload, units, $4, $5, attempts + 1, enqueued_at,"
	    " $6 FROM outbox WHERE account_id = $1 AND seq >= $2"
	    " AND seq <= $3 ORDER BY seq", "tiitti" },
	[OP_STATS] = {
	    "SELECT a.id, coalesce(d.delivered, 0), coalesce(d.retried, 0),"
	    " coalesce(d.dead, 0), coalesce(d.requests, 0), d.last_error,"
	    " coalesce(d.last_error_at, 0), coalesce(d.last_delivered_at, 0),"
	    " (SELECT count(*) FROM outbox o WHERE o.account_id = a.id),"
	    " (SELECT count(*) FROM dead_letters l WHERE l.account_id = a.id)"
	    " FROM accounts a LEFT JOIN delivery_state d ON d.account_id = a.id"
	    " WHERE a.project_id = $1 AND ($2 IS NULL OR a.id = $2)"
	    " AND ($3::text IS NULL OR (a.created_at, a.id) > (SELECT"
	    " b.created_at, b.id FROM accounts b WHERE b.id = $3"
	    " AND b.project_id = $1))"
	    " ORDER BY a.created_at, a.id LIMIT $4", "ttti" },
	[OP_STATS_MINUTES] = {
	    "SELECT minute, delivered FROM delivery_minutes"
	    " WHERE account_id = $1 AND minute > $2 AND minute <= $3", "tii" },
	[OP_DL_LIST] = {
	    "SELECT id, account_id, kind, customer_id, payload, reason, detail,"
	    " attempts, enqueued_at, created_at FROM dead_letters" OP_DL_FILTER
	    " AND id > $3 ORDER BY id LIMIT $4", "ttii" },
	[OP_DL_COUNT] = { "SELECT count(*) FROM dead_letters" OP_DL_FILTER,
	    "tt" },
	[OP_DL_FIX] = {
	    "UPDATE dead_letters SET payload = $3 WHERE project_id = $1"
	    " AND id = $2", "tit" },
	[OP_DL_LOCK] = { OP_DL_LOCK_SQL(OP_DL_FILTER), "tt" },
	[OP_DL_LOCK_IDS] = {
	    OP_DL_LOCK_SQL(" WHERE project_id = $1 AND id = ANY($2)"), "tI" },
	[OP_DL_REQUEUE] = {
	    "INSERT INTO outbox (" OP_REQUEUE_COLS ") SELECT " OP_REQUEUE_COLS
	    " FROM dead_letters" OP_DL_FILTER " ORDER BY id", "tt" },
	[OP_DL_DROP] = { "DELETE FROM dead_letters" OP_DL_FILTER, "tt" },
	[OP_DL_REQUEUE_ONE] = {
	    "INSERT INTO outbox (" OP_REQUEUE_COLS ") SELECT " OP_REQUEUE_COLS
	    " FROM dead_letters WHERE project_id = $1 AND id = $2", "ti" },
	[OP_DL_DROP_ONE] = {
	    "DELETE FROM dead_letters WHERE project_id = $1 AND id = $2",
	    "ti" },
	[OP_WK_INSERT] = {
	    "INSERT INTO write_keys (id, project_id, account_id, key_hash,"
	    " prefix, created_at) SELECT $1, $2, $3, $4, $5, $6"
	    " WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $3"
	    " AND project_id = $2)", "tttbti" },
	[OP_WK_LOOKUP] = {
	    "SELECT " OP_WK_COLS ", key_hash FROM write_keys"
	    " WHERE key_hash = $1", "b" },
	[OP_WK_LIST] = {
	    "SELECT " OP_WK_COLS " FROM write_keys WHERE project_id = $1"
	    " AND account_id = $2 ORDER BY created_at, id", "tt" },
	[OP_WK_REVOKE] = {
	    "UPDATE write_keys SET revoked_at = coalesce(revoked_at, $3)"
	    " WHERE project_id = $1 AND id = $2", "tti" },
};

static const struct ml__pg_table op_table = {
	.set = 1, .prefix = "o", .sql = op_sql, .n = OP_STMT_COUNT,
};

struct ml__store_outbox_pg {
	struct ml__pg_pool pool;
	char node[ML_STORE_ID_MAX];	/* this handle's lease owner id */
};

/* Wall-clock ms, the worker's clock for next_attempt_ms. */
static int64_t
op_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- open / close ------------------------------------------------------- */

void
ml__store_outbox_pg_close(struct ml__store_outbox_pg *o)
{
	if (o == NULL)
		return;
	ml__pg_pool_close(&o->pool);
	ml_free(o);
}

int
ml__store_outbox_pg_open(const char *url, int conns,
    struct ml__store_outbox_pg **out, struct ml_err *err)
{
	struct ml__store_outbox_pg *o;
	char where[4096], app[64];
	int rc;

	*out = NULL;
	rc = ml__pg_url_where(url, where, sizeof(where), err);
	if (rc)
		return rc;
	o = ml_calloc(1, sizeof(*o));
	if (o == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	rc = ml_store_id_new("node", o->node, sizeof(o->node), err);
	snprintf(app, sizeof(app), OP_APP_PREFIX "%s", o->node);
	if (rc == ML_OK)
		rc = ml__pg_pool_open(&o->pool, where, conns, app, err);
	sodium_memzero(where, sizeof(where));
	if (rc) {
		ml__store_outbox_pg_close(o);
		return rc;
	}
	*out = o;
	return ML_OK;
}

/* ---- enqueue ------------------------------------------------------------ */

/* The four column arrays of an enqueue, binary-encoded. */
struct op_columns {
	struct ml_buf kind, cid, payload, units;
};

static void
op_columns_cleanup(struct op_columns *a)
{
	ml_buf_cleanup(&a->kind);
	ml_buf_cleanup(&a->cid);
	ml_buf_cleanup(&a->payload);
	ml_buf_cleanup(&a->units);
}

static int
op_columns_fill(struct op_columns *a, const struct ml_outbox_new *rows,
    size_t n, struct ml_err *err)
{
	const char *cid;
	size_t i;
	int rc;

	ml_buf_init(&a->kind, INT_MAX);
	ml_buf_init(&a->cid, INT_MAX);
	ml_buf_init(&a->payload, INT_MAX);
	ml_buf_init(&a->units, INT_MAX);
	rc = ml__pg_array_init(&a->kind, ML__PG_OID_TEXT, n);
	if (rc == ML_OK)
		rc = ml__pg_array_init(&a->cid, ML__PG_OID_TEXT, n);
	if (rc == ML_OK)
		rc = ml__pg_array_init(&a->payload, ML__PG_OID_TEXT, n);
	if (rc == ML_OK)
		rc = ml__pg_array_init(&a->units, ML__PG_OID_INT8, n);
	for (i = 0; rc == ML_OK && i < n; i++) {
		cid = rows[i].customer_id != NULL ? rows[i].customer_id : "";
		rc = ml__pg_array_text(&a->kind, rows[i].kind,
		    strlen(rows[i].kind));
		if (rc == ML_OK)
			rc = ml__pg_array_text(&a->cid, cid, strlen(cid));
		if (rc == ML_OK)
			rc = ml__pg_array_text(&a->payload, rows[i].payload,
			    rows[i].payload_len);
		if (rc == ML_OK)
			rc = ml__pg_array_int(&a->units, rows[i].units);
	}
	if (rc)
		return ml_err_set(err, rc, NULL, "enqueue: %s",
		    ml_strerror(rc));
	return ML_OK;
}

/* Lock the account's row (see the top of the file); ML_ENOTFOUND. */
static int
op_lock_account(struct ml__pg_conn *c, const char *project_id,
    const char *account_id, struct ml_err *err)
{
	PGresult *r = NULL;
	int rc;

	rc = ml__pg_exec(c, &op_table, OP_ACCOUNT_LOCK, &r, err, account_id,
	    project_id);
	if (rc == ML_OK && PQntuples(r) == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no account %s in this project", account_id);
	PQclear(r);
	return rc;
}

int
ml__store_outbox_pg_enqueue(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id,
    const struct ml_outbox_new *rows, size_t n, int64_t now_ms,
    struct ml_err *err)
{
	struct ml__pg_conn *c = NULL;
	struct op_columns a;
	int rc;

	rc = op_columns_fill(&a, rows, n, err);
	if (rc)
		goto out;
	c = ml__pg_acquire(&o->pool);
	rc = ml__pg_begin(c, err);
	if (rc == ML_OK)
		rc = op_lock_account(c, project_id, account_id, err);
	if (rc == ML_OK && n > 0)
		rc = ml__pg_exec(c, &op_table, OP_INSERT, NULL, err,
		    project_id, account_id, a.kind.data, a.kind.len,
		    a.cid.data, a.cid.len, a.payload.data, a.payload.len,
		    a.units.data, a.units.len, now_ms);
	rc = ml__pg_end(c, rc, err);
	ml__pg_release(&o->pool, c);
out:
	op_columns_cleanup(&a);
	return rc;
}

static int
op_read_account(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_outbox_account *a = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, a->account_id, sizeof(a->account_id));
	ml__pg_col_copy(r, row, 1, a->project_id, sizeof(a->project_id));
	return ML_OK;
}

/* Run a query on c and collect every row into *out (heap, *n). */
static int
op_vcollect(struct ml__pg_conn *c, enum op_stmt id, size_t elem,
    ml__pg_read_fn read, void **out, size_t *n, struct ml_err *err,
    va_list ap)
{
	PGresult *r = NULL;
	int rc;

	rc = ml__pg_vexec(c, &op_table, id, &r, err, ap);
	if (rc == ML_OK)
		rc = ml__pg_collect(r, elem, read, out, n, err);
	PQclear(r);
	return rc;
}

/* op_vcollect with the parameters that follow. */
static int
op_collect(struct ml__pg_conn *c, enum op_stmt id, size_t elem,
    ml__pg_read_fn read, void **out, size_t *n, struct ml_err *err, ...)
{
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = op_vcollect(c, id, elem, read, out, n, err, ap);
	va_end(ap);
	return rc;
}

/*
 * Run a query and collect every row into *out (heap, *n); on failure
 * nothing is returned: free_fn (NULL = ml_free) releases what was read.
 */
static int
op_list(struct ml__store_outbox_pg *o, enum op_stmt id, size_t elem,
    ml__pg_read_fn read, void (*free_fn)(void *, size_t), void **out,
    size_t *n, struct ml_err *err, ...)
{
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = op_vcollect(c, id, elem, read, out, n, err, ap);
	va_end(ap);
	ml__pg_release(&o->pool, c);
	if (rc) {
		if (free_fn != NULL)
			free_fn(*out, *n);
		else
			ml_free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int
ml__store_outbox_pg_accounts(struct ml__store_outbox_pg *o,
    struct ml_outbox_account **out, size_t *n, struct ml_err *err)
{
	*out = NULL;
	*n = 0;
	return op_list(o, OP_ACCOUNTS, sizeof(**out), op_read_account, NULL,
	    (void **)out, n, err);
}

/* ---- claim and its outcomes --------------------------------------------- */

static int
op_read_row(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_outbox_row *w = elem;

	w->seq = ml__pg_col_int(r, row, 0);
	ml__pg_col_copy(r, row, 1, w->kind, sizeof(w->kind));
	ml__pg_col_copy(r, row, 2, w->customer_id, sizeof(w->customer_id));
	w->units = (long)ml__pg_col_int(r, row, 4);
	w->enqueued_ms = ml__pg_col_int(r, row, 5);
	w->attempts = (int)ml__pg_col_int(r, row, 6);
	w->next_attempt_ms = ml__pg_col_int(r, row, 7);
	w->first_failed_ms = ml__pg_col_int(r, row, 8);
	return ml__pg_col_dup(r, row, 3, &w->payload, &w->payload_len, err);
}

/*
 * Take the account's lease for this node, inside the caller's transaction.
 * *mine = 0 when another node holds it (or is claiming it right now);
 * *wait_ms is then when to ask again.
 */
static int
op_lease_take(struct ml__store_outbox_pg *o, struct ml__pg_conn *c,
    const char *account_id, int *mine, int64_t *wait_ms, struct ml_err *err)
{
	char owner[ML_STORE_ID_MAX];
	PGresult *r = NULL;
	int64_t until, now;
	int rc, alive;

	*mine = 0;
	*wait_ms = ML__OUTBOX_PG_POLL_MS;
	rc = ml__pg_exec(c, &op_table, OP_LEASE_TAKE, &r, err, account_id);
	if (rc || PQntuples(r) == 0) {
		PQclear(r);
		return rc;
	}
	ml__pg_col_copy(r, 0, 0, owner, sizeof(owner));
	until = ml__pg_col_int(r, 0, 1);
	now = ml__pg_col_int(r, 0, 2);
	alive = ml__pg_col_int(r, 0, 3) != 0;
	PQclear(r);
	/* A node that died took its sessions along: its lease is void. */
	if (strcmp(owner, o->node) != 0 && until > now && alive) {
		if (until - now < *wait_ms)
			*wait_ms = until - now;
		return ML_OK;
	}
	*mine = 1;
	return ml__pg_exec(c, &op_table, OP_LEASE_SET, NULL, err, account_id,
	    o->node, (int64_t)ML__OUTBOX_PG_LEASE_MS);
}

static int
op_lease_release(struct ml__store_outbox_pg *o, struct ml__pg_conn *c,
    const char *account_id, struct ml_err *err)
{
	return ml__pg_exec(c, &op_table, OP_LEASE_RELEASE, NULL, err,
	    account_id, o->node);
}

int
ml__store_outbox_pg_claim(struct ml__store_outbox_pg *o,
    const char *account_id, size_t max_rows, size_t max_bytes,
    struct ml_outbox_row **out, size_t *n, struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	int64_t wait_ms = 0, rows, bytes, ask_at;
	PGresult *r = NULL;
	int rc, mine = 0;

	*out = NULL;
	*n = 0;
	rc = ml__pg_begin(c, err);
	if (rc == ML_OK)
		rc = ml__pg_exec(c, &op_table, OP_LEASE_ENSURE, NULL, err,
		    account_id);
	if (rc == ML_OK)
		rc = op_lease_take(o, c, account_id, &mine, &wait_ms, err);
	/* Not ours: only the first row, to carry when to ask again. */
	rows = mine ? (int64_t)(max_rows ? max_rows : 1) : 1;
	bytes = mine && max_bytes < (uint64_t)INT64_MAX ? (int64_t)max_bytes :
	    INT64_MAX;
	if (rc == ML_OK)
		rc = ml__pg_exec(c, &op_table, OP_HEAD, &r, err, account_id,
		    rows, bytes);
	if (rc == ML_OK)
		rc = ml__pg_collect(r, sizeof(**out), op_read_row,
		    (void **)out, n, err);
	PQclear(r);
	if (rc == ML_OK && mine && *n == 0)
		rc = op_lease_release(o, c, account_id, err);
	ask_at = op_now_ms() + wait_ms;
	if (rc == ML_OK && !mine && *n > 0 && (*out)[0].next_attempt_ms <
	    ask_at)
		(*out)[0].next_attempt_ms = ask_at;
	rc = ml__pg_end(c, rc, err);
	ml__pg_release(&o->pool, c);
	/* The account went away under us: nothing to send. */
	if (rc == ML_ENOTFOUND)
		rc = ML_OK;
	if (rc || *n == 0) {
		ml_store_outbox_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* What an outcome adds to the account's counters (see op_settle). */
struct op_counts {
	long delivered;
	long retried;
	long dead;
	long requests;
	const char *error;	/* NULL keeps the last error */
	int64_t now_s;
};

/* Counter bumps inside the caller's transaction. */
static int
op_count(struct ml__pg_conn *c, const char *account_id,
    const struct op_counts *k, struct ml_err *err)
{
	int rc;

	rc = ml__pg_exec(c, &op_table, OP_MINUTE_BUMP, NULL, err, account_id,
	    k->now_s / 60, (int64_t)k->delivered, (int64_t)k->retried,
	    (int64_t)k->dead, (int64_t)k->requests);
	if (rc == ML_OK)
		rc = ml__pg_exec(c, &op_table, OP_STATE_BUMP, NULL, err,
		    account_id, (int64_t)k->delivered, (int64_t)k->retried,
		    (int64_t)k->dead, (int64_t)k->requests, k->error,
		    k->now_s);
	return rc;
}

/*
 * Finish an outcome begun on c: count, release the lease when `release`,
 * commit (or roll back when rc is an error) and check c back in.
 */
static int
op_settle(struct ml__store_outbox_pg *o, struct ml__pg_conn *c,
    const char *account_id, const struct op_counts *k, int release, int rc,
    struct ml_err *err)
{
	if (rc == ML_OK)
		rc = op_count(c, account_id, k, err);
	if (rc == ML_OK && release)
		rc = op_lease_release(o, c, account_id, err);
	rc = ml__pg_end(c, rc, err);
	ml__pg_release(&o->pool, c);
	return rc;
}

/* Run a write on c; *changed (may be NULL) is the rows it changed. */
static int
op_vwrite(struct ml__pg_conn *c, enum op_stmt id, int64_t *changed,
    struct ml_err *err, va_list ap)
{
	PGresult *r = NULL;
	int rc;

	rc = ml__pg_vexec(c, &op_table, id, &r, err, ap);
	if (rc == ML_OK && changed != NULL)
		*changed = ml__pg_changes(r);
	PQclear(r);
	return rc;
}

/* op_vwrite with the parameters that follow. */
static int
op_write(struct ml__pg_conn *c, enum op_stmt id, int64_t *changed,
    struct ml_err *err, ...)
{
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = op_vwrite(c, id, changed, err, ap);
	va_end(ap);
	return rc;
}

/* op_write on a connection of the pool, outside any transaction. */
static int
op_pool_write(struct ml__store_outbox_pg *o, enum op_stmt id,
    int64_t *changed, struct ml_err *err, ...)
{
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = op_vwrite(c, id, changed, err, ap);
	va_end(ap);
	ml__pg_release(&o->pool, c);
	return rc;
}

int
ml__store_outbox_pg_done(struct ml__store_outbox_pg *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    long delivered, int64_t now_s, struct ml_err *err)
{
	const struct op_counts k = { .delivered = delivered, .requests = 1,
	    .now_s = now_s };
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	int rc;

	rc = ml__pg_begin(c, err);
	if (rc == ML_OK)
		rc = op_write(c, OP_DELETE_RANGE, NULL, err, account_id,
		    first_seq, last_seq);
	return op_settle(o, c, account_id, &k, 1, rc, err);
}

int
ml__store_outbox_pg_retry(struct ml__store_outbox_pg *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    int64_t next_attempt_ms, int64_t now_ms, const char *error,
    struct ml_err *err)
{
	struct op_counts k = { .error = error, .now_s = now_ms / 1000 };
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	int64_t changed = 0;
	int rc;

	rc = ml__pg_begin(c, err);
	if (rc == ML_OK)
		rc = op_write(c, OP_RETRY_RANGE, &changed, err, account_id,
		    first_seq, last_seq, next_attempt_ms, now_ms, error);
	k.retried = (long)changed;
	return op_settle(o, c, account_id, &k, 1, rc, err);
}

int
ml__store_outbox_pg_deadletter(struct ml__store_outbox_pg *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    const char *reason, const char *detail, int64_t now_s,
    struct ml_err *err)
{
	struct op_counts k = { .error = reason, .now_s = now_s };
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	int64_t moved = 0;
	int rc;

	rc = ml__pg_begin(c, err);
	if (rc == ML_OK)
		rc = op_write(c, OP_DEAD_COPY, &moved, err, account_id,
		    first_seq, last_seq, reason, detail, now_s);
	if (rc == ML_OK)
		rc = op_write(c, OP_DELETE_RANGE, NULL, err, account_id,
		    first_seq, last_seq);
	k.dead = (long)moved;
	return op_settle(o, c, account_id, &k, 1, rc, err);
}

int
ml__store_outbox_pg_note_error(struct ml__store_outbox_pg *o,
    const char *account_id, const char *error, int64_t now_s,
    struct ml_err *err)
{
	const struct op_counts k = { .error = error, .now_s = now_s };
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	int rc;

	/* The rows stay claimed: the lease is kept. */
	rc = ml__pg_begin(c, err);
	return op_settle(o, c, account_id, &k, 0, rc, err);
}

/* ---- stats -------------------------------------------------------------- */

static int
op_read_stats(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_outbox_stats *s = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, s->account_id, sizeof(s->account_id));
	s->delivered = ml__pg_col_int(r, row, 1);
	s->retried = ml__pg_col_int(r, row, 2);
	s->dead_lettered = ml__pg_col_int(r, row, 3);
	s->requests = ml__pg_col_int(r, row, 4);
	ml__pg_col_copy(r, row, 5, s->last_error, sizeof(s->last_error));
	s->last_error_at = ml__pg_col_int(r, row, 6);
	s->last_delivered_at = ml__pg_col_int(r, row, 7);
	s->queued = ml__pg_col_int(r, row, 8);
	s->dead_letters = ml__pg_col_int(r, row, 9);
	return ML_OK;
}

static int
op_minutes(struct ml__pg_conn *c, struct ml_outbox_stats *s, int64_t now_s,
    struct ml_err *err)
{
	int64_t cur = now_s / 60, m;
	PGresult *r = NULL;
	int rc, i;

	rc = ml__pg_exec(c, &op_table, OP_STATS_MINUTES, &r, err,
	    s->account_id, cur - ML_OUTBOX_CHART_MINUTES, cur);
	for (i = 0; rc == ML_OK && i < PQntuples(r); i++) {
		m = ml__pg_col_int(r, i, 0);
		s->per_minute[ML_OUTBOX_CHART_MINUTES - 1 - (cur - m)] =
		    ml__pg_col_int(r, i, 1);
	}
	PQclear(r);
	return rc;
}

int
ml__store_outbox_pg_stats(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, const char *after,
    size_t limit, int64_t now_s, struct ml_outbox_stats **out, size_t *n,
    struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	rc = op_collect(c, OP_STATS, sizeof(**out), op_read_stats,
	    (void **)out, n, err, project_id, account_id, after,
	    limit > 0 && limit <= (size_t)INT64_MAX ? (int64_t)limit :
	    INT64_MAX);
	for (i = 0; rc == ML_OK && i < *n; i++)
		rc = op_minutes(c, &(*out)[i], now_s, err);
	ml__pg_release(&o->pool, c);
	if (rc) {
		ml_free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- dead letters ------------------------------------------------------- */

static int
op_read_deadletter(const PGresult *r, int row, void *elem,
    struct ml_err *err)
{
	struct ml_deadletter *d = elem;
	int rc;

	d->id = ml__pg_col_int(r, row, 0);
	ml__pg_col_copy(r, row, 1, d->account_id, sizeof(d->account_id));
	ml__pg_col_copy(r, row, 2, d->kind, sizeof(d->kind));
	ml__pg_col_copy(r, row, 3, d->customer_id, sizeof(d->customer_id));
	ml__pg_col_copy(r, row, 5, d->reason, sizeof(d->reason));
	d->attempts = (int)ml__pg_col_int(r, row, 7);
	d->enqueued_at = ml__pg_col_int(r, row, 8) / 1000;
	d->created_at = ml__pg_col_int(r, row, 9);
	rc = ml__pg_col_dup(r, row, 4, &d->payload, NULL, err);
	if (rc == ML_OK)
		rc = ml__pg_col_dup(r, row, 6, &d->detail, NULL, err);
	return rc;
}

static void
op_deadletters_free(void *list, size_t n)
{
	ml_store_outbox_deadletters_free(list, n);
}

int
ml__store_outbox_pg_deadletters(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, int64_t after,
    size_t limit, struct ml_deadletter **out, size_t *n, int64_t *total,
    struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	PGresult *r = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = ml__pg_exec(c, &op_table, OP_DL_COUNT, &r, err, project_id,
	    account_id);
	*total = rc == ML_OK ? ml__pg_col_int(r, 0, 0) : 0;
	PQclear(r);
	ml__pg_release(&o->pool, c);
	if (rc == ML_OK)
		rc = op_list(o, OP_DL_LIST, sizeof(**out), op_read_deadletter,
		    op_deadletters_free, (void **)out, n, err, project_id,
		    account_id, after, (int64_t)limit);
	return rc;
}

int
ml__store_outbox_pg_deadletter_fix(struct ml__store_outbox_pg *o,
    const char *project_id, int64_t id, const char *payload,
    struct ml_err *err)
{
	int64_t changed = 0;
	int rc;

	rc = op_pool_write(o, OP_DL_FIX, &changed, err, project_id, id,
	    payload);
	if (rc == ML_OK && changed == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no dead letter %lld", (long long)id);
	return rc;
}

/* Re-enqueue the listed dead letters, in the order given. */
static int
op_replay_ids(struct ml__pg_conn *c, const char *project_id,
    const int64_t *ids, size_t n_ids, struct ml_outbox_account **list,
    size_t *cnt, int64_t *moved, struct ml_err *err)
{
	struct ml_buf arr;
	int64_t changed;
	size_t i;
	int rc;

	ml_buf_init(&arr, INT_MAX);
	rc = ml__pg_array_init(&arr, ML__PG_OID_INT8, n_ids);
	for (i = 0; rc == ML_OK && i < n_ids; i++)
		rc = ml__pg_array_int(&arr, ids[i]);
	if (rc)
		rc = ml_err_set(err, rc, NULL, "replay: %s", ml_strerror(rc));
	if (rc == ML_OK)
		rc = op_collect(c, OP_DL_LOCK_IDS, sizeof(**list),
		    op_read_account, (void **)list, cnt, err, project_id,
		    arr.data, arr.len);
	for (i = 0; rc == ML_OK && i < n_ids; i++) {
		changed = 0;
		rc = op_write(c, OP_DL_REQUEUE_ONE, &changed, err,
		    project_id, ids[i]);
		if (rc == ML_OK && changed > 0)
			rc = op_write(c, OP_DL_DROP_ONE, NULL, err,
			    project_id, ids[i]);
		if (rc == ML_OK)
			*moved += changed;
	}
	ml_buf_cleanup(&arr);
	return rc;
}

int
ml__store_outbox_pg_replay(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, const int64_t *ids,
    size_t n_ids, int64_t now_ms, int64_t *moved,
    struct ml_outbox_account **accounts, size_t *n_accounts,
    struct ml_err *err)
{
	struct ml__pg_conn *c = ml__pg_acquire(&o->pool);
	struct ml_outbox_account *list = NULL;
	size_t cnt = 0;
	int rc;

	(void)now_ms;	/* replayed rows keep their original enqueue time */
	*moved = 0;
	rc = ml__pg_begin(c, err);
	if (rc == ML_OK && n_ids > 0)
		rc = op_replay_ids(c, project_id, ids, n_ids, &list, &cnt,
		    moved, err);
	else if (rc == ML_OK) {
		rc = op_collect(c, OP_DL_LOCK, sizeof(*list), op_read_account,
		    (void **)&list, &cnt, err, project_id, account_id);
		if (rc == ML_OK)
			rc = op_write(c, OP_DL_REQUEUE, moved, err,
			    project_id, account_id);
		if (rc == ML_OK)
			rc = op_write(c, OP_DL_DROP, NULL, err,
			    project_id, account_id);
	}
	rc = ml__pg_end(c, rc, err);
	ml__pg_release(&o->pool, c);
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
op_read_write_key(const PGresult *r, int row, void *elem, struct ml_err *err)
{
	struct ml_write_key *k = elem;

	(void)err;
	ml__pg_col_copy(r, row, 0, k->id, sizeof(k->id));
	ml__pg_col_copy(r, row, 1, k->project_id, sizeof(k->project_id));
	ml__pg_col_copy(r, row, 2, k->account_id, sizeof(k->account_id));
	ml__pg_col_copy(r, row, 3, k->prefix, sizeof(k->prefix));
	k->created_at = ml__pg_col_int(r, row, 4);
	k->revoked_at = ml__pg_col_int(r, row, 5);
	return ML_OK;
}

int
ml__store_outbox_pg_write_key_create(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, char *key, size_t cap,
    struct ml_write_key *info, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	struct ml_write_key k;
	int64_t changed = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = ml_store_id_new("wk", k.id, sizeof(k.id), err);
	if (rc == ML_OK)
		rc = ml__store_token_new(ML_OUTBOX_WRITE_KEY_PREFIX, key, cap,
		    hash, err);
	if (rc)
		return rc;
	/* The display prefix: "mlw_" and 6 characters. */
	ml_strlcpy(k.prefix, key, sizeof(ML_OUTBOX_WRITE_KEY_PREFIX) + 6);
	ml_strlcpy(k.project_id, project_id, sizeof(k.project_id));
	ml_strlcpy(k.account_id, account_id, sizeof(k.account_id));
	k.created_at = ml_store_now();
	rc = op_pool_write(o, OP_WK_INSERT, &changed, err, k.id, project_id,
	    account_id, hash, sizeof(hash), k.prefix, k.created_at);
	if (rc == ML_OK && changed == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no account %s in this project", account_id);
	sodium_memzero(hash, sizeof(hash));
	if (rc)
		sodium_memzero(key, cap);
	else if (info != NULL)
		*info = k;
	return rc;
}

int
ml__store_outbox_pg_write_key_lookup(struct ml__store_outbox_pg *o,
    const char *key, struct ml_write_key *info, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	struct ml__pg_conn *c;
	PGresult *r = NULL;
	int rc;

	if (ml__store_token_hash(ML_OUTBOX_WRITE_KEY_PREFIX, key, hash,
	    NULL) != ML_OK)
		return ml_err_set(err, ML_ENOTFOUND, "unauthorized",
		    "unknown write key");
	c = ml__pg_acquire(&o->pool);
	rc = ml__pg_exec(c, &op_table, OP_WK_LOOKUP, &r, err, hash,
	    sizeof(hash));
	if (rc == ML_OK) {
		rc = ML_ENOTFOUND;
		if (PQntuples(r) == 1 && ml__pg_col_hash_eq(r, 0, 6, hash,
		    sizeof(hash)) && ml__pg_col_int(r, 0, 5) == 0)
			rc = op_read_write_key(r, 0, info, err);
	}
	PQclear(r);
	ml__pg_release(&o->pool, c);
	sodium_memzero(hash, sizeof(hash));
	if (rc == ML_ENOTFOUND)
		ml_err_set(err, ML_ENOTFOUND, "unauthorized",
		    "unknown or revoked write key");
	return rc;
}

int
ml__store_outbox_pg_write_key_list(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id,
    struct ml_write_key **out, size_t *n, struct ml_err *err)
{
	*out = NULL;
	*n = 0;
	return op_list(o, OP_WK_LIST, sizeof(**out), op_read_write_key, NULL,
	    (void **)out, n, err, project_id, account_id);
}

int
ml__store_outbox_pg_write_key_revoke(struct ml__store_outbox_pg *o,
    const char *project_id, const char *key_id, int64_t now_s,
    struct ml_err *err)
{
	int64_t changed = 0;
	int rc;

	rc = op_pool_write(o, OP_WK_REVOKE, &changed, err, project_id, key_id,
	    now_s);
	if (rc == ML_OK && changed == 0)
		rc = ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no write key %s in this project", key_id);
	return rc;
}
