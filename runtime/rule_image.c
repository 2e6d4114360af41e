/*
 * rule_image.c: each rule's image (rule_image.h), built once, before the
 * bundle's first decision (rt_bundle_prepare).
 *
 * Why: a decision over a large policy set runs few rules, but each one's
 * data is scattered over the bundle (its rule record, its code, the
 * constant pool, the strings), so with a cold cache every rule costs a
 * chain of misses, one after the other.  An image puts them side by side;
 * authz_decide prefetches the images of all its candidate rules at once.
 *
 * The copy keeps what the verifier proved: the code has the same length
 * and jumps, constant operands are renumbered to copies of the constants
 * the verifier checked, and a guard of a known shape gets its first word
 * replaced by one instruction that evaluates the whole guard from the
 * words after it (rule_image.h), which are left as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "rule_image.h"

/* Strings up to this many bytes and sets up to this many elements are
 * copied into the image; longer ones are pointed to in the bundle. */
#define IMG_BYTES 64
#define IMG_ELEMS 16

static bool short_string(const struct vm_value *v) { return v->kind == AUTHZ_K_STRING && v->len <= IMG_BYTES; }
static bool small_set(const struct vm_value *v) { return v->kind == AUTHZ_K_SET && v->len <= IMG_ELEMS; }

/* What an image holds beyond its header and code. */
struct shape { uint32_t nconst, nelems; size_t bytes; };

/* Renumber rule r's constants into local[] (global index -> local, reset
 * to UINT32_MAX afterwards by the caller from used[0..nconst)) and measure
 * what its image holds; `inl`: copy short strings and small sets. */
static struct shape measure(const authz_bundle *b, const struct bundle_rule *r, uint32_t *local, uint32_t *used,
			    bool inl)
{
	struct shape s = { 0, 0, 0 };
	const uint32_t *code = b->code + r->code_off;
	for (uint32_t pc = 0; pc < r->code_len; pc++) {
		uint32_t op = AUTHZ_GET_OP(code[pc]), ax = AUTHZ_GET_AX(code[pc]);
		if (authz_op_info(op)->fmt != AUTHZ_FMT_K || local[ax] != UINT32_MAX)
			continue;
		local[ax] = s.nconst;
		used[s.nconst++] = ax;
		const struct vm_value *v = &b->consts[ax];
		if (inl && short_string(v))
			s.bytes += v->len + 1;
		if (inl && small_set(v)) {
			s.nelems += v->len;
			for (uint32_t i = 0; i < v->len; i++)
				if (short_string(&v->u.set.p[i]))
					s.bytes += v->u.set.p[i].len + 1;
		}
	}
	return s;
}

static size_t image_size(const struct bundle_rule *r, const struct shape *s)
{
	size_t n = sizeof(struct rt_img) + ((size_t)s->nconst + s->nelems) * sizeof(struct vm_value) +
		   (size_t)r->code_len * sizeof(uint32_t) + s->bytes;
	return (n + 7) & ~(size_t)7;
}

/* Copy string v's bytes to *bytes (NUL-terminated) and point v there. */
static void copy_string(struct vm_value *v, char **bytes)
{
	memcpy(*bytes, v->u.s.p, v->len);
	(*bytes)[v->len] = '\0';
	v->u.s.p = *bytes;
	*bytes += v->len + 1;
}

static bool is_load(uint32_t op)
{
	return op == AUTHZ_OP_CONST || op == AUTHZ_OP_ENTITY_ID || op == AUTHZ_OP_NOW || op == AUTHZ_OP_ATTR ||
	       op == AUTHZ_OP_HAS;
}

static bool is_test(uint32_t op)
{
	return (op >= AUTHZ_OP_EQ && op <= AUTHZ_OP_GE) || op == AUTHZ_OP_IN || op == AUTHZ_OP_CONTAINS_ALL ||
	       op == AUTHZ_OP_CONTAINS_ANY;
}

static bool is_guard(uint32_t op) { return op == AUTHZ_OP_WHEN || op == AUTHZ_OP_UNLESS; }

/* Where the guard that starts with load code[pc] ends (its WHEN or
 * UNLESS), and in *op the instruction that evaluates it in one step; 0 if
 * it has no such shape (rule_image.h). */
static uint32_t fused_end(const uint32_t *code, uint32_t len, uint32_t pc, uint32_t *op)
{
	uint32_t q = pc + 1;
	if (q + 2 < len && is_load(AUTHZ_GET_OP(code[q])) && is_test(AUTHZ_GET_OP(code[q + 1])) &&
	    is_guard(AUTHZ_GET_OP(code[q + 2]))) {
		*op = RT_OP_TEST2;
		return q + 2;
	}
	if (q < len && (AUTHZ_GET_OP(code[q]) == AUTHZ_OP_LIKE || AUTHZ_GET_OP(code[q]) == AUTHZ_OP_IS_EMPTY))
		q++;
	while (q < len && AUTHZ_GET_OP(code[q]) == AUTHZ_OP_NOT)
		q++;
	if (q < len && is_guard(AUTHZ_GET_OP(code[q]))) {
		*op = RT_OP_TEST1;
		return q;
	}
	return 0;
}

/*
 * Fuse the guards of code[0..len) that have a known shape (rule_image.h).
 * target: len bytes of scratch, set where a jump lands.
 */
