/*
 * test_signature.c: signed bundles in libauthz (runtime/signature.c,
 * authz_bundle_load_ex): a signed bundle loads and names its signer; with
 * trusted keys every refusal has its own message (unsigned, unknown key,
 * bad signature, stripped, swapped, downgraded); without keys a signature
 * section is still checked for everything but the signature.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "bundle_write.h"
#include "harden_util.h"
#include "sign_util.h"

static const char OTHER_POLICY[] = "package fc;\npermit readers { action == \"read\" }\n";

/* Load p[0..len) with the keys keys[0..n) (n 0: no options): the return
 * code; the message in *msg (static) and the bundle freed. */
static int sg_try(const uint8_t *p, size_t len, const authz_public_key *keys, size_t n, const char **msg)
{
	static authz_error err;
	authz_load_options o = { keys, n };
	authz_bundle *b = NULL;
	memset(&err, 0, sizeof err);
	int rc = authz_bundle_load_ex(&b, p, len, n ? &o : NULL, &err);
	if (rc == 0)
		cr_assert_not_null(b);
	else
		cr_assert_null(b);
	authz_bundle_free(b);
	if (msg)
		*msg = err.message;
	return rc;
}

struct fx {
	struct ev_sec k1, k2;
	authz_public_key p1, p2;
	uint8_t *plain, *sig;
	size_t nplain, nsig;
};

static void fx_make(struct fx *f)
{
	sg_key(1, "release", &f->k1);
	sg_key(2, "stranger", &f->k2);
	f->p1 = sg_pub(&f->k1);
	f->p2 = sg_pub(&f->k2);
	f->plain = hu_compile(HU_SCHEMA, HU_POLICY, &f->nplain);
	f->sig = sg_sign(f->plain, f->nplain, &f->k1, &f->nsig);
}

static void fx_free(struct fx *f)
{
	free(f->plain);
	free(f->sig);
}

Test(signature, signed_bundle_loads_and_names_its_signer)
{
	struct fx f;
	fx_make(&f);
	cr_assert_eq(f.nsig, f.nplain + SIG_SECTION_SIZE);
	cr_assert_eq(f.sig[4], BUNDLE_VERSION_SIGNED);
	cr_assert_eq(f.plain[4], BUNDLE_VERSION, "an unsigned bundle keeps format 3");
	authz_load_options o = { &f.p1, 1 };
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load_ex(&b, f.sig, f.nsig, &o, &err), 0, "%s", err.message);
	cr_assert_str_eq(authz_bundle_signer(b), f.k1.pub.id);
	cr_assert_eq(authz_bundle_signature_verified(b), 1);
	authz_bundle_info info;
	authz_bundle_get_info(b, &info);
	cr_assert_eq(info.format, 4);
	cr_assert_eq(info.bytes, f.nsig);
	/* it decides as the unsigned bundle does */
	const char *m;
	cr_assert_eq(hu_decide(b, HU_ALLOW, sizeof HU_ALLOW - 1, &m), 1);
	authz_bundle_free(b);
	/* without keys: loads, names the signer, verified nothing */
	cr_assert_eq(authz_bundle_load(&b, f.sig, f.nsig, &err), 0, "%s", err.message);
	cr_assert_str_eq(authz_bundle_signer(b), f.k1.pub.id);
	cr_assert_eq(authz_bundle_signature_verified(b), 0);
	authz_bundle_free(b);
	/* an unsigned bundle has no signer */
	b = hu_load(f.plain, f.nplain);
	cr_assert_null(authz_bundle_signer(b));
	cr_assert_eq(authz_bundle_signature_verified(b), 0);
	authz_bundle_free(b);
	fx_free(&f);
}

Test(signature, runtime_key_id_is_the_evidence_key_id)
{
	for (unsigned char s = 1; s < 20; s++) {
		struct ev_sec k;
		sg_key(s, "k", &k);
		authz_public_key p = sg_pub(&k);
		char id[AUTHZ_KEY_ID_CHARS + 1];
		authz_key_id(&p, id);
		cr_assert_str_eq(id, k.pub.id);
	}
}

