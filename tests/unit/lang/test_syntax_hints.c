/*
 * test_syntax_hints.c: syntax errors that name their cause (authzc(1),
 * DIAGNOSTICS): an unclosed bracket and where it opened (E0012), the
 * operators of other languages with the authz spelling (E0013), and the
 * list of expected tokens, which keeps a closing bracket when it is cut.
 */
#include "parse_util.h"
#include "parse_ctx.h"

#include <stdlib.h>

/* Assert that diagnostic i has one note, at line:col, saying `msg`. */
static void expect_note(size_t i, uint32_t line, uint32_t col, const char *msg)
{
	cr_assert_lt(i, pu_diags.n);
	struct diag *d = pu_diags.items[i];
	cr_assert_eq(d->nnotes, 1, "'%s' has %zu notes", d->message, d->nnotes);
	cr_expect_str_eq(d->notes[0].message, msg);
	uint32_t l, c;
	src_line_col(srcset_file(&pu_src, d->notes[0].span.file), d->notes[0].span.start, &l, &c);
	cr_expect_eq(l, line, "note of '%s' at line %u, expected %u", d->message, l, line);
	cr_expect_eq(c, col, "note of '%s' at column %u, expected %u", d->message, c, col);
}

static void expect_help(size_t i, const char *help)
{
	cr_assert_lt(i, pu_diags.n);
	cr_assert_not_null(pu_diags.items[i]->help, "no help for '%s'", pu_diags.items[i]->message);
	cr_expect_str_eq(pu_diags.items[i]->help, help);
}

static size_t count_rules(const struct ast_file *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nitems; i++)
		n += f->items[i].kind == ITEM_RULE;
	return n;
}

/* ---- E0012: unclosed brackets ----------------------------------------------------- */

Test(syntax_hints, unclosed_rule_before_the_next_rule)
{
	struct ast_file *f = parse("package p;\n"
				   "\n"
				   "permit r1 {\n"
				   "  principal is User\n"
				   "  when principal.a == 1\n"
				   "\n"
				   "@owner(\"x\")\n"
				   "permit r2 {\n"
				   "  when true\n"
				   "}\n");
	cr_expect_eq(f->nerrors, 1);
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_UNCLOSED, "unclosed '{' of rule 'r1': expected '}' before '@'", 7, 1);
	expect_note(0, 3, 11, "'{' opened here");
	expect_help(0, "add '}' at the end of rule 'r1'");
	/* The next rule parses as if r1 were closed; r1 itself is dropped. */
	cr_assert_eq(count_rules(f), 1);
	cr_expect_str_eq(f->items[0].u.rule->name, "r2");
	cr_expect_eq(f->items[0].u.rule->nannotations, 1);
}

Test(syntax_hints, unclosed_rule_then_errors_of_the_next_rule_are_reported)
{
	struct ast_file *f = parse("permit r1 {\n  when true\n"
				   "forbid r2 {\n  when a ==\n}\n"
				   "permit r3 { when true }\n");
	cr_expect_eq(f->nerrors, 2);
	expect_diag_at(0, E_UNCLOSED, "unclosed '{' of rule 'r1': expected '}' before 'forbid'", 3, 1);
	expect_diag_at(1, E_SYNTAX, "unexpected '}', expected an expression", 5, 1);
	cr_assert_eq(count_rules(f), 1);
	cr_expect_str_eq(f->items[0].u.rule->name, "r3");
}

Test(syntax_hints, unclosed_rule_at_end_of_file)
{
	parse("permit broken {\n  when principal.a == 1\n");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_UNCLOSED, "unclosed '{' of rule 'broken': expected '}' before end of file",
		       3, 1);
	expect_note(0, 1, 15, "'{' opened here");
	expect_help(0, "add '}' at the end of rule 'broken'");
}