static void fuse(uint32_t *code, uint32_t len, uint8_t *target, const struct vm_value *k)
{
	memset(target, 0, len);
	for (uint32_t pc = 0; pc < len; pc++) {
		enum authz_fmt f = authz_op_info(AUTHZ_GET_OP(code[pc]))->fmt;
		if (f == AUTHZ_FMT_J || f == AUTHZ_FMT_JK)
			target[pc + 1 + AUTHZ_GET_AX(code[pc])] = 1;   /* in range: verified */
	}
	for (uint32_t pc = 0; pc < len; pc++) {
		uint32_t ins = code[pc], op = AUTHZ_GET_OP(ins), fop;
		if (!is_load(op))
			continue;
		uint32_t end = fused_end(code, len, pc, &fop);
		if (!end)
			continue;
		uint32_t a = rt_load_a(ins), bx = rt_load_b(ins);
		if (a > 3 || bx > AUTHZ_MAXARG_B || memchr(target + pc + 1, 1, end - pc))
			continue;
		uint32_t op2 = AUTHZ_GET_OP(code[pc + 1]), test = AUTHZ_GET_OP(code[pc + 2]);
		if (fop == RT_OP_TEST2 && op == AUTHZ_OP_ATTR && op2 == AUTHZ_OP_CONST)
			code[pc] = AUTHZ_CREATE_AB((test == AUTHZ_OP_EQ || test == AUTHZ_OP_NE) &&
						   k[AUTHZ_GET_AX(code[pc + 1])].kind == AUTHZ_K_STRING ?
						   RT_OP_ATTR_EQ_STR : RT_OP_ATTR_K, a, bx);
		else if (fop == RT_OP_TEST2 && op == AUTHZ_OP_CONST && op2 == AUTHZ_OP_ATTR)
			code[pc] = AUTHZ_CREATE_AX(RT_OP_K_ATTR, bx);
		else
			code[pc] = AUTHZ_CREATE_AB(fop, op | a << 6, bx);
		pc = end;
	}
}

/* Write rule r's image at m (image_size bytes, zeroed); fuse its guards
 * when `target` (code_len bytes of scratch) is not NULL. */
static void fill(const authz_bundle *b, const struct bundle_rule *r, uint8_t *m, const uint32_t *local,
		 const uint32_t *used, const struct shape *s, bool inl, uint8_t *target)
{
	struct rt_img *h = (struct rt_img *)m;
	struct vm_value *k = (struct vm_value *)(h + 1), *el = k + s->nconst;
	uint32_t *code = (uint32_t *)(el + s->nelems);
	char *bytes = (char *)(code + r->code_len);
	h->size = (uint32_t)image_size(r, s);
	h->code_at = (uint32_t)((uint8_t *)code - m);
	h->nconst = s->nconst;
	h->effect = r->effect;
	h->has_expires = r->has_expires;
	h->expires = r->expires;
	h->id = b->str[r->id];
	h->id_len = b->strlen[r->id];
	for (uint32_t i = 0; i < s->nconst; i++) {
		k[i] = b->consts[used[i]];
		if (inl && short_string(&k[i]))
			copy_string(&k[i], &bytes);
		if (inl && small_set(&k[i])) {
			memcpy(el, k[i].u.set.p, k[i].len * sizeof *el);
			for (uint32_t e = 0; e < k[i].len; e++)
				if (short_string(&el[e]))
					copy_string(&el[e], &bytes);
			k[i].u.set.p = el;
			el += k[i].len;
		}
	}
	const uint32_t *from = b->code + r->code_off;
	for (uint32_t pc = 0; pc < r->code_len; pc++) {
		uint32_t op = AUTHZ_GET_OP(from[pc]);
		code[pc] = authz_op_info(op)->fmt == AUTHZ_FMT_K ? AUTHZ_CREATE_AX(op, local[AUTHZ_GET_AX(from[pc])])
								: from[pc];
	}
	if (target)
		fuse(code, r->code_len, target, k);
}

/* The images' total size, with or without copies of strings and sets. */
static size_t total_size(const authz_bundle *b, uint32_t *local, uint32_t *used, bool inl)
{
	size_t total = 0;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		struct shape s = measure(b, &b->rules[ri], local, used, inl);
		for (uint32_t i = 0; i < s.nconst; i++)
			local[used[i]] = UINT32_MAX;
		total += image_size(&b->rules[ri], &s);
	}
	return total;
}

int rt_img_build(authz_bundle *b, bool fuse_guards)
{
	uint32_t maxlen = bundle_max_code_len(b) + 1;
	uint32_t *local = malloc(((size_t)b->nconsts + 1) * sizeof *local);
	uint32_t *used = malloc((size_t)maxlen * sizeof *used);
	uint8_t *target = malloc(maxlen);
	int rc = AUTHZ_ENOMEM;
	free(b->img);
	free(b->img_off);
	b->img = NULL;
	b->img_off = NULL;
	b->img_len = 0;
	if (!local || !used || !target)
		goto out;
	for (uint32_t i = 0; i < b->nconsts; i++)
		local[i] = UINT32_MAX;
	/* copies only while they stay small next to the bundle itself, so a
	 * hostile bundle of huge sets cannot make the images explode */
	bool inl = true;
	size_t total = total_size(b, local, used, inl);
	if (total > 4 * (size_t)b->len + ((size_t)1 << 20)) {
		inl = false;
		total = total_size(b, local, used, inl);
	}
	if (total > UINT32_MAX)
		goto out;
	b->img = calloc(total ? total : 1, 1);
	b->img_off = malloc(((size_t)b->nrules + 1) * sizeof *b->img_off);
	if (!b->img || !b->img_off)
		goto out;
	b->img_len = total;
	size_t at = 0;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct bundle_rule *r = &b->rules[ri];
		struct shape s = measure(b, r, local, used, inl);
		b->img_off[ri] = (uint32_t)at;
		fill(b, r, b->img + at, local, used, &s, inl, fuse_guards ? target : NULL);
		for (uint32_t i = 0; i < s.nconst; i++)
			local[used[i]] = UINT32_MAX;
		at += image_size(r, &s);
	}
	rc = 0;
out:
	free(local);
	free(used);
	free(target);
	return rc;
}
