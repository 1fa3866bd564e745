/* SPDX-License-Identifier: MIT */
/*
 * store_outbox.h: the delivery pipeline's tables: the outbox (users, events,
 * devices, merges and deletes waiting for MoEngage), dead letters, delivery
 * counters per account and minute, and Segment write keys.
 *
 * The tables are created by the store's migrations (store_migrations.c,
 * appended entries); this module opens its own small pool of connections to
 * the same SQLite file, so the ingest path and the delivery worker never
 * wait on the store's pool. WAL lets readers run beside the one writer.
 *
 * Contract (as store.h): functions return ML_OK or a negative ML_E* with
 * detail in err (may be NULL); thread-safe; every operation is scoped by
 * project where a caller names objects. Times are epoch milliseconds in the
 * outbox (ordering and backoff need sub-second precision) and epoch seconds
 * elsewhere.
 *
 * Ordering: seq is the outbox's AUTOINCREMENT rowid. SQLite has one writer
 * at a time, so seq order is commit order, and the rows of one account
 * sorted by seq are its enqueue order. The worker always takes an account's
 * lowest seqs and removes them as a contiguous range.
 *
 * At-least-once: rows are removed only by ml_store_outbox_done (after
 * MoEngage answered 2xx) or moved by ml_store_outbox_deadletter; a crash
 * at any point leaves them to be sent again.
 */
#ifndef ML_STORE_OUTBOX_H
#define ML_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include <moelink/err.h>

#include "store/store.h"

#define ML_OUTBOX_KIND_MAX 16
#define ML_OUTBOX_CID_MAX 256
#define ML_OUTBOX_ERROR_MAX 512
#define ML_OUTBOX_PAYLOAD_MAX (128u * 1024u)
#define ML_OUTBOX_WRITE_KEY_PREFIX "mlw_"

/*
 * The schema, appended to the store's SQLite migrations (never edit once
 * released; append a new entry instead). Outbox times are epoch ms.
 */
#define ML_STORE_OUTBOX_MIGRATION \
	"CREATE TABLE outbox (" \
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT," \
	"  project_id TEXT NOT NULL," \
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE," \
	"  kind TEXT NOT NULL CHECK (kind IN ('customer', 'event', 'device'," \
	"    'merge', 'delete'))," \
	"  customer_id TEXT NOT NULL DEFAULT ''," \
	"  payload TEXT NOT NULL," \
	"  units INTEGER NOT NULL DEFAULT 1," \
	"  enqueued_at INTEGER NOT NULL," \
	"  attempts INTEGER NOT NULL DEFAULT 0," \
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0," \
	"  first_failed_at INTEGER NOT NULL DEFAULT 0," \
	"  last_error TEXT" \
	");" \
	"CREATE INDEX outbox_account ON outbox(account_id, seq);" \
	"CREATE TABLE dead_letters (" \
	"  id INTEGER PRIMARY KEY AUTOINCREMENT," \
	"  project_id TEXT NOT NULL," \
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE," \
	"  kind TEXT NOT NULL," \
	"  customer_id TEXT NOT NULL DEFAULT ''," \
	"  payload TEXT NOT NULL," \
	"  units INTEGER NOT NULL DEFAULT 1," \
	"  reason TEXT NOT NULL," \
	"  detail TEXT," \
	"  attempts INTEGER NOT NULL DEFAULT 0," \
	"  enqueued_at INTEGER NOT NULL," \
	"  created_at INTEGER NOT NULL" \
	");" \
	"CREATE INDEX dead_letters_scope ON dead_letters(project_id, account_id, id);" \
	"CREATE TABLE delivery_minutes (" \
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE," \
	"  minute INTEGER NOT NULL," \
	"  delivered INTEGER NOT NULL DEFAULT 0," \
	"  retried INTEGER NOT NULL DEFAULT 0," \
	"  dead INTEGER NOT NULL DEFAULT 0," \
	"  requests INTEGER NOT NULL DEFAULT 0," \
	"  PRIMARY KEY (account_id, minute)" \
	");" \
	"CREATE TABLE delivery_state (" \
	"  account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE," \
	"  delivered INTEGER NOT NULL DEFAULT 0," \
	"  retried INTEGER NOT NULL DEFAULT 0," \
	"  dead INTEGER NOT NULL DEFAULT 0," \
	"  requests INTEGER NOT NULL DEFAULT 0," \
	"  last_error TEXT," \
	"  last_error_at INTEGER," \
	"  last_delivered_at INTEGER" \
	");" \
	"CREATE TABLE write_keys (" \
	"  id TEXT PRIMARY KEY," \
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE," \
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE," \
	"  key_hash BLOB NOT NULL UNIQUE," \
	"  prefix TEXT NOT NULL," \
	"  created_at INTEGER NOT NULL," \
	"  revoked_at INTEGER" \
	");" \
	"CREATE INDEX write_keys_account ON write_keys(project_id, account_id);"

