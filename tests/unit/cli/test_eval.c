/*
 * test_eval.c: the pieces of `authzc eval` (eval_io.h): the bounded JSON
 * Lines reader, the JSON compactor, the --log record and the synthesized
 * deny.  The command itself is covered by tests/cli/cases/eval-*.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval_io.h"
#include "test_runtime_fixture.h"

/* A read-only fd over `text` (a deleted temporary file). */
static int fd_of(const char *text, size_t n)
{
	char path[] = "/tmp/authzc-test-eval.XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	unlink(path);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

struct got {
	int rc;
	char *line;
};

/* Read everything; returns the results in order (up to 16). */
static size_t read_all(const char *text, size_t n, size_t max, struct got *out)
{
	int fd = fd_of(text, n);
	struct eval_lines l;
	eval_lines_init(&l, fd, max);
	size_t k = 0;
	for (;;) {
		const char *line = NULL;
		size_t len = 0;
		int rc = eval_lines_next(&l, &line, &len);
		cr_assert(k < 16, "too many results");
		out[k].rc = rc;
		out[k].line = rc == EVAL_LINE ? strndup(line, len) : NULL;
		k++;
		if (rc == EVAL_LINE_EOF || rc == EVAL_LINE_ERROR)
			break;
	}
	eval_lines_release(&l);
	close(fd);
	return k;
}

static void free_got(struct got *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].line);
}

Test(eval, lines_split_on_newline_last_line_without_newline)
{
	static const char text[] = "{\"a\":1}\n\n  \r\n{\"b\":2}";
	struct got g[16];
	size_t n = read_all(text, sizeof text - 1, 100, g);
	cr_assert_eq(n, 5);
	cr_assert_eq(g[0].rc, EVAL_LINE);
	cr_assert_str_eq(g[0].line, "{\"a\":1}");
	cr_assert_str_eq(g[1].line, "");
	cr_assert_str_eq(g[2].line, "  \r");
	cr_assert_str_eq(g[3].line, "{\"b\":2}");
	cr_assert_eq(g[4].rc, EVAL_LINE_EOF);
	cr_assert(eval_blank(g[1].line, 0));
	cr_assert(eval_blank(g[2].line, strlen(g[2].line)));
	cr_assert_not(eval_blank(g[3].line, strlen(g[3].line)));
	free_got(g, n);
}

Test(eval, lines_empty_input_is_eof)
{
	struct got g[16];
	size_t n = read_all("", 0, 100, g);
	cr_assert_eq(n, 1);
	cr_assert_eq(g[0].rc, EVAL_LINE_EOF);
}

Test(eval, lines_limit_is_inclusive)
{
	/* 8 bytes is accepted with max 8, 9 is not; the stream goes on */
	static const char text[] = "12345678\n123456789\nok\n";
	struct got g[16];
	size_t n = read_all(text, sizeof text - 1, 8, g);
	cr_assert_eq(n, 4);
	cr_assert_eq(g[0].rc, EVAL_LINE);
	cr_assert_str_eq(g[0].line, "12345678");
	cr_assert_eq(g[1].rc, EVAL_LINE_TOO_LONG);
	cr_assert_eq(g[2].rc, EVAL_LINE);
	cr_assert_str_eq(g[2].line, "ok");
	cr_assert_eq(g[3].rc, EVAL_LINE_EOF);
	free_got(g, n);
}

Test(eval, lines_huge_line_is_skipped_without_keeping_it)
{
	/* 3 MiB on one line between two good lines, limit 1 MiB: the reader
	 * never holds more than the limit and resumes at the next line */
	size_t big = 3u << 20;
	char *text = malloc(big + 32);
	size_t n = 0;
	n += (size_t)sprintf(text, "first\n");
	memset(text + n, 'x', big);
	n += big;
	n += (size_t)sprintf(text + n, "\nlast");
	int fd = fd_of(text, n);
	free(text);
	struct eval_lines l;
	eval_lines_init(&l, fd, EVAL_MAX_REQUEST);
	const char *line;
	size_t len;
	cr_assert_eq(eval_lines_next(&l, &line, &len), EVAL_LINE);
	cr_assert_eq(l.lineno, 1);
	cr_assert_eq(eval_lines_next(&l, &line, &len), EVAL_LINE_TOO_LONG);
	cr_assert_eq(l.lineno, 2);
	cr_assert_leq(l.cap, (size_t)EVAL_MAX_REQUEST + 1);
	cr_assert_eq(eval_lines_next(&l, &line, &len), EVAL_LINE);
	cr_assert_eq(len, 4);
	cr_assert_eq(memcmp(line, "last", 4), 0);
	cr_assert_eq(l.lineno, 3);
	cr_assert_eq(eval_lines_next(&l, &line, &len), EVAL_LINE_EOF);
	eval_lines_release(&l);
	close(fd);
}

