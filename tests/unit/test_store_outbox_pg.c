/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the delivery outbox over PostgreSQL (store_outbox_pg.c),
 * against the database at MOELINK_TEST_PG_URL, which every case wipes
 * (scripts/pg-test provides a throwaway server). Two handles on one
 * database stand for two `moelink serve` nodes. Exits 77 (skipped) when
 * the variable is not set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <moelink/mem.h>

#include "store/store.h"
#include "store/store_outbox_pg.h"

#include "test_outbox_util.h"

#define NODES 4
#define PRODUCERS 4
#define PROD_BATCHES 150
#define PROD_ROWS 2
#define MAX_SEQ 2048

struct fixture {
	const char *url;
	struct ml_store *s;
	struct ml__store_outbox_pg *a, *b;	/* two nodes */
	struct ml_store_project p, q;
	char acc[3][ML_STORE_ID_MAX];		/* accounts of project p */
};

/* One integer from a query run behind the store's back ($1 = param). */
static int64_t
pg_int(const char *url, const char *sql, const char *param)
{
	PGconn *pg = PQconnectdb(url);
	PGresult *r;
	int64_t v;

	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	/* Without a parameter: the simple protocol, several statements. */
	r = param != NULL ? PQexecParams(pg, sql, 1, NULL, &param, NULL, NULL,
	    0) : PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	v = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	PQfinish(pg);
	return v;
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct ml_err err;
	int i;

	assert_non_null(fx);
	fx->url = getenv("MOELINK_TEST_PG_URL");
	pg_int(fx->url, "SET client_min_messages = warning;"
	    "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", NULL);
	assert_int_equal(ml_store_open(fx->url, &fx->s, &err), ML_OK);
	assert_int_equal(ml_store_project_create(fx->s, "P", &fx->p, &err),
	    ML_OK);
	assert_int_equal(ml_store_project_create(fx->s, "Q", &fx->q, &err),
	    ML_OK);
	for (i = 0; i < 3; i++)
		tu_outbox_account(fx->s, fx->p.id, fx->acc[i]);
	assert_int_equal(ml__store_outbox_pg_open(fx->url, 2, &fx->a, &err),
	    ML_OK);
	assert_int_equal(ml__store_outbox_pg_open(fx->url, 2, &fx->b, &err),
	    ML_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	ml__store_outbox_pg_close(fx->a);
	ml__store_outbox_pg_close(fx->b);
	ml_store_close(fx->s);
	free(fx);
	return 0;
}

/* Enqueue n events "{"i":<first + k>}" (10 bytes for 2-digit k). */
static void
enqueue(struct ml__store_outbox_pg *o, const char *project_id,
    const char *account_id, int first, int n)
{
	struct ml_outbox_new rows[16];
	char payload[16][32];
	struct ml_err err;

	assert_true(n <= 16);
	tu_outbox_rows(rows, payload, NULL, first, n);
	assert_int_equal(ml__store_outbox_pg_enqueue(o, project_id,
	    account_id, rows, (size_t)n, tu_now_ms(), &err), ML_OK);
}

/* ---- single node -------------------------------------------------------- */

static void
store_outbox_pg_claim_returns_queue_order_within_limits(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_stats *st = NULL;
	struct ml_outbox_row *rows = NULL;
	struct ml_err err;
	size_t n = 0, i;

	enqueue(fx->a, fx->p.id, fx->acc[0], 10, 3);
	enqueue(fx->a, fx->p.id, fx->acc[0], 13, 2);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 100,
	    1 << 20, &rows, &n, &err), ML_OK);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "{\"i\":%zu}", 10 + i);
		assert_string_equal(rows[i].payload, want);
		assert_int_equal(rows[i].payload_len, strlen(want));
		assert_true(i == 0 || rows[i].seq > rows[i - 1].seq);
		assert_string_equal(rows[i].customer_id, "c1");
		assert_int_equal(rows[i].attempts, 0);
		assert_int_equal(rows[i].next_attempt_ms, 0);
	}
	assert_string_equal(rows[1].kind, "customer");
	assert_int_equal(rows[2].units, 3);
	ml_store_outbox_rows_free(rows, n);
	/* A byte budget stops once the rows before reach it (10 bytes each). */
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 100, 15,
	    &rows, &n, &err), ML_OK);
	assert_int_equal(n, 2);
	ml_store_outbox_rows_free(rows, n);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 3,
	    1 << 20, &rows, &n, &err), ML_OK);
	assert_int_equal(n, 3);
	/* Sent: the first two leave, the rest stay in order. */
	assert_int_equal(ml__store_outbox_pg_done(fx->a, fx->acc[0],
	    rows[0].seq, rows[1].seq, 2, ml_store_now(), &err), ML_OK);
	ml_store_outbox_rows_free(rows, n);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 100,
	    1 << 20, &rows, &n, &err), ML_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].payload, "{\"i\":12}");
	ml_store_outbox_rows_free(rows, n);
	assert_int_equal(ml__store_outbox_pg_stats(fx->a, fx->p.id, fx->acc[0],
	    NULL, 0, ml_store_now(), &st, &n, &err), ML_OK);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].delivered, 2);
	assert_int_equal(st[0].queued, 3);
	assert_int_equal(st[0].requests, 1);
	assert_int_equal(st[0].per_minute[ML_OUTBOX_CHART_MINUTES - 1], 2);
	ml_free(st);
	/* Another project's id does not reach the account. */
	assert_int_equal(ml__store_outbox_pg_enqueue(fx->a, fx->q.id,
	    fx->acc[0], NULL, 0, tu_now_ms(), &err), ML_ENOTFOUND);
}

