/*
 * test_decide.c: authzc-policy(5), EVALUATION end to end through the public API:
 * scopes, guards and their trace, @expires, forbid overrides, default deny,
 * fail-closed rule errors, the JSON line, API-built requests, threads.
 */
#include <pthread.h>
#include <stdio.h>

#include "test_runtime_fixture.h"

#define P AUTHZ_ROOT_PRINCIPAL
#define R AUTHZ_ROOT_RESOURCE
#define C AUTHZ_ROOT_CONTEXT
#define DIGEST_RE "sha256:[0-9a-f]{64}"

/* A rule with scope lists and code emitted by `emit` (may be NULL: `when true`). */
static void rule(struct fx *f, const char *id, enum authz_effect eff, const uint32_t *ptypes, size_t np,
		 const uint32_t *actions, size_t na, void (*emit)(struct fx *f))
{
	struct bw_rule_desc d = { .id = id, .effect = eff, .principal_types = ptypes, .nprincipal_types = np,
				  .actions = actions, .nactions = na, .file = f->file, .line = 10, .col = 1 };
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_annotation(f->w, "owner", "security"));
	if (emit) {
		emit(f);
	} else {
		OK(bw_guard(f->w, f->file, 11, 8, "true", &f->guard));
		fx_n(f, AUTHZ_OP_TRUE);
		fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	}
	fx_n(f, AUTHZ_OP_APPLY);
	OK(bw_rule_end(f->w));
}

/* when principal.workload.signed and not principal.revoked
 * unless principal.workload.spiffe_id like "*sandbox*"  (guards 0, 1, 2) */
static void three_guards(struct fx *f)
{
	uint32_t g, k;
	OK(bw_guard(f->w, f->file, 12, 8, "principal.workload.signed", &g));
	fx_attr_read(f, P, f->w_signed);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g));
	OK(bw_guard(f->w, f->file, 13, 8, "not principal.revoked", &g));
	fx_attr_read(f, P, f->revoked);
	fx_n(f, AUTHZ_OP_NOT);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g));
	OK(bw_guard(f->w, f->file, 14, 10, "principal.workload.spiffe_id like \"*sandbox*\"", &g));
	fx_attr_read(f, P, f->w_spiffe);
	OK(bw_const_string(f->w, "*sandbox*", 9, &k));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, k));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_UNLESS, g));
}

static void revoked_guard(struct fx *f)
{
	uint32_t g;
	OK(bw_guard(f->w, f->file, 20, 8, "principal.revoked", &g));
	fx_attr_read(f, P, f->revoked);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g));
}

static void overflow_guard(struct fx *f)
{
	uint32_t g;
	OK(bw_guard(f->w, f->file, 30, 8, "principal.level * 9223372036854775807 > 0", &g));
	fx_attr_read(f, P, f->level);
	fx_kint(f, AUTHZ_K_INT, INT64_MAX);
	fx_n(f, AUTHZ_OP_MUL);
	fx_kint(f, AUTHZ_K_INT, 0);
	fx_n(f, AUTHZ_OP_GT);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g));
}

static char *decide_one(void (*build)(struct fx *f), const char *json, unsigned flags)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	build(f);
	authz_bundle *b = fx_load(f, NULL, NULL);
	char *line = fx_decide(b, json, flags);
	authz_bundle_free(b);
	return line;
}

static void b_permit(struct fx *f) { rule(f, "ds.ci_read", AUTHZ_PERMIT, NULL, 0, NULL, 0, three_guards); }

Test(runtime_decide, permit_applies_and_json_line_is_exact)
{
	char *line = decide_one(b_permit, NULL, 0);
	static const char head[] = "{\"decision\":\"allow\",\"rules\":[\"ds.ci_read\"],\"errors\":[],"
				   "\"time\":\"2026-11-22T10:00:00Z\",\"bundle\":\"sha256:";
	cr_assert(strncmp(line, head, strlen(head)) == 0, "%s", line);
	cr_assert_eq(strlen(line), strlen(head) + 64 + 2, "%s", line);
	cr_assert_str_eq(line + strlen(line) - 2, "\"}");
	free(line);
}

Test(runtime_decide, trace_names_the_first_guard_holding_back)
{
	char *req = strdup(FX_REQUEST);
	char *at = strstr(req, "\"revoked\":false");
	memcpy(at, "\"revoked\":true ", 15);
	char *line = decide_one(b_permit, req, AUTHZ_DECIDE_EXPLAIN);
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[]"), "%s", line);
	cr_assert(strstr(line, ",\"trace\":[{\"rule\":\"ds.ci_read\",\"outcome\":\"not-applied\",\"guard\":"
			       "{\"index\":1,\"file\":\"policies/p.authz\",\"line\":13,\"col\":8,"
			       "\"text\":\"not principal.revoked\",\"operands\":[{\"name\":\"principal.revoked\","
			       "\"value\":\"true\"}]}}]}"), "%s", line);
	free(line);
	free(req);
	/* the unless guard (index 2) */
	req = strdup(FX_REQUEST);
	at = strstr(req, "spiffe://acme/ci");
	memcpy(at, "spiffe://sandbox", 16);
	line = decide_one(b_permit, req, AUTHZ_DECIDE_EXPLAIN);
	cr_assert(strstr(line, "\"guard\":{\"index\":2,\"file\":\"policies/p.authz\",\"line\":14,\"col\":10,"
			       "\"text\":\"principal.workload.spiffe_id like \\\"*sandbox*\\\"\",\"operands\":["
			       "{\"name\":\"principal.workload.spiffe_id\",\"value\":\"\\\"spiffe://sandbox\\\"\"}]}"),
		  "%s", line);
	free(line);
	free(req);
}

