/*
 * test_config.c: authzc.json (config.h, project_load_config): defaults,
 * every key, unknown and duplicate keys, invalid JSON pointed at by line
 * and column, value shapes (paths, environments, ref prefix, gates), read
 * errors; config_norm_path.  (text_show: tests/unit/util/test_text.c.)
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "project_util.h"

TestSuite(config, .fini = teardown);

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
				  "'env_ref_prefix', 'gates', 'serve', 'trusted_keys'");
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
	/* The path quotes the key as a JSON string, as the schema's paths do;
	 * the message quotes it as every message does (text_show). */
	cr_assert_str_eq(d->json_path, "$[\"a b\\u0001'\"]");
	cr_assert_str_eq(d->message, "unknown key 'a b\\x01\\''");
}

Test(config, key_path_escapes_quotes_and_bad_utf8)
{
	cr_assert_eq(load_config_text("{\"x\\\"y\xff\\\\\": 1}"), 1);
	struct diag *d = find_diag(E_CONFIG_KEY);
	cr_assert_str_eq(d->json_path, "$[\"x\\\"y\xef\xbf\xbd\\\\\"]");
	cr_assert_str_eq(d->message, "unknown key 'x\"y\\xff\\\\'");
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

Test(config, untested_loosening_gate)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"untested_loosening\": \"refuse\"}}"), 0);
	cr_assert(comp.config.refuse_untested_loosening);
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {\"untested_loosening\": \"allow\"}}"), 0);
	cr_assert(!comp.config.refuse_untested_loosening);
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {}}"), 0);
	cr_assert(!comp.config.refuse_untested_loosening, "off unless asked for");
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {\"untested_loosening\": \"deny\"}}"), 1);
	struct diag *d = find_diag(E_CONFIG_VALUE);
	cr_assert_str_eq(d->json_path, "$.gates.untested_loosening");
	cr_assert_str_eq(d->message, "expected \"refuse\" or \"allow\", found \"deny\"");
	compilation_release(&comp);
	cr_assert_eq(load_config_text("{\"gates\": {\"untested_loosening\": true}}"), 1);
	cr_assert_str_eq(find_diag(E_CONFIG_VALUE)->message, "expected \"refuse\" or \"allow\", found a boolean");
}
