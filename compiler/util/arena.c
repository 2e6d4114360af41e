/*
 * arena.c: bump allocator in chained blocks (see arena.h).
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 65536
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static void (*oom_handler)(void);

void arena_set_oom(void (*fn)(void))
{
	oom_handler = fn;
}

static void arena_oom(void)
{
	if (oom_handler)
		oom_handler();
	abort();
}

void *arena_alloc(struct arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct arena_block *b = a->head;

	if (need < size)
		arena_oom();
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		if (cap > SIZE_MAX - sizeof(*b))
			arena_oom();
		b = malloc(sizeof(*b) + cap);
		if (!b)
			arena_oom();
		b->used = 0;
		b->cap = cap;
		/* A big one-off block goes behind the current one so the
		 * current block's free space stays in use. */
		if (a->head && need > ARENA_BLOCK / 4) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		arena_oom();
	return arena_alloc(a, n * size);
}

void *arena_grow(struct arena *a, void *old, size_t old_n, size_t new_n, size_t size)
{
	void *p = arena_calloc(a, new_n, size);
	if (old && old_n)
		memcpy(p, old, old_n * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		arena_oom();
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = 0;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	char *p = arena_alloc(a, (size_t)n + 1);
	va_copy(ap2, ap);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void ptrvec_push(struct arena *a, struct ptrvec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		v->items = arena_grow(a, v->items, v->n, cap, sizeof(void *));
		v->cap = cap;
	}
	v->items[v->n++] = item;
}
