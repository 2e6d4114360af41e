/*
 * index.h: the rule index (index.c), internal.  Built from a verified bundle
 * before its first decision (rt_bundle_prepare, under the bundle's lock);
 * read-only afterwards, so shared by deciding threads.
 *
 * A request's candidate rules: bucket = buckets[map[cell]] where cell is
 * (action * ntypes + principal type) * ntypes + resource type (mode
 * RT_IX_TRIPLE), the action (RT_IX_ACTION) or 0 (RT_IX_ALL).  The bucket's
 * `all` list holds every rule in its scope (for traces); without a trace,
 * its `plain` rules plus, per key, the rules the request's value can
 * satisfy:
 *
 *   RT_IX_STR    the rules of the string's literal (hash table)
 *   RT_IX_SET    the rules of each string element's literal
 *   RT_IX_BOOL   the rules of literal "1" or "0"
 *   RT_IX_ABOVE  x > k, x >= k: the rules whose bound the value passes, a
 *                prefix of the key's rules sorted by bound (bounds[])
 *   RT_IX_BELOW  x < k, x <= k: likewise, bounds in descending order
 *   RT_IX_PAIR   x == y, x != y: the rules for "equal" (the first `neq` of
 *                the key's rules) or those for "different" (the rest)
 *
 * or all the key's rules when the request's value (either value of a
 * pair) is absent, a record or of another kind.  Each rule is in at most
 * one key; a STR, SET or BOOL key's literal lists are each in rule-table
 * order (a rule may sit under several literals of one key); the lists of
 * the other modes are not.
 */
#ifndef AUTHZ_INDEX_H
#define AUTHZ_INDEX_H

#include <stdbool.h>
#include <string.h>

#include "bundle.h"
#include "owned.h"

enum rt_ix_mode { RT_IX_TRIPLE, RT_IX_ACTION, RT_IX_ALL };

/* The bytes of a literal kept in its hash entry, so that a lookup of a
 * short literal reads one cache line. */
#define RT_IX_INLINE 12

/* A literal and its rules, ix->rules[first, first + n), except that a
 * literal of one rule keeps that rule's index in `first` itself (one cache
 * miss fewer; rt_ix_list).  s NULL: an empty slot.  inl: the first
 * min(len, RT_IX_INLINE) bytes of s. */
struct rt_ix_ent {
	const char *s;
	uint32_t len, first, n;
	char inl[RT_IX_INLINE];
};

/* The rules of entry e: n of them from the returned pointer. */
static inline const uint32_t *rt_ix_list(const uint32_t *rules, const struct rt_ix_ent *e)
{
	return e->n == 1 ? &e->first : rules + e->first;
}

enum rt_ix_kmode { RT_IX_STR = 0, RT_IX_SET = 1, RT_IX_BOOL = 2, RT_IX_ABOVE = 3, RT_IX_BELOW = 4, RT_IX_PAIR = 5 };

/* What a key reads and how it matches: two keys with equal ids share
 * their tables.  Unused fields are 0. */
struct rt_ix_id {
	uint8_t root, is_id;            /* enum authz_root; the entity's id, not slot */
	uint8_t mode;                   /* enum rt_ix_kmode */
	uint8_t kind;                   /* ABOVE, BELOW: the bounds' kind (int, timestamp, duration) */
	uint8_t root2, is_id2;          /* PAIR: the other value */
	uint32_t slot, slot2;
};

static inline bool rt_ix_same(const struct rt_ix_id *a, const struct rt_ix_id *b)
{
	return a->root == b->root && a->is_id == b->is_id && a->mode == b->mode && a->kind == b->kind &&
	       a->slot == b->slot && a->root2 == b->root2 && a->is_id2 == b->is_id2 && a->slot2 == b->slot2;
}

/* A bound of an ABOVE or BELOW key: k, and whether the test is strict. */
struct rt_ix_bound { int64_t k; uint32_t strict; };

struct rt_ix_key {
	struct rt_ix_id id;
	uint32_t all, nall;             /* every rule of the key: rules[all, all + nall) */
	uint32_t hfirst, hmask;         /* STR, SET, BOOL: its table, hash[hfirst, hfirst + hmask + 1) */
	uint32_t bound;                 /* ABOVE, BELOW: bounds[bound, bound + nall), with the rules */
	uint32_t neq;                   /* PAIR: rules for "equal", then those for "different" */
};

struct rt_ix_bucket {
	uint32_t all, nall;
	uint32_t plain, nplain;
	uint32_t key, nkeys;            /* keys[key, key + nkeys) */
};

/*
 * The arrays an index owns (owned.h), each listed once: the struct
 * declares them from this list and rt_index_free frees exactly them.
 */
#define RT_INDEX_ARRAYS(X, s) \
	X(s, uint32_t, map)             /* cell -> bucket (0: the empty bucket) */ \
	X(s, struct rt_ix_bucket, buckets) \
	X(s, struct rt_ix_key, keys) \
	X(s, struct rt_ix_ent, hash) \
	X(s, struct rt_ix_bound, bounds) \
	X(s, uint32_t, rules)           /* every list of rules */

struct rt_index {
	RT_INDEX_ARRAYS(RT_OWNED_MEMBER, )
	enum rt_ix_mode mode;
	uint64_t seed;                  /* of rt_index_hash: random, drawn at each build */
	uint32_t ncells;
	size_t nbuckets;
	size_t nkeys, capkeys;
	size_t nhash, caphash;
	size_t nbounds, capbounds;
};

/* The 64-bit product of a and b folded to 64 bits: every input bit
 * reaches the low bits a table index takes, in one multiply. */
static inline uint64_t rt_index_mix(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 p = (unsigned __int128)a * b;
	return (uint64_t)p ^ (uint64_t)(p >> 64);
#else
	uint64_t h = a * (b | 1);
	h ^= h >> 32;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
#endif
}

/*
 * The hash of literal s[0..n) in the table of key `key` (a key index),
 * under the index's random `seed` (rt_index): a bundle cannot be built to
 * make the literals of a table collide, which would make the index build
 * quadratic and lookups slow.  Inline and short: a decision hashes every
 * literal it looks up.  In memory only, so the byte order does not
 * matter.  Up to 16 bytes are read in two (overlapping) words; with n
 * mixed in, the overlaps still tell every string apart.
 */
static inline uint64_t rt_index_hash(const char *s, size_t n, uint64_t seed0, uint32_t key)
{
	const uint64_t k0 = UINT64_C(0x9e3779b97f4a7c15), k1 = UINT64_C(0xd6e8feb86659fd93);
	uint64_t seed = ((uint64_t)key << 32 | n) ^ k1 ^ seed0, a, b;
	for (; n > 16; s += 16, n -= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		seed = rt_index_mix(a ^ k0, b ^ seed);
	}
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		a = (uint64_t)hi << 32 | lo;
		b = 0;
	} else {
		a = n ? (uint64_t)(uint8_t)s[0] << 16 | (uint64_t)(uint8_t)s[n / 2] << 8 | (uint8_t)s[n - 1] : 0;
		b = 0;
	}
	return rt_index_mix(a ^ k0, b ^ seed);
}

#endif
