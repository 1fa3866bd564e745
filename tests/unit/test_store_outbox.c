/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the delivery outbox over SQLite (store_outbox.c) and its
 * migration 4 (ML_STORE_OUTBOX_MIGRATION_4), against a temporary database
 * file in a fresh directory under the test's working directory. The
 * PostgreSQL outbox has its own suite (test_store_outbox_pg.c).
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <moelink/mem.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/store_outbox.h"

#include "test_outbox_util.h"
#include "test_util.h"

struct fixture {
	char dir[64];
	char path[128];
	char url[160];
	struct ml_store *s;
	struct ml_store_outbox *o;
	struct ml_store_project p;
	char acc[2][ML_STORE_ID_MAX];
};

/* One integer from a query run on the file behind the store's back. */
static int64_t
db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL,
	    NULL, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Open the store (migrating the file) and the outbox, with two accounts. */
static void
open_all(struct fixture *fx, int accounts)
{
	struct ml_err err;
	int i;

	assert_int_equal(ml_store_open(fx->url, &fx->s, &err), ML_OK);
	assert_int_equal(ml_store_outbox_open(fx->url, 2, &fx->o, &err),
	    ML_OK);
	if (!accounts)
		return;
	assert_int_equal(ml_store_project_create(fx->s, "P", &fx->p, &err),
	    ML_OK);
	for (i = 0; i < 2; i++)
		tu_outbox_account(fx->s, fx->p.id, fx->acc[i]);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "ml-test-outbox.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/moelink.db", fx->dir);
	snprintf(fx->url, sizeof(fx->url), "sqlite://%s", fx->path);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	ml_store_outbox_close(fx->o);
	ml_store_close(fx->s);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* Enqueue n rows "{"i":<first + k>}" of one kind for an account. */
static int
enqueue(struct fixture *fx, const char *account_id, const char *kind,
    int first, int n)
{
	static struct ml_outbox_new rows[TU_OUTBOX_ROWS_MAX];
	static char payload[TU_OUTBOX_ROWS_MAX][32];
	struct ml_err err;

	tu_outbox_rows(rows, payload, kind, first, n);
	return ml_store_outbox_enqueue(fx->o, fx->p.id, account_id, rows,
	    (size_t)n, tu_now_ms(), &err);
}

static int64_t
queued(struct fixture *fx, const char *account_id)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE "
	    "account_id = '%s'", account_id);
	return db_int(fx->path, sql);
}

static void
store_outbox_kinds_checked_as_before(void **state)
{
	static const char *const good[] = { "customer", "event", "device",
	    "merge", "delete" };
	struct fixture *fx = *state;
	size_t i;

	open_all(fx, 1);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(enqueue(fx, fx->acc[0], good[i], 0, 1), ML_OK);
	/* One bad row refuses the whole chunk: nothing of it is stored. */
	assert_int_equal(enqueue(fx, fx->acc[0], "Event", 0, 1), ML_ESTORE);
	assert_int_equal(enqueue(fx, fx->acc[0], "", 0, 200), ML_ESTORE);
	assert_int_equal(queued(fx, fx->acc[0]), 5);
}

static void
store_outbox_rows_go_with_their_account(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_account *list = NULL;
	struct ml_err err;
	char sql[160];
	size_t n = 0;

	open_all(fx, 1);
	/* 128-row chunks and single rows both. */
	assert_int_equal(enqueue(fx, fx->acc[0], "event", 0, 130), ML_OK);
	assert_int_equal(enqueue(fx, fx->acc[1], "customer", 0, 3), ML_OK);
	/* An account that is not the project's gets nothing queued. */
	assert_int_equal(enqueue(fx, "acc_none", "event", 0, 1),
	    ML_ENOTFOUND);
	assert_int_equal(ml_store_account_delete(fx->s, fx->p.id, fx->acc[0],
	    &err), ML_OK);
	assert_int_equal(queued(fx, fx->acc[0]), 0);
	assert_int_equal(queued(fx, fx->acc[1]), 3);
	assert_int_equal(ml_store_outbox_accounts(fx->o, &list, &n, &err),
	    ML_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].account_id, fx->acc[1]);
	ml_free(list);
	/* A project's deletion cascades to its accounts, and on to rows. */
	snprintf(sql, sizeof(sql), "DELETE FROM projects WHERE id = '%s' "
	    "RETURNING 1", fx->p.id);
	assert_int_equal(db_int(fx->path, sql), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM outbox"), 0);
}

/*
 * A database at version 3 with rows waiting and a high-water mark above
 * them (delivered rows were deleted) is migrated with its rows, their seqs
 * and order, and new rows get seqs above every seq ever handed out.
 */
