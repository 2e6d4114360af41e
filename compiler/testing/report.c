/*
 * report.c: report buffers and escapers (report.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "report.h"

void rbuf_free(struct rbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* Make room for `n` more bytes plus a NUL; false when out of memory. */
static bool reserve(struct rbuf *b, size_t n)
{
	if (b->oom)
		return false;
	if (n < b->cap - b->n && b->p)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->n <= n) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void rbuf_put(struct rbuf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void rbuf_puts(struct rbuf *b, const char *s)
{
	rbuf_put(b, s, strlen(s));
}

void rbuf_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		rbuf_put(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

static const char hex[] = "0123456789abcdef";
static const char replacement[] = "\xef\xbf\xbd";      /* U+FFFD */

void rbuf_json_str(struct rbuf *b, const char *s, size_t n)
{
	rbuf_put(b, "\"", 1);
	size_t i = 0;
	while (i < n) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t k = utf8_seq_len(p, n - i);
		if (k == 0) {
			rbuf_put(b, replacement, 3);
			i++;
			continue;
		}
		if (k > 1) {
			rbuf_put(b, (const char *)p, k);
		} else if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			rbuf_put(b, e, 2);
		} else if (*p == '\n') {
			rbuf_put(b, "\\n", 2);
		} else if (*p == '\t') {
			rbuf_put(b, "\\t", 2);
		} else if (*p == '\r') {
			rbuf_put(b, "\\r", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
			rbuf_put(b, e, 6);
		} else {
			rbuf_put(b, (const char *)p, 1);
		}
		i += k;
	}
	rbuf_put(b, "\"", 1);
}

void rbuf_xml_str(struct rbuf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t k = utf8_seq_len(p, n - i);
		if (k == 0) {
			rbuf_put(b, replacement, 3);
			i++;
			continue;
		}
		/* U+FFFE and U+FFFF are not XML characters. */
		if (k == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
			rbuf_put(b, replacement, 3);
		} else if (k > 1) {
			rbuf_put(b, (const char *)p, k);
		} else {
			switch (*p) {
			case '&': rbuf_puts(b, "&amp;"); break;
			case '<': rbuf_puts(b, "&lt;"); break;
			case '>': rbuf_puts(b, "&gt;"); break;
			case '"': rbuf_puts(b, "&quot;"); break;
			case '\'': rbuf_puts(b, "&#39;"); break;
			case '\t': rbuf_puts(b, "&#9;"); break;
			case '\n': rbuf_puts(b, "&#10;"); break;
			case '\r': rbuf_puts(b, "&#13;"); break;
			default:
				if (*p < 0x20 || *p == 0x7f) {
					char e[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };
					rbuf_put(b, e, 4);
				} else {
					rbuf_put(b, (const char *)p, 1);
				}
			}
		}
		i += k;
	}
}

void rbuf_squeeze(struct rbuf *b, const char *s, size_t n)
{
	bool space = false, any = false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = any;
			continue;
		}
		if (space)
			rbuf_put(b, " ", 1);
		space = false;
		any = true;
		unsigned char u = (unsigned char)ch;
		if (u < 0x20 || u == 0x7f) {
			char e[4] = { '\\', 'x', hex[u >> 4], hex[u & 15] };
			rbuf_put(b, e, 4);
		} else {
			rbuf_put(b, &ch, 1);
		}
	}
}

int rbuf_write(const struct rbuf *b, const char *path)
{
	if (path)
		return fileio_replace(path, b->p ? b->p : "", b->n, FILEIO_NEW_MODE);
	if (b->n && fwrite(b->p, 1, b->n, stdout) != b->n)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}
