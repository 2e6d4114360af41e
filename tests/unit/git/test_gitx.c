/*
 * test_gitx.c: the git layer (gitx.h) on temporary repositories
 * (git_util.h): opening a project in a subfolder of its repository,
 * resolving revisions and environments, reading a commit's tree.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git_util.h"
#include "gitx.h"

TestSuite(gitx, .init = gu_versions, .fini = gu_fini);

static void assert_resolves(struct gitx *g, const char *spec, const git_oid *want)
{
	git_commit *c = NULL;
	cr_assert_eq(gitx_resolve(&c, g, spec), 0, "'%s': %s", spec, g->msg);
	cr_assert(git_oid_equal(git_commit_id(c), want), "'%s' resolved elsewhere", spec);
	git_commit_free(c);
}

Test(gitx, opens_a_project_in_a_subfolder)
{
	struct gitx g;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	cr_assert_str_eq(g.prefix, "proj/");
	cr_assert_eq(g.cfg.config.nenvironments, 3);
	cr_assert_str_eq(gitx_env_ref(&g, "prod"), "refs/heads/env/prod");
	gitx_close(&g);
}

Test(gitx, refuses_a_folder_outside_any_repository)
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

Test(gitx, resolves_any_revision_syntax)
{
	struct gitx g;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, 8, &gu_versions_at[1]);
	assert_resolves(&g, "HEAD", &gu_versions_at[2]);
	assert_resolves(&g, "HEAD~2", &gu_versions_at[0]);
	assert_resolves(&g, "HEAD^", &gu_versions_at[1]);
	assert_resolves(&g, "v1", &gu_versions_at[0]);
	assert_resolves(&g, "old", &gu_versions_at[0]);
	assert_resolves(&g, hex, &gu_versions_at[1]);
	assert_resolves(&g, "dev", &gu_versions_at[0]);    /* an environment */
	gitx_close(&g);
}

Test(gitx, refuses_unknown_revisions_and_empty_environments)
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

Test(gitx, reads_a_commit_tree_relative_to_the_project)
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
	cr_assert_eq(len, strlen(GU_POLICY_V1));
	cr_assert_str_eq(buf, GU_POLICY_V1);
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

/* ---- the revision a build of the working tree records ---------------------- */

/* gitx_worktree_revision of a fresh read of the working tree's project, as
 * `authzc compile` reads it; a copy the caller frees. */
static char *worktree_revision(void)
{
	struct gitx g;
	struct compilation c;
	struct source_tree st;
	const char *rev = NULL;
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	cr_assert_eq(project_open(&c, &st), 0);
	cr_assert_eq(project_load_config(&c, &st), 0);
	cr_assert_eq(project_load_sources(&c, &st), 0);
	cr_assert_eq(gitx_worktree_revision(&rev, &g, &c.src), 0, "%s", g.msg);
	char *copy = strdup(rev);
	compilation_release(&c);
	gitx_close(&g);
	return copy;
}

static void assert_worktree_revision(const char *want)
{
	char *rev = worktree_revision();
	cr_assert_str_eq(rev, want);
	free(rev);
}

Test(gitx, a_clean_work_tree_records_the_full_commit_id)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, &gu_versions_at[2]);
	assert_worktree_revision(hex);
	/* Nothing a build reads: files outside the project, others in it. */
	gu_write("README", "about\n");
	gu_write("proj/policies/notes.txt", "not a policy\n");
	gu_mkdir("proj/build");
	gu_write("proj/build/policy.authzb", "output");
	assert_worktree_revision(hex);
}

Test(gitx, a_changed_or_new_source_makes_the_revision_dirty)
{
	char hex[GIT_OID_HEXSZ + 1], dirty[GIT_OID_HEXSZ + 16];
	git_oid_tostr(hex, sizeof hex, &gu_versions_at[2]);
	snprintf(dirty, sizeof dirty, "%s-dirty", hex);
	/* Rewritten with HEAD's bytes: clean.  Any other bytes, a comment
	 * added, are another bundle (it holds guard positions and texts). */
	gu_write("proj/policies/p.authz", GU_POLICY_V2);
	assert_worktree_revision(hex);
	char commented[sizeof GU_POLICY_V2 + 16];
	snprintf(commented, sizeof commented, "%s// later\n", GU_POLICY_V2);
	gu_write("proj/policies/p.authz", commented);
	assert_worktree_revision(dirty);
	gu_write("proj/policies/p.authz", GU_POLICY_V2);
	/* An untracked policy file, an ignored one: another bundle. */
	gu_write("proj/policies/q.authz", "package q;\n");
	assert_worktree_revision(dirty);
	gu_write(".gitignore", "q.authz\n");
	assert_worktree_revision(dirty);
	char p[PATH_MAX];
	cr_assert_eq(unlink(gu_path(p, "proj/policies/q.authz")), 0);
	assert_worktree_revision(hex);
	/* A tracked test file deleted: HEAD's build reads one more file. */
	cr_assert_eq(unlink(gu_path(p, "proj/policies/p_test.authz")), 0);
	assert_worktree_revision(dirty);
}

Test(gitx, a_repository_without_commits_records_no_revision)
{
	gu_fini();
	gu_init();
	gu_write("authzc.json", "{}\n");
	gu_write("schema.json", fixture_text("schema/versions-v1.json"));
	gu_mkdir("policies");
	gu_write("policies/p.authz", GU_POLICY_V1);
	gu_chdir(".");
	assert_worktree_revision("");
}

Test(gitx, resolves_a_short_id_to_the_full_one)
{
	struct gitx g;
	char want[GIT_OID_HEXSZ + 1], shrt[8], got[GIT_OID_HEXSZ + 1];
	cr_assert_eq(gitx_open(&g), 0, "%s", g.msg);
	git_oid_tostr(want, sizeof want, &gu_versions_at[1]);
	cr_assert_eq(gitx_resolve_id(got, &g, gitx_short(&gu_versions_at[1], shrt)), 0, "%s", g.msg);
	cr_assert_str_eq(got, want);
	cr_assert_eq(gitx_resolve_id(got, &g, "HEAD~1"), 0, "%s", g.msg);
	cr_assert_str_eq(got, want);
	cr_assert_eq(gitx_resolve_id(got, &g, "build-7"), GIT_ENOTFOUND);
	cr_assert_str_eq(g.msg, "unknown revision or environment 'build-7'");
	gitx_close(&g);
}
