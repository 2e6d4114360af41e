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
 * Level 2, literal tests.  A rule's code is its guards in order, each a
 * conjunct of the rule's condition ending in WHEN or UNLESS.  A `when`
 * guard of one of these shapes (x the value of key (root, slot) or the
 * principal's / resource's id, k a constant):
 *
 *   x == "lit"  "lit" == x  x in ["l1", ...]      key mode STR
 *   "lit" in x  x.containsAny([...])              key mode SET (each literal)
 *   x.containsAll(["l1", ...])                    key mode SET (by "l1")
 *   x  (a bool attribute)   !x                    key mode BOOL ("1" / "0")
 *
 * is false, so the rule does not apply, unless the request's value there
 * matches one of its literals.  When every guard before it cannot raise an
 * error either (guard_safe: no arithmetic, no jump, operand kinds known to
 * fit, attributes read known to be present: required for every type in
 * the rule's scope, or proven by an earlier `has` guard), a rule whose
 * literals all miss is one that would end "not applied" (its first failing
 * guard is this one or an earlier one) and never in error: skipping it
 * changes nothing, and a forbid is never skipped when it could fail
 * closed.  Each rule gets at most one such key, the most selective of its
 * candidates (most distinct literals over the bundle per literal of the
 * guard; set keys count less, a request's set matches several; bool keys
 * come last).
 *
 * Each bucket groups its keyed rules by key into hash tables literal ->
 * rules.  A request whose value is absent or of another kind than the
 * key's mode gets every rule of the key (they then run and report their
 * own error or result).
 */
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "rule_image.h"

#define IX_MAX_TRIPLES (1u << 20)       /* dense (action, ptype, rtype) table */
#define IX_MAX_ENTRIES (1u << 25)       /* rule references in all buckets */
#define IX_MAX_KEYS 32                  /* keys per bucket; more go unindexed */
#define IX_MAX_SET 256                  /* larger constant sets go unindexed */
#define IX_MAX_CANDS 8                  /* candidate guards considered per rule */
#define IX_MAX_IDENTS 4096              /* distinct keys over the bundle */
#define IX_MAX_PROVEN 16                /* `has` guards remembered per rule */
#define IX_MAX_FTAB (1u << 22)          /* (owner, slot) -> field table */
#define IX_MAX_TYPES 256                /* more types: only first guards are keys */

/* A key candidate or choice: literals are lits[0..nlits), or the bool in
 * `truth` (mode BOOL). */
struct rkey {
	bool ok;
	uint8_t root, is_id, mode;
	uint32_t slot;
	const struct vm_value *lits;
	uint32_t nlits;
	uint32_t guard;                 /* its guard's position among the rule's guards */
	bool exact;                     /* a request found under one of lits makes the guard true */
	uint32_t ident;                 /* index in the bundle's key identities */
};

/* A growable u32 array. */
struct vec { uint32_t *p; size_t n, cap; };

/* Double the room of v; 0 or AUTHZ_ENOMEM. */
static int vec_grow(struct vec *v)
{
	size_t cap = v->cap ? v->cap * 2 : 64;
	uint32_t *p = realloc(v->p, cap * sizeof *p);
	if (!p)
		return AUTHZ_ENOMEM;
	v->p = p;
	v->cap = cap;
	return 0;
}

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

/* The literals of mode BOOL keys: "1" for `x`, "0" for `!x`. */
static const struct vm_value bool_lit[2] = {
	{ .kind = AUTHZ_K_STRING, .len = 1, .u.s.p = "0" },
	{ .kind = AUTHZ_K_STRING, .len = 1, .u.s.p = "1" },
};

static bool bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

/* A constant set of at most IX_MAX_SET strings? */
static bool string_set(const authz_bundle *b, uint32_t k)
{
	const struct vm_value *v = &b->consts[k];
	if (v->kind != AUTHZ_K_SET || v->len > IX_MAX_SET)
		return false;
	for (uint32_t i = 0; i < v->len; i++)
		if (v->u.set.p[i].kind != AUTHZ_K_STRING)
			return false;
	return true;
}

/* What the analysis of a bundle's rules needs. */
struct ana {
	const authz_bundle *b;
	uint32_t *ftab;                 /* [owner * nslots + slot]: field index + 1, 0 none */
	uint64_t *ptypes, *rtypes;      /* types some action allows (bitsets) */
};

