/*
 * test_describe.c: what the public API tells about a loaded bundle
 * (authz_bundle_get_info, type and action names, each rule's id, effect,
 * annotations, expiry, guard count, scope, source and guards), as
 * `authzc inspect` reads it, including every index out of range.
 */
#include <criterion/criterion.h>

#include "test_runtime_fixture.h"

static void revoked_guard(struct fx *f)
{
	fx_attr_read(f, 0, f->revoked);
}

Test(describe, a_bundle_tells_its_tables_and_rules)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	struct bw_rule_desc d = { .id = "p.expiring", .effect = AUTHZ_FORBID, .has_expires = true,
				  .expires_ms = 1795000000000, .file = f->file, .line = 3, .col = 1 };
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_annotation(f->w, "owner", "security"));
	OK(bw_guard(f->w, f->file, 5, 8, "principal.revoked", &f->guard));
	revoked_guard(f);
	fx_end_when(f);
	fx_rule(f, "p.plain", AUTHZ_PERMIT);
	revoked_guard(f);
	fx_end_when(f);
	authz_bundle *b = fx_load(f, NULL, NULL);

	authz_bundle_info info;
	authz_bundle_get_info(b, &info);
	cr_expect_eq(info.format, 3);
	cr_expect_gt(info.bytes, 0);
	cr_expect_eq(info.rules, 2);
	cr_expect_eq(info.types, 3);
	cr_expect_eq(info.actions, 2);
	cr_expect_gt(info.instructions, 0);
	cr_expect_str_eq(authz_bundle_type_name(b, 0), "ServiceAccount");
	cr_expect_str_eq(authz_bundle_type_name(b, 2), "Dataset");
	cr_expect_null(authz_bundle_type_name(b, 3));
	cr_expect_str_eq(authz_bundle_action_name(b, 1), "write");
	cr_expect_null(authz_bundle_action_name(b, 2));

	int64_t ms = 0;
	cr_expect_str_eq(authz_bundle_rule_id(b, 0), "p.expiring");
	cr_expect_eq(authz_bundle_rule_effect(b, 0), AUTHZ_FORBID);
	cr_expect_eq(authz_bundle_rule_expires(b, 0, &ms), 1);
	cr_expect_eq(ms, 1795000000000);
	cr_expect_eq(authz_bundle_rule_guard_count(b, 0), 1);
	cr_expect_eq(authz_bundle_rule_annotation_count(b, 0), 1);
	cr_expect_eq(authz_bundle_rule_effect(b, 1), AUTHZ_PERMIT);
	cr_expect_eq(authz_bundle_rule_expires(b, 1, &ms), 0);
	cr_expect_eq(ms, 1795000000000, "a rule that never expires leaves *out_ms alone");

	/* Out of range. */
	cr_expect_null(authz_bundle_rule_id(b, 2));
	cr_expect_eq(authz_bundle_rule_effect(b, 2), -1);
	cr_expect_eq(authz_bundle_rule_expires(b, 2, &ms), -1);
	cr_expect_eq(authz_bundle_rule_guard_count(b, 2), 0);
	authz_bundle_free(b);
}

Test(describe, scope_and_guards_as_the_source_wrote_them)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	/* principal is ServiceAccount, action == "read"; any resource */
	struct bw_rule_desc d = { .id = "p.scoped", .effect = AUTHZ_PERMIT, .file = f->file, .line = 7,
				  .col = 1, .principal_types = &f->sa, .nprincipal_types = 1,
				  .actions = &f->read, .nactions = 1 };
	uint32_t g0, g1;
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_guard(f->w, f->file, 8, 8, "principal.revoked", &g0));
	OK(bw_guard(f->w, f->file, 9, 10, "principal.mfa", &g1));
	fx_attr_read(f, 0, f->revoked);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, g0));
	fx_attr_read(f, 0, f->mfa);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_UNLESS, g1));
	fx_n(f, AUTHZ_OP_APPLY);
	OK(bw_rule_end(f->w));
	authz_bundle *b = fx_load(f, NULL, NULL);

	cr_expect_eq(authz_bundle_rule_scope_named(b, 0, AUTHZ_SCOPE_PRINCIPAL), 1);
	cr_expect_eq(authz_bundle_rule_scope_named(b, 0, AUTHZ_SCOPE_ACTION), 1);
	cr_expect_eq(authz_bundle_rule_scope_named(b, 0, AUTHZ_SCOPE_RESOURCE), 0);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, AUTHZ_SCOPE_PRINCIPAL, f->sa), 1);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, AUTHZ_SCOPE_PRINCIPAL, f->user), 0);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, AUTHZ_SCOPE_ACTION, f->read), 1);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, AUTHZ_SCOPE_ACTION, f->write), 0);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, AUTHZ_SCOPE_RESOURCE, f->user), 1,
		     "an unnamed part admits every type");
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, AUTHZ_SCOPE_ACTION, 2), -1);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 0, 3, 0), -1);
	cr_expect_eq(authz_bundle_rule_in_scope(b, 1, AUTHZ_SCOPE_ACTION, 0), -1);
	cr_expect_eq(authz_bundle_rule_scope_named(b, 1, AUTHZ_SCOPE_ACTION), -1);

	authz_source_info src;
	cr_assert_eq(authz_bundle_rule_source(b, 0, &src), 0);
	cr_expect_str_eq(src.file, "policies/p.authz");
	cr_expect_eq(src.line, 7);
	cr_assert_eq(authz_bundle_rule_guard(b, 0, 0, &src), 0);
	cr_expect_eq(src.unless, 0);
	cr_expect_str_eq(src.text, "principal.revoked");
	cr_expect_eq(src.line, 8);
	cr_assert_eq(authz_bundle_rule_guard(b, 0, 1, &src), 0);
	cr_expect_eq(src.unless, 1);
	cr_expect_str_eq(src.text, "principal.mfa");
	cr_expect_eq(src.col, 10);
	cr_expect_eq(authz_bundle_rule_guard(b, 0, 2, &src), AUTHZ_EINVAL);
	cr_expect_null(src.text);
	cr_expect_eq(authz_bundle_rule_source(b, 1, &src), AUTHZ_EINVAL);
	authz_bundle_free(b);
}

static int collect(const char *text, size_t len, void *payload)
{
	char *out = payload;
	size_t n = strlen(out);
	if (n + len >= 4096)
		return 1;
	memcpy(out + n, text, len);
	out[n + len] = 0;
	return 0;
}

static void signed_guard(struct fx *f)
{
	fx_attr_read(f, 0, f->w_signed);
}

/* The listing names whole attribute paths, not the last segment alone. */
Test(describe, disasm_names_whole_attribute_paths)
{
	authz_bundle *b = fx_one_rule(signed_guard);
	static char listing[4096];
	listing[0] = 0;
	cr_assert_eq(authz_bundle_disasm(b, collect, listing), 0);
	cr_expect(strstr(listing, "; principal.workload.signed\n") != NULL, "%s", listing);
	authz_bundle_free(b);
}
