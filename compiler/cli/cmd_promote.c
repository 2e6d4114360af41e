/*
 * cmd_promote.c: `authzc promote ENV`: move an environment to a new
 * version through its gates (authzc-promote(1), promote.h).
 */
#include <string.h>

#include "cli.h"
#include "promote.h"

static void promote_usage(FILE *out)
{
	fputs("usage: authzc promote [--from REV|ENV] [--key KEYFILE] [--ticket ID] [--dry-run] ENV\n"
	      "\n"
	      "Move environment ENV (its ref <env_ref_prefix>ENV) to a new commit, through\n"
	      "every gate in order: the source is reachable from the previous environment,\n"
	      "the move is a fast-forward, and the source commit's own tree compiles, passes\n"
	      "its tests and reaches gates.min_guard_coverage; then the gates of\n"
	      "gates.environments.ENV (approvals, require_ticket, min_soak), all read from\n"
	      "what ENV runs now.  The ref is moved with compare-and-swap and a reflog\n"
	      "entry, then the annotated tag authzc/ENV/N records the evidence as JSON,\n"
	      "chained to the previous record and signed with --key.\n"
	      "\n"
	      "options:\n"
	      "  --from REV|ENV   the version to promote (default: the previous\n"
	      "                   environment's commit; HEAD for the first environment)\n"
	      "  --key KEYFILE    the promoter's promote key (authzc keygen): signs the\n"
	      "                   record; required when trusted_keys has promote keys\n"
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
		printf("%s '%s' %s -> %s (record %s, %s%s", o->rollback ? "rolled back" : "promoted",
		       o->env, r->from, r->to, r->record, r->ev.signer ? "signed by " : "unsigned",
		       r->ev.signer ? r->ev.signer : "");
		if (r->ev.valid)
			printf(", %zu approval%s", r->ev.valid, r->ev.valid == 1 ? "" : "s");
		printf(")\n");
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

int promote_args(int argc, char **argv, struct promote_opts *o, struct opt own,
		 void (*usage)(FILE *out), const char **dir)
{
	const struct opt opts[] = {
		own,
		OPT_VALUE(0, "ticket", &o->ticket),
		OPT_VALUE(0, "key", &o->key),
		OPT_FLAG('n', "dry-run", &o->dry_run),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 1, usage, dir);
	if (code != CLI_RUN)
		return code;
	if (!args.noperands)
		return cli_usage_error(argv[0], "which environment? (authzc %s ENV)", argv[0]);
	o->env = args.operands[0];
	return CLI_RUN;
}

int promote_command(const char *dir, const struct promote_opts *o)
{
	int code = cli_chdir(dir);
	if (code != EXIT_OK)
		return code;
	struct gitx g;
	if ((code = cli_open_repo(&g)) == EXIT_OK) {
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
	struct promote_opts o = { 0 };
	const char *dir = NULL;
	int code = promote_args(argc, argv, &o, (struct opt)OPT_VALUE(0, "from", &o.from),
				promote_usage, &dir);
	if (code != CLI_RUN)
		return code;
	return promote_command(dir, &o);
}