static void b_forbid_override(struct fx *f)
{
	rule(f, "a.permit_all", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL);
	rule(f, "b.forbid_all", AUTHZ_FORBID, NULL, 0, NULL, 0, NULL);
	rule(f, "c.permit_too", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL);
	rule(f, "d.forbid_revoked", AUTHZ_FORBID, NULL, 0, NULL, 0, revoked_guard);
	rule(f, "e.forbid_too", AUTHZ_FORBID, NULL, 0, NULL, 0, NULL);
}

Test(runtime_decide, forbid_overrides_and_names_every_forbid_in_order)
{
	char *line = decide_one(b_forbid_override, NULL, 0);
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[\"b.forbid_all\",\"e.forbid_too\"],\"errors\":[],")
		  == line, "%s", line);
	free(line);
}

static void b_permits(struct fx *f)
{
	rule(f, "z.second", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL);
	rule(f, "a.first", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL);
	rule(f, "m.no", AUTHZ_FORBID, NULL, 0, NULL, 0, revoked_guard);
}

Test(runtime_decide, every_applying_permit_in_rule_table_order)
{
	char *line = decide_one(b_permits, NULL, 0);
	cr_assert(strstr(line, "{\"decision\":\"allow\",\"rules\":[\"z.second\",\"a.first\"],"), "%s", line);
	free(line);
}

static void b_nothing(struct fx *f) { rule(f, "m.no", AUTHZ_FORBID, NULL, 0, NULL, 0, revoked_guard); }

Test(runtime_decide, default_deny_names_no_rule)
{
	char *line = decide_one(b_nothing, NULL, 0);
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[],"), "%s", line);
	free(line);
}

static void b_forbid_error(struct fx *f)
{
	rule(f, "p.all", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL);
	rule(f, "f.overflow", AUTHZ_FORBID, NULL, 0, NULL, 0, overflow_guard);
}

Test(runtime_decide, forbid_in_error_applies_fail_closed)
{
	char *line = decide_one(b_forbid_error, NULL, AUTHZ_DECIDE_EXPLAIN);
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[\"f.overflow\"],\"errors\":[{\"kind\":\"rule\","
			       "\"rule\":\"f.overflow\",\"message\":\"integer overflow in '*'\"}]"), "%s", line);
	/* the guard that failed, with what it read */
	cr_assert(strstr(line, "{\"rule\":\"f.overflow\",\"outcome\":\"error\",\"guard\":{\"index\":0,"
			       "\"file\":\"policies/p.authz\",\"line\":30,\"col\":8,\"text\":\"principal.level * "
			       "9223372036854775807 > 0\",\"operands\":[{\"name\":\"principal.level\",\"value\":\"5\"}]}}"),
		  "%s", line);
	free(line);
}

static void b_permit_error(struct fx *f)
{
	rule(f, "p.overflow", AUTHZ_PERMIT, NULL, 0, NULL, 0, overflow_guard);
}

Test(runtime_decide, permit_in_error_does_not_apply)
{
	char *line = decide_one(b_permit_error, NULL, 0);
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"rule\","
			       "\"rule\":\"p.overflow\",\"message\":\"integer overflow in '*'\"}]"), "%s", line);
	free(line);
}

static void b_expiring(struct fx *f)
{
	struct bw_rule_desc d = { .id = "jit.grant", .effect = AUTHZ_PERMIT, .has_expires = true, .file = f->file };
	cr_assert_eq(authz_parse_time("2026-11-22T10:00:00Z", 20, &d.expires_ms), 0);
	OK(bw_rule_begin(f->w, &d, &f->rule));
	fx_n(f, AUTHZ_OP_APPLY);
	OK(bw_rule_end(f->w));
}

Test(runtime_decide, expired_rule_stops_applying_at_the_instant)
{
	char *req = strdup(FX_REQUEST);
	char *line = decide_one(b_expiring, req, AUTHZ_DECIDE_TRACE);
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[]"), "now == expires: %s", line);
	cr_assert(strstr(line, "{\"rule\":\"jit.grant\",\"outcome\":\"not-applied\",\"expired\":true}"), "%s", line);
	free(line);
	char *at = strstr(req, "10:00:00Z\"}");
	memcpy(at, "09:59:59Z", 9);
	line = decide_one(b_expiring, req, 0);
	cr_assert(strstr(line, "{\"decision\":\"allow\",\"rules\":[\"jit.grant\"]"), "%s", line);
	free(line);
	free(req);
}

