/*
 * json_locate.c: a JSON path's place in a JSON text (see json_locate.h).
 *
 * A small scanner that skips values it does not descend into; it accepts
 * what cJSON accepts and gives up (returning what it found so far) on
 * anything else.
 */
#include "json_locate.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512
#define MAX_KEY 4096

struct scan {
	const char *s;
	size_t n, i;
};

static void ws(struct scan *sc)
{
	while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
				 sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
		sc->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Scan a string at sc->i (on its quote); decode it into out (up to cap-1
 * bytes, NUL-terminated, when out is not NULL).  -1 when malformed. */
static int string(struct scan *sc, char *out, size_t cap, size_t *outlen)
{
	size_t k = 0;
	if (sc->i >= sc->n || sc->s[sc->i] != '"')
		return -1;
	sc->i++;
	while (sc->i < sc->n && sc->s[sc->i] != '"') {
		unsigned c = (unsigned char)sc->s[sc->i++];
		if (c == '\\') {
			if (sc->i >= sc->n)
				return -1;
			char e = sc->s[sc->i++];
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned v = 0;
				for (int j = 0; j < 4; j++) {
					int h = sc->i < sc->n ? hexval(sc->s[sc->i]) : -1;
					if (h < 0)
						return -1;
					v = v * 16 + (unsigned)h;
					sc->i++;
				}
				/* Only ASCII is compared exactly; others become '?'. */
				c = v < 0x80 ? v : '?';
				break;
			}
			default: c = (unsigned char)e; break;
			}
		}
		if (out && k + 1 < cap)
			out[k++] = (char)c;
	}
	if (sc->i >= sc->n)
		return -1;
	sc->i++;
	if (out)
		out[k] = '\0';
	if (outlen)
		*outlen = k;
	return 0;
}

static int skip_value(struct scan *sc, int depth);

static int skip_container(struct scan *sc, int depth, char close, bool object)
{
	if (depth > MAX_DEPTH)
		return -1;
	sc->i++;
	ws(sc);
	if (sc->i < sc->n && sc->s[sc->i] == close) {
		sc->i++;
		return 0;
	}
	for (;;) {
		ws(sc);
		if (object) {
			if (string(sc, NULL, 0, NULL) != 0)
				return -1;
			ws(sc);
			if (sc->i >= sc->n || sc->s[sc->i] != ':')
				return -1;
			sc->i++;
		}
		if (skip_value(sc, depth + 1) != 0)
			return -1;
		ws(sc);
		if (sc->i >= sc->n)
			return -1;
		if (sc->s[sc->i] == ',') {
			sc->i++;
			continue;
		}
		if (sc->s[sc->i] != close)
			return -1;
		sc->i++;
		return 0;
	}
}

static int skip_value(struct scan *sc, int depth)
{
	ws(sc);
	if (sc->i >= sc->n)
		return -1;
	char c = sc->s[sc->i];
	if (c == '{')
		return skip_container(sc, depth, '}', true);
	if (c == '[')
		return skip_container(sc, depth, ']', false);
	if (c == '"')
		return string(sc, NULL, 0, NULL);
	size_t start = sc->i;
	while (sc->i < sc->n && strchr("+-.0123456789eEtruefalsn", sc->s[sc->i]) && sc->s[sc->i])
		sc->i++;
	return sc->i > start ? 0 : -1;
}

/* One segment of a path: a key (decoded) or an index. */
struct seg {
	bool is_index;
	size_t index;
	char key[MAX_KEY];
};

/* Read the segment at *p of the path; 1 when there is none left, -1 when
 * the path is malformed. */
static int next_seg(const char **p, struct seg *sg)
{
	const char *s = *p;
	if (!*s)
		return 1;
	if (*s == '.') {
		s++;
		size_t k = 0;
		while (*s && *s != '.' && *s != '[' && k + 1 < MAX_KEY)
			sg->key[k++] = *s++;
		sg->key[k] = '\0';
		sg->is_index = false;
		*p = s;
		return k ? 0 : -1;
	}
	if (*s == '[' && s[1] == '"') {
		struct scan sc = { s + 1, strlen(s + 1), 0 };
		if (string(&sc, sg->key, MAX_KEY, NULL) != 0 || sc.i >= sc.n || sc.s[sc.i] != ']')
			return -1;
		sg->is_index = false;
		*p = s + 1 + sc.i + 1;
		return 0;
	}
	if (*s == '[') {
		char *end;
		unsigned long v = strtoul(s + 1, &end, 10);
		if (end == s + 1 || *end != ']')
			return -1;
		sg->is_index = true;
		sg->index = v;
		*p = end + 1;
		return 0;
	}
	return -1;
}

int json_locate(const char *text, size_t len, const char *path, struct json_loc *out)
{
	memset(out, 0, sizeof(*out));
	if (!path || path[0] != '$')
		return -1;
	struct scan sc = { text, len, 0 };
	ws(&sc);
	size_t start = sc.i;
	if (skip_value(&sc, 0) != 0)
		return -1;
	out->start = (uint32_t)start;
	out->end = (uint32_t)sc.i;
	const char *p = path + 1;
	struct seg *sg = malloc(sizeof(*sg));
	char *key = malloc(MAX_KEY);
	int rc = -1;
	if (!sg || !key)
		goto done;
	for (;;) {
		int r = next_seg(&p, sg);
		if (r == 1) {
			rc = 0;
			break;
		}
		if (r < 0) {
			rc = 1;
			break;
		}
		sc.i = out->start;
		char open = sc.i < sc.n ? sc.s[sc.i] : 0;
		bool found = false;
		if (open == (sg->is_index ? '[' : '{')) {
			sc.i++;
			for (size_t idx = 0;; idx++) {
				ws(&sc);
				if (sc.i >= sc.n || sc.s[sc.i] == (sg->is_index ? ']' : '}'))
					break;
				size_t ks = sc.i, klen = 0;
				if (!sg->is_index) {
					if (string(&sc, key, MAX_KEY, &klen) != 0)
						break;
				}
				size_t ke = sc.i;
				ws(&sc);
				if (!sg->is_index) {
					if (sc.i >= sc.n || sc.s[sc.i] != ':')
						break;
					sc.i++;
				}
				ws(&sc);
				size_t vs = sc.i;
				if (skip_value(&sc, 1) != 0)
					break;
				bool match = sg->is_index ? idx == sg->index
					: strlen(sg->key) == klen && !memcmp(key, sg->key, klen);
				if (match) {
					out->start = (uint32_t)vs;
					out->end = (uint32_t)sc.i;
					out->has_key = !sg->is_index;
					out->key_start = (uint32_t)(sg->is_index ? vs : ks);
					out->key_end = (uint32_t)(sg->is_index ? sc.i : ke);
					found = true;
					break;
				}
				ws(&sc);
				if (sc.i < sc.n && sc.s[sc.i] == ',')
					sc.i++;
			}
		}
		if (!found) {
			rc = 1;
			break;
		}
	}
done:
	free(sg);
	free(key);
	return rc;
}
