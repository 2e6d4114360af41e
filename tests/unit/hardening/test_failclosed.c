/*
 * test_failclosed.c: every failure path of a decision denies, never allows.
 *
 * The policy (harden_util.h) allows every schema-conforming read, so a deny
 * below can only come from the failure under test:
 *   - malformed requests: every prefix of an allowed request, bad JSON,
 *     wrong shapes, bad UTF-8, deep nesting;
 *   - requests that do not match the schema: unknown type or action,
 *     a type the action does not allow, missing, extra or mistyped
 *     attributes, bad values;
 *   - a rule error inside a forbid (integer overflow) denies; inside a
 *     permit it does not allow;
 *   - allocation failure injected into libauthz (malloc, calloc and
 *     realloc are wrapped for the whole unit-test binary, see UNIT_WRAP in
 *     the Makefile; alloc_fail.h): loading, parsing and deciding with the Nth allocation
 *     failing, and with every allocation from the Nth on failing, for
 *     every N the operation makes; the result is an error or a deny;
 *   - misuse: an empty request, a request made for another bundle.
 * Corrupted bundles are refused at load: test_mutation.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "harden_util.h"


/* ---- fixtures ------------------------------------------------------------ */

static authz_bundle *fc_bundle(uint8_t **bytes, size_t *len)
{
	size_t n;
	uint8_t *buf = hu_compile(HU_SCHEMA, HU_POLICY, &n);
	authz_bundle *b = hu_load(buf, n);
	if (bytes) {
		*bytes = buf;
		*len = n;
	} else {
		free(buf);
	}
	return b;
}

/* Deny with a request error whose message contains `want`. */
static void expect_request_denied(authz_bundle *b, const char *json, const char *want)
{
	const char *msg;
	int allowed = hu_decide(b, json, strlen(json), &msg);
	cr_expect_eq(allowed, 0, "allowed: %s", json);
	cr_expect(msg[0] != 0, "no error for: %s", json);
	if (want)
		cr_expect(strstr(msg, want) != NULL, "message '%s' lacks '%s' for %s", msg, want, json);
}

Test(failclosed, baseline_allows)
{
	authz_bundle *b = fc_bundle(NULL, NULL);
	const char *msg;
	cr_assert_eq(hu_decide(b, HU_ALLOW, strlen(HU_ALLOW), &msg), 1, "%s", msg);
	authz_bundle_free(b);
}

Test(failclosed, every_prefix_of_an_allowed_request_denies)
{
	authz_bundle *b = fc_bundle(NULL, NULL);
	size_t n = strlen(HU_ALLOW);
	for (size_t k = 0; k < n; k++) {
		/* A prefix ending just before trailing blanks would still be
		 * whole; the request has none. */
		const char *msg;
		cr_assert_eq(hu_decide(b, HU_ALLOW, k, &msg), 0, "prefix of %zu bytes allowed", k);
		cr_assert(msg[0], "prefix of %zu bytes: no error", k);
	}
	authz_bundle_free(b);
}

Test(failclosed, malformed_json_denies)
{
	authz_bundle *b = fc_bundle(NULL, NULL);
	static const char *const bad[] = {
		"", " ", "null", "true", "[]", "\"read\"", "{", "}", "{\"principal\":}",
		"{\"principal\" \"x\"}", "{,}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1e}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\xff\"}", "{\"a\":tru}",
		HU_REQ("read", "1", "false") "x", HU_REQ("read", "1", "false") "{}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		expect_request_denied(b, bad[i], NULL);
	/* Deep nesting: refused, not recursed into. */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 1);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = 0;
	expect_request_denied(b, deep, NULL);
	free(deep);
	authz_bundle_free(b);
}

