/*
 * test_project.c: authzc.json, project loading, RFC 3339 timestamps, and
 * the JSON and SARIF renderings of diagnostics.
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

#include "config.h"
#include "diag_json.h"
#include "project.h"
#include "timeparse.h"

/* ---- an in-memory source tree ------------------------------------------------ */

struct mem_file {
	const char *path;
	const char *text;       /* NULL: reading fails with `err` */
	int err;
	size_t len;             /* 0: strlen(text) */
};

struct mem_tree {
	const struct mem_file *files;
	size_t n;
};

static int mem_read(void *payload, const char *path, char **buf, size_t *len)
{
	struct mem_tree *m = payload;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->files[i].path, path))
			continue;
		if (!m->files[i].text) {
			errno = m->files[i].err;
			return -1;
		}
		*len = m->files[i].len ? m->files[i].len : strlen(m->files[i].text);
		*buf = malloc(*len + 1);
		memcpy(*buf, m->files[i].text, *len + 1);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

static int mem_list(void *payload, const char *path,
		    int (*fn)(const char *name, bool is_dir, void *arg), void *arg)
{
	struct mem_tree *m = payload;
	size_t plen = strlen(path);
	char seen[64][128];
	size_t nseen = 0;
	for (size_t i = 0; i < m->n; i++) {
		const char *p = m->files[i].path;
		if (!strcmp(p, path)) {
			errno = ENOTDIR;
			return -1;
		}
		if (plen && (strncmp(p, path, plen) || p[plen] != '/'))
			continue;
		const char *rest = plen ? p + plen + 1 : p;
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = strlen(seen[k]) == n && !strncmp(seen[k], rest, n);
		if (dup)
			continue;
		snprintf(seen[nseen++], sizeof seen[0], "%.*s", (int)n, rest);
	}
	if (!nseen) {
		errno = ENOENT;
		return -1;
	}
	/* Reverse order, to show the loader sorts. */
	for (size_t k = nseen; k-- > 0;) {
		bool is_dir = false;
		for (size_t i = 0; i < m->n && !is_dir; i++) {
			char pre[300];
			snprintf(pre, sizeof pre, "%s%s%s/", path, plen ? "/" : "", seen[k]);
			is_dir = !strncmp(m->files[i].path, pre, strlen(pre));
		}
		if (fn(seen[k], is_dir, arg))
			break;
	}
	return 0;
}

#define SCHEMA "{\"types\": {\"User\": {\"tenant\": \"string\"}, \"Doc\": {\"tenant\": \"string\"}}," \
	" \"actions\": {\"read\": {\"principals\": [\"User\"], \"resources\": [\"Doc\"]}}, \"context\": {}}"

static struct compilation comp;
static struct source_tree tree;
static struct mem_tree mem;

static void setup_tree(const struct mem_file *files, size_t n)
{
	unsetenv("AUTHZC_NOW");
	compilation_init(&comp);
	mem.files = files;
	mem.n = n;
	tree.payload = &mem;
	tree.read_file = mem_read;
	tree.list_dir = mem_list;
}

static size_t load_config_text(const char *json)
{
	static struct mem_file f[1];
	f[0].path = "authzc.json";
	f[0].text = json;
	setup_tree(f, 1);
	return project_load_config(&comp, &tree);
}

/* The first diagnostic with `code`; fails the test when there is none. */
static struct diag *find_diag(enum diag_code code)
{
	for (size_t i = 0; i < comp.diags.n; i++)
		if (comp.diags.items[i]->code == code)
			return comp.diags.items[i];
	cr_assert_fail("no diagnostic %s", diag_code_str(code));
	return NULL;
}

static void diag_pos(const struct diag *d, uint32_t *line, uint32_t *col)
{
	cr_assert(d->has_span);
	src_line_col(srcset_file(&comp.src, d->span.file), d->span.start, line, col);
}

static void teardown(void)
{
	compilation_release(&comp);
}

TestSuite(config, .fini = teardown);
TestSuite(project, .fini = teardown);

/* ---- authzc.json ------------------------------------------------------------------ */

