/*
 * request.c: requests built through the API (typed setters by path) and
 * the checks shared with JSON requests (request_json.c).
 *
 * A string over AUTHZ_MAX_STRING bytes or a set growing past AUTHZ_MAX_SET
 * elements (authz_limits.h) is refused with AUTHZ_EINVAL and also makes the
 * request bad, so a caller that ignores the return value still gets a deny
 * with a request error, never a decision on a partial request.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closest.h"
#include "request.h"

int authz_request_new(authz_request **out, const authz_bundle *b)
{
	*out = NULL;
	authz_request *r = calloc(1, sizeof *r);
	if (!r)
		return AUTHZ_ENOMEM;
	r->b = b;
	r->nslots = b->nslots;
	size_t n = (size_t)3 * b->nslots + 1;
	r->vals = calloc(n, sizeof *r->vals);
	r->present = calloc(n, 1);
	r->filled = calloc(n, sizeof *r->filled);
	if (!r->vals || !r->present || !r->filled) {
		authz_request_free(r);
		return AUTHZ_ENOMEM;
	}
	authz_request_reset(r);
	*out = r;
	return 0;
}

/* Frees every array of REQUEST_ARRAYS and r; NULL is fine. */
void authz_request_free(authz_request *r)
{
	if (!r)
		return;
	REQUEST_ARRAYS(RT_OWNED_FREE, r)
	free(r);
}

void authz_request_reset(authz_request *r)
{
	for (size_t i = 0; i < r->nfilled; i++)
		r->present[r->filled[i]] = 0;
	r->nfilled = 0;
	r->type[0] = r->type[1] = -1;
	r->action = -1;
	r->has_time = false;
	r->nchars = 0;
	r->npool = 0;
	r->moved = false;
	r->bad = false;
	r->errmsg[0] = '\0';
}

void rt_request_fail(authz_request *r, const char *fmt, ...)
{
	if (r->bad)
		return;
	r->bad = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof r->errmsg, fmt, ap);
	va_end(ap);
}

/* Copy n bytes into the string pool; returns the offset or -1. */
static int64_t pool_str(authz_request *r, const char *s, size_t n)
{
	if (r->nchars + n + 1 > r->capchars) {
		size_t cap = r->capchars ? r->capchars : 256;
		while (cap < r->nchars + n + 1)
			cap *= 2;
		char *p = realloc(r->chars, cap);
		if (!p)
			return -1;
		r->moved = true;
		r->chars = p;
		r->capchars = cap;
	}
	memcpy(r->chars + r->nchars, s, n);
	r->chars[r->nchars + n] = '\0';
	int64_t off = (int64_t)r->nchars;
	r->nchars += n + 1;
	return off;
}

/* Append a value to the element pool; returns its offset or -1. */
static int64_t pool_val(authz_request *r, const struct vm_value *v)
{
	if (r->npool + 1 > r->cappool) {
		size_t cap = r->cappool ? r->cappool * 2 : 32;
		struct vm_value *p = realloc(r->pool, cap * sizeof *p);
		if (!p)
			return -1;
		r->moved = true;
		r->pool = p;
		r->cappool = cap;
	}
	r->pool[r->npool] = *v;
	return (int64_t)r->npool++;
}

int rt_request_string_value(authz_request *r, const char *s, size_t n, struct vm_value *out)
{
	memset(out, 0, sizeof *out);
	int64_t off = pool_str(r, s, n);
	if (off < 0)
		return AUTHZ_ENOMEM;
	out->kind = AUTHZ_K_STRING;
	out->len = (uint32_t)n;
	out->u.s.off = (uint32_t)off;
	out->u.s.p = r->chars + off;
	return 0;
}

int rt_request_pool_value(authz_request *r, const struct vm_value *v, uint32_t *off)
{
	int64_t o = pool_val(r, v);
	if (o < 0)
		return AUTHZ_ENOMEM;
	*off = (uint32_t)o;
	return 0;
}

static int find_type(const authz_bundle *b, const char *name, size_t n)
{
	for (uint32_t t = 0; t < b->ntypes; t++)
		if (b->strlen[b->owners[t].name] == n && memcmp(b->str[b->owners[t].name], name, n) == 0)
			return (int)t;
	return -1;
}

