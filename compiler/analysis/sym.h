/*
 * sym.h: symbolic analysis of compiled policy sets with Z3 (authzc-diff(1),
 * BEHAVIOUR).
 *
 * A bundle is translated, rule by rule, from the bytecode that runs
 * (sym_rule.c) into formulas over a symbolic request (sym_space.c): one
 * variable for each part of a request the schema admits (entity ids, the
 * time, every declared attribute with its presence).  sym_diff_run then
 * asks Z3, for every (principal type, action, resource type) of either
 * schema, for requests that the two versions decide differently, groups
 * them into classes and gives each class a witness request that the
 * runtime has decided as predicted (sym_diff.c).
 *
 * What the model covers and where it is bounded is written in
 * authzc-diff(1), BEHAVIOUR; in short: every value kind, `like`, the
 * calendar accessors, overflow errors, `@expires`, forbid-overrides and
 * the error semantics are exact; a set attribute holds any of the
 * constants of its element kind found in the two bundles plus up to
 * SYM_FREE_ELEMS other values.
 */
#ifndef AUTHZC_SYM_H
#define AUTHZC_SYM_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "authz.h"

#define SYM_FREE_ELEMS 2

struct sym_opts {
	unsigned timeout_ms;    /* per solver call; 0: none */
	unsigned memory_mb;     /* Z3's memory_max_size; 0: none */
	unsigned max_classes;   /* classes before the rest is reported unknown */
	unsigned lint_ms;       /* the lint's whole budget (sym_lint.h); 0: none */
	unsigned suggest_ms;    /* the suggestions' whole budget (sym_suggest.h); 0: none */
};

#define SYM_OPTS_DEFAULT { 10000, 4096, 64, 10000, 120000 }

enum sym_kind { SYM_LOOSENED, SYM_TIGHTENED, SYM_RULES, SYM_UNKNOWN };

/* A class of requests whose decision changed the same way: same kind,
 * same changed rules deciding before and after (sym_diff.c). */
struct sym_class {
	enum sym_kind kind;
	const char *principal_type, *action, *resource_type;
	/* The witness's decisions, as the runtime gave them. */
	bool old_allow, new_allow;
	const char **old_rules, **new_rules;
	size_t nold_rules, nnew_rules;
	/* The rules that changed between the versions and decide the class on
	 * either side, ids; the class's key is its decisions and, per side,
	 * which of `touched` (every rule of the triple that changed: added,
	 * removed, or other code) decide it. */
	const char **changed;
	size_t nchanged;
	const char **touched;
	size_t ntouched;
	const char *witness;    /* request JSON (authzc-eval(1)); NULL for unknown */
	const char *request_src;        /* the witness in policy syntax: the lines
					 * of a test's inline request */
	const char *reason;     /* SYM_UNKNOWN: why (solver timeout, limit, ...) */
};

struct sym_diff {
	struct sym_class *classes;      /* loosened, unknown, tightened, rules */
	size_t nclasses;
	size_t nloosened, ntightened, nrules, nunknown;
	size_t ntriples;                /* (principal type, action, resource type) examined */
	size_t nunchanged;              /* ... proven unchanged without the solver */
	size_t nsolved;                 /* ... given to the solver */
	double seconds;
};

/* What a written test expects: the decision and, when `by`, the rules
 * that decide it (none: `by default`). */
struct sym_expect {
	bool allow, by;
	const char *const *rules;
	size_t nrules;
};

/* A ready-to-paste test, in a: `test "NAME" {` (quotes and backslashes
 * escaped, control characters made spaces), the lines of `request_src`
 * (sym_class.request_src), the `expect` line of e, `}` and a newline. */
const char *sym_test_block(struct arena *a, const char *name, size_t name_len, const char *request_src,
			   const struct sym_expect *e);

/*
 * Every behavioural difference between `old` and `new` (either may be
 * NULL: a side without a bundle denies everything with a request error).
 * Results are allocated in `a`.  Returns 0, or -1 with a message in
 * err[0..size) when the solver cannot be started.  A solver that gives up
 * never yields "no change": its triple becomes a SYM_UNKNOWN class.
 */
int sym_diff_run(struct arena *a, const authz_bundle *old, const authz_bundle *new, const struct sym_opts *o,
		 struct sym_diff *out, char *err, size_t size);

#endif
