/*
 * test_vm.c: every opcode, evaluated as the only guard of a permit
 * against the fixture's request (test_runtime_fixture.h).
 */
#include "test_runtime_fixture.h"

#define P AUTHZ_ROOT_PRINCIPAL
#define R AUTHZ_ROOT_RESOURCE
#define C AUTHZ_ROOT_CONTEXT
#define EXPR(name, ...) static void name(struct fx *f) { __VA_ARGS__; }
#define TS(s) ts_(s)

static int64_t ts_(const char *s)
{
	int64_t v;
	cr_assert_eq(authz_parse_time(s, strlen(s), &v), 0, "bad test timestamp %s", s);
	return v;
}

EXPR(e_true, fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_false, fx_n(f, AUTHZ_OP_FALSE))
EXPR(e_nop, fx_n(f, AUTHZ_OP_NOP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_not, fx_n(f, AUTHZ_OP_FALSE); fx_n(f, AUTHZ_OP_NOT))
EXPR(e_pop, fx_n(f, AUTHZ_OP_TRUE); fx_n(f, AUTHZ_OP_FALSE); fx_n(f, AUTHZ_OP_POP))
EXPR(e_const_bool, fx_kint(f, AUTHZ_K_BOOL, 1))

Test(runtime_vm, literals_and_not)
{
	cr_assert_eq(fx_eval(e_true), 1);
	cr_assert_eq(fx_eval(e_false), 0);
	cr_assert_eq(fx_eval(e_nop), 1);
	cr_assert_eq(fx_eval(e_not), 1);
	cr_assert_eq(fx_eval(e_pop), 1);
	cr_assert_eq(fx_eval(e_const_bool), 1);
}

EXPR(e_pid, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID, 0, 0)); fx_kstr(f, "ci-bot"); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_rid, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID, 1, 0)); fx_kstr(f, "sales"); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_rid_ne, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID, 1, 0)); fx_kstr(f, "sale"); fx_n(f, AUTHZ_OP_NE))
EXPR(e_action, fx_n(f, AUTHZ_OP_ACTION); fx_kstr(f, "read"); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_entity_eq, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 0, 0));
     fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 1, 0)); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_entity_self, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 1, 0));
     fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 1, 0)); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_now, fx_n(f, AUTHZ_OP_NOW); fx_kint(f, AUTHZ_K_TIMESTAMP, TS("2026-11-22T10:00:00Z")); fx_n(f, AUTHZ_OP_EQ))

Test(runtime_vm, request_variables)
{
	cr_assert_eq(fx_eval(e_pid), 1);
	cr_assert_eq(fx_eval(e_rid), 1);
	cr_assert_eq(fx_eval(e_rid_ne), 1);
	cr_assert_eq(fx_eval(e_action), 1);
	cr_assert_eq(fx_eval(e_entity_eq), 0);
	cr_assert_eq(fx_eval(e_entity_self), 1);
	cr_assert_eq(fx_eval(e_now), 1);
}

