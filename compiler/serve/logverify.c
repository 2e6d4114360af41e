/*
 * logverify.c: checking chained decision logs (logverify.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "logchain.h"
#include "logverify.h"

const char *logverify_kind_name(enum logverify_kind k)
{
	static const char *const names[] = {
		[LV_OK] = "ok", [LV_TRUNCATED] = "truncated", [LV_MALFORMED] = "malformed",
		[LV_MODIFIED] = "modified", [LV_DELETED] = "deleted", [LV_REORDERED] = "reordered",
		[LV_RESTARTED] = "restarted", [LV_SIGNATURE] = "signature", [LV_UNTRUSTED] = "untrusted",
	};
	return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

/* ',"sig":"' + 88 base64 characters + '"}': how every checkpoint ends. */
#define SIG_HEAD ",\"sig\":\""
#define SIG_TAIL_LEN (sizeof SIG_HEAD - 1 + EV_SIG_B64_CHARS + 2)

struct verifier {
	const struct ev_keyring *kr;
	struct logverify_result *r;
	bool have_last;
	struct buf last;        /* the record before, its bytes: hashed by
				 * the algorithm the next "prev" names */
	const char *last_file;
	uint64_t last_line;
	struct buf msg;
};

__attribute__((format(printf, 6, 7)))
static void problem(struct verifier *v, enum logverify_kind k, const char *file, uint64_t line,
		    uint64_t seq, const char *fmt, ...)
{
	struct logverify_result *r = v->r;
	r->kind = k;
	r->file = file;
	r->line = line;
	r->seq = seq;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
}

static void note_time(struct logverify_result *r, const cJSON *t)
{
	if (!cJSON_IsString(t) || strlen(t->valuestring) >= sizeof r->first_time)
		return;
	/* RFC 3339 in UTC as the writers format it: text order is time order. */
	if (!r->first_time[0] || strcmp(t->valuestring, r->first_time) < 0)
		strcpy(r->first_time, t->valuestring);
	if (strcmp(t->valuestring, r->last_time) > 0)
		strcpy(r->last_time, t->valuestring);
}

/* A checkpoint's key and signature; false with the problem set. */
static bool check_signature(struct verifier *v, const cJSON *j, const char *line, size_t len,
			    const char *file, uint64_t lineno, uint64_t seq)
{
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(j, "key");
	if (len <= SIG_TAIL_LEN || memcmp(line + len - SIG_TAIL_LEN, SIG_HEAD, sizeof SIG_HEAD - 1) ||
	    line[len - 2] != '"' || line[len - 1] != '}' || !cJSON_IsString(key)) {
		problem(v, LV_MALFORMED, file, lineno, seq,
			"a checkpoint must name its \"key\" and end with its \"sig\"; this one was changed");
		return false;
	}
	const struct ev_trusted *t = ev_keyring_find(v->kr, key->valuestring);
	if (!t) {
		problem(v, LV_UNTRUSTED, file, lineno, seq,
			"checkpoint signed by key %.40s, which is not trusted; give its public key with "
			"--trust PUBFILE or list it under \"trusted_keys\" with the role \"log\"",
			key->valuestring);
		return false;
	}
	if (!(t->roles & EV_ROLE_LOG)) {
		char roles[64];
		ev_roles_text(t->roles, roles, sizeof roles);
		problem(v, LV_UNTRUSTED, file, lineno, seq,
			"checkpoint signed by key %s (%s), which is trusted for %s, not for \"log\"",
			t->pub.id, t->pub.name, roles);
		return false;
	}
	unsigned char sig[EV_SIG_BYTES];
	size_t signed_len = len - SIG_TAIL_LEN;
	if (ev_sig_from_b64(line + signed_len + sizeof SIG_HEAD - 1, EV_SIG_B64_CHARS, sig) < 0 ||
	    logchain_signed_message(&v->msg, line, signed_len) < 0 ||
	    ev_verify(&t->pub, v->msg.p, v->msg.n, sig) < 0) {
		problem(v, LV_SIGNATURE, file, lineno, seq,
			"the checkpoint's signature by %s (%s) does not verify: the checkpoint, or the "
			"chain of records it covers, was changed", t->pub.id, t->pub.name);
		return false;
	}
	return true;
}

