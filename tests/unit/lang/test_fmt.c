/*
 * test_fmt.c: the canonical layout (compiler/lang/fmt.c), comment placement, and
 * the proofs: AST equality and idempotence on every example and on
 * deliberately ugly inputs.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static struct arena A = ARENA_INIT;

static void teardown(void)
{
	arena_free(&A);
}

TestSuite(fmt, .fini = teardown);

/* Format `in` (named `name`) through fmt_source; NULL unless FMT_OK. */
static char *fmt_named(const char *name, const char *in, enum fmt_status *st)
{
	struct srcset src;
	struct diag_list d;
	srcset_init(&src, &A);
	diag_list_init(&d, &A);
	uint32_t id = srcset_add(&src, name, in, strlen(in));
	char *out = NULL;
	size_t len = 0;
	*st = fmt_source(&A, &src, id, &d, &out, &len);
	if (*st != FMT_OK)
		return NULL;
	cr_assert_eq(strlen(out), len, "formatted text holds a NUL byte");
	return out;
}

static char *fmt(const char *in)
{
	enum fmt_status st;
	char *out = fmt_named("p.authz", in, &st);
	cr_assert_eq(st, FMT_OK, "fmt_source failed (%d) on:\n%s", st, in);
	return out;
}

#define expect_fmt(in, want)                                                          \
	do {                                                                           \
		char *got_ = fmt(in);                                                   \
		cr_assert_str_eq(got_, want, "input:\n%s\n--- got:\n%s--- want:\n%s",  \
				 in, got_, want);                                        \
	} while (0)

/* Canonical text is a fixed point. */
#define expect_same(in) expect_fmt(in, in)

/* No line ends in a blank; the text ends in exactly one newline. */
static void assert_clean(const char *out)
{
	size_t n = strlen(out);
	if (!n)
		return;
	cr_assert_eq(out[n - 1], '\n', "no final newline:\n%s", out);
	cr_assert(n < 2 || out[n - 2] != '\n', "blank line at the end:\n%s", out);
	for (size_t i = 0; i + 1 < n; i++)
		cr_assert(!(out[i + 1] == '\n' && (out[i] == ' ' || out[i] == '\t')),
			  "trailing blank at byte %zu:\n%s", i, out);
}

static size_t count(const char *hay, const char *needle)
{
	size_t k = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		k++;
	return k;
}

/* ---- layout ------------------------------------------------------------------ */

Test(fmt, package_first_then_blank_line)
{
	expect_fmt("package   p ;const X=1;", "package p;\n\nconst X = 1;\n");
}

Test(fmt, blank_lines_between_items_collapse_to_one)
{
	expect_fmt("const A = 1;\n\n\n\nconst B = 2;const C = 3;\n",
		   "const A = 1;\n\nconst B = 2;\n\nconst C = 3;\n");
}

Test(fmt, no_blank_lines_inside_rules)
{
	expect_fmt("permit r {\n\n  principal is User\n\n\n  when a\n\n}\n",
		   "permit r {\n  principal is User\n  when a\n}\n");
}

Test(fmt, annotations_one_per_line)
{
	expect_fmt("@owner(\"x\") @ticket( \"T-1\" ) permit r { }",
		   "@owner(\"x\")\n@ticket(\"T-1\")\npermit r {\n}\n");
}

Test(fmt, clauses_in_canonical_order)
{
	expect_fmt("forbid r { unless u1 when w1 resource is D action == \"a\" unless u2 "
		   "principal is U when w2 }",
		   "forbid r {\n  principal is U\n  action == \"a\"\n  resource is D\n"
		   "  when w1\n  when w2\n  unless u1\n  unless u2\n}\n");
}

Test(fmt, action_keeps_its_form)
{
	expect_fmt("permit r { action==\"a\" }", "permit r {\n  action == \"a\"\n}\n");
	expect_fmt("permit r { action in [ \"a\" ] }", "permit r {\n  action in [\"a\"]\n}\n");
	expect_fmt("permit r { action in [\"a\",\"s3:Get\"] }",
		   "permit r {\n  action in [\"a\", \"s3:Get\"]\n}\n");
}

