/*
 * coverage.h: what `authzc test --coverage` measures (authzc-policy(5),
 * TESTS, "Coverage"; authzc-test(1), COVERAGE), gathered from the runtime's decision traces, and its
 * reports: text, JSON, HTML and lcov.
 *
 * Nothing here evaluates a condition.  Each test's decision is made by
 * libauthz with AUTHZ_DECIDE_TRACE; the trace lists every rule whose scope
 * matched with its outcome and, for a rule that did not apply, the index of
 * the first guard that held it back (ast_rule_guards() order, which is the
 * code generator's guard order).  From that:
 *
 *   fired      a rule applied (a forbid in error counts: it fails closed);
 *   deny path  a permit: its scope matched, it did not apply (not-applied
 *              or error), and the decision was deny;
 *              a forbid: the decision was deny and names it;
 *   guard      of a permit: its scope matched, this guard held it back, and
 *              the decision was deny.  Because evaluation stops at the
 *              first guard that settles a rule, a guard is seen failing only
 *              when every guard before it held: exactly the language's
 *              definition ("found that guard failing").
 *              Of a forbid: its scope matched, this guard held it back, and
 *              every other guard of it held, so that this guard alone kept
 *              the forbid from applying.  The guards after the one that
 *              held a forbid back are not evaluated by the decision, so
 *              coverage_probe.c decides the test again against the probe
 *              bundle (codegen_probe_bundle), where the forbid's rule
 *              without that guard applies exactly when all the others held.
 *
 * Each item keeps the tests that covered it (indices into
 * c->checked->tests), in the order they ran.  Everything lives in the
 * compilation's arena.
 */
#ifndef AUTHZC_COVERAGE_H
#define AUTHZC_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "checker.h"
#include "project.h"
#include "report.h"

struct cov_tests {              /* indices into c->checked->tests */
	uint32_t *v;
	size_t n, cap;
};

struct cov_guard {
	const struct ast_guard *guard;
	uint32_t line, col;     /* of the guard's first byte */
	struct cov_tests tests;
};

struct cov_rule {
	const struct checked_rule *rule;
	uint32_t line, col;     /* of the rule's effect keyword */
	struct cov_tests fired, deny;
	struct cov_guard *guards;       /* rule->nguards of them */
};

struct coverage {
	struct compilation *c;
	struct cov_rule *rules; /* c->checked->rules order */
	size_t nrules;
	uint32_t *slots;        /* id hash table: rule index + 1, 0 empty */
	size_t nslots;
	size_t ntests;          /* tests recorded */
	struct cov_probe *probe;        /* coverage_probe.c; NULL: no forbid guards */
	bool probe_failed;              /* forbid guards count as uncovered */
	char probe_msg[200];            /* why, when probe_failed */
	const char *json;               /* coverage_record_json: the request
					 * being recorded, else NULL */
};

enum cov_measure { COV_FIRED, COV_DENY, COV_GUARDS, COV_NMEASURES };

struct cov_count {
	size_t covered, total;
};

/* Prepare to measure the rules of c->checked (compiled without errors). */
void coverage_init(struct coverage *cov, struct compilation *c);
/* Append test `test` to v (not twice in a row). */
void cov_tests_push(struct arena *a, struct cov_tests *v, size_t test);
/* The tests are all recorded: free what coverage_init made outside the
 * arena (the probe bundle).  The reports may still be made. */
void coverage_finish(struct coverage *cov);

/* Record test `test` (an index into c->checked->tests) whose decision `d`
 * was made with AUTHZ_DECIDE_TRACE.  Trace entries naming a rule or guard
 * the compilation does not have are ignored. */
void coverage_record(struct coverage *cov, size_t test, const authz_decision *d);

/* Record request `json` (authzc-eval(1)) as test `test`, its decision `d`
 * made by the project's bundle with AUTHZ_DECIDE_TRACE: as
 * coverage_record, with the forbid guards decided against the probe bundle
 * from `json` (a request that is no test of the project: `test` is only
 * kept in the items it covers, never looked up). */
void coverage_record_json(struct coverage *cov, size_t test, const authz_decision *d, const char *json);

/* Where test `t` is written: its file's name and the line of `test`. */
void coverage_test_where(const struct compilation *c, const struct checked_test *t,
			 const char **file, uint32_t *line);

/* Guard `g`'s source text on one line (report_squeeze), appended to b. */
void coverage_guard_text(const struct coverage *cov, const struct cov_guard *g, struct buf *b);

/* The three measures. */
void coverage_counts(const struct coverage *cov, struct cov_count out[COV_NMEASURES]);

/* covered/total as a percentage rounded down to one decimal ("85.7");
 * 100 when there is nothing to cover. */
double coverage_percent(struct cov_count k);

/* True when guard coverage is under `min` percent (exact, not rounded). */
bool coverage_under(const struct coverage *cov, double min);

/* The summary and every uncovered item, one per line, by position:
 *   coverage:
 *     rules fired  100.0% (3/3)
 *     deny paths    66.6% (2/3)
 *     guards        50.0% (2/4)
 *   uncovered:
 *     policies/a.authz:4:1: a.read: deny path: no test was denied with its scope matched
 *     policies/a.authz:9:8: a.read: guard 'principal.mfa' never held access back
 */
void coverage_text(const struct coverage *cov, struct buf *b);

/* The JSON object described in authzc-test(1) (summary, then per rule and
 * guard with the tests that cover each), without a trailing newline. */
void coverage_json(const struct coverage *cov, struct buf *b);

/* An lcov tracefile: per policy file, rules as functions (FN/FNDA: times
 * fired), guards as branches (BRDA: line, rule, guard, tests that saw it
 * hold access back) and lines (DA: per guard line, that count). */
void coverage_lcov(const struct coverage *cov, struct buf *b);

/* Write `dir`/index.html and one page per policy file (created or
 * replaced; `dir` is created when missing).  0, or -1 with a message. */
int coverage_html(const struct coverage *cov, const char *dir, char *msg, size_t size);

#endif
