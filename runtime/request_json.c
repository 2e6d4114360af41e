/*
 * request_json.c: JSON requests (authzc-eval(1), JSON FORMS).
 *
 * A small JSON reader of our own that reads a request in one pass, guided
 * by the bundle's schema: a declared attribute's value goes straight into
 * its slot (strings into the request's pool), so a warm request allocates
 * nothing and builds no tree.  Integers are read exactly from their digits (never
 * through a double).  Nesting deeper than JSON_MAX_DEPTH is refused.
 * Strings and sets beyond AUTHZ_MAX_STRING bytes and AUTHZ_MAX_SET elements
 * (authz_limits.h) are request errors.  Integers must be written as JSON
 * integers: 1.5, 1.0 and 1e3 are refused for an int attribute.  A declared
 * attribute given twice is an error.
 *
 * Which error a request gets: a JSON syntax error anywhere wins ("bad JSON
 * at byte N: ..."), since then nothing else in the text can be trusted;
 * otherwise the first schema error in document order.  After a schema error
 * the rest is read for syntax only, except the top-level "time", which is
 * always read so that a denied request still carries its own time.  An
 * entity's "attrs" may come before its "type": they are then checked for
 * syntax, and read against the type's attributes once the type is known.
 *
 * Strict by default: a key the request form does not have ("contxt"), or an
 * attribute the schema does not declare for its record, is a request error
 * naming it and the closest declared name, so that a misspelt attribute
 * cannot quietly skip the rule that reads it.  A record the schema opens
 * ("additionalAttributes": true) takes undeclared attributes and skips
 * them.  The lookup of a declared attribute costs the same either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closest.h"
#include "request.h"
#include "vm.h"

#define JSON_MAX_DEPTH AUTHZ_MAX_JSON_DEPTH
#define JSON_MAX_SIZE AUTHZ_MAX_REQUEST_BYTES

/* The reader's state.  `err` is the JSON syntax error (p->at is where);
 * schema errors go to the request (rt_request_fail, r->bad). */
struct jp {
	authz_request *r;
	const authz_bundle *b;
	const char *s;
	size_t n, at;
	const char *err;
	char tmp[512];          /* decoded escaped short strings (keys, names) */
};

/* A string token: its text between the quotes. */
struct jstr {
	uint32_t start, len;
	bool esc, hi;           /* has a backslash escape; a byte >= 0x80 */
};

/* Record a JSON syntax error at p->at; returns false for the caller to
 * return. */
static bool syntax(struct jp *p, const char *msg)
{
	p->err = msg;
	return false;
}

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

/* After white space, the first byte of the next token; 0 at the end. */
static inline char peek(struct jp *p)
{
	ws(p);
	return p->at < p->n ? p->s[p->at] : 0;
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

/* The bytes of the 8-byte word x the string scan stops at ('"', '\\',
 * < 0x20 or >= 0x80), as the high bit of each such byte: the classic "has a
 * zero byte" test, exact as a yes/no whatever the byte order, and exact for
 * the lowest-addressed such byte on a little-endian machine (a borrow only
 * marks bytes above a true one). */
static inline uint64_t word_stops(uint64_t x)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x) & high;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define STOP_AT(m) ((size_t)__builtin_ctzll(m) / 8)    /* first stop byte of a word */
#else
#define STOP_AT(m) ((void)(m), (size_t)0)               /* the byte loop finds it */
#endif

/* A string body from p->at (after the opening quote) into *t: eight bytes
 * at a time, then byte by byte from the first byte that needs a look. */
