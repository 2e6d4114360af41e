/*
 * promote.h: staged rollout through git refs (authzc-promote(1),
 * authzc-rollback(1)): `promote`, `rollback`, and the promotion records that
 * `status` and `log` read.
 *
 * An environment is the ref <env_ref_prefix><name>.  A move goes through
 * the gates in this order, and the first that refuses stops it with
 * nothing written:
 *
 *   environment   ENV is listed in authzc.json
 *   source        --from resolves to a commit (default: the previous
 *                 environment's commit, or HEAD for the first)
 *   promoter      git user.name and user.email are set (the record names
 *                 who moved it)
 *   order         the source is reachable from the previous environment
 *   fast-forward  the environment's commit is an ancestor of the source
 *   compile       the source commit's own tree compiles
 *   tests         it has tests, and they all pass
 *   coverage      its guard coverage reaches gates.min_guard_coverage
 *                 of the gates in force: authzc.json at the environment's
 *                 current commit, or the source's own for the first
 *                 promotion (so a version cannot lower its own gate; a
 *                 new gate applies once a version carrying it is in)
 *   race          the ref still points where it pointed when we started
 *
 * Then two writes, in this order:
 *   1. the ref, compare-and-swap (git_reference_create_matching against
 *      the commit read at the start; git_reference_create with force=0 for
 *      a first promotion), with a reflog entry (the reflog is created
 *      first for refs git does not log by default);
 *   2. the record, an annotated tag authzc/<env>/<N> on the promoted commit
 *      whose message is the JSON evidence, created with force=0.
 * Why this order: a process that loses the race on the ref has written
 * nothing (its record would otherwise claim a move that never happened, and
 * records are never deleted).  The winner then owns the move; if another
 * record took number N meanwhile (GIT_EEXISTS, or GIT_ELOCKED while it is
 * being written), it takes N+1: numbers only need to count up, and a tag
 * is never overwritten.  Only a failure to write the tag object itself
 * leaves a moved ref without a record; that is reported loudly, and the
 * reflog still holds the move.
 *
 * A rollback moves the ref back (not a fast-forward, on purpose) to a
 * commit the environment had: the latest before the current one that was
 * not rolled back from (a "rollback" record marks the commit it left; a
 * later record moving to it clears the mark), or that of record N.  It needs only the compile gate (the record must name the
 * bundle), records tests and coverage as evidence, and has kind
 * "rollback".
 */
#ifndef AUTHZC_PROMOTE_H
#define AUTHZC_PROMOTE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "approval.h"
#include "coverage.h"
#include "diff.h"
#include "gitx.h"
#include "keyring.h"

struct promote_opts {
	const char *env;
	const char *from;       /* promote: --from, or NULL */
	const char *ticket;     /* --ticket, or NULL */
	bool dry_run;
	bool rollback;
	unsigned to;            /* rollback: --to N, 0 to walk back */
	const char *key;        /* --key KEYFILE: the promoter's promote key */
};

/*
 * The gates in force for a move of `env`: authzc.json at one commit (what
 * the environment runs, or the source's own for a first promotion).
 */
struct promote_gates {
	char from[GIT_OID_HEXSZ + 1];   /* that commit */
	double min;                     /* gates.min_guard_coverage */
	bool refuse_untested;           /* gates.untested_loosening */
	struct ev_keyring keys;         /* trusted_keys */
	bool has_promote_keys;          /* some key has the promote role */
	unsigned approvals;             /* gates.environments.<env> */
	bool require_ticket, has_soak;
	int64_t min_soak_ms;
};

/* Read the gates of `env` from authzc.json at `commit`.  0, or -1 with
 * g->msg (no authzc.json there gives the defaults; an invalid one is an
 * error).  Free with promote_gates_free either way. */
int promote_gates_load(struct gitx *g, const git_oid *commit, const char *env, struct promote_gates *out);
void promote_gates_free(struct promote_gates *gt);

/*
 * Sealing a record: `rec` (the record's JSON object, without "signature")
 * gains "signature": {"key", "name", "sig"} when k is given, or null; the
 * signature is k's of "authzc promotion record v1" NUL and the record's
 * members other than "signature", in order, as compact JSON (cJSON's
 * unformatted printing).  Returns the record's text (cJSON_Print,
 * malloc'd), or NULL when out of memory.
 */
char *record_seal(cJSON *rec, const struct ev_sec *k);

/* The bytes a record's signature covers (malloc'd, *len set), from its
 * parsed JSON `rec`; NULL when out of memory. */
unsigned char *record_signed_bytes(const cJSON *rec, size_t *len);

