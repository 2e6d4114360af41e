/*
 * check_tests.c: named requests and tests (authzc-policy(5), TESTS).
 *
 * Every request a test builds is resolved into a struct checked_request
 * and must conform to the schema exactly: known types and action, the
 * types allowed for the action, every required attribute present, no
 * undeclared attribute (stricter than JSON requests, which may carry
 * extras), every value of its declared type.  `with` and `without` then
 * change a copy of the named request; `without` removes optional
 * attributes only.
 */
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "suggest.h"

struct named_req {
	const struct ast_request *req;
	const struct ast_file *file;
	bool ok;
	struct checked_request value;
};

struct tctx {
	struct ck *ck;
	struct named_req *reqs;
	size_t nreqs;
};

static bool pkg_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static const char **type_name_list(struct ck *ck, size_t *n)
{
	const char **names = arena_calloc(ck->a, ck->s->ntypes + 1, sizeof(char *));
	for (size_t i = 0; i < ck->s->ntypes; i++)
		names[i] = ck->s->types[i].name;
	*n = ck->s->ntypes;
	return names;
}

static void help_closest(struct ck *ck, struct diag *d, const char *name, const char **cands,
			 size_t n, const char *otherwise)
{
	const char *best = suggest_closest(name, cands, n);
	if (best)
		diag_help(ck->d, d, "did you mean '%s'?", best);
	else if (otherwise)
		diag_help(ck->d, d, "%s", otherwise);
}

/* ---- values ------------------------------------------------------------------- */

static bool fit_record(struct ck *ck, const struct ast_expr *rec, const struct record_type *rt,
		       const char *path, struct span where, struct value *out);

/* Check value expression `e` against `t`; *out gets the value. */
static bool fit_value(struct ck *ck, struct ast_expr *e, const struct type *t, const char *path,
		      struct value *out)
{
	if (t->kind == TY_RECORD) {
		if (e->kind != EX_RECORD) {
			struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, e->span,
						 "'%s' is a record in the schema", path);
			diag_help(ck->d, d, "write its attributes in braces: { name: value, ... }");
			return false;
		}
		return fit_record(ck, e, t->record, path, e->span, out);
	}
	bool form = ck_is_literal_form(e) || e->kind == EX_NAME ||
		    (e->kind == EX_ATTR && e->u.attr.base->kind == EX_NAME);
	if (!form) {
		struct diag *d = diag_at(ck->d, E_NOT_LITERAL, e->span,
					 "the value of '%s' must be a literal", path);
		diag_help(ck->d, d, "a test request holds literals (\"text\", 42, true, 1h, time(\"...\"), "
			  "ip(\"...\"), [..]) or constants");
		return false;
	}
	const struct type *vt = ck_expr(ck, e);
	if (vt->kind == TY_ERROR)
		return false;
	if (e->ref_kind == REF_NONE)
		return false;
	bool empty_ok = vt->kind == TY_SET && !vt->elem && t->kind == TY_SET;
	if (!empty_ok && !type_equal(vt, t)) {
		struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, e->span,
					 "'%s' is %s in the schema, not %s", path,
					 ck_a_type(ck->a, type_str(ck->a, t)),
					 ck_a_type(ck->a, type_str(ck->a, vt)));
		const char *help = ck_literal_help(ck, t, e);
		if (help)
			diag_help(ck->d, d, "%s", help);
		else
			diag_help(ck->d, d, "give '%s' a value of type '%s'", path, type_str(ck->a, t));
		return false;
	}
	*out = *(const struct value *)e->ref;
	if (empty_ok && t->elem)
		out->u.set.elem = (int)ck_value_kind(t->elem);
	return true;
}

