/*
 * index.c: the rule index, built before a bundle's first decision
 * (rt_bundle_prepare), from the rule table and the verified code.  Nothing of it is
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
 * matches one of its literals.  Likewise a `when` or `unless` guard
 *
 *   x op k, k op x  (op < <= > >=; k an int,    key mode ABOVE or BELOW
 *                    timestamp or duration)     (sorted bounds)
 *   x == y, x != y  (x, y attributes or ids)    key mode PAIR
 *
 * holds only for request values past its bound, or only when the two
 * values are equal (or only when they differ).  When every guard before
 * it cannot raise an error either (guard_safe: no arithmetic, no jump,
 * operand kinds known to fit, attributes read known to be present:
 * required for every type in the rule's scope, or proven by an earlier
 * `has` guard), a rule the request's value misses (no literal matches, no
 * bound passed, the wrong side of a pair) is one that would end "not
 * applied" (its first failing guard is this one or an earlier one) and
 * never in error: skipping it changes nothing, and a forbid is never
 * skipped when it could fail closed.  Each rule gets at most one such key, the most selective of its
 * candidates (most distinct literals over the bundle per literal of the
 * guard; set keys count less, a request's set matches several; a bound
 * counts as one literal, a pair as half of one; bool keys come last).
 *
 * Each bucket groups its keyed rules by key: into hash tables literal ->
 * rules, lists sorted by bound, or a pair's two lists.  A request whose
 * value is absent, a record or of another kind than the key's gets every
 * rule of the key (they then run and report their own error or result).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "grow.h"
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

/* A key candidate or choice: literals are lits[0..nlits) (modes STR, SET,
 * BOOL), or the bound (ABOVE, BELOW), or which side of a PAIR. */
struct rkey {
	bool ok;
	struct rt_ix_id id;
	const struct vm_value *lits;
	uint32_t nlits;
	struct rt_ix_bound bound;
	bool if_equal;                  /* PAIR: the guard holds when the values are equal */
	uint32_t guard;                 /* its guard's position among the rule's guards */
	bool exact;                     /* a request found under the key makes the guard true */
	uint32_t ident;                 /* index in the bundle's key identities */
};

/* A growable u32 array. */
struct vec { uint32_t *p; size_t n, cap; };