EXPR(e_attr_str, fx_attr_read(f, P, f->tenant); fx_attr_read(f, R, f->tenant); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_attr_nested, fx_attr_read(f, P, f->w_signed))
EXPR(e_attr_bool, fx_attr_read(f, P, f->revoked))
EXPR(e_has_opt, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, P, f->window)))
EXPR(e_has_absent, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, P, f->quota)))
EXPR(e_has_ctx, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, C, f->c_ticket)))
EXPR(e_attr_absent, fx_attr_read(f, P, f->quota); fx_n(f, AUTHZ_OP_POP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_attr_record, fx_attr_read(f, P, f->workload); fx_n(f, AUTHZ_OP_POP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_ctx_ip, fx_attr_read(f, C, f->c_ip); fx_kip(f, "10.1.2.3"); fx_n(f, AUTHZ_OP_EQ))

Test(runtime_vm, attributes)
{
	cr_assert_eq(fx_eval(e_attr_str), 1);
	cr_assert_eq(fx_eval(e_attr_nested), 1);
	cr_assert_eq(fx_eval(e_attr_bool), 0);
	cr_assert_eq(fx_eval(e_has_opt), 1);
	cr_assert_eq(fx_eval(e_has_absent), 0);
	cr_assert_eq(fx_eval(e_has_ctx), 1);
	cr_assert_eq(fx_eval(e_attr_absent), -1, "reading an absent attribute is a rule error");
	cr_assert_eq(fx_eval(e_attr_record), -1);
	cr_assert_eq(fx_eval(e_ctx_ip), 1);
}

EXPR(e_lt, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 6); fx_n(f, AUTHZ_OP_LT))
EXPR(e_le, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 5); fx_n(f, AUTHZ_OP_LE))
EXPR(e_gt, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 5); fx_n(f, AUTHZ_OP_GT))
EXPR(e_ge, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 5); fx_n(f, AUTHZ_OP_GE))
EXPR(e_lt_neg, fx_kint(f, AUTHZ_K_INT, -3); fx_kint(f, AUTHZ_K_INT, 2); fx_n(f, AUTHZ_OP_LT))
EXPR(e_ts_lt, fx_n(f, AUTHZ_OP_NOW); fx_attr_read(f, P, f->win_end); fx_n(f, AUTHZ_OP_LT))
EXPR(e_ts_ge, fx_n(f, AUTHZ_OP_NOW); fx_attr_read(f, P, f->win_start); fx_n(f, AUTHZ_OP_GE))
EXPR(e_dur_lt, fx_kint(f, AUTHZ_K_DURATION, 1000); fx_kint(f, AUTHZ_K_DURATION, 2000); fx_n(f, AUTHZ_OP_LT))
EXPR(e_mixed_lt, fx_kint(f, AUTHZ_K_DURATION, 1000); fx_kint(f, AUTHZ_K_INT, 2000); fx_n(f, AUTHZ_OP_LT))
EXPR(e_str_lt, fx_kstr(f, "a"); fx_kstr(f, "b"); fx_n(f, AUTHZ_OP_LT))
EXPR(e_mixed_eq, fx_kint(f, AUTHZ_K_DURATION, 5); fx_attr_read(f, P, f->level); fx_n(f, AUTHZ_OP_EQ))

Test(runtime_vm, comparisons)
{
	cr_assert_eq(fx_eval(e_lt), 1);
	cr_assert_eq(fx_eval(e_le), 1);
	cr_assert_eq(fx_eval(e_gt), 0);
	cr_assert_eq(fx_eval(e_ge), 1);
	cr_assert_eq(fx_eval(e_lt_neg), 1);
	cr_assert_eq(fx_eval(e_ts_lt), 1);
	cr_assert_eq(fx_eval(e_ts_ge), 1);
	cr_assert_eq(fx_eval(e_dur_lt), 1);
	cr_assert_eq(fx_eval(e_mixed_lt), -1, "kinds differ: a rule error, not a crash");
	cr_assert_eq(fx_eval(e_str_lt), -1);
	cr_assert_eq(fx_eval(e_mixed_eq), 0, "== of different kinds is false");
}

