/*
 * diff_asserts.c: the assertions added, removed and changed between two
 * versions (diff.h, authzc-diff(1), TESTS), so a review sees a guarantee
 * dropped or rewritten as plainly as a test.
 *
 * An assertion is known by its test file and name (unique per file).  It
 * changed when its name, scope, verdict or conditions differ as parsed
 * (ast_assert_equal: layout and comments are no change).  A removed
 * assertion is weakened: the versions after it no longer promise it.
 */
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "cvalue.h"
#include "diff.h"
#include "report.h"

static const char *file_of(const struct diff_side *s, const struct checked_assert *a)
{
	return srcset_file(&s->c->src, a->file->file)->name;
}

/* The assertion's source text on one line. */
static const char *one_line(struct arena *a, const struct diff_side *s, const struct checked_assert *x)
{
	const struct src_file *f = srcset_file(&s->c->src, x->decl->span.file);
	struct span sp = x->decl->span;
	if (!f || sp.end > f->len || sp.start > sp.end)
		return "";
	struct buf b = BUF_ARENA(a);
	report_squeeze(&b, f->text + sp.start, sp.end - sp.start);
	return b.p ? b.p : "";
}

static const struct checked_assert *find(const struct diff_side *s, const char *file, const struct checked_assert *like)
{
	const struct checked *ck = s->c->checked;
	for (size_t i = 0; i < ck->nasserts; i++) {
		const struct checked_assert *x = &ck->asserts[i];
		if (x->name_len == like->name_len && !memcmp(x->name, like->name, x->name_len) &&
		    !strcmp(file_of(s, x), file))
			return x;
	}
	return NULL;
}

static void push(struct diff_report *r, const struct diff_side *os, const struct checked_assert *o,
		 const struct diff_side *ns, const struct checked_assert *n)
{
	const struct checked_assert *x = n ? n : o;
	struct value name = value_string(x->name, x->name_len);
	struct diff_assert d = {
		.change = !o ? DIFF_ADDED : !n ? DIFF_REMOVED : DIFF_CHANGED,
		.file = arena_strdup(r->a, n ? file_of(ns, n) : file_of(os, o)),
		.name = value_str(r->a, &name, VALUE_AUTHZ),
		.raw = arena_strndup(r->a, x->name, x->name_len),
		.weakened = !n,
		.old_text = o ? one_line(r->a, os, o) : NULL,
		.new_text = n ? one_line(r->a, ns, n) : NULL,
	};
	r->assert_changes = arena_grow(r->a, r->assert_changes, r->nassert_changes, r->nassert_changes + 1,
				       sizeof *r->assert_changes);
	r->assert_changes[r->nassert_changes++] = d;
}

static int cmp(const void *x, const void *y)
{
	const struct diff_assert *a = x, *b = y;
	int c = strcmp(a->file, b->file);
	return c ? c : strcmp(a->name, b->name);
}

void diff_asserts(struct diff_report *r, const struct diff_side *old, const struct diff_side *new)
{
	const struct checked *o = old->c->checked, *n = new->c->checked;
	for (size_t i = 0; i < o->nasserts; i++) {
		const struct checked_assert *x = &o->asserts[i];
		const struct checked_assert *y = find(new, file_of(old, x), x);
		if (!y)
			push(r, old, x, new, NULL);
		else if (!ast_assert_equal(x->decl, y->decl))
			push(r, old, x, new, y);
	}
	for (size_t i = 0; i < n->nasserts; i++)
		if (!find(old, file_of(new, &n->asserts[i]), &n->asserts[i]))
			push(r, old, NULL, new, &n->asserts[i]);
	if (r->nassert_changes)
		qsort(r->assert_changes, r->nassert_changes, sizeof *r->assert_changes, cmp);
}
