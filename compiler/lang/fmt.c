/*
 * fmt.c: print a syntax tree back in the one canonical layout (see fmt.h
 * and man/authzc-fmt.1 for the layout itself).
 *
 * Output is built line by line.  The line being built (`cur`) collects
 * comments met while it is printed: own-line comments are hoisted above
 * it (`pre`), others stay at its end (`post`).  The last finished line is
 * kept apart (`last`) so that a trailing comment found just after it can
 * still join it.  Comments are taken in source order, from a window of the
 * file's comment array: parts of a body that the layout reorders (the
 * clauses of a rule, the parts of a request or test) each own the comments
 * in front of them and the trailing ones after them, and carry them along.
 * Every comment is thus printed exactly once; fmt_source checks that.
 */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cvalue.h"
#include "utf8.h"

/* ---- the printer ---------------------------------------------------------- */

struct printer {
	struct arena *a;
	const struct src_file *sf;
	const struct ast_file *f;
	struct buf out;         /* finished text before `last` */
	struct buf last;        /* the last finished line, without newline */
	bool has_last;
	bool last_open;         /* last does not end in a // comment */
	bool blank_pending;     /* an empty line goes before the next line */
	struct buf cur;         /* the line being built, without indentation */
	bool cur_open;
	int cur_indent;         /* its indentation */
	int cur_block;          /* indentation of comments hoisted above it */
	struct ptrvec pre, post; /* const struct ast_comment * met on cur */
	int indent;             /* indentation of the current block */
	size_t cnext, chi;      /* comment window: next to print, end */
};

/* A comment's text, each line without trailing blanks. */
static char *comment_text(struct arena *a, const struct src_file *sf, const struct ast_comment *c)
{
	const char *s = sf->text + c->span.start;
	size_t n = c->span.end - c->span.start;
	struct buf b = BUF_ARENA(a);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '\n')
			j++;
		size_t k = j;
		while (k > i && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r'))
			k--;
		buf_put(&b, s + i, k - i);
		if (j < n)
			buf_putc(&b, '\n');
		i = j + 1;
	}
	if (!b.p)
		buf_put(&b, "", 0);
	return b.p;
}

static bool is_line_comment(const char *text)
{
	return text[0] == '/' && text[1] == '/';
}

/* Move `last` to the output and make `text` (indented) the last line;
 * `open`: it does not end in a // comment, so more may follow on it. */
static void push_line(struct printer *p, int indent, const char *text, size_t n, bool open)
{
	if (p->has_last) {
		buf_put(&p->out, p->last.p, p->last.n);
		buf_putc(&p->out, '\n');
		if (p->blank_pending)
			buf_putc(&p->out, '\n');
	}
	p->blank_pending = false;
	buf_reset(&p->last);
	buf_fill(&p->last, ' ', (size_t)indent);
	buf_put(&p->last, text, n);
	p->has_last = true;
	p->last_open = open;
}

static void begin_at(struct printer *p, int indent)
{
	p->cur_open = true;
	buf_reset(&p->cur);
	p->cur_indent = indent;
	p->cur_block = p->indent;
	p->pre.n = p->post.n = 0;
}

static void begin(struct printer *p)
{
	begin_at(p, p->indent);
}

/* Finish the line being built: hoisted comments, the line, its trailing
 * comments.  Nothing follows a // comment on its line: later trailing
 * comments go on lines of their own below it. */
static void end_line(struct printer *p)
{
	if (!p->cur_open)
		return;
	for (size_t i = 0; i < p->pre.n; i++) {
		char *t = comment_text(p->a, p->sf, p->pre.items[i]);
		push_line(p, p->cur_block, t, strlen(t), !is_line_comment(t));
	}
	size_t i = 0;
	bool open = true;
	for (; i < p->post.n && open; i++) {
		char *t = comment_text(p->a, p->sf, p->post.items[i]);
		buf_putc(&p->cur, ' ');
		buf_puts(&p->cur, t);
		open = !is_line_comment(t);
	}
	push_line(p, p->cur_indent, p->cur.p, p->cur.n, open);
	for (; i < p->post.n; i++) {
		char *t = comment_text(p->a, p->sf, p->post.items[i]);
		push_line(p, p->cur_block, t, strlen(t), !is_line_comment(t));
	}
	p->cur_open = false;
	p->pre.n = p->post.n = 0;
}

