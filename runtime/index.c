/*
 * index.c: the rule index, built when a bundle is loaded (after the
 * verifier), from the rule table and the verified code.  Nothing of it is
 * stored in the bundle: it is derived, so it costs no bytes and cannot
 * disagree with the rules.
 *
 * Level 1, scope: a bucket per (action, principal type, resource type)
 * the action allows, holding the rules whose scope covers that triple, in
 * rule-table order.  Triples with the same rule list share one bucket.
 * When the triple table would be too large (a hostile or enormous schema),
 * one bucket per action, and past that one bucket for all rules: the
 * decision re-checks every scope bit, so a coarser bucket is slower, never
 * wrong.
 *
 * Level 2, literal equality: a rule whose code starts with
 *     (ATTR r s | ENTITY_ID r) CONST k (EQ | IN)      or CONST k ... EQ
 * followed by WHEN, or by a chain of JFs ending at a WHEN (the first operand
 * of the first guard's `and`), cannot apply unless the request's value of
 * (r, s) equals string constant k (or is an element of string set k).
 * Nothing runs before that test, so it cannot raise an error either: a rule
 * whose literal misses is one that would end "not applied" at its first
 * guard.  Each bucket groups such rules by key (root, slot or id) into a
 * hash table literal -> rules.  A request lacking the attribute, or holding
 * a value of another kind, gets every rule of the key (they then run and
 * report their own error or result).
 */
#include <stdlib.h>
#include <string.h>

#include "index.h"

#define IX_MAX_TRIPLES (1u << 20)       /* dense (action, ptype, rtype) table */
#define IX_MAX_ENTRIES (1u << 25)       /* rule references in all buckets */
#define IX_MAX_KEYS 32                  /* keys per bucket; more go unindexed */
#define IX_MAX_SET 256                  /* larger `in` sets go unindexed */

/* The indexable test at the start of a rule, if any. */
struct rkey { bool ok; uint8_t root, is_id; uint32_t slot, k; };

/* A growable u32 array. */
struct vec { uint32_t *p; size_t n, cap; };

static int vec_push(struct vec *v, uint32_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		uint32_t *p = realloc(v->p, cap * sizeof *p);
		if (!p)
			return AUTHZ_ENOMEM;
		v->p = p;
		v->cap = cap;
	}
	v->p[v->n++] = x;
	return 0;
}

uint64_t rt_index_hash(const char *s, size_t n, uint32_t key)
{
	uint64_t h = 1469598103934665603u ^ key;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211u;
	return h ^ (h >> 29);
}

static bool is_string_key(const authz_bundle *b, uint32_t k)
{
	const struct vm_value *v = &b->consts[k];
	return v->kind == AUTHZ_K_STRING ||
	       (v->kind == AUTHZ_K_SET && (v->elem == AUTHZ_K_STRING || v->len == 0) && v->len <= IX_MAX_SET);
}

/* Analyze the start of rule r's code (verified: jumps in range). */
static struct rkey rule_key(const authz_bundle *b, const struct bundle_rule *r)
{
	struct rkey key = { 0 };
	const uint32_t *c = b->code + r->code_off;
	if (r->code_len < 5)
		return key;
	uint32_t op0 = AUTHZ_GET_OP(c[0]), op1 = AUTHZ_GET_OP(c[1]), op2 = AUTHZ_GET_OP(c[2]);
	uint32_t rd = 0, kpos;
	if ((op0 == AUTHZ_OP_ATTR || op0 == AUTHZ_OP_ENTITY_ID) && op1 == AUTHZ_OP_CONST &&
	    (op2 == AUTHZ_OP_EQ || op2 == AUTHZ_OP_IN))
		rd = c[0], kpos = 1;
	else if (op0 == AUTHZ_OP_CONST && (op1 == AUTHZ_OP_ATTR || op1 == AUTHZ_OP_ENTITY_ID) && op2 == AUTHZ_OP_EQ)
		rd = c[1], kpos = 0;
	else
		return key;
	uint32_t k = AUTHZ_GET_AX(c[kpos]);
	const struct vm_value *kv = &b->consts[k];
	if ((op2 == AUTHZ_OP_EQ && kv->kind != AUTHZ_K_STRING) ||
	    (op2 == AUTHZ_OP_IN && (kv->kind != AUTHZ_K_SET || !is_string_key(b, k))))
		return key;
	/* the false result must reach a WHEN: directly or through JFs that
	 * keep it on the stack */
	uint32_t pc = 3;
	while (pc < r->code_len && AUTHZ_GET_OP(c[pc]) == AUTHZ_OP_JF)
		pc = pc + 1 + AUTHZ_GET_AX(c[pc]);
	if (pc >= r->code_len || AUTHZ_GET_OP(c[pc]) != AUTHZ_OP_WHEN)
		return key;
	key.ok = true;
	key.root = (uint8_t)AUTHZ_GET_A(rd);
	key.is_id = AUTHZ_GET_OP(rd) == AUTHZ_OP_ENTITY_ID;
	key.slot = key.is_id ? 0 : AUTHZ_GET_B(rd);
	key.k = k;
	return key;
}

