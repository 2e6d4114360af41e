/*
 * test_codegen.c: compile policy sets in memory, load the bundle with
 * libauthz and decide requests against it: every expression kind and
 * operator, short-circuit, rule errors, @expires, guard traces,
 * determinism, and the examples/ project against its own tests.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "check_util.h"
#include "codegen.h"
#include "fmt.h"
#include "test_request.h"

static const char CG_SCHEMA[] =
	"{\n"
	"  \"types\": {\n"
	"    \"User\": {\n"
	"      \"tenant\": \"string\", \"level\": \"int\", \"groups\": \"set<string>\",\n"
	"      \"nums\": \"set<int>\", \"mfa\": \"bool\", \"born\": \"timestamp\",\n"
	"      \"ttl\": \"duration\", \"home\": \"ip\", \"nick?\": \"string\",\n"
	"      \"profile\": { \"name\": \"string\", \"meta?\": { \"score\": \"int\" } }\n"
	"    },\n"
	"    \"Doc\": {\n"
	"      \"tenant\": \"string\", \"owner\": \"string\", \"label\": \"string\",\n"
	"      \"tags\": \"set<string>\", \"level\": \"int\", \"expires\": \"timestamp\"\n"
	"    }\n"
	"  },\n"
	"  \"actions\": {\n"
	"    \"read\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] },\n"
	"    \"write\": { \"principals\": [\"User\"], \"resources\": [\"Doc\", \"User\"] }\n"
	"  },\n"
	"  \"context\": { \"ip\": \"ip\", \"n?\": \"int\", \"d\": \"duration\", \"t\": \"timestamp\" }\n"
	"}\n";

#define CG_USER \
	"{\"type\":\"User\",\"id\":\"alice\",\"attrs\":{\"tenant\":\"acme\",\"level\":5," \
	"\"groups\":[\"a\",\"b\"],\"nums\":[1,2,3],\"mfa\":true,\"born\":\"2000-02-29T12:34:00Z\"," \
	"\"ttl\":\"1h\",\"home\":\"10.1.2.3\",\"profile\":{\"name\":\"Alice\"}}}"

/* 2026-11-22 is a Sunday. */
static const char CG_REQUEST[] =
	"{\"principal\":" CG_USER ",\"action\":\"read\","
	"\"resource\":{\"type\":\"Doc\",\"id\":\"d1\",\"attrs\":{\"tenant\":\"acme\",\"owner\":\"alice\","
	"\"label\":\"v*1\",\"tags\":[\"x\"],\"level\":3,\"expires\":\"2026-12-01T00:00:00Z\"}},"
	"\"context\":{\"ip\":\"2001:db8::5\",\"d\":\"30m\",\"t\":\"2026-11-22T10:00:00Z\"},"
	"\"time\":\"2026-11-22T10:00:00Z\"}";

/* Check and compile `policy` (asserting no errors); the loaded bundle.
 * With `bytes`, also the bundle's bytes (malloc'd). */
static authz_bundle *cg_compile(const char *policy, uint8_t **bytes, size_t *nbytes)
{
	const char *files[] = { "policies/p.authz", policy, NULL };
	size_t errors = ck_run_v(CG_SCHEMA, files);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0, "check errors in:\n%s", policy);
	uint8_t *buf;
	size_t len;
	size_t ge = codegen_bundle(&ck_c, "", &buf, &len);
	if (ge)
		ck_dump();
	cr_assert_eq(ge, 0, "codegen errors");
	cr_assert_not_null(buf);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "load: %s", err.message);
	if (bytes) {
		*bytes = buf;
		*nbytes = len;
	} else {
		free(buf);
	}
	return b;
}

/* Decide `json` (CG_REQUEST when NULL); the decision's JSON line
 * (malloc'd). */
static char *cg_decide(authz_bundle *b, const char *json, unsigned flags)
{
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	if (!json)
		json = CG_REQUEST;
	cr_assert_eq(authz_decide_json(d, b, r, json, strlen(json), flags), 0);
	char *line = strdup(authz_decision_json(d, NULL));
	authz_decision_free(d);
	authz_request_free(r);
	return line;
}

/* `cond` as the only `when` of a permit on Doc: 1 allow, 0 deny, -1 rule
 * error. */
static int cg_eval(const char *cond)
{
	char policy[2048];
	snprintf(policy, sizeof policy,
		 "const LIM = 5;\nconst GROUPS = [\"a\", \"c\"];\nconst NET = ip(\"10.0.0.0/8\");\n"
		 "permit t {\n  resource is Doc\n  when %s\n}\n", cond);
	authz_bundle *b = cg_compile(policy, NULL, NULL);
	char *line = cg_decide(b, NULL, 0);
	int res = strstr(line, "\"kind\":\"rule\"") ? -1
		: strncmp(line, "{\"decision\":\"allow\"", 19) == 0;
	if (res == 1)
		cr_expect(strstr(line, "\"rules\":[\"t\"]"), "%s", line);
	free(line);
	authz_bundle_free(b);
	return res;
}

