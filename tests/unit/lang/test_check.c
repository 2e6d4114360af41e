/*
 * test_check.c: the type checker (authzc-policy(5), EXPRESSIONS): a realistic policy set
 * checks clean, and every policy diagnostic with its message, position
 * and help.  Tests (s.7) are in test_check_tests.c.
 */
#include "check_util.h"

/* authzc-policy(5), POLICIES */
static const char EXAMPLE_POLICY[] =
	"package datasets;\n"
	"\n"
	"const PROD_ENVS = [\"production\", \"prod-eu\"];\n"
	"const MAX_GRANT = 8h;\n"
	"\n"
	"@owner(\"data-platform\")\n"
	"@ticket(\"SEC-1234\")\n"
	"@description(\"CI may read production datasets during its deploy window\")\n"
	"permit ci_read_prod {\n"
	"  principal is ServiceAccount\n"
	"  action in [\"read\"]\n"
	"  resource is Dataset\n"
	"  when resource.env in PROD_ENVS\n"
	"   and principal.workload.signed\n"
	"   and principal has window\n"
	"   and now >= principal.window.start and now < principal.window.end\n"
	"  when context has ticket and context.ticket in resource.change_tickets\n"
	"  unless principal.workload.spiffe_id like \"spiffe://*/sandbox/*\"\n"
	"}\n"
	"\n"
	"@owner(\"security\")\n"
	"forbid revoked_keys {\n"
	"  principal is ServiceAccount\n"
	"  when principal.revoked\n"
	"}\n"
	"\n"
	"@owner(\"security\")\n"
	"forbid cross_tenant {\n"
	"  when principal.tenant != resource.tenant\n"
	"}\n";

/* authzc-policy(5), TESTS */
static const char EXAMPLE_TESTS[] =
	"package datasets_test;\n"
	"\n"
	"request ci_read {\n"
	"  principal ServiceAccount \"ci-bot\" {\n"
	"    tenant: \"acme\", revoked: false, groups: [\"deployers\"],\n"
	"    workload: { signed: true, spiffe_id: \"spiffe://acme/ci\" },\n"
	"    window: { start: time(\"2026-11-22T09:00:00Z\"), end: time(\"2026-11-22T11:00:00Z\") }\n"
	"  }\n"
	"  action \"read\"\n"
	"  resource Dataset \"sales\" { tenant: \"acme\", env: \"production\", change_tickets: [\"CHG-42\"] }\n"
	"  context { ticket: \"CHG-42\", source_ip: ip(\"10.1.2.3\") }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n"
	"}\n"
	"\n"
	"test \"CI reads a production dataset inside its window\" {\n"
	"  given ci_read\n"
	"  expect allow by datasets.ci_read_prod\n"
	"}\n"
	"\n"
	"test \"a revoked service account is denied\" {\n"
	"  given ci_read with principal.revoked = true\n"
	"  expect deny by datasets.revoked_keys\n"
	"}\n"
	"\n"
	"test \"outside the window is denied\" {\n"
	"  given ci_read at time(\"2026-11-22T12:00:00Z\")\n"
	"  expect deny by default\n"
	"}\n"
	"\n"
	"test \"no ticket, no access\" {\n"
	"  given ci_read without context.ticket\n"
	"  expect deny\n"
	"}\n";

