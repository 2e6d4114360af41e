/*
 * test_metrics.c: the counters and their Prometheus text (metrics.h).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "metrics.h"

static struct buf out;

static void fini(void)
{
	buf_release(&out);
}

TestSuite(metrics, .fini = fini);

static bool has_line(const char *line)
{
	const char *t = buf_cstr(&out);
	size_t n = strlen(line);
	for (const char *p = strstr(t, line); p; p = strstr(p + 1, line))
		if ((p == t || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

Test(metrics, counts_and_renders)
{
	struct metrics m;
	metrics_init(&m);
	metrics_decision(&m, true);
	metrics_decision(&m, false);
	metrics_decision(&m, false);
	metrics_error(&m, MERR_BAD_JSON);
	metrics_latency(&m, 40000);             /* 40 us: first bucket */
	metrics_latency(&m, 700000);            /* 0.7 ms: le 0.001 */
	metrics_latency(&m, 9000000000ull);     /* 9 s: +Inf only */
	struct metrics_snapshot s;
	metrics_snapshot(&m, &s);
	struct holder_status h = { .active = true, .digest = "sha256:ab", .revision = "r\"1\\", .loaded_ms = 1500,
				   .load_ns = 4250000, .prepare_ns = 1017000000, .reloads = 3, .failures = 1 };
	cr_assert_eq(metrics_render(&out, &s, &h), 0);
	cr_assert(has_line("# TYPE authzc_decisions_total counter"));
	cr_assert(has_line("authzc_decisions_total{decision=\"allow\"} 1"));
	cr_assert(has_line("authzc_decisions_total{decision=\"deny\"} 2"));
	cr_assert(has_line("authzc_request_errors_total{reason=\"bad_json\"} 1"));
	cr_assert(has_line("authzc_request_errors_total{reason=\"too_large\"} 0"));
	cr_assert(has_line("# TYPE authzc_decision_duration_seconds histogram"));
	cr_assert(has_line("authzc_decision_duration_seconds_bucket{le=\"5e-05\"} 1"));
	cr_assert(has_line("authzc_decision_duration_seconds_bucket{le=\"0.0005\"} 1"));
	cr_assert(has_line("authzc_decision_duration_seconds_bucket{le=\"0.001\"} 2"));
	cr_assert(has_line("authzc_decision_duration_seconds_bucket{le=\"2.5\"} 2"));
	cr_assert(has_line("authzc_decision_duration_seconds_bucket{le=\"+Inf\"} 3"));
	cr_assert(has_line("authzc_decision_duration_seconds_sum 9.000740000"));
	cr_assert(has_line("authzc_decision_duration_seconds_count 3"));
	cr_assert(has_line("authzc_bundle_reloads_total 3"));
	cr_assert(has_line("authzc_bundle_reload_failures_total 1"));
	cr_assert(has_line("authzc_bundle_active 1"));
	cr_assert(has_line("authzc_bundle_info{digest=\"sha256:ab\",revision=\"r\\\"1\\\\\"} 1"), "%s",
		  buf_cstr(&out));
	cr_assert(has_line("authzc_bundle_loaded_timestamp_seconds 1"));
	cr_assert(has_line("authzc_bundle_load_duration_seconds 0.004250000"));
	cr_assert(has_line("authzc_bundle_prepare_duration_seconds 1.017000000"));
}

Test(metrics, without_a_bundle)
{
	struct metrics m;
	metrics_init(&m);
	struct metrics_snapshot s;
	metrics_snapshot(&m, &s);
	struct holder_status h = { .active = false };
	cr_assert_eq(metrics_render(&out, &s, &h), 0);
	cr_assert(has_line("authzc_bundle_active 0"));
	cr_assert_null(strstr(buf_cstr(&out), "authzc_bundle_info"));
	cr_assert_null(strstr(buf_cstr(&out), "authzc_bundle_load_duration_seconds"), "no bundle, no load");
	cr_assert(has_line("authzc_decision_duration_seconds_count 0"));
}

Test(metrics, every_line_is_a_comment_or_a_sample)
{
	struct metrics m;
	metrics_init(&m);
	struct metrics_snapshot s;
	metrics_snapshot(&m, &s);
	struct holder_status h = { .active = true, .digest = "sha256:x", .revision = "line\nbreak" };
	cr_assert_eq(metrics_render(&out, &s, &h), 0);
	const char *t = buf_cstr(&out);
	cr_assert_eq(t[out.n - 1], '\n');
	for (const char *l = t; *l; l = strchr(l, '\n') + 1)
		cr_assert(*l == '#' || !strncmp(l, "authzc_", 7), "line: %.40s", l);
	cr_assert(strstr(t, "revision=\"line\\nbreak\""));
}

Test(metrics, shadow_counts_and_bundle)
{
	struct metrics m;
	metrics_init(&m);
	struct metrics_snapshot s;
	metrics_snapshot(&m, &s);
	s.shadow = 4;
	s.loosened = 1;
	s.tightened = 2;
	s.shadow_skipped = 7;
	struct holder_status h = { .active = true, .digest = "sha256:a", .revision = "r" };
	cr_assert_eq(metrics_render(&out, &s, &h), 0);
	cr_assert_null(strstr(buf_cstr(&out), "authzc_shadow"), "no --shadow: no shadow series");
	buf_reset(&out);
	s.shadow_on = s.shadow_active = true;
	strcpy(s.shadow_digest, "sha256:c");
	strcpy(s.shadow_revision, "r2");
	s.shadow_failures = 2;
	s.shadow_dropped = 5;
	cr_assert_eq(metrics_render(&out, &s, &h), 0);
	cr_assert(has_line("authzc_shadow_decisions_total 4"), "%s", buf_cstr(&out));
	cr_assert(has_line("authzc_shadow_skipped_total 7"));
	cr_assert(has_line("authzc_shadow_disagreements_total{kind=\"loosened\"} 1"));
	cr_assert(has_line("authzc_shadow_disagreements_total{kind=\"tightened\"} 2"));
	cr_assert(has_line("authzc_shadow_records_dropped_total 5"));
	cr_assert(has_line("authzc_shadow_bundle_reload_failures_total 2"));
	cr_assert(has_line("authzc_shadow_bundle_active 1"));
	cr_assert(has_line("authzc_shadow_bundle_info{digest=\"sha256:c\",revision=\"r2\"} 1"));
	cr_assert(has_line("authzc_decisions_total{decision=\"allow\"} 0"), "shadow decisions are not decisions");
}
