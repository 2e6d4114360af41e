/*
 * diff_rules.c: the source differences of two versions (see diff.h):
 * rules and constants matched by id, and the schema.
 *
 * Everything is compared as syntax trees (ast_expr_equal), never as text,
 * so a change of layout or comments is no change.  What did change is shown
 * as canonical source: the changed part is put alone into a synthetic rule
 * (or constant) without comments, printed with fmt_file, and the lines of
 * its body are kept.  Both sides therefore print the way `authzc fmt`
 * would, whatever their original layout.
 */
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "diff.h"
#include "fmt.h"
#include "schema.h"

void diff_report_init(struct diff_report *r, struct arena *a, const struct diff_side *old,
		      const struct diff_side *new)
{
	memset(r, 0, sizeof(*r));
	r->a = a;
	r->old_label = arena_strdup(a, old->label);
	r->new_label = arena_strdup(a, new->label);
	r->old_revision = arena_strdup(a, old->revision);
	r->new_revision = arena_strdup(a, new->revision);
}

bool diff_report_changed(const struct diff_report *r)
{
	return r->nconfig || r->nitems || r->nschema || r->ntest_changes || r->nassert_changes || r->ndecisions ||
	       r->sym.nclasses;
}

/* ---- canonical source of a part ------------------------------------------- */

struct lines {
	struct arena *a;
	struct diff_line *v;
	size_t n;
};

static void add_line(struct lines *l, char sign, const char *text)
{
	l->v = arena_grow(l->a, l->v, l->n, l->n + 1, sizeof(*l->v));
	l->v[l->n].sign = sign;
	l->v[l->n].text = text;
	l->n++;
}

/*
 * Print one item alone with fmt_file and add its lines with `sign`.
 * `body_only`: keep the lines inside the braces (a rule's parts), with the
 * body's indentation removed; annotation lines above the header are kept
 * too.
 */
static void add_item_lines(struct lines *l, const struct srcset *src, uint32_t file,
			   struct ast_item item, bool body_only, char sign)
{
	struct ast_file f = { .file = file, .items = &item, .nitems = 1 };
	size_t len;
	char *text = fmt_file(l->a, src, &f, &len);
	bool in_body = false;
	char *line = text;
	while (*line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!body_only)
			add_line(l, sign, line);
		else if (!in_body && line[0] == '@')
			add_line(l, sign, line);
		else if (!in_body)
			in_body = true; /* the header "permit x {" */
		else if (strcmp(line, "}"))
			add_line(l, sign, line[0] == ' ' && line[1] == ' ' ? line + 2 : line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* A copy of `r` with nothing in it: parts are then put in one at a time. */
static struct ast_rule *bare_rule(struct arena *a, const struct ast_rule *r)
{
	struct ast_rule *b = arena_alloc(a, sizeof(*b));
	*b = *r;
	b->nannotations = 0;
	b->principal.present = b->resource.present = b->action.present = false;
	b->ndup_scope = 0;
	b->nclauses = 0;
	return b;
}

static struct ast_item rule_item(struct ast_rule *r)
{
	return (struct ast_item){ .kind = ITEM_RULE, .u.rule = r };
}

enum scope_part { SCOPE_PRINCIPAL, SCOPE_ACTION, SCOPE_RESOURCE };

static void add_scope_lines(struct lines *l, const struct diff_side *s, const struct checked_rule *cr,
			    enum scope_part part, char sign)
{
	struct ast_rule *b = bare_rule(l->a, cr->rule);
	bool present = false;
	switch (part) {
	case SCOPE_PRINCIPAL: present = b->principal.present = cr->rule->principal.present; break;
	case SCOPE_ACTION: present = b->action.present = cr->rule->action.present; break;
	case SCOPE_RESOURCE: present = b->resource.present = cr->rule->resource.present; break;
	}
	if (present)
		add_item_lines(l, &s->c->src, cr->file->file, rule_item(b), true, sign);
}

static void add_guard_lines(struct lines *l, const struct diff_side *s, const struct checked_rule *cr,
			    const struct ast_guard *g, char sign)
{
	struct ast_rule *b = bare_rule(l->a, cr->rule);
	struct ast_clause *cl = arena_alloc(l->a, sizeof(*cl));
	cl->is_unless = g->is_unless;
	cl->expr = (struct ast_expr *)g->expr;
	cl->span = g->expr->span;
	b->clauses = cl;
	b->nclauses = 1;
	add_item_lines(l, &s->c->src, cr->file->file, rule_item(b), true, sign);
}

static void add_annotation_lines(struct lines *l, const struct diff_side *s,
				 const struct checked_rule *cr, const struct ast_annotation *an,
				 char sign)
{
	struct ast_rule *b = bare_rule(l->a, cr->rule);
	b->annotations = (struct ast_annotation *)an;
	b->nannotations = 1;
	add_item_lines(l, &s->c->src, cr->file->file, rule_item(b), true, sign);
}

/* ---- comparing rules ------------------------------------------------------- */

static bool names_equal(const struct ast_name *a, size_t na, const struct ast_name *b, size_t nb)
{
	/* Order does not matter (`A | B` is `B | A`); lists are short. */
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t k = 0; k < nb && !found; k++)
			found = a[i].len == b[k].len && !memcmp(a[i].name, b[k].name, a[i].len);
		if (!found)
			return false;
	}
	return true;
}

