/*
 * rule_image.c: each rule's image (rule_image.h), built once at load time.
 *
 * Why: a decision over a large policy set runs few rules, but each one's
 * data is scattered over the bundle (its rule record, its code, the
 * constant pool, the strings), so with a cold cache every rule costs a
 * chain of misses, one after the other.  An image puts them side by side;
 * authz_decide prefetches the images of all its candidate rules at once.
 *
 * The copy keeps what the verifier proved: the code is the same
 * instruction for instruction, jumps and stack effects included; only
 * constant operands are renumbered, to constants that are copies of the
 * ones the verifier checked.
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

/* Write rule r's image at m (image_size bytes, zeroed). */
static void fill(const authz_bundle *b, const struct bundle_rule *r, uint8_t *m, const uint32_t *local,
		 const uint32_t *used, const struct shape *s, bool inl)
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

int rt_img_build(authz_bundle *b)
{
	uint32_t maxlen = 1;
	for (uint32_t ri = 0; ri < b->nrules; ri++)
		if (b->rules[ri].code_len > maxlen)
			maxlen = b->rules[ri].code_len;
	uint32_t *local = malloc(((size_t)b->nconsts + 1) * sizeof *local);
	uint32_t *used = malloc((size_t)maxlen * sizeof *used);
	int rc = AUTHZ_ENOMEM;
	if (!local || !used)
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
		fill(b, r, b->img + at, local, used, &s, inl);
		for (uint32_t i = 0; i < s.nconst; i++)
			local[used[i]] = UINT32_MAX;
		at += image_size(r, &s);
	}
	rc = 0;
out:
	free(local);
	free(used);
	return rc;
}
