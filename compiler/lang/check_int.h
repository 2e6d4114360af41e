/*
 * check_int.h: state shared by the checker's files (internal).
 *
 *   checker.c      driver: packages, constants, rules, scopes, annotations
 *   check_expr.c   expression typing, literal folding, `has` guards
 *   check_tests.c  requests and tests (authzc-policy(5), TESTS)
 */
#ifndef AUTHZC_CHECK_INT_H
#define AUTHZC_CHECK_INT_H

#include "checker.h"
#include "project.h"

struct ck {
	struct compilation *c;
	struct arena *a;
	struct diag_list *d;
	const struct schema *s;
	struct checked *out;

	struct ast_file **files;        /* sorted by path */
	size_t nfiles;
	const char **packages;          /* distinct package names, sorted */
	size_t npackages;

	/* The file and rule being checked. */
	const struct ast_file *file;
	const char *package;            /* of `file`, NULL without one */
	const char *item;               /* "rule" or "assertion": what is checked */
	const struct type *principal_t; /* TY_ENTITY over the rule's scope */
	const struct type *resource_t;
	/* `has` facts true at this point: "principal.window", ... */
	struct ptrvec facts;
	size_t depth;                   /* ck_expr recursion */
	bool depth_reported;
};

/* ---- check_expr.c ---- */

/* Type `e` (and everything under it), report what is wrong, fill e->type
 * and e->ref.  Facts proved when `e` is true are pushed on ck->facts. */
const struct type *ck_expr(struct ck *ck, struct ast_expr *e);
/* ck_expr, then insist on bool (E0314); `what` names the position. */
void ck_condition(struct ck *ck, struct ast_expr *e, const char *what);
/* Is `e` a literal form (what a constant may be)? */
bool ck_is_literal_form(const struct ast_expr *e);
/* The constant `name` of package `pkg` (NULL: no package), or NULL. */
struct checked_const *ck_find_const(struct ck *ck, const char *pkg, const char *name);
bool ck_is_package(const struct ck *ck, const char *name);
/* The value kind that holds a value of scalar type t. */
enum value_kind ck_value_kind(const struct type *t);
const struct type *ck_type_of_kind(enum value_kind k);
/* When string literal `lit` stands where a timestamp or an ip (`want`)
 * belongs: a help that wraps it in time() or ip(), as written; else NULL. */
const char *ck_literal_help(struct ck *ck, const struct type *want, const struct ast_expr *lit);
/* "an 'int'", "a 'string'": a type name with its article. */
const char *ck_a_type(struct arena *a, const char *name);
/* "'a', 'b' and 'c'" of n names, for messages. */
char *ck_name_list(struct arena *a, const char *const *names, size_t n);

/* ---- check_tests.c ---- */

void ck_tests(struct ck *ck);

/* ---- checker.c ---- */

/* Truncate the fact stack to n entries. */
static inline void ck_facts_reset(struct ck *ck, size_t n)
{
	if (ck->facts.n > n)
		ck->facts.n = n;
}

#endif
