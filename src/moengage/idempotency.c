/* SPDX-License-Identifier: MIT */
/*
 * idempotency.c: Idempotency-Key for the rows that require it
 * (idempotency.h). subscription-categories-v5.yaml and
 * email-subscription-v5.yaml: "A UUID v4 you generate per logical update.
 * Reusing a key with the same request body within the retention window
 * returns the original response without reapplying the update." The key
 * is made when the request is built; the client resends that request as
 * built, so a retry after a timeout or a 5xx cannot apply the update twice.
 *
 * Stateless and thread-safe (libsodium initialised, as ml_client_new does).
 */
#include "moengage/idempotency.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

/* Where the hyphens of 8-4-4-4-12 go. */
static int
idempotency_hyphen_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

void
ml_idempotency_uuid4(char out[ML_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0;

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (i = 0; i < sizeof(b); i++) {
		if (idempotency_hyphen_at(o))
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

int
ml_idempotency_is_uuid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != ML_UUID_LEN)
		return 0;
	for (i = 0; i < ML_UUID_LEN; i++) {
		if (idempotency_hyphen_at(i) ? s[i] != '-' :
		    strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return 0;
	}
	return 1;
}

int
ml_idempotency_add(struct ml_request *req, const struct ml_action *a,
    json_object *hdrs, struct ml_err *err)
{
	char uuid[ML_UUID_LEN + 1];
	const char *key = NULL;

	if (!(a->headers & ML_HDR_IDEMPOTENCY_KEY))
		return ML_OK;
	if (hdrs != NULL && json_object_is_type(hdrs, json_type_object)) {
		json_object_object_foreach(hdrs, k, v) {
			if (strcasecmp(k, ML_IDEMPOTENCY_HEADER) == 0)
				key = json_object_get_string(v);
		}
	}
	if (key != NULL && !ml_idempotency_is_uuid(key))
		return ml__vfail(err, "headers.", ML_IDEMPOTENCY_HEADER,
		    "must be a UUID (8-4-4-4-12 hex digits); leave it out and "
		    "moelink makes one per call");
	if (key == NULL) {
		ml_idempotency_uuid4(uuid);
		key = uuid;
	}
	return ml_request_add_header(req, ML_IDEMPOTENCY_HEADER, key, err);
}
