/*
 * request.h: the in-memory request (internal).  Attribute values live in
 * vals[root * nslots + slot]; strings and set elements in growable pools,
 * referenced by offset until request_resolve() turns offsets into pointers
 * just before a decision.
 */
#ifndef AUTHZ_REQUEST_H
#define AUTHZ_REQUEST_H

#include <stdbool.h>

#include "bundle.h"

struct json_node;

struct authz_request {
	const authz_bundle *b;
	uint32_t nslots;
	int32_t type[2];                /* principal, resource type; -1 unset */
	uint32_t id_off[2], id_len[2];
	int32_t action;                 /* -1 unset */
	bool has_time;
	int64_t time;
	struct vm_value *vals;          /* 3 * nslots */
	uint8_t *present;               /* 3 * nslots */
	uint32_t *filled;               /* positions set since reset */
	size_t nfilled;
	char *chars;                    /* string pool */
	size_t nchars, capchars;
	struct vm_value *pool;          /* set elements */
	size_t npool, cappool;
	bool bad;                       /* a request error */
	char errmsg[256];
	char checkmsg[256];             /* rt_request_finish's complaint */
	/* JSON scratch */
	struct json_node *nodes;
	size_t nnodes, capnodes;
};

/* Record the request's first error (a deny with this message). */
AUTHZ_INTERNAL void rt_request_fail(authz_request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Check the request is complete and allowed (entities, action, required
 * attributes) and resolve pool offsets to pointers.  NULL when the request
 * may be decided, else the request error's message. */
AUTHZ_INTERNAL const char *rt_request_finish(authz_request *r);

#endif