static bool fit_record(struct ck *ck, const struct ast_expr *rec, const struct record_type *rt,
		       const char *path, struct span where, struct value *out)
{
	bool ok = true;
	size_t n = rt ? rt->n : 0;
	struct value *vals = arena_calloc(ck->a, n + 1, sizeof(*vals));
	bool *given = arena_calloc(ck->a, n + 1, sizeof(bool));
	const struct ast_field **first = arena_calloc(ck->a, n + 1, sizeof(*first));
	size_t nf = rec ? rec->u.rec.n : 0;
	for (size_t i = 0; i < nf; i++) {
		const struct ast_field *f = &rec->u.rec.fields[i];
		const char *name = f->name ? f->name : "";
		const struct attr_decl *a = rt ? record_find(rt, name) : NULL;
		if (!a) {
			struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, f->name_span,
						 "'%s' has no attribute '%s' in the schema", path, name);
			const char **cands = arena_calloc(ck->a, n + 1, sizeof(char *));
			for (size_t j = 0; j < n; j++)
				cands[j] = rt->attrs[j].name;
			help_closest(ck, d, name, cands, n,
				     "a test request may only hold attributes the schema declares");
			ok = false;
			continue;
		}
		if (first[a->index]) {
			struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, f->name_span,
						 "'%s.%s' is given twice", path, name);
			diag_note(ck->d, d, first[a->index]->name_span, "first given here");
			diag_help(ck->d, d, "keep one value");
			ok = false;
			continue;
		}
		first[a->index] = f;
		char *sub = arena_printf(ck->a, "%s.%s", path, name);
		if (f->value && fit_value(ck, f->value, a->type, sub, &vals[a->index]))
			given[a->index] = true;
		else
			ok = false;
	}
	for (size_t j = 0; j < n; j++) {
		if (rt->attrs[j].optional || first[j])
			continue;
		struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, rec ? rec->span : where,
					 "'%s' is missing the required attribute '%s'", path,
					 rt->attrs[j].name);
		diag_help(ck->d, d, "add '%s: <%s>'", rt->attrs[j].name,
			  type_str(ck->a, rt->attrs[j].type));
		ok = false;
	}
	memset(out, 0, sizeof(*out));
	out->kind = VAL_RECORD;
	out->u.rec.fields = arena_calloc(ck->a, n + 1, sizeof(struct value_field));
	for (size_t j = 0; j < n; j++)
		if (given[j]) {
			struct value_field *vf = &out->u.rec.fields[out->u.rec.n++];
			vf->name = rt->attrs[j].name;
			vf->value = vals[j];
		}
	return ok;
}

/* ---- requests ----------------------------------------------------------------- */

/* The declared action `name` (len bytes, written at `span`), or NULL after
 * reporting it unknown with the closest declared name. */
static const struct action_decl *find_action(struct ck *ck, const char *name, size_t len,
					     struct span span)
{
	const struct action_decl *act = schema_find_action(ck->s, name);
	if (act)
		return act;
	struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, span, "unknown action '%.*s'",
				 (int)(len > 100 ? 100 : len), name);
	const char **names = arena_calloc(ck->a, ck->s->nactions + 1, sizeof(char *));
	for (size_t i = 0; i < ck->s->nactions; i++)
		names[i] = ck->s->actions[i].name;
	help_closest(ck, d, name, names, ck->s->nactions, "the actions are declared in the schema");
	return NULL;
}

/* Does `act` apply to entity type `t` as the request's `what` ("principal"
 * or "resource")?  Reports it at `span` when not. */
static bool action_applies(struct ck *ck, const struct action_decl *act, const char *what,
			   const struct entity_type *t, struct span span)
{
	if (what[0] == 'p' ? action_allows_principal(act, t) : action_allows_resource(act, t))
		return true;
	struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, span,
				 "action '%s' does not apply to %s type '%s'", act->name, what, t->name);
	const struct entity_type **ts = what[0] == 'p' ? act->principals : act->resources;
	size_t nt = what[0] == 'p' ? act->nprincipals : act->nresources;
	const char **names = arena_calloc(ck->a, nt + 1, sizeof(char *));
	for (size_t i = 0; i < nt; i++)
		names[i] = ts[i]->name;
	diag_help(ck->d, d, "'%s' applies to %s types %s", act->name, what,
		  nt ? ck_name_list(ck->a, names, nt) : "(none)");
	return false;
}

