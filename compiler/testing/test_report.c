/*
 * test_report.c: the reports of a test run: text, JSON and JUnit XML
 * (testrun.h).
 */
#include <string.h>

#include "json.h"
#include "testrun.h"
#include "text.h"

static const char *test_file(const struct compilation *c, const struct checked_test *t)
{
	struct src_file *f = srcset_file(&c->src, t->test->span.file);
	return f ? f->name : "?";
}

/* "allow", "deny by default", "allow by a.x, a.y" */
static void expected_text(struct buf *b, const struct checked_test *t)
{
	buf_puts(b, t->expect_allow ? "allow" : "deny");
	if (t->by == EXPECT_DEFAULT)
		buf_puts(b, " by default");
	for (size_t i = 0; t->by == EXPECT_RULES && i < t->nby_rules; i++) {
		buf_puts(b, i ? ", " : " by ");
		buf_puts(b, t->by_rules[i]->id);
	}
}

static void actual_text(struct buf *b, const struct testrun_result *r)
{
	buf_puts(b, r->allowed ? "allow" : "deny");
	if (!r->nrules)
		buf_puts(b, r->allowed ? "" : " by default");
	for (size_t i = 0; i < r->nrules; i++) {
		buf_puts(b, i ? ", " : " by ");
		buf_puts(b, r->rules[i]);
	}
}

/* "FILE:LINE:COL: TEXT" of the guard of a trace entry, or "guard N". */
static void guard_text(struct buf *b, const authz_trace *tr)
{
	if (tr->file)
		buf_printf(b, "%s:%u:%u: ", tr->file, tr->line, tr->col);
	else
		buf_printf(b, "guard %d", tr->guard);
	if (tr->text)
		report_squeeze(b, tr->text, strlen(tr->text));
}

/* "              where principal.tenant = "globex", context.ticket is absent"
 * (nothing when the guard read no request value). */
static void where_line(struct buf *b, const struct testrun_operands *ops, const char *lead)
{
	for (size_t k = 0; ops && k < ops->n; k++) {
		buf_printf(b, "%s%s", k ? ", " : lead, ops->v[k].name);
		if (ops->v[k].value)
			buf_printf(b, " = %s", ops->v[k].value);
		else
			buf_puts(b, " is absent");
	}
	if (ops && ops->n)
		buf_puts(b, "\n");
}

/* The explanation of a failing test's decision, lines indented by 12. */
static void explain(struct buf *b, const struct testrun_result *r)
{
	const char *lead = "  because   ";
	const char *next = "            ";
	if (!r->ntrace && !r->nerrors) {
		buf_printf(b, "%sno rule's scope matched the request\n", lead);
		return;
	}
	for (size_t i = 0; i < r->ntrace; i++, lead = next) {
		const authz_trace *tr = &r->trace[i];
		buf_printf(b, "%s%s ", lead, tr->rule ? tr->rule : "?");
		if (tr->outcome == AUTHZ_APPLIED) {
			buf_puts(b, "applied\n");
		} else if (tr->outcome == AUTHZ_RULE_ERROR && tr->guard < 0) {
			buf_puts(b, "failed with an error\n");
		} else if (tr->outcome == AUTHZ_NOT_APPLIED && tr->guard < 0) {
			buf_puts(b, "did not apply: it has expired\n");
		} else {
			buf_puts(b, tr->outcome == AUTHZ_RULE_ERROR ? "failed with an error in "
				    : "did not apply: held back by ");
			guard_text(b, tr);
			buf_puts(b, "\n");
			where_line(b, r->operands ? &r->operands[i] : NULL, "              where ");
		}
	}
	for (size_t i = 0; i < r->nerrors; i++, lead = next) {
		const struct testrun_error *e = &r->errors[i];
		if (e->kind == AUTHZ_ERR_REQUEST)
			buf_printf(b, "%srequest error: ", lead);
		else
			buf_printf(b, "%serror in %s: ", lead, e->rule ? e->rule : "?");
		report_squeeze(b, e->message, strlen(e->message));
		buf_puts(b, "\n");
	}
}

