/*
 * test_diff_render.c: diff_render (diff_render.c) of hand-built reports,
 * printed through open_memstream: the text, markdown and JSON forms in
 * full, changed decisions loosened first, the responsible rules sorted and
 * marked by side, markdown table cells escaped, an empty report, and a
 * report whose only change is to authzc.json.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

static struct arena arena = ARENA_INIT;

static void fini(void)
{
	arena_free(&arena);
}

TestSuite(diff_render, .fini = fini);

/* Every part of a report: two rules and a constant, three schema changes,
 * one decision of each impact (tightened first, to show the order), and
 * the responsible rules out of order. */
static void full_report(struct diff_report *r)
{
	static struct diff_line changed[] = { { '-', "when principal.tenant == resource.tenant" },
					      { '+', "when principal.tenant == resource.tenant or resource.env == \"shared\"" } };
	static struct diff_line added[] = { { '+', "forbid frozen {" }, { '+', "  when resource.env == \"frozen\"" },
					    { '+', "}" } };
	static struct diff_line removed[] = { { '-', "const limit = 5;" } };
	static struct diff_item items[] = {
		{ DIFF_ADDED, "p.frozen", "rule", "forbid", NULL, added, 3 },
		{ DIFF_CHANGED, "p.read", "rule", "permit", "annotations, guards", changed, 2 },
		{ DIFF_REMOVED, "p.limit", "constant", NULL, NULL, removed, 1 },
	};
	static struct diff_schema schema[] = {
		{ DIFF_CHANGED, "attribute 'User.mfa'", "required -> optional" },
		{ DIFF_ADDED, "attribute 'Doc.owner'", "string" },
		{ DIFF_REMOVED, "action 'delete'", NULL },
	};
	static const char *read[] = { "p.read" }, *frozen[] = { "p.frozen" }, *a[] = { "p.a" },
			  *b[] = { "p.b" }, *ab[] = { "p.a", "p.b" };
	static struct diff_decision decisions[] = {
		{ IMPACT_TIGHTENED, "test 'frozen docs'", "{\"principal\": 1}", true, false, read, frozen, 1, 1,
		  frozen, 1, "{\"allowed\": true}", "{\"allowed\": false}", true },
		{ IMPACT_LOOSENED, "replay.jsonl:3", "{\"action\": \"read\"}", false, true, NULL, read, 0, 1,
		  read, 1, "{\"allowed\": false}", "{\"allowed\": true}", true },
		{ IMPACT_RULES, "replay.jsonl:9", "not json", true, true, a, b, 1, 1, ab, 2, "{}", "{}", true },
	};
	static struct diff_blame blame[] = {
		{ "p.read", 1, 0, 0 }, { "p.frozen", 0, 1, 0 }, { "p.b", 0, 0, 1 }, { "p.a", 0, 0, 1 },
	};
	*r = (struct diff_report){
		.a = &arena, .old_label = "prod", .new_label = "HEAD",
		.old_revision = "1111111111111111111111111111111111111111", .new_revision = "",
		.items = items, .nitems = 3, .schema = schema, .nschema = 3,
		.nrequests = 12, .ntests = 4, .nreplayed = 8, .nskipped = 1,
		.decisions = decisions, .ndecisions = 3, .loosened = 1, .tightened = 1, .rules_changed = 1,
		.blame = blame, .nblame = 4,
	};
}

/* diff_render's output (malloc'd). */
static char *render(const struct diff_report *r, enum diff_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	cr_assert_not_null(out);
	cr_assert_eq(diff_render(out, r, f), 0);
	cr_assert_eq(fclose(out), 0);
	return buf;
}

static void expect_text(const struct diff_report *r, enum diff_format f, const char *want)
{
	char *got = render(r, f);
	cr_expect_str_eq(got, want);
	free(got);
}

