/*
 * promote.c: `promote` and `rollback`: the gates, the compare-and-swap ref
 * move and the promotion record (the design and its order are in
 * promote.h).
 *
 * Every gate reads; only the two writes at the end change the repository,
 * and --dry-run stops before them.  The evidence (bundle digest, schema
 * digest, tests, coverage) is computed from the source commit's own tree,
 * compiled in memory (diff_side_load), never from the working tree.
 */
#include <cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coverage.h"
#include "diff.h"
#include "promote.h"
#include "sym_assert.h"
#include "testrun.h"
#include "keys.h"

/* Tag numbers tried past the highest one seen before giving up. */
#define PROMOTE_TAG_TRIES 64

/* Two outcomes of the steps below besides 0: a gate refused (out->gate and
 * out->why say which and why), or trouble (-1, g->msg says what). */
#define REFUSED 1

/* A refusal: which gate, and why.  Returns REFUSED. */
static int refuse(struct promote_result *out, const char *gate, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct promote_result *out, const char *gate, const char *fmt, ...)
{
	va_list ap;
	out->outcome = PROMOTE_REFUSED;
	out->gate = gate;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof out->why, fmt, ap);
	va_end(ap);
	return REFUSED;
}

/*
 * Compile `commit`'s tree and run its tests with coverage into out->ev,
 * judged against the gates already in out->ev (load_gates).  Returns 0,
 * REFUSED when it does not compile (out->failed keeps the compilation and
 * its diagnostics), or -1 on trouble.
 */
static int gather(struct gitx *g, const git_oid *commit, struct promote_result *out)
{
	struct diff_side side;
	struct promote_evidence *ev = &out->ev;
	char hex[GIT_OID_HEXSZ + 1], msg[512];
	int code = 0;
	git_oid_tostr(hex, sizeof hex, commit);
	int rc = diff_side_load(&side, g, hex);
	if (rc > 0) {
		out->failed = side;
		out->has_failed = true;
		return refuse(out, "compile", "%.7s does not compile", hex);
	}
	if (rc < 0) {
		code = -1;
		goto done;
	}
	snprintf(ev->bundle, sizeof ev->bundle, "%s", authz_bundle_digest(side.bundle));
	snprintf(ev->schema, sizeof ev->schema, "%s", authz_bundle_schema_digest(side.bundle));
	struct coverage cov;
	struct testrun run;
	coverage_init(&cov, side.c);
	if (testrun_run(side.c, side.bundle, NULL, &cov, &run, msg, sizeof msg) < 0) {
		code = gitx_fail_plain(g, -1, "cannot run the tests of %.7s: %s", hex, msg);
		goto done;
	}
	/* the assertions are tests of the gate: one not proved fails it */
	struct sym_opts so = SYM_OPTS_DEFAULT;
	if (sym_assert_run(side.c, side.bundle, &so, &run, msg, sizeof msg) < 0) {
		code = gitx_fail_plain(g, -1, "cannot check the assertions of %.7s: %s", hex, msg);
		goto done;
	}
	ev->tests_run = run.n + run.nasserts;
	ev->tests_passed = run.passed;
	for (size_t i = 0; i < run.n && !ev->failed; i++)
		if (!run.results[i].passed)
			ev->failed = arena_strndup(&out->arena, run.results[i].test->name,
						   run.results[i].test->name_len);
	for (size_t i = 0; i < run.nasserts && !ev->failed; i++)
		if (run.asserts[i].verdict != TA_PROVED)
			ev->failed = arena_printf(&out->arena, "assert %.*s", (int)run.asserts[i].a->name_len,
						  run.asserts[i].a->name);
	struct cov_count counts[COV_NMEASURES];
	coverage_counts(&cov, counts);
	ev->guards = counts[COV_GUARDS];
	ev->coverage = coverage_percent(ev->guards);
	ev->under = coverage_under(&cov, ev->min);
done:
	diff_side_release(&side);
	return code;
}

/*
 * gates.untested_loosening: the behaviour diff (diff_behaviour) from
 * `current`, what the environment runs, to `dest`; refused when a class
 * of newly allowed requests is exercised by no test of `dest`, or the
 * solver could not decide a part.  Returns 0, REFUSED, or -1 on trouble.
 */
