/*
 * gitx.c: the git repository of a project (see gitx.h).
 *
 * libgit2 style throughout: `if ((error = git_x(...)) < 0) goto cleanup;`
 * and one cleanup label that frees every object (the free functions accept
 * NULL).  libgit2's error text is read here and nowhere else (gitx_fail).
 */
#include "gitx.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int gitx_fail(struct gitx *g, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->msg, sizeof g->msg, fmt, ap);
	va_end(ap);
	const git_error *e = git_error_last();
	if (e && e->message && *e->message) {
		size_t n = strlen(g->msg);
		snprintf(g->msg + n, sizeof g->msg - n, ": %s", e->message);
	}
	git_error_clear();
	return error;
}

int gitx_fail_plain(struct gitx *g, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->msg, sizeof g->msg, fmt, ap);
	va_end(ap);
	git_error_clear();
	return error;
}

/* `path` relative to `base` (both absolute, base ending in '/'), with a
 * trailing '/' when not empty; NULL when path is not under base. */
static char *relative_prefix(struct arena *a, const char *base, const char *path)
{
	size_t nb = strlen(base);
	size_t np = strlen(path);
	if (nb && base[nb - 1] == '/')
		nb--;
	if (np < nb || strncmp(base, path, nb) || (path[nb] && path[nb] != '/'))
		return NULL;
	const char *rest = path + nb;
	while (*rest == '/')
		rest++;
	return *rest ? arena_printf(a, "%s/", rest) : arena_strdup(a, "");
}

int gitx_open(struct gitx *g)
{
	git_buf found = { 0 };
	char *root = NULL, *workdir = NULL;
	int error = 0;
	memset(g, 0, sizeof(*g));
	compilation_init(&g->cfg);
	if (project_find_root(".", &root) < 0)
		return gitx_fail_plain(g, -1, "cannot find the project root: %s", strerror(errno));
	char *abs = realpath(root, NULL);
	g->root = arena_strdup(&g->cfg.arena, abs ? abs : root);
	g->cfg.root = g->root;
	free(abs);
	free(root);
	struct source_tree fs;
	source_tree_fs(&fs, g->root);
	if (project_load_config(&g->cfg, &fs) > 0) {
		error = gitx_fail_plain(g, -1, "invalid %s", CONFIG_FILE_NAME);
		goto cleanup;
	}
	if ((error = git_repository_discover(&found, g->root, 0, NULL)) < 0) {
		if (error == GIT_ENOTFOUND)
			gitx_fail_plain(g, error, "'%s' is not in a git repository", g->root);
		else
			gitx_fail(g, error, "cannot find the git repository of '%s'", g->root);
		goto cleanup;
	}
	if ((error = git_repository_open(&g->repo, found.ptr)) < 0) {
		gitx_fail(g, error, "cannot open the git repository '%s'", found.ptr);
		goto cleanup;
	}
	const char *wd = git_repository_workdir(g->repo);
	if (!wd) {
		g->prefix = arena_strdup(&g->cfg.arena, "");
		goto cleanup;
	}
	workdir = realpath(wd, NULL);
	g->prefix = relative_prefix(&g->cfg.arena, workdir ? workdir : wd, g->root);
	if (!g->prefix)
		error = gitx_fail_plain(g, -1, "the project root '%s' is outside the work tree '%s'",
				   g->root, wd);
cleanup:
	git_buf_dispose(&found);
	free(workdir);
	return error;
}

void gitx_close(struct gitx *g)
{
	git_repository_free(g->repo);
	g->repo = NULL;
	compilation_release(&g->cfg);
}

int gitx_env_index(const struct gitx *g, const char *name)
{
	for (size_t i = 0; i < g->cfg.config.nenvironments; i++)
		if (!strcmp(g->cfg.config.environments[i], name))
			return (int)i;
	return -1;
}

int gitx_env_find(struct gitx *g, const char *name)
{
	int i = gitx_env_index(g, name);
	if (i >= 0)
		return i;
	const char *list = "";
	for (size_t k = 0; k < g->cfg.config.nenvironments; k++)
		list = arena_printf(&g->cfg.arena, "%s%s%s", list, k ? ", " : "",
				    g->cfg.config.environments[k]);
	return gitx_fail_plain(g, -1, "unknown environment '%s' (authzc.json lists: %s)", name,
			       *list ? list : "none");
}

const char *gitx_env_ref(struct gitx *g, const char *name)
{
	return arena_printf(&g->cfg.arena, "%s%s", g->cfg.config.env_ref_prefix, name);
}

const char *gitx_short(const git_oid *id, char buf[8])
{
	git_oid_tostr(buf, 8, id);
	return buf;
}

int gitx_env_commit(git_commit **out, struct gitx *g, const char *name)
{
	git_reference *ref = NULL, *resolved = NULL;
	const char *refname = gitx_env_ref(g, name);
	int error;
	*out = NULL;
	if ((error = git_reference_lookup(&ref, g->repo, refname)) < 0) {
		if (error == GIT_ENOTFOUND)
			gitx_fail_plain(g, error, "environment '%s' has no version yet (no ref '%s')",
				   name, refname);
		else
			gitx_fail(g, error, "cannot read ref '%s'", refname);
		goto cleanup;
	}
	if ((error = git_reference_resolve(&resolved, ref)) < 0 ||
	    (error = git_commit_lookup(out, g->repo, git_reference_target(resolved))) < 0)
		gitx_fail(g, error, "ref '%s' does not point at a commit", refname);
cleanup:
	git_reference_free(resolved);
	git_reference_free(ref);
	return error;
}