/* The field of `slot` in `owner`, NULL when it has none. */
static const struct bundle_field *field_of(const struct ana *an, uint32_t owner, uint32_t slot)
{
	uint32_t f = an->ftab[(size_t)owner * an->b->nslots + slot];
	return f ? &an->b->fields[f - 1] : NULL;
}

/* (root, slot) pairs proven present by earlier `has` guards. */
struct proven { uint32_t n; uint8_t root[IX_MAX_PROVEN]; uint32_t slot[IX_MAX_PROVEN]; };

static bool is_proven(const struct proven *pv, unsigned root, uint32_t slot)
{
	for (uint32_t i = 0; i < pv->n; i++)
		if (pv->root[i] == root && pv->slot[i] == slot)
			return true;
	return false;
}

/*
 * Reading (root, slot) in rule r can raise no error: for every type the
 * rule's scope allows at that root (or the context), the attribute and each
 * record above it is declared and required, or proven present.  *kind: its
 * declared kind when every type agrees, else AUTHZ_K_NONE.
 */
static bool attr_safe(const struct ana *an, const struct bundle_rule *r, unsigned root, uint32_t slot,
		      const struct proven *pv, uint8_t *kind, uint8_t *elem)
{
	const authz_bundle *b = an->b;
	*kind = *elem = AUTHZ_K_NONE;
	if (!an->ftab || root > AUTHZ_ROOT_CONTEXT || slot >= b->nslots)
		return false;
	bool first = true;
	for (uint32_t t = 0; t <= b->ntypes; t++) {
		uint32_t owner = t;
		if (root == AUTHZ_ROOT_CONTEXT) {
			if (t < b->ntypes)
				continue;
		} else {
			if (t == b->ntypes)
				break;
			const uint64_t *scope = root == AUTHZ_ROOT_PRINCIPAL ? r->principals : r->resources;
			const uint64_t *used = root == AUTHZ_ROOT_PRINCIPAL ? an->ptypes : an->rtypes;
			if (!bit(scope, t) || !bit(used, t))
				continue;
		}
		const struct bundle_field *leaf = field_of(an, owner, slot);
		if (!leaf || leaf->type == AUTHZ_K_RECORD)
			return false;
		if (first) {
			*kind = leaf->type;
			*elem = leaf->elem;
			first = false;
		} else if (*kind != leaf->type || *elem != leaf->elem) {
			*kind = *elem = AUTHZ_K_NONE;
		}
		uint32_t s = slot;
		for (int depth = 0; s != BUNDLE_NO_INDEX; depth++) {
			if (depth > AUTHZ_MAX_DEPTH + 1)
				return false;
			if (is_proven(pv, root, s))
				break;
			const struct bundle_field *f = field_of(an, owner, s);
			if (!f || f->optional)
				return false;
			s = b->slots[s].parent;
		}
	}
	return !first;
}

/*
 * Guard code c[s..e] (c[e] its WHEN or UNLESS) can raise no error: a
 * symbolic run over the kinds of the values it computes.
 */