struct row {
	const char *cond;
	int want;
};

static void run_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = cg_eval(rows[i].cond);
		cr_expect_eq(got, rows[i].want, "'%s': got %d, want %d", rows[i].cond, got, rows[i].want);
	}
}

#define RUN(rows) run_rows(rows, sizeof rows / sizeof rows[0])

Test(codegen, literals_comparisons_and_arithmetic)
{
	static const struct row rows[] = {
		{ "true", 1 }, { "false", 0 },
		{ "principal.level == 5", 1 }, { "principal.level != 5", 0 },
		{ "principal.level < 6", 1 }, { "principal.level < 5", 0 },
		{ "principal.level <= 5", 1 }, { "principal.level <= 4", 0 },
		{ "principal.level > 4", 1 }, { "principal.level > 5", 0 },
		{ "principal.level >= 5", 1 }, { "principal.level >= 6", 0 },
		{ "principal.level + 2 == 7", 1 }, { "principal.level - 10 == -5", 1 },
		{ "principal.level * 3 == 15", 1 }, { "-principal.level == -5", 1 },
		{ "principal.level == LIM", 1 }, { "LIM == resource.level", 0 },
		{ "principal.tenant == resource.tenant", 1 }, { "principal.tenant != \"acme\"", 0 },
		{ "principal.id == resource.owner", 1 }, { "resource.id == \"d1\"", 1 },
		{ "principal.mfa", 1 }, { "principal.mfa == false", 0 },
		{ "action == \"read\"", 1 }, { "action in [\"write\"]", 0 },
		{ "principal.groups == [\"b\", \"a\"]", 1 }, { "resource.tags == []", 0 },
		{ "principal.ttl + context.d == 1h30m", 1 }, { "principal.ttl - context.d == 30m", 1 },
		{ "-principal.ttl < 0ms", 1 },
	};
	RUN(rows);
}

Test(codegen, overflow_is_a_rule_error)
{
	static const struct row rows[] = {
		{ "principal.level * 9223372036854775807 > 0", -1 },
		{ "principal.level + 9223372036854775807 > 0", -1 },
		{ "-principal.level - 9223372036854775807 < 0", -1 },
		{ "-(principal.level - principal.level - 9223372036854775807 - 1) > 0", -1 },
		{ "now + 100000000000d + 100000000000d > now", -1 },
		{ "now - 100000000000d - 100000000000d < now", -1 },
		/* short-circuit: the overflow on the right never runs */
		{ "false and principal.level * 9223372036854775807 > 0", 0 },
		{ "true or principal.level * 9223372036854775807 > 0", 1 },
	};
	RUN(rows);
}

Test(codegen, logic_short_circuits)
{
	static const struct row rows[] = {
		{ "principal.mfa and principal.level == 5", 1 },
		{ "principal.mfa and principal.level == 6", 0 },
		{ "principal.level == 6 and principal.mfa", 0 },
		{ "principal.level == 6 or principal.mfa", 1 },
		{ "principal.mfa or principal.level == 6", 1 },
		{ "false or false", 0 },
		{ "not principal.mfa", 0 }, { "not (principal.level > 9)", 1 },
		{ "(principal.mfa or false) and (false or principal.level == 5)", 1 },
		/* `has` guards an absent optional attribute read on its right */
		{ "principal has nick and principal.nick == \"al\"", 0 },
		{ "principal has nick", 0 }, { "principal has tenant", 1 },
		{ "principal.profile has meta", 0 },
		{ "principal.profile has meta and principal.profile.meta.score > 1", 0 },
		{ "context has n and context.n > 1", 0 },
		{ "principal.profile.name == \"Alice\"", 1 },
	};
	RUN(rows);
}

Test(codegen, short_circuit_has_when_the_attribute_is_present)
{
	authz_bundle *b = cg_compile("permit t {\n  resource is Doc\n"
				     "  when principal has nick and principal.nick == \"al\"\n"
				     "  when principal.profile has meta and principal.profile.meta.score == 7\n}\n",
				     NULL, NULL);
	char req[2048];
	snprintf(req, sizeof req, "%s", CG_REQUEST);
	char *at = strstr(req, "\"profile\":{\"name\":\"Alice\"}");
	cr_assert(at);
	const char *repl = "\"nick\":\"al\",\"profile\":{\"name\":\"Alice\",\"meta\":{\"score\":7}}";
	char tail[2048];
	snprintf(tail, sizeof tail, "%s", at + strlen("\"profile\":{\"name\":\"Alice\"}"));
	snprintf(at, sizeof req - (size_t)(at - req), "%s%s", repl, tail);
	char *line = cg_decide(b, req, 0);
	cr_expect(strstr(line, "\"decision\":\"allow\",\"rules\":[\"t\"],\"errors\":[]"), "%s", line);
	free(line);
	line = cg_decide(b, NULL, 0);
	cr_expect(strstr(line, "\"decision\":\"deny\",\"rules\":[],\"errors\":[]"), "%s", line);
	free(line);
	authz_bundle_free(b);
}

