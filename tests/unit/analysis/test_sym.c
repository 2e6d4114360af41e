/*
 * test_sym.c: the symbolic diff (compiler/analysis, sym.h) on small
 * versions of one policy: what it must find (loosened, tightened, other
 * rules), what it must prove unchanged (neutral rewrites), and that every
 * witness it prints is decided by the runtime as it says.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harden_util.h"
#include "sym.h"

/* Solver calls here must finish, never time out: under ASan on a loaded
 * 2-core machine the leap-day edge took 9.6 s, against the 10 s default.
 * The unknown outcome has its own tests with a tiny timeout. */
#define TEST_SOLVER_MS 120000

#define SCHEMA fixture_text("schema/language.json")

static authz_bundle *bundle_of(const char *schema, const char *policy)
{
	size_t len;
	uint8_t *buf = hu_compile(schema, policy, &len);
	authz_bundle *b = hu_load(buf, len);
	free(buf);
	return b;
}

static struct arena A = ARENA_INIT;

/* The diff of two policies over the example schema. */
static struct sym_diff diff2(const char *old, const char *new, unsigned max_classes)
{
	authz_bundle *o = old ? bundle_of(SCHEMA, old) : NULL, *n = bundle_of(SCHEMA, new);
	struct sym_opts opts = SYM_OPTS_DEFAULT;
	opts.timeout_ms = TEST_SOLVER_MS;
	if (max_classes)
		opts.max_classes = max_classes;
	struct sym_diff d;
	char err[200];
	cr_assert_eq(sym_diff_run(&A, o, n, &opts, &d, err, sizeof err), 0, "%s", err);
	authz_bundle_free(o);
	authz_bundle_free(n);
	for (size_t i = 0; i < d.nclasses; i++)
		if (d.classes[i].kind == SYM_UNKNOWN && max_classes == 0)
			cr_log_error("unknown class: %s", d.classes[i].reason);
	return d;
}

static bool has_rule(const char **v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], id))
			return true;
	return false;
}

#define BASE \
	"package p;\n" \
	"permit same_tenant {\n  action == \"read\"\n  resource is Dataset\n" \
	"  when principal.tenant == resource.tenant\n}\n"

Test(sym, identical_versions_are_proven_unchanged_without_the_solver)
{
	const char *pol = BASE "forbid revoked {\n  principal is ServiceAccount\n  when principal.revoked\n}\n";
	struct sym_diff d = diff2(pol, pol, 0);
	cr_assert_eq(d.nclasses, 0);
	cr_assert_eq(d.ntriples, 3);
	cr_assert_eq(d.nunchanged, 3);
	cr_assert_eq(d.nsolved, 0);
	arena_free(&A);
}

Test(sym, a_narrowed_forbid_is_a_loosening_with_a_witness)
{
	const char *old = BASE "forbid revoked {\n  principal is ServiceAccount\n  when principal.revoked\n}\n";
	const char *new = BASE "forbid revoked {\n  principal is ServiceAccount\n  when principal.revoked\n"
			  "   and resource.env == \"production\"\n}\n";
	struct sym_diff d = diff2(old, new, 0);
	cr_assert_eq(d.nunknown, 0);
	cr_assert_eq(d.nloosened, 1, "one loosened class (ServiceAccount read), got %zu", d.nloosened);
	cr_assert_eq(d.ntightened, 0);
	const struct sym_class *k = &d.classes[0];
	cr_assert_eq(k->kind, SYM_LOOSENED);
	cr_assert_str_eq(k->principal_type, "ServiceAccount");
	cr_assert_str_eq(k->action, "read");
	cr_assert(!k->old_allow && k->new_allow);
	cr_assert(has_rule(k->old_rules, k->nold_rules, "p.revoked"));
	cr_assert(has_rule(k->new_rules, k->nnew_rules, "p.same_tenant"));
	cr_assert_eq(k->nchanged, 1);
	cr_assert_str_eq(k->changed[0], "p.revoked");
	cr_assert_not_null(strstr(k->witness, "\"revoked\":true"), "%s", k->witness);
	cr_assert_null(strstr(k->witness, "\"env\":\"production\""), "%s", k->witness);
	arena_free(&A);
}

