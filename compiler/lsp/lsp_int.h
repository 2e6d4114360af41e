/*
 * lsp_int.h: the language server's state, shared by its files (internal).
 *
 *   server.c     the loop, dispatch, lifecycle, JSON-RPC errors
 *   rpc.c        Content-Length framing in, messages out
 *   docs.c       open documents, URIs, positions (UTF-16 or UTF-8)
 *   check.c      the project compiled with the buffers laid over the disk;
 *                diagnostics published
 *   query.c      what is under the cursor: the file, the hit, names
 *   hover.c definition.c complete.c format.c symbols.c actions.c: features
 */
#ifndef AUTHZC_LSP_INT_H
#define AUTHZC_LSP_INT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast_find.h"
#include "buf.h"
#include "checker.h"
#include "lsp.h"
#include "project.h"

struct lsp_doc {
	char *uri;
	char *path;             /* relative to the project root; NULL outside it */
	char *text;
	size_t len;
	int64_t version;
	char *language;
};

enum frame_state { FR_HEADER, FR_BODY, FR_SKIP };

struct lsp_server {
	struct lsp_opts o;
	/* framing */
	struct buf in;
	enum frame_state fr;
	size_t body_len, skip_left;
	/* lifecycle */
	bool initialized, shutdown, exited, write_failed;
	bool utf8;              /* positions count UTF-8 bytes, not UTF-16 units */
	/* the project */
	char *root;             /* absolute project root */
	struct lsp_doc **docs;
	size_t ndocs, capdocs;
	bool dirty, lint_due;
	int64_t due_ms;
	bool have_c;
	struct compilation *c;  /* the last check, matching the buffers when !dirty */
	/* The last check that got as far as the checker (c itself when it
	 * did): where completion finds rule ids, constants and requests while
	 * the buffer being typed in does not parse. */
	struct compilation *good;
	char **published;       /* URIs last published with diagnostics */
	size_t npublished;
	unsigned checks;        /* how many checks ran */
	/* pos_json's cache: the last line found in pc_text (reset whenever a
	 * text may change: docs.c, check.c) */
	const char *pc_text;
	uint32_t pc_off, pc_line, pc_line_start;
};

/* ---- rpc.c ---- */
/* Send `msg` (consumed) with its Content-Length header. */
void rpc_send(struct lsp_server *s, cJSON *msg);
void rpc_result(struct lsp_server *s, const cJSON *id, cJSON *result);
void rpc_error(struct lsp_server *s, const cJSON *id, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rpc_notify(struct lsp_server *s, const char *method, cJSON *params);
/* Split frames out of the input buffer and hand each body to server_message. */
void rpc_frames(struct lsp_server *s, int64_t now_ms);

enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
	RPC_NOT_INITIALIZED = -32002,
	RPC_REQUEST_FAILED = -32803,
};

/* ---- server.c ---- */
void server_message(struct lsp_server *s, const char *body, size_t len, int64_t now_ms);

/* ---- docs.c ---- */
struct lsp_doc *doc_find(struct lsp_server *s, const char *uri);
/* Open or replace a document; NULL when out of memory. */
struct lsp_doc *doc_open(struct lsp_server *s, const char *uri, const char *text, size_t len,
			 int64_t version, const char *language);
void doc_close(struct lsp_server *s, const char *uri);
/* Apply one contentChanges entry; -1 when it is malformed. */
int doc_change(struct lsp_server *s, struct lsp_doc *d, const cJSON *change);
/* The file path of a file: URI (malloc'd), or NULL when it is not one. */
char *uri_to_path(const char *uri);
/* The file: URI of an absolute path (malloc'd). */
char *uri_from_path(const char *path);
/* The path of absolute `abs` relative to the root, or NULL when outside (malloc'd). */
char *root_relative(const struct lsp_server *s, const char *abs);
/* The URI of a project-relative path (malloc'd). */
char *uri_of_rel(const struct lsp_server *s, const char *rel);

/* Positions: byte offsets <-> LSP {line, character}. */
cJSON *pos_json(struct lsp_server *s, const char *text, size_t len, uint32_t off);
cJSON *range_json(struct lsp_server *s, const char *text, size_t len, uint32_t start,
		  uint32_t end);
/* The byte offset of an LSP position object; -1 when malformed.  Past the
 * end of a line clamps to its end, past the last line to the text's end. */
long pos_offset(const struct lsp_server *s, const char *text, size_t len, const cJSON *pos);

/* ---- check.c ---- */
/* Check now (when dirty) and publish diagnostics. */
void check_now(struct lsp_server *s);
/* The srcset file of the compilation for a URI; UINT32_MAX when none. */
uint32_t check_file_of_uri(struct lsp_server *s, const char *uri);
/* The URI of a srcset file of the compilation (malloc'd). */
char *check_uri_of_file(struct lsp_server *s, uint32_t file);
/* The parsed file for srcset id, or NULL. */
const struct ast_file *check_ast(struct lsp_server *s, uint32_t file);
/* A Location object for a span of the compilation. */
cJSON *check_location(struct lsp_server *s, struct span sp);

/* The checker's results of the current check, or of the last one that
 * got that far (NULL when none did). */
const struct checked *check_names(struct lsp_server *s);

/* ---- features (params already checked to be an object) ---- */
cJSON *lsp_hover(struct lsp_server *s, const cJSON *params);
cJSON *lsp_definition(struct lsp_server *s, const cJSON *params);
cJSON *lsp_references(struct lsp_server *s, const cJSON *params);
cJSON *lsp_completion(struct lsp_server *s, const cJSON *params);
cJSON *lsp_formatting(struct lsp_server *s, const cJSON *params);
cJSON *lsp_symbols(struct lsp_server *s, const cJSON *params);
cJSON *lsp_code_actions(struct lsp_server *s, const cJSON *params);

/* ---- query.c ---- */
struct query {
	struct lsp_doc *doc;            /* may be NULL: the file is on disk only */
	const char *uri;
	uint32_t file;                  /* srcset id, UINT32_MAX when not loaded */
	const struct src_file *sf;
	const struct ast_file *ast;
	uint32_t offset;
	struct ast_hit hit;
};
/* Resolve params.textDocument.uri and params.position against the
 * current compilation.  false when they are missing or malformed. */
bool query_at(struct lsp_server *s, const cJSON *params, struct query *q);
/* The rule whose `by` or `id` means `id` as seen from a test in package
 * `pkg` ("rule" or "pkg.rule"), or NULL. */
const struct checked_rule *query_rule(struct lsp_server *s, const char *pkg, const char *id);
/* The request declared as `name`, and its file. */
const struct ast_request *query_request(struct lsp_server *s, const char *name,
					const struct ast_file **file);
/* The constant an EX_NAME / EX_ATTR (pkg.NAME) names, from file `f`. */
const struct checked_const *query_const(struct lsp_server *s, const struct ast_file *f,
					const struct ast_expr *e);
/* The declaration of the attribute an EX_ATTR/EX_HAS reads, or NULL. */
const struct attr_decl *query_attr(struct lsp_server *s, const struct ast_expr *e);
/* The declaration of segment `seg` of a `with`/`without` path of test
 * `item`, through the types of its request, or NULL. */
const struct attr_decl *query_path_attr(struct lsp_server *s, const struct ast_item *item,
					const struct ast_path *path, size_t seg);
/* The text of a span of the compilation. */
const char *query_span_text(struct lsp_server *s, struct span sp, size_t *len);

/* JSON helpers */
const char *json_str(const cJSON *o, const char *key);
const cJSON *json_obj(const cJSON *o, const char *key);

#endif
