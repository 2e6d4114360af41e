/*
 * test_parser.c: the bison grammar (grammar/parser.y): the AST of every
 * construct of authzc-policy(5) (POLICIES, EXPRESSIONS, TESTS), syntax errors and recovery.
 */
#include "parse_util.h"
#include "parse_ctx.h"

/* ---- policies ------------------------------------------------------------ */

Test(parser, package_const_and_rule_ids)
{
	struct ast_file *f = parse("package datasets;\n"
				   "const PROD_ENVS = [\"production\", \"prod-eu\"];\n"
				   "const MAX_GRANT = 8h;\n"
				   "permit ci_read_prod { }\n");
	cr_assert_eq(f->nerrors, 0);
	cr_expect(!f->is_test);
	cr_assert_str_eq(f->package, "datasets");
	cr_assert_eq(f->nitems, 3);
	cr_assert_eq(f->items[0].kind, ITEM_CONST);
	cr_expect_str_eq(f->items[0].u.c->name, "PROD_ENVS");
	cr_expect_str_eq(sexpr(f->items[0].u.c->value), "[\"production\" \"prod-eu\"]");
	cr_expect_str_eq(f->items[1].u.c->name, "MAX_GRANT");
	cr_expect_str_eq(sexpr(f->items[1].u.c->value), "28800000ms");
	cr_assert_eq(f->items[2].kind, ITEM_RULE);
	struct ast_rule *r = f->items[2].u.rule;
	cr_expect_eq(r->effect, EFFECT_PERMIT);
	cr_expect_str_eq(r->name, "ci_read_prod");
	cr_expect_eq(r->nclauses, 0);
	cr_expect(!r->principal.present && !r->action.present && !r->resource.present);
	/* Spans: the rule from 'permit' to '}', the name alone. */
	uint32_t l, c;
	src_line_col(srcset_file(&pu_src, 0), r->name_span.start, &l, &c);
	cr_expect_eq(l, 4);
	cr_expect_eq(c, 8);
	cr_expect_eq(r->name_span.end - r->name_span.start, strlen("ci_read_prod"));
}

Test(parser, no_package)
{
	struct ast_file *f = parse("forbid x {}");
	cr_assert_eq(f->nerrors, 0);
	cr_expect_null(f->package);
	cr_expect_eq(f->items[0].u.rule->effect, EFFECT_FORBID);
}

Test(parser, annotations)
{
	struct ast_file *f = parse("@owner(\"data-platform\")\n@ticket(\"SEC-1234\")\n"
				   "@expires(\"2026-12-31T00:00:00Z\")\nforbid r {}");
	cr_assert_eq(f->nerrors, 0);
	struct ast_rule *r = f->items[0].u.rule;
	cr_assert_eq(r->nannotations, 3);
	cr_expect_str_eq(r->annotations[0].name, "owner");
	cr_expect_str_eq(r->annotations[0].value, "data-platform");
	cr_expect_eq(r->annotations[0].value_len, 13);
	cr_expect_str_eq(r->annotations[2].name, "expires");
	cr_expect_str_eq(r->annotations[2].value, "2026-12-31T00:00:00Z");
	/* The rule's span starts at its first annotation. */
	cr_expect_eq(r->span.start, 0);
}

