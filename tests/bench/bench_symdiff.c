/*
 * bench_symdiff.c: time the behaviour section of `authzc diff` (sym.h)
 * between two compiled bundles.
 *
 *   bench_symdiff OLD.authzb NEW.authzb [TIMEOUT_MS [MAX_CLASSES]]
 *
 * Prints one line: seconds, triples, unchanged in code, solved, the
 * classes by kind, and the process's peak RSS (bundles included).  tests/bench/run.sh builds the two bundles from a
 * generated set and a copy with one forbid narrowed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sym.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_symdiff OLD.authzb NEW.authzb [TIMEOUT_MS [MAX_CLASSES]]\n");
		return 2;
	}
	authz_bundle *b[2];
	authz_error err;
	for (int i = 0; i < 2; i++)
		if (authz_bundle_load_file(&b[i], argv[1 + i], &err) != 0) {
			fprintf(stderr, "bench_symdiff: %s: %s\n", argv[1 + i], err.message);
			return 2;
		}
	struct sym_opts o = SYM_OPTS_DEFAULT;
	if (argc > 3)
		o.timeout_ms = (unsigned)atoi(argv[3]);
	if (argc > 4)
		o.max_classes = (unsigned)atoi(argv[4]);
	struct arena a = ARENA_INIT;
	struct sym_diff d;
	char msg[256];
	if (sym_diff_run(&a, b[0], b[1], &o, &d, msg, sizeof msg) < 0) {
		fprintf(stderr, "bench_symdiff: %s\n", msg);
		return 2;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%.2f s, %zu triples (%zu unchanged in code, %zu solved), %zu loosened, %zu tightened, "
	       "%zu rules, %zu unknown, peak RSS %.0f MB\n", d.seconds, d.ntriples, d.nunchanged, d.nsolved,
	       d.nloosened, d.ntightened, d.nrules, d.nunknown, (double)ru.ru_maxrss / 1024);
	for (size_t i = 0; i < d.nclasses; i++)
		if (d.classes[i].kind == SYM_UNKNOWN)
			fprintf(stderr, "unknown: %s %s %s: %s\n", d.classes[i].principal_type, d.classes[i].action,
				d.classes[i].resource_type, d.classes[i].reason);
	arena_free(&a);
	authz_bundle_free(b[0]);
	authz_bundle_free(b[1]);
	return 0;
}
