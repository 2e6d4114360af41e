/*
 * test_sym_lint.c: the lint of `authzc check` called directly
 * (sym_lint.h), on the encodings it relies on: `like` by the shape of its
 * pattern (equality, prefix, suffix, containment, and a regular expression
 * past that) and ip ranges.  A rule that can apply is never W0601 -- also
 * where a prefix and a suffix overlap in one short string -- and one whose
 * patterns exclude each other always is.  (The CLI golden check-lint shows
 * every lint's message.)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "sym_lint.h"

#define SCHEMA fixture_text("schema/language.json")

/* As test_sym.c: solver calls finish, however loaded the machine. */
#define TEST_SOLVER_MS 120000

static void fini(void)
{
	if (ck_live)
		compilation_release(&ck_c);
	ck_live = false;
}

TestSuite(sym_lint, .fini = fini);

/* Check `policy` and lint it with no budget; the number of findings. */
static size_t lint(const char *policy)
{
	const char *files[] = { "policies/p.authz", policy, NULL };
	size_t errors = ck_run_v(SCHEMA, files);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0);
	struct sym_opts o = SYM_OPTS_DEFAULT;
	o.timeout_ms = TEST_SOLVER_MS;
	o.lint_ms = 0;
	return sym_lint_check(&ck_c, &o);
}

/* Is there a diagnostic `code` naming rule 'p.NAME'? */
static bool flagged(enum diag_code code, const char *name)
{
	char quoted[128];
	snprintf(quoted, sizeof quoted, "'p.%s'", name);
	for (size_t i = 0; i < ck_c.diags.n; i++)
		if (ck_c.diags.items[i]->code == code && strstr(ck_c.diags.items[i]->message, quoted))
			return true;
	return false;
}

Test(sym_lint, like_patterns_that_can_match_are_not_contradictions)
{
	lint("package p;\n"
	     "permit prefix { when resource.env like \"prod-*\" }\n"
	     "permit suffix { when resource.env like \"*-eu\" }\n"
	     "permit inner { when resource.env like \"*mid*\" }\n"
	     "permit exact { when resource.env like \"exact\" }\n"
	     "permit regex { when resource.env like \"a*b*c\" and resource.env == \"abbc\" }\n"
	     "permit overlap { when resource.env like \"ab*\" and resource.env like \"*ba\" and resource.env == \"aba\" }\n"
	     "permit one_char { when resource.env like \"a*\" and resource.env like \"*a\" and resource.env == \"a\" }\n"
	     "permit escaped { when resource.env like \"a\\\\*b\" and resource.env == \"a*b\" }\n");
	static const char *const ok[] = { "prefix", "suffix", "inner", "exact", "regex", "overlap", "one_char", "escaped" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		cr_expect(!flagged(W_NEVER_APPLIES, ok[i]), "p.%s can apply", ok[i]);
}

Test(sym_lint, like_patterns_that_exclude_each_other_never_apply)
{
	lint("package p;\n"
	     "permit prefixes { when resource.env like \"a*\" and resource.env like \"b*\" }\n"
	     "permit suffix_vs_equal { when resource.env like \"*x\" and resource.env == \"ab\" }\n"
	     "permit inner_vs_equal { when resource.env like \"*abc*\" and resource.env == \"ab\" }\n"
	     "permit regex_vs_equal { when resource.env like \"a*b*c\" and resource.env == \"acb\" }\n"
	     "permit too_short { when resource.env like \"ab*\" and resource.env like \"*ba\" and resource.env == \"ab\" }\n"
	     "permit fine { when resource.env like \"a*\" }\n");
	static const char *const never[] = { "prefixes", "suffix_vs_equal", "inner_vs_equal", "regex_vs_equal",
					     "too_short" };
	for (size_t i = 0; i < sizeof never / sizeof *never; i++)
		cr_expect(flagged(W_NEVER_APPLIES, never[i]), "p.%s never applies", never[i]);
	cr_expect(!flagged(W_NEVER_APPLIES, "fine"));
}

Test(sym_lint, ip_ranges)
{
	lint("package p;\n"
	     "permit corp { when context.source_ip in ip(\"10.0.0.0/8\") }\n"
	     "permit nested { when context.source_ip in ip(\"10.0.0.0/8\") and context.source_ip in ip(\"10.1.0.0/16\") }\n"
	     "permit disjoint { when context.source_ip in ip(\"10.0.0.0/8\") and context.source_ip in ip(\"192.168.0.0/16\") }\n"
	     "permit v6 { when context.source_ip in ip(\"2001:db8::/32\") }\n");
	cr_expect(!flagged(W_NEVER_APPLIES, "corp"));
	cr_expect(!flagged(W_NEVER_APPLIES, "nested"));
	cr_expect(!flagged(W_NEVER_APPLIES, "v6"));
	cr_expect(flagged(W_NEVER_APPLIES, "disjoint"), "two disjoint ranges");
}
