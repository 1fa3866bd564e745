/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the store (SQLite backend) against a temporary database file
 * in a fresh directory under the test's working directory. With
 * MOELINK_TEST_PG_URL set (scripts/pg-test does) the same cases run against
 * that PostgreSQL database instead, which every case wipes: never point it
 * at a database you care about.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <moelink/mem.h>

#include "store/store.h"

#include "test_util.h"

#ifdef ML_HAVE_LIBPQ
#include <libpq-fe.h>

#include "store/store_pg_int.h"
#endif

#define PG_WIPE "SET client_min_messages = warning;" \
	"DROP SCHEMA public CASCADE; CREATE SCHEMA public;"

struct fixture {
	char dir[64];
	char path[128];
	char url[160];
	int pg;		/* running against MOELINK_TEST_PG_URL */
	struct ml_store *s;
	struct ml_store_project a, b;
};

#ifdef ML_HAVE_LIBPQ
/* Run SQL on the PostgreSQL database behind the store's back. */
static void
pg_exec(const char *url, const char *sql, PGresult **out)
{
	PGconn *pg = PQconnectdb(url);
	PGresult *r;

	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	PQfinish(pg);
}

/* An empty database: every table of an earlier case dropped. */
static void
pg_wipe(const char *url)
{
	pg_exec(url, PG_WIPE, NULL);
}
#endif

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *pg = getenv("MOELINK_TEST_PG_URL");
	struct ml_err err;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "ml-test-store.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/sub/dir/moelink.db", fx->dir);
	snprintf(fx->url, sizeof(fx->url), "sqlite://%s", fx->path);
#ifdef ML_HAVE_LIBPQ
	if (pg != NULL && pg[0] != '\0') {
		fx->pg = 1;
		assert_true(strlen(pg) < sizeof(fx->url));
		ml_strlcpy(fx->url, pg, sizeof(fx->url));
		pg_wipe(fx->url);
	}
#else
	(void)pg;
