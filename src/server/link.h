/* SPDX-License-Identifier: MIT */
/*
 * link.h: checking MoEngage credentials before anything is stored, and
 * turning checked credentials into a linked account. Used by the Hub's
 * Connect, POST /accounts (CLI `moelink link`), PATCH /accounts/{id} with
 * new credentials and POST /accounts/{id}/verify.
 *
 * Verification runs while the HTTP connection is suspended: the Data key
 * (or the single multi-permission key) with MoEngage's Test Connection
 * API, whose app_name becomes the default label; then, if a distinct
 * general key was given, a cheap authenticated read of a general-key
 * family. A rejection names the form field it concerns in err->field
 * ("data_key", "general_key", "workspace_id,data_center").
 */
#ifndef ML_SERVER_LINK_H
#define ML_SERVER_LINK_H

#include <json-c/json.h>

#include <moelink/account.h>

#include "server/http.h"

#define ML_LINK_PENDING 1	/* ml_link_verify_step: suspended, return */

/* The form's input, validated. Embedded: init/cleanup (wipes keys). */
struct ml_link_creds {
	struct ml_account acct;		/* workspace id, data center, keys,
					 * db_name */
	char single_field[24];		/* form field of a lone key, or "" */
	int db_name_given;		/* the input had a db_name member */
};

void ml_link_creds_init(struct ml_link_creds *c);
void ml_link_creds_cleanup(struct ml_link_creds *c);

/*
 * Read workspace_id, data_center, data_key, general_key, push_key,
 * inform_key, personalize_key (and api_key, a multi-permission key) and the
 * optional db_name (MOE-DBNAME, for file segments) from obj. def_ws/def_dc
 * (may be NULL) fill a missing workspace id or data center (PATCH).
 * Whitespace around values is dropped. A key given alone, or the same key
 * in the Data and general fields, is the multi-permission key. At least one
 * key is required. Field errors set err->field.
 */
int ml_link_creds_parse(json_object *obj, const char *def_ws,
    const char *def_dc, struct ml_link_creds *c, struct ml_err *err);
/* Overwrite the credential strings inside obj before it is freed. */
void ml_link_wipe_json(json_object *obj);

/* Verification progress; lives in the request's state. */
struct ml_link_verify {
	int step;			/* 0 start, 1 test connection, 2 general, 3 done */
	struct ml_http_call call;
	char app_name[ML_STORE_TEXT_MAX];
	int general_checked;		/* 1 verified, 0 not applicable, -1 skipped */
	int rc;				/* result once step == 3 */
	struct ml_err err;
	unsigned http_status;		/* status to answer a failure with */
};

void ml_link_verify_init(struct ml_link_verify *v);
void ml_link_verify_cleanup(struct ml_link_verify *v);

/*
 * Advance verification of c for request r. Returns ML_LINK_PENDING while a
 * MoEngage call is in flight (the handler returns ML_OK and is run again),
 * ML_OK when finished: then v->rc is ML_OK (all checked keys accepted) or
 * the failure with v->err and v->http_status (422 rejected credentials,
 * 502/504 MoEngage unreachable).
 */
int ml_link_verify_step(struct ml_http_req *r, struct ml_link_verify *v,
    const struct ml_link_creds *c);

/* Owner fields of a new account (from a connect session or a request). */
struct ml_link_owner {
	const char *origin_owner_id;
	const char *origin_owner_name;
	const char *origin_username;	/* may be NULL */
	const char *label;		/* may be NULL/"": app_name, else workspace id */
	const char *metadata;		/* JSON text or NULL */
	const char *session_id;		/* spend this session (same transaction) */
};

/*
 * Seal the keys (vault, account id as associated data) and store a new
 * active account for project_id. account_id (cap >= ML_STORE_ID_MAX)
 * receives its id.
 */
int ml_link_store_new(struct ml_server *srv, const char *project_id,
    const struct ml_link_creds *c, const struct ml_link_verify *v,
    const struct ml_link_owner *owner, char *account_id, size_t cap,
    struct ml_err *err);

/*
 * db_name (MOE-DBNAME) of a link form: "" or 1..127 characters of letters,
 * digits and "_-." (it goes into a header). ML_EINVAL with err->field
 * "db_name" otherwise.
 */
int ml_link_check_db_name(const char *db_name, struct ml_err *err);

/*
 * Re-seal c into an existing account: new credentials that MoEngage just
 * accepted (verified: status active, reasons cleared, last verified now;
 * an inactive account stays inactive), or the same keys with another
 * db_name (verified 0: status kept).
 */
int ml_link_store_creds(struct ml_server *srv, struct ml_store_account *a,
    const struct ml_link_creds *c, int verified, struct ml_err *err);

/*
 * The db_name of account a as its key_hints record it (written with the
 * sealed keys by the same update), or "" when it has none.
 */
void ml_link_hint_db_name(const struct ml_store_account *a, char *out,
    size_t cap);

/* Open an account's sealed keys into c (for verify). */
int ml_link_open(struct ml_server *srv, const struct ml_store_account *a,
    struct ml_link_creds *c, struct ml_err *err);

/* JSON status_reasons text for a failed verification, or NULL on ENOMEM. */
char *ml_link_reasons(const struct ml_err *err, int64_t now);

/*
 * A whole link: verify, then store, then answer (201). Kept in r->state
 * across suspensions (state_free = ml_link_job_free). The Hub's answer is
 * reduced to what the end user may see: account_id, label, workspace_id,
 * data_center, region; the REST answer is the full account.
 */
struct ml_link_job {
	struct ml_link_creds creds;
	struct ml_link_verify verify;
	char project_id[ML_STORE_ID_MAX];
	char session_id[ML_STORE_ID_MAX];	/* "" = no session to spend */
	char owner_id[ML_STORE_TEXT_MAX];
	char owner_name[ML_STORE_TEXT_MAX];
	char username[ML_STORE_TEXT_MAX];
	char label[ML_STORE_TEXT_MAX];
	char *metadata;
	int hub;
};

struct ml_link_job *ml_link_job_new(void);
void ml_link_job_free(void *job);
/* Run or continue job; returns as a route handler does. */
int ml_link_job_run(struct ml_http_req *r, struct ml_link_job *job);

#endif
