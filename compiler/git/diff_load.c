/*
 * diff_load.c: one version of the policy set, compiled in memory from a
 * commit's tree or from the working tree (see diff.h).
 */
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "diff.h"
#include "gitx.h"

int diff_side_load(struct diff_side *s, struct gitx *g, const char *spec)
{
	git_commit *commit = NULL;
	struct gitx_tree gt = { 0 };
	struct source_tree st;
	uint8_t *buf = NULL;
	size_t len = 0;
	int error = 0;
	memset(s, 0, sizeof(*s));
	s->c = malloc(sizeof(*s->c));
	if (!s->c) {
		snprintf(g->msg, sizeof g->msg, "out of memory");
		return -1;
	}
	compilation_init(s->c);
	s->c->root = arena_strdup(&s->c->arena, g->root);
	if (spec) {
		if ((error = gitx_resolve(&commit, g, spec)) < 0 ||
		    (error = gitx_tree_open(g, commit, &gt, &st)) < 0) {
			error = -1;
			goto cleanup;
		}
		s->label = arena_strdup(&s->c->arena, spec);
		s->revision = arena_strdup(&s->c->arena, git_oid_tostr_s(git_commit_id(commit)));
	} else {
		source_tree_fs(&st, s->c->root);
		s->label = "working tree";
		s->revision = "";
	}
	if (compilation_run(s->c, &st) > 0) {
		error = 1;
		goto cleanup;
	}
	if (codegen_bundle(s->c, s->revision, &buf, &len) > 0) {
		error = 1;
		goto cleanup;
	}
	authz_error err;
	if (authz_bundle_load(&s->bundle, buf, len, &err) < 0) {
		snprintf(g->msg, sizeof g->msg, "the bundle of '%s' does not load: %s", s->label,
			 err.message);
		error = -1;
	}
cleanup:
	free(buf);
	gitx_tree_free(&gt);
	git_commit_free(commit);
	return error;
}

void diff_side_release(struct diff_side *s)
{
	authz_bundle_free(s->bundle);
	s->bundle = NULL;
	if (s->c) {
		compilation_release(s->c);
		free(s->c);
		s->c = NULL;
	}
}
