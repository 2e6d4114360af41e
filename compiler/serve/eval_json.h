/*
 * eval_json.h: the JSON text of a decision point, shared by `authzc eval`
 * and `authzc serve`: a strict JSON checker that writes the value back
 * compacted (and finds the request's top-level "time"), the one-line
 * decision records of --log, the annotations of the deciding rules, the
 * deny of a request the runtime never saw, and one request decided into
 * its JSON form.
 *
 * Everything here appends to buffers (buf.h) the caller reuses from one
 * request to the next, so a long stream of requests allocates nothing once
 * they have grown.  JSON strings are json_put_str (json.h).  Nothing here
 * prints.
 */
#ifndef AUTHZC_EVAL_JSON_H
#define AUTHZC_EVAL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "buf.h"

/* ---- JSON text ---------------------------------------------------------- */

/* True when the text holds nothing but JSON whitespace. */
bool eval_blank(const char *s, size_t n);

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
 * text `annotations` (eval_annotations_json), "{}" when NULL; the
 * digest and revision are null when NULL (no bundle).  0 or -1 (out
 * of memory; `out` may hold part of the record).
 */
int eval_log_record(struct buf *out, const char *req, size_t req_len, const char *decision,
		    size_t decision_len, const char *digest, const char *revision, const char *annotations);
/* The members of that record, without its braces and '\n' (for a chained
 * log's writer: logchain_head, these, '}', logchain_seal).  0 or -1. */
int eval_log_members(struct buf *out, const char *req, size_t req_len, const char *decision,
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
 * runtime never saw (a line over the limit, or no bundle to decide with):
 * the same shape as authz_decision_json(), with an empty trace when
 * `trace`; "bundle" is null when `digest` is NULL.  0 or -1.
 */
int eval_deny_json(struct buf *out, const char *message, int64_t time_ms, const char *digest,
		   bool trace);

/*
 * Call `each` on the raw text of each element of the JSON array s[0..n),
 * in order (elements are checked as eval_json_compact checks a value;
 * `scratch` is used for that and left empty).  Stops when `each` returns
 * non-zero.  Returns 0, 1 when the text is not a JSON array, -1 when out
 * of memory, or what `each` returned.
 */
int eval_json_array(const char *s, size_t n, struct buf *scratch,
		    int (*each)(const char *elem, size_t len, void *payload), void *payload);

/* ---- deciding ----------------------------------------------------------- */

/* How eval and serve decide every request. */
struct eval_decide_opts {
	unsigned flags;         /* AUTHZ_DECIDE_* */
	bool has_now;           /* --now or $AUTHZC_NOW */
	int64_t now;            /* ms since the epoch, when has_now */
};

/*
 * Decide the JSON request json[0..len) against `b` as `authzc eval` does:
 * the request's own "time" wins, o->now fills it in when o->has_now, the
 * clock otherwise.  `req` is scratch made for `b` (authz_request_new), `d`
 * scratch.  Returns 0 with the decision's JSON form in *out and *outlen
 * (owned by `d`, valid until its next use), or -1 when out of memory.
 */
int eval_decide_json(authz_decision *d, const authz_bundle *b, authz_request *req,
		     const struct eval_decide_opts *o, const char *json, size_t len,
		     const char **out, size_t *outlen);

#endif
