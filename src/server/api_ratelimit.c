/* SPDX-License-Identifier: MIT */
/*
 * api_ratelimit.c: 429 answers of POST /actions/rpc (and the Retry-After
 * header of a 429 that POST /proxy relays, the "retry after" of an MCP
 * tool call's rate-limit error).
 *
 * The server's MoEngage client retries a 429 after the window MoEngage
 * names (x-ratelimit-reset, Retry-After), but never waits longer than
 * `serve --retry-max-wait-ms` (retry.h): a window that opens later ends
 * the call at once. The caller then learns when to come back, in the
 * standard Retry-After header and in the error's "retry_after", both in
 * whole seconds counted from this answer, and sees MoEngage's own body.
 * Nothing here waits or retries.
 */
#include "server/api_ratelimit.h"

#include <stdio.h>
#include <time.h>

#include <moelink/json.h>
#include <moelink/ratelimit.h>

long
ml_api_ratelimit_seconds(const struct ml_response *resp)
{
	struct timespec ts;
	long wait_ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	wait_ms = ml_ratelimit_reset_wait(resp->ratelimit_reset[0] != '\0' ?
	    resp->ratelimit_reset : NULL, resp->retry_after[0] != '\0' ?
	    resp->retry_after : NULL, (int64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000, ML_API_RATELIMIT_DEFAULT_MS,
	    ML_API_RATELIMIT_MAX_MS);
	return (wait_ms + 999) / 1000;
}

int
ml_api_ratelimit_header(struct ml_http_req *r, const struct ml_response *resp,
    long *after)
{
	char secs[24];

	*after = ml_api_ratelimit_seconds(resp);
	snprintf(secs, sizeof(secs), "%ld", *after);
	return ml_http_add_header(r, "Retry-After", secs);
}

void
ml_api_ratelimit_message(struct ml_err *err, long after)
{
	char msg[ML_ERR_MSG_LEN];

	snprintf(msg, sizeof(msg), "%.200s; retry after %ld s", err->msg,
	    after);
	ml_strlcpy(err->msg, msg, sizeof(err->msg));
}

int
ml_api_ratelimit_reply(struct ml_http_req *r, const struct ml_http_call *call)
{
	const struct ml_response *resp = &call->resp;
	json_object *root = NULL, *e, *m, *body = NULL;
	struct ml_err err;
	long after = 0;
	int rc;

	rc = ml_api_ratelimit_header(r, resp, &after);
	err = call->err;
	ml_api_ratelimit_message(&err, after);
	if (rc == ML_OK)
		rc = ml_http_err_json(r, &err, &root);
	if (rc)
		return rc;
	e = ml_json_get(root, "error", json_type_object);
	rc = ml_json_add_int(e, "retry_after", after);
	m = ml_json_get(e, "moengage", json_type_object);
	if (rc == ML_OK && m != NULL && resp->body != NULL &&
	    resp->body_len > 0 && ml_json_parse(resp->body, resp->body_len, 0,
	    0, &body, NULL) == ML_OK && json_object_object_add(m, "body",
	    body) == 0)
		body = NULL;
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 429, root);
	json_object_put(body);
	json_object_put(root);
	return rc;
}