Test(sym, a_new_forbid_tightens)
{
	const char *new = BASE "forbid no_mfa {\n  principal is User\n  unless principal.mfa\n}\n";
	struct sym_diff d = diff2(BASE, new, 0);
	cr_assert_eq(d.nunknown, 0);
	cr_assert_eq(d.nloosened, 0);
	cr_assert_eq(d.ntightened, 1);
	const struct sym_class *k = &d.classes[0];
	cr_assert_str_eq(k->principal_type, "User");
	cr_assert(k->old_allow && !k->new_allow);
	cr_assert_str_eq(k->new_rules[0], "p.no_mfa");
	cr_assert_not_null(strstr(k->witness, "\"mfa\":false"), "%s", k->witness);
	arena_free(&A);
}

Test(sym, neutral_rewrites_are_proven_to_change_nothing)
{
	const char *old = "package p;\nconst PROD = \"production\";\n"
			  "permit r {\n  action == \"read\"\n  resource is Dataset\n"
			  "  when principal.tenant == resource.tenant and resource.env == PROD\n"
			  "  unless context has ticket and context.ticket like \"BAD-*\"\n}\n";
	const char *new = "package p;\n"
			  "permit r {\n  action == \"read\"\n  resource is Dataset\n"
			  "  when resource.env == \"production\"\n  when resource.tenant == principal.tenant\n"
			  "  unless context has ticket and context.ticket like \"BAD-*\"\n}\n";
	struct sym_diff d = diff2(old, new, 0);
	cr_assert_eq(d.nclasses, 0, "first class: %s", d.nclasses ? d.classes[0].witness : "");
	cr_assert_gt(d.nsolved, 0, "the code differs: the solver must prove it");
	arena_free(&A);
}

Test(sym, a_renamed_rule_changes_the_rules_not_the_decision)
{
	const char *new = "package p;\n"
			  "permit tenant_match {\n  action == \"read\"\n  resource is Dataset\n"
			  "  when principal.tenant == resource.tenant\n}\n";
	struct sym_diff d = diff2(BASE, new, 0);
	cr_assert_eq(d.nunknown, 0);
	cr_assert_eq(d.nloosened + d.ntightened, 0);
	cr_assert_eq(d.nrules, 2, "ServiceAccount and User read");
	cr_assert_str_eq(d.classes[0].old_rules[0], "p.same_tenant");
	cr_assert_str_eq(d.classes[0].new_rules[0], "p.tenant_match");
	arena_free(&A);
}

Test(sym, the_class_limit_reports_unknown_never_nothing)
{
	const char *new = BASE "permit w {\n  action == \"write\"\n}\n";
	struct sym_diff d = diff2(BASE, new, 0);
	cr_assert_eq(d.nloosened, 1);
	d = diff2(BASE, BASE "permit w {\n  action == \"write\"\n}\npermit u {\n  principal is User\n}\n", 1);
	/* the one class allowed, then the limit, then the triples not searched */
	cr_assert_eq(d.nclasses, 1 + d.nunknown);
	cr_assert_eq(d.nunknown, 2, "User read (the limit) and ServiceAccount write (not searched)");
	for (size_t i = 0; i < d.nclasses; i++)
		if (d.classes[i].kind == SYM_UNKNOWN)
			cr_assert_not_null(strstr(d.classes[i].reason, "--max-classes"));
	arena_free(&A);
}

Test(sym, no_old_version_loosens_everything_the_new_one_allows)
{
	struct sym_diff d = diff2(NULL, BASE, 0);
	cr_assert_eq(d.nunknown, 0);
	cr_assert_eq(d.nloosened, 2);
	arena_free(&A);
}