static bool guard_safe(const struct ana *an, const struct bundle_rule *r, const uint32_t *c, uint32_t s,
		       uint32_t e, const struct proven *pv)
{
	const authz_bundle *b = an->b;
	struct { uint8_t kind, elem; } st[AUTHZ_MAX_STACK + 2];
	int sp = 0;
#define PUSH(k, el) do { if (sp > AUTHZ_MAX_STACK) return false; st[sp].kind = (k); st[sp].elem = (el); sp++; } while (0)
#define NEED(n) do { if (sp < (n)) return false; } while (0)
	for (uint32_t pc = s; pc <= e; pc++) {
		uint32_t ins = c[pc], op = AUTHZ_GET_OP(ins);
		uint8_t k, el;
		switch (op) {
		case AUTHZ_OP_NOP:
			break;
		case AUTHZ_OP_TRUE:
		case AUTHZ_OP_FALSE:
		case AUTHZ_OP_HAS:
			PUSH(AUTHZ_K_BOOL, 0);
			break;
		case AUTHZ_OP_CONST: {
			const struct vm_value *v = &b->consts[AUTHZ_GET_AX(ins)];
			PUSH(v->kind, v->elem);
			break;
		}
		case AUTHZ_OP_ENTITY:
			PUSH(AUTHZ_K_ENTITY, 0);
			break;
		case AUTHZ_OP_ENTITY_ID:
		case AUTHZ_OP_ACTION:
			PUSH(AUTHZ_K_STRING, 0);
			break;
		case AUTHZ_OP_NOW:
			PUSH(AUTHZ_K_TIMESTAMP, 0);
			break;
		case AUTHZ_OP_ATTR:
			if (!attr_safe(an, r, AUTHZ_GET_A(ins), AUTHZ_GET_B(ins), pv, &k, &el))
				return false;
			PUSH(k, el);
			break;
		case AUTHZ_OP_EQ:
		case AUTHZ_OP_NE:
			NEED(2);
			sp -= 2;
			PUSH(AUTHZ_K_BOOL, 0);
			break;
		case AUTHZ_OP_LT:
		case AUTHZ_OP_LE:
		case AUTHZ_OP_GT:
		case AUTHZ_OP_GE:
			NEED(2);
			k = st[sp - 1].kind;
			if (k != st[sp - 2].kind ||
			    (k != AUTHZ_K_INT && k != AUTHZ_K_TIMESTAMP && k != AUTHZ_K_DURATION))
				return false;
			sp -= 2;
			PUSH(AUTHZ_K_BOOL, 0);
			break;
		case AUTHZ_OP_NOT:
			NEED(1);
			if (st[sp - 1].kind != AUTHZ_K_BOOL)
				return false;
			break;
		case AUTHZ_OP_IN:
			NEED(2);
			if (!(st[sp - 1].kind == AUTHZ_K_SET ||
			      (st[sp - 1].kind == AUTHZ_K_IP && st[sp - 2].kind == AUTHZ_K_IP)))
				return false;
			sp -= 2;
			PUSH(AUTHZ_K_BOOL, 0);
			break;
		case AUTHZ_OP_LIKE:
			NEED(1);
			if (st[sp - 1].kind != AUTHZ_K_STRING)
				return false;
			st[sp - 1].kind = AUTHZ_K_BOOL;
			break;
		case AUTHZ_OP_CONTAINS_ALL:
		case AUTHZ_OP_CONTAINS_ANY:
			NEED(2);
			if (st[sp - 1].kind != AUTHZ_K_SET || st[sp - 2].kind != AUTHZ_K_SET)
				return false;
			sp -= 2;
			PUSH(AUTHZ_K_BOOL, 0);
			break;
		case AUTHZ_OP_IS_EMPTY:
			NEED(1);
			if (st[sp - 1].kind != AUTHZ_K_SET)
				return false;
			st[sp - 1].kind = AUTHZ_K_BOOL;
			break;
		case AUTHZ_OP_TIME_PART:
			NEED(1);
			if (st[sp - 1].kind != AUTHZ_K_TIMESTAMP)
				return false;
			st[sp - 1].kind = AUTHZ_K_INT;
			break;
		case AUTHZ_OP_POP:
			NEED(1);
			sp--;
			break;
		case AUTHZ_OP_WHEN:
		case AUTHZ_OP_UNLESS:
			return pc == e && sp == 1 && st[0].kind == AUTHZ_K_BOOL;
		default:        /* arithmetic (overflow), jumps, APPLY */
			return false;
		}
	}
#undef PUSH
#undef NEED
	return false;
}

/* The reader of a key: ATTR or ENTITY_ID. */
static bool key_reader(uint32_t ins, struct rkey *k)
{
	uint32_t op = AUTHZ_GET_OP(ins);
	if (op != AUTHZ_OP_ATTR && op != AUTHZ_OP_ENTITY_ID)
		return false;
	k->root = (uint8_t)AUTHZ_GET_A(ins);
	k->is_id = op == AUTHZ_OP_ENTITY_ID;
	k->slot = k->is_id ? 0 : AUTHZ_GET_B(ins);
	return !k->is_id || k->root <= AUTHZ_ROOT_RESOURCE;
}

