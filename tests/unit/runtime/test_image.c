/*
 * test_image.c: rule images (rule_image.c): constants renumbered
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
	char name[24];
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

/* {====================================================================
** Fused guards (rule_image.h RT_OP_*): each shape is fused (the image's
** first word says so) and decides, errs and traces exactly as the words
** one by one (fx_eval compares both).
** ===================================================================== */

/* The first opcode of the image of rule 0 of the one-guard rule `emit`
 * writes, and fx_eval's result for it in *res. */
static uint32_t first_op(void (*emit)(struct fx *f), int *res)
{
	authz_bundle *b = fx_one_rule(emit);
	uint32_t op = AUTHZ_GET_OP(rt_img_code(rt_img_of(b, 0))[0]);
	authz_bundle_free(b);
	*res = fx_eval(emit);
	return op;
}

#define FUSED(emit, op, want)                                                               \
	do {                                                                                \
		int res_;                                                                   \
		cr_expect_eq(first_op(emit, &res_), (uint32_t)(op), "%s: not fused as %s", #emit, #op); \
		cr_expect_eq(res_, want, "%s", #emit);                                      \
	} while (0)

static void tenant_eq(struct fx *f) { fx_attr_read(f, 0, f->tenant); fx_kstr(f, "acme"); fx_n(f, AUTHZ_OP_EQ); }
static void tenant_ne(struct fx *f) { fx_attr_read(f, 0, f->tenant); fx_kstr(f, "acme"); fx_n(f, AUTHZ_OP_NE); }
static void level_ge(struct fx *f) { fx_attr_read(f, 0, f->level); fx_kint(f, AUTHZ_K_INT, 5); fx_n(f, AUTHZ_OP_GE); }
static void level_eq_str(struct fx *f) { fx_attr_read(f, 0, f->level); fx_kstr(f, "5"); fx_n(f, AUTHZ_OP_EQ); }
static void lit_in_groups(struct fx *f) { fx_kstr(f, "ops"); fx_attr_read(f, 0, f->groups); fx_n(f, AUTHZ_OP_IN); }
static void tenant_in_set(struct fx *f)
{
	static const char *const v[2] = { "x", "acme" };
	fx_attr_read(f, 0, f->tenant);
	fx_kset(f, v, 2);
	fx_n(f, AUTHZ_OP_IN);
}
static void groups_all(struct fx *f)
{
	static const char *const v[2] = { "ops", "deployers" };
	fx_attr_read(f, 0, f->groups);
	fx_kset(f, v, 2);
	fx_n(f, AUTHZ_OP_CONTAINS_ALL);
}
static void two_tenants(struct fx *f)
{
	fx_attr_read(f, 0, f->tenant);
	fx_attr_read(f, 1, f->tenant);
	fx_n(f, AUTHZ_OP_EQ);
}
static void id_eq(struct fx *f) { fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID, 0, 0)); fx_kstr(f, "ci-bot"); fx_n(f, AUTHZ_OP_EQ); }
static void now_lt_end(struct fx *f) { fx_n(f, AUTHZ_OP_NOW); fx_attr_read(f, 0, f->win_end); fx_n(f, AUTHZ_OP_LT); }
static void spiffe_like(struct fx *f)
{
	uint32_t k;
	OK(bw_const_string(f->w, "spiffe://acme/*", 15, &k));
	fx_attr_read(f, 0, f->w_spiffe);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, k));
}
static void groups_not_empty(struct fx *f) { fx_attr_read(f, 0, f->groups); fx_n(f, AUTHZ_OP_IS_EMPTY); fx_n(f, AUTHZ_OP_NOT); }
static void not_not_revoked(struct fx *f) { fx_attr_read(f, 0, f->revoked); fx_n(f, AUTHZ_OP_NOT); fx_n(f, AUTHZ_OP_NOT); }
static void has_quota(struct fx *f) { fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, 0, f->quota)); }