static int behaviour_gate(struct gitx *g, const git_oid *current, const git_oid *dest, struct promote_result *out)
{
	struct diff_side old = { 0 }, new = { 0 };
	struct arena a = ARENA_INIT;
	char h0[GIT_OID_HEXSZ + 1], h1[GIT_OID_HEXSZ + 1], err[512];
	struct promote_evidence *ev = &out->ev;
	int code = 0;
	git_oid_tostr(h0, sizeof h0, current);
	git_oid_tostr(h1, sizeof h1, dest);
	if (diff_side_load(&old, g, h0) != 0 || diff_side_load(&new, g, h1) != 0) {
		code = gitx_fail_plain(g, -1, "cannot compile %.7s and %.7s for gates.untested_loosening: %s", h0,
				       h1, g->msg);
		goto done;
	}
	struct diff_report r;
	diff_report_init(&r, &a, &old, &new);
	struct diff_impact_state *s = diff_impact_begin(&r, &old, &new);
	diff_impact_tests(s, &new);
	diff_impact_end(s);
	struct sym_opts so = SYM_OPTS_DEFAULT;
	if (diff_behaviour(&r, &old, &new, &so, err, sizeof err) < 0) {
		code = gitx_fail_plain(g, -1, "gates.untested_loosening: %s", err);
		goto done;
	}
	ev->behaviour_run = true;
	ev->loosened = r.sym.nloosened;
	ev->untested_loosened = r.untested_loosened;
	ev->unknown = r.sym.nunknown;
	for (size_t i = 0; i < r.sym.nclasses; i++) {
		const struct diff_class *dc = &r.classes[i];
		if (dc->k->kind == SYM_UNKNOWN)
			code = refuse(out, "untested-loosening", "the solver could not decide every request of %s %s %s "
				      "(%s); 'authzc diff %.7s %.7s' shows it", dc->k->principal_type, dc->k->action,
				      dc->k->resource_type, dc->k->reason, h0, h1);
		else if (dc->k->kind == SYM_LOOSENED && !dc->tested_by)
			code = refuse(out, "untested-loosening", "%.7s newly allows %s %s %s requests that no test "
				      "exercises (%zu such %s), such as %s; add a test ('authzc diff %.7s %.7s' "
				      "offers one for each)", h1, dc->k->principal_type, dc->k->action,
				      dc->k->resource_type, r.untested_loosened,
				      r.untested_loosened == 1 ? "class" : "classes", dc->k->witness, h0, h1);
		if (code)
			break;
	}
done:
	diff_side_release(&old);
	diff_side_release(&new);
	arena_free(&a);
	return code;
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The previous record a new one chains to: its number and the SHA-256 of
 * its text as stored; NULL for the first. */
struct chain_link {
	unsigned n;
	char sha[EV_SHA256_TEXT];
};

/* The record's JSON text (malloc'd): the evidence authzc-promote(1) lists,
 * chained to `link` and sealed with `key` (record_seal). */
static char *record_json(const struct promote_opts *o, unsigned n, const git_oid *commit,
			 const git_oid *previous, const struct promote_evidence *ev,
			 const struct promote_gates *gt, const git_signature *who, int64_t now_ms,
			 unsigned rollback_to, const struct chain_link *link, const struct ev_sec *key)
{
	char hex[GIT_OID_HEXSZ + 1], prev[GIT_OID_HEXSZ + 1], when[32];
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "kind", o->rollback ? "rollback" : "promote");
	cJSON_AddStringToObject(j, "environment", o->env);
	cJSON_AddNumberToObject(j, "record", n);
	cJSON_AddStringToObject(j, "commit", git_oid_tostr(hex, sizeof hex, commit));
	cJSON_AddItemToObject(j, "previous",
			      str_or_null(previous ? git_oid_tostr(prev, sizeof prev, previous) : NULL));
	if (o->rollback)
		cJSON_AddItemToObject(j, "rollback_to",
				      rollback_to ? cJSON_CreateNumber(rollback_to) : cJSON_CreateNull());
	cJSON_AddStringToObject(j, "bundle", ev->bundle);
	cJSON_AddStringToObject(j, "schema", ev->schema);
	if (ev->behaviour_run) {
		cJSON *bh = cJSON_AddObjectToObject(j, "behaviour");
		cJSON_AddNumberToObject(bh, "loosened", (double)ev->loosened);
		cJSON_AddNumberToObject(bh, "untested_loosened", (double)ev->untested_loosened);
		cJSON_AddNumberToObject(bh, "unknown", (double)ev->unknown);
	}
	cJSON *t = cJSON_AddObjectToObject(j, "tests");
	cJSON_AddNumberToObject(t, "run", (double)ev->tests_run);
	cJSON_AddNumberToObject(t, "passed", (double)ev->tests_passed);
	cJSON *c = cJSON_AddObjectToObject(j, "coverage");
	cJSON_AddNumberToObject(c, "guards", ev->coverage);
	cJSON_AddNumberToObject(c, "covered", (double)ev->guards.covered);
	cJSON_AddNumberToObject(c, "total", (double)ev->guards.total);
	cJSON_AddNumberToObject(c, "min", ev->min);
	cJSON_AddStringToObject(c, "min_from", ev->min_from);
	cJSON_AddItemToObject(j, "ticket", str_or_null(o->ticket));
	cJSON *p = cJSON_AddObjectToObject(j, "promoter");
	cJSON_AddStringToObject(p, "name", who->name);
	cJSON_AddStringToObject(p, "email", who->email);
	authz_format_time(now_ms, when);
	cJSON_AddStringToObject(j, "time", when);
	/* the gates of gates.environments in force, and what passed them */
	cJSON *gj = cJSON_AddObjectToObject(j, "gates");
	cJSON_AddStringToObject(gj, "from", gt->from);
	cJSON_AddNumberToObject(gj, "approvals", gt->approvals);
	cJSON_AddBoolToObject(gj, "require_ticket", gt->require_ticket);
	if (gt->has_soak) {
		char d[32];
		authz_format_duration(gt->min_soak_ms, d);
		cJSON_AddStringToObject(gj, "min_soak", d);
		if (ev->soak_record) {
			cJSON *sk = cJSON_AddObjectToObject(j, "soak");
			cJSON_AddStringToObject(sk, "record", ev->soak_record);
			authz_format_duration(ev->soaked_ms, d);
			cJSON_AddStringToObject(sk, "soaked", d);
		}
	}
	cJSON *aj = cJSON_AddArrayToObject(j, "approvals");
	for (size_t i = 0; i < ev->napprovals; i++) {
		const struct approval *ap = &ev->approvals[i];
		if (ap->reject)
			continue;
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "key", ap->key);
		cJSON_AddStringToObject(x, "name", ap->signer);
		cJSON_AddItemToObject(x, "ticket", str_or_null(ap->ticket));
		cJSON_AddStringToObject(x, "time", ap->time);
		cJSON_AddStringToObject(x, "signature", ap->sig);
		cJSON_AddItemToArray(aj, x);
	}
	if (link) {
		cJSON *ch = cJSON_AddObjectToObject(j, "chain");
		cJSON_AddNumberToObject(ch, "record", link->n);
		cJSON_AddStringToObject(ch, "sha256", link->sha);
	} else {
		cJSON_AddNullToObject(j, "chain");
	}
	char *text = record_seal(j, key);
	cJSON_Delete(j);
	return text;
}

