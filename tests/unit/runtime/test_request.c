/*
 * test_request.c: requests built through the typed API: set adders
 * of every element kind, strings and ids holding NUL bytes, and
 * authz_request_has_time; each checked against the same request in JSON.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "bundle_write.h"

#define W(x) cr_assert_eq((x), 0, "%s failed: %s", #x, bw_error(w))

/* Context sets of every scalar kind, a string and an int; one permit per
 * set testing a member, one testing the string against "a\0b". */
static authz_bundle *typed_bundle(void)
{
	struct bundle_writer *w;
	cr_assert_eq(bw_new(&w), 0);
	uint32_t user, doc, act, file, rule, guard, s[6], k[6];
	W(bw_entity_type(w, "User", &user));
	W(bw_entity_type(w, "Doc", &doc));
	W(bw_action(w, "read", &user, 1, &doc, 1, &act));
	W(bw_file(w, "p.authz", &file));
	static const char *const names[] = { "stamps", "durs", "ips", "flags", "name", "n" };
	static const enum authz_kind elems[] = { AUTHZ_K_TIMESTAMP, AUTHZ_K_DURATION, AUTHZ_K_IP,
						 AUTHZ_K_BOOL };
	for (int i = 0; i < 4; i++) {
		const char *p[1] = { names[i] };
		W(bw_attr(w, BW_CONTEXT, p, 1, AUTHZ_K_SET, elems[i], false, &s[i]));
	}
	const char *p4[1] = { names[4] }, *p5[1] = { names[5] };
	W(bw_attr(w, BW_CONTEXT, p4, 1, AUTHZ_K_STRING, 0, true, &s[4]));
	W(bw_attr(w, BW_CONTEXT, p5, 1, AUTHZ_K_INT, 0, true, &s[5]));
	W(bw_const_int(w, AUTHZ_K_TIMESTAMP, 1795428000000, &k[0]));  /* 2026-11-23T10:00:00Z */
	W(bw_const_int(w, AUTHZ_K_DURATION, 90000, &k[1]));
	authz_ip net;
	cr_assert_eq(authz_parse_ip("10.0.0.0/8", 10, &net), 0);
	W(bw_const_ip(w, &net, &k[2]));
	W(bw_const_int(w, AUTHZ_K_BOOL, 1, &k[3]));
	W(bw_const_string(w, "a\0b", 3, &k[4]));
	static const char *const ids[] = { "t.stamp", "t.dur", "t.ip", "t.flag", "t.nul" };
	for (int i = 0; i < 5; i++) {
		struct bw_rule_desc d = { .id = ids[i], .effect = AUTHZ_PERMIT, .file = file, .line = 1, .col = 1 };
		W(bw_rule_begin(w, &d, &rule));
		W(bw_guard(w, file, 2, 3, "g", &guard));
		W(bw_emit(w, AUTHZ_CREATE_AX(AUTHZ_OP_CONST, k[i])));
		W(bw_emit(w, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, AUTHZ_ROOT_CONTEXT, s[i])));
		W(bw_emit(w, AUTHZ_CREATE_N(i == 4 ? AUTHZ_OP_EQ : AUTHZ_OP_IN)));
		W(bw_emit(w, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, guard)));
		W(bw_emit(w, AUTHZ_CREATE_N(AUTHZ_OP_APPLY)));
		W(bw_rule_end(w));
	}
	uint8_t *buf;
	size_t len;
	W(bw_finish(w, &buf, &len));
	bw_free(w);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	free(buf);
	return b;
}

static const char TYPED_JSON[] =
	"{\"principal\":{\"type\":\"User\",\"id\":\"u\\u0000x\",\"attrs\":{}},\"action\":\"read\","
	"\"resource\":{\"type\":\"Doc\",\"id\":\"d\",\"attrs\":{}},"
	"\"context\":{\"stamps\":[\"2020-01-01T00:00:00Z\",\"2026-11-23T11:00:00+01:00\"],"
	"\"durs\":[\"1m30s\"],\"ips\":[\"192.168.0.1\",\"10.0.0.0/8\"],\"flags\":[false,true],"
	"\"name\":\"a\\u0000b\"},\"time\":\"2026-11-22T10:00:00Z\"}";

