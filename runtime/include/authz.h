/*
 * authz.h: libauthz, the embeddable authz decision point.
 *
 * Load a compiled bundle once (authz_bundle_load), share it between any
 * number of threads, and decide requests against it.  Each thread keeps its
 * own authz_request and authz_decision scratch objects; they are reusable,
 * so deciding allocates nothing once their buffers have grown.
 *
 * Functions return 0 on success or a negative AUTHZ_E* code; those that can
 * fail with a message take an authz_error.  Nothing here prints, exits,
 * aborts or keeps global mutable state.  Every *_new/_load is paired with a
 * *_free that accepts NULL.  See authz(3).
 */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AUTHZ_API __attribute__((visibility("default")))
#else
#define AUTHZ_API
#endif

enum {
	AUTHZ_OK = 0,
	AUTHZ_ERROR = -1,       /* anything not listed below */
	AUTHZ_ENOMEM = -2,      /* out of memory */
	AUTHZ_EFORMAT = -3,     /* bad bundle format */
	AUTHZ_EIO = -4,         /* cannot read a file */
	AUTHZ_EINVAL = -5,      /* bad argument (unknown name, wrong type, bad text) */
	AUTHZ_ENOTFOUND = -6,   /* no such attribute, type or action */
	AUTHZ_ESIGNATURE = -7,  /* bundle signature refused (authz_bundle_load_ex) */
};

typedef struct authz_error {
	int code;               /* one of AUTHZ_E* (AUTHZ_OK when no error) */
	char message[256];      /* "bad bundle format (digest mismatch)" */
} authz_error;

typedef struct authz_bundle authz_bundle;
typedef struct authz_request authz_request;
typedef struct authz_decision authz_decision;

/*
 * An ip address or network.  `family` is 4 or 6; `prefix` the number of
 * network bits, at most 32 (128), and 32 (128) for a plain address; `addr`
 * the address in network byte order, IPv4 in addr[0..4) with the rest 0.
 * Bits past the prefix are kept as written: "10.1.2.3/8" is not equal to
 * "10.0.0.0/8", but either is the range 10.0.0.0/8 for `in`.
 */
typedef struct authz_ip {
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];
} authz_ip;

/* ---- bundles ------------------------------------------------------------ */

/* Load and verify a bundle from `len` bytes at `buf` (copied).  A truncated,
 * corrupted or hostile bundle is refused with AUTHZ_EFORMAT. */
AUTHZ_API int authz_bundle_load(authz_bundle **out, const void *buf, size_t len, authz_error *err);
AUTHZ_API int authz_bundle_load_file(authz_bundle **out, const char *path, authz_error *err);
AUTHZ_API void authz_bundle_free(authz_bundle *b);
/* Build what deciding needs beyond the verified tables (each rule's image
 * and the rule index), which the first decision otherwise builds: call it
 * after a load to keep that work off the first request (a server swapping
 * in a new bundle).  Thread-safe, once per bundle; 0 or AUTHZ_ENOMEM. */
AUTHZ_API int authz_bundle_prepare(const authz_bundle *b);
/* "sha256:<64 hex digits>": the bundle's identity. */
AUTHZ_API const char *authz_bundle_digest(const authz_bundle *b);
/* "sha256:<64 hex digits>" of the bundle's schema alone: equal for two
 * bundles compiled from the same schema, whatever their rules. */
AUTHZ_API const char *authz_bundle_schema_digest(const authz_bundle *b);
/* The source revision recorded by the compiler ("" when none). */
AUTHZ_API const char *authz_bundle_source_revision(const authz_bundle *b);
AUTHZ_API size_t authz_bundle_rule_count(const authz_bundle *b);
/* Rule `i` (in rule-table order): its id, NULL when out of range. */
AUTHZ_API const char *authz_bundle_rule_id(const authz_bundle *b, size_t i);
enum authz_effect { AUTHZ_PERMIT = 0, AUTHZ_FORBID = 1 };
/* AUTHZ_PERMIT, AUTHZ_FORBID, or -1 out of range. */
AUTHZ_API int authz_bundle_rule_effect(const authz_bundle *b, size_t i);
/* Rule `i`'s @expires: 1 with *out_ms set, 0 when it never expires, -1 out
 * of range. */
