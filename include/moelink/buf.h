/* SPDX-License-Identifier: MIT */
/*
 * buf.h: a growable byte buffer with a hard size cap set at init.
 *
 * struct ml_buf is embedded by the caller: ml_buf_init() cannot fail and
 * allocates nothing; ml_buf_cleanup() frees the storage (not the struct).
 * The data is always NUL-terminated after a successful append, so text can be
 * read as a C string; len excludes the NUL. Appending past `max` returns
 * ML_ETOOBIG and leaves the buffer unchanged.
 */
#ifndef MOELINK_BUF_H
#define MOELINK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct ml_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* hard cap on len */
};

void ml_buf_init(struct ml_buf *b, size_t max);
void ml_buf_cleanup(struct ml_buf *b);
/* Like cleanup, but wipes the bytes first (for buffers that held secrets). */
void ml_buf_cleanup_zero(struct ml_buf *b);
void ml_buf_reset(struct ml_buf *b);
int ml_buf_append(struct ml_buf *b, const void *data, size_t len);
int ml_buf_append_str(struct ml_buf *b, const char *s);
int ml_buf_appendf(struct ml_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ml_buf_vappendf(struct ml_buf *b, const char *fmt, va_list ap);
/* Percent-encode s (RFC 3986 unreserved kept) and append. */
int ml_buf_append_urlenc(struct ml_buf *b, const char *s);
/*
 * Take ownership of the storage: returns the NUL-terminated data (never NULL
 * on success; an empty string for an empty buffer) and resets the buffer.
 * Returns NULL on allocation failure.
 */
char *ml_buf_detach(struct ml_buf *b);

#endif
