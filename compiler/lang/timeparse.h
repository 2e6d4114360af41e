/*
 * timeparse.h: RFC 3339 timestamps ("2026-11-22T10:00:00Z").
 *
 * Used for $AUTHZC_NOW, time("...") literals and request times.  The whole
 * grammar of RFC 3339 section 5.6 is accepted:
 *
 *   YYYY-MM-DD ('T' | 't' | ' ') hh:mm:ss [.frac] ('Z' | 'z' | +hh:mm | -hh:mm)
 *
 * Dates are validated (months, days per month with leap years; 2026-02-30
 * is refused), hour < 24, minute < 60, second < 60 (leap seconds are
 * refused: the runtime has no table of them).  A fraction may have any
 * number of digits; digits past the millisecond are truncated (the time is
 * rounded down), so "10:00:00.9999Z" is 10:00:00.999.  Offsets are at most
 * 23:59.  "-00:00" means UTC.
 */
#ifndef AUTHZC_TIMEPARSE_H
#define AUTHZC_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parse exactly `len` bytes of `s`.  Returns 0 and the instant in *ms_out
 * (milliseconds since 1970-01-01T00:00:00Z, negative before), or -1 when
 * `s` is not a valid RFC 3339 timestamp (*ms_out untouched). */
int rfc3339_parse(const char *s, size_t len, int64_t *ms_out);

/* Days since 1970-01-01 of a valid proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