Test(diff_render, text_in_full)
{
	struct diff_report r;
	full_report(&r);
	expect_text(&r, DIFF_TEXT,
		"diff prod..HEAD\n"
		"rules: 1 added, 0 removed, 1 changed; constants: 0 added, 1 removed, 0 changed; schema: 3 changes\n"
		"tests: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"assertions: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"decisions: 12 requests (4 from tests, 8 replayed), 1 loosened, 1 tightened, 1 decided by other rules\n"
		"skipped: 1 replay record without a JSON request\n"
		"\n"
		"rule p.frozen added\n"
		"  + forbid frozen {\n"
		"  +   when resource.env == \"frozen\"\n"
		"  + }\n"
		"\n"
		"rule p.read changed (annotations, guards)\n"
		"  - when principal.tenant == resource.tenant\n"
		"  + when principal.tenant == resource.tenant or resource.env == \"shared\"\n"
		"\n"
		"constant p.limit removed\n"
		"  - const limit = 5;\n"
		"\n"
		"schema\n"
		"  ~ attribute 'User.mfa': required -> optional\n"
		"  + attribute 'Doc.owner': string\n"
		"  - action 'delete'\n"
		"\n"
		"decisions\n"
		"  loosened   deny -> allow  replay.jsonl:3  by +p.read\n"
		"  tightened  allow -> deny  test 'frozen docs'  by +p.frozen\n"
		"  rules      allow -> allow  replay.jsonl:9  by -p.a, +p.b\n"
		"\n"
		"rules responsible\n"
		"  p.a: 0 loosened, 0 tightened, 1 other\n"
		"  p.b: 0 loosened, 0 tightened, 1 other\n"
		"  p.frozen: 0 loosened, 1 tightened, 0 other\n"
		"  p.read: 1 loosened, 0 tightened, 0 other\n");
}

Test(diff_render, markdown_in_full)
{
	struct diff_report r;
	full_report(&r);
	expect_text(&r, DIFF_MARKDOWN,
		"### authzc diff: prod \u2192 HEAD\n"
		"\n"
		"> :warning: **1 decision loosened**: a request denied before is allowed now. Review it below.\n"
		"\n"
		"| | added | removed | changed |\n"
		"| --- | ---: | ---: | ---: |\n"
		"| rules | 1 | 0 | 1 |\n"
		"| constants | 0 | 1 | 0 |\n"
		"| schema | 1 | 1 | 1 |\n"
		"| tests | 0 | 0 | 0 |\n"
		"| assertions | 0 | 0 | 0 |\n"
		"\n"
		"**Decisions**: 12 requests (4 from tests, 8 replayed): **1 loosened** (deny \u2192 allow), "
		"**1 tightened** (allow \u2192 deny), 1 decided by other rules.\n"
		"\n"
		"#### Changed decisions\n"
		"\n"
		"| impact | request | before | after | rules responsible |\n"
		"| --- | --- | --- | --- | --- |\n"
		"| :warning: **loosened** | replay.jsonl:3 | deny | allow | `+p.read` |\n"
		"| tightened | test 'frozen docs' | allow | deny | `+p.frozen` |\n"
		"| other rules | replay.jsonl:9 | allow | allow | `-p.a`, `+p.b` |\n"
		"\n"
		"`+rule` decides now and did not before; `-rule` decided before and does not now.\n"
		"\n"
		"#### Rules and constants\n"
		"\n"
		"**rule `p.frozen`** added\n"
		"\n"
		"```diff\n"
		"+ forbid frozen {\n"
		"+   when resource.env == \"frozen\"\n"
		"+ }\n"
		"```\n"
		"\n"
		"**rule `p.read`** changed (annotations, guards)\n"
		"\n"
		"```diff\n"
		"- when principal.tenant == resource.tenant\n"
		"+ when principal.tenant == resource.tenant or resource.env == \"shared\"\n"
		"```\n"
		"\n"
		"**constant `p.limit`** removed\n"
		"\n"
		"```diff\n"
		"- const limit = 5;\n"
		"```\n"
		"\n"
		"#### Schema\n"
		"\n"
		"| change | what | detail |\n"
		"| --- | --- | --- |\n"
		"| changed | attribute 'User.mfa' | required -> optional |\n"
		"| added | attribute 'Doc.owner' | string |\n"
		"| removed | action 'delete' |  |\n");
}

