/*
 * test_diff.c: diff (diff.h) between versions of a project in a temporary
 * repository (git_util.h): each version compiled in memory from its commit,
 * rule changes shown as formatted source, schema changes, and the test
 * decisions a change loosens or tightens.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "checker.h"
#include "diff.h"
#include "git_util.h"
#include "gitx.h"

TestSuite(diff, .init = gu_versions, .fini = gu_fini);

Test(diff, compiles_any_version_in_memory)
{
	struct gitx g;
	struct diff_side s;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	/* The working tree is v3; v1 is only in the repository. */
	cr_assert_eq(diff_side_load(&s, &g, "v1"), 0, "%s", g.msg);
	cr_assert_eq(s.c->checked->nrules, 1);
	cr_assert_eq(s.c->checked->ntests, 0);
	cr_assert_str_eq(authz_bundle_source_revision(s.bundle), s.revision);
	diff_side_release(&s);
	cr_assert_eq(diff_side_load(&s, &g, NULL), 0, "%s", g.msg);
	cr_assert_eq(s.c->checked->ntests, 1);
	cr_assert_str_eq(s.revision, "");
	diff_side_release(&s);
	cr_assert_eq(diff_side_load(&s, &g, "nosuch"), -1);
	diff_side_release(&s);
	gitx_close(&g);
}

/* The report of diff A B, in `a`. */
static void diff_of(struct gitx *g, struct arena *a, const char *x, const char *y,
		    struct diff_report *r)
{
	struct diff_side old, new;
	cr_assert_eq(diff_side_load(&old, g, x), 0, "%s", g->msg);
	cr_assert_eq(diff_side_load(&new, g, y), 0, "%s", g->msg);
	diff_report_init(r, a, &old, &new);
	diff_sources(r, &old, &new);
	struct diff_impact_state *s = diff_impact_begin(r, &old, &new);
	diff_impact_tests(s, &new);
	diff_impact_tests(s, &old);
	diff_impact_end(s);
	/* The report must not point into the sides, released here. */
	diff_side_release(&old);
	diff_side_release(&new);
}

Test(diff, shows_a_changed_guard_as_formatted_source)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	diff_of(&g, &a, "HEAD~2", "HEAD~1", &r);
	cr_assert_eq(r.nitems, 1);
	cr_assert_eq(r.items[0].change, DIFF_CHANGED);
	cr_assert_str_eq(r.items[0].id, "p.r");
	cr_assert_str_eq(r.items[0].parts, "guards");
	cr_assert_eq(r.items[0].nlines, 2);
	cr_assert_eq(r.items[0].lines[0].sign, '-');
	cr_assert_str_eq(r.items[0].lines[0].text, "when principal.tenant == resource.tenant");
	cr_assert_eq(r.items[0].lines[1].sign, '+');
	cr_assert_str_eq(r.items[0].lines[1].text,
			 "when principal.tenant == resource.tenant or resource.env == \"shared\"");
	cr_assert_eq(r.nschema, 0);
	cr_assert(diff_report_changed(&r));
	arena_free(&a);
	gitx_close(&g);
}

Test(diff, reports_nothing_for_the_same_version)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	diff_of(&g, &a, "HEAD~1", "HEAD~1", &r);
	cr_assert_not(diff_report_changed(&r));
	arena_free(&a);
	gitx_close(&g);
}

Test(diff, finds_schema_changes_and_loosened_test_decisions)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	/* v1 -> v3: the guard widened (the v3 test's request is loosened),
	 * mfa became optional, Dataset.owner was added. */
	diff_of(&g, &a, "HEAD~2", "HEAD", &r);
	cr_assert_eq(r.nschema, 2);
	cr_assert_str_eq(r.schema[0].subject, "attribute 'User.mfa'");
	cr_assert_str_eq(r.schema[0].detail, "required -> optional");
	cr_assert_eq(r.schema[1].change, DIFF_ADDED);
	cr_assert_str_eq(r.schema[1].subject, "attribute 'Dataset.owner'");
	cr_assert_str_eq(r.schema[1].detail, "string");
	cr_assert_eq(r.ntests, 1);
	cr_assert_eq(r.loosened, 1);
	cr_assert_eq(r.tightened, 0);
	cr_assert_eq(r.ndecisions, 1);
	cr_assert_eq(r.decisions[0].impact, IMPACT_LOOSENED);
	cr_assert_str_eq(r.decisions[0].source, "test 'other tenant, shared'");
	cr_assert_eq(r.decisions[0].nresponsible, 1);
	cr_assert_str_eq(r.decisions[0].responsible[0], "p.r");
	/* And the other way round it is tightened, the schema reversed. */
	struct diff_report back;
	diff_of(&g, &a, "HEAD", "HEAD~2", &back);
	cr_assert_eq(back.tightened, 1);
	cr_assert_eq(back.loosened, 0);
	cr_assert_str_eq(back.schema[0].detail, "optional -> required");
	cr_assert_eq(back.schema[1].change, DIFF_REMOVED);
	arena_free(&a);
	gitx_close(&g);
}

static const char TESTS_BEFORE[] =
	"package p;\n\nrequest base {\n"
	"  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\", owner: \"x\" }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n}\n\n"
	"test \"same tenant\" {\n  given base\n  expect allow by p.r\n}\n\n"
	"test \"other tenant\" {\n  given base with resource.tenant = \"globex\"\n  expect deny\n}\n\n"
	"test \"goes away\" {\n  given base with resource.tenant = \"initech\"\n  expect deny\n}\n\n"
	"test \"guest\" {\n  given base with principal.tenant = \"guests\"\n  expect allow\n}\n\n"
	"test \"request moves\" {\n  given base\n  expect allow\n}\n";
