/*
 * ast.h: the syntax tree of policy and test files.
 *
 * The parser builds one struct ast_file per source file.  Every node carries
 * the span of source text it came from; every node, string and array is
 * allocated from the compilation's arena and freed with it.  The tree is
 * exactly what was written (no desugaring), so the formatter can print it
 * back and `ast_equal` can compare a file with its formatted output.  The
 * checker later fills in the `type` and `ref` slots of expressions.
 *
 * Guards (coverage and explanations point at them) are the top-level `and`
 * operands of each `when` clause and each whole `unless` clause of a rule;
 * ast_rule_guards() lists them in evaluation order.
 */
#ifndef AUTHZC_AST_H
#define AUTHZC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "authzc_limits.h"
#include "source.h"

/* AST_MAX_DEPTH, the deepest expression nesting accepted: authzc_limits.h */

struct type; /* checker.h */

/* What the checker resolved an expression to (ast_expr.ref_kind). */
enum ast_ref_kind {
	REF_NONE,       /* computed at run time */
	REF_VALUE,      /* a literal, folded: ref is a const struct value * */
	REF_CONST,      /* NAME or pkg.NAME: ref is the constant's struct value * */
};

enum ast_expr_kind {
	EX_BOOL,      /* true false                           u.b */
	EX_INT,       /* 42 (magnitude; '-' is EX_NEG)        u.num */
	EX_STRING,    /* "s"                                  u.str */
	EX_DURATION,  /* 1h30m                                u.num (ms) */
	EX_TIME,      /* time("...")                          u.lit */
	EX_IP,        /* ip("...")                            u.lit */
	EX_SET,       /* [a, b]                               u.list */
	EX_RECORD,    /* { k: v, ... } (test requests only)   u.rec */
	EX_VAR,       /* principal action resource context now u.var */
	EX_NAME,      /* identifier: a constant or a package  u.name */
	EX_ATTR,      /* e.name                               u.attr */
	EX_HAS,       /* e has name                           u.attr */
	EX_CALL,      /* e.name(args)                         u.call */
	EX_LIKE,      /* e like "pat"                         u.bin (op unused) */
	EX_NOT,       /* not e                                u.un */
	EX_NEG,       /* -e                                   u.un */
	EX_BINARY,    /* a op b                               u.bin */
};

enum ast_binop {
	BIN_OR, BIN_AND,
	BIN_EQ, BIN_NE, BIN_LT, BIN_LE, BIN_GT, BIN_GE, BIN_IN,
	BIN_ADD, BIN_SUB, BIN_MUL,
};

enum ast_var { VAR_PRINCIPAL, VAR_ACTION, VAR_RESOURCE, VAR_CONTEXT, VAR_NOW };

struct ast_expr;

struct ast_field {              /* one `key: value` of a record */
	char *name;
	struct span name_span;
	struct ast_expr *value;
};

struct ast_expr {
	enum ast_expr_kind kind;
	struct span span;
	uint32_t depth;         /* 1 for leaves */
	union {
		bool b;
		struct {                /* EX_INT, EX_DURATION */
			uint64_t value; /* EX_INT: magnitude; EX_DURATION: ms */
			bool overflow;  /* did not fit in uint64 / int64 ms */
			char *text;     /* as written, e.g. "1h30m" */
		} num;
		struct {                /* EX_STRING: decoded bytes */
			char *s;
			size_t len;
		} str;
		struct {                /* EX_TIME, EX_IP */
			char *text;     /* the decoded string argument */
			size_t len;
			struct span arg_span;
		} lit;
		struct {                /* EX_SET */
			struct ast_expr **items;
			size_t n;
		} list;
		struct {                /* EX_RECORD */
			struct ast_field *fields;
			size_t n;
		} rec;
		enum ast_var var;
		struct {
			char *name;
		} name;
		struct {                /* EX_ATTR, EX_HAS */
			struct ast_expr *base;
			char *name;
			struct span name_span;
		} attr;
		struct {                /* EX_CALL */
			struct ast_expr *base;
			char *name;
			struct span name_span;
			struct ast_expr **args;
			size_t nargs;
		} call;
		struct {                /* EX_BINARY, EX_LIKE */
			enum ast_binop op;
			struct ast_expr *lhs, *rhs;
			struct span op_span;
		} bin;
		struct {                /* EX_NOT, EX_NEG */
			struct ast_expr *operand;
		} un;
	} u;
	/* Filled in by the checker. */
	const struct type *type;
	const void *ref;        /* EX_NAME / EX_ATTR: the resolved constant, etc. */
	enum ast_ref_kind ref_kind; /* what ref is; REF_NONE when it is NULL */
};

