/*
 * docs.c: the client's open documents, file URIs, and positions (see
 * lsp_int.h).  Positions count UTF-16 code units unless the client agreed
 * to UTF-8 (positionEncoding); a byte that is not valid UTF-8 counts as one.
 */
#include <stdlib.h>
#include <string.h>

#include "lsp_int.h"
#include "utf8.h"

static void doc_free(struct lsp_doc *d)
{
	if (!d)
		return;
	free(d->uri);
	free(d->path);
	free(d->text);
	free(d->language);
	free(d);
}

struct lsp_doc *doc_find(struct lsp_server *s, const char *uri)
{
	for (size_t i = 0; uri && i < s->ndocs; i++)
		if (!strcmp(s->docs[i]->uri, uri))
			return s->docs[i];
	return NULL;
}

struct lsp_doc *doc_open(struct lsp_server *s, const char *uri, const char *text, size_t len,
			 int64_t version, const char *language)
{
	s->pc_text = NULL;
	struct lsp_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->uri = strdup(uri);
	d->text = malloc(len + 1);
	d->language = strdup(language ? language : "");
	char *abs = uri_to_path(uri);
	d->path = abs ? root_relative(s, abs) : NULL;
	free(abs);
	if (!d->uri || !d->text || !d->language) {
		doc_free(d);
		return NULL;
	}
	memcpy(d->text, text, len);
	d->text[len] = '\0';
	d->len = len;
	d->version = version;
	struct lsp_doc *old = doc_find(s, uri);
	if (old) {
		for (size_t i = 0; i < s->ndocs; i++)
			if (s->docs[i] == old)
				s->docs[i] = d;
		doc_free(old);
		return d;
	}
	if (s->ndocs == s->capdocs) {
		size_t cap = s->capdocs ? s->capdocs * 2 : 16;
		struct lsp_doc **nd = realloc(s->docs, cap * sizeof(*nd));
		if (!nd) {
			doc_free(d);
			return NULL;
		}
		s->docs = nd;
		s->capdocs = cap;
	}
	s->docs[s->ndocs++] = d;
	return d;
}

void doc_close(struct lsp_server *s, const char *uri)
{
	s->pc_text = NULL;
	for (size_t i = 0; i < s->ndocs; i++)
		if (!strcmp(s->docs[i]->uri, uri)) {
			doc_free(s->docs[i]);
			s->docs[i] = s->docs[--s->ndocs];
			return;
		}
}

int doc_change(struct lsp_server *s, struct lsp_doc *d, const cJSON *change)
{
	s->pc_text = NULL;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(change, "text");
	if (!cJSON_IsString(text))
		return -1;
	size_t tlen = strlen(text->valuestring);
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(change, "range");
	size_t start = 0, end = d->len;
	if (range && !cJSON_IsNull(range)) {
		long a = pos_offset(s, d->text, d->len, json_obj(range, "start"));
		long b = pos_offset(s, d->text, d->len, json_obj(range, "end"));
		if (a < 0 || b < 0 || b < a)
			return -1;
		start = (size_t)a;
		end = (size_t)b;
	}
	size_t nlen = d->len - (end - start) + tlen;
	if (nlen > LSP_MAX_MESSAGE)
		return -1;
	char *nt = malloc(nlen + 1);
	if (!nt)
		return -1;
	memcpy(nt, d->text, start);
	memcpy(nt + start, text->valuestring, tlen);
	memcpy(nt + start + tlen, d->text + end, d->len - end);
	nt[nlen] = '\0';
	free(d->text);
	d->text = nt;
	d->len = nlen;
	return 0;
}

/* ---- URIs ------------------------------------------------------------------------ */

static int hex(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

char *uri_to_path(const char *uri)
{
	if (!uri || strncmp(uri, "file://", 7))
		return NULL;
	const char *p = uri + 7;
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/')
		return NULL;
	size_t n = strlen(p);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && hex(p[i + 1]) >= 0 && hex(p[i + 2]) >= 0) {
			char c = (char)(hex(p[i + 1]) * 16 + hex(p[i + 2]));
			if (c == '\0') {
				free(out);
				return NULL;
			}
			out[k++] = c;
			i += 2;
		} else if (p[i] == '?' || p[i] == '#') {
			break;
		} else {
			out[k++] = p[i];
		}
	}
	out[k] = '\0';
	return out;
}

