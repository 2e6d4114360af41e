/*
 * bundle_write.c: the bundle writer (see bundle_write.h for the contract
 * and bundle.h / authzc-bundle(5) for the bytes it produces).
 *
 * Everything is kept in growable arrays owned by the writer; bw_finish
 * lays the sections out in canonical order, so the same calls in the same
 * order give the same bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "bundle_write.h"
#include "fnv.h"
#include "grow.h"

/* A growable byte buffer. */
struct buf { uint8_t *p; size_t n, cap; };

static int buf_grow(struct buf *b, size_t more)
{
	return rt_grow((void **)&b->p, &b->cap, b->n + more, 1);
}

static int buf_put(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) < 0)
		return AUTHZ_ENOMEM;
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static int put_u8(struct buf *b, uint8_t v) { return buf_put(b, &v, 1); }
static int put_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	return buf_put(b, x, 4);
}

/* Typed growable arrays, as struct buf of elements. */
#define ARR_N(b, T) ((b).n / sizeof(T))
#define ARR_AT(b, T, i) (((T *)(b).p)[i])

/* Interning: open-addressing hash of byte keys (stored in `keys`) -> u32. */
struct intern {
	struct buf keys;        /* concatenated keys */
	struct buf ents;        /* struct ient */
	uint32_t *slots;        /* 1 + entry index, 0 empty */
	size_t nslots;
};
struct ient { size_t off, len; uint32_t value; };