static bool str_body(struct jp *p, struct jstr *t)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t at = p->at, n = p->n;
	bool e = false, h = false;
	t->start = (uint32_t)at;
	for (;;) {
		while (n - at >= 8) {
			uint64_t w;
			memcpy(&w, s + at, 8);
			uint64_t m = word_stops(w);
			if (m) {
				at += STOP_AT(m);
				break;
			}
			at += 8;
		}
		while (at < n && !str_stop[s[at]])
			at++;
		if (at >= n)
			break;
		unsigned char c = s[at];
		if (c == '"') {
			t->len = (uint32_t)(at - t->start);
			t->esc = e;
			t->hi = h;
			p->at = at + 1;
			return true;
		}
		if (c >= 0x80) {
			h = true;
			at++;
			continue;
		}
		if (c < 0x20) {
			p->at = at;
			return syntax(p, "control character in string");
		}
		/* a backslash: the next byte is escaped */
		e = true;
		at++;
		if (at >= n)
			break;
		if (s[at] >= 0x80)
			h = true;
		at++;
	}
	p->at = at;
	return syntax(p, "unterminated string");
}

/* A string token at p->at (the opening quote). */
static bool string_token(struct jp *p, struct jstr *t)
{
	p->at++;
	return str_body(p, t);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* One or more digits at *at (a fraction's or an exponent's): *at past
 * them, or a syntax error there. */
static bool digits(struct jp *p, size_t *at)
{
	size_t i = *at;
	if (i >= p->n || !is_digit(p->s[i])) {
		p->at = i;
		return syntax(p, "bad number");
	}
	while (i < p->n && is_digit(p->s[i]))
		i++;
	*at = i;
	return true;
}

/* A number at p->at: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?;
 * *integral when it has neither fraction nor exponent. */
static bool number(struct jp *p, bool *integral)
{
	const char *s = p->s;
	size_t at = p->at, n = p->n;
	*integral = true;
	if (at < n && s[at] == '-')
		at++;
	if (at < n && s[at] == '0')
		at++;
	else if (at < n && is_digit(s[at]))
		while (at < n && is_digit(s[at]))
			at++;
	else {
		p->at = at;
		return syntax(p, "unexpected character");
	}
	if (at < n && s[at] == '.') {
		*integral = false;
		at++;
		if (!digits(p, &at))
			return false;
	}
	if (at < n && (s[at] == 'e' || s[at] == 'E')) {
		*integral = false;
		at++;
		if (at < n && (s[at] == '+' || s[at] == '-'))
			at++;
		if (!digits(p, &at))
			return false;
	}
	p->at = at;
	return true;
}

/* true, false or null at p->at: its length, 0 when it is none of them. */
static size_t word(const struct jp *p, char c)
{
	const char *w = c == 't' ? "true" : c == 'f' ? "false" : c == 'n' ? "null" : NULL;
	size_t l = w ? strlen(w) : 0;
	return w && p->n - p->at >= l && memcmp(p->s + p->at, w, l) == 0 ? l : 0;
}

/* After a member or an element: *more when a ',' follows, !*more at
 * `close` (consumed); false (syntax error) at anything else. */
static bool next(struct jp *p, char close, bool *more)
{
	char c = peek(p);
	if (c == ',' || c == close) {
		p->at++;
		*more = c == ',';
		return true;
	}
	return syntax(p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

/* Step into the object or array at p->at (its opening byte): true when a
 * member or element follows, false when it closes at once (consumed). */
static bool open_container(struct jp *p, char close)
{
	p->at++;
	if (peek(p) != close)
		return true;
	p->at++;
	return false;
}

/* A member's key and its ':', the raw token into *t. */
static bool key_token(struct jp *p, struct jstr *t)
{
	if (peek(p) != '"')
		return syntax(p, "expected a key");
	if (!string_token(p, t))
		return false;
	if (peek(p) != ':')
		return syntax(p, "expected ':'");
	p->at++;
	return true;
}

/* Check the value at p->at (at nesting `depth`) for syntax and step over
 * it. */
static bool skip_value(struct jp *p, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return syntax(p, "nesting too deep");
	char c = peek(p);
	if (p->at >= p->n)
		return syntax(p, "unexpected end of input");
	struct jstr t;
	if (c == '"')
		return string_token(p, &t);
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		char close = obj ? '}' : ']';
		bool more = open_container(p, close);
		while (more)
			if ((obj && !key_token(p, &t)) || !skip_value(p, depth + 1) || !next(p, close, &more))
				return false;
		return true;
	}
	size_t l = word(p, c);
	if (l) {
		p->at += l;
		return true;
	}
	bool integral;
	return number(p, &integral);
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

/* Is the text k[0..n) the NUL-terminated `name`? */
static bool name_is(const char *k, size_t n, const char *name)
{
	size_t i = 0;
	while (i < n && name[i] && name[i] == k[i])
		i++;
	return i == n && !name[i];
}

/* The index of k[0..n) among names[0..count), -1 when none (or k NULL). */
static int name_index(const char *k, size_t n, const char *const *names, int count)
{
	for (int i = 0; k && i < count; i++)
		if (name_is(k, n, names[i]))
			return i;
	return -1;
}

/* Record the request error for key k[0..kl) (not NULL) that object `what`
 * ("the request", "'principal'") does not have among names[0..count). */
static void unknown_key(struct jp *p, const char *k, size_t kl, const char *const *names, int count,
			const char *what)
{
	char shown[80];
	struct rt_closest c;
	rt_closest_init(&c, k, kl);
	for (int i = 0; i < count; i++)
		rt_closest_offer(&c, names[i]);
	rt_printable(shown, sizeof shown, k, kl);
	if (c.best)
		rt_request_fail(p->r, "unknown key '%s' in %s: did you mean '%s'?", shown, what, c.best);
	else if (count == 3)
		rt_request_fail(p->r, "unknown key '%s' in %s: it has 'type', 'id' and 'attrs'", shown, what);
	else
		rt_request_fail(p->r, "unknown key '%s' in %s: it has 'principal', 'action', 'resource', "
				"'context' and 'time'", shown, what);
}

/* Where a value sits in the request: its attribute slot under a root. */
struct where {
	unsigned root;
	uint32_t slot;
};

static const char *kind_name(unsigned k)
{
	static const char *const names[] = { "?", "bool", "int", "string", "timestamp", "duration", "ip",
					     "set", "record" };
	return k <= AUTHZ_K_RECORD ? names[k] : "?";
}


/* The text of string token t: *len bytes, in the input or (escaped) in
 * p->tmp; NULL when bad (request error recorded).  For keys and names. */
static const char *str_text(struct jp *p, const struct jstr *t, size_t *len)
{
	if (!t->esc) {
		if (t->hi && !rt_utf8_valid(p->s + t->start, t->len)) {
			rt_request_fail(p->r, "string is not valid UTF-8");
			return NULL;
		}
		*len = t->len;
		return p->s + t->start;
	}
	if (t->len > sizeof p->tmp) {
		rt_request_fail(p->r, "escaped name too long");
		return NULL;
	}
	long n = decode_str(p->s + t->start, t->len, p->tmp);
	if (n < 0) {
		rt_request_fail(p->r, "bad string escape");
		return NULL;
	}
	*len = (size_t)n;
	return p->tmp;
}

/* A member's key and its ':': its text into *k, *kl (*k NULL when the key's
 * text is bad, request error recorded). */
static bool key(struct jp *p, const char **k, size_t *kl)
{
	struct jstr t;
	if (!key_token(p, &t))
		return false;
	*k = str_text(p, &t, kl);
	return true;
}


/* The dotted path of `at` ("principal.workload.signed"), for error messages
 * only: it is formatted when a request fails, never on the success path. */
static const char *where_str(const struct jp *p, struct where at, char *buf, size_t size)
{
	rt_request_slot_path(p->b, at.root, at.slot, buf, size);
	return buf;
}

/* True (request error recorded) when a string of n bytes is over the limit;
 * `at` names it, or `role` ("principal.id") when `at` is NULL. */
static bool string_too_long(struct jp *p, size_t n, const struct where *at, const char *role)
{
	if (n <= AUTHZ_MAX_STRING)
		return false;
	char what[200];
	rt_request_fail(p->r, "string for '%s' too long: %zu bytes, at most %u",
			at ? where_str(p, *at, what, sizeof what) : role, n, (unsigned)AUTHZ_MAX_STRING);
	return true;
}

/* String token t into the pool as *out; `at` or `role` names it in a
 * request error.  False when it is not a valid string (error recorded). */
static bool string_value(struct jp *p, const struct jstr *t, struct vm_value *out, const struct where *at,
			 const char *role)
{
	authz_request *r = p->r;
	/* The decoded text is never longer than the raw text. */
	if (!t->esc && string_too_long(p, t->len, at, role))
		return false;
	if (!t->esc && t->hi && !rt_utf8_valid(p->s + t->start, t->len)) {
		rt_request_fail(r, "string is not valid UTF-8");
		return false;
	}
	if (rt_request_string_value(r, p->s + t->start, t->len, out) < 0) {
		rt_request_fail(r, "out of memory");
		return false;
	}
	if (!t->esc)
		return true;
	/* the raw length is reserved: decode in place */
	char *dst = r->chars + out->u.s.off;
	long n = decode_str(p->s + t->start, t->len, dst);
	if (n < 0) {
		rt_request_fail(r, "bad string escape");
		return false;
	}
	dst[n] = '\0';
	out->len = (uint32_t)n;
	return !string_too_long(p, (size_t)n, at, role);
}

#define WHAT where_str(p, at, what, sizeof what)

/* The integer text t[0..n) (a JSON number, `integral` when it has no
 * fraction or exponent) into *v; false (request error recorded) when it is
 * not an integer or out of 64-bit range. */
static bool integer(struct jp *p, const char *t, size_t n, bool integral, int64_t *v, struct where at)
{
	char what[200];
	if (!integral) {
		rt_request_fail(p->r, "bad integer '%.*s' for '%s': not an integer", (int)(n > 40 ? 40 : n), t, WHAT);
		return false;
	}
	bool neg = t[0] == '-';
	uint64_t u = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t i = neg; i < n; i++) {
		unsigned d = (unsigned)(t[i] - '0');
		if (u > (lim - d) / 10) {
			rt_request_fail(p->r, "integer '%.*s' out of range for '%s'", (int)(n > 40 ? 40 : n), t, WHAT);
			return false;
		}
		u = u * 10 + d;
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/*
 * The value at p->at (nesting `depth`) as a scalar of kind k into *out,
 * *got set.  A value of another JSON type or a bad text records a request
 * error naming `at` and is stepped over (*got false).  False only on a
 * syntax error.
 */
static bool scalar(struct jp *p, int depth, unsigned k, struct vm_value *out, struct where at, bool *got)
{
	char what[200];
	char c = peek(p);
	memset(out, 0, sizeof *out);
	out->kind = (uint8_t)k;
	*got = false;
	switch (k) {
	case AUTHZ_K_BOOL: {
		size_t l = c == 't' || c == 'f' ? word(p, c) : 0;
		if (!l)
			break;
		p->at += l;
		out->u.i = c == 't';
		*got = true;
		return true;
	}
	case AUTHZ_K_INT: {
		if (c != '-' && !is_digit(c))
			break;
		size_t st = p->at;
		bool integral;
		if (!number(p, &integral))
			return false;
		*got = integer(p, p->s + st, p->at - st, integral, &out->u.i, at);
		return true;
	}
	case AUTHZ_K_STRING:
	case AUTHZ_K_TIMESTAMP:
	case AUTHZ_K_DURATION:
	case AUTHZ_K_IP: {
		if (c != '"')
			break;
		struct jstr t;
		if (!string_token(p, &t))
			return false;
		if (k == AUTHZ_K_STRING) {
			*got = string_value(p, &t, out, &at, NULL);
			return true;
		}
		const char *s = p->s + t.start;
		bool ok = !t.esc;
		if (ok && k == AUTHZ_K_TIMESTAMP)
			ok = authz_parse_time(s, t.len, &out->u.i) == 0;
		else if (ok && k == AUTHZ_K_DURATION)
			ok = rt_parse_duration(s, t.len, &out->u.i);
		else if (ok)
			ok = rt_parse_ip(s, t.len, out);
		if (!ok)
			rt_request_fail(p->r, "bad %s '%.*s' for '%s'", kind_name(k), (int)(t.len > 60 ? 60 : t.len), s,
					WHAT);
		*got = ok;
		return true;
	}
	}
	rt_request_fail(p->r, "wrong type for '%s': expected %s", WHAT, kind_name(k));
	return skip_value(p, depth);
}

/* A set of `elem` at p->at (the '['), for the attribute at `at`. */
static bool set(struct jp *p, int depth, unsigned elem, struct where at)
{
	authz_request *r = p->r;
	char what[200];
	struct vm_value s = { .kind = AUTHZ_K_SET, .elem = (uint8_t)elem };
	s.u.set.off = (uint32_t)r->npool;
	bool more = open_container(p, ']');
	while (more) {
		if (r->bad) {
			if (!skip_value(p, depth + 1))
				return false;
		} else if (s.len == AUTHZ_MAX_SET) {
			rt_request_fail(r, "set for '%s' too large: more than %u elements", WHAT, (unsigned)AUTHZ_MAX_SET);
			if (!skip_value(p, depth + 1))
				return false;
		} else {
			struct vm_value v;
			uint32_t off;
			bool got;
			if (!scalar(p, depth + 1, elem, &v, at, &got))
				return false;
			if (got && rt_request_pool_value(r, &v, &off) < 0)
				rt_request_fail(r, "out of memory");
			else if (got)
				s.len++;
		}
		if (!next(p, ']', &more))
			return false;
	}
	if (!r->bad)
		rt_request_store(r, at.root, at.slot, &s);
	return true;
}

static bool record(struct jp *p, int depth, unsigned root, uint32_t parent, uint32_t first, uint32_t n,
		   bool open);

/* The value at p->at (nesting `depth`) for attribute f under `root`. */
static bool field(struct jp *p, int depth, unsigned root, const struct bundle_field *f)
{
	authz_request *r = p->r;
	struct where at = { root, f->slot };
	char what[200];
	if (rt_request_has(r, root, f->slot)) {
		rt_request_fail(r, "duplicate attribute '%s'", WHAT);
		return skip_value(p, depth);
	}
	char c = peek(p);
	if (f->type == AUTHZ_K_RECORD) {
		if (c != '{') {
			rt_request_fail(r, "wrong type for '%s': expected record", WHAT);
			return skip_value(p, depth);
		}
		struct vm_value v = { .kind = AUTHZ_K_RECORD };
		rt_request_store(r, root, f->slot, &v);
		return record(p, depth, root, f->slot, f->first_child, f->nchild, f->open);
	}
	if (f->type == AUTHZ_K_SET) {
		if (c != '[') {
			rt_request_fail(r, "wrong type for '%s': expected set<%s>", WHAT, kind_name(f->elem));
			return skip_value(p, depth);
		}
		return set(p, depth, f->elem, at);
	}
	struct vm_value v;
	bool got;
	if (!scalar(p, depth, f->type, &v, at, &got))
		return false;
	if (got)
		rt_request_store(r, root, f->slot, &v);
	return true;
}

/* The object at p->at (the '{', nesting `depth`) against fields
 * [first, first + n) under `root`, of the record at slot `parent`
 * (BUNDLE_NO_INDEX: the entity or the context); an undeclared attribute is
 * a request error unless the record is `open`. */
static bool record(struct jp *p, int depth, unsigned root, uint32_t parent, uint32_t first, uint32_t n,
		   bool open)
{
	const authz_bundle *b = p->b;
	if (depth > JSON_MAX_DEPTH)
		return syntax(p, "nesting too deep");
	bool more = open_container(p, '}');
	while (more) {
		const char *k;
		size_t kl;
		if (!key(p, &k, &kl))
			return false;
		const struct bundle_field *f = NULL;
		if (k && !p->r->bad) {
			uint64_t hk = bundle_name_key(k, kl);
			for (uint32_t i = first; i < first + n && !f; i++)
				if (b->fkey[i] == hk && rt_bytes_eq(b->str[b->slots[b->fields[i].slot].name], k, kl))
					f = &b->fields[i];
			if (!f && !open)
				rt_request_undeclared(p->r, root, parent, first, n, k, kl);
		}
		if (!(f ? field(p, depth + 1, root, f) : skip_value(p, depth + 1)) || !next(p, '}', &more))
			return false;
	}
	return true;
}

/* A string member's token when the value at p->at is a string (*is_str);
 * else it is stepped over.  False on a syntax error. */
static bool string_member(struct jp *p, int depth, struct jstr *t, bool *is_str)
{
	*is_str = peek(p) == '"';
	return *is_str ? string_token(p, t) : skip_value(p, depth);
}

/* principal / resource at p->at (nesting `depth`):
 * {"type": T, "id": S, "attrs": {...}} in any order. */
static bool entity(struct jp *p, int depth, unsigned which)
{
	authz_request *r = p->r;
	const char *role = which ? "resource" : "principal";
	if (r->bad || peek(p) != '{') {
		if (!r->bad)
			rt_request_fail(r, "wrong type for '%s': expected an object", role);
		return skip_value(p, depth);
	}
	static const char *const names[3] = { "type", "id", "attrs" };
	bool seen[3] = { false, false, false };
	size_t attrs_at = SIZE_MAX;
	bool more = open_container(p, '}');
	while (more) {
		const char *k;
		size_t kl;
		if (!key(p, &k, &kl))
			return false;
		int m = name_index(k, kl, names, 3);
		if (m >= 0 && seen[m])
			rt_request_fail(r, "duplicate key in '%s'", role);
		if (m >= 0)
			seen[m] = true;
		struct jstr t;
		bool is_str, ok;
		if (r->bad || m < 0) {
			if (!r->bad && k)
				unknown_key(p, k, kl, names, 3, which ? "'resource'" : "'principal'");
			ok = skip_value(p, depth + 1);
		} else if (m == 2) {
			if (peek(p) != '{') {
				rt_request_fail(r, "wrong type for '%s.attrs': expected an object", role);
				ok = skip_value(p, depth + 1);
			} else if (r->type[which] >= 0) {
				const struct bundle_owner *o = &p->b->owners[r->type[which]];
				ok = record(p, depth + 1, which, BUNDLE_NO_INDEX, o->first, o->ntop, o->open);
			} else {
				attrs_at = p->at;       /* read once the type is known */
				ok = skip_value(p, depth + 1);
			}
		} else {
			ok = string_member(p, depth + 1, &t, &is_str);
			if (ok && !is_str) {
				rt_request_fail(r, "wrong type for '%s.%s': expected string", role, names[m]);
			} else if (ok && m == 0) {
				size_t tl;
				const char *tn = str_text(p, &t, &tl);
				int ty = tn ? rt_request_find_type(p->b, tn, tl) : -1;
				if (tn && ty < 0)
					rt_request_fail(r, "unknown %s type '%.*s'", role, (int)(tl > 100 ? 100 : tl), tn);
				else if (tn)
					r->type[which] = ty;
			} else if (ok) {
				struct vm_value id;
				if (string_value(p, &t, &id, NULL, which ? "resource.id" : "principal.id")) {
					r->id_off[which] = id.u.s.off;
					r->id_len[which] = id.len;
				}
			}
		}
		if (!ok || !next(p, '}', &more))
			return false;
	}
	if (!r->bad && (!seen[0] || !seen[1]))
		rt_request_fail(r, "'%s' has no %s", role, !seen[0] ? "type" : "id");
	if (r->bad || attrs_at == SIZE_MAX)
		return true;
	/* attrs came before the type: read them now (their syntax is checked) */
	size_t end = p->at;
	p->at = attrs_at;
	const struct bundle_owner *o = &p->b->owners[r->type[which]];
	bool ok = record(p, depth + 1, which, BUNDLE_NO_INDEX, o->first, o->ntop, o->open);
	p->at = end;
	return ok;
}

/* The request object's members; false on a syntax error. */
static bool request(struct jp *p)
{
	authz_request *r = p->r;
	if (peek(p) != '{') {
		rt_request_fail(r, "request is not a JSON object");
		return skip_value(p, 0);
	}
	static const char *const keys[5] = { "principal", "action", "resource", "context", "time" };
	bool seen[5] = { false, false, false, false, false }, bad_time = false;
	bool more = open_container(p, '}');
	while (more) {
		const char *k;
		size_t kl;
		if (!key(p, &k, &kl))
			return false;
		int m = name_index(k, kl, keys, 5);
		if (m >= 0 && seen[m]) {
			rt_request_fail(r, "duplicate key '%s'", keys[m]);
			m = -1;
		} else if (m >= 0) {
			seen[m] = true;
		}
		struct jstr t;
		bool ok, is_str;
		switch (m) {
		case 0:
		case 2:
			ok = entity(p, 1, m == 2);
			break;
		case 1:
			if (r->bad) {
				ok = skip_value(p, 1);
				break;
			}
			ok = string_member(p, 1, &t, &is_str);
			if (ok && !is_str) {
				rt_request_fail(r, "wrong type for 'action': expected string");
			} else if (ok) {
				size_t al;
				const char *an = str_text(p, &t, &al);
				r->action = an ? rt_request_find_action(p->b, an, al) : -1;
				if (an && r->action < 0)
					rt_request_fail(r, "unknown action '%.*s'", (int)(al > 100 ? 100 : al), an);
			}
			break;
		case 3:
			if (r->bad || peek(p) != '{') {
				if (!r->bad)
					rt_request_fail(r, "wrong type for 'context': expected an object");
				ok = skip_value(p, 1);
			} else {
				const struct bundle_owner *o = &p->b->owners[p->b->ntypes];
				ok = record(p, 1, AUTHZ_CONTEXT, BUNDLE_NO_INDEX, o->first, o->ntop, o->open);
			}
			break;
		case 4:
			/* read even after an error: a denied request keeps its time */
			ok = string_member(p, 1, &t, &is_str);
			if (!ok)
				break;
			bad_time = !is_str || t.esc || authz_parse_time(p->s + t.start, t.len, &r->time) < 0;
			r->has_time = !bad_time;
			break;
		default:
			if (m < 0 && k && !r->bad)
				unknown_key(p, k, kl, keys, 5, "the request");
			ok = skip_value(p, 1);
		}
		if (!ok || !next(p, '}', &more))
			return false;
	}
	for (int k = 0; k < 3 && !r->bad; k++)
		if (!seen[k])
			rt_request_fail(r, "request has no '%s'", keys[k]);
	if (bad_time)
		rt_request_fail(r, "bad timestamp for 'time'");
	return true;
}

int authz_request_parse_json(authz_request *r, const char *json, size_t len)
{
	authz_request_reset(r);
	if (len > JSON_MAX_SIZE) {
		rt_request_fail(r, "request too large (%zu bytes)", len);
		return 0;
	}
	struct jp p = { .r = r, .b = r->b, .s = json, .n = len };
	bool ok = request(&p);
	if (ok && peek(&p) != 0)
		ok = syntax(&p, "trailing characters");
	if (!ok) {
		/* not JSON: nothing read from it counts, the syntax error is the
		 * request's error */
		r->bad = false;
		r->has_time = false;
		rt_request_fail(r, "bad JSON at byte %zu: %s", p.at, p.err);
	}
	return 0;
}
