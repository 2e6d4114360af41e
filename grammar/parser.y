/*
 * parser.y: grammar of authz policy and test files (authzc-policy(5): POLICIES, EXPRESSIONS, TESTS).
 *
 * A pure parser with byte-offset locations (struct span).  Actions only
 * build AST nodes (compiler/lang/ast.h); every check that needs the schema or
 * other files is the checker's.  Syntax errors are reported through
 * yyreport_syntax_error with what was expected; `error` productions at item
 * level resynchronise on ';' or '}' so one run reports several errors.
 *
 * Precedence, loosest first (authzc-policy(5), EXPRESSIONS): or; and; not; comparisons,
 * in, has, like (non-associative); + -; *; unary -; postfix . and calls.
 */
%code requires {
#include <stdbool.h>
#include <stdint.h>
#include "source.h"
#include "ast.h"
struct parse_ctx;

/* Locations are byte spans; a rule's span runs from its first symbol to its
 * last, an empty rule's is the empty span after the previous symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                        \
	do {                                                               \
		if (N) {                                                   \
			(Cur).file = YYRHSLOC(Rhs, 1).file;                \
			(Cur).start = YYRHSLOC(Rhs, 1).start;              \
			(Cur).end = YYRHSLOC(Rhs, N).end;                  \
		} else {                                                   \
			(Cur).file = YYRHSLOC(Rhs, 0).file;                \
			(Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;    \
		}                                                          \
	} while (0)

/* Semantic values of tokens. */
struct tok_name { char *s; size_t len; };
struct tok_num { uint64_t value; bool overflow; char *text; };

/* Intermediate lists used while parsing a test or request body. */
struct test_parts {
	struct ast_request *req;        /* inline request parts */
	bool has_req_parts;
	struct ast_name given;
	struct ptrvec withs, withouts;  /* struct ast_with *, struct ast_path * */
	struct ast_expr *at;
	struct span at_span;
	bool has_expect, expect_allow;
	struct span expect_span;
	enum ast_expect_by by;
	struct ptrvec by_rules;         /* struct ast_name * */
	int nexpect;
};
}

%code provides {
int authz_parse_file(struct parse_ctx *ctx);
}

%code {
#include <stdio.h>
#include <string.h>
#include "parse_ctx.h"

/* The flex scanner (grammar/lexer.l); its header would clash with bison's
 * yy* macros, so the one function used is declared here. */
int authz_lex_lex(AUTHZ_YYSTYPE *lval, AUTHZ_YYLTYPE *lloc, void *scanner);
static void authz_yyerror(struct span *loc, struct parse_ctx *ctx, const char *msg);

static int authz_yylex(AUTHZ_YYSTYPE *lval, AUTHZ_YYLTYPE *lloc, struct parse_ctx *ctx)
{
	return authz_lex_lex(lval, lloc, ctx->scanner);
}

#define A (ctx->arena)

static struct ast_expr *mk(struct parse_ctx *ctx, enum ast_expr_kind k, struct span s)
{
	return ast_expr_new(ctx->arena, k, s);
}

static struct ast_expr *mk_bin(struct parse_ctx *ctx, enum ast_binop op,
			       struct ast_expr *l, struct ast_expr *r, struct span opspan);
static struct ast_expr *mk_depth(struct parse_ctx *ctx, struct ast_expr *e);
static void no_chain(struct parse_ctx *ctx, const struct ast_expr *lhs, struct span op);
static void foreign_op(struct parse_ctx *ctx, struct span op, const char *what, const char *word,
		       const struct span *lhs, struct span rhs);
static void add_item(struct parse_ctx *ctx, enum ast_item_kind kind, void *p);
static void set_scope(struct parse_ctx *ctx, struct ast_rule *r, int which,
		      struct ptrvec *names, struct span span, bool is_in);
static struct ast_expr *mk_call(struct parse_ctx *ctx, struct ast_expr *base, struct tok_name name,
				struct span name_span, struct ptrvec *args, struct span span);
static struct ast_expr *mk_func(struct parse_ctx *ctx, struct tok_name name, struct span name_span,
				struct ptrvec *args, struct span span);
static struct ast_path *mk_path(struct parse_ctx *ctx, enum ast_var root, struct ptrvec *segs,
				struct ptrvec *spans, struct span span);
static void req_part(struct parse_ctx *ctx, struct ast_request *r, int part, struct span span);
static struct ast_test *finish_test(struct parse_ctx *ctx, struct test_parts *p,
				    struct tok_name name, struct span name_span, struct span span);
static bool end_body(struct parse_ctx *ctx, uint32_t pos, bool closed, int lookahead);
static void forget_brackets(struct parse_ctx *ctx, uint32_t pos);
static struct ast_name *mk_name(struct parse_ctx *ctx, char *s, size_t len, struct span span);
static struct ast_request *req_entity(struct parse_ctx *ctx, struct ast_request *r, int which,
				      struct span kw, struct tok_name type, struct span type_span,
				      struct tok_name id, struct span id_span, struct ast_expr *attrs);
static struct ast_request *req_action(struct parse_ctx *ctx, struct ast_request *r, struct span kw,
				      struct tok_name name, struct span name_span);
static struct ast_request *req_context(struct parse_ctx *ctx, struct ast_request *r, struct span kw,
				       struct ast_expr *rec);
static struct test_parts *set_expect(struct parse_ctx *ctx, struct test_parts *p, bool allow,
				     enum ast_expect_by by, struct ptrvec *ids, struct span span);
static struct ast_assert *new_assert(struct parse_ctx *ctx);
static struct ast_assert *set_verdict(struct parse_ctx *ctx, struct ast_assert *a, struct tok_name w,
				      struct span wspan, bool allow, struct span span);
static struct ast_assert *finish_assert(struct parse_ctx *ctx, struct ast_assert *a, struct tok_name name,
					struct span name_span, struct span span);

#define PV(v) (&(v))
}

%define api.pure full
%define api.prefix {authz_yy}
%define api.location.type {struct span}
%define parse.error custom
%define parse.lac full
%locations
%param {struct parse_ctx *ctx}
%expect 0

%initial-action {
	@$.file = ctx->file;
	@$.start = @$.end = 0;
}

%union {
	struct tok_name name;
	struct tok_name str;
	struct tok_num num;
	struct ast_expr *expr;
	struct ast_rule *rule;
	struct ast_annotation *annot;
	struct ptrvec vec;
	enum ast_effect effect;
	enum ast_var var;
	struct ast_request *req;
	struct ast_entity *entity;
	struct ast_path *path;
	struct ast_with *with;
	struct test_parts *parts;
	struct ast_assert *assertion;
	struct ast_field *field;
	bool flag;
}

%token <name> IDENT "identifier"
%token <str>  STRING "string"
%token <num>  INT "integer"
%token <num>  DURATION "duration"
%token PACKAGE "package" CONST "const" PERMIT "permit" FORBID "forbid"
%token PRINCIPAL "principal" ACTION "action" RESOURCE "resource"
%token CONTEXT "context" NOW "now" WHEN "when" UNLESS "unless"
%token IS "is" IN "in" HAS "has" LIKE "like" AND "and" OR "or" NOT "not"
%token TRUE "true" FALSE "false" TEST "test" REQUEST "request" ASSERT "assert"
%token GIVEN "given" WITH "with" WITHOUT "without" AT "at"
%token EXPECT "expect" ALLOW "allow" DENY "deny" BY "by" DEFAULT "default"
%token EQ "==" NE "!=" LE "<=" GE ">="
/* Operators of other languages: parsed as their authz forms (or, and, not)
 * and reported with the right spelling (foreign_op); never listed as
 * expected. */
