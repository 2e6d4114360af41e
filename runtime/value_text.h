/*
 * value_text.h: a request value as bounded text, for the operands of a
 * decision trace (value_text.c; authz(3), TRACE VALUES).  Internal.
 */
#ifndef AUTHZ_VALUE_TEXT_H
#define AUTHZ_VALUE_TEXT_H

#include "bundle.h"

/*
 * Write `v` into out[] as a person reads it, NUL-terminated, and return its
 * length, at most AUTHZ_TRACE_MAX_VALUE: strings in double quotes with
 * escapes as in a policy ("a\"b"), timestamps in RFC 3339, durations as
 * 1h30m, ips as 10.0.0.0/8, entities as User "alice", sets as [1, 2], a
 * record as {...}.  A longer text is cut between two characters, escapes
 * or elements and ends in U+2026.  `b` names entity types.
 */
AUTHZ_INTERNAL size_t rt_value_text(const authz_bundle *b, const struct vm_value *v,
				    char out[AUTHZ_TRACE_MAX_VALUE + 1]);

#endif
