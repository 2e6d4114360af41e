/*
 * check_expr.c: typing of expressions (authzc-policy(5), EXPRESSIONS), literal folding
 * and the `has` guards of optional attributes.
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "authzc_limits.h"
#include "suggest.h"
#include "check_int.h"

/* Deeper nesting than this (brackets inside operator chains inside
 * brackets...) is refused rather than risking the stack. */
#define CK_MAX_RECURSION 2000

static const char *const set_methods[] = { "containsAll", "containsAny", "isEmpty" };
static const char *const ts_accessors[] = { "year", "month", "day", "hour", "minute", "weekday" };
#define NELEM(a) (sizeof(a) / sizeof *(a))

static const struct type *ty(enum type_kind k)
{
	return type_scalar(k);
}

static bool is_err(const struct type *t)
{
	return !t || t->kind == TY_ERROR;
}

static const struct type *err_type(void)
{
	return type_scalar(TY_ERROR);
}

static const char *tstr(struct ck *ck, const struct type *t)
{
	return type_str(ck->a, t);
}

/* "an 'int'", "a 'string'": a type with its article, for messages. */
static const char *atstr(struct ck *ck, const struct type *t)
{
	return ck_a_type(ck->a, tstr(ck, t));
}

const char *ck_a_type(struct arena *a, const char *name)
{
	bool vowel = name[0] && strchr("aeiouAEIOU", name[0]) != NULL;
	return arena_printf(a, "%s '%s'", vowel ? "an" : "a", name);
}

/* The source text of `span`, when it is on one line and at most `max`
 * bytes; else NULL.  For helps that rewrite what was written. */
static char *source_text(struct ck *ck, struct span span, size_t max)
{
	const struct src_file *f = ck->c ? srcset_file(&ck->c->src, span.file) : NULL;
	size_t n = span.end - span.start;
	if (!f || span.end > f->len || n > max || memchr(f->text + span.start, '\n', n))
		return NULL;
	return arena_strndup(ck->a, f->text + span.start, n);
}

const char *ck_literal_help(struct ck *ck, const struct type *want, const struct ast_expr *lit)
{
	if (lit->kind != EX_STRING || (want->kind != TY_TIMESTAMP && want->kind != TY_IP))
		return NULL;
	bool ts = want->kind == TY_TIMESTAMP;
	const char *s = lit->u.str.s ? lit->u.str.s : "";
	int64_t ms;
	authz_ip ip;
	bool valid = ts ? authz_parse_time(s, lit->u.str.len, &ms) == 0
			: authz_parse_ip(s, lit->u.str.len, &ip) == 0;
	const char *text = valid ? source_text(ck, lit->span, 80) : NULL;
	if (text)
		return arena_printf(ck->a, "a string is not %s: write %s(%s)",
				    ts ? "a timestamp" : "an ip", ts ? "time" : "ip", text);
	return ts ? "a string is not a timestamp: write time(\"...\") with an RFC 3339 time "
		    "such as \"2026-11-22T10:00:00Z\""
		  : "a string is not an ip: write ip(\"...\") with an address or range such as "
		    "\"10.0.0.0/8\"";
}

char *ck_name_list(struct arena *a, const char *const *names, size_t n)
{
	char *s = arena_strdup(a, "");
	for (size_t i = 0; i < n; i++)
		s = arena_printf(a, "%s%s'%s'", s, i == 0 ? "" : i + 1 == n ? " and " : ", ", names[i]);
	return s;
}

enum value_kind ck_value_kind(const struct type *t)
{
	switch (t->kind) {
	case TY_BOOL: return VAL_BOOL;
	case TY_INT: return VAL_INT;
	case TY_STRING: return VAL_STRING;
	case TY_TIMESTAMP: return VAL_TIMESTAMP;
	case TY_DURATION: return VAL_DURATION;
	case TY_IP: return VAL_IP;
	case TY_SET: return VAL_SET;
	default: return VAL_RECORD;
	}
}

const struct type *ck_type_of_kind(enum value_kind k)
{
	switch (k) {
	case VAL_BOOL: return ty(TY_BOOL);
	case VAL_INT: return ty(TY_INT);
	case VAL_STRING: return ty(TY_STRING);
	case VAL_TIMESTAMP: return ty(TY_TIMESTAMP);
	case VAL_DURATION: return ty(TY_DURATION);
	case VAL_IP: return ty(TY_IP);
	default: return err_type();
	}
}

static bool is_scalar(const struct type *t)
{
	return t && t->kind <= TY_IP;
}

/* ---- names ----------------------------------------------------------------- */

static bool pkg_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

struct checked_const *ck_find_const(struct ck *ck, const char *pkg, const char *name)
{
	for (size_t i = 0; i < ck->out->nconsts; i++) {
		struct checked_const *k = &ck->out->consts[i];
		if (pkg_eq(k->package, pkg) && !strcmp(k->name, name))
			return k;
	}
	return NULL;
}

bool ck_is_package(const struct ck *ck, const char *name)
{
	for (size_t i = 0; i < ck->npackages; i++)
		if (!strcmp(ck->packages[i], name))
			return true;
	return false;
}

/* Constant names of package `pkg` (and, with packages, the package names). */
static const char **const_candidates(struct ck *ck, const char *pkg, bool packages, size_t *n)
{
	const char **names = arena_calloc(ck->a, ck->out->nconsts + ck->npackages + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < ck->out->nconsts; i++)
		if (pkg_eq(ck->out->consts[i].package, pkg))
			names[k++] = ck->out->consts[i].name;
	if (packages)
		for (size_t i = 0; i < ck->npackages; i++)
			names[k++] = ck->packages[i];
	*n = k;
	return names;
}

