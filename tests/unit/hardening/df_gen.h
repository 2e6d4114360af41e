/*
 * df_gen.h: the random policy generator of the differential tests
 * (test_differential.c against the reference evaluator,
 * tests/unit/analysis/test_sym_differential.c against the symbolic
 * model): a fixed-seed xorshift and random well-typed policies over
 * DF_SCHEMA.  What it generates is described in test_differential.c.
 */
#ifndef AUTHZC_TEST_DF_GEN_H
#define AUTHZC_TEST_DF_GEN_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "authz.h"
#include "refeval.h"

static const char DF_SCHEMA[] =
	"{\n"
	"  \"types\": {\n"
	"    \"User\": { \"level\": \"int\", \"name\": \"string\", \"tags\": \"set<string>\",\n"
	"                \"nums\": \"set<int>\", \"flag\": \"bool\", \"born\": \"timestamp\",\n"
	"                \"ttl\": \"duration\", \"home\": \"ip\", \"opt?\": \"int\" },\n"
	"    \"Doc\": { \"level\": \"int\", \"name\": \"string\", \"tags\": \"set<string>\", \"flag\": \"bool\" }\n"
	"  },\n"
	"  \"actions\": {\n"
	"    \"read\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] },\n"
	"    \"write\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] }\n"
	"  },\n"
	"  \"context\": { \"n\": \"int\", \"s\": \"string\", \"t\": \"timestamp\", \"d\": \"duration\",\n"
	"                \"ip\": \"ip\", \"o?\": \"string\" }\n"
	"}\n";

#define DF_POLICIES 2500
#define DF_REQUESTS 40

static uint64_t df_state;

static uint64_t df_next(void)
{
	uint64_t x = df_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return df_state = x;
}

static int df_pick(int n) { return (int)(df_next() % (uint64_t)n); }

/* ---- policy text ------------------------------------------------------------ */

struct df_buf { char *p; size_t n, cap; };

static void put(struct df_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct df_buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = b->cap * 2 + (size_t)k + 64;
		b->p = realloc(b->p, b->cap);
	}
}

static const char *const STRS[] = { "", "a", "b", "ab", "ba", "aab", "a*b" };
static const char *const PATS[] = { "*", "a*", "*b", "a*b", "", "ab", "\\\\*", "a\\\\*b", "**", "*a*" };
static const char *const BIGS[] = { "4611686018427387904", "9223372036854775807", "3037000500", "2" };

static void gen_int(struct df_buf *b, int d);
static void gen_time(struct df_buf *b, int d);
static void gen_dur(struct df_buf *b, int d);

static void gen_str(struct df_buf *b)
{
	switch (df_pick(6)) {
	case 0: put(b, "\"%s\"", STRS[df_pick(7)]); break;
	case 1: put(b, "principal.name"); break;
	case 2: put(b, "resource.name"); break;
	case 3: put(b, "context.s"); break;
	case 4: put(b, "principal.id"); break;
	default: put(b, "action"); break;
	}
}

static void gen_sset(struct df_buf *b)
{
	switch (df_pick(3)) {
	case 0: put(b, "principal.tags"); break;
	case 1: put(b, "resource.tags"); break;
	default: {
		int n = 1 + df_pick(3);
		put(b, "[");
		for (int i = 0; i < n; i++)
			put(b, "%s\"%s\"", i ? ", " : "", STRS[df_pick(7)]);
		put(b, "]");
	}
	}
}

static void gen_iset(struct df_buf *b)
{
	if (df_pick(2)) {
		put(b, "principal.nums");
		return;
	}
	int n = 1 + df_pick(3);
	put(b, "[");
	for (int i = 0; i < n; i++)
		put(b, "%s%d", i ? ", " : "", df_pick(7) - 3);
	put(b, "]");
}

