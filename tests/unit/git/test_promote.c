/*
 * test_promote.c: promote_run (promote.h) on temporary repositories
 * (git_util.h): each gate's refusal, with nothing written; a move and its
 * record (ref, reflog, annotated tag, the record's JSON read back by
 * promote_records); unchanged and dry-run outcomes; the coverage gate
 * taken from the environment's current version, not the one promoted;
 * rollbacks walking back past versions rolled back from and to record N,
 * and their refusals; a move whose record cannot be written.
 *
 * The project is at the sandbox's root: authzc.json with the default
 * environments dev, staging and prod and the default 100% guard-coverage
 * gate; one permit with one guard and two tests that cover it.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "git_util.h"
#include "promote.h"

static const char POLICY[] =
	"package p;\n\npermit r {\n  principal is User\n  action == \"read\"\n"
	"  when principal.tenant == resource.tenant\n}\n";
static const char TESTS[] =
	"package p;\n\nrequest q {\n"
	"  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\" }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n}\n\n"
	"test \"same tenant\" {\n  given q\n  expect allow by p.r\n}\n\n"
	"test \"other tenant\" {\n  given q with principal.tenant = \"globex\"\n  expect deny\n}\n";

static git_oid v1;
static struct gitx g;
static bool g_open;
static struct promote_result res;

/* v1 committed, the promoter configured, the clock fixed. */
static void setup(void)
{
	gu_init();
	setenv("AUTHZC_NOW", "2026-11-22T12:00:00Z", 1);
	gu_mkdir("policies");
	gu_mkdir("tests");
	gu_write("authzc.json", "{}\n");
	gu_write("schema.json", fixture_text("schema/versions-v1.json"));
	gu_write("policies/p.authz", POLICY);
	gu_write("tests/p_test.authz", TESTS);
	gu_commit(&v1, "v1");
	gu_config("user.name", "Pat Promoter");
	gu_config("user.email", "pat@example.com");
	gu_chdir(".");
}

static void teardown(void)
{
	promote_result_release(&res);
	if (g_open)
		gitx_close(&g);
	g_open = false;
	gu_fini();
}

TestSuite(promote, .init = setup, .fini = teardown);

/* Run promote_run with `o` on a freshly opened repository; its return
 * value, the result in `res` (the previous one released). */
static int run(struct promote_opts o)
{
	promote_result_release(&res);
	if (g_open)
		gitx_close(&g);
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	g_open = true;
	return promote_run(&res, &g, &o);
}

/* Run `o`, which must move its environment. */
static void moved(struct promote_opts o)
{
	cr_assert_eq(run(o), 0, "%s", g.msg);
	cr_assert_eq(res.outcome, PROMOTE_MOVED, "outcome %d: gate %s: %s", res.outcome,
		     res.gate ? res.gate : "-", res.why);
}

/* Run `o`, which the gate `gate` must refuse for `why`. */
static void refused(struct promote_opts o, const char *gate, const char *why)
{
	cr_assert_eq(run(o), 0, "%s", g.msg);
	cr_assert_eq(res.outcome, PROMOTE_REFUSED, "outcome %d, not refused", res.outcome);
	cr_expect_str_eq(res.gate, gate);
	cr_expect_str_eq(res.why, why);
}

/* Commit the work tree as it is now. */
static git_oid commit(const char *msg)
{
	git_oid id;
	gu_commit(&id, msg);
	return id;
}

/* A second version, that compiles and passes like v1. */
static git_oid commit_v2(void)
{
	gu_write("policies/q.authz", "// v2\n");
	return commit("v2");
}

static const char *short_id(const git_oid *id)
{
	static char buf[4][8];
	static int k;
	k = (k + 1) % 4;
	return gitx_short(id, buf[k]);
}

/* Where `env` points: 1 and *out, or 0 when it has no ref. */
static int env_at(const char *env, git_oid *out)
{
	char ref[128];
	snprintf(ref, sizeof ref, "refs/heads/env/%s", env);
	int rc = git_reference_name_to_id(out, gu_repo, ref);
	cr_assert(rc == 0 || rc == GIT_ENOTFOUND);
	return rc == 0;
}

static void expect_env_at(const char *env, const git_oid *want)
{
	git_oid at;
	cr_assert(env_at(env, &at), "'%s' has no ref", env);
	cr_expect(git_oid_equal(&at, want), "'%s' is at %s, not %s", env, short_id(&at), short_id(want));
}

static void expect_no_env(const char *env)
{
	git_oid at;
	cr_expect_not(env_at(env, &at), "'%s' was created", env);
}

/* The records of `env` (in `a`). */
static size_t records(const char *env, struct arena *a, struct promote_record **out)
{
	size_t n;
	cr_assert_eq(promote_records(&g, env, a, out, &n), 0, "%s", g.msg);
	return n;
}