static bool resolve_entity(struct ck *ck, const struct ast_entity *e, const char *what,
			   const struct action_decl *act, struct checked_entity *out)
{
	const char *tname = e->type.name ? e->type.name : "";
	const struct entity_type *t = schema_find_type(ck->s, tname);
	out->id = e->id.name ? e->id.name : "";
	out->id_len = e->id.name ? e->id.len : 0;
	if (!t) {
		struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, e->type.span,
					 "unknown entity type '%s'", tname);
		size_t n;
		const char **names = type_name_list(ck, &n);
		help_closest(ck, d, tname, names, n, "the entity types are declared in the schema");
		return false;
	}
	out->type = t;
	bool ok = !act || action_applies(ck, act, what, t, e->type.span);
	if (!fit_record(ck, e->attrs, &t->attrs, what, e->span, &out->attrs))
		ok = false;
	return ok;
}

static bool resolve_time(struct ck *ck, struct ast_expr *at, int64_t *ms)
{
	if (at->kind != EX_TIME) {
		struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, at->span,
					 "'at' needs a time(\"...\") literal");
		diag_help(ck->d, d, "write 'at time(\"2026-11-22T10:00:00Z\")'");
		return false;
	}
	if (ck_expr(ck, at)->kind == TY_ERROR || at->ref_kind != REF_VALUE)
		return false;
	*ms = ((const struct value *)at->ref)->u.i;
	return true;
}

/* Resolve a whole request; `where` is what E0407 points at. */
static bool resolve_request(struct ck *ck, const struct ast_request *r, struct span where,
			    const char *what, struct checked_request *out)
{
	bool ok = true;
	memset(out, 0, sizeof(*out));
	const char *missing[3];
	size_t nmissing = 0;
	if (!r->has_principal)
		missing[nmissing++] = "principal";
	if (!r->has_action)
		missing[nmissing++] = "action";
	if (!r->has_resource)
		missing[nmissing++] = "resource";
	if (nmissing) {
		struct diag *d = diag_at(ck->d, E_INCOMPLETE_REQ, where, "%s has no %s", what,
					 ck_name_list(ck->a, missing, nmissing));
		diag_help(ck->d, d, "a request names 'principal TYPE \"id\" { ... }', 'action \"name\"' "
			  "and 'resource TYPE \"id\" { ... }'");
		ok = false;
	}
	const struct action_decl *act = NULL;
	if (r->has_action) {
		act = find_action(ck, r->action.name ? r->action.name : "", r->action.len,
				  r->action.span);
		if (!act)
			ok = false;
		out->action = act;
	}
	if (r->has_principal && !resolve_entity(ck, &r->principal, "principal", act, &out->principal))
		ok = false;
	if (r->has_resource && !resolve_entity(ck, &r->resource, "resource", act, &out->resource))
		ok = false;
	if (r->has_context && r->context) {
		if (!fit_record(ck, r->context, &ck->s->context, "context", r->context_span, &out->context))
			ok = false;
	} else {
		const struct record_type *ctx = &ck->s->context;
		for (size_t i = 0; i < ctx->n; i++) {
			if (ctx->attrs[i].optional)
				continue;
			struct diag *d = diag_at(ck->d, E_INCOMPLETE_REQ, where,
						 "%s has no context, but the schema requires 'context.%s'",
						 what, ctx->attrs[i].name);
			diag_help(ck->d, d, "add 'context { %s: <%s> }'", ctx->attrs[i].name,
				  type_str(ck->a, ctx->attrs[i].type));
			ok = false;
			break;
		}
		out->context.kind = VAL_RECORD;
	}
	if (r->at) {
		if (resolve_time(ck, r->at, &out->time_ms))
			out->has_time = true;
		else
			ok = false;
	}
	return ok;
}

static struct checked_request copy_request(struct ck *ck, const struct checked_request *r)
{
	struct checked_request c = *r;
	c.principal.attrs = value_copy(ck->a, &r->principal.attrs);
	c.resource.attrs = value_copy(ck->a, &r->resource.attrs);
	c.context = value_copy(ck->a, &r->context);
	return c;
}

/* ---- with / without --------------------------------------------------------- */

