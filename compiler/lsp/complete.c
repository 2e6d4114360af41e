/*
 * complete.c: textDocument/completion.
 *
 * The text being typed rarely parses, so the context is read from the
 * tokens before the cursor, not from the syntax tree; the schema, rules,
 * requests and constants come from the last check.
 *
 *   principal. resource. context. (and deeper: principal.workload.)
 *       attributes; in a rule, of every type its scope allows (its `is`
 *       clause, else its actions' principals/resources), only those all of
 *       them declare; in a test, of the type of its `given` request
 *   NAME.         the constants of package NAME
 *   now. / a timestamp.   the accessors; a set.   its methods
 *   is | (in a scope)     entity types; principal/resource in a request: types
 *   action == "   action in ["   action " (in a request): actions
 *   by            rule ids;  given  request names
 *   @             annotation names
 *   otherwise     keywords, principal/action/resource/context/now, constants
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lsp_int.h"

enum tok_kind { TK_IDENT, TK_STRING, TK_PUNCT };

struct tok {
	enum tok_kind kind;
	uint32_t start, end;
	bool open;              /* TK_STRING: not closed before the cursor */
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void push(struct toks *t, enum tok_kind k, uint32_t s, uint32_t e, bool open)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct tok *nv = realloc(t->v, cap * sizeof(*nv));
		if (!nv)
			return;
		t->v = nv;
		t->cap = cap;
	}
	t->v[t->n++] = (struct tok){ k, s, e, open };
}