/* Put one comment where it belongs given the line being built. */
static void place(struct printer *p, const struct ast_comment *c)
{
	bool cur_has_text = p->cur_open && p->cur.n > 0;
	char *t = comment_text(p->a, p->sf, c);
	if (!c->own_line && cur_has_text) {
		ptrvec_push(p->a, &p->post, (void *)c);
	} else if (!c->own_line && p->has_last && p->last_open) {
		buf_putc(&p->last, ' ');
		buf_puts(&p->last, t);
		p->last_open = !is_line_comment(t);
	} else if (cur_has_text) {
		ptrvec_push(p->a, &p->pre, (void *)c);
	} else {
		push_line(p, p->indent, t, strlen(t), !is_line_comment(t));
	}
}

/* Print every comment of the window that starts before `pos`. */
static void flush_before(struct printer *p, uint32_t pos)
{
	while (p->cnext < p->chi && p->f->comments[p->cnext].span.start < pos)
		place(p, &p->f->comments[p->cnext++]);
}

static void flush_window(struct printer *p)
{
	flush_before(p, UINT32_MAX);
}

/* Index of the first comment starting at or after `pos`. */
static size_t comment_at(const struct ast_file *f, uint32_t pos)
{
	size_t lo = 0, hi = f->ncomments;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->comments[mid].span.start < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does a comment start strictly inside (start, end)? */
static bool comment_inside(const struct printer *p, struct span s)
{
	size_t i = comment_at(p->f, s.start + 1);
	return i < p->f->ncomments && p->f->comments[i].span.start < s.end;
}

/* ---- expressions ---------------------------------------------------------- */

/* A string literal as authzc-fmt(1) documents it. */
static void put_string(struct buf *b, const char *s, size_t n)
{
	value_put_quoted(b, s, n, VALUE_AUTHZ);
}

/* Binding strength of an expression's outermost operator
 * (authzc-policy(5), EXPRESSIONS): 1 or, 2 and, 3 not, 4 comparisons, 5 + -, 6 *, 7 unary -,
 * 8 postfix, 9 primary. */
static int prec(const struct ast_expr *e)
{
	switch (e->kind) {
	case EX_BINARY:
		switch (e->u.bin.op) {
		case BIN_OR: return 1;
		case BIN_AND: return 2;
		case BIN_ADD: case BIN_SUB: return 5;
		case BIN_MUL: return 6;
		default: return 4;
		}
	case EX_LIKE: case EX_HAS: return 4;
	case EX_NOT: return 3;
	case EX_NEG: return 7;
	case EX_ATTR: case EX_CALL: return 8;
	default: return 9;
	}
}

/* Where an expression goes: a text, and the printer whose comments are
 * placed as the text grows (NULL when only measuring). */
struct emit {
	struct printer *p;
	struct buf *b;
};

static void expr(struct emit *x, const struct ast_expr *e, int min);

static void expr_list(struct emit *x, struct ast_expr *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(x->b, ", ");
		expr(x, items[i], 0);
	}
}

/* Print e; parenthesised when it binds looser than `min`. */
static void expr(struct emit *x, const struct ast_expr *e, int min)
{
	if (x->p)
		flush_before(x->p, e->span.start);
	int pr = prec(e);
	if (pr < min)
		buf_putc(x->b, '(');
	switch (e->kind) {
	case EX_BOOL:
		buf_puts(x->b, e->u.b ? "true" : "false");
		break;
	case EX_INT:
	case EX_DURATION:
		buf_puts(x->b, e->u.num.text ? e->u.num.text : "0");
		break;
	case EX_STRING:
		put_string(x->b, e->u.str.s, e->u.str.len);
		break;
	case EX_TIME:
	case EX_IP:
		buf_puts(x->b, e->kind == EX_TIME ? "time(" : "ip(");
		put_string(x->b, e->u.lit.text, e->u.lit.len);
		buf_putc(x->b, ')');
		break;
	case EX_SET:
		buf_putc(x->b, '[');
		expr_list(x, e->u.list.items, e->u.list.n);
		buf_putc(x->b, ']');
		break;
	case EX_RECORD:
		if (!e->u.rec.n) {
			buf_puts(x->b, "{}");
			break;
		}
		buf_puts(x->b, "{ ");
		for (size_t i = 0; i < e->u.rec.n; i++) {
			if (i)
				buf_puts(x->b, ", ");
			if (x->p)
				flush_before(x->p, e->u.rec.fields[i].name_span.start);
			buf_puts(x->b, e->u.rec.fields[i].name);
			buf_puts(x->b, ": ");
			expr(x, e->u.rec.fields[i].value, 0);
		}
		buf_puts(x->b, " }");
		break;
	case EX_VAR:
		buf_puts(x->b, ast_var_str(e->u.var));
		break;
	case EX_NAME:
		buf_puts(x->b, e->u.name.name);
		break;
	case EX_ATTR:
		expr(x, e->u.attr.base, 8);
		buf_putc(x->b, '.');
		buf_puts(x->b, e->u.attr.name);
		break;
	case EX_HAS:
		expr(x, e->u.attr.base, 5);
		buf_puts(x->b, " has ");
		buf_puts(x->b, e->u.attr.name);
		break;
	case EX_CALL:
		expr(x, e->u.call.base, 8);
		buf_putc(x->b, '.');
		buf_puts(x->b, e->u.call.name);
		buf_putc(x->b, '(');
		expr_list(x, e->u.call.args, e->u.call.nargs);
		buf_putc(x->b, ')');
		break;
	case EX_LIKE:
		expr(x, e->u.bin.lhs, 5);
		buf_puts(x->b, " like ");
		expr(x, e->u.bin.rhs, 5);
		break;
	case EX_NOT:
		buf_puts(x->b, "not ");
		expr(x, e->u.un.operand, 3);
		break;
	case EX_NEG:
		buf_puts(x->b, e->u.un.operand->kind == EX_NEG ? "- " : "-");
		expr(x, e->u.un.operand, 7);
		break;
	case EX_BINARY: {
		/* or and + - * associate to the left; comparisons not at all. */
		bool left = pr != 4;
		expr(x, e->u.bin.lhs, left ? pr : pr + 1);
		buf_putc(x->b, ' ');
		buf_puts(x->b, ast_binop_str(e->u.bin.op));
		buf_putc(x->b, ' ');
		expr(x, e->u.bin.rhs, pr + 1);
		break;
	}
	}
	if (pr < min)
		buf_putc(x->b, ')');
}