Test(parser, every_rule_clause)
{
	struct ast_file *f = parse("permit r {\n"
				   "  principal is ServiceAccount | User\n"
				   "  action in [\"read\", \"s3:GetObject\"]\n"
				   "  resource is Dataset\n"
				   "  when a\n"
				   "  unless b\n"
				   "  when c\n"
				   "}\n"
				   "forbid s { action == \"write\" }\n");
	cr_assert_eq(f->nerrors, 0);
	struct ast_rule *r = f->items[0].u.rule;
	cr_assert(r->principal.present);
	cr_assert_eq(r->principal.n, 2);
	cr_expect_str_eq(r->principal.types[0].name, "ServiceAccount");
	cr_expect_str_eq(r->principal.types[1].name, "User");
	cr_assert(r->action.present);
	cr_expect(r->action.is_in);
	cr_assert_eq(r->action.n, 2);
	cr_expect_str_eq(r->action.actions[1].name, "s3:GetObject");
	cr_assert(r->resource.present);
	cr_assert_eq(r->resource.n, 1);
	cr_expect_str_eq(r->resource.types[0].name, "Dataset");
	cr_assert_eq(r->nclauses, 3);
	cr_expect(!r->clauses[0].is_unless);
	cr_expect(r->clauses[1].is_unless);
	cr_expect(!r->clauses[2].is_unless);
	cr_expect_str_eq(sexpr(r->clauses[1].expr), "b");
	struct ast_rule *s = f->items[1].u.rule;
	cr_assert(s->action.present);
	cr_expect(!s->action.is_in);
	cr_assert_eq(s->action.n, 1);
	cr_expect_str_eq(s->action.actions[0].name, "write");
}

Test(parser, guards_are_when_operands_then_unless)
{
	struct ast_file *f = parse("permit r { unless u when a and (b or c) and d when e }");
	cr_assert_eq(f->nerrors, 0);
	struct ast_guard *g;
	size_t n = ast_rule_guards(&pu_arena, f->items[0].u.rule, &g);
	cr_assert_eq(n, 5);
	cr_expect_str_eq(sexpr(g[0].expr), "a");
	cr_expect_str_eq(sexpr(g[1].expr), "(or b c)");
	cr_expect_str_eq(sexpr(g[2].expr), "d");
	cr_expect_str_eq(sexpr(g[3].expr), "e");
	cr_expect_str_eq(sexpr(g[4].expr), "u");
	cr_expect(g[4].is_unless);
	cr_expect_eq(g[4].clause, 0);
}

/* ---- expressions ------------------------------------------------------------ */

Test(parser, precedence_table)
{
	cr_expect_str_eq(expr_of("not a == b"), "(not (== a b))");
	cr_expect_str_eq(expr_of("a or b and c"), "(or a (and b c))");
	cr_expect_str_eq(expr_of("a and b or c"), "(or (and a b) c)");
	cr_expect_str_eq(expr_of("a or b or c"), "(or (or a b) c)");
	cr_expect_str_eq(expr_of("not a and b"), "(and (not a) b)");
	cr_expect_str_eq(expr_of("-a * b"), "(* (neg a) b)");
	cr_expect_str_eq(expr_of("a + b * c"), "(+ a (* b c))");
	cr_expect_str_eq(expr_of("a * b + c"), "(+ (* a b) c)");
	cr_expect_str_eq(expr_of("a - b - c"), "(- (- a b) c)");
	cr_expect_str_eq(expr_of("a + b == c - d"), "(== (+ a b) (- c d))");
	cr_expect_str_eq(expr_of("(a or b) and c"), "(and (or a b) c)");
	cr_expect_str_eq(expr_of("-a.b"), "(neg (. a b))");
	cr_expect_str_eq(expr_of("- -1"), "(neg (neg 1))");
	cr_expect_str_eq(expr_of("not not a"), "(not (not a))");
}

Test(parser, comparisons)
{
	cr_expect_str_eq(expr_of("a == b"), "(== a b)");
	cr_expect_str_eq(expr_of("a != b"), "(!= a b)");
	cr_expect_str_eq(expr_of("a < b"), "(< a b)");
	cr_expect_str_eq(expr_of("a <= b"), "(<= a b)");
	cr_expect_str_eq(expr_of("a > b"), "(> a b)");
	cr_expect_str_eq(expr_of("a >= b"), "(>= a b)");
	cr_expect_str_eq(expr_of("a in b"), "(in a b)");
	cr_expect_str_eq(expr_of("now >= principal.window.start and now < principal.window.end"),
			 "(and (>= now (. (. principal window) start)) (< now (. (. principal window) end)))");
}

