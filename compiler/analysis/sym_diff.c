/*
 * sym_diff.c: every behavioural difference between two bundles
 * (authzc-diff(1), BEHAVIOUR).
 *
 * For each (principal type, action, resource type) either schema admits:
 *   1. the rules in scope are compared as code (constants by value,
 *      attributes by path): when both sides have the same rules with the
 *      same code, the triple is unchanged, proven without the solver;
 *   2. otherwise both sides are encoded (sym_rule.c) and Z3 is asked for a
 *      request, valid on every side that admits the triple, that the two
 *      decide differently (decision, or the rules deciding it);
 *   3. each answer is a class: its kind and which changed rules decide it
 *      on each side.  The class's witness is written as a request and
 *      decided by the runtime on both sides; it must reproduce what the
 *      model predicted, else the class says so and is never shown as a
 *      witness.  The class is then excluded and the solver asked again,
 *      until it finds none (the triple is done, proven), gives up (an
 *      unknown class) or the class limit is reached (an unknown class).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "sym_int.h"

/* A rule id of the triple and what each side has of it. */
struct urule {
	const char *id;
	int idx[2];             /* rule index on each side, or -1 */
	const char *code[2];    /* canonical code text */
	bool touched;           /* differs between the sides */
	Z3_ast dec[2];          /* it is among the rules deciding, per side */
};

