/*
 * coverage.c: coverage measures from decision traces, and the text, JSON
 * and lcov reports (coverage.h).  The HTML pages are in coverage_html.c.
 */
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "coverage_probe.h"
#include "hash.h"
#include "json.h"

static void where(const struct compilation *c, struct span sp, uint32_t *line, uint32_t *col)
{
	struct src_file *f = srcset_file(&c->src, sp.file);
	*line = *col = 0;
	if (f)
		src_line_col(f, sp.start, line, col);
}

void coverage_test_where(const struct compilation *c, const struct checked_test *t,
			 const char **file, uint32_t *line)
{
	struct src_file *f = srcset_file(&c->src, t->test->span.file);
	uint32_t col;
	*file = f ? f->name : "?";
	where(c, t->test->span, line, &col);
}

void coverage_init(struct coverage *cov, struct compilation *c)
{
	const struct checked *ck = c->checked;
	memset(cov, 0, sizeof *cov);
	cov->c = c;
	cov->nrules = ck->nrules;
	cov->rules = arena_calloc(&c->arena, ck->nrules ? ck->nrules : 1, sizeof *cov->rules);
	cov->nslots = 16;
	while (cov->nslots < ck->nrules * 2)
		cov->nslots *= 2;
	cov->slots = arena_calloc(&c->arena, cov->nslots, sizeof *cov->slots);
	for (size_t i = 0; i < ck->nrules; i++) {
		const struct checked_rule *r = &ck->rules[i];
		struct cov_rule *cr = &cov->rules[i];
		cr->rule = r;
		where(c, r->rule->effect_span, &cr->line, &cr->col);
		cr->guards = arena_calloc(&c->arena, r->nguards ? r->nguards : 1, sizeof *cr->guards);
		for (size_t g = 0; g < r->nguards; g++) {
			cr->guards[g].guard = &r->guards[g];
			where(c, r->guards[g].expr->span, &cr->guards[g].line, &cr->guards[g].col);
		}
		size_t s = fnv1a_str(r->id) & (cov->nslots - 1);
		while (cov->slots[s])
			s = (s + 1) & (cov->nslots - 1);
		cov->slots[s] = (uint32_t)i + 1;
	}
	cov_probe_init(cov);
}

void coverage_finish(struct coverage *cov)
{
	cov_probe_release(cov);
}

/* The index of the rule with id `id`, or -1. */
static long find_rule(const struct coverage *cov, const char *id)
{
	if (!id)
		return -1;
	size_t s = fnv1a_str(id) & (cov->nslots - 1);
	for (; cov->slots[s]; s = (s + 1) & (cov->nslots - 1)) {
		size_t i = cov->slots[s] - 1;
		if (!strcmp(cov->rules[i].rule->id, id))
			return (long)i;
	}
	return -1;
}

void cov_tests_push(struct arena *a, struct cov_tests *v, size_t test)
{
	if (v->n && v->v[v->n - 1] == test)
		return;         /* the same test twice (a rule named twice) */
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		v->v = arena_grow(a, v->v, v->n, cap, sizeof *v->v);
		v->cap = cap;
	}
	v->v[v->n++] = (uint32_t)test;
}

void coverage_record(struct coverage *cov, size_t test, const authz_decision *d)
{
	struct arena *a = &cov->c->arena;
	bool allowed = authz_decision_allowed(d) == 1;
	size_t n = authz_decision_trace_count(d);
	cov->ntests++;
	for (size_t i = 0; i < n; i++) {
		authz_trace tr;
		if (authz_decision_trace(d, i, &tr) < 0)
			continue;
		long k = find_rule(cov, tr.rule);
		if (k < 0)
			continue;
		struct cov_rule *cr = &cov->rules[k];
		bool permit = cr->rule->effect == EFFECT_PERMIT;
		switch (tr.outcome) {
		case AUTHZ_APPLIED:
			cov_tests_push(a, &cr->fired, test);
			break;
		case AUTHZ_RULE_ERROR:
			if (!permit)
				cov_tests_push(a, &cr->fired, test);      /* fails closed */
			else if (!allowed)
				cov_tests_push(a, &cr->deny, test);
			break;
		case AUTHZ_NOT_APPLIED:
			if (!permit && tr.guard >= 0 && (size_t)tr.guard < cr->rule->nguards)
				cov_probe_record(cov, test, (size_t)k, (size_t)tr.guard);
			if (!permit || allowed)
				break;
			cov_tests_push(a, &cr->deny, test);
			if (tr.guard >= 0 && (size_t)tr.guard < cr->rule->nguards)
				cov_tests_push(a, &cr->guards[tr.guard].tests, test);
			break;
		default:
			break;
		}
	}
	if (allowed)
		return;
	size_t nr = authz_decision_rule_count(d);
	for (size_t i = 0; i < nr; i++) {
		long k = find_rule(cov, authz_decision_rule(d, i));
		if (k >= 0 && cov->rules[k].rule->effect == EFFECT_FORBID)
			cov_tests_push(a, &cov->rules[k].deny, test);
	}
}

