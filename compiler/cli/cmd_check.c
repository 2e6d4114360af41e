/*
 * cmd_check.c: `authzc check`: parse and type-check a project, or some of
 * its files, and report diagnostics as text, JSON or SARIF (authzc-check(1)).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "diag_json.h"
#include "sym_lint.h"
#include "project.h"
#include "text.h"

enum check_format { FMT_TEXT, FMT_JSON, FMT_SARIF };

static void check_usage(FILE *out)
{
	fputs("usage: authzc check [--format text|json|sarif] [--werror] [-C DIR] [FILE...]\n"
	      "\n"
	      "Parse and type-check the project's policies and tests (or only FILEs,\n"
	      "against the project's schema) and report every problem found.\n"
	      "\n"
	      "options:\n"
	      "  --format FORMAT  text (default, on stderr), json or sarif (on stdout)\n"
	      "  --werror         treat warnings as errors (exit 1)\n"
	      "  --no-lint        skip the solver's lint (W0601-W0603, I0604)\n"
	      "  --lint-timeout MS  the lint's time budget (default 10000)\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 no errors, 1 errors found, 2 usage or file trouble\n", out);
}

/* An error about no source file (a missing schema, an unreadable file, a
 * bad $AUTHZC_NOW) is environment trouble, not a finding.  A warning never
 * is (W0503 of a project without authzc.json is about no file). */
static bool is_trouble(const struct diag *d, const struct srcset *src)
{
	if (d->severity != DIAG_ERROR)
		return false;
	if (!srcset_file(src, d->span.file))
		return true;
	return (d->code == E_IO || d->code == E_LIMIT) && !d->has_span && !d->json_path;
}

/* The name FILE is shown under: relative to the project root when inside
 * it.  Sets *abs to its resolved path (malloc'd) or NULL when unresolvable. */
static const char *display_name(struct arena *a, const char *root, const char *file, char **abs)
{
	*abs = realpath(file, NULL);
	if (!*abs)
		return file;
	size_t n = strlen(root);
	if (!strncmp(*abs, root, n) && (*abs)[n] == '/' && n > 0)
		return arena_strdup(a, *abs + n + 1);
	if (!strcmp(root, "/") && (*abs)[0] == '/')
		return arena_strdup(a, *abs + 1);
	return file;
}

/* Add each FILE of the command line, once each.  Unreadable files are
 * E0011 diagnostics about no file. */
static void add_files(struct compilation *c, const char *root, char **files, int nfiles)
{
	struct source_tree fs;
	source_tree_fs(&fs, "/");
	char **seen = arena_calloc(&c->arena, (size_t)nfiles, sizeof(char *));
	for (int i = 0; i < nfiles; i++) {
		char *abs = NULL;
		const char *name = display_name(&c->arena, root, files[i], &abs);
		int rerr = errno;
		const char *shown = text_show(&c->arena, files[i], strlen(files[i]), 200);
		if (!abs) {
			diag_file(&c->diags, E_IO, UINT32_MAX, "cannot read '%s': %s", shown,
				  rerr == ENOENT ? "no such file" : strerror(rerr));
			continue;
		}
		bool dup = false;
		for (int k = 0; k < i && !dup; k++)
			dup = seen[k] && !strcmp(seen[k], abs);
		seen[i] = arena_strdup(&c->arena, abs);
		char *buf = NULL;
		size_t len = 0;
		int rc = dup ? 0 : fs.read_file(fs.payload, abs + 1, &buf, &len);
		int err = errno;
		free(abs);
		if (dup)
			continue;
		if (rc != 0) {
			if (err == EFBIG)
				diag_file(&c->diags, E_LIMIT, UINT32_MAX,
					  "'%s' is larger than the %u MiB limit", shown, SRC_MAX_BYTES >> 20);
			else
				diag_file(&c->diags, E_IO, UINT32_MAX, "cannot read '%s': %s", shown,
					  err == EISDIR ? "it is a folder"
					  : err == EINVAL ? "not a regular file" : strerror(err));
			continue;
		}
		project_add_source(c, name, buf, len);
		free(buf);
	}
}

