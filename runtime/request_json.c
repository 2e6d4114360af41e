/*
 * request_json.c: JSON requests (CLI.md "JSON forms").
 *
 * A small JSON reader of our own: it parses into a node array kept in the
 * request (reused, so no allocation once warm), keeps every number's text so
 * integers are read exactly from their digits (never through a double),
 * refuses nesting deeper than JSON_MAX_DEPTH, then walks the tree against
 * the bundle's schema.  Strings and sets beyond AUTHZ_MAX_STRING bytes and
 * AUTHZ_MAX_SET elements (authz_limits.h) are request errors.  Integers must be written as JSON integers: 1.5, 1.0
 * and 1e3 are refused for an int attribute.  Keys the schema does not
 * declare are ignored; a declared attribute given twice is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define JSON_MAX_DEPTH AUTHZ_MAX_JSON_DEPTH
#define JSON_MAX_SIZE AUTHZ_MAX_REQUEST_BYTES
#define J_END UINT32_MAX

enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct json_node {
	uint8_t type, esc, kesc;        /* esc: the string has escapes */
	uint8_t hi, khi;                /* hi: the string has a byte >= 0x80 */
	uint32_t start, len;            /* text (strings: between the quotes) */
	uint32_t kstart, klen;          /* key, for members of an object */
	uint32_t first, next;           /* children, next sibling */
};

AUTHZ_INTERNAL int rt_request_string_value(authz_request *r, const char *s, size_t n, struct vm_value *out);
AUTHZ_INTERNAL int rt_request_pool_value(authz_request *r, const struct vm_value *v, uint32_t *off);
AUTHZ_INTERNAL void rt_request_store(authz_request *r, unsigned root, uint32_t slot, const struct vm_value *v);
AUTHZ_INTERNAL bool rt_request_has(const authz_request *r, unsigned root, uint32_t slot);
AUTHZ_INTERNAL int rt_request_find_type(const authz_bundle *b, const char *name, size_t n);
AUTHZ_INTERNAL int rt_request_find_action(const authz_bundle *b, const char *name, size_t n);
AUTHZ_INTERNAL void rt_request_slot_path(const authz_bundle *b, unsigned root, uint32_t slot, char *buf,
				      size_t size);

struct jp {
	authz_request *r;
	const char *s;
	size_t n, at;
	const char *err;
	bool nomem;
};

static inline void ws(struct jp *p)
{
	size_t at = p->at;
	if (at < p->n && (unsigned char)p->s[at] > ' ')
		return;         /* the usual case: no white space */
	while (at < p->n) {
		char c = p->s[at];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		at++;
	}
	p->at = at;
}

static uint32_t new_node(struct jp *p, uint8_t type)
{
	authz_request *r = p->r;
	if (r->nnodes == r->capnodes) {
		size_t cap = r->capnodes ? r->capnodes * 2 : 64;
		struct json_node *nn = realloc(r->nodes, cap * sizeof *nn);
		if (!nn) {
			p->nomem = true;
			return J_END;
		}
		r->nodes = nn;
		r->capnodes = cap;
	}
	r->nodes[r->nnodes] = (struct json_node){ .type = type, .first = J_END, .next = J_END };
	return (uint32_t)r->nnodes++;
}

/* Bytes a string body scan stops at: 1 for '"', '\\' and control
 * characters, 2 for bytes >= 0x80 (UTF-8 is checked only then). */
static const uint8_t str_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* A string body from p->at (after the quote); sets start/len/esc/hi. */
static bool parse_str(struct jp *p, uint32_t *start, uint32_t *len, uint8_t *esc, uint8_t *hi)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t at = p->at, n = p->n;
	uint8_t e = 0, h = 0;
	*start = (uint32_t)at;
	for (;;) {
		while (at < n && !str_stop[s[at]])
			at++;
		if (at >= n)
			break;
		unsigned char c = s[at];
		if (c == '"') {
			*len = (uint32_t)(at - *start);
			*esc = e;
			*hi = h;
			p->at = at + 1;
			return true;
		}
		if (c >= 0x80) {
			h = 1;
			at++;
			continue;
		}
		if (c < 0x20) {
			p->at = at;
			p->err = "control character in string";
			return false;
		}
		/* a backslash: the next byte is escaped */
		e = 1;
		at++;
		if (at >= n)
			break;
		if (s[at] >= 0x80)
			h = 1;
		at++;
	}
	p->at = at;
	p->err = "unterminated string";
	return false;
}