/* The full text report of one failing test. */
static void failure_text(struct compilation *c, const struct testrun_result *r, struct buf *b)
{
	const struct checked_test *t = r->test;
	const char *file;
	uint32_t line;
	coverage_test_where(c, t, &file, &line);
	buf_printf(b, "FAIL %s:%u: '%s'\n", file, line, text_show(&c->arena, t->name, t->name_len, 200));
	buf_puts(b, "  expected  ");
	expected_text(b, t);
	buf_puts(b, "\n  actual    ");
	actual_text(b, r);
	buf_puts(b, "\n");
	explain(b, r);
}

/* ---- assertions ---------------------------------------------------------------- */

static void assert_where(const struct compilation *c, const struct checked_assert *a, const char **file,
			 uint32_t *line)
{
	struct src_file *f = srcset_file(&c->src, a->decl->name_span.file);
	uint32_t col = 0;
	*file = f ? f->name : "?";
	*line = 0;
	if (f)
		src_line_col(f, a->decl->name_span.start, line, &col);
}

static const char *verdict_name(enum testrun_verdict v)
{
	return v == TA_PROVED ? "proved" : v == TA_VIOLATED ? "violated" : "unknown";
}

/* "allowed by a.x, a.y", "denied by default" */
static void decided_text(struct buf *b, const struct testrun_assert *r)
{
	buf_puts(b, r->allowed ? "allowed" : "denied");
	if (!r->nrules)
		buf_puts(b, r->allowed ? "" : " by default");
	for (size_t i = 0; i < r->nrules; i++) {
		buf_puts(b, i ? ", " : " by ");
		buf_puts(b, r->rules[i]);
	}
}

/* The full text report of an assertion not proved. */
static void assert_failure_text(struct compilation *c, const struct testrun_assert *r, struct buf *b)
{
	const char *file;
	uint32_t line;
	assert_where(c, r->a, &file, &line);
	buf_printf(b, "FAIL %s:%u: assert '%s' (%s)\n", file, line,
		   text_show(&c->arena, r->a->name, r->a->name_len, 200), ast_verdict_str(r->a->decl->verdict));
	if (r->verdict == TA_UNKNOWN) {
		buf_puts(b, "  unknown   ");
		report_squeeze(b, r->reason, strlen(r->reason));
		buf_puts(b, "\n  not proved: an assertion the solver cannot decide fails\n");
		return;
	}
	buf_printf(b, "  violated  a request of %s %s %s that meets the assertion is ", r->principal_type,
		   r->action, r->resource_type);
	decided_text(b, r);
	buf_puts(b, "\n  request   ");
	buf_puts(b, r->witness);
	buf_puts(b, "\n  the counterexample as a test (it fails until the policies are fixed):\n");
	for (const char *p = r->test_src; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_puts(b, "    ");
		buf_put(b, p, n);
		buf_puts(b, "\n");
		p += n + (nl != NULL);
	}
}

