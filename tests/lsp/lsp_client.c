/*
 * lsp_client.c: a scripted Language Server Protocol client for the tests
 * of `authzc lsp` (tests/lsp/run.sh).
 *
 *   lsp-client [-D NAME=VALUE]... [-F DIR] SCRIPT -- COMMAND [ARG...]
 *
 * Starts COMMAND with pipes on its standard input and output and plays
 * SCRIPT, one step per line (a line starting with blanks continues the
 * step above; '#' lines are comments):
 *
 *   send JSON      send JSON as one framed message
 *   raw TEXT       send TEXT as it is (\r \n \\ escapes), for broken frames
 *   pad N          send N spaces (the body of an oversized frame)
 *   expect JSON    the next message the server sends must match JSON
 *   check FILE     the next publishDiagnostics messages hold exactly the
 *                  diagnostics of FILE, the output of `authzc check --format
 *                  json` for the project at $ROOT: per file and in order,
 *                  the same code, severity, message (with " (at PATH)" for
 *                  a JSON path and "\nhelp: ..." for a help) and range;
 *                  read until each file of FILE was published; any other
 *                  file published meanwhile must have none
 *   close          close the server's input
 *   status N       the server must exit with status N
 *
 * In JSON and TEXT, $NAME is replaced by a -D value and $FILE{path} by the
 * contents of DIR/path as a JSON string.  Matching: every member of an
 * expected object must be in the actual one and match ("$absent": must
 * not be there); arrays match element by element and have the same
 * length, unless the expected one ends with "..." (then it is a prefix);
 * a string "~text" matches any string containing text; anything else must
 * be equal.  Each read waits at most 20 s (a hang guard, not a timing
 * test).  With $LSP_CLIENT_VERBOSE set, each message received is shown on
 * standard error.  Prints "lsp: N steps passed" or the first failure, with both
 * messages, and exits 1.
 */
#include <cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *script_name;
static int lineno;
static char *defs[64][2];
static int ndefs;
static const char *file_dir = ".";
static int to_srv = -1, from_srv = -1;
static pid_t pid;
static char *inbuf;
static size_t inlen, incap;

static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL %s:%d: ", script_name, lineno);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (pid > 0)
		kill(pid, SIGKILL);
	exit(1);
}

struct str {
	char *p;
	size_t n, cap;
};

static void put(struct str *s, const char *p, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		s->cap = (s->n + n + 1) * 2;
		s->p = realloc(s->p, s->cap);
		if (!s->p)
			fail("out of memory");
	}
	memcpy(s->p + s->n, p, n);
	s->n += n;
	s->p[s->n] = '\0';
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct str s = { 0 };
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		put(&s, chunk, n);
	fclose(f);
	if (!s.p)
		put(&s, "", 0);
	*len = s.n;
	return s.p;
}

/* Expand $NAME and $FILE{path}. */
static char *expand(const char *in)
{
	struct str s = { 0 };
	put(&s, "", 0);
	for (const char *p = in; *p;) {
		if (*p == '$' && !strncmp(p, "$FILE{", 6)) {
			const char *e = strchr(p, '}');
			if (!e)
				fail("unterminated $FILE{");
			char path[4096];
			snprintf(path, sizeof path, "%s/%.*s", file_dir, (int)(e - p - 6), p + 6);
			size_t len;
			char *text = read_file(path, &len);
			if (!text)
				fail("cannot read %s", path);
			cJSON *js = cJSON_CreateString(text);
			char *enc = cJSON_PrintUnformatted(js);
			put(&s, enc, strlen(enc));
			free(enc);
			cJSON_Delete(js);
			free(text);
			p = e + 1;
			continue;
		}
		if (*p == '$') {
			bool done = false;
			for (int i = 0; i < ndefs && !done; i++) {
				size_t n = strlen(defs[i][0]);
				if (!strncmp(p + 1, defs[i][0], n)) {
					put(&s, defs[i][1], strlen(defs[i][1]));
					p += n + 1;
					done = true;
				}
			}
			if (done)
				continue;
		}
		put(&s, p, 1);
		p++;
	}
	return s.p;
}