Test(check, language_example_is_clean)
{
	ck_clean(ck_with_tests(EXAMPLE_POLICY, EXAMPLE_TESTS));
	const struct checked *k = ck_c.checked;
	cr_assert_eq(k->nrules, 3);
	cr_expect_str_eq(k->rules[0].id, "datasets.ci_read_prod");
	cr_expect_str_eq(k->rules[1].id, "datasets.revoked_keys");
	cr_expect_str_eq(k->rules[2].id, "datasets.cross_tenant");
	/* ci_read_prod: one principal type, one action, one resource type. */
	cr_expect_eq(k->rules[0].nprincipals, 1);
	cr_expect_str_eq(k->rules[0].principals[0]->name, "ServiceAccount");
	cr_expect_eq(k->rules[0].nactions, 1);
	cr_expect_str_eq(k->rules[0].actions[0]->name, "read");
	cr_expect_eq(k->rules[0].nguards, 8);
	cr_expect_not(k->rules[0].action_any);
	/* revoked_keys: no action clause: both actions apply to ServiceAccount. */
	cr_expect(k->rules[1].action_any);
	cr_expect_eq(k->rules[1].nactions, 2);
	/* cross_tenant: any principal the actions allow. */
	cr_expect_eq(k->rules[2].nprincipals, 2);
	cr_expect(k->rules[2].principal_any);
	/* Constants are folded, sets canonical (sorted). */
	cr_assert_eq(k->nconsts, 2);
	cr_expect_str_eq(value_str(&ck_c.arena, &k->consts[0].value, VALUE_AUTHZ),
			 "[\"prod-eu\", \"production\"]");
	cr_expect_eq(k->consts[1].value.kind, VAL_DURATION);
	cr_expect_eq(k->consts[1].value.u.i, 8 * 3600000LL);
	cr_expect(k->consts[0].used);
	cr_expect_not(k->consts[1].used);
	/* Tests: resolved requests. */
	cr_assert_eq(k->ntests, 4);
	for (size_t i = 0; i < 4; i++)
		cr_expect(k->tests[i].ok, "test %zu not ok", i);
	const struct checked_test *t0 = &k->tests[0];
	cr_expect_str_eq(t0->request.principal.type->name, "ServiceAccount");
	cr_expect_str_eq(t0->request.principal.id, "ci-bot");
	cr_expect_str_eq(t0->request.action->name, "read");
	cr_expect(t0->request.has_time);
	cr_expect_str_eq(value_str(&ck_c.arena, &t0->request.principal.attrs, VALUE_AUTHZ),
			 "{tenant: \"acme\", revoked: false, groups: [\"deployers\"], workload: "
			 "{signed: true, spiffe_id: \"spiffe://acme/ci\"}, window: {start: "
			 "time(\"2026-11-22T09:00:00Z\"), end: time(\"2026-11-22T11:00:00Z\")}}");
	cr_expect_str_eq(value_str(&ck_c.arena, &t0->request.context, VALUE_JSON),
			 "{\"ticket\":\"CHG-42\",\"source_ip\":\"10.1.2.3\"}");
	cr_assert_eq(t0->nby_rules, 1);
	cr_expect_eq(t0->by_rules[0], &k->rules[0]);
	cr_expect(t0->expect_allow);
	/* with principal.revoked = true changed a copy only. */
	const struct value *rv = value_field(&k->tests[1].request.principal.attrs, "revoked");
	cr_assert_not_null(rv);
	cr_expect(rv->u.b);
	cr_expect_not(value_field(&t0->request.principal.attrs, "revoked")->u.b);
	/* at replaces the time. */
	char buf[32];
	authz_format_time(k->tests[2].request.time_ms, buf);
	cr_expect_str_eq(buf, "2026-11-22T12:00:00Z");
	cr_expect_eq(k->tests[2].by, EXPECT_DEFAULT);
	/* without context.ticket removed it. */
	cr_expect_null(value_field(&k->tests[3].request.context, "ticket"));
	cr_expect_not_null(value_field(&t0->request.context, "ticket"));
}

Test(check, annotates_types_and_refs)
{
	ck_clean(ck_with_tests(EXAMPLE_POLICY, EXAMPLE_TESTS));
	const struct ast_rule *r = ck_c.checked->rules[0].rule;
	/* when resource.env in PROD_ENVS and ... : dig to the `in`. */
	const struct ast_expr *e = r->clauses[0].expr;
	while (e->kind == EX_BINARY && e->u.bin.op == BIN_AND)
		e = e->u.bin.lhs;
	cr_assert_eq(e->kind, EX_BINARY);
	cr_expect_eq(e->u.bin.op, BIN_IN);
	cr_expect_eq(e->type->kind, TY_BOOL);
	cr_expect_eq(e->u.bin.lhs->type->kind, TY_STRING);
	const struct ast_expr *k = e->u.bin.rhs;
	cr_expect_eq(k->kind, EX_NAME);
	cr_expect_eq(k->ref_kind, REF_CONST);
	cr_expect_eq(k->ref, &ck_c.checked->consts[0].value);
	cr_expect_eq(k->type->kind, TY_SET);
	cr_expect_eq(k->type->elem->kind, TY_STRING);
	/* The unless: `like` with a folded literal pattern. */
	const struct ast_expr *u = r->clauses[2].expr;
	cr_assert_eq(u->kind, EX_LIKE);
	cr_expect_eq(u->u.bin.rhs->ref_kind, REF_VALUE);
	cr_expect_eq(u->u.bin.lhs->type->kind, TY_STRING);
}

Test(check, constants_across_packages)
{
	const char *files[] = {
		"a.authz", "package a;\nconst ADMINS = [\"root\", \"ops\"];\nconst N = -5;\n",
		"b.authz", "package b;\npermit p {\n  when principal.id in a.ADMINS and 1 > a.N\n}\n",
		NULL,
	};
	ck_clean(ck_run_v(CK_SCHEMA, files));
	const struct ast_expr *e = ck_c.checked->rules[0].rule->clauses[0].expr;
	const struct ast_expr *in = e->u.bin.lhs;
	cr_expect_eq(in->u.bin.rhs->kind, EX_ATTR);
	cr_expect_eq(in->u.bin.rhs->ref_kind, REF_CONST);
	const struct value *n = e->u.bin.rhs->u.bin.rhs->ref;
	cr_assert_not_null(n);
	cr_expect_eq(n->u.i, -5);
}

