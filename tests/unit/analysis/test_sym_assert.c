/*
 * test_sym_assert.c: assertions proved by the solver (sym_assert.h):
 * every verdict form, scope clauses and `unless`, proved and violated
 * (the counterexample decided again here, through libauthz), and an
 * unknown result under a tiny timeout, which fails.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harden_util.h"
#include "codegen.h"
#include "sym_assert.h"
#include "testrun.h"

#define SCHEMA fixture_text("schema/language.json")

static const char POLICY[] =
	"package p;\n"
	"permit same_tenant {\n  action == \"read\"\n  resource is Dataset\n"
	"  when principal.tenant == resource.tenant\n}\n"
	"permit ci_write {\n  principal is ServiceAccount\n  action == \"write\"\n"
	"  when principal.tenant == resource.tenant and resource.env == \"staging\"\n}\n"
	"forbid revoked {\n  principal is ServiceAccount\n  when principal.revoked\n}\n";

static authz_bundle *B;

/* Compile POLICY-like `policy` with test file `tests`, run everything and
 * prove the assertions with a per-call timeout of `ms` (0: default). */
static struct testrun run_with(const char *schema, const char *policy, const char *tests, unsigned ms)
{
	const char *files[] = { "policies/p.authz", policy, "tests/a_test.authz", tests, NULL };
	authz_bundle_free(B);
	B = hu_project(schema, files);
	struct testrun run;
	char msg[512];
	cr_assert_eq(testrun_run(&ck_c, B, NULL, NULL, &run, msg, sizeof msg), 0, "%s", msg);
	cr_assert_eq(run.failed, run.nasserts, "assertions count as failed until proved");
	struct sym_opts o = SYM_OPTS_DEFAULT;
	if (ms)
		o.timeout_ms = ms;
	cr_assert_eq(sym_assert_run(&ck_c, B, &o, &run, msg, sizeof msg), 0, "%s", msg);
	return run;
}

static struct testrun run1(const char *tests) { return run_with(SCHEMA, POLICY, tests, 0); }

static void fini(void)
{
	authz_bundle_free(B);
	B = NULL;
}

TestSuite(sym_assert, .fini = fini);

/* The counterexample of r, decided again: it meets nothing but what the
 * report says. */
static void expect_reproduced(const struct testrun_assert *r, bool allow)
{
	cr_assert_eq(r->verdict, TA_VIOLATED, "verdict %d: %s", r->verdict, r->reason ? r->reason : "");
	cr_assert_not_null(r->witness);
	authz_request *rq = NULL;
	authz_decision *d = NULL;
	cr_assert_eq(authz_request_new(&rq, B), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_decide_json(d, B, rq, r->witness, strlen(r->witness), 0), 0, "%s", r->witness);
	cr_expect_eq(authz_decision_allowed(d), allow, "the runtime decides %s otherwise", r->witness);
	cr_expect_eq(r->allowed, allow);
	authz_decision_free(d);
	authz_request_free(rq);
	cr_assert_not_null(r->test_src);
	cr_expect(strstr(r->test_src, allow ? "expect deny\n}" : "expect allow\n}") != NULL, "%s", r->test_src);
}

Test(sym_assert, tenant_isolation_is_proved)
{
	struct testrun run = run1("assert \"nothing crosses tenants\" {\n  never allow\n"
				  "  when principal.tenant != resource.tenant\n}\n");
	cr_assert_eq(run.nasserts, 1);
	cr_expect_eq(run.asserts[0].verdict, TA_PROVED, "%s", run.asserts[0].reason ? run.asserts[0].reason : "");
	cr_expect_eq(run.asserts[0].ntriples, 3);
	cr_expect_eq(run.passed, 1);
	cr_expect_eq(run.failed, 0);
}

Test(sym_assert, never_allow_violated_with_a_verified_counterexample)
{
	struct testrun run = run1("assert \"users never read\" {\n  principal is User\n  never allow\n}\n");
	const struct testrun_assert *r = &run.asserts[0];
	expect_reproduced(r, true);
	cr_expect_str_eq(r->principal_type, "User");
	cr_expect_str_eq(r->action, "read");
	cr_assert_eq(r->nrules, 1);
	cr_expect_str_eq(r->rules[0], "p.same_tenant");
	cr_expect_eq(run.failed, 1);
	cr_expect_eq(run.passed, 0);
}

Test(sym_assert, always_deny_is_never_allow)
{
	struct testrun run = run1("assert \"a\" {\n  principal is ServiceAccount\n  always deny\n"
				  "  when principal.revoked\n}\n"
				  "assert \"b\" {\n  principal is ServiceAccount\n  never allow\n"
				  "  when principal.revoked\n}\n"
				  "assert \"c\" {\n  always deny\n  when principal.tenant == \"x\"\n}\n");
	cr_expect_eq(run.asserts[0].verdict, TA_PROVED);
	cr_expect_eq(run.asserts[1].verdict, TA_PROVED);
	expect_reproduced(&run.asserts[2], true);
}