static void
store_outbox_pg_accounts_lists_those_with_rows(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_account *list = NULL;
	struct ml_err err;
	size_t n = 9, i;

	assert_int_equal(ml__store_outbox_pg_accounts(fx->a, &list, &n, &err),
	    ML_OK);
	assert_int_equal(n, 0);
	enqueue(fx->a, fx->p.id, fx->acc[2], 0, 1);
	enqueue(fx->b, fx->p.id, fx->acc[1], 0, 2);
	assert_int_equal(ml__store_outbox_pg_accounts(fx->a, &list, &n, &err),
	    ML_OK);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_string_equal(list[i].project_id, fx->p.id);
		assert_true(strcmp(list[i].account_id, fx->acc[1]) == 0 ||
		    strcmp(list[i].account_id, fx->acc[2]) == 0);
	}
	ml_free(list);
}

/* Migration 4: the trigger that replaced the foreign key's cascade. */
static void
store_outbox_pg_rows_go_with_their_account(void **state)
{
	struct fixture *fx = *state;
	struct ml_err err;

	enqueue(fx->a, fx->p.id, fx->acc[0], 0, 3);
	enqueue(fx->a, fx->p.id, fx->acc[1], 0, 2);
	assert_int_equal(ml_store_account_delete(fx->s, fx->p.id, fx->acc[0],
	    &err), ML_OK);
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM outbox WHERE "
	    "account_id = $1", fx->acc[0]), 0);
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM outbox WHERE "
	    "account_id = $1", fx->acc[1]), 2);
	/* A project's deletion cascades to its accounts, and on to rows. */
	pg_int(fx->url, "DELETE FROM projects WHERE id = $1", fx->p.id);
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM outbox", NULL),
	    0);
}

