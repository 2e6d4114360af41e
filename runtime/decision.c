/*
 * decision.c: deciding a request (authzc-policy(5), EVALUATION) and the decision's
 * JSON form.  A decision object keeps its arrays between calls, so a warm
 * decision allocates nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "index.h"
#include "owned.h"
#include "request.h"
#include "value_text.h"
#include "vm.h"

struct derr { int kind; int32_t rule; uint32_t msg; };
struct cand_list;
/* A trace entry; its operands are ops[op_first, op_first + op_n). */
struct dtrace { uint32_t rule; uint8_t outcome, op_n; int32_t guard; uint32_t op_first; };
/* An operand: its name and value in otext (value NO_VALUE: absent). */
struct dop { uint32_t name, value; };
#define NO_VALUE UINT32_MAX

/*
 * The arrays a decision owns (owned.h), each listed once: the struct
 * declares them from this list and authz_decision_free frees exactly them.
 * They grow as needed and are kept between decisions.
 */
#define DECISION_ARRAYS(X, s) \
	X(s, uint32_t, rules)           /* applying rules; permits inside */ \
	X(s, struct derr, errs) \
	X(s, char, msgs)                /* the errors' messages */ \
	X(s, struct dtrace, trace) \
	X(s, struct dop, ops)           /* the trace's operands */ \
	X(s, char, otext)               /* their names and values */ \
	X(s, char, json) \
	X(s, uint32_t, cand)            /* merged candidate rules */ \
	X(s, struct cand_list, lists)   /* candidate lists being merged */

struct authz_decision {
	const authz_bundle *b;
	DECISION_ARRAYS(RT_OWNED_MEMBER, )
	bool allow, traced;
	bool values;                    /* AUTHZ_DECIDE_EXPLAIN: the trace has operands */
	int64_t time;
	uint32_t *permits;              /* inside `rules` */
	size_t nrules, npermits, caprules;
	size_t nerrs, caperrs;
	size_t nmsgs, capmsgs;
	size_t ntrace, captrace;
	size_t nops, capops;
	size_t notext, capotext;
	size_t njson, capjson;
	size_t capcand;
	size_t caplists;
	bool has_tbuf;                      /* tbuf holds tbuf_ms formatted */
	int64_t tbuf_ms;
	char tbuf[32];
	size_t ntbuf;
};

int authz_decision_new(authz_decision **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : AUTHZ_ENOMEM;
}

/* Frees every array of DECISION_ARRAYS and d; NULL is fine. */
void authz_decision_free(authz_decision *d)
{
	if (!d)
		return;
	DECISION_ARRAYS(RT_OWNED_FREE, d)
	free(d);
}

static int add_error(authz_decision *d, int kind, int32_t rule, const char *msg)
{
	size_t n = strlen(msg);
	if (rt_grow((void **)&d->errs, &d->caperrs, d->nerrs + 1, sizeof *d->errs) < 0 ||
	    rt_grow((void **)&d->msgs, &d->capmsgs, d->nmsgs + n + 1, 1) < 0)
		return AUTHZ_ENOMEM;
	memcpy(d->msgs + d->nmsgs, msg, n + 1);
	d->errs[d->nerrs++] = (struct derr){ kind, rule, (uint32_t)d->nmsgs };
	d->nmsgs += n + 1;
	return 0;
}

/* Append s[0..n) and a NUL to d->otext; its offset, or NO_VALUE when out
 * of memory. */
static uint32_t add_text(authz_decision *d, const char *s, size_t n)
{
	if (rt_grow((void **)&d->otext, &d->capotext, d->notext + n + 1, 1) < 0)
		return NO_VALUE;
	uint32_t at = (uint32_t)d->notext;
	memcpy(d->otext + at, s, n);
	d->otext[at + n] = '\0';
	d->notext += n + 1;
	return at;
}

