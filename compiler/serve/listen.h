/*
 * listen.h: the listening socket of `authzc serve`, made here and handed
 * to libmicrohttpd (MHD_OPTION_LISTEN_SOCKET), so a Unix socket and port 0
 * (any free port, for tests) work like an address.
 */
#ifndef AUTHZC_LISTEN_H
#define AUTHZC_LISTEN_H

#include <stddef.h>

/*
 * Split "ADDR:PORT" ("127.0.0.1:8181", "[::1]:8181", "localhost:8080")
 * into host[0..hsize) (without brackets) and port[0..psize).  0, or -1
 * with why in err[0..esize).
 */
int listen_split(const char *text, char *host, size_t hsize, char *port, size_t psize, char *err,
		 size_t esize);

/*
 * A listening TCP socket bound to `addr` (as listen_split reads it), or,
 * when `socket_path` is not NULL, a Unix socket at that path (a stale
 * socket file there is replaced; any other file is refused).  Non-blocking,
 * close-on-exec.  Returns the descriptor with where it listens in
 * shown[0..ssize) ("127.0.0.1:40123", "[::1]:8181", "unix:/run/a.sock"),
 * or -1 with why in err[0..esize).
 */
int listen_open(const char *addr, const char *socket_path, char *shown, size_t ssize, char *err,
		size_t esize);

#endif