/* Where a `with` or `without` path ends. */
struct path_end {
	struct value *rec;              /* the record value holding it (NULL when absent) */
	const struct attr_decl *decl;   /* its declaration */
	const struct record_type *rt;   /* the record type declaring it */
	bool absent;                    /* an enclosing optional record is not in
					 * the request (nothing to change) */
};

/* Walk `path` to its last segment into *out.  Reports E0406. */
static bool walk_path(struct ck *ck, struct checked_request *req, const struct ast_path *p,
		      struct path_end *out)
{
	const struct record_type *rt;
	struct value *cur;
	const char *root = ast_var_str(p->root);
	out->absent = false;
	if (p->root == VAR_CONTEXT) {
		rt = &ck->s->context;
		cur = &req->context;
	} else {
		struct checked_entity *e = p->root == VAR_PRINCIPAL ? &req->principal : &req->resource;
		if (!e->type)
			return false;
		rt = &e->type->attrs;
		cur = &e->attrs;
	}
	char *path = arena_strdup(ck->a, root);
	struct value empty;
	memset(&empty, 0, sizeof(empty));
	empty.kind = VAL_RECORD;
	for (size_t i = 0; i < p->nsegs; i++) {
		const char *seg = p->segs[i] ? p->segs[i] : "";
		const struct attr_decl *a = record_find(rt, seg);
		if (!a) {
			struct diag *d = diag_at(ck->d, E_BAD_PATH, p->seg_spans[i],
						 "'%s' has no attribute '%s' in the schema", path, seg);
			const char **cands = arena_calloc(ck->a, rt->n + 1, sizeof(char *));
			for (size_t j = 0; j < rt->n; j++)
				cands[j] = rt->attrs[j].name;
			help_closest(ck, d, seg, cands, rt->n,
				     "paths name attributes the schema declares");
			return false;
		}
		if (i + 1 == p->nsegs) {
			out->rec = out->absent ? NULL : cur;
			out->decl = a;
			out->rt = rt;
			return true;
		}
		char *sub = arena_printf(ck->a, "%s.%s", path, seg);
		if (a->type->kind != TY_RECORD) {
			struct diag *d = diag_at(ck->d, E_BAD_PATH, p->seg_spans[i + 1],
						 "'%s' is %s, not a record", sub,
						 ck_a_type(ck->a, type_str(ck->a, a->type)));
			diag_help(ck->d, d, "the path ends at '%s'", sub);
			return false;
		}
		struct value *next = value_field(cur, seg);
		if (!next) {
			/* Keep checking the rest of the path against the schema. */
			out->absent = true;
			next = &empty;
		}
		cur = next;
		rt = a->type->record;
		path = sub;
	}
	return false;
}

static char *path_str(struct ck *ck, const struct ast_path *p)
{
	char *s = arena_strdup(ck->a, ast_var_str(p->root));
	for (size_t i = 0; i < p->nsegs; i++)
		s = arena_printf(ck->a, "%s.%s", s, p->segs[i] ? p->segs[i] : "");
	return s;
}

/* `with action = "name"`: the action of the request becomes a declared
 * one; whether it applies to the request's entity types is checked once
 * every change is made (action_fits). */
static bool with_action(struct ck *ck, struct checked_request *req, const struct ast_with *w)
{
	struct ast_expr *v = w->value;
	if (v->kind != EX_STRING) {
		struct diag *d = diag_at(ck->d, E_NOT_LITERAL, v->span,
					 "the action must be a string literal");
		if (v->kind == EX_NAME && v->u.name.name)
			diag_help(ck->d, d, "put the name in quotes: 'with action = \"%s\"'",
				  v->u.name.name);
		else
			diag_help(ck->d, d, "write the action's name in quotes: 'with action = \"read\"'");
		return false;
	}
	ck_expr(ck, v);
	const struct action_decl *act = find_action(ck, v->u.str.s, v->u.str.len, v->span);
	if (!act)
		return false;
	req->action = act;
	return true;
}

/* After `with action = ...` (w): the new action applies to the request's
 * principal and resource types. */
static bool action_fits(struct ck *ck, const struct checked_request *req, const struct ast_with *w)
{
	bool ok = action_applies(ck, req->action, "principal", req->principal.type, w->value->span);
	return action_applies(ck, req->action, "resource", req->resource.type, w->value->span) && ok;
}