Test(check, expression_forms_type_check)
{
	ck_clean(ck_policy(
		"permit p {\n"
		"  principal is ServiceAccount\n"
		"  when principal has window and principal.window.end - principal.window.start <= 8h\n"
		"  when now + 1h > principal.window.start and now - 30m < principal.window.end\n"
		"  when now.hour >= 9 and now.weekday <= 5 and now.year * 2 - 1 > 0\n"
		"  when principal.groups.containsAny([\"a\", \"b\"]) and not principal.groups.isEmpty()\n"
		"  when principal.groups.containsAll([]) and [] != principal.groups\n"
		"  when context.source_ip in ip(\"10.0.0.0/8\") or context.source_ip == ip(\"::1\")\n"
		"  when principal == resource or action == \"read\" or -9223372036854775808 < -1\n"
		"  when principal.id like \"ci-*\" and -(2h) < 0ms\n"
		"  unless principal.window.start > time(\"2026-01-01T00:00:00Z\")\n"
		"}\n"));
	/* `[]` took its element type from the other side. */
	const struct ast_rule *r = ck_c.checked->rules[0].rule;
	const struct ast_expr *e = r->clauses[4].expr->u.bin.rhs;      /* [] != groups */
	cr_assert_eq(e->u.bin.lhs->kind, EX_SET);
	cr_expect_eq(e->u.bin.lhs->type->elem->kind, TY_STRING);
	/* -9223372036854775808 folds on the EX_NEG node. */
	const struct ast_expr *cmp = r->clauses[6].expr->u.bin.rhs;
	cr_assert_eq(cmp->u.bin.lhs->kind, EX_NEG);
	cr_expect_eq(((const struct value *)cmp->u.bin.lhs->ref)->u.i, INT64_MIN);
}

Test(check, has_in_earlier_when_guards_unless)
{
	ck_clean(ck_policy(
		"permit p {\n"
		"  principal is ServiceAccount\n"
		"  unless principal.window.end < now\n"
		"  when principal has window\n"
		"}\n"));
}

/* ---- names ---------------------------------------------------------------- */

Test(check, e0301_unknown_attribute)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is User\n  when principal.departmnt == \"x\"\n}\n"), 1);
	ck_expect(E_UNKNOWN_ATTR, 3, 18, "unknown attribute 'departmnt' on 'User'",
		  "did you mean 'department'?");
}

Test(check, e0301_unknown_context_attribute)
{
	cr_assert_eq(ck_policy("permit p {\n  when context has tickt\n}\n"), 1);
	ck_expect(E_UNKNOWN_ATTR, 2, 20, "unknown attribute 'tickt' on 'context'",
		  "did you mean 'ticket'?");
}

Test(check, e0302_unknown_type)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is Usr | User\n}\n"), 1);
	ck_expect(E_UNKNOWN_TYPE, 2, 16, "unknown entity type 'Usr'", "did you mean 'User'?");
}

Test(check, e0303_unknown_action)
{
	cr_assert_eq(ck_policy("permit p {\n  action in [\"read\", \"wirte\"]\n}\n"), 1);
	ck_expect(E_UNKNOWN_ACTION, 2, 22, "unknown action 'wirte'", "did you mean 'write'?");
}

Test(check, e0304_compare_mismatch)
{
	cr_assert_eq(ck_policy("permit p {\n  when principal.tenant == 3\n}\n"), 1);
	ck_expect(E_TYPE_MISMATCH, 2, 8, "cannot compare 'string' with 'int'",
		  "both sides of '==' and '!=' must have the same type");
}

Test(check, e0304_arithmetic_and_in)
{
	cr_assert_eq(ck_policy("permit p {\n  when now + 3 > now\n  when 1 in [\"a\"]\n}\n"), 2);
	ck_expect(E_TYPE_MISMATCH, 2, 8, "cannot add 'timestamp' and 'int'",
		  "'+' adds int+int, timestamp+duration or duration+duration");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "cannot look for 'int' in 'set<string>'");
}

Test(check, e0304_records_not_comparable)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is ServiceAccount\n"
			       "  when principal.workload == principal.workload\n}\n"), 1);
	ck_expect(E_TYPE_MISMATCH, 3, 8, "records cannot be compared with '=='",
		  "compare their attributes one by one");
}

Test(check, e0305_unguarded_optional)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is ServiceAccount\n"
			       "  when principal.window.start < now\n}\n"), 1);
	ck_expect(E_UNGUARDED, 3, 8,
		  "'principal.window' is optional: guard the read with 'principal has window' before it",
		  "put 'principal has window' to its left in the same 'and' chain, or in an earlier "
		  "'when' clause");
}

Test(check, e0305_or_and_not_carry_no_facts)
{
	cr_assert_eq(ck_policy("permit p {\n"
			       "  when context has ticket or context.ticket == \"x\"\n"
			       "  when not (context has ticket) and context.ticket == \"y\"\n"
			       "  when context.ticket == \"z\" and context has ticket\n"
			       "}\n"), 3);
	cr_expect_eq(ck_count(E_UNGUARDED), 3);
	ck_expect(E_UNGUARDED, 2, 30,
		  "'context.ticket' is optional: guard the read with 'context has ticket' before it",
		  "put 'context has ticket' to its left in the same 'and' chain, or in an earlier "
		  "'when' clause");
}