Test(parser, has_like_in)
{
	cr_expect_str_eq(expr_of("e has x"), "(has e x)");
	cr_expect_str_eq(expr_of("principal has window and principal.window.x"),
			 "(and (has principal window) (. (. principal window) x))");
	cr_expect_str_eq(expr_of("context.a.b has c"), "(has (. (. context a) b) c)");
	cr_expect_str_eq(expr_of("s like \"spiffe://*/sandbox/*\""), "(like s \"spiffe://*/sandbox/*\")");
	cr_expect_str_eq(expr_of("resource.env in PROD_ENVS"), "(in (. resource env) PROD_ENVS)");
	cr_expect_str_eq(expr_of("x in pkg.NAME"), "(in x (. pkg NAME))");
	cr_expect_str_eq(expr_of("not s like \"a\""), "(not (like s \"a\"))");
}

Test(parser, postfix_and_methods)
{
	cr_expect_str_eq(expr_of("e.m(x)"), "(call e m x)");
	cr_expect_str_eq(expr_of("S.containsAll([1, 2])"), "(call S containsAll [1 2])");
	cr_expect_str_eq(expr_of("S.isEmpty()"), "(call S isEmpty)");
	cr_expect_str_eq(expr_of("a.b.c(x, y).d"), "(. (call (. a b) c x y) d)");
	cr_expect_str_eq(expr_of("now.weekday"), "(. now weekday)");
	cr_expect_str_eq(expr_of("S.containsAny(T,)"), "(call S containsAny T)");
}

Test(parser, primaries)
{
	cr_expect_str_eq(expr_of("true"), "true");
	cr_expect_str_eq(expr_of("false"), "false");
	cr_expect_str_eq(expr_of("42"), "42");
	cr_expect_str_eq(expr_of("\"s\""), "\"s\"");
	cr_expect_str_eq(expr_of("principal"), "principal");
	cr_expect_str_eq(expr_of("action"), "action");
	cr_expect_str_eq(expr_of("resource"), "resource");
	cr_expect_str_eq(expr_of("context"), "context");
	cr_expect_str_eq(expr_of("now"), "now");
	cr_expect_str_eq(expr_of("MAX"), "MAX");
	cr_expect_str_eq(expr_of("[]"), "[]");
	cr_expect_str_eq(expr_of("[1, 2, 3,]"), "[1 2 3]");
	cr_expect_str_eq(expr_of("[\"a\"]"), "[\"a\"]");
	cr_expect_str_eq(expr_of("time(\"2026-11-22T10:00:00Z\")"), "time(\"2026-11-22T10:00:00Z\")");
	cr_expect_str_eq(expr_of("ip(\"10.0.0.0/8\")"), "ip(\"10.0.0.0/8\")");
	cr_expect_str_eq(expr_of("context.source_ip in ip(\"10.0.0.0/8\")"),
			 "(in (. context source_ip) ip(\"10.0.0.0/8\"))");
}

Test(parser, literal_kinds_and_spans)
{
	struct ast_file *f = parse("permit r { when time(\"x\") == ip(\"y\") }");
	cr_assert_eq(f->nerrors, 0);
	const struct ast_expr *e = f->items[0].u.rule->clauses[0].expr;
	cr_expect_eq(e->u.bin.lhs->kind, EX_TIME);
	cr_expect_eq(e->u.bin.rhs->kind, EX_IP);
	/* arg_span is the string literal, with its quotes. */
	cr_expect_eq(e->u.bin.lhs->u.lit.arg_span.end - e->u.bin.lhs->u.lit.arg_span.start, 3);
	/* The binary node spans both operands; op_span is the operator. */
	cr_expect_eq(e->span.start, 16);
	cr_expect_eq(e->u.bin.op_span.end - e->u.bin.op_span.start, 2);
}

