/*
 * test_testrun.c: running tests through libauthz: pass and fail for every
 * form of `expect`, `--run` selection, the explanation kept for a failing
 * test, and the text and JUnit reports (with their gates, and a project
 * without tests).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testrun_util.h"

TestSuite(testrun, .fini = tr_fini);

static const struct testrun_result *result(const char *name)
{
	for (size_t i = 0; i < tr_run.n; i++)
		if (!strcmp(tr_run.results[i].test->name, name))
			return &tr_run.results[i];
	cr_assert_fail("no result for '%s'", name);
	return NULL;
}

Test(testrun, expectations_pass_and_fail)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"allow by\" {\n  given r\n  expect allow by p.user_read\n}\n"
	      "test \"allow\" {\n  given r\n  expect allow\n}\n"
	      "test \"wrong decision\" {\n  given r\n  expect deny\n}\n"
	      "test \"default\" {\n  given r\n  with principal.mfa = false\n  expect deny by default\n}\n"
	      "test \"not default\" {\n  given r\n  with principal.department = \"banned\"\n"
	      "  expect deny by default\n}\n"
	      "test \"by forbid\" {\n  given r\n  with principal.department = \"banned\"\n"
	      "  expect deny by banned\n}\n"
	      "test \"wrong rule\" {\n  given r\n  with principal.department = \"banned\"\n"
	      "  expect allow by user_read\n}\n",
	      NULL, false);
	cr_assert_eq(tr_run.n, 7);
	cr_expect(result("allow by")->passed);
	cr_expect(result("allow")->passed);
	cr_expect(!result("wrong decision")->passed);
	cr_expect(result("default")->passed);
	cr_expect(!result("not default")->passed);
	cr_expect(result("by forbid")->passed);
	cr_expect(!result("wrong rule")->passed);
	cr_expect_eq(tr_run.passed, 4);
	cr_expect_eq(tr_run.failed, 3);
	/* stable order: source order */
	cr_expect_str_eq(tr_run.results[0].test->name, "allow by");
	cr_expect_str_eq(tr_run.results[6].test->name, "wrong rule");
}

Test(testrun, failing_test_keeps_the_guard_that_held_it_back)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"needs mfa\" {\n  given r\n  with principal.mfa = false\n  expect allow\n}\n",
	      NULL, false);
	const struct testrun_result *r = result("needs mfa");
	cr_assert(!r->passed);
	cr_assert(!r->allowed);
	cr_assert_eq(r->ntrace, 2);      /* both scopes match */
	cr_expect_str_eq(r->trace[0].rule, "p.user_read");
	cr_expect_eq(r->trace[0].outcome, AUTHZ_NOT_APPLIED);
	cr_expect_eq(r->trace[0].guard, 1);
	cr_expect_str_eq(r->trace[0].file, "policies/p.authz");
	cr_expect_eq(r->trace[0].line, 7);
	cr_expect_eq(r->trace[0].col, 48);
	cr_expect_str_eq(r->trace[0].text, "principal.mfa");

	struct buf b = BUF_INIT;
	testrun_text(&ck_c, &tr_run, NULL, &b);
	cr_expect_str_eq(b.p,
		"FAIL tests/p_test.authz:10: 'needs mfa'\n"
		"  expected  allow\n"
		"  actual    deny by default\n"
		"  because   p.user_read did not apply: held back by policies/p.authz:7:48: principal.mfa\n"
		"              where principal.mfa = false\n"
		"            p.banned did not apply: held back by policies/p.authz:13:8: "
		"principal.department == \"banned\"\n"
		"              where principal.department = \"eng\"\n"
		"\n"
		"0 passed, 1 failed\n");
	buf_release(&b);
}

Test(testrun, several_rules_in_any_order)
{
	const char policy[] =
		"package p;\n"
		"permit b_rule {\n  principal is User\n  action == \"read\"\n  resource is Dataset\n}\n"
		"permit a_rule {\n  principal is User\n  action == \"read\"\n  resource is Dataset\n}\n";
	tr_go(policy, TR_REQUEST
	      "test \"both\" {\n  given r\n  expect allow by b_rule, a_rule\n}\n"
	      "test \"one\" {\n  given r\n  expect allow by a_rule\n}\n",
	      NULL, false);
	cr_expect(result("both")->passed);
	cr_expect(!result("one")->passed);
	cr_assert_eq(result("both")->nrules, 2);
	cr_expect_str_eq(result("both")->rules[0], "p.a_rule");
}

Test(testrun, with_action_runs_the_changed_action)
{
	/* A service account may read and write; only reads are permitted. */
	const char policy[] =
		"package p;\n"
		"permit sa_read {\n  principal is ServiceAccount\n  action == \"read\"\n}\n";
	tr_go(policy,
	      "package p_test;\n"
	      "request sa {\n"
	      "  principal ServiceAccount \"ci\" {\n"
	      "    tenant: \"acme\", revoked: false, groups: [],\n"
	      "    workload: { signed: true, spiffe_id: \"s\" }\n"
	      "  }\n"
	      "  action \"read\"\n"
	      "  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\", change_tickets: [] }\n"
	      "  context { source_ip: ip(\"10.0.0.1\") }\n"
	      "}\n"
	      "test \"read\" {\n  given sa\n  expect allow by sa_read\n}\n"
	      "test \"write\" {\n  given sa\n  with action = \"write\"\n  expect deny by default\n}\n"
	      "test \"write allowed\" {\n  given sa\n  with action = \"write\"\n  expect allow\n}\n",
	      NULL, false);
	cr_expect(result("read")->passed);
	cr_expect(result("read")->allowed);
	cr_expect(result("write")->passed);
	cr_expect(!result("write")->allowed);
	cr_expect(!result("write allowed")->passed);
}

