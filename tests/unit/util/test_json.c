/*
 * test_json.c: JSON strings, paths and kinds (compiler/util/json.h).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "json.h"

/* json_put_str of s[0..n) in a fresh buffer; caller frees. */
static char *quoted(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	json_put_str(&b, s, n);
	cr_assert_not(b.oom);
	return b.p;
}

Test(json, put_str_escapes_and_replaces_bad_utf8)
{
	static const char s[] = "a\"b\\c\nd\te\rf\x01\x1f\x7f \xc3\xa9 \xff|\xe2\x82";
	char *q = quoted(s, sizeof s - 1);
	cr_assert_str_eq(q, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001\\u001f\\u007f \xc3\xa9 "
			    "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\"");
	free(q);
	q = quoted("a\0b", 3);
	cr_assert_str_eq(q, "\"a\\u0000b\"", "a NUL is escaped, not a terminator");
	free(q);
	q = quoted("", 0);
	cr_assert_str_eq(q, "\"\"");
	free(q);
	/* Overlongs and surrogates are not characters: each byte is replaced. */
	q = quoted("\xc0\x80\xed\xa0\x80", 5);
	cr_assert_str_eq(q, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	free(q);
}

Test(json, put_str_appends)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "[");
	json_put_str(&b, "x", 1);
	buf_puts(&b, ",");
	json_put_str(&b, "y", 1);
	buf_puts(&b, "]");
	cr_assert_str_eq(b.p, "[\"x\",\"y\"]");
	buf_release(&b);
}

Test(json, ident)
{
	cr_assert(json_is_ident("User"));
	cr_assert(json_is_ident("_a1"));
	cr_assert_not(json_is_ident(""));
	cr_assert_not(json_is_ident("1a"));
	cr_assert_not(json_is_ident("a-b"));
	cr_assert_not(json_is_ident("window?"));
	cr_assert_not(json_is_ident("\xc3\xa9"));
}

Test(json, path_key_dots_identifiers_and_quotes_the_rest)
{
	struct arena a = ARENA_INIT;
	cr_assert_str_eq(json_path_key(&a, "$", "types"), "$.types");
	cr_assert_str_eq(json_path_key(&a, "$.types", "User"), "$.types.User");
	cr_assert_str_eq(json_path_key(&a, "$.actions", "s3:GetObject"), "$.actions[\"s3:GetObject\"]");
	cr_assert_str_eq(json_path_key(&a, "$", ""), "$[\"\"]");
	/* One rule for every key: the JSON string of json_put_str. */
	cr_assert_str_eq(json_path_key(&a, "$", "a b\x01'\"\\"), "$[\"a b\\u0001'\\\"\\\\\"]");
	cr_assert_str_eq(json_path_key(&a, "$", "\xff\xc3\xa9"), "$[\"\xef\xbf\xbd\xc3\xa9\"]");
	/* Never cut: a path names the member whatever its length. */
	char longkey[301];
	memset(longkey, 'k', 300);
	longkey[300] = '\0';
	longkey[0] = '-';
	cr_assert_eq(strlen(json_path_key(&a, "$", longkey)), 1 + 2 + 300 + 2);
	arena_free(&a);
}

Test(json, path_index)
{
	struct arena a = ARENA_INIT;
	cr_assert_str_eq(json_path_index(&a, "$.policies", 0), "$.policies[0]");
	cr_assert_str_eq(json_path_index(&a, json_path_key(&a, "$", "a b"), 12), "$[\"a b\"][12]");
	arena_free(&a);
}

Test(json, kind)
{
	const char *text = "[{}, [], \"s\", 1.5, true, null]";
	cJSON *v = cJSON_Parse(text);
	cr_assert_not_null(v);
	static const char *const want[] = { "an object", "an array", "a string", "a number",
					    "a boolean", "null" };
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
		cr_assert_str_eq(json_kind(e), want[i++]);
	cr_assert_eq(i, 6);
	cJSON_Delete(v);
}

Test(json, key_index)
{
	static const char *const known[] = { "types", "actions", "context" };
	cr_assert_eq(json_key_index("types", known, 3), 0);
	cr_assert_eq(json_key_index("context", known, 3), 2);
	cr_assert_eq(json_key_index("Types", known, 3), -1);
	cr_assert_eq(json_key_index("types", known, 0), -1);
}