Test(failclosed, request_not_matching_the_schema_denies)
{
	authz_bundle *b = fc_bundle(NULL, NULL);
	static const struct { const char *json, *want; } cases[] = {
		{ HU_REQ("publish", "1", "false"), "unknown action" },
		{ HU_REQ("read", "\"1\"", "false"), "level" },
		{ HU_REQ("read", "1.5", "false"), "level" },
		{ HU_REQ("read", "9223372036854775808", "false"), "out of range" },
		{ HU_REQ("read", "1", "0"), "revoked" },
		{ HU_REQ("read", "1", "null"), "revoked" },
		{ "{\"principal\":{\"type\":\"Robot\",\"id\":\"r\",\"attrs\":{}},\"action\":\"read\","
		  "\"resource\":" HU_DOC ",\"context\":{\"ip\":\"10.1.2.3\"}}", "unknown" },
		/* A Doc may not be the principal of read. */
		{ "{\"principal\":" HU_DOC ",\"action\":\"read\",\"resource\":" HU_DOC ","
		  "\"context\":{\"ip\":\"10.1.2.3\"}}", NULL },
		/* Missing attribute (level), missing context attribute (ip). */
		{ "{\"principal\":{\"type\":\"User\",\"id\":\"a\",\"attrs\":{\"tenant\":\"t\",\"revoked\":false,"
		  "\"tags\":[]}},\"action\":\"read\",\"resource\":" HU_DOC ",\"context\":{\"ip\":\"10.1.2.3\"}}",
		  NULL },
		{ "{\"principal\":" HU_USER("1", "false") ",\"action\":\"read\",\"resource\":" HU_DOC ","
		  "\"context\":{}}", NULL },
		/* Duplicate key, bad ip, bad set element, non-string id. */
		{ "{\"principal\":" HU_USER("1", "false") ",\"action\":\"read\",\"action\":\"read\","
		  "\"resource\":" HU_DOC ",\"context\":{\"ip\":\"10.1.2.3\"}}", "duplicate" },
		{ "{\"principal\":" HU_USER("1", "false") ",\"action\":\"read\",\"resource\":" HU_DOC ","
		  "\"context\":{\"ip\":\"10.1.2.300\"}}", "ip" },
		{ "{\"principal\":{\"type\":\"User\",\"id\":\"a\",\"attrs\":{\"tenant\":\"t\",\"level\":1,"
		  "\"revoked\":false,\"tags\":[1]}},\"action\":\"read\",\"resource\":" HU_DOC ","
		  "\"context\":{\"ip\":\"10.1.2.3\"}}", "tags" },
		{ "{\"principal\":{\"type\":\"User\",\"id\":7,\"attrs\":{}},\"action\":\"read\","
		  "\"resource\":" HU_DOC ",\"context\":{\"ip\":\"10.1.2.3\"}}", NULL },
		{ HU_REQ("read", "1", "false") "   ", NULL }, /* whole request + blanks: allowed below */
	};
	size_t n = sizeof cases / sizeof *cases - 1;
	for (size_t i = 0; i < n; i++)
		expect_request_denied(b, cases[i].json, cases[i].want);
	/* Control: trailing blanks are not an error.  An attribute the schema
	 * does not declare is (authzc-policy(5), THE SCHEMA): a misspelt one
	 * must not quietly switch off the rule that reads it. */
	cr_expect_eq(hu_decide(b, cases[n].json, strlen(cases[n].json), NULL), 1);
	static const char extra[] = "{\"principal\":" HU_USER("1", "false") ",\"action\":\"read\","
		"\"resource\":" HU_DOC ",\"context\":{\"ip\":\"10.1.2.3\",\"spy\":1}}";
	const char *msg = NULL;
	cr_expect_eq(hu_decide(b, extra, strlen(extra), &msg), 0);
	cr_expect(msg && strstr(msg, "undeclared attribute 'context.spy'"), "%s", msg ? msg : "(none)");
	authz_bundle_free(b);
}

