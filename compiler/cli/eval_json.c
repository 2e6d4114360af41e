/*
 * eval_json.c: JSON text for `authzc eval` (eval_io.h): a strict JSON
 * checker that writes the value back compacted, JSON strings, the --log
 * decision record and the deny for a request the runtime never saw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "eval_io.h"

#define JSON_MAX_DEPTH 128

int eval_buf_put(struct eval_buf *b, const char *s, size_t n)
{
	if (b->cap - b->n <= n) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->n <= n) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static int put_s(struct eval_buf *b, const char *s) { return eval_buf_put(b, s, strlen(s)); }

void eval_buf_free(struct eval_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* The length of the valid UTF-8 sequence at s[0..n) (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x3fu >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* {====================================================================
** The checker: recursive descent over the text, copying each token.
** ===================================================================== */

struct jc {
	const char *s;
	size_t n, at;
	struct eval_buf *out;
	bool nomem;
};

static void jc_ws(struct jc *j)
{
	while (j->at < j->n && (j->s[j->at] == ' ' || j->s[j->at] == '\t' || j->s[j->at] == '\n' ||
				j->s[j->at] == '\r'))
		j->at++;
}

static bool jc_copy(struct jc *j, size_t from)
{
	if (eval_buf_put(j->out, j->s + from, j->at - from) < 0) {
		j->nomem = true;
		return false;
	}
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at j->at (the opening quote); its body in *start and *len. */
static bool jc_string(struct jc *j, size_t *start, size_t *len)
{
	size_t from = j->at++;
	*start = j->at;
	while (j->at < j->n) {
		unsigned char c = (unsigned char)j->s[j->at];
		if (c == '"') {
			*len = j->at - *start;
			j->at++;
			return jc_copy(j, from);
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->at + 1 >= j->n)
				return false;
			char e = j->s[j->at + 1];
			if (e == 'u') {
				if (j->at + 6 > j->n)
					return false;
				for (size_t k = 2; k < 6; k++)
					if (!is_hex(j->s[j->at + k]))
						return false;
				j->at += 6;
			} else if (e && strchr("\"\\/bfnrt", e)) {
				j->at += 2;
			} else {
				return false;
			}
			continue;
		}
		size_t ul = utf8_len((const unsigned char *)j->s + j->at, j->n - j->at);
		if (!ul)
			return false;
		j->at += ul;
	}
	return false;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool jc_number(struct jc *j)
{
	size_t from = j->at;
	if (j->s[j->at] == '-')
		j->at++;
	if (j->at >= j->n || !is_digit(j->s[j->at]))
		return false;
	if (j->s[j->at] == '0')
		j->at++;
	else
		while (j->at < j->n && is_digit(j->s[j->at]))
			j->at++;
	if (j->at < j->n && j->s[j->at] == '.') {
		j->at++;
		if (j->at >= j->n || !is_digit(j->s[j->at]))
			return false;
		while (j->at < j->n && is_digit(j->s[j->at]))
			j->at++;
	}
	if (j->at < j->n && (j->s[j->at] == 'e' || j->s[j->at] == 'E')) {
		j->at++;
		if (j->at < j->n && (j->s[j->at] == '+' || j->s[j->at] == '-'))
			j->at++;
		if (j->at >= j->n || !is_digit(j->s[j->at]))
			return false;
		while (j->at < j->n && is_digit(j->s[j->at]))
			j->at++;
	}
	return jc_copy(j, from);
}

static bool jc_word(struct jc *j, const char *w)
{
	size_t n = strlen(w);
	if (j->n - j->at < n || memcmp(j->s + j->at, w, n))
		return false;
	size_t from = j->at;
	j->at += n;
	return jc_copy(j, from);
}

static bool jc_put(struct jc *j, char c)
{
	if (eval_buf_put(j->out, &c, 1) < 0) {
		j->nomem = true;
		return false;
	}
	return true;
}

/* Does the key s[0..n) (raw, escapes as written) spell "time"? */
static bool key_is_time(const char *s, size_t n)
{
	char k[5];
	size_t m = 0;
	for (size_t i = 0; i < n; m++) {
		if (m == 4)
			return false;
		if (s[i] != '\\') {
			k[m] = s[i++];
		} else if (s[i + 1] == 'u' && !memcmp(s + i + 2, "00", 2)) {
			k[m] = (char)strtol((char[]){ s[i + 4], s[i + 5], 0 }, NULL, 16);
			i += 6;
		} else {
			return false;
		}
	}
	return m == 4 && !memcmp(k, "time", 4);
}

static bool jc_value(struct jc *j, int depth, struct eval_json_info *info);

static bool jc_container(struct jc *j, int depth, struct eval_json_info *info)
{
	char open = j->s[j->at], close = open == '{' ? '}' : ']';
	if (depth >= JSON_MAX_DEPTH || !jc_put(j, open))
		return false;
	j->at++;
	jc_ws(j);
	if (j->at < j->n && j->s[j->at] == close) {
		j->at++;
		return jc_put(j, close);
	}
	for (;;) {
		size_t ks = 0, kl = 0;
		if (open == '{') {
			if (j->at >= j->n || j->s[j->at] != '"' || !jc_string(j, &ks, &kl))
				return false;
			jc_ws(j);
			if (j->at >= j->n || j->s[j->at] != ':' || !jc_put(j, ':'))
				return false;
			j->at++;
			jc_ws(j);
		}
		size_t vat = j->at;
		if (!jc_value(j, depth + 1, NULL))
			return false;
		if (info && open == '{' && key_is_time(j->s + ks, kl) && j->s[vat] == '"') {
			info->has_time = true;
			info->time_start = vat + 1;
			info->time_len = j->at - vat - 2;
		}
		jc_ws(j);
		if (j->at >= j->n)
			return false;
		if (j->s[j->at] == close) {
			j->at++;
			return jc_put(j, close);
		}
		if (j->s[j->at] != ',' || !jc_put(j, ','))
			return false;
		j->at++;
		jc_ws(j);
	}
}

/* One value at j->at (no leading whitespace); `info` for the top level. */
static bool jc_value(struct jc *j, int depth, struct eval_json_info *info)
{
	if (j->at >= j->n)
		return false;
	size_t s, l;
	switch (j->s[j->at]) {
	case '{':
		if (info)
			info->object = true;
		return jc_container(j, depth, info);
	case '[':
		return jc_container(j, depth, NULL);
	case '"':
		return jc_string(j, &s, &l);
	case 't':
		return jc_word(j, "true");
	case 'f':
		return jc_word(j, "false");
	case 'n':
		return jc_word(j, "null");
	default:
		return jc_number(j);
	}
}

int eval_json_compact(struct eval_buf *out, const char *s, size_t n, struct eval_json_info *info)
{
	struct eval_json_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	size_t before = out->n;
	struct jc j = { s, n, 0, out, false };
	jc_ws(&j);
	bool ok = jc_value(&j, 0, info);
	jc_ws(&j);
	if (ok && j.at == n)
		return 0;
	out->n = before;
	if (out->p)
		out->p[before] = '\0';
	memset(info, 0, sizeof *info);
	return j.nomem ? -1 : 1;
}

int eval_json_string(struct eval_buf *out, const char *s, size_t n)
{
	if (eval_buf_put(out, "\"", 1) < 0)
		return -1;
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t ul = c >= 0x20 && c != '"' && c != '\\' ?
			    utf8_len((const unsigned char *)s + i, n - i) : 0;
		if (ul) {
			i += ul;
			continue;
		}
		if (eval_buf_put(out, s + run, i - run) < 0)
			return -1;
		char esc[8];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof esc, "\\t");
		else if (c < 0x20)
			snprintf(esc, sizeof esc, "\\u%04x", c);
		else
			snprintf(esc, sizeof esc, "\xef\xbf\xbd");   /* U+FFFD */
		if (put_s(out, esc) < 0)
			return -1;
		run = ++i;
	}
	if (eval_buf_put(out, s + run, n - run) < 0)
		return -1;
	return eval_buf_put(out, "\"", 1);
}

