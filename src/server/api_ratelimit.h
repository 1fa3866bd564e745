/* SPDX-License-Identifier: MIT */
/*
 * api_ratelimit.h: the answer to a caller when MoEngage's rate limit
 * outlasts what the server may wait for it (api_ratelimit.c).
 */
#ifndef ML_SERVER_API_RATELIMIT_H
#define ML_SERVER_API_RATELIMIT_H

#include "server/http.h"

/* Without x-ratelimit-reset or Retry-After: one MoEngage window. */
#define ML_API_RATELIMIT_DEFAULT_MS 60000L
/* A reset further away than this is taken as this (a day). */
#define ML_API_RATELIMIT_MAX_MS 86400000L

/*
 * Whole seconds until the window MoEngage's 429 (resp) names, from
 * x-ratelimit-reset or Retry-After (the later), at least 1; one window
 * when it names none.
 */
long ml_api_ratelimit_seconds(const struct ml_response *resp);
/* Add those seconds to r's answer as Retry-After; *after gets them. */
int ml_api_ratelimit_header(struct ml_http_req *r,
    const struct ml_response *resp, long *after);
/* Append "; retry after N s" to err->msg (truncating what is before). */
void ml_api_ratelimit_message(struct ml_err *err, long after);

/*
 * Answer 429 for a call that ended rate-limited (ml_api_call_status 429):
 * a Retry-After header in whole seconds and the one error shape with
 * "retry_after" (the same seconds) and, under "moengage", MoEngage's own
 * answer body as it came ("body", when it is JSON) beside its status,
 * type, message and request id. Returns as a route handler does.
 */
int ml_api_ratelimit_reply(struct ml_http_req *r,
    const struct ml_http_call *call);

#endif