static size_t nrecords(const char *env)
{
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	size_t n = records(env, &a, &r);
	arena_free(&a);
	return n;
}

static void hex(const git_oid *id, char out[GIT_OID_HEXSZ + 1])
{
	git_oid_tostr(out, GIT_OID_HEXSZ + 1, id);
}

/* ---- a move and its record ----------------------------------------------- */

Test(promote, moves_the_first_environment_and_records_it)
{
	moved((struct promote_opts){ .env = "dev", .ticket = "CHG-1" });
	cr_expect_null(res.gate);
	cr_expect_str_eq(res.from, "none");
	cr_expect_str_eq(res.to, short_id(&v1));
	cr_expect_str_eq(res.refname, "refs/heads/env/dev");
	cr_expect_str_eq(res.record, "authzc/dev/1");
	cr_expect_eq(res.ev.tests_run, 2);
	cr_expect_eq(res.ev.tests_passed, 2);
	cr_expect_null(res.ev.failed);
	cr_expect_eq(res.ev.guards.covered, 1);
	cr_expect_eq(res.ev.guards.total, 1);
	cr_expect_float_eq(res.ev.coverage, 100.0, 1e-9);
	cr_expect_float_eq(res.ev.min, 100.0, 1e-9);
	cr_expect_not(res.ev.under);
	cr_expect_eq(strncmp(res.ev.bundle, "sha256:", 7), 0);
	cr_expect_eq(strlen(res.ev.bundle), 71);
	cr_expect_eq(strncmp(res.ev.schema, "sha256:", 7), 0);
	expect_env_at("dev", &v1);
	expect_no_env("staging");

	/* the reflog names the move */
	git_reflog *log = NULL;
	cr_assert_eq(git_reflog_read(&log, gu_repo, "refs/heads/env/dev"), 0);
	cr_assert_eq(git_reflog_entrycount(log), 1);
	char want[128];
	snprintf(want, sizeof want, "authzc promote: dev none -> %s ticket CHG-1", short_id(&v1));
	cr_expect_str_eq(git_reflog_entry_message(git_reflog_entry_byindex(log, 0)), want);
	git_reflog_free(log);

	/* the record: an annotated tag on v1, by the promoter */
	git_object *tag = NULL;
	cr_assert_eq(git_revparse_single(&tag, gu_repo, "refs/tags/authzc/dev/1"), 0);
	cr_assert_eq(git_object_type(tag), GIT_OBJECT_TAG);
	cr_expect(git_oid_equal(git_tag_target_id((git_tag *)tag), &v1));
	cr_expect_str_eq(git_tag_tagger((git_tag *)tag)->name, "Pat Promoter");
	cr_expect_str_eq(git_tag_tagger((git_tag *)tag)->email, "pat@example.com");
	git_object_free(tag);

	/* and its JSON, read back */
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("dev", &a, &r), 1);
	char v1hex[GIT_OID_HEXSZ + 1];
	hex(&v1, v1hex);
	cr_expect_eq(r[0].n, 1);
	cr_expect_str_eq(r[0].tag, "authzc/dev/1");
	cr_expect_str_eq(r[0].commit, v1hex);
	cr_expect_str_eq(r[0].kind, "promote");
	cr_expect_null(r[0].previous);
	cr_expect_str_eq(r[0].bundle, res.ev.bundle);
	cr_expect_str_eq(r[0].time, "2026-11-22T12:00:00Z");
	cr_expect_str_eq(r[0].name, "Pat Promoter");
	cr_expect_str_eq(r[0].email, "pat@example.com");
	cr_expect_str_eq(r[0].ticket, "CHG-1");
	cr_expect_float_eq(r[0].tests_run, 2, 1e-9);
	cr_expect_float_eq(r[0].tests_passed, 2, 1e-9);
	cr_expect_float_eq(r[0].coverage, 100, 1e-9);
	cJSON *j = cJSON_Parse(r[0].message);
	cr_assert_not_null(j, "record is not JSON: %s", r[0].message);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "environment")->valuestring, "dev");
	cr_expect_eq(cJSON_GetObjectItem(j, "record")->valueint, 1);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "schema")->valuestring, res.ev.schema);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "previous")));
	cr_expect_null(cJSON_GetObjectItem(j, "rollback_to"));
	cJSON *cov = cJSON_GetObjectItem(j, "coverage");
	cr_expect_eq(cJSON_GetObjectItem(cov, "covered")->valueint, 1);
	cr_expect_eq(cJSON_GetObjectItem(cov, "total")->valueint, 1);
	cr_expect_eq(cJSON_GetObjectItem(cov, "min")->valueint, 100);
	cJSON_Delete(j);
	arena_free(&a);
}

