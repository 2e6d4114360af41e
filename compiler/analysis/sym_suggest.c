/*
 * sym_suggest.c: tests for what a project's tests leave uncovered
 * (sym_suggest.h).
 *
 * Over every (principal type, action, resource type) of the schema whose
 * rules still have an item pending, the rules in scope are encoded once
 * (sym_rule_encode_guards: applied, error, and per guard the condition
 * under which it is the one that holds the rule back), the decision is
 * forbid-overrides as the runtime has it, and each pending item of those
 * rules is one query:
 *     valid(request) and goal(item) [and preferred and nice]
 * A model is written as a request (sym_witness), decided by libauthz and
 * recorded in the suggestions' own coverage; the items it covers are
 * settled by it.  An item with no model in any triple of its scope is
 * explained by a few more queries (why_never); one the solver gave up on
 * is unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sym_int.h"
#include "sym_suggest.h"

/* Times a model's string outside the alphabet is asked for again. */
#define MAX_ROUNDS 64

/* One rule of a triple, encoded. */
struct enc {
	uint32_t ri;            /* index in the bundle */
	long cr;                /* index in cov->rules, or -1 */
	bool forbid;
	Z3_ast live;            /* not expired */
	Z3_ast applied, error;
	Z3_ast *held;           /* per guard of cov->rules[cr] */
	uint32_t nguards;
};

struct run {
	struct compilation *c;
	const authz_bundle *b;
	const struct coverage *cov;
	const struct sym_opts *o;
	struct sym_suggest *out;
	struct coverage mine;           /* the suggestions' coverage */
	authz_request *req;
	authz_decision *d;
	long *cov_of;                   /* per bundle rule: index in cov->rules, or -1 */
	const char **never, **unknown;  /* per item: why, from a triple */
	bool *done;                     /* per item: settled */
	bool *unreached;                /* per item: the budget ran out first */
	size_t item;                    /* the item being asked for */
	double deadline;                /* now_s() at which the budget ends; 0: none */
};

/* Monotonic seconds. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole budget (o->suggest_ms) is spent. */
static bool spent(const struct run *r)
{
	return r->deadline > 0 && now_s() > r->deadline;
}

/* One triple's model: the context, its encoded rules and the decision. */
struct tri {
	struct sym_ctx c;
	Z3_solver so;
	struct enc *v;
	size_t n;
	Z3_ast allow;
	Z3_ast nice;            /* sym_nice, once the rules are encoded */
	const struct sym_triple *t;
};

/* ---- items ---------------------------------------------------------------------- */

/* "rule a.read", "the deny path of rule a.read", "guard 2 of rule a.read". */
static const char *label_of(struct arena *a, const struct coverage *cov, enum cov_measure m, size_t rule,
			    size_t guard)
{
	const char *id = cov->rules[rule].rule->id;
	if (m == COV_FIRED)
		return arena_printf(a, "rule %s", id);
	if (m == COV_DENY)
		return arena_printf(a, "the deny path of rule %s", id);
	return arena_printf(a, "guard %zu of rule %s", guard + 1, id);
}

/* Append the item (m, rule, guard) to s (grown in a). */
static void add_item(struct arena *a, const struct coverage *cov, struct sym_suggest *s, size_t *cap,
		     enum cov_measure m, size_t rule, size_t guard)
{
	if (s->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		s->items = arena_grow(a, s->items, s->n, nc, sizeof *s->items);
		*cap = nc;
	}
	s->items[s->n++] = (struct sym_suggestion){ .measure = m, .rule = rule, .guard = guard,
						    .label = label_of(a, cov, m, rule, guard) };
}

/* Every item cov leaves uncovered, by rule, then fired, deny, guards. */
static void collect(struct arena *a, const struct coverage *cov, struct sym_suggest *s)
{
	size_t cap = 0;
	for (size_t i = 0; i < cov->nrules; i++) {
		const struct cov_rule *cr = &cov->rules[i];
		if (!cr->fired.n)
			add_item(a, cov, s, &cap, COV_FIRED, i, 0);
		if (!cr->deny.n)
			add_item(a, cov, s, &cap, COV_DENY, i, 0);
		for (size_t g = 0; g < cr->rule->nguards; g++)
			if (!cr->guards[g].tests.n)
				add_item(a, cov, s, &cap, COV_GUARDS, i, g);
	}
}