/* Add a gap to the warnings; false when out of memory. */
static bool add_gap(struct logverify_result *r, const char *file, uint64_t line, uint64_t seq,
		    uint64_t dropped)
{
	struct logverify_warning *g = realloc(r->gap_list, (r->ngaps + 1) * sizeof *g);
	if (!g)
		return false;
	r->gap_list = g;
	g[r->ngaps++] = (struct logverify_warning){ file, line, seq, dropped };
	return true;
}

/* One line (without its '\n'); false when checking stops (a problem, or
 * out of memory: *oom). */
static bool check_line(struct verifier *v, const char *file, uint64_t lineno, const char *line,
		       size_t len, bool *oom)
{
	struct logverify_result *r = v->r;
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "seq");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "prev");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "log");
	bool ok = false;
	if (!cJSON_IsObject(j) || !cJSON_IsNumber(s) || s->valuedouble < 1 ||
	    s->valuedouble >= 9007199254740992.0 || s->valuedouble != (double)(uint64_t)s->valuedouble ||
	    !(cJSON_IsNull(p) || cJSON_IsString(p)) || (kind && !cJSON_IsString(kind))) {
		problem(v, LV_MALFORMED, file, lineno, 0,
			"not a chained record (a JSON object with \"seq\" and \"prev\"): the line was "
			"edited or inserted, or the log was not written with a chain");
		goto out;
	}
	uint64_t seq = (uint64_t)s->valuedouble;
	const char *k = kind ? kind->valuestring : NULL;
	if (cJSON_IsNull(p)) {
		if (!k || strcmp(k, "start") || seq != 1) {
			problem(v, LV_MALFORMED, file, lineno, seq,
				"only a start record with seq 1 has no \"prev\"; this line was changed");
			goto out;
		}
		if (v->have_last) {
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "after_damage");
			problem(v, LV_RESTARTED, file, lineno, seq,
				"a new chain starts here after seq %" PRIu64 " (%s:%" PRIu64 ")%s: the "
				"records before it are not chained to it", r->last_seq, v->last_file,
				v->last_line, d ? "; its writer found the log's tail damaged" : "");
			goto out;
		}
	} else if (v->have_last) {
		if (seq > r->last_seq + 1) {
			problem(v, LV_DELETED, file, lineno, seq,
				"seq %" PRIu64 " follows seq %" PRIu64 " (%s:%" PRIu64 "): %" PRIu64
				" record(s) deleted or moved", seq, r->last_seq, v->last_file, v->last_line,
				seq - r->last_seq - 1);
			goto out;
		}
		if (seq <= r->last_seq) {
			problem(v, LV_REORDERED, file, lineno, seq,
				"seq %" PRIu64 " follows seq %" PRIu64 " (%s:%" PRIu64 "): records "
				"reordered, inserted or repeated", seq, r->last_seq, v->last_file, v->last_line);
			goto out;
		}
		char h[LOGCHAIN_HASH_CHARS + 1];
		if (logchain_hash_as(p->valuestring, v->last.p, v->last.n, h) < 0) {
			problem(v, LV_MALFORMED, file, lineno, seq,
				"its \"prev\" names no hash this version knows (\"sha256:\" or "
				"\"blake2b:\"): the line was changed");
			goto out;
		}
		if (strcmp(p->valuestring, h)) {
			problem(v, LV_MODIFIED, file, lineno, seq,
				"its \"prev\" is not the hash of the record before it (%s:%" PRIu64 ", seq %"
				PRIu64 "): that record was modified, or this one inserted", v->last_file,
				v->last_line, r->last_seq);
			goto out;
		}
	}
	if (!v->have_last)
		r->first_seq = seq;
	if (!k) {
		r->decisions++;
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "decision");
		note_time(r, cJSON_GetObjectItemCaseSensitive(d, "time"));
	} else {
		note_time(r, cJSON_GetObjectItemCaseSensitive(j, "time"));
	}
	r->final = false;
	if (k && !strcmp(k, "checkpoint")) {
		if (!check_signature(v, j, line, len, file, lineno, seq))
			goto out;
		r->checkpoints++;
		r->uncovered = 0;
		r->last_checkpoint_file = file;
		r->last_checkpoint_line = lineno;
		r->last_checkpoint_seq = seq;
		r->final = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "final"));
	} else {
		r->uncovered++;
		if (k && !strcmp(k, "gap")) {
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "dropped");
			uint64_t dropped = cJSON_IsNumber(n) && n->valuedouble > 0 ? (uint64_t)n->valuedouble : 0;
			r->gaps++;
			r->dropped += dropped;
			if (!add_gap(r, file, lineno, seq, dropped)) {
				*oom = true;
				goto out;
			}
		} else if (k && strcmp(k, "start")) {
			problem(v, LV_MALFORMED, file, lineno, seq,
				"\"log\":\"%.40s\" is not a kind of record (start, gap, checkpoint); the line "
				"was changed", k);
			goto out;
		}
	}
	r->records++;
	r->last_seq = seq;
	buf_reset(&v->last);
	buf_put(&v->last, line, len);
	if (v->last.oom) {
		*oom = true;
		goto out;
	}
	v->have_last = true;
	v->last_file = file;
	v->last_line = lineno;
	ok = true;
