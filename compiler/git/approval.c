/*
 * approval.c: writing, listing and judging signed approvals (approval.h).
 * approval_list gives them by the name they carry, then by ref.
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "authz.h"
#include "text.h"

#define DOMAIN "authzc approval v1"

unsigned char *approval_message(const char *env, const char *commit, const char *key,
				const char *ticket, const char *time, size_t *len)
{
	const char *parts[] = { DOMAIN, env, commit, key, ticket ? ticket : "", time };
	size_t n = 0;
	for (size_t i = 0; i < 6; i++)
		n += strlen(parts[i]) + 1;
	unsigned char *m = malloc(n);
	if (!m)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < 6; i++) {
		size_t l = strlen(parts[i]);
		memcpy(m + o, parts[i], l);
		o += l;
		if (i < 5)
			m[o++] = '\0';
	}
	*len = o;
	return m;
}

int approval_write(struct gitx *g, struct arena *a, const char *env, const git_oid *commit,
		   const struct ev_sec *k, const char *ticket, int64_t now_ms, const char **ref)
{
	char hex[GIT_OID_HEXSZ + 1], when[32], b64[EV_SIG_B64_CHARS + 1];
	unsigned char sig[EV_SIG_BYTES];
	size_t len;
	git_oid_tostr(hex, sizeof hex, commit);
	authz_format_time(now_ms, when);
	unsigned char *m = approval_message(env, hex, k->pub.id, ticket, when, &len);
	if (!m)
		return gitx_fail_plain(g, -1, "out of memory");
	ev_sign(k, m, len, sig);
	free(m);
	ev_sig_to_b64(sig, b64);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "type", "authzc-approval");
	cJSON_AddStringToObject(j, "environment", env);
	cJSON_AddStringToObject(j, "commit", hex);
	cJSON_AddStringToObject(j, "key", k->pub.id);
	cJSON_AddStringToObject(j, "name", k->pub.name);
	if (ticket)
		cJSON_AddStringToObject(j, "ticket", ticket);
	else
		cJSON_AddNullToObject(j, "ticket");
	cJSON_AddStringToObject(j, "time", when);
	cJSON_AddStringToObject(j, "signature", b64);
	char *text = cJSON_Print(j);
	cJSON_Delete(j);
	if (!text)
		return gitx_fail_plain(g, -1, "out of memory");
	git_oid blob;
	git_reference *r = NULL;
	int error = git_blob_create_from_buffer(&blob, g->repo, text, strlen(text));
	free(text);
	if (error < 0)
		return gitx_fail(g, error, "cannot store the approval");
	*ref = arena_printf(a, APPROVAL_REF_PREFIX "%s/%s/%s", env, hex, k->pub.id);
	const char *log = arena_printf(a, "authzc approve: %s %.7s by %s", env, hex, k->pub.name);
	error = git_reference_create(&r, g->repo, *ref, &blob, 0, log);
	git_reference_free(r);
	if (error == GIT_EEXISTS)
		return gitx_fail_plain(g, -1, "%s (%s) has already approved %.7s for '%s' (%s); an approval "
				       "is never replaced", k->pub.name, k->pub.id, hex, env, *ref);
	if (error < 0)
		return gitx_fail(g, error, "cannot create '%s'", *ref);
	return 0;
}

static const char *jstr(struct arena *a, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? arena_strdup(a, v->valuestring) : NULL;
}

/* Printable text of at most 200 bytes (no control characters): what an
 * approval's environment and ticket must be before a message shows them. */
static bool printable(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || i >= 200)
			return false;
	return true;
}

