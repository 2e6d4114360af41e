/*
 * test_lexer.c: the flex scanner (grammar/lexer.l) through ast_parse():
 * literals, comments, and every lexical diagnostic with its position.
 */
#include "parse_util.h"

Test(lexer, keywords_identifiers_punctuation)
{
	struct ast_file *f = parse("permit _a1 { principal is T_2 | U action in [\"x\"] when a.b != c }");
	cr_assert_eq(f->nerrors, 0);
	struct ast_rule *r = f->items[0].u.rule;
	cr_expect_str_eq(r->name, "_a1");
	cr_expect_str_eq(r->principal.types[0].name, "T_2");
	/* A keyword prefix does not make a keyword. */
	cr_expect_str_eq(expr_of("principals == nowhere"), "(== principals nowhere)");
	cr_expect_str_eq(expr_of("a<=b"), "(<= a b)");
}

Test(lexer, strings_and_escapes)
{
	struct ast_file *f = parse("permit r { when x == \"a\\\"b\\\\c\\nd\\te\\u{1F600}\\u{41}\" }");
	cr_assert_eq(f->nerrors, 0);
	const struct ast_expr *s = f->items[0].u.rule->clauses[0].expr->u.bin.rhs;
	cr_assert_eq(s->kind, EX_STRING);
	cr_assert_eq(s->u.str.len, 14);
	cr_expect_eq(memcmp(s->u.str.s, "a\"b\\c\nd\te\xF0\x9F\x98\x80" "A", 14), 0);
	/* Valid UTF-8 passes through. */
	cr_expect_str_eq(expr_of("\"h\xC3\xA9llo\""), "\"h\xC3\xA9llo\"");
}

Test(lexer, comments_are_kept)
{
	struct ast_file *f = parse("// head\n\n/* block\n * more */ permit r { when /* in */ a // tail\n}\n");
	cr_assert_eq(f->nerrors, 0);
	cr_assert_eq(f->ncomments, 4);
	cr_expect(f->comments[0].own_line);
	cr_expect(f->comments[1].own_line);
	cr_expect(f->comments[1].blank_before); /* a blank line after the first */
	cr_expect(!f->comments[0].blank_before);
	cr_expect(!f->comments[2].own_line);
	cr_expect(!f->comments[3].own_line);
	cr_expect_eq(f->comments[3].span.end - f->comments[3].span.start, strlen("// tail"));
	cr_expect_str_eq(sexpr(f->items[0].u.rule->clauses[0].expr), "a");
}

Test(lexer, numbers_and_durations)
{
	cr_expect_str_eq(expr_of("0"), "0");
	cr_expect_str_eq(expr_of("9223372036854775807"), "9223372036854775807");
	cr_expect_str_eq(expr_of("1h30m"), "5400000ms");
	cr_expect_str_eq(expr_of("250ms"), "250ms");
	cr_expect_str_eq(expr_of("1m"), "60000ms");
	cr_expect_str_eq(expr_of("2h1ms"), "7200001ms");
}

/* ---- every lexical diagnostic ------------------------------------------------- */

Test(lexer, e0002_bad_character)
{
	parse("permit r {\n  when x # y\n}");
	expect_diag_at(0, E_BAD_CHAR, "unexpected character '#'", 2, 10);
	parse("permit r { when \xC3\xA9 }");
	expect_diag_at(0, E_BAD_CHAR, "unexpected character '\xC3\xA9'", 1, 17);
	parse("permit r { \x01 }");
	expect_diag_at(0, E_BAD_CHAR, "unexpected control character 0x01", 1, 12);
	parse("permit r { when a ~ b }");
	expect_diag_at(0, E_BAD_CHAR, "unexpected character '~'", 1, 19);
}

