/*
 * request.h: the in-memory request (internal).  Attribute values live in
 * vals[root * nslots + slot]; strings and set elements in growable pools,
 * referenced by offset and by pointer; when a pool moves, the pointers are
 * made again from the offsets before the next decision.
 */
#ifndef AUTHZ_REQUEST_H
#define AUTHZ_REQUEST_H

#include <stdbool.h>

#include "bundle.h"
#include "owned.h"

/*
 * The arrays a request owns (owned.h), each listed once: the struct
 * declares them from this list and authz_request_free frees exactly them.
 */
#define REQUEST_ARRAYS(X, s) \
	X(s, struct vm_value, vals)     /* 3 * nslots */ \
	X(s, uint8_t, present)          /* 3 * nslots */ \
	X(s, uint32_t, filled)          /* positions set since reset */ \
	X(s, char, chars)               /* string pool */ \
	X(s, struct vm_value, pool)     /* set elements */

struct authz_request {
	const authz_bundle *b;
	REQUEST_ARRAYS(RT_OWNED_MEMBER, )
	uint32_t nslots;
	int32_t type[2];                /* principal, resource type; -1 unset */
	uint32_t id_off[2], id_len[2];
	int32_t action;                 /* -1 unset */
	bool has_time;
	int64_t time;
	size_t nfilled;
	size_t nchars, capchars;
	size_t npool, cappool;
	bool moved;                     /* chars or pool moved since a value pointed into it */
	bool bad;                       /* a request error */
	char errmsg[256];
	char checkmsg[256];             /* rt_request_finish's complaint */
};

/* Record the request's first error (a deny with this message). */
AUTHZ_INTERNAL void rt_request_fail(authz_request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Record the request error for attribute name[0..len), which the record
 * holding fields [first, first + n) under `root` does not declare; `parent`
 * is that record's slot, BUNDLE_NO_INDEX for the entity or the context
 * itself.  The message names the attribute's path, the entity type, and
 * the closest declared name.  Error path only.
 */
AUTHZ_INTERNAL void rt_request_undeclared(authz_request *r, unsigned root, uint32_t parent, uint32_t first,
					  uint32_t n, const char *name, size_t len);
/* Check the request is complete and allowed (entities, action, required
 * attributes) and resolve pool offsets to pointers.  NULL when the request
 * may be decided, else the request error's message. */
AUTHZ_INTERNAL const char *rt_request_finish(authz_request *r);
/* Copy string s[0..n) into the pool as the string value *out (an offset
 * until rt_request_finish); 0 or AUTHZ_ENOMEM. */
AUTHZ_INTERNAL int rt_request_string_value(authz_request *r, const char *s, size_t n, struct vm_value *out);
/* Append set element *v to the pool at *off; 0 or AUTHZ_ENOMEM. */
AUTHZ_INTERNAL int rt_request_pool_value(authz_request *r, const struct vm_value *v, uint32_t *off);
/* The index of entity type / action name[0..n), or -1. */
AUTHZ_INTERNAL int rt_request_find_type(const authz_bundle *b, const char *name, size_t n);
AUTHZ_INTERNAL int rt_request_find_action(const authz_bundle *b, const char *name, size_t n);

/* Store `v` at (root, slot); marks it present.  A string or set gets its
 * pointer from its offset now; should the pool move later, `moved` has
 * rt_request_finish point it again. */
static inline void rt_request_store(authz_request *r, unsigned root, uint32_t slot, const struct vm_value *v)
{
	size_t at = (size_t)root * r->nslots + slot;
	r->vals[at] = *v;
	if (v->kind == AUTHZ_K_STRING)
		r->vals[at].u.s.p = r->chars ? r->chars + v->u.s.off : NULL;
	else if (v->kind == AUTHZ_K_SET)   /* an empty set may come before any pool */
		r->vals[at].u.set.p = r->pool ? r->pool + v->u.set.off : NULL;
	if (!r->present[at]) {
		r->present[at] = 1;
		r->filled[r->nfilled++] = (uint32_t)at;
	}
}

/* Has (root, slot) a value? */
static inline bool rt_request_has(const authz_request *r, unsigned root, uint32_t slot)
{
	return r->present[(size_t)root * r->nslots + slot];
}

#endif
