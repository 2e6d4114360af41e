/*
 * ast_find.c: the syntax tree at an offset, and a walk over every
 * expression (see ast_find.h).
 */
#include "ast_find.h"

#include <string.h>

static bool in(struct span s, uint32_t off)
{
	return s.start <= off && off <= s.end && !(s.start == 0 && s.end == 0 && off > 0);
}

/* ---- walking expressions ----------------------------------------------------- */

struct walk {
	int (*fn)(const struct ast_expr *e, const struct ast_item *item, void *arg);
	void *arg;
	const struct ast_item *item;
};

static int walk_expr(struct walk *w, const struct ast_expr *e)
{
	if (!e)
		return 0;
	int rc = w->fn(e, w->item, w->arg);
	if (rc)
		return rc;
	switch (e->kind) {
	case EX_SET:
		for (size_t i = 0; i < e->u.list.n; i++)
			if ((rc = walk_expr(w, e->u.list.items[i])))
				return rc;
		return 0;
	case EX_RECORD:
		for (size_t i = 0; i < e->u.rec.n; i++)
			if ((rc = walk_expr(w, e->u.rec.fields[i].value)))
				return rc;
		return 0;
	case EX_ATTR:
	case EX_HAS:
		return walk_expr(w, e->u.attr.base);
	case EX_CALL:
		if ((rc = walk_expr(w, e->u.call.base)))
			return rc;
		for (size_t i = 0; i < e->u.call.nargs; i++)
			if ((rc = walk_expr(w, e->u.call.args[i])))
				return rc;
		return 0;
	case EX_LIKE:
	case EX_BINARY:
		if ((rc = walk_expr(w, e->u.bin.lhs)))
			return rc;
		return walk_expr(w, e->u.bin.rhs);
	case EX_NOT:
	case EX_NEG:
		return walk_expr(w, e->u.un.operand);
	default:
		return 0;
	}
}

static int walk_request(struct walk *w, const struct ast_request *r)
{
	int rc;
	if (!r)
		return 0;
	if ((rc = walk_expr(w, r->principal.attrs)) || (rc = walk_expr(w, r->resource.attrs)) ||
	    (rc = walk_expr(w, r->context)))
		return rc;
	return walk_expr(w, r->at);
}

int ast_walk_exprs(const struct ast_file *f,
		   int (*fn)(const struct ast_expr *e, const struct ast_item *item, void *arg),
		   void *arg)
{
	struct walk w = { fn, arg, NULL };
	int rc = 0;
	for (size_t i = 0; !rc && i < f->nitems; i++) {
		const struct ast_item *it = &f->items[i];
		w.item = it;
		switch (it->kind) {
		case ITEM_CONST:
			rc = walk_expr(&w, it->u.c->value);
			break;
		case ITEM_RULE:
			for (size_t k = 0; !rc && k < it->u.rule->nclauses; k++)
				rc = walk_expr(&w, it->u.rule->clauses[k].expr);
			break;
		case ITEM_REQUEST:
			rc = walk_request(&w, it->u.request);
			break;
		case ITEM_TEST: {
			const struct ast_test *t = it->u.test;
			rc = walk_request(&w, t->inline_req);
			for (size_t k = 0; !rc && k < t->nwiths; k++)
				rc = walk_expr(&w, t->withs[k].value);
			if (!rc)
				rc = walk_expr(&w, t->at);
			break;
		}
		case ITEM_ASSERT: {
			const struct ast_rule *c = it->u.assert->cond;
			for (size_t k = 0; c && !rc && k < c->nclauses; k++)
				rc = walk_expr(&w, c->clauses[k].expr);
			break;
		}
		}
	}
	return rc;
}

/* ---- finding ------------------------------------------------------------------ */

/* The innermost expression of `e` holding `off`, or NULL. */
static const struct ast_expr *deepest(const struct ast_expr *e, uint32_t off)
{
	if (!e || !in(e->span, off))
		return NULL;
	const struct ast_expr *kids[2] = { NULL, NULL };
	switch (e->kind) {
	case EX_SET:
		for (size_t i = 0; i < e->u.list.n; i++) {
			const struct ast_expr *d = deepest(e->u.list.items[i], off);
			if (d)
				return d;
		}
		return e;
	case EX_RECORD:
		for (size_t i = 0; i < e->u.rec.n; i++) {
			const struct ast_expr *d = deepest(e->u.rec.fields[i].value, off);
			if (d)
				return d;
		}
		return e;
	case EX_ATTR:
	case EX_HAS:
		if (in(e->u.attr.name_span, off))
			return e;
		kids[0] = e->u.attr.base;
		break;
	case EX_CALL:
		if (in(e->u.call.name_span, off))
			return e;
		for (size_t i = 0; i < e->u.call.nargs; i++) {
			const struct ast_expr *d = deepest(e->u.call.args[i], off);
			if (d)
				return d;
		}
		kids[0] = e->u.call.base;
		break;
	case EX_LIKE:
	case EX_BINARY:
		kids[0] = e->u.bin.lhs;
		kids[1] = e->u.bin.rhs;
		break;
	case EX_NOT:
	case EX_NEG:
		kids[0] = e->u.un.operand;
		break;
	default:
		break;
	}
	for (int i = 0; i < 2; i++) {
		const struct ast_expr *d = deepest(kids[i], off);
		if (d)
			return d;
	}
	return e;
}

static bool hit_expr(struct ast_hit *h, const struct ast_expr *e, uint32_t off)
{
	const struct ast_expr *d = deepest(e, off);
	if (!d)
		return false;
	h->kind = HIT_EXPR;
	h->expr = d;
	return true;
}

