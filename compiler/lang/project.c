/*
 * project.c: the compilation driver (see project.h): finding the project
 * root, the on-disk source tree, loading the schema and the .authz files,
 * parsing, and running the phases in order.  authzc.json is config.c's.
 */
#include "project.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authz.h"
#include "config.h"
#include "fileio.h"
#include "text.h"

/* Deepest folder nesting walked under a policy or test path. */
#define PROJECT_MAX_DEPTH 64
/* Most .authz files one project may hold. */
#define PROJECT_MAX_FILES 100000

void compilation_init(struct compilation *c)
{
	memset(c, 0, sizeof(*c));
	srcset_init(&c->src, &c->arena);
	diag_list_init(&c->diags, &c->arena);
	project_config_defaults(&c->config, &c->arena);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	const char *now = getenv("AUTHZC_NOW");
	if (now && *now) {
		int64_t ms;
		if (authz_parse_time(now, strlen(now), &ms) == 0) {
			c->now_ms = ms;
		} else {
			struct diag *d = diag_file(&c->diags, E_BAD_TIME, UINT32_MAX,
						   "invalid $AUTHZC_NOW '%s'",
						   text_show(&c->arena, now, strlen(now), 64));
			diag_help(&c->diags, d, "give an RFC 3339 time such as 2026-11-22T10:00:00Z");
		}
	}
}

void compilation_release(struct compilation *c)
{
	arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

/* ---- the project root ---------------------------------------------------------- */

int project_find_root(const char *start, char **out)
{
	char *abs = realpath(start, NULL);
	if (!abs)
		return -1;
	size_t cap = strlen(abs) + sizeof("/" CONFIG_FILE_NAME) + 1;
	char *probe = malloc(cap);
	if (!probe) {
		free(abs);
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		struct stat st;
		snprintf(probe, cap, "%s/%s", strcmp(abs, "/") ? abs : "", CONFIG_FILE_NAME);
		if (stat(probe, &st) == 0) {
			free(probe);
			*out = abs;
			return 0;
		}
		char *slash = strrchr(abs, '/');
		if (!slash || !strcmp(abs, "/"))
			break;
		if (slash == abs)
			slash[1] = '\0';        /* "/x" -> "/" */
		else
			*slash = '\0';
	}
	free(probe);
	free(abs);
	*out = strdup(start);
	if (!*out) {
		errno = ENOMEM;
		return -1;
	}
	return 1;
}

/* ---- a source tree over a folder on disk --------------------------------------- */

static char *fs_join(const char *root, const char *path)
{
	size_t n = strlen(root) + strlen(path) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", root,
			 *path && *root && root[strlen(root) - 1] != '/' ? "/" : "", path);
	return p;
}

/* Regular files only: a FIFO or device would block or never end. */
static int fs_read_file(void *payload, const char *path, char **buf, size_t *len)
{
	char *full = fs_join(payload, path);
	if (!full) {
		errno = ENOMEM;
		return -1;
	}
	int rc = fileio_read(full, buf, len, NULL);
	int err = errno;
	free(full);
	errno = err;
	return rc;
}

/* Symbolic links to folders are skipped (they could loop); links to files
 * are listed as files. */
static int fs_list_dir(void *payload, const char *path,
		       int (*fn)(const char *name, bool is_dir, void *arg), void *arg)
{
	char *full = fs_join(payload, path);
	if (!full) {
		errno = ENOMEM;
		return -1;
	}
	DIR *d = opendir(full);
	free(full);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = 0;
	errno = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		bool is_dir = false;
		if (e->d_type == DT_DIR) {
			is_dir = true;
		} else if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				if (S_ISDIR(st.st_mode))
					is_dir = true;
				else if (S_ISLNK(st.st_mode) &&
					 fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
					 S_ISDIR(st.st_mode))
					continue;
			}
		}
		rc = fn(e->d_name, is_dir, arg);
		errno = 0;
	}
	int err = errno;
	closedir(d);
	if (rc == 0 && err) {
		errno = err;
		return -1;
	}
	return 0;
}

int project_open(struct compilation *c, struct source_tree *tree)
{
	char *root = NULL;
	if (project_find_root(".", &root) < 0)
		return -1;
	compilation_init(c);
	c->root = arena_strdup(&c->arena, root);
	free(root);
	source_tree_fs(tree, c->root);
	return 0;
}