static void send_bytes(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(to_srv, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail("cannot write to the server: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Read more from the server; false at end of output. */
static bool fill(void)
{
	struct pollfd pf = { from_srv, POLLIN, 0 };
	int r = poll(&pf, 1, 20000);
	if (r == 0)
		fail("no message from the server within 20 s");
	if (r < 0)
		fail("poll: %s", strerror(errno));
	if (inlen + 65536 > incap) {
		incap = (inlen + 65536) * 2;
		inbuf = realloc(inbuf, incap);
		if (!inbuf)
			fail("out of memory");
	}
	ssize_t n = read(from_srv, inbuf + inlen, 65536);
	if (n < 0)
		fail("read: %s", strerror(errno));
	inlen += (size_t)n;
	return n > 0;
}

/* The next framed message from the server (malloc'd body). */
static char *next_message(void)
{
	for (;;) {
		char *he = NULL;
		for (size_t k = 0; k + 4 <= inlen && !he; k++)
			if (!memcmp(inbuf + k, "\r\n\r\n", 4))
				he = inbuf + k;
		if (he) {
			long len = -1;
			if (strncmp(inbuf, "Content-Length: ", 16) == 0)
				len = strtol(inbuf + 16, NULL, 10);
			if (len < 0)
				fail("the server sent a frame without Content-Length: %.*s", (int)(he - inbuf), inbuf);
			size_t hl = (size_t)(he - inbuf) + 4;
			if (inlen >= hl + (size_t)len) {
				char *body = malloc((size_t)len + 1);
				memcpy(body, inbuf + hl, (size_t)len);
				body[len] = '\0';
				memmove(inbuf, inbuf + hl + len, inlen - hl - (size_t)len);
				inlen -= hl + (size_t)len;
				return body;
			}
		}
		if (!fill())
			fail("the server closed its output while a message was expected");
	}
}

static bool match(const cJSON *want, const cJSON *got, char *where, size_t wcap);

/* The string member `key` of o, or "" (never NULL). */
static const char *json_s(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static bool match_array(const cJSON *want, const cJSON *got, char *where, size_t wcap)
{
	int nw = cJSON_GetArraySize(want), ng = cJSON_GetArraySize(got);
	const cJSON *last = cJSON_GetArrayItem(want, nw - 1);
	bool prefix = nw > 0 && cJSON_IsString(last) && !strcmp(last->valuestring, "...");
	if (prefix)
		nw--;
	if (prefix ? ng < nw : ng != nw) {
		snprintf(where + strlen(where), wcap - strlen(where), " (array of %d, want %s%d)", ng,
			 prefix ? "at least " : "", nw);
		return false;
	}
	for (int i = 0; i < nw; i++) {
		size_t l = strlen(where);
		snprintf(where + l, wcap - l, "[%d]", i);
		if (!match(cJSON_GetArrayItem(want, i), cJSON_GetArrayItem(got, i), where, wcap))
			return false;
		where[l] = '\0';
	}
	return true;
}

static bool match(const cJSON *want, const cJSON *got, char *where, size_t wcap)
{
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(got))
			return false;
		const cJSON *w;
		cJSON_ArrayForEach(w, want) {
			size_t l = strlen(where);
			snprintf(where + l, wcap - l, ".%s", w->string);
			const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
			if (cJSON_IsString(w) && !strcmp(w->valuestring, "$absent")) {
				if (g)
					return false;
			} else if (!g || !match(w, g, where, wcap)) {
				return false;
			}
			where[l] = '\0';
		}
		return true;
	}
	if (cJSON_IsArray(want))
		return cJSON_IsArray(got) && match_array(want, got, where, wcap);
	if (cJSON_IsString(want) && want->valuestring[0] == '~')
		return cJSON_IsString(got) && strstr(got->valuestring, want->valuestring + 1);
	return cJSON_Compare(want, got, 1);
}

/* The check step: see the top of the file. */
static void check_step(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		fail("cannot read %s", path);
	cJSON *want = cJSON_Parse(text);
	free(text);
	const cJSON *list = cJSON_GetObjectItem(want, "diagnostics");
	if (!cJSON_IsArray(list))
		fail("%s is not the JSON of authzc check", path);
	const char *root = NULL;
	for (int i = 0; i < ndefs; i++)
		if (!strcmp(defs[i][0], "ROOT"))
			root = defs[i][1];
	if (!root)
		fail("check needs -D ROOT=...");
	/* The files still to see: every file named, once. */
	const char *files[4096];
	size_t nfiles = 0;
	const cJSON *d;
	cJSON_ArrayForEach(d, list) {
		const cJSON *f = cJSON_GetObjectItem(d, "file");
		const char *name = cJSON_IsString(f) ? f->valuestring : "authzc.json";
		bool dup = false;
		for (size_t k = 0; k < nfiles && !dup; k++)
			dup = !strcmp(files[k], name);
		if (!dup && nfiles < 4096)
			files[nfiles++] = name;
	}
	size_t left = nfiles;
	while (left) {
		char *body = next_message();
		if (getenv("LSP_CLIENT_VERBOSE"))
			fprintf(stderr, "%d: %s\n", lineno, body);
		cJSON *m = cJSON_Parse(body);
		const cJSON *params = cJSON_GetObjectItem(m, "params");
		const cJSON *uri = cJSON_GetObjectItem(params, "uri");
		const cJSON *got = cJSON_GetObjectItem(params, "diagnostics");
		if (!cJSON_IsString(uri) || !cJSON_IsArray(got) || strncmp(uri->valuestring, root, strlen(root)))
			fail("expected diagnostics of the project, got: %s", body);
		const char *rel = uri->valuestring + strlen(root) + 1;
		int k = 0;
		cJSON_ArrayForEach(d, list) {
			const cJSON *f = cJSON_GetObjectItem(d, "file");
			if (strcmp(cJSON_IsString(f) ? f->valuestring : "authzc.json", rel))
				continue;
			const cJSON *g = cJSON_GetArrayItem(got, k++);
			if (!g)
				fail("%s: the server has fewer diagnostics than check: %s", rel, body);
			char msg[8192];
			const cJSON *jp = cJSON_GetObjectItem(d, "json_path"), *help = cJSON_GetObjectItem(d, "help");
			const cJSON *line = cJSON_GetObjectItem(d, "line");
			snprintf(msg, sizeof msg, "%s%s%s%s%s%s", cJSON_GetObjectItem(d, "message")->valuestring,
				 cJSON_IsString(jp) && !cJSON_IsNumber(line) ? " (at " : "",
				 cJSON_IsString(jp) && !cJSON_IsNumber(line) ? jp->valuestring : "",
				 cJSON_IsString(jp) && !cJSON_IsNumber(line) ? ")" : "",
				 cJSON_IsString(help) ? "\nhelp: " : "", cJSON_IsString(help) ? help->valuestring : "");
			const char *sev = cJSON_GetObjectItem(d, "severity")->valuestring;
			int want_sev = !strcmp(sev, "error") ? 1 : !strcmp(sev, "warning") ? 2 : 3;
			const cJSON *gr = cJSON_GetObjectItem(g, "range");
			bool ok = !strcmp(json_s(g, "code"), json_s(d, "code")) && !strcmp(json_s(g, "message"), msg) &&
				  cJSON_GetObjectItem(g, "severity")->valueint == want_sev;
			if (ok && cJSON_IsNumber(line)) {
				const cJSON *st = cJSON_GetObjectItem(gr, "start"), *en = cJSON_GetObjectItem(gr, "end");
				ok = cJSON_GetObjectItem(st, "line")->valueint == line->valueint - 1 &&
				     cJSON_GetObjectItem(st, "character")->valueint ==
					     cJSON_GetObjectItem(d, "column")->valueint - 1 &&
				     cJSON_GetObjectItem(en, "line")->valueint ==
					     cJSON_GetObjectItem(d, "end_line")->valueint - 1 &&
				     cJSON_GetObjectItem(en, "character")->valueint ==
					     cJSON_GetObjectItem(d, "end_column")->valueint - 1;
			}
			if (!ok) {
				char *dj = cJSON_PrintUnformatted(d), *gj = cJSON_PrintUnformatted(g);
				fail("%s: diagnostic %d differs from check's\n  check: %s\n  lsp:   %s", rel, k - 1, dj, gj);
			}
		}
		if (cJSON_GetArraySize(got) != k)
			fail("%s: the server has %d diagnostics, check %d: %s", rel, cJSON_GetArraySize(got), k, body);
		for (size_t i = 0; i < nfiles; i++)
			if (files[i] && !strcmp(files[i], rel)) {
				files[i] = NULL;
				left--;
			}
		cJSON_Delete(m);
		free(body);
	}
	cJSON_Delete(want);
}

static void start(char **argv)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_srv = in[1];
	from_srv = out[0];
}

static void step(const char *cmd, const char *arg, int *count)
{
	(*count)++;
	if (!strcmp(cmd, "send")) {
		char *x = expand(arg);
		cJSON *j = cJSON_Parse(x);
		if (!j)
			fail("the script's JSON does not parse: %s", x);
		char *body = cJSON_PrintUnformatted(j);
		char head[64];
		int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", strlen(body));
		send_bytes(head, (size_t)hn);
		send_bytes(body, strlen(body));
		free(body);
		cJSON_Delete(j);
		free(x);
	} else if (!strcmp(cmd, "raw")) {
		char *x = expand(arg);
		struct str s = { 0 };
		put(&s, "", 0);
		for (const char *p = x; *p; p++) {
			char c = *p;
			if (c == '\\' && p[1]) {
				p++;
				c = *p == 'r' ? '\r' : *p == 'n' ? '\n' : *p;
			}
			put(&s, &c, 1);
		}
		send_bytes(s.p, s.n);
		free(s.p);
		free(x);
	} else if (!strcmp(cmd, "expect")) {
		char *x = expand(arg);
		cJSON *want = cJSON_Parse(x);
		if (!want)
			fail("the script's JSON does not parse: %s", x);
		char *body = next_message();
		if (getenv("LSP_CLIENT_VERBOSE"))
			fprintf(stderr, "%d: %s\n", lineno, body);
		cJSON *got = cJSON_Parse(body);
		char where[1024] = "$";
		if (!got || !match(want, got, where, sizeof where))
			fail("the message does not match at %s\n  want: %s\n  got:  %s", where, x, body);
		cJSON_Delete(want);
		cJSON_Delete(got);
		free(body);
		free(x);
	} else if (!strcmp(cmd, "pad")) {
		static char spaces[65536];
		memset(spaces, ' ', sizeof spaces);
		for (long left = atol(arg); left > 0; left -= (long)sizeof spaces)
			send_bytes(spaces, left < (long)sizeof spaces ? (size_t)left : sizeof spaces);
	} else if (!strcmp(cmd, "check")) {
		char *x = expand(arg);
		check_step(x);
		free(x);
	} else if (!strcmp(cmd, "close")) {
		close(to_srv);
		to_srv = -1;
	} else if (!strcmp(cmd, "status")) {
		int st;
		if (to_srv >= 0) {
			close(to_srv);
			to_srv = -1;
		}
		/* Drain what is left, so the server never blocks on writing. */
		while (fill())
			;
		if (waitpid(pid, &st, 0) < 0)
			fail("waitpid: %s", strerror(errno));
		int want = atoi(arg);
		pid = 0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != want)
			fail("the server ended with %s %d, want exit status %d",
			     WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			     want);
		if (inlen)
			fail("the server sent more than expected: %.*s", (int)inlen, inbuf);
	} else {
		fail("unknown step '%s'", cmd);
	}
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-D") && i + 1 < argc && ndefs < 64) {
			char *eq = strchr(argv[++i], '=');
			if (!eq)
				return fprintf(stderr, "-D NAME=VALUE\n"), 2;
			defs[ndefs][0] = strndup(argv[i], (size_t)(eq - argv[i]));
			defs[ndefs++][1] = eq + 1;
		} else if (!strcmp(argv[i], "-F") && i + 1 < argc) {
			file_dir = argv[++i];
		} else {
			return fprintf(stderr, "usage: lsp-client [-D N=V]... [-F DIR] SCRIPT -- CMD...\n"), 2;
		}
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--"))
		return fprintf(stderr, "usage: lsp-client [-D N=V]... [-F DIR] SCRIPT -- CMD...\n"), 2;
	/* Longest names first, so $ROOTX is not read as $ROOT then X. */
	for (int a = 0; a < ndefs; a++)
		for (int b = a + 1; b < ndefs; b++)
			if (strlen(defs[b][0]) > strlen(defs[a][0])) {
				char *t0 = defs[a][0], *t1 = defs[a][1];
				defs[a][0] = defs[b][0];
				defs[a][1] = defs[b][1];
				defs[b][0] = t0;
				defs[b][1] = t1;
			}
	script_name = argv[i];
	size_t len;
	char *script = read_file(script_name, &len);
	if (!script)
		return fprintf(stderr, "cannot read %s\n", script_name), 2;
	signal(SIGPIPE, SIG_IGN);
	start(argv + i + 2);
	int count = 0;
	struct str cur = { 0 };
	int cur_line = 0, ln = 0;
	for (char *line = script; line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		ln++;
		bool cont = line[0] == ' ' || line[0] == '\t';
		bool blank = line[strspn(line, " \t\r")] == '\0';
		if (!cont && !blank && line[0] != '#' && cur.n) {
			lineno = cur_line;
			char *sp = strchr(cur.p, ' ');
			if (sp)
				*sp = '\0';
			step(cur.p, sp ? sp + 1 : "", &count);
			cur.n = 0;
		}
		if (cont && !blank && cur.n) {
			put(&cur, " ", 1);
			put(&cur, line, strlen(line));
		} else if (!cont && !blank && line[0] != '#') {
			cur_line = ln;
			put(&cur, line, strlen(line));
		}
		line = nl ? nl + 1 : NULL;
	}
	if (cur.n) {
		lineno = cur_line;
		char *sp = strchr(cur.p, ' ');
		if (sp)
			*sp = '\0';
		step(cur.p, sp ? sp + 1 : "", &count);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	free(cur.p);
	free(script);
	printf("lsp: %s: %d steps passed\n", script_name, count);
	return 0;
}
