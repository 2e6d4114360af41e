/*
 * refeval.c: the reference evaluator (refeval.h).  Deliberately naive: a
 * recursive walk, values by copy, sets as small arrays compared by
 * membership both ways.
 */
#include "refeval.h"

#include <string.h>

#include "schema.h"

enum rk { RK_ERR, RK_BOOL, RK_INT, RK_STR, RK_TIME, RK_DUR, RK_IP, RK_SSET, RK_ISET, RK_ENT, RK_CTX };

struct rv {
	enum rk k;
	bool b;
	int64_t i;                      /* int, time, duration */
	const char *s;
	size_t slen;
	const char *ss[64];
	int64_t is[64];
	int n;                          /* set size */
	uint8_t ip[4];
	int prefix;
	const struct ref_entity *ent;
};

static struct rv err(void) { struct rv v; memset(&v, 0, sizeof v); v.k = RK_ERR; return v; }
static struct rv mk(enum rk k) { struct rv v; memset(&v, 0, sizeof v); v.k = k; return v; }
static struct rv boolv(bool b) { struct rv v = mk(RK_BOOL); v.b = b; return v; }
static struct rv intv(enum rk k, int64_t i) { struct rv v = mk(k); v.i = i; return v; }
static struct rv strv(const char *s) { struct rv v = mk(RK_STR); v.s = s; v.slen = strlen(s); return v; }

static struct rv eval(const struct ast_expr *e, const struct ref_request *q);

/* "a.b.c.d" or "a.b.c.d/p" */
static struct rv parse_ip(const char *t)
{
	struct rv v = mk(RK_IP);
	unsigned a[4], p = 32;
	int used = 0;
	if (strchr(t, '/')) {
		if (sscanf(t, "%u.%u.%u.%u/%u%n", &a[0], &a[1], &a[2], &a[3], &p, &used) != 5)
			return err();
	} else if (sscanf(t, "%u.%u.%u.%u%n", &a[0], &a[1], &a[2], &a[3], &used) != 4) {
		return err();
	}
	for (int i = 0; i < 4; i++)
		v.ip[i] = (uint8_t)a[i];
	v.prefix = (int)p;
	return v;
}

static bool ip_inside(const uint8_t x[4], const uint8_t net[4], int prefix)
{
	uint32_t a = (uint32_t)x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
	uint32_t b = (uint32_t)net[0] << 24 | net[1] << 16 | net[2] << 8 | net[3];
	uint32_t mask = prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
	return (a & mask) == (b & mask);
}

int refeval_like(const char *s, size_t n, const char *pat, size_t m)
{
	if (m == 0)
		return n == 0;
	if (pat[0] == '*') {
		for (size_t k = 0; k <= n; k++)
			if (refeval_like(s + k, n - k, pat + 1, m - 1))
				return 1;
		return 0;
	}
	char c = pat[0];
	size_t used = 1;
	if (c == '\\' && m > 1 && pat[1] == '*') {
		c = '*';
		used = 2;
	}
	return n > 0 && s[0] == c && refeval_like(s + 1, n - 1, pat + used, m - used);
}

static bool sset_has(const struct rv *set, const char *s, size_t n)
{
	for (int i = 0; i < set->n; i++)
		if (strlen(set->ss[i]) == n && !memcmp(set->ss[i], s, n))
			return true;
	return false;
}

static bool iset_has(const struct rv *set, int64_t x)
{
	for (int i = 0; i < set->n; i++)
		if (set->is[i] == x)
			return true;
	return false;
}

/* Every element of a in b. */
static bool subset(const struct rv *a, const struct rv *b)
{
	for (int i = 0; i < a->n; i++)
		if (a->k == RK_SSET ? !sset_has(b, a->ss[i], strlen(a->ss[i])) : !iset_has(b, a->is[i]))
			return false;
	return true;
}

static bool any_common(const struct rv *a, const struct rv *b)
{
	for (int i = 0; i < a->n; i++)
		if (a->k == RK_SSET ? sset_has(b, a->ss[i], strlen(a->ss[i])) : iset_has(b, a->is[i]))
			return true;
	return false;
}

static bool equal(const struct rv *a, const struct rv *b)
{
	switch (a->k) {
	case RK_BOOL: return a->b == b->b;
	case RK_INT: case RK_TIME: case RK_DUR: return a->i == b->i;
	case RK_STR: return a->slen == b->slen && !memcmp(a->s, b->s, a->slen);
	case RK_IP: return !memcmp(a->ip, b->ip, 4) && a->prefix == b->prefix;
	case RK_SSET: case RK_ISET: return subset(a, b) && subset(b, a);
	case RK_ENT: return !strcmp(a->ent->type, b->ent->type) && !strcmp(a->ent->id, b->ent->id);
	default: return false;
	}
}