/* Is `hex` among the `n` commits of `set`? */
static bool among(const char **set, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i], hex))
			return true;
	return false;
}

/*
 * The commit a rollback without --to goes back to: walking the versions
 * the environment had (the first record's previous commit, then each
 * record's commit) from the latest back, the first that is neither the
 * current one nor rolled back from.  A record of kind "rollback" marks its
 * previous commit as rolled back from; a later record moving to that
 * commit (rollback --to N) clears the mark.  NULL when there is none.
 */
static const char *walk_back(struct arena *a, const struct promote_record *recs, size_t n,
			     const char *current)
{
	const char **bad = arena_calloc(a, n + 1, sizeof(*bad));
	size_t nbad = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < nbad;)
			if (!strcmp(bad[j], recs[i].commit))
				bad[j] = bad[--nbad];
			else
				j++;
		if (recs[i].kind && !strcmp(recs[i].kind, "rollback") && recs[i].previous &&
		    !among(bad, nbad, recs[i].previous))
			bad[nbad++] = recs[i].previous;
	}
	for (size_t i = n; i-- > 0;) {
		const char *hex = recs[i].commit;
		if (strcmp(hex, current) && !among(bad, nbad, hex))
			return hex;
		hex = recs[i].previous;
		if (hex && strcmp(hex, current) && !among(bad, nbad, hex))
			return hex;
	}
	return NULL;
}

/* The commit a rollback goes to: record `to`'s, or the latest version
 * before the current one that was not rolled back from (walk_back).
 * 0, REFUSED, or -1 on trouble. */