Test(signature, any_of_several_trusted_keys)
{
	struct fx f;
	fx_make(&f);
	authz_public_key keys[] = { f.p2, f.p1 };
	cr_assert_eq(sg_try(f.sig, f.nsig, keys, 2, NULL), 0);
	fx_free(&f);
}

Test(signature, unsigned_bundle_refused_with_keys)
{
	struct fx f;
	fx_make(&f);
	const char *msg;
	cr_assert_eq(sg_try(f.plain, f.nplain, &f.p1, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "it is not signed"), "%s", msg);
	cr_assert_eq(sg_try(f.plain, f.nplain, NULL, 0, NULL), 0, "without keys it loads as before");
	fx_free(&f);
}

Test(signature, unknown_key_refused)
{
	struct fx f;
	fx_make(&f);
	const char *msg;
	cr_assert_eq(sg_try(f.sig, f.nsig, &f.p2, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "signed by key") && strstr(msg, f.k1.pub.id) && strstr(msg, "not one of the 1 trusted key"),
		  "%s", msg);
	fx_free(&f);
}

Test(signature, bad_signature_refused)
{
	struct fx f;
	fx_make(&f);
	const char *msg;
	f.sig[f.nsig - 1] ^= 1;
	cr_assert_eq(sg_try(f.sig, f.nsig, &f.p1, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "bad signature"), "%s", msg);
	fx_free(&f);
}

Test(signature, stripped_signature_section_refused_with_and_without_keys)
{
	struct fx f;
	fx_make(&f);
	const char *msg;
	cr_assert_eq(sg_try(f.sig, f.nplain, &f.p1, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "signature section was stripped"), "%s", msg);
	cr_assert_eq(sg_try(f.sig, f.nplain, NULL, 0, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "signature section was stripped"), "%s", msg);
	fx_free(&f);
}

/* The signature section of another bundle, signed by the same trusted
 * key, put on this one. */
Test(signature, swapped_signature_section_refused_with_and_without_keys)
{
	struct fx f;
	fx_make(&f);
	size_t nother, nosig;
	uint8_t *other = hu_compile(HU_SCHEMA, OTHER_POLICY, &nother);
	uint8_t *osig = sg_sign(other, nother, &f.k1, &nosig);
	cr_assert_eq(sg_try(osig, nosig, &f.p1, 1, NULL), 0);
	memcpy(f.sig + f.nplain, osig + nother, SIG_SECTION_SIZE);
	const char *msg;
	cr_assert_eq(sg_try(f.sig, f.nsig, &f.p1, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "belongs to another bundle") && strstr(msg, "swapped"), "%s", msg);
	cr_assert_eq(sg_try(f.sig, f.nsig, NULL, 0, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "swapped"), "%s", msg);
	/* and with the digest it names rewritten to this bundle's: the
	 * signature no longer verifies */
	memcpy(f.sig + f.nplain + 4 + SIG_KEYID_BYTES, f.sig + 32, 32);
	cr_assert_eq(sg_try(f.sig, f.nsig, &f.p1, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "bad signature"), "%s", msg);
	free(other);
	free(osig);
	fx_free(&f);
}

/* A signature by k1 relabelled as k2's, both trusted: the key id is
 * signed, so it does not verify with k2. */
Test(signature, relabelled_key_id_refused)
{
	struct fx f;
	fx_make(&f);
	size_t idlen;
	cr_assert_eq(sodium_hex2bin(f.sig + f.nplain + 4, SIG_KEYID_BYTES, f.k2.pub.id, AUTHZ_KEY_ID_CHARS,
				    NULL, &idlen, NULL), 0);
	authz_public_key keys[] = { f.p1, f.p2 };
	const char *msg;
	cr_assert_eq(sg_try(f.sig, f.nsig, keys, 2, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "bad signature") && strstr(msg, f.k2.pub.id), "%s", msg);
	fx_free(&f);
}

