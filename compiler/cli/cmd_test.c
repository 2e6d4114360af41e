/*
 * cmd_test.c: `authzc test`: compile the project, run its tests through
 * libauthz, report the results and, with --coverage, what the tests cover
 * (authzc-test(1)).
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "coverage.h"
#include "fileio.h"
#include "fmt.h"
#include "project.h"
#include "sym_assert.h"
#include "sym_suggest.h"
#include "testrun.h"

enum test_format { TF_TEXT, TF_JSON, TF_JUNIT };

struct test_opts {
	const char *run, *out, *dir;
	const char *cov_json, *cov_html, *lcov;
	const char *suggest;    /* --suggest FILE */
	enum test_format format;
	bool coverage;
	bool has_min;
	double min;
	unsigned solver_ms;     /* per solver call of an assertion */
	unsigned suggest_ms;    /* --suggest-timeout: the whole of --suggest */
};

static void test_usage(FILE *out)
{
	fputs("usage: authzc test [--run REGEX] [--format text|json|junit] [-o FILE] [-C DIR]\n"
	      "                   [--coverage] [--min-coverage N] [--coverage-json FILE]\n"
	      "                   [--coverage-html DIR] [--lcov FILE] [--suggest FILE]\n"
	      "                   [--suggest-timeout MS] [--solver-timeout MS]\n"
	      "\n"
	      "Compile the project and run its tests through the runtime and prove its\n"
	      "assertions for every request; report each failing test with the reason\n"
	      "for its decision, each violated assertion with a counterexample, then\n"
	      "'N passed, N failed'.\n"
	      "\n"
	      "options:\n"
	      "  --run REGEX          run only the tests and assertions whose name matches\n"
	      "                       (POSIX ERE)\n"
	      "  --format FORMAT      text (default), json or junit\n"
	      "  -o, --output FILE    write the report to FILE instead of stdout\n"
	      "  --coverage           measure rules fired, deny paths and guards\n"
	      "  --min-coverage N     fail under N% guard coverage (implies --coverage;\n"
	      "                       default: gates.min_guard_coverage of authzc.json)\n"
	      "  --coverage-json FILE write coverage per rule and guard as JSON\n"
	      "  --coverage-html DIR  write the policy sources annotated with coverage\n"
	      "  --lcov FILE          write coverage as an lcov tracefile\n"
	      "  --suggest FILE       write a test file that covers what the tests leave\n"
	      "                       uncovered (never over an existing file); report\n"
	      "                       what no test can cover, and why\n"
	      "  --suggest-timeout MS the whole of --suggest (default 120000); what is\n"
	      "                       not settled by then is reported as such\n"
	      "  --solver-timeout MS  per solver call of an assertion or a suggestion\n"
	      "                       (default 10000); a solver that gives up fails the\n"
	      "                       assertion\n"
	      "  -C DIR               run as if started in DIR\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "The coverage options and --suggest imply --coverage.\n"
	      "\n"
	      "exit status: 0 every test passed (and coverage met its bar), 1 a test\n"
	      "failed, the project has no tests, coverage is under its bar or the\n"
	      "project does not compile, 2 usage, file or output trouble\n", out);
}

static const char *const formats[] = { "text", "json", "junit", NULL };

/* Milliseconds from 1 to 3600000 in s, or 0 when s is not that. */
static unsigned parse_ms(const char *s)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	return !*s || *end || errno || n == 0 || n > 3600000 || s[0] == '-' ? 0 : (unsigned)n;
}

