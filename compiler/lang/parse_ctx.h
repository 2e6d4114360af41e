/*
 * parse_ctx.h: state shared by the flex scanner and the bison parser of one
 * file.  Internal to grammar/ and compiler/ast_parse.c.
 */
#ifndef AUTHZC_PARSE_CTX_H
#define AUTHZC_PARSE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* Stop reporting (and parsing) a file after this many errors. */
#define PARSE_MAX_ERRORS 50

/* What an open '{' belongs to, as the scanner saw it (for "unclosed '{'"). */
enum bracket_owner { OWNER_NONE, OWNER_RULE, OWNER_TEST, OWNER_REQUEST, OWNER_ASSERT };

/* A bracket the scanner has seen open and not yet closed. */
struct open_bracket {
	char c;                    /* '(' '[' '{' */
	enum bracket_owner owner;  /* for '{': the item whose body it opens */
	uint32_t pos;              /* byte offset of the bracket */
	struct span name;          /* the rule's, test's or request's name */
};

struct parse_ctx {
	struct arena *arena;
	struct srcset *src;
	struct diag_list *diags;
	uint32_t file;
	const char *text;
	size_t len;

	void *scanner;          /* yyscan_t */
	uint32_t pos;           /* byte offset of the scanner */
	uint32_t last_end;      /* end of the previous token or comment */
	uint32_t comment_start; /* start of the block comment being scanned */
	int nesting;            /* open ( [ {: the entries of `open` in use */
	struct open_bracket open[AST_MAX_DEPTH + 1];
	/* The innermost bracket the last token (a closer of another kind)
	 * skipped over, e.g. the '(' of `( }`; valid when has_dropped. */
	struct open_bracket dropped;
	bool has_dropped;
	bool stray_closer;       /* the last token is a closer no bracket matched */
	int prev_tok[2];        /* the last two tokens returned, newest first */
	struct span prev_span;  /* the span of prev_tok[0] */
	bool aborted;           /* too deep / too many errors: stop quietly */
	bool depth_reported;

	size_t errors;
	struct ast_file *out;
	struct ptrvec items;    /* struct ast_item * */
	struct ptrvec comments; /* struct ast_comment * */
};

/* Report an error from the scanner or parser; counts toward the cap. */
void parse_error(struct parse_ctx *ctx, enum diag_code code, struct span span,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