static cJSON *item(const cJSON *o, const char *key)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
	cr_assert_not_null(x, "no \"%s\"", key);
	return x;
}

static const char *str(const cJSON *o, const char *key)
{
	cJSON *x = item(o, key);
	cr_assert(cJSON_IsString(x), "\"%s\" is not a string", key);
	return x->valuestring;
}

static double num(const cJSON *o, const char *key)
{
	cJSON *x = item(o, key);
	cr_assert(cJSON_IsNumber(x), "\"%s\" is not a number", key);
	return x->valuedouble;
}

/* diff_render's JSON, parsed (the caller deletes it). */
static cJSON *render_json(const struct diff_report *r)
{
	char *text = render(r, DIFF_JSON);
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "not JSON: %s", text);
	free(text);
	return j;
}

/* The strings of array `key` of `o`, joined by ",". */
static const char *strings(const cJSON *o, const char *key)
{
	static char buf[512];
	const cJSON *x;
	buf[0] = '\0';
	cJSON_ArrayForEach(x, item(o, key)) {
		cr_assert(cJSON_IsString(x));
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, x->valuestring);
	}
	return buf;
}

Test(diff_render, json_in_full)
{
	struct diff_report r;
	full_report(&r);
	char *text = render(&r, DIFF_JSON);
	size_t len = strlen(text);
	cr_assert(len > 0 && text[len - 1] == '\n');
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "not JSON: %s", text);
	free(text);

	cr_expect_str_eq(str(item(j, "old"), "label"), "prod");
	cr_expect_str_eq(str(item(j, "old"), "revision"), "1111111111111111111111111111111111111111");
	cr_expect_str_eq(str(item(j, "new"), "label"), "HEAD");
	cr_expect(cJSON_IsNull(item(item(j, "new"), "revision")), "the working tree has no revision");
	cr_expect(cJSON_IsTrue(item(j, "changed")));

	cJSON *rules = item(j, "rules");
	cr_assert_eq(cJSON_GetArraySize(rules), 2);
	cJSON *x = cJSON_GetArrayItem(rules, 0);
	cr_expect_str_eq(str(x, "id"), "p.frozen");
	cr_expect_str_eq(str(x, "change"), "added");
	cr_expect_str_eq(str(x, "effect"), "forbid");
	cr_expect_str_eq(strings(x, "parts"), "");
	cr_expect_str_eq(strings(x, "old"), "");
	cr_expect_str_eq(strings(x, "new"), "forbid frozen {,  when resource.env == \"frozen\",}");
	x = cJSON_GetArrayItem(rules, 1);
	cr_expect_str_eq(str(x, "id"), "p.read");
	cr_expect_str_eq(strings(x, "parts"), "annotations,guards");
	cr_expect_str_eq(strings(x, "old"), "when principal.tenant == resource.tenant");
	cr_expect_str_eq(strings(x, "new"),
			 "when principal.tenant == resource.tenant or resource.env == \"shared\"");
	cJSON *consts = item(j, "constants");
	cr_assert_eq(cJSON_GetArraySize(consts), 1);
	x = cJSON_GetArrayItem(consts, 0);
	cr_expect_str_eq(str(x, "id"), "p.limit");
	cr_expect_str_eq(str(x, "change"), "removed");
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(x, "effect"));
	cr_expect_str_eq(strings(x, "old"), "const limit = 5;");

	cJSON *schema = item(j, "schema");
	cr_assert_eq(cJSON_GetArraySize(schema), 3);
	cr_expect_str_eq(str(cJSON_GetArrayItem(schema, 0), "change"), "changed");
	cr_expect_str_eq(str(cJSON_GetArrayItem(schema, 0), "subject"), "attribute 'User.mfa'");
	cr_expect_str_eq(str(cJSON_GetArrayItem(schema, 0), "detail"), "required -> optional");
	cr_expect_str_eq(str(cJSON_GetArrayItem(schema, 1), "change"), "added");
	cr_expect(cJSON_IsNull(item(cJSON_GetArrayItem(schema, 2), "detail")));

	cJSON *dec = item(j, "decisions");
	cr_expect_eq(num(dec, "requests"), 12);
	cr_expect_eq(num(dec, "from_tests"), 4);
	cr_expect_eq(num(dec, "replayed"), 8);
	cr_expect_eq(num(dec, "skipped"), 1);
	cr_expect_eq(num(dec, "loosened"), 1);
	cr_expect_eq(num(dec, "tightened"), 1);
	cr_expect_eq(num(dec, "rules_changed"), 1);
	cJSON *changes = item(dec, "changes");
	cr_assert_eq(cJSON_GetArraySize(changes), 3);
	/* loosened first, then tightened, then the rest */
	x = cJSON_GetArrayItem(changes, 0);
	cr_expect_str_eq(str(x, "impact"), "loosened");
	cr_expect_str_eq(str(x, "source"), "replay.jsonl:3");
	cr_expect_str_eq(str(item(x, "request"), "action"), "read");
	cr_expect(cJSON_IsFalse(item(item(x, "old"), "allowed")));
	cr_expect(cJSON_IsTrue(item(item(x, "new"), "allowed")));
	cr_expect_str_eq(strings(x, "responsible"), "p.read");
	x = cJSON_GetArrayItem(changes, 1);
	cr_expect_str_eq(str(x, "impact"), "tightened");
	cr_expect_str_eq(str(x, "source"), "test 'frozen docs'");
	x = cJSON_GetArrayItem(changes, 2);
	cr_expect_str_eq(str(x, "impact"), "rules");
	/* a request that is not JSON is kept as a string */
	cr_expect_str_eq(str(x, "request"), "not json");
	cr_expect_str_eq(strings(x, "responsible"), "p.a,p.b");

	cJSON *resp = item(dec, "responsible");
	cr_assert_eq(cJSON_GetArraySize(resp), 4);
	static const char *order[] = { "p.a", "p.b", "p.frozen", "p.read" };
	for (int i = 0; i < 4; i++)
		cr_expect_str_eq(str(cJSON_GetArrayItem(resp, i), "rule"), order[i]);
	cr_expect_eq(num(cJSON_GetArrayItem(resp, 2), "tightened"), 1);
	cr_expect_eq(num(cJSON_GetArrayItem(resp, 3), "loosened"), 1);
	cr_expect_eq(num(cJSON_GetArrayItem(resp, 0), "rules_changed"), 1);
	cJSON_Delete(j);
}