static void use_const(struct ast_expr *e, struct checked_const *k)
{
	k->used = true;
	e->type = k->type;
	e->ref = &k->value;
	e->ref_kind = is_err(k->type) ? REF_NONE : REF_CONST;
}

static const struct type *check_name(struct ck *ck, struct ast_expr *e, bool as_base)
{
	const char *name = e->u.name.name ? e->u.name.name : "";
	struct checked_const *k = ck_find_const(ck, ck->package, name);
	if (k) {
		use_const(e, k);
		return k->type;
	}
	if (ck_is_package(ck, name)) {
		struct diag *d = diag_at(ck->d, E_UNKNOWN_NAME, e->span,
					 "'%s' is a package, not a value", name);
		diag_help(ck->d, d, "refer to one of its constants as '%s.NAME'", name);
		return err_type();
	}
	struct diag *d = diag_at(ck->d, E_UNKNOWN_NAME, e->span, "unknown %s '%s'",
				 as_base ? "constant or package" : "constant", name);
	size_t n;
	const char **cands = const_candidates(ck, ck->package, as_base, &n);
	const char *best = suggest_closest(name, cands, n);
	/* The same name in exactly one other package. */
	const struct checked_const *other = NULL;
	size_t nother = 0;
	for (size_t i = 0; i < ck->out->nconsts; i++)
		if (!strcmp(ck->out->consts[i].name, name) && ck->out->consts[i].package) {
			other = &ck->out->consts[i];
			nother++;
		}
	if (best)
		diag_help(ck->d, d, "did you mean '%s'?", best);
	else if (nother == 1)
		diag_help(ck->d, d, "did you mean '%s.%s'?", other->package, name);
	else if (ck->package)
		diag_help(ck->d, d, "declare it with 'const %s = ...;' in package '%s', or write "
			  "'pkg.%s' for another package's constant", name, ck->package, name);
	else
		diag_help(ck->d, d, "declare it with 'const %s = ...;', or write 'pkg.%s' for a "
			  "package's constant", name, name);
	return err_type();
}

/* ---- literals -------------------------------------------------------------- */

static void set_value(struct ck *ck, struct ast_expr *e, struct value v)
{
	struct value *p = arena_alloc(ck->a, sizeof(*p));
	*p = v;
	e->ref = p;
	e->ref_kind = REF_VALUE;
}

static const struct type *check_int(struct ck *ck, struct ast_expr *e, bool negated)
{
	uint64_t m = e->u.num.value;
	bool ok = !e->u.num.overflow &&
		  (m <= (uint64_t)INT64_MAX || (negated && m == (uint64_t)INT64_MAX + 1));
	if (!ok) {
		struct diag *d = diag_at(ck->d, E_INT_RANGE, e->span,
					 "integer literal '%s%s' is out of range", negated ? "-" : "",
					 e->u.num.text ? e->u.num.text : "?");
		diag_help(ck->d, d, "integers are signed 64-bit: from -9223372036854775808 to "
			  "9223372036854775807");
		return err_type();
	}
	if (m <= (uint64_t)INT64_MAX)
		set_value(ck, e, value_int(VAL_INT, (int64_t)m));
	return ty(TY_INT);
}

static const struct type *check_duration(struct ck *ck, struct ast_expr *e)
{
	if (e->u.num.overflow || e->u.num.value > (uint64_t)INT64_MAX) {
		struct diag *d = diag_at(ck->d, E_BAD_DURATION, e->span,
					 "duration '%s' is out of range",
					 e->u.num.text ? e->u.num.text : "?");
		diag_help(ck->d, d, "durations are signed 64-bit milliseconds: at most about "
			  "106751991167d");
		return err_type();
	}
	set_value(ck, e, value_int(VAL_DURATION, (int64_t)e->u.num.value));
	return ty(TY_DURATION);
}

static const struct type *check_time(struct ck *ck, struct ast_expr *e)
{
	/* The parser already reported time(x) with x not a string literal. */
	if (e->u.lit.arg_span.start == e->span.start && e->u.lit.arg_span.end == e->span.end)
		return err_type();
	int64_t ms;
	if (authz_parse_time(e->u.lit.text, e->u.lit.len, &ms) < 0) {
		struct diag *d = diag_at(ck->d, E_BAD_TIME, e->u.lit.arg_span,
					 "invalid timestamp '%.*s'", (int)(e->u.lit.len > 80 ? 80 : e->u.lit.len),
					 e->u.lit.text);
		diag_help(ck->d, d, "write an RFC 3339 time such as \"2026-11-22T10:00:00Z\"");
		return err_type();
	}
	set_value(ck, e, value_int(VAL_TIMESTAMP, ms));
	return ty(TY_TIMESTAMP);
}

/* Is the prefix text p[0..n) a well-formed number (1 to 3 digits, no
 * leading zero) above `max`?  Only tells E0311's two messages apart: the
 * ip itself is parsed by authz_parse_ip. */
