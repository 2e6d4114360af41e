/*
 * bench_decide.c: time decisions through libauthz (runtime/include/authz.h).
 *
 *   bench_decide BUNDLE REQUESTS.jsonl [-n REQUESTS] [-r REPS]
 *
 * Loads BUNDLE, reads the JSON Lines requests and measures, pinned to one
 * core (sched_setaffinity):
 *
 *   prebuilt  each of the first REQUESTS requests (default 1000) is built
 *             once through the typed API (authz_request_set_*), then
 *             decided REPS times (default 200) in a timed batch; one sample
 *             per request is batch time / REPS.  Median and p99 over the
 *             samples, and decisions per second over all batches.
 *   json      the same requests decided from their JSON text
 *             (authz_decide_json: parse + check + decide), REPS / 10 times
 *             each; median and p99; then one pass over every line of the
 *             file for decisions per second.
 *
 * Both ways must agree on every decision (allowed or not, same rules): a
 * difference is counted in `mismatches` and makes the exit status 1, as
 * does a request error (the generator writes only conforming requests).
 * Prints one line of key=value pairs for tests/bench/run.sh, or
 * "skipped: no bundle ..." when BUNDLE does not exist.
 */
#define _GNU_SOURCE
#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "authz.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n) by nearest rank; sorts v. */
static double quantile(double *v, size_t n, double q)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	size_t k = (size_t)(q * (double)n + 0.5);
	return v[k >= n ? n - 1 : k];
}

/* Pin the process to the last CPU it may run on; returns it, or -1. */
static int pin_to_one_core(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return -1;
	int cpu = -1;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cpu = i;
	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

/* ---- reading the requests file ------------------------------------------ */

struct line {
	char *text;
	size_t len;
};

/* Read every non-empty line of `path`. Returns the count, -1 on error. */
static long read_lines(const char *path, struct line **out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	struct line *v = NULL;
	size_t n = 0, cap = 0;
	char *buf = NULL;
	size_t bcap = 0;
	ssize_t len;
	while ((len = getline(&buf, &bcap, f)) >= 0) {
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (!len)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct line *nv = realloc(v, cap * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		v[n].text = strdup(buf);
		v[n].len = (size_t)len;
		if (!v[n].text)
			break;
		n++;
	}
	bool bad = ferror(f) || !feof(f);
	free(buf);
	fclose(f);
	if (bad) {
		for (size_t i = 0; i < n; i++)
			free(v[i].text);
		free(v);
		return -1;
	}
	*out = v;
	return (long)n;
}

/* ---- building a request through the API ----------------------------------- */

/* Set a JSON string attribute: the declared type decides how it reads
 * (string, timestamp, duration or ip); the setters say which it is. */
static int set_text(authz_request *r, int root, const char *path, const char *s)
{
	int rc = authz_request_set_string(r, root, path, s);
	if (rc != AUTHZ_EINVAL)
		return rc;
	int64_t v;
	if (authz_parse_time(s, strlen(s), &v) == 0) {
		rc = authz_request_set_timestamp(r, root, path, v);
		if (rc != AUTHZ_EINVAL)
			return rc;
	}
	if (authz_parse_duration(s, strlen(s), &v) == 0) {
		rc = authz_request_set_duration(r, root, path, v);
		if (rc != AUTHZ_EINVAL)
			return rc;
	}
	return authz_request_set_ip(r, root, path, s);
}

/* Set every attribute of the JSON object `o` under `prefix` ("" or
 * "rec."); undeclared attributes are ignored, as in a JSON request. */
static int set_attrs(authz_request *r, int root, const char *prefix, const cJSON *o)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, o) {
		char path[256];
		if ((size_t)snprintf(path, sizeof path, "%s%s", prefix, it->string) >= sizeof path)
			return AUTHZ_EINVAL;
		int rc = 0;
		if (cJSON_IsBool(it)) {
			rc = authz_request_set_bool(r, root, path, cJSON_IsTrue(it));
		} else if (cJSON_IsNumber(it)) {
			rc = authz_request_set_int(r, root, path, (int64_t)it->valuedouble);
		} else if (cJSON_IsString(it)) {
			rc = set_text(r, root, path, it->valuestring);
		} else if (cJSON_IsArray(it)) {
			rc = authz_request_set_empty_set(r, root, path);
			const cJSON *e;
			cJSON_ArrayForEach(e, it) {
				if (rc)
					break;
				if (cJSON_IsString(e))
					rc = authz_request_add_string(r, root, path, e->valuestring);
				else if (cJSON_IsNumber(e))
					rc = authz_request_add_int(r, root, path, (int64_t)e->valuedouble);
				else
					rc = AUTHZ_EINVAL;
			}
		} else if (cJSON_IsObject(it)) {
			strcat(path, ".");
			rc = set_attrs(r, root, path, it);
		}
		if (rc && rc != AUTHZ_ENOTFOUND)
			return rc;
	}
	return 0;
}

