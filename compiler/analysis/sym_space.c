/*
 * sym_space.c: the symbolic request of one (principal type, action,
 * resource type) over one or two bundles, each side's schema validity,
 * and the witness a model gives, written as a request in JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvalue.h"
#include "json.h"
#include "sym_int.h"

/* RFC 3339's range, as the runtime parses it (value.c). */
#define TIME_MIN_MS (-62167219200000LL)
#define TIME_MAX_MS 253402300799999LL

static void on_z3_error(Z3_context z, Z3_error_code e)
{
	(void)z;
	(void)e;        /* read back with Z3_get_error_code where it matters */
}

Z3_ast sym_true(struct sym_ctx *c) { return Z3_mk_true(c->z); }
Z3_ast sym_false(struct sym_ctx *c) { return Z3_mk_false(c->z); }
Z3_ast sym_int(struct sym_ctx *c, int64_t v) { return Z3_mk_int64(c->z, v, c->si); }

Z3_ast sym_and2(struct sym_ctx *c, Z3_ast a, Z3_ast b)
{
	if (Z3_is_eq_ast(c->z, a, sym_true(c)) || Z3_is_eq_ast(c->z, b, sym_false(c)))
		return b;
	if (Z3_is_eq_ast(c->z, b, sym_true(c)) || Z3_is_eq_ast(c->z, a, sym_false(c)))
		return a;
	Z3_ast v[2] = { a, b };
	return Z3_mk_and(c->z, 2, v);
}

Z3_ast sym_or2(struct sym_ctx *c, Z3_ast a, Z3_ast b)
{
	if (Z3_is_eq_ast(c->z, a, sym_false(c)) || Z3_is_eq_ast(c->z, b, sym_true(c)))
		return b;
	if (Z3_is_eq_ast(c->z, b, sym_false(c)) || Z3_is_eq_ast(c->z, a, sym_true(c)))
		return a;
	Z3_ast v[2] = { a, b };
	return Z3_mk_or(c->z, 2, v);
}

Z3_ast sym_not(struct sym_ctx *c, Z3_ast a)
{
	if (Z3_is_eq_ast(c->z, a, sym_true(c)))
		return sym_false(c);
	if (Z3_is_eq_ast(c->z, a, sym_false(c)))
		return sym_true(c);
	return Z3_mk_not(c->z, a);
}

static Z3_ast range(struct sym_ctx *c, Z3_ast x, int64_t lo, int64_t hi)
{
	return sym_and2(c, Z3_mk_ge(c->z, x, sym_int(c, lo)), Z3_mk_le(c->z, x, sym_int(c, hi)));
}

/* Witnesses a reviewer reads easily: 2020-2039, durations within a year
 * either way, ints within +-1000, strings of 1 to 16 bytes. */
#define NICE_FROM_MS 1577836800000LL    /* 2020-01-01 */
#define NICE_TO_MS 2208988800000LL      /* 2040-01-01 */
#define NICE_DAYS 366

static Z3_ast short_string(struct sym_ctx *c, Z3_ast x)
{
	return range(c, Z3_mk_seq_length(c->z, x), 1, 16);
}

static Z3_ast named(struct sym_ctx *c, const char *name, Z3_sort s)
{
	char tmp[32];
	if (!name) {
		snprintf(tmp, sizeof tmp, "v!%u", c->fresh++);
		name = tmp;
	}
	return Z3_mk_const(c->z, Z3_mk_string_symbol(c->z, name), s);
}

struct sym_val sym_fresh(struct sym_ctx *c, uint8_t kind, const char *name, Z3_ast *wf)
{
	struct sym_val v = { .kind = kind };
	switch (kind) {
	case AUTHZ_K_BOOL:
		v.x = named(c, name, c->sb);
		break;
	case AUTHZ_K_INT:
	case AUTHZ_K_DURATION:
		v.x = named(c, name, c->si);
		/* a duration's text form has no INT64_MIN */
		*wf = sym_and2(c, *wf, range(c, v.x, kind == AUTHZ_K_INT ? INT64_MIN : -INT64_MAX, INT64_MAX));
		c->nice = sym_and2(c, c->nice, kind == AUTHZ_K_INT ? range(c, v.x, -1000, 1000)
					       : range(c, v.x, -NICE_DAYS * 86400000LL, NICE_DAYS * 86400000LL));
		break;
	case AUTHZ_K_TIMESTAMP:
		v.x = named(c, name, c->si);
		*wf = sym_and2(c, *wf, range(c, v.x, TIME_MIN_MS, TIME_MAX_MS));
		c->nice = sym_and2(c, c->nice, range(c, v.x, NICE_FROM_MS, NICE_TO_MS));
		break;
	case AUTHZ_K_STRING:
		v.x = named(c, name, c->ss);
		c->nice = sym_and2(c, c->nice, short_string(c, v.x));
		break;
	case AUTHZ_K_IP: {
		char n[3][64];
		for (int i = 0; i < 3; i++)
			snprintf(n[i], sizeof n[i], "%s%s", name ? name : "ip", i == 0 ? "!6" : i == 1 ? "!a" : "!p");
		if (!name)
			for (int i = 0; i < 3; i++)
				snprintf(n[i] + strlen(n[i]), sizeof n[i] - strlen(n[i]), "!%u", c->fresh);
		c->fresh++;
		v.is6 = named(c, n[0], c->sb);
		v.addr = named(c, n[1], c->sbv);
		v.prefix = named(c, n[2], c->si);
		Z3_ast low = Z3_mk_eq(c->z, Z3_mk_extract(c->z, 95, 0, v.addr), Z3_mk_int64(c->z, 0,
									  Z3_mk_bv_sort(c->z, 96)));
		Z3_ast v4 = sym_and2(c, range(c, v.prefix, 0, 32), low);
		Z3_ast v6 = range(c, v.prefix, 0, 128);
		*wf = sym_and2(c, *wf, Z3_mk_ite(c->z, v.is6, v6, v4));
		break;
	}
	default:
		break;
	}
	return v;
}