/* What `log --verify` found about one record. */
struct record_verdict {
	const struct promote_record *r;
	const char *signer;             /* the signing key's name; NULL unsigned */
	size_t approvals;               /* approvals it relied on that verify */
	const char *problem;            /* NULL when it verifies */
};

/* What `log --verify` (and `status`) found about an environment's history. */
struct history_verdict {
	struct record_verdict *recs;    /* up to and including the first bad one */
	size_t n;
	size_t nsigned, nunsigned, nlegacy;
	const char *problem;            /* NULL when the history verifies */
	const char *bad;                /* the tag (or ref) the problem is at */
};

/*
 * Verify the records of `env`: each record's members against its tag
 * (environment, number, commit), the chain (record 1 first, each next
 * number present and carrying the SHA-256 of the previous record's text as
 * stored, and moving from the commit the previous record moved to), the
 * signature against trusted_keys of the gates in force at the record
 * (authzc.json at its previous commit, or its own for record 1), the
 * approvals it lists against the approvals gate, and the environment's ref
 * against the last record.  Stops at the first problem.  0 (out filled),
 * or -1 with g->msg on trouble.
 *
 * With `anchor` (not NULL, and holding keys) the history must also be
 * signed by keys the auditor holds, whatever the repository's authzc.json
 * says: every record signed by one of them (an unsigned or unchained
 * record is a problem) and every approval it relies on made by one.
 */
int promote_verify(struct gitx *g, const char *env, const struct ev_keyring *anchor, struct arena *a,
		   struct history_verdict *out);

/* What the gates found about the version being moved to. */
struct promote_evidence {
	size_t tests_run, tests_passed;
	const char *failed;             /* the first failing test's name */
	struct cov_count guards;
	double coverage, min;           /* min: gates.min_guard_coverage ... */
	char min_from[GIT_OID_HEXSZ + 1];       /* ... of authzc.json at this commit */
	bool under;
	char bundle[80], schema[80];    /* "sha256:..." digests */
	/* gates.untested_loosening "refuse" (from the same authzc.json): the
	 * behaviour diff from what the environment runs (authzc-diff(1)) */
	bool refuse_untested, behaviour_run;
	size_t loosened, untested_loosened, unknown;
	/* approvals, ticket and soak gates, and the record's signature */
	struct approval *approvals;     /* every approval stored for the env */
	size_t napprovals, valid;
	unsigned needed;
	const char *soak_record;        /* the previous environment's record */
	int64_t soaked_ms;
	const char *signer;             /* the promote key's name; NULL unsigned */
};

enum promote_outcome {
	PROMOTE_MOVED,          /* the ref moved and `record` names its record */
	PROMOTE_UNCHANGED,      /* the environment is already at the version */
	PROMOTE_DRY_RUN,        /* every gate passed; nothing was written */
	PROMOTE_REFUSED,        /* `gate` refused for `why`; nothing was written */
	PROMOTE_NO_RECORD,      /* the ref moved, but its record could not be
				 * written (`why`); the reflog holds the move */
};

/* The outcome of promote_run; release with promote_result_release. */
struct promote_result {
	enum promote_outcome outcome;
	const char *gate;       /* REFUSED: "order", "compile", "tests", ... */
	char why[4096];         /* REFUSED, NO_RECORD: the reason */
	char from[8], to[8];    /* short ids ("none" when the env had none) */
	const char *refname;    /* the environment's ref */
	const char *record;     /* MOVED: "authzc/prod/3" */
	struct promote_evidence ev;
	/* Refused by the compile gate: the compilation, whose diagnostics say
	 * why (has_failed). */
	struct diff_side failed;
	bool has_failed;
	struct arena arena;     /* owns the strings above */
};

/*
 * Run a promotion or rollback through the gates (prints nothing).  Returns
 * 0 with *out filled (a refusal is an outcome, not an error), or -1 on
 * trouble with the message in g->msg.  Release *out either way.
 */
int promote_run(struct promote_result *out, struct gitx *g, const struct promote_opts *o);
void promote_result_release(struct promote_result *r);

/* One promotion record (an annotated tag authzc/<env>/<N>). */
struct promote_record {
	unsigned n;
	const char *tag;        /* "authzc/prod/3" */
	char commit[GIT_OID_HEXSZ + 1]; /* the tag's target */
	const char *message;    /* the JSON text */
	/* Read from the JSON (NULL or 0 when missing): */
	const char *kind, *previous, *bundle, *time, *name, *email, *ticket;
	double tests_run, tests_passed, coverage;
};

/* The records of `env`, ascending by N, in `a`.  Tags under authzc/<env>/
 * that are not annotated or not numbered are skipped. */
int promote_records(struct gitx *g, const char *env, struct arena *a,
		    struct promote_record **out, size_t *n);

#endif