static uint32_t parse_value(struct jp *p, int depth);

static uint32_t parse_container(struct jp *p, int depth, bool obj)
{
	uint32_t node = new_node(p, obj ? J_OBJ : J_ARR), last = J_END;
	if (node == J_END)
		return J_END;
	p->at++;
	ws(p);
	char close = obj ? '}' : ']';
	if (p->at < p->n && p->s[p->at] == close) {
		p->at++;
		return node;
	}
	for (;;) {
		uint32_t ks = 0, kl = 0;
		uint8_t kesc = 0, khi = 0;
		if (obj) {
			ws(p);
			if (p->at >= p->n || p->s[p->at] != '"') {
				p->err = "expected a key";
				return J_END;
			}
			p->at++;
			if (!parse_str(p, &ks, &kl, &kesc, &khi))
				return J_END;
			ws(p);
			if (p->at >= p->n || p->s[p->at] != ':') {
				p->err = "expected ':'";
				return J_END;
			}
			p->at++;
		}
		uint32_t child = parse_value(p, depth + 1);
		if (child == J_END)
			return J_END;
		struct json_node *c = &p->r->nodes[child];
		c->kstart = ks;
		c->klen = kl;
		c->kesc = kesc;
		c->khi = khi;
		if (last == J_END)
			p->r->nodes[node].first = child;
		else
			p->r->nodes[last].next = child;
		last = child;
		ws(p);
		if (p->at < p->n && p->s[p->at] == ',') {
			p->at++;
			continue;
		}
		if (p->at < p->n && p->s[p->at] == close) {
			p->at++;
			return node;
		}
		p->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
		return J_END;
	}
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static uint32_t parse_value(struct jp *p, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		p->err = "nesting too deep";
		return J_END;
	}
	ws(p);
	if (p->at >= p->n) {
		p->err = "unexpected end of input";
		return J_END;
	}
	char c = p->s[p->at];
	if (c == '{' || c == '[')
		return parse_container(p, depth, c == '{');
	if (c == '"') {
		uint32_t node = new_node(p, J_STR);
		if (node == J_END)
			return J_END;
		p->at++;
		uint32_t st, ln;
		uint8_t esc, hi;
		if (!parse_str(p, &st, &ln, &esc, &hi))
			return J_END;
		struct json_node *nd = &p->r->nodes[node];
		nd->start = st;
		nd->len = ln;
		nd->esc = esc;
		nd->hi = hi;
		return node;
	}
	static const struct { const char *w; uint8_t t, l; } words[] = {
		{ "true", J_TRUE, 4 }, { "false", J_FALSE, 5 }, { "null", J_NULL, 4 } };
	int wi = c == 't' ? 0 : c == 'f' ? 1 : c == 'n' ? 2 : -1;
	if (wi >= 0 && p->n - p->at >= words[wi].l && memcmp(p->s + p->at, words[wi].w, words[wi].l) == 0) {
		uint32_t node = new_node(p, words[wi].t);
		p->at += words[wi].l;
		return node;
	}
	/* number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
	size_t st = p->at;
	if (p->at < p->n && p->s[p->at] == '-')
		p->at++;
	if (p->at < p->n && p->s[p->at] == '0')
		p->at++;
	else if (p->at < p->n && is_digit(p->s[p->at]))
		while (p->at < p->n && is_digit(p->s[p->at]))
			p->at++;
	else {
		p->err = "unexpected character";
		return J_END;
	}
	if (p->at < p->n && p->s[p->at] == '.') {
		p->at++;
		if (p->at >= p->n || !is_digit(p->s[p->at])) {
			p->err = "bad number";
			return J_END;
		}
		while (p->at < p->n && is_digit(p->s[p->at]))
			p->at++;
	}
	if (p->at < p->n && (p->s[p->at] == 'e' || p->s[p->at] == 'E')) {
		p->at++;
		if (p->at < p->n && (p->s[p->at] == '+' || p->s[p->at] == '-'))
			p->at++;
		if (p->at >= p->n || !is_digit(p->s[p->at])) {
			p->err = "bad number";
			return J_END;
		}
		while (p->at < p->n && is_digit(p->s[p->at]))
			p->at++;
	}
	uint32_t node = new_node(p, J_NUM);
	if (node != J_END) {
		p->r->nodes[node].start = (uint32_t)st;
		p->r->nodes[node].len = (uint32_t)(p->at - st);
	}
	return node;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Decode the JSON string text s[0..n) into out (room for n bytes); returns
 * the decoded length or -1 when an escape is bad or the result is not
 * UTF-8. */
static long decode_str(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i]) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			if (n - i < 5)
				return -1;
			long cp = hex4(s + i + 1);
			i += 4;
			if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (n - i < 7 || s[i + 1] != '\\' || s[i + 2] != 'u')
					return -1;
				long lo = hex4(s + i + 3);
				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			/* \uXXXX (6 bytes of text) never decodes to more than its text */
			if (cp < 0x80) {
				out[o++] = (char)cp;
			} else if (cp < 0x800) {
				out[o++] = (char)(0xc0 | cp >> 6);
				out[o++] = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				out[o++] = (char)(0xe0 | cp >> 12);
				out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
				out[o++] = (char)(0x80 | (cp & 0x3f));
			} else {
				out[o++] = (char)(0xf0 | cp >> 18);
				out[o++] = (char)(0x80 | (cp >> 12 & 0x3f));
				out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
				out[o++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			return -1;
		}
	}
	return rt_utf8_valid(out, o) ? (long)o : -1;
}

