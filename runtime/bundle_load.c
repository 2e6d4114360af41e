/*
 * bundle_load.c: load a bundle and verify everything but the code (which
 * verify.c checks).  The bytes are hostile until proven otherwise: the
 * order is header -> digest -> section table -> each section's counts,
 * offsets and indices.  Nothing is allocated in proportion to a count
 * before the bytes that count describes have been seen to exist.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"

void rt_bundle_error(authz_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return;
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

#define BAD(...) do { rt_bundle_error(err, AUTHZ_EFORMAT, "bad bundle format (" __VA_ARGS__); \
		      return AUTHZ_EFORMAT; } while (0)

/* A bounds-checked reader over one section. */
struct cur { const uint8_t *p; size_t n, at; bool bad; };

static uint32_t rd_u32(struct cur *c)
{
	if (c->bad || c->n - c->at < 4) {
		c->bad = true;
		return 0;
	}
	const uint8_t *p = c->p + c->at;
	c->at += 4;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd_u64(struct cur *c)
{
	uint64_t lo = rd_u32(c);
	return lo | (uint64_t)rd_u32(c) << 32;
}

static uint8_t rd_u8(struct cur *c)
{
	if (c->bad || c->n - c->at < 1) {
		c->bad = true;
		return 0;
	}
	return c->p[c->at++];
}

/* Can `count` records of `size` bytes still be read? */
static bool room(struct cur *c, uint32_t count, size_t size)
{
	if (c->bad || count > AUTHZ_MAX_COUNT || (c->n - c->at) / size < count) {
		c->bad = true;
		return false;
	}
	return true;
}

static void *alloc_n(size_t count, size_t size)
{
	return calloc(count ? count : 1, size);
}

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}


static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status;
static void sodium_start(void) { sodium_status = sodium_init(); }

static int load_strings(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t n = rd_u32(c);
	if (!room(c, n, 8) || n == 0)
		BAD("string table)");
	b->nstrings = n;
	b->str = alloc_n(n, sizeof *b->str);
	b->strlen = alloc_n(n, sizeof *b->strlen);
	b->marks = alloc_n(n, 1);
	if (!b->str || !b->strlen || !b->marks)
		return AUTHZ_ENOMEM;
	size_t tab = c->at;
	c->at += (size_t)n * 8;
	uint32_t bloblen = rd_u32(c);
	if (c->bad || bloblen != c->n - c->at)
		BAD("string table)");
	const char *blob = (const char *)c->p + c->at;
	struct cur t = { c->p, c->n, tab, false };
	for (uint32_t i = 0; i < n; i++) {
		uint32_t off = rd_u32(&t), len = rd_u32(&t);
		if (off > bloblen || len >= bloblen - off || blob[off + len] != '\0' ||
		    !rt_utf8_valid(blob + off, len))
			BAD("string %u)", (unsigned)i);
		b->str[i] = blob + off;
		b->strlen[i] = len;
	}
	c->at = c->n;
	return 0;
}

/* Mark string `s` as used in table `bit`; true when it already was (a
 * duplicate name: the writer interns strings, so equal names share an index). */
static bool mark(authz_bundle *b, uint32_t s, uint8_t bit)
{
	bool seen = b->marks[s] & bit;
	b->marks[s] |= bit;
	return seen;
}

/* A name: a string without NUL bytes. */
static bool name_ok(const authz_bundle *b, uint32_t s)
{
	return s < b->nstrings && strlen(b->str[s]) == b->strlen[s];
}