#endif
	assert_int_equal(ml_store_open(fx->url, &fx->s, &err), ML_OK);
	assert_int_equal(ml_store_project_create(fx->s, "Project A", &fx->a,
	    &err), ML_OK);
	assert_int_equal(ml_store_project_create(fx->s, "Project B", &fx->b,
	    &err), ML_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	ml_mem_fail_after(0, 0);
	ml_store_close(fx->s);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/*
 * Run SQL on the database file at path behind the store's back (on the
 * PostgreSQL database when running against one).
 */
static void
raw_sql_at(struct fixture *fx, const char *path, const char *sql)
{
	sqlite3 *db;

#ifdef ML_HAVE_LIBPQ
	if (fx->pg) {
		pg_exec(fx->url, sql, NULL);
		return;
	}
#else
	(void)fx;
#endif
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
raw_sql(struct fixture *fx, const char *sql)
{
	raw_sql_at(fx, fx->path, sql);
}

/* A complete account for project_id, sealed blob = "sealed:" + id. */
static void
make_account(struct ml_store_account *a, const char *project_id,
    const char *owner, int64_t created_at)
{
	struct ml_err err;
	char blob[64];

	ml_store_account_init(a);
	assert_int_equal(ml_store_id_new("acc", a->id, sizeof(a->id), &err),
	    ML_OK);
	ml_strlcpy(a->project_id, project_id, sizeof(a->project_id));
	ml_strlcpy(a->provider, "moengage", sizeof(a->provider));
	ml_strlcpy(a->origin_owner_id, owner, sizeof(a->origin_owner_id));
	ml_strlcpy(a->origin_owner_name, "Acme", sizeof(a->origin_owner_name));
	ml_strlcpy(a->origin_username, "ops@acme.test",
	    sizeof(a->origin_username));
	ml_strlcpy(a->label, "Production", sizeof(a->label));
	a->metadata = strdup("{\"team\":\"growth\"}");
	ml_strlcpy(a->workspace_id, "WS123", sizeof(a->workspace_id));
	ml_strlcpy(a->data_center, "02", sizeof(a->data_center));
	a->status = ML_ACCOUNT_ACTIVE;
	a->status_reasons = strdup("[]");
	snprintf(blob, sizeof(blob), "sealed:%s", a->id);
	a->sealed_len = strlen(blob);
	a->sealed = (unsigned char *)strdup(blob);
	ml_strlcpy(a->key_id, "k1", sizeof(a->key_id));
	a->key_hints = strdup("{\"data\":\"ab12\"}");
	a->created_at = created_at;
	a->last_verified_at = 1700000000;
}

/* make_account's strdup'd members go back with free(), not ml_free. */
static void
drop_account(struct ml_store_account *a)
{
	free(a->metadata);
	free(a->status_reasons);
	free(a->sealed);
	free(a->key_hints);
	memset(a, 0, sizeof(*a));
}

static void
new_session(struct fixture *fx, const char *project_id, int64_t ttl,
    struct ml_store_session *cs, char *token)
{
	struct ml_err err;

	ml_store_session_init(cs);
	ml_strlcpy(cs->project_id, project_id, sizeof(cs->project_id));
	ml_strlcpy(cs->origin_owner_id, "owner-1", sizeof(cs->origin_owner_id));
	ml_strlcpy(cs->origin_owner_name, "Acme",
	    sizeof(cs->origin_owner_name));
	ml_strlcpy(cs->label, "Prod", sizeof(cs->label));
	cs->metadata = ml_strdup("{\"plan\":\"pro\"}");
	cs->expires_at = ml_store_now() + ttl;
	assert_int_equal(ml_store_session_create(fx->s, cs, token,
	    ML_STORE_TOKEN_MAX, &err), ML_OK);
}

/* ---- open and migrations ------------------------------------------------ */

static void
store_open_rejects_unknown_scheme_naming_supported(void **state)
{
	static const char *const bad[] = { "mysql://x", "postgres://db/x?x=1",
	    "./var/moelink.db", "sqlite://", "sqlite://x?pool=0",
	    "sqlite://x?cache=1" };
	struct ml_store *s = NULL;
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ml_err_clear(&err);
		assert_int_equal(ml_store_open(bad[i], &s, &err), ML_EINVAL);
		assert_null(s);
		assert_string_equal(err.kind, "invalid_store_url");
	}
	ml_store_open("mysql://x", &s, &err);
	assert_non_null(strstr(err.msg, "sqlite://"));
#ifdef ML_HAVE_LIBPQ
	assert_non_null(strstr(err.msg, "postgres://"));
	/* Migrations are versioned alike: version N is the same schema. */
	assert_int_equal(ml__store_pg_migration_count,
	    ml_store_schema_latest());
#else
	/* A build without libpq says so instead of a bare "unsupported". */
	ml_store_open("postgres://db/x", &s, &err);
	assert_non_null(strstr(err.msg, "without PostgreSQL"));
#endif
}

static void
store_open_creates_dirs_migrates_and_reopens(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_project p;
	struct ml_store *s2;
	struct ml_err err;
	struct stat st;
	int v = -1;

	if (!fx->pg) {
		assert_int_equal(stat(fx->path, &st), 0);
		assert_int_equal(st.st_mode & 077, 0);	/* owner-only file */
	}
	assert_int_equal(ml_store_schema_version(fx->s, &v, &err), ML_OK);
	assert_int_equal(v, ml_store_schema_latest());
	assert_true(v >= 1);
	/* A second open of the same file is idempotent and sees the data. */
	assert_int_equal(ml_store_open(fx->url, &s2, &err), ML_OK);
	assert_int_equal(ml_store_schema_version(s2, &v, &err), ML_OK);
	assert_int_equal(v, ml_store_schema_latest());
	ml_store_project_init(&p);
	assert_int_equal(ml_store_project_get(s2, fx->a.id, &p, &err), ML_OK);
	assert_string_equal(p.name, "Project A");
	ml_store_close(s2);
}

static void
store_open_migrates_old_and_refuses_newer_schema(void **state)
{
	struct fixture *fx = *state;
	char path[192], url[224], sql[64];
	struct ml_store *s = NULL;
	struct ml_err err;
	int v = 0;

	/* An existing database at version 0 (e.g. an empty file). */
	snprintf(path, sizeof(path), "%s/old.db", fx->dir);
	snprintf(url, sizeof(url), "sqlite://%s?pool=2", path);
	if (fx->pg) {
		/* There is one database: start it over without the fixture. */
		ml_store_close(fx->s);
		fx->s = NULL;
		snprintf(url, sizeof(url), "%s?pool=2", fx->url);
		raw_sql_at(fx, path, PG_WIPE);
	}
	raw_sql_at(fx, path, "CREATE TABLE unrelated (x INTEGER);");
	assert_int_equal(ml_store_open(url, &s, &err), ML_OK);
	assert_int_equal(ml_store_schema_version(s, &v, &err), ML_OK);
	assert_int_equal(v, ml_store_schema_latest());
	ml_store_close(s);
	/* A database from a newer moelink is refused, not damaged. */
	snprintf(sql, sizeof(sql), "%s = %d", fx->pg ?
	    "UPDATE moelink_schema SET version" : "PRAGMA user_version",
	    ml_store_schema_latest() + 1);
	raw_sql_at(fx, path, sql);
	s = NULL;
	assert_int_equal(ml_store_open(url, &s, &err), ML_ESTORE);
	assert_null(s);
	assert_string_equal(err.kind, "schema_too_new");
}

/* ---- projects, keys, settings ------------------------------------------ */

static void
store_projects_create_get_list_count(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_project *list = NULL, p;
	struct ml_err err;
	int64_t count = 0;
	size_t n = 0;

	assert_int_equal(strncmp(fx->a.id, "prj_", 4), 0);
	assert_int_equal(strlen(fx->a.id), 4 + 22);
	assert_string_not_equal(fx->a.id, fx->b.id);
	assert_int_equal(ml_store_project_count(fx->s, &count, &err), ML_OK);
	assert_int_equal(count, 2);
	assert_int_equal(ml_store_project_list(fx->s, &list, &n, &err), ML_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, fx->a.id);
	assert_string_equal(list[1].name, "Project B");
	ml_store_project_list_free(list, n);
	ml_store_project_init(&p);
	assert_int_equal(ml_store_project_get(fx->s, "prj_nope", &p, &err),
	    ML_ENOTFOUND);
	assert_int_equal(ml_store_project_create(fx->s, "", NULL, &err),
	    ML_EINVAL);
}

static void
store_apikey_lookup_and_revoke(void **state)
{
	struct fixture *fx = *state;
	char key[ML_STORE_TOKEN_MAX], key2[ML_STORE_TOKEN_MAX];
	struct ml_store_apikey info, got, *list = NULL;
	struct ml_err err;
	size_t n = 0;

	assert_int_equal(ml_store_apikey_create(fx->s, fx->a.id, key,
	    sizeof(key), &info, &err), ML_OK);
	assert_int_equal(strncmp(key, "mlk_", 4), 0);
	assert_int_equal(strlen(key), 4 + 43);
	assert_int_equal(strncmp(info.prefix, key, strlen(info.prefix)), 0);
	assert_int_equal(ml_store_apikey_lookup(fx->s, key, &got, &err),
	    ML_OK);
	assert_string_equal(got.project_id, fx->a.id);
	assert_string_equal(got.id, info.id);
	/* A key differing in one character is unknown. */
	memcpy(key2, key, sizeof(key2));
	key2[20] = key2[20] == 'A' ? 'B' : 'A';
	assert_int_equal(ml_store_apikey_lookup(fx->s, key2, &got, &err),
	    ML_ENOTFOUND);
	assert_int_equal(ml_store_apikey_lookup(fx->s, "mlk_short", &got,
	    &err), ML_ENOTFOUND);
	/* Project B cannot revoke A's key. */
	assert_int_equal(ml_store_apikey_revoke(fx->s, fx->b.id, info.id,
	    &err), ML_ENOTFOUND);
	assert_int_equal(ml_store_apikey_revoke(fx->s, fx->a.id, info.id,
	    &err), ML_OK);
	assert_int_equal(ml_store_apikey_lookup(fx->s, key, &got, &err),
	    ML_ENOTFOUND);
	assert_int_equal(ml_store_apikey_list(fx->s, fx->a.id, &list, &n,
	    &err), ML_OK);
	assert_int_equal(n, 1);
	assert_true(list[0].revoked_at > 0);
	ml_store_apikey_list_free(list, n);
	/* Unknown project: not found (foreign key). */
	assert_int_equal(ml_store_apikey_create(fx->s, "prj_nope", key,
	    sizeof(key), NULL, &err), ML_ENOTFOUND);
}

/* Search a file's bytes for needle. */
static int
file_contains(const char *path, const char *needle)
{
	size_t nlen = strlen(needle), len, i;
	char *buf;
	FILE *fp;
	long sz;
	int found = 0;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	assert_non_null(buf);
	len = fread(buf, 1, (size_t)sz, fp);
	fclose(fp);
	for (i = 0; i + nlen <= len && !found; i++)
		found = memcmp(buf + i, needle, nlen) == 0;
	free(buf);
	return found;
}

#ifdef ML_HAVE_LIBPQ
/* Search every row of every table, as text, for needle or its hex form. */
static int
pg_contains(const char *url, const char *needle)
{
	char sql[160], hex[2 * ML_STORE_TOKEN_MAX + 1];
	PGresult *tables, *rows;
	const char *v;
	size_t i;
	int t, j, found = 0;

	for (i = 0; needle[i] != '\0' && i < ML_STORE_TOKEN_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)needle[i]);
	hex[2 * i] = '\0';
	pg_exec(url, "SELECT quote_ident(tablename) FROM pg_tables"
	    " WHERE schemaname = 'public'", &tables);
	assert_true(PQntuples(tables) >= 6);
	for (t = 0; t < PQntuples(tables); t++) {
		snprintf(sql, sizeof(sql), "SELECT x::text FROM %s x",
		    PQgetvalue(tables, t, 0));
		pg_exec(url, sql, &rows);
		for (j = 0; j < PQntuples(rows); j++) {
			v = PQgetvalue(rows, j, 0);
			found |= strstr(v, needle) != NULL ||
			    strstr(v, hex) != NULL;
		}
		PQclear(rows);
	}
	PQclear(tables);
	return found;
}
#endif

