/*
 * test_runtime_image.c: rule images (rule_image.c): constants renumbered
 * per rule, short strings and small sets copied into the image, long
 * strings and large sets pointed to in the bundle, constants shared by
 * several rules; each decided through authz_decide like any rule.
 */
#include <stdio.h>

#include "test_runtime_fixture.h"

/* A string of n copies of c followed by `tail` (static buffer per call site). */
static const char *repeat(char *buf, size_t n, char c, const char *tail)
{
	memset(buf, c, n);
	strcpy(buf + n, tail);
	return buf;
}

/* A long string (over the image's copy limit) like a long pattern. */
static void long_like_true(struct fx *f)
{
	char s[300], pat[300];
	uint32_t kp;
	fx_kstr(f, repeat(s, 200, 'a', "end"));
	OK(bw_const_string(f->w, repeat(pat, 150, 'a', "*end"), 154, &kp));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, kp));
}

static void long_like_false(struct fx *f)
{
	char s[300], pat[300];
	uint32_t kp;
	fx_kstr(f, repeat(s, 200, 'a', "end"));
	OK(bw_const_string(f->w, repeat(pat, 150, 'a', "*ent"), 154, &kp));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, kp));
}

/* `x in S` with S a set of n strings s0..s{n-1} (n up to 40). */
static void in_set(struct fx *f, const char *x, size_t n)
{
	uint32_t e[40], k;
	char name[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "s%zu", i);
		OK(bw_const_string(f->w, name, strlen(name), &e[i]));
	}
	OK(bw_const_set(f->w, e, n, &k));
	fx_kstr(f, x);
	fx_k(f, k);
	fx_n(f, AUTHZ_OP_IN);
}

static void small_set_hit(struct fx *f) { in_set(f, "s7", 8); }
static void small_set_miss(struct fx *f) { in_set(f, "s8", 8); }
static void large_set_hit(struct fx *f) { in_set(f, "s39", 40); }
static void large_set_miss(struct fx *f) { in_set(f, "s40", 40); }

/* 1 + 2 + ... + 20 == 210, with 1 pushed again at the end (a constant used
 * twice keeps one local number) */
static void many_constants(struct fx *f)
{
	fx_kint(f, AUTHZ_K_INT, 1);
	for (int i = 2; i <= 20; i++) {
		fx_kint(f, AUTHZ_K_INT, i);
		fx_n(f, AUTHZ_OP_ADD);
	}
	fx_kint(f, AUTHZ_K_INT, 1);
	fx_n(f, AUTHZ_OP_ADD);
	fx_kint(f, AUTHZ_K_INT, 211);
	fx_n(f, AUTHZ_OP_EQ);
}

Test(runtime_image, long_strings_and_large_sets_stay_in_the_bundle)
{
	cr_expect_eq(fx_eval(long_like_true), 1);
	cr_expect_eq(fx_eval(long_like_false), 0);
	cr_expect_eq(fx_eval(large_set_hit), 1);
	cr_expect_eq(fx_eval(large_set_miss), 0);
}

Test(runtime_image, short_strings_and_small_sets_are_copied)
{
	cr_expect_eq(fx_eval(small_set_hit), 1);
	cr_expect_eq(fx_eval(small_set_miss), 0);
	cr_expect_eq(fx_eval(many_constants), 1);
}

/* Three rules sharing constants in different orders: each rule numbers
 * them its own way and still reads the right ones. */
Test(runtime_image, rules_share_constants)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	static const char *const ids[3] = { "r0", "r1", "r2" };
	static const char *const want[3] = { "acme", "other", "acme" };
	uint32_t k[3];
	for (int i = 0; i < 3; i++) {
		fx_rule(f, ids[i], AUTHZ_PERMIT);
		/* push the unused constants first, then drop them */
		for (int j = 2; j >= 0; j--) {
			OK(bw_const_string(f->w, want[j], strlen(want[j]), &k[j]));
			if (j != i) {
				fx_k(f, k[j]);
				fx_n(f, AUTHZ_OP_POP);
			}
		}
		fx_attr_read(f, AUTHZ_ROOT_PRINCIPAL, f->tenant);
		fx_k(f, k[i]);
		fx_n(f, AUTHZ_OP_EQ);
		fx_end_when(f);
	}
	authz_bundle *b = fx_load(f, NULL, NULL);
	char *line = fx_decide(b, NULL, 0);
	cr_expect(strncmp(line, "{\"decision\":\"allow\",\"rules\":[\"r0\",\"r2\"]", 39) == 0, "%s", line);
	free(line);
	authz_bundle_free(b);
}