static void gen_int(struct df_buf *b, int d)
{
	int k = df_pick(d > 0 ? 12 : 6);
	switch (k) {
	case 0: put(b, "%d", df_pick(7)); break;
	case 1: put(b, "%s", BIGS[df_pick(4)]); break;
	case 2: put(b, "principal.level"); break;
	case 3: put(b, "resource.level"); break;
	case 4: put(b, "context.n"); break;
	case 5: put(b, "-%d", df_pick(4)); break;
	case 6: put(b, "("); gen_int(b, d - 1); put(b, " + "); gen_int(b, d - 1); put(b, ")"); break;
	case 7: put(b, "("); gen_int(b, d - 1); put(b, " - "); gen_int(b, d - 1); put(b, ")"); break;
	case 8: put(b, "("); gen_int(b, d - 1); put(b, " * "); gen_int(b, d - 1); put(b, ")"); break;
	case 9: put(b, "-("); gen_int(b, d - 1); put(b, ")"); break;
	case 10: {
		static const char *const parts[] = { "year", "month", "day", "hour", "minute", "weekday" };
		put(b, "(");
		gen_time(b, d - 1);
		put(b, ").%s", parts[df_pick(6)]);
		break;
	}
	default: put(b, "-9223372036854775808"); break;
	}
}

static void gen_dur(struct df_buf *b, int d)
{
	static const char *const lits[] = { "1h", "30m", "1d", "1500ms", "0s", "36500d" };
	switch (df_pick(d > 0 ? 6 : 3)) {
	case 0: put(b, "%s", lits[df_pick(6)]); break;
	case 1: put(b, "context.d"); break;
	case 2: put(b, "principal.ttl"); break;
	case 3: put(b, "("); gen_dur(b, d - 1); put(b, " + "); gen_dur(b, d - 1); put(b, ")"); break;
	case 4: put(b, "("); gen_time(b, d - 1); put(b, " - "); gen_time(b, d - 1); put(b, ")"); break;
	default: put(b, "-("); gen_dur(b, d - 1); put(b, ")"); break;
	}
}

static void gen_time(struct df_buf *b, int d)
{
	switch (df_pick(d > 0 ? 5 : 3)) {
	case 0: put(b, "now"); break;
	case 1: put(b, "context.t"); break;
	case 2: put(b, "principal.born"); break;
	case 3: put(b, "("); gen_time(b, d - 1); put(b, " + "); gen_dur(b, d - 1); put(b, ")"); break;
	default: put(b, "("); gen_time(b, d - 1); put(b, " - "); gen_dur(b, d - 1); put(b, ")"); break;
	}
}

static const char *cmp_op(void)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	return ops[df_pick(6)];
}

static void gen_bool(struct df_buf *b, int d)
{
	int k = df_pick(d > 0 ? 20 : 13);
	switch (k) {
	case 0: put(b, "%s", df_pick(2) ? "true" : "false"); break;
	case 1: put(b, "principal.flag"); break;
	case 2: put(b, "resource.flag"); break;
	case 3: gen_int(b, 2); put(b, " %s ", cmp_op()); gen_int(b, 2); break;
	case 4: gen_str(b); put(b, " %s ", df_pick(2) ? "==" : "!="); gen_str(b); break;
	case 5: gen_str(b); put(b, " in "); gen_sset(b); break;
	case 6: gen_int(b, 1); put(b, " in "); gen_iset(b); break;
	case 7: gen_sset(b); put(b, ".%s(", df_pick(2) ? "containsAll" : "containsAny"); gen_sset(b); put(b, ")"); break;
	case 8: put(b, "%s.isEmpty()", df_pick(2) ? "principal.tags" : "principal.nums"); break;
	case 9: gen_str(b); put(b, " like \"%s\"", PATS[df_pick(10)]); break;
	case 10: {
		static const char *const nets[] = { "10.0.0.0/8", "192.168.0.0/16", "0.0.0.0/0", "10.1.2.3/32" };
		put(b, "%s in ip(\"%s\")", df_pick(2) ? "context.ip" : "principal.home", nets[df_pick(4)]);
		break;
	}
	case 11: gen_time(b, 2); put(b, " %s ", cmp_op()); gen_time(b, 2); break;
	case 12:
		if (df_pick(2)) {
			put(b, "(principal has opt and principal.opt %s ", cmp_op());
			gen_int(b, 1);
			put(b, ")");
		} else {
			put(b, "(context has o and context.o %s ", df_pick(2) ? "==" : "!=");
			gen_str(b);
			put(b, ")");
		}
		break;
	case 13: gen_dur(b, 2); put(b, " %s ", cmp_op()); gen_dur(b, 2); break;
	case 14: case 15: put(b, "("); gen_bool(b, d - 1); put(b, " and "); gen_bool(b, d - 1); put(b, ")"); break;
	case 16: case 17: put(b, "("); gen_bool(b, d - 1); put(b, " or "); gen_bool(b, d - 1); put(b, ")"); break;
	case 18: put(b, "not ("); gen_bool(b, d - 1); put(b, ")"); break;
	default:
		if (df_pick(2)) {
			gen_sset(b); put(b, " %s ", df_pick(2) ? "==" : "!="); gen_sset(b);
		} else {
			put(b, "principal %s resource", df_pick(2) ? "==" : "!=");
		}
		break;
	}
}

