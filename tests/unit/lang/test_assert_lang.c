/*
 * test_assert_lang.c: assertions in test files (authzc-policy(5),
 * ASSERTIONS): parsing every form, the checker typing their scope and
 * conditions as a rule's, misplaced and malformed assertions, and fmt.
 */
#include "check_util.h"
#include "fmt.h"

static const char POLICY[] =
	"permit ci_read { principal is ServiceAccount action == \"read\" }\n";

static size_t run(const char *tests)
{
	const char *files[] = { "policies/p.authz", POLICY, "tests/a_test.authz", tests, NULL };
	return ck_run_v(CK_SCHEMA, files);
}

Test(assert_lang, every_verdict_and_scope_form_checks)
{
	ck_clean(run("assert \"a\" {\n  never allow\n  when principal.tenant != resource.tenant\n}\n"
		     "assert \"b\" {\n  principal is ServiceAccount\n  action == \"write\"\n  resource is Dataset\n"
		     "  always deny\n  when principal.revoked\n}\n"
		     "assert \"c\" {\n  principal is ServiceAccount | User\n  action in [\"read\", \"write\"]\n"
		     "  always allow\n  unless principal.tenant == \"x\"\n}\n"
		     "assert \"d\" {\n  never deny\n  when context has ticket and context.ticket == \"T\"\n}\n"));
	const struct checked *k = ck_c.checked;
	cr_assert_eq(k->nasserts, 4);
	cr_expect(k->asserts[0].forbids_allow);
	cr_expect(k->asserts[1].forbids_allow);
	cr_expect_not(k->asserts[2].forbids_allow);
	cr_expect_not(k->asserts[3].forbids_allow);
	for (size_t i = 0; i < 4; i++)
		cr_expect(k->asserts[i].ok, "assertion %zu not ok", i);
	cr_expect_eq(k->asserts[0].decl->verdict, VERDICT_NEVER_ALLOW);
	cr_expect_eq(k->asserts[1].decl->verdict, VERDICT_ALWAYS_DENY);
	cr_expect_eq(k->asserts[2].decl->verdict, VERDICT_ALWAYS_ALLOW);
	cr_expect_eq(k->asserts[3].decl->verdict, VERDICT_NEVER_DENY);
	cr_expect_eq(k->asserts[1].cond.nprincipals, 1);
	cr_expect_eq(k->asserts[1].cond.nactions, 1);
	cr_expect_eq(k->asserts[2].cond.nguards, 1);
	cr_expect(k->asserts[2].cond.guards[0].is_unless);
	cr_expect_eq(k->asserts[3].cond.nguards, 2);
	cr_expect_eq(ck_c.checked->nrules, 1, "an assertion is not a rule");
}

Test(assert_lang, condition_type_errors_as_in_rules)
{
	cr_assert_eq(run("assert \"a\" {\n  never allow\n  when principal.revoked\n}\n"), 1);
	ck_expect(E_ATTR_SCOPE, 3, 18,
		  "attribute 'revoked' is not declared on 'User', which this assertion's principal may be",
		  "narrow the scope with 'principal is ServiceAccount'");
	cr_expect_not(ck_c.checked->asserts[0].ok);
	cr_assert_eq(run("assert \"a\" {\n  principal is User\n  never allow\n  when context.ticket == \"x\"\n}\n"),
		     1);
	ck_find(E_UNGUARDED);
	cr_assert_eq(run("assert \"a\" {\n  never allow\n  when principal.tenant\n}\n"), 1);
	ck_find(E_NOT_BOOL);
	cr_assert_eq(run("assert \"a\" {\n  principal is Robot\n  never allow\n}\n"), 1);
	ck_find(E_UNKNOWN_TYPE);
}

/* Parse `text` as a test file; the number of syntax errors. */
static size_t parse(const char *text)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	uint32_t id = srcset_add(&ck_c.src, "tests/a_test.authz", text, strlen(text));
	struct ast_file *f = NULL;
	return ast_parse(&ck_c.arena, &ck_c.src, id, &ck_c.diags, &f);
}

Test(assert_lang, syntax_errors_say_what_an_assertion_needs)
{
	cr_assert_eq(parse("assert \"a\" {\n  when principal.tenant == \"x\"\n}\n"), 1);
	ck_expect(E_SYNTAX, 1, 8, "assertion has no 'never allow', 'always deny', 'always allow' or 'never deny'",
		  "say what must hold, e.g. 'never allow' on a line of its own");
	cr_assert_eq(parse("assert \"a\" {\n  sometimes allow\n}\n"), 2);
	ck_expect(E_SYNTAX, 2, 3, "unexpected 'sometimes' before 'allow': an assertion says 'never' or 'always'",
		  "write one of 'never allow', 'always deny', 'always allow', 'never deny'");
	cr_assert_eq(parse("assert \"a\" {\n  never allow\n  always deny\n}\n"), 1);
	ck_expect(E_SYNTAX, 3, 3, "an assertion has one 'never'/'always' line", NULL);
	cr_assert_eq(parse("assert \"a\" {\n  principal is User\n  principal is User\n  never allow\n}\n"), 1);
	ck_find(E_DUP_CLAUSE);
}

Test(assert_lang, misplaced_and_duplicate)
{
	const char *files[] = { "p.authz", "assert \"a\" { never allow }\n", NULL };
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 1);
	ck_expect(E_MISPLACED, 1, 8, "assertion in policy file 'p.authz'",
		  "move it to a test file, one whose name ends in '_test.authz'");
	cr_assert_eq(run("assert \"a\" { never allow }\nassert \"a\" { always allow }\n"), 1);
	ck_expect(E_DUP_TEST, 2, 8, "assertion \"a\" is declared twice in this file",
		  "assertion names are unique per file: rename one");
}

static char *fmt_text(const char *in)
{
	static struct arena A = ARENA_INIT;
	struct srcset src;
	struct diag_list d;
	srcset_init(&src, &A);
	diag_list_init(&d, &A);
	uint32_t id = srcset_add(&src, "a_test.authz", in, strlen(in));
	char *out = NULL;
	size_t len = 0;
	cr_assert_eq(fmt_source(&A, &src, id, &d, &out, &len), FMT_OK, "fmt failed on:\n%s", in);
	return out;
}

Test(assert_lang, fmt_prints_the_canonical_order_and_is_a_fixed_point)
{
	const char *in = "assert   \"x\" { unless principal.tenant == \"a\" // why\n when true always allow "
			 "resource is Dataset action in [\"read\"] principal is User }\n";
	const char *want = "assert \"x\" {\n  principal is User\n  action in [\"read\"]\n  resource is Dataset\n"
			   "  always allow\n  when true\n  unless principal.tenant == \"a\" // why\n}\n";
	char *out = fmt_text(in);
	cr_assert_str_eq(out, want);
	cr_assert_str_eq(fmt_text(out), out);
	const char *forms[] = { "never allow", "always deny", "always allow", "never deny" };
	for (size_t i = 0; i < 4; i++) {
		char buf[128];
		snprintf(buf, sizeof buf, "assert \"v\" {\n  %s\n}\n", forms[i]);
		cr_expect_str_eq(fmt_text(buf), buf);
	}
}

Test(assert_lang, a_scope_the_schema_never_admits_is_e0306)
{
	cr_assert_eq(run("assert \"a\" {\n  principal is User\n  action == \"write\"\n  never allow\n}\n"), 1);
	ck_expect(E_SCOPE_EMPTY, 2, 3,
		  "assertion \"a\" can never match: action 'write' never applies to principal type 'User'",
		  "action 'write' applies to principal types 'ServiceAccount'");
}
