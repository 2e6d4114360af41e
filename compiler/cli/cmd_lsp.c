/*
 * cmd_lsp.c: `authzc lsp`: the language server on standard input and
 * output (authzc-lsp(1)).  Standard output carries only JSON-RPC; nothing
 * else is printed there.  The server itself is compiler/lsp/.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "lsp.h"

static void usage(FILE *out)
{
	fputs("usage: authzc lsp [--stdio] [--debounce MS] [--no-lint] [-C DIR]\n"
	      "\n"
	      "Serve the Language Server Protocol on standard input and output for the\n"
	      "project around the client's root folder (or DIR, or the current folder):\n"
	      "diagnostics as 'authzc check' reports them, hover, definition,\n"
	      "references, completion, formatting, symbols and quick fixes.\n"
	      "\n"
	      "options:\n"
	      "  --stdio          talk on standard input and output (the only way; accepted\n"
	      "                   because editors pass it)\n"
	      "  --debounce MS    wait MS quiet milliseconds after a change before\n"
	      "                   checking (default 20, at most 10000)\n"
	      "  --no-lint        never run the solver's lint (by default it runs on save)\n"
	      "  -C DIR           look for the project from DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 after shutdown and exit, 1 when the client left without\n"
	      "shutdown, 2 usage or I/O trouble\n", out);
}

static int write_stdout(void *arg, const char *data, size_t len)
{
	(void)arg;
	return fileio_write_all(STDOUT_FILENO, data, len);
}

int cmd_lsp(int argc, char **argv)
{
	bool stdio = false, no_lint = false;
	const char *dir = NULL, *debounce = NULL;
	const struct opt opts[] = {
		OPT_FLAG(0, "stdio", &stdio),
		OPT_FLAG(0, "no-lint", &no_lint),
		OPT_VALUE(0, "debounce", &debounce),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 0, usage, &dir);
	if (code != CLI_RUN)
		return code;
	unsigned ms = LSP_DEBOUNCE_MS;
	if (debounce) {
		char *end;
		unsigned long v = strtoul(debounce, &end, 10);
		if (!*debounce || *end || debounce[0] == '-' || v > 10000)
			return cli_usage_error("lsp", "--debounce wants milliseconds from 0 to 10000, not '%s'",
					       debounce);
		ms = (unsigned)v;
	}
	if (cli_chdir(dir) != EXIT_OK)
		return EXIT_TROUBLE;
	/* A client that goes away is seen as a failed write, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	struct lsp_opts o = { ".", ms, !no_lint, write_stdout, NULL };
	struct lsp_server *s = lsp_new(&o);
	if (!s)
		return cli_error("lsp: cannot start: out of memory or the current folder is unreadable");
	int rc = lsp_run(s, STDIN_FILENO);
	lsp_free(s);
	if (rc < 0)
		return cli_error("lsp: cannot read standard input");
	return rc;
}