static bool apply_with(struct ck *ck, struct checked_request *req, const struct ast_with *w)
{
	const struct ast_path *p = &w->path;
	if (p->root == VAR_ACTION)
		return with_action(ck, req, w);
	char *full = path_str(ck, p);
	if (p->root != VAR_CONTEXT && p->nsegs == 1 && p->segs[0] && !strcmp(p->segs[0], "id")) {
		struct checked_entity *e = p->root == VAR_PRINCIPAL ? &req->principal : &req->resource;
		if (w->value->kind != EX_STRING) {
			struct diag *d = diag_at(ck->d, E_REQUEST_SCHEMA, w->value->span,
						 "'%s' is a string", full);
			diag_help(ck->d, d, "write the id in quotes");
			return false;
		}
		e->id = w->value->u.str.s;
		e->id_len = w->value->u.str.len;
		ck_expr(ck, w->value);
		return true;
	}
	/* Report a missing enclosing record precisely. */
	struct path_end t;
	if (!walk_path(ck, req, p, &t))
		return false;
	if (t.absent) {
		struct diag *d = diag_at(ck->d, E_BAD_PATH, p->span,
					 "cannot set '%s': a record on its path is not in the request", full);
		diag_help(ck->d, d, "set the whole optional record instead, e.g. 'with %s = { ... }'",
			  path_str(ck, &(struct ast_path){ p->root, p->segs, p->seg_spans, p->nsegs - 1, p->span }));
		return false;
	}
	struct value v;
	if (!fit_value(ck, w->value, t.decl->type, full, &v))
		return false;
	struct value *old = value_field(t.rec, t.decl->name);
	if (old) {
		*old = v;
		return true;
	}
	/* Insert in schema order. */
	size_t n = t.rec->u.rec.n, pos = 0;
	for (size_t i = 0; i < n; i++) {
		const struct attr_decl *a = record_find(t.rt, t.rec->u.rec.fields[i].name);
		if (a && a->index < t.decl->index)
			pos = i + 1;
	}
	struct value_field *f = arena_calloc(ck->a, n + 1, sizeof(*f));
	memcpy(f, t.rec->u.rec.fields, pos * sizeof(*f));
	f[pos].name = t.decl->name;
	f[pos].value = v;
	memcpy(f + pos + 1, t.rec->u.rec.fields + pos, (n - pos) * sizeof(*f));
	t.rec->u.rec.fields = f;
	t.rec->u.rec.n = n + 1;
	return true;
}

static bool apply_without(struct ck *ck, struct checked_request *req, const struct ast_path *p)
{
	char *full = path_str(ck, p);
	if (p->root != VAR_CONTEXT && p->nsegs == 1 && p->segs[0] && !strcmp(p->segs[0], "id")) {
		struct diag *d = diag_at(ck->d, E_BAD_PATH, p->span, "'%s' cannot be removed", full);
		diag_help(ck->d, d, "every entity has an id");
		return false;
	}
	struct path_end t;
	if (!walk_path(ck, req, p, &t))
		return false;
	if (!t.decl->optional) {
		struct diag *d = diag_at(ck->d, E_BAD_PATH, p->span,
					 "cannot remove '%s': it is required by the schema", full);
		diag_help(ck->d, d, "give it another value with 'with %s = ...'", full);
		return false;
	}
	if (t.absent)
		return true;
	size_t n = t.rec->u.rec.n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t.rec->u.rec.fields[i].name, t.decl->name)) {
			memmove(t.rec->u.rec.fields + i, t.rec->u.rec.fields + i + 1,
				(n - i - 1) * sizeof(*t.rec->u.rec.fields));
			t.rec->u.rec.n--;
			break;
		}
	return true;
}

/* ---- expectations --------------------------------------------------------------- */

static int rule_ptr_cmp(const void *pa, const void *pb)
{
	const struct checked_rule *a = *(const struct checked_rule *const *)pa;
	const struct checked_rule *b = *(const struct checked_rule *const *)pb;
	return strcmp(a->id, b->id);
}

static bool in_list(const void *const *list, size_t n, const void *x)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == x)
			return true;
	return false;
}