void source_tree_fs(struct source_tree *t, const char *root)
{
	t->payload = (void *)root;
	t->read_file = fs_read_file;
	t->list_dir = fs_list_dir;
}

/* ---- loading ---------------------------------------------------------------------- */

/* Why a read failed, lowercase, for "cannot read 'x': <why>". */
static const char *io_reason(int err)
{
	switch (err) {
	case ENOENT: return "no such file or folder";
	case EISDIR: return "it is a folder";
	case EINVAL: return "not a regular file";
	case EACCES: return "permission denied";
	case ENOTDIR: return "a parent is not a folder";
	default: return strerror(err);
	}
}

/* Read `path` of the tree into the srcset; report E0011/E0010 and return
 * -1 on failure.  `what` names the file's role ("schema", ...) or NULL. */
static int read_source(struct compilation *c, struct source_tree *t, const char *path,
		       const char *what, uint32_t *id)
{
	char *buf = NULL;
	size_t len = 0;
	const char *shown = text_show(&c->arena, path, strlen(path), 200);
	if (t->read_file(t->payload, path, &buf, &len) != 0) {
		int err = errno;
		struct diag *d;
		if (err == EFBIG)
			d = diag_file(&c->diags, E_LIMIT, UINT32_MAX, "%s%s'%s' is larger than the %u MiB limit",
				      what ? what : "", what ? " " : "", shown, SRC_MAX_BYTES >> 20);
		else
			d = diag_file(&c->diags, E_IO, UINT32_MAX, "cannot read %s%s'%s': %s",
				      what ? what : "", what ? " " : "", shown, io_reason(err));
		if (what && err == ENOENT)
			diag_help(&c->diags, d, "create it, or %s '%s' in %s",
				  c->config.has_file ? "fix" : "set", what, CONFIG_FILE_NAME);
		return -1;
	}
	*id = srcset_add(&c->src, path, buf, len);
	free(buf);
	return 0;
}

size_t project_load_schema(struct compilation *c, struct source_tree *t)
{
	size_t before = c->diags.errors;
	uint32_t id;
	if (read_source(c, t, c->config.schema, "schema", &id) != 0)
		return c->diags.errors - before;
	c->schema_file = id;
	c->has_schema = true;
	schema_load(&c->arena, &c->src, id, &c->diags, &c->schema);
	return c->diags.errors - before;
}

struct walk {
	struct compilation *c;
	struct source_tree *t;
	struct ptrvec paths;    /* char *: project-relative .authz paths */
	struct ptrvec names;    /* scratch for one folder */
	struct ptrvec dirs;     /* parallel: (void *)1 for folders */
	bool too_many;
};

static int walk_entry(const char *name, bool is_dir, void *arg)
{
	struct walk *w = arg;
	ptrvec_push(&w->c->arena, &w->names, arena_strdup(&w->c->arena, name));
	ptrvec_push(&w->c->arena, &w->dirs, is_dir ? (void *)1 : NULL);
	return 0;
}