Test(parser, durations)
{
	cr_expect_str_eq(expr_of("1h30m"), "5400000ms");
	cr_expect_str_eq(expr_of("250ms"), "250ms");
	cr_expect_str_eq(expr_of("90s"), "90000ms");
	cr_expect_str_eq(expr_of("7d"), "604800000ms");
	cr_expect_str_eq(expr_of("1d2h3m4s5ms"), "93784005ms");
	cr_expect_str_eq(expr_of("0s"), "0ms");
	struct ast_file *f = parse("const D = 1h30m;");
	cr_expect_str_eq(f->items[0].u.c->value->u.num.text, "1h30m");
	cr_expect(!f->items[0].u.c->value->u.num.overflow);
}

Test(parser, integer_and_duration_overflow_flags)
{
	struct ast_file *f = parse("const A = 18446744073709551616; const B = 9223372036854775807;"
				   " const C = 106751991167d; const D = 106751991168d;");
	cr_assert_eq(f->nerrors, 0);
	cr_expect(f->items[0].u.c->value->u.num.overflow);
	cr_expect(!f->items[1].u.c->value->u.num.overflow);
	cr_expect_eq(f->items[1].u.c->value->u.num.value, 9223372036854775807ull);
	cr_expect(!f->items[2].u.c->value->u.num.overflow);
	cr_expect(f->items[3].u.c->value->u.num.overflow);
}

Test(parser, records_only_in_requests)
{
	cr_expect_str_eq(expr_of("{a: 1, b: {c: \"x\"},}"), "{a: 1 b: {c: \"x\"}}");
}

/* ---- test files ---------------------------------------------------------------- */

static const char *const test_file =
	"package datasets_test;\n"
	"request ci_read {\n"
	"  principal ServiceAccount \"ci-bot\" {\n"
	"    tenant: \"acme\", revoked: false, groups: [\"deployers\"],\n"
	"    workload: { signed: true, spiffe_id: \"spiffe://acme/ci\" }\n"
	"  }\n"
	"  action \"read\"\n"
	"  resource Dataset \"sales\" { tenant: \"acme\" }\n"
	"  context { ticket: \"CHG-42\", source_ip: ip(\"10.1.2.3\") }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n"
	"}\n"
	"test \"allow\" {\n"
	"  given ci_read\n"
	"  expect allow by datasets.ci_read_prod, other\n"
	"}\n"
	"test \"revoked\" {\n"
	"  given ci_read with principal.revoked = true, context.a.b = 1\n"
	"  expect deny by datasets.revoked_keys\n"
	"}\n"
	"test \"late\" {\n"
	"  given ci_read at time(\"2026-11-22T12:00:00Z\")\n"
	"  expect deny by default\n"
	"}\n"
	"test \"no ticket\" {\n"
	"  given ci_read without context.ticket, resource.x\n"
	"  expect deny\n"
	"}\n"
	"test \"inline\" {\n"
	"  principal User \"u\"\n"
	"  action \"read\"\n"
	"  resource Dataset \"d\" {}\n"
	"  context {}\n"
	"  at time(\"2026-01-01T00:00:00Z\")\n"
	"  expect allow\n"
	"}\n";

Test(parser, named_request)
{
	struct ast_file *f = parse_n("d_test.authz", test_file, strlen(test_file));
	cr_assert_eq(f->nerrors, 0, "%s", pu_diags.n ? pu_diags.items[0]->message : "");
	cr_expect(f->is_test);
	cr_expect_str_eq(f->package, "datasets_test");
	cr_assert_eq(f->nitems, 6);
	cr_assert_eq(f->items[0].kind, ITEM_REQUEST);
	struct ast_request *r = f->items[0].u.request;
	cr_expect_str_eq(r->name, "ci_read");
	cr_expect(r->has_principal && r->has_action && r->has_resource && r->has_context);
	cr_expect_str_eq(r->principal.type.name, "ServiceAccount");
	cr_expect_str_eq(r->principal.id.name, "ci-bot");
	cr_expect_str_eq(sexpr(r->principal.attrs),
			 "{tenant: \"acme\" revoked: false groups: [\"deployers\"] "
			 "workload: {signed: true spiffe_id: \"spiffe://acme/ci\"}}");
	cr_expect_str_eq(r->action.name, "read");
	cr_expect_str_eq(r->resource.type.name, "Dataset");
	cr_expect_str_eq(r->resource.id.name, "sales");
	cr_expect_str_eq(sexpr(r->context), "{ticket: \"CHG-42\" source_ip: ip(\"10.1.2.3\")}");
	cr_assert_not_null(r->at);
	cr_expect_str_eq(sexpr(r->at), "time(\"2026-11-22T10:00:00Z\")");
}

