/*
 * coverage_html.c: `authzc test --coverage-html DIR` (coverage.h): an
 * index page with the summary, the files and every uncovered item, and one
 * page per policy file with its source annotated: each guard green
 * (covered) or red (uncovered), followed by a note listing the tests that
 * saw it hold access back (a permit's) or alone keep its forbid from
 * applying (a forbid's); each rule's line followed by whether it
 * fired and whether its deny path is covered.  Self-contained pages: inline
 * CSS, no scripts, no external assets; every source byte HTML-escaped.
 *
 * Markers a reader (or a test) can find: a guard is
 *   <span class="guard covered" id="g-LINE-COL"> or
 *   <span class="guard uncovered" id="g-LINE-COL">.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "coverage.h"
#include "fileio.h"

/* Tests listed under one item; more are counted. */
#define HTML_MAX_TESTS 20

static const char style[] =
	"<style>\n"
	"body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
	"table.summary td,table.summary th,table.files td,table.files th{padding:.2em .8em;text-align:left}\n"
	"table.src{border-collapse:collapse;font-family:ui-monospace,monospace;font-size:13px}\n"
	"table.src td{padding:0 .6em;vertical-align:top}\n"
	"td.ln{color:#999;text-align:right;user-select:none}\n"
	"td.code{white-space:pre}\n"
	".guard.covered{background:#c8f0c8}\n"
	".guard.uncovered{background:#f8c0c0}\n"
	"div.note{white-space:normal;font-family:system-ui,sans-serif;font-size:12px;margin:.2em 0 .4em 2em;"
	"padding:.2em .6em;border-left:4px solid}\n"
	"div.note.covered{border-color:#3a3;background:#f0fbf0}\n"
	"div.note.uncovered{border-color:#c33;background:#fdf0f0}\n"
	"div.note ul{margin:.2em 0;padding-left:1.5em}\n"
	".bad{color:#c33;font-weight:bold}\n"
	".good{color:#3a3}\n"
	"</style>\n";

static void esc(struct buf *b, const char *s)
{
	report_xml_str(b, s, strlen(s));
}

static void head(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	esc(b, title);
	buf_puts(b, "</title>\n");
	buf_puts(b, style);
	buf_puts(b, "</head>\n<body>\n");
}

struct page {
	uint32_t file;          /* srcset id */
	const char *name;       /* source path */
	char *html;             /* page file name */
	size_t first, end;      /* its rules: cov->rules[first..end) */
};

/* "policies/a.authz" -> "policies-a.authz.html" */
static char *page_name(struct arena *a, const char *src, const struct page *pages, size_t n)
{
	char *s = arena_printf(a, "%s.html", src);
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			*p = '-';
	for (size_t i = 0; i < n; i++)
		if (!strcmp(pages[i].html, s))
			return arena_printf(a, "%zu-%s", n + 1, s);
	return s;
}

static void measure_rows(struct buf *b, const struct cov_count k[COV_NMEASURES])
{
	static const char *label[COV_NMEASURES] = { "rules fired", "deny paths", "guards" };
	buf_puts(b, "<table class=\"summary\">\n<tr><th>measure</th><th>covered</th><th>total</th><th>%</th></tr>\n");
	for (int m = 0; m < COV_NMEASURES; m++)
		buf_printf(b, "<tr><td>%s</td><td>%zu</td><td>%zu</td><td class=\"%s\">%.1f%%</td></tr>\n",
			    label[m], k[m].covered, k[m].total, k[m].covered == k[m].total ? "good" : "bad",
			    coverage_percent(k[m]));
	buf_puts(b, "</table>\n");
}

static void count_rules(const struct coverage *cov, size_t first, size_t end,
			struct cov_count k[COV_NMEASURES])
{
	memset(k, 0, sizeof(struct cov_count) * COV_NMEASURES);
	for (size_t i = first; i < end; i++) {
		const struct cov_rule *cr = &cov->rules[i];
		k[COV_FIRED].total++;
		k[COV_FIRED].covered += cr->fired.n > 0;
		k[COV_DENY].total++;
		k[COV_DENY].covered += cr->deny.n > 0;
		k[COV_GUARDS].total += cr->rule->nguards;
		for (size_t g = 0; g < cr->rule->nguards; g++)
			k[COV_GUARDS].covered += cr->guards[g].tests.n > 0;
	}
}