Test(check, e0305_unless_does_not_guard)
{
	cr_assert_eq(ck_policy("permit p {\n  unless context has ticket\n"
			       "  unless context.ticket == \"x\"\n}\n"), 1);
	ck_expect(E_UNGUARDED, 3, 10,
		  "'context.ticket' is optional: guard the read with 'context has ticket' before it",
		  "put 'context has ticket' to its left in the same 'and' chain, or in an earlier "
		  "'when' clause");
}

Test(check, e0306_scope_never_matches)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is User\n  action == \"write\"\n}\n"), 1);
	struct diag *d = ck_expect(E_SCOPE_EMPTY, 2, 3,
		  "rule 'p' can never match: action 'write' never applies to principal type 'User'",
		  "action 'write' applies to principal types 'ServiceAccount'");
	cr_assert_eq(d->nnotes, 1);
}

Test(check, e0306_resource_side)
{
	cr_assert_eq(ck_policy("forbid f {\n  resource is User\n}\n"), 1);
	ck_expect(E_SCOPE_EMPTY, 2, 3,
		  "rule 'f' can never match: no action applies to resource type 'User'",
		  "the actions apply to resource types 'Dataset'");
}

Test(check, e0307_duplicate_rule_id)
{
	const char *files[] = {
		"a.authz", "package x;\npermit p { when true }\n",
		"b.authz", "package x;\n\nforbid p { when true }\n",
		NULL,
	};
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 1);
	struct diag *d = ck_expect(E_DUP_RULE, 3, 8, "duplicate rule id 'x.p'",
				   "rule ids are unique across the policy set: rename one of the rules");
	cr_assert_eq(d->nnotes, 1);
	cr_expect_str_eq(d->notes[0].message, "'x.p' is first defined here, in a.authz");
	cr_expect_eq(d->notes[0].span.start, 18);
}

Test(check, e0308_unknown_constant)
{
	cr_assert_eq(ck_policy("package q;\nconst ADMINS = [\"a\"];\n"
			       "permit p {\n  when principal.id in ADMIN\n}\n"), 1);
	ck_expect(E_UNKNOWN_NAME, 4, 24, "unknown constant 'ADMIN'", "did you mean 'ADMINS'?");
}

Test(check, e0308_unknown_package_constant)
{
	const char *files[] = {
		"a.authz", "package a;\nconst LIMIT = 5;\n",
		"b.authz", "package b;\npermit p {\n  when 1 < a.LIMT and 2 < zz.X\n}\n",
		NULL,
	};
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 2);
	ck_expect(E_UNKNOWN_NAME, 3, 12, "package 'a' has no constant 'LIMT'", "did you mean 'a.LIMIT'?");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "unknown constant or package 'zz'");
}

Test(check, e0308_constant_of_other_package_needs_prefix)
{
	const char *files[] = {
		"a.authz", "package a;\nconst LIMIT = 5;\n",
		"b.authz", "package b;\npermit p {\n  when 1 < LIMIT\n}\n",
		NULL,
	};
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 1);
	ck_expect(E_UNKNOWN_NAME, 3, 12, "unknown constant 'LIMIT'", "did you mean 'a.LIMIT'?");
}

Test(check, e0309_integer_out_of_range)
{
	cr_assert_eq(ck_policy("permit p {\n  when 9223372036854775808 > 1\n}\n"), 1);
	ck_expect(E_INT_RANGE, 2, 8, "integer literal '9223372036854775808' is out of range",
		  "integers are signed 64-bit: from -9223372036854775808 to 9223372036854775807");
}

Test(check, e0310_bad_time_literal)
{
	cr_assert_eq(ck_policy("permit p {\n  when now > time(\"2026-02-30T00:00:00Z\")\n}\n"), 1);
	ck_expect(E_BAD_TIME, 2, 19, "invalid timestamp '2026-02-30T00:00:00Z'",
		  "write an RFC 3339 time such as \"2026-11-22T10:00:00Z\"");
}

Test(check, e0311_bad_ip_literal)
{
	cr_assert_eq(ck_policy("permit p {\n  when context.source_ip in ip(\"10.0.0.256/8\")\n"
			       "  when context.source_ip in ip(\"10.0.0.0/33\")\n}\n"), 2);
	ck_expect(E_BAD_IP, 2, 32, "invalid ip address '10.0.0.256/8'",
		  "write an IPv4 or IPv6 address with an optional /prefix, such as \"10.0.0.0/8\" "
		  "or \"2001:db8::/32\"");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "prefix '/33' is too long for an IPv4 address");
}