Test(fmt, type_lists)
{
	expect_fmt("permit r { principal is A|B |C }", "permit r {\n  principal is A | B | C\n}\n");
}

Test(fmt, short_and_chain_stays_on_one_line)
{
	expect_same("permit r {\n  when a and b and principal.x == 1\n}\n");
}

Test(fmt, long_when_breaks_before_each_and)
{
	const char *in =
		"permit r { when principal.aaaaaaaaaaaaaaaaaaaa == resource.bbbbbbbbbbbbbbbbbbbbbb "
		"and principal.cccccccccccccccccccc == resource.dddddddddddddddddddd and (e or f) }";
	expect_fmt(in, "permit r {\n"
		       "  when principal.aaaaaaaaaaaaaaaaaaaa == resource.bbbbbbbbbbbbbbbbbbbbbb\n"
		       "   and principal.cccccccccccccccccccc == resource.dddddddddddddddddddd\n"
		       "   and (e or f)\n"
		       "}\n");
	/* Only a top-level `and` chain breaks: a long `or` stays on its line. */
	const char *or = "permit r {\n  when principal.aaaaaaaaaaaaaaaaaaaa == resource.bbbbbbbbbbbbbbbbbbbbbb"
			 " or principal.cccccccccccccccccccc == resource.dddddddddddddddddddd\n}\n";
	expect_same(or);
}

Test(fmt, long_chain_breaks_every_operand_and_unless_aligns)
{
	const char *in =
		"permit r { unless principal.aaaaaaaaaaaaaaaaaaaa and resource.bbbbbbbbbbbbbbbbbbbbbb "
		"and principal.cccccccccccccccccccc and (x or y) }";
	expect_fmt(in, "permit r {\n"
		       "  unless principal.aaaaaaaaaaaaaaaaaaaa\n"
		       "     and resource.bbbbbbbbbbbbbbbbbbbbbb\n"
		       "     and principal.cccccccccccccccccccc\n"
		       "     and (x or y)\n"
		       "}\n");
}

Test(fmt, exactly_100_columns_fits)
{
	/* "  when a and " is 13 columns; 87 more make 100. */
	char b[128];
	memset(b, 'b', 88);
	b[87] = 0;
	char in[256];
	snprintf(in, sizeof in, "permit r {\n  when a and %s\n}\n", b);
	cr_assert_eq(strchr(in + 11, '\n') - (in + 11), 100);
	expect_same(in);
	b[87] = 'b';
	b[88] = 0;
	snprintf(in, sizeof in, "permit r {\n  when a and %s\n}\n", b);
	char *out = fmt(in);
	cr_assert(strstr(out, "  when a\n   and bbb"), "101 columns must break:\n%s", out);
}

