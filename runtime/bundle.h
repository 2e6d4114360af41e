/*
 * bundle.h: the bundle file layout (authzc-bundle(5)) and the in-memory
 * form of a loaded, verified bundle.  Internal to the runtime.
 *
 * File: a 72-byte header, the section table (each section's length as a
 * varint, in section order), then the sections back to back, the last one
 * ending the file.  Fixed-width header integers are little-endian; inside
 * the sections every count, index, offset and length is an unsigned LEB128
 * varint (signed values zigzag-encoded), canonical (no redundant bytes).
 * The loader expands them into the in-memory tables below, so evaluation
 * does not see the encoding.
 *
 *   0  4  magic "\x1b" "AZB"        32 32 SHA-256 of bytes [0,32) + [64,end)
 *   4  2  format version (3)        64  4 number of sections (7)
 *   6  2  zero                      68  4 zero
 *   8  8  probe 19 93 0d 0a 1a 0a 00 ff
 *  16  8  sentinel 0x1122334455667788
 *  24  8  total length in bytes of the body (all but a signature section)
 *
 * Version 3 is unsigned; version 4 is the same body followed by the
 * 108-byte signature section (signature.c), outside the digest:
 *
 *   0  4  magic "\x1b" "AZS"         12 32 the digest it signs (= bytes 32..64)
 *   4  8  key id (its 16 hex digits)  44 64 Ed25519 signature of
 *         SIG_DOMAIN (with its NUL) || digest || key id
 */
#ifndef AUTHZ_BUNDLE_H
#define AUTHZ_BUNDLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "authz.h"
#include "owned.h"
#include "value.h"

#define BUNDLE_MAGIC "\x1b" "AZB"
#define BUNDLE_VERSION 3          /* unsigned; bundle_write.c writes it */
#define BUNDLE_VERSION_SIGNED 4   /* a signature section follows the body */
#define SIG_MAGIC "\x1b" "AZS"
#define SIG_DOMAIN "authzc bundle signature v1"
#define SIG_KEYID_BYTES 8
#define SIG_SECTION_SIZE (4 + SIG_KEYID_BYTES + 32 + 64)
#define BUNDLE_PROBE "\x19\x93\r\n\x1a\n\0\xff"
#define BUNDLE_SENTINEL UINT64_C(0x1122334455667788)
#define BUNDLE_HEADER_SIZE 72
/* AUTHZ_MAX_BUNDLE_SIZE: authz_limits.h */
#define BUNDLE_NO_INDEX UINT32_MAX      /* "none" for u32 references */

enum bundle_section {
	SEC_STRINGS = 1, SEC_CONSTS, SEC_SCHEMA, SEC_RULES, SEC_CODE, SEC_DEBUG, SEC_META,
	BUNDLE_NSECTIONS = SEC_META
};

enum bundle_ns { NS_ENTITY = 0, NS_CONTEXT = 1 };

struct bundle_slot { uint32_t parent, name, ns; };
/* The flags byte of a field and of an owner in the schema section. */
enum { BUNDLE_F_OPTIONAL = 1, BUNDLE_F_OPEN = 2 };
/* `open`: a record that accepts attributes its schema does not declare
 * ("additionalAttributes": true); a request naming an undeclared attribute
 * of a closed record is a request error. */
struct bundle_field {
	uint32_t slot;
	uint8_t type, elem, optional, open;
	uint32_t first_child, nchild;
};
/* An entity type, or (last, name BUNDLE_NO_INDEX) the context record: its
 * fields are [first, first + nall), the top-level ones [first, first + ntop);
 * `open` as for a record field. */
struct bundle_owner { uint32_t name, first, ntop, nall; uint8_t open; };
struct bundle_action { uint32_t name; const uint64_t *principals, *resources; };
/* A check of a request (rt_required_build): slot must be present, unless
 * `optional`; an absent optional one skips the `skip` checks after it (its
 * record's fields). */