static int set_entity(authz_request *r, int root, const cJSON *e)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
	if (!cJSON_IsString(type) || !cJSON_IsString(id))
		return AUTHZ_EINVAL;
	int rc = root == AUTHZ_PRINCIPAL ? authz_request_set_principal(r, type->valuestring, id->valuestring)
					 : authz_request_set_resource(r, type->valuestring, id->valuestring);
	if (rc)
		return rc;
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(e, "attrs");
	return attrs ? set_attrs(r, root, "", attrs) : 0;
}

/* Build `r` from one JSON request line through the typed API only. */
static int build_request(authz_request *r, const struct line *l)
{
	cJSON *j = cJSON_ParseWithLength(l->text, l->len);
	if (!j)
		return AUTHZ_EINVAL;
	authz_request_reset(r);
	int rc = set_entity(r, AUTHZ_PRINCIPAL, cJSON_GetObjectItemCaseSensitive(j, "principal"));
	if (!rc)
		rc = set_entity(r, AUTHZ_RESOURCE, cJSON_GetObjectItemCaseSensitive(j, "resource"));
	const cJSON *action = cJSON_GetObjectItemCaseSensitive(j, "action");
	if (!rc)
		rc = cJSON_IsString(action) ? authz_request_set_action(r, action->valuestring) : AUTHZ_EINVAL;
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(j, "context");
	if (!rc && ctx)
		rc = set_attrs(r, AUTHZ_CONTEXT, "", ctx);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "time");
	int64_t ms;
	if (!rc && cJSON_IsString(t)) {
		rc = authz_parse_time(t->valuestring, strlen(t->valuestring), &ms);
		if (!rc)
			rc = authz_request_set_time(r, ms);
	}
	cJSON_Delete(j);
	return rc;
}

/* ---- the benchmark ------------------------------------------------------------ */

static bool same_decision(const authz_decision *a, const authz_decision *b)
{
	if (authz_decision_allowed(a) != authz_decision_allowed(b)
	    || authz_decision_rule_count(a) != authz_decision_rule_count(b))
		return false;
	for (size_t i = 0; i < authz_decision_rule_count(a); i++)
		if (strcmp(authz_decision_rule(a, i), authz_decision_rule(b, i)))
			return false;
	return true;
}

static size_t request_errors(const authz_decision *d)
{
	size_t n = 0;
	for (size_t i = 0; i < authz_decision_error_count(d); i++) {
		int kind;
		const char *rule, *msg;
		if (authz_decision_error(d, i, &kind, &rule, &msg) == 0 && kind == AUTHZ_ERR_REQUEST) {
			if (n == 0)
				fprintf(stderr, "bench_decide: request error: %s\n", msg);
			n++;
		}
	}
	return n;
}

