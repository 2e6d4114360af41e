/*
 * value_text.c: values as text for people: durations and ips (authz.h,
 * TEXT FORMS), and any request value cut to a bound for the operands of a
 * decision trace (authz(3), TRACE VALUES).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "value_text.h"

size_t authz_format_duration(int64_t ms, char buf[32])
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 },
	};
	uint64_t u = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
	size_t n = 0;
	if (ms < 0)
		buf[n++] = '-';
	if (u == 0)
		return (size_t)snprintf(buf, 32, "0ms");
	/* the longest, INT64_MIN, is "-106751991167d7h12m55s808ms": 27 bytes */
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		uint64_t q = u / units[i].ms;
		if (!q)
			continue;
		u -= q * units[i].ms;
		n += (size_t)snprintf(buf + n, 32 - n, "%" PRIu64 "%s", q, units[i].unit);
	}
	return n;
}

size_t authz_format_ip(const authz_ip *ip, char buf[48])
{
	if (!inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->addr, buf, 48))
		return (size_t)snprintf(buf, 48, "?");
	size_t n = strlen(buf);
	if (ip->prefix != (ip->family == 6 ? 128 : 32))
		n += (size_t)snprintf(buf + n, 48 - n, "/%u", ip->prefix);
	return n;
}

/* {====================================================================
** Bounded text of a request value
** ===================================================================== */

#define ELLIPSIS "\xe2\x80\xa6"         /* U+2026, 3 bytes */

/* A writer of at most `max` bytes; `full` once something did not fit
 * (nothing more is written then). */
struct vt {
	char *p;
	size_t n, max;
	bool full;
};

static bool vt_put(struct vt *w, const char *s, size_t n)
{
	if (w->full || n > w->max - w->n) {
		w->full = true;
		return false;
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
	return true;
}

static bool vt_puts(struct vt *w, const char *s) { return vt_put(w, s, strlen(s)); }

/* s[0..n) in double quotes as a policy writes it: '"' and '\' escaped,
 * \n and \t, other control characters as \u{XX}; UTF-8 kept, a character
 * never cut. */
static void vt_quoted(struct vt *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	vt_put(w, "\"", 1);
	for (size_t i = 0; i < n && !w->full;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			vt_put(w, (char[]){ '\\', (char)c }, 2);
		} else if (c == '\n' || c == '\t') {
			vt_put(w, c == '\n' ? "\\n" : "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			vt_put(w, (char[]){ '\\', 'u', '{', hex[c >> 4], hex[c & 15], '}' }, 6);
		} else {
			size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			vt_put(w, s + i, len < n - i ? len : n - i);
			i += len;
			continue;
		}
		i++;
	}
	vt_put(w, "\"", 1);
}

static void vt_value(struct vt *w, const authz_bundle *b, const struct vm_value *v)
{
	char t[48];
	switch (v->kind) {
	case AUTHZ_K_BOOL:
		vt_puts(w, v->u.i ? "true" : "false");
		return;
	case AUTHZ_K_INT:
		snprintf(t, sizeof t, "%" PRId64, v->u.i);
		vt_puts(w, t);
		return;
	case AUTHZ_K_TIMESTAMP:
		vt_put(w, t, authz_format_time(v->u.i, t));
		return;
	case AUTHZ_K_DURATION:
		vt_put(w, t, authz_format_duration(v->u.i, t));
		return;
	case AUTHZ_K_IP: {
		authz_ip ip = { .family = v->fam, .prefix = v->prefix };
		memcpy(ip.addr, v->u.ip, 16);
		vt_put(w, t, authz_format_ip(&ip, t));
		return;
	}
	case AUTHZ_K_STRING:
		vt_quoted(w, v->u.s.p, v->len);
		return;
	case AUTHZ_K_ENTITY:
		/* as a test request names it: User "alice" */
		vt_puts(w, v->u.s.off < b->ntypes ? b->str[b->owners[v->u.s.off].name] : "?");
		vt_put(w, " ", 1);
		vt_quoted(w, v->u.s.p, v->len);
		return;
	case AUTHZ_K_SET:
		vt_put(w, "[", 1);
		for (uint32_t i = 0; i < v->len && !w->full; i++) {
			if (i)
				vt_put(w, ", ", 2);
			vt_value(w, b, &v->u.set.p[i]);
		}
		vt_put(w, "]", 1);
		return;
	case AUTHZ_K_RECORD:
		vt_put(w, "{" ELLIPSIS "}", 5);
		return;
	default:
		vt_put(w, "?", 1);
		return;
	}
}

size_t rt_value_text(const authz_bundle *b, const struct vm_value *v, char out[AUTHZ_TRACE_MAX_VALUE + 1])
{
	/* room for the ellipsis is kept, so a value cut anywhere (between
	 * characters, escapes and elements: vt_put writes them whole) ends
	 * within the bound */
	struct vt w = { out, 0, AUTHZ_TRACE_MAX_VALUE - 3, false };
	vt_value(&w, b, v);
	if (w.full) {
		memcpy(out + w.n, ELLIPSIS, 3);
		w.n += 3;
	}
	out[w.n] = '\0';
	return w.n;
}