static bool prefix_too_long(const char *p, size_t n, unsigned max)
{
	unsigned v = 0;
	if (n == 0 || n > 3 || (p[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v > max;
}

static const struct type *check_ip(struct ck *ck, struct ast_expr *e)
{
	if (e->u.lit.arg_span.start == e->span.start && e->u.lit.arg_span.end == e->span.end)
		return err_type();
	const char *text = e->u.lit.text;
	size_t len = e->u.lit.len;
	struct value v;
	memset(&v, 0, sizeof(v));
	v.kind = VAL_IP;
	if (authz_parse_ip(text, len, &v.u.ip) < 0) {
		const char *slash = memchr(text, '/', len);
		authz_ip addr;
		if (slash && authz_parse_ip(text, (size_t)(slash - text), &addr) == 0 &&
		    prefix_too_long(slash + 1, len - (size_t)(slash - text) - 1, addr.prefix)) {
			const char *fam = addr.family == 6 ? "IPv6" : "IPv4";
			struct diag *d = diag_at(ck->d, E_BAD_IP, e->u.lit.arg_span,
						 "prefix '%.*s' is too long for an %s address",
						 (int)(len - (size_t)(slash - text)), slash, fam);
			diag_help(ck->d, d, "the prefix of an %s address is at most /%u", fam,
				  addr.prefix);
			return err_type();
		}
		struct diag *d = diag_at(ck->d, E_BAD_IP, e->u.lit.arg_span, "invalid ip address '%.*s'",
					 (int)(e->u.lit.len > 80 ? 80 : e->u.lit.len), e->u.lit.text);
		diag_help(ck->d, d, "write an IPv4 or IPv6 address with an optional /prefix, such as "
			  "\"10.0.0.0/8\" or \"2001:db8::/32\"");
		return err_type();
	}
	set_value(ck, e, v);
	return ty(TY_IP);
}

bool ck_is_literal_form(const struct ast_expr *e)
{
	switch (e->kind) {
	case EX_BOOL: case EX_INT: case EX_STRING: case EX_DURATION: case EX_TIME: case EX_IP:
	case EX_SET:
		return true;
	case EX_NEG:
		return e->u.un.operand->kind == EX_INT || e->u.un.operand->kind == EX_DURATION;
	default:
		return false;
	}
}

static const struct type *check_set(struct ck *ck, struct ast_expr *e)
{
	size_t n = e->u.list.n;
	const struct type *elem = NULL;
	const struct ast_expr *first = NULL;
	bool bad = false;
	if (n > LIM_MAX_SET) {
		struct span at = { e->span.file, e->span.start, e->span.start + 1 };
		struct diag *d = diag_at(ck->d, E_LIMIT, at, "set literal too large: %zu elements, at most %u",
					 n, (unsigned)LIM_MAX_SET);
		diag_help(ck->d, d, "a request's set is limited likewise; split the set into several "
			  "constants and test each with 'in'");
		return err_type();
	}
	struct value *items = arena_calloc(ck->a, n ? n : 1, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		struct ast_expr *x = e->u.list.items[i];
		size_t nf = ck->facts.n;
		const struct type *t = ck_expr(ck, x);
		ck_facts_reset(ck, nf);
		if (is_err(t)) {
			bad = true;
			continue;
		}
		if (x->ref_kind == REF_NONE) {
			struct diag *d = diag_at(ck->d, E_NOT_LITERAL, x->span,
						 "set elements must be literals or constants");
			diag_help(ck->d, d, "compare with the value instead: 'x == y', or build the set "
				  "from literals such as [\"a\", \"b\"]");
			bad = true;
			continue;
		}
		if (!is_scalar(t)) {
			struct diag *d = diag_at(ck->d, E_SET_ELEM, x->span,
						 "a set cannot hold %s", atstr(ck, t));
			diag_help(ck->d, d, "set elements are bool, int, string, timestamp, duration or ip");
			bad = true;
			continue;
		}
		if (!elem) {
			elem = t;
			first = x;
		} else if (!type_equal(elem, t)) {
			struct diag *d = diag_at(ck->d, E_SET_ELEM, x->span,
						 "set element is %s but the first element is %s",
						 atstr(ck, t), atstr(ck, elem));
			diag_note(ck->d, d, first->span, "the first element");
			diag_help(ck->d, d, "every element of a set has the same type");
			bad = true;
			continue;
		}
		items[i] = *(const struct value *)x->ref;
	}
	if (bad)
		return err_type();
	set_value(ck, e, value_set(items, n, elem ? (int)ck_value_kind(elem) : VAL_ELEM_NONE));
	return type_set(ck->a, elem);
}

/* `[]` standing next to a set<T>: give it that type. */
static void adopt_empty(struct ast_expr *e, const struct type *t)
{
	if (e->kind != EX_SET || e->u.list.n != 0 || !t || t->kind != TY_SET || !t->elem)
		return;
	e->type = t;
	if (e->ref_kind == REF_VALUE) {
		struct value *v = (struct value *)e->ref;
		v->u.set.elem = (int)ck_value_kind(t->elem);
	}
}

/* ---- paths and guards ------------------------------------------------------ */

/* "principal.window.start" for a chain of attribute reads from a variable,
 * else NULL. */
static char *expr_path(struct ck *ck, const struct ast_expr *e)
{
	if (e->kind == EX_VAR) {
		if (e->u.var == VAR_PRINCIPAL || e->u.var == VAR_RESOURCE || e->u.var == VAR_CONTEXT)
			return arena_strdup(ck->a, ast_var_str(e->u.var));
		return NULL;
	}
	if (e->kind == EX_ATTR && e->ref_kind == REF_NONE) {
		char *base = expr_path(ck, e->u.attr.base);
		return base ? arena_printf(ck->a, "%s.%s", base, e->u.attr.name) : NULL;
	}
	return NULL;
}

static bool fact_known(const struct ck *ck, const char *path)
{
	for (size_t i = 0; i < ck->facts.n; i++)
		if (!strcmp(ck->facts.items[i], path))
			return true;
	return false;
}

static void require_guard(struct ck *ck, struct ast_expr *e)
{
	char *path = expr_path(ck, e);
	if (!path || fact_known(ck, path))
		return;
	char *base = expr_path(ck, e->u.attr.base);
	struct diag *d = diag_at(ck->d, E_UNGUARDED, e->span,
				 "'%s' is optional: guard the read with '%s has %s' before it", path,
				 base ? base : "?", e->u.attr.name);
	diag_help(ck->d, d, "put '%s has %s' to its left in the same 'and' chain, or in an earlier "
		  "'when' clause", base ? base : "?", e->u.attr.name);
}

/* ---- attributes ------------------------------------------------------------ */

/* The names declared on any of the entity types of t (plus "id"). */
static const char **entity_attr_names(struct ck *ck, const struct type *t, size_t *n)
{
	size_t total = 1;
	for (size_t i = 0; i < t->nentities; i++)
		total += t->entities[i]->attrs.n;
	const char **names = arena_calloc(ck->a, total, sizeof(char *));
	size_t k = 0;
	names[k++] = "id";
	for (size_t i = 0; i < t->nentities; i++)
		for (size_t j = 0; j < t->entities[i]->attrs.n; j++)
			names[k++] = t->entities[i]->attrs.attrs[j].name;
	*n = k;
	return names;
}

static const char **record_attr_names(struct ck *ck, const struct record_type *r, size_t *n)
{
	const char **names = arena_calloc(ck->a, r->n + 1, sizeof(char *));
	for (size_t i = 0; i < r->n; i++)
		names[i] = r->attrs[i].name;
	*n = r->n;
	return names;
}

static void unknown_attr(struct ck *ck, struct span span, const char *name, const char *on,
			 const char **cands, size_t ncands)
{
	struct diag *d = diag_at(ck->d, E_UNKNOWN_ATTR, span, "unknown attribute '%s' on '%s'", name, on);
	const char *best = suggest_closest(name, cands, ncands);
	if (best)
		diag_help(ck->d, d, "did you mean '%s'?", best);
	else if (ncands)
		diag_help(ck->d, d, "the attributes of '%s' are %s", on,
			  ck_name_list(ck->a, cands, ncands > 12 ? 12 : ncands));
	else
		diag_help(ck->d, d, "'%s' has no attributes; declare them in the schema", on);
}

/*
 * Attribute `name` read on entities of type t.  Reports E0301 when no type
 * in scope declares it, E0315 when one lacks it or types it differently.
 * For `has` (is_has), one declaration is enough.  *optional: may be absent.
 */
static const struct type *entity_attr(struct ck *ck, struct ast_expr *e, const struct type *t,
				      bool is_has, bool *optional)
{
	const char *name = e->u.attr.name;
	const char *what = e->u.attr.base->kind == EX_VAR ? ast_var_str(e->u.attr.base->u.var) : "entity";
	*optional = false;
	if (!strcmp(name, "id"))
		return ty(TY_STRING);
	const struct attr_decl *first = NULL;
	const struct entity_type *first_type = NULL;
	bool missing = false;
	size_t nfound = 0;
	for (size_t i = 0; i < t->nentities; i++) {
		const struct attr_decl *a = record_find(&t->entities[i]->attrs, name);
		if (!a) {
			missing = true;
			continue;
		}
		nfound++;
		if (a->optional)
			*optional = true;
		if (!first) {
			first = a;
			first_type = t->entities[i];
		} else if (!is_has && !type_equal(first->type, a->type)) {
			struct diag *d = diag_at(ck->d, E_ATTR_SCOPE, e->u.attr.name_span,
						 "attribute '%s' is %s on '%s' but %s on '%s'", name,
						 atstr(ck, first->type), first_type->name, atstr(ck, a->type),
						 t->entities[i]->name);
			diag_help(ck->d, d, "narrow the scope with '%s is %s' so the attribute has one type",
				  what, first_type->name);
			return err_type();
		}
	}
	if (!nfound) {
		size_t n;
		const char **cands = entity_attr_names(ck, t, &n);
		unknown_attr(ck, e->u.attr.name_span, name, type_str(ck->a, t), cands, n);
		return err_type();
	}
	if (missing && !is_has) {
		const char **have = arena_calloc(ck->a, t->nentities, sizeof(char *));
		const char **lack = arena_calloc(ck->a, t->nentities, sizeof(char *));
		size_t nh = 0, nl = 0;
		for (size_t i = 0; i < t->nentities; i++) {
			if (record_find(&t->entities[i]->attrs, name))
				have[nh++] = t->entities[i]->name;
			else
				lack[nl++] = t->entities[i]->name;
		}
		struct diag *d = diag_at(ck->d, E_ATTR_SCOPE, e->u.attr.name_span,
					 "attribute '%s' is not declared on %s, which this %s's %s may be",
					 name, ck_name_list(ck->a, lack, nl), ck->item ? ck->item : "rule", what);
		char *list = arena_strdup(ck->a, "");
		for (size_t i = 0; i < nh; i++)
			list = arena_printf(ck->a, "%s%s%s", list, i ? " | " : "", have[i]);
		diag_help(ck->d, d, "narrow the scope with '%s is %s'", what, list);
		return err_type();
	}
	return first->type;
}

static const struct type *record_attr(struct ck *ck, struct ast_expr *e, const struct type *t,
				      bool *optional)
{
	const char *name = e->u.attr.name;
	*optional = false;
	const struct attr_decl *a = t->record ? record_find(t->record, name) : NULL;
	if (!a) {
		char *on = expr_path(ck, e->u.attr.base);
		size_t n = 0;
		const char **cands = t->record ? record_attr_names(ck, t->record, &n) : NULL;
		unknown_attr(ck, e->u.attr.name_span, name, on ? on : "record", cands, n);
		return err_type();
	}
	*optional = a->optional;
	return a->type;
}

/* pkg.NAME */
static const struct type *check_pkg_const(struct ck *ck, struct ast_expr *e)
{
	const char *pkg = e->u.attr.base->u.name.name;
	const char *name = e->u.attr.name;
	struct checked_const *k = ck_find_const(ck, pkg, name);
	if (k) {
		use_const(e, k);
		return k->type;
	}
	struct diag *d = diag_at(ck->d, E_UNKNOWN_NAME, e->span, "package '%s' has no constant '%s'",
				 pkg, name);
	size_t n;
	const char **cands = const_candidates(ck, pkg, false, &n);
	const char *best = suggest_closest(name, cands, n);
	if (best)
		diag_help(ck->d, d, "did you mean '%s.%s'?", pkg, best);
	else
		diag_help(ck->d, d, "declare it in package '%s' with 'const %s = ...;'", pkg, name);
	return err_type();
}

static const struct type *check_attr(struct ck *ck, struct ast_expr *e, bool is_has)
{
	struct ast_expr *base = e->u.attr.base;
	const char *name = e->u.attr.name ? e->u.attr.name : "";
	if (!is_has && base->kind == EX_NAME && base->u.name.name &&
	    ck_is_package(ck, base->u.name.name))
		return check_pkg_const(ck, e);
	const struct type *bt = base->kind == EX_NAME ? check_name(ck, base, true) : ck_expr(ck, base);
	if (base->kind == EX_NAME)
		base->type = bt;
	if (is_err(bt))
		return err_type();
	bool optional = false;
	const struct type *t;
	switch (bt->kind) {
	case TY_ENTITY:
		t = entity_attr(ck, e, bt, is_has, &optional);
		break;
	case TY_RECORD:
		t = record_attr(ck, e, bt, &optional);
		break;
	case TY_TIMESTAMP:
		if (is_has)
			goto no_attrs;
		for (size_t i = 0; i < NELEM(ts_accessors); i++)
			if (!strcmp(name, ts_accessors[i]))
				return ty(TY_INT);
		{
			struct diag *d = diag_at(ck->d, E_BAD_METHOD, e->u.attr.name_span,
						 "unknown timestamp accessor '%s'", name);
			const char *best = suggest_closest(name, ts_accessors, NELEM(ts_accessors));
			if (best)
				diag_help(ck->d, d, "did you mean '%s'?", best);
			else
				diag_help(ck->d, d, "the accessors are .year .month .day .hour .minute .weekday");
		}
		return err_type();
	case TY_SET:
		if (is_has)
			goto no_attrs;
		for (size_t i = 0; i < NELEM(set_methods); i++)
			if (!strcmp(name, set_methods[i])) {
				struct diag *d = diag_at(ck->d, E_BAD_METHOD, e->u.attr.name_span,
							 "'%s' is a method, not an attribute", name);
				diag_help(ck->d, d, "call it: '%s(%s)'", name,
					  i == 2 ? "" : "other_set");
				return err_type();
			}
		/* fall through */
	default:
	no_attrs: {
		struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, is_has ? e->span : e->u.attr.name_span,
					 is_has ? "'has' needs an entity or a record, not %s"
						: "%s has no attributes", atstr(ck, bt));
		diag_help(ck->d, d, "attributes belong to principal, resource, context and "
			  "their records");
		return err_type();
	}
	}
	if (is_err(t))
		return t;
	if (is_has)
		return ty(TY_BOOL);
	if (optional)
		require_guard(ck, e);
	return t;
}

/* `S.contains(x)` or `S.includes(x)`: a method of other languages' sets. */
static bool is_contains(const struct ast_expr *e)
{
	const char *name = e->u.call.name ? e->u.call.name : "";
	return (!strcmp(name, "contains") || !strcmp(name, "includes")) && e->u.call.nargs == 1;
}

/* `x in S` for the call `S.contains(x)`, as written when short. */
static const char *in_text(struct ck *ck, const struct ast_expr *e)
{
	const char *x = source_text(ck, e->u.call.args[0]->span, 40);
	const char *set = source_text(ck, e->u.call.base->span, 40);
	return x && set ? arena_printf(ck->a, "%s in %s", x, set) : "x in S";
}

/* `s.contains("x")`, `s.startsWith("x")`, `s.endsWith("x")` on a string:
 * the `like` pattern that says it, or NULL for other calls (or a literal
 * holding '*' or '\', which a pattern would have to escape). */
static const char *like_help(struct ck *ck, const struct ast_expr *e)
{
	static const char *const forms[][3] = {     /* method, before, after the part */
		{ "contains", "*", "*" }, { "includes", "*", "*" }, { "startsWith", "", "*" },
		{ "endsWith", "*", "" },
	};
	const char *name = e->u.call.name ? e->u.call.name : "";
	const struct ast_expr *arg = e->u.call.nargs == 1 ? e->u.call.args[0] : NULL;
	for (size_t i = 0; i < NELEM(forms); i++) {
		if (strcmp(name, forms[i][0]))
			continue;
		const char *s = source_text(ck, e->u.call.base->span, 40);
		if (!arg || arg->kind != EX_STRING || !s)
			return "match strings with 'like': 's like \"*part*\"'";
		const char *lit = source_text(ck, arg->span, 40);
		if (!lit || strpbrk(lit, "*\\"))
			return "match strings with 'like': 's like \"*part*\"'";
		return arena_printf(ck->a, "match strings with 'like': '%s like \"%s%.*s%s\"'", s,
				    forms[i][1], (int)strlen(lit) - 2, lit + 1, forms[i][2]);
	}
	return NULL;
}

static const struct type *check_call(struct ck *ck, struct ast_expr *e)
{
	const char *name = e->u.call.name ? e->u.call.name : "";
	size_t nf = ck->facts.n;
	const struct type *bt = ck_expr(ck, e->u.call.base);
	ck_facts_reset(ck, nf);
	const struct type **at = arena_calloc(ck->a, e->u.call.nargs + 1, sizeof(*at));
	bool arg_err = false;
	for (size_t i = 0; i < e->u.call.nargs; i++) {
		at[i] = ck_expr(ck, e->u.call.args[i]);
		ck_facts_reset(ck, nf);
		arg_err |= is_err(at[i]);
	}
	if (is_err(bt))
		return err_type();
	if (bt->kind == TY_TIMESTAMP) {
		for (size_t i = 0; i < NELEM(ts_accessors); i++)
			if (!strcmp(name, ts_accessors[i])) {
				struct diag *d = diag_at(ck->d, E_BAD_METHOD, e->u.call.name_span,
							 "'%s' is an accessor, not a method", name);
				diag_help(ck->d, d, "write '.%s' without parentheses", name);
				return err_type();
			}
	}
	if (bt->kind != TY_SET) {
		struct diag *d = diag_at(ck->d, E_BAD_METHOD, e->u.call.name_span,
					 "%s has no method '%s'", atstr(ck, bt), name);
		const char *like = bt->kind == TY_STRING ? like_help(ck, e) : NULL;
		if (like)
			diag_help(ck->d, d, "%s", like);
		else if (bt->kind == TY_TIMESTAMP)
			diag_help(ck->d, d, "timestamps have the accessors .year .month .day .hour "
				  ".minute .weekday");
		else
			diag_help(ck->d, d, "only sets have methods: containsAll, containsAny, isEmpty");
		return err_type();
	}
	size_t m = NELEM(set_methods);
	for (size_t i = 0; i < NELEM(set_methods); i++)
		if (!strcmp(name, set_methods[i]))
			m = i;
	if (m == NELEM(set_methods)) {
		struct diag *d = diag_at(ck->d, E_BAD_METHOD, e->u.call.name_span,
					 "unknown set method '%s'", name);
		if (is_contains(e) && !is_err(at[0])) {
			/* x in S, or S.containsAll(T) / containsAny(T) for a set T */
			if (at[0]->kind != TY_SET)
				diag_help(ck->d, d, "test membership with 'in': '%s'", in_text(ck, e));
			else
				diag_help(ck->d, d, "use 'containsAll' (every element of the argument) "
					  "or 'containsAny' (some element)");
			return err_type();
		}
		const char *best = suggest_closest(name, set_methods, NELEM(set_methods));
		if (best)
			diag_help(ck->d, d, "did you mean '%s'?", best);
		else
			diag_help(ck->d, d, "the set methods are containsAll, containsAny and isEmpty");
		return err_type();
	}
	size_t want = m == 2 ? 0 : 1;
	if (e->u.call.nargs != want) {
		struct diag *d = diag_at(ck->d, E_BAD_METHOD, e->span,
					 "'%s' takes %zu argument%s, not %zu", name, want,
					 want == 1 ? "" : "s", e->u.call.nargs);
		diag_help(ck->d, d, "write '%s(%s)'", name, want ? "other_set" : "");
		return err_type();
	}
	if (arg_err)
		return err_type();
	if (want) {
		struct ast_expr *arg = e->u.call.args[0];
		const struct type *t = at[0];
		bool ok = t->kind == TY_SET &&
			  (!t->elem || !bt->elem || type_equal(t->elem, bt->elem));
		if (!ok) {
			struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, arg->span,
						 "'%s' needs %s argument, not %s", name,
						 atstr(ck, bt), atstr(ck, t));
			diag_help(ck->d, d, "both sets must hold the same type of element");
			return err_type();
		}
		adopt_empty(arg, bt);
		adopt_empty(e->u.call.base, t);
	}
	return ty(TY_BOOL);
}

/* ---- operators ------------------------------------------------------------- */

static void operand_not_bool(struct ck *ck, struct ast_expr *x, const char *what,
			     const struct type *t)
{
	struct diag *d = diag_at(ck->d, E_NOT_BOOL, x->span, "%s is %s, not a 'bool'", what,
				 atstr(ck, t));
	if (t->kind == TY_SET)
		diag_help(ck->d, d, "test the set with a method, e.g. 'isEmpty()', or with 'x in S'");
	else
		diag_help(ck->d, d, "compare it with a value, e.g. 'x == ...'");
}

static const struct type *check_logic(struct ck *ck, struct ast_expr *e)
{
	bool is_and = e->u.bin.op == BIN_AND;
	const char *op = is_and ? "and" : "or";
	size_t nf = ck->facts.n;
	const struct type *lt = ck_expr(ck, e->u.bin.lhs);
	if (!is_and)
		ck_facts_reset(ck, nf);
	const struct type *rt = ck_expr(ck, e->u.bin.rhs);
	if (!is_and)
		ck_facts_reset(ck, nf);
	bool ok = true;
	if (!is_err(lt) && lt->kind != TY_BOOL) {
		operand_not_bool(ck, e->u.bin.lhs, arena_printf(ck->a, "the left operand of '%s'", op), lt);
		ok = false;
	}
	if (!is_err(rt) && rt->kind != TY_BOOL) {
		operand_not_bool(ck, e->u.bin.rhs, arena_printf(ck->a, "the right operand of '%s'", op), rt);
		ok = false;
	}
	return ok ? ty(TY_BOOL) : err_type();
}

static const struct type *mismatch(struct ck *ck, struct ast_expr *e, const char *help,
				   const char *fmt, const struct type *a, const struct type *b)
{
	struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->span, fmt, tstr(ck, a), tstr(ck, b));
	if (help)
		diag_help(ck->d, d, "%s", help);
	return err_type();
}

