/*
 * diag.c: diagnostic list and the text renderer (see diag.h).
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static const struct {
	const char *code;
	enum diag_severity severity;
	const char *desc;
} diag_table[] = {
#define DIAG(name, code, sev, desc) { code, DIAG_##sev, desc },
#include "diag_codes.def"
#undef DIAG
};

void diag_list_init(struct diag_list *l, struct arena *a)
{
	memset(l, 0, sizeof(*l));
	l->arena = a;
}

static struct diag *diag_new(struct diag_list *l, enum diag_code code,
			     const char *fmt, va_list ap)
{
	struct diag *d = arena_alloc(l->arena, sizeof(*d));
	d->message = arena_vprintf(l->arena, fmt, ap);
	d->code = code;
	d->severity = diag_code_severity(code);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		l->items = arena_grow(l->arena, l->items, l->n, cap, sizeof(*l->items));
		l->cap = cap;
	}
	l->items[l->n++] = d;
	if (d->severity == DIAG_ERROR)
		l->errors++;
	else if (d->severity == DIAG_WARNING)
		l->warnings++;
	return d;
}

struct diag *diag_vat(struct diag_list *l, enum diag_code code, struct span span,
		      const char *fmt, va_list ap)
{
	struct diag *d = diag_new(l, code, fmt, ap);
	d->span = span;
	d->has_span = true;
	return d;
}

struct diag *diag_at(struct diag_list *l, enum diag_code code, struct span span,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vat(l, code, span, fmt, ap);
	va_end(ap);
	return d;
}

struct diag *diag_vjson(struct diag_list *l, enum diag_code code, uint32_t file,
			const char *json_path, const char *fmt, va_list ap)
{
	struct diag *d = diag_new(l, code, fmt, ap);
	d->span.file = file;
	d->json_path = arena_strdup(l->arena, json_path ? json_path : "$");
	return d;
}

struct diag *diag_json(struct diag_list *l, enum diag_code code, uint32_t file,
		       const char *json_path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vjson(l, code, file, json_path, fmt, ap);
	va_end(ap);
	return d;
}

struct diag *diag_file(struct diag_list *l, enum diag_code code, uint32_t file,
		       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_new(l, code, fmt, ap);
	va_end(ap);
	d->span.file = file;
	return d;
}

void diag_help(struct diag_list *l, struct diag *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vhelp(l, d, fmt, ap);
	va_end(ap);
}

void diag_vhelp(struct diag_list *l, struct diag *d, const char *fmt, va_list ap)
{
	d->help = arena_vprintf(l->arena, fmt, ap);
}

void diag_note(struct diag_list *l, struct diag *d, struct span span, const char *fmt, ...)
{
	va_list ap;
	d->notes = arena_grow(l->arena, d->notes, d->nnotes, d->nnotes + 1, sizeof(*d->notes));
	struct diag_note *note = &d->notes[d->nnotes++];
	note->span = span;
	note->has_span = true;
	va_start(ap, fmt);
	note->message = arena_vprintf(l->arena, fmt, ap);
	va_end(ap);
}

const char *diag_code_str(enum diag_code code)
{
	return code < DIAG__COUNT ? diag_table[code].code : "E0000";
}

const char *diag_code_desc(enum diag_code code)
{
	return code < DIAG__COUNT ? diag_table[code].desc : "unknown";
}

enum diag_severity diag_code_severity(enum diag_code code)
{
	return code < DIAG__COUNT ? diag_table[code].severity : DIAG_ERROR;
}

const char *diag_severity_str(enum diag_severity s)
{
	switch (s) {
	case DIAG_ERROR: return "error";
	case DIAG_WARNING: return "warning";
	case DIAG_NOTE: return "note";
	}
	return "error";
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = *(const struct diag *const *)pa;
	const struct diag *b = *(const struct diag *const *)pb;
	if (a->span.file != b->span.file)
		return a->span.file < b->span.file ? -1 : 1;
	if (a->span.start != b->span.start)
		return a->span.start < b->span.start ? -1 : 1;
	return 0;
}

void diag_sort(struct diag_list *l)
{
	/* Insertion sort keeps equal positions in report order (stable). */
	for (size_t i = 1; i < l->n; i++) {
		struct diag *d = l->items[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&l->items[j - 1], &d) > 0) {
			l->items[j] = l->items[j - 1];
			j--;
		}
		l->items[j] = d;
	}
}

/* ---- text rendering ------------------------------------------------------ */

#define C_RESET "\033[0m"
#define C_BOLD  "\033[1m"
#define C_RED   "\033[1;31m"
#define C_YEL   "\033[1;33m"
#define C_BLUE  "\033[1;34m"
#define C_CYAN  "\033[1;36m"