Test(codegen, like_sets_and_ips)
{
	static const struct row rows[] = {
		{ "principal.id like \"al*\"", 1 }, { "principal.id like \"*ice\"", 1 },
		{ "principal.id like \"*\"", 1 }, { "principal.id like \"b*\"", 0 },
		{ "principal.id like \"alice\"", 1 }, { "principal.id like \"alic\"", 0 },
		/* "\\*" in the source is the two bytes \* : a literal star */
		{ "resource.label like \"v\\\\*1\"", 1 }, { "resource.label like \"v\\\\*2\"", 0 },
		{ "resource.owner like \"al\\\\*\"", 0 },
		{ "\"a\" in principal.groups", 1 }, { "\"z\" in principal.groups", 0 },
		{ "2 in principal.nums", 1 }, { "7 in principal.nums", 0 },
		{ "principal.groups.containsAll([\"a\", \"b\"])", 1 },
		{ "principal.groups.containsAll([\"a\", \"c\"])", 0 },
		{ "principal.groups.containsAll([])", 1 },
		{ "principal.groups.containsAny([\"c\", \"b\"])", 1 },
		{ "principal.groups.containsAny(GROUPS)", 1 },
		{ "principal.groups.containsAny([\"c\"])", 0 },
		{ "principal.groups.isEmpty()", 0 }, { "not resource.tags.isEmpty()", 1 },
		{ "principal.home in ip(\"10.0.0.0/8\")", 1 }, { "principal.home in NET", 1 },
		{ "principal.home in ip(\"10.2.0.0/16\")", 0 },
		{ "principal.home in ip(\"10.1.2.3\")", 1 },
		{ "principal.home == ip(\"10.1.2.3\")", 1 },
		{ "context.ip in ip(\"2001:db8::/32\")", 1 },
		{ "context.ip in ip(\"2001:db9::/32\")", 0 },
		{ "context.ip == ip(\"2001:db8::5\")", 1 },
		{ "context.ip in ip(\"10.0.0.0/8\")", 0 },
	};
	RUN(rows);
}

Test(codegen, timestamps)
{
	static const struct row rows[] = {
		{ "principal.born.year == 2000", 1 }, { "principal.born.month == 2", 1 },
		{ "principal.born.day == 29", 1 }, { "principal.born.hour == 12", 1 },
		{ "principal.born.minute == 34", 1 }, { "principal.born.weekday == 2", 1 },
		{ "now.weekday == 7", 1 }, { "(now + 1d).weekday == 1", 1 },
		{ "(now - 30m).hour == 9", 1 }, { "(now + 14h).day == 23", 1 },
		{ "now - principal.born > 1d", 1 },
		{ "resource.expires - now == 8d14h", 1 },
		{ "now + principal.ttl == time(\"2026-11-22T11:00:00Z\")", 1 },
		{ "now < resource.expires", 1 }, { "now >= resource.expires", 0 },
		{ "context.t == now", 1 }, { "now - 1ms < context.t", 1 },
	};
	RUN(rows);
}

Test(codegen, entity_equality)
{
	authz_bundle *b = cg_compile("permit self {\n  action == \"write\"\n  resource is User\n"
				     "  when principal == resource\n}\n", NULL, NULL);
	char req[2048];
	snprintf(req, sizeof req, "{\"principal\":%s,\"action\":\"write\",\"resource\":%s,"
		 "\"context\":{\"ip\":\"10.0.0.1\",\"d\":\"1s\",\"t\":\"2026-11-22T10:00:00Z\"},"
		 "\"time\":\"2026-11-22T10:00:00Z\"}", CG_USER, CG_USER);
	char *line = cg_decide(b, req, 0);
	cr_expect(strstr(line, "\"decision\":\"allow\",\"rules\":[\"self\"]"), "%s", line);
	free(line);
	char *bob = strstr(req + strlen(CG_USER), "\"alice\"");
	cr_assert(bob);
	memcpy(bob, "\"bobby\"", 7);
	line = cg_decide(b, req, 0);
	cr_expect(strstr(line, "\"decision\":\"deny\",\"rules\":[]"), "%s", line);
	free(line);
	authz_bundle_free(b);
}

