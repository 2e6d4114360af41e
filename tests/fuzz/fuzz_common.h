/*
 * fuzz_common.h: what the libFuzzer targets share: the examples/ project
 * (its schema text and its compiled bundle, built once at start-up) and a
 * sink for rendered diagnostics.
 *
 * FUZZ_EXAMPLES is the absolute path of examples/, set by the Makefile.
 * Any setup failure aborts: a fuzz target that silently tests nothing is
 * worse than one that does not start.
 */
#ifndef AUTHZC_FUZZ_COMMON_H
#define AUTHZC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "codegen.h"
#include "project.h"

#ifndef FUZZ_EXAMPLES
#error "FUZZ_EXAMPLES must name the examples/ folder"
#endif

/* libFuzzer's entry points (declared for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* 2026-11-24T10:00:00Z: the checker's clock in every target. */
#define FUZZ_NOW_MS 1795514400000LL

static inline void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz setup: %s\n", what);
	abort();
}

/* A file of examples/ (NUL-terminated, malloc'd, never freed). */
static inline char *fuzz_read_example(const char *rel, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", FUZZ_EXAMPLES, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fuzz_die(path);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		fuzz_die("out of memory");
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The examples/ project compiled and loaded (never freed). */
static inline authz_bundle *fuzz_examples_bundle(void)
{
	struct compilation c;
	struct source_tree tree;
	compilation_init(&c);
	c.now_ms = FUZZ_NOW_MS;
	c.root = FUZZ_EXAMPLES;
	source_tree_fs(&tree, FUZZ_EXAMPLES);
	if (compilation_run(&c, &tree) != 0)
		fuzz_die("examples/ does not compile");
	uint8_t *buf = NULL;
	size_t len = 0;
	if (codegen_bundle(&c, "", &buf, &len) != 0)
		fuzz_die("examples/ does not generate a bundle");
	authz_bundle *b = NULL;
	authz_error err;
	if (authz_bundle_load(&b, buf, len, &err) != 0)
		fuzz_die(err.message);
	free(buf);
	compilation_release(&c);
	return b;
}

static inline FILE *fuzz_devnull(void)
{
	static FILE *f;
	if (!f && !(f = fopen("/dev/null", "w")))
		fuzz_die("/dev/null");
	return f;
}

#endif