EXPR(e_add, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 2); fx_n(f, AUTHZ_OP_ADD);
     fx_kint(f, AUTHZ_K_INT, 7); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_sub, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 7); fx_n(f, AUTHZ_OP_SUB);
     fx_kint(f, AUTHZ_K_INT, -2); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_mul, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, -3); fx_n(f, AUTHZ_OP_MUL);
     fx_kint(f, AUTHZ_K_INT, -15); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_neg, fx_attr_read(f, P, f->level); fx_n(f, AUTHZ_OP_NEG); fx_kint(f, AUTHZ_K_INT, -5); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_add_ovf, fx_kint(f, AUTHZ_K_INT, INT64_MAX); fx_kint(f, AUTHZ_K_INT, 1); fx_n(f, AUTHZ_OP_ADD);
     fx_n(f, AUTHZ_OP_POP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_sub_ovf, fx_kint(f, AUTHZ_K_INT, INT64_MIN); fx_kint(f, AUTHZ_K_INT, 1); fx_n(f, AUTHZ_OP_SUB);
     fx_n(f, AUTHZ_OP_POP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_mul_ovf, fx_kint(f, AUTHZ_K_INT, INT64_MAX / 2 + 1); fx_kint(f, AUTHZ_K_INT, 2); fx_n(f, AUTHZ_OP_MUL);
     fx_n(f, AUTHZ_OP_POP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_neg_ovf, fx_kint(f, AUTHZ_K_INT, INT64_MIN); fx_n(f, AUTHZ_OP_NEG); fx_n(f, AUTHZ_OP_POP);
     fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_ts_plus, fx_n(f, AUTHZ_OP_NOW); fx_kint(f, AUTHZ_K_DURATION, 3600000); fx_n(f, AUTHZ_OP_ADD);
     fx_attr_read(f, P, f->win_end); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_ts_minus_dur, fx_n(f, AUTHZ_OP_NOW); fx_kint(f, AUTHZ_K_DURATION, 3600000); fx_n(f, AUTHZ_OP_SUB);
     fx_attr_read(f, P, f->win_start); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_ts_minus_ts, fx_attr_read(f, P, f->win_end); fx_attr_read(f, P, f->win_start); fx_n(f, AUTHZ_OP_SUB);
     fx_kint(f, AUTHZ_K_DURATION, 7200000); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_dur_add, fx_kint(f, AUTHZ_K_DURATION, 1); fx_kint(f, AUTHZ_K_DURATION, 2); fx_n(f, AUTHZ_OP_ADD);
     fx_kint(f, AUTHZ_K_DURATION, 3); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_time_ovf, fx_n(f, AUTHZ_OP_NOW); fx_kint(f, AUTHZ_K_DURATION, INT64_MAX); fx_n(f, AUTHZ_OP_ADD);
     fx_n(f, AUTHZ_OP_POP); fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_ts_plus_ts, fx_n(f, AUTHZ_OP_NOW); fx_n(f, AUTHZ_OP_NOW); fx_n(f, AUTHZ_OP_ADD); fx_n(f, AUTHZ_OP_POP);
     fx_n(f, AUTHZ_OP_TRUE))
EXPR(e_str_mul, fx_kstr(f, "a"); fx_kint(f, AUTHZ_K_INT, 2); fx_n(f, AUTHZ_OP_MUL); fx_n(f, AUTHZ_OP_POP);
     fx_n(f, AUTHZ_OP_TRUE))

Test(runtime_vm, arithmetic_and_overflow)
{
	cr_assert_eq(fx_eval(e_add), 1);
	cr_assert_eq(fx_eval(e_sub), 1);
	cr_assert_eq(fx_eval(e_mul), 1);
	cr_assert_eq(fx_eval(e_neg), 1);
	cr_assert_eq(fx_eval(e_add_ovf), -1);
	cr_assert_eq(fx_eval(e_sub_ovf), -1);
	cr_assert_eq(fx_eval(e_mul_ovf), -1);
	cr_assert_eq(fx_eval(e_neg_ovf), -1);
	cr_assert_eq(fx_eval(e_ts_plus), 1);
	cr_assert_eq(fx_eval(e_ts_minus_dur), 1);
	cr_assert_eq(fx_eval(e_ts_minus_ts), 1);
	cr_assert_eq(fx_eval(e_dur_add), 1);
	cr_assert_eq(fx_eval(e_time_ovf), -1);
	cr_assert_eq(fx_eval(e_ts_plus_ts), -1);
	cr_assert_eq(fx_eval(e_str_mul), -1);
}

static const char *const PROD[] = { "production", "prod-eu" };
static const char *const DEPLOY[] = { "deployers" };
static const char *const NONE_OF[] = { "x", "y" };
EXPR(e_in_set, fx_attr_read(f, R, f->env); fx_kset(f, PROD, 2); fx_n(f, AUTHZ_OP_IN))
EXPR(e_in_req_set, fx_attr_read(f, C, f->c_ticket); fx_attr_read(f, R, f->tickets); fx_n(f, AUTHZ_OP_IN))
EXPR(e_not_in_set, fx_kstr(f, "dev"); fx_kset(f, PROD, 2); fx_n(f, AUTHZ_OP_IN))
EXPR(e_in_empty, fx_kstr(f, "dev"); fx_kset(f, NULL, 0); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_in, fx_attr_read(f, C, f->c_ip); fx_kip(f, "10.0.0.0/8"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_not_in, fx_attr_read(f, C, f->c_ip); fx_kip(f, "10.1.3.0/24"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_in_v6, fx_kip(f, "2001:db8::17"); fx_kip(f, "2001:db8::/32"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_v6_out, fx_kip(f, "2001:db9::17"); fx_kip(f, "2001:db8::/32"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_v4_in_v6, fx_kip(f, "10.1.2.3"); fx_kip(f, "::/0"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_v4mapped, fx_kip(f, "::ffff:10.1.2.3"); fx_kip(f, "::ffff:0:0/96"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_all, fx_attr_read(f, C, f->c_ip); fx_kip(f, "0.0.0.0/0"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_ip_odd_prefix, fx_kip(f, "10.1.2.3"); fx_kip(f, "10.1.2.0/23"); fx_n(f, AUTHZ_OP_IN))
EXPR(e_in_wrong, fx_kstr(f, "dev"); fx_kstr(f, "dev"); fx_n(f, AUTHZ_OP_IN))

Test(runtime_vm, membership_and_ip_ranges)
{
	cr_assert_eq(fx_eval(e_in_set), 1);
	cr_assert_eq(fx_eval(e_in_req_set), 1);
	cr_assert_eq(fx_eval(e_not_in_set), 0);
	cr_assert_eq(fx_eval(e_in_empty), 0);
	cr_assert_eq(fx_eval(e_ip_in), 1);
	cr_assert_eq(fx_eval(e_ip_not_in), 0);
	cr_assert_eq(fx_eval(e_ip_in_v6), 1);
	cr_assert_eq(fx_eval(e_ip_v6_out), 0);
	cr_assert_eq(fx_eval(e_ip_v4_in_v6), 0, "an IPv4 address is never in an IPv6 range");
	cr_assert_eq(fx_eval(e_ip_v4mapped), 1);
	cr_assert_eq(fx_eval(e_ip_all), 1);
	cr_assert_eq(fx_eval(e_ip_odd_prefix), 1);
	cr_assert_eq(fx_eval(e_in_wrong), -1);
}

static uint32_t pattern(struct fx *f, const char *p)
{
	uint32_t k;
	OK(bw_const_string(f->w, p, strlen(p), &k));
	return k;
}
EXPR(e_like1, fx_attr_read(f, P, f->w_spiffe); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "spiffe://*/ci"))))
EXPR(e_like2, fx_attr_read(f, P, f->w_spiffe); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "spiffe://*/sandbox/*"))))
EXPR(e_like3, fx_kstr(f, "a*b"); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "a\\*b"))))
EXPR(e_like4, fx_kstr(f, "axb"); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "a\\*b"))))
EXPR(e_like5, fx_kstr(f, ""); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "**"))))
EXPR(e_like6, fx_kstr(f, "abcabd"); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "*ab?"))))
EXPR(e_like7, fx_kstr(f, "abcabd"); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "*abd"))))
EXPR(e_like8, fx_kstr(f, "abc"); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "abc"))))
EXPR(e_like9, fx_kstr(f, "abcd"); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "abc"))))
EXPR(e_like_int, fx_kint(f, AUTHZ_K_INT, 1); fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, pattern(f, "*"))))

