/*
 * eval_io.h: the input side of `authzc eval` (authzc-eval(1)): a bounded
 * line reader for JSON Lines.  The JSON text eval writes (the compactor,
 * --log records, the deny of a request the runtime never saw) is shared
 * with `authzc serve` and lives in compiler/serve/eval_json.h.
 */
#ifndef AUTHZC_EVAL_IO_H
#define AUTHZC_EVAL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "buf.h"
#include "eval_json.h"

/* The longest request accepted, as a line of JSON Lines or a file. */
#define EVAL_MAX_REQUEST (1u << 20)

/* ---- JSON Lines --------------------------------------------------------- */

enum eval_line_result {
	EVAL_LINE_ERROR = -1,   /* read error (errno) */
	EVAL_LINE_EOF = 0,
	EVAL_LINE = 1,          /* a line, without its '\n' */
	EVAL_LINE_TOO_LONG = 2, /* a line over the limit, skipped to its end */
};

struct eval_lines {
	int fd;
	char *buf;
	size_t cap, start, end;
	size_t max;             /* longest line accepted, in bytes */
	bool eof, skipping;
	uint64_t lineno;        /* of the line last returned, from 1 */
};

/* Read lines from `fd` (not closed by the reader), each at most `max`
 * bytes long. */
void eval_lines_init(struct eval_lines *l, int fd, size_t max);
void eval_lines_release(struct eval_lines *l);

/*
 * The next line in *line and *len, valid until the next call.  The last line
 * need not end in '\n'.  A line longer than the limit is skipped (without
 * keeping it in memory) and reported as EVAL_LINE_TOO_LONG; reading then
 * goes on with the next line.  EVAL_LINE_ERROR with errno on a read error
 * (ENOMEM when the buffer cannot grow).
 */
int eval_lines_next(struct eval_lines *l, const char **line, size_t *len);

#endif