/* The walker's state. */
struct jw {
	authz_request *r;
	const char *s;
	char tmp[512];          /* decoded short strings (keys, names) */
};

/* Decode node's string (key when `key`) into w->tmp or the string pool.
 * Returns a pointer and length, NULL when bad (request error recorded). */
static const char *node_text(struct jw *w, const struct json_node *nd, bool key, size_t *len)
{
	uint32_t st = key ? nd->kstart : nd->start, ln = key ? nd->klen : nd->len;
	bool esc = key ? nd->kesc : nd->esc, hi = key ? nd->khi : nd->hi;
	if (!esc) {
		if (hi && !rt_utf8_valid(w->s + st, ln)) {
			rt_request_fail(w->r, "string is not valid UTF-8");
			return NULL;
		}
		*len = ln;
		return w->s + st;
	}
	if (ln > sizeof w->tmp) {
		rt_request_fail(w->r, "escaped name too long");
		return NULL;
	}
	long n = decode_str(w->s + st, ln, w->tmp);
	if (n < 0) {
		rt_request_fail(w->r, "bad string escape");
		return NULL;
	}
	*len = (size_t)n;
	return w->tmp;
}

/* Is the text k[0..n) the NUL-terminated `name`? */
static bool name_is(const char *k, size_t n, const char *name)
{
	size_t i = 0;
	while (i < n && name[i] && name[i] == k[i])
		i++;
	return i == n && !name[i];
}

/* Where a value sits in the request: its attribute slot under a root. */
struct where {
	unsigned root;
	uint32_t slot;
};

/* The dotted path of `at` ("principal.workload.signed"), for error messages
 * only: it is formatted when a request fails, never on the success path. */
static const char *where_str(const struct jw *w, struct where at, char *buf, size_t size)
{
	rt_request_slot_path(w->r->b, at.root, at.slot, buf, size);
	return buf;
}

/* True (request error recorded) when a string of n bytes is over the limit;
 * `at` names it, or `role` ("principal.id") when `at` is NULL. */
static bool string_too_long(struct jw *w, size_t n, const struct where *at, const char *role)
{
	if (n <= AUTHZ_MAX_STRING)
		return false;
	char what[200];
	rt_request_fail(w->r, "string for '%s' too long: %zu bytes, at most %u",
			at ? where_str(w, *at, what, sizeof what) : role, n, (unsigned)AUTHZ_MAX_STRING);
	return true;
}

