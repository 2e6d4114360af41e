/*
 * sym_assert.c: assertions proved or refuted by the solver (sym_assert.h,
 * authzc-policy(5), ASSERTIONS).
 *
 * Side 0 of each triple's context is the condition bundle (one permit per
 * assertion: its scope and when/unless), side 1 the policies.  Both come
 * from the same schema, so one symbolic request serves both; the query is
 *     valid(request) and (condition applies or fails) and forbidden(decision)
 * where the decision is forbid-overrides as the runtime has it (a forbid in
 * error applies, a permit in error does not, @expires bounds `now`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codegen.h"
#include "sym_assert.h"
#include "sym_int.h"


static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the runtime makes of request `json` with b: *allow, the deciding
 * rules (into a), and whether rule `rule` (NULL: none) applied or failed.
 * 0, or -1 when it cannot decide (out of memory, a request it refuses). */
static int decide(struct arena *a, const authz_bundle *b, const char *json, bool *allow, const char ***rules,
		  size_t *n, const char *rule, bool *hit)
{
	authz_request *rq = NULL;
	authz_decision *d = NULL;
	int rc = -1;
	*allow = false;
	*n = 0;
	if (hit)
		*hit = false;
	if (authz_request_new(&rq, b) == 0 && authz_decision_new(&d) == 0 &&
	    authz_decide_json(d, b, rq, json, strlen(json), 0) == 0) {
		*allow = authz_decision_allowed(d);
		*n = authz_decision_rule_count(d);
		*rules = arena_calloc(a, *n + 1, sizeof **rules);
		for (size_t i = 0; i < *n; i++) {
			(*rules)[i] = arena_strdup(a, authz_decision_rule(d, i));
			if (hit && rule && !strcmp((*rules)[i], rule))
				*hit = true;
		}
		for (size_t i = 0; hit && rule && i < authz_decision_error_count(d); i++) {
			int kind;
			const char *rid = NULL, *msg = NULL;
			authz_decision_error(d, i, &kind, &rid, &msg);
			if (kind == AUTHZ_ERR_RULE && rid && !strcmp(rid, rule))
				*hit = true;
		}
		rc = 0;
	}
	authz_decision_free(d);
	authz_request_free(rq);
	return rc;
}

/* A test that reproduces the counterexample: it expects what the assertion
 * demands, so it fails until the policies are fixed. */
static const char *test_block(struct arena *a, const struct testrun_assert *r, const char *request_src)
{
	const char *name = arena_printf(a, "%.*s: counterexample", (int)r->a->name_len, r->a->name);
	struct sym_expect e = { .allow = !r->a->forbids_allow };
	return sym_test_block(a, name, strlen(name), request_src, &e);
}

/* Set r to TA_UNKNOWN with `why` (kept in a). */
static void unknown(struct arena *a, struct testrun_assert *r, const char *why)
{
	r->verdict = TA_UNKNOWN;
	r->reason = arena_strdup(a, why);
}