static void b_scoped(struct fx *f)
{
	uint32_t users[1] = { f->user }, writes[1] = { f->write }, reads[1] = { f->read };
	rule(f, "only_users", AUTHZ_PERMIT, users, 1, NULL, 0, NULL);
	rule(f, "only_write", AUTHZ_PERMIT, NULL, 0, writes, 1, NULL);
	rule(f, "read_sa", AUTHZ_FORBID, &f->sa, 1, reads, 1, revoked_guard);
}

Test(runtime_decide, scope_bitsets_and_rule_index)
{
	char *line = decide_one(b_scoped, NULL, AUTHZ_DECIDE_TRACE);
	/* only read_sa's scope matches: it alone is traced */
	cr_assert(strstr(line, "{\"decision\":\"deny\",\"rules\":[],"), "%s", line);
	cr_assert(strstr(line, "\"trace\":[{\"rule\":\"read_sa\",\"outcome\":\"not-applied\""), "%s", line);
	cr_assert_null(strstr(line, "only_users"), "%s", line);
	cr_assert_null(strstr(line, "only_write"), "%s", line);
	free(line);
}

static void b_simple(struct fx *f) { rule(f, "p", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL); }

/* b_simple with ServiceAccount, its workload record and the context open to
 * undeclared attributes (bw_open); User and Dataset stay closed. */
static void b_open(struct fx *f)
{
	const char *workload[] = { "workload" };
	OK(bw_open(f->w, f->sa, NULL, 0));
	OK(bw_open(f->w, f->sa, workload, 1));
	OK(bw_open(f->w, BW_CONTEXT, NULL, 0));
	b_simple(f);
}

static void expect_request_error(const char *json, const char *message)
{
	char *line = decide_one(b_simple, json, AUTHZ_DECIDE_TRACE);
	char want[512];
	snprintf(want, sizeof want, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"request\","
		 "\"message\":\"%s\"}]", message);
	cr_assert(strncmp(line, want, strlen(want)) == 0, "\n got: %s\nwant: %s", line, want);
	cr_assert(strstr(line, "\"trace\":[]"), "no rule runs: %s", line);
	free(line);
}

/* FX_REQUEST with `from` replaced by `to`. */
static char *edit(const char *from, const char *to)
{
	const char *at = strstr(FX_REQUEST, from);
	cr_assert(at, "fixture has no '%s'", from);
	size_t n = strlen(FX_REQUEST) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);
	snprintf(s, n, "%.*s%s%s", (int)(at - FX_REQUEST), FX_REQUEST, to, at + strlen(from));
	return s;
}

#define REQ_ERR(from, to, msg) do { char *j_ = edit(from, to); expect_request_error(j_, msg); free(j_); } while (0)

Test(runtime_decide, request_errors_deny_before_any_rule)
{
	REQ_ERR("\"action\":\"read\"", "\"action\":\"delete\"", "unknown action 'delete'");
	REQ_ERR("\"type\":\"ServiceAccount\"", "\"type\":\"Robot\"", "unknown principal type 'Robot'");
	REQ_ERR("\"type\":\"Dataset\",\"id\":\"sales\",\"attrs\":{\"tenant\":\"acme\",\"env\":\"production\","
		"\"change_tickets\":[\"CHG-42\"]}", "\"type\":\"User\",\"id\":\"bob\",\"attrs\":{\"tenant\":\"acme\","
		"\"mfa\":true}", "resource type 'User' is not allowed for action 'read'");
}

/* "additionalAttributes": true opens a record: its undeclared attributes
 * are skipped, and only its own: a closed record beside it stays strict. */