static int load_consts(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t n = rd_u32(c);
	if (!room(c, n, BUNDLE_CONST_SIZE))
		BAD("constant table)");
	const uint8_t *rec = c->p + c->at;
	c->at += (size_t)n * BUNDLE_CONST_SIZE;
	uint32_t ne = rd_u32(c);
	if (!room(c, ne, 4) || c->n - c->at != (size_t)ne * 4)
		BAD("constant table)");
	b->nconsts = n;
	b->consts = alloc_n(n, sizeof *b->consts);
	b->elems = alloc_n(ne, sizeof *b->elems);
	if (!b->consts || !b->elems)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < n; i++, rec += BUNDLE_CONST_SIZE) {
		struct vm_value *v = &b->consts[i];
		v->kind = rec[0];
		uint32_t a = (uint32_t)rec[4] | (uint32_t)rec[5] << 8 | (uint32_t)rec[6] << 16 |
			     (uint32_t)rec[7] << 24;
		switch (v->kind) {
		case AUTHZ_K_BOOL:
		case AUTHZ_K_INT:
		case AUTHZ_K_TIMESTAMP:
		case AUTHZ_K_DURATION:
			v->u.i = (int64_t)le64_at(rec + 8);
			if (v->kind == AUTHZ_K_BOOL && (uint64_t)v->u.i > 1)
				BAD("constant %u)", (unsigned)i);
			break;
		case AUTHZ_K_STRING:
			if (a >= b->nstrings)
				BAD("constant %u: string index)", (unsigned)i);
			v->u.s.p = b->str[a];
			v->len = b->strlen[a];
			break;
		case AUTHZ_K_IP:
			v->fam = rec[1];
			v->prefix = rec[2];
			memcpy(v->u.ip, rec + 8, 16);
			if ((v->fam != 4 && v->fam != 6) || v->prefix > (v->fam == 4 ? 32 : 128))
				BAD("constant %u: ip)", (unsigned)i);
			break;
		case AUTHZ_K_SET: {
			uint32_t cnt = (uint32_t)le64_at(rec + 8);
			if (a > ne || cnt > ne - a || le64_at(rec + 8) > UINT32_MAX)
				BAD("constant %u: set elements)", (unsigned)i);
			v->elem = rec[3];
			v->len = cnt;
			v->u.set.p = b->elems + a;
			break;
		}
		default:
			BAD("constant %u: kind %u)", (unsigned)i, (unsigned)v->kind);
		}
	}
	/* elements: scalar constants of the set's kind, each materialized */
	for (uint32_t i = 0; i < n; i++) {
		struct vm_value *v = &b->consts[i];
		if (v->kind != AUTHZ_K_SET)
			continue;
		uint32_t first = (uint32_t)(v->u.set.p - b->elems);
		for (uint32_t k = 0; k < v->len; k++) {
			size_t at = c->at + (size_t)(first + k) * 4;
			uint32_t e = (uint32_t)c->p[at] | (uint32_t)c->p[at + 1] << 8 |
				     (uint32_t)c->p[at + 2] << 16 | (uint32_t)c->p[at + 3] << 24;
			if (e >= n || b->consts[e].kind == AUTHZ_K_SET || b->consts[e].kind != v->elem)
				BAD("constant %u: set element)", (unsigned)i);
			b->elems[first + k] = b->consts[e];
		}
		if (v->len == 0)
			v->elem = AUTHZ_K_NONE;
	}
	return 0;
}

static bool bits_ok(const uint64_t *bits, uint32_t words, uint32_t nbits)
{
	if (words && nbits % 64)
		return (bits[words - 1] >> (nbits % 64)) == 0;
	return true;
}

static uint64_t *read_bits(authz_bundle *b, struct cur *c, uint32_t words, size_t *used)
{
	uint64_t *p = b->bits + *used;
	for (uint32_t i = 0; i < words; i++)
		p[i] = rd_u64(c);
	*used += words;
	return p;
}

