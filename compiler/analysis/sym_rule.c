/*
 * sym_rule.c: a rule's bytecode as formulas.  The code is run
 * symbolically, instruction by instruction, as vm.c runs it: a state is
 * the condition under which a request reaches that instruction and the
 * stack of symbolic values it has there.  Jumps only go forward, so the
 * states of a rule are met in code order; where paths join (after `and`,
 * `or`), their stacks are merged with if-then-else.  What the rule does
 * is collected as three exclusive conditions: it reaches APPLY, a WHEN or
 * UNLESS holds it back, or an instruction fails (an absent attribute, an
 * overflow, an operand of the wrong kind): a rule error.
 */
#include <stdlib.h>
#include <string.h>

#include "sym_int.h"

struct state {
	bool live;
	Z3_ast reach;
	uint32_t sp;
	struct sym_val *stk;
};

struct run {
	struct sym_ctx *c;
	int side;
	const authz_bundle *b;
	struct state *st;       /* one per instruction, and one past the end */
	uint32_t cap;           /* stack slots of each state */
	Z3_ast applied, error;
	Z3_ast *held;           /* per guard: it holds the rule back; NULL: not kept */
	uint32_t nheld;
	const bool *skip;       /* per guard (nheld): passed over; NULL: none */
};

#define UNSUP(c, why) do { (c)->unsup = (why); return -1; } while (0)

static Z3_ast ite(struct sym_ctx *c, Z3_ast k, Z3_ast a, Z3_ast b)
{
	if (Z3_is_eq_ast(c->z, a, b))
		return a;
	return Z3_mk_ite(c->z, k, a, b);
}

/* String v as a term of the encoding `ic` (a constant has both); NULL
 * when it has not. */
static Z3_ast str_term(const struct sym_val *v, bool ic)
{
	if (v->s)
		return ic ? v->code : v->x;
	return v->ic == ic ? v->x : NULL;
}

/* Value a where k holds, else b, into *out (not a or b); false when
 * they cannot be merged. */
static bool merge(struct sym_ctx *c, Z3_ast k, const struct sym_val *a, const struct sym_val *b, struct sym_val *out)
{
	if (a->kind != b->kind)
		return false;
	*out = *a;
	switch (a->kind) {
	case AUTHZ_K_IP:
		out->is6 = ite(c, k, a->is6, b->is6);
		out->addr = ite(c, k, a->addr, b->addr);
		out->prefix = ite(c, k, a->prefix, b->prefix);
		return true;
	case AUTHZ_K_ENTITY:
		if (strcmp(a->ety, b->ety) || a->ic != b->ic)
			return false;
		out->x = ite(c, k, a->x, b->x);
		return true;
	case AUTHZ_K_STRING: {
		if (a->s && b->s && a->len == b->len && !memcmp(a->s, b->s, a->len))
			return true;
		bool ic = (!a->s && a->ic) || (!b->s && b->ic);
		Z3_ast ta = str_term(a, ic), tb = str_term(b, ic);
		if (!ta || !tb)
			return false;
		*out = (struct sym_val){ .kind = AUTHZ_K_STRING, .ic = ic, .x = ite(c, k, ta, tb) };
		return true;
	}
	case AUTHZ_K_SET: {
		if (a->set == b->set)
			return true;
		if (a->elem != b->elem && a->set->n && b->set->n)
			return false;
		struct sym_set *s = arena_calloc(c->a, 1, sizeof *s);
		s->n = a->set->n + b->set->n;
		s->e = arena_calloc(c->a, s->n + 1, sizeof *s->e);
		s->in = arena_calloc(c->a, s->n + 1, sizeof *s->in);
		for (size_t i = 0; i < a->set->n; i++) {
			s->e[i] = a->set->e[i];
			s->in[i] = sym_and2(c, k, a->set->in[i]);
		}
		for (size_t i = 0; i < b->set->n; i++) {
			s->e[a->set->n + i] = b->set->e[i];
			s->in[a->set->n + i] = sym_and2(c, sym_not(c, k), b->set->in[i]);
		}
		out->elem = a->set->n ? a->elem : b->elem;
		out->set = s;
		return true;
	}
	default:
		out->x = ite(c, k, a->x, b->x);
		return true;
	}
}