%token OROR "||" ANDAND "&&" BANG "!"
%token '(' "(" ')' ")" '[' "[" ']' "]" '{' "{" '}' "}"
%token ',' "," ';' ";" ':' ":" '.' "." '@' "@" '|' "|" '=' "="
%token '<' "<" '>' ">" '+' "+" '-' "-" '*' "*"

%type <expr> expr postfix primary record value_record
%type <vec> annotations type_list string_list expr_list expr_list_opt fields fields_opt
%type <vec> path_segs rule_ids with_list without_list
%type <annot> annotation
%type <rule> rule rule_head clauses
%type <effect> effect
%type <var> path_root
%type <path> path
%type <with> with_item
%type <parts> test_body
%type <assertion> assert_body
%type <req> request_body
%type <field> field
%type <name> rule_id
%type <flag> body_end

/* A record cut short by a syntax error (record, below) takes its '}' when
 * one follows, and otherwise ends where the error is. */
%precedence RECORD_CUT
%precedence '}'
%left OR OROR
%left AND ANDAND
%precedence NOT
%nonassoc EQ NE '<' LE '>' GE IN HAS LIKE '='
%left '+' '-'
%left '*'
%precedence UMINUS

%start file

%%

file:
	  %empty
	| file item
	;

item:
	  PACKAGE IDENT ';' {
		if (ctx->out->package || ctx->items.n) {
			struct diag *d = diag_at(ctx->diags, E_PACKAGE, @$,
				ctx->out->package ? "a second package declaration"
						  : "'package' must come before every other declaration");
			(void)d;
			ctx->errors++;
		}
		if (!ctx->out->package) {
			ctx->out->package = $2.s;
			ctx->out->package_span = @2;
		}
	}
	| CONST IDENT '=' expr ';' {
		struct ast_const *c = arena_alloc(A, sizeof(*c));
		c->name = $2.s;
		c->span = @$;
		c->name_span = @2;
		c->value = $4;
		add_item(ctx, ITEM_CONST, c);
	}
	| rule { if ($1) add_item(ctx, ITEM_RULE, $1); }
	| REQUEST IDENT '{' request_body '}' {
		$4->name = $2.s;
		$4->span = @$;
		$4->name_span = @2;
		add_item(ctx, ITEM_REQUEST, $4);
	}
	| TEST STRING '{' test_body '}' {
		add_item(ctx, ITEM_TEST, finish_test(ctx, $4, $2, @2, @$));
	}
	/* A body cut short by a syntax error ends at its '}', or, when that
	 * is missing, at the start of the next item (end_body): the next item
	 * then parses as usual.  What was cut short is not kept. */
	| REQUEST IDENT '{' request_body error body_end {
		if (end_body(ctx, @3.start, $6, yychar))
			yyerrok;
	}
	| TEST STRING '{' test_body error body_end {
		if (end_body(ctx, @3.start, $6, yychar))
			yyerrok;
	}
	| ASSERT STRING '{' assert_body '}' {
		add_item(ctx, ITEM_ASSERT, finish_assert(ctx, $4, $2, @2, @$));
	}
	| ASSERT STRING '{' assert_body error body_end {
		if (end_body(ctx, @3.start, $6, yychar))
			yyerrok;
	}
	| error ';' { yyerrok; }
	| error '}' { yyerrok; }
	;

/* ---- rules --------------------------------------------------------------- */

rule:
	  rule_head clauses '}' {
		$$ = $1;
		$$->span = span_join(@1, @3);
	}
	| rule_head clauses error body_end {
		/* Cut short, as a request or test body (item, above): NULL. */
		$$ = NULL;
		if (end_body(ctx, @1.end - 1, $4, yychar))
			yyerrok;
	}
	;

/* The '}' of a body cut short by a syntax error, or nothing when the
 * error is at the start of the next item. */
body_end:
	  %empty { $$ = false; }
	| '}'    { $$ = true; }
	;

rule_head:
	  annotations effect IDENT '{' {
		$$ = arena_alloc(A, sizeof(*$$));
		$$->effect = $2;
		$$->effect_span = @2;
		$$->name = $3.s;
		$$->name_span = @3;
		$$->span = @$;
		$$->annotations = arena_calloc(A, $1.n, sizeof(struct ast_annotation));
		for (size_t i = 0; i < $1.n; i++)
			$$->annotations[i] = *(struct ast_annotation *)$1.items[i];
		$$->nannotations = $1.n;
		if ($1.n)
			$$->span.start = ((struct ast_annotation *)$1.items[0])->span.start;
	}
	;

annotations:
	  %empty { memset(&$$, 0, sizeof($$)); }
	| annotations annotation { $$ = $1; ptrvec_push(A, &$$, $2); }
	;

annotation:
	  '@' IDENT '(' STRING ')' {
		$$ = arena_alloc(A, sizeof(*$$));
		$$->name = $2.s;
		$$->name_span = @2;
		$$->value = $4.s;
		$$->value_len = $4.len;
		$$->value_span = @4;
		$$->span = @$;
	}
	;

effect:
	  PERMIT { $$ = EFFECT_PERMIT; }
	| FORBID { $$ = EFFECT_FORBID; }
	;

clauses:
	  %empty { $$ = $<rule>0; }
	| clauses PRINCIPAL IS type_list { set_scope(ctx, $1, 0, &$4, span_join(@2, @4), false); $$ = $1; }
	| clauses RESOURCE IS type_list { set_scope(ctx, $1, 2, &$4, span_join(@2, @4), false); $$ = $1; }
	| clauses ACTION EQ STRING {
		struct ptrvec v = { 0 };
		ptrvec_push(A, &v, mk_name(ctx, $4.s, $4.len, @4));
		set_scope(ctx, $1, 1, &v, span_join(@2, @4), false);
		$$ = $1;
	}
	| clauses ACTION IN '[' string_list ']' { set_scope(ctx, $1, 1, &$5, span_join(@2, @6), true); $$ = $1; }
	| clauses WHEN expr {
		struct ast_rule *r = $1;
		r->clauses = arena_grow(A, r->clauses, r->nclauses, r->nclauses + 1, sizeof(*r->clauses));
		r->clauses[r->nclauses].is_unless = false;
		r->clauses[r->nclauses].span = span_join(@2, @3);
		r->clauses[r->nclauses].expr = $3;
		r->nclauses++;
		$$ = r;
	}
	| clauses UNLESS expr {
		struct ast_rule *r = $1;
		r->clauses = arena_grow(A, r->clauses, r->nclauses, r->nclauses + 1, sizeof(*r->clauses));
		r->clauses[r->nclauses].is_unless = true;
		r->clauses[r->nclauses].span = span_join(@2, @3);
		r->clauses[r->nclauses].expr = $3;
		r->nclauses++;
		$$ = r;
	}
	;

/* An assertion's body: scope clauses as in a rule, one verdict (`never`
 * or `always` -- identifiers, not keywords -- then `allow` or `deny`),
 * when/unless clauses; in any order, printed canonically by fmt. */
