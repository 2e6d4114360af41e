/*
 * fuzz_serve.c: raw bytes sent to `authzc serve` (compiler/serve/server.h)
 * over a loopback socket: libmicrohttpd's parser and every endpoint of
 * ours, /v1/decide, the batch, the gateway mapping, /health and /metrics.
 *
 * The server runs in this process (so ASan and UBSan see its threads) with
 * the examples/ bundle and a gateway mapping; each input is written to a
 * new connection, which is then half-closed and read to its end.  Every
 * 256 inputs the server must still answer /health: nothing a client
 * sends may crash it or stall it.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "server.h"

static struct server *srv;
static struct sockaddr_in addr;

/* The examples/ bundle written to a temporary file (removed at exit). */
static char bundle_path[] = "/tmp/authzc-fuzz-serve-XXXXXX";

static void remove_bundle(void)
{
	unlink(bundle_path);
}

static void write_examples_bundle(void)
{
	struct compilation c;
	struct source_tree tree;
	compilation_init(&c);
	c.now_ms = FUZZ_NOW_MS;
	c.root = FUZZ_EXAMPLES;
	source_tree_fs(&tree, FUZZ_EXAMPLES);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (compilation_run(&c, &tree) != 0 || codegen_bundle(&c, "", &buf, &len) != 0)
		fuzz_die("examples/ does not compile");
	int fd = mkstemp(bundle_path);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		fuzz_die("cannot write the bundle");
	close(fd);
	atexit(remove_bundle);
	free(buf);
	compilation_release(&c);
}

static struct gw_pair attrs[] = { { "tenant", { GW_HEADER, "X-Tenant", 0 } } };
static struct gw_pair ctx[] = { { "ticket", { GW_HEADER, "X-Ticket", 0 } } };
static struct gw_pair methods[] = { { "GET", { GW_LITERAL, "read", 0 } }, { "*", { GW_LITERAL, "write", 0 } } };
static struct gw_config gateway = {
	.method_header = "X-Original-Method",
	.path_header = "X-Original-URI",
	.principal_type = { GW_LITERAL, "User", 0 },
	.principal_id = { GW_HEADER, "X-User", 0 },
	.methods = methods,
	.nmethods = 2,
	.resource_type = { GW_SEGMENT, NULL, 1 },
	.resource_id = { GW_SEGMENT, NULL, 2 },
	.attrs = { attrs, NULL, ctx },
	.nattrs = { 1, 0, 1 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	write_examples_bundle();
	struct serve_opts o;
	serve_opts_init(&o);
	o.listen = "127.0.0.1:0";
	o.bundle_path = bundle_path;
	o.threads = 1;
	o.timeout_s = 2;
	o.max_body = 1u << 16;
	o.gateway = &gateway;
	char err[256];
	if (server_start(&srv, &o, err, sizeof err) < 0)
		fuzz_die(err);
	const char *a = server_address(srv);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(strrchr(a, ':') + 1));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}

/* True when out[0..n) holds one whole response (headers and the body
 * its Content-Length announces). */
static bool whole_response(const char *out, size_t n)
{
	const char *end = memmem(out, n, "\r\n\r\n", 4);
	if (!end)
		return false;
	const char *cl = memmem(out, (size_t)(end - out), "Content-Length: ", 16);
	size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
	return (size_t)(end + 4 - out) + body <= n;
}

/*
 * Send data[0..size) on a new connection, half-close, and read until the
 * server closes, one whole response is in, or it says nothing for 20 ms
 * (libmicrohttpd keeps a half-closed keep-alive connection, or one with a
 * request cut short, open until its timeout).  Returns the bytes kept in
 * out[0..cap).
 */
static size_t exchange(const void *data, size_t size, char *out, size_t cap)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fuzz_die("socket");
	struct timeval send_tv = { 5, 0 }, recv_tv = { 0, 20000 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_tv, sizeof send_tv);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &recv_tv, sizeof recv_tv);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		fuzz_die("the server does not accept connections");
	size_t at = 0;
	while (at < size) {
		ssize_t n = send(fd, (const char *)data + at, size - at, MSG_NOSIGNAL);
		if (n <= 0)
			break;  /* the server closed early: fine */
		at += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	size_t kept = 0;
	while (kept < cap && !whole_response(out, kept)) {
		ssize_t n = recv(fd, out + kept, cap - kept, 0);
		if (n <= 0)
			break;
		kept += (size_t)n;
	}
	close(fd);
	return kept;
}

static void still_answers(void)
{
	static const char health[] = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char out[1024];
	size_t n = exchange(health, sizeof health - 1, out, sizeof out);
	if (n < 12 || strncmp(out, "HTTP/1.1 200", 12))
		abort();        /* stalled or down */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned count;
	static char out[1 << 16];
	exchange(data, size, out, sizeof out);
	if (++count % 256 == 0)
		still_answers();
	return 0;
}
