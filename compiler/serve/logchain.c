/*
 * logchain.c: the writer's side of chained decision logs (logchain.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <nettle/sha2.h>
#include <sodium.h>

#include "authz.h"
#include "json.h"
#include "logchain.h"

void logchain_init(struct logchain *c, const struct logchain_opts *o, int64_t now_ms)
{
	memset(c, 0, sizeof *c);
	c->key = o->key;
	c->every = o->every ? o->every : LOGCHAIN_EVERY;
	c->interval_ms = o->interval_ms > 0 ? o->interval_ms : LOGCHAIN_INTERVAL_MS;
	c->last_checkpoint_ms = now_ms;
}

void logchain_release(struct logchain *c)
{
	buf_release(&c->scratch);
}

/* prefix (with its ':') and the 64 hex digits of h[0..32) into out. */
static void put_hash(char *out, const char *prefix, const unsigned char h[32])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(prefix);
	memcpy(out, prefix, n);
	for (int i = 0; i < 32; i++) {
		out[n + 2 * i] = hex[h[i] >> 4];
		out[n + 2 * i + 1] = hex[h[i] & 15];
	}
	out[n + 64] = '\0';
}

void logchain_hash(const char *line, size_t len, char out[LOGCHAIN_HASH_CHARS + 1])
{
	unsigned char h[SHA256_DIGEST_SIZE];
	struct sha256_ctx st;
	sha256_init(&st);
	sha256_update(&st, len, (const uint8_t *)line);
	sha256_digest(&st, sizeof h, h);
	put_hash(out, "sha256:", h);
}

int logchain_hash_as(const char *prev, const char *line, size_t len, char out[LOGCHAIN_HASH_CHARS + 1])
{
	if (!strncmp(prev, "sha256:", 7)) {
		logchain_hash(line, len, out);
		return 0;
	}
	if (!strncmp(prev, "blake2b:", 8)) {
		unsigned char h[32];
		crypto_generichash(h, sizeof h, (const unsigned char *)line, len, NULL, 0);
		put_hash(out, "blake2b:", h);
		return 0;
	}
	return -1;
}

int logchain_signed_message(struct buf *msg, const char *signed_part, size_t len)
{
	static const char domain[] = "authzc log checkpoint";
	buf_reset(msg);
	buf_put(msg, domain, sizeof domain);    /* with its NUL */
	buf_put(msg, signed_part, len);
	return msg->oom ? -1 : 0;
}

void logchain_head(const struct logchain *c, struct buf *out)
{
	char digits[20];
	size_t n = 0;
	for (uint64_t v = c->seq + 1; v || !n; v /= 10)    /* no printf: it is on every record */
		digits[sizeof digits - ++n] = (char)('0' + v % 10);
	buf_puts(out, "{\"seq\":");
	buf_put(out, digits + sizeof digits - n, n);
	buf_puts(out, ",\"prev\":");
	if (c->has_prev) {
		buf_putc(out, '"');
		buf_puts(out, c->prev);
		buf_putc(out, '"');
	} else {
		buf_puts(out, "null");
	}
	buf_putc(out, ',');
}

/* The line out[at..) is complete (without '\n'): hash it, end it, and
 * move the chain on; a checkpoint starts a new stretch. */
static int finish_line(struct logchain *c, struct buf *out, size_t at, bool checkpoint)
{
	if (out->oom)
		return -1;
	logchain_hash(out->p + at, out->n - at, c->prev);
	c->has_prev = true;
	c->seq++;
	c->uncovered = checkpoint ? 0 : c->uncovered + 1;
	buf_putc(out, '\n');
	return out->oom ? -1 : 0;
}

static void put_time(struct buf *out, int64_t ms)
{
	char t[32];
	authz_format_time(ms, t);
	buf_puts(out, "\"time\":\"");
	buf_puts(out, t);
	buf_putc(out, '"');
}

int logchain_seal(struct logchain *c, struct buf *out, size_t at)
{
	if (out->oom || out->n - at < 2 || out->p[at] != '{' || out->p[out->n - 1] != '}')
		return -1;
	return finish_line(c, out, at, false);
}

