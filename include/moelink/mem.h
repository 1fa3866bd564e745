/* SPDX-License-Identifier: MIT */
/*
 * mem.h: the one allocation seam. All heap memory in moelink goes through
 * these functions so tests can inject failures and secrets can be wiped.
 *
 * Out-of-memory policy: library code returns ML_ENOMEM; nothing aborts.
 */
#ifndef MOELINK_MEM_H
#define MOELINK_MEM_H

#include <stddef.h>

void *ml_malloc(size_t size);
/* Returns NULL (and allocates nothing) if nmemb * size overflows. */
void *ml_calloc(size_t nmemb, size_t size);
/* Like realloc; on failure the old block stays valid and owned by the caller. */
void *ml_realloc(void *ptr, size_t size);
/* Overflow-checked realloc of an array. */
void *ml_reallocarray(void *ptr, size_t nmemb, size_t size);
void ml_free(void *ptr);
/* Wipe len bytes with sodium_memzero, then free. NULL is a no-op. */
void ml_free_zero(void *ptr, size_t len);
/* Wipe a NUL-terminated secret string, then free. NULL is a no-op. */
void ml_free_secret(char *s);
char *ml_strdup(const char *s);
char *ml_strndup(const char *s, size_t n);

/*
 * Test hook: fail the n-th allocation from now (1 = the next one), and every
 * later one if `sticky`. n = 0 turns failure injection off. This is the only
 * mutable global of the library, documented as test-only; it is atomic.
 */
void ml_mem_fail_after(long n, int sticky);

#endif