out:
	cJSON_Delete(j);
	return ok;
}

/* The seq of the first record of `path` (sort key): 0 when its first line
 * is not a record, UINT64_MAX when it is empty.  -1 when it cannot be read. */
static int first_seq(const char *path, uint64_t *out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	errno = 0;
	ssize_t n = getline(&line, &cap, f);
	int rc = 0;
	if (n < 0) {
		*out = UINT64_MAX;
		if (ferror(f))
			rc = -1;
	} else {
		cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "seq");
		*out = cJSON_IsNumber(s) && s->valuedouble >= 1 && s->valuedouble < 9007199254740992.0
			       ? (uint64_t)s->valuedouble : 0;
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	return rc;
}

/* Check the lines of one file; -1 when it cannot be read (errno). */
static int check_file(struct verifier *v, const char *path, bool *oom)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0;
	ssize_t n;
	int rc = 0;
	while (!v->r->kind && !*oom && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n == 0 || line[n - 1] != '\n') {
			problem(v, LV_TRUNCATED, path, lineno, 0,
				"the line is cut short (no end of line): the log was truncated, or its "
				"writer stopped in the middle of a record");
			break;
		}
		check_line(v, path, lineno, line, (size_t)n - 1, oom);
	}
	if (ferror(f))
		rc = -1;
	free(line);
	fclose(f);
	return rc;
}

int logverify_files(const char **paths, size_t n, const struct ev_keyring *kr, uint64_t min_seq,
		    struct logverify_result *r, char *err, size_t size)
{
	memset(r, 0, sizeof *r);
	r->files = n;
	uint64_t *keys = calloc(n ? n : 1, sizeof *keys);
	if (!keys) {
		snprintf(err, size, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (first_seq(paths[i], &keys[i]) < 0) {
			snprintf(err, size, "cannot read '%s': %s", paths[i], strerror(errno));
			free(keys);
			return -1;
		}
	}
	/* Insertion sort by first seq: stable, and n is small. */
	for (size_t i = 1; i < n; i++) {
		uint64_t k = keys[i];
		const char *p = paths[i];
		size_t j = i;
		for (; j > 0 && keys[j - 1] > k; j--) {
			keys[j] = keys[j - 1];
			paths[j] = paths[j - 1];
		}
		keys[j] = k;
		paths[j] = p;
	}
	free(keys);
	struct verifier v = { .kr = kr, .r = r };
	bool oom = false;
	int rc = 0;
	for (size_t i = 0; i < n && !r->kind && !oom; i++) {
		if (check_file(&v, paths[i], &oom) < 0) {
			snprintf(err, size, "cannot read '%s': %s", paths[i], strerror(errno));
			rc = -1;
		}
	}
	if (!rc && oom) {
		snprintf(err, size, "out of memory");
		rc = -1;
	}
	if (!rc && !r->kind && min_seq && (!v.have_last || r->last_seq < min_seq))
		problem(&v, LV_TRUNCATED, v.have_last ? v.last_file : (n ? paths[n - 1] : ""),
			v.last_line, r->last_seq,
			"the log ends at seq %" PRIu64 ", before seq %" PRIu64 " (--min-seq): records were "
			"removed from its end", r->last_seq, min_seq);
	buf_release(&v.msg);
	buf_release(&v.last);
	return rc;
}

void logverify_free(struct logverify_result *r)
{
	free(r->gap_list);
	r->gap_list = NULL;
	r->ngaps = 0;
}
