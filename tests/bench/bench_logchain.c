/*
 * bench_logchain.c: what the hash chain of a decision log costs per record
 * (logchain.h), for `make bench` (tests/bench/run.sh).
 *
 *   bench_logchain LOG     LOG: a chained log written by `authzc eval --log`
 *
 * Takes the decision records of LOG back to the form eval_log_record makes
 * (without "seq" and "prev"), then times writing each into a line as eval
 * does, with the chain (its head and the SHA-256 hash) and without, and
 * one signed checkpoint.  chain_ns is the difference per record.  Prints "records=N chain_ns=X checkpoint_ns=Y".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"
#include "logchain.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_logchain LOG\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char *line = NULL, **recs = NULL;
	size_t cap = 0, n = 0, *lens = NULL;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		/* {"seq":N,"prev":"sha256:...", then the record's members */
		char *p = strstr(line, "\"prev\":\"sha256:");
		if (!p || strstr(line, "\"log\":\""))
			continue;
		p += 8 + 7 + 64 + 2;    /* past "prev":", the hash, its quote and , */
		size_t m = (size_t)(line + len - p) + 1;
		recs = realloc(recs, (n + 1) * sizeof *recs);
		lens = realloc(lens, (n + 1) * sizeof *lens);
		recs[n] = malloc(m);
		recs[n][0] = '{';
		memcpy(recs[n] + 1, p, m - 1);
		lens[n++] = m;
	}
	free(line);
	fclose(f);
	if (!n) {
		fprintf(stderr, "bench_logchain: no decision records in %s\n", argv[1]);
		return 2;
	}
	struct logchain c;
	struct logchain_opts o = { NULL, 0, 0 };
	logchain_init(&c, &o, 0);
	struct buf out = { 0 };
	/* As eval writes a line (cmd_eval.c): with the chain, its head, the
	 * record's members built in place, '}' and logchain_seal (the hash
	 * and '\n'); without, '{', the members and "}\n".  The chain's cost
	 * is the difference, best of 5 passes each. */
	double best = 0, plain = 0;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (size_t i = 0; i < n; i++) {
			buf_reset(&out);
			logchain_head(&c, &out);
			buf_put(&out, recs[i] + 1, lens[i] - 2);
			if (logchain_seal(&c, &out, 0) < 0) {
				fprintf(stderr, "bench_logchain: record %zu refused\n", i);
				return 2;
			}
		}
		double t1 = now_ns();
		for (size_t i = 0; i < n; i++) {
			buf_reset(&out);
			buf_putc(&out, '{');
			buf_put(&out, recs[i] + 1, lens[i] - 2);
			buf_putc(&out, '\n');
		}
		double t2 = now_ns();
		if (!rep || t1 - t0 < best)
			best = t1 - t0;
		if (!rep || t2 - t1 < plain)
			plain = t2 - t1;
	}
	best = (best - plain) / (double)n;
	/* One checkpoint: an Ed25519 signature over a short line. */
	char err[256];
	struct ev_sec k;
	if (ev_init(err, sizeof err) < 0)
		return 2;
	memset(&k, 0, sizeof k);
	double ck = 0;
	{
		/* A pair generated for the run (checkpoint_ns includes a record). */
		if (ev_keygen("/tmp", "bench-logchain-key", &k.pub, err, sizeof err) == 0 &&
		    ev_sec_load("/tmp/bench-logchain-key.key", &k, err, sizeof err) == 0) {
			o.key = &k;
			struct logchain cc;
			logchain_init(&cc, &o, 0);
			double t0 = now_ns();
			for (int i = 0; i < 200; i++) {
				buf_reset(&out);
				logchain_record(&cc, recs[0], lens[0], &out);
				logchain_checkpoint(&cc, 0, false, &out);
			}
			ck = (now_ns() - t0) / 200;
			logchain_release(&cc);
		}
		remove("/tmp/bench-logchain-key.key");
		remove("/tmp/bench-logchain-key.pub");
	}
	printf("records=%zu chain_ns=%.0f checkpoint_ns=%.0f\n", n, best, ck);
	for (size_t i = 0; i < n; i++)
		free(recs[i]);
	free(recs);
	free(lens);
	buf_release(&out);
	logchain_release(&c);
	ev_sec_wipe(&k);
	return 0;
}
