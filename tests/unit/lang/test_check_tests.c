/*
 * test_check_tests.c: the checker's handling of test files (authzc-policy(5),
 * TESTS): named requests, with/without/at, schema conformance of every
 * request, and the rule ids of expectations.
 */
#include "check_util.h"

static const char POLICY[] =
	"package datasets;\n"
	"permit ci_read { principal is ServiceAccount action == \"read\" }\n"
	"forbid revoked { principal is ServiceAccount when principal.revoked }\n"
	"permit user_write { principal is ServiceAccount action == \"write\" }\n";

static const char OTHER[] =
	"package other;\n"
	"forbid revoked { when principal.tenant == \"x\" }\n";

/* Lines 2-12; tests start at line 13. */
static const char BASE[] =
	"package datasets_test;\n"
	"request r {\n"
	"  principal ServiceAccount \"ci\" {\n"
	"    tenant: \"acme\", revoked: false, groups: [],\n"
	"    workload: { signed: true, spiffe_id: \"s\" }\n"
	"  }\n"
	"  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\", change_tickets: [\"c\"] }\n"
	"  context { source_ip: ip(\"10.0.0.1\") }\n"
	"}\n"
	"\n"
	"\n";

static size_t run_tests(const char *tests)
{
	char buf[8192];
	snprintf(buf, sizeof buf, "%s%s", BASE, tests);
	const char *files[] = {
		"policies/datasets.authz", POLICY,
		"policies/other.authz", OTHER,
		"tests/d_test.authz", buf,
		NULL,
	};
	return ck_run_v(CK_SCHEMA, files);
}

Test(check_tests, base_request_is_clean)
{
	ck_clean(run_tests("test \"t\" {\n  given r\n  expect allow by ci_read\n}\n"));
	const struct checked_test *t = &ck_c.checked->tests[0];
	cr_assert(t->ok);
	cr_expect_not(t->request.has_time);
	/* groups: [] took set<string>'s element kind. */
	const struct value *g = value_field(&t->request.principal.attrs, "groups");
	cr_assert_not_null(g);
	cr_expect_eq(g->u.set.elem, VAL_STRING);
	cr_expect_eq(t->by_rules[0]->effect, EFFECT_PERMIT);
}

Test(check_tests, with_adds_optional_record_in_schema_order)
{
	ck_clean(run_tests("test \"t\" {\n"
			   "  given r with principal.window = { start: time(\"2026-01-01T00:00:00Z\"),"
			   " end: time(\"2026-01-02T00:00:00Z\") }, principal.workload.signed = false,"
			   " context.ticket = \"T-1\", principal.id = \"other\"\n"
			   "  expect deny\n}\n"));
	const struct checked_test *t = &ck_c.checked->tests[0];
	cr_assert(t->ok);
	const struct value *p = &t->request.principal.attrs;
	cr_assert_eq(p->u.rec.n, 5);
	cr_expect_str_eq(p->u.rec.fields[4].name, "window");
	cr_expect_str_eq(value_str(&ck_c.arena, value_field(p, "workload"), VALUE_AUTHZ),
			 "{signed: false, spiffe_id: \"s\"}");
	cr_expect_str_eq(value_str(&ck_c.arena, &t->request.context, VALUE_AUTHZ),
			 "{ticket: \"T-1\", source_ip: ip(\"10.0.0.1\")}");
	cr_expect_str_eq(t->request.principal.id, "other");
}

Test(check_tests, inline_request_and_at)
{
	ck_clean(run_tests(
		"test \"inline\" {\n"
		"  principal User \"u\" { tenant: \"a\", mfa: true, department: \"d\" }\n"
		"  action \"read\"\n"
		"  resource Dataset \"d\" { tenant: \"a\", env: \"e\", change_tickets: [] }\n"
		"  context { source_ip: ip(\"::1\") }\n"
		"  at time(\"2026-01-01T00:00:00+01:00\")\n"
		"  expect deny by default\n"
		"}\n"));
	const struct checked_test *t = &ck_c.checked->tests[0];
	cr_assert(t->ok);
	cr_expect(t->request.has_time);
	cr_expect_eq(t->request.time_ms, 1767222000000LL);
}

