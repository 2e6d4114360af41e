/*
 * arena.h: one region allocator per compilation.
 *
 * Everything the front end builds (AST, types, diagnostics, interned names)
 * is allocated from an arena and released with one arena_free().  Nothing
 * allocated from an arena is freed on its own.
 *
 * Allocation failure is fatal for the compiler: the arena calls the handler
 * the program installed with arena_set_oom (authzc's prints "out of memory"
 * and exits), or aborts when there is none; it never returns NULL.  The
 * runtime library never uses this allocator.
 */
#ifndef AUTHZC_ARENA_H
#define AUTHZC_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

#define ARENA_INIT { 0 }

/* Install what to do when an arena cannot get memory: `fn` must not
 * return.  Set once, by main, before anything is allocated. */
void arena_set_oom(void (*fn)(void));

/* Return `size` bytes aligned for any object, zeroed. */
void *arena_alloc(struct arena *a, size_t size);
/* Return a zeroed array of `n` objects of `size` bytes; checks overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Grow an arena array from `old_n` to `new_n` elements (copies). */
void *arena_grow(struct arena *a, void *old, size_t old_n, size_t new_n, size_t size);
/* Copy `len` bytes and add a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena ("" when the format fails). */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same with a va_list (not consumed: the caller still va_ends it). */
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Release every block; the arena is empty and reusable afterwards. */
void arena_free(struct arena *a);

/* A growable array of pointers living in an arena. */
struct ptrvec {
	void **items;
	size_t n, cap;
};
void ptrvec_push(struct arena *a, struct ptrvec *v, void *item);

#endif