/* A request source, labels and a schema detail written by whoever controls
 * the repository or the replay file: in markdown they are table cells and
 * a heading, where nothing may start a link, an image, emphasis,
 * strikethrough, code, HTML, or a new cell or row. */
Test(diff_render, markdown_cells_are_escaped)
{
	static const char *none[] = { NULL };
	static struct diff_decision d[] = {
		{ IMPACT_LOOSENED, "test '![x](https://e.example/p.png) [y](https://e.example) <b>|*_`~\\'\nnext",
		  "{}", false, true, NULL, NULL, 0, 0, none, 0, "{}", "{}", true },
	};
	static struct diff_schema s[] = { { DIFF_CHANGED, "attribute 'A.x|y'", "set<int> -> ~int~" } };
	struct diff_report r = {
		.a = &arena, .old_label = "HEAD~2", .new_label = "HEAD~1", .old_revision = "a",
		.new_revision = "b", .schema = s, .nschema = 1, .decisions = d, .ndecisions = 1,
		.nrequests = 1, .ntests = 1, .loosened = 1,
	};
	char *md = render(&r, DIFF_MARKDOWN);
	cr_expect(strstr(md, "### authzc diff: HEAD\\~2 \u2192 HEAD\\~1\n"), "%s", md);
	cr_expect(strstr(md, "| :warning: **loosened** | test '!\\[x\\](https://e.example/p.png) "
			 "\\[y\\](https://e.example) \\<b>\\|\\*\\_\\`\\~\\\\' next | deny | allow | (none) |\n"),
		  "%s", md);
	cr_expect(strstr(md, "| changed | attribute 'A.x\\|y' | set\\<int> -> \\~int\\~ |\n"), "%s", md);
	free(md);
}

