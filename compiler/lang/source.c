/*
 * source.c: source texts, line maps, positions (see source.h).
 */
#include "source.h"

#include <string.h>

#include "utf8.h"

void srcset_init(struct srcset *s, struct arena *a)
{
	memset(s, 0, sizeof(*s));
	s->arena = a;
}

uint32_t srcset_add(struct srcset *s, const char *name, const char *text, size_t len)
{
	struct src_file *f = arena_alloc(s->arena, sizeof(*f));
	f->name = arena_strdup(s->arena, name);
	f->text = arena_strndup(s->arena, text, len);
	f->len = len;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	f->line_starts = arena_calloc(s->arena, lines, sizeof(uint32_t));
	f->nlines = 0;
	f->line_starts[f->nlines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			f->line_starts[f->nlines++] = (uint32_t)(i + 1);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		s->files = arena_grow(s->arena, s->files, s->n, cap, sizeof(*s->files));
		s->cap = cap;
	}
	s->files[s->n] = f;
	return (uint32_t)s->n++;
}

struct src_file *srcset_file(const struct srcset *s, uint32_t id)
{
	return id < s->n ? s->files[id] : NULL;
}

void src_line_col(struct src_file *f, uint32_t offset, uint32_t *line, uint32_t *col)
{
	if (offset > f->len)
		offset = (uint32_t)f->len;
	/* Binary search for the last line start <= offset. */
	size_t lo = 0, hi = f->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	*line = (uint32_t)lo + 1;
	/* Columns count characters (utf8_count), as rustc does. */
	uint32_t start = f->line_starts[lo];
	*col = 1 + (uint32_t)utf8_count(f->text + start, offset - start);
}

const char *src_line_text(struct src_file *f, uint32_t line, size_t *len)
{
	const char *end = f->text + f->len;
	if (line < 1)
		line = 1;
	if (line > f->nlines)
		line = (uint32_t)f->nlines;
	const char *p = f->text + f->line_starts[line - 1];
	const char *e = p;
	while (e < end && *e != '\n')
		e++;
	if (e > p && e[-1] == '\r')
		e--;
	*len = (size_t)(e - p);
	return p;
}