static void test_list(const struct coverage *cov, struct buf *b, const struct cov_tests *v)
{
	buf_puts(b, "<ul>");
	for (size_t i = 0; i < v->n && i < HTML_MAX_TESTS; i++) {
		const struct checked_test *t = &cov->c->checked->tests[v->v[i]];
		const char *file;
		uint32_t line;
		coverage_test_where(cov->c, t, &file, &line);
		buf_puts(b, "<li>");
		report_xml_str(b, t->name, t->name_len);
		buf_puts(b, " <small>(");
		esc(b, file);
		buf_printf(b, ":%u)</small></li>", line);
	}
	if (v->n > HTML_MAX_TESTS)
		buf_printf(b, "<li>and %zu more</li>", v->n - HTML_MAX_TESTS);
	buf_puts(b, "</ul>");
}

static void guard_note(const struct coverage *cov, struct buf *b, const struct cov_rule *cr,
		       const struct cov_guard *g)
{
	bool ok = g->tests.n > 0;
	buf_printf(b, "<div class=\"note %s\"><a href=\"#g-%u-%u\">%u:%u</a> %s of <b>",
		    ok ? "covered" : "uncovered", g->line, g->col, g->line, g->col,
		    g->guard->is_unless ? "unless" : "guard");
	esc(b, cr->rule->id);
	buf_puts(b, "</b> <code>");
	struct buf t = BUF_INIT;
	coverage_guard_text(cov, g, &t);
	report_xml_str(b, buf_cstr(&t), t.n);
	b->oom |= t.oom;
	buf_release(&t);
	bool forbid = cr->rule->effect == EFFECT_FORBID;
	if (ok) {
		buf_printf(b, "</code>: %s in %zu test%s",
			    forbid ? "alone kept the forbid from applying" : "held access back", g->tests.n,
			    g->tests.n == 1 ? "" : "s");
		test_list(cov, b, &g->tests);
	} else {
		buf_printf(b, "</code>: <span class=\"bad\">not covered</span>: %s",
			    forbid ? "no test saw it alone keep the forbid from applying"
				   : "no test saw it hold access back");
	}
	buf_puts(b, "</div>");
}

static void rule_note(const struct coverage *cov, struct buf *b, const struct cov_rule *cr)
{
	bool ok = cr->fired.n && cr->deny.n;
	buf_printf(b, "<div class=\"note %s\" id=\"r-%u-%u\">%s <b>", ok ? "covered" : "uncovered",
		    cr->line, cr->col, cr->rule->effect == EFFECT_PERMIT ? "permit" : "forbid");
	esc(b, cr->rule->id);
	buf_puts(b, "</b>: ");
	if (cr->fired.n)
		buf_printf(b, "fired in %zu test%s", cr->fired.n, cr->fired.n == 1 ? "" : "s");
	else
		buf_puts(b, "<span class=\"bad\">never fired</span>");
	if (cr->deny.n)
		buf_printf(b, "; deny path covered by %zu test%s", cr->deny.n, cr->deny.n == 1 ? "" : "s");
	else
		buf_puts(b, "; <span class=\"bad\">deny path not covered</span>");
	if (cr->deny.n)
		test_list(cov, b, &cr->deny);
	buf_puts(b, "</div>");
}

struct mark {
	const struct cov_rule *rule;
	const struct cov_guard *guard;
	uint32_t start, end;
};

