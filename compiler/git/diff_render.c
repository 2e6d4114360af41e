/*
 * diff_render.c: print a diff report (diff.h) as text, markdown or JSON.
 *
 * All three start with the summary and the changes to authzc.json (its
 * gates and environments decide what reaches production, so they are as
 * prominent as a loosened decision).  Changed tests come weakened first,
 * flagged as a loosened decision is.  Changed decisions come loosened first
 * (what a reviewer must look at), then tightened, then those decided by
 * other rules, each group in the order the requests were read.  The
 * markdown is meant to be posted as a pull-request comment as it is.
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"

static const char *change_str(enum diff_change c)
{
	switch (c) {
	case DIFF_ADDED: return "added";
	case DIFF_REMOVED: return "removed";
	case DIFF_CHANGED: return "changed";
	}
	return "";
}

static const char *impact_str(enum diff_impact i)
{
	switch (i) {
	case IMPACT_LOOSENED: return "loosened";
	case IMPACT_TIGHTENED: return "tightened";
	case IMPACT_RULES: return "rules";
	}
	return "";
}

static const char *verdict(bool allow)
{
	return allow ? "allow" : "deny";
}

struct counts {
	size_t rules[3], consts[3], tests[3], asserts[3];
	size_t asserts_weakened;        /* removed: a guarantee dropped */
};

static struct counts count_items(const struct diff_report *r)
{
	struct counts c = { { 0 }, { 0 }, { 0 }, { 0 }, 0 };
	for (size_t i = 0; i < r->nitems; i++) {
		if (!strcmp(r->items[i].what, "rule"))
			c.rules[r->items[i].change]++;
		else
			c.consts[r->items[i].change]++;
	}
	for (size_t i = 0; i < r->ntest_changes; i++)
		c.tests[r->test_changes[i].change]++;
	for (size_t i = 0; i < r->nassert_changes; i++) {
		c.asserts[r->assert_changes[i].change]++;
		c.asserts_weakened += r->assert_changes[i].weakened;
	}
	return c;
}

/* A changed test's verdict: "weakened", "strengthened", or its change. */
static const char *test_verdict(const struct diff_test *t)
{
	switch (t->strength) {
	case STRENGTH_WEAKENED: return "weakened";
	case STRENGTH_STRENGTHENED: return "strengthened";
	case STRENGTH_SAME: break;
	}
	return change_str(t->change);
}

/* What happened to a test, in words: "request changed", "removed, it
 * expected deny", "expectation changed, deny -> allow"; "" for a test
 * added or removed and no more (its verdict says it). */
static const char *test_what(struct arena *a, const struct diff_test *t)
{
	if (t->change != DIFF_CHANGED)
		return t->why ? t->why : "";
	char *s = t->old_file ? arena_printf(a, "moved from %s", t->old_file) : arena_strdup(a, "");
	if (t->parts)
		s = arena_printf(a, "%s%s%s changed", s, *s ? ", " : "",
				 !strcmp(t->parts, "request, expectation") ? "request and expectation"
				 : t->parts);
	return t->why ? arena_printf(a, "%s, %s", s, t->why) : s;
}

/* A request change as "principal.tenant: \"acme\" -> \"globex\"". */
static const char *key_text(struct arena *a, const struct diff_config *k)
{
	if (k->change == DIFF_CHANGED)
		return arena_printf(a, "%s: %s -> %s", k->key, k->old, k->new);
	return arena_printf(a, "%s: %s", k->key, k->old ? k->old : k->new);
}

