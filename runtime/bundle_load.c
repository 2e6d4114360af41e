/*
 * bundle_load.c: load a bundle and verify everything but the code (which
 * verify.c checks).  The bytes are hostile until proven otherwise: the
 * order is header -> digest -> section table -> each section's counts,
 * offsets and indices.  Nothing is allocated in proportion to a count
 * before the bytes that count describes have been seen to exist.  What
 * deciding needs beyond the verified tables (rule images, the index) is
 * built later, once, by rt_bundle_prepare (the first decision, or
 * authz_bundle_prepare): a load only reads, checks and decodes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/sha2.h>
#include <sodium.h>

#include "bundle.h"
#include "grow.h"
#include "rule_image.h"

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

static uint8_t rd_u8(struct cur *c)
{
	if (c->bad || c->n - c->at < 1) {
		c->bad = true;
		return 0;
	}
	return c->p[c->at++];
}

/* An unsigned LEB128 varint of at most 64 bits.  Truncated, longer than 10
 * bytes, overflowing 64 bits or not canonical (a redundant last zero group)
 * marks the cursor bad. */
static uint64_t rd_var64_slow(struct cur *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0, i = 0; !c->bad; shift += 7, i++) {
		if (c->n - c->at < 1 || i == 10) {
			c->bad = true;
			break;
		}
		uint8_t x = c->p[c->at++];
		if (i == 9 && x > 1) {          /* bits past 64 */
			c->bad = true;
			break;
		}
		v |= (uint64_t)(x & 0x7f) << shift;
		if (!(x & 0x80)) {
			if (x == 0 && i > 0)
				c->bad = true;
			return v;
		}
	}
	return 0;
}

/* The same, inline for one and two bytes (most counts and indices). */
static inline uint64_t rd_var64(struct cur *c)
{
	if (!c->bad && c->n - c->at >= 2) {
		const uint8_t *q = c->p + c->at;
		if (q[0] < 0x80) {
			c->at++;
			return q[0];
		}
		if (q[1] < 0x80 && q[1] != 0) {         /* canonical: no zero last group */
			c->at += 2;
			return (uint64_t)(q[0] & 0x7f) | (uint64_t)q[1] << 7;
		}
	}
	return rd_var64_slow(c);
}

/* A varint that must fit 32 bits. */
static uint32_t rd_var(struct cur *c)
{
	uint64_t v = rd_var64(c);
	if (v > UINT32_MAX) {
		c->bad = true;
		return 0;
	}
	return (uint32_t)v;
}

static int64_t rd_svar(struct cur *c)
{
	uint64_t v = rd_var64(c);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Can `count` records of at least `size` bytes each still be read? */
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

/* In a section loader (section `c`, error `err`): a table's record count
 * into `count`, at most `max` and each record `min` bytes or more of what
 * is left of c, else BAD(what); then its zeroed array into `arr`, else
 * return AUTHZ_ENOMEM. */
#define TABLE(arr, count, min, max, what) do { \
		uint32_t n_ = rd_var(c); \
		if (!room(c, n_, (min)) || n_ > (max)) \
			BAD(what); \
		(count) = n_; \
		if (!((arr) = alloc_n(n_, sizeof *(arr)))) \
			return AUTHZ_ENOMEM; \
	} while (0)

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