void testrun_text(struct compilation *c, const struct testrun *run,
		  const struct coverage *cov, struct buf *b)
{
	for (size_t i = 0; i < run->n; i++) {
		if (run->results[i].passed)
			continue;
		failure_text(c, &run->results[i], b);
		buf_puts(b, "\n");
	}
	for (size_t i = 0; i < run->nasserts; i++) {
		if (run->asserts[i].verdict == TA_PROVED)
			continue;
		assert_failure_text(c, &run->asserts[i], b);
		buf_puts(b, "\n");
	}
	if (cov) {
		coverage_text(cov, b);
		buf_puts(b, "\n");
	}
	if (!c->checked->ntests && !c->checked->nasserts)
		buf_puts(b, "no tests\n");
	else
		buf_printf(b, "%zu passed, %zu failed\n", run->passed, run->failed);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_cstr(struct buf *b, const char *s)
{
	if (s)
		json_put_str(b, s, strlen(s));
	else
		buf_puts(b, "null");
}

static void json_trace(struct buf *b, const struct testrun_result *r)
{
	static const char *outcome[] = { "applied", "not-applied", "error" };
	buf_puts(b, ",\"trace\":[");
	for (size_t i = 0; i < r->ntrace; i++) {
		const authz_trace *tr = &r->trace[i];
		buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
		json_cstr(b, tr->rule);
		buf_printf(b, ",\"outcome\":\"%s\"",
			    tr->outcome >= 0 && tr->outcome <= 2 ? outcome[tr->outcome] : "?");
		if (tr->outcome == AUTHZ_NOT_APPLIED && tr->guard < 0) {
			buf_puts(b, ",\"expired\":true");
		} else if (tr->guard >= 0) {
			buf_printf(b, ",\"guard\":{\"index\":%d,\"file\":", tr->guard);
			json_cstr(b, tr->file);
			buf_printf(b, ",\"line\":%u,\"col\":%u,\"text\":", tr->line, tr->col);
			json_cstr(b, tr->text);
			buf_puts(b, ",\"operands\":[");
			const struct testrun_operands *ops = r->operands ? &r->operands[i] : NULL;
			for (size_t k = 0; ops && k < ops->n; k++) {
				buf_puts(b, k ? ",{\"name\":" : "{\"name\":");
				json_cstr(b, ops->v[k].name);
				if (ops->v[k].value) {
					buf_puts(b, ",\"value\":");
					json_cstr(b, ops->v[k].value);
				} else {
					buf_puts(b, ",\"absent\":true");
				}
				buf_puts(b, "}");
			}
			buf_puts(b, "]}");
		}
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"errors\":[");
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct testrun_error *e = &r->errors[i];
		buf_printf(b, "%s{\"kind\":\"%s\"", i ? "," : "",
			    e->kind == AUTHZ_ERR_REQUEST ? "request" : "rule");
		if (e->rule) {
			buf_puts(b, ",\"rule\":");
			json_cstr(b, e->rule);
		}
		buf_puts(b, ",\"message\":");
		json_cstr(b, e->message);
		buf_puts(b, "}");
	}
	buf_puts(b, "]");
}

void testrun_json(struct compilation *c, const struct testrun *run,
		  const struct coverage *cov, struct buf *b)
{
	buf_puts(b, "{\"tests\":[");
	for (size_t i = 0; i < run->n; i++) {
		const struct testrun_result *r = &run->results[i];
		const struct checked_test *t = r->test;
		const char *file;
		uint32_t line;
		coverage_test_where(c, t, &file, &line);
		buf_puts(b, i ? ",\n{\"name\":" : "\n{\"name\":");
		json_put_str(b, t->name, t->name_len);
		buf_puts(b, ",\"file\":");
		json_cstr(b, file);
		buf_printf(b, ",\"line\":%u,\"package\":", line);
		json_cstr(b, t->package);
		buf_printf(b, ",\"passed\":%s,\"expected\":{\"decision\":\"%s\",\"by\":",
			    r->passed ? "true" : "false", t->expect_allow ? "allow" : "deny");
		if (t->by == EXPECT_ANY) {
			buf_puts(b, "null");
		} else if (t->by == EXPECT_DEFAULT) {
			buf_puts(b, "\"default\"");
		} else {
			buf_puts(b, "[");
			for (size_t k = 0; k < t->nby_rules; k++) {
				buf_puts(b, k ? "," : "");
				json_cstr(b, t->by_rules[k]->id);
			}
			buf_puts(b, "]");
		}
		buf_printf(b, "},\"actual\":{\"decision\":\"%s\",\"rules\":[", r->allowed ? "allow" : "deny");
		for (size_t k = 0; k < r->nrules; k++) {
			buf_puts(b, k ? "," : "");
			json_cstr(b, r->rules[k]);
		}
		buf_puts(b, "]}");
		if (!r->passed)
			json_trace(b, r);
		buf_puts(b, "}");
	}
	buf_puts(b, "\n],\"assertions\":[");
	for (size_t i = 0; i < run->nasserts; i++) {
		const struct testrun_assert *r = &run->asserts[i];
		const char *file;
		uint32_t line;
		assert_where(c, r->a, &file, &line);
		buf_puts(b, i ? ",\n{\"name\":" : "\n{\"name\":");
		json_put_str(b, r->a->name, r->a->name_len);
		buf_puts(b, ",\"file\":");
		json_cstr(b, file);
		buf_printf(b, ",\"line\":%u,\"package\":", line);
		json_cstr(b, r->a->package);
		buf_printf(b, ",\"property\":\"%s\",\"passed\":%s,\"verdict\":\"%s\",\"triples\":%zu,\"reason\":",
			   ast_verdict_str(r->a->decl->verdict), r->verdict == TA_PROVED ? "true" : "false",
			   verdict_name(r->verdict), r->ntriples);
		json_cstr(b, r->verdict == TA_UNKNOWN ? r->reason : NULL);
		buf_puts(b, ",\"counterexample\":");
		if (r->verdict != TA_VIOLATED) {
			buf_puts(b, "null}");
			continue;
		}
		buf_puts(b, "{\"principal_type\":");
		json_cstr(b, r->principal_type);
		buf_puts(b, ",\"action\":");
		json_cstr(b, r->action);
		buf_puts(b, ",\"resource_type\":");
		json_cstr(b, r->resource_type);
		buf_puts(b, ",\"request\":");
		buf_puts(b, r->witness);        /* JSON already (authzc-eval(1)) */
		buf_printf(b, ",\"decision\":\"%s\",\"rules\":[", r->allowed ? "allow" : "deny");
		for (size_t k = 0; k < r->nrules; k++) {
			buf_puts(b, k ? "," : "");
			json_cstr(b, r->rules[k]);
		}
		buf_puts(b, "],\"test\":");
		json_cstr(b, r->test_src);
		buf_puts(b, "}}");
	}
	buf_printf(b, "\n],\"passed\":%zu,\"failed\":%zu", run->passed, run->failed);
	if (cov) {
		buf_puts(b, ",\"coverage\":");
		coverage_json(cov, b);
	}
	buf_puts(b, "}\n");
}