Test(codegen, forbid_in_error_denies_permit_in_error_does_not_apply)
{
	authz_bundle *b = cg_compile("permit p {\n  when true\n}\n"
				     "forbid f {\n  resource is Doc\n"
				     "  when principal.level * 9223372036854775807 > 0\n}\n", NULL, NULL);
	char *line = cg_decide(b, NULL, 0);
	cr_expect(strstr(line, "\"decision\":\"deny\",\"rules\":[\"f\"]"), "%s", line);
	cr_expect(strstr(line, "\"kind\":\"rule\",\"rule\":\"f\""), "%s", line);
	free(line);
	authz_bundle_free(b);

	b = cg_compile("permit p {\n  resource is Doc\n  when principal.level * 9223372036854775807 > 0\n}\n"
		       "permit q {\n  resource is Doc\n  when principal.level == 5\n}\n", NULL, NULL);
	line = cg_decide(b, NULL, 0);
	cr_expect(strstr(line, "\"decision\":\"allow\",\"rules\":[\"q\"]"), "%s", line);
	cr_expect(strstr(line, "\"kind\":\"rule\",\"rule\":\"p\""), "%s", line);
	free(line);
	authz_bundle_free(b);
}

Test(codegen, expires)
{
	authz_bundle *b = cg_compile("@expires(\"2026-11-22T10:00:01Z\")\npermit jit {\n  when true\n}\n",
				     NULL, NULL);
	char *line = cg_decide(b, NULL, 0);
	cr_expect(strstr(line, "\"decision\":\"allow\",\"rules\":[\"jit\"]"), "%s", line);
	free(line);
	char req[2048];
	snprintf(req, sizeof req, "%s", CG_REQUEST);
	char *t = strstr(req, "\"time\":\"2026-11-22T10:00:00Z\"");
	cr_assert(t);
	memcpy(t + strlen("\"time\":\"2026-11-22T10:00:0"), "1", 1);
	line = cg_decide(b, req, AUTHZ_DECIDE_TRACE);
	cr_expect(strstr(line, "\"decision\":\"deny\",\"rules\":[]"), "%s", line);
	free(line);
	authz_bundle_free(b);
}

Test(codegen, scope_is_checked_at_run_time)
{
	authz_bundle *b = cg_compile("permit w {\n  action == \"write\"\n  when true\n}\n"
				     "permit r {\n  action in [\"read\"]\n  resource is Doc\n  when true\n}\n",
				     NULL, NULL);
	char *line = cg_decide(b, NULL, 0);
	cr_expect(strstr(line, "\"decision\":\"allow\",\"rules\":[\"r\"]"), "%s", line);
	free(line);
	authz_bundle_free(b);
}