assert_body:
	  %empty { $$ = new_assert(ctx); }
	| assert_body PRINCIPAL IS type_list { set_scope(ctx, $1->cond, 0, &$4, span_join(@2, @4), false); $$ = $1; }
	| assert_body RESOURCE IS type_list { set_scope(ctx, $1->cond, 2, &$4, span_join(@2, @4), false); $$ = $1; }
	| assert_body ACTION EQ STRING {
		struct ptrvec v = { 0 };
		ptrvec_push(A, &v, mk_name(ctx, $4.s, $4.len, @4));
		set_scope(ctx, $1->cond, 1, &v, span_join(@2, @4), false);
		$$ = $1;
	}
	| assert_body ACTION IN '[' string_list ']' { set_scope(ctx, $1->cond, 1, &$5, span_join(@2, @6), true); $$ = $1; }
	| assert_body IDENT ALLOW { $$ = set_verdict(ctx, $1, $2, @2, true, span_join(@2, @3)); }
	| assert_body IDENT DENY { $$ = set_verdict(ctx, $1, $2, @2, false, span_join(@2, @3)); }
	| assert_body WHEN expr {
		struct ast_rule *r = $1->cond;
		r->clauses = arena_grow(A, r->clauses, r->nclauses, r->nclauses + 1, sizeof(*r->clauses));
		r->clauses[r->nclauses].is_unless = false;
		r->clauses[r->nclauses].span = span_join(@2, @3);
		r->clauses[r->nclauses].expr = $3;
		r->nclauses++;
		$$ = $1;
	}
	| assert_body UNLESS expr {
		struct ast_rule *r = $1->cond;
		r->clauses = arena_grow(A, r->clauses, r->nclauses, r->nclauses + 1, sizeof(*r->clauses));
		r->clauses[r->nclauses].is_unless = true;
		r->clauses[r->nclauses].span = span_join(@2, @3);
		r->clauses[r->nclauses].expr = $3;
		r->nclauses++;
		$$ = $1;
	}
	;

type_list:
	  IDENT { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, mk_name(ctx, $1.s, $1.len, @1)); }
	| type_list '|' IDENT { $$ = $1; ptrvec_push(A, &$$, mk_name(ctx, $3.s, $3.len, @3)); }
	;

string_list:
	  STRING { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, mk_name(ctx, $1.s, $1.len, @1)); }
	| string_list ',' STRING { $$ = $1; ptrvec_push(A, &$$, mk_name(ctx, $3.s, $3.len, @3)); }
	;

/* ---- expressions ------------------------------------------------------- */

expr:
	  expr OR expr   { $$ = mk_bin(ctx, BIN_OR, $1, $3, @2); }
	| expr AND expr  { $$ = mk_bin(ctx, BIN_AND, $1, $3, @2); }
	| NOT expr       { $$ = mk_depth(ctx, ast_unary(A, EX_NOT, $2, @$)); }
	| expr OROR expr {
		foreign_op(ctx, @2, "unknown operator '||'", "or", &@1, @3);
		$$ = mk_bin(ctx, BIN_OR, $1, $3, @2);
	}
	| expr ANDAND expr {
		foreign_op(ctx, @2, "unknown operator '&&'", "and", &@1, @3);
		$$ = mk_bin(ctx, BIN_AND, $1, $3, @2);
	}
	| BANG expr %prec NOT {
		foreign_op(ctx, @1, "unknown operator '!'", "not", NULL, @2);
		$$ = mk_depth(ctx, ast_unary(A, EX_NOT, $2, @$));
	}
	| expr '=' expr {
		no_chain(ctx, $1, @2);
		foreign_op(ctx, @2, "'=' is not a comparison", "==", &@1, @3);
		$$ = mk_bin(ctx, BIN_EQ, $1, $3, @2);
	}
	| expr EQ expr   { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_EQ, $1, $3, @2); }
	| expr NE expr   { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_NE, $1, $3, @2); }
	| expr '<' expr  { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_LT, $1, $3, @2); }
	| expr LE expr   { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_LE, $1, $3, @2); }
	| expr '>' expr  { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_GT, $1, $3, @2); }
	| expr GE expr   { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_GE, $1, $3, @2); }
	| expr IN expr   { no_chain(ctx, $1, @2); $$ = mk_bin(ctx, BIN_IN, $1, $3, @2); }
	| expr LIKE expr {
		no_chain(ctx, $1, @2);
		$$ = mk_bin(ctx, BIN_EQ, $1, $3, @2);
		$$->kind = EX_LIKE;
	}
	| expr HAS IDENT {
		no_chain(ctx, $1, @2);
		$$ = mk(ctx, EX_HAS, @$);
		$$->u.attr.base = $1;
		$$->u.attr.name = $3.s;
		$$->u.attr.name_span = @3;
		$$->depth = $1->depth + 1;
		$$ = mk_depth(ctx, $$);
	}
	| expr '+' expr  { $$ = mk_bin(ctx, BIN_ADD, $1, $3, @2); }
	| expr '-' expr  { $$ = mk_bin(ctx, BIN_SUB, $1, $3, @2); }
	| expr '*' expr  { $$ = mk_bin(ctx, BIN_MUL, $1, $3, @2); }
	| '-' expr %prec UMINUS { $$ = mk_depth(ctx, ast_unary(A, EX_NEG, $2, @$)); }
	| postfix
	;

postfix:
	  primary
	| postfix '.' IDENT {
		$$ = mk(ctx, EX_ATTR, @$);
		$$->u.attr.base = $1;
		$$->u.attr.name = $3.s;
		$$->u.attr.name_span = @3;
		$$->depth = $1->depth + 1;
		$$ = mk_depth(ctx, $$);
	}
	| postfix '.' IDENT '(' expr_list_opt ')' { $$ = mk_call(ctx, $1, $3, @3, &$5, @$); }
	;

primary:
	  TRUE      { $$ = mk(ctx, EX_BOOL, @$); $$->u.b = true; }
	| FALSE     { $$ = mk(ctx, EX_BOOL, @$); $$->u.b = false; }
	| INT       { $$ = mk(ctx, EX_INT, @$); $$->u.num.value = $1.value; $$->u.num.overflow = $1.overflow; $$->u.num.text = $1.text; }
	| DURATION  { $$ = mk(ctx, EX_DURATION, @$); $$->u.num.value = $1.value; $$->u.num.overflow = $1.overflow; $$->u.num.text = $1.text; }
	| STRING    { $$ = mk(ctx, EX_STRING, @$); $$->u.str.s = $1.s; $$->u.str.len = $1.len; }
	| PRINCIPAL { $$ = mk(ctx, EX_VAR, @$); $$->u.var = VAR_PRINCIPAL; }
	| ACTION    { $$ = mk(ctx, EX_VAR, @$); $$->u.var = VAR_ACTION; }
	| RESOURCE  { $$ = mk(ctx, EX_VAR, @$); $$->u.var = VAR_RESOURCE; }
	| CONTEXT   { $$ = mk(ctx, EX_VAR, @$); $$->u.var = VAR_CONTEXT; }
	| NOW       { $$ = mk(ctx, EX_VAR, @$); $$->u.var = VAR_NOW; }
	| IDENT     { $$ = mk(ctx, EX_NAME, @$); $$->u.name.name = $1.s; }
	| IDENT '(' expr_list_opt ')' { $$ = mk_func(ctx, $1, @1, &$3, @$); }
	| '(' expr ')' { $$ = $2; }
	| '[' expr_list_opt ']' {
		$$ = mk(ctx, EX_SET, @$);
		$$->u.list.items = (struct ast_expr **)$2.items;
		$$->u.list.n = $2.n;
		for (size_t i = 0; i < $2.n; i++)
			if ($$->u.list.items[i]->depth + 1 > $$->depth)
				$$->depth = $$->u.list.items[i]->depth + 1;
		$$ = mk_depth(ctx, $$);
	}
	| record
	;

record:
	  '{' error '}' {
		$$ = mk(ctx, EX_RECORD, @$);
	}
	| '{' error %prec RECORD_CUT {
		/* A missing '}': the parts of the request after it parse as
		 * usual, and the scanner forgets the '{'. */
		forget_brackets(ctx, @1.start);
		$$ = mk(ctx, EX_RECORD, @1);
	}
	| '{' fields_opt '}' {
		$$ = mk(ctx, EX_RECORD, @$);
		$$->u.rec.fields = arena_calloc(A, $2.n, sizeof(struct ast_field));
		for (size_t i = 0; i < $2.n; i++) {
			$$->u.rec.fields[i] = *(struct ast_field *)$2.items[i];
			if ($$->u.rec.fields[i].value->depth + 1 > $$->depth)
				$$->depth = $$->u.rec.fields[i].value->depth + 1;
		}
		$$->u.rec.n = $2.n;
		$$ = mk_depth(ctx, $$);
	}
	;