static int vec_push(struct vec *v, uint32_t x)
{
	if (rt_grow((void **)&v->p, &v->cap, v->n + 1, sizeof *v->p) < 0)
		return AUTHZ_ENOMEM;
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
	uint64_t seed;                  /* the index's hash seed */
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

/* Can test `op` (a comparison, IN or CONTAINS_*) of y and x, of kinds
 * `y` and `x`, raise no error? */
static bool test_safe(uint32_t op, uint8_t y, uint8_t x)
{
	switch (op) {
	case AUTHZ_OP_EQ:
	case AUTHZ_OP_NE:
		return true;
	case AUTHZ_OP_IN:
		return x == AUTHZ_K_SET || (x == AUTHZ_K_IP && y == AUTHZ_K_IP);
	case AUTHZ_OP_CONTAINS_ALL:
	case AUTHZ_OP_CONTAINS_ANY:
		return x == AUTHZ_K_SET && y == AUTHZ_K_SET;
	default:        /* LT, LE, GT, GE */
		return x == y && (x == AUTHZ_K_INT || x == AUTHZ_K_TIMESTAMP || x == AUTHZ_K_DURATION);
	}
}

/* The kind unary `op` (NOT, LIKE, IS_EMPTY, TIME_PART) gives a value of
 * kind `x` without error, or AUTHZ_K_NONE when it may raise one. */
static uint8_t unary_safe(uint32_t op, uint8_t x)
{
	switch (op) {
	case AUTHZ_OP_NOT:
		return x == AUTHZ_K_BOOL ? AUTHZ_K_BOOL : AUTHZ_K_NONE;
	case AUTHZ_OP_LIKE:
		return x == AUTHZ_K_STRING ? AUTHZ_K_BOOL : AUTHZ_K_NONE;
	case AUTHZ_OP_IS_EMPTY:
		return x == AUTHZ_K_SET ? AUTHZ_K_BOOL : AUTHZ_K_NONE;
	default:        /* TIME_PART */
		return x == AUTHZ_K_TIMESTAMP ? AUTHZ_K_INT : AUTHZ_K_NONE;
	}
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
		case AUTHZ_OP_LT:
		case AUTHZ_OP_LE:
		case AUTHZ_OP_GT:
		case AUTHZ_OP_GE:
		case AUTHZ_OP_IN:
		case AUTHZ_OP_CONTAINS_ALL:
		case AUTHZ_OP_CONTAINS_ANY:
			NEED(2);
			if (!test_safe(op, st[sp - 2].kind, st[sp - 1].kind))
				return false;
			sp -= 2;
			PUSH(AUTHZ_K_BOOL, 0);
			break;
		case AUTHZ_OP_NOT:
		case AUTHZ_OP_LIKE:
		case AUTHZ_OP_IS_EMPTY:
		case AUTHZ_OP_TIME_PART:
			NEED(1);
			k = unary_safe(op, st[sp - 1].kind);
			if (k == AUTHZ_K_NONE)
				return false;
			st[sp - 1].kind = k;
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

/* Instruction ins reads a key's value, an attribute or (with ENTITY_ID)
 * the principal's or resource's id: into *root, *is_id, *slot. */
static bool key_reader(uint32_t ins, uint8_t *root, uint8_t *is_id, uint32_t *slot)
{
	uint32_t op = AUTHZ_GET_OP(ins);
	if (op != AUTHZ_OP_ATTR && op != AUTHZ_OP_ENTITY_ID)
		return false;
	*root = (uint8_t)AUTHZ_GET_A(ins);
	*is_id = op == AUTHZ_OP_ENTITY_ID;
	*slot = *is_id ? 0 : AUTHZ_GET_B(ins);
	return !*is_id || *root <= AUTHZ_ROOT_RESOURCE;
}

/* The comparison `y op x` written as `x op' y`. */
static uint32_t mirrored(uint32_t op)
{
	return op == AUTHZ_OP_LT ? AUTHZ_OP_GT : op == AUTHZ_OP_GT ? AUTHZ_OP_LT :
	       op == AUTHZ_OP_LE ? AUTHZ_OP_GE : op == AUTHZ_OP_GE ? AUTHZ_OP_LE : op;
}

/* The comparison that is true exactly when `op` is false, on two values of
 * one ordered kind. */
static uint32_t negated(uint32_t op)
{
	return op == AUTHZ_OP_LT ? AUTHZ_OP_GE : op == AUTHZ_OP_GE ? AUTHZ_OP_LT :
	       op == AUTHZ_OP_LE ? AUTHZ_OP_GT : op == AUTHZ_OP_GT ? AUTHZ_OP_LE :
	       op == AUTHZ_OP_EQ ? AUTHZ_OP_NE : AUTHZ_OP_EQ;
}

/*
 * Guard w[0..2] + its WHEN or UNLESS (`unless`) as a comparison key:
 *   x op k, k op x     (op < <= > >=, x an attribute, k an int, timestamp
 *                       or duration constant)    mode ABOVE or BELOW
 *   x == y, x != y     (x, y attributes or ids)  mode PAIR
 * An `unless` guard holds when its test is false: the test is negated,
 * which is exact whenever the key applies (values of the key's kinds,
 * where a comparison cannot fail).
 */
static bool compare_key(const authz_bundle *b, const uint32_t *w, bool unless, struct rkey *k)
{
	uint32_t op = AUTHZ_GET_OP(w[2]);
	struct rt_ix_id *id = &k->id;
	if (op == AUTHZ_OP_EQ || op == AUTHZ_OP_NE) {
		if (!key_reader(w[0], &id->root, &id->is_id, &id->slot) ||
		    !key_reader(w[1], &id->root2, &id->is_id2, &id->slot2))
			return false;
		/* x == y is y == x: one order for both */
		if (id->root2 < id->root || (id->root2 == id->root && (id->is_id2 < id->is_id ||
		    (id->is_id2 == id->is_id && id->slot2 < id->slot)))) {
			struct rt_ix_id t = *id;
			id->root = t.root2, id->is_id = t.is_id2, id->slot = t.slot2;
			id->root2 = t.root, id->is_id2 = t.is_id, id->slot2 = t.slot;
		}
		id->mode = RT_IX_PAIR;
		k->if_equal = (op == AUTHZ_OP_EQ) != unless;
		k->exact = true;
		return true;
	}
	if (op != AUTHZ_OP_LT && op != AUTHZ_OP_LE && op != AUTHZ_OP_GT && op != AUTHZ_OP_GE)
		return false;
	uint32_t kpos = AUTHZ_GET_OP(w[0]) == AUTHZ_OP_CONST ? 0 : 1;
	if (AUTHZ_GET_OP(w[kpos]) != AUTHZ_OP_CONST || AUTHZ_GET_OP(w[1 - kpos]) != AUTHZ_OP_ATTR ||
	    !key_reader(w[1 - kpos], &id->root, &id->is_id, &id->slot))
		return false;
	const struct vm_value *kv = &b->consts[AUTHZ_GET_AX(w[kpos])];
	if (kv->kind != AUTHZ_K_INT && kv->kind != AUTHZ_K_TIMESTAMP && kv->kind != AUTHZ_K_DURATION)
		return false;
	if (kpos == 0)
		op = mirrored(op);
	if (unless)
		op = negated(op);
	id->mode = op == AUTHZ_OP_GT || op == AUTHZ_OP_GE ? RT_IX_ABOVE : RT_IX_BELOW;
	id->kind = kv->kind;
	k->bound = (struct rt_ix_bound){ kv->u.i, op == AUTHZ_OP_GT || op == AUTHZ_OP_LT };
	k->exact = true;
	return true;
}

/* Guard c[s..e] (c[e] its WHEN or UNLESS) as a key, if it has one of the
 * shapes. */
static bool guard_key(const authz_bundle *b, const uint32_t *c, uint32_t s, uint32_t e, struct rkey *k)
{
	uint32_t n = e - s, o[3] = { 0 };
	memset(k, 0, sizeof *k);
	if (n == 3 && compare_key(b, c + s, AUTHZ_GET_OP(c[e]) == AUTHZ_OP_UNLESS, k))
		return true;
	memset(k, 0, sizeof *k);
	if (AUTHZ_GET_OP(c[e]) != AUTHZ_OP_WHEN || n < 1 || n > 3)
		return false;
	for (uint32_t i = 0; i < n; i++)
		o[i] = AUTHZ_GET_OP(c[s + i]);
	if (n == 1 || (n == 2 && o[1] == AUTHZ_OP_NOT)) {        /* x, !x */
		if (o[0] != AUTHZ_OP_ATTR || !key_reader(c[s], &k->id.root, &k->id.is_id, &k->id.slot))
			return false;
		k->id.mode = RT_IX_BOOL;
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
	if (AUTHZ_GET_OP(c[s + kpos]) != AUTHZ_OP_CONST ||
	    !key_reader(c[s + rpos], &k->id.root, &k->id.is_id, &k->id.slot))
		return false;
	uint32_t ki = AUTHZ_GET_AX(c[s + kpos]);
	const struct vm_value *kv = &b->consts[ki];
	k->exact = o[2] != AUTHZ_OP_CONTAINS_ALL || kv->len == 1;
	switch (o[2]) {
	case AUTHZ_OP_EQ:               /* x == "lit", "lit" == x */
		if (kv->kind != AUTHZ_K_STRING)
			return false;
		k->id.mode = RT_IX_STR;
		k->lits = kv;
		k->nlits = 1;
		return true;
	case AUTHZ_OP_IN:
		if (kpos == 1) {        /* x in ["l1", ...] */
			if (!string_set(b, ki))
				return false;
			k->id.mode = RT_IX_STR;
			k->lits = kv->u.set.p;
			k->nlits = kv->len;
			return true;
		}
		/* "lit" in x */
		if (kv->kind != AUTHZ_K_STRING || k->id.is_id)
			return false;
		k->id.mode = RT_IX_SET;
		k->lits = kv;
		k->nlits = 1;
		return true;
	case AUTHZ_OP_CONTAINS_ANY:     /* x.containsAny([...]) */
	case AUTHZ_OP_CONTAINS_ALL:     /* x.containsAll(["l1", ...]): needs l1 */
		if (k->id.is_id || !string_set(b, ki) || (o[2] == AUTHZ_OP_CONTAINS_ALL && kv->len == 0))
			return false;
		k->id.mode = RT_IX_SET;
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
			while (id < nidents && !rt_ix_same(&idents[id].id, &rc[i].id))
				id++;
			if (id == nidents) {
				if (nidents == IX_MAX_IDENTS)
					continue;
				idents[nidents++] = rc[i];
			}
			rc[i].ident = id;
			for (uint32_t l = 0; l < rc[i].nlits; l++) {
				if (rt_grow((void **)&pairs, &cappairs, npairs + 1, sizeof *pairs) < 0)
					goto out;
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
		size_t h = (size_t)rt_index_hash(pi->s, pi->len, an->seed, pi->rule) & (tsize - 1);
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
			if (rc[i].id.mode == RT_IX_SET)
				score /= 4;
			else if (rc[i].id.mode == RT_IX_BOOL && rc[i].nlits)
				score = 0.2;    /* two values at most: the last resort */
			else if (rc[i].id.mode == RT_IX_ABOVE || rc[i].id.mode == RT_IX_BELOW)
				score = 1;      /* splits requests in two, anywhere */
			else if (rc[i].id.mode == RT_IX_PAIR)
				score = 0.5;    /* two values are usually equal, or usually not */
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
	if (rt_grow((void **)&bd->pairs, &bd->cappairs, bd->npairs + 1, sizeof *bd->pairs) < 0)
		return AUTHZ_ENOMEM;
	bd->pairs[bd->npairs++] = (struct pair){ v->u.s.p, v->len, rule };
	return 0;
}

/* A rule of a comparison key while its list is ordered. */
struct bounded { struct rt_ix_bound bd; uint32_t rule; };

/* ABOVE: ascending bounds, non-strict first, so that the rules a value
 * passes (k < v, or k == v and not strict) are a prefix. */
static int cmp_above(const void *a, const void *b)
{
	const struct bounded *x = a, *y = b;
	if (x->bd.k != y->bd.k)
		return x->bd.k < y->bd.k ? -1 : 1;
	if (x->bd.strict != y->bd.strict)
		return x->bd.strict < y->bd.strict ? -1 : 1;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

/* BELOW: descending bounds, non-strict first (k > v, or k == v and not
 * strict: a prefix). */
static int cmp_below(const void *a, const void *b)
{
	const struct bounded *x = a, *y = b;
	if (x->bd.k != y->bd.k)
		return x->bd.k > y->bd.k ? -1 : 1;
	return cmp_above(a, b);
}

/* The rules of comparison key `key` (ABOVE, BELOW or PAIR), which are
 * rules.p[key->all, key->all + key->nall) in rule order: put in its order
 * (bounds sorted, or "equal" before "different"), bounds alongside. */
static int build_compare_key(struct builder *bd, struct rt_ix_key *key)
{
	struct rt_index *ix = bd->ix;
	uint32_t *r = bd->rules.p + key->all, n = key->nall;
	if (key->id.mode == RT_IX_PAIR) {
		uint32_t *tmp = malloc((n + 1) * sizeof *tmp), neq = 0, at = 0;
		if (!tmp)
			return AUTHZ_ENOMEM;
		for (uint32_t i = 0; i < n; i++)
			if (bd->keys[r[i]].if_equal)
				tmp[at++] = r[i], neq++;
		for (uint32_t i = 0; i < n; i++)
			if (!bd->keys[r[i]].if_equal)
				tmp[at++] = r[i];
		memcpy(r, tmp, n * sizeof *r);
		free(tmp);
		key->neq = neq;
		return 0;
	}
	struct bounded *t = malloc((n + 1) * sizeof *t);
	if (!t || rt_grow((void **)&ix->bounds, &ix->capbounds, ix->nbounds + n, sizeof *ix->bounds) < 0) {
		free(t);
		return AUTHZ_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		t[i] = (struct bounded){ bd->keys[r[i]].bound, r[i] };
	qsort(t, n, sizeof *t, key->id.mode == RT_IX_ABOVE ? cmp_above : cmp_below);
	key->bound = (uint32_t)ix->nbounds;
	for (uint32_t i = 0; i < n; i++) {
		r[i] = t[i].rule;
		ix->bounds[ix->nbounds++] = t[i].bd;
	}
	free(t);
	return 0;
}

/* Key `key` of the bucket, from the rules list[0..n) that use it: its
 * rules and its literal table (or its order: build_compare_key). */
static int build_key(struct builder *bd, struct rt_ix_key *key, const uint32_t *list, size_t n)
{
	struct rt_index *ix = bd->ix;
	key->all = (uint32_t)bd->rules.n;
	key->nall = 0;
	bd->npairs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rkey *rk = &bd->keys[list[i]];
		if (!rk->ok || !rt_ix_same(&rk->id, &key->id))
			continue;
		if (vec_push(&bd->rules, list[i]) < 0)
			return AUTHZ_ENOMEM;
		key->nall++;
		for (uint32_t e = 0; e < rk->nlits; e++)
			if (add_pair(bd, &rk->lits[e], list[i]) < 0)
				return AUTHZ_ENOMEM;
	}
	if (key->id.mode >= RT_IX_ABOVE)
		return build_compare_key(bd, key);
	/* group the pairs by literal (a rule listing a literal twice counts
	 * once); the pairs come in list order, so each literal's rules do too */
	uint32_t kid = (uint32_t)(key - ix->keys);
	size_t np = bd->npairs, tsize = 4;
	while (tsize < 2 * np)
		tsize *= 2;
	if (rt_grow((void **)&bd->groups, &bd->capgroups, np + 1, sizeof *bd->groups) < 0 ||
	    rt_grow((void **)&bd->pgroup, &bd->capgroups_p, np + 1, sizeof *bd->pgroup) < 0 ||
	    rt_grow((void **)&bd->tab, &bd->captab, tsize, sizeof *bd->tab) < 0)
		return AUTHZ_ENOMEM;
	memset(bd->tab, 0, tsize * sizeof *bd->tab);
	size_t nlit = 0, total = 0;
	for (size_t i = 0; i < np; i++) {
		const struct pair *pi = &bd->pairs[i];
		size_t h = (size_t)rt_index_hash(pi->s, pi->len, ix->seed, kid) & (tsize - 1);
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
	if (rt_grow((void **)&bd->rules.p, &bd->rules.cap, base + total, sizeof *bd->rules.p) < 0)
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
	if (rt_grow((void **)&ix->hash, &ix->caphash, ix->nhash + size, sizeof *ix->hash) < 0)
		return AUTHZ_ENOMEM;
	memset(ix->hash + ix->nhash, 0, size * sizeof *ix->hash);
	ix->nhash += size;
	for (size_t g = 0; g < nlit; g++) {
		const struct group *gr = &bd->groups[g];
		struct rt_ix_ent ent = { gr->s, gr->len, gr->fill - gr->n, gr->n, { 0 } };
		memcpy(ent.inl, gr->s, gr->len < RT_IX_INLINE ? gr->len : RT_IX_INLINE);
		if (ent.n == 1)
			ent.first = bd->rules.p[ent.first];
		uint32_t h = (uint32_t)rt_index_hash(ent.s, ent.len, ix->seed, kid) & key->hmask;
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
			found = rt_ix_same(&rk->id, &x->id);
		}
		if (found || bk->nkeys == IX_MAX_KEYS)
			continue;
		if (rt_grow((void **)&ix->keys, &ix->capkeys, ix->nkeys + 1, sizeof *ix->keys) < 0)
			return AUTHZ_ENOMEM;
		ix->keys[ix->nkeys++] = (struct rt_ix_key){ .id = rk->id };
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
			keyed = rt_ix_same(&rk->id, &x->id);
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

/*
 * Each (cell, rule) pair of the index's mode, in rule order.  With refs
 * NULL: count each cell's rules in count[cell] and return the total,
 * stopping once it passes IX_MAX_ENTRIES.  Else, once counted and with
 * count zeroed: place rule ri at refs[start[cell] + count[cell]++].
 */
static uint64_t walk_cells(const authz_bundle *b, const struct rt_index *ix, const uint32_t *start,
			   uint32_t *count, uint32_t *refs)
{
#define REF(cell) do { size_t c_ = (cell); if (refs) refs[start[c_] + count[c_]] = ri; \
		       count[c_]++; total++; } while (0)
	uint64_t total = 0;
	uint32_t nt = b->ntypes;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct bundle_rule *r = &b->rules[ri];
		if (ix->mode == RT_IX_ALL) {
			REF(0);
			continue;
		}
		for (uint32_t a = 0; a < b->nactions; a++) {
			if (!bit(r->actions, a))
				continue;
			if (ix->mode == RT_IX_ACTION) {
				REF(a);
				continue;
			}
			const struct bundle_action *ac = &b->actions[a];
			for (uint32_t p = 0; p < nt; p++) {
				if (!bit(r->principals, p) || !bit(ac->principals, p))
					continue;
				for (uint32_t t = 0; t < nt; t++)
					if (bit(r->resources, t) && bit(ac->resources, t))
						REF(((size_t)a * nt + p) * nt + t);
			}
		}
		if (!refs && total > IX_MAX_ENTRIES)
			return total;
	}
#undef REF
	return total;
}

/* The analysis tables of `an` (left NULL when too large: then only
 * first guards become keys). */
static int ana_init(struct ana *an, const authz_bundle *b, uint64_t seed)
{
	memset(an, 0, sizeof *an);
	an->b = b;
	an->seed = seed;
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
 * known to hold (rt_img key_end): when the key is exact and its guard
 * comes first, a rule found under the request's literal (bound, side of a
 * pair) starts after it.  Every other rule gets 0 (start at the
 * beginning), also when an index built before chose otherwise.
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
				m->key_end = pc + 1;
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
	randombytes_buf(&ix->seed, sizeof ix->seed);
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
		uint64_t total = walk_cells(b, ix, NULL, count, NULL);
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
	    (ana_init(&an, b, ix->seed) < 0 || choose_keys(&an, keys) < 0))
		goto out;
	bd.keys = keys;
	mark_proven(b, keys);
	for (uint32_t i = 0; i < ix->ncells; i++)
		start[i + 1] = start[i] + count[i];
	refs = calloc(start[ix->ncells] + 1, sizeof *refs);
	if (!refs)
		goto out;
	memset(count, 0, ix->ncells * sizeof *count);
	walk_cells(b, ix, start, count, refs);
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
		uint64_t h = RT_FNV1A_INIT;      /* FNV-1a, a step per rule index */
		for (uint32_t i = 0; i < n; i++)
			h = rt_fnv1a_step(h, list[i]);
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
		if (rt_grow((void **)&ix->buckets, &capbuckets, ix->nbuckets + 1, sizeof *ix->buckets) < 0)
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

/* Frees every array of RT_INDEX_ARRAYS and ix; NULL is fine. */
void rt_index_free(struct rt_index *ix)
{
	if (!ix)
		return;
	RT_INDEX_ARRAYS(RT_OWNED_FREE, ix)
	free(ix);
}

int rt_index_rebuild(authz_bundle *b, unsigned flags)
{
	int e = rt_bundle_prepare(b);   /* the images, whose key_end it sets */
	if (e < 0)
		return e;
	rt_index_free(b->index);
	b->index = NULL;
	return rt_index_build(b, flags);
}
