/*
 * utf8.c: strict UTF-8 decoding and encoding (utf8.h).
 */
#include "utf8.h"

size_t utf8_decode(uint32_t *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80) {
		if (out)
			*out = c;
		return 1;
	}
	size_t len;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF)             /* C0 and C1 only start overlongs */
		len = 2, cp = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)        /* F5 and up start only > U+10FFFF */
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if (!utf8_is_cont(s[k]))
			return 0;
		cp = cp << 6 | (s[k] & 0x3Fu);
	}
	if (cp < min || cp > UTF8_MAX || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (out)
		*out = cp;
	return len;
}

size_t utf8_len(const char *s, size_t n)
{
	return utf8_decode(NULL, s, n);
}

size_t utf8_check(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_len(s + i, n - i);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

bool utf8_valid(const char *s, size_t n)
{
	return utf8_check(s, n) == n;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t count = 0, i = 0;
	while (i < n) {
		size_t k = (unsigned char)s[i] < 0x80 ? 1 : utf8_len(s + i, n - i);
		i += k ? k : 1;
		count++;
	}
	return count;
}

size_t utf8_encode(char out[4], uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > UTF8_MAX)
		return 0;
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
