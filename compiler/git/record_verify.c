/*
 * record_verify.c: `log --verify`: an environment's promotion records
 * checked one by one, oldest first: members, chain, signature, approvals,
 * and the environment's ref against the last one (promote.h,
 * promote_verify).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "promote.h"
#include "text.h"

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The record's signature under the trusted keys of `gt`: NULL when it
 * verifies (or is unsigned where no promote key is trusted), else why. */
static const char *check_signature(struct arena *a, const cJSON *j, const struct promote_gates *gt,
				   struct record_verdict *v, struct approval_promoter *pr)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "signature");
	if (!s || cJSON_IsNull(s)) {
		if (gt->has_promote_keys)
			return arena_printf(a, "unsigned, but authzc.json at %.7s, whose gates applied, trusts "
					    "promote keys", gt->from);
		return NULL;
	}
	const char *id = jstr(s, "key"), *b64 = jstr(s, "sig");
	unsigned char sig[EV_SIG_BYTES];
	if (!cJSON_IsObject(s) || !text_is_hex(id, EV_KEYID_CHARS) || !b64 || ev_sig_from_b64(b64, strlen(b64), sig) < 0)
		return "its signature member is malformed";
	const struct ev_trusted *t = ev_keyring_find(&gt->keys, id);
	if (!t)
		return arena_printf(a, "signed by unknown key %s (not in trusted_keys of authzc.json at %.7s)",
				    id, gt->from);
	if (!(t->roles & EV_ROLE_PROMOTE))
		return arena_printf(a, "signed by key %s (%s), which lacks the 'promote' role at %.7s", id,
				    t->pub.name, gt->from);
	size_t len;
	unsigned char *m = record_signed_bytes(j, &len);
	int bad = !m || ev_verify(&t->pub, m, len, sig) < 0;
	free(m);
	if (bad)
		return arena_printf(a, "bad signature by %s (%s): the record was edited after it was signed",
				    t->pub.name, id);
	v->signer = arena_strdup(a, t->pub.name);
	pr->id = arena_strdup(a, id);
	pr->name = v->signer;
	return NULL;
}

/* Key `id` is one of the auditor's (promote_verify's anchor): true
 * without an anchor. */
static bool anchored(const struct ev_keyring *anchor, const char *id)
{
	return !anchor || !anchor->n || (id && ev_keyring_find(anchor, id));
}

/* The approvals a record lists, judged again under `gt` (and each made by
 * a key of `anchor`); NULL when they meet its approvals gate. */
static const char *check_approvals(struct arena *a, const cJSON *j, const struct promote_record *r,
				   const char *env, const struct promote_gates *gt,
				   const struct approval_promoter *pr, const struct ev_keyring *anchor,
				   struct record_verdict *v)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "approvals"), *e;
	size_t n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
	struct approval *aps = arena_calloc(a, n + 1, sizeof *aps);
	const char *ticket = jstr(j, "ticket");
	const cJSON *list = cJSON_IsArray(arr) ? arr : NULL;
	cJSON_ArrayForEach(e, list) {
		struct approval *ap = &aps[i++];
		ap->env = env;
		ap->commit = r->commit;
		ap->key = jstr(e, "key");
		ap->ticket = jstr(e, "ticket");
		ap->time = jstr(e, "time");
		ap->sig = jstr(e, "signature");
		if (!ap->key || !ap->time || !ap->sig)
			ap->reject = "a member is missing";
		else if (!text_is_hex(ap->key, EV_KEYID_CHARS))
			ap->key = NULL, ap->reject = "a malformed key id";
		approval_judge(ap, a, env, r->commit, &gt->keys, pr, ticket, gt->require_ticket);
		if (ap->reject)
			return arena_printf(a, "its approval by %s does not verify: %s",
					    ap->key ? ap->key : "?", ap->reject);
		if (!anchored(anchor, ap->key))
			return arena_printf(a, "its approval by %s is by none of the --trust keys", ap->key);
	}
	v->approvals = approval_count(aps, n);
	if (v->approvals < n)
		return "it lists two approvals by the same approver";
	bool promote = r->kind && !strcmp(r->kind, "promote");
	if (promote && v->approvals < gt->approvals)
		return arena_printf(a, "it relies on %zu approval%s, but authzc.json at %.7s required %u",
				    v->approvals, v->approvals == 1 ? "" : "s", gt->from, gt->approvals);
	if (promote && gt->require_ticket && !ticket)
		return arena_printf(a, "it names no ticket, but authzc.json at %.7s required one", gt->from);
	return NULL;
}

