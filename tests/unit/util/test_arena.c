/*
 * test_arena.c: the compiler's region allocator (compiler/util/arena.h):
 * alignment, zeroing, growth, printf, and what happens when memory runs out.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

Test(arena, allocations_are_aligned_and_zeroed)
{
	struct arena a = ARENA_INIT;
	for (size_t n = 1; n < 200000; n = n * 3 + 1) {
		unsigned char *p = arena_alloc(&a, n);
		cr_assert_eq((uintptr_t)p % 16, 0, "%zu bytes not aligned", n);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(p[i], 0);
		memset(p, 0xa5, n);
	}
	arena_free(&a);
}

Test(arena, grow_keeps_the_old_elements)
{
	struct arena a = ARENA_INIT;
	int *v = NULL;
	for (size_t n = 0; n < 1000; n++) {
		v = arena_grow(&a, v, n, n + 1, sizeof *v);
		v[n] = (int)n;
	}
	for (size_t n = 0; n < 1000; n++)
		cr_assert_eq(v[n], (int)n);
	arena_free(&a);
}

Test(arena, printf_formats_into_the_arena)
{
	struct arena a = ARENA_INIT;
	cr_assert_str_eq(arena_printf(&a, "%s-%d", "x", 42), "x-42");
	char big[5000];
	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = 0;
	cr_assert_str_eq(arena_printf(&a, "%s", big), big);
	arena_free(&a);
}

static void oom_exit(void)
{
	exit(42);
}

/* An impossible size reaches the installed handler (authzc's prints and
 * exits); it never comes back as NULL. */
Test(arena, out_of_memory_calls_the_handler, .exit_code = 42)
{
	struct arena a = ARENA_INIT;
	arena_set_oom(oom_exit);
	void *p = arena_alloc(&a, SIZE_MAX - 8);
	cr_assert_fail("arena_alloc returned %p", p);
}

Test(arena, overflowing_calloc_calls_the_handler, .exit_code = 42)
{
	struct arena a = ARENA_INIT;
	arena_set_oom(oom_exit);
	void *p = arena_calloc(&a, SIZE_MAX / 2, 4);
	cr_assert_fail("arena_calloc returned %p", p);
}