Test(runtime_decide, open_records_skip_undeclared_attributes)
{
	static const struct { const char *from, *to; bool allow; } cases[] = {
		{ "\"level\":5", "\"level\":5,\"levle\":6", true },
		{ "\"signed\":true,", "\"signed\":true,\"attested\":[1],", true },
		{ "\"ticket\":\"CHG-42\"", "\"trace_id\":\"abc\",\"ticket\":\"CHG-42\"", true },
		{ "\"env\":\"production\"", "\"env\":\"production\",\"owner\":\"x\"", false },
		{ "\"end\":\"2026-11-22T11:00:00Z\"", "\"end\":\"2026-11-22T11:00:00Z\",\"tz\":1", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *j = edit(cases[i].from, cases[i].to);
		char *line = decide_one(b_open, j, 0);
		if (cases[i].allow)
			cr_expect(strstr(line, "\"decision\":\"allow\""), "case %zu: %s", i, line);
		else
			cr_expect(strstr(line, "\"decision\":\"deny\"") && strstr(line, "undeclared attribute"),
				  "case %zu: %s", i, line);
		free(line);
		free(j);
	}
}

/* Strict by default (authzc-policy(5), THE SCHEMA): a key the request form
 * does not have, or an attribute its record does not declare, is a request
 * error that names it and the closest declared name, so that a misspelt
 * attribute cannot quietly switch a rule off. */
Test(runtime_decide, undeclared_attributes_and_keys_deny)
{
	REQ_ERR("\"ticket\":\"CHG-42\"", "\"tickt\":\"CHG-42\"",
		"undeclared attribute 'context.tickt': did you mean 'context.ticket'?");
	REQ_ERR("\"level\":5", "\"level\":5,\"levle\":6",
		"undeclared attribute 'principal.levle' of type 'ServiceAccount': did you mean 'principal.level'?");
	REQ_ERR("\"signed\":true,", "\"signed\":true,\"sigend\":false,",
		"undeclared attribute 'principal.workload.sigend' of type 'ServiceAccount': "
		"did you mean 'principal.workload.signed'?");
	REQ_ERR("\"env\":\"production\"", "\"env\":\"production\",\"owner\":\"x\"",
		"undeclared attribute 'resource.owner' of type 'Dataset': the schema does not declare it "
		"(declare it, or let 'resource' take undeclared attributes with \\\"additionalAttributes\\\": true)");
	/* an undeclared attribute whose value is a deep structure is named, not read */
	REQ_ERR("\"level\":5", "\"level\":5,\"extra\":{\"a\":[1,2,{\"b\":null}]}",
		"undeclared attribute 'principal.extra' of type 'ServiceAccount': the schema does not declare it "
		"(declare it, or let 'principal' take undeclared attributes with \\\"additionalAttributes\\\": true)");
	/* the request's own keys and an entity's */
	REQ_ERR("\"context\":{", "\"contxt\":{\"x\":1},\"context\":{",
		"unknown key 'contxt' in the request: did you mean 'context'?");
	REQ_ERR("\"id\":\"sales\",", "\"id\":\"sales\",\"attr\":{},",
		"unknown key 'attr' in 'resource': did you mean 'attrs'?");
	REQ_ERR("\"id\":\"sales\",", "\"id\":\"sales\",\"owner\":1,",
		"unknown key 'owner' in 'resource': it has 'type', 'id' and 'attrs'");
	/* names are shown printable and bounded */
	REQ_ERR("\"ticket\":\"CHG-42\"", "\"t\\u0001\":1,\"ticket\":\"CHG-42\"",
		"undeclared attribute 'context.t?': the schema does not declare it "
		"(declare it, or let 'context' take undeclared attributes with \\\"additionalAttributes\\\": true)");
}

static void always(struct fx *f) { fx_n(f, AUTHZ_OP_TRUE); }

/* An optional record may be absent, required fields and all. */
Test(runtime_decide, absent_optional_record_is_no_error)
{
	authz_bundle *b = fx_one_rule(always);
	char *json = edit(",\"window\":{\"start\":\"2026-11-22T09:00:00Z\",\"end\":\"2026-11-22T11:00:00Z\"}", "");
	char *line = fx_decide(b, json, 0);
	cr_expect(strncmp(line, "{\"decision\":\"allow\",\"rules\":[\"t\"]", 32) == 0, "%s", line);
	free(line);
	free(json);
	authz_bundle_free(b);
}

Test(runtime_decide, request_schema_violations)
{
	REQ_ERR("\"tenant\":\"acme\",\"revoked\"", "\"revoked\"", "missing required attribute 'principal.tenant'");
	REQ_ERR("\"signed\":true,", "", "missing required attribute 'principal.workload.signed'");
	REQ_ERR(",\"source_ip\":\"10.1.2.3\"", "", "missing required attribute 'context.source_ip'");
	/* an optional record, when there, needs its required fields */
	REQ_ERR(",\"end\":\"2026-11-22T11:00:00Z\"", "", "missing required attribute 'principal.window.end'");
	/* the first missing one in field order is named */
	REQ_ERR("\"tenant\":\"acme\",\"revoked\":false,", "", "missing required attribute 'principal.tenant'");
	REQ_ERR("\"revoked\":false", "\"revoked\":\"no\"", "wrong type for 'principal.revoked': expected bool");
	REQ_ERR("\"level\":5", "\"level\":\"5\"", "wrong type for 'principal.level': expected int");
	REQ_ERR("\"groups\":[\"deployers\",\"ops\"]", "\"groups\":\"deployers\"",
		"wrong type for 'principal.groups': expected set<string>");
	REQ_ERR("\"groups\":[\"deployers\",\"ops\"]", "\"groups\":[\"deployers\",7]",
		"wrong type for 'principal.groups': expected string");
	REQ_ERR("\"workload\":{", "\"workload\":7,\"x\":{", "wrong type for 'principal.workload': expected record");
	REQ_ERR("\"start\":\"2026-11-22T09:00:00Z\"", "\"start\":\"2026-11-22 09:00\"",
		"bad timestamp '2026-11-22 09:00' for 'principal.window.start'");
	REQ_ERR("\"start\":\"2026-11-22T09:00:00Z\"", "\"start\":\"2026-02-30T09:00:00Z\"",
		"bad timestamp '2026-02-30T09:00:00Z' for 'principal.window.start'");
	REQ_ERR("\"10.1.2.3\"", "\"10.1.2.300\"", "bad ip '10.1.2.300' for 'context.source_ip'");
	REQ_ERR("\"level\":5", "\"level\":5,\"quota\":\"1h1h\"", "bad duration '1h1h' for 'principal.quota'");
	REQ_ERR("\"level\":5", "\"level\":5,\"level\":6", "duplicate attribute 'principal.level'");
	REQ_ERR("\"time\":\"2026-11-22T10:00:00Z\"", "\"time\":1", "bad timestamp for 'time'");
	REQ_ERR("\"action\":\"read\",", "", "request has no 'action'");
}

Test(runtime_decide, json_integers_are_exact)
{
	REQ_ERR("\"level\":5", "\"level\":9223372036854775808", "integer '9223372036854775808' out of range for 'principal.level'");
	REQ_ERR("\"level\":5", "\"level\":-9223372036854775809", "integer '-9223372036854775809' out of range for 'principal.level'");
	REQ_ERR("\"level\":5", "\"level\":1.5", "bad integer '1.5' for 'principal.level': not an integer");
	REQ_ERR("\"level\":5", "\"level\":1e3", "bad integer '1e3' for 'principal.level': not an integer");
	REQ_ERR("\"level\":5", "\"level\":5.0", "bad integer '5.0' for 'principal.level': not an integer");
	REQ_ERR("\"level\":5", "\"level\":05", "bad JSON at byte 260: expected ',' or '}'");
	/* the extremes themselves are fine */
	char *j = edit("\"level\":5", "\"level\":-9223372036854775808");
	char *line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"decision\":\"allow\""), "%s", line);
	free(line);
	free(j);
	j = edit("\"level\":5", "\"level\":9223372036854775807");
	line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"decision\":\"allow\""), "%s", line);
	free(line);
	free(j);
}