int rt_request_find_type(const authz_bundle *b, const char *name, size_t n) { return find_type(b, name, n); }

int rt_request_find_action(const authz_bundle *b, const char *name, size_t n)
{
	for (uint32_t a = 0; a < b->nactions; a++)
		if (b->strlen[b->actions[a].name] == n && memcmp(b->str[b->actions[a].name], name, n) == 0)
			return (int)a;
	return -1;
}

/* AUTHZ_EINVAL, with a request error, when a string of n bytes for `what`
 * ("principal.id", or the attribute path) is over the limit; else 0. */
static int string_limit(authz_request *r, size_t n, const char *what)
{
	if (n <= AUTHZ_MAX_STRING)
		return 0;
	rt_request_fail(r, "string for '%s' too long: %zu bytes, at most %u", what, n,
			(unsigned)AUTHZ_MAX_STRING);
	return AUTHZ_EINVAL;
}

static int set_entity(authz_request *r, int which, const char *type, const char *id, size_t len)
{
	int t = find_type(r->b, type, strlen(type));
	if (t < 0)
		return AUTHZ_ENOTFOUND;
	if (string_limit(r, len, which ? "resource.id" : "principal.id") < 0)
		return AUTHZ_EINVAL;
	int64_t off = pool_str(r, id, len);
	if (off < 0)
		return AUTHZ_ENOMEM;
	if (r->type[which] != t) {
		/* attributes set for the previous type go */
		size_t lo = (size_t)which * r->nslots, hi = lo + r->nslots, k = 0;
		for (size_t i = 0; i < r->nfilled; i++) {
			if (r->filled[i] >= lo && r->filled[i] < hi)
				r->present[r->filled[i]] = 0;
			else
				r->filled[k++] = r->filled[i];
		}
		r->nfilled = k;
	}
	r->type[which] = t;
	r->id_off[which] = (uint32_t)off;
	r->id_len[which] = (uint32_t)len;
	return 0;
}

int authz_request_set_principal(authz_request *r, const char *type, const char *id)
{
	return set_entity(r, 0, type, id, strlen(id));
}

int authz_request_set_resource(authz_request *r, const char *type, const char *id)
{
	return set_entity(r, 1, type, id, strlen(id));
}

int authz_request_set_principal_n(authz_request *r, const char *type, const char *id, size_t len)
{
	return set_entity(r, 0, type, id, len);
}

int authz_request_set_resource_n(authz_request *r, const char *type, const char *id, size_t len)
{
	return set_entity(r, 1, type, id, len);
}

int authz_request_set_action(authz_request *r, const char *action)
{
	int a = rt_request_find_action(r->b, action, strlen(action));
	if (a < 0)
		return AUTHZ_ENOTFOUND;
	r->action = a;
	return 0;
}

int authz_request_set_time(authz_request *r, int64_t unix_ms)
{
	r->has_time = true;
	r->time = unix_ms;
	return 0;
}

int authz_request_has_time(const authz_request *r)
{
	return r->has_time;
}

/*
 * The field of dotted `path` under `root`; marks its parent records
 * present.  NULL with *err set when there is none.
 */
static const struct bundle_field *find_path(authz_request *r, int root, const char *path, int *err)
{
	const authz_bundle *b = r->b;
	*err = AUTHZ_EINVAL;
	if (root < AUTHZ_PRINCIPAL || root > AUTHZ_CONTEXT || !path)
		return NULL;
	uint32_t owner = root == AUTHZ_CONTEXT ? b->ntypes : (uint32_t)r->type[root];
	if (root != AUTHZ_CONTEXT && r->type[root] < 0)
		return NULL;
	uint32_t first = b->owners[owner].first, n = b->owners[owner].ntop;
	const struct bundle_field *f = NULL, *parent = NULL;
	*err = AUTHZ_ENOTFOUND;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		f = NULL;
		for (uint32_t i = first; i < first + n; i++) {
			uint32_t name = b->slots[b->fields[i].slot].name;
			if (b->strlen[name] == len && memcmp(b->str[name], path, len) == 0) {
				f = &b->fields[i];
				break;
			}
		}
		if (!f) {
			/* a closed record: the request is refused, so that a
			 * caller that ignores the return value cannot fail open */
			bool open = parent ? parent->open : b->owners[owner].open;
			if (!open)
				rt_request_undeclared(r, (unsigned)root, parent ? parent->slot : BUNDLE_NO_INDEX,
						      first, n, path, len);
			return NULL;
		}
		if (!dot)
			return f;
		if (f->type != AUTHZ_K_RECORD)
			return NULL;
		struct vm_value rec = { .kind = AUTHZ_K_RECORD };
		rt_request_store(r, (unsigned)root, f->slot, &rec);
		first = f->first_child;
		n = f->nchild;
		parent = f;
		path = dot + 1;
	}
}