static size_t gen_policy(struct df_buf *b)
{
	b->n = 0;
	int nrules = 1 + df_pick(6);
	for (int i = 0; i < nrules; i++) {
		put(b, "%s r%d {\n", df_pick(3) ? "permit" : "forbid", i);
		switch (df_pick(3)) {
		case 0: break;
		case 1: put(b, "  action == \"%s\"\n", df_pick(2) ? "read" : "write"); break;
		default: put(b, "  action in [\"read\", \"write\"]\n"); break;
		}
		int nclauses = 1 + df_pick(3);
		for (int c = 0; c < nclauses; c++) {
			put(b, "  %s ", df_pick(4) ? "when" : "unless");
			gen_bool(b, 3);
			put(b, "\n");
		}
		put(b, "}\n");
	}
	return (size_t)nrules;
}

/* ---- requests ---------------------------------------------------------------- */

static void gen_entity(struct ref_entity *e, const char *type)
{
	memset(e, 0, sizeof *e);
	e->type = type;
	static const char *const ids[] = { "a", "b" };
	e->id = ids[df_pick(2)];
	static const int64_t levels[] = { 0, 1, 2, 3, -1, INT64_MAX, INT64_MIN, 4611686018427387904LL };
	e->level = levels[df_pick(8)];
	e->name = STRS[df_pick(7)];
	e->ntags = df_pick(4);
	for (int i = 0; i < e->ntags; i++)
		e->tags[i] = STRS[df_pick(7)];
	e->nnums = df_pick(4);
	for (int i = 0; i < e->nnums; i++)
		e->nums[i] = df_pick(7) - 3;
	e->flag = df_pick(2);
	/* 2026-11-24T10:00:00Z give or take a few days, to the minute. */
	e->born = 1795514400000LL + (int64_t)(df_pick(10000) - 5000) * 60000;
	e->ttl = (int64_t)(df_pick(200) - 20) * 60000;
	static const uint8_t homes[][4] = { { 10, 1, 2, 3 }, { 192, 168, 1, 1 }, { 8, 8, 8, 8 }, { 10, 255, 0, 1 } };
	memcpy(e->home, homes[df_pick(4)], 4);
	e->has_opt = df_pick(2);
	e->opt = df_pick(7) - 3;
}

static void gen_request(struct ref_request *q)
{
	gen_entity(&q->p, "User");
	gen_entity(&q->r, "Doc");
	q->action = df_pick(2) ? "read" : "write";
	static const int64_t ns[] = { 0, 1, -1, 3, INT64_MAX, INT64_MIN, 2 };
	q->n = ns[df_pick(7)];
	q->s = STRS[df_pick(7)];
	q->now = 1795514400000LL + (int64_t)(df_pick(10000) - 5000) * 60000;
	q->t = 1795514400000LL + (int64_t)(df_pick(10000) - 5000) * 60000;
	q->d = (int64_t)(df_pick(200) - 100) * 60000;
	static const uint8_t ips[][4] = { { 10, 1, 2, 3 }, { 192, 168, 7, 7 }, { 8, 8, 8, 8 } };
	memcpy(q->ip, ips[df_pick(3)], 4);
	q->has_o = df_pick(2);
	q->o = STRS[df_pick(7)];
}

