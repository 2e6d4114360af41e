/*
 * test_opt.c: the option parser of every command (opt.h): options before
 * and after operands, '--', the forms of a value, repeated options, and
 * each error it returns.  The messages the commands print for them are
 * covered by tests/cli/cases (options-syntax, *-options-after, *-bad-usage).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "opt.h"

/* Where the options of a command line like eval's go. */
static struct {
	bool explain, dry_run;
	const char *bundle, *dir, *log, *log_level;
	int format;
	const char *replay_v[2];
	struct opt_list replay;
} f;

static const char *const formats[] = { "text", "json", "sarif", NULL };

static const struct opt opts[] = {
	OPT_VALUE('b', "bundle", &f.bundle),
	OPT_FLAG(0, "explain", &f.explain),
	OPT_FLAG('n', "dry-run", &f.dry_run),
	OPT_VALUE(0, "log", &f.log),
	OPT_VALUE(0, "log-level", &f.log_level),
	OPT_CHOICE(0, "format", &f.format, formats),
	OPT_LIST(0, "replay", &f.replay),
	OPT_VALUE('C', NULL, &f.dir),
	OPT_STOP('h', "help"),
	OPT_END,
};

static struct opt_result r;

/* "cmd" and the arguments given, NULL-terminated. */
#define ARGS(...) ((char *[]){ "cmd", __VA_ARGS__, NULL })

/* Parse the NULL-terminated argv against `opts`, from a clean fixture. */
static enum opt_status parse(int max_operands, unsigned flags, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(&f, 0, sizeof f);
	f.replay = (struct opt_list){ f.replay_v, 0, 2 };
	return opt_parse(&r, argc, argv, opts, max_operands, flags);
}

static void expect_operands(int n, const char *const *want)
{
	cr_assert_eq(r.noperands, n);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(r.operands[i], want[i]);
}

Test(opt, options_after_operands)
{
	char **argv = ARGS("req.json", "--explain", "-b", "b.authzb", "more.json");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert(f.explain);
	cr_assert_str_eq(f.bundle, "b.authzb");
	expect_operands(2, (const char *[]){ "req.json", "more.json" });
	cr_assert_eq(r.operands, argv + 1);
}

Test(opt, in_order_stops_at_the_first_operand)
{
	char **argv = ARGS("-C", "dir", "check", "--explain", "x");
	cr_assert_eq(parse(-1, OPT_IN_ORDER, argv), OPT_OK);
	cr_assert_str_eq(f.dir, "dir");
	cr_assert(!f.explain);
	expect_operands(3, (const char *[]){ "check", "--explain", "x" });
}

Test(opt, double_dash_ends_options)
{
	char **argv = ARGS("a", "--", "-x", "--explain", "--");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert(!f.explain);
	expect_operands(4, (const char *[]){ "a", "-x", "--explain", "--" });
}

Test(opt, lone_dash_is_an_operand)
{
	char **argv = ARGS("-", "--explain", "-");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert(f.explain);
	expect_operands(2, (const char *[]){ "-", "-" });
}

Test(opt, value_forms)
{
	char **argv = ARGS("--log=a.log", "--bundle", "b1", "-Cdir", "--format=json");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert_str_eq(f.log, "a.log");
	cr_assert_str_eq(f.bundle, "b1");
	cr_assert_str_eq(f.dir, "dir");
	cr_assert_eq(f.format, 1);
	cr_assert_eq(r.noperands, 0);
}

Test(opt, empty_value)
{
	char **argv = ARGS("--log=", "-b", "");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert_str_eq(f.log, "");
	cr_assert_str_eq(f.bundle, "");
}

Test(opt, grouped_short_options)
{
	char **argv = ARGS("-nC", "dir", "x", "-nbfile");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert(f.dry_run);
	cr_assert_str_eq(f.dir, "dir");
	cr_assert_str_eq(f.bundle, "file");
	expect_operands(1, (const char *[]){ "x" });
}

Test(opt, value_that_looks_like_an_option)
{
	char **argv = ARGS("--log", "--explain", "-b", "--", "-C", "-x");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert_str_eq(f.log, "--explain");
	cr_assert(!f.explain);
	cr_assert_str_eq(f.bundle, "--");
	cr_assert_str_eq(f.dir, "-x");
	cr_assert_eq(r.noperands, 0);
}

Test(opt, repeated_value_last_wins)
{
	char **argv = ARGS("-b", "one", "x", "--bundle=two", "--format", "sarif", "--format", "text");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert_str_eq(f.bundle, "two");
	cr_assert_eq(f.format, 0);
}

Test(opt, repeated_list_keeps_each_and_counts_past_cap)
{
	char **argv = ARGS("--replay", "a", "--replay=b", "c", "--replay", "d");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert_eq(f.replay.n, 3);
	cr_assert_str_eq(f.replay.v[0], "a");
	cr_assert_str_eq(f.replay.v[1], "b");
	expect_operands(1, (const char *[]){ "c" });
}

