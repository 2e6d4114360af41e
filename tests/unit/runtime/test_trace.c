/*
 * test_trace.c: the values a trace records for the guard that held a rule
 * back or failed (authz_decision_trace_operand; authz(3), TRACE VALUES):
 * each kind of value and of operand, the bounds, the error guard, nothing
 * recorded without a trace; the deciding rules' annotations in the traced
 * JSON; authz_decision_rule_index; authz_format_duration and _ip.
 */
#include <stdio.h>

#include "test_runtime_fixture.h"

#define P AUTHZ_ROOT_PRINCIPAL
#define R AUTHZ_ROOT_RESOURCE
#define C AUTHZ_ROOT_CONTEXT
#define EXPR(name, ...) static void name(struct fx *f) { __VA_ARGS__; }

/* Decide `json` (FX_REQUEST when NULL) against a one-rule bundle whose
 * guard `emit` writes, traced, fused and not (fx_decide_both); the first
 * trace entry's outcome in *outcome (when not NULL) and its operands as
 * "name=value; name absent; ..." (malloc'd). */
static char *operands(void (*emit)(struct fx *f), const char *json, int *outcome)
{
	authz_bundle *b = fx_one_rule(emit);
	free(fx_decide_both(b, json, AUTHZ_DECIDE_EXPLAIN));
	authz_request *r;
	authz_decision *d = fx_decided(b, json, AUTHZ_DECIDE_EXPLAIN, &r);
	cr_assert_eq(authz_decision_trace_count(d), 1);
	authz_trace t;
	cr_assert_eq(authz_decision_trace(d, 0, &t), 0);
	if (outcome)
		*outcome = t.outcome;
	char out[4096] = "";
	size_t n = authz_decision_trace_operand_count(d, 0), at = 0;
	for (size_t k = 0; k < n; k++) {
		const char *name, *value;
		cr_assert_eq(authz_decision_trace_operand(d, 0, k, &name, &value), 0);
		at += (size_t)snprintf(out + at, sizeof out - at, "%s%s%s%s", k ? "; " : "", name,
				       value ? "=" : " absent", value ? value : "");
	}
	const char *name = "x", *value = "x";
	cr_assert_eq(authz_decision_trace_operand(d, 0, n, &name, &value), AUTHZ_EINVAL, "past the last");
	cr_assert_eq(authz_decision_trace_operand(d, 1, 0, &name, &value), AUTHZ_EINVAL, "past the trace");
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
	return strdup(out);
}

#define EXPECT_OPERANDS(emit, json, want) do { \
		char *got_ = operands(emit, json, NULL); \
		cr_expect_str_eq(got_, want, "%s", #emit); \
		free(got_); \
	} while (0)

/* FX_REQUEST with `from` replaced by `to` (malloc'd). */
static char *request_with(const char *from, const char *to)
{
	const char *at = strstr(FX_REQUEST, from);
	cr_assert(at, "%s", from);
	size_t n = strlen(FX_REQUEST) - strlen(from) + strlen(to);
	char *s = malloc(n + 1);
	snprintf(s, n + 1, "%.*s%s%s", (int)(at - FX_REQUEST), FX_REQUEST, to, at + strlen(from));
	return s;
}

EXPR(g_string, fx_attr_read(f, P, f->tenant); fx_kstr(f, "globex"); fx_n(f, AUTHZ_OP_EQ))
EXPR(g_bool, fx_attr_read(f, P, f->revoked))
EXPR(g_int, fx_attr_read(f, P, f->level); fx_kint(f, AUTHZ_K_INT, 9); fx_n(f, AUTHZ_OP_GT))
EXPR(g_times, fx_n(f, AUTHZ_OP_NOW); fx_attr_read(f, P, f->win_end); fx_n(f, AUTHZ_OP_GT))
EXPR(g_ip, fx_attr_read(f, C, f->c_ip); fx_kip(f, "192.168.0.0/16"); fx_n(f, AUTHZ_OP_IN))
EXPR(g_set, fx_kstr(f, "admins"); fx_attr_read(f, P, f->groups); fx_n(f, AUTHZ_OP_IN))
EXPR(g_entities, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 0, 0));
     fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 1, 0)); fx_n(f, AUTHZ_OP_EQ))
