/*
 * test_json.c: the one-pass JSON request reader (request_json.c):
 * members in any order (attrs before type), which error a request gets
 * (a syntax error anywhere wins, else the first schema error in document
 * order), the time kept after a schema error but not after a syntax error,
 * and the eight-bytes-at-a-time string scan at every alignment.
 */
#include <stdio.h>

#include "test_runtime_fixture.h"

/* permit p when principal.level == 5 and principal.workload.signed
 *          and principal.id == <id> */
static authz_bundle *level_bundle(const char *id, size_t idlen)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	uint32_t k5, kid;
	struct bw_rule_desc d = { .id = "p", .effect = AUTHZ_PERMIT, .file = f->file, .line = 1, .col = 1 };
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_guard(f->w, f->file, 2, 3, "level", &f->guard));
	OK(bw_const_int(f->w, AUTHZ_K_INT, 5, &k5));
	OK(bw_const_string(f->w, id, idlen, &kid));
	fx_attr_read(f, AUTHZ_ROOT_PRINCIPAL, f->level);
	fx_k(f, k5);
	fx_n(f, AUTHZ_OP_EQ);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	fx_attr_read(f, AUTHZ_ROOT_PRINCIPAL, f->w_signed);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID, 0, 0));
	fx_k(f, kid);
	fx_n(f, AUTHZ_OP_EQ);
	fx_end_when(f);
	return fx_load(f, NULL, NULL);
}

#define PRINCIPAL_ATTRS                                                                              \
	"{\"tenant\":\"acme\",\"revoked\":false,\"groups\":[],\"workload\":{\"signed\":true," \
	"\"spiffe_id\":\"s\"},\"level\":%d}"
#define REST                                                                                          \
	"\"action\":\"read\",\"resource\":{\"type\":\"Dataset\",\"id\":\"d\",\"attrs\":{\"tenant\":\"acme\"," \
	"\"env\":\"prod\",\"change_tickets\":[]}},\"context\":{\"source_ip\":\"10.0.0.1\"}"

/* The decision line of `json` against b (malloc'd). */
static char *decide(authz_bundle *b, const char *json) { return fx_decide(b, json, 0); }

static void expect_prefix(authz_bundle *b, const char *json, const char *want)
{
	char *line = decide(b, json);
	cr_assert(strncmp(line, want, strlen(want)) == 0, "\n got: %s\nwant: %s\n for: %s", line, want, json);
	free(line);
}

static void expect_error(authz_bundle *b, const char *json, const char *msg)
{
	char want[600];
	snprintf(want, sizeof want,
		 "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"request\",\"message\":\"%s\"}]", msg);
	expect_prefix(b, json, want);
}

#define ALLOW "{\"decision\":\"allow\",\"rules\":[\"p\"],\"errors\":[]"
#define DENY "{\"decision\":\"deny\",\"rules\":[],\"errors\":[]"

Test(runtime_json, entity_members_in_any_order)
{
	authz_bundle *b = level_bundle("ci", 2);
	static const char *const forms[] = {
		"{\"principal\":{\"type\":\"ServiceAccount\",\"id\":\"ci\",\"attrs\":" PRINCIPAL_ATTRS "}," REST "}",
		"{\"principal\":{\"attrs\":" PRINCIPAL_ATTRS ",\"id\":\"ci\",\"type\":\"ServiceAccount\"}," REST "}",
		"{\"principal\":{\"id\":\"ci\",\"attrs\":" PRINCIPAL_ATTRS ",\"type\":\"ServiceAccount\"}," REST "}",
		"{" REST ",\"principal\":{\"attrs\":" PRINCIPAL_ATTRS ",\"type\":\"ServiceAccount\",\"id\":\"ci\"}}",
	};
	char json[1024];
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		snprintf(json, sizeof json, forms[i], 5);
		expect_prefix(b, json, ALLOW);
		/* the attrs are really read, wherever they come: level 6 is denied */
		snprintf(json, sizeof json, forms[i], 6);
		expect_prefix(b, json, DENY);
	}
	/* attrs before the type are still checked against the type */
	expect_error(b,
		     "{\"principal\":{\"attrs\":{\"tenant\":\"acme\",\"revoked\":false,\"groups\":[],"
		     "\"workload\":{\"signed\":true,\"spiffe_id\":\"s\"},\"level\":\"5\"},\"id\":\"ci\","
		     "\"type\":\"ServiceAccount\"}," REST "}",
		     "wrong type for 'principal.level': expected int");
	expect_error(b, "{\"principal\":{\"attrs\":{\"level\":5},\"id\":\"ci\",\"type\":\"Robot\"}," REST "}",
		     "unknown principal type 'Robot'");
	expect_error(b, "{\"principal\":{\"attrs\":{},\"id\":\"ci\"}," REST "}", "'principal' has no type");
	authz_bundle_free(b);
}

