/*
 * value.h: runtime values and the parsers of their text forms (RFC 3339
 * timestamps, durations, ip addresses and ranges).  Internal.
 */
#ifndef AUTHZ_VALUE_H
#define AUTHZ_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "authz.h"
#include "bytecode.h"

#if defined(__GNUC__) || defined(__clang__)
#define AUTHZ_INTERNAL __attribute__((visibility("hidden")))
/* Start loading the cache line at p: a hint, never a fault. */
#define AUTHZ_PREFETCH(p) __builtin_prefetch(p)
#else
#define AUTHZ_INTERNAL
#define AUTHZ_PREFETCH(p) ((void)(p))
#endif

/*
 * A value on the VM stack, in a request slot or in the constant pool.
 * Strings and sets that live in a request are stored by offset (`off`,
 * into its growable pools) and get their pointer when it is decided.
 * An IP is `fam` 4 or 6, `prefix` bits, address in ip[] (v4 in ip[0..4)).
 */
struct vm_value {
	uint8_t kind;           /* enum authz_kind */
	uint8_t fam;
	uint8_t prefix;
	uint8_t elem;           /* set: kind of its elements (AUTHZ_K_NONE when empty) */
	uint32_t len;           /* string bytes, set elements; entity: type index */
	union {
		int64_t i;      /* bool, int, timestamp, duration */
		struct { const char *p; uint32_t off; } s;    /* string, entity id */
		struct { const struct vm_value *p; uint32_t off; } set;
		uint8_t ip[16];
	} u;
};

/* s[0..n) == t[0..n), inline: the strings a decision compares (literals,
 * tenants, groups) are short, and a libc call costs more than the bytes.
 * Reads no byte outside either string. */
static inline bool rt_bytes_eq(const char *s, const char *t, size_t n)
{
	uint64_t a, b, c, d;
	if (n >= 8) {
		if (n > 16)
			return memcmp(s, t, n) == 0;
		memcpy(&a, s, 8), memcpy(&b, t, 8), memcpy(&c, s + n - 8, 8), memcpy(&d, t + n - 8, 8);
		return ((a ^ b) | (c ^ d)) == 0;
	}
	if (n >= 4) {
		uint32_t w, x, y, z;
		memcpy(&w, s, 4), memcpy(&x, t, 4), memcpy(&y, s + n - 4, 4), memcpy(&z, t + n - 4, 4);
		return ((w ^ x) | (y ^ z)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] != t[i])
			return false;
	return true;
}

AUTHZ_INTERNAL bool rt_parse_duration(const char *s, size_t n, int64_t *out);
/* authz_parse_ip into a value. */
AUTHZ_INTERNAL bool rt_parse_ip(const char *s, size_t n, struct vm_value *out);
/* The value of `ip`; false when it is not one authz_parse_ip could give
 * (family not 4 or 6, prefix too long, IPv4 bytes past the fourth set). */
AUTHZ_INTERNAL bool rt_ip_value(const authz_ip *ip, struct vm_value *out);
/* `a` equals `b` (kinds may differ: then false). */
AUTHZ_INTERNAL bool rt_equal(const struct vm_value *a, const struct vm_value *b);
/* `x` is an element of set `s`. */
AUTHZ_INTERNAL bool rt_set_has(const struct vm_value *s, const struct vm_value *x);
/* ip `x` lies inside range `r` (same family only). */
AUTHZ_INTERNAL bool rt_ip_in(const struct vm_value *x, const struct vm_value *r);
/* `s` matches `pat`: '*' any run of bytes, "\*" a literal star. */
AUTHZ_INTERNAL bool rt_like(const char *s, size_t n, const char *pat, size_t m);
/* Part `part` (enum authz_time_part) of timestamp `ms` in UTC. */
AUTHZ_INTERNAL int64_t rt_time_part(int64_t ms, unsigned part);
/* Valid UTF-8 (no overlongs, no surrogates)? */
AUTHZ_INTERNAL bool rt_utf8_valid(const char *s, size_t n);

#endif