fields_opt:
	  %empty { memset(&$$, 0, sizeof($$)); }
	| fields
	| fields ','
	;

fields:
	  field { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, $1); }
	| fields ',' field { $$ = $1; ptrvec_push(A, &$$, $3); }
	;

field:
	  IDENT ':' expr {
		$$ = arena_alloc(A, sizeof(*$$));
		$$->name = $1.s;
		$$->name_span = @1;
		$$->value = $3;
	}
	;

expr_list_opt:
	  %empty { memset(&$$, 0, sizeof($$)); }
	| expr_list
	| expr_list ','
	;

expr_list:
	  expr { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, $1); }
	| expr_list ',' expr { $$ = $1; ptrvec_push(A, &$$, $3); }
	;

/* ---- requests and tests ------------------------------------------------ */

request_body:
	  %empty { $$ = arena_alloc(A, sizeof(*$$)); }
	| request_body PRINCIPAL IDENT STRING value_record {
		$$ = req_entity(ctx, $1, 0, @2, $3, @3, $4, @4, $5);
	}
	| request_body ACTION STRING { $$ = req_action(ctx, $1, @2, $3, @3); }
	| request_body RESOURCE IDENT STRING value_record {
		$$ = req_entity(ctx, $1, 2, @2, $3, @3, $4, @4, $5);
	}
	| request_body CONTEXT record { $$ = req_context(ctx, $1, @2, $3); }
	| request_body AT postfix {
		$$ = $1;
		req_part(ctx, $$, 4, @2);
		$$->at = $3;
	}
	;

value_record:
	  %empty { $$ = NULL; }
	| record
	;

/* A test body: `given NAME` with its changes, or the parts of an inline
 * request, then `expect`.  Parts may come in any order; finish_test()
 * rejects mixtures that make no sense. */
test_body:
	  %empty {
		$$ = arena_alloc(A, sizeof(*$$));
		$$->req = arena_alloc(A, sizeof(*$$->req));
	}
	| test_body PRINCIPAL IDENT STRING value_record {
		$$ = $1;
		$$->has_req_parts = true;
		req_entity(ctx, $$->req, 0, @2, $3, @3, $4, @4, $5);
	}
	| test_body ACTION STRING { $$ = $1; $$->has_req_parts = true; req_action(ctx, $$->req, @2, $3, @3); }
	| test_body RESOURCE IDENT STRING value_record {
		$$ = $1;
		$$->has_req_parts = true;
		req_entity(ctx, $$->req, 2, @2, $3, @3, $4, @4, $5);
	}
	| test_body CONTEXT record { $$ = $1; $$->has_req_parts = true; req_context(ctx, $$->req, @2, $3); }
	| test_body GIVEN IDENT {
		$$ = $1;
		if ($$->given.name)
			parse_error(ctx, E_SYNTAX, @2, "a test has one 'given'");
		else
			$$->given = *mk_name(ctx, $3.s, $3.len, @3);
	}
	| test_body WITH with_list { $$ = $1; for (size_t i = 0; i < $3.n; i++) ptrvec_push(A, &$$->withs, $3.items[i]); }
	| test_body WITHOUT without_list { $$ = $1; for (size_t i = 0; i < $3.n; i++) ptrvec_push(A, &$$->withouts, $3.items[i]); }
	| test_body WITHOUT ACTION {
		size_t before = ctx->errors;
		parse_error(ctx, E_BAD_PATH, @3, "the action cannot be removed");
		if (ctx->errors > before)
			diag_help(ctx->diags, ctx->diags->items[ctx->diags->n - 1],
				  "every request has one; change it with 'with action = \"name\"'");
		$$ = $1;
	}
	| test_body AT postfix {
		$$ = $1;
		if ($$->at)
			parse_error(ctx, E_SYNTAX, @2, "'at' given twice in one test");
		$$->at = $3;
		$$->at_span = span_join(@2, @3);
	}
	| test_body EXPECT ALLOW { $$ = set_expect(ctx, $1, true, EXPECT_ANY, NULL, span_join(@2, @3)); }
	| test_body EXPECT DENY { $$ = set_expect(ctx, $1, false, EXPECT_ANY, NULL, span_join(@2, @3)); }
	| test_body EXPECT ALLOW BY rule_ids { $$ = set_expect(ctx, $1, true, EXPECT_RULES, &$5, span_join(@2, @5)); }
	| test_body EXPECT DENY BY rule_ids { $$ = set_expect(ctx, $1, false, EXPECT_RULES, &$5, span_join(@2, @5)); }
	| test_body EXPECT DENY BY DEFAULT { $$ = set_expect(ctx, $1, false, EXPECT_DEFAULT, NULL, span_join(@2, @5)); }
	;

rule_ids:
	  rule_id { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, mk_name(ctx, $1.s, $1.len, @1)); }
	| rule_ids ',' rule_id { $$ = $1; ptrvec_push(A, &$$, mk_name(ctx, $3.s, $3.len, @3)); }
	;

rule_id:
	  IDENT { $$ = $1; }
	| IDENT '.' IDENT {
		$$.s = arena_printf(A, "%s.%s", $1.s, $3.s);
		$$.len = strlen($$.s);
	}
	;

with_list:
	  with_item { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, $1); }
	| with_list ',' with_item { $$ = $1; ptrvec_push(A, &$$, $3); }
	;

with_item:
	  path '=' expr {
		$$ = arena_alloc(A, sizeof(*$$));
		$$->path = *$1;
		$$->value = $3;
		$$->span = @$;
	}
	| ACTION '=' expr {
		/* The action: a path of no segments rooted at 'action'. */
		struct ptrvec none = { 0 };
		$$ = arena_alloc(A, sizeof(*$$));
		$$->path = *mk_path(ctx, VAR_ACTION, &none, NULL, @1);
		$$->value = $3;
		$$->span = @$;
	}
	;

without_list:
	  path { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, $1); }
	| without_list ',' path { $$ = $1; ptrvec_push(A, &$$, $3); }
	;

path:
	  path_root path_segs {
		$$ = mk_path(ctx, $1, &$2, NULL, @$);
	}
	;

path_root:
	  PRINCIPAL { $$ = VAR_PRINCIPAL; }
	| RESOURCE  { $$ = VAR_RESOURCE; }
	| CONTEXT   { $$ = VAR_CONTEXT; }
	;

path_segs:
	  '.' IDENT { memset(&$$, 0, sizeof($$)); ptrvec_push(A, &$$, mk_name(ctx, $2.s, $2.len, @2)); }
	| path_segs '.' IDENT { $$ = $1; ptrvec_push(A, &$$, mk_name(ctx, $3.s, $3.len, @3)); }
	;

%%

static struct ast_name *mk_name(struct parse_ctx *ctx, char *s, size_t len, struct span span)
{
	struct ast_name *n = arena_alloc(A, sizeof(*n));
	n->name = s;
	n->len = len;
	n->span = span;
	return n;
}

/* Enforce AST_MAX_DEPTH on operator chains (`a and a and ...`), which the
 * bracket counter in the lexer cannot see. */
