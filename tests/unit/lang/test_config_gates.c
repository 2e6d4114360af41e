/*
 * test_config_gates.c: gates.environments in authzc.json (config.c): the
 * approvals, require_ticket and min_soak of an environment, the global
 * gates beside them, and each fault at its JSON path.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "project_util.h"

TestSuite(config_gates, .fini = teardown);

Test(config_gates, none_by_default)
{
	cr_assert_eq(load_config_text("{}"), 0);
	cr_assert_eq(comp.config.nenv_gates, 0);
	cr_assert_eq(comp.config.min_guard_coverage, 100);
}

Test(config_gates, per_environment_beside_the_global_gates)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"min_guard_coverage\": 90, \"environments\": {"
			  " \"prod\": {\"approvals\": 2, \"require_ticket\": true, \"min_soak\": \"1d12h\"},"
			  " \"staging\": {\"min_soak\": \"30m\"}}}}"), 0);
	cr_assert_eq(comp.config.min_guard_coverage, 90);
	cr_assert_eq(comp.config.nenv_gates, 2);
	const struct env_gates *p = &comp.config.env_gates[0], *s = &comp.config.env_gates[1];
	cr_assert_str_eq(p->env, "prod");
	cr_assert_eq(p->approvals, 2);
	cr_assert(p->require_ticket);
	cr_assert(p->has_soak);
	cr_assert_eq(p->min_soak_ms, 36 * 3600000LL);
	cr_assert_str_eq(s->env, "staging");
	cr_assert_eq(s->approvals, 0);
	cr_assert_not(s->require_ticket);
	cr_assert_eq(s->min_soak_ms, 30 * 60000LL);
}

Test(config_gates, faults_at_their_paths)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"environments\": {"
			  " \"prod\": {\"approvals\": 1.5, \"require_ticket\": \"yes\", \"min_soak\": \"24 hours\"},"
			  " \"qa\": {\"approvals\": 1},"
			  " \"dev\": {\"min_soak\": \"1h\"},"
			  " \"staging\": {\"approvls\": 1, \"min_soak\": \"99999d\"}}}}"), 7);
	cr_assert(strstr(at("$.gates.environments.prod.approvals"), "whole number"));
	cr_assert(strstr(at("$.gates.environments.prod.require_ticket"), "true or false"));
	cr_assert(strstr(at("$.gates.environments.prod.min_soak"), "duration"));
	cr_assert(strstr(at("$.gates.environments.qa"), "'qa' is not an environment"));
	cr_assert(strstr(at("$.gates.environments.dev.min_soak"), "first environment"));
	cr_assert(strstr(at("$.gates.environments.staging.approvls"), "unknown key"));
	cr_assert(strstr(at("$.gates.environments.staging.min_soak"), "duration"));
}

Test(config_gates, environments_must_be_an_object)
{
	cr_assert_eq(load_config_text("{\"gates\": {\"environments\": [\"prod\"]}}"), 1);
	cr_assert(strstr(at("$.gates.environments"), "expected an object"));
	teardown();
	cr_assert_eq(load_config_text("{\"gates\": {\"environments\": {\"prod\": 2}}}"), 1);
	cr_assert(strstr(at("$.gates.environments.prod"), "expected an object"));
}

Test(config_gates, checked_against_the_environments_wherever_they_are_listed)
{
	/* "environments" after "gates" in the file */
	cr_assert_eq(load_config_text("{\"gates\": {\"environments\": {\"live\": {\"approvals\": 1}}},"
			  " \"environments\": [\"test\", \"live\"]}"), 0);
	teardown();
	cr_assert_eq(load_config_text("{\"gates\": {\"environments\": {\"prod\": {\"approvals\": 1}}},"
			  " \"environments\": [\"test\", \"live\"]}"), 1);
}

Test(config_gates, a_soak_is_a_duration_as_policies_write_it)
{
	static const char *const bad[] = { "30m1h", "-1h", "1h1h", "3651d" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char json[160];
		snprintf(json, sizeof json,
			 "{\"environments\": [\"dev\", \"prod\"], \"gates\": {\"environments\": {"
			 " \"prod\": {\"min_soak\": \"%s\"}}}}", bad[i]);
		cr_assert_eq(load_config_text(json), 1, "'%s'", bad[i]);
		cr_expect(strstr(at("$.gates.environments.prod.min_soak"), "duration"), "'%s'", bad[i]);
		compilation_release(&comp);
	}
	cr_assert_eq(load_config_text("{\"environments\": [\"dev\", \"prod\"], \"gates\": {\"environments\": {"
			  " \"prod\": {\"min_soak\": \"3650d\"}}}}"), 0);
	cr_assert_eq(comp.config.env_gates[0].min_soak_ms, 3650LL * 86400000);
}
