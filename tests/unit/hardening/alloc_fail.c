/*
 * alloc_fail.c: the malloc/calloc/realloc wrappers behind alloc_fail.h.
 */
#include <stddef.h>

#include "alloc_fail.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

/* 0: off.  Otherwise allocation number `fail_at` (1-based, counted while
 * on) fails, and with fail_rest every later one too. */
static unsigned long fail_at, count, failed;
static int fail_rest;

static int should_fail(void)
{
	if (!fail_at)
		return 0;
	count++;
	if (count == fail_at || (fail_rest && count > fail_at)) {
		failed++;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

void af_arm(unsigned long at, int rest)
{
	count = 0;
	failed = 0;
	fail_rest = rest;
	fail_at = at;
}

void af_disarm(void)
{
	fail_at = 0;
}

unsigned long af_count(void)
{
	return count;
}

unsigned long af_failed(void)
{
	return failed;
}