void coverage_record_json(struct coverage *cov, size_t test, const authz_decision *d, const char *json)
{
	cov->json = json;
	coverage_record(cov, test, d);
	cov->json = NULL;
}

void coverage_counts(const struct coverage *cov, struct cov_count out[COV_NMEASURES])
{
	memset(out, 0, sizeof(struct cov_count) * COV_NMEASURES);
	for (size_t i = 0; i < cov->nrules; i++) {
		const struct cov_rule *cr = &cov->rules[i];
		out[COV_FIRED].total++;
		out[COV_FIRED].covered += cr->fired.n > 0;
		out[COV_DENY].total++;
		out[COV_DENY].covered += cr->deny.n > 0;
		for (size_t g = 0; g < cr->rule->nguards; g++) {
			out[COV_GUARDS].total++;
			out[COV_GUARDS].covered += cr->guards[g].tests.n > 0;
		}
	}
}

double coverage_percent(struct cov_count k)
{
	if (!k.total)
		return 100.0;
	return (double)(k.covered * 1000 / k.total) / 10.0;
}

bool coverage_under(const struct coverage *cov, double min)
{
	struct cov_count k[COV_NMEASURES];
	coverage_counts(cov, k);
	if (!k[COV_GUARDS].total)
		return false;
	return (double)k[COV_GUARDS].covered * 100.0 < min * (double)k[COV_GUARDS].total;
}

/* ---- uncovered items, in source order ----------------------------------- */

enum item_kind { ITEM_FIRED, ITEM_DENY, ITEM_GUARD };

struct item {
	const struct cov_rule *rule;
	const struct cov_guard *guard;  /* ITEM_GUARD */
	enum item_kind kind;
	const char *file;
	uint32_t line, col;
	size_t seq;
};

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const char *file_name(const struct coverage *cov, struct span sp)
{
	struct src_file *f = srcset_file(&cov->c->src, sp.file);
	return f ? f->name : "?";
}

/* Every uncovered item, sorted; *n gets their number (arena array). */
static struct item *uncovered(const struct coverage *cov, size_t *n)
{
	size_t cap = 0;
	for (size_t i = 0; i < cov->nrules; i++)
		cap += 2 + cov->rules[i].rule->nguards;
	struct item *it = arena_calloc(&cov->c->arena, cap ? cap : 1, sizeof *it);
	size_t k = 0;
	for (size_t i = 0; i < cov->nrules; i++) {
		const struct cov_rule *cr = &cov->rules[i];
		const char *f = file_name(cov, cr->rule->rule->effect_span);
		if (!cr->fired.n)
			it[k] = (struct item){ cr, NULL, ITEM_FIRED, f, cr->line, cr->col, k }, k++;
		if (!cr->deny.n)
			it[k] = (struct item){ cr, NULL, ITEM_DENY, f, cr->line, cr->col, k }, k++;
		for (size_t g = 0; g < cr->rule->nguards; g++) {
			const struct cov_guard *cg = &cr->guards[g];
			if (!cg->tests.n)
				it[k] = (struct item){ cr, cg, ITEM_GUARD, f, cg->line, cg->col, k }, k++;
		}
	}
	qsort(it, k, sizeof *it, item_cmp);
	*n = k;
	return it;
}