static bool scope_equal(const struct ast_rule *a, const struct ast_rule *b, enum scope_part part)
{
	switch (part) {
	case SCOPE_PRINCIPAL:
		return a->principal.present == b->principal.present &&
		       names_equal(a->principal.types, a->principal.n, b->principal.types, b->principal.n);
	case SCOPE_RESOURCE:
		return a->resource.present == b->resource.present &&
		       names_equal(a->resource.types, a->resource.n, b->resource.types, b->resource.n);
	case SCOPE_ACTION:
		return a->action.present == b->action.present &&
		       names_equal(a->action.actions, a->action.n, b->action.actions, b->action.n);
	}
	return true;
}

static bool guard_equal(const struct ast_guard *a, const struct ast_guard *b)
{
	return a->is_unless == b->is_unless && ast_expr_equal(a->expr, b->expr);
}

static bool annotation_equal(const struct ast_annotation *a, const struct ast_annotation *b)
{
	return !strcmp(a->name, b->name) && a->value_len == b->value_len &&
	       !memcmp(a->value, b->value, a->value_len);
}

static bool has_annotation(const struct ast_rule *r, const struct ast_annotation *an)
{
	for (size_t i = 0; i < r->nannotations; i++)
		if (annotation_equal(&r->annotations[i], an))
			return true;
	return false;
}

/*
 * The guards of the two sides, aligned by a longest common subsequence:
 * unchanged guards are skipped, the others shown '-' and '+' in order.
 * Guard lists are short (a rule has a handful); the table is bounded by
 * the rules' sizes, which the parser already bounds.
 */
static bool diff_guards(struct lines *l, const struct diff_side *os, const struct checked_rule *o,
			const struct diff_side *ns, const struct checked_rule *n)
{
	size_t no = o->nguards, nn = n->nguards;
	size_t *t = arena_calloc(l->a, (no + 1) * (nn + 1), sizeof(size_t));
#define T(i, k) t[(i) * (nn + 1) + (k)]
	for (size_t i = no; i-- > 0;)
		for (size_t k = nn; k-- > 0;)
			T(i, k) = guard_equal(&o->guards[i], &n->guards[k])
				  ? T(i + 1, k + 1) + 1
				  : (T(i + 1, k) > T(i, k + 1) ? T(i + 1, k) : T(i, k + 1));
	bool changed = false;
	size_t i = 0, k = 0;
	while (i < no || k < nn) {
		if (i < no && k < nn && guard_equal(&o->guards[i], &n->guards[k])) {
			i++, k++;
		} else if (k >= nn || (i < no && T(i + 1, k) >= T(i, k + 1))) {
			add_guard_lines(l, os, o, &o->guards[i++], '-');
			changed = true;
		} else {
			add_guard_lines(l, ns, n, &n->guards[k++], '+');
			changed = true;
		}
	}
#undef T
	return changed;
}

