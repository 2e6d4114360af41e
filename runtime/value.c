/*
 * value.c: text forms of timestamps, durations and ips; comparisons, set
 * membership, ip ranges, `like` and timestamp accessors.
 */
#include <string.h>

#include "authz.h"
#include "value.h"

/* Days since 1970-01-01 of the civil date y-m-d (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/*
 * RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), 'T'/'Z' in either
 * case.  Fractions beyond milliseconds are truncated.
 */
int authz_parse_time(const char *s, size_t n, int64_t *out_ms)
{
	unsigned y, mo, d, h, mi, se, ms = 0;
	if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return AUTHZ_EINVAL;
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 ||
	    mi > 59 || se > 59)
		return AUTHZ_EINVAL;
	size_t i = 19;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (i - start < 3)
				ms = ms * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		if (i == start || i - start > 9)
			return AUTHZ_EINVAL;
		for (size_t k = i - start; k < 3; k++)
			ms *= 10;
	}
	int64_t off = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-')) {
		unsigned oh, om;
		if (!digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return AUTHZ_EINVAL;
		off = (int64_t)(oh * 60 + om) * 60000;
		if (s[i] == '-')
			off = -off;
		i += 6;
	} else {
		return AUTHZ_EINVAL;
	}
	if (i != n)
		return AUTHZ_EINVAL;
	int64_t days = days_from_civil(y, mo, d);
	*out_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + ms - off;
	return 0;
}

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: RFC 3339's range. */
#define TIME_MIN_MS (-62167219200000LL)
#define TIME_MAX_MS 253402300799999LL

