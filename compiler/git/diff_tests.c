/*
 * diff_tests.c: the tests added, removed and changed between two versions
 * (see diff.h), so that a review sees a test deleted or an expectation
 * loosened as plainly as a rule changed.
 *
 * A test is known by its file and its name (names are unique per file);
 * a test that left its file for another, where its name is found once
 * among the tests removed and once among those added, moved: it is the
 * same test, compared as any other.
 * A changed test is one whose request, as resolved (after `given`, `with`,
 * `without`, `at`), or whose expectation differs: a renamed named request
 * or another layout that builds the same request is no change.
 *
 * Weakened (flagged like a loosened decision), the definition of
 * authzc-diff(1), TESTS.  A test expecting deny protects that request, and
 * by the rules it names:
 *   - an expectation flipped from deny to allow;
 *   - a deny expectation that no longer names a rule it named
 *     (`by p.cross_tenant` -> none, `by default`, or other rules);
 *   - a test expecting deny removed.
 * Strengthened: allow -> deny; or a deny expectation that names every
 * rule it named and more, or `by default` where it named none.  Anything
 * else (an allow expectation's rules, `by default` -> a plain deny, a
 * request alone) is a change neither way: the old request is still
 * decided by both versions (diff_impact.c), so a request that is allowed
 * now shows there as a loosened decision.
 */
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "cvalue.h"
#include "diff.h"
#include "test_request.h"