Test(eval, lines_too_long_last_line_without_newline)
{
	static const char text[] = "ok\n0123456789abcdef";
	struct got g[16];
	size_t n = read_all(text, sizeof text - 1, 4, g);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(g[0].line, "ok");
	cr_assert_eq(g[1].rc, EVAL_LINE_TOO_LONG);
	cr_assert_eq(g[2].rc, EVAL_LINE_EOF);
	free_got(g, n);
}

Test(eval, lines_cross_buffer_boundaries)
{
	/* 200,000 numbered lines (over 2 MiB): every one comes back intact
	 * however the reads split them */
	size_t cap = 4u << 20, n = 0;
	char *text = malloc(cap);
	for (int i = 0; i < 200000; i++)
		n += (size_t)snprintf(text + n, cap - n, "{\"n\":%d}\n", i);
	int fd = fd_of(text, n);
	free(text);
	struct eval_lines l;
	eval_lines_init(&l, fd, 64);
	const char *line;
	size_t len;
	int i = 0, rc;
	while ((rc = eval_lines_next(&l, &line, &len)) == EVAL_LINE) {
		char want[32];
		int wl = snprintf(want, sizeof want, "{\"n\":%d}", i);
		cr_assert_eq(len, (size_t)wl, "line %d", i);
		cr_assert_eq(memcmp(line, want, len), 0, "line %d", i);
		i++;
	}
	cr_assert_eq(rc, EVAL_LINE_EOF);
	cr_assert_eq(i, 200000);
	eval_lines_release(&l);
	close(fd);
}

Test(eval, lines_read_error_is_reported)
{
	struct eval_lines l;
	eval_lines_init(&l, -1, 100);
	const char *line;
	size_t len;
	errno = 0;
	cr_assert_eq(eval_lines_next(&l, &line, &len), EVAL_LINE_ERROR);
	cr_assert_eq(errno, EBADF);
	eval_lines_release(&l);
}

/* eval_json_compact into a fresh buffer: the result, or NULL when not JSON. */
static char *compact(const char *s, struct eval_json_info *info)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '<');
	int rc = eval_json_compact(&b, s, strlen(s), info);
	cr_assert(rc == 0 || rc == 1);
	if (rc == 1) {
		cr_assert_str_eq(b.p, "<", "a refused text leaves the buffer as it was");
		buf_release(&b);
		return NULL;
	}
	char *out = strdup(b.p + 1);
	buf_release(&b);
	return out;
}

Test(eval, compact_drops_whitespace_only)
{
	char *s = compact(" {\n  \"a\" : [ 1 , -0.5e+3 , true,false ,null ],\r\n\t\"b c\":\"x \\\" y \\u00e9\" ,"
			  "\"n\": 123456789012345678901234567890 , \"e\":{ }, \"l\":[ ] }\n", NULL);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "{\"a\":[1,-0.5e+3,true,false,null],\"b c\":\"x \\\" y \\u00e9\","
			 "\"n\":123456789012345678901234567890,\"e\":{},\"l\":[]}");
	free(s);
}

Test(eval, compact_keeps_utf8)
{
	char *s = compact("[\"caf\xc3\xa9 \xf0\x9f\x94\x91\"]", NULL);
	cr_assert_str_eq(s, "[\"caf\xc3\xa9 \xf0\x9f\x94\x91\"]");
	free(s);
}

Test(eval, compact_refuses_what_is_not_json)
{
	static const char *const bad[] = {
		"", "   ", "not json", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "01", "1.", "-",
		".5", "1e", "+1", "tru", "nul", "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12g4\"", "\"\\u12\"",
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xe2\x82\"", "{} {}", "[1] x", "{\"a\":1}}",
		"'a'", "[\"a\"\"b\"]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *s = compact(bad[i], NULL);
		cr_assert_null(s, "accepted '%s' as '%s'", bad[i], s);
	}
}

Test(eval, compact_limits_nesting)
{
	char deep[300];
	memset(deep, '[', 128);
	memset(deep + 128, ']', 128);
	deep[256] = '\0';
	char *s = compact(deep, NULL);
	cr_assert_not_null(s, "128 levels are allowed");
	free(s);
	memset(deep, '[', 129);
	memset(deep + 129, ']', 129);
	deep[258] = '\0';
	cr_assert_null(compact(deep, NULL), "129 levels are refused");
	/* a hostile depth fails fast instead of overflowing the stack */
	size_t n = 1u << 20;
	char *huge = malloc(n + 1);
	memset(huge, '[', n);
	huge[n] = '\0';
	cr_assert_null(compact(huge, NULL));
	free(huge);
}