Test(config, absent_file_gives_defaults)
{
	setup_tree(NULL, 0);
	cr_assert_eq(project_load_config(&comp, &tree), 0);
	struct project_config *c = &comp.config;
	cr_assert_not(c->has_file);
	cr_assert_str_eq(c->schema, "schema.json");
	cr_assert_eq(c->npolicies, 1);
	cr_assert_str_eq(c->policies[0], "policies");
	cr_assert_eq(c->ntests, 1);
	cr_assert_str_eq(c->tests[0], "tests");
	cr_assert_not(c->tests_given);
	cr_assert_eq(c->nenvironments, 3);
	cr_assert_str_eq(c->environments[2], "prod");
	cr_assert_str_eq(c->env_ref_prefix, "refs/heads/env/");
	cr_assert_float_eq(c->min_guard_coverage, 100.0, 1e-9);
}

Test(config, every_key_is_read)
{
	cr_assert_eq(load_config_text(
		"{\"schema\": \"./conf//s.json\", \"policies\": \"src/\", \"tests\": [\"t1\", \"t2\"],"
		" \"environments\": [\"qa\", \"live-eu\"], \"env_ref_prefix\": \"refs/authz/\","
		" \"gates\": {\"min_guard_coverage\": 87.5}}"), 0);
	struct project_config *c = &comp.config;
	cr_assert(c->has_file);
	cr_assert_str_eq(c->schema, "conf/s.json");
	cr_assert_eq(c->npolicies, 1);
	cr_assert_str_eq(c->policies[0], "src");
	cr_assert_eq(c->ntests, 2);
	cr_assert_str_eq(c->tests[1], "t2");
	cr_assert(c->tests_given);
	cr_assert_eq(c->nenvironments, 2);
	cr_assert_str_eq(c->environments[1], "live-eu");
	cr_assert_str_eq(c->env_ref_prefix, "refs/authz/");
	cr_assert_float_eq(c->min_guard_coverage, 87.5, 1e-9);
	cr_assert_eq(comp.diags.n, 0);
}

Test(config, empty_object_is_all_defaults)
{
	cr_assert_eq(load_config_text("{ }\n"), 0);
	cr_assert_eq(comp.config.npolicies, 1);
	cr_assert_not(comp.config.tests_given);
}

Test(config, unknown_key_suggests_closest)
{
	cr_assert_eq(load_config_text("{\"polices\": [\"p\"]}"), 1);
	struct diag *d = find_diag(E_CONFIG_KEY);
	cr_assert_str_eq(d->message, "unknown key 'polices'");
	cr_assert_str_eq(d->json_path, "$.polices");
	cr_assert_str_eq(d->help, "did you mean 'policies'?");
	cr_assert_eq(d->span.file, comp.config.file);
	/* the faulty key did not change the default */
	cr_assert_str_eq(comp.config.policies[0], "policies");
}

Test(config, unknown_key_without_close_match_lists_keys)
{
	cr_assert_eq(load_config_text("{\"zzzzzzzzzz\": 1}"), 1);
	struct diag *d = find_diag(E_CONFIG_KEY);
	cr_assert_str_eq(d->help, "known keys: 'schema', 'policies', 'tests', 'environments', "
				  "'env_ref_prefix', 'gates'");
}

Test(config, unknown_gate_key)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverge\": 50}}"), 1);
	struct diag *d = find_diag(E_CONFIG_KEY);
	cr_assert_str_eq(d->json_path, "$.gates.min_guard_coverge");
	cr_assert_str_eq(d->help, "did you mean 'min_guard_coverage'?");
}

Test(config, odd_key_is_quoted_and_escaped)
{
	cr_assert_eq(load_config_text("{\"a b\\u0001'\": 1}"), 1);
	struct diag *d = find_diag(E_CONFIG_KEY);
	cr_assert_str_eq(d->json_path, "$[\"a b\\x01\\'\"]");
	cr_assert_str_eq(d->message, "unknown key 'a b\\x01\\''");
}