struct bundle_req { uint32_t slot; uint32_t optional : 1, skip : 31; };
struct bundle_rule {
	uint32_t id;
	uint8_t effect, has_expires;
	uint8_t scope_named;            /* bit AUTHZ_SCOPE_*: the source names that part */
	int64_t expires;
	uint32_t code_off, code_len, nguards, ann_first, ann_n;
	const uint64_t *principals, *actions, *resources;  /* scope bitsets */
};
struct bundle_pos { uint32_t file, line, col, extra; };  /* extra: rule: first guard; guard: text */

/*
 * The arrays an authz_bundle owns (owned.h), declared once: each becomes a
 * field of the struct below (a pointer to TYPE), is allocated by the loader
 * or one of the builders it calls (index.c excepted: b->index is one
 * object with its own free), and is freed by authz_bundle_free walking
 * this list.  An owned array is added here and nowhere else.
 */
#define BUNDLE_ARRAYS(X, s) \
	X(s, uint8_t, buf)              /* a copy of the bundle's bytes */ \
	X(s, const char *, str)         /* NUL-terminated, inside strblob */ \
	X(s, uint32_t, strlen) \
	X(s, char, strblob)             /* the strings, each NUL-terminated */ \
	X(s, uint8_t, marks)            /* loader's scratch: names seen */ \
	X(s, struct vm_value, consts) \
	X(s, struct vm_value, elems)    /* set elements of constants */ \
	X(s, struct bundle_slot, slots) \
	X(s, struct bundle_field, fields) \
	X(s, uint64_t, fkey)            /* per field: bundle_name_key of its name */ \
	X(s, struct bundle_owner, owners) /* ntypes + 1 */ \
	X(s, struct bundle_action, actions) \
	X(s, uint64_t, bits)            /* every scope bitset */ \
	X(s, struct bundle_rule, rules) \
	X(s, uint32_t, ann)             /* key, value string pairs */ \
	X(s, uint32_t, code) \
	X(s, uint32_t, files) \
	X(s, struct bundle_pos, rule_pos) \
	X(s, struct bundle_pos, guard_pos) \
	X(s, uint8_t, img)              /* rule_image.c: each rule's image */ \
	X(s, uint32_t, img_off)         /* per rule: its image's offset in img */ \
	X(s, struct bundle_req, req)    /* request.c: required-attribute checks */ \
	X(s, struct bundle_req, req_cond) \
	X(s, uint32_t, req_must) \
	X(s, uint32_t, req_first)       /* also holds must_first, cond_first */

struct authz_bundle {
	BUNDLE_ARRAYS(RT_OWNED_MEMBER, )
	size_t len;                     /* bytes of buf: the body (the header's length) */
	size_t file_len;                /* bytes loaded: the body and any signature section */
	char signer[AUTHZ_KEY_ID_CHARS + 1];  /* key id of the signature; "" unsigned */
	bool sig_verified;              /* verified against a trusted key at load */
	char digest[72];                /* "sha256:" + hex */
	char schema_digest[72];         /* the same, of the schema section */
	uint32_t nstrings;
	uint32_t nconsts;
	uint32_t nslots, nfields, ntypes, nactions;
	uint32_t tw, aw;                /* u64 words of a type / action bitset */
	uint32_t nrules;
	uint32_t nann;
	uint32_t ncode;
	struct rt_index *index;         /* index.c: built by rt_bundle_prepare */
	size_t img_len;                 /* bytes of img */
	uint32_t sec_off[BUNDLE_NSECTIONS], sec_len[BUNDLE_NSECTIONS];   /* in buf */
	uint32_t nfiles;
	bool has_debug;
	uint32_t nguard_pos;
	/* request.c, rt_required_build: the required-attribute checks of
	 * owner o are req[req_first[o] .. req_first[o + 1]) in field order;
	 * the same split for speed: the slots every request of o must have,
	 * req_must[must_first[o] ..), and the subtrees of its optional records
	 * that hold a required field, req_cond[cond_first[o] ..).  must_first
	 * and cond_first point into req_first's allocation. */
	uint32_t *must_first, *cond_first;
	uint32_t revision;
	uint32_t max_stack;
	uint32_t max_context_slots;
	/* rt_bundle_prepare: the rule images and the index are built once,
	 * at the first decision (or authz_bundle_prepare), under prep_lock;
	 * `prepared` (release / acquire) says they are complete. */
	pthread_mutex_t prep_lock;
	bool has_lock;                  /* prep_lock initialized */
	atomic_bool prepared;
};