Test(runtime_decide, json_edge_cases)
{
	expect_request_error("", "bad JSON at byte 0: unexpected end of input");
	expect_request_error("[]", "request is not a JSON object");
	expect_request_error("{\"principal\":", "bad JSON at byte 13: unexpected end of input");
	expect_request_error("{} x", "bad JSON at byte 3: trailing characters");
	expect_request_error("{\"a\":\"\x01\"}", "bad JSON at byte 6: control character in string");
	expect_request_error("{}", "request has no 'principal'");
	/* deep nesting is refused, not recursed into */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 1);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	expect_request_error(deep, "bad JSON at byte 65: nesting too deep");
	free(deep);
	/* an open record skips undeclared attributes, even deep structures */
	char *j = edit("\"level\":5", "\"level\":5,\"extra\":{\"a\":[1,2,{\"b\":null}]},\"more\":1.5e300");
	char *line = decide_one(b_open, j, 0);
	cr_assert(strstr(line, "\"decision\":\"allow\""), "%s", line);
	free(line);
	free(j);
	/* escapes decode; a string of 64 KiB (the limit, authz(3)) is fine */
	j = edit("\"ci-bot\"", "\"ci\\u002dbot\\ud83d\\ude00\"");
	line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"decision\":\"allow\""), "%s", line);
	free(line);
	free(j);
	REQ_ERR("\"ci-bot\"", "\"ci\\ud83d\"", "bad string escape");
	size_t big = 64u << 10;
	char *huge = malloc(big + 32);
	memset(huge, 'a', big);
	huge[big] = '\0';
	char *to = malloc(big + 32);
	snprintf(to, big + 32, "\"%s\"", huge);
	j = edit("\"sales\"", to);
	line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"decision\":\"allow\""), "%.200s", line);
	free(line);
	free(j);
	/* one byte more is a request error */
	snprintf(to, big + 32, "\"a%s\"", huge);
	j = edit("\"sales\"", to);
	line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"decision\":\"deny\""), "%.200s", line);
	cr_assert(strstr(line, "too long: 65537 bytes, at most 65536"), "%.300s", line);
	free(line);
	free(j);
	free(to);
	free(huge);
}

/* The JSON reader checks UTF-8 only for strings with a byte >= 0x80: every
 * such string is still checked, keys and ignored members included. */
Test(runtime_decide, json_utf8_checked_wherever_it_may_be_bad)
{
	REQ_ERR("\"acme\",\"revoked\"", "\"ac\xffme\",\"revoked\"", "string is not valid UTF-8");
	REQ_ERR("\"revoked\":false", "\"re\xc3voked\":false", "string is not valid UTF-8");
	REQ_ERR("\"revoked\":false", "\"revoked\":false,\"x\xe2\x82\":1", "string is not valid UTF-8");
	REQ_ERR("\"action\":\"read\"", "\"act\xc0\xafion\":\"read\"", "string is not valid UTF-8");
	REQ_ERR("\"action\":\"read\"", "\"action\":\"re\xed" "ad\"", "string is not valid UTF-8");
	REQ_ERR("\"ci-bot\"", "\"ci\\n\xff\"", "bad string escape");
	/* well-formed UTF-8, raw or after an escape, is taken as it is */
	char *j = edit("\"sales\"", "\"s\xc3\xa4les\\t\xf0\x9f\x98\x80\"");
	char *line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"decision\":\"allow\""), "%s", line);
	free(line);
	free(j);
}

Test(runtime_decide, time_offsets_and_clock)
{
	char *j = edit("\"time\":\"2026-11-22T10:00:00Z\"", "\"time\":\"2026-11-22T10:00:00.250+02:00\"");
	char *line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"time\":\"2026-11-22T08:00:00.250Z\""), "%s", line);
	free(line);
	free(j);
	j = edit(",\"time\":\"2026-11-22T10:00:00Z\"", "");
	line = decide_one(b_simple, j, 0);
	cr_assert(strstr(line, "\"time\":\"20"), "the clock is used and recorded: %s", line);
	free(line);
	free(j);
}

