/*
 * index.h: the rule index (index.c), internal.  Built by the loader from a
 * verified bundle; read-only afterwards, so shared by deciding threads.
 *
 * A request's candidate rules: bucket = buckets[map[cell]] where cell is
 * (action * ntypes + principal type) * ntypes + resource type (mode
 * RT_IX_TRIPLE), the action (RT_IX_ACTION) or 0 (RT_IX_ALL).  The bucket's
 * `all` list holds every rule in its scope (for traces); without a trace,
 * its `plain` rules plus, per key, the rules of each literal the request's
 * value matches (key mode RT_IX_STR: the string; RT_IX_SET: each string
 * element; RT_IX_BOOL: "1" or "0"), or all the key's rules when the
 * request's value is absent or of another kind.  Each rule is in at most
 * one key; a key's literal lists are each in rule-table order (a rule may
 * sit under several literals of one key).
 */
#ifndef AUTHZ_INDEX_H
#define AUTHZ_INDEX_H

#include "bundle.h"

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

enum rt_ix_kmode { RT_IX_STR = 0, RT_IX_SET = 1, RT_IX_BOOL = 2 };

struct rt_ix_key {
	uint8_t root, is_id;            /* enum authz_root; the entity's id, not slot */
	uint8_t mode;                   /* enum rt_ix_kmode */
	uint32_t slot;
	uint32_t all, nall;             /* every rule of the key */
	uint32_t hfirst, hmask;         /* its table: hash[hfirst, hfirst + hmask + 1) */
};

struct rt_ix_bucket {
	uint32_t all, nall;
	uint32_t plain, nplain;
	uint32_t key, nkeys;            /* keys[key, key + nkeys) */
};

struct rt_index {
	enum rt_ix_mode mode;
	uint32_t ncells;
	uint32_t *map;                  /* cell -> bucket (0: the empty bucket) */
	struct rt_ix_bucket *buckets;
	size_t nbuckets;
	struct rt_ix_key *keys;
	size_t nkeys, capkeys;
	struct rt_ix_ent *hash;
	size_t nhash, caphash;
	uint32_t *rules;
};

/* The hash of literal s[0..n) in the table of key `key` (a key index). */
AUTHZ_INTERNAL uint64_t rt_index_hash(const char *s, size_t n, uint32_t key);

#endif
