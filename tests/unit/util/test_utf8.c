/*
 * test_utf8.c: the strict UTF-8 decoder and encoder (compiler/util/utf8.h).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "utf8.h"

/* The decoded length of the bytes of a literal (its NUL excluded). */
#define LEN(s) utf8_decode(&cp, (s), sizeof(s) - 1)

Test(utf8, decodes_each_length_at_its_bounds)
{
	uint32_t cp = 0;
	cr_assert_eq(LEN("A"), 1); cr_assert_eq(cp, 'A');
	cr_assert_eq(LEN("\x7f"), 1); cr_assert_eq(cp, 0x7f);
	cr_assert_eq(LEN("\xc2\x80"), 2); cr_assert_eq(cp, 0x80);
	cr_assert_eq(LEN("\xdf\xbf"), 2); cr_assert_eq(cp, 0x7ff);
	cr_assert_eq(LEN("\xe0\xa0\x80"), 3); cr_assert_eq(cp, 0x800);
	cr_assert_eq(LEN("\xed\x9f\xbf"), 3); cr_assert_eq(cp, 0xd7ff);
	cr_assert_eq(LEN("\xee\x80\x80"), 3); cr_assert_eq(cp, 0xe000);
	cr_assert_eq(LEN("\xef\xbf\xbf"), 3); cr_assert_eq(cp, 0xffff);
	cr_assert_eq(LEN("\xf0\x90\x80\x80"), 4); cr_assert_eq(cp, 0x10000);
	cr_assert_eq(LEN("\xf4\x8f\xbf\xbf"), 4); cr_assert_eq(cp, 0x10ffff);
	cr_assert_eq(LEN("\xc3\xa9xyz"), 2, "only the first character");
}

Test(utf8, nul_is_a_character)
{
	uint32_t cp = 99;
	cr_assert_eq(utf8_decode(&cp, "\0", 1), 1);
	cr_assert_eq(cp, 0);
	cr_assert(utf8_valid("a\0b", 3));
	cr_assert_eq(utf8_count("a\0b", 3), 3);
}

Test(utf8, refuses_overlong_forms)
{
	uint32_t cp = 7;
	cr_assert_eq(LEN("\xc0\x80"), 0, "NUL in two bytes");
	cr_assert_eq(LEN("\xc1\xbf"), 0);
	cr_assert_eq(LEN("\xe0\x80\x80"), 0);
	cr_assert_eq(LEN("\xe0\x9f\xbf"), 0, "U+07FF in three bytes");
	cr_assert_eq(LEN("\xf0\x80\x80\x80"), 0);
	cr_assert_eq(LEN("\xf0\x8f\xbf\xbf"), 0, "U+FFFF in four bytes");
	cr_assert_eq(cp, 7, "the code point is untouched on failure");
}

Test(utf8, refuses_surrogates)
{
	uint32_t cp;
	cr_assert_eq(LEN("\xed\xa0\x80"), 0, "U+D800");
	cr_assert_eq(LEN("\xed\xbf\xbf"), 0, "U+DFFF");
	cr_assert_eq(LEN("\xed\xa0\xbd\xed\xb8\x80"), 0, "an encoded surrogate pair (CESU-8)");
}

Test(utf8, refuses_code_points_past_10ffff)
{
	uint32_t cp;
	cr_assert_eq(LEN("\xf4\x90\x80\x80"), 0, "U+110000");
	cr_assert_eq(LEN("\xf5\x80\x80\x80"), 0);
	cr_assert_eq(LEN("\xf7\xbf\xbf\xbf"), 0);
	cr_assert_eq(LEN("\xf8\x88\x80\x80\x80"), 0, "five-byte forms");
	cr_assert_eq(LEN("\xff"), 0);
}

Test(utf8, refuses_truncated_and_broken_sequences)
{
	uint32_t cp;
	cr_assert_eq(LEN("\xc3"), 0);
	cr_assert_eq(LEN("\xe2\x82"), 0);
	cr_assert_eq(LEN("\xf0\x9f\x98"), 0);
	cr_assert_eq(LEN("\x80"), 0, "a stray continuation byte");
	cr_assert_eq(LEN("\xc3" "A"), 0, "a lead byte without its continuation");
	cr_assert_eq(LEN("\xe2\x82" "A"), 0);
	/* The length given is the limit, not the NUL. */
	cr_assert_eq(utf8_len("\xc3\xa9", 1), 0);
	cr_assert_eq(utf8_len("", 0), 0);
}

Test(utf8, check_finds_the_first_bad_byte)
{
	cr_assert_eq(utf8_check("abc", 3), 3);
	cr_assert_eq(utf8_check("", 0), 0);
	cr_assert_eq(utf8_check("a\xc3\xa9" "b\xff" "c", 6), 4);
	cr_assert_eq(utf8_check("ab\xe2\x82", 4), 2, "cut short at the end");
	cr_assert(utf8_valid("\xf0\x9f\x98\x80 ok", 7));
	cr_assert_not(utf8_valid("\xed\xa0\x80", 3));
}

Test(utf8, counts_characters_and_each_bad_byte)
{
	cr_assert_eq(utf8_count("", 0), 0);
	cr_assert_eq(utf8_count("abc", 3), 3);
	cr_assert_eq(utf8_count("\xc3\xa9t\xc3\xa9", 5), 3);
	cr_assert_eq(utf8_count("\xf0\x9f\x98\x80", 4), 1);
	cr_assert_eq(utf8_count("\xff\x80", 2), 2, "each bad byte counts one");
	cr_assert_eq(utf8_count("\xc0\x80", 2), 2, "an overlong form is two bad bytes");
	cr_assert_eq(utf8_count("a\xe2\x82", 3), 3);
}

Test(utf8, encodes_what_it_decodes)
{
	static const uint32_t cps[] = { 0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
					0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff };
	for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
		char out[4];
		size_t n = utf8_encode(out, cps[i]);
		cr_assert(n >= 1 && n <= 4);
		uint32_t back = 0;
		cr_assert_eq(utf8_decode(&back, out, n), n, "U+%04X", cps[i]);
		cr_assert_eq(back, cps[i]);
	}
	char out[4] = "xyz";
	cr_assert_eq(utf8_encode(out, 0xd800), 0, "a surrogate has no encoding");
	cr_assert_eq(utf8_encode(out, 0x110000), 0);
	cr_assert_eq(out[0], 'x', "out untouched");
}

Test(utf8, is_cont)
{
	cr_assert(utf8_is_cont(0x80));
	cr_assert(utf8_is_cont(0xbf));
	cr_assert_not(utf8_is_cont(0x7f));
	cr_assert_not(utf8_is_cont(0xc0));
}
