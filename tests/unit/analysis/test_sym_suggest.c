/*
 * test_sym_suggest.c: tests suggested for what a project's tests leave
 * uncovered (sym_suggest.h): with the suggestion file added every measure
 * reaches 100% and every suggested test passes; what cannot be covered
 * (a rule that never applies, a guard implied by another, a forbid guard
 * that never fails alone, a deny path another permit always hides) is
 * reported with its reason; a solver that gives up is unknown.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harden_util.h"
#include "codegen.h"
#include "coverage.h"
#include "sym_suggest.h"
#include "testrun.h"

static const char SCHEMA[] =
	"{\"types\": {\"User\": {\"tenant\": \"string\", \"level\": \"int\"},"
	" \"Doc\": {\"tenant\": \"string\", \"owner\": \"string\", \"locked\": \"bool\"}},"
	" \"actions\": {\"read\": {\"principals\": [\"User\"], \"resources\": [\"Doc\"]},"
	" \"delete\": {\"principals\": [\"User\"], \"resources\": [\"Doc\"]}},"
	" \"context\": {\"ticket?\": \"string\"}}";

static const char POLICY[] =
	"package p;\n"
	"permit read {\n  action == \"read\"\n"
	"  when principal.tenant == resource.tenant and principal.level >= 1\n}\n"
	"permit delete_own {\n  action == \"delete\"\n  when resource.owner == principal.id\n}\n"
	"forbid locked {\n  action == \"delete\"\n  when resource.locked\n  unless principal.level > 5\n}\n";

static const char ONE_TEST[] =
	"test \"a user reads\" {\n"
	"  principal User \"u1\" { tenant: \"acme\", level: 1 }\n  action \"read\"\n"
	"  resource Doc \"d1\" { tenant: \"acme\", owner: \"u2\", locked: false }\n"
	"  context {}\n  at time(\"2026-11-22T10:00:00Z\")\n  expect allow by p.read\n}\n";

/* The same request, for policies without p.read. */
static const char ANY_TEST[] =
	"test \"a user reads\" {\n"
	"  principal User \"u1\" { tenant: \"acme\", level: 1 }\n  action \"read\"\n"
	"  resource Doc \"d1\" { tenant: \"acme\", owner: \"u2\", locked: false }\n"
	"  context {}\n  at time(\"2026-11-22T10:00:00Z\")\n  expect allow\n}\n";

/* Generous: the machine running the tests may be loaded. */
#define TEST_SOLVER_MS 60000

static authz_bundle *B;
static struct coverage COV;
static struct testrun RUN;

/* Compile `policy` with test files tests[0..] (NULL-terminated, at most
 * 3), run them with coverage into COV and RUN. */
static void run_tests(const char *schema, const char *policy, const char *const *tests)
{
	const char *files[10] = { "policies/p.authz", policy };
	static const char *const names[] = { "tests/a_test.authz", "tests/b_test.authz", "tests/c_test.authz" };
	size_t n = 2;
	for (size_t i = 0; tests[i]; i++) {
		files[n++] = names[i];
		files[n++] = tests[i];
	}
	files[n] = NULL;
	authz_bundle_free(B);
	B = hu_project(schema, files);
	coverage_init(&COV, &ck_c);
	char msg[512];
	cr_assert_eq(testrun_run(&ck_c, B, NULL, &COV, &RUN, msg, sizeof msg), 0, "%s", msg);
}

/* Suggest for what COV left uncovered, with timeout `ms` per call. */
static struct sym_suggest suggest(unsigned ms)
{
	struct sym_opts o = SYM_OPTS_DEFAULT;
	o.timeout_ms = ms;
	struct sym_suggest s;
	char msg[512];
	cr_assert_eq(sym_suggest_run(&ck_c, B, &COV, &o, &s, msg, sizeof msg), 0, "%s", msg);
	return s;
}

/* The item of rule `id` and measure m (guard g), or fail. */
static const struct sym_suggestion *item(const struct sym_suggest *s, const char *id, enum cov_measure m, size_t g)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct sym_suggestion *it = &s->items[i];
		if (it->measure == m && !strcmp(COV.rules[it->rule].rule->id, id) && (m != COV_GUARDS || it->guard == g))
			return it;
	}
	cr_assert_fail("no item for %s measure %d guard %zu", id, (int)m, g);
	return NULL;
}

static void fini(void)
{
	authz_bundle_free(B);
	B = NULL;
}

TestSuite(sym_suggest, .fini = fini);

