/*
 * rule_image.h: each rule's hot data in one place (rule_image.c),
 * internal.  Built by the loader from a verified bundle; read-only
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

/* Build b->img and b->img_off for every rule of a verified bundle: 0 or
 * AUTHZ_ENOMEM. */
AUTHZ_INTERNAL int rt_img_build(authz_bundle *b);

#endif