Test(fmt, parentheses_only_where_needed)
{
	expect_fmt("permit r { when ((a)) and (b) }", "permit r {\n  when a and b\n}\n");
	expect_fmt("permit r { when (a == b) == c }", "permit r {\n  when (a == b) == c\n}\n");
	expect_fmt("permit r { when a == (b == c) }", "permit r {\n  when a == (b == c)\n}\n");
	expect_fmt("permit r { when x == a - (b - c) }", "permit r {\n  when x == a - (b - c)\n}\n");
	expect_fmt("permit r { when x == (a - b) - c }", "permit r {\n  when x == a - b - c\n}\n");
	expect_fmt("permit r { when x == (a + b) * c }", "permit r {\n  when x == (a + b) * c\n}\n");
	expect_fmt("permit r { when x == a + (b * c) }", "permit r {\n  when x == a + b * c\n}\n");
	expect_fmt("permit r { when not (a and b) }", "permit r {\n  when not (a and b)\n}\n");
	expect_fmt("permit r { when (not a) and b }", "permit r {\n  when not a and b\n}\n");
	expect_fmt("permit r { when not (a == b) }", "permit r {\n  when not a == b\n}\n");
	expect_fmt("permit r { when (not a) == b }", "permit r {\n  when (not a) == b\n}\n");
	expect_fmt("permit r { when a or (b and c) }", "permit r {\n  when a or b and c\n}\n");
	expect_fmt("permit r { when (a or b) and c }", "permit r {\n  when (a or b) and c\n}\n");
	expect_fmt("permit r { when a and (b and c) }", "permit r {\n  when a and (b and c)\n}\n");
	expect_fmt("permit r { when x == -(a + b) }", "permit r {\n  when x == -(a + b)\n}\n");
	expect_fmt("permit r { when x == -(-a) }", "permit r {\n  when x == - -a\n}\n");
	expect_fmt("permit r { when x == (-a).b }", "permit r {\n  when x == (-a).b\n}\n");
	expect_fmt("permit r { when x == -(a.b) }", "permit r {\n  when x == -a.b\n}\n");
	expect_fmt("permit r { when (a + b).c }", "permit r {\n  when (a + b).c\n}\n");
	expect_fmt("permit r { when (a has b) == c }", "permit r {\n  when (a has b) == c\n}\n");
	expect_fmt("permit r { when (a).b has c }", "permit r {\n  when a.b has c\n}\n");
	expect_fmt("permit r { when (s like \"x\") == c }", "permit r {\n  when (s like \"x\") == c\n}\n");
	expect_fmt("permit r { when (x in S) in T }", "permit r {\n  when (x in S) in T\n}\n");
	expect_fmt("permit r { when (S).containsAll([1]) }",
		   "permit r {\n  when S.containsAll([1])\n}\n");
	expect_fmt("permit r { when x == a + (not b) }", "permit r {\n  when x == a + (not b)\n}\n");
}

Test(fmt, strings_are_reescaped)
{
	expect_fmt("const S = \"a\\\"b\\\\c\\nd\\te\\u{41}\\u{1}\\u{7f}\\u{e9}\";",
		   "const S = \"a\\\"b\\\\c\\nd\\teA\\u{01}\\u{7F}\xc3\xa9\";\n");
}

Test(fmt, numbers_and_durations_as_written)
{
	expect_fmt("const D = [1h30m, 90s, 007, 250ms, 7d];",
		   "const D = [1h30m, 90s, 007, 250ms, 7d];\n");
}

Test(fmt, literals_and_calls)
{
	expect_fmt("permit r { when now>=time( \"2026-01-01T00:00:00Z\" ) and context.ip in "
		   "ip(\"10.0.0.0/8\") and S.isEmpty( ) and S.containsAny([ ])}",
		   "permit r {\n  when now >= time(\"2026-01-01T00:00:00Z\")\n"
		   "   and context.ip in ip(\"10.0.0.0/8\")\n   and S.isEmpty()\n"
		   "   and S.containsAny([])\n}\n");
}

Test(fmt, long_const_set_one_item_per_line)
{
	expect_fmt("const L = [\"aaaaaaaaaaaaaaaaaaaa\", \"bbbbbbbbbbbbbbbbbbbbbbbbb\", "
		   "\"cccccccccccccccccccccccc\", \"ddddddddddddddddddd\"];",
		   "const L = [\n  \"aaaaaaaaaaaaaaaaaaaa\",\n  \"bbbbbbbbbbbbbbbbbbbbbbbbb\",\n"
		   "  \"cccccccccccccccccccccccc\",\n  \"ddddddddddddddddddd\",\n];\n");
}

Test(fmt, records_one_line_when_they_fit)
{
	expect_fmt("request q { principal User \"u\" {a:1,b:\"x\",} context{} }",
		   "request q {\n  principal User \"u\" { a: 1, b: \"x\" }\n  context {}\n}\n");
}