/* Does coverage k show item s covered? */
static bool covered(const struct coverage *k, const struct sym_suggestion *s)
{
	const struct cov_rule *cr = &k->rules[s->rule];
	switch (s->measure) {
	case COV_FIRED:
		return cr->fired.n > 0;
	case COV_DENY:
		return cr->deny.n > 0;
	default:
		return cr->guards[s->guard].tests.n > 0;
	}
}

/* The test name of item s: what it covers. */
static const char *item_name(struct run *r, const struct sym_suggestion *s)
{
	struct arena *a = &r->c->arena;
	const struct cov_rule *cr = &r->cov->rules[s->rule];
	if (s->measure != COV_GUARDS)
		return arena_printf(a, "covers %s", s->label);
	struct buf text = BUF_ARENA(a);
	coverage_guard_text(r->cov, &cr->guards[s->guard], &text);
	return arena_printf(a, "%s fails: %s%s", s->label, cr->guards[s->guard].guard->is_unless ? "unless " : "",
			    buf_cstr(&text));
}

/* Note why item i has no request in this triple (the first reason kept). */
static void note(struct run *r, const char ***which, size_t i, const char *why)
{
	if (!(*which)[i])
		(*which)[i] = arena_strdup(&r->c->arena, why);
}

/* ---- the runtime's word --------------------------------------------------------- */

/* The expectation of the decision in r->d: the decision and its rules. */
static struct sym_expect expect_of(struct run *r)
{
	struct arena *a = &r->c->arena;
	struct sym_expect e = { .allow = authz_decision_allowed(r->d) == 1, .by = true };
	size_t n = authz_decision_rule_count(r->d);
	const char **v = arena_calloc(a, n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = arena_strdup(a, authz_decision_rule(r->d, i));
	e.rules = v;
	e.nrules = n;
	return e;
}

/*
 * Decide request `json` (its inline form `src`), record it, and settle
 * every pending item it covers: the first (r->item when among them) gets
 * the test, the others point at it.  Returns whether r->item is settled.
 */
static bool settle(struct run *r, const char *json, const char *src)
{
	struct sym_suggest *s = r->out;
	struct arena *a = &r->c->arena;
	if (authz_decide_json(r->d, r->b, r->req, json, strlen(json), AUTHZ_DECIDE_TRACE) < 0)
		return false;
	coverage_record_json(&r->mine, r->item, r->d, json);
	long first = covered(&r->mine, &s->items[r->item]) && !r->done[r->item] ? (long)r->item : -1;
	for (size_t i = 0; i < s->n; i++) {
		if (r->done[i] || !covered(&r->mine, &s->items[i]))
			continue;
		if (first < 0)
			first = (long)i;
		r->done[i] = true;
		s->items[i].state = (long)i == first ? SUG_WRITTEN : SUG_ALSO;
		s->items[i].by = (size_t)first;
	}
	if (first >= 0) {
		struct sym_suggestion *w = &s->items[first];
		struct sym_expect e = expect_of(r);
		w->name = item_name(r, w);
		w->witness = arena_strdup(a, json);
		w->test_src = sym_test_block(a, w->name, strlen(w->name), src, &e);
	}
	return r->done[r->item];
}

/* ---- queries -------------------------------------------------------------------- */

/* Is `x` satisfiable with what the solver holds?  Z3_L_UNDEF: gave up. */
static Z3_lbool sat(struct tri *t, Z3_ast x)
{
	Z3_solver_push(t->c.z, t->so);
	Z3_solver_assert(t->c.z, t->so, x);
	Z3_lbool q = Z3_solver_check(t->c.z, t->so);
	Z3_solver_pop(t->c.z, t->so, 1);
	return q;
}

/* A model of `goal`, preferably also of `prefer` and the nice witnesses,
 * made readable: Z3_L_TRUE with *m (one reference held), else what the
 * solver said about `goal`. */
static Z3_lbool model_of(struct tri *t, Z3_ast goal, Z3_ast prefer, Z3_model *m)
{
	struct sym_ctx *c = &t->c;
	Z3_solver_push(c->z, t->so);
	Z3_solver_assert(c->z, t->so, goal);
	Z3_solver_push(c->z, t->so);
	Z3_solver_assert(c->z, t->so, sym_and2(c, prefer, t->nice));
	Z3_lbool q = Z3_solver_check(c->z, t->so);
	if (q != Z3_L_TRUE) {
		Z3_solver_pop(c->z, t->so, 1);
		Z3_solver_push(c->z, t->so);
		q = Z3_solver_check(c->z, t->so);
	}
	if (q == Z3_L_TRUE) {
		*m = Z3_solver_get_model(c->z, t->so);
		Z3_model_inc_ref(c->z, *m);
		if (t->n <= SYM_IMPROVE_MAX_RULES)
			sym_improve(c, t->so, m);
	}
	Z3_solver_pop(c->z, t->so, 2);
	return q;
}

/* The encoded rule of cov rule `cr` in t, or NULL. */
static const struct enc *enc_of(const struct tri *t, size_t cr)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].cr == (long)cr)
			return &t->v[i];
	return NULL;
}