Test(eval, compact_finds_top_level_time)
{
	struct eval_json_info info;
	const char *req = "{\"action\":\"read\", \"time\" : \"2026-11-22T10:00:00Z\"}";
	char *s = compact(req, &info);
	cr_assert(info.object);
	cr_assert(info.has_time);
	cr_assert_eq(info.time_len, 20);
	cr_assert_eq(memcmp(req + info.time_start, "2026-11-22T10:00:00Z", 20), 0);
	free(s);

	s = compact("{\"context\":{\"time\":\"2026-11-22T10:00:00Z\"}}", &info);
	cr_assert(info.object);
	cr_assert_not(info.has_time, "a nested time is not the request's");
	free(s);

	s = compact("{\"time\":12}", &info);
	cr_assert_not(info.has_time, "a time that is not a string");
	free(s);

	s = compact("{\"\\u0074ime\":\"x\"}", &info);
	cr_assert(info.has_time, "an escaped key still spells time");
	cr_assert_eq(info.time_len, 1);
	free(s);

	s = compact("{\"times\":\"x\",\"tim\":\"y\"}", &info);
	cr_assert_not(info.has_time);
	free(s);

	s = compact("[\"time\"]", &info);
	cr_assert_not(info.object);
	free(s);

	cr_assert_null(compact("{\"time\":\"x\",", &info));
	cr_assert_not(info.has_time, "nothing is reported for a refused text");
}

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DECISION "{\"decision\":\"deny\",\"rules\":[],\"errors\":[],\"time\":\"2026-11-22T10:00:00Z\"," \
		 "\"bundle\":\"" DIGEST "\"}"

Test(eval, log_record_of_a_json_request)
{
	struct buf b = BUF_INIT;
	const char *req = "{\n  \"action\": \"read\",\n  \"n\": 9007199254740993\n}\n";
	cr_assert_eq(eval_log_record(&b, req, strlen(req), DECISION, strlen(DECISION), DIGEST, "abc123", NULL), 0);
	cr_assert_str_eq(b.p, "{\"request\":{\"action\":\"read\",\"n\":9007199254740993},\"decision\":" DECISION
			 ",\"bundle\":\"" DIGEST "\",\"revision\":\"abc123\",\"annotations\":{}}\n");
	cr_assert_eq(strchr(b.p, '\n'), b.p + b.n - 1, "one line");
	buf_release(&b);
}

Test(eval, log_record_of_text_that_is_not_json)
{
	struct buf b = BUF_INIT;
	const char *req = "{\"action\": \"re\nad\" \xff";
	cr_assert_eq(eval_log_record(&b, req, strlen(req), DECISION, strlen(DECISION), DIGEST, "", NULL), 0);
	cr_assert_str_eq(b.p, "{\"request\":\"{\\\"action\\\": \\\"re\\nad\\\" \xef\xbf\xbd\",\"decision\":" DECISION
			 ",\"bundle\":\"" DIGEST "\",\"revision\":\"\",\"annotations\":{}}\n");
	buf_release(&b);
}

/* Strings are written by json_put_str, the compiler's one JSON string rule:
 * a carriage return as \r, DEL escaped. */
Test(eval, log_record_strings_follow_the_one_json_rule)
{
	struct buf b = BUF_INIT;
	const char *req = "not json\r\x7f";
	cr_assert_eq(eval_log_record(&b, req, strlen(req), DECISION, strlen(DECISION), DIGEST, "r\r", NULL), 0);
	cr_assert_str_eq(b.p, "{\"request\":\"not json\\r\\u007f\",\"decision\":" DECISION
			 ",\"bundle\":\"" DIGEST "\",\"revision\":\"r\\r\",\"annotations\":{}}\n");
	buf_release(&b);
}

Test(eval, log_record_of_a_request_too_long_to_keep)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(eval_log_record(&b, NULL, 0, DECISION, strlen(DECISION), DIGEST, "r\"1", NULL), 0);
	cr_assert_str_eq(b.p, "{\"request\":null,\"decision\":" DECISION ",\"bundle\":\"" DIGEST
			 "\",\"revision\":\"r\\\"1\",\"annotations\":{}}\n");
	buf_release(&b);
}

Test(eval, log_records_append_to_the_buffer)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(eval_log_record(&b, "{}", 2, DECISION, strlen(DECISION), DIGEST, "", NULL), 0);
	size_t one = b.n;
	cr_assert_eq(eval_log_record(&b, "[]", 2, DECISION, strlen(DECISION), DIGEST, "", NULL), 0);
	cr_assert_eq(b.n, 2 * one);
	cr_assert_eq(strncmp(b.p + one, "{\"request\":[]", 13), 0);
	buf_release(&b);
}

