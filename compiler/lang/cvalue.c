/*
 * cvalue.c: compile-time values: order, canonical sets, printing (cvalue.h).
 */
#include "cvalue.h"
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct value value_bool(bool b)
{
	struct value v;
	memset(&v, 0, sizeof(v));
	v.kind = VAL_BOOL;
	v.u.b = b;
	return v;
}

struct value value_int(enum value_kind kind, int64_t i)
{
	struct value v;
	memset(&v, 0, sizeof(v));
	v.kind = kind;
	v.u.i = i;
	return v;
}

struct value value_string(const char *s, size_t len)
{
	struct value v;
	memset(&v, 0, sizeof(v));
	v.kind = VAL_STRING;
	v.u.str.s = s;
	v.u.str.len = len;
	return v;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

int value_compare(const struct value *a, const struct value *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case VAL_BOOL:
		return (int)a->u.b - (int)b->u.b;
	case VAL_INT:
	case VAL_TIMESTAMP:
	case VAL_DURATION:
		return cmp_i64(a->u.i, b->u.i);
	case VAL_STRING: {
		size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
		int c = n ? memcmp(a->u.str.s, b->u.str.s, n) : 0;
		if (c)
			return c < 0 ? -1 : 1;
		return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
	}
	case VAL_IP: {
		if (a->u.ip.family != b->u.ip.family)
			return a->u.ip.family < b->u.ip.family ? -1 : 1;
		int c = memcmp(a->u.ip.addr, b->u.ip.addr, 16);
		if (c)
			return c < 0 ? -1 : 1;
		return (int)a->u.ip.prefix - (int)b->u.ip.prefix;
	}
	case VAL_SET: {
		size_t n = a->u.set.n < b->u.set.n ? a->u.set.n : b->u.set.n;
		for (size_t i = 0; i < n; i++) {
			int c = value_compare(&a->u.set.items[i], &b->u.set.items[i]);
			if (c)
				return c;
		}
		return a->u.set.n < b->u.set.n ? -1 : a->u.set.n > b->u.set.n;
	}
	case VAL_RECORD: {
		size_t n = a->u.rec.n < b->u.rec.n ? a->u.rec.n : b->u.rec.n;
		for (size_t i = 0; i < n; i++) {
			int c = strcmp(a->u.rec.fields[i].name, b->u.rec.fields[i].name);
			if (c)
				return c < 0 ? -1 : 1;
			c = value_compare(&a->u.rec.fields[i].value, &b->u.rec.fields[i].value);
			if (c)
				return c;
		}
		return a->u.rec.n < b->u.rec.n ? -1 : a->u.rec.n > b->u.rec.n;
	}
	}
	return 0;
}

bool value_equal(const struct value *a, const struct value *b)
{
	return value_compare(a, b) == 0;
}

static int qsort_cmp(const void *a, const void *b)
{
	return value_compare(a, b);
}

struct value value_set(struct value *items, size_t n, int elem)
{
	struct value v;
	memset(&v, 0, sizeof(v));
	v.kind = VAL_SET;
	if (n > 1)
		qsort(items, n, sizeof(*items), qsort_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || !value_equal(&items[k - 1], &items[i]))
			items[k++] = items[i];
	v.u.set.items = items;
	v.u.set.n = k;
	v.u.set.elem = elem;
	return v;
}

struct value value_copy(struct arena *a, const struct value *v)
{
	struct value c = *v;
	if (v->kind == VAL_RECORD && v->u.rec.n) {
		c.u.rec.fields = arena_calloc(a, v->u.rec.n, sizeof(*c.u.rec.fields));
		for (size_t i = 0; i < v->u.rec.n; i++) {
			c.u.rec.fields[i].name = v->u.rec.fields[i].name;
			c.u.rec.fields[i].value = value_copy(a, &v->u.rec.fields[i].value);
		}
	}
	/* Sets are never changed in place, so they are shared. */
	return c;
}

struct value *value_field(const struct value *v, const char *name)
{
	if (v->kind != VAL_RECORD)
		return NULL;
	for (size_t i = 0; i < v->u.rec.n; i++)
		if (!strcmp(v->u.rec.fields[i].name, name))
			return &v->u.rec.fields[i].value;
	return NULL;
}