static int rollback_target(struct gitx *g, const struct promote_opts *o, struct promote_result *res,
			   const git_oid *current, git_oid *out, unsigned *record)
{
	struct promote_record *recs;
	size_t n;
	struct arena *a = &res->arena;
	char cur[GIT_OID_HEXSZ + 1];
	if (promote_records(g, o->env, a, &recs, &n) < 0)
		return -1;
	if (!n)
		return refuse(res, "record", "'%s' has no promotion records", o->env);
	const char *hex = NULL;
	*record = 0;
	if (o->to) {
		for (size_t i = 0; i < n && !hex; i++)
			if (recs[i].n == o->to)
				hex = recs[i].commit;
		if (!hex)
			return refuse(res, "record", "'%s' has no record %u (its records run from %u to %u)",
				      o->env, o->to, recs[0].n, recs[n - 1].n);
		*record = o->to;
	} else {
		hex = walk_back(a, recs, n, git_oid_tostr(cur, sizeof cur, current));
		if (!hex && n == 1 && !recs[0].previous)
			return refuse(res, "record", "record %s has no previous commit to go back to",
				      recs[0].tag);
		if (!hex)
			return refuse(res, "record", "'%s' has no earlier version that was not rolled "
				      "back from; 'authzc rollback %s --to N' returns to record N",
				      o->env, o->env);
		/* The record that put that commit there, when there is one. */
		for (size_t i = n; i-- > 0 && !*record;)
			if (!strcmp(recs[i].commit, hex))
				*record = recs[i].n;
	}
	if (git_oid_fromstr(out, hex) < 0)
		return gitx_fail_plain(g, -1, "record of '%s' names a bad commit '%s'", o->env, hex);
	return 0;
}

/* Move the ref: compare-and-swap against `current` (or create it when
 * there was none).  0, or a libgit2 error (EMODIFIED, EEXISTS, ELOCKED:
 * lost a race). */
static int move_ref(struct gitx *g, const char *refname, const git_oid *target,
		    const git_oid *current, const char *log)
{
	git_reference *ref = NULL;
	int error;
	if ((error = git_reference_ensure_log(g->repo, refname)) < 0) {
		gitx_fail(g, error, "cannot create the reflog of '%s'", refname);
		goto cleanup;
	}
	/* force=1 with an expected value: libgit2 compares under the ref's
	 * lock.  The zero id expects no ref at all (git_reference_create with
	 * force=0 checks that before taking the lock, which races). */
	git_oid none;
	memset(&none, 0, sizeof none);
	error = git_reference_create_matching(&ref, g->repo, refname, target, 1,
					      current ? current : &none, log);
	if (error < 0)
		gitx_fail(g, error, "cannot move '%s'", refname);
cleanup:
	git_reference_free(ref);
	return error;
}

/*
 * The annotated tag `name`, never overwriting: the tag object first, then
 * its ref compare-and-swapped against "no ref" under the ref's lock
 * (git_tag_create with force=0 checks before locking, so two writers could
 * both pass and the second would replace the first).  0, a lost race
 * (GIT_EMODIFIED, GIT_ELOCKED), or -1 with g->msg.
 */
static int create_tag(struct gitx *g, const char *name, const git_object *target,
		      const git_signature *tagger, const char *message)
{
	git_reference *ref = NULL;
	git_oid id, none;
	int error;
	memset(&none, 0, sizeof none);
	const char *refname = arena_printf(&g->cfg.arena, "refs/tags/%s", name);
	if ((error = git_tag_annotation_create(&id, g->repo, name, target, tagger, message)) < 0) {
		gitx_fail(g, error, "cannot write the tag object '%s'", name);
		error = -1;
		goto cleanup;
	}
	error = git_reference_create_matching(&ref, g->repo, refname, &id, 1, &none, NULL);
	if (error < 0 && error != GIT_EMODIFIED && error != GIT_ELOCKED && error != GIT_EEXISTS) {
		gitx_fail(g, error, "cannot create '%s'", refname);
		error = -1;
	}
cleanup:
	git_reference_free(ref);
	return error;
}

static bool lost_race(int error)
{
	return error == GIT_EMODIFIED || error == GIT_EEXISTS || error == GIT_ELOCKED;
}

/*
 * The promoter's key against the trusted keys in force: when some key has
 * the promote role, a promote key is required (--key); a key given must be
 * a trusted promote key.  0 or REFUSED.
 */
