/*
 * test_differential.c: compiled bytecode against the reference evaluator
 * (refeval.c) on random well-typed policies and requests.
 *
 * The generator (a fixed-seed xorshift, so every run checks the same cases;
 * AUTHZC_DIFF_SEED and AUTHZC_DIFF_POLICIES change them):
 *   - a policy set of 1 to 6 rules, each permit or forbid at random, with
 *     an action scope (none, == "read", in ["read", "write"]) and 1 to 3
 *     `when`/`unless` clauses;
 *   - each clause a random bool expression of depth <= 4 over the schema
 *     DF_SCHEMA, built by type: and/or/not, comparisons of ints, timestamps
 *     and durations, string and set equality, `in` on sets and ip ranges,
 *     containsAll/containsAny/isEmpty, like with '*' and '\*', `has` guarding
 *     the optional attributes, timestamp accessors, int arithmetic with
 *     literals near 2^62 so that + - * and unary - overflow (rule errors);
 *     timestamp +- duration and timestamp - timestamp;
 *   - requests with random attribute values from small pools (so
 *     comparisons and set tests go both ways), optional attributes present
 *     or not, and a random action.
 * Each policy is checked (a policy the checker refuses is counted and
 * skipped; the ratio is logged) and compiled; each request is decided by
 * libauthz with a trace and by refeval.  Compared: the outcome of every
 * rule (applied, not applied, rule error), allow/deny, and the rules the
 * decision names.  CI runs DF_POLICIES x DF_REQUESTS >= 100,000 cases.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harden_util.h"
#include "refeval.h"

#include "df_gen.h"

static const char *outcome_str(int o)
{
	return o == REF_APPLIED ? "applied" : o == REF_ERROR ? "error" : "not applied";
}

Test(differential, bytecode_agrees_with_the_reference_evaluator, .timeout = 600)
{
	const char *seed_env = getenv("AUTHZC_DIFF_SEED");
	const char *np_env = getenv("AUTHZC_DIFF_POLICIES");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed2026u;
	long npolicies = np_env ? atol(np_env) : DF_POLICIES;
	df_state = seed ? seed : 1;
	struct df_buf pol = { 0 }, js = { 0 };
	long compared = 0, refused = 0, rules_compared = 0, allows = 0, errors = 0;
	authz_decision *d;
	cr_assert_eq(authz_decision_new(&d), 0);
	for (long pi = 0; pi < npolicies; pi++) {
		size_t nrules = gen_policy(&pol);
		authz_bundle *b = df_compile(pol.p);
		if (!b) {
			if (refused < 3) {
				fprintf(stderr, "differential: refused policy (seed %#llx, policy %ld):\n%s",
					(unsigned long long)seed, pi, pol.p);
				ck_dump();
			}
			refused++;
			continue;
		}
		authz_request *r;
		cr_assert_eq(authz_request_new(&r, b), 0);
		cr_assert_eq(ck_c.checked->nrules, nrules);
		for (int qi = 0; qi < DF_REQUESTS; qi++) {
			struct ref_request q;
			gen_request(&q);
			json_request(&js, &q);
			cr_assert_eq(authz_decide_json(d, b, r, js.p, js.n, AUTHZ_DECIDE_TRACE), 0);
			/* Request errors would make the comparison vacuous. */
			for (size_t e = 0; e < authz_decision_error_count(d); e++) {
				int kind;
				const char *rule, *msg;
				authz_decision_error(d, e, &kind, &rule, &msg);
				cr_assert_eq(kind, AUTHZ_ERR_RULE, "request error: %s\n%s", msg, js.p);
			}
			int want[64];
			bool any_forbid = false, any_permit = false;
			for (size_t k = 0; k < nrules; k++) {
				const struct checked_rule *cr = &ck_c.checked->rules[k];
				want[k] = refeval_rule(cr->rule, &q);
				if (want[k] != REF_NOT_APPLIED) {
					if (cr->effect == EFFECT_FORBID)
						any_forbid = true;
					else if (want[k] == REF_APPLIED)
						any_permit = true;
				}
			}
			int allow = !any_forbid && any_permit;
			/* Per rule, from the trace (rules not traced did not run). */
			for (size_t k = 0; k < nrules; k++) {
				const char *id = ck_c.checked->rules[k].id;
				int got = REF_NOT_APPLIED;
				for (size_t t = 0; t < authz_decision_trace_count(d); t++) {
					authz_trace tr;
					authz_decision_trace(d, t, &tr);
					if (!strcmp(tr.rule, id))
						got = tr.outcome == AUTHZ_APPLIED ? REF_APPLIED
						    : tr.outcome == AUTHZ_RULE_ERROR ? REF_ERROR : REF_NOT_APPLIED;
				}
				cr_assert_eq(got, want[k],
					     "rule %s: bytecode %s, reference %s (seed %#llx, policy %ld)\n"
					     "policy:\n%s\nrequest:\n%s\ndecision: %s",
					     id, outcome_str(got), outcome_str(want[k]),
					     (unsigned long long)seed, pi, pol.p, js.p,
					     authz_decision_json(d, NULL));
				rules_compared++;
				if (want[k] == REF_ERROR)
					errors++;
			}
			cr_assert_eq(authz_decision_allowed(d), allow, "decision differs:\n%s\n%s", pol.p, js.p);
			/* The rules the decision names: the forbids that applied (or
			 * erred), else the permits that applied. */
			size_t named = 0;
			for (size_t k = 0; k < nrules; k++) {
				const struct checked_rule *cr = &ck_c.checked->rules[k];
				bool counts = any_forbid ? cr->effect == EFFECT_FORBID && want[k] != REF_NOT_APPLIED
							 : allow && want[k] == REF_APPLIED;
				named += counts;
			}
			cr_assert_eq(authz_decision_rule_count(d), named, "named rules differ:\n%s\n%s\n%s",
				     pol.p, js.p, authz_decision_json(d, NULL));
			allows += allow;
			compared++;
		}
		authz_request_free(r);
		authz_bundle_free(b);
	}
	authz_decision_free(d);
	cr_log_info("differential: %ld cases (%ld rule outcomes, %ld rule errors, %ld allows) "
		    "over %ld policies, %ld refused by the checker (seed %#llx)",
		    compared, rules_compared, errors, allows, npolicies - refused, refused,
		    (unsigned long long)seed);
	fprintf(stderr, "differential: %ld cases compared, 0 disagreements, %ld of %ld policies refused\n",
		compared, refused, npolicies);
	if (npolicies == DF_POLICIES)
		cr_assert(compared >= 100000 * 9 / 10, "too few cases: %ld", compared);
	cr_assert(refused * 2 < npolicies, "the generator makes too many ill-typed policies: %ld", refused);
	free(pol.p);
	free(js.p);
}