AUTHZ_API int authz_bundle_rule_expires(const authz_bundle *b, size_t i, int64_t *out_ms);
/* The number of guards (when operands and unless clauses) of rule `i`. */
AUTHZ_API size_t authz_bundle_rule_guard_count(const authz_bundle *b, size_t i);

/* The parts of a rule's scope. */
enum authz_scope_part { AUTHZ_SCOPE_PRINCIPAL = 0, AUTHZ_SCOPE_ACTION = 1, AUTHZ_SCOPE_RESOURCE = 2 };
/* Whether rule `i`'s scope admits principal type `k` (entity type `k` of
 * authz_bundle_type_name), action `k` or resource type `k`: 1 yes, 0 no,
 * -1 out of range.  A rule whose scope names none admits every one. */
AUTHZ_API int authz_bundle_rule_in_scope(const authz_bundle *b, size_t i, int part, size_t k);
/* 1 when rule `i`'s source names that part of its scope (`principal is`,
 * `action ==`/`in`, `resource is`), 0 when it admits any, -1 out of range. */
AUTHZ_API int authz_bundle_rule_scope_named(const authz_bundle *b, size_t i, int part);

/* Where a rule or a guard comes from, and a guard's kind and source text. */
typedef struct authz_source_info {
	int unless;             /* guards: 1 an unless clause, 0 a when operand */
	const char *file;       /* NULL when the bundle has no debug section */
	uint32_t line, col;
	const char *text;       /* guards: the source text; NULL without debug */
} authz_source_info;
/* Rule `i`'s position: 0, or AUTHZ_EINVAL out of range. */
AUTHZ_API int authz_bundle_rule_source(const authz_bundle *b, size_t i, authz_source_info *out);
/* Guard `k` of rule `i`, in source order: 0, or AUTHZ_EINVAL out of range. */
AUTHZ_API int authz_bundle_rule_guard(const authz_bundle *b, size_t i, size_t k, authz_source_info *out);
AUTHZ_API size_t authz_bundle_rule_annotation_count(const authz_bundle *b, size_t i);
AUTHZ_API int authz_bundle_rule_annotation(const authz_bundle *b, size_t i, size_t k,
					   const char **key, const char **value);
/* The sizes of a bundle's tables, as `authzc inspect` shows them. */
typedef struct authz_bundle_info {
	unsigned format;        /* bundle format version (authzc-bundle(5)) */
	size_t bytes;           /* the bundle's size */
	size_t rules, constants, instructions, types, actions;
} authz_bundle_info;
AUTHZ_API void authz_bundle_get_info(const authz_bundle *b, authz_bundle_info *out);
/* Entity type `i` and action `i` of the bundle's schema, in declaration
 * order; NULL when out of range. */
AUTHZ_API const char *authz_bundle_type_name(const authz_bundle *b, size_t i);
AUTHZ_API const char *authz_bundle_action_name(const authz_bundle *b, size_t i);
/* Write a disassembly of every rule through `write` (which returns 0 to go
 * on); returns the first non-zero value `write` returned, else 0. */
AUTHZ_API int authz_bundle_disasm(const authz_bundle *b,
				  int (*write)(const char *text, size_t len, void *payload),
				  void *payload);

/* ---- signed bundles (authzc-bundle(5), "Signature") ----------------------- */

#define AUTHZ_PUBLIC_KEY_BYTES 32
#define AUTHZ_KEY_ID_CHARS 16
/* An Ed25519 public key (authzc-keygen(1) writes them in NAME.pub). */
typedef struct authz_public_key {
	uint8_t key[AUTHZ_PUBLIC_KEY_BYTES];
} authz_public_key;
/* The key id of `k`: 16 lowercase hex digits and a NUL, the first 8 bytes
 * of BLAKE2b-128 of "authzc key id" with its NUL followed by the key. */
AUTHZ_API void authz_key_id(const authz_public_key *k, char out[AUTHZ_KEY_ID_CHARS + 1]);
/*
 * Options of authz_bundle_load_ex.  With ntrusted_keys > 0 the bundle must
 * be signed by one of trusted_keys[0..ntrusted_keys): an unsigned bundle,
 * one signed by another key, a bad signature, a stripped or swapped
 * signature section are refused with AUTHZ_ESIGNATURE and a message saying
 * which.  With none (or opts NULL) a bundle need not be signed; a signature
 * section present is still checked for everything but the signature itself
 * (it must be whole and belong to this bundle), never trusted.
 */
