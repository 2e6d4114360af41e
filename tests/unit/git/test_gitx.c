/*
 * test_gitx.c: the git layer (gitx.h) and diff (diff.h) on temporary
 * repositories built with libgit2: the project lives in a subfolder of the
 * repository, versions are committed through the index, and each test
 * starts from a fresh sandbox (libgit2's own tests do the same).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"
#include "diff.h"
#include "gitx.h"

static char sandbox[PATH_MAX];
static git_repository *repo;
static git_oid commits[4];

static const char *SCHEMA_V1 =
	"{\"types\": {\"User\": {\"tenant\": \"string\", \"mfa\": \"bool\"},\n"
	"  \"Dataset\": {\"tenant\": \"string\", \"env\": \"string\"}},\n"
	" \"actions\": {\"read\": {\"principals\": [\"User\"], \"resources\": [\"Dataset\"]}},\n"
	" \"context\": {}}\n";
static const char *SCHEMA_V3 =
	"{\"types\": {\"User\": {\"tenant\": \"string\", \"mfa?\": \"bool\"},\n"
	"  \"Dataset\": {\"tenant\": \"string\", \"env\": \"string\", \"owner\": \"string\"}},\n"
	" \"actions\": {\"read\": {\"principals\": [\"User\"], \"resources\": [\"Dataset\"]}},\n"
	" \"context\": {}}\n";
static const char *POLICY_V1 =
	"package p;\n\npermit r {\n  principal is User\n  action == \"read\"\n"
	"  when principal.tenant == resource.tenant\n}\n";
/* A changed guard, and a layout/comment change elsewhere in the rule. */
static const char *POLICY_V2 =
	"package p;\n// reads\npermit r { principal is User action == \"read\"\n"
	"  when principal.tenant == resource.tenant or resource.env == \"shared\" // wider\n}\n";
static const char *TESTS =
	"package p;\n\ntest \"other tenant, shared\" {\n"
	"  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"globex\", env: \"shared\", owner: \"x\" }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n  expect deny\n}\n";

static void write_file(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof path, "%s/%s", sandbox, rel);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* Commit the whole work tree (through the index) on HEAD. */
static void commit_all(git_oid *out, const char *msg)
{
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_commit *parent = NULL;
	git_oid tree_id, head;
	cr_assert_eq(git_repository_index(&index, repo), 0);
	cr_assert_eq(git_index_add_all(index, NULL, 0, NULL, NULL), 0);
	cr_assert_eq(git_index_write(index), 0);
	cr_assert_eq(git_index_write_tree(&tree_id, index), 0);
	cr_assert_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	cr_assert_eq(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), 0);
	int has_parent = git_reference_name_to_id(&head, repo, "HEAD") == 0;
	if (has_parent)
		cr_assert_eq(git_commit_lookup(&parent, repo, &head), 0);
	const git_commit *parents[1] = { parent };
	cr_assert_eq(git_commit_create(out, repo, "HEAD", sig, sig, NULL, msg, tree,
				       has_parent ? 1 : 0, parents), 0);
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
}

/* A repository whose project is in proj/: three commits (v1, v2 with a
 * changed guard, v3 with schema changes), tag v1, branch "old" at v1, and
 * environment dev at v1.  The current folder is proj/. */
static void setup(void)
{
	git_libgit2_init();
	snprintf(sandbox, sizeof sandbox, "/tmp/authzc-gitx-XXXXXX");
	cr_assert(mkdtemp(sandbox));
	cr_assert_eq(git_repository_init(&repo, sandbox, 0), 0);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof path, "%s/proj", sandbox);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/proj/policies", sandbox);
	mkdir(path, 0777);
	write_file("proj/authzc.json", "{\"tests\": [\"policies\"]}\n");
	write_file("proj/schema.json", SCHEMA_V1);
	write_file("proj/policies/p.authz", POLICY_V1);
	commit_all(&commits[0], "v1");
	write_file("proj/policies/p.authz", POLICY_V2);
	commit_all(&commits[1], "v2");
	write_file("proj/schema.json", SCHEMA_V3);
	write_file("proj/policies/p_test.authz", TESTS);
	commit_all(&commits[2], "v3");
	git_object *obj = NULL;
	git_reference *ref = NULL;
	git_oid tag;
	cr_assert_eq(git_object_lookup(&obj, repo, &commits[0], GIT_OBJECT_COMMIT), 0);
	cr_assert_eq(git_tag_create_lightweight(&tag, repo, "v1", obj, 0), 0);
	git_object_free(obj);
	cr_assert_eq(git_reference_create(&ref, repo, "refs/heads/old", &commits[0], 0, NULL), 0);
	git_reference_free(ref);
	cr_assert_eq(git_reference_create(&ref, repo, "refs/heads/env/dev", &commits[0], 0, NULL), 0);
	git_reference_free(ref);
	snprintf(path, sizeof path, "%s/proj", sandbox);
	cr_assert_eq(chdir(path), 0);
}