/* The offset of the first byte of p[from, n) that is not ASCII, or n. */
static size_t next_non_ascii(const uint8_t *p, size_t from, size_t n)
{
	size_t i = from;
	uint64_t w;
	while (n - i >= 8 && (memcpy(&w, p + i, 8), (w & UINT64_C(0x8080808080808080)) == 0))
		i += 8;
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/* Strings: count, then each as its length and bytes.  They are copied into
 * one blob, each followed by a NUL.  Only a string holding a byte that is
 * not ASCII is decoded as UTF-8: the next such byte of the section is
 * looked for once, ahead of the strings, rather than per string. */
static int load_strings(authz_bundle *b, struct cur *c, authz_error *err)
{
	uint32_t n = rd_var(c);
	if (!room(c, n, 1) || n == 0)
		BAD("string table)");
	b->nstrings = n;
	b->str = alloc_n(n, sizeof *b->str);
	b->strlen = alloc_n(n, sizeof *b->strlen);
	b->marks = alloc_n(n, 1);
	b->strblob = malloc(c->n + n);
	if (!b->str || !b->strlen || !b->marks || !b->strblob)
		return AUTHZ_ENOMEM;
	size_t at = 0, high = 0;        /* high: the next non-ASCII byte at or after it */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = rd_var(c);
		if (c->bad || len > c->n - c->at)
			BAD("string %u)", (unsigned)i);
		if (high < c->at)
			high = next_non_ascii(c->p, c->at, c->n);
		if (high < c->at + len && !rt_utf8_valid((const char *)c->p + c->at, len))
			BAD("string %u)", (unsigned)i);
		memcpy(b->strblob + at, c->p + c->at, len);
		b->strblob[at + len] = '\0';
		b->str[i] = b->strblob + at;
		b->strlen[i] = len;
		at += (size_t)len + 1;
		c->at += len;
	}
	if (c->at != c->n)
		BAD("string table)");
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

/* Constants: count, then each as its kind byte and a kind-specific body.
 * A set lists constants before it (strictly increasing indices), scalars of
 * its element kind; the elements are copied into b->elems. */
static int load_consts(authz_bundle *b, struct cur *c, authz_error *err)
{
	TABLE(b->consts, b->nconsts, 2, AUTHZ_MAX_COUNT, "constant table)");
	uint32_t n = b->nconsts;
	uint32_t *first = alloc_n(n, sizeof *first);
	size_t ne = 0, cap = 16;
	b->elems = malloc(cap * sizeof *b->elems);
	if (!first || !b->elems) {
		free(first);
		return AUTHZ_ENOMEM;
	}
#define CBAD(...) do { free(first); BAD(__VA_ARGS__); } while (0)
	for (uint32_t i = 0; i < n; i++) {
		struct vm_value *v = &b->consts[i];
		v->kind = rd_u8(c);
		switch (v->kind) {
		case AUTHZ_K_BOOL:
			v->u.i = rd_u8(c);
			if (v->u.i > 1)
				CBAD("constant %u)", (unsigned)i);
			break;
		case AUTHZ_K_INT:
		case AUTHZ_K_TIMESTAMP:
		case AUTHZ_K_DURATION:
			v->u.i = rd_svar(c);
			break;
		case AUTHZ_K_STRING: {
			uint32_t a = rd_var(c);
			if (c->bad || a >= b->nstrings)
				CBAD("constant %u: string index)", (unsigned)i);
			v->u.s.p = b->str[a];
			v->len = b->strlen[a];
			break;
		}
		case AUTHZ_K_IP: {
			v->fam = rd_u8(c);
			v->prefix = rd_u8(c);
			size_t nb = v->fam == 4 ? 4 : 16;
			if (c->bad || (v->fam != 4 && v->fam != 6) || v->prefix > (v->fam == 4 ? 32 : 128) ||
			    c->n - c->at < nb)
				CBAD("constant %u: ip)", (unsigned)i);
			memcpy(v->u.ip, c->p + c->at, nb);
			c->at += nb;
			break;
		}
		case AUTHZ_K_SET: {
			v->elem = rd_u8(c);
			uint32_t cnt = rd_var(c);
			if (!room(c, cnt, 1))
				CBAD("constant %u: set elements)", (unsigned)i);
			if (rt_grow((void **)&b->elems, &cap, ne + cnt, sizeof *b->elems) < 0) {
				free(first);
				return AUTHZ_ENOMEM;
			}
			first[i] = (uint32_t)ne;
			for (uint32_t k = 0; k < cnt; k++) {
				uint32_t e = rd_var(c);
				if (c->bad || e >= i || (k && e <= b->elems[ne - 1].len) ||
				    b->consts[e].kind == AUTHZ_K_SET || b->consts[e].kind != v->elem)
					CBAD("constant %u: set element)", (unsigned)i);
				b->elems[ne] = b->consts[e];
				b->elems[ne].len = e;    /* the index, for the order check; fixed below */
				ne++;
			}
			/* restore the elements' own lengths */
			for (uint32_t k = 0; k < cnt; k++) {
				struct vm_value *x = &b->elems[first[i] + k];
				x->len = b->consts[x->len].len;
			}
			v->len = cnt;
			if (cnt == 0)
				v->elem = AUTHZ_K_NONE;
			break;
		}
		default:
			CBAD("constant %u: kind %u)", (unsigned)i, (unsigned)v->kind);
		}
		if (c->bad)
			CBAD("constant %u)", (unsigned)i);
	}
	if (c->at != c->n)
		CBAD("constant table)");
	for (uint32_t i = 0; i < n; i++)
		if (b->consts[i].kind == AUTHZ_K_SET)
			b->consts[i].u.set.p = b->elems + first[i];
#undef CBAD
	free(first);
	return 0;
}

/* A type or action list (count, then strictly increasing indices below
 * `limit`) into bitset `bits` of `words` words; count 0 sets every bit
 * below `limit` when `zero_is_all`. */
static bool read_list(struct cur *c, uint64_t *bits, uint32_t words, uint32_t limit, bool zero_is_all,
		      bool *named)
{
	uint32_t n = rd_var(c);
	if (named)
		*named = n != 0;
	if (!room(c, n, 1))
		return false;
	for (uint32_t w = 0; w < words; w++)    /* mostly one word: no memset call */
		bits[w] = 0;
	if (n == 0 && zero_is_all) {
		for (uint32_t w = 0; w < limit / 64; w++)
			bits[w] = UINT64_MAX;
		if (limit % 64)
			bits[limit / 64] = ((uint64_t)1 << (limit % 64)) - 1;
		return true;
	}
	uint32_t prev = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t x = rd_var(c);
		if (c->bad || x >= limit || (k && x <= prev))
			return false;
		bits[x / 64] |= (uint64_t)1 << (x % 64);
		prev = x;
	}
	return true;
}

/* The next `words` words of the bitset store b->bits (*used of them
 * taken), holding the list read_list reads from c; NULL when it is bad.
 * *named (when not NULL): the list named at least one element. */
static const uint64_t *take_list(authz_bundle *b, struct cur *c, size_t *used, uint32_t words,
				 uint32_t limit, bool zero_is_all, bool *named)
{
	uint64_t *p = b->bits + *used;
	*used += words;
	return read_list(c, p, words, limit, zero_is_all, named) ? p : NULL;
}

