/*
 * buf.c: the growable text buffer (buf.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

void buf_release(struct buf *b)
{
	if (!b)
		return;
	if (!b->arena)
		free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
	b->oom = false;
}

void buf_reset(struct buf *b)
{
	b->n = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void buf_truncate(struct buf *b, size_t n)
{
	if (n >= b->n)
		return;
	b->n = n;
	b->p[n] = '\0';
}

const char *buf_cstr(const struct buf *b)
{
	return b->p ? b->p : "";
}

/* Make room for `n` more bytes and a NUL; false (oom set) when there is
 * none to be had. */
static bool reserve(struct buf *b, size_t n)
{
	if (b->oom)
		return false;
	if (b->p && n < b->cap - b->n)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap - b->n <= n) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *p;
	if (b->arena) {
		p = arena_grow(b->arena, b->p, b->n, cap, 1);
	} else {
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return false;
		}
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void buf_put(struct buf *b, const void *s, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_put(b, &c, 1);
}

void buf_fill(struct buf *b, char c, size_t n)
{
	if (!reserve(b, n))
		return;
	memset(b->p + b->n, c, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;  /* only an encoding error or an overflow of int */
		return;
	}
	if ((size_t)n < sizeof small) {
		buf_put(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void buf_put_utf8(struct buf *b, const char *s, size_t n)
{
	size_t run = 0, i = 0;
	while (i < n) {
		size_t k = utf8_len(s + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		buf_put(b, s + run, i - run);
		buf_put(b, UTF8_REPLACEMENT, 3);
		run = ++i;
	}
	buf_put(b, s + run, n - run);
}
