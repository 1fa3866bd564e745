/* SPDX-License-Identifier: MIT */
/*
 * fuzz_envelope: libFuzzer target for ml_envelope_parse, which reads
 * MoEngage's (untrusted) answers. Input: byte 0 picks the HTTP status, the
 * rest is the body; the body is parsed as every envelope shape.
 * Invariants: success only for 2xx (and Inform's duplicate 409); an
 * error has a kind and a message; all text fields are NUL-terminated, free
 * of control characters and valid UTF-8 (they are printed and put into
 * JSON as they are).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/envelope.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_statuses[] = {
	200, 201, 202, 400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503,
	0, 302,
};

/* NUL-terminated within cap, no control characters, valid UTF-8. */
static void
fuzz_check_text(const char *s, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, cap), i = 0, n, k;

	if (len == cap)
		abort();
	while (i < len) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			abort();
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = (p[i] & 0xE0) == 0xC0 ? 2 : (p[i] & 0xF0) == 0xE0 ? 3 :
		    (p[i] & 0xF8) == 0xF0 ? 4 : 0;
		if (n == 0 || i + n > len || p[i] == 0xC0 || p[i] == 0xC1 ||
		    p[i] > 0xF4)
			abort();
		for (k = 1; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				abort();
		i += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ml_err err;
	int status, env, rc;

	if (size < 1)
		return 0;
	status = fuzz_statuses[data[0] % (sizeof(fuzz_statuses) /
	    sizeof(fuzz_statuses[0]))];
	for (env = 0; env < ML_ENV_COUNT; env++) {
		memset(&err, 0x41, sizeof(err));
		ml_err_clear(&err);
		rc = ml_envelope_parse((enum ml_envelope)env, status,
		    (const char *)data + 1, size - 1, &err);
		if (rc == ML_OK) {
			/* Success: a 2xx, or Inform's "already sent" 409. */
			if ((status < 200 || status > 299) &&
			    !ml_envelope_already_sent((enum ml_envelope)env,
			    status, (const char *)data + 1, size - 1))
				abort();
			continue;
		}
		if (err.code != rc || err.kind[0] == '\0' || err.msg[0] == '\0' ||
		    err.http_status != status)
			abort();
		fuzz_check_text(err.msg, sizeof(err.msg));
		fuzz_check_text(err.moe_type, sizeof(err.moe_type));
		fuzz_check_text(err.moe_message, sizeof(err.moe_message));
		fuzz_check_text(err.moe_request_id, sizeof(err.moe_request_id));
		fuzz_check_text(err.field, sizeof(err.field));
	}
	return 0;
}