Test(sym_suggest, the_suggestion_file_reaches_full_coverage)
{
	const char *tests[] = { ONE_TEST, NULL };
	run_tests(SCHEMA, POLICY, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	cr_assert_eq(s.n, 10, "uncovered items: %zu", s.n);
	cr_expect_eq(s.nnever, 0);
	cr_expect_eq(s.nunknown, 0);
	cr_expect_eq(s.nwritten + s.nalso, 10);
	for (size_t i = 0; i < s.n; i++) {
		const struct sym_suggestion *it = &s.items[i];
		if (it->state == SUG_ALSO)
			cr_expect_eq(s.items[it->by].state, SUG_WRITTEN);
		if (it->state == SUG_WRITTEN)
			cr_expect(strstr(it->test_src, it->name) != NULL, "%s", it->test_src);
	}
	char *file = strdup(sym_suggest_file(&ck_c, &s));
	const char *again[] = { ONE_TEST, file, NULL };
	run_tests(SCHEMA, POLICY, again);
	cr_expect_eq(RUN.failed, 0, "a suggested test fails:\n%s", file);
	cr_expect_eq(RUN.passed, 1 + s.nwritten);
	struct cov_count k[COV_NMEASURES];
	coverage_counts(&COV, k);
	for (int m = 0; m < COV_NMEASURES; m++)
		cr_expect_eq(k[m].covered, k[m].total, "measure %d: %zu of %zu\n%s", m, k[m].covered, k[m].total, file);
	free(file);
}

Test(sym_suggest, names_say_what_each_test_covers)
{
	const char *tests[] = { ONE_TEST, NULL };
	run_tests(SCHEMA, POLICY, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	const struct sym_suggestion *fired = item(&s, "p.delete_own", COV_FIRED, 0);
	cr_assert_eq(fired->state, SUG_WRITTEN);
	cr_expect_str_eq(fired->name, "covers rule p.delete_own");
	cr_expect(strstr(fired->test_src, "expect allow by p.delete_own\n") != NULL, "%s", fired->test_src);
	const struct sym_suggestion *g = item(&s, "p.read", COV_GUARDS, 0);
	cr_assert(g->state == SUG_WRITTEN || g->state == SUG_ALSO);
	cr_expect_str_eq(g->label, "guard 1 of rule p.read");
	const struct sym_suggestion *u = item(&s, "p.locked", COV_GUARDS, 1);
	if (u->state == SUG_WRITTEN)
		cr_expect_str_eq(u->name, "guard 2 of rule p.locked fails: unless principal.level > 5");
}

Test(sym_suggest, covered_items_are_not_suggested)
{
	const char *tests[] = { ONE_TEST, NULL };
	run_tests(SCHEMA, POLICY, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	for (size_t i = 0; i < s.n; i++)
		cr_expect(!(s.items[i].measure == COV_FIRED && !strcmp(COV.rules[s.items[i].rule].rule->id, "p.read")),
			  "p.read fired in a test");
}

Test(sym_suggest, a_guard_implied_by_another_cannot_be_covered)
{
	const char *pol = "permit read {\n  when principal.tenant == resource.tenant and principal.level >= 2"
			  " and principal.level >= 1\n}\n";
	const char *tests[] = { ANY_TEST, NULL };
	run_tests(SCHEMA, pol, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	const struct sym_suggestion *g = item(&s, "read", COV_GUARDS, 2);
	cr_assert_eq(g->state, SUG_NEVER);
	cr_expect_str_eq(g->reason, "the guard can never fail on its own: guard 3 is implied by guard 2");
	cr_expect_eq(s.nnever, 1);
	cr_expect_eq(s.nunknown, 0);
}

Test(sym_suggest, a_rule_that_never_applies)
{
	const char *pol = "permit never {\n  when principal.level > 3 and principal.level < 2\n}\n";
	const char *tests[] = { ANY_TEST, NULL };
	run_tests(SCHEMA, pol, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	const struct sym_suggestion *f = item(&s, "never", COV_FIRED, 0);
	cr_assert_eq(f->state, SUG_NEVER);
	cr_expect(strstr(f->reason, "the rule can never apply") != NULL, "%s", f->reason);
	cr_expect_neq(item(&s, "never", COV_GUARDS, 1)->state, SUG_NEVER, "guard 2 fails when guard 1 holds");
}

Test(sym_suggest, a_forbid_guard_that_never_fails_alone)
{
	const char *pol = "permit all {\n  action == \"read\"\n}\n"
			  "forbid bad_ticket {\n  when context has ticket and context.ticket == \"revoked\"\n}\n";
	const char *tests[] = { ANY_TEST, NULL };
	run_tests(SCHEMA, pol, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	const struct sym_suggestion *g = item(&s, "bad_ticket", COV_GUARDS, 0);
	cr_assert_eq(g->state, SUG_NEVER);
	cr_expect_str_eq(g->reason, "the guard can never fail on its own: whenever guard 1 fails, guard 2 fails too "
				    "or cannot be evaluated");
	const struct sym_suggestion *g2 = item(&s, "bad_ticket", COV_GUARDS, 1);
	cr_expect(g2->state == SUG_WRITTEN || g2->state == SUG_ALSO);
}

Test(sym_suggest, a_deny_path_another_permit_always_hides)
{
	const char *pol = "permit all {\n  action == \"read\"\n}\n"
			  "permit leveled {\n  action == \"read\"\n  when principal.level >= 1\n}\n";
	const char *test = "test \"reads\" {\n"
			   "  principal User \"u1\" { tenant: \"acme\", level: 1 }\n  action \"read\"\n"
			   "  resource Doc \"d1\" { tenant: \"acme\", owner: \"u2\", locked: false }\n"
			   "  context {}\n  at time(\"2026-11-22T10:00:00Z\")\n  expect allow\n}\n";
	const char *tests[] = { test, NULL };
	run_tests(SCHEMA, pol, tests);
	struct sym_suggest s = suggest(TEST_SOLVER_MS);
	const struct sym_suggestion *d = item(&s, "leveled", COV_DENY, 0);
	cr_assert_eq(d->state, SUG_NEVER);
	cr_expect_str_eq(d->reason, "whenever the rule does not apply, another permit allows the request");
	const struct sym_suggestion *g = item(&s, "leveled", COV_GUARDS, 0);
	cr_assert_eq(g->state, SUG_NEVER);
	cr_expect_str_eq(g->reason, "whenever guard 1 holds the rule back, another permit allows the request");
}

/* x^3 + y^3 + z^3 == 42: no solver settles it in a millisecond. */
static const char HARD_SCHEMA[] =
	"{\"types\": {\"U\": {\"x\": \"int\", \"y\": \"int\", \"z\": \"int\"}, \"R\": {}},"
	" \"actions\": {\"go\": {\"principals\": [\"U\"], \"resources\": [\"R\"]}}}";

Test(sym_suggest, a_solver_that_gives_up_is_unknown)
{
	const char *pol = "permit cubes {\n  when principal.x * principal.x * principal.x + principal.y * principal.y"
			  " * principal.y + principal.z * principal.z * principal.z == 42\n"
			  "   and principal.x * principal.y > 1000000\n}\n";
	const char *tests[] = { "assert \"a\" {\n  never deny\n  when principal.x == 1\n}\n", NULL };
	run_tests(HARD_SCHEMA, pol, tests);
	struct sym_suggest s = suggest(1);
	const struct sym_suggestion *f = item(&s, "cubes", COV_FIRED, 0);
	cr_assert_eq(f->state, SUG_UNKNOWN);
	cr_expect(strstr(f->reason, "the solver gave up") != NULL, "%s", f->reason);
	cr_expect_geq(s.nunknown, 1);
}

Test(sym_suggest, items_past_the_budget_are_unreached_never_impossible)
{
	/* a rule that never applies is impossible with time to find it, and
	 * not settled when the whole budget (1 ms: less than opening the
	 * solver's context) runs out first */
	const char *pol = "permit never {\n  when principal.level > 3 and principal.level < 2\n}\n";
	const char *tests[] = { ANY_TEST, NULL };
	run_tests(SCHEMA, pol, tests);
	struct sym_opts o = SYM_OPTS_DEFAULT;
	o.suggest_ms = 1;
	struct sym_suggest s;
	char msg[512];
	cr_assert_eq(sym_suggest_run(&ck_c, B, &COV, &o, &s, msg, sizeof msg), 0, "%s", msg);
	const struct sym_suggestion *f = item(&s, "never", COV_FIRED, 0);
	cr_assert_eq(f->state, SUG_UNKNOWN);
	cr_expect(f->unreached);
	cr_expect(strstr(f->reason, "budget of 1 ms ran out") != NULL, "%s", f->reason);
	cr_expect_eq(s.nnever, 0, "nothing is impossible while a triple is left unexamined");
	cr_expect_eq(s.nunreached, s.nunknown);
	cr_expect_eq(s.nwritten, 0);
}
