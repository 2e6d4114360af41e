/*
 * test_report.c: the reports of a test run: text, JSON and JUnit XML
 * (testrun.h).
 */
#include <string.h>

#include "config.h"
#include "testrun.h"

static const char *test_file(const struct compilation *c, const struct checked_test *t)
{
	struct src_file *f = srcset_file(&c->src, t->test->span.file);
	return f ? f->name : "?";
}

/* "allow", "deny by default", "allow by a.x, a.y" */
static void expected_text(struct rbuf *b, const struct checked_test *t)
{
	rbuf_puts(b, t->expect_allow ? "allow" : "deny");
	if (t->by == EXPECT_DEFAULT)
		rbuf_puts(b, " by default");
	for (size_t i = 0; t->by == EXPECT_RULES && i < t->nby_rules; i++) {
		rbuf_puts(b, i ? ", " : " by ");
		rbuf_puts(b, t->by_rules[i]->id);
	}
}

static void actual_text(struct rbuf *b, const struct testrun_result *r)
{
	rbuf_puts(b, r->allowed ? "allow" : "deny");
	if (!r->nrules)
		rbuf_puts(b, r->allowed ? "" : " by default");
	for (size_t i = 0; i < r->nrules; i++) {
		rbuf_puts(b, i ? ", " : " by ");
		rbuf_puts(b, r->rules[i]);
	}
}

/* The explanation of a failing test's decision, lines indented by 12. */
static void explain(struct rbuf *b, const struct testrun_result *r)
{
	const char *lead = "  because   ";
	const char *next = "            ";
	if (!r->ntrace && !r->nerrors) {
		rbuf_printf(b, "%sno rule's scope matched the request\n", lead);
		return;
	}
	for (size_t i = 0; i < r->ntrace; i++, lead = next) {
		const authz_trace *tr = &r->trace[i];
		rbuf_printf(b, "%s%s ", lead, tr->rule ? tr->rule : "?");
		if (tr->outcome == AUTHZ_APPLIED) {
			rbuf_puts(b, "applied\n");
		} else if (tr->outcome == AUTHZ_RULE_ERROR) {
			rbuf_puts(b, "failed with an error\n");
		} else if (tr->guard < 0) {
			rbuf_puts(b, "did not apply: it has expired\n");
		} else {
			rbuf_puts(b, "did not apply: held back by ");
			if (tr->file)
				rbuf_printf(b, "%s:%u:%u: ", tr->file, tr->line, tr->col);
			else
				rbuf_printf(b, "guard %d", tr->guard);
			if (tr->text)
				rbuf_squeeze(b, tr->text, strlen(tr->text));
			rbuf_puts(b, "\n");
		}
	}
	for (size_t i = 0; i < r->nerrors; i++, lead = next) {
		const struct testrun_error *e = &r->errors[i];
		if (e->kind == AUTHZ_ERR_REQUEST)
			rbuf_printf(b, "%srequest error: ", lead);
		else
			rbuf_printf(b, "%serror in %s: ", lead, e->rule ? e->rule : "?");
		rbuf_squeeze(b, e->message, strlen(e->message));
		rbuf_puts(b, "\n");
	}
}

/* The full text report of one failing test. */
static void failure_text(struct compilation *c, const struct testrun_result *r, struct rbuf *b)
{
	const struct checked_test *t = r->test;
	const char *file;
	uint32_t line;
	coverage_test_where(c, t, &file, &line);
	rbuf_printf(b, "FAIL %s:%u: '%s'\n", file, line, text_show(&c->arena, t->name, t->name_len, 200));
	rbuf_puts(b, "  expected  ");
	expected_text(b, t);
	rbuf_puts(b, "\n  actual    ");
	actual_text(b, r);
	rbuf_puts(b, "\n");
	explain(b, r);
}

