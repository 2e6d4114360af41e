/*
 * lsp.h: `authzc lsp`, a Language Server Protocol server (authzc-lsp(1)).
 *
 * The server speaks JSON-RPC 2.0 with Content-Length framing.  It reads
 * bytes given to it (lsp_feed, or lsp_run from a file descriptor) and
 * writes every message through the writer its caller hands it: it never
 * prints, and never writes a file.  One project is served: the one around
 * the client's root folder (project_find_root), with the client's unsaved
 * buffers laid over the files on disk.
 *
 * Diagnostics are those of `authzc check` (codes, messages, help, notes),
 * for the whole project, computed `debounce_ms` after the last change;
 * the solver's lint (W06xx) is added when a file is saved, as `check`
 * does by default.  Every request is answered against the buffers as they
 * are: a pending check runs first.
 */
#ifndef AUTHZC_LSP_H
#define AUTHZC_LSP_H

#include <stddef.h>
#include <stdint.h>

/* The largest message body accepted (bytes); larger ones are skipped
 * and answered with an error. */
#define LSP_MAX_MESSAGE (16u << 20)
/* The longest header block accepted. */
#define LSP_MAX_HEADER 8192
/* Default quiet time after a change before the project is re-checked. */
#define LSP_DEBOUNCE_MS 20

/* Write len bytes; 0, or -1 when the client is gone. */
typedef int (*lsp_write_fn)(void *arg, const char *data, size_t len);

struct lsp_opts {
	const char *root;       /* where to look for the project when the
				 * client names no root folder ("." usually) */
	unsigned debounce_ms;
	int lint_on_save;       /* run the solver's lint on didSave */
	lsp_write_fn write;
	void *write_arg;
};

struct lsp_server;

/* A new server, or NULL when out of memory. */
struct lsp_server *lsp_new(const struct lsp_opts *o);
void lsp_free(struct lsp_server *s);

/* The client's bytes: frames are split out and handled in order.  Returns
 * 0 to go on, 1 once the client sent `exit` (or the writer failed). */
int lsp_feed(struct lsp_server *s, const char *data, size_t len, int64_t now_ms);

/* Milliseconds until a pending check is due (0: now), or -1 when none is. */
int lsp_timeout(const struct lsp_server *s, int64_t now_ms);

/* Run the pending check when it is due (force: now, whatever the time). */
void lsp_tick(struct lsp_server *s, int64_t now_ms, int force);

/* The exit status `exit` asks for: 0 after a `shutdown`, else 1. */
int lsp_exit_status(const struct lsp_server *s);

/* Serve the client on `fd` until `exit` or end of input.  Returns the exit
 * status (lsp_exit_status; 1 at end of input without `exit`), or -1 with
 * errno when reading failed. */
int lsp_run(struct lsp_server *s, int fd);

/* Milliseconds of a monotonic clock. */
int64_t lsp_now_ms(void);

#endif