Test(syntax_hints, unclosed_test_and_request)
{
	struct ast_file *f = parse_test("request q {\n  action \"read\"\n"
					"test \"first\" {\n  given q\n  expect allow\n"
					"test \"second\" {\n  given q\n  expect deny\n}\n");
	cr_expect_eq(f->nerrors, 2);
	expect_diag_at(0, E_UNCLOSED, "unclosed '{' of request 'q': expected '}' before 'test'", 3, 1);
	expect_note(0, 1, 11, "'{' opened here");
	expect_help(0, "add '}' at the end of request 'q'");
	expect_diag_at(1, E_UNCLOSED,
		       "unclosed '{' of test \"first\": expected '}' before 'test'", 6, 1);
	expect_note(1, 3, 14, "'{' opened here");
	expect_help(1, "add '}' at the end of test \"first\"");
	cr_assert_eq(f->nitems, 1);
	cr_expect_str_eq(f->items[0].u.test->name, "second");
}

Test(syntax_hints, unclosed_record_before_the_next_part)
{
	parse_test("request q {\n"
		   "  principal User \"u\" { tenant: \"acme\", mfa: true\n"
		   "  action \"read\"\n"
		   "}\n");
	expect_diag_at(0, E_UNCLOSED, "unclosed '{': expected '}' before 'action'", 3, 3);
	expect_note(0, 2, 22, "'{' opened here");
	expect_help(0, "add the missing '}'");
	/* A keyword inside the line is a missing comma or operator, not this. */
	parse_test("request q {\n  principal User \"u\" { tenant: \"acme\" action: 1 }\n}\n");
	expect_diag_at(0, E_SYNTAX, "unexpected 'action', expected '}', ',', 'in', 'has', 'like', "
		       "'and', ...", 2, 39);
}

Test(syntax_hints, unclosed_parenthesis_and_list)
{
	parse("permit r {\n  when (principal.a == 1\n  unless principal.b\n}\n");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_UNCLOSED, "unclosed '(': expected ')' before 'unless'", 3, 3);
	expect_note(0, 2, 8, "'(' opened here");
	expect_help(0, "add the missing ')'");
	/* A closer of another kind skips the bracket it leaves open. */
	parse("permit r {\n  when principal.a in [1, 2\n}\npermit s { when true }\n");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_UNCLOSED, "unclosed '[': expected ']' before '}'", 3, 1);
	expect_note(0, 2, 23, "'[' opened here");
	parse("permit r { when a and (b or [c, (d }");
	expect_diag_at(0, E_UNCLOSED, "unclosed '(': expected ')' before '}'", 1, 36);
	expect_note(0, 1, 33, "'(' opened here");
}

Test(syntax_hints, other_errors_keep_their_message)
{
	/* The closing brace is there: the problem is the missing operand. */
	parse("permit r {\n  when a ==\n}\n");
	expect_diag_at(0, E_SYNTAX, "unexpected '}', expected an expression", 3, 1);
	/* Brace open, but '}' cannot come here: say what can. */
	parse("permit r {\n  when a ==\npermit s {}\n");
	expect_diag_at(0, E_SYNTAX, "unexpected 'permit', expected an expression", 3, 1);
	/* A stray closer. */
	parse("permit r { when a ) }");
	cr_expect_eq(pu_diags.items[0]->code, E_SYNTAX);
	cr_expect_eq(strncmp(pu_diags.items[0]->message, "unexpected ')', expected ", 25), 0);
}

Test(syntax_hints, stray_closer_says_to_remove_it)
{
	/* One '}' too many after a rule: nothing is open, so it goes. */
	parse("permit r {\n  when a\n}\n}\npermit s { when b }\n");
	cr_assert_eq(pu_diags.n, 1);
	cr_expect_eq(pu_diags.items[0]->code, E_SYNTAX);
	cr_expect_eq(strncmp(pu_diags.items[0]->message, "unexpected '}', expected ", 25), 0);
	expect_diag_at(0, E_SYNTAX, pu_diags.items[0]->message, 4, 1);
	expect_help(0, "no '{' is open here: remove this '}'");
	/* A ')' with a '{' open but no '('. */
	parse("permit r { when a ) }");
	expect_help(0, "no '(' is open here: remove this ')'");
	/* A closer that matches an open bracket is not stray, even when it
	 * cannot come where it is. */
	parse("permit r {\n  when a ==\n}\n");
	cr_expect_null(pu_diags.items[0]->help);
}

