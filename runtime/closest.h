/*
 * closest.h: "did you mean" for request errors: the declared name closest
 * to a misspelt one.  Internal to the runtime (the compiler has its own in
 * compiler/util/suggest.c: the runtime cannot depend on the compiler).
 * Only error paths call it: it is never on the path of a good request.
 */
#ifndef AUTHZ_CLOSEST_H
#define AUTHZ_CLOSEST_H

#include <stddef.h>
#include <stdint.h>

#include "value.h"

/* Finds the closest of a list of names: rt_closest_init, then
 * rt_closest_offer for each candidate; `best` is the winner or NULL. */
struct rt_closest {
	const char *name;               /* the misspelt name, name[0..len) */
	size_t len, limit, best_d;
	const char *best;
};

/* Start a search for names close to name[0..len): about one edit in three
 * characters, at least one; names over 64 bytes are close to nothing. */
AUTHZ_INTERNAL void rt_closest_init(struct rt_closest *c, const char *name, size_t len);
/* Consider NUL-terminated `candidate` (case-insensitive optimal string
 * alignment distance: edits and adjacent transpositions). */
AUTHZ_INTERNAL void rt_closest_offer(struct rt_closest *c, const char *candidate);
/* Copy name[0..len) into buf for a message: at most 64 bytes (then "..."),
 * bytes outside printable ASCII as '?'. */
AUTHZ_INTERNAL const char *rt_printable(char *buf, size_t size, const char *name, size_t len);

#endif