Test(diff_render, nothing_changed)
{
	struct diff_report r = { .a = &arena, .old_label = "HEAD", .new_label = "working tree",
				 .old_revision = "2222222222222222222222222222222222222222",
				 .new_revision = "", .nrequests = 1, .ntests = 1 };
	expect_text(&r, DIFF_TEXT,
		"diff HEAD..working tree\n"
		"rules: 0 added, 0 removed, 0 changed; constants: 0 added, 0 removed, 0 changed; schema: 0 changes\n"
		"tests: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"assertions: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"decisions: 1 request (1 from tests, 0 replayed), 0 loosened, 0 tightened, 0 decided by other rules\n"
		"\n"
		"no changes\n");
	expect_text(&r, DIFF_MARKDOWN,
		"### authzc diff: HEAD \u2192 working tree\n"
		"\n"
		"No changes: the rules, the schema, the tests and every decision are the same.\n");
	cJSON *j = render_json(&r);
	cr_expect(cJSON_IsFalse(item(j, "changed")));
	cr_expect_eq(cJSON_GetArraySize(item(j, "rules")), 0);
	cr_expect_eq(cJSON_GetArraySize(item(j, "constants")), 0);
	cr_expect_eq(cJSON_GetArraySize(item(j, "schema")), 0);
	cr_expect_eq(cJSON_GetArraySize(item(item(j, "decisions"), "changes")), 0);
	cr_expect_eq(num(item(j, "decisions"), "requests"), 1);
	cJSON_Delete(j);
}

Test(diff_render, an_authzc_json_change_alone_is_a_change_shown_first)
{
	static struct diff_config config[] = {
		{ DIFF_CHANGED, "gates.min_guard_coverage", "80", "0" },
		{ DIFF_REMOVED, "environments", "[\"dev\",\"prod\"]", NULL },
	};
	struct diff_report r = { .a = &arena, .old_label = "prod", .new_label = "HEAD",
				 .old_revision = "2222222222222222222222222222222222222222",
				 .new_revision = "", .config = config, .nconfig = 2 };
	cr_expect(diff_report_changed(&r));
	expect_text(&r, DIFF_TEXT,
		"diff prod..HEAD\n"
		"rules: 0 added, 0 removed, 0 changed; constants: 0 added, 0 removed, 0 changed; schema: 0 changes\n"
		"tests: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"assertions: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"decisions: 0 requests (0 from tests, 0 replayed), 0 loosened, 0 tightened, 0 decided by other rules\n"
		"\n"
		"authzc.json: 2 changes (gates, environments: review them)\n"
		"  ~ gates.min_guard_coverage: 80 -> 0\n"
		"  - environments: [\"dev\",\"prod\"]\n");
	char *md = render(&r, DIFF_MARKDOWN);
	cr_expect_not_null(strstr(md, "> :warning: **authzc.json changed** (2 changes)"), "%s", md);
	cr_expect_not_null(strstr(md, "| changed | gates.min\\_guard\\_coverage | 80 | 0 |\n"), "%s", md);
	cr_expect(strstr(md, "authzc.json changed") < strstr(md, "| rules |"), "%s", md);
	free(md);
	cJSON *j = render_json(&r);
	cr_expect(cJSON_IsTrue(item(j, "changed")));
	cJSON *c = item(j, "config");
	cr_assert_eq(cJSON_GetArraySize(c), 2);
	cJSON *first = cJSON_GetArrayItem(c, 0), *second = cJSON_GetArrayItem(c, 1);
	cr_expect_str_eq(item(first, "key")->valuestring, "gates.min_guard_coverage");
	cr_expect_str_eq(item(first, "change")->valuestring, "changed");
	cr_expect_eq(num(first, "old"), 80);
	cr_expect_eq(num(first, "new"), 0);
	cr_expect_eq(cJSON_GetArraySize(item(second, "old")), 2);
	cr_expect(cJSON_IsNull(item(second, "new")));
	cJSON_Delete(j);
}