int gitx_resolve(git_commit **out, struct gitx *g, const char *spec)
{
	git_object *obj = NULL, *peeled = NULL;
	int error;
	*out = NULL;
	if (gitx_env_index(g, spec) >= 0)
		return gitx_env_commit(out, g, spec);
	if (!*spec)
		return gitx_fail_plain(g, GIT_ENOTFOUND, "empty revision");
	if ((error = git_revparse_single(&obj, g->repo, spec)) < 0) {
		if (error == GIT_ENOTFOUND)
			gitx_fail_plain(g, error, "unknown revision or environment '%s'", spec);
		else if (error == GIT_EAMBIGUOUS)
			gitx_fail_plain(g, error, "ambiguous revision '%s'", spec);
		else
			gitx_fail(g, error, "bad revision '%s'", spec);
		goto cleanup;
	}
	if ((error = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT)) < 0) {
		gitx_fail_plain(g, error, "revision '%s' is not a commit", spec);
		goto cleanup;
	}
	*out = (git_commit *)peeled;
	peeled = NULL;
cleanup:
	git_object_free(peeled);
	git_object_free(obj);
	return error;
}

int gitx_reaches(struct gitx *g, const git_oid *descendant, const git_oid *ancestor)
{
	if (git_oid_equal(descendant, ancestor))
		return 1;
	int r = git_graph_descendant_of(g->repo, descendant, ancestor);
	if (r < 0)
		return gitx_fail(g, r, "cannot walk the commit graph");
	return r;
}

/* ---- a commit's tree as a source_tree ------------------------------------ */

/* The tree entry at project-relative `path` ("" is the root: *out NULL). */
static int tree_entry(struct gitx_tree *t, const char *path, git_tree_entry **out)
{
	*out = NULL;
	if (!t->root) {
		errno = ENOENT;
		return -1;
	}
	if (!*path)
		return 0;
	int error = git_tree_entry_bypath(out, t->root, path);
	git_error_clear();
	if (error < 0) {
		errno = error == GIT_ENOTFOUND ? ENOENT : EIO;
		return -1;
	}
	return 0;
}

static int tree_read_file(void *payload, const char *path, char **buf, size_t *len)
{
	struct gitx_tree *t = payload;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc = -1, err = 0;
	if (tree_entry(t, path, &entry) < 0)
		return -1;
	if (!entry || git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
		err = EISDIR;
		goto cleanup;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		err = EINVAL;           /* a submodule or symbolic link */
		goto cleanup;
	}
	if (git_blob_lookup(&blob, t->repo, git_tree_entry_id(entry)) < 0) {
		git_error_clear();
		err = EIO;
		goto cleanup;
	}
	git_object_size_t size = git_blob_rawsize(blob);
	if (size > SRC_MAX_BYTES) {
		err = EFBIG;
		goto cleanup;
	}
	*buf = malloc((size_t)size + 1);
	if (!*buf) {
		err = ENOMEM;
		goto cleanup;
	}
	memcpy(*buf, git_blob_rawcontent(blob), (size_t)size);
	(*buf)[size] = 0;
	*len = (size_t)size;
	rc = 0;
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	if (rc)
		errno = err;
	return rc;
}

static int tree_list_dir(void *payload, const char *path,
			 int (*fn)(const char *name, bool is_dir, void *arg), void *arg)
{
	struct gitx_tree *t = payload;
	git_tree_entry *entry = NULL;
	git_tree *sub = NULL;
	const git_tree *dir = t->root;
	int rc = -1, err = 0;
	if (tree_entry(t, path, &entry) < 0)
		return -1;
	if (entry) {
		if (git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
			err = ENOTDIR;
			goto cleanup;
		}
		if (git_tree_lookup(&sub, t->repo, git_tree_entry_id(entry)) < 0) {
			git_error_clear();
			err = EIO;
			goto cleanup;
		}
		dir = sub;
	}
	rc = 0;
	for (size_t i = 0, n = git_tree_entrycount(dir); i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(dir, i);
		git_object_t type = git_tree_entry_type(e);
		if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)
			continue;       /* a submodule */
		if (git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
			continue;       /* a symbolic link: it could point anywhere */
		if (fn(git_tree_entry_name(e), type == GIT_OBJECT_TREE, arg))
			break;
	}
cleanup:
	git_tree_free(sub);
	git_tree_entry_free(entry);
	if (rc)
		errno = err;
	return rc;
}

int gitx_tree_open(struct gitx *g, const git_commit *commit, struct gitx_tree *t,
		   struct source_tree *st)
{
	git_tree *top = NULL;
	git_tree_entry *entry = NULL;
	int error;
	memset(t, 0, sizeof(*t));
	t->repo = g->repo;
	st->payload = t;
	st->read_file = tree_read_file;
	st->list_dir = tree_list_dir;
	if ((error = git_commit_tree(&top, commit)) < 0) {
		gitx_fail(g, error, "cannot read the tree of commit %s",
			  git_oid_tostr_s(git_commit_id(commit)));
		goto cleanup;
	}
	if (!*g->prefix) {
		t->root = top;
		top = NULL;
		goto cleanup;
	}
	/* "sub/dir/" without its last '/' */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%.*s", (int)strlen(g->prefix) - 1, g->prefix);
	if ((error = git_tree_entry_bypath(&entry, top, path)) < 0) {
		if (error == GIT_ENOTFOUND)
			error = 0;      /* no project here: every read fails */
		git_error_clear();
		goto cleanup;
	}
	if (git_tree_entry_type(entry) == GIT_OBJECT_TREE &&
	    (error = git_tree_lookup(&t->root, g->repo, git_tree_entry_id(entry))) < 0)
		gitx_fail(g, error, "cannot read folder '%s'", path);
cleanup:
	git_tree_entry_free(entry);
	git_tree_free(top);
	return error;
}

void gitx_tree_free(struct gitx_tree *t)
{
	git_tree_free(t->root);
	t->root = NULL;
}
