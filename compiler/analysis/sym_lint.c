/*
 * sym_lint.c: rules that never matter, found by the solver (the lint of
 * `authzc check`, authzc-check(1), LINT).
 *
 * Over every (principal type, action, resource type) of the schema, each
 * rule in scope is encoded (sym_rule.c) and Z3 is asked, for every request
 * the schema admits, at any time:
 *   - can it apply?  One model settles every rule that applies in it, so
 *     the solver is asked for "a request where a rule not yet seen
 *     applies" until there is none: W0601 for the rules left;
 *   - can a permit decide (apply with no forbid applying)?  Likewise:
 *     W0602 for a permit that applies but never decides, naming the
 *     forbids that overrule it;
 *   - can a rule fail (an overflow, an absent attribute)?  Likewise, with
 *     the request as witness: W0603;
 *   - does a forbid apply to every request of its scope?  One call per
 *     forbid and triple: I0604, a note;
 *   - is a rule redundant: does another of its effect apply to every
 *     request it applies to, in every triple of its scope?  One call per
 *     pair still standing and triple: W0606, naming the other.
 * A solver that gives up settles nothing: no finding is made from it.
 * A rule annotated @suppress("never-applies"), ("never-decides"),
 * ("can-error"), ("always-applies") or ("redundant") (several, comma-separated) is not
 * reported for those.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checker.h"
#include "codegen.h"
#include "sym_int.h"
#include "sym_lint.h"

struct lrule {
	bool in_scope, applies, decides, errs, not_always, unknown;
	const char *witness;            /* errs: a request where it fails */
	const char *why;                /* errs: the runtime's message */
	const char **overrule;          /* never decides: the forbids */
	size_t noverrule;
	/* redundant: the rules of its effect that apply wherever it does, in
	 * every triple seen so far (bundle indices); `seen` once the first
	 * triple has filled it */
	uint32_t *cover;
	size_t ncover;
	bool seen;
};

struct one {
	uint32_t ri;
	Z3_ast fire, error;
};

/* What the models found so far in a triple show: for each, which rules
 * of the triple fire in it (fires[m][i] for v[i], evaluated when first
 * asked: most are never needed).  A model is a request the schema
 * admits, so it settles for free every question it answers: "can i apply
 * without j" (redundancy), "can a forbid not apply", "can a permit and a
 * forbid apply together"; the solver is asked only the rest. */
struct bank {
	struct sym_ctx *c;
	const struct one *v;
	size_t n;               /* rules of the triple */
	Z3_model *models;
	signed char **fires;    /* Z3_lbool: an evaluation that does not come
				 * out true or false shows nothing; NOT_EVALUATED */
	size_t nm, cap;
};

#define NOT_EVALUATED 2

static bool bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Past `deadline` (as now_s; 0: none), the end of the lint's budget. */
static bool past(double deadline) { return deadline > 0 && now_s() > deadline; }

/* x's value in m: Z3_L_TRUE, Z3_L_FALSE, or Z3_L_UNDEF when it does not
 * come out as either. */
static Z3_lbool mval(struct sym_ctx *c, Z3_model m, Z3_ast x)
{
	Z3_ast r = NULL;
	return Z3_model_eval(c->z, m, x, true, &r) ? Z3_get_bool_value(c->z, r) : Z3_L_UNDEF;
}

/* The solver of a triple's questions (sym_solver: its settings), the
 * whole request asserted. */
static Z3_solver new_solver(struct sym_ctx *c, const struct sym_opts *o)
{
	/* one query never outlasts the whole budget */
	unsigned ms = o->lint_ms && (!o->timeout_ms || o->lint_ms < o->timeout_ms) ? o->lint_ms : o->timeout_ms;
	Z3_solver so = sym_solver(c, ms);
	Z3_solver_assert(c->z, so, c->base);
	Z3_solver_assert(c->z, so, c->side[1].valid);
	return so;
}

/* Keep model m (a reference taken) in the bank. */
static void bank_add(struct bank *bk, Z3_model m)
{
	struct sym_ctx *c = bk->c;
	if (bk->nm == bk->cap) {
		size_t cap = bk->cap ? 2 * bk->cap : 16;
		bk->fires = arena_grow(c->a, bk->fires, bk->cap, cap, sizeof *bk->fires);
		bk->models = arena_grow(c->a, bk->models, bk->cap, cap, sizeof *bk->models);
		bk->cap = cap;
	}
	signed char *f = arena_alloc(c->a, bk->n + 1);
	memset(f, NOT_EVALUATED, bk->n + 1);
	Z3_model_inc_ref(c->z, m);
	bk->models[bk->nm] = m;
	bk->fires[bk->nm++] = f;
}