static bool bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

/* A (literal, rule) pair while building a key's table. */
struct pair { const char *s; uint32_t len, rule; };

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

struct builder {
	const authz_bundle *b;
	struct rt_index *ix;
	const struct rkey *keys;
	struct vec rules;               /* every list */
	struct pair *pairs;
	size_t npairs, cappairs;
};

static int add_pair(struct builder *bd, const struct vm_value *v, uint32_t rule)
{
	if (bd->npairs == bd->cappairs) {
		size_t cap = bd->cappairs ? bd->cappairs * 2 : 64;
		struct pair *p = realloc(bd->pairs, cap * sizeof *p);
		if (!p)
			return AUTHZ_ENOMEM;
		bd->pairs = p;
		bd->cappairs = cap;
	}
	bd->pairs[bd->npairs++] = (struct pair){ v->u.s.p, v->len, rule };
	return 0;
}

static int grow_arr(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return AUTHZ_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* Key `kx` of the bucket: its literal table from the rules list[0..n) that
 * use it. */
static int build_key(struct builder *bd, struct rt_ix_key *key, const uint32_t *list, size_t n)
{
	struct rt_index *ix = bd->ix;
	const authz_bundle *b = bd->b;
	key->all = (uint32_t)bd->rules.n;
	key->nall = 0;
	bd->npairs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rkey *rk = &bd->keys[list[i]];
		if (!rk->ok || rk->root != key->root || rk->is_id != key->is_id || rk->slot != key->slot)
			continue;
		if (vec_push(&bd->rules, list[i]) < 0)
			return AUTHZ_ENOMEM;
		key->nall++;
		const struct vm_value *kv = &b->consts[rk->k];
		if (kv->kind == AUTHZ_K_STRING) {
			if (add_pair(bd, kv, list[i]) < 0)
				return AUTHZ_ENOMEM;
		} else {
			for (uint32_t e = 0; e < kv->len; e++)
				if (add_pair(bd, &kv->u.set.p[e], list[i]) < 0)
					return AUTHZ_ENOMEM;
		}
	}
	qsort(bd->pairs, bd->npairs, sizeof *bd->pairs, cmp_pair);
	size_t nlit = 0;
	for (size_t i = 0; i < bd->npairs; i++)
		if (i == 0 || bd->pairs[i].len != bd->pairs[i - 1].len ||
		    memcmp(bd->pairs[i].s, bd->pairs[i - 1].s, bd->pairs[i].len))
			nlit++;
	uint32_t size = 4;
	while (size < 2 * nlit)
		size *= 2;
	key->hfirst = (uint32_t)ix->nhash;
	key->hmask = size - 1;
	if (grow_arr((void **)&ix->hash, &ix->caphash, ix->nhash + size, sizeof *ix->hash) < 0)
		return AUTHZ_ENOMEM;
	memset(ix->hash + ix->nhash, 0, size * sizeof *ix->hash);
	ix->nhash += size;
	uint32_t kid = (uint32_t)(key - ix->keys);
	for (size_t i = 0; i < bd->npairs;) {
		size_t j = i;
		struct rt_ix_ent ent = { bd->pairs[i].s, bd->pairs[i].len, (uint32_t)bd->rules.n, 0 };
		for (; j < bd->npairs && bd->pairs[j].len == ent.len && !memcmp(bd->pairs[j].s, ent.s, ent.len); j++) {
			if (j > i && bd->pairs[j].rule == bd->pairs[j - 1].rule)
				continue;       /* a set listing a literal twice */
			if (vec_push(&bd->rules, bd->pairs[j].rule) < 0)
				return AUTHZ_ENOMEM;
			ent.n++;
		}
		uint32_t h = (uint32_t)rt_index_hash(ent.s, ent.len, kid) & key->hmask;
		while (ix->hash[key->hfirst + h].s)
			h = (h + 1) & key->hmask;
		ix->hash[key->hfirst + h] = ent;
		i = j;
	}
	return 0;
}