/* Parse the command line into o: CLI_RUN, or the exit code to return. */
static int parse_args(int argc, char **argv, struct test_opts *o)
{
	const char *min = NULL, *solver = NULL, *budget = NULL;
	int format = TF_TEXT;
	const struct opt opts[] = {
		OPT_VALUE(0, "run", &o->run),
		OPT_CHOICE(0, "format", &format, formats),
		OPT_VALUE('o', "output", &o->out),
		OPT_FLAG(0, "coverage", &o->coverage),
		OPT_VALUE(0, "min-coverage", &min),
		OPT_VALUE(0, "coverage-json", &o->cov_json),
		OPT_VALUE(0, "coverage-html", &o->cov_html),
		OPT_VALUE(0, "lcov", &o->lcov),
		OPT_VALUE(0, "suggest", &o->suggest),
		OPT_VALUE(0, "solver-timeout", &solver),
		OPT_VALUE(0, "suggest-timeout", &budget),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 0, test_usage, &o->dir);
	if (code != CLI_RUN)
		return code;
	o->format = format;
	if (min) {
		char *end;
		errno = 0;
		o->min = strtod(min, &end);
		if (end == min || *end || errno || !isfinite(o->min) || o->min < 0 || o->min > 100)
			return cli_usage_error("test", "--min-coverage '%s' is not a percentage from 0 to 100",
					       min);
		o->has_min = true;
	}
	if (solver && !(o->solver_ms = parse_ms(solver)))
		return cli_usage_error("test", "--solver-timeout wants milliseconds from 1 to 3600000, not '%s'",
				       solver);
	if (budget && !(o->suggest_ms = parse_ms(budget)))
		return cli_usage_error("test", "--suggest-timeout wants milliseconds from 1 to 3600000, not '%s'",
				       budget);
	if (budget && !o->suggest)
		return cli_usage_error("test", "--suggest-timeout bounds --suggest: give --suggest FILE too");
	/* Every coverage option implies --coverage. */
	o->coverage = o->coverage || o->has_min || o->cov_json || o->cov_html || o->lcov || o->suggest;
	return CLI_RUN;
}

/* Write the coverage files asked for; false on trouble (reported). */
static bool write_coverage(const struct test_opts *o, const struct coverage *cov)
{
	bool ok = true;
	const char *path[2] = { o->cov_json, o->lcov };
	for (int i = 0; i < 2; i++) {
		if (!path[i])
			continue;
		struct buf b = BUF_INIT;
		if (i == 0) {
			coverage_json(cov, &b);
			buf_puts(&b, "\n");
		} else {
			coverage_lcov(cov, &b);
		}
		if (b.oom) {
			ok = false;
			cli_error("out of memory");
		} else if (report_save(&b, path[i]) < 0) {
			ok = false;
			cli_error("cannot write '%s': %s", path[i],
				  errno == ENOENT ? "no such folder" : fileio_reason(errno));
		}
		buf_release(&b);
	}
	char msg[512];
	if (o->cov_html && coverage_html(cov, o->cov_html, msg, sizeof msg) < 0) {
		ok = false;
		cli_error("%s", msg);
	}
	return ok;
}

/* "policies/a.authz:9:8: a.read: guard 2 (principal.mfa)": where item s
 * is and what it is, into b. */
static void item_where(struct compilation *c, const struct coverage *cov, const struct sym_suggestion *s,
		       struct buf *b)
{
	const struct cov_rule *cr = &cov->rules[s->rule];
	const struct src_file *f = srcset_file(&c->src, cr->rule->rule->effect_span.file);
	bool guard = s->measure == COV_GUARDS;
	buf_printf(b, "%s:%u:%u: %s: ", f ? f->name : "?", guard ? cr->guards[s->guard].line : cr->line,
		   guard ? cr->guards[s->guard].col : cr->col, cr->rule->id);
	if (!guard) {
		buf_puts(b, s->measure == COV_FIRED ? "rule" : "deny path");
		return;
	}
	buf_printf(b, "guard %zu (%s", s->guard + 1, cr->guards[s->guard].guard->is_unless ? "unless " : "");
	coverage_guard_text(cov, &cr->guards[s->guard], b);
	buf_putc(b, ')');
}

/* What the suggestions did not write, on stderr: the items no test can
 * cover, then those the solver did not settle, each with the reason; the
 * items the budget did not reach in one line. */
static void report_unsuggested(struct compilation *c, const struct coverage *cov, const struct sym_suggest *sg)
{
	const enum sug_state states[2] = { SUG_NEVER, SUG_UNKNOWN };
	const char *heads[2] = { "cannot be covered:\n", "not settled:\n" };
	for (int k = 0; k < 2; k++) {
		bool head = false;
		for (size_t i = 0; i < sg->n; i++) {
			if (sg->items[i].state != states[k] || sg->items[i].unreached)
				continue;
			struct buf b = BUF_INIT;
			item_where(c, cov, &sg->items[i], &b);
			fprintf(stderr, "%s  %s: %s\n", head ? "" : heads[k], buf_cstr(&b), sg->items[i].reason);
			head = true;
			buf_release(&b);
		}
	}
	for (size_t i = 0; sg->nunreached && i < sg->n; i++)
		if (sg->items[i].unreached) {
			fprintf(stderr, "%s  %zu item%s (the first: %s): the suggestions' budget ran out before "
				"%s settled; raise --suggest-timeout\n",
				sg->nunknown > sg->nunreached ? "" : "not settled:\n", sg->nunreached,
				sg->nunreached == 1 ? "" : "s", sg->items[i].label,
				sg->nunreached == 1 ? "it was" : "they were");
			break;
		}
}