Test(fmt, long_record_one_field_per_line_nested_kept_when_fitting)
{
	expect_fmt("request q { resource Dataset \"d\" { tenant: \"acme-corporation\", env: "
		   "\"production\", change_tickets: [\"CHG-42\", \"CHG-43\"], w: { a: 1 } } }",
		   "request q {\n  resource Dataset \"d\" {\n    tenant: \"acme-corporation\",\n"
		   "    env: \"production\",\n    change_tickets: [\"CHG-42\", \"CHG-43\"],\n"
		   "    w: { a: 1 },\n  }\n}\n");
}

Test(fmt, request_parts_in_order_one_per_line)
{
	expect_fmt("request q { at time(\"2026-01-01T00:00:00Z\") context { x: 1 } resource D \"d\" "
		   "action \"read\" principal U \"u\" }",
		   "request q {\n  principal U \"u\"\n  action \"read\"\n  resource D \"d\"\n"
		   "  context { x: 1 }\n  at time(\"2026-01-01T00:00:00Z\")\n}\n");
}

Test(fmt, test_parts_one_per_line)
{
	expect_fmt("test \"t\" { expect deny by default at time(\"2026-01-01T00:00:00Z\") "
		   "without context.a, principal.b given q with principal.x.y = 1 with context.z=[] }",
		   "test \"t\" {\n  given q\n  with principal.x.y = 1, context.z = []\n"
		   "  without context.a, principal.b\n  at time(\"2026-01-01T00:00:00Z\")\n"
		   "  expect deny by default\n}\n");
	expect_fmt("test \"u\" { given q expect allow by p.a,b }",
		   "test \"u\" {\n  given q\n  expect allow by p.a, b\n}\n");
	expect_fmt("test \"v\" { given q expect deny }", "test \"v\" {\n  given q\n  expect deny\n}\n");
}

Test(fmt, with_action_round_trips)
{
	expect_fmt("test \"t\" { given q with action=\"write\" ,principal.x = 1 expect deny }",
		   "test \"t\" {\n  given q\n  with action = \"write\", principal.x = 1\n  expect deny\n}\n");
	expect_same("test \"t\" {\n  given q\n  // writes are refused\n  with action = \"wr\\\"ite\"\n"
		    "  without context.ticket\n  expect deny by default\n}\n");
}

Test(fmt, long_with_list_gets_one_with_per_change)
{
	char *out = fmt("test \"t\" { given q with principal.aaaaaaaaaaaaaaaaaaaa = \"xxxxxxxxxxxxxxxxxxxxxxxx\", "
			"resource.bbbbbbbbbbbbbbbbbbbbbbbbbb = \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyy\" expect deny }");
	cr_assert_str_eq(out, "test \"t\" {\n  given q\n"
			      "  with principal.aaaaaaaaaaaaaaaaaaaa = \"xxxxxxxxxxxxxxxxxxxxxxxx\"\n"
			      "  with resource.bbbbbbbbbbbbbbbbbbbbbbbbbb = \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"\n"
			      "  expect deny\n}\n");
}

Test(fmt, inline_request_in_a_test)
{
	expect_fmt("test \"t\" { principal U \"u\" action \"a\" resource D \"d\" at time(\"2026-01-01T00:00:00Z\") expect allow }",
		   "test \"t\" {\n  principal U \"u\"\n  action \"a\"\n  resource D \"d\"\n"
		   "  at time(\"2026-01-01T00:00:00Z\")\n  expect allow\n}\n");
}

Test(fmt, empty_file_and_comment_only_file)
{
	expect_fmt("", "");
	expect_fmt("  \n\n", "");
	expect_fmt("// just this   \n\n\n", "// just this\n");
}

/* ---- comments ------------------------------------------------------------- */

Test(fmt, comment_before_first_item_and_header_blank_kept)
{
	expect_same("// Copyright\n\n// about p\npackage p;\n\n// about X\nconst X = 1;\n");
	expect_fmt("// a\npackage p;\n// b\nconst X = 1;\n",
		   "// a\npackage p;\n\n// b\nconst X = 1;\n");
	/* A comment leading an item is set off from the item before... */
	expect_fmt("const X = 1;\n// about Y\nconst Y = 2;\n",
		   "const X = 1;\n\n// about Y\nconst Y = 2;\n");
	/* ...one followed by an empty line stays under the item above. */
	expect_same("const X = 1;\n// under X\n\nconst Y = 2;\n");
}