char *uri_from_path(const char *path)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	if (b.oom) {
		buf_release(&b);
		return NULL;
	}
	return b.p;
}

char *root_relative(const struct lsp_server *s, const char *abs)
{
	size_t n = strlen(s->root);
	if (!strcmp(s->root, "/"))
		n = 0;
	if (strncmp(abs, s->root, n) || abs[n] != '/' || !abs[n + 1])
		return NULL;
	/* No "." or ".." segments: such a path names another file. */
	const char *rel = abs + n + 1;
	for (const char *p = rel; *p;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)))
			return NULL;
		p += len + (e ? 1 : 0);
	}
	return strdup(rel);
}

char *uri_of_rel(const struct lsp_server *s, const char *rel)
{
	size_t n = strlen(s->root) + strlen(rel) + 2;
	char *abs = malloc(n);
	if (!abs)
		return NULL;
	snprintf(abs, n, "%s/%s", strcmp(s->root, "/") ? s->root : "", rel);
	char *u = uri_from_path(abs);
	free(abs);
	return u;
}

/* ---- positions ---------------------------------------------------------------------- */

/* Width of one character starting at p (bytes in *bytes), in the
 * position unit. */
static uint32_t char_units(const struct lsp_server *s, const char *p, size_t left, size_t *bytes)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n > left)
		n = 1;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			n = 1;
	*bytes = n;
	if (s->utf8)
		return (uint32_t)n;
	return n == 4 ? 2 : 1;
}

cJSON *pos_json(struct lsp_server *s, const char *text, size_t len, uint32_t off)
{
	if (off > len)
		off = (uint32_t)len;
	uint32_t line = 0, ls = 0, from = 0;
	if (s->pc_text == text && s->pc_off <= off) {
		line = s->pc_line;
		ls = s->pc_line_start;
		from = s->pc_off;
	}
	for (uint32_t i = from; i < off; i++)
		if (text[i] == '\n') {
			line++;
			ls = i + 1;
		}
	s->pc_text = text;
	s->pc_off = off;
	s->pc_line = line;
	s->pc_line_start = ls;
	uint32_t ch = 0;
	for (size_t i = ls; i < off;) {
		size_t nb;
		ch += char_units(s, text + i, len - i, &nb);
		i += nb;
	}
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "line", line);
	cJSON_AddNumberToObject(p, "character", ch);
	return p;
}

cJSON *range_json(struct lsp_server *s, const char *text, size_t len, uint32_t start, uint32_t end)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddItemToObject(r, "start", pos_json(s, text, len, start));
	cJSON_AddItemToObject(r, "end", pos_json(s, text, len, end < start ? start : end));
	return r;
}

long pos_offset(const struct lsp_server *s, const char *text, size_t len, const cJSON *pos)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(pos, "line");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(pos, "character");
	if (!cJSON_IsNumber(l) || !cJSON_IsNumber(c) || l->valuedouble < 0 || c->valuedouble < 0 ||
	    l->valuedouble > 4e9 || c->valuedouble > 4e9)
		return -1;
	double line = l->valuedouble, ch = c->valuedouble;
	size_t i = 0;
	for (double k = 0; k < line; k++) {
		const char *nl = memchr(text + i, '\n', len - i);
		if (!nl)
			return (long)len;
		i = (size_t)(nl - text) + 1;
	}
	double units = 0;
	while (i < len && text[i] != '\n' && units < ch) {
		size_t nb;
		units += char_units(s, text + i, len - i, &nb);
		i += nb;
	}
	return (long)i;
}

/* ---- JSON helpers -------------------------------------------------------------------- */

const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *json_obj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsObject(v) ? v : NULL;
}
