/*
 * cmd_compile.c: `authzc compile`: check the project, then write its bundle
 * atomically and print its digest (authzc-compile(1)).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "authz.h"
#include "checker.h"
#include "codegen.h"
#include "cli.h"
#include "fileio.h"
#include "gitx.h"
#include "keyring.h"
#include "project.h"

#define DEFAULT_OUTPUT "build/policy.authzb"

static void compile_usage(FILE *out)
{
	fputs("usage: authzc compile [-o FILE] [-C DIR] [--revision REV] [--sign KEYFILE]\n"
	      "\n"
	      "Check the project's policies and tests, then write the policy bundle\n"
	      "(default build/policy.authzb in the project root) and print its digest.\n"
	      "The same sources and revision always give the same bytes.\n"
	      "\n"
	      "options:\n"
	      "  -o, --output FILE  write the bundle to FILE\n"
	      "  --revision REV     record commit REV (any revision: a short id, a tag,\n"
	      "                     HEAD~1) as the bundle's source, by its full id; the\n"
	      "                     default is HEAD's full id, with -dirty when the project\n"
	      "                     has changes, and nothing outside a git repository\n"
	      "  --sign KEYFILE     sign the bundle with this secret key (NAME.key of\n"
	      "                     authzc keygen); when authzc.json lists keys, it must\n"
	      "                     be one with the bundle role\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 written, 1 compile errors (nothing written), 2 usage or file\n"
	      "trouble, or a --revision git does not know\n",
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

/*
 * --revision REV: inside a git repository, the full id of the commit REV
 * names (gitx_resolve: an environment, a short id, a tag, HEAD~1), in c's
 * arena, so that the bundle is the one a promotion of that commit records;
 * a name git does not know is an error, never recorded as it is (a typo
 * would make a bundle no commit reproduces).  Outside a repository, REV as
 * given.  EXIT_OK with *rev replaced, or EXIT_TROUBLE printed.
 */
static int given_revision(struct compilation *c, const char **rev)
{
	struct gitx g;
	char id[GIT_OID_HEXSZ + 1];
	int code = EXIT_OK, error = gitx_open(&g);
	if (error == GIT_ENOTFOUND)
		goto done;      /* not in a git repository: recorded as given */
	if (error < 0) {
		code = cli_error("%s", g.msg);
		goto done;
	}
	if ((error = gitx_resolve_id(id, &g, *rev)) == 0)
		*rev = arena_strdup(&c->arena, id);
	else if (error == GIT_ENOTFOUND)
		code = cli_error("%s (inside a git repository, --revision must name a commit)", g.msg);
	else if (error == GIT_EAMBIGUOUS)
		code = cli_error("%s (give more digits of the commit id)", g.msg);
	else
		code = cli_error("%s", g.msg);
done:
	gitx_close(&g);
	return code;
}

/* --sign KEYFILE: read the secret key into *k.  EXIT_OK, or EXIT_TROUBLE
 * printed. */
static int signing_key(const char *path, struct ev_sec *k)
{
	char err[256];
	if (ev_init(err, sizeof err) != 0 || ev_sec_load(path, k, err, sizeof err) != 0)
		return cli_error("--sign %s: %s", path, err);
	return EXIT_OK;
}

/*
 * Check the signing key k against the trusted_keys of c's authzc.json
 * (loaded by cli_compile): when they list any key, k must be one of them
 * with the bundle role, so a bundle is never signed by a key the project
 * would not accept, nor by one it trusts for something else.  EXIT_OK, or
 * EXIT_TROUBLE printed.
 */
static int signing_allowed(const struct compilation *c, const char *path, const struct ev_sec *k)
{
	if (!c->config.ntrusted_keys)
		return EXIT_OK;
	struct ev_keyring kr = { c->config.trusted_keys, c->config.ntrusted_keys, c->config.ntrusted_keys };
	const struct ev_trusted *t = ev_keyring_find(&kr, k->pub.id);
	if (t && (t->roles & EV_ROLE_BUNDLE) && !memcmp(t->pub.pk, k->pub.pk, sizeof t->pub.pk))
		return EXIT_OK;
	if (t) {
		char roles[64];
		ev_roles_text(t->roles, roles, sizeof roles);
		return cli_error("--sign %s: key %s (%s) is trusted in authzc.json for %s, not bundle: "
				 "add \"bundle\" to its roles or sign with a bundle key", path, k->pub.id,
				 k->pub.name, roles);
	}
	return cli_error("--sign %s: key %s (%s) is not among the trusted_keys of authzc.json: "
			 "list its .pub there with the role \"bundle\"", path, k->pub.id, k->pub.name);
}

int cmd_compile(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *revision = NULL, *sign = NULL;
	const struct opt opts[] = {
		OPT_VALUE('o', "output", &out),
		OPT_VALUE(0, "revision", &revision),
		OPT_VALUE(0, "sign", &sign),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 0, compile_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (out && !*out)
		return cli_usage_error("compile", "the output file name is empty");
	if (sign && !*sign)
		return cli_usage_error("compile", "the --sign key file name is empty");
	struct compilation c;
	struct source_tree tree;
	if ((code = cli_open_project(&c, &tree, dir)) != EXIT_OK)
		return code;
	uint8_t *buf = NULL;
	size_t len;
	struct ev_sec key;
	bool signing = false;
	if (revision && *revision && (code = given_revision(&c, &revision)) != EXIT_OK)
		goto done;
	if (sign) {
		if ((code = signing_key(sign, &key)) != EXIT_OK)
			goto done;
		signing = true;
	}
	code = cli_compile(&c, &tree, revision, &buf, &len);
	if (!buf)
		goto done;
	if (signing && (code = signing_allowed(&c, sign, &key)) != EXIT_OK)
		goto done;
	if (signing) {
		uint8_t *signed_buf;
		size_t signed_len;
		char err[256];
		if (codegen_sign(buf, len, &key, &signed_buf, &signed_len, err, sizeof err) != 0) {
			code = cli_error("cannot sign the bundle: %s", err);
			goto done;
		}
		free(buf);
		buf = signed_buf;
		len = signed_len;
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
		const char *rev = authz_bundle_source_revision(b);
		if (*rev)
			fprintf(stderr, ", revision %s", rev);
		if (signing)
			fprintf(stderr, ", signed by key %s (%s)", key.pub.id, key.pub.name);
		if (c.diags.warnings)
			fprintf(stderr, ", %zu warning%s", c.diags.warnings,
				c.diags.warnings == 1 ? "" : "s");
		fputc('\n', stderr);
		code = EXIT_OK;
	}
	free(path);
	authz_bundle_free(b);
done:
	if (signing)
		ev_sec_wipe(&key);
	free(buf);
	compilation_release(&c);
	return code;
}