Test(fmt, comment_at_end_of_file)
{
	expect_same("const X = 1;\n\n// the end\n");
	expect_same("const X = 1;\n// right after\n");
	expect_fmt("const X = 1; // trailing", "const X = 1; // trailing\n");
}

Test(fmt, nothing_follows_a_line_comment_on_its_line)
{
	/* The second trailing comment cannot join a line ending in //. */
	expect_fmt("const//a\n X = /*b*/ 1;\n", "const X = 1; //a\n/*b*/\n");
	expect_fmt("permit r { when x and//a\n y /*b*/ }",
		   "permit r {\n  when x and y //a\n  /*b*/\n}\n");
}

Test(fmt, block_comments_kept_verbatim)
{
	expect_same("/* one\n * two\n */\nconst X = 1; /* after */\n");
	expect_fmt("const /* inside */ X = 1;", "const X = 1; /* inside */\n");
}

Test(fmt, comments_between_clauses_move_with_their_clause)
{
	expect_fmt("permit r {\n  // why w\n  when w // w trailing\n  // why p\n  principal is U\n"
		   "  // closing note\n}\n",
		   "permit r {\n  // why p\n  principal is U\n  // why w\n  when w // w trailing\n"
		   "  // closing note\n}\n");
}

Test(fmt, trailing_comment_after_open_brace_stays)
{
	expect_fmt("permit r { // header note\n  when w\n  principal is U\n}\n",
		   "permit r { // header note\n  principal is U\n  when w\n}\n");
	expect_same("request q { // note\n  action \"a\"\n}\n");
	expect_same("test \"t\" { // note\n  given q\n  expect deny\n}\n");
}

Test(fmt, comment_inside_and_chain_keeps_it_broken)
{
	expect_same("permit r {\n  when a // about a\n   and b\n}\n");
	expect_same("permit r {\n  when a\n  // about b\n   and b\n}\n");
	/* A comment inside one operand goes above that operand's line. */
	expect_fmt("permit r {\n  when a and x in [ // c\n \"v\"]\n}\n",
		   "permit r {\n  when a and x in [\"v\"] // c\n}\n");
	/* After the `and`: part of the next operand. */
	expect_fmt("permit r {\n  when a and /* c */ b\n}\n", "permit r {\n  when a and b /* c */\n}\n");
	expect_fmt("permit r {\n  when (x or y /* c */) and b\n}\n",
		   "permit r {\n  when (x or y) /* c */\n   and b\n}\n");
}

Test(fmt, comment_inside_an_expression_stays_on_its_line)
{
	expect_fmt("permit r { when x == /* c */ 1 }", "permit r {\n  when x == 1 /* c */\n}\n");
	expect_fmt("permit r { when x ==\n  // own\n 1 }", "permit r {\n  // own\n  when x == 1\n}\n");
}

Test(fmt, comments_inside_a_record_force_one_field_per_line)
{
	expect_fmt("request q { principal U \"u\" { a: 1, // one\n b: 2 } }",
		   "request q {\n  principal U \"u\" {\n    a: 1, // one\n    b: 2,\n  }\n}\n");
	expect_same("request q {\n  principal U \"u\" {\n    // first\n    a: 1,\n    w: {\n"
		    "      x: 1, // nested\n    },\n    // last\n  }\n}\n");
	expect_same("request q {\n  context { /* empty */\n  }\n}\n");
}

Test(fmt, comments_inside_a_const_set)
{
	expect_same("const S = [\n  \"a\", // first\n  // b next\n  \"b\",\n];\n");
}

Test(fmt, comments_in_tests_follow_their_part)
{
	expect_fmt("test \"t\" {\n  // what we expect\n  expect deny\n  // the request\n  given q\n}\n",
		   "test \"t\" {\n  // the request\n  given q\n  // what we expect\n  expect deny\n}\n");
	expect_same("test \"t\" {\n  given q\n  // change\n  with principal.a = 1, context.b = 2 // both\n"
		    "  expect deny\n}\n");
}

