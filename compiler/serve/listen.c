/*
 * listen.c: the listening socket (listen.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

#define BACKLOG 511

int listen_split(const char *text, char *host, size_t hsize, char *port, size_t psize, char *err,
		 size_t esize)
{
	const char *colon, *h = text;
	size_t hlen;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':') {
			snprintf(err, esize, "'%s' is not [ADDRESS]:PORT", text);
			return -1;
		}
		h = text + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon) {
			snprintf(err, esize, "'%s' is not ADDRESS:PORT (an IPv6 address goes in brackets)", text);
			return -1;
		}
		hlen = (size_t)(colon - text);
	}
	const char *p = colon + 1;
	size_t plen = strlen(p);
	bool ok = plen > 0 && plen <= 5 && hlen > 0;
	long v = 0;
	for (size_t i = 0; ok && i < plen; i++) {
		ok = p[i] >= '0' && p[i] <= '9';
		v = v * 10 + (p[i] - '0');
	}
	if (!ok || v > 65535 || hlen >= hsize || plen >= psize) {
		snprintf(err, esize, "'%s' is not ADDRESS:PORT with a port from 0 to 65535", text);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memcpy(port, p, plen + 1);
	return 0;
}

static int setup(int fd, char *err, size_t esize)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || listen(fd, BACKLOG) < 0) {
		snprintf(err, esize, "cannot listen: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int open_unix(const char *path, char *shown, size_t ssize, char *err, size_t esize)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, esize, "socket path '%s' is longer than %zu bytes", path, sizeof sun.sun_path - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, esize, "'%s' exists and is not a socket", path);
			return -1;
		}
		unlink(path);   /* a stale socket of an earlier run */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, esize, "cannot make a socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		snprintf(err, esize, "cannot bind '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (setup(fd, err, esize) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	snprintf(shown, ssize, "unix:%s", path);
	return fd;
}

/* Where fd listens, as listen_split reads it. */
static void show_bound(int fd, char *shown, size_t ssize)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
			port = ntohs(a->sin6_port);
			snprintf(shown, ssize, "[%s]:%u", host, port);
			return;
		}
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		port = ntohs(a->sin_port);
	}
	snprintf(shown, ssize, "%s:%u", host, port);
}

int listen_open(const char *addr, const char *socket_path, char *shown, size_t ssize, char *err,
		size_t esize)
{
	if (socket_path)
		return open_unix(socket_path, shown, ssize, err, esize);
	char host[256], port[8];
	if (listen_split(addr, host, sizeof host, port, sizeof port, err, esize) < 0)
		return -1;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, esize, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1, e = 0;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			e = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, esize, "cannot listen on '%s': %s", addr, strerror(e));
		return -1;
	}
	if (setup(fd, err, esize) < 0) {
		close(fd);
		return -1;
	}
	show_bound(fd, shown, ssize);
	return fd;
}
