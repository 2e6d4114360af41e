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
#include <stdint.h>
#include <stdio.h>

#include "opt.h"
#include "version.h"

/* Exit codes, listed in authzc(1), EXIT STATUS. */
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
int cmd_serve(int argc, char **argv);
int cmd_lsp(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_promote(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_audit(int argc, char **argv);

struct logchain_opts;
/* The chained decision log's options of `cmd` (eval, serve) checked and
 * into *o (key not yet loaded): --log-key and --log-checkpoint-* need --log,
 * the checkpoint options need --log-key.  EXIT_OK, or EXIT_TROUBLE with the
 * usage error printed.  In cli_logchain.c. */
int cli_log_chain_options(const char *cmd, const char *log, const char *key, const char *every,
			  const char *interval, struct logchain_opts *o);

struct promote_opts;
/* The command line of promote and rollback (argv[0] is which): the options
 * they share, --ticket, --dry-run, -C (into *dir) and --help, and `own`
 * (--from, --to), then ENV into o->env.  CLI_RUN, or the exit code to return
 * (usage or error printed).  In cmd_promote.c. */
int promote_args(int argc, char **argv, struct promote_opts *o, struct opt own,
		 void (*usage)(FILE *out), const char **dir);
/* Open the repository (after chdir to `dir` when not NULL), run the
 * promotion or rollback `o`, print its outcome and return the exit code.
 * In cmd_promote.c, for cmd_promote and cmd_rollback. */
int promote_command(const char *dir, const struct promote_opts *o);

/* The choices of --format where a command has just these two. */
enum cli_format { CLI_TEXT, CLI_JSON };
extern const char *const cli_text_json[];

/* What cli_parse returns when the command should run on. */
#define CLI_RUN (-1)

/*
 * Parse a command's arguments (argv[0] is its name) with opt_parse: its own
 * options `opts`, and -h, --help and, when `dir` is not NULL, -C DIR (into
 * *dir), which every command shares; options and operands in any order, at
 * most `max_operands` operands (-1: any number).  On --help print `usage`
 * on stdout and return EXIT_OK; on a usage error print it
 * (cli_usage_error) and return EXIT_TROUBLE; otherwise return CLI_RUN,
 * the operands in out.
 */
int cli_parse(struct opt_result *out, int argc, char **argv, const struct opt *opts,
	      int max_operands, void (*usage)(FILE *out), const char **dir);

/* cli_parse for a command whose one option is --format text|json (into
 * *format, a enum cli_format) besides -C and --help, then the change to
 * -C's folder.  CLI_RUN, or the exit code to return.  For status and log. */
int cli_parse_format(struct opt_result *out, int argc, char **argv, int max_operands,
		     void (*usage)(FILE *out), int *format);

/* Print the usage error opt_parse returned in r (cli_usage_error, `cmd`
 * NULL for authzc's own options); returns EXIT_TROUBLE. */
int cli_option_error(const char *cmd, const struct opt_result *r);

/* chdir to `dir` (nothing when NULL); EXIT_OK, or EXIT_TROUBLE printed. */
int cli_chdir(const char *dir);
/* cli_chdir to each of `dirs` in turn, each relative to the one before;
 * stops at the first that fails. */
int cli_chdirs(const struct opt_list *dirs);

/* ---- what commands open (cli_project.c) ---------------------------------- */

struct source_tree;
struct gitx;
struct authz_bundle;

/* chdir to `dir` (when not NULL), then project_open; EXIT_OK, or
 * EXIT_TROUBLE with why printed (c is then untouched). */
int cli_open_project(struct compilation *c, struct source_tree *tree, const char *dir);

/*
 * Compile c's project (compilation_run, then codegen_bundle recording
 * `revision`; NULL: the working tree's, gitx_worktree_revision, or ""
 * outside a git repository) and print its diagnostics as `check` does,
 * with the summary line when there are errors.  Returns check_report_text's exit code, or
 * EXIT_FAIL on errors; *buf (malloc'd, the caller frees it) holds the
 * bundle unless there were errors, then it is NULL.
 */
int cli_compile(struct compilation *c, struct source_tree *tree, const char *revision,
		uint8_t **buf, size_t *len);

/* cli_compile, then load the bundle into *out: EXIT_OK, or the exit code of
 * what went wrong (printed). */
int cli_compile_load(struct authz_bundle **out, struct compilation *c, struct source_tree *tree);

/* gitx_open, or print why not (authzc.json's diagnostics too): EXIT_OK or
 * EXIT_TROUBLE.  gitx_close(g) either way. */
int cli_open_repo(struct gitx *g);

/* True when colour may be written to f: a terminal, NO_COLOR unset or
 * empty, TERM not "dumb". */
bool cli_color(FILE *f);

/* Print "authzc <cmd>: <message>" and "try 'authzc <cmd> --help'" to
 * stderr ("authzc: <message>" alone when cmd is NULL); returns
 * EXIT_TROUBLE. */
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