void value_format_duration(int64_t ms, char *buf, size_t size)
{
	char t[32];
	authz_format_duration(ms, t);
	snprintf(buf, size, "%s", t);
}

/* ---- printing ------------------------------------------------------------- */

void value_put_quoted(struct buf *b, const char *s, size_t len, enum value_syntax syn)
{
	static const char hex[] = "0123456789ABCDEF";
	if (syn == VALUE_JSON) {
		json_put_str(b, s, len);
		return;
	}
	buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
			continue;
		buf_put(b, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_put(b, e, 2);
		} else if (c == '\n') {
			buf_puts(b, "\\n");
		} else if (c == '\t') {
			buf_puts(b, "\\t");
		} else {
			char e[6] = { '\\', 'u', '{', hex[c >> 4], hex[c & 15], '}' };
			buf_put(b, e, 6);
		}
	}
	buf_put(b, s + run, len - run);
	buf_putc(b, '"');
}

static void sb_ip(struct buf *b, const authz_ip *ip)
{
	char text[48];
	buf_put(b, text, authz_format_ip(ip, text));
}

static void print_value(struct buf *b, const struct value *v, enum value_syntax syn)
{
	char buf[64];
	switch (v->kind) {
	case VAL_BOOL:
		buf_puts(b, v->u.b ? "true" : "false");
		return;
	case VAL_INT:
		snprintf(buf, sizeof buf, "%" PRId64, v->u.i);
		buf_puts(b, buf);
		return;
	case VAL_STRING:
		value_put_quoted(b, v->u.str.s, v->u.str.len, syn);
		return;
	case VAL_TIMESTAMP:
		authz_format_time(v->u.i, buf);
		buf_puts(b, syn == VALUE_JSON ? "\"" : "time(\"");
		buf_puts(b, buf);
		buf_puts(b, syn == VALUE_JSON ? "\"" : "\")");
		return;
	case VAL_DURATION:
		value_format_duration(v->u.i, buf, sizeof buf);
		if (syn == VALUE_JSON)
			buf_puts(b, "\"");
		buf_puts(b, buf);
		if (syn == VALUE_JSON)
			buf_puts(b, "\"");
		return;
	case VAL_IP:
		buf_puts(b, syn == VALUE_JSON ? "\"" : "ip(\"");
		sb_ip(b, &v->u.ip);
		buf_puts(b, syn == VALUE_JSON ? "\"" : "\")");
		return;
	case VAL_SET:
		buf_puts(b, "[");
		for (size_t i = 0; i < v->u.set.n; i++) {
			if (i)
				buf_puts(b, syn == VALUE_JSON ? "," : ", ");
			print_value(b, &v->u.set.items[i], syn);
		}
		buf_puts(b, "]");
		return;
	case VAL_RECORD:
		buf_puts(b, "{");
		for (size_t i = 0; i < v->u.rec.n; i++) {
			if (i)
				buf_puts(b, syn == VALUE_JSON ? "," : ", ");
			if (syn == VALUE_JSON) {
				const char *name = v->u.rec.fields[i].name;
				value_put_quoted(b, name, strlen(name), syn);
				buf_puts(b, ":");
			} else {
				buf_puts(b, v->u.rec.fields[i].name);
				buf_puts(b, ": ");
			}
			print_value(b, &v->u.rec.fields[i].value, syn);
		}
		buf_puts(b, "}");
		return;
	}
}

char *value_str(struct arena *a, const struct value *v, enum value_syntax syntax)
{
	struct buf b = BUF_ARENA(a);
	print_value(&b, v, syntax);
	if (!b.p)
		return arena_strdup(a, "");
	return b.p;
}

const char *value_kind_str(enum value_kind k)
{
	static const char *const names[] = {
		[VAL_BOOL] = "bool", [VAL_INT] = "int", [VAL_STRING] = "string",
		[VAL_TIMESTAMP] = "timestamp", [VAL_DURATION] = "duration", [VAL_IP] = "ip",
		[VAL_SET] = "set", [VAL_RECORD] = "record",
	};
	return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}