/* Width of e printed on one line. */
static size_t flat_width(struct arena *a, const struct ast_expr *e, int min)
{
	struct buf b = BUF_ARENA(a);
	struct emit x = { NULL, &b };
	expr(&x, e, min);
	return utf8_count(b.p, b.n);
}

/* Print e onto the current line, placing comments. */
static void put_expr(struct printer *p, const struct ast_expr *e, int min)
{
	struct emit x = { p, &p->cur };
	expr(&x, e, min);
}

static size_t cur_col(const struct printer *p)
{
	return (size_t)p->cur_indent + utf8_count(p->cur.p, p->cur.n);
}

/*
 * Print a value that may take several lines: a set or record that does not
 * fit before column FMT_WIDTH (with `tail` more columns after it), or that
 * holds a comment, gets one element per line, each followed by a comma.
 * The line is left open after the closing bracket.
 */
static void put_value(struct printer *p, const struct ast_expr *e, size_t tail)
{
	bool is_set = e->kind == EX_SET, is_rec = e->kind == EX_RECORD;
	if ((!is_set && !is_rec) ||
	    (!comment_inside(p, e->span) && cur_col(p) + flat_width(p->a, e, 0) + tail <= FMT_WIDTH)) {
		put_expr(p, e, 0);
		return;
	}
	flush_before(p, e->span.start);
	buf_putc(&p->cur, is_set ? '[' : '{');
	end_line(p);
	p->indent += 2;
	size_t n = is_set ? e->u.list.n : e->u.rec.n;
	for (size_t i = 0; i < n; i++) {
		if (is_set) {
			const struct ast_expr *item = e->u.list.items[i];
			flush_before(p, item->span.start);
			begin(p);
			put_value(p, item, 1);
		} else {
			const struct ast_field *fl = &e->u.rec.fields[i];
			flush_before(p, fl->name_span.start);
			begin(p);
			buf_puts(&p->cur, fl->name);
			buf_puts(&p->cur, ": ");
			put_value(p, fl->value, 1);
		}
		buf_putc(&p->cur, ',');
		end_line(p);
	}
	flush_before(p, e->span.end ? e->span.end - 1 : 0);
	p->indent -= 2;
	begin(p);
	buf_putc(&p->cur, is_set ? ']' : '}');
}

/* ---- bodies whose parts the layout puts in order ------------------------- */

enum part_kind {
	K_PRINCIPAL, K_ACTION, K_RESOURCE, K_WHEN, K_UNLESS,         /* rules */
	K_REQ_PRINCIPAL, K_REQ_ACTION, K_REQ_RESOURCE, K_REQ_CONTEXT, K_REQ_AT,
	K_GIVEN, K_WITH, K_WITHOUT, K_AT, K_EXPECT,                  /* tests */
	K_VERDICT,                                                   /* assertions */
};

struct part {
	enum part_kind kind;
	size_t idx;                     /* clause, with or without index */
	uint32_t start, end;            /* source span */
	size_t clo, chi;                /* the comments it carries */
};

struct body {
	const struct ast_rule *rule;
	const struct ast_request *req;
	const struct ast_test *test;
	const struct ast_assert *assertion;
	struct part *parts;             /* in printing order */
	size_t n, cap;
	bool split_with;                /* one `with` line per change */
};