typedef struct authz_load_options {
	const authz_public_key *trusted_keys;
	size_t ntrusted_keys;
} authz_load_options;
AUTHZ_API int authz_bundle_load_ex(authz_bundle **out, const void *buf, size_t len,
				   const authz_load_options *opts, authz_error *err);
AUTHZ_API int authz_bundle_load_file_ex(authz_bundle **out, const char *path,
					const authz_load_options *opts, authz_error *err);
/* The key id of the bundle's signer, NULL when it is not signed. */
AUTHZ_API const char *authz_bundle_signer(const authz_bundle *b);
/* 1 when the bundle's signature was verified against a trusted key when it
 * was loaded, 0 when it was not (unsigned, or loaded without keys). */
AUTHZ_API int authz_bundle_signature_verified(const authz_bundle *b);

/* ---- requests ----------------------------------------------------------- */

enum authz_root_name { AUTHZ_PRINCIPAL = 0, AUTHZ_RESOURCE = 1, AUTHZ_CONTEXT = 2 };

AUTHZ_API int authz_request_new(authz_request **out, const authz_bundle *b);
AUTHZ_API void authz_request_free(authz_request *r);
/* Forget everything set so far (keeps the buffers). */
AUTHZ_API void authz_request_reset(authz_request *r);
/* Replace the request's contents by the JSON request in `json`
 * (authzc-eval(1), JSON FORMS).  A request that does not conform to the schema is not a
 * failure of this call: it returns 0 and the next decision is a deny with a
 * request error.  Returns AUTHZ_ENOMEM only. */
AUTHZ_API int authz_request_parse_json(authz_request *r, const char *json, size_t len);
/* Entities: `type` must be declared (AUTHZ_ENOTFOUND otherwise). */
AUTHZ_API int authz_request_set_principal(authz_request *r, const char *type, const char *id);
AUTHZ_API int authz_request_set_resource(authz_request *r, const char *type, const char *id);
AUTHZ_API int authz_request_set_action(authz_request *r, const char *action);
/* The request's time in ms since the epoch; without it the clock is used. */
AUTHZ_API int authz_request_set_time(authz_request *r, int64_t unix_ms);
/* 1 when the request carries its own time (authz_request_set_time, or a
 * valid "time" in the JSON request, read even when the request is denied
 * for another reason), else 0: the decision then uses the clock. */
AUTHZ_API int authz_request_has_time(const authz_request *r);
/*
 * Attributes by dotted path under a root ("workload.signed").  The
 * principal's (resource's) type must be set first.  AUTHZ_ENOTFOUND when the
 * type declares no such attribute, AUTHZ_EINVAL when its declared type
 * differs (or the text does not parse).  Sets: authz_request_add_* appends
 * one element (creating the set), authz_request_set_empty_set makes it [].
 */
AUTHZ_API int authz_request_set_bool(authz_request *r, int root, const char *path, int v);
AUTHZ_API int authz_request_set_int(authz_request *r, int root, const char *path, int64_t v);
AUTHZ_API int authz_request_set_string(authz_request *r, int root, const char *path, const char *v);
AUTHZ_API int authz_request_set_timestamp(authz_request *r, int root, const char *path, int64_t unix_ms);
AUTHZ_API int authz_request_set_duration(authz_request *r, int root, const char *path, int64_t ms);
/* "10.1.2.3", "2001:db8::/32" */
AUTHZ_API int authz_request_set_ip(authz_request *r, int root, const char *path, const char *ip);
AUTHZ_API int authz_request_set_empty_set(authz_request *r, int root, const char *path);
AUTHZ_API int authz_request_add_string(authz_request *r, int root, const char *path, const char *v);
AUTHZ_API int authz_request_add_int(authz_request *r, int root, const char *path, int64_t v);
AUTHZ_API int authz_request_add_bool(authz_request *r, int root, const char *path, int v);
AUTHZ_API int authz_request_add_timestamp(authz_request *r, int root, const char *path, int64_t unix_ms);
AUTHZ_API int authz_request_add_duration(authz_request *r, int root, const char *path, int64_t ms);
AUTHZ_API int authz_request_add_ip(authz_request *r, int root, const char *path, const char *ip);
/* The same with a parsed ip (authz_parse_ip); AUTHZ_EINVAL when `ip` is
 * not one authz_parse_ip could give (family, prefix, IPv4 bytes past 4). */
