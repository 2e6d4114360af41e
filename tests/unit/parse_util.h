/*
 * parse_util.h: helpers shared by test_lexer.c and test_parser.c: parse an
 * in-memory source, print expressions as S-expressions, check diagnostics.
 */
#ifndef AUTHZC_TEST_PARSE_UTIL_H
#define AUTHZC_TEST_PARSE_UTIL_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ast.h"
#include "diag.h"

static struct arena pu_arena = ARENA_INIT;
static struct srcset pu_src;
static struct diag_list pu_diags;

/* Parse `len` bytes of `text` as file `name`; diagnostics in pu_diags. */
static inline struct ast_file *parse_n(const char *name, const char *text, size_t len)
{
	arena_free(&pu_arena);
	srcset_init(&pu_src, &pu_arena);
	diag_list_init(&pu_diags, &pu_arena);
	uint32_t id = srcset_add(&pu_src, name, text, len);
	struct ast_file *f = NULL;
	size_t n = ast_parse(&pu_arena, &pu_src, id, &pu_diags, &f);
	cr_assert_not_null(f);
	cr_assert_eq(n, f->nerrors);
	return f;
}

static inline struct ast_file *parse(const char *text)
{
	return parse_n("p.authz", text, strlen(text));
}

static inline struct ast_file *parse_test(const char *text)
{
	return parse_n("p_test.authz", text, strlen(text));
}

struct sbuf {
	char *s;
	size_t n, cap;
};

static inline void sb_put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void sb_put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->n + (size_t)n + 1 > b->cap) {
		size_t cap = (b->n + (size_t)n + 1) * 2;
		b->s = arena_grow(&pu_arena, b->s, b->n, cap, 1);
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* Expressions as S-expressions: (and a (== b c)), (. principal x), ... */
static inline void sexpr_to(struct sbuf *b, const struct ast_expr *e)
{
	switch (e->kind) {
	case EX_BOOL: sb_put(b, "%s", e->u.b ? "true" : "false"); break;
	case EX_INT: sb_put(b, "%llu", (unsigned long long)e->u.num.value); break;
	case EX_DURATION: sb_put(b, "%llums", (unsigned long long)e->u.num.value); break;
	case EX_STRING: sb_put(b, "\"%.*s\"", (int)e->u.str.len, e->u.str.s); break;
	case EX_TIME: sb_put(b, "time(\"%s\")", e->u.lit.text); break;
	case EX_IP: sb_put(b, "ip(\"%s\")", e->u.lit.text); break;
	case EX_SET:
		sb_put(b, "[");
		for (size_t i = 0; i < e->u.list.n; i++) {
			sb_put(b, i ? " " : "");
			sexpr_to(b, e->u.list.items[i]);
		}
		sb_put(b, "]");
		break;
	case EX_RECORD:
		sb_put(b, "{");
		for (size_t i = 0; i < e->u.rec.n; i++) {
			sb_put(b, "%s%s: ", i ? " " : "", e->u.rec.fields[i].name);
			sexpr_to(b, e->u.rec.fields[i].value);
		}
		sb_put(b, "}");
		break;
	case EX_VAR: sb_put(b, "%s", ast_var_str(e->u.var)); break;
	case EX_NAME: sb_put(b, "%s", e->u.name.name); break;
	case EX_ATTR:
		sb_put(b, "(. ");
		sexpr_to(b, e->u.attr.base);
		sb_put(b, " %s)", e->u.attr.name);
		break;
	case EX_HAS:
		sb_put(b, "(has ");
		sexpr_to(b, e->u.attr.base);
		sb_put(b, " %s)", e->u.attr.name);
		break;
	case EX_CALL:
		sb_put(b, "(call ");
		sexpr_to(b, e->u.call.base);
		sb_put(b, " %s", e->u.call.name);
		for (size_t i = 0; i < e->u.call.nargs; i++) {
			sb_put(b, " ");
			sexpr_to(b, e->u.call.args[i]);
		}
		sb_put(b, ")");
		break;
	case EX_LIKE:
		sb_put(b, "(like ");
		sexpr_to(b, e->u.bin.lhs);
		sb_put(b, " ");
		sexpr_to(b, e->u.bin.rhs);
		sb_put(b, ")");
		break;
	case EX_NOT:
	case EX_NEG:
		sb_put(b, "(%s ", e->kind == EX_NOT ? "not" : "neg");
		sexpr_to(b, e->u.un.operand);
		sb_put(b, ")");
		break;
	case EX_BINARY:
		sb_put(b, "(%s ", ast_binop_str(e->u.bin.op));
		sexpr_to(b, e->u.bin.lhs);
		sb_put(b, " ");
		sexpr_to(b, e->u.bin.rhs);
		sb_put(b, ")");
		break;
	}
}

static inline const char *sexpr(const struct ast_expr *e)
{
	struct sbuf b = { 0 };
	sb_put(&b, "%s", "");
	sexpr_to(&b, e);
	return b.s;
}

/* The expression of `permit r { when <text> }`, which must parse cleanly. */
static inline const char *expr_of(const char *text)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "permit r { when %s }", text);
	struct ast_file *f = parse(buf);
	cr_assert_eq(f->nerrors, 0, "'%s' did not parse: %s", text,
		     pu_diags.n ? pu_diags.items[0]->message : "?");
	cr_assert_eq(f->nitems, 1);
	cr_assert_eq(f->items[0].u.rule->nclauses, 1);
	return sexpr(f->items[0].u.rule->clauses[0].expr);
}

/* Assert diagnostic i: its code, message, line and column. */
static inline void expect_diag_at(size_t i, enum diag_code code, const char *msg, uint32_t line,
				  uint32_t col)
{
	cr_assert_lt(i, pu_diags.n, "no diagnostic %zu (only %zu)", i, pu_diags.n);
	struct diag *d = pu_diags.items[i];
	cr_expect_str_eq(diag_code_str(d->code), diag_code_str(code), "code of '%s'", d->message);
	cr_expect_str_eq(d->message, msg);
	cr_assert(d->has_span);
	uint32_t l, c;
	src_line_col(srcset_file(&pu_src, d->span.file), d->span.start, &l, &c);
	cr_expect_eq(l, line, "'%s' at line %u, expected %u", d->message, l, line);
	cr_expect_eq(c, col, "'%s' at column %u, expected %u", d->message, c, col);
}

/* Is there a diagnostic with `code` at all? */
static inline bool has_diag(enum diag_code code)
{
	for (size_t i = 0; i < pu_diags.n; i++)
		if (pu_diags.items[i]->code == code)
			return true;
	return false;
}

#endif
