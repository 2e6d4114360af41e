/*
 * report.c: report escapers and output (report.h).
 */
#include <stdio.h>

#include "fileio.h"
#include "report.h"
#include "utf8.h"

static const char hex[] = "0123456789abcdef";

void report_xml_str(struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t k = utf8_len(s + i, n - i);
		if (k == 0) {
			buf_put(b, UTF8_REPLACEMENT, 3);
			i++;
			continue;
		}
		/* U+FFFE and U+FFFF are not XML characters. */
		if (k == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
			buf_put(b, UTF8_REPLACEMENT, 3);
		} else if (k > 1) {
			buf_put(b, p, k);
		} else {
			switch (*p) {
			case '&': buf_puts(b, "&amp;"); break;
			case '<': buf_puts(b, "&lt;"); break;
			case '>': buf_puts(b, "&gt;"); break;
			case '"': buf_puts(b, "&quot;"); break;
			case '\'': buf_puts(b, "&#39;"); break;
			case '\t': buf_puts(b, "&#9;"); break;
			case '\n': buf_puts(b, "&#10;"); break;
			case '\r': buf_puts(b, "&#13;"); break;
			default:
				if (*p < 0x20 || *p == 0x7f) {
					char e[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };
					buf_put(b, e, 4);
				} else {
					buf_put(b, p, 1);
				}
			}
		}
		i += k;
	}
}

void report_squeeze(struct buf *b, const char *s, size_t n)
{
	bool space = false, any = false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = any;
			continue;
		}
		if (space)
			buf_putc(b, ' ');
		space = false;
		any = true;
		unsigned char u = (unsigned char)ch;
		if (u < 0x20 || u == 0x7f) {
			char e[4] = { '\\', 'x', hex[u >> 4], hex[u & 15] };
			buf_put(b, e, 4);
		} else {
			buf_putc(b, ch);
		}
	}
}

int report_save(const struct buf *b, const char *path)
{
	return fileio_replace(path, buf_cstr(b), b->n, FILEIO_NEW_MODE);
}