EXPR(g_action_id, fx_n(f, AUTHZ_OP_ACTION); fx_kstr(f, "read"); fx_n(f, AUTHZ_OP_EQ);
     fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_JF, 3));
     fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID, 1, 0)); fx_kstr(f, "other"); fx_n(f, AUTHZ_OP_EQ))
EXPR(g_record, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, P, f->workload)); fx_n(f, AUTHZ_OP_NOT))
EXPR(g_has_absent, fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, P, f->quota)))
EXPR(g_duration, fx_attr_read(f, P, f->quota); fx_kint(f, AUTHZ_K_DURATION, 7200000); fx_n(f, AUTHZ_OP_GT))
EXPR(g_ticket, fx_attr_read(f, C, f->c_ticket); fx_kstr(f, "x"); fx_n(f, AUTHZ_OP_EQ))

Test(runtime_trace, each_kind_of_value)
{
	EXPECT_OPERANDS(g_string, NULL, "principal.tenant=\"acme\"");
	EXPECT_OPERANDS(g_int, NULL, "principal.level=5");
	EXPECT_OPERANDS(g_times, NULL, "now=2026-11-22T10:00:00Z; principal.window.end=2026-11-22T11:00:00Z");
	EXPECT_OPERANDS(g_ip, NULL, "context.source_ip=10.1.2.3");
	char *v6 = request_with("\"10.1.2.3\"", "\"2001:db8::7/64\"");
	EXPECT_OPERANDS(g_ip, v6, "context.source_ip=2001:db8::7/64");
	free(v6);
	EXPECT_OPERANDS(g_set, NULL, "principal.groups=[\"deployers\", \"ops\"]");
	EXPECT_OPERANDS(g_entities, NULL, "principal=ServiceAccount \"ci-bot\"; resource=Dataset \"sales\"");
	EXPECT_OPERANDS(g_action_id, NULL, "action=\"read\"; resource.id=\"sales\"");
	EXPECT_OPERANDS(g_record, NULL, "principal.workload={\xe2\x80\xa6}");
	char *quota = request_with("\"level\":5", "\"level\":5,\"quota\":\"1h30m\"");
	EXPECT_OPERANDS(g_duration, quota, "principal.quota=1h30m");
	free(quota);
	char *escapes = request_with("\"CHG-42\",\"source_ip\"", "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\\u00e9\",\"source_ip\"");
	EXPECT_OPERANDS(g_ticket, escapes, "context.ticket=\"a\\\"b\\\\c\\nd\\te\\u{01}\\u{7F}\xc3\xa9\"");
	free(escapes);
}

/* A bool attribute held back alone: `when principal.revoked`. */
Test(runtime_trace, bool_attribute)
{
	EXPECT_OPERANDS(g_bool, NULL, "principal.revoked=false");
}

Test(runtime_trace, an_absent_attribute_tested_with_has)
{
	int outcome;
	char *got = operands(g_has_absent, NULL, &outcome);
	cr_expect_eq(outcome, AUTHZ_NOT_APPLIED);
	cr_expect_str_eq(got, "principal.quota absent");
	free(got);
}

/* Reading an absent attribute is a rule error: the trace names the guard
 * that failed and the attribute it found absent, in the API and the
 * JSON. */
