/*
 * diff.h: compare two compiled versions of a policy set (`authzc diff`).
 *
 * Two kinds of difference are found:
 *   - source differences (diff_rules.c): rules added, removed and changed,
 *     matched by id; for a changed rule its effect, scope, annotations and
 *     guards (ast_rule_guards: each top-level `and` operand of a `when`,
 *     each `unless`), compared as syntax trees, so layout and comments never
 *     count; constants; the schema (types, attributes, optional/required,
 *     the context, actions); authzc.json, every key (diff_config.c: the
 *     gates and environments matter as much as a rule).  Changed parts are shown as canonical source
 *     (fmt.h), old and new.
 *   - test changes (diff_tests.c): tests added, removed and changed,
 *     matched by file and name (or by a name unique on both sides, for a
 *     test moved to another file); a changed test's request is compared as
 *     resolved (after given, with, without, at) key by key, and its
 *     expectation by decision and rules.  A weakened expectation (a test
 *     that protected a deny and now protects less) is flagged like a
 *     loosened decision (the definition is in diff_tests.c and
 *     authzc-diff(1)).
 *   - decision impact (diff_impact.c): the requests of both versions' tests
 *     and of replay files are decided by both bundles; each request whose
 *     decision or deciding rules change is listed, marked loosened
 *     (deny -> allow) or tightened (allow -> deny), with the rules
 *     responsible (those that decided it on one side only).
 *
 * Everything lives in the report's arena, never in the sides': a report
 * outlives the compilations it came from.  diff_render.c prints a report
 * as text, markdown (a pull-request comment) or JSON.
 */
#ifndef AUTHZC_DIFF_H
#define AUTHZC_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "authz.h"
#include "project.h"
#include "sym.h"

enum diff_change { DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED };

/* One line of a change shown as source: '-' old, '+' new, ' ' context. */
struct diff_line {
	char sign;
	const char *text;       /* canonical source, one line, no newline */
};

/* A rule or constant added, removed or changed. */
struct diff_item {
	enum diff_change change;
	const char *id;         /* "pkg.name" */
	const char *what;       /* "rule" or "constant" */
	const char *effect;     /* rules: "permit"/"forbid" (the new one if any) */
	/* What changed, for a changed rule: any of "effect", "scope",
	 * "annotations", "guards" (comma-separated); "value" for constants. */
	const char *parts;
	struct diff_line *lines;
	size_t nlines;
};

/* A schema change: `subject` is "type 'User'", "attribute 'User.tenant'",
 * "context attribute 'ticket'", "action 'read'". */
struct diff_schema {
	enum diff_change change;
	const char *subject;
	const char *detail;     /* "string -> int", "required -> optional", ... */
};

/* A change to authzc.json: `key` is a path ("gates.min_guard_coverage",
 * "environments"); the values are compact JSON, NULL on the side that
 * does not have the key.  A test's request changes use it too
 * (struct diff_test). */
struct diff_config {
	enum diff_change change;
	const char *key;
	const char *old, *new;
};

/* How a test's expectation moved (authzc-diff(1), TESTS). */
enum diff_strength { STRENGTH_SAME, STRENGTH_WEAKENED, STRENGTH_STRENGTHENED };

/* A test added, removed or changed, by file and name. */
struct diff_test {
	enum diff_change change;
	const char *file;       /* the test file, project-relative */
	const char *old_file;   /* CHANGED: where it was, when it moved; or NULL */
	const char *name;       /* the name as written ("\"a test\"", policy syntax) */
	const char *raw;        /* the name decoded (JSON) */
	enum diff_strength strength;
	const char *why;        /* WEAKENED: "deny -> allow", "no longer names p.x", ... */
	const char *parts;      /* CHANGED: "request", "expectation", both, or
				 * NULL for a test only moved */
	/* "expect deny by p.x" on each side (NULL on the side without the
	 * test), and the request as JSON (authzc-eval(1)), resolved. */
	const char *old_expect, *new_expect;
	const char *old_request, *new_request;
	/* The request's changes, key by key: "principal" (type and id),
	 * "principal.tenant", "action", "context.ticket", "time"; the
	 * values in policy syntax ("acme" as "\"acme\"", time("...")). */
	struct diff_config *request;
	size_t nrequest;
};

/* An assertion added, removed or changed, by file and name
 * (diff_asserts.c).  Removing one drops a guarantee: it is flagged as a
 * weakened test is. */
struct diff_assert {
	enum diff_change change;
	const char *file;       /* the test file, project-relative (the new side's) */
	const char *name;       /* as written ("\"a name\"", policy syntax) */
	const char *raw;        /* the name decoded (JSON) */
	bool weakened;          /* removed */
	/* the assertion's source on each side, on one line (NULL on the side
	 * without it) */
	const char *old_text, *new_text;
};

enum diff_impact { IMPACT_LOOSENED, IMPACT_TIGHTENED, IMPACT_RULES };

struct diff_decision {
	enum diff_impact impact;
	const char *source;     /* "test 'name'" or "FILE:LINE" */
	const char *request;    /* its JSON text */
	bool old_allow, new_allow;
	const char **old_rules, **new_rules;
	size_t nold_rules, nnew_rules;
	const char **responsible;       /* rules that decided on one side only */
	size_t nresponsible;
	const char *old_json, *new_json;        /* the decisions (authzc-eval(1)) */
	bool covers;            /* a test of the new version or a replayed request
				 * (not a test only the old version has) */
};

/* A class of requests whose decision the change flips, found by the solver
 * (diff_behaviour.c, sym.h), and whether anything exercised it. */