/* One triple: 0 proved there, 1 settled (violated or unknown: r says). */
static int one_triple(struct arena *a, const authz_bundle *P, const authz_bundle *C, uint32_t ci,
		      const struct sym_triple *t, const struct sym_opts *o, struct testrun_assert *r)
{
	struct arena scr = ARENA_INIT;
	struct sym_ctx c;
	int rc = 0;
	if (sym_ctx_open(&c, &scr, C, P, t->p, t->a, t->r) < 0) {
		unknown(a, r, arena_printf(a, "%s %s %s: %s", t->p, t->a, t->r, c.unsup));
		rc = 1;
		goto done;
	}
	if (!c.side[0].ok || !c.side[1].ok || !sym_in_scope(&c.side[0], ci))
		goto done;
	r->ntriples++;
	uint32_t *v = arena_calloc(&scr, P->nrules + 1, sizeof *v);
	size_t n = 0;
	for (uint32_t ri = 0; ri < P->nrules; ri++)
		if (sym_in_scope(&c.side[1], ri)) {
			v[n++] = ri;
			sym_string_uses(&c, 1, ri);
		}
	sym_string_uses(&c, 0, ci);
	sym_ctx_finish(&c);
	Z3_ast applied, error;
	if (sym_rule_encode(&c, 0, ci, &applied, &error) < 0) {
		unknown(a, r, arena_printf(a, "the model does not cover the assertion's condition: %s", c.unsup));
		rc = 1;
		goto done;
	}
	Z3_ast cond = sym_or2(&c, applied, error);
	Z3_ast permit = sym_false(&c), forbid = sym_false(&c);
	for (size_t i = 0; i < n; i++) {
		const struct bundle_rule *pr = &P->rules[v[i]];
		if (sym_rule_encode(&c, 1, v[i], &applied, &error) < 0) {
			unknown(a, r, arena_printf(a, "%s %s %s: the model does not cover rule '%s': %s", t->p, t->a,
						   t->r, bundle_str(P, pr->id), c.unsup));
			rc = 1;
			goto done;
		}
		Z3_ast fire = pr->effect == AUTHZ_FORBID ? sym_or2(&c, applied, error) : applied;
		if (pr->has_expires)
			fire = sym_and2(&c, Z3_mk_lt(c.z, c.now, sym_int(&c, pr->expires)), fire);
		if (pr->effect == AUTHZ_FORBID)
			forbid = sym_or2(&c, forbid, fire);
		else
			permit = sym_or2(&c, permit, fire);
	}
	Z3_ast allow = sym_and2(&c, sym_not(&c, forbid), permit);
	Z3_ast bad = r->a->forbids_allow ? allow : sym_not(&c, allow);

	Z3_solver so = sym_solver(&c, o->timeout_ms);
	Z3_solver_assert(c.z, so, c.base);
	Z3_solver_assert(c.z, so, c.side[0].valid);
	Z3_solver_assert(c.z, so, c.side[1].valid);
	Z3_solver_assert(c.z, so, cond);
	Z3_solver_assert(c.z, so, bad);
	Z3_ast nice = sym_nice(&c);
	struct buf json = BUF_ARENA(&scr), src = BUF_ARENA(&scr);
	for (unsigned round = 0;; round++) {
		Z3_solver_push(c.z, so);
		Z3_solver_assert(c.z, so, nice);
		bool pushed = true;
		Z3_lbool q = Z3_solver_check(c.z, so);
		if (q != Z3_L_TRUE) {
			Z3_solver_pop(c.z, so, 1);
			pushed = false;
			q = Z3_solver_check(c.z, so);
		}
		if (q == Z3_L_FALSE)
			break;  /* proved in this triple */
		rc = 1;
		if (q == Z3_L_UNDEF) {
			unknown(a, r, arena_printf(a, "%s %s %s: the solver gave up (%s); raise --solver-timeout",
						   t->p, t->a, t->r, Z3_solver_get_reason_unknown(c.z, so)));
			if (pushed)
				Z3_solver_pop(c.z, so, 1);
			break;
		}
		Z3_model m = Z3_solver_get_model(c.z, so);
		Z3_model_inc_ref(c.z, m);
		if (pushed && n <= SYM_IMPROVE_MAX_RULES)
			sym_improve(&c, so, &m);
		Z3_ast more = sym_true(&c);
		int wr = sym_witness(&c, m, &json, &src, &more);
		bool predicted = sym_mtrue(&c, m, allow);
		Z3_model_dec_ref(c.z, m);
		if (pushed)
			Z3_solver_pop(c.z, so, 1);
		if (wr == 1 && round < 64) {
			Z3_solver_assert(c.z, so, more);        /* a string outside the alphabet: ask again */
			rc = 0;
			continue;
		}
		if (wr != 0) {
			unknown(a, r, arena_printf(a, "%s %s %s: a counterexample exists but cannot be written (%s)",
						   t->p, t->a, t->r, c.unsup ? c.unsup : "strings outside the alphabet"));
			break;
		}
		/* the runtime must agree before anything is claimed */
		bool allowed, hit, ca;
		const char **rules, **crules;
		size_t nrules, ncrules;
		const char *cid = bundle_str(C, C->rules[ci].id);
		if (decide(a, P, json.p, &allowed, &rules, &nrules, NULL, NULL) < 0 ||
		    decide(a, C, json.p, &ca, &crules, &ncrules, cid, &hit) < 0) {
			unknown(a, r, "the runtime could not decide the counterexample (out of memory)");
			break;
		}
		if (allowed != predicted || allowed != r->a->forbids_allow || !hit) {
			unknown(a, r, arena_printf(a, "internal error: the counterexample does not reproduce what the "
						   "model predicted (a bug in authzc's symbolic model; please report "
						   "it): predicted %s, the runtime decided %s%s for %s",
						   predicted ? "allow" : "deny", allowed ? "allow" : "deny",
						   hit ? "" : " and the condition does not hold", json.p));
			break;
		}
		r->verdict = TA_VIOLATED;
		r->reason = NULL;
		r->principal_type = arena_strdup(a, t->p);
		r->action = arena_strdup(a, t->a);
		r->resource_type = arena_strdup(a, t->r);
		r->witness = arena_strdup(a, json.p);
		r->allowed = allowed;
		r->rules = rules;
		r->nrules = nrules;
		r->test_src = test_block(a, r, src.p ? src.p : "");
		break;
	}
	Z3_solver_dec_ref(c.z, so);
done:
	sym_ctx_close(&c);
	arena_free(&scr);
	return rc;
}