/* The changed decisions, loosened first, then tightened, then the rest. */
static const struct diff_decision **ordered(const struct diff_report *r)
{
	const struct diff_decision **v = arena_calloc(r->a, r->ndecisions + 1, sizeof(*v));
	size_t n = 0;
	for (int pass = IMPACT_LOOSENED; pass <= IMPACT_RULES; pass++)
		for (size_t i = 0; i < r->ndecisions; i++)
			if ((int)r->decisions[i].impact == pass)
				v[n++] = &r->decisions[i];
	return v;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "a, b" of the rules responsible, marked by side: "+a" decides now only,
 * "-b" decided before only.  `code` wraps each in backticks. */
static const char *responsible_str(struct arena *a, const struct diff_decision *d, bool code)
{
	char *s = arena_strdup(a, "");
	for (size_t i = 0; i < d->nresponsible; i++) {
		bool now = false;
		for (size_t k = 0; k < d->nnew_rules && !now; k++)
			now = !strcmp(d->new_rules[k], d->responsible[i]);
		s = arena_printf(a, "%s%s%s%c%s%s", s, i ? ", " : "", code ? "`" : "", now ? '+' : '-',
				 d->responsible[i], code ? "`" : "");
	}
	return *s ? s : "(none)";
}

/* ---- text ---------------------------------------------------------------- */

static char sign(enum diff_change c)
{
	return c == DIFF_ADDED ? '+' : c == DIFF_REMOVED ? '-' : '~';
}

static void text_tests(FILE *out, const struct diff_report *r)
{
	fputs("\ntests\n", out);
	for (size_t i = 0; i < r->ntest_changes; i++) {
		const struct diff_test *t = &r->test_changes[i];
		const char *what = test_what(r->a, t);
		fprintf(out, "  %-12s  %s %s%s%s\n", test_verdict(t), t->file, t->name, *what ? ": " : "",
			what);
		for (size_t k = 0; k < t->nrequest; k++)
			fprintf(out, "    %c %s\n", sign(t->request[k].change),
				key_text(r->a, &t->request[k]));
		if (t->old_expect && (!t->new_expect || strcmp(t->old_expect, t->new_expect)))
			fprintf(out, "    - %s\n", t->old_expect);
		if (t->new_expect && (!t->old_expect || strcmp(t->old_expect, t->new_expect)))
			fprintf(out, "    + %s\n", t->new_expect);
	}
}

static void text_asserts(FILE *out, const struct diff_report *r)
{
	fputs("\nassertions\n", out);
	for (size_t i = 0; i < r->nassert_changes; i++) {
		const struct diff_assert *x = &r->assert_changes[i];
		fprintf(out, "  %-12s  %s %s\n", x->weakened ? "WEAKENED" : change_str(x->change), x->file, x->name);
		if (x->old_text)
			fprintf(out, "    - %s\n", x->old_text);
		if (x->new_text)
			fprintf(out, "    + %s\n", x->new_text);
	}
}

static const char *cell(struct arena *a, const char *s);

/* ---- the behaviour section ----------------------------------------------------- */

static const char *kind_str(enum sym_kind k)
{
	switch (k) {
	case SYM_LOOSENED: return "loosened";
	case SYM_TIGHTENED: return "tightened";
	case SYM_RULES: return "rules";
	default: return "unknown";
	}
}

static const char *rules_str(struct arena *a, bool allow, const char **v, size_t n)
{
	struct buf b = BUF_ARENA(a);
	buf_printf(&b, "%s by ", verdict(allow));
	if (!n)
		buf_puts(&b, "default");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
	return b.p ? b.p : "";
}

static void behaviour_summary(FILE *out, const struct diff_report *r, const char *bold)
{
	const struct sym_diff *d = &r->sym;
	fprintf(out, "%sbehaviour%s: %zu loosened (%zu untested), %zu tightened, %zu decided by other rules, "
		"%zu unknown; every request of %zu (principal, action, resource) %s: %zu unchanged in code, "
		"%zu searched by the solver\n", bold, bold, d->nloosened, r->untested_loosened, d->ntightened,
		d->nrules, d->nunknown, d->ntriples, plural(d->ntriples, "triple", "triples"), d->nunchanged,
		d->nsolved);
}

static void text_behaviour(FILE *out, const struct diff_report *r)
{
	if (!r->sym.nclasses)
		return;
	fputs("\nbehaviour (every request, found by the solver)\n", out);
	for (size_t i = 0; i < r->sym.nclasses; i++) {
		const struct diff_class *dc = &r->classes[i];
		const struct sym_class *k = dc->k;
		fprintf(out, "  %-9s  %s %s %s", kind_str(k->kind), k->principal_type, k->action, k->resource_type);
		if (k->kind == SYM_UNKNOWN) {
			fprintf(out, ": %s\n", k->reason);
			continue;
		}
		fprintf(out, ": %s -> %s, %s\n", verdict(k->old_allow), verdict(k->new_allow),
			dc->tested_by ? arena_printf(r->a, "tested by %s", dc->tested_by) : "UNTESTED");
		fprintf(out, "    before:  %s\n", rules_str(r->a, k->old_allow, k->old_rules, k->nold_rules));
		fprintf(out, "    after:   %s\n", rules_str(r->a, k->new_allow, k->new_rules, k->nnew_rules));
		fprintf(out, "    witness: %s\n", k->witness);
		if (dc->test_block) {
			fputs("    a test for it:\n", out);
			for (const char *p = dc->test_block; *p;) {
				const char *e = strchr(p, '\n');
				size_t n = e ? (size_t)(e - p) : strlen(p);
				fprintf(out, "      %.*s\n", (int)n, p);
				p += n + (e != NULL);
			}
		}
	}
}

static void markdown_behaviour(FILE *out, const struct diff_report *r)
{
	fputs("\n#### Behaviour: every request, found by the solver\n\n", out);
	behaviour_summary(out, r, "**");
	if (!r->sym.nclasses) {
		fputs("\nNo request is decided differently: proven for every request the schemas admit.\n", out);
		return;
	}
	fputs("\n| impact | request | before | after | tested |\n| --- | --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < r->sym.nclasses; i++) {
		const struct diff_class *dc = &r->classes[i];
		const struct sym_class *k = dc->k;
		const char *what = arena_printf(r->a, "%s %s %s", k->principal_type, k->action, k->resource_type);
		if (k->kind == SYM_UNKNOWN) {
			fprintf(out, "| :grey_question: unknown | %s | %s | | no |\n", cell(r->a, what), cell(r->a, k->reason));
			continue;
		}
		fprintf(out, "| %s | %s | %s | %s | %s |\n",
			k->kind == SYM_LOOSENED ? ":warning: **loosened**" : k->kind == SYM_TIGHTENED ? "tightened"
			: "other rules", cell(r->a, what),
			cell(r->a, rules_str(r->a, k->old_allow, k->old_rules, k->nold_rules)),
			cell(r->a, rules_str(r->a, k->new_allow, k->new_rules, k->nnew_rules)),
			dc->tested_by ? cell(r->a, dc->tested_by) : k->kind == SYM_LOOSENED ? "**no**" : "no");
	}
	for (size_t i = 0; i < r->sym.nclasses; i++) {
		const struct diff_class *dc = &r->classes[i];
		if (!dc->test_block)
			continue;
		fprintf(out, "\n<details><summary>%s %s %s %s: witness and a test to add</summary>\n\n"
			"```json\n%s\n```\n\n```\n%s```\n\n</details>\n", kind_str(dc->k->kind),
			cell(r->a, dc->k->principal_type), cell(r->a, dc->k->action), cell(r->a, dc->k->resource_type),
			dc->k->witness, dc->test_block);
	}
	fputc('\n', out);
}

static void render_text(FILE *out, const struct diff_report *r)
{
	struct counts c = count_items(r);
	fprintf(out, "diff %s..%s\n", r->old_label, r->new_label);
	if (r->behaviour)
		behaviour_summary(out, r, "");
	fprintf(out, "rules: %zu added, %zu removed, %zu changed; constants: %zu added, %zu removed, "
		"%zu changed; schema: %zu %s\n",
		c.rules[DIFF_ADDED], c.rules[DIFF_REMOVED], c.rules[DIFF_CHANGED],
		c.consts[DIFF_ADDED], c.consts[DIFF_REMOVED], c.consts[DIFF_CHANGED], r->nschema,
		plural(r->nschema, "change", "changes"));
	fprintf(out, "tests: %zu added, %zu removed, %zu changed, %zu weakened\n", c.tests[DIFF_ADDED],
		c.tests[DIFF_REMOVED], c.tests[DIFF_CHANGED], r->tests_weakened);
	fprintf(out, "assertions: %zu added, %zu removed, %zu changed, %zu weakened\n", c.asserts[DIFF_ADDED],
		c.asserts[DIFF_REMOVED], c.asserts[DIFF_CHANGED], c.asserts_weakened);
	fprintf(out, "decisions: %zu %s (%zu from tests, %zu replayed), %zu loosened, %zu tightened, "
		"%zu decided by other rules\n",
		r->nrequests, plural(r->nrequests, "request", "requests"), r->ntests, r->nreplayed,
		r->loosened, r->tightened, r->rules_changed);
	if (r->nskipped)
		fprintf(out, "skipped: %zu replay %s without a JSON request\n", r->nskipped,
			plural(r->nskipped, "record", "records"));
	if (r->nconfig) {
		fprintf(out, "\nauthzc.json: %zu %s (gates, environments: review them)\n", r->nconfig,
			plural(r->nconfig, "change", "changes"));
		for (size_t i = 0; i < r->nconfig; i++) {
			const struct diff_config *k = &r->config[i];
			fprintf(out, "  %c %s: ", sign(k->change), k->key);
			if (k->change == DIFF_CHANGED)
				fprintf(out, "%s -> %s\n", k->old, k->new);
			else
				fprintf(out, "%s\n", k->old ? k->old : k->new);
		}
	}
	if (r->behaviour)
		text_behaviour(out, r);
	for (size_t i = 0; i < r->nitems; i++) {
		const struct diff_item *it = &r->items[i];
		fprintf(out, "\n%s %s %s", it->what, it->id, change_str(it->change));
		if (it->parts)
			fprintf(out, " (%s)", it->parts);
		fputc('\n', out);
		for (size_t k = 0; k < it->nlines; k++)
			fprintf(out, "  %c %s\n", it->lines[k].sign, it->lines[k].text);
	}
	if (r->nschema) {
		fputs("\nschema\n", out);
		for (size_t i = 0; i < r->nschema; i++) {
			const struct diff_schema *s = &r->schema[i];
			fprintf(out, "  %c %s", sign(s->change), s->subject);
			if (s->detail)
				fprintf(out, ": %s", s->detail);
			fputc('\n', out);
		}
	}
	if (r->ntest_changes)
		text_tests(out, r);
	if (r->nassert_changes)
		text_asserts(out, r);
	if (r->ndecisions) {
		const struct diff_decision **v = ordered(r);
		fputs("\ndecisions\n", out);
		for (size_t i = 0; i < r->ndecisions; i++)
			fprintf(out, "  %-9s  %s -> %s  %s  by %s\n", impact_str(v[i]->impact),
				verdict(v[i]->old_allow), verdict(v[i]->new_allow), v[i]->source,
				responsible_str(r->a, v[i], false));
	}
	if (r->nblame) {
		fputs("\nrules responsible\n", out);
		for (size_t i = 0; i < r->nblame; i++)
			fprintf(out, "  %s: %zu loosened, %zu tightened, %zu other\n", r->blame[i].rule,
				r->blame[i].loosened, r->blame[i].tightened, r->blame[i].rules);
	}
	if (!diff_report_changed(r))
		fputs("\nno changes\n", out);
}

/* ---- markdown ----------------------------------------------------------------- */

/* Text for a table cell or the heading: '|' and every character that could
 * start code, HTML, emphasis, strikethrough ("HEAD~2 → HEAD~1"), a link or an
 * image escaped; newlines as spaces. */
static const char *cell(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *o = arena_alloc(a, 2 * n + 1), *p = o;
	for (; *s; s++) {
		if (strchr("|\\`<*_~[]", *s))
			*p++ = '\\';
		*p++ = *s == '\n' || *s == '\r' ? ' ' : *s;
	}
	*p = 0;
	return o;
}

static void markdown_tests(FILE *out, const struct diff_report *r)
{
	fputs("\n#### Tests\n\n| impact | file | test | what | before | after |\n"
	      "| --- | --- | --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < r->ntest_changes; i++) {
		const struct diff_test *t = &r->test_changes[i];
		char *what = arena_strdup(r->a, test_what(r->a, t));
		for (size_t k = 0; k < t->nrequest; k++)
			what = arena_printf(r->a, "%s%s %c %s", what, k ? ";" : ":", sign(t->request[k].change),
					    key_text(r->a, &t->request[k]));
		fprintf(out, "| %s | %s | %s | %s | %s | %s |\n",
			t->strength == STRENGTH_WEAKENED ? ":warning: **weakened**" : test_verdict(t),
			cell(r->a, t->file), cell(r->a, t->name), cell(r->a, what),
			t->old_expect ? cell(r->a, t->old_expect) : "",
			t->new_expect ? cell(r->a, t->new_expect) : "");
	}
}

static void markdown_asserts(FILE *out, const struct diff_report *r)
{
	fputs("\n#### Assertions\n\n| change | file | assertion | before | after |\n"
	      "| --- | --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < r->nassert_changes; i++) {
		const struct diff_assert *x = &r->assert_changes[i];
		fprintf(out, "| %s | %s | %s | %s | %s |\n",
			x->weakened ? ":warning: **removed**" : change_str(x->change), cell(r->a, x->file),
			cell(r->a, x->name), x->old_text ? cell(r->a, x->old_text) : "",
			x->new_text ? cell(r->a, x->new_text) : "");
	}
}

static void render_markdown(FILE *out, const struct diff_report *r)
{
	struct counts c = count_items(r);
	fprintf(out, "### authzc diff: %s → %s\n\n", cell(r->a, r->old_label), cell(r->a, r->new_label));
	if (r->behaviour && r->sym.nloosened)
		fprintf(out, "> :warning: **%zu %s of requests newly allowed** (%zu untested): every one the "
			"solver found, with a witness request each. Review the behaviour section below.\n\n",
			r->sym.nloosened, plural(r->sym.nloosened, "class", "classes"), r->untested_loosened);
	if (r->behaviour && r->sym.nunknown)
		fprintf(out, "> :grey_question: **%zu %s not decided by the solver**: see the behaviour section; "
			"these parts of the change are not proven.\n\n", r->sym.nunknown,
			plural(r->sym.nunknown, "part", "parts"));
	if (r->loosened)
		fprintf(out, "> :warning: **%zu %s loosened**: %s denied before %s allowed now. "
			"Review %s below.\n\n", r->loosened,
			plural(r->loosened, "decision", "decisions"),
			plural(r->loosened, "a request", "requests"),
			plural(r->loosened, "is", "are"), plural(r->loosened, "it", "them"));
	if (r->tests_weakened)
		fprintf(out, "> :warning: **%zu %s weakened**: %s that protected a deny %s or "
			"now %s less. Review %s below.\n\n", r->tests_weakened,
			plural(r->tests_weakened, "test", "tests"),
			plural(r->tests_weakened, "a test", "tests"),
			plural(r->tests_weakened, "is removed", "are removed"),
			plural(r->tests_weakened, "expects", "expect"),
			plural(r->tests_weakened, "it", "them"));
	if (r->nconfig) {
		fprintf(out, "> :warning: **authzc.json changed** (%zu %s): its gates and environments "
			"decide what reaches production.\n\n"
			"| change | key | before | after |\n| --- | --- | --- | --- |\n", r->nconfig,
			plural(r->nconfig, "change", "changes"));
		for (size_t i = 0; i < r->nconfig; i++) {
			const struct diff_config *k = &r->config[i];
			fprintf(out, "| %s | %s | %s | %s |\n", change_str(k->change), cell(r->a, k->key),
				k->old ? cell(r->a, k->old) : "", k->new ? cell(r->a, k->new) : "");
		}
		fputc('\n', out);
	}
	if (!diff_report_changed(r)) {
		fputs("No changes: the rules, the schema, the tests and every decision are the same.\n", out);
		return;
	}
	if (r->behaviour)
		markdown_behaviour(out, r);
	fputs("| | added | removed | changed |\n| --- | ---: | ---: | ---: |\n", out);
	fprintf(out, "| rules | %zu | %zu | %zu |\n", c.rules[0], c.rules[1], c.rules[2]);
	fprintf(out, "| constants | %zu | %zu | %zu |\n", c.consts[0], c.consts[1], c.consts[2]);
	size_t sc[3] = { 0 };
	for (size_t i = 0; i < r->nschema; i++)
		sc[r->schema[i].change]++;
	fprintf(out, "| schema | %zu | %zu | %zu |\n", sc[0], sc[1], sc[2]);
	fprintf(out, "| tests | %zu | %zu | %zu |\n", c.tests[0], c.tests[1], c.tests[2]);
	fprintf(out, "| assertions | %zu | %zu | %zu |\n\n", c.asserts[0], c.asserts[1], c.asserts[2]);
	fprintf(out, "**Decisions**: %zu %s (%zu from tests, %zu replayed): **%zu loosened** "
		"(deny → allow), **%zu tightened** (allow → deny), %zu decided by other rules.\n",
		r->nrequests, plural(r->nrequests, "request", "requests"), r->ntests, r->nreplayed,
		r->loosened, r->tightened, r->rules_changed);
	if (r->ndecisions) {
		const struct diff_decision **v = ordered(r);
		fputs("\n#### Changed decisions\n\n"
		      "| impact | request | before | after | rules responsible |\n"
		      "| --- | --- | --- | --- | --- |\n", out);
		for (size_t i = 0; i < r->ndecisions; i++)
			fprintf(out, "| %s | %s | %s | %s | %s |\n",
				v[i]->impact == IMPACT_LOOSENED ? ":warning: **loosened**"
				: v[i]->impact == IMPACT_TIGHTENED ? "tightened" : "other rules",
				cell(r->a, v[i]->source), verdict(v[i]->old_allow), verdict(v[i]->new_allow),
				responsible_str(r->a, v[i], true));
		fputs("\n`+rule` decides now and did not before; `-rule` decided before and does not now.\n",
		      out);
	}
	if (r->ntest_changes)
		markdown_tests(out, r);
	if (r->nassert_changes)
		markdown_asserts(out, r);
	if (r->nitems) {
		fputs("\n#### Rules and constants\n", out);
		for (size_t i = 0; i < r->nitems; i++) {
			const struct diff_item *it = &r->items[i];
			fprintf(out, "\n**%s `%s`** %s", it->what, it->id, change_str(it->change));
			if (it->parts)
				fprintf(out, " (%s)", it->parts);
			fputs("\n\n```diff\n", out);
			for (size_t k = 0; k < it->nlines; k++)
				fprintf(out, "%c %s\n", it->lines[k].sign, it->lines[k].text);
			fputs("```\n", out);
		}
	}
	if (r->nschema) {
		fputs("\n#### Schema\n\n| change | what | detail |\n| --- | --- | --- |\n", out);
		for (size_t i = 0; i < r->nschema; i++)
			fprintf(out, "| %s | %s | %s |\n", change_str(r->schema[i].change),
				cell(r->a, r->schema[i].subject),
				r->schema[i].detail ? cell(r->a, r->schema[i].detail) : "");
	}
}

/* ---- JSON ----------------------------------------------------------------------- */

static cJSON *str_array(const char **v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* JSON text parsed back into a tree (a request or a decision), or a string
 * holding the text when it does not parse. */
static cJSON *embed(const char *json)
{
	cJSON *j = cJSON_Parse(json);
	return j ? j : cJSON_CreateString(json);
}

static cJSON *side_json(const char *label, const char *revision)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "label", label);
	if (*revision)
		cJSON_AddStringToObject(o, "revision", revision);
	else
		cJSON_AddNullToObject(o, "revision");
	return o;
}

