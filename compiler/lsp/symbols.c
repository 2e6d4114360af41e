/*
 * symbols.c: textDocument/documentSymbol: the outline of a policy or test
 * file as DocumentSymbol trees: its package (holding everything else),
 * constants, rules (detail: permit or forbid), named requests and tests.
 * Other files (schema.json, authzc.json) have none.
 */
#include <string.h>

#include "lsp_int.h"

enum { SK_FILE = 1, SK_PACKAGE = 4, SK_FUNCTION = 12, SK_CONSTANT = 14, SK_STRUCT = 23,
       SK_EVENT = 24 };

static cJSON *symbol(struct lsp_server *s, const struct src_file *f, const char *name, size_t nlen,
		     const char *detail, int kind, struct span range, struct span sel)
{
	cJSON *o = cJSON_CreateObject();
	struct buf b = BUF_INIT;
	buf_put_utf8(&b, name, nlen);
	cJSON_AddStringToObject(o, "name", b.oom || !b.n ? "?" : buf_cstr(&b));
	buf_release(&b);
	if (detail)
		cJSON_AddStringToObject(o, "detail", detail);
	cJSON_AddNumberToObject(o, "kind", kind);
	if (sel.start < range.start || sel.end > range.end)
		range = span_join(range, sel);
	cJSON_AddItemToObject(o, "range", range_json(s, f->text, f->len, range.start, range.end));
	cJSON_AddItemToObject(o, "selectionRange", range_json(s, f->text, f->len, sel.start, sel.end));
	return o;
}

cJSON *lsp_symbols(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	if (!query_at(s, params, &q) || !q.sf)
		return cJSON_CreateArray();
	cJSON *out = cJSON_CreateArray();
	if (!q.ast)
		return out;
	const struct ast_file *f = q.ast;
	cJSON *list = out;
	if (f->package) {
		struct span whole = { q.file, 0, (uint32_t)q.sf->len };
		cJSON *pkg = symbol(s, q.sf, f->package, strlen(f->package), "package", SK_PACKAGE, whole,
				    f->package_span);
		cJSON_AddItemToArray(out, pkg);
		list = cJSON_AddArrayToObject(pkg, "children");
	}
	for (size_t i = 0; i < f->nitems; i++) {
		const struct ast_item *it = &f->items[i];
		cJSON *sym = NULL;
		switch (it->kind) {
		case ITEM_CONST:
			if (it->u.c->name)
				sym = symbol(s, q.sf, it->u.c->name, strlen(it->u.c->name), "const",
					     SK_CONSTANT, it->u.c->span, it->u.c->name_span);
			break;
		case ITEM_RULE: {
			/* From its first annotation, or its effect: the parser's span
			 * may start after the item before. */
			const struct ast_rule *r = it->u.rule;
			struct span sp = r->span;
			sp.start = r->nannotations ? r->annotations[0].span.start : r->effect_span.start;
			if (r->name)
				sym = symbol(s, q.sf, r->name, strlen(r->name),
					     r->effect == EFFECT_PERMIT ? "permit" : "forbid",
					     SK_FUNCTION, sp, r->name_span);
			break;
		}
		case ITEM_REQUEST:
			if (it->u.request->name)
				sym = symbol(s, q.sf, it->u.request->name, strlen(it->u.request->name),
					     "request", SK_STRUCT, it->u.request->span,
					     it->u.request->name_span);
			break;
		case ITEM_TEST:
			if (it->u.test->name)
				sym = symbol(s, q.sf, it->u.test->name, it->u.test->name_len, "test",
					     SK_EVENT, it->u.test->span, it->u.test->name_span);
			break;
		case ITEM_ASSERT:
			if (it->u.assert->name)
				sym = symbol(s, q.sf, it->u.assert->name, it->u.assert->name_len,
					     ast_verdict_str(it->u.assert->verdict), SK_EVENT, it->u.assert->span,
					     it->u.assert->name_span);
			break;
		}
		if (sym)
			cJSON_AddItemToArray(list, sym);
	}
	return out;
}