static int mark_cmp(const void *pa, const void *pb)
{
	const struct mark *a = pa, *b = pb;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* The page of one policy file. */
static void file_page(const struct coverage *cov, const struct page *pg, struct buf *b)
{
	struct src_file *f = srcset_file(&cov->c->src, pg->file);
	size_t nmarks = 0;
	for (size_t i = pg->first; i < pg->end; i++)
		nmarks += cov->rules[i].rule->nguards;
	struct mark *m = arena_calloc(&cov->c->arena, nmarks ? nmarks : 1, sizeof *m);
	size_t k = 0;
	for (size_t i = pg->first; i < pg->end; i++) {
		const struct cov_rule *cr = &cov->rules[i];
		for (size_t g = 0; g < cr->rule->nguards; g++) {
			struct span sp = cr->guards[g].guard->expr->span;
			if (sp.start <= sp.end && sp.end <= f->len)
				m[k++] = (struct mark){ cr, &cr->guards[g], sp.start, sp.end };
		}
	}
	qsort(m, k, sizeof *m, mark_cmp);

	head(b, pg->name);
	buf_puts(b, "<p><a href=\"index.html\">coverage summary</a></p>\n<h1>");
	esc(b, pg->name);
	buf_puts(b, "</h1>\n");
	struct cov_count cnt[COV_NMEASURES];
	count_rules(cov, pg->first, pg->end, cnt);
	measure_rows(b, cnt);
	buf_puts(b, "<p>Guards of permits: <span class=\"guard covered\">covered</span>"
		  " (some test saw it hold access back), <span class=\"guard uncovered\">not covered</span>.</p>\n"
		  "<table class=\"src\">\n");

	size_t next = 0;                /* next mark to open */
	const struct mark *open = NULL; /* the mark being shown */
	/* The marks that end on the current line, for their notes: any number
	 * of guards can end on one line. */
	const struct mark **ended = arena_calloc(&cov->c->arena, k + 1, sizeof *ended);
	size_t rule_i = pg->first;
	for (size_t ln = 0; ln < f->nlines; ln++) {
		uint32_t ls = f->line_starts[ln];
		uint32_t le = ln + 1 < f->nlines ? f->line_starts[ln + 1] : (uint32_t)f->len;
		uint32_t stop = le;
		if (stop > ls && f->text[stop - 1] == '\n')
			stop--;
		if (ln + 1 == f->nlines && ls == stop && ls == f->len)
			break;  /* no line after the last newline */
		buf_printf(b, "<tr id=\"L%zu\"><td class=\"ln\">%zu</td><td class=\"code\">", ln + 1, ln + 1);
		if (open)
			buf_printf(b, "<span class=\"guard %s\">", open->guard->tests.n ? "covered" : "uncovered");
		size_t nended = 0;
		uint32_t p = ls;
		while (p < stop) {
			if (open && p == open->end) {
				buf_puts(b, "</span>");
				ended[nended++] = open;
				open = NULL;
			}
			while (next < k && m[next].start < p)
				next++;         /* overlapping marks: shown once */
			if (!open && next < k && m[next].start == p) {
				open = &m[next++];
				buf_printf(b, "<span class=\"guard %s\" id=\"g-%u-%u\">",
					    open->guard->tests.n ? "covered" : "uncovered",
					    open->guard->line, open->guard->col);
			}
			/* Up to the next place a span opens or closes. */
			uint32_t q = stop;
			if (open && open->end > p && open->end < q)
				q = open->end;
			if (!open && next < k && m[next].start > p && m[next].start < q)
				q = m[next].start;
			report_xml_str(b, f->text + p, q - p);
			p = q;
		}
		if (open) {
			buf_puts(b, "</span>");
			if (open->end <= le) {
				ended[nended++] = open;
				open = NULL;
			}
		}
		buf_puts(b, "</td></tr>\n");
		bool notes = false;
		while (rule_i < pg->end && cov->rules[rule_i].line <= ln + 1) {
			if (!notes)
				buf_puts(b, "<tr><td></td><td>");
			notes = true;
			rule_note(cov, b, &cov->rules[rule_i++]);
		}
		for (size_t e = 0; e < nended; e++) {
			if (!notes)
				buf_puts(b, "<tr><td></td><td>");
			notes = true;
			guard_note(cov, b, ended[e]->rule, ended[e]->guard);
		}
		if (notes)
			buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n</body>\n</html>\n");
}

/* Open an item of the "Not covered" list: a link to the rule ('r') or
 * guard ('g') at line:col of `page`, and the rule's id; the caller adds
 * what is missing and closes the item. */
static void uncovered_item(struct buf *b, const struct page *page, char kind, unsigned line,
			   unsigned col, const char *rule_id)
{
	buf_puts(b, "<li class=\"bad\"><a href=\"");
	esc(b, page->html);
	buf_printf(b, "#%c-%u-%u\">", kind, line, col);
	esc(b, page->name);
	buf_printf(b, ":%u:%u</a> ", line, col);
	esc(b, rule_id);
	buf_puts(b, ": ");
}

static void index_page(const struct coverage *cov, const struct page *pages, size_t npages, struct buf *b)
{
	head(b, "authzc coverage");
	buf_printf(b, "<h1>Policy coverage</h1>\n<p>%zu test%s run.</p>\n", cov->ntests,
		    cov->ntests == 1 ? "" : "s");
	struct cov_count k[COV_NMEASURES];
	coverage_counts(cov, k);
	measure_rows(b, k);
	buf_puts(b, "<h2>Policy files</h2>\n<table class=\"files\">\n"
		  "<tr><th>file</th><th>rules fired</th><th>deny paths</th><th>guards</th></tr>\n");
	for (size_t i = 0; i < npages; i++) {
		count_rules(cov, pages[i].first, pages[i].end, k);
		buf_puts(b, "<tr><td><a href=\"");
		esc(b, pages[i].html);
		buf_puts(b, "\">");
		esc(b, pages[i].name);
		buf_puts(b, "</a></td>");
		for (int mm = 0; mm < COV_NMEASURES; mm++)
			buf_printf(b, "<td class=\"%s\">%zu/%zu</td>", k[mm].covered == k[mm].total ? "good" : "bad",
				    k[mm].covered, k[mm].total);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n<h2>Not covered</h2>\n<ul>\n");
	size_t nunc = 0;
	for (size_t i = 0; i < npages; i++) {
		for (size_t r = pages[i].first; r < pages[i].end; r++) {
			const struct cov_rule *cr = &cov->rules[r];
			const char *what[2] = { cr->fired.n ? NULL : "never fired",
						cr->deny.n ? NULL : "deny path not covered" };
			for (int w = 0; w < 2; w++) {
				if (!what[w])
					continue;
				nunc++;
				uncovered_item(b, &pages[i], 'r', cr->line, cr->col, cr->rule->id);
				buf_printf(b, "%s</li>\n", what[w]);
			}
			for (size_t g = 0; g < cr->rule->nguards; g++) {
				const struct cov_guard *cg = &cr->guards[g];
				if (cg->tests.n)
					continue;
				nunc++;
				uncovered_item(b, &pages[i], 'g', cg->line, cg->col, cr->rule->id);
				buf_puts(b, "<code>");
				struct buf t = BUF_INIT;
				coverage_guard_text(cov, cg, &t);
				report_xml_str(b, buf_cstr(&t), t.n);
				b->oom |= t.oom;
				buf_release(&t);
				buf_puts(b, "</code></li>\n");
			}
		}
	}
	if (!nunc)
		buf_puts(b, "<li class=\"good\">everything is covered</li>\n");
	buf_puts(b, "</ul>\n</body>\n</html>\n");
}

static int write_page(const char *dir, const char *name, struct buf *b, char *msg, size_t size)
{
	if (b->oom) {
		snprintf(msg, size, "out of memory");
		return -1;
	}
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	if (!path) {
		snprintf(msg, size, "out of memory");
		return -1;
	}
	snprintf(path, n, "%s/%s", dir, name);
	int rc = report_save(b, path);
	if (rc < 0)
		snprintf(msg, size, "cannot write '%s': %s", path, fileio_reason(errno));
	free(path);
	return rc;
}

/* mkdir -p: 0, or -1 with errno. */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	int rc = 0;
	for (char *s = p + 1; rc == 0; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int coverage_html(const struct coverage *cov, const char *dir, char *msg, size_t size)
{
	struct stat st;
	if (!*dir)
		errno = ENOENT;
	if (!*dir || make_dirs(dir) < 0) {
		snprintf(msg, size, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(msg, size, "cannot write into '%s': not a folder", dir);
		return -1;
	}
	struct arena *a = &cov->c->arena;
	struct page *pages = arena_calloc(a, cov->nrules ? cov->nrules : 1, sizeof *pages);
	size_t npages = 0;
	for (size_t i = 0; i < cov->nrules;) {
		uint32_t file = cov->rules[i].rule->rule->effect_span.file;
		struct src_file *f = srcset_file(&cov->c->src, file);
		struct page *pg = &pages[npages];
		pg->file = file;
		pg->name = f ? f->name : "?";
		pg->first = i;
		while (i < cov->nrules && cov->rules[i].rule->rule->effect_span.file == file)
			i++;
		pg->end = i;
		pg->html = page_name(a, pg->name, pages, npages);
		if (f)
			npages++;
	}
	for (size_t i = 0; i < npages; i++) {
		struct buf b = BUF_INIT;
		file_page(cov, &pages[i], &b);
		int rc = write_page(dir, pages[i].html, &b, msg, size);
		buf_release(&b);
		if (rc < 0)
			return -1;
	}
	struct buf b = BUF_INIT;
	index_page(cov, pages, npages, &b);
	int rc = write_page(dir, "index.html", &b, msg, size);
	buf_release(&b);
	return rc;
}
