/*
 * checker.c: the checker's driver (checker.h): files in path order,
 * packages, constants, rule ids, scopes, annotations and conditions.
 * Expressions are typed in check_expr.c, tests in check_tests.c.
 */
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "authzc_limits.h"
#include "suggest.h"
#include "check_int.h"

/* ---- files and packages ------------------------------------------------- */

struct file_key {
	const char *name;
	struct ast_file *file;
};

static int file_cmp(const void *pa, const void *pb)
{
	const struct file_key *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->file->file < b->file->file ? -1 : a->file->file > b->file->file;
}

static int str_cmp(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static void collect_files(struct ck *ck)
{
	struct compilation *c = ck->c;
	struct file_key *keys = arena_calloc(ck->a, c->nfiles + 1, sizeof(*keys));
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		if (!c->files[i])
			continue;
		const struct src_file *sf = srcset_file(&c->src, c->files[i]->file);
		keys[n].name = sf && sf->name ? sf->name : "";
		keys[n++].file = c->files[i];
	}
	qsort(keys, n, sizeof(*keys), file_cmp);
	ck->files = arena_calloc(ck->a, n + 1, sizeof(*ck->files));
	for (size_t i = 0; i < n; i++)
		ck->files[i] = keys[i].file;
	ck->nfiles = n;

	ck->packages = arena_calloc(ck->a, ck->nfiles + 1, sizeof(char *));
	for (size_t i = 0; i < ck->nfiles; i++)
		if (ck->files[i]->package)
			ck->packages[ck->npackages++] = ck->files[i]->package;
	qsort(ck->packages, ck->npackages, sizeof(char *), str_cmp);
	size_t k = 0;
	for (size_t i = 0; i < ck->npackages; i++)
		if (k == 0 || strcmp(ck->packages[k - 1], ck->packages[i]))
			ck->packages[k++] = ck->packages[i];
	ck->npackages = k;
}

static const char *file_name(const struct ck *ck, const struct ast_file *f)
{
	const struct src_file *sf = srcset_file(&ck->c->src, f->file);
	return sf ? sf->name : "?";
}

/* ---- constants ------------------------------------------------------------ */

static void collect_consts(struct ck *ck)
{
	size_t n = 0;
	for (size_t i = 0; i < ck->nfiles; i++)
		for (size_t j = 0; j < ck->files[i]->nitems; j++)
			n += ck->files[i]->items[j].kind == ITEM_CONST;
	ck->out->consts = arena_calloc(ck->a, n + 1, sizeof(*ck->out->consts));
	for (size_t i = 0; i < ck->nfiles; i++) {
		const struct ast_file *f = ck->files[i];
		for (size_t j = 0; j < f->nitems; j++) {
			if (f->items[j].kind != ITEM_CONST)
				continue;
			const struct ast_const *k = f->items[j].u.c;
			if (!k->name)
				continue;
			struct checked_const *prev = ck_find_const(ck, f->package, k->name);
			if (prev) {
				struct diag *d = diag_at(ck->d, E_DUP_NAME, k->name_span,
							 "constant '%s' is declared twice in %s", k->name,
							 f->package ? arena_printf(ck->a, "package '%s'", f->package)
								    : "the files without a package");
				diag_note(ck->d, d, prev->decl->name_span, "first declared here");
				diag_help(ck->d, d, "rename one of them or remove the duplicate");
				continue;
			}
			struct checked_const *out = &ck->out->consts[ck->out->nconsts++];
			out->decl = k;
			out->file = f;
			out->package = f->package;
			out->name = k->name;
			out->type = type_scalar(TY_ERROR);
		}
	}
}

