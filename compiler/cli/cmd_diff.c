/*
 * cmd_diff.c: `authzc diff [A [B]]`: compare two versions of the policy
 * set, rule by rule and decision by decision (authzc-diff(1), diff.h).
 */
#include <stdlib.h>
#include <string.h>

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
	      "annotation and schema changes, tests added, removed and changed (a weakened\n"
	      "expectation flagged), and every request, from the tests of both versions\n"
	      "and from --replay files, whose decision changes: loosened (deny -> allow)\n"
	      "or tightened (allow -> deny).  First, the behaviour section: every class of\n"
	      "requests the two versions decide differently, found by an SMT solver over\n"
	      "every request the schemas admit, each with a witness request, whether a\n"
	      "test exercises it, and a test to add when none does.\n"
	      "\n"
	      "options:\n"
	      "  --replay FILE      also decide each request of FILE (JSON Lines: requests or\n"
	      "                     'eval --log' records; '-' reads stdin); repeatable\n"
	      "  --format FORMAT    text (default), markdown or json\n"
	      "  --exit-code        exit 1 when anything changed\n"
	      "  --fail-on-untested-loosening\n"
	      "                     exit 1 when the solver finds newly allowed requests no\n"
	      "                     test or replayed request exercises, or cannot decide\n"
	      "  --no-behaviour     skip the solver (the behaviour section)\n"
	      "  --solver-timeout MS  per solver call (default 10000)\n"
	      "  --solver-memory MB   the solver's memory limit (default 4096)\n"
	      "  --max-classes N    classes of changed requests to find before the rest is\n"
	      "                     reported unknown (default 64)\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 compared (no changes with --exit-code), 1 changes found with\n"
	      "--exit-code or untested loosening with --fail-on-untested-loosening, 2 usage\n"
	      "trouble, an unknown revision, or a version that does not compile\n", out);
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

static const char *const formats[] = { "text", "markdown", "json", NULL };

/* A positive number of option `name` into *out, at most `max`. */
static int number_opt(const char *name, const char *v, unsigned max, unsigned *out)
{
	if (!v)
		return EXIT_OK;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || n == 0 || n > max || v[0] == '-')
		return cli_usage_error("diff", "--%s wants a number from 1 to %u, not '%s'", name, max, v);
	*out = (unsigned)n;
	return EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
	const char *dir = NULL, *replay_v[DIFF_MAX_REPLAY];
	struct opt_list replay = { replay_v, 0, DIFF_MAX_REPLAY };
	int format = DIFF_TEXT;
	bool exit_code = false, no_behaviour = false, fail_untested = false;
	const char *timeout = NULL, *memory = NULL, *max_classes = NULL;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", &format, formats),
		OPT_LIST(0, "replay", &replay),
		OPT_FLAG(0, "exit-code", &exit_code),
		OPT_FLAG(0, "no-behaviour", &no_behaviour),
		OPT_FLAG(0, "fail-on-untested-loosening", &fail_untested),
		OPT_VALUE(0, "solver-timeout", &timeout),
		OPT_VALUE(0, "solver-memory", &memory),
		OPT_VALUE(0, "max-classes", &max_classes),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 2, diff_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (replay.n > DIFF_MAX_REPLAY)
		return cli_usage_error("diff", "more than %d replay files", DIFF_MAX_REPLAY);
	struct sym_opts so = SYM_OPTS_DEFAULT;
	if ((code = number_opt("solver-timeout", timeout, 3600000, &so.timeout_ms)) != EXIT_OK ||
	    (code = number_opt("solver-memory", memory, 1u << 20, &so.memory_mb)) != EXIT_OK ||
	    (code = number_opt("max-classes", max_classes, 100000, &so.max_classes)) != EXIT_OK)
		return code;
	if (no_behaviour && fail_untested)
		return cli_usage_error("diff", "--fail-on-untested-loosening needs the behaviour section: "
				       "drop --no-behaviour");
	if ((code = cli_chdir(dir)) != EXIT_OK)
		return code;
	const char *a = args.noperands > 0 ? args.operands[0] : "HEAD";
	const char *b = args.noperands > 1 ? args.operands[1] : NULL;

	struct gitx g;
	struct diff_side old = { 0 }, new = { 0 };
	struct arena arena = ARENA_INIT;
	if ((code = cli_open_repo(&g)) != EXIT_OK)
		goto done;
	if ((code = load_side(&old, &g, a)) != EXIT_OK || (code = load_side(&new, &g, b)) != EXIT_OK)
		goto done;
	struct diff_report r;
	diff_report_init(&r, &arena, &old, &new);
	diff_sources(&r, &old, &new);
	struct diff_impact_state *s = diff_impact_begin(&r, &old, &new);
	diff_impact_tests(s, &new);
	diff_impact_tests(s, &old);
	char err[512];
	for (size_t i = 0; i < replay.n && code == EXIT_OK; i++)
		if (diff_impact_replay(s, replay.v[i], err, sizeof err) < 0)
			code = cli_error("%s", err);
	diff_impact_end(s);
	if (code != EXIT_OK)
		goto done;
	if (!no_behaviour && diff_behaviour(&r, &old, &new, &so, err, sizeof err) < 0) {
		code = cli_error("%s", err);
		goto done;
	}
	if (diff_render(stdout, &r, format) < 0) {
		code = cli_error("out of memory");
		goto done;
	}
	code = exit_code && diff_report_changed(&r) ? EXIT_FAIL : EXIT_OK;
	if (fail_untested && (r.untested_loosened || r.sym.nunknown)) {
		fprintf(stderr, "authzc: %zu untested %s of newly allowed requests, %zu unknown: failing as "
			"--fail-on-untested-loosening asks\n", r.untested_loosened,
			r.untested_loosened == 1 ? "class" : "classes", r.sym.nunknown);
		code = EXIT_FAIL;
	}
done:
	diff_side_release(&old);
	diff_side_release(&new);
	arena_free(&arena);
	gitx_close(&g);
	return code;
}