/* ---- JUnit XML ------------------------------------------------------------- */

static void xml_cstr(struct buf *b, const char *s)
{
	report_xml_str(b, s, strlen(s));
}

/* The classname of a test: its file's package, else its file's path
 * without ".authz" and with dots for slashes (JUnit's convention). */
static void classname(struct buf *b, const struct compilation *c, const struct checked_test *t)
{
	if (t->package) {
		xml_cstr(b, t->package);
		return;
	}
	const char *f = test_file(c, t);
	size_t n = strlen(f);
	if (n > 6 && !strcmp(f + n - 6, ".authz"))
		n -= 6;
	struct buf name = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_put(&name, f[i] == '/' ? "." : f + i, 1);
	report_xml_str(b, buf_cstr(&name), name.n);
	b->oom |= name.oom;
	buf_release(&name);
}

static void junit_case(struct compilation *c, const struct testrun_result *r, struct buf *b)
{
	const struct checked_test *t = r->test;
	const char *file;
	uint32_t line;
	coverage_test_where(c, t, &file, &line);
	buf_puts(b, "    <testcase classname=\"");
	classname(b, c, t);
	buf_puts(b, "\" name=\"");
	report_xml_str(b, t->name, t->name_len);
	buf_puts(b, "\" file=\"");
	xml_cstr(b, file);
	buf_printf(b, "\" line=\"%u\" time=\"%.6f\"", line, r->seconds);
	if (r->passed) {
		buf_puts(b, "/>\n");
		return;
	}
	struct buf m = BUF_INIT;
	buf_puts(&m, "expected ");
	expected_text(&m, t);
	buf_puts(&m, ", got ");
	actual_text(&m, r);
	buf_puts(b, ">\n      <failure message=\"");
	report_xml_str(b, buf_cstr(&m), m.n);
	buf_puts(b, "\" type=\"wrong decision\">");
	m.n = 0;
	failure_text(c, r, &m);
	report_xml_str(b, buf_cstr(&m), m.n);
	b->oom |= m.oom;
	buf_release(&m);
	buf_puts(b, "</failure>\n    </testcase>\n");
}

/* The classname of an assertion: as a test's. */
static void assert_classname(struct buf *b, const struct compilation *c, const struct checked_assert *a)
{
	struct checked_test t = { .package = a->package };
	struct ast_test at = { .span = a->decl->span };
	t.test = &at;
	classname(b, c, &t);
}

