/*
 * test_coverage.c: coverage measured from runtime traces, on policy sets
 * whose coverage is known by construction: exact counts, the uncovered
 * positions, which tests cover what, and the JSON, lcov and text reports;
 * the escapers of report.c (JSON strings: tests/unit/util/test_json.c).
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

#include "testrun_util.h"

TestSuite(coverage, .fini = tr_fini);

static struct buf text_of(void (*fn)(const struct coverage *, struct buf *))
{
	struct buf b = BUF_INIT;
	fn(&tr_cov, &b);
	cr_assert(!b.oom);
	cr_assert_not_null(b.p);
	return b;
}

static void expect_counts(size_t f, size_t ft, size_t d, size_t dt, size_t g, size_t gt)
{
	struct cov_count k[COV_NMEASURES];
	coverage_counts(&tr_cov, k);
	cr_expect_eq(k[COV_FIRED].covered, f);
	cr_expect_eq(k[COV_FIRED].total, ft);
	cr_expect_eq(k[COV_DENY].covered, d);
	cr_expect_eq(k[COV_DENY].total, dt);
	cr_expect_eq(k[COV_GUARDS].covered, g);
	cr_expect_eq(k[COV_GUARDS].total, gt);
}

Test(coverage, one_allow_and_one_guard_known_by_construction)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"allowed\" {\n  given r\n  expect allow by user_read\n}\n"
	      "test \"no mfa\" {\n  given r\n  with principal.mfa = false\n  expect deny by default\n}\n",
	      NULL, true);
	cr_assert_eq(tr_run.passed, 2);
	expect_counts(1, 2, 1, 2, 2, 4);
	/* the mfa guard (7:48) is covered by test 1 only; 7:8 and 8:10 not */
	const struct cov_rule *r = &tr_cov.rules[0];
	cr_assert_str_eq(r->rule->id, "p.user_read");
	cr_expect_eq(r->guards[0].tests.n, 0);
	cr_expect_eq(r->guards[1].tests.n, 1);
	cr_expect_eq(r->guards[1].tests.v[0], 1);
	cr_expect_eq(r->guards[1].line, 7);
	cr_expect_eq(r->guards[1].col, 48);
	cr_expect_eq(r->guards[2].tests.n, 0);
	cr_expect_eq(r->fired.n, 1);
	cr_expect_eq(r->fired.v[0], 0);
	struct buf t = text_of(coverage_text);
	cr_expect_str_eq(t.p,
		"coverage:\n"
		"  rules fired   50.0% (1/2)\n"
		"  deny paths    50.0% (1/2)\n"
		"  guards        50.0% (2/4)\n"
		"uncovered:\n"
		"  policies/p.authz:7:8: p.user_read: guard not covered: principal.tenant == resource.tenant\n"
		"  policies/p.authz:8:10: p.user_read: unless not covered: resource.env == \"frozen\"\n"
		"  policies/p.authz:11:1: p.banned: never fired: no test made it apply\n"
		"  policies/p.authz:11:1: p.banned: deny path not covered: no test was denied by it\n");
	buf_release(&t);
	cr_expect(coverage_under(&tr_cov, 50.1));
	cr_expect(!coverage_under(&tr_cov, 50));
	cr_expect(!coverage_under(&tr_cov, 0));
}

Test(coverage, a_permit_that_applied_in_a_denied_request_is_no_deny_path)
{
	/* banned: user_read applies, the forbid denies.  The forbid fires and
	 * covers its deny path; user_read's deny path stays uncovered. */
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"banned\" {\n  given r\n  with principal.department = \"banned\"\n"
	      "  expect deny by banned\n}\n",
	      NULL, true);
	cr_assert_eq(tr_run.passed, 1);
	expect_counts(2, 2, 1, 2, 0, 4);
	cr_expect_eq(tr_cov.rules[0].deny.n, 0);
	cr_expect_eq(tr_cov.rules[1].deny.n, 1);
}

