/*
 * gen.c: write a synthetic authzc project for the benchmarks.
 *
 *   gen N OUTDIR [SEED] [M]
 *
 * OUTDIR gets authzc.json, schema.json, policies/<package>/<package>_NNN.authz (N rules
 * in files of at most RULES_PER_FILE, plus policies/shared.authz with the
 * constants the rules use) and requests.jsonl (M requests, default 10,000,
 * in the JSON form of authzc-eval(1)).  The same N, SEED and M give the same bytes.
 *
 * The model: one table of attributes (attrs[]) drives the schema, the rule
 * conditions and the requests.  Each condition ("guard") knows how to render
 * itself and how to make a request satisfy or violate it (guard_set), so
 * the generator can build requests that some permit allows (start from a
 * benign request, satisfy every guard of a permit) and requests that are
 * denied (then violate one guard, or trigger a forbid).  Forbids always
 * test at least one "bad" value (revoked key, quarantine tag, blocked
 * network, ...) that a benign request and the permits never produce, so a
 * request built to satisfy a permit is allowed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define RULES_PER_FILE 500
/*
 * The mix (README "Benchmarks"): as in multi-tenant ABAC sets, a policy set
 * grows by adding tenants, resources and groups, each with its own rules,
 * while the company-wide rules stay few.  So every rule but at most
 * MAX_GLOBAL "global" ones (drawn with GLOBAL_PCT) opens with a
 * discriminator: the resource's tenant (DISC_TENANT_PCT), membership of one
 * principal group (DISC_GROUP_PCT) or the resource's id (the rest).  There
 * are max(20, N/20) tenants, max(40, N/25) groups and max(100, N) resource
 * ids per type, so each has about the same number of rules at every size.
 */
#ifndef MAX_GLOBAL
#define MAX_GLOBAL 40
#endif
#define GLOBAL_PCT 30
#define DISC_TENANT_PCT 65
#define DISC_GROUP_PCT 20
static int ntenants = 20, ngroups = 40, nresids = 100;
static bool discriminate;       /* the rule being drawn opens with a discriminator */
/* Share of the requests built to be allowed; the rest are split evenly
 * between a violated permit guard and a triggered forbid.  Build with
 * -DGEN_ALLOW_PCT=100 to check the generator against the compiler: every
 * request should then be allowed. */
#ifndef GEN_ALLOW_PCT
#define GEN_ALLOW_PCT 50
#endif
#define NOW_MS (INT64_C(1795428000) * 1000)     /* 2026-11-23T10:00:00Z, a Monday */
#define NOW_TEXT "2026-11-23T10:00:00Z"
#define MIN_MS (INT64_C(60) * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* ---- output buffers --------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = b->cap - b->len;
		int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			die("formatting failed");
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die("out of memory");
		b->cap = cap;
	}
}

static void write_file(const char *path, const struct sbuf *b)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		die("cannot write '%s': %s", tmp, strerror(errno));
	if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
		die("cannot write '%s': %s", tmp, strerror(errno));
	if (fclose(f) != 0)
		die("cannot write '%s': %s", tmp, strerror(errno));
	if (rename(tmp, path) != 0)
		die("cannot rename '%s': %s", tmp, strerror(errno));
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		die("cannot create '%s': %s", path, strerror(errno));
}

/* ---- deterministic randomness (splitmix64) ---------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int rnd(int n)
{
	return n <= 1 ? 0 : (int)(rng_next() % (uint64_t)n);
}

/* True with probability pct / 100. */
static bool chance(int pct)
{
	return rnd(100) < pct;
}

/* ---- the schema model --------------------------------------------------- */

enum { T_USER, T_SA, T_AGENT, T_DATASET, T_BUCKET, T_FUNCTION, T_SECRET, NTYPES };
#define BIT(t) (1u << (t))
#define PALL (BIT(T_USER) | BIT(T_SA) | BIT(T_AGENT))
#define RALL (BIT(T_DATASET) | BIT(T_BUCKET) | BIT(T_FUNCTION) | BIT(T_SECRET))
#define CTX 0xffffu

static const char *const type_names[NTYPES] = {
	"User", "ServiceAccount", "Agent", "Dataset", "Bucket", "Function", "Secret",
};
static const char *const id_prefix[NTYPES] = { "u-", "sa-", "ag-", "ds-", "bk-", "fn-", "sc-" };

enum vtype { V_STR, V_INT, V_BOOL, V_SET, V_TS, V_DUR, V_IP };
static const char *const vtype_names[] = {
	"string", "int", "bool", "set<string>", "timestamp", "duration", "ip",
};

enum root { R_P, R_R, R_C };
static const char *const root_names[] = { "principal", "resource", "context" };

struct attr {
	enum root root;
	const char *head;       /* attribute name at the root */
	const char *leaf;       /* field of the record `head`, or NULL */
	enum vtype vt;
	bool opt;               /* `head` is optional */
	unsigned mask;          /* entity types declaring it */
};

enum {
	A_P_TENANT, A_P_GROUPS, A_P_CLEARANCE, A_P_ISSUED, A_P_EXPIRES,
	A_P_DEPT, A_P_MFA, A_P_EMAIL, A_P_MANAGER, A_P_COUNTRY, A_P_OFFICE,
	A_P_REVOKED, A_P_KEY, A_P_SIGNED, A_P_SPIFFE, A_P_WSTART, A_P_WEND,
	A_P_BEHALF, A_P_TASK, A_P_SCOPES, A_P_TASKEXP,
	A_R_TENANT, A_R_ENV, A_R_OWNER, A_R_CLASS, A_R_SENS, A_R_TAGS, A_R_REGION,
	A_R_TICKETS, A_R_HOLDS, A_R_RETENTION,
	A_R_PUBLIC, A_R_NETWORK, A_R_CREATED,
	A_R_CALLERS, A_R_DEPRECATED, A_R_TIMEOUT, A_R_RUNTIME,
	A_R_ROTDUE, A_R_VERSION, A_R_ROTEN, A_R_ROTINT,
	A_C_IP, A_C_TICKET, A_C_MFAAGE, A_C_RISK, A_C_MANAGED, A_C_OS, A_C_SESSION, A_C_AGENT,
	A_P_ID, A_R_ID,         /* the entities' ids: not in the schema */
	NATTRS
};

#define U BIT(T_USER)
#define S BIT(T_SA)
#define A BIT(T_AGENT)
static const struct attr attrs[NATTRS] = {
	[A_P_TENANT]    = { R_P, "tenant", NULL, V_STR, false, PALL },
	[A_P_GROUPS]    = { R_P, "groups", NULL, V_SET, false, PALL },
	[A_P_CLEARANCE] = { R_P, "clearance", NULL, V_INT, false, PALL },
	[A_P_ISSUED]    = { R_P, "issued_at", NULL, V_TS, false, PALL },
	[A_P_EXPIRES]   = { R_P, "expires", NULL, V_TS, true, PALL },
	[A_P_DEPT]      = { R_P, "department", NULL, V_STR, false, U },
	[A_P_MFA]       = { R_P, "mfa", NULL, V_BOOL, false, U },
	[A_P_EMAIL]     = { R_P, "email", NULL, V_STR, false, U },
	[A_P_MANAGER]   = { R_P, "manager", NULL, V_STR, true, U },
	[A_P_COUNTRY]   = { R_P, "location", "country", V_STR, false, U },
	[A_P_OFFICE]    = { R_P, "location", "office", V_STR, false, U },
	[A_P_REVOKED]   = { R_P, "revoked", NULL, V_BOOL, false, S | A },
	[A_P_KEY]       = { R_P, "key_id", NULL, V_STR, false, S | A },
	[A_P_SIGNED]    = { R_P, "workload", "signed", V_BOOL, false, S },
	[A_P_SPIFFE]    = { R_P, "workload", "spiffe_id", V_STR, false, S },
	[A_P_WSTART]    = { R_P, "window", "start", V_TS, true, S },
	[A_P_WEND]      = { R_P, "window", "end", V_TS, true, S },
	[A_P_BEHALF]    = { R_P, "on_behalf_of", NULL, V_STR, false, A },
	[A_P_TASK]      = { R_P, "task_id", NULL, V_STR, true, A },
	[A_P_SCOPES]    = { R_P, "task_scopes", NULL, V_SET, false, A },
	[A_P_TASKEXP]   = { R_P, "task_expires", NULL, V_TS, false, A },
	[A_R_TENANT]    = { R_R, "tenant", NULL, V_STR, false, RALL },
	[A_R_ENV]       = { R_R, "env", NULL, V_STR, false, RALL },
	[A_R_OWNER]     = { R_R, "owner", NULL, V_STR, false, RALL },
	[A_R_CLASS]     = { R_R, "classification", NULL, V_STR, false, RALL },
	[A_R_SENS]      = { R_R, "sensitivity", NULL, V_INT, false, RALL },
	[A_R_TAGS]      = { R_R, "tags", NULL, V_SET, false, RALL },
	[A_R_REGION]    = { R_R, "region", NULL, V_STR, false, RALL },
	[A_R_TICKETS]   = { R_R, "change_tickets", NULL, V_SET, false, BIT(T_DATASET) },
	[A_R_HOLDS]     = { R_R, "legal_holds", NULL, V_SET, false, BIT(T_DATASET) },
	[A_R_RETENTION] = { R_R, "retention", NULL, V_DUR, false, BIT(T_DATASET) },
	[A_R_PUBLIC]    = { R_R, "public", NULL, V_BOOL, false, BIT(T_BUCKET) },
	[A_R_NETWORK]   = { R_R, "network", NULL, V_IP, true, BIT(T_BUCKET) },
	[A_R_CREATED]   = { R_R, "created_at", NULL, V_TS, false, BIT(T_BUCKET) },
	[A_R_CALLERS]   = { R_R, "allowed_callers", NULL, V_SET, false, BIT(T_FUNCTION) },
	[A_R_DEPRECATED]= { R_R, "deprecated", NULL, V_BOOL, false, BIT(T_FUNCTION) },
	[A_R_TIMEOUT]   = { R_R, "timeout", NULL, V_DUR, false, BIT(T_FUNCTION) },
	[A_R_RUNTIME]   = { R_R, "runtime", NULL, V_STR, false, BIT(T_FUNCTION) },
	[A_R_ROTDUE]    = { R_R, "rotation_due", NULL, V_TS, false, BIT(T_SECRET) },
	[A_R_VERSION]   = { R_R, "version", NULL, V_INT, false, BIT(T_SECRET) },
	[A_R_ROTEN]     = { R_R, "rotation", "enabled", V_BOOL, false, BIT(T_SECRET) },
	[A_R_ROTINT]    = { R_R, "rotation", "interval", V_DUR, false, BIT(T_SECRET) },
	[A_C_IP]        = { R_C, "source_ip", NULL, V_IP, false, CTX },
	[A_C_TICKET]    = { R_C, "ticket", NULL, V_STR, true, CTX },
	[A_C_MFAAGE]    = { R_C, "mfa_age", NULL, V_DUR, true, CTX },
	[A_C_RISK]      = { R_C, "risk_score", NULL, V_INT, false, CTX },
	[A_C_MANAGED]   = { R_C, "device", "managed", V_BOOL, false, CTX },
	[A_C_OS]        = { R_C, "device", "os", V_STR, false, CTX },
	[A_C_SESSION]   = { R_C, "session_start", NULL, V_TS, true, CTX },
	[A_C_AGENT]     = { R_C, "user_agent", NULL, V_STR, false, CTX },
	[A_P_ID]        = { R_P, "id", NULL, V_STR, false, PALL },
	[A_R_ID]        = { R_R, "id", NULL, V_STR, false, RALL },
};
#undef U
#undef S
#undef A

