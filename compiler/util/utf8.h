/*
 * utf8.h: the compiler's one UTF-8 decoder and encoder.
 *
 * Strict (RFC 3629): a character is the shortest encoding of a code point
 * from U+0000 to U+10FFFF that is not a surrogate (U+D800..U+DFFF).  So
 * overlong forms (C0 80 for NUL, E0 80 80, ...), encoded surrogates, code
 * points past U+10FFFF, stray continuation bytes, lead bytes F5..FF and
 * sequences cut short are all invalid.  NUL is a valid character (callers
 * that refuse it do so themselves).  The runtime has its own validator,
 * rt_utf8_valid, as it cannot link the compiler.
 */
#ifndef AUTHZC_UTF8_H
#define AUTHZC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* U+FFFD REPLACEMENT CHARACTER, encoded. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* The longest code point. */
#define UTF8_MAX 0x10FFFFu

/* Is `c` a continuation byte (10xxxxxx)?  Such a byte never starts a
 * character, so text cut just before one is cut inside a character. */
static inline bool utf8_is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* The length (1 to 4) of the valid character at s[0..n), and its code
 * point in *out when out is not NULL; 0 when the bytes there do not start
 * a valid character (or n is 0), *out untouched. */
size_t utf8_decode(uint32_t *out, const char *s, size_t n);

/* The length of the valid character at s[0..n), or 0: utf8_decode
 * without the code point. */
size_t utf8_len(const char *s, size_t n);

/* The offset of the first byte of s[0..n) that is not part of a valid
 * character, or n when all of it is valid. */
size_t utf8_check(const char *s, size_t n);

/* Is all of s[0..n) valid UTF-8? */
bool utf8_valid(const char *s, size_t n);

/* The characters in s[0..n): one per valid character, and one per byte
 * that is not part of one (as each would be shown as U+FFFD or \xNN). */
size_t utf8_count(const char *s, size_t n);

/* Write the encoding of code point `cp` (at most UTF8_MAX, not a
 * surrogate) to out[0..4) and return its length, 1 to 4; 0 for a value
 * that is not a code point of a character, out untouched. */
size_t utf8_encode(char out[4], uint32_t cp);

#endif