Test(coverage, only_the_first_guard_that_held_access_back_is_covered)
{
	/* other tenant and no mfa: evaluation stops at the tenant guard */
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"both fail\" {\n  given r\n  with principal.mfa = false, principal.tenant = \"x\"\n"
	      "  expect deny by default\n}\n"
	      "test \"frozen\" {\n  given r\n  with resource.env = \"frozen\"\n  expect deny\n}\n",
	      NULL, true);
	const struct cov_rule *r = &tr_cov.rules[0];
	cr_expect_eq(r->guards[0].tests.n, 1);
	cr_expect_eq(r->guards[1].tests.n, 0);
	cr_expect_eq(r->guards[2].tests.n, 1);
	cr_expect_eq(r->guards[2].tests.v[0], 1);
	cr_expect_eq(r->deny.n, 2);
	expect_counts(0, 2, 1, 2, 3, 4);
}

Test(coverage, full_coverage_and_the_json_report)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"allowed\" {\n  given r\n  expect allow by user_read\n}\n"
	      "test \"tenant\" {\n  given r\n  with principal.tenant = \"x\"\n  expect deny by default\n}\n"
	      "test \"mfa\" {\n  given r\n  with principal.mfa = false\n  expect deny by default\n}\n"
	      "test \"frozen\" {\n  given r\n  with resource.env = \"frozen\"\n  expect deny by default\n}\n"
	      "test \"banned\" {\n  given r\n  with principal.department = \"banned\"\n  expect deny by banned\n}\n",
	      NULL, true);
	expect_counts(2, 2, 2, 2, 4, 4);
	cr_expect(!coverage_under(&tr_cov, 100));
	struct buf t = text_of(coverage_text);
	cr_expect_null(strstr(t.p, "uncovered"));
	buf_release(&t);

	struct buf j = text_of(coverage_json);
	cJSON *root = cJSON_Parse(j.p);
	cr_assert_not_null(root, "not JSON: %s", j.p);
	cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"), "guards");
	cr_expect_eq(cJSON_GetObjectItem(g, "covered")->valueint, 4);
	cr_expect_eq(cJSON_GetObjectItem(g, "percent")->valuedouble, 100.0);
	cJSON *rules = cJSON_GetObjectItem(root, "rules");
	cr_assert_eq(cJSON_GetArraySize(rules), 2);
	cJSON *r0 = cJSON_GetArrayItem(rules, 0);
	cr_expect_str_eq(cJSON_GetObjectItem(r0, "id")->valuestring, "p.user_read");
	cJSON *g2 = cJSON_GetArrayItem(cJSON_GetObjectItem(r0, "guards"), 2);
	cr_expect_str_eq(cJSON_GetObjectItem(g2, "kind")->valuestring, "unless");
	cr_expect_str_eq(cJSON_GetObjectItem(g2, "text")->valuestring, "resource.env == \"frozen\"");
	cJSON *tests = cJSON_GetObjectItem(g2, "tests");
	cr_assert_eq(cJSON_GetArraySize(tests), 1);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tests, 0), "name")->valuestring, "frozen");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tests, 0), "file")->valuestring,
			 "tests/p_test.authz");
	/* a forbid's guards are measured too */
	cJSON *fg = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 1), "guards"), 0);
	cr_assert_not_null(fg);
	cr_expect_str_eq(cJSON_GetObjectItem(fg, "kind")->valuestring, "when");
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(fg, "covered")));
	cJSON_Delete(root);
	buf_release(&j);
}

