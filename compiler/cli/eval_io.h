/*
 * eval_io.h: the input and output side of `authzc eval` (authzc-eval(1)):
 * a bounded line reader for JSON Lines, a JSON compactor that also finds the
 * request's top-level "time", and the one-line decision records of --log.
 *
 * Everything here appends to buffers (buf.h) the caller reuses from one
 * request to the next, so a long stream of requests allocates nothing once
 * they have grown.  JSON strings are json_put_str (json.h).
 */
#ifndef AUTHZC_EVAL_IO_H
#define AUTHZC_EVAL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "buf.h"

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

/* True when the text holds nothing but JSON whitespace. */
bool eval_blank(const char *s, size_t n);

/* ---- JSON text ---------------------------------------------------------- */

/* What eval_json_compact learnt about the value. */
struct eval_json_info {
	bool object;            /* the value is an object */
	bool has_time;          /* ... with a top-level "time" string member */
	size_t time_start, time_len;    /* its raw text, between the quotes */
};

/*
 * Check that s[0..n) is one JSON value (RFC 8259: strict syntax, strings of
 * valid UTF-8, nesting at most 128 deep) and append it to `out` without
 * insignificant whitespace, every other byte kept as written (numbers are
 * not reparsed, so no precision is lost).  Returns 0, 1 when the text is not
 * JSON (`out` unchanged), or -1 when out of memory.
 */
int eval_json_compact(struct buf *out, const char *s, size_t n, struct eval_json_info *info);

/*
 * Append one --log decision record and its '\n':
 *
 *   {"request":R,"decision":D,"bundle":"sha256:..","revision":"..","annotations":A}
 *
 * R is the request compacted (eval_json_compact) when it is JSON, the text
 * as a JSON string when it is not, and null when `req` is NULL (a request
 * too long to keep).  D is the decision's JSON form, copied as is; A the
 * text `annotations` (eval_annotations_json), "{}" when NULL.  0 or -1 (out
 * of memory; `out` may hold part of the record).
 */
int eval_log_record(struct buf *out, const char *req, size_t req_len, const char *decision,
		    size_t decision_len, const char *digest, const char *revision, const char *annotations);

/*
 * Append the annotations of the rules that decided `d` (decided against
 * `b`) as one JSON object, {"rule.id":{"owner":"..",...},...}: each rule of
 * the decision, in its order, with all its annotations (an empty object
 * when it has none).  0 or -1 (out of memory).
 */
int eval_annotations_json(struct buf *out, const authz_bundle *b, const authz_decision *d);

/*
 * Append the JSON form of a deny with one request error, for a request the
 * runtime never saw (a line over the limit): the same shape as
 * authz_decision_json(), with an empty trace when `trace`.  0 or -1.
 */
int eval_deny_json(struct buf *out, const char *message, int64_t time_ms, const char *digest,
		   bool trace);

#endif