int logchain_record(struct logchain *c, const char *rec, size_t len, struct buf *out)
{
	if (len < 4 || rec[0] != '{' || rec[len - 1] != '\n' || rec[len - 2] != '}')
		return -1;
	size_t at = out->n;
	logchain_head(c, out);
	buf_put(out, rec + 1, len - 2);
	return finish_line(c, out, at, false);
}

/* A start record, after_damage when `file` is not NULL. */
static int start_record(struct logchain *c, int64_t now_ms, struct buf *out, const char *file,
			uint64_t offset, const char *reason)
{
	c->seq = 0;
	c->has_prev = false;
	size_t at = out->n;
	logchain_head(c, out);
	buf_puts(out, "\"log\":\"start\",");
	put_time(out, now_ms);
	if (file) {
		buf_puts(out, ",\"after_damage\":{\"file\":");
		json_put_str(out, file, strlen(file));
		buf_printf(out, ",\"offset\":%" PRIu64 ",\"reason\":", offset);
		json_put_str(out, reason, strlen(reason));
		buf_putc(out, '}');
	}
	buf_putc(out, '}');
	return finish_line(c, out, at, false);
}

int logchain_start(struct logchain *c, int64_t now_ms, struct buf *out)
{
	return start_record(c, now_ms, out, NULL, 0, NULL);
}

int logchain_gap(struct logchain *c, uint64_t dropped, int64_t now_ms, struct buf *out)
{
	size_t at = out->n;
	logchain_head(c, out);
	buf_printf(out, "\"log\":\"gap\",\"dropped\":%" PRIu64 ",", dropped);
	put_time(out, now_ms);
	buf_putc(out, '}');
	return finish_line(c, out, at, false);
}

bool logchain_due(const struct logchain *c, int64_t now_ms)
{
	return c->key && c->uncovered &&
	       (c->uncovered >= c->every || now_ms - c->last_checkpoint_ms >= c->interval_ms);
}

int logchain_checkpoint(struct logchain *c, int64_t now_ms, bool final, struct buf *out)
{
	if (!c->key || (!c->uncovered && !final) || !c->seq)
		return 0;
	size_t at = out->n;
	logchain_head(c, out);
	buf_puts(out, "\"log\":\"checkpoint\",");
	put_time(out, now_ms);
	buf_puts(out, ",\"key\":\"");
	buf_puts(out, c->key->pub.id);
	buf_putc(out, '"');
	if (final)
		buf_puts(out, ",\"final\":true");
	if (out->oom || logchain_signed_message(&c->scratch, out->p + at, out->n - at) < 0)
		return -1;
	unsigned char sig[EV_SIG_BYTES];
	char b64[EV_SIG_B64_CHARS + 1];
	ev_sign(c->key, c->scratch.p, c->scratch.n, sig);
	ev_sig_to_b64(sig, b64);
	buf_puts(out, ",\"sig\":\"");
	buf_puts(out, b64);
	buf_puts(out, "\"}");
	c->last_checkpoint_ms = now_ms;
	return finish_line(c, out, at, true);
}

/* ---- continuing a chain ----------------------------------------------------- */

enum tail { TAIL_NONE, TAIL_OK, TAIL_DAMAGED };

/*
 * Read the last line of the open file `fd` (size `size` > 0) into `line`.
 * TAIL_OK with the line (without '\n'); TAIL_DAMAGED with *reason and
 * *offset (where the damaged line starts), *ends_nl whether the file ends
 * in '\n'.  -1 on a read error (errno).
 */
