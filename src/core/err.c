/* SPDX-License-Identifier: MIT */
/*
 * err.c: status strings and the error-detail helpers.
 * Thread-safe: no state besides const tables.
 */
#include <moelink/err.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_row {
	int code;
	const char *kind;
	const char *text;
};

static const struct err_row err_table[] = {
	{ ML_OK, "ok", "success" },
	{ ML_ENOMEM, "out_of_memory", "out of memory" },
	{ ML_EINVAL, "invalid_request", "invalid input" },
	{ ML_ETOOBIG, "payload_too_large", "payload too large" },
	{ ML_EJSON, "malformed_json", "malformed JSON" },
	{ ML_EDC, "invalid_data_center", "unknown data center" },
	{ ML_ENOKEY, "missing_api_key", "no API key for this API family" },
	{ ML_EHTTP, "moengage_error", "MoEngage returned an error" },
	{ ML_ENET, "network_error", "network error" },
	{ ML_ETIMEOUT, "timeout", "timed out" },
	{ ML_ENOTFOUND, "not_found", "not found" },
	{ ML_ESTORE, "storage_error", "storage error" },
	{ ML_ECRYPTO, "crypto_error", "cryptographic failure" },
	{ ML_EAUTH, "unauthorized", "not authorized" },
	{ ML_EIO, "io_error", "I/O error" },
	{ ML_ECONFLICT, "conflict", "conflict" },
	{ ML_EEXPIRED, "expired", "expired" },
	{ ML_ERATELIMIT, "rate_limited", "rate limited" },
	{ ML_ECANCELED, "canceled", "canceled" },
	{ ML_EINTERNAL, "internal_error", "internal error" },
};

static const struct err_row *
err_find(int code)
{
	size_t i;

	for (i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return &err_table[i];
	return NULL;
}

const char *
ml_strerror(int code)
{
	const struct err_row *r = err_find(code);

	return r ? r->text : "unknown error";
}

const char *
ml_err_kind(int code)
{
	const struct err_row *r = err_find(code);

	return r ? r->kind : "internal_error";
}

size_t
ml_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap > 0) {
		size_t c = n < cap - 1 ? n : cap - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void
ml_err_clear(struct ml_err *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

int
ml_err_set(struct ml_err *err, int code, const char *kind, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	ml_strlcpy(err->kind, kind != NULL ? kind : ml_err_kind(code),
	    sizeof(err->kind));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
ml_err_field(struct ml_err *err, const char *field)
{
	if (err != NULL && field != NULL)
		ml_strlcpy(err->field, field, sizeof(err->field));
}
