/* SPDX-License-Identifier: MIT */
/*
 * store_migrations.c: the SQLite schema as an ordered list of migrations.
 *
 * Contract: entry i (0-based) takes a database from PRAGMA user_version i to
 * i + 1; store_sqlite.c runs each entry in its own transaction together
 * with the version bump, so a crash leaves the database at a whole version.
 * Entries are never edited once released: to change the schema, append an
 * entry (the delivery pipeline appends outbox, dead letters, write keys and
 * webhooks here). Foreign keys are enforced (PRAGMA foreign_keys=ON on every
 * connection); deleting a project cascades to everything it owns.
 */
#include "store/store_int.h"
#include "store/store_outbox.h"

const char *const ml__store_sqlite_migrations[] = {
	/* 1: projects, API keys, settings, connect sessions, accounts,
	 * dashboard sessions. */
	"CREATE TABLE projects ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE api_keys ("
	"  id TEXT PRIMARY KEY,"
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  key_hash BLOB NOT NULL UNIQUE,"
	"  prefix TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER"
	");"
	"CREATE INDEX api_keys_project ON api_keys(project_id, created_at);"
	"CREATE TABLE settings ("
	"  project_id TEXT NOT NULL DEFAULT '',"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (project_id, key)"
	");"
	"CREATE TABLE connect_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  origin_owner_id TEXT NOT NULL,"
	"  origin_owner_name TEXT NOT NULL,"
	"  origin_username TEXT NOT NULL DEFAULT '',"
	"  label TEXT NOT NULL DEFAULT '',"
	"  metadata TEXT,"
	"  account_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  spent_at INTEGER"
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
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  last_verified_at INTEGER,"
	"  sealed BLOB NOT NULL"
	");"
	"CREATE INDEX accounts_project_order"
	"  ON accounts(project_id, created_at, id);"
	"CREATE INDEX accounts_owner ON accounts(project_id, origin_owner_id);"
	"CREATE INDEX accounts_key_id ON accounts(key_id);"
	"CREATE TABLE dash_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  subject TEXT NOT NULL,"
	"  project_id TEXT NOT NULL DEFAULT '',"
	"  one_time INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  consumed_at INTEGER"
	");"
	"CREATE INDEX dash_sessions_expiry ON dash_sessions(expires_at);",
	/* 2: delivery pipeline: outbox, dead letters, delivery counters,
	 * Segment write keys (store_outbox.h). */
	ML_STORE_OUTBOX_MIGRATION,
	/* 3: the account list's filters (project, owner, provider) in one
	 * index, so its count(*) reads only the index and never the rows
	 * (the rows carry the sealed blobs). Replaces accounts_owner, a
	 * prefix of it. */
	"DROP INDEX accounts_owner;"
	"CREATE INDEX accounts_filter"
	"  ON accounts(project_id, origin_owner_id, provider);",
	/* 4: the outbox rebuilt for the ingest path (store_outbox.h). */
	ML_STORE_OUTBOX_MIGRATION_4,
};

const int ml__store_sqlite_migration_count =
    (int)(sizeof(ml__store_sqlite_migrations) /
    sizeof(ml__store_sqlite_migrations[0]));
