/*
 * text.c: text made safe to quote in a message (text.h).
 */
#include "text.h"

#include "buf.h"
#include "utf8.h"

char *text_show(struct arena *a, const char *s, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	struct buf b = BUF_ARENA(a);
	size_t i = 0;
	for (size_t chars = 0; i < len && chars < max; chars++) {
		unsigned char c = (unsigned char)s[i];
		size_t n = utf8_len(s + i, len - i);
		if (n > 1 || (n == 1 && c >= 0x20 && c != 0x7f && c != '\'' && c != '\\')) {
			buf_put(&b, s + i, n);
		} else if (n == 1 && (c == '\'' || c == '\\')) {
			char e[2] = { '\\', (char)c };
			buf_put(&b, e, 2);
		} else {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			buf_put(&b, e, 4);
			n = 1;
		}
		i += n;
	}
	if (i < len)
		buf_puts(&b, "...");
	return b.p ? b.p : arena_strdup(a, "");
}

bool text_is_hex(const char *s, size_t n)
{
	size_t i = 0;
	for (; s && s[i] && i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s && i == n && !s[i];
}