/* {"change", "key", "old", "new"}: a key of authzc.json (values as JSON) or
 * of a test's request (values as policy text, `json` false). */
static cJSON *key_json(const struct diff_config *k, bool json)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "change", change_str(k->change));
	cJSON_AddStringToObject(o, "key", k->key);
	cJSON_AddItemToObject(o, "old", !k->old ? cJSON_CreateNull()
			      : json ? embed(k->old) : cJSON_CreateString(k->old));
	cJSON_AddItemToObject(o, "new", !k->new ? cJSON_CreateNull()
			      : json ? embed(k->new) : cJSON_CreateString(k->new));
	return o;
}

/* One side of a changed test: its expectation and request, or null. */
static cJSON *test_side_json(const char *expect, const char *request)
{
	if (!expect)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "expect", expect);
	cJSON_AddItemToObject(o, "request", request ? embed(request) : cJSON_CreateNull());
	return o;
}

static cJSON *tests_json(const struct diff_report *r)
{
	struct counts c = count_items(r);
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "added", (double)c.tests[DIFF_ADDED]);
	cJSON_AddNumberToObject(root, "removed", (double)c.tests[DIFF_REMOVED]);
	cJSON_AddNumberToObject(root, "changed", (double)c.tests[DIFF_CHANGED]);
	cJSON_AddNumberToObject(root, "weakened", (double)r->tests_weakened);
	cJSON *changes = cJSON_AddArrayToObject(root, "changes");
	for (size_t i = 0; i < r->ntest_changes; i++) {
		const struct diff_test *t = &r->test_changes[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "change", change_str(t->change));
		cJSON_AddStringToObject(o, "file", t->file);
		cJSON_AddItemToObject(o, "old_file", t->old_file ? cJSON_CreateString(t->old_file)
				      : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "name", t->raw);
		cJSON_AddItemToObject(o, "strength", t->strength == STRENGTH_SAME ? cJSON_CreateNull()
				      : cJSON_CreateString(test_verdict(t)));
		cJSON_AddItemToObject(o, "why", t->why ? cJSON_CreateString(t->why) : cJSON_CreateNull());
		cJSON *parts = cJSON_AddArrayToObject(o, "parts");
		if (t->old_file)
			cJSON_AddItemToArray(parts, cJSON_CreateString("file"));
		if (t->change == DIFF_CHANGED && t->nrequest)
			cJSON_AddItemToArray(parts, cJSON_CreateString("request"));
		if (t->change == DIFF_CHANGED && strcmp(t->old_expect, t->new_expect))
			cJSON_AddItemToArray(parts, cJSON_CreateString("expectation"));
		cJSON_AddItemToObject(o, "old", test_side_json(t->old_expect, t->old_request));
		cJSON_AddItemToObject(o, "new", test_side_json(t->new_expect, t->new_request));
		cJSON *req = cJSON_AddArrayToObject(o, "request_changes");
		for (size_t k = 0; k < t->nrequest; k++)
			cJSON_AddItemToArray(req, key_json(&t->request[k], false));
		cJSON_AddItemToArray(changes, o);
	}
	return root;
}