Test(syntax_hints, with_action_without_equals)
{
	parse_test("test \"t\" {\n  given q\n  with action \"write\"\n  expect deny\n}\n");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_SYNTAX, "unexpected string '\"write\"', expected '='", 3, 15);
	expect_help(0, "change the action with 'with action = \"write\"'");
	parse_test("test \"t\" {\n  given q\n  with action == \"write\"\n  expect deny\n}\n");
	expect_diag_at(0, E_SYNTAX, "unexpected '==', expected '='", 3, 15);
	expect_help(0, "change the action with 'with action = \"name\"'");
}

Test(syntax_hints, expected_list_keeps_the_closing_brace)
{
	/* More than six tokens could come: the list is cut, but not '}'. */
	parse("permit r {\n  when a b\n}\n");
	expect_diag_at(0, E_SYNTAX,
		       "unexpected identifier 'b', expected '}', 'principal', 'action', 'resource', "
		       "'when', 'unless', ...", 2, 10);
	/* A list short enough keeps its order. */
	parse("permit r { principal is }");
	expect_diag_at(0, E_SYNTAX, "unexpected '}', expected identifier", 1, 25);
}

Test(syntax_hints, missing_comma)
{
	parse_test("request q {\n  principal User \"u\" { a: 1 b: 2 }\n  action \"read\"\n}\n");
	cr_assert_eq(pu_diags.n, 1);
	expect_diag_at(0, E_SYNTAX, "unexpected identifier 'b', expected '}', ',', 'in', 'has', "
		       "'like', 'and', ...", 2, 29);
	expect_help(0, "separate the items of a list or record with ','");
	parse("permit r { action in [\"a\" \"b\"] }");
	expect_diag_at(0, E_SYNTAX, "unexpected string '\"b\"', expected ']' or ','", 1, 27);
	expect_help(0, "separate the items of a list or record with ','");
}

Test(syntax_hints, brackets_nested_to_the_limit)
{
	/* The open-bracket stack holds exactly the nesting limit. */
	char buf[2 * 256 + 64];
	size_t n = (size_t)snprintf(buf, sizeof buf, "permit r { when ");
	for (int i = 0; i < 255; i++)
		buf[n++] = '(';
	n += (size_t)snprintf(buf + n, sizeof buf - n, "true");
	for (int i = 0; i < 255; i++)
		buf[n++] = ')';
	buf[n] = 0;
	struct ast_file *f = parse_n("p.authz", buf, n);
	cr_expect_eq(f->nerrors, 1);
	expect_diag_at(0, E_UNCLOSED, "unclosed '{' of rule 'r': expected '}' before end of file",
		       1, (uint32_t)n + 1);
}

/* ---- E0013: operators of other languages --------------------------------------------- */

Test(syntax_hints, foreign_logic_operators)
{
	struct ast_file *f = parse("permit r {\n"
				   "  when principal.a == 1 || principal.b\n"
				   "  when x && y\n"
				   "  when !principal.c\n"
				   "  when principal.d = \"x\"\n"
				   "}\n");
	cr_expect_eq(f->nerrors, 4);
	cr_assert_eq(pu_diags.n, 4);
	expect_diag_at(0, E_FOREIGN_OP, "unknown operator '||'", 2, 25);
	expect_help(0, "use 'or': 'principal.a == 1 or principal.b'");
	expect_diag_at(1, E_FOREIGN_OP, "unknown operator '&&'", 3, 10);
	expect_help(1, "use 'and': 'x and y'");
	expect_diag_at(2, E_FOREIGN_OP, "unknown operator '!'", 4, 8);
	expect_help(2, "use 'not': 'not principal.c'");
	expect_diag_at(3, E_FOREIGN_OP, "'=' is not a comparison", 5, 20);
	expect_help(3, "use '==': 'principal.d == \"x\"'");
	/* Each is read as what it stands for: one error, no cascade. */
	cr_assert_eq(count_rules(f), 1);
	const struct ast_rule *r = f->items[0].u.rule;
	cr_assert_eq(r->nclauses, 4);
	cr_expect_str_eq(sexpr(r->clauses[0].expr), "(or (== (. principal a) 1) (. principal b))");
	cr_expect_str_eq(sexpr(r->clauses[1].expr), "(and x y)");
	cr_expect_str_eq(sexpr(r->clauses[2].expr), "(not (. principal c))");
	cr_expect_str_eq(sexpr(r->clauses[3].expr), "(== (. principal d) \"x\")");
}