/* Howard Hinnant's civil_from_days. */
static void civil(int64_t days, int64_t *y, int64_t *m, int64_t *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static struct rv time_part(int64_t ms, const char *name)
{
	int64_t days = ms / 86400000, rem = ms % 86400000;
	if (rem < 0) {
		rem += 86400000;
		days--;
	}
	int64_t y, m, d;
	civil(days, &y, &m, &d);
	if (!strcmp(name, "year")) return intv(RK_INT, y);
	if (!strcmp(name, "month")) return intv(RK_INT, m);
	if (!strcmp(name, "day")) return intv(RK_INT, d);
	if (!strcmp(name, "hour")) return intv(RK_INT, rem / 3600000);
	if (!strcmp(name, "minute")) return intv(RK_INT, rem / 60000 % 60);
	if (!strcmp(name, "weekday")) return intv(RK_INT, ((days % 7) + 7 + 3) % 7 + 1);
	return err();
}

static struct rv entity_attr(const struct ref_entity *en, const char *name)
{
	struct rv v;
	if (!strcmp(name, "id")) return strv(en->id);
	if (!strcmp(name, "level")) return intv(RK_INT, en->level);
	if (!strcmp(name, "name")) return strv(en->name);
	if (!strcmp(name, "flag")) return boolv(en->flag);
	if (!strcmp(name, "born")) return intv(RK_TIME, en->born);
	if (!strcmp(name, "ttl")) return intv(RK_DUR, en->ttl);
	if (!strcmp(name, "opt")) return en->has_opt ? intv(RK_INT, en->opt) : err();
	if (!strcmp(name, "home")) {
		v = mk(RK_IP);
		memcpy(v.ip, en->home, 4);
		v.prefix = 32;
		return v;
	}
	if (!strcmp(name, "tags")) {
		v = mk(RK_SSET);
		for (int i = 0; i < en->ntags; i++)
			v.ss[v.n++] = en->tags[i];
		return v;
	}
	if (!strcmp(name, "nums")) {
		v = mk(RK_ISET);
		for (int i = 0; i < en->nnums; i++)
			v.is[v.n++] = en->nums[i];
		return v;
	}
	return err();
}

static struct rv context_attr(const struct ref_request *q, const char *name)
{
	if (!strcmp(name, "n")) return intv(RK_INT, q->n);
	if (!strcmp(name, "s")) return strv(q->s);
	if (!strcmp(name, "t")) return intv(RK_TIME, q->t);
	if (!strcmp(name, "d")) return intv(RK_DUR, q->d);
	if (!strcmp(name, "o")) return q->has_o ? strv(q->o) : err();
	if (!strcmp(name, "ip")) {
		struct rv v = mk(RK_IP);
		memcpy(v.ip, q->ip, 4);
		v.prefix = 32;
		return v;
	}
	return err();
}

static struct rv arith(enum ast_binop op, struct rv a, struct rv b)
{
	int64_t r;
	bool over;
	switch (op) {
	case BIN_ADD: over = __builtin_add_overflow(a.i, b.i, &r); break;
	case BIN_SUB: over = __builtin_sub_overflow(a.i, b.i, &r); break;
	default: over = __builtin_mul_overflow(a.i, b.i, &r); break;
	}
	if (over)
		return err();
	enum rk k = RK_INT;
	if (a.k == RK_TIME && b.k == RK_TIME)
		k = RK_DUR;
	else if (a.k == RK_TIME || b.k == RK_TIME)
		k = RK_TIME;
	else if (a.k == RK_DUR)
		k = RK_DUR;
	return intv(k, r);
}

static struct rv binary(const struct ast_expr *e, const struct ref_request *q)
{
	enum ast_binop op = e->u.bin.op;
	struct rv a = eval(e->u.bin.lhs, q);
	if (a.k == RK_ERR)
		return a;
	if (op == BIN_AND && !a.b)
		return boolv(false);
	if (op == BIN_OR && a.b)
		return boolv(true);
	struct rv b = eval(e->u.bin.rhs, q);
	if (b.k == RK_ERR)
		return b;
	switch (op) {
	case BIN_AND: case BIN_OR: return boolv(b.b);
	case BIN_EQ: return boolv(equal(&a, &b));
	case BIN_NE: return boolv(!equal(&a, &b));
	case BIN_LT: return boolv(a.i < b.i);
	case BIN_LE: return boolv(a.i <= b.i);
	case BIN_GT: return boolv(a.i > b.i);
	case BIN_GE: return boolv(a.i >= b.i);
	case BIN_IN:
		if (b.k == RK_IP)
			return boolv(ip_inside(a.ip, b.ip, b.prefix));
		if (b.k == RK_SSET)
			return boolv(sset_has(&b, a.s, a.slen));
		return boolv(iset_has(&b, a.i));
	case BIN_ADD: case BIN_SUB: case BIN_MUL: return arith(op, a, b);
	}
	return err();
}

static struct rv eval(const struct ast_expr *e, const struct ref_request *q)
{
	struct rv v;
	switch (e->kind) {
	case EX_BOOL: return boolv(e->u.b);
	case EX_INT:
		if (e->u.num.value > (uint64_t)INT64_MAX)
			return err();
		return intv(RK_INT, (int64_t)e->u.num.value);
	case EX_DURATION: return intv(RK_DUR, (int64_t)e->u.num.value);
	case EX_STRING:
		v = mk(RK_STR);
		v.s = e->u.str.s;
		v.slen = e->u.str.len;
		return v;
	case EX_IP: return parse_ip(e->u.lit.text);
	case EX_SET: {
		if (e->u.list.n > 64)
			return err();
		for (size_t i = 0; i < e->u.list.n; i++) {
			struct rv x = eval(e->u.list.items[i], q);
			if (i == 0)
				v = mk(x.k == RK_STR ? RK_SSET : RK_ISET);
			if (x.k == RK_STR)
				v.ss[v.n++] = x.s;      /* literals are NUL-terminated */
			else
				v.is[v.n++] = x.i;
		}
		if (e->u.list.n == 0)
			v = mk(RK_SSET);
		return v;
	}
	case EX_VAR:
		switch (e->u.var) {
		case VAR_PRINCIPAL: v = mk(RK_ENT); v.ent = &q->p; return v;
		case VAR_RESOURCE: v = mk(RK_ENT); v.ent = &q->r; return v;
		case VAR_CONTEXT: return mk(RK_CTX);
		case VAR_ACTION: return strv(q->action);
		case VAR_NOW: return intv(RK_TIME, q->now);
		}
		return err();
	case EX_ATTR: {
		struct rv base = eval(e->u.attr.base, q);
		if (base.k == RK_ERR)
			return base;
		if (base.k == RK_ENT)
			return entity_attr(base.ent, e->u.attr.name);
		if (base.k == RK_CTX)
			return context_attr(q, e->u.attr.name);
		if (base.k == RK_TIME)
			return time_part(base.i, e->u.attr.name);
		return err();
	}
	case EX_HAS: {
		struct rv base = eval(e->u.attr.base, q);
		if (base.k == RK_ERR)
			return base;
		if (base.k == RK_ENT)
			return boolv(strcmp(e->u.attr.name, "opt") ? true : base.ent->has_opt);
		return boolv(strcmp(e->u.attr.name, "o") ? true : q->has_o);
	}
	case EX_CALL: {
		struct rv s = eval(e->u.call.base, q);
		if (s.k == RK_ERR)
			return s;
		if (!strcmp(e->u.call.name, "isEmpty"))
			return boolv(s.n == 0);
		struct rv t = eval(e->u.call.args[0], q);
		if (t.k == RK_ERR)
			return t;
		if (!strcmp(e->u.call.name, "containsAll"))
			return boolv(subset(&t, &s));
		return boolv(any_common(&t, &s));
	}
	case EX_LIKE: {
		struct rv s = eval(e->u.bin.lhs, q);
		if (s.k == RK_ERR)
			return s;
		const struct ast_expr *p = e->u.bin.rhs;
		return boolv(refeval_like(s.s, s.slen, p->u.str.s, p->u.str.len));
	}
	case EX_NOT:
		v = eval(e->u.un.operand, q);
		if (v.k == RK_ERR)
			return v;
		return boolv(!v.b);
	case EX_NEG:
		v = eval(e->u.un.operand, q);
		if (e->u.un.operand->kind == EX_INT && e->u.un.operand->u.num.value == (uint64_t)INT64_MAX + 1)
			return intv(RK_INT, INT64_MIN);
		if (v.k == RK_ERR || v.i == INT64_MIN)
			return err();
		v.i = -v.i;
		return v;
	case EX_BINARY:
		return binary(e, q);
	default:
		return err();
	}
}

static bool in_names(const char *s, const struct ast_name *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i].name, s))
			return true;
	return false;
}

enum ref_outcome refeval_rule(const struct ast_rule *rule, const struct ref_request *q)
{
	if (rule->principal.present && !in_names(q->p.type, rule->principal.types, rule->principal.n))
		return REF_NOT_APPLIED;
	if (rule->resource.present && !in_names(q->r.type, rule->resource.types, rule->resource.n))
		return REF_NOT_APPLIED;
	if (rule->action.present && !in_names(q->action, rule->action.actions, rule->action.n))
		return REF_NOT_APPLIED;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < rule->nclauses; i++) {
			const struct ast_clause *c = &rule->clauses[i];
			if (c->is_unless != (pass == 1))
				continue;
			struct rv v = eval(c->expr, q);
			if (v.k == RK_ERR)
				return REF_ERROR;
			if (v.b == c->is_unless)
				return REF_NOT_APPLIED;
		}
	}
	return REF_APPLIED;
}
