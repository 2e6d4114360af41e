/*
 * test_config_keys.c: trusted_keys in authzc.json (config.c): inline lines
 * and .pub files read from the project's tree, roles, and each fault at
 * its JSON path.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "keys.h"
#include "project_util.h"

TestSuite(config_keys, .fini = teardown);

/* A fixed key line (made once with authzc keygen). */
#define ALICE "authzc-ed25519 9255014500111c0f S9G+gyBeloLuXe/uJ5QfsMM0klqF/mPWz54kRe46XKs= alice"

static size_t load(const char *json, const char *pubfile)
{
	static struct mem_file f[2];
	f[0].path = "authzc.json";
	f[0].text = json;
	f[1].path = "keys/alice.pub";
	f[1].text = pubfile ? pubfile : ALICE "\n";
	setup_tree(f, 2);
	return project_load_config(&comp, &tree);
}

Test(config_keys, none_by_default)
{
	cr_assert_eq(load("{}", NULL), 0);
	cr_assert_eq(comp.config.ntrusted_keys, 0);
}

Test(config_keys, inline_and_file_keys_with_roles)
{
	cr_assert_eq(load("{\"trusted_keys\": ["
			  " {\"key\": \"keys/alice.pub\", \"roles\": [\"approve\", \"promote\"]},"
			  " {\"key\": \"" ALICE "\", \"roles\": \"log\"}]}", NULL), 0);
	/* the same key twice: one entry, the union of its roles */
	cr_assert_eq(comp.config.ntrusted_keys, 1);
	cr_assert_str_eq(comp.config.trusted_keys[0].pub.id, "9255014500111c0f");
	cr_assert_str_eq(comp.config.trusted_keys[0].pub.name, "alice");
	cr_assert_eq(comp.config.trusted_keys[0].roles, EV_ROLE_APPROVE | EV_ROLE_PROMOTE | EV_ROLE_LOG);
}

Test(config_keys, faults_at_their_paths)
{
	cr_assert_eq(load("{\"trusted_keys\": ["
			  " {\"key\": \"keys/missing.pub\", \"roles\": [\"bundle\"]},"
			  " {\"key\": \"keys/alice.pub\", \"roles\": [\"aprove\"]},"
			  " {\"key\": \"keys/alice.pub\"},"
			  " {\"roles\": \"bundle\"},"
			  " {\"key\": \"keys/alice.pub\", \"roles\": []},"
			  " {\"key\": \"authzc-ed25519 0000000000000000 S9G+gyBeloLuXe/uJ5QfsMM0klqF/mPWz54kRe46XKs= alice\","
			  "  \"roles\": \"bundle\"},"
			  " {\"key\": 3, \"roles\": \"bundle\", \"extra\": 1},"
			  " {\"key\": \"/etc/alice.pub\", \"roles\": \"bundle\"}]}", NULL), 9);
	cr_assert(strstr(at("$.trusted_keys[0].key"), "no such file"));
	cr_assert(strstr(at("$.trusted_keys[1].roles[0]"), "unknown role 'aprove'"));
	cr_assert(strstr(at("$.trusted_keys[2]"), "missing \"roles\""));
	cr_assert(strstr(at("$.trusted_keys[3]"), "missing \"key\""));
	cr_assert(strstr(at("$.trusted_keys[4].roles"), "at least one role"));
	cr_assert(strstr(at("$.trusted_keys[5].key"), "does not match"));
	cr_assert(strstr(at("$.trusted_keys[6].key"), "found a number"));
	cr_assert(strstr(at("$.trusted_keys[6].extra"), "unknown key"));
	cr_assert(strstr(at("$.trusted_keys[7].key"), "relative"));
	cr_assert_eq(comp.config.ntrusted_keys, 0);
}

Test(config_keys, a_damaged_key_file_is_named)
{
	cr_assert_eq(load("{\"trusted_keys\": [{\"key\": \"keys/alice.pub\", \"roles\": \"bundle\"}]}",
			  "authzc-ed25519 9255014500111c0f S9G+gyBeloLuXe/uJ5QfsMM0klqF/mPWz54kRe46XKs=\n"), 1);
	cr_assert(strstr(at("$.trusted_keys[0].key"), "'keys/alice.pub'"));
	cr_assert(strstr(at("$.trusted_keys[0].key"), "expected 4"));
	compilation_release(&comp);     /* the second load starts a new one */
	cr_assert_eq(load("{\"trusted_keys\": {}}", NULL), 1);
	cr_assert(strstr(at("$.trusted_keys"), "expected an array"));
}