static int key_gate(const struct promote_opts *o, const struct promote_gates *gt, const struct ev_sec *key,
		    struct promote_result *out)
{
	const char *verb = o->rollback ? "rollback" : "promote";
	if (!key) {
		if (gt->has_promote_keys)
			return refuse(out, "signature", "%s at %.7s trusts promote keys, so every record of '%s' "
				      "is signed: give the promoter's key ('authzc %s %s --key KEYFILE')",
				      "authzc.json", gt->from, o->env, verb, o->env);
		return 0;
	}
	const struct ev_trusted *t = ev_keyring_find(&gt->keys, key->pub.id);
	if (!t)
		return refuse(out, "signature", "key %s (%s) is not in trusted_keys of authzc.json at %.7s, "
			      "whose gates apply; add its .pub file with the role \"promote\"", key->pub.id,
			      key->pub.name, gt->from);
	if (!(t->roles & EV_ROLE_PROMOTE)) {
		char roles[64];
		ev_roles_text(t->roles, roles, sizeof roles);
		return refuse(out, "signature", "key %s (%s) lacks the 'promote' role in authzc.json at %.7s "
			      "(it has: %s)", key->pub.id, key->pub.name, gt->from, roles);
	}
	out->ev.signer = arena_strdup(&out->arena, key->pub.name);
	return 0;
}

/*
 * gates.environments.<env>.min_soak: `dest` has been in `prev_env` at
 * least that long, from the earliest record of `prev_env` whose commit
 * contains it, to now.  0, REFUSED, or -1 on trouble.
 */
static int soak_gate(struct gitx *g, const struct promote_opts *o, const struct promote_gates *gt,
		     const char *prev_env, const git_oid *dest, struct promote_result *out)
{
	struct promote_record *recs;
	size_t n;
	char d1[32], d2[32], s1[8];
	authz_format_duration(gt->min_soak_ms, d1);
	if (promote_records(g, prev_env, &out->arena, &recs, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		git_oid rc;
		if (git_oid_fromstr(&rc, recs[i].commit) < 0)
			continue;
		int r = gitx_reaches(g, &rc, dest);
		if (r < 0)
			return -1;
		if (!r)
			continue;
		int64_t since;
		if (!recs[i].time || authz_parse_time(recs[i].time, strlen(recs[i].time), &since) != 0)
			return refuse(out, "soak", "record %s has no valid time", recs[i].tag);
		int64_t soaked = g->cfg.now_ms - since;
		out->ev.soak_record = recs[i].tag;
		out->ev.soaked_ms = soaked;
		if (soaked < gt->min_soak_ms) {
			char until[32];
			authz_format_duration(soaked < 0 ? 0 : soaked, d2);
			authz_format_time(since + gt->min_soak_ms, until);
			return refuse(out, "soak", "%s has been in '%s' for %s (since %s, record %s); "
				      "gates.environments.%s.min_soak is %s: promote it at %s or later",
				      gitx_short(dest, s1), prev_env, d2, recs[i].time, recs[i].tag, o->env, d1,
				      until);
		}
		return 0;
	}
	return refuse(out, "soak", "no promotion record of '%s' contains %s, so it has not soaked there; "
		      "gates.environments.%s.min_soak is %s", prev_env, gitx_short(dest, s1), o->env, d1);
}

/*
 * gates.environments.<env>.approvals: that many distinct approvers, each
 * with a trusted approve key, none the promoter, have signed an approval
 * of `dest` for the environment.  0, REFUSED, or -1 on trouble.
 */
static int approvals_gate(struct gitx *g, const struct promote_opts *o, const struct promote_gates *gt,
			  const git_oid *dest, const struct ev_sec *key, struct promote_result *out)
{
	struct promote_evidence *ev = &out->ev;
	struct arena *a = &out->arena;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, dest);
	if (approval_list(g, a, o->env, &ev->approvals, &ev->napprovals) < 0)
		return -1;
	struct approval_promoter pr = { key ? key->pub.id : NULL, key ? key->pub.name : NULL };
	for (size_t i = 0; i < ev->napprovals; i++)
		approval_judge(&ev->approvals[i], a, o->env, hex, &gt->keys, &pr, o->ticket, gt->require_ticket);
	ev->valid = approval_count(ev->approvals, ev->napprovals);
	ev->needed = gt->approvals;
	if (o->rollback || ev->valid >= gt->approvals)
		return 0;
	/* who counted, who did not and why (approvals of other commits only
	 * by count: they are the history of earlier versions) */
	char *valid = arena_strdup(a, ""), *rejected = arena_strdup(a, "");
	size_t others = 0;
	for (size_t i = 0; i < ev->napprovals; i++) {
		const struct approval *ap = &ev->approvals[i];
		const char *who = ap->signer ? ap->signer : ap->name ? ap->name : "?";
		if (!ap->reject)
			valid = arena_printf(a, "%s%s%s", valid, *valid ? ", " : "", who);
		else if (ap->commit && strcmp(ap->commit, hex) && ap->ref && !strstr(ap->ref, hex))
			others++;
		else
			rejected = arena_printf(a, "%s; %s's (%s): %s", rejected, who, ap->ref ? ap->ref : "?",
						ap->reject);
	}
	/* the trusted approvers who have not (validly) approved yet, by name */
	char *idle = arena_strdup(a, "");
	for (size_t k = 0; k < gt->keys.n; k++) {
		const struct ev_trusted *t = &gt->keys.keys[k];
		bool done = !(t->roles & EV_ROLE_APPROVE) ||
			    (key && (!strcmp(t->pub.id, key->pub.id) || !strcmp(t->pub.name, key->pub.name)));
		for (size_t i = 0; i < ev->napprovals && !done; i++)
			done = !ev->approvals[i].reject && !strcmp(ev->approvals[i].signer, t->pub.name);
		for (size_t j = 0; j < k && !done; j++)
			done = (gt->keys.keys[j].roles & EV_ROLE_APPROVE) &&
			       !strcmp(gt->keys.keys[j].pub.name, t->pub.name);
		if (!done)
			idle = arena_printf(a, "%s%s%s", idle, *idle ? ", " : "", t->pub.name);
	}
	return refuse(out, "approvals", "'%s' needs %u approval%s of %.7s by distinct approvers with the "
		      "'approve' role other than the promoter%s%s%s; %zu valid%s%s%s%s; missing %zu (%s): each "
		      "approver runs 'authzc approve %s --from %.7s --key KEYFILE%s'%s", o->env, gt->approvals,
		      gt->approvals == 1 ? "" : "s", hex, key ? " (" : "", key ? key->pub.name : "", key ? ")" : "",
		      ev->valid, *valid ? " (" : "", valid, *valid ? ")" : "",
		      *rejected ? arena_printf(a, "; rejected%s", rejected + 1) : "",
		      gt->approvals - ev->valid,
		      *idle ? arena_printf(a, "not yet approved by: %s", idle)
			    : "no other trusted approver is left: trust more approve keys", o->env, hex, o->ticket ? arena_printf(a, " --ticket %s", o->ticket) : "",
		      others ? arena_printf(a, " (%zu approval%s of other commits not counted)", others,
					    others == 1 ? "" : "s") : "");
}