struct action {
	const char *name;
	unsigned pmask, rmask;
};

static const struct action actions[] = {
	{ "read", PALL, BIT(T_DATASET) },
	{ "write", PALL, BIT(T_DATASET) },
	{ "delete", BIT(T_USER), BIT(T_DATASET) },
	{ "list", PALL, BIT(T_DATASET) },
	{ "share", BIT(T_USER), BIT(T_DATASET) },
	{ "export", BIT(T_USER) | BIT(T_SA), BIT(T_DATASET) },
	{ "s3:GetObject", PALL, BIT(T_BUCKET) },
	{ "s3:PutObject", PALL, BIT(T_BUCKET) },
	{ "s3:DeleteObject", BIT(T_USER) | BIT(T_SA), BIT(T_BUCKET) },
	{ "s3:ListBucket", PALL, BIT(T_BUCKET) },
	{ "s3:PutBucketPolicy", BIT(T_USER), BIT(T_BUCKET) },
	{ "lambda:InvokeFunction", PALL, BIT(T_FUNCTION) },
	{ "lambda:UpdateFunctionCode", BIT(T_USER) | BIT(T_SA), BIT(T_FUNCTION) },
	{ "lambda:GetFunction", PALL, BIT(T_FUNCTION) },
	{ "secrets:GetSecretValue", PALL, BIT(T_SECRET) },
	{ "secrets:PutSecretValue", BIT(T_USER) | BIT(T_SA), BIT(T_SECRET) },
	{ "secrets:RotateSecret", BIT(T_SA), BIT(T_SECRET) },
	{ "secrets:DescribeSecret", PALL, BIT(T_SECRET) },
	{ "tag", BIT(T_USER) | BIT(T_SA), RALL },
	{ "describe", PALL, RALL },
};
#define NACTIONS ((int)(sizeof actions / sizeof actions[0]))

/* Vocabularies of the string attributes compared with == != in. */
static const char *const v_env[] = { "dev", "staging", "production", "prod-eu", "sandbox", "qa" };
static const char *const v_region[] = { "eu-west-1", "eu-central-1", "eu-north-1", "us-east-1",
					"us-west-2", "ap-south-1" };
static const char *const v_class[] = { "public", "internal", "confidential" };
static const char *const v_country[] = { "DE", "FR", "NL", "US", "GB", "IN", "JP", "BR" };
static const char *const v_runtime[] = { "python3.12", "nodejs20", "java21", "go1.x", "rust" };
static const char *const v_os[] = { "linux", "macos", "windows", "ios", "android" };
#define NV(a) ((int)(sizeof a / sizeof a[0]))
#define NDEPTS 24
#define NOFFICES 12

/* The string vocabulary of attribute `a`: value k into buf. Returns the
 * vocabulary size, 0 when `a` has none. */
static int vocab(int a, int k, char *buf, size_t n)
{
	const char *const *v = NULL;
	int nv = 0;
	switch (a) {
	case A_R_ENV: v = v_env; nv = NV(v_env); break;
	case A_R_REGION: v = v_region; nv = NV(v_region); break;
	case A_R_CLASS: v = v_class; nv = NV(v_class); break;
	case A_P_COUNTRY: v = v_country; nv = NV(v_country); break;
	case A_R_RUNTIME: v = v_runtime; nv = NV(v_runtime); break;
	case A_C_OS: v = v_os; nv = NV(v_os); break;
	case A_P_DEPT:
		if (buf)
			snprintf(buf, n, "dept-%d", k % NDEPTS);
		return NDEPTS;
	case A_P_OFFICE:
		if (buf)
			snprintf(buf, n, "office-%d", k % NOFFICES);
		return NOFFICES;
	default:
		return 0;
	}
	if (buf)
		snprintf(buf, n, "%s", v[k % nv]);
	return nv;
}

static const int eq_attrs[] = { A_R_ENV, A_R_REGION, A_R_CLASS, A_P_COUNTRY, A_P_OFFICE,
				A_P_DEPT, A_R_RUNTIME, A_C_OS };

/* ---- shared constants (package shared) ---------------------------------- */

enum {
	K_PROD_ENVS, K_EU_REGIONS, K_CORP_NETWORK, K_BLOCKED_NET, K_REVOKED_KEYS,
	K_QUARANTINE, K_MAX_SESSION, K_DEPTS0, K_GROUPS0 = K_DEPTS0 + 8, NCONSTS = K_GROUPS0 + 8
};
static bool const_used[NCONSTS];

static const char *use_const(int k)
{
	static char names[NCONSTS][32];
	const_used[k] = true;
	switch (k) {
	case K_PROD_ENVS: return "shared.PROD_ENVS";
	case K_EU_REGIONS: return "shared.EU_REGIONS";
	case K_CORP_NETWORK: return "shared.CORP_NETWORK";
	case K_BLOCKED_NET: return "shared.BLOCKED_NET";
	case K_REVOKED_KEYS: return "shared.REVOKED_KEYS";
	case K_QUARANTINE: return "shared.QUARANTINE";
	case K_MAX_SESSION: return "shared.MAX_SESSION";
	}
	if (k < K_GROUPS0)
		snprintf(names[k], sizeof names[k], "shared.DEPTS_%d", k - K_DEPTS0);
	else
		snprintf(names[k], sizeof names[k], "shared.GROUPS_%d", k - K_GROUPS0);
	return names[k];
}

static void write_consts(const char *dir)
{
	struct sbuf b = { 0 };
	bool any = false;
	for (int k = 0; k < NCONSTS; k++)
		any |= const_used[k];
	if (!any)
		return;
	sb_printf(&b, "// Constants shared by every package, referred to as shared.NAME.\n"
		  "package shared;\n\n");
	if (const_used[K_PROD_ENVS])
		sb_printf(&b, "const PROD_ENVS = [\"production\", \"prod-eu\"];\n");
	if (const_used[K_EU_REGIONS])
		sb_printf(&b, "const EU_REGIONS = [\"eu-west-1\", \"eu-central-1\", \"eu-north-1\"];\n");
	if (const_used[K_CORP_NETWORK])
		sb_printf(&b, "const CORP_NETWORK = ip(\"10.0.0.0/8\");\n");
	if (const_used[K_BLOCKED_NET])
		sb_printf(&b, "const BLOCKED_NET = ip(\"203.0.113.0/24\");\n");
	if (const_used[K_REVOKED_KEYS])
		sb_printf(&b, "const REVOKED_KEYS = [\"key-leak-0\", \"key-leak-1\", \"key-leak-2\", "
			  "\"key-leak-3\", \"key-leak-4\", \"key-leak-5\"];\n");
	if (const_used[K_QUARANTINE])
		sb_printf(&b, "const QUARANTINE = [\"quarantine-0\", \"quarantine-1\", \"quarantine-2\"];\n");
	if (const_used[K_MAX_SESSION])
		sb_printf(&b, "const MAX_SESSION = 8h;\n");
	for (int i = 0; i < 8; i++)
		if (const_used[K_DEPTS0 + i])
			sb_printf(&b, "const DEPTS_%d = [\"dept-%d\", \"dept-%d\", \"dept-%d\"];\n", i,
				  3 * i, 3 * i + 1, 3 * i + 2);
	for (int i = 0; i < 8; i++)
		if (const_used[K_GROUPS0 + i])
			sb_printf(&b, "const GROUPS_%d = [\"g-%d\", \"g-%d\", \"g-%d\", \"g-%d\"];\n", i,
				  4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3);
	char path[4096];
	snprintf(path, sizeof path, "%s/policies/shared.authz", dir);
	write_file(path, &b);
	free(b.p);
}

/* ---- requests: the values a request carries ----------------------------- */

#define SET_CAP 8
#define STR_CAP 48

struct val {
	int64_t i;              /* int, bool, timestamp, duration */
	char s[STR_CAP];        /* string, ip */
	int nset;
	char set[SET_CAP][STR_CAP];
};

struct req {
	int pt, rt, act;
	struct val v[NATTRS];
	bool present[NATTRS];   /* optional attributes only */
};

static void set_str(struct req *q, int a, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_str(struct req *q, int a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->v[a].s, STR_CAP, fmt, ap);
	va_end(ap);
}

static bool set_has(const struct req *q, int a, const char *s)
{
	for (int i = 0; i < q->v[a].nset; i++)
		if (!strcmp(q->v[a].set[i], s))
			return true;
	return false;
}

static void set_add(struct req *q, int a, const char *s)
{
	struct val *v = &q->v[a];
	if (set_has(q, a, s))
		return;
	if (v->nset == SET_CAP)
		v->nset--;      /* drop the last to make room: sets stay small */
	snprintf(v->set[v->nset++], STR_CAP, "%s", s);
}

static void set_del(struct req *q, int a, const char *s)
{
	struct val *v = &q->v[a];
	for (int i = 0; i < v->nset; i++)
		if (!strcmp(v->set[i], s)) {
			memmove(v->set[i], v->set[i + 1], (size_t)(v->nset - i - 1) * STR_CAP);
			v->nset--;
			return;
		}
}

/* Presence of an optional attribute and of its record's siblings. */
static void set_present(struct req *q, int a, bool on)
{
	for (int i = 0; i < NATTRS; i++)
		if (attrs[i].root == attrs[a].root && !strcmp(attrs[i].head, attrs[a].head))
			q->present[i] = on;
}

/*
 * A neutral request: no forbid applies to it (no bad value: same tenant,
 * no legal hold, an Agent's task_id present, ...) and few permit guards
 * hold on it by chance (optional attributes absent, strings outside the
 * rules' vocabularies, empty sets, stale times, an address outside every
 * range), so a request built for one permit and then made to violate one
 * of its guards is usually denied even among thousands of permits.
 */