static int load_schema(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t ns = rd_u32(c);
	if (!room(c, ns, 12) || ns > AUTHZ_MAXARG_B + 1u)
		BAD("slot table)");
	b->nslots = ns;
	b->slots = alloc_n(ns, sizeof *b->slots);
	if (!b->slots)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < ns; i++) {
		struct bundle_slot *s = &b->slots[i];
		s->parent = rd_u32(c);
		s->name = rd_u32(c);
		s->ns = rd_u32(c);
		if ((s->parent != BUNDLE_NO_INDEX && (s->parent >= i || b->slots[s->parent].ns != s->ns)) ||
		    !name_ok(b, s->name) || s->ns > NS_CONTEXT)
			BAD("slot %u)", (unsigned)i);
	}
	uint32_t nf = rd_u32(c);
	if (!room(c, nf, 16))
		BAD("field table)");
	b->nfields = nf;
	b->fields = alloc_n(nf, sizeof *b->fields);
	if (!b->fields)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < nf; i++) {
		struct bundle_field *f = &b->fields[i];
		f->slot = rd_u32(c);
		f->type = rd_u8(c);
		f->elem = rd_u8(c);
		f->optional = rd_u8(c);
		uint8_t pad = rd_u8(c);
		f->first_child = rd_u32(c);
		f->nchild = rd_u32(c);
		if (f->slot >= ns || f->type < AUTHZ_K_BOOL || f->type > AUTHZ_K_RECORD || f->optional > 1 || pad ||
		    (f->type == AUTHZ_K_SET) != (f->elem >= AUTHZ_K_BOOL && f->elem <= AUTHZ_K_IP) ||
		    (f->type != AUTHZ_K_SET && f->elem) || (f->type != AUTHZ_K_RECORD && f->nchild) ||
		    (f->nchild && (f->first_child <= i || f->first_child > nf || f->nchild > nf - f->first_child)))
			BAD("field %u)", (unsigned)i);
	}
	uint32_t nt = rd_u32(c);
	if (!room(c, nt, 16) || nt > AUTHZ_MAXARG_B)
		BAD("type table)");
	b->ntypes = nt;
	b->owners = alloc_n(nt + 1, sizeof *b->owners);
	if (!b->owners)
		return AUTHZ_ENOMEM;
	uint32_t expect = 0;
	for (uint32_t i = 0; i <= nt; i++) {
		struct bundle_owner *o = &b->owners[i];
		o->name = i < nt ? rd_u32(c) : BUNDLE_NO_INDEX;
		o->first = rd_u32(c);
		o->ntop = rd_u32(c);
		o->nall = rd_u32(c);
		if (c->bad || (i < nt && !name_ok(b, o->name)) || o->first != expect || o->nall > nf - expect ||
		    o->ntop > o->nall)
			BAD("entity type %u)", (unsigned)i);
		if (i < nt && mark(b, o->name, 1))
			BAD("duplicate entity type '%s')", b->str[o->name]);
		/* fields: the right namespace, top-level ones with no parent, children
		 * of a record field inside this owner and one level deeper */
		uint32_t want_ns = i < nt ? NS_ENTITY : NS_CONTEXT;
		for (uint32_t k = o->first; k < o->first + o->nall; k++) {
			struct bundle_field *f = &b->fields[k];
			bool top = k < o->first + o->ntop;
			if (b->slots[f->slot].ns != want_ns || top != (b->slots[f->slot].parent == BUNDLE_NO_INDEX) ||
			    (f->nchild && f->first_child + f->nchild > o->first + o->nall))
				BAD("field %u)", (unsigned)k);
			for (uint32_t ch = f->first_child; ch < f->first_child + f->nchild; ch++)
				if (b->slots[b->fields[ch].slot].parent != f->slot)
					BAD("field %u)", (unsigned)ch);
		}
		expect += o->nall;
	}
	if (expect != nf)
		BAD("field table)");
	uint32_t na = rd_u32(c);
	if (!room(c, na, 4) || na > AUTHZ_MAXARG_AX)
		BAD("action table)");
	b->nactions = na;
	b->tw = (nt + 63) / 64;
	b->aw = (na + 63) / 64;
	b->actions = alloc_n(na, sizeof *b->actions);
	if (!b->actions)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < na; i++) {
		b->actions[i].name = rd_u32(c);
		if (!name_ok(b, b->actions[i].name))
			BAD("action %u)", (unsigned)i);
		if (mark(b, b->actions[i].name, 2))
			BAD("duplicate action '%s')", b->str[b->actions[i].name]);
	}
	return 0;
}

/* Actions' bitsets: read after the bitset store is sized (load_rules). */
static int load_action_bits(authz_bundle *b, struct cur *c, size_t *used, authz_error *err)
{
	if (!room(c, b->nactions, (size_t)16 * b->tw + (b->tw == 0)))
		BAD("action table)");
	for (uint32_t i = 0; i < b->nactions; i++) {
		b->actions[i].principals = read_bits(b, c, b->tw, used);
		b->actions[i].resources = read_bits(b, c, b->tw, used);
		if (!bits_ok(b->actions[i].principals, b->tw, b->ntypes) ||
		    !bits_ok(b->actions[i].resources, b->tw, b->ntypes))
			BAD("action %u: type set)", (unsigned)i);
	}
	if (c->at != c->n)
		BAD("schema section length)");
	return 0;
}

