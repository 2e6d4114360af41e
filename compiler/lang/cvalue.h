/*
 * cvalue.h: compile-time values (constants, literals, test requests).
 *
 * A struct value is a plain tree allocated from the compilation's arena.
 * Sets are kept canonical (sorted by value_compare, no duplicates, every
 * item of one scalar kind), so two equal sets have identical arrays and
 * value_equal/value_compare/value_print are deterministic.  Records hold
 * the attributes that are present, in the order of their declaration in
 * the schema.
 *
 * Ip values keep the address exactly as written: "10.1.2.3/8" keeps its
 * host bits (prefix 8); membership (`in`) masks them, equality does not.
 */
#ifndef AUTHZC_VALUE_H
#define AUTHZC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "authz.h"
#include "buf.h"

enum value_kind {
	VAL_BOOL,
	VAL_INT,
	VAL_STRING,
	VAL_TIMESTAMP,  /* ms since 1970-01-01T00:00:00Z */
	VAL_DURATION,   /* ms */
	VAL_IP,
	VAL_SET,
	VAL_RECORD,
};

/* Element kind of the empty set literal [] whose type is not known. */
#define VAL_ELEM_NONE (-1)

struct value_field;

struct value {
	enum value_kind kind;
	union {
		bool b;
		int64_t i;      /* VAL_INT, VAL_TIMESTAMP, VAL_DURATION */
		struct {
			const char *s;  /* may hold any byte; NUL-terminated too */
			size_t len;
		} str;
		authz_ip ip;    /* authz_parse_ip (authz(3)) */
		struct {
			struct value *items;    /* sorted, deduplicated */
			size_t n;
			int elem;               /* enum value_kind, or VAL_ELEM_NONE */
		} set;
		struct {
			struct value_field *fields;     /* schema order */
			size_t n;
		} rec;
	} u;
};

struct value_field {
	const char *name;
	struct value value;
};

struct value value_bool(bool b);
struct value value_int(enum value_kind kind, int64_t i);   /* INT/TIMESTAMP/DURATION */
struct value value_string(const char *s, size_t len);

/* Total order: by kind, then by content (strings bytewise, then shorter
 * first; ips by family, address, prefix; sets and records element-wise).
 * Returns <0, 0, >0. */
int value_compare(const struct value *a, const struct value *b);
bool value_equal(const struct value *a, const struct value *b);

/* Sort and deduplicate `n` items into a canonical set value (the array is
 * reordered in place and kept). */
struct value value_set(struct value *items, size_t n, int elem);

/* Deep copy (records are copied so a test may change its copy). */
struct value value_copy(struct arena *a, const struct value *v);

/* The field `name` of record `v`, or NULL. */
struct value *value_field(const struct value *v, const char *name);

/* Times and ips are parsed by authz_parse_time and authz_parse_ip and
 * times written by authz_format_time (authz(3)), as the runtime does.
 * Format a duration as written in policies ("1h30m", "250ms", "-2d", "0ms"). */
void value_format_duration(int64_t ms, char *buf, size_t size);

enum value_syntax {
	VALUE_AUTHZ,    /* policy syntax: "s", 42, 1h, time("..."), ip("..."), [..], {k: v} */
	VALUE_JSON,     /* request JSON (authzc-eval(1)): times, durations, ips as strings */
};

/* s[0..len) as a string in `syntax`: for VALUE_AUTHZ a policy string
 * literal (authzc-policy(5)) with '"', '\\', newline and tab as \" \\ \n
 * \t and other control bytes as \u{XX} (the form authzc-fmt(1) writes),
 * for VALUE_JSON a JSON string (json_put_str). */
void value_put_quoted(struct buf *b, const char *s, size_t len, enum value_syntax syntax);

/* The canonical text of v (one line, arena-allocated).  Equal values print
 * the same; JSON output escapes strings as JSON does. */
char *value_str(struct arena *a, const struct value *v, enum value_syntax syntax);

/* The name of a kind as in the schema ("int", "timestamp", "set", ...). */
const char *value_kind_str(enum value_kind k);

#endif