Test(fmt, comments_between_annotations)
{
	expect_same("// rule doc\n@owner(\"x\") // who\n// more\n@ticket(\"T\")\npermit r {\n}\n");
}

Test(fmt, trailing_blanks_and_crlf_are_removed)
{
	expect_fmt("// a   \r\nconst X = 1;   \r\n/* b  \r\n c */\r\n",
		   "// a\nconst X = 1;\n/* b\n c */\n");
}

Test(fmt, every_comment_printed_exactly_once)
{
	const char *in =
		"// c1\npackage p; // c2\n/* c3 */ const X = [1, /* c4 */ 2]; // c5\n"
		"@a(\"b\") /* c6 */ permit r /* c7 */ { /* c8 */ unless u // c9\n"
		"// c10\n when a and /* c11 */ b // c12\n principal is U /* c13 */ // c14\n"
		"/* c15 */ }\n// c16\nrequest q { context { a: /* c17 */ 1 } // c18\n }\n"
		"test \"t\" { given q with context.a = 1 /* c19 */, context.b = 2 // c20\n"
		" expect deny /* c21 */ }\n// c22";
	char *out = fmt(in);
	assert_clean(out);
	for (int i = 1; i <= 22; i++) {
		char tag[16];
		snprintf(tag, sizeof tag, "c%d", i);
		size_t k = 0;
		for (const char *q = strstr(out, tag); q; q = strstr(q + 1, tag))
			k += q[strlen(tag)] < '0' || q[strlen(tag)] > '9';
		cr_assert_eq(k, 1, "'%s' appears %zu times in:\n%s", tag, k, out);
	}
}

/* ---- refusal and the proofs -------------------------------------------------- */

Test(fmt, syntax_error_is_refused_with_diagnostic)
{
	struct srcset src;
	struct diag_list d;
	srcset_init(&src, &A);
	diag_list_init(&d, &A);
	const char *in = "permit r {\n  when a ==\n}\n";
	uint32_t id = srcset_add(&src, "bad.authz", in, strlen(in));
	char *out = NULL;
	size_t len = 0;
	cr_assert_eq(fmt_source(&A, &src, id, &d, &out, &len), FMT_SYNTAX);
	cr_assert_null(out);
	cr_assert_geq(d.errors, 1);
	cr_assert_eq(d.items[0]->code, E_SYNTAX);
	uint32_t line, col;
	src_line_col(srcset_file(&src, id), d.items[0]->span.start, &line, &col);
	cr_assert_eq(line, 3);
	cr_assert_eq(col, 1);
}

Test(fmt, duplicate_scope_is_refused)
{
	enum fmt_status st;
	cr_assert_null(fmt_named("p.authz", "permit r { principal is A principal is B }", &st));
	cr_assert_eq(st, FMT_SYNTAX);
}

static struct ast_file *parse(const char *in)
{
	struct srcset *src = arena_alloc(&A, sizeof(*src));
	struct diag_list d;
	srcset_init(src, &A);
	diag_list_init(&d, &A);
	struct ast_file *f = NULL;
	ast_parse(&A, src, srcset_add(src, "p.authz", in, strlen(in)), &d, &f);
	cr_assert_eq(f->nerrors, 0, "%s", in);
	return f;
}

Test(fmt, same_meaning_sees_a_change)
{
	cr_assert(fmt_same_meaning(&A, parse("permit r { unless u when w }"),
				   parse("permit r { when w unless u }")));
	cr_assert(!fmt_same_meaning(&A, parse("permit r { when w unless u }"),
				    parse("permit r { unless u when w }")));
	cr_assert(!fmt_same_meaning(&A, parse("permit r { when a - (b - c) }"),
				    parse("permit r { when a - b - c }")));
	cr_assert(!fmt_same_meaning(&A, parse("permit r { when w1 when w2 }"),
				    parse("permit r { when w2 when w1 }")));
}

