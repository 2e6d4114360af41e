/*
 * cmd_diff.c: `authzc diff [A [B]]`: compare two versions of the policy
 * set, rule by rule and decision by decision (authzc-diff(1), diff.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diff.h"
#include "gitx.h"

/* Most --replay files one run takes. */
#define DIFF_MAX_REPLAY 64

static void diff_usage(FILE *out)
{
	fputs("usage: authzc diff [options] [A [B]]\n"
	      "\n"
	      "Compare two versions of the policy set: git revisions (HEAD~2, a tag, a\n"
	      "branch, a commit id) or environment names (prod).  With A alone, A against\n"
	      "the working tree; with neither, HEAD against the working tree.  Shows rules\n"
	      "added, removed and changed (guard by guard, as formatted source), constant,\n"
	      "annotation and schema changes, and every request, from the tests of both\n"
	      "versions and from --replay files, whose decision changes: loosened\n"
	      "(deny -> allow) or tightened (allow -> deny).\n"
	      "\n"
	      "options:\n"
	      "  --replay FILE      also decide each request of FILE (JSON Lines: requests or\n"
	      "                     'eval --log' records; '-' reads stdin); repeatable\n"
	      "  --format FORMAT    text (default), markdown or json\n"
	      "  --exit-code        exit 1 when anything changed\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 compared (no changes with --exit-code), 1 changes found with\n"
	      "--exit-code, 2 usage trouble, an unknown revision, or a version that does not\n"
	      "compile\n", out);
}

/* Load one side; print why it failed.  Returns an exit code. */
static int load_side(struct diff_side *s, struct gitx *g, const char *spec)
{
	int rc = diff_side_load(s, g, spec);
	if (rc == 0)
		return EXIT_OK;
	if (rc > 0) {
		check_report_text(s->c, true);
		return cli_error("cannot compile %s%s%s", spec ? "'" : "the ", spec ? spec : "working tree",
				 spec ? "'" : "");
	}
	return cli_error("%s", g->msg);
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "replay", required_argument, NULL, 'r' },
		{ "exit-code", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *replay[DIFF_MAX_REPLAY];
	size_t nreplay = 0;
	enum diff_format format = DIFF_TEXT;
	bool exit_code = false;
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":C:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "text"))
				format = DIFF_TEXT;
			else if (!strcmp(optarg, "markdown"))
				format = DIFF_MARKDOWN;
			else if (!strcmp(optarg, "json"))
				format = DIFF_JSON;
			else
				return cli_usage_error("diff", "unknown format '%s' (text, markdown or json)",
						       optarg);
			break;
		case 'r':
			if (nreplay == DIFF_MAX_REPLAY)
				return cli_usage_error("diff", "more than %d replay files",
						       DIFF_MAX_REPLAY);
			replay[nreplay++] = optarg;
			break;
		case 'x':
			exit_code = true;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			diff_usage(stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error("diff", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("diff", "unknown option '-%c'", optopt);
			return cli_usage_error("diff", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 2)
		return cli_usage_error("diff", "unexpected argument '%s'", argv[optind + 2]);
	if (dir && chdir(dir) != 0)
		return cli_error("cannot change to '%s': %s", dir, strerror(errno));
	const char *a = optind < argc ? argv[optind] : "HEAD";
	const char *b = optind + 1 < argc ? argv[optind + 1] : NULL;

	struct gitx g;
	struct diff_side old = { 0 }, new = { 0 };
	struct arena arena = ARENA_INIT;
	int code;
	if (gitx_open(&g) < 0) {
		if (g.cfg.diags.n)
			check_report_text(&g.cfg, false);
		code = cli_error("%s", g.msg);
		goto done;
	}
	if ((code = load_side(&old, &g, a)) != EXIT_OK || (code = load_side(&new, &g, b)) != EXIT_OK)
		goto done;
	struct diff_report r;
	diff_report_init(&r, &arena, &old, &new);
	diff_sources(&r, &old, &new);
	struct diff_impact_state *s = diff_impact_begin(&r, &old, &new);
	diff_impact_tests(s, &new);
	diff_impact_tests(s, &old);
	char err[512];
	for (size_t i = 0; i < nreplay && code == EXIT_OK; i++)
		if (diff_impact_replay(s, replay[i], err, sizeof err) < 0)
			code = cli_error("%s", err);
	diff_impact_end(s);
	if (code != EXIT_OK)
		goto done;
	if (diff_render(stdout, &r, format) < 0) {
		code = cli_error("out of memory");
		goto done;
	}
	code = exit_code && diff_report_changed(&r) ? EXIT_FAIL : EXIT_OK;
done:
	diff_side_release(&old);
	diff_side_release(&new);
	arena_free(&arena);
	gitx_close(&g);
	return code;
}
