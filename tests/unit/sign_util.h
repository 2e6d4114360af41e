/*
 * sign_util.h: signing keys made in memory for the tests of signed bundles
 * (runtime/signature.c, codegen_sign): deterministic from a seed byte, so
 * no test touches key files.
 */
#ifndef AUTHZC_TEST_SIGN_UTIL_H
#define AUTHZC_TEST_SIGN_UTIL_H

#include <sodium.h>
#include <string.h>

#include "authz.h"
#include "codegen.h"
#include "keys.h"

/* Key `seed` (every seed byte that value), named `name`. */
static inline void sg_key(unsigned char seed, const char *name, struct ev_sec *k)
{
	char err[128];
	cr_assert_eq(ev_init(err, sizeof err), 0, "%s", err);
	unsigned char s[EV_SEED_BYTES];
	memset(s, seed, sizeof s);
	memset(k, 0, sizeof *k);
	crypto_sign_seed_keypair(k->pub.pk, k->sk, s);
	ev_key_id(k->pub.pk, k->pub.id);
	snprintf(k->pub.name, sizeof k->pub.name, "%s", name);
}

/* The runtime's form of k's public key. */
static inline authz_public_key sg_pub(const struct ev_sec *k)
{
	authz_public_key p;
	memcpy(p.key, k->pub.pk, sizeof p.key);
	return p;
}

/* in[0..len) signed by k (asserted to work); malloc'd. */
static inline uint8_t *sg_sign(const uint8_t *in, size_t len, const struct ev_sec *k, size_t *outlen)
{
	uint8_t *out = NULL;
	char err[256];
	cr_assert_eq(codegen_sign(in, len, k, &out, outlen, err, sizeof err), 0, "codegen_sign: %s", err);
	return out;
}

#endif