/* ---- requests built through the API ---- */

static authz_bundle *simple_bundle(void (*build)(struct fx *f))
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	build(f);
	return fx_load(f, NULL, NULL);
}

static void fill(authz_request *r)
{
	cr_assert_eq(authz_request_set_principal(r, "ServiceAccount", "ci-bot"), 0);
	cr_assert_eq(authz_request_set_resource(r, "Dataset", "sales"), 0);
	cr_assert_eq(authz_request_set_action(r, "read"), 0);
	cr_assert_eq(authz_request_set_time(r, 1795341600000), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_PRINCIPAL, "tenant", "acme"), 0);
	cr_assert_eq(authz_request_set_bool(r, AUTHZ_PRINCIPAL, "revoked", 0), 0);
	cr_assert_eq(authz_request_add_string(r, AUTHZ_PRINCIPAL, "groups", "deployers"), 0);
	cr_assert_eq(authz_request_set_bool(r, AUTHZ_PRINCIPAL, "workload.signed", 1), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_PRINCIPAL, "workload.spiffe_id", "spiffe://acme/ci"), 0);
	cr_assert_eq(authz_request_set_int(r, AUTHZ_PRINCIPAL, "level", 5), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_RESOURCE, "tenant", "acme"), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_RESOURCE, "env", "production"), 0);
	cr_assert_eq(authz_request_set_empty_set(r, AUTHZ_RESOURCE, "change_tickets"), 0);
	cr_assert_eq(authz_request_add_string(r, AUTHZ_PRINCIPAL, "groups", "ops"), 0);
	cr_assert_eq(authz_request_set_ip(r, AUTHZ_CONTEXT, "source_ip", "10.1.2.3"), 0);
}

static void groups_has_ops(struct fx *f)
{
	uint32_t g;
	OK(bw_guard(f->w, f->file, 1, 1, "\"ops\" in principal.groups", &g));
	fx_kstr(f, "ops");
	fx_attr_read(f, P, f->groups);
	fx_n(f, AUTHZ_OP_IN);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g));
}
static void b_groups(struct fx *f) { rule(f, "ops", AUTHZ_PERMIT, NULL, 0, NULL, 0, groups_has_ops); }

Test(runtime_decide, api_built_request_is_reusable)
{
	authz_bundle *b = simple_bundle(b_groups);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	fill(r);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(authz_decide(d, b, r, 0), 0);
		cr_assert_eq(authz_decision_allowed(d), 1, "%s", authz_decision_json(d, NULL));
		cr_assert_str_eq(authz_decision_rule(d, 0), "ops");
		cr_assert_eq(authz_decision_time(d), 1795341600000);
	}
	/* setter errors */
	cr_assert_eq(authz_request_set_int(r, AUTHZ_PRINCIPAL, "tenant", 1), AUTHZ_EINVAL);
	cr_assert_eq(authz_request_set_int(r, AUTHZ_PRINCIPAL, "nope", 1), AUTHZ_ENOTFOUND);
	cr_assert_eq(authz_request_set_int(r, AUTHZ_PRINCIPAL, "workload.nope", 1), AUTHZ_ENOTFOUND);
	cr_assert_eq(authz_request_set_ip(r, AUTHZ_CONTEXT, "source_ip", "nope"), AUTHZ_EINVAL);
	cr_assert_eq(authz_request_set_action(r, "fly"), AUTHZ_ENOTFOUND);
	cr_assert_eq(authz_request_set_principal(r, "Robot", "x"), AUTHZ_ENOTFOUND);
	cr_assert_eq(authz_request_add_int(r, AUTHZ_PRINCIPAL, "groups", 3), AUTHZ_EINVAL);
	/* reset forgets everything: missing principal */
	authz_request_reset(r);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_assert_eq(authz_decision_allowed(d), 0);
	int kind;
	const char *rid, *msg;
	cr_assert_eq(authz_decision_error(d, 0, &kind, &rid, &msg), 0);
	cr_assert_eq(kind, AUTHZ_ERR_REQUEST);
	cr_assert_null(rid);
	cr_assert_str_eq(msg, "request has no principal");
	/* refill: a required attribute left out */
	fill(r);
	authz_request_reset(r);
	fill(r);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	cr_assert_eq(authz_decision_allowed(d), 1);
	authz_request_free(r);
	authz_decision_free(d);
	authz_bundle_free(b);
}

Test(runtime_decide, api_missing_required_attribute)
{
	authz_bundle *b = simple_bundle(b_groups);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_request_set_principal(r, "ServiceAccount", "ci-bot"), 0);
	cr_assert_eq(authz_request_set_resource(r, "Dataset", "sales"), 0);
	cr_assert_eq(authz_request_set_action(r, "read"), 0);
	cr_assert_eq(authz_decide(d, b, r, 0), 0);
	const char *msg;
	cr_assert_eq(authz_decision_error(d, 0, NULL, NULL, &msg), 0);
	cr_assert_str_eq(msg, "missing required attribute 'principal.tenant'");
	authz_request_free(r);
	authz_decision_free(d);
	authz_bundle_free(b);
}