static void
store_outbox_pg_retry_deadletter_fix_replay(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_account *acc = NULL;
	struct ml_deadletter *dl = NULL;
	struct ml_outbox_stats *st = NULL, *page = NULL;
	struct ml_outbox_row *rows = NULL;
	int64_t t = tu_now_ms(), total = 0, moved = 0, id;
	char after[ML_STORE_ID_MAX];
	struct ml_err err;
	size_t n = 0, na = 0, np = 0, i;

	enqueue(fx->a, fx->p.id, fx->acc[0], 10, 3);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 10,
	    1 << 20, &rows, &n, &err), ML_OK);
	assert_int_equal(ml__store_outbox_pg_retry(fx->a, fx->acc[0],
	    rows[0].seq, rows[2].seq, t + 5000, t, "HTTP 500", &err), ML_OK);
	ml_store_outbox_rows_free(rows, n);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 10,
	    1 << 20, &rows, &n, &err), ML_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rows[2].attempts, 1);
	assert_int_equal(rows[2].next_attempt_ms, t + 5000);
	assert_int_equal(rows[2].first_failed_ms, t);
	/* The first row is refused for good. */
	assert_int_equal(ml__store_outbox_pg_deadletter(fx->a, fx->acc[0],
	    rows[0].seq, rows[0].seq, "bad element", "{\"status\":400}",
	    ml_store_now(), &err), ML_OK);
	ml_store_outbox_rows_free(rows, n);
	assert_int_equal(ml__store_outbox_pg_deadletters(fx->a, fx->p.id, NULL,
	    0, 10, &dl, &n, &total, &err), ML_OK);
	assert_int_equal(total, 1);
	assert_int_equal(n, 1);
	assert_string_equal(dl[0].reason, "bad element");
	assert_string_equal(dl[0].detail, "{\"status\":400}");
	assert_string_equal(dl[0].payload, "{\"i\":10}");
	assert_int_equal(dl[0].attempts, 2);
	id = dl[0].id;
	ml_store_outbox_deadletters_free(dl, n);
	/* Scoped by project; then fixed and replayed to the queue's end. */
	assert_int_equal(ml__store_outbox_pg_deadletter_fix(fx->a, fx->q.id,
	    id, "{}", &err), ML_ENOTFOUND);
	assert_int_equal(ml__store_outbox_pg_deadletter_fix(fx->a, fx->p.id,
	    id, "{\"i\":99}", &err), ML_OK);
	assert_int_equal(ml__store_outbox_pg_replay(fx->a, fx->p.id, NULL, &id,
	    1, t, &moved, &acc, &na, &err), ML_OK);
	assert_int_equal(moved, 1);
	assert_int_equal(na, 1);
	assert_string_equal(acc[0].account_id, fx->acc[0]);
	ml_free(acc);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 10,
	    1 << 20, &rows, &n, &err), ML_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].payload, "{\"i\":11}");
	assert_string_equal(rows[2].payload, "{\"i\":99}");
	/* All of an account's dead letters back at once. */
	assert_int_equal(ml__store_outbox_pg_deadletter(fx->a, fx->acc[0],
	    rows[0].seq, rows[2].seq, "gone", NULL, ml_store_now(), &err),
	    ML_OK);
	ml_store_outbox_rows_free(rows, n);
	assert_int_equal(ml__store_outbox_pg_replay(fx->a, fx->p.id,
	    fx->acc[0], NULL, 0, t, &moved, NULL, NULL, &err), ML_OK);
	assert_int_equal(moved, 3);
	assert_int_equal(ml__store_outbox_pg_deadletters(fx->a, fx->p.id, NULL,
	    0, 10, &dl, &n, &total, &err), ML_OK);
	assert_int_equal(total, 0);
	ml_store_outbox_deadletters_free(dl, n);
	assert_int_equal(ml__store_outbox_pg_note_error(fx->a, fx->acc[0],
	    "HTTP 400 split", ml_store_now(), &err), ML_OK);
	assert_int_equal(ml__store_outbox_pg_stats(fx->a, fx->p.id, NULL, NULL,
	    0, ml_store_now(), &st, &n, &err), ML_OK);
	assert_int_equal(n, 3);		/* every account of the project */
	for (i = 0; i < n && strcmp(st[i].account_id, fx->acc[0]) != 0; i++)
		continue;
	assert_true(i < n);
	assert_int_equal(st[i].retried, 3);
	assert_int_equal(st[i].dead_lettered, 4);
	assert_int_equal(st[i].queued, 3);
	assert_string_equal(st[i].last_error, "HTTP 400 split");
	/* Paged: 2, then the one after the second, in the same order. */
	assert_int_equal(ml__store_outbox_pg_stats(fx->a, fx->p.id, NULL, NULL,
	    2, ml_store_now(), &page, &np, &err), ML_OK);
	assert_int_equal(np, 2);
	assert_string_equal(page[1].account_id, st[1].account_id);
	ml_strlcpy(after, page[1].account_id, sizeof(after));
	ml_free(page);
	assert_int_equal(ml__store_outbox_pg_stats(fx->a, fx->p.id, NULL, after,
	    2, ml_store_now(), &page, &np, &err), ML_OK);
	assert_int_equal(np, 1);
	assert_string_equal(page[0].account_id, st[2].account_id);
	ml_free(page);
	ml_free(st);
}