static int load_rules(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t n = rd_u32(c);
	if (!room(c, n, 40))
		BAD("rule table)");
	b->nrules = n;
	b->rules = alloc_n(n, sizeof *b->rules);
	if (!b->rules)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct bundle_rule *r = &b->rules[i];
		r->id = rd_u32(c);
		r->effect = rd_u8(c);
		r->has_expires = rd_u8(c);
		uint8_t p1 = rd_u8(c), p2 = rd_u8(c);
		r->expires = (int64_t)rd_u64(c);
		r->code_off = rd_u32(c);
		r->code_len = rd_u32(c);
		r->nguards = rd_u32(c);
		r->ann_first = rd_u32(c);
		r->ann_n = rd_u32(c);
		if (!name_ok(b, r->id) || r->effect > AUTHZ_FORBID || r->has_expires > 1 || p1 || p2 ||
		    (!r->has_expires && r->expires) || r->nguards > AUTHZ_MAXARG_AX + 1u)
			BAD("rule %u)", (unsigned)i);
		if (mark(b, r->id, 4))
			BAD("duplicate rule id '%s')", b->str[r->id]);
	}
	return 0;
}

static int load_rule_bits(authz_bundle *b, struct cur *c, size_t *used, authz_error *err)
{
	size_t per = (size_t)2 * b->tw + b->aw;
	if (per && !room(c, b->nrules, per * 8))
		BAD("rule scopes)");
	for (uint32_t i = 0; i < b->nrules; i++) {
		struct bundle_rule *r = &b->rules[i];
		r->principals = read_bits(b, c, b->tw, used);
		r->actions = read_bits(b, c, b->aw, used);
		r->resources = read_bits(b, c, b->tw, used);
		if (!bits_ok(r->principals, b->tw, b->ntypes) || !bits_ok(r->actions, b->aw, b->nactions) ||
		    !bits_ok(r->resources, b->tw, b->ntypes))
			BAD("rule %u: scope)", (unsigned)i);
	}
	uint32_t na = rd_u32(c);
	if (!room(c, na, 8) || c->n - c->at != (size_t)na * 8)
		BAD("annotation table)");
	b->nann = na;
	b->ann = alloc_n((size_t)na * 2, sizeof *b->ann);
	if (!b->ann)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < 2 * na; i++)
		if ((b->ann[i] = rd_u32(c)) >= b->nstrings)
			BAD("annotation %u)", (unsigned)(i / 2));
	for (uint32_t i = 0; i < b->nrules; i++) {
		struct bundle_rule *r = &b->rules[i];
		if (r->ann_first > na || r->ann_n > na - r->ann_first)
			BAD("rule %u: annotations)", (unsigned)i);
	}
	return 0;
}

static int load_code(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t n = rd_u32(c);
	if (!room(c, n, 4) || c->n - c->at != (size_t)n * 4)
		BAD("code section)");
	b->ncode = n;
	b->code = alloc_n(n, sizeof *b->code);
	if (!b->code)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		b->code[i] = rd_u32(c);
	/* rules' code: disjoint, in order, covering the section exactly */
	uint32_t at = 0;
	for (uint32_t i = 0; i < b->nrules; i++) {
		struct bundle_rule *r = &b->rules[i];
		if (r->code_off != at || r->code_len == 0 || r->code_len > n - at)
			BAD("rule %u: code offset)", (unsigned)i);
		at += r->code_len;
	}
	if (at != n)
		BAD("code section)");
	return 0;
}