static int intern_rehash(struct intern *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 64;
	uint32_t *s = calloc(n, sizeof *s);
	if (!s)
		return AUTHZ_ENOMEM;
	for (size_t i = 0; i < ARR_N(t->ents, struct ient); i++) {
		struct ient *e = &ARR_AT(t->ents, struct ient, i);
		size_t h = (size_t)rt_fnv1a(RT_FNV1A_INIT, t->keys.p + e->off, e->len) & (n - 1);
		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
	return 0;
}

/* Find `key`; if absent and `value` != NULL-ish, add it with *value.
 * Returns 1 found (sets *value), 0 added, <0 error. */
static int intern_get(struct intern *t, const void *key, size_t len, uint32_t *value, bool add)
{
	if ((ARR_N(t->ents, struct ient) + 1) * 2 > t->nslots && intern_rehash(t) < 0)
		return AUTHZ_ENOMEM;
	size_t h = (size_t)rt_fnv1a(RT_FNV1A_INIT, key, len) & (t->nslots - 1);
	while (t->slots[h]) {
		struct ient *e = &ARR_AT(t->ents, struct ient, t->slots[h] - 1);
		if (e->len == len && memcmp(t->keys.p + e->off, key, len) == 0) {
			*value = e->value;
			return 1;
		}
		h = (h + 1) & (t->nslots - 1);
	}
	if (!add)
		return AUTHZ_ENOTFOUND;
	struct ient e = { t->keys.n, len, *value };
	if (buf_put(&t->keys, key, len) < 0 || buf_put(&t->ents, &e, sizeof e) < 0)
		return AUTHZ_ENOMEM;
	t->slots[h] = (uint32_t)ARR_N(t->ents, struct ient);
	return 0;
}

static void intern_free(struct intern *t)
{
	free(t->keys.p);
	free(t->ents.p);
	free(t->slots);
}

/* A constant as its interning key: kind, fam/prefix or set element kind,
 * a 32-bit field (string index; first set element), 16 value bytes. */
struct wconst { uint8_t rec[24]; };
struct wfield { uint32_t owner, slot; uint8_t type, elem, optional, open; };
struct waction { uint32_t name, pfirst, np, rfirst, nr; };   /* into `lists` */
struct wrule {
	uint32_t id;
	uint8_t effect, has_expires;
	int64_t expires;
	uint32_t code_off, code_len, nguards, ann_first, ann_n, guard_first;
	uint32_t pfirst, np, afirst, na, rfirst, nr;                /* into `lists` */
	uint32_t file, line, col;
};

/* The tables a writer builds, declared once: each is a struct buf field
 * of the writer, freed by bw_free walking this list. */
#define WRITER_TABLES(X) \
	X(strtab)               /* u32 off, len */ \
	X(blob) \
	X(constv)               /* struct wconst */ \
	X(elems)                /* u32 */ \
	X(slots)                /* struct bundle_slot */ \
	X(fields)               /* struct wfield */ \
	X(types)                /* u32 name */ \
	X(actions)              /* struct waction */ \
	X(lists)                /* u32 */ \
	X(rules)                /* struct wrule */ \
	X(ann)                  /* u32 key, value */ \
	X(code)                 /* u32 */ \
	X(guards)               /* struct bundle_pos */ \
	X(files)                /* u32 */ \
	X(idmarks)              /* per string: used as a rule id */ \
	X(open_owners)          /* u32: owners open to undeclared attributes */

#define WRITER_TABLE_FIELD(name) struct buf name;

struct bundle_writer {
	int err;
	char errmsg[256];
	struct intern strings, consts;
	WRITER_TABLES(WRITER_TABLE_FIELD)
	uint32_t revision;
	bool in_rule;
};

static int fail(struct bundle_writer *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct bundle_writer *w, int code, const char *fmt, ...)
{
	if (w->err)
		return w->err;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
	va_end(ap);
	w->err = code;
	return code;
}

#define CHECK(w) do { if ((w)->err) return (w)->err; } while (0)
#define TRY(w, e) do { int e_ = (e); if (e_ < 0) return fail((w), e_, "out of memory"); } while (0)

int bw_new(struct bundle_writer **out)
{
	struct bundle_writer *w = calloc(1, sizeof *w);
	uint32_t empty;
	*out = NULL;
	if (!w)
		return AUTHZ_ENOMEM;
	/* String 0 is "" in every bundle. */
	if (bw_string(w, "", 0, &empty) < 0) {
		bw_free(w);
		return AUTHZ_ENOMEM;
	}
	*out = w;
	return 0;
}

void bw_free(struct bundle_writer *w)
{
	if (!w)
		return;
	intern_free(&w->strings);
	intern_free(&w->consts);
#define FREE_TABLE(name) free(w->name.p);
	WRITER_TABLES(FREE_TABLE)
#undef FREE_TABLE
	free(w);
}

const char *bw_error(const struct bundle_writer *w) { return w->errmsg; }

int bw_string(struct bundle_writer *w, const char *s, size_t len, uint32_t *out)
{
	CHECK(w);
	if (len >= AUTHZ_MAX_BUNDLE_SIZE || !rt_utf8_valid(s, len))
		return fail(w, AUTHZ_EINVAL, "string is not valid UTF-8 or too long");
	*out = (uint32_t)ARR_N(w->strtab, uint32_t) / 2;
	int found = intern_get(&w->strings, s, len, out, true);
	TRY(w, found);
	if (found)
		return 0;
	TRY(w, put_u32(&w->strtab, (uint32_t)w->blob.n));
	TRY(w, put_u32(&w->strtab, (uint32_t)len));
	TRY(w, buf_put(&w->blob, s, len));
	TRY(w, put_u8(&w->blob, 0));
	return 0;
}

static int add_const(struct bundle_writer *w, const struct wconst *c, const void *key, size_t klen,
		     uint32_t *out)
{
	*out = (uint32_t)ARR_N(w->constv, struct wconst);
	int found = intern_get(&w->consts, key, klen, out, true);
	TRY(w, found);
	if (!found)
		TRY(w, buf_put(&w->constv, c, sizeof *c));
	return 0;
}

static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

int bw_const_int(struct bundle_writer *w, enum authz_kind kind, int64_t v, uint32_t *out)
{
	CHECK(w);
	if (kind != AUTHZ_K_BOOL && kind != AUTHZ_K_INT && kind != AUTHZ_K_TIMESTAMP &&
	    kind != AUTHZ_K_DURATION)
		return fail(w, AUTHZ_EINVAL, "bad constant kind %d", (int)kind);
	if (kind == AUTHZ_K_BOOL)
		v = v != 0;
	struct wconst c = { { 0 } };
	c.rec[0] = (uint8_t)kind;
	le64(c.rec + 8, (uint64_t)v);
	return add_const(w, &c, c.rec, sizeof c.rec, out);
}

int bw_const_string(struct bundle_writer *w, const char *s, size_t len, uint32_t *out)
{
	uint32_t si;
	int e = bw_string(w, s, len, &si);
	if (e < 0)
		return e;
	struct wconst c = { { 0 } };
	c.rec[0] = AUTHZ_K_STRING;
	le32(c.rec + 4, si);
	return add_const(w, &c, c.rec, sizeof c.rec, out);
}

int bw_const_ip(struct bundle_writer *w, const authz_ip *ip, uint32_t *out)
{
	CHECK(w);
	struct vm_value v;
	if (!rt_ip_value(ip, &v))
		return fail(w, AUTHZ_EINVAL, "bad ip address (family %u, prefix %u)",
			    ip ? ip->family : 0u, ip ? ip->prefix : 0u);
	struct wconst c = { { 0 } };
	c.rec[0] = AUTHZ_K_IP;
	c.rec[1] = v.fam;
	c.rec[2] = v.prefix;
	memcpy(c.rec + 8, v.u.ip, 16);
	return add_const(w, &c, c.rec, sizeof c.rec, out);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int bw_const_set(struct bundle_writer *w, const uint32_t *elems, size_t n, uint32_t *out)
{
	CHECK(w);
	size_t nconst = ARR_N(w->constv, struct wconst);
	uint32_t *s = malloc((n + 1) * sizeof *s);
	if (!s)
		return fail(w, AUTHZ_ENOMEM, "out of memory");
	s[0] = UINT32_MAX;      /* key tag: sets never collide with 24-byte scalar keys */
	memcpy(s + 1, elems, n * sizeof *s);
	qsort(s + 1, n, sizeof *s, cmp_u32);
	size_t m = 0;
	uint8_t kind = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t e = s[1 + i];
		if (e >= nconst) {
			free(s);
			return fail(w, AUTHZ_EINVAL, "set element %u is not a constant", (unsigned)e);
		}
		uint8_t k = ARR_AT(w->constv, struct wconst, e).rec[0];
		if (k == AUTHZ_K_SET || (kind && k != kind)) {
			free(s);
			return fail(w, AUTHZ_EINVAL, "set elements must be scalars of one kind");
		}
		kind = k;
		if (m == 0 || s[m] != e)
			s[1 + m++] = e;
	}
	struct wconst c = { { 0 } };
	c.rec[0] = AUTHZ_K_SET;
	c.rec[3] = kind;
	le32(c.rec + 4, (uint32_t)ARR_N(w->elems, uint32_t));
	le32(c.rec + 8, (uint32_t)m);
	uint32_t before = (uint32_t)ARR_N(w->constv, struct wconst);
	int e = add_const(w, &c, s, (m + 1) * sizeof *s, out);
	if (e == 0 && *out == before)
		for (size_t i = 0; i < m && e == 0; i++)
			e = put_u32(&w->elems, s[1 + i]);
	free(s);
	TRY(w, e);
	return 0;
}

/* The index of `v` in u32 array `b`, or -1. */
static int64_t find_u32(const struct buf *b, uint32_t v)
{
	for (size_t i = 0; i < ARR_N(*b, uint32_t); i++)
		if (ARR_AT(*b, uint32_t, i) == v)
			return (int64_t)i;
	return -1;
}

int bw_entity_type(struct bundle_writer *w, const char *name, uint32_t *out_type)
{
	CHECK(w);
	uint32_t si;
	if (bw_string(w, name, strlen(name), &si) < 0)
		return w->err;
	if (find_u32(&w->types, si) >= 0)
		return fail(w, AUTHZ_EINVAL, "duplicate entity type '%s'", name);
	*out_type = (uint32_t)ARR_N(w->types, uint32_t);
	TRY(w, put_u32(&w->types, si));
	return 0;
}

/* The slot of (ns, parent, name), optionally created. */
static int find_slot(struct bundle_writer *w, uint32_t ns, uint32_t parent, uint32_t name, bool add,
		     uint32_t *out)
{
	size_t n = ARR_N(w->slots, struct bundle_slot);
	for (size_t i = 0; i < n; i++) {
		struct bundle_slot *s = &ARR_AT(w->slots, struct bundle_slot, i);
		if (s->ns == ns && s->parent == parent && s->name == name) {
			*out = (uint32_t)i;
			return 0;
		}
	}
	if (!add)
		return AUTHZ_ENOTFOUND;
	if (n > AUTHZ_MAXARG_B)
		return fail(w, AUTHZ_EINVAL, "too many attribute slots (at most %u)", AUTHZ_MAXARG_B + 1);
	struct bundle_slot s = { parent, name, ns };
	TRY(w, buf_put(&w->slots, &s, sizeof s));
	*out = (uint32_t)n;
	return 0;
}

static struct wfield *find_field(struct bundle_writer *w, uint32_t owner, uint32_t slot)
{
	for (size_t i = 0; i < ARR_N(w->fields, struct wfield); i++) {
		struct wfield *f = &ARR_AT(w->fields, struct wfield, i);
		if (f->owner == owner && f->slot == slot)
			return f;
	}
	return NULL;
}

int bw_attr(struct bundle_writer *w, uint32_t owner, const char *const *path, size_t depth,
	    enum authz_kind type, enum authz_kind elem, bool optional, uint32_t *out_slot)
{
	CHECK(w);
	uint32_t ns = owner == BW_CONTEXT ? NS_CONTEXT : NS_ENTITY;
	if (owner != BW_CONTEXT && owner >= ARR_N(w->types, uint32_t))
		return fail(w, AUTHZ_EINVAL, "no entity type %u", (unsigned)owner);
	if (depth == 0 || depth > AUTHZ_MAX_DEPTH)
		return fail(w, AUTHZ_EINVAL, "attribute path of depth %zu", depth);
	if (type < AUTHZ_K_BOOL || type > AUTHZ_K_RECORD ||
	    (type == AUTHZ_K_SET) != (elem >= AUTHZ_K_BOOL && elem <= AUTHZ_K_IP) ||
	    (type != AUTHZ_K_SET && elem != AUTHZ_K_NONE))
		return fail(w, AUTHZ_EINVAL, "bad attribute type for '%s'", path[depth - 1]);
	uint32_t parent = BUNDLE_NO_INDEX, slot = 0;
	for (size_t i = 0; i < depth; i++) {
		uint32_t name;
		if (bw_string(w, path[i], strlen(path[i]), &name) < 0)
			return w->err;
		int e = find_slot(w, ns, parent, name, i + 1 == depth, &slot);
		if (e < 0)
			return fail(w, e == AUTHZ_ENOTFOUND ? AUTHZ_EINVAL : e,
				    "parent of attribute '%s' is not declared", path[depth - 1]);
		if (i + 1 < depth) {
			struct wfield *pf = find_field(w, owner, slot);
			if (!pf || pf->type != AUTHZ_K_RECORD)
				return fail(w, AUTHZ_EINVAL, "parent of attribute '%s' is not a record",
					    path[depth - 1]);
		}
		parent = slot;
	}
	if (find_field(w, owner, slot))
		return fail(w, AUTHZ_EINVAL, "duplicate attribute '%s'", path[depth - 1]);
	struct wfield f = { owner, slot, (uint8_t)type, (uint8_t)elem, optional, 0 };
	TRY(w, buf_put(&w->fields, &f, sizeof f));
	*out_slot = slot;
	return 0;
}

int bw_open(struct bundle_writer *w, uint32_t owner, const char *const *path, size_t depth)
{
	CHECK(w);
	uint32_t ns = owner == BW_CONTEXT ? NS_CONTEXT : NS_ENTITY;
	if (owner != BW_CONTEXT && owner >= ARR_N(w->types, uint32_t))
		return fail(w, AUTHZ_EINVAL, "no entity type %u", (unsigned)owner);
	if (depth == 0) {
		if (find_u32(&w->open_owners, owner) < 0)
			TRY(w, put_u32(&w->open_owners, owner));
		return 0;
	}
	uint32_t slot;
	struct wfield *f;
	if (bw_slot(w, (enum bw_ns)ns, path, depth, &slot) < 0 || !(f = find_field(w, owner, slot)) ||
	    f->type != AUTHZ_K_RECORD)
		return fail(w, w->err == AUTHZ_ENOMEM ? AUTHZ_ENOMEM : AUTHZ_EINVAL,
			    "attribute '%s' is not a declared record", depth ? path[depth - 1] : "");
	f->open = 1;
	return 0;
}

int bw_slot(struct bundle_writer *w, enum bw_ns ns, const char *const *path, size_t depth,
	    uint32_t *out_slot)
{
	CHECK(w);
	uint32_t parent = BUNDLE_NO_INDEX;
	for (size_t i = 0; i < depth; i++) {
		uint32_t name;
		int found = intern_get(&w->strings, path[i], strlen(path[i]), &name, false);
		if (found == AUTHZ_ENOMEM)      /* the lookup may grow the table */
			return fail(w, AUTHZ_ENOMEM, "out of memory");
		if (found < 0 || find_slot(w, (uint32_t)ns, parent, name, false, &parent) < 0)
			return AUTHZ_ENOTFOUND;
	}
	if (depth == 0)
		return AUTHZ_ENOTFOUND;
	*out_slot = parent;
	return 0;
}

static int put_list(struct bundle_writer *w, const uint32_t *v, size_t n, uint32_t limit,
		    const char *what, uint32_t *first)
{
	*first = (uint32_t)ARR_N(w->lists, uint32_t);
	for (size_t i = 0; i < n; i++) {
		if (v[i] >= limit)
			return fail(w, AUTHZ_EINVAL, "no %s %u", what, (unsigned)v[i]);
		TRY(w, put_u32(&w->lists, v[i]));
	}
	return 0;
}

int bw_action(struct bundle_writer *w, const char *name, const uint32_t *principal_types, size_t np,
	      const uint32_t *resource_types, size_t nr, uint32_t *out_action)
{
	CHECK(w);
	struct waction a = { 0, 0, (uint32_t)np, 0, (uint32_t)nr };
	uint32_t ntypes = (uint32_t)ARR_N(w->types, uint32_t);
	if (bw_string(w, name, strlen(name), &a.name) < 0)
		return w->err;
	for (size_t i = 0; i < ARR_N(w->actions, struct waction); i++)
		if (ARR_AT(w->actions, struct waction, i).name == a.name)
			return fail(w, AUTHZ_EINVAL, "duplicate action '%s'", name);
	if (put_list(w, principal_types, np, ntypes, "entity type", &a.pfirst) < 0 ||
	    put_list(w, resource_types, nr, ntypes, "entity type", &a.rfirst) < 0)
		return w->err;
	*out_action = (uint32_t)ARR_N(w->actions, struct waction);
	TRY(w, buf_put(&w->actions, &a, sizeof a));
	return 0;
}

int bw_file(struct bundle_writer *w, const char *name, uint32_t *out_file)
{
	CHECK(w);
	uint32_t si;
	if (bw_string(w, name, strlen(name), &si) < 0)
		return w->err;
	int64_t at = find_u32(&w->files, si);
	if (at >= 0) {
		*out_file = (uint32_t)at;
		return 0;
	}
	*out_file = (uint32_t)ARR_N(w->files, uint32_t);
	TRY(w, put_u32(&w->files, si));
	return 0;
}

static struct wrule *cur_rule(struct bundle_writer *w)
{
	return &ARR_AT(w->rules, struct wrule, ARR_N(w->rules, struct wrule) - 1);
}

int bw_rule_begin(struct bundle_writer *w, const struct bw_rule_desc *d, uint32_t *out_rule)
{
	CHECK(w);
	if (w->in_rule)
		return fail(w, AUTHZ_EINVAL, "rule begun inside rule");
	struct wrule r = { 0 };
	if (bw_string(w, d->id, strlen(d->id), &r.id) < 0)
		return w->err;
	/* rule ids: one mark per string index (strings are interned) */
	size_t nstr = ARR_N(w->strtab, uint32_t) / 2;
	if (nstr > w->idmarks.n) {
		TRY(w, buf_grow(&w->idmarks, nstr - w->idmarks.n));
		memset(w->idmarks.p + w->idmarks.n, 0, w->idmarks.cap - w->idmarks.n);
		w->idmarks.n = w->idmarks.cap;
	}
	if (w->idmarks.p[r.id])
		return fail(w, AUTHZ_EINVAL, "duplicate rule id '%s'", d->id);
	w->idmarks.p[r.id] = 1;
	if (d->effect != AUTHZ_PERMIT && d->effect != AUTHZ_FORBID)
		return fail(w, AUTHZ_EINVAL, "bad effect of rule '%s'", d->id);
	if (ARR_N(w->rules, struct wrule) >= AUTHZ_MAX_COUNT)
		return fail(w, AUTHZ_EINVAL, "too many rules");
	uint32_t ntypes = (uint32_t)ARR_N(w->types, uint32_t);
	uint32_t nactions = (uint32_t)ARR_N(w->actions, struct waction);
	r.effect = (uint8_t)d->effect;
	r.has_expires = d->has_expires;
	r.expires = d->has_expires ? d->expires_ms : 0;
	r.np = (uint32_t)d->nprincipal_types;
	r.na = (uint32_t)d->nactions;
	r.nr = (uint32_t)d->nresource_types;
	if (put_list(w, d->principal_types, r.np, ntypes, "entity type", &r.pfirst) < 0 ||
	    put_list(w, d->actions, r.na, nactions, "action", &r.afirst) < 0 ||
	    put_list(w, d->resource_types, r.nr, ntypes, "entity type", &r.rfirst) < 0)
		return w->err;
	if (ARR_N(w->files, uint32_t) ? d->file >= ARR_N(w->files, uint32_t) : d->file != 0)
		return fail(w, AUTHZ_EINVAL, "no file %u", (unsigned)d->file);
	r.file = d->file;
	r.line = d->line;
	r.col = d->col;
	r.code_off = (uint32_t)ARR_N(w->code, uint32_t);
	r.ann_first = (uint32_t)ARR_N(w->ann, uint32_t) / 2;
	r.guard_first = (uint32_t)ARR_N(w->guards, struct bundle_pos);
	*out_rule = (uint32_t)ARR_N(w->rules, struct wrule);
	TRY(w, buf_put(&w->rules, &r, sizeof r));
	w->in_rule = true;
	return 0;
}

int bw_annotation(struct bundle_writer *w, const char *key, const char *value)
{
	CHECK(w);
	if (!w->in_rule)
		return fail(w, AUTHZ_EINVAL, "annotation outside a rule");
	uint32_t k, v;
	if (bw_string(w, key, strlen(key), &k) < 0 || bw_string(w, value, strlen(value), &v) < 0)
		return w->err;
	TRY(w, put_u32(&w->ann, k));
	TRY(w, put_u32(&w->ann, v));
	cur_rule(w)->ann_n++;
	return 0;
}

int bw_guard(struct bundle_writer *w, uint32_t file, uint32_t line, uint32_t col, const char *text,
	     uint32_t *out_guard)
{
	CHECK(w);
	if (!w->in_rule)
		return fail(w, AUTHZ_EINVAL, "guard outside a rule");
	struct bundle_pos p = { file, line, col, 0 };
	if (bw_string(w, text, strlen(text), &p.extra) < 0)
		return w->err;
	if (ARR_N(w->files, uint32_t) ? file >= ARR_N(w->files, uint32_t) : file != 0)
		return fail(w, AUTHZ_EINVAL, "no file %u", (unsigned)file);
	if (cur_rule(w)->nguards > AUTHZ_MAXARG_AX)
		return fail(w, AUTHZ_EINVAL, "too many guards");
	TRY(w, buf_put(&w->guards, &p, sizeof p));
	*out_guard = cur_rule(w)->nguards++;
	return 0;
}

uint32_t bw_pc(const struct bundle_writer *w)
{
	if (!w->in_rule)
		return 0;
	const struct wrule *r = &((const struct wrule *)w->rules.p)[ARR_N(w->rules, struct wrule) - 1];
	return (uint32_t)(ARR_N(w->code, uint32_t) - r->code_off);
}

int bw_emit(struct bundle_writer *w, uint32_t instr)
{
	CHECK(w);
	if (!w->in_rule)
		return fail(w, AUTHZ_EINVAL, "instruction outside a rule");
	if (bw_pc(w) >= AUTHZ_MAXARG_AX)
		return fail(w, AUTHZ_EINVAL, "rule '%s' compiled to too many instructions",
			    (const char *)w->blob.p +
			    ARR_AT(w->strtab, uint32_t, 2 * cur_rule(w)->id));
	TRY(w, put_u32(&w->code, instr));
	return 0;
}

static uint32_t *code_at(struct bundle_writer *w, uint32_t pc)
{
	return &ARR_AT(w->code, uint32_t, cur_rule(w)->code_off + pc);
}

int bw_jump(struct bundle_writer *w, enum authz_op op, uint32_t *list)
{
	CHECK(w);
	if (op != AUTHZ_OP_JMP && op != AUTHZ_OP_JT && op != AUTHZ_OP_JF)
		return fail(w, AUTHZ_EINVAL, "not a jump");
	/* The pending list is threaded through Ax: the next entry's pc, or
	 * AUTHZ_MAXARG_AX at the end. */
	uint32_t pc = bw_pc(w);
	int e = bw_emit(w, AUTHZ_CREATE_AX(op, *list == BW_NO_JUMP ? AUTHZ_MAXARG_AX : *list));
	if (e == 0)
		*list = pc;
	return e;
}

int bw_concat(struct bundle_writer *w, uint32_t *l1, uint32_t l2)
{
	CHECK(w);
	if (l2 == BW_NO_JUMP)
		return 0;
	if (*l1 == BW_NO_JUMP) {
		*l1 = l2;
		return 0;
	}
	uint32_t pc = *l1;
	for (;;) {
		uint32_t *ins = code_at(w, pc), next = AUTHZ_GET_AX(*ins);
		if (next == AUTHZ_MAXARG_AX) {
			*ins = AUTHZ_CREATE_AX(AUTHZ_GET_OP(*ins), l2);
			return 0;
		}
		pc = next;
	}
}

int bw_patch_here(struct bundle_writer *w, uint32_t list)
{
	CHECK(w);
	uint32_t here = bw_pc(w);
	while (list != BW_NO_JUMP && list != AUTHZ_MAXARG_AX) {
		if (list >= here)
			return fail(w, AUTHZ_EINVAL, "bad jump list");
		uint32_t *ins = code_at(w, list), next = AUTHZ_GET_AX(*ins);
		*ins = AUTHZ_CREATE_AX(AUTHZ_GET_OP(*ins), here - list - 1);
		list = next;
	}
	return 0;
}

int bw_rule_end(struct bundle_writer *w)
{
	CHECK(w);
	if (!w->in_rule)
		return fail(w, AUTHZ_EINVAL, "no rule to end");
	struct wrule *r = cur_rule(w);
	r->code_len = bw_pc(w);
	if (r->code_len == 0 || AUTHZ_GET_OP(*code_at(w, r->code_len - 1)) != AUTHZ_OP_APPLY)
		return fail(w, AUTHZ_EINVAL, "rule does not end with APPLY");
	w->in_rule = false;
	return 0;
}

int bw_set_revision(struct bundle_writer *w, const char *rev)
{
	return bw_string(w, rev, strlen(rev), &w->revision);
}

/* {====================================================================
** Serialization (format version 2: varints, authzc-bundle(5))
** ===================================================================== */

/* Unsigned LEB128: 7 bits per byte, low groups first, high bit "more". */
static int put_var(struct buf *b, uint64_t v)
{
	uint8_t x[10];
	size_t n = 0;
	do {
		x[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			x[n] |= 0x80;
		n++;
	} while (v);
	return buf_put(b, x, n);
}

/* Signed values zigzag-encoded: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ... */
static int put_svar(struct buf *b, int64_t v)
{
	return put_var(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A type or action list: its sorted, deduplicated indices as varints after
 * their count.  `any` (a scope of every type) is written as count 0. */
static int put_set(struct buf *b, const uint32_t *list, size_t n)
{
	uint32_t *s = malloc((n + 1) * sizeof *s);
	if (!s)
		return AUTHZ_ENOMEM;
	memcpy(s, list, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || s[m - 1] != s[i])
			s[m++] = s[i];
	int e = put_var(b, m);
	for (size_t i = 0; i < m && e == 0; i++)
		e = put_var(b, s[i]);
	free(s);
	return e;
}

/* Append owner `owner`'s fields breadth-first: top-level ones first, then
 * each record's children together. */
static int put_owner_fields(struct bundle_writer *w, struct buf *out, uint32_t owner, uint32_t *count,
			    uint32_t *ntop)
{
	size_t nf = ARR_N(w->fields, struct wfield);
	uint32_t start = *count, n = 0;
	/* order[] holds field indices in output order; children found per parent */
	uint32_t *order = malloc((nf + 1) * sizeof *order);
	if (!order)
		return AUTHZ_ENOMEM;
	for (size_t i = 0; i < nf; i++) {
		struct wfield *f = &ARR_AT(w->fields, struct wfield, i);
		if (f->owner == owner && ARR_AT(w->slots, struct bundle_slot, f->slot).parent == BUNDLE_NO_INDEX)
			order[n++] = (uint32_t)i;
	}
	*ntop = n;
	for (uint32_t k = 0; k < n; k++) {
		struct wfield *f = &ARR_AT(w->fields, struct wfield, order[k]);
		uint32_t first = n, nchild = 0;
		if (f->type == AUTHZ_K_RECORD)
			for (size_t i = 0; i < nf; i++) {
				struct wfield *c = &ARR_AT(w->fields, struct wfield, i);
				if (c->owner == owner &&
				    ARR_AT(w->slots, struct bundle_slot, c->slot).parent == f->slot)
					order[n + nchild++] = (uint32_t)i;
			}
		int e = put_var(out, f->slot);
		e = e ? e : put_u8(out, f->type);
		e = e ? e : put_u8(out, f->elem);
		e = e ? e : put_u8(out, (uint8_t)((f->optional ? BUNDLE_F_OPTIONAL : 0) |
						   (f->open ? BUNDLE_F_OPEN : 0)));
		e = e ? e : put_var(out, nchild);
		if (nchild)
			e = e ? e : put_var(out, start + first);
		if (e) {
			free(order);
			return e;
		}
		n += nchild;
	}
	free(order);
	*count += n;
	return 0;
}

static int put_const(struct bundle_writer *w, struct buf *b, const struct wconst *c)
{
	const uint8_t *r = c->rec;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r[8 + i];
	uint32_t a = (uint32_t)r[4] | (uint32_t)r[5] << 8 | (uint32_t)r[6] << 16 | (uint32_t)r[7] << 24;
	int e = put_u8(b, r[0]);
	switch (r[0]) {
	case AUTHZ_K_BOOL:
		return e ? e : put_u8(b, (uint8_t)v);
	case AUTHZ_K_INT:
	case AUTHZ_K_TIMESTAMP:
	case AUTHZ_K_DURATION:
		return e ? e : put_svar(b, (int64_t)v);
	case AUTHZ_K_STRING:
		return e ? e : put_var(b, a);
	case AUTHZ_K_IP:
		e = e ? e : put_u8(b, r[1]);
		e = e ? e : put_u8(b, r[2]);
		return e ? e : buf_put(b, r + 8, r[1] == 4 ? 4 : 16);
	case AUTHZ_K_SET:
		e = e ? e : put_u8(b, r[3]);
		e = e ? e : put_var(b, v);
		for (uint64_t i = 0; i < v && e == 0; i++)
			e = put_var(b, ARR_AT(w->elems, uint32_t, a + i));
		return e;
	}
	return AUTHZ_EINVAL;
}

/* One instruction: its opcode byte, then its operands as its format
 * stores them (authz_fmt_wire). */
static int put_instr(struct buf *b, uint32_t ins)
{
	uint32_t op = AUTHZ_GET_OP(ins);
	int e = put_u8(b, (uint8_t)op);
	switch (authz_fmt_wire(authz_op_info(op)->fmt)) {
	case AUTHZ_WIRE_NONE:
		return e;
	case AUTHZ_WIRE_AX:
		return e ? e : put_var(b, AUTHZ_GET_AX(ins));
	case AUTHZ_WIRE_A:
		return e ? e : put_u8(b, (uint8_t)AUTHZ_GET_A(ins));
	case AUTHZ_WIRE_AB:
		e = e ? e : put_u8(b, (uint8_t)AUTHZ_GET_A(ins));
		return e ? e : put_var(b, AUTHZ_GET_B(ins));
	}
	return AUTHZ_EINVAL;
}

static int serialize(struct bundle_writer *w, struct buf *sec)
{
	uint32_t ntypes = (uint32_t)ARR_N(w->types, uint32_t);
	uint32_t nactions = (uint32_t)ARR_N(w->actions, struct waction);
	uint32_t nrules = (uint32_t)ARR_N(w->rules, struct wrule);
	const uint32_t *lists = (const uint32_t *)w->lists.p;
	int e = 0;
#define P(x) do { if ((e = (x)) < 0) return e; } while (0)
	/* strings: count, then length-prefixed bytes */
	struct buf *b = &sec[SEC_STRINGS - 1];
	P(put_var(b, ARR_N(w->strtab, uint32_t) / 2));
	for (size_t i = 0; i < ARR_N(w->strtab, uint32_t); i += 2) {
		uint32_t off = ARR_AT(w->strtab, uint32_t, i), len = ARR_AT(w->strtab, uint32_t, i + 1);
		P(put_var(b, len));
		P(buf_put(b, w->blob.p + off, len));
	}
	/* constants, by kind */
	b = &sec[SEC_CONSTS - 1];
	P(put_var(b, ARR_N(w->constv, struct wconst)));
	for (size_t i = 0; i < ARR_N(w->constv, struct wconst); i++)
		P(put_const(w, b, &ARR_AT(w->constv, struct wconst, i)));
	/* schema */
	b = &sec[SEC_SCHEMA - 1];
	P(put_var(b, ARR_N(w->slots, struct bundle_slot)));
	for (size_t i = 0; i < ARR_N(w->slots, struct bundle_slot); i++) {
		struct bundle_slot *s = &ARR_AT(w->slots, struct bundle_slot, i);
		P(put_var(b, s->parent == BUNDLE_NO_INDEX ? 0 : (uint64_t)s->parent + 1));
		P(put_var(b, s->name));
		P(put_u8(b, (uint8_t)s->ns));
	}
	P(put_var(b, ARR_N(w->fields, struct wfield)));
	struct buf owners = { 0 };
	uint32_t count = 0;
	for (uint32_t t = 0; t <= ntypes; t++) {
		uint32_t first = count, ntop;
		uint32_t owner = t == ntypes ? BW_CONTEXT : t;
		if ((e = put_owner_fields(w, b, owner, &count, &ntop)) < 0 ||
		    (t < ntypes && (e = put_var(&owners, ARR_AT(w->types, uint32_t, t))) < 0) ||
		    (e = put_var(&owners, ntop)) < 0 || (e = put_var(&owners, count - first)) < 0 ||
		    (e = put_u8(&owners, find_u32(&w->open_owners, owner) >= 0 ? BUNDLE_F_OPEN : 0)) < 0) {
			free(owners.p);
			return e;
		}
	}
	e = put_var(b, ntypes);
	e = e ? e : buf_put(b, owners.p, owners.n);
	free(owners.p);
	if (e)
		return e;
	P(put_var(b, nactions));
	for (uint32_t a = 0; a < nactions; a++) {
		struct waction *ac = &ARR_AT(w->actions, struct waction, a);
		P(put_var(b, ac->name));
		P(put_set(b, lists + ac->pfirst, ac->np));
		P(put_set(b, lists + ac->rfirst, ac->nr));
	}
	/* rules, each with its annotations and scope */
	b = &sec[SEC_RULES - 1];
	P(put_var(b, nrules));
	for (uint32_t i = 0; i < nrules; i++) {
		struct wrule *r = &ARR_AT(w->rules, struct wrule, i);
		P(put_var(b, r->id));
		P(put_u8(b, (uint8_t)(r->effect | r->has_expires << 1)));
		if (r->has_expires)
			P(put_svar(b, r->expires));
		P(put_var(b, r->code_len));
		P(put_var(b, r->nguards));
		P(put_var(b, r->ann_n));
		for (uint32_t k = 0; k < 2 * r->ann_n; k++)
			P(put_var(b, ARR_AT(w->ann, uint32_t, 2 * r->ann_first + k)));
		P(put_set(b, lists + r->pfirst, r->np));
		P(put_set(b, lists + r->afirst, r->na));
		P(put_set(b, lists + r->rfirst, r->nr));
	}
	/* code */
	b = &sec[SEC_CODE - 1];
	P(put_var(b, ARR_N(w->code, uint32_t)));
	for (size_t i = 0; i < ARR_N(w->code, uint32_t); i++)
		P(put_instr(b, ARR_AT(w->code, uint32_t, i)));
	/* debug: per rule its position, then its guards' positions and texts */
	b = &sec[SEC_DEBUG - 1];
	P(put_var(b, ARR_N(w->files, uint32_t)));
	for (size_t i = 0; i < ARR_N(w->files, uint32_t); i++)
		P(put_var(b, ARR_AT(w->files, uint32_t, i)));
	P(put_var(b, nrules));
	for (uint32_t i = 0; i < nrules; i++) {
		struct wrule *r = &ARR_AT(w->rules, struct wrule, i);
		P(put_var(b, r->file));
		P(put_var(b, r->line));
		P(put_var(b, r->col));
		for (uint32_t k = 0; k < r->nguards; k++) {
			struct bundle_pos *p = &ARR_AT(w->guards, struct bundle_pos, r->guard_first + k);
			P(put_var(b, p->file));
			P(put_var(b, p->line));
			P(put_var(b, p->col));
			P(put_var(b, p->extra));
		}
	}
	/* meta */
	P(put_var(&sec[SEC_META - 1], w->revision));
#undef P
	return 0;
}

int bw_finish(struct bundle_writer *w, uint8_t **out, size_t *len)
{
	CHECK(w);
	*out = NULL;
	*len = 0;
	if (w->in_rule)
		return fail(w, AUTHZ_EINVAL, "rule not ended");
	struct buf sec[BUNDLE_NSECTIONS] = { { 0 } };
	struct buf file = { 0 };
	int e = serialize(w, sec);
	if (e == 0) {
		uint8_t hdr[BUNDLE_HEADER_SIZE] = { 0 };
		memcpy(hdr, BUNDLE_MAGIC, 4);
		hdr[4] = BUNDLE_VERSION;
		memcpy(hdr + 8, BUNDLE_PROBE, 8);
		le64(hdr + 16, BUNDLE_SENTINEL);
		le32(hdr + 64, BUNDLE_NSECTIONS);
		e = buf_put(&file, hdr, sizeof hdr);
		/* the section table: each section's length, in section order */
		for (int i = 0; i < BUNDLE_NSECTIONS && e == 0; i++)
			e = put_var(&file, sec[i].n);
		for (int i = 0; i < BUNDLE_NSECTIONS && e == 0; i++)
			e = buf_put(&file, sec[i].p, sec[i].n);
	}
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		free(sec[i].p);
	if (e == 0 && file.n > AUTHZ_MAX_BUNDLE_SIZE)
		e = fail(w, AUTHZ_EINVAL, "bundle larger than %u bytes", (unsigned)AUTHZ_MAX_BUNDLE_SIZE);
	if (e < 0) {
		free(file.p);
		return fail(w, e, "out of memory");
	}
	le64(file.p + 24, file.n);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, file.p, 32);
	crypto_hash_sha256_update(&st, file.p + 64, file.n - 64);
	crypto_hash_sha256_final(&st, file.p + 32);
	authz_bundle *check;
	authz_error err;
	if ((e = authz_bundle_load(&check, file.p, file.n, &err)) < 0) {
		free(file.p);
		return fail(w, e, "%s", err.message);
	}
	authz_bundle_free(check);
	*out = file.p;
	*len = file.n;
	return 0;
}

/* The SHA-256 of bytes [0,32) and [64,len) of a bundle body into p[32..64). */
static void put_digest(uint8_t *p, size_t len)
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, p, 32);
	crypto_hash_sha256_update(&st, p + 64, len - 64);
	crypto_hash_sha256_final(&st, p + 32);
}

int bw_sign(const uint8_t *in, size_t len, const uint8_t pk[AUTHZ_PUBLIC_KEY_BYTES], bw_signer sign,
	    void *ctx, uint8_t **out, size_t *outlen, authz_error *err)
{
	*out = NULL;
	*outlen = 0;
	authz_bundle *check = NULL;
	int e = authz_bundle_load(&check, in, len, err);
	authz_bundle_free(check);
	if (e < 0)
		return e;
	if (in[4] != BUNDLE_VERSION) {
		rt_bundle_error(err, AUTHZ_EINVAL, "the bundle is signed already");
		return AUTHZ_EINVAL;
	}
	uint8_t *p = malloc(len + SIG_SECTION_SIZE);
	if (!p) {
		rt_bundle_error(err, AUTHZ_ENOMEM, "out of memory");
		return AUTHZ_ENOMEM;
	}
	memcpy(p, in, len);
	p[4] = BUNDLE_VERSION_SIGNED;
	put_digest(p, len);
	authz_public_key key;
	memcpy(key.key, pk, sizeof key.key);
	char id[AUTHZ_KEY_ID_CHARS + 1];
	authz_key_id(&key, id);
	uint8_t *sec = p + len;
	memcpy(sec, SIG_MAGIC, 4);
	size_t idlen = 0;
	if (sodium_hex2bin(sec + 4, SIG_KEYID_BYTES, id, AUTHZ_KEY_ID_CHARS, NULL, &idlen, NULL) != 0 ||
	    idlen != SIG_KEYID_BYTES) {
		free(p);
		rt_bundle_error(err, AUTHZ_ERROR, "cannot make the key id");
		return AUTHZ_ERROR;
	}
	memcpy(sec + 4 + SIG_KEYID_BYTES, p + 32, 32);
	uint8_t msg[sizeof SIG_DOMAIN + 32 + SIG_KEYID_BYTES];
	memcpy(msg, SIG_DOMAIN, sizeof SIG_DOMAIN);
	memcpy(msg + sizeof SIG_DOMAIN, p + 32, 32);
	memcpy(msg + sizeof SIG_DOMAIN + 32, sec + 4, SIG_KEYID_BYTES);
	sign(ctx, msg, sizeof msg, sec + 4 + SIG_KEYID_BYTES + 32);
	authz_load_options opts = { &key, 1 };
	if ((e = authz_bundle_load_ex(&check, p, len + SIG_SECTION_SIZE, &opts, err)) < 0) {
		free(p);
		return e;
	}
	authz_bundle_free(check);
	*out = p;
	*outlen = len + SIG_SECTION_SIZE;
	return 0;
}