static const char *sev_color(enum diag_severity s)
{
	return s == DIAG_ERROR ? C_RED : s == DIAG_WARNING ? C_YEL : C_CYAN;
}

/* Print a source line with control bytes made visible, and an underline. */
static void render_snippet(FILE *out, struct src_file *f, struct span span, bool color)
{
	uint32_t line, col, eline, ecol;
	src_line_col(f, span.start, &line, &col);
	src_line_col(f, span.end > span.start ? span.end : span.start, &eline, &ecol);
	size_t len;
	const char *text = src_line_text(f, line, &len);
	/* Very long lines (minified input) are cut around the caret. */
	size_t from = 0, max = 200;
	size_t caret_byte = span.start - (uint32_t)(text - f->text);
	if (caret_byte > len)
		caret_byte = len;
	if (len > max && caret_byte > max / 2)
		from = caret_byte - max / 2;
	size_t to = len - from > max ? from + max : len;
	/* Keep the cut on a UTF-8 boundary. */
	while (from < len && utf8_is_cont((unsigned char)text[from]))
		from++;
	while (to < len && utf8_is_cont((unsigned char)text[to]))
		to++;

	char gutter[16];
	int gw = snprintf(gutter, sizeof gutter, "%u", line);
	fprintf(out, "%s%*s |%s ", color ? C_BLUE : "", gw, gutter, color ? C_RESET : "");
	if (from)
		fputs("...", out);
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\t' || c >= 0x20) {
			if (c != 0x7f)
				fputc(c, out);
			else
				fputc('?', out);
		} else {
			fputc('?', out);
		}
	}
	if (to < len)
		fputs("...", out);
	fputc('\n', out);
	fprintf(out, "%s%*s |%s ", color ? C_BLUE : "", gw, "", color ? C_RESET : "");
	if (from)
		fputs("   ", out);
	/* One blank per character (utf8_count), as columns are counted. */
	for (size_t i = from; i < caret_byte && i < to;) {
		size_t k = utf8_len(text + i, to - i);
		fputc(text[i] == '\t' ? '\t' : ' ', out);
		i += k ? k : 1;
	}
	if (color)
		fputs(C_RED, out);
	fputc('^', out);
	/* Underline to the end of the span on the same line. */
	if (eline == line && ecol > col + 1) {
		uint32_t n = ecol - col - 1;
		if (n > 80)
			n = 80;
		for (uint32_t i = 0; i < n; i++)
			fputc('~', out);
	}
	if (color)
		fputs(C_RESET, out);
	fputc('\n', out);
}

static void render_location(FILE *out, const struct srcset *src, uint32_t file,
			    const struct span *span, const char *json_path)
{
	struct src_file *f = src ? srcset_file(src, file) : NULL;
	if (!f) {
		fputs("authzc", out);
		return;
	}
	fputs(f->name, out);
	if (span) {
		uint32_t line, col;
		src_line_col(f, span->start, &line, &col);
		fprintf(out, ":%u:%u", line, col);
	} else if (json_path) {
		fprintf(out, ": %s", json_path);
	}
}

void diag_render_one(FILE *out, const struct srcset *src, const struct diag *d, bool color)
{
	struct src_file *f = src ? srcset_file(src, d->span.file) : NULL;
	if (color)
		fputs(C_BOLD, out);
	render_location(out, src, d->span.file, d->has_span ? &d->span : NULL, d->json_path);
	fprintf(out, ": %s%s[%s]%s%s: %s%s\n",
		color ? sev_color(d->severity) : "", diag_severity_str(d->severity),
		diag_code_str(d->code), color ? C_RESET : "", color ? C_BOLD : "",
		d->message, color ? C_RESET : "");
	if (f && d->has_span)
		render_snippet(out, f, d->span, color);
	for (size_t i = 0; i < d->nnotes; i++) {
		const struct diag_note *n = &d->notes[i];
		struct src_file *nf = src ? srcset_file(src, n->span.file) : NULL;
		if (nf && n->has_span) {
			render_location(out, src, n->span.file, &n->span, NULL);
			fprintf(out, ": %snote%s: %s\n", color ? C_CYAN : "", color ? C_RESET : "", n->message);
			render_snippet(out, nf, n->span, color);
		} else {
			fprintf(out, "  = note: %s\n", n->message);
		}
	}
	if (d->help)
		fprintf(out, "  = %shelp%s: %s\n", color ? C_CYAN : "", color ? C_RESET : "", d->help);
}

void diag_render_text(FILE *out, const struct srcset *src, const struct diag_list *l, bool color)
{
	for (size_t i = 0; i < l->n; i++)
		diag_render_one(out, src, l->items[i], color);
}