Test(check_tests, e0401_wrong_value_type)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r with principal.tenant = 3\n  expect deny\n}\n"), 1);
	ck_expect(E_REQUEST_SCHEMA, 14, 35, "'principal.tenant' is a 'string' in the schema, not an 'int'",
		  "give 'principal.tenant' a value of type 'string'");
}

Test(check_tests, e0401_missing_required_and_extra_attribute)
{
	cr_assert_eq(run_tests("test \"t\" {\n"
			       "  principal User \"u\" { tenant: \"a\", mfa: true, dept: \"d\" }\n"
			       "  action \"read\"\n"
			       "  resource Dataset \"d\" { tenant: \"a\", env: \"e\", change_tickets: [] }\n"
			       "  context { source_ip: ip(\"::1\") }\n"
			       "  expect deny\n}\n"), 2);
	ck_expect(E_REQUEST_SCHEMA, 14, 48, "'principal' has no attribute 'dept' in the schema",
		  "a test request may only hold attributes the schema declares");
	cr_expect_str_eq(ck_c.diags.items[1]->message,
			 "'principal' is missing the required attribute 'department'");
	cr_expect_str_eq(ck_c.diags.items[1]->help, "add 'department: <string>'");
}

Test(check_tests, e0401_action_does_not_apply)
{
	cr_assert_eq(run_tests("test \"t\" {\n"
			       "  principal User \"u\" { tenant: \"a\", mfa: true, department: \"d\" }\n"
			       "  action \"write\"\n"
			       "  resource Dataset \"d\" { tenant: \"a\", env: \"e\", change_tickets: [] }\n"
			       "  context { source_ip: ip(\"::1\") }\n"
			       "  expect deny\n}\n"), 1);
	ck_expect(E_REQUEST_SCHEMA, 14, 13, "action 'write' does not apply to principal type 'User'",
		  "'write' applies to principal types 'ServiceAccount'");
}

Test(check_tests, e0401_unknown_type_and_action)
{
	cr_assert_eq(run_tests("test \"t\" {\n"
			       "  principal Usr \"u\" {}\n"
			       "  action \"raed\"\n"
			       "  resource Dataset \"d\" { tenant: \"a\", env: \"e\", change_tickets: [] }\n"
			       "  context { source_ip: ip(\"::1\") }\n"
			       "  expect deny\n}\n"), 2);
	ck_expect(E_REQUEST_SCHEMA, 15, 10, "unknown action 'raed'", "did you mean 'read'?");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "unknown entity type 'Usr'");
}

Test(check_tests, e0402_unknown_request)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given rr\n  expect deny\n}\n"), 1);
	ck_expect(E_UNKNOWN_REQUEST, 14, 9, "unknown request 'rr'", "did you mean 'r'?");
}

Test(check_tests, given_finds_request_in_another_file_of_the_package)
{
	const char *files[] = {
		"policies/datasets.authz", POLICY,
		"tests/a_test.authz", BASE,
		"tests/b_test.authz", "package datasets_test;\ntest \"t\" { given r expect deny }\n",
		"tests/c_test.authz", "package elsewhere;\ntest \"t\" { given r expect deny }\n",
		NULL,
	};
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 1);
	ck_expect(E_UNKNOWN_REQUEST, 2, 18, "unknown request 'r'",
		  "declare it with 'request r { ... }' in a test file of package 'elsewhere'");
}

Test(check_tests, e0403_unknown_rule)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n  expect allow by datasets.ci_raed\n}\n"), 1);
	ck_expect(E_UNKNOWN_RULE, 15, 19, "unknown rule 'datasets.ci_raed'",
		  "did you mean 'datasets.ci_read'?");
}

