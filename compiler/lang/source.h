/*
 * source.h: source texts and positions.
 *
 * A srcset owns every text a compilation reads (policy files, test files,
 * the schema, authzc.json), whether it came from disk or from a git tree.
 * Positions are byte offsets into a file (struct span); line and column are
 * computed only when a diagnostic is rendered, from the file's line map.
 */
#ifndef AUTHZC_SOURCE_H
#define AUTHZC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "authzc_limits.h"

/* A half-open byte range [start, end) in file `file` of a srcset. */
struct span {
	uint32_t file;
	uint32_t start, end;
};

struct src_file {
	char *name;          /* as shown in diagnostics (relative path) */
	char *text;          /* NUL-terminated copy; may contain NUL bytes */
	size_t len;
	uint32_t *line_starts; /* offset of each line's first byte */
	size_t nlines;
};

struct srcset {
	struct arena *arena;
	struct src_file **files;
	size_t n, cap;
};

/* SRC_MAX_BYTES, the largest source file accepted: authzc_limits.h */

void srcset_init(struct srcset *s, struct arena *a);
/* Copy `len` bytes of `text` in under `name`; returns the file id. */
uint32_t srcset_add(struct srcset *s, const char *name, const char *text, size_t len);
struct src_file *srcset_file(const struct srcset *s, uint32_t id);

/* 1-based line and column (column counts UTF-8 characters) of `offset`. */
void src_line_col(struct src_file *f, uint32_t offset, uint32_t *line, uint32_t *col);
/* The text of 1-based line `line`, without its newline. */
const char *src_line_text(struct src_file *f, uint32_t line, size_t *len);

static inline struct span span_join(struct span a, struct span b)
{
	struct span s = a;
	if (b.start < s.start) s.start = b.start;
	if (b.end > s.end) s.end = b.end;
	return s;
}

#endif
