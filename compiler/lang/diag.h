/*
 * diag.h: diagnostics as data.
 *
 * Every phase appends struct diag records to the diag_list of the
 * compilation and returns how many errors it added; nothing below the
 * renderers prints.  A diagnostic points at a span of a source file, or,
 * for JSON files (schema, authzc.json), at a JSON path such as
 * `$.types.User.tenant`.  Messages follow git's rules: lowercase, no
 * trailing period, problem first, subject in 'quotes'.
 */
#ifndef AUTHZC_DIAG_H
#define AUTHZC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "arena.h"
#include "source.h"

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

enum diag_code {
#define DIAG(name, code, sev, desc) name,
#include "diag_codes.def"
#undef DIAG
	DIAG__COUNT
};

struct diag_note {
	struct span span;
	bool has_span;
	char *message;
};

struct diag {
	enum diag_code code;
	enum diag_severity severity;
	struct span span;
	bool has_span;       /* false: whole file (or json_path) only */
	char *json_path;     /* "$.types.User" for JSON inputs, else NULL */
	char *message;
	char *help;          /* "did you mean 'tenant'?", or NULL */
	struct diag_note *notes;
	size_t nnotes;
};

struct diag_list {
	struct arena *arena;
	struct diag **items;
	size_t n, cap;
	size_t errors, warnings;
};

void diag_list_init(struct diag_list *l, struct arena *a);

/* Append a diagnostic at `span` (severity from the code's declaration). */
struct diag *diag_at(struct diag_list *l, enum diag_code code, struct span span,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Append a diagnostic about a JSON file at a JSON path. */
struct diag *diag_json(struct diag_list *l, enum diag_code code, uint32_t file,
		       const char *json_path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Append a diagnostic about a whole file (or no file: file = UINT32_MAX). */
struct diag *diag_file(struct diag_list *l, enum diag_code code, uint32_t file,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Attach a help line ("help: ...") to d. */
void diag_help(struct diag_list *l, struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* diag_at, diag_json and diag_help with a va_list, for the phases' own
 * reporting wrappers (the va_list is not consumed). */
struct diag *diag_vat(struct diag_list *l, enum diag_code code, struct span span,
		      const char *fmt, va_list ap);
struct diag *diag_vjson(struct diag_list *l, enum diag_code code, uint32_t file,
			const char *json_path, const char *fmt, va_list ap);
void diag_vhelp(struct diag_list *l, struct diag *d, const char *fmt, va_list ap);
/* Attach a note pointing at another place ("note: first defined here"). */
void diag_note(struct diag_list *l, struct diag *d, struct span span,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

const char *diag_code_str(enum diag_code code);      /* "E0301" */
const char *diag_code_desc(enum diag_code code);     /* short description */
enum diag_severity diag_code_severity(enum diag_code code);
const char *diag_severity_str(enum diag_severity s); /* "error" */

/* Sort diagnostics by file, then position (stable for equal positions). */
void diag_sort(struct diag_list *l);

/*
 * Render as gcc/rustc do:
 *   policies/a.authz:12:7: error[E0301]: unknown attribute 'dept' on 'User'
 *      12 |   when principal.dept == "x"
 *         |                  ^~~~
 *      = help: did you mean 'department'?
 * `color` adds ANSI colours (only when the stream is a terminal).
 */
void diag_render_text(FILE *out, const struct srcset *src, const struct diag_list *l, bool color);
void diag_render_one(FILE *out, const struct srcset *src, const struct diag *d, bool color);

#endif
