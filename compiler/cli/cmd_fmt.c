/*
 * cmd_fmt.c: `authzc fmt [--check] [-C DIR] [FILE...]` (authzc-fmt(1)).
 *
 * Each file is read, formatted and proved by fmt_source (same syntax tree,
 * same comments, a fixed point) before anything is written; a changed file
 * is replaced atomically (temporary file in the same folder, fsync,
 * rename, mode kept).  With no FILE, the project's .authz files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "fmt.h"
#include "project.h"

static void usage(FILE *out)
{
	fputs("usage: authzc fmt [--check] [-C DIR] [FILE...]\n"
	      "\n"
	      "Rewrite policy and test files in the one canonical layout, keeping every\n"
	      "comment.  With no FILE, every .authz file of the project; '-' reads\n"
	      "standard input and writes the result to standard output.  Prints the\n"
	      "names of the files it changed.\n"
	      "\n"
	      "  --check     change nothing; print the files that would change and\n"
	      "              exit 1 if there are any\n"
	      "  -C DIR      run as if started in DIR\n"
	      "  -h, --help  show this help\n", out);
}

struct fmt_run {
	bool check;
	int status;             /* worst exit code so far */
};

static void worst(struct fmt_run *r, int code)
{
	if (code > r->status)
		r->status = code;
}

/*
 * Format one file (`path` "-" is standard input, written to standard
 * output); `shown` is the name printed.
 */
static void fmt_one(struct fmt_run *r, const char *path, const char *shown)
{
	bool is_stdin = !strcmp(path, "-");
	char *buf = NULL;
	size_t len = 0;
	mode_t mode = 0644;
	int rc = is_stdin ? fileio_read_fd(STDIN_FILENO, &buf, &len) : fileio_read(path, &buf, &len, &mode);
	if (rc != 0) {
		fprintf(stderr, "authzc fmt: cannot read '%s': %s\n", shown, fileio_reason(errno));
		worst(r, EXIT_TROUBLE);
		return;
	}
	struct arena a = ARENA_INIT;
	struct srcset src;
	struct diag_list diags;
	srcset_init(&src, &a);
	diag_list_init(&diags, &a);
	uint32_t id = srcset_add(&src, is_stdin ? "<stdin>" : shown, buf, len);
	char *out = NULL;
	size_t out_len = 0;
	switch (fmt_source(&a, &src, id, &diags, &out, &out_len)) {
	case FMT_SYNTAX:
		diag_sort(&diags);
		diag_render_text(stderr, &src, &diags, cli_color(stderr));
		worst(r, EXIT_FAIL);
		break;
	case FMT_UNSAFE:
		fprintf(stderr, "authzc fmt: internal error: formatting would change the meaning "
			"of '%s'; file left unchanged\n", shown);
		worst(r, EXIT_TROUBLE);
		break;
	case FMT_OK: {
		bool changed = out_len != len || memcmp(out, buf, len);
		if (is_stdin && !r->check) {
			fwrite(out, 1, out_len, stdout);
		} else if (changed && r->check) {
			printf("%s\n", shown);
			worst(r, EXIT_FAIL);
		} else if (changed) {
			if (fileio_replace(path, out, out_len, mode) != 0) {
				fprintf(stderr, "authzc fmt: cannot write '%s': %s\n", shown,
					strerror(errno));
				worst(r, EXIT_TROUBLE);
			} else {
				printf("%s\n", shown);
			}
		}
		break;
	}
	}
	free(buf);
	arena_free(&a);
}

/* The project's schema is not needed to format: serve "{}" in its place so
 * a broken or missing schema does not stop fmt. */
struct no_schema {
	struct source_tree fs;
	const char *schema;
};

static int ns_read_file(void *payload, const char *path, char **buf, size_t *len)
{
	struct no_schema *ns = payload;
	if (!strcmp(path, ns->schema)) {
		*buf = strdup("{}");
		*len = 2;
		return *buf ? 0 : -1;
	}
	return ns->fs.read_file(ns->fs.payload, path, buf, len);
}

static int ns_list_dir(void *payload, const char *path,
		       int (*fn)(const char *name, bool is_dir, void *arg), void *arg)
{
	struct no_schema *ns = payload;
	return ns->fs.list_dir(ns->fs.payload, path, fn, arg);
}

/* Format every .authz file of the project around the current folder. */
static void fmt_project(struct fmt_run *r)
{
	struct compilation c;
	struct no_schema ns;
	if (project_open(&c, &ns.fs) < 0) {
		fprintf(stderr, "authzc fmt: cannot find the project: %s\n", strerror(errno));
		worst(r, EXIT_TROUBLE);
		return;
	}
	const char *root = c.root;
	struct source_tree t = { &ns, ns_read_file, ns_list_dir };
	size_t errors = project_load_config(&c, &ns.fs);
	ns.schema = c.config.schema ? c.config.schema : "";
	if (!errors)
		errors = project_load_sources(&c, &t);
	if (errors) {
		diag_sort(&c.diags);
		diag_render_text(stderr, &c.src, &c.diags, cli_color(stderr));
		worst(r, EXIT_TROUBLE);
	} else {
		/* Show paths relative to the current folder when the root is in it. */
		char *cwd = realpath(".", NULL);
		size_t cl = cwd ? strlen(cwd) : 0;
		const char *prefix = root;
		if (cwd && !strcmp(root, cwd))
			prefix = "";
		else if (cwd && !strncmp(root, cwd, cl) && root[cl] == '/')
			prefix = root + cl + 1;
		for (size_t i = 0; i < c.nfile_ids; i++) {
			const char *name = srcset_file(&c.src, c.file_ids[i])->name;
			char *full = *prefix ? arena_printf(&c.arena, "%s/%s", prefix, name)
					     : arena_strdup(&c.arena, name);
			fmt_one(r, full, full);
		}
		free(cwd);
	}
	compilation_release(&c);
}

int cmd_fmt(int argc, char **argv)
{
	struct fmt_run r = { false, EXIT_OK };
	/* Each -C is relative to the one before, as authzc -C. */
	struct opt_list dirs = { calloc((size_t)argc, sizeof(char *)), 0, (size_t)argc };
	if (!dirs.v)
		return cli_error("out of memory");
	const struct opt opts[] = {
		OPT_FLAG(0, "check", &r.check),
		OPT_LIST('C', NULL, &dirs),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, -1, usage, NULL);
	int nstdin = 0;
	for (int i = 0; code == CLI_RUN && i < args.noperands; i++)
		nstdin += !strcmp(args.operands[i], "-");
	if (nstdin > 1)
		code = cli_usage_error("fmt", "'-' (standard input) given more than once");
	if (code == CLI_RUN && cli_chdirs(&dirs) != EXIT_OK)
		code = EXIT_TROUBLE;
	free(dirs.v);
	if (code != CLI_RUN)
		return code;
	if (!args.noperands)
		fmt_project(&r);
	for (int i = 0; i < args.noperands; i++)
		fmt_one(&r, args.operands[i], args.operands[i]);
	return r.status;
}
