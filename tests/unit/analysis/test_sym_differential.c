/*
 * test_sym_differential.c: the symbolic model against the runtime on
 * random policies (the generator of tests/unit/hardening/df_gen.h).
 *
 * Each random policy is diffed against the one before it (and the first
 * against no version at all).  Two ways to be wrong are checked:
 *   - sound: every class's witness, built from the solver's model, is
 *     decided by libauthz on both sides; the decisions and rules must be
 *     those the model predicted (sym_diff.c turns a mismatch into an
 *     "internal error" class, which fails this test);
 *   - complete: random requests (from the same pools as the
 *     reference-evaluator test) are decided by both bundles; each request
 *     decided differently must fall in a class the diff reported for its
 *     triple: same kind, same decisions; the solver may give up (unknown,
 *     counted), it may never answer "no change" wrongly.
 * AUTHZC_SYM_SEED, AUTHZC_SYM_POLICIES and AUTHZC_SYM_CLASSES (the class
 * limit per pair: past it a pair's remaining triples are unknown, which
 * the completeness check accepts) change the cases.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harden_util.h"
#include "hardening/df_gen.h"
#include "sym.h"

/* CI's share; AUTHZC_SYM_POLICIES=120 AUTHZC_SYM_CLASSES=64 is the longer
 * run (about 10 minutes). */
#define SD_POLICIES 25
#define SD_CLASSES 12
#define SD_REQUESTS 60

/* allow, and the rules joined by ' ', of json decided by b (NULL: deny). */
static bool decide_str(const authz_bundle *b, const char *json, char *rules, size_t size)
{
	rules[0] = 0;
	if (!b)
		return false;
	authz_decision *d;
	authz_request *r;
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decide_json(d, b, r, json, strlen(json), 0), 0);
	bool allow = authz_decision_allowed(d);
	for (size_t i = 0; i < authz_decision_rule_count(d); i++) {
		size_t n = strlen(rules);
		snprintf(rules + n, size - n, "%s ", authz_decision_rule(d, i));
	}
	authz_decision_free(d);
	authz_request_free(r);
	return allow;
}

Test(sym_differential, witnesses_reproduce_and_no_flipped_request_is_missed, .timeout = 900)
{
	const char *seed_env = getenv("AUTHZC_SYM_SEED");
	const char *np_env = getenv("AUTHZC_SYM_POLICIES");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed5e11u;
	long npolicies = np_env ? atol(np_env) : SD_POLICIES;
	const char *nc_env = getenv("AUTHZC_SYM_CLASSES");
	unsigned max_classes = nc_env ? (unsigned)atol(nc_env) : SD_CLASSES;
	df_state = seed ? seed : 1;
	struct df_buf pol = { 0 }, prev = { 0 }, js = { 0 };
	authz_bundle *old = NULL;
	long pairs = 0, classes = 0, unknowns = 0, gave_up = 0, flipped = 0, refused = 0;
	struct arena a = ARENA_INIT;
	for (long pi = 0; pi < npolicies; pi++) {
		gen_policy(&pol);
		authz_bundle *new = df_compile(pol.p);
		if (!new) {
			refused++;
			continue;
		}
		struct sym_opts o = SYM_OPTS_DEFAULT;
		o.timeout_ms = 5000;
		o.max_classes = max_classes;
		struct sym_diff d;
		char err[200];
		cr_assert_eq(sym_diff_run(&a, old, new, &o, &d, err, sizeof err), 0, "%s", err);
		pairs++;
		classes += (long)d.nclasses;
		for (size_t i = 0; i < d.nclasses; i++) {
			const struct sym_class *k = &d.classes[i];
			if (k->kind == SYM_UNKNOWN) {
				cr_assert_null(strstr(k->reason, "internal error"),
					       "%s (seed %#llx, policy %ld)\nold:\n%s\nnew:\n%s", k->reason,
					       (unsigned long long)seed, pi, prev.p ? prev.p : "(none)", pol.p);
				unknowns++;
				gave_up += strstr(k->reason, "gave up") != NULL;
			}
		}
		for (int qi = 0; qi < SD_REQUESTS; qi++) {
			struct ref_request q;
			gen_request(&q);
			json_request(&js, &q);
			char r0[512], r1[512];
			bool a0 = decide_str(old, js.p, r0, sizeof r0), a1 = decide_str(new, js.p, r1, sizeof r1);
			if (a0 == a1 && !strcmp(r0, r1))
				continue;
			flipped++;
			enum sym_kind want = a0 == a1 ? SYM_RULES : a1 ? SYM_LOOSENED : SYM_TIGHTENED;
			bool found = false;
			for (size_t i = 0; i < d.nclasses && !found; i++)
				found = (d.classes[i].kind == want || d.classes[i].kind == SYM_UNKNOWN) &&
					!strcmp(d.classes[i].action, q.action);
			if (!found)
				for (size_t i = 0; i < d.nclasses; i++)
					fprintf(stderr, "class %zu: kind %d %s %s witness %s reason %s\n", i,
						d.classes[i].kind, d.classes[i].action, d.classes[i].principal_type,
						d.classes[i].witness ? d.classes[i].witness : "-",
						d.classes[i].reason ? d.classes[i].reason : "-");
			cr_assert(found,
				  "a request decided differently (%s: '%s' -> %s: '%s') is in no class of its kind "
				  "(seed %#llx, policy %ld)\nold:\n%s\nnew:\n%s\nrequest: %s",
				  a0 ? "allow" : "deny", r0, a1 ? "allow" : "deny", r1, (unsigned long long)seed, pi,
				  prev.p ? prev.p : "(none)", pol.p, js.p);
		}
		authz_bundle_free(old);
		old = new;
		free(prev.p);
		prev.p = strdup(pol.p);
		arena_free(&a);
	}
	authz_bundle_free(old);
	fprintf(stderr, "sym_differential: %ld pairs, %ld classes (%ld unknown, %ld of them the solver giving up), "
		"%ld flipped random requests all in a reported class; %ld policies refused by the checker\n",
		pairs, classes, unknowns, gave_up, flipped, refused);
	cr_assert_gt(pairs, npolicies / 2);
	cr_assert_gt(flipped, 0, "the random requests must flip some decisions, or the test proves nothing");
	/* a class the solver gave up on is unknown, never wrong; too many
	 * would still mean the model is too hard for it (the margin is for
	 * slow machines and the sanitizers: about 1-2%% here) */
	cr_assert_lt(gave_up * 10, classes + 1, "the solver gave up on more than 10%% of the classes");
	free(pol.p);
	free(prev.p);
	free(js.p);
}