/* A string value into the pool; `at` or `role` names it in a request error. */
static bool string_value(struct jw *w, const struct json_node *nd, struct vm_value *out,
			 const struct where *at, const char *role)
{
	/* The decoded text is never longer than the raw text. */
	if (!nd->esc && string_too_long(w, nd->len, at, role))
		return false;
	if (!nd->esc) {
		if (nd->hi && !rt_utf8_valid(w->s + nd->start, nd->len)) {
			rt_request_fail(w->r, "string is not valid UTF-8");
			return false;
		}
		if (rt_request_string_value(w->r, w->s + nd->start, nd->len, out) < 0) {
			rt_request_fail(w->r, "out of memory");
			return false;
		}
		return true;
	}
	/* reserve the raw length, decode in place */
	if (rt_request_string_value(w->r, w->s + nd->start, nd->len, out) < 0) {
		rt_request_fail(w->r, "out of memory");
		return false;
	}
	char *dst = w->r->chars + out->u.s.off;
	long n = decode_str(w->s + nd->start, nd->len, dst);
	if (n < 0) {
		rt_request_fail(w->r, "bad string escape");
		return false;
	}
	dst[n] = '\0';
	out->len = (uint32_t)n;
	return !string_too_long(w, (size_t)n, at, role);
}

static const char *kind_name(unsigned k)
{
	static const char *const names[] = { "?", "bool", "int", "string", "timestamp", "duration", "ip",
					     "set", "record" };
	return k <= AUTHZ_K_RECORD ? names[k] : "?";
}

#define WHAT where_str(w, at, what, sizeof what)

/* Convert scalar `nd` to kind `k`; false (request error recorded, naming
 * the attribute at `at`) when it does not conform. */
static bool scalar(struct jw *w, const struct json_node *nd, unsigned k, struct vm_value *out,
		   struct where at)
{
	char what[200];
	memset(out, 0, sizeof *out);
	out->kind = (uint8_t)k;
	const char *t = w->s + nd->start;
	switch (k) {
	case AUTHZ_K_BOOL:
		if (nd->type != J_TRUE && nd->type != J_FALSE)
			break;
		out->u.i = nd->type == J_TRUE;
		return true;
	case AUTHZ_K_INT: {
		if (nd->type != J_NUM)
			break;
		size_t i = 0;
		bool neg = t[0] == '-';
		uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		for (i = neg; i < nd->len; i++) {
			if (!is_digit(t[i])) {
				rt_request_fail(w->r, "bad integer '%.*s' for '%s': not an integer", (int)nd->len, t, WHAT);
				return false;
			}
			unsigned d = (unsigned)(t[i] - '0');
			if (v > (lim - d) / 10) {
				rt_request_fail(w->r, "integer '%.*s' out of range for '%s'", (int)(nd->len > 40 ? 40 : nd->len), t, WHAT);
				return false;
			}
			v = v * 10 + d;
		}
		out->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
		return true;
	}
	case AUTHZ_K_STRING:
		if (nd->type != J_STR)
			break;
		return string_value(w, nd, out, &at, NULL);
	case AUTHZ_K_TIMESTAMP:
	case AUTHZ_K_DURATION:
	case AUTHZ_K_IP: {
		if (nd->type != J_STR)
			break;
		bool ok = !nd->esc;
		if (ok && k == AUTHZ_K_TIMESTAMP)
			ok = authz_parse_time(t, nd->len, &out->u.i) == 0;
		else if (ok && k == AUTHZ_K_DURATION)
			ok = rt_parse_duration(t, nd->len, &out->u.i);
		else if (ok)
			ok = rt_parse_ip(t, nd->len, out);
		if (!ok) {
			rt_request_fail(w->r, "bad %s '%.*s' for '%s'", kind_name(k), (int)(nd->len > 60 ? 60 : nd->len), t, WHAT);
			return false;
		}
		return true;
	}
	}
	rt_request_fail(w->r, "wrong type for '%s': expected %s", WHAT, kind_name(k));
	return false;
}

static bool record(struct jw *w, unsigned root, uint32_t node, uint32_t first, uint32_t n);