Test(sym, sets_ips_times_and_patterns_get_witnesses_the_runtime_agrees_with)
{
	const char *old = "package p;\n"
			  "permit r {\n  action == \"read\"\n  resource is Dataset\n"
			  "  principal is ServiceAccount\n  when \"admins\" in principal.groups\n}\n";
	const char *new = "package p;\n"
			  "permit r {\n  action == \"read\"\n  resource is Dataset\n"
			  "  principal is ServiceAccount\n  when \"admins\" in principal.groups\n"
			  "   and resource.change_tickets.containsAny(principal.groups)\n"
			  "   and context.source_ip in ip(\"10.0.0.0/8\")\n"
			  "   and now.hour >= 9 and now.weekday <= 5 and now.month == 12\n"
			  "   and resource.env like \"prod-*-eu\"\n}\n";
	struct sym_diff d = diff2(old, new, 0);
	cr_assert_eq(d.nunknown, 0);
	cr_assert_gt(d.ntightened, 0);
	cr_assert_eq(d.nloosened, 0);
	arena_free(&A);
}

Test(sym, an_overflow_in_a_forbid_applies_it)
{
	const char *schema = "{\"types\": {\"U\": {\"n\": \"int\"}, \"D\": {}},"
			     " \"actions\": {\"a\": {\"principals\": [\"U\"], \"resources\": [\"D\"]}}}";
	const char *old = "package p;\npermit all {\n  action == \"a\"\n}\n";
	const char *new = "package p;\npermit all {\n  action == \"a\"\n}\n"
			  "forbid big {\n  principal is U\n  when principal.n * 2 > 100\n}\n";
	authz_bundle *o = bundle_of(schema, old), *n = bundle_of(schema, new);
	struct sym_opts opts = SYM_OPTS_DEFAULT;
	opts.timeout_ms = TEST_SOLVER_MS;
	struct sym_diff d;
	char err[200];
	cr_assert_eq(sym_diff_run(&A, o, n, &opts, &d, err, sizeof err), 0);
	cr_assert_eq(d.nunknown, 0, "%s", d.nclasses ? d.classes[0].reason : "");
	cr_assert_eq(d.ntightened, 1, "one class: forbid big applies (by value or by overflow)");
	authz_bundle_free(o);
	authz_bundle_free(n);
	arena_free(&A);
}

/* ---- the encoding of each operator and type edge --------------------------------- */

#define EDGE_SCHEMA \
	"{\"types\": {\"U\": {\"n\": \"int\", \"s\": \"string\", \"tags\": \"set<string>\", \"d\": \"duration\"," \
	" \"home\": \"ip\", \"o?\": \"int\"}, \"D\": {}}," \
	" \"actions\": {\"a\": {\"principals\": [\"U\"], \"resources\": [\"D\"]}}," \
	" \"context\": {\"ip\": \"ip\"}}"

/* The diff of `old` and `new` over EDGE_SCHEMA: exactly `classes` classes,
 * none unknown; the first class's witness contains each of `want`. */
static struct sym_diff edge(const char *old, const char *new, size_t classes, const char *const *want)
{
	authz_bundle *o = bundle_of(EDGE_SCHEMA, old), *n = bundle_of(EDGE_SCHEMA, new);
	struct sym_opts opts = SYM_OPTS_DEFAULT;
	opts.timeout_ms = TEST_SOLVER_MS;
	struct sym_diff d;
	char err[200];
	cr_assert_eq(sym_diff_run(&A, o, n, &opts, &d, err, sizeof err), 0, "%s", err);
	authz_bundle_free(o);
	authz_bundle_free(n);
	for (size_t i = 0; i < d.nclasses; i++)
		cr_assert_neq(d.classes[i].kind, SYM_UNKNOWN, "%s\nnew:\n%s", d.classes[i].reason, new);
	cr_assert_eq(d.nclasses, classes, "%zu classes, want %zu, for\n%s", d.nclasses, classes, new);
	for (size_t i = 0; want && want[i]; i++)
		cr_assert_not_null(strstr(d.classes[0].witness, want[i]), "'%s' not in %s", want[i], d.classes[0].witness);
	return d;
}

#define ALL "package p;\npermit all {\n  action == \"a\"\n}\n"
#define NONE "package p;\nforbid none {\n  action == \"a\"\n  when false\n}\n"