/* TYPED_JSON through the setters. */
static void build_typed(authz_request *r)
{
	authz_request_reset(r);
	cr_assert_eq(authz_request_set_principal_n(r, "User", "u\0x", 3), 0);
	cr_assert_eq(authz_request_set_resource(r, "Doc", "d"), 0);
	cr_assert_eq(authz_request_set_action(r, "read"), 0);
	cr_assert_eq(authz_request_set_time(r, 1795341600000), 0);
	cr_assert_eq(authz_request_add_timestamp(r, AUTHZ_CONTEXT, "stamps", 1577836800000), 0);
	cr_assert_eq(authz_request_add_timestamp(r, AUTHZ_CONTEXT, "stamps", 1795428000000), 0);
	cr_assert_eq(authz_request_add_duration(r, AUTHZ_CONTEXT, "durs", 90000), 0);
	cr_assert_eq(authz_request_add_ip(r, AUTHZ_CONTEXT, "ips", "192.168.0.1"), 0);
	cr_assert_eq(authz_request_add_ip(r, AUTHZ_CONTEXT, "ips", "10.0.0.0/8"), 0);
	cr_assert_eq(authz_request_add_bool(r, AUTHZ_CONTEXT, "flags", 0), 0);
	cr_assert_eq(authz_request_add_bool(r, AUTHZ_CONTEXT, "flags", 7), 0);
	cr_assert_eq(authz_request_set_string_n(r, AUTHZ_CONTEXT, "name", "a\0b", 3), 0);
}