static void req_base(struct req *q, int pt, int act, int rt)
{
	memset(q, 0, sizeof *q);
	q->pt = pt;
	q->act = act;
	q->rt = rt;
	for (int i = 0; i < NATTRS; i++)
		q->present[i] = !attrs[i].opt;
	int tenant = rnd(ntenants);
	char g[STR_CAP];
	set_str(q, A_P_ID, "%s%d", id_prefix[pt], rnd(100000));
	set_str(q, A_R_ID, "%s%d", id_prefix[rt], rnd(100000));
	set_str(q, A_P_TENANT, "t-%d", tenant);
	q->v[A_P_CLEARANCE].i = 0;
	q->v[A_P_ISSUED].i = NOW_MS - 30 * DAY_MS;
	q->v[A_P_EXPIRES].i = NOW_MS + 7 * DAY_MS;
	set_str(q, A_P_DEPT, "dept-x%d", rnd(10));
	q->v[A_P_MFA].i = 0;
	set_str(q, A_P_EMAIL, "%s@partner.example", q->v[A_P_ID].s);
	set_str(q, A_P_MANAGER, "boss-%d", rnd(100));
	set_str(q, A_P_COUNTRY, "CH");
	set_str(q, A_P_OFFICE, "remote-%d", rnd(10));
	q->v[A_P_REVOKED].i = 0;
	set_str(q, A_P_KEY, "key-%d", rnd(1000000));
	q->v[A_P_SIGNED].i = 0;
	set_str(q, A_P_SPIFFE, "spiffe://external/%s", q->v[A_P_ID].s);
	q->v[A_P_WSTART].i = NOW_MS - 3 * HOUR_MS;
	q->v[A_P_WEND].i = NOW_MS - 2 * HOUR_MS;
	set_str(q, A_P_BEHALF, "u-%d", rnd(100000));
	set_present(q, A_P_TASK, true);         /* else B_UNTRACKED applies */
	set_str(q, A_P_TASK, "TASK-0%d", rnd(100000));
	snprintf(g, sizeof g, "scope-x%d", rnd(30));
	set_add(q, A_P_SCOPES, g);
	q->v[A_P_TASKEXP].i = NOW_MS - HOUR_MS;

	set_str(q, A_R_TENANT, "t-%d", tenant);
	set_str(q, A_R_ENV, "legacy");
	set_str(q, A_R_OWNER, "ext-%d", rnd(100));
	set_str(q, A_R_CLASS, "unclassified");
	q->v[A_R_SENS].i = 5;
	set_str(q, A_R_REGION, "sa-east-1");
	snprintf(g, sizeof g, "CHG-x%d", rnd(1000));
	set_add(q, A_R_TICKETS, g);
	q->v[A_R_RETENTION].i = 30 * DAY_MS;
	q->v[A_R_PUBLIC].i = rnd(2);
	set_str(q, A_R_NETWORK, "172.16.%d.0/24", rnd(256));
	q->v[A_R_CREATED].i = NOW_MS - HOUR_MS;
	snprintf(g, sizeof g, "svc-%d", rnd(100));
	set_add(q, A_R_CALLERS, g);
	q->v[A_R_DEPRECATED].i = 1;
	q->v[A_R_TIMEOUT].i = 30 * 1000;
	set_str(q, A_R_RUNTIME, "ruby3");
	q->v[A_R_ROTDUE].i = NOW_MS - DAY_MS;
	q->v[A_R_VERSION].i = 3;
	q->v[A_R_ROTEN].i = 0;
	q->v[A_R_ROTINT].i = 90 * DAY_MS;

	set_str(q, A_C_IP, "192.0.2.%d", 1 + rnd(254));
	set_str(q, A_C_TICKET, "CHG-%d", rnd(1000));
	q->v[A_C_MFAAGE].i = 10 * MIN_MS;
	q->v[A_C_RISK].i = 40 + rnd(20);
	q->v[A_C_MANAGED].i = 1;
	set_str(q, A_C_OS, "freebsd");
	q->v[A_C_SESSION].i = NOW_MS - 20 * MIN_MS;
	set_str(q, A_C_AGENT, "curl/8.%d", rnd(10));
}

/* ---- guards ------------------------------------------------------------- */

enum gkind {
	/* normal: used by permits (and as extra conditions of forbids) */
	G_STR_EQ, G_STR_NE, G_STR_IN, G_LIKE, G_BOOL, G_CMP, G_ATTR_CMP, G_SET_HAS,
	G_SET_ANY, G_SET_ALL, G_SET_EMPTY, G_HAS, G_TIME, G_IP, G_CLOCK, G_ID_LIKE,
	NNORMAL,
	/* bad: only forbids test them; benign requests never have them */
	B_REVOKED = NNORMAL, B_KEY, B_QUAR, B_BADNET, B_RISK, B_TENANT, B_HOLD,
	B_RESTRICTED, B_EXPIRED, B_BLOCKED_TICKET, B_UNMANAGED, B_UNTRACKED,
	NKINDS,
	/* the tenant discriminator a realistic share of permits opens with:
	 * `resource.tenant == "t-N"` or `resource.tenant in [...]` */
	G_TENANT = NKINDS
};

#define LIST_CAP 4

struct guard {
	enum gkind kind;
	int a, b;               /* attributes (b: second one, or -1) */
	int op;                 /* G_CMP: 0 <, 1 <=, 2 >, 3 >=; variants otherwise */
	int64_t k;              /* number (ms for time and durations) */
	int cnst;               /* constant used, -1 none */
	int nlist;
	char list[LIST_CAP][STR_CAP];
};

static const char *const cmp_ops[] = { "<", "<=", ">", ">=" };

/* Integer-like attributes compared with < <= > >=: range and unit. */
struct cmp_spec {
	int a;
	int64_t lo, hi, unit;
};
static const struct cmp_spec cmp_specs[] = {
	{ A_P_CLEARANCE, 0, 5, 1 },
	{ A_R_SENS, 0, 5, 1 },
	{ A_C_RISK, 0, 79, 1 },
	{ A_R_VERSION, 1, 20, 1 },
	{ A_R_RETENTION, 1, 365, DAY_MS },
	{ A_R_TIMEOUT, 1, 900, 1000 },
	{ A_R_ROTINT, 1, 180, DAY_MS },
	{ A_C_MFAAGE, 1, 120, MIN_MS },
};

static const struct cmp_spec *cmp_spec(int a)
{
	for (size_t i = 0; i < sizeof cmp_specs / sizeof cmp_specs[0]; i++)
		if (cmp_specs[i].a == a)
			return &cmp_specs[i];
	return NULL;
}

static void fmt_attr(struct sbuf *b, int a)
{
	const struct attr *x = &attrs[a];
	sb_printf(b, "%s.%s", root_names[x->root], x->head);
	if (x->leaf)
		sb_printf(b, ".%s", x->leaf);
}

static void fmt_duration(char *buf, size_t n, int64_t ms)
{
	static const struct { int64_t ms; const char *u; } units[] = {
		{ DAY_MS, "d" }, { HOUR_MS, "h" }, { MIN_MS, "m" }, { 1000, "s" }, { 1, "ms" },
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (ms % units[i].ms == 0 || units[i].ms == 1) {
			snprintf(buf, n, "%" PRId64 "%s", ms / units[i].ms, units[i].u);
			return;
		}
}

static void fmt_value(struct sbuf *b, int a, int64_t v)
{
	char d[32];
	if (attrs[a].vt == V_DUR) {
		fmt_duration(d, sizeof d, v);
		sb_printf(b, "%s", d);
	} else {
		sb_printf(b, "%" PRId64, v);
	}
}

static void fmt_list(struct sbuf *b, const struct guard *g)
{
	if (g->cnst >= 0) {
		sb_printf(b, "%s", use_const(g->cnst));
		return;
	}
	sb_printf(b, "[");
	for (int i = 0; i < g->nlist; i++)
		sb_printf(b, "%s\"%s\"", i ? ", " : "", g->list[i]);
	sb_printf(b, "]");
}

/* The elements of g's list, with a constant expanded. */
static int list_elems(const struct guard *g, char out[][STR_CAP])
{
	if (g->cnst < 0) {
		for (int i = 0; i < g->nlist; i++)
			memcpy(out[i], g->list[i], STR_CAP);
		return g->nlist;
	}
	int k = g->cnst, n = 0;
	if (k == K_PROD_ENVS) {
		snprintf(out[n++], STR_CAP, "production");
		snprintf(out[n++], STR_CAP, "prod-eu");
	} else if (k == K_EU_REGIONS) {
		snprintf(out[n++], STR_CAP, "eu-west-1");
		snprintf(out[n++], STR_CAP, "eu-central-1");
		snprintf(out[n++], STR_CAP, "eu-north-1");
	} else if (k == K_REVOKED_KEYS) {
		for (int i = 0; i < 6; i++)
			snprintf(out[n++], STR_CAP, "key-leak-%d", i);
	} else if (k == K_QUARANTINE) {
		for (int i = 0; i < 3; i++)
			snprintf(out[n++], STR_CAP, "quarantine-%d", i);
	} else if (k >= K_DEPTS0 && k < K_GROUPS0) {
		for (int i = 0; i < 3; i++)
			snprintf(out[n++], STR_CAP, "dept-%d", 3 * (k - K_DEPTS0) + i);
	} else if (k >= K_GROUPS0) {
		for (int i = 0; i < 4; i++)
			snprintf(out[n++], STR_CAP, "g-%d", 4 * (k - K_GROUPS0) + i);
	}
	return n;
}

static bool elems_has(const char e[][STR_CAP], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i], s))
			return true;
	return false;
}

