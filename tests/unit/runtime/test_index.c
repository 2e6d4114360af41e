/*
 * test_index.c: the rule index changes no decision.  A compiled
 * policy set with every indexable guard shape (and guards that must stop
 * indexing: arithmetic that can overflow, optional attributes, `or`) is
 * loaded three times: with the full index, with the scope level only
 * (RT_INDEX_NO_LITERALS) and with no index at all (one bucket); thousands
 * of random requests get the same decision JSON, errors and traces from
 * all three.  Plus the shapes that must be keyed are, and those that must
 * not be are not.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "bundle.h"
#include "check_util.h"
#include "codegen.h"
#include "index.h"
#include "rule_image.h"

static const char IX_SCHEMA[] =
	"{\n"
	"  \"types\": {\n"
	"    \"User\": { \"tenant\": \"string\", \"groups\": \"set<string>\", \"admin\": \"bool\",\n"
	"              \"level\": \"int\", \"nick?\": \"string\", \"loc\": { \"country\": \"string\" } },\n"
	"    \"Bot\": { \"tenant\": \"string\", \"groups\": \"set<string>\", \"admin\": \"bool\", \"level\": \"int\" },\n"
	"    \"Doc\": { \"tenant\": \"string\", \"env\": \"string\", \"tags\": \"set<string>\",\n"
	"             \"public\": \"bool\", \"size\": \"int\", \"owner?\": \"string\" }\n"
	"  },\n"
	"  \"actions\": {\n"
	"    \"read\": { \"principals\": [\"User\", \"Bot\"], \"resources\": [\"Doc\"] },\n"
	"    \"write\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] },\n"
	"    \"admin\": { \"principals\": [\"User\", \"Bot\"], \"resources\": [\"Doc\", \"User\"] }\n"
	"  },\n"
	"  \"context\": { \"n?\": \"int\", \"k\": \"int\", \"zone\": \"string\", \"ok\": \"bool\",\n"
	"               \"age\": \"duration\", \"since\": \"timestamp\" }\n"
	"}\n";

/* Guards: indexable shapes, safe and unsafe prefixes, forbids that fail
 * closed, errors after and before a key. */
static const char IX_POLICY[] =
	"permit p1 { when resource.tenant == \"t1\" }\n"
	"permit p2 { action == \"read\" when \"t2\" == resource.tenant and principal.level > 2 }\n"
	"permit p3 { resource is Doc when resource.env in [\"dev\", \"qa\"] and principal.admin }\n"
	"permit p4 { when \"g1\" in principal.groups }\n"
	"permit p5 { resource is Doc when resource.tags.containsAny([\"x\", \"y\"]) and resource.tenant == \"t3\" }\n"
	"permit p6 { resource is Doc when resource.tags.containsAll([\"x\", \"z\"]) }\n"
	"permit p7 { when principal.admin }\n"
	"permit p8 { resource is Doc when not resource.public and context.zone == \"eu\" }\n"
	"permit p9 { when resource.id == \"d1\" }\n"
	"permit p10 { resource is Doc when principal.id in [\"u1\", \"u2\"] and resource.size < 10 }\n"
	"permit p11 { when principal.level + context.k > 5 and resource.tenant == \"t1\" }\n"
	"permit p12 { when context has n and context.n > 3 and resource.tenant == \"t2\" }\n"
	"permit p13 { when resource.tenant == \"t1\" or resource.tenant == \"t2\" }\n"
	"permit p14 { when principal.level * context.k > 1 }\n"
	"permit p15 { resource is Doc when resource.env like \"d*\" and principal.groups.containsAny([\"g2\", \"g3\"]) }\n"
	"permit p16 { resource is Doc when resource has owner and resource.owner == \"u1\" and resource.tenant == \"t4\" }\n"
	"permit p17 { principal is User when principal.loc.country == \"DE\" and resource.tenant == \"t1\" }\n"
	"permit p18 { resource is Doc when principal.level >= 0 and resource.tags.isEmpty() and context.ok }\n"
	"permit p19 { when now.hour >= 0 and resource.tenant in [] }\n"
	"permit p20 { when resource.tenant == \"t1\" unless principal.admin }\n"
	"forbid f1 { when principal.level * context.k > 100 and resource.tenant == \"t1\" }\n"
	"forbid f2 { when resource.tenant == \"t2\" and principal.level + context.k > 9223372036854775800 }\n"
	"forbid f3 { resource is Doc when \"bad\" in resource.tags }\n"
	"forbid f4 { when context.zone == \"blocked\" }\n"
	"forbid f5 { when not context.ok and principal.tenant == \"t3\" }\n"
	"forbid f6 { when principal.level - context.k < -9223372036854775800 and \"g1\" in principal.groups }\n"
	"forbid f7 { resource is Doc when principal.tenant != resource.tenant and resource.env == \"prod\" }\n"
	"permit p21 { when principal.level > 3 }\n"
	"permit p22 { when 5 >= principal.level }\n"
	"permit p23 { when context has n and context.n < 0 }\n"
	"permit p24 { resource is Doc unless resource.size >= 10 }\n"
	"permit p25 { resource is Doc when resource.tenant == principal.tenant }\n"
	"permit p26 { resource is Doc when resource has owner and resource.owner == principal.id }\n"
	"permit p27 { when context.age <= 1h and context.since > time(\"2026-01-01T00:00:00Z\") }\n"
	"permit p28 { when time(\"2026-06-01T00:00:00Z\") <= context.since unless principal.level < -1 }\n"
	"permit p29 { principal is User when principal.tenant != resource.tenant and principal.level >= 3 }\n"
	"forbid f8 { when context.k > 9223372036854775806 }\n"
	"forbid f9 { action == \"write\" unless principal.tenant == resource.tenant }\n"
	"forbid f10 { when context.k < -9223372036854775807 and principal.id == resource.id }\n"
	"forbid f11 { when context has n and context.n >= 5 }\n";

