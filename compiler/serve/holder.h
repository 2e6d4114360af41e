/*
 * holder.h: the bundle a server decides with, swapped atomically.
 *
 * A request takes a reference to the active bundle (holder_acquire) and
 * gives it back when it is done (serve_bundle_release); a reload builds the
 * new bundle outside the lock and swaps the pointer under it, so requests in
 * flight finish on the bundle they started with, no request waits on a
 * load, and the old bundle is freed by whoever drops its last reference.
 * A bundle that cannot be read or fails verification is refused: the
 * active one keeps serving, and the refusal is counted and kept for
 * /health.
 */
#ifndef AUTHZC_HOLDER_H
#define AUTHZC_HOLDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "authz.h"

/* One loaded bundle and its references. */
struct serve_bundle {
	authz_bundle *b;
	int64_t loaded_ms;      /* when it was loaded, ms since the epoch */
	uint64_t load_ns;       /* how long its load took: read, digest,
				 * decoding and verification */
	uint64_t prepare_ns;    /* ... and its images and index (prepare) */
	atomic_long refs;
};

/* Drop a reference (NULL: nothing); the last one frees the bundle. */
void serve_bundle_release(struct serve_bundle *sb);

/* What /health and /metrics show of the holder (holder_status). */
struct holder_status {
	bool active;
	char digest[80], revision[128];
	char signer[AUTHZ_KEY_ID_CHARS + 1];    /* key id; "" unsigned */
	bool verified;                  /* its signature was verified (--trust) */
	int64_t loaded_ms;
	uint64_t load_ns, prepare_ns;   /* the active bundle's (serve_bundle) */
	uint64_t reloads, failures;
	bool has_error;                 /* the last load was refused */
	char error[256];                /* ... why */
	int64_t error_ms;
};

struct holder {
	pthread_mutex_t mu;
	struct serve_bundle *cur;       /* NULL: no bundle, every decision denies */
	uint64_t reloads, failures;
	bool has_error;
	char error[256];
	int64_t error_ms;
	/* The file last looked at by holder_poll_file. */
	bool seen;
	struct stat st;
	/* Every load verifies against these (set after holder_init; NULL:
	 * no signature required). */
	const authz_load_options *load;
};

/* An empty holder: no bundle.  0, or -1 when the mutex cannot be made. */
int holder_init(struct holder *h);
/* Drop the holder's reference; requests still holding theirs keep theirs. */
void holder_release(struct holder *h);

/* The active bundle with a reference taken, or NULL when there is none. */
struct serve_bundle *holder_acquire(struct holder *h);

/*
 * Load and verify the bundle file `path` and make it the active one.
 * Returns 0, or -1 with why in err (the active bundle stays; counted as a
 * failure).  A success counts as a reload unless it is the first bundle.
 */
int holder_load_file(struct holder *h, const char *path, authz_error *err);

/* holder_load_file of the bundle in buf[0..len) (copied). */
int holder_load_buffer(struct holder *h, const void *buf, size_t len, authz_error *err);

/*
 * Reload `path` when it changed (device, inode, size or modification time)
 * since the last call, or on the first call.  Returns 0 unchanged, 1
 * reloaded, -1 refused (err set; a file that vanished is a refusal too,
 * once, and the active bundle stays).
 */
int holder_poll_file(struct holder *h, const char *path, authz_error *err);

/* Count a bundle refused before it could be loaded (a download that
 * failed), with why, as a refusal of holder_load_file. */
void holder_refuse(struct holder *h, const authz_error *err);

/* Copy what the holder shows (digest, revision, counts, last refusal). */
void holder_status(struct holder *h, struct holder_status *out);

/* The clock, ms since the epoch. */
int64_t holder_now_ms(void);

#endif