static cJSON *decided_json(bool allow, const char **rules, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "decision", verdict(allow));
	cJSON_AddItemToObject(o, "rules", str_array(rules, n));
	return o;
}

/* The classes: the "behaviour" array (JSON null with --no-behaviour). */
static cJSON *behaviour_json(const struct diff_report *r)
{
	if (!r->behaviour)
		return cJSON_CreateNull();
	const struct sym_diff *d = &r->sym;
	cJSON *v = cJSON_CreateArray();
	for (size_t i = 0; i < d->nclasses; i++) {
		const struct diff_class *dc = &r->classes[i];
		const struct sym_class *k = dc->k;
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "kind", kind_str(k->kind));
		cJSON_AddStringToObject(c, "principal_type", k->principal_type);
		cJSON_AddStringToObject(c, "action", k->action);
		cJSON_AddStringToObject(c, "resource_type", k->resource_type);
		if (k->kind == SYM_UNKNOWN) {
			cJSON_AddStringToObject(c, "reason", k->reason);
			cJSON_AddBoolToObject(c, "tested", false);
		} else {
			cJSON_AddItemToObject(c, "before", decided_json(k->old_allow, k->old_rules, k->nold_rules));
			cJSON_AddItemToObject(c, "after", decided_json(k->new_allow, k->new_rules, k->nnew_rules));
			cJSON_AddItemToObject(c, "changed", str_array(k->changed, k->nchanged));
			cJSON_AddItemToObject(c, "witness", embed(k->witness));
			cJSON_AddBoolToObject(c, "tested", dc->tested_by != NULL);
			if (dc->tested_by)
				cJSON_AddStringToObject(c, "tested_by", dc->tested_by);
			else
				cJSON_AddNullToObject(c, "tested_by");
			if (dc->test_block)
				cJSON_AddStringToObject(c, "test", dc->test_block);
			else
				cJSON_AddNullToObject(c, "test");
		}
		cJSON_AddItemToArray(v, c);
	}
	return v;
}