/* Add state (reach, stack) as an incoming path of instruction `pc`. */
static int arrive(struct run *r, uint32_t pc, Z3_ast reach, const struct sym_val *stk, uint32_t sp)
{
	struct sym_ctx *c = r->c;
	struct state *t = &r->st[pc];
	if (Z3_is_eq_ast(c->z, reach, sym_false(c)))
		return 0;
	if (!t->live) {
		/* a stack only for the states pending: a long rule's states
		 * are mostly never reached by a jump */
		t->stk = malloc(r->cap * sizeof *t->stk);
		if (!t->stk)
			UNSUP(c, "out of memory");
		t->live = true;
		t->reach = reach;
		t->sp = sp;
		if (sp)
			memcpy(t->stk, stk, sp * sizeof *stk);
		return 0;
	}
	if (t->sp != sp)
		UNSUP(c, "stacks of different heights meet");
	for (uint32_t i = 0; i < sp; i++) {
		struct sym_val m;
		if (!merge(c, reach, &stk[i], &t->stk[i], &m))
			UNSUP(c, "values of different kinds meet");
		t->stk[i] = m;
	}
	t->reach = sym_or2(c, reach, t->reach);
	return 0;
}

static Z3_ast member(struct sym_ctx *c, const struct sym_val *x, const struct sym_set *s)
{
	Z3_ast r = sym_false(c);
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].kind == x->kind)
			r = sym_or2(c, r, sym_and2(c, s->in[i], sym_eq(c, x, &s->e[i])));
	return r;
}

/* Every member of t is in s. */
static Z3_ast subset(struct sym_ctx *c, const struct sym_set *t, const struct sym_set *s)
{
	Z3_ast r = sym_true(c);
	for (size_t i = 0; i < t->n; i++)
		r = sym_and2(c, r, Z3_mk_implies(c->z, t->in[i], member(c, &t->e[i], s)));
	return r;
}

static Z3_ast overlap(struct sym_ctx *c, const struct sym_set *t, const struct sym_set *s)
{
	Z3_ast r = sym_false(c);
	for (size_t i = 0; i < t->n; i++)
		r = sym_or2(c, r, sym_and2(c, t->in[i], member(c, &t->e[i], s)));
	return r;
}

Z3_ast sym_eq(struct sym_ctx *c, const struct sym_val *a, const struct sym_val *b)
{
	if (a->kind != b->kind)
		return sym_false(c);
	switch (a->kind) {
	case AUTHZ_K_IP:
		return sym_and2(c, Z3_mk_eq(c->z, a->is6, b->is6),
				sym_and2(c, Z3_mk_eq(c->z, a->prefix, b->prefix), Z3_mk_eq(c->z, a->addr, b->addr)));
	case AUTHZ_K_ENTITY:
		if (a->ic != b->ic) {
			c->mixed = true;
			return sym_false(c);
		}
		return strcmp(a->ety, b->ety) ? sym_false(c) : Z3_mk_eq(c->z, a->x, b->x);
	case AUTHZ_K_STRING: {
		if (a->s && b->s)
			return a->len == b->len && !memcmp(a->s, b->s, a->len) ? sym_true(c) : sym_false(c);
		bool ic = (!a->s && a->ic) || (!b->s && b->ic);
		Z3_ast ta = str_term(a, ic), tb = str_term(b, ic);
		if (!ta || !tb) {
			c->mixed = true;
			return sym_false(c);
		}
		return Z3_mk_eq(c->z, ta, tb);
	}
	case AUTHZ_K_SET:
		return sym_and2(c, subset(c, a->set, b->set), subset(c, b->set, a->set));
	default:
		return Z3_mk_eq(c->z, a->x, b->x);
	}
}

