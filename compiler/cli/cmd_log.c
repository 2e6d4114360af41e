/*
 * cmd_log.c: `authzc log ENV`: the promotion records of an environment,
 * newest first: the evidence an auditor asks for (authzc-log(1)).
 */
#include <cJSON.h>
#include <string.h>

#include "cli.h"
#include "promote.h"

static void log_usage(FILE *out)
{
	fputs("usage: authzc log [--format text|json] ENV\n"
	      "\n"
	      "The promotion records of environment ENV (annotated tags authzc/ENV/N),\n"
	      "newest first: kind, commit and the one before, time, promoter, ticket,\n"
	      "tests, guard coverage and bundle digest.  --format json prints each record's\n"
	      "JSON as written, with its \"tag\", in one array.\n"
	      "\n"
	      "options:\n"
	      "  --format FORMAT  text (default) or json\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 shown, 2 usage trouble, an unknown environment or repository\n"
	      "trouble\n", out);
}

static void print_text(const struct promote_record *r, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		const struct promote_record *x = &r[i];
		printf("%s  %s  %.7s <- %.7s\n", x->tag, x->kind ? x->kind : "?", x->commit,
		       x->previous ? x->previous : "(none)");
		printf("  time      %s\n", x->time ? x->time : "?");
		printf("  promoter  %s <%s>\n", x->name ? x->name : "?", x->email ? x->email : "?");
		printf("  ticket    %s\n", x->ticket ? x->ticket : "(none)");
		printf("  tests     %.0f/%.0f passed\n", x->tests_passed, x->tests_run);
		printf("  coverage  %.1f%% of guards\n", x->coverage);
		printf("  bundle    %s\n", x->bundle ? x->bundle : "?");
	}
}

static int print_json(const struct promote_record *r, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = n; i-- > 0;) {
		cJSON *o = cJSON_Parse(r[i].message);
		if (!o) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "message", r[i].message);
		}
		cJSON_AddStringToObject(o, "tag", r[i].tag);
		cJSON_AddItemToArray(arr, o);
	}
	return cli_print_json(arr);
}

int cmd_log(int argc, char **argv)
{
	int format;
	struct opt_result args;
	int code = cli_parse_format(&args, argc, argv, 1, log_usage, &format);
	if (code != CLI_RUN)
		return code;
	code = EXIT_OK;
	if (!args.noperands)
		return cli_usage_error("log", "which environment? (authzc log ENV)");
	const char *env = args.operands[0];
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct promote_record *recs;
	size_t n;
	if (cli_open_repo(&g) != EXIT_OK) {
		code = EXIT_TROUBLE;
	} else if (gitx_env_find(&g, env) < 0) {
		code = cli_error("%s", g.msg);
	} else if (promote_records(&g, env, &a, &recs, &n) < 0) {
		code = cli_error("%s", g.msg);
	} else if (format == CLI_JSON) {
		code = print_json(recs, n);
	} else if (!n) {
		printf("'%s' has no promotion records\n", env);
	} else {
		print_text(recs, n);
	}
	arena_free(&a);
	gitx_close(&g);
	return code;
}
