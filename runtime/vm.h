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
/*
 * What a traced run records (rt_vm_run_traced): the request values the
 * guard being run has read, each once, in the order read, the first
 * AUTHZ_TRACE_MAX_OPERANDS of them; emptied each time a guard passes, so
 * when a rule is held back or fails it holds what that guard read.  `pc`
 * is the offset of the instruction run last.  Values point into the
 * request or are copies (now, entity ids), valid while the request is.
 */
enum vm_operand_src { VM_SRC_ATTR, VM_SRC_ID, VM_SRC_ENTITY, VM_SRC_ACTION, VM_SRC_NOW };
struct vm_operand {
	uint8_t src;                    /* enum vm_operand_src */
	uint8_t root;                   /* ATTR: root; ID, ENTITY: 0 principal, 1 resource */
	bool present;                   /* ATTR: the attribute has a value */
	uint32_t slot;                  /* ATTR */
	struct vm_value v;              /* when present */
};
struct vm_rec {
	struct vm_operand op[AUTHZ_TRACE_MAX_OPERANDS];
	uint32_t n;
	uint32_t pc;
};

/* rt_vm_run, recording into *rec (set rec->n to 0 first).  Decides as
 * rt_vm_run does, instruction for instruction. */
AUTHZ_INTERNAL int rt_vm_run_traced(const authz_bundle *b, const struct rt_img *rule, uint32_t start,
				    const struct vm_env *env, uint32_t *guard, const char **errmsg,
				    char msgbuf[200], struct vm_rec *rec);
AUTHZ_INTERNAL void rt_request_slot_path(const authz_bundle *b, unsigned root, uint32_t slot, char *buf,
					 size_t size);

#endif
