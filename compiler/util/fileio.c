/*
 * fileio.c: whole-file reads and atomic writes (see fileio.h).
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authzc_limits.h"

int fileio_read_fd(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	if (!b)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap > SRC_MAX_BYTES) {
				free(b);
				errno = EFBIG;
				return -1;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				errno = ENOMEM;
				return -1;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;
			free(b);
			errno = err;
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > SRC_MAX_BYTES) {
		free(b);
		errno = EFBIG;
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

int fileio_read(const char *path, char **buf, size_t *len, mode_t *mode)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if (st.st_size > (off_t)SRC_MAX_BYTES)
		err = EFBIG;
	if (!err && fileio_read_fd(fd, buf, len) != 0)
		err = errno;
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	if (mode)
		*mode = st.st_mode & 07777;
	return 0;
}

int fileio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fileio_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	/* Follow a symbolic link; a file that does not exist yet is created. */
	char *target = realpath(path, NULL);
	if (!target && errno != ENOENT)
		return -1;
	if (!target && !(target = strdup(path)))
		return -1;
	if (mode == FILEIO_NEW_MODE) {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	size_t n = strlen(target);
	char *tmp = malloc(n + 16);
	if (!tmp) {
		free(target);
		errno = ENOMEM;
		return -1;
	}
	char *slash = strrchr(target, '/');
	size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
	snprintf(tmp, n + 16, "%.*s.%s.XXXXXX", (int)dirlen, target, target + dirlen);
	int fd = mkstemp(tmp);
	int err = 0;
	if (fd < 0) {
		err = errno;
	} else {
		if (fileio_write_all(fd, buf, len) != 0 || fchmod(fd, mode) != 0 || fsync(fd) != 0)
			err = errno;
		if (close(fd) != 0 && !err)
			err = errno;
		if (!err && rename(tmp, target) != 0)
			err = errno;
		if (err)
			unlink(tmp);
	}
	if (!err) {
		/* Make the rename itself durable. */
		const char *dir = ".";
		if (dirlen) {
			target[dirlen > 1 ? dirlen - 1 : 1] = 0;
			dir = target;
		}
		int dfd = open(dir, O_RDONLY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(tmp);
	free(target);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

const char *fileio_reason(int err)
{
	switch (err) {
	case ENOENT: return "no such file";
	case EISDIR: return "it is a folder";
	case EINVAL: return "not a regular file";
	case EFBIG: return "larger than the 16 MiB limit";
	default: return strerror(err);
	}
}