static authz_bundle *ix_load(const uint8_t *buf, size_t len, unsigned flags)
{
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, len, &err), 0, "%s", err.message);
	cr_assert_eq(authz_bundle_prepare(b), 0);
	if (flags)
		cr_assert_eq(rt_index_rebuild(b, flags), 0);
	return b;
}

/* The bundle of `policy` over IX_SCHEMA, into *buf, *len. */
static void ix_compile_policy(const char *policy, uint8_t **buf, size_t *len)
{
	const char *files[] = { "policies/p.authz", policy, NULL };
	size_t errors = ck_run_v(IX_SCHEMA, files);
	if (errors)
		ck_dump();
	cr_assert_eq(errors, 0);
	cr_assert_eq(codegen_bundle(&ck_c, "", buf, len), 0);
}

static void ix_compile(uint8_t **buf, size_t *len) { ix_compile_policy(IX_POLICY, buf, len); }

/* `policy` over IX_SCHEMA, compiled and loaded with the full index. */
static authz_bundle *ix_policy_bundle(const char *policy)
{
	uint8_t *buf;
	size_t len;
	ix_compile_policy(policy, &buf, &len);
	authz_bundle *b = ix_load(buf, len, 0);
	free(buf);
	return b;
}

/* splitmix64 */
static uint64_t rng = 12345;
static unsigned rn(unsigned n)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return (unsigned)((z ^ (z >> 31)) % n);
}

static const char *pick(const char *const *v, unsigned n) { return v[rn(n)]; }

/* A random set of strings from v[0..n) as JSON into p. */
static int set_json(char *p, size_t size, const char *const *v, unsigned n)
{
	int len = snprintf(p, size, "[");
	unsigned k = rn(4);
	for (unsigned i = 0; i < k; i++)
		len += snprintf(p + len, size - (size_t)len, "%s\"%s\"", i ? "," : "", pick(v, n));
	return len + snprintf(p + len, size - (size_t)len, "]");
}

