/*
 * cmd_compile.c: `authzc compile`: check the project, then write its bundle
 * atomically and print its digest (authzc-compile(1)).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authz.h"
#include "checker.h"
#include "cli.h"
#include "codegen.h"
#include "fileio.h"
#include "project.h"

#define DEFAULT_OUTPUT "build/policy.authzb"

static void compile_usage(FILE *out)
{
	fputs("usage: authzc compile [-o FILE] [-C DIR] [--revision REV]\n"
	      "\n"
	      "Check the project's policies and tests, then write the policy bundle\n"
	      "(default build/policy.authzb in the project root) and print its digest.\n"
	      "The same sources always give the same bytes.\n"
	      "\n"
	      "options:\n"
	      "  -o, --output FILE  write the bundle to FILE\n"
	      "  --revision REV     record REV as the bundle's source revision\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 written, 1 compile errors (nothing written), 2 usage or file trouble\n",
	      out);
}

/* Bytes of the sources the bundle came from: the schema and the policy
 * files (tests never go into a bundle). */
static size_t source_bytes(const struct compilation *c)
{
	size_t n = 0;
	struct src_file *f = srcset_file(&c->src, c->schema_file);
	if (c->has_schema && f)
		n += f->len;
	for (size_t i = 0; i < c->nfiles; i++)
		if (!c->files[i]->is_test && (f = srcset_file(&c->src, c->files[i]->file)))
			n += f->len;
	return n;
}

/* The bundle's path: -o as given, or DEFAULT_OUTPUT in the project root
 * (its folder created).  *shown: the name printed. */
static char *output_path(const char *root, const char *given, const char **shown, int *err)
{
	*err = 0;
	if (given) {
		*shown = given;
		return strdup(given);
	}
	char *cwd = realpath(".", NULL);
	char *rootabs = realpath(root, NULL);
	bool here = cwd && rootabs && !strcmp(cwd, rootabs);
	free(cwd);
	size_t n = strlen(root) + sizeof DEFAULT_OUTPUT + 2;
	char *path = malloc(n);
	char *dir = malloc(n);
	if (!path || !dir) {
		free(rootabs);
		free(path);
		free(dir);
		*err = ENOMEM;
		return NULL;
	}
	const char *base = here ? "." : rootabs ? rootabs : root;
	snprintf(path, n, "%s/%s", base, DEFAULT_OUTPUT);
	snprintf(dir, n, "%s/build", base);
	free(rootabs);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		*err = errno;
		*shown = path;
		free(dir);
		return path;
	}
	free(dir);
	*shown = here ? path + 2 : path;
	return path;
}

int cmd_compile(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "revision", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *out = NULL, *revision = "";
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:C:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!*optarg)
				return cli_usage_error("compile", "the output file name is empty");
			out = optarg;
			break;
		case 'r':
			revision = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			compile_usage(stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error("compile", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("compile", "unknown option '-%c'", optopt);
			return cli_usage_error("compile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("compile", "unexpected argument '%s'", argv[optind]);
	if (dir && chdir(dir) != 0)
		return cli_error("cannot change to '%s': %s", dir, strerror(errno));
	struct compilation c;
	struct source_tree tree;
	if (project_open(&c, &tree) < 0)
		return cli_error("cannot find the project root: %s", strerror(errno));
	compilation_run(&c, &tree);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (!c.diags.errors)
		codegen_bundle(&c, revision, &buf, &len);
	int code = check_report_text(&c, c.diags.errors != 0);
	if (c.diags.errors) {
		if (code == EXIT_OK)
			code = EXIT_FAIL;
		goto done;
	}
	authz_bundle *b = NULL;
	authz_error err;
	if (authz_bundle_load(&b, buf, len, &err) != 0) {
		code = cli_error("the bundle does not load: %s", err.message);
		goto done;
	}
	const char *shown = NULL;
	int perr;
	char *path = output_path(c.root, out, &shown, &perr);
	if (!path || perr) {
		code = cli_error("cannot create the folder of '%s': %s", path ? shown : DEFAULT_OUTPUT,
				 strerror(perr));
	} else if (fileio_replace(path, buf, len, FILEIO_NEW_MODE) != 0) {
		code = cli_error("cannot write '%s': %s", shown, strerror(errno));
	} else {
		printf("%s  %s\n", authz_bundle_digest(b), shown);
		size_t nrules = c.checked->nrules, src = source_bytes(&c);
		fprintf(stderr, "authzc: compiled %zu rule%s into %zu bytes (sources: %zu bytes)",
			nrules, nrules == 1 ? "" : "s", len, src);
		if (c.diags.warnings)
			fprintf(stderr, ", %zu warning%s", c.diags.warnings,
				c.diags.warnings == 1 ? "" : "s");
		fputc('\n', stderr);
		code = EXIT_OK;
	}
	free(path);
	authz_bundle_free(b);
done:
	free(buf);
	compilation_release(&c);
	return code;
}