static struct ast_expr *mk_depth(struct parse_ctx *ctx, struct ast_expr *e)
{
	if (e->depth > AST_MAX_DEPTH && !ctx->depth_reported) {
		ctx->depth_reported = true;
		parse_error(ctx, E_TOO_DEEP, e->span,
			    "expression nested more than %d deep; split it into several clauses",
			    AST_MAX_DEPTH);
	}
	return e;
}

/* `a has b == c`: the precedence table makes `a == b has c` an error,
 * but a `has` ends in an identifier, so bison reduces it before it sees
 * the next operator.  Reject a comparison whose left operand is a `has`
 * not in parentheses: between them there is a ')' unless it was bare. */
static void no_chain(struct parse_ctx *ctx, const struct ast_expr *lhs, struct span op)
{
	if (lhs->kind != EX_HAS)
		return;
	const char *t = ctx->text;
	for (uint32_t i = lhs->span.end; i < op.start; i++) {
		if (t[i] == ')')
			return;
		if (t[i] == '/' && i + 1 < op.start && t[i + 1] == '/') {
			while (i < op.start && t[i] != '\n')
				i++;
		} else if (t[i] == '/' && i + 1 < op.start && t[i + 1] == '*') {
			for (i += 2; i + 1 < op.start && !(t[i] == '*' && t[i + 1] == '/'); i++)
				;
			i++;
		}
	}
	parse_error(ctx, E_SYNTAX, op, "unexpected '%.*s' after 'has': comparisons do not chain",
		    (int)(op.end - op.start), t + op.start);
	if (!ctx->aborted && ctx->diags->n)
		diag_help(ctx->diags, ctx->diags->items[ctx->diags->n - 1],
			  "add parentheses, or join the comparisons with 'and'");
}

/* Does text[from, to) read as authz: one line, no operator of another
 * language in it (a string holding one is refused too, which is harmless)? */
static bool plain_text(const char *text, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		char c = text[i], next = i + 1 < to ? text[i + 1] : 0;
		if (c == '\n' || (c == '|' && next == '|') || (c == '&' && next == '&') ||
		    (c == '!' && next != '='))
			return false;
		if (c == '=' && next != '=' && (i == from || !strchr("=!<>", text[i - 1])))
			return false;
	}
	return true;
}

/*
 * `a || b`, `a && b`, `!a`, `a = b`: an operator of another language,
 * reported (E0013) at `op` as `what`; the help shows the authz operator
 * `word` between the operands as written (`lhs` is NULL for '!'), or
 * between 'a' and 'b' when they are long, span lines or hold another such
 * slip.  The caller builds the authz node, so one slip makes one error.
 */
static void foreign_op(struct parse_ctx *ctx, struct span op, const char *what, const char *word,
		       const struct span *lhs, struct span rhs)
{
	size_t before = ctx->errors;
	parse_error(ctx, E_FOREIGN_OP, op, "%s", what);
	if (ctx->errors == before)
		return;
	struct diag *d = ctx->diags->items[ctx->diags->n - 1];
	const char *t = ctx->text;
	uint32_t from = lhs ? lhs->start : op.start;
	if (rhs.end - from > 60 || !plain_text(t, from, op.start) || !plain_text(t, op.end, rhs.end)) {
		diag_help(ctx->diags, d, "use '%s': '%s%s %s'", word, lhs ? "a " : "", word,
			  lhs ? "b" : "a");
		return;
	}
	uint32_t l_end = op.start, r_start = op.end;
	while (l_end > from && (t[l_end - 1] == ' ' || t[l_end - 1] == '\t'))
		l_end--;
	while (r_start < rhs.start)
		r_start++;
	diag_help(ctx->diags, d, "use '%s': '%.*s%s%s %.*s'", word, (int)(l_end - from), t + from,
		  lhs ? " " : "", word, (int)(rhs.end - r_start), t + r_start);
}

/* The scanner forgets the open bracket at byte `pos` and those inside it
 * (a body or record that ended early, at a syntax error, without its
 * closer), so that they are not reported unclosed again. */
static void forget_brackets(struct parse_ctx *ctx, uint32_t pos)
{
	for (int i = ctx->nesting - 1; i >= 0; i--)
		if (ctx->open[i].pos == pos) {
			ctx->nesting = i;
			return;
		}
}

/*
 * A body that opened with the '{' at byte `pos` ended early, at a syntax
 * error, and at its '}' when `closed` (else forget_brackets).  Returns
 * whether the parser has recovered (yyerrok):
 * after the '}', or when the next token (`lookahead`) starts an item or
 * ends the file; otherwise it goes on skipping to the next '}' or ';'.
 */
static bool end_body(struct parse_ctx *ctx, uint32_t pos, bool closed, int lookahead)
{
	if (closed)
		return true;
	forget_brackets(ctx, pos);
	switch (lookahead) {
	case AUTHZ_YYEOF: case PERMIT: case FORBID: case TEST: case REQUEST: case CONST:
	case PACKAGE: case '@':
		return true;
	default:
		return false;
	}
}

static struct ast_expr *mk_bin(struct parse_ctx *ctx, enum ast_binop op,
			       struct ast_expr *l, struct ast_expr *r, struct span opspan)
{
	return mk_depth(ctx, ast_binary(ctx->arena, op, l, r, opspan));
}

static void add_item(struct parse_ctx *ctx, enum ast_item_kind kind, void *p)
{
	struct ast_item *it = arena_alloc(A, sizeof(*it));
	it->kind = kind;
	switch (kind) {
	case ITEM_CONST: it->u.c = p; break;
	case ITEM_RULE: it->u.rule = p; break;
	case ITEM_REQUEST: it->u.request = p; break;
	case ITEM_TEST: it->u.test = p; break;
	case ITEM_ASSERT: it->u.assert = p; break;
	}
	ptrvec_push(A, &ctx->items, it);
}

/* which: 0 principal, 1 action, 2 resource */
static void set_scope(struct parse_ctx *ctx, struct ast_rule *r, int which,
		      struct ptrvec *names, struct span span, bool is_in)
{
	static const char *const what[] = { "principal", "action", "resource" };
	bool present = which == 0 ? r->principal.present : which == 1 ? r->action.present
				  : r->resource.present;
	if (present) {
		struct diag *d = r->name
			? diag_at(ctx->diags, E_DUP_CLAUSE, span, "rule '%s' has a second '%s' clause", r->name,
				  what[which])
			: diag_at(ctx->diags, E_DUP_CLAUSE, span, "the assertion has a second '%s' clause",
				  what[which]);
		diag_help(ctx->diags, d, "list every allowed value in one clause: %s",
			  which == 1 ? "action in [\"a\", \"b\"]" : "is A | B");
		ctx->errors++;
		return;
	}
	struct ast_name *arr = arena_calloc(A, names->n, sizeof(*arr));
	for (size_t i = 0; i < names->n; i++)
		arr[i] = *(struct ast_name *)names->items[i];
	if (which == 1) {
		r->action.present = true;
		r->action.is_in = is_in;
		r->action.span = span;
		r->action.actions = arr;
		r->action.n = names->n;
	} else {
		struct ast_type_scope *s = which == 0 ? &r->principal : &r->resource;
		s->present = true;
		s->span = span;
		s->types = arr;
		s->n = names->n;
	}
}

static struct ast_expr *mk_call(struct parse_ctx *ctx, struct ast_expr *base, struct tok_name name,
				struct span name_span, struct ptrvec *args, struct span span)
{
	struct ast_expr *e = mk(ctx, EX_CALL, span);
	e->u.call.base = base;
	e->u.call.name = name.s;
	e->u.call.name_span = name_span;
	e->u.call.args = (struct ast_expr **)args->items;
	e->u.call.nargs = args->n;
	if (base->depth + 1 > e->depth)
		e->depth = base->depth + 1;
	for (size_t i = 0; i < args->n; i++)
		if (((struct ast_expr *)args->items[i])->depth + 1 > e->depth)
			e->depth = ((struct ast_expr *)args->items[i])->depth + 1;
	return mk_depth(ctx, e);
}