static bool field(struct jw *w, unsigned root, const struct bundle_field *f, const struct json_node *nd)
{
	struct where at = { root, f->slot };
	char what[200];
	if (rt_request_has(w->r, root, f->slot)) {
		rt_request_fail(w->r, "duplicate attribute '%s'", WHAT);
		return false;
	}
	struct vm_value v;
	if (f->type == AUTHZ_K_RECORD) {
		if (nd->type != J_OBJ) {
			rt_request_fail(w->r, "wrong type for '%s': expected record", WHAT);
			return false;
		}
		memset(&v, 0, sizeof v);
		v.kind = AUTHZ_K_RECORD;
		rt_request_store(w->r, root, f->slot, &v);
		return record(w, root, (uint32_t)(nd - w->r->nodes), f->first_child, f->nchild);
	}
	if (f->type == AUTHZ_K_SET) {
		if (nd->type != J_ARR) {
			rt_request_fail(w->r, "wrong type for '%s': expected set<%s>", WHAT, kind_name(f->elem));
			return false;
		}
		struct vm_value set = { .kind = AUTHZ_K_SET, .elem = f->elem };
		set.u.set.off = (uint32_t)w->r->npool;
		for (uint32_t c = nd->first; c != J_END; c = w->r->nodes[c].next) {
			uint32_t off;
			if (set.len == AUTHZ_MAX_SET) {
				rt_request_fail(w->r, "set for '%s' too large: more than %u elements", WHAT,
						(unsigned)AUTHZ_MAX_SET);
				return false;
			}
			if (!scalar(w, &w->r->nodes[c], f->elem, &v, at))
				return false;
			if (rt_request_pool_value(w->r, &v, &off) < 0) {
				rt_request_fail(w->r, "out of memory");
				return false;
			}
			set.len++;
		}
		rt_request_store(w->r, root, f->slot, &set);
		return true;
	}
	if (!scalar(w, nd, f->type, &v, at))
		return false;
	rt_request_store(w->r, root, f->slot, &v);
	return true;
}

/* Object `node` against fields [first, first + n). */
static bool record(struct jw *w, unsigned root, uint32_t node, uint32_t first, uint32_t n)
{
	const authz_bundle *b = w->r->b;
	for (uint32_t c = w->r->nodes[node].first; c != J_END; c = w->r->nodes[c].next) {
		size_t kl;
		const char *k = node_text(w, &w->r->nodes[c], true, &kl);
		if (!k)
			return false;
		uint64_t key = bundle_name_key(k, kl);
		for (uint32_t i = first; i < first + n; i++) {
			if (b->fkey[i] != key)
				continue;
			uint32_t name = b->slots[b->fields[i].slot].name;
			if (memcmp(b->str[name], k, kl) == 0) {
				if (!field(w, root, &b->fields[i], &w->r->nodes[c]))
					return false;
				break;
			}
		}
	}
	return true;
}

/* principal / resource: {"type": T, "id": S, "attrs": {...}} */
static bool entity(struct jw *w, unsigned which, uint32_t node)
{
	authz_request *r = w->r;
	const char *role = which ? "resource" : "principal";
	if (r->nodes[node].type != J_OBJ) {
		rt_request_fail(r, "wrong type for '%s': expected an object", role);
		return false;
	}
	uint32_t type = J_END, id = J_END, attrs = J_END;
	for (uint32_t c = r->nodes[node].first; c != J_END; c = r->nodes[c].next) {
		size_t kl;
		const char *k = node_text(w, &r->nodes[c], true, &kl);
		if (!k)
			return false;
		uint32_t *slot = name_is(k, kl, "type") ? &type : name_is(k, kl, "id") ? &id :
				 name_is(k, kl, "attrs") ? &attrs : NULL;
		if (slot && *slot != J_END) {
			rt_request_fail(r, "duplicate key in '%s'", role);
			return false;
		}
		if (slot)
			*slot = c;
	}
	if (type == J_END || id == J_END) {
		rt_request_fail(r, "'%s' has no %s", role, type == J_END ? "type" : "id");
		return false;
	}
	if (r->nodes[type].type != J_STR || r->nodes[id].type != J_STR) {
		rt_request_fail(r, "wrong type for '%s.%s': expected string", role,
			     r->nodes[type].type != J_STR ? "type" : "id");
		return false;
	}
	size_t tl;
	const char *tn = node_text(w, &r->nodes[type], false, &tl);
	if (!tn)
		return false;
	int t = rt_request_find_type(r->b, tn, tl);
	if (t < 0) {
		rt_request_fail(r, "unknown %s type '%.*s'", role, (int)(tl > 100 ? 100 : tl), tn);
		return false;
	}
	r->type[which] = t;
	struct vm_value idv;
	if (!string_value(w, &r->nodes[id], &idv, NULL, which ? "resource.id" : "principal.id"))
		return false;
	r->id_off[which] = idv.u.s.off;
	r->id_len[which] = idv.len;
	if (attrs == J_END)
		return true;
	if (r->nodes[attrs].type != J_OBJ) {
		rt_request_fail(r, "wrong type for '%s.attrs': expected an object", role);
		return false;
	}
	const struct bundle_owner *o = &r->b->owners[t];
	return record(w, which, attrs, o->first, o->ntop);
}

