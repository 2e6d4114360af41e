/*
 * gitx_rev.c: the source revision a bundle records (authzc-compile(1)):
 * the working tree's, or a revision the user names, always as a full
 * commit id, so that `authzc compile` at a clean checkout gives the bundle,
 * and the digest, that a promotion record names (authzc-promote(1)).
 */
#include "gitx.h"

#include <string.h>

/* The file of `s` named `name`, or NULL. */
static const struct src_file *find_file(const struct srcset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->files[i]->name, name))
			return s->files[i];
	return NULL;
}

/* Do `a` and `b` hold the same files (by name), byte for byte? */
static bool same_files(const struct srcset *a, const struct srcset *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct src_file *f = a->files[i], *h = find_file(b, f->name);
		if (!h || h->len != f->len || memcmp(h->text, f->text, f->len))
			return false;
	}
	return true;
}

/*
 * Does a build of `commit` read exactly the files of `read`?  Its
 * authzc.json, schema, policy and test files are read from the commit's
 * tree as a build of it (promote, diff) would.  1 yes, 0 no (a file
 * differs, is missing or is extra, or the commit's project does not load),
 * negative on error.
 */
static int reads_the_same(struct gitx *g, const git_commit *commit, const struct srcset *read)
{
	struct compilation c;
	struct gitx_tree gt = { 0 };
	struct source_tree st;
	int rc;
	compilation_init(&c);
	c.root = g->root;
	if ((rc = gitx_tree_open(g, commit, &gt, &st)) == 0)
		rc = !project_load_config(&c, &st) && !project_load_sources(&c, &st) &&
		     same_files(read, &c.src);
	gitx_tree_free(&gt);
	compilation_release(&c);
	return rc;
}

int gitx_worktree_revision(const char **out, struct gitx *g, const struct srcset *read)
{
	git_reference *head = NULL;
	git_object *commit = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int error;
	*out = "";
	if (!git_repository_workdir(g->repo))
		return 0;       /* a bare repository: no work tree to build */
	if ((error = git_repository_head(&head, g->repo)) < 0) {
		if (error == GIT_EUNBORNBRANCH || error == GIT_ENOTFOUND) {
			git_error_clear();
			return 0;       /* no commit yet */
		}
		return gitx_fail(g, error, "cannot read HEAD");
	}
	if ((error = git_reference_peel(&commit, head, GIT_OBJECT_COMMIT)) < 0) {
		gitx_fail(g, error, "HEAD does not point at a commit");
		goto cleanup;
	}
	int same = reads_the_same(g, (const git_commit *)commit, read);
	if (same < 0) {
		error = same;
		goto cleanup;
	}
	git_oid_tostr(hex, sizeof hex, git_object_id(commit));
	*out = arena_printf(&g->cfg.arena, "%s%s", hex, same ? "" : GITX_DIRTY_SUFFIX);
cleanup:
	git_object_free(commit);
	git_reference_free(head);
	return error;
}

int gitx_resolve_id(char out[GIT_OID_HEXSZ + 1], struct gitx *g, const char *spec)
{
	git_commit *commit = NULL;
	int error = gitx_resolve(&commit, g, spec);
	if (error == 0)
		git_oid_tostr(out, GIT_OID_HEXSZ + 1, git_commit_id(commit));
	git_commit_free(commit);
	return error;
}
