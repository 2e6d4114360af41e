/*
 * cmd_audit.c: `authzc audit verify FILE...`: check the hash chain and the
 * signed checkpoints of decision logs written by eval --log and serve --log
 * (authzc-audit(1)).  The checking itself is logverify.h's.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "keyring.h"
#include "logverify.h"
#include "project.h"

static void audit_usage(FILE *out)
{
	fputs("usage: authzc audit verify [-C DIR] [--trust PUBFILE]... [--min-seq N]\n"
	      "                           [--format text|json] FILE...\n"
	      "\n"
	      "Check the hash chain and the signed checkpoints of decision logs written by\n"
	      "eval --log and serve --log.  Rotated files (FILE.1, FILE.2, ..., FILE) may be\n"
	      "given in any order: they are put in the order of their records.  Reports the\n"
	      "first modified, inserted, deleted, reordered or truncated record by file and\n"
	      "line.  Checkpoints must be signed by a key trusted for \"log\": one given with\n"
	      "--trust, or listed under \"trusted_keys\" in the project's authzc.json.\n"
	      "\n"
	      "options:\n"
	      "  --trust PUBFILE    trust this public key (NAME.pub) for checkpoints\n"
	      "  --min-seq N        the log must reach at least seq N (from a checkpoint kept\n"
	      "                     elsewhere): fewer records is a truncation\n"
	      "  --format FMT       text (default) or json\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 the logs verify (warnings may be printed), 1 a problem was\n"
	      "found, 2 usage, key, project or file trouble\n", out);
}

/* The keys trusted for checkpoints: --trust files (role log) and the
 * project's trusted_keys.  EXIT_OK or the exit code, printed. */
static int load_keys(struct ev_keyring *kr, const struct opt_list *trust)
{
	char err[512];
	if (ev_init(err, sizeof err) < 0)
		return cli_error("%s", err);
	for (size_t i = 0; i < trust->n && i < trust->cap; i++) {
		struct ev_pub k;
		if (ev_pub_load(trust->v[i], &k, err, sizeof err) < 0)
			return cli_error("--trust: %s", err);
		if (ev_keyring_add(kr, &k, EV_ROLE_LOG) < 0)
			return cli_error("out of memory");
	}
	struct compilation c;
	struct source_tree tree;
	int code = cli_open_project(&c, &tree, NULL);
	if (code != EXIT_OK)
		return code;
	if (project_load_config(&c, &tree)) {
		code = check_report_text(&c, true);
		compilation_release(&c);
		return code == EXIT_OK ? EXIT_TROUBLE : code;
	}
	for (size_t i = 0; i < c.config.ntrusted_keys; i++)
		if (ev_keyring_add(kr, &c.config.trusted_keys[i].pub, c.config.trusted_keys[i].roles) < 0) {
			compilation_release(&c);
			return cli_error("out of memory");
		}
	compilation_release(&c);
	return EXIT_OK;
}

static void print_text(const struct logverify_result *r)
{
	if (r->kind) {
		printf("%s:%" PRIu64 ": %s", r->file, r->line, logverify_kind_name(r->kind));
		if (r->seq)
			printf(" (seq %" PRIu64 ")", r->seq);
		printf(": %s\n", r->message);
		printf("verification failed after %" PRIu64 " good record(s)\n", r->records);
		return;
	}
	for (size_t i = 0; i < r->ngaps; i++)
		printf("%s:%" PRIu64 ": warning: seq %" PRIu64 ": %" PRIu64
		       " decision record(s) were dropped here by the writer (not deleted afterwards); "
		       "they are not in the log\n", r->gap_list[i].file, r->gap_list[i].line,
		       r->gap_list[i].seq, r->gap_list[i].dropped);
	if (r->records && !r->checkpoints)
		printf("warning: no signed checkpoint: the chain shows edits that did not recompute it, "
		       "but nothing vouches for it (write the log with --log-key)\n");
	else if (r->uncovered)
		printf("warning: %" PRIu64 " record(s) after seq %" PRIu64 " (%s:%" PRIu64 ") are not yet "
		       "covered by a signed checkpoint\n", r->uncovered, r->last_checkpoint_seq,
		       r->last_checkpoint_file, r->last_checkpoint_line);
	else if (r->records && !r->final)
		printf("warning: the log does not end with a final checkpoint: its writer is running or "
		       "stopped uncleanly, or records after seq %" PRIu64 " were removed\n", r->last_seq);
	if (r->first_seq > 1)
		printf("note: the log begins at seq %" PRIu64 ": earlier records were not given\n",
		       r->first_seq);
	printf("verified %" PRIu64 " record(s) in %" PRIu64 " file(s), seq %" PRIu64 " to %" PRIu64,
	       r->records, r->files, r->records ? r->first_seq : 0, r->last_seq);
	if (r->first_time[0])
		printf(", %s to %s", r->first_time, r->last_time);
	printf(": %" PRIu64 " decision(s), %" PRIu64 " checkpoint(s), %" PRIu64 " gap(s) (%" PRIu64
	       " dropped)\n", r->decisions, r->checkpoints, r->gaps, r->dropped);
}

