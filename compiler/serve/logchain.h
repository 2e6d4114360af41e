/*
 * logchain.h: the hash chain and signed checkpoints of decision logs
 * (eval --log, serve --log; authzc-audit(1), "THE CHAIN").
 *
 * Every line of a chained log is one JSON object whose first two members
 * are its sequence number and the hash of the line before it:
 *
 *   {"seq":N,"prev":"sha256:HEX",...}
 *
 * HEX is the SHA-256 of the exact bytes of the previous line, without its
 * '\n' (what `sha256sum` prints); nothing is canonicalised, so a verifier
 * hashes what it reads.  The prefix names the algorithm: the first
 * writers (December 2026) used "blake2b:" (the 32-byte BLAKE2b of
 * libsodium's crypto_generichash, `b2sum -l 256`), and a verifier hashes
 * the line before with the algorithm each "prev" names.  SHA-256 by
 * nettle, on the CPU's SHA instructions where there are some, rather than
 * libsodium's BLAKE2b: the hash is on every record and the chain's budget
 * is 10% of `eval --log` (authzc-audit(1), the README's benchmarks); with SHA-NI a
 * 1.2 kB record hashes in 0.87 us against BLAKE2b's 1.45 us.
 * seq counts from 1 and goes up by one on every line, across
 * rotated files and restarts.  Besides decision records (eval_log_record,
 * with "seq" and "prev" put in front) a chain holds:
 *
 *   {"seq":1,"prev":null,"log":"start","time":T}
 *       a new chain; with "after_damage":{"file":F,"offset":O,"reason":R}
 *       when the writer found the tail of F damaged at byte O and could not
 *       continue the chain there
 *   {"seq":N,"prev":P,"log":"gap","dropped":K,"time":T}
 *       K decision records were dropped (queue full) or could not be
 *       written just before this point
 *   {"seq":N,"prev":P,"log":"checkpoint","time":T,"key":ID[,"final":true],"sig":S}
 *       signed with a `log` key: S is the base64 Ed25519 signature of
 *       "authzc log checkpoint\0" followed by the line's bytes up to, not
 *       including, ',"sig":'.  The line holds seq N and the hash P of
 *       record N-1, so it covers the whole chain up to there.
 *
 * Nothing here prints or writes files: functions append lines to a buffer
 * the caller writes with one write(2) per line.
 */
#ifndef AUTHZC_LOGCHAIN_H
#define AUTHZC_LOGCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "keys.h"

#define LOGCHAIN_EVERY 1000u            /* records between checkpoints */
#define LOGCHAIN_INTERVAL_MS 60000      /* ... or this long */
/* The longest hash: "blake2b:" and 64 hex digits ("sha256:" is one shorter). */
#define LOGCHAIN_HASH_CHARS (8 + 64)
/* The longest last line a writer reads back to continue a chain. */
#define LOGCHAIN_TAIL_MAX (8u << 20)

struct logchain_opts {
	const struct ev_sec *key;       /* NULL: no checkpoints */
	uint64_t every;                 /* 0: LOGCHAIN_EVERY */
	int64_t interval_ms;            /* 0: LOGCHAIN_INTERVAL_MS */
};

struct logchain {
	uint64_t seq;                   /* of the last line; 0: none yet */
	bool has_prev;
	char prev[LOGCHAIN_HASH_CHARS + 1];     /* the last line's hash */
	const struct ev_sec *key;
	uint64_t every;
	int64_t interval_ms;
	uint64_t uncovered;             /* lines since the last checkpoint */
	int64_t last_checkpoint_ms;
	struct buf scratch;             /* the signed message */
};

/* The chain state for a log, before its file is read (logchain_resume). */
void logchain_init(struct logchain *c, const struct logchain_opts *o, int64_t now_ms);
void logchain_release(struct logchain *c);

/*
 * Continue the chain of the log at `path` (which the caller has opened for
 * appending): read its last line -- or, when it is empty or missing, the
 * last line of the newest rotated PATH.N (the highest N of PATH.1, PATH.2,
 * ... without a hole) -- and go on from its seq and hash.  When there is
 * no line, a start record is appended to `out`; when the last line is cut
 * short or is not a chained record, "\n" (if the file does not end in one)
 * and a start record with "after_damage" are.  0, or -1 with why in
 * err[0..size) (the file cannot be read, out of memory).
 */
int logchain_resume(struct logchain *c, const char *path, int64_t now_ms, struct buf *out,
		    char *err, size_t size);

/* Append a start record for a log that is not a file (standard output). */
int logchain_start(struct logchain *c, int64_t now_ms, struct buf *out);

/*
 * Append the decision record rec[0..len) -- one JSON object and its '\n',
 * as eval_log_record makes it -- with "seq" and "prev" put in front, and
 * move the chain on.  0, or -1 (out of memory, or rec is not "{...}\n").
 */
int logchain_record(struct logchain *c, const char *rec, size_t len, struct buf *out);

/*
 * The same in two steps, for a writer that builds its record in place (no
 * copy of it): logchain_head appends {"seq":N,"prev":P, -- the head of
 * the next line -- to out; the caller appends the record's members and
 * its closing '}'; logchain_seal hashes the line out[at..), `at` where the
 * head began, appends its '\n' and moves the chain on.  0, or -1 (out of
 * memory, or out[at..) is not "{...}").  Nothing else may come between.
 */
void logchain_head(const struct logchain *c, struct buf *out);
int logchain_seal(struct logchain *c, struct buf *out, size_t at);
/* Append a gap record: `dropped` records are missing here. */
int logchain_gap(struct logchain *c, uint64_t dropped, int64_t now_ms, struct buf *out);

/* Whether a checkpoint is due: a key, lines since the last one, and
 * `every` of them or `interval_ms` since the last. */
bool logchain_due(const struct logchain *c, int64_t now_ms);

/* Append a checkpoint signed with the key (nothing without a key, or when
 * no line came since the last checkpoint unless `final`). */
int logchain_checkpoint(struct logchain *c, int64_t now_ms, bool final, struct buf *out);

/* The hash a writer puts in "prev" of line[0..len) ("sha256:" and hex),
 * NUL-terminated, into out. */
void logchain_hash(const char *line, size_t len, char out[LOGCHAIN_HASH_CHARS + 1]);
/*
 * The hash of line[0..len) by the algorithm `prev` names -- the "prev" of
 * the line after it, "sha256:..." or "blake2b:..." -- into out, for a
 * verifier to compare with prev.  0, or -1 when prev names no algorithm
 * this version knows.
 */
int logchain_hash_as(const char *prev, const char *line, size_t len, char out[LOGCHAIN_HASH_CHARS + 1]);

/* The message a checkpoint's signature covers: "authzc log checkpoint\0"
 * and signed[0..len), into `msg` (reset first).  0 or -1. */
int logchain_signed_message(struct buf *msg, const char *signed_part, size_t len);

#endif
