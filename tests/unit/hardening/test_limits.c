/*
 * test_limits.c: one test per resource limit (authzc-policy(5) and
 * authz(3), LIMITS): hostile sizes get a clear error, quickly, without
 * deep recursion.
 *
 * Every limit is declared once, in compiler/util/authzc_limits.h and
 * runtime/include/authz_limits.h:
 *
 *   source file        16 MiB (SRC_MAX_BYTES)          E0010 naming the file
 *   nesting            256 levels of brackets or of an operator chain
 *                      (AST_MAX_DEPTH)                  E0009 at the offending token
 *   rules              100,000 per policy set (LIM_MAX_RULES)  E0010 at the rule
 *   string literal     64 KiB decoded (LIM_MAX_STRING)  E0010 at its quote
 *   set literal        100,000 elements (LIM_MAX_SET)   E0010 at its '['
 *   schema             attribute paths 16 names long (the bundle's
 *                      AUTHZ_MAX_DEPTH), 1000 attributes a record,
 *                      10000 types/actions, JSON 64 deep  E0010 / E0009 with its path
 *   request JSON       64 MiB, 64 levels deep           deny with a request error
 *   request values     strings 64 KiB, sets 100,000 elements (JSON and
 *                      the setters of authz.h)          deny with a request error
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

/* A schema whose type T has one attribute path a1.a2...a<names>: int. */
static char *lim_deep_schema(int names)
{
	char *s = malloc(8192);
	size_t k = (size_t)sprintf(s, "{\"types\":{\"T\":{");
	for (int i = 1; i < names; i++)
		k += (size_t)sprintf(s + k, "\"a%d\":{", i);
	k += (size_t)sprintf(s + k, "\"a%d\":\"int\"", names);
	for (int i = 1; i < names; i++)
		s[k++] = '}';
	strcpy(s + k, "}},\"actions\":{\"go\":{\"principals\":[\"T\"],\"resources\":[\"T\"]}},"
		      "\"context\":{}}");
	return s;
}

#define LIM_DEPTH_PATH "$.types.T.a1.a2.a3.a4.a5.a6.a7.a8.a9.a10.a11.a12.a13.a14.a15.a16"

Test(limits, schema_record_depth_is_the_bundles)
{
	/* At the limit: a path of 16 names checks, compiles, loads, decides. */
	cr_assert_eq(SCHEMA_MAX_DEPTH, AUTHZ_MAX_DEPTH);
	cr_assert_eq(AUTHZ_MAX_DEPTH, 16);
	char *schema = lim_deep_schema(AUTHZ_MAX_DEPTH);
	char pol[1024], req[2048];
	size_t k = (size_t)sprintf(pol, "permit deep { when principal");
	for (int i = 1; i <= AUTHZ_MAX_DEPTH; i++)
		k += (size_t)sprintf(pol + k, ".a%d", i);
	strcpy(pol + k, " == 7 }\n");
	size_t len;
	uint8_t *buf = hu_compile(schema, pol, &len);
	authz_bundle *b = hu_load(buf, len);
	k = (size_t)sprintf(req, "{\"principal\":{\"type\":\"T\",\"id\":\"p\",\"attrs\":");
	for (int i = 1; i < AUTHZ_MAX_DEPTH; i++)
		k += (size_t)sprintf(req + k, "{\"a%d\":", i);
	k += (size_t)sprintf(req + k, "{\"a%d\":7}", AUTHZ_MAX_DEPTH);
	for (int i = 1; i < AUTHZ_MAX_DEPTH; i++)
		req[k++] = '}';
	strcpy(req + k, "},\"action\":\"go\",\"resource\":{\"type\":\"T\",\"id\":\"r\","
		        "\"attrs\":{\"a1\":{\"a2\":{\"a3\":{\"a4\":{\"a5\":{\"a6\":{\"a7\":{\"a8\":"
		        "{\"a9\":{\"a10\":{\"a11\":{\"a12\":{\"a13\":{\"a14\":{\"a15\":{\"a16\":0}}}}}}}}}}}}}}}}}}");
	const char *msg;
	cr_expect_eq(hu_decide(b, req, strlen(req), &msg), 1, "%s", msg);
	authz_bundle_free(b);
	free(buf);
	free(schema);

	/* One more: refused by the schema loader, so `check` agrees with
	 * `compile`, at the record that would hold the 17th name. */
	schema = lim_deep_schema(AUTHZ_MAX_DEPTH + 1);
	cr_assert(lim_schema(schema) > 0);
	lim_expect_at("E0010", "records nested too deeply: attribute paths are at most 16 names long", 0, 0);
	const struct diag *d = lim_find("E0010");
	cr_assert_not_null(d->json_path);
	cr_expect_str_eq(d->json_path, LIM_DEPTH_PATH);
	cr_expect(d->help && strstr(d->help, "flatten the record 'a16'") != NULL, "%s",
		  d->help ? d->help : "(no help)");
	free(schema);

	/* Far deeper: one error, at the same place. */
	schema = lim_deep_schema(40);
	cr_assert(lim_schema(schema) > 0);
	cr_expect_str_eq(lim_find("E0010")->json_path, LIM_DEPTH_PATH);
	size_t n = 0;
	for (size_t i = 0; i < ck_c.diags.n; i++)
		n += ck_c.diags.items[i]->code == E_LIMIT;
	cr_expect_eq(n, 1);
	free(schema);
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

/* ---- rules, string literals, set literals ------------------------------------ */

/* Parse and check `files` (name, text pairs ending with NULL) against
 * HU_SCHEMA; the number of errors, syntax errors included. */
static size_t lim_parse_files(const char *const *files)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	uint32_t sid = srcset_add(&ck_c.src, "schema.json", HU_SCHEMA, strlen(HU_SCHEMA));
	ck_c.schema_file = sid;
	cr_assert_eq(schema_load(&ck_c.arena, &ck_c.src, sid, &ck_c.diags, &ck_c.schema), 0);
	ck_c.has_schema = true;
	for (size_t i = 0; files[i]; i += 2)
		project_add_source(&ck_c, files[i], files[i + 1], strlen(files[i + 1]));
	size_t e = compilation_parse(&ck_c);
	if (e == 0)
		e = compilation_check(&ck_c);
	return e;
}

