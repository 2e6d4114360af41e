/*
 * gitx.h: the project's git repository, through libgit2: opening it,
 * resolving revisions and environment names to commits, and reading a
 * commit's tree as a struct source_tree (project.h) so a compilation runs on
 * any version, in memory.
 *
 * The project root (the folder holding authzc.json) may be a subfolder of
 * the repository: paths inside a commit are the project-relative paths with
 * the root's place in the work tree in front (`prefix`).
 *
 * Every function returns 0 or a negative libgit2 error code (GIT_ENOTFOUND
 * and GIT_EAMBIGUOUS for revisions, GIT_EMODIFIED / GIT_EEXISTS /
 * GIT_ELOCKED for lost races); the message for the user is left in g->msg,
 * composed once here from our context and git_error_last().  Nothing here
 * prints.  git_libgit2_init()/shutdown() are main()'s.
 */
#ifndef AUTHZC_GITX_H
#define AUTHZC_GITX_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>

#include "project.h"

struct gitx {
	git_repository *repo;
	char *root;             /* project root on disk, absolute (cfg arena) */
	char *prefix;           /* its path in the repository: "" or "sub/dir/" */
	/* The working tree's authzc.json: environments and their refs.  Its
	 * diagnostics, if any, are in cfg.diags (gitx_open fails then). */
	struct compilation cfg;
	char msg[1024];         /* why the last call failed */
};

/*
 * Find the project root from the current folder (project_find_root), read
 * its authzc.json, and open the git repository around it (searching
 * upwards).  On failure g->msg says why and, when the configuration was at
 * fault, g->cfg.diags holds its diagnostics; call gitx_close either way.
 */
int gitx_open(struct gitx *g);
void gitx_close(struct gitx *g);

/* The position of environment `name` in authzc.json's list, or -1. */
int gitx_env_index(const struct gitx *g, const char *name);
/* The same, or -1 with g->msg "unknown environment 'x' (authzc.json lists:
 * dev, staging, prod)" for the commands that take an environment. */
int gitx_env_find(struct gitx *g, const char *name);
/* "<env_ref_prefix><name>" (g->cfg arena). */
const char *gitx_env_ref(struct gitx *g, const char *name);

/*
 * The commit environment `name` points at.  GIT_ENOTFOUND (with a message)
 * when its ref does not exist yet.
 */
int gitx_env_commit(git_commit **out, struct gitx *g, const char *name);

/*
 * Resolve `spec` to a commit: an environment named in authzc.json first,
 * then any git revision (HEAD~2, tags, branches, short ids); a revision
 * that names no commit (HEAD:path) is refused.
 * The caller frees *out with git_commit_free.
 */
int gitx_resolve(git_commit **out, struct gitx *g, const char *spec);

/*
 * The full id of the commit `spec` names (gitx_resolve), in
 * out[GIT_OID_HEXSZ + 1]: a short id, a tag or HEAD~1 becomes the 40 hex
 * digits a promotion record holds.  Errors as gitx_resolve.
 */
int gitx_resolve_id(char out[GIT_OID_HEXSZ + 1], struct gitx *g, const char *spec);

/* What a revision built from a work tree with changes ends with. */
#define GITX_DIRTY_SUFFIX "-dirty"

/*
 * The source revision of a build of the working tree (authzc-compile(1)),
 * into *out (g->cfg's arena):
 *   - HEAD's full commit id when the build read exactly what a build of
 *     HEAD reads: `read` (the working tree compilation's files: authzc.json,
 *     the schema, every policy and test file, by project-relative path)
 *     holds the same files, byte for byte, as HEAD's project folder gives
 *     project_load_sources, no more and no fewer.  Other changes (a README,
 *     build output, files outside the project folder) cannot reach a build
 *     and do not count; an untracked or ignored policy file does;
 *   - that id followed by GITX_DIRTY_SUFFIX otherwise;
 *   - "" when the repository has no work tree or HEAD no commit yet.
 * Returns 0, or a negative libgit2 error with g->msg.
 */
int gitx_worktree_revision(const char **out, struct gitx *g, const struct srcset *read);

/* The first 7 hex digits of an object id, in buf[8]. */
const char *gitx_short(const git_oid *id, char buf[8]);

/* A commit's project folder, readable as a source_tree. */
struct gitx_tree {
	git_repository *repo;
	git_tree *root;         /* the project folder's tree; NULL when absent */
};

/*
 * Point `st` at the project folder inside `commit`'s tree.  A commit
 * without the folder gives a tree where every read is ENOENT (so the
 * compilation reports the missing schema).  Free with gitx_tree_free.
 */
int gitx_tree_open(struct gitx *g, const git_commit *commit, struct gitx_tree *t,
		   struct source_tree *st);
void gitx_tree_free(struct gitx_tree *t);

/*
 * Is `ancestor` reachable from `descendant` (equal counts)?  1 yes, 0 no,
 * negative on error.
 */
int gitx_reaches(struct gitx *g, const git_oid *descendant, const git_oid *ancestor);

/* Record a failure: g->msg = formatted context, then ": " and libgit2's
 * message when it has one.  Returns `error`. */
int gitx_fail(struct gitx *g, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record a failure of our own: g->msg = the formatted text alone (libgit2's
 * last error is cleared).  Returns `error`. */
int gitx_fail_plain(struct gitx *g, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
