/*
 * bench_lsp.c: how soon `authzc lsp` publishes diagnostics after a change
 * (`make bench`, tests/bench/run.sh; never part of `make test`).
 *
 *   bench_lsp AUTHZC PROJECT FILE CHANGES [LSP-OPTION...]
 *
 * Starts `AUTHZC lsp LSP-OPTION...` on PROJECT, opens FILE (relative to
 * PROJECT), waits for its first diagnostics, then CHANGES times sends a
 * change (a space put at the start of the file, then taken away, so the
 * project stays as it was) and measures the wall time until the
 * diagnostics of FILE arrive, which the server publishes after its
 * debounce and a check of the whole project.  Prints one line:
 *
 *   changes=N median_ms=M p95_ms=P max_ms=X diagnostics=D
 */
#include <cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int to_srv, from_srv;
static char *in;
static size_t inlen, incap;

static void die(const char *what)
{
	fprintf(stderr, "bench_lsp: %s\n", what);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void send_msg(cJSON *m)
{
	char *body = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	char head[64];
	int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", strlen(body));
	if (write(to_srv, head, (size_t)hn) != hn || write(to_srv, body, strlen(body)) != (ssize_t)strlen(body))
		die("cannot write to the server");
	free(body);
}

/* The next message (parsed). */
static cJSON *recv_msg(void)
{
	for (;;) {
		for (size_t k = 0; k + 4 <= inlen; k++) {
			if (memcmp(in + k, "\r\n\r\n", 4))
				continue;
			size_t len = (size_t)strtoul(in + 16, NULL, 10), hl = k + 4;
			if (inlen < hl + len)
				break;
			cJSON *j = cJSON_ParseWithLength(in + hl, len);
			memmove(in, in + hl + len, inlen - hl - len);
			inlen -= hl + len;
			if (!j)
				die("the server sent a body that is not JSON");
			return j;
		}
		struct pollfd p = { from_srv, POLLIN, 0 };
		if (poll(&p, 1, 60000) <= 0)
			die("no message within 60 s");
		if (inlen + 65536 > incap) {
			incap = (inlen + 65536) * 2;
			in = realloc(in, incap);
			if (!in)
				die("out of memory");
		}
		ssize_t n = read(from_srv, in + inlen, 65536);
		if (n <= 0)
			die("the server closed its output");
		inlen += (size_t)n;
	}
}

/* Wait for the diagnostics of `uri`; returns how many it holds. */
static int wait_diags(const char *uri)
{
	for (;;) {
		cJSON *m = recv_msg();
		const cJSON *method = cJSON_GetObjectItem(m, "method");
		const cJSON *params = cJSON_GetObjectItem(m, "params");
		const cJSON *u = cJSON_GetObjectItem(params, "uri");
		if (cJSON_IsString(method) && !strcmp(method->valuestring, "textDocument/publishDiagnostics") &&
		    cJSON_IsString(u) && !strcmp(u->valuestring, uri)) {
			int n = cJSON_GetArraySize(cJSON_GetObjectItem(params, "diagnostics"));
			cJSON_Delete(m);
			return n;
		}
		cJSON_Delete(m);
	}
}

static cJSON *notification(const char *method)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	cJSON_AddStringToObject(m, "method", method);
	return m;
}

static cJSON *change(const char *uri, int version, int insert)
{
	cJSON *m = notification("textDocument/didChange");
	cJSON *p = cJSON_AddObjectToObject(m, "params");
	cJSON *td = cJSON_AddObjectToObject(p, "textDocument");
	cJSON_AddStringToObject(td, "uri", uri);
	cJSON_AddNumberToObject(td, "version", version);
	cJSON *ch = cJSON_AddArrayToObject(p, "contentChanges");
	cJSON *c = cJSON_CreateObject();
	cJSON *r = cJSON_AddObjectToObject(c, "range");
	cJSON *s = cJSON_AddObjectToObject(r, "start"), *e = cJSON_AddObjectToObject(r, "end");
	cJSON_AddNumberToObject(s, "line", 0);
	cJSON_AddNumberToObject(s, "character", 0);
	cJSON_AddNumberToObject(e, "line", 0);
	cJSON_AddNumberToObject(e, "character", insert ? 0 : 1);
	cJSON_AddStringToObject(c, "text", insert ? " " : "");
	cJSON_AddItemToArray(ch, c);
	return m;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		die("usage: bench_lsp AUTHZC PROJECT FILE CHANGES [LSP-OPTION...]");
	int nchanges = atoi(argv[4]);
	if (nchanges < 1)
		die("CHANGES must be at least 1");
	char *proj = realpath(argv[2], NULL);
	if (!proj)
		die("cannot resolve PROJECT");
	char path[8192], uri[8300], root[8300];
	snprintf(path, sizeof path, "%s/%s", proj, argv[3]);
	snprintf(uri, sizeof uri, "file://%s", path);
	snprintf(root, sizeof root, "file://%s", proj);
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot read FILE");
	static char text[64 << 20];
	size_t tl = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[tl] = '\0';

	int a[2], b[2];
	if (pipe(a) || pipe(b))
		die("pipe");
	pid_t pid = fork();
	if (pid == 0) {
		dup2(a[0], 0);
		dup2(b[1], 1);
		close(a[1]);
		close(b[0]);
		char *args[64] = { argv[1], "lsp" };
		int k = 2;
		for (int i = 5; i < argc && k < 63; i++)
			args[k++] = argv[i];
		args[k] = NULL;
		execv(argv[1], args);
		_exit(127);
	}
	close(a[0]);
	close(b[1]);
	to_srv = a[1];
	from_srv = b[0];
	signal(SIGPIPE, SIG_IGN);

	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	cJSON_AddNumberToObject(m, "id", 1);
	cJSON_AddStringToObject(m, "method", "initialize");
	cJSON *p = cJSON_AddObjectToObject(m, "params");
	cJSON_AddStringToObject(p, "rootUri", root);
	cJSON_AddObjectToObject(p, "capabilities");
	send_msg(m);
	cJSON_Delete(recv_msg());
	m = notification("textDocument/didOpen");
	p = cJSON_AddObjectToObject(m, "params");
	cJSON *td = cJSON_AddObjectToObject(p, "textDocument");
	cJSON_AddStringToObject(td, "uri", uri);
	cJSON_AddStringToObject(td, "languageId", "authz");
	cJSON_AddNumberToObject(td, "version", 1);
	cJSON_AddStringToObject(td, "text", text);
	send_msg(m);
	int ndiags = wait_diags(uri);

	double *ms = calloc((size_t)nchanges, sizeof(double));
	for (int i = 0; i < nchanges; i++) {
		double t0 = now_ms();
		send_msg(change(uri, i + 2, i % 2 == 0));
		ndiags = wait_diags(uri);
		ms[i] = now_ms() - t0;
		/* A pause, as between keystrokes, so changes are not coalesced. */
		usleep(20000);
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	cJSON_AddNumberToObject(m, "id", 2);
	cJSON_AddStringToObject(m, "method", "shutdown");
	send_msg(m);
	send_msg(notification("exit"));
	close(to_srv);
	int st;
	waitpid(pid, &st, 0);
	qsort(ms, (size_t)nchanges, sizeof(double), cmp);
	printf("changes=%d median_ms=%.1f p95_ms=%.1f max_ms=%.1f diagnostics=%d\n", nchanges,
	       ms[nchanges / 2], ms[(int)(nchanges * 0.95) < nchanges ? (int)(nchanges * 0.95) : nchanges - 1],
	       ms[nchanges - 1], ndiags);
	free(ms);
	free(proj);
	free(in);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