Z3_ast sym_bv128(struct sym_ctx *c, unsigned __int128 x)
{
	char dec[48];
	char *p = dec + sizeof dec;
	*--p = 0;
	do {
		*--p = (char)('0' + (int)(x % 10));
		x /= 10;
	} while (x);
	return Z3_mk_numeral(c->z, p, c->sbv);
}

static Z3_ast bv128(struct sym_ctx *c, const uint8_t ip[16])
{
	unsigned __int128 x = 0;
	for (int i = 0; i < 16; i++)
		x = x << 8 | ip[i];
	return sym_bv128(c, x);
}

Z3_ast sym_str_code(struct sym_ctx *c, const char *s, uint32_t len)
{
	size_t i = 0;
	while (i < c->nstrs && !(c->strlens[i] == len && !memcmp(c->strs[i], s, len)))
		i++;
	if (i == c->nstrs) {
		if (c->nstrs == c->capstrs) {
			size_t cap = c->capstrs ? 2 * c->capstrs : 64;
			c->strs = arena_grow(c->a, c->strs, c->capstrs, cap, sizeof *c->strs);
			c->strlens = arena_grow(c->a, c->strlens, c->capstrs, cap, sizeof *c->strlens);
			c->capstrs = cap;
		}
		c->strs[c->nstrs] = s;
		c->strlens[c->nstrs++] = len;
	}
	return sym_int(c, (int64_t)i);
}

struct sym_val sym_const(struct sym_ctx *c, const struct vm_value *k)
{
	struct sym_val v = { .kind = k->kind };
	switch (k->kind) {
	case AUTHZ_K_BOOL:
		v.x = k->u.i ? sym_true(c) : sym_false(c);
		break;
	case AUTHZ_K_INT:
	case AUTHZ_K_TIMESTAMP:
	case AUTHZ_K_DURATION:
		v.x = sym_int(c, k->u.i);
		break;
	case AUTHZ_K_STRING:
		v.x = Z3_mk_lstring(c->z, k->len, k->u.s.p);
		v.s = k->u.s.p;
		v.len = k->len;
		v.code = sym_str_code(c, k->u.s.p, k->len);
		break;
	case AUTHZ_K_IP:
		v.is6 = k->fam == 6 ? sym_true(c) : sym_false(c);
		v.addr = bv128(c, k->u.ip);
		v.prefix = sym_int(c, k->prefix);
		break;
	case AUTHZ_K_SET: {
		struct sym_set *s = arena_calloc(c->a, 1, sizeof *s);
		s->n = k->len;
		s->e = arena_calloc(c->a, k->len + 1, sizeof *s->e);
		s->in = arena_calloc(c->a, k->len + 1, sizeof *s->in);
		for (uint32_t i = 0; i < k->len; i++) {
			s->e[i] = sym_const(c, &k->u.set.p[i]);
			s->in[i] = sym_true(c);
		}
		v.elem = k->elem;
		v.set = s;
		break;
	}
	default:
		break;
	}
	return v;
}

/* ---- the universe: constants by kind -------------------------------------------- */

static bool same_const(const struct vm_value *a, const struct vm_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case AUTHZ_K_STRING:
		return a->len == b->len && memcmp(a->u.s.p, b->u.s.p, a->len) == 0;
	case AUTHZ_K_IP:
		return a->fam == b->fam && a->prefix == b->prefix && memcmp(a->u.ip, b->u.ip, 16) == 0;
	default:
		return a->u.i == b->u.i;
	}
}

struct uni_build {
	const struct vm_value **v[AUTHZ_K_ENTITY + 1];
	size_t n[AUTHZ_K_ENTITY + 1], cap[AUTHZ_K_ENTITY + 1];
};

static void uni_add(struct sym_ctx *c, struct uni_build *u, const struct vm_value *k)
{
	if (k->kind == AUTHZ_K_SET) {
		for (uint32_t i = 0; i < k->len; i++)
			uni_add(c, u, &k->u.set.p[i]);
		return;
	}
	if (k->kind > AUTHZ_K_IP)
		return;
	if (k->kind == AUTHZ_K_STRING)
		for (uint32_t i = 0; i < k->len; i++)
			c->alphabet[(unsigned char)k->u.s.p[i]] = true;
	for (size_t i = 0; i < u->n[k->kind]; i++)
		if (same_const(u->v[k->kind][i], k))
			return;
	if (u->n[k->kind] == u->cap[k->kind]) {
		size_t cap = u->cap[k->kind] ? 2 * u->cap[k->kind] : 16;
		u->v[k->kind] = arena_grow(c->a, u->v[k->kind], u->cap[k->kind], cap, sizeof *u->v[k->kind]);
		u->cap[k->kind] = cap;
	}
	u->v[k->kind][u->n[k->kind]++] = k;
}