Test(runtime_request, typed_set_adders_decide_like_json)
{
	authz_bundle *b = typed_bundle();
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	build_typed(r);
	cr_assert_eq(authz_decide(d, b, r, AUTHZ_DECIDE_TRACE), 0);
	char *api = strdup(authz_decision_json(d, NULL));
	cr_expect_eq(authz_decision_rule_count(d), 5, "%s", api);
	cr_expect_eq(authz_decision_error_count(d), 0, "%s", api);
	cr_assert_eq(authz_decide_json(d, b, r, TYPED_JSON, strlen(TYPED_JSON), AUTHZ_DECIDE_TRACE), 0);
	cr_expect_str_eq(authz_decision_json(d, NULL), api);
	free(api);
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

Test(runtime_request, nul_bytes_are_not_cut)
{
	/* "a" alone must not match the constant "a\0b", nor "a\0c" */
	authz_bundle *b = typed_bundle();
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	static const struct { const char *s; size_t n; int want; } rows[] = {
		{ "a\0b", 3, 1 }, { "a", 1, 0 }, { "a\0c", 3, 0 }, { "a\0b\0", 4, 0 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		build_typed(r);
		cr_assert_eq(authz_request_set_string_n(r, AUTHZ_CONTEXT, "name", rows[i].s, rows[i].n), 0);
		cr_assert_eq(authz_decide(d, b, r, 0), 0);
		bool got = false;
		for (size_t k = 0; k < authz_decision_rule_count(d); k++)
			got |= strcmp(authz_decision_rule(d, k), "t.nul") == 0;
		cr_expect_eq(got, rows[i].want, "row %zu: %s", i, authz_decision_json(d, NULL));
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

/* An attribute the schema does not declare is refused with
 * AUTHZ_ENOTFOUND and, its record being closed, also denies the request
 * (authz(3)): a caller that ignores the return value cannot fail open. */
Test(runtime_request, undeclared_attribute_by_path_denies)
{
	authz_bundle *b = typed_bundle();
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	build_typed(r);
	cr_expect_eq(authz_request_add_bool(r, AUTHZ_CONTEXT, "nmae", 1), AUTHZ_ENOTFOUND);
	cr_expect_eq(authz_request_add_timestamp(r, AUTHZ_CONTEXT, "nope", 1), AUTHZ_ENOTFOUND);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_expect_eq(authz_decision_allowed(d), 0);
	cr_expect_eq(authz_decision_rule_count(d), 0);
	int kind;
	const char *rule, *msg;
	cr_assert_eq(authz_decision_error(d, 0, &kind, &rule, &msg), 0);
	cr_expect_null(rule);
	cr_expect_str_eq(msg, "undeclared attribute 'context.nmae': did you mean 'context.name'?");
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

Test(runtime_request, typed_adders_refuse_wrong_kinds_and_bad_text)
{
	authz_bundle *b = typed_bundle();
	authz_request *r;
	cr_assert_eq(authz_request_new(&r, b), 0);
	build_typed(r);
	cr_expect_eq(authz_request_add_bool(r, AUTHZ_CONTEXT, "stamps", 1), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_add_timestamp(r, AUTHZ_CONTEXT, "durs", 1), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_add_duration(r, AUTHZ_CONTEXT, "stamps", 1), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_add_ip(r, AUTHZ_CONTEXT, "flags", "10.0.0.1"), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_add_ip(r, AUTHZ_CONTEXT, "ips", "10.0.0.256"), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_add_string_n(r, AUTHZ_CONTEXT, "ips", "x", 1), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_add_bool(r, AUTHZ_CONTEXT, "name", 1), AUTHZ_EINVAL, "not a set");
	cr_expect_eq(authz_request_set_string_n(r, AUTHZ_CONTEXT, "name", "\xff", 1), AUTHZ_EINVAL);
	cr_expect_eq(authz_request_set_string_n(r, AUTHZ_CONTEXT, "name", "\xc3", 1), AUTHZ_EINVAL,
		     "a sequence cut short");
	cr_expect_eq(authz_request_add_string_n(r, 7, "name", "x", 1), AUTHZ_EINVAL, "bad root");
	cr_expect_eq(authz_request_set_principal_n(r, "Nobody", "x", 1), AUTHZ_ENOTFOUND);
	/* the refused calls left the request as it was */
	authz_decision *d;
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_expect_eq(authz_decision_rule_count(d), 5, "%s", authz_decision_json(d, NULL));
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

Test(runtime_request, has_time_follows_the_request)
{
	authz_bundle *b = typed_bundle();
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_expect_eq(authz_request_has_time(r), 0);
	cr_assert_eq(authz_request_set_time(r, 5), 0);
	cr_expect_eq(authz_request_has_time(r), 1);
	authz_request_reset(r);
	cr_expect_eq(authz_request_has_time(r), 0, "reset forgets the time");

	cr_assert_eq(authz_request_parse_json(r, TYPED_JSON, strlen(TYPED_JSON)), 0);
	cr_expect_eq(authz_request_has_time(r), 1);
	static const char no_time[] = "{\"principal\":{\"type\":\"User\",\"id\":\"u\"},\"action\":\"read\","
				      "\"resource\":{\"type\":\"Doc\",\"id\":\"d\"}}";
	cr_assert_eq(authz_request_parse_json(r, no_time, strlen(no_time)), 0);
	cr_expect_eq(authz_request_has_time(r), 0);

	/* denied for its principal, before the time comes in document order:
	 * the request's own time is still read and used */
	static const char bad_type[] = "{\"principal\":{\"type\":\"Nobody\",\"id\":\"u\"},\"action\":\"read\","
				       "\"resource\":{\"type\":\"Doc\",\"id\":\"d\"},"
				       "\"time\":\"2020-01-01T00:00:00Z\"}";
	cr_assert_eq(authz_request_parse_json(r, bad_type, strlen(bad_type)), 0);
	cr_expect_eq(authz_request_has_time(r), 1);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_expect_eq(authz_decision_time(d), 1577836800000);
	cr_expect(strstr(authz_decision_json(d, NULL), "unknown entity type 'Nobody'") ||
		  strstr(authz_decision_json(d, NULL), "Nobody"), "%s", authz_decision_json(d, NULL));

	/* a bad time: no time, and the error names it, after the others */
	static const char bad_time[] = "{\"principal\":{\"type\":\"User\",\"id\":\"u\"},\"action\":\"read\","
				       "\"resource\":{\"type\":\"Doc\",\"id\":\"d\"},\"time\":\"never\"}";
	cr_assert_eq(authz_request_parse_json(r, bad_time, strlen(bad_time)), 0);
	cr_expect_eq(authz_request_has_time(r), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_expect(strstr(authz_decision_json(d, NULL), "bad timestamp for 'time'"), "%s",
		  authz_decision_json(d, NULL));
	static const char both_bad[] = "{\"principal\":{\"type\":\"Nobody\",\"id\":\"u\"},\"action\":\"read\","
				       "\"resource\":{\"type\":\"Doc\",\"id\":\"d\"},\"time\":\"never\"}";
	cr_assert_eq(authz_request_parse_json(r, both_bad, strlen(both_bad)), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_expect(!strstr(authz_decision_json(d, NULL), "bad timestamp"), "first error wins: %s",
		  authz_decision_json(d, NULL));
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}
