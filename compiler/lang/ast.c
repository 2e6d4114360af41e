/*
 * ast.c: AST constructors, guards and structural equality (see ast.h).
 */
#include "ast.h"

#include <string.h>

struct ast_expr *ast_expr_new(struct arena *a, enum ast_expr_kind kind, struct span span)
{
	struct ast_expr *e = arena_alloc(a, sizeof(*e));
	e->kind = kind;
	e->span = span;
	e->depth = 1;
	return e;
}

struct ast_expr *ast_binary(struct arena *a, enum ast_binop op, struct ast_expr *lhs,
			    struct ast_expr *rhs, struct span op_span)
{
	struct ast_expr *e = ast_expr_new(a, EX_BINARY, span_join(lhs->span, rhs->span));
	e->u.bin.op = op;
	e->u.bin.lhs = lhs;
	e->u.bin.rhs = rhs;
	e->u.bin.op_span = op_span;
	e->depth = (lhs->depth > rhs->depth ? lhs->depth : rhs->depth) + 1;
	return e;
}

struct ast_expr *ast_unary(struct arena *a, enum ast_expr_kind kind, struct ast_expr *operand,
			   struct span span)
{
	struct ast_expr *e = ast_expr_new(a, kind, span);
	e->u.un.operand = operand;
	e->depth = operand->depth + 1;
	return e;
}

/* Walk the left spine of an `and` chain iteratively (chains may be long). */
static void collect_and(struct arena *a, const struct ast_expr *e, size_t clause,
			struct ast_guard **arr, size_t *n, size_t *cap)
{
	/* The operands of a left-associated chain a and b and c, in order. */
	size_t depth = 0;
	const struct ast_expr *p = e;
	while (p->kind == EX_BINARY && p->u.bin.op == BIN_AND) {
		depth++;
		p = p->u.bin.lhs;
	}
	size_t count = depth + 1;
	if (*n + count > *cap) {
		size_t ncap = (*n + count) * 2;
		*arr = arena_grow(a, *arr, *n, ncap, sizeof(**arr));
		*cap = ncap;
	}
	/* Fill from the right: the rightmost operand is e's rhs. */
	size_t base = *n;
	p = e;
	for (size_t i = count; i-- > 1;) {
		(*arr)[base + i].expr = p->u.bin.rhs;
		(*arr)[base + i].is_unless = false;
		(*arr)[base + i].clause = clause;
		p = p->u.bin.lhs;
	}
	(*arr)[base].expr = p;
	(*arr)[base].is_unless = false;
	(*arr)[base].clause = clause;
	*n += count;
}

size_t ast_rule_guards(struct arena *a, const struct ast_rule *rule, struct ast_guard **out)
{
	struct ast_guard *arr = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < rule->nclauses; i++)
		if (!rule->clauses[i].is_unless)
			collect_and(a, rule->clauses[i].expr, i, &arr, &n, &cap);
	for (size_t i = 0; i < rule->nclauses; i++) {
		if (!rule->clauses[i].is_unless)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			arr = arena_grow(a, arr, n, ncap, sizeof(*arr));
			cap = ncap;
		}
		arr[n].expr = rule->clauses[i].expr;
		arr[n].is_unless = true;
		arr[n].clause = i;
		n++;
	}
	*out = arr;
	return n;
}

/* ---- equality ------------------------------------------------------------ */

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool bytes_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || !memcmp(a, b, alen));
}

static bool name_eq(const struct ast_name *a, const struct ast_name *b)
{
	if (!a->name || !b->name)
		return a->name == b->name;
	return bytes_eq(a->name, a->len, b->name, b->len);
}

