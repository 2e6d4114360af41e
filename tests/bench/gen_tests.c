/*
 * gen_tests.c: write a project with many tests for the `authzc test`
 * benchmark (tests/bench/run.sh): 50 permits and a forbid, and N tests
 * over 10 test files, each test built to a known outcome: allowed by one
 * permit, held back by one of that permit's guards, or denied by the
 * forbid.  Every test passes and coverage is 100% on all three measures.
 *
 *   gen_tests N DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NRULES 50
#define NFILES 10

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gen_tests: cannot write '%s': %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void close_out(FILE *f)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "gen_tests: write error\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_tests N DIR\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	const char *dir = argv[2];
	char path[4096];
	if (n < 1 || n > 10000000) {
		fprintf(stderr, "gen_tests: N must be from 1 to 10000000\n");
		return 2;
	}
	mkdir(dir, 0777);
	snprintf(path, sizeof path, "%s/policies", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/tests", dir);
	mkdir(path, 0777);

	FILE *f = open_out(dir, "schema.json");
	fputs("{\n  \"types\": {\n"
	      "    \"User\": { \"tenant\": \"string\", \"level\": \"int\", \"banned\": \"bool\" },\n"
	      "    \"Doc\": { \"tenant\": \"string\", \"kind\": \"string\", \"archived\": \"bool\" }\n"
	      "  },\n  \"actions\": {\n"
	      "    \"read\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] }\n"
	      "  },\n  \"context\": {}\n}\n", f);
	close_out(f);

	f = open_out(dir, "policies/bench.authz");
	fputs("package bench;\n", f);
	for (int i = 0; i < NRULES; i++)
		fprintf(f, "\npermit r%d {\n  principal is User\n  action == \"read\"\n  resource is Doc\n"
			"  when resource.kind == \"k%d\" and principal.tenant == resource.tenant\n"
			"   and principal.level >= %d\n  unless resource.archived\n}\n", i, i, i % 10 + 1);
	fputs("\nforbid banned {\n  when principal.banned\n}\n", f);
	close_out(f);

	for (int k = 0; k < NFILES; k++) {
		char name[64];
		snprintf(name, sizeof name, "tests/t%02d_test.authz", k);
		f = open_out(dir, name);
		fprintf(f, "package t%02d_test;\n\nrequest base {\n"
			"  principal User \"u\" { tenant: \"acme\", level: 10, banned: false }\n"
			"  action \"read\"\n"
			"  resource Doc \"d\" { tenant: \"acme\", kind: \"k0\", archived: false }\n"
			"  at time(\"2026-11-22T10:00:00Z\")\n}\n", k);
		for (long j = k; j < n; j += NFILES) {
			int r = (int)(j % NRULES);
			int v = (int)(j / NRULES % 5);
			fprintf(f, "\ntest \"test %ld\" {\n  given base\n  with resource.kind = \"k%d\"", j, r);
			switch (v) {
			case 0: fprintf(f, "\n  expect allow by bench.r%d\n}\n", r); break;
			case 1: fprintf(f, ", principal.tenant = \"globex\"\n  expect deny by default\n}\n"); break;
			case 2: fprintf(f, ", principal.level = %d\n  expect deny by default\n}\n", r % 10); break;
			case 3: fprintf(f, ", resource.archived = true\n  expect deny by default\n}\n"); break;
			default: fprintf(f, ", principal.banned = true\n  expect deny by bench.banned\n}\n"); break;
			}
		}
		close_out(f);
	}
	return 0;
}
