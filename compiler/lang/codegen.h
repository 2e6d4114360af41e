/*
 * codegen.h: turn a checked policy set (checker.h) into a libauthz bundle
 * (authzc-bundle(5)) with the runtime's bundle writer (bundle_write.h).
 *
 * The schema goes in first (entity types and their attributes, nested
 * records included, then the context, then the actions), so the bundle's
 * schema part depends on the schema alone.  Then every rule, in checked
 * order, with its effective scope, annotations and @expires, and one guard
 * per ast_rule_guards() entry: the guard's position and source text (for
 * --explain and coverage) and its code, ending in WHEN or UNLESS.
 * `and`/`or` short-circuit with jump lists.  Literals and constants are
 * loaded as bundle constants; the checker has folded them.
 *
 * Deterministic: the output depends only on the sources and `revision`.
 */
#ifndef AUTHZC_CODEGEN_H
#define AUTHZC_CODEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "project.h"
#include "cvalue.h"

/*
 * Compile c->checked (compilation_check() must have returned 0) into a
 * bundle recording source revision `revision` ("" for none).  Returns 0 and
 * a malloc'd buffer in *buf (the caller frees it), or the number of errors
 * added to c->diags (E0010 at the construct that could not be encoded: a
 * limit of the bundle format, such as too many instructions or a too deep
 * operand stack) with *buf NULL.
 */
size_t codegen_bundle(struct compilation *c, const char *revision, uint8_t **buf, size_t *len);

/*
 * The probe bundle of guard coverage (authzc-test(1), COVERAGE): the same
 * schema, and for every guard k of every forbid R one rule with id
 * "R" CODEGEN_PROBE_SEP "k": R's scope and expiry with every guard but k.
 * A request to which that rule applies is one in which every other guard
 * of R held, so a test in which R was held back by guard k shows that k
 * alone kept R from applying.  Returns as codegen_bundle.
 */
#define CODEGEN_PROBE_SEP "#"
size_t codegen_probe_bundle(struct compilation *c, uint8_t **buf, size_t *len);

struct ev_sec;
/*
 * Sign the bundle in[0..len) (codegen_bundle's) with key `k`
 * (authzc-bundle(5), "Signature"): *out, malloc'd, is the signed bundle,
 * loaded and verified against k's public key before it is returned.  0, or
 * -1 with a message in err[0..errsz).
 */
int codegen_sign(const uint8_t *in, size_t len, const struct ev_sec *k, uint8_t **out, size_t *outlen,
		 char *err, size_t errsz);

/*
 * The condition bundle of assertions (authzc-policy(5), ASSERTIONS): the
 * same schema, and for assertion i of c->checked (those checked `ok`) one
 * permit with id CODEGEN_ASSERT_PREFIX "i": the assertion's scope and
 * when/unless clauses.  It applies exactly to the requests the assertion
 * speaks of; the analysis (sym_assert.h) reads it beside the policies'
 * bundle.  Returns as codegen_bundle.
 */
#define CODEGEN_ASSERT_PREFIX "assert#"
size_t codegen_assert_bundle(struct compilation *c, uint8_t **buf, size_t *len);

#endif
