/*
 * bench_load.c: time loading a bundle through libauthz (runtime/include/authz.h).
 *
 *   bench_load BUNDLE [RUNS]
 *
 * Loads BUNDLE RUNS times (default 21) in process, on the machine's cores
 * (libauthz hashes a bundle of 1 MiB or more on a second thread while it
 * decodes it; `pin` as a third argument pins the process to one core,
 * sched_setaffinity, to see a load without that thread): from memory (authz_bundle_load on the file's bytes,
 * read once beforehand) and from the file (authz_bundle_load_file, read
 * each time), each load timed alone and its bundle freed untimed.  The
 * bundle loaded from memory is then prepared (authz_bundle_prepare: the
 * rule images and the index, which its first decision would otherwise
 * build), timed alone too.  One load of each kind runs first, untimed, to
 * warm the allocator and the caches.  Prints one line of key=value pairs
 * for tests/bench/run.sh: the median and the minimum in microseconds of
 * each, the median CPU time of the loads from memory (the process's, both
 * threads: on a shared machine, without the time other processes held the
 * cores), and the rule count.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process (the load's hashing thread too): a load's own
 * cost without the time other processes of a shared machine took. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Pin the process to the last CPU it may run on (ignored when it cannot). */
static void pin_to_one_core(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return;
	int cpu = -1;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cpu = i;
	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof set, &set);
}

/* The whole file at `path` into *data, *len; 0 or -1. */
static int read_all(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	uint8_t *p = malloc(cap);
	for (size_t got; p; n += got) {
		if (n == cap) {
			uint8_t *q = realloc(p, cap *= 2);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
		}
		if (!(got = fread(p + n, 1, cap - n, f)))
			break;
	}
	fclose(f);
	*data = p;
	*len = n;
	return p ? 0 : -1;
}

/* One timed load (from memory when data is not NULL, else from path), in
 * ns; the bundle's rule count into *rules; exits on a load error.  With
 * prep not NULL, the bundle's authz_bundle_prepare is timed too, into
 * *prep. */
static uint64_t timed_load(const char *path, const uint8_t *data, size_t len, size_t *rules, uint64_t *prep,
			   uint64_t *cpu)
{
	authz_bundle *b = NULL;
	authz_error err;
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	int e = data ? authz_bundle_load(&b, data, len, &err) : authz_bundle_load_file(&b, path, &err);
	uint64_t t1 = now_ns(), c1 = cpu_ns();
	*cpu = c1 - c0;
	if (e < 0) {
		fprintf(stderr, "bench_load: %s: %s\n", path, err.message);
		exit(1);
	}
	*rules = authz_bundle_rule_count(b);
	if (prep) {
		uint64_t t2 = now_ns();
		if (authz_bundle_prepare(b) < 0) {
			fprintf(stderr, "bench_load: %s: out of memory\n", path);
			exit(1);
		}
		*prep = now_ns() - t2;
	}
	authz_bundle_free(b);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[3], "pin"))) {
		fprintf(stderr, "usage: bench_load BUNDLE [RUNS [pin]]\n");
		return 2;
	}
	const char *path = argv[1];
	int runs = argc >= 3 ? atoi(argv[2]) : 21;
	if (runs < 1 || runs > 100000) {
		fprintf(stderr, "bench_load: RUNS must be 1 to 100000\n");
		return 2;
	}
	uint8_t *data;
	size_t len, rules = 0;
	if (read_all(path, &data, &len) < 0) {
		fprintf(stderr, "bench_load: cannot read %s\n", path);
		return 1;
	}
	if (argc == 4)
		pin_to_one_core();
	uint64_t *mem = calloc((size_t)runs, sizeof *mem), *file = calloc((size_t)runs, sizeof *file);
	uint64_t *prep = calloc((size_t)runs, sizeof *prep), *cpu = calloc((size_t)runs, sizeof *cpu), c;
	if (!mem || !file || !prep || !cpu)
		return 1;
	timed_load(path, data, len, &rules, &prep[0], &c);
	timed_load(path, NULL, 0, &rules, NULL, &c);
	for (int i = 0; i < runs; i++) {
		mem[i] = timed_load(path, data, len, &rules, &prep[i], &cpu[i]);
		file[i] = timed_load(path, NULL, 0, &rules, NULL, &c);
	}
	qsort(mem, (size_t)runs, sizeof *mem, cmp_u64);
	qsort(file, (size_t)runs, sizeof *file, cmp_u64);
	qsort(prep, (size_t)runs, sizeof *prep, cmp_u64);
	qsort(cpu, (size_t)runs, sizeof *cpu, cmp_u64);
	printf("rules=%zu bytes=%zu runs=%d memory_median_us=%.0f memory_min_us=%.0f file_median_us=%.0f file_min_us=%.0f"
	       " prepare_median_us=%.0f prepare_min_us=%.0f memory_cpu_median_us=%.0f\n",
	       rules, len, runs, mem[runs / 2] / 1e3, mem[0] / 1e3, file[runs / 2] / 1e3, file[0] / 1e3,
	       prep[runs / 2] / 1e3, prep[0] / 1e3, cpu[runs / 2] / 1e3);
	free(mem);
	free(file);
	free(prep);
	free(cpu);
	free(data);
	return 0;
}