Test(check_tests, e0404_ambiguous_rule)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r with principal.revoked = true\n"
			       "  expect deny by revoked\n}\n"), 1);
	ck_expect(E_AMBIGUOUS_RULE, 15, 18,
		  "rule name 'revoked' is ambiguous: it could be 'datasets.revoked' and 'other.revoked'",
		  "write the full id, e.g. 'datasets.revoked'");
}

Test(check_tests, e0405_duplicate_names)
{
	cr_assert_eq(run_tests("request r { action \"read\" }\n"
			       "test \"t\" { given r expect deny }\n"
			       "test \"t\" { given r expect deny }\n"), 2);
	ck_expect(E_DUP_TEST, 13, 9, "request 'r' is declared twice in package 'datasets_test'",
		  "request names are unique per package: rename one");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "test \"t\" is declared twice in this file");
}

Test(check_tests, e0406_bad_paths)
{
	cr_assert_eq(run_tests("test \"t\" {\n"
			       "  given r with principal.tenat = \"x\"\n"
			       "  without principal.tenant, context.ticket\n"
			       "  expect deny\n}\n"), 2);
	ck_expect(E_BAD_PATH, 14, 26, "'principal' has no attribute 'tenat' in the schema",
		  "did you mean 'tenant'?");
	cr_expect_str_eq(ck_c.diags.items[1]->message,
			 "cannot remove 'principal.tenant': it is required by the schema");
	cr_expect_str_eq(ck_c.diags.items[1]->help,
			 "give it another value with 'with principal.tenant = ...'");
}

Test(check_tests, e0406_set_inside_absent_record)
{
	cr_assert_eq(run_tests("test \"t\" {\n"
			       "  given r with principal.window.start = time(\"2026-01-01T00:00:00Z\")\n"
			       "  expect deny\n}\n"), 1);
	ck_expect(E_BAD_PATH, 14, 16,
		  "cannot set 'principal.window.start': a record on its path is not in the request",
		  "set the whole optional record instead, e.g. 'with principal.window = { ... }'");
}

Test(check_tests, e0407_incomplete_request)
{
	cr_assert_eq(run_tests("request half { action \"read\" }\n"), 2);
	ck_expect(E_INCOMPLETE_REQ, 13, 9, "request 'half' has no 'principal' and 'resource'",
		  "a request names 'principal TYPE \"id\" { ... }', 'action \"name\"' and "
		  "'resource TYPE \"id\" { ... }'");
	cr_expect_str_eq(ck_c.diags.items[1]->message,
			 "request 'half' has no context, but the schema requires 'context.source_ip'");
}

Test(check_tests, e0408_expectation_can_never_hold)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n  expect allow by datasets.revoked\n}\n"
			       "test \"u\" {\n  given r\n  expect allow by user_write\n}\n"), 2);
	ck_expect(E_EXPECT_NEVER, 15, 19,
		  "'datasets.revoked' is a forbid rule: it can never decide 'allow'",
		  "permit rules decide 'allow' and forbid rules decide 'deny'");
	cr_expect_str_eq(ck_c.diags.items[1]->message,
			 "rule 'datasets.user_write' can never apply to this request: its scope "
			 "excludes action 'read'");
}

Test(check_tests, e0318_test_in_policy_file)
{
	const char *files[] = { "p.authz", "test \"t\" { given r expect deny }\n", NULL };
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 1);
	ck_expect(E_MISPLACED, 1, 6, "test in policy file 'p.authz'",
		  "move it to a test file, one whose name ends in '_test.authz'");
}

Test(check_tests, values_must_be_literals)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r with principal.tenant = principal.id\n"
			       "  expect deny\n}\n"), 1);
	ck_expect(E_NOT_LITERAL, 14, 35, "the value of 'principal.tenant' must be a literal",
		  "a test request holds literals (\"text\", 42, true, 1h, time(\"...\"), ip(\"...\"), "
		  "[..]) or constants");
}