/* Everything about record i but the chain; NULL when it verifies. */
static const char *check_record(struct gitx *g, struct arena *a, const char *env,
				const struct promote_record *r, const struct ev_keyring *anchor,
				struct record_verdict *v, size_t *legacy)
{
	cJSON *j = cJSON_Parse(r->message);
	const char *why = NULL;
	struct promote_gates gt;
	memset(&gt, 0, sizeof gt);
	ev_keyring_init(&gt.keys);
	if (!cJSON_IsObject(j)) {
		why = "its message is not a JSON object";
		goto done;
	}
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(j, "record");
	const char *renv = jstr(j, "environment"), *commit = jstr(j, "commit");
	if (!renv || strcmp(renv, env) || !cJSON_IsNumber(num) || num->valuedouble != r->n) {
		why = arena_printf(a, "it does not say it is record %u of '%s'", r->n, env);
		goto done;
	}
	if (!commit || strcmp(commit, r->commit)) {
		why = arena_printf(a, "it names commit %.7s but the tag points at %.7s",
				   text_is_hex(commit, GIT_OID_HEXSZ) ? commit : "?", r->commit);
		goto done;
	}
	if (r->previous && !text_is_hex(r->previous, GIT_OID_HEXSZ)) {
		why = "its previous commit is not a commit id";
		goto done;
	}
	/* the gates in force when it was made */
	git_oid at;
	if (git_oid_fromstr(&at, r->previous ? r->previous : r->commit) < 0) {
		why = "its previous commit is not a commit id";
		goto done;
	}
	char err[1100];
	if (promote_gates_load(g, &at, env, &gt) < 0) {
		snprintf(err, sizeof err, "%s", g->msg);
		why = arena_strdup(a, err);
		goto done;
	}
	if (!cJSON_GetObjectItemCaseSensitive(j, "chain")) {
		/* written before records were chained and signed: only where no
		 * promote key was trusted */
		if (gt.has_promote_keys)
			why = arena_printf(a, "it is neither chained nor signed, but authzc.json at %.7s, whose "
					   "gates applied, trusts promote keys", gt.from);
		else if (!anchored(anchor, NULL))
			why = "it is neither chained nor signed, but --trust keys were given";
		else
			(*legacy)++;
		goto done;
	}
	struct approval_promoter pr = { NULL, NULL };
	if ((why = check_signature(a, j, &gt, v, &pr)) != NULL)
		goto done;
	if (!anchored(anchor, pr.id)) {
		why = pr.id ? arena_printf(a, "signed by %s (%s), which is none of the --trust keys", pr.id, pr.name)
			    : "unsigned, but --trust keys were given: every record must be signed by one of them";
		goto done;
	}
	why = check_approvals(a, j, r, env, &gt, &pr, anchor, v);
done:
	promote_gates_free(&gt);
	cJSON_Delete(j);
	return why;
}

/* The chain from record i-1 (prev, NULL for the first) to r; NULL when it
 * holds. */