/* The help for comparing a timestamp or an ip with a string literal (the
 * literal wrapped in time() or ip()), or NULL. */
static const char *literal_help(struct ck *ck, const struct ast_expr *e, const struct type *lt,
				const struct type *rt)
{
	const char *h = ck_literal_help(ck, lt, e->u.bin.rhs);
	return h ? h : ck_literal_help(ck, rt, e->u.bin.lhs);
}

static bool is_kind(const struct type *t, enum type_kind k)
{
	return t->kind == k;
}

static const struct type *check_binary(struct ck *ck, struct ast_expr *e)
{
	enum ast_binop op = e->u.bin.op;
	if (op == BIN_AND || op == BIN_OR)
		return check_logic(ck, e);
	size_t nf = ck->facts.n;
	const struct type *lt = ck_expr(ck, e->u.bin.lhs);
	ck_facts_reset(ck, nf);
	const struct type *rt = ck_expr(ck, e->u.bin.rhs);
	ck_facts_reset(ck, nf);
	if (is_err(lt) || is_err(rt))
		return op >= BIN_EQ && op <= BIN_IN ? ty(TY_BOOL) : err_type();
	const char *ops = ast_binop_str(op);
	switch (op) {
	case BIN_EQ:
	case BIN_NE:
		if (lt->kind == TY_RECORD || rt->kind == TY_RECORD) {
			struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->span,
						 "records cannot be compared with '%s'", ops);
			diag_help(ck->d, d, "compare their attributes one by one");
			return err_type();
		}
		if (lt->kind == TY_ENTITY && rt->kind == TY_ENTITY)
			return ty(TY_BOOL);
		if (lt->kind == TY_SET && rt->kind == TY_SET && (!lt->elem || !rt->elem)) {
			adopt_empty(e->u.bin.lhs, rt);
			adopt_empty(e->u.bin.rhs, lt);
			return ty(TY_BOOL);
		}
		if (!type_equal(lt, rt)) {
			const char *help = literal_help(ck, e, lt, rt);
			if (!help)
				help = lt->kind == TY_ENTITY || rt->kind == TY_ENTITY
					? "an entity compares only with an entity; to compare ids, "
					  "write 'principal.id == \"...\"'"
					: "both sides of '==' and '!=' must have the same type";
			return mismatch(ck, e, help, "cannot compare '%s' with '%s'", lt, rt);
		}
		return ty(TY_BOOL);
	case BIN_LT: case BIN_LE: case BIN_GT: case BIN_GE:
		if (!type_equal(lt, rt)) {
			const char *help = literal_help(ck, e, lt, rt);
			return mismatch(ck, e, help ? help : "'<', '<=', '>' and '>=' compare two ints, "
					"two timestamps or two durations", "cannot compare '%s' with '%s'",
					lt, rt);
		}
		if (!is_kind(lt, TY_INT) && !is_kind(lt, TY_TIMESTAMP) && !is_kind(lt, TY_DURATION)) {
			struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->span,
						 "'%s' values cannot be ordered with '%s'", tstr(ck, lt), ops);
			diag_help(ck->d, d, "'<', '<=', '>' and '>=' compare two ints, two timestamps or "
				  "two durations");
			return err_type();
		}
		return ty(TY_BOOL);
	case BIN_IN:
		if (rt->kind == TY_SET) {
			if (!rt->elem) {
				if (is_scalar(lt))
					return ty(TY_BOOL);
			} else if (type_equal(lt, rt->elem)) {
				return ty(TY_BOOL);
			}
			return mismatch(ck, e, "'x in S' needs S to be a set of x's type",
					"cannot look for '%s' in '%s'", lt, rt);
		}
		if (rt->kind == TY_IP) {
			if (lt->kind == TY_IP)
				return ty(TY_BOOL);
			return mismatch(ck, e, "'x in ip(\"10.0.0.0/8\")' needs an ip on the left",
					"cannot look for '%s' in an '%s' range", lt, rt);
		}
		{
			struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->u.bin.rhs->span,
						 "the right side of 'in' is %s, not a set or an ip range",
						 atstr(ck, rt));
			const char *help = ck_literal_help(ck, lt, e->u.bin.rhs);
			if (help)
				diag_help(ck->d, d, "%s", help);
			else
				diag_help(ck->d, d, "write 'x in [\"a\", \"b\"]', 'x in S' with S a set, or "
					  "'addr in ip(\"10.0.0.0/8\")'");
			return err_type();
		}
	case BIN_ADD:
	case BIN_SUB:
		if (is_kind(lt, TY_INT) && is_kind(rt, TY_INT))
			return ty(TY_INT);
		if (is_kind(lt, TY_TIMESTAMP) && is_kind(rt, TY_DURATION))
			return ty(TY_TIMESTAMP);
		if (op == BIN_SUB && is_kind(lt, TY_TIMESTAMP) && is_kind(rt, TY_TIMESTAMP))
			return ty(TY_DURATION);
		if (is_kind(lt, TY_DURATION) && is_kind(rt, TY_DURATION))
			return ty(TY_DURATION);
		if (op == BIN_ADD && is_kind(lt, TY_DURATION) && is_kind(rt, TY_TIMESTAMP))
			return mismatch(ck, e, "write the timestamp first: 'timestamp + duration'",
					"cannot add '%s' and '%s'", lt, rt);
		return mismatch(ck, e, op == BIN_ADD
				? "'+' adds int+int, timestamp+duration or duration+duration"
				: "'-' subtracts int-int, timestamp-duration, timestamp-timestamp or "
				  "duration-duration",
				op == BIN_ADD ? "cannot add '%s' and '%s'" : "cannot subtract '%s' from '%s'",
				op == BIN_ADD ? lt : rt, op == BIN_ADD ? rt : lt);
	case BIN_MUL:
		if (is_kind(lt, TY_INT) && is_kind(rt, TY_INT))
			return ty(TY_INT);
		return mismatch(ck, e, "'*' multiplies two ints", "cannot multiply '%s' by '%s'", lt, rt);
	default:
		return err_type();
	}
}

