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
	int nesting;            /* open ( [ { */
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