/* The text of guard g (one top-level `and` operand, or a few joined). */
static void guard_fmt(struct sbuf *b, const struct guard *g)
{
	char d[32];
	switch (g->kind) {
	case G_STR_EQ:
	case G_STR_NE:
		fmt_attr(b, g->a);
		sb_printf(b, " %s \"%s\"", g->kind == G_STR_EQ ? "==" : "!=", g->list[0]);
		break;
	case G_TENANT:
		if (g->nlist == 1) {
			sb_printf(b, "resource.tenant == \"%s\"", g->list[0]);
		} else {
			sb_printf(b, "resource.tenant in [");
			for (int i = 0; i < g->nlist; i++)
				sb_printf(b, "%s\"%s\"", i ? ", " : "", g->list[i]);
			sb_printf(b, "]");
		}
		break;
	case G_STR_IN:
		if (g->op)
			sb_printf(b, "not ");
		fmt_attr(b, g->a);
		sb_printf(b, " in ");
		fmt_list(b, g);
		break;
	case G_LIKE:
		fmt_attr(b, g->a);
		sb_printf(b, " like \"%s\"", g->list[0]);
		break;
	case G_BOOL:
		if (!g->k)
			sb_printf(b, "not ");
		fmt_attr(b, g->a);
		break;
	case G_CMP:
		fmt_attr(b, g->a);
		sb_printf(b, " %s ", cmp_ops[g->op]);
		fmt_value(b, g->a, g->k * cmp_spec(g->a)->unit);
		break;
	case G_ATTR_CMP:
		switch (g->op) {
		case 0: sb_printf(b, "principal.clearance >= resource.sensitivity"); break;
		case 1: sb_printf(b, "principal.tenant == resource.tenant"); break;
		case 2: sb_printf(b, "resource.owner == principal.on_behalf_of"); break;
		case 3: sb_printf(b, "principal.id in resource.allowed_callers"); break;
		case 4: sb_printf(b, "principal.id == resource.owner"); break;
		case 5: sb_printf(b, "resource.tags.containsAny(principal.task_scopes)"); break;
		}
		break;
	case G_SET_HAS:
		sb_printf(b, "\"%s\" in ", g->list[0]);
		fmt_attr(b, g->a);
		break;
	case G_SET_ANY:
	case G_SET_ALL:
		fmt_attr(b, g->a);
		sb_printf(b, ".%s(", g->kind == G_SET_ANY ? "containsAny" : "containsAll");
		fmt_list(b, g);
		sb_printf(b, ")");
		break;
	case G_SET_EMPTY:
		if (!g->k)
			sb_printf(b, "not ");
		fmt_attr(b, g->a);
		sb_printf(b, ".isEmpty()");
		break;
	case G_HAS:
		sb_printf(b, "%s has %s and ", root_names[attrs[g->a].root], attrs[g->a].head);
		switch (g->a) {
		case A_P_EXPIRES: sb_printf(b, "now < principal.expires"); break;
		case A_P_MANAGER: sb_printf(b, "principal.manager like \"%s\"", g->list[0]); break;
		case A_P_WSTART:
			sb_printf(b, "now >= principal.window.start\n   and now < principal.window.end");
			break;
		case A_P_TASK: sb_printf(b, "principal.task_id like \"%s\"", g->list[0]); break;
		case A_C_TICKET:
			if (g->op)
				sb_printf(b, "context.ticket in resource.change_tickets");
			else
				sb_printf(b, "context.ticket like \"%s\"", g->list[0]);
			break;
		case A_C_MFAAGE:
			fmt_duration(d, sizeof d, g->k);
			sb_printf(b, "context.mfa_age <= %s", d);
			break;
		case A_C_SESSION:
			fmt_duration(d, sizeof d, g->k);
			sb_printf(b, "now - context.session_start < %s", d);
			break;
		case A_R_NETWORK: sb_printf(b, "context.source_ip in resource.network"); break;
		}
		break;
	case G_TIME:
		fmt_duration(d, sizeof d, g->k);
		if (g->op == 0) {
			sb_printf(b, "now - ");
			fmt_attr(b, g->a);
			sb_printf(b, " < %s", g->cnst >= 0 ? use_const(g->cnst) : d);
		} else if (g->op == 1) {
			sb_printf(b, "now < ");
			fmt_attr(b, g->a);
		} else {
			fmt_attr(b, g->a);
			sb_printf(b, " + %s < now", d);
		}
		break;
	case G_IP:
		sb_printf(b, "context.source_ip in ");
		if (g->cnst >= 0)
			sb_printf(b, "%s", use_const(g->cnst));
		else
			sb_printf(b, "ip(\"%s\")", g->list[0]);
		break;
	case G_CLOCK:
		if (g->op == 0)
			sb_printf(b, "now.weekday <= 5");
		else
			sb_printf(b, "now.hour >= %d\n   and now.hour < %d", (int)g->k, (int)g->k + 12);
		break;
	case G_ID_LIKE:
		fmt_attr(b, g->a);
		sb_printf(b, " like \"%s\"", g->list[0]);
		break;
	case B_REVOKED: sb_printf(b, "principal.revoked"); break;
	case B_KEY:
		sb_printf(b, "principal.key_id in ");
		fmt_list(b, g);
		break;
	case B_QUAR:
		sb_printf(b, "resource.tags.containsAny(");
		fmt_list(b, g);
		sb_printf(b, ")");
		break;
	case B_BADNET:
		sb_printf(b, "context.source_ip in ");
		if (g->cnst >= 0)
			sb_printf(b, "%s", use_const(g->cnst));
		else
			sb_printf(b, "ip(\"%s\")", g->list[0]);
		break;
	case B_RISK: sb_printf(b, "context.risk_score > %d", (int)g->k); break;
	case B_TENANT: sb_printf(b, "principal.tenant != resource.tenant"); break;
	case B_HOLD: sb_printf(b, "not resource.legal_holds.isEmpty()"); break;
	case B_RESTRICTED:
		sb_printf(b, "resource.classification == \"restricted\"");
		break;
	case B_EXPIRED: sb_printf(b, "principal has expires and principal.expires <= now"); break;
	case B_BLOCKED_TICKET:
		sb_printf(b, "context has ticket and context.ticket like \"BLOCKED-*\"");
		break;
	case B_UNMANAGED: sb_printf(b, "not context.device.managed"); break;
	case B_UNTRACKED:
		sb_printf(b, "principal has task_id and principal.task_id like \"TASK-*\"");
		break;
	default:
		break;
	}
}

/* A vocabulary value of attribute a other than every one in e[0..n). */
static void vocab_other(int a, const char e[][STR_CAP], int n, char *out)
{
	int nv = vocab(a, 0, NULL, 0);
	int start = rnd(nv);
	for (int i = 0; i < nv; i++) {
		vocab(a, start + i, out, STR_CAP);
		if (!elems_has(e, n, out))
			return;
	}
	snprintf(out, STR_CAP, "none");
}

static void set_cmp(struct req *q, const struct guard *g, bool truth)
{
	const struct cmp_spec *c = cmp_spec(g->a);
	int64_t k = g->k, v;
	bool lt = g->op < 2, eq = g->op == 1 || g->op == 3;
	/* the range on the true side of `v op k` */
	int64_t tlo = lt ? c->lo : (eq ? k : k + 1), thi = lt ? (eq ? k : k - 1) : c->hi;
	if (truth)
		v = tlo + rnd((int)(thi - tlo + 1));
	else
		v = lt ? thi + 1 + rnd((int)(c->hi - thi)) : c->lo + rnd((int)(tlo - c->lo));
	q->v[g->a].i = v * c->unit;
}

/*
 * Make guard g true (truth) or false in request q.  For a bad guard, true
 * means the forbid's condition holds.  The values written stay within what
 * a benign request may carry, except for the bad guards set true.
 */