static int load_schema(authz_bundle *b, struct cur *c, authz_error *err)
{
	TABLE(b->slots, b->nslots, 3, AUTHZ_MAXARG_B + 1u, "slot table)");
	uint32_t ns = b->nslots;
	for (uint32_t i = 0; i < ns; i++) {
		struct bundle_slot *s = &b->slots[i];
		uint32_t parent = rd_var(c);
		s->parent = parent == 0 ? BUNDLE_NO_INDEX : parent - 1;
		s->name = rd_var(c);
		s->ns = rd_u8(c);
		if (c->bad || (s->parent != BUNDLE_NO_INDEX && (s->parent >= i || b->slots[s->parent].ns != s->ns)) ||
		    !name_ok(b, s->name) || s->ns > NS_CONTEXT)
			BAD("slot %u)", (unsigned)i);
	}
	TABLE(b->fields, b->nfields, 5, AUTHZ_MAX_COUNT, "field table)");
	uint32_t nf = b->nfields;
	for (uint32_t i = 0; i < nf; i++) {
		struct bundle_field *f = &b->fields[i];
		f->slot = rd_var(c);
		f->type = rd_u8(c);
		f->elem = rd_u8(c);
		uint8_t flags = rd_u8(c);
		f->optional = flags & BUNDLE_F_OPTIONAL;
		f->open = (flags & BUNDLE_F_OPEN) != 0;
		f->nchild = rd_var(c);
		f->first_child = f->nchild ? rd_var(c) : 0;
		if (c->bad || f->slot >= ns || f->type < AUTHZ_K_BOOL || f->type > AUTHZ_K_RECORD ||
		    (flags & ~(BUNDLE_F_OPTIONAL | BUNDLE_F_OPEN)) || (f->open && f->type != AUTHZ_K_RECORD) ||
		    (f->type == AUTHZ_K_SET) != (f->elem >= AUTHZ_K_BOOL && f->elem <= AUTHZ_K_IP) ||
		    (f->type != AUTHZ_K_SET && f->elem) || (f->type != AUTHZ_K_RECORD && f->nchild) ||
		    (f->nchild && (f->first_child <= i || f->first_child > nf || f->nchild > nf - f->first_child)))
			BAD("field %u)", (unsigned)i);
	}
	uint32_t nt = rd_var(c);
	if (!room(c, nt, 4) || nt > AUTHZ_MAXARG_B)
		BAD("type table)");
	b->ntypes = nt;
	b->owners = alloc_n(nt + 1, sizeof *b->owners);
	if (!b->owners)
		return AUTHZ_ENOMEM;
	uint32_t expect = 0;
	for (uint32_t i = 0; i <= nt; i++) {
		struct bundle_owner *o = &b->owners[i];
		o->name = i < nt ? rd_var(c) : BUNDLE_NO_INDEX;
		o->first = expect;
		o->ntop = rd_var(c);
		o->nall = rd_var(c);
		uint8_t flags = rd_u8(c);
		o->open = flags == BUNDLE_F_OPEN;
		if (c->bad || (flags & ~BUNDLE_F_OPEN) || (i < nt && !name_ok(b, o->name)) || o->nall > nf - expect || o->ntop > o->nall)
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
	TABLE(b->actions, b->nactions, 3, AUTHZ_MAXARG_AX, "action table)");
	b->tw = (nt + 63) / 64;
	b->aw = (b->nactions + 63) / 64;
	return 0;
}

/* Actions' names and type lists: read once the bitset store is sized. */
static int load_actions(authz_bundle *b, struct cur *c, size_t *used, authz_error *err)
{
	for (uint32_t i = 0; i < b->nactions; i++) {
		struct bundle_action *a = &b->actions[i];
		a->name = rd_var(c);
		if (!name_ok(b, a->name))
			BAD("action %u)", (unsigned)i);
		if (mark(b, a->name, 2))
			BAD("duplicate action '%s')", b->str[a->name]);
		if (!(a->principals = take_list(b, c, used, b->tw, b->ntypes, false, NULL)) ||
		    !(a->resources = take_list(b, c, used, b->tw, b->ntypes, false, NULL)))
			BAD("action %u: type set)", (unsigned)i);
	}
	if (c->bad || c->at != c->n)
		BAD("schema section length)");
	return 0;
}

/* Rules: count, then each rule's id, flags, expiry, code length, guards,
 * annotations and scope.  Code offsets and annotation indices are the
 * running sums of the lengths and counts. */
static int load_rules(authz_bundle *b, struct cur *c, authz_error *err)
{
	TABLE(b->rules, b->nrules, 8, AUTHZ_MAX_COUNT, "rule table)");
	return 0;
}

static int load_rule_body(authz_bundle *b, struct cur *c, size_t *used, authz_error *err)
{
	size_t cap = 32;                /* u32s: 16 pairs */
	b->ann = malloc(cap * sizeof *b->ann);
	if (!b->ann)
		return AUTHZ_ENOMEM;
	uint64_t code_at = 0;
	for (uint32_t i = 0; i < b->nrules; i++) {
		struct bundle_rule *r = &b->rules[i];
		r->id = rd_var(c);
		uint8_t flags = rd_u8(c);
		r->effect = flags & 1;
		r->has_expires = (flags >> 1) & 1;
		r->expires = r->has_expires ? rd_svar(c) : 0;
		r->code_len = rd_var(c);
		r->nguards = rd_var(c);
		r->ann_n = rd_var(c);
		r->ann_first = b->nann;
		if (c->bad || !name_ok(b, r->id) || flags > 3 || r->nguards > AUTHZ_MAXARG_AX + 1u ||
		    r->code_len == 0 || r->code_len > AUTHZ_MAXARG_AX || !room(c, r->ann_n, 2))
			BAD("rule %u)", (unsigned)i);
		if (mark(b, r->id, 4))
			BAD("duplicate rule id '%s')", b->str[r->id]);
		r->code_off = (uint32_t)code_at;
		code_at += r->code_len;
		if (code_at > AUTHZ_MAX_COUNT * (uint64_t)16)
			BAD("rule %u: code offset)", (unsigned)i);
		if (rt_grow((void **)&b->ann, &cap, 2 * ((size_t)b->nann + r->ann_n), sizeof *b->ann) < 0)
			return AUTHZ_ENOMEM;
		for (uint32_t k = 0; k < 2 * r->ann_n; k++)
			if ((b->ann[2 * (size_t)b->nann + k] = rd_var(c)) >= b->nstrings)
				BAD("rule %u: annotations)", (unsigned)i);
		b->nann += r->ann_n;
		bool named[3];
		if (!(r->principals = take_list(b, c, used, b->tw, b->ntypes, true, &named[0])) ||
		    !(r->actions = take_list(b, c, used, b->aw, b->nactions, true, &named[1])) ||
		    !(r->resources = take_list(b, c, used, b->tw, b->ntypes, true, &named[2])))
			BAD("rule %u: scope)", (unsigned)i);
		r->scope_named = (uint8_t)(named[0] | named[1] << 1 | named[2] << 2);
	}
	if (c->bad || c->at != c->n)
		BAD("rule table)");
	return 0;
}

/* Code: the instruction count, then each as its opcode byte and operands
 * (authz_fmt_wire), decoded into 32-bit instruction words. */
static int load_code(authz_bundle *b, struct cur *c, authz_error *err)
{
	TABLE(b->code, b->ncode, 1, AUTHZ_MAX_COUNT, "code section)");
	uint32_t n = b->ncode;
	/* The common case first: while 8 bytes or more are left (the longest
	 * instruction whose varint fits two bytes takes 4), an instruction whose
	 * varint fits one or two bytes is decoded without the cursor's checks;
	 * anything else takes the checked path below.  Two bytes hold 14 bits,
	 * below AUTHZ_MAXARG_B and AUTHZ_MAXARG_AX. */
	_Static_assert(AUTHZ_WIRE_NONE == 0 && AUTHZ_WIRE_AX == 1 && AUTHZ_WIRE_A == 2 && AUTHZ_WIRE_AB == 3,
		       "the masks below");
	static const uint8_t wire[AUTHZ_OP_COUNT] = {
#define OP(name, fmt, in, out, doc) [AUTHZ_OP_##name] = (uint8_t)AUTHZ_WIRE_OF_##fmt,
#define AUTHZ_WIRE_OF_N AUTHZ_WIRE_NONE
#define AUTHZ_WIRE_OF_E AUTHZ_WIRE_NONE
#define AUTHZ_WIRE_OF_R AUTHZ_WIRE_A
#define AUTHZ_WIRE_OF_S AUTHZ_WIRE_AB
#define AUTHZ_WIRE_OF_K AUTHZ_WIRE_AX
#define AUTHZ_WIRE_OF_T AUTHZ_WIRE_AX
#define AUTHZ_WIRE_OF_J AUTHZ_WIRE_AX
#define AUTHZ_WIRE_OF_JK AUTHZ_WIRE_AX
#define AUTHZ_WIRE_OF_G AUTHZ_WIRE_AX
#include "opcodes.def"
#undef OP
#undef AUTHZ_WIRE_OF_N
#undef AUTHZ_WIRE_OF_E
#undef AUTHZ_WIRE_OF_R
#undef AUTHZ_WIRE_OF_S
#undef AUTHZ_WIRE_OF_K
#undef AUTHZ_WIRE_OF_T
#undef AUTHZ_WIRE_OF_J
#undef AUTHZ_WIRE_OF_JK
#undef AUTHZ_WIRE_OF_G
	};
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *q = c->p + c->at;
		uint32_t op = c->n - c->at >= 8 && !c->bad ? q[0] : AUTHZ_OP_COUNT;
		uint32_t w = op < AUTHZ_OP_COUNT ? wire[op] : UINT32_MAX;
		if (w != UINT32_MAX) {
			/* without branches on the format, which the opcode mix
			 * makes unpredictable: the operand byte A (formats A, AB)
			 * and the varint (AX, AB) picked by masks and selects */
			uint32_t has_a = (0xcu >> w) & 1;      /* A, AB (enum authz_wire: 2, 3) */
			uint32_t has_v = (0xau >> w) & 1;      /* AX, AB (1, 3) */
			uint32_t b1 = q[1], b2 = q[2], b3 = q[3];      /* read: 8 bytes are left */
			uint32_t a = b1 & (0u - has_a);
			/* the varint's bytes: one, or two (canonical: the second
			 * neither zero nor continued) */
			uint32_t v0 = ((b1 & (has_a - 1u)) | (b2 & (0u - has_a))) & (0u - has_v);
			uint32_t v1 = (b2 & (has_a - 1u)) | (b3 & (0u - has_a));
			uint32_t two = v0 >> 7;
			uint32_t v = (v0 & 0x7f) | ((v1 << 7) & (0u - two));   /* v0 < 0x80 unless two */
			uint32_t shift = AUTHZ_POS_A + (has_a & has_v) * (AUTHZ_POS_B - AUTHZ_POS_A);
			if (!two || (v1 < 0x80 && v1 != 0)) {
				b->code[i] = AUTHZ_CREATE_AB(op, a, 0) | v << shift;
				c->at += 1 + has_a + has_v + two;
				continue;
			}
		}
		/* near the end, not an opcode, or a longer varint: checked */
		op = rd_u8(c);
		uint32_t ax = 0, a = 0, bb = 0;
		if (op >= AUTHZ_OP_COUNT)
			BAD("code: unknown opcode %u at %u)", (unsigned)op, (unsigned)i);
		switch (authz_fmt_wire(rt_op_table[op].fmt)) {
		case AUTHZ_WIRE_NONE:
			break;
		case AUTHZ_WIRE_AX:
			ax = rd_var(c);
			break;
		case AUTHZ_WIRE_A:
			a = rd_u8(c);
			break;
		case AUTHZ_WIRE_AB:
			a = rd_u8(c);
			bb = rd_var(c);
			break;
		}
		if (c->bad || ax > AUTHZ_MAXARG_AX || bb > AUTHZ_MAXARG_B)
			BAD("code section: operand at %u)", (unsigned)i);
		b->code[i] = ax ? AUTHZ_CREATE_AX(op, ax) : AUTHZ_CREATE_AB(op, a, bb);
	}
	if (c->at != c->n)
		BAD("code section)");
	/* rules' code: in order, covering the section exactly */
	uint64_t at = 0;
	for (uint32_t i = 0; i < b->nrules; i++) {
		struct bundle_rule *r = &b->rules[i];
		if (r->code_len > n - at)
			BAD("rule %u: code offset)", (unsigned)i);
		at += r->code_len;
	}
	if (at != n)
		BAD("code section)");
	return 0;
}