/* The constants the triple's rules load (sym_string_uses noted them):
 * a constant no rule of the triple reads only meets a set attribute
 * through another attribute, which the free elements stand for. */
static void universe(struct sym_ctx *c)
{
	struct uni_build u = { 0 };
	for (unsigned ch = ' '; ch <= '~'; ch++)
		c->alphabet[ch] = true;
	for (int s = 0; s < 2; s++) {
		const authz_bundle *b = c->side[s].b;
		for (uint32_t i = 0; b && i < b->nconsts; i++)
			if (c->used[s] && c->used[s][i])
				uni_add(c, &u, &b->consts[i]);
	}
	for (int k = 0; k <= AUTHZ_K_ENTITY; k++) {
		c->nuni[k] = u.n[k];
		c->uni[k] = arena_calloc(c->a, u.n[k] + 1, sizeof *c->uni[k]);
		for (size_t i = 0; i < u.n[k]; i++)
			c->uni[k][i] = sym_const(c, u.v[k][i]);
	}
}

/* ---- variables ------------------------------------------------------------------ */


static int var_add(struct sym_ctx *c, unsigned root, const char *path, const char *name, int parent, uint8_t kind,
		   uint8_t elem)
{
	for (size_t i = 0; i < c->nvars; i++)
		if (c->vars[i].root == root && c->vars[i].kind == kind && c->vars[i].elem == elem &&
		    !strcmp(c->vars[i].path, path))
			return (int)i;
	if (c->nvars == c->capvars) {
		size_t cap = c->capvars ? 2 * c->capvars : 32;
		c->vars = arena_grow(c->a, c->vars, c->capvars, cap, sizeof *c->vars);
		c->capvars = cap;
	}
	struct sym_var *v = &c->vars[c->nvars];
	*v = (struct sym_var){ .root = root, .path = path, .name = name, .parent = parent, .kind = kind,
			       .elem = elem };
	return (int)c->nvars++;
}

static void walk_fields(struct sym_ctx *c, int s, unsigned root, uint32_t first, uint32_t n, const char *prefix,
			int parent, int depth)
{
	const authz_bundle *b = c->side[s].b;
	for (uint32_t i = first; i < first + n && depth < AUTHZ_MAX_DEPTH; i++) {
		const struct bundle_field *f = &b->fields[i];
		const char *name = bundle_str(b, b->slots[f->slot].name);
		const char *path = prefix ? arena_printf(c->a, "%s.%s", prefix, name) : name;
		int v = var_add(c, root, path, name, parent, f->type, f->elem);
		if ((size_t)v >= c->capdecl) {
			size_t cap = 2 * (size_t)v + 16;
			for (int k = 0; k < 2; k++)
				c->decl[k] = arena_grow(c->a, c->decl[k], c->capdecl, cap, sizeof *c->decl[k]);
			c->capdecl = cap;
		}
		c->decl[s][v] = (struct decl){ true, f->optional, f->open };
		c->side[s].slotvar[root][f->slot] = v;
		if (f->type == AUTHZ_K_RECORD)
			walk_fields(c, s, root, f->first_child, f->nchild, path, v, depth + 1);
	}
}

static bool find_type(const authz_bundle *b, const char *name, uint32_t *out)
{
	for (uint32_t t = 0; t < b->ntypes; t++)
		if (!strcmp(bundle_str(b, b->owners[t].name), name)) {
			*out = t;
			return true;
		}
	return false;
}

static bool bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

static void side_find(struct sym_side *sd, const char *ptype, const char *action, const char *rtype)
{
	const authz_bundle *b = sd->b;
	sd->ok = false;
	if (!b || !find_type(b, ptype, &sd->pt) || !find_type(b, rtype, &sd->rt))
		return;
	for (uint32_t a = 0; a < b->nactions; a++)
		if (!strcmp(bundle_str(b, b->actions[a].name), action)) {
			sd->act = a;
			sd->ok = bit(b->actions[a].principals, sd->pt) && bit(b->actions[a].resources, sd->rt);
			return;
		}
}

/* Whether side s accepts var v present though it does not declare it (an
 * open record or owner above it). */
static bool open_above(struct sym_ctx *c, int s, int v)
{
	int p = c->vars[v].parent;
	if (p < 0) {
		const authz_bundle *b = c->side[s].b;
		unsigned root = c->vars[v].root;
		uint32_t o = root == AUTHZ_ROOT_CONTEXT ? b->ntypes : root == AUTHZ_ROOT_PRINCIPAL ? c->side[s].pt
											     : c->side[s].rt;
		return b->owners[o].open;
	}
	return c->decl[s][p].decl ? c->decl[s][p].open : open_above(c, s, p);
}