Test(runtime_vm, like)
{
	cr_assert_eq(fx_eval(e_like1), 1);
	cr_assert_eq(fx_eval(e_like2), 0);
	cr_assert_eq(fx_eval(e_like3), 1, "\\* is a literal star");
	cr_assert_eq(fx_eval(e_like4), 0);
	cr_assert_eq(fx_eval(e_like5), 1);
	cr_assert_eq(fx_eval(e_like6), 0);
	cr_assert_eq(fx_eval(e_like7), 1);
	cr_assert_eq(fx_eval(e_like8), 1);
	cr_assert_eq(fx_eval(e_like9), 0);
	cr_assert_eq(fx_eval(e_like_int), -1);
}

EXPR(e_all, fx_attr_read(f, P, f->groups); fx_kset(f, DEPLOY, 1); fx_n(f, AUTHZ_OP_CONTAINS_ALL))
EXPR(e_all_no, fx_attr_read(f, P, f->groups); fx_kset(f, PROD, 2); fx_n(f, AUTHZ_OP_CONTAINS_ALL))
EXPR(e_all_empty, fx_attr_read(f, P, f->groups); fx_kset(f, NULL, 0); fx_n(f, AUTHZ_OP_CONTAINS_ALL))
EXPR(e_any, fx_kset(f, PROD, 2); fx_attr_read(f, R, f->env); fx_n(f, AUTHZ_OP_POP); fx_attr_read(f, P, f->groups);
     fx_n(f, AUTHZ_OP_CONTAINS_ANY))