Test(parser, tests_given_with_without_at_expect)
{
	struct ast_file *f = parse_n("d_test.authz", test_file, strlen(test_file));
	cr_assert_eq(f->nerrors, 0);
	struct ast_test *t = f->items[1].u.test;
	cr_assert_eq(f->items[1].kind, ITEM_TEST);
	cr_expect_str_eq(t->name, "allow");
	cr_expect_str_eq(t->given.name, "ci_read");
	cr_expect_null(t->inline_req);
	cr_expect(t->has_expect && t->expect_allow);
	cr_expect_eq(t->by, EXPECT_RULES);
	cr_assert_eq(t->nby_rules, 2);
	cr_expect_str_eq(t->by_rules[0].name, "datasets.ci_read_prod");
	cr_expect_str_eq(t->by_rules[1].name, "other");

	t = f->items[2].u.test;
	cr_assert_eq(t->nwiths, 2);
	cr_expect_eq(t->withs[0].path.root, VAR_PRINCIPAL);
	cr_assert_eq(t->withs[0].path.nsegs, 1);
	cr_expect_str_eq(t->withs[0].path.segs[0], "revoked");
	cr_expect_str_eq(sexpr(t->withs[0].value), "true");
	cr_expect_eq(t->withs[1].path.root, VAR_CONTEXT);
	cr_assert_eq(t->withs[1].path.nsegs, 2);
	cr_expect_str_eq(t->withs[1].path.segs[1], "b");
	cr_expect(!t->expect_allow);
	cr_expect_eq(t->by, EXPECT_RULES);

	t = f->items[3].u.test;
	cr_assert_not_null(t->at);
	cr_expect_str_eq(sexpr(t->at), "time(\"2026-11-22T12:00:00Z\")");
	cr_expect_eq(t->by, EXPECT_DEFAULT);
	cr_expect(!t->expect_allow);

	t = f->items[4].u.test;
	cr_assert_eq(t->nwithouts, 2);
	cr_expect_eq(t->withouts[0].root, VAR_CONTEXT);
	cr_expect_str_eq(t->withouts[0].segs[0], "ticket");
	cr_expect_eq(t->withouts[1].root, VAR_RESOURCE);
	cr_expect_eq(t->by, EXPECT_ANY);
}

Test(parser, inline_request_test)
{
	struct ast_file *f = parse_n("d_test.authz", test_file, strlen(test_file));
	cr_assert_eq(f->nerrors, 0);
	struct ast_test *t = f->items[5].u.test;
	cr_expect_null(t->given.name);
	cr_assert_not_null(t->inline_req);
	struct ast_request *r = t->inline_req;
	cr_expect_null(r->name);
	cr_expect_str_eq(r->principal.type.name, "User");
	cr_expect_null(r->principal.attrs);
	cr_expect_str_eq(r->resource.id.name, "d");
	cr_assert_not_null(r->resource.attrs);
	cr_expect_eq(r->resource.attrs->u.rec.n, 0);
	cr_assert_not_null(r->at);
	cr_expect_eq(r->at->kind, EX_TIME);
	cr_expect(t->expect_allow);
	cr_expect_eq(t->by, EXPECT_ANY);
}