/* Rule e counts as applying, as the decision has it: not expired, and
 * applied (a forbid: or in error, it fails closed). */
static Z3_ast fires(struct sym_ctx *c, const struct enc *e)
{
	Z3_ast f = e->forbid ? sym_or2(c, e->applied, e->error) : e->applied;
	return sym_and2(c, e->live, f);
}

/* Rule e with the guards marked in skip passed over (still evaluated):
 * *applied, and *held (e->nguards, in c's scratch arena): which guard
 * holds it back.  0, or -1 with c->unsup. */
static int without(struct sym_ctx *c, const struct enc *e, const bool *skip, Z3_ast *applied, Z3_ast **held)
{
	Z3_ast error;
	*held = arena_calloc(c->a, e->nguards + 1, sizeof **held);
	return sym_rule_encode_guards(c, 1, e->ri, skip, applied, &error, *held, e->nguards);
}

/* The one guard before guard g that implies it on its own (with the
 * others before g passed over, guard g never fails), or -1. */
static long implied_by(struct tri *t, const struct enc *e, size_t g)
{
	struct sym_ctx *c = &t->c;
	bool *skip = arena_calloc(c->a, e->nguards, sizeof *skip);
	for (size_t j = 0; j < g; j++) {
		Z3_ast applied, *held;
		for (size_t k = 0; k < g; k++)
			skip[k] = k != j;
		if (without(c, e, skip, &applied, &held) < 0)
			return -1;
		if (sat(t, sym_and2(c, e->live, held[g])) == Z3_L_FALSE)
			return (long)j;
	}
	return -1;
}

/* What a request must do to cover item s (*goal) and what a readable one
 * does besides (*prefer).  -1 when it needs another encoding that fails
 * (c->unsup says why). */
static int goal_of(struct tri *t, const struct enc *e, const struct sym_suggestion *s, Z3_ast *goal,
		   Z3_ast *prefer)
{
	struct sym_ctx *c = &t->c;
	Z3_ast deny = sym_not(c, t->allow);
	*prefer = sym_not(c, e->error);
	if (s->measure == COV_FIRED || (s->measure == COV_DENY && e->forbid)) {
		*goal = fires(c, e);
		if (!e->forbid)
			*prefer = sym_and2(c, *prefer, t->allow);
		return 0;
	}
	if (s->measure == COV_DENY) {
		*goal = sym_and2(c, sym_not(c, fires(c, e)), deny);
		*prefer = sym_and2(c, *prefer, e->live);
		return 0;
	}
	Z3_ast held = sym_and2(c, e->live, e->held[s->guard]);
	if (!e->forbid) {
		*goal = sym_and2(c, held, deny);
		return 0;
	}
	bool *skip = arena_calloc(c->a, e->nguards, sizeof *skip);
	Z3_ast applied, *held2;
	skip[s->guard] = true;
	if (without(c, e, skip, &applied, &held2) < 0)
		return -1;
	*goal = sym_and2(c, held, applied);
	return 0;
}

/* "guards 1 to 3", "guard 1", "guards 1 and 2": the guards before g. */
static const char *before(struct arena *a, size_t g)
{
	if (g == 1)
		return "guard 1";
	return arena_printf(a, "guards 1 %s %zu", g == 2 ? "and" : "to", g);
}