static int set_value(authz_request *r, int root, const char *path, const struct vm_value *v)
{
	int err;
	const struct bundle_field *f = find_path(r, root, path, &err);
	if (!f)
		return err;
	if (f->type != v->kind)
		return AUTHZ_EINVAL;
	rt_request_store(r, (unsigned)root, f->slot, v);
	return 0;
}

int authz_request_set_bool(authz_request *r, int root, const char *path, int v)
{
	struct vm_value x = { .kind = AUTHZ_K_BOOL, .u.i = v != 0 };
	return set_value(r, root, path, &x);
}

static int set_i64(authz_request *r, int root, const char *path, uint8_t kind, int64_t v)
{
	struct vm_value x = { .kind = kind, .u.i = v };
	return set_value(r, root, path, &x);
}

int authz_request_set_int(authz_request *r, int root, const char *path, int64_t v)
{
	return set_i64(r, root, path, AUTHZ_K_INT, v);
}

int authz_request_set_timestamp(authz_request *r, int root, const char *path, int64_t ms)
{
	return set_i64(r, root, path, AUTHZ_K_TIMESTAMP, ms);
}

int authz_request_set_duration(authz_request *r, int root, const char *path, int64_t ms)
{
	return set_i64(r, root, path, AUTHZ_K_DURATION, ms);
}

/* "principal.path" for a request error about `path` under `root`. */
static const char *root_path(int root, const char *path, char *buf, size_t size)
{
	static const char *const roots[] = { "principal", "resource", "context" };
	snprintf(buf, size, "%s.%.150s", root >= 0 && root <= 2 ? roots[root] : "?", path ? path : "?");
	return buf;
}

/* String v[0..n), given for `path` under `root`, copied into the pool as
 * *out: 0, AUTHZ_EINVAL when too long (the request is then bad too) or not
 * UTF-8, or AUTHZ_ENOMEM. */
static int string_arg(authz_request *r, int root, const char *path, const char *v, size_t n,
		      struct vm_value *out)
{
	char what[200];
	if (n > AUTHZ_MAX_STRING)
		return string_limit(r, n, root_path(root, path, what, sizeof what));
	if (!rt_utf8_valid(v, n))
		return AUTHZ_EINVAL;
	return rt_request_string_value(r, v, n, out) < 0 ? AUTHZ_ENOMEM : 0;
}

int authz_request_set_string_n(authz_request *r, int root, const char *path, const char *v, size_t n)
{
	struct vm_value x;
	int e = string_arg(r, root, path, v, n, &x);
	return e < 0 ? e : set_value(r, root, path, &x);
}

int authz_request_set_string(authz_request *r, int root, const char *path, const char *v)
{
	return authz_request_set_string_n(r, root, path, v, strlen(v));
}

int authz_request_set_ip_addr(authz_request *r, int root, const char *path, const authz_ip *ip)
{
	struct vm_value x;
	if (!rt_ip_value(ip, &x))
		return AUTHZ_EINVAL;
	return set_value(r, root, path, &x);
}

int authz_request_set_ip(authz_request *r, int root, const char *path, const char *ip)
{
	authz_ip x;
	if (authz_parse_ip(ip, strlen(ip), &x) < 0)
		return AUTHZ_EINVAL;
	return authz_request_set_ip_addr(r, root, path, &x);
}

