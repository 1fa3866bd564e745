/* SPDX-License-Identifier: MIT */
/*
 * mem.c: allocation wrappers with overflow checks, secret wiping and an
 * allocation-failure injector for tests (curl's "torture" idea).
 */
#include <moelink/mem.h>

#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Test-only failure injection; 0 means off. */
static atomic_long mem_countdown;
static atomic_int mem_sticky;

void
ml_mem_fail_after(long n, int sticky)
{
	atomic_store(&mem_sticky, sticky);
	atomic_store(&mem_countdown, n);
}

static int
mem_should_fail(void)
{
	long left = atomic_load(&mem_countdown);

	if (left <= 0)
		return 0;
	if (left == 1) {
		if (!atomic_load(&mem_sticky))
			atomic_store(&mem_countdown, 0);
		return 1;
	}
	atomic_fetch_sub(&mem_countdown, 1);
	return 0;
}

void *
ml_malloc(size_t size)
{
	if (mem_should_fail())
		return NULL;
	return malloc(size == 0 ? 1 : size);
}

void *
ml_calloc(size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if (mem_should_fail())
		return NULL;
	return calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
}

void *
ml_realloc(void *ptr, size_t size)
{
	if (mem_should_fail())
		return NULL;
	return realloc(ptr, size == 0 ? 1 : size);
}

void *
ml_reallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	return ml_realloc(ptr, nmemb * size);
}

void
ml_free(void *ptr)
{
	free(ptr);
}

void
ml_free_zero(void *ptr, size_t len)
{
	if (ptr == NULL)
		return;
	sodium_memzero(ptr, len);
	free(ptr);
}

void
ml_free_secret(char *s)
{
	if (s == NULL)
		return;
	ml_free_zero(s, strlen(s));
}

char *
ml_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = ml_malloc(len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
ml_strdup(const char *s)
{
	return ml_strndup(s, strlen(s));
}