Test(failclosed, rule_error_in_a_forbid_denies)
{
	authz_bundle *b = fc_bundle(NULL, NULL);
	const char *msg;
	/* level 2: 2 * 2^62 overflows inside `overflowing`. */
	static const char req[] = HU_REQ("read", "2", "false");
	cr_assert_eq(hu_decide(b, req, strlen(req), &msg), 0);
	cr_expect(strstr(msg, "overflow") != NULL, "message: %s", msg);
	/* A permit in error does not allow (write is allowed by nothing else). */
	static const char wr[] = HU_REQ("write", "2", "false");
	cr_assert_eq(hu_decide(b, wr, strlen(wr), &msg), 0);
	cr_expect(strstr(msg, "overflow") != NULL, "message: %s", msg);
	/* Extremes: INT64_MIN and INT64_MAX levels. */
	static const char lo[] = HU_REQ("read", "-9223372036854775808", "false");
	static const char hi[] = HU_REQ("read", "9223372036854775807", "false");
	cr_expect_eq(hu_decide(b, lo, strlen(lo), NULL), 0);
	cr_expect_eq(hu_decide(b, hi, strlen(hi), NULL), 0);
	authz_bundle_free(b);
}

Test(failclosed, misuse_denies)
{
	authz_bundle *b = fc_bundle(NULL, NULL);
	authz_bundle *other = fc_bundle(NULL, NULL);
	authz_decision *d;
	authz_request *r;
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_request_new(&r, b), 0);
	/* Nothing set. */
	authz_decide(d, b, r, 0);
	cr_expect_eq(authz_decision_allowed(d), 0);
	/* Parsed for b, decided against another bundle. */
	cr_assert_eq(authz_request_parse_json(r, HU_ALLOW, strlen(HU_ALLOW)), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_assert_eq(authz_decision_allowed(d), 1);
	cr_expect_eq(authz_decide(d, other, r, 0), AUTHZ_EINVAL);
	cr_expect_eq(authz_decision_allowed(d), 0);
	/* After a failed parse the old (allowed) contents are gone. */
	cr_assert_eq(authz_request_parse_json(r, "{", 1), 0);
	authz_decide(d, b, r, 0);
	cr_expect_eq(authz_decision_allowed(d), 0);
	/* A fresh decision object holds a deny. */
	authz_decision *fresh;
	cr_assert_eq(authz_decision_new(&fresh), 0);
	cr_expect_eq(authz_decision_allowed(fresh), 0);
	authz_decision_free(fresh);
	authz_request_free(r);
	authz_decision_free(d);
	authz_bundle_free(other);
	authz_bundle_free(b);
}

/*
 * One run of load + request + decide of `json` with allocation failures
 * armed by af_arm(at, rest).  Returns 1 when the decision was allow.  Every
 * call must either succeed or return an error; after an error nothing may
 * allow; nothing may leak.  *failed: whether any allocation failed.
 */
static int fc_run(const uint8_t *bytes, size_t len, const char *json, unsigned long at, int rest,
		  unsigned long *failed, unsigned long *count)
{
	int allowed = 0;
	authz_bundle *b = NULL;
	authz_request *r = NULL;
	authz_decision *d = NULL;
	authz_error err;
	af_track_begin();
	af_arm(at, rest);
	int rc = authz_bundle_load(&b, bytes, len, &err);
	if (rc != 0) {
		af_disarm();
		cr_assert_null(b);
		cr_assert(rc == AUTHZ_ENOMEM, "load failed with %d: %s", rc, err.message);
		goto out;
	}
	if (authz_request_new(&r, b) != 0 || authz_decision_new(&d) != 0)
		goto out;
	rc = authz_decide_json(d, b, r, json, strlen(json), AUTHZ_DECIDE_TRACE);
	allowed = authz_decision_allowed(d);
	if (rc != 0)
		cr_assert_eq(allowed, 0, "decide returned %d and allowed (alloc %lu)", rc, at);
	/* The decision's JSON line fails with NULL, never with a torn allow. */
	const char *line = authz_decision_json(d, NULL);
	if (line && allowed)
		cr_assert(strstr(line, "\"allow\"") || strstr(line, "true"), "%s", line);
out:
	af_disarm();
	*failed = af_failed();
	*count = af_count();
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
	long leaked = af_track_end();
	cr_assert_eq(leaked, 0, "%ld blocks leaked with allocation %lu failing (rest %d)", leaked, at, rest);
	return allowed;
}

