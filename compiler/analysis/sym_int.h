/*
 * sym_int.h: the pieces of the symbolic model shared inside
 * compiler/analysis (sym.h is the interface to the rest of authzc).
 *
 * One sym_ctx per triple: a Z3 context, the constants of both bundles by
 * kind (the "universe" a set attribute draws its elements from), and a
 * scratch arena.  A sym_space is the symbolic request of that triple;
 * sym_rule_encode turns a rule's bytecode into two formulas over it.
 */
#ifndef AUTHZC_SYM_INT_H
#define AUTHZC_SYM_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <z3.h>

#include "arena.h"
#include "buf.h"
#include "bundle.h"
#include "sym.h"

struct sym_set;

/* A symbolic value: what a VM value is, with Z3 terms for its parts. */
struct sym_val {
	uint8_t kind;           /* enum authz_kind */
	uint8_t elem;           /* set: its elements' kind */
	Z3_ast x;               /* bool: Bool; int, timestamp, duration: Int;
				 * string, entity: the (id) String, or an Int
				 * when `ic` (sym_ctx_finish) */
	bool ic;                /* string: int-coded */
	const char *s;          /* a string constant: its bytes (and x, code) */
	uint32_t len;
	Z3_ast code;            /* a string constant: its int code */
	Z3_ast is6, addr, prefix;       /* ip: Bool, BitVec 128 (byte 0 on top), Int */
	const char *ety;        /* entity: its type's name */
	struct sym_set *set;    /* set */
};

/* A set: element e[i] is in it when in[i] holds (duplicates allowed: the
 * set is {e[i] | in[i]}). */
struct sym_set {
	size_t n;
	struct sym_val *e;
	Z3_ast *in;
};

/* One attribute a request of the triple may carry, on either side. */
struct sym_var {
	unsigned root;          /* enum authz_root */
	const char *path;       /* "workload.signed" */
	const char *name;       /* its last part */
	int parent;             /* var of the enclosing record, or -1 */
	uint8_t kind, elem;
	Z3_ast present;
	struct sym_val v;       /* not for records */
	bool ic;                /* strings int-coded (sym_ctx_finish) */
};

/* One side of the triple: a bundle's view of it. */
struct sym_side {
	const authz_bundle *b;
	bool ok;                /* the bundle admits the triple */
	uint32_t pt, rt, act;   /* type and action indices in b */
	int *slotvar[3];        /* root -> slot -> var, or -1 */
	Z3_ast valid;           /* the request conforms to b's schema */
};

struct decl { bool decl, opt, open; };

struct sym_ctx {
	Z3_context z;
	struct arena *a;        /* scratch: freed with the context */
	Z3_sort sb, si, ss, sbv;
	/* Constants of both bundles by kind, deduplicated (sym_universe). */
	struct sym_val *uni[AUTHZ_K_ENTITY + 1];
	size_t nuni[AUTHZ_K_ENTITY + 1];
	bool alphabet[256];     /* bytes a witness string may hold */
	const char *unsup;      /* why the last encoding failed */
	unsigned fresh;
	/* the triple */
	const char *ptype, *action, *rtype;
	Z3_ast pid, rid, now;
	bool pid_ic, rid_ic;
	struct sym_var *vars;
	size_t nvars, capvars;
	struct sym_side side[2];
	Z3_ast base;            /* side-independent well-formedness */
	Z3_ast nice;            /* preferred witnesses: small numbers, recent
				 * times, short non-empty strings (sym_diff.c
				 * asks with it first) */
	Z3_ast *held;           /* string terms held to the alphabet */
	size_t nheld, capheld;
	/* Strings compared only for equality (never by `like`, nor with a
	 * string that is) are int-coded: each constant string its own code,
	 * any other string any other int (sym_ctx_finish).  Union-find over
	 * vars, then principal.id, resource.id (sym_string_uses). */
	int *uf;
	bool *liked;
	const char **strs;      /* constant strings by code */
	uint32_t *strlens;
	size_t nstrs, capstrs;
	bool mixed;             /* an int-coded and a String string met */
	bool nonlinear;         /* a product of two non-constants was encoded:
				 * sym_solver keeps Z3's default arithmetic */
	Z3_ast *coded;          /* the int-coded string variables */
	size_t ncoded, capcoded;
	struct decl *decl[2];   /* per var: what each side declares */
	bool *used[2];          /* per constant of each side: a rule of the
				 * triple loads it (sym_string_uses) */
	size_t capdecl;
};

/* A (principal type, action, resource type), by name. */
struct sym_triple { const char *p, *a, *r; };

/* Append to *v (*n of *cap, grown in `a`) every triple b's schema admits
 * and *v does not hold yet (sym_diff.c); b NULL adds none. */
void sym_triples(struct arena *a, const authz_bundle *b, struct sym_triple **v, size_t *n, size_t *cap);

/* ---- sym_space.c -------------------------------------------------------------- */