/* Whether the database (file and WAL, or every PostgreSQL row) holds s. */
static int
stored(struct fixture *fx, const char *s)
{
	char wal[160];

#ifdef ML_HAVE_LIBPQ
	if (fx->pg)
		return pg_contains(fx->url, s);
#endif
	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	return file_contains(fx->path, s) || file_contains(wal, s);
}

static void
store_tokens_never_stored_in_plaintext(void **state)
{
	struct fixture *fx = *state;
	char key[ML_STORE_TOKEN_MAX], cst[ML_STORE_TOKEN_MAX];
	char mds[ML_STORE_TOKEN_MAX];
	const char *const tokens[] = { key, cst, mds };
	struct ml_store_session cs;
	struct ml_store_dash d;
	struct ml_err err;
	size_t i;

	assert_int_equal(ml_store_apikey_create(fx->s, fx->a.id, key,
	    sizeof(key), NULL, &err), ML_OK);
	new_session(fx, fx->a.id, 600, &cs, cst);
	ml_store_dash_init(&d);
	ml_strlcpy(d.subject, "admin", sizeof(d.subject));
	d.expires_at = ml_store_now() + 600;
	assert_int_equal(ml_store_dash_create(fx->s, &d, mds, sizeof(mds),
	    &err), ML_OK);
	/* Control: the search does find things that are stored. */
	assert_true(stored(fx, cs.id));
	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		/* the random part alone (after the 4-char prefix) */
		assert_false(stored(fx, tokens[i] + 4));
	}
	ml_store_close(fx->s);	/* checkpoint the WAL into the file */
	fx->s = NULL;
	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		assert_false(stored(fx, tokens[i] + 4));
	assert_int_equal(ml_store_open(fx->url, &fx->s, &err), ML_OK);
	assert_int_equal(ml_store_session_find(fx->s, cst, &cs, &err), ML_OK);
	ml_store_session_cleanup(&cs);
}

static void
store_settings_global_and_per_project(void **state)
{
	struct fixture *fx = *state;
	struct ml_err err;
	char *v = NULL;

	assert_int_equal(ml_store_setting_get(fx->s, NULL,
	    ML_SETTING_ADMIN_PASSWORD, &v, &err), ML_ENOTFOUND);
	assert_null(v);
	assert_int_equal(ml_store_setting_set(fx->s, NULL,
	    ML_SETTING_ADMIN_PASSWORD, "$argon2id$x", &err), ML_OK);
	assert_int_equal(ml_store_setting_set(fx->s, fx->a.id,
	    ML_SETTING_FRAME_ORIGINS, "https://a.test", &err), ML_OK);
	assert_int_equal(ml_store_setting_set(fx->s, fx->a.id,
	    ML_SETTING_FRAME_ORIGINS, "https://b.test", &err), ML_OK);
	assert_int_equal(ml_store_setting_get(fx->s, fx->a.id,
	    ML_SETTING_FRAME_ORIGINS, &v, &err), ML_OK);
	assert_string_equal(v, "https://b.test");
	ml_free(v);
	/* Project B does not see A's setting; global is separate. */
	assert_int_equal(ml_store_setting_get(fx->s, fx->b.id,
	    ML_SETTING_FRAME_ORIGINS, &v, &err), ML_ENOTFOUND);
	assert_int_equal(ml_store_setting_get(fx->s, "",
	    ML_SETTING_ADMIN_PASSWORD, &v, &err), ML_OK);
	assert_string_equal(v, "$argon2id$x");
	ml_free(v);
	assert_int_equal(ml_store_setting_delete(fx->s, NULL,
	    ML_SETTING_ADMIN_PASSWORD, &err), ML_OK);
	assert_int_equal(ml_store_setting_delete(fx->s, NULL,
	    ML_SETTING_ADMIN_PASSWORD, &err), ML_ENOTFOUND);
}