/* ---- with action = "..." ----------------------------------------------------- */

Test(check_tests, with_action_changes_the_action)
{
	ck_clean(run_tests("test \"t\" {\n  given r\n  with action = \"write\"\n"
			   "  expect allow by user_write\n}\n"));
	const struct checked_test *t = &ck_c.checked->tests[0];
	cr_assert(t->ok);
	cr_assert_not_null(t->request.action);
	cr_expect_str_eq(t->request.action->name, "write");
	/* The named request keeps its own action. */
	ck_clean(run_tests("test \"t\" {\n  given r\n  with action = \"write\"\n  expect deny\n}\n"
			   "test \"u\" {\n  given r\n  expect allow by ci_read\n}\n"));
	cr_expect_str_eq(ck_c.checked->tests[0].request.action->name, "write");
	cr_expect_str_eq(ck_c.checked->tests[1].request.action->name, "read");
}

Test(check_tests, with_action_unknown_suggests_the_closest)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n  with action = \"wrte\"\n  expect deny\n}\n"), 1);
	ck_expect(E_REQUEST_SCHEMA, 15, 17, "unknown action 'wrte'", "did you mean 'write'?");
	cr_expect_not(ck_c.checked->tests[0].ok);
}

Test(check_tests, with_action_must_apply_to_the_entity_types)
{
	cr_assert_eq(run_tests("request u {\n"
			       "  principal User \"u\" { tenant: \"a\", mfa: true, department: \"d\" }\n"
			       "  action \"read\"\n"
			       "  resource Dataset \"d\" { tenant: \"a\", env: \"e\", change_tickets: [] }\n"
			       "  context { source_ip: ip(\"::1\") }\n"
			       "}\n"
			       "test \"t\" {\n  given u\n  with action = \"write\"\n  expect deny\n}\n"), 1);
	ck_expect(E_REQUEST_SCHEMA, 21, 17, "action 'write' does not apply to principal type 'User'",
		  "'write' applies to principal types 'ServiceAccount'");
}

Test(check_tests, with_action_is_a_string_literal)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n  with action = write\n  expect deny\n}\n"), 1);
	ck_expect(E_NOT_LITERAL, 15, 17, "the action must be a string literal",
		  "put the name in quotes: 'with action = \"write\"'");
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n  with action = 3\n  expect deny\n}\n"), 1);
	ck_expect(E_NOT_LITERAL, 15, 17, "the action must be a string literal",
		  "write the action's name in quotes: 'with action = \"read\"'");
}

Test(check_tests, with_action_is_what_the_expectation_sees)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n  with action = \"write\"\n"
			       "  expect allow by ci_read\n}\n"), 1);
	ck_expect(E_EXPECT_NEVER, 16, 19,
		  "rule 'datasets.ci_read' can never apply to this request: its scope excludes "
		  "action 'write'", "name the rule that decides this request, or change the request");
}

Test(check_tests, string_for_a_timestamp_or_an_ip_suggests_the_literal)
{
	cr_assert_eq(run_tests("test \"t\" {\n  given r\n"
			       "  with principal.window = { start: \"2026-11-22T09:00:00Z\", "
			       "end: time(\"2026-11-22T11:00:00Z\") }\n"
			       "  with context.source_ip = \"10.0.0.7\"\n  expect deny\n}\n"), 2);
	ck_expect(E_REQUEST_SCHEMA, 15, 36,
		  "'principal.window.start' is a 'timestamp' in the schema, not a 'string'",
		  "a string is not a timestamp: write time(\"2026-11-22T09:00:00Z\")");
	cr_expect_str_eq(ck_c.diags.items[1]->message,
			 "'context.source_ip' is an 'ip' in the schema, not a 'string'");
	cr_expect_str_eq(ck_c.diags.items[1]->help, "a string is not an ip: write ip(\"10.0.0.7\")");
}
