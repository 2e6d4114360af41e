/*
 * definition.c: textDocument/definition and textDocument/references.
 *
 * What a position names: a constant (from NAME or pkg.NAME, or its
 * declaration), a rule (from a test's `expect ... by`, or its name), a
 * named request (from `given`, or its name), an attribute (a read or `has`
 * test, or a segment of a test's `with`/`without` path, found at its key
 * in schema.json), an entity type or an action (at
 * their keys in schema.json).  References list every use in the project's
 * policy and test files, sorted by file and position, with the
 * declaration first when the client asks for it.
 */
#include <stdlib.h>
#include <string.h>

#include "json_locate.h"
#include "lsp_int.h"

enum target_kind { T_NONE, T_CONST, T_RULE, T_REQUEST, T_ATTR, T_TYPE, T_ACTION };

struct target {
	enum target_kind kind;
	const struct checked_const *k;
	const struct checked_rule *rule;
	const char *request;
	const struct ast_request *req;
	const struct attr_decl *attr;
	const char *json_path;          /* T_ATTR, T_TYPE, T_ACTION */
	const char *name;               /* T_TYPE, T_ACTION */
};

static struct target target_at(struct lsp_server *s, const struct query *q)
{
	struct target t = { 0 };
	const struct ast_item *it = q->hit.item;
	const struct checked *ck = s->c->checked;
	switch (q->hit.kind) {
	case HIT_EXPR: {
		const struct ast_expr *e = q->hit.expr;
		if ((t.k = query_const(s, q->ast, e)) != NULL) {
			t.kind = T_CONST;
		} else if ((t.attr = query_attr(s, e)) != NULL) {
			t.kind = T_ATTR;
			t.json_path = t.attr->json_path;
		}
		break;
	}
	case HIT_PATH:
		if ((t.attr = query_path_attr(s, it, q->hit.path, q->hit.seg)) != NULL) {
			t.kind = T_ATTR;
			t.json_path = t.attr->json_path;
		}
		break;
	case HIT_CONST_NAME:
		for (size_t i = 0; ck && i < ck->nconsts; i++)
			if (ck->consts[i].decl == it->u.c) {
				t.kind = T_CONST;
				t.k = &ck->consts[i];
			}
		break;
	case HIT_RULE_NAME:
		for (size_t i = 0; ck && i < ck->nrules; i++)
			if (ck->rules[i].rule == it->u.rule) {
				t.kind = T_RULE;
				t.rule = &ck->rules[i];
			}
		break;
	case HIT_BY_RULE:
		if ((t.rule = query_rule(s, q->ast->package, q->hit.name->name)) != NULL)
			t.kind = T_RULE;
		break;
	case HIT_GIVEN:
	case HIT_REQUEST_NAME:
		t.request = q->hit.kind == HIT_GIVEN ? q->hit.name->name : it->u.request->name;
		if ((t.req = query_request(s, t.request, NULL)) != NULL)
			t.kind = T_REQUEST;
		break;
	case HIT_SCOPE_TYPE:
	case HIT_ENTITY_TYPE: {
		const struct entity_type *et = s->c->schema
			? schema_find_type(s->c->schema, q->hit.name->name) : NULL;
		if (et) {
			t.kind = T_TYPE;
			t.json_path = et->json_path;
			t.name = et->name;
		}
		break;
	}
	case HIT_SCOPE_ACTION:
	case HIT_REQUEST_ACTION: {
		const struct action_decl *a = s->c->schema
			? schema_find_action(s->c->schema, q->hit.name->name) : NULL;
		if (a) {
			t.kind = T_ACTION;
			t.json_path = a->json_path;
			t.name = a->name;
		}
		break;
	}
	default:
		break;
	}
	return t;
}

/* The key of a JSON path in the schema file. */
static cJSON *schema_location(struct lsp_server *s, const char *path)
{
	if (!path || !s->c->has_schema)
		return NULL;
	struct src_file *f = srcset_file(&s->c->src, s->c->schema_file);
	struct json_loc loc;
	if (!f || json_locate(f->text, f->len, path, &loc) != 0)
		return NULL;
	struct span sp = { s->c->schema_file, loc.has_key ? loc.key_start : loc.start,
			   loc.has_key ? loc.key_end : loc.start + 1 };
	return check_location(s, sp);
}

static cJSON *decl_location(struct lsp_server *s, const struct target *t)
{
	switch (t->kind) {
	case T_CONST: return check_location(s, t->k->decl->name_span);
	case T_RULE: return check_location(s, t->rule->rule->name_span);
	case T_REQUEST: return check_location(s, t->req->name_span);
	case T_ATTR:
	case T_TYPE:
	case T_ACTION: return schema_location(s, t->json_path);
	default: return NULL;
	}
}

cJSON *lsp_definition(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	if (!query_at(s, params, &q) || !q.ast)
		return NULL;
	struct target t = target_at(s, &q);
	return decl_location(s, &t);
}