Test(coverage, lcov_tracefile)
{
	tr_go(TR_POLICY, TR_REQUEST
	      "test \"mfa\" {\n  given r\n  with principal.mfa = false\n  expect deny by default\n}\n",
	      NULL, true);
	struct buf l = text_of(coverage_lcov);
	cr_expect_str_eq(l.p,
		"TN:\nSF:policies/p.authz\n"
		"FN:3,p.user_read\nFN:11,p.banned\nFNDA:0,p.user_read\nFNDA:0,p.banned\nFNF:2\nFNH:0\n"
		"BRDA:7,0,0,0\nBRDA:7,0,1,1\nBRDA:8,0,2,0\nBRDA:13,1,0,1\nBRF:4\nBRH:2\n"
		"DA:7,0\nDA:8,0\nDA:13,1\nLF:3\nLH:1\nend_of_record\n");
	buf_release(&l);
}

/* A forbid with three guards: two when operands and an unless. */
static const char FORBID_POLICY[] =
	"package p;\n"
	"\n"
	"permit open {\n"
	"  principal is User\n"
	"}\n"
	"\n"
	"forbid cross_tenant {\n"
	"  principal is User\n"
	"  when principal.tenant != resource.tenant and resource.env == \"prod\"\n"
	"  unless principal.department == \"audit\"\n"
	"}\n";

/* A forbid's guard is covered only by a test in which it alone kept the
 * forbid from applying: every other guard held.  A test in which two guards
 * would each have kept it off covers neither, although the decision's own
 * trace names the first. */
Test(coverage, a_forbid_guard_is_covered_only_when_it_alone_kept_the_forbid_off)
{
	tr_go(FORBID_POLICY, TR_REQUEST
	      "test \"same tenant, staging\" {\n  given r\n  with resource.env = \"staging\"\n  expect allow\n}\n"
	      "test \"other tenant, staging\" {\n  given r\n  with principal.tenant = \"x\", resource.env = \"staging\"\n"
	      "  expect allow\n}\n",
	      NULL, true);
	cr_assert_eq(tr_run.passed, 2);
	const struct cov_rule *r = &tr_cov.rules[1];
	cr_assert_str_eq(r->rule->id, "p.cross_tenant");
	/* test 0: tenant guard false, env false too: neither alone */
	/* test 1: tenant true, env alone false, unless false: env covered */
	cr_expect_eq(r->guards[0].tests.n, 0);
	cr_expect_eq(r->guards[1].tests.n, 1);
	cr_expect_eq(r->guards[1].tests.v[0], 1);
	cr_expect_eq(r->guards[2].tests.n, 0);
	expect_counts(1, 2, 0, 2, 1, 3);
	struct buf t = text_of(coverage_text);
	cr_expect(strstr(t.p, "policies/p.authz:9:8: p.cross_tenant: guard not covered: principal.tenant != "
			      "resource.tenant (no test where it alone, false, kept the forbid from applying)\n"), "%s", t.p);
	cr_expect(strstr(t.p, "policies/p.authz:10:10: p.cross_tenant: unless not covered: principal.department == "
			      "\"audit\" (no test where it alone, true, kept the forbid from applying)\n"), "%s", t.p);
	buf_release(&t);
}

Test(coverage, every_forbid_guard_covered_by_real_tests)
{
	tr_go(FORBID_POLICY, TR_REQUEST
	      "test \"same tenant\" {\n  given r\n  expect allow\n}\n"
	      "test \"other tenant, staging\" {\n  given r\n  with principal.tenant = \"x\", resource.env = \"staging\"\n"
	      "  expect allow\n}\n"
	      "test \"auditor\" {\n  given r\n  with principal.tenant = \"x\", principal.department = \"audit\"\n"
	      "  expect allow\n}\n"
	      "test \"cross tenant\" {\n  given r\n  with principal.tenant = \"x\"\n  expect deny by cross_tenant\n}\n",
	      NULL, true);
	cr_assert_eq(tr_run.passed, 4);
	const struct cov_rule *r = &tr_cov.rules[1];
	cr_expect_eq(r->guards[0].tests.n, 1);
	cr_expect_eq(r->guards[0].tests.v[0], 0);
	cr_expect_eq(r->guards[1].tests.n, 1);
	cr_expect_eq(r->guards[1].tests.v[0], 1);
	cr_expect_eq(r->guards[2].tests.n, 1);
	cr_expect_eq(r->guards[2].tests.v[0], 2);
	expect_counts(2, 2, 1, 2, 3, 3);
	cr_expect(!coverage_under(&tr_cov, 100));
}