struct engine {
	struct arena *a;        /* results */
	const struct sym_opts *o;
	const authz_bundle *b[2];
	struct sym_diff *out;
	size_t capclasses;
	bool limit_hit;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

/* ---- triples -------------------------------------------------------------------- */

void sym_triples(struct arena *a, const authz_bundle *b, struct sym_triple **v, size_t *n, size_t *cap)
{
	for (uint32_t ai = 0; b && ai < b->nactions; ai++)
		for (uint32_t p = 0; p < b->ntypes; p++)
			for (uint32_t r = 0; r < b->ntypes; r++) {
				if (!bit(b->actions[ai].principals, p) || !bit(b->actions[ai].resources, r))
					continue;
				struct sym_triple t = { bundle_str(b, b->owners[p].name), bundle_str(b, b->actions[ai].name),
						    bundle_str(b, b->owners[r].name) };
				bool seen = false;
				for (size_t i = 0; i < *n && !seen; i++)
					seen = !strcmp((*v)[i].p, t.p) && !strcmp((*v)[i].a, t.a) && !strcmp((*v)[i].r, t.r);
				if (seen)
					continue;
				if (*n == *cap) {
					size_t nc = *cap ? 2 * *cap : 16;
					*v = arena_grow(a, *v, *cap, nc, sizeof **v);
					*cap = nc;
				}
				(*v)[(*n)++] = t;
			}
}

/* ---- code as text --------------------------------------------------------------- */

static void put_slot(struct buf *o, const authz_bundle *b, uint32_t slot, int depth)
{
	if (b->slots[slot].parent != BUNDLE_NO_INDEX && depth < AUTHZ_MAX_DEPTH) {
		put_slot(o, b, b->slots[slot].parent, depth + 1);
		buf_putc(o, '.');
	}
	buf_puts(o, bundle_str(b, b->slots[slot].name));
}

static void put_const(struct buf *o, const struct vm_value *k)
{
	buf_printf(o, "%u:", k->kind);
	switch (k->kind) {
	case AUTHZ_K_STRING:
		buf_printf(o, "%u:", k->len);
		buf_put(o, k->u.s.p, k->len);
		break;
	case AUTHZ_K_IP:
		buf_printf(o, "%u/%u/", k->fam, k->prefix);
		for (int i = 0; i < 16; i++)
			buf_printf(o, "%02x", k->u.ip[i]);
		break;
	case AUTHZ_K_SET:
		buf_printf(o, "%u[", k->len);
		for (uint32_t i = 0; i < k->len; i++) {
			put_const(o, &k->u.set.p[i]);
			buf_putc(o, ',');
		}
		buf_putc(o, ']');
		break;
	default:
		buf_printf(o, "%lld", (long long)k->u.i);
	}
}

/* Rule ri's effect, expiry and code with constants and attributes
 * written out: equal texts, equal behaviour on any request. */
static const char *code_text(struct arena *a, const authz_bundle *b, uint32_t ri)
{
	const struct bundle_rule *r = &b->rules[ri];
	struct buf o = BUF_ARENA(a);
	buf_printf(&o, "%u %d %lld|", r->effect, r->has_expires, r->has_expires ? (long long)r->expires : 0LL);
	const uint32_t *code = b->code + r->code_off;
	for (uint32_t pc = 0; pc < r->code_len; pc++) {
		uint32_t ins = code[pc], op = AUTHZ_GET_OP(ins);
		const struct authz_op_info *info = authz_op_info(op);
		buf_puts(&o, info->name);
		switch (info->fmt) {
		case AUTHZ_FMT_K:
			buf_putc(&o, ' ');
			put_const(&o, &b->consts[AUTHZ_GET_AX(ins)]);
			break;
		case AUTHZ_FMT_S:
			buf_printf(&o, " %u.", AUTHZ_GET_A(ins));
			put_slot(&o, b, AUTHZ_GET_B(ins), 0);
			break;
		case AUTHZ_FMT_R:
			buf_printf(&o, " %u", AUTHZ_GET_A(ins));
			break;
		case AUTHZ_FMT_T:
		case AUTHZ_FMT_J:
		case AUTHZ_FMT_JK:
			buf_printf(&o, " %u", AUTHZ_GET_AX(ins));
			break;
		default:        /* N, E; G: which guard is for traces only */
			break;
		}
		buf_putc(&o, ';');
	}
	return o.p ? o.p : "";
}

/* ---- classes -------------------------------------------------------------------- */

static struct sym_class *new_class(struct engine *e, enum sym_kind kind, const struct sym_triple *t)
{
	struct sym_diff *d = e->out;
	if (d->nclasses == e->capclasses) {
		size_t cap = e->capclasses ? 2 * e->capclasses : 16;
		d->classes = arena_grow(e->a, d->classes, e->capclasses, cap, sizeof *d->classes);
		e->capclasses = cap;
	}
	struct sym_class *k = &d->classes[d->nclasses++];
	*k = (struct sym_class){ .kind = kind, .principal_type = arena_strdup(e->a, t->p),
				 .action = arena_strdup(e->a, t->a), .resource_type = arena_strdup(e->a, t->r) };
	return k;
}

static void unknown(struct engine *e, const struct sym_triple *t, const char *why)
{
	struct sym_class *k = new_class(e, SYM_UNKNOWN, t);
	k->reason = arena_strdup(e->a, why);
}

/* Decide request `json` with b (NULL: deny, no rules).  0, or -1 when the
 * runtime cannot (out of memory). */
static int decide(struct arena *a, const authz_bundle *b, const char *json, bool *allow, const char ***rules,
		  size_t *n)
{
	*allow = false;
	*rules = NULL;
	*n = 0;
	if (!b)
		return 0;
	authz_request *rq = NULL;
	authz_decision *d = NULL;
	int rc = -1;
	if (authz_request_new(&rq, b) == 0 && authz_decision_new(&d) == 0 &&
	    authz_request_parse_json(rq, json, strlen(json)) >= 0 && authz_decide(d, b, rq, 0) >= 0) {
		*allow = authz_decision_allowed(d);
		*n = authz_decision_rule_count(d);
		*rules = arena_calloc(a, *n + 1, sizeof **rules);
		for (size_t i = 0; i < *n; i++)
			(*rules)[i] = arena_strdup(a, authz_decision_rule(d, i));
		rc = 0;
	}
	authz_decision_free(d);
	authz_request_free(rq);
	return rc;
}

static bool same_list(const char **a, size_t na, const char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static const char *joined(struct arena *a, const char **v, size_t n)
{
	struct buf o = BUF_ARENA(a);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(&o, ", ");
		buf_puts(&o, v[i]);
	}
	return o.p ? o.p : "";
}

static bool mval(struct sym_ctx *c, Z3_model m, Z3_ast x)
{
	Z3_ast r = NULL;
	return Z3_model_eval(c->z, m, x, true, &r) && Z3_get_bool_value(c->z, r) == Z3_L_TRUE;
}

/* The rules a model says decide on side s, in bundle order. */
static const char **predicted(struct engine *e, struct sym_ctx *c, Z3_model m, struct urule *u, size_t nu, int s,
			      size_t *n)
{
	const char **v = arena_calloc(e->a, nu + 1, sizeof *v);
	int *idx = arena_calloc(e->a, nu + 1, sizeof *idx);
	*n = 0;
	for (size_t i = 0; i < nu; i++)
		if (u[i].idx[s] >= 0 && mval(c, m, u[i].dec[s])) {
			size_t k = (*n)++;
			while (k > 0 && idx[k - 1] > u[i].idx[s]) {
				v[k] = v[k - 1];
				idx[k] = idx[k - 1];
				k--;
			}
			v[k] = u[i].id;
			idx[k] = u[i].idx[s];
		}
	return v;
}

/* ---- one triple ----------------------------------------------------------------- */

/* The rules of side s in scope of the triple, merged into u by id. */
static void gather(struct engine *e, struct arena *scr, struct sym_ctx *c, int s, struct urule **u, size_t *nu,
		   size_t *cap)
{
	struct sym_side *sd = &c->side[s];
	const authz_bundle *b = sd->b;
	if (!sd->ok)
		return;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct bundle_rule *r = &b->rules[ri];
		if (!bit(r->principals, sd->pt) || !bit(r->actions, sd->act) || !bit(r->resources, sd->rt))
			continue;
		const char *id = bundle_str(b, r->id);
		size_t k = 0;
		while (k < *nu && strcmp((*u)[k].id, id))
			k++;
		if (k == *nu) {
			if (*nu == *cap) {
				size_t nc = *cap ? 2 * *cap : 32;
				*u = arena_grow(scr, *u, *cap, nc, sizeof **u);
				*cap = nc;
			}
			(*u)[(*nu)++] = (struct urule){ .id = id, .idx = { -1, -1 } };
		}
		(*u)[k].idx[s] = (int)ri;
		(*u)[k].code[s] = code_text(scr, b, ri);
	}
	(void)e;
}