EXPR(e_any_yes, fx_attr_read(f, P, f->groups); fx_kset(f, DEPLOY, 1); fx_n(f, AUTHZ_OP_CONTAINS_ANY))
EXPR(e_any_no, fx_attr_read(f, P, f->groups); fx_kset(f, NONE_OF, 2); fx_n(f, AUTHZ_OP_CONTAINS_ANY))
EXPR(e_empty, fx_kset(f, NULL, 0); fx_n(f, AUTHZ_OP_IS_EMPTY))
EXPR(e_not_empty, fx_attr_read(f, P, f->groups); fx_n(f, AUTHZ_OP_IS_EMPTY))
EXPR(e_set_eq, fx_kset(f, PROD, 2); fx_kset(f, PROD, 2); fx_n(f, AUTHZ_OP_EQ))
EXPR(e_empty_int, fx_kint(f, AUTHZ_K_INT, 3); fx_n(f, AUTHZ_OP_IS_EMPTY))

Test(runtime_vm, set_methods)
{
	cr_assert_eq(fx_eval(e_all), 1);
	cr_assert_eq(fx_eval(e_all_no), 0);
	cr_assert_eq(fx_eval(e_all_empty), 1);
	cr_assert_eq(fx_eval(e_any), 0);
	cr_assert_eq(fx_eval(e_any_yes), 1);
	cr_assert_eq(fx_eval(e_any_no), 0);
	cr_assert_eq(fx_eval(e_empty), 1);
	cr_assert_eq(fx_eval(e_not_empty), 0);
	cr_assert_eq(fx_eval(e_set_eq), 1);
	cr_assert_eq(fx_eval(e_empty_int), -1);
}

static int64_t part_value;
static unsigned part_which;
static const char *part_time;
static void e_part(struct fx *f)
{
	fx_kint(f, AUTHZ_K_TIMESTAMP, TS(part_time));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_TIME_PART, part_which));
	fx_kint(f, AUTHZ_K_INT, part_value);
	fx_n(f, AUTHZ_OP_EQ);
}

static int part(const char *t, unsigned which, int64_t v)
{
	part_time = t;
	part_which = which;
	part_value = v;
	return fx_eval(e_part);
}

Test(runtime_vm, timestamp_parts_utc)
{
	cr_assert_eq(part("2026-11-22T10:07:00Z", AUTHZ_TP_YEAR, 2026), 1);
	cr_assert_eq(part("2026-11-22T10:07:00Z", AUTHZ_TP_MONTH, 11), 1);
	cr_assert_eq(part("2026-11-22T10:07:00Z", AUTHZ_TP_DAY, 22), 1);
	cr_assert_eq(part("2026-11-22T10:07:00Z", AUTHZ_TP_HOUR, 10), 1);
	cr_assert_eq(part("2026-11-22T10:07:00Z", AUTHZ_TP_MINUTE, 7), 1);
	cr_assert_eq(part("2026-11-22T10:07:00Z", AUTHZ_TP_WEEKDAY, 7), 1, "2026-11-22 is a Sunday");
	cr_assert_eq(part("2026-11-23T00:00:00Z", AUTHZ_TP_WEEKDAY, 1), 1, "Monday is 1");
	cr_assert_eq(part("2026-11-22T01:30:00+02:00", AUTHZ_TP_DAY, 21), 1, "offsets are honoured");
	cr_assert_eq(part("2026-11-22T01:30:00+02:00", AUTHZ_TP_HOUR, 23), 1);
	cr_assert_eq(part("1969-12-31T23:59:59.999Z", AUTHZ_TP_YEAR, 1969), 1);
	cr_assert_eq(part("1969-12-31T23:59:59.999Z", AUTHZ_TP_WEEKDAY, 3), 1);
	cr_assert_eq(part("2024-02-29T12:00:00Z", AUTHZ_TP_DAY, 29), 1);
	cr_assert_eq(part("2000-03-01T00:00:00-00:30", AUTHZ_TP_MINUTE, 30), 1);
}