static bool path_declared(struct sym_ctx *c, int s, int v)
{
	for (size_t i = 0; i < c->nvars; i++)
		if (c->decl[s][i].decl && c->vars[i].root == c->vars[v].root && !strcmp(c->vars[i].path, c->vars[v].path))
			return true;
	return false;
}

static void validity(struct sym_ctx *c)
{
	for (size_t v = 0; v < c->nvars; v++) {
		struct sym_var *x = &c->vars[v];
		Z3_ast up = x->parent < 0 ? sym_true(c) : c->vars[x->parent].present;
		c->base = sym_and2(c, c->base, Z3_mk_implies(c->z, x->present, up));
		for (size_t u = v + 1; u < c->nvars; u++)
			if (c->vars[u].root == x->root && !strcmp(c->vars[u].path, x->path))
				c->base = sym_and2(c, c->base, sym_not(c, sym_and2(c, x->present, c->vars[u].present)));
		for (int s = 0; s < 2; s++) {
			struct sym_side *sd = &c->side[s];
			if (!sd->ok)
				continue;
			if (c->decl[s][v].decl) {
				if (!c->decl[s][v].opt)
					sd->valid = sym_and2(c, sd->valid, Z3_mk_implies(c->z, up, x->present));
			} else if (path_declared(c, s, (int)v) || !open_above(c, s, (int)v)) {
				sd->valid = sym_and2(c, sd->valid, sym_not(c, x->present));
			}
		}
	}
}

int sym_ctx_open(struct sym_ctx *c, struct arena *scratch, const authz_bundle *old, const authz_bundle *new,
		 const char *ptype, const char *action, const char *rtype)
{
	memset(c, 0, sizeof *c);
	c->a = scratch;
	Z3_config cfg = Z3_mk_config();
	Z3_set_param_value(cfg, "model", "true");
	c->z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (!c->z) {
		c->unsup = "the solver could not be started";
		return -1;
	}
	Z3_set_error_handler(c->z, on_z3_error);
	c->sb = Z3_mk_bool_sort(c->z);
	c->si = Z3_mk_int_sort(c->z);
	c->ss = Z3_mk_string_sort(c->z);
	c->sbv = Z3_mk_bv_sort(c->z, 128);
	c->ptype = ptype, c->action = action, c->rtype = rtype;
	c->side[0].b = old, c->side[1].b = new;
	c->base = sym_true(c);
	c->nice = sym_true(c);
	c->now = named(c, "now", c->si);
	c->base = sym_and2(c, c->base, range(c, c->now, TIME_MIN_MS, TIME_MAX_MS));
	c->nice = sym_and2(c, c->nice, range(c, c->now, NICE_FROM_MS, NICE_TO_MS));
	for (int s = 0; s < 2; s++) {
		struct sym_side *sd = &c->side[s];
		side_find(sd, ptype, action, rtype);
		sd->valid = sd->ok ? sym_true(c) : sym_false(c);
		if (!sd->ok)
			continue;
		const authz_bundle *b = sd->b;
		uint32_t owner[3] = { sd->pt, sd->rt, b->ntypes };
		for (unsigned r = 0; r < 3; r++) {
			sd->slotvar[r] = arena_alloc(c->a, (b->nslots + 1) * sizeof(int));
			for (uint32_t k = 0; k <= b->nslots; k++)
				sd->slotvar[r][k] = -1;
			const struct bundle_owner *o = &b->owners[owner[r]];
			walk_fields(c, s, r, o->first, o->ntop, NULL, -1, 0);
		}
	}
	if (c->nvars && !c->capdecl) {
		c->unsup = "internal: no declaration table";
		return -1;
	}
	for (int s = 0; s < 2; s++)
		if (c->side[s].b)
			c->used[s] = arena_calloc(c->a, c->side[s].b->nconsts + 1, sizeof *c->used[s]);
	c->uf = arena_alloc(c->a, (c->nvars + 2) * sizeof *c->uf);
	c->liked = arena_calloc(c->a, c->nvars + 2, sizeof *c->liked);
	for (size_t i = 0; i < c->nvars + 2; i++)
		c->uf[i] = (int)i;
	return 0;
}

static int find(struct sym_ctx *c, int i)
{
	while (c->uf[i] != i)
		i = c->uf[i] = c->uf[c->uf[i]];
	return i;
}

/* A string term of the encoding of class `cls`. */
static struct sym_val string_var(struct sym_ctx *c, const char *name, bool ic, Z3_ast *wf)
{
	if (!ic)
		return sym_fresh(c, AUTHZ_K_STRING, name, wf);
	struct sym_val v = { .kind = AUTHZ_K_STRING, .ic = true, .x = named(c, name, c->si) };
	if (c->ncoded == c->capcoded) {
		size_t cap = c->capcoded ? 2 * c->capcoded : 32;
		c->coded = arena_grow(c->a, c->coded, c->capcoded, cap, sizeof *c->coded);
		c->capcoded = cap;
	}
	c->coded[c->ncoded++] = v.x;
	return v;
}