/* ---- references ----------------------------------------------------------------------- */

struct refs {
	struct lsp_server *s;
	const struct target *t;
	const struct ast_file *f;
	struct span *spans;
	size_t n, cap;
};

static void ref_add(struct refs *r, struct span sp)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct span *ns = realloc(r->spans, cap * sizeof(*ns));
		if (!ns)
			return;
		r->spans = ns;
		r->cap = cap;
	}
	r->spans[r->n++] = sp;
}

static int ref_expr(const struct ast_expr *e, const struct ast_item *item, void *arg)
{
	(void)item;
	struct refs *r = arg;
	if (r->t->kind == T_CONST && (e->kind == EX_NAME || e->ref_kind == REF_CONST) &&
	    query_const(r->s, r->f, e) == r->t->k)
		ref_add(r, e->span);
	else if (r->t->kind == T_ATTR && (e->kind == EX_ATTR || e->kind == EX_HAS) &&
		 e->ref_kind != REF_CONST && query_attr(r->s, e) == r->t->attr)
		ref_add(r, e->u.attr.name_span);
	return 0;
}

static void ref_names(struct refs *r, const struct ast_name *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (names[i].name && !strcmp(names[i].name, r->t->name))
			ref_add(r, names[i].span);
}

static void ref_file(struct refs *r, const struct ast_file *f)
{
	r->f = f;
	ast_walk_exprs(f, ref_expr, r);
	for (size_t i = 0; i < f->nitems; i++) {
		const struct ast_item *it = &f->items[i];
		if (it->kind == ITEM_TEST) {
			const struct ast_test *t = it->u.test;
			if (r->t->kind == T_RULE)
				for (size_t k = 0; k < t->nby_rules; k++)
					if (query_rule(r->s, f->package, t->by_rules[k].name) == r->t->rule)
						ref_add(r, t->by_rules[k].span);
			if (r->t->kind == T_REQUEST && t->given.name &&
			    !strcmp(t->given.name, r->t->request))
				ref_add(r, t->given.span);
			if (r->t->kind == T_ATTR) {
				for (size_t k = 0; k < t->nwiths + t->nwithouts; k++) {
					const struct ast_path *p = k < t->nwiths ? &t->withs[k].path
						: &t->withouts[k - t->nwiths];
					for (size_t g = 0; g < p->nsegs; g++)
						if (query_path_attr(r->s, it, p, g) == r->t->attr)
							ref_add(r, p->seg_spans[g]);
				}
			}
			const struct ast_request *rq = t->inline_req;
			if (rq && r->t->kind == T_TYPE) {
				if (rq->has_principal)
					ref_names(r, &rq->principal.type, 1);
				if (rq->has_resource)
					ref_names(r, &rq->resource.type, 1);
			}
			if (rq && r->t->kind == T_ACTION && rq->has_action)
				ref_names(r, &rq->action, 1);
		} else if (it->kind == ITEM_REQUEST) {
			const struct ast_request *rq = it->u.request;
			if (r->t->kind == T_TYPE) {
				if (rq->has_principal)
					ref_names(r, &rq->principal.type, 1);
				if (rq->has_resource)
					ref_names(r, &rq->resource.type, 1);
			}
			if (r->t->kind == T_ACTION && rq->has_action)
				ref_names(r, &rq->action, 1);
		} else if (it->kind == ITEM_RULE) {
			const struct ast_rule *ru = it->u.rule;
			if (r->t->kind == T_TYPE) {
				ref_names(r, ru->principal.types, ru->principal.present ? ru->principal.n : 0);
				ref_names(r, ru->resource.types, ru->resource.present ? ru->resource.n : 0);
			}
			if (r->t->kind == T_ACTION && ru->action.present)
				ref_names(r, ru->action.actions, ru->action.n);
		}
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

cJSON *lsp_references(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	if (!query_at(s, params, &q) || !q.ast)
		return NULL;
	struct target t = target_at(s, &q);
	if (t.kind == T_NONE)
		return NULL;
	cJSON *out = cJSON_CreateArray();
	const cJSON *ctx = json_obj(params, "context");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "includeDeclaration"))) {
		cJSON *d = decl_location(s, &t);
		if (d)
			cJSON_AddItemToArray(out, d);
	}
	struct refs r = { s, &t, NULL, NULL, 0, 0 };
	for (size_t i = 0; i < s->c->nfiles; i++)
		if (s->c->files[i])
			ref_file(&r, s->c->files[i]);
	if (r.n)
		qsort(r.spans, r.n, sizeof(*r.spans), span_cmp);
	for (size_t i = 0; i < r.n; i++) {
		cJSON *loc = check_location(s, r.spans[i]);
		if (loc)
			cJSON_AddItemToArray(out, loc);
	}
	free(r.spans);
	return out;
}
