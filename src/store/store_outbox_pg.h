/* SPDX-License-Identifier: MIT */
/*
 * store_outbox_pg.h: the delivery outbox over PostgreSQL, for several
 * `moelink serve` nodes sharing one database (store_outbox_pg.c).
 *
 * Every function has the signature and the contract of its namesake in
 * store_outbox.h, with the handle of this backend in place of struct
 * ml_store_outbox, so the public functions can forward to it unchanged:
 *
 *	if (o->pg != NULL)
 *		return ml__store_outbox_pg_claim(o->pg, account_id, ...);
 *
 * Rows and lists are the structs of store_outbox.h and are freed with its
 * *_free functions. What differs, because several nodes share the rows:
 *
 * - Claiming is exclusive per account. ml__store_outbox_pg_claim takes the
 *   account's lease (table outbox_leases, row locked with SELECT ... FOR
 *   UPDATE SKIP LOCKED, so claimers never queue behind each other) before
 *   it reads the account's first rows; done, retry and deadletter release
 *   it. While another node holds the lease, claim returns only the
 *   account's first row with next_attempt_ms set to when to ask again (at
 *   most ML__OUTBOX_PG_POLL_MS ahead): a caller that, as the worker does,
 *   never sends a row whose next_attempt_ms is in the future sends nothing
 *   another node is sending. A lease binds others while it is younger than
 *   ML__OUTBOX_PG_LEASE_MS AND its node still has a database session (each
 *   handle's connections are named "moelink <node id>"): the accounts of a
 *   node that died (kill -9, crash, restart) are taken over at once, those
 *   of a node that hangs with its connections open after the lease time.
 *   So a batch must be sent within ML__OUTBOX_PG_LEASE_MS of its claim, or
 *   another node may send it too (at-least-once still holds).
 * - Enqueue and replay lock the account row, so an account's rows commit in
 *   seq order and the rows a claim sees are always a prefix of its queue
 *   (the seq ranges done/retry/deadletter act on hold no row the claim did
 *   not see).
 */
#ifndef ML_STORE_OUTBOX_PG_H
#define ML_STORE_OUTBOX_PG_H

#include "store/store_outbox.h"

#define ML__OUTBOX_PG_LEASE_MS 300000	/* a claim holds the account 5 min */
#define ML__OUTBOX_PG_POLL_MS 1000	/* ask again this soon when held */

struct ml__store_outbox_pg;

/*
 * For store_outbox.c: when handle o is a PostgreSQL one (o->pg set), return
 * what this backend's namesake returns, e.g.
 *	ML__OUTBOX_PG(o, done(o->pg, account_id, first, last, n, now, err));
 * Nothing without libpq, where o->pg is always NULL.
 */
#ifdef ML_HAVE_LIBPQ
#define ML__OUTBOX_PG(o, call) do {					\
	if ((o)->pg != NULL)						\
		return ml__store_outbox_pg_##call;			\
} while (0)
#else
#define ML__OUTBOX_PG(o, call) do { } while (0)
#endif

/* url is the store's postgres:// URL; conns 0 = 4 connections. */
int ml__store_outbox_pg_open(const char *url, int conns,
    struct ml__store_outbox_pg **out, struct ml_err *err);
void ml__store_outbox_pg_close(struct ml__store_outbox_pg *o);

int ml__store_outbox_pg_enqueue(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id,
    const struct ml_outbox_new *rows, size_t n, int64_t now_ms,
    struct ml_err *err);
int ml__store_outbox_pg_accounts(struct ml__store_outbox_pg *o,
    struct ml_outbox_account **out, size_t *n, struct ml_err *err);
int ml__store_outbox_pg_claim(struct ml__store_outbox_pg *o,
    const char *account_id, size_t max_rows, size_t max_bytes,
    struct ml_outbox_row **out, size_t *n, struct ml_err *err);
int ml__store_outbox_pg_done(struct ml__store_outbox_pg *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    long delivered, int64_t now_s, struct ml_err *err);
int ml__store_outbox_pg_retry(struct ml__store_outbox_pg *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    int64_t next_attempt_ms, int64_t now_ms, const char *error,
    struct ml_err *err);
int ml__store_outbox_pg_deadletter(struct ml__store_outbox_pg *o,
    const char *account_id, int64_t first_seq, int64_t last_seq,
    const char *reason, const char *detail, int64_t now_s,
    struct ml_err *err);
int ml__store_outbox_pg_note_error(struct ml__store_outbox_pg *o,
    const char *account_id, const char *error, int64_t now_s,
    struct ml_err *err);
int ml__store_outbox_pg_stats(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, const char *after,
    size_t limit, int64_t now_s, struct ml_outbox_stats **out, size_t *n,
    struct ml_err *err);
int ml__store_outbox_pg_deadletters(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, int64_t after,
    size_t limit, struct ml_deadletter **out, size_t *n, int64_t *total,
    struct ml_err *err);
int ml__store_outbox_pg_deadletter_fix(struct ml__store_outbox_pg *o,
    const char *project_id, int64_t id, const char *payload,
    struct ml_err *err);
int ml__store_outbox_pg_replay(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, const int64_t *ids,
    size_t n_ids, int64_t now_ms, int64_t *moved,
    struct ml_outbox_account **accounts, size_t *n_accounts,
    struct ml_err *err);
int ml__store_outbox_pg_write_key_create(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id, char *key, size_t cap,
    struct ml_write_key *info, struct ml_err *err);
int ml__store_outbox_pg_write_key_lookup(struct ml__store_outbox_pg *o,
    const char *key, struct ml_write_key *info, struct ml_err *err);
int ml__store_outbox_pg_write_key_list(struct ml__store_outbox_pg *o,
    const char *project_id, const char *account_id,
    struct ml_write_key **out, size_t *n, struct ml_err *err);
int ml__store_outbox_pg_write_key_revoke(struct ml__store_outbox_pg *o,
    const char *project_id, const char *key_id, int64_t now_s,
    struct ml_err *err);

#endif