/*
 * Migration 4: the same outbox, cheaper to append to (about 60% fewer
 * instructions per inserted row under callgrind, docs/benchmarks.md 4):
 * - kind's CHECK is a chain of equalities. SQLite 3.40 evaluates an IN
 *   list inside a CHECK by filling and clearing a temporary B-tree for
 *   every row (sqlite3BtreeClearTable and a page memset each time); the
 *   equalities accept exactly the same values.
 * - account_id is no foreign key; the trigger outbox_account_gone deletes
 *   an account's rows with it, as ON DELETE CASCADE did (also when a
 *   project's deletion cascades to its accounts). Every writer checks the
 *   account in the same transaction (enqueue: OB_ACCOUNT_CHECK; replay:
 *   rows come from dead letters, which keep their foreign key), so the
 *   per-row parent lookup bought nothing.
 * Rows, seqs and the AUTOINCREMENT high-water mark are carried over (so a
 * seq is never handed out twice).
 */
#define ML_STORE_OUTBOX_MIGRATION_4 \
	"CREATE TABLE outbox_v4 (" \
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT," \
	"  project_id TEXT NOT NULL," \
	"  account_id TEXT NOT NULL," \
	"  kind TEXT NOT NULL CHECK (kind = 'customer' OR kind = 'event'" \
	"    OR kind = 'device' OR kind = 'merge' OR kind = 'delete')," \
	"  customer_id TEXT NOT NULL DEFAULT ''," \
	"  payload TEXT NOT NULL," \
	"  units INTEGER NOT NULL DEFAULT 1," \
	"  enqueued_at INTEGER NOT NULL," \
	"  attempts INTEGER NOT NULL DEFAULT 0," \
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0," \
	"  first_failed_at INTEGER NOT NULL DEFAULT 0," \
	"  last_error TEXT" \
	");" \
	"INSERT INTO outbox_v4 SELECT seq, project_id, account_id, kind," \
	"  customer_id, payload, units, enqueued_at, attempts," \
	"  next_attempt_at, first_failed_at, last_error FROM outbox ORDER BY seq;" \
	"DELETE FROM sqlite_sequence WHERE name = 'outbox_v4';" \
	"UPDATE sqlite_sequence SET name = 'outbox_v4' WHERE name = 'outbox';" \
	"DROP TABLE outbox;" \
	"ALTER TABLE outbox_v4 RENAME TO outbox;" \
	"CREATE INDEX outbox_account ON outbox(account_id, seq);" \
	"CREATE TRIGGER outbox_account_gone AFTER DELETE ON accounts BEGIN" \
	"  DELETE FROM outbox WHERE account_id = old.id;" \
	"END;"

struct ml_store_outbox;

/* One row to enqueue (borrowed strings). */
struct ml_outbox_new {
	const char *kind;	/* "customer", "event", "device", "merge", "delete" */
	const char *customer_id;	/* ordering key; may be "" */
	const char *payload;	/* JSON text, validated by the caller */
	size_t payload_len;
	long units;		/* rate-limit units (users or events or pairs) */
};

/* One claimed row. */
struct ml_outbox_row {
	int64_t seq;
	char kind[ML_OUTBOX_KIND_MAX];
	char customer_id[ML_OUTBOX_CID_MAX];
	char *payload;		/* heap, owned */
	size_t payload_len;
	long units;
	int64_t enqueued_ms;
	int attempts;
	int64_t next_attempt_ms;
	int64_t first_failed_ms;	/* 0 = never failed */
};