static bool has_authz_ext(const char *name)
{
	size_t n = strlen(name);
	return n > 6 && !strcmp(name + n - 6, ".authz");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect the .authz files under folder `dir` (recursively).  Hidden files
 * and folders (".git", ".#a.authz") are skipped. */
static void walk_dir(struct walk *w, const char *dir, int depth)
{
	struct compilation *c = w->c;
	if (depth > PROJECT_MAX_DEPTH) {
		diag_file(&c->diags, E_LIMIT, UINT32_MAX,
			  "folders nested deeper than %d levels at '%s'", PROJECT_MAX_DEPTH,
			  text_show(&c->arena, dir, strlen(dir), 200));
		return;
	}
	w->names.n = 0;
	w->dirs.n = 0;
	if (w->t->list_dir(w->t->payload, dir, walk_entry, w) != 0) {
		diag_file(&c->diags, E_IO, UINT32_MAX, "cannot read folder '%s': %s",
			  text_show(&c->arena, dir, strlen(dir), 200), io_reason(errno));
		return;
	}
	/* Copy this folder's entries out of the scratch vectors, sorted. */
	size_t n = w->names.n;
	char **names = arena_calloc(&c->arena, n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		names[i] = arena_printf(&c->arena, "%c%s", w->dirs.items[i] ? 'd' : 'f',
					(char *)w->names.items[i]);
	qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n && !w->too_many; i++) {
		const char *name = names[i] + 1;
		if (name[0] == '.')
			continue;
		char *path = *dir ? arena_printf(&c->arena, "%s/%s", dir, name)
				  : arena_strdup(&c->arena, name);
		if (names[i][0] == 'd') {
			walk_dir(w, path, depth + 1);
		} else if (has_authz_ext(name)) {
			if (w->paths.n >= PROJECT_MAX_FILES) {
				diag_file(&c->diags, E_LIMIT, UINT32_MAX,
					  "more than %d .authz files in the project",
					  PROJECT_MAX_FILES);
				w->too_many = true;
				return;
			}
			ptrvec_push(&c->arena, &w->paths, path);
		}
	}
}

static int stop_at_first(const char *name, bool is_dir, void *arg)
{
	(void)name, (void)is_dir, (void)arg;
	return 1;
}

/* One configured policy or test path: a folder walked for .authz files, or
 * a single file.  `must_exist`: a missing path is an error. */
static void walk_root(struct walk *w, const char *path, const char *key, bool must_exist)
{
	struct compilation *c = w->c;
	if (w->t->list_dir(w->t->payload, path, stop_at_first, NULL) == 0) {
		walk_dir(w, path, 0);
		return;
	}
	int err = errno;
	if (err == ENOTDIR) {
		ptrvec_push(&c->arena, &w->paths, arena_strdup(&c->arena, path));
		return;
	}
	if (err == ENOENT && !must_exist)
		return;
	const char *shown = text_show(&c->arena, *path ? path : ".", strlen(*path ? path : "."), 200);
	struct diag *d = diag_file(&c->diags, E_IO, UINT32_MAX, "cannot read %s path '%s': %s",
				   key, shown, io_reason(err));
	if (err == ENOENT)
		diag_help(&c->diags, d, c->config.has_file
			  ? "create it, or fix '%s' in authzc.json"
			  : "create it, or set '%s' in authzc.json", key);
}

size_t project_load_sources(struct compilation *c, struct source_tree *t)
{
	size_t before = c->diags.errors;
	project_load_schema(c, t);
	c->whole_project = true;
	struct walk w;
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.t = t;
	for (size_t i = 0; i < c->config.npolicies && !w.too_many; i++)
		walk_root(&w, c->config.policies[i], "policies", true);
	for (size_t i = 0; i < c->config.ntests && !w.too_many; i++)
		walk_root(&w, c->config.tests[i], "tests", c->config.tests_given);
	char **paths = (char **)w.paths.items;
	if (w.paths.n)
		qsort(paths, w.paths.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < w.paths.n; i++) {
		if (i > 0 && !strcmp(paths[i], paths[i - 1]))
			continue;       /* listed under both policies and tests */
		uint32_t id;
		if (read_source(c, t, paths[i], NULL, &id) == 0) {
			c->file_ids = arena_grow(&c->arena, c->file_ids, c->nfile_ids,
						 c->nfile_ids + 1, sizeof(uint32_t));
			c->file_ids[c->nfile_ids++] = id;
		}
	}
	return c->diags.errors - before;
}

void project_add_source(struct compilation *c, const char *name, const char *text, size_t len)
{
	uint32_t id = srcset_add(&c->src, name, text, len);
	c->file_ids = arena_grow(&c->arena, c->file_ids, c->nfile_ids, c->nfile_ids + 1,
				 sizeof(uint32_t));
	c->file_ids[c->nfile_ids++] = id;
}

size_t compilation_parse(struct compilation *c)
{
	size_t before = c->diags.errors;
	if (c->nfile_ids) {
		c->files = arena_grow(&c->arena, c->files, c->nfiles, c->nfiles + c->nfile_ids,
				      sizeof(*c->files));
		for (size_t i = 0; i < c->nfile_ids; i++) {
			struct ast_file *af = NULL;
			ast_parse(&c->arena, &c->src, c->file_ids[i], &c->diags, &af);
			c->files[c->nfiles++] = af;
		}
		c->nfile_ids = 0;
	}
	return c->diags.errors - before;
}

size_t compilation_run(struct compilation *c, struct source_tree *t)
{
	if (c->diags.errors)
		return c->diags.errors;
	if (project_load_config(c, t) || project_load_sources(c, t) || compilation_parse(c))
		return c->diags.errors;
	compilation_check(c);
	return c->diags.errors;
}
