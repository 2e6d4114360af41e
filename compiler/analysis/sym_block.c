/*
 * sym_block.c: ready-to-paste tests written from witness requests
 * (sym.h), shared by the assertions' counterexamples, the diff's classes
 * and the suggestions of `authzc test --suggest`.
 */
#include "buf.h"
#include "sym.h"

/* The name between the quotes of `test "..."`: quotes and backslashes
 * escaped, control characters made spaces. */
static void put_name(struct buf *b, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			buf_putc(b, ' ');
		else
			buf_putc(b, (char)ch);
	}
}

const char *sym_test_block(struct arena *a, const char *name, size_t name_len, const char *request_src,
			   const struct sym_expect *e)
{
	struct buf b = BUF_ARENA(a);
	buf_puts(&b, "test \"");
	put_name(&b, name, name_len);
	buf_puts(&b, "\" {\n");
	buf_puts(&b, request_src ? request_src : "");
	buf_printf(&b, "  expect %s", e->allow ? "allow" : "deny");
	if (e->by) {
		buf_puts(&b, " by ");
		if (!e->nrules)
			buf_puts(&b, "default");
		for (size_t i = 0; i < e->nrules; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", e->rules[i]);
	}
	buf_puts(&b, "\n}\n");
	return b.p;
}
