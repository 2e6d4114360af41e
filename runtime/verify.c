/*
 * verify.c: the bytecode verifier.  For each rule, one forward pass of
 * abstract interpretation over the stack height (jumps only go forward, so
 * every predecessor of an instruction is seen before it):
 *   - every opcode known, every operand in range for its format (constant,
 *     slot and namespace, guard, timestamp part, jump target inside the
 *     rule's code and ahead of the jump);
 *   - stack height known at every instruction, equal on every path into
 *     it, never below an instruction's STACK_IN, never above AUTHZ_MAX_STACK;
 *   - no unreachable instruction, no path running off the end, APPLY
 *     reached with an empty stack.
 * After this the VM runs without bounds checks on stack, pool or slots.
 */
#include <stdlib.h>

#include "bundle.h"

#define BADC(...) do { rt_bundle_error(err, AUTHZ_EFORMAT, "bad bundle format (rule '%s' at %u: " \
					__VA_ARGS__); free(h); return AUTHZ_EFORMAT; } while (0)

int rt_verify_code(authz_bundle *b, authz_error *err)
{
	int32_t *h = malloc(((size_t)bundle_max_code_len(b) + 1) * sizeof *h);
	if (!h)
		return AUTHZ_ENOMEM;
	uint32_t max_stack = 0;
	for (uint32_t r = 0; r < b->nrules; r++) {
		const struct bundle_rule *rule = &b->rules[r];
		const uint32_t *code = b->code + rule->code_off;
		uint32_t len = rule->code_len;
		const char *id = b->str[rule->id];
		for (uint32_t i = 0; i <= len; i++)
			h[i] = -1;
		h[0] = 0;
		/* per format, the bound of Ax (the jumps' depends on pc) */
		uint32_t lim[AUTHZ_FMT_E + 1];
		for (uint32_t i = 0; i <= AUTHZ_FMT_E; i++)
			lim[i] = UINT32_MAX;
		lim[AUTHZ_FMT_N] = lim[AUTHZ_FMT_E] = 1;        /* no operand: Ax == 0 */
		lim[AUTHZ_FMT_K] = b->nconsts;
		lim[AUTHZ_FMT_T] = AUTHZ_TP_COUNT;
		lim[AUTHZ_FMT_G] = rule->nguards;
		for (uint32_t pc = 0; pc < len; pc++) {
			uint32_t ins = code[pc], op = AUTHZ_GET_OP(ins);
			uint32_t a = AUTHZ_GET_A(ins), bb = AUTHZ_GET_B(ins), ax = AUTHZ_GET_AX(ins);
			int32_t height = h[pc];
			if (height < 0)
				BADC("unreachable instruction)", id, (unsigned)pc);
			if (op >= AUTHZ_OP_COUNT)
				BADC("unknown opcode %u)", id, (unsigned)pc, (unsigned)op);
			const struct authz_op_info *info = &rt_op_table[op];
			/* The operand checks below, first without branching on the
			 * format (which the opcode mix makes unpredictable): when
			 * this says every operand is in range the switch is
			 * skipped; else the switch names what is wrong. */
			uint32_t f = (uint32_t)info->fmt, is_j = f == AUTHZ_FMT_J || f == AUTHZ_FMT_JK;
			uint32_t limit = is_j ? len - pc - 1 : lim[f];
			/* in-range indices to read, 0 otherwise (both tables have an
			 * entry 0), by masks: no branch */
			uint32_t sb = bb & (0u - (uint32_t)(bb < b->nslots)), kx = ax & (0u - (uint32_t)(ax < b->nconsts));
			uint32_t bad = (ax >= limit) |
				       ((f == AUTHZ_FMT_K) & (op == AUTHZ_OP_LIKE) & (b->consts[kx].kind != AUTHZ_K_STRING)) |
				       ((f == AUTHZ_FMT_R) & ((a > AUTHZ_ROOT_RESOURCE) | (bb != 0))) |
				       ((f == AUTHZ_FMT_S) & ((a > AUTHZ_ROOT_CONTEXT) | (bb >= b->nslots) |
					(b->slots[sb].ns != (a == AUTHZ_ROOT_CONTEXT ? NS_CONTEXT : NS_ENTITY))));
			switch (bad ? info->fmt : AUTHZ_FMT_E + 1) {
			case AUTHZ_FMT_N:
			case AUTHZ_FMT_E:
				if (ax)
					BADC("stray operand)", id, (unsigned)pc);
				break;
			case AUTHZ_FMT_K:
				if (ax >= b->nconsts)
					BADC("constant %u out of range)", id, (unsigned)pc, (unsigned)ax);
				if (op == AUTHZ_OP_LIKE && b->consts[ax].kind != AUTHZ_K_STRING)
					BADC("pattern is not a string)", id, (unsigned)pc);
				break;
			case AUTHZ_FMT_R:
				if (a > AUTHZ_ROOT_RESOURCE || bb)
					BADC("bad entity operand)", id, (unsigned)pc);
				break;
			case AUTHZ_FMT_S:
				if (a > AUTHZ_ROOT_CONTEXT || bb >= b->nslots ||
				    b->slots[bb].ns != (a == AUTHZ_ROOT_CONTEXT ? NS_CONTEXT : NS_ENTITY))
					BADC("slot %u out of range)", id, (unsigned)pc, (unsigned)bb);
				break;
			case AUTHZ_FMT_T:
				if (ax >= AUTHZ_TP_COUNT)
					BADC("bad timestamp part %u)", id, (unsigned)pc, (unsigned)ax);
				break;
			case AUTHZ_FMT_J:
			case AUTHZ_FMT_JK:
				if (ax >= len - pc - 1)
					BADC("jump out of range)", id, (unsigned)pc);
				break;
			case AUTHZ_FMT_G:
				if (ax >= rule->nguards)
					BADC("guard %u out of range)", id, (unsigned)pc, (unsigned)ax);
				break;
			default:        /* all in range */
				break;
			}
			if (bad)        /* the switch found nothing: refuse all the same */
				BADC("bad operand)", id, (unsigned)pc);
			if (height < info->stack_in)
				BADC("stack underflow)", id, (unsigned)pc);
			int32_t next = height - info->stack_in + info->stack_out;
			if (next > AUTHZ_MAX_STACK || (op == AUTHZ_OP_APPLY && height != 0))
				BADC("stack %s)", id, (unsigned)pc, next > AUTHZ_MAX_STACK ? "overflow" : "not empty");
			if ((uint32_t)next > max_stack)
				max_stack = (uint32_t)next;
			if ((uint32_t)height > max_stack)
				max_stack = (uint32_t)height;
			/* successors */
			if (info->fmt == AUTHZ_FMT_J || info->fmt == AUTHZ_FMT_JK) {
				uint32_t t = pc + 1 + ax;
				int32_t th = info->fmt == AUTHZ_FMT_JK ? height : next;
				if (h[t] >= 0 && h[t] != th)
					BADC("stack height differs at jump target)", id, (unsigned)pc);
				h[t] = th;
			}
			if (op == AUTHZ_OP_APPLY || op == AUTHZ_OP_JMP)
				continue;
			if (pc + 1 == len)
				BADC("code runs off the end)", id, (unsigned)pc);
			if (h[pc + 1] >= 0 && h[pc + 1] != next)
				BADC("stack height differs)", id, (unsigned)pc + 1);
			h[pc + 1] = next;
		}
	}
	free(h);
	b->max_stack = max_stack;
	return 0;
}