/* Guard c[s..e] (c[e] a WHEN) as a key, if it has one of the shapes. */
static bool guard_key(const authz_bundle *b, const uint32_t *c, uint32_t s, uint32_t e, struct rkey *k)
{
	uint32_t n = e - s, o[3] = { 0 };
	memset(k, 0, sizeof *k);
	if (AUTHZ_GET_OP(c[e]) != AUTHZ_OP_WHEN || n < 1 || n > 3)
		return false;
	for (uint32_t i = 0; i < n; i++)
		o[i] = AUTHZ_GET_OP(c[s + i]);
	if (n == 1 || (n == 2 && o[1] == AUTHZ_OP_NOT)) {        /* x, !x */
		if (o[0] != AUTHZ_OP_ATTR || !key_reader(c[s], k))
			return false;
		k->mode = RT_IX_BOOL;
		k->lits = &bool_lit[n == 1];
		k->nlits = 1;
		k->exact = true;
		return true;
	}
	if (n != 3)
		return false;
	uint32_t kpos, rpos;
	if (o[0] == AUTHZ_OP_CONST && o[2] != AUTHZ_OP_CONTAINS_ALL && o[2] != AUTHZ_OP_CONTAINS_ANY)
		kpos = 0, rpos = 1;
	else
		kpos = 1, rpos = 0;
	if (AUTHZ_GET_OP(c[s + kpos]) != AUTHZ_OP_CONST || !key_reader(c[s + rpos], k))
		return false;
	uint32_t ki = AUTHZ_GET_AX(c[s + kpos]);
	const struct vm_value *kv = &b->consts[ki];
	k->exact = o[2] != AUTHZ_OP_CONTAINS_ALL || kv->len == 1;
	switch (o[2]) {
	case AUTHZ_OP_EQ:               /* x == "lit", "lit" == x */
		if (kv->kind != AUTHZ_K_STRING)
			return false;
		k->mode = RT_IX_STR;
		k->lits = kv;
		k->nlits = 1;
		return true;
	case AUTHZ_OP_IN:
		if (kpos == 1) {        /* x in ["l1", ...] */
			if (!string_set(b, ki))
				return false;
			k->mode = RT_IX_STR;
			k->lits = kv->u.set.p;
			k->nlits = kv->len;
			return true;
		}
		/* "lit" in x */
		if (kv->kind != AUTHZ_K_STRING || k->is_id)
			return false;
		k->mode = RT_IX_SET;
		k->lits = kv;
		k->nlits = 1;
		return true;
	case AUTHZ_OP_CONTAINS_ANY:     /* x.containsAny([...]) */
	case AUTHZ_OP_CONTAINS_ALL:     /* x.containsAll(["l1", ...]): needs l1 */
		if (k->is_id || !string_set(b, ki) || (o[2] == AUTHZ_OP_CONTAINS_ALL && kv->len == 0))
			return false;
		k->mode = RT_IX_SET;
		k->lits = kv->u.set.p;
		k->nlits = o[2] == AUTHZ_OP_CONTAINS_ALL ? 1 : kv->len;
		return true;
	default:
		return false;
	}
}

/*
 * The key candidates of rule r into out[0..IX_MAX_CANDS): each `when` guard
 * with a key shape, as long as every guard before it is safe.  Returns
 * their number.
 */
static uint32_t rule_cands(const struct ana *an, const struct bundle_rule *r, struct rkey *out)
{
	const uint32_t *c = an->b->code + r->code_off;
	struct proven pv = { 0 };
	uint32_t n = 0, s = 0, g = 0;
	for (uint32_t pc = 0; pc < r->code_len && n < IX_MAX_CANDS; pc++) {
		uint32_t op = AUTHZ_GET_OP(c[pc]);
		if (op != AUTHZ_OP_WHEN && op != AUTHZ_OP_UNLESS)
			continue;
		if (guard_key(an->b, c, s, pc, &out[n])) {
			out[n].ok = true;
			out[n].guard = g;
			n++;
		}
		if (!guard_safe(an, r, c, s, pc, &pv))
			break;
		/* `has x` proves x present for the guards after it */
		if (op == AUTHZ_OP_WHEN && pc == s + 1 && AUTHZ_GET_OP(c[s]) == AUTHZ_OP_HAS && pv.n < IX_MAX_PROVEN) {
			pv.root[pv.n] = (uint8_t)AUTHZ_GET_A(c[s]);
			pv.slot[pv.n++] = AUTHZ_GET_B(c[s]);
		}
		s = pc + 1;
		g++;
	}
	return n;
}

static bool same_key(const struct rkey *a, uint8_t root, uint8_t is_id, uint8_t mode, uint32_t slot)
{
	return a->root == root && a->is_id == is_id && a->mode == mode && a->slot == slot;
}