Test(codegen, trace_names_the_guard_that_held_each_rule_back)
{
	authz_bundle *b = cg_compile(
		"permit r0 {\n  when principal.level == 4 and principal.mfa\n  when true\n  unless false\n}\n"
		"permit r1 {\n  when principal.mfa and principal.level == 4\n  when true\n  unless false\n}\n"
		"permit r2 {\n  when principal.mfa and principal.mfa\n  when principal.level == 4\n"
		"  unless false\n}\n"
		"permit r3 {\n  when principal.mfa\n  when principal.mfa\n  unless false\n"
		"  unless principal.level == 5\n}\n"
		"permit r4 {\n  when principal.mfa\n  unless principal.level == 4\n}\n", NULL, NULL);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	cr_assert_eq(authz_decide_json(d, b, r, CG_REQUEST, strlen(CG_REQUEST), AUTHZ_DECIDE_TRACE), 0);
	cr_assert_eq(authz_decision_trace_count(d), 5);
	static const struct {
		const char *rule;
		int outcome, guard;
		uint32_t line, col;
		const char *text;
	} want[] = {
		{ "r0", AUTHZ_NOT_APPLIED, 0, 2, 8, "principal.level == 4" },
		{ "r1", AUTHZ_NOT_APPLIED, 1, 7, 26, "principal.level == 4" },
		{ "r2", AUTHZ_NOT_APPLIED, 2, 13, 8, "principal.level == 4" },
		{ "r3", AUTHZ_NOT_APPLIED, 3, 20, 10, "principal.level == 5" },
		{ "r4", AUTHZ_APPLIED, 0, 0, 0, NULL },
	};
	for (size_t i = 0; i < 5; i++) {
		authz_trace t;
		cr_assert_eq(authz_decision_trace(d, i, &t), 0);
		cr_expect_str_eq(t.rule, want[i].rule);
		cr_expect_eq(t.outcome, want[i].outcome, "%s outcome %d", t.rule, t.outcome);
		if (want[i].outcome != AUTHZ_NOT_APPLIED)
			continue;
		cr_expect_eq(t.guard, want[i].guard, "%s guard %d", t.rule, t.guard);
		cr_expect_eq(t.line, want[i].line, "%s line %u", t.rule, t.line);
		cr_expect_eq(t.col, want[i].col, "%s col %u", t.rule, t.col);
		cr_assert_not_null(t.text);
		cr_expect_str_eq(t.text, want[i].text);
		cr_expect_str_eq(t.file, "policies/p.authz");
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

Test(codegen, annotations_and_rule_table)
{
	authz_bundle *b = cg_compile("package p;\n@owner(\"sec\")\n@ticket(\"T-1\")\nforbid f {\n  when false\n}\n"
				     "permit g {\n  when true\n}\n", NULL, NULL);
	cr_assert_eq(authz_bundle_rule_count(b), 2);
	cr_expect_str_eq(authz_bundle_rule_id(b, 0), "p.f");
	cr_expect_eq(authz_bundle_rule_effect(b, 0), 1);
	cr_expect_str_eq(authz_bundle_rule_id(b, 1), "p.g");
	cr_expect_eq(authz_bundle_rule_effect(b, 1), 0);
	cr_assert_eq(authz_bundle_rule_annotation_count(b, 0), 2);
	const char *k, *v;
	cr_assert_eq(authz_bundle_rule_annotation(b, 0, 1, &k, &v), 0);
	cr_expect_str_eq(k, "ticket");
	cr_expect_str_eq(v, "T-1");
	cr_expect_str_eq(authz_bundle_source_revision(b), "");
	authz_bundle_free(b);
}

Test(codegen, revision_is_recorded)
{
	const char *files[] = { "policies/p.authz", "permit g {\n  when true\n}\n", NULL };
	cr_assert_eq(ck_run_v(CG_SCHEMA, files), 0);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(codegen_bundle(&ck_c, "0123abcd", &buf, &len), 0);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	cr_expect_str_eq(authz_bundle_source_revision(b), "0123abcd");
	authz_bundle_free(b);
	free(buf);
}

Test(codegen, same_sources_give_the_same_bytes)
{
	const char *policy = "const S = [\"z\", \"a\", \"m\"];\n"
			     "@owner(\"x\")\npermit a {\n  resource is Doc\n"
			     "  when principal.tenant in S and principal.home in ip(\"10.0.0.0/8\")\n"
			     "  unless resource.label like \"*x*\"\n}\n"
			     "forbid b {\n  when principal.level > 3 or now.hour < 2\n}\n";
	uint8_t *one, *two;
	size_t n1, n2;
	authz_bundle *b1 = cg_compile(policy, &one, &n1);
	authz_bundle *b2 = cg_compile(policy, &two, &n2);
	cr_assert_eq(n1, n2);
	cr_expect_eq(memcmp(one, two, n1), 0, "two compilations differ");
	cr_expect_str_eq(authz_bundle_digest(b1), authz_bundle_digest(b2));
	free(one);
	free(two);
	authz_bundle_free(b1);
	authz_bundle_free(b2);
}

/* The schema digest (inspect, promotion records) follows the schema only. */
Test(codegen, schema_digest_follows_the_schema_not_the_rules)
{
	authz_bundle *b1 = cg_compile("permit a {\n  when principal.level > 3\n}\n", NULL, NULL);
	authz_bundle *b2 = cg_compile("@owner(\"x\")\nforbid zz {\n  when now.hour < 2\n}\n"
				      "permit q {\n  resource is Doc\n}\n", NULL, NULL);
	cr_expect_str_neq(authz_bundle_digest(b1), authz_bundle_digest(b2));
	cr_expect_str_eq(authz_bundle_schema_digest(b1), authz_bundle_schema_digest(b2));
	cr_expect_eq(strncmp(authz_bundle_schema_digest(b1), "sha256:", 7), 0);
	cr_expect_eq(strlen(authz_bundle_schema_digest(b1)), 71);
	authz_bundle_free(b1);
	authz_bundle_free(b2);

	/* Another schema, another digest. */
	const char *files[] = { "policies/p.authz", "permit a {\n  when true\n}\n", NULL };
	cr_assert_eq(ck_run_v("{\"types\": {\"U\": {}}, \"actions\": {\"r\": "
			      "{\"principals\": [\"U\"], \"resources\": [\"U\"]}}}", files), 0);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	authz_bundle *b3;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b3, buf, len, &err), 0, "%s", err.message);
	authz_bundle *b4 = cg_compile("permit a {\n  when true\n}\n", NULL, NULL);
	cr_expect_str_neq(authz_bundle_schema_digest(b3), authz_bundle_schema_digest(b4));
	free(buf);
	authz_bundle_free(b3);
	authz_bundle_free(b4);
}