static int print_json(const struct logverify_result *r)
{
	cJSON *j = cJSON_CreateObject(), *w;
	cJSON_AddBoolToObject(j, "ok", !r->kind);
	cJSON_AddNumberToObject(j, "files", (double)r->files);
	cJSON_AddNumberToObject(j, "records", (double)r->records);
	cJSON_AddNumberToObject(j, "decisions", (double)r->decisions);
	cJSON_AddNumberToObject(j, "checkpoints", (double)r->checkpoints);
	cJSON_AddNumberToObject(j, "gaps", (double)r->gaps);
	cJSON_AddNumberToObject(j, "dropped", (double)r->dropped);
	cJSON_AddNumberToObject(j, "first_seq", (double)(r->records ? r->first_seq : 0));
	cJSON_AddNumberToObject(j, "last_seq", (double)r->last_seq);
	if (r->first_time[0]) {
		cJSON_AddStringToObject(j, "first_time", r->first_time);
		cJSON_AddStringToObject(j, "last_time", r->last_time);
	} else {
		cJSON_AddNullToObject(j, "first_time");
		cJSON_AddNullToObject(j, "last_time");
	}
	cJSON_AddNumberToObject(j, "uncovered", (double)r->uncovered);
	cJSON_AddBoolToObject(j, "final_checkpoint", r->final);
	cJSON *gaps = cJSON_AddArrayToObject(j, "gap_records");
	for (size_t i = 0; i < r->ngaps; i++) {
		cJSON_AddItemToArray(gaps, w = cJSON_CreateObject());
		cJSON_AddStringToObject(w, "file", r->gap_list[i].file);
		cJSON_AddNumberToObject(w, "line", (double)r->gap_list[i].line);
		cJSON_AddNumberToObject(w, "seq", (double)r->gap_list[i].seq);
		cJSON_AddNumberToObject(w, "dropped", (double)r->gap_list[i].dropped);
	}
	if (r->kind) {
		cJSON *p = cJSON_AddObjectToObject(j, "problem");
		cJSON_AddStringToObject(p, "kind", logverify_kind_name(r->kind));
		cJSON_AddStringToObject(p, "file", r->file);
		cJSON_AddNumberToObject(p, "line", (double)r->line);
		if (r->seq)
			cJSON_AddNumberToObject(p, "seq", (double)r->seq);
		else
			cJSON_AddNullToObject(p, "seq");
		cJSON_AddStringToObject(p, "message", r->message);
	} else {
		cJSON_AddNullToObject(j, "problem");
	}
	return cli_print_json(j);
}

int cmd_audit(int argc, char **argv)
{
	const char *dir = NULL, *min_seq_text = NULL;
	const char *trust_v[64];
	struct opt_list trust = { trust_v, 0, 64 };
	int format = CLI_TEXT;
	const struct opt opts[] = {
		OPT_LIST(0, "trust", &trust),
		OPT_VALUE(0, "min-seq", &min_seq_text),
		OPT_CHOICE(0, "format", &format, cli_text_json),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, -1, audit_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (!args.noperands)
		return cli_usage_error("audit", "give a subcommand: verify FILE...");
	if (strcmp(args.operands[0], "verify"))
		return cli_usage_error("audit", "unknown subcommand '%s' (there is: verify)", args.operands[0]);
	if (args.noperands < 2)
		return cli_usage_error("audit", "give the log FILE(s) to verify");
	if (trust.n > trust.cap)
		return cli_usage_error("audit", "at most %zu --trust keys", trust.cap);
	uint64_t min_seq = 0;
	if (min_seq_text) {
		char *end;
		unsigned long long v = strtoull(min_seq_text, &end, 10);
		if (!*min_seq_text || *end || *min_seq_text == '-' || *min_seq_text == '+' || v < 1 ||
		    v > (1ull << 53))
			return cli_usage_error("audit", "--min-seq '%s' is not a number from 1", min_seq_text);
		min_seq = v;
	}
	if ((code = cli_chdir(dir)) != EXIT_OK)
		return code;
	struct ev_keyring kr;
	ev_keyring_init(&kr);
	if ((code = load_keys(&kr, &trust)) != EXIT_OK) {
		ev_keyring_free(&kr);
		return code;
	}
	size_t n = (size_t)args.noperands - 1;
	const char **paths = malloc(n * sizeof *paths);
	if (!paths) {
		ev_keyring_free(&kr);
		return cli_error("out of memory");
	}
	for (size_t i = 0; i < n; i++)
		paths[i] = args.operands[i + 1];
	struct logverify_result r;
	char err[512];
	if (logverify_files(paths, n, &kr, min_seq, &r, err, sizeof err) < 0) {
		code = cli_error("audit verify: %s", err);
	} else {
		if (format == CLI_JSON)
			code = print_json(&r);
		else
			print_text(&r);
		if (code == EXIT_OK)
			code = cli_finish(r.kind ? EXIT_FAIL : EXIT_OK);
	}
	logverify_free(&r);
	free(paths);
	ev_keyring_free(&kr);
	return code;
}