static const char *check_chain(struct arena *a, const struct promote_record *prev, const struct promote_record *r)
{
	cJSON *j = cJSON_Parse(r->message);
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "chain");
	const char *why = NULL;
	if (!ch) {
		cJSON *pj = prev ? cJSON_Parse(prev->message) : NULL;
		if (cJSON_GetObjectItemCaseSensitive(pj, "chain"))
			why = "it is not chained, but the record before it is";
		cJSON_Delete(pj);
		/* a legacy record: nothing to check */
		goto done;
	}
	if (!prev) {
		if (r->n == 2)
			why = "record 1 is missing (deleted)";
		else if (r->n != 1)
			why = arena_printf(a, "records 1 to %u are missing (deleted)", r->n - 1);
		else if (!cJSON_IsNull(ch))
			why = "it is record 1 but chains to a record before it";
		goto done;
	}
	if (r->n != prev->n + 1) {
		why = arena_printf(a, "record%s %u%s missing (deleted) before it", r->n - prev->n > 2 ? "s" : "",
				   prev->n + 1, r->n - prev->n > 2 ? arena_printf(a, " to %u are", r->n - 1) : " is");
		goto done;
	}
	char sha[EV_SHA256_TEXT];
	ev_sha256_text(prev->message, strlen(prev->message), sha);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(ch, "record");
	const char *h = jstr(ch, "sha256");
	if (!cJSON_IsNumber(n) || n->valuedouble != prev->n || !h) {
		why = arena_printf(a, "it does not chain to record %u", prev->n);
	} else if (strcmp(h, sha)) {
		why = arena_printf(a, "its chain hash of record %u is not that of %s as it is now (%.19s...): "
				   "%s was edited or replaced", prev->n, prev->tag, sha, prev->tag);
	} else if (!r->previous || strcmp(r->previous, prev->commit)) {
		why = arena_printf(a, "it moved from %.7s, not from %.7s where %s left the environment",
				   text_is_hex(r->previous, GIT_OID_HEXSZ) ? r->previous : "(none)", prev->commit, prev->tag);
	}
done:
	cJSON_Delete(j);
	return why;
}

int promote_verify(struct gitx *g, const char *env, const struct ev_keyring *anchor, struct arena *a,
		   struct history_verdict *out)
{
	struct promote_record *recs;
	size_t n;
	memset(out, 0, sizeof *out);
	if (promote_records(g, env, a, &recs, &n) < 0)
		return -1;
	out->recs = arena_calloc(a, n + 1, sizeof *out->recs);
	for (size_t i = 0; i < n; i++) {
		struct record_verdict *v = &out->recs[out->n++];
		size_t legacy = out->nlegacy;
		v->r = &recs[i];
		v->problem = check_chain(a, i ? &recs[i - 1] : NULL, &recs[i]);
		if (!v->problem)
			v->problem = check_record(g, a, env, &recs[i], anchor, v, &out->nlegacy);
		if (v->problem) {
			out->problem = v->problem;
			out->bad = recs[i].tag;
			return 0;
		}
		if (out->nlegacy == legacy) {
			if (v->signer)
				out->nsigned++;
			else
				out->nunsigned++;
		}
	}
	/* the ref against the last record: a deleted last record, or a move
	 * outside authzc */
	git_oid cur;
	const char *ref = gitx_env_ref(g, env);
	int error = git_reference_name_to_id(&cur, g->repo, ref);
	git_error_clear();
	char hex[GIT_OID_HEXSZ + 1];
	if (error == 0 && !n) {
		out->problem = arena_printf(a, "'%s' is at %.7s but has no promotion record", env,
					    git_oid_tostr(hex, sizeof hex, &cur));
		out->bad = ref;
	} else if (error == 0 && strcmp(recs[n - 1].commit, git_oid_tostr(hex, sizeof hex, &cur))) {
		out->problem = arena_printf(a, "'%s' is at %.7s, but its last record %s names %.7s: a later "
					    "record was deleted, or the ref was moved outside authzc", env, hex,
					    recs[n - 1].tag, recs[n - 1].commit);
		out->bad = ref;
	} else if (error != 0 && n) {
		out->problem = arena_printf(a, "'%s' has records but its ref %s is gone", env, ref);
		out->bad = ref;
	}
	return 0;
}