/* The mask of the first k of 128 bits. */
static Z3_ast mask_of(struct sym_ctx *c, int64_t k)
{
	return sym_bv128(c, k == 0 ? 0 : ~(unsigned __int128)0 << (128 - k));
}

/* The mask of the first p bits (p in 0..128, as an ip's well-formedness
 * has it).  Z3 reasons very slowly about a shift by an int turned into
 * bits (int2bv), so the mask of a prefix that is not a constant is a
 * choice among the 129 constant masks. */
static Z3_ast prefix_mask(struct sym_ctx *c, Z3_ast p)
{
	int64_t k;
	if (Z3_get_ast_kind(c->z, p) == Z3_NUMERAL_AST && Z3_get_numeral_int64(c->z, p, &k) && k >= 0 && k <= 128)
		return mask_of(c, k);
	Z3_ast m = mask_of(c, 0);
	for (k = 1; k <= 128; k++)
		m = Z3_mk_ite(c->z, Z3_mk_eq(c->z, p, sym_int(c, k)), mask_of(c, k), m);
	return m;
}

/* x inside range r (rt_ip_in). */
static Z3_ast ip_in(struct sym_ctx *c, const struct sym_val *x, const struct sym_val *r)
{
	Z3_ast mask = prefix_mask(c, r->prefix);
	return sym_and2(c, Z3_mk_eq(c->z, x->is6, r->is6),
			sym_and2(c, Z3_mk_ge(c->z, x->prefix, r->prefix),
				 Z3_mk_eq(c->z, Z3_mk_bvand(c->z, x->addr, mask), Z3_mk_bvand(c->z, r->addr, mask))));
}

static Z3_ast idiv(struct sym_ctx *c, Z3_ast a, int64_t d) { return Z3_mk_div(c->z, a, sym_int(c, d)); }
static Z3_ast imod(struct sym_ctx *c, Z3_ast a, int64_t d) { return Z3_mk_mod(c->z, a, sym_int(c, d)); }
static Z3_ast add(struct sym_ctx *c, Z3_ast a, Z3_ast b) { return Z3_mk_add(c->z, 2, (Z3_ast[]){ a, b }); }
static Z3_ast sub(struct sym_ctx *c, Z3_ast a, Z3_ast b) { return Z3_mk_sub(c->z, 2, (Z3_ast[]){ a, b }); }
static Z3_ast mulk(struct sym_ctx *c, int64_t k, Z3_ast a) { return Z3_mk_mul(c->z, 2, (Z3_ast[]){ sym_int(c, k), a }); }

/* The literals of `like` pattern `pat` between its stars, L0 * L1 * ...
 * * Lk: '*' any run of bytes, "\*" a star, any other byte itself.
 * Returns k + 1, the literals' bytes in *lit (each L[i] at lit + at[i],
 * len[i] bytes). */
static unsigned like_parts(struct sym_ctx *c, const struct vm_value *pat, char **lit, size_t **at, size_t **len)
{
	const char *p = pat->u.s.p;
	size_t m = pat->len, nl = 0;
	unsigned n = 0;
	*lit = arena_alloc(c->a, m + 1);
	*at = arena_calloc(c->a, m + 2, sizeof **at);
	*len = arena_calloc(c->a, m + 2, sizeof **len);
	for (size_t j = 0; j <= m; j++) {
		if (j == m || p[j] == '*') {
			(*len)[n] = nl - (*at)[n];
			(*at)[++n] = nl;
			continue;
		}
		if (p[j] == '\\' && j + 1 < m && p[j + 1] == '*')
			j++;
		(*lit)[nl++] = p[j];
	}
	return n;
}

