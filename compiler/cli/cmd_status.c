/*
 * cmd_status.c: `authzc status`: where each environment stands: its
 * commit, its latest record (bundle digest, when, by whom), and how many
 * commits it trails the stage before it (HEAD for the first one).
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "promote.h"

static void status_usage(FILE *out)
{
	fputs("usage: authzc status [--format text|json]\n"
	      "\n"
	      "For each environment of authzc.json, in order: its commit, its latest\n"
	      "promotion record (kind, bundle digest, time, promoter), and how many commits\n"
	      "it trails the environment before it (HEAD for the first), and whether its\n"
	      "history verifies (authzc log ENV --verify).\n"
	      "\n"
	      "options:\n"
	      "  --format FORMAT  text (default) or json\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 shown, 2 usage or repository trouble\n", out);
}

struct env_status {
	const char *name, *ref;
	bool has_commit;
	git_oid commit;
	const struct promote_record *last;      /* NULL without records */
	bool outside;           /* the ref is not where the last record put it */
	struct history_verdict history; /* log --verify */
	bool verified;          /* history was computed */
	const char *behind_of;  /* the stage before (or "HEAD") */
	long behind;            /* -1 when unknown */
};

static void gather(struct gitx *g, struct arena *a, size_t i, struct env_status *st,
		   const struct env_status *before)
{
	const char *name = g->cfg.config.environments[i];
	struct promote_record *recs;
	size_t n = 0;
	st->name = name;
	st->ref = gitx_env_ref(g, name);
	st->has_commit = git_reference_name_to_id(&st->commit, g->repo, st->ref) == 0;
	git_error_clear();
	if (promote_records(g, name, a, &recs, &n) == 0 && n)
		st->last = &recs[n - 1];
	git_error_clear();
	st->verified = promote_verify(g, name, NULL, a, &st->history) == 0;
	git_error_clear();
	char hex[GIT_OID_HEXSZ + 1];
	if (st->has_commit && st->last)
		st->outside = strcmp(st->last->commit, git_oid_tostr(hex, sizeof hex, &st->commit)) != 0;
	git_oid up;
	bool has_up;
	if (before) {
		st->behind_of = before->name;
		has_up = before->has_commit;
		up = before->commit;
	} else {
		st->behind_of = "HEAD";
		has_up = git_reference_name_to_id(&up, g->repo, "HEAD") == 0;
		git_error_clear();
	}
	st->behind = -1;
	size_t ahead = 0, behind = 0;
	if (st->has_commit && has_up &&
	    git_graph_ahead_behind(&ahead, &behind, g->repo, &up, &st->commit) == 0)
		st->behind = (long)ahead;
	git_error_clear();
}

static void print_text(const struct env_status *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct env_status *s = &v[i];
		char hex[8];
		if (!s->has_commit) {
			printf("%-10s (no version yet: %s does not exist)\n", s->name, s->ref);
			continue;
		}
		printf("%-10s %s", s->name, gitx_short(&s->commit, hex));
		if (s->behind >= 0)
			printf("  %ld commit%s behind %s", s->behind, s->behind == 1 ? "" : "s",
			       s->behind_of);
		putchar('\n');
		if (s->last) {
			printf("%-10s record %s (%s) %s by %s <%s>\n", "", s->last->tag,
			       s->last->kind ? s->last->kind : "?", s->last->time ? s->last->time : "?",
			       s->last->name ? s->last->name : "?", s->last->email ? s->last->email : "?");
			printf("%-10s bundle %s\n", "", s->last->bundle ? s->last->bundle : "?");
		} else {
			printf("%-10s no promotion record\n", "");
		}
		if (s->outside)
			printf("%-10s warning: %s was moved outside authzc since its last record\n", "",
			       s->ref);
		if (!s->verified)
			printf("%-10s history: could not be verified\n", "");
		else if (s->history.problem)
			printf("%-10s history: DOES NOT VERIFY at %s: %s ('authzc log %s --verify')\n", "",
			       s->history.bad, s->history.problem, s->name);
		else if (s->history.n)
			printf("%-10s history: verifies (%zu record%s, %zu signed)\n", "", s->history.n,
			       s->history.n == 1 ? "" : "s", s->history.nsigned);
	}
}

static int print_json(const struct env_status *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const struct env_status *s = &v[i];
		cJSON *o = cJSON_CreateObject();
		char hex[GIT_OID_HEXSZ + 1];
		cJSON_AddStringToObject(o, "environment", s->name);
		cJSON_AddStringToObject(o, "ref", s->ref);
		if (s->has_commit)
			cJSON_AddStringToObject(o, "commit", git_oid_tostr(hex, sizeof hex, &s->commit));
		else
			cJSON_AddNullToObject(o, "commit");
		cJSON *rec = s->last ? cJSON_Parse(s->last->message) : NULL;
		if (rec)
			cJSON_AddStringToObject(rec, "tag", s->last->tag);
		cJSON_AddItemToObject(o, "record", rec ? rec : cJSON_CreateNull());
		cJSON_AddBoolToObject(o, "moved_outside_authzc", s->outside);
		cJSON *h = cJSON_AddObjectToObject(o, "history");
		cJSON_AddBoolToObject(h, "verifies", s->verified && !s->history.problem);
		cJSON_AddNumberToObject(h, "records", (double)s->history.n);
		cJSON_AddNumberToObject(h, "signed", (double)s->history.nsigned);
		if (s->verified && s->history.problem) {
			cJSON_AddStringToObject(h, "bad", s->history.bad);
			cJSON_AddStringToObject(h, "problem", s->history.problem);
		} else {
			cJSON_AddNullToObject(h, "bad");
			cJSON_AddNullToObject(h, "problem");
		}
		cJSON_AddStringToObject(o, "behind_of", s->behind_of);
		if (s->behind >= 0)
			cJSON_AddNumberToObject(o, "behind", (double)s->behind);
		else
			cJSON_AddNullToObject(o, "behind");
		cJSON_AddItemToArray(arr, o);
	}
	return cli_print_json(arr);
}

int cmd_status(int argc, char **argv)
{
	int format;
	struct opt_result args;
	int code = cli_parse_format(&args, argc, argv, 0, status_usage, &format);
	if (code != CLI_RUN)
		return code;
	code = EXIT_OK;
	struct gitx g;
	struct arena a = ARENA_INIT;
	if ((code = cli_open_repo(&g)) != EXIT_OK)
		goto done;
	size_t n = g.cfg.config.nenvironments;
	struct env_status *v = arena_calloc(&a, n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		gather(&g, &a, i, &v[i], i ? &v[i - 1] : NULL);
	if (format == CLI_JSON)
		code = print_json(v, n);
	else
		print_text(v, n);
done:
	arena_free(&a);
	gitx_close(&g);
	return code;
}