static bool bit(const uint64_t *bits, uint32_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

static int load_index(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t na = rd_u32(c);
	if (c->bad || na != b->nactions || !room(c, na, 8))
		BAD("rule index)");
	b->index_first = alloc_n(na, sizeof *b->index_first);
	b->index_n = alloc_n(na, sizeof *b->index_n);
	if (!b->index_first || !b->index_n)
		return AUTHZ_ENOMEM;
	for (uint32_t a = 0; a < na; a++) {
		b->index_first[a] = rd_u32(c);
		b->index_n[a] = rd_u32(c);
	}
	uint32_t total = rd_u32(c);
	if (!room(c, total, 4) || c->n - c->at != (size_t)total * 4)
		BAD("rule index)");
	b->index = alloc_n(total, sizeof *b->index);
	if (!b->index)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < total; i++)
		b->index[i] = rd_u32(c);
	/* Each action's list is exactly the rules whose scope names the action,
	 * in rule-table order: every entry names the action and they increase,
	 * and there are as many as rules naming it (counted bit by bit). */
	uint32_t *count = alloc_n(na, sizeof *count);
	if (!count)
		return AUTHZ_ENOMEM;
	for (uint32_t r = 0; r < b->nrules; r++)
		for (uint32_t w = 0; w < b->aw; w++)
			for (uint64_t bits = b->rules[r].actions[w]; bits; bits &= bits - 1)
				count[w * 64 + (uint32_t)__builtin_ctzll(bits)]++;
	uint32_t expect = 0;
	for (uint32_t a = 0; a < na; a++) {
		bool ok = b->index_first[a] == expect && b->index_n[a] == count[a] && count[a] <= total - expect;
		for (uint32_t k = 0; ok && k < b->index_n[a]; k++) {
			uint32_t r = b->index[expect + k];
			ok = r < b->nrules && bit(b->rules[r].actions, a) && (k == 0 || r > b->index[expect + k - 1]);
		}
		if (!ok) {
			free(count);
			BAD("rule index: action %u)", (unsigned)a);
		}
		expect += count[a];
	}
	free(count);
	if (expect != total)
		BAD("rule index)");
	return 0;
}

static bool pos_ok(const authz_bundle *b, const struct bundle_pos *p)
{
	return b->nfiles ? p->file < b->nfiles : p->file == 0;
}

static int load_debug(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t nf = rd_u32(c);
	if (!room(c, nf, 4))
		BAD("debug section)");
	b->nfiles = nf;
	b->files = alloc_n(nf, sizeof *b->files);
	if (!b->files)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < nf; i++)
		if ((b->files[i] = rd_u32(c)) >= b->nstrings)
			BAD("debug section: file %u)", (unsigned)i);
	uint32_t nr = rd_u32(c);
	if (c->bad || (nr != 0 && nr != b->nrules) || !room(c, nr, 16))
		BAD("debug section)");
	b->has_debug = nr != 0 || b->nrules == 0;
	b->rule_pos = alloc_n(nr, sizeof *b->rule_pos);
	if (!b->rule_pos)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < nr; i++) {
		struct bundle_pos *p = &b->rule_pos[i];
		p->file = rd_u32(c); p->line = rd_u32(c); p->col = rd_u32(c); p->extra = rd_u32(c);
	}
	uint32_t ng = rd_u32(c);
	if (!room(c, ng, 16) || c->n - c->at != (size_t)ng * 16)
		BAD("debug section)");
	b->nguard_pos = ng;
	b->guard_pos = alloc_n(ng, sizeof *b->guard_pos);
	if (!b->guard_pos)
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < ng; i++) {
		struct bundle_pos *p = &b->guard_pos[i];
		p->file = rd_u32(c); p->line = rd_u32(c); p->col = rd_u32(c); p->extra = rd_u32(c);
		if (!pos_ok(b, p) || p->extra >= b->nstrings)
			BAD("debug section: guard %u)", (unsigned)i);
	}
	uint32_t expect = 0;
	for (uint32_t i = 0; i < nr; i++) {
		struct bundle_pos *p = &b->rule_pos[i];
		if (!pos_ok(b, p) || p->extra != expect || b->rules[i].nguards > ng - expect)
			BAD("debug section: rule %u)", (unsigned)i);
		expect += b->rules[i].nguards;
	}
	if (nr && expect != ng)
		BAD("debug section: guards)");
	return 0;
}

