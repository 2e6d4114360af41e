/*
 * server.c: the language server's loop, dispatch and lifecycle (lsp.h).
 *
 * Every message is parsed with cJSON.  A body that is not JSON gets a
 * parse error (-32700), one that is not a request or notification an
 * invalid request (-32600), an unknown method with an id -32601, a known
 * one with unusable params -32602; a request before `initialize`
 * -32002 and after `shutdown` -32600.  Unknown notifications (and
 * `$/`-prefixed ones) are ignored, as the protocol asks.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lsp_int.h"
#include "version.h"

int64_t lsp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct lsp_server *lsp_new(const struct lsp_opts *o)
{
	struct lsp_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->o = *o;
	s->in = (struct buf)BUF_INIT;
	char *root = NULL;
	if (project_find_root(o->root ? o->root : ".", &root) < 0 || !root) {
		free(s);
		return NULL;
	}
	s->root = root;
	return s;
}

void lsp_free(struct lsp_server *s)
{
	if (!s)
		return;
	buf_release(&s->in);
	while (s->ndocs)
		doc_close(s, s->docs[0]->uri);
	free(s->docs);
	for (size_t i = 0; i < s->npublished; i++)
		free(s->published[i]);
	free(s->published);
	if (s->have_c) {
		compilation_release(s->c);
		free(s->c);
	}
	if (s->good) {
		compilation_release(s->good);
		free(s->good);
	}
	free(s->root);
	free(s);
}

int lsp_feed(struct lsp_server *s, const char *data, size_t len, int64_t now_ms)
{
	if (s->exited)
		return 1;
	buf_put(&s->in, data, len);
	if (s->in.oom) {
		buf_reset(&s->in);
		s->fr = FR_HEADER;
		rpc_error(s, NULL, RPC_INTERNAL_ERROR, "out of memory; input dropped");
	}
	rpc_frames(s, now_ms);
	return s->exited || s->write_failed;
}

int lsp_timeout(const struct lsp_server *s, int64_t now_ms)
{
	if (!s->dirty)
		return -1;
	return s->due_ms <= now_ms ? 0 : (int)(s->due_ms - now_ms);
}

void lsp_tick(struct lsp_server *s, int64_t now_ms, int force)
{
	if (s->dirty && (force || now_ms >= s->due_ms))
		check_now(s);
}

int lsp_exit_status(const struct lsp_server *s)
{
	return s->shutdown ? 0 : 1;
}

int lsp_run(struct lsp_server *s, int fd)
{
	char chunk[65536];
	for (;;) {
		int64_t now = lsp_now_ms();
		lsp_tick(s, now, 0);
		if (s->write_failed)
			return 1;
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, lsp_timeout(s, now));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			continue;
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			return 1;
		if (lsp_feed(s, chunk, (size_t)n, lsp_now_ms()))
			return s->write_failed ? 1 : lsp_exit_status(s);
	}
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static bool offers_utf8(const cJSON *params)
{
	const cJSON *gen = json_obj(json_obj(params, "capabilities"), "general");
	const cJSON *enc = cJSON_GetObjectItemCaseSensitive(gen, "positionEncodings");
	const cJSON *e;
	cJSON_ArrayForEach(e, enc)
		if (cJSON_IsString(e) && !strcmp(e->valuestring, "utf-8"))
			return true;
	return false;
}

/* The client's root folder: the first workspace folder, rootUri or rootPath. */
static char *client_root(const cJSON *params)
{
	const cJSON *wf = cJSON_GetObjectItemCaseSensitive(params, "workspaceFolders");
	if (cJSON_IsArray(wf) && cJSON_GetArraySize(wf) > 0) {
		char *p = uri_to_path(json_str(cJSON_GetArrayItem(wf, 0), "uri"));
		if (p)
			return p;
	}
	char *p = uri_to_path(json_str(params, "rootUri"));
	if (p)
		return p;
	const char *rp = json_str(params, "rootPath");
	return rp && rp[0] == '/' ? strdup(rp) : NULL;
}