static void push_item(struct diff_report *r, struct diff_item it)
{
	r->items = arena_grow(r->a, r->items, r->nitems, r->nitems + 1, sizeof(*r->items));
	r->items[r->nitems++] = it;
}

static const char *effect_str(enum ast_effect e)
{
	return e == EFFECT_PERMIT ? "permit" : "forbid";
}

static void diff_rule(struct diff_report *r, const struct diff_side *os, const struct checked_rule *o,
		      const struct diff_side *ns, const struct checked_rule *n)
{
	struct lines l = { r->a, NULL, 0 };
	struct diff_item it = { .id = arena_strdup(r->a, n ? n->id : o->id), .what = "rule" };
	if (!o || !n) {
		const struct diff_side *s = o ? os : ns;
		const struct checked_rule *cr = o ? o : n;
		it.change = o ? DIFF_REMOVED : DIFF_ADDED;
		it.effect = effect_str(cr->effect);
		add_item_lines(&l, &s->c->src, cr->file->file,
			       rule_item((struct ast_rule *)cr->rule), false, o ? '-' : '+');
		it.lines = l.v;
		it.nlines = l.n;
		push_item(r, it);
		return;
	}
	it.change = DIFF_CHANGED;
	it.effect = effect_str(n->effect);
	char *parts = arena_strdup(r->a, "");
	if (o->effect != n->effect) {
		add_line(&l, '-', arena_printf(r->a, "%s %s", effect_str(o->effect), o->rule->name));
		add_line(&l, '+', arena_printf(r->a, "%s %s", effect_str(n->effect), n->rule->name));
		parts = arena_printf(r->a, "%s%seffect", parts, *parts ? ", " : "");
	}
	bool scope = false;
	for (int p = SCOPE_PRINCIPAL; p <= SCOPE_RESOURCE; p++) {
		if (scope_equal(o->rule, n->rule, (enum scope_part)p))
			continue;
		add_scope_lines(&l, os, o, (enum scope_part)p, '-');
		add_scope_lines(&l, ns, n, (enum scope_part)p, '+');
		scope = true;
	}
	if (scope)
		parts = arena_printf(r->a, "%s%sscope", parts, *parts ? ", " : "");
	bool ann = false;
	for (size_t i = 0; i < o->rule->nannotations; i++)
		if (!has_annotation(n->rule, &o->rule->annotations[i])) {
			add_annotation_lines(&l, os, o, &o->rule->annotations[i], '-');
			ann = true;
		}
	for (size_t i = 0; i < n->rule->nannotations; i++)
		if (!has_annotation(o->rule, &n->rule->annotations[i])) {
			add_annotation_lines(&l, ns, n, &n->rule->annotations[i], '+');
			ann = true;
		}
	if (ann)
		parts = arena_printf(r->a, "%s%sannotations", parts, *parts ? ", " : "");
	if (diff_guards(&l, os, o, ns, n))
		parts = arena_printf(r->a, "%s%sguards", parts, *parts ? ", " : "");
	if (!*parts)
		return;
	it.parts = parts;
	it.lines = l.v;
	it.nlines = l.n;
	push_item(r, it);
}

/* ---- constants -------------------------------------------------------------- */

static const char *const_id(struct arena *a, const struct checked_const *k)
{
	return k->package ? arena_printf(a, "%s.%s", k->package, k->name) : arena_strdup(a, k->name);
}

static const struct checked_const *find_const(struct arena *a, const struct checked *ck,
					      const char *id)
{
	for (size_t i = 0; i < ck->nconsts; i++)
		if (!strcmp(const_id(a, &ck->consts[i]), id))
			return &ck->consts[i];
	return NULL;
}