/* Bucket for the rule list list[0..n): plain rules and keyed ones. */
static int build_bucket(struct builder *bd, struct rt_ix_bucket *bk, const uint32_t *list, size_t n)
{
	struct rt_index *ix = bd->ix;
	bk->all = (uint32_t)bd->rules.n;
	bk->nall = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		if (vec_push(&bd->rules, list[i]) < 0)
			return AUTHZ_ENOMEM;
	/* distinct keys, first come first served, at most IX_MAX_KEYS */
	bk->key = (uint32_t)ix->nkeys;
	bk->nkeys = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rkey *rk = &bd->keys[list[i]];
		if (!rk->ok)
			continue;
		bool found = false;
		for (uint32_t k = 0; k < bk->nkeys && !found; k++) {
			const struct rt_ix_key *x = &ix->keys[bk->key + k];
			found = x->root == rk->root && x->is_id == rk->is_id && x->slot == rk->slot;
		}
		if (found || bk->nkeys == IX_MAX_KEYS)
			continue;
		if (grow_arr((void **)&ix->keys, &ix->capkeys, ix->nkeys + 1, sizeof *ix->keys) < 0)
			return AUTHZ_ENOMEM;
		ix->keys[ix->nkeys++] = (struct rt_ix_key){ .root = rk->root, .is_id = rk->is_id, .slot = rk->slot };
		bk->nkeys++;
	}
	/* plain: rules with no key, or a key that did not make the cut */
	bk->plain = (uint32_t)bd->rules.n;
	bk->nplain = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rkey *rk = &bd->keys[list[i]];
		bool keyed = false;
		for (uint32_t k = 0; rk->ok && k < bk->nkeys && !keyed; k++) {
			const struct rt_ix_key *x = &ix->keys[bk->key + k];
			keyed = x->root == rk->root && x->is_id == rk->is_id && x->slot == rk->slot;
		}
		if (!keyed) {
			if (vec_push(&bd->rules, list[i]) < 0)
				return AUTHZ_ENOMEM;
			bk->nplain++;
		}
	}
	for (uint32_t k = 0; k < bk->nkeys; k++)
		if (build_key(bd, &ix->keys[bk->key + k], list, n) < 0)
			return AUTHZ_ENOMEM;
	return 0;
}

/* Choose the bucket granularity; fill `count` (per map cell) with the
 * number of rule references and return the total. */
static uint64_t count_cells(const authz_bundle *b, const struct rt_index *ix, uint32_t *count)
{
	uint64_t total = 0;
	uint32_t nt = b->ntypes;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct bundle_rule *r = &b->rules[ri];
		if (ix->mode == RT_IX_ALL) {
			count[0]++;
			total++;
			continue;
		}
		for (uint32_t a = 0; a < b->nactions; a++) {
			if (!bit(r->actions, a))
				continue;
			if (ix->mode == RT_IX_ACTION) {
				count[a]++;
				total++;
				continue;
			}
			const struct bundle_action *ac = &b->actions[a];
			for (uint32_t p = 0; p < nt; p++) {
				if (!bit(r->principals, p) || !bit(ac->principals, p))
					continue;
				for (uint32_t t = 0; t < nt; t++)
					if (bit(r->resources, t) && bit(ac->resources, t)) {
						count[((size_t)a * nt + p) * nt + t]++;
						total++;
					}
			}
		}
		if (total > IX_MAX_ENTRIES)
			return total;
	}
	return total;
}

static void fill_cells(const authz_bundle *b, const struct rt_index *ix, const uint32_t *start,
		       uint32_t *fill, uint32_t *refs)
{
	uint32_t nt = b->ntypes;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct bundle_rule *r = &b->rules[ri];
		if (ix->mode == RT_IX_ALL) {
			refs[start[0] + fill[0]++] = ri;
			continue;
		}
		for (uint32_t a = 0; a < b->nactions; a++) {
			if (!bit(r->actions, a))
				continue;
			if (ix->mode == RT_IX_ACTION) {
				refs[start[a] + fill[a]++] = ri;
				continue;
			}
			const struct bundle_action *ac = &b->actions[a];
			for (uint32_t p = 0; p < nt; p++) {
				if (!bit(r->principals, p) || !bit(ac->principals, p))
					continue;
				for (uint32_t t = 0; t < nt; t++)
					if (bit(r->resources, t) && bit(ac->resources, t)) {
						size_t cell = ((size_t)a * nt + p) * nt + t;
						refs[start[cell] + fill[cell]++] = ri;
					}
			}
		}
	}
}

