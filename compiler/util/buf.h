/*
 * buf.h: the compiler's one growable text buffer.
 *
 * A buffer holds bytes (any bytes: NUL too) and keeps them NUL-terminated
 * once anything was put, so `p` can be read as a C string when the bytes
 * hold no NUL.  It grows either with malloc (BUF_INIT: release it with
 * buf_release) or inside an arena (BUF_ARENA: the arena owns the
 * memory, and out of memory there is fatal, as for every arena).
 *
 * Out of memory is sticky, the one convention: a put that cannot grow the
 * buffer leaves it as it was and sets `oom`, and every later put is a
 * no-op until buf_reset.  Puts return nothing; a caller checks `oom` once,
 * where its result is used.
 */
#ifndef AUTHZC_BUF_H
#define AUTHZC_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct buf {
	char *p;                /* NUL-terminated once anything was put; else NULL */
	size_t n, cap;          /* bytes held; bytes allocated */
	bool oom;               /* a put failed: later puts do nothing */
	struct arena *arena;    /* NULL: malloc'd */
};

/* An empty buffer that grows with malloc. */
#define BUF_INIT { NULL, 0, 0, false, NULL }
/* An empty buffer that grows inside arena `a` (and so never sets oom). */
#define BUF_ARENA(a) { NULL, 0, 0, false, (a) }

/* Free a malloc'd buffer's memory (not an arena's) and make it empty;
 * the arena, if any, stays set.  NULL is a no-op. */
void buf_release(struct buf *b);

/* Empty the buffer and clear `oom`, keeping its memory for reuse. */
void buf_reset(struct buf *b);

/* Cut the buffer back to its first `n` bytes (n <= b->n). */
void buf_truncate(struct buf *b, size_t n);

/* The text as a C string: "" when nothing was put. */
const char *buf_cstr(const struct buf *b);

void buf_put(struct buf *b, const void *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* `n` copies of byte `c`. */
void buf_fill(struct buf *b, char c, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s[0..n) with every byte that is not part of a valid UTF-8 character
 * (utf8.h) replaced by U+FFFD: the result is valid UTF-8. */
void buf_put_utf8(struct buf *b, const char *s, size_t n);

#endif
