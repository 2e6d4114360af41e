/*
 * test_lsp_server.c: the language server in process (compiler/lsp/lsp.h):
 * frames split anywhere or run together, the debounce clock, and the
 * answers to what is not a message.  Whole sessions through the binary
 * are tests/lsp/.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <unistd.h>

#include "buf.h"
#include "lsp.h"

static struct buf out;
static char dir[64];

static int capture(void *arg, const char *data, size_t len)
{
	(void)arg;
	buf_put(&out, data, len);
	return 0;
}

static struct lsp_server *start(unsigned debounce_ms)
{
	buf_reset(&out);
	/* An empty folder: no project, no schema; nothing but what a test opens. */
	snprintf(dir, sizeof dir, "/tmp/authzc-lsp-unit.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	struct lsp_opts o = { dir, debounce_ms, 0, capture, NULL };
	struct lsp_server *s = lsp_new(&o);
	cr_assert_not_null(s);
	return s;
}

static void stop(struct lsp_server *s)
{
	lsp_free(s);
	buf_release(&out);
	rmdir(dir);
}

static void frame(char *dst, size_t cap, const char *body)
{
	snprintf(dst, cap, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
}

static const char INIT[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}";

Test(lsp_server, a_frame_fed_one_byte_at_a_time)
{
	struct lsp_server *s = start(0);
	char msg[256];
	frame(msg, sizeof msg, INIT);
	for (size_t i = 0; msg[i]; i++) {
		cr_assert_eq(lsp_feed(s, msg + i, 1, 0), 0);
		if (msg[i + 1])
			cr_assert_eq(out.n, 0, "an answer before the frame was complete (byte %zu)", i);
	}
	cr_assert(out.n > 0);
	cr_assert_not_null(strstr(buf_cstr(&out), "\"id\":1,\"result\":{\"capabilities\""));
	stop(s);
}

Test(lsp_server, frames_run_together_are_each_answered_in_order)
{
	struct lsp_server *s = start(0);
	char a[256], b[256], c[600];
	frame(a, sizeof a, INIT);
	frame(b, sizeof b, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}");
	snprintf(c, sizeof c, "%s\r\n%s", a, b);
	cr_assert_eq(lsp_feed(s, c, strlen(c), 0), 0);
	const char *t = buf_cstr(&out);
	const char *one = strstr(t, "\"id\":1,"), *two = strstr(t, "\"id\":2,\"error\":{\"code\":-32601");
	cr_assert(one && two && one < two, "%s", t);
	stop(s);
}

Test(lsp_server, checks_wait_for_the_debounce_and_exit_ends_the_feed)
{
	struct lsp_server *s = start(50);
	char m[512];
	frame(m, sizeof m, INIT);
	lsp_feed(s, m, strlen(m), 1000);
	lsp_tick(s, 1000, 0);
	buf_reset(&out);
	frame(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
	      "{\"uri\":\"file:///elsewhere/a.authz\",\"languageId\":\"authz\",\"version\":1,\"text\":\"permit {\"}}}");
	lsp_feed(s, m, strlen(m), 2000);
	cr_assert_eq(lsp_timeout(s, 2000), 50);
	cr_assert_eq(lsp_timeout(s, 2030), 20);
	lsp_tick(s, 2030, 0);
	cr_assert_eq(out.n, 0, "checked before the quiet time was over");
	lsp_tick(s, 2050, 0);
	cr_assert_eq(lsp_timeout(s, 2050), -1);
	/* The document is outside the project: published, with nothing in it. */
	cr_assert_not_null(strstr(buf_cstr(&out), "\"uri\":\"file:///elsewhere/a.authz\",\"version\":1,\"diagnostics\":[]"),
			   "%s", buf_cstr(&out));
	cr_assert_eq(lsp_exit_status(s), 1, "no shutdown yet");
	frame(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"shutdown\"}");
	lsp_feed(s, m, strlen(m), 3000);
	frame(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
	cr_assert_eq(lsp_feed(s, m, strlen(m), 3000), 1);
	cr_assert_eq(lsp_exit_status(s), 0);
	stop(s);
}

Test(lsp_server, garbage_gets_errors_and_the_server_goes_on)
{
	struct lsp_server *s = start(0);
	static const char junk[] = "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nContent-Length: -5\r\n\r\n"
		"Content-Length: 2\r\n\r\n{]";
	cr_assert_eq(lsp_feed(s, junk, sizeof junk - 1, 0), 0);
	const char *t = buf_cstr(&out);
	size_t errors = 0;
	for (const char *p = t; (p = strstr(p, "\"error\":{\"code\":-32700")); p++)
		errors++;
	cr_assert_eq(errors, 3, "%s", t);
	/* Still serving. */
	char m[256];
	frame(m, sizeof m, INIT);
	buf_reset(&out);
	lsp_feed(s, m, strlen(m), 0);
	cr_assert_not_null(strstr(buf_cstr(&out), "\"result\":{\"capabilities\""));
	/* An empty body is answered at once, not when more bytes come. */
	buf_reset(&out);
	lsp_feed(s, "Content-Length: 0\r\n\r\n", 21, 0);
	cr_assert_not_null(strstr(buf_cstr(&out), "\"id\":null,\"error\":{\"code\":-32700"), "%s",
			   out.n ? buf_cstr(&out) : "nothing");
	/* A header block that never ends is dropped once over the limit. */
	buf_reset(&out);
	static char longhdr[LSP_MAX_HEADER + 100];
	memset(longhdr, 'x', sizeof longhdr);
	lsp_feed(s, longhdr, sizeof longhdr, 0);
	cr_assert_not_null(strstr(buf_cstr(&out), "header longer than"));
	stop(s);
}