static int load_sections(authz_bundle *b, authz_error *err)
{
	const uint8_t *p = b->buf;
	struct cur sec[BUNDLE_NSECTIONS];
	size_t off = BUNDLE_HEADER_SIZE + 16 * BUNDLE_NSECTIONS, end;
	if (b->len < off)
		BAD("truncated)");
	struct cur t = { p, b->len, BUNDLE_HEADER_SIZE, false };
	for (uint32_t i = 0; i < BUNDLE_NSECTIONS; i++) {
		uint32_t id = rd_u32(&t), zero = rd_u32(&t), o = rd_u32(&t), n = rd_u32(&t);
		end = off;
		off = (off + 7) & ~(size_t)7;
		if (id != i + 1 || zero || o != off || off > b->len || n > b->len - off)
			BAD("section table)");
		for (size_t k = end; k < off; k++)      /* padding */
			if (p[k])
				BAD("section table)");
		sec[i] = (struct cur){ p + o, n, 0, false };
		off = (size_t)o + n;
	}
	if (off != b->len)
		BAD("section table: trailing bytes)");
	size_t used = 0;
	int e;
	if ((e = load_strings(b, &sec[SEC_STRINGS - 1], err)) < 0 ||
	    (e = load_consts(b, &sec[SEC_CONSTS - 1], err)) < 0 ||
	    (e = load_schema(b, &sec[SEC_SCHEMA - 1], err)) < 0 ||
	    (e = load_rules(b, &sec[SEC_RULES - 1], err)) < 0)
		return e;
	/* one store for every bitset: actions' and rules' */
	size_t words = (size_t)b->nactions * 2 * b->tw + (size_t)b->nrules * (2 * b->tw + b->aw);
	b->bits = alloc_n(words, sizeof *b->bits);
	if (!b->bits)
		return AUTHZ_ENOMEM;
	if ((e = load_action_bits(b, &sec[SEC_SCHEMA - 1], &used, err)) < 0 ||
	    (e = load_rule_bits(b, &sec[SEC_RULES - 1], &used, err)) < 0 ||
	    (e = load_code(b, &sec[SEC_CODE - 1], err)) < 0 ||
	    (e = load_index(b, &sec[SEC_INDEX - 1], err)) < 0 ||
	    (e = load_debug(b, &sec[SEC_DEBUG - 1], err)) < 0)
		return e;
	struct cur *m = &sec[SEC_META - 1];
	b->revision = rd_u32(m);
	if (m->bad || m->at != m->n || b->revision >= b->nstrings)
		BAD("meta section)");
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		if (sec[i].bad)
			BAD("section %d)", i + 1);
	return rt_verify_code(b, err);
}

int authz_bundle_load(authz_bundle **out, const void *buf, size_t len, authz_error *err)
{
	*out = NULL;
	if (err) {
		err->code = 0;
		err->message[0] = '\0';
	}
	const uint8_t *p = buf;
	if (len < 4 || memcmp(p, BUNDLE_MAGIC, 4) != 0)
		BAD("not a bundle)");
	if (len < BUNDLE_HEADER_SIZE)
		BAD("truncated)");
	if (p[4] != BUNDLE_VERSION || p[5] != 0)
		BAD("unsupported version %u)", (unsigned)(p[4] | p[5] << 8));
	if (memcmp(p + 8, BUNDLE_PROBE, 8) != 0)
		BAD("corrupted by text-mode conversion)");
	if (p[6] || p[7] || le64_at(p + 16) != BUNDLE_SENTINEL || p[68] || p[69] || p[70] || p[71])
		BAD("header)");
	uint64_t total = le64_at(p + 24);
	if (total != len)
		BAD("%s: %llu bytes, header says %llu)", total > len ? "truncated" : "trailing bytes",
		    (unsigned long long)len, (unsigned long long)total);
	if (len > BUNDLE_MAX_SIZE)
		BAD("too large)");
	if ((le64_at(p + 64) & 0xffffffffu) != BUNDLE_NSECTIONS)
		BAD("section count)");
	pthread_once(&sodium_once, sodium_start);
	if (sodium_status < 0) {
		rt_bundle_error(err, AUTHZ_ERROR, "cannot initialize libsodium");
		return AUTHZ_ERROR;
	}
	uint8_t digest[32];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, p, 32);
	crypto_hash_sha256_update(&st, p + 64, len - 64);
	crypto_hash_sha256_final(&st, digest);
	if (sodium_memcmp(digest, p + 32, 32) != 0)
		BAD("digest mismatch)");

	authz_bundle *b = calloc(1, sizeof *b);
	if (!b || !(b->buf = malloc(len))) {
		free(b);
		rt_bundle_error(err, AUTHZ_ENOMEM, "out of memory");
		return AUTHZ_ENOMEM;
	}
	memcpy(b->buf, buf, len);
	b->len = len;
	memcpy(b->digest, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		static const char hex[] = "0123456789abcdef";
		b->digest[7 + 2 * i] = hex[digest[i] >> 4];
		b->digest[8 + 2 * i] = hex[digest[i] & 15];
	}
	b->digest[71] = '\0';
	int e = load_sections(b, err);
	if (e < 0) {
		if (e == AUTHZ_ENOMEM)
			rt_bundle_error(err, AUTHZ_ENOMEM, "out of memory");
		authz_bundle_free(b);
		return e;
	}
	*out = b;
	return 0;
}