size_t authz_format_time(int64_t ms, char buf[32])
{
	ms = ms < TIME_MIN_MS ? TIME_MIN_MS : ms > TIME_MAX_MS ? TIME_MAX_MS : ms;
	int64_t days = floor_div(ms, 86400000), rem = ms - days * 86400000;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	unsigned sec = (unsigned)(rem / 1000), milli = (unsigned)(rem % 1000);
	char *p = buf;
	unsigned yy = (unsigned)y;
	*p++ = (char)('0' + yy / 1000); *p++ = (char)('0' + yy / 100 % 10);
	*p++ = (char)('0' + yy / 10 % 10); *p++ = (char)('0' + yy % 10);
	*p++ = '-'; *p++ = (char)('0' + m / 10); *p++ = (char)('0' + m % 10);
	*p++ = '-'; *p++ = (char)('0' + d / 10); *p++ = (char)('0' + d % 10);
	unsigned hh = sec / 3600, mm = sec / 60 % 60, ss = sec % 60;
	*p++ = 'T'; *p++ = (char)('0' + hh / 10); *p++ = (char)('0' + hh % 10);
	*p++ = ':'; *p++ = (char)('0' + mm / 10); *p++ = (char)('0' + mm % 10);
	*p++ = ':'; *p++ = (char)('0' + ss / 10); *p++ = (char)('0' + ss % 10);
	if (milli) {
		*p++ = '.'; *p++ = (char)('0' + milli / 100);
		*p++ = (char)('0' + milli / 10 % 10); *p++ = (char)('0' + milli % 10);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

int64_t rt_time_part(int64_t ms, unsigned part)
{
	int64_t days = floor_div(ms, 86400000), rem = ms - days * 86400000;
	int64_t y;
	unsigned m, d;
	switch (part) {
	case AUTHZ_TP_HOUR: return rem / 3600000;
	case AUTHZ_TP_MINUTE: return rem / 60000 % 60;
	case AUTHZ_TP_WEEKDAY: {
		/* 1970-01-01 was a Thursday (4). */
		int64_t wd = (days % 7 + 7 + 3) % 7;   /* 0 = Monday */
		return wd + 1;
	}
	default:
		civil_from_days(days, &y, &m, &d);
		return part == AUTHZ_TP_YEAR ? y : part == AUTHZ_TP_MONTH ? m : d;
	}
}

/* Groups <digits><unit>, units d h m s ms largest first, each at most once;
 * an optional leading '-'. */
bool rt_parse_duration(const char *s, size_t n, int64_t *out)
{
	static const int64_t scale[] = { 86400000, 3600000, 60000, 1000, 1 };
	size_t i = 0;
	bool neg = false;
	if (i < n && s[i] == '-') {
		neg = true;
		i++;
	}
	if (i == n)
		return false;
	int64_t total = 0;
	int last = -1;
	while (i < n) {
		uint64_t v = 0;
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (uint64_t)(s[i] - '0');
			i++;
		}
		if (i == start || i == n)
			return false;
		int unit;
		if (s[i] == 'd') unit = 0;
		else if (s[i] == 'h') unit = 1;
		else if (s[i] == 'm' && i + 1 < n && s[i + 1] == 's') { unit = 4; i++; }
		else if (s[i] == 'm') unit = 2;
		else if (s[i] == 's') unit = 3;
		else return false;
		i++;
		if (unit <= last || v > (uint64_t)INT64_MAX)
			return false;
		last = unit;
		int64_t part;
		if (__builtin_mul_overflow((int64_t)v, scale[unit], &part) ||
		    __builtin_add_overflow(total, part, &total))
			return false;
	}
	*out = neg ? -total : total;
	return true;
}

int authz_parse_duration(const char *s, size_t n, int64_t *out_ms)
{
	return rt_parse_duration(s, n, out_ms) ? 0 : AUTHZ_EINVAL;
}

static bool parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (k && (i >= n || s[i++] != '.'))
			return false;
		size_t start = i;
		unsigned v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return false;
		out[k] = (uint8_t)v;
	}
	return i == n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static bool parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t head[8], tail[8];
	int nh = 0, nt = 0;
	bool gap = false;
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = true;
		i = 2;
	} else if (n >= 1 && s[0] == ':') {
		return false;
	}
	while (i < n) {
		/* an embedded v4 tail? */
		size_t j = i;
		while (j < n && s[j] != ':' && s[j] != '.')
			j++;
		if (j < n && s[j] == '.') {
			uint8_t v4[4];
			if (!parse_v4(s + i, n - i, v4) || nh + nt + 2 > 8)
				return false;
			uint16_t *g = gap ? tail : head;
			int *ng = gap ? &nt : &nh;
			g[(*ng)++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[(*ng)++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = n;
			break;
		}
		unsigned v = 0;
		size_t start = i;
		while (i < n && hexval(s[i]) >= 0 && i - start < 4)
			v = v * 16 + (unsigned)hexval(s[i++]);
		if (i == start || nh + nt >= 8)
			return false;
		if (gap) tail[nt++] = (uint16_t)v; else head[nh++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < n && s[i] == ':') {
			if (gap)
				return false;
			gap = true;
			i++;
		} else if (i == n) {
			return false;
		}
	}
	if (gap ? nh + nt > 7 : nh != 8)
		return false;
	memset(out, 0, 16);
	for (int k = 0; k < nh; k++) {
		out[2 * k] = (uint8_t)(head[k] >> 8);
		out[2 * k + 1] = (uint8_t)head[k];
	}
	for (int k = 0; k < nt; k++) {
		int at = 8 - nt + k;
		out[2 * at] = (uint8_t)(tail[k] >> 8);
		out[2 * at + 1] = (uint8_t)tail[k];
	}
	return true;
}

int authz_parse_ip(const char *s, size_t n, authz_ip *out)
{
	authz_ip ip;
	if (!s)
		return AUTHZ_EINVAL;
	size_t slash = n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/') {
			slash = i;
			break;
		}
	memset(&ip, 0, sizeof ip);
	bool v6 = memchr(s, ':', slash) != NULL;
	if (v6 ? !parse_v6(s, slash, ip.addr) : !parse_v4(s, slash, ip.addr))
		return AUTHZ_EINVAL;
	ip.family = v6 ? 6 : 4;
	unsigned max = v6 ? 128 : 32, p = max;
	if (slash < n) {
		size_t k = n - slash - 1;
		if (k == 0 || k > 3 || !digits(s + slash + 1, k, &p) || p > max ||
		    (s[slash + 1] == '0' && k > 1))
			return AUTHZ_EINVAL;
	}
	ip.prefix = (uint8_t)p;
	*out = ip;
	return 0;
}

bool rt_ip_value(const authz_ip *ip, struct vm_value *out)
{
	static const uint8_t zero[12];
	if (!ip || !(ip->family == 4 ? ip->prefix <= 32 && !memcmp(ip->addr + 4, zero, 12)
		     : ip->family == 6 && ip->prefix <= 128))
		return false;
	memset(out, 0, sizeof *out);
	out->kind = AUTHZ_K_IP;
	out->fam = ip->family;
	out->prefix = ip->prefix;
	memcpy(out->u.ip, ip->addr, 16);
	return true;
}