static void add_part(struct printer *p, struct body *b, enum part_kind k, size_t idx,
		     struct span s)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		b->parts = arena_grow(p->a, b->parts, b->n, cap, sizeof(*b->parts));
		b->cap = cap;
	}
	b->parts[b->n++] = (struct part){ k, idx, s.start, s.end, 0, 0 };
}

static int by_start(const void *x, const void *y)
{
	const struct part *a = *(const struct part *const *)x, *b = *(const struct part *const *)y;
	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * Share the comments [lo, hi) of a body among its parts, in source order:
 * a part carries the comments before it (after the previous part's) and
 * the trailing comments on its last line.  Trailing comments right after
 * the opening line stay there: [lo, *head_hi).  Own-line comments after the
 * last part go before the closing brace: [*tail_lo, hi).
 */
static void share_comments(struct printer *p, struct body *b, size_t lo, size_t hi,
			   uint32_t close, size_t *head_hi, size_t *tail_lo)
{
	const struct ast_comment *c = p->f->comments;
	struct part **order = arena_calloc(p->a, b->n ? b->n : 1, sizeof(*order));
	for (size_t i = 0; i < b->n; i++)
		order[i] = &b->parts[i];
	qsort(order, b->n, sizeof(*order), by_start);
	size_t k = lo;
	while (k < hi && !c[k].own_line && (b->n == 0 || c[k].span.start < order[0]->start))
		k++;
	*head_hi = k;
	for (size_t j = 0; j < b->n; j++) {
		order[j]->clo = k;
		while (k < hi && c[k].span.start < order[j]->end)
			k++;
		uint32_t next = j + 1 < b->n ? order[j + 1]->start : close;
		while (k < hi && !c[k].own_line && c[k].span.start < next)
			k++;
		order[j]->chi = k;
	}
	*tail_lo = k;
}

static void put_names(struct buf *b, const struct ast_name *v, size_t n, const char *sep,
		      bool quoted)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(b, sep);
		if (quoted)
			put_string(b, v[i].name, v[i].len);
		else
			buf_put(b, v[i].name, v[i].len);
	}
}

static void put_path(struct buf *b, const struct ast_path *path)
{
	buf_puts(b, ast_var_str(path->root));
	for (size_t i = 0; i < path->nsegs; i++) {
		buf_putc(b, '.');
		buf_puts(b, path->segs[i]);
	}
}

/*
 * when/unless: an `and` chain too wide for one line, or with a comment
 * between two operands (before the `and`), breaks before each `and`, which
 * lines up under the keyword's end.  Comments before an `and` stay before
 * it when broken, so the decision is the same on the output (idempotence);
 * comments inside an operand do not force a break.
 */
static void put_clause(struct printer *p, const struct ast_clause *cl)
{
	const char *kw = cl->is_unless ? "unless" : "when";
	buf_puts(&p->cur, kw);
	buf_putc(&p->cur, ' ');
	size_t nops = 1;
	for (const struct ast_expr *e = cl->expr; e->kind == EX_BINARY && e->u.bin.op == BIN_AND;
	     e = e->u.bin.lhs)
		nops++;
	const struct ast_expr **ands = arena_calloc(p->a, nops, sizeof(*ands));
	size_t i = nops;
	const struct ast_expr *first = cl->expr;
	while (--i > 0) {
		ands[i] = first;        /* the `and` whose right operand is operand i */
		first = first->u.bin.lhs;
	}
	bool brk = nops >= 2 && cur_col(p) + flat_width(p->a, cl->expr, 0) > FMT_WIDTH;
	for (i = 1; i < nops && !brk; i++) {
		const struct ast_expr *prev = i == 1 ? first : ands[i - 1]->u.bin.rhs;
		struct span gap = { cl->span.file, prev->span.end, ands[i]->u.bin.op_span.start };
		if (gap.start)
			gap.start--;    /* comment_inside looks strictly after start */
		brk = comment_inside(p, gap);
	}
	if (!brk) {
		put_expr(p, cl->expr, 0);
		return;
	}
	put_expr(p, first, 2);
	int cont = p->indent + (int)strlen(kw) - 3;
	for (i = 1; i < nops; i++) {
		end_line(p);
		flush_before(p, ands[i]->u.bin.op_span.start);
		begin_at(p, cont);
		buf_puts(&p->cur, "and ");
		put_expr(p, ands[i]->u.bin.rhs, 3);
	}
}

static void put_entity(struct printer *p, const char *kw, const struct ast_entity *en)
{
	buf_puts(&p->cur, kw);
	buf_putc(&p->cur, ' ');
	buf_put(&p->cur, en->type.name, en->type.len);
	buf_putc(&p->cur, ' ');
	put_string(&p->cur, en->id.name, en->id.len);
	if (en->attrs) {
		buf_putc(&p->cur, ' ');
		put_value(p, en->attrs, 0);
	}
}

