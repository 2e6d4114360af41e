/*
 * cli_project.c: what the commands open and report the same way: the
 * project, its compiled bundle, the git repository around it (cli.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "cli.h"
#include "codegen.h"
#include "gitx.h"
#include "project.h"

int cli_open_project(struct compilation *c, struct source_tree *tree, const char *dir)
{
	int code = cli_chdir(dir);
	if (code != EXIT_OK)
		return code;
	if (project_open(c, tree) < 0)
		return cli_error("cannot find the project root: %s", strerror(errno));
	return EXIT_OK;
}

/*
 * The revision a build of the working tree records (gitx_worktree_revision
 * of the files c read), in c's arena: "" outside a git repository.  A
 * repository that cannot be read is a warning, and "".
 */
static const char *worktree_revision(struct compilation *c)
{
	struct gitx g;
	const char *rev = "";
	int error = gitx_open(&g);
	if (error == GIT_ENOTFOUND)
		error = 0;      /* not in a git repository */
	else if (error == 0 && (error = gitx_worktree_revision(&rev, &g, &c->src)) == 0)
		rev = arena_strdup(&c->arena, rev);
	if (error < 0) {
		fprintf(stderr, "authzc: warning: %s; the bundle records no revision\n", g.msg);
		rev = "";
	}
	gitx_close(&g);
	return rev;
}

int cli_compile(struct compilation *c, struct source_tree *tree, const char *revision,
		uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	size_t errors = compilation_run(c, tree);
	if (!errors && !revision)
		revision = worktree_revision(c);
	if (!errors)
		errors = codegen_bundle(c, revision, buf, len);
	int code = check_report_text(c, errors != 0);
	if (errors && code == EXIT_OK)
		code = EXIT_FAIL;
	return code;
}

int cli_compile_load(struct authz_bundle **out, struct compilation *c, struct source_tree *tree)
{
	uint8_t *buf;
	size_t len;
	int code = cli_compile(c, tree, "", &buf, &len);
	authz_error err;
	if (code == EXIT_OK && authz_bundle_load(out, buf, len, &err) < 0)
		code = cli_error("cannot load the compiled bundle: %s", err.message);
	free(buf);
	return code;
}

int cli_open_repo(struct gitx *g)
{
	if (gitx_open(g) == 0)
		return EXIT_OK;
	if (g->cfg.diags.n)
		check_report_text(&g->cfg, false);
	return cli_error("%s", g->msg);
}
