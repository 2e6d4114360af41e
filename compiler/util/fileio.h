/*
 * fileio.h: reading and writing whole files, the way every command needs:
 * bounded reads of regular files, and writes that are never half-done
 * (authzc(1): a file is written to a temporary name, then renamed).
 *
 * All functions return 0, or -1 with errno set; none prints.
 */
#ifndef AUTHZC_FILEIO_H
#define AUTHZC_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read everything from fd into a malloc'd buffer (caller frees); more than
 * SRC_MAX_BYTES is EFBIG. */
int fileio_read_fd(int fd, char **buf, size_t *len);

/* Read a regular file (a FIFO or device would block or never end: EINVAL;
 * a folder: EISDIR; over SRC_MAX_BYTES: EFBIG).  Its permission bits go to
 * *mode when mode is not NULL. */
int fileio_read(const char *path, char **buf, size_t *len, mode_t *mode);

/* Write all of buf, retrying short writes and EINTR.  On a file opened
 * with O_APPEND a record up to the pipe/page size goes out in one write(). */
int fileio_write_all(int fd, const void *buf, size_t len);

/* The mode fileio_replace gives a new file: 0666 less the umask. */
#define FILEIO_NEW_MODE ((mode_t)-1)

/*
 * Replace `path` by buf[0..len) atomically: a temporary file beside the
 * target (a symbolic link is followed, so the file it points at is the one
 * replaced), written, given `mode`, fsync'd, renamed over the target, and
 * the folder fsync'd so the rename is durable.  Nothing is left behind on
 * failure.
 */
int fileio_replace(const char *path, const void *buf, size_t len, mode_t mode);

/* A short reason for errno values of the functions above: "no such file",
 * "it is a folder", "not a regular file", "larger than the 16 MiB limit". */
const char *fileio_reason(int err);

#endif
