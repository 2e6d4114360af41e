/*
 * test_limits.c: one test per resource limit (authzc-policy(5) and
 * authz(3), LIMITS): hostile sizes get a clear error, quickly, without
 * deep recursion.
 *
 *   source file        16 MiB (SRC_MAX_BYTES)          E0010 naming the file
 *   nesting            256 levels of brackets or of an operator chain
 *                      (AST_MAX_DEPTH)                  E0009 at the offending token
 *   schema             records 32 deep, 1000 attributes a record,
 *                      10000 types/actions, JSON 64 deep  E0010 / E0009 with its path
 *   rules, strings,    bounded by the source size; the bundle by 1 GiB and
 *   set literals       2^24 entries per table           compile E0010
 *   request JSON       64 MiB, 64 levels deep (libauthz)  deny with a request error
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harden_util.h"

/* The first diagnostic with `code`, or NULL. */
static const struct diag *lim_find(const char *code)
{
	for (size_t i = 0; i < ck_c.diags.n; i++)
		if (!strcmp(diag_code_str(ck_c.diags.items[i]->code), code))
			return ck_c.diags.items[i];
	return NULL;
}

/* Parse `text` as a policy against HU_SCHEMA; the number of errors. */
static size_t lim_parse(const char *text, size_t len)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	uint32_t sid = srcset_add(&ck_c.src, "schema.json", HU_SCHEMA, strlen(HU_SCHEMA));
	ck_c.schema_file = sid;
	cr_assert_eq(schema_load(&ck_c.arena, &ck_c.src, sid, &ck_c.diags, &ck_c.schema), 0);
	ck_c.has_schema = true;
	project_add_source(&ck_c, "p.authz", text, len);
	size_t e = compilation_parse(&ck_c);
	if (e == 0)
		e = compilation_check(&ck_c);
	return e;
}

static void lim_expect_at(const char *code, const char *want, uint32_t line, uint32_t col)
{
	const struct diag *d = lim_find(code);
	if (!d)
		ck_dump();
	cr_assert_not_null(d, "no %s", code);
	cr_expect(strstr(d->message, want) != NULL, "message '%s' lacks '%s'", d->message, want);
	if (line) {
		uint32_t l, c;
		src_line_col(srcset_file(&ck_c.src, d->span.file), d->span.start, &l, &c);
		cr_expect_eq(l, line, "line %u, expected %u", l, line);
		cr_expect_eq(c, col, "column %u, expected %u", c, col);
	}
}

Test(limits, source_file_over_16_mib)
{
	char dir[] = "/tmp/authzc-limits.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[512];
	snprintf(path, sizeof path, "%s/schema.json", dir);
	FILE *f = fopen(path, "w");
	fputs(HU_SCHEMA, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/policies", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/policies/big.authz", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	/* Comments: a file that is valid apart from its size. */
	static char line[1024];
	memset(line, ' ', sizeof line - 1);
	line[0] = '/';
	line[1] = '/';
	line[sizeof line - 2] = '\n';
	for (size_t n = 0; n <= SRC_MAX_BYTES; n += sizeof line - 1)
		fputs(line, f);
	fclose(f);
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	struct source_tree tree;
	source_tree_fs(&tree, dir);
	ck_c.root = dir;
	size_t errors = compilation_run(&ck_c, &tree);
	cr_expect(errors > 0);
	lim_expect_at("E0010", "larger than the 16 MiB limit", 0, 0);
	cr_expect(strstr(lim_find("E0010")->message, "big.authz") != NULL);
	unlink(path);
	snprintf(path, sizeof path, "%s/policies", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/schema.json", dir);
	unlink(path);
	rmdir(dir);
}

Test(limits, bracket_nesting_over_256)
{
	/* 100,000 '(' : refused at the 257th bracket (the rule's '{' is the
	 * first), no recursion. */
	size_t n = 100000;
	char *s = malloc(n + 64);
	size_t k = (size_t)sprintf(s, "permit r { when ");
	memset(s + k, '(', n);
	strcpy(s + k + n, "true");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0009", "nested more than 256 deep", 1, (uint32_t)(k + 256));
	free(s);
}

Test(limits, set_bracket_nesting_over_256)
{
	size_t n = 50000;
	char *s = malloc(n + 64);
	size_t k = (size_t)sprintf(s, "permit r { when 1 in ");
	memset(s + k, '[', n);
	s[k + n] = 0;
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0009", "nested more than 256 deep", 1, (uint32_t)(k + 256));
	free(s);
}

Test(limits, operator_chain_over_256)
{
	/* `a and a and ...` and `not not ...` build deep trees without brackets. */
	char *s = malloc(1u << 20);
	size_t k = (size_t)sprintf(s, "permit r { when principal.revoked");
	for (int i = 0; i < 10000; i++)
		k += (size_t)sprintf(s + k, " or principal.revoked");
	strcpy(s + k, " }\n");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0009", "256", 0, 0);
	k = (size_t)sprintf(s, "permit r { when ");
	for (int i = 0; i < 20000; i++)
		k += (size_t)sprintf(s + k, "not ");
	strcpy(s + k, "true }\n");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	cr_expect_not_null(lim_find("E0009"));
	k = (size_t)sprintf(s, "permit r { when principal.level == ");
	for (int i = 0; i < 20000; i++)
		k += (size_t)sprintf(s + k, "-");
	strcpy(s + k, "1 }\n");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	cr_expect_not_null(lim_find("E0009"));
	free(s);
}

Test(limits, nesting_at_the_limit_is_accepted)
{
	/* 200 brackets: fine, checks and compiles. */
	char s[1024];
	size_t k = (size_t)sprintf(s, "permit r { when ");
	memset(s + k, '(', 200);
	k += 200;
	k += (size_t)sprintf(s + k, "principal.revoked");
	memset(s + k, ')', 200);
	strcpy(s + k + 200, " }\n");
	cr_assert_eq(lim_parse(s, strlen(s)), 0);
}

/* ---- schema ---------------------------------------------------------------- */

static size_t lim_schema(const char *json)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	uint32_t sid = srcset_add(&ck_c.src, "schema.json", json, strlen(json));
	struct schema *s;
	return schema_load(&ck_c.arena, &ck_c.src, sid, &ck_c.diags, &s);
}

Test(limits, schema_records_nested_over_32)
{
	char *s = malloc(8192);
	size_t k = (size_t)sprintf(s, "{\"types\":{\"T\":{\"a\":");
	for (int i = 0; i < 40; i++)
		k += (size_t)sprintf(s + k, "{\"a\":");
	k += (size_t)sprintf(s + k, "\"int\"");
	for (int i = 0; i < 41; i++)
		s[k++] = '}';
	strcpy(s + k, "},\"actions\":{},\"context\":{}}");
	cr_assert(lim_schema(s) > 0);
	lim_expect_at("E0010", "nested more than 32 deep", 0, 0);
	free(s);
}

Test(limits, schema_attributes_over_1000)
{
	char *s = malloc(64 * 1024);
	size_t k = (size_t)sprintf(s, "{\"types\":{\"T\":{");
	for (int i = 0; i < 1001; i++)
		k += (size_t)sprintf(s + k, "%s\"a%d\":\"int\"", i ? "," : "", i);
	strcpy(s + k, "}},\"actions\":{},\"context\":{}}");
	cr_assert(lim_schema(s) > 0);
	lim_expect_at("E0010", "too many attributes", 0, 0);
	free(s);
}

Test(limits, schema_json_nesting)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 64);
	size_t k = (size_t)sprintf(s, "{\"types\":");
	memset(s + k, '[', n);
	memset(s + k + n, ']', n);
	strcpy(s + k + 2 * n, "}");
	cr_assert(lim_schema(s) > 0);
	cr_expect(ck_c.diags.n > 0);
	free(s);
}