/* Formatting proves itself; the output is clean and a fixed point. */
static void assert_formats(const char *name, const char *in)
{
	enum fmt_status st;
	char *out = fmt_named(name, in, &st);
	cr_assert_eq(st, FMT_OK, "'%s' does not format (%d)", name, st);
	assert_clean(out);
	char *again = fmt_named(name, out, &st);
	cr_assert_eq(st, FMT_OK);
	cr_assert_str_eq(again, out, "'%s' is not idempotent", name);
}

static const char *const ugly[] = {
	"  package   ugly ;const A=[ \"x\",\"y\" ,\"z\"] ; // t\nconst B = 1h30m;\n"
	"/* b\n c */ @owner( \"me\" )@ticket(\"T\")\n// x\nforbid   r1 { when ((a.b == (c)) and "
	"not (x or y)) unless principal has foo // trail\n // own\n resource is   Dataset|User\n"
	"  principal is User action in [\"a\",\"b\"]\n when -(1 + 2) * 3 - (4 - 5) == - -x and "
	"a - b - c == 1 and \"q\\\"\\\\\\n\\t\" like \"*\"\n}\npermit r2 { action == \"read\" }\n"
	"permit r3 { when (a == b) == c and (a < b) != (c.x.y(1,2,)).z and x in [1, 2,] and "
	"(not a) == b or not not c }\n\n\n// end\n",
	"permit r{when(((((((((((a)))))))))))}",
	"permit r { when principal.groups.containsAll([\"a\", \"b\"]) and context has t and "
	"context.t in resource.change_tickets and now >= principal.window.start and "
	"now < principal.window.end and principal.id == \"x\" /* c */ }",
	"request q{principal A \"a\"{x:{y:{z:[1,2,3],w:\"very long string value here to force "
	"breaking of the record onto lines\"}}}action\"read\"}\n"
	"test \"t\"{given q with principal.x.y.z=[],context.a={b:1}without context.c at "
	"time(\"2026-01-01T00:00:00Z\")expect deny by default}",
	"const E = [];\nconst R = {};\nconst N = -5;\nconst M = - - 5;\nconst T = [true, false];",
	"/*only*/",
	"// a\n\n\n// b\n\n\n\n// c\npermit r {}\n\n\n\n// d\n\n// e",
	"permit r {\n  when a\n  /* x */ /* y */\n   and b\n}\n",
	"forbid q { unless a and b /* one */ and c // two\n and d }\n",
	"test \"t\" //c4\n{\n  given//c3\n r1 expect deny }",
	"permit r //a\n{ //b\n when x /*c*/ }",
};

Test(fmt, ugly_inputs_format_and_are_fixed_points)
{
	for (size_t i = 0; i < sizeof ugly / sizeof ugly[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "ugly%zu.authz", i);
		assert_formats(name, ugly[i]);
	}
}

Test(fmt, deep_but_legal_nesting_formats)
{
	size_t depth = 200;
	char *in = arena_alloc(&A, depth * 2 + 64);
	strcpy(in, "permit r { when ");
	for (size_t i = 0; i < depth; i++)
		strcat(in, "(");
	strcat(in, "a");
	for (size_t i = 0; i < depth; i++)
		strcat(in, ")");
	strcat(in, " }");
	expect_fmt(in, "permit r {\n  when a\n}\n");
	/* a long and-chain: one line per operand */
	char *chain = arena_alloc(&A, 64 + 250 * 16);
	strcpy(chain, "permit r { when x0");
	for (int i = 1; i < 250; i++)
		sprintf(chain + strlen(chain), " and x%d", i);
	strcat(chain, " }");
	char *out = fmt(chain);
	cr_assert_eq(count(out, "\n   and x"), 249);
}

/* ---- every example and every test source ------------------------------------ */

static struct ptrvec corpus;

