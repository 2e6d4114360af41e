/*
 * report.h: what the reports `authzc test` writes (text, JSON, JUnit XML,
 * HTML, lcov) share: escapers that turn any bytes (a test name may hold any
 * byte) into valid output of each format, and writing a report out.
 *
 * A report is built in memory, in a buffer (buf.h), and written once, to
 * stdout or atomically to a file (fileio_replace), so a report is never
 * half-written.  JSON strings are json_put_str (json.h).
 */
#ifndef AUTHZC_REPORT_H
#define AUTHZC_REPORT_H

#include <stddef.h>

#include "buf.h"

/* s[0..n) escaped for XML 1.0 text and attribute values: & < > " ' as
 * entities, tab/newline/CR as character references, other control bytes
 * (which XML 1.0 cannot carry at all) as the visible text \xNN, invalid
 * UTF-8 and U+FFFE/U+FFFF as U+FFFD.  HTML uses the same escaping. */
void report_xml_str(struct buf *b, const char *s, size_t n);

/* Source text shown on one line of a report: runs of white space
 * (newlines included) become one space, the ends are trimmed, other control
 * bytes become \xNN.  Escape the result for the target format when it is
 * not plain text. */
void report_squeeze(struct buf *b, const char *s, size_t n);

/* Write b to `path` atomically (fileio_replace).  0, or -1 with errno. */
int report_save(const struct buf *b, const char *path);

#endif