Test(config, duplicate_key)
{
	cr_assert_eq(load_config_text("{\"schema\": \"a.json\", \"schema\": \"b.json\"}"), 1);
	struct diag *d = find_diag(E_CONFIG_DUP);
	cr_assert_str_eq(d->message, "duplicate key 'schema'");
	cr_assert_str_eq(d->json_path, "$.schema");
	cr_assert_str_eq(comp.config.schema, "a.json");
}

Test(config, duplicate_gate_key)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": 1, \"min_guard_coverage\": 2}}"), 1);
	struct diag *d = find_diag(E_CONFIG_DUP);
	cr_assert_str_eq(d->json_path, "$.gates.min_guard_coverage");
}

Test(config, invalid_json_points_at_line_and_column)
{
	cr_assert_eq(load_config_text("{\n  \"schema\": \"s.json\",\n  \"policies\": [,]\n}\n"), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(line, 3);
	cr_assert_eq(col, 16);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected ','");
	cr_assert_null(d->json_path);
}

Test(config, invalid_json_trailing_comma_in_object)
{
	cr_assert_eq(load_config_text("{\"schema\": \"s.json\",}"), 1);
	uint32_t line, col;
	diag_pos(find_diag(E_CONFIG_JSON), &line, &col);
	cr_assert_eq(line, 1);
	cr_assert_eq(col, 21);
}

Test(config, invalid_json_trailing_comma_before_newline)
{
	/* cJSON's own error pointer lands past the '}' here */
	cr_assert_eq(load_config_text("{\n  \"a\": \"b\",\n  \"c\": [\"d\"],\n}\n"), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected '}'");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(line, 4);
	cr_assert_eq(col, 1);
}

Test(config, invalid_json_kinds)
{
	static const struct { const char *text, *message; uint32_t col; } cases[] = {
		{ "{\"a\": [1,]}", "invalid JSON: unexpected ']'", 10 },
		{ "{\"a\" 1}", "invalid JSON: unexpected '1'", 6 },
		{ "{\"a\": tru}", "invalid JSON: unexpected '}'", 10 },
		{ "{\"a\": 01}", "invalid JSON: unexpected '1'", 8 },
		{ "{\"a\": 1.}", "invalid JSON: unexpected '}'", 9 },
		{ "{\"a\": -}", "invalid JSON: unexpected '}'", 8 },
		{ "{\"a\": \"x\\q\"}", "invalid JSON: bad escape sequence in a string", 9 },
		{ "{\"a\": \"\\u12g4\"}", "invalid JSON: bad escape sequence in a string", 8 },
		{ "{\"a\": \"x}", "invalid JSON: unexpected end of file", 10 },
		{ "{a: 1}", "invalid JSON: unexpected 'a'", 2 },
		{ "{\"a\": é}", "invalid JSON: unexpected 'é'", 7 },
		{ "{\"a\": 1e+}", "invalid JSON: unexpected '}'", 10 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(load_config_text(cases[i].text), 1, "%s", cases[i].text);
		struct diag *d = find_diag(E_CONFIG_JSON);
		cr_assert_str_eq(d->message, cases[i].message, "%s", cases[i].text);
		uint32_t line, col;
		diag_pos(d, &line, &col);
		cr_assert_eq(col, cases[i].col, "%s: col %u", cases[i].text, col);
		compilation_release(&comp);
	}
	/* and the valid forms pass */
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": 1.5e1}, \"schema\": \"\\u00e9\\n.json\"}"), 0);
}

Test(config, invalid_json_end_of_file)
{
	cr_assert_eq(load_config_text("{\"a\":\n  "), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected end of file");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(line, 2);
	cr_assert_eq(col, 3);
}

Test(config, empty_file_is_invalid_json)
{
	cr_assert_eq(load_config_text(""), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected end of file");
}

Test(config, trailing_garbage_is_invalid_json)
{
	cr_assert_eq(load_config_text("{}\n\n  x"), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected 'x' after the top-level value");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(line, 3);
	cr_assert_eq(col, 3);
}

Test(config, control_byte_in_json_is_shown_as_hex)
{
	cr_assert_eq(load_config_text("{\"a\": \x01}"), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected byte 0x01");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(col, 7);
}

Test(config, control_byte_in_string_is_invalid)
{
	cr_assert_eq(load_config_text("{\"schema\": \"a\\\"\tb\"}"), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: control character in a string");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(col, 16);
}

Test(config, nul_byte_is_invalid_json)
{
	static const struct mem_file f[] = { { "authzc.json", "{\"a\": 1}\0 ", 0, 10 } };
	setup_tree(f, 1);
	cr_assert_eq(project_load_config(&comp, &tree), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: unexpected byte 0x00 after the top-level value");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(col, 9);
}

Test(config, deep_nesting_is_an_error_not_a_crash)
{
	static char buf[20000];
	size_t n = 0;
	buf[n++] = '{';
	memcpy(buf + n, "\"gates\":", 8);
	n += 8;
	for (int i = 0; i < 5000; i++)
		buf[n++] = '[';
	buf[n] = '\0';
	cr_assert_eq(load_config_text(buf), 1);
	struct diag *d = find_diag(E_CONFIG_JSON);
	cr_assert_str_eq(d->message, "invalid JSON: nested deeper than 256 levels");
	uint32_t line, col;
	diag_pos(d, &line, &col);
	cr_assert_eq(col, 9 + 256);     /* the 256th [ */
}

Test(config, top_level_must_be_object)
{
	cr_assert_eq(load_config_text("[1, 2]"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$");
	cr_assert_str_eq(d->message, "expected an object at the top level, found an array");
}

Test(config, schema_must_be_string)
{
	cr_assert_eq(load_config_text("{\"schema\": 3}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$.schema");
	cr_assert_str_eq(d->message, "expected a string, found a number");
}

Test(config, schema_cannot_be_root)
{
	cr_assert_eq(load_config_text("{\"schema\": \"./\"}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->message, "path './' must name a file, not the project root");
}

Test(config, paths_must_stay_inside_the_project)
{
	cr_assert_eq(load_config_text("{\"policies\": [\"ok\", \"a/../../x\", \"/etc\", \"\", 7]}"), 4);
	cr_assert_eq(comp.diags.n, 4);
	cr_assert_str_eq(comp.diags.items[0]->json_path, "$.policies[1]");
	cr_assert_str_eq(comp.diags.items[0]->message,
			 "path 'a/../../x' must stay inside the project root (no '..')");
	cr_assert_str_eq(comp.diags.items[1]->json_path, "$.policies[2]");
	cr_assert_str_eq(comp.diags.items[1]->message, "path '/etc' must be relative to the project root");
	cr_assert_str_eq(comp.diags.items[2]->json_path, "$.policies[3]");
	cr_assert_str_eq(comp.diags.items[2]->message, "path must not be empty");
	cr_assert_str_eq(comp.diags.items[3]->json_path, "$.policies[4]");
	cr_assert_str_eq(comp.diags.items[3]->message, "expected a string, found a number");
	/* a faulty list keeps the default */
	cr_assert_str_eq(comp.config.policies[0], "policies");
}

Test(config, tests_must_be_array_or_string)
{
	cr_assert_eq(load_config_text("{\"tests\": {\"a\": 1}}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$.tests");
	cr_assert_str_eq(d->message, "expected an array of paths or a path, found an object");
}

Test(config, environments_are_checked)
{
	cr_assert_eq(load_config_text(
		"{\"environments\": [\"dev\", \"dev\", \"\", \"a b\", true, \"x..y\", \"p.lock\"]}"), 6);
	cr_assert_str_eq(comp.diags.items[0]->json_path, "$.environments[1]");
	cr_assert_str_eq(comp.diags.items[0]->message, "duplicate environment 'dev'");
	cr_assert_str_eq(comp.diags.items[1]->json_path, "$.environments[2]");
	cr_assert_str_eq(comp.diags.items[1]->message, "environment name must not be empty");
	cr_assert_str_eq(comp.diags.items[2]->json_path, "$.environments[3]");
	cr_assert_str_eq(comp.diags.items[2]->message, "invalid environment name 'a b'");
	cr_assert_not_null(comp.diags.items[2]->help);
	cr_assert_str_eq(comp.diags.items[3]->message, "expected a string, found a boolean");
	cr_assert_str_eq(comp.diags.items[4]->message, "invalid environment name 'x..y'");
	cr_assert_str_eq(comp.diags.items[5]->message, "invalid environment name 'p.lock'");
	cr_assert_eq(comp.config.nenvironments, 3);
}

Test(config, environments_must_be_array)
{
	cr_assert_eq(load_config_text("{\"environments\": \"prod\"}"), 1);
	cr_assert_str_eq(find_diag(E_CONFIG_VALUE)->message,
			 "expected an array of environment names, found a string");
}

Test(config, env_ref_prefix_shape)
{
	cr_assert_eq(load_config_text("{\"env_ref_prefix\": \"heads/env/\"}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$.env_ref_prefix");
	cr_assert_str_eq(d->message, "ref prefix 'heads/env/' must start with 'refs/' and end with '/'");
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"env_ref_prefix\": \"refs/heads/env\"}"), 1);
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"env_ref_prefix\": \"refs/a b/\"}"), 1);
	cr_assert_str_eq(find_diag(E_CONFIG_VALUE)->message,
			 "ref prefix 'refs/a b/' is not a valid git ref name");
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"env_ref_prefix\": \"refs/../\"}"), 1);
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"env_ref_prefix\": 5}"), 1);
	cr_assert_str_eq(find_diag(E_CONFIG_VALUE)->message, "expected a string, found a number");
}

Test(config, gates_must_be_object)
{
	cr_assert_eq(load_config_text("{\"gates\": [100]}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$.gates");
	cr_assert_str_eq(d->message, "expected an object, found an array");
}

Test(config, coverage_range_and_type)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": 100.5}}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$.gates.min_guard_coverage");
	cr_assert_str_eq(d->message, "expected a number from 0 to 100, found 100.5");
	cr_assert_float_eq(comp.config.min_guard_coverage, 100.0, 1e-9);
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": -1}}"), 1);
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": \"90\"}}"), 1);
	cr_assert_str_eq(find_diag(E_CONFIG_VALUE)->message,
			 "expected a number from 0 to 100, found a string");
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": 0}}"), 0);
	cr_assert_float_eq(comp.config.min_guard_coverage, 0.0, 1e-9);
}