Test(sym_edges, an_overflow_is_a_rule_error_that_applies_a_forbid)
{
	/* never true arithmetically: only the overflow at n = 2^63 - 1 applies it */
	const char *want[] = { "\"n\":9223372036854775807", NULL };
	edge(ALL, ALL "forbid wrap {\n  when principal.n + 1 < principal.n\n}\n", 1, want);
	/* n = 0 by value, n = -2^63 by overflow: one class (forbid neg decides both) */
	edge(ALL, ALL "forbid neg {\n  when -principal.n == 0\n}\n", 1, NULL);
	arena_free(&A);
}

Test(sym_edges, a_permit_in_error_does_not_apply)
{
	/* n * 2 overflows for |n| >= 2^62: the permit then does not apply,
	 * though `or true` would hold */
	struct sym_diff d = edge("package p;\npermit sq {\n  when true\n}\n",
				 "package p;\npermit sq {\n  when principal.n * 2 >= 0 or true\n}\n", 1, NULL);
	cr_assert_eq(d.classes[0].kind, SYM_TIGHTENED);
	long long n = atoll(strstr(d.classes[0].witness, "\"n\":") + 4);
	cr_assert(n >= 4611686018427387904LL || n < -4611686018427387904LL, "%s", d.classes[0].witness);
	arena_free(&A);
}

Test(sym_edges, like_with_an_escaped_star_matches_a_star)
{
	const char *want[] = { "\"s\":\"a*b", NULL };
	edge(NONE, "package p;\npermit l {\n  when principal.s like \"a\\\\*b*\"\n}\n", 1, want);
	arena_free(&A);
}

/* `like` is encoded by the shape of its pattern (sym_rule.c): equality,
 * prefix and suffix with a length bound, containment between them, a
 * regular expression past one literal between stars.  Each shape gets a
 * witness the runtime matches, and the edges where a shape's parts
 * overlap tell the patterns apart. */
Test(sym_edges, like_by_the_shape_of_its_pattern)
{
	const char *pats[][2] = { { "ab", "\"s\":\"ab\"" }, { "ab*", "\"s\":\"ab" }, { "*yz", "yz\"" },
				  { "ab*yz", "\"s\":\"ab" }, { "*mid*", "mid" }, { "ab*mid*yz", "mid" },
				  { "a*b*c*d", "\"s\":\"a" } };
	for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
		char pol[200];
		snprintf(pol, sizeof pol, "package p;\npermit l {\n  when principal.s like \"%s\"\n}\n", pats[i][0]);
		const char *want[] = { pats[i][1], NULL };
		edge(NONE, pol, 1, want);
	}
	/* "aba" starts with "ab" and ends with "ba" but is too short for both */
	const char *aba[] = { "\"s\":\"ab", NULL };
	struct sym_diff d = edge("package p;\npermit l {\n  when principal.s like \"ab*ba\"\n}\n",
				 "package p;\npermit l {\n  when principal.s like \"ab*\" and principal.s like \"*ba\"\n}\n",
				 1, aba);
	cr_assert_eq(d.classes[0].kind, SYM_LOOSENED);
	/* the middle literal lies between the outer ones, not over them */
	d = edge("package p;\npermit l {\n  when principal.s like \"ab*b*ba\"\n}\n",
		 "package p;\npermit l {\n  when principal.s like \"ab*ba\"\n}\n", 1, NULL);
	cr_assert_eq(d.classes[0].kind, SYM_LOOSENED);
	/* the same language written two ways: no change */
	edge("package p;\npermit l {\n  when principal.s like \"ab**yz\"\n}\n",
	     "package p;\npermit l {\n  when principal.s like \"ab*yz\"\n}\n", 0, NULL);
	arena_free(&A);
}

/* A range whose prefix is an attribute's: its mask is chosen among the
 * constant ones (sym_rule.c). */
