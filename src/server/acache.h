/* SPDX-License-Identifier: MIT */
/*
 * acache.h: the server's short-lived cache of linked accounts, so the hot
 * paths (GET /accounts/{id}, /actions/rpc, /proxy, MCP tool calls) do not
 * read SQLite and open the vault on every request.
 *
 * A slot holds one account of one project: its row (without the sealed
 * blob), and, once a call needed them, its opened keys and, once GET asked
 * for it, the account's JSON answer. A slot answers only while
 *   - it is younger than ML_ACACHE_TTL_NS (1 s), and
 *   - the store's account write generation (ml_store_account_gen) is the one
 *     read before the slot was filled: every account write made by this
 *     process (update, credentials, status, delete, key rotation through
 *     the store) voids every slot at once.
 * So a write made through this server is seen by the very next request;
 * a write made by another process sharing the database (another `moelink
 * serve` on the same PostgreSQL, `moelink vault rotate`) is seen within
 * 1 s. Misses and errors are never cached. Keys are wiped when a slot is
 * emptied (replaced, stale, expired: stale slots are swept on every miss)
 * and when the cache is freed.
 */
#ifndef ML_SERVER_ACACHE_H
#define ML_SERVER_ACACHE_H

#include "server/http.h"
#include "server/link.h"
#include "store/store.h"

#define ML_ACACHE_SLOTS 256		/* power of two */
#define ML_ACACHE_TTL_NS 1000000000LL	/* staleness bound across processes */

struct ml_acache;

int ml_acache_new(struct ml_acache **out, struct ml_err *err);
/* Wipes every key; NULL is a no-op. */
void ml_acache_free(struct ml_acache *c);

/*
 * Account `id` of r's project into row (initialised; the copy carries no
 * sealed blob when it comes from the cache) and, when creds is not NULL,
 * its opened keys into creds (initialised). ML_ENOTFOUND (r->err says
 * account_not_found) for a missing account or one of another project;
 * otherwise the errors of ml_store_account_get and ml_link_open.
 */
int ml_acache_account(struct ml_http_req *r, const char *id,
    struct ml_store_account *row, struct ml_link_creds *creds);

/* GET /accounts/{id}: answer 200 with the account's JSON (api.h shape). */
int ml_acache_reply_account(struct ml_http_req *r);

#endif