/* Side s's decision formulas: dec per rule, *allow. */
static int encode_side(struct sym_ctx *c, int s, struct urule *u, size_t nu, Z3_ast *allow)
{
	const authz_bundle *b = c->side[s].b;
	Z3_ast forbid = sym_false(c), permit = sym_false(c);
	for (size_t i = 0; i < nu; i++) {
		u[i].dec[s] = sym_false(c);
		if (u[i].idx[s] < 0)
			continue;
		const struct bundle_rule *r = &b->rules[u[i].idx[s]];
		Z3_ast applied, error;
		if (sym_rule_encode(c, s, (uint32_t)u[i].idx[s], &applied, &error) < 0)
			return -1;
		Z3_ast fire = r->effect == AUTHZ_FORBID ? sym_or2(c, applied, error) : applied;
		if (r->has_expires)
			fire = sym_and2(c, Z3_mk_lt(c->z, c->now, sym_int(c, r->expires)), fire);
		u[i].dec[s] = fire;
		if (r->effect == AUTHZ_FORBID)
			forbid = sym_or2(c, forbid, fire);
		else
			permit = sym_or2(c, permit, fire);
	}
	*allow = sym_and2(c, c->side[s].valid, sym_and2(c, sym_not(c, forbid), permit));
	for (size_t i = 0; i < nu; i++)
		if (u[i].idx[s] >= 0 && b->rules[u[i].idx[s]].effect == AUTHZ_PERMIT)
			u[i].dec[s] = sym_and2(c, *allow, u[i].dec[s]);
		else if (u[i].idx[s] >= 0)
			u[i].dec[s] = sym_and2(c, c->side[s].valid, u[i].dec[s]);
	return 0;
}

static Z3_ast xor2(struct sym_ctx *c, Z3_ast a, Z3_ast b) { return Z3_mk_xor(c->z, a, b); }

static Z3_ast is(struct sym_ctx *c, Z3_ast x, bool v) { return v ? x : sym_not(c, x); }

/* Ask for classes until none is left; 0, or -1 when the run must stop
 * (class limit). */