int eval_log_record(struct eval_buf *out, const char *req, size_t req_len, const char *decision,
		    size_t decision_len, const char *digest, const char *revision)
{
	if (put_s(out, "{\"request\":") < 0)
		return -1;
	if (!req) {
		if (put_s(out, "null") < 0)
			return -1;
	} else {
		int rc = eval_json_compact(out, req, req_len, NULL);
		if (rc < 0 || (rc == 1 && eval_json_string(out, req, req_len) < 0))
			return -1;
	}
	if (put_s(out, ",\"decision\":") < 0 || eval_buf_put(out, decision, decision_len) < 0 ||
	    put_s(out, ",\"bundle\":") < 0 || eval_json_string(out, digest, strlen(digest)) < 0 ||
	    put_s(out, ",\"revision\":") < 0 || eval_json_string(out, revision, strlen(revision)) < 0 ||
	    put_s(out, "}\n") < 0)
		return -1;
	return 0;
}

int eval_deny_json(struct eval_buf *out, const char *message, int64_t time_ms, const char *digest,
		   bool trace)
{
	char tbuf[32];
	authz_format_time(time_ms, tbuf);
	if (put_s(out, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"request\",\"message\":") < 0 ||
	    eval_json_string(out, message, strlen(message)) < 0 || put_s(out, "}],\"time\":\"") < 0 ||
	    put_s(out, tbuf) < 0 || put_s(out, "\",\"bundle\":") < 0 ||
	    eval_json_string(out, digest, strlen(digest)) < 0 ||
	    put_s(out, trace ? ",\"trace\":[]}" : "}") < 0)
		return -1;
	return 0;
}