/* ---- connect sessions --------------------------------------------------- */

static void
store_session_find_spend_once(void **state)
{
	struct fixture *fx = *state;
	char token[ML_STORE_TOKEN_MAX];
	struct ml_store_session cs, got;
	struct ml_err err;

	new_session(fx, fx->a.id, 600, &cs, token);
	assert_int_equal(strncmp(cs.id, "cs_", 3), 0);
	ml_store_session_init(&got);
	assert_int_equal(ml_store_session_find(fx->s, token, &got, &err),
	    ML_OK);
	assert_int_equal(got.status, ML_SESSION_OPEN);
	assert_string_equal(got.id, cs.id);
	assert_string_equal(got.metadata, "{\"plan\":\"pro\"}");
	assert_string_equal(got.origin_owner_id, "owner-1");
	/* Other project's id does not reach it. */
	assert_int_equal(ml_store_session_spend(fx->s, fx->b.id, cs.id, NULL,
	    &err), ML_ENOTFOUND);
	assert_int_equal(ml_store_session_spend(fx->s, fx->a.id, cs.id,
	    "acc_x", &err), ML_OK);
	assert_int_equal(ml_store_session_spend(fx->s, fx->a.id, cs.id, NULL,
	    &err), ML_ECONFLICT);
	assert_int_equal(ml_store_session_get(fx->s, fx->a.id, cs.id, &got,
	    &err), ML_OK);
	assert_int_equal(got.status, ML_SESSION_SPENT);
	assert_string_equal(got.account_id, "acc_x");
	assert_int_equal(ml_store_session_find(fx->s, "cst_unknown", &got,
	    &err), ML_ENOTFOUND);
	ml_store_session_cleanup(&got);
	ml_store_session_cleanup(&cs);
}

static void
store_session_expired_cannot_be_spent(void **state)
{
	struct fixture *fx = *state;
	char token[ML_STORE_TOKEN_MAX], sql[160];
	struct ml_store_session cs, got;
	struct ml_err err;
	int64_t purged = 0;

	new_session(fx, fx->a.id, 600, &cs, token);
	cs.expires_at = ml_store_now() - 1;
	assert_int_equal(ml_store_session_create(fx->s, &cs, token,
	    sizeof(token), &err), ML_EINVAL);	/* not born expired */
	snprintf(sql, sizeof(sql), "UPDATE connect_sessions SET expires_at = "
	    "%lld WHERE id = '%s'", (long long)ml_store_now() - 5, cs.id);
	raw_sql(fx, sql);
	ml_store_session_init(&got);
	assert_int_equal(ml_store_session_get(fx->s, fx->a.id, cs.id, &got,
	    &err), ML_OK);
	assert_int_equal(got.status, ML_SESSION_EXPIRED);
	assert_int_equal(ml_store_session_spend(fx->s, fx->a.id, cs.id, NULL,
	    &err), ML_EEXPIRED);
	assert_int_equal(ml_store_purge_expired(fx->s, &purged, &err), ML_OK);
	assert_int_equal(purged, 1);
	assert_int_equal(ml_store_session_get(fx->s, fx->a.id, cs.id, &got,
	    &err), ML_ENOTFOUND);
	ml_store_session_cleanup(&got);
	ml_store_session_cleanup(&cs);
}

struct race {
	struct ml_store *s;
	const char *project_id;
	const char *id;
	pthread_barrier_t *go;
	int rc;
};

static void *
race_spend(void *arg)
{
	struct race *r = arg;
	struct ml_err err;

	pthread_barrier_wait(r->go);
	r->rc = ml_store_session_spend(r->s, r->project_id, r->id, NULL, &err);
	return NULL;
}

static void
store_session_spend_race_exactly_one_wins(void **state)
{
	struct fixture *fx = *state;
	char token[ML_STORE_TOKEN_MAX];
	struct ml_store_session cs;
	pthread_barrier_t go;
	struct race r[2];
	pthread_t t[2];
	int round, i, wins;

	for (round = 0; round < 25; round++) {
		new_session(fx, fx->a.id, 600, &cs, token);
		pthread_barrier_init(&go, NULL, 2);
		for (i = 0; i < 2; i++) {
			r[i] = (struct race){ fx->s, fx->a.id, cs.id, &go, 1 };
			assert_int_equal(pthread_create(&t[i], NULL,
			    race_spend, &r[i]), 0);
		}
		wins = 0;
		for (i = 0; i < 2; i++) {
			pthread_join(t[i], NULL);
			if (r[i].rc == ML_OK)
				wins++;
			else
				assert_int_equal(r[i].rc, ML_ECONFLICT);
		}
		assert_int_equal(wins, 1);
		pthread_barrier_destroy(&go);
		ml_store_session_cleanup(&cs);
	}
}

/* ---- accounts ----------------------------------------------------------- */