static int last_line(int fd, uint64_t size, struct buf *line, const char **reason, uint64_t *offset,
		     bool *ends_nl)
{
	char chunk[65536];
	uint64_t end = size, pos = size;
	bool first = true;
	buf_reset(line);
	*ends_nl = true;
	for (;;) {
		size_t n = pos > sizeof chunk ? sizeof chunk : (size_t)pos;
		pos -= n;
		ssize_t got = pread(fd, chunk, n, (off_t)pos);
		if (got != (ssize_t)n) {
			if (got >= 0)
				errno = EIO;
			return -1;
		}
		size_t i = n;
		if (first) {
			first = false;
			if (chunk[n - 1] != '\n')
				*ends_nl = false;
			else
				i--, end--;
		}
		while (i > 0 && chunk[i - 1] != '\n')
			i--;
		if (i > 0 || pos == 0) {
			uint64_t start = pos + i;
			*offset = start;
			if (end - start > LOGCHAIN_TAIL_MAX) {
				*reason = "the last line is longer than the writer reads back";
				return TAIL_DAMAGED;
			}
			buf_fill(line, 0, (size_t)(end - start));
			if (line->oom) {
				errno = ENOMEM;
				return -1;
			}
			if (pread(fd, line->p, line->n, (off_t)start) != (ssize_t)line->n) {
				errno = EIO;
				return -1;
			}
			if (!*ends_nl) {
				*reason = "the last line is cut short (no end of line)";
				return TAIL_DAMAGED;
			}
			return TAIL_OK;
		}
		if (size - pos > LOGCHAIN_TAIL_MAX) {
			*offset = pos;
			*reason = "the last line is longer than the writer reads back";
			return TAIL_DAMAGED;
		}
	}
}

/* The seq and hash of a chained line, or -1 when it is not one. */
static int parse_line(const char *line, size_t len, uint64_t *seq)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	int rc = -1;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "seq");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "prev");
	if (cJSON_IsObject(j) && cJSON_IsNumber(s) && s->valuedouble >= 1 &&
	    s->valuedouble < 9007199254740992.0 && s->valuedouble == (double)(uint64_t)s->valuedouble &&
	    (cJSON_IsNull(p) || cJSON_IsString(p))) {
		*seq = (uint64_t)s->valuedouble;
		rc = 0;
	}
	cJSON_Delete(j);
	return rc;
}

/* The file to continue: `path` when it holds anything, else the newest
 * rotated PATH.N; NULL (nothing to continue) or a malloc'd path. */
static char *file_to_continue(const char *path, int *err)
{
	struct stat st;
	*err = 0;
	if (stat(path, &st) == 0 && st.st_size > 0)
		return strdup(path);
	size_t len = strlen(path) + 24;
	char *p = malloc(len), *best = NULL;
	if (!p) {
		*err = ENOMEM;
		return NULL;
	}
	for (unsigned i = 1; i < 1000000; i++) {
		snprintf(p, len, "%s.%u", path, i);
		if (stat(p, &st) < 0)
			break;
		if (st.st_size > 0) {
			free(best);
			if (!(best = strdup(p))) {
				*err = ENOMEM;
				break;
			}
		}
	}
	free(p);
	return best;
}

int logchain_resume(struct logchain *c, const char *path, int64_t now_ms, struct buf *out,
		    char *err, size_t size)
{
	int e;
	char *from = file_to_continue(path, &e);
	if (!from) {
		if (e) {
			snprintf(err, size, "out of memory");
			return -1;
		}
		return start_record(c, now_ms, out, NULL, 0, NULL) < 0 ? (snprintf(err, size, "out of memory"), -1) : 0;
	}
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, size, "cannot read '%s' to continue its chain: %s", from, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(from);
		return -1;
	}
	struct buf line = { 0 };
	const char *reason = NULL;
	uint64_t offset = 0, seq = 0;
	bool ends_nl = true;
	int rc = last_line(fd, (uint64_t)st.st_size, &line, &reason, &offset, &ends_nl);
	close(fd);
	if (rc < 0) {
		snprintf(err, size, "cannot read '%s' to continue its chain: %s", from, strerror(errno));
		buf_release(&line);
		free(from);
		return -1;
	}
	if (rc == TAIL_OK && parse_line(line.p, line.n, &seq) < 0) {
		rc = TAIL_DAMAGED;
		reason = "the last line is not a chained record";
	}
	int ret = 0;
	if (rc == TAIL_OK) {
		c->seq = seq;
		c->has_prev = true;
		logchain_hash(line.p, line.n, c->prev);
		c->uncovered = 1;       /* a checkpoint at the end may cover a restart */
	} else {
		/* A damaged line in the current file is ended, so the start
		 * record is a line of its own. */
		if (!ends_nl && !strcmp(from, path))
			buf_putc(out, '\n');
		if (start_record(c, now_ms, out, from, offset, reason) < 0)
			ret = -1;
	}
	if (ret < 0 || out->oom) {
		snprintf(err, size, "out of memory");
		ret = -1;
	}
	buf_release(&line);
	free(from);
	return ret;
}