/*
 * Read the previous record and its hash into *link (NULL when there is
 * none): the highest-numbered record, as read now.  Returns the next
 * number, or 0 on trouble (g->msg).
 */
static unsigned chain_to(struct gitx *g, struct arena *a, const char *env, struct chain_link *link, bool *has)
{
	struct promote_record *recs;
	size_t nrecs;
	*has = false;
	if (promote_records(g, env, a, &recs, &nrecs) < 0)
		return 0;
	if (!nrecs)
		return 1;
	const struct promote_record *last = &recs[nrecs - 1];
	link->n = last->n;
	ev_sha256_text(last->message, strlen(last->message), link->sha);
	*has = true;
	return last->n + 1;
}

void promote_result_release(struct promote_result *r)
{
	if (r->has_failed)
		diff_side_release(&r->failed);
	arena_free(&r->arena);
	memset(r, 0, sizeof *r);
}

/*
 * The steps of promote_run, in the order of promote.h.  0 (out->outcome
 * says how it ended), REFUSED, or -1 on trouble.
 */
static int run(struct gitx *g, const struct promote_opts *o, struct promote_result *out)
{
	git_commit *source = NULL, *prev = NULL;
	git_signature *who = NULL, *tagger = NULL;
	git_object *target = NULL;
	git_oid current, dest;
	struct arena *a = &out->arena;
	struct promote_evidence *ev = &out->ev;
	char *message = NULL;
	const char *verb = o->rollback ? "rollback" : "promote";
	int code = 0, error;
	unsigned rollback_to = 0;
	struct promote_gates gt;
	struct ev_sec keybuf, *key = NULL;
	char err[512];
	memset(&gt, 0, sizeof gt);
	ev_keyring_init(&gt.keys);

	if (o->key) {
		if (ev_init(err, sizeof err) < 0 || ev_sec_load(o->key, &keybuf, err, sizeof err) < 0) {
			code = gitx_fail_plain(g, -1, "%s", err);
			goto done;
		}
		key = &keybuf;
	}
	int idx = gitx_env_find(g, o->env);
	if (idx < 0) {
		code = -1;
		goto done;
	}
	const char *refname = gitx_env_ref(g, o->env);
	out->refname = arena_strdup(a, refname);
	bool has_current = true;
	if ((error = git_reference_name_to_id(&current, g->repo, refname)) < 0) {
		if (error != GIT_ENOTFOUND) {
			code = gitx_fail(g, error, "cannot read '%s'", refname);
			goto done;
		}
		git_error_clear();
		has_current = false;
	}

	/* source */
	const char *prev_env = idx > 0 ? g->cfg.config.environments[idx - 1] : NULL;
	if (o->rollback) {
		if (!has_current) {
			code = refuse(out, "record", "'%s' has no version yet", o->env);
			goto done;
		}
		if ((code = rollback_target(g, o, out, &current, &dest, &rollback_to)) != 0)
			goto done;
	} else {
		const char *spec = o->from ? o->from : prev_env ? prev_env : "HEAD";
		if (gitx_resolve(&source, g, spec) < 0) {
			if (!o->from && prev_env)
				code = refuse(out, "order", "%s; promote '%s' first", g->msg, prev_env);
			else
				code = -1;
			goto done;
		}
		git_oid_cpy(&dest, git_commit_id(source));
	}
	gitx_short(&dest, out->to);

	/* promoter */
	if ((error = git_signature_default(&who, g->repo)) < 0) {
		git_error_clear();
		code = refuse(out, "promoter", "git user.name and user.email are not set; "
			      "the record names who moved the environment");
		goto done;
	}

	/* order and fast-forward (a rollback goes back on purpose) */
	char s1[8], s2[8];
	if (!o->rollback && prev_env) {
		if (gitx_env_commit(&prev, g, prev_env) < 0) {
			code = refuse(out, "order", "%s; promote '%s' first", g->msg, prev_env);
			goto done;
		}
		int r = gitx_reaches(g, git_commit_id(prev), &dest);
		if (r < 0) {
			code = -1;
			goto done;
		}
		if (!r) {
			code = refuse(out, "order", "%s is not in '%s' (%s): a version reaches '%s' only "
				      "through '%s'", gitx_short(&dest, s1), prev_env,
				      gitx_short(git_commit_id(prev), s2), o->env, prev_env);
			goto done;
		}
	}
	if (has_current && git_oid_equal(&current, &dest)) {
		out->outcome = PROMOTE_UNCHANGED;
		goto done;
	}
	if (!o->rollback && has_current) {
		int r = gitx_reaches(g, &dest, &current);
		if (r < 0) {
			code = -1;
			goto done;
		}
		if (!r) {
			code = refuse(out, "fast-forward", "moving '%s' from %s to %s is not a fast-forward; "
				      "'authzc rollback' is the way back", o->env,
				      gitx_short(&current, s1), gitx_short(&dest, s2));
			goto done;
		}
	}

	/* the gates: what the environment runs now, or the source's own for a
	 * first promotion (a version cannot lower the gate it is judged by) */
	promote_gates_free(&gt);
	if ((code = promote_gates_load(g, has_current ? &current : &dest, o->env, &gt)) != 0)
		goto done;
	ev->min = gt.min;
	ev->refuse_untested = gt.refuse_untested;
	memcpy(ev->min_from, gt.from, sizeof ev->min_from);
	/* the promoter's key, the ticket, the soak and the approvals */
	if ((code = key_gate(o, &gt, key, out)) != 0)
		goto done;
	if (!o->rollback && gt.require_ticket && !o->ticket) {
		code = refuse(out, "ticket", "gates.environments.%s.require_ticket (authzc.json at %.7s): "
			      "give the change ticket ('--ticket ID')", o->env, gt.from);
		goto done;
	}
	if (!o->rollback && gt.has_soak && prev_env && (code = soak_gate(g, o, &gt, prev_env, &dest, out)) != 0)
		goto done;
	if ((code = approvals_gate(g, o, &gt, &dest, key, out)) != 0)
		goto done;
	/* compile, tests, coverage: from the commit's own tree */
	if ((code = gather(g, &dest, out)) != 0)
		goto done;
	if (!o->rollback && !ev->tests_run) {
		code = refuse(out, "tests", "%s has no tests", out->to);
		goto done;
	}
	if (!o->rollback && ev->tests_passed < ev->tests_run) {
		code = refuse(out, "tests", "%zu of %zu tests fail at %s (first: '%s')",
			      ev->tests_run - ev->tests_passed, ev->tests_run, out->to,
			      ev->failed ? ev->failed : "?");
		goto done;
	}
	if (!o->rollback && ev->under) {
		char whose[128];
		if (has_current)
			snprintf(whose, sizeof whose, "'%s' at %.7s", o->env, ev->min_from);
		else
			snprintf(whose, sizeof whose, "%s itself: '%s' has no version yet", out->to,
				 o->env);
		code = refuse(out, "coverage", "guard coverage %.1f%% (%zu/%zu) at %s is under "
			      "gates.min_guard_coverage %g%% (from %s)", ev->coverage, ev->guards.covered,
			      ev->guards.total, out->to, ev->min, whose);
		goto done;
	}
	/* against what the environment runs: nothing to compare on a first
	 * promotion */
	if (!o->rollback && has_current && ev->refuse_untested &&
	    (code = behaviour_gate(g, &current, &dest, out)) != 0)
		goto done;

	if (has_current)
		gitx_short(&current, out->from);
	if (o->dry_run) {
		out->outcome = PROMOTE_DRY_RUN;
		goto done;
	}

	/* 1. the ref, compare-and-swap */
	const char *log = arena_printf(a, "authzc %s: %s %s -> %s%s%s", verb, o->env, out->from,
				       out->to, o->ticket ? " ticket " : "", o->ticket ? o->ticket : "");
	if ((error = move_ref(g, refname, &dest, has_current ? &current : NULL, log)) < 0) {
		if (lost_race(error))
			code = refuse(out, "race", "'%s' moved while this %s ran (another one won)",
				      o->env, verb);
		else
			code = -1;
		goto done;
	}

	/* 2. the record: the next free number, never overwriting */
	out->outcome = PROMOTE_NO_RECORD;
	unsigned n = 1;
	int64_t now = g->cfg.now_ms;
	if ((error = git_signature_new(&tagger, who->name, who->email, now / 1000, 0)) < 0 ||
	    (error = git_object_lookup(&target, g->repo, &dest, GIT_OBJECT_COMMIT)) < 0) {
		gitx_fail(g, error, "cannot prepare the record");
		goto done;
	}
	/* Each try reads the records again and chains to the highest: a
	 * record that took number N meanwhile becomes the one this chains to. */
	for (unsigned tries = 0; tries < PROMOTE_TAG_TRIES; tries++) {
		struct chain_link link;
		bool has_link;
		free(message);
		message = NULL;
		if (!(n = chain_to(g, a, o->env, &link, &has_link)))
			goto done;
		message = record_json(o, n, &dest, has_current ? &current : NULL, ev, &gt, who, now,
				      rollback_to, has_link ? &link : NULL, key);
		const char *tag = arena_printf(a, "authzc/%s/%u", o->env, n);
		if (!message) {
			gitx_fail_plain(g, -1, "out of memory");
			goto done;
		}
		if ((error = create_tag(g, tag, target, tagger, message)) == -1)
			goto done;
		if (error == 0) {
			out->outcome = PROMOTE_MOVED;
			out->record = tag;
			goto done;
		}
		git_error_clear();
	}
	gitx_fail_plain(g, -1, "record number %u is still taken after %u tries", n, PROMOTE_TAG_TRIES);
done:
	if (key)
		ev_sec_wipe(key);
	promote_gates_free(&gt);
	free(message);
	git_object_free(target);
	git_signature_free(tagger);
	git_signature_free(who);
	git_commit_free(prev);
	git_commit_free(source);
	return code;
}

int promote_run(struct promote_result *out, struct gitx *g, const struct promote_opts *o)
{
	memset(out, 0, sizeof *out);
	out->arena = (struct arena)ARENA_INIT;
	snprintf(out->from, sizeof out->from, "none");
	if (run(g, o, out) < 0)
		return -1;
	if (out->outcome == PROMOTE_NO_RECORD)
		snprintf(out->why, sizeof out->why, "%s", g->msg);
	return 0;
}