/* An account with rows waiting. */
struct ml_outbox_account {
	char project_id[ML_STORE_ID_MAX];
	char account_id[ML_STORE_ID_MAX];
};

/*
 * Open a pool of `conns` connections (0 = 4) to the database at the store
 * URL (sqlite://PATH; the store must have been opened first so the schema
 * is migrated). ML_EINVAL for other schemes or ":memory:".
 */
int ml_store_outbox_open(const char *url, int conns,
    struct ml_store_outbox **out, struct ml_err *err);
void ml_store_outbox_close(struct ml_store_outbox *o);

/*
 * Append rows for one account in ONE transaction, in array order. When this
 * returns ML_OK the rows are durable (committed; WAL with synchronous
 * NORMAL survives a process crash). ML_ENOTFOUND if the account does not
 * exist in the project.
 */
int ml_store_outbox_enqueue(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, const struct ml_outbox_new *rows, size_t n,
    int64_t now_ms, struct ml_err *err);

/*
 * Whether other processes share this outbox (PostgreSQL: several nodes),
 * so rows may appear that this process was not told about.
 */
int ml_store_outbox_shared(const struct ml_store_outbox *o);

/*
 * Every account with at least one row, for the worker's start-up scan (and
 * its periodic rescan of a shared outbox).
 */
int ml_store_outbox_accounts(struct ml_store_outbox *o,
    struct ml_outbox_account **out, size_t *n, struct ml_err *err);

/*
 * The account's first rows in seq order, at most max_rows and about
 * max_bytes of payload (always at least one row). *out is a heap array
 * freed with ml_store_outbox_rows_free; *n is 0 when the account is empty.
 */
int ml_store_outbox_claim(struct ml_store_outbox *o, const char *account_id,
    size_t max_rows, size_t max_bytes, struct ml_outbox_row **out,
    size_t *n, struct ml_err *err);
void ml_store_outbox_rows_free(struct ml_outbox_row *rows, size_t n);

/*
 * MoEngage answered 2xx for rows [first_seq, last_seq] of the account:
 * delete them and count `units` delivered elements in this minute, in one
 * transaction. now_s stamps the counters.
 */
int ml_store_outbox_done(struct ml_store_outbox *o, const char *account_id,
    int64_t first_seq, int64_t last_seq, long delivered, int64_t now_s,
    struct ml_err *err);

/*
 * A retryable failure: rows [first, last] get attempts + 1, next_attempt_ms,
 * first_failed_ms (if unset) and the error; the account's retried counter
 * and last error are updated.
 */
int ml_store_outbox_retry(struct ml_store_outbox *o, const char *account_id,
    int64_t first_seq, int64_t last_seq, int64_t next_attempt_ms,
    int64_t now_ms, const char *error, struct ml_err *err);

/*
 * A permanent failure: move rows [first, last] to dead letters with the
 * reason and MoEngage's detail (JSON text or NULL), in one transaction.
 */
int ml_store_outbox_deadletter(struct ml_store_outbox *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    const char *reason, const char *detail, int64_t now_s,
    struct ml_err *err);

/* Record the last error of an account without touching rows. */
int ml_store_outbox_note_error(struct ml_store_outbox *o,
    const char *account_id, const char *error, int64_t now_s,
    struct ml_err *err);

/* ---- visibility -------------------------------------------------------- */

#define ML_OUTBOX_CHART_MINUTES 60

struct ml_outbox_stats {
	char account_id[ML_STORE_ID_MAX];
	int64_t queued;
	int64_t delivered;
	int64_t retried;
	int64_t dead_lettered;	/* ever */
	int64_t dead_letters;	/* waiting in dead letters now */
	int64_t requests;	/* MoEngage requests that answered 2xx */
	char last_error[ML_OUTBOX_ERROR_MAX];
	int64_t last_error_at;	/* epoch s; 0 = none */
	int64_t last_delivered_at;
	/* delivered per minute, oldest first, ending at the current minute */
	int64_t per_minute[ML_OUTBOX_CHART_MINUTES];
};

