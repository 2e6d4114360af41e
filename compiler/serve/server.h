/*
 * server.h: `authzc serve`, the decision point as an HTTP/1.1 service
 * (authzc-serve(1)), on libmicrohttpd.
 *
 *   POST /v1/decide          one request in eval's JSON form -> its decision,
 *                            byte for byte what `authzc eval -b` prints;
 *                            ?explain=1 adds the trace
 *   POST /v1/decide/batch    a JSON array or JSON Lines of requests -> a
 *                            JSON array of their decisions, in order
 *   ANY  /v1/gateway         a gateway's forwarded request, mapped by
 *                            serve.gateway: 200 allow, 403 deny
 *   GET  /health             200 with the active bundle, 503 without
 *   GET  /metrics            Prometheus text
 *
 * The server owns its threads (a pool of libmicrohttpd's); the caller owns
 * the process: it polls the bundle file, reloads on SIGHUP and stops on
 * SIGTERM (cmd_serve.c).  Nothing here prints: what the operator should
 * hear of goes through `note`.
 */
#ifndef AUTHZC_SERVER_H
#define AUTHZC_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "declog.h"
#include "eval_json.h"
#include "project.h"

/* Defaults, in authzc-serve(1). */
#define SERVE_LISTEN "127.0.0.1:8181"
#define SERVE_MAX_BODY (1u << 20)
#define SERVE_MAX_CONNECTIONS 1024u
#define SERVE_TIMEOUT_S 30u
#define SERVE_THREADS 2u
#define SERVE_MAX_BATCH 10000u

struct serve_opts {
	const char *listen;             /* "ADDR:PORT", "[V6]:PORT"; port 0: any free one */
	const char *socket_path;        /* a Unix socket instead, when not NULL */
	const char *bundle_path;        /* NULL: no bundle, every decision denies */
	const char *bundle_url;         /* polled instead (server_check_url) */
	const char *bundle_cache;       /* the last good bundle of the URL; may be NULL */
	size_t max_body;                /* bytes; more is 413 */
	unsigned max_connections, timeout_s, threads, max_batch;
	struct eval_decide_opts decide; /* flags unused: ?explain=1 sets them */
	const struct gw_config *gateway;        /* NULL: /v1/gateway is 404 */
	const struct declog_opts *log;          /* NULL: no decision records */
	/* Trusted bundle keys (--trust): every load, at start and on every
	 * reload from the file, the URL or the cache, must be signed by one of
	 * them; NULL or none: signatures are not required (authz(3)). */
	const authz_load_options *load;
	/* --shadow: a candidate bundle (a file, or an http(s) URL polled as
	 * bundle_url is) every request is decided against too; each outcome
	 * that differs from the active bundle's is written to shadow_log.
	 * The answer is always the active bundle's. */
	const char *shadow;
	const struct declog_opts *shadow_log;   /* needed with shadow */
	/* Told of what the operator should know (reloads, refusals, the
	 * library's own errors); may be called from any thread. */
	void (*note)(void *payload, const char *msg);
	void *payload;
};

/* The defaults above, no bundle, no gateway. */
void serve_opts_init(struct serve_opts *o);

struct server;

/*
 * Open the listening socket and the decision log, load the bundle (a bundle that cannot be
 * loaded is refused and noted: the server starts without one, denying)
 * and start serving.  Returns 0 with *out set, or -1 with why in
 * err[0..size) (bad address, socket in use, a log that cannot be opened, the library refused).
 */
int server_start(struct server **out, const struct serve_opts *o, char *err, size_t size);

/* True when --shadow names an http(s) URL (polled with server_check_url). */
bool serve_is_url(const char *s);

/* Where it listens: "127.0.0.1:8181", "[::1]:8181" or "unix:PATH". */
const char *server_address(const struct server *s);

/* Reload the bundle file if it changed since the last look (or `force`);
 * the outcome is noted.  0 unchanged, 1 reloaded, -1 refused.  The shadow
 * bundle's file, with --shadow PATH, is looked at the same way (its outcome
 * is noted, not returned). */
int server_check_bundle(struct server *s, bool force);

/*
 * Poll --bundle-url (If-None-Match the last ETag): a new body that loads
 * and verifies becomes the active bundle and is written to the cache file;
 * anything else leaves the active bundle (noted, counted).  0 unchanged,
 * 1 reloaded, -1 failed.  Only one thread may call it.  A --shadow URL is
 * polled the same way (its outcome is noted, not returned; no cache).
 */
int server_check_url(struct server *s);

/*
 * Stop accepting connections, let the requests in flight finish (at most
 * `drain_s` seconds), write the decision records still queued, close
 * everything and free `s` (NULL: nothing).  A Unix socket's file is
 * removed.
 */
void server_stop(struct server *s, unsigned drain_s);

#endif