Test(runtime_image, each_guard_shape_is_fused_and_decides_the_same)
{
	FUSED(tenant_eq, RT_OP_ATTR_EQ_STR, 1);
	FUSED(tenant_ne, RT_OP_ATTR_EQ_STR, 0);
	FUSED(level_ge, RT_OP_ATTR_K, 1);
	FUSED(level_eq_str, RT_OP_ATTR_EQ_STR, 0);      /* an int is no string: false, no error */
	FUSED(lit_in_groups, RT_OP_K_ATTR, 1);
	FUSED(tenant_in_set, RT_OP_ATTR_K, 1);
	FUSED(groups_all, RT_OP_ATTR_K, 1);
	FUSED(two_tenants, RT_OP_TEST2, 1);
	FUSED(id_eq, RT_OP_TEST2, 1);
	FUSED(now_lt_end, RT_OP_TEST2, 1);
	FUSED(spiffe_like, RT_OP_TEST1, 1);
	FUSED(groups_not_empty, RT_OP_TEST1, 1);
	FUSED(not_not_revoked, RT_OP_TEST1, 0);
	FUSED(has_quota, RT_OP_TEST1, 0);
}

/* Errors inside a fused guard: the same message as the words would give
 * (fx_eval compares the whole decision), and a rule error. */
static void quota_absent(struct fx *f) { fx_attr_read(f, 0, f->quota); fx_kint(f, AUTHZ_K_DURATION, 5); fx_n(f, AUTHZ_OP_LT); }
static void absent_second(struct fx *f) { fx_kint(f, AUTHZ_K_DURATION, 5); fx_attr_read(f, 0, f->quota); fx_n(f, AUTHZ_OP_LT); }
static void record_read(struct fx *f) { fx_attr_read(f, 0, f->workload); fx_kstr(f, "x"); fx_n(f, AUTHZ_OP_EQ); }
static void tenant_lt_int(struct fx *f) { fx_attr_read(f, 0, f->tenant); fx_kint(f, AUTHZ_K_INT, 1); fx_n(f, AUTHZ_OP_LT); }
static void lit_in_tenant(struct fx *f) { fx_kstr(f, "a"); fx_attr_read(f, 0, f->tenant); fx_n(f, AUTHZ_OP_IN); }
static void level_like(struct fx *f)
{
	uint32_t k;
	OK(bw_const_string(f->w, "*", 1, &k));
	fx_attr_read(f, 0, f->level);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, k));
}
static void tenant_is_empty(struct fx *f) { fx_attr_read(f, 0, f->tenant); fx_n(f, AUTHZ_OP_IS_EMPTY); }
static void not_tenant(struct fx *f) { fx_attr_read(f, 0, f->tenant); fx_n(f, AUTHZ_OP_NOT); }
static void bare_level(struct fx *f) { fx_attr_read(f, 0, f->level); }

Test(runtime_image, fused_guards_fail_as_the_words_do)
{
	FUSED(quota_absent, RT_OP_ATTR_K, -1);
	FUSED(absent_second, RT_OP_K_ATTR, -1);
	FUSED(record_read, RT_OP_ATTR_EQ_STR, -1);
	FUSED(tenant_lt_int, RT_OP_ATTR_K, -1);
	FUSED(lit_in_tenant, RT_OP_K_ATTR, -1);
	FUSED(level_like, RT_OP_TEST1, -1);
	FUSED(tenant_is_empty, RT_OP_TEST1, -1);
	FUSED(not_tenant, RT_OP_TEST1, -1);
	FUSED(bare_level, RT_OP_TEST1, -1);
}

/* `false or tenant == "other"`: the or's jump lands on the WHEN, inside the
 * comparison's shape, which therefore stays unfused and still decides. */
static void or_into_guard(struct fx *f)
{
	fx_n(f, AUTHZ_OP_FALSE);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_JT, 3));    /* to the WHEN */
	fx_attr_read(f, 0, f->tenant);
	fx_kstr(f, "other");
	fx_n(f, AUTHZ_OP_EQ);
}

Test(runtime_image, no_fusing_across_a_jump_target)
{
	authz_bundle *b = fx_one_rule(or_into_guard);
	const uint32_t *code = rt_img_code(rt_img_of(b, 0));
	for (int pc = 0; pc < 6; pc++)
		cr_expect_lt(AUTHZ_GET_OP(code[pc]), (uint32_t)AUTHZ_OP_COUNT, "pc %d fused", pc);
	authz_bundle_free(b);
	cr_expect_eq(fx_eval(or_into_guard), 0);
}