Test(promote, moves_through_the_stages_and_numbers_records_per_environment)
{
	moved((struct promote_opts){ .env = "dev" });
	moved((struct promote_opts){ .env = "staging" });
	cr_expect_str_eq(res.record, "authzc/staging/1");
	gu_write("policies/p.authz", "// v2\n");
	gu_write("policies/q.authz", POLICY);
	git_oid v2 = commit("v2");
	moved((struct promote_opts){ .env = "dev" });
	cr_expect_str_eq(res.from, short_id(&v1));
	cr_expect_str_eq(res.to, short_id(&v2));
	cr_expect_str_eq(res.record, "authzc/dev/2");
	/* staging defaults to dev's commit, prod to staging's */
	moved((struct promote_opts){ .env = "staging" });
	cr_expect_str_eq(res.record, "authzc/staging/2");
	moved((struct promote_opts){ .env = "prod" });
	cr_expect_str_eq(res.record, "authzc/prod/1");
	expect_env_at("prod", &v2);
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("staging", &a, &r), 2);
	char v1hex[GIT_OID_HEXSZ + 1];
	hex(&v1, v1hex);
	cr_expect_str_eq(r[1].previous, v1hex);
	arena_free(&a);
}

Test(promote, already_there_is_unchanged_and_writes_nothing)
{
	moved((struct promote_opts){ .env = "dev" });
	cr_assert_eq(run((struct promote_opts){ .env = "dev" }), 0, "%s", g.msg);
	cr_expect_eq(res.outcome, PROMOTE_UNCHANGED);
	cr_expect_str_eq(res.to, short_id(&v1));
	cr_expect_null(res.record);
	cr_expect_eq(nrecords("dev"), 1);
}

Test(promote, dry_run_passes_every_gate_and_writes_nothing)
{
	cr_assert_eq(run((struct promote_opts){ .env = "dev", .dry_run = true }), 0, "%s", g.msg);
	cr_expect_eq(res.outcome, PROMOTE_DRY_RUN);
	cr_expect_str_eq(res.to, short_id(&v1));
	cr_expect_eq(res.ev.tests_passed, 2);
	cr_expect_eq(strncmp(res.ev.bundle, "sha256:", 7), 0);
	cr_expect_null(res.record);
	expect_no_env("dev");
	cr_expect_eq(nrecords("dev"), 0);
}

/* ---- each gate refuses, and nothing is written --------------------------- */

Test(promote, environment_unknown_is_trouble_not_a_refusal)
{
	cr_expect_eq(run((struct promote_opts){ .env = "qa" }), -1);
	cr_expect_str_eq(g.msg, "unknown environment 'qa' (authzc.json lists: dev, staging, prod)");
}

Test(promote, source_unknown_is_trouble_not_a_refusal)
{
	cr_expect_eq(run((struct promote_opts){ .env = "dev", .from = "nosuch" }), -1);
	cr_expect_str_eq(g.msg, "unknown revision or environment 'nosuch'");
	expect_no_env("dev");
}

Test(promote, promoter_gate_needs_user_name_and_email)
{
	git_config *cfg = NULL;
	cr_assert_eq(git_repository_config(&cfg, gu_repo), 0);
	cr_assert_eq(git_config_delete_entry(cfg, "user.email"), 0);
	git_config_free(cfg);
	refused((struct promote_opts){ .env = "dev" }, "promoter",
		"git user.name and user.email are not set; the record names who moved the environment");
	expect_no_env("dev");
	cr_expect_eq(nrecords("dev"), 0);
}

Test(promote, order_gate_needs_the_previous_stage_first)
{
	refused((struct promote_opts){ .env = "staging" }, "order",
		"environment 'dev' has no version yet (no ref 'refs/heads/env/dev'); promote 'dev' first");
	/* --from does not skip the stage either */
	refused((struct promote_opts){ .env = "staging", .from = "HEAD" }, "order",
		"environment 'dev' has no version yet (no ref 'refs/heads/env/dev'); promote 'dev' first");
	expect_no_env("staging");
}

Test(promote, order_gate_needs_the_version_in_the_previous_stage)
{
	moved((struct promote_opts){ .env = "dev" });
	moved((struct promote_opts){ .env = "staging" });
	git_oid v2 = commit_v2();
	char why[256];
	snprintf(why, sizeof why, "%s is not in 'dev' (%s): a version reaches 'staging' only through 'dev'",
		 short_id(&v2), short_id(&v1));
	refused((struct promote_opts){ .env = "staging", .from = "HEAD" }, "order", why);
	expect_env_at("staging", &v1);
	cr_expect_eq(nrecords("staging"), 1);
}

