/*
 * hover.c: textDocument/hover: what the thing under the cursor is, in
 * Markdown: an attribute's type and its place in the schema, an
 * expression's type, a constant's value, a rule's effect, scope and
 * annotations (also from a test's `by`), a named request's text (also from
 * `given`), an entity type's attributes, an action's principals and
 * resources.
 */
#include <stdlib.h>
#include <string.h>

#include "lsp_int.h"

static void code_block(struct buf *b, const char *text, size_t len)
{
	buf_puts(b, "```authz\n");
	buf_put_utf8(b, text, len);
	if (len && text[len - 1] != '\n')
		buf_putc(b, '\n');
	buf_puts(b, "```\n");
}

static void rule_text(struct lsp_server *s, struct buf *b, const struct checked_rule *cr)
{
	const struct ast_rule *r = cr->rule;
	buf_printf(b, "```authz\n%s %s\n```\n", r->effect == EFFECT_PERMIT ? "permit" : "forbid",
		   cr->id);
	buf_puts(b, "\n");
	if (r->principal.present || r->action.present || r->resource.present) {
		const struct span sc[3] = { r->principal.span, r->action.span, r->resource.span };
		const bool has[3] = { r->principal.present, r->action.present, r->resource.present };
		for (int i = 0; i < 3; i++) {
			if (!has[i])
				continue;
			size_t n;
			const char *t = query_span_text(s, sc[i], &n);
			buf_puts(b, "- `");
			buf_put_utf8(b, t, n);
			buf_puts(b, "`\n");
		}
	} else {
		buf_puts(b, "- no scope: every request\n");
	}
	for (size_t i = 0; i < r->nannotations; i++) {
		const struct ast_annotation *an = &r->annotations[i];
		if (!an->name)
			continue;
		buf_printf(b, "\n@%s: ", an->name);
		buf_put_utf8(b, an->value ? an->value : "", an->value ? an->value_len : 0);
		buf_puts(b, "\n");
	}
}

static void const_text(struct lsp_server *s, struct buf *b, const struct checked_const *k)
{
	buf_printf(b, "```authz\nconst %s%s%s = %s\n```\n", k->package ? k->package : "",
		   k->package ? "." : "", k->name, value_str(&s->c->arena, &k->value, VALUE_AUTHZ));
	if (k->type)
		buf_printf(b, "\ntype `%s`\n", type_str(&s->c->arena, k->type));
}

static void attr_text(struct lsp_server *s, struct buf *b, const struct attr_decl *a)
{
	buf_printf(b, "```authz\n%s%s: %s\n```\n", a->name, a->optional ? "?" : "",
		   type_str(&s->c->arena, a->type));
	if (a->optional)
		buf_printf(b, "\noptional: guard reads with `has %s`\n", a->name);
	if (a->json_path)
		buf_printf(b, "\ndeclared at `%s` in the schema\n", a->json_path);
}

static void entity_text(struct lsp_server *s, struct buf *b, const char *name)
{
	const struct entity_type *t = s->c->schema ? schema_find_type(s->c->schema, name) : NULL;
	if (!t)
		return;
	buf_printf(b, "```authz\nentity %s\n```\n\n", t->name);
	buf_puts(b, "- `id: string`\n");
	for (size_t i = 0; i < t->attrs.n; i++)
		buf_printf(b, "- `%s%s: %s`\n", t->attrs.attrs[i].name,
			   t->attrs.attrs[i].optional ? "?" : "",
			   type_str(&s->c->arena, t->attrs.attrs[i].type));
}

static void action_text(struct lsp_server *s, struct buf *b, const char *name)
{
	const struct action_decl *a = s->c->schema ? schema_find_action(s->c->schema, name) : NULL;
	if (!a)
		return;
	buf_printf(b, "```authz\naction \"%s\"\n```\n\nprincipals: ", a->name);
	for (size_t i = 0; i < a->nprincipals; i++)
		buf_printf(b, "%s`%s`", i ? ", " : "", a->principals[i]->name);
	buf_puts(b, "\n\nresources: ");
	for (size_t i = 0; i < a->nresources; i++)
		buf_printf(b, "%s`%s`", i ? ", " : "", a->resources[i]->name);
	buf_puts(b, "\n");
}

static void request_text(struct lsp_server *s, struct buf *b, const struct ast_request *r)
{
	size_t n;
	const char *t = query_span_text(s, r->span, &n);
	code_block(b, t, n);
}

