/*
 * test_fileio.c: whole-file reads and atomic replacement (compiler/util/fileio.h).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static char dir[] = "/tmp/authzc-fileio.XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *in_dir(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

TestSuite(fileio, .init = setup, .fini = teardown);

Test(fileio, replace_creates_then_replaces_keeping_the_mode)
{
	char *p = in_dir("a.txt");
	cr_assert_eq(fileio_replace(p, "one", 3, FILEIO_NEW_MODE), 0);
	cr_assert_eq(chmod(p, 0600), 0);
	struct stat st;
	mode_t mode;
	char *buf;
	size_t len;
	cr_assert_eq(fileio_read(p, &buf, &len, &mode), 0);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(buf, "one", 3), 0);
	free(buf);
	cr_assert_eq(fileio_replace(p, "second", 6, mode), 0);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(fileio_read(p, &buf, &len, NULL), 0);
	cr_assert_eq(len, 6);
	cr_assert_eq(memcmp(buf, "second", 6), 0);
	free(buf);
}

Test(fileio, replace_follows_a_symbolic_link)
{
	char target[256];
	snprintf(target, sizeof target, "%s", in_dir("target"));
	cr_assert_eq(fileio_replace(target, "x", 1, FILEIO_NEW_MODE), 0);
	cr_assert_eq(symlink("target", in_dir("link")), 0);
	cr_assert_eq(fileio_replace(in_dir("link"), "yy", 2, 0644), 0);
	struct stat st;
	cr_assert_eq(lstat(in_dir("link"), &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link must stay a link");
	char *buf;
	size_t len;
	cr_assert_eq(fileio_read(target, &buf, &len, NULL), 0);
	cr_assert_eq(len, 2);
	free(buf);
}

Test(fileio, replace_into_a_missing_folder_fails_and_leaves_nothing)
{
	errno = 0;
	cr_assert_eq(fileio_replace(in_dir("no/such/f"), "x", 1, FILEIO_NEW_MODE), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(fileio, read_refuses_folders_fifos_and_missing_files)
{
	char *buf;
	size_t len;
	cr_assert_eq(fileio_read(dir, &buf, &len, NULL), -1);
	cr_assert_eq(errno, EISDIR);
	cr_assert_str_eq(fileio_reason(EISDIR), "it is a folder");
	cr_assert_eq(mkfifo(in_dir("fifo"), 0600), 0);
	cr_assert_eq(fileio_read(in_dir("fifo"), &buf, &len, NULL), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(fileio_read(in_dir("missing"), &buf, &len, NULL), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_str_eq(fileio_reason(ENOENT), "no such file");
}