/* Operand o as name and value text in d (vm.h, struct vm_rec). */
static int add_operand(authz_decision *d, const authz_bundle *b, const struct vm_operand *o)
{
	static const char *const who[] = { "principal", "resource" };
	char name[256], value[AUTHZ_TRACE_MAX_VALUE + 1];
	switch (o->src) {
	case VM_SRC_ATTR: rt_request_slot_path(b, o->root, o->slot, name, sizeof name); break;
	case VM_SRC_ID: snprintf(name, sizeof name, "%s.id", who[o->root & 1]); break;
	case VM_SRC_ENTITY: snprintf(name, sizeof name, "%s", who[o->root & 1]); break;
	case VM_SRC_ACTION: snprintf(name, sizeof name, "action"); break;
	default: snprintf(name, sizeof name, "now"); break;
	}
	struct dop op = { add_text(d, name, strlen(name)), NO_VALUE };
	if (op.name == NO_VALUE)
		return AUTHZ_ENOMEM;
	if (o->present && (op.value = add_text(d, value, rt_value_text(b, &o->v, value))) == NO_VALUE)
		return AUTHZ_ENOMEM;
	if (rt_grow((void **)&d->ops, &d->capops, d->nops + 1, sizeof *d->ops) < 0)
		return AUTHZ_ENOMEM;
	d->ops[d->nops++] = op;
	return 0;
}

/* The guard of rule ri whose code holds instruction `pc`: the first WHEN or
 * UNLESS at or after it (a guard's code ends in one, and guards follow one
 * another); -1 when there is none. */
static int32_t guard_at(const authz_bundle *b, uint32_t ri, uint32_t pc)
{
	const struct bundle_rule *r = &b->rules[ri];
	for (; pc < r->code_len; pc++) {
		uint32_t ins = b->code[r->code_off + pc], op = AUTHZ_GET_OP(ins);
		if (op == AUTHZ_OP_WHEN || op == AUTHZ_OP_UNLESS)
			return (int32_t)AUTHZ_GET_AX(ins);
	}
	return -1;
}

/* Trace rule ri's outcome; `guard`: not-applied, the guard that held it
 * back (-1: expired), else -1. */
static inline int add_trace(authz_decision *d, uint32_t ri, int outcome, int32_t guard)
{
	if (rt_grow((void **)&d->trace, &d->captrace, d->ntrace + 1, sizeof *d->trace) < 0)
		return AUTHZ_ENOMEM;
	d->trace[d->ntrace++] = (struct dtrace){ ri, (uint8_t)outcome, 0, guard, 0 };
	return 0;
}

/* add_trace with what `rec` holds (AUTHZ_DECIDE_EXPLAIN): a failed rule's
 * guard, and the operands of the guard that held the rule back or
 * failed. */
static int add_trace_values(authz_decision *d, const authz_bundle *b, uint32_t ri, int outcome, int32_t guard,
			    const struct vm_rec *rec)
{
	if (add_trace(d, ri, outcome, guard) < 0)
		return AUTHZ_ENOMEM;
	struct dtrace *t = &d->trace[d->ntrace - 1];
	if (outcome == AUTHZ_APPLIED || (outcome == AUTHZ_NOT_APPLIED && guard < 0))
		return 0;       /* applied, or expired: no guard */
	if (outcome == AUTHZ_RULE_ERROR)
		t->guard = guard_at(b, ri, rec->pc);
	t->op_first = (uint32_t)d->nops;
	for (uint32_t k = 0; k < rec->n; k++)
		if (add_operand(d, b, &rec->op[k]) < 0)
			return AUTHZ_ENOMEM;
	t->op_n = (uint8_t)rec->n;
	return 0;
}

static int64_t clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool has_bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

/* The rules of literal s[0..len) in key `kid`: into *list, *n (0: none).
 * A literal that fits its entry's inline bytes is compared there, without
 * touching the bundle's copy. */
static void lookup(const struct rt_index *ix, uint32_t kid, const char *s, uint32_t len, const uint32_t **list,
		   uint32_t *n)
{
	const struct rt_ix_key *k = &ix->keys[kid];
	uint32_t h = (uint32_t)rt_index_hash(s, len, ix->seed, kid) & k->hmask;
	for (const struct rt_ix_ent *e; (e = &ix->hash[k->hfirst + h])->s; h = (h + 1) & k->hmask)
		if (e->len == len && rt_bytes_eq(e->inl, s, len < RT_IX_INLINE ? len : RT_IX_INLINE) &&
		    (len <= RT_IX_INLINE || rt_bytes_eq(e->s, s, len))) {
			*list = rt_ix_list(ix->rules, e);
			*n = e->n;
			return;
		}
	*n = 0;
}

