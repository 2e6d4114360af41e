/*
 * testrun_util.h: helpers for the test runner's and coverage's tests:
 * check and compile a policy with its tests in memory (check_util.h), load
 * the bundle and run the tests through testrun_run().
 */
#ifndef AUTHZC_TEST_TESTRUN_UTIL_H
#define AUTHZC_TEST_TESTRUN_UTIL_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "check_util.h"
#include "codegen.h"
#include "coverage.h"
#include "testrun.h"

/* A policy set in package p (policies/p.authz) with three guards on the
 * permit (7:8, 7:48, 8:10) and a forbid at 11:1. */
static const char TR_POLICY[] =
	"package p;\n"
	"\n"
	"permit user_read {\n"
	"  principal is User\n"
	"  action == \"read\"\n"
	"  resource is Dataset\n"
	"  when principal.tenant == resource.tenant and principal.mfa\n"
	"  unless resource.env == \"frozen\"\n"
	"}\n"
	"\n"
	"forbid banned {\n"
	"  principal is User\n"
	"  when principal.department == \"banned\"\n"
	"}\n";

/* The request the tests start from: allowed by user_read. */
#define TR_REQUEST \
	"package p_test;\n" \
	"\n" \
	"request r {\n" \
	"  principal User \"u\" { tenant: \"acme\", mfa: true, department: \"eng\" }\n" \
	"  action \"read\"\n" \
	"  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\", change_tickets: [\"c\"] }\n" \
	"  context { source_ip: ip(\"10.0.0.1\") }\n" \
	"  at time(\"2026-11-22T10:00:00Z\")\n" \
	"}\n"

static authz_bundle *tr_bundle;
static struct testrun tr_run;
static struct coverage tr_cov;

/* Check and compile the files (name, text pairs ending with NULL, against
 * CK_SCHEMA; asserting no errors), then run the tests matching `select`
 * (NULL: all), with coverage when `cov`. */
static inline void tr_go_files(const char *const *files, const char *select, bool cov)
{
	size_t errors = ck_run_v(CK_SCHEMA, files);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	authz_error err;
	authz_bundle_free(tr_bundle);
	cr_assert_eq(authz_bundle_load(&tr_bundle, buf, len, &err), 0, "%s", err.message);
	free(buf);
	regex_t re;
	if (select)
		cr_assert_eq(regcomp(&re, select, REG_EXTENDED | REG_NOSUB), 0);
	if (cov)
		coverage_init(&tr_cov, &ck_c);
	char msg[256];
	int rc = testrun_run(&ck_c, tr_bundle, select ? &re : NULL, cov ? &tr_cov : NULL, &tr_run, msg,
			     sizeof msg);
	cr_assert_eq(rc, 0, "%s", msg);
	if (select)
		regfree(&re);
}

/* tr_go_files of `policy` (policies/p.authz) and `tests`
 * (tests/p_test.authz). */
static inline void tr_go(const char *policy, const char *tests, const char *select, bool cov)
{
	const char *files[] = { "policies/p.authz", policy, "tests/p_test.authz", tests, NULL };
	tr_go_files(files, select, cov);
}

static inline void tr_fini(void)
{
	authz_bundle_free(tr_bundle);
	tr_bundle = NULL;
	if (ck_live)
		compilation_release(&ck_c);
	ck_live = false;
}

#endif