bool rt_parse_ip(const char *s, size_t n, struct vm_value *out)
{
	authz_ip ip;
	return authz_parse_ip(s, n, &ip) == 0 && rt_ip_value(&ip, out);
}

bool rt_ip_in(const struct vm_value *x, const struct vm_value *r)
{
	if (x->fam != r->fam || x->prefix < r->prefix)
		return false;
	unsigned bits = r->prefix, full = bits / 8, rest = bits % 8;
	if (memcmp(x->u.ip, r->u.ip, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((x->u.ip[full] & mask) != (r->u.ip[full] & mask))
			return false;
	}
	return true;
}

static bool set_subset(const struct vm_value *a, const struct vm_value *b)
{
	for (uint32_t i = 0; i < a->len; i++)
		if (!rt_set_has(b, &a->u.set.p[i]))
			return false;
	return true;
}

bool rt_equal(const struct vm_value *a, const struct vm_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case AUTHZ_K_STRING:
		return a->len == b->len && (a->u.s.p == b->u.s.p || rt_bytes_eq(a->u.s.p, b->u.s.p, a->len));
	case AUTHZ_K_ENTITY:      /* len: id bytes, u.s.off: entity type */
		return a->u.s.off == b->u.s.off && a->len == b->len && memcmp(a->u.s.p, b->u.s.p, a->len) == 0;
	case AUTHZ_K_IP:
		return a->fam == b->fam && a->prefix == b->prefix && memcmp(a->u.ip, b->u.ip, 16) == 0;
	case AUTHZ_K_SET:
		return set_subset(a, b) && set_subset(b, a);
	default:
		return a->u.i == b->u.i;
	}
}

bool rt_set_has(const struct vm_value *s, const struct vm_value *x)
{
	const struct vm_value *e = s->u.set.p;
	if (x->kind == AUTHZ_K_STRING) {
		for (uint32_t i = 0; i < s->len; i++)
			if (e[i].kind == AUTHZ_K_STRING && e[i].len == x->len &&
			    rt_bytes_eq(e[i].u.s.p, x->u.s.p, x->len))
				return true;
		return false;
	}
	for (uint32_t i = 0; i < s->len; i++)
		if (rt_equal(&e[i], x))
			return true;
	return false;
}

/*
 * Wildcard match with one backtrack point (the last '*'): O(n*m) at worst,
 * no recursion.  pattern tokens: '*' wildcard, "\*" literal '*', any other
 * byte (also a lone '\') itself.
 */
bool rt_like(const char *s, size_t n, const char *pat, size_t m)
{
	size_t i = 0, j = 0, star_j = SIZE_MAX, star_i = 0;
	while (i < n) {
		if (j < m && pat[j] == '*') {
			star_j = ++j;
			star_i = i;
			continue;
		}
		if (j < m) {
			char c = pat[j];
			size_t w = 1;
			if (c == '\\' && j + 1 < m && pat[j + 1] == '*') {
				c = '*';
				w = 2;
			}
			if (c == s[i]) {
				i++;
				j += w;
				continue;
			}
		}
		if (star_j == SIZE_MAX)
			return false;
		j = star_j;
		i = ++star_i;
	}
	while (j < m && pat[j] == '*')
		j++;
	return j == m;
}

bool rt_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		/* ASCII, eight bytes at a time */
		uint64_t w;
		while (n - i >= 8 && (memcpy(&w, s + i, 8), (w & UINT64_C(0x8080808080808080)) == 0))
			i += 8;
		if (i == n)
			break;
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		unsigned cp, min;
		if ((c & 0xe0) == 0xc0) { k = 1; cp = c & 0x1f; min = 0x80; }
		else if ((c & 0xf0) == 0xe0) { k = 2; cp = c & 0x0f; min = 0x800; }
		else if ((c & 0xf8) == 0xf0) { k = 3; cp = c & 0x07; min = 0x10000; }
		else return false;
		if (i + k >= n)
			return false;
		for (size_t t = 1; t <= k; t++) {
			if ((s[i + t] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + t] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}