/* `a or b` / `a and b` via JT/JF with jump lists, and JMP. */
static void e_or(struct fx *f)
{
	uint32_t l = BW_NO_JUMP;
	fx_attr_read(f, P, f->revoked);        /* false */
	OK(bw_jump(f->w, AUTHZ_OP_JT, &l));
	fx_attr_read(f, P, f->w_signed);       /* true */
	OK(bw_jump(f->w, AUTHZ_OP_JT, &l));
	fx_attr_read(f, P, f->quota);          /* absent: error if reached */
	OK(bw_patch_here(f->w, l));
}
static void e_and_short(struct fx *f)
{
	uint32_t l = BW_NO_JUMP;
	fx_attr_read(f, P, f->revoked);        /* false: skips the absent read */
	OK(bw_jump(f->w, AUTHZ_OP_JF, &l));
	fx_attr_read(f, P, f->quota);
	OK(bw_patch_here(f->w, l));
	fx_n(f, AUTHZ_OP_NOT);
}
static void e_and_reach(struct fx *f)
{
	uint32_t l = BW_NO_JUMP;
	fx_attr_read(f, P, f->w_signed);       /* true: falls through to the error */
	OK(bw_jump(f->w, AUTHZ_OP_JF, &l));
	fx_attr_read(f, P, f->quota);
	OK(bw_patch_here(f->w, l));
}
static void e_jmp(struct fx *f)
{
	uint32_t l1 = BW_NO_JUMP, l2 = BW_NO_JUMP;
	fx_n(f, AUTHZ_OP_FALSE);
	OK(bw_jump(f->w, AUTHZ_OP_JT, &l1));   /* not taken: pops */
	fx_n(f, AUTHZ_OP_TRUE);
	OK(bw_jump(f->w, AUTHZ_OP_JMP, &l2));  /* skips the absent read */
	OK(bw_patch_here(f->w, l1));
	fx_n(f, AUTHZ_OP_POP);
	fx_attr_read(f, P, f->quota);
	OK(bw_patch_here(f->w, l2));
}
static void e_concat(struct fx *f)
{
	uint32_t a = BW_NO_JUMP, b = BW_NO_JUMP;
	fx_n(f, AUTHZ_OP_FALSE);
	OK(bw_jump(f->w, AUTHZ_OP_JT, &a));
	fx_n(f, AUTHZ_OP_TRUE);
	OK(bw_jump(f->w, AUTHZ_OP_JT, &b));
	fx_n(f, AUTHZ_OP_FALSE);
	OK(bw_concat(f->w, &a, b));
	OK(bw_patch_here(f->w, a));
}
static void e_jt_int(struct fx *f)
{
	uint32_t l = BW_NO_JUMP;
	fx_kint(f, AUTHZ_K_INT, 1);
	OK(bw_jump(f->w, AUTHZ_OP_JT, &l));
	fx_n(f, AUTHZ_OP_TRUE);
	OK(bw_patch_here(f->w, l));
}

Test(runtime_vm, short_circuit_jumps)
{
	cr_assert_eq(fx_eval(e_or), 1);
	cr_assert_eq(fx_eval(e_and_short), 1);
	cr_assert_eq(fx_eval(e_and_reach), -1);
	cr_assert_eq(fx_eval(e_concat), 1);
	cr_assert_eq(fx_eval(e_jt_int), -1);
}

Test(runtime_vm, jmp_skips_code)
{
	/* JMP over code that would fail: the JMP's target height must match the
	 * fall-through path, so the skipped code is balanced. */
	cr_assert_eq(fx_eval(e_jmp), 1);
}

Test(runtime_vm, opcode_table_is_complete)
{
	for (uint32_t op = 0; op < AUTHZ_OP_COUNT; op++) {
		const struct authz_op_info *i = authz_op_info(op);
		cr_assert(i->name && i->doc && i->doc[0], "opcode %u undocumented", op);
		cr_assert(i->stack_in >= 0 && i->stack_in <= 2 && i->stack_out >= 0 && i->stack_out <= 1);
	}
	cr_assert_str_eq(authz_op_info(AUTHZ_OP_COUNT)->name, "#INVALID");
	cr_assert_str_eq(authz_op_info(AUTHZ_OP_APPLY)->name, "APPLY");
}