Test(lexer, e0003_unterminated_string)
{
	struct ast_file *f = parse("permit r {\n  when x == \"abc\n}\n");
	cr_expect_geq(f->nerrors, 1);
	expect_diag_at(0, E_UNTERM_STRING, "unterminated string", 2, 13);
	parse("const A = \"abc\\");
	expect_diag_at(0, E_UNTERM_STRING, "unterminated string", 1, 11);
}

Test(lexer, e0004_unterminated_comment)
{
	struct ast_file *f = parse("permit r {}\n  /* never\nclosed");
	cr_expect_eq(f->nerrors, 1);
	expect_diag_at(0, E_UNTERM_COMMENT, "unterminated block comment", 2, 3);
	cr_expect_eq(f->nitems, 1);
}

Test(lexer, e0005_bad_escape)
{
	parse("const A = \"a\\qb\";");
	expect_diag_at(0, E_BAD_ESCAPE, "unknown escape sequence '\\q'", 1, 13);
	const char *uni = "invalid unicode escape: write \\u{1}..\\u{10FFFF}, not a surrogate";
	parse("const A = \"\\u{D800}\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 12);
	parse("const A = \"x\\u{110000}\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 13);
	parse("const A = \"\\u41\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 12);
	parse("const A = \"\\u{}\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 12);
	parse("const A = \"\\u{0}\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 12);
	parse("const A = \"\\u{1234567}\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 12);
	parse("const A = \"\\u{12\";");
	expect_diag_at(0, E_BAD_ESCAPE, uni, 1, 12);
}

Test(lexer, e0006_invalid_utf8)
{
	parse("permit r { \xFF }");
	expect_diag_at(0, E_BAD_UTF8, "invalid UTF-8 byte 0xFF", 1, 12);
	parse("const A = \"a\xC3\x28\";");
	expect_diag_at(0, E_BAD_UTF8, "invalid UTF-8 in string", 1, 11);
	parse("// ok\n// bad \xE0\x80\x80\n");
	expect_diag_at(0, E_BAD_UTF8, "invalid UTF-8 byte 0xE0 in comment", 2, 8);
	/* Overlong encodings and surrogates are not UTF-8 either. */
	parse("const A = \"\xC0\xAF\";");
	cr_expect(has_diag(E_BAD_UTF8));
	parse("const A = \"\xED\xA0\x80\";");
	cr_expect(has_diag(E_BAD_UTF8));
}

/* Columns count characters, and each byte that is not part of one counts
 * one (it shows as one U+FFFD): stray continuation bytes are not free. */
Test(lexer, columns_count_each_bad_byte)
{
	parse("permit r { \x80\x80 }");
	expect_diag_at(0, E_BAD_UTF8, "invalid UTF-8 byte 0x80", 1, 12);
	expect_diag_at(1, E_BAD_UTF8, "invalid UTF-8 byte 0x80", 1, 13);
	parse("permit r { \xc3\xa9\xa9 }");
	expect_diag_at(0, E_BAD_CHAR, "unexpected character '\xc3\xa9'", 1, 12);
	expect_diag_at(1, E_BAD_UTF8, "invalid UTF-8 byte 0xA9", 1, 13);
}

Test(lexer, e0007_nul_bytes)
{
	parse_n("p.authz", "permit r {}\0", 12);
	expect_diag_at(0, E_NUL_BYTE, "NUL byte in source", 1, 12);
	parse_n("p.authz", "const A = \"a\0b\";", 16);
	expect_diag_at(0, E_NUL_BYTE, "NUL byte in string", 1, 13);
	parse_n("p.authz", "// a\0b\n", 7);
	expect_diag_at(0, E_NUL_BYTE, "NUL byte in comment", 1, 5);
	parse_n("p.authz", "/* \0 */", 7);
	expect_diag_at(0, E_NUL_BYTE, "NUL byte in comment", 1, 4);
}

Test(lexer, e0008_bad_numbers)
{
	parse("const A = 12abc;");
	expect_diag_at(0, E_BAD_NUMBER,
		       "invalid number '12abc': durations use the units d h m s ms, largest first", 1, 11);
	parse("const A = 1m1h;");
	expect_diag_at(0, E_BAD_NUMBER,
		       "invalid duration '1m1h': each unit at most once, largest first (d h m s ms)", 1, 11);
	parse("const A = 1s1s;");
	expect_diag_at(0, E_BAD_NUMBER,
		       "invalid duration '1s1s': each unit at most once, largest first (d h m s ms)", 1, 11);
	parse("const A = 1ms1s;");
	cr_expect(has_diag(E_BAD_NUMBER));
	parse("const A = 5y;");
	expect_diag_at(0, E_BAD_NUMBER,
		       "invalid number '5y': durations use the units d h m s ms, largest first", 1, 11);
}

Test(lexer, e0009_too_deep)
{
	struct sbuf b = { 0 };
	sb_put(&b, "const A = ");
	for (int i = 0; i < 300; i++)
		sb_put(&b, "[");
	char *text = arena_strdup(&pu_arena, b.s); /* parse() resets the arena */
	struct arena keep = ARENA_INIT;
	char *copy = arena_strdup(&keep, text);
	struct ast_file *f = parse(copy);
	arena_free(&keep);
	cr_expect_eq(f->nerrors, 1);
	expect_diag_at(0, E_TOO_DEEP, "brackets nested more than 256 deep", 1, 11 + 256);
}

Test(lexer, e0010_too_many_errors)
{
	struct arena keep = ARENA_INIT;
	char *s = arena_alloc(&keep, 201);
	memset(s, '#', 200);
	struct ast_file *f = parse(s);
	arena_free(&keep);
	cr_expect_eq(f->nerrors, 50);
	cr_assert_eq(pu_diags.n, 51);
	expect_diag_at(49, E_BAD_CHAR, "unexpected character '#'", 1, 50);
	expect_diag_at(50, E_LIMIT, "too many errors in this file; stopped after 50", 1, 51);
}

/* ---- hostile input ------------------------------------------------------------ */

Test(lexer, binary_garbage)
{
	unsigned char buf[8192];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	struct ast_file *f = parse_n("p.authz", (const char *)buf, sizeof buf);
	cr_expect_geq(f->nerrors, 1);
	cr_expect_leq(pu_diags.n, 51);
}

Test(lexer, two_megabyte_line)
{
	/* A 64 KiB string (the longest allowed) padded to a 2 MB line. */
	size_t n = 2u * 1024 * 1024, m = LIM_MAX_STRING;
	struct arena keep = ARENA_INIT;
	char *s = arena_alloc(&keep, n + 64);
	strcpy(s, "permit r { when x == \"");
	size_t off = strlen(s);
	memset(s + off, 'x', m);
	strcpy(s + off + m, "\" ");
	memset(s + off + m + 2, ' ', n - m);
	strcpy(s + off + n + 2, "# }");
	struct ast_file *f = parse(s);
	arena_free(&keep);
	cr_expect_eq(f->nerrors, 1);
	expect_diag_at(0, E_BAD_CHAR, "unexpected character '#'", 1, (uint32_t)(off + n + 3));
	const struct ast_expr *e = f->items[0].u.rule->clauses[0].expr;
	cr_expect_eq(e->u.bin.rhs->u.str.len, m);
	/* And a 2 MB string that never ends. */
	s = arena_alloc(&keep, n + 64);
	strcpy(s, "const A = \"");
	memset(s + 11, 'y', n);
	s[11 + n] = 0;
	parse(s);
	arena_free(&keep);
	expect_diag_at(0, E_UNTERM_STRING, "unterminated string", 1, 11);
}

Test(lexer, every_byte_alone)
{
	for (int c = 0; c < 256; c++) {
		char buf[3] = { 'a', (char)c, 'b' };
		parse_n("p.authz", buf, 3);
		/* Never a crash; at least one error for "a?b" at top level. */
		cr_expect_geq(pu_diags.n, 1, "byte 0x%02X", c);
	}
}
