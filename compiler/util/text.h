/*
 * text.h: untrusted text made safe to quote in a message.
 *
 * Names, paths and keys in a diagnostic come from files anyone may write:
 * they may hold control bytes (a terminal would obey them), bytes that are
 * not UTF-8, the quote itself, or a megabyte of text.  text_show is the one
 * rule for all of them.
 */
#ifndef AUTHZC_TEXT_H
#define AUTHZC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/*
 * s[0..len) made safe to print inside 'single quotes': a quote or
 * backslash gets a backslash before it, a control byte (below 0x20, 0x7f)
 * and a byte that is not part of a valid UTF-8 character (utf8.h) become
 * \xNN (lowercase hex), every other character is kept; the text is cut
 * after `max` characters with "...".  The result is in `a`.
 */
char *text_show(struct arena *a, const char *s, size_t len, size_t max);

/* Is s (NUL-terminated; NULL: no) exactly n lowercase hex digits, as a
 * git commit id or an evidence key id is written? */
bool text_is_hex(const char *s, size_t n);

#endif
