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

Test(text, is_hex_is_exactly_n_lowercase_digits)
{
	cr_expect(text_is_hex("0123456789abcdef", 16));
	cr_expect(!text_is_hex("0123456789ABCDEF", 16), "upper case");
	cr_expect(!text_is_hex("0123456789abcde", 16), "too short");
	cr_expect(!text_is_hex("0123456789abcdef0", 16), "too long");
	cr_expect(!text_is_hex("0123456789abcdeg", 16), "not a digit");
	cr_expect(!text_is_hex(NULL, 16));
	cr_expect(text_is_hex("", 0));
}