bool ast_expr_equal(const struct ast_expr *a, const struct ast_expr *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case EX_BOOL:
		return a->u.b == b->u.b;
	case EX_INT:
	case EX_DURATION:
		return a->u.num.value == b->u.num.value && a->u.num.overflow == b->u.num.overflow;
	case EX_STRING:
		return bytes_eq(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len);
	case EX_TIME:
	case EX_IP:
		return bytes_eq(a->u.lit.text, a->u.lit.len, b->u.lit.text, b->u.lit.len);
	case EX_SET:
		if (a->u.list.n != b->u.list.n)
			return false;
		for (size_t i = 0; i < a->u.list.n; i++)
			if (!ast_expr_equal(a->u.list.items[i], b->u.list.items[i]))
				return false;
		return true;
	case EX_RECORD:
		if (a->u.rec.n != b->u.rec.n)
			return false;
		for (size_t i = 0; i < a->u.rec.n; i++)
			if (!str_eq(a->u.rec.fields[i].name, b->u.rec.fields[i].name) ||
			    !ast_expr_equal(a->u.rec.fields[i].value, b->u.rec.fields[i].value))
				return false;
		return true;
	case EX_VAR:
		return a->u.var == b->u.var;
	case EX_NAME:
		return str_eq(a->u.name.name, b->u.name.name);
	case EX_ATTR:
	case EX_HAS:
		return str_eq(a->u.attr.name, b->u.attr.name) &&
		       ast_expr_equal(a->u.attr.base, b->u.attr.base);
	case EX_CALL:
		if (!str_eq(a->u.call.name, b->u.call.name) || a->u.call.nargs != b->u.call.nargs ||
		    !ast_expr_equal(a->u.call.base, b->u.call.base))
			return false;
		for (size_t i = 0; i < a->u.call.nargs; i++)
			if (!ast_expr_equal(a->u.call.args[i], b->u.call.args[i]))
				return false;
		return true;
	case EX_LIKE:
	case EX_BINARY:
		return a->u.bin.op == b->u.bin.op && ast_expr_equal(a->u.bin.lhs, b->u.bin.lhs) &&
		       ast_expr_equal(a->u.bin.rhs, b->u.bin.rhs);
	case EX_NOT:
	case EX_NEG:
		return ast_expr_equal(a->u.un.operand, b->u.un.operand);
	}
	return false;
}

static bool names_eq(const struct ast_name *a, size_t an, const struct ast_name *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (!name_eq(&a[i], &b[i]))
			return false;
	return true;
}

static bool rule_equal(const struct ast_rule *a, const struct ast_rule *b)
{
	if (a->effect != b->effect || !str_eq(a->name, b->name) ||
	    a->nannotations != b->nannotations || a->nclauses != b->nclauses)
		return false;
	for (size_t i = 0; i < a->nannotations; i++) {
		const struct ast_annotation *x = &a->annotations[i], *y = &b->annotations[i];
		if (!str_eq(x->name, y->name) ||
		    !bytes_eq(x->value, x->value_len, y->value, y->value_len))
			return false;
	}
	if (a->principal.present != b->principal.present || a->resource.present != b->resource.present ||
	    a->action.present != b->action.present)
		return false;
	if (!names_eq(a->principal.types, a->principal.n, b->principal.types, b->principal.n) ||
	    !names_eq(a->resource.types, a->resource.n, b->resource.types, b->resource.n) ||
	    !names_eq(a->action.actions, a->action.n, b->action.actions, b->action.n))
		return false;
	for (size_t i = 0; i < a->nclauses; i++)
		if (a->clauses[i].is_unless != b->clauses[i].is_unless ||
		    !ast_expr_equal(a->clauses[i].expr, b->clauses[i].expr))
			return false;
	return true;
}

bool ast_assert_equal(const struct ast_assert *a, const struct ast_assert *b)
{
	return a->verdict == b->verdict && bytes_eq(a->name, a->name_len, b->name, b->name_len) &&
	       rule_equal(a->cond, b->cond);
}

bool ast_verdict_forbids_allow(enum ast_verdict v)
{
	return v == VERDICT_NEVER_ALLOW || v == VERDICT_ALWAYS_DENY;
}

const char *ast_verdict_str(enum ast_verdict v)
{
	switch (v) {
	case VERDICT_NEVER_ALLOW: return "never allow";
	case VERDICT_ALWAYS_DENY: return "always deny";
	case VERDICT_ALWAYS_ALLOW: return "always allow";
	case VERDICT_NEVER_DENY: return "never deny";
	case VERDICT_NONE: break;
	}
	return "";
}