int rt_index_build(authz_bundle *b)
{
	struct rt_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return AUTHZ_ENOMEM;
	b->index = ix;
	uint64_t triples = (uint64_t)b->nactions * b->ntypes * b->ntypes;
	ix->mode = triples <= IX_MAX_TRIPLES ? RT_IX_TRIPLE : b->nactions <= IX_MAX_TRIPLES ? RT_IX_ACTION : RT_IX_ALL;
	struct builder bd = { .b = b, .ix = ix };
	struct rkey *keys = NULL;
	uint32_t *count = NULL, *start = NULL, *refs = NULL, *hash = NULL;
	int e = AUTHZ_ENOMEM;
	for (;;) {
		ix->ncells = ix->mode == RT_IX_TRIPLE ? (uint32_t)triples : ix->mode == RT_IX_ACTION ? b->nactions : 1;
		if (ix->ncells == 0)
			ix->ncells = 1;
		count = calloc(ix->ncells, sizeof *count);
		if (!count)
			goto out;
		uint64_t total = count_cells(b, ix, count);
		if (total <= IX_MAX_ENTRIES || ix->mode == RT_IX_ALL)
			break;
		free(count);
		count = NULL;
		ix->mode = ix->mode == RT_IX_TRIPLE ? RT_IX_ACTION : RT_IX_ALL;
	}
	keys = calloc(b->nrules + 1, sizeof *keys);
	start = calloc(ix->ncells + 1, sizeof *start);
	ix->map = calloc(ix->ncells, sizeof *ix->map);
	if (!keys || !start || !ix->map)
		goto out;
	for (uint32_t r = 0; r < b->nrules; r++)
		keys[r] = rule_key(b, &b->rules[r]);
	bd.keys = keys;
	for (uint32_t i = 0; i < ix->ncells; i++)
		start[i + 1] = start[i] + count[i];
	refs = calloc(start[ix->ncells] + 1, sizeof *refs);
	if (!refs)
		goto out;
	memset(count, 0, ix->ncells * sizeof *count);
	fill_cells(b, ix, start, count, refs);
	/* bucket 0 is empty; cells with equal lists share a bucket, found
	 * through an open-addressing table of list hashes */
	size_t hsize = 16;
	while (hsize < 2 * (size_t)ix->ncells)
		hsize *= 2;
	hash = calloc(hsize, sizeof *hash);     /* 1 + cell index */
	ix->buckets = calloc(1, sizeof *ix->buckets);
	ix->nbuckets = 1;
	size_t capbuckets = 1;
	if (!hash || !ix->buckets)
		goto out;
	for (uint32_t cell = 0; cell < ix->ncells; cell++) {
		uint32_t n = count[cell];
		const uint32_t *list = refs + start[cell];
		if (n == 0)
			continue;
		uint64_t h = 1469598103934665603u;
		for (uint32_t i = 0; i < n; i++)
			h = (h ^ list[i]) * 1099511628211u;
		size_t at = (size_t)(h ^ (h >> 31)) & (hsize - 1);
		for (; hash[at]; at = (at + 1) & (hsize - 1)) {
			uint32_t other = hash[at] - 1;
			if (count[other] == n && !memcmp(refs + start[other], list, n * sizeof *list))
				break;
		}
		if (hash[at]) {
			ix->map[cell] = ix->map[hash[at] - 1];
			continue;
		}
		hash[at] = cell + 1;
		if (grow_arr((void **)&ix->buckets, &capbuckets, ix->nbuckets + 1, sizeof *ix->buckets) < 0)
			goto out;
		ix->map[cell] = (uint32_t)ix->nbuckets;
		if (build_bucket(&bd, &ix->buckets[ix->nbuckets++], list, n) < 0)
			goto out;
	}
	ix->rules = bd.rules.p;
	bd.rules.p = NULL;
	e = 0;
out:
	free(bd.rules.p);
	free(bd.pairs);
	free(keys);
	free(count);
	free(start);
	free(refs);
	free(hash);
	return e;
}

void rt_index_free(struct rt_index *ix)
{
	if (!ix)
		return;
	free(ix->map);
	free(ix->buckets);
	free(ix->keys);
	free(ix->hash);
	free(ix->rules);
	free(ix);
}