static void
store_outbox_pg_write_keys_hashed_and_scoped(void **state)
{
	struct fixture *fx = *state;
	struct ml_write_key info, got, *list = NULL;
	char key[ML_STORE_TOKEN_MAX];
	struct ml_err err;
	size_t n = 0;

	assert_int_equal(ml__store_outbox_pg_write_key_create(fx->a, fx->q.id,
	    fx->acc[0], key, sizeof(key), &info, &err), ML_ENOTFOUND);
	assert_int_equal(ml__store_outbox_pg_write_key_create(fx->a, fx->p.id,
	    fx->acc[0], key, sizeof(key), &info, &err), ML_OK);
	assert_int_equal(strncmp(key, "mlw_", 4), 0);
	assert_int_equal(strlen(key), 4 + 43);
	assert_int_equal(ml__store_outbox_pg_write_key_lookup(fx->b, key, &got,
	    &err), ML_OK);
	assert_string_equal(got.account_id, fx->acc[0]);
	assert_string_equal(got.project_id, fx->p.id);
	/* Only the hash is stored: no column of any row holds the key. */
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM write_keys x"
	    " WHERE strpos(x::text, $1) > 0", key + 4), 0);
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM write_keys x"
	    " WHERE strpos(x::text, $1) > 0", info.id), 1);
	assert_int_equal(ml__store_outbox_pg_write_key_list(fx->a, fx->p.id,
	    fx->acc[0], &list, &n, &err), ML_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].prefix, info.prefix);
	ml_free(list);
	assert_int_equal(ml__store_outbox_pg_write_key_revoke(fx->a, fx->q.id,
	    info.id, ml_store_now(), &err), ML_ENOTFOUND);
	assert_int_equal(ml__store_outbox_pg_write_key_revoke(fx->a, fx->p.id,
	    info.id, ml_store_now(), &err), ML_OK);
	assert_int_equal(ml__store_outbox_pg_write_key_lookup(fx->a, key, &got,
	    &err), ML_ENOTFOUND);
	assert_int_equal(ml__store_outbox_pg_write_key_lookup(fx->a, "mlw_x",
	    &got, &err), ML_ENOTFOUND);
}

/* ---- several nodes ------------------------------------------------------ */

