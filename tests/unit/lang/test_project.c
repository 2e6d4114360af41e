/*
 * test_project.c: project loading (project.h) and the JSON and SARIF
 * renderings of diagnostics.  authzc.json: test_config.c; RFC 3339 times:
 * runtime/test_text.c and test_time_texts.c.
 */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag_json.h"
#include "project_util.h"

#define SCHEMA "{\"types\": {\"User\": {\"tenant\": \"string\"}, \"Doc\": {\"tenant\": \"string\"}}," \
	" \"actions\": {\"read\": {\"principals\": [\"User\"], \"resources\": [\"Doc\"]}}, \"context\": {}}"

TestSuite(project, .fini = teardown);

/* ---- project loading ------------------------------------------------------------- */

Test(project, sources_sorted_hidden_skipped)
{
	static const struct mem_file f[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/z.authz", "permit z { }\n", 0, 0 },
		{ "policies/a/b.authz", "permit b { }\n", 0, 0 },
		{ "policies/a.authz", "permit a { }\n", 0, 0 },
		{ "policies/notes.txt", "not policy", 0, 0 },
		{ "policies/.git/x.authz", "garbage {", 0, 0 },
		{ "policies/.#a.authz", "garbage {", 0, 0 },
		{ "tests/a_test.authz", "", 0, 0 },
		{ "policies/a_test.authz", "", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	cr_assert(comp.has_schema);
	cr_assert_eq(comp.nfiles, 5);
	const char *want[] = { "policies/a.authz", "policies/a/b.authz", "policies/a_test.authz",
			       "policies/z.authz", "tests/a_test.authz" };
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(srcset_file(&comp.src, comp.files[i]->file)->name, want[i]);
	cr_assert(comp.files[4]->is_test);
	cr_assert_not(comp.files[0]->is_test);
}

Test(project, overlapping_paths_read_once)
{
	static const struct mem_file f[] = {
		{ "authzc.json", "{\"policies\": [\".\"], \"tests\": [\"t\"]}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
		{ "t/x_test.authz", "", 0, 0 },
		{ "p.authz", "permit p { }\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	cr_assert_eq(comp.nfiles, 2);
	cr_assert_str_eq(srcset_file(&comp.src, comp.files[0]->file)->name, "p.authz");
	cr_assert_str_eq(srcset_file(&comp.src, comp.files[1]->file)->name, "t/x_test.authz");
}

Test(project, policy_path_may_be_a_file)
{
	static const struct mem_file f[] = {
		{ "authzc.json", "{\"policies\": \"main.authz\"}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
		{ "main.authz", "permit p { }\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	cr_assert_eq(comp.nfiles, 1);
}

Test(project, missing_policy_path)
{
	static const struct mem_file f[] = {
		{ "authzc.json", "{\"policies\": [\"rules\"]}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 1);
	struct diag *d = find_diag(E_IO);
	cr_assert_str_eq(d->message, "cannot read policies path 'rules': no such file or folder");
	cr_assert_str_eq(d->help, "create it, or fix 'policies' in authzc.json");
	cr_assert_eq(comp.nfiles, 0);
}

Test(project, missing_default_tests_is_fine_but_named_tests_are_not)
{
	static const struct mem_file f[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a { }\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	compilation_release(&comp);
	static const struct mem_file g[] = {
		{ "authzc.json", "{\"tests\": \"tests\"}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a { }\n", 0, 0 },
	};
	setup_tree(g, sizeof g / sizeof g[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 1);
	cr_assert_str_eq(find_diag(E_IO)->message,
			 "cannot read tests path 'tests': no such file or folder");
}

/* ---- W0503: a project with rules and no test ------------------------------------ */

static size_t count_diags(enum diag_code code)
{
	size_t n = 0;
	for (size_t i = 0; i < comp.diags.n; i++)
		n += comp.diags.items[i]->code == code;
	return n;
}

Test(project, w0503_without_authzc_json_is_about_no_file)
{
	static const struct mem_file f[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a { }\npermit b { }\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	cr_assert_eq(count_diags(W_NO_TESTS), 1);
	struct diag *d = find_diag(W_NO_TESTS);
	cr_expect_eq(d->span.file, UINT32_MAX);
	cr_expect_not(d->has_span);
	cr_expect_null(d->json_path);
	cr_expect_str_eq(d->message, "no tests found: no test exercises the project's 2 rules");
	cr_expect_str_eq(d->help, "add a file ending in _test.authz under 'tests' with a `test` "
			 "(authzc-policy(5), TESTS)");
}

Test(project, w0503_points_at_authzc_json_and_its_tests_key)
{
	/* a test file with a request but no test is still no test */
	static const struct mem_file f[] = {
		{ "authzc.json", "{\"tests\": [\"checks\"]}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a { }\n", 0, 0 },
		{ "checks/a_test.authz", "request r {\n  principal User \"u\" { tenant: \"t\" }\n"
		  "  action \"read\"\n  resource Doc \"d\" { tenant: \"t\" }\n  context { }\n}\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	struct diag *d = find_diag(W_NO_TESTS);
	cr_expect_eq(d->span.file, comp.config.file);
	cr_expect_str_eq(d->json_path, "$.tests");
	cr_expect_str_eq(d->message, "no tests found: no test exercises the project's 1 rule");
	cr_expect_str_eq(d->help, "add a file ending in _test.authz under 'checks' with a `test` "
			 "(authzc-policy(5), TESTS)");
	compilation_release(&comp);

	static const struct mem_file g[] = {
		{ "authzc.json", "{}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a { }\n", 0, 0 },
	};
	setup_tree(g, sizeof g / sizeof g[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	d = find_diag(W_NO_TESTS);
	cr_expect_eq(d->span.file, comp.config.file);
	cr_expect_null(d->json_path);
}

Test(project, w0503_not_with_a_test_or_without_rules_or_for_chosen_files)
{
	static const struct mem_file f[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a { }\n", 0, 0 },
		{ "tests/a_test.authz", "test \"t\" {\n  principal User \"u\" { tenant: \"t\" }\n"
		  "  action \"read\"\n  resource Doc \"d\" { tenant: \"t\" }\n  context { }\n"
		  "  expect allow\n}\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	cr_expect_eq(count_diags(W_NO_TESTS), 0);
	compilation_release(&comp);

	static const struct mem_file g[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/README", "no policy yet", 0, 0 },
	};
	setup_tree(g, 2);
	cr_assert_eq(compilation_run(&comp, &tree), 0);
	cr_expect_eq(count_diags(W_NO_TESTS), 0);
	compilation_release(&comp);

	/* `authzc check FILE`: the files chosen are not the project */
	setup_tree(g, 2);
	cr_assert_eq(project_load_config(&comp, &tree), 0);
	cr_assert_eq(project_load_schema(&comp, &tree), 0);
	project_add_source(&comp, "policies/a.authz", "permit a { }\n", 13);
	cr_assert_eq(compilation_parse(&comp), 0);
	cr_assert_eq(compilation_check(&comp), 0);
	cr_expect_eq(count_diags(W_NO_TESTS), 0);
}

Test(project, missing_schema)
{
	static const struct mem_file f[] = { { "policies/a.authz", "permit a { }\n", 0, 0 } };
	setup_tree(f, 1);
	cr_assert_eq(compilation_run(&comp, &tree), 1);
	struct diag *d = find_diag(E_IO);
	cr_assert_str_eq(d->message, "cannot read schema 'schema.json': no such file or folder");
	cr_assert_str_eq(d->help, "create it, or set 'schema' in authzc.json");
	cr_assert_not(comp.has_schema);
	cr_assert_eq(comp.nfiles, 0);   /* stopped before parsing */
}

Test(project, oversized_and_unreadable_sources)
{
	static const struct mem_file f[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/big.authz", NULL, EFBIG, 0 },
		{ "policies/locked.authz", NULL, EACCES, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 2);
	cr_assert_str_eq(find_diag(E_LIMIT)->message,
			 "'policies/big.authz' is larger than the 16 MiB limit");
	cr_assert_str_eq(find_diag(E_IO)->message,
			 "cannot read 'policies/locked.authz': permission denied");
}

Test(project, syntax_errors_stop_before_check)
{
	static const struct mem_file f[] = {
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a {\n  when\n}\n", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_geq(compilation_run(&comp, &tree), 1);
	struct diag *d = find_diag(E_SYNTAX);
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(line, 3);
	cr_assert_eq(col, 1);
	cr_assert_null(comp.checked);
}

Test(project, config_errors_stop_the_run)
{
	static const struct mem_file f[] = {
		{ "authzc.json", "{\"polices\": 1}", 0, 0 },
		{ "schema.json", SCHEMA, 0, 0 },
		{ "policies/a.authz", "permit a {", 0, 0 },
	};
	setup_tree(f, sizeof f / sizeof f[0]);
	cr_assert_eq(compilation_run(&comp, &tree), 1);
	cr_assert_not(comp.has_schema);
	cr_assert_eq(comp.nfiles, 0);
}

Test(project, add_source_then_parse)
{
	setup_tree(NULL, 0);
	project_add_source(&comp, "x.authz", "permit a { }\n", 13);
	project_add_source(&comp, "y_test.authz", "", 0);
	cr_assert_eq(compilation_parse(&comp), 0);
	cr_assert_eq(comp.nfiles, 2);
	cr_assert_eq(comp.nfile_ids, 0);
	cr_assert(comp.files[1]->is_test);
	cr_assert_eq(compilation_parse(&comp), 0);      /* nothing parsed twice */
	cr_assert_eq(comp.nfiles, 2);
}

Test(project, now_from_environment)
{
	setenv("AUTHZC_NOW", "2026-11-22T10:00:00Z", 1);
	compilation_init(&comp);
	cr_assert_eq(comp.now_ms, 1795341600000LL);
	cr_assert_eq(comp.diags.n, 0);
	compilation_release(&comp);
	setenv("AUTHZC_NOW", "2026-02-30T10:00:00Z", 1);
	compilation_init(&comp);
	unsetenv("AUTHZC_NOW");
	struct diag *d = find_diag(E_BAD_TIME);
	cr_assert_str_eq(d->message, "invalid $AUTHZC_NOW '2026-02-30T10:00:00Z'");
	cr_assert_gt(comp.now_ms, 1700000000000LL);     /* the clock instead */
	/* a run with the bad clock stops at once */
	tree.payload = NULL;
	tree.read_file = NULL;
	tree.list_dir = NULL;
	cr_assert_eq(compilation_run(&comp, &tree), 1);
}

/* ---- on disk ---------------------------------------------------------------------- */

static char tmpdir[] = "/tmp/authzc-test-project.XXXXXX";

static void write_file(const char *rel, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
	cr_assert_eq(mkdir(p, 0755), 0);
}

Test(project, find_root_and_fs_tree)
{
	cr_assert_not_null(mkdtemp(tmpdir));
	mk("a");
	mk("a/b");
	mk("a/b/c");
	write_file("a/authzc.json", "{}");
	char start[PATH_MAX], *root = NULL;
	snprintf(start, sizeof start, "%s/a/b/c", tmpdir);
	cr_assert_eq(project_find_root(start, &root), 0);
	char *want = NULL;
	snprintf(start, sizeof start, "%s/a", tmpdir);
	want = realpath(start, NULL);
	cr_assert_str_eq(root, want);
	free(root);
	cr_assert_eq(project_find_root(tmpdir, &root), 1);
	cr_assert_str_eq(root, tmpdir);
	free(root);
	errno = 0;
	cr_assert_eq(project_find_root("/nonexistent/authzc/x", &root), -1);
	cr_assert_eq(errno, ENOENT);

	/* the fs tree: files, folders, FIFOs, symlink loops */
	struct source_tree t;
	source_tree_fs(&t, want);
	char *buf;
	size_t len;
	cr_assert_eq(t.read_file(t.payload, "authzc.json", &buf, &len), 0);
	cr_assert_eq(len, 2);
	cr_assert_eq(memcmp(buf, "{}", 2), 0);
	free(buf);
	cr_assert_eq(t.read_file(t.payload, "b", &buf, &len), -1);
	cr_assert_eq(errno, EISDIR);
	cr_assert_eq(t.read_file(t.payload, "nope", &buf, &len), -1);
	cr_assert_eq(errno, ENOENT);
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof fifo, "%s/fifo.authz", want);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(t.read_file(t.payload, "fifo.authz", &buf, &len), -1);
	cr_assert_eq(errno, EINVAL);
	char link[PATH_MAX];
	snprintf(link, sizeof link, "%s/b/loop", want);
	cr_assert_eq(symlink("..", link), 0);
	cr_assert_eq(t.list_dir(t.payload, "authzc.json", NULL, NULL), -1);
	cr_assert_eq(errno, ENOTDIR);

	/* a whole project on disk: the symlink loop is not followed */
	write_file("a/schema.json", SCHEMA);
	mk("a/policies");
	write_file("a/policies/p.authz", "permit p { }\n");
	unlink(fifo);
	compilation_init(&comp);
	cr_assert_eq(compilation_run(&comp, &t), 0);
	cr_assert_eq(comp.nfiles, 1);
	compilation_release(&comp);
	compilation_init(&comp);
	comp.config.policies[0] = ".";
	cr_assert_eq(project_load_sources(&comp, &t), 0);
	cr_assert_eq(comp.nfile_ids, 1);
	free(want);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* ---- JSON and SARIF ------------------------------------------------------------------ */

static cJSON *render(bool sarif)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	if (sarif)
		cr_assert_eq(diag_render_sarif(f, &comp.src, &comp.diags, "authzc.json"), 0);
	else
		cr_assert_eq(diag_render_json(f, &comp.src, &comp.diags), 0);
	fclose(f);
	cr_assert_eq(buf[len - 1], '\n');
	cJSON *j = cJSON_Parse(buf);
	cr_assert_not_null(j, "not JSON: %s", buf);
	free(buf);
	return j;
}

static void some_diags(void)
{
	setup_tree(NULL, 0);
	uint32_t a = srcset_add(&comp.src, "policies/a b.authz", "permit x {\n  when é.y\n}\n", 25);
	uint32_t j = srcset_add(&comp.src, "authzc.json", "{}", 2);
	struct span sp = { a, 21, 22 };  /* the 'y' */
	struct diag *d = diag_at(&comp.diags, E_UNKNOWN_ATTR, sp, "unknown attribute 'y'");
	diag_help(&comp.diags, d, "did you mean 'z'?");
	struct span first = { a, 0, 6 };
	diag_note(&comp.diags, d, first, "rule starts here");
	diag_json(&comp.diags, E_CONFIG_KEY, j, "$.x", "unknown key 'x'");
	diag_file(&comp.diags, E_IO, UINT32_MAX, "cannot read 'b\xff'");
	diag_at(&comp.diags, E_UNKNOWN_ATTR, sp, "unknown attribute 'y'");
	diag_file(&comp.diags, W_NO_TESTS, a, "no tests found");
}

Test(project, json_rendering)
{
	some_diags();
	cJSON *j = render(false);
	cr_assert_eq(cJSON_GetObjectItem(j, "version")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(j, "errors")->valueint, 4);
	cr_assert_eq(cJSON_GetObjectItem(j, "warnings")->valueint, 1);
	cJSON *ds = cJSON_GetObjectItem(j, "diagnostics");
	cr_assert_eq(cJSON_GetArraySize(ds), 5);
	cJSON *d = cJSON_GetArrayItem(ds, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(d, "severity")->valuestring, "error");
	cr_assert_str_eq(cJSON_GetObjectItem(d, "code")->valuestring, "E0301");
	cr_assert_str_eq(cJSON_GetObjectItem(d, "file")->valuestring, "policies/a b.authz");
	cr_assert_eq(cJSON_GetObjectItem(d, "line")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(d, "column")->valueint, 10);  /* é is one column */
	cr_assert_eq(cJSON_GetObjectItem(d, "end_line")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(d, "end_column")->valueint, 11);
	cr_assert_null(cJSON_GetObjectItem(d, "json_path"));
	cr_assert_str_eq(cJSON_GetObjectItem(d, "help")->valuestring, "did you mean 'z'?");
	cJSON *n = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "notes"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(n, "message")->valuestring, "rule starts here");
	cr_assert_eq(cJSON_GetObjectItem(n, "line")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(n, "column")->valueint, 1);
	d = cJSON_GetArrayItem(ds, 1);
	cr_assert_str_eq(cJSON_GetObjectItem(d, "json_path")->valuestring, "$.x");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "line")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "help")));
	d = cJSON_GetArrayItem(ds, 2);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "file")));
	cr_assert_str_eq(cJSON_GetObjectItem(d, "message")->valuestring, "cannot read 'b\xef\xbf\xbd'");
	d = cJSON_GetArrayItem(ds, 4);
	cr_assert_str_eq(cJSON_GetObjectItem(d, "severity")->valuestring, "warning");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "line")));
	cJSON_Delete(j);
}

Test(project, empty_json_rendering)
{
	setup_tree(NULL, 0);
	cJSON *j = render(false);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "diagnostics")), 0);
	cr_assert_eq(cJSON_GetObjectItem(j, "errors")->valueint, 0);
	cJSON_Delete(j);
}

Test(project, sarif_rendering)
{
	some_diags();
	cJSON *j = render(true);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "version")->valuestring, "2.1.0");
	cr_assert_not_null(cJSON_GetObjectItem(j, "$schema"));
	cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "runs"), 0);
	cJSON *driver = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver");
	cr_assert_str_eq(cJSON_GetObjectItem(driver, "name")->valuestring, "authzc");
	cr_assert_not_null(cJSON_GetObjectItem(driver, "informationUri"));
	cJSON *rules = cJSON_GetObjectItem(driver, "rules");
	cr_assert_eq(cJSON_GetArraySize(rules), DIAG__COUNT);
	cJSON *r = cJSON_GetArrayItem(rules, W_NO_TESTS);
	cr_assert_str_eq(cJSON_GetObjectItem(r, "id")->valuestring, "W0503");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "shortDescription"), "text")->valuestring,
			 "no tests found");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "defaultConfiguration"), "level")->valuestring,
			 "warning");

	cJSON *res = cJSON_GetObjectItem(run, "results");
	cr_assert_eq(cJSON_GetArraySize(res), 5);
	cJSON *x = cJSON_GetArrayItem(res, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(x, "ruleId")->valuestring, "E0301");
	cr_assert_eq(cJSON_GetObjectItem(x, "ruleIndex")->valueint, E_UNKNOWN_ATTR);
	cr_assert_str_eq(cJSON_GetObjectItem(x, "level")->valuestring, "error");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "message"), "text")->valuestring,
			 "unknown attribute 'y'\nnote: rule starts here\nhelp: did you mean 'z'?");
	cJSON *phys = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(x, "locations"), 0),
					  "physicalLocation");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(phys, "artifactLocation"), "uri")->valuestring,
			 "policies/a%20b.authz");
	cJSON *reg = cJSON_GetObjectItem(phys, "region");
	cr_assert_eq(cJSON_GetObjectItem(reg, "startLine")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(reg, "startColumn")->valueint, 10);
	cr_assert_eq(cJSON_GetObjectItem(reg, "endLine")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(reg, "endColumn")->valueint, 11);
	const char *fp0 = cJSON_GetObjectItem(cJSON_GetObjectItem(x, "partialFingerprints"),
					      "authzcFinding/v1")->valuestring;
	cr_assert_eq(strlen(fp0), 18);
	cr_assert_str_eq(fp0 + 16, ":1");

	/* JSON path diagnostic: line 1 and the path in the message */
	x = cJSON_GetArrayItem(res, 1);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "message"), "text")->valuestring,
			 "unknown key 'x' (at $.x)");
	phys = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(x, "locations"), 0),
				   "physicalLocation");
	reg = cJSON_GetObjectItem(phys, "region");
	cr_assert_eq(cJSON_GetObjectItem(reg, "startLine")->valueint, 1);
	cr_assert_null(cJSON_GetObjectItem(reg, "startColumn"));

	/* no file: placed on the fallback */
	x = cJSON_GetArrayItem(res, 2);
	phys = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(x, "locations"), 0),
				   "physicalLocation");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(phys, "artifactLocation"), "uri")->valuestring,
			 "authzc.json");

	/* the same finding twice: same hash, next occurrence */
	x = cJSON_GetArrayItem(res, 3);
	const char *fp1 = cJSON_GetObjectItem(cJSON_GetObjectItem(x, "partialFingerprints"),
					      "authzcFinding/v1")->valuestring;
	cr_assert_eq(strncmp(fp0, fp1, 16), 0);
	cr_assert_str_eq(fp1 + 16, ":2");
	x = cJSON_GetArrayItem(res, 4);
	cr_assert_str_eq(cJSON_GetObjectItem(x, "level")->valuestring, "warning");
	cJSON_Delete(j);
}
