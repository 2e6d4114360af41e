/*
 * check_util.h: helpers for the checker's tests: compile in-memory files
 * against a schema and look at the diagnostics.
 */
#ifndef AUTHZC_TEST_CHECK_UTIL_H
#define AUTHZC_TEST_CHECK_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "checker.h"
#include "fixture.h"
#include "project.h"

/* The example schema of authzc-policy(5), shared with test_schema.c. */
#define CK_SCHEMA fixture_text("schema/language.json")

static struct compilation ck_c;
static bool ck_live;

/* Fixed clock: 2026-06-01T00:00:00Z. */
#define CK_NOW_MS 1780272000000LL

/* Check files given as name, text pairs ending with NULL against `schema`.
 * Asserts the files parse; returns the checker's error count. */
static inline size_t ck_run_v(const char *schema, const char *const *files)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	ck_c.now_ms = CK_NOW_MS;
	uint32_t sid = srcset_add(&ck_c.src, "schema.json", schema, strlen(schema));
	ck_c.schema_file = sid;
	size_t se = schema_load(&ck_c.arena, &ck_c.src, sid, &ck_c.diags, &ck_c.schema);
	cr_assert_eq(se, 0, "schema errors: %s", ck_c.diags.n ? ck_c.diags.items[0]->message : "");
	ck_c.has_schema = true;
	for (size_t i = 0; files[i]; i += 2)
		project_add_source(&ck_c, files[i], files[i + 1], strlen(files[i + 1]));
	size_t pe = compilation_parse(&ck_c);
	cr_assert_eq(pe, 0, "parse errors: %s", ck_c.diags.n ? ck_c.diags.items[0]->message : "");
	size_t n = compilation_check(&ck_c);
	cr_assert_not_null(ck_c.checked);
	return n;
}

static inline size_t ck_policy(const char *text)
{
	const char *files[] = { "p.authz", text, NULL };
	return ck_run_v(CK_SCHEMA, files);
}

static inline size_t ck_with_tests(const char *policy, const char *tests)
{
	const char *files[] = { "policies/p.authz", policy, "tests/p_test.authz", tests, NULL };
	return ck_run_v(CK_SCHEMA, files);
}

static inline void ck_dump(void)
{
	diag_render_text(stderr, &ck_c.src, &ck_c.diags, false);
}

/* The first diagnostic with `code`. */
static inline struct diag *ck_find(enum diag_code code)
{
	for (size_t i = 0; i < ck_c.diags.n; i++)
		if (ck_c.diags.items[i]->code == code)
			return ck_c.diags.items[i];
	ck_dump();
	cr_assert_fail("no diagnostic %s", diag_code_str(code));
	return NULL;
}

/* Assert a diagnostic with `code` at line:col with this message and help
 * (NULL: none). */
static inline struct diag *ck_expect(enum diag_code code, uint32_t line, uint32_t col,
				     const char *msg, const char *help)
{
	struct diag *d = ck_find(code);
	cr_assert(d->has_span, "diagnostic '%s' has no span", d->message);
	uint32_t l, c;
	src_line_col(srcset_file(&ck_c.src, d->span.file), d->span.start, &l, &c);
	cr_expect_str_eq(d->message, msg);
	cr_expect_eq(l, line, "line %u, want %u for '%s'", l, line, d->message);
	cr_expect_eq(c, col, "column %u, want %u for '%s'", c, col, d->message);
	if (help) {
		cr_assert_not_null(d->help, "no help for '%s'", d->message);
		cr_expect_str_eq(d->help, help);
	} else {
		cr_expect_null(d->help, "unexpected help '%s'", d->help ? d->help : "");
	}
	return d;
}

static inline void ck_clean(size_t errors)
{
	if (errors || ck_c.diags.n)
		ck_dump();
	cr_assert_eq(errors, 0);
	cr_assert_eq(ck_c.diags.n, 0, "%zu diagnostics", ck_c.diags.n);
}

static inline size_t ck_count(enum diag_code code)
{
	size_t n = 0;
	for (size_t i = 0; i < ck_c.diags.n; i++)
		n += ck_c.diags.items[i]->code == code;
	return n;
}

#endif