/* A random request (sometimes invalid: a wrong kind, a missing attribute). */
static void random_request(char *out, size_t size)
{
	static const char *const tenants[] = { "t1", "t2", "t3", "t4", "t9" };
	static const char *const groups[] = { "g1", "g2", "g3", "g4", "bad" };
	static const char *const tags[] = { "x", "y", "z", "bad", "w" };
	static const char *const envs[] = { "dev", "qa", "prod", "d2" };
	static const char *const ids[] = { "u1", "u2", "u3", "d1", "d2" };
	static const char *const zones[] = { "eu", "us", "blocked" };
	static const char *const acts[] = { "read", "write", "admin" };
	static const int64_t big[] = { 0, 1, 3, 7, -5, 9223372036854775807LL, -9223372036854775807LL - 1, 5, 4, -1,
				       9223372036854775806LL, -9223372036854775807LL };
	char g[128], t[128];
	set_json(g, sizeof g, groups, 5);
	set_json(t, sizeof t, tags, 5);
	bool bot = rn(4) == 0;
	const char *act = pick(acts, 3);
	bool res_user = !strcmp(act, "admin") && rn(3) == 0;
	char principal[512], resource[512];
	snprintf(principal, sizeof principal,
		 "{\"type\":\"%s\",\"id\":\"%s\",\"attrs\":{\"tenant\":\"%s\",\"groups\":%s,\"admin\":%s,"
		 "\"level\":%lld%s%s}}",
		 bot ? "Bot" : "User", pick(ids, 5), pick(tenants, 5), g, rn(2) ? "true" : "false",
		 (long long)big[rn(12)], bot ? "" : ",\"loc\":{\"country\":\"", bot ? "" : rn(2) ? "DE\"}" : "FR\"}");
	if (!bot && rn(3) == 0) {
		size_t l = strlen(principal);
		snprintf(principal + l - 2, sizeof principal - l + 2, ",\"nick\":\"n\"}}");
	}
	if (res_user)
		snprintf(resource, sizeof resource,
			 "{\"type\":\"User\",\"id\":\"%s\",\"attrs\":{\"tenant\":\"%s\",\"groups\":[],\"admin\":false,"
			 "\"level\":1,\"loc\":{\"country\":\"DE\"}}}", pick(ids, 5), pick(tenants, 5));
	else
		snprintf(resource, sizeof resource,
			 "{\"type\":\"Doc\",\"id\":\"%s\",\"attrs\":{\"tenant\":\"%s\",\"env\":\"%s\",\"tags\":%s,"
			 "\"public\":%s,\"size\":%u%s}}",
			 pick(ids, 5), pick(tenants, 5), envs[rn(4)], t, rn(2) ? "true" : "false", rn(20),
			 rn(2) ? ",\"owner\":\"u1\"" : "");
	static const char *const ages[] = { "30m", "1h", "59m59s", "1h1m", "2d" };
	static const char *const ats[] = { "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.001Z",
					   "2026-06-01T00:00:00Z", "2026-05-31T23:00:00-01:00", "2027-01-01T00:00:00Z" };
	static const char *const ns[] = { "", "\"n\":5,", "\"n\":4,", "\"n\":-1,", "\"n\":0," };
	char ctx[256];
	snprintf(ctx, sizeof ctx, "{%s\"k\":%lld,\"zone\":\"%s\",\"ok\":%s,\"age\":\"%s\",\"since\":\"%s\"}",
		 pick(ns, 5), (long long)big[rn(12)], pick(zones, 3), rn(2) ? "true" : "false", pick(ages, 5),
		 pick(ats, 6));
	if (rn(50) == 0)   /* a request error: wrong kind */
		snprintf(ctx, sizeof ctx, "{\"k\":\"nine\",\"zone\":\"eu\",\"ok\":true,\"age\":\"1h\","
			 "\"since\":\"2026-01-01T00:00:00Z\"}");
	snprintf(out, size, "{\"principal\":%s,\"action\":\"%s\",\"resource\":%s,\"context\":%s,"
		 "\"time\":\"2026-11-22T10:00:00Z\"}", principal, act, resource, ctx);
}