/* ---- requests (libauthz) ------------------------------------------------------ */

static authz_bundle *lim_bundle(void)
{
	size_t len;
	uint8_t *buf = hu_compile(HU_SCHEMA, HU_POLICY, &len);
	authz_bundle *b = hu_load(buf, len);
	free(buf);
	return b;
}

Test(limits, request_json_deeper_than_64)
{
	authz_bundle *b = lim_bundle();
	char s[1024];
	size_t k = (size_t)sprintf(s, "{\"principal\":");
	memset(s + k, '[', 65);
	memset(s + k + 65, ']', 65);
	strcpy(s + k + 130, "}");
	const char *msg;
	cr_assert_eq(hu_decide(b, s, strlen(s), &msg), 0);
	cr_expect(strstr(msg, "nesting too deep") != NULL, "%s", msg);
	/* 64 levels parse (and then fail the schema, not the parser). */
	k = (size_t)sprintf(s, "{\"principal\":");
	memset(s + k, '[', 60);
	memset(s + k + 60, ']', 60);
	strcpy(s + k + 120, "}");
	cr_assert_eq(hu_decide(b, s, strlen(s), &msg), 0);
	cr_expect(strstr(msg, "nesting too deep") == NULL, "%s", msg);
	authz_bundle_free(b);
}

Test(limits, request_over_64_mib)
{
	authz_bundle *b = lim_bundle();
	size_t n = (64u << 20) + 1;
	char *s = malloc(n);
	memset(s, ' ', n);
	memcpy(s, HU_ALLOW, strlen(HU_ALLOW));  /* a valid request, then blanks */
	const char *msg;
	cr_assert_eq(hu_decide(b, s, n, &msg), 0);
	cr_expect(strstr(msg, "request too large") != NULL, "%s", msg);
	/* Just under the limit, the same request is allowed. */
	cr_expect_eq(hu_decide(b, s, n - 1, &msg), 1, "%s", msg);
	free(s);
	authz_bundle_free(b);
}

Test(limits, large_strings_sets_and_rule_counts_compile)
{
	/* Bounded by the source size only: a 1 MiB string, a 50,000-element
	 * set and 20,000 rules check, compile and load. */
	size_t cap = 4u << 20;
	char *s = malloc(cap);
	size_t k = (size_t)sprintf(s, "permit s { when principal.tenant == \"");
	memset(s + k, 'x', 1u << 20);
	k += 1u << 20;
	k += (size_t)sprintf(s + k, "\" }\npermit t { when principal.tenant in [");
	for (int i = 0; i < 50000; i++)
		k += (size_t)sprintf(s + k, "%s\"v%d\"", i ? "," : "", i);
	k += (size_t)sprintf(s + k, "] }\n");
	for (int i = 0; i < 20000; i++)
		k += (size_t)sprintf(s + k, "forbid r%d { when principal.level == %d }\n", i, i + 100);
	cr_assert(k < cap);
	size_t len;
	uint8_t *buf = hu_compile(HU_SCHEMA, s, &len);
	authz_bundle *b = hu_load(buf, len);
	cr_expect_eq(authz_bundle_rule_count(b), 20002);
	static const char req[] = HU_REQ("read", "150", "false");
	cr_expect_eq(hu_decide(b, req, strlen(req), NULL), 0);
	authz_bundle_free(b);
	free(buf);
	free(s);
}