Test(promote, fast_forward_gate_refuses_going_back)
{
	git_oid v2 = commit_v2();
	moved((struct promote_opts){ .env = "dev" });
	char why[256];
	snprintf(why, sizeof why, "moving 'dev' from %s to %s is not a fast-forward; "
		 "'authzc rollback' is the way back", short_id(&v2), short_id(&v1));
	refused((struct promote_opts){ .env = "dev", .from = "HEAD~1" }, "fast-forward", why);
	expect_env_at("dev", &v2);
	cr_expect_eq(nrecords("dev"), 1);
}

Test(promote, compile_gate_keeps_the_diagnostics)
{
	gu_write("policies/broken.authz", "permit broken {\n");
	git_oid bad = commit("broken");
	char why[64];
	snprintf(why, sizeof why, "%s does not compile", short_id(&bad));
	refused((struct promote_opts){ .env = "dev" }, "compile", why);
	cr_assert(res.has_failed);
	cr_assert_not_null(res.failed.c);
	cr_expect_geq(res.failed.c->diags.errors, 1);
	cr_expect_eq(res.failed.c->diags.items[0]->code, E_UNCLOSED);
	expect_no_env("dev");
}

Test(promote, tests_gate_names_the_first_failing_test)
{
	gu_write("tests/p_test.authz",
		 "package p;\n\nrequest q {\n"
		 "  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
		 "  resource Dataset \"d\" { tenant: \"globex\", env: \"prod\" }\n"
		 "  at time(\"2026-11-22T10:00:00Z\")\n}\n\n"
		 "test \"other tenant\" {\n  given q\n  expect deny\n}\n\n"
		 "test \"wrongly allowed\" {\n  given q\n  expect allow\n}\n");
	git_oid bad = commit("failing");
	char why[128];
	snprintf(why, sizeof why, "1 of 2 tests fail at %s (first: 'wrongly allowed')", short_id(&bad));
	refused((struct promote_opts){ .env = "dev" }, "tests", why);
	cr_expect_eq(res.ev.tests_run, 2);
	cr_expect_eq(res.ev.tests_passed, 1);
	cr_expect_str_eq(res.ev.failed, "wrongly allowed");
	expect_no_env("dev");
}

Test(promote, coverage_gate_holds_an_uncovered_guard_back)
{
	/* The tests see the first guard hold access back, never the second. */
	gu_write("policies/q.authz", "package p;\n\npermit root {\n  principal is User\n"
		 "  when principal.tenant == \"root\" and principal.mfa\n}\n");
	git_oid bad = commit("uncovered");
	char why[128];
	snprintf(why, sizeof why, "guard coverage 66.6%% (2/3) at %s is under gates.min_guard_coverage "
		 "100%% (from %s itself: 'dev' has no version yet)", short_id(&bad), short_id(&bad));
	refused((struct promote_opts){ .env = "dev" }, "coverage", why);
	cr_expect(res.ev.under);
	cr_expect_eq(res.ev.guards.covered, 2);
	cr_expect_eq(res.ev.guards.total, 3);
	expect_no_env("dev");
	/* a lower gate in the commit's own authzc.json lets it through while
	 * the environment has no version (no gate in force yet) */
	gu_write("authzc.json", "{\"gates\": {\"min_guard_coverage\": 50}}\n");
	git_oid low = commit("gate at 50");
	moved((struct promote_opts){ .env = "dev" });
	cr_expect_float_eq(res.ev.min, 50.0, 1e-9);
	char lowhex[GIT_OID_HEXSZ + 1];
	hex(&low, lowhex);
	cr_expect_str_eq(res.ev.min_from, lowhex);
}

Test(promote, coverage_gate_is_the_environments_not_the_versions)
{
	moved((struct promote_opts){ .env = "dev" });         /* v1, gate 100 */
	/* an uncovered guard and a gate lowered to 50 in the same version */
	gu_write("policies/q.authz", "package p;\n\npermit root {\n  principal is User\n"
		 "  when principal.tenant == \"root\" and principal.mfa\n}\n");
	gu_write("authzc.json", "{\"gates\": {\"min_guard_coverage\": 50}}\n");
	git_oid bad = commit("uncovered, gate at 50");
	char why[256], v1hex[GIT_OID_HEXSZ + 1];
	hex(&v1, v1hex);
	snprintf(why, sizeof why, "guard coverage 66.6%% (2/3) at %s is under "
		 "gates.min_guard_coverage 100%% (from 'dev' at %s)", short_id(&bad), short_id(&v1));
	refused((struct promote_opts){ .env = "dev" }, "coverage", why);
	cr_expect_float_eq(res.ev.min, 100.0, 1e-9);
	cr_expect_str_eq(res.ev.min_from, v1hex);
	expect_env_at("dev", &v1);
	/* the lower gate goes in with a covered version, under the old gate ... */
	gu_write("policies/q.authz", "// covered again\n");
	git_oid gate = commit("gate at 50, covered");
	moved((struct promote_opts){ .env = "dev" });
	cr_expect_float_eq(res.ev.min, 100.0, 1e-9);
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("dev", &a, &r), 2);
	cJSON *j = cJSON_Parse(r[1].message);
	cJSON *c = cJSON_GetObjectItem(j, "coverage");
	cr_expect_float_eq(cJSON_GetObjectItem(c, "min")->valuedouble, 100.0, 1e-9);
	cr_expect_str_eq(cJSON_GetObjectItem(c, "min_from")->valuestring, v1hex);
	cJSON_Delete(j);
	arena_free(&a);
	/* ... and then applies */
	gu_write("policies/q.authz", "package p;\n\npermit root {\n  principal is User\n"
		 "  when principal.tenant == \"root\" and principal.mfa\n}\n");
	commit("uncovered again");
	moved((struct promote_opts){ .env = "dev" });
	cr_expect_float_eq(res.ev.min, 50.0, 1e-9);
	char gatehex[GIT_OID_HEXSZ + 1];
	hex(&gate, gatehex);
	cr_expect_str_eq(res.ev.min_from, gatehex);
}

