/*
 * cmd_rollback.c: `authzc rollback ENV [--to N]`: move an environment back
 * to a version it had, recorded like a promotion (authzc-rollback(1)).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "promote.h"

static void rollback_usage(FILE *out)
{
	fputs("usage: authzc rollback [--to N] [--ticket ID] [--dry-run] ENV\n"
	      "\n"
	      "Move environment ENV back to the commit it had before its latest move, or\n"
	      "to the commit of its record N (authzc/ENV/N).  The move is compare-and-swap\n"
	      "with a reflog entry and is recorded like a promotion, with \"kind\":\n"
	      "\"rollback\".  The commit must still compile (the record names its bundle);\n"
	      "its tests and coverage are recorded, not enforced.\n"
	      "\n"
	      "options:\n"
	      "  --to N           go back to the commit of record N\n"
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
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 'T' },
		{ "ticket", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct promote_opts o = { .rollback = true };
	const char *dir = NULL;
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":C:nh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'T': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || optarg[0] == '-' || n == 0 || n > 999999999)
				return cli_usage_error("rollback", "'--to' needs a record number, not '%s'",
						       optarg);
			o.to = (unsigned)n;
			break;
		}
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
			rollback_usage(stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error("rollback", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("rollback", "unknown option '-%c'", optopt);
			return cli_usage_error("rollback", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("rollback", "which environment? (authzc rollback ENV)");
	if (argc - optind > 1)
		return cli_usage_error("rollback", "unexpected argument '%s'", argv[optind + 1]);
	o.env = argv[optind];
	return promote_command(dir, &o);
}
