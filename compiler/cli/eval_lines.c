/*
 * eval_lines.c: a bounded reader of JSON Lines for `authzc eval`
 * (eval_io.h).
 *
 * One buffer, grown up to the line limit and reused: lines are handed out
 * as pointers into it.  read(2) rather than stdio, so an interactive stdin
 * gets its decision as soon as the line is typed; a big buffer makes it as
 * fast as fread on a pipe or file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval_io.h"

#define LINES_INITIAL (64u << 10)

void eval_lines_init(struct eval_lines *l, int fd, size_t max)
{
	memset(l, 0, sizeof *l);
	l->fd = fd;
	l->max = max;
}

void eval_lines_release(struct eval_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = l->start = l->end = 0;
}

/* Make room after l->end: move the pending bytes to the front, or grow the
 * buffer up to max + 1 bytes (enough to see that a line is too long). */
static int make_room(struct eval_lines *l)
{
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
		if (l->end < l->cap)
			return 0;
	}
	size_t limit = l->max + 1;
	size_t cap = l->cap ? l->cap * 2 : LINES_INITIAL;
	if (cap > limit)
		cap = limit;
	if (cap < 64)
		cap = 64;
	if (cap <= l->cap) {
		errno = ENOMEM;     /* cannot happen: the caller skips long lines */
		return -1;
	}
	char *nb = realloc(l->buf, cap);
	if (!nb) {
		errno = ENOMEM;
		return -1;
	}
	l->buf = nb;
	l->cap = cap;
	return 0;
}

/* Read more bytes after l->end; sets l->eof at the end of input. */
static int fill(struct eval_lines *l)
{
	if (l->end == l->cap && make_room(l) < 0)
		return -1;
	ssize_t got;
	do
		got = read(l->fd, l->buf + l->end, l->cap - l->end);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -1;
	if (got == 0)
		l->eof = true;
	l->end += (size_t)got;
	return 0;
}

int eval_lines_next(struct eval_lines *l, const char **line, size_t *len)
{
	for (;;) {
		char *p = l->buf + l->start;
		size_t pending = l->end - l->start;
		char *nl = pending ? memchr(p, '\n', pending) : NULL;
		if (l->skipping) {
			if (nl || l->eof) {
				l->start = nl ? (size_t)(nl - l->buf) + 1 : l->end;
				l->skipping = false;
				return EVAL_LINE_TOO_LONG;
			}
			l->start = l->end = 0;      /* drop what was read */
		} else if (nl && (size_t)(nl - p) <= l->max) {
			*line = p;
			*len = (size_t)(nl - p);
			l->start += *len + 1;
			l->lineno++;
			return EVAL_LINE;
		} else if (nl || pending > l->max) {
			l->skipping = true;
			l->lineno++;
			continue;
		} else if (l->eof) {
			if (!pending)
				return EVAL_LINE_EOF;
			*line = p;
			*len = pending;
			l->start = l->end;
			l->lineno++;
			return EVAL_LINE;
		}
		if (fill(l) < 0)
			return EVAL_LINE_ERROR;
	}
}