static void fold_consts(struct ck *ck)
{
	for (size_t i = 0; i < ck->out->nconsts; i++) {
		struct checked_const *k = &ck->out->consts[i];
		struct ast_expr *e = k->decl->value;
		if (!e)
			continue;
		ck->file = k->file;
		ck->package = k->package;
		if (!ck_is_literal_form(e)) {
			struct diag *d = diag_at(ck->d, E_NOT_LITERAL, e->span,
						 "the value of constant '%s' must be a literal", k->name);
			diag_help(ck->d, d, "write a literal such as \"text\", 42, 8h, time(\"...\"), "
				  "ip(\"...\") or a set of literals [\"a\", \"b\"]");
			continue;
		}
		if (e->kind == EX_SET) {
			bool bad = false;
			for (size_t j = 0; j < e->u.list.n; j++) {
				struct ast_expr *x = e->u.list.items[j];
				if (!ck_is_literal_form(x) || x->kind == EX_SET) {
					struct diag *d = diag_at(ck->d, E_NOT_LITERAL, x->span,
								 "the elements of constant '%s' must be literals",
								 k->name);
					diag_help(ck->d, d, "a constant holds a literal or a set of "
						  "literals of one type");
					bad = true;
				}
			}
			if (bad)
				continue;
		}
		const struct type *t = ck_expr(ck, e);
		if (t->kind != TY_ERROR && e->ref_kind == REF_VALUE) {
			k->type = t;
			k->value = *(const struct value *)e->ref;
		}
	}
}

/* ---- annotations ------------------------------------------------------------ */

static void check_annotations(struct ck *ck, const struct ast_rule *r, struct checked_rule *cr)
{
	for (size_t i = 0; i < r->nannotations; i++) {
		const struct ast_annotation *an = &r->annotations[i];
		if (!an->name)
			continue;
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++) {
			if (r->annotations[j].name && !strcmp(r->annotations[j].name, an->name)) {
				struct diag *d = diag_at(ck->d, E_BAD_ANNOTATION, an->span,
							 "annotation '@%s' is given twice on rule '%s'",
							 an->name, cr->id);
				diag_note(ck->d, d, r->annotations[j].span, "first given here");
				diag_help(ck->d, d, "keep one '@%s'", an->name);
				dup = true;
			}
		}
		if (dup || strcmp(an->name, "expires"))
			continue;
		int64_t ms;
		if (authz_parse_time(an->value ? an->value : "", an->value_len, &ms) < 0) {
			struct diag *d = diag_at(ck->d, E_BAD_ANNOTATION, an->value_span,
						 "invalid @expires date '%.*s'",
						 (int)(an->value_len > 80 ? 80 : an->value_len),
						 an->value ? an->value : "");
			diag_help(ck->d, d, "write an RFC 3339 time such as \"2026-12-31T00:00:00Z\"");
			continue;
		}
		cr->has_expires = true;
		cr->expires_ms = ms;
		if (ms <= ck->c->now_ms) {
			char when[32];
			authz_format_time(ms, when);
			struct diag *d = diag_at(ck->d, W_EXPIRED, an->span,
						 "rule '%s' expired on %s", cr->id, when);
			diag_help(ck->d, d, "it no longer applies: remove the rule, or move its "
				  "@expires date forward");
		}
	}
}

/* ---- scopes ------------------------------------------------------------------ */

static bool has_type(const struct entity_type *const *list, size_t n, const struct entity_type *t)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == t)
			return true;
	return false;
}

/* Resolve `principal is A | B`: the known types, deduplicated.  Unknown
 * names are E0302; *bad is set when the clause named nothing usable. */