static void
store_account_crud(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_account a, got;
	struct ml_err err;
	int64_t n = 0;

	make_account(&a, fx->a.id, "owner-1", 0);
	assert_int_equal(ml_store_account_insert(fx->s, &a, &err), ML_OK);
	assert_int_equal(ml_store_account_insert(fx->s, &a, &err),
	    ML_ECONFLICT);
	ml_store_account_init(&got);
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &got,
	    &err), ML_OK);
	assert_string_equal(got.workspace_id, "WS123");
	assert_string_equal(got.data_center, "02");
	assert_string_equal(got.metadata, "{\"team\":\"growth\"}");
	assert_string_equal(got.key_hints, "{\"data\":\"ab12\"}");
	assert_int_equal(got.sealed_len, a.sealed_len);
	assert_memory_equal(got.sealed, a.sealed, a.sealed_len);
	assert_int_equal(got.status, ML_ACCOUNT_ACTIVE);
	assert_true(got.created_at > 0 && got.updated_at > 0);
	assert_int_equal(got.last_verified_at, 1700000000);

	assert_int_equal(ml_store_account_update(fx->s, fx->a.id, a.id,
	    "Staging", NULL, &err), ML_OK);
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &got,
	    &err), ML_OK);
	assert_string_equal(got.label, "Staging");
	assert_string_equal(got.metadata, "{\"team\":\"growth\"}");

	assert_int_equal(ml_store_account_set_status(fx->s, fx->a.id, a.id,
	    ML_ACCOUNT_ERROR, "[\"invalid_key\"]", 1700000100, &err), ML_OK);
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &got,
	    &err), ML_OK);
	assert_int_equal(got.status, ML_ACCOUNT_ERROR);
	assert_string_equal(got.status_reasons, "[\"invalid_key\"]");
	assert_int_equal(got.last_verified_at, 1700000100);

	free(a.sealed);
	a.sealed = (unsigned char *)strdup("new-blob");
	a.sealed_len = 8;
	ml_strlcpy(a.key_id, "k2", sizeof(a.key_id));
	a.status = ML_ACCOUNT_ACTIVE;
	ml_strlcpy(a.data_center, "101", sizeof(a.data_center));
	assert_int_equal(ml_store_account_set_credentials(fx->s, &a, &err),
	    ML_OK);
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &got,
	    &err), ML_OK);
	assert_memory_equal(got.sealed, "new-blob", 8);
	assert_string_equal(got.key_id, "k2");
	assert_string_equal(got.data_center, "101");
	assert_int_equal(got.status, ML_ACCOUNT_ACTIVE);

	assert_int_equal(ml_store_account_count(fx->s, fx->a.id, &n, &err),
	    ML_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ml_store_account_delete(fx->s, fx->a.id, a.id, &err),
	    ML_OK);
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &got,
	    &err), ML_ENOTFOUND);
	assert_int_equal(ml_store_account_count(fx->s, NULL, &n, &err), ML_OK);
	assert_int_equal(n, 0);
	ml_store_account_cleanup(&got);
	drop_account(&a);
}

static void
store_account_project_isolation(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_account_filter f = { 0 };
	struct ml_store_account a, got, *list = NULL;
	struct ml_err err;
	int64_t total = -1;
	size_t n = 9;

	make_account(&a, fx->a.id, "owner-1", 0);
	assert_int_equal(ml_store_account_insert(fx->s, &a, &err), ML_OK);
	ml_store_account_init(&got);
	assert_int_equal(ml_store_account_get(fx->s, fx->b.id, a.id, &got,
	    &err), ML_ENOTFOUND);
	assert_string_equal(err.kind, "not_found");
	f.project_id = fx->b.id;
	assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n, &total,
	    &err), ML_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	ml_store_account_list_free(list, n);
	assert_int_equal(ml_store_account_update(fx->s, fx->b.id, a.id, "x",
	    NULL, &err), ML_ENOTFOUND);
	assert_int_equal(ml_store_account_set_status(fx->s, fx->b.id, a.id,
	    ML_ACCOUNT_INACTIVE, NULL, 0, &err), ML_ENOTFOUND);
	ml_strlcpy(a.project_id, fx->b.id, sizeof(a.project_id));
	assert_int_equal(ml_store_account_set_credentials(fx->s, &a, &err),
	    ML_ENOTFOUND);
	assert_int_equal(ml_store_account_delete(fx->s, fx->b.id, a.id, &err),
	    ML_ENOTFOUND);
	/* Still intact for its owner. */
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &got,
	    &err), ML_OK);
	assert_string_equal(got.label, "Production");
	assert_int_equal(got.status, ML_ACCOUNT_ACTIVE);
	ml_store_account_cleanup(&got);
	drop_account(&a);
}

/*
 * Seven accounts of project A, owners "even" and "odd" by turns, created
 * at 1700000000 + (i / step) * step: step 2 gives pairs sharing a second.
 */
static void
insert_seven(struct fixture *fx, char ids[7][ML_STORE_ID_MAX], size_t step)
{
	struct ml_store_account a;
	struct ml_err err;
	size_t i;

	for (i = 0; i < 7; i++) {
		make_account(&a, fx->a.id, i % 2 ? "odd" : "even",
		    1700000000 + (int64_t)(i / step * step));
		assert_int_equal(ml_store_account_insert(fx->s, &a, &err),
		    ML_OK);
		ml_strlcpy(ids[i], a.id, sizeof(ids[i]));
		drop_account(&a);
	}
}

static void
store_account_list_pages_filters_stable(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_account_filter f = { 0 };
	struct ml_store_account *list = NULL;
	char ids[7][ML_STORE_ID_MAX], seen[7][ML_STORE_ID_MAX];
	struct ml_err err;
	int64_t total = 0;
	size_t n = 0, got = 0, i;
	int page;

	insert_seven(fx, ids, 1);
	f.project_id = fx->a.id;
	f.page_size = 3;
	for (page = 1; page <= 3; page++) {
		f.page = page;
		assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n,
		    &total, &err), ML_OK);
		assert_int_equal(total, 7);
		assert_int_equal(n, page < 3 ? 3 : 1);
		for (i = 0; i < n; i++) {
			assert_null(list[i].sealed);	/* lists: no secrets */
			ml_strlcpy(seen[got++], list[i].id, sizeof(seen[0]));
		}
		ml_store_account_list_free(list, n);
	}
	for (i = 0; i < 7; i++)	/* oldest first, each exactly once */
		assert_string_equal(seen[i], ids[i]);
	f.page = 1;
	f.page_size = 0;
	f.origin_owner_id = "odd";
	assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n, &total,
	    &err), ML_OK);
	assert_int_equal(total, 3);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_string_equal(list[i].origin_owner_id, "odd");
	ml_store_account_list_free(list, n);
	f.provider = "other";
	assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n, &total,
	    &err), ML_OK);
	assert_int_equal(total, 0);
	ml_store_account_list_free(list, n);
	f.page_size = ML_STORE_PAGE_SIZE_MAX + 1;
	assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n, &total,
	    &err), ML_EINVAL);
}