static void guard_set(const struct guard *g, struct req *q, bool truth)
{
	char e[8][STR_CAP], other[STR_CAP];
	int n;
	struct val *v = g->a >= 0 ? &q->v[g->a] : NULL;      /* NULL: G_ATTR_CMP, G_CLOCK */
	switch (g->kind) {
	case G_TENANT:  /* principal and resource move together: no cross-tenant forbid */
		if (truth) {
			memcpy(other, g->list[rnd(g->nlist)], STR_CAP);
		} else {
			do
				snprintf(other, STR_CAP, "t-%d", rnd(ntenants));
			while (elems_has(g->list, g->nlist, other));
		}
		memcpy(q->v[A_P_TENANT].s, other, STR_CAP);
		memcpy(q->v[A_R_TENANT].s, other, STR_CAP);
		break;
	case G_STR_EQ:
	case G_STR_NE:
		if ((g->kind == G_STR_EQ) == truth)
			snprintf(v->s, STR_CAP, "%s", g->list[0]);
		else if (!strcmp(v->s, g->list[0]))
			vocab_other(g->a, g->list, 1, v->s);
		break;
	case G_STR_IN:
		n = list_elems(g, e);
		if ((g->op == 0) == truth)
			memcpy(v->s, e[rnd(n)], STR_CAP);
		else
			vocab_other(g->a, e, n, v->s);
		break;
	case G_LIKE:    /* pattern "<prefix>*" or "*<suffix>" */
		if (truth) {
			const char *p = g->list[0];
			size_t len = strlen(p);
			if (p[0] == '*')
				snprintf(v->s, STR_CAP, "x%d%s", rnd(1000), p + 1);
			else
				snprintf(v->s, STR_CAP, "%.*s%d", (int)(len - 1), p, rnd(1000));
		} else {
			snprintf(v->s, STR_CAP, "nomatch-%d", rnd(1000));
		}
		break;
	case G_BOOL:
		v->i = truth ? g->k : !g->k;
		break;
	case G_CMP:
		set_cmp(q, g, truth);
		break;
	case G_ATTR_CMP:
		switch (g->op) {
		case 0:
			if (truth) {
				q->v[A_R_SENS].i = rnd((int)q->v[A_P_CLEARANCE].i + 1);
			} else {
				q->v[A_P_CLEARANCE].i = rnd(4);
				q->v[A_R_SENS].i = q->v[A_P_CLEARANCE].i + 1;
			}
			break;
		case 1:
			if (truth)
				memcpy(q->v[A_R_TENANT].s, q->v[A_P_TENANT].s, STR_CAP);
			else
				set_str(q, A_R_TENANT, "%s-other", q->v[A_P_TENANT].s);
			break;
		case 2:
			if (truth)
				memcpy(q->v[A_R_OWNER].s, q->v[A_P_BEHALF].s, STR_CAP);
			else
				set_str(q, A_R_OWNER, "nobody-%d", rnd(100));
			break;
		case 3:
			if (truth)
				set_add(q, A_R_CALLERS, q->v[A_P_ID].s);
			else
				set_del(q, A_R_CALLERS, q->v[A_P_ID].s);
			break;
		case 4:
			if (truth)
				memcpy(q->v[A_R_OWNER].s, q->v[A_P_ID].s, STR_CAP);
			else
				set_str(q, A_R_OWNER, "nobody-%d", rnd(100));
			break;
		case 5:
			if (truth) {
				if (q->v[A_P_SCOPES].nset)
					set_add(q, A_R_TAGS, q->v[A_P_SCOPES].set[0]);
			} else {
				for (int i = 0; i < q->v[A_P_SCOPES].nset; i++)
					set_del(q, A_R_TAGS, q->v[A_P_SCOPES].set[i]);
			}
			break;
		}
		break;
	case G_SET_HAS:
		if (truth)
			set_add(q, g->a, g->list[0]);
		else
			set_del(q, g->a, g->list[0]);
		break;
	case G_SET_ANY:
	case G_SET_ALL:
		n = list_elems(g, e);
		if (truth) {
			for (int i = 0; i < (g->kind == G_SET_ANY ? 1 : n); i++)
				set_add(q, g->a, e[i]);
		} else {
			for (int i = 0; i < (g->kind == G_SET_ANY ? n : 1); i++)
				set_del(q, g->a, e[i]);
		}
		break;
	case G_SET_EMPTY:
		if (truth == (g->k != 0)) {
			v->nset = 0;
		} else {
			snprintf(other, sizeof other, "%s-%d", g->a == A_R_HOLDS ? "HOLD" : "x", rnd(100));
			set_add(q, g->a, other);
		}
		break;
	case G_HAS:
		set_present(q, g->a, true);
		if (!truth && chance(50)) {
			set_present(q, g->a, false);
			break;
		}
		switch (g->a) {
		case A_P_EXPIRES:
			v->i = truth ? NOW_MS + (1 + rnd(30)) * DAY_MS : NOW_MS - (1 + rnd(48)) * HOUR_MS;
			break;
		case A_P_MANAGER:
		case A_P_TASK: {
			struct guard like = *g;
			like.kind = G_LIKE;
			guard_set(&like, q, truth);
			if (g->a == A_P_TASK && !truth)     /* stay clear of B_UNTRACKED */
				set_str(q, A_P_TASK, "TASK-X%d", rnd(1000));
			break;
		}
		case A_P_WSTART:
			q->v[A_P_WSTART].i = NOW_MS - (truth ? 1 : 3) * HOUR_MS;
			q->v[A_P_WEND].i = NOW_MS + (truth ? 1 : -1) * HOUR_MS;
			break;
		case A_C_TICKET:
			if (g->op) {
				if (truth)
					set_add(q, A_R_TICKETS, v->s);
				else
					set_del(q, A_R_TICKETS, v->s);
			} else {
				set_str(q, A_C_TICKET, "%s%d", truth ? "CHG-" : "REQ-", rnd(1000));
			}
			break;
		case A_C_MFAAGE:
			v->i = truth ? g->k / 2 : g->k + 5 * MIN_MS;
			break;
		case A_C_SESSION:
			v->i = NOW_MS - (truth ? g->k / 2 : g->k + MIN_MS);
			break;
		case A_R_NETWORK:
			if (truth)
				set_str(q, A_C_IP, "10.20.%d.%d", rnd(256), 1 + rnd(254));
			set_str(q, A_R_NETWORK, "10.20.0.0/16");
			if (!truth)
				set_str(q, A_C_IP, "10.21.%d.%d", rnd(256), 1 + rnd(254));
			break;
		}
		break;
	case G_TIME:
		if (g->op == 0)
			v->i = NOW_MS - (truth ? g->k / 2 : g->k + HOUR_MS);
		else if (g->op == 1)
			v->i = NOW_MS + (truth ? 1 : -1) * (1 + rnd(48)) * HOUR_MS;
		else
			v->i = NOW_MS - g->k + (truth ? -1 : 1) * (1 + rnd(10)) * DAY_MS;
		break;
	case G_IP:
		if (truth) {
			if (g->cnst >= 0)
				set_str(q, A_C_IP, "10.%d.%d.%d", rnd(256), rnd(256), 1 + rnd(254));
			else if (g->op == 0)
				set_str(q, A_C_IP, "10.%d.%d.%d", (int)g->k, rnd(256), 1 + rnd(254));
			else
				set_str(q, A_C_IP, "2001:db8:%x::%x", (int)g->k, 1 + rnd(65000));
		} else {
			set_str(q, A_C_IP, "192.0.2.%d", 1 + rnd(254));
		}
		break;
	case G_CLOCK:
		break;          /* the request time is fixed: always true */
	case G_ID_LIKE:     /* "*-draft" */
		if (truth)
			set_str(q, g->a, "%s%d-draft", id_prefix[g->a == A_P_ID ? q->pt : q->rt], rnd(1000));
		break;
	case B_REVOKED: v->i = truth; break;
	case B_KEY:
		n = list_elems(g, e);
		if (truth)
			memcpy(v->s, e[rnd(n)], STR_CAP);
		break;
	case B_QUAR:
		n = list_elems(g, e);
		if (truth)
			set_add(q, A_R_TAGS, e[rnd(n)]);
		break;
	case B_BADNET:
		if (truth)
			set_str(q, A_C_IP, g->cnst >= 0 ? "203.0.113.%d" : "198.18.%d.7", g->cnst >= 0 ? 1 + rnd(254) : (int)g->k);
		break;
	case B_RISK:
		if (truth)
			v->i = g->k + 1 + rnd((int)(100 - g->k));
		break;
	case B_TENANT:
		if (truth)
			set_str(q, A_R_TENANT, "%s-other", q->v[A_P_TENANT].s);
		break;
	case B_HOLD:
		if (truth)
			set_add(q, A_R_HOLDS, "HOLD-LEGAL");
		break;
	case B_RESTRICTED:
		if (truth)
			set_str(q, A_R_CLASS, "restricted");
		break;
	case B_EXPIRED:
		if (truth) {
			set_present(q, A_P_EXPIRES, true);
			q->v[A_P_EXPIRES].i = NOW_MS - HOUR_MS;
		}
		break;
	case B_BLOCKED_TICKET:
		if (truth) {
			set_present(q, A_C_TICKET, true);
			set_str(q, A_C_TICKET, "BLOCKED-%d", rnd(1000));
		}
		break;
	case B_UNMANAGED:
		if (truth)
			q->v[A_C_MANAGED].i = 0;
		break;
	case B_UNTRACKED:   /* sits in an unless: false makes the forbid apply */
		set_present(q, A_P_TASK, truth);
		if (truth)
			set_str(q, A_P_TASK, "TASK-%d", rnd(100000));
		break;
	default:
		break;
	}
}

/* Attributes guard g reads or writes (for one-guard-per-attribute). */
static int guard_attrs(const struct guard *g, int out[4])
{
	int n = 0;
	if (g->kind == G_ATTR_CMP) {
		static const int pairs[][2] = {
			{ A_P_CLEARANCE, A_R_SENS }, { A_P_TENANT, A_R_TENANT }, { A_R_OWNER, A_P_BEHALF },
			{ A_P_ID, A_R_CALLERS }, { A_P_ID, A_R_OWNER }, { A_R_TAGS, A_P_SCOPES },
		};
		out[n++] = pairs[g->op][0];
		out[n++] = pairs[g->op][1];
		return n;
	}
	if (g->kind == G_CLOCK)
		return 0;
	if (g->kind == G_TENANT) {
		out[n++] = A_P_TENANT;
		out[n++] = A_R_TENANT;
		return n;
	}
	if (g->a >= 0)
		out[n++] = g->a;
	if (g->kind == G_HAS && g->a == A_P_WSTART)
		out[n++] = A_P_WEND;
	if (g->kind == G_HAS && g->a == A_C_TICKET && g->op)
		out[n++] = A_R_TICKETS;
	if (g->kind == G_HAS && g->a == A_R_NETWORK)
		out[n++] = A_C_IP;
	return n;
}

/* ---- rules -------------------------------------------------------------- */

#define MAX_WHEN 6
#define MAX_UNLESS 2
#define MAX_ACTS 3

struct rule {
	bool forbid;
	int rt;                 /* resource type the rule is about */
	int bad;                /* forbids: the bad guard kind */
	int nacts;              /* 0: no action clause */
	int acts[MAX_ACTS];
	bool pscoped, rscoped;
	unsigned pmask, rmask;  /* the types the rule may apply to */
	int nwhen, nunless;
	int split;              /* when guards [split..) go in a second `when` */
	struct guard when[MAX_WHEN], unless[MAX_UNLESS];
};

/* Draft state while one rule is built. */
struct draft {
	struct rule *r;
	bool used[NATTRS];
	unsigned peff, reff;    /* types attribute reads must exist on */
};

static bool attr_ok(const struct draft *d, int a)
{
	const struct attr *x = &attrs[a];
	if (d->used[a])
		return false;
	if (x->root == R_C)
		return true;
	unsigned eff = x->root == R_P ? d->peff : d->reff;
	return eff && (x->mask & eff) == eff;
}

static bool guard_ok(const struct draft *d, const struct guard *g)
{
	int as[4], n = guard_attrs(g, as);
	for (int i = 0; i < n; i++)
		if (!attr_ok(d, as[i]))
			return false;
	return true;
}

static void guard_take(struct draft *d, const struct guard *g)
{
	int as[4], n = guard_attrs(g, as);
	for (int i = 0; i < n; i++)
		d->used[as[i]] = true;
}

static void random_list(struct guard *g, const char *fmt, int range, int count)
{
	g->nlist = 0;
	while (g->nlist < count) {
		char s[STR_CAP];
		snprintf(s, sizeof s, fmt, rnd(range));
		if (!elems_has(g->list, g->nlist, s))
			memcpy(g->list[g->nlist++], s, STR_CAP);
	}
}

static int pick(const int *xs, int n)
{
	return xs[rnd(n)];
}

/*
 * Draw one normal guard that fits the draft (its attributes exist on every
 * type in scope and are not used yet).  `in_unless`: the guard will sit in
 * an unless clause.  Returns false after too many misses.
 */