/* The largest request set looked up element by element; a larger one gets
 * every rule of the key. */
#define SET_LOOKUPS 16

/* A list of candidate rules; `proven`: found under the request's literal,
 * so each rule's key guard holds (rt_img key_end). */
struct cand_list { const uint32_t *p, *end; bool proven; };

/* The request's value at (root, slot), or the entity id when is_id (built
 * in *id): NULL when absent. */
static const struct vm_value *key_value(unsigned root, bool is_id, uint32_t slot, const struct vm_env *env,
					struct vm_value *id)
{
	if (is_id) {
		*id = (struct vm_value){ .kind = AUTHZ_K_STRING, .len = env->id_len[root] };
		id->u.s.p = env->id[root];
		return id;
	}
	size_t at = (size_t)root * env->nslots + slot;
	return env->present[at] ? &env->vals[at] : NULL;
}

/* How many of ABOVE or BELOW key k's rules value v passes (a prefix of
 * them: index.h). */
static uint32_t passed(const struct rt_index *ix, const struct rt_ix_key *k, int64_t v)
{
	const struct rt_ix_bound *bd = ix->bounds + k->bound;
	uint32_t lo = 0, hi = k->nall;
	bool above = k->id.mode == RT_IX_ABOVE;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		bool pass = above ? bd[mid].k < v : bd[mid].k > v;
		if (pass || (bd[mid].k == v && !bd[mid].strict))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The rules of comparison key k (ABOVE, BELOW, PAIR) that the request,
 * whose value there is x (its first value for a pair), can satisfy, as a
 * list into *out: false when the request has no values of the key's kinds
 * (every rule of the key then runs).
 */
static bool compare_rules(const struct rt_index *ix, const struct rt_ix_key *k, const struct vm_value *x,
			  const struct vm_env *env, struct cand_list *out)
{
	struct vm_value t2;
	const uint32_t *r = ix->rules + k->all;
	if (!x || x->kind == AUTHZ_K_RECORD)
		return false;
	if (k->id.mode != RT_IX_PAIR) {
		if (x->kind != k->id.kind)
			return false;
		*out = (struct cand_list){ r, r + passed(ix, k, x->u.i), true };
		return true;
	}
	const struct vm_value *y = key_value(k->id.root2, k->id.is_id2, k->id.slot2, env, &t2);
	if (!y || y->kind == AUTHZ_K_RECORD)
		return false;
	*out = rt_equal(x, y) ? (struct cand_list){ r, r + k->neq, true }
			      : (struct cand_list){ r + k->neq, r + k->nall, true };
	return true;
}

/*
 * Add the lists of the rules of key `kid` the request can satisfy to
 * l[*nl..]: its literal's (its set elements'), those a bound or pair key
 * selects (compare_rules), or all of the key's rules when the request has
 * no value of the key's kind there.  l has room for SET_LOOKUPS more.
 */
static void key_rules(const struct rt_index *ix, uint32_t kid, const struct vm_env *env, struct cand_list *l,
		      uint32_t *nl)
{
	const struct rt_ix_key *k = &ix->keys[kid];
	struct vm_value idv;
	const struct vm_value *v = key_value(k->id.root, k->id.is_id, k->id.slot, env, &idv);
	const struct vm_value *lit = v;         /* the literals looked up: lit[0, nlit) */
	uint32_t nlit = 0;
	bool keyed = false;                     /* the request has a value of the key's kind */
	if (k->id.mode >= RT_IX_ABOVE) {
		keyed = compare_rules(ix, k, v, env, &l[*nl]);
		if (keyed && l[*nl].p != l[*nl].end)
			(*nl)++;
	} else if (v && (k->id.mode == RT_IX_STR || k->id.is_id) && v->kind == AUTHZ_K_STRING) {
		nlit = 1, keyed = true;
	} else if (v && k->id.mode == RT_IX_BOOL && v->kind == AUTHZ_K_BOOL) {
		nlit = 1, keyed = true;
	} else if (v && k->id.mode == RT_IX_SET && v->kind == AUTHZ_K_SET && v->len <= SET_LOOKUPS) {
		lit = v->u.set.p, nlit = v->len, keyed = true;
	}
	if (!keyed) {
		/* no value of the key's kind: every rule of the key */
		if (k->nall)
			l[(*nl)++] = (struct cand_list){ ix->rules + k->all, ix->rules + k->all + k->nall, false };
		return;
	}
	for (uint32_t i = 0; i < nlit; i++) {
		const char *s;
		uint32_t len;
		if (lit[i].kind == AUTHZ_K_BOOL) {
			s = lit[i].u.i ? "1" : "0";
			len = 1;
		} else if (lit[i].kind == AUTHZ_K_STRING) {
			s = lit[i].u.s.p;
			len = lit[i].len;
		} else {
			continue;       /* a set element of another kind equals no string literal */
		}
		const uint32_t *p;
		uint32_t n;
		lookup(ix, kid, s, len, &p, &n);
		if (n)
			l[(*nl)++] = (struct cand_list){ p, p + n, true };
	}
}

/* Merge lists l[0..n) (each in rule order) into out[], in rule order, each
 * rule once; returns how many. */
static uint32_t merge(struct cand_list *l, uint32_t n, uint32_t *out)
{
	uint32_t m = 0;
	while (n) {
		uint32_t best = 0;
		for (uint32_t k = 1; k < n; k++)
			if (*l[k].p < *l[best].p)
				best = k;
		uint32_t r = *l[best].p++;
		if (m == 0 || out[m - 1] != r)
			out[m++] = r;
		if (l[best].p == l[best].end)
			l[best] = l[--n];
	}
	return m;
}

/*
 * The candidate rules of the request (index.h), as lists d->lists[0..*n):
 * every rule of the bucket when tracing (each rule whose scope matched is
 * reported), else the plain rules and, per key, the matching keyed ones.
 * No rule is in two lists (a rule is plain or under one key; the lists of
 * one key's set elements are merged).  *ordered: the rules come in rule
 * order, one list after the other (false also when a list of a comparison
 * key, which is not in rule order, is among them).
 */
static int candidates(authz_decision *d, const authz_bundle *b, const struct vm_env *env, uint32_t action,
		      uint32_t *n, bool *ordered)
{
	const struct rt_index *ix = b->index;
	uint32_t cell = ix->mode == RT_IX_TRIPLE ? (action * b->ntypes + env->type[0]) * b->ntypes + env->type[1]
		      : ix->mode == RT_IX_ACTION ? action : 0;
	const struct rt_ix_bucket *bk = &ix->buckets[ix->map[cell]];
	if (rt_grow((void **)&d->lists, &d->caplists, 1 + (size_t)bk->nkeys + SET_LOOKUPS, sizeof *d->lists) < 0)
		return AUTHZ_ENOMEM;
	struct cand_list *l = d->lists;
	uint32_t nl = 0, first = d->traced ? bk->all : bk->plain, count = d->traced ? bk->nall : bk->nplain;
	if (count)
		l[nl++] = (struct cand_list){ ix->rules + first, ix->rules + first + count, false };
	*ordered = true;
	if (d->traced || bk->nkeys == 0) {
		*n = nl;
		return 0;
	}
	uint32_t merged = 0;    /* rules written to d->cand */
	for (uint32_t k = 0; k < bk->nkeys; k++) {
		uint32_t at = nl;
		key_rules(ix, bk->key + k, env, l, &nl);
		if (ix->keys[bk->key + k].id.mode >= RT_IX_ABOVE && nl > at)
			*ordered = false;
		if (nl - at <= 1)
			continue;
		/* the key's rules in cand: at most all of its rules, and no
		 * rule is under two keys, so b->nrules is room for all */
		if (rt_grow((void **)&d->cand, &d->capcand, b->nrules, sizeof *d->cand) < 0)
			return AUTHZ_ENOMEM;
		uint32_t m = merge(l + at, nl - at, d->cand + merged);
		l[at] = (struct cand_list){ d->cand + merged, d->cand + merged + m, true };
		nl = at + 1;
		merged += m;
	}
	*n = nl;
	return 0;
}

static int cmp_rule(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_error(const void *a, const void *b)
{
	int32_t x = ((const struct derr *)a)->rule, y = ((const struct derr *)b)->rule;
	return (x > y) - (x < y);
}

/* Sort rule indexes x[0..n) ascending: usually a few, in a few runs. */
static void sort_rules(uint32_t *x, size_t n)
{
	if (n > 16) {
		qsort(x, n, sizeof *x, cmp_rule);
		return;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
			uint32_t t = x[j];
			x[j] = x[j - 1];
			x[j - 1] = t;
		}
}

/* Sort errors x[0..n) by rule (one error per rule). */
static void sort_errors(struct derr *x, size_t n)
{
	if (n > 16) {
		qsort(x, n, sizeof *x, cmp_error);
		return;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && x[j - 1].rule > x[j].rule; j--) {
			struct derr t = x[j];
			x[j] = x[j - 1];
			x[j - 1] = t;
		}
}

/* Run rule ri of a candidate list (`proven`: cand_list) on env and record
 * its outcome in d, with its trace when `traced`, and the values its guards
 * read when `values` (constants: run_lists makes this three times): 0 or
 * AUTHZ_ENOMEM. */
static inline __attribute__((always_inline)) int run_rule(authz_decision *d, const authz_bundle *b,
							  const struct vm_env *env, uint32_t ri, bool proven,
							  bool traced, bool values)
{
	/* A triple's bucket holds only rules whose scope covers the triple
	 * (index.c fill_cells): no scope bit to re-check, nor to load. */
	if (b->index->mode != RT_IX_TRIPLE) {
		const struct bundle_rule *r = &b->rules[ri];
		if (!has_bit(r->principals, env->type[0]) || !has_bit(r->resources, env->type[1]) ||
		    !has_bit(r->actions, env->action_index))
			return 0;
	}
	const struct rt_img *m = rt_img_of(b, ri);
	int outcome;
	uint32_t guard = 0;
	const char *msg = NULL;
	char msgbuf[200];
	struct vm_rec rec;
	if (m->has_expires && d->time >= m->expires) {
		outcome = AUTHZ_NOT_APPLIED;
		guard = UINT32_MAX;
	} else if (!values) {
		outcome = rt_vm_run(b, m, proven ? m->key_end : 0, env, &guard, &msg, msgbuf);
	} else {
		rec.n = 0;
		outcome = rt_vm_run_traced(b, m, proven ? m->key_end : 0, env, &guard, &msg, msgbuf, &rec);
	}
	int32_t g = outcome == AUTHZ_NOT_APPLIED ? (int32_t)guard : -1;
	if (traced && (values ? add_trace_values(d, b, ri, outcome, g, &rec) : add_trace(d, ri, outcome, g)) < 0)
		return AUTHZ_ENOMEM;
	if (outcome == AUTHZ_RULE_ERROR && add_error(d, AUTHZ_ERR_RULE, (int32_t)ri, msg) < 0)
		return AUTHZ_ENOMEM;
	if (outcome == AUTHZ_NOT_APPLIED || (outcome == AUTHZ_RULE_ERROR && m->effect == AUTHZ_PERMIT))
		return 0;
	AUTHZ_PREFETCH(m->id);  /* named in the decision */
	if (m->effect == AUTHZ_FORBID)
		d->rules[d->nrules++] = ri;
	else
		d->permits[d->npermits++] = ri;
	return 0;
}

/* Run the candidate lists d->lists[0..nl) (candidates), with a trace
 * when `traced`, with values when `values` (constants: the loop is made
 * once for each way of deciding). */
static inline __attribute__((always_inline)) int run_lists(authz_decision *d, const authz_bundle *b,
							   const struct vm_env *env, uint32_t nl, bool traced,
							   bool values)
{
	for (uint32_t li = 0; li < nl; li++)
		for (const uint32_t *c = d->lists[li].p; c < d->lists[li].end; c++)
			if (run_rule(d, b, env, *c, d->lists[li].proven, traced, values) < 0)
				return AUTHZ_ENOMEM;
	return 0;
}

int authz_decide(authz_decision *d, const authz_bundle *b, authz_request *req, unsigned flags)
{
	d->b = b;
	d->allow = false;
	d->traced = flags & AUTHZ_DECIDE_TRACE;
	d->values = d->traced && (flags & AUTHZ_DECIDE_EXPLAIN) == AUTHZ_DECIDE_EXPLAIN;
	d->nrules = d->npermits = d->nerrs = d->nmsgs = d->ntrace = d->nops = d->notext = 0;
	d->time = req->has_time ? req->time : clock_ms();
	if (req->b != b)
		return add_error(d, AUTHZ_ERR_REQUEST, -1, "request was made for another bundle") < 0 ?
		       AUTHZ_ENOMEM : AUTHZ_EINVAL;
	if (rt_bundle_prepare(b) < 0)   /* images and index, at the bundle's first decision */
		return AUTHZ_ENOMEM;
	const char *bad = rt_request_finish(req);
	if (bad)
		return add_error(d, AUTHZ_ERR_REQUEST, -1, bad);
	/* one array: applying forbids in the first half, permits in the second */
	if (rt_grow((void **)&d->rules, &d->caprules, 2 * (size_t)b->nrules + 1, sizeof *d->rules) < 0)
		return AUTHZ_ENOMEM;
	d->permits = d->rules + b->nrules;
	struct vm_env env = {
		.vals = req->vals, .present = req->present, .nslots = req->nslots,
		.id = { req->chars + req->id_off[0], req->chars + req->id_off[1] },
		.id_len = { req->id_len[0], req->id_len[1] },
		.type = { (uint32_t)req->type[0], (uint32_t)req->type[1] },
		.action_index = (uint32_t)req->action,
		.now = d->time,
	};
	uint32_t an = b->actions[req->action].name;
	env.action.kind = AUTHZ_K_STRING;
	env.action.len = b->strlen[an];
	env.action.u.s.p = b->str[an];
	uint32_t nl;
	bool ordered;
	if (candidates(d, b, &env, (uint32_t)req->action, &nl, &ordered) < 0)
		return AUTHZ_ENOMEM;
	int rc = !d->traced ? run_lists(d, b, &env, nl, false, false)
	       : !d->values ? run_lists(d, b, &env, nl, true, false) : run_lists(d, b, &env, nl, true, true);
	if (rc < 0)
		return AUTHZ_ENOMEM;
	/* the lists were run one after the other: rules and errors in rule
	 * order, as a trace and the bundle have them */
	if (nl > 1 || !ordered) {
		sort_rules(d->rules, d->nrules);
		sort_rules(d->permits, d->npermits);
		sort_errors(d->errs, d->nerrs);
	}
	if (d->nrules == 0 && d->npermits > 0) {
		memcpy(d->rules, d->permits, d->npermits * sizeof *d->rules);
		d->nrules = d->npermits;
		d->allow = true;
	}
	return 0;
}

int authz_decide_json(authz_decision *d, const authz_bundle *b, authz_request *scratch, const char *json,
		      size_t len, unsigned flags)
{
	if (scratch->b != b)
		return authz_decide(d, b, scratch, flags);
	int e = authz_request_parse_json(scratch, json, len);
	if (e < 0) {
		d->b = b;
		d->allow = false;
		d->nrules = d->nerrs = d->nmsgs = d->ntrace = d->nops = d->notext = 0;
		d->time = clock_ms();
		add_error(d, AUTHZ_ERR_REQUEST, -1, "out of memory");
		return e;
	}
	return authz_decide(d, b, scratch, flags);
}

int authz_decision_allowed(const authz_decision *d) { return d->allow; }
size_t authz_decision_rule_count(const authz_decision *d) { return d->nrules; }

const char *authz_decision_rule(const authz_decision *d, size_t i)
{
	return i < d->nrules ? d->b->str[d->b->rules[d->rules[i]].id] : NULL;
}

size_t authz_decision_error_count(const authz_decision *d) { return d->nerrs; }

int authz_decision_error(const authz_decision *d, size_t i, int *kind, const char **rule, const char **message)
{
	if (i >= d->nerrs)
		return AUTHZ_EINVAL;
	const struct derr *e = &d->errs[i];
	if (kind)
		*kind = e->kind;
	if (rule)
		*rule = e->rule >= 0 ? d->b->str[d->b->rules[e->rule].id] : NULL;
	if (message)
		*message = d->msgs + e->msg;
	return 0;
}

int64_t authz_decision_time(const authz_decision *d) { return d->time; }
size_t authz_decision_trace_count(const authz_decision *d) { return d->ntrace; }

int authz_decision_trace(const authz_decision *d, size_t i, authz_trace *out)
{
	if (i >= d->ntrace)
		return AUTHZ_EINVAL;
	const authz_bundle *b = d->b;
	const struct dtrace *t = &d->trace[i];
	memset(out, 0, sizeof *out);
	out->rule = b->str[b->rules[t->rule].id];
	out->outcome = t->outcome;
	out->guard = t->guard;
	if (t->guard >= 0 && b->has_debug && b->nrules) {
		const struct bundle_pos *p = &b->guard_pos[b->rule_pos[t->rule].extra + (uint32_t)t->guard];
		out->file = b->nfiles ? b->str[b->files[p->file]] : "";
		out->line = p->line;
		out->col = p->col;
		out->text = b->str[p->extra];
	}
	return 0;
}

size_t authz_decision_trace_operand_count(const authz_decision *d, size_t i)
{
	return i < d->ntrace ? d->trace[i].op_n : 0;
}

int authz_decision_trace_operand(const authz_decision *d, size_t i, size_t k, const char **name,
				 const char **value)
{
	if (i >= d->ntrace || k >= d->trace[i].op_n)
		return AUTHZ_EINVAL;
	const struct dop *o = &d->ops[d->trace[i].op_first + k];
	if (name)
		*name = d->otext + o->name;
	if (value)
		*value = o->value == NO_VALUE ? NULL : d->otext + o->value;
	return 0;
}

int authz_decision_rule_index(const authz_decision *d, size_t i, size_t *out)
{
	if (i >= d->nrules)
		return AUTHZ_EINVAL;
	*out = d->rules[i];
	return 0;
}

/* {====================================================================
** JSON form
** ===================================================================== */

static bool put(authz_decision *d, const char *s, size_t n)
{
	if (rt_grow((void **)&d->json, &d->capjson, d->njson + n + 1, 1) < 0)
		return false;
	memcpy(d->json + d->njson, s, n);
	d->njson += n;
	return true;
}

static bool puts_(authz_decision *d, const char *s) { return put(d, s, strlen(s)); }

/* A JSON string of n bytes: '"', '\\' and control characters escaped;
 * UTF-8 kept.  Room for the worst case is made once, then bytes are
 * written straight into the buffer. */
static bool put_str_n(authz_decision *d, const char *s, size_t n)
{
	if (rt_grow((void **)&d->json, &d->capjson, d->njson + 6 * n + 3, 1) < 0)
		return false;
	static const char hex[] = "0123456789abcdef";
	char *o = d->json + d->njson;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
		} else if (c == '"' || c == '\\' || c == '\n' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : (char)c;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		}
	}
	*o++ = '"';
	d->njson = (size_t)(o - d->json);
	return true;
}

