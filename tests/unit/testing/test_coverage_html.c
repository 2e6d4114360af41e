/*
 * test_coverage_html.c: coverage_html (coverage_html.c): policy and test
 * file names, test names and source text written to be hostile come out
 * escaped; the pages' structure (one row per source line, guard spans
 * balanced on every row and reopened on a guard's next line, one note per
 * guard and rule, anchors the index links to); long lists of tests; page
 * names that collide; folders that cannot be written.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "testrun_util.h"

static char dir[] = "/tmp/authzc-html-XXXXXX";

static void fini(void)
{
	tr_fini();
	if (strstr(dir, "XXXXXX"))
		return;
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(coverage_html, .fini = fini);

/* Write the pages into a fresh temporary folder. */
static void write_pages(void)
{
	cr_assert(mkdtemp(dir));
	char msg[256];
	cr_assert_eq(coverage_html(&tr_cov, dir, msg, sizeof msg), 0, "%s", msg);
}

/* The page `name` (malloc'd, NUL-terminated). */
static char *page(const char *name)
{
	char path[128], *buf = NULL;
	size_t len = 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = fileio_read(path, &buf, &len, NULL);
	cr_assert_eq(rc, 0, "cannot read %s", path);
	char *s = realloc(buf, len + 1);
	cr_assert_not_null(s);
	s[len] = '\0';
	return s;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void expect_has(const char *s, const char *what)
{
	cr_expect(strstr(s, what), "no '%s' in:\n%s", what, s);
}

/* Nothing a browser would run or fetch, and no element the names and
 * sources below could have injected. */
static void expect_inert(const char *s)
{
	static const char *bad[] = { "<script", "<img", "<b>&", "<i>", "<t>", "<link", "http:", "https:" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_null(strstr(s, bad[i]), "'%s' in:\n%s", bad[i], s);
	cr_expect_eq(strncmp(s, "<!DOCTYPE html>\n<html lang=\"en\">\n", 33), 0);
	size_t n = strlen(s);
	cr_expect(n > 16 && !strcmp(s + n - 16, "</body>\n</html>\n"), "page does not end the document");
}

/* A permit whose first guard spans two lines, in a file whose name,
 * comments and strings are markup, covered by a test whose name and file
 * are markup too. */
static const char HOSTILE_POLICY[] =
	"package p;\n"
	"\n"
	"// </td><script>alert(1)</script>\n"
	"permit user_read {\n"
	"  principal is User\n"
	"  action == \"read\"\n"
	"  when principal.tenant ==\n"
	"    resource.tenant and principal.department != \"<i>&amp;\"\n"
	"  unless resource.env == \"frozen\"\n"
	"}\n";

static void hostile(void)
{
	const char *files[] = {
		"policies/<b>&\"'.authz", HOSTILE_POLICY,
		"tests/<t>&_test.authz",
		TR_REQUEST
		"test \"<img src=x onerror=alert(1)> & \\\"q\\\" 'a'\" {\n"
		"  given r\n  with principal.tenant = \"x\"\n  expect deny\n}\n",
		NULL,
	};
	tr_go_files(files, NULL, true);
	write_pages();
}

#define PAGE "policies--b----.authz.html"
#define NAME "policies/&lt;b&gt;&amp;&quot;&#39;.authz"
#define TEST_ITEM "<li>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39; " \
		  "<small>(tests/&lt;t&gt;&amp;_test.authz:10)</small></li>"

Test(coverage_html, hostile_names_and_source_are_escaped)
{
	hostile();
	char *index = page("index.html"), *file = page(PAGE);
	expect_inert(index);
	expect_inert(file);
	expect_has(index, "<tr><td><a href=\"" PAGE "\">" NAME "</a></td>");
	expect_has(index, "<a href=\"" PAGE "#g-8-25\">" NAME ":8:25</a> p.user_read: "
		   "<code>principal.department != &quot;&lt;i&gt;&amp;amp;&quot;</code>");
	expect_has(file, "<title>" NAME "</title>");
	expect_has(file, "<h1>" NAME "</h1>");
	expect_has(file, "<tr id=\"L3\"><td class=\"ln\">3</td><td class=\"code\">"
		   "// &lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>\n");
	expect_has(file, "<span class=\"guard uncovered\" id=\"g-8-25\">"
		   "principal.department != &quot;&lt;i&gt;&amp;amp;&quot;</span>");
	/* the test that covers the tenant guard, under its note and its rule's */
	cr_expect_eq(count(file, TEST_ITEM), 2, "%s", file);
	free(index);
	free(file);
}

Test(coverage_html, one_row_per_line_balanced_spans_and_a_note_for_each_guard)
{
	hostile();
	char *file = page(PAGE);
	/* rows L1..L10, in order, and no row past the last line */
	const char *p = file;
	for (int ln = 1; ln <= 10; ln++) {
		char row[32];
		snprintf(row, sizeof row, "<tr id=\"L%d\">", ln);
		const char *q = strstr(p, row);
		cr_assert_not_null(q, "no row %d", ln);
		p = q;
	}
	cr_expect_eq(count(file, "<tr id=\"L"), 10);
	/* every row opens as many spans as it closes */
	for (p = strstr(file, "<tr"); p; p = strstr(p + 1, "<tr")) {
		const char *end = strstr(p, "</tr>");
		cr_assert_not_null(end);
		char *row = strndup(p, (size_t)(end - p));
		cr_expect_eq(count(row, "<span"), count(row, "</span>"), "unbalanced: %s", row);
		free(row);
	}
	/* the two-line guard: opened with its id on line 7, reopened on line 8 */
	expect_has(file, "  when <span class=\"guard covered\" id=\"g-7-8\">principal.tenant ==</span></td></tr>\n");
	expect_has(file, "<td class=\"code\"><span class=\"guard covered\">    resource.tenant</span> and ");
	cr_expect_eq(count(file, "id=\"g-"), 3);
	expect_has(file, "<span class=\"guard uncovered\" id=\"g-9-10\">resource.env == &quot;frozen&quot;</span>");
	/* a note per guard, after the line where it ends, and one for the rule */
	cr_expect_eq(count(file, "<div class=\"note covered\"><a href=\"#g-7-8\">7:8</a> guard of <b>p.user_read</b> "
			   "<code>principal.tenant == resource.tenant</code>: held access back in 1 test<ul>"), 1);
	cr_expect_eq(count(file, "<div class=\"note uncovered\"><a href=\"#g-8-25\">8:25</a> guard of"), 1);
	cr_expect_eq(count(file, "<div class=\"note uncovered\"><a href=\"#g-9-10\">9:10</a> unless of"), 1);
	cr_expect_lt(strstr(file, "<tr id=\"L8\">"), strstr(file, "<a href=\"#g-7-8\">"));
	cr_expect_lt(strstr(file, "<a href=\"#g-7-8\">"), strstr(file, "<tr id=\"L9\">"));
	cr_expect_eq(count(file, "<div class=\"note uncovered\" id=\"r-4-1\">permit <b>p.user_read</b>: "
			   "<span class=\"bad\">never fired</span>; deny path covered by 1 test<ul>"), 1);
	/* the summary of this file */
	expect_has(file, "<tr><td>guards</td><td>1</td><td>3</td><td class=\"bad\">33.3%</td></tr>");
	char *index = page("index.html");
	expect_has(index, "<p>1 test run.</p>");
	cr_expect_eq(count(index, "<li class=\"bad\">"), 3, "never fired, and two guards");
	free(index);
	free(file);
}

Test(coverage_html, every_guard_ending_on_a_line_gets_its_note)
{
	/* 70 guards on one line, none covered */
	char policy[4096] = "package p;\n\npermit many {\n  principal is User\n  when principal.department != \"d0\"";
	for (int i = 1; i < 70; i++)
		snprintf(policy + strlen(policy), sizeof policy - strlen(policy),
			 " and principal.department != \"d%d\"", i);
	strcat(policy, "\n}\n");
	tr_go(policy, TR_REQUEST "test \"t\" {\n  given r\n  expect allow\n}\n", NULL, true);
	write_pages();
	char *file = page("policies-p.authz.html");
	cr_expect_eq(count(file, "<span class=\"guard uncovered\" id=\"g-5-"), 70);
	cr_expect_eq(count(file, "<div class=\"note uncovered\"><a href=\"#g-5-"), 70);
	free(file);
}

Test(coverage_html, long_test_lists_are_cut_and_counted)
{
	static char tests[16384];
	snprintf(tests, sizeof tests, "%s", TR_REQUEST);
	for (int i = 0; i < 25; i++)
		snprintf(tests + strlen(tests), sizeof tests - strlen(tests),
			 "test \"t%02d\" {\n  given r\n  with principal.mfa = false\n  expect deny\n}\n", i);
	tr_go(TR_POLICY, tests, NULL, true);
	write_pages();
	char *file = page("policies-p.authz.html");
	expect_has(file, "held access back in 25 tests<ul><li>t00 ");
	expect_has(file, "<li>t19 <small>(tests/p_test.authz:");
	cr_expect_null(strstr(file, "<li>t20 "));
	expect_has(file, "<li>and 5 more</li></ul>");
	free(file);
}

Test(coverage_html, page_names_that_collide_get_their_own_pages)
{
	const char *files[] = {
		"policies/a-b.authz", "package p;\n\npermit x {\n  principal is User\n  when principal.mfa\n}\n",
		"policies/a/b.authz", "package q;\n\npermit y {\n  principal is User\n  when principal.mfa\n}\n",
		"tests/p_test.authz", TR_REQUEST "test \"t\" {\n  given r\n  expect allow\n}\n",
		NULL,
	};
	tr_go_files(files, NULL, true);
	write_pages();
	char *index = page("index.html");
	char *first = page("policies-a-b.authz.html"), *second = page("2-policies-a-b.authz.html");
	expect_has(index, "<a href=\"policies-a-b.authz.html\">policies/a-b.authz</a>");
	expect_has(index, "<a href=\"2-policies-a-b.authz.html\">policies/a/b.authz</a>");
	expect_has(first, "<h1>policies/a-b.authz</h1>");
	expect_has(second, "<h1>policies/a/b.authz</h1>");
	free(index);
	free(first);
	free(second);
}

Test(coverage_html, folders_are_made_and_non_folders_refused)
{
	tr_go(TR_POLICY, TR_REQUEST "test \"t\" {\n  given r\n  expect allow\n}\n", NULL, true);
	cr_assert(mkdtemp(dir));
	char msg[256], sub[128];
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	cr_assert_eq(coverage_html(&tr_cov, sub, msg, sizeof msg), 0, "%s", msg);
	char *index = page("a/b/index.html");
	free(index);
	/* again: the pages are replaced */
	cr_assert_eq(coverage_html(&tr_cov, sub, msg, sizeof msg), 0, "%s", msg);

	char file[160], want[256];
	snprintf(file, sizeof file, "%s/plain", dir);
	FILE *f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_expect_eq(coverage_html(&tr_cov, file, msg, sizeof msg), -1);
	snprintf(want, sizeof want, "cannot write into '%s': not a folder", file);
	cr_expect_str_eq(msg, want);
	snprintf(sub, sizeof sub, "%s/plain/x", dir);
	cr_expect_eq(coverage_html(&tr_cov, sub, msg, sizeof msg), -1);
	snprintf(want, sizeof want, "cannot create '%s': %s", sub, strerror(ENOTDIR));
	cr_expect_str_eq(msg, want);
	cr_expect_eq(coverage_html(&tr_cov, "", msg, sizeof msg), -1);
	snprintf(want, sizeof want, "cannot create '': %s", strerror(ENOENT));
	cr_expect_str_eq(msg, want);
}
