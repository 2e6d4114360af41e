/*
 * vm.c: the evaluator.  rt_vm_run executes one verified rule (its image,
 * rule_image.h) against one resolved request.  The verifier has proven
 * every operand, jump and stack depth in range, so the loop does no bounds
 * checks; what it still checks is each operand's kind, because a hostile
 * bundle could mix them up (that is a rule error, never a crash).  A fused
 * guard (RT_OP_TEST1/2) does what its words would do one by one, with the
 * same errors in the same order, without the stack.
 *
 * The loop is written once, vm_exec, and made twice: rt_vm_run, and
 * rt_vm_run_traced, which also records what each guard reads (vm.h).  The
 * recorder is a constant NULL in the first, so its code folds away there.
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

/*
 * The comparisons and set tests, EQ .. GE, IN, CONTAINS_ALL/ANY: y op x
 * into *r.  False when an operand is of the wrong kind (a type error).
 */
static inline bool test(uint32_t op, const struct vm_value *y, const struct vm_value *x, bool *r)
{
	switch (op) {
	case AUTHZ_OP_EQ:
	case AUTHZ_OP_NE:
		*r = rt_equal(y, x) == (op == AUTHZ_OP_EQ);
		return true;
	case AUTHZ_OP_LT:
	case AUTHZ_OP_LE:
	case AUTHZ_OP_GT:
	case AUTHZ_OP_GE: {
		if (y->kind != x->kind || !IS_ORDERED(x->kind))
			return false;
		int64_t a = y->u.i, c = x->u.i;
		*r = op == AUTHZ_OP_LT ? a < c : op == AUTHZ_OP_LE ? a <= c : op == AUTHZ_OP_GT ? a > c : a >= c;
		return true;
	}
	case AUTHZ_OP_IN:
		if (x->kind == AUTHZ_K_SET)
			*r = rt_set_has(x, y);
		else if (x->kind == AUTHZ_K_IP && y->kind == AUTHZ_K_IP)
			*r = rt_ip_in(y, x);
		else
			return false;
		return true;
	case AUTHZ_OP_CONTAINS_ALL:
	case AUTHZ_OP_CONTAINS_ANY:
		if (y->kind != AUTHZ_K_SET || x->kind != AUTHZ_K_SET)
			return false;
		*r = op == AUTHZ_OP_CONTAINS_ALL ? set_all(y, x) : set_any(y, x);
		return true;
	default:
		return false;
	}
}

/* The error of reading attribute (root, slot) when it is absent or a
 * record, into msgbuf. */
