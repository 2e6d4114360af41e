/*
 * ast_parse.c: drive the flex scanner and bison parser over one file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse_ctx.h"
#include "parser.h"
#define YYSTYPE AUTHZ_YYSTYPE
#define YYLTYPE AUTHZ_YYLTYPE
#include "lexer.h"

void parse_error(struct parse_ctx *ctx, enum diag_code code, struct span span,
		 const char *fmt, ...)
{
	if (ctx->aborted)
		return;
	if (ctx->errors >= PARSE_MAX_ERRORS) {
		ctx->aborted = true;
		struct diag *d = diag_at(ctx->diags, E_LIMIT, span,
					 "too many errors in this file; stopped after %d",
					 PARSE_MAX_ERRORS);
		(void)d;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	diag_vat(ctx->diags, code, span, fmt, ap);
	va_end(ap);
	ctx->errors++;
}

size_t ast_parse(struct arena *a, struct srcset *src, uint32_t file,
		 struct diag_list *diags, struct ast_file **out)
{
	struct src_file *f = srcset_file(src, file);
	struct parse_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = a;
	ctx.src = src;
	ctx.diags = diags;
	ctx.file = file;
	ctx.text = f->text;
	ctx.len = f->len;
	ctx.out = arena_alloc(a, sizeof(*ctx.out));
	ctx.out->file = file;
	ctx.out->is_test = ast_is_test_file_name(f->name);

	yyscan_t scanner;
	if (authz_lex_lex_init_extra(&ctx, &scanner) != 0) {
		diag_file(diags, E_IO, file, "cannot start the scanner");
		*out = ctx.out;
		return 1;
	}
	ctx.scanner = scanner;
	YY_BUFFER_STATE buf = authz_lex__scan_bytes(f->text, (int)f->len, scanner);
	authz_parse_file(&ctx);
	authz_lex__delete_buffer(buf, scanner);
	authz_lex_lex_destroy(scanner);

	struct ast_file *af = ctx.out;
	af->nitems = ctx.items.n;
	af->items = arena_calloc(a, ctx.items.n, sizeof(*af->items));
	for (size_t i = 0; i < ctx.items.n; i++)
		af->items[i] = *(struct ast_item *)ctx.items.items[i];
	af->ncomments = ctx.comments.n;
	af->comments = arena_calloc(a, ctx.comments.n, sizeof(*af->comments));
	for (size_t i = 0; i < ctx.comments.n; i++)
		af->comments[i] = *(struct ast_comment *)ctx.comments.items[i];
	af->nerrors = ctx.errors + (ctx.aborted && !ctx.errors);
	*out = af;
	return af->nerrors;
}
