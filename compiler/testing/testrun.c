/*
 * testrun.c: run tests through libauthz (testrun.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_request.h"
#include "testrun.h"

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool selected_name(const regex_t *re, const char *name, size_t len)
{
	if (!re)
		return true;
#ifdef REG_STARTEND
	regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)len };
	return regexec(re, name, 1, &m, REG_STARTEND) == 0;
#else
	(void)len;
	return regexec(re, name, 0, NULL, 0) == 0;   /* up to a NUL byte */
#endif
}

static bool selected(const regex_t *re, const struct checked_test *t)
{
	return selected_name(re, t->name, t->name_len);
}

void testrun_recount(struct testrun *run)
{
	run->passed = run->failed = 0;
	for (size_t i = 0; i < run->n; i++) {
		if (run->results[i].passed)
			run->passed++;
		else
			run->failed++;
	}
	for (size_t i = 0; i < run->nasserts; i++) {
		if (run->asserts[i].verdict == TA_PROVED)
			run->passed++;
		else
			run->failed++;
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Does the decision in r meet the test's expectation? */
static bool meets(const struct checked_test *t, const struct testrun_result *r, struct arena *a)
{
	if (r->allowed != t->expect_allow)
		return false;
	switch (t->by) {
	case EXPECT_ANY:
		return true;
	case EXPECT_DEFAULT:
		return !r->allowed && r->nrules == 0;
	case EXPECT_RULES:
		break;
	}
	if (r->nrules != t->nby_rules)
		return false;
	const char **want = arena_calloc(a, t->nby_rules ? t->nby_rules : 1, sizeof *want);
	for (size_t i = 0; i < t->nby_rules; i++)
		want[i] = t->by_rules[i]->id;
	qsort(want, t->nby_rules, sizeof *want, str_cmp);
	for (size_t i = 0; i < t->nby_rules; i++)
		if (strcmp(want[i], r->rules[i]))
			return false;
	return true;
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* Keep d's trace and errors in r (the decision is about to be reused). */
static void keep_explanation(struct arena *a, struct testrun_result *r, const authz_decision *d)
{
	size_t n = authz_decision_trace_count(d);
	r->trace = arena_calloc(a, n ? n : 1, sizeof *r->trace);
	r->operands = arena_calloc(a, n ? n : 1, sizeof *r->operands);
	for (size_t i = 0; i < n; i++) {
		authz_trace tr;
		if (authz_decision_trace(d, i, &tr) < 0)
			continue;
		tr.rule = dup_or_null(a, tr.rule);
		tr.file = dup_or_null(a, tr.file);
		tr.text = dup_or_null(a, tr.text);
		struct testrun_operands *ops = &r->operands[r->ntrace];
		size_t nops = authz_decision_trace_operand_count(d, i);
		ops->v = arena_calloc(a, nops ? nops : 1, sizeof *ops->v);
		for (size_t k = 0; k < nops; k++) {
			const char *name, *value;
			if (authz_decision_trace_operand(d, i, k, &name, &value) < 0)
				continue;
			ops->v[ops->n++] = (struct testrun_operand){ arena_strdup(a, name), dup_or_null(a, value) };
		}
		r->trace[r->ntrace++] = tr;
	}
	n = authz_decision_error_count(d);
	r->errors = arena_calloc(a, n ? n : 1, sizeof *r->errors);
	for (size_t i = 0; i < n; i++) {
		struct testrun_error *e = &r->errors[r->nerrors];
		const char *rule = NULL, *message = NULL;
		if (authz_decision_error(d, i, &e->kind, &rule, &message) < 0)
			continue;
		e->rule = dup_or_null(a, rule);
		e->message = dup_or_null(a, message ? message : "");
		r->nerrors++;
	}
}

static void keep_rules(struct arena *a, struct testrun_result *r, const authz_decision *d)
{
	r->allowed = authz_decision_allowed(d) == 1;
	r->nrules = authz_decision_rule_count(d);
	r->rules = arena_calloc(a, r->nrules ? r->nrules : 1, sizeof *r->rules);
	for (size_t i = 0; i < r->nrules; i++) {
		const char *id = authz_decision_rule(d, i);
		r->rules[i] = arena_strdup(a, id ? id : "");
	}
	qsort(r->rules, r->nrules, sizeof *r->rules, str_cmp);
}

int testrun_run(struct compilation *c, const authz_bundle *b, const regex_t *select,
		struct coverage *cov, struct testrun *out, char *msg, size_t size)
{
	struct arena *a = &c->arena;
	const struct checked *ck = c->checked;
	memset(out, 0, sizeof *out);
	out->results = arena_calloc(a, ck->ntests ? ck->ntests : 1, sizeof *out->results);
	authz_request *req = NULL;
	authz_decision *d = NULL;
	if (authz_request_new(&req, b) < 0 || authz_decision_new(&d) < 0) {
		if (cov)
			coverage_finish(cov);
		authz_request_free(req);
		snprintf(msg, size, "out of memory");
		return -1;
	}
	unsigned flags = cov ? AUTHZ_DECIDE_TRACE : 0;
	double start = mono_now();
	int rc = 0;
	for (size_t i = 0; i < ck->ntests && rc == 0; i++) {
		const struct checked_test *t = &ck->tests[i];
		if (!t->ok || !selected(select, t))
			continue;
		struct testrun_result *r = &out->results[out->n++];
		r->test = t;
		r->index = i;
		double t0 = mono_now();
		char why[256];
		if (test_request_build(req, &t->request, a, why, sizeof why) < 0) {
			snprintf(msg, size, "cannot build the request of test at %s: %s",
				 srcset_file(&c->src, t->test->span.file)->name, why);
			rc = -1;
			break;
		}
		if (!t->request.has_time && authz_request_set_time(req, c->now_ms) < 0) {
			snprintf(msg, size, "cannot set the time of a request");
			rc = -1;
			break;
		}
		int drc = authz_decide(d, b, req, flags);
		if (drc == AUTHZ_ENOMEM || drc == AUTHZ_EINVAL) {
			snprintf(msg, size, drc == AUTHZ_ENOMEM ? "out of memory"
				 : "the bundle refused a test's request");
			rc = -1;
			break;
		}
		keep_rules(a, r, d);
		r->passed = meets(t, r, a);
		if (cov)
			coverage_record(cov, i, d);
		if (!r->passed) {
			/* decide again, with the trace and the values its
			 * guards read (coverage traces without them) */
			authz_decide(d, b, req, AUTHZ_DECIDE_EXPLAIN);
			keep_explanation(a, r, d);
		}
		r->seconds = mono_now() - t0;
		if (r->passed)
			out->passed++;
		else
			out->failed++;
	}
	/* the assertions selected, for the analysis to prove (sym_assert.h) */
	out->asserts = arena_calloc(a, ck->nasserts ? ck->nasserts : 1, sizeof *out->asserts);
	for (size_t i = 0; i < ck->nasserts && rc == 0; i++) {
		const struct checked_assert *as = &ck->asserts[i];
		if (!as->ok || !selected_name(select, as->name, as->name_len))
			continue;
		out->asserts[out->nasserts++] = (struct testrun_assert){ .a = as, .index = i, .verdict = TA_UNKNOWN,
									  .reason = "not checked" };
	}
	testrun_recount(out);
	out->seconds = mono_now() - start;
	if (cov)
		coverage_finish(cov);
	authz_decision_free(d);
	authz_request_free(req);
	return rc;
}