Test(config, every_fault_is_reported)
{
	cr_assert_eq(load_config_text("{\"schema\": 1, \"x\": 2, \"gates\": {\"y\": 3}}"), 3);
}

Test(config, unreadable_file_is_io_error)
{
	static const struct mem_file f[] = { { "authzc.json", NULL, EISDIR, 0 } };
	setup_tree(f, 1);
	cr_assert_eq(project_load_config(&comp, &tree), 1);
	struct diag *d = find_diag(E_IO);
	cr_assert_str_eq(d->message, "cannot read 'authzc.json': it is a folder");
	cr_assert_eq(d->span.file, UINT32_MAX);
}

Test(config, huge_file_is_limit_error)
{
	static const struct mem_file f[] = { { "authzc.json", NULL, EFBIG, 0 } };
	setup_tree(f, 1);
	cr_assert_eq(project_load_config(&comp, &tree), 1);
	cr_assert_str_eq(find_diag(E_LIMIT)->message, "'authzc.json' is larger than the 16 MiB limit");
}

Test(config, norm_path)
{
	struct arena a = ARENA_INIT;
	const char *why = NULL;
	cr_assert_str_eq(config_norm_path(&a, "./a//b/./c/", &why), "a/b/c");
	cr_assert_str_eq(config_norm_path(&a, ".", &why), "");
	cr_assert_str_eq(config_norm_path(&a, "a..b/..c", &why), "a..b/..c");
	cr_assert_null(config_norm_path(&a, "a/..", &why));
	cr_assert_null(config_norm_path(&a, "/a", &why));
	arena_free(&a);
}

