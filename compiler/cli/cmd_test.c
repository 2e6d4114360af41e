/*
 * cmd_test.c: `authzc test`: compile the project, run its tests through
 * libauthz, report the results and, with --coverage, what the tests cover
 * (authzc-test(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "codegen.h"
#include "coverage.h"
#include "fileio.h"
#include "project.h"
#include "testrun.h"

enum test_format { TF_TEXT, TF_JSON, TF_JUNIT };

struct test_opts {
	const char *run, *out, *dir;
	const char *cov_json, *cov_html, *lcov;
	enum test_format format;
	bool coverage;
	bool has_min;
	double min;
};

static void test_usage(FILE *out)
{
	fputs("usage: authzc test [--run REGEX] [--format text|json|junit] [-o FILE] [-C DIR]\n"
	      "                   [--coverage] [--min-coverage N] [--coverage-json FILE]\n"
	      "                   [--coverage-html DIR] [--lcov FILE]\n"
	      "\n"
	      "Compile the project and run its tests through the runtime; report each\n"
	      "failing test with the reason for its decision, then 'N passed, N failed'.\n"
	      "\n"
	      "options:\n"
	      "  --run REGEX          run only the tests whose name matches (POSIX ERE)\n"
	      "  --format FORMAT      text (default), json or junit\n"
	      "  -o, --output FILE    write the report to FILE instead of stdout\n"
	      "  --coverage           measure rules fired, deny paths and guards\n"
	      "  --min-coverage N     fail under N% guard coverage (implies --coverage;\n"
	      "                       default: gates.min_guard_coverage of authzc.json)\n"
	      "  --coverage-json FILE write coverage per rule and guard as JSON\n"
	      "  --coverage-html DIR  write the policy sources annotated with coverage\n"
	      "  --lcov FILE          write coverage as an lcov tracefile\n"
	      "  -C DIR               run as if started in DIR\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "The coverage options imply --coverage.\n"
	      "\n"
	      "exit status: 0 every test passed (and coverage met its bar), 1 a test\n"
	      "failed, coverage is under its bar or the project does not compile,\n"
	      "2 usage, file or output trouble\n", out);
}

static int parse_args(int argc, char **argv, struct test_opts *o)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "coverage", no_argument, NULL, 'c' },
		{ "min-coverage", required_argument, NULL, 'm' },
		{ "coverage-json", required_argument, NULL, 'j' },
		{ "coverage-html", required_argument, NULL, 'H' },
		{ "lcov", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	char *end;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:o:C:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': o->run = optarg; break;
		case 'o': o->out = optarg; break;
		case 'C': o->dir = optarg; break;
		case 'c': o->coverage = true; break;
		case 'j': o->cov_json = optarg; o->coverage = true; break;
		case 'H': o->cov_html = optarg; o->coverage = true; break;
		case 'l': o->lcov = optarg; o->coverage = true; break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = TF_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = TF_JSON;
			else if (!strcmp(optarg, "junit"))
				o->format = TF_JUNIT;
			else
				return cli_usage_error("test", "unknown format '%s' (text, json or junit)", optarg);
			break;
		case 'm':
			errno = 0;
			o->min = strtod(optarg, &end);
			if (end == optarg || *end || errno || !isfinite(o->min) || o->min < 0 || o->min > 100)
				return cli_usage_error("test", "--min-coverage '%s' is not a percentage from 0 to 100",
						       optarg);
			o->has_min = o->coverage = true;
			break;
		case 'h':
			test_usage(stdout);
			return -1;
		case ':':
			return cli_usage_error("test", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("test", "unknown option '-%c'", optopt);
			return cli_usage_error("test", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("test", "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

/* Compile c's project into a loaded bundle.  Prints diagnostics (warnings
 * too) as `check` does; EXIT_OK, EXIT_FAIL (errors) or EXIT_TROUBLE. */