void sym_improve(struct sym_ctx *c, Z3_solver so, Z3_model *m)
{
	Z3_ast *lits = arena_calloc(c->a, c->ncoded + 1, sizeof *lits);
	size_t n = 0;
	for (size_t i = 0; i < c->ncoded; i++) {
		int64_t v = -1;
		Z3_ast r = NULL;
		if (!Z3_model_eval(c->z, *m, c->coded[i], true, &r) || !Z3_get_numeral_int64(c->z, r, &v) ||
		    v < 0 || (uint64_t)v >= c->nstrs)
			continue;
		Z3_ast lit = named(c, NULL, c->sb);
		Z3_solver_assert(c->z, so, Z3_mk_implies(c->z, lit, Z3_mk_ge(c->z, c->coded[i], sym_int(c, (int64_t)c->nstrs))));
		lits[n++] = lit;
	}
	for (int round = 0; round < 3 && n > 0; round++) {
		Z3_lbool r = Z3_solver_check_assumptions(c->z, so, (unsigned)n, lits);
		if (r == Z3_L_TRUE) {
			Z3_model better = Z3_solver_get_model(c->z, so);
			Z3_model_inc_ref(c->z, better);
			Z3_model_dec_ref(c->z, *m);
			*m = better;
			return;
		}
		if (r != Z3_L_FALSE)
			return;
		Z3_ast_vector core = Z3_solver_get_unsat_core(c->z, so);
		Z3_ast_vector_inc_ref(c->z, core);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			bool in_core = false;
			for (unsigned j = 0; j < Z3_ast_vector_size(c->z, core) && !in_core; j++)
				in_core = Z3_is_eq_ast(c->z, Z3_ast_vector_get(c->z, core, j), lits[i]);
			if (!in_core)
				lits[k++] = lits[i];
		}
		Z3_ast_vector_dec_ref(c->z, core);
		n = k;
	}
}

/* Int-coded strings: ids other than the constants (a made-up "A" reads
 * better than an id that happens to equal some constant), the others any
 * constant or a few made-up values. */
Z3_ast sym_nice(struct sym_ctx *c)
{
	Z3_ast n = c->nice;
	int64_t lim = (int64_t)c->nstrs + 1000;
	for (size_t i = 0; i < c->ncoded; i++) {
		bool id = Z3_is_eq_ast(c->z, c->coded[i], c->pid) || Z3_is_eq_ast(c->z, c->coded[i], c->rid);
		n = sym_and2(c, n, range(c, c->coded[i], id ? (int64_t)c->nstrs : 0, lim));
	}
	return n;
}

void sym_ctx_finish(struct sym_ctx *c)
{
	universe(c);
	/* a class is int-coded unless `like` reads one of its strings */
	for (size_t i = 0; i < c->nvars + 2; i++)
		if (c->liked[i])
			c->liked[find(c, (int)i)] = true;
	bool pid_ic = !c->liked[find(c, (int)c->nvars)], rid_ic = !c->liked[find(c, (int)c->nvars + 1)];
	c->pid = string_var(c, "principal.id", pid_ic, &c->base).x;
	c->rid = string_var(c, "resource.id", rid_ic, &c->base).x;
	c->pid_ic = pid_ic, c->rid_ic = rid_ic;
	if (!pid_ic)
		c->nice = sym_and2(c, c->nice, short_string(c, c->pid));
	if (!rid_ic)
		c->nice = sym_and2(c, c->nice, short_string(c, c->rid));
	for (size_t i = 0; i < c->nvars; i++) {
		struct sym_var *v = &c->vars[i];
		v->ic = !c->liked[find(c, (int)i)];
		char *vn = arena_printf(c->a, "%u.%s#%u", v->root, v->path, v->kind);
		v->present = named(c, arena_printf(c->a, "has!%s", vn), c->sb);
		if (v->kind == AUTHZ_K_SET) {
			uint8_t elem = v->elem;
			struct sym_set *s = arena_calloc(c->a, 1, sizeof *s);
			size_t nu = c->nuni[elem];
			s->n = nu + SYM_FREE_ELEMS;
			s->e = arena_calloc(c->a, s->n, sizeof *s->e);
			s->in = arena_calloc(c->a, s->n, sizeof *s->in);
			for (size_t k = 0; k < s->n; k++) {
				const char *en = arena_printf(c->a, "%s!e%zu", vn, k - nu);
				s->e[k] = k < nu ? c->uni[elem][k]
					: elem == AUTHZ_K_STRING ? string_var(c, en, v->ic, &c->base)
					: sym_fresh(c, elem, en, &c->base);
				s->in[k] = named(c, arena_printf(c->a, "%s!in%zu", vn, k), c->sb);
			}
			v->v = (struct sym_val){ .kind = AUTHZ_K_SET, .elem = elem, .set = s };
		} else if (v->kind == AUTHZ_K_STRING) {
			v->v = string_var(c, vn, v->ic, &c->base);
		} else if (v->kind != AUTHZ_K_RECORD) {
			v->v = sym_fresh(c, v->kind, vn, &c->base);
		}
	}
	if (c->nvars)
		validity(c);
}

void sym_ctx_close(struct sym_ctx *c)
{
	if (c->z)
		Z3_del_context(c->z);
	c->z = NULL;
}

/* ---- witnesses ------------------------------------------------------------------ */