Test(promote, race_gate_refuses_when_the_ref_is_locked)
{
	/* Another promotion holds the ref's lock: compare-and-swap fails. */
	gu_mkdir(".git/refs/heads/env");
	gu_write(".git/refs/heads/env/dev.lock", "");
	refused((struct promote_opts){ .env = "dev" }, "race",
		"'dev' moved while this promote ran (another one won)");
	expect_no_env("dev");
	cr_expect_eq(nrecords("dev"), 0);
}

Test(promote, a_record_that_cannot_be_written_is_reported_and_the_move_stays)
{
	/* A tag named like the records' folder: no record tag can be made. */
	git_object *obj = NULL;
	git_oid tag;
	cr_assert_eq(git_object_lookup(&obj, gu_repo, &v1, GIT_OBJECT_COMMIT), 0);
	cr_assert_eq(git_tag_create_lightweight(&tag, gu_repo, "authzc/dev", obj, 0), 0);
	git_object_free(obj);
	cr_assert_eq(run((struct promote_opts){ .env = "dev" }), 0, "%s", g.msg);
	cr_expect_eq(res.outcome, PROMOTE_NO_RECORD);
	cr_expect_null(res.record);
	const char *want = "cannot create 'refs/tags/authzc/dev/1': ";
	cr_expect_eq(strncmp(res.why, want, strlen(want)), 0, "%s", res.why);
	expect_env_at("dev", &v1);
	cr_expect_eq(nrecords("dev"), 0);
}

/* ---- rollback ------------------------------------------------------------------ */

#define ROLLBACK(...) ((struct promote_opts){ .rollback = true, __VA_ARGS__ })

/* The record's "rollback_to": its value, or 0 for null, -1 when absent. */
static int rollback_to(const char *message)
{
	cJSON *j = cJSON_Parse(message);
	cr_assert_not_null(j, "record is not JSON: %s", message);
	cJSON *x = cJSON_GetObjectItem(j, "rollback_to");
	int v = !x ? -1 : cJSON_IsNull(x) ? 0 : x->valueint;
	cJSON_Delete(j);
	return v;
}

/* dev promoted to v1, then to a v2 that it returns; records 1 and 2. */
static git_oid two_versions_in_dev(void)
{
	moved((struct promote_opts){ .env = "dev" });
	git_oid v2 = commit_v2();
	moved((struct promote_opts){ .env = "dev" });
	return v2;
}

Test(promote, rollback_refuses_an_environment_without_a_version)
{
	refused(ROLLBACK(.env = "dev"), "record", "'dev' has no version yet");
	expect_no_env("dev");
}

Test(promote, rollback_refuses_an_environment_without_records)
{
	gu_ref("refs/heads/env/dev", &v1);     /* moved by plain git */
	refused(ROLLBACK(.env = "dev"), "record", "'dev' has no promotion records");
	refused(ROLLBACK(.env = "dev", .to = 1), "record", "'dev' has no promotion records");
}

Test(promote, rollback_refuses_when_the_environment_had_nothing_before)
{
	moved((struct promote_opts){ .env = "dev" });
	refused(ROLLBACK(.env = "dev"), "record",
		"record authzc/dev/1 has no previous commit to go back to");
	expect_env_at("dev", &v1);
	cr_expect_eq(nrecords("dev"), 1);
}

Test(promote, rollback_unknown_environment_is_trouble)
{
	cr_expect_eq(run(ROLLBACK(.env = "qa")), -1);
	cr_expect_str_eq(g.msg, "unknown environment 'qa' (authzc.json lists: dev, staging, prod)");
}