int authz_request_set_empty_set(authz_request *r, int root, const char *path)
{
	int err;
	const struct bundle_field *f = find_path(r, root, path, &err);
	if (!f)
		return err;
	if (f->type != AUTHZ_K_SET)
		return AUTHZ_EINVAL;
	struct vm_value s = { .kind = AUTHZ_K_SET, .elem = f->elem };
	s.u.set.off = (uint32_t)r->npool;
	rt_request_store(r, (unsigned)root, f->slot, &s);
	return 0;
}

/* Append `v` to the set at `path`, moving the set to the end of the pool
 * when it is not there already. */
static int add_elem(authz_request *r, int root, const char *path, const struct vm_value *v)
{
	int err;
	const struct bundle_field *f = find_path(r, root, path, &err);
	if (!f)
		return err;
	if (f->type != AUTHZ_K_SET || f->elem != v->kind)
		return AUTHZ_EINVAL;
	size_t at = (size_t)root * r->nslots + f->slot;
	struct vm_value s = { .kind = AUTHZ_K_SET, .elem = f->elem };
	if (r->present[at] && r->vals[at].len >= AUTHZ_MAX_SET) {
		char what[200];
		rt_request_fail(r, "set for '%s' too large: more than %u elements",
				root_path(root, path, what, sizeof what), (unsigned)AUTHZ_MAX_SET);
		return AUTHZ_EINVAL;
	}
	if (r->present[at]) {
		s = r->vals[at];
		if (s.u.set.off + s.len != r->npool) {
			uint32_t start = (uint32_t)r->npool;
			for (uint32_t i = 0; i < s.len; i++) {
				struct vm_value e = r->pool[s.u.set.off + i];
				if (pool_val(r, &e) < 0)
					return AUTHZ_ENOMEM;
			}
			s.u.set.off = start;
		}
	} else {
		s.u.set.off = (uint32_t)r->npool;
	}
	if (pool_val(r, v) < 0)
		return AUTHZ_ENOMEM;
	s.len++;
	rt_request_store(r, (unsigned)root, f->slot, &s);
	return 0;
}

int authz_request_add_string_n(authz_request *r, int root, const char *path, const char *v, size_t n)
{
	struct vm_value x;
	int e = string_arg(r, root, path, v, n, &x);
	return e < 0 ? e : add_elem(r, root, path, &x);
}

int authz_request_add_string(authz_request *r, int root, const char *path, const char *v)
{
	return authz_request_add_string_n(r, root, path, v, strlen(v));
}

static int add_i64(authz_request *r, int root, const char *path, uint8_t kind, int64_t v)
{
	struct vm_value x = { .kind = kind, .u.i = v };
	return add_elem(r, root, path, &x);
}

int authz_request_add_int(authz_request *r, int root, const char *path, int64_t v)
{
	return add_i64(r, root, path, AUTHZ_K_INT, v);
}

int authz_request_add_bool(authz_request *r, int root, const char *path, int v)
{
	return add_i64(r, root, path, AUTHZ_K_BOOL, v != 0);
}

int authz_request_add_timestamp(authz_request *r, int root, const char *path, int64_t ms)
{
	return add_i64(r, root, path, AUTHZ_K_TIMESTAMP, ms);
}

int authz_request_add_duration(authz_request *r, int root, const char *path, int64_t ms)
{
	return add_i64(r, root, path, AUTHZ_K_DURATION, ms);
}

int authz_request_add_ip_addr(authz_request *r, int root, const char *path, const authz_ip *ip)
{
	struct vm_value x;
	if (!rt_ip_value(ip, &x))
		return AUTHZ_EINVAL;
	return add_elem(r, root, path, &x);
}

int authz_request_add_ip(authz_request *r, int root, const char *path, const char *ip)
{
	authz_ip x;
	if (authz_parse_ip(ip, strlen(ip), &x) < 0)
		return AUTHZ_EINVAL;
	return authz_request_add_ip_addr(r, root, path, &x);
}