Test(check, e0311_prefix_too_long_or_malformed)
{
	cr_assert_eq(ck_policy("permit p {\n  when context.source_ip in ip(\"::1/129\")\n"
			       "  when context.source_ip in ip(\"10.0.0.1/999\")\n"
			       "  when context.source_ip in ip(\"10.0.0.1/08\")\n"
			       "  when context.source_ip in ip(\"10.0.0.1/0999\")\n"
			       "  when context.source_ip in ip(\"10.0.0.256/33\")\n"
			       "  when context.source_ip in ip(\"10.0.0.1/\")\n}\n"), 6);
	ck_expect(E_BAD_IP, 2, 32, "prefix '/129' is too long for an IPv6 address",
		  "the prefix of an IPv6 address is at most /128");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "prefix '/999' is too long for an IPv4 address");
	cr_expect_str_eq(ck_c.diags.items[1]->help, "the prefix of an IPv4 address is at most /32");
	cr_expect_str_eq(ck_c.diags.items[2]->message, "invalid ip address '10.0.0.1/08'");
	cr_expect_str_eq(ck_c.diags.items[3]->message, "invalid ip address '10.0.0.1/0999'");
	cr_expect_str_eq(ck_c.diags.items[4]->message, "invalid ip address '10.0.0.256/33'");
	cr_expect_str_eq(ck_c.diags.items[5]->message, "invalid ip address '10.0.0.1/'");
}

Test(check, e0312_duration_out_of_range)
{
	cr_assert_eq(ck_policy("const D = 200000000000d;\n"), 1);
	ck_expect(E_BAD_DURATION, 1, 11, "duration '200000000000d' is out of range",
		  "durations are signed 64-bit milliseconds: at most about 106751991167d");
}

Test(check, e0313_like_needs_literal)
{
	cr_assert_eq(ck_policy("const PAT = \"a*\";\npermit p {\n  when principal.id like PAT\n}\n"), 1);
	ck_expect(E_LIKE_PATTERN, 3, 26, "the pattern of 'like' must be a string literal",
		  "write the pattern in quotes, e.g. 's like \"prefix*\"' ('*' matches any run of "
		  "characters)");
}

Test(check, e0314_condition_not_bool)
{
	cr_assert_eq(ck_policy("permit p {\n  when principal.tenant\n  when true and 3\n}\n"), 2);
	ck_expect(E_NOT_BOOL, 2, 8, "the 'when' condition is a 'string', not a 'bool'",
		  "compare it with a value, e.g. 'x == ...'");
	cr_expect_str_eq(ck_c.diags.items[1]->message,
			 "the right operand of 'and' is an 'int', not a 'bool'");
}

Test(check, e0315_attribute_missing_on_a_type)
{
	cr_assert_eq(ck_policy("permit p {\n  action == \"read\"\n  when principal.mfa\n}\n"), 1);
	ck_expect(E_ATTR_SCOPE, 3, 18,
		  "attribute 'mfa' is not declared on 'ServiceAccount', which this rule's principal may be",
		  "narrow the scope with 'principal is User'");
}

Test(check, e0315_attribute_typed_differently)
{
	const char schema[] =
		"{ \"types\": { \"A\": { \"x\": \"int\" }, \"B\": { \"x\": \"string\" }, \"R\": {} },\n"
		"  \"actions\": { \"go\": { \"principals\": [\"A\", \"B\"], \"resources\": [\"R\"] } },\n"
		"  \"context\": {} }";
	const char *files[] = { "p.authz", "permit p {\n  when principal.x == 1\n}\n", NULL };
	cr_assert_eq(ck_run_v(schema, files), 1);
	ck_expect(E_ATTR_SCOPE, 2, 18, "attribute 'x' is an 'int' on 'A' but a 'string' on 'B'",
		  "narrow the scope with 'principal is A' so the attribute has one type");
}

Test(check, e0316_unknown_method)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is ServiceAccount\n"
			       "  when principal.groups.containsAl([\"a\"]) and now.yaer > 1\n}\n"), 2);
	ck_expect(E_BAD_METHOD, 3, 25, "unknown set method 'containsAl'",
		  "did you mean 'containsAll'?");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "unknown timestamp accessor 'yaer'");
	cr_expect_str_eq(ck_c.diags.items[1]->help, "did you mean 'year'?");
}

Test(check, e0316_wrong_argument_count)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is ServiceAccount\n"
			       "  when principal.groups.isEmpty([])\n}\n"), 1);
	ck_expect(E_BAD_METHOD, 3, 8, "'isEmpty' takes 0 arguments, not 1", "write 'isEmpty()'");
}

Test(check, e0317_duplicate_constant)
{
	cr_assert_eq(ck_policy("package k;\nconst A = 1;\nconst A = 2;\n"), 1);
	struct diag *d = ck_expect(E_DUP_NAME, 3, 7, "constant 'A' is declared twice in package 'k'",
				   "rename one of them or remove the duplicate");
	cr_expect_eq(d->nnotes, 1);
}