Test(runtime_trace, error_guard_names_the_absent_attribute)
{
	int outcome;
	char *got = operands(g_duration, NULL, &outcome);
	cr_expect_eq(outcome, AUTHZ_RULE_ERROR);
	cr_expect_str_eq(got, "principal.quota absent");
	free(got);
	authz_bundle *b = fx_one_rule(g_duration);
	char *line = fx_decide(b, NULL, AUTHZ_DECIDE_EXPLAIN);
	cr_expect(strstr(line, "{\"rule\":\"t\",\"outcome\":\"error\",\"guard\":{\"index\":0,\"file\":\"policies/p.authz\","
			       "\"line\":5,\"col\":8,\"text\":\"the guard\",\"operands\":[{\"name\":\"principal.quota\","
			       "\"absent\":true}]}}"), "%s", line);
	free(line);
	authz_trace t;
	authz_request *r;
	authz_decision *d = fx_decided(b, NULL, AUTHZ_DECIDE_EXPLAIN, &r);
	cr_assert_eq(authz_decision_trace(d, 0, &t), 0);
	cr_expect_eq(t.guard, 0);
	cr_expect_eq(t.line, 5);
	cr_expect_str_eq(t.text, "the guard");
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

/* Two guards: the first passes having read principal.tenant, the second
 * holds the rule back: only what the second read is recorded; and a value
 * read twice is recorded once. */
static void two_guards(struct fx *f)
{
	uint32_t g;
	fx_rule(f, "t", AUTHZ_PERMIT);
	fx_attr_read(f, P, f->tenant);
	fx_kstr(f, "acme");
	fx_n(f, AUTHZ_OP_EQ);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	OK(bw_guard(f->w, f->file, 6, 8, "principal.level > 1 and principal.level > 9", &g));
	fx_attr_read(f, P, f->level);
	fx_kint(f, AUTHZ_K_INT, 1);
	fx_n(f, AUTHZ_OP_GT);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_JF, 3));      /* JF pops when it goes on */
	fx_attr_read(f, P, f->level);
	fx_kint(f, AUTHZ_K_INT, 9);
	fx_n(f, AUTHZ_OP_GT);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g));
	fx_n(f, AUTHZ_OP_APPLY);
	OK(bw_rule_end(f->w));
}

/* A bundle of the rules `build` writes. */
static authz_bundle *built(void (*build)(struct fx *f))
{
	struct fx fx;
	fx_schema(&fx);
	build(&fx);
	return fx_load(&fx, NULL, NULL);
}

Test(runtime_trace, only_the_guard_that_held_back_each_value_once)
{
	authz_bundle *b = built(two_guards);
	char *line = fx_decide_both(b, NULL, AUTHZ_DECIDE_EXPLAIN);
	cr_expect(strstr(line, "\"guard\":{\"index\":1,\"file\":\"policies/p.authz\",\"line\":6,\"col\":8,\"text\":"
			       "\"principal.level > 1 and principal.level > 9\",\"operands\":[{\"name\":\"principal.level\","
			       "\"value\":\"5\"}]}"), "%s", line);
	free(line);
	authz_bundle_free(b);
}

/* A guard reading more values than AUTHZ_TRACE_MAX_OPERANDS records the
 * first ones. */
static void many_values(struct fx *f)
{
	const uint32_t slots[] = { f->tenant, f->revoked, f->groups, f->w_signed, f->w_spiffe, f->win_start,
				   f->win_end, f->level, f->tenant };
	for (size_t i = 0; i < sizeof slots / sizeof *slots; i++) {
		fx_attr_read(f, P, slots[i]);
		fx_n(f, AUTHZ_OP_POP);
	}
	fx_attr_read(f, R, f->env);
	fx_kstr(f, "nowhere");
	fx_n(f, AUTHZ_OP_EQ);
}

Test(runtime_trace, at_most_the_first_max_operands)
{
	cr_assert_eq(AUTHZ_TRACE_MAX_OPERANDS, 8, "the test reads 9 distinct values");
	EXPECT_OPERANDS(many_values, NULL,
			"principal.tenant=\"acme\"; principal.revoked=false; principal.groups=[\"deployers\", \"ops\"]; "
			"principal.workload.signed=true; principal.workload.spiffe_id=\"spiffe://acme/ci\"; "
			"principal.window.start=2026-11-22T09:00:00Z; principal.window.end=2026-11-22T11:00:00Z; "
			"principal.level=5");
}

