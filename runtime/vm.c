/*
 * vm.c: the evaluator.  rt_vm_run executes one verified rule (its image,
 * rule_image.h) against one resolved request.  The verifier has proven every operand, jump and stack
 * depth in range, so the loop does no bounds checks; what it still checks
 * is each operand's kind, because a hostile bundle could mix them up (that
 * is a rule error, never a crash).
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"

#define ERR(msg) do { *errmsg = (msg); return AUTHZ_RULE_ERROR; } while (0)
#define NEED(v, k) do { if ((v).kind != (k)) goto type_error; } while (0)
#define IS_ORDERED(k) ((k) == AUTHZ_K_INT || (k) == AUTHZ_K_TIMESTAMP || (k) == AUTHZ_K_DURATION)

static bool set_all(const struct vm_value *s, const struct vm_value *t)
{
	for (uint32_t i = 0; i < t->len; i++)
		if (!rt_set_has(s, &t->u.set.p[i]))
			return false;
	return true;
}

static bool set_any(const struct vm_value *s, const struct vm_value *t)
{
	for (uint32_t i = 0; i < t->len; i++)
		if (rt_set_has(s, &t->u.set.p[i]))
			return true;
	return false;
}

int rt_vm_run(const authz_bundle *b, const struct rt_img *rule, const struct vm_env *env,
	      uint32_t *guard, const char **errmsg, char msgbuf[200])
{
	struct vm_value stack[AUTHZ_MAX_STACK + 1];
	struct vm_value *sp = stack;            /* next free */
	const uint32_t *pc = rt_img_code(rule);
	const struct vm_value *k = rt_img_consts(rule);
	for (;;) {
		uint32_t ins = *pc++;
		switch ((enum authz_op)AUTHZ_GET_OP(ins)) {
		case AUTHZ_OP_NOP:
			break;
		case AUTHZ_OP_TRUE:
		case AUTHZ_OP_FALSE:
			memset(sp, 0, sizeof *sp);
			sp->kind = AUTHZ_K_BOOL;
			sp->u.i = AUTHZ_GET_OP(ins) == AUTHZ_OP_TRUE;
			sp++;
			break;
		case AUTHZ_OP_CONST:
			*sp++ = k[AUTHZ_GET_AX(ins)];
			break;
		case AUTHZ_OP_ENTITY:
		case AUTHZ_OP_ENTITY_ID: {
			unsigned w = AUTHZ_GET_A(ins);
			memset(sp, 0, sizeof *sp);
			sp->kind = AUTHZ_GET_OP(ins) == AUTHZ_OP_ENTITY ? AUTHZ_K_ENTITY : AUTHZ_K_STRING;
			sp->len = env->id_len[w];
			sp->u.s.p = env->id[w];
			sp->u.s.off = env->type[w];
			sp++;
			break;
		}
		case AUTHZ_OP_ACTION:
			*sp++ = env->action;
			break;
		case AUTHZ_OP_NOW:
			memset(sp, 0, sizeof *sp);
			sp->kind = AUTHZ_K_TIMESTAMP;
			sp->u.i = env->now;
			sp++;
			break;
		case AUTHZ_OP_ATTR:
		case AUTHZ_OP_HAS: {
			size_t at = (size_t)AUTHZ_GET_A(ins) * env->nslots + AUTHZ_GET_B(ins);
			if (AUTHZ_GET_OP(ins) == AUTHZ_OP_HAS) {
				memset(sp, 0, sizeof *sp);
				sp->kind = AUTHZ_K_BOOL;
				sp->u.i = env->present[at];
				sp++;
				break;
			}
			if (!env->present[at] || env->vals[at].kind == AUTHZ_K_RECORD) {
				char path[160];
				rt_request_slot_path(b, AUTHZ_GET_A(ins), AUTHZ_GET_B(ins), path, sizeof path);
				snprintf(msgbuf, 200, "attribute '%s' is %s", path,
					 env->present[at] ? "a record" : "absent");
				ERR(msgbuf);
			}
			*sp++ = env->vals[at];
			break;
		}
		case AUTHZ_OP_EQ:
		case AUTHZ_OP_NE: {
			bool eq = rt_equal(&sp[-2], &sp[-1]);
			sp--;
			memset(&sp[-1], 0, sizeof sp[-1]);
			sp[-1].kind = AUTHZ_K_BOOL;
			sp[-1].u.i = eq == (AUTHZ_GET_OP(ins) == AUTHZ_OP_EQ);
			break;
		}
		case AUTHZ_OP_LT:
		case AUTHZ_OP_LE:
		case AUTHZ_OP_GT:
		case AUTHZ_OP_GE: {
			struct vm_value *y = &sp[-2], *x = &sp[-1];
			if (y->kind != x->kind || !IS_ORDERED(x->kind))
				goto type_error;
			int64_t a = y->u.i, c = x->u.i;
			uint32_t op = AUTHZ_GET_OP(ins);
			bool r = op == AUTHZ_OP_LT ? a < c : op == AUTHZ_OP_LE ? a <= c : op == AUTHZ_OP_GT ? a > c : a >= c;
			sp--;
			y->kind = AUTHZ_K_BOOL;
			y->u.i = r;
			break;
		}
		case AUTHZ_OP_ADD:
		case AUTHZ_OP_SUB:
		case AUTHZ_OP_MUL: {
			struct vm_value *y = &sp[-2], *x = &sp[-1];
			uint32_t op = AUTHZ_GET_OP(ins);
			uint8_t out;
			if (op == AUTHZ_OP_MUL)
				out = y->kind == AUTHZ_K_INT && x->kind == AUTHZ_K_INT ? AUTHZ_K_INT : 0;
			else if (y->kind == AUTHZ_K_INT && x->kind == AUTHZ_K_INT)
				out = AUTHZ_K_INT;
			else if (y->kind == AUTHZ_K_DURATION && x->kind == AUTHZ_K_DURATION)
				out = AUTHZ_K_DURATION;
			else if (y->kind == AUTHZ_K_TIMESTAMP && x->kind == AUTHZ_K_DURATION)
				out = AUTHZ_K_TIMESTAMP;
			else if (y->kind == AUTHZ_K_TIMESTAMP && x->kind == AUTHZ_K_TIMESTAMP && op == AUTHZ_OP_SUB)
				out = AUTHZ_K_DURATION;
			else
				out = 0;
			if (!out)
				goto type_error;
			int64_t r;
			bool ovf = op == AUTHZ_OP_ADD ? __builtin_add_overflow(y->u.i, x->u.i, &r) :
				   op == AUTHZ_OP_SUB ? __builtin_sub_overflow(y->u.i, x->u.i, &r) :
				   __builtin_mul_overflow(y->u.i, x->u.i, &r);
			if (ovf)
				ERR(out == AUTHZ_K_INT ? (op == AUTHZ_OP_ADD ? "integer overflow in '+'" :
							  op == AUTHZ_OP_SUB ? "integer overflow in '-'" :
							  "integer overflow in '*'")
						       : "time overflow");
			sp--;
			y->kind = out;
			y->u.i = r;
			break;
		}
		case AUTHZ_OP_NEG:
			if (sp[-1].kind != AUTHZ_K_INT && sp[-1].kind != AUTHZ_K_DURATION)
				goto type_error;
			if (sp[-1].u.i == INT64_MIN)
				ERR(sp[-1].kind == AUTHZ_K_INT ? "integer overflow in '-'" : "time overflow");
			sp[-1].u.i = -sp[-1].u.i;
			break;
		case AUTHZ_OP_NOT:
			NEED(sp[-1], AUTHZ_K_BOOL);
			sp[-1].u.i = !sp[-1].u.i;
			break;
		case AUTHZ_OP_IN: {
			struct vm_value *y = &sp[-2], *x = &sp[-1];
			bool r;
			if (x->kind == AUTHZ_K_SET)
				r = rt_set_has(x, y);
			else if (x->kind == AUTHZ_K_IP && y->kind == AUTHZ_K_IP)
				r = rt_ip_in(y, x);
			else
				goto type_error;
			sp--;
			memset(y, 0, sizeof *y);
			y->kind = AUTHZ_K_BOOL;
			y->u.i = r;
			break;
		}
		case AUTHZ_OP_LIKE: {
			const struct vm_value *pat = &k[AUTHZ_GET_AX(ins)];
			NEED(sp[-1], AUTHZ_K_STRING);
			bool r = rt_like(sp[-1].u.s.p, sp[-1].len, pat->u.s.p, pat->len);
			memset(&sp[-1], 0, sizeof sp[-1]);
			sp[-1].kind = AUTHZ_K_BOOL;
			sp[-1].u.i = r;
			break;
		}
		case AUTHZ_OP_CONTAINS_ALL:
		case AUTHZ_OP_CONTAINS_ANY: {
			struct vm_value *y = &sp[-2], *x = &sp[-1];
			NEED(*y, AUTHZ_K_SET);
			NEED(*x, AUTHZ_K_SET);
			bool r = AUTHZ_GET_OP(ins) == AUTHZ_OP_CONTAINS_ALL ? set_all(y, x) : set_any(y, x);
			sp--;
			memset(y, 0, sizeof *y);
			y->kind = AUTHZ_K_BOOL;
			y->u.i = r;
			break;
		}
		case AUTHZ_OP_IS_EMPTY: {
			NEED(sp[-1], AUTHZ_K_SET);
			bool r = sp[-1].len == 0;
			memset(&sp[-1], 0, sizeof sp[-1]);
			sp[-1].kind = AUTHZ_K_BOOL;
			sp[-1].u.i = r;
			break;
		}
		case AUTHZ_OP_TIME_PART:
			NEED(sp[-1], AUTHZ_K_TIMESTAMP);
			sp[-1].u.i = rt_time_part(sp[-1].u.i, AUTHZ_GET_AX(ins));
			sp[-1].kind = AUTHZ_K_INT;
			break;
		case AUTHZ_OP_POP:
			sp--;
			break;
		case AUTHZ_OP_JMP:
			pc += AUTHZ_GET_AX(ins);
			break;
		case AUTHZ_OP_JT:
		case AUTHZ_OP_JF:
			NEED(sp[-1], AUTHZ_K_BOOL);
			if ((sp[-1].u.i != 0) == (AUTHZ_GET_OP(ins) == AUTHZ_OP_JT))
				pc += AUTHZ_GET_AX(ins);
			else
				sp--;
			break;
		case AUTHZ_OP_WHEN:
		case AUTHZ_OP_UNLESS:
			NEED(sp[-1], AUTHZ_K_BOOL);
			sp--;
			if ((sp->u.i != 0) == (AUTHZ_GET_OP(ins) == AUTHZ_OP_UNLESS)) {
				*guard = AUTHZ_GET_AX(ins);
				return AUTHZ_NOT_APPLIED;
			}
			break;
		case AUTHZ_OP_APPLY:
			return AUTHZ_APPLIED;
		case AUTHZ_OP_COUNT:
		default:
			ERR("bad opcode");
		}
	}
type_error:
	ERR("operand of the wrong kind");
}
