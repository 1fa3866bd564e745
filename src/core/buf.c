/* SPDX-License-Identifier: MIT */
/*
 * buf.c: bounded growable buffer. Growth doubles; the cap is enforced before
 * any allocation so an oversized input never costs memory.
 */
#include <moelink/buf.h>
#include <moelink/err.h>
#include <moelink/mem.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void
ml_buf_init(struct ml_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
ml_buf_cleanup(struct ml_buf *b)
{
	ml_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
ml_buf_cleanup_zero(struct ml_buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->cap);
	ml_buf_cleanup(b);
}

void
ml_buf_reset(struct ml_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
buf_reserve(struct ml_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return ML_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return ML_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = ml_realloc(b->data, ncap);
	if (p == NULL)
		return ML_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return ML_OK;
}

int
ml_buf_append(struct ml_buf *b, const void *data, size_t len)
{
	int rc;

	rc = buf_reserve(b, len);
	if (rc)
		return rc;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return ML_OK;
}

int
ml_buf_append_str(struct ml_buf *b, const char *s)
{
	return ml_buf_append(b, s, strlen(s));
}

int
ml_buf_vappendf(struct ml_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ML_EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return ML_OK;
}

int
ml_buf_appendf(struct ml_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ml_buf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int
ml_buf_append_urlenc(struct ml_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	int rc = ML_OK;

	for (p = (const unsigned char *)s; *p != '\0' && rc == ML_OK; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~') {
			rc = ml_buf_append(b, p, 1);
		} else {
			char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			rc = ml_buf_append(b, enc, 3);
		}
	}
	return rc;
}

char *
ml_buf_detach(struct ml_buf *b)
{
	char *p;

	if (b->data == NULL) {
		if (buf_reserve(b, 0))
			return NULL;
		b->data[0] = '\0';
	}
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