/* Tokens of text[0..end). */
static void lex(const char *text, uint32_t end, struct toks *t)
{
	uint32_t i = 0;
	while (i < end) {
		char c = text[i];
		if (c == '/' && i + 1 < end && text[i + 1] == '/') {
			while (i < end && text[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
			i += 2;
			while (i + 1 < end && !(text[i] == '*' && text[i + 1] == '/'))
				i++;
			i += 2;
		} else if (c == '"') {
			uint32_t s = i++;
			while (i < end && text[i] != '"' && text[i] != '\n')
				i += text[i] == '\\' && i + 1 < end ? 2 : 1;
			bool open = i >= end || text[i] != '"';
			if (!open)
				i++;
			push(t, TK_STRING, s, i > end ? end : i, open);
		} else if (is_ident(c)) {
			uint32_t s = i;
			while (i < end && is_ident(text[i]))
				i++;
			push(t, TK_IDENT, s, i, false);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
		} else {
			uint32_t s = i++;
			if (i < end && (text[i] == '=' || (c == '|' && text[i] == '|') ||
					(c == '&' && text[i] == '&')))
				i++;
			push(t, TK_PUNCT, s, i, false);
		}
	}
}

struct ctx {
	struct lsp_server *s;
	const char *text;
	struct toks t;
	cJSON *items;
	size_t item;            /* index of the item's first token (permit, test, ...) */
	const char *item_kw;
	/* The labels offered so far: an open-addressing set, so a project
	 * of many constants or rules is offered in linear time. */
	const char **seen;
	size_t nseen, capseen;
};

static bool tok_is(const struct ctx *c, size_t i, const char *word)
{
	if (i >= c->t.n)
		return false;
	const struct tok *k = &c->t.v[i];
	size_t n = strlen(word);
	return k->end - k->start == n && !memcmp(c->text + k->start, word, n);
}

static char *tok_str(const struct ctx *c, size_t i)
{
	const struct tok *k = &c->t.v[i];
	uint32_t s = k->start, e = k->end;
	if (k->kind == TK_STRING) {
		s++;
		if (!k->open && e > s)
			e--;
	}
	return arena_strndup(&c->s->c->arena, c->text + s, e - s);
}

/* Put label in the set; false when it was there already (or out of memory). */
static bool seen_put(struct ctx *c, const char *label)
{
	if (2 * (c->nseen + 1) > c->capseen) {
		size_t cap = c->capseen ? c->capseen * 2 : 64;
		const char **ns = calloc(cap, sizeof(*ns));
		if (!ns)
			return false;
		for (size_t i = 0; i < c->capseen; i++) {
			if (!c->seen[i])
				continue;
			size_t h = (size_t)fnv1a(FNV1A_INIT, c->seen[i], strlen(c->seen[i])) & (cap - 1);
			while (ns[h])
				h = (h + 1) & (cap - 1);
			ns[h] = c->seen[i];
		}
		free(c->seen);
		c->seen = ns;
		c->capseen = cap;
	}
	size_t h = (size_t)fnv1a(FNV1A_INIT, label, strlen(label)) & (c->capseen - 1);
	for (; c->seen[h]; h = (h + 1) & (c->capseen - 1))
		if (!strcmp(c->seen[h], label))
			return false;
	c->seen[h] = label;
	c->nseen++;
	return true;
}

static void add(struct ctx *c, const char *label, int kind, const char *detail)
{
	if (!seen_put(c, label))
		return;
	cJSON *it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "label", label);
	cJSON_AddNumberToObject(it, "kind", kind);
	if (detail)
		cJSON_AddStringToObject(it, "detail", detail);
	cJSON_AddItemToArray(c->items, it);
}

enum { CK_METHOD = 2, CK_FIELD = 5, CK_VARIABLE = 6, CK_CLASS = 7, CK_MODULE = 9,
       CK_VALUE = 12, CK_KEYWORD = 14, CK_REFERENCE = 18, CK_CONSTANT = 21, CK_EVENT = 23 };

/* ---- the scope of the rule around the cursor ------------------------------------------ */

struct scope {
	const struct entity_type *types[2][256];        /* principal, resource */
	size_t n[2];
	bool given[2];
	const struct action_decl *actions[256];
	size_t nactions;
};

static void add_type(struct scope *sc, int k, const struct entity_type *t)
{
	for (size_t i = 0; i < sc->n[k]; i++)
		if (sc->types[k][i] == t)
			return;
	if (sc->n[k] < 256)
		sc->types[k][sc->n[k]++] = t;
}

static void rule_scope(struct ctx *c, struct scope *sc)
{
	const struct schema *sch = c->s->c->schema;
	memset(sc, 0, sizeof(*sc));
	if (!sch)
		return;
	if (!strcmp(c->item_kw, "permit") || !strcmp(c->item_kw, "forbid")) {
		for (size_t i = c->item; i < c->t.n; i++) {
			if (tok_is(c, i, "when") || tok_is(c, i, "unless"))
				break;
			int k = tok_is(c, i, "principal") ? 0 : tok_is(c, i, "resource") ? 1 : -1;
			if (k >= 0 && tok_is(c, i + 1, "is")) {
				sc->given[k] = true;
				for (size_t j = i + 2; j < c->t.n && c->t.v[j].kind == TK_IDENT; j += 2) {
					const struct entity_type *t = schema_find_type(sch, tok_str(c, j));
					if (t)
						add_type(sc, k, t);
					if (!tok_is(c, j + 1, "|"))
						break;
				}
			}
			if (tok_is(c, i, "action"))
				for (size_t j = i + 1; j < c->t.n && !tok_is(c, j, "when") &&
				     !tok_is(c, j, "unless") && !tok_is(c, j, "principal") &&
				     !tok_is(c, j, "resource"); j++)
					if (c->t.v[j].kind == TK_STRING) {
						const struct action_decl *a = schema_find_action(sch, tok_str(c, j));
						if (a && sc->nactions < 256)
							sc->actions[sc->nactions++] = a;
					}
		}
	} else if (!strcmp(c->item_kw, "test")) {
		for (size_t i = c->item; i + 1 < c->t.n; i++)
			if (tok_is(c, i, "given")) {
				const struct ast_request *r = query_request(c->s, tok_str(c, i + 1), NULL);
				for (int k = 0; r && k < 2; k++) {
					const struct ast_entity *e = k ? &r->resource : &r->principal;
					const struct entity_type *t = e->type.name
						? schema_find_type(sch, e->type.name) : NULL;
					if (t) {
						add_type(sc, k, t);
						sc->given[k] = true;
					}
				}
			}
	}
	for (int k = 0; k < 2; k++) {
		if (sc->given[k])
			continue;
		if (sc->nactions) {
			for (size_t a = 0; a < sc->nactions; a++) {
				const struct action_decl *ad = sc->actions[a];
				size_t n = k ? ad->nresources : ad->nprincipals;
				for (size_t i = 0; i < n; i++)
					add_type(sc, k, k ? ad->resources[i] : ad->principals[i]);
			}
		} else {
			for (size_t i = 0; i < sch->ntypes; i++)
				add_type(sc, k, &sch->types[i]);
		}
	}
}

/* ---- attributes along a path ------------------------------------------------------------- */

#define MAX_RECS 256

struct recs {
	const struct record_type *r[MAX_RECS];
	size_t n;
	bool entity;            /* the value is an entity: it has .id */
	enum type_kind scalar;  /* when not a record: what it is (TY_ERROR: unknown) */
	const struct type *set;
};

static void recs_of_type(struct recs *o, const struct type *t)
{
	memset(o, 0, sizeof(*o));
	o->scalar = TY_ERROR;
	if (!t)
		return;
	if (t->kind == TY_ENTITY) {
		o->entity = true;
		for (size_t i = 0; i < t->nentities && o->n < MAX_RECS; i++)
			o->r[o->n++] = &t->entities[i]->attrs;
	} else if (t->kind == TY_RECORD && t->record) {
		o->r[o->n++] = t->record;
	} else {
		o->scalar = t->kind;
	}
}

/* Attributes declared by every record of `o`, in the first one's order. */
static void add_common_attrs(struct ctx *c, const struct recs *o)
{
	if (o->entity)
		add(c, "id", CK_FIELD, "string");
	for (size_t i = 0; o->n && i < o->r[0]->n; i++) {
		const struct attr_decl *a = &o->r[0]->attrs[i];
		bool everywhere = true;
		for (size_t k = 1; k < o->n && everywhere; k++)
			everywhere = record_find(o->r[k], a->name) != NULL;
		if (!everywhere)
			continue;
		const char *ty = type_str(&c->s->c->arena, a->type);
		add(c, a->name, CK_FIELD, a->optional
		    ? arena_printf(&c->s->c->arena, "%s (optional: guard with has)", ty) : ty);
	}
}

static void add_members(struct ctx *c, const struct recs *o)
{
	if (o->n || o->entity) {
		add_common_attrs(c, o);
		return;
	}
	if (o->scalar == TY_TIMESTAMP) {
		static const char *const acc[] = { "year", "month", "day", "hour", "minute", "weekday" };
		for (size_t i = 0; i < 6; i++)
			add(c, acc[i], CK_FIELD, "int");
	} else if (o->scalar == TY_SET) {
		add(c, "containsAll", CK_METHOD, "containsAll(set): bool");
		add(c, "containsAny", CK_METHOD, "containsAny(set): bool");
		add(c, "isEmpty", CK_METHOD, "isEmpty(): bool");
	}
}

/* Complete after tokens root . seg . seg . (the dot at token `dot`). */
static void complete_path(struct ctx *c, size_t dot)
{
	if (dot == 0 || c->t.v[dot - 1].kind != TK_IDENT)
		return;
	size_t first = dot - 1;
	while (first >= 2 && tok_is(c, first - 1, ".") && c->t.v[first - 2].kind == TK_IDENT)
		first -= 2;
	const struct schema *sch = c->s->c->schema;
	char *root = tok_str(c, first);
	struct recs o;
	memset(&o, 0, sizeof(o));
	o.scalar = TY_ERROR;
	if (!strcmp(root, "principal") || !strcmp(root, "resource")) {
		struct scope *sc = calloc(1, sizeof(*sc));
		if (!sc)
			return;
		rule_scope(c, sc);
		int k = root[0] == 'r';
		o.entity = true;
		for (size_t i = 0; i < sc->n[k] && o.n < MAX_RECS; i++)
			o.r[o.n++] = &sc->types[k][i]->attrs;
		free(sc);
	} else if (!strcmp(root, "context")) {
		if (sch)
			o.r[o.n++] = &sch->context;
	} else if (!strcmp(root, "now")) {
		o.scalar = TY_TIMESTAMP;
	} else if (first + 2 > dot) {
		/* NAME. : a package's constants */
		const struct checked *ck = check_names(c->s);
		for (size_t i = 0; ck && i < ck->nconsts; i++)
			if (ck->consts[i].package && !strcmp(ck->consts[i].package, root))
				add(c, ck->consts[i].name, CK_CONSTANT,
				    value_str(&c->s->c->arena, &ck->consts[i].value, VALUE_AUTHZ));
		return;
	} else {
		return;
	}
	/* Follow each segment between root and the dot. */
	for (size_t i = first + 2; i < dot; i += 2) {
		char *seg = tok_str(c, i);
		const struct type *t = NULL;
		if (o.entity && !strcmp(seg, "id")) {
			recs_of_type(&o, type_scalar(TY_STRING));
			continue;
		}
		bool same = true;
		for (size_t k = 0; k < o.n; k++) {
			const struct attr_decl *a = record_find(o.r[k], seg);
			if (!a)
				continue;
			if (t && !type_equal(t, a->type))
				same = false;
			if (!t)
				t = a->type;
		}
		if (!t || !same)
			return;
		recs_of_type(&o, t);
	}
	add_members(c, &o);
}

/* ---- the other contexts ------------------------------------------------------------------- */

static void add_types(struct ctx *c)
{
	const struct schema *sch = c->s->c->schema;
	for (size_t i = 0; sch && i < sch->ntypes; i++)
		add(c, sch->types[i].name, CK_CLASS, "entity type");
}

static void add_actions(struct ctx *c, bool in_string)
{
	const struct schema *sch = c->s->c->schema;
	for (size_t i = 0; sch && i < sch->nactions; i++) {
		const char *n = sch->actions[i].name;
		add(c, in_string ? n : arena_printf(&c->s->c->arena, "\"%s\"", n), CK_EVENT, "action");
	}
}

/* Rule ids; `edit` (when not NULL) is the range the id typed so far
 * covers, which each item replaces. */
static void add_rules(struct ctx *c, const cJSON *edit)
{
	const struct checked *ck = check_names(c->s);
	for (size_t i = 0; ck && i < ck->nrules; i++) {
		add(c, ck->rules[i].id, CK_REFERENCE,
		    ck->rules[i].effect == EFFECT_PERMIT ? "permit" : "forbid");
		if (!edit)
			continue;
		cJSON *it = cJSON_GetArrayItem(c->items, cJSON_GetArraySize(c->items) - 1);
		cJSON *te = cJSON_AddObjectToObject(it, "textEdit");
		cJSON_AddItemToObject(te, "range", cJSON_Duplicate(edit, 1));
		cJSON_AddStringToObject(te, "newText", ck->rules[i].id);
	}
	if (!edit)
		add(c, "default", CK_KEYWORD, "no rule decides: the default deny");
}

/* After `by a.b.` (a rule id being typed): the index of its first token,
 * or 0 when the dot at `dot` is not in one. */
static size_t by_chain(const struct ctx *c, size_t dot)
{
	if (strcmp(c->item_kw, "test") || dot < 2 || c->t.v[dot - 1].kind != TK_IDENT)
		return 0;
	size_t first = dot - 1;
	while (first >= 2 && tok_is(c, first - 1, ".") && c->t.v[first - 2].kind == TK_IDENT)
		first -= 2;
	if (first >= 1 && (tok_is(c, first - 1, "by") || tok_is(c, first - 1, ",")))
		return first;
	return 0;
}

static void add_requests(struct ctx *c)
{
	for (size_t i = 0; c->s->have_c && i < c->s->c->nfiles; i++) {
		const struct ast_file *f = c->s->c->files[i];
		for (size_t j = 0; f && j < f->nitems; j++)
			if (f->items[j].kind == ITEM_REQUEST && f->items[j].u.request->name)
				add(c, f->items[j].u.request->name, CK_VALUE, "request");
	}
}

static const char *const keywords[] = {
	"package", "const", "permit", "forbid", "principal", "action", "resource", "context",
	"now", "when", "unless", "is", "in", "has", "like", "and", "or", "not", "true", "false",
	"test", "request", "given", "with", "without", "at", "expect", "allow", "deny", "by",
	"default", "time", "ip",
};

static void add_general(struct ctx *c, const char *pkg)
{
	for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
		add(c, keywords[i], CK_KEYWORD, NULL);
	const struct checked *ck = check_names(c->s);
	for (size_t i = 0; ck && i < ck->nconsts; i++) {
		const struct checked_const *k = &ck->consts[i];
		bool local = (!k->package && !pkg) || (k->package && pkg && !strcmp(k->package, pkg));
		add(c, local ? k->name : arena_printf(&c->s->c->arena, "%s.%s", k->package, k->name),
		    CK_CONSTANT, value_str(&c->s->c->arena, &k->value, VALUE_AUTHZ));
	}
}

static const char *const annotations[][2] = {
	{ "owner", "who owns the rule (team or person)" },
	{ "description", "what the rule allows or forbids, and why" },
	{ "ticket", "the change or incident ticket behind the rule" },
	{ "expires", "RFC 3339 time after which the rule no longer applies" },
};

/* Is token i inside `action == "` / `action in ["a", "` of a rule scope? */
static bool after_action_op(const struct ctx *c, size_t i)
{
	while (i > 0 && (c->t.v[i - 1].kind == TK_STRING || tok_is(c, i - 1, ",")))
		i--;
	if (i >= 1 && tok_is(c, i - 1, "["))
		i--;
	return i >= 2 && (tok_is(c, i - 1, "==") || tok_is(c, i - 1, "in")) && tok_is(c, i - 2, "action");
}

cJSON *lsp_completion(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	if (!query_at(s, params, &q))
		return NULL;
	const char *text = q.sf ? q.sf->text : q.doc ? q.doc->text : NULL;
	size_t tlen = q.sf ? q.sf->len : q.doc ? q.doc->len : 0;
	if (!text || !s->have_c)
		return NULL;
	struct ctx c = { s, text, { NULL, 0, 0 }, cJSON_CreateArray(), 0, "", NULL, 0, 0 };
	lex(text, q.offset, &c.t);
	/* The item around the cursor: the last item keyword at brace depth 0. */
	int depth = 0;
	const char *pkg = NULL;
	for (size_t i = 0; i < c.t.n; i++) {
		if (tok_is(&c, i, "{"))
			depth++;
		else if (tok_is(&c, i, "}") && depth > 0)
			depth--;
		else if (depth == 0 && c.t.v[i].kind == TK_IDENT) {
			static const char *const kws[] = { "permit", "forbid", "test", "request", "const" };
			for (size_t k = 0; k < 5; k++)
				if (tok_is(&c, i, kws[k])) {
					c.item = i;
					c.item_kw = kws[k];
				}
			if (tok_is(&c, i, "package") && i + 1 < c.t.n)
				pkg = tok_str(&c, i + 1);
		}
	}
	/* Drop the word being typed: the context is what comes before it. */
	size_t n = c.t.n;
	bool in_string = false;
	if (n && c.t.v[n - 1].end == q.offset) {
		if (c.t.v[n - 1].kind == TK_IDENT)
			n--;
		else if (c.t.v[n - 1].kind == TK_STRING && c.t.v[n - 1].open) {
			n--;
			in_string = true;
		}
	}
	c.t.n = n;
	bool in_rule = !strcmp(c.item_kw, "permit") || !strcmp(c.item_kw, "forbid");
	bool in_req = !strcmp(c.item_kw, "request") || !strcmp(c.item_kw, "test");
	size_t chain = n ? by_chain(&c, n - 1) : 0;
	if (chain) {
		cJSON *r = range_json(s, text, tlen, c.t.v[chain].start, q.offset);
		add_rules(&c, r);
		cJSON_Delete(r);
	} else if (n && tok_is(&c, n - 1, "."))
		complete_path(&c, n - 1);
	else if (n && tok_is(&c, n - 1, "@"))
		for (size_t i = 0; i < sizeof annotations / sizeof *annotations; i++)
			add(&c, annotations[i][0], CK_KEYWORD, annotations[i][1]);
	else if (n && (tok_is(&c, n - 1, "is") || (in_rule && tok_is(&c, n - 1, "|"))))
		add_types(&c);
	else if (n && in_req && (tok_is(&c, n - 1, "principal") || tok_is(&c, n - 1, "resource")))
		add_types(&c);
	else if (after_action_op(&c, n) || (in_req && n && tok_is(&c, n - 1, "action")))
		add_actions(&c, in_string);
	else if (n && (tok_is(&c, n - 1, "by") || (tok_is(&c, n - 1, ",") && n >= 2 &&
		   c.t.v[n - 2].kind == TK_IDENT && !strcmp(c.item_kw, "test"))))
		add_rules(&c, NULL);
	else if (n && tok_is(&c, n - 1, "given"))
		add_requests(&c);
	else if (!in_string)
		add_general(&c, pkg);
	free(c.t.v);
	free(c.seen);
	cJSON *res = cJSON_CreateObject();
	cJSON_AddBoolToObject(res, "isIncomplete", 0);
	cJSON_AddItemToObject(res, "items", c.items);
	return res;
}
