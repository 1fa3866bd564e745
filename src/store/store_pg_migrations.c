/* SPDX-License-Identifier: MIT */
/*
 * store_pg_migrations.c: the store's schema in PostgreSQL's dialect, as an
 * ordered list of migrations versioned exactly like the SQLite list
 * (store_migrations.c): entry i takes a database from version i to i + 1,
 * and version N means the same tables in both backends. store_pg.c runs each
 * entry in its own transaction together with the version bump (PostgreSQL
 * DDL is transactional), under an advisory lock so that several nodes
 * starting at once migrate once.
 *
 * Dialect differences, each deliberate:
 * - integers are BIGINT (SQLite's INTEGER is 64-bit), blobs BYTEA;
 * - SQLite's implicit rowid, which orders projects and API keys created in
 *   the same second, is an explicit identity column `seq`;
 * - AUTOINCREMENT keys are identity columns;
 * - outbox_leases (migration 2) exists only here: it is how several nodes
 *   share one outbox (store_outbox_pg.c). SQLite has one process.
 * Entries are never edited once released: when an entry is appended to the
 * SQLite list, its twin is appended here in the same commit, and the
 * counts must match (test_store checks).
 */
#include "store/store_pg_int.h"

const char *const ml__store_pg_migrations[] = {
	/* 1: projects, API keys, settings, connect sessions, accounts,
	 * dashboard sessions. */
	"CREATE TABLE projects ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  seq BIGINT GENERATED ALWAYS AS IDENTITY"
	");"
	"CREATE TABLE api_keys ("
	"  id TEXT PRIMARY KEY,"
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  key_hash BYTEA NOT NULL UNIQUE,"
	"  prefix TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  revoked_at BIGINT,"
	"  seq BIGINT GENERATED ALWAYS AS IDENTITY"
	");"
	"CREATE INDEX api_keys_project ON api_keys(project_id, created_at);"
	"CREATE TABLE settings ("
	"  project_id TEXT NOT NULL DEFAULT '',"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  PRIMARY KEY (project_id, key)"
	");"
	"CREATE TABLE connect_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  token_hash BYTEA NOT NULL UNIQUE,"
	"  origin_owner_id TEXT NOT NULL,"
	"  origin_owner_name TEXT NOT NULL,"
	"  origin_username TEXT NOT NULL DEFAULT '',"
	"  label TEXT NOT NULL DEFAULT '',"
	"  metadata TEXT,"
	"  account_id TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL,"
	"  spent_at BIGINT"
	");"
	"CREATE INDEX connect_sessions_expiry ON connect_sessions(expires_at);"
	"CREATE TABLE accounts ("
	"  id TEXT PRIMARY KEY,"
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  provider TEXT NOT NULL,"
	"  origin_owner_id TEXT NOT NULL,"
	"  origin_owner_name TEXT NOT NULL,"
	"  origin_username TEXT NOT NULL DEFAULT '',"
	"  label TEXT NOT NULL DEFAULT '',"
	"  metadata TEXT,"
	"  workspace_id TEXT NOT NULL,"
	"  data_center TEXT NOT NULL,"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('active', 'inactive', 'error')),"
	"  status_reasons TEXT,"
	"  key_id TEXT NOT NULL,"
	"  key_hints TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  last_verified_at BIGINT,"
	"  sealed BYTEA NOT NULL"
	");"
	"CREATE INDEX accounts_project_order"
	"  ON accounts(project_id, created_at, id);"
	"CREATE INDEX accounts_owner ON accounts(project_id, origin_owner_id);"
	"CREATE INDEX accounts_key_id ON accounts(key_id);"
	"CREATE TABLE dash_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  token_hash BYTEA NOT NULL UNIQUE,"
	"  subject TEXT NOT NULL,"
	"  project_id TEXT NOT NULL DEFAULT '',"
	"  one_time INTEGER NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL,"
	"  consumed_at BIGINT"
	");"
	"CREATE INDEX dash_sessions_expiry ON dash_sessions(expires_at);",
	/* 2: delivery pipeline: outbox, dead letters, delivery counters,
	 * Segment write keys (as ML_STORE_OUTBOX_MIGRATION), plus the
	 * per-account delivery leases of multi-node mode. */
	"CREATE TABLE outbox ("
	"  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	"  project_id TEXT NOT NULL,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('customer', 'event', 'device',"
	"    'merge', 'delete')),"
	"  customer_id TEXT NOT NULL DEFAULT '',"
	"  payload TEXT NOT NULL,"
	"  units BIGINT NOT NULL DEFAULT 1,"
	"  enqueued_at BIGINT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at BIGINT NOT NULL DEFAULT 0,"
	"  first_failed_at BIGINT NOT NULL DEFAULT 0,"
	"  last_error TEXT"
	");"
	"CREATE INDEX outbox_account ON outbox(account_id, seq);"
	"CREATE TABLE dead_letters ("
	"  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	"  project_id TEXT NOT NULL,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  customer_id TEXT NOT NULL DEFAULT '',"
	"  payload TEXT NOT NULL,"
	"  units BIGINT NOT NULL DEFAULT 1,"
	"  reason TEXT NOT NULL,"
	"  detail TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  enqueued_at BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL"
	");"
	"CREATE INDEX dead_letters_scope"
	"  ON dead_letters(project_id, account_id, id);"
	"CREATE TABLE delivery_minutes ("
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	"  minute BIGINT NOT NULL,"
	"  delivered BIGINT NOT NULL DEFAULT 0,"
	"  retried BIGINT NOT NULL DEFAULT 0,"
	"  dead BIGINT NOT NULL DEFAULT 0,"
	"  requests BIGINT NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (account_id, minute)"
	");"
	"CREATE TABLE delivery_state ("
	"  account_id TEXT PRIMARY KEY"
	"    REFERENCES accounts(id) ON DELETE CASCADE,"
	"  delivered BIGINT NOT NULL DEFAULT 0,"
	"  retried BIGINT NOT NULL DEFAULT 0,"
	"  dead BIGINT NOT NULL DEFAULT 0,"
	"  requests BIGINT NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  last_error_at BIGINT,"
	"  last_delivered_at BIGINT"
	");"
	"CREATE TABLE write_keys ("
	"  id TEXT PRIMARY KEY,"
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	"  key_hash BYTEA NOT NULL UNIQUE,"
	"  prefix TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  revoked_at BIGINT"
	");"
	"CREATE INDEX write_keys_account ON write_keys(project_id, account_id);"
	"CREATE TABLE outbox_leases ("
	"  account_id TEXT PRIMARY KEY"
	"    REFERENCES accounts(id) ON DELETE CASCADE,"
	"  owner TEXT NOT NULL DEFAULT '',"
	"  until_ms BIGINT NOT NULL DEFAULT 0"
	");",
	/* 3: the account list's filters in one index (as in SQLite). */
	"DROP INDEX accounts_owner;"
	"CREATE INDEX accounts_filter"
	"  ON accounts(project_id, origin_owner_id, provider);",
	/* 4: as ML_STORE_OUTBOX_MIGRATION_4: outbox.account_id is no foreign
	 * key; a trigger deletes an account's rows with it. Enqueue and
	 * replay lock the account row (FOR NO KEY UPDATE) before inserting,
	 * so an account's deletion waits for them and its trigger then sees
	 * their rows. PostgreSQL compares kind's CHECK list as an array
	 * (no temporary table per row), and it accepts the same values as
	 * SQLite's equalities, so it stays. */
	"ALTER TABLE outbox DROP CONSTRAINT outbox_account_id_fkey;"
	"CREATE FUNCTION outbox_account_gone() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$ BEGIN"
	"  DELETE FROM outbox WHERE account_id = OLD.id; RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER outbox_account_gone AFTER DELETE ON accounts"
	"  FOR EACH ROW EXECUTE FUNCTION outbox_account_gone();",
};

const int ml__store_pg_migration_count =
    (int)(sizeof(ml__store_pg_migrations) /
    sizeof(ml__store_pg_migrations[0]));
