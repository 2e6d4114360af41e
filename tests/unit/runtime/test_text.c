/*
 * test_text.c: the library's text forms (authz.h "text forms"): RFC 3339
 * times both ways and ip addresses, and the setters that take a parsed ip.
 */
#include "test_runtime_fixture.h"

/* ---- authz_parse_time ------------------------------------------------------- */

static int64_t ts(const char *s)
{
	int64_t ms = 42;
	cr_assert_eq(authz_parse_time(s, strlen(s), &ms), 0, "refused %s", s);
	return ms;
}

static void bad_ts(const char *s)
{
	int64_t ms = 42;
	cr_assert_eq(authz_parse_time(s, strlen(s), &ms), AUTHZ_EINVAL, "accepted %s", s);
	cr_assert_eq(ms, 42, "changed *out_ms on %s", s);
}

Test(text, time_valid)
{
	cr_assert_eq(ts("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(ts("2026-11-22T10:00:00Z"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22t10:00:00z"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T11:30:00+01:30"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T05:00:00-05:00"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T10:00:00-00:00"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T10:00:00.5Z"), 1795341600500LL);
	cr_assert_eq(ts("2026-11-22T10:00:00.123Z"), 1795341600123LL);
	cr_assert_eq(ts("2026-11-22T10:00:00.123999999Z"), 1795341600123LL);     /* truncated */
	cr_assert_eq(ts("1969-12-31T23:59:59.999Z"), -1);
	cr_assert_eq(ts("0000-01-01T00:00:00Z"), -62167219200000LL);
	cr_assert_eq(ts("9999-12-31T23:59:59Z"), 253402300799000LL);
	cr_assert_eq(ts("2024-02-29T00:00:00Z"), 1709164800000LL);
	cr_assert_eq(ts("2000-02-29T00:00:00Z"), 951782400000LL);
	cr_assert_eq(ts("2026-12-31T23:59:59+23:59"), ts("2026-12-31T00:00:59Z"));
}

Test(text, time_invalid)
{
	bad_ts("");
	bad_ts("2026-11-22 10:00:00Z");         /* 'T' only, as Go's RFC3339 and Cedar */
	bad_ts("2026-11-22T10:00:00.1234567890Z");     /* at most 9 fraction digits */
	bad_ts("2026-02-30T00:00:00Z");
	bad_ts("2026-02-29T00:00:00Z");
	bad_ts("1900-02-29T00:00:00Z");
	bad_ts("2026-04-31T00:00:00Z");
	bad_ts("2026-13-01T00:00:00Z");
	bad_ts("2026-00-01T00:00:00Z");
	bad_ts("2026-01-00T00:00:00Z");
	bad_ts("2026-01-32T00:00:00Z");
	bad_ts("2026-01-01T24:00:00Z");
	bad_ts("2026-01-01T23:60:00Z");
	bad_ts("2026-12-31T23:59:60Z");         /* no leap seconds */
	bad_ts("2026-01-01T00:00:00");          /* offset required */
	bad_ts("2026-01-01");
	bad_ts("2026-01-01T00:00Z");
	bad_ts("2026-01-01T00:00:00.Z");
	bad_ts("2026-01-01T00:00:00ZZ");
	bad_ts("2026-01-01T00:00:00Z ");
	bad_ts(" 2026-01-01T00:00:00Z");
	bad_ts("2026-01-01X00:00:00Z");
	bad_ts("2026-1-01T00:00:00Z");
	bad_ts("26-01-01T00:00:00Z");
	bad_ts("+2026-01-01T00:00:00Z");
	bad_ts("10000-01-01T00:00:00Z");
	bad_ts("2026-01-01T00:00:00+24:00");
	bad_ts("2026-01-01T00:00:00+01:60");
	bad_ts("2026-01-01T00:00:00+0100");
	bad_ts("2026-01-01T00:00:00+01");
	bad_ts("2026-01-01T00:00:00+01:00:00");
	bad_ts("2026-01-01T0a:00:00Z");
	bad_ts("2026\xef\xbc\x8d" "01-01T00:00:00Z");
	int64_t ms = 42;
	cr_assert_eq(authz_parse_time(NULL, 0, &ms), AUTHZ_EINVAL);
	/* `len` is honoured: no read past it, no NUL needed */
	cr_assert_eq(authz_parse_time("2026-11-22T10:00:00Zjunk", 20, &ms), 0);
	cr_assert_eq(ms, 1795341600000LL);
	cr_assert_eq(authz_parse_time("2026-11-22T10:00:00Z", 19, &ms), AUTHZ_EINVAL);
}

/* ---- authz_format_time ------------------------------------------------------ */

static void fmt_is(int64_t ms, const char *want)
{
	char buf[32];
	size_t n = authz_format_time(ms, buf);
	cr_expect_str_eq(buf, want, "%lld", (long long)ms);
	cr_expect_eq(n, strlen(want));
}