void sym_assert_check(struct arena *a, const authz_bundle *policies, const authz_bundle *conds,
		      const struct sym_opts *o, struct testrun_assert *r)
{
	double t0 = now_s();
	char id[64];
	snprintf(id, sizeof id, CODEGEN_ASSERT_PREFIX "%zu", r->index);
	r->ntriples = 0;
	uint32_t ci = 0;
	while (ci < conds->nrules && strcmp(bundle_str(conds, conds->rules[ci].id), id))
		ci++;
	if (ci == conds->nrules) {
		unknown(a, r, "internal error: the assertion was not compiled");
		r->seconds = now_s() - t0;
		return;
	}
	struct arena scr = ARENA_INIT;
	struct sym_triple *t = NULL;
	size_t n = 0, cap = 0;
	sym_triples(&scr, policies, &t, &n, &cap);
	r->verdict = TA_PROVED;
	r->reason = NULL;
	for (size_t i = 0; i < n; i++)
		if (one_triple(a, policies, conds, ci, &t[i], o, r))
			break;
	arena_free(&scr);
	r->seconds = now_s() - t0;
}

int sym_assert_run(struct compilation *c, const authz_bundle *b, const struct sym_opts *o, struct testrun *run,
		   char *err, size_t size)
{
	if (!run->nasserts)
		return 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	authz_bundle *conds = NULL;
	authz_error e;
	if (codegen_assert_bundle(c, &buf, &len) != 0) {
		snprintf(err, size, "cannot compile the assertions: %s",
			 c->diags.n ? c->diags.items[c->diags.n - 1]->message : "a limit of the bundle format");
		return -1;
	}
	int rc = authz_bundle_load(&conds, buf, len, &e);
	free(buf);
	if (rc < 0) {
		snprintf(err, size, "cannot load the assertions' bundle: %s", e.message);
		return -1;
	}
	for (size_t i = 0; i < run->nasserts; i++)
		sym_assert_check(&c->arena, b, conds, o, &run->asserts[i]);
	authz_bundle_free(conds);
	testrun_recount(run);
	return 0;
}