Test(promote, rollback_dry_run_writes_nothing)
{
	git_oid v2 = two_versions_in_dev();
	cr_assert_eq(run(ROLLBACK(.env = "dev", .dry_run = true)), 0, "%s", g.msg);
	cr_expect_eq(res.outcome, PROMOTE_DRY_RUN);
	cr_expect_str_eq(res.from, short_id(&v2));
	cr_expect_str_eq(res.to, short_id(&v1));
	expect_env_at("dev", &v2);
	cr_expect_eq(nrecords("dev"), 2);
}

Test(promote, rollback_goes_back_to_the_previous_commit_and_records_it)
{
	git_oid v2 = two_versions_in_dev();
	moved(ROLLBACK(.env = "dev", .ticket = "INC-7"));
	cr_expect_str_eq(res.from, short_id(&v2));
	cr_expect_str_eq(res.to, short_id(&v1));
	cr_expect_str_eq(res.record, "authzc/dev/3");
	expect_env_at("dev", &v1);

	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("dev", &a, &r), 3);
	char v1hex[GIT_OID_HEXSZ + 1], v2hex[GIT_OID_HEXSZ + 1];
	hex(&v1, v1hex);
	hex(&v2, v2hex);
	cr_expect_str_eq(r[2].kind, "rollback");
	cr_expect_str_eq(r[2].commit, v1hex);
	cr_expect_str_eq(r[2].previous, v2hex);
	cr_expect_str_eq(r[2].ticket, "INC-7");
	cr_expect_eq(rollback_to(r[2].message), 1, "record 1 put v1 there");
	cr_expect_eq(rollback_to(r[1].message), -1, "a promotion has no rollback_to");
	arena_free(&a);

	git_reflog *log = NULL;
	cr_assert_eq(git_reflog_read(&log, gu_repo, "refs/heads/env/dev"), 0);
	cr_assert_eq(git_reflog_entrycount(log), 3);
	char want[128];
	snprintf(want, sizeof want, "authzc rollback: dev %s -> %s ticket INC-7", short_id(&v2),
		 short_id(&v1));
	cr_expect_str_eq(git_reflog_entry_message(git_reflog_entry_byindex(log, 0)), want);
	git_reflog_free(log);

	/* a second rollback never returns to v2, rolled back from */
	refused(ROLLBACK(.env = "dev"), "record", "'dev' has no earlier version that was not "
		"rolled back from; 'authzc rollback dev --to N' returns to record N");
	expect_env_at("dev", &v1);
	/* naming it does: back to v2, put there by record 2 */
	moved(ROLLBACK(.env = "dev", .to = 2));
	cr_expect_str_eq(res.record, "authzc/dev/4");
	expect_env_at("dev", &v2);
	cr_assert_eq(records("dev", &a, &r), 4);
	cr_expect_eq(rollback_to(r[3].message), 2);
	arena_free(&a);
}

Test(promote, rollback_walks_back_past_the_versions_rolled_back_from)
{
	git_oid v2 = two_versions_in_dev();
	gu_write("policies/r.authz", "// v3\n");
	git_oid v3 = commit("v3");
	moved((struct promote_opts){ .env = "dev" });
	moved(ROLLBACK(.env = "dev"));
	cr_expect_str_eq(res.from, short_id(&v3));
	expect_env_at("dev", &v2);
	/* the second goes on to v1, not back to v3 */
	moved(ROLLBACK(.env = "dev"));
	cr_expect_str_eq(res.from, short_id(&v2));
	cr_expect_str_eq(res.to, short_id(&v1));
	cr_expect_str_eq(res.record, "authzc/dev/5");
	expect_env_at("dev", &v1);
	refused(ROLLBACK(.env = "dev"), "record", "'dev' has no earlier version that was not "
		"rolled back from; 'authzc rollback dev --to N' returns to record N");
	/* returning to v3 by name clears its mark (and marks v1, moved away
	 * from): a rollback from a v4 after it goes back to v3 */
	moved(ROLLBACK(.env = "dev", .to = 3));
	expect_env_at("dev", &v3);
	gu_write("policies/s.authz", "// v4\n");
	commit("v4");
	moved((struct promote_opts){ .env = "dev" });
	moved(ROLLBACK(.env = "dev"));
	expect_env_at("dev", &v3);
	refused(ROLLBACK(.env = "dev"), "record", "'dev' has no earlier version that was not "
		"rolled back from; 'authzc rollback dev --to N' returns to record N");
}

