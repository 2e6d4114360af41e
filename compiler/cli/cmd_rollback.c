/*
 * cmd_rollback.c: `authzc rollback ENV [--to N]`: move an environment back
 * to a version it had, recorded like a promotion (authzc-rollback(1)).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "promote.h"

static void rollback_usage(FILE *out)
{
	fputs("usage: authzc rollback [--to N] [--key KEYFILE] [--ticket ID] [--dry-run] ENV\n"
	      "\n"
	      "Move environment ENV back to the commit it had before its latest move, or\n"
	      "to the commit of its record N (authzc/ENV/N).  The move is compare-and-swap\n"
	      "with a reflog entry and is recorded like a promotion, with \"kind\":\n"
	      "\"rollback\".  The commit must still compile (the record names its bundle);\n"
	      "its tests and coverage are recorded, not enforced.\n"
	      "\n"
	      "options:\n"
	      "  --to N           go back to the commit of record N\n"
	      "  --key KEYFILE    the promoter's promote key: signs the record; required\n"
	      "                   when trusted_keys has promote keys\n"
	      "  --ticket ID      the change ticket, kept in the record\n"
	      "  -n, --dry-run    check everything, write nothing\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 rolled back (or already there, or a dry run passed), 1 refused\n"
	      "(nothing changed), 2 usage or repository trouble\n", out);
}

int cmd_rollback(int argc, char **argv)
{
	struct promote_opts o = { .rollback = true };
	const char *dir = NULL, *to = NULL;
	int code = promote_args(argc, argv, &o, (struct opt)OPT_VALUE(0, "to", &to), rollback_usage,
				&dir);
	if (code != CLI_RUN)
		return code;
	if (to) {
		char *end;
		unsigned long n = strtoul(to, &end, 10);
		if (!*to || *end || to[0] == '-' || n == 0 || n > 999999999)
			return cli_usage_error("rollback", "'--to' needs a record number, not '%s'", to);
		o.to = (unsigned)n;
	}
	return promote_command(dir, &o);
}