static bool hit_name(struct ast_hit *h, enum ast_hit_kind kind, const struct ast_name *n,
		     uint32_t off)
{
	if (!n || !n->name || !in(n->span, off))
		return false;
	h->kind = kind;
	h->name = n;
	return true;
}

static bool find_rule(const struct ast_rule *r, uint32_t off, struct ast_hit *h)
{
	for (size_t i = 0; i < r->nannotations; i++)
		if (in(r->annotations[i].span, off)) {
			h->kind = HIT_ANNOTATION;
			h->annotation = &r->annotations[i];
			return true;
		}
	if (r->name && in(r->name_span, off)) {
		h->kind = HIT_RULE_NAME;
		return true;
	}
	const struct ast_type_scope *sc[2] = { &r->principal, &r->resource };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; sc[k]->present && i < sc[k]->n; i++)
			if (hit_name(h, HIT_SCOPE_TYPE, &sc[k]->types[i], off)) {
				h->var = k ? VAR_RESOURCE : VAR_PRINCIPAL;
				return true;
			}
	for (size_t i = 0; r->action.present && i < r->action.n; i++)
		if (hit_name(h, HIT_SCOPE_ACTION, &r->action.actions[i], off))
			return true;
	for (size_t i = 0; i < r->nclauses; i++)
		if (hit_expr(h, r->clauses[i].expr, off))
			return true;
	if (in(r->effect_span, off)) {
		h->kind = HIT_RULE_NAME;
		return true;
	}
	return false;
}

static bool find_entity(const struct ast_entity *e, enum ast_var var, uint32_t off,
			struct ast_hit *h)
{
	if (hit_name(h, HIT_ENTITY_TYPE, &e->type, off)) {
		h->var = var;
		return true;
	}
	return hit_expr(h, e->attrs, off);
}

static bool find_request(const struct ast_request *r, uint32_t off, struct ast_hit *h)
{
	if (!r)
		return false;
	if (r->has_principal && find_entity(&r->principal, VAR_PRINCIPAL, off, h))
		return true;
	if (r->has_resource && find_entity(&r->resource, VAR_RESOURCE, off, h))
		return true;
	if (r->has_action && hit_name(h, HIT_REQUEST_ACTION, &r->action, off))
		return true;
	return hit_expr(h, r->context, off) || hit_expr(h, r->at, off);
}

static bool find_path(const struct ast_path *p, uint32_t off, struct ast_hit *h)
{
	for (size_t i = 0; i < p->nsegs; i++)
		if (in(p->seg_spans[i], off)) {
			h->kind = HIT_PATH;
			h->path = p;
			h->seg = i;
			return true;
		}
	return false;
}

static bool find_test(const struct ast_test *t, uint32_t off, struct ast_hit *h)
{
	if (t->name && in(t->name_span, off)) {
		h->kind = HIT_TEST_NAME;
		return true;
	}
	if (hit_name(h, HIT_GIVEN, &t->given, off) || find_request(t->inline_req, off, h))
		return true;
	for (size_t i = 0; i < t->nwiths; i++)
		if (find_path(&t->withs[i].path, off, h) || hit_expr(h, t->withs[i].value, off))
			return true;
	for (size_t i = 0; i < t->nwithouts; i++)
		if (find_path(&t->withouts[i], off, h))
			return true;
	if (hit_expr(h, t->at, off))
		return true;
	for (size_t i = 0; i < t->nby_rules; i++)
		if (hit_name(h, HIT_BY_RULE, &t->by_rules[i], off))
			return true;
	return false;
}

bool ast_find(const struct ast_file *f, uint32_t offset, struct ast_hit *out)
{
	memset(out, 0, sizeof(*out));
	if (!f)
		return false;
	if (f->package && in(f->package_span, offset)) {
		out->kind = HIT_PACKAGE;
		return true;
	}
	for (size_t i = 0; i < f->nitems; i++) {
		const struct ast_item *it = &f->items[i];
		struct span sp;
		switch (it->kind) {
		case ITEM_CONST: sp = it->u.c->span; break;
		case ITEM_RULE: sp = it->u.rule->span; break;
		case ITEM_REQUEST: sp = it->u.request->span; break;
		case ITEM_TEST: sp = it->u.test->span; break;
		case ITEM_ASSERT: sp = it->u.assert->span; break;
		default: continue;
		}
		/* Annotations come before a rule's span starts. */
		bool annotated = it->kind == ITEM_RULE && it->u.rule->nannotations &&
			in(span_join(sp, it->u.rule->annotations[0].span), offset);
		if (!in(sp, offset) && !annotated)
			continue;
		out->item = it;
		bool found = false;
		switch (it->kind) {
		case ITEM_CONST:
			if (it->u.c->name && in(it->u.c->name_span, offset)) {
				out->kind = HIT_CONST_NAME;
				found = true;
			} else {
				found = hit_expr(out, it->u.c->value, offset);
			}
			break;
		case ITEM_RULE:
			found = find_rule(it->u.rule, offset, out);
			break;
		case ITEM_REQUEST:
			if (it->u.request->name && in(it->u.request->name_span, offset)) {
				out->kind = HIT_REQUEST_NAME;
				found = true;
			} else {
				found = find_request(it->u.request, offset, out);
			}
			break;
		case ITEM_TEST:
			found = find_test(it->u.test, offset, out);
			break;
		case ITEM_ASSERT:
			/* its scope and conditions are a rule's (no annotations) */
			found = it->u.assert->cond && find_rule(it->u.assert->cond, offset, out);
			break;
		}
		if (found)
			return true;
	}
	return false;
}
