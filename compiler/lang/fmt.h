/*
 * fmt.h: the canonical layout of policy and test files (`authzc fmt`).
 *
 * fmt_file prints a parsed file back in the one layout described in
 * authzc-fmt(1), with every comment kept.  fmt_source wraps it with the
 * proofs the command relies on: the output parses, its syntax tree equals
 * the input's (ast_file_equal, after putting each rule's `when` clauses
 * before its `unless` clauses, which evaluation does anyway), it holds the
 * same comments, and formatting it again changes nothing.
 */
#ifndef AUTHZC_FMT_H
#define AUTHZC_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* Widest line the formatter aims for (columns, in characters). */
#define FMT_WIDTH 100

/*
 * Print `f` (parsed from file f->file of `src` without syntax errors) in
 * the canonical layout.  Returns arena text ending in one newline (empty
 * for a file with no code and no comments); its length in *len_out.
 */
char *fmt_file(struct arena *a, const struct srcset *src, const struct ast_file *f,
	       size_t *len_out);

enum fmt_status {
	FMT_OK,         /* *out holds the formatted text */
	FMT_SYNTAX,     /* the file has syntax errors (in diags); nothing to write */
	FMT_UNSAFE,     /* internal error: the output would not mean the same */
};

/*
 * Parse file `file` of `src`, format it and prove the result (see above).
 * Syntax errors are appended to `diags`.  On FMT_OK, *out and *out_len hold
 * the formatted text (arena).  The output is added to `src` to be parsed.
 */
enum fmt_status fmt_source(struct arena *a, struct srcset *src, uint32_t file,
			   struct diag_list *diags, char **out, size_t *out_len);

/* Does the formatted text of `f` equal `g`'s meaning?  ast_file_equal on
 * `f` with every rule's clauses put in printing order (whens, then
 * unlesses). */
bool fmt_same_meaning(struct arena *a, const struct ast_file *f, const struct ast_file *g);

#endif