static void json_str(struct df_buf *b, const char *s)
{
	put(b, "\"");
	for (; *s; s++)
		put(b, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	put(b, "\"");
}

static void json_entity(struct df_buf *b, const struct ref_entity *e, bool user)
{
	put(b, "{\"type\":\"%s\",\"id\":", e->type);
	json_str(b, e->id);
	put(b, ",\"attrs\":{\"level\":%lld,\"name\":", (long long)e->level);
	json_str(b, e->name);
	put(b, ",\"flag\":%s,\"tags\":[", e->flag ? "true" : "false");
	for (int i = 0; i < e->ntags; i++) {
		put(b, "%s", i ? "," : "");
		json_str(b, e->tags[i]);
	}
	put(b, "]");
	if (user) {
		char t[32];
		authz_format_time(e->born, t);
		put(b, ",\"nums\":[");
		for (int i = 0; i < e->nnums; i++)
			put(b, "%s%lld", i ? "," : "", (long long)e->nums[i]);
		put(b, "],\"born\":\"%s\",\"ttl\":\"%s%lldms\",\"home\":\"%u.%u.%u.%u\"", t,
		    e->ttl < 0 ? "-" : "", (long long)(e->ttl < 0 ? -e->ttl : e->ttl),
		    e->home[0], e->home[1], e->home[2], e->home[3]);
		if (e->has_opt)
			put(b, ",\"opt\":%lld", (long long)e->opt);
	}
	put(b, "}}");
}

static void json_request(struct df_buf *b, const struct ref_request *q)
{
	char t[32], now[32];
	b->n = 0;
	put(b, "{\"principal\":");
	json_entity(b, &q->p, true);
	put(b, ",\"action\":\"%s\",\"resource\":", q->action);
	json_entity(b, &q->r, false);
	authz_format_time(q->t, t);
	authz_format_time(q->now, now);
	put(b, ",\"context\":{\"n\":%lld,\"s\":", (long long)q->n);
	json_str(b, q->s);
	put(b, ",\"t\":\"%s\",\"d\":\"%s%lldms\",\"ip\":\"%u.%u.%u.%u\"", t, q->d < 0 ? "-" : "",
	    (long long)(q->d < 0 ? -q->d : q->d), q->ip[0], q->ip[1], q->ip[2], q->ip[3]);
	if (q->has_o) {
		put(b, ",\"o\":");
		json_str(b, q->o);
	}
	put(b, "},\"time\":\"%s\"}", now);
}

/* ---- the comparison -------------------------------------------------------- */

/* Check and compile `policy` against DF_SCHEMA into ck_c (check_util.h;
 * include harden_util.h first): its bundle, or NULL when the checker
 * refuses it (ck_c holds the diagnostics). */
static inline authz_bundle *df_compile(const char *policy)
{
	if (ck_live)
		compilation_release(&ck_c);
	compilation_init(&ck_c);
	ck_live = true;
	ck_c.now_ms = CK_NOW_MS;
	uint32_t sid = srcset_add(&ck_c.src, "schema.json", DF_SCHEMA, strlen(DF_SCHEMA));
	ck_c.schema_file = sid;
	cr_assert_eq(schema_load(&ck_c.arena, &ck_c.src, sid, &ck_c.diags, &ck_c.schema), 0);
	ck_c.has_schema = true;
	project_add_source(&ck_c, "policies/p.authz", policy, strlen(policy));
	if (compilation_parse(&ck_c) || compilation_check(&ck_c))
		return NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	cr_assert_eq(codegen_bundle(&ck_c, "", &buf, &len), 0, "codegen:\n%s", policy);
	authz_bundle *b = hu_load(buf, len);
	free(buf);
	return b;
}

#endif