static void
store_outbox_pg_second_node_waits_for_the_lease(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_row *ra = NULL, *rb = NULL;
	int64_t s1, s3;
	struct ml_err err;
	size_t na = 0, nb = 0;

	enqueue(fx->a, fx->p.id, fx->acc[0], 10, 4);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 2,
	    1 << 20, &ra, &na, &err), ML_OK);
	assert_int_equal(na, 2);
	assert_int_equal(ra[0].next_attempt_ms, 0);
	s1 = ra[0].seq;
	/* Node B sees only the head, due later: it must not send. */
	assert_int_equal(ml__store_outbox_pg_claim(fx->b, fx->acc[0], 100,
	    1 << 20, &rb, &nb, &err), ML_OK);
	assert_int_equal(nb, 1);
	assert_int_equal(rb[0].seq, s1);
	assert_true(rb[0].next_attempt_ms > tu_now_ms());
	assert_true(rb[0].next_attempt_ms <= tu_now_ms() +
	    ML__OUTBOX_PG_POLL_MS);
	ml_store_outbox_rows_free(rb, nb);
	/* A's success releases the account; B then takes the rest. */
	assert_int_equal(ml__store_outbox_pg_done(fx->a, fx->acc[0], ra[0].seq,
	    ra[1].seq, 2, ml_store_now(), &err), ML_OK);
	ml_store_outbox_rows_free(ra, na);
	assert_int_equal(ml__store_outbox_pg_claim(fx->b, fx->acc[0], 100,
	    1 << 20, &rb, &nb, &err), ML_OK);
	assert_int_equal(nb, 2);
	assert_int_equal(rb[0].next_attempt_ms, 0);
	assert_string_equal(rb[0].payload, "{\"i\":12}");
	s3 = rb[0].seq;
	ml_store_outbox_rows_free(rb, nb);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 100,
	    1 << 20, &ra, &na, &err), ML_OK);
	assert_int_equal(na, 1);
	assert_true(ra[0].next_attempt_ms > tu_now_ms());
	ml_store_outbox_rows_free(ra, na);
	/* Other accounts are not held by B's lease. */
	enqueue(fx->b, fx->p.id, fx->acc[1], 0, 1);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[1], 100,
	    1 << 20, &ra, &na, &err), ML_OK);
	assert_int_equal(na, 1);
	assert_int_equal(ra[0].next_attempt_ms, 0);
	ml_store_outbox_rows_free(ra, na);
	/* B hangs holding acc[0]: once its lease runs out, A takes over. */
	pg_int(fx->url, "UPDATE outbox_leases SET until_ms = 1"
	    " WHERE account_id = $1", fx->acc[0]);
	assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0], 100,
	    1 << 20, &ra, &na, &err), ML_OK);
	assert_int_equal(na, 2);
	assert_int_equal(ra[0].seq, s3);
	assert_int_equal(ra[0].next_attempt_ms, 0);
	ml_store_outbox_rows_free(ra, na);
	/* A dies holding it: its sessions end, B takes over at once. */
	ml__store_outbox_pg_close(fx->a);
	fx->a = NULL;
	while (pg_int(fx->url, "SELECT count(*) FROM pg_stat_activity"
	    " WHERE application_name = 'moelink ' || (SELECT owner"
	    " FROM outbox_leases WHERE account_id = $1)", fx->acc[0]) > 0)
		continue;	/* the server is closing the sessions */
	assert_int_equal(ml__store_outbox_pg_claim(fx->b, fx->acc[0], 100,
	    1 << 20, &rb, &nb, &err), ML_OK);
	assert_int_equal(nb, 2);
	assert_int_equal(rb[0].seq, s3);
	assert_int_equal(rb[0].next_attempt_ms, 0);
	ml_store_outbox_rows_free(rb, nb);
}

struct worker {
	struct fixture *fx;
	struct ml__store_outbox_pg *o;
	pthread_mutex_t *mu;
	int *seen;			/* deliveries per seq */
	int64_t *last;			/* last seq sent per account */
	long *delivered;		/* rows delivered, all nodes */
	int out_of_order;
	int rc;
};

/*
 * One delivery attempt on account k, as a node's worker makes it: send
 * only claimed rows that are due now. *empty when the account has no rows.
 */