/* Cursor pages walk every account once; a capped count says "more". */
static void
store_account_list_cursor_and_capped_count(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_account_filter f = { 0 };
	struct ml_store_account *list = NULL;
	char ids[7][ML_STORE_ID_MAX], seen[7][ML_STORE_ID_MAX];
	char last[ML_STORE_ID_MAX] = "";
	struct ml_err err;
	int64_t total = 0, last_at = 0;
	size_t n = 0, got = 0, i, j, k;
	int more = -1, pages = 0;

	insert_seven(fx, ids, 2);	/* pairs share a created_at */
	f.project_id = fx->a.id;
	f.page_size = 3;
	f.count_max = 4;
	f.more = &more;
	do {
		f.after_id = last[0] != '\0' ? last : NULL;
		f.after_created_at = last_at;
		assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n,
		    &total, &err), ML_OK);
		assert_int_equal(total, 5);	/* stopped at count_max + 1 */
		assert_int_equal(n, ++pages < 3 ? 3 : 1);
		assert_int_equal(more, pages < 3);
		for (i = 0; i < n; i++) {
			assert_true(got < 7);
			ml_strlcpy(seen[got++], list[i].id, sizeof(seen[0]));
		}
		ml_strlcpy(last, list[n - 1].id, sizeof(last));
		last_at = list[n - 1].created_at;
		ml_store_account_list_free(list, n);
	} while (more);
	assert_int_equal(got, 7);
	for (i = 0; i < 7; i++) {	/* each exactly once */
		for (j = k = 0; j < 7; j++)
			k += strcmp(seen[j], ids[i]) == 0;
		assert_int_equal(k, 1);
	}
	/* The owner filter pages by cursor too; no cap: the exact count. */
	f.origin_owner_id = "even";
	f.count_max = 0;
	f.page_size = 2;
	f.after_id = NULL;
	assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n, &total,
	    &err), ML_OK);
	assert_int_equal(total, 4);
	assert_int_equal(n, 2);
	assert_int_equal(more, 1);
	f.after_created_at = list[1].created_at;
	ml_strlcpy(last, list[1].id, sizeof(last));
	f.after_id = last;
	ml_store_account_list_free(list, n);
	assert_int_equal(ml_store_account_list(fx->s, &f, &list, &n, &total,
	    &err), ML_OK);
	assert_int_equal(n, 2);
	assert_int_equal(more, 0);
	assert_string_equal(list[0].id, ids[4]);
	assert_string_equal(list[1].id, ids[6]);
	ml_store_account_list_free(list, n);
}

static void
store_account_insert_spend_is_atomic(void **state)
{
	struct fixture *fx = *state;
	char token[ML_STORE_TOKEN_MAX];
	struct ml_store_session cs, got;
	struct ml_store_account a, b;
	struct ml_err err;
	int64_t n = 0;

	new_session(fx, fx->a.id, 600, &cs, token);
	make_account(&a, fx->a.id, "owner-1", 0);
	make_account(&b, fx->a.id, "owner-1", 0);
	assert_int_equal(ml_store_account_insert_spend(fx->s, &a, cs.id, &err),
	    ML_OK);
	/* The session is spent and names the account. */
	ml_store_session_init(&got);
	assert_int_equal(ml_store_session_find(fx->s, token, &got, &err),
	    ML_OK);
	assert_int_equal(got.status, ML_SESSION_SPENT);
	assert_string_equal(got.account_id, a.id);
	/* A second link with the same session fails and inserts nothing. */
	assert_int_equal(ml_store_account_insert_spend(fx->s, &b, cs.id, &err),
	    ML_ECONFLICT);
	assert_int_equal(ml_store_account_count(fx->s, fx->a.id, &n, &err),
	    ML_OK);
	assert_int_equal(n, 1);
	/* A failing insert (duplicate id) leaves the session unspent. */
	ml_store_session_cleanup(&cs);
	new_session(fx, fx->a.id, 600, &cs, token);
	assert_int_equal(ml_store_account_insert_spend(fx->s, &a, cs.id, &err),
	    ML_ECONFLICT);
	assert_int_equal(ml_store_session_find(fx->s, token, &got, &err),
	    ML_OK);
	assert_int_equal(got.status, ML_SESSION_OPEN);
	ml_store_session_cleanup(&got);
	ml_store_session_cleanup(&cs);
	drop_account(&a);
	drop_account(&b);
}

static void
store_account_rejects_oversized_fields(void **state)
{
	struct fixture *fx = *state;
	char big[ML_STORE_TEXT_MAX + 8];
	struct ml_store_account a;
	struct ml_err err;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	make_account(&a, fx->a.id, "owner-1", 0);
	assert_int_equal(ml_store_account_update(fx->s, fx->a.id, a.id, big,
	    NULL, &err), ML_EINVAL);
	assert_string_equal(err.field, "label");
	a.workspace_id[0] = '\0';
	assert_int_equal(ml_store_account_insert(fx->s, &a, &err), ML_EINVAL);
	assert_string_equal(err.field, "workspace_id");
	drop_account(&a);
}