static bool pos_ok(const authz_bundle *b, const struct bundle_pos *p)
{
	return b->nfiles ? p->file < b->nfiles : p->file == 0;
}

/* Debug: file names, then (for every rule or none) the rule's position and
 * each of its guards' position and text. */
static int load_debug(authz_bundle *b, struct cur *c, authz_error *err)
{
	TABLE(b->files, b->nfiles, 1, AUTHZ_MAX_COUNT, "debug section)");
	uint32_t nf = b->nfiles;
	for (uint32_t i = 0; i < nf; i++)
		if ((b->files[i] = rd_var(c)) >= b->nstrings)
			BAD("debug section: file %u)", (unsigned)i);
	uint32_t nr = rd_var(c);
	if (c->bad || (nr != 0 && nr != b->nrules) || !room(c, nr, 3))
		BAD("debug section)");
	b->has_debug = nr != 0 || b->nrules == 0;
	uint64_t ng = 0;
	for (uint32_t i = 0; i < nr; i++)
		ng += b->rules[i].nguards;
	if (ng > c->n - c->at)          /* each guard takes 4 bytes or more */
		BAD("debug section: guards)");
	b->nguard_pos = (uint32_t)ng;
	b->rule_pos = alloc_n(nr, sizeof *b->rule_pos);
	b->guard_pos = alloc_n(ng, sizeof *b->guard_pos);
	if (!b->rule_pos || !b->guard_pos)
		return AUTHZ_ENOMEM;
	uint32_t g = 0;
	for (uint32_t i = 0; i < nr; i++) {
		struct bundle_pos *p = &b->rule_pos[i];
		p->file = rd_var(c); p->line = rd_var(c); p->col = rd_var(c); p->extra = g;
		if (c->bad || !pos_ok(b, p))
			BAD("debug section: rule %u)", (unsigned)i);
		for (uint32_t k = 0; k < b->rules[i].nguards; k++, g++) {
			struct bundle_pos *q = &b->guard_pos[g];
			q->file = rd_var(c); q->line = rd_var(c); q->col = rd_var(c); q->extra = rd_var(c);
			if (c->bad || !pos_ok(b, q) || q->extra >= b->nstrings)
				BAD("debug section: guard %u)", (unsigned)g);
		}
	}
	if (c->at != c->n)
		BAD("debug section)");
	return 0;
}