Test(parser, with_action)
{
	struct ast_file *f = parse_test("test \"write\" {\n"
					"  given ci_read\n"
					"  with action = \"write\", principal.revoked = true\n"
					"  with action = \"delete\"\n"
					"  expect deny\n"
					"}\n");
	cr_assert_eq(f->nerrors, 0);
	struct ast_test *t = f->items[0].u.test;
	cr_assert_eq(t->nwiths, 3);
	/* The action is a path of no segments rooted at 'action'. */
	cr_expect_eq(t->withs[0].path.root, VAR_ACTION);
	cr_expect_eq(t->withs[0].path.nsegs, 0);
	cr_expect_str_eq(sexpr(t->withs[0].value), "\"write\"");
	uint32_t l, c;
	src_line_col(srcset_file(&pu_src, t->withs[0].span.file), t->withs[0].span.start, &l, &c);
	cr_expect(l == 3 && c == 8, "with action at %u:%u", l, c);
	cr_expect_eq(t->withs[1].path.root, VAR_PRINCIPAL);
	cr_expect_eq(t->withs[2].path.root, VAR_ACTION);
	cr_expect_str_eq(sexpr(t->withs[2].value), "\"delete\"");
	/* Any expression parses; the checker wants a string literal. */
	f = parse_test("test \"t\" { given r with action = write expect deny }");
	cr_expect_eq(f->nerrors, 0);
	/* An action cannot be removed. */
	parse_test("test \"t\" { given r without action expect deny }");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_BAD_PATH, "the action cannot be removed", 1, 28);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "every request has one; change it with 'with action = \"name\"'");
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = arena_alloc(&pu_arena, hl + ul * n + tl + 1);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	return s;
}

/* repeat() allocates from pu_arena, which parse() resets: copy first. */
static struct ast_file *parse_repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	struct arena tmp = ARENA_INIT;
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = arena_alloc(&tmp, hl + ul * n + tl + 1);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	struct ast_file *f = parse_n("p.authz", s, strlen(s));
	arena_free(&tmp);
	return f;
}

/* ---- syntax errors ------------------------------------------------------------------ */

Test(parser, syntax_error_message_and_position)
{
	struct ast_file *f = parse("permit r {\n  when a ==\n}\n");
	cr_expect_eq(f->nerrors, 1);
	expect_diag_at(0, E_SYNTAX, "unexpected '}', expected an expression", 3, 1);
}

Test(parser, syntax_error_expected_identifier)
{
	parse("forbid { }");
	expect_diag_at(0, E_SYNTAX, "unexpected '{', expected identifier", 1, 8);
}

Test(parser, syntax_error_unexpected_token_text)
{
	parse("package 42;");
	expect_diag_at(0, E_SYNTAX, "unexpected integer '42', expected identifier", 1, 9);
	parse("permit r { principal is \"User\" }");
	expect_diag_at(0, E_SYNTAX, "unexpected string '\"User\"', expected identifier", 1, 25);
	parse("permit r { when a }\npermit");
	expect_diag_at(0, E_SYNTAX, "unexpected end of file, expected identifier", 2, 7);
}

Test(parser, comparisons_do_not_chain)
{
	parse("permit r { when a < b < c }");
	cr_assert_eq(pu_diags.n, 1);
	cr_expect_eq(pu_diags.items[0]->code, E_SYNTAX);
	cr_expect_eq(strncmp(pu_diags.items[0]->message, "unexpected '<', expected ", 25), 0);
	expect_diag_at(0, E_SYNTAX, pu_diags.items[0]->message, 1, 23);
	cr_assert_not_null(pu_diags.items[0]->help);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "comparisons do not chain: write 'a < b and b < c', or add parentheses");
	parse("permit r { when a has b == c }");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_SYNTAX, "unexpected '==' after 'has': comparisons do not chain", 1, 25);
	cr_expect_str_eq(pu_diags.items[0]->help, "add parentheses, or join the comparisons with 'and'");
	parse("permit r { when a has b has c }");
	expect_diag_at(0, E_SYNTAX, "unexpected 'has' after 'has': comparisons do not chain", 1, 25);
	parse("permit r { when a has b /* ) */ in c }");
	expect_diag_at(0, E_SYNTAX, "unexpected 'in' after 'has': comparisons do not chain", 1, 33);
	parse("permit r { when a has b like \"x\" }");
	cr_expect_eq(pu_diags.n, 1);
	/* The other way round bison itself refuses. */
	parse("permit r { when a == b has c }");
	expect_diag_at(0, E_SYNTAX, pu_diags.items[0]->message, 1, 24);
	/* Parentheses make it fine. */
	cr_expect_str_eq(expr_of("(a has b) == c"), "(== (has a b) c)");
	cr_expect_str_eq(expr_of("( a has b // x )\n ) == c"), "(== (has a b) c)");
	cr_expect_str_eq(expr_of("a == (b has c)"), "(== a (has b c))");
}