static void
store_outbox_migration_4_keeps_rows_and_seqs(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_row *rows = NULL;
	struct ml_err err;
	sqlite3 *db;
	size_t n = 0;
	char *msg = NULL;
	int i;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	for (i = 0; i < 3; i++)
		if (sqlite3_exec(db, ml__store_sqlite_migrations[i], NULL,
		    NULL, &msg) != SQLITE_OK)
			fail_msg("migration %d: %s", i + 1, msg);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 3;"
	    "INSERT INTO projects VALUES ('prj_1', 'P', 1);"
	    "INSERT INTO accounts (id, project_id, provider, origin_owner_id,"
	    " origin_owner_name, workspace_id, data_center, status, key_id,"
	    " created_at, updated_at, sealed) VALUES ('acc_1', 'prj_1', 'm',"
	    " 'o', 'O', 'WS', '01', 'active', 'k', 1, 1, x'00');"
	    "INSERT INTO outbox (seq, project_id, account_id, kind, payload,"
	    " enqueued_at, attempts) VALUES"
	    " (5, 'prj_1', 'acc_1', 'event', '{\"i\":5}', 1, 2),"
	    " (7, 'prj_1', 'acc_1', 'customer', '{\"i\":7}', 1, 0),"
	    " (900, 'prj_1', 'acc_1', 'event', '{\"i\":900}', 1, 0);"
	    "DELETE FROM outbox WHERE seq = 900;", NULL, NULL, &msg),
	    SQLITE_OK);
	sqlite3_close(db);
	open_all(fx, 0);
	assert_int_equal(db_int(fx->path, "PRAGMA user_version"),
	    ml__store_sqlite_migration_count);
	assert_int_equal(ml_store_outbox_claim(fx->o, "acc_1", 10, 1 << 20,
	    &rows, &n, &err), ML_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].seq, 5);
	assert_int_equal(rows[0].attempts, 2);
	assert_string_equal(rows[0].payload, "{\"i\":5}");
	assert_int_equal(rows[1].seq, 7);
	assert_string_equal(rows[1].kind, "customer");
	ml_store_outbox_rows_free(rows, n);
	ml_strlcpy(fx->p.id, "prj_1", sizeof(fx->p.id));
	assert_int_equal(enqueue(fx, "acc_1", "event", 0, 1), ML_OK);
	assert_int_equal(db_int(fx->path, "SELECT max(seq) FROM outbox"),
	    901);
	/* The cascade survived the rebuild. */
	assert_int_equal(db_int(fx->path, "DELETE FROM accounts RETURNING 1"),
	    1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM outbox"), 0);
}

/* Pages of 2 walk every account once, in the unpaged order. */
static void
store_outbox_stats_pages_follow_the_account_order(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_stats *all = NULL, *page = NULL;
	char after[ML_STORE_ID_MAX], extra[3][ML_STORE_ID_MAX];
	struct ml_err err;
	size_t n_all = 0, n = 0, seen = 0, i, pages = 0;

	open_all(fx, 1);
	for (i = 0; i < 3; i++)
		tu_outbox_account(fx->s, fx->p.id, extra[i]);
	assert_int_equal(enqueue(fx, extra[1], "event", 0, 4), ML_OK);
	assert_int_equal(ml_store_outbox_stats(fx->o, fx->p.id, NULL, NULL, 0,
	    ml_store_now(), &all, &n_all, &err), ML_OK);
	assert_int_equal(n_all, 5);
	after[0] = '\0';
	do {
		assert_int_equal(ml_store_outbox_stats(fx->o, fx->p.id, NULL,
		    after[0] ? after : NULL, 2, ml_store_now(), &page, &n,
		    &err), ML_OK);
		assert_true(n <= 2);
		for (i = 0; i < n; i++, seen++) {
			assert_true(seen < n_all);
			assert_string_equal(page[i].account_id,
			    all[seen].account_id);
			assert_int_equal(page[i].queued, all[seen].queued);
		}
		if (n > 0)
			ml_strlcpy(after, page[n - 1].account_id,
			    sizeof(after));
		ml_free(page);
		pages++;
	} while (n == 2);
	assert_int_equal(seen, n_all);
	assert_int_equal(pages, 3);
	/* A cursor from another project (or none at all) pages nothing. */
	assert_int_equal(ml_store_outbox_stats(fx->o, fx->p.id, NULL,
	    "acc_elsewhere", 2, ml_store_now(), &page, &n, &err), ML_OK);
	assert_int_equal(n, 0);
	ml_free(page);
	ml_free(all);
}

/*
 * Nobody asks the outbox for a checkpoint, yet the WAL is copied into the
 * database file as it passes 1,000 pages (SQLite's autocheckpoint on the
 * committing connection): the file grows to hold the rows, so the WAL
 * stays bounded however long the server runs.
 */
static void
store_outbox_wal_is_checkpointed_as_it_grows(void **state)
{
	struct fixture *fx = *state;
	struct ml_outbox_new rows[100];
	static char big[2048];
	struct ml_err err;
	struct stat sb;
	int64_t deadline;
	int i, k;

	open_all(fx, 1);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '"';
	big[sizeof(big) - 2] = '"';
	for (k = 0; k < 100; k++)
		rows[k] = (struct ml_outbox_new){ .kind = "event",
		    .customer_id = "c1", .payload = big,
		    .payload_len = sizeof(big) - 1, .units = 1 };
	/* 30 x 100 rows x 2 KB: about 1,500 WAL pages. */
	for (i = 0; i < 30; i++)
		assert_int_equal(ml_store_outbox_enqueue(fx->o, fx->p.id,
		    fx->acc[0], rows, 100, tu_now_ms(), &err), ML_OK);
	deadline = tu_now_ms() + 30000;
	do {
		assert_int_equal(stat(fx->path, &sb), 0);
		if (sb.st_size > 4 * 1024 * 1024)
			break;
		/* Polling a file's size: nothing to wait on. */
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	} while (tu_now_ms() < deadline);
	assert_true(sb.st_size > 4 * 1024 * 1024);
	assert_int_equal(queued(fx, fx->acc[0]), 3000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(store_outbox_kinds_checked_as_before),
		T(store_outbox_rows_go_with_their_account),
		T(store_outbox_migration_4_keeps_rows_and_seqs),
		T(store_outbox_stats_pages_follow_the_account_order),
		T(store_outbox_wal_is_checkpointed_as_it_grows),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