/* A (literal, rule) pair while building a key's table; while choosing keys,
 * `rule` is the key identity instead. */
struct pair { const char *s; uint32_t len, rule; };

/* Do two pairs have the same `rule` (or key identity) and literal? */
static bool same_pair(const struct pair *a, const struct pair *b)
{
	return a->rule == b->rule && a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/*
 * Choose each rule's key into keys[0..nrules): the candidate whose key has
 * the most distinct literals over the bundle per literal of its guard (set
 * keys count a quarter: a request's set looks up several; bool keys, which
 * split requests in two at best, come last).
 */
static int choose_keys(const struct ana *an, struct rkey *keys)
{
	const authz_bundle *b = an->b;
	int e = AUTHZ_ENOMEM;
	struct rkey *cands = calloc((size_t)b->nrules * IX_MAX_CANDS + 1, sizeof *cands);
	uint8_t *ncand = calloc((size_t)b->nrules + 1, 1);
	struct rkey *idents = calloc(IX_MAX_IDENTS, sizeof *idents);
	uint32_t nidents = 0, *distinct = calloc(IX_MAX_IDENTS, sizeof *distinct);
	struct pair *pairs = NULL;
	size_t npairs = 0, cappairs = 0;
	uint32_t *tab = NULL;
	if (!cands || !ncand || !idents || !distinct)
		goto out;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		struct rkey *rc = cands + (size_t)ri * IX_MAX_CANDS;
		uint32_t n = rule_cands(an, &b->rules[ri], rc), kept = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t id = 0;
			while (id < nidents && !same_key(&idents[id], rc[i].root, rc[i].is_id, rc[i].mode, rc[i].slot))
				id++;
			if (id == nidents) {
				if (nidents == IX_MAX_IDENTS)
					continue;
				idents[nidents++] = rc[i];
			}
			rc[i].ident = id;
			for (uint32_t l = 0; l < rc[i].nlits; l++) {
				if (npairs == cappairs) {
					size_t cap = cappairs ? 2 * cappairs : 256;
					struct pair *p = realloc(pairs, cap * sizeof *p);
					if (!p)
						goto out;
					pairs = p;
					cappairs = cap;
				}
				pairs[npairs++] = (struct pair){ rc[i].lits[l].u.s.p, rc[i].lits[l].len, id };
			}
			rc[kept++] = rc[i];
		}
		ncand[ri] = (uint8_t)kept;
	}
	/* distinct literals per key identity: a hash set of (identity, literal) */
	size_t tsize = 16;
	while (tsize < 2 * npairs)
		tsize *= 2;
	tab = calloc(tsize, sizeof *tab);       /* 1 + pair index */
	if (!tab)
		goto out;
	for (size_t i = 0; i < npairs; i++) {
		const struct pair *pi = &pairs[i];
		size_t h = (size_t)rt_index_hash(pi->s, pi->len, pi->rule) & (tsize - 1);
		for (; tab[h]; h = (h + 1) & (tsize - 1))
			if (same_pair(&pairs[tab[h] - 1], pi))
				break;
		if (!tab[h]) {
			tab[h] = (uint32_t)i + 1;
			distinct[pi->rule]++;
		}
	}
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct rkey *rc = cands + (size_t)ri * IX_MAX_CANDS;
		double best = -1;
		for (uint32_t i = 0; i < ncand[ri]; i++) {
			double score = rc[i].nlits ? (double)distinct[rc[i].ident] / rc[i].nlits : 1e30;
			if (rc[i].mode == RT_IX_SET)
				score /= 4;
			else if (rc[i].mode == RT_IX_BOOL && rc[i].nlits)
				score = 0.2;    /* two values at most: the last resort */
			if (score > best) {
				best = score;
				keys[ri] = rc[i];
			}
		}
	}
	e = 0;
out:
	free(cands);
	free(ncand);
	free(idents);
	free(distinct);
	free(pairs);
	free(tab);
	return e;
}

struct builder {
	const authz_bundle *b;
	struct rt_index *ix;
	const struct rkey *keys;
	struct vec rules;               /* every list */
	struct pair *pairs;
	size_t npairs, cappairs;
	struct group *groups;           /* build_key's scratch, npairs at most */
	uint32_t *pgroup, *tab;
	size_t capgroups, capgroups_p, captab;
};