Test(eval, deny_json_has_the_runtime_shape)
{
	/* The runtime's own deny for a request error, and ours for the same
	 * message and time, are the same bytes (with and without a trace). */
	struct fx fx, *f = &fx;
	fx_schema(f);
	fx_rule(f, "t", AUTHZ_PERMIT);
	fx_n(f, AUTHZ_OP_TRUE);
	fx_end_when(f);
	authz_bundle *b = fx_load(f, NULL, NULL);
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	for (unsigned flags = 0; flags <= AUTHZ_DECIDE_TRACE; flags += AUTHZ_DECIDE_TRACE) {
		const char *req = "{\"action\":\"read\",\"time\":\"2026-11-22T10:00:00.5Z\"}";
		cr_assert_eq(authz_request_parse_json(r, req, strlen(req)), 0);
		authz_request_set_time(r, 1795341600500);
		cr_assert_eq(authz_decide(d, b, r, flags), 0);
		int kind;
		const char *msg;
		cr_assert_eq(authz_decision_error(d, 0, &kind, NULL, &msg), 0);
		cr_assert_eq(kind, AUTHZ_ERR_REQUEST);
		struct buf mine = BUF_INIT;
		cr_assert_eq(eval_deny_json(&mine, msg, authz_decision_time(d), authz_bundle_digest(b),
					    flags & AUTHZ_DECIDE_TRACE), 0);
		cr_assert_str_eq(mine.p, authz_decision_json(d, NULL));
		buf_release(&mine);
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

Test(eval, deny_json_escapes_the_message)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(eval_deny_json(&b, "bad 'x\"y'", 0, DIGEST, false), 0);
	cr_assert_str_eq(b.p, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"request\",\"message\":"
			 "\"bad 'x\\\"y'\"}],\"time\":\"1970-01-01T00:00:00Z\",\"bundle\":\"" DIGEST "\"}");
	buf_release(&b);
}

/* The annotations of a --log record: each rule that decided, in the
 * decision's order, with all its annotations, strings escaped; the traced
 * decision JSON of the runtime carries the same object. */
Test(eval, annotations_of_the_deciding_rules)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	struct bw_rule_desc rd = { .id = "a.first", .effect = AUTHZ_PERMIT, .file = f->file, .line = 3, .col = 1 };
	OK(bw_rule_begin(f->w, &rd, &f->rule));
	OK(bw_annotation(f->w, "owner", "data-platform"));
	OK(bw_annotation(f->w, "ticket", "SEC-\"1\"\n"));
	OK(bw_annotation(f->w, "description", "reads"));
	OK(bw_guard(f->w, f->file, 5, 8, "true", &f->guard));
	fx_n(f, AUTHZ_OP_TRUE);
	fx_end_when(f);
	fx_rule(f, "a.second", AUTHZ_PERMIT);
	fx_n(f, AUTHZ_OP_TRUE);
	fx_end_when(f);
	authz_bundle *b = fx_load(f, NULL, NULL);
	authz_request *r;
	authz_decision *d = fx_decided(b, NULL, 0, &r);
	static const char want[] = "{\"a.first\":{\"owner\":\"data-platform\",\"ticket\":\"SEC-\\\"1\\\"\\n\","
				   "\"description\":\"reads\"},\"a.second\":{}}";
	for (unsigned flags = 0; flags <= AUTHZ_DECIDE_TRACE; flags += AUTHZ_DECIDE_TRACE) {
		cr_assert_eq(authz_decide_json(d, b, r, FX_REQUEST, strlen(FX_REQUEST), flags), 0);
		struct buf ann = BUF_INIT, rec = BUF_INIT;
		cr_assert_eq(eval_annotations_json(&ann, b, d), 0);
		cr_expect_str_eq(ann.p, want);
		const char *dec = authz_decision_json(d, NULL);
		cr_assert_eq(eval_log_record(&rec, "{}", 2, dec, strlen(dec), DIGEST, "r1", buf_cstr(&ann)), 0);
		/* the record ends in them, after the revision */
		char tail[256];
		snprintf(tail, sizeof tail, ",\"revision\":\"r1\",\"annotations\":%s}\n", want);
		cr_expect(rec.n > strlen(tail) && !strcmp(rec.p + rec.n - strlen(tail), tail), "%s", rec.p);
		/* the traced decision names them too; an untraced one does not */
		char *in_json = strstr(dec, ",\"annotations\":");
		if (flags)
			cr_expect(in_json && !strncmp(in_json + 15, want, strlen(want)), "%s", dec);
		else
			cr_expect_null(in_json, "%s", dec);
		buf_release(&ann);
		buf_release(&rec);
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}