/* s matches L0 * L1 * ... * Lk (like_parts) as a regular expression. */
static Z3_ast like_re(struct sym_ctx *c, Z3_ast s, unsigned n, const char *lit, const size_t *at, const size_t *len)
{
	Z3_ast *parts = arena_calloc(c->a, 2 * (size_t)n + 1, sizeof *parts);
	unsigned k = 0;
	Z3_sort re = Z3_mk_re_sort(c->z, c->ss);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			parts[k++] = Z3_mk_re_full(c->z, re);
		if (len[i])
			parts[k++] = Z3_mk_seq_to_re(c->z, Z3_mk_lstring(c->z, (unsigned)len[i], lit + at[i]));
	}
	return Z3_mk_seq_in_re(c->z, s, k == 1 ? parts[0] : Z3_mk_re_concat(c->z, k, parts));
}

/*
 * `like`.  Without a star it is equality; with stars, s starts with L0,
 * ends with Lk, is long enough for both and, when one literal M stands
 * between stars, holds M between them.  Z3 decides these (prefixes,
 * suffixes, containment) far faster than the equivalent regular
 * expression, which is kept for two literals or more between stars.
 */
static Z3_ast like(struct sym_ctx *c, Z3_ast s, const struct vm_value *pat)
{
	char *lit;
	size_t *at, *len;
	unsigned n = like_parts(c, pat, &lit, &at, &len);
	Z3_ast first = Z3_mk_lstring(c->z, (unsigned)len[0], lit + at[0]);
	if (n == 1)
		return Z3_mk_eq(c->z, s, first);
	unsigned mid = 0, nmid = 0;
	for (unsigned i = 1; i + 1 < n; i++)
		if (len[i])
			mid = i, nmid++;
	if (nmid > 1)
		return like_re(c, s, n, lit, at, len);
	Z3_ast last = Z3_mk_lstring(c->z, (unsigned)len[n - 1], lit + at[n - 1]);
	size_t need = len[0] + len[n - 1] + (nmid ? len[mid] : 0);
	Z3_ast slen = Z3_mk_seq_length(c->z, s);
	Z3_ast r = Z3_mk_ge(c->z, slen, sym_int(c, (int64_t)need));
	if (len[0])
		r = sym_and2(c, r, Z3_mk_seq_prefix(c->z, first, s));
	if (len[n - 1])
		r = sym_and2(c, r, Z3_mk_seq_suffix(c->z, last, s));
	if (nmid) {
		Z3_ast inner = Z3_mk_seq_extract(c->z, s, sym_int(c, (int64_t)len[0]),
						 sub(c, slen, sym_int(c, (int64_t)(len[0] + len[n - 1]))));
		r = sym_and2(c, r, Z3_mk_seq_contains(c->z, inner,
						      Z3_mk_lstring(c->z, (unsigned)len[mid], lit + at[mid])));
	}
	return r;
}

/* rt_time_part in integer arithmetic (H. Hinnant's civil_from_days). */
static Z3_ast time_part(struct sym_ctx *c, Z3_ast ms, unsigned part)
{
	Z3_ast days = idiv(c, ms, 86400000), rem = imod(c, ms, 86400000);
	switch (part) {
	case AUTHZ_TP_HOUR:
		return idiv(c, rem, 3600000);
	case AUTHZ_TP_MINUTE:
		return imod(c, idiv(c, rem, 60000), 60);
	case AUTHZ_TP_WEEKDAY:
		return add(c, imod(c, add(c, days, sym_int(c, 3)), 7), sym_int(c, 1));
	default: {
		Z3_ast z = add(c, days, sym_int(c, 719468));
		Z3_ast era = idiv(c, z, 146097);
		Z3_ast doe = sub(c, z, mulk(c, 146097, era));
		Z3_ast yoe = idiv(c, add(c, sub(c, doe, idiv(c, doe, 1460)), sub(c, idiv(c, doe, 36524), idiv(c, doe, 146096))),
				  365);
		Z3_ast doy = sub(c, doe, sub(c, add(c, mulk(c, 365, yoe), idiv(c, yoe, 4)), idiv(c, yoe, 100)));
		Z3_ast mp = idiv(c, add(c, mulk(c, 5, doy), sym_int(c, 2)), 153);
		if (part == AUTHZ_TP_DAY)
			return add(c, sub(c, doy, idiv(c, add(c, mulk(c, 153, mp), sym_int(c, 2)), 5)), sym_int(c, 1));
		Z3_ast m = ite(c, Z3_mk_lt(c->z, mp, sym_int(c, 10)), add(c, mp, sym_int(c, 3)), sub(c, mp, sym_int(c, 9)));
		if (part == AUTHZ_TP_MONTH)
			return m;
		return add(c, add(c, yoe, mulk(c, 400, era)),
			   ite(c, Z3_mk_le(c->z, m, sym_int(c, 2)), sym_int(c, 1), sym_int(c, 0)));
	}
	}
}