static int load_sections(authz_bundle *b, authz_error *err)
{
	const uint8_t *p = b->buf;
	struct cur sec[BUNDLE_NSECTIONS];
	struct cur t = { p, b->len, BUNDLE_HEADER_SIZE, false };
	uint32_t lens[BUNDLE_NSECTIONS];
	for (uint32_t i = 0; i < BUNDLE_NSECTIONS; i++)
		lens[i] = rd_var(&t);
	if (t.bad)
		BAD("section table)");
	size_t off = t.at;
	for (uint32_t i = 0; i < BUNDLE_NSECTIONS; i++) {
		if (lens[i] > b->len - off)
			BAD("section table)");
		sec[i] = (struct cur){ p + off, lens[i], 0, false };
		b->sec_off[i] = (uint32_t)off;
		b->sec_len[i] = lens[i];
		off += lens[i];
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
	/* one store for every bitset: actions' and rules' (counts bounded by
	 * the bytes that hold them) */
	size_t words = (size_t)b->nactions * 2 * b->tw + (size_t)b->nrules * (2 * b->tw + b->aw);
	b->bits = alloc_n(words, sizeof *b->bits);
	if (!b->bits)
		return AUTHZ_ENOMEM;
	if ((e = load_actions(b, &sec[SEC_SCHEMA - 1], &used, err)) < 0 ||
	    (e = load_rule_body(b, &sec[SEC_RULES - 1], &used, err)) < 0 ||
	    (e = load_code(b, &sec[SEC_CODE - 1], err)) < 0 ||
	    (e = load_debug(b, &sec[SEC_DEBUG - 1], err)) < 0)
		return e;
	struct cur *m = &sec[SEC_META - 1];
	b->revision = rd_var(m);
	if (m->bad || m->at != m->n || b->revision >= b->nstrings)
		BAD("meta section)");
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		if (sec[i].bad)
			BAD("section %d)", i + 1);
	if ((e = rt_verify_code(b, err)) < 0)
		return e;
	if (!(b->fkey = malloc(((size_t)b->nfields + 1) * sizeof *b->fkey)))
		return AUTHZ_ENOMEM;
	for (uint32_t i = 0; i < b->nfields; i++) {
		uint32_t name = b->slots[b->fields[i].slot].name;
		b->fkey[i] = bundle_name_key(b->str[name], b->strlen[name]);
	}
	if ((e = rt_required_build(b)) < 0) {
		if (e == AUTHZ_EFORMAT)
			BAD("field tree)");
		return e;
	}
	return 0;
}

int rt_bundle_prepare_slow(const authz_bundle *cb)
{
	/* the images and the index are the bundle's own derived state: built
	 * once, under the lock, before any decision reads them */
	authz_bundle *b = (authz_bundle *)cb;
	int e = 0;
	pthread_mutex_lock(&b->prep_lock);
	if (!atomic_load_explicit(&b->prepared, memory_order_acquire)) {
		rt_index_free(b->index);
		b->index = NULL;
		if ((e = rt_img_build(b, true)) == 0 && (e = rt_index_build(b, 0)) == 0) {
			atomic_store_explicit(&b->prepared, true, memory_order_release);
		} else {        /* nothing half built stays */
			rt_index_free(b->index);
			b->index = NULL;
			free(b->img);
			free(b->img_off);
			b->img = NULL;
			b->img_off = NULL;
			b->img_len = 0;
		}
	}
	pthread_mutex_unlock(&b->prep_lock);
	return e;
}

int authz_bundle_prepare(const authz_bundle *b)
{
	return rt_bundle_prepare(b);
}

/* "sha256:" and the 64 hex digits of `d`. */
static void digest_str(char out[72], const uint8_t d[32])
{
	static const char hex[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[8 + 2 * i] = hex[d[i] & 15];
	}
	out[71] = '\0';
}

/* 1 MiB: about 0.7 ms of SHA-256, against tens of microseconds to start
 * and join a thread. */
size_t rt_hash_thread_min = (size_t)1 << 20;

/* The digest of a bundle's body p[0..total): SHA-256 of every byte but the
 * digest field (bytes 32 to 63) -- by nettle, on the CPU's SHA
 * instructions where there are some (x86 SHA-NI, ARMv8): libsodium's
 * portable SHA-256 takes 4 to 5 times as long. */
struct body_hash {
	const uint8_t *p;
	size_t total;
	uint8_t digest[SHA256_DIGEST_SIZE];
};

static void *hash_body(void *arg)
{
	struct body_hash *h = arg;
	struct sha256_ctx st;
	sha256_init(&st);
	sha256_update(&st, 32, h->p);
	sha256_update(&st, h->total - 64, h->p + 64);
	sha256_digest(&st, sizeof h->digest, h->digest);
	return NULL;
}

/* The body's digest against the header's, then the signature section
 * (rt_signature_check).  0, or an error with err set. */
static int check_body(const uint8_t *p, size_t len, size_t total, const uint8_t digest[32],
		      const authz_load_options *opts, char signer[AUTHZ_KEY_ID_CHARS + 1], bool *verified,
		      authz_error *err)
{
	if (sodium_memcmp(digest, p + 32, 32) != 0)
		BAD("digest mismatch)");
	return rt_signature_check(p, len, total, digest, opts, signer, verified, err);
}

/*
 * The bundle of buf[0..total) (file_len: with its signature section), its
 * sections decoded and verified, into *out -- which is set, for the caller
 * to free, whenever it was allocated, also when an error is returned.  The
 * bundle keeps *owned (and it is set to NULL) when it is not NULL, else a
 * copy of buf.  Reads buf and never writes it: a thread may hash it
 * meanwhile.  0 or an error (err set, but for AUTHZ_ENOMEM).
 */
static int decode(authz_bundle **out, const void *buf, size_t total, size_t file_len, uint8_t **owned,
		  authz_error *err)
{
	authz_bundle *b = calloc(1, sizeof *b);
	if (!b || !(b->buf = *owned ? *owned : malloc(total))) {
		free(b);
		return AUTHZ_ENOMEM;
	}
	if (pthread_mutex_init(&b->prep_lock, NULL) != 0) {
		if (!*owned)
			free(b->buf);
		free(b);
		return AUTHZ_ENOMEM;
	}
	b->has_lock = true;
	if (*owned)
		*owned = NULL;
	else
		memcpy(b->buf, buf, total);
	b->len = total;
	b->file_len = file_len;
	*out = b;
	return load_sections(b, err);
}

/* authz_bundle_load, keeping *owned (the same bytes as buf, malloc'd)
 * as the bundle's copy when it is not NULL, and then setting it to NULL
 * (the bundle frees it). */
static int load_bytes(authz_bundle **out, const void *buf, size_t len, const authz_load_options *opts,
		      uint8_t **owned, authz_error *err)
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
	if ((p[4] != BUNDLE_VERSION && p[4] != BUNDLE_VERSION_SIGNED) || p[5] != 0) {
		BAD("version %u; this library reads versions %u and %u: compile the policies again with "
		    "the authzc that matches it)", (unsigned)(p[4] | p[5] << 8), (unsigned)BUNDLE_VERSION,
		    (unsigned)BUNDLE_VERSION_SIGNED);
	}
	if (memcmp(p + 8, BUNDLE_PROBE, 8) != 0)
		BAD("corrupted by text-mode conversion)");
	if (p[6] || p[7] || le64_at(p + 16) != BUNDLE_SENTINEL || p[68] || p[69] || p[70] || p[71])
		BAD("header)");
	/* The body is `total` bytes; a version 4 bundle has its signature
	 * section after it (checked by rt_signature_check once the body's
	 * digest is known). */
	uint64_t total = le64_at(p + 24);
	bool is_signed = p[4] == BUNDLE_VERSION_SIGNED;
	if (total > len || (!is_signed && total != len) || (is_signed && len - total > SIG_SECTION_SIZE))
		BAD("%s: %llu bytes, header says %llu%s)", total > len ? "truncated" : "trailing bytes",
		    (unsigned long long)len, (unsigned long long)total,
		    is_signed ? " and a signature section" : "");
	if (total < BUNDLE_HEADER_SIZE)
		BAD("header)");
	if (len > AUTHZ_MAX_BUNDLE_SIZE + (size_t)SIG_SECTION_SIZE || total > AUTHZ_MAX_BUNDLE_SIZE)
		BAD("too large)");
	if ((le64_at(p + 64) & 0xffffffffu) != BUNDLE_NSECTIONS)
		BAD("section count)");
	pthread_once(&sodium_once, sodium_start);
	if (sodium_status < 0) {
		rt_bundle_error(err, AUTHZ_ERROR, "cannot initialize libsodium");
		return AUTHZ_ERROR;
	}
	/* The body's digest, on a thread of its own for a large bundle while
	 * this one decodes it (the hash is the largest single cost of a load,
	 * and reloads should not stall); a bundle that fails it is refused
	 * whatever the decoding found, so the messages are those of hashing
	 * first.  Inline when the bundle is small or no thread can start. */
	struct body_hash hb = { p, (size_t)total, { 0 } };
	pthread_t th;
	bool threaded = total >= rt_hash_thread_min && pthread_create(&th, NULL, hash_body, &hb) == 0;
	char signer[AUTHZ_KEY_ID_CHARS + 1];
	bool verified;
	int e;
	if (!threaded) {
		hash_body(&hb);
		if ((e = check_body(p, len, (size_t)total, hb.digest, opts, signer, &verified, err)) < 0)
			return e;
	}
	authz_bundle *b = NULL;
	e = decode(&b, buf, (size_t)total, len, owned, err);
	if (threaded) {
		pthread_join(th, NULL);
		int d = check_body(p, len, (size_t)total, hb.digest, opts, signer, &verified, err);
		if (d < 0) {
			authz_bundle_free(b);
			return d;
		}
	}
	if (e < 0) {
		if (e == AUTHZ_ENOMEM)
			rt_bundle_error(err, AUTHZ_ENOMEM, "out of memory");
		authz_bundle_free(b);
		return e;
	}
	memcpy(b->signer, signer, sizeof signer);
	b->sig_verified = verified;
	digest_str(b->digest, hb.digest);
	/* The schema section holds only the schema (and the codegen writes its
	 * strings first), so the same schema gives the same digest whatever the
	 * rules are: the "schema digest" of inspect and promotion records. */
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx st;
	sha256_init(&st);
	sha256_update(&st, b->sec_len[SEC_SCHEMA - 1], b->buf + b->sec_off[SEC_SCHEMA - 1]);
	sha256_digest(&st, sizeof digest, digest);
	digest_str(b->schema_digest, digest);
	*out = b;
	return 0;
}