/*
 * Stats of the accounts of a project (account_id NULL) or of one account,
 * accounts with no activity included with zeros, in the account list's
 * order (created_at, id). A page: at most `limit` accounts (0 = all) that
 * come after the account `after` (NULL = from the first; an id that is not
 * the project's gives an empty page). *out heap (ml_free).
 */
int ml_store_outbox_stats(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, const char *after, size_t limit, int64_t now_s,
    struct ml_outbox_stats **out, size_t *n, struct ml_err *err);

/* ---- dead letters ------------------------------------------------------ */

struct ml_deadletter {
	int64_t id;
	char account_id[ML_STORE_ID_MAX];
	char kind[ML_OUTBOX_KIND_MAX];
	char customer_id[ML_OUTBOX_CID_MAX];
	char *payload;		/* heap */
	char reason[ML_OUTBOX_ERROR_MAX];
	char *detail;		/* heap JSON text or NULL */
	int attempts;
	int64_t enqueued_at;	/* epoch s */
	int64_t created_at;	/* epoch s */
};

/*
 * One page of a project's dead letters (account_id NULL = all accounts),
 * oldest first, ids after `after` (0 = from the start). *out heap, freed
 * with ml_store_outbox_deadletters_free.
 */
int ml_store_outbox_deadletters(struct ml_store_outbox *o,
    const char *project_id, const char *account_id, int64_t after,
    size_t limit, struct ml_deadletter **out, size_t *n, int64_t *total,
    struct ml_err *err);
void ml_store_outbox_deadletters_free(struct ml_deadletter *list, size_t n);

/*
 * Replace a dead letter's payload (a fix before replay). ML_ENOTFOUND if it
 * is not this project's.
 */
int ml_store_outbox_deadletter_fix(struct ml_store_outbox *o,
    const char *project_id, int64_t id, const char *payload,
    struct ml_err *err);

/*
 * Move dead letters back to the outbox (at the end of their account's
 * queue, in id order) in one transaction: the ids listed, or when n_ids is
 * 0 every dead letter of the project (account_id NULL) or of one account.
 * *moved gets the count; accounts (may be NULL) receives the distinct
 * accounts touched (heap, ml_free) so the worker can be woken.
 */
int ml_store_outbox_replay(struct ml_store_outbox *o, const char *project_id,
    const char *account_id, const int64_t *ids, size_t n_ids,
    int64_t now_ms, int64_t *moved, struct ml_outbox_account **accounts,
    size_t *n_accounts, struct ml_err *err);

/* ---- Segment write keys ------------------------------------------------ */

struct ml_write_key {
	char id[ML_STORE_ID_MAX];		/* "wk_..." */
	char project_id[ML_STORE_ID_MAX];
	char account_id[ML_STORE_ID_MAX];
	char prefix[ML_STORE_TOKEN_PREFIX_MAX];	/* "mlw_" + 6 chars */
	int64_t created_at;
	int64_t revoked_at;
};

/*
 * Create a write key for an account of the project: "mlw_" + 43 chars is
 * written to key (cap >= ML_STORE_TOKEN_MAX) ONCE; only its SHA-256 is
 * stored. ML_ENOTFOUND if the account is not the project's.
 */
int ml_store_outbox_write_key_create(struct ml_store_outbox *o,
    const char *project_id, const char *account_id, char *key, size_t cap,
    struct ml_write_key *info, struct ml_err *err);
/* Authenticate a presented key: ML_OK fills info; ML_ENOTFOUND otherwise. */
int ml_store_outbox_write_key_lookup(struct ml_store_outbox *o,
    const char *key, struct ml_write_key *info, struct ml_err *err);
/* An account's keys (live and revoked), oldest first; *out heap (ml_free). */
int ml_store_outbox_write_key_list(struct ml_store_outbox *o,
    const char *project_id, const char *account_id, struct ml_write_key **out,
    size_t *n, struct ml_err *err);
int ml_store_outbox_write_key_revoke(struct ml_store_outbox *o,
    const char *project_id, const char *key_id, int64_t now_s,
    struct ml_err *err);

#endif
