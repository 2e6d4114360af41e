/*
 * actions.c: textDocument/codeAction: quick fixes for the diagnostics of
 * the last check that carry a suggestion, in the range the client asks
 * about (the client's own copy of the diagnostics is not trusted):
 *
 *   "did you mean 'X'?"   replace the name the diagnostic points at with X
 *                         (a quoted action, JSON key or value stays quoted;
 *                         of `a.b.c` only the last part is replaced unless X
 *                         is itself dotted)
 *   E0305 (a read of an optional attribute without `has`), in a `when`
 *                         clause: put `B has N and` before the operand of
 *                         the clause's `and` chain that reads it (an `or`
 *                         operand is wrapped in parentheses)
 */
#include <stdlib.h>
#include <string.h>

#include "json_locate.h"
#include "lsp_int.h"

/* The text between the first pair of single quotes after `lead` in s. */
static char *quoted_after(struct arena *a, const char *s, const char *lead)
{
	const char *p = s ? strstr(s, lead) : NULL;
	if (!p)
		return NULL;
	p = strchr(p + strlen(lead) - 1, '\'');
	if (!p)
		return NULL;
	const char *e = strchr(p + 1, '\'');
	return e ? arena_strndup(a, p + 1, (size_t)(e - p - 1)) : NULL;
}

/* Does the JSON string at text[a..b) (quotes included) hold exactly w? */
static bool json_str_is(const char *text, uint32_t a, uint32_t b, const char *w)
{
	size_t n = strlen(w);
	return b >= a + 2 && text[a] == '"' && text[b - 1] == '"' && b - a - 2 == n &&
	       !memcmp(text + a + 1, w, n);
}

/* The span the fix of diagnostic d replaces: its own span in a policy
 * file; in a JSON file, the member's key or its string value, whichever
 * holds the name the message quotes first. */
static bool diag_span(struct lsp_server *s, const struct diag *d, struct span *out)
{
	if (d->has_span) {
		*out = d->span;
		return true;
	}
	struct src_file *f = srcset_file(&s->c->src, d->span.file);
	struct json_loc loc;
	if (!f || !d->json_path || json_locate(f->text, f->len, d->json_path, &loc) != 0)
		return false;
	char *named = quoted_after(&s->c->arena, d->message, "'");
	if (named && json_str_is(f->text, loc.start, loc.end, named)) {
		*out = (struct span){ d->span.file, loc.start, loc.end };
		return true;
	}
	if (named && loc.has_key && json_str_is(f->text, loc.key_start, loc.key_end, named)) {
		*out = (struct span){ d->span.file, loc.key_start, loc.key_end };
		return true;
	}
	return false;
}

static cJSON *action(struct lsp_server *s, const char *title, const struct diag *d,
		     const char *uri, cJSON *edits)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "title", title);
	cJSON_AddStringToObject(a, "kind", "quickfix");
	cJSON_AddBoolToObject(a, "isPreferred", 1);
	cJSON *diags = cJSON_AddArrayToObject(a, "diagnostics");
	cJSON *dj = cJSON_CreateObject();
	cJSON_AddStringToObject(dj, "code", diag_code_str(d->code));
	cJSON_AddStringToObject(dj, "message", d->message);
	cJSON_AddItemToArray(diags, dj);
	(void)s;
	cJSON *we = cJSON_AddObjectToObject(a, "edit");
	cJSON *ch = cJSON_AddObjectToObject(we, "changes");
	cJSON_AddItemToObject(ch, uri, edits);
	return a;
}

static cJSON *text_edit(struct lsp_server *s, const struct src_file *f, uint32_t start,
			uint32_t end, const char *text)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddItemToObject(e, "range", range_json(s, f->text, f->len, start, end));
	cJSON_AddStringToObject(e, "newText", text);
	return e;
}