Test(check, e0318_rule_in_test_file)
{
	const char *files[] = { "x_test.authz", "permit p { when true }\n", NULL };
	cr_assert_eq(ck_run_v(CK_SCHEMA, files), 1);
	ck_expect(E_MISPLACED, 1, 8, "rule 'p' is in test file 'x_test.authz'",
		  "move the rule to a policy file (one whose name does not end in '_test.authz')");
}

Test(check, e0319_bad_expires_and_duplicate_annotation)
{
	cr_assert_eq(ck_policy("@expires(\"tomorrow\")\n@owner(\"a\")\n@owner(\"b\")\n"
			       "permit p { when true }\n"), 2);
	ck_expect(E_BAD_ANNOTATION, 1, 10, "invalid @expires date 'tomorrow'",
		  "write an RFC 3339 time such as \"2026-12-31T00:00:00Z\"");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "annotation '@owner' is given twice on rule 'p'");
}

Test(check, e0320_mixed_set)
{
	cr_assert_eq(ck_policy("const S = [\"a\", 1];\n"), 1);
	ck_expect(E_SET_ELEM, 1, 17, "set element is an 'int' but the first element is a 'string'",
		  "every element of a set has the same type");
}

Test(check, e0321_constant_not_literal)
{
	cr_assert_eq(ck_policy("const S = principal.id;\n"), 1);
	ck_expect(E_NOT_LITERAL, 1, 11, "the value of constant 'S' must be a literal",
		  "write a literal such as \"text\", 42, 8h, time(\"...\"), ip(\"...\") or a set of "
		  "literals [\"a\", \"b\"]");
}

Test(check, e0321_set_element_not_literal)
{
	cr_assert_eq(ck_policy("permit p {\n  when principal.id in [principal.tenant]\n}\n"), 1);
	ck_expect(E_NOT_LITERAL, 2, 25, "set elements must be literals or constants",
		  "compare with the value instead: 'x == y', or build the set from literals such as "
		  "[\"a\", \"b\"]");
}

Test(check, w0501_expired_rule)
{
	size_t n = ck_policy("@expires(\"2026-05-31T00:00:00Z\")\npermit p { when true }\n"
			     "@expires(\"2026-07-01T00:00:00Z\")\npermit q { when true }\n");
	cr_assert_eq(n, 0);
	cr_expect_eq(ck_count(W_EXPIRED), 1);
	ck_expect(W_EXPIRED, 1, 1, "rule 'p' expired on 2026-05-31T00:00:00Z",
		  "it no longer applies: remove the rule, or move its @expires date forward");
	cr_expect(ck_c.checked->rules[1].has_expires);
	cr_expect_eq(ck_c.checked->rules[1].expires_ms, CK_NOW_MS + 30LL * 86400000);
}

Test(check, w0502_matches_everything)
{
	cr_assert_eq(ck_policy("forbid all {}\n"), 0);
	ck_expect(W_MATCHES_ALL, 1, 8, "rule 'all' has no scope and no condition: it denies every request",
		  "add a scope clause such as 'principal is T' or a 'when' condition");
}

Test(check, reports_every_error)
{
	size_t n = ck_policy("permit a {\n  when principal.nope\n}\n"
			     "permit b {\n  principal is Nope\n}\n"
			     "permit c {\n  when 1 + \"x\" == 2\n}\n");
	cr_expect_eq(n, 3);
}

Test(check, deep_nesting_is_refused_not_crashed)
{
	/* 300 nested parentheses: the lexer refuses past its bracket limit, so
	 * build a valid but deep mix of sets and ands instead. */
	char buf[20000];
	size_t off = 0;
	off += (size_t)snprintf(buf + off, sizeof buf - off, "permit p {\n  when ");
	for (int i = 0; i < 200; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "true and ");
	off += (size_t)snprintf(buf + off, sizeof buf - off, "true\n}\n");
	cr_assert_eq(ck_policy(buf), 0);
}