Test(runtime_index, decisions_with_and_without_the_index_agree)
{
	uint8_t *buf;
	size_t len;
	ix_compile(&buf, &len);
	static const unsigned flags[3] = { 0, RT_INDEX_NO_LITERALS, RT_INDEX_NO_LITERALS | RT_INDEX_NO_SCOPE };
	authz_bundle *b[3];
	authz_request *r[3];
	authz_decision *d[3];
	for (int i = 0; i < 3; i++) {
		b[i] = ix_load(buf, len, flags[i]);
		cr_assert_eq(authz_request_new(&r[i], b[i]), 0);
		cr_assert_eq(authz_decision_new(&d[i]), 0);
	}
	cr_assert_gt(b[0]->index->nkeys, 0, "the full index has literal keys");
	cr_assert_eq(b[1]->index->nkeys, 0);
	size_t allowed = 0, errors = 0, applied = 0;
	char req[2048];
	for (int n = 0; n < 5000; n++) {
		random_request(req, sizeof req);
		for (unsigned tr = 0; tr < 2; tr++) {
			const char *want = NULL;
			for (int i = 0; i < 3; i++) {
				cr_assert_eq(authz_decide_json(d[i], b[i], r[i], req, strlen(req),
							       tr ? AUTHZ_DECIDE_TRACE : 0), 0);
				const char *line = authz_decision_json(d[i], NULL);
				cr_assert_not_null(line);
				if (i == 0) {
					want = strdup(line);
					allowed += !tr && authz_decision_allowed(d[0]);
					errors += !tr && authz_decision_error_count(d[0]) > 0;
					applied += !tr && authz_decision_rule_count(d[0]) > 0;
				} else {
					cr_assert_str_eq(line, want, "index flags %u, request %s", flags[i], req);
				}
			}
			free((void *)want);
		}
	}
	/* the requests exercise allow, deny, errors and applying rules */
	cr_expect_gt(allowed, 500, "allowed %zu", allowed);
	cr_expect_lt(allowed, 4500);
	cr_expect_gt(errors, 100);
	cr_expect_gt(applied, 1000);
	for (int i = 0; i < 3; i++) {
		authz_decision_free(d[i]);
		authz_request_free(r[i]);
		authz_bundle_free(b[i]);
	}
	free(buf);
}

/* The rule id's key in the bundle's index: "-" when the rule is plain in
 * every bucket, else "<root>.<slot name or id>/<mode>", and for a pair
 * "<root>.<name>=<root>.<name>/5". */
static void rule_key_text(const authz_bundle *b, const char *id, char *out, size_t size)
{
	const struct rt_index *ix = b->index;
	uint32_t ri = 0;
	while (ri < b->nrules && strcmp(b->str[b->rules[ri].id], id))
		ri++;
	cr_assert_lt(ri, b->nrules, "no rule %s", id);
	snprintf(out, size, "-");
	for (size_t k = 0; k < ix->nkeys; k++) {
		const struct rt_ix_key *x = &ix->keys[k];
		for (uint32_t i = 0; i < x->nall; i++)
			if (ix->rules[x->all + i] == ri) {
				const struct rt_ix_id *d = &x->id;
				const char *name = d->is_id ? "id" : b->str[b->slots[d->slot].name];
				if (d->mode == RT_IX_PAIR)
					snprintf(out, size, "%u.%s=%u.%s/%u", d->root, name, d->root2,
						 d->is_id2 ? "id" : b->str[b->slots[d->slot2].name], d->mode);
				else
					snprintf(out, size, "%u.%s/%u", d->root, name, d->mode);
				return;
			}
	}
}