static long parse_count(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 100000000) {
		fprintf(stderr, "bench_decide: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *bundle_path = NULL, *req_path = NULL;
	long nreq = 1000, reps = 200;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			nreq = parse_count(argv[++i], "request count");
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			reps = parse_count(argv[++i], "repetition count");
		else if (!bundle_path)
			bundle_path = argv[i];
		else if (!req_path)
			req_path = argv[i];
		else
			bundle_path = NULL, i = argc;
	}
	if (!bundle_path || !req_path) {
		fputs("usage: bench_decide BUNDLE REQUESTS.jsonl [-n REQUESTS] [-r REPS]\n", stderr);
		return 2;
	}
	struct stat sb;
	if (stat(bundle_path, &sb) != 0 && errno == ENOENT) {
		printf("skipped: no bundle '%s'\n", bundle_path);
		return 0;
	}

	authz_error err;
	authz_bundle *b = NULL;
	if (authz_bundle_load_file(&b, bundle_path, &err) != 0) {
		fprintf(stderr, "bench_decide: cannot load '%s': %s\n", bundle_path, err.message);
		return 2;
	}
	struct line *lines = NULL;
	long nlines = read_lines(req_path, &lines);
	if (nlines < 0) {
		fprintf(stderr, "bench_decide: cannot read '%s': %s\n", req_path, strerror(errno));
		return 2;
	}
	if (nlines == 0) {
		fprintf(stderr, "bench_decide: no requests in '%s'\n", req_path);
		return 2;
	}
	if (nreq > nlines)
		nreq = nlines;
	int cpu = pin_to_one_core();

	authz_decision *d = NULL, *dj = NULL;
	authz_request *scratch = NULL;
	authz_request **reqs = calloc((size_t)nreq, sizeof *reqs);
	double *samples = calloc((size_t)nreq, sizeof *samples);
	if (!reqs || !samples || authz_decision_new(&d) || authz_decision_new(&dj)
	    || authz_request_new(&scratch, b)) {
		fputs("bench_decide: out of memory\n", stderr);
		return 2;
	}

	/* build every request through the API, and check it against JSON */
	size_t mismatches = 0, req_errors = 0, build_errors = 0;
	for (long i = 0; i < nreq; i++) {
		if (authz_request_new(&reqs[i], b)) {
			fputs("bench_decide: out of memory\n", stderr);
			return 2;
		}
		int rc = build_request(reqs[i], &lines[i]);
		if (rc) {
			if (!build_errors)
				fprintf(stderr, "bench_decide: request %ld: the API refused it (%d)\n", i + 1, rc);
			build_errors++;
		}
		authz_decide(d, b, reqs[i], 0);
		authz_decide_json(dj, b, scratch, lines[i].text, lines[i].len, 0);
		req_errors += request_errors(dj);
		if (!same_decision(d, dj)) {
			if (!mismatches)
				fprintf(stderr, "bench_decide: request %ld: API and JSON decisions differ\n", i + 1);
			mismatches++;
		}
	}

	/* prebuilt: median and p99 ns per decision */
	uint64_t all0 = now_ns();
	for (long i = 0; i < nreq; i++) {
		uint64_t t0 = now_ns();
		for (long k = 0; k < reps; k++)
			authz_decide(d, b, reqs[i], 0);
		samples[i] = (double)(now_ns() - t0) / (double)reps;
	}
	double pre_s = (double)(now_ns() - all0) / 1e9;
	double pre_rate = (double)nreq * (double)reps / pre_s;
	double pre_med = quantile(samples, (size_t)nreq, 0.5), pre_p99 = quantile(samples, (size_t)nreq, 0.99);

	/* JSON: median and p99 per decision, then one pass over the file */
	long jreps = reps / 10 > 0 ? reps / 10 : 1;
	for (long i = 0; i < nreq; i++) {
		uint64_t t0 = now_ns();
		for (long k = 0; k < jreps; k++)
			authz_decide_json(dj, b, scratch, lines[i].text, lines[i].len, 0);
		samples[i] = (double)(now_ns() - t0) / (double)jreps;
	}
	double json_med = quantile(samples, (size_t)nreq, 0.5), json_p99 = quantile(samples, (size_t)nreq, 0.99);
	uint64_t t0 = now_ns();
	size_t pass_allowed = 0;
	for (long i = 0; i < nlines; i++) {
		authz_decide_json(dj, b, scratch, lines[i].text, lines[i].len, 0);
		pass_allowed += (size_t)authz_decision_allowed(dj);
	}
	double json_rate = (double)nlines / ((double)(now_ns() - t0) / 1e9);

	printf("bundle_rules=%zu requests=%ld reps=%ld cpu=%d prebuilt_median_ns=%.0f prebuilt_p99_ns=%.0f "
	       "prebuilt_per_s=%.0f json_median_ns=%.0f json_p99_ns=%.0f json_per_s=%.0f lines=%ld "
	       "allowed_pct=%.1f request_errors=%zu build_errors=%zu mismatches=%zu\n",
	       authz_bundle_rule_count(b), nreq, reps, cpu, pre_med, pre_p99, pre_rate, json_med, json_p99,
	       json_rate, nlines, 100.0 * (double)pass_allowed / (double)nlines, req_errors, build_errors,
	       mismatches);

	for (long i = 0; i < nreq; i++)
		authz_request_free(reqs[i]);
	for (long i = 0; i < nlines; i++)
		free(lines[i].text);
	free(lines);
	free(reqs);
	free(samples);
	authz_request_free(scratch);
	authz_decision_free(d);
	authz_decision_free(dj);
	authz_bundle_free(b);
	return mismatches || req_errors || build_errors ? 1 : 0;
}