/* Build the rule images and the index of a loaded bundle unless they are
 * built (bundle_load.c): 0 or AUTHZ_ENOMEM (nothing is then kept half
 * built: a later call tries again).  Safe from any number of threads at
 * once; after the first success, one atomic load. */
AUTHZ_INTERNAL int rt_bundle_prepare_slow(const authz_bundle *b);
static inline int rt_bundle_prepare(const authz_bundle *b)
{
	return atomic_load_explicit(&b->prepared, memory_order_acquire) ? 0 : rt_bundle_prepare_slow(b);
}

/* Flags of rt_index_build: leave out a level of the index (for tests
 * that prove the index changes no decision). */
enum { RT_INDEX_NO_LITERALS = 1, RT_INDEX_NO_SCOPE = 2 };
/* Build b->index from the verified tables (index.c); 0 or AUTHZ_ENOMEM. */
AUTHZ_INTERNAL int rt_index_build(authz_bundle *b, unsigned flags);
/* Replace the index of `b` (loaded, not yet shared) by one built with
 * `flags`; 0 or AUTHZ_ENOMEM (b then has no usable index: free it). */
AUTHZ_INTERNAL int rt_index_rebuild(authz_bundle *b, unsigned flags);
AUTHZ_INTERNAL void rt_index_free(struct rt_index *ix);

/* Bundles of this many bytes or more are hashed on a second thread while
 * they are decoded (bundle_load.c; 1 MiB).  A variable for the tests,
 * which set it to 0 to take that path with small bundles. */
AUTHZ_INTERNAL extern size_t rt_hash_thread_min;

/* Build b->req and the other required-attribute tables from the verified field tables
 * (request.c): 0, AUTHZ_ENOMEM, or AUTHZ_EFORMAT when the fields are not a
 * tree. */
AUTHZ_INTERNAL int rt_required_build(authz_bundle *b);
/* Check the signature section of the bundle p[0..len) whose body (the
 * header's length, already digested into `digest`) is p[0..body): that it
 * is whole and signs this digest, and with opts' keys (if any) that one of
 * them made it.  An unsigned bundle (version 3) has body == len.  Sets
 * signer ("" unsigned) and *verified; 0, or AUTHZ_ESIGNATURE with `err`
 * (signature.c). */
AUTHZ_INTERNAL int rt_signature_check(const uint8_t *p, size_t len, size_t body, const uint8_t digest[32],
				      const authz_load_options *opts, char signer[AUTHZ_KEY_ID_CHARS + 1],
				      bool *verified, authz_error *err);
/* Verify the code of every rule (verify.c); 0 or AUTHZ_EFORMAT with `err`. */
AUTHZ_INTERNAL int rt_verify_code(authz_bundle *b, authz_error *err);
AUTHZ_INTERNAL void rt_bundle_error(authz_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A name's length and a digest of its first and last four bytes in one
 * word, so that a lookup among fields compares one integer per field
 * before it compares bytes (equal keys imply equal lengths).  In memory
 * only, never in a bundle. */
static inline uint64_t bundle_name_key(const char *s, size_t n)
{
	uint32_t head = 0, tail = 0;
	if (n >= 4) {
		memcpy(&head, s, 4);
		memcpy(&tail, s + n - 4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			head = head << 8 | (unsigned char)s[i];
	}
	return (uint64_t)n << 32 | (head ^ (tail << 13 | tail >> 19));
}
/* The code length of the longest rule of `b` (0 without rules). */
static inline uint32_t bundle_max_code_len(const authz_bundle *b)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < b->nrules; i++)
		if (b->rules[i].code_len > n)
			n = b->rules[i].code_len;
	return n;
}
/* The string of `b` with index i. */
static inline const char *bundle_str(const authz_bundle *b, uint32_t i) { return b->str[i]; }

#endif
