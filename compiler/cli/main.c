/*
 * main.c: the authzc command line: dispatch to a subcommand.
 *
 *   authzc [-C DIR] <command> [options] [args]
 *   authzc help <command>    (same as authzc <command> --help)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "arena.h"
#include "cli.h"
#include "suggest.h"

/* What a command needs set up before it runs (git.c's option bits). */
enum cmd_flags {
	NEEDS_GIT = 1 << 0,     /* libgit2 initialised (and shut down after) */
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;
};

static const struct cmd commands[] = {
	{ "check", cmd_check, 0, "parse and type-check policies and tests" },
	{ "fmt", cmd_fmt, 0, "rewrite sources in the canonical layout" },
	{ "compile", cmd_compile, NEEDS_GIT, "check, then write the policy bundle" },
	{ "inspect", cmd_inspect, 0, "show what a compiled bundle holds" },
	{ "eval", cmd_eval, 0, "decide requests against the policies" },
	{ "serve", cmd_serve, 0, "answer decision requests over HTTP, reloading the bundle" },
	{ "lsp", cmd_lsp, 0, "the language server for editors (LSP over stdio)" },
	{ "test", cmd_test, 0, "run the tests, with deny-path and guard coverage" },
	{ "diff", cmd_diff, NEEDS_GIT, "compare two versions of the policy set" },
	{ "promote", cmd_promote, NEEDS_GIT, "move an environment to a new version, through its gates" },
	{ "rollback", cmd_rollback, NEEDS_GIT, "move an environment back to an earlier promotion" },
	{ "status", cmd_status, NEEDS_GIT, "where each environment stands" },
	{ "log", cmd_log, NEEDS_GIT, "the promotion history of an environment" },
	{ "approve", cmd_approve, NEEDS_GIT, "sign an approval of a commit for an environment" },
	{ "keygen", cmd_keygen, 0, "write an Ed25519 key pair for signing evidence" },
	{ "audit", cmd_audit, 0, "verify the hash chain and signed checkpoints of decision logs" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fputs("usage: authzc [-C DIR] <command> [options] [args]\n\ncommands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'authzc help <command>' or 'authzc <command> --help' for a command's options;\n"
	      "man authzc for everything.\n", out);
}

static const struct cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[NCOMMANDS];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	fprintf(stderr, "authzc: '%s' is not a command\n", name);
	const char *s = suggest_closest(name, names, NCOMMANDS);
	if (s)
		fprintf(stderr, "did you mean 'authzc %s'?\n", s);
	else
		usage(stderr);
	return EXIT_TROUBLE;
}

/*
 * Run one command with what its flags ask for.  libgit2 is initialised once
 * and shut down once, and only for the git commands: its start reads the
 * system's CA certificates, which would be most of an `eval` stream's start.
 */
static int run_command(const struct cmd *c, int argc, char **argv)
{
	if (c->flags & NEEDS_GIT)
		git_libgit2_init();
	int code = cli_finish(c->fn(argc, argv));
	if (c->flags & NEEDS_GIT)
		git_libgit2_shutdown();
	return code;
}

/* The global options, before the command: chdir to each -C in turn (each
 * relative to the one before, as git does); CLI_RUN, or the exit code of
 * --help, --version or trouble. */
static int global_options(struct opt_result *out, int argc, char **argv)
{
	struct opt_list dirs = { calloc((size_t)argc, sizeof(char *)), 0, (size_t)argc };
	if (!dirs.v)
		return cli_error("out of memory");
	const struct opt opts[] = {
		OPT_LIST('C', NULL, &dirs),
		OPT_STOP(0, "version"),
		OPT_STOP('h', "help"),
		OPT_END,
	};
	enum opt_status st = opt_parse(out, argc, argv, opts, -1, OPT_IN_ORDER);
	/* The -C before an error or a stop are done first, as given. */
	int code = cli_chdirs(&dirs);
	free(dirs.v);
	if (code != EXIT_OK)
		return code;
	if (st == OPT_OK)
		return CLI_RUN;
	if (st == OPT_STOPPED && !strcmp(out->opt->long_name, "version")) {
		printf("authzc %s\n", AUTHZC_VERSION);
		return cli_finish(EXIT_OK);
	}
	if (st == OPT_STOPPED) {
		usage(stdout);
		return cli_finish(EXIT_OK);
	}
	cli_option_error(NULL, out);
	usage(stderr);
	return EXIT_TROUBLE;
}

static int run(int argc, char **argv)
{
	struct opt_result args;
	int code = global_options(&args, argc, argv);
	if (code != CLI_RUN)
		return code;
	char **cmd = args.operands;     /* the command and its arguments */
	int n = args.noperands;
	if (!n) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (!strcmp(cmd[0], "help")) {
		if (n < 2) {
			usage(stdout);
			return cli_finish(EXIT_OK);
		}
		const struct cmd *c = find_command(cmd[1]);
		if (!c)
			return unknown_command(cmd[1]);
		char *help_argv[] = { cmd[1], "--help", NULL };
		return run_command(c, 2, help_argv);
	}
	const struct cmd *c = find_command(cmd[0]);
	if (!c)
		return unknown_command(cmd[0]);
	return run_command(c, n, cmd);
}

/* The compiler's arenas cannot go on without memory: say so, and stop
 * with the exit status of environment trouble. */
static void out_of_memory(void)
{
	fflush(stdout);
	fputs("authzc: fatal: out of memory\n", stderr);
	exit(EXIT_TROUBLE);
}

int main(int argc, char **argv)
{
	arena_set_oom(out_of_memory);
	return run(argc, argv);
}