/* A context for triple (ptype, action, rtype) over bundles b[0], b[1]
 * (either NULL): the universe, the attributes either schema declares for
 * it.  Then sym_string_uses for each rule to encode, then
 * sym_ctx_finish: the variables' terms and each side's validity.
 * Returns 0, or -1 with c->unsup. */
int sym_ctx_open(struct sym_ctx *c, struct arena *scratch, const authz_bundle *old, const authz_bundle *new,
		 const char *ptype, const char *action, const char *rtype);
void sym_ctx_finish(struct sym_ctx *c);
/* Note how rule ri of side s uses strings: which are read by `like`, which
 * are compared with which (sym_rule.c). */
void sym_string_uses(struct sym_ctx *c, int s, uint32_t ri);
/* The preferred witnesses (c->nice), with int-coded strings other than
 * the constants (call once the rules are encoded). */
Z3_ast sym_nice(struct sym_ctx *c);
/* A witness is made more readable (sym_improve: a few more solver calls)
 * only for triples of at most this many rules (a count, not a time, so
 * that the output does not depend on the machine). */
#define SYM_IMPROVE_MAX_RULES 300

/* A model whose int-coded strings are made-up values where the solver
 * allows, instead of constants that happen to fit (into *m, kept when
 * none can be had).  Asserts into the solver's current scope: call with a
 * scope pushed, and pop it after. */
void sym_improve(struct sym_ctx *c, Z3_solver so, Z3_model *m);
/* The int code of constant string s[0..len). */
Z3_ast sym_str_code(struct sym_ctx *c, const char *s, uint32_t len);
void sym_ctx_close(struct sym_ctx *c);

/* A fresh value of scalar kind `kind` with its well-formedness (ranges,
 * ip shape) conjoined into *wf; NULL name: a generated one. */
struct sym_val sym_fresh(struct sym_ctx *c, uint8_t kind, const char *name, Z3_ast *wf);
/* The constant `v` of a bundle as a symbolic value. */
struct sym_val sym_const(struct sym_ctx *c, const struct vm_value *v);

Z3_ast sym_and2(struct sym_ctx *c, Z3_ast a, Z3_ast b);
Z3_ast sym_or2(struct sym_ctx *c, Z3_ast a, Z3_ast b);
Z3_ast sym_not(struct sym_ctx *c, Z3_ast a);
Z3_ast sym_true(struct sym_ctx *c);
Z3_ast sym_false(struct sym_ctx *c);
Z3_ast sym_int(struct sym_ctx *c, int64_t v);
/* The 128-bit vector of x (an address, a mask). */
Z3_ast sym_bv128(struct sym_ctx *c, unsigned __int128 x);

/*
 * The request a model gives, as JSON (authzc-eval(1)) in `out`, and when
 * `authz` is not NULL in policy syntax there (the lines of a test's
 * inline request, authzc-policy(5)).
 * Returns 0; 1 when a string of the model lies outside the alphabet (the
 * variable is now held to it: add *more to the solver and ask again); -1
 * when a value cannot be written (c->unsup says why).
 */
int sym_witness(struct sym_ctx *c, Z3_model m, struct buf *out, struct buf *authz, Z3_ast *more);

/* Does rule ri of side sd's bundle have the triple in its scope? */
bool sym_in_scope(const struct sym_side *sd, uint32_t ri);
/* Does x evaluate to true in m (model completion on)? */
bool sym_mtrue(struct sym_ctx *c, Z3_model m, Z3_ast x);
/* A solver (one reference held) with a timeout per call of timeout_ms
 * (0: none). */
Z3_solver sym_solver(struct sym_ctx *c, unsigned timeout_ms);

/* ---- sym_rule.c ---------------------------------------------------------------- */

/* Rule `ri` of side `s` over the triple: *applied (it reaches APPLY) and
 * *error (it stops on a rule error), exclusive.  Scope and @expires are
 * the caller's.  Returns 0, or -1 with c->unsup when the code does
 * something the model does not cover. */
int sym_rule_encode(struct sym_ctx *c, int s, uint32_t ri, Z3_ast *applied, Z3_ast *error);

/* As sym_rule_encode, and besides: held[g] for g < nheld, the condition
 * under which guard g (the index of its WHEN or UNLESS, the ast_rule_guards
 * order) is the one that holds the rule back.  skip (NULL: none) marks
 * guards (< nheld) that are still evaluated but never hold the rule back:
 * the rule without them, as the probe bundle of guard coverage has it,
 * except that an error in their expressions still fails the rule. */
int sym_rule_encode_guards(struct sym_ctx *c, int s, uint32_t ri, const bool *skip, Z3_ast *applied,
			   Z3_ast *error, Z3_ast *held, uint32_t nheld);

/* Equality as rt_equal has it (false across kinds). */
Z3_ast sym_eq(struct sym_ctx *c, const struct sym_val *a, const struct sym_val *b);

#endif