/* Fill *ap from the approval blob `text`. */
static void parse(struct arena *a, const char *text, struct approval *ap)
{
	cJSON *j = cJSON_Parse(text);
	if (!cJSON_IsObject(j)) {
		ap->reject = "not an approval (not a JSON object)";
		cJSON_Delete(j);
		return;
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
	ap->env = jstr(a, j, "environment");
	ap->commit = jstr(a, j, "commit");
	ap->key = jstr(a, j, "key");
	ap->name = jstr(a, j, "name");
	ap->ticket = jstr(a, j, "ticket");
	ap->time = jstr(a, j, "time");
	ap->sig = jstr(a, j, "signature");
	if (!cJSON_IsString(t) || strcmp(t->valuestring, "authzc-approval") || !ap->env || !ap->commit ||
	    !ap->key || !ap->time || !ap->sig)
		ap->reject = "not an approval (a member is missing)";
	else if (!text_is_hex(ap->commit, GIT_OID_HEXSZ) || !text_is_hex(ap->key, EV_KEYID_CHARS) || !printable(ap->env) ||
		 (ap->ticket && !printable(ap->ticket)) || !printable(ap->time))
		ap->reject = "not an approval (a malformed commit, key id, environment, ticket or time)";
	if (ap->name && !ev_name_ok(ap->name))
		ap->name = NULL;
	if (ap->reject)
		ap->env = ap->commit = ap->key = ap->ticket = NULL;
	cJSON_Delete(j);
}

/* By the name the approval gives, then by ref: an order that does not
 * depend on key ids. */
static int cmp_approval(const void *x, const void *y)
{
	const struct approval *a = x, *b = y;
	int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	return c ? c : strcmp(a->ref, b->ref);
}

int approval_list(struct gitx *g, struct arena *a, const char *env, struct approval **out, size_t *n)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	const char *prefix = arena_printf(a, APPROVAL_REF_PREFIX "%s/", env);
	size_t cap = 8;
	int error;
	*n = 0;
	*out = arena_calloc(a, cap, sizeof **out);
	if ((error = git_reference_iterator_glob_new(&it, g->repo, arena_printf(a, "%s*", prefix))) < 0)
		return gitx_fail(g, error, "cannot list the approvals of '%s'", env);
	while ((error = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		if (strncmp(name, prefix, strlen(prefix))) {
			git_reference_free(ref);
			continue;
		}
		if (*n == cap) {
			struct approval *bigger = arena_calloc(a, cap * 2, sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		struct approval *ap = &(*out)[(*n)++];
		memset(ap, 0, sizeof *ap);
		ap->ref = arena_strdup(a, name);
		git_blob *blob = NULL;
		const git_oid *id = git_reference_target(ref);
		if (!id || git_blob_lookup(&blob, g->repo, id) < 0) {
			ap->reject = "not an approval (the ref does not name a blob)";
		} else {
			size_t sz = (size_t)git_blob_rawsize(blob);
			if (sz > 65536)
				ap->reject = "not an approval (over 64 KiB)";
			else
				parse(a, arena_strndup(a, git_blob_rawcontent(blob), sz), ap);
		}
		git_error_clear();
		git_blob_free(blob);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (error != GIT_ITEROVER)
		return gitx_fail(g, error, "cannot list the approvals of '%s'", env);
	git_error_clear();
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_approval);
	return 0;
}

void approval_judge(struct approval *ap, struct arena *a, const char *env, const char *commit,
		    const struct ev_keyring *kr, const struct approval_promoter *promoter,
		    const char *ticket, bool require_ticket)
{
	if (ap->reject)
		return;
	if (strcmp(ap->env, env) || strcmp(ap->commit, commit)) {
		ap->reject = arena_printf(a, "for another %s (it approves %.7s for '%s')",
					  strcmp(ap->env, env) ? "environment" : "commit", ap->commit, ap->env);
		return;
	}
	const struct ev_trusted *t = ev_keyring_find(kr, ap->key);
	if (!t) {
		ap->reject = arena_printf(a, "unknown key %s: not in trusted_keys", ap->key);
		return;
	}
	ap->signer = t->pub.name;
	if (!(t->roles & EV_ROLE_APPROVE)) {
		char roles[64];
		ev_roles_text(t->roles, roles, sizeof roles);
		ap->reject = arena_printf(a, "key %s lacks the 'approve' role (it has: %s)", ap->key, roles);
		return;
	}
	unsigned char sig[EV_SIG_BYTES];
	size_t len;
	unsigned char *m = approval_message(ap->env, ap->commit, ap->key, ap->ticket, ap->time, &len);
	int bad = !m || ev_sig_from_b64(ap->sig, strlen(ap->sig), sig) < 0 || ev_verify(&t->pub, m, len, sig) < 0;
	free(m);
	if (bad) {
		ap->reject = "bad signature (the approval was altered or not made with its key)";
		return;
	}
	if (promoter->id && (!strcmp(promoter->id, ap->key) || !strcmp(promoter->name, t->pub.name))) {
		ap->reject = arena_printf(a, "made by the promoter (%s): separation of duties",
					  !strcmp(promoter->id, ap->key) ? "the same key" : "the same key name");
		return;
	}
	if (ap->ticket && ticket && strcmp(ap->ticket, ticket)) {
		ap->reject = arena_printf(a, "for ticket '%s', not '%s'", ap->ticket, ticket);
		return;
	}
	if (require_ticket && !ap->ticket)
		ap->reject = "names no ticket, and the environment requires one";
}

size_t approval_count(struct approval *aps, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (aps[i].reject)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!aps[j].reject && !strcmp(aps[j].signer, aps[i].signer)) {
				aps[i].reject = "another approval by the same approver";
				break;
			}
		if (!aps[i].reject)
			count++;
	}
	return count;
}