AUTHZ_API int authz_request_set_ip_addr(authz_request *r, int root, const char *path, const authz_ip *ip);
AUTHZ_API int authz_request_add_ip_addr(authz_request *r, int root, const char *path, const authz_ip *ip);
/* Strings of `len` bytes, which may hold NUL bytes (UTF-8, else
 * AUTHZ_EINVAL); entity ids likewise. */
AUTHZ_API int authz_request_set_string_n(authz_request *r, int root, const char *path, const char *v,
					 size_t len);
AUTHZ_API int authz_request_add_string_n(authz_request *r, int root, const char *path, const char *v,
					 size_t len);
AUTHZ_API int authz_request_set_principal_n(authz_request *r, const char *type, const char *id, size_t len);
AUTHZ_API int authz_request_set_resource_n(authz_request *r, const char *type, const char *id, size_t len);

/* ---- decisions ---------------------------------------------------------- */

/* Flags of authz_decide: a trace (authz_decision_trace); the trace with
 * the request values each guard read (authz_decision_trace_operand), which
 * costs more: EXPLAIN includes TRACE. */
enum { AUTHZ_DECIDE_TRACE = 1, AUTHZ_DECIDE_EXPLAIN = 3 };

enum authz_outcome { AUTHZ_APPLIED = 0, AUTHZ_NOT_APPLIED = 1, AUTHZ_RULE_ERROR = 2 };
enum authz_error_kind { AUTHZ_ERR_REQUEST = 0, AUTHZ_ERR_RULE = 1 };

typedef struct authz_trace {
	const char *rule;       /* rule id */
	int outcome;            /* enum authz_outcome */
	int guard;              /* not-applied: index of the guard that held it back, -1: expired;
				 * error: the guard that failed (AUTHZ_DECIDE_EXPLAIN only;
				 * else -1); applied: -1 */
	const char *file;       /* guard position (NULL without debug info) */
	uint32_t line, col;
	const char *text;       /* guard source text (NULL without debug info) */
} authz_trace;

AUTHZ_API int authz_decision_new(authz_decision **out);
AUTHZ_API void authz_decision_free(authz_decision *d);

/*
 * Decide `req` against `b` into `d` (overwriting it).  Never fails on a bad
 * request: that is a deny with a request error.  `req` is left unchanged
 * and can be decided again.  Returns AUTHZ_ENOMEM, or AUTHZ_EINVAL when
 * `req` was made for another bundle; `d` then holds a deny.
 */
AUTHZ_API int authz_decide(authz_decision *d, const authz_bundle *b, authz_request *req, unsigned flags);
/* Parse a JSON request into `scratch` and decide it. */
AUTHZ_API int authz_decide_json(authz_decision *d, const authz_bundle *b, authz_request *scratch,
				const char *json, size_t len, unsigned flags);

/* 1 allow, 0 deny. */
AUTHZ_API int authz_decision_allowed(const authz_decision *d);
AUTHZ_API size_t authz_decision_rule_count(const authz_decision *d);
AUTHZ_API const char *authz_decision_rule(const authz_decision *d, size_t i);
AUTHZ_API size_t authz_decision_error_count(const authz_decision *d);
/* Error `i`: kind, rule id (NULL for a request error) and message. */
AUTHZ_API int authz_decision_error(const authz_decision *d, size_t i, int *kind,
				   const char **rule, const char **message);
/* The time the decision used, ms since the epoch. */
AUTHZ_API int64_t authz_decision_time(const authz_decision *d);
AUTHZ_API size_t authz_decision_trace_count(const authz_decision *d);
AUTHZ_API int authz_decision_trace(const authz_decision *d, size_t i, authz_trace *out);
/*
 * The request values that the guard of trace entry `i` read (the guard that
 * held the rule back, or failed), in the order read, each once, at most
 * AUTHZ_TRACE_MAX_OPERANDS (authz_limits.h): 0 for other entries and
 * for decisions made without AUTHZ_DECIDE_EXPLAIN.  Operand
 * `k`: its `name` ("principal.window.end", "context.source_ip", "now",
 * "action", "principal", "resource.id") and its `value` as text, at most
 * AUTHZ_TRACE_MAX_VALUE bytes (authz(3), TRACE VALUES), or NULL for an
 * attribute the request does not have.  Literals are not operands.  The
 * strings are owned by `d`, valid until its next use.  Returns 0, or
 * AUTHZ_EINVAL when out of range.
 */