/* The guard's source text on one line (into b, unescaped). */
void coverage_guard_text(const struct coverage *cov, const struct cov_guard *g, struct buf *b)
{
	struct span sp = g->guard->expr->span;
	struct src_file *f = srcset_file(&cov->c->src, sp.file);
	if (f && sp.end <= f->len && sp.start <= sp.end)
		report_squeeze(b, f->text + sp.start, sp.end - sp.start);
}

static const char *measure_label[COV_NMEASURES] = { "rules fired", "deny paths", "guards" };

void coverage_text(const struct coverage *cov, struct buf *b)
{
	struct cov_count k[COV_NMEASURES];
	coverage_counts(cov, k);
	buf_puts(b, "coverage:\n");
	for (int m = 0; m < COV_NMEASURES; m++)
		buf_printf(b, "  %-12s %5.1f%% (%zu/%zu)\n", measure_label[m], coverage_percent(k[m]),
			    k[m].covered, k[m].total);
	if (cov->probe_failed)
		buf_printf(b, "note: %s\n", cov->probe_msg);
	size_t n;
	struct item *it = uncovered(cov, &n);
	if (!n)
		return;
	buf_puts(b, "uncovered:\n");
	for (size_t i = 0; i < n; i++) {
		const struct checked_rule *r = it[i].rule->rule;
		buf_printf(b, "  %s:%u:%u: %s: ", it[i].file, it[i].line, it[i].col, r->id);
		switch (it[i].kind) {
		case ITEM_FIRED:
			buf_puts(b, "never fired: no test made it apply\n");
			break;
		case ITEM_DENY:
			buf_puts(b, r->effect == EFFECT_PERMIT
				  ? "deny path not covered: no test matched its scope and was denied\n"
				  : "deny path not covered: no test was denied by it\n");
			break;
		case ITEM_GUARD:
			buf_printf(b, "%s not covered: ", it[i].guard->guard->is_unless ? "unless" : "guard");
			coverage_guard_text(cov, it[i].guard, b);
			if (r->effect == EFFECT_FORBID)
				buf_puts(b, it[i].guard->guard->is_unless
					  ? " (no test where it alone, true, kept the forbid from applying)"
					  : " (no test where it alone, false, kept the forbid from applying)");
			buf_puts(b, "\n");
			break;
		}
	}
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_tests(const struct coverage *cov, struct buf *b, const struct cov_tests *v)
{
	buf_puts(b, "[");
	for (size_t i = 0; i < v->n; i++) {
		const struct checked_test *t = &cov->c->checked->tests[v->v[i]];
		const char *file;
		uint32_t line;
		coverage_test_where(cov->c, t, &file, &line);
		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		json_put_str(b, t->name, t->name_len);
		buf_puts(b, ",\"file\":");
		json_put_str(b, file, strlen(file));
		buf_printf(b, ",\"line\":%u}", line);
	}
	buf_puts(b, "]");
}

static void json_item(const struct coverage *cov, struct buf *b, const char *key,
		      const struct cov_tests *v)
{
	buf_printf(b, ",\"%s\":{\"covered\":%s,\"tests\":", key, v->n ? "true" : "false");
	json_tests(cov, b, v);
	buf_puts(b, "}");
}

static const char *measure_key[COV_NMEASURES] = { "rules_fired", "deny_paths", "guards" };

void coverage_json(const struct coverage *cov, struct buf *b)
{
	struct cov_count k[COV_NMEASURES];
	coverage_counts(cov, k);
	buf_puts(b, "{\"summary\":{");
	for (int m = 0; m < COV_NMEASURES; m++)
		buf_printf(b, "%s\"%s\":{\"covered\":%zu,\"total\":%zu,\"percent\":%.1f}", m ? "," : "",
			    measure_key[m], k[m].covered, k[m].total, coverage_percent(k[m]));
	buf_printf(b, "},\"tests_run\":%zu,\"rules\":[", cov->ntests);
	for (size_t i = 0; i < cov->nrules; i++) {
		const struct cov_rule *cr = &cov->rules[i];
		const struct checked_rule *r = cr->rule;
		const char *f = file_name(cov, r->rule->effect_span);
		buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		json_put_str(b, r->id, strlen(r->id));
		buf_printf(b, ",\"effect\":\"%s\",\"file\":", r->effect == EFFECT_PERMIT ? "permit" : "forbid");
		json_put_str(b, f, strlen(f));
		buf_printf(b, ",\"line\":%u,\"col\":%u", cr->line, cr->col);
		json_item(cov, b, "fired", &cr->fired);
		json_item(cov, b, "deny_path", &cr->deny);
		{
			buf_puts(b, ",\"guards\":[");
			for (size_t g = 0; g < r->nguards; g++) {
				const struct cov_guard *cg = &cr->guards[g];
				struct buf text = BUF_INIT;
				coverage_guard_text(cov, cg, &text);
				buf_printf(b, "%s{\"index\":%zu,\"kind\":\"%s\",\"line\":%u,\"col\":%u,\"text\":",
					    g ? "," : "", g, cg->guard->is_unless ? "unless" : "when",
					    cg->line, cg->col);
				json_put_str(b, buf_cstr(&text), text.n);
				b->oom |= text.oom;
				buf_release(&text);
				buf_printf(b, ",\"covered\":%s,\"tests\":", cg->tests.n ? "true" : "false");
				json_tests(cov, b, &cg->tests);
				buf_puts(b, "}");
			}
			buf_puts(b, "]");
		}
		buf_puts(b, "}");
	}
	buf_puts(b, "]}");
}

/* ---- lcov ----------------------------------------------------------------- */

struct da {
	uint32_t line;
	size_t count;
};

static int da_cmp(const void *pa, const void *pb)
{
	const struct da *a = pa, *b = pb;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Path characters lcov cannot carry on its one-line records. */
static void lcov_name(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_put(b, (unsigned char)*s < 0x20 || *s == ',' ? "_" : s, 1);
}

void coverage_lcov(const struct coverage *cov, struct buf *b)
{
	size_t i = 0;
	while (i < cov->nrules) {
		/* Rules come grouped by file (checked order). */
		uint32_t file = cov->rules[i].rule->rule->effect_span.file;
		size_t end = i, nguards = 0;
		while (end < cov->nrules && cov->rules[end].rule->rule->effect_span.file == file) {
			nguards += cov->rules[end].rule->nguards;
			end++;
		}
		buf_puts(b, "TN:\nSF:");
		buf_puts(b, file_name(cov, cov->rules[i].rule->rule->effect_span));
		buf_puts(b, "\n");
		size_t fnh = 0, brh = 0, nda = 0;
		for (size_t k = i; k < end; k++) {
			buf_printf(b, "FN:%u,", cov->rules[k].line);
			lcov_name(b, cov->rules[k].rule->id);
			buf_puts(b, "\n");
		}
		for (size_t k = i; k < end; k++) {
			buf_printf(b, "FNDA:%zu,", cov->rules[k].fired.n);
			lcov_name(b, cov->rules[k].rule->id);
			buf_puts(b, "\n");
			fnh += cov->rules[k].fired.n > 0;
		}
		buf_printf(b, "FNF:%zu\nFNH:%zu\n", end - i, fnh);
		struct da *da = arena_calloc(&cov->c->arena, nguards ? nguards : 1, sizeof *da);
		for (size_t k = i; k < end; k++) {
			const struct cov_rule *cr = &cov->rules[k];
			for (size_t g = 0; g < cr->rule->nguards; g++) {
				const struct cov_guard *cg = &cr->guards[g];
				buf_printf(b, "BRDA:%u,%zu,%zu,%zu\n", cg->line, k - i, g, cg->tests.n);
				brh += cg->tests.n > 0;
				da[nda++] = (struct da){ cg->line, cg->tests.n };
			}
		}
		buf_printf(b, "BRF:%zu\nBRH:%zu\n", nguards, brh);
		qsort(da, nda, sizeof *da, da_cmp);
		size_t lf = 0, lh = 0;
		for (size_t k = 0; k < nda;) {
			size_t sum = 0, m = k;
			bool all = true;
			for (; m < nda && da[m].line == da[k].line; m++) {
				sum += da[m].count;
				all &= da[m].count > 0;
			}
			/* A line is hit only when every guard on it is covered. */
			buf_printf(b, "DA:%u,%zu\n", da[k].line, all ? sum : 0);
			lf++;
			lh += all;
			k = m;
		}
		buf_printf(b, "LF:%zu\nLH:%zu\nend_of_record\n", lf, lh);
		i = end;
	}
}