static const struct checked_rule *rule_of_item(struct lsp_server *s, const struct ast_item *it)
{
	const struct checked *ck = s->c->checked;
	for (size_t i = 0; ck && it && i < ck->nrules; i++)
		if (ck->rules[i].rule == it->u.rule)
			return &ck->rules[i];
	return NULL;
}

static const struct checked_const *const_of_item(struct lsp_server *s, const struct ast_item *it)
{
	const struct checked *ck = s->c->checked;
	for (size_t i = 0; ck && it && i < ck->nconsts; i++)
		if (ck->consts[i].decl == it->u.c)
			return &ck->consts[i];
	return NULL;
}

static void expr_text(struct lsp_server *s, struct buf *b, const struct query *q)
{
	const struct ast_expr *e = q->hit.expr;
	const struct checked_const *k = query_const(s, q->ast, e);
	if (k && e->ref_kind == REF_CONST) {
		const_text(s, b, k);
		return;
	}
	const struct attr_decl *a = query_attr(s, e);
	if (a && e->kind == EX_ATTR) {
		attr_text(s, b, a);
		return;
	}
	if (e->kind == EX_VAR && e->type) {
		buf_printf(b, "```authz\n%s: %s\n```\n", ast_var_str(e->u.var),
			   type_str(&s->c->arena, e->type));
		return;
	}
	if (e->type) {
		size_t n;
		const char *t = query_span_text(s, e->span, &n);
		if (n > 200)
			n = 200;
		buf_puts(b, "```authz\n");
		buf_put_utf8(b, t, n);
		buf_printf(b, "\n```\n\ntype `%s`\n", type_str(&s->c->arena, e->type));
	}
}

cJSON *lsp_hover(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	if (!query_at(s, params, &q) || !q.ast || q.hit.kind == HIT_NONE)
		return NULL;
	struct buf b = BUF_INIT;
	struct span range = { q.file, q.offset, q.offset };
	const struct ast_item *it = q.hit.item;
	switch (q.hit.kind) {
	case HIT_EXPR:
		expr_text(s, &b, &q);
		range = q.hit.expr->span;
		if ((q.hit.expr->kind == EX_ATTR || q.hit.expr->kind == EX_HAS) &&
		    q.hit.expr->ref_kind != REF_CONST)
			range = q.hit.expr->u.attr.name_span;
		break;
	case HIT_RULE_NAME:
	case HIT_ANNOTATION: {
		const struct checked_rule *cr = rule_of_item(s, it);
		if (cr)
			rule_text(s, &b, cr);
		range = q.hit.kind == HIT_ANNOTATION ? q.hit.annotation->span : it->u.rule->name_span;
		break;
	}
	case HIT_BY_RULE: {
		const struct checked_rule *cr = query_rule(s, q.ast->package, q.hit.name->name);
		if (cr)
			rule_text(s, &b, cr);
		range = q.hit.name->span;
		break;
	}
	case HIT_CONST_NAME: {
		const struct checked_const *k = const_of_item(s, it);
		if (k)
			const_text(s, &b, k);
		range = it->u.c->name_span;
		break;
	}
	case HIT_GIVEN:
	case HIT_REQUEST_NAME: {
		const struct ast_request *r = q.hit.kind == HIT_GIVEN
			? query_request(s, q.hit.name->name, NULL) : it->u.request;
		if (r)
			request_text(s, &b, r);
		range = q.hit.kind == HIT_GIVEN ? q.hit.name->span : r->name_span;
		break;
	}
	case HIT_PATH: {
		const struct attr_decl *a = query_path_attr(s, it, q.hit.path, q.hit.seg);
		if (a)
			attr_text(s, &b, a);
		range = q.hit.path->seg_spans[q.hit.seg];
		break;
	}
	case HIT_SCOPE_TYPE:
	case HIT_ENTITY_TYPE:
		entity_text(s, &b, q.hit.name->name);
		range = q.hit.name->span;
		break;
	case HIT_SCOPE_ACTION:
	case HIT_REQUEST_ACTION:
		action_text(s, &b, q.hit.name->name);
		range = q.hit.name->span;
		break;
	default:
		break;
	}
	cJSON *res = NULL;
	if (!b.oom && b.n) {
		res = cJSON_CreateObject();
		cJSON *c = cJSON_AddObjectToObject(res, "contents");
		cJSON_AddStringToObject(c, "kind", "markdown");
		cJSON_AddStringToObject(c, "value", buf_cstr(&b));
		cJSON_AddItemToObject(res, "range",
				      range_json(s, q.sf->text, q.sf->len, range.start, range.end));
	}
	buf_release(&b);
	return res;
}