static const struct checked_rule *resolve_rule_id(struct ck *ck, const struct ast_name *nm)
{
	const struct checked *c = ck->out;
	const char *id = nm->name ? nm->name : "";
	const struct checked_rule *exact = checked_find_rule(c, id);
	if (exact)
		return exact;
	const struct checked_rule **found = arena_calloc(ck->a, c->nrules + 1, sizeof(*found));
	size_t nfound = 0;
	if (!strchr(id, '.'))
		for (size_t i = 0; i < c->nrules; i++)
			if (c->rules[i].rule->name && !strcmp(c->rules[i].rule->name, id))
				found[nfound++] = &c->rules[i];
	if (nfound == 1)
		return found[0];
	if (nfound > 1) {
		const char **ids = arena_calloc(ck->a, nfound + 1, sizeof(char *));
		for (size_t i = 0; i < nfound; i++)
			ids[i] = found[i]->id;
		struct diag *d = diag_at(ck->d, E_AMBIGUOUS_RULE, nm->span,
					 "rule name '%s' is ambiguous: it could be %s", id,
					 ck_name_list(ck->a, ids, nfound));
		diag_help(ck->d, d, "write the full id, e.g. '%s'", ids[0]);
		return NULL;
	}
	const char **cands = arena_calloc(ck->a, 2 * c->nrules + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < c->nrules; i++) {
		cands[n++] = c->rules[i].id;
		if (strchr(id, '.') == NULL && c->rules[i].rule->name)
			cands[n++] = c->rules[i].rule->name;
	}
	struct diag *d = diag_at(ck->d, E_UNKNOWN_RULE, nm->span, "unknown rule '%s'", id);
	help_closest(ck, d, id, cands, n, "write a rule id such as 'package.rule_name'");
	return NULL;
}

/* Can rule r ever decide this test's request the way the test expects? */
static bool rule_can_decide(struct ck *ck, const struct ast_test *t, const struct ast_name *nm,
			    const struct checked_rule *r, const struct checked_request *req, bool req_ok)
{
	bool allow = t->expect_allow;
	if ((r->effect == EFFECT_PERMIT) != allow) {
		struct diag *d = diag_at(ck->d, E_EXPECT_NEVER, nm->span,
					 "'%s' is a %s rule: it can never decide '%s'", r->id,
					 r->effect == EFFECT_PERMIT ? "permit" : "forbid", allow ? "allow" : "deny");
		diag_help(ck->d, d, "permit rules decide 'allow' and forbid rules decide 'deny'");
		return false;
	}
	if (!req_ok || !r->nactions)
		return true;
	const char *why = NULL;
	if (!in_list((const void *const *)r->actions, r->nactions, req->action))
		why = arena_printf(ck->a, "action '%s'", req->action->name);
	else if (!in_list((const void *const *)r->principals, r->nprincipals, req->principal.type))
		why = arena_printf(ck->a, "principal type '%s'", req->principal.type->name);
	else if (!in_list((const void *const *)r->resources, r->nresources, req->resource.type))
		why = arena_printf(ck->a, "resource type '%s'", req->resource.type->name);
	if (why) {
		struct diag *d = diag_at(ck->d, E_EXPECT_NEVER, nm->span,
					 "rule '%s' can never apply to this request: its scope excludes %s",
					 r->id, why);
		diag_note(ck->d, d, r->rule->name_span, "rule '%s' is defined here", r->id);
		diag_help(ck->d, d, "name the rule that decides this request, or change the request");
		return false;
	}
	return true;
}

static bool resolve_expect(struct ck *ck, const struct ast_test *t, struct checked_test *ct,
			   bool req_ok)
{
	ct->expect_allow = t->expect_allow;
	ct->by = t->by;
	if (t->by != EXPECT_RULES)
		return true;
	bool ok = true;
	const struct checked_rule **rules = arena_calloc(ck->a, t->nby_rules + 1, sizeof(*rules));
	size_t n = 0;
	for (size_t i = 0; i < t->nby_rules; i++) {
		const struct checked_rule *r = resolve_rule_id(ck, &t->by_rules[i]);
		if (!r) {
			ok = false;
			continue;
		}
		if (!rule_can_decide(ck, t, &t->by_rules[i], r, &ct->request, req_ok))
			ok = false;
		if (!in_list((const void *const *)rules, n, r))
			rules[n++] = r;
	}
	qsort(rules, n, sizeof(*rules), rule_ptr_cmp);
	ct->by_rules = rules;
	ct->nby_rules = n;
	return ok;
}