struct ast_annotation {         /* @name("value") */
	char *name;
	char *value;
	size_t value_len;
	struct span span, name_span, value_span;
};

struct ast_name {               /* a name with its position */
	char *name;
	size_t len;             /* for strings that may hold any byte */
	struct span span;
};

struct ast_type_scope {         /* principal is T | U */
	bool present;
	struct span span;
	struct ast_name *types;
	size_t n;
};

struct ast_action_scope {       /* action == "a" | action in ["a", "b"] */
	bool present;
	bool is_in;             /* written with `in [...]` */
	struct span span;
	struct ast_name *actions;
	size_t n;
};

struct ast_clause {             /* when e | unless e */
	bool is_unless;
	struct span span;       /* from the keyword to the end of e */
	struct ast_expr *expr;
};

enum ast_effect { EFFECT_PERMIT, EFFECT_FORBID };

struct ast_rule {
	enum ast_effect effect;
	char *name;
	char *id;               /* "package.name" or "name" */
	struct span span, name_span, effect_span;
	struct ast_annotation *annotations;
	size_t nannotations;
	/* Scope clauses; a second clause of the same kind is E0322 and is
	 * kept in `dup_scope` so the formatter can still print it. */
	struct ast_type_scope principal, resource;
	struct ast_action_scope action;
	size_t ndup_scope;
	/* when/unless in source order. */
	struct ast_clause *clauses;
	size_t nclauses;
};

struct ast_const {
	char *name;
	struct span span, name_span;
	struct ast_expr *value;
};

struct ast_path {               /* principal.workload.signed in a test */
	enum ast_var root;
	char **segs;
	struct span *seg_spans;
	size_t nsegs;
	struct span span;
};

struct ast_entity {             /* principal TYPE "id" { ... } */
	struct ast_name type;
	struct ast_name id;
	struct ast_expr *attrs; /* EX_RECORD, or NULL when omitted */
	struct span span;
};

struct ast_request {
	char *name;             /* NULL for a request written inline in a test */
	struct span span, name_span;
	bool has_principal, has_action, has_resource, has_context;
	struct ast_entity principal, resource;
	struct ast_name action;
	struct ast_expr *context;       /* EX_RECORD or NULL */
	struct span context_span;
	struct ast_expr *at;            /* EX_TIME (or any expr) or NULL */
};

struct ast_with {               /* with path = value */
	struct ast_path path;
	struct ast_expr *value;
	struct span span;
};

enum ast_expect_by { EXPECT_ANY, EXPECT_RULES, EXPECT_DEFAULT };

struct ast_test {
	char *name;             /* decoded string */
	size_t name_len;
	struct span span, name_span;
	/* Either `given NAME` (given.name != NULL) or an inline request. */
	struct ast_name given;
	struct ast_request *inline_req;
	struct ast_with *withs;
	size_t nwiths;
	struct ast_path *withouts;
	size_t nwithouts;
	struct ast_expr *at;    /* `at time(...)` after given, or NULL */
	bool has_expect;
	bool expect_allow;
	struct span expect_span;
	enum ast_expect_by by;
	struct ast_name *by_rules;      /* ids as written: "pkg.rule" or "rule" */
	size_t nby_rules;
};

/* What an assertion forbids (authzc-policy(5), ASSERTIONS): `never allow`
 * and `always deny` forbid an allow; `always allow` and `never deny`
 * forbid a deny.  The four words are kept as written for the formatter. */
