/*
 * authzc_limits.h: every resource limit of the compiler, declared once.
 *
 * (Not "limits.h": with -Icompiler that name would shadow the C library's
 * <limits.h>.)
 *
 * Beyond a limit the input is refused with a diagnostic at the offending
 * place: E0010 (E0009 for expression nesting) at file:line:col of the
 * literal or rule, or at the JSON path of the schema.  The limits shared
 * with the bundle and requests come from the runtime (authz_limits.h), so
 * what `check` accepts, `compile` can always write and libauthz can always
 * hold.  Documented in authzc-policy(5), LIMITS; tested in
 * tests/unit/hardening/test_limits.c.
 */
#ifndef AUTHZC_LIMITS_H
#define AUTHZC_LIMITS_H

#include "authz_limits.h"

/* ---- policy sources --------------------------------------------------------- */

/* Largest source file (policy, test, schema, authzc.json) in bytes. */
#define SRC_MAX_BYTES (16u * 1024 * 1024)
/* Deepest expression nesting accepted (brackets or operator chains); deeper
 * input is E0009, so no later recursive pass can overflow the stack. */
#define AST_MAX_DEPTH 256
/* Rules in one policy set (all its files). */
#define LIM_MAX_RULES 100000u
/* Bytes of one string literal after decoding its escapes (rule conditions,
 * constants, annotation values, test requests): the request's limit. */
#define LIM_MAX_STRING AUTHZ_MAX_STRING
/* Elements of one set literal (a condition's or a constant's): the
 * request's limit. */
#define LIM_MAX_SET AUTHZ_MAX_SET

/* ---- the schema --------------------------------------------------------------- */

#define SCHEMA_MAX_TYPES 10000
#define SCHEMA_MAX_ACTIONS 10000
#define SCHEMA_MAX_ATTRS 1000           /* per record */
/* Record nesting: exactly what the bundle holds (see AUTHZ_MAX_DEPTH). */
#define SCHEMA_MAX_DEPTH AUTHZ_MAX_DEPTH
#define SCHEMA_MAX_JSON_DEPTH 64        /* arrays and objects in the JSON text */

/* The bundle's tables hold whatever these limits let through. */
_Static_assert(LIM_MAX_RULES < AUTHZ_MAX_COUNT, "rules fit the bundle's rule table");
_Static_assert(LIM_MAX_SET < AUTHZ_MAX_COUNT, "a set fits the bundle's constant table");
_Static_assert(SCHEMA_MAX_TYPES + SCHEMA_MAX_ACTIONS < AUTHZ_MAX_COUNT, "names fit the bundle");

#endif