/* Why no request of t covers item s, whose goal is unsatisfiable there. */
static const char *why_never(struct run *r, struct tri *t, const struct enc *e, const struct sym_suggestion *s)
{
	struct arena *a = &r->c->arena;
	struct sym_ctx *c = &t->c;
	size_t k = s->guard + 1;
	if (s->measure == COV_FIRED || (s->measure == COV_DENY && e->forbid))
		return "the rule can never apply: its conditions contradict each other or the schema";
	if (s->measure == COV_DENY)
		return sat(t, sym_not(c, fires(c, e))) == Z3_L_FALSE
			? "the rule applies to every request of its scope"
			: "whenever the rule does not apply, another permit allows the request";
	if (sat(t, sym_and2(c, e->live, e->held[s->guard])) == Z3_L_FALSE) {
		if (s->guard == 0)
			return "the guard can never fail: every request of the rule's scope passes it";
		long j = implied_by(t, e, s->guard);
		return arena_printf(a, "the guard can never fail on its own: guard %zu is implied by %s", k,
				    j >= 0 ? arena_printf(a, "guard %ld", j + 1) : before(a, s->guard));
	}
	if (!e->forbid)
		return arena_printf(a, "whenever guard %zu holds the rule back, another permit allows the request", k);
	if (s->guard + 2 == e->nguards)
		return arena_printf(a, "the guard can never fail on its own: whenever guard %zu fails, guard %zu "
				    "fails too or cannot be evaluated", k, k + 1);
	return arena_printf(a, "the guard can never fail on its own: whenever guard %zu fails, a later guard "
			    "fails too or cannot be evaluated", k);
}

/* A request from model m, settled through the runtime (item i settled
 * when it covers it, else a note why not).  Returns true when a string of
 * m lies outside the alphabet: the solver now holds it there, ask again. */
static bool try_model(struct run *r, struct tri *t, Z3_model m, size_t i)
{
	struct sym_ctx *c = &t->c;
	struct buf json = BUF_ARENA(c->a), src = BUF_ARENA(c->a);
	Z3_ast more = sym_true(c);
	int wr = sym_witness(c, m, &json, &src, &more);
	if (wr == 1) {
		Z3_solver_assert(c->z, t->so, more);
		return true;
	}
	if (wr < 0) {
		note(r, &r->unknown, i, arena_printf(c->a, "a request exists but cannot be written (%s)",
						     c->unsup ? c->unsup : "strings outside the alphabet"));
		return false;
	}
	r->item = i;
	if (!settle(r, json.p, src.p ? src.p : ""))
		note(r, &r->unknown, i, arena_printf(c->a, "internal error: the runtime does not confirm the "
						     "model's request (a bug in authzc's symbolic model; please "
						     "report it): %s", json.p));
	return false;
}

/* Ask for item i in triple t. */
static void ask(struct run *r, struct tri *t, size_t i)
{
	struct sym_ctx *c = &t->c;
	const struct sym_suggestion *s = &r->out->items[i];
	const struct enc *e = enc_of(t, s->rule);
	Z3_ast goal, prefer;
	if (!e)
		return;
	if (goal_of(t, e, s, &goal, &prefer) < 0) {
		note(r, &r->unknown, i, arena_printf(c->a, "%s %s %s: the model does not cover the rule: %s",
						     t->t->p, t->t->a, t->t->r, c->unsup));
		return;
	}
	for (unsigned round = 0; round < MAX_ROUNDS; round++) {
		Z3_model m = NULL;
		Z3_lbool q = model_of(t, goal, prefer, &m);
		if (q == Z3_L_FALSE) {
			note(r, &r->never, i, why_never(r, t, e, s));
			return;
		}
		if (q == Z3_L_UNDEF) {
			note(r, &r->unknown, i, arena_printf(c->a, "%s %s %s: the solver gave up (%s); raise "
							     "--solver-timeout", t->t->p, t->t->a, t->t->r,
							     Z3_solver_get_reason_unknown(c->z, t->so)));
			return;
		}
		bool again = try_model(r, t, m, i);
		Z3_model_dec_ref(c->z, m);
		if (!again)
			return;
	}
	note(r, &r->unknown, i, "a request exists but its strings cannot be written");
}

/* ---- triples -------------------------------------------------------------------- */

/* Does rule ri (bundle index) have an item pending? */
static bool pending(const struct run *r, uint32_t ri)
{
	long cr = r->cov_of[ri];
	for (size_t i = 0; cr >= 0 && i < r->out->n; i++)
		if (!r->done[i] && r->out->items[i].rule == (size_t)cr)
			return true;
	return false;
}