/* ---- the driver ------------------------------------------------------------------ */

/* How many items of `kind` the test files hold. */
static size_t count_test_items(const struct ck *ck, enum ast_item_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < ck->nfiles; i++)
		if (ck->files[i]->is_test)
			for (size_t j = 0; j < ck->files[i]->nitems; j++)
				n += ck->files[i]->items[j].kind == kind;
	return n;
}

static void collect_requests(struct tctx *tc)
{
	struct ck *ck = tc->ck;
	size_t n = count_test_items(ck, ITEM_REQUEST);
	tc->reqs = arena_calloc(ck->a, n + 1, sizeof(*tc->reqs));
	for (size_t i = 0; i < ck->nfiles; i++) {
		const struct ast_file *f = ck->files[i];
		if (!f->is_test)
			continue;
		ck->file = f;
		ck->package = f->package;
		for (size_t j = 0; j < f->nitems; j++) {
			if (f->items[j].kind != ITEM_REQUEST || !f->items[j].u.request->name)
				continue;
			const struct ast_request *r = f->items[j].u.request;
			const struct named_req *prev = NULL;
			for (size_t k = 0; k < tc->nreqs && !prev; k++)
				if (pkg_eq(tc->reqs[k].file->package, f->package) &&
				    !strcmp(tc->reqs[k].req->name, r->name))
					prev = &tc->reqs[k];
			if (prev) {
				struct diag *d = diag_at(ck->d, E_DUP_TEST, r->name_span,
							 "request '%s' is declared twice in %s", r->name,
							 f->package ? arena_printf(ck->a, "package '%s'", f->package)
								    : "the test files without a package");
				diag_note(ck->d, d, prev->req->name_span, "first declared here");
				diag_help(ck->d, d, "request names are unique per package: rename one");
				continue;
			}
			struct named_req *nr = &tc->reqs[tc->nreqs++];
			nr->req = r;
			nr->file = f;
			nr->ok = resolve_request(ck, r, r->name_span,
						 arena_printf(ck->a, "request '%s'", r->name), &nr->value);
		}
	}
}

static const struct named_req *find_request(struct tctx *tc, const struct ast_file *f,
					    const struct ast_name *nm)
{
	struct ck *ck = tc->ck;
	const char *name = nm->name ? nm->name : "";
	for (size_t k = 0; k < tc->nreqs; k++)
		if (pkg_eq(tc->reqs[k].file->package, f->package) && !strcmp(tc->reqs[k].req->name, name))
			return &tc->reqs[k];
	const char **cands = arena_calloc(ck->a, tc->nreqs + 1, sizeof(char *));
	size_t n = 0;
	for (size_t k = 0; k < tc->nreqs; k++)
		if (pkg_eq(tc->reqs[k].file->package, f->package))
			cands[n++] = tc->reqs[k].req->name;
	struct diag *d = diag_at(ck->d, E_UNKNOWN_REQUEST, nm->span, "unknown request '%s'", name);
	help_closest(ck, d, name, cands, n,
		     f->package ? arena_printf(ck->a, "declare it with 'request %s { ... }' in a test "
					       "file of package '%s'", name, f->package)
				: arena_printf(ck->a, "declare it with 'request %s { ... }'", name));
	return NULL;
}