/* The signed body turned back into version 3 with its digest made again
 * (anyone can: the digest has no key) is an unsigned bundle: refused with
 * keys. */
Test(signature, downgrade_to_unsigned_refused_with_keys)
{
	struct fx f;
	fx_make(&f);
	f.sig[4] = BUNDLE_VERSION;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, f.sig, 32);
	crypto_hash_sha256_update(&st, f.sig + 64, f.nplain - 64);
	crypto_hash_sha256_final(&st, f.sig + 32);
	const char *msg;
	cr_assert_eq(sg_try(f.sig, f.nplain, &f.p1, 1, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "not signed"), "%s", msg);
	/* with the old section still after it: trailing bytes */
	cr_assert_eq(sg_try(f.sig, f.nsig, &f.p1, 1, &msg), AUTHZ_EFORMAT);
	cr_assert(strstr(msg, "trailing bytes"), "%s", msg);
	fx_free(&f);
}

Test(signature, damaged_or_extended_section_refused)
{
	struct fx f;
	fx_make(&f);
	const char *msg;
	/* magic */
	f.sig[f.nplain] ^= 0x40;
	cr_assert_eq(sg_try(f.sig, f.nsig, NULL, 0, &msg), AUTHZ_ESIGNATURE);
	cr_assert(strstr(msg, "damaged signature section"), "%s", msg);
	f.sig[f.nplain] ^= 0x40;
	/* a byte more */
	uint8_t *longer = malloc(f.nsig + 1);
	memcpy(longer, f.sig, f.nsig);
	longer[f.nsig] = 0;
	cr_assert_eq(sg_try(longer, f.nsig + 1, &f.p1, 1, &msg), AUTHZ_EFORMAT);
	cr_assert(strstr(msg, "trailing bytes"), "%s", msg);
	free(longer);
	/* every shorter section */
	for (size_t n = f.nplain + 1; n < f.nsig; n++) {
		cr_assert_eq(sg_try(f.sig, n, NULL, 0, &msg), AUTHZ_ESIGNATURE, "%zu bytes", n);
		cr_assert(strstr(msg, "damaged signature section"), "%s", msg);
	}
	fx_free(&f);
}

Test(signature, load_file_ex_prefixes_the_path)
{
	struct fx f;
	fx_make(&f);
	char path[] = "/tmp/authzc-sig.XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, f.plain, f.nplain), (ssize_t)f.nplain);
	close(fd);
	authz_load_options o = { &f.p1, 1 };
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load_file_ex(&b, path, &o, &err), AUTHZ_ESIGNATURE);
	cr_assert(strncmp(err.message, path, strlen(path)) == 0, "%s", err.message);
	cr_assert_eq(authz_bundle_load_file_ex(&b, path, NULL, &err), 0, "%s", err.message);
	authz_bundle_free(b);
	unlink(path);
	fx_free(&f);
}

/* bw_sign refuses a bundle signed already, and a signer whose key is not
 * the public key it is given (its own check after signing). */
static void wrong_signer(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	ev_sign(ctx, msg, len, sig);
}

Test(signature, writer_refuses_double_signing_and_a_mismatched_key)
{
	struct fx f;
	fx_make(&f);
	uint8_t *out;
	size_t n;
	authz_error err;
	cr_assert_eq(bw_sign(f.sig, f.nsig, f.k1.pub.pk, wrong_signer, &f.k1, &out, &n, &err), AUTHZ_EINVAL);
	cr_assert(strstr(err.message, "signed already"), "%s", err.message);
	cr_assert_eq(bw_sign(f.plain, f.nplain, f.k1.pub.pk, wrong_signer, &f.k2, &out, &n, &err),
		     AUTHZ_ESIGNATURE);
	cr_assert_null(out);
	cr_assert(strstr(err.message, "bad signature"), "%s", err.message);
	fx_free(&f);
}