static void const_lines(struct lines *l, const struct diff_side *s, const struct checked_const *k,
			char sign)
{
	struct ast_item item = { .kind = ITEM_CONST, .u.c = (struct ast_const *)k->decl };
	add_item_lines(l, &s->c->src, k->file->file, item, false, sign);
}

static void diff_consts(struct diff_report *r, const struct diff_side *os, const struct diff_side *ns)
{
	const struct checked *o = os->c->checked, *n = ns->c->checked;
	for (size_t i = 0; i < o->nconsts; i++) {
		const char *id = const_id(r->a, &o->consts[i]);
		const struct checked_const *nk = find_const(r->a, n, id);
		if (nk && ast_expr_equal(o->consts[i].decl->value, nk->decl->value))
			continue;
		struct lines l = { r->a, NULL, 0 };
		const_lines(&l, os, &o->consts[i], '-');
		if (nk)
			const_lines(&l, ns, nk, '+');
		push_item(r, (struct diff_item){ nk ? DIFF_CHANGED : DIFF_REMOVED, id, "constant", NULL,
						 nk ? "value" : NULL, l.v, l.n });
	}
	for (size_t i = 0; i < n->nconsts; i++) {
		const char *id = const_id(r->a, &n->consts[i]);
		if (find_const(r->a, o, id))
			continue;
		struct lines l = { r->a, NULL, 0 };
		const_lines(&l, ns, &n->consts[i], '+');
		push_item(r, (struct diff_item){ DIFF_ADDED, id, "constant", NULL, NULL, l.v, l.n });
	}
}

/* ---- the schema --------------------------------------------------------------- */

static void push_schema(struct diff_report *r, enum diff_change change, const char *subject,
			const char *detail)
{
	r->schema = arena_grow(r->a, r->schema, r->nschema, r->nschema + 1, sizeof(*r->schema));
	r->schema[r->nschema++] = (struct diff_schema){ change, subject, detail };
}

/* Attributes of two records under `path` ("User", "User.window"; "" the
 * context), and whether they take undeclared attributes. */
static void diff_record(struct diff_report *r, const char *noun, const char *path,
			const struct record_type *o, const struct record_type *n)
{
	const char *dot = *path ? "." : "";
	if (o->open != n->open)
		push_schema(r, DIFF_CHANGED,
			    !*path ? "context"
			    : strncmp(noun, "context", 7) ? arena_printf(r->a, strchr(path, '.') ? "record '%s'"
									       : "type '%s'", path)
			    : arena_printf(r->a, "context record '%s'", path),
			    o->open ? "undeclared attributes refused (" SCHEMA_OPEN_KEY " removed)"
				    : "undeclared attributes accepted (" SCHEMA_OPEN_KEY ": true)");
	for (size_t i = 0; i < o->n; i++) {
		const struct attr_decl *oa = &o->attrs[i];
		const struct attr_decl *na = record_find(n, oa->name);
		const char *sub = arena_printf(r->a, "%s%s%s", path, dot, oa->name);
		const char *subject = arena_printf(r->a, "%s '%s'", noun, sub);
		if (!na) {
			push_schema(r, DIFF_REMOVED, subject,
				    arena_printf(r->a, "%s%s", type_str(r->a, oa->type),
						 oa->optional ? ", optional" : ""));
			continue;
		}
		if (oa->type->kind == TY_RECORD && na->type->kind == TY_RECORD) {
			diff_record(r, noun, sub, oa->type->record, na->type->record);
		} else if (!type_equal(oa->type, na->type)) {
			push_schema(r, DIFF_CHANGED, subject,
				    arena_printf(r->a, "%s -> %s", type_str(r->a, oa->type),
						 type_str(r->a, na->type)));
		}
		if (oa->optional != na->optional)
			push_schema(r, DIFF_CHANGED, subject,
				    oa->optional ? "optional -> required" : "required -> optional");
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct attr_decl *na = &n->attrs[i];
		if (record_find(o, na->name))
			continue;
		push_schema(r, DIFF_ADDED,
			    arena_printf(r->a, "%s '%s%s%s'", noun, path, dot, na->name),
			    arena_printf(r->a, "%s%s", type_str(r->a, na->type),
					 na->optional ? ", optional" : ""));
	}
}