/* Test changes alone: a weakened one (sorted first by diff_tests), a
 * strengthened one, one moved with its request changed, one added. */
static void tests_report(struct diff_report *r)
{
	static struct diff_config req[] = {
		{ DIFF_CHANGED, "principal.tenant", "\"acme\"", "\"globex\"" },
		{ DIFF_ADDED, "time", NULL, "time(\"2026-11-22T10:00:00Z\")" },
	};
	static struct diff_test tests[] = {
		{ .change = DIFF_CHANGED, .file = "tests/a_test.authz", .name = "\"cross | tenant\"",
		  .raw = "cross | tenant", .strength = STRENGTH_WEAKENED,
		  .why = "no longer names p.cross_tenant", .parts = "expectation",
		  .old_expect = "expect deny by p.cross_tenant", .new_expect = "expect deny",
		  .old_request = "{\"action\":\"read\"}", .new_request = "{\"action\":\"read\"}" },
		{ .change = DIFF_CHANGED, .file = "tests/a_test.authz", .name = "\"guests\"", .raw = "guests",
		  .strength = STRENGTH_STRENGTHENED, .parts = "expectation", .old_expect = "expect allow",
		  .new_expect = "expect deny", .old_request = "{}", .new_request = "{}" },
		{ .change = DIFF_CHANGED, .file = "tests/b_test.authz", .old_file = "tests/a_test.authz",
		  .name = "\"moved\"", .raw = "moved", .parts = "request", .old_expect = "expect allow",
		  .new_expect = "expect allow", .old_request = "{}", .new_request = "{}", .request = req,
		  .nrequest = 2 },
		{ .change = DIFF_ADDED, .file = "tests/b_test.authz", .name = "\"new\"", .raw = "new",
		  .new_expect = "expect allow", .new_request = "{}" },
	};
	*r = (struct diff_report){ .a = &arena, .old_label = "prod", .new_label = "HEAD",
				   .old_revision = "2222222222222222222222222222222222222222",
				   .new_revision = "", .test_changes = tests, .ntest_changes = 4,
				   .tests_weakened = 1, .nrequests = 4, .ntests = 4 };
}

