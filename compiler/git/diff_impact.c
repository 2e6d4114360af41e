/*
 * diff_impact.c: decision impact of a change (see diff.h).
 *
 * Each request is decided by both bundles from its JSON form
 * (authz_decide_json), exactly as `authzc eval` would.  A request without a
 * time gets the compilation's clock (the current time, or $AUTHZC_NOW), the
 * same on both sides, so the two decisions are comparable and the output
 * reproducible.  Test requests are taken from both versions and counted
 * once; replay records are each counted, as recorded traffic.
 */
#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "diff.h"
#include "test_request.h"

/* Longest replay line accepted (bytes). */
#define REPLAY_MAX_LINE (1u << 20)

struct diff_impact_state {
	struct diff_report *r;
	const struct diff_side *old, *new;
	authz_request *req_old, *req_new;
	authz_decision *dec_old, *dec_new;
	struct ptrvec tests_seen;       /* JSON of test requests decided */
	int64_t now_ms;
	bool oom;
};

struct diff_impact_state *diff_impact_begin(struct diff_report *r, const struct diff_side *old,
					    const struct diff_side *new)
{
	struct diff_impact_state *s = arena_alloc(r->a, sizeof(*s));
	s->r = r;
	s->old = old;
	s->new = new;
	s->now_ms = old->c->now_ms;
	if (authz_request_new(&s->req_old, old->bundle) < 0 ||
	    authz_request_new(&s->req_new, new->bundle) < 0 ||
	    authz_decision_new(&s->dec_old) < 0 || authz_decision_new(&s->dec_new) < 0)
		s->oom = true;
	return s;
}

void diff_impact_end(struct diff_impact_state *s)
{
	authz_request_free(s->req_old);
	authz_request_free(s->req_new);
	authz_decision_free(s->dec_old);
	authz_decision_free(s->dec_new);
	s->req_old = s->req_new = NULL;
	s->dec_old = s->dec_new = NULL;
}