static int search(struct engine *e, struct sym_ctx *c, const struct sym_triple *t, struct urule *u, size_t nu,
		  Z3_ast allow[2])
{
	Z3_solver so = sym_solver(c, e->o->timeout_ms);
	Z3_ast covered = c->side[0].ok && c->side[1].ok ? sym_and2(c, c->side[0].valid, c->side[1].valid)
		       : c->side[0].ok ? c->side[0].valid : c->side[1].valid;
	Z3_ast differ = xor2(c, allow[0], allow[1]);
	for (size_t i = 0; i < nu; i++)
		if (u[i].touched)
			differ = sym_or2(c, differ, xor2(c, u[i].dec[0], u[i].dec[1]));
	Z3_ast nice = sym_nice(c);
	Z3_solver_assert(c->z, so, c->base);
	Z3_solver_assert(c->z, so, covered);
	Z3_solver_assert(c->z, so, differ);
	struct buf w = BUF_ARENA(c->a), src = BUF_ARENA(c->a);
	const char **touched = arena_calloc(e->a, nu + 1, sizeof *touched);
	size_t ntouched = 0;
	for (size_t i = 0; i < nu; i++)
		if (u[i].touched)
			touched[ntouched++] = arena_strdup(e->a, u[i].id);
	int rc = 0;
	for (unsigned rounds = 0;; rounds++) {
		/* a witness a reviewer reads easily, if there is one */
		Z3_solver_push(c->z, so);
		Z3_solver_assert(c->z, so, nice);
		Z3_lbool r = Z3_solver_check(c->z, so);
		bool quick = nu <= SYM_IMPROVE_MAX_RULES;
		bool pushed = true;
		if (r != Z3_L_TRUE) {
			Z3_solver_pop(c->z, so, 1);
			pushed = false;
			r = Z3_solver_check(c->z, so);
		}
		if (r == Z3_L_FALSE)
			break;
		if (r == Z3_L_UNDEF) {
			char why[200];
			if (pushed)
				Z3_solver_pop(c->z, so, 1);
			snprintf(why, sizeof why, "the solver gave up (%s); raise --solver-timeout or --solver-memory",
				 Z3_solver_get_reason_unknown(c->z, so));
			unknown(e, t, why);
			break;
		}
		if (e->out->nclasses >= e->o->max_classes) {
			char why[160];
			snprintf(why, sizeof why, "more than %u %s: the rest was not searched; raise --max-classes",
				 e->o->max_classes, e->o->max_classes == 1 ? "class" : "classes");
			unknown(e, t, why);
			e->limit_hit = true;
			rc = -1;
			if (pushed)
				Z3_solver_pop(c->z, so, 1);
			break;
		}
		Z3_model m = Z3_solver_get_model(c->z, so);
		Z3_model_inc_ref(c->z, m);
		if (pushed && quick)
			sym_improve(c, so, &m);
		Z3_ast more = sym_true(c);
		int wr = sym_witness(c, m, &w, &src, &more);
		bool a0 = mval(c, m, allow[0]), a1 = mval(c, m, allow[1]);
		size_t n0, n1;
		const char **r0 = predicted(e, c, m, u, nu, 0, &n0), **r1 = predicted(e, c, m, u, nu, 1, &n1);
		Z3_ast key = sym_and2(c, is(c, allow[0], a0), is(c, allow[1], a1));
		const char **chg = arena_calloc(e->a, nu + 1, sizeof *chg);
		size_t nchg = 0;
		for (size_t i = 0; i < nu; i++) {
			if (!u[i].touched)
				continue;
			bool d0 = mval(c, m, u[i].dec[0]), d1 = mval(c, m, u[i].dec[1]);
			key = sym_and2(c, key, sym_and2(c, is(c, u[i].dec[0], d0), is(c, u[i].dec[1], d1)));
			if (d0 || d1)
				chg[nchg++] = arena_strdup(e->a, u[i].id);
		}
		Z3_model_dec_ref(c->z, m);
		if (pushed)
			Z3_solver_pop(c->z, so, 1);
		if (wr == 1 && rounds < 64) {
			Z3_solver_assert(c->z, so, more);       /* a string outside the alphabet: ask again */
			continue;
		}
		Z3_solver_assert(c->z, so, sym_not(c, key));
		enum sym_kind kind = a0 == a1 ? SYM_RULES : a1 ? SYM_LOOSENED : SYM_TIGHTENED;
		struct sym_class *k = new_class(e, kind, t);
		k->changed = chg;
		k->nchanged = nchg;
		k->touched = touched;
		k->ntouched = ntouched;
		if (wr != 0) {
			k->kind = SYM_UNKNOWN;
			k->reason = arena_printf(e->a, "no witness could be written (%s)",
						 c->unsup ? c->unsup : "strings outside the alphabet");
			continue;
		}
		k->witness = arena_strdup(e->a, w.p);
		k->request_src = arena_strdup(e->a, src.p ? src.p : "");
		bool ra[2];
		const char **rr[2];
		size_t rn[2];
		for (int s = 0; s < 2; s++)
			if (decide(e->a, e->b[s], k->witness, &ra[s], &rr[s], &rn[s]) < 0) {
				k->kind = SYM_UNKNOWN;
				k->reason = "the runtime could not decide the witness (out of memory)";
				break;
			}
		if (k->kind == SYM_UNKNOWN)
			continue;
		k->old_allow = ra[0], k->new_allow = ra[1];
		k->old_rules = rr[0], k->nold_rules = rn[0];
		k->new_rules = rr[1], k->nnew_rules = rn[1];
		if (ra[0] != a0 || ra[1] != a1 || !same_list(rr[0], rn[0], r0, n0) || !same_list(rr[1], rn[1], r1, n1)) {
			k->kind = SYM_UNKNOWN;
			k->reason = arena_printf(e->a, "internal error: the witness does not reproduce what the model "
						 "predicted (a bug in authzc's symbolic model; please report it with both "
						 "versions): predicted %s [%s] -> %s [%s], the runtime decided %s [%s] -> "
						 "%s [%s] for %s",
						 a0 ? "allow" : "deny", joined(e->a, r0, n0), a1 ? "allow" : "deny",
						 joined(e->a, r1, n1), ra[0] ? "allow" : "deny", joined(e->a, rr[0], rn[0]),
						 ra[1] ? "allow" : "deny", joined(e->a, rr[1], rn[1]), k->witness);
		}
	}
	Z3_solver_dec_ref(c->z, so);
	return rc;
}