/* Print one part on the current (open) line. */
static void put_part(struct printer *p, struct body *b, const struct part *pt)
{
	const struct ast_rule *r = b->rule;
	const struct ast_request *q = b->req;
	const struct ast_test *t = b->test;
	struct buf *s = &p->cur;
	switch (pt->kind) {
	case K_PRINCIPAL:
	case K_RESOURCE: {
		const struct ast_type_scope *sc = pt->kind == K_PRINCIPAL ? &r->principal : &r->resource;
		buf_puts(s, pt->kind == K_PRINCIPAL ? "principal is " : "resource is ");
		put_names(s, sc->types, sc->n, " | ", false);
		break;
	}
	case K_ACTION:
		if (r->action.is_in || r->action.n != 1) {
			buf_puts(s, "action in [");
			put_names(s, r->action.actions, r->action.n, ", ", true);
			buf_putc(s, ']');
		} else {
			buf_puts(s, "action == ");
			put_names(s, r->action.actions, 1, "", true);
		}
		break;
	case K_WHEN:
	case K_UNLESS:
		put_clause(p, &r->clauses[pt->idx]);
		break;
	case K_REQ_PRINCIPAL:
		put_entity(p, "principal", &q->principal);
		break;
	case K_REQ_ACTION:
		buf_puts(s, "action ");
		put_string(s, q->action.name, q->action.len);
		break;
	case K_REQ_RESOURCE:
		put_entity(p, "resource", &q->resource);
		break;
	case K_REQ_CONTEXT:
		buf_puts(s, "context ");
		put_value(p, q->context, 0);
		break;
	case K_REQ_AT:
	case K_AT:
		buf_puts(s, "at ");
		put_expr(p, pt->kind == K_AT ? t->at : q->at, 8);
		break;
	case K_GIVEN:
		buf_puts(s, "given ");
		buf_put(s, t->given.name, t->given.len);
		break;
	case K_WITH:
		buf_puts(s, pt->idx == 0 || b->split_with ? "with " : ", ");
		flush_before(p, t->withs[pt->idx].span.start);
		put_path(s, &t->withs[pt->idx].path);
		buf_puts(s, " = ");
		put_expr(p, t->withs[pt->idx].value, 0);
		break;
	case K_WITHOUT:
		buf_puts(s, pt->idx == 0 ? "without " : ", ");
		flush_before(p, t->withouts[pt->idx].span.start);
		put_path(s, &t->withouts[pt->idx]);
		break;
	case K_VERDICT:
		buf_puts(s, ast_verdict_str(b->assertion->verdict));
		break;
	case K_EXPECT:
		buf_puts(s, t->expect_allow ? "expect allow" : "expect deny");
		if (t->by == EXPECT_DEFAULT)
			buf_puts(s, " by default");
		else if (t->by == EXPECT_RULES) {
			buf_puts(s, " by ");
			put_names(s, t->by_rules, t->nby_rules, ", ", false);
		}
		break;
	}
}

/* Does the part continue on the line of the next one (with, without)? */
static bool joins_next(const struct body *b, const struct part *pt)
{
	if (pt->kind == K_WITH)
		return !b->split_with && pt->idx + 1 < b->test->nwiths;
	if (pt->kind == K_WITHOUT)
		return pt->idx + 1 < b->test->nwithouts;
	return false;
}

/*
 * Print `header` (an open line, e.g. "permit x {"), the body's parts in
 * their order, each on its own line, and the closing brace.  The body's
 * comments are those before `close` (the closing brace's offset) not yet
 * printed.
 */
static void put_body(struct printer *p, struct body *b, uint32_t close)
{
	size_t lo = p->cnext, hi = comment_at(p->f, close);
	if (hi < lo)
		hi = lo;
	if (hi > p->chi)
		hi = p->chi;
	size_t head_hi, tail_lo;
	share_comments(p, b, lo, hi, close, &head_hi, &tail_lo);
	end_line(p);
	size_t save_hi = p->chi;
	p->cnext = lo;
	p->chi = head_hi;
	p->indent += 2;
	flush_window(p);
	bool open = false;
	for (size_t i = 0; i < b->n; i++) {
		const struct part *pt = &b->parts[i];
		p->cnext = pt->clo;
		p->chi = pt->chi;
		flush_before(p, pt->start);
		if (!open)
			begin(p);
		put_part(p, b, pt);
		flush_window(p);
		open = joins_next(b, pt);
		if (!open)
			end_line(p);
	}
	end_line(p);
	p->cnext = tail_lo;
	p->chi = hi;
	flush_window(p);
	p->indent -= 2;
	p->cnext = hi;
	p->chi = save_hi;
	begin(p);
	buf_putc(&p->cur, '}');
	end_line(p);
}