/* time("...") and ip("..."): the only functions; the argument must be a
 * string literal, checked (date, address) by the checker. */
static struct ast_expr *mk_func(struct parse_ctx *ctx, struct tok_name name, struct span name_span,
				struct ptrvec *args, struct span span)
{
	bool is_time = !strcmp(name.s, "time"), is_ip = !strcmp(name.s, "ip");
	struct ast_expr *e = mk(ctx, is_ip ? EX_IP : EX_TIME, span);
	e->u.lit.text = "";
	e->u.lit.arg_span = span;
	if (!is_time && !is_ip) {
		struct diag *d = diag_at(ctx->diags, E_SYNTAX, name_span, "unknown function '%s'", name.s);
		diag_help(ctx->diags, d, "the functions are time(\"RFC 3339\") and ip(\"address[/prefix]\")");
		ctx->errors++;
		return e;
	}
	struct ast_expr *arg = args->n ? args->items[0] : NULL;
	if (args->n != 1 || arg->kind != EX_STRING) {
		diag_at(ctx->diags, E_NOT_LITERAL, arg ? arg->span : span,
			"%s() takes one string literal", name.s);
		ctx->errors++;
		return e;
	}
	e->u.lit.text = arg->u.str.s;
	e->u.lit.len = arg->u.str.len;
	e->u.lit.arg_span = arg->span;
	return e;
}

static struct ast_path *mk_path(struct parse_ctx *ctx, enum ast_var root, struct ptrvec *segs,
				struct ptrvec *spans, struct span span)
{
	(void)spans;
	struct ast_path *p = arena_alloc(A, sizeof(*p));
	p->root = root;
	p->span = span;
	p->nsegs = segs->n;
	p->segs = arena_calloc(A, segs->n, sizeof(char *));
	p->seg_spans = arena_calloc(A, segs->n, sizeof(struct span));
	for (size_t i = 0; i < segs->n; i++) {
		struct ast_name *n = segs->items[i];
		p->segs[i] = n->name;
		p->seg_spans[i] = n->span;
	}
	return p;
}

/* part: 0 principal, 1 action, 2 resource, 3 context, 4 at */
static void req_part(struct parse_ctx *ctx, struct ast_request *r, int part, struct span span)
{
	static const char *const what[] = { "principal", "action", "resource", "context", "at" };
	bool *flags[] = { &r->has_principal, &r->has_action, &r->has_resource, &r->has_context, NULL };
	bool dup = part < 4 ? *flags[part] : r->at != NULL;
	if (dup)
		parse_error(ctx, E_SYNTAX, span, "'%s' given twice in one request", what[part]);
	if (part < 4)
		*flags[part] = true;
}

/* which: 0 principal, 2 resource */
static struct ast_request *req_entity(struct parse_ctx *ctx, struct ast_request *r, int which,
				      struct span kw, struct tok_name type, struct span type_span,
				      struct tok_name id, struct span id_span, struct ast_expr *attrs)
{
	req_part(ctx, r, which, kw);
	struct ast_entity *e = which == 0 ? &r->principal : &r->resource;
	e->type = *mk_name(ctx, type.s, type.len, type_span);
	e->id = *mk_name(ctx, id.s, id.len, id_span);
	e->attrs = attrs;
	e->span = span_join(kw, attrs ? attrs->span : id_span);
	return r;
}

static struct ast_request *req_action(struct parse_ctx *ctx, struct ast_request *r, struct span kw,
				      struct tok_name name, struct span name_span)
{
	req_part(ctx, r, 1, kw);
	r->action = *mk_name(ctx, name.s, name.len, name_span);
	return r;
}

static struct ast_request *req_context(struct parse_ctx *ctx, struct ast_request *r, struct span kw,
				       struct ast_expr *rec)
{
	req_part(ctx, r, 3, kw);
	r->context = rec;
	r->context_span = span_join(kw, rec->span);
	return r;
}

static struct test_parts *set_expect(struct parse_ctx *ctx, struct test_parts *p, bool allow,
				     enum ast_expect_by by, struct ptrvec *ids, struct span span)
{
	(void)ctx;
	p->nexpect++;
	p->has_expect = true;
	p->expect_allow = allow;
	p->by = by;
	p->expect_span = span;
	if (ids)
		p->by_rules = *ids;
	return p;
}

/* A test with both `given NAME` and parts of an inline request: the help
 * says how to change the given request, with the action written in place
 * when an inline `action` is what was meant to change. */
static void given_and_inline(struct parse_ctx *ctx, const struct test_parts *p)
{
	size_t before = ctx->errors;
	parse_error(ctx, E_SYNTAX, p->given.span,
		    "a test uses either 'given NAME' or an inline request, not both");
	if (ctx->errors == before)
		return;
	struct diag *d = ctx->diags->items[ctx->diags->n - 1];
	const struct ast_request *r = p->req;
	const struct ast_name *g = &p->given;
	if (r->has_action && !r->has_principal && !r->has_resource && !r->has_context) {
		struct span a = r->action.span;
		diag_help(ctx->diags, d, "to change the action of '%.*s', write 'with action = %.*s'",
			  (int)g->len, g->name, (int)(a.end - a.start), ctx->text + a.start);
	} else {
		diag_help(ctx->diags, d, "change '%.*s' with 'with action = \"name\"', 'with "
			  "principal.ATTR = value' or 'without PATH', or write the whole request "
			  "inline without 'given'", (int)g->len, g->name);
	}
}

static struct ast_assert *new_assert(struct parse_ctx *ctx)
{
	struct ast_assert *a = arena_alloc(A, sizeof(*a));
	a->cond = arena_alloc(A, sizeof(*a->cond));
	a->cond->effect = EFFECT_PERMIT;
	return a;
}

/* `never allow`, `always deny`, ...: w is the word before allow/deny. */
static struct ast_assert *set_verdict(struct parse_ctx *ctx, struct ast_assert *a, struct tok_name w,
				      struct span wspan, bool allow, struct span span)
{
	bool never = !strcmp(w.s, "never"), always = !strcmp(w.s, "always");
	if (!never && !always) {
		size_t before = ctx->errors;
		parse_error(ctx, E_SYNTAX, wspan, "unexpected '%.*s' before '%s': an assertion says "
			    "'never' or 'always'", w.len > 40 ? 40 : (int)w.len, w.s, allow ? "allow" : "deny");
		if (ctx->errors > before)
			diag_help(ctx->diags, ctx->diags->items[ctx->diags->n - 1],
				  "write one of 'never allow', 'always deny', 'always allow', 'never deny'");
		return a;
	}
	if (a->verdict != VERDICT_NONE) {
		parse_error(ctx, E_SYNTAX, span, "an assertion has one 'never'/'always' line");
		return a;
	}
	a->verdict = allow ? (never ? VERDICT_NEVER_ALLOW : VERDICT_ALWAYS_ALLOW)
			   : (never ? VERDICT_NEVER_DENY : VERDICT_ALWAYS_DENY);
	a->verdict_span = span;
	return a;
}

static struct ast_assert *finish_assert(struct parse_ctx *ctx, struct ast_assert *a, struct tok_name name,
					struct span name_span, struct span span)
{
	a->name = name.s;
	a->name_len = name.len;
	a->name_span = name_span;
	a->span = span;
	a->cond->span = span;
	a->cond->name_span = name_span;
	a->cond->effect_span = name_span;
	if (a->verdict == VERDICT_NONE) {
		size_t before = ctx->errors;
		parse_error(ctx, E_SYNTAX, name_span, "assertion has no 'never allow', 'always deny', "
			    "'always allow' or 'never deny'");
		if (ctx->errors > before)
			diag_help(ctx->diags, ctx->diags->items[ctx->diags->n - 1],
				  "say what must hold, e.g. 'never allow' on a line of its own");
	}
	return a;
}

