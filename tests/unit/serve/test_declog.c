/*
 * test_declog.c: the decision log (declog.h): every record written whole
 * and in order, rotation past the size limit that loses none, counts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "declog.h"

static char dir[] = "/tmp/authzc-declog-XXXXXX";
static char path[64];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/log", dir);
}

static void teardown_dir(void)
{
	char f[80];
	unlink(path);
	for (int i = 1; i < 100; i++) {
		snprintf(f, sizeof f, "%s.%d", path, i);
		unlink(f);
	}
	rmdir(dir);
}

TestSuite(declog, .init = setup, .fini = teardown_dir);

/* The lines of file `p` appended to all[*n]; returns how many. */
static int read_lines(const char *p, char all[][32], int *n)
{
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	int k = 0;
	while (*n < 200 && fgets(all[*n], 32, f)) {
		cr_assert_eq(all[*n][strlen(all[*n]) - 1], '\n', "a whole line");
		(*n)++;
		k++;
	}
	fclose(f);
	return k;
}

Test(declog, rotation_loses_no_record)
{
	struct declog *l;
	char err[128];
	const struct declog_opts o = { path, 4, 100, true };
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
	char rec[32];
	for (int i = 0; i < 50; i++) {
		int len = snprintf(rec, sizeof rec, "{\"record\":%04d}\n", i);
		cr_assert_eq(declog_push(l, rec, (size_t)len), 0);
	}
	declog_close(l);
	static char all[200][32];
	int n = 0, files = 0;
	char f[80];
	for (int i = 1; i < 100; i++) {
		snprintf(f, sizeof f, "%s.%d", path, i);
		if (access(f, F_OK) < 0)
			break;
		cr_assert_leq(read_lines(f, all, &n), 6, "at most 100 bytes a file");
		files++;
	}
	read_lines(path, all, &n);
	cr_assert_eq(n, 50);
	cr_assert_geq(files, 8);
	for (int i = 0; i < 50; i++) {
		snprintf(rec, sizeof rec, "{\"record\":%04d}\n", i);
		cr_assert_str_eq(all[i], rec, "in order");
	}
}

Test(declog, counts)
{
	struct declog *l;
	char err[128];
	const struct declog_opts o = { path, 0, 0, false };
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
	cr_assert_eq(declog_push(l, "a\n", 2), 0);
	declog_drop(l);
	declog_close(l);
	/* Closing wrote the queue; the counts were read before, so open again. */
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
	cr_assert_eq(declog_push(l, "b\n", 2), 0);
	struct declog_counts c;
	do
		declog_get_counts(l, &c);
	while (c.written < 1);
	cr_assert_eq(c.written, 1);
	cr_assert_eq(c.dropped, 0);
	declog_drop(l);
	declog_get_counts(l, &c);
	cr_assert_eq(c.dropped, 1);
	declog_close(l);
	FILE *f = fopen(path, "r");
	char text[8] = { 0 };
	cr_assert_eq(fread(text, 1, sizeof text - 1, f), 4);
	fclose(f);
	cr_assert_str_eq(text, "a\nb\n", "appended");
}

Test(declog, an_unwritable_path_says_why)
{
	struct declog *l;
	char err[128];
	const struct declog_opts o = { "/nonexistent/dir/log", 0, 0, false };
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), -1);
	cr_assert(strstr(err, "cannot open '/nonexistent/dir/log'"), "%s", err);
}