static cJSON *did_you_mean(struct lsp_server *s, const struct diag *d, const char *uri)
{
	struct arena *a = &s->c->arena;
	char *x = quoted_after(a, d->help, "did you mean '");
	struct span sp;
	struct src_file *f = srcset_file(&s->c->src, d->span.file);
	if (!x || !*x || !f || !diag_span(s, d, &sp) || sp.end <= sp.start || sp.end > f->len)
		return NULL;
	const char *t = f->text + sp.start;
	size_t n = sp.end - sp.start;
	const char *text = x;
	if (t[0] == '"') {
		if (strchr(x, '"') || strchr(x, '\\'))
			return NULL;
		text = arena_printf(a, "\"%s\"", x);
	} else {
		for (size_t i = 0; i < n; i++)
			if (!(t[i] == '_' || t[i] == '.' || (t[i] >= '0' && t[i] <= '9') ||
			      (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')))
				return NULL;
		const char *dot = memchr(t, '.', n);
		if (dot && !strchr(x, '.')) {
			const char *last = t + n;
			while (last > t && last[-1] != '.')
				last--;
			sp.start = (uint32_t)(last - f->text);
		}
	}
	cJSON *edits = cJSON_CreateArray();
	cJSON_AddItemToArray(edits, text_edit(s, f, sp.start, sp.end, text));
	return action(s, arena_printf(a, "Change to '%s'", x), d, uri, edits);
}

static bool inside(struct span outer, struct span in)
{
	return outer.file == in.file && outer.start <= in.start && in.end <= outer.end;
}

static cJSON *add_has(struct lsp_server *s, const struct diag *d, const char *uri)
{
	struct arena *a = &s->c->arena;
	char *guard = quoted_after(a, d->help, "put '");
	const struct ast_file *af = check_ast(s, d->span.file);
	struct src_file *f = srcset_file(&s->c->src, d->span.file);
	if (!guard || !af || !f || !d->has_span)
		return NULL;
	for (size_t i = 0; i < af->nitems; i++) {
		if (af->items[i].kind != ITEM_RULE)
			continue;
		const struct ast_rule *r = af->items[i].u.rule;
		for (size_t k = 0; k < r->nclauses; k++) {
			const struct ast_clause *cl = &r->clauses[k];
			if (!cl->expr || !inside(cl->expr->span, d->span))
				continue;
			if (cl->is_unless)
				return NULL;
			const struct ast_expr *e = cl->expr;
			while (e->kind == EX_BINARY && e->u.bin.op == BIN_AND) {
				if (inside(e->u.bin.rhs->span, d->span)) {
					e = e->u.bin.rhs;
					break;
				}
				e = e->u.bin.lhs;
			}
			cJSON *edits = cJSON_CreateArray();
			bool wrap = e->kind == EX_BINARY && e->u.bin.op == BIN_OR &&
				    !(e->span.start > 0 && f->text[e->span.start] == '(');
			cJSON_AddItemToArray(edits, text_edit(s, f, e->span.start, e->span.start,
							      arena_printf(a, "%s and %s", guard,
									   wrap ? "(" : "")));
			if (wrap)
				cJSON_AddItemToArray(edits, text_edit(s, f, e->span.end, e->span.end, ")"));
			return action(s, arena_printf(a, "Guard with '%s'", guard), d, uri, edits);
		}
	}
	return NULL;
}

/* Where d is shown: its span, or its whole JSON member. */
static bool shown_span(struct lsp_server *s, const struct diag *d, struct span *out)
{
	if (d->has_span) {
		*out = d->span;
		return true;
	}
	struct src_file *f = srcset_file(&s->c->src, d->span.file);
	struct json_loc loc;
	if (!f || !d->json_path || json_locate(f->text, f->len, d->json_path, &loc) < 0)
		return false;
	*out = (struct span){ d->span.file, loc.has_key ? loc.key_start : loc.start, loc.end };
	return true;
}

cJSON *lsp_code_actions(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	cJSON *out = cJSON_CreateArray();
	if (!query_at(s, params, &q) || !q.sf)
		return out;
	const cJSON *range = json_obj(params, "range");
	long a = range ? pos_offset(s, q.sf->text, q.sf->len, json_obj(range, "start")) : 0;
	long b = range ? pos_offset(s, q.sf->text, q.sf->len, json_obj(range, "end")) : 0;
	if (a < 0 || b < 0)
		return out;
	for (size_t i = 0; i < s->c->diags.n; i++) {
		const struct diag *d = s->c->diags.items[i];
		struct span sp;
		if (d->span.file != q.file || !shown_span(s, d, &sp))
			continue;
		if ((long)sp.end < a || (long)sp.start > b)
			continue;
		cJSON *act = NULL;
		if (d->help && strstr(d->help, "did you mean '"))
			act = did_you_mean(s, d, q.uri);
		else if (d->code == E_UNGUARDED)
			act = add_has(s, d, q.uri);
		if (act)
			cJSON_AddItemToArray(out, act);
	}
	return out;
}