Test(promote, rollback_to_record_n)
{
	git_oid v2 = two_versions_in_dev();
	moved(ROLLBACK(.env = "dev", .to = 1));
	cr_expect_str_eq(res.from, short_id(&v2));
	cr_expect_str_eq(res.to, short_id(&v1));
	cr_expect_str_eq(res.record, "authzc/dev/3");
	expect_env_at("dev", &v1);
	refused(ROLLBACK(.env = "dev", .to = 9), "record", "'dev' has no record 9 (its records run from 1 to 3)");
	expect_env_at("dev", &v1);
	/* record 3 is at v1 too: nothing to do */
	cr_assert_eq(run(ROLLBACK(.env = "dev", .to = 3)), 0, "%s", g.msg);
	cr_expect_eq(res.outcome, PROMOTE_UNCHANGED);
	moved(ROLLBACK(.env = "dev", .to = 2));
	expect_env_at("dev", &v2);
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("dev", &a, &r), 4);
	cr_expect_eq(rollback_to(r[2].message), 1);
	cr_expect_eq(rollback_to(r[3].message), 2);
	arena_free(&a);
}

Test(promote, rollback_records_failing_tests_without_refusing)
{
	/* A version whose exception expired: its tests passed when it was
	 * promoted (10:30) and fail when it is rolled back to (12:00). */
	gu_write("authzc.json", "{\"gates\": {\"min_guard_coverage\": 0}}\n");
	gu_write("policies/p.authz",
		 "package p;\n\npermit r {\n  principal is User\n  action == \"read\"\n"
		 "  when principal.tenant == resource.tenant\n"
		 "  unless now > time(\"2026-11-22T11:00:00Z\")\n}\n");
	gu_write("tests/p_test.authz",
		 "package p;\n\ntest \"same tenant\" {\n"
		 "  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
		 "  resource Dataset \"d\" { tenant: \"acme\", env: \"prod\" }\n"
		 "  expect allow\n}\n");
	git_oid expiring = commit("expiring");
	setenv("AUTHZC_NOW", "2026-11-22T10:30:00Z", 1);
	moved((struct promote_opts){ .env = "dev" });
	gu_write("policies/q.authz", "// next\n");
	commit("next");
	moved((struct promote_opts){ .env = "dev" });
	setenv("AUTHZC_NOW", "2026-11-22T12:00:00Z", 1);
	/* a promotion of it would be refused now ... */
	char why[128];
	snprintf(why, sizeof why, "1 of 1 tests fail at %s (first: 'same tenant')", short_id(&expiring));
	refused((struct promote_opts){ .env = "staging", .from = "HEAD~1" }, "tests", why);
	/* ... a rollback to it is not, and records what its tests say */
	moved(ROLLBACK(.env = "dev"));
	expect_env_at("dev", &expiring);
	cr_expect_eq(res.ev.tests_run, 1);
	cr_expect_eq(res.ev.tests_passed, 0);
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("dev", &a, &r), 3);
	cr_expect_float_eq(r[2].tests_run, 1, 1e-9);
	cr_expect_float_eq(r[2].tests_passed, 0, 1e-9);
	arena_free(&a);
}

/* ---- records ---------------------------------------------------------------------- */

/* An annotated tag `name` on v1 with `message`. */
static void annotated(const char *name, const char *message)
{
	git_object *obj = NULL;
	git_signature *sig = NULL;
	git_oid id;
	cr_assert_eq(git_object_lookup(&obj, gu_repo, &v1, GIT_OBJECT_COMMIT), 0);
	cr_assert_eq(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), 0);
	cr_assert_eq(git_tag_create(&id, gu_repo, name, obj, sig, message, 0), 0);
	git_signature_free(sig);
	git_object_free(obj);
}

Test(promote, records_are_numbered_annotated_tags_in_numeric_order)
{
	annotated("authzc/dev/10", "{\"kind\": \"promote\"}");
	annotated("authzc/dev/9", "{\"kind\": \"rollback\"}");
	annotated("authzc/dev/x", "{}");
	annotated("authzc/dev/3/4", "{}");
	annotated("authzc/devx/1", "{}");
	git_object *obj = NULL;
	git_oid id;
	cr_assert_eq(git_object_lookup(&obj, gu_repo, &v1, GIT_OBJECT_COMMIT), 0);
	cr_assert_eq(git_tag_create_lightweight(&id, gu_repo, "authzc/dev/2", obj, 0), 0);
	git_object_free(obj);
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	g_open = true;
	struct arena a = ARENA_INIT;
	struct promote_record *r;
	cr_assert_eq(records("dev", &a, &r), 2);
	cr_expect_eq(r[0].n, 9);
	cr_expect_str_eq(r[0].kind, "rollback");
	cr_expect_eq(r[1].n, 10);
	cr_expect_str_eq(r[1].tag, "authzc/dev/10");
	cr_expect_null(r[1].time);
	arena_free(&a);
	/* the next record takes the number after the highest */
	commit_v2();
	moved((struct promote_opts){ .env = "dev" });
	cr_expect_str_eq(res.record, "authzc/dev/11");
}

/* ---- gates.environments and the history (issue 17) ---- */