/* "same tenant" unchanged (written inline); "other tenant" flipped to
 * allow, "goes away" removed: weakened; "guest" now expects deny:
 * strengthened; "request moves" has another request; "new" is added. */
static const char TESTS_AFTER[] =
	"package p;\n\nrequest base {\n"
	"  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\", owner: \"x\" }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n}\n\n"
	"test \"same tenant\" {\n"
	"  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\", owner: \"x\" }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n  expect allow by r\n}\n\n"
	"test \"other tenant\" {\n  given base with resource.tenant = \"globex\"\n  expect allow\n}\n\n"
	"test \"guest\" {\n  given base with principal.tenant = \"guests\"\n  expect deny\n}\n\n"
	"test \"request moves\" {\n  given base with resource.env = \"dev\"\n  without principal.mfa\n"
	"  expect allow\n}\n\n"
	"test \"new\" {\n  given base\n  expect allow\n}\n";

Test(diff, lists_tests_added_removed_and_changed_weakened_first)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	git_oid id;
	gu_write("proj/policies/p_test.authz", TESTS_BEFORE);
	gu_commit(&id, "tests before");
	gu_write("proj/policies/p_test.authz", TESTS_AFTER);
	gu_commit(&id, "tests after");
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	diff_of(&g, &a, "HEAD~1", "HEAD", &r);
	cr_assert(diff_report_changed(&r));
	cr_assert_eq(r.nitems, 0);
	cr_assert_eq(r.ntest_changes, 5);
	cr_assert_eq(r.tests_weakened, 2);
	const struct diff_test *t = r.test_changes;
	cr_assert_eq(t[0].change, DIFF_REMOVED);
	cr_assert_str_eq(t[0].name, "\"goes away\"");
	cr_assert_str_eq(t[0].file, "policies/p_test.authz");
	cr_assert_eq(t[0].strength, STRENGTH_WEAKENED);
	cr_assert_str_eq(t[0].old_expect, "expect deny");
	cr_assert_null(t[0].new_expect);
	cr_assert_str_eq(t[1].name, "\"other tenant\"");
	cr_assert_eq(t[1].change, DIFF_CHANGED);
	cr_assert_eq(t[1].strength, STRENGTH_WEAKENED);
	cr_assert_str_eq(t[1].why, "deny -> allow");
	cr_assert_str_eq(t[1].parts, "expectation");
	cr_assert_str_eq(t[2].name, "\"guest\"");
	cr_assert_eq(t[2].strength, STRENGTH_STRENGTHENED);
	cr_assert_str_eq(t[2].new_expect, "expect deny");
	cr_assert_str_eq(t[3].name, "\"new\"");
	cr_assert_eq(t[3].change, DIFF_ADDED);
	cr_assert_eq(t[3].strength, STRENGTH_SAME);
	cr_assert_str_eq(t[4].name, "\"request moves\"");
	cr_assert_eq(t[4].strength, STRENGTH_SAME);
	cr_assert_str_eq(t[4].parts, "request");
	cr_assert_eq(t[4].nrequest, 2);
	cr_assert_str_eq(t[4].request[0].key, "principal.mfa");
	cr_assert_eq(t[4].request[0].change, DIFF_REMOVED);
	cr_assert_str_eq(t[4].request[0].old, "true");
	cr_assert_str_eq(t[4].request[1].key, "resource.env");
	cr_assert_str_eq(t[4].request[1].old, "\"prod\"");
	cr_assert_str_eq(t[4].request[1].new, "\"dev\"");
	/* Back the other way: "goes away" is added, "new" removed (it expected
	 * allow: not weakened), "guest" weakened. */
	struct diff_report back;
	diff_of(&g, &a, "HEAD", "HEAD~1", &back);
	cr_assert_eq(back.ntest_changes, 5);
	cr_assert_eq(back.tests_weakened, 1);
	cr_assert_str_eq(back.test_changes[0].name, "\"guest\"");
	cr_assert_str_eq(back.test_changes[0].why, "deny -> allow");
	arena_free(&a);
	gitx_close(&g);
}

Test(diff, a_test_moved_to_another_file_is_the_same_test)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	git_oid id;
	char p[PATH_MAX];
	gu_write("proj/policies/p_test.authz", TESTS_BEFORE);
	gu_commit(&id, "tests before");
	cr_assert_eq(unlink(gu_path(p, "proj/policies/p_test.authz")), 0);
	gu_write("proj/policies/q_test.authz", TESTS_BEFORE);
	git_index *index = NULL;
	cr_assert_eq(git_repository_index(&index, gu_repo), 0);
	cr_assert_eq(git_index_remove_bypath(index, "proj/policies/p_test.authz"), 0);
	cr_assert_eq(git_index_write(index), 0);
	git_index_free(index);
	gu_commit(&id, "moved");
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	diff_of(&g, &a, "HEAD~1", "HEAD", &r);
	cr_assert_eq(r.ntest_changes, 5);
	cr_assert_eq(r.tests_weakened, 0);
	for (size_t i = 0; i < r.ntest_changes; i++) {
		cr_assert_eq(r.test_changes[i].change, DIFF_CHANGED);
		cr_assert_str_eq(r.test_changes[i].file, "policies/q_test.authz");
		cr_assert_str_eq(r.test_changes[i].old_file, "policies/p_test.authz");
		cr_assert_null(r.test_changes[i].parts);
	}
	arena_free(&a);
	gitx_close(&g);
}