/* A request that is no test of the project (coverage_record_json, as
 * `test --suggest` measures its requests): the forbid guards are decided
 * against the probe bundle from the JSON itself. */
Test(coverage, a_json_request_is_measured_as_a_test)
{
	tr_go(FORBID_POLICY, TR_REQUEST "test \"same tenant\" {\n  given r\n  expect allow\n}\n", NULL, true);
	struct coverage cov;
	coverage_init(&cov, &ck_c);
	cr_assert_not_null(cov.probe);
	authz_request *rq = NULL;
	authz_decision *d = NULL;
	cr_assert_eq(authz_request_new(&rq, tr_bundle), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	/* other tenant, staging: the env guard alone keeps the forbid off */
	const char *json = "{\"principal\":{\"type\":\"User\",\"id\":\"u\",\"attrs\":{\"tenant\":\"x\","
			   "\"mfa\":true,\"department\":\"eng\"}},\"action\":\"read\",\"resource\":{\"type\":"
			   "\"Dataset\",\"id\":\"d\",\"attrs\":{\"tenant\":\"acme\",\"env\":\"staging\","
			   "\"change_tickets\":[]}},\"context\":{\"source_ip\":\"10.0.0.1\"},"
			   "\"time\":\"2026-11-22T10:00:00Z\"}";
	cr_assert_eq(authz_decide_json(d, tr_bundle, rq, json, strlen(json), AUTHZ_DECIDE_TRACE), 0);
	coverage_record_json(&cov, 7, d, json);
	cr_expect_null(cov.json, "the request is not kept");
	const struct cov_rule *r = &cov.rules[1];
	cr_assert_str_eq(r->rule->id, "p.cross_tenant");
	cr_expect_eq(r->guards[0].tests.n, 0);
	cr_assert_eq(r->guards[1].tests.n, 1);
	cr_expect_eq(r->guards[1].tests.v[0], 7);
	cr_expect_eq(r->guards[2].tests.n, 0);
	cr_expect_eq(cov.rules[0].fired.n, 1);
	authz_decision_free(d);
	authz_request_free(rq);
	coverage_finish(&cov);
}

/* A forbid whose scope never matched a test: its guards are uncovered. */
Test(coverage, a_forbid_out_of_scope_covers_nothing)
{
	tr_go("package p;\n\nforbid svc {\n  principal is ServiceAccount\n  when principal.revoked\n}\n",
	      TR_REQUEST "test \"user\" {\n  given r\n  expect deny by default\n}\n", NULL, true);
	expect_counts(0, 1, 0, 1, 0, 1);
}

Test(coverage, nothing_to_cover_is_full_coverage)
{
	struct cov_count none = { 0, 0 };
	cr_expect_eq(coverage_percent(none), 100.0);
	struct cov_count two_thirds = { 2, 3 };
	cr_expect_eq(coverage_percent(two_thirds), 66.6);     /* rounded down */
	struct cov_count almost = { 9999, 10000 };
	cr_expect_eq(coverage_percent(almost), 99.9);
}

Test(coverage, xml_escaping_of_any_bytes)
{
	struct buf b = BUF_INIT;
	report_xml_str(&b, "<a&b>\"'\t\x01\xff\xef\xbf\xbe", 13);
	cr_expect_str_eq(b.p, "&lt;a&amp;b&gt;&quot;&#39;&#9;\\x01\xef\xbf\xbd\xef\xbf\xbd");
	buf_release(&b);
	report_squeeze(&b, "  a\n   and\tb\x02 ", 14);
	cr_expect_str_eq(b.p, "a and b\\x02");
	buf_release(&b);
}
