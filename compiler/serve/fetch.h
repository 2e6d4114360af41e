/*
 * fetch.h: a bundle polled from a URL (authzc serve --bundle-url) through
 * libcurl, with If-None-Match and the ETag of the last answer, as object
 * stores and CDNs serve files.
 *
 * One fetch belongs to one thread (cmd_serve's, which also waits for
 * signals); a fetch is bounded in time (connect 5 s, all 30 s) and size.
 */
#ifndef AUTHZC_FETCH_H
#define AUTHZC_FETCH_H

#include <stddef.h>

#include "buf.h"

/* The largest bundle downloaded. */
#define FETCH_MAX_BYTES (256u << 20)

struct fetch {
	void *curl;             /* CURL * */
	char *url;
	char etag[256];         /* of the last body taken; "" none */
	char pending[256];      /* of the body just downloaded */
};

/*
 * Make a fetch of `url` (http or https only).  Calls curl_global_init the
 * first time: do it before starting threads.  0, or -1 with why in
 * err[0..size).
 */
int fetch_init(struct fetch *f, const char *url, char *err, size_t size);
void fetch_release(struct fetch *f);

enum fetch_result {
	FETCH_ERROR = -1,       /* unreachable, timed out, an HTTP error: err says */
	FETCH_SAME = 0,         /* 304 Not Modified */
	FETCH_NEW = 1,          /* 200: the body in `out` */
};

/* GET the URL with If-None-Match when an ETag was kept.  The body of a 200
 * replaces the contents of `out`. */
int fetch_poll(struct fetch *f, struct buf *out, char *err, size_t size);

/* Keep the ETag of the body fetch_poll last returned (whether it was
 * taken or refused), for the next If-None-Match. */
void fetch_keep_etag(struct fetch *f);

#endif