/* A long string and a large set are cut to AUTHZ_TRACE_MAX_VALUE bytes,
 * ending in U+2026, never inside a character or an escape. */
Test(runtime_trace, long_values_are_cut_within_the_bound)
{
	char ticket[1024] = "\"";
	for (int i = 0; i < 100; i++)
		strcat(ticket, "\xc3\xa9\\n");  /* é and an escaped newline: 2 + 2 bytes each */
	strcat(ticket, "\",\"source_ip\"");
	char *json = request_with("\"CHG-42\",\"source_ip\"", ticket);
	char *got = operands(g_ticket, json, NULL);
	const char *value = got + strlen("context.ticket=");
	size_t n = strlen(value);
	cr_expect_leq(n, AUTHZ_TRACE_MAX_VALUE, "%zu bytes", n);
	cr_expect_geq(n, AUTHZ_TRACE_MAX_VALUE - 6, "%zu bytes: cut near the bound", n);
	cr_expect_str_eq(value + n - 3, "\xe2\x80\xa6");
	cr_expect_eq(strncmp(value, "\"\xc3\xa9\\n\xc3\xa9\\n", 9), 0, "%s", value);
	/* what comes before the ellipsis is whole characters and escapes */
	cr_expect(n - 3 >= 1 && (value[n - 4] == 'n' || value[n - 4] == '\xa9'), "%s", value);
	free(got);
	free(json);

	char groups[4096] = "\"groups\":[";
	for (int i = 0; i < 200; i++)
		snprintf(groups + strlen(groups), sizeof groups - strlen(groups), "%s\"g%03d\"", i ? "," : "", i);
	strcat(groups, "]");
	json = request_with("\"groups\":[\"deployers\",\"ops\"]", groups);
	got = operands(g_set, json, NULL);
	value = got + strlen("principal.groups=");
	n = strlen(value);
	cr_expect_leq(n, AUTHZ_TRACE_MAX_VALUE);
	cr_expect_eq(strncmp(value, "[\"g000\", \"g001\", ", 16), 0, "%s", value);
	cr_expect_str_eq(value + n - 3, "\xe2\x80\xa6");
	free(got);
	free(json);
}

/* Without AUTHZ_DECIDE_EXPLAIN no value is recorded (a plain trace has
 * none, and its JSON no "operands"), and a decision's operands are gone
 * when the decision object is used again. */
