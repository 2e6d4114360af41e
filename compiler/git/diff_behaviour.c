/*
 * diff_behaviour.c: the behaviour section of a diff (diff.h): the
 * solver's classes (sym.h), which of them a test or a replayed request
 * exercises, and a test block for each one nothing exercises.
 *
 * A request falls in a class when it is of the class's (principal type,
 * action, resource type), the two versions decide it as the class says
 * (allow or deny on each side), and the same changed rules decide it on
 * each side: the class's key (sym_diff.c).
 */
#include <cJSON.h>
#include <string.h>

#include "buf.h"
#include "diff.h"

static bool in_list(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* The rules of `rules` that are among `touched`, compared with those of
 * `want` that are: the same set? */
static bool same_touched(const struct sym_class *k, const char **rules, size_t n, const char **want, size_t nw)
{
	for (size_t i = 0; i < n; i++)
		if (in_list(k->touched, k->ntouched, rules[i]) && !in_list(want, nw, rules[i]))
			return false;
	for (size_t i = 0; i < nw; i++)
		if (in_list(k->touched, k->ntouched, want[i]) && !in_list(rules, n, want[i]))
			return false;
	return true;
}

static const char *entity_type(const cJSON *root, const char *role)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, role);
	const cJSON *t = e ? cJSON_GetObjectItemCaseSensitive(e, "type") : NULL;
	return cJSON_IsString(t) ? t->valuestring : "";
}

static bool falls_in(const struct sym_class *k, const struct diff_decision *d)
{
	if (k->kind == SYM_UNKNOWN || d->old_allow != k->old_allow || d->new_allow != k->new_allow ||
	    !same_touched(k, d->old_rules, d->nold_rules, k->old_rules, k->nold_rules) ||
	    !same_touched(k, d->new_rules, d->nnew_rules, k->new_rules, k->nnew_rules))
		return false;
	cJSON *root = cJSON_Parse(d->request);
	const cJSON *a = root ? cJSON_GetObjectItemCaseSensitive(root, "action") : NULL;
	bool in = root && cJSON_IsString(a) && !strcmp(a->valuestring, k->action) &&
		  !strcmp(entity_type(root, "principal"), k->principal_type) &&
		  !strcmp(entity_type(root, "resource"), k->resource_type);
	cJSON_Delete(root);
	return in;
}

/* A test the class's witness passes in the new version: paste it into a
 * test file to cover the class (and to pin its decision). */
static const char *test_block(struct arena *a, const struct sym_class *k, size_t n)
{
	const char *kind = k->kind == SYM_LOOSENED ? "newly allowed" : k->kind == SYM_TIGHTENED ? "newly denied"
			 : "decided by other rules";
	const char *name = arena_printf(a, "%s %s %s: %s (%zu)", k->principal_type, k->action, k->resource_type,
					kind, n);
	struct sym_expect e = { .allow = k->new_allow, .by = true, .rules = k->new_rules, .nrules = k->nnew_rules };
	return sym_test_block(a, name, strlen(name), k->request_src, &e);
}

int diff_behaviour(struct diff_report *r, const struct diff_side *old, const struct diff_side *new,
		   const struct sym_opts *o, char *err, size_t size)
{
	r->behaviour = true;
	if (sym_diff_run(r->a, old ? old->bundle : NULL, new->bundle, o, &r->sym, err, size) < 0)
		return -1;
	r->classes = arena_calloc(r->a, r->sym.nclasses + 1, sizeof *r->classes);
	for (size_t i = 0; i < r->sym.nclasses; i++) {
		struct diff_class *dc = &r->classes[i];
		dc->k = &r->sym.classes[i];
		for (size_t j = 0; j < r->ndecisions && !dc->tested_by; j++)
			if (r->decisions[j].covers && falls_in(dc->k, &r->decisions[j]))
				dc->tested_by = r->decisions[j].source;
		if (!dc->tested_by && dc->k->witness)
			dc->test_block = test_block(r->a, dc->k, i + 1);
		if (!dc->tested_by && dc->k->kind == SYM_LOOSENED)
			r->untested_loosened++;
	}
	return 0;
}
