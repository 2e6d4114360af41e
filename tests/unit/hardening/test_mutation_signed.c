/*
 * test_mutation_signed.c: a signed bundle (authzc-bundle(5), "Signature")
 * damaged in every way test_mutation.c damages an unsigned one.
 *
 * The examples/ project is compiled and signed in the test, then:
 *   - with its key trusted, every single-bit flip of every byte, the
 *     signature section included, is refused with a message;
 *   - without keys, a flip is refused everywhere but in the key id and the
 *     signature, which are not verified then: those load, marked not
 *     verified, and name no trusted signer;
 *   - every truncation is refused, with keys or without;
 *   - every allocation of signing and of loading with keys fails cleanly.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "bundle.h"
#include "harden_util.h"
#include "sign_util.h"

static struct compilation ms_c;

/* The examples bundle, signed by `k`. */
static uint8_t *ms_examples(const struct ev_sec *k, size_t *body, size_t *len)
{
	compilation_init(&ms_c);
	ms_c.root = arena_strdup(&ms_c.arena, "examples");
	ms_c.now_ms = CK_NOW_MS;
	struct source_tree tree;
	source_tree_fs(&tree, "examples");
	cr_assert_eq(compilation_run(&ms_c, &tree), 0, "examples/ does not check (run from the repository root)");
	uint8_t *buf = NULL;
	cr_assert_eq(codegen_bundle(&ms_c, "mutation-test", &buf, body), 0);
	compilation_release(&ms_c);
	uint8_t *s = sg_sign(buf, *body, k, len);
	free(buf);
	return s;
}

/* Load with `keys` (NULL: none): 1 loaded (*verified set), 0 refused with
 * a message in msg. */
static int ms_try(const uint8_t *p, size_t len, const authz_load_options *keys, int *verified, char *msg,
		  size_t msgsize)
{
	authz_bundle *b = NULL;
	authz_error err;
	int rc = authz_bundle_load_ex(&b, p, len, keys, &err);
	if (rc != 0) {
		cr_assert_null(b);
		cr_assert_eq(rc, err.code);
		cr_assert(err.message[0], "refused without a message");
		snprintf(msg, msgsize, "%s", err.message);
		return 0;
	}
	if (verified)
		*verified = authz_bundle_signature_verified(b);
	authz_bundle_free(b);
	return 1;
}

static bool refusal_text(const char *msg)
{
	return !strncmp(msg, "bad bundle format", 17) || !strncmp(msg, "bundle refused", 14);
}

Test(mutation_signed, every_bit_flip_is_refused_with_keys)
{
	struct ev_sec k;
	sg_key(7, "release", &k);
	authz_public_key pk = sg_pub(&k);
	authz_load_options keys = { &pk, 1 };
	size_t body, len;
	uint8_t *orig = ms_examples(&k, &body, &len);
	char msg[256];
	int verified = 0;
	cr_assert_eq(ms_try(orig, len, &keys, &verified, msg, sizeof msg), 1, "%s", msg);
	cr_assert_eq(verified, 1);
	uint8_t *p = malloc(len);
	size_t refused = 0, in_section = 0;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p, orig, len);
			p[i] ^= (uint8_t)(1u << bit);
			cr_assert_eq(ms_try(p, len, &keys, NULL, msg, sizeof msg), 0,
				     "flip of bit %d of byte %zu loads", bit, i);
			cr_assert(refusal_text(msg), "byte %zu: %s", i, msg);
			refused++;
			in_section += i >= body;
		}
	}
	cr_assert_eq(refused, 8 * len);
	cr_assert_eq(in_section, 8 * SIG_SECTION_SIZE);
	cr_log_info("signed bundle, bit flips with keys: %zu of %zu refused (%zu in the signature section)",
		    refused, 8 * len, in_section);
	free(p);
	free(orig);
}

