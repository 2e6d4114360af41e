/*
 * metrics.c: counters and their Prometheus text (metrics.h).
 */
#include <stdio.h>
#include <string.h>

#include "metrics.h"

const double metrics_bounds[METRICS_NBUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5,
};

static const char *const error_names[MERR_COUNT] = {
	"bad_json", "too_large", "not_found", "method", "no_bundle", "internal",
};

void metrics_init(struct metrics *m)
{
	atomic_init(&m->allow, 0);
	atomic_init(&m->deny, 0);
	for (int i = 0; i < MERR_COUNT; i++)
		atomic_init(&m->errors[i], 0);
	for (int i = 0; i <= METRICS_NBUCKETS; i++)
		atomic_init(&m->bucket[i], 0);
	atomic_init(&m->latency_ns, 0);
	for (int i = 0; i < MFETCH_COUNT; i++)
		atomic_init(&m->fetches[i], 0);
}

void metrics_fetch(struct metrics *m, enum metrics_fetch f)
{
	atomic_fetch_add_explicit(&m->fetches[f], 1, memory_order_relaxed);
}

void metrics_decision(struct metrics *m, bool allowed)
{
	atomic_fetch_add_explicit(allowed ? &m->allow : &m->deny, 1, memory_order_relaxed);
}

void metrics_error(struct metrics *m, enum metrics_error e)
{
	atomic_fetch_add_explicit(&m->errors[e], 1, memory_order_relaxed);
}

void metrics_latency(struct metrics *m, uint64_t ns)
{
	int i = 0;
	while (i < METRICS_NBUCKETS && (double)ns > metrics_bounds[i] * 1e9)
		i++;
	atomic_fetch_add_explicit(&m->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency_ns, ns, memory_order_relaxed);
}

void metrics_snapshot(struct metrics *m, struct metrics_snapshot *out)
{
	out->allow = atomic_load_explicit(&m->allow, memory_order_relaxed);
	out->deny = atomic_load_explicit(&m->deny, memory_order_relaxed);
	for (int i = 0; i < MERR_COUNT; i++)
		out->errors[i] = atomic_load_explicit(&m->errors[i], memory_order_relaxed);
	for (int i = 0; i <= METRICS_NBUCKETS; i++)
		out->bucket[i] = atomic_load_explicit(&m->bucket[i], memory_order_relaxed);
	out->latency_ns = atomic_load_explicit(&m->latency_ns, memory_order_relaxed);
	for (int i = 0; i < MFETCH_COUNT; i++)
		out->fetches[i] = atomic_load_explicit(&m->fetches[i], memory_order_relaxed);
	out->log_written = out->log_dropped = out->log_failed = 0;
	out->shadow = out->loosened = out->tightened = out->shadow_skipped = 0;
	out->shadow_on = out->shadow_active = false;
	out->shadow_digest[0] = out->shadow_revision[0] = '\0';
	out->shadow_reloads = out->shadow_failures = out->shadow_dropped = 0;
}