/* "principal.workload.signed" for slot `slot` under `root` into buf. */
static void slot_path(const authz_bundle *b, unsigned root, uint32_t slot, char *buf, size_t size)
{
	static const char *const roots[] = { "principal", "resource", "context" };
	uint32_t chain[AUTHZ_MAX_DEPTH + 1];
	size_t n = 0;
	for (uint32_t s = slot; s != BUNDLE_NO_INDEX && n <= AUTHZ_MAX_DEPTH; s = b->slots[s].parent)
		chain[n++] = s;
	int len = snprintf(buf, size, "%s", roots[root]);
	while (n-- > 0 && len >= 0 && (size_t)len < size)
		len += snprintf(buf + len, size - (size_t)len, ".%s", b->str[b->slots[chain[n]].name]);
}

void rt_request_undeclared(authz_request *r, unsigned root, uint32_t parent, uint32_t first, uint32_t n,
			   const char *name, size_t len)
{
	const authz_bundle *b = r->b;
	char where[160], shown[80], type[96] = "";
	if (parent == BUNDLE_NO_INDEX)
		snprintf(where, sizeof where, "%s", root == AUTHZ_PRINCIPAL ? "principal"
						   : root == AUTHZ_RESOURCE ? "resource" : "context");
	else
		slot_path(b, root, parent, where, sizeof where);
	if (root != AUTHZ_CONTEXT && r->type[root] >= 0)
		snprintf(type, sizeof type, " of type '%s'", b->str[b->owners[r->type[root]].name]);
	struct rt_closest c;
	rt_closest_init(&c, name, len);
	for (uint32_t i = first; i < first + n; i++)
		rt_closest_offer(&c, b->str[b->slots[b->fields[i].slot].name]);
	rt_printable(shown, sizeof shown, name, len);
	if (c.best)
		rt_request_fail(r, "undeclared attribute '%s.%s'%s: did you mean '%s.%s'?", where, shown, type,
				where, c.best);
	else
		rt_request_fail(r, "undeclared attribute '%s.%s'%s: the schema does not declare it "
				"(declare it, or let '%s' take undeclared attributes with "
				"\"additionalAttributes\": true)", where, shown, type, where);
}

AUTHZ_INTERNAL void rt_request_slot_path(const authz_bundle *b, unsigned root, uint32_t slot, char *buf,
				      size_t size);
void rt_request_slot_path(const authz_bundle *b, unsigned root, uint32_t slot, char *buf, size_t size)
{
	slot_path(b, root, slot, buf, size);
}

/* Every required field of [first, first+n) present, recursively into
 * present records. */
/* The checks of fields [first, first + n) and their records' fields at
 * req[*at..]; false when there are more than `cap` (fields shared by two
 * records: not a tree) or nesting passes AUTHZ_MAX_DEPTH. */
static bool add_checks(authz_bundle *b, uint32_t first, uint32_t n, int depth, uint32_t *at, uint32_t cap)
{
	for (uint32_t i = first; i < first + n; i++) {
		const struct bundle_field *f = &b->fields[i];
		if (*at == cap || depth > AUTHZ_MAX_DEPTH)
			return false;
		uint32_t me = (*at)++;
		if (!add_checks(b, f->first_child, f->nchild, depth + 1, at, cap))
			return false;
		b->req[me] = (struct bundle_req){ f->slot, f->optional, *at - me - 1 };
	}
	return true;
}

int rt_required_build(authz_bundle *b)
{
	uint32_t no = b->ntypes + 1, at = 0, nmust = 0, ncond = 0;
	size_t n = (size_t)b->nfields + 1;
	b->req = malloc(n * sizeof *b->req);
	b->req_cond = malloc(n * sizeof *b->req_cond);
	b->req_must = malloc(n * sizeof *b->req_must);
	b->req_first = malloc(3 * ((size_t)no + 1) * sizeof *b->req_first);
	if (!b->req || !b->req_cond || !b->req_must || !b->req_first)
		return AUTHZ_ENOMEM;
	b->must_first = b->req_first + no + 1;
	b->cond_first = b->must_first + no + 1;
	for (uint32_t o = 0; o < no; o++) {
		b->req_first[o] = at;
		b->must_first[o] = nmust;
		b->cond_first[o] = ncond;
		if (!add_checks(b, b->owners[o].first, b->owners[o].ntop, 0, &at, b->nfields))
			return AUTHZ_EFORMAT;
		/* a required field under required records only: always
		 * checked; an optional record with fields: its subtree, checked
		 * when it is there; an optional leaf: nothing to check */
		for (uint32_t i = b->req_first[o]; i < at; i++) {
			const struct bundle_req *q = &b->req[i];
			if (!q->optional) {
				b->req_must[nmust++] = q->slot;
			} else if (q->skip) {
				memcpy(b->req_cond + ncond, q, ((size_t)q->skip + 1) * sizeof *q);
				ncond += q->skip + 1;
				i += q->skip;
			}
		}
	}
	b->req_first[no] = at;
	b->must_first[no] = nmust;
	b->cond_first[no] = ncond;
	return 0;
}