/* Whether v[i] fires in model k of the bank (a Z3_lbool). */
static Z3_lbool bank_fire(struct bank *bk, size_t k, size_t i)
{
	if (bk->fires[k][i] == NOT_EVALUATED)
		bk->fires[k][i] = (signed char)mval(bk->c, bk->models[k], bk->v[i].fire);
	return bk->fires[k][i];
}

/* No forbid of the triple fires in model k of the bank. */
static bool bank_free_of_forbids(struct bank *bk, size_t k)
{
	for (size_t i = 0; i < bk->n; i++)
		if (bk->c->side[1].b->rules[bk->v[i].ri].effect == AUTHZ_FORBID && bank_fire(bk, k, i) != Z3_L_FALSE)
			return false;
	return true;
}

static void bank_release(struct bank *bk)
{
	for (size_t k = 0; k < bk->nm; k++)
		Z3_model_dec_ref(bk->c->z, bk->models[k]);
}

/* Some model of the bank has v[i] firing (want_i) or not, and v[j] firing
 * (want_j) or not; j < 0: v[i] alone. */
static bool bank_shows(struct bank *bk, size_t i, bool want_i, long j, bool want_j)
{
	for (size_t k = 0; k < bk->nm; k++)
		if (bank_fire(bk, k, i) == (want_i ? Z3_L_TRUE : Z3_L_FALSE) &&
		    (j < 0 || bank_fire(bk, k, (size_t)j) == (want_j ? Z3_L_TRUE : Z3_L_FALSE)))
			return true;
	return false;
}

/* Ask for models where some rule of v not yet `seen` has cond(rule); each
 * model marks every rule it shows; false when the solver gave up. */
enum which { W_APPLIES, W_DECIDES, W_ERRS };

/* Push a scope holding `want` on so and check it: the scope stays when
 * the answer is Z3_L_TRUE (for its model), else is popped.  A `want`
 * that is false is answered without the solver. */
static Z3_lbool ask_in(struct sym_ctx *c, Z3_solver so, Z3_ast want)
{
	if (Z3_is_eq_ast(c->z, want, sym_false(c)))
		return Z3_L_FALSE;
	Z3_solver_push(c->z, so);
	Z3_solver_assert(c->z, so, want);
	Z3_lbool r = Z3_solver_check(c->z, so);
	if (r != Z3_L_TRUE)
		Z3_solver_pop(c->z, so, 1);
	return r;
}

static bool *seen_of(struct lrule *l, enum which w)
{
	return w == W_APPLIES ? &l->applies : w == W_ERRS ? &l->errs : &l->decides;
}

/* dq[q]: whether v[q] can decide, as the pass of W_APPLIES asked it
 * (a Z3_lbool), or not asked yet */
#define NOT_ASKED 2

/* Settle `w` for every rule of v: one small query per rule not yet seen
 * (its own condition), each model marking every other rule it shows too;
 * false when the solver gave up on one.  so: the triple's solver; snf: the
 * same with "no forbid applies" asserted once, for the questions of
 * deciding (pushed with each question, that formula over every forbid of
 * the triple took longer than the rest of it). */
