/*
 * shadow.h: shadow evaluation of `authzc serve --shadow` (authzc-serve(1),
 * SHADOW EVALUATION): every answered request is decided again against a
 * candidate bundle, by a thread of its own at the lowest scheduling
 * priority, after its answer was made, so the candidate never changes an
 * answer nor delays one.
 *
 * An answering thread hands over a copy of the request, of the decision it
 * answered and a reference to the bundle that made it (shadow_push) through
 * a bounded queue; when the queue is full the request is not shadowed, and
 * counted (skipped).  The shadow thread decides it against the candidate
 * active at that moment, at the same instant as the answer, and when the
 * outcomes differ writes a disagreement record to its own decision log
 * (declog.h):
 *
 *   {"request":R,"decision":D,"bundle":..,"revision":..,"annotations":A,
 *    "shadow":{"decision":D2,"bundle":..,"revision":..,"annotations":A2},
 *    "disagreement":"loosened"|"tightened"}
 *
 * eval --log's record of the answer with "shadow" and "disagreement" added,
 * which `authzc diff --replay` reads as a decision record.  "loosened": the
 * candidate allows what the active bundle denied; "tightened": the reverse.
 */
#ifndef AUTHZC_SHADOW_H
#define AUTHZC_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "declog.h"
#include "holder.h"

struct shadow;

/* What the shadow thread counted (shadow_get_counts). */
struct shadow_counts {
	uint64_t decided, loosened, tightened, skipped;
};

/*
 * Start the shadow thread: candidates come from `candidate`, records go
 * to `log` (both outlive the shadow), at most `queue` requests wait.
 * 0, or -1 with why in err[0..size).
 */
int shadow_open(struct shadow **out, struct holder *candidate, struct declog *log, size_t queue, char *err,
		size_t size);

/*
 * Hand over request json[0..len), answered with dec[0..dlen) (`allowed`)
 * by bundle `sb` (a reference is taken) at time `now_ms` (its decision's
 * instant for a request without "time").  Copies what it keeps; never
 * waits.  0 queued, 1 skipped (the queue is full, or out of memory).
 */
int shadow_push(struct shadow *sh, struct serve_bundle *sb, const char *json, size_t len, const char *dec,
		size_t dlen, bool allowed, int64_t now_ms);

void shadow_get_counts(struct shadow *sh, struct shadow_counts *out);

/* Decide everything queued, stop the thread and free (NULL: nothing). */
void shadow_close(struct shadow *sh);

#endif