Test(check, values_print_and_compare)
{
	struct arena a = ARENA_INIT;
	struct value items[3] = { value_int(VAL_INT, 3), value_int(VAL_INT, -1), value_int(VAL_INT, 3) };
	struct value s = value_set(items, 3, VAL_INT);
	cr_expect_eq(s.u.set.n, 2);
	cr_expect_str_eq(value_str(&a, &s, VALUE_AUTHZ), "[-1, 3]");
	struct value d = value_int(VAL_DURATION, 5400000);
	cr_expect_str_eq(value_str(&a, &d, VALUE_AUTHZ), "1h30m");
	cr_expect_str_eq(value_str(&a, &d, VALUE_JSON), "\"1h30m\"");
	struct value neg = value_int(VAL_DURATION, -250);
	cr_expect_str_eq(value_str(&a, &neg, VALUE_AUTHZ), "-250ms");
	struct value t = value_int(VAL_TIMESTAMP, -1);
	cr_expect_str_eq(value_str(&a, &t, VALUE_JSON), "\"1969-12-31T23:59:59.999Z\"");
	struct value ip;
	memset(&ip, 0, sizeof ip);
	ip.kind = VAL_IP;
	cr_assert_eq(authz_parse_ip("10.1.2.3/8", 10, &ip.u.ip), 0);
	cr_expect_str_eq(value_str(&a, &ip, VALUE_AUTHZ), "ip(\"10.1.2.3/8\")");
	cr_assert_eq(authz_parse_ip("::ffff:10.0.0.1/120", 19, &ip.u.ip), 0);
	cr_expect_str_eq(value_str(&a, &ip, VALUE_JSON), "\"::ffff:10.0.0.1/120\"");
	struct value str = value_string("a\"\n\x01", 4);
	cr_expect_str_eq(value_str(&a, &str, VALUE_JSON), "\"a\\\"\\n\\u0001\"");
	cr_expect_str_eq(value_str(&a, &str, VALUE_AUTHZ), "\"a\\\"\\n\\u{01}\"",
			 "as authzc fmt writes it");
	struct value x = value_string("ab", 2), y = value_string("abc", 3);
	cr_expect_lt(value_compare(&x, &y), 0);
	cr_expect(value_equal(&x, &x));
	arena_free(&a);
}

/* Files with syntax errors still get checked without crashing (the driver
 * stops before the checker, but `check FILE` and tools may not). */
Test(check, survives_partial_trees)
{
	static const char *const inputs[] = {
		"permit p { when time(1) > now and ip() in ip(\"x\") }\n",
		"permit { when }\nconst = ;\nforbid f { principal is }\n",
		"test \"t\" { given }\nrequest { principal }\n",
		"permit p { when foo(\"x\") and principal.",
		"const X = [[1], [2]];\npermit p { when X.isEmpty() and [1, [2]] == [] }\n",
		"permit p { when -principal.id and - - 3 == 3 and -(-9223372036854775808) < 0 }\n",
		"permit p { when {a: 1} == 1 and 1 like 2 and principal has id }\n",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		for (int as_test = 0; as_test < 2; as_test++) {
			if (ck_live)
				compilation_release(&ck_c);
			compilation_init(&ck_c);
			ck_live = true;
			uint32_t sid = srcset_add(&ck_c.src, "schema.json", CK_SCHEMA, strlen(CK_SCHEMA));
			schema_load(&ck_c.arena, &ck_c.src, sid, &ck_c.diags, &ck_c.schema);
			project_add_source(&ck_c, as_test ? "x_test.authz" : "x.authz", inputs[i],
					   strlen(inputs[i]));
			compilation_parse(&ck_c);
			compilation_check(&ck_c);
			cr_expect_not_null(ck_c.checked);
			cr_expect_gt(ck_c.diags.errors, 0, "input %zu gave no error", i);
		}
	}
}

Test(check, no_schema_is_an_error_not_a_crash)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	cr_expect_eq(compilation_check(&ck_c), 1);
	cr_expect_not_null(ck_c.checked);
}

Test(check, e0315_lists_every_type_lacking_the_attribute)
{
	const char schema[] =
		"{ \"types\": { \"A\": { \"x\": \"int\" }, \"B\": {}, \"C\": {}, \"R\": {} },\n"
		"  \"actions\": { \"go\": { \"principals\": [\"A\", \"B\", \"C\"], \"resources\": [\"R\"] } },\n"
		"  \"context\": {} }";
	const char *files[] = { "p.authz", "permit p {\n  when principal.x == 1\n}\n", NULL };
	cr_assert_eq(ck_run_v(schema, files), 1);
	ck_expect(E_ATTR_SCOPE, 2, 18,
		  "attribute 'x' is not declared on 'B' and 'C', which this rule's principal may be",
		  "narrow the scope with 'principal is A'");
}

Test(check, e0306_no_action_fits_both_sides)
{
	const char schema[] =
		"{ \"types\": { \"A\": {}, \"B\": {}, \"X\": {}, \"Y\": {} },\n"
		"  \"actions\": { \"r\": { \"principals\": [\"A\"], \"resources\": [\"X\"] },\n"
		"                \"w\": { \"principals\": [\"B\"], \"resources\": [\"Y\"] } },\n"
		"  \"context\": {} }";
	const char *files[] = { "p.authz", "permit p {\n  principal is A\n  resource is Y\n}\n", NULL };
	cr_assert_eq(ck_run_v(schema, files), 1);
	ck_expect(E_SCOPE_EMPTY, 1, 8,
		  "rule 'p' can never match: no action of its scope applies to both principal type "
		  "'A' and resource type 'Y'",
		  "check the \"actions\" of the schema: each action lists the principal and resource "
		  "types it applies to");
}

