/*
 * vm.h: the evaluator's interface (internal).
 */
#ifndef AUTHZ_VM_H
#define AUTHZ_VM_H

#include "bundle.h"
#include "rule_image.h"

/* What a rule sees of a request: resolved and checked (rt_request_finish). */
struct vm_env {
	const struct vm_value *vals;    /* [root * nslots + slot] */
	const uint8_t *present;
	size_t nslots;
	const char *id[2];              /* principal, resource ids */
	uint32_t id_len[2], type[2];
	struct vm_value action;         /* the action's name */
	uint32_t action_index;
	int64_t now;
};

/*
 * Run the code of a rule's image (rule_image.h) from instruction `start`
 * (0, or the image's key_end when its first guard is known true).
 * Returns AUTHZ_APPLIED;
 * AUTHZ_NOT_APPLIED with *guard the guard that held it back; or
 * AUTHZ_RULE_ERROR with *errmsg (a static string, or `msgbuf`).  `b` names
 * attributes in error messages.
 */
AUTHZ_INTERNAL int rt_vm_run(const authz_bundle *b, const struct rt_img *rule, uint32_t start,
			     const struct vm_env *env, uint32_t *guard, const char **errmsg, char msgbuf[200]);
AUTHZ_INTERNAL void rt_request_slot_path(const authz_bundle *b, unsigned root, uint32_t slot, char *buf,
					 size_t size);

#endif