/* A label value: backslash, double quote and newline escaped. */
static void put_label(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(out, '\\');
		if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

static void head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void value(struct buf *out, const char *series, uint64_t v)
{
	char line[192];
	snprintf(line, sizeof line, "%s %llu\n", series, (unsigned long long)v);
	buf_puts(out, line);
}

/* A metric of one sample: its HELP and TYPE lines, then its value. */
static void metric(struct buf *out, const char *name, const char *type, const char *help, uint64_t v)
{
	head(out, name, type, help);
	value(out, name, v);
}

/* The metrics of a bundle holder, the active bundle's or the shadow's:
 * authzc_NAME_reloads_total, authzc_NAME_reload_failures_total,
 * authzc_NAME_active, and while one is loaded authzc_NAME_info with its
 * digest and revision as labels. */
struct bundle_state {
	const char *name;               /* "bundle", "shadow_bundle" */
	const char *plural;             /* "Bundles", "Shadow bundles" */
	const char *which;              /* "active", "shadow": the one loaded */
	const char *active_help;
	uint64_t reloads, failures;
	bool active;
	const char *digest, *revision;
};

static void bundle_state(struct buf *out, const struct bundle_state *b)
{
	char name[96], help[160];
	snprintf(name, sizeof name, "authzc_%s_reloads_total", b->name);
	snprintf(help, sizeof help, "%s swapped in after the first.", b->plural);
	metric(out, name, "counter", help, b->reloads);
	snprintf(name, sizeof name, "authzc_%s_reload_failures_total", b->name);
	snprintf(help, sizeof help, "%s refused (unreadable, corrupt, failing verification); the %s one stayed.",
		 b->plural, b->which);
	metric(out, name, "counter", help, b->failures);
	snprintf(name, sizeof name, "authzc_%s_active", b->name);
	metric(out, name, "gauge", b->active_help, b->active);
	if (!b->active)
		return;
	snprintf(name, sizeof name, "authzc_%s_info", b->name);
	snprintf(help, sizeof help, "The %s bundle, by digest and source revision.", b->which);
	head(out, name, "gauge", help);
	buf_puts(out, name);
	buf_puts(out, "{digest=");
	put_label(out, b->digest);
	buf_puts(out, ",revision=");
	put_label(out, b->revision);
	buf_puts(out, "} 1\n");
}

/* A sample of `ns` nanoseconds, in seconds with nine decimals. */
static void seconds(struct buf *out, const char *series, uint64_t ns)
{
	char line[192];
	snprintf(line, sizeof line, "%s %llu.%09llu\n", series, (unsigned long long)(ns / 1000000000u),
		 (unsigned long long)(ns % 1000000000u));
	buf_puts(out, line);
}

int metrics_render(struct buf *out, const struct metrics_snapshot *s, const struct holder_status *h)
{
	char series[128];
	head(out, "authzc_decisions_total", "counter", "Decisions made, by outcome.");
	value(out, "authzc_decisions_total{decision=\"allow\"}", s->allow);
	value(out, "authzc_decisions_total{decision=\"deny\"}", s->deny);

	head(out, "authzc_request_errors_total", "counter",
	     "HTTP requests answered with an error status, by reason.");
	for (int i = 0; i < MERR_COUNT; i++) {
		snprintf(series, sizeof series, "authzc_request_errors_total{reason=\"%s\"}",
			 error_names[i]);
		value(out, series, s->errors[i]);
	}

	head(out, "authzc_decision_duration_seconds", "histogram",
	     "Time from a decision request's arrival to its answer.");
	uint64_t cum = 0;
	for (int i = 0; i < METRICS_NBUCKETS; i++) {
		cum += s->bucket[i];
		snprintf(series, sizeof series, "authzc_decision_duration_seconds_bucket{le=\"%g\"}",
			 metrics_bounds[i]);
		value(out, series, cum);
	}
	cum += s->bucket[METRICS_NBUCKETS];
	value(out, "authzc_decision_duration_seconds_bucket{le=\"+Inf\"}", cum);
	seconds(out, "authzc_decision_duration_seconds_sum", s->latency_ns);
	value(out, "authzc_decision_duration_seconds_count", cum);

	metric(out, "authzc_log_records_total", "counter",
	       "Decision records written to the log.", s->log_written);
	metric(out, "authzc_log_dropped_total", "counter",
	       "Decision records dropped because the log's queue was full.", s->log_dropped);
	metric(out, "authzc_log_write_errors_total", "counter",
	       "Decision records the log could not write.", s->log_failed);

	head(out, "authzc_bundle_fetches_total", "counter",
	     "Polls of --bundle-url: a new body, not modified (304), or an error.");
	static const char *const fetch_names[MFETCH_COUNT] = { "new", "not_modified", "error" };
	for (int i = 0; i < MFETCH_COUNT; i++) {
		snprintf(series, sizeof series, "authzc_bundle_fetches_total{result=\"%s\"}", fetch_names[i]);
		value(out, series, s->fetches[i]);
	}

	const struct bundle_state main_bundle = { "bundle", "Bundles", "active",
						  "1 when a bundle is active, 0 when every decision denies.",
						  h->reloads, h->failures, h->active, h->digest, h->revision };
	bundle_state(out, &main_bundle);
	if (h->active) {
		metric(out, "authzc_bundle_loaded_timestamp_seconds", "gauge",
		       "When the active bundle was loaded, seconds since the epoch.", (uint64_t)(h->loaded_ms / 1000));
		head(out, "authzc_bundle_load_duration_seconds", "gauge",
		     "How long loading the active bundle took: reading, digest, signature, decoding, verification.");
		seconds(out, "authzc_bundle_load_duration_seconds", h->load_ns);
		head(out, "authzc_bundle_prepare_duration_seconds", "gauge",
		     "How long building the active bundle's rule images and index took, before it was swapped in.");
		seconds(out, "authzc_bundle_prepare_duration_seconds", h->prepare_ns);
	}
	if (s->shadow_on) {
		metric(out, "authzc_shadow_decisions_total", "counter",
		       "Requests decided by the shadow bundle too (--shadow).", s->shadow);
		metric(out, "authzc_shadow_skipped_total", "counter",
		       "Requests not shadowed: the shadow thread fell behind (its queue was full) or no shadow "
		       "bundle was loaded.", s->shadow_skipped);
		head(out, "authzc_shadow_disagreements_total", "counter",
		     "Shadow decisions whose outcome differs: loosened (the shadow allows), tightened (it denies).");
		value(out, "authzc_shadow_disagreements_total{kind=\"loosened\"}", s->loosened);
		value(out, "authzc_shadow_disagreements_total{kind=\"tightened\"}", s->tightened);
		metric(out, "authzc_shadow_records_dropped_total", "counter",
		       "Disagreement records dropped (the queue was full) or not written.", s->shadow_dropped);
		const struct bundle_state shadow_bundle = { "shadow_bundle", "Shadow bundles", "shadow",
							    "1 when a shadow bundle is loaded.", s->shadow_reloads,
							    s->shadow_failures, s->shadow_active, s->shadow_digest,
							    s->shadow_revision };
		bundle_state(out, &shadow_bundle);
	}
	return out->oom ? -1 : 0;
}