Test(parser, recovery_reports_every_error)
{
	struct ast_file *f = parse("permit a { when x == }\n"
				   "const = 3;\n"
				   "permit ok { when true }\n"
				   "forbid b { principal is }\n"
				   "permit ok2 { }\n");
	cr_expect_eq(f->nerrors, 3);
	cr_assert_eq(pu_diags.n, 3);
	expect_diag_at(0, E_SYNTAX, "unexpected '}', expected an expression", 1, 22);
	expect_diag_at(1, E_SYNTAX, "unexpected '=', expected identifier", 2, 7);
	expect_diag_at(2, E_SYNTAX, "unexpected '}', expected identifier", 4, 25);
	/* The sound items are kept. */
	size_t rules = 0;
	for (size_t i = 0; i < f->nitems; i++)
		if (f->items[i].kind == ITEM_RULE)
			rules++;
	cr_expect_eq(rules, 2);
	cr_expect_str_eq(f->items[f->nitems - 1].u.rule->name, "ok2");
}

Test(parser, too_many_errors_stop_at_the_cap)
{
	struct ast_file *f = parse_repeat("", "const = 1;\n", 80, "");
	cr_expect_eq(f->nerrors, PARSE_MAX_ERRORS);
	cr_assert_eq(pu_diags.n, PARSE_MAX_ERRORS + 1);
	expect_diag_at(PARSE_MAX_ERRORS, E_LIMIT, "too many errors in this file; stopped after 50", 51, 7);
}

Test(parser, package_misplaced_and_twice)
{
	parse("permit r {}\npackage p;\n");
	expect_diag_at(0, E_PACKAGE, "'package' must come before every other declaration", 2, 1);
	parse("package p;\npackage q;\n");
	expect_diag_at(0, E_PACKAGE, "a second package declaration", 2, 1);
}

Test(parser, duplicate_scope_clause)
{
	struct ast_file *f = parse("permit r {\n principal is A\n principal is B\n}");
	cr_expect_eq(f->nerrors, 1);
	expect_diag_at(0, E_DUP_CLAUSE, "rule 'r' has a second 'principal' clause", 3, 2);
	cr_expect_str_eq(pu_diags.items[0]->help, "list every allowed value in one clause: is A | B");
	parse("permit r { action == \"a\" action in [\"b\"] }");
	expect_diag_at(0, E_DUP_CLAUSE, "rule 'r' has a second 'action' clause", 1, 26);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "list every allowed value in one clause: action in [\"a\", \"b\"]");
}

Test(parser, unknown_function_and_non_literal_argument)
{
	parse("permit r { when date(\"x\") }");
	expect_diag_at(0, E_SYNTAX, "unknown function 'date'", 1, 17);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "the functions are time(\"RFC 3339\") and ip(\"address[/prefix]\")");
	parse("permit r { when time(x) }");
	expect_diag_at(0, E_NOT_LITERAL, "time() takes one string literal", 1, 22);
	parse("permit r { when ip() }");
	expect_diag_at(0, E_NOT_LITERAL, "ip() takes one string literal", 1, 17);
}

