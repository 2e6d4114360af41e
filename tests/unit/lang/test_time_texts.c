/*
 * test_time_texts.c: one rule for time texts.  Every place authzc and
 * libauthz read a time accept and refuse the same texts: time("...") in a
 * policy and in a test's `at`, @expires, $AUTHZC_NOW for check and test
 * (compilation_init), authz_parse_time (what eval's --now and $AUTHZC_NOW
 * go through) and a JSON request's "time".
 */
#include <stdlib.h>

#include "check_util.h"
#include "codegen.h"

static const struct {
	const char *text;
	bool ok;
} TEXTS[] = {
	{ "2026-11-22T10:00:00Z", true },
	{ "2026-11-22t10:00:00z", true },
	{ "2026-11-22 10:00:00Z", false },      /* a space for 'T' */
	{ "2026-11-22T10:00:00", false },       /* no offset */
	{ "2026-11-22", false },
	{ "2026-11-22T11:30:00+01:30", true },
	{ "2026-11-22T10:00:00-00:00", true },
	{ "2026-11-22T10:00:00+23:59", true },
	{ "2026-11-22T10:00:00+24:00", false },
	{ "2026-11-22T10:00:00+0100", false },
	{ "2026-11-22T10:00:00.5Z", true },
	{ "2026-11-22T10:00:00.123456789Z", true },
	{ "2026-11-22T10:00:00.1234567890Z", false },
	{ "2026-11-22T10:00:00.Z", false },
	{ "2026-12-31T23:59:60Z", false },      /* no leap second */
	{ "2026-12-31T24:00:00Z", false },
	{ "0000-01-01T00:00:00Z", true },
	{ "9999-12-31T23:59:59.999Z", true },
	{ "10000-01-01T00:00:00Z", false },
	{ "-0001-01-01T00:00:00Z", false },
	{ "2024-02-29T00:00:00Z", true },
	{ "2000-02-29T00:00:00Z", true },
	{ "2026-02-29T00:00:00Z", false },
	{ "1900-02-29T00:00:00Z", false },
	{ "2026-04-31T00:00:00Z", false },
};
#define NTEXTS (sizeof TEXTS / sizeof TEXTS[0])

static const char TEST_FILE[] =
	"package t_test;\n"
	"test \"t\" {\n"
	"  principal User \"u\" { tenant: \"a\", mfa: true, department: \"d\" }\n"
	"  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"a\", env: \"e\", change_tickets: [] }\n"
	"  context { source_ip: ip(\"::1\") }\n"
	"  at time(\"%s\")\n"
	"  expect deny\n"
	"}\n";

/* The error count of checking `fmt` with the text in it, and that the
 * error, if any, is `code`. */
static size_t policy_errors(const char *fmt, const char *text, enum diag_code code)
{
	char buf[512];
	snprintf(buf, sizeof buf, fmt, text);
	size_t n = ck_policy(buf);
	if (n)
		cr_expect_eq(ck_c.diags.items[0]->code, code, "%s: %s", text, ck_c.diags.items[0]->message);
	return n;
}

Test(time_texts, policies_and_tests_take_what_the_runtime_takes)
{
	for (size_t i = 0; i < NTEXTS; i++) {
		const char *t = TEXTS[i].text;
		int64_t ms;
		bool rt = authz_parse_time(t, strlen(t), &ms) == 0;
		cr_expect_eq(rt, TEXTS[i].ok, "authz_parse_time on '%s'", t);
		cr_expect_eq(policy_errors("permit p {\n  when now > time(\"%s\")\n}\n", t, E_BAD_TIME) == 0,
			     rt, "time() on '%s'", t);
		cr_expect_eq(policy_errors("@expires(\"%s\")\npermit p { when true }\n", t,
					   E_BAD_ANNOTATION) == 0, rt, "@expires on '%s'", t);
		if (rt)
			cr_expect_eq(ck_c.checked->rules[0].expires_ms, ms, "@expires on '%s'", t);
		char tests[1024];
		snprintf(tests, sizeof tests, TEST_FILE, t);
		size_t n = ck_with_tests("package p;\npermit p { when principal.tenant == \"x\" }\n", tests);
		cr_expect_eq(n == 0, rt, "at time() on '%s'", t);
		if (rt && n == 0)
			cr_expect_eq(ck_c.checked->tests[0].request.time_ms, ms, "at time() on '%s'", t);
	}
}

Test(time_texts, authzc_now_takes_what_the_runtime_takes)
{
	for (size_t i = 0; i < NTEXTS; i++) {
		const char *t = TEXTS[i].text;
		int64_t ms = 0;
		bool rt = authz_parse_time(t, strlen(t), &ms) == 0;
		cr_assert_eq(setenv("AUTHZC_NOW", t, 1), 0);
		struct compilation c;
		compilation_init(&c);
		cr_expect_eq(c.diags.n == 0, rt, "$AUTHZC_NOW='%s'", t);
		if (c.diags.n) {
			cr_expect_eq(c.diags.items[0]->code, E_BAD_TIME);
			cr_expect(strstr(c.diags.items[0]->message, t), "%s", c.diags.items[0]->message);
		} else {
			cr_expect_eq(c.now_ms, ms, "$AUTHZC_NOW='%s'", t);
		}
		compilation_release(&c);
	}
	unsetenv("AUTHZC_NOW");
}

Test(time_texts, request_time_takes_the_same_texts)
{
	ck_clean(ck_policy("permit p { when true }\n"));
	uint8_t *buf;
	size_t len;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	free(buf);
	authz_request *r;
	cr_assert_eq(authz_request_new(&r, b), 0);
	for (size_t i = 0; i < NTEXTS; i++) {
		char json[256];
		snprintf(json, sizeof json, "{\"time\":\"%s\"}", TEXTS[i].text);
		cr_assert_eq(authz_request_parse_json(r, json, strlen(json)), 0);
		cr_expect_eq(authz_request_has_time(r), TEXTS[i].ok, "\"time\":\"%s\"", TEXTS[i].text);
	}
	authz_request_free(r);
	authz_bundle_free(b);
}