/* `text` as `authzc fmt` writes it (in c's arena), or NULL when it does
 * not format (an internal error). */
static const char *formatted(struct compilation *c, const char *text, const char *path)
{
	struct srcset src;
	struct diag_list diags;
	srcset_init(&src, &c->arena);
	diag_list_init(&diags, &c->arena);
	uint32_t id = srcset_add(&src, path, text, strlen(text));
	char *out;
	size_t len;
	return fmt_source(&c->arena, &src, id, &diags, &out, &len) == FMT_OK ? out : NULL;
}

/* Create `path` (never over an existing file) holding `text`: 0, or -1
 * with errno. */
static int create_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");
	if (!f)
		return -1;
	size_t n = strlen(text);
	int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
	int e = errno;
	if (fclose(f) != 0 && rc == 0)
		return -1;
	errno = e;
	return rc;
}

/* --suggest: tests for what the tests left uncovered, written to `path`;
 * what cannot be covered reported with the reason.  False on trouble
 * (reported). */
static bool write_suggestions(struct compilation *c, const authz_bundle *b, const struct coverage *cov,
			      const struct sym_opts *so, const char *path)
{
	struct sym_suggest sg;
	char msg[512];
	if (sym_suggest_run(c, b, cov, so, &sg, msg, sizeof msg) < 0) {
		cli_error("%s", msg);
		return false;
	}
	if (!sg.n) {
		fputs("suggested tests: none, every item is covered\n", stderr);
		return true;
	}
	if (sg.nwritten) {
		const char *text = formatted(c, sym_suggest_file(c, &sg), path);
		if (!text) {
			cli_error("internal error: the suggested tests do not format (please report it)");
			return false;
		}
		if (create_file(path, text) < 0) {
			cli_error("cannot write '%s': %s", path, errno == EEXIST ? "it exists (not overwritten)"
				  : errno == ENOENT ? "no such folder" : fileio_reason(errno));
			return false;
		}
	}
	size_t len = strlen(path), suffix = strlen("_test.authz");
	if (sg.nwritten && (len < suffix || strcmp(path + len - suffix, "_test.authz")))
		fprintf(stderr, "note: '%s' is not named *_test.authz: the project's tests will not include it\n",
			path);
	if (sg.nwritten)
		fprintf(stderr, "suggested tests: %zu written to '%s', covering %zu of %zu uncovered items\n",
			sg.nwritten, path, sg.nwritten + sg.nalso, sg.n);
	else
		fprintf(stderr, "suggested tests: none written for the %zu uncovered items\n",
			sg.n);
	report_unsuggested(c, cov, &sg);
	return true;
}

/* Write a report to `path` (atomically), or to stdout when path is NULL.
 * 0, or -1 with errno. */