static void fc_sweep(const char *json, int expect_allow)
{
	size_t len;
	uint8_t *bytes;
	authz_bundle *b0 = fc_bundle(&bytes, &len);
	authz_bundle_free(b0);
	unsigned long failed, total;
	/* Without failures: the expected decision, and the number of
	 * allocations the whole sequence makes. */
	fc_run(bytes, len, json, ~0UL, 0, &failed, &total);
	cr_assert_eq(failed, 0);
	cr_assert(total > 0, "the runtime's allocations are not seen");
	unsigned long runs = 0, allows_under_failure = 0;
	for (int rest = 0; rest <= 1; rest++) {
		for (unsigned long at = 1; at <= total + 1; at++) {
			unsigned long count;
			int allowed = fc_run(bytes, len, json, at, rest, &failed, &count);
			runs++;
			if (allowed && failed)
				allows_under_failure++;
			if (!expect_allow)
				cr_assert_eq(allowed, 0, "allowed with allocation %lu failing (rest %d)", at, rest);
		}
	}
	cr_log_info("allocation failure: %lu runs over %lu allocations", runs, total);
	/* An allow under failure is only possible for an allowed request, and
	 * only when the failure hit something optional (e.g. trace buffers
	 * that were retried); never for a denied one (asserted above). */
	(void)allows_under_failure;
	free(bytes);
}

Test(failclosed, allocation_failure_never_allows_a_forbidden_request)
{
	/* Revoked: the forbid applies, the permit too. */
	fc_sweep(HU_REQ("read", "1", "true"), 0);
}

Test(failclosed, allocation_failure_never_allows_a_forbid_in_error)
{
	fc_sweep(HU_REQ("read", "2", "false"), 0);
}

Test(failclosed, allocation_failure_never_allows_a_bad_request)
{
	fc_sweep(HU_REQ("read", "\"x\"", "false"), 0);
}

Test(failclosed, allocation_failure_keeps_an_allowed_request_safe)
{
	fc_sweep(HU_ALLOW, 1);
}

/* The rule images and the index are built by authz_bundle_prepare (or the
 * first decision): an allocation failing there returns AUTHZ_ENOMEM,
 * leaks nothing, and the next call builds them all the same, so the
 * bundle then decides as one prepared at once. */
Test(failclosed, a_failed_preparation_is_tried_again)
{
	size_t len;
	uint8_t *bytes;
	authz_bundle *b0 = fc_bundle(&bytes, &len);
	authz_bundle_free(b0);
	authz_error err;
	authz_bundle *b;
	cr_assert_eq(authz_bundle_load(&b, bytes, len, &err), 0, "%s", err.message);
	af_arm(~0UL, 0);
	cr_assert_eq(authz_bundle_prepare(b), 0);
	af_disarm();
	unsigned long total = af_count(), failures = 0;
	cr_assert(total > 0, "preparing allocates");
	authz_bundle_free(b);
	for (unsigned long at = 1; at <= total; at++) {
		cr_assert_eq(authz_bundle_load(&b, bytes, len, &err), 0, "%s", err.message);
		af_track_begin();
		af_arm(at, 1);
		int rc = authz_bundle_prepare(b);
		af_disarm();
		long leaked = af_track_end();
		cr_assert_eq(leaked, 0, "%ld blocks left by the failed preparation (allocation %lu)", leaked, at);
		cr_assert(rc == AUTHZ_ENOMEM, "allocation %lu failing: prepare returned %d", at, rc);
		failures++;
		const char *msg;
		cr_assert_eq(hu_decide(b, HU_ALLOW, strlen(HU_ALLOW), &msg), 1, "allocation %lu: %s", at, msg);
		cr_assert_eq(hu_decide(b, HU_REQ("read", "1", "true"), strlen(HU_REQ("read", "1", "true")), &msg), 0);
		authz_bundle_free(b);
	}
	cr_assert_eq(failures, total);
	free(bytes);
}
