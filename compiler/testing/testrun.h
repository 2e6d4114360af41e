/*
 * testrun.h: run a project's tests (authzc-policy(5), TESTS) against its compiled
 * bundle, through libauthz: each test's checked request is built with
 * test_request_build() and decided with authz_decide(), exactly as an
 * embedding service decides, so the tests exercise the code that runs in
 * production and no second evaluator exists.
 *
 * A test passes when the decision is the one expected and, with `by`, the
 * decision's rules are exactly the listed ones (in any order); `by default`
 * is a deny naming no rule.  A request without `at` is decided at the
 * compilation's clock (c->now_ms: $AUTHZC_NOW or the time the run began),
 * so one run decides every test at the same instant.
 *
 * For a failing test the decision is made again with AUTHZ_DECIDE_EXPLAIN,
 * and its trace, the values its guards read and its errors are kept to
 * explain it.
 * The reports (text, JSON, JUnit XML) are in test_report.c.
 */
#ifndef AUTHZC_TESTRUN_H
#define AUTHZC_TESTRUN_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "authz.h"
#include "checker.h"
#include "coverage.h"
#include "project.h"
#include "report.h"

struct testrun_error {
	int kind;               /* enum authz_error_kind */
	const char *rule;       /* NULL for a request error */
	const char *message;
};

/* A request value a guard read (authz_decision_trace_operand); `value`
 * NULL: the attribute is absent. */
struct testrun_operand { const char *name, *value; };
struct testrun_operands { struct testrun_operand *v; size_t n; };

struct testrun_result {
	const struct checked_test *test;
	size_t index;                   /* in c->checked->tests */
	bool passed;
	bool allowed;
	const char **rules;             /* the decision's rules, sorted */
	size_t nrules;
	/* Failing tests only: the explanation. */
	authz_trace *trace;             /* strings copied into the arena */
	struct testrun_operands *operands;      /* per trace entry: what its guard read */
	size_t ntrace;
	struct testrun_error *errors;
	size_t nerrors;
	double seconds;
};

/* An assertion's result (authzc-policy(5), ASSERTIONS), filled by the
 * analysis (sym_assert.h): testrun_run lists the selected assertions as
 * TA_UNKNOWN, "not checked", and counts them failed until then. */
enum testrun_verdict { TA_PROVED, TA_VIOLATED, TA_UNKNOWN };

struct testrun_assert {
	const struct checked_assert *a;
	size_t index;                   /* in c->checked->asserts */
	enum testrun_verdict verdict;
	const char *reason;             /* TA_UNKNOWN: why */
	/* TA_VIOLATED: the counterexample, as the runtime decided it */
	const char *principal_type, *action, *resource_type;
	const char *witness;            /* request JSON (authzc-eval(1)) */
	const char *test_src;           /* a ready-to-paste test that fails with it */
	bool allowed;
	const char **rules;             /* the rules that decided it */
	size_t nrules;
	size_t ntriples;                /* (principal, action, resource) types examined */
	double seconds;
};

struct testrun {
	struct testrun_result *results; /* the tests run, in c->checked order */
	size_t n;
	struct testrun_assert *asserts; /* the assertions selected, in c->checked order */
	size_t nasserts;
	size_t passed, failed;
	double seconds;
};

/*
 * Run the tests of c->checked (compiled without errors) whose name matches
 * `select` (every test when NULL) against `b`, a bundle compiled from c.
 * With `cov` (coverage_init), every decision is traced and recorded into it,
 * and coverage_finish(cov) is called once the tests ran.  Returns 0, or
 * -1 with a message in msg[0..size) when a test could not be run (its
 * request does not fit the bundle, out of memory).
 */
int testrun_run(struct compilation *c, const authz_bundle *b, const regex_t *select,
		struct coverage *cov, struct testrun *out, char *msg, size_t size);

/* Count passed and failed again over the tests and the assertions (an
 * assertion passes only when proved). */
void testrun_recount(struct testrun *run);

/* ---- reports (test_report.c) ---------------------------------------------- */

/* A check of the run as a whole that the exit status answers to besides
 * the tests (the coverage bar, that the project has tests at all).  JUnit
 * XML shows each as one more test case, so a CI test tab fails with the
 * job: testsuite `suite`, testcase `name`, with a <failure> when it failed. */
struct testrun_gate {
	const char *suite;              /* "authzc.coverage" */
	const char *name;               /* "min-coverage" */
	const char *failure;            /* why it failed (one line), NULL: passed */
	const char *detail;             /* the failure's text, or NULL */
};

/* Each failing test with its explanation, the coverage report when `cov`
 * is not NULL, and last the line "N passed, N failed" -- or "no tests"
 * when the project has none (c->checked->ntests == 0). */
void testrun_text(struct compilation *c, const struct testrun *run,
		  const struct coverage *cov, struct buf *b);

/* One JSON object: every test run with its result, the counts, and
 * "coverage" (coverage_json) when `cov` is not NULL; ends in a newline. */
void testrun_json(struct compilation *c, const struct testrun *run,
		  const struct coverage *cov, struct buf *b);

/* JUnit XML as GitHub, GitLab and Jenkins read it: one <testsuite> per test
 * file, one <testcase> per test (classname: the file's package), a
 * <failure> with the text report of each failing test; then one
 * <testsuite> per gate of gates[0..ngates), counted in the totals. */
void testrun_junit(struct compilation *c, const struct testrun *run,
		   const struct testrun_gate *gates, size_t ngates, struct buf *b);

#endif