Test(testrun, run_selects_by_name)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"alpha one\" {\n  given r\n  expect allow\n}\n"
	      "test \"beta\" {\n  given r\n  expect deny\n}\n"
	      "test \"alpha two\" {\n  given r\n  expect allow\n}\n",
	      "^alpha", false);
	cr_assert_eq(tr_run.n, 2);
	cr_expect_eq(tr_run.passed, 2);
	cr_expect_eq(tr_run.failed, 0);
	cr_expect_str_eq(tr_run.results[1].test->name, "alpha two");
}

Test(testrun, junit_escapes_names_and_failures)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"a <b> & \\\"c\\\"\\u{1}\" {\n  given r\n  expect deny\n}\n",
	      NULL, false);
	struct buf b = BUF_INIT;
	testrun_junit(&ck_c, &tr_run, NULL, 0, &b);
	cr_assert(!b.oom);
	cr_expect(strstr(b.p, "name=\"a &lt;b&gt; &amp; &quot;c&quot;\\x01\""), "%s", b.p);
	cr_expect(strstr(b.p, "<testcase classname=\"p_test\""), "%s", b.p);
	cr_expect(strstr(b.p, "<failure message=\"expected deny, got allow by p.user_read\" type=\"wrong decision\">"),
		  "%s", b.p);
	cr_expect(strstr(b.p, "<testsuites name=\"authzc test\" tests=\"1\" failures=\"1\""), "%s", b.p);
	for (size_t i = 0; i < b.n; i++)
		cr_assert((unsigned char)b.p[i] >= 0x20 || b.p[i] == '\n', "control byte at %zu", i);
	buf_release(&b);
}

Test(testrun, coverage_on_traces_every_test)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"ok\" {\n  given r\n  expect allow\n}\n"
	      "test \"fails\" {\n  given r\n  expect deny\n}\n",
	      NULL, true);
	cr_expect_eq(tr_cov.ntests, 2);
	cr_expect_eq(tr_cov.rules[0].fired.n, 2);
	const struct testrun_result *r = result("fails");
	cr_assert_eq(r->ntrace, 2);
	cr_expect_eq(r->trace[0].outcome, AUTHZ_APPLIED);
	cr_expect_eq(r->trace[1].outcome, AUTHZ_NOT_APPLIED);
}

Test(testrun, junit_shows_gates_as_test_cases)
{
	tr_go(TR_POLICY, TR_REQUEST "test \"ok\" {\n  given r\n  expect allow\n}\n", NULL, false);
	const struct testrun_gate gates[] = {
		{ "authzc.coverage", "min-coverage", "guard coverage 40.0% is under the required 80%",
		  "coverage:\n  guards 40.0% <2/5>\n" },
		{ "authzc.other", "passes", NULL, NULL },
	};
	struct buf b = BUF_INIT;
	testrun_junit(&ck_c, &tr_run, gates, 2, &b);
	cr_assert(!b.oom);
	cr_expect(strstr(b.p, "<testsuites name=\"authzc test\" tests=\"3\" failures=\"1\""), "%s", b.p);
	cr_expect(strstr(b.p,
		"  <testsuite name=\"authzc.coverage\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""
		" time=\"0.000000\">\n"
		"    <testcase classname=\"authzc.coverage\" name=\"min-coverage\" time=\"0.000000\">\n"
		"      <failure message=\"guard coverage 40.0% is under the required 80%\" type=\"gate\">"
		"coverage:&#10;  guards 40.0% &lt;2/5&gt;&#10;</failure>\n"
		"    </testcase>\n  </testsuite>\n"), "%s", b.p);
	cr_expect(strstr(b.p,
		"  <testsuite name=\"authzc.other\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""
		" time=\"0.000000\">\n"
		"    <testcase classname=\"authzc.other\" name=\"passes\" time=\"0.000000\"/>\n"
		"  </testsuite>\n</testsuites>\n"), "%s", b.p);
	buf_release(&b);
}

Test(testrun, text_report_of_a_project_without_tests_says_so)
{
	tr_go(TR_POLICY, TR_REQUEST, NULL, false);
	cr_assert_eq(tr_run.n, 0);
	struct buf b = BUF_INIT;
	testrun_text(&ck_c, &tr_run, NULL, &b);
	cr_expect_str_eq(b.p, "no tests\n");
	buf_release(&b);
	/* a selection that matches nothing is not a project without tests */
	tr_go(TR_POLICY, TR_REQUEST "test \"ok\" {\n  given r\n  expect allow\n}\n", "^none", false);
	testrun_text(&ck_c, &tr_run, NULL, &b);
	cr_expect_str_eq(b.p, "0 passed, 0 failed\n");
	buf_release(&b);
}
