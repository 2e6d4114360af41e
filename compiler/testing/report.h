/*
 * report.h: a growable text buffer for the reports `authzc test` writes
 * (text, JSON, JUnit XML, HTML, lcov), with escapers that turn any bytes
 * (a test name may hold any byte) into valid output of each format.
 *
 * A report is built in memory and written once, to stdout or atomically to
 * a file (fileio_replace), so a report is never half-written.  Running out
 * of memory sets `oom` and makes every later append a no-op; the caller
 * checks it once at the end.
 */
#ifndef AUTHZC_REPORT_H
#define AUTHZC_REPORT_H

#include <stdbool.h>
#include <stddef.h>

struct rbuf {
	char *p;                /* NUL-terminated when not NULL */
	size_t n, cap;
	bool oom;
};

void rbuf_free(struct rbuf *b);
void rbuf_put(struct rbuf *b, const char *s, size_t n);
void rbuf_puts(struct rbuf *b, const char *s);
void rbuf_printf(struct rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s[0..n) as a JSON string with its quotes: control characters as \u00XX,
 * invalid UTF-8 replaced by U+FFFD. */
void rbuf_json_str(struct rbuf *b, const char *s, size_t n);

/* s[0..n) escaped for XML 1.0 text and attribute values: & < > " ' as
 * entities, tab/newline/CR as character references, other control bytes
 * (which XML 1.0 cannot carry at all) as the visible text \xNN, invalid
 * UTF-8 and U+FFFE/U+FFFF as U+FFFD.  HTML uses the same escaping. */
void rbuf_xml_str(struct rbuf *b, const char *s, size_t n);

/* Source text shown on one line of a report: runs of white space
 * (newlines included) become one space, the ends are trimmed, other control
 * bytes become \xNN.  Escape the result for the target format when it is
 * not plain text. */
void rbuf_squeeze(struct rbuf *b, const char *s, size_t n);

/* Write b to `path` atomically (fileio_replace), or to stdout when path is
 * NULL.  0, or -1 with errno. */
int rbuf_write(const struct rbuf *b, const char *path);

#endif
