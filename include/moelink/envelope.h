/* SPDX-License-Identifier: MIT */
/*
 * envelope.h: MoEngage's many error bodies (reference section 9) turned into
 * one struct ml_err. One parser per shape; the action row says which shape
 * to expect, and each parser also tolerates the other shapes a family has
 * been seen to return.
 */
#ifndef MOELINK_ENVELOPE_H
#define MOELINK_ENVELOPE_H

#include <stddef.h>

#include <moelink/catalog.h>
#include <moelink/err.h>

/*
 * Classify an answer. Returns ML_OK if it is a success (2xx and, for Push,
 * not {"status":"Fail"}; also Inform's 409 duplicate, see below).
 * Otherwise fills err: code ML_EHTTP (ML_ERATELIMIT for 429, ML_EAUTH for
 * 401/403), http_status, kind ("moengage_error",
 * "moengage_auth_failed", "moengage_rate_limited", ...), moe_type,
 * moe_message, moe_request_id where the body has them, and a human msg that
 * quotes MoEngage's message. body may be NULL or not JSON.
 */
int ml_envelope_parse(enum ml_envelope env, int status, const char *body,
    size_t len, struct ml_err *err);

/*
 * 1 if the answer is Inform's 409 DUPLICATE_REQUEST_RECEIVED (err_code, or
 * status_code 120105): the same transaction_id was accepted within the
 * last 5 minutes, so the alert is already sent. ml_envelope_parse() counts
 * it as success (ML_OK); callers use this to tell it apart from a first
 * send (REST answers "already_sent": true, the CLI prints the same).
 */
int ml_envelope_already_sent(enum ml_envelope env, int status,
    const char *body, size_t len);

#endif
