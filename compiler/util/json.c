/*
 * json.c: JSON strings, paths and kinds (json.h).
 */
#include "json.h"

#include <string.h>

#include "utf8.h"

void json_put_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_putc(b, '"');
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c >= 0x20 && c != 0x7f && c != '"' && c != '\\' ? utf8_len(s + i, n - i) : 0;
		if (k) {
			i += k;
			continue;
		}
		buf_put(b, s + run, i - run);
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_put(b, e, 2);
		} else if (c == '\n') {
			buf_put(b, "\\n", 2);
		} else if (c == '\t') {
			buf_put(b, "\\t", 2);
		} else if (c == '\r') {
			buf_put(b, "\\r", 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_put(b, e, 6);
		} else {
			buf_put(b, UTF8_REPLACEMENT, 3);
		}
		run = ++i;
	}
	buf_put(b, s + run, n - run);
	buf_putc(b, '"');
}

bool json_is_ident(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

char *json_path_key(struct arena *a, const char *parent, const char *key)
{
	struct buf b = BUF_ARENA(a);
	buf_puts(&b, parent);
	if (json_is_ident(key)) {
		buf_putc(&b, '.');
		buf_puts(&b, key);
	} else {
		buf_putc(&b, '[');
		json_put_str(&b, key, strlen(key));
		buf_putc(&b, ']');
	}
	return b.p;
}

char *json_path_index(struct arena *a, const char *parent, size_t i)
{
	return arena_printf(a, "%s[%zu]", parent, i);
}

const char *json_kind(const cJSON *v)
{
	if (cJSON_IsObject(v)) return "an object";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNull(v)) return "null";
	return "not a value";
}

int json_key_index(const char *key, const char *const *known, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(key, known[i]))
			return (int)i;
	return -1;
}
