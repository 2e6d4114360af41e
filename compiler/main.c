/*
 * main.c: the authzc command line: dispatch to a subcommand.
 *
 *   authzc [-C DIR] <command> [options] [args]
 *   authzc help <command>    (same as authzc <command> --help)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "cli.h"
#include "schema.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd commands[] = {
	{ "check", cmd_check, "parse and type-check policies and tests" },
	{ "fmt", cmd_fmt, "rewrite sources in the canonical layout" },
	{ "compile", cmd_compile, "check, then write the policy bundle" },
	{ "inspect", cmd_inspect, "show what a compiled bundle holds" },
	{ "eval", cmd_eval, "decide requests against the policies" },
	{ "test", cmd_test, "run the tests, with deny-path and guard coverage" },
	{ "diff", cmd_diff, "compare two versions of the policy set" },
	{ "promote", cmd_promote, "move an environment to a new version, through its gates" },
	{ "rollback", cmd_rollback, "move an environment back to an earlier promotion" },
	{ "status", cmd_status, "where each environment stands" },
	{ "log", cmd_log, "the promotion history of an environment" },
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

static int run(int argc, char **argv)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			if (chdir(argv[i + 1]) != 0)
				return cli_error("cannot change to '%s': %s", argv[i + 1], strerror(errno));
			i += 2;
		} else if (!strcmp(argv[i], "--version")) {
			printf("authzc %s\n", AUTHZC_VERSION);
			return cli_finish(EXIT_OK);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return cli_finish(EXIT_OK);
		} else {
			fprintf(stderr, "authzc: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(stdout);
			return cli_finish(EXIT_OK);
		}
		const struct cmd *c = find_command(argv[i + 1]);
		if (!c)
			return unknown_command(argv[i + 1]);
		char *help_argv[] = { argv[i + 1], "--help", NULL };
		return cli_finish(c->fn(2, help_argv));
	}
	const struct cmd *c = find_command(argv[i]);
	if (!c)
		return unknown_command(argv[i]);
	return cli_finish(c->fn(argc - i, argv + i));
}

/* libgit2 is initialised once for the whole run (and shut down once); only
 * the git commands use it.  `authzc eval ...` skips it: eval never touches
 * git, and libgit2's start (it reads the system's CA certificates) would
 * be most of a decision stream's start. */
int main(int argc, char **argv)
{
	bool git = !(argc >= 2 && strcmp(argv[1], "eval") == 0);
	if (git)
		git_libgit2_init();
	int code = run(argc, argv);
	if (git)
		git_libgit2_shutdown();
	return code;
}