static bool has(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* The rules `e` names (none unless EXPECT_RULES). */
static size_t named(const struct diff_expect *e)
{
	return e->by == EXPECT_RULES ? e->nrules : 0;
}

enum diff_strength diff_expect_strength(struct arena *a, const struct diff_expect *old,
					const struct diff_expect *new, const char **why)
{
	*why = NULL;
	if (old->allow != new->allow) {
		if (new->allow)
			*why = "deny -> allow";
		return new->allow ? STRENGTH_WEAKENED : STRENGTH_STRENGTHENED;
	}
	if (old->allow)
		return STRENGTH_SAME;
	char *dropped = arena_strdup(a, "");
	for (size_t i = 0; i < named(old); i++)
		if (!has(new->rules, named(new), old->rules[i]))
			dropped = arena_printf(a, "%s%s%s", dropped, *dropped ? ", " : "", old->rules[i]);
	if (*dropped) {
		*why = arena_printf(a, "no longer names %s", dropped);
		return STRENGTH_WEAKENED;
	}
	for (size_t i = 0; i < named(new); i++)
		if (!has(old->rules, named(old), new->rules[i]))
			return STRENGTH_STRENGTHENED;
	if (old->by == EXPECT_ANY && new->by == EXPECT_DEFAULT)
		return STRENGTH_STRENGTHENED;
	return STRENGTH_SAME;
}

/* ---- one test ---------------------------------------------------------------- */

static const char *file_of(const struct diff_side *s, const struct checked_test *t)
{
	return srcset_file(&s->c->src, t->file->file)->name;
}

static bool same_name(const struct checked_test *x, const struct checked_test *y)
{
	return x->name_len == y->name_len && !memcmp(x->name, y->name, x->name_len);
}

/* The test of side `s` in `file` named as `like` is, or NULL. */
static const struct checked_test *find_test(const struct diff_side *s, const char *file,
					    const struct checked_test *like)
{
	const struct checked *ck = s->c->checked;
	for (size_t i = 0; i < ck->ntests; i++) {
		const struct checked_test *t = &ck->tests[i];
		if (same_name(t, like) && !strcmp(file_of(s, t), file))
			return t;
	}
	return NULL;
}

static struct diff_expect expect_of(struct arena *a, const struct checked_test *t)
{
	struct diff_expect e = { t->expect_allow, t->by, NULL, 0 };
	if (t->by == EXPECT_RULES) {
		e.rules = arena_calloc(a, t->nby_rules + 1, sizeof(*e.rules));
		for (size_t i = 0; i < t->nby_rules; i++)
			e.rules[e.nrules++] = t->by_rules[i]->id;
	}
	return e;
}

/* "expect deny by p.a, p.b" */
static const char *expect_text(struct arena *a, const struct diff_expect *e)
{
	char *s = arena_printf(a, "expect %s", e->allow ? "allow" : "deny");
	if (e->by == EXPECT_DEFAULT)
		return arena_printf(a, "%s by default", s);
	for (size_t i = 0; i < named(e); i++)
		s = arena_printf(a, "%s%s%s", s, i ? ", " : " by ", e->rules[i]);
	return s;
}

static bool same_expect(const struct diff_expect *x, const struct diff_expect *y)
{
	if (x->allow != y->allow || x->by != y->by || named(x) != named(y))
		return false;
	for (size_t i = 0; i < named(x); i++)
		if (!has(y->rules, named(y), x->rules[i]))
			return false;
	return true;
}

/* ---- a request, key by key ----------------------------------------------------- */

struct keys {
	struct arena *a;
	struct diff_config *v;
	size_t n;
};

static void push_key(struct keys *k, enum diff_change change, const char *key, const char *old,
		     const char *new)
{
	k->v = arena_grow(k->a, k->v, k->n, k->n + 1, sizeof(*k->v));
	k->v[k->n++] = (struct diff_config){ change, key, old, new };
}

static const char *value_text(struct arena *a, const struct value *v)
{
	return value_str(a, v, VALUE_AUTHZ);
}

/* The attributes of records o and n under `path`, recursively. */
static void diff_attrs(struct keys *k, const char *path, const struct value *o, const struct value *n)
{
	for (size_t i = 0; i < o->u.rec.n; i++) {
		const struct value_field *f = &o->u.rec.fields[i];
		const struct value *w = value_field(n, f->name);
		const char *key = arena_printf(k->a, "%s.%s", path, f->name);
		if (!w)
			push_key(k, DIFF_REMOVED, key, value_text(k->a, &f->value), NULL);
		else if (f->value.kind == VAL_RECORD && w->kind == VAL_RECORD)
			diff_attrs(k, key, &f->value, w);
		else if (!value_equal(&f->value, w))
			push_key(k, DIFF_CHANGED, key, value_text(k->a, &f->value), value_text(k->a, w));
	}
	for (size_t i = 0; i < n->u.rec.n; i++) {
		const struct value_field *f = &n->u.rec.fields[i];
		if (!value_field(o, f->name))
			push_key(k, DIFF_ADDED, arena_printf(k->a, "%s.%s", path, f->name), NULL,
				 value_text(k->a, &f->value));
	}
}

/* `User "alice"` */
static const char *entity_text(struct arena *a, const struct checked_entity *e)
{
	struct value id = value_string(e->id, e->id_len);
	return arena_printf(a, "%s %s", e->type->name, value_text(a, &id));
}

static void diff_entity(struct keys *k, const char *root, const struct checked_entity *o,
			const struct checked_entity *n)
{
	const char *ot = entity_text(k->a, o), *nt = entity_text(k->a, n);
	if (strcmp(ot, nt))
		push_key(k, DIFF_CHANGED, root, ot, nt);
	diff_attrs(k, root, &o->attrs, &n->attrs);
}

static const char *time_text(struct arena *a, const struct checked_request *q)
{
	if (!q->has_time)
		return NULL;
	struct value t = value_int(VAL_TIMESTAMP, q->time_ms);
	return value_text(a, &t);
}

static void diff_request(struct keys *k, const struct checked_request *o,
			 const struct checked_request *n)
{
	diff_entity(k, "principal", &o->principal, &n->principal);
	if (strcmp(o->action->name, n->action->name)) {
		struct value x = value_string(o->action->name, strlen(o->action->name));
		struct value y = value_string(n->action->name, strlen(n->action->name));
		push_key(k, DIFF_CHANGED, "action", value_text(k->a, &x), value_text(k->a, &y));
	}
	diff_entity(k, "resource", &o->resource, &n->resource);
	diff_attrs(k, "context", &o->context, &n->context);
	const char *ot = time_text(k->a, o), *nt = time_text(k->a, n);
	if (ot || nt) {
		if (!ot || !nt)
			push_key(k, ot ? DIFF_REMOVED : DIFF_ADDED, "time", ot, nt);
		else if (strcmp(ot, nt))
			push_key(k, DIFF_CHANGED, "time", ot, nt);
	}
}

/* ---- everything ------------------------------------------------------------------ */

static void push_test(struct diff_report *r, const struct diff_test *t)
{
	r->test_changes = arena_grow(r->a, r->test_changes, r->ntest_changes, r->ntest_changes + 1,
				     sizeof(*r->test_changes));
	r->test_changes[r->ntest_changes++] = *t;
	if (t->strength == STRENGTH_WEAKENED)
		r->tests_weakened++;
}

/* A test of one side only (o or n NULL), or of both. */
static void diff_test(struct diff_report *r, const struct diff_side *os, const struct checked_test *o,
		      const struct diff_side *ns, const struct checked_test *n)
{
	struct arena *a = r->a;
	const struct checked_test *t = o ? o : n;
	struct value name = value_string(t->name, t->name_len);
	struct diff_test d = {
		.file = arena_strdup(a, n ? file_of(ns, n) : file_of(os, o)),
		.name = value_text(a, &name),
		.raw = arena_strndup(a, t->name, t->name_len),
	};
	struct diff_expect oe = { 0 }, ne = { 0 };
	if (o) {
		oe = expect_of(a, o);
		d.old_expect = expect_text(a, &oe);
		d.old_request = o->ok ? test_request_json(a, &o->request) : NULL;
	}
	if (n) {
		ne = expect_of(a, n);
		d.new_expect = expect_text(a, &ne);
		d.new_request = n->ok ? test_request_json(a, &n->request) : NULL;
	}
	if (!o || !n) {
		d.change = o ? DIFF_REMOVED : DIFF_ADDED;
		if (o && !o->expect_allow) {
			d.strength = STRENGTH_WEAKENED;
			d.why = "removed, it expected deny";
		}
		push_test(r, &d);
		return;
	}
	d.change = DIFF_CHANGED;
	const char *was = file_of(os, o);
	if (strcmp(was, d.file))
		d.old_file = arena_strdup(a, was);
	struct keys k = { a, NULL, 0 };
	if (o->ok && n->ok)
		diff_request(&k, &o->request, &n->request);
	bool expect = !same_expect(&oe, &ne);
	if (!k.n && !expect && !d.old_file)
		return;
	d.request = k.v;
	d.nrequest = k.n;
	d.parts = k.n && expect ? "request, expectation" : k.n ? "request" : expect ? "expectation" : NULL;
	if (expect)
		d.strength = diff_expect_strength(a, &oe, &ne, &d.why);
	push_test(r, &d);
}

static int cmp_test(const void *x, const void *y)
{
	const struct diff_test *a = x, *b = y;
	bool wa = a->strength == STRENGTH_WEAKENED, wb = b->strength == STRENGTH_WEAKENED;
	if (wa != wb)
		return wa ? -1 : 1;
	int c = strcmp(a->file, b->file);
	return c ? c : strcmp(a->name, b->name);
}

/* The one test of v[0..n) not yet `taken` named as `t` is, or -1 when
 * there is none or more than one. */
static long only_untaken(const struct checked_test *v, size_t n, const bool *taken,
			 const struct checked_test *t)
{
	long found = -1;
	for (size_t i = 0; i < n; i++)
		if (!taken[i] && same_name(&v[i], t)) {
			if (found >= 0)
				return -1;
			found = (long)i;
		}
	return found;
}

void diff_tests(struct diff_report *r, const struct diff_side *old, const struct diff_side *new)
{
	const struct checked *o = old->c->checked, *n = new->c->checked;
	/* pair[i]: the new side's test old test i is; first by file and name,
	 * then by a name unique among the tests left on both sides (moved). */
	const struct checked_test **pair = arena_calloc(r->a, o->ntests + 1, sizeof(*pair));
	bool *paired_old = arena_calloc(r->a, o->ntests + 1, sizeof(bool));
	bool *paired_new = arena_calloc(r->a, n->ntests + 1, sizeof(bool));
	for (size_t i = 0; i < o->ntests; i++)
		if ((pair[i] = find_test(new, file_of(old, &o->tests[i]), &o->tests[i])))
			paired_old[i] = paired_new[pair[i] - n->tests] = true;
	for (size_t i = 0; i < o->ntests; i++) {
		long k;
		if (paired_old[i] || only_untaken(o->tests, o->ntests, paired_old, &o->tests[i]) < 0 ||
		    (k = only_untaken(n->tests, n->ntests, paired_new, &o->tests[i])) < 0)
			continue;
		pair[i] = &n->tests[k];
		paired_new[k] = true;
	}
	for (size_t i = 0; i < o->ntests; i++)
		diff_test(r, old, &o->tests[i], new, pair[i]);
	for (size_t i = 0; i < n->ntests; i++)
		if (!paired_new[i])
			diff_test(r, old, NULL, new, &n->tests[i]);
	if (r->ntest_changes)
		qsort(r->test_changes, r->ntest_changes, sizeof(*r->test_changes), cmp_test);
}
