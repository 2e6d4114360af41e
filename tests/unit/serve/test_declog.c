/*
 * test_declog.c: the decision log (declog.h): every record written whole
 * and in order, rotation past the size limit that loses none, counts; the
 * chain across rotation and restarts (verified with logverify.h), dropped
 * records as gap records, checkpoints, one writer at a time.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "declog.h"
#include "keyring.h"
#include "logverify.h"

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

/* The decision records of file `p` (the "record" numbers, in order)
 * appended to all[*n]; returns how many lines the file has. */
static int read_records(const char *p, int *all, int *n)
{
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	char line[512];
	int k = 0;
	while (fgets(line, sizeof line, f)) {
		cr_assert_eq(line[strlen(line) - 1], '\n', "a whole line");
		const char *r = strstr(line, "\"record\":");
		if (r && *n < 200)
			all[(*n)++] = atoi(r + 9);
		k++;
	}
	fclose(f);
	return k;
}

/* Verify the log and its rotated files, given newest first. */
static struct logverify_result verify_all(const struct ev_keyring *kr)
{
	static char names[100][80];
	const char *paths[100];
	size_t n = 0;
	paths[n++] = path;
	for (int i = 1; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "%s.%d", path, i);
		if (access(names[i], F_OK) < 0)
			break;
		paths[n++] = names[i];
	}
	struct logverify_result r;
	char err[256];
	cr_assert_eq(logverify_files(paths, n, kr, 0, &r, err, sizeof err), 0, "%s", err);
	return r;
}

Test(declog, rotation_loses_no_record)
{
	struct declog *l;
	char err[128];
	const struct declog_opts o = { path, 4, 600, true, { 0 } };
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
	char rec[32];
	for (int i = 0; i < 50; i++) {
		int len = snprintf(rec, sizeof rec, "{\"record\":%04d}\n", i);
		cr_assert_eq(declog_push(l, rec, (size_t)len), 0);
	}
	declog_close(l);
	static int all[200];
	int n = 0, files = 0;
	char f[80];
	for (int i = 1; i < 100; i++) {
		snprintf(f, sizeof f, "%s.%d", path, i);
		if (access(f, F_OK) < 0)
			break;
		cr_assert_leq(read_records(f, all, &n), 6, "at most 600 bytes a file");
		files++;
	}
	read_records(path, all, &n);
	cr_assert_eq(n, 50);
	cr_assert_geq(files, 8);
	for (int i = 0; i < 50; i++)
		cr_assert_eq(all[i], i, "in order");
	struct ev_keyring kr;
	ev_keyring_init(&kr);
	struct logverify_result r = verify_all(&kr);
	cr_assert_eq(r.kind, LV_OK, "%s:%llu %s", r.file, (unsigned long long)r.line, r.message);
	cr_assert_eq(r.decisions, 50);
	cr_assert_eq(r.records, 51, "and the start record");
	logverify_free(&r);
}

Test(declog, the_chain_goes_on_across_restarts_with_gaps_and_checkpoints)
{
	char dirkey[96], keyfile[128], err[512];
	struct ev_sec key;
	cr_assert_eq(ev_init(err, sizeof err), 0);
	snprintf(dirkey, sizeof dirkey, "%s", dir);
	cr_assert_eq(ev_keygen(dirkey, "logk", NULL, err, sizeof err), 0, "%s", err);
	snprintf(keyfile, sizeof keyfile, "%s/logk.key", dir);
	cr_assert_eq(ev_sec_load(keyfile, &key, err, sizeof err), 0, "%s", err);
	struct declog *l;
	const struct declog_opts o = { path, 0, 2000, false, { &key, 3, 0 } };
	for (int run = 0; run < 2; run++) {
		cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
		/* A second writer of the same log is refused. */
		struct declog *l2;
		cr_assert_eq(declog_open(&l2, &o, err, sizeof err), -1);
		cr_assert(strstr(err, "being written by another process"), "%s", err);
		declog_drop(l);
		declog_drop(l);
		for (int i = 0; i < 10; i++) {
			char rec[32];
			int len = snprintf(rec, sizeof rec, "{\"record\":%04d}\n", i);
			cr_assert_eq(declog_push(l, rec, (size_t)len), 0);
		}
		declog_drop(l);
		declog_close(l);
	}
	struct ev_keyring kr;
	ev_keyring_init(&kr);
	cr_assert_eq(ev_keyring_add(&kr, &key.pub, EV_ROLE_LOG), 0);
	struct logverify_result r = verify_all(&kr);
	cr_assert_eq(r.kind, LV_OK, "%s:%llu %s", r.file, (unsigned long long)r.line, r.message);
	cr_assert_eq(r.decisions, 20);
	cr_assert_eq(r.dropped, 6, "two before and one after the records, twice");
	cr_assert_eq(r.gaps, 4);
	cr_assert_geq(r.checkpoints, 8);
	cr_assert(r.final, "closing wrote a final checkpoint");
	logverify_free(&r);
	ev_keyring_free(&kr);
	ev_sec_wipe(&key);
}

Test(declog, counts)
{
	struct declog *l;
	char err[128];
	const struct declog_opts o = { path, 0, 0, false, { 0 } };
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
	cr_assert_eq(declog_push(l, "{\"a\":1}\n", 8), 0);
	declog_drop(l);
	declog_close(l);
	/* Closing wrote the queue; the counts were read before, so open again. */
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), 0, "%s", err);
	cr_assert_eq(declog_push(l, "{\"b\":2}\n", 8), 0);
	struct declog_counts c;
	do
		declog_get_counts(l, &c);
	while (c.written < 1);
	cr_assert_eq(c.written, 1);
	cr_assert_eq(c.dropped, 0);
	declog_drop(l);
	declog_get_counts(l, &c);
	cr_assert_eq(c.dropped, 1);
	/* A record that is not one JSON object cannot be chained: failed. */
	cr_assert_eq(declog_push(l, "b\n", 2), 0);
	do
		declog_get_counts(l, &c);
	while (c.written + c.failed < 2);
	cr_assert_eq(c.failed, 1);
	declog_close(l);
	FILE *f = fopen(path, "r");
	char text[1024] = { 0 };
	cr_assert_gt(fread(text, 1, sizeof text - 1, f), 0);
	fclose(f);
	cr_assert(strstr(text, "\"a\":1}\n{\"seq\":3,"), "appended: %s", text);
	cr_assert(strstr(text, "\"log\":\"gap\",\"dropped\":1,"), "the drop: %s", text);
	cr_assert(strstr(text, "\"log\":\"gap\",\"dropped\":2,"), "a drop and a failure: %s", text);
}

Test(declog, an_unwritable_path_says_why)
{
	struct declog *l;
	char err[128];
	const struct declog_opts o = { "/nonexistent/dir/log", 0, 0, false, { 0 } };
	cr_assert_eq(declog_open(&l, &o, err, sizeof err), -1);
	cr_assert(strstr(err, "cannot open '/nonexistent/dir/log'"), "%s", err);
}