static Z3_ast out_of_i64(struct sym_ctx *c, Z3_ast x)
{
	return sym_or2(c, Z3_mk_lt(c->z, x, sym_int(c, INT64_MIN)), Z3_mk_gt(c->z, x, sym_int(c, INT64_MAX)));
}

static bool ordered(uint8_t k) { return k == AUTHZ_K_INT || k == AUTHZ_K_TIMESTAMP || k == AUTHZ_K_DURATION; }

/* The value a load instruction pushes, and the condition under which it
 * fails (an attribute absent or a record). */
static int load(struct run *r, uint32_t ins, struct sym_val *v, Z3_ast *fails)
{
	struct sym_ctx *c = r->c;
	uint32_t op = AUTHZ_GET_OP(ins), a = AUTHZ_GET_A(ins), bx = AUTHZ_GET_B(ins);
	*fails = sym_false(c);
	memset(v, 0, sizeof *v);
	switch (op) {
	case AUTHZ_OP_CONST:
		*v = sym_const(c, &r->b->consts[AUTHZ_GET_AX(ins)]);
		return 0;
	case AUTHZ_OP_ENTITY:
		*v = (struct sym_val){ .kind = AUTHZ_K_ENTITY, .x = a ? c->rid : c->pid, .ety = a ? c->rtype : c->ptype,
				       .ic = a ? c->rid_ic : c->pid_ic };
		return 0;
	case AUTHZ_OP_ENTITY_ID:
		*v = (struct sym_val){ .kind = AUTHZ_K_STRING, .x = a ? c->rid : c->pid, .ic = a ? c->rid_ic : c->pid_ic };
		return 0;
	case AUTHZ_OP_ACTION: {
		uint32_t n = (uint32_t)strlen(c->action);
		*v = (struct sym_val){ .kind = AUTHZ_K_STRING, .x = Z3_mk_lstring(c->z, n, c->action), .s = c->action,
				       .len = n, .code = sym_str_code(c, c->action, n) };
		return 0;
	}
	case AUTHZ_OP_NOW:
		*v = (struct sym_val){ .kind = AUTHZ_K_TIMESTAMP, .x = c->now };
		return 0;
	default: {       /* ATTR, HAS */
		int k = c->side[r->side].slotvar[a][bx];
		const struct sym_var *x = k >= 0 ? &c->vars[k] : NULL;
		if (op == AUTHZ_OP_HAS) {
			*v = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = x ? x->present : sym_false(c) };
			return 0;
		}
		if (!x || x->kind == AUTHZ_K_RECORD) {
			*fails = sym_true(c);
			v->kind = AUTHZ_K_BOOL;
			v->x = sym_false(c);
			return 0;
		}
		*v = x->v;
		*fails = sym_not(c, x->present);
		return 0;
	}
	}
}