static int
node_step(struct worker *w, int k, int *empty)
{
	struct ml_outbox_row *rows;
	struct ml_err err;
	size_t n, i;
	int rc;

	rc = ml__store_outbox_pg_claim(w->o, w->fx->acc[k], 7, 1 << 20, &rows,
	    &n, &err);
	*empty = rc == ML_OK && n == 0;
	if (rc || n == 0 || rows[0].next_attempt_ms > tu_now_ms())
		goto out;
	pthread_mutex_lock(w->mu);
	for (i = 0; i < n; i++) {
		if (rows[i].seq <= w->last[k])
			w->out_of_order = 1;
		w->last[k] = rows[i].seq;
		if (rows[i].seq < MAX_SEQ)
			w->seen[rows[i].seq]++;
	}
	*w->delivered += (long)n;
	pthread_mutex_unlock(w->mu);
	rc = ml__store_outbox_pg_done(w->o, w->fx->acc[k], rows[0].seq,
	    rows[n - 1].seq, (long)n, ml_store_now(), &err);
out:
	ml_store_outbox_rows_free(rows, n);
	return rc;
}

/* A node: loop over the accounts until all three are empty. */
static void *
node_main(void *arg)
{
	struct worker *w = arg;
	int k, empty, all;

	do {
		all = 1;
		for (k = 0; k < 3 && w->rc == ML_OK; k++) {
			w->rc = node_step(w, k, &empty);
			all &= empty;
		}
	} while (w->rc == ML_OK && !all);
	return NULL;
}

static void
store_outbox_pg_nodes_send_every_row_once_in_order(void **state)
{
	struct fixture *fx = *state;
	struct ml__store_outbox_pg *node[NODES];
	struct ml_outbox_stats *st = NULL;
	int64_t last[3] = { 0, 0, 0 };
	struct worker w[NODES];
	pthread_t t[NODES];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static int seen[MAX_SEQ];
	struct ml_err err;
	long delivered = 0, total = 0;
	size_t n = 0, i;
	int k, b;

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < 3; k++)
		for (b = 0; b < 15; b++) {
			enqueue(fx->a, fx->p.id, fx->acc[k], b * 10, 10);
			total += 10;
		}
	for (i = 0; i < NODES; i++) {
		assert_int_equal(ml__store_outbox_pg_open(fx->url, 1, &node[i],
		    &err), ML_OK);
		w[i] = (struct worker){ .fx = fx, .o = node[i], .mu = &mu,
		    .seen = seen, .last = last, .delivered = &delivered };
	}
	for (i = 0; i < NODES; i++)
		assert_int_equal(pthread_create(&t[i], NULL, node_main, &w[i]),
		    0);
	for (i = 0; i < NODES; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, ML_OK);
		assert_false(w[i].out_of_order);
		ml__store_outbox_pg_close(node[i]);
	}
	assert_int_equal(delivered, total);
	for (i = 1; i <= (size_t)total; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(ml__store_outbox_pg_stats(fx->a, fx->p.id, NULL, NULL,
	    0, ml_store_now(), &st, &n, &err), ML_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(st[i].delivered, total / 3);
		assert_int_equal(st[i].queued, 0);
	}
	ml_free(st);
}

struct producer {
	struct fixture *fx;
	atomic_int *finished;
	int rc;
};

static void *
producer_main(void *arg)
{
	struct producer *p = arg;
	struct ml_outbox_new rows[PROD_ROWS];
	struct ml_err err;
	int b, k;

	for (k = 0; k < PROD_ROWS; k++)
		rows[k] = (struct ml_outbox_new){ .kind = "event",
		    .customer_id = "", .payload = "{}", .payload_len = 2,
		    .units = 1 };
	for (b = 0; b < PROD_BATCHES && p->rc == ML_OK; b++)
		p->rc = ml__store_outbox_pg_enqueue(b % 2 ? p->fx->a : p->fx->b,
		    p->fx->p.id, p->fx->acc[0], rows, PROD_ROWS, tu_now_ms(), &err);
	atomic_fetch_add(p->finished, 1);
	return NULL;
}

/*
 * Enqueues racing a consumer that deletes the ranges it claimed: a row
 * that committed after a claimed row with a higher seq would be deleted
 * unsent, and the consumer would end short.
 */
