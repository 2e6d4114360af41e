/*
 * test_json_locate.c: a JSON path's place in its text
 * (compiler/util/json_locate.h), as schema and authzc.json diagnostics and
 * the language server's definitions use it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "json_locate.h"

static const char DOC[] =
	"{\n"
	"  \"types\": {\n"
	"    \"User\": { \"tenant\": \"string\", \"window?\": { \"start\": \"timestamp\" } },\n"
	"    \"a\\\"b\": [1, {\"k\": true}, null]\n"
	"  },\n"
	"  \"actions\": { \"s3:Get\": {} }\n"
	"}\n";

static void text_is(uint32_t a, uint32_t b, const char *want)
{
	cr_assert_eq(b - a, strlen(want), "span [%u, %u) is '%.*s', want '%s'", a, b, (int)(b - a),
		     DOC + a, want);
	cr_assert(!memcmp(DOC + a, want, strlen(want)));
}

Test(json_locate, members_keys_and_values)
{
	struct json_loc l;
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types.User.tenant", &l), 0);
	cr_assert(l.has_key);
	text_is(l.key_start, l.key_end, "\"tenant\"");
	text_is(l.start, l.end, "\"string\"");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types.User[\"window?\"].start", &l), 0);
	text_is(l.start, l.end, "\"timestamp\"");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.actions[\"s3:Get\"]", &l), 0);
	text_is(l.key_start, l.key_end, "\"s3:Get\"");
	text_is(l.start, l.end, "{}");
}

Test(json_locate, escaped_keys_and_indexes)
{
	struct json_loc l;
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types[\"a\\\"b\"][1].k", &l), 0);
	text_is(l.start, l.end, "true");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types[\"a\\\"b\"][2]", &l), 0);
	cr_assert_not(l.has_key);
	text_is(l.start, l.end, "null");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$", &l), 0);
	cr_assert_eq(l.start, 0);
	cr_assert_eq(l.end, strlen(DOC) - 1);
}

Test(json_locate, what_is_missing_gives_the_deepest_found)
{
	struct json_loc l;
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types.Nobody.x", &l), 1);
	text_is(l.key_start, l.key_end, "\"types\"");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types.User.tenant.deeper", &l), 1,
		     "a string has no members");
	text_is(l.start, l.end, "\"string\"");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types[\"a\\\"b\"][9]", &l), 1);
}

Test(json_locate, refuses_what_is_not_json_or_not_a_path)
{
	struct json_loc l;
	cr_assert_eq(json_locate(DOC, strlen(DOC), "types.User", &l), -1, "a path starts with $");
	cr_assert_eq(json_locate(DOC, strlen(DOC), "$.types[", &l), 1, "a broken segment stops the walk");
	cr_assert_eq(json_locate("{\"a\": ", 6, "$.a", &l), -1);
	cr_assert_eq(json_locate("", 0, "$", &l), -1);
	cr_assert_eq(json_locate("{\"a\": [1, 2", 11, "$.a[1]", &l), -1, "an unclosed document");
	/* Never reads past len: the text goes on, the length says it ends. */
	cr_assert_eq(json_locate("{\"a\": 1}", 4, "$.a", &l), -1);
	/* Nesting deeper than the limit is refused, not recursed into. */
	static char deep[2 * 600 + 1];
	memset(deep, '[', 600);
	memset(deep + 600, ']', 600);
	cr_assert_eq(json_locate(deep, 1200, "$[0]", &l), -1);
}
