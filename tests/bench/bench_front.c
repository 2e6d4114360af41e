/*
 * bench_front.c: time the front end (load, parse, check) on one project.
 *
 *   bench_front DIR [RUNS]
 *
 * Runs compilation_run's phases RUNS times (default 5) on the project in
 * DIR, each in a fresh compilation, and prints one line of key=value pairs
 * for tests/bench/run.sh:
 *
 *   rules=N files=F policy_bytes=B schema_bytes=S runs=R load_ms=..
 *   parse_ms=.. check_ms=.. total_ms=.. min_ms=.. maxrss_kb=..
 *
 * Times are medians over the runs (wall clock, CLOCK_MONOTONIC); maxrss_kb
 * is the process's peak resident set (getrusage), which includes one whole
 * compilation at its largest.  A project with errors prints them and exits
 * 1: the generator must only write projects that check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "checker.h"
#include "diag.h"
#include "project.h"

#define MAX_RUNS 1000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

struct sample {
	double load, parse, check, total;
};

/* One compilation of the project at `dir`: the phases of compilation_run,
 * timed one by one.  Returns the number of errors (printed); fills *st
 * and, when `rules` is not NULL, the rule, file and byte counts. */
static size_t run_once(const char *dir, struct sample *st, size_t *rules, size_t *files,
		       size_t *policy_bytes, size_t *schema_bytes)
{
	struct compilation c;
	struct source_tree t;
	compilation_init(&c);
	source_tree_fs(&t, dir);
	double t0 = now_ms();
	size_t errors = project_load_config(&c, &t);
	if (!errors)
		errors = project_load_sources(&c, &t);
	double t1 = now_ms();
	if (!errors)
		errors = compilation_parse(&c);
	double t2 = now_ms();
	if (!errors)
		errors = compilation_check(&c);
	double t3 = now_ms();
	st->load = t1 - t0;
	st->parse = t2 - t1;
	st->check = t3 - t2;
	st->total = t3 - t0;
	if (errors) {
		diag_sort(&c.diags);
		diag_render_text(stderr, &c.src, &c.diags, false);
	} else if (rules) {
		*rules = c.checked ? c.checked->nrules : 0;
		*files = c.nfiles;
		*policy_bytes = *schema_bytes = 0;
		for (size_t i = 0; i < c.src.n; i++) {
			const struct src_file *f = c.src.files[i];
			if (ends_with(f->name, ".authz"))
				*policy_bytes += f->len;
			else if (c.has_schema && i == c.schema_file)
				*schema_bytes += f->len;
		}
	}
	compilation_release(&c);
	return errors;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fputs("usage: bench_front DIR [RUNS]\n", stderr);
		return 2;
	}
	int runs = 5;
	if (argc == 3) {
		char *end;
		long v = strtol(argv[2], &end, 10);
		if (*end || v < 1 || v > MAX_RUNS) {
			fprintf(stderr, "bench_front: bad run count '%s' (1..%d)\n", argv[2], MAX_RUNS);
			return 2;
		}
		runs = (int)v;
	}
	static double load[MAX_RUNS], parse[MAX_RUNS], check[MAX_RUNS], total[MAX_RUNS];
	size_t rules = 0, files = 0, policy_bytes = 0, schema_bytes = 0;
	struct sample st;
	/* a first run warms the page cache and the allocator; it is not counted */
	if (run_once(argv[1], &st, &rules, &files, &policy_bytes, &schema_bytes)) {
		fprintf(stderr, "bench_front: '%s' does not check\n", argv[1]);
		return 1;
	}
	double min_total = 0;
	for (int i = 0; i < runs; i++) {
		if (run_once(argv[1], &st, NULL, NULL, NULL, NULL))
			return 1;
		load[i] = st.load;
		parse[i] = st.parse;
		check[i] = st.check;
		total[i] = st.total;
		if (i == 0 || st.total < min_total)
			min_total = st.total;
	}
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0) {
		fprintf(stderr, "bench_front: getrusage: %s\n", strerror(errno));
		return 2;
	}
	printf("rules=%zu files=%zu policy_bytes=%zu schema_bytes=%zu runs=%d load_ms=%.3f "
	       "parse_ms=%.3f check_ms=%.3f total_ms=%.3f min_ms=%.3f maxrss_kb=%ld\n",
	       rules, files, policy_bytes, schema_bytes, runs, median(load, runs), median(parse, runs),
	       median(check, runs), median(total, runs), min_total, ru.ru_maxrss);
	return 0;
}
