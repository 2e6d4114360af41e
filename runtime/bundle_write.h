/*
 * bundle_write.h: build a bundle (for the code generator).  Internal: not
 * installed, used by compiler/ through libauthz.a.
 *
 * Usage:
 *   bw_new(&w);
 *   declare the schema: bw_entity_type, bw_attr (entity types and, with
 *     owner BW_CONTEXT, the context), bw_action;
 *   for each rule, in rule-table order:
 *     bw_rule_begin(w, &desc, &rule); bw_annotation(...)...;
 *     for each guard: bw_guard(...) then its code (bw_emit / bw_jump /
 *       bw_patch_here) ending in WHEN or UNLESS with that guard's index;
 *     bw_emit(w, AUTHZ_CREATE_N(AUTHZ_OP_APPLY)); bw_rule_end(w);
 *   bw_finish(w, &buf, &len);   (serialized, then loaded and verified)
 *   bw_free(w);
 *
 * Every function returns 0 or a negative AUTHZ_E* code.  The first error
 * sticks: later calls return it too, and bw_error(w) gives its message.
 * Constants and strings are interned (the same value gives the same index).
 * Attribute reads use slots: a slot names an attribute path ("workload",
 * "workload.signed") in one of two namespaces, entity (principal and
 * resource share it) or context; the slot of a path is the same for every
 * entity type that declares it.
 */
#ifndef AUTHZ_BUNDLE_WRITE_H
#define AUTHZ_BUNDLE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "bytecode.h"

struct bundle_writer;

#define BW_CONTEXT UINT32_MAX   /* owner of context attributes */
#define BW_NO_JUMP UINT32_MAX   /* empty jump list */

enum bw_ns { BW_NS_ENTITY = 0, BW_NS_CONTEXT = 1 };

/* A new writer; 0, or AUTHZ_ENOMEM with *out NULL (nothing to free). */
int bw_new(struct bundle_writer **out);
/* Free `w` and all it holds; NULL is fine. */
void bw_free(struct bundle_writer *w);
/* The message of the first error ("" when none). */
const char *bw_error(const struct bundle_writer *w);

/* ---- strings and constants ---- */
int bw_string(struct bundle_writer *w, const char *s, size_t len, uint32_t *out);
/* kind: AUTHZ_K_BOOL (v 0/1), AUTHZ_K_INT, AUTHZ_K_TIMESTAMP (ms), AUTHZ_K_DURATION (ms). */
int bw_const_int(struct bundle_writer *w, enum authz_kind kind, int64_t v, uint32_t *out);
int bw_const_string(struct bundle_writer *w, const char *s, size_t len, uint32_t *out);
/* An ip (authz_parse_ip gives one); AUTHZ_EINVAL when it is not valid
 * (family not 4 or 6, prefix too long, IPv4 bytes past the fourth set). */
int bw_const_ip(struct bundle_writer *w, const authz_ip *ip, uint32_t *out);
/* A set of the constants elems[0..n) (scalars of one kind; n may be 0).
 * Order and duplicates do not matter. */
int bw_const_set(struct bundle_writer *w, const uint32_t *elems, size_t n, uint32_t *out);

/* ---- schema ---- */
int bw_entity_type(struct bundle_writer *w, const char *name, uint32_t *out_type);
/*
 * Declare attribute path[0..depth) of entity type `owner` (or BW_CONTEXT).
 * Its parent path must already be declared with type AUTHZ_K_RECORD.  `type`
 * is an enum authz_kind (BOOL..SET, RECORD); `elem` the element kind of a
 * set (else AUTHZ_K_NONE).  *out_slot: the attribute's slot.
 */
int bw_attr(struct bundle_writer *w, uint32_t owner, const char *const *path, size_t depth,
	    enum authz_kind type, enum authz_kind elem, bool optional, uint32_t *out_slot);
/*
 * Let the record at path[0..depth) of `owner` (depth 0: the entity type or
 * the context itself) accept attributes the schema does not declare
 * (authzc-policy(5), "additionalAttributes").  Records are closed unless
 * opened: a request naming an undeclared attribute is a request error.
 * AUTHZ_EINVAL when the path is not a declared record.
 */
int bw_open(struct bundle_writer *w, uint32_t owner, const char *const *path, size_t depth);
/* The slot of an attribute path already declared (AUTHZ_ENOTFOUND if not;
 * AUTHZ_ENOMEM, which sticks, when the lookup cannot grow its table). */
int bw_slot(struct bundle_writer *w, enum bw_ns ns, const char *const *path, size_t depth,
	    uint32_t *out_slot);
int bw_action(struct bundle_writer *w, const char *name, const uint32_t *principal_types, size_t np,
	      const uint32_t *resource_types, size_t nr, uint32_t *out_action);

/* ---- rules ---- */
struct bw_rule_desc {
	const char *id;                 /* "pkg.name" */
	enum authz_effect effect;
	bool has_expires;
	int64_t expires_ms;
	const uint32_t *principal_types; size_t nprincipal_types;  /* 0: any */
	const uint32_t *actions; size_t nactions;                  /* 0: any */
	const uint32_t *resource_types; size_t nresource_types;    /* 0: any */
	uint32_t file, line, col;       /* debug position (file from bw_file) */
};
int bw_file(struct bundle_writer *w, const char *name, uint32_t *out_file);
int bw_rule_begin(struct bundle_writer *w, const struct bw_rule_desc *d, uint32_t *out_rule);
int bw_annotation(struct bundle_writer *w, const char *key, const char *value);
/* Declare the current rule's next guard; *out_guard: its index (0, 1, ...). */
int bw_guard(struct bundle_writer *w, uint32_t file, uint32_t line, uint32_t col, const char *text,
	     uint32_t *out_guard);
/* The pc (rule-relative) the next instruction will have. */
uint32_t bw_pc(const struct bundle_writer *w);
int bw_emit(struct bundle_writer *w, uint32_t instr);
/* Emit jump `op` (JMP, JT, JF) with its target pending; it joins *list. */
int bw_jump(struct bundle_writer *w, enum authz_op op, uint32_t *list);
/* Append list `l2` to *l1. */
int bw_concat(struct bundle_writer *w, uint32_t *l1, uint32_t l2);
/* Point every jump of `list` at the next instruction. */
int bw_patch_here(struct bundle_writer *w, uint32_t list);
/* Close the rule: its last instruction must be APPLY. */
int bw_rule_end(struct bundle_writer *w);

/* "" by default: the git commit the sources came from. */
int bw_set_revision(struct bundle_writer *w, const char *rev);
/* Serialize, then load and verify the result.  *out: malloc'd, the caller
 * frees it with free(). */
int bw_finish(struct bundle_writer *w, uint8_t **out, size_t *len);

/*
 * Signing (authzc-bundle(5), "Signature"): `sign` writes the detached
 * Ed25519 signature of msg[0..len) by the secret key of public key `pk`.
 * bw_sign turns the unsigned bundle in[0..len) (bw_finish's) into a signed
 * one: version 4, its digest made again, the signature section appended;
 * then loads it with `pk` as the one trusted key, so a signer that does not
 * match `pk` is caught here.  *out: malloc'd; 0, or a negative AUTHZ_E*
 * code with `err`.
 */
typedef void (*bw_signer)(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);
int bw_sign(const uint8_t *in, size_t len, const uint8_t pk[AUTHZ_PUBLIC_KEY_BYTES], bw_signer sign,
	    void *ctx, uint8_t **out, size_t *outlen, authz_error *err);

#endif