Test(config, text_show_escapes)
{
	struct arena a = ARENA_INIT;
	cr_assert_str_eq(text_show(&a, "a\nb\xff\xc3\xa9", 6, 64), "a\\x0ab\\xffé");
	cr_assert_str_eq(text_show(&a, "abcdef", 6, 3), "abc...");
	cr_assert_str_eq(text_show(&a, "", 0, 3), "");
	arena_free(&a);
}

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

/* ---- RFC 3339 ------------------------------------------------------------------------ */

static int64_t ts(const char *s)
{
	int64_t ms = 42;
	cr_assert_eq(rfc3339_parse(s, strlen(s), &ms), 0, "refused %s", s);
	return ms;
}

static void bad_ts(const char *s)
{
	int64_t ms = 42;
	cr_assert_eq(rfc3339_parse(s, strlen(s), &ms), -1, "accepted %s", s);
	cr_assert_eq(ms, 42);
}

Test(timeparse, valid)
{
	cr_assert_eq(ts("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(ts("2026-11-22T10:00:00Z"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22t10:00:00z"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22 10:00:00Z"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T11:30:00+01:30"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T05:00:00-05:00"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T10:00:00-00:00"), 1795341600000LL);
	cr_assert_eq(ts("2026-11-22T10:00:00.5Z"), 1795341600500LL);
	cr_assert_eq(ts("2026-11-22T10:00:00.123Z"), 1795341600123LL);
	cr_assert_eq(ts("2026-11-22T10:00:00.123999999Z"), 1795341600123LL);     /* truncated */
	cr_assert_eq(ts("1969-12-31T23:59:59.999Z"), -1);
	cr_assert_eq(ts("0000-01-01T00:00:00Z"), -62167219200000LL);
	cr_assert_eq(ts("9999-12-31T23:59:59Z"), 253402300799000LL);
	cr_assert_eq(ts("2024-02-29T00:00:00Z"), 1709164800000LL);
	cr_assert_eq(ts("2000-02-29T00:00:00Z"), 951782400000LL);
	cr_assert_eq(ts("2026-12-31T23:59:59+23:59"), ts("2026-12-31T00:00:59Z"));
}