/* Run `o`, which the gate `gate` must refuse with `part` in its reason. */
static void refused_with(struct promote_opts o, const char *gate, const char *part)
{
	cr_assert_eq(run(o), 0, "%s", g.msg);
	cr_assert_eq(res.outcome, PROMOTE_REFUSED, "outcome %d, not refused", res.outcome);
	cr_expect_str_eq(res.gate, gate);
	cr_expect(strstr(res.why, part), "'%s' not in: %s", part, res.why);
}

/* The history of `env` as log --verify finds it: its problem or NULL. */
static const char *history(const char *env, size_t *n)
{
	static char problem[1024];
	struct arena a = ARENA_INIT;
	struct history_verdict h;
	if (g_open)
		gitx_close(&g);
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	g_open = true;
	cr_assert_eq(promote_verify(&g, env, NULL, &a, &h), 0, "%s", g.msg);
	*n = h.n;
	snprintf(problem, sizeof problem, "%s", h.problem ? h.problem : "");
	arena_free(&a);
	return h.problem ? problem : NULL;
}

Test(promote, ticket_and_soak_gates)
{
	gu_write("authzc.json", "{\"gates\": {\"environments\": {\"staging\": "
		 "{\"require_ticket\": true, \"min_soak\": \"1h\"}}}}\n");
	git_oid v = commit("gates");
	moved((struct promote_opts){ .env = "dev" });
	refused_with((struct promote_opts){ .env = "staging" }, "ticket", "require_ticket");
	refused_with((struct promote_opts){ .env = "staging", .ticket = "CHG-1" }, "soak",
		     "has been in 'dev' for 0ms (since 2026-11-22T12:00:00Z, record authzc/dev/1); "
		     "gates.environments.staging.min_soak is 1h: promote it at 2026-11-22T13:00:00Z or later");
	setenv("AUTHZC_NOW", "2026-11-22T12:59:59Z", 1);
	refused_with((struct promote_opts){ .env = "staging", .ticket = "CHG-1" }, "soak", "59m59s");
	setenv("AUTHZC_NOW", "2026-11-22T13:00:00Z", 1);
	moved((struct promote_opts){ .env = "staging", .ticket = "CHG-1" });
	expect_env_at("staging", &v);
	/* rollback needs neither */
	refused_with((struct promote_opts){ .env = "staging", .rollback = true }, "record", "no previous commit");
}

Test(promote, approvals_gate_from_what_the_environment_runs)
{
	moved((struct promote_opts){ .env = "dev" });
	/* v2 asks for an approval: it is not in force for its own promotion */
	gu_write("authzc.json", "{\"gates\": {\"environments\": {\"dev\": {\"approvals\": 1}}}}\n");
	commit("dev needs an approval");
	moved((struct promote_opts){ .env = "dev" });
	/* v3 drops the gate again: judged by v2's gates, it is refused */
	gu_write("authzc.json", "{}\n");
	git_oid v3 = commit("no approvals");
	char want[160];
	snprintf(want, sizeof want, "'dev' needs 1 approval of %s by distinct approvers", short_id(&v3));
	refused_with((struct promote_opts){ .env = "dev" }, "approvals", want);
	cr_expect(strstr(res.why, "0 valid; missing 1 (no other trusted approver is left: trust more approve keys): "
			  "each approver runs 'authzc approve dev --from"));
}

Test(promote, records_chain_and_verify)
{
	size_t n;
	moved((struct promote_opts){ .env = "dev" });
	commit_v2();
	moved((struct promote_opts){ .env = "dev" });
	moved((struct promote_opts){ .env = "dev", .rollback = true });
	cr_assert_null(history("dev", &n));
	cr_assert_eq(n, 3);
	/* record 2 chains to record 1's text as stored */
	struct arena a = ARENA_INIT;
	struct promote_record *recs;
	cr_assert_eq(promote_records(&g, "dev", &a, &recs, &n), 0);
	cJSON *j = cJSON_Parse(recs[1].message);
	char sha[EV_SHA256_TEXT];
	ev_sha256_text(recs[0].message, strlen(recs[0].message), sha);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "chain"), "sha256")), sha);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "signature")));
	cJSON_Delete(j);
	arena_free(&a);
	/* the middle record deleted */
	git_object *obj;
	cr_assert_eq(git_revparse_single(&obj, gu_repo, "refs/tags/authzc/dev/2"), 0);
	git_oid keep = *git_object_id(obj);
	git_object_free(obj);
	cr_assert_eq(git_tag_delete(gu_repo, "authzc/dev/2"), 0);
	cr_expect_str_eq(history("dev", &n), "record 2 is missing (deleted) before it");
	gu_ref("refs/tags/authzc/dev/2", &keep);
	cr_assert_null(history("dev", &n));
	/* the last one deleted */
	cr_assert_eq(git_tag_delete(gu_repo, "authzc/dev/3"), 0);
	cr_expect(strstr(history("dev", &n), "but its last record authzc/dev/2 names"));
}