static bool cover(struct sym_ctx *c, Z3_solver so, Z3_solver snf, struct one *v, size_t n, struct lrule *lr,
		  enum which w, int *dq, struct bank *bk, struct arena *res, double deadline)
{
	bool settled = true;
	for (size_t q = 0; q < n; q++) {
		struct lrule *lq = &lr[v[q].ri];
		bool permit = c->side[1].b->rules[v[q].ri].effect == AUTHZ_PERMIT;
		if (past(deadline))
			return false;
		if (*seen_of(lq, w) || (w == W_DECIDES && !permit))
			continue;
		if (w == W_DECIDES && dq[q] != NOT_ASKED) {
			/* asked already, by the pass of W_APPLIES */
			settled = settled && dq[q] != Z3_L_UNDEF;
			continue;
		}
		/* a permit that decides applies: asked first, one question
		 * settles both when it is so (as it mostly is) */
		bool both = w == W_APPLIES && permit && !lq->decides;
		Z3_solver at = both || w == W_DECIDES ? snf : so;
		Z3_lbool r = ask_in(c, at, w == W_ERRS ? v[q].error : v[q].fire);
		if (both) {
			dq[q] = r;
			if (r != Z3_L_TRUE)     /* then ask whether it applies at all */
				r = ask_in(c, at = so, v[q].fire);
		}
		if (r != Z3_L_TRUE) {
			settled = settled && r == Z3_L_FALSE;
			continue;
		}
		Z3_model m = Z3_solver_get_model(c->z, at);
		Z3_model_inc_ref(c->z, m);
		bank_add(bk, m);
		if (w == W_ERRS) {      /* a witness a reader takes in at a glance, if there is one */
			Z3_solver_push(c->z, so);
			Z3_solver_assert(c->z, so, sym_nice(c));
			if (Z3_solver_check(c->z, so) == Z3_L_TRUE) {
				Z3_model_dec_ref(c->z, m);
				m = Z3_solver_get_model(c->z, so);
				Z3_model_inc_ref(c->z, m);
			}
			Z3_solver_pop(c->z, so, 1);
			Z3_solver_push(c->z, so);
			sym_improve(c, so, &m);
			Z3_solver_pop(c->z, so, 1);
			struct buf json = BUF_ARENA(c->a);
			Z3_ast more = sym_true(c);
			lq->errs = true;
			lq->witness = sym_witness(c, m, &json, NULL, &more) == 0 ? arena_strdup(res, json.p) : NULL;
		} else {
			*seen_of(lq, w) = true;
			/* the model shows what it shows of both: a permit that
			 * applies in it with no forbid applying decides */
			size_t k = bk->nm - 1;
			int free_of_forbids = -1;       /* not evaluated yet */
			if (both && dq[q] == Z3_L_TRUE)
				lq->decides = true;     /* what was asked holds */
			for (size_t i = 0; i < n; i++) {
				struct lrule *l = &lr[v[i].ri];
				bool pi = c->side[1].b->rules[v[i].ri].effect == AUTHZ_PERMIT;
				if (l->applies && (!pi || l->decides))
					continue;       /* nothing to learn of it */
				if (bank_fire(bk, k, i) != Z3_L_TRUE)
					continue;
				l->applies = true;
				if (pi && !l->decides && free_of_forbids < 0)
					free_of_forbids = bank_free_of_forbids(bk, k);
				if (pi && free_of_forbids > 0)
					l->decides = true;
			}
		}
		Z3_model_dec_ref(c->z, m);
		Z3_solver_pop(c->z, at, 1);
	}
	return settled;
}

/* Rule ri of b fails on request `json` when the runtime decides it. */
static bool fails_on(const authz_bundle *b, uint32_t ri, const char *json)
{
	authz_request *rq = NULL;
	authz_decision *d = NULL;
	bool yes = false;
	if (authz_request_new(&rq, b) == 0 && authz_decision_new(&d) == 0 &&
	    authz_decide_json(d, b, rq, json, strlen(json), 0) == 0)
		for (size_t i = 0; i < authz_decision_error_count(d) && !yes; i++) {
			int kind;
			const char *rule = NULL, *msg = NULL;
			authz_decision_error(d, i, &kind, &rule, &msg);
			yes = kind == AUTHZ_ERR_RULE && rule && !strcmp(rule, bundle_str(b, b->rules[ri].id));
		}
	authz_decision_free(d);
	authz_request_free(rq);
	return yes;
}