static void add_request_parts(struct printer *p, struct body *b, const struct ast_request *q)
{
	b->req = q;
	if (q->has_principal)
		add_part(p, b, K_REQ_PRINCIPAL, 0, q->principal.span);
	if (q->has_action)
		add_part(p, b, K_REQ_ACTION, 0, q->action.span);
	if (q->has_resource)
		add_part(p, b, K_REQ_RESOURCE, 0, q->resource.span);
	if (q->has_context && q->context)
		add_part(p, b, K_REQ_CONTEXT, 0, q->context_span);
	if (q->at)
		add_part(p, b, K_REQ_AT, 0, q->at->span);
}

/* ---- items ----------------------------------------------------------------- */

static void put_rule(struct printer *p, const struct ast_rule *r)
{
	for (size_t i = 0; i < r->nannotations; i++) {
		const struct ast_annotation *an = &r->annotations[i];
		flush_before(p, an->span.start);
		begin(p);
		buf_putc(&p->cur, '@');
		buf_puts(&p->cur, an->name);
		buf_putc(&p->cur, '(');
		put_string(&p->cur, an->value, an->value_len);
		buf_putc(&p->cur, ')');
		flush_before(p, an->span.end);
		end_line(p);
	}
	flush_before(p, r->effect_span.start);
	begin(p);
	buf_puts(&p->cur, r->effect == EFFECT_PERMIT ? "permit " : "forbid ");
	buf_puts(&p->cur, r->name);
	buf_puts(&p->cur, " {");
	flush_before(p, r->name_span.end);
	struct body b = { .rule = r };
	if (r->principal.present)
		add_part(p, &b, K_PRINCIPAL, 0, r->principal.span);
	if (r->action.present)
		add_part(p, &b, K_ACTION, 0, r->action.span);
	if (r->resource.present)
		add_part(p, &b, K_RESOURCE, 0, r->resource.span);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nclauses; i++)
			if (r->clauses[i].is_unless == (pass == 1))
				add_part(p, &b, pass ? K_UNLESS : K_WHEN, i, r->clauses[i].span);
	put_body(p, &b, r->span.end ? r->span.end - 1 : 0);
}

static void put_request(struct printer *p, const struct ast_request *q)
{
	begin(p);
	buf_puts(&p->cur, "request ");
	buf_puts(&p->cur, q->name);
	buf_puts(&p->cur, " {");
	flush_before(p, q->name_span.end);
	struct body b = { 0 };
	add_request_parts(p, &b, q);
	put_body(p, &b, q->span.end ? q->span.end - 1 : 0);
}

static void put_test(struct printer *p, const struct ast_test *t)
{
	begin(p);
	buf_puts(&p->cur, "test ");
	put_string(&p->cur, t->name, t->name_len);
	buf_puts(&p->cur, " {");
	flush_before(p, t->name_span.end);
	struct body b = { .test = t };
	if (t->inline_req)
		add_request_parts(p, &b, t->inline_req);
	if (t->given.name)
		add_part(p, &b, K_GIVEN, 0, t->given.span);
	size_t with_w = 0;
	for (size_t i = 0; i < t->nwiths; i++) {
		add_part(p, &b, K_WITH, i, t->withs[i].span);
		struct buf path = BUF_ARENA(p->a);
		put_path(&path, &t->withs[i].path);
		with_w += 2 + utf8_count(path.p, path.n) + 3 + flat_width(p->a, t->withs[i].value, 0);
	}
	b.split_with = (size_t)p->indent + 2 + 3 + with_w > FMT_WIDTH;
	for (size_t i = 0; i < t->nwithouts; i++)
		add_part(p, &b, K_WITHOUT, i, t->withouts[i].span);
	if (t->at)
		add_part(p, &b, K_AT, 0, t->at->span);
	if (t->has_expect)
		add_part(p, &b, K_EXPECT, 0, t->expect_span);
	put_body(p, &b, t->span.end ? t->span.end - 1 : 0);
}

