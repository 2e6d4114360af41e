/*
 * metrics.h: the counters of `authzc serve` and their Prometheus text
 * form (GET /metrics; authzc-serve(1), METRICS).
 *
 * Counting is lock-free (C11 atomics, relaxed: each counter is exact, a
 * scrape need not be one instant); rendering works on a snapshot, so it is
 * a pure function the unit tests check line by line.
 */
#ifndef AUTHZC_METRICS_H
#define AUTHZC_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "holder.h"

/* Why an HTTP request got no decision of its own. */
enum metrics_error {
	MERR_BAD_JSON,          /* 400: the body is not JSON (or not a batch) */
	MERR_TOO_LARGE,         /* 413: the body is over the limit */
	MERR_NOT_FOUND,         /* 404: no such endpoint */
	MERR_METHOD,            /* 405: a method the endpoint does not take */
	MERR_NO_BUNDLE,         /* 503: no bundle to decide with (decisions deny) */
	MERR_INTERNAL,          /* 500: out of memory */
	MERR_COUNT
};

/* How a poll of --bundle-url ended. */
enum metrics_fetch { MFETCH_NEW, MFETCH_SAME, MFETCH_ERROR, MFETCH_COUNT };

/* Upper bounds of the latency histogram's buckets, in seconds. */
#define METRICS_NBUCKETS 12
extern const double metrics_bounds[METRICS_NBUCKETS];

struct metrics {
	atomic_uint_fast64_t allow, deny;
	atomic_uint_fast64_t errors[MERR_COUNT];
	atomic_uint_fast64_t bucket[METRICS_NBUCKETS + 1];     /* per bucket, not cumulative */
	atomic_uint_fast64_t latency_ns;                        /* the sum */
	atomic_uint_fast64_t fetches[MFETCH_COUNT];
};

/* The counters at one moment, plain. */
struct metrics_snapshot {
	uint64_t allow, deny;
	uint64_t errors[MERR_COUNT];
	uint64_t bucket[METRICS_NBUCKETS + 1];
	uint64_t latency_ns;
	uint64_t fetches[MFETCH_COUNT];
	/* The decision log's (declog.h), filled in by the caller; 0 without. */
	uint64_t log_written, log_dropped, log_failed;
	/* --shadow's counts (shadow.h), bundle and log, filled in by the
	 * caller (shadow_on). */
	uint64_t shadow, loosened, tightened, shadow_skipped;
	bool shadow_on, shadow_active;
	char shadow_digest[80], shadow_revision[128];
	uint64_t shadow_reloads, shadow_failures, shadow_dropped;
};

void metrics_init(struct metrics *m);
void metrics_decision(struct metrics *m, bool allowed);
void metrics_error(struct metrics *m, enum metrics_error e);
/* One decision request answered in `ns` nanoseconds. */
void metrics_latency(struct metrics *m, uint64_t ns);
void metrics_fetch(struct metrics *m, enum metrics_fetch f);
void metrics_snapshot(struct metrics *m, struct metrics_snapshot *out);

/*
 * Append the Prometheus text exposition (format 0.0.4) of `s` and of the
 * holder's status `h`: decisions by outcome, request errors by reason, the
 * latency histogram, decision records written, dropped and failed,
 * reloads, reload failures, and the active bundle's
 * digest and revision as labels of authzc_bundle_info; with shadow_on, the
 * shadow decisions, the requests not shadowed, disagreements by kind, the shadow bundle's digest and
 * revision (authzc_shadow_bundle_info), its reloads and failures and the
 * disagreement records dropped.  0, or -1 when out
 * of memory.
 */
int metrics_render(struct buf *out, const struct metrics_snapshot *s, const struct holder_status *h);

#endif
