/*
 * fnv.h: the runtime's one unseeded hash, 64-bit FNV-1a, internal.
 *
 * For tables whose keys come from the runtime's own making or from the
 * compiler: the bundle writer's interning (bundle_write.c) and the index
 * build's sharing of equal rule lists (index.c).  Tables a request or a
 * bundle's literals could flood use the seeded rt_index_hash (index.h).
 * The compiler has its own copy (compiler/util/hash.h): the runtime cannot
 * include the compiler, nor the compiler the runtime's internals.
 */
#ifndef AUTHZ_FNV_H
#define AUTHZ_FNV_H

#include <stddef.h>
#include <stdint.h>

/* The offset basis: the hash of nothing. */
#define RT_FNV1A_INIT UINT64_C(0xcbf29ce484222325)
#define RT_FNV1A_PRIME UINT64_C(0x100000001b3)

/* One step: fold `v` into `h`.  Bytes hash one step each; a list of
 * 32-bit words can be hashed a step per word. */
static inline uint64_t rt_fnv1a_step(uint64_t h, uint32_t v)
{
	return (h ^ v) * RT_FNV1A_PRIME;
}

/* Hash p[0..n) on from `h` (RT_FNV1A_INIT to start). */
static inline uint64_t rt_fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *s = p;
	for (size_t i = 0; i < n; i++)
		h = rt_fnv1a_step(h, s[i]);
	return h;
}

#endif