static void teardown(void)
{
	git_repository_free(repo);
	cr_assert_eq(chdir("/"), 0);
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", sandbox);
	cr_assert_eq(system(cmd), 0);
	git_libgit2_shutdown();
}

static void assert_resolves(struct gitx *g, const char *spec, const git_oid *want)
{
	git_commit *c = NULL;
	cr_assert_eq(gitx_resolve(&c, g, spec), 0, "'%s': %s", spec, g->msg);
	cr_assert(git_oid_equal(git_commit_id(c), want), "'%s' resolved elsewhere", spec);
	git_commit_free(c);
}

Test(gitx, opens_a_project_in_a_subfolder, .init = setup, .fini = teardown)
{
	struct gitx g;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	cr_assert_str_eq(g.prefix, "proj/");
	cr_assert_eq(g.cfg.config.nenvironments, 3);
	cr_assert_str_eq(gitx_env_ref(&g, "prod"), "refs/heads/env/prod");
	gitx_close(&g);
}

Test(gitx, refuses_a_folder_outside_any_repository, .init = setup, .fini = teardown)
{
	char dir[] = "/tmp/authzc-norepo-XXXXXX";
	cr_assert(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
	struct gitx g;
	cr_assert_lt(gitx_open(&g), 0);
	cr_assert(strstr(g.msg, "is not in a git repository"), "%s", g.msg);
	gitx_close(&g);
	rmdir(dir);
}

Test(gitx, resolves_any_revision_syntax, .init = setup, .fini = teardown)
{
	struct gitx g;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, 8, &commits[1]);
	assert_resolves(&g, "HEAD", &commits[2]);
	assert_resolves(&g, "HEAD~2", &commits[0]);
	assert_resolves(&g, "HEAD^", &commits[1]);
	assert_resolves(&g, "v1", &commits[0]);
	assert_resolves(&g, "old", &commits[0]);
	assert_resolves(&g, hex, &commits[1]);
	assert_resolves(&g, "dev", &commits[0]);    /* an environment */
	gitx_close(&g);
}

Test(gitx, refuses_unknown_revisions_and_empty_environments, .init = setup, .fini = teardown)
{
	struct gitx g;
	git_commit *c = NULL;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	cr_assert_eq(gitx_resolve(&c, &g, "nosuch"), GIT_ENOTFOUND);
	cr_assert_str_eq(g.msg, "unknown revision or environment 'nosuch'");
	cr_assert_eq(gitx_resolve(&c, &g, "HEAD~9"), GIT_ENOTFOUND);
	cr_assert_eq(gitx_resolve(&c, &g, "prod"), GIT_ENOTFOUND);
	cr_assert_str_eq(g.msg, "environment 'prod' has no version yet (no ref 'refs/heads/env/prod')");
	cr_assert_lt(gitx_resolve(&c, &g, "HEAD:proj"), 0);
	cr_assert_str_eq(g.msg, "revision 'HEAD:proj' is not a commit");
	cr_assert_null(c);
	gitx_close(&g);
}

static int collect(const char *name, bool is_dir, void *arg)
{
	char *buf = arg;
	strcat(buf, name);
	strcat(buf, is_dir ? "/ " : " ");
	return 0;
}

