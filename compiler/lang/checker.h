/*
 * checker.h: what compilation_check() (project.h) produces for the code
 * generator, the test runner and diff.
 *
 * The checker types every expression of every rule against the schema
 * (authzc-policy(5), EXPRESSIONS), resolves names, folds literals and constants, checks
 * the `has` guards of optional attributes, and resolves every test's
 * request and expectation (s.7).  It reports all errors it finds.
 *
 * After compilation_check(c), c->checked is always set.  When it returned 0
 * every entry below is complete and consistent; otherwise the contents are
 * best-effort (for tools that show what they can) and must not be compiled.
 *
 * Annotations on the AST (also set when there were errors elsewhere):
 *   - every checked expression has e->type (TY_ERROR where it was wrong);
 *   - literals (bool, int, -int, string, duration, -duration, time(),
 *     ip(), set literals) have e->ref_kind == REF_VALUE and e->ref a
 *     const struct value *: code generation emits it and does not descend
 *     (note -9223372036854775808: only the EX_NEG node has a value);
 *   - a constant reference (EX_NAME, or EX_ATTR `pkg.NAME`) has
 *     e->ref_kind == REF_CONST and e->ref the constant's struct value *;
 *   - EX_ATTR on an entity or record has e->type of the attribute; `.id`
 *     on an entity is a string; `.year` etc. on a timestamp is an int.
 *
 * Typing decisions the language page leaves open:
 *   - `principal == resource` (entity == entity) is allowed: it compares
 *     type and id.  Entities compare with nothing else.
 *   - `has` facts flow left to right through `and` chains and from each
 *     `when` clause to every later `when` and to every `unless`; `or` and
 *     `not` carry no facts out (`not (principal has x) or principal.x`
 *     is refused), and `unless` clauses guard nothing.
 *   - ip("10.1.2.3/8") is accepted and keeps its host bits (value.h).
 *   - Set literals hold literals or constants only, of one scalar type.
 */
#ifndef AUTHZC_CHECKER_H
#define AUTHZC_CHECKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "schema.h"
#include "cvalue.h"

struct checked_rule {
	const struct ast_rule *rule;
	const struct ast_file *file;
	const char *id;                 /* "pkg.name" or "name" */
	const char *package;            /* NULL without a package */
	enum ast_effect effect;
	/* The scope after intersecting the `is` clauses with what the
	 * actions allow: the only types/actions this rule can ever see.
	 * `*_any` is true when the clause was absent (no run-time test is
	 * needed on a conforming request). */
	const struct entity_type **principals;
	size_t nprincipals;
	const struct action_decl **actions;
	size_t nactions;
	const struct entity_type **resources;
	size_t nresources;
	bool principal_any, action_any, resource_any;
	bool has_expires;
	int64_t expires_ms;             /* the rule applies while now < expires_ms */
	struct ast_guard *guards;       /* ast_rule_guards() order */
	size_t nguards;
};

struct checked_const {
	const struct ast_const *decl;
	const struct ast_file *file;
	const char *package;            /* NULL without a package */
	const char *name;
	struct value value;             /* folded */
	const struct type *type;        /* TY_ERROR when the value was bad */
	bool used;
};

struct checked_entity {
	const struct entity_type *type;
	const char *id;
	size_t id_len;
	struct value attrs;             /* VAL_RECORD in schema order */
};

/* A complete request, checked against the schema (authzc-policy(5), EVALUATION). */
struct checked_request {
	struct checked_entity principal, resource;
	const struct action_decl *action;
	struct value context;           /* VAL_RECORD in schema order */
	bool has_time;
	int64_t time_ms;
};

struct checked_test {
	const struct ast_test *test;
	const struct ast_file *file;
	const char *package;            /* the test file's package, or NULL */
	const char *name;               /* decoded; may hold any byte */
	size_t name_len;
	struct checked_request request;
	bool expect_allow;
	enum ast_expect_by by;          /* EXPECT_ANY, EXPECT_RULES, EXPECT_DEFAULT */
	const struct checked_rule **by_rules;   /* EXPECT_RULES: sorted by id, unique */
	size_t nby_rules;
	bool ok;                        /* request and expectation resolved */
};

/* An assertion (authzc-policy(5), ASSERTIONS): its scope and conditions
 * checked as a rule's are, in `cond` (id "", effect permit, no
 * annotations); the analysis (sym_assert.h) proves it. */
struct checked_assert {
	const struct ast_assert *decl;
	const struct ast_file *file;
	const char *package;            /* the test file's package, or NULL */
	const char *name;               /* decoded; may hold any byte */
	size_t name_len;
	bool forbids_allow;             /* never allow / always deny */
	struct checked_rule cond;
	bool ok;                        /* scope and conditions checked without error */
};

struct checked {
	/* Files by path, then source order. */
	struct checked_rule *rules;
	size_t nrules;
	struct checked_const *consts;
	size_t nconsts;
	struct checked_test *tests;
	size_t ntests;
	struct checked_assert *asserts;         /* test files by path, then source order */
	size_t nasserts;
};

/* The rule with id `id`, or NULL. */
const struct checked_rule *checked_find_rule(const struct checked *ck, const char *id);

#endif
