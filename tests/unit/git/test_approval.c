/*
 * test_approval.c: approvals (approval.h) judged for separation of duties,
 * and promotion records sealed (promote.h, record_seal): the exact signed
 * bytes, every reason an approval does not count, one count per approver,
 * and a sealed record's signature broken by any edit and blind to its own
 * signature member.  Keys are made from fixed seeds, in memory.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "promote.h"

#define ENV "prod"
#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"

static struct ev_sec bob, carol, pat, erin, mallory;
static struct ev_keyring kr;
static struct arena a = ARENA_INIT;

static void make(struct ev_sec *k, const char *name, unsigned char seedbyte)
{
	unsigned char seed[32];
	memset(seed, seedbyte, sizeof seed);
	crypto_sign_seed_keypair(k->pub.pk, k->sk, seed);
	ev_key_id(k->pub.pk, k->pub.id);
	snprintf(k->pub.name, sizeof k->pub.name, "%s", name);
}

static void setup(void)
{
	char err[256];
	cr_assert_eq(ev_init(err, sizeof err), 0);
	make(&bob, "bob", 1);
	make(&carol, "carol", 2);
	make(&pat, "pat", 3);
	make(&erin, "erin", 4);
	make(&mallory, "mallory", 5);
	ev_keyring_init(&kr);
	ev_keyring_add(&kr, &bob.pub, EV_ROLE_APPROVE);
	ev_keyring_add(&kr, &carol.pub, EV_ROLE_APPROVE | EV_ROLE_PROMOTE);
	ev_keyring_add(&kr, &pat.pub, EV_ROLE_PROMOTE);
	ev_keyring_add(&kr, &erin.pub, EV_ROLE_BUNDLE);
}

static void teardown(void)
{
	ev_keyring_free(&kr);
	arena_free(&a);
}

TestSuite(approval, .init = setup, .fini = teardown);

/* An approval signed by k, as approval_write would store it. */
static struct approval signed_by(const struct ev_sec *k, const char *env, const char *commit,
				 const char *ticket)
{
	struct approval ap = { .env = env, .commit = commit, .key = k->pub.id, .name = k->pub.name,
			       .ticket = ticket, .time = "2026-11-22T12:00:00Z" };
	size_t len;
	unsigned char *m = approval_message(env, commit, k->pub.id, ticket, ap.time, &len);
	unsigned char sig[EV_SIG_BYTES];
	char *b64 = arena_alloc(&a, EV_SIG_B64_CHARS + 1);
	ev_sign(k, m, len, sig);
	free(m);
	ev_sig_to_b64(sig, b64);
	ap.sig = b64;
	return ap;
}

static const char *judge(struct approval ap, const struct ev_sec *promoter, const char *ticket, bool req)
{
	struct approval_promoter pr = { promoter ? promoter->pub.id : NULL, promoter ? promoter->pub.name : NULL };
	approval_judge(&ap, &a, ENV, C1, &kr, &pr, ticket, req);
	return ap.reject;
}

Test(approval, the_signed_bytes_are_exact)
{
	size_t len;
	unsigned char *m = approval_message("prod", C1, "00112233445566ff", NULL, "2026-11-22T12:00:00Z", &len);
	static const char want[] = "authzc approval v1\0prod\0" C1 "\0" "00112233445566ff\0\0" "2026-11-22T12:00:00Z";
	cr_assert_eq(len, sizeof want - 1);
	cr_assert_eq(memcmp(m, want, len), 0);
	free(m);
}

Test(approval, a_good_approval_counts)
{
	cr_assert_null(judge(signed_by(&bob, ENV, C1, "CHG-1"), &pat, "CHG-1", true));
	cr_assert_null(judge(signed_by(&bob, ENV, C1, NULL), &pat, NULL, false));
	cr_assert_null(judge(signed_by(&bob, ENV, C1, NULL), NULL, "CHG-1", false));
}

Test(approval, every_reason_it_does_not_count)
{
	cr_assert(strstr(judge(signed_by(&bob, ENV, C2, NULL), &pat, NULL, false), "for another commit"));
	cr_assert(strstr(judge(signed_by(&bob, "staging", C1, NULL), &pat, NULL, false), "for another environment"));
	cr_assert(strstr(judge(signed_by(&mallory, ENV, C1, NULL), &pat, NULL, false), "unknown key"));
	cr_assert(strstr(judge(signed_by(&erin, ENV, C1, NULL), &pat, NULL, false), "lacks the 'approve' role (it has: bundle)"));
	cr_assert(strstr(judge(signed_by(&pat, ENV, C1, NULL), &pat, NULL, false), "lacks the 'approve' role"));
	cr_assert(strstr(judge(signed_by(&carol, ENV, C1, NULL), &carol, NULL, false), "made by the promoter (the same key)"));
	/* another key under the promoter's name */
	struct ev_sec carol2;
	make(&carol2, "carol", 9);
	cr_assert(strstr(judge(signed_by(&carol, ENV, C1, NULL), &carol2, NULL, false), "the same key name"));
	cr_assert(strstr(judge(signed_by(&bob, ENV, C1, "CHG-9"), &pat, "CHG-1", false), "for ticket 'CHG-9', not 'CHG-1'"));
	cr_assert(strstr(judge(signed_by(&bob, ENV, C1, NULL), &pat, "CHG-1", true), "names no ticket"));
}