/* ---- threads ---- */

struct job { authz_bundle *b; char *out[64]; };

static void *worker(void *arg)
{
	struct job *j = arg;
	authz_request *r;
	authz_decision *d;
	if (authz_request_new(&r, j->b) || authz_decision_new(&d))
		return NULL;
	for (int i = 0; i < 64; i++) {
		char *req = strdup(FX_REQUEST);
		if (i % 2)
			memcpy(strstr(req, "\"revoked\":false"), "\"revoked\":true ", 15);
		if (i % 3 == 0)
			memcpy(strstr(req, "\"level\":5"), "\"level\":7", 9);
		authz_decide_json(d, j->b, r, req, strlen(req), AUTHZ_DECIDE_TRACE);
		j->out[i] = strdup(authz_decision_json(d, NULL));
		free(req);
	}
	authz_request_free(r);
	authz_decision_free(d);
	return NULL;
}

Test(runtime_decide, eight_threads_agree_with_one)
{
	authz_bundle *b = simple_bundle(b_forbid_override);
	struct job one = { b, { 0 } }, many[8];
	worker(&one);
	pthread_t th[8];
	for (int t = 0; t < 8; t++) {
		many[t].b = b;
		cr_assert_eq(pthread_create(&th[t], NULL, worker, &many[t]), 0);
	}
	for (int t = 0; t < 8; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < 8; t++)
		for (int i = 0; i < 64; i++) {
			cr_assert_str_eq(many[t].out[i], one.out[i]);
			free(many[t].out[i]);
		}
	for (int i = 0; i < 64; i++)
		free(one.out[i]);
	authz_bundle_free(b);
}

/* The rule images and the index are built by the bundle's first decision
 * (rt_bundle_prepare): eight threads that all start deciding on a bundle
 * just loaded, released together, build them once and agree with one
 * thread on a prepared bundle. */
static pthread_barrier_t start_line;

static void *racing_worker(void *arg)
{
	pthread_barrier_wait(&start_line);
	return worker(arg);
}

Test(runtime_decide, first_decisions_race_to_prepare)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	b_forbid_override(f);
	uint8_t *bytes;
	size_t len;
	authz_bundle *ref = fx_load(f, &bytes, &len);
	struct job one = { ref, { 0 } }, many[8];
	worker(&one);
	for (int round = 0; round < 20; round++) {
		authz_bundle *b;
		authz_error err;
		cr_assert_eq(authz_bundle_load(&b, bytes, len, &err), 0, "%s", err.message);
		cr_assert(!atomic_load(&b->prepared) && !b->index && !b->img, "a load builds no index nor images");
		cr_assert_eq(pthread_barrier_init(&start_line, NULL, 8), 0);
		pthread_t th[8];
		for (int t = 0; t < 8; t++) {
			many[t].b = b;
			cr_assert_eq(pthread_create(&th[t], NULL, racing_worker, &many[t]), 0);
		}
		for (int t = 0; t < 8; t++)
			pthread_join(th[t], NULL);
		pthread_barrier_destroy(&start_line);
		cr_assert(atomic_load(&b->prepared) && b->index && b->img);
		for (int t = 0; t < 8; t++)
			for (int i = 0; i < 64; i++) {
				cr_assert_str_eq(many[t].out[i], one.out[i], "round %d thread %d request %d", round, t, i);
				free(many[t].out[i]);
			}
		authz_bundle_free(b);
	}
	for (int i = 0; i < 64; i++)
		free(one.out[i]);
	free(bytes);
	authz_bundle_free(ref);
}

/* authz_bundle_prepare builds them ahead, once: the images stay where the
 * first call put them. */
Test(runtime_decide, prepare_builds_once)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	b_forbid_override(f);
	uint8_t *bytes;
	size_t len;
	authz_bundle *ref = fx_load(f, &bytes, &len), *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, bytes, len, &err), 0, "%s", err.message);
	cr_assert_null(b->img);
	cr_assert_eq(authz_bundle_prepare(b), 0);
	const uint8_t *img = b->img;
	const struct rt_index *ix = b->index;
	cr_assert(img && ix);
	cr_assert_eq(authz_bundle_prepare(b), 0);
	cr_assert(b->img == img && b->index == ix, "a second prepare builds nothing");
	free(bytes);
	authz_bundle_free(b);
	authz_bundle_free(ref);
}

Test(runtime_decide, bundle_accessors)
{
	authz_bundle *b = simple_bundle(b_forbid_override);
	cr_assert_eq(authz_bundle_rule_count(b), 5);
	cr_assert_str_eq(authz_bundle_rule_id(b, 1), "b.forbid_all");
	cr_assert_eq(authz_bundle_rule_effect(b, 1), AUTHZ_FORBID);
	cr_assert_null(authz_bundle_rule_id(b, 5));
	const char *k, *v;
	cr_assert_eq(authz_bundle_rule_annotation_count(b, 0), 1);
	cr_assert_eq(authz_bundle_rule_annotation(b, 0, 0, &k, &v), 0);
	cr_assert_str_eq(k, "owner");
	cr_assert_str_eq(v, "security");
	cr_assert_str_eq(authz_bundle_source_revision(b), "");
	cr_assert_eq(strlen(authz_bundle_digest(b)), 71);
	authz_bundle_free(b);
}

