/*
 * approval.h: signed approvals of a commit for an environment
 * (authzc-approve(1)) and their judgement by the approvals gate of
 * `promote` and by `log --verify`.
 *
 * An approval is a blob of JSON under the ref
 *
 *   refs/authzc/approvals/<env>/<commit>/<keyid>
 *
 * holding "environment", "commit", "key" (the key id), "name" (the key's
 * name), "ticket" (or null), "time" (RFC 3339) and "signature": the
 * base64 Ed25519 signature, by the key, of the bytes
 *
 *   "authzc approval v1" NUL env NUL commit NUL keyid NUL ticket NUL time
 *
 * (ticket "" when none).  The ref is only an index: what counts is what
 * the signature covers, so an approval copied under another commit's ref
 * is rejected as being for another commit.
 */
#ifndef AUTHZC_APPROVAL_H
#define AUTHZC_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gitx.h"
#include "keyring.h"

#define APPROVAL_REF_PREFIX "refs/authzc/approvals/"

struct approval {
	const char *ref;        /* the ref it was read from (NULL: from a record) */
	const char *env, *commit, *key, *name, *ticket, *time, *sig;
	const char *reject;     /* set by approval_judge: NULL when it counts */
	const char *signer;     /* the trusted key's name, when the key is known */
};

/* The signed bytes of an approval (malloc'd, *len set); NULL when out of
 * memory. */
unsigned char *approval_message(const char *env, const char *commit, const char *key,
				const char *ticket, const char *time, size_t *len);

/*
 * Sign an approval of `commit` for `env` with `k` at `now_ms` and store it
 * under its ref, never replacing one (the same key approving the same
 * commit twice is refused).  0 with *ref set (a's), or -1 with g->msg.
 */
int approval_write(struct gitx *g, struct arena *a, const char *env, const git_oid *commit,
		   const struct ev_sec *k, const char *ticket, int64_t now_ms, const char **ref);

/* Every approval stored for `env` (any commit), by the name each carries
 * and then by ref, into a.
 * An unreadable one is listed with its reason in `reject`. */
int approval_list(struct gitx *g, struct arena *a, const char *env, struct approval **out, size_t *n);

/* What the promoter's key is (its id and its name), for separation of
 * duties; id NULL when the promotion is unsigned. */
struct approval_promoter {
	const char *id, *name;
};

/*
 * Judge one approval for a promotion of `commit` to `env` under the
 * trusted keys `kr`: sets ap->reject to why it does not count (for another
 * environment or commit, unknown key, key without the approve role, bad
 * signature, made by the promoter, for another ticket), or NULL.  `ticket`
 * is the promotion's ticket (an approval naming a ticket must name the
 * same one; with require_ticket it must name one).
 */
void approval_judge(struct approval *ap, struct arena *a, const char *env, const char *commit,
		    const struct ev_keyring *kr, const struct approval_promoter *promoter,
		    const char *ticket, bool require_ticket);

/*
 * Count the approvals of `aps` that passed approval_judge, one per
 * approver (trusted key name); a later one from an approver already
 * counted gets reject "another approval by the same approver".
 */
size_t approval_count(struct approval *aps, size_t n);

#endif