/* Run instruction pc of state t (consumed). */
static int step(struct run *r, const uint32_t *code, uint32_t pc)
{
	struct sym_ctx *c = r->c;
	struct state *t = &r->st[pc];
	uint32_t ins = code[pc], op = AUTHZ_GET_OP(ins);
	struct sym_val *s = t->stk;
	uint32_t sp = t->sp;
	Z3_ast reach = t->reach, fails = sym_false(c);
	bool type_error = false;
	switch (op) {
	case AUTHZ_OP_NOP:
		break;
	case AUTHZ_OP_TRUE:
	case AUTHZ_OP_FALSE:
		s[sp++] = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = op == AUTHZ_OP_TRUE ? sym_true(c) : sym_false(c) };
		break;
	case AUTHZ_OP_CONST:
	case AUTHZ_OP_ENTITY:
	case AUTHZ_OP_ENTITY_ID:
	case AUTHZ_OP_ACTION:
	case AUTHZ_OP_NOW:
	case AUTHZ_OP_ATTR:
	case AUTHZ_OP_HAS:
		if (load(r, ins, &s[sp], &fails) < 0)
			return -1;
		sp++;
		break;
	case AUTHZ_OP_EQ:
	case AUTHZ_OP_NE: {
		Z3_ast e = sym_eq(c, &s[sp - 2], &s[sp - 1]);
		sp--;
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = op == AUTHZ_OP_EQ ? e : sym_not(c, e) };
		break;
	}
	case AUTHZ_OP_LT:
	case AUTHZ_OP_LE:
	case AUTHZ_OP_GT:
	case AUTHZ_OP_GE: {
		struct sym_val *y = &s[sp - 2], *x = &s[sp - 1];
		if (y->kind != x->kind || !ordered(x->kind)) {
			type_error = true;
			break;
		}
		Z3_ast e = op == AUTHZ_OP_LT ? Z3_mk_lt(c->z, y->x, x->x) : op == AUTHZ_OP_LE ? Z3_mk_le(c->z, y->x, x->x)
			 : op == AUTHZ_OP_GT ? Z3_mk_gt(c->z, y->x, x->x) : Z3_mk_ge(c->z, y->x, x->x);
		sp--;
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = e };
		break;
	}
	case AUTHZ_OP_ADD:
	case AUTHZ_OP_SUB:
	case AUTHZ_OP_MUL: {
		struct sym_val *y = &s[sp - 2], *x = &s[sp - 1];
		uint8_t out = 0;
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
		if (!out) {
			type_error = true;
			break;
		}
		Z3_ast v = op == AUTHZ_OP_ADD ? add(c, y->x, x->x) : op == AUTHZ_OP_SUB ? sub(c, y->x, x->x)
			 : Z3_mk_mul(c->z, 2, (Z3_ast[]){ y->x, x->x });
		if (op == AUTHZ_OP_MUL && !Z3_is_numeral_ast(c->z, y->x) && !Z3_is_numeral_ast(c->z, x->x))
			c->nonlinear = true;
		fails = out_of_i64(c, v);
		sp--;
		s[sp - 1] = (struct sym_val){ .kind = out, .x = v };
		break;
	}
	case AUTHZ_OP_NEG:
		if (s[sp - 1].kind != AUTHZ_K_INT && s[sp - 1].kind != AUTHZ_K_DURATION) {
			type_error = true;
			break;
		}
		fails = Z3_mk_eq(c->z, s[sp - 1].x, sym_int(c, INT64_MIN));
		s[sp - 1].x = Z3_mk_unary_minus(c->z, s[sp - 1].x);
		break;
	case AUTHZ_OP_NOT:
		if (s[sp - 1].kind != AUTHZ_K_BOOL) {
			type_error = true;
			break;
		}
		s[sp - 1].x = sym_not(c, s[sp - 1].x);
		break;
	case AUTHZ_OP_IN: {
		struct sym_val *y = &s[sp - 2], *x = &s[sp - 1];
		Z3_ast e;
		if (x->kind == AUTHZ_K_SET)
			e = member(c, y, x->set);
		else if (x->kind == AUTHZ_K_IP && y->kind == AUTHZ_K_IP)
			e = ip_in(c, y, x);
		else {
			type_error = true;
			break;
		}
		sp--;
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = e };
		break;
	}
	case AUTHZ_OP_LIKE:
		if (s[sp - 1].kind != AUTHZ_K_STRING) {
			type_error = true;
			break;
		}
		if (s[sp - 1].s) {      /* a constant: decided now */
			s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL,
				.x = rt_like(s[sp - 1].s, s[sp - 1].len, r->b->consts[AUTHZ_GET_AX(ins)].u.s.p,
					     r->b->consts[AUTHZ_GET_AX(ins)].len) ? sym_true(c) : sym_false(c) };
			break;
		}
		if (s[sp - 1].ic)
			UNSUP(c, "internal: `like` on an int-coded string");
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL,
					      .x = like(c, s[sp - 1].x, &r->b->consts[AUTHZ_GET_AX(ins)]) };
		break;
	case AUTHZ_OP_CONTAINS_ALL:
	case AUTHZ_OP_CONTAINS_ANY: {
		struct sym_val *y = &s[sp - 2], *x = &s[sp - 1];
		if (y->kind != AUTHZ_K_SET || x->kind != AUTHZ_K_SET) {
			type_error = true;
			break;
		}
		Z3_ast e = op == AUTHZ_OP_CONTAINS_ALL ? subset(c, x->set, y->set) : overlap(c, x->set, y->set);
		sp--;
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = e };
		break;
	}
	case AUTHZ_OP_IS_EMPTY: {
		if (s[sp - 1].kind != AUTHZ_K_SET) {
			type_error = true;
			break;
		}
		Z3_ast e = sym_true(c);
		for (size_t i = 0; i < s[sp - 1].set->n; i++)
			e = sym_and2(c, e, sym_not(c, s[sp - 1].set->in[i]));
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_BOOL, .x = e };
		break;
	}
	case AUTHZ_OP_TIME_PART:
		if (s[sp - 1].kind != AUTHZ_K_TIMESTAMP) {
			type_error = true;
			break;
		}
		s[sp - 1] = (struct sym_val){ .kind = AUTHZ_K_INT, .x = time_part(c, s[sp - 1].x, AUTHZ_GET_AX(ins)) };
		break;
	case AUTHZ_OP_POP:
		sp--;
		break;
	case AUTHZ_OP_JMP:
		return arrive(r, pc + 1 + AUTHZ_GET_AX(ins), reach, s, sp);
	case AUTHZ_OP_JT:
	case AUTHZ_OP_JF: {
		if (s[sp - 1].kind != AUTHZ_K_BOOL) {
			type_error = true;
			break;
		}
		Z3_ast x = s[sp - 1].x, jump = op == AUTHZ_OP_JT ? x : sym_not(c, x);
		if (arrive(r, pc + 1 + AUTHZ_GET_AX(ins), sym_and2(c, reach, jump), s, sp) < 0)
			return -1;
		return arrive(r, pc + 1, sym_and2(c, reach, sym_not(c, jump)), s, sp - 1);
	}
	case AUTHZ_OP_WHEN:
	case AUTHZ_OP_UNLESS: {
		if (s[sp - 1].kind != AUTHZ_K_BOOL) {
			type_error = true;
			break;
		}
		Z3_ast x = s[sp - 1].x, pass = op == AUTHZ_OP_WHEN ? x : sym_not(c, x);
		uint32_t g = AUTHZ_GET_AX(ins);
		if (r->skip && g < r->nheld && r->skip[g])
			pass = sym_true(c);
		else if (r->held && g < r->nheld)
			r->held[g] = sym_or2(c, r->held[g], sym_and2(c, reach, sym_not(c, pass)));
		return arrive(r, pc + 1, sym_and2(c, reach, pass), s, sp - 1);
	}
	case AUTHZ_OP_APPLY:
		r->applied = sym_or2(c, r->applied, reach);
		return 0;
	default:
		type_error = true;
		break;
	}
	if (type_error)
		fails = sym_true(c);
	r->error = sym_or2(c, r->error, sym_and2(c, reach, fails));
	if (type_error)
		return 0;
	return arrive(r, pc + 1, sym_and2(c, reach, sym_not(c, fails)), s, sp);
}