static Z3_ast eval(struct sym_ctx *c, Z3_model m, Z3_ast x)
{
	Z3_ast r = NULL;
	if (!Z3_model_eval(c->z, m, x, true, &r))
		return NULL;
	return r;
}

static bool eval_bool(struct sym_ctx *c, Z3_model m, Z3_ast x)
{
	Z3_ast r = eval(c, m, x);
	return r && Z3_get_bool_value(c->z, r) == Z3_L_TRUE;
}

static bool eval_i64(struct sym_ctx *c, Z3_model m, Z3_ast x, int64_t *out)
{
	Z3_ast r = eval(c, m, x);
	return r && Z3_get_numeral_int64(c->z, r, out);
}

/* The regular language of the alphabet's strings. */
static Z3_ast alphabet_re(struct sym_ctx *c)
{
	Z3_ast parts[256];
	unsigned n = 0;
	for (unsigned lo = 0; lo < 256; lo++) {
		if (!c->alphabet[lo])
			continue;
		unsigned hi = lo;
		while (hi + 1 < 256 && c->alphabet[hi + 1])
			hi++;
		char l = (char)lo, h = (char)hi;
		parts[n++] = Z3_mk_re_range(c->z, Z3_mk_lstring(c->z, 1, &l), Z3_mk_lstring(c->z, 1, &h));
		lo = hi;
	}
	return Z3_mk_re_star(c->z, n == 1 ? parts[0] : Z3_mk_re_union(c->z, n, parts));
}

static bool is_held(struct sym_ctx *c, Z3_ast x)
{
	for (size_t i = 0; i < c->nheld; i++)
		if (Z3_is_eq_ast(c->z, c->held[i], x))
			return true;
	return false;
}

/* The bytes of string term x in the model, as JSON.  Returns 1 (and x
 * held to the alphabet in *more) when they are not all in it, unless x is
 * held already: a string Z3 gives outside it (a code point past 255, say)
 * has no bytes to write. */
static int put_string(struct sym_ctx *c, Z3_model m, Z3_ast x, struct buf *out, bool authz, Z3_ast *more)
{
	Z3_ast r = eval(c, m, x);
	unsigned n = 0;
	Z3_char_ptr p = r ? Z3_get_lstring(c->z, r, &n) : NULL;
	if (Z3_get_error_code(c->z) != Z3_OK) {
		Z3_set_error(c->z, Z3_OK);
		p = NULL;
	}
	bool held = is_held(c, x), fine = p != NULL;
	for (unsigned i = 0; fine && i < n; i++)
		if (!c->alphabet[(unsigned char)p[i]] || (!held && p[i] == '\\'))
			fine = false;
	if (!fine) {
		if (held) {
			c->unsup = "a string of the model could not be read";
			return -1;
		}
		if (c->nheld == c->capheld) {
			size_t cap = c->capheld ? 2 * c->capheld : 16;
			c->held = arena_grow(c->a, c->held, c->capheld, cap, sizeof *c->held);
			c->capheld = cap;
		}
		c->held[c->nheld++] = x;
		*more = sym_and2(c, *more, Z3_mk_seq_in_re(c->z, x, alphabet_re(c)));
		return 1;
	}
	value_put_quoted(out, p, n, authz ? VALUE_AUTHZ : VALUE_JSON);
	return 0;
}

/* Where a witness is being written: `authz` for policy syntax (a test's
 * inline request), else request JSON. */
struct wctx { Z3_model m; struct buf *out; Z3_ast *more; int rc; bool authz; };

/* s as a string, or as f("s") in policy syntax (time, ip). */
static void put_text(struct wctx *w, const char *f, const char *s)
{
	if (w->authz && f)
		buf_printf(w->out, "%s(", f);
	value_put_quoted(w->out, s, strlen(s), w->authz ? VALUE_AUTHZ : VALUE_JSON);
	if (w->authz && f)
		buf_putc(w->out, ')');
}

static void fail(struct wctx *w, int rc)
{
	if (rc < 0 || w->rc == 0)
		w->rc = rc;
}

/* An int-coded string: a constant's bytes for its code, else "x<int>"
 * (made unlike every constant), so that equal codes give equal strings
 * and different codes different ones. */
static void put_coded(struct sym_ctx *c, struct wctx *w, Z3_ast x)
{
	int64_t i = 0;
	if (!eval_i64(c, w->m, x, &i)) {
		c->unsup = "a string of the model could not be read";
		fail(w, -1);
		return;
	}
	if (i >= 0 && (uint64_t)i < c->nstrs) {
		value_put_quoted(w->out, c->strs[i], c->strlens[i], w->authz ? VALUE_AUTHZ : VALUE_JSON);
		return;
	}
	struct buf t = BUF_ARENA(c->a);
	if (i >= 0) {           /* A, B, ..., Z, AA, AB, ... */
		char name[16], *p = name + sizeof name;
		uint64_t k = (uint64_t)i - c->nstrs;
		*--p = 0;
		do {
			*--p = (char)('A' + k % 26);
			k = k / 26;
		} while (k-- > 0);
		buf_puts(&t, p);
	} else {
		buf_printf(&t, "n%lld", -(long long)i);
	}
	for (bool clash = true; clash;) {
		clash = false;
		for (size_t k = 0; k < c->nstrs && !clash; k++)
			clash = c->strlens[k] == t.n && !memcmp(c->strs[k], t.p, t.n);
		if (clash)
			buf_putc(&t, '_');
	}
	value_put_quoted(w->out, t.p, t.n, w->authz ? VALUE_AUTHZ : VALUE_JSON);
}

