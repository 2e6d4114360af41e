/*
 * harden_util.h: what the hardening tests (fail-closed, bundle mutation,
 * limits) share: one schema, a policy set with a permit that allows every
 * well-formed read, and helpers to compile it and decide JSON requests.
 */
#ifndef AUTHZC_TEST_HARDEN_UTIL_H
#define AUTHZC_TEST_HARDEN_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "authz.h"
#include "check_util.h"
#include "codegen.h"

/* User and Doc, read and write; User has a set and an optional record, the
 * context an ip and an optional int. */
#define HU_SCHEMA fixture_text("schema/hardening.json")

/* Every schema-conforming read is allowed unless the principal is revoked
 * or its level overflows the forbid's product (a rule error). */
static const char HU_POLICY[] =
	"package fc;\n"
	"permit readers { action == \"read\" }\n"
	"forbid revoked { when principal.revoked }\n"
	"forbid overflowing { when principal.level * 4611686018427387904 < 0 }\n"
	"permit erring_writer { action == \"write\" when principal.level * 4611686018427387904 > 0 }\n";

#define HU_USER(level, revoked) \
	"{\"type\":\"User\",\"id\":\"alice\",\"attrs\":{\"tenant\":\"acme\",\"level\":" level "," \
	"\"revoked\":" revoked ",\"tags\":[\"a\",\"b\"],\"meta\":{\"score\":7}}}"
#define HU_DOC "{\"type\":\"Doc\",\"id\":\"d1\",\"attrs\":{\"tenant\":\"acme\",\"level\":3}}"
#define HU_REQ(action, level, revoked) \
	"{\"principal\":" HU_USER(level, revoked) ",\"action\":\"" action "\",\"resource\":" HU_DOC "," \
	"\"context\":{\"ip\":\"10.1.2.3\",\"n\":4},\"time\":\"2026-11-24T10:00:00Z\"}"

/* A read that HU_POLICY allows. */
static const char HU_ALLOW[] = HU_REQ("read", "1", "false");

/* Check and compile `policy` against `schema` (asserting success); the
 * bundle's bytes (malloc'd). */
static inline uint8_t *hu_compile(const char *schema, const char *policy, size_t *len)
{
	const char *files[] = { "policies/p.authz", policy, NULL };
	size_t errors = ck_run_v(schema, files);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0, "check errors in:\n%s", policy);
	uint8_t *buf = NULL;
	size_t ge = codegen_bundle(&ck_c, "", &buf, len);
	if (ge)
		ck_dump();
	cr_assert_eq(ge, 0, "codegen errors");
	cr_assert_not_null(buf);
	return buf;
}

static inline authz_bundle *hu_load(const uint8_t *buf, size_t len)
{
	authz_bundle *b = NULL;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "load: %s", err.message);
	return b;
}

/* Check and compile the project files[] (path and text pairs, NULL at the
 * end) against `schema`, asserting success, and load its bundle. */
static inline authz_bundle *hu_project(const char *schema, const char *const *files)
{
	size_t errors = ck_run_v(schema, files);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0);
	uint8_t *buf = NULL;
	size_t len = 0;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	authz_bundle *b = hu_load(buf, len);
	free(buf);
	return b;
}

/* Decide `json` against `b`: 1 allow, 0 deny; the first error's message
 * (or "") in *msg when msg is not NULL (valid until the next call). */
static inline int hu_decide(const authz_bundle *b, const char *json, size_t len, const char **msg)
{
	static char first[256];
	authz_decision *d;
	authz_request *r;
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_request_new(&r, b), 0);
	int rc = authz_decide_json(d, b, r, json, len, 0);
	cr_assert_eq(rc, 0, "authz_decide_json: %d", rc);
	first[0] = 0;
	if (authz_decision_error_count(d)) {
		int kind;
		const char *rule, *m;
		authz_decision_error(d, 0, &kind, &rule, &m);
		snprintf(first, sizeof first, "%s", m);
	}
	if (msg)
		*msg = first;
	int allowed = authz_decision_allowed(d);
	authz_request_free(r);
	authz_decision_free(d);
	return allowed;
}

#endif