static bool draw_normal(struct draft *d, struct guard *g, bool in_unless)
{
	for (int tries = 0; tries < 64; tries++) {
		memset(g, 0, sizeof *g);
		g->cnst = -1;
		g->b = -1;
		int kind = rnd(NNORMAL);
		if (in_unless) {
			static const int uk[] = { G_STR_EQ, G_LIKE, G_BOOL, G_CMP, G_SET_HAS, G_ID_LIKE };
			kind = pick(uk, NV(uk));
		}
		g->kind = (enum gkind)kind;
		char s[STR_CAP];
		switch (kind) {
		case G_STR_EQ:
		case G_STR_NE:
			g->a = pick(eq_attrs, NV(eq_attrs));
			vocab(g->a, rnd(100), g->list[0], STR_CAP);
			g->nlist = 1;
			break;
		case G_STR_IN:
			g->a = pick(eq_attrs, NV(eq_attrs));
			g->op = chance(15);
			if (g->a == A_R_ENV && chance(40)) {
				g->cnst = K_PROD_ENVS;
			} else if (g->a == A_R_REGION && chance(40)) {
				g->cnst = K_EU_REGIONS;
			} else if (g->a == A_P_DEPT && chance(40)) {
				g->cnst = K_DEPTS0 + rnd(8);
			} else {
				int nv = vocab(g->a, 0, NULL, 0);
				int cnt = 2 + rnd(2);
				int start = rnd(nv);
				for (int i = 0; i < cnt && i < nv - 1; i++)
					vocab(g->a, start + i, g->list[g->nlist++], STR_CAP);
			}
			break;
		case G_LIKE: {
			static const int la[] = { A_P_EMAIL, A_P_SPIFFE, A_R_OWNER, A_C_AGENT, A_P_OFFICE };
			g->a = pick(la, NV(la));
			switch (g->a) {
			case A_P_EMAIL: snprintf(s, sizeof s, "*@corp%d.example", rnd(10)); break;
			case A_P_SPIFFE: snprintf(s, sizeof s, "spiffe://mesh%d/*", rnd(10)); break;
			case A_R_OWNER: snprintf(s, sizeof s, "team%d-*", rnd(10)); break;
			case A_C_AGENT: snprintf(s, sizeof s, "sdk%d/*", rnd(5)); break;
			default: snprintf(s, sizeof s, "office-%d*", rnd(NOFFICES)); break;
			}
			memcpy(g->list[0], s, STR_CAP);
			g->nlist = 1;
			break;
		}
		case G_BOOL: {
			static const int ba[] = { A_P_MFA, A_P_SIGNED, A_R_PUBLIC, A_R_DEPRECATED, A_R_ROTEN };
			g->a = pick(ba, NV(ba));
			g->k = g->a == A_R_DEPRECATED ? 0 : g->a == A_R_PUBLIC ? chance(50) : 1;
			if (in_unless)
				g->k = !g->k;   /* `unless resource.deprecated` reads naturally */
			break;
		}
		case G_CMP: {
			const struct cmp_spec *c = &cmp_specs[rnd(NV(cmp_specs))];
			g->a = c->a;
			if (g->a == A_C_MFAAGE)
				continue;       /* optional: only under G_HAS */
			g->op = rnd(4);
			/* k strictly inside the range so both sides are reachable */
			g->k = c->lo + 1 + rnd((int)(c->hi - c->lo - 1));
			break;
		}
		case G_ATTR_CMP:
			g->op = rnd(6);
			g->a = -1;
			break;
		case G_SET_HAS: {
			static const int sa[] = { A_P_GROUPS, A_R_TAGS, A_P_SCOPES, A_R_TICKETS };
			g->a = pick(sa, NV(sa));
			const char *fmt = g->a == A_P_GROUPS ? "g-%d" : g->a == A_R_TAGS ? "tag-%d"
					  : g->a == A_P_SCOPES ? "scope-%d" : "CHG-%d";
			random_list(g, fmt, g->a == A_R_TICKETS ? 1000 : 40, 1);
			break;
		}
		case G_SET_ANY:
		case G_SET_ALL: {
			static const int sa[] = { A_P_GROUPS, A_R_TAGS, A_P_SCOPES };
			g->a = pick(sa, NV(sa));
			if (g->a == A_P_GROUPS && chance(35))
				g->cnst = K_GROUPS0 + rnd(8);
			else
				random_list(g, g->a == A_P_GROUPS ? "g-%d" : g->a == A_R_TAGS ? "tag-%d"
					    : "scope-%d", 40, 2 + (kind == G_SET_ANY ? rnd(2) : 0));
			break;
		}
		case G_SET_EMPTY: {
			static const int ea[] = { A_R_HOLDS, A_P_GROUPS, A_R_TAGS };
			g->a = pick(ea, NV(ea));
			g->k = g->a == A_R_HOLDS;   /* want empty holds, non-empty groups/tags */
			break;
		}
		case G_HAS: {
			static const int ha[] = { A_P_EXPIRES, A_P_MANAGER, A_P_WSTART, A_P_TASK,
						  A_C_TICKET, A_C_MFAAGE, A_C_SESSION, A_R_NETWORK };
			g->a = pick(ha, NV(ha));
			g->nlist = 1;
			if (g->a == A_P_MANAGER)
				snprintf(g->list[0], STR_CAP, "mgr-%d*", rnd(10));
			else if (g->a == A_P_TASK)
				snprintf(g->list[0], STR_CAP, "TASK-%d*", 1 + rnd(9));
			else if (g->a == A_C_TICKET) {
				snprintf(g->list[0], STR_CAP, "CHG-*");
				g->op = chance(50);
				if (g->op && !attr_ok(d, A_R_TICKETS))
					g->op = 0;
			} else if (g->a == A_C_MFAAGE)
				g->k = (5 + rnd(12) * 5) * MIN_MS;
			else if (g->a == A_C_SESSION)
				g->k = (1 + rnd(8)) * HOUR_MS;
			break;
		}
		case G_TIME: {
			static const int ta[] = { A_P_ISSUED, A_P_TASKEXP, A_R_ROTDUE, A_R_CREATED };
			g->a = pick(ta, NV(ta));
			g->op = g->a == A_P_ISSUED ? 0 : g->a == A_R_CREATED ? 2 : 1;
			if (g->op == 0) {
				g->k = (1 + rnd(24)) * HOUR_MS;
				if (chance(30)) {
					g->cnst = K_MAX_SESSION;
					g->k = 8 * HOUR_MS;
				}
			} else if (g->op == 2) {
				g->k = (1 + rnd(60)) * DAY_MS;
			}
			break;
		}
		case G_IP:
			g->a = A_C_IP;
			g->op = rnd(3);
			if (g->op == 2) {
				g->cnst = K_CORP_NETWORK;
			} else if (g->op == 0) {
				g->k = rnd(256);
				snprintf(g->list[0], STR_CAP, "10.%d.0.0/16", (int)g->k);
			} else {
				g->k = rnd(0x1000);
				snprintf(g->list[0], STR_CAP, "2001:db8:%x::/48", (int)g->k);
			}
			g->nlist = 1;
			break;
		case G_CLOCK:
			if (!chance(20))
				continue;       /* rare: it cannot be violated */
			g->a = -1;
			g->op = rnd(2);
			g->k = 6 + rnd(4);
			break;
		case G_ID_LIKE:
			if (!in_unless)
				continue;
			g->a = A_R_ID;
			snprintf(g->list[0], STR_CAP, "*-draft");
			g->nlist = 1;
			break;
		}
		if (guard_ok(d, g)) {
			guard_take(d, g);
			return true;
		}
	}
	return false;
}

/* Choose the actions of a rule on resource type rt; principal types must
 * overlap `pneed` (0: any). Returns the union masks. */
static void draw_actions(struct rule *r, int rt, unsigned pneed, int want)
{
	int cand[NACTIONS], nc = 0;
	for (int i = 0; i < NACTIONS; i++)
		if ((actions[i].rmask & BIT(rt)) && (!pneed || (actions[i].pmask & pneed)))
			cand[nc++] = i;
	r->nacts = 0;
	for (int i = 0; i < want && nc; i++) {
		int k = rnd(nc);
		r->acts[r->nacts++] = cand[k];
		cand[k] = cand[--nc];
	}
}

static unsigned acts_pmask(const struct rule *r)
{
	unsigned m = 0;
	for (int i = 0; i < r->nacts; i++)
		m |= actions[r->acts[i]].pmask;
	return r->nacts ? m : PALL;
}

static unsigned acts_pinter(const struct rule *r)
{
	unsigned m = PALL;
	for (int i = 0; i < r->nacts; i++)
		m &= actions[r->acts[i]].pmask;
	return m;
}

static unsigned acts_rmask(const struct rule *r)
{
	unsigned m = 0;
	for (int i = 0; i < r->nacts; i++)
		m |= actions[r->acts[i]].rmask;
	return r->nacts ? m : RALL;
}

static int popcount(unsigned m)
{
	int n = 0;
	for (; m; m &= m - 1)
		n++;
	return n;
}

/* A random type of mask m (non-empty). */
static int pick_type(unsigned m)
{
	int k = rnd(popcount(m));
	for (int t = 0; t < NTYPES; t++)
		if ((m & BIT(t)) && k-- == 0)
			return t;
	return -1;
}

/* False for a guard nearly every neutral request passes. */
static bool selective(const struct guard *g)
{
	return !(g->kind == G_CLOCK || (g->kind == G_SET_EMPTY && g->a == A_R_HOLDS)
		 || (g->kind == G_ATTR_CMP && g->op == 1) || g->kind == G_STR_NE
		 || (g->kind == G_STR_IN && g->op));
}

/* A discriminator guard for rules on resource type rt, of a kind not in
 * `avoid` (1 tenant, 2 group, 4 resource id: attributes the rule reads
 * already); false when every kind is. */
static bool disc_guard(struct guard *g, int rt, unsigned avoid)
{
	memset(g, 0, sizeof *g);
	g->b = -1;
	g->cnst = -1;
	int k = rnd(100), kind = k < DISC_TENANT_PCT ? 0 : k < DISC_TENANT_PCT + DISC_GROUP_PCT ? 1 : 2;
	for (int i = 0; i < 3 && (avoid >> kind & 1); i++)
		kind = (kind + 1) % 3;
	if (avoid >> kind & 1)
		return false;
	if (kind == 0) {
		g->kind = G_TENANT;
		g->a = A_R_TENANT;
		random_list(g, "t-%d", ntenants, chance(75) ? 1 : 2 + rnd(2));
	} else if (kind == 1) {
		g->kind = G_SET_HAS;
		g->a = A_P_GROUPS;
		random_list(g, "g-%d", ngroups, 1);
	} else {
		char fmt[16];
		snprintf(fmt, sizeof fmt, "%s%%d", id_prefix[rt]);
		g->a = A_R_ID;
		g->kind = chance(75) ? G_STR_EQ : G_STR_IN;
		random_list(g, fmt, nresids, g->kind == G_STR_EQ ? 1 : 2 + rnd(2));
	}
	return true;
}

static void gen_permit(struct rule *r)
{
	memset(r, 0, sizeof *r);
	int rt = T_DATASET + rnd(4);
	r->rt = rt;
	int want = chance(60) ? 1 : 2 + rnd(2);
	draw_actions(r, rt, 0, want);
	unsigned inter = acts_pinter(r);
	while (!inter) {        /* keep only actions sharing a principal type */
		r->nacts--;
		inter = acts_pinter(r);
	}
	if (chance(65)) {
		r->pscoped = true;
		r->pmask = BIT(pick_type(inter));
		if (popcount(inter) > 1 && chance(35))
			r->pmask |= BIT(pick_type(inter));
	} else {
		r->pmask = acts_pmask(r);
	}
	r->rscoped = !chance(10);
	r->rmask = r->rscoped ? BIT(rt) : acts_rmask(r);

	struct draft d = { .r = r, .peff = r->pmask, .reff = r->rmask };
	d.used[A_P_REVOKED] = d.used[A_P_KEY] = d.used[A_C_MANAGED] = true;     /* forbid-only */
	static const int weights[] = { 1, 2, 2, 2, 3, 3, 3, 4, 4, 5 };
	int nwhen = weights[rnd(NV(weights))];
	/* the discriminator (see the top): one tenant mostly, sometimes a few;
	 * one group; one resource id, sometimes a few */
	if (discriminate) {
		struct guard *g = &r->when[r->nwhen++];
		disc_guard(g, r->rt, 0);
		guard_take(&d, g);
		nwhen--;
	}
	for (int i = 0; i < nwhen && r->nwhen < MAX_WHEN; i++) {
		struct guard *g = &r->when[r->nwhen];
		if (!draw_normal(&d, g, false))
			continue;
		/* the first guard must select: not one every request passes */
		for (int tries = 0; r->nwhen == 0 && !selective(g) && tries < 16; tries++) {
			int as[4], n = guard_attrs(g, as);
			for (int k = 0; k < n; k++)
				d.used[as[k]] = false;
			if (!draw_normal(&d, g, false))
				break;
		}
		if (r->nwhen > 0 || selective(g))
			r->nwhen++;
	}
	r->split = r->nwhen >= 3 && chance(25) ? r->nwhen - 1 : r->nwhen;
	int nunless = chance(25) ? 1 + chance(20) : 0;
	for (int i = 0; i < nunless; i++)
		if (draw_normal(&d, &r->unless[r->nunless], true))
			r->nunless++;
}