static const struct entity_type **resolve_types(struct ck *ck, const struct ast_type_scope *sc,
						size_t *n, bool *bad)
{
	const struct entity_type **out = arena_calloc(ck->a, sc->n + 1, sizeof(*out));
	*n = 0;
	for (size_t i = 0; i < sc->n; i++) {
		const char *name = sc->types[i].name ? sc->types[i].name : "";
		const struct entity_type *t = schema_find_type(ck->s, name);
		if (!t) {
			struct diag *d = diag_at(ck->d, E_UNKNOWN_TYPE, sc->types[i].span,
						 "unknown entity type '%s'", name);
			const char **names = arena_calloc(ck->a, ck->s->ntypes + 1, sizeof(char *));
			for (size_t j = 0; j < ck->s->ntypes; j++)
				names[j] = ck->s->types[j].name;
			const char *best = suggest_closest(name, names, ck->s->ntypes);
			if (best)
				diag_help(ck->d, d, "did you mean '%s'?", best);
			else
				diag_help(ck->d, d, "the schema declares %s",
					  ck->s->ntypes ? ck_name_list(ck->a, names, ck->s->ntypes > 12 ? 12 : ck->s->ntypes)
							: "no entity types");
			continue;
		}
		if (!has_type(out, *n, t))
			out[(*n)++] = t;
	}
	*bad = sc->present && *n == 0;
	return out;
}

static const struct action_decl **resolve_actions(struct ck *ck, const struct ast_action_scope *sc,
						  size_t *n, bool *bad)
{
	const struct action_decl **out = arena_calloc(ck->a, sc->n + 1, sizeof(*out));
	*n = 0;
	for (size_t i = 0; i < sc->n; i++) {
		const struct ast_name *nm = &sc->actions[i];
		const char *name = nm->name ? nm->name : "";
		const struct action_decl *a = schema_find_action(ck->s, name);
		if (!a) {
			struct diag *d = diag_at(ck->d, E_UNKNOWN_ACTION, nm->span, "unknown action '%.*s'",
						 (int)(nm->len > 100 ? 100 : nm->len), name);
			const char **names = arena_calloc(ck->a, ck->s->nactions + 1, sizeof(char *));
			for (size_t j = 0; j < ck->s->nactions; j++)
				names[j] = ck->s->actions[j].name;
			const char *best = suggest_closest(name, names, ck->s->nactions);
			if (best)
				diag_help(ck->d, d, "did you mean '%s'?", best);
			else
				diag_help(ck->d, d, "declare it under \"actions\" in the schema");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < *n; j++)
			dup |= out[j] == a;
		if (!dup)
			out[(*n)++] = a;
	}
	*bad = sc->present && *n == 0;
	return out;
}

static bool meets(const struct entity_type **allowed, size_t nallowed,
		  const struct entity_type **want, size_t nwant, bool any)
{
	if (any)
		return nallowed > 0;
	for (size_t i = 0; i < nwant; i++)
		if (has_type((const struct entity_type *const *)allowed, nallowed, want[i]))
			return true;
	return false;
}