int sym_rule_encode(struct sym_ctx *c, int side, uint32_t ri, Z3_ast *applied, Z3_ast *error)
{
	return sym_rule_encode_guards(c, side, ri, NULL, applied, error, NULL, 0);
}

int sym_rule_encode_guards(struct sym_ctx *c, int side, uint32_t ri, const bool *skip, Z3_ast *applied,
			   Z3_ast *error, Z3_ast *held, uint32_t nheld)
{
	const authz_bundle *b = c->side[side].b;
	const struct bundle_rule *rule = &b->rules[ri];
	const uint32_t *code = b->code + rule->code_off;
	struct run r = { .c = c, .side = side, .b = b, .cap = b->max_stack + 2,
			 .applied = sym_false(c), .error = sym_false(c), .held = held, .nheld = nheld,
			 .skip = skip };
	for (uint32_t g = 0; g < nheld; g++)
		held[g] = sym_false(c);
	r.st = calloc((size_t)rule->code_len + 1, sizeof *r.st);
	if (!r.st)
		UNSUP(c, "out of memory");
	int rc = arrive(&r, 0, sym_true(c), NULL, 0);
	for (uint32_t pc = 0; pc < rule->code_len && rc == 0; pc++)
		if (r.st[pc].live) {
			rc = step(&r, code, pc);
			free(r.st[pc].stk);
			r.st[pc].stk = NULL;
		}
	for (uint32_t pc = 0; pc <= rule->code_len; pc++)
		free(r.st[pc].stk);
	free(r.st);
	if (rc < 0)
		return -1;
	if (c->mixed)
		UNSUP(c, "internal: strings of two encodings compared");
	*applied = r.applied;
	*error = r.error;
	return 0;
}