void testrun_text(struct compilation *c, const struct testrun *run,
		  const struct coverage *cov, struct rbuf *b)
{
	for (size_t i = 0; i < run->n; i++) {
		if (run->results[i].passed)
			continue;
		failure_text(c, &run->results[i], b);
		rbuf_puts(b, "\n");
	}
	if (cov) {
		coverage_text(cov, b);
		rbuf_puts(b, "\n");
	}
	rbuf_printf(b, "%zu passed, %zu failed\n", run->passed, run->failed);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_cstr(struct rbuf *b, const char *s)
{
	if (s)
		rbuf_json_str(b, s, strlen(s));
	else
		rbuf_puts(b, "null");
}

static void json_trace(struct rbuf *b, const struct testrun_result *r)
{
	static const char *outcome[] = { "applied", "not-applied", "error" };
	rbuf_puts(b, ",\"trace\":[");
	for (size_t i = 0; i < r->ntrace; i++) {
		const authz_trace *tr = &r->trace[i];
		rbuf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
		json_cstr(b, tr->rule);
		rbuf_printf(b, ",\"outcome\":\"%s\"",
			    tr->outcome >= 0 && tr->outcome <= 2 ? outcome[tr->outcome] : "?");
		if (tr->outcome == AUTHZ_NOT_APPLIED && tr->guard < 0) {
			rbuf_puts(b, ",\"expired\":true");
		} else if (tr->outcome == AUTHZ_NOT_APPLIED) {
			rbuf_printf(b, ",\"guard\":{\"index\":%d,\"file\":", tr->guard);
			json_cstr(b, tr->file);
			rbuf_printf(b, ",\"line\":%u,\"col\":%u,\"text\":", tr->line, tr->col);
			json_cstr(b, tr->text);
			rbuf_puts(b, "}");
		}
		rbuf_puts(b, "}");
	}
	rbuf_puts(b, "],\"errors\":[");
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct testrun_error *e = &r->errors[i];
		rbuf_printf(b, "%s{\"kind\":\"%s\"", i ? "," : "",
			    e->kind == AUTHZ_ERR_REQUEST ? "request" : "rule");
		if (e->rule) {
			rbuf_puts(b, ",\"rule\":");
			json_cstr(b, e->rule);
		}
		rbuf_puts(b, ",\"message\":");
		json_cstr(b, e->message);
		rbuf_puts(b, "}");
	}
	rbuf_puts(b, "]");
}

void testrun_json(struct compilation *c, const struct testrun *run,
		  const struct coverage *cov, struct rbuf *b)
{
	rbuf_puts(b, "{\"tests\":[");
	for (size_t i = 0; i < run->n; i++) {
		const struct testrun_result *r = &run->results[i];
		const struct checked_test *t = r->test;
		const char *file;
		uint32_t line;
		coverage_test_where(c, t, &file, &line);
		rbuf_puts(b, i ? ",\n{\"name\":" : "\n{\"name\":");
		rbuf_json_str(b, t->name, t->name_len);
		rbuf_puts(b, ",\"file\":");
		json_cstr(b, file);
		rbuf_printf(b, ",\"line\":%u,\"package\":", line);
		json_cstr(b, t->package);
		rbuf_printf(b, ",\"passed\":%s,\"expected\":{\"decision\":\"%s\",\"by\":",
			    r->passed ? "true" : "false", t->expect_allow ? "allow" : "deny");
		if (t->by == EXPECT_ANY) {
			rbuf_puts(b, "null");
		} else if (t->by == EXPECT_DEFAULT) {
			rbuf_puts(b, "\"default\"");
		} else {
			rbuf_puts(b, "[");
			for (size_t k = 0; k < t->nby_rules; k++) {
				rbuf_puts(b, k ? "," : "");
				json_cstr(b, t->by_rules[k]->id);
			}
			rbuf_puts(b, "]");
		}
		rbuf_printf(b, "},\"actual\":{\"decision\":\"%s\",\"rules\":[", r->allowed ? "allow" : "deny");
		for (size_t k = 0; k < r->nrules; k++) {
			rbuf_puts(b, k ? "," : "");
			json_cstr(b, r->rules[k]);
		}
		rbuf_puts(b, "]}");
		if (!r->passed)
			json_trace(b, r);
		rbuf_puts(b, "}");
	}
	rbuf_printf(b, "\n],\"passed\":%zu,\"failed\":%zu", run->passed, run->failed);
	if (cov) {
		rbuf_puts(b, ",\"coverage\":");
		coverage_json(cov, b);
	}
	rbuf_puts(b, "}\n");
}

