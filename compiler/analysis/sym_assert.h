/*
 * sym_assert.h: assertions proved by the solver (authzc-policy(5),
 * ASSERTIONS; authzc-test(1), ASSERTIONS).
 *
 * An assertion says that no request the schema admits, at any time, that
 * meets its scope and conditions gets a forbidden decision: `never allow`
 * and `always deny` forbid an allow, `always allow` and `never deny` forbid
 * a deny.  A decision is the runtime's: a forbid in error applies and a
 * permit in error does not (so an error counts as deny, fail closed).  A
 * condition of the assertion that fails (an overflow) counts as holding:
 * nothing is proved about a request the assertion cannot rule out.
 */
#ifndef AUTHZC_SYM_ASSERT_H
#define AUTHZC_SYM_ASSERT_H

#include <stddef.h>

#include "project.h"
#include "sym.h"
#include "testrun.h"

/*
 * Prove assertion r->index of c->checked against `policies` (compiled from
 * c) with `conds`, the bundle of codegen_assert_bundle(c): per (principal
 * type, action, resource type) of the assertion's scope, Z3 is asked for a
 * request meeting the condition with the forbidden decision.  None in any
 * triple: TA_PROVED.  One: TA_VIOLATED with that request, decided by
 * libauthz (and by `conds` for the condition) as the model predicted
 * before it is shown; a request the runtime decides otherwise is an
 * internal error, TA_UNKNOWN.  A solver that gives up (o->timeout_ms per
 * call), or code the model does not cover: TA_UNKNOWN with the reason.
 * Results are allocated in `a`.
 */
void sym_assert_check(struct arena *a, const authz_bundle *policies, const authz_bundle *conds,
		      const struct sym_opts *o, struct testrun_assert *r);

/*
 * Every assertion of `run` (testrun_run listed them) checked as above
 * against `b`, compiled from c, then the run's counts again
 * (testrun_recount).  Returns 0, or -1 with a message in err[0..size) when
 * the condition bundle cannot be made.
 */
int sym_assert_run(struct compilation *c, const authz_bundle *b, const struct sym_opts *o, struct testrun *run,
		   char *err, size_t size);

#endif
