/*
 * rule_image.h: each rule's hot data in one place (rule_image.c),
 * internal.  Built from a verified bundle before its first decision
 * (rt_bundle_prepare, under the bundle's lock); read-only
 * afterwards, so shared by deciding threads.
 *
 * An image is: struct rt_img, the rule's constants (vm_value, renumbered
 * 0..nconst-1 in order of first use), the elements of its small set
 * constants, its code with every constant operand (format K) renumbered to
 * the image's own, and the bytes of its short strings.  Everything the VM
 * reads of a rule is then a few adjacent cache lines instead of a chain of
 * lookups across the bundle.  Long strings and large sets stay in the
 * bundle and are pointed to.
 */
#ifndef AUTHZ_RULE_IMAGE_H
#define AUTHZ_RULE_IMAGE_H

#include "bundle.h"

struct rt_img {
	uint32_t size;                  /* bytes of the whole image (a multiple of 8) */
	uint32_t code_at;               /* byte offset of the code in the image */
	uint32_t nconst;
	uint8_t effect, has_expires;
	int64_t expires;
	const char *id;                 /* the rule's id (in the bundle), for decisions */
	uint32_t id_len;
	uint32_t key_end;               /* set by the index (index.c mark_proven): where the
					 * code goes on when the rule was found under the
					 * request's literal; 0: from the start */
};

/* The image of rule ri. */
static inline const struct rt_img *rt_img_of(const authz_bundle *b, uint32_t ri)
{
	return (const struct rt_img *)(b->img + b->img_off[ri]);
}

static inline const struct vm_value *rt_img_consts(const struct rt_img *m)
{
	return (const struct vm_value *)(m + 1);
}

static inline const uint32_t *rt_img_code(const struct rt_img *m)
{
	return (const uint32_t *)((const uint8_t *)m + m->code_at);
}

/*
 * Instructions only an image holds (never a bundle's: the verifier refuses
 * any opcode >= AUTHZ_OP_COUNT).  rt_img_build writes one over the first
 * word of a guard of a shape it knows, and keeps the words after it, which
 * the instruction reads as its operands: the code keeps its length and
 * every jump its target, and a whole guard costs one dispatch, no stack.
 *
 *   RT_OP_TEST2  load; load; test; WHEN|UNLESS
 *   RT_OP_TEST1  load; [LIKE K | IS_EMPTY]; NOT...; WHEN|UNLESS
 *
 * load is CONST, ENTITY_ID, NOW, ATTR or HAS; test is EQ .. GE, IN,
 * CONTAINS_ALL or CONTAINS_ANY.  The replaced load is kept in the new
 * word as A = its opcode | its A operand << 6, B = its B operand (CONST:
 * its constant, when below 2^16).  No jump may land inside the guard.
 */
enum rt_img_op {
	RT_OP_TEST2 = AUTHZ_OP_COUNT, RT_OP_TEST1,
	/* TEST2 with the loads known, A = root, B = slot of the ATTR:
	 * ATTR; CONST; test; G    ATTR_K (ATTR_EQ_STR: EQ/NE on a string)
	 * CONST; ATTR; test; G    K_ATTR (the CONST's operand in the ATTR's word) */
	RT_OP_ATTR_K, RT_OP_ATTR_EQ_STR, RT_OP_K_ATTR,
	RT_OP_END
};

/* A load instruction's operands as the VM reads them and a fused guard
 * keeps them: the root or entity (0 for CONST and NOW), and the slot or
 * constant index (0 for ENTITY_ID and NOW). */
static inline uint32_t rt_load_a(uint32_t ins)
{
	uint32_t op = AUTHZ_GET_OP(ins);
	return op == AUTHZ_OP_CONST || op == AUTHZ_OP_NOW ? 0 : AUTHZ_GET_A(ins);
}

static inline uint32_t rt_load_b(uint32_t ins)
{
	uint32_t op = AUTHZ_GET_OP(ins);
	return op == AUTHZ_OP_CONST ? AUTHZ_GET_AX(ins) : op == AUTHZ_OP_ATTR || op == AUTHZ_OP_HAS ? AUTHZ_GET_B(ins) : 0;
}

_Static_assert(AUTHZ_OP_COUNT <= 64 && RT_OP_END <= 256, "a fused load keeps its opcode in 6 bits");

/* Build b->img and b->img_off for every rule of a verified bundle, with
 * guards fused (above) unless `fuse` is false (for tests): 0 or
 * AUTHZ_ENOMEM.  Replaces images built before; each key_end is 0 until
 * the index is built (again). */
AUTHZ_INTERNAL int rt_img_build(authz_bundle *b, bool fuse);

#endif
