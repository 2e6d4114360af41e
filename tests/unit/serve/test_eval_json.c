/*
 * test_eval_json.c: the pieces of eval_json.h that serve adds: a JSON
 * array split into its elements, and a deny without a bundle.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_json.h"

struct got {
	char text[8][64];
	int n;
	int stop_at;
};

static int each(const char *elem, size_t len, void *payload)
{
	struct got *g = payload;
	if (g->n == g->stop_at)
		return 7;
	cr_assert_lt(len, 64);
	memcpy(g->text[g->n], elem, len);
	g->text[g->n][len] = '\0';
	g->n++;
	return 0;
}

static int split(const char *s, struct got *g)
{
	struct buf scratch = { 0 };
	memset(g->text, 0, sizeof g->text);
	g->n = 0;
	int rc = eval_json_array(s, strlen(s), &scratch, each, g);
	cr_assert_eq(scratch.n, 0, "scratch left empty");
	buf_release(&scratch);
	return rc;
}

Test(eval_json, arrays_split_into_raw_elements)
{
	struct got g = { .stop_at = -1 };
	cr_assert_eq(split(" [ {\"a\" : [1, 2]} , \"x,]\" ,3e5 ] \n", &g), 0);
	cr_assert_eq(g.n, 3);
	cr_assert_str_eq(g.text[0], "{\"a\" : [1, 2]}");
	cr_assert_str_eq(g.text[1], "\"x,]\"");
	cr_assert_str_eq(g.text[2], "3e5");
	cr_assert_eq(split("[]", &g), 0);
	cr_assert_eq(g.n, 0);
}

Test(eval_json, what_is_not_an_array)
{
	struct got g = { .stop_at = -1 };
	const char *bad[] = { "", "{}", "[1,]", "[,1]", "[1 2]", "[1", "[1]]", "[1] x", "[01]", "[\"\x01\"]", NULL };
	for (size_t i = 0; bad[i]; i++)
		cr_assert_eq(split(bad[i], &g), 1, "%s", bad[i]);
}

Test(eval_json, the_callback_stops_the_split)
{
	struct got g = { .stop_at = 1 };
	cr_assert_eq(split("[1,2,3]", &g), 7);
	cr_assert_eq(g.n, 1);
}

Test(eval_json, a_deny_without_a_bundle_names_none)
{
	struct buf b = { 0 };
	cr_assert_eq(eval_deny_json(&b, "no bundle is loaded", 0, NULL, false), 0);
	cr_assert_str_eq(buf_cstr(&b), "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"request\","
				       "\"message\":\"no bundle is loaded\"}],\"time\":\"1970-01-01T00:00:00Z\","
				       "\"bundle\":null}");
	buf_release(&b);
}