Test(codegen, deep_expression_fits_the_operand_stack)
{
	/* Nesting just under AST_MAX_DEPTH, leaning right so every level keeps
	 * a value on the stack: the deepest stack a checked policy can need. */
	char cond[8192] = "principal.level";
	size_t n = strlen(cond);
	for (int i = 0; i < 250; i++)
		n += (size_t)snprintf(cond + n, sizeof cond - n, " + (1");
	for (int i = 0; i < 250; i++)
		cond[n++] = ')';
	cond[n] = 0;
	char policy[9000];
	snprintf(policy, sizeof policy, "permit deep {\n  resource is Doc\n  when %s == 255\n}\n", cond);
	authz_bundle *b = cg_compile(policy, NULL, NULL);
	char *line = cg_decide(b, NULL, 0);
	cr_expect(strstr(line, "\"decision\":\"allow\",\"rules\":[\"deep\"]"), "%s", line);
	free(line);
	authz_bundle_free(b);
}

/* ---- the examples/ project ------------------------------------------------ */

static struct compilation ex_c;

static void compile_examples(uint8_t **buf, size_t *len)
{
	compilation_init(&ex_c);
	ex_c.now_ms = CK_NOW_MS;
	ex_c.root = arena_strdup(&ex_c.arena, "examples");
	struct source_tree t;
	source_tree_fs(&t, ex_c.root);
	size_t errors = compilation_run(&ex_c, &t);
	if (errors)
		diag_render_text(stderr, &ex_c.src, &ex_c.diags, false);
	cr_assert_eq(errors, 0, "examples/ does not check (run from the repository root)");
	cr_assert_eq(codegen_bundle(&ex_c, "", buf, len), 0);
}

static bool has_rule(const authz_decision *d, const char *id)
{
	for (size_t i = 0; i < authz_decision_rule_count(d); i++)
		if (!strcmp(authz_decision_rule(d, i), id))
			return true;
	return false;
}

Test(codegen, examples_decide_as_their_tests_expect)
{
	uint8_t *buf;
	size_t len;
	compile_examples(&buf, &len);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	const struct checked *ck = ex_c.checked;
	cr_assert_gt(ck->ntests, 10);
	size_t ran = 0;
	for (size_t i = 0; i < ck->ntests; i++) {
		const struct checked_test *t = &ck->tests[i];
		cr_assert(t->ok, "test '%s' did not resolve", t->name);
		char msg[256];
		cr_assert_eq(test_request_build(r, &t->request, &ex_c.arena, msg, sizeof msg), 0,
			     "'%s': %s", t->name, msg);
		cr_assert_eq(authz_decide(d, b, r, 0), 0);
		const char *line = authz_decision_json(d, NULL);
		cr_expect_eq(authz_decision_allowed(d), t->expect_allow, "'%s': %s", t->name, line);
		if (t->by == EXPECT_DEFAULT)
			cr_expect_eq(authz_decision_rule_count(d), 0, "'%s': %s", t->name, line);
		if (t->by == EXPECT_RULES) {
			cr_expect_eq(authz_decision_rule_count(d), t->nby_rules, "'%s': %s", t->name, line);
			for (size_t k = 0; k < t->nby_rules; k++)
				cr_expect(has_rule(d, t->by_rules[k]->id), "'%s': no %s in %s", t->name,
					  t->by_rules[k]->id, line);
		}
		cr_expect_eq(authz_decision_error_count(d), 0, "'%s': %s", t->name, line);
		ran++;
	}
	cr_expect_eq(ran, ck->ntests);
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
	free(buf);
	compilation_release(&ex_c);
}

