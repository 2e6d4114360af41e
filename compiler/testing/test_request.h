/*
 * test_request.h: turn a test's checked request (checker.h) into a libauthz
 * request, through the authz_request_set_* API, so the test runner decides
 * it against a compiled bundle exactly as an embedding service would.
 */
#ifndef AUTHZC_TEST_REQUEST_H
#define AUTHZC_TEST_REQUEST_H

#include <stddef.h>

#include "arena.h"
#include "authz.h"
#include "checker.h"

/*
 * Replace the contents of `r` (made for a bundle compiled from the same
 * schema) by request `q`, every value through the typed setters (strings
 * and ids with their length, so they may hold NUL bytes).
 * Returns 0, or a negative AUTHZ_E* code with a message in msg[0..size)
 * (an attribute the bundle's schema does not know, out of memory).
 */
int test_request_build(authz_request *r, const struct checked_request *q, struct arena *a,
		       char *msg, size_t size);

/* The JSON form of `q` (authzc-eval(1), JSON FORMS), NUL-terminated, arena-allocated. */
char *test_request_json(struct arena *a, const struct checked_request *q);

#endif
