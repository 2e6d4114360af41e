/*
 * logverify.h: checking chained decision logs (authzc audit verify,
 * authzc-audit(1)): the hash chain of logchain.h over one or more files,
 * and the signatures of its checkpoints against trusted `log` keys.
 *
 * The files may be given in any order: each is placed by the seq of its
 * first record (rotation's FILE.1, FILE.2, ..., FILE are put back in their
 * order whatever the shell's glob made of them), then the records are read
 * in that order.  The first problem stops the check; warnings (dropped
 * records, records no signed checkpoint covers yet, a log that does not end
 * with a final checkpoint) do not.
 */
#ifndef AUTHZC_LOGVERIFY_H
#define AUTHZC_LOGVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"

enum logverify_kind {
	LV_OK = 0,
	LV_TRUNCATED,   /* a line cut short, or the log ends before --min-seq */
	LV_MALFORMED,   /* a line that is not a chained record: edited or inserted */
	LV_MODIFIED,    /* the previous record's hash does not match */
	LV_DELETED,     /* seq skips forward */
	LV_REORDERED,   /* seq goes back or repeats: reordered, inserted or repeated */
	LV_RESTARTED,   /* a new chain starts in the middle */
	LV_SIGNATURE,   /* a checkpoint whose signature does not verify */
	LV_UNTRUSTED,   /* a checkpoint by a key not trusted for `log` */
};

/* The word for a kind, as --format json writes it. */
const char *logverify_kind_name(enum logverify_kind k);

struct logverify_warning {
	const char *file;       /* one of the paths given */
	uint64_t line, seq;
	uint64_t dropped;       /* a gap record: how many */
};

struct logverify_result {
	uint64_t files, records, decisions, checkpoints, gaps, dropped;
	uint64_t first_seq, last_seq;
	char first_time[40], last_time[40];     /* earliest and latest "time"; "" when none */
	uint64_t uncovered;     /* records after the last good checkpoint */
	const char *last_checkpoint_file;       /* NULL: none */
	uint64_t last_checkpoint_line, last_checkpoint_seq;
	bool final;             /* the last record is a final checkpoint */
	struct logverify_warning *gap_list;     /* malloc'd, ngaps of them */
	size_t ngaps;
	/* The first problem (kind LV_OK: none). */
	enum logverify_kind kind;
	const char *file;
	uint64_t line, seq;
	char message[512];
};

/*
 * Check paths[0..n) (reordered in place by their first records) against
 * the `log` keys of `kr`.  `min_seq` > 0: the log must reach that seq.
 * 0 with *r filled in (r->kind says whether a problem was found), or -1
 * with why in err[0..size) when a file cannot be read or memory runs out.
 * logverify_free(r) afterwards either way.
 */
int logverify_files(const char **paths, size_t n, const struct ev_keyring *kr, uint64_t min_seq,
		    struct logverify_result *r, char *err, size_t size);
void logverify_free(struct logverify_result *r);

#endif