static cJSON *capabilities(struct lsp_server *s)
{
	cJSON *caps = cJSON_CreateObject();
	cJSON_AddStringToObject(caps, "positionEncoding", s->utf8 ? "utf-8" : "utf-16");
	cJSON *sync = cJSON_AddObjectToObject(caps, "textDocumentSync");
	cJSON_AddBoolToObject(sync, "openClose", 1);
	cJSON_AddNumberToObject(sync, "change", 2);     /* incremental */
	cJSON *save = cJSON_AddObjectToObject(sync, "save");
	cJSON_AddBoolToObject(save, "includeText", 0);
	cJSON_AddBoolToObject(caps, "hoverProvider", 1);
	cJSON_AddBoolToObject(caps, "definitionProvider", 1);
	cJSON_AddBoolToObject(caps, "referencesProvider", 1);
	cJSON_AddBoolToObject(caps, "documentFormattingProvider", 1);
	cJSON_AddBoolToObject(caps, "documentSymbolProvider", 1);
	cJSON *ca = cJSON_AddObjectToObject(caps, "codeActionProvider");
	cJSON *kinds = cJSON_AddArrayToObject(ca, "codeActionKinds");
	cJSON_AddItemToArray(kinds, cJSON_CreateString("quickfix"));
	cJSON *comp = cJSON_AddObjectToObject(caps, "completionProvider");
	cJSON *trig = cJSON_AddArrayToObject(comp, "triggerCharacters");
	static const char *const triggers[] = { ".", "@", "\"", " " };
	for (size_t i = 0; i < sizeof triggers / sizeof *triggers; i++)
		cJSON_AddItemToArray(trig, cJSON_CreateString(triggers[i]));
	return caps;
}

static void on_initialize(struct lsp_server *s, const cJSON *id, const cJSON *params)
{
	if (s->initialized) {
		rpc_error(s, id, RPC_INVALID_REQUEST, "initialize was already received");
		return;
	}
	s->utf8 = offers_utf8(params);
	char *root = client_root(params);
	if (root) {
		char *proj = NULL;
		if (project_find_root(root, &proj) >= 0 && proj) {
			free(s->root);
			s->root = proj;
		}
		free(root);
	}
	s->initialized = true;
	s->dirty = true;
	s->due_ms = 0;
	cJSON *res = cJSON_CreateObject();
	cJSON_AddItemToObject(res, "capabilities", capabilities(s));
	cJSON *info = cJSON_AddObjectToObject(res, "serverInfo");
	cJSON_AddStringToObject(info, "name", "authzc");
	cJSON_AddStringToObject(info, "version", AUTHZC_VERSION);
	rpc_result(s, id, res);
}

/* ---- documents -------------------------------------------------------------------------- */

static void changed(struct lsp_server *s, int64_t now_ms)
{
	s->dirty = true;
	s->due_ms = now_ms + s->o.debounce_ms;
}

static void on_did_open(struct lsp_server *s, const cJSON *params, int64_t now_ms)
{
	const cJSON *td = json_obj(params, "textDocument");
	const char *uri = json_str(td, "uri"), *text = json_str(td, "text");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(td, "version");
	if (!uri || !text)
		return;
	doc_open(s, uri, text, strlen(text), cJSON_IsNumber(ver) ? (int64_t)ver->valuedouble : 0,
		 json_str(td, "languageId"));
	changed(s, now_ms);
}

static void on_did_change(struct lsp_server *s, const cJSON *params, int64_t now_ms)
{
	const cJSON *td = json_obj(params, "textDocument");
	struct lsp_doc *d = doc_find(s, json_str(td, "uri"));
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(params, "contentChanges");
	if (!d || !cJSON_IsArray(changes))
		return;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, changes)
		if (!cJSON_IsObject(ch) || doc_change(s, d, ch) != 0)
			break;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(td, "version");
	if (cJSON_IsNumber(ver))
		d->version = (int64_t)ver->valuedouble;
	changed(s, now_ms);
}

/* ---- dispatch ----------------------------------------------------------------------------- */

typedef cJSON *(*feature_fn)(struct lsp_server *s, const cJSON *params);

static const struct {
	const char *method;
	feature_fn fn;
	bool may_use_good;      /* may answer from the last checked compilation */
} features[] = {
	{ "textDocument/hover", lsp_hover, true },
	{ "textDocument/definition", lsp_definition, true },
	{ "textDocument/references", lsp_references, true },
	{ "textDocument/completion", lsp_completion, false },
	{ "textDocument/formatting", lsp_formatting, false },
	{ "textDocument/documentSymbol", lsp_symbols, false },
	{ "textDocument/codeAction", lsp_code_actions, false },
};

/* When the current check stopped before the checker (a syntax error in
 * some file), may the request about `uri` be answered from the last check
 * that got through it?  Only when that file's text is the same in both,
 * so every position in it still holds. */
