/*
 * test_text.c: text made safe to quote in a message (compiler/util/text.h).
 */
#include <criterion/criterion.h>

#include "text.h"

Test(text, show_escapes_and_cuts)
{
	struct arena a = ARENA_INIT;
	cr_assert_str_eq(text_show(&a, "a\nb\xff\xc3\xa9", 6, 64), "a\\x0ab\\xff\xc3\xa9");
	cr_assert_str_eq(text_show(&a, "it's a\\b", 8, 64), "it\\'s a\\\\b");
	cr_assert_str_eq(text_show(&a, "\x7f\xc0\x80\xed\xa0\x80", 6, 64),
			 "\\x7f\\xc0\\x80\\xed\\xa0\\x80", "DEL, overlong, surrogate");
	cr_assert_str_eq(text_show(&a, "abcdef", 6, 3), "abc...");
	cr_assert_str_eq(text_show(&a, "abc", 3, 3), "abc", "exactly max: not cut");
	cr_assert_str_eq(text_show(&a, "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 2), "\xc3\xa9\xc3\xa9...",
			 "cut after characters, not bytes");
	cr_assert_str_eq(text_show(&a, "", 0, 3), "");
	arena_free(&a);
}