static int one_triple(struct engine *e, const struct sym_triple *t)
{
	struct arena scr = ARENA_INIT;
	struct sym_ctx c;
	int rc = 0;
	e->out->ntriples++;
	if (sym_ctx_open(&c, &scr, e->b[0], e->b[1], t->p, t->a, t->r) < 0) {
		unknown(e, t, c.unsup);
		goto done;
	}
	struct urule *u = NULL;
	size_t nu = 0, cap = 0;
	for (int s = 0; s < 2; s++)
		gather(e, &scr, &c, s, &u, &nu, &cap);
	bool same = c.side[0].ok && c.side[1].ok;
	for (size_t i = 0; i < nu; i++) {
		u[i].touched = u[i].idx[0] < 0 || u[i].idx[1] < 0 || strcmp(u[i].code[0], u[i].code[1]);
		same = same && !u[i].touched;
	}
	if (same) {
		e->out->nunchanged++;
		goto done;
	}
	if (e->limit_hit) {
		unknown(e, t, "not searched: the class limit was reached; raise --max-classes");
		goto done;
	}
	e->out->nsolved++;
	for (size_t i = 0; i < nu; i++)
		for (int s = 0; s < 2; s++)
			if (u[i].idx[s] >= 0)
				sym_string_uses(&c, s, (uint32_t)u[i].idx[s]);
	sym_ctx_finish(&c);
	Z3_ast allow[2];
	for (int s = 0; s < 2; s++)
		if (encode_side(&c, s, u, nu, &allow[s]) < 0) {
			unknown(e, t, arena_printf(e->a, "the model does not cover this code: %s", c.unsup));
			goto done;
		}
	rc = search(e, &c, t, u, nu, allow);
done:
	sym_ctx_close(&c);
	arena_free(&scr);
	return rc;
}

static int kind_rank(enum sym_kind k)
{
	return k == SYM_LOOSENED ? 0 : k == SYM_UNKNOWN ? 1 : k == SYM_TIGHTENED ? 2 : 3;
}

static int by_kind(const void *x, const void *y)
{
	const struct sym_class *a = x, *b = y;
	return kind_rank(a->kind) - kind_rank(b->kind);
}

int sym_diff_run(struct arena *a, const authz_bundle *old, const authz_bundle *new, const struct sym_opts *o,
		 struct sym_diff *out, char *err, size_t size)
{
	double t0 = now_s();
	memset(out, 0, sizeof *out);
	if (o->memory_mb) {
		char mem[32];
		snprintf(mem, sizeof mem, "%u", o->memory_mb);
		Z3_global_param_set("memory_max_size", mem);
	}
	struct engine e = { .a = a, .o = o, .b = { old, new }, .out = out };
	struct sym_triple *t = NULL;
	size_t nt = 0, cap = 0;
	sym_triples(a, new, &t, &nt, &cap);
	sym_triples(a, old, &t, &nt, &cap);
	for (size_t i = 0; i < nt; i++)
		one_triple(&e, &t[i]);
	/* stable: classes keep the order they were found in within a kind */
	for (size_t i = 1; i < out->nclasses; i++)
		for (size_t j = i; j > 0 && by_kind(&out->classes[j - 1], &out->classes[j]) > 0; j--) {
			struct sym_class tmp = out->classes[j];
			out->classes[j] = out->classes[j - 1];
			out->classes[j - 1] = tmp;
		}
	for (size_t i = 0; i < out->nclasses; i++)
		switch (out->classes[i].kind) {
		case SYM_LOOSENED: out->nloosened++; break;
		case SYM_TIGHTENED: out->ntightened++; break;
		case SYM_RULES: out->nrules++; break;
		default: out->nunknown++; break;
		}
	out->seconds = now_s() - t0;
	(void)err;
	(void)size;
	return 0;
}
