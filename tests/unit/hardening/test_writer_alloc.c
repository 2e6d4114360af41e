/*
 * test_writer_alloc.c: the compiler's bundle writer (runtime/bundle_write.c)
 * under allocation failure.
 *
 * A complete bundle (two entity types, attributes of the principal, the
 * resource and the context, an action, rules with annotations, guards,
 * string, ip, int and set constants, jumps, slot lookups, a revision; more
 * than 32 strings and constants, so both interning tables grow, one of
 * them during a lookup) is written with allocation number N failing, and
 * with every allocation from N on failing, for every N the whole write
 * makes.  Each run must end in AUTHZ_ENOMEM with no bundle, never in a
 * crash or a bundle that was written past a failure, and leave no block
 * allocated (alloc_fail.h counts them: bw_new used to leak its writer when
 * its first string could not be stored).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "authz.h"
#include "bundle_write.h"

#define TRY(x) do { if ((rc = (x)) != 0) goto done; } while (0)

/* One rule `id` whose one guard is `op(y, x)` with y an attribute read and
 * x the constant k (when k != UINT32_MAX) or the other attribute. */
static int write_rule(struct bundle_writer *w, const char *id, enum authz_effect effect, uint32_t file,
		      const uint32_t *action, uint32_t y_root, uint32_t y_slot, uint32_t x_root,
		      uint32_t x_slot, uint32_t k, enum authz_op op)
{
	struct bw_rule_desc d = { .id = id, .effect = effect, .file = file, .line = 3, .col = 1,
				  .actions = action, .nactions = 1 };
	uint32_t rule, guard, done_list = BW_NO_JUMP;
	int rc;
	TRY(bw_rule_begin(w, &d, &rule));
	TRY(bw_annotation(w, "owner", "security"));
	TRY(bw_guard(w, file, 4, 8, "the guard", &guard));
	TRY(bw_emit(w, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, y_root, y_slot)));
	if (k != UINT32_MAX)
		TRY(bw_emit(w, AUTHZ_CREATE_AX(AUTHZ_OP_CONST, k)));
	else
		TRY(bw_emit(w, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, x_root, x_slot)));
	TRY(bw_emit(w, AUTHZ_CREATE_N(op)));
	TRY(bw_jump(w, AUTHZ_OP_JT, &done_list));
	TRY(bw_emit(w, AUTHZ_CREATE_N(AUTHZ_OP_FALSE)));
	TRY(bw_patch_here(w, done_list));
	TRY(bw_emit(w, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, guard)));
	TRY(bw_emit(w, AUTHZ_CREATE_N(AUTHZ_OP_APPLY)));
	TRY(bw_rule_end(w));
done:
	return rc;
}

/* Rules beyond the four of every shape: more than 32 ids and constants. */
#define MORE_RULES 40