static char *type_names(struct ck *ck, const struct entity_type **t, size_t n)
{
	const char **names = arena_calloc(ck->a, n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		names[i] = t[i]->name;
	return ck_name_list(ck->a, names, n);
}

static char *action_names(struct ck *ck, const struct action_decl **a, size_t n)
{
	const char **names = arena_calloc(ck->a, n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		names[i] = a[i]->name;
	return ck_name_list(ck->a, names, n);
}

/* Types (in schema order) that some action of `acts` allows on one side. */
static char *allowed_names(struct ck *ck, const struct action_decl **acts, size_t nacts, bool principal)
{
	const struct entity_type **t = arena_calloc(ck->a, ck->s->ntypes + 1, sizeof(*t));
	size_t n = 0;
	for (size_t i = 0; i < ck->s->ntypes; i++)
		for (size_t j = 0; j < nacts; j++)
			if (principal ? action_allows_principal(acts[j], &ck->s->types[i])
				      : action_allows_resource(acts[j], &ck->s->types[i])) {
				t[n++] = &ck->s->types[i];
				break;
			}
	return n ? type_names(ck, t, n) : arena_strdup(ck->a, "none");
}

/* Report why no action fits the `is` clauses (E0306). */
/* "rule 'id'", or for an assertion's conditions (no name) its id as set by
 * check_asserts: assertion "name". */
static const char *who(struct ck *ck, const struct ast_rule *r)
{
	return r->name ? arena_printf(ck->a, "rule '%s'", r->id) : r->id;
}

static void scope_empty(struct ck *ck, const struct ast_rule *r, const struct action_decl **acts,
			size_t nacts, const struct entity_type **ps, size_t np, bool pany,
			const struct entity_type **rs, size_t nr, bool rany)
{
	bool p_ok = false, r_ok = false;
	for (size_t i = 0; i < nacts; i++) {
		p_ok |= meets(acts[i]->principals, acts[i]->nprincipals, ps, np, pany);
		r_ok |= meets(acts[i]->resources, acts[i]->nresources, rs, nr, rany);
	}
	const char *acts_s = r->action.present
		? arena_printf(ck->a, "%s %s", nacts == 1 ? "action" : "actions", action_names(ck, acts, nacts))
		: "no action in the schema";
	struct diag *d;
	if (nacts == 0) {
		d = diag_at(ck->d, E_SCOPE_EMPTY, r->name_span,
			    "%s can never match: the schema declares no actions", who(ck, r));
		diag_help(ck->d, d, "declare the actions under \"actions\" in the schema");
		return;
	}
	for (int side = 0; side < 2; side++) {
		bool ok = side == 0 ? p_ok : r_ok;
		if (ok)
			continue;
		const struct ast_type_scope *sc = side == 0 ? &r->principal : &r->resource;
		const char *what = side == 0 ? "principal" : "resource";
		size_t n = side == 0 ? np : nr;
		const struct entity_type **ts = side == 0 ? ps : rs;
		if (!r->action.present)
			d = diag_at(ck->d, E_SCOPE_EMPTY, sc->span,
				    "%s can never match: no action applies to %s type%s %s",
				    who(ck, r), what, n == 1 ? "" : "s", type_names(ck, ts, n));
		else
			d = diag_at(ck->d, E_SCOPE_EMPTY, sc->span,
				    "%s can never match: %s never appl%s to %s type%s %s",
				    who(ck, r), acts_s, nacts == 1 ? "ies" : "y", what, n == 1 ? "" : "s",
				    type_names(ck, ts, n));
		if (r->action.present)
			diag_note(ck->d, d, r->action.span, r->name ? "the rule's actions" : "the assertion's actions");
		diag_help(ck->d, d, "%s appl%s to %s type%s %s", r->action.present ? acts_s : "the actions",
			  nacts == 1 && r->action.present ? "ies" : "y", what, "s",
			  allowed_names(ck, acts, nacts, side == 0));
		return;
	}
	d = diag_at(ck->d, E_SCOPE_EMPTY, r->name_span,
		    "%s can never match: no action of its scope applies to both principal "
		    "type%s %s and resource type%s %s", who(ck, r), np == 1 ? "" : "s",
		    type_names(ck, ps, np), nr == 1 ? "" : "s", type_names(ck, rs, nr));
	diag_help(ck->d, d, "check the \"actions\" of the schema: each action lists the principal "
		  "and resource types it applies to");
}

/* Intersect the `is` clauses with what the actions allow (checked.h). */
static bool check_scope(struct ck *ck, const struct ast_rule *r, struct checked_rule *cr)
{
	size_t np = 0, nr = 0, na = 0;
	bool pbad = false, rbad = false, abad = false;
	const struct entity_type **ps = resolve_types(ck, &r->principal, &np, &pbad);
	const struct entity_type **rs = resolve_types(ck, &r->resource, &nr, &rbad);
	const struct action_decl **as = resolve_actions(ck, &r->action, &na, &abad);
	bool pany = !r->principal.present, rany = !r->resource.present;
	cr->principal_any = pany;
	cr->resource_any = rany;
	cr->action_any = !r->action.present;
	if (pbad || rbad || abad)
		return false;
	if (!r->action.present) {
		as = arena_calloc(ck->a, ck->s->nactions + 1, sizeof(*as));
		for (size_t i = 0; i < ck->s->nactions; i++)
			as[i] = &ck->s->actions[i];
		na = ck->s->nactions;
	}
	const struct action_decl **acts = arena_calloc(ck->a, na + 1, sizeof(*acts));
	size_t nacts = 0;
	for (size_t i = 0; i < na; i++)
		if (meets(as[i]->principals, as[i]->nprincipals, ps, np, pany) &&
		    meets(as[i]->resources, as[i]->nresources, rs, nr, rany))
			acts[nacts++] = as[i];
	if (!nacts) {
		scope_empty(ck, r, as, na, ps, np, pany, rs, nr, rany);
		return false;
	}
	const struct entity_type **P = arena_calloc(ck->a, ck->s->ntypes + 1, sizeof(*P));
	const struct entity_type **R = arena_calloc(ck->a, ck->s->ntypes + 1, sizeof(*R));
	size_t nP = 0, nR = 0;
	for (size_t i = 0; i < ck->s->ntypes; i++) {
		const struct entity_type *t = &ck->s->types[i];
		bool inp = false, inr = false;
		for (size_t j = 0; j < nacts; j++) {
			inp |= action_allows_principal(acts[j], t);
			inr |= action_allows_resource(acts[j], t);
		}
		if (inp && (pany || has_type(ps, np, t)))
			P[nP++] = t;
		if (inr && (rany || has_type(rs, nr, t)))
			R[nR++] = t;
	}
	cr->actions = acts;
	cr->nactions = nacts;
	cr->principals = P;
	cr->nprincipals = nP;
	cr->resources = R;
	cr->nresources = nR;
	return true;
}

/* ---- rules -------------------------------------------------------------------- */

static void check_conditions(struct ck *ck, const struct ast_file *f, struct ast_rule *r,
			     struct checked_rule *cr, bool scope_ok);

static void check_rule(struct ck *ck, const struct ast_file *f, struct ast_rule *r,
		       struct checked_rule *cr)
{
	cr->rule = r;
	cr->file = f;
	cr->id = r->id;
	cr->package = f->package;
	cr->effect = r->effect;
	check_annotations(ck, r, cr);
	bool scope_ok = check_scope(ck, r, cr);
	if (!r->principal.present && !r->resource.present && !r->action.present && !r->nclauses) {
		struct diag *d = diag_at(ck->d, W_MATCHES_ALL, r->name_span,
					 "rule '%s' has no scope and no condition: it %s every request",
					 r->id, r->effect == EFFECT_PERMIT ? "allows" : "denies");
		diag_help(ck->d, d, "add a scope clause such as 'principal is T' or a 'when' condition");
	}
	check_conditions(ck, f, r, cr, scope_ok);
}

/* The when/unless clauses of r, in scope cr (scope_ok: its scope resolved),
 * typed as conditions; then cr's guards. */
static void check_conditions(struct ck *ck, const struct ast_file *f, struct ast_rule *r,
			     struct checked_rule *cr, bool scope_ok)
{
	ck->file = f;
	ck->package = f->package;
	ck->item = r->name ? "rule" : "assertion";     /* an assertion's has no name */
	ck->facts.n = 0;
	if (scope_ok) {
		ck->principal_t = type_entities(ck->a, (const struct entity_type *const *)cr->principals,
						cr->nprincipals);
		ck->resource_t = type_entities(ck->a, (const struct entity_type *const *)cr->resources,
					       cr->nresources);
	} else {
		ck->principal_t = ck->resource_t = type_scalar(TY_ERROR);
	}
	for (size_t i = 0; i < r->nclauses; i++)
		if (!r->clauses[i].is_unless)
			ck_condition(ck, r->clauses[i].expr, "the 'when' condition");
	size_t nwhen = ck->facts.n;
	for (size_t i = 0; i < r->nclauses; i++) {
		if (!r->clauses[i].is_unless)
			continue;
		ck_condition(ck, r->clauses[i].expr, "the 'unless' condition");
		ck_facts_reset(ck, nwhen);
	}
	ck->facts.n = 0;
	ck->principal_t = ck->resource_t = NULL;
	cr->nguards = ast_rule_guards(ck->a, r, &cr->guards);
}

static int rule_id_cmp(const void *pa, const void *pb)
{
	const struct checked_rule *a = *(const struct checked_rule *const *)pa;
	const struct checked_rule *b = *(const struct checked_rule *const *)pb;
	int c = strcmp(a->id, b->id);
	if (c)
		return c;
	return a < b ? -1 : a > b;
}

static void check_dup_rules(struct ck *ck)
{
	size_t n = ck->out->nrules;
	const struct checked_rule **by_id = arena_calloc(ck->a, n + 1, sizeof(*by_id));
	for (size_t i = 0; i < n; i++)
		by_id[i] = &ck->out->rules[i];
	qsort(by_id, n, sizeof(*by_id), rule_id_cmp);
	for (size_t i = 1; i < n; i++) {
		size_t first = i - 1;
		while (i < n && !strcmp(by_id[first]->id, by_id[i]->id)) {
			const struct checked_rule *a = by_id[first], *b = by_id[i];
			struct diag *d = diag_at(ck->d, E_DUP_RULE, b->rule->name_span,
						 "duplicate rule id '%s'", b->id);
			diag_note(ck->d, d, a->rule->name_span, "'%s' is first defined here, in %s",
				  a->id, file_name(ck, a->file));
			diag_help(ck->d, d, "rule ids are unique across the policy set: rename one of "
				  "the rules");
			i++;
		}
	}
}

static void misplaced(struct ck *ck, const struct ast_file *f, const struct ast_item *it)
{
	struct diag *d;
	if (it->kind == ITEM_RULE) {
		d = diag_at(ck->d, E_MISPLACED, it->u.rule->name_span,
			    "rule '%s' is in test file '%s'", it->u.rule->name, file_name(ck, f));
		diag_help(ck->d, d, "move the rule to a policy file (one whose name does not end in "
			  "'_test.authz')");
	} else {
		struct span sp = it->kind == ITEM_TEST ? it->u.test->name_span
			       : it->kind == ITEM_ASSERT ? it->u.assert->name_span : it->u.request->name_span;
		d = diag_at(ck->d, E_MISPLACED, sp, "%s in policy file '%s'",
			    it->kind == ITEM_TEST ? "test" : it->kind == ITEM_ASSERT ? "assertion" : "request",
			    file_name(ck, f));
		diag_help(ck->d, d, "move it to a test file, one whose name ends in '_test.authz'");
	}
}

static void check_rules(struct ck *ck)
{
	size_t n = 0;
	for (size_t i = 0; i < ck->nfiles; i++)
		for (size_t j = 0; j < ck->files[i]->nitems; j++)
			n += ck->files[i]->items[j].kind == ITEM_RULE;
	ck->out->rules = arena_calloc(ck->a, n + 1, sizeof(*ck->out->rules));
	for (size_t i = 0; i < ck->nfiles; i++) {
		const struct ast_file *f = ck->files[i];
		for (size_t j = 0; j < f->nitems; j++) {
			const struct ast_item *it = &f->items[j];
			bool wrong = f->is_test ? it->kind == ITEM_RULE
						: it->kind == ITEM_TEST || it->kind == ITEM_REQUEST ||
						  it->kind == ITEM_ASSERT;
			if (wrong) {
				misplaced(ck, f, it);
				continue;
			}
			if (it->kind != ITEM_RULE || !it->u.rule->name)
				continue;
			struct ast_rule *r = it->u.rule;
			if (ck->out->nrules == LIM_MAX_RULES) {
				struct diag *d = diag_at(ck->d, E_LIMIT, r->effect_span,
							 "too many rules: the policy set has %zu, at most %u",
							 n, (unsigned)LIM_MAX_RULES);
				diag_help(ck->d, d, "split the policy set into several bundles, or merge "
					  "rules that differ only in a value into one rule with a set");
			}
			if (!r->id)
				r->id = f->package ? arena_printf(ck->a, "%s.%s", f->package, r->name)
						   : arena_strdup(ck->a, r->name);
			check_rule(ck, f, r, &ck->out->rules[ck->out->nrules++]);
		}
	}
	check_dup_rules(ck);
}

/* ---- assertions ----------------------------------------------------------------- */

/* Every assertion of the test files: its scope and conditions checked as a
 * rule's (same diagnostics), names unique per file (E0330 as tests). */
static void check_asserts(struct ck *ck)
{
	size_t n = 0;
	for (size_t i = 0; i < ck->nfiles; i++)
		for (size_t j = 0; ck->files[i]->is_test && j < ck->files[i]->nitems; j++)
			n += ck->files[i]->items[j].kind == ITEM_ASSERT;
	ck->out->asserts = arena_calloc(ck->a, n + 1, sizeof(*ck->out->asserts));
	for (size_t i = 0; i < ck->nfiles; i++) {
		const struct ast_file *f = ck->files[i];
		if (!f->is_test)
			continue;
		size_t first = ck->out->nasserts;
		for (size_t j = 0; j < f->nitems; j++) {
			if (f->items[j].kind != ITEM_ASSERT)
				continue;
			struct ast_assert *as = f->items[j].u.assert;
			for (size_t k = first; k < ck->out->nasserts; k++) {
				const struct checked_assert *o = &ck->out->asserts[k];
				if (o->name_len == as->name_len && (!as->name_len || !memcmp(o->name, as->name, as->name_len))) {
					struct diag *d = diag_at(ck->d, E_DUP_TEST, as->name_span,
								 "assertion \"%.*s\" is declared twice in this file",
								 (int)(as->name_len > 100 ? 100 : as->name_len), as->name);
					diag_note(ck->d, d, o->decl->name_span, "first declared here");
					diag_help(ck->d, d, "assertion names are unique per file: rename one");
					break;
				}
			}
			struct checked_assert *ca = &ck->out->asserts[ck->out->nasserts++];
			size_t errors0 = ck->d->errors;
			ca->decl = as;
			ca->file = f;
			ca->package = f->package;
			ca->name = as->name;
			ca->name_len = as->name_len;
			ca->forbids_allow = ast_verdict_forbids_allow(as->verdict);
			/* scope messages name "rule '<id>'" */
			as->cond->id = arena_printf(ck->a, "assertion \"%.*s\"",
						    (int)(as->name_len > 60 ? 60 : as->name_len), as->name);
			ca->cond.rule = as->cond;
			ca->cond.file = f;
			ca->cond.id = "";
			ca->cond.package = f->package;
			ca->cond.effect = EFFECT_PERMIT;
			bool scope_ok = check_scope(ck, as->cond, &ca->cond);
			check_conditions(ck, f, as->cond, &ca->cond, scope_ok);
			ca->ok = scope_ok && ck->d->errors == errors0 && as->verdict != VERDICT_NONE;
		}
	}
}

const struct checked_rule *checked_find_rule(const struct checked *c, const char *id)
{
	for (size_t i = 0; c && i < c->nrules; i++)
		if (!strcmp(c->rules[i].id, id))
			return &c->rules[i];
	return NULL;
}

size_t compilation_check(struct compilation *c)
{
	struct ck ck;
	memset(&ck, 0, sizeof(ck));
	ck.c = c;
	ck.a = &c->arena;
	ck.d = &c->diags;
	ck.out = arena_alloc(ck.a, sizeof(*ck.out));
	c->checked = ck.out;
	size_t errors0 = c->diags.errors;
	if (!c->schema) {
		diag_file(ck.d, E_IO, UINT32_MAX, "no schema to check the policies against");
		return c->diags.errors - errors0;
	}
	ck.s = c->schema;
	collect_files(&ck);
	collect_consts(&ck);
	fold_consts(&ck);
	check_rules(&ck);
	ck_tests(&ck);
	check_asserts(&ck);
	return c->diags.errors - errors0;
}