static size_t lim_count(const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < ck_c.diags.n; i++)
		n += !strcmp(diag_code_str(ck_c.diags.items[i]->code), code);
	return n;
}

/* `rules` forbid rules, one a line, into a malloc'd policy file. */
static char *lim_rules(int first, int rules)
{
	char *s = malloc((size_t)rules * 64 + 64);
	size_t k = 0;
	for (int i = first; i < first + rules; i++)
		k += (size_t)sprintf(s + k, "forbid r%d { when principal.level == %d }\n", i, i + 100);
	s[k] = 0;
	return s;
}

Test(limits, rules_per_policy_set)
{
	/* 100,000 rules over two files: checked, compiled, loaded, decided. */
	cr_assert_eq(LIM_MAX_RULES, 100000);
	char *a = lim_rules(0, 50000), *b = lim_rules(50000, 50000);
	const char *ok[] = { "policies/a.authz", a, "policies/b.authz", b, NULL };
	cr_assert_eq(lim_parse_files(ok), 0);
	uint8_t *buf = NULL;
	size_t len;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	authz_bundle *bundle = hu_load(buf, len);
	cr_expect_eq(authz_bundle_rule_count(bundle), 100000);
	static const char req[] = HU_REQ("read", "150", "false");
	const char *msg;
	cr_expect_eq(hu_decide(bundle, req, strlen(req), &msg), 0);  /* r50 forbids; no permit */
	authz_bundle_free(bundle);
	free(buf);

	/* One more, in the second file: E0010 at that rule, once. */
	char *c = lim_rules(50000, 50001);
	const char *over[] = { "policies/a.authz", a, "policies/b.authz", c, NULL };
	cr_assert(lim_parse_files(over) > 0);
	lim_expect_at("E0010", "too many rules: the policy set has 100001, at most 100000", 50001, 1);
	cr_expect_eq(lim_count("E0010"), 1);
	const struct diag *d = lim_find("E0010");
	cr_expect_str_eq(srcset_file(&ck_c.src, d->span.file)->name, "policies/b.authz");
	cr_expect(d->help && strstr(d->help, "split the policy set") != NULL);
	free(a);
	free(b);
	free(c);
}