static int compile(struct compilation *c, struct source_tree *tree, authz_bundle **b)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t errors = compilation_run(c, tree);
	if (!errors)
		errors = codegen_bundle(c, "", &buf, &len);
	int code = check_report_text(c, errors != 0);
	if (errors && code == EXIT_OK)
		code = EXIT_FAIL;
	if (code != EXIT_OK) {
		free(buf);
		return code;
	}
	authz_error err;
	int rc = authz_bundle_load(b, buf, len, &err);
	free(buf);
	if (rc < 0)
		return cli_error("cannot load the compiled bundle: %s", err.message);
	return EXIT_OK;
}

/* Write the coverage files asked for; false on trouble (reported). */
static bool write_coverage(const struct test_opts *o, const struct coverage *cov)
{
	bool ok = true;
	const char *path[2] = { o->cov_json, o->lcov };
	for (int i = 0; i < 2; i++) {
		if (!path[i])
			continue;
		struct rbuf b = { 0 };
		if (i == 0) {
			coverage_json(cov, &b);
			rbuf_puts(&b, "\n");
		} else {
			coverage_lcov(cov, &b);
		}
		if (b.oom) {
			ok = false;
			cli_error("out of memory");
		} else if (rbuf_write(&b, path[i]) < 0) {
			ok = false;
			cli_error("cannot write '%s': %s", path[i],
				  errno == ENOENT ? "no such folder" : fileio_reason(errno));
		}
		rbuf_free(&b);
	}
	char msg[512];
	if (o->cov_html && coverage_html(cov, o->cov_html, msg, sizeof msg) < 0) {
		ok = false;
		cli_error("%s", msg);
	}
	return ok;
}

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
	if (o->run && !run.n)
		fprintf(stderr, "authzc test: no test name matches '%s'\n", o->run);

	struct rbuf rep = { 0 };
	const struct coverage *cp = o->coverage ? &cov : NULL;
	if (o->format == TF_TEXT)
		testrun_text(c, &run, cp, &rep);
	else if (o->format == TF_JSON)
		testrun_json(c, &run, cp, &rep);
	else
		testrun_junit(c, &run, &rep);
	int code = run.failed ? EXIT_FAIL : EXIT_OK;
	if (rep.oom) {
		code = cli_error("out of memory");
	} else if (rbuf_write(&rep, o->out) < 0) {
		code = o->out ? cli_error("cannot write '%s': %s", o->out,
					  errno == ENOENT ? "no such folder" : fileio_reason(errno))
			       : EXIT_TROUBLE;
	}
	rbuf_free(&rep);
	if (!o->coverage)
		return code;
	if (o->format == TF_JUNIT) {   /* the XML has no place for it */
		struct rbuf t = { 0 };
		coverage_text(&cov, &t);
		if (t.p)
			fputs(t.p, stderr);
		rbuf_free(&t);
	}
	if (!write_coverage(o, &cov))
		code = EXIT_TROUBLE;
	double min = o->has_min ? o->min : c->config.min_guard_coverage;
	if (coverage_under(&cov, min)) {
		struct cov_count k[COV_NMEASURES];
		coverage_counts(&cov, k);
		fprintf(stderr, "authzc test: guard coverage %.1f%% is under the required %g%%\n",
			coverage_percent(k[COV_GUARDS]), min);
		if (code == EXIT_OK)
			code = EXIT_FAIL;
	}
	return code;
}

int cmd_test(int argc, char **argv)
{
	struct test_opts o = { .format = TF_TEXT };
	int code = parse_args(argc, argv, &o);
	if (code < 0)
		return EXIT_OK;         /* --help */
	if (code != EXIT_OK)
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
	if (o.dir && chdir(o.dir) != 0) {
		code = cli_error("cannot change to '%s': %s", o.dir, strerror(errno));
		goto out_re;
	}
	struct compilation c;
	struct source_tree tree;
	if (project_open(&c, &tree) < 0) {
		code = cli_error("cannot find the project root: %s", strerror(errno));
		goto out_re;
	}
	authz_bundle *b = NULL;
	code = compile(&c, &tree, &b);
	if (code == EXIT_OK)
		code = run_tests(&c, b, &o, o.run ? &re : NULL);
	authz_bundle_free(b);
	compilation_release(&c);
out_re:
	if (o.run)
		regfree(&re);
	return code;
}