static void print_summary(const struct compilation *c)
{
	const struct diag_list *l = &c->diags;
	fputs("authzc: ", stderr);
	if (c->nfiles)
		fprintf(stderr, "checked %zu file%s: ", c->nfiles, c->nfiles == 1 ? "" : "s");
	if (!l->errors && !l->warnings)
		fputs("no problems", stderr);
	if (l->errors)
		fprintf(stderr, "%zu error%s", l->errors, l->errors == 1 ? "" : "s");
	if (l->errors && l->warnings)
		fputs(", ", stderr);
	if (l->warnings)
		fprintf(stderr, "%zu warning%s", l->warnings, l->warnings == 1 ? "" : "s");
	fputc('\n', stderr);
}

/* The exit code c's diagnostics call for: EXIT_TROUBLE when one is
 * environment trouble, else EXIT_FAIL on errors (or, with `werror`,
 * warnings), else EXIT_OK. */
static int diags_exit_code(const struct compilation *c, bool werror)
{
	int code = c->diags.errors || (werror && c->diags.warnings) ? EXIT_FAIL : EXIT_OK;
	for (size_t i = 0; i < c->diags.n; i++)
		if (is_trouble(c->diags.items[i], &c->src))
			code = EXIT_TROUBLE;
	return code;
}

int check_report_text(struct compilation *c, bool summary)
{
	diag_sort(&c->diags);
	diag_render_text(stderr, &c->src, &c->diags, cli_color(stderr));
	if (summary)
		print_summary(c);
	return diags_exit_code(c, false);
}

static const char *const formats[] = { "text", "json", "sarif", NULL };

int cmd_check(int argc, char **argv)
{
	int format = FMT_TEXT;
	bool werror = false, no_lint = false;
	const char *dir = NULL, *lint_timeout = NULL;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", &format, formats),
		OPT_FLAG(0, "werror", &werror),
		OPT_FLAG(0, "no-lint", &no_lint),
		OPT_VALUE(0, "lint-timeout", &lint_timeout),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, -1, check_usage, &dir);
	if (code != CLI_RUN)
		return code;
	struct sym_opts so = SYM_OPTS_DEFAULT;
	if (lint_timeout) {
		char *end;
		unsigned long ms = strtoul(lint_timeout, &end, 10);
		if (!*lint_timeout || *end || lint_timeout[0] == '-' || ms == 0 || ms > 86400000)
			return cli_usage_error("check", "--lint-timeout wants milliseconds from 1 to 86400000, not '%s'",
					       lint_timeout);
		so.lint_ms = (unsigned)ms;
	}
	struct compilation c;
	struct source_tree tree;
	if ((code = cli_open_project(&c, &tree, dir)) != EXIT_OK)
		return code;
	if (!args.noperands) {
		compilation_run(&c, &tree);
	} else if (!c.diags.errors && !project_load_config(&c, &tree) &&
		   !project_load_schema(&c, &tree)) {
		/* Parse what could be read even when some FILE could not. */
		size_t before = c.diags.errors;
		add_files(&c, c.root, args.operands, args.noperands);
		if (!compilation_parse(&c) && c.diags.errors == before)
			compilation_check(&c);
	}
	if (!no_lint && !c.diags.errors && c.checked)
		sym_lint_check(&c, &so);

	diag_sort(&c.diags);
	int rc = 0;
	if (format == FMT_TEXT)
		check_report_text(&c, true);
	else if (format == FMT_JSON)
		rc = diag_render_json(stdout, &c.src, &c.diags);
	else
		rc = diag_render_sarif(stdout, &c.src, &c.diags,
				       c.config.has_file ? CONFIG_FILE_NAME : NULL);
	code = diags_exit_code(&c, werror);
	compilation_release(&c);
	if (rc != 0)
		return cli_error("out of memory");
	return code;
}