static struct ast_test *finish_test(struct parse_ctx *ctx, struct test_parts *p,
				    struct tok_name name, struct span name_span, struct span span)
{
	struct ast_test *t = arena_alloc(A, sizeof(*t));
	t->name = name.s;
	t->name_len = name.len;
	t->name_span = name_span;
	t->span = span;
	t->given = p->given;
	if (p->has_req_parts) {
		t->inline_req = p->req;
		t->inline_req->span = span;
		t->inline_req->at = p->at;
		p->at = NULL;
		if (p->given.name)
			given_and_inline(ctx, p);
	} else if (!p->given.name) {
		parse_error(ctx, E_INCOMPLETE_REQ, name_span,
			    "test has no request: write 'given NAME' or an inline request");
	}
	if ((p->withs.n || p->withouts.n) && !p->given.name && p->has_req_parts) {
		size_t before = ctx->errors;
		parse_error(ctx, E_SYNTAX, span, "'with' and 'without' change a 'given' request");
		if (ctx->errors > before)
			diag_help(ctx->diags, ctx->diags->items[ctx->diags->n - 1],
				  "write the values in the inline request, or declare it with "
				  "'request NAME { ... }' and start the test with 'given NAME'");
	}
	t->nwiths = p->withs.n;
	t->withs = arena_calloc(A, p->withs.n, sizeof(*t->withs));
	for (size_t i = 0; i < p->withs.n; i++)
		t->withs[i] = *(struct ast_with *)p->withs.items[i];
	t->nwithouts = p->withouts.n;
	t->withouts = arena_calloc(A, p->withouts.n, sizeof(*t->withouts));
	for (size_t i = 0; i < p->withouts.n; i++)
		t->withouts[i] = *(struct ast_path *)p->withouts.items[i];
	t->at = p->at;
	if (!p->has_expect)
		parse_error(ctx, E_SYNTAX, name_span, "test has no 'expect allow' or 'expect deny'");
	if (p->nexpect > 1)
		parse_error(ctx, E_SYNTAX, p->expect_span, "a test has one 'expect'");
	t->has_expect = p->has_expect;
	t->expect_allow = p->expect_allow;
	t->expect_span = p->expect_span;
	t->by = p->by;
	t->nby_rules = p->by_rules.n;
	t->by_rules = arena_calloc(A, p->by_rules.n, sizeof(*t->by_rules));
	for (size_t i = 0; i < p->by_rules.n; i++)
		t->by_rules[i] = *(struct ast_name *)p->by_rules.items[i];
	return t;
}

/* How a token is named in "unexpected X" / "expected X". */
static const char *token_desc(yysymbol_kind_t k, char *buf, size_t size)
{
	switch (k) {
	case YYSYMBOL_YYEOF: return "end of file";
	case YYSYMBOL_IDENT: return "identifier";
	case YYSYMBOL_STRING: return "string";
	case YYSYMBOL_INT: return "integer";
	case YYSYMBOL_DURATION: return "duration";
	default: break;
	}
	const char *name = yysymbol_name(k);
	size_t n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		name++;
		n -= 2;
	}
	snprintf(buf, size, "'%.*s'", (int)n, name);
	return buf;
}

static bool sym_is(yysymbol_kind_t k, const char *punct)
{
	const char *name = yysymbol_name(k);
	size_t n = strlen(punct), len = strlen(name);
	if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
		name++;
		len -= 2;
	}
	return len == n && !strncmp(name, punct, n);
}

/* Tokens that can start an expression: listed as one word, "expression". */
static bool starts_expr(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_INT: case YYSYMBOL_DURATION:
	case YYSYMBOL_STRING: case YYSYMBOL_PRINCIPAL: case YYSYMBOL_ACTION:
	case YYSYMBOL_RESOURCE: case YYSYMBOL_CONTEXT: case YYSYMBOL_NOW: case YYSYMBOL_IDENT:
	case YYSYMBOL_NOT:
		return true;
	default:
		return sym_is(k, "(") || sym_is(k, "[") || sym_is(k, "{") || sym_is(k, "-");
	}
}

static bool is_comparison(yysymbol_kind_t k)
{
	return k == YYSYMBOL_EQ || k == YYSYMBOL_NE || k == YYSYMBOL_LE || k == YYSYMBOL_GE ||
	       sym_is(k, "<") || sym_is(k, ">") || k == YYSYMBOL_IN || k == YYSYMBOL_HAS ||
	       k == YYSYMBOL_LIKE || sym_is(k, "=");
}

/* Never named as expected: the operators of other languages, which parse
 * only to be reported, and '=' where '==' may come too (it is then the
 * foreign comparison, not the '=' of `const` or `with`). */
static bool hidden_expected(yysymbol_kind_t k, bool eq_expected)
{
	return k == YYSYMBOL_OROR || k == YYSYMBOL_ANDAND || k == YYSYMBOL_BANG ||
	       (eq_expected && sym_is(k, "="));
}

static bool is_closer(yysymbol_kind_t k)
{
	return sym_is(k, ")") || sym_is(k, "]") || sym_is(k, "}");
}

/* Kept when a list of expected tokens is cut: what ends a construct. */
static bool is_structural(yysymbol_kind_t k)
{
	return is_closer(k) || sym_is(k, ",") || sym_is(k, ";");
}

/* Tokens that begin an item of a file: no bracket is open across them. */
static bool starts_item(yysymbol_kind_t k)
{
	return k == YYSYMBOL_PERMIT || k == YYSYMBOL_FORBID || k == YYSYMBOL_TEST || k == YYSYMBOL_ASSERT ||
	       k == YYSYMBOL_REQUEST || k == YYSYMBOL_CONST || k == YYSYMBOL_PACKAGE || sym_is(k, "@");
}

/* Keywords that begin a part of a rule, request or test body. */
static bool starts_part(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_PRINCIPAL: case YYSYMBOL_ACTION: case YYSYMBOL_RESOURCE:
	case YYSYMBOL_CONTEXT: case YYSYMBOL_WHEN: case YYSYMBOL_UNLESS: case YYSYMBOL_AT:
	case YYSYMBOL_GIVEN: case YYSYMBOL_WITH: case YYSYMBOL_WITHOUT: case YYSYMBOL_EXPECT:
		return true;
	default:
		return false;
	}
}

static bool first_on_line(const struct parse_ctx *ctx, uint32_t pos)
{
	while (pos > 0 && (ctx->text[pos - 1] == ' ' || ctx->text[pos - 1] == '\t' ||
			   ctx->text[pos - 1] == '\r'))
		pos--;
	return pos == 0 || ctx->text[pos - 1] == '\n';
}

/*
 * The bracket that a syntax error at `tok` (at `loc`) most likely left
 * open, or NULL: at the end of the file, or at the start of the next item,
 * the innermost open one; at a closer of another kind, the one it skipped
 * (the '(' of `( }`); at a keyword that starts a line of a body (`action`,
 * `when`, `expect`, ...), the innermost when that is a record, a list or
 * a parenthesis rather than a body.
 */
