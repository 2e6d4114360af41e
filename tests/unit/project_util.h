/*
 * project_util.h: what the tests of authzc.json (test_config.c) and of
 * project loading (test_project.c) share: a source tree held in memory
 * (files, folders and read errors given as a table), the compilation under
 * test, and diagnostic lookups by code and by JSON path.
 */
#ifndef AUTHZC_TEST_PROJECT_UTIL_H
#define AUTHZC_TEST_PROJECT_UTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project.h"

struct mem_file {
	const char *path;
	const char *text;       /* NULL: reading fails with `err` */
	int err;
	size_t len;             /* 0: strlen(text) */
};

struct mem_tree {
	const struct mem_file *files;
	size_t n;
};

static inline int mem_read(void *payload, const char *path, char **buf, size_t *len)
{
	struct mem_tree *m = payload;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->files[i].path, path))
			continue;
		if (!m->files[i].text) {
			errno = m->files[i].err;
			return -1;
		}
		*len = m->files[i].len ? m->files[i].len : strlen(m->files[i].text);
		*buf = malloc(*len + 1);
		memcpy(*buf, m->files[i].text, *len + 1);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

static inline int mem_list(void *payload, const char *path,
		    int (*fn)(const char *name, bool is_dir, void *arg), void *arg)
{
	struct mem_tree *m = payload;
	size_t plen = strlen(path);
	char seen[64][128];
	size_t nseen = 0;
	for (size_t i = 0; i < m->n; i++) {
		const char *p = m->files[i].path;
		if (!strcmp(p, path)) {
			errno = ENOTDIR;
			return -1;
		}
		if (plen && (strncmp(p, path, plen) || p[plen] != '/'))
			continue;
		const char *rest = plen ? p + plen + 1 : p;
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = strlen(seen[k]) == n && !strncmp(seen[k], rest, n);
		if (dup)
			continue;
		snprintf(seen[nseen++], sizeof seen[0], "%.*s", (int)n, rest);
	}
	if (!nseen) {
		errno = ENOENT;
		return -1;
	}
	/* Reverse order, to show the loader sorts. */
	for (size_t k = nseen; k-- > 0;) {
		bool is_dir = false;
		for (size_t i = 0; i < m->n && !is_dir; i++) {
			char pre[300];
			snprintf(pre, sizeof pre, "%s%s%s/", path, plen ? "/" : "", seen[k]);
			is_dir = !strncmp(m->files[i].path, pre, strlen(pre));
		}
		if (fn(seen[k], is_dir, arg))
			break;
	}
	return 0;
}

static struct compilation comp;
static struct source_tree tree;
static struct mem_tree mem;

static inline void setup_tree(const struct mem_file *files, size_t n)
{
	unsetenv("AUTHZC_NOW");
	compilation_init(&comp);
	mem.files = files;
	mem.n = n;
	tree.payload = &mem;
	tree.read_file = mem_read;
	tree.list_dir = mem_list;
}

/* The first diagnostic with `code`; fails the test when there is none. */
static inline struct diag *find_diag(enum diag_code code)
{
	for (size_t i = 0; i < comp.diags.n; i++)
		if (comp.diags.items[i]->code == code)
			return comp.diags.items[i];
	cr_assert_fail("no diagnostic %s", diag_code_str(code));
	return NULL;
}

/* Load a project holding only authzc.json with text `json`: the error
 * count of project_load_config (the result in comp.config). */
static inline size_t load_config_text(const char *json)
{
	static struct mem_file f[1];
	f[0].path = "authzc.json";
	f[0].text = json;
	setup_tree(f, 1);
	return project_load_config(&comp, &tree);
}

/* The message of the first diagnostic at JSON path `path` (of authzc.json);
 * fails the test when there is none. */
static inline const char *at(const char *path)
{
	for (size_t i = 0; i < comp.diags.n; i++)
		if (comp.diags.items[i]->json_path && !strcmp(comp.diags.items[i]->json_path, path))
			return comp.diags.items[i]->message;
	cr_assert_fail("no diagnostic at %s", path);
	return NULL;
}

static inline void diag_pos(const struct diag *d, uint32_t *line, uint32_t *col)
{
	cr_assert(d->has_span);
	src_line_col(srcset_file(&comp.src, d->span.file), d->span.start, line, col);
}

static inline void teardown(void)
{
	compilation_release(&comp);
}

#endif