Test(mutation_signed, without_keys_only_the_unverified_fields_load)
{
	struct ev_sec k;
	sg_key(7, "release", &k);
	size_t body, len;
	uint8_t *orig = ms_examples(&k, &body, &len);
	uint8_t *p = malloc(len);
	char msg[256];
	/* key id and signature: bytes [body + 4, body + 12) and [body + 44, len) */
	size_t loaded = 0;
	for (size_t i = 0; i < len; i++) {
		bool unverified = (i >= body + 4 && i < body + 4 + SIG_KEYID_BYTES) || i >= body + 4 + SIG_KEYID_BYTES + 32;
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p, orig, len);
			p[i] ^= (uint8_t)(1u << bit);
			int verified = 1;
			int rc = ms_try(p, len, NULL, &verified, msg, sizeof msg);
			if (unverified) {
				cr_assert_eq(rc, 1, "byte %zu: %s", i, msg);
				cr_assert_eq(verified, 0);
				loaded++;
			} else {
				cr_assert_eq(rc, 0, "flip of bit %d of byte %zu loads without keys", bit, i);
				cr_assert(refusal_text(msg), "byte %zu: %s", i, msg);
			}
		}
	}
	cr_assert_eq(loaded, 8 * (SIG_KEYID_BYTES + 64));
	free(p);
	free(orig);
}

Test(mutation_signed, every_truncation_is_refused)
{
	struct ev_sec k;
	sg_key(7, "release", &k);
	authz_public_key pk = sg_pub(&k);
	authz_load_options keys = { &pk, 1 };
	size_t body, len;
	uint8_t *orig = ms_examples(&k, &body, &len);
	char msg[256];
	for (size_t n = 0; n < len; n++) {
		uint8_t *p = malloc(n ? n : 1);      /* exact size: ASan sees overreads */
		memcpy(p, orig, n);
		cr_assert_eq(ms_try(p, n, &keys, NULL, msg, sizeof msg), 0, "prefix of %zu bytes loads", n);
		cr_assert_eq(ms_try(p, n, NULL, NULL, msg, sizeof msg), 0, "prefix of %zu bytes loads without keys", n);
		if (n == body)
			cr_assert(strstr(msg, "stripped"), "%s", msg);
		free(p);
	}
	free(orig);
}

/* Every allocation of signing (bw_sign, through codegen_sign) and of
 * loading a signed bundle with keys, made to fail in turn: an error, no
 * bundle, no leak. */
Test(mutation_signed, every_allocation_failure_is_an_error_without_a_leak)
{
	struct ev_sec k;
	sg_key(7, "release", &k);
	authz_public_key pk = sg_pub(&k);
	authz_load_options keys = { &pk, 1 };
	size_t plain_len;
	uint8_t *plain = hu_compile(HU_SCHEMA, HU_POLICY, &plain_len);
	char err[256];
	uint8_t *out;
	size_t n;
	af_arm(~0UL, 0);
	int rc = codegen_sign(plain, plain_len, &k, &out, &n, err, sizeof err);
	af_disarm();
	unsigned long total = af_count();
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(total > 5, "the signer's allocations are not seen (%lu)", total);
	for (unsigned long at = 1; at <= total; at++) {
		uint8_t *o = (uint8_t *)1;
		size_t on;
		af_track_begin();
		af_arm(at, 0);
		rc = codegen_sign(plain, plain_len, &k, &o, &on, err, sizeof err);
		af_disarm();
		cr_assert_eq(af_track_end(), 0, "signing: allocation %lu failing leaks", at);
		cr_assert_eq(rc, -1, "signing: allocation %lu failing gave %d", at, rc);
		cr_assert_null(o);
	}
	authz_bundle *b;
	authz_error e;
	af_arm(~0UL, 0);
	rc = authz_bundle_load_ex(&b, out, n, &keys, &e);
	af_disarm();
	total = af_count();
	cr_assert_eq(rc, 0, "%s", e.message);
	authz_bundle_free(b);
	for (unsigned long at = 1; at <= total; at++) {
		af_track_begin();
		af_arm(at, 0);
		rc = authz_bundle_load_ex(&b, out, n, &keys, &e);
		af_disarm();
		cr_assert_eq(af_track_end(), 0, "loading: allocation %lu failing leaks", at);
		cr_assert_eq(rc, AUTHZ_ENOMEM, "loading: allocation %lu failing gave %d", at, rc);
		cr_assert_null(b);
	}
	free(out);
	free(plain);
}