/* A distinct literal of a key while building its table. */
struct group { const char *s; uint32_t len, n, last, fill; };

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
	key->all = (uint32_t)bd->rules.n;
	key->nall = 0;
	bd->npairs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rkey *rk = &bd->keys[list[i]];
		if (!rk->ok || !same_key(rk, key->root, key->is_id, key->mode, key->slot))
			continue;
		if (vec_push(&bd->rules, list[i]) < 0)
			return AUTHZ_ENOMEM;
		key->nall++;
		for (uint32_t e = 0; e < rk->nlits; e++)
			if (add_pair(bd, &rk->lits[e], list[i]) < 0)
				return AUTHZ_ENOMEM;
	}
	/* group the pairs by literal (a rule listing a literal twice counts
	 * once); the pairs come in list order, so each literal's rules do too */
	uint32_t kid = (uint32_t)(key - ix->keys);
	size_t np = bd->npairs, tsize = 4;
	while (tsize < 2 * np)
		tsize *= 2;
	if (grow_arr((void **)&bd->groups, &bd->capgroups, np + 1, sizeof *bd->groups) < 0 ||
	    grow_arr((void **)&bd->pgroup, &bd->capgroups_p, np + 1, sizeof *bd->pgroup) < 0 ||
	    grow_arr((void **)&bd->tab, &bd->captab, tsize, sizeof *bd->tab) < 0)
		return AUTHZ_ENOMEM;
	memset(bd->tab, 0, tsize * sizeof *bd->tab);
	size_t nlit = 0, total = 0;
	for (size_t i = 0; i < np; i++) {
		const struct pair *pi = &bd->pairs[i];
		size_t h = (size_t)rt_index_hash(pi->s, pi->len, kid) & (tsize - 1);
		for (; bd->tab[h]; h = (h + 1) & (tsize - 1)) {
			const struct group *g = &bd->groups[bd->tab[h] - 1];
			if (g->len == pi->len && !memcmp(g->s, pi->s, pi->len))
				break;
		}
		if (!bd->tab[h]) {
			bd->groups[nlit] = (struct group){ pi->s, pi->len, 0, UINT32_MAX, 0 };
			bd->tab[h] = (uint32_t)++nlit;
		}
		struct group *g = &bd->groups[bd->tab[h] - 1];
		if (g->last == pi->rule) {
			bd->pgroup[i] = UINT32_MAX;
			continue;
		}
		g->last = pi->rule;
		g->n++;
		total++;
		bd->pgroup[i] = bd->tab[h] - 1;
	}
	/* each literal's rules, back to back */
	size_t base = bd->rules.n;
	while (bd->rules.cap < base + total)
		if (vec_grow(&bd->rules) < 0)
			return AUTHZ_ENOMEM;
	for (size_t g = 0, at = base; g < nlit; g++) {
		bd->groups[g].fill = (uint32_t)at;
		at += bd->groups[g].n;
	}
	for (size_t i = 0; i < np; i++)
		if (bd->pgroup[i] != UINT32_MAX)
			bd->rules.p[bd->groups[bd->pgroup[i]].fill++] = bd->pairs[i].rule;
	bd->rules.n = base + total;
	uint32_t size = 4;
	while (size < 2 * nlit)
		size *= 2;
	key->hfirst = (uint32_t)ix->nhash;
	key->hmask = size - 1;
	if (grow_arr((void **)&ix->hash, &ix->caphash, ix->nhash + size, sizeof *ix->hash) < 0)
		return AUTHZ_ENOMEM;
	memset(ix->hash + ix->nhash, 0, size * sizeof *ix->hash);
	ix->nhash += size;
	for (size_t g = 0; g < nlit; g++) {
		const struct group *gr = &bd->groups[g];
		struct rt_ix_ent ent = { gr->s, gr->len, gr->fill - gr->n, gr->n, { 0 } };
		memcpy(ent.inl, gr->s, gr->len < RT_IX_INLINE ? gr->len : RT_IX_INLINE);
		if (ent.n == 1)
			ent.first = bd->rules.p[ent.first];
		uint32_t h = (uint32_t)rt_index_hash(ent.s, ent.len, kid) & key->hmask;
		while (ix->hash[key->hfirst + h].s)
			h = (h + 1) & key->hmask;
		ix->hash[key->hfirst + h] = ent;
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
			found = same_key(rk, x->root, x->is_id, x->mode, x->slot);
		}
		if (found || bk->nkeys == IX_MAX_KEYS)
			continue;
		if (grow_arr((void **)&ix->keys, &ix->capkeys, ix->nkeys + 1, sizeof *ix->keys) < 0)
			return AUTHZ_ENOMEM;
		ix->keys[ix->nkeys++] = (struct rt_ix_key){ .root = rk->root, .is_id = rk->is_id,
							    .mode = rk->mode, .slot = rk->slot };
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
			keyed = same_key(rk, x->root, x->is_id, x->mode, x->slot);
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