/* The first of checks q[0..n) (struct bundle_req) that request r fails
 * under `root`, or UINT32_MAX. */
static uint32_t failed_check(const authz_request *r, unsigned root, const struct bundle_req *q, uint32_t n)
{
	const uint8_t *present = r->present + (size_t)root * r->nslots;
	for (uint32_t i = 0; i < n; i++) {
		if (present[q[i].slot])
			continue;
		if (!q[i].optional)
			return q[i].slot;
		i += q[i].skip;
	}
	return UINT32_MAX;
}

/*
 * The first required attribute of `owner` (in field order) that request r
 * lacks under `root`, or UINT32_MAX.  The common case, nothing missing, is
 * an AND over the slots every request must have, without a branch per
 * field, and the optional records' subtrees; only a miss walks the fields
 * in order to name the first one.
 */
static uint32_t missing_required(const authz_request *r, unsigned root, uint32_t owner)
{
	const authz_bundle *b = r->b;
	const uint8_t *present = r->present + (size_t)root * r->nslots;
	unsigned all = 1;
	for (uint32_t i = b->must_first[owner]; i < b->must_first[owner + 1]; i++)
		all &= present[b->req_must[i]];
	if (all && failed_check(r, root, b->req_cond + b->cond_first[owner],
				b->cond_first[owner + 1] - b->cond_first[owner]) == UINT32_MAX)
		return UINT32_MAX;
	return failed_check(r, root, b->req + b->req_first[owner], b->req_first[owner + 1] - b->req_first[owner]);
}

const char *rt_request_finish(authz_request *r)
{
	const authz_bundle *b = r->b;
	char *msg = r->checkmsg;
	if (r->bad)
		return r->errmsg;
	if (r->type[0] < 0 || r->type[1] < 0 || r->action < 0) {
		snprintf(msg, sizeof r->checkmsg, "request has no %s", r->type[0] < 0 ? "principal" :
			 r->type[1] < 0 ? "resource" : "action");
		return msg;
	}
	const struct bundle_action *a = &b->actions[r->action];
	for (int w = 0; w < 2; w++) {
		const uint64_t *allowed = w ? a->resources : a->principals;
		uint32_t t = (uint32_t)r->type[w];
		if (!((allowed[t / 64] >> (t % 64)) & 1)) {
			snprintf(msg, sizeof r->checkmsg, "%s type '%s' is not allowed for action '%s'",
				 w ? "resource" : "principal", b->str[b->owners[t].name], b->str[a->name]);
			return msg;
		}
	}
	for (unsigned root = 0; root < 3; root++) {
		uint32_t slot = missing_required(r, root, root == 2 ? b->ntypes : (uint32_t)r->type[root]);
		if (slot != UINT32_MAX) {
			char path[200];
			slot_path(b, root, slot, path, sizeof path);
			snprintf(msg, sizeof r->checkmsg, "missing required attribute '%s'", path);
			return msg;
		}
	}
	/* a pool moved: point every value into it again */
	if (r->moved) {
		for (size_t i = 0; i < r->npool; i++)
			if (r->pool[i].kind == AUTHZ_K_STRING)
				r->pool[i].u.s.p = r->chars + r->pool[i].u.s.off;
		for (size_t i = 0; i < r->nfilled; i++) {
			struct vm_value *v = &r->vals[r->filled[i]];
			if (v->kind == AUTHZ_K_STRING)
				v->u.s.p = r->chars + v->u.s.off;
			else if (v->kind == AUTHZ_K_SET && r->pool)
				v->u.set.p = r->pool + v->u.set.off;
		}
		r->moved = false;
	}
	return NULL;
}