/*
 * Header, then the digest of the body, then the signature section (the
 * bytes after the body: none in version 3, exactly one section in version
 * 4), then the sections: a bundle whose digest or signature is refused is
 * refused with that message whatever its sections hold (a large bundle's
 * sections are decoded while it is hashed, and the result thrown away).
 */
int authz_bundle_load_ex(authz_bundle **out, const void *buf, size_t len, const authz_load_options *opts,
			 authz_error *err)
{
	uint8_t *none = NULL;
	return load_bytes(out, buf, len, opts, &none, err);
}

int authz_bundle_load(authz_bundle **out, const void *buf, size_t len, authz_error *err)
{
	return authz_bundle_load_ex(out, buf, len, NULL, err);
}

int authz_bundle_load_file(authz_bundle **out, const char *path, authz_error *err)
{
	return authz_bundle_load_file_ex(out, path, NULL, err);
}

int authz_bundle_load_file_ex(authz_bundle **out, const char *path, const authz_load_options *opts,
			      authz_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rt_bundle_error(err, AUTHZ_EIO, "cannot open '%s': %s", path, strerror(errno));
		return AUTHZ_EIO;
	}
	uint8_t *data = NULL;
	size_t n = 0, cap = 0;
	/* A regular file's size, known ahead, gives the buffer its size at
	 * once (one byte more, to see the end): no copies while it grows, and
	 * the bundle keeps it (load_bytes).  Other files grow it as they go. */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < AUTHZ_MAX_BUNDLE_SIZE) {
		cap = (size_t)st.st_size + 1;
		if (!(data = malloc(cap))) {
			fclose(f);
			rt_bundle_error(err, AUTHZ_ENOMEM, "out of memory");
			return AUTHZ_ENOMEM;
		}
	}
	for (;;) {
		if (n == cap) {
			if (cap >= AUTHZ_MAX_BUNDLE_SIZE) {
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
	int e = load_bytes(out, data, n, opts, &data, err);      /* the bundle keeps data */
	if (e < 0 && err && (e == AUTHZ_EFORMAT || e == AUTHZ_ESIGNATURE)) {
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

/* Frees the index, every array of BUNDLE_ARRAYS and b; NULL is fine. */
void authz_bundle_free(authz_bundle *b)
{
	if (!b)
		return;
	rt_index_free(b->index);
	if (b->has_lock)
		pthread_mutex_destroy(&b->prep_lock);
	BUNDLE_ARRAYS(RT_OWNED_FREE, b)
	free(b);
}

const char *authz_bundle_digest(const authz_bundle *b) { return b->digest; }
const char *authz_bundle_schema_digest(const authz_bundle *b) { return b->schema_digest; }
const char *authz_bundle_signer(const authz_bundle *b) { return b->signer[0] ? b->signer : NULL; }
int authz_bundle_signature_verified(const authz_bundle *b) { return b->sig_verified; }
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

int authz_bundle_rule_expires(const authz_bundle *b, size_t i, int64_t *out_ms)
{
	if (i >= b->nrules)
		return -1;
	if (!b->rules[i].has_expires)
		return 0;
	*out_ms = b->rules[i].expires;
	return 1;
}

size_t authz_bundle_rule_guard_count(const authz_bundle *b, size_t i)
{
	return i < b->nrules ? b->rules[i].nguards : 0;
}

int authz_bundle_rule_in_scope(const authz_bundle *b, size_t i, int part, size_t k)
{
	if (i >= b->nrules || part < AUTHZ_SCOPE_PRINCIPAL || part > AUTHZ_SCOPE_RESOURCE)
		return -1;
	const struct bundle_rule *r = &b->rules[i];
	const uint64_t *set = part == AUTHZ_SCOPE_PRINCIPAL ? r->principals
			      : part == AUTHZ_SCOPE_ACTION ? r->actions : r->resources;
	if (k >= (part == AUTHZ_SCOPE_ACTION ? b->nactions : b->ntypes))
		return -1;
	return (int)(set[k / 64] >> (k % 64) & 1);
}

int authz_bundle_rule_scope_named(const authz_bundle *b, size_t i, int part)
{
	if (i >= b->nrules || part < AUTHZ_SCOPE_PRINCIPAL || part > AUTHZ_SCOPE_RESOURCE)
		return -1;
	return b->rules[i].scope_named >> part & 1;
}

/* Fill `out` from debug position `p` (NULL: none). */
static void source_of(const authz_bundle *b, const struct bundle_pos *p, bool guard,
		      authz_source_info *out)
{
	if (!p)
		return;
	out->file = b->nfiles ? b->str[b->files[p->file]] : "";
	out->line = p->line;
	out->col = p->col;
	if (guard)
		out->text = b->str[p->extra];
}

int authz_bundle_rule_source(const authz_bundle *b, size_t i, authz_source_info *out)
{
	memset(out, 0, sizeof *out);
	if (i >= b->nrules)
		return AUTHZ_EINVAL;
	source_of(b, b->has_debug ? &b->rule_pos[i] : NULL, false, out);
	return 0;
}

int authz_bundle_rule_guard(const authz_bundle *b, size_t i, size_t k, authz_source_info *out)
{
	memset(out, 0, sizeof *out);
	if (i >= b->nrules || k >= b->rules[i].nguards)
		return AUTHZ_EINVAL;
	const struct bundle_rule *r = &b->rules[i];
	/* Its kind: the instruction that tests it. */
	for (uint32_t pc = 0; pc < r->code_len; pc++) {
		uint32_t ins = b->code[r->code_off + pc];
		if (AUTHZ_GET_OP(ins) == AUTHZ_OP_UNLESS && AUTHZ_GET_AX(ins) == k)
			out->unless = 1;
	}
	source_of(b, b->has_debug ? &b->guard_pos[b->rule_pos[i].extra + (uint32_t)k] : NULL, true, out);
	return 0;
}

void authz_bundle_get_info(const authz_bundle *b, authz_bundle_info *out)
{
	out->format = (unsigned)(b->buf[4] | b->buf[5] << 8);
	out->bytes = b->file_len;
	out->rules = b->nrules;
	out->constants = b->nconsts;
	out->instructions = b->ncode;
	out->types = b->ntypes;
	out->actions = b->nactions;
}

const char *authz_bundle_type_name(const authz_bundle *b, size_t i)
{
	return i < b->ntypes ? bundle_str(b, b->owners[i].name) : NULL;
}

const char *authz_bundle_action_name(const authz_bundle *b, size_t i)
{
	return i < b->nactions ? bundle_str(b, b->actions[i].name) : NULL;
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
