/*
 * promote_record.c: reading promotion records, the annotated tags
 * authzc/<env>/<N> whose messages are JSON (see promote.h).
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "promote.h"

static const char *json_str(struct arena *a, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? arena_strdup(a, v->valuestring) : NULL;
}

static double json_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void parse_message(struct arena *a, struct promote_record *r)
{
	cJSON *o = cJSON_Parse(r->message);
	if (!o)
		return;
	r->kind = json_str(a, o, "kind");
	r->previous = json_str(a, o, "previous");
	r->bundle = json_str(a, o, "bundle");
	r->time = json_str(a, o, "time");
	r->ticket = json_str(a, o, "ticket");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "promoter");
	r->name = json_str(a, p, "name");
	r->email = json_str(a, p, "email");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "tests");
	r->tests_run = json_num(t, "run");
	r->tests_passed = json_num(t, "passed");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "coverage");
	r->coverage = json_num(c, "guards");
	cJSON_Delete(o);
}

/* N of "authzc/<env>/N", 0 when the suffix is not a number 1..UINT_MAX. */
static unsigned record_number(const char *name, size_t prefix)
{
	const char *s = name + prefix;
	if (!*s || *s == '0' || strlen(s) > 9)
		return 0;
	unsigned n = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (unsigned)(*s - '0');
	}
	return n;
}

static int cmp_record(const void *x, const void *y)
{
	const struct promote_record *a = x, *b = y;
	return a->n < b->n ? -1 : a->n > b->n;
}

int promote_records(struct gitx *g, const char *env, struct arena *a,
		    struct promote_record **out, size_t *n)
{
	git_strarray names = { 0 };
	const char *pattern = arena_printf(a, "authzc/%s/*", env);
	size_t prefix = strlen(pattern) - 1;
	int error;
	*out = NULL;
	*n = 0;
	if ((error = git_tag_list_match(&names, pattern, g->repo)) < 0) {
		gitx_fail(g, error, "cannot list the records of '%s'", env);
		goto cleanup;
	}
	*out = arena_calloc(a, names.count + 1, sizeof(**out));
	for (size_t i = 0; i < names.count; i++) {
		git_reference *ref = NULL;
		git_tag *tag = NULL;
		unsigned num = record_number(names.strings[i], prefix);
		const char *refname = arena_printf(a, "refs/tags/%s", names.strings[i]);
		if (num && git_reference_lookup(&ref, g->repo, refname) == 0 &&
		    git_tag_lookup(&tag, g->repo, git_reference_target(ref)) == 0 &&
		    git_tag_target_type(tag) == GIT_OBJECT_COMMIT) {
			struct promote_record *r = &(*out)[(*n)++];
			r->n = num;
			r->tag = arena_strdup(a, names.strings[i]);
			git_oid_tostr(r->commit, sizeof r->commit, git_tag_target_id(tag));
			r->message = arena_strdup(a, git_tag_message(tag) ? git_tag_message(tag) : "");
			parse_message(a, r);
		}
		git_error_clear();
		git_tag_free(tag);
		git_reference_free(ref);
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_record);
cleanup:
	git_strarray_dispose(&names);
	return error;
}