int authz_request_parse_json(authz_request *r, const char *json, size_t len)
{
	authz_request_reset(r);
	r->nnodes = 0;
	if (len > JSON_MAX_SIZE) {
		rt_request_fail(r, "request too large (%zu bytes)", len);
		return 0;
	}
	struct jp p = { r, json, len, 0, NULL, false };
	uint32_t root = parse_value(&p, 0);
	if (p.nomem) {
		rt_request_fail(r, "out of memory");
		return AUTHZ_ENOMEM;
	}
	if (root != J_END) {
		ws(&p);
		if (p.at != len)
			p.err = "trailing characters";
	}
	if (root == J_END || p.err) {
		rt_request_fail(r, "bad JSON at byte %zu: %s", p.at, p.err ? p.err : "?");
		return 0;
	}
	if (r->nodes[root].type != J_OBJ) {
		rt_request_fail(r, "request is not a JSON object");
		return 0;
	}
	struct jw w = { r, json, { 0 } };
	uint32_t part[5] = { J_END, J_END, J_END, J_END, J_END };
	static const char *const keys[5] = { "principal", "action", "resource", "context", "time" };
	for (uint32_t c = r->nodes[root].first; c != J_END; c = r->nodes[c].next) {
		size_t kl;
		const char *kt = node_text(&w, &r->nodes[c], true, &kl);
		if (!kt)
			return 0;
		for (int k = 0; k < 5; k++)
			if (name_is(kt, kl, keys[k])) {
				if (part[k] != J_END) {
					rt_request_fail(r, "duplicate key '%s'", keys[k]);
					return 0;
				}
				part[k] = c;
				break;
			}
	}
	/* The time first, so that a request denied for another reason still
	 * carries its own time (authz_request_has_time); a bad time is
	 * reported after the other checks, in document order of importance. */
	bool bad_time = false;
	if (part[4] != J_END) {
		const struct json_node *t = &r->nodes[part[4]];
		bad_time = t->type != J_STR || t->esc || authz_parse_time(json + t->start, t->len, &r->time) < 0;
		r->has_time = !bad_time;
	}
	for (int k = 0; k < 3; k++)
		if (part[k] == J_END) {
			rt_request_fail(r, "request has no '%s'", keys[k]);
			return 0;
		}
	if (!entity(&w, 0, part[0]) || !entity(&w, 1, part[2]))
		goto out;
	const struct json_node *a = &r->nodes[part[1]];
	if (a->type != J_STR) {
		rt_request_fail(r, "wrong type for 'action': expected string");
		goto out;
	}
	size_t al;
	const char *an = node_text(&w, a, false, &al);
	if (!an)
		goto out;
	r->action = rt_request_find_action(r->b, an, al);
	if (r->action < 0) {
		rt_request_fail(r, "unknown action '%.*s'", (int)(al > 100 ? 100 : al), an);
		goto out;
	}
	if (part[3] != J_END) {
		if (r->nodes[part[3]].type != J_OBJ) {
			rt_request_fail(r, "wrong type for 'context': expected an object");
			goto out;
		}
		const struct bundle_owner *o = &r->b->owners[r->b->ntypes];
		if (!record(&w, AUTHZ_CONTEXT, part[3], o->first, o->ntop))
			goto out;
	}
	if (bad_time)
		rt_request_fail(r, "bad timestamp for 'time'");
out:
	return 0;
}