static void gen_forbid(struct rule *r)
{
	memset(r, 0, sizeof *r);
	struct guard *bad = &r->when[0];
	memset(bad, 0, sizeof *bad);
	bad->cnst = -1;
	bad->b = -1;
	bad->kind = (enum gkind)(B_REVOKED + rnd(NKINDS - B_REVOKED));
	enum gkind bad_kind = bad->kind;
	unsigned pneed = 0;
	int rt = -1;
	switch (bad->kind) {
	case B_REVOKED: bad->a = A_P_REVOKED; pneed = BIT(T_SA) | BIT(T_AGENT); break;
	case B_KEY:
		bad->a = A_P_KEY;
		pneed = BIT(T_SA) | BIT(T_AGENT);
		if (chance(50))
			bad->cnst = K_REVOKED_KEYS;
		else
			random_list(bad, "key-leak-%d", 20, 1 + rnd(3));
		break;
	case B_QUAR:
		bad->a = A_R_TAGS;
		if (chance(50))
			bad->cnst = K_QUARANTINE;
		else
			random_list(bad, "quarantine-%d", 10, 1 + rnd(2));
		break;
	case B_BADNET:
		bad->a = A_C_IP;
		if (chance(50)) {
			bad->cnst = K_BLOCKED_NET;
		} else {
			bad->k = rnd(256);
			snprintf(bad->list[0], STR_CAP, "198.18.%d.0/24", (int)bad->k);
			bad->nlist = 1;
		}
		break;
	case B_RISK: bad->a = A_C_RISK; bad->k = 80 + rnd(15); break;
	case B_TENANT: bad->a = A_P_TENANT; break;
	case B_HOLD: bad->a = A_R_HOLDS; rt = T_DATASET; break;
	case B_RESTRICTED: bad->a = A_R_CLASS; break;
	case B_EXPIRED: bad->a = A_P_EXPIRES; break;
	case B_BLOCKED_TICKET: bad->a = A_C_TICKET; break;
	case B_UNMANAGED: bad->a = A_C_MANAGED; break;
	case B_UNTRACKED: bad->a = A_P_TASK; pneed = BIT(T_AGENT); break;
	default: break;
	}
	if (rt < 0 && chance(60))
		rt = T_DATASET + rnd(4);
	if (rt >= 0 || chance(50)) {
		if (rt < 0)
			rt = T_DATASET + rnd(4);
		draw_actions(r, rt, pneed, 1 + rnd(3));
		r->rscoped = chance(70);
		if (bad_kind == B_HOLD)
			r->rscoped = true;      /* legal_holds exists on Dataset only */
	} else {
		r->rscoped = false;
	}
	unsigned allowed = acts_pmask(r);
	if (pneed) {
		r->pscoped = true;
		r->pmask = pneed & allowed;
		if (popcount(r->pmask) > 1 && chance(40))
			r->pmask = BIT(pick_type(r->pmask));
	} else if (chance(30)) {
		r->pscoped = true;
		r->pmask = BIT(pick_type(allowed));
	} else {
		r->pmask = allowed;
	}
	r->rmask = r->rscoped ? BIT(rt) : acts_rmask(r);
	if (!r->rscoped && r->nacts == 0 && rt >= 0)
		r->rmask = RALL;

	struct draft d = { .r = r, .peff = r->pmask, .reff = r->rmask };
	int as[4], n = guard_attrs(bad, as);
	for (int i = 0; i < n; i++)
		d.used[as[i]] = true;
	d.used[A_P_TASK] = true;        /* B_UNTRACKED's attribute: keep it simple */
	if (bad->kind == B_UNTRACKED) {
		/* the condition sits in the unless; the when gets an ordinary guard */
		r->unless[0] = *bad;
		r->nunless = 1;
		r->nwhen = 0;
		if (chance(50) && draw_normal(&d, &r->when[0], false))
			r->nwhen = 1;
	} else {
		r->nwhen = 1;
		int extra = rnd(3);
		for (int i = 0; i < extra; i++)
			if (draw_normal(&d, &r->when[r->nwhen], false))
				r->nwhen++;
		if (chance(20) && draw_normal(&d, &r->unless[0], true))
			r->nunless = 1;
	}
	r->split = r->nwhen;
	r->rt = rt >= 0 ? rt : pick_type(r->rmask);
	r->bad = bad_kind;
	/* the discriminator goes first, of a kind whose attributes no guard
	 * of the rule reads */
	unsigned avoid = 0;
	for (int i = 0; i < r->nwhen + r->nunless; i++) {
		n = guard_attrs(i < r->nwhen ? &r->when[i] : &r->unless[i - r->nwhen], as);
		for (int k = 0; k < n; k++)
			avoid |= (as[k] == A_P_TENANT || as[k] == A_R_TENANT ? 1u : 0) |
				 (as[k] == A_P_GROUPS ? 2u : 0) | (as[k] == A_R_ID ? 4u : 0);
	}
	struct guard g;
	if (discriminate && r->nwhen < MAX_WHEN && disc_guard(&g, r->rt, avoid)) {
		memmove(&r->when[1], &r->when[0], (size_t)r->nwhen * sizeof r->when[0]);
		r->when[0] = g;
		r->nwhen++;
		r->split = r->nwhen;
	}
}

/* ---- writing rules -------------------------------------------------------- */

static const char *const bad_names[] = {
	"revoked", "leaked_key", "quarantined", "blocked_network", "high_risk", "cross_tenant",
	"legal_hold", "restricted", "expired_credential", "blocked_ticket", "unmanaged_device",
	"untracked_agent",
};
static const char *const verbs[] = { "allow", "grant", "let", "permit" };
static const char *const res_words[] = { "datasets", "buckets", "functions", "secrets" };

static void rule_name(const struct rule *r, int idx, char *buf, size_t n)
{
	if (r->forbid) {
		snprintf(buf, n, "deny_%s_%05d", bad_names[r->bad - B_REVOKED], idx);
		return;
	}
	snprintf(buf, n, "%s_%s_%s_%05d", verbs[idx % 4], r->nacts ? actions[r->acts[0]].name : "any",
		 res_words[r->rt - T_DATASET], idx);
	for (char *p = buf; *p; p++) {
		if (*p == ':' || *p == '-' || *p == '.' || *p == '/')
			*p = '_';
		else if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
}

static void type_list(struct sbuf *b, unsigned m)
{
	bool first = true;
	for (int t = 0; t < NTYPES; t++)
		if (m & BIT(t)) {
			sb_printf(b, "%s%s", first ? "" : " | ", type_names[t]);
			first = false;
		}
}

static void write_rule(struct sbuf *b, const struct rule *r, int idx)
{
	char name[96];
	rule_name(r, idx, name, sizeof name);
	sb_printf(b, "@owner(\"team-%d\")\n", idx % 37);
	if (idx % 3 == 0)
		sb_printf(b, "@ticket(\"SEC-%d\")\n", 1000 + idx);
	if (idx % 2 == 0)
		sb_printf(b, "@description(\"Generated %s rule %d for the benchmark suite\")\n",
			  r->forbid ? "guardrail" : "access", idx);
	if (idx % 41 == 7)
		sb_printf(b, "@expires(\"2030-0%d-01T00:00:00Z\")\n", 1 + idx % 9);
	sb_printf(b, "%s %s {\n", r->forbid ? "forbid" : "permit", name);
	if (r->pscoped) {
		sb_printf(b, "  principal is ");
		type_list(b, r->pmask);
		sb_printf(b, "\n");
	}
	if (r->nacts == 1) {
		sb_printf(b, "  action == \"%s\"\n", actions[r->acts[0]].name);
	} else if (r->nacts > 1) {
		sb_printf(b, "  action in [");
		for (int i = 0; i < r->nacts; i++)
			sb_printf(b, "%s\"%s\"", i ? ", " : "", actions[r->acts[i]].name);
		sb_printf(b, "]\n");
	}
	if (r->rscoped) {
		sb_printf(b, "  resource is ");
		type_list(b, r->rmask);
		sb_printf(b, "\n");
	}
	for (int i = 0; i < r->nwhen; i++) {
		sb_printf(b, i == 0 || i == r->split ? "  when " : "   and ");
		guard_fmt(b, &r->when[i]);
		sb_printf(b, "\n");
	}
	for (int i = 0; i < r->nunless; i++) {
		sb_printf(b, "  unless ");
		guard_fmt(b, &r->unless[i]);
		sb_printf(b, "\n");
	}
	sb_printf(b, "}\n\n");
}

/* ---- packages and files --------------------------------------------------- */

enum { PKG_DATASETS, PKG_BUCKETS, PKG_FUNCTIONS, PKG_SECRETS, PKG_GUARDRAILS, NPKGS };
static const char *const pkg_names[NPKGS] = { "datasets", "buckets", "functions", "secrets", "guardrails" };

struct pkg_out {
	struct sbuf b;
	int rules, files;
};

static void pkg_flush(const char *dir, int p, struct pkg_out *o)
{
	if (!o->rules)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/policies/%s/%s_%03d.authz", dir, pkg_names[p], pkg_names[p], o->files);
	write_file(path, &o->b);
	o->b.len = 0;
	o->rules = 0;
	o->files++;
}

static void pkg_add(const char *dir, int p, struct pkg_out *o, const struct rule *r, int idx)
{
	if (o->rules == 0) {
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/policies/%s", dir, pkg_names[p]);
		make_dir(sub);
		sb_printf(&o->b, "// Generated by tests/bench/gen.c: %s, file %d.\npackage %s;\n\n",
			  pkg_names[p], o->files, pkg_names[p]);
	}
	write_rule(&o->b, r, idx);
	if (++o->rules == RULES_PER_FILE)
		pkg_flush(dir, p, o);
}

/* ---- schema and config ---------------------------------------------------- */

static void schema_attrs(struct sbuf *b, enum root root, unsigned tbit, const char *indent)
{
	bool first = true;
	for (int i = 0; i < NATTRS; i++) {
		const struct attr *x = &attrs[i];
		if (x->root != root || !(x->mask & tbit) || !strcmp(x->head, "id"))
			continue;
		if (x->leaf && i > 0 && attrs[i - 1].root == root && attrs[i - 1].leaf
		    && !strcmp(attrs[i - 1].head, x->head))
			continue;       /* printed with its record */
		sb_printf(b, "%s\n%s\"%s%s\": ", first ? "" : ",", indent, x->head, x->opt ? "?" : "");
		first = false;
		if (!x->leaf) {
			sb_printf(b, "\"%s\"", vtype_names[x->vt]);
			continue;
		}
		sb_printf(b, "{ ");
		for (int j = i; j < NATTRS && attrs[j].root == root && attrs[j].leaf
		     && !strcmp(attrs[j].head, x->head); j++)
			sb_printf(b, "%s\"%s\": \"%s\"", j > i ? ", " : "", attrs[j].leaf, vtype_names[attrs[j].vt]);
		sb_printf(b, " }");
	}
}

static void write_schema(const char *dir)
{
	struct sbuf b = { 0 };
	sb_printf(&b, "{\n  \"types\": {");
	for (int t = 0; t < NTYPES; t++) {
		sb_printf(&b, "%s\n    \"%s\": {", t ? "," : "", type_names[t]);
		schema_attrs(&b, t < T_DATASET ? R_P : R_R, BIT(t), "      ");
		sb_printf(&b, "\n    }");
	}
	sb_printf(&b, "\n  },\n  \"actions\": {");
	for (int i = 0; i < NACTIONS; i++) {
		sb_printf(&b, "%s\n    \"%s\": { \"principals\": [", i ? "," : "", actions[i].name);
		bool first = true;
		for (int t = 0; t < NTYPES; t++)
			if (actions[i].pmask & BIT(t)) {
				sb_printf(&b, "%s\"%s\"", first ? "" : ", ", type_names[t]);
				first = false;
			}
		sb_printf(&b, "], \"resources\": [");
		first = true;
		for (int t = 0; t < NTYPES; t++)
			if (actions[i].rmask & BIT(t)) {
				sb_printf(&b, "%s\"%s\"", first ? "" : ", ", type_names[t]);
				first = false;
			}
		sb_printf(&b, "] }");
	}
	sb_printf(&b, "\n  },\n  \"context\": {");
	schema_attrs(&b, R_C, CTX, "    ");
	sb_printf(&b, "\n  }\n}\n");
	char path[4096];
	snprintf(path, sizeof path, "%s/schema.json", dir);
	write_file(path, &b);
	free(b.p);

	struct sbuf c = { 0 };
	sb_printf(&c, "{\n  \"schema\": \"schema.json\",\n  \"policies\": [\"policies\"],\n"
		  "  \"tests\": []\n}\n");
	snprintf(path, sizeof path, "%s/authzc.json", dir);
	write_file(path, &c);
	free(c.p);
}

/* ---- writing requests ------------------------------------------------------- */

static void json_str(struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(b, "\\%c", *s);
		else
			sb_printf(b, "%c", *s);
	}
	sb_printf(b, "\"");
}