Test(check, scope_keeps_only_actions_that_fit)
{
	const char schema[] =
		"{ \"types\": { \"A\": { \"n\": \"int\" }, \"B\": {}, \"X\": {} },\n"
		"  \"actions\": { \"r\": { \"principals\": [\"A\", \"B\"], \"resources\": [\"X\"] },\n"
		"                \"w\": { \"principals\": [\"B\"], \"resources\": [\"X\"] } },\n"
		"  \"context\": {} }";
	const char *files[] = { "p.authz", "permit p {\n  principal is A\n  when principal.n > 0\n}\n", NULL };
	ck_clean(ck_run_v(schema, files));
	const struct checked_rule *r = &ck_c.checked->rules[0];
	cr_assert_eq(r->nactions, 1);
	cr_expect_str_eq(r->actions[0]->name, "r");
	cr_assert_eq(r->nprincipals, 1);
	cr_expect_str_eq(r->principals[0]->name, "A");
}

/* ---- habits of other languages ---------------------------------------------- */

Test(check, e0304_timestamp_against_a_string_literal)
{
	cr_assert_eq(ck_policy("permit p {\n  when now < \"2026-01-01T00:00:00Z\"\n"
			       "  when \"2026-01-01T00:00:00Z\" == now\n}\n"), 2);
	ck_expect(E_TYPE_MISMATCH, 2, 8, "cannot compare 'timestamp' with 'string'",
		  "a string is not a timestamp: write time(\"2026-01-01T00:00:00Z\")");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "cannot compare 'string' with 'timestamp'");
	cr_expect_str_eq(ck_c.diags.items[1]->help,
			 "a string is not a timestamp: write time(\"2026-01-01T00:00:00Z\")");
	/* Not a valid time: the help says what one looks like. */
	cr_assert_eq(ck_policy("permit p {\n  when now >= \"2026-01-01\"\n}\n"), 1);
	ck_expect(E_TYPE_MISMATCH, 2, 8, "cannot compare 'timestamp' with 'string'",
		  "a string is not a timestamp: write time(\"...\") with an RFC 3339 time such as "
		  "\"2026-11-22T10:00:00Z\"");
}

Test(check, e0304_ip_against_a_string_literal)
{
	cr_assert_eq(ck_policy("permit p {\n  when context.source_ip in \"10.0.0.0/8\"\n"
			       "  when context.source_ip != \"10.1.2.3\"\n}\n"), 2);
	ck_expect(E_TYPE_MISMATCH, 2, 29, "the right side of 'in' is a 'string', not a set or an ip range",
		  "a string is not an ip: write ip(\"10.0.0.0/8\")");
	cr_expect_str_eq(ck_c.diags.items[1]->help, "a string is not an ip: write ip(\"10.1.2.3\")");
	/* Other mismatches keep their help. */
	cr_assert_eq(ck_policy("permit p {\n  when context.source_ip in 3\n}\n"), 1);
	cr_expect_str_eq(ck_c.diags.items[0]->help, "write 'x in [\"a\", \"b\"]', 'x in S' with S a "
			 "set, or 'addr in ip(\"10.0.0.0/8\")'");
}

Test(check, e0316_contains_on_a_set_is_in)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is ServiceAccount\n"
			       "  when principal.groups.contains(\"deployers\")\n"
			       "  when principal.groups.includes(principal.tenant)\n"
			       "  when principal.groups.contains([\"a\"])\n}\n"), 3);
	ck_expect(E_BAD_METHOD, 3, 25, "unknown set method 'contains'",
		  "test membership with 'in': '\"deployers\" in principal.groups'");
	cr_expect_str_eq(ck_c.diags.items[1]->message, "unknown set method 'includes'");
	cr_expect_str_eq(ck_c.diags.items[1]->help,
			 "test membership with 'in': 'principal.tenant in principal.groups'");
	cr_expect_str_eq(ck_c.diags.items[2]->help,
			 "use 'containsAll' (every element of the argument) or 'containsAny' (some element)");
}

Test(check, e0316_string_methods_are_like)
{
	cr_assert_eq(ck_policy("permit p {\n  principal is User\n"
			       "  when principal.department.contains(\"eng\")\n"
			       "  when resource.id.startsWith(\"tmp-\")\n"
			       "  when resource.id.endsWith(\".csv\")\n"
			       "  when resource.id.endsWith(\"*\")\n}\n"), 4);
	ck_expect(E_BAD_METHOD, 3, 29, "a 'string' has no method 'contains'",
		  "match strings with 'like': 'principal.department like \"*eng*\"'");
	cr_expect_str_eq(ck_c.diags.items[1]->help,
			 "match strings with 'like': 'resource.id like \"tmp-*\"'");
	cr_expect_str_eq(ck_c.diags.items[2]->help,
			 "match strings with 'like': 'resource.id like \"*.csv\"'");
	/* A star would need escaping in the pattern: the general form. */
	cr_expect_str_eq(ck_c.diags.items[3]->help, "match strings with 'like': 's like \"*part*\"'");
}
