/*
 * declog.h: decision records of `authzc serve` (--log), written by a
 * thread of their own through a bounded in-memory queue, so that logging
 * never stalls a decision (authzc-serve(1), DECISION LOGS).
 *
 * Each record is one line, eval --log's form (eval_log_record), written
 * with one write(2) to a file opened for appending, so no record is ever
 * half-written and several processes may share the file.  When the queue
 * is full a record is dropped and counted, or, with `block`, the decision
 * waits for room.  A file that grows past `max_bytes` is renamed FILE.1
 * (FILE.2, ...: the first free number; none is overwritten) and a new one
 * is started.  A crash loses at most what was in the queue.
 *
 * The log is hash-chained (logchain.h), in the writer thread, so no
 * decision waits for a hash: each record gets its seq and the hash of the
 * line before it as it is written; records dropped or not written leave a
 * gap record saying how many; with a key, a signed checkpoint is written
 * every `chain.every` records or `chain.interval_ms`, into a full file just
 * before it is rotated, and on close.  At open the chain is continued from
 * the tail of the file (or of its newest rotated PATH.N).  The file is
 * locked (flock): one writer per chained log.
 */
#ifndef AUTHZC_DECLOG_H
#define AUTHZC_DECLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logchain.h"

#define DECLOG_QUEUE 8192u

struct declog_opts {
	const char *path;       /* "-": standard output */
	size_t queue;           /* records queued at most; 0: DECLOG_QUEUE */
	uint64_t max_bytes;     /* rotate past this size; 0: never */
	bool block;             /* wait for room instead of dropping */
	struct logchain_opts chain;     /* checkpoint key and intervals */
};

struct declog_counts {
	uint64_t written, dropped, failed, rotations;
};

struct declog;

/* Open the file (created when missing) and start the writer.  0, or -1
 * with why in err[0..size). */
int declog_open(struct declog **out, const struct declog_opts *o, char *err, size_t size);

/* Queue one record, rec[0..len) ending in '\n' (copied).  0 queued, 1
 * dropped (the queue is full, or out of memory). */
int declog_push(struct declog *l, const char *rec, size_t len);

/* Count a record that could not be made (out of memory) as dropped. */
void declog_drop(struct declog *l);

void declog_get_counts(struct declog *l, struct declog_counts *out);

/* Write everything queued, stop the writer and close (NULL: nothing). */
void declog_close(struct declog *l);

#endif