Test(diff_render, test_changes_in_every_format_weakened_flagged)
{
	struct diff_report r;
	tests_report(&r);
	cr_expect(diff_report_changed(&r));
	expect_text(&r, DIFF_TEXT,
		"diff prod..HEAD\n"
		"rules: 0 added, 0 removed, 0 changed; constants: 0 added, 0 removed, 0 changed; schema: 0 changes\n"
		"tests: 1 added, 0 removed, 3 changed, 1 weakened\n"
		"assertions: 0 added, 0 removed, 0 changed, 0 weakened\n"
		"decisions: 4 requests (4 from tests, 0 replayed), 0 loosened, 0 tightened, 0 decided by other rules\n"
		"\n"
		"tests\n"
		"  weakened      tests/a_test.authz \"cross | tenant\": expectation changed, no longer names p.cross_tenant\n"
		"    - expect deny by p.cross_tenant\n"
		"    + expect deny\n"
		"  strengthened  tests/a_test.authz \"guests\": expectation changed\n"
		"    - expect allow\n"
		"    + expect deny\n"
		"  changed       tests/b_test.authz \"moved\": moved from tests/a_test.authz, request changed\n"
		"    ~ principal.tenant: \"acme\" -> \"globex\"\n"
		"    + time: time(\"2026-11-22T10:00:00Z\")\n"
		"  added         tests/b_test.authz \"new\"\n"
		"    + expect allow\n");
	char *md = render(&r, DIFF_MARKDOWN);
	cr_expect_not_null(strstr(md, "> :warning: **1 test weakened**: a test that protected a deny is "
				  "removed or now expects less. Review it below.\n"), "%s", md);
	cr_expect_not_null(strstr(md, "| tests | 1 | 0 | 3 |\n"), "%s", md);
	cr_expect_not_null(strstr(md, "| :warning: **weakened** | tests/a\\_test.authz | \"cross \\| tenant\" | "
				  "expectation changed, no longer names p.cross\\_tenant | "
				  "expect deny by p.cross\\_tenant | expect deny |\n"), "%s", md);
	cr_expect_not_null(strstr(md, "| strengthened | tests/a\\_test.authz | \"guests\" | expectation changed | "
				  "expect allow | expect deny |\n"), "%s", md);
	cr_expect_not_null(strstr(md, "| changed | tests/b\\_test.authz | \"moved\" | moved from tests/a\\_test.authz, "
				  "request changed: \\~ principal.tenant: \"acme\" -> \"globex\"; + time: "
				  "time(\"2026-11-22T10:00:00Z\") | expect allow | expect allow |\n"), "%s", md);
	cr_expect_not_null(strstr(md, "| added | tests/b\\_test.authz | \"new\" |  |  | expect allow |\n"), "%s", md);
	cr_expect(strstr(md, "1 test weakened") < strstr(md, "| rules |"), "%s", md);
	free(md);
	cJSON *j = render_json(&r);
	cr_expect(cJSON_IsTrue(item(j, "changed")));
	cJSON *t = item(j, "tests");
	cr_expect_eq(num(t, "added"), 1);
	cr_expect_eq(num(t, "removed"), 0);
	cr_expect_eq(num(t, "changed"), 3);
	cr_expect_eq(num(t, "weakened"), 1);
	cJSON *c = item(t, "changes");
	cr_assert_eq(cJSON_GetArraySize(c), 4);
	cJSON *w = cJSON_GetArrayItem(c, 0), *m = cJSON_GetArrayItem(c, 2), *n = cJSON_GetArrayItem(c, 3);
	cr_expect_str_eq(item(w, "name")->valuestring, "cross | tenant");
	cr_expect_str_eq(item(w, "strength")->valuestring, "weakened");
	cr_expect_str_eq(item(w, "why")->valuestring, "no longer names p.cross_tenant");
	cr_expect_str_eq(item(item(w, "old"), "expect")->valuestring, "expect deny by p.cross_tenant");
	cr_expect_str_eq(item(item(item(w, "old"), "request"), "action")->valuestring, "read");
	cr_expect_str_eq(item(m, "old_file")->valuestring, "tests/a_test.authz");
	cr_expect(cJSON_IsNull(item(m, "strength")));
	cr_expect_eq(cJSON_GetArraySize(item(m, "parts")), 2);
	cr_expect_str_eq(cJSON_GetArrayItem(item(m, "parts"), 0)->valuestring, "file");
	cJSON *k = cJSON_GetArrayItem(item(m, "request_changes"), 0);
	cr_expect_str_eq(item(k, "key")->valuestring, "principal.tenant");
	cr_expect_str_eq(item(k, "new")->valuestring, "\"globex\"");
	cr_expect(cJSON_IsNull(item(n, "old")));
	cr_expect(cJSON_IsNull(item(n, "old_file")));
	cJSON_Delete(j);
}