static void put_scalar(struct sym_ctx *c, struct wctx *w, const struct sym_val *v)
{
	char tmp[64];
	int64_t i = 0;
	switch (v->kind) {
	case AUTHZ_K_BOOL:
		buf_puts(w->out, eval_bool(c, w->m, v->x) ? "true" : "false");
		return;
	case AUTHZ_K_INT:
	case AUTHZ_K_TIMESTAMP:
	case AUTHZ_K_DURATION:
		if (!eval_i64(c, w->m, v->x, &i)) {
			c->unsup = "a number of the model could not be read";
			fail(w, -1);
			return;
		}
		if (v->kind == AUTHZ_K_INT) {
			buf_printf(w->out, "%lld", (long long)i);
		} else if (v->kind == AUTHZ_K_TIMESTAMP) {
			authz_format_time(i, tmp);
			put_text(w, "time", tmp);
		} else if (w->authz) {
			value_format_duration(i, tmp, sizeof tmp);
			buf_puts(w->out, tmp);
		} else {
			authz_format_duration(i, tmp);
			put_text(w, NULL, tmp);
		}
		return;
	case AUTHZ_K_STRING: {
		if (v->s) {             /* a constant */
			value_put_quoted(w->out, v->s, v->len, w->authz ? VALUE_AUTHZ : VALUE_JSON);
			return;
		}
		if (v->ic) {
			put_coded(c, w, v->x);
			return;
		}
		int rc = put_string(c, w->m, v->x, w->out, w->authz, w->more);
		if (rc)
			fail(w, rc);
		return;
	}
	case AUTHZ_K_IP: {
		authz_ip ip = { .family = eval_bool(c, w->m, v->is6) ? 6 : 4 };
		int64_t p = 0;
		eval_i64(c, w->m, v->prefix, &p);
		ip.prefix = (uint8_t)p;
		for (int b = 0; b < 16; b++) {
			int64_t byte = 0;
			Z3_ast e = Z3_mk_bv2int(c->z, Z3_mk_extract(c->z, (unsigned)(127 - 8 * b),
								 (unsigned)(120 - 8 * b), v->addr), false);
			eval_i64(c, w->m, e, &byte);
			ip.addr[b] = (uint8_t)byte;
		}
		authz_format_ip(&ip, tmp);
		put_text(w, "ip", tmp);
		return;
	}
	default:
		c->unsup = "a value of this kind cannot be written";
		fail(w, -1);
	}
}

/* A set: its members, each written once. */
static void put_value(struct sym_ctx *c, struct wctx *w, const struct sym_val *v)
{
	if (v->kind != AUTHZ_K_SET) {
		put_scalar(c, w, v);
		return;
	}
	struct buf one = BUF_ARENA(c->a);
	const char **seen = arena_calloc(c->a, v->set->n + 1, sizeof *seen);
	size_t nseen = 0;
	buf_putc(w->out, '[');
	for (size_t i = 0; i < v->set->n; i++) {
		if (!eval_bool(c, w->m, v->set->in[i]))
			continue;
		buf_reset(&one);
		struct wctx sub = { w->m, &one, w->more, 0, w->authz };
		put_scalar(c, &sub, &v->set->e[i]);
		if (sub.rc)
			fail(w, sub.rc);
		if (!one.p)
			continue;
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = !strcmp(seen[k], one.p);
		if (dup)
			continue;
		seen[nseen++] = arena_strdup(c->a, one.p);
		if (nseen > 1)
			buf_puts(w->out, w->authz ? ", " : ",");
		buf_puts(w->out, one.p);
	}
	buf_putc(w->out, ']');
}

/* The attributes of `root` under var `parent` (-1: top level) present in
 * the model, as a JSON object. */
static void put_attrs(struct sym_ctx *c, struct wctx *w, unsigned root, int parent)
{
	bool first = true;
	buf_puts(w->out, w->authz ? "{ " : "{");
	for (size_t i = 0; i < c->nvars; i++) {
		struct sym_var *v = &c->vars[i];
		if (v->root != root || v->parent != parent || !eval_bool(c, w->m, v->present))
			continue;
		if (!first)
			buf_puts(w->out, w->authz ? ", " : ",");
		first = false;
		if (w->authz) {         /* schema names are identifiers */
			buf_puts(w->out, v->name);
			buf_puts(w->out, ": ");
		} else {
			json_put_str(w->out, v->name, strlen(v->name));
			buf_putc(w->out, ':');
		}
		if (v->kind == AUTHZ_K_RECORD)
			put_attrs(c, w, root, (int)i);
		else
			put_value(c, w, &v->v);
	}
	if (w->authz && first)
		buf_truncate(w->out, w->out->n - 1);    /* "{}" */
	buf_puts(w->out, w->authz && !first ? " }" : "}");
}

