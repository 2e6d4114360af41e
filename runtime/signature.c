/*
 * signature.c: the signature section of a version 4 bundle
 * (authzc-bundle(5), "Signature"): its checks when a bundle is loaded,
 * and key ids.  The cryptography is libsodium's (Ed25519, BLAKE2b).
 *
 * The section follows the digested body, so the digest covers everything
 * but it; the version byte (4), which the digest covers, says a section must
 * be there, so stripping it is seen; the section repeats the digest it
 * signs, so one taken from another bundle is seen; its signature covers a
 * domain string, that digest and the key id, so it cannot be replayed for
 * another purpose, another bundle or another key id.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"

void authz_key_id(const authz_public_key *k, char out[AUTHZ_KEY_ID_CHARS + 1])
{
	static const unsigned char domain[] = "authzc key id"; /* with its NUL */
	unsigned char h[16];
	out[0] = '\0';
	if (sodium_init() < 0)  /* idempotent and thread-safe */
		return;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, domain, sizeof domain);
	crypto_generichash_update(&st, k->key, AUTHZ_PUBLIC_KEY_BYTES);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, AUTHZ_KEY_ID_CHARS + 1, h, AUTHZ_KEY_ID_CHARS / 2);
}

/* "sha256:" and the first 12 hex digits of d, for messages. */
static void short_digest(char out[20], const uint8_t d[32])
{
	memcpy(out, "sha256:", 7);
	sodium_bin2hex(out + 7, 13, d, 6);
}

#define REFUSE(...) do { rt_bundle_error(err, AUTHZ_ESIGNATURE, __VA_ARGS__); \
			 return AUTHZ_ESIGNATURE; } while (0)

int rt_signature_check(const uint8_t *p, size_t len, size_t body, const uint8_t digest[32],
		       const authz_load_options *opts, char signer[AUTHZ_KEY_ID_CHARS + 1],
		       bool *verified, authz_error *err)
{
	bool keys = opts && opts->ntrusted_keys > 0;
	signer[0] = '\0';
	*verified = false;
	if (p[4] == BUNDLE_VERSION) {
		if (keys)
			REFUSE("bundle refused: it is not signed, and trusted keys were given "
			       "(sign it with authzc compile --sign KEYFILE)");
		return 0;
	}
	/* version 4: the section must follow the body, whole */
	if (len == body)
		REFUSE("bundle refused: its signature section was stripped (the header says "
		       "version 4, signed, but the file ends where the signed body does)");
	if (len - body != SIG_SECTION_SIZE || memcmp(p + body, SIG_MAGIC, 4) != 0)
		REFUSE("bundle refused: damaged signature section (%zu bytes after the body, "
		       "%u expected, starting with ESC AZS)", len - body, (unsigned)SIG_SECTION_SIZE);
	const uint8_t *sec = p + body, *kid = sec + 4, *signed_digest = kid + SIG_KEYID_BYTES,
		      *sig = signed_digest + 32;
	sodium_bin2hex(signer, AUTHZ_KEY_ID_CHARS + 1, kid, SIG_KEYID_BYTES);
	if (sodium_memcmp(signed_digest, digest, 32) != 0) {
		char theirs[20], ours[20];
		short_digest(theirs, signed_digest);
		short_digest(ours, digest);
		signer[0] = '\0';
		REFUSE("bundle refused: its signature section belongs to another bundle (it signs "
		       "%s..., this bundle is %s...): the signature was swapped", theirs, ours);
	}
	if (!keys)
		return 0;
	const authz_public_key *key = NULL;
	for (size_t i = 0; i < opts->ntrusted_keys && !key; i++) {
		char id[AUTHZ_KEY_ID_CHARS + 1];
		authz_key_id(&opts->trusted_keys[i], id);
		if (strcmp(id, signer) == 0)
			key = &opts->trusted_keys[i];
	}
	if (!key)
		REFUSE("bundle refused: signed by key %s, which is not one of the %zu trusted key%s",
		       signer, opts->ntrusted_keys, opts->ntrusted_keys == 1 ? "" : "s");
	uint8_t msg[sizeof SIG_DOMAIN + 32 + SIG_KEYID_BYTES];
	memcpy(msg, SIG_DOMAIN, sizeof SIG_DOMAIN);
	memcpy(msg + sizeof SIG_DOMAIN, digest, 32);
	memcpy(msg + sizeof SIG_DOMAIN + 32, kid, SIG_KEYID_BYTES);
	if (crypto_sign_verify_detached(sig, msg, sizeof msg, key->key) != 0)
		REFUSE("bundle refused: bad signature (the signature section names trusted key %s, "
		       "but its signature of this bundle does not verify with it)", signer);
	*verified = true;
	return 0;
}