Test(sym_edges, an_ip_range_of_an_attribute)
{
	const char *want[] = { "\"home\":\"10.", NULL };
	edge("package p;\npermit home {\n  when context.ip in principal.home\n}\n",
	     "package p;\npermit home {\n  when context.ip in principal.home and not (principal.home in ip(\"10.0.0.0/8\"))\n}\n",
	     1, want);
	edge("package p;\npermit home {\n  when context.ip in principal.home\n}\n",
	     "package p;\npermit home {\n  when context.ip in principal.home\n"
	     "   and (principal.home in ip(\"0.0.0.0/0\") or principal.home in ip(\"::/0\"))\n}\n", 0, NULL);
	arena_free(&A);
}

Test(sym_edges, an_empty_set_and_a_set_of_constants)
{
	const char *want[] = { "\"tags\":[]", NULL };
	edge(NONE, "package p;\npermit e {\n  when principal.tags.isEmpty()\n}\n", 1, want);
	const char *both[] = { "\"x\"", "\"y\"", NULL };
	edge(NONE, "package p;\npermit c {\n  when principal.tags.containsAll([\"x\", \"y\"])\n}\n", 1, both);
	arena_free(&A);
}

Test(sym_edges, ip_ranges_do_not_cross_families)
{
	const char *v6[] = { "\"ip\":\"", ":", NULL };
	struct sym_diff d = edge(NONE, "package p;\npermit six {\n  when context.ip in ip(\"::/0\")\n}\n", 1, v6);
	cr_assert_null(strstr(d.classes[0].witness, "\"ip\":\"0.0.0.0"));
	/* v4 everything and v6 everything: still one class, both families */
	edge(NONE, "package p;\npermit any {\n  when context.ip in ip(\"0.0.0.0/0\") or context.ip in ip(\"::/0\")\n}\n",
	     1, NULL);
	/* a v4 range never holds a v6 address: no request tells these apart */
	edge("package p;\npermit v4 {\n  when context.ip in ip(\"10.0.0.0/8\")\n}\n",
	     "package p;\npermit v4 {\n  when context.ip in ip(\"10.0.0.0/8\") and not (context.ip in ip(\"::/0\"))\n}\n",
	     0, NULL);
	arena_free(&A);
}

Test(sym_edges, weekday_and_hour_at_the_day_boundary)
{
	const char *want[] = { "T23:59:", NULL };
	struct sym_diff d = edge(NONE, "package p;\npermit late {\n  when now.weekday == 7 and now.hour == 23 and now.minute == 59\n"
				 "   and now.month == 2 and now.day == 29\n}\n", 1, want);
	cr_assert_not_null(strstr(d.classes[0].witness, "-02-29T23:59:"), "a leap day: %s", d.classes[0].witness);
	arena_free(&A);
}

Test(sym_edges, an_expired_rule_applies_only_before_its_time)
{
	const char *want[] = { "\"time\":\"20", NULL };
	struct sym_diff d = edge(NONE, "package p;\n@expires(\"2026-01-01T00:00:00Z\")\npermit tmp {\n  action == \"a\"\n}\n", 1,
				 want);
	int64_t t = 0;
	const char *p = strstr(d.classes[0].witness, "\"time\":\"") + 8;
	cr_assert_eq(authz_parse_time(p, 20, &t), 0);
	cr_assert_lt(t, 1767225600000LL, "the witness is before the expiry: %s", d.classes[0].witness);
	arena_free(&A);
}

Test(sym_edges, optional_attributes_and_has)
{
	const char *want[] = { "\"o\":", NULL };
	edge(NONE, "package p;\npermit h {\n  when principal has o and principal.o > 5\n}\n", 1, want);
	/* the same guard reordered into two whens: no change */
	edge("package p;\npermit h {\n  when principal has o and principal.o > 5\n}\n",
	     "package p;\npermit h {\n  when principal has o\n  when 5 < principal.o\n}\n", 0, NULL);
	arena_free(&A);
}

Test(sym_edges, durations_and_rules_moved_or_renamed_constants)
{
	edge("package p;\nconst MAX = 1h;\npermit d {\n  when principal.d <= MAX\n}\n",
	     "package p;\nconst LIMIT = 60m;\npermit d {\n  when principal.d < LIMIT + 1ms\n}\n", 0, NULL);
	arena_free(&A);
}
