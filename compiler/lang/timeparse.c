/*
 * timeparse.c: RFC 3339 timestamp parser (see timeparse.h).
 */
#include "timeparse.h"

#include <stdbool.h>

/* Read exactly `n` ASCII digits at s[*i]; false when any is not a digit. */
static bool digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *out)
{
	unsigned v = 0;
	if (len - *i < n)
		return false;
	for (unsigned k = 0; k < n; k++) {
		char c = s[*i + k];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*i += n;
	*out = v;
	return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Howard Hinnant's days_from_civil, exact for every int64 year we pass. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int rfc3339_parse(const char *s, size_t len, int64_t *ms_out)
{
	size_t i = 0;
	unsigned year, mon, day, hour, min, sec, ms = 0;
	if (!s)
		return -1;
	if (!digits(s, len, &i, 4, &year) || !expect(s, len, &i, '-') ||
	    !digits(s, len, &i, 2, &mon) || !expect(s, len, &i, '-') ||
	    !digits(s, len, &i, 2, &day))
		return -1;
	if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return -1;
	i++;
	if (!digits(s, len, &i, 2, &hour) || !expect(s, len, &i, ':') ||
	    !digits(s, len, &i, 2, &min) || !expect(s, len, &i, ':') ||
	    !digits(s, len, &i, 2, &sec))
		return -1;
	if (i < len && s[i] == '.') {
		i++;
		size_t n = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (n < 3)
				ms = ms * 10 + (unsigned)(s[i] - '0');
			n++;
			i++;
		}
		if (n == 0)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	int offset_min = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i] == '-' ? -1 : 1;
		unsigned oh, om;
		i++;
		if (!digits(s, len, &i, 2, &oh) || !expect(s, len, &i, ':') ||
		    !digits(s, len, &i, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset_min = sign * (int)(oh * 60 + om);
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
	    hour > 23 || min > 59 || sec > 59)
		return -1;
	int64_t days = days_from_civil(year, mon, day);
	int64_t secs = days * 86400 + (int64_t)hour * 3600 + (int64_t)min * 60 + sec
		       - (int64_t)offset_min * 60;
	*ms_out = secs * 1000 + ms;
	return 0;
}