static const char *type_list(struct arena *a, const struct entity_type **v, size_t n)
{
	char *s = arena_strdup(a, "");
	for (size_t i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? ", " : "", v[i]->name);
	return *s ? s : "(none)";
}

static bool type_lists_equal(const struct entity_type **a, size_t na,
			     const struct entity_type **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t k = 0; k < nb && !found; k++)
			found = !strcmp(a[i]->name, b[k]->name);
		if (!found)
			return false;
	}
	return true;
}

static void diff_schema(struct diff_report *r, const struct schema *o, const struct schema *n)
{
	for (size_t i = 0; i < o->ntypes; i++) {
		const struct entity_type *nt = schema_find_type(n, o->types[i].name);
		if (!nt)
			push_schema(r, DIFF_REMOVED, arena_printf(r->a, "type '%s'", o->types[i].name), NULL);
		else
			diff_record(r, "attribute", o->types[i].name, &o->types[i].attrs, &nt->attrs);
	}
	for (size_t i = 0; i < n->ntypes; i++)
		if (!schema_find_type(o, n->types[i].name))
			push_schema(r, DIFF_ADDED, arena_printf(r->a, "type '%s'", n->types[i].name), NULL);
	diff_record(r, "context attribute", "", &o->context, &n->context);
	for (size_t i = 0; i < o->nactions; i++) {
		const struct action_decl *oa = &o->actions[i];
		const struct action_decl *na = schema_find_action(n, oa->name);
		const char *subject = arena_printf(r->a, "action '%s'", oa->name);
		if (!na) {
			push_schema(r, DIFF_REMOVED, subject, NULL);
			continue;
		}
		if (!type_lists_equal(oa->principals, oa->nprincipals,
				      na->principals, na->nprincipals))
			push_schema(r, DIFF_CHANGED, subject,
				    arena_printf(r->a, "principals %s -> %s",
						 type_list(r->a, oa->principals, oa->nprincipals),
						 type_list(r->a, na->principals, na->nprincipals)));
		if (!type_lists_equal(oa->resources, oa->nresources,
				      na->resources, na->nresources))
			push_schema(r, DIFF_CHANGED, subject,
				    arena_printf(r->a, "resources %s -> %s",
						 type_list(r->a, oa->resources, oa->nresources),
						 type_list(r->a, na->resources, na->nresources)));
	}
	for (size_t i = 0; i < n->nactions; i++)
		if (!schema_find_action(o, n->actions[i].name))
			push_schema(r, DIFF_ADDED, arena_printf(r->a, "action '%s'", n->actions[i].name), NULL);
}

/* ---- everything --------------------------------------------------------------- */

static int cmp_item(const void *x, const void *y)
{
	const struct diff_item *a = x, *b = y;
	int c = strcmp(a->id, b->id);
	return c ? c : strcmp(a->what, b->what);
}

void diff_sources(struct diff_report *r, const struct diff_side *old, const struct diff_side *new)
{
	const struct checked *o = old->c->checked, *n = new->c->checked;
	for (size_t i = 0; i < o->nrules; i++)
		diff_rule(r, old, &o->rules[i], new, checked_find_rule(n, o->rules[i].id));
	for (size_t i = 0; i < n->nrules; i++)
		if (!checked_find_rule(o, n->rules[i].id))
			diff_rule(r, old, NULL, new, &n->rules[i]);
	diff_consts(r, old, new);
	if (r->nitems)
		qsort(r->items, r->nitems, sizeof(*r->items), cmp_item);
	diff_schema(r, old->c->schema, new->c->schema);
	diff_config(r, old, new);
	diff_tests(r, old, new);
	diff_asserts(r, old, new);
}