static int write_report(const struct buf *b, const char *path)
{
	if (path)
		return report_save(b, path);
	if (b->n && fwrite(b->p, 1, b->n, stdout) != b->n)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

/* Run the tests, write the report and the coverage files; the exit code.
 * Besides the tests, the exit status answers to two gates, shown in JUnit
 * XML as test cases of their own: the project has tests, and (with
 * coverage) guard coverage meets its bar. */
static int run_tests(struct compilation *c, const authz_bundle *b, const struct test_opts *o,
		     const regex_t *select)
{
	struct coverage cov;
	if (o->coverage)
		coverage_init(&cov, c);
	struct testrun run;
	char msg[512];
	if (testrun_run(c, b, select, o->coverage ? &cov : NULL, &run, msg, sizeof msg) < 0)
		return cli_error("%s", msg);
	struct sym_opts so = SYM_OPTS_DEFAULT;
	if (o->solver_ms)
		so.timeout_ms = o->solver_ms;
	if (o->suggest_ms)
		so.suggest_ms = o->suggest_ms;
	if (sym_assert_run(c, b, &so, &run, msg, sizeof msg) < 0)
		return cli_error("%s", msg);
	bool no_tests = !c->checked->ntests && !c->checked->nasserts;
	if (o->run && !run.n && !run.nasserts && !no_tests)
		fprintf(stderr, "authzc test: no test name matches '%s'\n", o->run);

	struct testrun_gate gates[2];
	size_t ngates = 0;
	if (no_tests)
		gates[ngates++] = (struct testrun_gate){ "authzc.tests", "has-tests",
							 "the project has no tests", NULL };
	double min = o->has_min ? o->min : c->config.min_guard_coverage;
	bool under = o->coverage && coverage_under(&cov, min);
	char under_why[128];
	/* The coverage report as text: in the failing JUnit test case, and on
	 * stderr beside JUnit XML. */
	struct buf cov_text = BUF_INIT;
	if (under || (o->coverage && o->format == TF_JUNIT))
		coverage_text(&cov, &cov_text);
	if (under) {
		struct cov_count k[COV_NMEASURES];
		coverage_counts(&cov, k);
		snprintf(under_why, sizeof under_why, "guard coverage %.1f%% is under the required %g%%",
			 coverage_percent(k[COV_GUARDS]), min);
	}
	if (o->coverage)
		gates[ngates++] = (struct testrun_gate){ "authzc.coverage", "min-coverage",
							 under ? under_why : NULL,
							 under ? buf_cstr(&cov_text) : NULL };

	struct buf rep = BUF_INIT;
	const struct coverage *cp = o->coverage ? &cov : NULL;
	if (o->format == TF_TEXT)
		testrun_text(c, &run, cp, &rep);
	else if (o->format == TF_JSON)
		testrun_json(c, &run, cp, &rep);
	else
		testrun_junit(c, &run, gates, ngates, &rep);
	int code = run.failed || no_tests ? EXIT_FAIL : EXIT_OK;
	if (rep.oom || cov_text.oom) {
		code = cli_error("out of memory");
	} else if (write_report(&rep, o->out) < 0) {
		code = o->out ? cli_error("cannot write '%s': %s", o->out,
					  errno == ENOENT ? "no such folder" : fileio_reason(errno))
			       : EXIT_TROUBLE;
	}
	buf_release(&rep);
	if (no_tests)
		fputs("authzc test: the project has no tests\n", stderr);
	if (o->coverage && o->format == TF_JUNIT)   /* the XML shows only a failed bar */
		fputs(buf_cstr(&cov_text), stderr);
	buf_release(&cov_text);
	if (!o->coverage)
		return code;
	if (!write_coverage(o, &cov))
		code = EXIT_TROUBLE;
	if (o->suggest && !write_suggestions(c, b, &cov, &so, o->suggest))
		code = EXIT_TROUBLE;
	if (under) {
		fprintf(stderr, "authzc test: %s\n", under_why);
		if (code == EXIT_OK)
			code = EXIT_FAIL;
	}
	return code;
}

int cmd_test(int argc, char **argv)
{
	struct test_opts o = { .format = TF_TEXT, .solver_ms = 0 };
	int code = parse_args(argc, argv, &o);
	if (code != CLI_RUN)
		return code;
	regex_t re;
	if (o.run) {
		int rc = regcomp(&re, o.run, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[256];
			regerror(rc, &re, why, sizeof why);
			return cli_usage_error("test", "bad --run pattern '%s': %s", o.run, why);
		}
	}
	struct compilation c;
	struct source_tree tree;
	if ((code = cli_open_project(&c, &tree, o.dir)) != EXIT_OK)
		goto out_re;
	if (o.suggest && access(o.suggest, F_OK) == 0) {
		code = cli_error("'%s' exists: --suggest never overwrites a file", o.suggest);
		compilation_release(&c);
		goto out_re;
	}
	authz_bundle *b = NULL;
	code = cli_compile_load(&b, &c, &tree);
	if (code == EXIT_OK)
		code = run_tests(&c, b, &o, o.run ? &re : NULL);
	authz_bundle_free(b);
	compilation_release(&c);
out_re:
	if (o.run)
		regfree(&re);
	return code;
}