static bool use_good(struct lsp_server *s, const char *uri)
{
	if (!s->have_c || s->c->checked || !s->good || !s->good->checked)
		return false;
	uint32_t now = check_file_of_uri(s, uri);
	const struct src_file *a = srcset_file(&s->c->src, now);
	struct compilation *cur = s->c;
	s->c = s->good;
	uint32_t then = check_file_of_uri(s, uri);
	const struct src_file *b = srcset_file(&s->c->src, then);
	s->c = cur;
	return a && b && a->len == b->len && !memcmp(a->text, b->text, a->len);
}

static void request(struct lsp_server *s, const char *method, const cJSON *id,
		    const cJSON *params)
{
	if (!strcmp(method, "initialize")) {
		on_initialize(s, id, params);
		return;
	}
	if (!s->initialized) {
		rpc_error(s, id, RPC_NOT_INITIALIZED, "the server is not initialized: send 'initialize' first");
		return;
	}
	if (s->shutdown) {
		rpc_error(s, id, RPC_INVALID_REQUEST, "the server is shut down: only 'exit' is accepted");
		return;
	}
	if (!strcmp(method, "shutdown")) {
		s->shutdown = true;
		rpc_result(s, id, NULL);
		return;
	}
	for (size_t i = 0; i < sizeof features / sizeof *features; i++) {
		if (strcmp(method, features[i].method))
			continue;
		if (!cJSON_IsObject(params) || !json_obj(params, "textDocument") ||
		    !json_str(json_obj(params, "textDocument"), "uri")) {
			rpc_error(s, id, RPC_INVALID_PARAMS, "%s: params need textDocument.uri", method);
			return;
		}
		check_now(s);
		struct compilation *cur = s->have_c ? s->c : NULL;
		bool swap = features[i].may_use_good &&
			    use_good(s, json_str(json_obj(params, "textDocument"), "uri"));
		if (swap)
			s->c = s->good;
		cJSON *res = features[i].fn(s, params);
		if (swap)
			s->c = cur;
		if (res && cJSON_IsString(res) && !strncmp(res->valuestring, "error:", 6)) {
			rpc_error(s, id, RPC_REQUEST_FAILED, "%s: %s", method, res->valuestring + 7);
			cJSON_Delete(res);
			return;
		}
		rpc_result(s, id, res);
		return;
	}
	rpc_error(s, id, RPC_METHOD_NOT_FOUND, "unknown method '%.200s'", method);
}

static void notification(struct lsp_server *s, const char *method, const cJSON *params,
			 int64_t now_ms)
{
	if (!strcmp(method, "exit")) {
		s->exited = true;
		return;
	}
	if (!s->initialized || s->shutdown || !cJSON_IsObject(params))
		return;
	if (!strcmp(method, "textDocument/didOpen")) {
		on_did_open(s, params, now_ms);
	} else if (!strcmp(method, "textDocument/didChange")) {
		on_did_change(s, params, now_ms);
	} else if (!strcmp(method, "textDocument/didClose")) {
		const char *uri = json_str(json_obj(params, "textDocument"), "uri");
		if (uri && doc_find(s, uri)) {
			doc_close(s, uri);
			changed(s, now_ms);
		}
	} else if (!strcmp(method, "textDocument/didSave") ||
		   !strcmp(method, "workspace/didChangeWatchedFiles")) {
		s->lint_due = !strcmp(method, "textDocument/didSave");
		changed(s, now_ms);
	}
}

void server_message(struct lsp_server *s, const char *body, size_t len, int64_t now_ms)
{
	cJSON *msg = cJSON_ParseWithLength(body, len);
	if (!msg) {
		rpc_error(s, NULL, RPC_PARSE_ERROR, "the message is not valid JSON");
		return;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	bool id_ok = id && (cJSON_IsNumber(id) || cJSON_IsString(id));
	if (!cJSON_IsObject(msg) || (id && !id_ok && !cJSON_IsNull(id))) {
		rpc_error(s, NULL, RPC_INVALID_REQUEST, "a message is an object with a string or number id");
	} else if (!method && id) {
		/* A response to a request we never send: ignored. */
	} else if (!cJSON_IsString(method)) {
		rpc_error(s, id_ok ? id : NULL, RPC_INVALID_REQUEST, "the message has no method");
	} else if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
		if (id_ok)
			rpc_error(s, id, RPC_INVALID_PARAMS, "params must be an object");
	} else if (id_ok) {
		request(s, method->valuestring, id, params);
	} else {
		notification(s, method->valuestring, params, now_ms);
	}
	cJSON_Delete(msg);
}
