/*
 * cmd_log.c: `authzc log ENV`: the promotion records of an environment,
 * newest first: the evidence an auditor asks for (authzc-log(1)).
 */
#include <cJSON.h>
#include <string.h>

#include "cli.h"
#include "cli_trust.h"
#include "promote.h"

static void log_usage(FILE *out)
{
	fputs("usage: authzc log [--format text|json] [--verify [--trust PUBFILE]...] ENV\n"
	      "\n"
	      "The promotion records of environment ENV (annotated tags authzc/ENV/N),\n"
	      "newest first: kind, commit and the one before, time, promoter, ticket,\n"
	      "tests, guard coverage and bundle digest.  --format json prints each record's\n"
	      "JSON as written, with its \"tag\", in one array.\n"
	      "\n"
	      "--verify checks every record, oldest first: its signature by a trusted\n"
	      "promote key, the chain of record hashes, the approvals it relied on, and\n"
	      "that the environment is where the last record put it; it reports the first\n"
	      "bad record and exits 1.  With --trust, every record must also be signed, and\n"
	      "every approval made, by one of the given keys, whatever the repository's\n"
	      "authzc.json trusts: an anchor the repository cannot change.\n"
	      "\n"
	      "options:\n"
	      "  --format FORMAT  text (default) or json\n"
	      "  --verify         verify the history instead of listing it\n"
	      "  --trust PUBFILE  with --verify: a key the history must be signed by\n"
	      "                   (NAME.pub of authzc keygen; repeatable)\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 shown (or verified), 1 --verify found a bad record, 2 usage\n"
	      "trouble, an unknown environment or repository trouble\n", out);
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

/* --verify: one line per record verified, then the verdict; 0 or 1. */
static int verify_text(const char *env, const struct history_verdict *h)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct record_verdict *v = &h->recs[i];
		if (v->problem)
			break;
		printf("%s  ok  %s%s", v->r->tag, v->signer ? "signed by " : "unsigned",
		       v->signer ? v->signer : "");
		if (v->approvals)
			printf(", %zu approval%s", v->approvals, v->approvals == 1 ? "" : "s");
		putchar('\n');
	}
	if (h->problem) {
		fprintf(stderr, "authzc: the history of '%s' does not verify: %s: %s\n", env, h->bad, h->problem);
		return EXIT_FAIL;
	}
	if (!h->n) {
		printf("'%s' has no promotion records and no version: nothing to verify\n", env);
		return EXIT_OK;
	}
	printf("'%s': %zu record%s verified (%zu signed, %zu unsigned%s), chain intact, the environment "
	       "is where the last record put it\n", env, h->n, h->n == 1 ? "" : "s", h->nsigned, h->nunsigned,
	       h->nlegacy ? ", some from before records were signed" : "");
	return EXIT_OK;
}

static int verify_json(const char *env, const struct history_verdict *h)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "environment", env);
	cJSON_AddBoolToObject(o, "verifies", !h->problem);
	cJSON_AddNumberToObject(o, "records", (double)h->n);
	cJSON_AddNumberToObject(o, "signed", (double)h->nsigned);
	cJSON_AddNumberToObject(o, "unsigned", (double)h->nunsigned);
	cJSON_AddNumberToObject(o, "legacy", (double)h->nlegacy);
	if (h->problem) {
		cJSON_AddStringToObject(o, "bad", h->bad);
		cJSON_AddStringToObject(o, "problem", h->problem);
	} else {
		cJSON_AddNullToObject(o, "bad");
		cJSON_AddNullToObject(o, "problem");
	}
	int code = cli_print_json(o);
	return code == EXIT_OK && h->problem ? EXIT_FAIL : code;
}

int cmd_log(int argc, char **argv)
{
	int format = CLI_TEXT;
	bool verify = false;
	const char *dir = NULL;
	const char *trust_v[CLI_MAX_TRUST];
	struct opt_list trust_files = { trust_v, 0, CLI_MAX_TRUST };
	struct opt_result args;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", &format, cli_text_json),
		OPT_FLAG(0, "verify", &verify),
		OPT_LIST(0, "trust", &trust_files),
		OPT_END,
	};
	int code = cli_parse(&args, argc, argv, opts, 1, log_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (trust_files.n && !verify)
		return cli_usage_error("log", "--trust is a key the history must be signed by: use it with --verify");
	if (cli_chdir(dir) != EXIT_OK)
		return EXIT_TROUBLE;
	struct cli_trust trust;         /* key files named from -C's folder, as eval's */
	if (cli_trust_load(&trust, "log", &trust_files) != EXIT_OK) {
		cli_trust_release(&trust);
		return EXIT_TROUBLE;
	}
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
	} else if (verify) {
		struct history_verdict h;
		if (promote_verify(&g, env, &trust.ring, &a, &h) < 0)
			code = cli_error("%s", g.msg);
		else
			code = format == CLI_JSON ? verify_json(env, &h) : verify_text(env, &h);
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
	cli_trust_release(&trust);
	return code;
}