static const struct open_bracket *unclosed_at(const struct parse_ctx *ctx, yysymbol_kind_t tok,
					      struct span loc)
{
	const struct open_bracket *top = ctx->nesting ? &ctx->open[ctx->nesting - 1] : NULL;
	if (tok == YYSYMBOL_YYEOF || starts_item(tok))
		return top;
	if (is_closer(tok))
		return ctx->has_dropped ? &ctx->dropped : NULL;
	if (top && starts_part(tok) && first_on_line(ctx, loc.start) &&
	    !(top->c == '{' && top->owner != OWNER_NONE))
		return top;
	return NULL;
}

/* E0012 at `loc`, where bracket `b` should have closed before `unexp`;
 * a note points at the bracket. */
static void report_unclosed(struct parse_ctx *ctx, const struct open_bracket *b, struct span loc,
			    const char *unexp)
{
	static const char *const owners[] = { "", "rule", "test", "request", "assertion" };
	char close = b->c == '(' ? ')' : b->c == '[' ? ']' : '}';
	char of[96] = "";
	if (b->owner != OWNER_NONE) {
		uint32_t len = b->name.end - b->name.start;
		bool quoted = b->owner == OWNER_TEST || b->owner == OWNER_ASSERT;   /* the name is a string, quotes and all */
		snprintf(of, sizeof of, " of %s %s%.*s%s%s", owners[b->owner], quoted ? "" : "'",
			 len > 40 ? 40 : (int)len, ctx->text + b->name.start, len > 40 ? "..." : "",
			 quoted ? "" : "'");
	}
	size_t before = ctx->errors;
	parse_error(ctx, E_UNCLOSED, loc, "unclosed '%c'%s: expected '%c' before %s", b->c, of,
		    close, unexp);
	if (ctx->errors == before)
		return;
	struct diag *d = ctx->diags->items[ctx->diags->n - 1];
	diag_note(ctx->diags, d, (struct span){ ctx->file, b->pos, b->pos + 1 }, "'%c' opened here",
		  b->c);
	if (b->owner != OWNER_NONE)
		diag_help(ctx->diags, d, "add '%c' at the end of%s", close, of + 3);
	else
		diag_help(ctx->diags, d, "add the missing '%c'", close);
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, struct parse_ctx *ctx)
{
	if (ctx->aborted)
		return 0;
	yysymbol_kind_t expected[YYNTOKENS];
	int n = yypcontext_expected_tokens(yyctx, expected, YYNTOKENS);
	yysymbol_kind_t tok = yypcontext_token(yyctx);
	const struct span *loc = yypcontext_location(yyctx);
	char ubuf[96], ebuf[64];
	const char *unexp;
	if (tok == YYSYMBOL_IDENT || tok == YYSYMBOL_STRING || tok == YYSYMBOL_INT ||
	    tok == YYSYMBOL_DURATION) {
		size_t len = loc->end - loc->start;
		snprintf(ubuf, sizeof ubuf, "%s '%.*s%s'", token_desc(tok, ebuf, sizeof ebuf),
			 len > 40 ? 40 : (int)len, ctx->text + loc->start, len > 40 ? "..." : "");
		unexp = ubuf;
	} else {
		unexp = token_desc(tok, ubuf, sizeof ubuf);
	}
	/* A bracket left open, when its closer could have come here. */
	const struct open_bracket *open = unclosed_at(ctx, tok, *loc);
	if (open) {
		const char close[2] = { open->c == '(' ? ')' : open->c == '[' ? ']' : '}', 0 };
		for (int i = 0; i < n; i++)
			if (sym_is(expected[i], close)) {
				report_unclosed(ctx, open, *loc, unexp);
				return 0;
			}
	}
	/* Fold the expression starters into one word when an expression may
	 * come (then 'true' is among them; identifiers, strings and keywords
	 * like 'principal' are also expected alone, e.g. a rule name); keep
	 * at most 6 names, with the closing brackets, ',' and ';' among
	 * them first when the list is cut. */
	bool fold = false, eq = false, comma = false;
	for (int i = 0; i < n; i++) {
		fold |= expected[i] == YYSYMBOL_TRUE;
		eq |= expected[i] == YYSYMBOL_EQ;
		comma |= sym_is(expected[i], ",");
	}
	yysymbol_kind_t list[YYNTOKENS];
	int k = 0, nkeep = 0;
	bool any_expr = false, expects_and = false;
	for (int i = 0; i < n; i++) {
		if (expected[i] == YYSYMBOL_AND)
			expects_and = true;
		if (hidden_expected(expected[i], eq))
			continue;
		if (fold && starts_expr(expected[i])) {
			any_expr = true;
			continue;
		}
		list[k++] = expected[i];
		nkeep += is_structural(expected[i]);
	}
	if (k > 6 && nkeep) {
		yysymbol_kind_t rest[YYNTOKENS];
		int c = 0, r = 0;
		for (int i = 0; i < k; i++) {
			if (is_structural(list[i]))
				list[c++] = list[i];
			else
				rest[r++] = list[i];
		}
		memcpy(list + c, rest, (size_t)r * sizeof(*rest));
	}
	char msg[512];
	char bufs[6][64];
	int off = snprintf(msg, sizeof msg, "unexpected %s", unexp);
	int shown = k > 6 ? 6 : k;
	if (any_expr || shown) {
		off += snprintf(msg + off, sizeof msg - (size_t)off, ", expected ");
		if (any_expr)
			off += snprintf(msg + off, sizeof msg - (size_t)off, "an expression%s",
					shown ? (k > 6 ? ", " : shown == 1 ? " or " : ", ") : "");
		for (int i = 0; i < shown && off < (int)sizeof msg; i++)
			off += snprintf(msg + off, sizeof msg - (size_t)off, "%s%s",
					token_desc(list[i], bufs[i], sizeof bufs[i]),
					i == shown - 1 ? "" : i == shown - 2 && k <= 6 ? " or " : ", ");
		if (k > 6 && off < (int)sizeof msg)
			snprintf(msg + off, sizeof msg - (size_t)off, ", ...");
	}
	size_t before = ctx->errors;
	parse_error(ctx, E_SYNTAX, *loc, "%s", msg);
	if (ctx->errors == before)
		return 0;
	struct diag *d = ctx->diags->items[ctx->diags->n - 1];
	if (is_comparison(tok) && expects_and)
		diag_help(ctx->diags, d,
			  "comparisons do not chain: write 'a < b and b < c', or add parentheses");
	else if (comma && (tok == YYSYMBOL_IDENT || tok == YYSYMBOL_STRING || tok == YYSYMBOL_INT ||
			   tok == YYSYMBOL_DURATION))
		diag_help(ctx->diags, d, "separate the items of a list or record with ','");
	else if (is_closer(tok) && ctx->stray_closer) {
		char c = ctx->text[loc->start];
		diag_help(ctx->diags, d, "no '%c' is open here: remove this '%c'",
			  c == ')' ? '(' : c == ']' ? '[' : '{', c);
	} else if (ctx->prev_tok[1] == ACTION && n == 1 && sym_is(expected[0], "=")) {
		/* `with action "write"`, `with action == "write"`, `with action.x` */
		uint32_t len = loc->end - loc->start;
		if (tok == YYSYMBOL_STRING && len <= 60)
			diag_help(ctx->diags, d, "change the action with 'with action = %.*s'",
				  (int)len, ctx->text + loc->start);
		else
			diag_help(ctx->diags, d, "change the action with 'with action = \"name\"'");
	}
	return 0;
}

static void authz_yyerror(struct span *loc, struct parse_ctx *ctx, const char *msg)
{
	/* Only reached for "memory exhausted": the parser stack is full. */
	if (!ctx->depth_reported && !ctx->aborted) {
		ctx->depth_reported = true;
		parse_error(ctx, E_TOO_DEEP, *loc, "input nested too deeply (%s)", msg);
	}
}

int authz_parse_file(struct parse_ctx *ctx)
{
	return yyparse(ctx);
}