static void junit_assert(struct compilation *c, const struct testrun_assert *r, struct buf *b)
{
	const char *file;
	uint32_t line;
	assert_where(c, r->a, &file, &line);
	buf_puts(b, "    <testcase classname=\"");
	assert_classname(b, c, r->a);
	buf_puts(b, "\" name=\"assert ");
	report_xml_str(b, r->a->name, r->a->name_len);
	buf_puts(b, "\" file=\"");
	xml_cstr(b, file);
	buf_printf(b, "\" line=\"%u\" time=\"%.6f\"", line, r->seconds);
	if (r->verdict == TA_PROVED) {
		buf_puts(b, "/>\n");
		return;
	}
	struct buf m = BUF_INIT;
	if (r->verdict == TA_VIOLATED) {
		buf_printf(&m, "%s violated: a request of %s %s %s is ", ast_verdict_str(r->a->decl->verdict),
			   r->principal_type, r->action, r->resource_type);
		decided_text(&m, r);
	} else {
		buf_puts(&m, "not proved: ");
		report_squeeze(&m, r->reason, strlen(r->reason));
	}
	buf_puts(b, ">\n      <failure message=\"");
	report_xml_str(b, buf_cstr(&m), m.n);
	buf_printf(b, "\" type=\"%s\">", r->verdict == TA_VIOLATED ? "assertion violated" : "assertion unknown");
	m.n = 0;
	assert_failure_text(c, r, &m);
	report_xml_str(b, buf_cstr(&m), m.n);
	b->oom |= m.oom;
	buf_release(&m);
	buf_puts(b, "</failure>\n    </testcase>\n");
}

/* A gate as a test suite of one test case (testrun.h). */
static void junit_gate(const struct testrun_gate *g, struct buf *b)
{
	buf_puts(b, "  <testsuite name=\"");
	xml_cstr(b, g->suite);
	buf_printf(b, "\" tests=\"1\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"0.000000\">\n"
		    "    <testcase classname=\"", g->failure != NULL);
	xml_cstr(b, g->suite);
	buf_puts(b, "\" name=\"");
	xml_cstr(b, g->name);
	buf_puts(b, "\" time=\"0.000000\"");
	if (!g->failure) {
		buf_puts(b, "/>\n  </testsuite>\n");
		return;
	}
	buf_puts(b, ">\n      <failure message=\"");
	xml_cstr(b, g->failure);
	buf_puts(b, "\" type=\"gate\">");
	xml_cstr(b, g->detail ? g->detail : g->failure);
	buf_puts(b, "</failure>\n    </testcase>\n  </testsuite>\n");
}

void testrun_junit(struct compilation *c, const struct testrun *run,
		   const struct testrun_gate *gates, size_t ngates, struct buf *b)
{
	size_t gates_failed = 0;
	for (size_t k = 0; k < ngates; k++)
		gates_failed += gates[k].failure != NULL;
	buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"authzc test\" tests=\"%zu\" failures=\"%zu\" errors=\"0\""
		    " skipped=\"0\" time=\"%.6f\">\n", run->n + run->nasserts + ngates, run->failed + gates_failed,
		    run->seconds);
	size_t i = 0;
	while (i < run->n) {
		uint32_t file = run->results[i].test->test->span.file;
		size_t end = i, failed = 0;
		double secs = 0;
		for (; end < run->n && run->results[end].test->test->span.file == file; end++) {
			failed += !run->results[end].passed;
			secs += run->results[end].seconds;
		}
		buf_puts(b, "  <testsuite name=\"");
		xml_cstr(b, test_file(c, run->results[i].test));
		buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.6f\">\n",
			    end - i, failed, secs);
		for (; i < end; i++)
			junit_case(c, &run->results[i], b);
		buf_puts(b, "  </testsuite>\n");
	}
	/* the assertions, one suite per test file */
	for (i = 0; i < run->nasserts;) {
		uint32_t file = run->asserts[i].a->decl->span.file;
		size_t end = i, failed = 0;
		double secs = 0;
		for (; end < run->nasserts && run->asserts[end].a->decl->span.file == file; end++) {
			failed += run->asserts[end].verdict != TA_PROVED;
			secs += run->asserts[end].seconds;
		}
		const char *fname;
		uint32_t line;
		assert_where(c, run->asserts[i].a, &fname, &line);
		buf_puts(b, "  <testsuite name=\"");
		xml_cstr(b, fname);
		buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.6f\">\n",
			    end - i, failed, secs);
		for (; i < end; i++)
			junit_assert(c, &run->asserts[i], b);
		buf_puts(b, "  </testsuite>\n");
	}
	for (size_t k = 0; k < ngates; k++)
		junit_gate(&gates[k], b);
	buf_puts(b, "</testsuites>\n");
}
