/* SPDX-License-Identifier: MIT */
/*
 * err.h: the one status type of libmoelink and the error detail struct.
 *
 * Every function that can fail returns int: ML_OK (0) or a negative ML_E*.
 * Detail goes into a caller-owned struct ml_err, never into a global. The
 * struct is plain data with fixed-size fields so it can live on the stack and
 * be copied across threads.
 */
#ifndef MOELINK_ERR_H
#define MOELINK_ERR_H

#include <stddef.h>

enum ml_status {
	ML_OK = 0,
	ML_ENOMEM = -1,		/* allocation failed */
	ML_EINVAL = -2,		/* caller input is invalid (validation, usage) */
	ML_ETOOBIG = -3,	/* input or response over its size cap */
	ML_EJSON = -4,		/* malformed JSON */
	ML_EDC = -5,		/* unknown data center */
	ML_ENOKEY = -6,		/* no API key for the family */
	ML_EHTTP = -7,		/* MoEngage answered with an error */
	ML_ENET = -8,		/* transport failure: connect, TLS, reset */
	ML_ETIMEOUT = -9,	/* transport timeout */
	ML_ENOTFOUND = -10,	/* no such object */
	ML_ESTORE = -11,	/* database failure */
	ML_ECRYPTO = -12,	/* sealing/opening failed */
	ML_EAUTH = -13,		/* caller not authenticated / not allowed */
	ML_EIO = -14,		/* file or socket I/O */
	ML_ECONFLICT = -15,	/* state conflict (already exists, spent) */
	ML_EEXPIRED = -16,	/* token or session expired */
	ML_ERATELIMIT = -17,	/* rate limited and out of retries */
	ML_ECANCELED = -18,	/* shut down before completion */
	ML_EINTERNAL = -19	/* a bug: should not happen */
};

#define ML_ERR_MSG_LEN 256
#define ML_ERR_MOE_MSG_LEN 512

/*
 * Error detail. `code` mirrors the returned status. `kind` is a stable
 * snake_case string for APIs ("invalid_data_center", "moengage_error", ...),
 * `msg` a human sentence. The moe_* fields carry what MoEngage said, when an
 * answer came back; `field` names the input field a validation error is about.
 */
struct ml_err {
	int code;
	int http_status;		/* MoEngage's HTTP status, 0 if none */
	char kind[48];
	char msg[ML_ERR_MSG_LEN];
	char field[64];
	char moe_type[128];
	char moe_message[ML_ERR_MOE_MSG_LEN];
	char moe_request_id[64];
};

/* Reset to "no error". Cannot fail. err may be NULL. */
void ml_err_clear(struct ml_err *err);

/*
 * Fill code, kind and a printf-formatted msg; returns code so callers can
 * write `return ml_err_set(err, ML_EINVAL, "bad_x", "...")`. err may be NULL.
 * Text longer than the field is truncated.
 */
int ml_err_set(struct ml_err *err, int code, const char *kind,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Set err->field (truncated to fit). err may be NULL. */
void ml_err_field(struct ml_err *err, const char *field);

/* A static English string for a status code. Never NULL. */
const char *ml_strerror(int code);

/* The default stable kind string for a status code. Never NULL. */
const char *ml_err_kind(int code);

/* Bounded copy: always NUL-terminates dst when cap > 0. Returns strlen(src). */
size_t ml_strlcpy(char *dst, const char *src, size_t cap);

#endif