static void one_triple(const authz_bundle *b, const struct sym_triple *t, const struct sym_opts *o,
		       struct lrule *lr, struct arena *res, double deadline)
{
	struct arena scr = ARENA_INIT;
	struct sym_ctx c;
	if (sym_ctx_open(&c, &scr, NULL, b, t->p, t->a, t->r) < 0 || !c.side[1].ok)
		goto done;
	struct sym_side *sd = &c.side[1];
	struct one *v = arena_calloc(&scr, b->nrules + 1, sizeof *v);
	size_t n = 0;
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		const struct bundle_rule *r = &b->rules[ri];
		if (bit(r->principals, sd->pt) && bit(r->actions, sd->act) && bit(r->resources, sd->rt)) {
			v[n++].ri = ri;
			sym_string_uses(&c, 1, ri);
		}
	}
	sym_ctx_finish(&c);
	Z3_ast forbid = sym_false(&c);
	for (size_t i = 0; i < n; i++) {
		const struct bundle_rule *r = &b->rules[v[i].ri];
		Z3_ast applied, error;
		if (sym_rule_encode(&c, 1, v[i].ri, &applied, &error) < 0) {
			lr[v[i].ri].unknown = true;
			applied = error = sym_false(&c);
		}
		Z3_ast live = r->has_expires ? Z3_mk_lt(c.z, c.now, sym_int(&c, r->expires)) : sym_true(&c);
		v[i].fire = sym_and2(&c, live, r->effect == AUTHZ_FORBID ? sym_or2(&c, applied, error) : applied);
		v[i].error = sym_and2(&c, live, error);
		lr[v[i].ri].in_scope = true;
		if (r->effect == AUTHZ_FORBID)
			forbid = sym_or2(&c, forbid, v[i].fire);
	}
	Z3_solver so = new_solver(&c, o);
	struct bank bk = { .c = &c, .v = v, .n = n };
	int *dq = arena_alloc(&scr, (n + 1) * sizeof *dq);
	for (size_t i = 0; i <= n; i++)
		dq[i] = NOT_ASKED;
	Z3_solver snf = new_solver(&c, o);
	Z3_solver_assert(c.z, snf, sym_not(&c, forbid));
	bool settled[3];
	settled[0] = cover(&c, so, snf, v, n, lr, W_APPLIES, dq, &bk, res, deadline);
	settled[1] = cover(&c, so, snf, v, n, lr, W_DECIDES, dq, &bk, res, deadline);
	settled[2] = cover(&c, so, snf, v, n, lr, W_ERRS, dq, &bk, res, deadline);
	Z3_solver_dec_ref(c.z, snf);
	for (size_t i = 0; i < n; i++) {
		struct lrule *l = &lr[v[i].ri];
		const struct bundle_rule *r = &b->rules[v[i].ri];
		if (!settled[0] || !settled[1] || !settled[2])
			l->unknown = true;
		/* a forbid that does not apply to some request of this triple */
		if (past(deadline))
			l->unknown = true;
		if (r->effect == AUTHZ_FORBID && !l->not_always && !l->unknown && bank_shows(&bk, i, false, -1, false))
			l->not_always = true;
		if (r->effect == AUTHZ_FORBID && !l->not_always && !l->unknown) {
			Z3_solver_push(c.z, so);
			Z3_solver_assert(c.z, so, sym_not(&c, v[i].fire));
			Z3_lbool q = Z3_solver_check(c.z, so);
			Z3_solver_pop(c.z, so, 1);
			if (q == Z3_L_TRUE)
				l->not_always = true;
			else if (q != Z3_L_FALSE)
				l->unknown = true;
		}
		/* the rules of its effect that apply wherever it does */
		if (l->applies && !l->unknown && (!l->seen || l->ncover)) {
			size_t k = 0;
			if (!l->seen) {
				l->cover = arena_calloc(res, n + 1, sizeof *l->cover);
				for (size_t j = 0; j < n; j++)
					if (j != i && b->rules[v[j].ri].effect == r->effect)
						l->cover[l->ncover++] = v[j].ri;
				l->seen = true;
			}
			for (size_t j = 0; j < l->ncover; j++) {
				size_t q = 0;
				while (q < n && v[q].ri != l->cover[j])
					q++;
				if (q == n || past(deadline))
					continue;       /* not in scope here: covers nothing */
				if (bank_shows(&bk, i, true, (long)q, false))
					continue;       /* a request where it applies and the other not */
				Z3_solver_push(c.z, so);
				Z3_solver_assert(c.z, so, sym_and2(&c, v[i].fire, sym_not(&c, v[q].fire)));
				Z3_lbool a = Z3_solver_check(c.z, so);
				if (a == Z3_L_TRUE) {
					Z3_model m = Z3_solver_get_model(c.z, so);
					Z3_model_inc_ref(c.z, m);
					bank_add(&bk, m);
					Z3_model_dec_ref(c.z, m);
				}
				Z3_solver_pop(c.z, so, 1);
				if (a == Z3_L_FALSE)
					l->cover[k++] = l->cover[j];
				else if (a != Z3_L_TRUE)
					l->unknown = true;
			}
			l->ncover = k;
			if (past(deadline))
				l->unknown = true;
		}
		/* the forbids that overrule a permit that applies and never decides */
		if (r->effect == AUTHZ_PERMIT && l->applies && !l->decides && !l->unknown)
			for (size_t k = 0; k < n; k++) {
				const struct bundle_rule *f = &b->rules[v[k].ri];
				if (f->effect != AUTHZ_FORBID)
					continue;
				const char *id = bundle_str(b, f->id);
				bool have = false;
				for (size_t j = 0; j < l->noverrule && !have; j++)
					have = !strcmp(l->overrule[j], id);
				if (have)
					continue;
				if (bank_shows(&bk, i, true, (long)k, true)) {
					l->overrule = arena_grow(res, l->overrule, l->noverrule, l->noverrule + 1,
								 sizeof *l->overrule);
					l->overrule[l->noverrule++] = arena_strdup(res, id);
					continue;
				}
				Z3_solver_push(c.z, so);
				Z3_solver_assert(c.z, so, sym_and2(&c, v[i].fire, v[k].fire));
				if (Z3_solver_check(c.z, so) == Z3_L_TRUE) {
					l->overrule = arena_grow(res, l->overrule, l->noverrule, l->noverrule + 1,
								 sizeof *l->overrule);
					l->overrule[l->noverrule++] = arena_strdup(res, id);
				}
				Z3_solver_pop(c.z, so, 1);
			}
	}
	bank_release(&bk);
	Z3_solver_dec_ref(c.z, so);
