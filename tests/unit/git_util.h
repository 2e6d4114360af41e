/*
 * git_util.h: temporary git repositories for the git layer's tests
 * (test_gitx.c, test_diff.c, test_promote.c), built with libgit2: each
 * test starts from a fresh sandbox under /tmp (libgit2's own tests do the
 * same), with git's global and system configuration pointed at an empty
 * folder so that the user's ~/.gitconfig cannot change an outcome.
 *
 * gu_versions() builds the repository test_gitx.c and test_diff.c share:
 * a project in proj/ with three versions.
 */
#ifndef AUTHZC_TEST_GIT_UTIL_H
#define AUTHZC_TEST_GIT_UTIL_H

#include <criterion/criterion.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

static char gu_sandbox[PATH_MAX];
static git_repository *gu_repo;

/* `rel` inside the sandbox, in buf[PATH_MAX]. */
static inline const char *gu_path(char *buf, const char *rel)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", gu_sandbox, rel);
	cr_assert(n > 0 && n < PATH_MAX, "path too long: %s", rel);
	return buf;
}

static inline void gu_mkdir(const char *rel)
{
	char p[PATH_MAX];
	cr_assert_eq(mkdir(gu_path(p, rel), 0777), 0, "cannot create %s", p);
}

static inline void gu_write(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f = fopen(gu_path(p, rel), "w");
	cr_assert(f, "cannot write %s", p);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static inline void gu_chdir(const char *rel)
{
	char p[PATH_MAX];
	cr_assert_eq(chdir(gu_path(p, rel)), 0, "cannot change to %s", p);
}

/* A fresh sandbox holding an empty repository (its work tree is the
 * sandbox), with no global or system git configuration. */
static inline void gu_init(void)
{
	git_libgit2_init();
	snprintf(gu_sandbox, sizeof gu_sandbox, "/tmp/authzc-git-XXXXXX");
	cr_assert(mkdtemp(gu_sandbox));
	char none[PATH_MAX];
	gu_mkdir(".noconfig");
	gu_path(none, ".noconfig");
	static const git_config_level_t levels[] = {
		GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL,
		GIT_CONFIG_LEVEL_PROGRAMDATA,
	};
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		cr_assert_eq(git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, levels[i], none), 0);
	cr_assert_eq(git_repository_init(&gu_repo, gu_sandbox, 0), 0);
}

static inline void gu_fini(void)
{
	git_repository_free(gu_repo);
	gu_repo = NULL;
	cr_assert_eq(chdir("/"), 0);
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", gu_sandbox);
	cr_assert_eq(system(cmd), 0);
	git_libgit2_shutdown();
}

/* Set a key of the repository's own configuration (user.name, ...). */
static inline void gu_config(const char *key, const char *value)
{
	git_config *cfg = NULL;
	cr_assert_eq(git_repository_config(&cfg, gu_repo), 0);
	cr_assert_eq(git_config_set_string(cfg, key, value), 0);
	git_config_free(cfg);
}

/* Commit the whole work tree (through the index) on HEAD, by a fixed
 * author at a fixed time, so commit ids are the same on every run. */
static inline void gu_commit(git_oid *out, const char *msg)
{
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_commit *parent = NULL;
	git_oid tree_id, head;
	cr_assert_eq(git_repository_index(&index, gu_repo), 0);
	cr_assert_eq(git_index_add_all(index, NULL, 0, NULL, NULL), 0);
	cr_assert_eq(git_index_write(index), 0);
	cr_assert_eq(git_index_write_tree(&tree_id, index), 0);
	cr_assert_eq(git_tree_lookup(&tree, gu_repo, &tree_id), 0);
	cr_assert_eq(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), 0);
	int has_parent = git_reference_name_to_id(&head, gu_repo, "HEAD") == 0;
	if (has_parent)
		cr_assert_eq(git_commit_lookup(&parent, gu_repo, &head), 0);
	const git_commit *parents[1] = { parent };
	cr_assert_eq(git_commit_create(out, gu_repo, "HEAD", sig, sig, NULL, msg, tree,
				       has_parent ? 1 : 0, parents), 0);
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
}

/* Point ref `name` ("refs/heads/...") at `id`, creating or moving it. */
static inline void gu_ref(const char *name, const git_oid *id)
{
	git_reference *ref = NULL;
	cr_assert_eq(git_reference_create(&ref, gu_repo, name, id, 1, NULL), 0, "%s",
		     git_error_last() ? git_error_last()->message : "");
	git_reference_free(ref);
}

/* ---- three versions of a project in proj/ (test_gitx.c, test_diff.c) ------- */

static const char GU_POLICY_V1[] =
	"package p;\n\npermit r {\n  principal is User\n  action == \"read\"\n"
	"  when principal.tenant == resource.tenant\n}\n";
/* A changed guard, and a layout/comment change elsewhere in the rule. */
static const char GU_POLICY_V2[] =
	"package p;\n// reads\npermit r { principal is User action == \"read\"\n"
	"  when principal.tenant == resource.tenant or resource.env == \"shared\" // wider\n}\n";
static const char GU_TESTS_V3[] =
	"package p;\n\ntest \"other tenant, shared\" {\n"
	"  principal User \"a\" { tenant: \"acme\", mfa: true }\n  action \"read\"\n"
	"  resource Dataset \"d\" { tenant: \"globex\", env: \"shared\", owner: \"x\" }\n"
	"  at time(\"2026-11-22T10:00:00Z\")\n  expect deny\n}\n";

static git_oid gu_versions_at[3];

/*
 * A sandbox whose project is in proj/: v1 (schema versions-v1.json, one
 * rule), v2 (a changed guard), v3 (schema versions-v3.json: mfa optional,
 * Dataset.owner added; one test); tag v1, branch "old" at v1, and
 * environment dev at v1.  The current folder is proj/; the commits are in
 * gu_versions_at[0..2].
 */
static inline void gu_versions(void)
{
	gu_init();
	gu_mkdir("proj");
	gu_mkdir("proj/policies");
	gu_write("proj/authzc.json", "{\"tests\": [\"policies\"]}\n");
	gu_write("proj/schema.json", fixture_text("schema/versions-v1.json"));
	gu_write("proj/policies/p.authz", GU_POLICY_V1);
	gu_commit(&gu_versions_at[0], "v1");
	gu_write("proj/policies/p.authz", GU_POLICY_V2);
	gu_commit(&gu_versions_at[1], "v2");
	gu_write("proj/schema.json", fixture_text("schema/versions-v3.json"));
	gu_write("proj/policies/p_test.authz", GU_TESTS_V3);
	gu_commit(&gu_versions_at[2], "v3");
	git_object *obj = NULL;
	git_oid tag;
	cr_assert_eq(git_object_lookup(&obj, gu_repo, &gu_versions_at[0], GIT_OBJECT_COMMIT), 0);
	cr_assert_eq(git_tag_create_lightweight(&tag, gu_repo, "v1", obj, 0), 0);
	git_object_free(obj);
	gu_ref("refs/heads/old", &gu_versions_at[0]);
	gu_ref("refs/heads/env/dev", &gu_versions_at[0]);
	gu_chdir("proj");
}

#endif