static int collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	size_t n = strlen(path);
	if (flag == FTW_F && n > 6 && !strcmp(path + n - 6, ".authz"))
		ptrvec_push(&A, &corpus, arena_strdup(&A, path));
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	cr_assert_not_null(fp, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = arena_alloc(&A, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	buf[n] = 0;
	return buf;
}

Test(fmt, every_example_formats_safely_and_is_canonical)
{
	corpus.n = 0;
	nftw("examples", collect, 16, FTW_PHYS);
	cr_assert_geq(corpus.n, 1, "no .authz file under examples/ (run from the repository root)");
	for (size_t i = 0; i < corpus.n; i++) {
		const char *path = corpus.items[i];
		char *text = slurp(path);
		enum fmt_status st;
		char *out = fmt_named(path, text, &st);
		cr_assert_eq(st, FMT_OK, "'%s' does not format (%d)", path, st);
		assert_clean(out);
		cr_expect_str_eq(out, text, "'%s' is not in the canonical layout", path);
	}
}

/* Comments dropped at token boundaries of every example, chosen by a fixed
 * pseudo-random sequence: the result must still format safely. */
Test(fmt, comments_anywhere_in_the_examples_format_safely)
{
	static const char *const bits[] = { "/*k*/", "//k\n", "\n/*k\n\n*/\n", "\n//k\n", "\n\n" };
	corpus.n = 0;
	nftw("examples", collect, 16, FTW_PHYS);
	cr_assert_geq(corpus.n, 1);
	uint32_t seed = 12345;
	size_t tried = 0;
	for (size_t i = 0; i < corpus.n; i++) {
		const char *text = slurp(corpus.items[i]);
		size_t n = strlen(text);
		for (int round = 0; round < 60; round++) {
			struct { char *s; size_t len; } b;
			b.s = arena_alloc(&A, n * 2 + 256);
			b.len = 0;
			int inserted = 0;
			int state = 0;  /* 0 code, 1 string, 2 line comment, 3 block comment */
			for (size_t k = 0; k < n; k++) {
				char ch = text[k];
				if (state == 0 && ch == '"')
					state = 1;
				else if (state == 1 && ch == '\\')
					b.s[b.len++] = text[k++];
				else if (state == 1 && ch == '"')
					state = 0;
				else if (state == 0 && ch == '/' && text[k + 1] == '/')
					state = 2;
				else if (state == 2 && ch == '\n')
					state = 0;
				else if (state == 0 && ch == '/' && text[k + 1] == '*')
					state = 3;
				else if (state == 3 && ch == '/' && k && text[k - 1] == '*')
					state = 0;
				seed = seed * 1103515245u + 12345u;
				if (state == 0 && (ch == ' ' || ch == '\n') && inserted < 8 &&
				    (seed >> 16) % 23 == 0) {
					const char *bit = bits[(seed >> 8) % 5];
					memcpy(b.s + b.len, bit, strlen(bit));
					b.len += strlen(bit);
					inserted++;
				}
				b.s[b.len++] = text[k];
			}
			b.s[b.len] = 0;
			enum fmt_status st;
			fmt_named(corpus.items[i], b.s, &st);
			if (st == FMT_SYNTAX)
				continue;       /* a comment cut a string or a comment */
			cr_assert_eq(st, FMT_OK, "internal error on:\n%s", b.s);
			tried++;
		}
	}
	cr_assert_geq(tried, corpus.n * 50, "only %zu variants parsed", tried);
}

Test(fmt, every_parsable_test_source_formats_safely)
{
	corpus.n = 0;
	nftw("tests", collect, 16, FTW_PHYS);
	size_t done = 0;
	for (size_t i = 0; i < corpus.n; i++) {
		const char *path = corpus.items[i];
		char *text = slurp(path);
		enum fmt_status st;
		fmt_named(path, text, &st);
		if (st == FMT_SYNTAX)
			continue;       /* cases about syntax errors */
		cr_assert_eq(st, FMT_OK, "'%s': internal error", path);
		assert_formats(path, text);
		done++;
	}
	cr_assert_geq(done, 1, "no parsable .authz file under tests/");
}