Test(text, time_format)
{
	fmt_is(0, "1970-01-01T00:00:00Z");
	fmt_is(1795341600000LL, "2026-11-22T10:00:00Z");
	fmt_is(1795341600250LL, "2026-11-22T10:00:00.250Z");
	fmt_is(-1, "1969-12-31T23:59:59.999Z");
	fmt_is(-62167219200000LL, "0000-01-01T00:00:00Z");
	fmt_is(253402300799999LL, "9999-12-31T23:59:59.999Z");
	/* every text it writes parses back to the same instant */
	static const int64_t round[] = { 0, -1, 1, 951782400000LL, 1795341600123LL, -62167219200000LL,
					 253402300799999LL, -30610224000001LL };
	for (size_t i = 0; i < sizeof round / sizeof round[0]; i++) {
		char buf[32];
		int64_t back;
		size_t n = authz_format_time(round[i], buf);
		cr_assert_eq(authz_parse_time(buf, n, &back), 0, "%s", buf);
		cr_expect_eq(back, round[i], "%s", buf);
	}
}

Test(text, duration_parse)
{
	static const struct { const char *s; int64_t ms; } ok[] = {
		{ "1h30m", 5400000 }, { "250ms", 250 }, { "7d", 604800000 }, { "-2d", -172800000 },
		{ "0ms", 0 }, { "1d2h3m4s5ms", 93784005 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		int64_t v = 42;
		cr_assert_eq(authz_parse_duration(ok[i].s, strlen(ok[i].s), &v), 0, "%s", ok[i].s);
		cr_expect_eq(v, ok[i].ms, "%s", ok[i].s);
		char buf[32];
		size_t n = authz_format_duration(v, buf);
		cr_expect_eq(authz_parse_duration(buf, n, &v), 0, "%s reads back", buf);
		cr_expect_eq(v, ok[i].ms, "%s reads back", buf);
	}
	static const char *const bad[] = { "", "-", "1", "h", "30m1h", "1h1h", "1 h", "1w", "1.5h",
					   "99999999999999999999ms", "106751991167301d" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t v = 42;
		cr_expect_eq(authz_parse_duration(bad[i], strlen(bad[i]), &v), AUTHZ_EINVAL, "'%s'", bad[i]);
		cr_expect_eq(v, 42, "'%s' leaves *out_ms", bad[i]);
	}
}

Test(text, time_format_saturates_outside_rfc3339)
{
	/* 9999-12-31T23:59:59-01:00 parses (an instant in year 10000 UTC);
	 * it used to be written with only its year clamped, a year off */
	int64_t late = ts("9999-12-31T23:59:59-01:00"), early = ts("0000-01-01T00:00:00+01:00");
	fmt_is(late, "9999-12-31T23:59:59.999Z");
	fmt_is(early, "0000-01-01T00:00:00Z");
	fmt_is(INT64_MAX, "9999-12-31T23:59:59.999Z");
	fmt_is(INT64_MIN, "0000-01-01T00:00:00Z");
}

/* ---- authz_parse_ip --------------------------------------------------------- */

static authz_ip ip_of(const char *s)
{
	authz_ip ip;
	memset(&ip, 0xa5, sizeof ip);
	cr_assert_eq(authz_parse_ip(s, strlen(s), &ip), 0, "refused %s", s);
	return ip;
}

static void bad_ip(const char *s)
{
	authz_ip ip, was;
	memset(&ip, 0xa5, sizeof ip);
	was = ip;
	cr_assert_eq(authz_parse_ip(s, strlen(s), &ip), AUTHZ_EINVAL, "accepted %s", s);
	cr_assert_eq(memcmp(&ip, &was, sizeof ip), 0, "changed *out on %s", s);
}

static void ip_is(const char *s, unsigned fam, unsigned prefix, const uint8_t want[16])
{
	authz_ip ip = ip_of(s);
	cr_expect_eq(ip.family, fam, "%s", s);
	cr_expect_eq(ip.prefix, prefix, "%s", s);
	cr_expect_eq(memcmp(ip.addr, want, 16), 0, "%s: address bytes", s);
}

Test(text, ip_valid)
{
	static const uint8_t net10[16] = { 10, 1, 2, 3 }, zero[16] = { 0 };
	static const uint8_t one6[16] = { [15] = 1 };
	static const uint8_t db8[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x17 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, [12] = 10, [15] = 1 };
	static const uint8_t full[16] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0xab, 0xcd };
	ip_is("10.1.2.3", 4, 32, net10);
	ip_is("10.1.2.3/8", 4, 8, net10);         /* host bits kept as written */
	ip_is("0.0.0.0/0", 4, 0, zero);
	ip_is("::", 6, 128, zero);
	ip_is("::1", 6, 128, one6);
	ip_is("::/0", 6, 0, zero);
	ip_is("2001:DB8::17/32", 6, 32, db8);
	ip_is("::ffff:10.0.0.1/120", 6, 120, mapped);
	ip_is("1:2:3:4:5:6:7:abcd", 6, 128, full);
	ip_is("1:2:3:4:5:6:0.7.171.205", 6, 128, full);
	ip_is("::ffff:a00:1", 6, 128, mapped);
	(void)ip_of("1:2:3:4:5:6:7::");
	(void)ip_of("255.255.255.255/32");
	(void)ip_of("::/128");
}