struct diff_class {
	const struct sym_class *k;
	const char *tested_by;  /* the first test or replay request in the class, or NULL */
	const char *test_block; /* untested, with a witness: a test to paste */
};

/* Per responsible rule: how many changed decisions it accounts for. */
struct diff_blame {
	const char *rule;
	size_t loosened, tightened, rules;
};

/* One side of a diff: a compiled version. */
struct diff_side {
	const char *label;      /* "HEAD", "prod", "working tree" */
	const char *revision;   /* commit id, or "" for the working tree */
	struct compilation *c;  /* compilation_run() returned 0 */
	authz_bundle *bundle;
};

struct diff_report {
	struct arena *a;
	const char *old_label, *new_label;
	const char *old_revision, *new_revision;
	struct diff_item *items;        /* by id */
	size_t nitems;
	struct diff_schema *schema;
	size_t nschema;
	struct diff_config *config;     /* authzc.json, in the old file's key order */
	size_t nconfig;
	struct diff_assert *assert_changes;     /* by file and name */
	size_t nassert_changes;
	struct diff_test *test_changes; /* weakened first, then by file and name */
	size_t ntest_changes;
	size_t tests_weakened;
	size_t nrequests;               /* distinct requests decided */
	size_t ntests, nreplayed;       /* ... from tests, from replay files */
	size_t nskipped;                /* replay records without a request */
	struct diff_decision *decisions;
	size_t ndecisions;
	size_t loosened, tightened, rules_changed;
	struct diff_blame *blame;       /* by rule id */
	size_t nblame;
	/* The behaviour section: every class of requests decided differently
	 * (diff_behaviour); `behaviour` false when it was not asked for. */
	bool behaviour;
	struct sym_diff sym;
	struct diff_class *classes;     /* as sym.classes */
	size_t untested_loosened;
};

struct gitx;

/*
 * Load and compile one side (diff_load.c): `spec` a revision or environment
 * name (gitx_resolve), or NULL for the working tree.  The compilation is
 * malloc'd into s->c.  Returns 0 with s->bundle loaded; 1 when the sources
 * have errors (s->c->diags holds them); -1 when the revision cannot be
 * read or the bundle cannot be built (message in g->msg).  Release with
 * diff_side_release either way.
 */
int diff_side_load(struct diff_side *s, struct gitx *g, const char *spec);
void diff_side_release(struct diff_side *s);

void diff_report_init(struct diff_report *r, struct arena *a, const struct diff_side *old,
		      const struct diff_side *new);

/* Source differences of the two sides (diff_rules.c), authzc.json's
 * (diff_config) and the tests' (diff_tests) included. */
void diff_sources(struct diff_report *r, const struct diff_side *old, const struct diff_side *new);

/* The changes to authzc.json (diff_config.c), every key: absent file or
 * key on one side counts as removed or added. */
void diff_config(struct diff_report *r, const struct diff_side *old, const struct diff_side *new);

/* The tests added, removed and changed (diff_tests.c), into
 * r->test_changes, weakened ones counted in r->tests_weakened. */
void diff_tests(struct diff_report *r, const struct diff_side *old, const struct diff_side *new);

/* The assertions added, removed and changed (diff_asserts.c), into
 * r->assert_changes.  An assertion is known by its file and name; changed
 * when its scope, verdict or conditions differ (not its layout). */
void diff_asserts(struct diff_report *r, const struct diff_side *old, const struct diff_side *new);

/* How an expectation moved from (old_allow, old_by, old rule ids) to the
 * new one, and why when weakened (a static string or one in `a`; NULL
 * otherwise).  The definition of authzc-diff(1), TESTS. */
struct diff_expect {
	bool allow;
	enum ast_expect_by by;          /* EXPECT_ANY, EXPECT_RULES, EXPECT_DEFAULT */
	const char **rules;             /* EXPECT_RULES: rule ids */
	size_t nrules;
};
enum diff_strength diff_expect_strength(struct arena *a, const struct diff_expect *old,
					const struct diff_expect *new, const char **why);

/*
 * Decision impact (diff_impact.c).  diff_impact_begin once, then
 * diff_impact_tests and diff_impact_replay in any order, then
 * diff_impact_end.  The replay reads JSON Lines: each line a request, or a
 * decision record {"request": R, ...} (its decision's time is used when R
 * has none).  Returns 0, or -1 with a message in err[0..size) when the
 * file cannot be read or a line is not JSON.
 */
struct diff_impact_state;
struct diff_impact_state *diff_impact_begin(struct diff_report *r, const struct diff_side *old,
					    const struct diff_side *new);
void diff_impact_tests(struct diff_impact_state *s, const struct diff_side *side);
int diff_impact_replay(struct diff_impact_state *s, const char *path, char *err, size_t size);
void diff_impact_end(struct diff_impact_state *s);

/*
 * The behaviour section (diff_behaviour.c): every class of requests the
 * two bundles decide differently, found by the solver (sym_diff_run),
 * each marked tested when a decision of r->decisions that covers (a test
 * of the new version, a replayed request) falls in it, and given a test
 * block when it is not.  Run after the decision impact.  Returns 0, or -1
 * with a message in err[0..size).
 */
int diff_behaviour(struct diff_report *r, const struct diff_side *old, const struct diff_side *new,
		   const struct sym_opts *o, char *err, size_t size);

/* Anything changed at all? */
bool diff_report_changed(const struct diff_report *r);

enum diff_format { DIFF_TEXT, DIFF_MARKDOWN, DIFF_JSON };

/* Print `r` to `out` (diff_render.c).  Returns 0, or -1 when out of memory. */
int diff_render(FILE *out, const struct diff_report *r, enum diff_format format);

#endif