static bool put_str(authz_decision *d, const char *s) { return put_str_n(d, s, strlen(s)); }

/* The id of rule ri as a JSON string. */
static bool put_rule(authz_decision *d, uint32_t ri)
{
	const struct rt_img *m = rt_img_of(d->b, ri);
	return put_str_n(d, m->id, m->id_len);
}

static bool put_u(authz_decision *d, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	return put(d, buf, (size_t)n);
}

/* ,"operands":[{"name":N,"value":V},{"name":N,"absent":true}] of trace
 * entry i. */
static bool put_operands(authz_decision *d, size_t i)
{
	bool ok = puts_(d, ",\"operands\":[");
	for (size_t k = 0; ok && k < d->trace[i].op_n; k++) {
		const char *name = "", *value = NULL;
		authz_decision_trace_operand(d, i, k, &name, &value);
		ok = (k == 0 || put(d, ",", 1)) && puts_(d, "{\"name\":") && put_str(d, name) &&
		     (value ? puts_(d, ",\"value\":") && put_str(d, value) : puts_(d, ",\"absent\":true")) &&
		     put(d, "}", 1);
	}
	return ok && put(d, "]", 1);
}

/* ,"annotations":{RULE:{KEY:VALUE,...},...} of the rules that decided. */
static bool put_annotations(authz_decision *d)
{
	const authz_bundle *b = d->b;
	bool ok = puts_(d, ",\"annotations\":{");
	for (size_t i = 0; ok && i < d->nrules; i++) {
		const struct bundle_rule *r = &b->rules[d->rules[i]];
		ok = (i == 0 || put(d, ",", 1)) && put_rule(d, d->rules[i]) && puts_(d, ":{");
		for (uint32_t k = 0; ok && k < r->ann_n; k++)
			ok = (k == 0 || put(d, ",", 1)) && put_str(d, b->str[b->ann[2 * (r->ann_first + k)]]) &&
			     put(d, ":", 1) && put_str(d, b->str[b->ann[2 * (r->ann_first + k) + 1]]);
		ok = ok && put(d, "}", 1);
	}
	return ok && put(d, "}", 1);
}