/* The analysis tables of `an` (left NULL when too large: then only
 * first guards become keys). */
static int ana_init(struct ana *an, const authz_bundle *b)
{
	memset(an, 0, sizeof *an);
	an->b = b;
	uint64_t cells = (uint64_t)(b->ntypes + 1) * b->nslots;
	if (b->ntypes > IX_MAX_TYPES || cells > IX_MAX_FTAB)
		return 0;
	an->ftab = calloc(cells + 1, sizeof *an->ftab);
	an->ptypes = calloc(b->tw + 1, sizeof *an->ptypes);
	an->rtypes = calloc(b->tw + 1, sizeof *an->rtypes);
	if (!an->ftab || !an->ptypes || !an->rtypes)
		return AUTHZ_ENOMEM;
	for (uint32_t o = 0; o <= b->ntypes; o++)
		for (uint32_t f = b->owners[o].first; f < b->owners[o].first + b->owners[o].nall; f++)
			an->ftab[(size_t)o * b->nslots + b->fields[f].slot] = f + 1;
	for (uint32_t a = 0; a < b->nactions; a++)
		for (uint32_t w = 0; w < b->tw; w++) {
			an->ptypes[w] |= b->actions[a].principals[w];
			an->rtypes[w] |= b->actions[a].resources[w];
		}
	return 0;
}

static void ana_free(struct ana *an)
{
	free(an->ftab);
	free(an->ptypes);
	free(an->rtypes);
}

/*
 * Tell each rule's image where its code goes on once its key guard is
 * known true (rt_img key_end): when the key is exact and its guard comes
 * first, a rule found under the request's literal starts after it.  Every
 * other rule gets 0 (start at the beginning), also when an index built
 * before chose otherwise.
 */
static void mark_proven(authz_bundle *b, const struct rkey *keys)
{
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		struct rt_img *m = (struct rt_img *)(b->img + b->img_off[ri]);
		const struct bundle_rule *r = &b->rules[ri];
		const uint32_t *c = b->code + r->code_off;
		m->key_end = 0;
		if (!keys[ri].ok || !keys[ri].exact || keys[ri].guard != 0)
			continue;
		for (uint32_t pc = 0; pc < r->code_len; pc++)
			if (AUTHZ_GET_OP(c[pc]) == AUTHZ_OP_WHEN || AUTHZ_GET_OP(c[pc]) == AUTHZ_OP_UNLESS) {
				m->key_end = AUTHZ_GET_OP(c[pc]) == AUTHZ_OP_WHEN ? pc + 1 : 0;
				break;
			}
	}
}

int rt_index_build(authz_bundle *b, unsigned flags)
{
	struct rt_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return AUTHZ_ENOMEM;
	b->index = ix;
	uint64_t triples = (uint64_t)b->nactions * b->ntypes * b->ntypes;
	ix->mode = triples <= IX_MAX_TRIPLES ? RT_IX_TRIPLE : b->nactions <= IX_MAX_TRIPLES ? RT_IX_ACTION : RT_IX_ALL;
	if (flags & RT_INDEX_NO_SCOPE)
		ix->mode = RT_IX_ALL;
	struct ana an = { 0 };
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
	if (!(flags & RT_INDEX_NO_LITERALS) &&
	    (ana_init(&an, b) < 0 || choose_keys(&an, keys) < 0))
		goto out;
	bd.keys = keys;
	mark_proven(b, keys);
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
	ana_free(&an);
	free(bd.rules.p);
	free(bd.pairs);
	free(bd.groups);
	free(bd.pgroup);
	free(bd.tab);
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

int rt_index_rebuild(authz_bundle *b, unsigned flags)
{
	rt_index_free(b->index);
	b->index = NULL;
	return rt_index_build(b, flags);
}
