/*
 * cli.h: what the authzc subcommands share.
 *
 * Each command lives in compiler/cmd_<name>.c as `int cmd_<name>(int argc,
 * char **argv)` (argv[0] is the command name) and is listed once in the
 * table in main.c.  Commands print results to stdout and diagnostics to
 * stderr, and return an exit code; only main() exits.
 */
#ifndef AUTHZC_CLI_H
#define AUTHZC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "version.h"

/* Exit codes (CLI.md), listed in authzc(1). */
enum exit_code {
	EXIT_OK = 0,            /* success */
	EXIT_FAIL = 1,          /* the negative result the command looks for */
	EXIT_TROUBLE = 2,       /* usage or environment trouble */
};

int cmd_check(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

struct compilation;
/* Render c's diagnostics to stderr as `check` does in text form (sorted;
 * with its summary line when `summary`).  Returns the exit code they call
 * for: EXIT_OK, EXIT_FAIL on errors, EXIT_TROUBLE for environment trouble
 * (missing schema, unreadable file).  In cmd_check.c. */
int check_report_text(struct compilation *c, bool summary);
int cmd_eval(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_promote(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_log(int argc, char **argv);

struct promote_opts;
/* Open the repository (after chdir to `dir` when not NULL), run the
 * promotion or rollback `o`, print its outcome and return the exit code.
 * In cmd_promote.c, for cmd_promote and cmd_rollback. */
int promote_command(const char *dir, const struct promote_opts *o);

/* True when colour may be written to f: a terminal, NO_COLOR unset or
 * empty, TERM not "dumb". */
bool cli_color(FILE *f);

/* Print "authzc <cmd>: <message>" and "try 'authzc <cmd> --help'" to
 * stderr; returns EXIT_TROUBLE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "authzc: <message>" to stderr; returns EXIT_TROUBLE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct cJSON;
/* Print `json` (consumed: deleted here) indented, with a newline, on stdout;
 * EXIT_OK, or EXIT_TROUBLE when out of memory. */
int cli_print_json(struct cJSON *json);

/* Flush stdout and report a write error (ENOSPC, EPIPE) as trouble, as git
 * does; returns `code`, or EXIT_TROUBLE when output was lost. */
int cli_finish(int code);

#endif