/* assert "name" { scope, the verdict, when, unless }: the canonical order. */
static void put_assert(struct printer *p, const struct ast_assert *a)
{
	const struct ast_rule *r = a->cond;
	begin(p);
	buf_puts(&p->cur, "assert ");
	put_string(&p->cur, a->name, a->name_len);
	buf_puts(&p->cur, " {");
	flush_before(p, a->name_span.end);
	struct body b = { .rule = r, .assertion = a };
	if (r->principal.present)
		add_part(p, &b, K_PRINCIPAL, 0, r->principal.span);
	if (r->action.present)
		add_part(p, &b, K_ACTION, 0, r->action.span);
	if (r->resource.present)
		add_part(p, &b, K_RESOURCE, 0, r->resource.span);
	if (a->verdict != VERDICT_NONE)
		add_part(p, &b, K_VERDICT, 0, a->verdict_span);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nclauses; i++)
			if (r->clauses[i].is_unless == (pass == 1))
				add_part(p, &b, pass ? K_UNLESS : K_WHEN, i, r->clauses[i].span);
	put_body(p, &b, a->span.end ? a->span.end - 1 : 0);
}

static void put_const(struct printer *p, const struct ast_const *c)
{
	begin(p);
	buf_puts(&p->cur, "const ");
	buf_puts(&p->cur, c->name);
	buf_puts(&p->cur, " = ");
	put_value(p, c->value, 1);
	buf_putc(&p->cur, ';');
	end_line(p);
}

static struct span item_span(const struct ast_item *it)
{
	switch (it->kind) {
	case ITEM_CONST: return it->u.c->span;
	case ITEM_RULE: return it->u.rule->span;
	case ITEM_REQUEST: return it->u.request->span;
	case ITEM_TEST: return it->u.test->span;
	case ITEM_ASSERT: return it->u.assert->span;
	}
	return (struct span){ 0, 0, 0 };
}

/* ---- the file ---------------------------------------------------------------- */

enum top_prev { TOP_NONE, TOP_PACKAGE, TOP_ITEM, TOP_COMMENT };

struct top {
	enum top_prev prev;
	uint32_t prev_end;
};

/* Is there an empty line in the source between `from` and `to`? */
static bool source_blank(const struct src_file *sf, uint32_t from, uint32_t to)
{
	bool newline = false;
	if (to > sf->len)
		to = (uint32_t)sf->len;
	for (uint32_t i = from; i < to; i++) {
		char ch = sf->text[i];
		if (ch == '\n') {
			if (newline)
				return true;
			newline = true;
		} else if (ch != ' ' && ch != '\t' && ch != '\r') {
			newline = false;
		}
	}
	return false;
}

/* Do the comments from index k on lead straight into the item at `pos`
 * (no empty line among them or before the item)? */
static bool leads_item(const struct printer *p, size_t k, uint32_t pos)
{
	if (pos == UINT32_MAX)
		return false;
	for (; k < p->chi && p->f->comments[k].span.start < pos; k++) {
		uint32_t next = k + 1 < p->chi && p->f->comments[k + 1].span.start < pos
				? p->f->comments[k + 1].span.start : pos;
		if (source_blank(p->sf, p->f->comments[k].span.end, next))
			return false;
	}
	return true;
}

/*
 * Top-level comments before `pos` (an item's start, or UINT32_MAX at the
 * end).  One empty line follows the package line and separates items.
 * Before a comment, the source's empty line (at most one) is kept, and one
 * is added when the comment follows an item and leads straight into the
 * next one, so that it stays with the item it describes.
 */
static void top_comments(struct printer *p, struct top *t, uint32_t pos)
{
	while (p->cnext < p->chi && p->f->comments[p->cnext].span.start < pos) {
		const struct ast_comment *c = &p->f->comments[p->cnext];
		if (c->own_line || !p->has_last || !p->last_open) {
			p->blank_pending = t->prev == TOP_PACKAGE ||
					   (t->prev == TOP_ITEM && leads_item(p, p->cnext, pos)) ||
					   (t->prev != TOP_NONE &&
					    source_blank(p->sf, t->prev_end, c->span.start));
			t->prev = TOP_COMMENT;
		}
		p->cnext++;
		place(p, c);
		t->prev_end = c->span.end;
	}
}

static void top_item(struct printer *p, struct top *t, uint32_t start)
{
	top_comments(p, t, start);
	p->blank_pending = t->prev == TOP_ITEM || t->prev == TOP_PACKAGE ||
			   (t->prev == TOP_COMMENT && source_blank(p->sf, t->prev_end, start));
}