static const char *attr_error(const authz_bundle *b, const struct vm_env *env, unsigned root, uint32_t slot,
			      char msgbuf[200])
{
	char path[160];
	rt_request_slot_path(b, root, slot, path, sizeof path);
	snprintf(msgbuf, 200, "attribute '%s' is %s", path,
		 env->present[(size_t)root * env->nslots + slot] ? "a record" : "absent");
	return msgbuf;
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * Record operand (src, root, slot) of the guard being run, read as *v (an
 * attribute: its value when present, whatever v is, NULL too), unless it
 * is recorded already or the record is full.
 */
static void record(struct vm_rec *rec, const struct vm_env *env, unsigned src, unsigned root, uint32_t slot,
		   const struct vm_value *v)
{
	for (uint32_t i = 0; i < rec->n; i++)
		if (rec->op[i].src == src && rec->op[i].root == root && rec->op[i].slot == slot)
			return;
	if (rec->n == AUTHZ_TRACE_MAX_OPERANDS)
		return;
	struct vm_operand *o = &rec->op[rec->n++];
	*o = (struct vm_operand){ .src = (uint8_t)src, .root = (uint8_t)root, .slot = slot, .present = true };
	if (src == VM_SRC_ATTR) {
		size_t at = (size_t)root * env->nslots + slot;
		o->present = env->present[at];
		v = &env->vals[at];
	}
	if (o->present)
		o->v = *v;
}

static inline struct vm_value bool_value(bool x)
{
	return (struct vm_value){ .kind = AUTHZ_K_BOOL, .u.i = x };
}

/*
 * What a load instruction (CONST, ENTITY_ID, NOW, ATTR, HAS; rule_image.h)
 * pushes: a pointer to the value, in the request or the image's constants
 * where it lives, else built in *tmp.  NULL when an attribute read fails,
 * with *err set.  With `rec`, a request value read is recorded (an
 * attribute `has` tests, too); constants are not.
 */
static ALWAYS_INLINE const struct vm_value *load(const authz_bundle *b, const struct vm_env *env,
						 const struct vm_value *k, uint32_t op, uint32_t a, uint32_t bx,
						 struct vm_value *tmp, const char **err, char msgbuf[200],
						 struct vm_rec *rec)
{
	const struct vm_value *v;
	unsigned src = VM_SRC_ATTR;
	switch (op) {
	case AUTHZ_OP_CONST:
		return &k[bx];
	case AUTHZ_OP_ENTITY_ID:
		*tmp = (struct vm_value){ .kind = AUTHZ_K_STRING, .len = env->id_len[a] };
		tmp->u.s.p = env->id[a];
		tmp->u.s.off = env->type[a];
		v = tmp;
		src = VM_SRC_ID;
		break;
	case AUTHZ_OP_NOW:
		*tmp = (struct vm_value){ .kind = AUTHZ_K_TIMESTAMP, .u.i = env->now };
		v = tmp;
		src = VM_SRC_NOW;
		break;
	case AUTHZ_OP_HAS:
		*tmp = bool_value(env->present[(size_t)a * env->nslots + bx]);
		v = tmp;
		break;
	default: {       /* AUTHZ_OP_ATTR */
		size_t at = (size_t)a * env->nslots + bx;
		if (!env->present[at] || env->vals[at].kind == AUTHZ_K_RECORD) {
			*err = attr_error(b, env, a, (uint32_t)bx, msgbuf);
			v = NULL;
		} else {
			v = &env->vals[at];
		}
		break;
	}
	}
	if (rec)
		record(rec, env, src, src == VM_SRC_NOW ? 0 : a, src == VM_SRC_ATTR ? bx : 0, v);
	return v;
}

/* The end of a fused guard: guard instruction g (WHEN or UNLESS) given
 * the tested value r; true when the rule is held back there (else the
 * next guard starts: the record is emptied). */
static ALWAYS_INLINE bool held_back(uint32_t g, bool r, uint32_t *guard, struct vm_rec *rec)
{
	if (r != (AUTHZ_GET_OP(g) == AUTHZ_OP_UNLESS)) {
		if (rec)
			rec->n = 0;
		return false;
	}
	*guard = AUTHZ_GET_AX(g);
	return true;
}

/* rt_vm_run, recording into `rec` when it is not NULL. */
static ALWAYS_INLINE int vm_exec(const authz_bundle *b, const struct rt_img *rule, uint32_t start,
				 const struct vm_env *env, uint32_t *guard, const char **errmsg, char msgbuf[200],
				 struct vm_rec *rec)
{
	struct vm_value stack[AUTHZ_MAX_STACK + 1];
	struct vm_value *sp = stack;            /* next free */
	const uint32_t *code = rt_img_code(rule), *pc = code + start;
	const struct vm_value *k = rt_img_consts(rule);
	for (;;) {
		if (rec)
			rec->pc = (uint32_t)(pc - code);
		uint32_t ins = *pc++;
		switch (AUTHZ_GET_OP(ins)) {
		case AUTHZ_OP_NOP:
			break;
		case AUTHZ_OP_TRUE:
		case AUTHZ_OP_FALSE:
			*sp++ = bool_value(AUTHZ_GET_OP(ins) == AUTHZ_OP_TRUE);
			break;
		case AUTHZ_OP_ENTITY: {
			unsigned w = AUTHZ_GET_A(ins);
			*sp = (struct vm_value){ .kind = AUTHZ_K_ENTITY, .len = env->id_len[w] };
			sp->u.s.p = env->id[w];
			sp->u.s.off = env->type[w];
			if (rec)
				record(rec, env, VM_SRC_ENTITY, w, 0, sp);
			sp++;
			break;
		}
		case AUTHZ_OP_ACTION:
			if (rec)
				record(rec, env, VM_SRC_ACTION, 0, 0, &env->action);
			*sp++ = env->action;
			break;
		case AUTHZ_OP_CONST:
		case AUTHZ_OP_ENTITY_ID:
		case AUTHZ_OP_NOW:
		case AUTHZ_OP_ATTR:
		case AUTHZ_OP_HAS: {
			const struct vm_value *v = load(b, env, k, AUTHZ_GET_OP(ins), rt_load_a(ins), rt_load_b(ins), sp,
							errmsg, msgbuf, rec);
			if (!v)
				return AUTHZ_RULE_ERROR;
			*sp++ = *v;
			break;
		}
		case AUTHZ_OP_EQ:
		case AUTHZ_OP_NE:
		case AUTHZ_OP_LT:
		case AUTHZ_OP_LE:
		case AUTHZ_OP_GT:
		case AUTHZ_OP_GE:
		case AUTHZ_OP_IN:
		case AUTHZ_OP_CONTAINS_ALL:
		case AUTHZ_OP_CONTAINS_ANY: {
			bool r;
			if (!test(AUTHZ_GET_OP(ins), &sp[-2], &sp[-1], &r))
				goto type_error;
			sp--;
			sp[-1] = bool_value(r);
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
		case AUTHZ_OP_LIKE: {
			const struct vm_value *pat = &k[AUTHZ_GET_AX(ins)];
			NEED(sp[-1], AUTHZ_K_STRING);
			sp[-1] = bool_value(rt_like(sp[-1].u.s.p, sp[-1].len, pat->u.s.p, pat->len));
			break;
		}
		case AUTHZ_OP_IS_EMPTY: {
			NEED(sp[-1], AUTHZ_K_SET);
			sp[-1] = bool_value(sp[-1].len == 0);
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
			if (rec)
				rec->n = 0;
			break;
		case AUTHZ_OP_APPLY:
			return AUTHZ_APPLIED;
		case RT_OP_TEST2: {
			struct vm_value t1, t2;
			uint32_t a = AUTHZ_GET_A(ins), l = pc[0];
			const struct vm_value *y = load(b, env, k, a & 63, a >> 6, AUTHZ_GET_B(ins), &t1, errmsg, msgbuf,
							rec);
			if (!y)
				return AUTHZ_RULE_ERROR;
			const struct vm_value *x = load(b, env, k, AUTHZ_GET_OP(l), rt_load_a(l), rt_load_b(l), &t2, errmsg,
							msgbuf, rec);
			if (!x)
				return AUTHZ_RULE_ERROR;
			bool r;
			if (!test(AUTHZ_GET_OP(pc[1]), y, x, &r))
				goto type_error;
			if (held_back(pc[2], r, guard, rec))
				return AUTHZ_NOT_APPLIED;
			pc += 3;
			break;
		}
		case RT_OP_ATTR_K:
		case RT_OP_K_ATTR: {
			bool attr_first = AUTHZ_GET_OP(ins) == RT_OP_ATTR_K;
			uint32_t w = attr_first ? ins : pc[0];   /* the ATTR's word */
			const struct vm_value *v = load(b, env, k, AUTHZ_OP_ATTR, AUTHZ_GET_A(w), AUTHZ_GET_B(w), NULL,
							errmsg, msgbuf, rec);
			if (!v)
				return AUTHZ_RULE_ERROR;
			const struct vm_value *c = &k[AUTHZ_GET_AX(attr_first ? pc[0] : ins)];
			bool r;
			if (!test(AUTHZ_GET_OP(pc[1]), attr_first ? v : c, attr_first ? c : v, &r))
				goto type_error;
			if (held_back(pc[2], r, guard, rec))
				return AUTHZ_NOT_APPLIED;
			pc += 3;
			break;
		}
		case RT_OP_ATTR_EQ_STR: {
			const struct vm_value *v = load(b, env, k, AUTHZ_OP_ATTR, AUTHZ_GET_A(ins), AUTHZ_GET_B(ins), NULL,
							errmsg, msgbuf, rec);
			if (!v)
				return AUTHZ_RULE_ERROR;
			const struct vm_value *c = &k[AUTHZ_GET_AX(pc[0])];
			bool r = v->kind == AUTHZ_K_STRING && v->len == c->len && rt_bytes_eq(v->u.s.p, c->u.s.p, c->len);
			if (held_back(pc[2], r == (AUTHZ_GET_OP(pc[1]) == AUTHZ_OP_EQ), guard, rec))
				return AUTHZ_NOT_APPLIED;
			pc += 3;
			break;
		}
		case RT_OP_TEST1: {
			struct vm_value t;
			uint32_t a = AUTHZ_GET_A(ins), w = *pc;
			const struct vm_value *v = load(b, env, k, a & 63, a >> 6, AUTHZ_GET_B(ins), &t, errmsg, msgbuf, rec);
			if (!v)
				return AUTHZ_RULE_ERROR;
			bool r;
			if (AUTHZ_GET_OP(w) == AUTHZ_OP_LIKE) {
				const struct vm_value *pat = &k[AUTHZ_GET_AX(w)];
				NEED(*v, AUTHZ_K_STRING);
				r = rt_like(v->u.s.p, v->len, pat->u.s.p, pat->len);
				pc++;
			} else if (AUTHZ_GET_OP(w) == AUTHZ_OP_IS_EMPTY) {
				NEED(*v, AUTHZ_K_SET);
				r = v->len == 0;
				pc++;
			} else {
				NEED(*v, AUTHZ_K_BOOL);
				r = v->u.i != 0;
			}
			for (; AUTHZ_GET_OP(*pc) == AUTHZ_OP_NOT; pc++)
				r = !r;
			if (held_back(*pc++, r, guard, rec))
				return AUTHZ_NOT_APPLIED;
			break;
		}
		default:
			ERR("bad opcode");
		}
	}
type_error:
	ERR("operand of the wrong kind");
}

int rt_vm_run(const authz_bundle *b, const struct rt_img *rule, uint32_t start, const struct vm_env *env,
	      uint32_t *guard, const char **errmsg, char msgbuf[200])
{
	return vm_exec(b, rule, start, env, guard, errmsg, msgbuf, NULL);
}

int rt_vm_run_traced(const authz_bundle *b, const struct rt_img *rule, uint32_t start, const struct vm_env *env,
		     uint32_t *guard, const char **errmsg, char msgbuf[200], struct vm_rec *rec)
{
	return vm_exec(b, rule, start, env, guard, errmsg, msgbuf, rec);
}
