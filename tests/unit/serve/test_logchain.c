/*
 * test_logchain.c: chained decision logs (logchain.h) and their checking
 * (logverify.h): a chain written and verified, and every refusal: an edited,
 * deleted, inserted, swapped or cut line, a tail removed (found only against
 * --min-seq), a bad checkpoint signature, a checkpoint by an untrusted key
 * or by a key without the `log` role, a chain restarted in the middle; a
 * chain continued across files and restarts, and from a damaged tail.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyring.h"
#include "keys.h"
#include "logchain.h"
#include "logverify.h"

static char dir[] = "/tmp/authzc-logchain-XXXXXX";
static char err[512];
static struct ev_sec key, other;
static struct ev_keyring kr;

#define NOW 1795000000000LL     /* 2026-11-18 */

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(ev_init(err, sizeof err), 0);
	char p[128];
	cr_assert_eq(ev_keygen(dir, "logk", NULL, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/logk.key", dir);
	cr_assert_eq(ev_sec_load(p, &key, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ev_keygen(dir, "other", NULL, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/other.key", dir);
	cr_assert_eq(ev_sec_load(p, &other, err, sizeof err), 0, "%s", err);
	ev_keyring_init(&kr);
	cr_assert_eq(ev_keyring_add(&kr, &key.pub, EV_ROLE_LOG), 0);
}

static void teardown(void)
{
	ev_keyring_free(&kr);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(logchain, .init = setup, .fini = teardown);

static char *in_dir(const char *name)
{
	static char path[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static void append(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "a");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

/*
 * Write `n` decision records to `path` as a writer does: continue the chain
 * from the file, a checkpoint every `every` records (0: none; -1: a key,
 * only the final checkpoint), a final one when `final`.
 */
static void write_log(const char *path, const struct ev_sec *k, int n, int every, bool final)
{
	struct logchain c;
	struct logchain_opts o = { k, every > 0 ? (uint64_t)every : 1000000, 0 };
	logchain_init(&c, &o, NOW);
	struct buf out = { 0 };
	cr_assert_eq(logchain_resume(&c, path, NOW, &out, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < n; i++) {
		char rec[96];
		int len = snprintf(rec, sizeof rec, "{\"request\":{\"i\":%d},\"decision\":{\"time\":\"2026-11-18T00:00:%02dZ\"}}\n",
				   i, i % 60);
		cr_assert_eq(logchain_record(&c, rec, (size_t)len, &out), 0);
		if (logchain_due(&c, NOW))
			cr_assert_eq(logchain_checkpoint(&c, NOW, false, &out), 0);
	}
	if (final)
		cr_assert_eq(logchain_checkpoint(&c, NOW, true, &out), 0);
	cr_assert(!out.oom);
	append(path, out.p, out.n);
	buf_release(&out);
	logchain_release(&c);
}

/* The file's lines, for tampering: a malloc'd array of malloc'd lines
 * (each with its '\n'). */
static char **lines_of(const char *path, int *n)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char **v = NULL, *line = NULL;
	size_t cap = 0;
	*n = 0;
	while (getline(&line, &cap, f) >= 0) {
		v = realloc(v, (size_t)(*n + 1) * sizeof *v);
		v[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return v;
}

static void write_lines(const char *path, char **v, int n)
{
	unlink(path);
	for (int i = 0; i < n; i++)
		append(path, v[i], strlen(v[i]));
}

static void free_lines(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static struct logverify_result verify1(const char *path, uint64_t min_seq)
{
	const char *paths[] = { path };
	struct logverify_result r;
	cr_assert_eq(logverify_files(paths, 1, &kr, min_seq, &r, err, sizeof err), 0, "%s", err);
	return r;
}

static void expect(const char *path, enum logverify_kind kind, uint64_t line, const char *words)
{
	struct logverify_result r = verify1(path, 0);
	cr_assert_eq(r.kind, kind, "%s, not %s: %s:%llu %s", logverify_kind_name(kind),
		     logverify_kind_name(r.kind), r.file, (unsigned long long)r.line, r.message);
	cr_assert_eq(r.line, line, "at line %llu, not %llu: %s", (unsigned long long)line,
		     (unsigned long long)r.line, r.message);
	cr_assert(strstr(r.message, words), "'%s' in: %s", words, r.message);
	logverify_free(&r);
}

Test(logchain, a_chain_verifies_with_its_counts_and_span)
{
	const char *p = in_dir("log");
	write_log(p, &key, 10, 4, true);
	struct logverify_result r = verify1(p, 0);
	cr_assert_eq(r.kind, LV_OK, "%s", r.message);
	/* start, 10 decisions; checkpoints every 4 lines (after the start and
	 * 3 records, after 4 more) and the final one */
	cr_assert_eq(r.decisions, 10);
	cr_assert_eq(r.checkpoints, 3);
	cr_assert_eq(r.records, 14);
	cr_assert_eq(r.first_seq, 1);
	cr_assert_eq(r.last_seq, 14);
	cr_assert(r.final);
	cr_assert_eq(r.uncovered, 0);
	cr_assert_str_eq(r.first_time, "2026-11-18T00:00:00Z");
	cr_assert_str_eq(r.last_time, "2026-11-18T11:06:40Z", "the checkpoints' time");
	logverify_free(&r);
}

Test(logchain, the_hash_is_of_the_previous_line_bytes)
{
	const char *p = in_dir("log");
	write_log(p, NULL, 2, 0, false);
	int n;
	char **v = lines_of(p, &n);
	cr_assert_eq(n, 3);
	char h[LOGCHAIN_HASH_CHARS + 1], want[LOGCHAIN_HASH_CHARS + 16];
	logchain_hash(v[1], strlen(v[1]) - 1, h);
	snprintf(want, sizeof want, "\"prev\":\"%s\"", h);
	cr_assert(strstr(v[2], want), "%s", v[2]);
	cr_assert(!strncmp(v[0], "{\"seq\":1,\"prev\":null,\"log\":\"start\",", 35), "%s", v[0]);
	cr_assert(!strncmp(v[2], "{\"seq\":3,\"prev\":\"sha256:", 24), "%s", v[2]);
	cr_assert(strstr(v[2], "\"request\":{\"i\":1}"), "the record follows: %s", v[2]);
	free_lines(v, n);
}

Test(logchain, the_hash_is_sha256_as_sha256sum_prints_it)
{
	char h[LOGCHAIN_HASH_CHARS + 1];
	logchain_hash("abc", 3, h);
	cr_assert_str_eq(h, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_assert_eq(logchain_hash_as("sha256:00", "abc", 3, h), 0);
	cr_assert_str_eq(h, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_assert_eq(logchain_hash_as("blake2b:00", "abc", 3, h), 0);
	cr_assert_str_eq(h, "blake2b:bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
			 "b2sum -l 256 of abc");
	cr_assert_eq(logchain_hash_as("md5:00", "abc", 3, h), -1);
}

Test(logchain, a_record_built_in_place_is_the_record_copied)
{
	static const char rec[] = "{\"request\":{\"i\":1},\"decision\":{}}\n";
	struct logchain a, b;
	struct logchain_opts o = { NULL, 0, 0 };
	logchain_init(&a, &o, NOW);
	logchain_init(&b, &o, NOW);
	struct buf x = { 0 }, y = { 0 };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(logchain_record(&a, rec, sizeof rec - 1, &x), 0);
		size_t at = y.n;
		logchain_head(&b, &y);
		buf_put(&y, rec + 1, sizeof rec - 3);
		cr_assert_eq(logchain_seal(&b, &y, at), 0);
	}
	cr_assert_eq(x.n, y.n);
	cr_assert(!memcmp(x.p, y.p, x.n), "%.*s", (int)y.n, y.p);
	size_t at = y.n;
	logchain_head(&b, &y);
	buf_puts(&y, "\"unclosed\":1");
	cr_assert_eq(logchain_seal(&b, &y, at), -1, "a line that is not {...} is refused");
	buf_release(&x);
	buf_release(&y);
	logchain_release(&a);
	logchain_release(&b);
}

/* Append line (without '\n') to path, chained to prev_line by BLAKE2b,
 * as the first writers did. */
static void append_blake2b(const char *path, const char *prev_line, const char *members, int seq)
{
	char h[LOGCHAIN_HASH_CHARS + 1], line[512];
	int n;
	if (prev_line) {
		cr_assert_eq(logchain_hash_as("blake2b:", prev_line, strlen(prev_line), h), 0);
		n = snprintf(line, sizeof line, "{\"seq\":%d,\"prev\":\"%s\",%s}\n", seq, h, members);
	} else {
		n = snprintf(line, sizeof line, "{\"seq\":%d,\"prev\":null,%s}\n", seq, members);
	}
	append(path, line, (size_t)n);
}

Test(logchain, a_blake2b_chain_of_the_first_writers_verifies_and_goes_on_in_sha256)
{
	const char *p = in_dir("log");
	const char *l1 = "{\"seq\":1,\"prev\":null,\"log\":\"start\",\"time\":\"2026-11-18T00:00:00Z\"}";
	append_blake2b(p, NULL, "\"log\":\"start\",\"time\":\"2026-11-18T00:00:00Z\"", 1);
	append_blake2b(p, l1, "\"request\":{\"i\":0},\"decision\":{}", 2);
	struct logverify_result r = verify1(p, 0);
	cr_assert_eq(r.kind, LV_OK, "%s", r.message);
	cr_assert_eq(r.records, 2);
	logverify_free(&r);
	write_log(p, &key, 3, 0, true);         /* a writer of now continues it */
	int n;
	char **v = lines_of(p, &n);
	cr_assert_eq(n, 6);
	cr_assert(strstr(v[2], "\"prev\":\"sha256:"), "%s", v[2]);
	free_lines(v, n);
	r = verify1(p, 0);
	cr_assert_eq(r.kind, LV_OK, "%s", r.message);
	cr_assert_eq(r.records, 6);
	logverify_free(&r);
}

Test(logchain, a_prev_naming_an_unknown_hash_is_refused)
{
	const char *p = in_dir("log");
	write_log(p, NULL, 3, 0, false);
	int n;
	char **v = lines_of(p, &n);
	memcpy(strstr(v[2], "sha256:"), "md5:xx", 6);
	write_lines(p, v, n);
	free_lines(v, n);
	expect(p, LV_MALFORMED, 3, "names no hash");
}

Test(logchain, an_edited_line_is_found_at_the_next_record)
{
	const char *p = in_dir("log");
	write_log(p, &key, 6, 100, true);
	int n;
	char **v = lines_of(p, &n);
	char *at = strstr(v[2], "\"i\":1");
	at[4] = '7';
	write_lines(p, v, n);
	free_lines(v, n);
	expect(p, LV_MODIFIED, 4, "was modified");
}

Test(logchain, an_edited_last_record_is_found_by_the_checkpoint)
{
	const char *p = in_dir("log");
	write_log(p, &key, 4, 100, true);
	int n;
	char **v = lines_of(p, &n);
	/* Edit record 4 and recompute the chain after it: only the signature
	 * of the final checkpoint, over its "prev", tells. */
	char *at = strstr(v[4], "\"i\":3");
	at[4] = '9';
	char h[LOGCHAIN_HASH_CHARS + 1];
	logchain_hash(v[4], strlen(v[4]) - 1, h);
	memcpy(strstr(v[5], "sha256:"), h, strlen(h));
	write_lines(p, v, n);
	free_lines(v, n);
	expect(p, LV_SIGNATURE, 6, "does not verify");
}

Test(logchain, a_deleted_line_is_found)
{
	const char *p = in_dir("log");
	write_log(p, &key, 6, 100, true);
	int n;
	char **v = lines_of(p, &n);
	free(v[3]);
	memmove(v + 3, v + 4, (size_t)(n - 4) * sizeof *v);
	write_lines(p, v, n - 1);
	free_lines(v, n - 1);
	expect(p, LV_DELETED, 4, "1 record(s) deleted");
}

Test(logchain, an_inserted_line_is_found)
{
	const char *p = in_dir("log");
	write_log(p, &key, 6, 100, true);
	int n;
	char **v = lines_of(p, &n);
	v = realloc(v, (size_t)(n + 1) * sizeof *v);
	memmove(v + 4, v + 3, (size_t)(n - 3) * sizeof *v);
	/* A copy of record 3 with its seq and prev kept, put in again. */
	v[3] = strdup(v[2]);
	write_lines(p, v, n + 1);
	free_lines(v, n + 1);
	expect(p, LV_REORDERED, 4, "reordered, inserted or repeated");
}

Test(logchain, an_inserted_line_that_is_not_a_record_is_found)
{
	const char *p = in_dir("log");
	write_log(p, NULL, 3, 0, false);
	int n;
	char **v = lines_of(p, &n);
	v = realloc(v, (size_t)(n + 1) * sizeof *v);
	memmove(v + 2, v + 1, (size_t)(n - 1) * sizeof *v);
	v[1] = strdup("{\"request\":{\"i\":99},\"decision\":{}}\n");
	write_lines(p, v, n + 1);
	free_lines(v, n + 1);
	expect(p, LV_MALFORMED, 2, "not a chained record");
}

Test(logchain, swapped_lines_are_found)
{
	const char *p = in_dir("log");
	write_log(p, &key, 6, 100, true);
	int n;
	char **v = lines_of(p, &n);
	char *t = v[2];
	v[2] = v[3];
	v[3] = t;
	write_lines(p, v, n);
	free_lines(v, n);
	expect(p, LV_DELETED, 3, "deleted or moved");
}

Test(logchain, a_cut_last_line_is_found)
{
	const char *p = in_dir("log");
	write_log(p, &key, 3, 100, true);
	int n;
	char **v = lines_of(p, &n);
	v[n - 1][strlen(v[n - 1]) - 20] = 0;
	write_lines(p, v, n);
	free_lines(v, n);
	expect(p, LV_TRUNCATED, (uint64_t)n, "cut short");
}

Test(logchain, a_tail_removed_after_a_checkpoint_shows_only_against_min_seq)
{
	const char *p = in_dir("log");
	write_log(p, &key, 8, 4, true);
	int n;
	char **v = lines_of(p, &n);
	/* Keep up to the first checkpoint (line 5: start and 3 records, then it). */
	cr_assert(strstr(v[4], "\"log\":\"checkpoint\""), "%s", v[4]);
	write_lines(p, v, 5);
	free_lines(v, n);
	struct logverify_result r = verify1(p, 0);
	cr_assert_eq(r.kind, LV_OK, "a valid prefix: %s", r.message);
	cr_assert(!r.final, "but it does not end with a final checkpoint");
	logverify_free(&r);
	r = verify1(p, 13);
	cr_assert_eq(r.kind, LV_TRUNCATED);
	cr_assert(strstr(r.message, "ends at seq 5, before seq 13"), "%s", r.message);
	logverify_free(&r);
}

Test(logchain, a_bad_checkpoint_signature_is_found)
{
	const char *p = in_dir("log");
	write_log(p, &key, 3, 100, true);
	int n;
	char **v = lines_of(p, &n);
	char *sig = strstr(v[n - 1], "\"sig\":\"") + 7;
	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	write_lines(p, v, n);
	free_lines(v, n);
	expect(p, LV_SIGNATURE, (uint64_t)n, "does not verify");
}

Test(logchain, a_checkpoint_by_an_untrusted_key_is_refused)
{
	const char *p = in_dir("log");
	write_log(p, &other, 3, 100, true);
	expect(p, LV_UNTRUSTED, 5, "not trusted");
}

Test(logchain, a_checkpoint_by_a_key_without_the_log_role_is_refused)
{
	const char *p = in_dir("log");
	cr_assert_eq(ev_keyring_add(&kr, &other.pub, EV_ROLE_BUNDLE | EV_ROLE_APPROVE), 0);
	write_log(p, &other, 3, 100, true);
	expect(p, LV_UNTRUSTED, 5, "trusted for bundle, approve, not for \"log\"");
}

Test(logchain, a_checkpoint_without_trusted_keys_fails_closed)
{
	const char *p = in_dir("log");
	write_log(p, &key, 3, 100, true);
	ev_keyring_free(&kr);
	ev_keyring_init(&kr);
	expect(p, LV_UNTRUSTED, 5, "not trusted");
}

Test(logchain, the_chain_goes_on_across_restarts_and_files_in_any_order)
{
	const char *a = in_dir("log.1"), *b = in_dir("log.2"), *cur = in_dir("log");
	write_log(a, &key, 3, 2, true);
	/* log.2 is started after log.1 was rotated: the writer of log (empty)
	 * goes on from the newest rotated file. */
	write_log(cur, &key, 2, 0, false);
	cr_assert_eq(rename(cur, b), 0);
	write_log(cur, &key, 2, 100, true);
	write_log(cur, NULL, 1, 0, false);   /* a restart without a key */
	const char *paths[] = { cur, b, a };
	struct logverify_result r;
	cr_assert_eq(logverify_files(paths, 3, &kr, 0, &r, err, sizeof err), 0, "%s", err);
	cr_assert_eq(r.kind, LV_OK, "%s:%llu %s", r.file, (unsigned long long)r.line, r.message);
	cr_assert_eq(r.decisions, 8);
	cr_assert_eq(r.uncovered, 1);
	cr_assert_str_eq(paths[0], a, "sorted by their records");
	cr_assert_str_eq(paths[2], cur);
	logverify_free(&r);
}

Test(logchain, a_damaged_tail_starts_a_new_chain_that_says_where)
{
	const char *p = in_dir("log");
	write_log(p, NULL, 2, 0, false);
	append(p, "{\"seq\":4,\"prev\":", 16);        /* a crash mid-record */
	write_log(p, NULL, 1, 0, false);
	int n;
	char **v = lines_of(p, &n);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(v[3], "{\"seq\":4,\"prev\":\n", "the cut line is ended");
	cr_assert(strstr(v[4], "\"seq\":1,\"prev\":null,\"log\":\"start\""), "%s", v[4]);
	cr_assert(strstr(v[4], "\"after_damage\":{\"file\":"), "%s", v[4]);
	cr_assert(strstr(v[4], "\"reason\":\"the last line is cut short (no end of line)\""), "%s", v[4]);
	free_lines(v, n);
	expect(p, LV_MALFORMED, 4, "not a chained record");
}

Test(logchain, a_log_that_is_not_chained_is_continued_by_a_new_chain)
{
	const char *p = in_dir("log");
	append(p, "{\"request\":1}\n", 14);
	write_log(p, NULL, 1, 0, false);
	int n;
	char **v = lines_of(p, &n);
	cr_assert(strstr(v[1], "\"reason\":\"the last line is not a chained record\""), "%s", v[1]);
	cr_assert(strstr(v[1], "\"offset\":0"), "%s", v[1]);
	free_lines(v, n);
}

Test(logchain, a_new_chain_in_the_middle_is_found)
{
	const char *p = in_dir("log"), *q = in_dir("other");
	write_log(p, NULL, 2, 0, false);
	write_log(q, NULL, 2, 0, false);
	int n;
	char **v = lines_of(q, &n);
	for (int i = 0; i < n; i++)
		append(p, v[i], strlen(v[i]));
	free_lines(v, n);
	expect(p, LV_RESTARTED, 4, "a new chain starts here");
}

Test(logchain, a_gap_is_a_warning_with_its_count)
{
	const char *p = in_dir("log");
	struct logchain c;
	struct logchain_opts o = { &key, 0, 0 };
	logchain_init(&c, &o, NOW);
	struct buf out = { 0 };
	cr_assert_eq(logchain_start(&c, NOW, &out), 0);
	cr_assert_eq(logchain_gap(&c, 42, NOW, &out), 0);
	cr_assert_eq(logchain_checkpoint(&c, NOW, true, &out), 0);
	append(p, out.p, out.n);
	buf_release(&out);
	logchain_release(&c);
	struct logverify_result r = verify1(p, 0);
	cr_assert_eq(r.kind, LV_OK, "%s", r.message);
	cr_assert_eq(r.gaps, 1);
	cr_assert_eq(r.dropped, 42);
	cr_assert_eq(r.ngaps, 1);
	cr_assert_eq(r.gap_list[0].line, 2);
	logverify_free(&r);
}

Test(logchain, checkpoints_are_due_by_count_and_by_time)
{
	struct logchain c;
	struct logchain_opts o = { &key, 2, 5000 };
	logchain_init(&c, &o, NOW);
	struct buf out = { 0 };
	cr_assert_eq(logchain_start(&c, NOW, &out), 0);
	cr_assert(!logchain_due(&c, NOW));
	cr_assert(logchain_due(&c, NOW + 5000), "by time");
	cr_assert_eq(logchain_record(&c, "{\"a\":1}\n", 8, &out), 0);
	cr_assert(logchain_due(&c, NOW), "by count");
	cr_assert_eq(logchain_checkpoint(&c, NOW, false, &out), 0);
	cr_assert(!logchain_due(&c, NOW + 100000), "nothing since");
	o.key = NULL;
	struct logchain k;
	logchain_init(&k, &o, NOW);
	cr_assert_eq(logchain_start(&k, NOW, &out), 0);
	cr_assert(!logchain_due(&k, NOW + 100000), "never without a key");
	cr_assert_eq(logchain_record(&c, "not a record\n", 13, &out), -1);
	buf_release(&out);
	logchain_release(&c);
	logchain_release(&k);
}

Test(logchain, a_missing_file_cannot_be_verified)
{
	const char *paths[] = { in_dir("nope") };
	struct logverify_result r;
	cr_assert_eq(logverify_files(paths, 1, &kr, 0, &r, err, sizeof err), -1);
	cr_assert(strstr(err, "cannot read"), "%s", err);
	logverify_free(&r);
}