AUTHZ_API size_t authz_decision_trace_operand_count(const authz_decision *d, size_t i);
AUTHZ_API int authz_decision_trace_operand(const authz_decision *d, size_t i, size_t k, const char **name,
					   const char **value);
/* The index in the bundle's rule table (authz_bundle_rule_*) of the
 * decision's rule `i`: 0 with *out set, or AUTHZ_EINVAL out of range. */
AUTHZ_API int authz_decision_rule_index(const authz_decision *d, size_t i, size_t *out);
/*
 * The decision as its one-line JSON form (authzc-eval(1)), without a newline,
 * NUL-terminated; owned by `d`, valid until its next use.  With a trace, and
 * the annotations of the rules that decided it, when it was decided with
 * AUTHZ_DECIDE_TRACE.  NULL when out of memory.
 */
AUTHZ_API const char *authz_decision_json(authz_decision *d, size_t *len);

/* ---- text forms --------------------------------------------------------- */

/*
 * Parse exactly `len` bytes of `s` (no NUL needed) as an RFC 3339
 * date-time, the one time text of the library and of authzc (request
 * times and timestamp attributes, time("..."), @expires, --now,
 * AUTHZC_NOW):
 *
 *   YYYY-MM-DD T hh:mm:ss [.fraction] (Z | +hh:mm | -hh:mm)
 *
 * 'T' and 'Z' may be lower case; a space in place of 'T' is refused.  The
 * date must exist (February 29 in leap years only; years 0000 to 9999),
 * hh 00-23, mm and ss 00-59 (no leap second), an offset at most 23:59; a
 * fraction has 1 to 9 digits, truncated to the millisecond.  Returns 0 with
 * ms since 1970-01-01T00:00:00Z in *out_ms, or AUTHZ_EINVAL (*out_ms
 * untouched).
 */
AUTHZ_API int authz_parse_time(const char *s, size_t len, int64_t *out_ms);
/*
 * Parse exactly `len` bytes of `s` as a duration as policies and request
 * JSON write it: groups of <digits><unit>, units d h m s ms, largest first,
 * each at most once ("1h30m", "250ms", "7d"), an optional leading '-'.
 * Returns 0 with milliseconds in *out_ms, or AUTHZ_EINVAL (malformed or
 * past int64 ms; *out_ms untouched).
 */
AUTHZ_API int authz_parse_duration(const char *s, size_t len, int64_t *out_ms);
/* Format ms since the epoch as RFC 3339 UTC ("2026-11-22T10:00:00Z", with
 * ".mmm" when not whole seconds) into buf[32], NUL-terminated; returns the
 * length.  An instant before 0000-01-01T00:00:00Z or after
 * 9999-12-31T23:59:59.999Z, which RFC 3339 cannot write, is written as
 * that end. */
AUTHZ_API size_t authz_format_time(int64_t ms, char buf[32]);
/* Format a duration of `ms` milliseconds as a policy writes it ("1h30m",
 * "250ms", "-2d", "0ms") into buf[32], NUL-terminated; returns the
 * length. */
AUTHZ_API size_t authz_format_duration(int64_t ms, char buf[32]);
/* Format an ip as authz_parse_ip reads it ("10.0.0.1", "10.0.0.0/8",
 * "2001:db8::/32"; the prefix only when shorter than the address) into
 * buf[48], NUL-terminated; returns the length. */
AUTHZ_API size_t authz_format_ip(const authz_ip *ip, char buf[48]);

/*
 * Parse exactly `len` bytes of `s` as an ip address with an optional
 * "/prefix": IPv4 as four decimal parts 0-255 without leading zeros
 * ("10.0.0.1"), IPv6 as eight hex groups of at most 4 digits, "::" once
 * for a run of zero groups, and an optional IPv4 tail ("2001:db8::1",
 * "::ffff:10.0.0.1"; no zone).  The prefix is decimal, without leading
 * zeros.  The one ip text of the library and of authzc (request
 * attributes, ip("...")).  Returns 0 with *out set, or AUTHZ_EINVAL (*out
 * untouched).
 */
AUTHZ_API int authz_parse_ip(const char *s, size_t len, authz_ip *out);

#ifdef __cplusplus
}
#endif
#endif