/* Write the bundle; 0 with *out (malloc'd), or the first error. */
static int write_bundle(uint8_t **out, size_t *len)
{
	static const char *const tenant[] = { "tenant" }, *const env[] = { "env" },
				  *const ip[] = { "source_ip" }, *const level[] = { "level" };
	static const char *const envs[] = { "dev", "staging", "prod" };
	struct bundle_writer *w = NULL;
	uint32_t sa, ds, s_tenant, s_env, s_ip, s_level, read, file, k_ip, k_lvl, k_set, e[3];
	authz_ip net;
	int rc;
	*out = NULL;
	*len = 0;
	if (authz_parse_ip("10.0.0.0/8", 10, &net) != 0)
		return AUTHZ_EINVAL;
	TRY(bw_new(&w));
	TRY(bw_entity_type(w, "ServiceAccount", &sa));
	TRY(bw_entity_type(w, "Dataset", &ds));
	TRY(bw_attr(w, sa, tenant, 1, AUTHZ_K_STRING, AUTHZ_K_NONE, false, &s_tenant));
	TRY(bw_attr(w, sa, level, 1, AUTHZ_K_INT, AUTHZ_K_NONE, true, &s_level));
	TRY(bw_attr(w, ds, tenant, 1, AUTHZ_K_STRING, AUTHZ_K_NONE, false, &s_tenant));
	TRY(bw_attr(w, ds, env, 1, AUTHZ_K_STRING, AUTHZ_K_NONE, false, &s_env));
	TRY(bw_attr(w, BW_CONTEXT, ip, 1, AUTHZ_K_IP, AUTHZ_K_NONE, false, &s_ip));
	TRY(bw_action(w, "read", &sa, 1, &ds, 1, &read));
	TRY(bw_file(w, "policies/p.authz", &file));
	TRY(bw_const_ip(w, &net, &k_ip));
	TRY(bw_const_int(w, AUTHZ_K_INT, 3, &k_lvl));
	for (size_t i = 0; i < 3; i++)
		TRY(bw_const_string(w, envs[i], strlen(envs[i]), &e[i]));
	TRY(bw_const_set(w, e, 3, &k_set));
	/* a slot lookup after each new string: one of them grows the table */
	for (int i = 0; i < 40; i++) {
		char s[16];
		uint32_t si, slot;
		snprintf(s, sizeof s, "s%d", i);
		TRY(bw_string(w, s, strlen(s), &si));
		TRY(bw_slot(w, BW_NS_ENTITY, tenant, 1, &slot));
		cr_assert_eq(slot, s_tenant);
	}
	TRY(write_rule(w, "p.same_tenant", AUTHZ_PERMIT, file, &read, 0, s_tenant, 1, s_tenant,
		       UINT32_MAX, AUTHZ_OP_EQ));
	TRY(write_rule(w, "p.known_env", AUTHZ_PERMIT, file, &read, 1, s_env, 0, 0, k_set, AUTHZ_OP_IN));
	TRY(write_rule(w, "p.internal", AUTHZ_FORBID, file, &read, 2, s_ip, 0, 0, k_ip, AUTHZ_OP_IN));
	TRY(write_rule(w, "p.low_level", AUTHZ_FORBID, file, &read, 0, s_level, 0, 0, k_lvl,
		       AUTHZ_OP_LT));
	for (int i = 0; i < MORE_RULES; i++) {
		char id[32];
		uint32_t k;
		snprintf(id, sizeof id, "p.level_%d", i);
		TRY(bw_const_int(w, AUTHZ_K_INT, 100 + i, &k));
		TRY(write_rule(w, id, AUTHZ_PERMIT, file, &read, 0, s_level, 0, 0, k, AUTHZ_OP_GT));
	}
	TRY(bw_set_revision(w, "0123456789abcdef"));
	TRY(bw_finish(w, out, len));
done:
	bw_free(w);
	return rc;
}

Test(writer_alloc, the_bundle_loads_without_failures)
{
	uint8_t *buf;
	size_t len;
	int rc = write_bundle(&buf, &len);
	cr_assert_eq(rc, 0, "write failed with %d", rc);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	cr_expect_eq(authz_bundle_rule_count(b), 4 + MORE_RULES);
	authz_bundle_free(b);
	free(buf);
}

Test(writer_alloc, every_allocation_failure_is_an_error_without_a_bundle)
{
	uint8_t *buf;
	size_t len;
	af_arm(~0UL, 0);
	int rc = write_bundle(&buf, &len);
	af_disarm();
	unsigned long total = af_count();
	cr_assert_eq(rc, 0);
	free(buf);
	cr_assert(total > 10, "the writer's allocations are not seen (%lu)", total);
	for (int rest = 0; rest <= 1; rest++) {
		for (unsigned long at = 1; at <= total; at++) {
			af_track_begin();
			af_arm(at, rest);
			rc = write_bundle(&buf, &len);
			af_disarm();
			long leaked = af_track_end();
			cr_assert_eq(leaked, 0, "%ld blocks leaked with allocation %lu failing (rest %d)", leaked,
				     at, rest);
			cr_assert(af_failed() > 0, "allocation %lu was not made", at);
			cr_assert_eq(rc, AUTHZ_ENOMEM, "allocation %lu (rest %d) failing gave %d", at, rest, rc);
			cr_assert_null(buf, "a bundle after allocation %lu failed", at);
			cr_assert_eq(len, 0);
		}
	}
}

Test(writer_alloc, bw_new_fails_cleanly)
{
	/* Its first allocation (the writer) and its second (string 0). */
	for (unsigned long at = 1; at <= 2; at++) {
		struct bundle_writer *w = (struct bundle_writer *)1;
		af_track_begin();
		af_arm(at, 0);
		int rc = bw_new(&w);
		af_disarm();
		cr_assert_eq(af_track_end(), 0, "allocation %lu: a block leaked", at);
		cr_assert_eq(rc, AUTHZ_ENOMEM, "allocation %lu: %d", at, rc);
		cr_assert_null(w, "allocation %lu left a writer behind", at);
	}
}