static void b_dup(struct fx *f)
{
	rule(f, "same", AUTHZ_PERMIT, NULL, 0, NULL, 0, NULL);
	struct bw_rule_desc d = { .id = "same", .effect = AUTHZ_PERMIT, .file = f->file };
	cr_assert_eq(bw_rule_begin(f->w, &d, &f->rule), AUTHZ_EINVAL);
	cr_assert_str_eq(bw_error(f->w), "duplicate rule id 'same'");
}

Test(runtime_decide, duplicate_rule_ids_are_refused)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	b_dup(f);
	bw_free(f->w);
}

Test(runtime_decide, many_rules_load_fast)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	for (int i = 0; i < 20000; i++) {
		char id[32];
		snprintf(id, sizeof id, "r%d", i);
		uint32_t a = (uint32_t)i % 2;
		struct bw_rule_desc d = { .id = id, .effect = AUTHZ_PERMIT, .actions = &a, .nactions = 1, .file = f->file };
		OK(bw_rule_begin(f->w, &d, &f->rule));
		fx_n(f, AUTHZ_OP_APPLY);
		OK(bw_rule_end(f->w));
	}
	authz_bundle *b = fx_load(f, NULL, NULL);
	cr_assert_eq(authz_bundle_rule_count(b), 20000);
	char *line = fx_decide(b, NULL, 0);
	cr_assert(strstr(line, "\"rules\":[\"r0\",\"r2\","), "%.100s", line);
	free(line);
	authz_bundle_free(b);
}

Test(runtime_decide, changing_the_principal_type_drops_its_attributes)
{
	authz_bundle *b = simple_bundle(b_groups);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	fill(r);
	cr_assert_eq(authz_request_set_principal(r, "User", "alice"), 0);
	cr_assert_eq(authz_request_set_string(r, AUTHZ_PRINCIPAL, "tenant", "acme"), 0);
	cr_assert_eq(authz_request_set_bool(r, AUTHZ_PRINCIPAL, "mfa", 1), 0);
	cr_assert_eq(authz_decide(d, b, r, AUTHZ_DECIDE_TRACE), 0);
	/* the rule reads principal.groups, which User lacks: absent, a rule error */
	const char *msg;
	cr_assert_eq(authz_decision_allowed(d), 0);
	cr_assert_eq(authz_decision_error(d, 0, NULL, NULL, &msg), 0, "%s", authz_decision_json(d, NULL));
	cr_assert_str_eq(msg, "attribute 'principal.groups' is absent");
	authz_request_free(r);
	authz_decision_free(d);
	authz_bundle_free(b);
}

/* Values point into the request's pools; a pool that grows and moves
 * after they were stored (here: thousands of long tickets added after the
 * tenant and the groups) must not leave them pointing at freed memory,
 * before the first decision or between two. */
Test(runtime_decide, values_survive_the_pools_moving)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	fx_rule(f, "t", AUTHZ_PERMIT);
	fx_attr_read(f, 0, f->tenant);
	fx_kstr(f, "acme");
	fx_n(f, AUTHZ_OP_EQ);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	fx_kstr(f, "ops");
	fx_attr_read(f, 0, f->groups);
	fx_n(f, AUTHZ_OP_IN);
	fx_end_when(f);
	authz_bundle *b = fx_load(f, NULL, NULL);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	fill(r);
	char ticket[160];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 2000; i++) {
			snprintf(ticket, sizeof ticket, "CHG-%d-%d-%0100d", round, i, 0);
			cr_assert_eq(authz_request_add_string(r, AUTHZ_RESOURCE, "change_tickets", ticket), 0);
		}
		cr_assert_eq(authz_decide(d, b, r, 0), 0);
		cr_expect(authz_decision_allowed(d), "round %d: %s", round, authz_decision_json(d, NULL));
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

/* A request whose only sets are empty never allocates the element pool:
 * its sets point nowhere, and nothing reads through them (UBSan: no
 * offset applied to a null pool).  Found by fuzz_bundle. */
static void groups_empty(struct fx *f) { fx_attr_read(f, 0, f->groups); fx_n(f, AUTHZ_OP_IS_EMPTY); }

Test(runtime_decide, empty_sets_before_any_pool)
{
	authz_bundle *b = fx_one_rule(groups_empty);
	char *a = edit("\"groups\":[\"deployers\",\"ops\"]", "\"groups\":[]");
	char *json = malloc(strlen(a) + 1);
	const char *at = strstr(a, "\"change_tickets\":[\"CHG-42\"]");
	cr_assert(at);
	sprintf(json, "%.*s\"change_tickets\":[]%s", (int)(at - a), a, at + strlen("\"change_tickets\":[\"CHG-42\"]"));
	char *line = fx_decide(b, json, 0);
	cr_expect(strncmp(line, "{\"decision\":\"allow\"", 19) == 0, "%s", line);
	free(line);
	free(json);
	free(a);
	authz_bundle_free(b);
}