/* Reseal callback: "sealed:X" -> "re:sealed:X" under k2; fails on ctx id. */
static int
reseal_prefix(void *ctx, const char *account_id, const unsigned char *blob,
    size_t blob_len, const char *key_id, unsigned char **new_blob,
    size_t *new_len, char new_key_id[ML_STORE_KEY_ID_MAX], struct ml_err *err)
{
	const char *fail_on = ctx;

	(void)key_id;
	if (fail_on != NULL && strcmp(account_id, fail_on) == 0)
		return ml_err_set(err, ML_ECRYPTO, NULL, "cannot open");
	*new_blob = ml_malloc(blob_len + 3);
	if (*new_blob == NULL)
		return ML_ENOMEM;
	memcpy(*new_blob, "re:", 3);
	memcpy(*new_blob + 3, blob, blob_len);
	*new_len = blob_len + 3;
	ml_strlcpy(new_key_id, "k2", ML_STORE_KEY_ID_MAX);
	return ML_OK;
}

static void
store_reseal_rewrites_all_or_nothing(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_key_usage *use = NULL;
	struct ml_store_account a, got;
	char ids[300][ML_STORE_ID_MAX], want[64];
	struct ml_err err;
	int64_t done = -1;
	size_t i, n = 0;

	/* More than one internal batch (256), across both projects. */
	for (i = 0; i < 300; i++) {
		make_account(&a, i % 2 ? fx->a.id : fx->b.id, "o", 0);
		assert_int_equal(ml_store_account_insert(fx->s, &a, &err),
		    ML_OK);
		ml_strlcpy(ids[i], a.id, sizeof(ids[i]));
		drop_account(&a);
	}
	/* A failure on the last record rolls back every earlier rewrite. */
	assert_int_equal(ml_store_account_reseal(fx->s, reseal_prefix,
	    ids[299], &done, &err), ML_ECRYPTO);
	assert_int_equal(done, 0);
	assert_int_equal(ml_store_key_usage(fx->s, &use, &n, &err), ML_OK);
	assert_int_equal(n, 1);
	assert_string_equal(use[0].key_id, "k1");
	assert_int_equal(use[0].accounts, 300);
	ml_store_key_usage_free(use, n);

	assert_int_equal(ml_store_account_reseal(fx->s, reseal_prefix, NULL,
	    &done, &err), ML_OK);
	assert_int_equal(done, 300);
	ml_store_account_init(&got);
	for (i = 0; i < 300; i++) {
		assert_int_equal(ml_store_account_get(fx->s, i % 2 ? fx->a.id :
		    fx->b.id, ids[i], &got, &err), ML_OK);
		snprintf(want, sizeof(want), "re:sealed:%s", ids[i]);
		assert_int_equal(got.sealed_len, strlen(want));
		assert_memory_equal(got.sealed, want, strlen(want));
		assert_string_equal(got.key_id, "k2");
	}
	ml_store_account_cleanup(&got);
	assert_int_equal(ml_store_key_usage(fx->s, &use, &n, &err), ML_OK);
	assert_int_equal(n, 1);
	assert_string_equal(use[0].key_id, "k2");
	ml_store_key_usage_free(use, n);
}

/* Account writes and key revocations move the generations caches watch. */
static void
store_writes_move_the_generations(void **state)
{
	struct fixture *fx = *state;
	char key[ML_STORE_TOKEN_MAX];
	struct ml_store_apikey info, got;
	struct ml_store_account a, row;
	struct ml_err err;
	uint64_t g, k;

	make_account(&a, fx->a.id, "o", 0);
	assert_int_equal(ml_store_apikey_create(fx->s, fx->a.id, key,
	    sizeof(key), &info, &err), ML_OK);
	g = ml_store_account_gen(fx->s);
	k = ml_store_apikey_gen(fx->s);
	assert_int_equal(ml_store_account_insert(fx->s, &a, &err), ML_OK);
	assert_true(ml_store_account_gen(fx->s) > g);
	/* Reads move nothing. */
	g = ml_store_account_gen(fx->s);
	ml_store_account_init(&row);
	assert_int_equal(ml_store_account_get(fx->s, fx->a.id, a.id, &row,
	    &err), ML_OK);
	assert_int_equal(ml_store_apikey_lookup(fx->s, key, &got, &err),
	    ML_OK);
	assert_int_equal(ml_store_account_gen(fx->s), g);
	assert_int_equal(ml_store_apikey_gen(fx->s), k);
	assert_int_equal(ml_store_account_update(fx->s, fx->a.id, a.id, "x",
	    NULL, &err), ML_OK);
	assert_true(ml_store_account_gen(fx->s) > g);
	g = ml_store_account_gen(fx->s);
	assert_int_equal(ml_store_account_set_status(fx->s, fx->a.id, a.id,
	    ML_ACCOUNT_INACTIVE, NULL, 0, &err), ML_OK);
	assert_true(ml_store_account_gen(fx->s) > g);
	g = ml_store_account_gen(fx->s);
	assert_int_equal(ml_store_account_set_credentials(fx->s, &a, &err),
	    ML_OK);
	assert_true(ml_store_account_gen(fx->s) > g);
	g = ml_store_account_gen(fx->s);
	assert_int_equal(ml_store_account_reseal(fx->s, reseal_prefix, NULL,
	    NULL, &err), ML_OK);
	assert_true(ml_store_account_gen(fx->s) > g);
	g = ml_store_account_gen(fx->s);
	assert_int_equal(ml_store_account_delete(fx->s, fx->a.id, a.id, &err),
	    ML_OK);
	assert_true(ml_store_account_gen(fx->s) > g);
	assert_int_equal(ml_store_apikey_gen(fx->s), k);
	assert_int_equal(ml_store_apikey_revoke(fx->s, fx->a.id, info.id,
	    &err), ML_OK);
	assert_true(ml_store_apikey_gen(fx->s) > k);
	ml_store_account_cleanup(&row);
	drop_account(&a);
}

/* ---- dashboard sessions ------------------------------------------------- */