static const struct type *check_like(struct ck *ck, struct ast_expr *e)
{
	size_t nf = ck->facts.n;
	const struct type *lt = ck_expr(ck, e->u.bin.lhs);
	ck_facts_reset(ck, nf);
	struct ast_expr *pat = e->u.bin.rhs;
	const struct type *rt = ck_expr(ck, pat);
	ck_facts_reset(ck, nf);
	bool ok = true;
	if (pat->kind != EX_STRING) {
		struct diag *d = diag_at(ck->d, E_LIKE_PATTERN, pat->span,
					 "the pattern of 'like' must be a string literal");
		diag_help(ck->d, d, "write the pattern in quotes, e.g. 's like \"prefix*\"' ('*' "
			  "matches any run of characters)");
		ok = false;
	}
	(void)rt;
	if (!is_err(lt) && lt->kind != TY_STRING) {
		struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->u.bin.lhs->span,
					 "'like' matches strings, not %s", atstr(ck, lt));
		diag_help(ck->d, d, "use 'like' on a string attribute such as 'resource.id'");
		ok = false;
	}
	return ok ? ty(TY_BOOL) : err_type();
}

static const struct type *check_neg(struct ck *ck, struct ast_expr *e)
{
	struct ast_expr *x = e->u.un.operand;
	if (x->kind == EX_INT) {
		const struct type *t = check_int(ck, x, true);
		x->type = t;
		if (!is_err(t)) {
			uint64_t m = x->u.num.value;
			int64_t v = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
			set_value(ck, e, value_int(VAL_INT, v));
		}
		return t;
	}
	if (x->kind == EX_DURATION) {
		const struct type *t = check_duration(ck, x);
		x->type = t;
		if (!is_err(t))
			set_value(ck, e, value_int(VAL_DURATION, -(int64_t)x->u.num.value));
		return t;
	}
	size_t nf = ck->facts.n;
	const struct type *t = ck_expr(ck, x);
	ck_facts_reset(ck, nf);
	if (is_err(t))
		return t;
	if (t->kind != TY_INT && t->kind != TY_DURATION) {
		struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->span, "cannot negate %s",
					 atstr(ck, t));
		diag_help(ck->d, d, "unary '-' applies to ints and durations");
		return err_type();
	}
	/* A negated constant is still a constant. */
	if (x->ref_kind != REF_NONE) {
		const struct value *v = x->ref;
		if (v->u.i != INT64_MIN)
			set_value(ck, e, value_int(v->kind, -v->u.i));
	}
	return t;
}