/* What the solver searched: "behaviour_summary" (null with --no-behaviour). */
static cJSON *behaviour_summary_json(const struct diff_report *r)
{
	if (!r->behaviour)
		return cJSON_CreateNull();
	const struct sym_diff *d = &r->sym;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "complete", d->nunknown == 0);
	cJSON_AddNumberToObject(o, "triples", (double)d->ntriples);
	cJSON_AddNumberToObject(o, "unchanged", (double)d->nunchanged);
	cJSON_AddNumberToObject(o, "solved", (double)d->nsolved);
	cJSON_AddNumberToObject(o, "loosened", (double)d->nloosened);
	cJSON_AddNumberToObject(o, "untested_loosened", (double)r->untested_loosened);
	cJSON_AddNumberToObject(o, "tightened", (double)d->ntightened);
	cJSON_AddNumberToObject(o, "rules_changed", (double)d->nrules);
	cJSON_AddNumberToObject(o, "unknown", (double)d->nunknown);
	return o;
}

static cJSON *report_json(const struct diff_report *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "old", side_json(r->old_label, r->old_revision));
	cJSON_AddItemToObject(root, "new", side_json(r->new_label, r->new_revision));
	cJSON_AddBoolToObject(root, "changed", diff_report_changed(r));
	cJSON *config = cJSON_AddArrayToObject(root, "config");
	for (size_t i = 0; i < r->nconfig; i++)
		cJSON_AddItemToArray(config, key_json(&r->config[i], true));
	cJSON *rules = cJSON_AddArrayToObject(root, "rules");
	cJSON *consts = cJSON_AddArrayToObject(root, "constants");
	for (size_t i = 0; i < r->nitems; i++) {
		const struct diff_item *it = &r->items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", it->id);
		cJSON_AddStringToObject(o, "change", change_str(it->change));
		if (it->effect)
			cJSON_AddStringToObject(o, "effect", it->effect);
		cJSON *parts = cJSON_AddArrayToObject(o, "parts");
		if (it->parts) {
			char *copy = arena_strdup(r->a, it->parts);
			for (char *p = strtok(copy, ", "); p; p = strtok(NULL, ", "))
				cJSON_AddItemToArray(parts, cJSON_CreateString(p));
		}
		cJSON *old = cJSON_AddArrayToObject(o, "old");
		cJSON *new = cJSON_AddArrayToObject(o, "new");
		for (size_t k = 0; k < it->nlines; k++)
			cJSON_AddItemToArray(it->lines[k].sign == '-' ? old : new,
					     cJSON_CreateString(it->lines[k].text));
		cJSON_AddItemToArray(strcmp(it->what, "rule") ? consts : rules, o);
	}
	cJSON *schema = cJSON_AddArrayToObject(root, "schema");
	for (size_t i = 0; i < r->nschema; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "change", change_str(r->schema[i].change));
		cJSON_AddStringToObject(o, "subject", r->schema[i].subject);
		if (r->schema[i].detail)
			cJSON_AddStringToObject(o, "detail", r->schema[i].detail);
		else
			cJSON_AddNullToObject(o, "detail");
		cJSON_AddItemToArray(schema, o);
	}
	cJSON_AddItemToObject(root, "tests", tests_json(r));
	cJSON *asr = cJSON_AddArrayToObject(root, "assertions");
	for (size_t i = 0; i < r->nassert_changes; i++) {
		const struct diff_assert *x = &r->assert_changes[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "change", change_str(x->change));
		cJSON_AddStringToObject(o, "file", x->file);
		cJSON_AddStringToObject(o, "name", x->raw);
		cJSON_AddBoolToObject(o, "weakened", x->weakened);
		cJSON_AddItemToObject(o, "old", x->old_text ? cJSON_CreateString(x->old_text) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "new", x->new_text ? cJSON_CreateString(x->new_text) : cJSON_CreateNull());
		cJSON_AddItemToArray(asr, o);
	}
	cJSON *dec = cJSON_AddObjectToObject(root, "decisions");
	cJSON_AddNumberToObject(dec, "requests", (double)r->nrequests);
	cJSON_AddNumberToObject(dec, "from_tests", (double)r->ntests);
	cJSON_AddNumberToObject(dec, "replayed", (double)r->nreplayed);
	cJSON_AddNumberToObject(dec, "skipped", (double)r->nskipped);
	cJSON_AddNumberToObject(dec, "loosened", (double)r->loosened);
	cJSON_AddNumberToObject(dec, "tightened", (double)r->tightened);
	cJSON_AddNumberToObject(dec, "rules_changed", (double)r->rules_changed);
	cJSON *changes = cJSON_AddArrayToObject(dec, "changes");
	const struct diff_decision **v = ordered(r);
	for (size_t i = 0; i < r->ndecisions; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "impact", impact_str(v[i]->impact));
		cJSON_AddStringToObject(o, "source", v[i]->source);
		cJSON_AddItemToObject(o, "request", embed(v[i]->request));
		cJSON_AddItemToObject(o, "old", embed(v[i]->old_json));
		cJSON_AddItemToObject(o, "new", embed(v[i]->new_json));
		cJSON_AddItemToObject(o, "responsible", str_array(v[i]->responsible, v[i]->nresponsible));
		cJSON_AddItemToArray(changes, o);
	}
	cJSON_AddItemToObject(root, "behaviour", behaviour_json(r));
	cJSON_AddItemToObject(root, "behaviour_summary", behaviour_summary_json(r));
	cJSON *resp = cJSON_AddArrayToObject(dec, "responsible");
	for (size_t i = 0; i < r->nblame; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "rule", r->blame[i].rule);
		cJSON_AddNumberToObject(o, "loosened", (double)r->blame[i].loosened);
		cJSON_AddNumberToObject(o, "tightened", (double)r->blame[i].tightened);
		cJSON_AddNumberToObject(o, "rules_changed", (double)r->blame[i].rules);
		cJSON_AddItemToArray(resp, o);
	}
	return root;
}

static int cmp_blame(const void *x, const void *y)
{
	return strcmp(((const struct diff_blame *)x)->rule, ((const struct diff_blame *)y)->rule);
}

int diff_render(FILE *out, const struct diff_report *r, enum diff_format format)
{
	if (r->nblame)
		qsort(r->blame, r->nblame, sizeof(*r->blame), cmp_blame);
	switch (format) {
	case DIFF_TEXT:
		render_text(out, r);
		return 0;
	case DIFF_MARKDOWN:
		render_markdown(out, r);
		return 0;
	case DIFF_JSON: {
		cJSON *j = report_json(r);
		char *text = j ? cJSON_Print(j) : NULL;
		cJSON_Delete(j);
		if (!text)
			return -1;
		fprintf(out, "%s\n", text);
		cJSON_free(text);
		return 0;
	}
	}
	return 0;
}
