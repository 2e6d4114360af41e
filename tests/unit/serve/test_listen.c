/*
 * test_listen.c: --listen's ADDR:PORT and the listening socket (listen.h).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

static char host[64], port[8], err[128];

Test(listen, addresses_and_ports)
{
	cr_assert_eq(listen_split("127.0.0.1:8181", host, sizeof host, port, sizeof port, err, sizeof err), 0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_str_eq(port, "8181");
	cr_assert_eq(listen_split("[::1]:0", host, sizeof host, port, sizeof port, err, sizeof err), 0);
	cr_assert_str_eq(host, "::1");
	cr_assert_str_eq(port, "0");
	cr_assert_eq(listen_split("localhost:65535", host, sizeof host, port, sizeof port, err, sizeof err), 0);
}

Test(listen, bad_addresses_say_why)
{
	const char *bad[] = { "8181", "::1:80", "[::1]80", "[::1", "h:", ":80", "h:65536", "h:-1", "h:8o",
			      "h:123456", NULL };
	for (size_t i = 0; bad[i]; i++) {
		err[0] = '\0';
		cr_assert_eq(listen_split(bad[i], host, sizeof host, port, sizeof port, err, sizeof err), -1,
			     "%s", bad[i]);
		cr_assert(strstr(err, bad[i]), "%s: %s", bad[i], err);
	}
}

Test(listen, port_zero_takes_a_free_port)
{
	char shown[64];
	int fd = listen_open("127.0.0.1:0", NULL, shown, sizeof shown, err, sizeof err);
	cr_assert_geq(fd, 0, "%s", err);
	cr_assert(!strncmp(shown, "127.0.0.1:", 10) && strcmp(shown, "127.0.0.1:0"), "%s", shown);
	close(fd);
}

Test(listen, a_unix_socket_never_replaces_a_file)
{
	char path[] = "/tmp/authzc-listen-XXXXXX", shown[128];
	int f = mkstemp(path);
	cr_assert_geq(f, 0);
	close(f);
	cr_assert_eq(listen_open(NULL, path, shown, sizeof shown, err, sizeof err), -1);
	cr_assert(strstr(err, "is not a socket"), "%s", err);
	unlink(path);
	int fd = listen_open(NULL, path, shown, sizeof shown, err, sizeof err);
	cr_assert_geq(fd, 0, "%s", err);
	close(fd);
	/* A stale socket of an earlier run is replaced. */
	fd = listen_open(NULL, path, shown, sizeof shown, err, sizeof err);
	cr_assert_geq(fd, 0, "%s", err);
	cr_assert_str_eq(shown + 5, path);
	close(fd);
	unlink(path);
}
