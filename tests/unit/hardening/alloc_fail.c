/*
 * alloc_fail.c: the malloc/calloc/realloc/free wrappers behind alloc_fail.h.
 */
#include <stddef.h>

#include "alloc_fail.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

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

/* While tracking: blocks allocated and not yet freed. */
static long live;
static int tracking;

static void *track(void *p)
{
	if (p && tracking)
		live++;
	return p;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : track(__real_malloc(n));
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : track(__real_calloc(n, size));
}

/* A realloc of NULL makes a block; of a block, moves it (realloc to 0
 * bytes, which would free it, is never asked for). */
void *__wrap_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	void *q = __real_realloc(p, n);
	return p ? q : track(q);
}

void __wrap_free(void *p)
{
	if (p && tracking)
		live--;
	__real_free(p);
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

void af_track_begin(void)
{
	live = 0;
	tracking = 1;
}

long af_track_end(void)
{
	tracking = 0;
	return live;
}