Test(text, ip_invalid)
{
	bad_ip("");
	bad_ip("10.0.0");
	bad_ip("10.0.0.0.0");
	bad_ip("10.0.0.256");
	bad_ip("010.0.0.1");            /* no leading zeros: octal in some parsers */
	bad_ip("10.0.0.1/");
	bad_ip("10.0.0.1/08");
	bad_ip("10.0.0.1/33");
	bad_ip("10.0.0.1/1000");
	bad_ip("10.0.0.1/-1");
	bad_ip("10.0.0.1/8/8");
	bad_ip(" 10.0.0.1");
	bad_ip("10.0.0.1 ");
	bad_ip("::1/129");
	bad_ip(":::");
	bad_ip("1::2::3");
	bad_ip(":1::");
	bad_ip("1:2:3:4:5:6:7:8:9");
	bad_ip("1:2:3:4:5:6:7:8::");
	bad_ip("1::2:3:4:5:6:7:8");
	bad_ip("12345::");
	bad_ip("1:2:3:4:5:6:7:1.2.3.4");
	bad_ip("::1.2.3.4:5");
	bad_ip("::1.2.3");
	bad_ip("fe80::1%eth0");
	bad_ip("g::");
	bad_ip("localhost");
	authz_ip ip;
	cr_assert_eq(authz_parse_ip(NULL, 0, &ip), AUTHZ_EINVAL);
	/* `len` is honoured: "10.0.0.1/8" cut after the address, and a NUL inside */
	cr_assert_eq(authz_parse_ip("10.0.0.1/8", 8, &ip), 0);
	cr_assert_eq(ip.prefix, 32);
	cr_assert_eq(authz_parse_ip("10.0.0.1\0/8", 11, &ip), AUTHZ_EINVAL);
}

/* ---- the setters of a parsed ip ------------------------------------------------ */

static void e_ip_eq(struct fx *f)
{
	fx_attr_read(f, AUTHZ_ROOT_CONTEXT, f->c_ip);
	fx_kip(f, "10.1.2.3/8");
	fx_n(f, AUTHZ_OP_EQ);
}

/* 1 allow, 0 deny after setting context.source_ip to `ip` over FX_REQUEST. */
static int decide_with(authz_bundle *b, authz_request *r, const authz_ip *ip, int *rc)
{
	authz_decision *d;
	cr_assert_eq(authz_request_parse_json(r, FX_REQUEST, strlen(FX_REQUEST)), 0);
	*rc = authz_request_set_ip_addr(r, AUTHZ_CONTEXT, "source_ip", ip);
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	int allowed = authz_decision_allowed(d);
	authz_decision_free(d);
	return allowed;
}

Test(text, ip_addr_setter_takes_what_the_parser_gives)
{
	authz_bundle *b = fx_one_rule(e_ip_eq);
	authz_request *r;
	cr_assert_eq(authz_request_new(&r, b), 0);
	int rc;
	authz_ip same = ip_of("10.1.2.3/8"), net = ip_of("10.0.0.0/8");
	cr_expect_eq(decide_with(b, r, &same, &rc), 1);
	cr_expect_eq(rc, 0);
	cr_expect_eq(decide_with(b, r, &net, &rc), 0, "equality keeps host bits");
	cr_expect_eq(rc, 0);
	/* not what authz_parse_ip could give: refused, the JSON's 10.1.2.3 kept (deny) */
	authz_ip bad[5];
	for (int i = 0; i < 5; i++)
		bad[i] = same;
	bad[0].family = 5;
	bad[1].prefix = 33;
	bad[2].addr[4] = 1;
	bad[3].family = 6;
	bad[3].prefix = 129;
	bad[4].family = 0;
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(decide_with(b, r, &bad[i], &rc), 0, "bad[%d]", i);
		cr_expect_eq(rc, AUTHZ_EINVAL, "bad[%d]", i);
	}
	cr_expect_eq(decide_with(b, r, NULL, &rc), 0);
	cr_expect_eq(rc, AUTHZ_EINVAL);
	authz_request_free(r);
	authz_bundle_free(b);
}