done:
	sym_ctx_close(&c);
	arena_free(&scr);
}

static bool index_of(const authz_bundle *b, const char *name, bool action, uint32_t *out)
{
	uint32_t n = action ? b->nactions : b->ntypes;
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(bundle_str(b, action ? b->actions[i].name : b->owners[i].name), name)) {
			*out = i;
			return true;
		}
	return false;
}

/* Every rule in scope of triple t: not analysed (no finding). */
static void unvisited(const authz_bundle *b, const struct sym_triple *t, struct lrule *lr)
{
	uint32_t p, a, r;
	if (!index_of(b, t->p, false, &p) || !index_of(b, t->a, true, &a) || !index_of(b, t->r, false, &r))
		return;
	for (uint32_t ri = 0; ri < b->nrules; ri++)
		if (bit(b->rules[ri].principals, p) && bit(b->rules[ri].actions, a) && bit(b->rules[ri].resources, r))
			lr[ri].unknown = true;
}

/* `name` is among the comma-separated names of r's @suppress. */
static bool allowed(const struct ast_rule *r, const char *name)
{
	for (size_t i = 0; r && i < r->nannotations; i++) {
		const struct ast_annotation *an = &r->annotations[i];
		if (!an->name || strcmp(an->name, "suppress") || !an->value)
			continue;
		size_t n = strlen(name);
		for (const char *p = an->value; p && *p;) {
			while (*p == ',' || *p == ' ')
				p++;
			size_t k = strcspn(p, ", ");
			if (k == n && !strncmp(p, name, n))
				return true;
			p += k;
		}
	}
	return false;
}

static const struct checked_rule *checked_of(const struct compilation *c, const char *id)
{
	for (size_t i = 0; i < c->checked->nrules; i++)
		if (!strcmp(c->checked->rules[i].id, id))
			return &c->checked->rules[i];
	return NULL;
}

