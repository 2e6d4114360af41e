/*
 * ast_find.h: what the syntax tree holds at a byte offset of its file, for
 * tools that point into the source (the language server's hover,
 * definition, references).
 *
 * A position is "in" a span when start <= offset <= end, so a cursor just
 * after a word still finds it.  The innermost thing wins: a name of a
 * scope, a `by` rule id, an attribute's name, then the deepest expression.
 */
#ifndef AUTHZC_AST_FIND_H
#define AUTHZC_AST_FIND_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

enum ast_hit_kind {
	HIT_NONE,
	HIT_EXPR,               /* expr: the innermost expression */
	HIT_RULE_NAME,          /* item is the rule; its name */
	HIT_CONST_NAME,         /* item is the constant; its name */
	HIT_REQUEST_NAME,       /* item is the request; its name */
	HIT_TEST_NAME,          /* item is the test; its name */
	HIT_ANNOTATION,         /* annotation */
	HIT_SCOPE_TYPE,         /* name: an entity type of `principal is` / `resource is` */
	HIT_SCOPE_ACTION,       /* name: an action of the rule's scope */
	HIT_BY_RULE,            /* name: a rule id after `expect ... by` */
	HIT_GIVEN,              /* name: the request after `given` */
	HIT_ENTITY_TYPE,        /* name: the type of a request's entity */
	HIT_REQUEST_ACTION,     /* name: the action of a request */
	HIT_PATH,               /* path, seg: a `with`/`without` path segment */
	HIT_PACKAGE,            /* the package declaration */
};

struct ast_hit {
	enum ast_hit_kind kind;
	const struct ast_item *item;            /* the item around the offset, or NULL */
	const struct ast_expr *expr;            /* HIT_EXPR */
	const struct ast_annotation *annotation;/* HIT_ANNOTATION */
	const struct ast_name *name;            /* the HIT_* kinds that name something */
	enum ast_var var;                       /* HIT_SCOPE_TYPE, HIT_ENTITY_TYPE: principal or resource */
	const struct ast_path *path;            /* HIT_PATH */
	size_t seg;                             /* HIT_PATH: index in path->segs */
};

/* What file `f` holds at byte `offset`.  Returns false (out->kind
 * HIT_NONE, out->item possibly set) when nothing named is there. */
bool ast_find(const struct ast_file *f, uint32_t offset, struct ast_hit *out);

/* Call fn for every expression of `f` (pre-order, each once), with the
 * item it belongs to.  Stops when fn returns non-zero, and returns that. */
int ast_walk_exprs(const struct ast_file *f,
		   int (*fn)(const struct ast_expr *e, const struct ast_item *item, void *arg),
		   void *arg);

#endif