/* Encode every rule of t in scope and the decision: 0, or -1 with
 * c->unsup. */
static int encode(struct run *r, struct tri *t)
{
	struct sym_ctx *c = &t->c;
	Z3_ast permit = sym_false(c), forbid = sym_false(c);
	for (size_t i = 0; i < t->n; i++) {
		struct enc *e = &t->v[i];
		const struct bundle_rule *br = &r->b->rules[e->ri];
		e->cr = r->cov_of[e->ri];
		e->forbid = br->effect == AUTHZ_FORBID;
		e->nguards = e->cr >= 0 ? (uint32_t)r->cov->rules[e->cr].rule->nguards : 0;
		e->held = arena_calloc(c->a, e->nguards + 1, sizeof *e->held);
		if (sym_rule_encode_guards(c, 1, e->ri, NULL, &e->applied, &e->error, e->held, e->nguards) < 0)
			return -1;
		e->live = br->has_expires ? Z3_mk_lt(c->z, c->now, sym_int(c, br->expires)) : sym_true(c);
		if (e->forbid)
			forbid = sym_or2(c, forbid, fires(c, e));
		else
			permit = sym_or2(c, permit, fires(c, e));
	}
	t->allow = sym_and2(c, sym_not(c, forbid), permit);
	return 0;
}

/* Every pending item of a rule in scope of triple tr, marked unknown. */
static void all_unknown(struct run *r, const struct tri *t, const char *why)
{
	for (size_t k = 0; k < t->n; k++)
		for (size_t i = 0; i < r->out->n; i++)
			if (!r->done[i] && (long)r->out->items[i].rule == t->v[k].cr)
				note(r, &r->unknown, i, why);
}

/* Ask for every pending item of a rule in scope of triple tr (nothing is
 * encoded when no rule of it has one). */
static void one_triple(struct run *r, const struct sym_triple *tr)
{
	struct arena scr = ARENA_INIT;
	struct tri t = { .t = tr };
	struct sym_ctx *c = &t.c;
	bool want = false;
	if (sym_ctx_open(c, &scr, NULL, r->b, tr->p, tr->a, tr->r) < 0) {
		/* which rules are in scope is not known: none is settled as
		 * impossible while this triple is left unexamined */
		const char *why = arena_printf(&scr, "%s %s %s: %s", tr->p, tr->a, tr->r, c->unsup);
		for (size_t i = 0; i < r->out->n; i++)
			if (!r->done[i])
				note(r, &r->unknown, i, why);
		goto done;
	}
	if (!c->side[1].ok)
		goto done;
	t.v = arena_calloc(&scr, r->b->nrules + 1, sizeof *t.v);
	for (uint32_t ri = 0; ri < r->b->nrules; ri++)
		if (sym_in_scope(&c->side[1], ri)) {
			t.v[t.n].cr = r->cov_of[ri];
			t.v[t.n++].ri = ri;
			sym_string_uses(c, 1, ri);
			want = want || pending(r, ri);
		}
	if (!want)
		goto done;
	sym_ctx_finish(c);
	if (encode(r, &t) < 0) {
		all_unknown(r, &t, arena_printf(&scr, "%s %s %s: the model does not cover a rule: %s", tr->p, tr->a,
						tr->r, c->unsup));
		goto done;
	}
	t.nice = sym_nice(c);
	t.so = sym_solver(c, r->o->timeout_ms);
	Z3_solver_assert(c->z, t.so, c->base);
	Z3_solver_assert(c->z, t.so, c->side[1].valid);
	for (size_t i = 0; i < r->out->n && !spent(r); i++)
		if (!r->done[i])
			ask(r, &t, i);
	Z3_solver_dec_ref(c->z, t.so);
done:
	sym_ctx_close(c);
	arena_free(&scr);
}

/* ---- the whole run -------------------------------------------------------------- */

/* The index in cov->rules of each rule of b. */
static long *cov_index(struct arena *a, const authz_bundle *b, const struct coverage *cov)
{
	long *v = arena_calloc(a, b->nrules + 1, sizeof *v);
	for (uint32_t ri = 0; ri < b->nrules; ri++) {
		v[ri] = -1;
		for (size_t k = 0; k < cov->nrules; k++)
			if (!strcmp(bundle_str(b, b->rules[ri].id), cov->rules[k].rule->id))
				v[ri] = (long)k;
	}
	return v;
}

