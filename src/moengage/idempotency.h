/* SPDX-License-Identifier: MIT */
/*
 * idempotency.h: the Idempotency-Key header of the rows that require one
 * (ML_HDR_IDEMPOTENCY_KEY; the v5 subscription preference update). Not
 * public: ml_request_build() calls it.
 */
#ifndef ML_IDEMPOTENCY_H
#define ML_IDEMPOTENCY_H

#include <json-c/json.h>

#include <moelink/err.h>
#include <moelink/request.h>

#define ML_IDEMPOTENCY_HEADER "Idempotency-Key"
#define ML_UUID_LEN 36

/* A fresh RFC 4122 version 4 UUID (libsodium randombytes), lowercase. */
void ml_idempotency_uuid4(char out[ML_UUID_LEN + 1]);
/* 1 if s is a UUID (8-4-4-4-12 hex digits, any case and version). */
int ml_idempotency_is_uuid(const char *s);
/*
 * For a row with ML_HDR_IDEMPOTENCY_KEY: add Idempotency-Key to req, the
 * caller's own from hdrs (any case of the name; it must be a UUID, else
 * ML_EINVAL naming headers.Idempotency-Key) or a new UUID v4. req is built
 * once per logical call and resent as it is, so every retry carries the
 * same key. Other rows: nothing (request.c refuses the header for them).
 */
int ml_idempotency_add(struct ml_request *req, const struct ml_action *a,
    json_object *hdrs, struct ml_err *err);

#endif