static const char **decision_rules(struct arena *a, const authz_decision *d, size_t *n)
{
	*n = authz_decision_rule_count(d);
	const char **v = arena_calloc(a, *n ? *n : 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		v[i] = arena_strdup(a, authz_decision_rule(d, i));
	return v;
}

static bool contains(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void blame(struct diff_report *r, const char *rule, enum diff_impact impact)
{
	struct diff_blame *b = NULL;
	for (size_t i = 0; i < r->nblame && !b; i++)
		if (!strcmp(r->blame[i].rule, rule))
			b = &r->blame[i];
	if (!b) {
		r->blame = arena_grow(r->a, r->blame, r->nblame, r->nblame + 1, sizeof(*r->blame));
		b = &r->blame[r->nblame++];
		b->rule = rule;
	}
	switch (impact) {
	case IMPACT_LOOSENED: b->loosened++; break;
	case IMPACT_TIGHTENED: b->tightened++; break;
	case IMPACT_RULES: b->rules++; break;
	}
}

/* Decide one request (JSON text) with both bundles and record a change. */
static void decide(struct diff_impact_state *s, const char *source, const char *json, bool covers)
{
	struct diff_report *r = s->r;
	size_t len = strlen(json);
	r->nrequests++;
	if (s->oom)
		return;
	if (authz_decide_json(s->dec_old, s->old->bundle, s->req_old, json, len, 0) == AUTHZ_ENOMEM ||
	    authz_decide_json(s->dec_new, s->new->bundle, s->req_new, json, len, 0) == AUTHZ_ENOMEM) {
		s->oom = true;
		return;
	}
	struct diff_decision d = { .source = source, .request = json, .covers = covers };
	d.old_allow = authz_decision_allowed(s->dec_old);
	d.new_allow = authz_decision_allowed(s->dec_new);
	d.old_rules = decision_rules(r->a, s->dec_old, &d.nold_rules);
	d.new_rules = decision_rules(r->a, s->dec_new, &d.nnew_rules);
	bool same_rules = d.nold_rules == d.nnew_rules;
	for (size_t i = 0; i < d.nold_rules && same_rules; i++)
		same_rules = contains(d.new_rules, d.nnew_rules, d.old_rules[i]);
	if (d.old_allow == d.new_allow && same_rules)
		return;
	d.impact = d.old_allow == d.new_allow ? IMPACT_RULES
		   : d.new_allow ? IMPACT_LOOSENED : IMPACT_TIGHTENED;
	d.responsible = arena_calloc(r->a, d.nold_rules + d.nnew_rules + 1, sizeof(char *));
	for (size_t i = 0; i < d.nold_rules; i++)
		if (!contains(d.new_rules, d.nnew_rules, d.old_rules[i]))
			d.responsible[d.nresponsible++] = d.old_rules[i];
	for (size_t i = 0; i < d.nnew_rules; i++)
		if (!contains(d.old_rules, d.nold_rules, d.new_rules[i]))
			d.responsible[d.nresponsible++] = d.new_rules[i];
	qsort(d.responsible, d.nresponsible, sizeof(char *), cmp_str);
	size_t n;
	const char *j = authz_decision_json(s->dec_old, &n);
	d.old_json = j ? arena_strndup(r->a, j, n) : "null";
	j = authz_decision_json(s->dec_new, &n);
	d.new_json = j ? arena_strndup(r->a, j, n) : "null";
	for (size_t i = 0; i < d.nresponsible; i++)
		blame(r, d.responsible[i], d.impact);
	switch (d.impact) {
	case IMPACT_LOOSENED: r->loosened++; break;
	case IMPACT_TIGHTENED: r->tightened++; break;
	case IMPACT_RULES: r->rules_changed++; break;
	}
	r->decisions = arena_grow(r->a, r->decisions, r->ndecisions, r->ndecisions + 1,
				  sizeof(*r->decisions));
	r->decisions[r->ndecisions++] = d;
}

void diff_impact_tests(struct diff_impact_state *s, const struct diff_side *side)
{
	const struct checked *ck = side->c->checked;
	struct diff_report *r = s->r;
	for (size_t i = 0; i < ck->ntests; i++) {
		const struct checked_test *t = &ck->tests[i];
		if (!t->ok)
			continue;
		struct checked_request q = t->request;
		if (!q.has_time) {
			q.has_time = true;
			q.time_ms = s->now_ms;
		}
		char *json = test_request_json(r->a, &q);
		bool seen = false;
		for (size_t k = 0; k < s->tests_seen.n && !seen; k++)
			seen = !strcmp(s->tests_seen.items[k], json);
		if (seen)
			continue;
		ptrvec_push(r->a, &s->tests_seen, json);
		r->ntests++;
		decide(s, arena_printf(r->a, "test '%.*s'", (int)t->name_len, t->name), json, side == s->new);
	}
}

/*
 * The request of one replay line, as compact JSON with a time; NULL with
 * *skip set for a decision record whose request was not JSON (eval --log
 * keeps those as strings); NULL otherwise when the line is not a request.
 */
static char *replay_request(struct diff_impact_state *s, const char *line, size_t len, bool *skip,
			    const char **why)
{
	*skip = false;
	cJSON *root = cJSON_ParseWithLength(line, len);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		*why = "not a JSON object";
		return NULL;
	}
	cJSON *req = root;
	cJSON *rec = cJSON_GetObjectItemCaseSensitive(root, "request");
	if (rec) {
		if (cJSON_IsString(rec)) {
			cJSON_Delete(root);
			*skip = true;
			return NULL;
		}
		if (!cJSON_IsObject(rec)) {
			cJSON_Delete(root);
			*why = "its \"request\" is not an object";
			return NULL;
		}
		req = rec;
	}
	if (!cJSON_GetObjectItemCaseSensitive(req, "time")) {
		cJSON *dec = cJSON_GetObjectItemCaseSensitive(root, "decision");
		cJSON *dt = rec ? cJSON_GetObjectItemCaseSensitive(dec, "time") : NULL;
		char buf[32];
		if (cJSON_IsString(dt)) {
			cJSON_AddStringToObject(req, "time", dt->valuestring);
		} else {
			authz_format_time(s->now_ms, buf);
			cJSON_AddStringToObject(req, "time", buf);
		}
	}
	char *text = cJSON_PrintUnformatted(req);
	cJSON_Delete(root);
	if (!text) {
		*why = "out of memory";
		return NULL;
	}
	char *out = arena_strdup(s->r->a, text);
	cJSON_free(text);
	return out;
}

int diff_impact_replay(struct diff_impact_state *s, const char *path, char *err, size_t size)
{
	FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "r");
	if (!f) {
		snprintf(err, size, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		size_t i = 0;
		while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == (size_t)n)
			continue;       /* blank */
		const char *why = NULL;
		bool skip = false;
		char *json = (size_t)n > REPLAY_MAX_LINE ? NULL
			     : replay_request(s, line, (size_t)n, &skip, &why);
		if (skip) {
			s->r->nskipped++;
			continue;
		}
		if (!json) {
			snprintf(err, size, "%s:%zu: %s", path, lineno,
				 why ? why : "line longer than 1 MiB");
			rc = -1;
			break;
		}
		s->r->nreplayed++;
		decide(s, arena_printf(s->r->a, "%s:%zu", path, lineno), json, true);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, size, "cannot read '%s': %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (rc == 0 && s->oom) {
		snprintf(err, size, "out of memory");
		rc = -1;
	}
	return rc;
}
