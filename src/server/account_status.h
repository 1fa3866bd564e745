/* SPDX-License-Identifier: MIT */
/*
 * account_status.h: deactivating and reactivating a linked account.
 *
 *   PATCH /accounts/{id} {"status":"inactive"}   deactivate: nothing is
 *       sent to MoEngage for the account any more (actions, proxy, MCP,
 *       `moelink call --account`: 409 account_inactive); POST /events and
 *       the Segment API still accept its rows and the delivery worker holds
 *       them in the outbox. A status reason {"code":"deactivated",...} is
 *       recorded.
 *   PATCH /accounts/{id} {"status":"active"}     reactivate: the stored
 *       credentials (or new ones in the same PATCH) are checked with
 *       MoEngage first, as a credential change is; a refusal answers 422
 *       and the account stays as it was. Then held rows are delivered.
 *
 * api_accounts.c parses the member and calls the steps below; the status
 * itself is written with ml_store_account_set_status, the store's one
 * status write, so whatever caches accounts sees the change at once.
 */
#ifndef ML_SERVER_ACCOUNT_STATUS_H
#define ML_SERVER_ACCOUNT_STATUS_H

#include <json-c/json.h>

#include "server/http.h"
#include "server/link.h"
#include "store/store.h"

/* ml_account_status_verify answered the request itself. */
#define ML_ACCOUNT_STATUS_ANSWERED 2

/* The "status" member of a PATCH, embedded in the handler's state. */
struct ml_account_status_change {
	int wanted;				/* the member was sent */
	enum ml_store_account_status to;	/* active or inactive */
	int verified;				/* reactivation checked */
};

/*
 * Read "status" from a PATCH body: absent leaves sc->wanted 0; "active"
 * or "inactive" set it; anything else (also "error", which only MoEngage's
 * answers set) is ML_EINVAL invalid_field naming "status".
 */
int ml_account_status_parse(json_object *body,
    struct ml_account_status_change *sc, struct ml_err *err);

/*
 * Reactivation's check of the STORED credentials (a PATCH without new
 * ones): opens them into creds and verifies with MoEngage. Returns
 * ML_LINK_PENDING while MoEngage is asked (the handler returns ML_OK),
 * ML_OK to go on (also when there is nothing to check: no reactivation,
 * an account already active, or has_creds, whose check the credential
 * path makes), or, after answering MoEngage's refusal (422, or
 * 502/504 unreachable) with nothing changed, returning
 * ML_ACCOUNT_STATUS_ANSWERED: the handler returns ML_OK.
 */
int ml_account_status_verify(struct ml_http_req *r,
    struct ml_account_status_change *sc, const struct ml_store_account *a,
    struct ml_link_creds *creds, struct ml_link_verify *v, int has_creds);

/*
 * Write the change once everything else of the PATCH is stored:
 * inactive with the "deactivated" reason (kept as it was when the account
 * is already inactive), or active with the reasons cleared. Tells the
 * delivery worker, which then holds or releases the account's outbox rows
 * (ml_deliver_recheck).
 */
int ml_account_status_apply(struct ml_http_req *r,
    const struct ml_account_status_change *sc,
    const struct ml_store_account *a);

/*
 * Refuse to call MoEngage for an inactive account: ML_ECONFLICT with
 * err kind "account_inactive" (409) and how to reactivate it; ML_OK for
 * any other status.
 */
int ml_account_status_check(const struct ml_store_account *a,
    struct ml_err *err);

/*
 * POST /accounts/{id}/verify of an inactive account: keys MoEngage accepts
 * only update last_verified_at (the account stays inactive until it is
 * activated); a refusal is answered as such and changes nothing. Returns
 * as a route handler does.
 */
int ml_account_status_verified(struct ml_http_req *r,
    const struct ml_store_account *a, const struct ml_link_verify *v);

#endif
