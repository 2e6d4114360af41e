/*
 * test_buf.c: the growable text buffer (compiler/util/buf.h).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

Test(buf, puts_append_and_keep_a_nul)
{
	struct buf b = BUF_INIT;
	cr_assert_str_eq(buf_cstr(&b), "", "an empty buffer reads as \"\"");
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_put(&b, "d\0e", 3);
	buf_fill(&b, '-', 3);
	buf_printf(&b, "%d:%s", 42, "x");
	cr_assert_eq(b.n, 13);
	cr_assert_eq(memcmp(b.p, "abcd\0e---42:x", 14), 0, "bytes and the NUL after them");
	cr_assert_not(b.oom);
	buf_release(&b);
	cr_assert_null(b.p);
	cr_assert_eq(b.n, 0);
	buf_release(NULL);
}

Test(buf, grows_past_its_first_block)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	cr_assert_eq(b.n, 10000);
	cr_assert_eq(strlen(b.p), 10000);
	cr_assert_eq(b.p[9999], 'a' + 9999 % 26);
	buf_release(&b);
}

Test(buf, printf_longer_than_its_scratch_space)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, ">");
	char big[1000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "[%s]", big);
	cr_assert_eq(b.n, 1 + 1 + 999 + 1);
	cr_assert_eq(b.p[0], '>');
	cr_assert_eq(b.p[1000], 'z');
	cr_assert_eq(b.p[1001], ']');
	cr_assert_eq(b.p[1002], '\0');
	buf_release(&b);
}

Test(buf, reset_and_truncate_keep_the_memory)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "hello world");
	char *p = b.p;
	buf_truncate(&b, 5);
	cr_assert_str_eq(b.p, "hello");
	buf_truncate(&b, 99);
	cr_assert_eq(b.n, 5, "truncating to more than it holds changes nothing");
	buf_reset(&b);
	cr_assert_str_eq(b.p, "");
	cr_assert_eq(b.n, 0);
	buf_puts(&b, "x");
	cr_assert_eq(b.p, p, "the memory is reused");
	buf_release(&b);
}

Test(buf, out_of_memory_is_sticky_until_reset)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "kept");
	/* No allocation can hold this: the put fails before touching memory. */
	buf_put(&b, "x", SIZE_MAX - 8);
	cr_assert(b.oom);
	cr_assert_str_eq(b.p, "kept", "a failed put leaves the buffer as it was");
	buf_puts(&b, "more");
	buf_printf(&b, "%d", 1);
	buf_fill(&b, ' ', 2);
	cr_assert_str_eq(b.p, "kept", "every later put is a no-op");
	buf_reset(&b);
	cr_assert_not(b.oom);
	buf_puts(&b, "again");
	cr_assert_str_eq(b.p, "again");
	buf_release(&b);
}

Test(buf, grows_in_an_arena)
{
	struct arena a = ARENA_INIT;
	struct buf b = BUF_ARENA(&a);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	cr_assert_eq(b.n, 2000);
	cr_assert_eq(strncmp(b.p, "0,1,2,", 6), 0);
	cr_assert_eq(strcmp(b.p + 1994, "7,8,9,"), 0);
	char *p = b.p;
	buf_release(&b);       /* an arena buffer's memory is the arena's */
	cr_assert_null(b.p);
	cr_assert_eq(b.arena, &a);
	cr_assert_eq(p[0], '0', "still readable until the arena goes");
	arena_free(&a);
}

Test(buf, put_utf8_replaces_each_bad_byte)
{
	struct buf b = BUF_INIT;
	buf_put_utf8(&b, "a\xc3\xa9\xff" "b\xe2\x82", 7);
	cr_assert_str_eq(b.p, "a\xc3\xa9\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
	buf_release(&b);
}