/* ---- the dispatcher ------------------------------------------------------- */

static const struct type *check_expr_kind(struct ck *ck, struct ast_expr *e)
{
	switch (e->kind) {
	case EX_BOOL:
		set_value(ck, e, value_bool(e->u.b));
		return ty(TY_BOOL);
	case EX_INT:
		return check_int(ck, e, false);
	case EX_STRING:
		set_value(ck, e, value_string(e->u.str.s ? e->u.str.s : "", e->u.str.len));
		return ty(TY_STRING);
	case EX_DURATION:
		return check_duration(ck, e);
	case EX_TIME:
		return check_time(ck, e);
	case EX_IP:
		return check_ip(ck, e);
	case EX_SET:
		return check_set(ck, e);
	case EX_RECORD: {
		struct diag *d = diag_at(ck->d, E_TYPE_MISMATCH, e->span,
					 "a record literal cannot be used in an expression");
		diag_help(ck->d, d, "record literals describe entities and context in test requests");
		return err_type();
	}
	case EX_VAR:
		switch (e->u.var) {
		case VAR_PRINCIPAL:
			return ck->principal_t ? ck->principal_t : err_type();
		case VAR_RESOURCE:
			return ck->resource_t ? ck->resource_t : err_type();
		case VAR_CONTEXT:
			return ck->s && ck->s->context_type ? ck->s->context_type : err_type();
		case VAR_ACTION:
			return ty(TY_STRING);
		case VAR_NOW:
			return ty(TY_TIMESTAMP);
		}
		return err_type();
	case EX_NAME:
		return check_name(ck, e, false);
	case EX_ATTR:
		return check_attr(ck, e, false);
	case EX_HAS: {
		size_t nf = ck->facts.n;
		const struct type *t = check_attr(ck, e, true);
		ck_facts_reset(ck, nf);
		if (!is_err(t)) {
			char *base = expr_path(ck, e->u.attr.base);
			if (base)
				ptrvec_push(ck->a, &ck->facts,
					    arena_printf(ck->a, "%s.%s", base, e->u.attr.name));
		}
		return t;
	}
	case EX_CALL:
		return check_call(ck, e);
	case EX_LIKE:
		return check_like(ck, e);
	case EX_NOT: {
		size_t nf = ck->facts.n;
		const struct type *t = ck_expr(ck, e->u.un.operand);
		ck_facts_reset(ck, nf);
		if (is_err(t))
			return t;
		if (t->kind != TY_BOOL) {
			operand_not_bool(ck, e->u.un.operand, "the operand of 'not'", t);
			return err_type();
		}
		return t;
	}
	case EX_NEG:
		return check_neg(ck, e);
	case EX_BINARY:
		return check_binary(ck, e);
	}
	return err_type();
}

const struct type *ck_expr(struct ck *ck, struct ast_expr *e)
{
	if (!e)
		return err_type();
	/* The parser reported E0009 for too-deep trees; do not walk them. */
	if (e->depth > AST_MAX_DEPTH) {
		e->type = err_type();
		return e->type;
	}
	if (ck->depth >= CK_MAX_RECURSION) {
		if (!ck->depth_reported) {
			diag_at(ck->d, E_TOO_DEEP, e->span,
				"expression nested too deeply; split it into several clauses");
			ck->depth_reported = true;
		}
		e->type = err_type();
		return e->type;
	}
	ck->depth++;
	const struct type *t = check_expr_kind(ck, e);
	ck->depth--;
	e->type = t ? t : err_type();
	return e->type;
}

void ck_condition(struct ck *ck, struct ast_expr *e, const char *what)
{
	const struct type *t = ck_expr(ck, e);
	if (!is_err(t) && t->kind != TY_BOOL)
		operand_not_bool(ck, e, what, t);
}