static void
store_outbox_pg_enqueue_races_never_lose_rows(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_row *rows;
	atomic_int finished = 0;
	struct producer p[PRODUCERS];
	pthread_t t[PRODUCERS];
	struct ml_err err;
	long got = 0;
	size_t n;
	int i, fin;

	for (i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){ .fx = fx, .finished = &finished };
		assert_int_equal(pthread_create(&t[i], NULL, producer_main,
		    &p[i]), 0);
	}
	do {
		/* Read first: "finished and then empty" means all consumed. */
		fin = atomic_load(&finished) == PRODUCERS;
		assert_int_equal(ml__store_outbox_pg_claim(fx->a, fx->acc[0],
		    13, 1 << 20, &rows, &n, &err), ML_OK);
		if (n > 0)
			assert_int_equal(ml__store_outbox_pg_done(fx->a,
			    fx->acc[0], rows[0].seq, rows[n - 1].seq, (long)n,
			    ml_store_now(), &err), ML_OK);
		got += (long)n;
		ml_store_outbox_rows_free(rows, n);
	} while (!(fin && n == 0));
	for (i = 0; i < PRODUCERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(p[i].rc, ML_OK);
	}
	assert_int_equal(got, PRODUCERS * PROD_BATCHES * PROD_ROWS);
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM outbox", NULL),
	    0);
}

/*
 * The mechanism behind that: while a transaction holds the account's row
 * (as an enqueue in flight does), another enqueue for it waits instead of
 * drawing later seqs and committing first.
 */
static void
store_outbox_pg_enqueue_waits_for_the_account_row(void **state)
{
	struct fixture *fx = *state;
	const char *param = fx->acc[0];
	atomic_int finished = 0;
	struct producer p = { .fx = fx, .finished = &finished };
	PGconn *holder = PQconnectdb(fx->url);
	PGresult *r;
	pthread_t t;

	assert_int_equal(PQstatus(holder), CONNECTION_OK);
	PQclear(PQexec(holder, "BEGIN"));
	r = PQexecParams(holder, "SELECT 1 FROM accounts WHERE id = $1"
	    " FOR NO KEY UPDATE", 1, NULL, &param, NULL, NULL, 0);
	assert_int_equal(PQntuples(r), 1);
	PQclear(r);
	assert_int_equal(pthread_create(&t, NULL, producer_main, &p), 0);
	/* Until the store's connection is seen waiting on a lock. */
	while (pg_int(fx->url, "SELECT count(*) FROM pg_stat_activity"
	    " WHERE application_name LIKE 'moelink %'"
	    " AND wait_event_type = 'Lock'", NULL) == 0)
		assert_int_equal(atomic_load(&finished), 0);
	PQclear(PQexec(holder, "COMMIT"));
	PQfinish(holder);
	pthread_join(t, NULL);
	assert_int_equal(p.rc, ML_OK);
	assert_int_equal(pg_int(fx->url, "SELECT count(*) FROM outbox", NULL),
	    PROD_BATCHES * PROD_ROWS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(store_outbox_pg_claim_returns_queue_order_within_limits),
		T(store_outbox_pg_accounts_lists_those_with_rows),
		T(store_outbox_pg_rows_go_with_their_account),
		T(store_outbox_pg_retry_deadletter_fix_replay),
		T(store_outbox_pg_write_keys_hashed_and_scoped),
		T(store_outbox_pg_second_node_waits_for_the_lease),
		T(store_outbox_pg_nodes_send_every_row_once_in_order),
		T(store_outbox_pg_enqueue_races_never_lose_rows),
		T(store_outbox_pg_enqueue_waits_for_the_account_row),
#undef T
	};
	const char *url = getenv("MOELINK_TEST_PG_URL");

	if (url == NULL || url[0] == '\0') {
		fprintf(stderr, "MOELINK_TEST_PG_URL is not set: skipped "
		    "(run through scripts/pg-test)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
