/* SPDX-License-Identifier: MIT */
/*
 * catalog.h: the action table, the spine of moelink. One const row per
 * MoEngage operation. From it come the REST actions, the CLI, the MCP tools,
 * the OpenAPI document and the simulator's routing. Adding an operation is
 * adding a row (src/moengage/catalog_<family>.c).
 */
#ifndef MOELINK_CATALOG_H
#define MOELINK_CATALOG_H

#include <json-c/json.h>
#include <stddef.h>

#include <moelink/dc.h>
#include <moelink/err.h>
#include <moelink/keys.h>

/* Where the workspace id goes besides Basic auth. */
enum ml_ws_place {
	ML_WS_NONE = 0,		/* only in auth / MOE-APPKEY */
	ML_WS_PATH,		/* {workspace_id} in the path template */
	ML_WS_QUERY_APP_ID,	/* ?app_id=<ws> */
};

enum ml_auth {
	ML_AUTH_BASIC = 0,	/* Basic base64(ws:key) */
	ML_AUTH_PUSH_SIGNATURE,	/* sha256(appId|campaignName|key) in body */
	ML_AUTH_NONE,
	ML_AUTH_REPORT_SIGNATURE, /* Signature: sha256(ws|path.filename|key) */
};

/* The error-body shapes of reference section 9. */
enum ml_envelope {
	ML_ENV_DATA = 0,	/* {"status":"fail","error":{message,type,request_id}} */
	ML_ENV_TITLE,		/* {"title","description","code"?} */
	ML_ENV_ERROR_DETAILS,	/* {"error":{"code","message","details":[..],"request_id"}} */
	ML_ENV_V5,		/* {"error":{code,message,target,details},"response_id"} */
	ML_ENV_RESPONSE_TYPE,	/* {"response_id","type","error":{code,message}} */
	ML_ENV_CATALOG,		/* {"error-code","message"} */
	ML_ENV_CODE_MESSAGE,	/* {"code","message"} */
	ML_ENV_INFORM,		/* {"message","err_code","status_code"} */
	ML_ENV_PUSH,		/* 200 {"status":"Fail","Error_Message"}; {code,status,reason} */
	ML_ENV_FILEIMPORT,	/* {"status","error_type","message"} */
	ML_ENV_COUNT
};

enum ml_paging {
	ML_PAGE_NONE = 0,
	ML_PAGE_OFFSET_LIMIT,	/* offset/limit -> total_pages (campaign stats) */
	ML_PAGE_CURSOR,		/* limit + cursor -> pagination.next_cursor (v5) */
	ML_PAGE_PAGE_ENTRIES,	/* page + entries, stop on short page (templates) */
	ML_PAGE_SIZE_BATCH,	/* size + batch_num, stop on short page (recos) */
	ML_PAGE_OFFSET_FILES,	/* offset 1, 2, ... of 50 -> more_files (file imports) */
};

/* Extra headers an action needs (bit flags). */
#define ML_HDR_APPKEY		0x01u	/* MOE-APPKEY: <ws> (we send it always) */
#define ML_HDR_DBNAME		0x02u	/* MOE-DBNAME: <account db_name> */
#define ML_HDR_PUSH_V21		0x04u	/* X-MOE-APPKEY, X-MOE-PushAPI-Signature, X-MOE-Query-Type */
#define ML_HDR_RECO_TYPE	0x08u	/* RECOMMENDATION-TYPE from input */
#define ML_HDR_IDEMPOTENCY_KEY	0x10u	/* Idempotency-Key: the caller's or a UUID v4 per call */
#define ML_HDR_X_APPKEY		0x20u	/* X-MOE-APPKEY: <ws> beside Basic auth (Live Activities) */

/* Row flags. */
#define ML_ACT_IDEMPOTENT	0x01u	/* safe to resend after no answer (reads) */
#define ML_ACT_BODY_REQUIRED	0x02u	/* a JSON body must be given (or built) */

struct ml_account;

/*
 * Input validation hook: check the request body and query as MoEngage would,
 * before anything is sent. body and query may be NULL. On a violation return
 * ML_EINVAL with err->kind "validation_failed" and err->field set (see
 * validate.h).
 */
typedef int (*ml_validate_fn)(json_object *body, json_object *query,
    struct ml_err *err);

/*
 * Default-body hook: build the body when the caller gives none (Test
 * Connection is built from the account). key is the key picked for the
 * family. On ML_OK *out owns a new json object.
 */
typedef int (*ml_default_body_fn)(const struct ml_account *acct,
    const char *key, json_object **out, struct ml_err *err);

struct ml_action {
	const char *name;		/* moengage_<verb>_<object> */
	enum ml_family family;
	enum ml_host_kind host;
	const char *method;		/* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *path;		/* template: {workspace_id}, {<param>} */
	enum ml_ws_place ws_place;
	enum ml_auth auth;
	unsigned headers;		/* ML_HDR_* */
	enum ml_envelope envelope;
	enum ml_paging paging;
	size_t max_body;		/* bytes; 0 = 128 KiB default */
	int rate_per_min;		/* documented per-workspace limit, 0 unknown */
	ml_validate_fn validate;	/* may be NULL */
	const char *summary;		/* one line for --help, /actions, MCP */
	const char *input_schema;	/* JSON Schema of {body, query, path} */
	unsigned flags;			/* ML_ACT_* */
	ml_default_body_fn default_body; /* may be NULL */
};

#define ML_DEFAULT_MAX_BODY (128u * 1024u)

/*
 * The rows live in one file per family (src/moengage/catalog_<family>.c);
 * a family is added by adding its file and one line in catalog.c.
 *
 * Every row, in a stable order; *count gets the number of rows. The array
 * and the rows are static and immutable (safe from any thread).
 */
const struct ml_action *const *ml_catalog_all(size_t *count);
/* Find a row by name; NULL if unknown. */
const struct ml_action *ml_catalog_find(const char *name);
/*
 * Match a request to a row (for the simulator and the proxy): method, host
 * kind and a concrete path (without query). Path parameters are not
 * extracted; NULL if no row matches.
 */
const struct ml_action *ml_catalog_match(const char *method,
    enum ml_host_kind host, const char *path);
/* The family of a concrete path on a host kind (proxy key choice); -1 if none. */
int ml_catalog_family_of(enum ml_host_kind host, const char *path);

/* Stable names ("data", "title", ... / "none", "cursor", ...) for APIs. */
const char *ml_envelope_name(enum ml_envelope env);
const char *ml_paging_name(enum ml_paging p);
/* "none", "path", "query" / "basic", "push_signature", "none",
 * "report_signature". */
const char *ml_ws_place_name(enum ml_ws_place place);
const char *ml_auth_name(enum ml_auth auth);

#endif
