/* SPDX-License-Identifier: MIT */
/*
 * api.h: the REST handlers of `moelink serve` and the JSON shapes they
 * share (StackOne's field names where StackOne has the concept).
 */
#ifndef ML_SERVER_API_H
#define ML_SERVER_API_H

#include <json-c/json.h>
#include <stdint.h>

#include "server/http.h"

#define ML_API_SESSION_TTL_DEFAULT 1800
#define ML_API_SESSION_TTL_MAX (30L * 24 * 3600)

/* ---- api.c: shared helpers -------------------------------------------- */

/*
 * A string member of obj into out (cap bytes). Missing: "" (or, if
 * required, ML_EINVAL "missing_field"). Not a string, too long, or holding
 * control characters: ML_EINVAL "invalid_field". err->field names it.
 */
int ml_api_text(json_object *obj, const char *name, int required, char *out,
    size_t cap, struct ml_err *err);
/*
 * "metadata": absent -> *out NULL; an object -> its JSON text (heap, at
 * most ML_STORE_JSON_MAX bytes); anything else ML_EINVAL.
 */
int ml_api_metadata(json_object *obj, char **out, struct ml_err *err);
/* Epoch seconds as "2026-11-29T08:00:00Z" (JSON null member when 0). */
int ml_api_add_time(json_object *o, const char *key, int64_t t);
/* The account as the API shows it: never a key, at most 4 chars of one. */
int ml_api_account_json(const struct ml_store_account *a, json_object **out);
/* Load account {id} of r's project into a (404 for another project's). */
int ml_api_account_load(struct ml_http_req *r, struct ml_store_account *a);

/* ---- api_sessions.c --------------------------------------------------- */

/*
 * The body of POST /connect_sessions into cs (initialised; owner fields,
 * label, metadata) and *ttl (seconds, default 1800). Field errors name
 * the field in err.
 */
int ml_api_sessions_parse(json_object *body, struct ml_store_session *cs,
    int64_t *ttl, struct ml_err *err);
int ml_api_sessions_create(struct ml_http_req *r);
int ml_api_sessions_get(struct ml_http_req *r);
/*
 * Create a session for r's project from a request-like object (the
 * dashboard's "Link account" and "Create auth link" use it too) and
 * answer 201 with it.
 */
int ml_api_sessions_create_from(struct ml_http_req *r, json_object *body);

/* ---- api_accounts.c --------------------------------------------------- */

/* GET /accounts counts at most this many matches (beyond: total_capped). */
#define ML_API_ACCOUNTS_COUNT_MAX 1000

int ml_api_accounts_list(struct ml_http_req *r);
int ml_api_accounts_get(struct ml_http_req *r);
int ml_api_accounts_create(struct ml_http_req *r);
int ml_api_accounts_patch(struct ml_http_req *r);
int ml_api_accounts_delete(struct ml_http_req *r);
int ml_api_accounts_verify(struct ml_http_req *r);

/* ---- api.c: service endpoints ----------------------------------------- */

int ml_api_healthz(struct ml_http_req *r);

#endif