static bool path_equal(const struct ast_path *a, const struct ast_path *b)
{
	if (a->root != b->root || a->nsegs != b->nsegs)
		return false;
	for (size_t i = 0; i < a->nsegs; i++)
		if (!str_eq(a->segs[i], b->segs[i]))
			return false;
	return true;
}

static bool entity_equal(const struct ast_entity *a, const struct ast_entity *b)
{
	return name_eq(&a->type, &b->type) && name_eq(&a->id, &b->id) &&
	       ast_expr_equal(a->attrs, b->attrs);
}

static bool request_equal(const struct ast_request *a, const struct ast_request *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->name, b->name) && a->has_principal == b->has_principal &&
	       a->has_action == b->has_action && a->has_resource == b->has_resource &&
	       a->has_context == b->has_context && entity_equal(&a->principal, &b->principal) &&
	       entity_equal(&a->resource, &b->resource) && name_eq(&a->action, &b->action) &&
	       ast_expr_equal(a->context, b->context) && ast_expr_equal(a->at, b->at);
}

static bool test_equal(const struct ast_test *a, const struct ast_test *b)
{
	if (!bytes_eq(a->name, a->name_len, b->name, b->name_len) || !name_eq(&a->given, &b->given) ||
	    !request_equal(a->inline_req, b->inline_req) || a->nwiths != b->nwiths ||
	    a->nwithouts != b->nwithouts || !ast_expr_equal(a->at, b->at) ||
	    a->has_expect != b->has_expect || a->expect_allow != b->expect_allow || a->by != b->by ||
	    !names_eq(a->by_rules, a->nby_rules, b->by_rules, b->nby_rules))
		return false;
	for (size_t i = 0; i < a->nwiths; i++)
		if (!path_equal(&a->withs[i].path, &b->withs[i].path) ||
		    !ast_expr_equal(a->withs[i].value, b->withs[i].value))
			return false;
	for (size_t i = 0; i < a->nwithouts; i++)
		if (!path_equal(&a->withouts[i], &b->withouts[i]))
			return false;
	return true;
}

bool ast_file_equal(const struct ast_file *a, const struct ast_file *b)
{
	if (!str_eq(a->package, b->package) || a->nitems != b->nitems)
		return false;
	for (size_t i = 0; i < a->nitems; i++) {
		const struct ast_item *x = &a->items[i], *y = &b->items[i];
		if (x->kind != y->kind)
			return false;
		bool eq = false;
		switch (x->kind) {
		case ITEM_CONST:
			eq = str_eq(x->u.c->name, y->u.c->name) &&
			     ast_expr_equal(x->u.c->value, y->u.c->value);
			break;
		case ITEM_RULE:
			eq = rule_equal(x->u.rule, y->u.rule);
			break;
		case ITEM_REQUEST:
			eq = request_equal(x->u.request, y->u.request);
			break;
		case ITEM_TEST:
			eq = test_equal(x->u.test, y->u.test);
			break;
		case ITEM_ASSERT:
			eq = ast_assert_equal(x->u.assert, y->u.assert);
			break;
		}
		if (!eq)
			return false;
	}
	return true;
}

const char *ast_binop_str(enum ast_binop op)
{
	static const char *const names[] = {
		[BIN_OR] = "or", [BIN_AND] = "and", [BIN_EQ] = "==", [BIN_NE] = "!=",
		[BIN_LT] = "<", [BIN_LE] = "<=", [BIN_GT] = ">", [BIN_GE] = ">=",
		[BIN_IN] = "in", [BIN_ADD] = "+", [BIN_SUB] = "-", [BIN_MUL] = "*",
	};
	return (unsigned)op < sizeof names / sizeof *names ? names[op] : "?";
}

const char *ast_var_str(enum ast_var v)
{
	static const char *const names[] = {
		[VAR_PRINCIPAL] = "principal", [VAR_ACTION] = "action",
		[VAR_RESOURCE] = "resource", [VAR_CONTEXT] = "context", [VAR_NOW] = "now",
	};
	return (unsigned)v < sizeof names / sizeof *names ? names[v] : "?";
}

bool ast_is_test_file_name(const char *name)
{
	size_t n = strlen(name), s = strlen("_test.authz");
	return n >= s && !strcmp(name + n - s, "_test.authz");
}