Test(opt, repeated_flag)
{
	char **argv = ARGS("--explain", "--explain", "-nn");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert(f.explain && f.dry_run);
}

Test(opt, unique_prefix)
{
	char **argv = ARGS("--exp", "--form=json", "--dry");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert(f.explain && f.dry_run);
	cr_assert_eq(f.format, 1);
}

Test(opt, exact_name_wins_over_longer_ones)
{
	char **argv = ARGS("--log", "a");
	cr_assert_eq(parse(-1, 0, argv), OPT_OK);
	cr_assert_str_eq(f.log, "a");
	cr_assert_null(f.log_level);
}

Test(opt, stop_option_ends_the_parse)
{
	char **argv = ARGS("--explain", "-h", "--frobnicate");
	cr_assert_eq(parse(-1, 0, argv), OPT_STOPPED);
	cr_assert_eq(r.opt->short_name, 'h');
	cr_assert(f.explain);
}

/* Each error: its status, the argument it names (as written) and the
 * option or value concerned. */
Test(opt, errors)
{
	static const struct {
		char *args[6];
		int max;
		enum opt_status status;
		const char *arg, *opt, *value;
	} cases[] = {
		{ { "x", "--log" }, -1, OPT_EMISSING, "--log", "log", NULL },
		{ { "-b" }, -1, OPT_EMISSING, "-b", "bundle", NULL },
		{ { "-nC" }, -1, OPT_EMISSING, "-C", NULL, NULL },
		{ { "a", "--frobnicate=1", "--help" }, -1, OPT_EUNKNOWN, "--frobnicate=1", NULL, NULL },
		{ { "--frobnicate", "--help" }, -1, OPT_EUNKNOWN, "--frobnicate", NULL, NULL },
		{ { "-nx" }, -1, OPT_EUNKNOWN, "-x", NULL, NULL },
		{ { "--=x" }, -1, OPT_EUNKNOWN, "--=x", NULL, NULL },
		{ { "--lo", "a" }, -1, OPT_EUNKNOWN, "--lo", NULL, NULL },     /* log or log-level */
		{ { "--explain=yes" }, -1, OPT_EUNWANTED, "--explain=yes", "explain", NULL },
		{ { "--format", "xml" }, -1, OPT_ECHOICE, "--format", "format", "xml" },
		{ { "--format", "-x" }, -1, OPT_ECHOICE, "--format", "format", "-x" },
		{ { "env", "--explain", "extra", "more" }, 1, OPT_EOPERAND, "extra", NULL, NULL },
		{ { "--", "x" }, 0, OPT_EOPERAND, "x", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[8] = { "cmd" };
		memcpy(argv + 1, cases[i].args, sizeof cases[i].args);
		enum opt_status st = parse(cases[i].max, 0, argv);
		cr_assert_eq(st, cases[i].status, "case %zu: status %d", i, st);
		cr_assert_eq(r.status, st, "case %zu", i);
		cr_assert_str_eq(r.arg, cases[i].arg, "case %zu", i);
		if (cases[i].opt)
			cr_assert_str_eq(r.opt->long_name, cases[i].opt, "case %zu", i);
		if (cases[i].value)
			cr_assert_str_eq(r.value, cases[i].value, "case %zu", i);
	}
}

Test(opt, error_ends_the_parse)
{
	char **argv = ARGS("--frobnicate", "--explain");
	cr_assert_eq(parse(-1, 0, argv), OPT_EUNKNOWN);
	cr_assert(!f.explain);
}

Test(opt, nothing_but_the_command)
{
	char *argv[] = { "cmd", NULL };
	struct opt none[] = { OPT_END };
	cr_assert_eq(opt_parse(&r, 1, argv, none, 0, 0), OPT_OK);
	cr_assert_eq(r.noperands, 0);
}

/* A table may go on in another (the options every command shares). */
Test(opt, tables_chain)
{
	bool a = false, b = false;
	struct opt own[] = { OPT_FLAG(0, "alpha", &a), OPT_END };
	struct opt shared[] = { OPT_FLAG('b', "beta", &b), OPT_THEN(own) };
	char *argv[] = { "cmd", "--al", "-b", NULL };
	cr_assert_eq(opt_parse(&r, 3, argv, shared, 0, 0), OPT_OK);
	cr_assert(a && b);
	char *argv2[] = { "cmd", "--gamma", NULL };
	cr_assert_eq(opt_parse(&r, 2, argv2, shared, 0, 0), OPT_EUNKNOWN);
}

/* Nothing is kept from one parse to the next (no optind). */
Test(opt, parses_are_independent)
{
	char **argv = ARGS("x", "--log");
	cr_assert_eq(parse(-1, 0, argv), OPT_EMISSING);
	char **again = ARGS("y");
	cr_assert_eq(parse(-1, 0, again), OPT_OK);
	expect_operands(1, (const char *[]){ "y" });
}