Test(runtime_index, keys_follow_the_safe_guards)
{
	uint8_t *buf;
	size_t len;
	ix_compile(&buf, &len);
	authz_bundle *b = ix_load(buf, len, 0);
	static const struct { const char *rule, *key; } rows[] = {
		{ "p1", "1.tenant/0" },
		{ "p2", "1.tenant/0" },
		{ "p3", "1.env/0" },            /* 2 literals of a 4-literal key vs a bool */
		{ "p4", "0.groups/1" },
		{ "p5", "1.tenant/0" },         /* the tenant over a set key */
		{ "p6", "1.tags/1" },
		{ "p7", "0.admin/2" },
		{ "p8", "2.zone/0" },           /* a string key over a bool one */
		{ "p9", "1.id/0" },
		{ "p10", "0.id/0" },
		{ "p11", "-" },                 /* after `+`: could overflow */
		{ "p12", "1.tenant/0" },        /* context.n proven by `has` */
		{ "p13", "-" },                 /* an `or` */
		{ "p14", "-" },
		{ "p15", "0.groups/1" },        /* after a like */
		{ "p16", "1.tenant/0" },
		{ "p17", "1.tenant/0" },        /* a required field of a required record */
		{ "p18", "0.level/3" },         /* a bound over a bool */
		{ "p19", "1.tenant/0" },        /* no literal: never a candidate */
		{ "p20", "1.tenant/0" },
		{ "f1", "-" },                  /* a forbid failing closed is never skipped */
		{ "f2", "1.tenant/0" },         /* the error comes after the key */
		{ "f3", "1.tags/1" },
		{ "f4", "2.zone/0" },
		{ "f5", "0.tenant/0" },
		{ "f6", "-" },
		{ "f7", "1.env/0" },            /* a literal over a pair */
		{ "p21", "0.level/3" },
		{ "p22", "0.level/4" },         /* 5 >= x is x <= 5 */
		{ "p23", "2.n/4" },             /* optional, proven by `has` */
		{ "p24", "1.size/4" },          /* unless x >= 10 is x < 10 */
		{ "p25", "0.tenant=1.tenant/5" },
		{ "p26", "0.id=1.owner/5" },
		{ "p27", "2.age/4" },
		{ "p28", "2.since/3" },
		{ "p29", "0.level/3" },         /* a bound over a pair */
		{ "f8", "2.k/3" },
		{ "f9", "0.tenant=1.tenant/5" },
		{ "f10", "2.k/4" },
		{ "f11", "2.n/3" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char got[64];
		rule_key_text(b, rows[i].rule, got, sizeof got);
		cr_expect_str_eq(got, rows[i].key, "rule %s", rows[i].rule);
	}
	authz_bundle_free(b);
	free(buf);
}

/* The index of rule `id` in b. */
static uint32_t rule_no(const authz_bundle *b, const char *id)
{
	for (size_t i = 0; i < authz_bundle_rule_count(b); i++)
		if (strcmp(authz_bundle_rule_id(b, i), id) == 0)
			return (uint32_t)i;
	cr_assert_fail("no rule %s", id);
	return 0;
}

/* A rule found under the request's literal starts after its key guard
 * only when that guard is its first and the literal proves it (not a
 * containsAll of two, keyed on one); rebuilt without literals, none does.
 * (decisions_with_and_without_the_index_agree checks the decisions.) */
Test(runtime_index, proven_key_guards_are_skipped)
{
	uint8_t *buf;
	size_t len;
	ix_compile(&buf, &len);
	authz_bundle *b = ix_load(buf, len, 0);
	static const struct { const char *rule; bool skips; } rows[] = {
		{ "p1", true }, { "p2", true }, { "p4", true }, { "p5", false },  /* tenant: its second guard */
		{ "p6", false }, { "p7", true }, { "p9", true }, { "p11", false }, { "p12", false },
		{ "p15", false }, { "p19", false }, { "p20", true }, { "f3", true }, { "f5", false },
		{ "p18", true }, { "p22", true }, { "p24", true }, { "p25", true }, { "p28", true }, { "f9", true },
		{ "f10", true }, { "p29", false },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		uint32_t end = rt_img_of(b, rule_no(b, rows[i].rule))->key_end;
		cr_expect_eq(end != 0, rows[i].skips, "rule %s: key_end %u", rows[i].rule, end);
		uint32_t op = end ? AUTHZ_GET_OP(b->code[b->rules[rule_no(b, rows[i].rule)].code_off + end - 1]) : 0;
		if (end)
			cr_expect(op == AUTHZ_OP_WHEN || op == AUTHZ_OP_UNLESS, "rule %s", rows[i].rule);
	}
	cr_assert_eq(rt_index_rebuild(b, RT_INDEX_NO_LITERALS), 0);
	for (uint32_t r = 0; r < b->nrules; r++)
		cr_expect_eq(rt_img_of(b, r)->key_end, 0u, "rule %u", r);
	authz_bundle_free(b);
	free(buf);
}

Test(runtime_index, has_guards_and_jumps_before_a_key)
{
	authz_bundle *bb = ix_policy_bundle(
		"permit a { principal is User when principal has nick and principal.nick like \"n*\"\n"
		"  and resource.tenant == \"t1\" }\n"
		"permit b { principal is User when (principal has nick or principal.level > 1)\n"
		"  and resource.tenant == \"t1\" }\n"
		"permit c { principal is User when principal has nick and principal.admin\n"
		"  when principal.nick like \"n*\" and resource.tenant == \"t1\" }\n");
	char got[64];
	rule_key_text(bb, "a", got, sizeof got);
	cr_expect_str_eq(got, "1.tenant/0", "nick proven present by its has guard");
	rule_key_text(bb, "b", got, sizeof got);
	cr_expect_str_eq(got, "-", "an `or` (jumps) before the key stops indexing");
	rule_key_text(bb, "c", got, sizeof got);
	cr_expect_str_eq(got, "1.tenant/0", "has proves nick for a later clause too");
	authz_bundle_free(bb);
}

/* A comparison key's rules run in bound order, not the bundle's: the
 * rules a decision names are put back in bundle order even when they all
 * came from that one list. */
Test(runtime_index, rules_of_a_bound_key_are_named_in_bundle_order)
{
	authz_bundle *b = ix_policy_bundle("permit a { when principal.level > 5 }\n"
					   "permit b { when principal.level >= 1 }\n"
					   "forbid f { when principal.level > 7 }\n"
					   "forbid g { when principal.level > 6 }\n"
					   "forbid h { when 9 <= principal.level }\n");
	for (size_t k = 0; k < b->index->nbuckets; k++)
		cr_assert_eq(b->index->buckets[k].nplain, 0, "every rule is under the level key");
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	static const struct { int level; const char *names; } rows[] = {
		{ 10, "f g h" }, { 9, "f g h" }, { 8, "f g" }, { 7, "g" }, { 6, "a b" }, { 5, "b" }, { 0, "" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char req[512], names[64] = "";
		snprintf(req, sizeof req,
			 "{\"principal\":{\"type\":\"Bot\",\"id\":\"b\",\"attrs\":{\"tenant\":\"t\",\"groups\":[],"
			 "\"admin\":false,\"level\":%d}},\"action\":\"read\",\"resource\":{\"type\":\"Doc\",\"id\":\"d\","
			 "\"attrs\":{\"tenant\":\"t\",\"env\":\"e\",\"tags\":[],\"public\":true,\"size\":1}},"
			 "\"context\":{\"k\":1,\"zone\":\"z\",\"ok\":true,\"age\":\"1h\",\"since\":\"2026-01-01T00:00:00Z\"}}",
			 rows[i].level);
		cr_assert_eq(authz_decide_json(d, b, r, req, strlen(req), 0), 0);
		for (size_t k = 0; k < authz_decision_rule_count(d); k++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? " " : "",
				 authz_decision_rule(d, k));
		cr_expect_str_eq(names, rows[i].names, "level %d", rows[i].level);
	}
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
}

/* The index's hash is seeded at random at each build, so no bundle can be
 * made whose literals collide in its tables (which would make the build
 * quadratic): two loads of one bundle hash differently, and decide alike
 * (decisions_with_and_without_the_index_agree). */
Test(runtime_index, each_index_draws_its_own_hash_seed)
{
	uint8_t *buf;
	size_t len;
	ix_compile(&buf, &len);
	authz_bundle *a = ix_load(buf, len, 0), *b = ix_load(buf, len, 0);
	uint64_t first = a->index->seed;
	cr_expect_neq(first, b->index->seed);
	cr_assert_eq(rt_index_rebuild(a, 0), 0);
	cr_expect_neq(first, a->index->seed, "a rebuild draws again");
	authz_bundle_free(a);
	authz_bundle_free(b);
	free(buf);
}
