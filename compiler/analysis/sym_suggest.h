/*
 * sym_suggest.h: tests that cover what a project's tests leave uncovered
 * (`authzc test --coverage --suggest FILE`, authzc-test(1), SUGGESTIONS).
 *
 * For each rule not fired, deny path not taken and guard not seen holding
 * access back (coverage.h says exactly what covers each), Z3 is asked for
 * a request the schema admits, in one (principal type, action, resource
 * type) of the rule's scope, that covers it:
 *
 *   fired      the rule applies (a permit: preferably deciding, a forbid:
 *              preferably without an error);
 *   deny path  a permit: it does not apply and the decision is deny;
 *              a forbid: it applies (so the decision is deny by it);
 *   guard      of a permit: it is the guard that holds the rule back, and
 *              the decision is deny; of a forbid: it holds the forbid back
 *              and the forbid without it applies.
 *
 * Every request is then decided by libauthz and recorded in a coverage of
 * its own (coverage_record_json): a suggestion is kept only when the
 * runtime shows that it covers its item, and its `expect` is the runtime's
 * decision.  A request may cover more items than its own; those need no
 * test of their own.  An item no request of the schema can cover is
 * reported with the reason; a solver that gives up is reported as such.
 */
#ifndef AUTHZC_SYM_SUGGEST_H
#define AUTHZC_SYM_SUGGEST_H

#include <stddef.h>

#include "coverage.h"
#include "project.h"
#include "sym.h"

enum sug_state {
	SUG_WRITTEN,    /* a test of its own */
	SUG_ALSO,       /* covered by the test of item `by` */
	SUG_NEVER,      /* no request the schema admits covers it: `reason` */
	SUG_UNKNOWN,    /* the solver gave up, or the model does not cover the
			 * rule's code: `reason` */
};

/* One item the tests left uncovered. */
struct sym_suggestion {
	enum cov_measure measure;
	size_t rule;            /* index into cov->rules */
	size_t guard;           /* COV_GUARDS: index into the rule's guards */
	enum sug_state state;
	const char *label;      /* "guard 2 of rule a.read" */
	const char *name;       /* SUG_WRITTEN: the test's name */
	const char *test_src;   /* SUG_WRITTEN: the test block */
	const char *witness;    /* SUG_WRITTEN: the request as JSON */
	size_t by;              /* SUG_ALSO: the item whose test covers it */
	const char *reason;     /* SUG_NEVER, SUG_UNKNOWN */
	bool unreached;         /* SUG_UNKNOWN: the budget ran out first */
};

struct sym_suggest {
	struct sym_suggestion *items;   /* rule order, then fired, deny, guards */
	size_t n;
	size_t nwritten, nalso, nnever, nunknown;
	size_t nunreached;      /* of nunknown: the budget ran out first */
};

/*
 * Suggest tests for every item `cov` (the coverage of c's tests, run
 * against `b`, compiled from c) left uncovered, into *out (in c's arena).
 * o->timeout_ms bounds each solver call and o->suggest_ms (0: none) the
 * whole run: an item not settled when it ends is SUG_UNKNOWN, saying so.  Returns 0, or -1 with a message
 * in err[0..size) when the coverage of the suggestions cannot be measured.
 */
int sym_suggest_run(struct compilation *c, const authz_bundle *b, const struct coverage *cov,
		    const struct sym_opts *o, struct sym_suggest *out, char *err, size_t size);

/* The test file of the written suggestions (a comment, then each test
 * block after a comment naming the other items it covers; not yet
 * formatted), in c's arena. */
const char *sym_suggest_file(struct compilation *c, const struct sym_suggest *s);

#endif