/* A policy comparing principal.tenant (line 2) with a literal of `n` copies
 * of `unit`, whose quote is at column LIM_STR_COL. */
#define LIM_STR_PREFIX "permit r { when principal.tenant == "
#define LIM_STR_COL ((uint32_t)sizeof LIM_STR_PREFIX)
static char *lim_string_policy(const char *unit, size_t n)
{
	size_t ul = strlen(unit);
	char *s = malloc(n * ul + 128);
	size_t k = (size_t)sprintf(s, "package p;\n" LIM_STR_PREFIX "\"");
	for (size_t i = 0; i < n; i++, k += ul)
		memcpy(s + k, unit, ul);
	strcpy(s + k, "\" }\n");
	return s;
}

Test(limits, string_literal_64_kib)
{
	cr_assert_eq(LIM_MAX_STRING, 65536);
	char *s = lim_string_policy("x", LIM_MAX_STRING);
	cr_expect_eq(lim_parse(s, strlen(s)), 0);
	free(s);
	s = lim_string_policy("x", LIM_MAX_STRING + 1);
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0010", "string literal too long: 65537 bytes, at most 64 KiB", 2, LIM_STR_COL);
	cr_expect_eq(lim_count("E0010"), 1);
	cr_expect(lim_find("E0010")->help != NULL);
	free(s);
}

Test(limits, string_literal_limit_counts_decoded_bytes)
{
	/* "\u{1F600}" is 9 bytes of source and 4 of string: 16,384 of them
	 * (147 KiB of source) make exactly 64 KiB. */
	char *s = lim_string_policy("\\u{1F600}", LIM_MAX_STRING / 4);
	cr_expect_eq(lim_parse(s, strlen(s)), 0);
	free(s);
	s = lim_string_policy("\\u{1F600}", LIM_MAX_STRING / 4 + 1);
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0010", "65540 bytes", 2, LIM_STR_COL);
	free(s);
}

Test(limits, annotation_value_64_kib)
{
	size_t n = LIM_MAX_STRING + 1;
	char *s = malloc(n + 128);
	size_t k = (size_t)sprintf(s, "@description(\"");
	memset(s + k, 'd', n);
	strcpy(s + k + n, "\")\npermit r { when principal.revoked }\n");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0010", "string literal too long", 1, 14);
	/* At the limit it is fine. */
	k = (size_t)sprintf(s, "@description(\"");
	memset(s + k, 'd', n - 1);
	strcpy(s + k + n - 1, "\")\npermit r { when principal.revoked }\n");
	cr_expect_eq(lim_parse(s, strlen(s)), 0);
	free(s);
}

/* `prefix` then a set literal of the ints 0..n-1, then `suffix`. */
static char *lim_set_policy(const char *prefix, size_t n, const char *suffix)
{
	char *s = malloc(n * 9 + strlen(prefix) + strlen(suffix) + 8);
	size_t k = (size_t)sprintf(s, "%s[", prefix);
	for (size_t i = 0; i < n; i++)
		k += (size_t)sprintf(s + k, "%s%zu", i ? "," : "", i);
	sprintf(s + k, "]%s", suffix);
	return s;
}

Test(limits, set_literal_100000_elements)
{
	/* A constant set at the limit checks, compiles and decides. */
	cr_assert_eq(LIM_MAX_SET, 100000);
	char *s = lim_set_policy("package p;\nconst S = ", LIM_MAX_SET,
				 ";\npermit r { when principal.level in S }\n");
	size_t len;
	uint8_t *buf = hu_compile(HU_SCHEMA, s, &len);
	authz_bundle *b = hu_load(buf, len);
	static const char in[] = HU_REQ("read", "99999", "false");
	static const char out[] = HU_REQ("read", "100000", "false");
	const char *msg;
	cr_expect_eq(hu_decide(b, in, strlen(in), &msg), 1, "%s", msg);
	cr_expect_eq(hu_decide(b, out, strlen(out), &msg), 0, "%s", msg);
	authz_bundle_free(b);
	free(buf);
	free(s);

	/* One more: E0010 at its '[', for a constant and in a condition. */
	s = lim_set_policy("package p;\nconst S = ", LIM_MAX_SET + 1,
			   ";\npermit r { when principal.level in S }\n");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0010", "set literal too large: 100001 elements, at most 100000", 2, 11);
	cr_expect_eq(lim_count("E0010"), 1);
	free(s);
	s = lim_set_policy("package p;\npermit r {\n  when principal.level in ", LIM_MAX_SET + 1, " }\n");
	cr_assert(lim_parse(s, strlen(s)) > 0);
	lim_expect_at("E0010", "set literal too large", 3, 27);
	free(s);
}