/* The attribute (var index) or entity id (nvars + 0 or 1) a load reads;
 * -1 for anything else. */
static int origin(const struct sym_ctx *c, int side, uint32_t ins)
{
	switch (AUTHZ_GET_OP(ins)) {
	case AUTHZ_OP_ATTR:
		return c->side[side].slotvar[AUTHZ_GET_A(ins)][AUTHZ_GET_B(ins)];
	case AUTHZ_OP_ENTITY:
	case AUTHZ_OP_ENTITY_ID:
		return (int)c->nvars + (int)AUTHZ_GET_A(ins);
	default:
		return -1;
	}
}

static int uf_find(struct sym_ctx *c, int i)
{
	while (c->uf[i] != i)
		i = c->uf[i] = c->uf[c->uf[i]];
	return i;
}

/*
 * The constants it loads are the universe of the set attributes
 * (sym_ctx_finish).  Strings are only made by loads (attributes, ids,
 * constants, the action), so the operand of a LIKE is what the instruction before it
 * loaded, and the operands of a comparison of strings or sets the two
 * loads before it.
 */
void sym_string_uses(struct sym_ctx *c, int side, uint32_t ri)
{
	const authz_bundle *b = c->side[side].b;
	const struct bundle_rule *rule = &b->rules[ri];
	const uint32_t *code = b->code + rule->code_off;
	if (rule->code_len && AUTHZ_GET_OP(code[0]) == AUTHZ_OP_CONST)
		c->used[side][AUTHZ_GET_AX(code[0])] = true;
	for (uint32_t pc = 1; pc < rule->code_len; pc++) {
		uint32_t op = AUTHZ_GET_OP(code[pc]);
		if (op == AUTHZ_OP_CONST)
			c->used[side][AUTHZ_GET_AX(code[pc])] = true;
		int x = origin(c, side, code[pc - 1]);
		if (op == AUTHZ_OP_LIKE) {
			if (x >= 0)
				c->liked[x] = true;
			continue;
		}
		if (pc < 2 || x < 0 || (op != AUTHZ_OP_EQ && op != AUTHZ_OP_NE && op != AUTHZ_OP_IN &&
					op != AUTHZ_OP_CONTAINS_ALL && op != AUTHZ_OP_CONTAINS_ANY))
			continue;
		int y = origin(c, side, code[pc - 2]);
		if (y >= 0)
			c->uf[uf_find(c, x)] = uf_find(c, y);
	}
}