static void
store_dash_link_consumed_once(void **state)
{
	struct fixture *fx = *state;
	char link[ML_STORE_TOKEN_MAX], sess[ML_STORE_TOKEN_MAX], sql[160];
	struct ml_store_dash d, got;
	struct ml_err err;

	ml_store_dash_init(&d);
	ml_strlcpy(d.subject, "admin", sizeof(d.subject));
	d.one_time = 1;
	d.expires_at = ml_store_now() + 300;
	assert_int_equal(ml_store_dash_create(fx->s, &d, link, sizeof(link),
	    &err), ML_OK);
	assert_int_equal(strncmp(link, "mds_", 4), 0);
	ml_store_dash_init(&got);
	assert_int_equal(ml_store_dash_find(fx->s, link, &got, &err), ML_OK);
	assert_string_equal(got.subject, "admin");
	assert_int_equal(ml_store_dash_consume(fx->s, link, &got, &err),
	    ML_OK);
	assert_int_equal(ml_store_dash_consume(fx->s, link, &got, &err),
	    ML_ECONFLICT);
	assert_int_equal(ml_store_dash_find(fx->s, link, &got, &err),
	    ML_ECONFLICT);

	/* A normal session: findable, not consumable, deletable. */
	d.one_time = 0;
	assert_int_equal(ml_store_dash_create(fx->s, &d, sess, sizeof(sess),
	    &err), ML_OK);
	assert_int_equal(ml_store_dash_find(fx->s, sess, NULL, &err), ML_OK);
	assert_int_equal(ml_store_dash_consume(fx->s, sess, NULL, &err),
	    ML_ENOTFOUND);
	snprintf(sql, sizeof(sql), "UPDATE dash_sessions SET expires_at = "
	    "%lld WHERE id = '%s'", (long long)ml_store_now() - 1, d.id);
	raw_sql(fx, sql);
	assert_int_equal(ml_store_dash_find(fx->s, sess, NULL, &err),
	    ML_EEXPIRED);
	assert_int_equal(ml_store_dash_delete(fx->s, sess, &err), ML_OK);
	assert_int_equal(ml_store_dash_find(fx->s, sess, NULL, &err),
	    ML_ENOTFOUND);
	assert_int_equal(ml_store_dash_delete(fx->s, "mds_bogus", &err),
	    ML_ENOTFOUND);
}

/* ---- allocation failures ------------------------------------------------ */

/*
 * Fail the n-th allocation for n = 1, 2, ... until the operation succeeds;
 * every failure must be ML_ENOMEM (ASan's leak check runs at exit).
 */
#define WALK_ENOMEM(expr) do {						\
	long n_;							\
	int rc_;							\
	for (n_ = 1; n_ < 200; n_++) {					\
		ml_mem_fail_after(n_, 0);				\
		rc_ = (expr);						\
		ml_mem_fail_after(0, 0);				\
		if (rc_ == ML_OK)					\
			break;						\
		assert_int_equal(rc_, ML_ENOMEM);			\
	}								\
	assert_int_equal(rc_, ML_OK);					\
} while (0)

static void
store_allocation_failures_are_enomem(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_account_filter f = { 0 };
	struct ml_store_account a, got, *list = NULL;
	struct ml_store_project *plist = NULL;
	struct ml_store_key_usage *use = NULL;
	struct ml_store_session cs, found;
	char token[ML_STORE_TOKEN_MAX];
	struct ml_store *s2 = NULL;
	struct ml_err err;
	int64_t total, done;
	size_t n = 0;
	char *v = NULL;
	int i;

	for (i = 0; i < 10; i++) {
		make_account(&a, fx->a.id, "o", 0);
		assert_int_equal(ml_store_account_insert(fx->s, &a, &err),
		    ML_OK);
		drop_account(&a);
	}
	make_account(&a, fx->a.id, "o", 0);
	assert_int_equal(ml_store_account_insert(fx->s, &a, &err), ML_OK);
	new_session(fx, fx->a.id, 600, &cs, token);
	assert_int_equal(ml_store_setting_set(fx->s, NULL, "k", "v", &err),
	    ML_OK);
	ml_store_account_init(&got);
	ml_store_session_init(&found);
	f.project_id = fx->a.id;

	WALK_ENOMEM(ml_store_open(fx->url, &s2, &err));
	ml_store_close(s2);
	WALK_ENOMEM(ml_store_project_list(fx->s, &plist, &n, &err));
	ml_store_project_list_free(plist, n);
	WALK_ENOMEM(ml_store_account_get(fx->s, fx->a.id, a.id, &got, &err));
	WALK_ENOMEM(ml_store_account_list(fx->s, &f, &list, &n, &total, &err));
	assert_int_equal(n, 11);
	ml_store_account_list_free(list, n);
	WALK_ENOMEM(ml_store_session_find(fx->s, token, &found, &err));
	WALK_ENOMEM(ml_store_setting_get(fx->s, NULL, "k", &v, &err));
	ml_free(v);
	WALK_ENOMEM(ml_store_key_usage(fx->s, &use, &n, &err));
	ml_store_key_usage_free(use, n);
	WALK_ENOMEM(ml_store_account_reseal(fx->s, reseal_prefix, NULL, &done,
	    &err));
	assert_int_equal(done, 11);
	ml_store_account_cleanup(&got);
	ml_store_session_cleanup(&found);
	ml_store_session_cleanup(&cs);
	drop_account(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    store_open_rejects_unknown_scheme_naming_supported),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(store_open_creates_dirs_migrates_and_reopens),
		T(store_open_migrates_old_and_refuses_newer_schema),
		T(store_projects_create_get_list_count),
		T(store_apikey_lookup_and_revoke),
		T(store_tokens_never_stored_in_plaintext),
		T(store_settings_global_and_per_project),
		T(store_session_find_spend_once),
		T(store_session_expired_cannot_be_spent),
		T(store_session_spend_race_exactly_one_wins),
		T(store_account_crud),
		T(store_account_project_isolation),
		T(store_account_list_pages_filters_stable),
		T(store_account_list_cursor_and_capped_count),
		T(store_writes_move_the_generations),
		T(store_account_insert_spend_is_atomic),
		T(store_account_rejects_oversized_fields),
		T(store_reseal_rewrites_all_or_nothing),
		T(store_dash_link_consumed_once),
		T(store_allocation_failures_are_enomem),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