int authz_bundle_load_file(authz_bundle **out, const char *path, authz_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rt_bundle_error(err, AUTHZ_EIO, "cannot open '%s': %s", path, strerror(errno));
		return AUTHZ_EIO;
	}
	uint8_t *data = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			if (cap >= BUNDLE_MAX_SIZE) {
				free(data);
				fclose(f);
				rt_bundle_error(err, AUTHZ_EFORMAT, "bad bundle format (too large)");
				return AUTHZ_EFORMAT;
			}
			cap = cap ? cap * 2 : 65536;
			uint8_t *d = realloc(data, cap);
			if (!d) {
				free(data);
				fclose(f);
				rt_bundle_error(err, AUTHZ_ENOMEM, "out of memory");
				return AUTHZ_ENOMEM;
			}
			data = d;
		}
		size_t got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		free(data);
		rt_bundle_error(err, AUTHZ_EIO, "cannot read '%s'", path);
		return AUTHZ_EIO;
	}
	int e = authz_bundle_load(out, data, n, err);
	if (e < 0 && err && e == AUTHZ_EFORMAT) {
		/* prefix the file name: "<path>: bad bundle format (...)" */
		char msg[sizeof err->message];
		size_t pl = strlen(path), ml = strlen(err->message);
		if (pl > sizeof msg / 2)
			pl = sizeof msg / 2;
		if (ml > sizeof msg - pl - 3)
			ml = sizeof msg - pl - 3;
		memcpy(msg, path, pl);
		memcpy(msg + pl, ": ", 2);
		memcpy(msg + pl + 2, err->message, ml);
		msg[pl + 2 + ml] = '\0';
		memcpy(err->message, msg, sizeof msg);
	}
	free(data);
	return e;
}

void authz_bundle_free(authz_bundle *b)
{
	if (!b)
		return;
	void *all[] = { b->buf, b->str, b->strlen, b->marks, b->consts, b->elems, b->slots, b->fields, b->owners,
			b->actions, b->bits, b->rules, b->ann, b->code, b->index_first, b->index_n,
			b->index, b->files, b->rule_pos, b->guard_pos };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]);
	free(b);
}

const char *authz_bundle_digest(const authz_bundle *b) { return b->digest; }
const char *authz_bundle_source_revision(const authz_bundle *b) { return b->str[b->revision]; }
size_t authz_bundle_rule_count(const authz_bundle *b) { return b->nrules; }

const char *authz_bundle_rule_id(const authz_bundle *b, size_t i)
{
	return i < b->nrules ? b->str[b->rules[i].id] : NULL;
}

int authz_bundle_rule_effect(const authz_bundle *b, size_t i)
{
	return i < b->nrules ? b->rules[i].effect : -1;
}

size_t authz_bundle_rule_annotation_count(const authz_bundle *b, size_t i)
{
	return i < b->nrules ? b->rules[i].ann_n : 0;
}

int authz_bundle_rule_annotation(const authz_bundle *b, size_t i, size_t k, const char **key,
				 const char **value)
{
	if (i >= b->nrules || k >= b->rules[i].ann_n)
		return AUTHZ_EINVAL;
	size_t a = b->rules[i].ann_first + k;
	*key = b->str[b->ann[2 * a]];
	*value = b->str[b->ann[2 * a + 1]];
	return 0;
}