Test(approval, an_altered_approval_has_a_bad_signature)
{
	struct approval ap = signed_by(&bob, ENV, C1, "CHG-1");
	ap.time = "2026-11-22T12:00:01Z";
	cr_assert(strstr(judge(ap, &pat, "CHG-1", false), "bad signature"));
	ap = signed_by(&bob, ENV, C1, "CHG-1");
	ap.key = carol.pub.id;          /* claims to be carol's */
	cr_assert(strstr(judge(ap, &pat, "CHG-1", false), "bad signature"));
	ap = signed_by(&bob, ENV, C1, "CHG-1");
	ap.sig = "not base64";
	cr_assert(strstr(judge(ap, &pat, "CHG-1", false), "bad signature"));
}

Test(approval, one_count_per_approver)
{
	struct approval aps[4] = {
		signed_by(&bob, ENV, C1, NULL), signed_by(&bob, ENV, C1, NULL),
		signed_by(&carol, ENV, C1, NULL), signed_by(&mallory, ENV, C1, NULL),
	};
	struct approval_promoter pr = { pat.pub.id, pat.pub.name };
	for (size_t i = 0; i < 4; i++)
		approval_judge(&aps[i], &a, ENV, C1, &kr, &pr, NULL, false);
	cr_assert_eq(approval_count(aps, 4), 2);
	cr_assert_str_eq(aps[1].reject, "another approval by the same approver");
	cr_assert_null(aps[2].reject);
}

/* ---- records ---- */

static cJSON *record(void)
{
	cJSON *j = cJSON_Parse("{\"kind\": \"promote\", \"environment\": \"prod\", \"record\": 2, "
			       "\"commit\": \"" C1 "\", \"coverage\": {\"guards\": 87.5}, "
			       "\"chain\": {\"record\": 1, \"sha256\": \"sha256:00\"}}");
	cr_assert_not_null(j);
	return j;
}

static bool verifies(const char *text, const struct ev_sec *k)
{
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j);
	const cJSON *s = cJSON_GetObjectItem(j, "signature");
	const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItem(s, "sig"));
	unsigned char sig[EV_SIG_BYTES];
	size_t len;
	unsigned char *m = record_signed_bytes(j, &len);
	bool ok = b64 && ev_sig_from_b64(b64, strlen(b64), sig) == 0 && ev_verify(&k->pub, m, len, sig) == 0;
	free(m);
	cJSON_Delete(j);
	return ok;
}

Test(approval, a_sealed_record_verifies_and_covers_every_member)
{
	cJSON *j = record();
	char *text = record_seal(j, &pat);
	cJSON_Delete(j);
	cr_assert(verifies(text, &pat));
	cr_assert_not(verifies(text, &bob));
	/* the signed bytes: the domain, a NUL, the compact JSON without "signature" */
	cJSON *p = cJSON_Parse(text);
	size_t len;
	unsigned char *m = record_signed_bytes(p, &len);
	const char *body = "{\"kind\":\"promote\",\"environment\":\"prod\",\"record\":2,\"commit\":\"" C1
			   "\",\"coverage\":{\"guards\":87.5},\"chain\":{\"record\":1,\"sha256\":\"sha256:00\"}}";
	cr_assert_eq(len, sizeof "authzc promotion record v1" + strlen(body));
	cr_assert_eq(memcmp(m, "authzc promotion record v1", sizeof "authzc promotion record v1"), 0);
	cr_assert_eq(memcmp(m + sizeof "authzc promotion record v1", body, strlen(body)), 0);
	free(m);
	cJSON_Delete(p);
	/* any edit breaks it: a number, the chain, a member added */
	const char *edits[][2] = {
		{ "\"record\":\t2", "\"record\":\t3" },
		{ "sha256:00", "sha256:01" },
		{ "\"kind\":\t\"promote\"", "\"kind\":\t\"promote\",\n\t\"extra\":\t1" },
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *at = strstr(text, edits[i][0]);
		cr_assert_not_null(at, "no '%s' in %s", edits[i][0], text);
		char *edited = malloc(strlen(text) + 64);
		sprintf(edited, "%.*s%s%s", (int)(at - text), text, edits[i][1], at + strlen(edits[i][0]));
		cr_assert_not(verifies(edited, &pat), "edit %zu still verifies", i);
		free(edited);
	}
	/* re-indenting changes nothing the signature covers */
	cJSON *q = cJSON_Parse(text);
	char *flat = cJSON_PrintUnformatted(q);
	cr_assert(verifies(flat, &pat));
	free(flat);
	cJSON_Delete(q);
	free(text);
}

Test(approval, an_unsealed_record_has_a_null_signature)
{
	cJSON *j = record();
	char *text = record_seal(j, NULL);
	cJSON_Delete(j);
	cJSON *p = cJSON_Parse(text);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(p, "signature")));
	cJSON_Delete(p);
	free(text);
}