Test(runtime_json, a_syntax_error_anywhere_wins)
{
	authz_bundle *b = level_bundle("ci", 2);
	/* a schema error first, then text that is not JSON */
	expect_error(b, "{\"principal\":{\"type\":\"Robot\",\"id\":\"x\"},\"action\":\"read\",\"x\":[1,}",
		     "bad JSON at byte 62: unexpected character");
	expect_error(b, "{\"principal\":7,\"action\":\"read\"", "bad JSON at byte 30: expected ',' or '}'");
	expect_error(b, "[1,2", "bad JSON at byte 4: expected ',' or ']'");
	expect_error(b, "\"just a string\"", "request is not a JSON object");
	/* with valid JSON: the first schema error in document order */
	expect_error(b, "{\"context\":{\"source_ip\":\"nope\"},\"principal\":{\"type\":\"Robot\",\"id\":\"x\"}}",
		     "bad ip 'nope' for 'context.source_ip'");
	expect_error(b, "{\"principal\":{\"type\":\"Robot\",\"id\":\"x\"},\"context\":{\"source_ip\":\"nope\"}}",
		     "unknown principal type 'Robot'");
	/* after a schema error, undeclared and declared values alike are only
	 * checked for syntax */
	expect_error(b, "{\"action\":\"fly\",\"principal\":{\"type\":7,\"id\":[{\"a\":[true,null,-1.5e3]}]}}",
		     "unknown action 'fly'");
	authz_bundle_free(b);
}

Test(runtime_json, the_time_survives_schema_errors_not_syntax_errors)
{
	authz_bundle *b = level_bundle("ci", 2);
	authz_request *r;
	cr_assert_eq(authz_request_new(&r, b), 0);
	static const char schema_bad[] = "{\"action\":\"fly\",\"time\":\"2020-01-01T00:00:00Z\"}";
	cr_assert_eq(authz_request_parse_json(r, schema_bad, strlen(schema_bad)), 0);
	cr_expect_eq(authz_request_has_time(r), 1);
	static const char not_json[] = "{\"action\":\"fly\",\"time\":\"2020-01-01T00:00:00Z\",}";
	cr_assert_eq(authz_request_parse_json(r, not_json, strlen(not_json)), 0);
	cr_expect_eq(authz_request_has_time(r), 0, "nothing read from text that is not JSON counts");
	/* a time cut off inside its string (once read uninitialised, found by
	 * fuzz_request: tests/fuzz/regress/request/time-cut-short-uninit) */
	static const char cut[] = "{\"action\":\"read\",\"time\":\"2020-01";
	cr_assert_eq(authz_request_parse_json(r, cut, strlen(cut)), 0);
	cr_expect_eq(authz_request_has_time(r), 0);
	expect_error(b, cut, "bad JSON at byte 32: unterminated string");
	authz_request_free(r);
	authz_bundle_free(b);
}

/* The request with principal id text `id` (JSON string body). */
static void with_id(char *json, size_t size, const char *id)
{
	char attrs[256];
	snprintf(attrs, sizeof attrs, PRINCIPAL_ATTRS, 5);
	snprintf(json, size, "{\"principal\":{\"type\":\"ServiceAccount\",\"id\":\"%s\",\"attrs\":%s}," REST "}", id,
		 attrs);
}

Test(runtime_json, string_scan_at_every_alignment)
{
	char json[2048], id[64], want[64];
	for (size_t at = 0; at < 24; at++) {
		/* an escaped quote, a backslash, a 2-byte and a 4-byte UTF-8
		 * character at offset `at` of the id: decoded exactly */
		static const struct { const char *text, *value; } specials[] = {
			{ "\\\"", "\"" }, { "\\\\", "\\" }, { "\xc3\xa9", "\xc3\xa9" },
			{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" }, { "\\u00e9", "\xc3\xa9" }, { "\\/", "/" },
		};
		for (size_t s = 0; s < sizeof specials / sizeof *specials; s++) {
			snprintf(id, sizeof id, "%.*s%s%.*s", (int)at, "abcdefghijklmnopqrstuvwxyz", specials[s].text,
				 (int)(at % 9), "ABCDEFGHIJ");
			snprintf(want, sizeof want, "%.*s%s%.*s", (int)at, "abcdefghijklmnopqrstuvwxyz",
				 specials[s].value, (int)(at % 9), "ABCDEFGHIJ");
			authz_bundle *b = level_bundle(want, strlen(want));
			with_id(json, sizeof json, id);
			expect_prefix(b, json, ALLOW);
			authz_bundle_free(b);
		}
	}
	authz_bundle *b = level_bundle("ci", 2);
	for (size_t at = 0; at < 24; at++) {
		/* a raw control character at offset `at`: refused right there */
		snprintf(id, sizeof id, "%.*s\x01tail", (int)at, "abcdefghijklmnopqrstuvwxyz");
		with_id(json, sizeof json, id);
		char msg[80];
		snprintf(msg, sizeof msg, "bad JSON at byte %zu: control character in string",
			 (size_t)(strstr(json, "\x01") - json));
		expect_error(b, json, msg);
		/* a bad UTF-8 byte at offset `at` */
		snprintf(id, sizeof id, "%.*s\xfftail", (int)at, "abcdefghijklmnopqrstuvwxyz");
		with_id(json, sizeof json, id);
		expect_error(b, json, "string is not valid UTF-8");
		/* a string cut off after `at` bytes */
		snprintf(json, sizeof json, "{\"principal\":{\"type\":\"ServiceAccount\",\"id\":\"%.*s", (int)at,
			 "abcdefghijklmnopqrstuvwxyz");
		snprintf(msg, sizeof msg, "bad JSON at byte %zu: unterminated string", strlen(json));
		expect_error(b, json, msg);
	}
	authz_bundle_free(b);
}