/* The verdict of each item left unsettled. */
static void conclude(struct run *r)
{
	struct sym_suggest *s = r->out;
	for (size_t i = 0; i < s->n; i++) {
		struct sym_suggestion *it = &s->items[i];
		if (r->done[i])
			;
		else if (r->unknown[i])
			*it = (struct sym_suggestion){ .measure = it->measure, .rule = it->rule, .guard = it->guard,
						       .label = it->label, .state = SUG_UNKNOWN,
						       .reason = r->unknown[i], .unreached = r->unreached[i] };
		else
			*it = (struct sym_suggestion){ .measure = it->measure, .rule = it->rule, .guard = it->guard,
						       .label = it->label, .state = SUG_NEVER,
						       .reason = r->never[i] ? r->never[i]
						       : "no request the schema admits matches the rule's scope" };
		s->nwritten += it->state == SUG_WRITTEN;
		s->nalso += it->state == SUG_ALSO;
		s->nnever += it->state == SUG_NEVER;
		s->nunknown += it->state == SUG_UNKNOWN;
		s->nunreached += it->unreached;
	}
}

int sym_suggest_run(struct compilation *c, const authz_bundle *b, const struct coverage *cov,
		    const struct sym_opts *o, struct sym_suggest *out, char *err, size_t size)
{
	struct arena *a = &c->arena;
	memset(out, 0, sizeof *out);
	collect(a, cov, out);
	if (!out->n)
		return 0;
	struct run r = { .c = c, .b = b, .cov = cov, .o = o, .out = out };
	coverage_init(&r.mine, c);
	if (r.mine.probe_failed || authz_request_new(&r.req, b) < 0 || authz_decision_new(&r.d) < 0) {
		snprintf(err, size, "cannot measure the suggestions: %s",
			 r.mine.probe_failed ? r.mine.probe_msg : "out of memory");
		authz_decision_free(r.d);
		authz_request_free(r.req);
		coverage_finish(&r.mine);
		return -1;
	}
	r.cov_of = cov_index(a, b, cov);
	r.never = arena_calloc(a, out->n, sizeof *r.never);
	r.unknown = arena_calloc(a, out->n, sizeof *r.unknown);
	r.done = arena_calloc(a, out->n, sizeof *r.done);
	r.unreached = arena_calloc(a, out->n, sizeof *r.unreached);
	struct arena scr = ARENA_INIT;
	struct sym_triple *t = NULL;
	size_t n = 0, cap = 0;
	sym_triples(&scr, b, &t, &n, &cap);
	r.deadline = o->suggest_ms ? now_s() + o->suggest_ms / 1000.0 : 0;
	for (size_t i = 0; i < n && !spent(&r); i++)
		one_triple(&r, &t[i]);
	if (spent(&r)) {
		/* what was not reached is not settled: no item is impossible
		 * while a triple is left unexamined */
		const char *why = arena_printf(a, "the suggestions' budget of %u ms ran out before it was "
					       "settled; raise --suggest-timeout", o->suggest_ms);
		for (size_t i = 0; i < out->n; i++)
			if (!r.done[i]) {
				r.unknown[i] = why;
				r.unreached[i] = true;
			}
	}
	arena_free(&scr);
	conclude(&r);
	authz_decision_free(r.d);
	authz_request_free(r.req);
	coverage_finish(&r.mine);
	return 0;
}

const char *sym_suggest_file(struct compilation *c, const struct sym_suggest *s)
{
	struct buf b = BUF_ARENA(&c->arena);
	buf_puts(&b, "// Written by `authzc test --coverage --suggest`: each test covers what the\n"
		     "// project's tests left uncovered, as its name says.\n");
	for (size_t i = 0; i < s->n; i++) {
		if (s->items[i].state != SUG_WRITTEN)
			continue;
		buf_putc(&b, '\n');
		const char *sep = "// It also covers ";
		for (size_t k = 0; k < s->n; k++)
			if (s->items[k].state == SUG_ALSO && s->items[k].by == i) {
				buf_printf(&b, "%s%s", sep, s->items[k].label);
				sep = ",\n//   ";
			}
		if (strcmp(sep, "// It also covers "))
			buf_puts(&b, ".\n");
		buf_puts(&b, s->items[i].test_src);
	}
	return buf_cstr(&b);
}