Test(codegen, examples_request_json_form_decides_the_same)
{
	uint8_t *buf;
	size_t len;
	compile_examples(&buf, &len);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	for (size_t i = 0; i < ex_c.checked->ntests; i++) {
		const struct checked_test *t = &ex_c.checked->tests[i];
		char msg[256];
		cr_assert_eq(test_request_build(r, &t->request, &ex_c.arena, msg, sizeof msg), 0);
		cr_assert_eq(authz_decide(d, b, r, 0), 0);
		char *api = strdup(authz_decision_json(d, NULL));
		char *json = test_request_json(&ex_c.arena, &t->request);
		cr_assert_eq(authz_decide_json(d, b, r, json, strlen(json), 0), 0);
		cr_expect_str_eq(authz_decision_json(d, NULL), api, "'%s' via %s", t->name, json);
		free(api);
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
	free(buf);
	compilation_release(&ex_c);
}

/*
 * The README's targets want every bundle smaller than its sources (schema and policies:
 * the bundle holds both).  Format 2 (varints, length-prefixed strings):
 * examples/ compile to 5,449 bytes for 8,105 source bytes.
 */
Test(codegen, examples_bundle_is_smaller_than_its_sources)
{
	uint8_t *buf;
	size_t len;
	compile_examples(&buf, &len);
	size_t src = 0;
	struct src_file *f = srcset_file(&ex_c.src, ex_c.schema_file);
	src += f->len;
	for (size_t i = 0; i < ex_c.nfiles; i++)
		if (!ex_c.files[i]->is_test)
			src += srcset_file(&ex_c.src, ex_c.files[i]->file)->len;
	cr_expect_lt(len, src, "bundle %zu bytes, schema and policies %zu bytes", len, src);
	free(buf);
	compilation_release(&ex_c);
}

Test(codegen, examples_compile_deterministically)
{
	uint8_t *one, *two;
	size_t n1, n2;
	compile_examples(&one, &n1);
	compilation_release(&ex_c);
	compile_examples(&two, &n2);
	compilation_release(&ex_c);
	cr_assert_eq(n1, n2);
	cr_expect_eq(memcmp(one, two, n1), 0);
	free(one);
	free(two);
}

Test(test_request, unknown_attribute_is_reported)
{
	/* A request built for one schema, decided against a bundle of another:
	 * the builder names what the bundle does not know. */
	uint8_t *buf;
	size_t len;
	compile_examples(&buf, &len);
	const struct checked_request *q = &ex_c.checked->tests[0].request;
	authz_bundle *b = cg_compile("permit g {\n  when true\n}\n", NULL, NULL);
	authz_request *r;
	cr_assert_eq(authz_request_new(&r, b), 0);
	char msg[256];
	int rc = test_request_build(r, q, &ex_c.arena, msg, sizeof msg);
	cr_expect_lt(rc, 0);
	cr_expect(strstr(msg, "not declared in the bundle's schema"), "%s", msg);
	authz_request_free(r);
	authz_bundle_free(b);
	free(buf);
	compilation_release(&ex_c);
}

/* ---- fmt never changes a decision ---------------------------------------- */

/* examples/ on disk, with its .authz files replaced by their formatted text. */
struct fmt_tree {
	struct source_tree fs;
	const char *name[64];           /* srcset names of the formatted files */
	const char *text[64];
	size_t len[64], n;
};

/* Is `name` (as the srcset shows it) the tree path `path`? */
static bool same_path(const char *name, const char *path)
{
	size_t n = strlen(name), p = strlen(path);
	return n == p ? !strcmp(name, path) : n > p && name[n - p - 1] == '/' && !strcmp(name + n - p, path);
}

static int fmt_tree_read(void *payload, const char *path, char **buf, size_t *len)
{
	struct fmt_tree *t = payload;
	for (size_t i = 0; i < t->n; i++)
		if (same_path(t->name[i], path)) {
			*buf = malloc(t->len[i] + 1);
			cr_assert_not_null(*buf);
			memcpy(*buf, t->text[i], t->len[i] + 1);
			*len = t->len[i];
			return 0;
		}
	return t->fs.read_file(t->fs.payload, path, buf, len);
}

static int fmt_tree_list(void *payload, const char *path, int (*fn)(const char *, bool, void *), void *arg)
{
	struct fmt_tree *t = payload;
	return t->fs.list_dir(t->fs.payload, path, fn, arg);
}

/* The decision's JSON line without its bundle digest (malloc'd). */
static char *without_digest(const char *line)
{
	char *s = strdup(line), *p = strstr(s, "sha256:");
	cr_assert_not_null(p, "%s", line);
	memset(p + 7, '-', 64);
	return s;
}

/* Build `q` into `r`, at a fixed time when it has none. */
static void build_test(authz_request *r, const struct checked_request *q, struct arena *a)
{
	char msg[256];
	cr_assert_eq(test_request_build(r, q, a, msg, sizeof msg), 0, "%s", msg);
	if (!authz_request_has_time(r))
		cr_assert_eq(authz_request_set_time(r, CK_NOW_MS), 0);
}

Test(codegen, fmt_never_changes_a_decision_on_the_examples)
{
	uint8_t *buf_a, *buf_b;
	size_t len_a, len_b;
	compile_examples(&buf_a, &len_a);
	/* format every file of examples/ (policies and tests) */
	struct fmt_tree ft = { .n = 0 };
	source_tree_fs(&ft.fs, ex_c.root);
	size_t changed = 0;
	for (size_t i = 0; i < ex_c.nfiles; i++) {
		cr_assert_lt(ft.n, 64);
		struct src_file *sf = srcset_file(&ex_c.src, ex_c.files[i]->file);
		ft.name[ft.n] = sf->name;
		ft.text[ft.n] = fmt_file(&ex_c.arena, &ex_c.src, ex_c.files[i], &ft.len[ft.n]);
		changed += ft.len[ft.n] != sf->len || memcmp(ft.text[ft.n], sf->text, sf->len) != 0;
		ft.n++;
	}
	cr_assert_gt(ft.n, 4, "the examples have policy and test files");
	struct source_tree tree = { .payload = &ft, .read_file = fmt_tree_read, .list_dir = fmt_tree_list };
	struct compilation fc;
	compilation_init(&fc);
	fc.now_ms = CK_NOW_MS;
	fc.root = arena_strdup(&fc.arena, "examples");
	size_t errors = compilation_run(&fc, &tree);
	if (errors)
		diag_render_text(stderr, &fc.src, &fc.diags, false);
	cr_assert_eq(errors, 0, "the formatted examples do not check");
	cr_assert_eq(codegen_bundle(&fc, "", &buf_b, &len_b), 0);

	authz_bundle *ba, *bb;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&ba, buf_a, len_a, &err), 0, "%s", err.message);
	cr_assert_eq(authz_bundle_load(&bb, buf_b, len_b, &err), 0, "%s", err.message);
	cr_assert_eq(authz_bundle_rule_count(ba), authz_bundle_rule_count(bb));
	if (changed)
		cr_expect_str_neq(authz_bundle_digest(ba), authz_bundle_digest(bb),
				  "%zu files changed by fmt, yet the same bundle", changed);
	authz_request *ra, *rb;
	authz_decision *da, *db;
	cr_assert_eq(authz_request_new(&ra, ba), 0);
	cr_assert_eq(authz_request_new(&rb, bb), 0);
	cr_assert_eq(authz_decision_new(&da), 0);
	cr_assert_eq(authz_decision_new(&db), 0);
	const struct checked *ck = ex_c.checked, *fk = fc.checked;
	cr_assert_gt(ck->ntests, 10);
	cr_assert_eq(fk->ntests, ck->ntests);
	size_t allowed = 0;
	for (size_t i = 0; i < ck->ntests; i++) {
		const struct checked_test *t = &ck->tests[i], *u = &fk->tests[i];
		cr_assert_str_eq(t->name, u->name);
		/* the original request on both bundles, and the formatted
		 * test's own request on the formatted bundle */
		for (int pass = 0; pass < 2; pass++) {
			build_test(ra, &t->request, &ex_c.arena);
			build_test(rb, pass ? &u->request : &t->request, &fc.arena);
			/* the JSON line: decision, rules, errors, time; without the
			 * trace, whose guard positions and texts follow the layout */
			cr_assert_eq(authz_decide(da, ba, ra, 0), 0);
			cr_assert_eq(authz_decide(db, bb, rb, 0), 0);
			char *ja = without_digest(authz_decision_json(da, NULL));
			char *jb = without_digest(authz_decision_json(db, NULL));
			cr_expect_str_eq(jb, ja, "test '%s' (pass %d)", t->name, pass);
			allowed += pass == 0 && authz_decision_allowed(da);
			free(ja);
			free(jb);
			/* the traces: same rules, outcomes and guards */
			cr_assert_eq(authz_decide(da, ba, ra, AUTHZ_DECIDE_TRACE), 0);
			cr_assert_eq(authz_decide(db, bb, rb, AUTHZ_DECIDE_TRACE), 0);
			cr_assert_eq(authz_decision_trace_count(da), authz_decision_trace_count(db), "'%s'", t->name);
			for (size_t k = 0; k < authz_decision_trace_count(da); k++) {
				authz_trace x, y;
				cr_assert_eq(authz_decision_trace(da, k, &x), 0);
				cr_assert_eq(authz_decision_trace(db, k, &y), 0);
				cr_expect_str_eq(x.rule, y.rule, "'%s'", t->name);
				cr_expect_eq(x.outcome, y.outcome, "'%s' %s", t->name, x.rule);
				cr_expect_eq(x.guard, y.guard, "'%s' %s", t->name, x.rule);
			}
		}
	}
	cr_expect_gt(allowed, 0, "some example requests are allowed");
	cr_expect_lt(allowed, ck->ntests, "some example requests are denied");
	authz_decision_free(da);
	authz_decision_free(db);
	authz_request_free(ra);
	authz_request_free(rb);
	authz_bundle_free(ba);
	authz_bundle_free(bb);
	free(buf_a);
	free(buf_b);
	compilation_release(&fc);
	compilation_release(&ex_c);
}