Test(parser, test_file_errors)
{
	parse_test("test \"t\" { expect allow }");
	expect_diag_at(0, E_INCOMPLETE_REQ, "test has no request: write 'given NAME' or an inline request", 1, 6);
	parse_test("test \"t\" { given r }");
	expect_diag_at(0, E_SYNTAX, "test has no 'expect allow' or 'expect deny'", 1, 6);
	parse_test("test \"t\" { given r given s expect deny }");
	expect_diag_at(0, E_SYNTAX, "a test has one 'given'", 1, 20);
	parse_test("test \"t\" { given r expect deny expect allow }");
	expect_diag_at(0, E_SYNTAX, "a test has one 'expect'", 1, 32);
	parse_test("test \"t\" { given r at time(\"a\") at time(\"b\") expect deny }");
	expect_diag_at(0, E_SYNTAX, "'at' given twice in one test", 1, 33);
	parse_test("test \"t\" { given r action \"a\" expect deny }");
	expect_diag_at(0, E_SYNTAX, "a test uses either 'given NAME' or an inline request, not both", 1, 18);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "to change the action of 'r', write 'with action = \"a\"'");
	parse_test("test \"t\" { given r principal User \"u\" expect deny }");
	expect_diag_at(0, E_SYNTAX, "a test uses either 'given NAME' or an inline request, not both", 1, 18);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "change 'r' with 'with action = \"name\"', 'with principal.ATTR = value' or "
			 "'without PATH', or write the whole request inline without 'given'");
	parse_test("test \"t\" { action \"a\" with action = \"b\" expect deny }");
	expect_diag_at(0, E_SYNTAX, "'with' and 'without' change a 'given' request", 1, 1);
	cr_expect_str_eq(pu_diags.items[0]->help,
			 "write the values in the inline request, or declare it with "
			 "'request NAME { ... }' and start the test with 'given NAME'");
	parse_test("request q { action \"a\" action \"b\" }");
	expect_diag_at(0, E_SYNTAX, "'action' given twice in one request", 1, 24);
	parse_test("test \"t\" { expect deny by }");
	cr_expect(has_diag(E_SYNTAX));
}

/* ---- hostile input -------------------------------------------------------------------- */

Test(parser, hundred_thousand_parentheses)
{
	struct ast_file *f = parse_repeat("permit r { when ", "(", 100000, "true }");
	cr_expect_eq(f->nerrors, 1);
	/* The rule's '{' counts: the 256th bracket is the 255th '('. */
	expect_diag_at(0, E_TOO_DEEP, "brackets nested more than 256 deep", 1, 16 + 256);
	f = parse_repeat("permit r { when ", "(", 100000, "true");
	cr_expect_eq(f->nerrors, 1);
	(void)repeat;
}

Test(parser, hundred_thousand_operand_and_chain)
{
	struct ast_file *f = parse_repeat("permit r { when true", " and true", 100000, " }\npermit s { when ( }");
	cr_expect_eq(f->nerrors, 2);
	expect_diag_at(0, E_TOO_DEEP, "expression nested more than 256 deep; split it into several clauses", 1, 17);
	/* Parsing goes on after it. */
	expect_diag_at(1, E_SYNTAX, "unexpected '}', expected an expression", 2, 19);
}

Test(parser, long_chains_of_every_operator)
{
	static const char *const units[] = { " or x", " + 1", " * 1", ".a", " - 1" };
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		struct ast_file *f = parse_repeat("permit r { when x", units[i], 100000, " }");
		cr_expect_eq(f->nerrors, 1, "'%s' chain: %zu errors", units[i], f->nerrors);
		cr_expect(has_diag(E_TOO_DEEP), "'%s' chain", units[i]);
	}
}

Test(parser, deep_prefix_operators)
{
	static const char *const units[] = { "not ", "-", "[", "{a: " };
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		struct ast_file *f = parse_repeat("permit r { when ", units[i], 100000, "1 }");
		cr_expect_geq(f->nerrors, 1, "'%s' prefix", units[i]);
		cr_expect(has_diag(E_TOO_DEEP), "'%s' prefix", units[i]);
	}
	/* Just under the limit is fine. */
	struct ast_file *f = parse_repeat("permit r { when ", "not ", 200, "true }");
	cr_expect_eq(f->nerrors, 0);
	f = parse_repeat("permit r { when true", " and true", 200, " }");
	cr_expect_eq(f->nerrors, 0);
}