Test(gitx, reads_a_commit_tree_relative_to_the_project, .init = setup, .fini = teardown)
{
	struct gitx g;
	struct gitx_tree t;
	struct source_tree st;
	git_commit *c = NULL;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	cr_assert_eq(gitx_resolve(&c, &g, "HEAD~2"), 0);
	cr_assert_eq(gitx_tree_open(&g, c, &t, &st), 0, "%s", g.msg);
	char *buf = NULL;
	size_t len = 0;
	cr_assert_eq(st.read_file(st.payload, "policies/p.authz", &buf, &len), 0);
	cr_assert_eq(len, strlen(POLICY_V1));
	cr_assert_str_eq(buf, POLICY_V1);
	free(buf);
	char names[256] = "";
	cr_assert_eq(st.list_dir(st.payload, "", collect, names), 0);
	cr_assert_str_eq(names, "authzc.json policies/ schema.json ");
	cr_assert_eq(st.read_file(st.payload, "policies", &buf, &len), -1);
	cr_assert_eq(errno, EISDIR);
	cr_assert_eq(st.read_file(st.payload, "missing.json", &buf, &len), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(st.list_dir(st.payload, "schema.json", collect, names), -1);
	cr_assert_eq(errno, ENOTDIR);
	cr_assert_eq(st.list_dir(st.payload, "nope", collect, names), -1);
	cr_assert_eq(errno, ENOENT);
	gitx_tree_free(&t);
	git_commit_free(c);
	gitx_close(&g);
}

Test(gitx, compiles_any_version_in_memory, .init = setup, .fini = teardown)
{
	struct gitx g;
	struct diff_side s;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	/* The working tree is v3; v1 is only in the repository. */
	cr_assert_eq(diff_side_load(&s, &g, "v1"), 0, "%s", g.msg);
	cr_assert_eq(s.c->checked->nrules, 1);
	cr_assert_eq(s.c->checked->ntests, 0);
	cr_assert_str_eq(authz_bundle_source_revision(s.bundle), s.revision);
	diff_side_release(&s);
	cr_assert_eq(diff_side_load(&s, &g, NULL), 0, "%s", g.msg);
	cr_assert_eq(s.c->checked->ntests, 1);
	cr_assert_str_eq(s.revision, "");
	diff_side_release(&s);
	cr_assert_eq(diff_side_load(&s, &g, "nosuch"), -1);
	diff_side_release(&s);
	gitx_close(&g);
}

/* The report of diff A B, in `a`. */
static void diff_of(struct gitx *g, struct arena *a, const char *x, const char *y,
		    struct diff_report *r)
{
	struct diff_side old, new;
	cr_assert_eq(diff_side_load(&old, g, x), 0, "%s", g->msg);
	cr_assert_eq(diff_side_load(&new, g, y), 0, "%s", g->msg);
	diff_report_init(r, a, &old, &new);
	diff_sources(r, &old, &new);
	struct diff_impact_state *s = diff_impact_begin(r, &old, &new);
	diff_impact_tests(s, &new);
	diff_impact_tests(s, &old);
	diff_impact_end(s);
	/* The report must not point into the sides, released here. */
	diff_side_release(&old);
	diff_side_release(&new);
}

Test(diff, shows_a_changed_guard_as_formatted_source, .init = setup, .fini = teardown)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	diff_of(&g, &a, "HEAD~2", "HEAD~1", &r);
	cr_assert_eq(r.nitems, 1);
	cr_assert_eq(r.items[0].change, DIFF_CHANGED);
	cr_assert_str_eq(r.items[0].id, "p.r");
	cr_assert_str_eq(r.items[0].parts, "guards");
	cr_assert_eq(r.items[0].nlines, 2);
	cr_assert_eq(r.items[0].lines[0].sign, '-');
	cr_assert_str_eq(r.items[0].lines[0].text, "when principal.tenant == resource.tenant");
	cr_assert_eq(r.items[0].lines[1].sign, '+');
	cr_assert_str_eq(r.items[0].lines[1].text,
			 "when principal.tenant == resource.tenant or resource.env == \"shared\"");
	cr_assert_eq(r.nschema, 0);
	cr_assert(diff_report_changed(&r));
	arena_free(&a);
	gitx_close(&g);
}

Test(diff, reports_nothing_for_the_same_version, .init = setup, .fini = teardown)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	diff_of(&g, &a, "HEAD~1", "HEAD~1", &r);
	cr_assert_not(diff_report_changed(&r));
	arena_free(&a);
	gitx_close(&g);
}

Test(diff, finds_schema_changes_and_loosened_test_decisions, .init = setup, .fini = teardown)
{
	struct gitx g;
	struct arena a = ARENA_INIT;
	struct diff_report r;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	/* v1 -> v3: the guard widened (the v3 test's request is loosened),
	 * mfa became optional, Dataset.owner was added. */
	diff_of(&g, &a, "HEAD~2", "HEAD", &r);
	cr_assert_eq(r.nschema, 2);
	cr_assert_str_eq(r.schema[0].subject, "attribute 'User.mfa'");
	cr_assert_str_eq(r.schema[0].detail, "required -> optional");
	cr_assert_eq(r.schema[1].change, DIFF_ADDED);
	cr_assert_str_eq(r.schema[1].subject, "attribute 'Dataset.owner'");
	cr_assert_str_eq(r.schema[1].detail, "string");
	cr_assert_eq(r.ntests, 1);
	cr_assert_eq(r.loosened, 1);
	cr_assert_eq(r.tightened, 0);
	cr_assert_eq(r.ndecisions, 1);
	cr_assert_eq(r.decisions[0].impact, IMPACT_LOOSENED);
	cr_assert_str_eq(r.decisions[0].source, "test 'other tenant, shared'");
	cr_assert_eq(r.decisions[0].nresponsible, 1);
	cr_assert_str_eq(r.decisions[0].responsible[0], "p.r");
	/* And the other way round it is tightened, the schema reversed. */
	struct diff_report back;
	diff_of(&g, &a, "HEAD", "HEAD~2", &back);
	cr_assert_eq(back.tightened, 1);
	cr_assert_eq(back.loosened, 0);
	cr_assert_str_eq(back.schema[0].detail, "optional -> required");
	cr_assert_eq(back.schema[1].change, DIFF_REMOVED);
	arena_free(&a);
	gitx_close(&g);
}