const char *authz_decision_json(authz_decision *d, size_t *len)
{
	static const char *const outcomes[] = { "applied", "not-applied", "error" };
	const authz_bundle *b = d->b;
	bool ok = true;
	d->njson = 0;
	if (!b)
		return NULL;
	ok = puts_(d, d->allow ? "{\"decision\":\"allow\",\"rules\":[" : "{\"decision\":\"deny\",\"rules\":[");
	for (size_t i = 0; ok && i < d->nrules; i++)
		ok = (i == 0 || put(d, ",", 1)) && put_rule(d, d->rules[i]);
	ok = ok && puts_(d, "],\"errors\":[");
	for (size_t i = 0; ok && i < d->nerrs; i++) {
		const struct derr *e = &d->errs[i];
		ok = (i == 0 || put(d, ",", 1)) &&
		     puts_(d, e->kind == AUTHZ_ERR_RULE ? "{\"kind\":\"rule\"," : "{\"kind\":\"request\",");
		if (ok && e->rule >= 0)
			ok = puts_(d, "\"rule\":") && put_rule(d, (uint32_t)e->rule) && put(d, ",", 1);
		ok = ok && puts_(d, "\"message\":") && put_str(d, d->msgs + e->msg) && put(d, "}", 1);
	}
	if (!d->has_tbuf || d->tbuf_ms != d->time) {
		/* decisions in a stream often share their time */
		d->ntbuf = authz_format_time(d->time, d->tbuf);
		d->tbuf_ms = d->time;
		d->has_tbuf = true;
	}
	ok = ok && puts_(d, "],\"time\":\"") && put(d, d->tbuf, d->ntbuf) && puts_(d, "\",\"bundle\":\"") &&
	     put(d, b->digest, sizeof "sha256:" - 1 + 64) && put(d, "\"", 1);
	if (ok && d->traced) {
		ok = put_annotations(d) && puts_(d, ",\"trace\":[");
		for (size_t i = 0; ok && i < d->ntrace; i++) {
			authz_trace t;
			authz_decision_trace(d, i, &t);
			ok = (i == 0 || put(d, ",", 1)) && puts_(d, "{\"rule\":") && put_str(d, t.rule) &&
			     puts_(d, ",\"outcome\":\"") && puts_(d, outcomes[t.outcome]) && put(d, "\"", 1);
			if (ok && t.outcome == AUTHZ_NOT_APPLIED && t.guard < 0)
				ok = puts_(d, ",\"expired\":true");
			else if (ok && t.guard >= 0) {
				ok = puts_(d, ",\"guard\":{\"index\":") && put_u(d, (uint64_t)t.guard);
				if (ok && t.text)
					ok = puts_(d, ",\"file\":") && put_str(d, t.file) && puts_(d, ",\"line\":") &&
					     put_u(d, t.line) && puts_(d, ",\"col\":") && put_u(d, t.col) &&
					     puts_(d, ",\"text\":") && put_str(d, t.text);
				ok = ok && (!d->values || put_operands(d, i)) && put(d, "}", 1);
			}
			ok = ok && put(d, "}", 1);
		}
		ok = ok && put(d, "]", 1);
	}
	ok = ok && put(d, "}", 1);
	if (!ok)
		return NULL;
	d->json[d->njson] = '\0';
	if (len)
		*len = d->njson;
	return d->json;
}