/* ---- request values (libauthz) ---------------------------------------------- */

/* A read request (allowed by HU_POLICY) whose principal has an id of `idlen`
 * bytes, a tenant of `nunits` copies of `unit` and `ntags` tags. */
static char *lim_req(size_t idlen, const char *unit, size_t nunits, size_t ntags, size_t *len)
{
	size_t ul = strlen(unit);
	char *s = malloc(idlen + ul * nunits + ntags * 12 + 1024);
	size_t k = (size_t)sprintf(s, "{\"principal\":{\"type\":\"User\",\"id\":\"");
	memset(s + k, 'i', idlen);
	k += idlen;
	k += (size_t)sprintf(s + k, "\",\"attrs\":{\"level\":1,\"revoked\":false,\"tenant\":\"");
	for (size_t i = 0; i < nunits; i++, k += ul)
		memcpy(s + k, unit, ul);
	k += (size_t)sprintf(s + k, "\",\"tags\":[");
	for (size_t i = 0; i < ntags; i++)
		k += (size_t)sprintf(s + k, "%s\"t%zu\"", i ? "," : "", i);
	k += (size_t)sprintf(s + k, "]}},\"action\":\"read\",\"resource\":" HU_DOC ","
			     "\"context\":{\"ip\":\"10.1.2.3\"}}");
	*len = k;
	return s;
}

/* Decide lim_req(...) against b: 1 allow, 0 deny; the error in *msg. */
static int lim_req_decide(authz_bundle *b, size_t idlen, const char *unit, size_t nunits, size_t ntags,
			  const char **msg)
{
	size_t len;
	char *s = lim_req(idlen, unit, nunits, ntags, &len);
	int allowed = hu_decide(b, s, len, msg);
	free(s);
	return allowed;
}

Test(limits, request_json_strings_64_kib)
{
	authz_bundle *b = lim_bundle();
	const char *msg;
	cr_expect_eq(lim_req_decide(b, 5, "x", AUTHZ_MAX_STRING, 2, &msg), 1, "%s", msg);
	cr_expect_eq(lim_req_decide(b, 5, "x", AUTHZ_MAX_STRING + 1, 2, &msg), 0);
	cr_expect_str_eq(msg, "string for 'principal.tenant' too long: 65537 bytes, at most 65536");
	/* Decoded bytes count: "\u00e9" is 2 bytes. */
	cr_expect_eq(lim_req_decide(b, 5, "\\u00e9", AUTHZ_MAX_STRING / 2, 2, &msg), 1, "%s", msg);
	cr_expect_eq(lim_req_decide(b, 5, "\\u00e9", AUTHZ_MAX_STRING / 2 + 1, 2, &msg), 0);
	cr_expect(strstr(msg, "'principal.tenant' too long: 65538 bytes") != NULL, "%s", msg);
	/* Entity ids too. */
	cr_expect_eq(lim_req_decide(b, AUTHZ_MAX_STRING, "x", 1, 2, &msg), 1, "%s", msg);
	cr_expect_eq(lim_req_decide(b, AUTHZ_MAX_STRING + 1, "x", 1, 2, &msg), 0);
	cr_expect_str_eq(msg, "string for 'principal.id' too long: 65537 bytes, at most 65536");
	authz_bundle_free(b);
}

Test(limits, request_json_sets_100000_elements)
{
	authz_bundle *b = lim_bundle();
	const char *msg;
	cr_expect_eq(lim_req_decide(b, 5, "x", 1, AUTHZ_MAX_SET, &msg), 1, "%s", msg);
	cr_expect_eq(lim_req_decide(b, 5, "x", 1, AUTHZ_MAX_SET + 1, &msg), 0);
	cr_expect_str_eq(msg, "set for 'principal.tags' too large: more than 100000 elements");
	authz_bundle_free(b);
}

