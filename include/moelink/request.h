/* SPDX-License-Identifier: MIT */
/*
 * request.h: turn (action row, account, input) into one concrete HTTP
 * request: URL on the account's regional host, auth, MoEngage headers, body.
 * Validation runs here, so an invalid input never reaches the network.
 *
 * Also the HTTP response struct the client fills.
 */
#ifndef MOELINK_REQUEST_H
#define MOELINK_REQUEST_H

#include <json-c/json.h>
#include <stddef.h>

#include <moelink/account.h>
#include <moelink/catalog.h>
#include <moelink/dc.h>
#include <moelink/err.h>

#define ML_MAX_HEADERS 16

/*
 * A built request. Embedded by the caller: ml_request_init() cannot fail;
 * ml_request_cleanup() wipes header values (they carry credentials) and the
 * body, then frees them.
 */
struct ml_request {
	char method[8];
	char host[ML_HOST_MAX];		/* "api-02.moengage.com" */
	char *url;			/* "https://api-02.moengage.com/v1/..." */
	char *headers[ML_MAX_HEADERS];	/* "Name: value" lines */
	size_t nheaders;
	char *body;			/* may be NULL (GET) */
	size_t body_len;
	const struct ml_action *action;	/* NULL for raw proxy requests */
	enum ml_family family;
	enum ml_envelope envelope;
	int idempotent;			/* safe to retry after a timeout */
};

/* The input of an action call; any member may be NULL. Borrowed. */
struct ml_call_input {
	json_object *body;	/* JSON body (object or array) */
	json_object *query;	/* object of string/number values */
	json_object *path;	/* object of path-template parameters */
	json_object *headers;	/* extra headers some actions take (RECOMMENDATION-TYPE) */
};

void ml_request_init(struct ml_request *req);
void ml_request_cleanup(struct ml_request *req);
/* Add "Name: value"; refuses CR/LF/NUL in either part (ML_EINVAL). */
int ml_request_add_header(struct ml_request *req, const char *name,
    const char *value, struct ml_err *err);

/*
 * Build req for action a on account acct. Runs the action's validation and
 * the body-size cap first; picks the key for the family (ML_ENOKEY if none).
 * On failure req is left clean (as after init) and nothing is sent.
 */
int ml_request_build(struct ml_request *req, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    struct ml_err *err);

/* A response. Embedded; cleanup frees body. */
struct ml_response {
	int status;			/* HTTP status; 0 if no answer */
	char *body;			/* NUL-terminated; may be NULL */
	size_t body_len;
	char content_type[96];
	char ratelimit_reset[32];	/* x-ratelimit-reset as received */
	char retry_after[32];		/* Retry-After as received */
	long ratelimit_limit;		/* -1 if absent */
	long ratelimit_remaining;	/* -1 if absent */
	int attempts;			/* requests sent, retries included */
	int http_version;		/* 1 or 2 */
};

void ml_response_init(struct ml_response *resp);
void ml_response_cleanup(struct ml_response *resp);

#endif