/* ---- JUnit XML ------------------------------------------------------------- */

static void xml_cstr(struct rbuf *b, const char *s)
{
	rbuf_xml_str(b, s, strlen(s));
}

/* The classname of a test: its file's package, else its file's path
 * without ".authz" and with dots for slashes (JUnit's convention). */
static void classname(struct rbuf *b, const struct compilation *c, const struct checked_test *t)
{
	if (t->package) {
		xml_cstr(b, t->package);
		return;
	}
	const char *f = test_file(c, t);
	size_t n = strlen(f);
	if (n > 6 && !strcmp(f + n - 6, ".authz"))
		n -= 6;
	struct rbuf name = { 0 };
	for (size_t i = 0; i < n; i++)
		rbuf_put(&name, f[i] == '/' ? "." : f + i, 1);
	rbuf_xml_str(b, name.p ? name.p : "", name.n);
	b->oom |= name.oom;
	rbuf_free(&name);
}

static void junit_case(struct compilation *c, const struct testrun_result *r, struct rbuf *b)
{
	const struct checked_test *t = r->test;
	const char *file;
	uint32_t line;
	coverage_test_where(c, t, &file, &line);
	rbuf_puts(b, "    <testcase classname=\"");
	classname(b, c, t);
	rbuf_puts(b, "\" name=\"");
	rbuf_xml_str(b, t->name, t->name_len);
	rbuf_puts(b, "\" file=\"");
	xml_cstr(b, file);
	rbuf_printf(b, "\" line=\"%u\" time=\"%.6f\"", line, r->seconds);
	if (r->passed) {
		rbuf_puts(b, "/>\n");
		return;
	}
	struct rbuf m = { 0 };
	rbuf_puts(&m, "expected ");
	expected_text(&m, t);
	rbuf_puts(&m, ", got ");
	actual_text(&m, r);
	rbuf_puts(b, ">\n      <failure message=\"");
	rbuf_xml_str(b, m.p ? m.p : "", m.n);
	rbuf_puts(b, "\" type=\"wrong decision\">");
	m.n = 0;
	failure_text(c, r, &m);
	rbuf_xml_str(b, m.p ? m.p : "", m.n);
	b->oom |= m.oom;
	rbuf_free(&m);
	rbuf_puts(b, "</failure>\n    </testcase>\n");
}

void testrun_junit(struct compilation *c, const struct testrun *run, struct rbuf *b)
{
	rbuf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"authzc test\" tests=\"%zu\" failures=\"%zu\" errors=\"0\""
		    " skipped=\"0\" time=\"%.6f\">\n", run->n, run->failed, run->seconds);
	size_t i = 0;
	while (i < run->n) {
		uint32_t file = run->results[i].test->test->span.file;
		size_t end = i, failed = 0;
		double secs = 0;
		for (; end < run->n && run->results[end].test->test->span.file == file; end++) {
			failed += !run->results[end].passed;
			secs += run->results[end].seconds;
		}
		rbuf_puts(b, "  <testsuite name=\"");
		xml_cstr(b, test_file(c, run->results[i].test));
		rbuf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.6f\">\n",
			    end - i, failed, secs);
		for (; i < end; i++)
			junit_case(c, &run->results[i], b);
		rbuf_puts(b, "  </testsuite>\n");
	}
	rbuf_puts(b, "</testsuites>\n");
}
