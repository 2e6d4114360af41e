/*
 * cmd_promote.c: `authzc promote ENV`: move an environment to a new
 * version through its gates (authzc-promote(1), promote.h).
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "promote.h"

static void promote_usage(FILE *out)
{
	fputs("usage: authzc promote [--from REV|ENV] [--ticket ID] [--dry-run] ENV\n"
	      "\n"
	      "Move environment ENV (its ref <env_ref_prefix>ENV) to a new commit, through\n"
	      "every gate in order: the source is reachable from the previous environment,\n"
	      "the move is a fast-forward, and the source commit's own tree compiles, passes\n"
	      "its tests and reaches gates.min_guard_coverage.  The ref is moved with\n"
	      "compare-and-swap and a reflog entry, then the annotated tag authzc/ENV/N\n"
	      "records the evidence as JSON.\n"
	      "\n"
	      "options:\n"
	      "  --from REV|ENV   the version to promote (default: the previous\n"
	      "                   environment's commit; HEAD for the first environment)\n"
	      "  --ticket ID      the change ticket, kept in the record\n"
	      "  -n, --dry-run    run every gate, write nothing\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 promoted (or already there, or a dry run passed), 1 a gate\n"
	      "refused (nothing changed), 2 usage or repository trouble\n", out);
}

/* Print what promote_run found: the outcome on stdout, a refusal or
 * trouble on stderr; returns the exit code. */
static int report(const struct promote_opts *o, const struct promote_result *r)
{
	const char *verb = o->rollback ? "rollback" : "promote";
	switch (r->outcome) {
	case PROMOTE_MOVED:
		printf("%s '%s' %s -> %s (record %s)\n", o->rollback ? "rolled back" : "promoted",
		       o->env, r->from, r->to, r->record);
		return EXIT_OK;
	case PROMOTE_UNCHANGED:
		printf("'%s' is already at %s; nothing to do\n", o->env, r->to);
		return EXIT_OK;
	case PROMOTE_DRY_RUN:
		printf("would %s '%s' from %s to %s: every gate passed (tests %zu/%zu, "
		       "guard coverage %.1f%%, bundle %s)\n", o->rollback ? "roll back" : "promote",
		       o->env, r->from, r->to, r->ev.tests_passed, r->ev.tests_run, r->ev.coverage,
		       r->ev.bundle);
		return EXIT_OK;
	case PROMOTE_REFUSED:
		if (r->has_failed)
			check_report_text(r->failed.c, true);
		fprintf(stderr, "authzc: %s refused by gate '%s': %s\nnothing was changed\n", verb,
			r->gate, r->why);
		return EXIT_FAIL;
	case PROMOTE_NO_RECORD:
		break;
	}
	return cli_error("'%s' was moved to %s but its record could not be written: %s "
			 "(the reflog of '%s' holds the move)", o->env, r->to, r->why, r->refname);
}

int promote_command(const char *dir, const struct promote_opts *o)
{
	if (dir && chdir(dir) != 0)
		return cli_error("cannot change to '%s': %s", dir, strerror(errno));
	struct gitx g;
	int code;
	if (gitx_open(&g) < 0) {
		if (g.cfg.diags.n)
			check_report_text(&g.cfg, false);
		code = cli_error("%s", g.msg);
	} else {
		struct promote_result r;
		if (promote_run(&r, &g, o) < 0)
			code = cli_error("%s", g.msg);
		else
			code = report(o, &r);
		promote_result_release(&r);
	}
	gitx_close(&g);
	return code;
}

int cmd_promote(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "ticket", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct promote_opts o = { 0 };
	const char *dir = NULL;
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":C:nh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o.from = optarg;
			break;
		case 't':
			o.ticket = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			promote_usage(stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error("promote", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("promote", "unknown option '-%c'", optopt);
			return cli_usage_error("promote", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("promote", "which environment? (authzc promote ENV)");
	if (argc - optind > 1)
		return cli_usage_error("promote", "unexpected argument '%s'", argv[optind + 1]);
	o.env = argv[optind];
	return promote_command(dir, &o);
}
