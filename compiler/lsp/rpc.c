/*
 * rpc.c: JSON-RPC over Content-Length frames (see lsp_int.h).
 *
 * Input: a header block of "Name: value" lines ending in an empty line
 * (CRLF, or bare LF from lenient clients), of which only Content-Length
 * matters, then that many bytes of body.  A header block without a valid
 * Content-Length, or longer than LSP_MAX_HEADER, is answered with a parse
 * error and dropped; a body over LSP_MAX_MESSAGE is answered likewise and
 * skipped without being kept.  Nothing the client sends ends the server
 * but `exit` and the end of input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsp_int.h"

void rpc_send(struct lsp_server *s, cJSON *msg)
{
	if (!msg)
		return;
	char *text = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	if (!text || s->write_failed) {
		free(text);
		return;
	}
	char head[64];
	size_t n = strlen(text);
	int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", n);
	if (s->o.write(s->o.write_arg, head, (size_t)hn) != 0 ||
	    s->o.write(s->o.write_arg, text, n) != 0)
		s->write_failed = true;
	free(text);
}

static cJSON *envelope(const cJSON *id)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	cJSON *idc = id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull();
	cJSON_AddItemToObject(m, "id", idc ? idc : cJSON_CreateNull());
	return m;
}

void rpc_result(struct lsp_server *s, const cJSON *id, cJSON *result)
{
	cJSON *m = envelope(id);
	cJSON_AddItemToObject(m, "result", result ? result : cJSON_CreateNull());
	rpc_send(s, m);
}

void rpc_error(struct lsp_server *s, const cJSON *id, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *m = envelope(id);
	cJSON *e = cJSON_AddObjectToObject(m, "error");
	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	rpc_send(s, m);
}

void rpc_notify(struct lsp_server *s, const char *method, cJSON *params)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	cJSON_AddStringToObject(m, "method", method);
	cJSON_AddItemToObject(m, "params", params ? params : cJSON_CreateNull());
	rpc_send(s, m);
}

/* The end of the header block at the start of p[0..n): the offset just
 * past its empty line, or 0 when it is not complete yet. */
static size_t header_end(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Content-Length from a header block; -1 when absent or malformed. */
static long long content_length(const char *p, size_t n)
{
	long long len = -1;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] != '\n')
			j++;
		size_t e = j;
		if (e > i && p[e - 1] == '\r')
			e--;
		static const char key[] = "content-length:";
		size_t k = sizeof key - 1;
		if (e - i > k && !strncasecmp(p + i, key, k)) {
			size_t v = i + k;
			while (v < e && (p[v] == ' ' || p[v] == '\t'))
				v++;
			if (v == e)
				return -1;
			long long x = 0;
			for (; v < e && p[v] >= '0' && p[v] <= '9'; v++) {
				x = x * 10 + (p[v] - '0');
				if (x > (long long)LSP_MAX_MESSAGE * 4)
					x = (long long)LSP_MAX_MESSAGE * 4;
			}
			while (v < e && (p[v] == ' ' || p[v] == '\t'))
				v++;
			if (v != e)
				return -1;
			len = x;
		}
		i = j + 1;
	}
	return len;
}

static void consume(struct buf *b, size_t n)
{
	if (n >= b->n) {
		buf_reset(b);
		return;
	}
	memmove(b->p, b->p + n, b->n - n);
	buf_truncate(b, b->n - n);
}

void rpc_frames(struct lsp_server *s, int64_t now_ms)
{
	while (!s->exited && (s->in.n || (s->fr == FR_BODY && s->body_len == 0))) {
		if (s->fr == FR_SKIP) {
			size_t k = s->skip_left < s->in.n ? s->skip_left : s->in.n;
			consume(&s->in, k);
			s->skip_left -= k;
			if (!s->skip_left)
				s->fr = FR_HEADER;
			continue;
		}
		if (s->fr == FR_HEADER) {
			/* Blank lines between messages are tolerated. */
			size_t lead = 0;
			while (lead < s->in.n && (s->in.p[lead] == '\r' || s->in.p[lead] == '\n'))
				lead++;
			if (lead) {
				consume(&s->in, lead);
				continue;
			}
			size_t he = header_end(s->in.p, s->in.n);
			if (!he) {
				if (s->in.n > LSP_MAX_HEADER) {
					rpc_error(s, NULL, RPC_PARSE_ERROR,
						  "header longer than %u bytes; dropped", LSP_MAX_HEADER);
					buf_reset(&s->in);
				}
				return;
			}
			long long len = he > LSP_MAX_HEADER ? -2 : content_length(s->in.p, he);
			consume(&s->in, he);
			if (len < 0) {
				rpc_error(s, NULL, RPC_PARSE_ERROR, "%s",
					  len == -2 ? "header too long; dropped"
					  : "header without a valid Content-Length; dropped");
				continue;
			}
			if ((unsigned long long)len > LSP_MAX_MESSAGE) {
				rpc_error(s, NULL, RPC_REQUEST_FAILED,
					  "message of %lld bytes is over the %u MiB limit; skipped",
					  len, LSP_MAX_MESSAGE >> 20);
				s->fr = FR_SKIP;
				s->skip_left = (size_t)len;
				continue;
			}
			s->fr = FR_BODY;
			s->body_len = (size_t)len;
			continue;
		}
		/* FR_BODY */
		if (s->in.n < s->body_len)
			return;
		size_t n = s->body_len;
		char *body = malloc(n + 1);
		if (!body) {
			rpc_error(s, NULL, RPC_INTERNAL_ERROR, "out of memory");
			consume(&s->in, n);
			s->fr = FR_HEADER;
			continue;
		}
		memcpy(body, s->in.p, n);
		body[n] = '\0';
		consume(&s->in, n);
		s->fr = FR_HEADER;
		server_message(s, body, n, now_ms);
		free(body);
	}
}
