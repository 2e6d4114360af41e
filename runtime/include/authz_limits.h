/*
 * authz_limits.h: the runtime's resource limits, declared once (public: installed
 * beside authz.h).
 *
 * libauthz enforces these on bundles (the writer and the verifier) and on
 * requests (JSON and the setters of authz.h); the compiler reuses them
 * through compiler/util/authzc_limits.h so that what `authzc check` accepts is
 * exactly what a bundle and a request can hold.  Documented in authz(3)
 * and authzc-policy(5), LIMITS; tested in tests/unit/hardening/test_limits.c.
 */
#ifndef AUTHZ_LIMITS_H
#define AUTHZ_LIMITS_H

#include <stdint.h>

/* ---- bundles -------------------------------------------------------------- */

/* Largest bundle file (bytes). */
#define AUTHZ_MAX_BUNDLE_SIZE (UINT32_C(1) << 30)
/* Operand stack of one rule (values). */
#define AUTHZ_MAX_STACK 256
/* Record nesting in the schema: an attribute path (principal.a.b...) names
 * at most this many attributes, so a record-typed attribute sits at most
 * AUTHZ_MAX_DEPTH - 1 deep.  The schema loader refuses deeper records. */
#define AUTHZ_MAX_DEPTH 16
/* Entries of any table (strings, constants, rules, slots, code words). */
#define AUTHZ_MAX_COUNT (1u << 24)

/* ---- values (requests, and literals in policies) ------------------------- */

/* Bytes of one string: a request's string attribute, set element or entity
 * id; a string literal in a policy. */
#define AUTHZ_MAX_STRING (64u * 1024)
/* Elements of one set: a request's set attribute; a set literal. */
#define AUTHZ_MAX_SET 100000u

/* ---- requests ------------------------------------------------------------- */

/* A JSON request: its size in bytes and its nesting of arrays and objects. */
#define AUTHZ_MAX_REQUEST_BYTES (64u << 20)
#define AUTHZ_MAX_JSON_DEPTH 64

/* ---- decision traces (authz_decision_trace_operand) ----------------------- */

/* authz(3), Trace values; tested in tests/unit/runtime/test_trace.c. */

/* Request values recorded per guard of a trace: the first this many
 * distinct ones the guard read. */
#define AUTHZ_TRACE_MAX_OPERANDS 8
/* Bytes of one recorded value's text, NUL excluded; a longer value is cut
 * and ends in "..." (U+2026, three bytes, counted). */
#define AUTHZ_TRACE_MAX_VALUE 128

#endif
