/*
 * test_holder.c: the reference-counted bundle holder (holder.h): a swap
 * keeps the old bundle alive for whoever holds it, a bad bundle is refused
 * and the active one stays, polling sees a change of the file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "check_util.h"
#include "codegen.h"
#include "holder.h"

static const char POLICY_A[] =
	"package p;\n"
	"\n"
	"permit user_read {\n"
	"  principal is User\n"
	"  action == \"read\"\n"
	"}\n";

static const char POLICY_B[] =
	"package p;\n"
	"\n"
	"permit user_read_dataset {\n"
	"  principal is User\n"
	"  action == \"read\"\n"
	"  resource is Dataset\n"
	"}\n";

static char dir[] = "/tmp/authzc-holder-XXXXXX";
static char path_a[64], path_b[64], live[64];

/* Compile `policy` into file `path`. */
static void compile_to(const char *policy, const char *path)
{
	size_t errors = ck_policy(policy);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path_a, sizeof path_a, "%s/a", dir);
	snprintf(path_b, sizeof path_b, "%s/b", dir);
	snprintf(live, sizeof live, "%s/live", dir);
	compile_to(POLICY_A, path_a);
	compile_to(POLICY_B, path_b);
	compilation_release(&ck_c);
	ck_live = false;
}

static void teardown_dir(void)
{
	unlink(path_a);
	unlink(path_b);
	unlink(live);
	rmdir(dir);
}

TestSuite(holder, .init = setup, .fini = teardown_dir);

Test(holder, a_swap_keeps_the_old_bundle_for_its_holders)
{
	struct holder h;
	authz_error err;
	cr_assert_eq(holder_init(&h), 0);
	cr_assert_null(holder_acquire(&h), "no bundle yet");
	cr_assert_eq(holder_load_file(&h, path_a, &err), 0, "%s", err.message);
	struct serve_bundle *first = holder_acquire(&h);
	cr_assert_not_null(first);
	char digest_a[80];
	snprintf(digest_a, sizeof digest_a, "%s", authz_bundle_digest(first->b));
	cr_assert_eq(holder_load_file(&h, path_b, &err), 0, "%s", err.message);
	struct serve_bundle *second = holder_acquire(&h);
	cr_assert_neq(first, second);
	/* The first is still whole for the request holding it. */
	cr_assert_str_eq(authz_bundle_digest(first->b), digest_a);
	cr_assert_str_neq(authz_bundle_digest(second->b), digest_a);
	struct holder_status st;
	holder_status(&h, &st);
	cr_assert(st.active);
	cr_assert_eq(st.reloads, 1);
	cr_assert_eq(st.failures, 0);
	cr_assert_str_eq(st.digest, authz_bundle_digest(second->b));
	serve_bundle_release(first);    /* frees bundle a */
	serve_bundle_release(second);
	holder_release(&h);             /* frees bundle b */
}

Test(holder, a_bad_bundle_is_refused_and_the_active_one_stays)
{
	struct holder h;
	authz_error err;
	cr_assert_eq(holder_init(&h), 0);
	FILE *f = fopen(live, "wb");
	fputs("not a bundle", f);
	fclose(f);
	cr_assert_eq(holder_load_file(&h, live, &err), -1);
	cr_assert_null(holder_acquire(&h), "still no bundle");
	cr_assert_eq(holder_load_file(&h, path_a, &err), 0);
	cr_assert_eq(holder_load_file(&h, live, &err), -1);
	struct holder_status st;
	holder_status(&h, &st);
	cr_assert(st.active);
	cr_assert_eq(st.failures, 2);
	cr_assert_eq(st.reloads, 0);
	cr_assert(st.has_error);
	cr_assert_str_eq(st.error, err.message);
	cr_assert_eq(holder_load_file(&h, path_b, &err), 0);
	holder_status(&h, &st);
	cr_assert_not(st.has_error, "a load clears the last refusal");
	holder_release(&h);
}

Test(holder, polling_sees_a_changed_file)
{
	struct holder h;
	authz_error err;
	cr_assert_eq(holder_init(&h), 0);
	cr_assert_eq(holder_poll_file(&h, live, &err), -1, "missing");
	cr_assert_eq(holder_poll_file(&h, live, &err), 0, "still missing: said once");
	cr_assert_eq(link(path_a, live), 0);
	cr_assert_eq(holder_poll_file(&h, live, &err), 1, "%s", err.message);
	cr_assert_eq(holder_poll_file(&h, live, &err), 0, "unchanged");
	cr_assert_eq(rename(path_b, live), 0);  /* a new inode */
	cr_assert_eq(holder_poll_file(&h, live, &err), 1, "%s", err.message);
	struct holder_status st;
	holder_status(&h, &st);
	cr_assert_eq(st.reloads, 1);
	cr_assert_eq(st.failures, 1);
	holder_release(&h);
}