Test(timeparse, invalid)
{
	bad_ts("");
	bad_ts("2026-02-30T00:00:00Z");
	bad_ts("2026-02-29T00:00:00Z");
	bad_ts("1900-02-29T00:00:00Z");
	bad_ts("2026-04-31T00:00:00Z");
	bad_ts("2026-13-01T00:00:00Z");
	bad_ts("2026-00-01T00:00:00Z");
	bad_ts("2026-01-00T00:00:00Z");
	bad_ts("2026-01-32T00:00:00Z");
	bad_ts("2026-01-01T24:00:00Z");
	bad_ts("2026-01-01T23:60:00Z");
	bad_ts("2026-12-31T23:59:60Z");         /* no leap seconds */
	bad_ts("2026-01-01T00:00:00");          /* offset required */
	bad_ts("2026-01-01");
	bad_ts("2026-01-01T00:00Z");
	bad_ts("2026-01-01T00:00:00.Z");
	bad_ts("2026-01-01T00:00:00ZZ");
	bad_ts("2026-01-01T00:00:00Z ");
	bad_ts(" 2026-01-01T00:00:00Z");
	bad_ts("2026-01-01X00:00:00Z");
	bad_ts("2026-1-01T00:00:00Z");
	bad_ts("26-01-01T00:00:00Z");
	bad_ts("+2026-01-01T00:00:00Z");
	bad_ts("2026-01-01T00:00:00+24:00");
	bad_ts("2026-01-01T00:00:00+01:60");
	bad_ts("2026-01-01T00:00:00+0100");
	bad_ts("2026-01-01T00:00:00+01");
	bad_ts("2026-01-01T0a:00:00Z");
	bad_ts("2026\xef\xbc\x8d" "01-01T00:00:00Z");
	int64_t ms = 42;
	cr_assert_eq(rfc3339_parse(NULL, 0, &ms), -1);
	/* `len` is honoured: no read past it, no NUL needed */
	cr_assert_eq(rfc3339_parse("2026-11-22T10:00:00Zjunk", 20, &ms), 0);
	cr_assert_eq(ms, 1795341600000LL);
	cr_assert_eq(rfc3339_parse("2026-11-22T10:00:00Z", 19, &ms), -1);
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