Test(runtime_trace, nothing_recorded_without_explain)
{
	authz_bundle *b = fx_one_rule(g_string);
	authz_request *r;
	authz_decision *d = fx_decided(b, NULL, AUTHZ_DECIDE_EXPLAIN, &r);
	cr_assert_eq(authz_decision_trace_operand_count(d, 0), 1);
	cr_assert_eq(authz_decide_json(d, b, r, FX_REQUEST, strlen(FX_REQUEST), AUTHZ_DECIDE_TRACE), 0);
	cr_expect_eq(authz_decision_trace_count(d), 1);
	cr_expect_eq(authz_decision_trace_operand_count(d, 0), 0);
	cr_expect(strstr(authz_decision_json(d, NULL), "\"guard\":{\"index\":0,\"file\":\"policies/p.authz\","
			 "\"line\":5,\"col\":8,\"text\":\"the guard\"}}]}"), "%s", authz_decision_json(d, NULL));
	cr_assert_eq(authz_decide_json(d, b, r, FX_REQUEST, strlen(FX_REQUEST), 0), 0);
	cr_expect_eq(authz_decision_trace_count(d), 0);
	cr_expect_eq(authz_decision_trace_operand_count(d, 0), 0);
	const char *name = NULL, *value = NULL;
	cr_expect_eq(authz_decision_trace_operand(d, 0, 0, &name, &value), AUTHZ_EINVAL);
	cr_expect_null(strstr(authz_decision_json(d, NULL), "operands"));
	cr_expect_null(strstr(authz_decision_json(d, NULL), "annotations"));
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

/* Applied and expired entries have no operands. */
Test(runtime_trace, applied_rules_have_no_operands)
{
	authz_bundle *b = fx_one_rule(g_bool);
	char *json = request_with("\"revoked\":false", "\"revoked\":true");
	authz_request *r;
	authz_decision *d = fx_decided(b, json, AUTHZ_DECIDE_EXPLAIN, &r);
	cr_assert(authz_decision_allowed(d));
	cr_expect_eq(authz_decision_trace_operand_count(d, 0), 0);
	cr_expect_null(strstr(authz_decision_json(d, NULL), "operands"));
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
	free(json);
}

/* The deciding rules' annotations: in the traced JSON, by rule id, and
 * through authz_decision_rule_index. */
static void annotated(struct fx *f)
{
	struct bw_rule_desc d = { .id = "p.a", .effect = AUTHZ_PERMIT, .file = f->file, .line = 3, .col = 1 };
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_annotation(f->w, "owner", "data \"platform\""));
	OK(bw_annotation(f->w, "ticket", "SEC-1"));
	OK(bw_guard(f->w, f->file, 5, 8, "true", &f->guard));
	fx_n(f, AUTHZ_OP_TRUE);
	fx_end_when(f);
	d.id = "p.b";
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_guard(f->w, f->file, 5, 8, "true", &f->guard));
	fx_n(f, AUTHZ_OP_TRUE);
	fx_end_when(f);
}

Test(runtime_trace, deciding_rules_annotations)
{
	authz_bundle *b = built(annotated);
	char *line = fx_decide(b, NULL, AUTHZ_DECIDE_EXPLAIN);
	cr_expect(strstr(line, ",\"annotations\":{\"p.a\":{\"owner\":\"data \\\"platform\\\"\",\"ticket\":\"SEC-1\"},"
			       "\"p.b\":{}},\"trace\":["), "%s", line);
	free(line);
	authz_request *r;
	authz_decision *d = fx_decided(b, NULL, 0, &r);
	size_t ri = 99;
	cr_assert_eq(authz_decision_rule_index(d, 1, &ri), 0);
	cr_expect_eq(ri, 1);
	cr_expect_str_eq(authz_bundle_rule_id(b, ri), authz_decision_rule(d, 1));
	cr_expect_eq(authz_decision_rule_index(d, 2, &ri), AUTHZ_EINVAL);
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

Test(runtime_trace, format_duration_and_ip)
{
	char buf[48];
	static const struct { int64_t ms; const char *text; } durations[] = {
		{ 0, "0ms" }, { 250, "250ms" }, { 5400000, "1h30m" }, { -172800000, "-2d" },
		{ 90061001, "1d1h1m1s1ms" }, { INT64_MIN, "-106751991167d7h12m55s808ms" },
		{ INT64_MAX, "106751991167d7h12m55s807ms" },
	};
	for (size_t i = 0; i < sizeof durations / sizeof *durations; i++) {
		size_t n = authz_format_duration(durations[i].ms, buf);
		cr_expect_str_eq(buf, durations[i].text);
		cr_expect_eq(n, strlen(durations[i].text));
	}
	static const char *const ips[] = { "10.0.0.1", "10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.1", "::", "0.0.0.0/0" };
	for (size_t i = 0; i < sizeof ips / sizeof *ips; i++) {
		authz_ip ip;
		cr_assert_eq(authz_parse_ip(ips[i], strlen(ips[i]), &ip), 0);
		size_t n = authz_format_ip(&ip, buf);
		cr_expect_str_eq(buf, ips[i]);
		cr_expect_eq(n, strlen(ips[i]));
	}
}