static void check_test(struct tctx *tc, const struct ast_file *f, const struct ast_test *t,
		       struct checked_test *ct)
{
	struct ck *ck = tc->ck;
	ct->test = t;
	ct->file = f;
	ct->package = f->package;
	ct->name = t->name ? t->name : "";
	ct->name_len = t->name ? t->name_len : 0;
	bool ok = true;
	if (t->given.name) {
		const struct named_req *base = find_request(tc, f, &t->given);
		if (!base || !base->ok)
			ok = false;
		else
			ct->request = copy_request(ck, &base->value);
	} else if (t->inline_req) {
		ok = resolve_request(ck, t->inline_req, t->name_span, "the test's request", &ct->request);
	} else {
		ok = false;     /* the parser reported it */
	}
	if (ok) {
		const struct ast_with *set_action = NULL;
		for (size_t i = 0; i < t->nwiths; i++) {
			bool done = apply_with(ck, &ct->request, &t->withs[i]);
			if (done && t->withs[i].path.root == VAR_ACTION)
				set_action = &t->withs[i];
			ok &= done;
		}
		if (ok && set_action)
			ok = action_fits(ck, &ct->request, set_action);
		for (size_t i = 0; i < t->nwithouts; i++)
			ok &= apply_without(ck, &ct->request, &t->withouts[i]);
	}
	if (t->at) {
		int64_t ms;
		if (resolve_time(ck, t->at, &ms)) {
			ct->request.has_time = true;
			ct->request.time_ms = ms;
		} else {
			ok = false;
		}
	}
	bool exp_ok = resolve_expect(ck, t, ct, ok);
	ct->ok = ok && exp_ok && t->has_expect;
}

/*
 * W0503: a whole project (ck->c->whole_project) with rules and not one
 * test.  It points at authzc.json ("$.tests" when set there), or at no file
 * when the project has none; the help says where a test goes.
 */
static void no_tests(struct ck *ck)
{
	const struct project_config *cfg = &ck->c->config;
	size_t n = ck->out->nrules;
	if (!ck->c->whole_project || ck->out->ntests || count_test_items(ck, ITEM_ASSERT) || !n)
		return;     /* an assertion exercises every rule of its scope */
	const char *msg = arena_printf(ck->a, "no tests found: no test exercises the project's %zu rule%s",
				       n, n == 1 ? "" : "s");
	struct diag *d = cfg->has_file && cfg->tests_given
		? diag_json(ck->d, W_NO_TESTS, cfg->file, "$.tests", "%s", msg)
		: diag_file(ck->d, W_NO_TESTS, cfg->has_file ? cfg->file : UINT32_MAX, "%s", msg);
	if (cfg->ntests)
		diag_help(ck->d, d, "add a file ending in _test.authz under '%s' with a `test` "
			  "(authzc-policy(5), TESTS)", cfg->tests[0]);
	else
		diag_help(ck->d, d, "add a file ending in _test.authz next to the policies with a "
			  "`test` (authzc-policy(5), TESTS)");
}

void ck_tests(struct ck *ck)
{
	struct tctx tc = { ck, NULL, 0 };
	collect_requests(&tc);
	size_t n = count_test_items(ck, ITEM_TEST);
	ck->out->tests = arena_calloc(ck->a, n + 1, sizeof(*ck->out->tests));
	for (size_t i = 0; i < ck->nfiles; i++) {
		const struct ast_file *f = ck->files[i];
		if (!f->is_test)
			continue;
		ck->file = f;
		ck->package = f->package;
		size_t first = ck->out->ntests;
		for (size_t j = 0; j < f->nitems; j++) {
			if (f->items[j].kind != ITEM_TEST)
				continue;
			const struct ast_test *t = f->items[j].u.test;
			const struct checked_test *dup = NULL;
			for (size_t k = first; k < ck->out->ntests && !dup; k++) {
				const struct checked_test *o = &ck->out->tests[k];
				if (o->name_len == t->name_len &&
				    (t->name_len == 0 || !memcmp(o->name, t->name, t->name_len)))
					dup = o;
			}
			if (dup) {
				struct diag *d = diag_at(ck->d, E_DUP_TEST, t->name_span,
							 "test \"%.*s\" is declared twice in this file",
							 (int)(t->name_len > 100 ? 100 : t->name_len), t->name);
				diag_note(ck->d, d, dup->test->name_span, "first declared here");
				diag_help(ck->d, d, "test names are unique per file: rename one");
			}
			check_test(&tc, f, t, &ck->out->tests[ck->out->ntests++]);
		}
	}
	no_tests(ck);
}