enum ast_verdict { VERDICT_NONE, VERDICT_NEVER_ALLOW, VERDICT_ALWAYS_DENY, VERDICT_ALWAYS_ALLOW,
		   VERDICT_NEVER_DENY };

/* assert "name" { scope  verdict  when/unless }: a property of every
 * request.  `cond` holds the scope and the clauses as a rule (effect
 * permit, no name) so the checker and code generator treat them exactly
 * as a rule's. */
struct ast_assert {
	char *name;             /* decoded string */
	size_t name_len;
	struct span span, name_span;
	enum ast_verdict verdict;
	struct span verdict_span;
	struct ast_rule *cond;
};

/* True when verdict v forbids an allow (never allow, always deny). */
bool ast_verdict_forbids_allow(enum ast_verdict v);
/* "never allow", ... ("" for VERDICT_NONE). */
const char *ast_verdict_str(enum ast_verdict v);

enum ast_item_kind { ITEM_CONST, ITEM_RULE, ITEM_REQUEST, ITEM_TEST, ITEM_ASSERT };

struct ast_item {
	enum ast_item_kind kind;
	union {
		struct ast_const *c;
		struct ast_rule *rule;
		struct ast_request *request;
		struct ast_test *test;
		struct ast_assert *assert;
	} u;
};

struct ast_comment {            /* // ... or / * ... * / , text as written */
	struct span span;
	bool own_line;          /* nothing but blanks before it on its line */
	bool blank_before;      /* an empty line separates it from the code above */
};

struct ast_file {
	uint32_t file;          /* id in the srcset */
	bool is_test;           /* name ends in _test.authz */
	char *package;          /* NULL when the file declares none */
	struct span package_span;
	struct ast_item *items; /* in source order */
	size_t nitems;
	struct ast_comment *comments;   /* in source order */
	size_t ncomments;
	size_t nerrors;         /* syntax errors found in this file */
};

/* ---- constructors (used by the parser) -------------------------------- */

struct ast_expr *ast_expr_new(struct arena *a, enum ast_expr_kind kind, struct span span);
struct ast_expr *ast_binary(struct arena *a, enum ast_binop op, struct ast_expr *lhs,
			    struct ast_expr *rhs, struct span op_span);
struct ast_expr *ast_unary(struct arena *a, enum ast_expr_kind kind, struct ast_expr *e,
			   struct span span);

/* ---- queries ------------------------------------------------------------ */

/* A guard of a rule: a top-level `and` operand of a `when`, or an `unless`. */
struct ast_guard {
	const struct ast_expr *expr;
	bool is_unless;
	size_t clause;          /* index in rule->clauses */
};

/* Fill `out` (arena array) with the guards of `rule` in evaluation order:
 * every `when` operand in source order, then every `unless`.  Returns n. */
size_t ast_rule_guards(struct arena *a, const struct ast_rule *rule, struct ast_guard **out);

/* Structural equality ignoring spans, comments and layout.  Used to prove the
 * formatter never changes meaning. */
bool ast_file_equal(const struct ast_file *a, const struct ast_file *b);
bool ast_expr_equal(const struct ast_expr *a, const struct ast_expr *b);
/* Two assertions say the same: name, verdict, scope, clauses in order. */
bool ast_assert_equal(const struct ast_assert *a, const struct ast_assert *b);

const char *ast_binop_str(enum ast_binop op);   /* "and", "==", ... */
const char *ast_var_str(enum ast_var v);        /* "principal", ... */

/* ---- parsing -------------------------------------------------------------- */

struct diag_list;

/*
 * Parse file `file` of `src` into *out.  Syntax errors are appended to
 * `diags` (with recovery, so one run reports several); the returned tree
 * holds every item that parsed.  Returns the number of errors added.
 * Works on in-memory text: the srcset may have been filled from a git tree.
 */
size_t ast_parse(struct arena *a, struct srcset *src, uint32_t file,
		 struct diag_list *diags, struct ast_file **out);

/* True when `name` ends in "_test.authz". */
bool ast_is_test_file_name(const char *name);

#endif