/* The request in policy syntax, the lines of a test's inline request. */
static void put_authz(struct sym_ctx *c, struct wctx *w)
{
	char tmp[32];
	int64_t now = 0;
	for (unsigned r = 0; r < 2; r++) {
		buf_printf(w->out, "  %s %s ", r == 0 ? "principal" : "resource", r == 0 ? c->ptype : c->rtype);
		struct sym_val id = { .kind = AUTHZ_K_STRING, .x = r == 0 ? c->pid : c->rid,
				      .ic = r == 0 ? c->pid_ic : c->rid_ic };
		put_scalar(c, w, &id);
		buf_putc(w->out, ' ');
		put_attrs(c, w, r, -1);
		buf_putc(w->out, '\n');
		if (r == 0) {
			buf_puts(w->out, "  action ");
			put_text(w, NULL, c->action);
			buf_putc(w->out, '\n');
		}
	}
	buf_puts(w->out, "  context ");
	put_attrs(c, w, AUTHZ_ROOT_CONTEXT, -1);
	eval_i64(c, w->m, c->now, &now);
	authz_format_time(now, tmp);
	buf_puts(w->out, "\n  at ");
	put_text(w, "time", tmp);
	buf_putc(w->out, '\n');
}

int sym_witness(struct sym_ctx *c, Z3_model m, struct buf *out, struct buf *authz, Z3_ast *more)
{
	struct wctx w = { m, out, more, 0, false };
	const char *names[3] = { "principal", "resource", "context" };
	buf_reset(out);
	for (unsigned r = 0; r < 3; r++) {
		buf_puts(out, r == 0 ? "{" : ",");
		json_put_str(out, names[r], strlen(names[r]));
		buf_putc(out, ':');
		if (r < 2) {
			const char *t = r == 0 ? c->ptype : c->rtype;
			buf_puts(out, "{\"type\":");
			json_put_str(out, t, strlen(t));
			buf_puts(out, ",\"id\":");
			struct sym_val id = { .kind = AUTHZ_K_STRING, .x = r == 0 ? c->pid : c->rid,
					      .ic = r == 0 ? c->pid_ic : c->rid_ic };
			put_scalar(c, &w, &id);
			buf_puts(out, ",\"attrs\":");
		}
		put_attrs(c, &w, r, -1);
		if (r < 2)
			buf_putc(out, '}');
		if (r == 0) {
			buf_puts(out, ",\"action\":");
			json_put_str(out, c->action, strlen(c->action));
		}
	}
	int64_t now = 0;
	char tmp[32];
	eval_i64(c, m, c->now, &now);
	authz_format_time(now, tmp);
	buf_puts(out, ",\"time\":");
	json_put_str(out, tmp, strlen(tmp));
	buf_putc(out, '}');
	if (w.rc == 0 && authz) {
		struct wctx wa = { m, authz, more, 0, true };
		buf_reset(authz);
		put_authz(c, &wa);
		w.rc = wa.rc;
	}
	return w.rc;
}

/* ---- shared by the analyses ----------------------------------------------------- */

bool sym_in_scope(const struct sym_side *sd, uint32_t ri)
{
	const struct bundle_rule *r = &sd->b->rules[ri];
	return bit(r->principals, sd->pt) && bit(r->actions, sd->act) && bit(r->resources, sd->rt);
}

bool sym_mtrue(struct sym_ctx *c, Z3_model m, Z3_ast x)
{
	Z3_ast r = NULL;
	return Z3_model_eval(c->z, m, x, true, &r) && Z3_get_bool_value(c->z, r) == Z3_L_TRUE;
}

/*
 * Case splits try false first (phase_selection 0; Z3's default reuses each
 * literal's last value): a question names one or two rules, and with
 * attributes absent, sets empty and conditions false by default every
 * other rule, the forbids above all, is out of the way at once.  The
 * arithmetic is Z3's older simplex (arith.solver 2), faster on these
 * bounds and small sums than the default -- but only while every product
 * has a constant factor: on a product of two attributes that solver's
 * nonlinear path deadlocks in Z3 4.8.12 once a timeout is set (both of
 * its threads wait on locks, for good), so c->nonlinear keeps the
 * default.  Together they took the solver's checks of the 1,000-rule
 * benchmark set's lint from 18 s to 4.4 s (Z3 4.8.12).  A check may give
 * another model than before, never another answer.  Call after the
 * triple's rules are encoded.
 */
Z3_solver sym_solver(struct sym_ctx *c, unsigned timeout_ms)
{
	Z3_solver so = Z3_mk_solver(c->z);
	Z3_solver_inc_ref(c->z, so);
	Z3_params p = Z3_mk_params(c->z);
	Z3_params_inc_ref(c->z, p);
	if (timeout_ms)
		Z3_params_set_uint(c->z, p, Z3_mk_string_symbol(c->z, "timeout"), timeout_ms);
	Z3_params_set_uint(c->z, p, Z3_mk_string_symbol(c->z, "phase_selection"), 0);
	if (!c->nonlinear)
		Z3_params_set_uint(c->z, p, Z3_mk_string_symbol(c->z, "arith.solver"), 2);
	Z3_solver_set_params(c->z, so, p);
	Z3_params_dec_ref(c->z, p);
	return so;
}