Test(sym_assert, always_allow_and_never_deny)
{
	struct testrun run = run1("assert \"everyone reads\" {\n  action == \"read\"\n  always allow\n}\n"
				  "assert \"own tenant reads\" {\n  principal is User\n  action == \"read\"\n"
				  "  never deny\n  when principal.tenant == resource.tenant\n}\n");
	expect_reproduced(&run.asserts[0], false);
	cr_expect_eq(run.asserts[0].nrules, 0, "denied by default");
	cr_expect_eq(run.asserts[1].verdict, TA_PROVED, "%s", run.asserts[1].reason ? run.asserts[1].reason : "");
}

Test(sym_assert, scope_forms_and_unless_narrow_the_property)
{
	struct testrun run = run1(
		/* only ServiceAccounts write, and only to staging */
		"assert \"writes only to staging\" {\n  action in [\"write\"]\n  resource is Dataset\n"
		"  never allow\n  unless resource.env == \"staging\"\n}\n"
		/* without `unless`, it does not hold */
		"assert \"no writes\" {\n  action == \"write\"\n  never allow\n}\n"
		/* a revoked account, own tenant, staging: still denied (the forbid) */
		"assert \"revoked\" {\n  principal is ServiceAccount\n  action in [\"read\", \"write\"]\n"
		"  always deny\n  unless not principal.revoked\n}\n");
	cr_expect_eq(run.asserts[0].verdict, TA_PROVED, "%s", run.asserts[0].reason ? run.asserts[0].reason : "");
	expect_reproduced(&run.asserts[1], true);
	cr_expect_str_eq(run.asserts[1].rules[0], "p.ci_write");
	cr_expect_eq(run.asserts[2].verdict, TA_PROVED, "%s", run.asserts[2].reason ? run.asserts[2].reason : "");
	cr_expect_eq(run.passed, 2);
	cr_expect_eq(run.failed, 1);
}

/* x^3 + y^3 + z^3 == 42: no solver settles it in a millisecond. */
static const char HARD_SCHEMA[] =
	"{\"types\": {\"U\": {\"x\": \"int\", \"y\": \"int\", \"z\": \"int\"}, \"R\": {}},"
	" \"actions\": {\"go\": {\"principals\": [\"U\"], \"resources\": [\"R\"]}}}";

Test(sym_assert, a_solver_that_gives_up_is_unknown_and_fails)
{
	const char *pol = "permit cubes {\n  when principal.x * principal.x * principal.x + principal.y * principal.y"
			  " * principal.y + principal.z * principal.z * principal.z == 42\n"
			  "   and principal.x * principal.y > 1000000\n}\n";
	struct testrun run = run_with(HARD_SCHEMA, pol, "assert \"never\" {\n  never allow\n}\n", 1);
	cr_assert_eq(run.asserts[0].verdict, TA_UNKNOWN);
	cr_expect(strstr(run.asserts[0].reason, "the solver gave up") != NULL, "%s", run.asserts[0].reason);
	cr_expect_eq(run.failed, 1, "unknown is a failure, never a pass");
	cr_expect_eq(run.passed, 0);
}

Test(sym_assert, run_filter_selects_assertions)
{
	const char *files[] = { "policies/p.authz", POLICY, "tests/a_test.authz",
				"assert \"alpha\" {\n  never allow\n  when principal.tenant != resource.tenant\n}\n"
				"assert \"beta\" {\n  always allow\n}\n", NULL };
	cr_assert_eq(ck_run_v(SCHEMA, files), 0);
	uint8_t *buf = NULL;
	size_t len = 0;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	authz_bundle_free(B);
	B = hu_load(buf, len);
	free(buf);
	regex_t re;
	cr_assert_eq(regcomp(&re, "^al", REG_EXTENDED | REG_NOSUB), 0);
	struct testrun run;
	char msg[256];
	cr_assert_eq(testrun_run(&ck_c, B, &re, NULL, &run, msg, sizeof msg), 0);
	regfree(&re);
	cr_assert_eq(run.nasserts, 1);
	cr_expect_eq(run.asserts[0].index, 0);
	struct sym_opts o = SYM_OPTS_DEFAULT;
	cr_assert_eq(sym_assert_run(&ck_c, B, &o, &run, msg, sizeof msg), 0);
	cr_expect_eq(run.passed, 1);
	cr_expect_eq(run.failed, 0);
}
