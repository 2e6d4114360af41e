/*
 * query.c: what lies under the client's cursor, and the declarations
 * names lead to, in the current compilation (see lsp_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lsp_int.h"

bool query_at(struct lsp_server *s, const cJSON *params, struct query *q)
{
	memset(q, 0, sizeof(*q));
	q->uri = json_str(json_obj(params, "textDocument"), "uri");
	if (!q->uri)
		return false;
	q->doc = doc_find(s, q->uri);
	q->file = check_file_of_uri(s, q->uri);
	q->sf = s->have_c ? srcset_file(&s->c->src, q->file) : NULL;
	q->ast = check_ast(s, q->file);
	const cJSON *pos = json_obj(params, "position");
	if (!pos)
		return true;
	long off = -1;
	if (q->sf)
		off = pos_offset(s, q->sf->text, q->sf->len, pos);
	else if (q->doc)
		off = pos_offset(s, q->doc->text, q->doc->len, pos);
	if (off < 0)
		return false;
	q->offset = (uint32_t)off;
	if (q->ast)
		ast_find(q->ast, q->offset, &q->hit);
	return true;
}

const struct checked_rule *query_rule(struct lsp_server *s, const char *pkg, const char *id)
{
	const struct checked *ck = s->have_c ? s->c->checked : NULL;
	if (!ck || !id)
		return NULL;
	const struct checked_rule *r = checked_find_rule(ck, id);
	if (r)
		return r;
	if (pkg) {
		size_t n = strlen(pkg) + strlen(id) + 2;
		char *full = malloc(n);
		if (full) {
			snprintf(full, n, "%s.%s", pkg, id);
			r = checked_find_rule(ck, full);
			free(full);
			if (r)
				return r;
		}
	}
	/* A bare name that is unique among the packages. */
	const struct checked_rule *found = NULL;
	for (size_t i = 0; i < ck->nrules; i++) {
		const char *rid = ck->rules[i].id;
		const char *dot = strrchr(rid, '.');
		if (dot && !strcmp(dot + 1, id)) {
			if (found)
				return NULL;
			found = &ck->rules[i];
		}
	}
	return found;
}

const struct ast_request *query_request(struct lsp_server *s, const char *name,
					const struct ast_file **file)
{
	for (size_t i = 0; name && s->have_c && i < s->c->nfiles; i++) {
		const struct ast_file *f = s->c->files[i];
		for (size_t j = 0; f && j < f->nitems; j++)
			if (f->items[j].kind == ITEM_REQUEST && f->items[j].u.request->name &&
			    !strcmp(f->items[j].u.request->name, name)) {
				if (file)
					*file = f;
				return f->items[j].u.request;
			}
	}
	return NULL;
}

const struct checked_const *query_const(struct lsp_server *s, const struct ast_file *f,
					const struct ast_expr *e)
{
	const struct checked *ck = s->have_c ? s->c->checked : NULL;
	if (!ck || !e)
		return NULL;
	const char *pkg = f ? f->package : NULL, *name = NULL;
	if (e->kind == EX_NAME) {
		name = e->u.name.name;
	} else if (e->kind == EX_ATTR && e->u.attr.base && e->u.attr.base->kind == EX_NAME &&
		   e->ref_kind == REF_CONST) {
		pkg = e->u.attr.base->u.name.name;
		name = e->u.attr.name;
	} else {
		return NULL;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; name && i < ck->nconsts; i++) {
			const struct checked_const *k = &ck->consts[i];
			const char *kp = pass == 0 ? pkg : NULL;
			if (!strcmp(k->name, name) &&
			    ((!kp && !k->package) || (kp && k->package && !strcmp(kp, k->package))))
				return k;
		}
	return NULL;
}

const struct attr_decl *query_attr(struct lsp_server *s, const struct ast_expr *e)
{
	(void)s;
	if (!e || (e->kind != EX_ATTR && e->kind != EX_HAS) || !e->u.attr.base)
		return NULL;
	const struct type *bt = e->u.attr.base->type;
	if (!bt)
		return NULL;
	if (bt->kind == TY_RECORD && bt->record)
		return record_find(bt->record, e->u.attr.name);
	if (bt->kind == TY_ENTITY)
		for (size_t i = 0; i < bt->nentities; i++) {
			const struct attr_decl *a = record_find(&bt->entities[i]->attrs, e->u.attr.name);
			if (a)
				return a;
		}
	return NULL;
}

const char *query_span_text(struct lsp_server *s, struct span sp, size_t *len)
{
	struct src_file *f = s->have_c ? srcset_file(&s->c->src, sp.file) : NULL;
	if (!f || sp.start > sp.end || sp.end > f->len) {
		*len = 0;
		return "";
	}
	*len = sp.end - sp.start;
	return f->text + sp.start;
}

const struct attr_decl *query_path_attr(struct lsp_server *s, const struct ast_item *item,
					const struct ast_path *path, size_t seg)
{
	const struct schema *sch = s->c->schema;
	if (!sch || !item || item->kind != ITEM_TEST || seg >= path->nsegs)
		return NULL;
	const struct ast_test *t = item->u.test;
	const struct ast_request *r = t->inline_req ? t->inline_req : query_request(s, t->given.name, NULL);
	const struct record_type *rec = NULL;
	if (path->root == VAR_CONTEXT) {
		rec = &sch->context;
	} else if (r && (path->root == VAR_PRINCIPAL || path->root == VAR_RESOURCE)) {
		const struct ast_entity *e = path->root == VAR_PRINCIPAL ? &r->principal : &r->resource;
		const struct entity_type *et = e->type.name ? schema_find_type(sch, e->type.name) : NULL;
		rec = et ? &et->attrs : NULL;
	}
	const struct attr_decl *a = NULL;
	for (size_t i = 0; rec && i <= seg; i++) {
		a = record_find(rec, path->segs[i]);
		if (!a)
			return NULL;
		rec = a->type && a->type->kind == TY_RECORD ? a->type->record : NULL;
	}
	return a;
}