size_t sym_lint_check(struct compilation *c, const struct sym_opts *o)
{
	if (!c->checked || c->diags.errors)
		return 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t before = c->diags.n;
	if (codegen_bundle(c, "", &buf, &len) || !buf)
		return c->diags.n - before;
	authz_bundle *b = NULL;
	int rc = authz_bundle_load(&b, buf, len, NULL);
	free(buf);
	if (rc != 0)
		return 0;
	struct arena res = ARENA_INIT;
	struct lrule *lr = arena_calloc(&res, b->nrules + 1, sizeof *lr);
	struct sym_triple *t = NULL;
	size_t nt = 0, cap = 0;
	sym_triples(&res, b, &t, &nt, &cap);
	if (o->memory_mb) {
		char mem[32];
		snprintf(mem, sizeof mem, "%u", o->memory_mb);
		Z3_global_param_set("memory_max_size", mem);
	}
	double deadline = o->lint_ms ? now_s() + o->lint_ms / 1000.0 : 0;
	size_t skipped = 0;
	for (size_t i = 0; i < nt; i++) {
		if (past(deadline)) {
			unvisited(b, &t[i], lr);
			skipped++;
			continue;
		}
		one_triple(b, &t[i], o, lr, &res, deadline);
	}
	if (!skipped && past(deadline))
		skipped = 1;    /* the last triple ran past it */
	if (skipped) {
		struct diag *d = diag_file(&c->diags, I_LINT_STOPPED, c->config.has_file ? c->config.file : UINT32_MAX,
					   "lint stopped after %u ms: %zu of %zu (principal, action, resource) triples "
					   "not analysed, their rules not reported on", o->lint_ms, skipped, nt);
		diag_help(&c->diags, d, "raise --lint-timeout, or --no-lint to skip the lint");
	}
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		struct lrule *l = &lr[ri];
		const char *id = bundle_str(b, b->rules[ri].id);
		const struct checked_rule *cr = checked_of(c, id);
		if (!cr || !l->in_scope || l->unknown)
			continue;
		const struct ast_rule *ar = cr->rule;
		bool permit = b->rules[ri].effect == AUTHZ_PERMIT;
		struct diag *d;
		if (!l->applies) {
			if (allowed(ar, "never-applies"))
				continue;
			d = diag_at(&c->diags, W_NEVER_APPLIES, ar->name_span,
				    "rule '%s' can never apply: no request its scope admits meets all its conditions",
				    id);
			diag_help(&c->diags, d, "its conditions contradict each other or the schema; fix or remove "
				  "the rule, or add @suppress(\"never-applies\")");
			continue;
		}
		if (permit && !l->decides && !allowed(ar, "never-decides")) {
			struct buf names = BUF_ARENA(&res);
			for (size_t k = 0; k < l->noverrule; k++)
				buf_printf(&names, "%s'%s'", k ? ", " : "", l->overrule[k]);
			d = diag_at(&c->diags, W_NEVER_DECIDES, ar->name_span,
				    "permit '%s' never decides: every request it allows is denied by %s %s", id,
				    l->noverrule == 1 ? "forbid" : "forbids", names.p ? names.p : "a forbid");
			diag_help(&c->diags, d, "narrow the forbid, or remove the permit, or add "
				  "@suppress(\"never-decides\")");
		}
		/* a witness the runtime does not fail on would be a bug of the
		 * model: no claim is made from it */
		if (l->errs && !allowed(ar, "can-error") && l->witness && fails_on(b, ri, l->witness)) {
			d = diag_at(&c->diags, W_CAN_ERROR, ar->name_span,
				    "rule '%s' can fail on a request the schema admits (an overflow or an absent "
				    "attribute), and then %s", id,
				    permit ? "does not apply" : "applies (a forbid in error denies)");
			diag_help(&c->diags, d, "for example: %s; guard the arithmetic, or add "
				  "@suppress(\"can-error\")", l->witness);
		}
		/* redundant by a rule of its effect; of two that cover each
		 * other (copies), the later one is reported */
		for (size_t k = 0; k < l->ncover && !allowed(ar, "redundant"); k++) {
			uint32_t q = l->cover[k];
			bool mutual = false;
			for (size_t j = 0; j < lr[q].ncover && !mutual; j++)
				mutual = lr[q].cover[j] == ri;
			if (mutual && q > ri)
				continue;
			const char *qid = bundle_str(b, b->rules[q].id);
			d = diag_at(&c->diags, W_REDUNDANT, ar->name_span,
				    "rule '%s' is redundant: '%s' applies to every request it applies to%s", id, qid,
				    mutual ? " (they are equivalent)" : "");
			const struct checked_rule *qc = checked_of(c, qid);
			if (qc)
				diag_note(&c->diags, d, qc->rule->name_span, "'%s' is here", qid);
			diag_help(&c->diags, d, "remove one, or add @suppress(\"redundant\")");
			break;
		}
		if (!permit && !l->not_always && !allowed(ar, "always-applies"))
			diag_at(&c->diags, I_ALWAYS_APPLIES, ar->name_span,
				"forbid '%s' applies to every request of its scope", id);
	}
	authz_bundle_free(b);
	arena_free(&res);
	return c->diags.n - before;
}