static void json_time(struct sbuf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[40];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sb_printf(b, "\"%s\"", buf);
}

static void json_val(struct sbuf *b, const struct req *q, int a)
{
	const struct val *v = &q->v[a];
	char d[32];
	switch (attrs[a].vt) {
	case V_STR:
	case V_IP: json_str(b, v->s); break;
	case V_INT: sb_printf(b, "%" PRId64, v->i); break;
	case V_BOOL: sb_printf(b, "%s", v->i ? "true" : "false"); break;
	case V_TS: json_time(b, v->i); break;
	case V_DUR:
		fmt_duration(d, sizeof d, v->i);
		sb_printf(b, "\"%s\"", d);
		break;
	case V_SET:
		sb_printf(b, "[");
		for (int i = 0; i < v->nset; i++) {
			sb_printf(b, "%s", i ? "," : "");
			json_str(b, v->set[i]);
		}
		sb_printf(b, "]");
		break;
	}
}

static void json_attrs(struct sbuf *b, const struct req *q, enum root root, unsigned tbit)
{
	sb_printf(b, "{");
	bool first = true;
	for (int i = 0; i < NATTRS; i++) {
		const struct attr *x = &attrs[i];
		if (x->root != root || !(x->mask & tbit) || !strcmp(x->head, "id") || !q->present[i])
			continue;
		if (x->leaf && i > 0 && attrs[i - 1].root == root && attrs[i - 1].leaf
		    && !strcmp(attrs[i - 1].head, x->head))
			continue;
		sb_printf(b, "%s\"%s\":", first ? "" : ",", x->head);
		first = false;
		if (!x->leaf) {
			json_val(b, q, i);
			continue;
		}
		sb_printf(b, "{");
		for (int j = i; j < NATTRS && attrs[j].root == root && attrs[j].leaf
		     && !strcmp(attrs[j].head, x->head); j++) {
			sb_printf(b, "%s\"%s\":", j > i ? "," : "", attrs[j].leaf);
			json_val(b, q, j);
		}
		sb_printf(b, "}");
	}
	sb_printf(b, "}");
}

static void json_request(struct sbuf *b, const struct req *q)
{
	sb_printf(b, "{\"principal\":{\"type\":\"%s\",\"id\":", type_names[q->pt]);
	json_str(b, q->v[A_P_ID].s);
	sb_printf(b, ",\"attrs\":");
	json_attrs(b, q, R_P, BIT(q->pt));
	sb_printf(b, "},\"action\":\"%s\",\"resource\":{\"type\":\"%s\",\"id\":", actions[q->act].name,
		  type_names[q->rt]);
	json_str(b, q->v[A_R_ID].s);
	sb_printf(b, ",\"attrs\":");
	json_attrs(b, q, R_R, BIT(q->rt));
	sb_printf(b, "},\"context\":");
	json_attrs(b, q, R_C, CTX);
	sb_printf(b, ",\"time\":\"%s\"}\n", NOW_TEXT);
}

/* A request in r's scope: its action, principal and resource types. */
static bool req_scope(const struct rule *r, struct req *q)
{
	for (int tries = 0; tries < 16; tries++) {
		int act = r->nacts ? r->acts[rnd(r->nacts)] : rnd(NACTIONS);
		unsigned pm = actions[act].pmask & r->pmask, rm = actions[act].rmask & r->rmask;
		if (!pm || !rm)
			continue;
		req_base(q, pick_type(pm), act, pick_type(rm));
		return true;
	}
	return false;
}

static bool rule_matches_scope(const struct rule *r, const struct req *q)
{
	if (!(r->pmask & BIT(q->pt)) || !(r->rmask & BIT(q->rt)))
		return false;
	if (!r->nacts)
		return true;
	for (int i = 0; i < r->nacts; i++)
		if (r->acts[i] == q->act)
			return true;
	return false;
}

static void satisfy(const struct rule *r, struct req *q)
{
	for (int i = 0; i < r->nwhen; i++)
		guard_set(&r->when[i], q, true);
	for (int i = 0; i < r->nunless; i++)
		guard_set(&r->unless[i], q, false);
}

enum { REQ_ALLOW, REQ_VIOLATE, REQ_FORBID };

static void write_requests(const char *dir, const struct rule *rules, int n, int m)
{
	int *permits = malloc(sizeof(int) * (size_t)n), np = 0;
	int *forbids = malloc(sizeof(int) * (size_t)n), nf = 0;
	if (!permits || !forbids)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		if (rules[i].forbid)
			forbids[nf++] = i;
		else
			permits[np++] = i;
	}
	struct sbuf b = { 0 };
	struct req *q = malloc(sizeof *q);
	if (!q)
		die("out of memory");
	int counts[3] = { 0 };
	for (int i = 0; i < m; i++) {
		const struct rule *r = &rules[permits[rnd(np)]];
		if (!req_scope(r, q)) {
			i--;
			continue;
		}
		satisfy(r, q);
		int want = rnd(100) < GEN_ALLOW_PCT ? REQ_ALLOW : rnd(100) < 50 ? REQ_VIOLATE : REQ_FORBID;
		if (want == REQ_FORBID) {
			const struct rule *f = NULL;
			for (int t = 0; t < 64 && nf && !f; t++) {
				const struct rule *c = &rules[forbids[rnd(nf)]];
				if (rule_matches_scope(c, q))
					f = c;
			}
			if (f)
				satisfy(f, q);
			else
				want = REQ_VIOLATE;
		}
		if (want == REQ_VIOLATE) {
			int cand[MAX_WHEN + MAX_UNLESS], nc = 0;
			for (int k = 0; k < r->nwhen; k++)
				if (r->when[k].kind != G_CLOCK)
					cand[nc++] = k;
			for (int k = 0; k < r->nunless; k++)
				cand[nc++] = MAX_WHEN + k;
			if (nc) {
				int k = cand[rnd(nc)];
				if (k < MAX_WHEN)
					guard_set(&r->when[k], q, false);
				else
					guard_set(&r->unless[k - MAX_WHEN], q, true);
			} else {
				want = REQ_ALLOW;
			}
		}
		counts[want]++;
		json_request(&b, q);
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/requests.jsonl", dir);
	write_file(path, &b);
	fprintf(stderr, "gen: %d requests: %d built to be allowed, %d with a violated guard, "
		"%d triggering a forbid\n", m, counts[REQ_ALLOW], counts[REQ_VIOLATE], counts[REQ_FORBID]);
	free(b.p);
	free(q);
	free(permits);
	free(forbids);
}

/* ---- main ------------------------------------------------------------------- */

static long parse_num(const char *s, const char *what, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		die("bad %s '%s' (0..%ld)", what, s, max);
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fputs("usage: gen N OUTDIR [SEED] [M]\n"
		      "write a project of N rules and M requests (default 10000) to OUTDIR\n", stderr);
		return 2;
	}
	int n = (int)parse_num(argv[1], "rule count", 1000000);
	const char *dir = argv[2];
	rng_state = argc > 3 ? (uint64_t)parse_num(argv[3], "seed", 0x7fffffffL) : 42;
	int m = argc > 4 ? (int)parse_num(argv[4], "request count", 10000000) : 10000;
	if (n < 1)
		die("need at least one rule");

	char path[4096];
	make_dir(dir);
	snprintf(path, sizeof path, "%s/policies", dir);
	make_dir(path);
	write_schema(dir);

	struct rule *rules = calloc((size_t)n, sizeof *rules);
	if (!rules)
		die("out of memory");
	struct pkg_out out[NPKGS];
	memset(out, 0, sizeof out);
	int nforbid = 0, nglobal = 0;
	ntenants = n / 20 > 20 ? n / 20 : 20;
	ngroups = n / 25 > 40 ? n / 25 : 40;
	nresids = n > 100 ? n : 100;
	for (int i = 0; i < n; i++) {
		struct rule *r = &rules[i];
		discriminate = !(nglobal < MAX_GLOBAL && chance(GLOBAL_PCT));
		nglobal += !discriminate;
		bool forbid = i == 0 ? false : i == 1 ? true : chance(15);
		if (forbid)
			gen_forbid(r);
		else
			gen_permit(r);
		r->forbid = forbid;
		nforbid += forbid;
		int p = forbid && (r->rmask == RALL || chance(50)) ? PKG_GUARDRAILS
			: r->rt - T_DATASET;
		pkg_add(dir, p, &out[p], r, i);
	}
	for (int p = 0; p < NPKGS; p++) {
		pkg_flush(dir, p, &out[p]);
		free(out[p].b.p);
	}
	write_consts(dir);
	fprintf(stderr, "gen: %d rules (%d permits, %d forbids; %d global) in %s\n", n, n - nforbid, nforbid,
		nglobal, dir);
	write_requests(dir, rules, n, m);
	free(rules);
	return 0;
}