/* A complete read request through the setters of authz.h. */
static authz_request *lim_api_request(authz_bundle *b)
{
	authz_request *r;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_request_set_principal(r, "User", "alice"), 0);
	cr_assert_eq(authz_request_set_resource(r, "Doc", "d1"), 0);
	cr_assert_eq(authz_request_set_action(r, "read"), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_PRINCIPAL, "tenant", "acme"), 0);
	cr_assert_eq(authz_request_set_int(r, AUTHZ_PRINCIPAL, "level", 1), 0);
	cr_assert_eq(authz_request_set_bool(r, AUTHZ_PRINCIPAL, "revoked", 0), 0);
	cr_assert_eq(authz_request_set_empty_set(r, AUTHZ_PRINCIPAL, "tags"), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_RESOURCE, "tenant", "acme"), 0);
	cr_assert_eq(authz_request_set_int(r, AUTHZ_RESOURCE, "level", 3), 0);
	cr_assert_eq(authz_request_set_ip(r, AUTHZ_CONTEXT, "ip", "10.1.2.3"), 0);
	return r;
}

/* Decide r against b: 1 allow, 0 deny; the first error's message in *msg. */
static int lim_api_decide(authz_bundle *b, authz_request *r, char *msg, size_t size)
{
	authz_decision *d;
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	msg[0] = 0;
	if (authz_decision_error_count(d)) {
		int kind;
		const char *rule, *m;
		authz_decision_error(d, 0, &kind, &rule, &m);
		cr_expect_eq(kind, AUTHZ_ERR_REQUEST);
		snprintf(msg, size, "%s", m);
	}
	int allowed = authz_decision_allowed(d);
	authz_decision_free(d);
	return allowed;
}

Test(limits, request_api_strings_and_sets)
{
	authz_bundle *b = lim_bundle();
	char msg[256];
	char *big = malloc(AUTHZ_MAX_STRING + 1);
	memset(big, 'x', AUTHZ_MAX_STRING + 1);

	/* A string attribute: at the limit fine; over it EINVAL, and a deny
	 * even for a caller that ignores the return value. */
	authz_request *r = lim_api_request(b);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 1, "%s", msg);
	cr_expect_eq(authz_request_set_string_n(r, AUTHZ_PRINCIPAL, "tenant", big, AUTHZ_MAX_STRING), 0);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 1, "%s", msg);
	cr_expect_eq(authz_request_set_string_n(r, AUTHZ_PRINCIPAL, "tenant", big, AUTHZ_MAX_STRING + 1),
		     AUTHZ_EINVAL);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 0);
	cr_expect_str_eq(msg, "string for 'principal.tenant' too long: 65537 bytes, at most 65536");
	authz_request_free(r);

	/* A set element and an entity id likewise. */
	r = lim_api_request(b);
	cr_expect_eq(authz_request_add_string_n(r, AUTHZ_PRINCIPAL, "tags", big, AUTHZ_MAX_STRING + 1),
		     AUTHZ_EINVAL);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 0);
	cr_expect(strstr(msg, "'principal.tags' too long") != NULL, "%s", msg);
	authz_request_free(r);
	r = lim_api_request(b);
	cr_expect_eq(authz_request_set_principal_n(r, "User", big, AUTHZ_MAX_STRING + 1), AUTHZ_EINVAL);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 0);
	cr_expect(strstr(msg, "'principal.id' too long") != NULL, "%s", msg);
	authz_request_free(r);

	/* A set: 100,000 elements fine, the next one refused. */
	r = lim_api_request(b);
	for (unsigned i = 0; i < AUTHZ_MAX_SET; i++)
		cr_assert_eq(authz_request_add_string(r, AUTHZ_PRINCIPAL, "tags", "t"), 0);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 1, "%s", msg);
	cr_expect_eq(authz_request_add_string(r, AUTHZ_PRINCIPAL, "tags", "t"), AUTHZ_EINVAL);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 0);
	cr_expect_str_eq(msg, "set for 'principal.tags' too large: more than 100000 elements");
	/* reset clears the request error */
	authz_request_reset(r);
	authz_request_free(r);
	r = lim_api_request(b);
	cr_expect_eq(lim_api_decide(b, r, msg, sizeof msg), 1, "%s", msg);
	authz_request_free(r);
	free(big);
	authz_bundle_free(b);
}