Test(syntax_hints, foreign_operators_keep_precedence)
{
	struct ast_file *f = parse("permit r { when a || b && !c }");
	cr_expect_eq(f->nerrors, 3);
	cr_expect_str_eq(sexpr(f->items[0].u.rule->clauses[0].expr), "(or a (and b (not c)))");
	/* The help shows the operands as written, parentheses and all. */
	parse("permit r { when (a or b) || c }");
	expect_help(0, "use 'or': '(a or b) or c'");
	/* ... unless they hold another slip, are long or span lines. */
	parse("permit r { when a || b || c }");
	expect_help(0, "use 'or': 'a or b'");
	expect_help(1, "use 'or': 'a or b'");
	parse("permit r { when a ||\n b }");
	expect_help(0, "use 'or': 'a or b'");
	parse("permit r { when !(a = 1) }");
	expect_help(0, "use '==': 'a == 1'");
	expect_help(1, "use 'not': 'not a'");
	parse("permit r { when principal.attribute_with_a_long_name = \"a value that is long too\" }");
	expect_help(0, "use '==': 'a == b'");
}

Test(syntax_hints, javascript_strict_equality)
{
	parse("permit r { when a === 1 and b !== 2 }");
	cr_assert_eq(pu_diags.n, 2);
	expect_diag_at(0, E_FOREIGN_OP, "unknown operator '==='", 1, 19);
	expect_help(0, "use '==': 'a == b' (it never converts types)");
	expect_diag_at(1, E_FOREIGN_OP, "unknown operator '!=='", 1, 31);
	expect_help(1, "use '!=': 'a != b' (it never converts types)");
}

Test(syntax_hints, authz_operators_are_untouched)
{
	cr_expect_str_eq(expr_of("a != b"), "(!= a b)");
	cr_expect_str_eq(expr_of("a == b or not c"), "(or (== a b) (not c))");
	struct ast_file *f = parse("const A = 1;\npermit r { when A <= 2 and A >= 0 }");
	cr_expect_eq(f->nerrors, 0);
	f = parse_test("test \"t\" { given q with principal.a = 1 expect deny }");
	cr_expect_eq(f->nerrors, 0);
}

Test(syntax_hints, foreign_operators_are_never_expected)
{
	parse("permit r {\n  when a b\n}\n");
	const char *m = pu_diags.items[0]->message;
	cr_expect_null(strstr(m, "'||'"), "%s", m);
	cr_expect_null(strstr(m, "'&&'"), "%s", m);
	cr_expect_null(strstr(m, "'='"), "%s", m);
	cr_expect_null(strstr(m, "'!'"), "%s", m);
	/* Where '=' belongs, it is named. */
	parse("const A 1;");
	expect_diag_at(0, E_SYNTAX, "unexpected integer '1', expected '='", 1, 9);
	parse_test("test \"t\" { given q with principal.a 1 expect deny }");
	expect_diag_at(0, E_SYNTAX, "unexpected integer '1', expected '.' or '='", 1, 37);
}

Test(syntax_hints, hundred_thousand_foreign_operators)
{
	static const char *const units[] = { "!", " || x", " && x", " = x" };
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		size_t ul = strlen(units[i]), n = 100000;
		char *s = malloc(32 + ul * n);
		cr_assert_not_null(s);
		size_t len = (size_t)sprintf(s, "permit r { when x");
		if (units[i][0] == '!')
			len = (size_t)sprintf(s, "permit r { when ");
		for (size_t k = 0; k < n; k++, len += ul)
			memcpy(s + len, units[i], ul);
		len += (size_t)sprintf(s + len, "%s }", units[i][0] == '!' ? "x" : "");
		struct ast_file *f = parse_n("p.authz", s, len);
		free(s);
		/* Stopped at the cap of errors per file, or at the nesting
		 * limit ('!' nests), or at the second '=' (it does not chain). */
		if (i == 0)
			cr_expect(has_diag(E_TOO_DEEP));
		else if (i < 3)
			cr_expect_eq(f->nerrors, PARSE_MAX_ERRORS, "'%s': %zu errors", units[i],
				     f->nerrors);
		else
			cr_expect_eq(f->nerrors, 1);
	}
}