char *fmt_file(struct arena *a, const struct srcset *src, const struct ast_file *f,
	       size_t *len_out)
{
	struct printer p = { .a = a, .f = f, .sf = srcset_file(src, f->file) };
	p.out = p.last = p.cur = (struct buf)BUF_ARENA(a);
	p.chi = f->ncomments;
	struct top t = { TOP_NONE, 0 };
	if (f->package) {
		top_item(&p, &t, f->package_span.start);
		begin(&p);
		buf_puts(&p.cur, "package ");
		buf_puts(&p.cur, f->package);
		buf_putc(&p.cur, ';');
		end_line(&p);
		t.prev = TOP_PACKAGE;
		t.prev_end = f->package_span.end;
	}
	for (size_t i = 0; i < f->nitems; i++) {
		const struct ast_item *it = &f->items[i];
		struct span s = item_span(it);
		top_item(&p, &t, s.start);
		switch (it->kind) {
		case ITEM_CONST: put_const(&p, it->u.c); break;
		case ITEM_RULE: put_rule(&p, it->u.rule); break;
		case ITEM_REQUEST: put_request(&p, it->u.request); break;
		case ITEM_TEST: put_test(&p, it->u.test); break;
		case ITEM_ASSERT: put_assert(&p, it->u.assert); break;
		}
		t.prev = TOP_ITEM;
		t.prev_end = s.end;
	}
	top_comments(&p, &t, UINT32_MAX);
	end_line(&p);
	if (p.has_last) {
		buf_put(&p.out, p.last.p, p.last.n);
		buf_putc(&p.out, '\n');
	}
	if (!p.out.p)
		buf_put(&p.out, "", 0);
	*len_out = p.out.n;
	return p.out.p;
}

/* ---- the proofs ------------------------------------------------------------- */

bool fmt_same_meaning(struct arena *a, const struct ast_file *f, const struct ast_file *g)
{
	struct ast_file nf = *f;
	nf.items = arena_calloc(a, f->nitems ? f->nitems : 1, sizeof(*nf.items));
	for (size_t i = 0; i < f->nitems; i++) {
		nf.items[i] = f->items[i];
		if (f->items[i].kind != ITEM_RULE && f->items[i].kind != ITEM_ASSERT)
			continue;
		const struct ast_rule *r = f->items[i].kind == ITEM_RULE ? f->items[i].u.rule
									 : f->items[i].u.assert->cond;
		struct ast_rule *nr = arena_alloc(a, sizeof(*nr));
		*nr = *r;
		nr->clauses = arena_calloc(a, r->nclauses ? r->nclauses : 1, sizeof(*nr->clauses));
		size_t k = 0;
		for (int pass = 0; pass < 2; pass++)
			for (size_t j = 0; j < r->nclauses; j++)
				if (r->clauses[j].is_unless == (pass == 1))
					nr->clauses[k++] = r->clauses[j];
		if (f->items[i].kind == ITEM_RULE) {
			nf.items[i].u.rule = nr;
		} else {        /* an assertion: its conditions as a rule's */
			struct ast_assert *na = arena_alloc(a, sizeof(*na));
			*na = *f->items[i].u.assert;
			na->cond = nr;
			nf.items[i].u.assert = na;
		}
	}
	return ast_file_equal(&nf, g);
}

static int cmp_text(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Do f and g hold the same comments (as a multiset: reordered clauses
 * carry theirs along)? */
static bool same_comments(struct arena *a, const struct srcset *src, const struct ast_file *f,
			  const struct ast_file *g)
{
	size_t n = f->ncomments;
	if (n != g->ncomments)
		return false;
	if (!n)
		return true;
	const struct src_file *sf = srcset_file(src, f->file), *sg = srcset_file(src, g->file);
	char **x = arena_calloc(a, n, sizeof(*x)), **y = arena_calloc(a, n, sizeof(*y));
	for (size_t i = 0; i < n; i++) {
		x[i] = comment_text(a, sf, &f->comments[i]);
		y[i] = comment_text(a, sg, &g->comments[i]);
	}
	qsort(x, n, sizeof(*x), cmp_text);
	qsort(y, n, sizeof(*y), cmp_text);
	for (size_t i = 0; i < n; i++)
		if (strcmp(x[i], y[i]))
			return false;
	return true;
}

enum fmt_status fmt_source(struct arena *a, struct srcset *src, uint32_t file,
			   struct diag_list *diags, char **out, size_t *out_len)
{
	struct ast_file *f = NULL, *g = NULL;
	if (ast_parse(a, src, file, diags, &f) || f->nerrors)
		return FMT_SYNTAX;
	size_t len = 0;
	char *text = fmt_file(a, src, f, &len);
	struct diag_list scratch;
	diag_list_init(&scratch, a);
	uint32_t id = srcset_add(src, srcset_file(src, file)->name, text, len);
	if (ast_parse(a, src, id, &scratch, &g) || g->nerrors)
		return FMT_UNSAFE;
	if (!fmt_same_meaning(a, f, g) || !same_comments(a, src, f, g))
		return FMT_UNSAFE;
	size_t len2 = 0;
	char *again = fmt_file(a, src, g, &len2);
	if (len2 != len || memcmp(again, text, len))
		return FMT_UNSAFE;
	*out = text;
	*out_len = len;
	return FMT_OK;
}
