/*
 * coverage_probe.c: forbid guards alone keeping a forbid from applying
 * (coverage_probe.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "coverage_probe.h"
#include "test_request.h"

struct cov_probe {
	authz_bundle *b;
	authz_request *req;
	authz_decision *d;
};

static void fail(struct coverage *cov, const char *what)
{
	cov->probe_failed = true;
	snprintf(cov->probe_msg, sizeof cov->probe_msg, "forbid guards not measured: %.150s", what);
}

void cov_probe_init(struct coverage *cov)
{
	struct compilation *c = cov->c;
	size_t n = 0;
	for (size_t i = 0; i < cov->nrules; i++)
		if (cov->rules[i].rule->effect == EFFECT_FORBID)
			n += cov->rules[i].rule->nguards;
	if (!n)
		return;
	struct cov_probe *p = calloc(1, sizeof *p);
	if (!p) {
		fail(cov, "out of memory");
		return;
	}
	cov->probe = p;
	uint8_t *buf;
	size_t len;
	size_t errors_before = c->diags.errors;
	if (codegen_probe_bundle(c, &buf, &len)) {
		c->diags.errors = errors_before;        /* the real bundle compiled */
		fail(cov, "the probe bundle exceeds a limit of the bundle format");
		cov_probe_release(cov);
		return;
	}
	authz_error err;
	int e = authz_bundle_load(&p->b, buf, len, &err);
	free(buf);
	if (e < 0 || authz_request_new(&p->req, p->b) < 0 || authz_decision_new(&p->d) < 0) {
		fail(cov, e < 0 ? err.message : "out of memory");
		cov_probe_release(cov);
	}
}

/* Decide test `test`'s request (cov->json when set) against the probe
 * bundle into p->d: 0, or -1 when it cannot be decided. */
static int decide(struct coverage *cov, size_t test)
{
	struct cov_probe *p = cov->probe;
	struct compilation *c = cov->c;
	if (cov->json)
		return authz_decide_json(p->d, p->b, p->req, cov->json, strlen(cov->json), AUTHZ_DECIDE_TRACE) < 0
			       ? -1 : 0;
	const struct checked_test *t = &c->checked->tests[test];
	char why[256];
	if (test_request_build(p->req, &t->request, &c->arena, why, sizeof why) < 0 ||
	    (!t->request.has_time && authz_request_set_time(p->req, c->now_ms) < 0))
		return -1;
	return authz_decide(p->d, p->b, p->req, AUTHZ_DECIDE_TRACE) < 0 ? -1 : 0;
}

void cov_probe_record(struct coverage *cov, size_t test, size_t rule, size_t guard)
{
	struct cov_probe *p = cov->probe;
	struct compilation *c = cov->c;
	if (!p)
		return;
	if (decide(cov, test) < 0)
		return;         /* not covered */
	/* applied, not in error: an error is no guard holding */
	const char *want = arena_printf(&c->arena, "%s" CODEGEN_PROBE_SEP "%zu", cov->rules[rule].rule->id, guard);
	size_t n = authz_decision_trace_count(p->d);
	for (size_t i = 0; i < n; i++) {
		authz_trace tr;
		if (authz_decision_trace(p->d, i, &tr) == 0 && tr.outcome == AUTHZ_APPLIED && tr.rule &&
		    !strcmp(tr.rule, want)) {
			cov_tests_push(&c->arena, &cov->rules[rule].guards[guard].tests, test);
			return;
		}
	}
}

void cov_probe_release(struct coverage *cov)
{
	struct cov_probe *p = cov->probe;
	if (!p)
		return;
	authz_decision_free(p->d);
	authz_request_free(p->req);
	authz_bundle_free(p->b);
	free(p);
	cov->probe = NULL;
}
