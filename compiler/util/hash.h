/*
 * hash.h: the compiler's one non-cryptographic hash, 64-bit FNV-1a, for
 * in-memory hash tables and stable fingerprints of text.
 *
 * Not for tables whose keys an attacker picks to make them collide: FNV
 * has no seed.  The compiler reads its own project; the runtime's index,
 * which takes bundles and requests from anyone, has a seeded hash of its
 * own (runtime/index.h).
 */
#ifndef AUTHZC_HASH_H
#define AUTHZC_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The offset basis: the hash of no bytes. */
#define FNV1A_INIT UINT64_C(0xcbf29ce484222325)
#define FNV1A_PRIME UINT64_C(0x100000001b3)

/* Hash p[0..n) on from `h` (FNV1A_INIT to start): hashing a then b from
 * the hash of a is the hash of a followed by b. */
static inline uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV1A_PRIME;
	return h;
}

/* The hash of the C string s (without its NUL). */
static inline uint64_t fnv1a_str(const char *s)
{
	return fnv1a(FNV1A_INIT, s, strlen(s));
}

#endif
