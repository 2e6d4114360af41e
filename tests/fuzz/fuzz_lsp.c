/*
 * fuzz_lsp.c: JSON-RPC sent to `authzc lsp` (compiler/lsp/lsp.h), in
 * process, on the examples/ project (read, never written).
 *
 * The input is a list of messages separated by NUL bytes.  Unless its
 * first byte is '!' (then the rest is fed as raw bytes, frames and all),
 * each message is framed with its Content-Length, an `initialize` naming
 * examples/ goes first, and the input is fed in pieces whose sizes come
 * from the input's own length, so frames are split at varying places.
 * The clock moves 7 ms after each message, so a check (debounce 20 ms)
 * runs after every third or so, and once at the end.  Properties, beyond "no crash, no
 * sanitizer report, no hang": every message the server writes is a
 * well-formed frame whose body cJSON parses as an object, and feeding
 * never stops before `exit`.
 */
#include <cJSON.h>

#include "fuzz_common.h"
#include "lsp.h"

static char init_msg[8192];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(init_msg, sizeof init_msg,
		 "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
		 "{\"rootUri\":\"file://%s\",\"capabilities\":{}}}", FUZZ_EXAMPLES);
	return 0;
}

/* The writer: a header write, then its body. */
static size_t want_body;        /* 0: expecting a header */

static int check_write(void *arg, const char *data, size_t len)
{
	(void)arg;
	if (!want_body) {
		unsigned long n = 0;
		if (len < 20 || memcmp(data, "Content-Length: ", 16) || memcmp(data + len - 4, "\r\n\r\n", 4) ||
		    sscanf(data + 16, "%lu", &n) != 1 || n == 0) {
			fprintf(stderr, "lsp wrote a bad header: %.*s\n", (int)len, data);
			abort();
		}
		want_body = n;
		return 0;
	}
	if (len != want_body) {
		fprintf(stderr, "lsp wrote %zu bytes of body after a Content-Length of %zu\n", len, want_body);
		abort();
	}
	cJSON *j = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(j)) {
		fprintf(stderr, "lsp wrote a body that is not a JSON object: %.*s\n", (int)len, data);
		abort();
	}
	cJSON_Delete(j);
	want_body = 0;
	return 0;
}

static void feed(struct lsp_server *s, const char *p, size_t n, size_t step, int64_t *now)
{
	while (n) {
		size_t k = n < step ? n : step;
		if (lsp_feed(s, p, k, *now))
			return;
		p += k;
		n -= k;
	}
}

static void feed_framed(struct lsp_server *s, const char *body, size_t n, size_t step, int64_t *now)
{
	char head[64];
	int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", n);
	feed(s, head, (size_t)hn, step, now);
	feed(s, body, n, step, now);
	*now += 7;
	lsp_tick(s, *now, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lsp_opts o = { FUZZ_EXAMPLES, 20, 0, check_write, NULL };
	struct lsp_server *s = lsp_new(&o);
	if (!s)
		fuzz_die("lsp_new");
	want_body = 0;
	int64_t now = 1000;
	size_t step = 1 + size % 97;
	const char *d = (const char *)data;
	if (size && d[0] == '!') {
		feed(s, d + 1, size - 1, step, &now);
	} else {
		feed_framed(s, init_msg, strlen(init_msg), 4096, &now);
		size_t start = 0;
		for (size_t i = 0; i <= size; i++)
			if (i == size || d[i] == '\0') {
				if (i > start)
					feed_framed(s, d + start, i - start, step, &now);
				start = i + 1;
			}
	}
	lsp_tick(s, now, 1);
	if (want_body) {
		fprintf(stderr, "lsp wrote a header without its body\n");
		abort();
	}
	lsp_free(s);
	return 0;
}
