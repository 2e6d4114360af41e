/*
 * config.c: read and validate authzc.json (see project.h, config.h).
 *
 * Every fault is reported, not just the first: an unknown key (E0202, with
 * the closest known key suggested), a duplicate key (E0204), a value of the
 * wrong kind or out of range (E0203), each at its JSON path.  Invalid JSON
 * (E0201) points at the line and column where cJSON gave up.  A value that
 * is faulty keeps its default, so later phases still have a whole config.
 */
#include "authz.h"
#include "config.h"
#include "json.h"
#include "suggest.h"
#include "text.h"
#include "utf8.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
	"schema", "policies", "tests", "environments", "env_ref_prefix", "gates", "serve",
	"trusted_keys",
};
#define NTOP (sizeof top_keys / sizeof top_keys[0])

static const char *const gate_keys[] = { "min_guard_coverage", "untested_loosening", "environments" };
static const char *const env_gate_keys[] = { "approvals", "require_ticket", "min_soak" };
#define NGATES (sizeof gate_keys / sizeof gate_keys[0])

/* Longest name, environment or path shown in a message. */
#define SHOW_MAX 64

void project_config_defaults(struct project_config *cfg, struct arena *a)
{
	static const char *const envs[] = { "dev", "staging", "prod" };
	memset(cfg, 0, sizeof(*cfg));
	cfg->schema = arena_strdup(a, "schema.json");
	cfg->policies = arena_calloc(a, 1, sizeof(char *));
	cfg->policies[0] = arena_strdup(a, "policies");
	cfg->npolicies = 1;
	cfg->tests = arena_calloc(a, 1, sizeof(char *));
	cfg->tests[0] = arena_strdup(a, "tests");
	cfg->ntests = 1;
	cfg->environments = arena_calloc(a, 3, sizeof(char *));
	for (size_t i = 0; i < 3; i++)
		cfg->environments[i] = arena_strdup(a, envs[i]);
	cfg->nenvironments = 3;
	cfg->env_ref_prefix = arena_strdup(a, "refs/heads/env/");
	cfg->min_guard_coverage = 100;
}

char *config_norm_path(struct arena *a, const char *path, const char **why)
{
	size_t len = strlen(path);
	if (len && path[0] == '/') {
		*why = "must be relative to the project root";
		return NULL;
	}
	char *out = arena_alloc(a, len + 1);
	size_t o = 0, i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		size_t seg = j - i;
		if (seg == 2 && path[i] == '.' && path[i + 1] == '.') {
			*why = "must stay inside the project root (no '..')";
			return NULL;
		}
		if (seg > 0 && !(seg == 1 && path[i] == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, path + i, seg);
			o += seg;
		}
		i = j + 1;
	}
	out[o] = '\0';
	return out;
}

/* ---- the loader ----------------------------------------------------------------- */

struct cfg_ctx {
	struct compilation *c;
	struct source_tree *tree;
	uint32_t file;
	size_t errors;
};

/* Append a diagnostic at JSON path `path` and count it. */
#define bad(x, code, path, ...) \
	((x)->errors++, diag_json(&(x)->c->diags, (code), (x)->file, (path), __VA_ARGS__))

static char *show(struct cfg_ctx *x, const char *s)
{
	return text_show(&x->c->arena, s, strlen(s), SHOW_MAX);
}

/* A path string at `path`; NULL (reported) when bad. */
static char *get_path(struct cfg_ctx *x, const cJSON *v, const char *path, bool root_ok)
{
	if (!cJSON_IsString(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected a string, found %s", json_kind(v));
		return NULL;
	}
	const char *why = NULL;
	char *p = config_norm_path(&x->c->arena, v->valuestring, &why);
	if (!p) {
		bad(x, E_CONFIG_VALUE, path, "path '%s' %s", show(x, v->valuestring), why);
		return NULL;
	}
	if (!*v->valuestring) {
		bad(x, E_CONFIG_VALUE, path, "path must not be empty");
		return NULL;
	}
	if (!*p && !root_ok) {
		bad(x, E_CONFIG_VALUE, path, "path '%s' must name a file, not the project root",
		    show(x, v->valuestring));
		return NULL;
	}
	return p;
}

/*
 * An array of strings at `path`, each element read by `one` (which reports
 * what is wrong with it and returns NULL, or returns the string to keep;
 * it sees the ones kept so far).  On no new error, the list goes to *out
 * and *nout; `what` names the elements in the message for a non-array.
 */
typedef char *list_elem_fn(struct cfg_ctx *x, const cJSON *e, const char *path,
			   char *const *kept, size_t nkept);

static void get_list(struct cfg_ctx *x, const cJSON *v, const char *path, const char *what,
		     list_elem_fn *one, char ***out, size_t *nout)
{
	struct arena *a = &x->c->arena;
	if (!cJSON_IsArray(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an array of %s, found %s", what, json_kind(v));
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), k = 0, before = x->errors;
	char **list = arena_calloc(a, n ? n : 1, sizeof(char *));
	const cJSON *e;
	size_t i = 0;
	cJSON_ArrayForEach(e, v) {
		char *p = one(x, e, json_path_index(a, path, i++), list, k);
		if (p)
			list[k++] = p;
	}
	if (x->errors == before) {
		*out = list;
		*nout = k;
	}
}

static char *path_elem(struct cfg_ctx *x, const cJSON *e, const char *path, char *const *kept,
		       size_t nkept)
{
	(void)kept;
	(void)nkept;
	return get_path(x, e, path, true);
}

/* policies / tests: an array of path strings, or one string. */
static void get_path_list(struct cfg_ctx *x, const cJSON *v, const char *path,
			  char ***out, size_t *nout)
{
	if (cJSON_IsString(v)) {
		char *p = get_path(x, v, path, true);
		if (p) {
			*out = arena_calloc(&x->c->arena, 1, sizeof(char *));
			(*out)[0] = p;
			*nout = 1;
		}
		return;
	}
	get_list(x, v, path, "paths or a path", path_elem, out, nout);
}

/* A name usable in a git ref and a tag name authzc/<env>/<N>. */
static bool env_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return false;
	for (const char *p = s; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return false;
		if (ch == '.' && p[1] == '.')
			return false;
	}
	size_t n = strlen(s);
	return s[n - 1] != '.' && !(n >= 5 && !strcmp(s + n - 5, ".lock"));
}

static char *env_elem(struct cfg_ctx *x, const cJSON *e, const char *p, char *const *kept,
		      size_t nkept)
{
	if (!cJSON_IsString(e)) {
		bad(x, E_CONFIG_VALUE, p, "expected a string, found %s", json_kind(e));
		return NULL;
	}
	const char *name = e->valuestring;
	if (!*name) {
		bad(x, E_CONFIG_VALUE, p, "environment name must not be empty");
		return NULL;
	}
	if (!env_name_ok(name)) {
		struct diag *d = bad(x, E_CONFIG_VALUE, p, "invalid environment name '%s'",
				     show(x, name));
		diag_help(&x->c->diags, d, "use letters, digits, '_', '-' and '.', starting with a letter or digit");
		return NULL;
	}
	for (size_t j = 0; j < nkept; j++) {
		if (!strcmp(kept[j], name)) {
			bad(x, E_CONFIG_VALUE, p, "duplicate environment '%s'", show(x, name));
			return NULL;
		}
	}
	return arena_strdup(&x->c->arena, name);
}

static void get_environments(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	get_list(x, v, path, "environment names", env_elem, &x->c->config.environments,
		 &x->c->config.nenvironments);
}

static void get_ref_prefix(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	if (!cJSON_IsString(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected a string, found %s", json_kind(v));
		return;
	}
	const char *s = v->valuestring;
	size_t n = strlen(s);
	if (n < 6 || strncmp(s, "refs/", 5) != 0 || s[n - 1] != '/') {
		bad(x, E_CONFIG_VALUE, path, "ref prefix '%s' must start with 'refs/' and end with '/'",
		    show(x, s));
		return;
	}
	/* git check-ref-format's rules, for the part a prefix can break. */
	bool ok = !strstr(s, "..") && !strstr(s, "//") && !strstr(s, "@{") && !strstr(s, "/.");
	for (const char *p = s; *p && ok; p++) {
		unsigned char ch = (unsigned char)*p;
		ok = ch > 0x20 && ch != 0x7f && !strchr("~^:?*[\\", ch);
	}
	if (!ok) {
		bad(x, E_CONFIG_VALUE, path, "ref prefix '%s' is not a valid git ref name", show(x, s));
		return;
	}
	x->c->config.env_ref_prefix = arena_strdup(&x->c->arena, s);
}

static void unknown_key(struct cfg_ctx *x, const char *key, const char *path,
			const char *const *known, size_t nknown)
{
	struct diag *d = bad(x, E_CONFIG_KEY, path, "unknown key '%s'", show(x, key));
	const char *s = suggest_closest(key, known, nknown);
	if (s) {
		diag_help(&x->c->diags, d, "did you mean '%s'?", s);
	} else {
		char *list = arena_strdup(&x->c->arena, "");
		for (size_t i = 0; i < nknown; i++)
			list = arena_printf(&x->c->arena, "%s%s'%s'", list, i ? ", " : "", known[i]);
		diag_help(&x->c->diags, d, "known keys: %s", list);
	}
}

/*
 * A soak of authzc.json: a duration as policies write it (authz_parse_duration:
 * "24h", "1h30m", "7d"), not negative, at most 3650 days.  false when not.
 */
static bool parse_soak(const char *s, int64_t *out)
{
	int64_t ms;
	if (authz_parse_duration(s, strlen(s), &ms) != 0 || ms < 0 || ms > (int64_t)3650 * 86400000)
		return false;
	*out = ms;
	return true;
}

/* One member of gates.environments.<env>. */
static void env_gate_member(struct cfg_ctx *x, int k, const cJSON *e, const char *path, void *arg)
{
	struct env_gates *eg = arg;
	switch (k) {
	case 0:                 /* approvals */
		if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 64 ||
		    e->valuedouble != (double)(int)e->valuedouble) {
			bad(x, E_CONFIG_VALUE, path, "expected a whole number of approvals from 0 to 64, found %s",
			    cJSON_IsNumber(e) ? arena_printf(&x->c->arena, "%g", e->valuedouble) : json_kind(e));
			return;
		}
		eg->approvals = (unsigned)e->valuedouble;
		return;
	case 1:                 /* require_ticket */
		if (!cJSON_IsBool(e)) {
			bad(x, E_CONFIG_VALUE, path, "expected true or false, found %s", json_kind(e));
			return;
		}
		eg->require_ticket = cJSON_IsTrue(e);
		return;
	default:                /* min_soak */
		if (!cJSON_IsString(e) || !parse_soak(e->valuestring, &eg->min_soak_ms)) {
			struct diag *d = bad(x, E_CONFIG_VALUE, path, "expected a duration such as \"24h\", found %s",
					     cJSON_IsString(e) ? arena_printf(&x->c->arena, "\"%s\"",
									      show(x, e->valuestring)) : json_kind(e));
			diag_help(&x->c->diags, d, "digits and a unit (d, h, m, s, ms), repeated: \"1d12h\"; at most 3650d");
			return;
		}
		eg->has_soak = true;
		return;
	}
}

static bool get_members(struct cfg_ctx *x, const cJSON *v, const char *path, const char *const *known,
			size_t nknown, void (*fn)(struct cfg_ctx *, int, const cJSON *, const char *, void *),
			void *arg);

/* gates.environments: an object of environment name -> its gates (the
 * names are checked against "environments" once the whole file is read). */
static void get_env_gates(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	struct arena *a = &x->c->arena;
	struct project_config *cfg = &x->c->config;
	if (!cJSON_IsObject(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an object of environment names, found %s", json_kind(v));
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(v);
	cfg->env_gates = arena_calloc(a, n ? n : 1, sizeof *cfg->env_gates);
	cfg->nenv_gates = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		const char *key = e->string ? e->string : "";
		char *p = json_path_key(a, path, key);
		size_t j;
		for (j = 0; j < cfg->nenv_gates; j++)
			if (!strcmp(cfg->env_gates[j].env, key))
				break;
		if (j < cfg->nenv_gates) {
			bad(x, E_CONFIG_DUP, p, "duplicate key '%s'", show(x, key));
			continue;
		}
		struct env_gates eg = { .env = arena_strdup(a, key), .path = p };
		if (get_members(x, e, p, env_gate_keys, sizeof env_gate_keys / sizeof env_gate_keys[0],
				env_gate_member, &eg))
			cfg->env_gates[cfg->nenv_gates++] = eg;
	}
}

/* After the whole file: every gates.environments name is an environment,
 * and min_soak has a previous environment to soak in. */
static void check_env_gates(struct cfg_ctx *x)
{
	struct project_config *cfg = &x->c->config;
	for (size_t i = 0; i < cfg->nenv_gates; i++) {
		const struct env_gates *eg = &cfg->env_gates[i];
		size_t k;
		for (k = 0; k < cfg->nenvironments; k++)
			if (!strcmp(cfg->environments[k], eg->env))
				break;
		if (k == cfg->nenvironments) {
			struct diag *d = bad(x, E_CONFIG_VALUE, eg->path, "'%s' is not an environment",
					     show(x, eg->env));
			const char *s = suggest_closest(eg->env, (const char *const *)cfg->environments,
							cfg->nenvironments);
			if (s)
				diag_help(&x->c->diags, d, "did you mean '%s'?", s);
			else
				diag_help(&x->c->diags, d, "gates apply to the names listed in \"environments\"");
		} else if (k == 0 && eg->has_soak) {
			struct diag *d = bad(x, E_CONFIG_VALUE, json_path_key(&x->c->arena, eg->path, "min_soak"),
					     "'%s' is the first environment: there is none before it to soak in",
					     show(x, eg->env));
			diag_help(&x->c->diags, d, "put min_soak on a later environment");
		}
	}
}

static void get_gates(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	struct arena *a = &x->c->arena;
	if (!cJSON_IsObject(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an object, found %s", json_kind(v));
		return;
	}
	bool seen[NGATES] = { false };
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		const char *key = e->string ? e->string : "";
		char *p = json_path_key(a, path, key);
		int k = json_key_index(key, gate_keys, NGATES);
		if (k < 0) {
			unknown_key(x, key, p, gate_keys, NGATES);
			continue;
		}
		if (seen[k]) {
			bad(x, E_CONFIG_DUP, p, "duplicate key '%s'", key);
			continue;
		}
		seen[k] = true;
		if (k == 2) {
			get_env_gates(x, e, p);
			continue;
		}
		if (k == 1) {           /* untested_loosening */
			if (!cJSON_IsString(e) || (strcmp(e->valuestring, "refuse") && strcmp(e->valuestring, "allow"))) {
				bad(x, E_CONFIG_VALUE, p, "expected \"refuse\" or \"allow\", found %s",
				    cJSON_IsString(e) ? arena_printf(a, "\"%s\"", e->valuestring) : json_kind(e));
				continue;
			}
			x->c->config.refuse_untested_loosening = !strcmp(e->valuestring, "refuse");
			continue;
		}
		/* k == 0: min_guard_coverage */
		if (!cJSON_IsNumber(e)) {
			bad(x, E_CONFIG_VALUE, p, "expected a number from 0 to 100, found %s",
			    json_kind(e));
			continue;
		}
		double d = e->valuedouble;
		if (!(d >= 0 && d <= 100)) {
			char num[64];
			snprintf(num, sizeof num, "%g", d);
			bad(x, E_CONFIG_VALUE, p, "expected a number from 0 to 100, found %s", num);
			continue;
		}
		x->c->config.min_guard_coverage = d;
	}
}

/* {====================================================================
** serve.gateway (authzc-serve(1), GATEWAY)
** ===================================================================== */

static const char *const serve_keys[] = { "gateway" };
static const char *const gw_keys[] = {
	"method_header", "path_header", "principal", "action", "resource", "context",
};
static const char *const entity_keys[] = { "type", "id", "attrs" };
#define NKEYS(k) (sizeof k / sizeof k[0])

/*
 * The members of object `v` at `path`, each key checked against `known`
 * (unknown and duplicate keys reported), each known one handed to `fn`
 * with its index.  false (reported) when `v` is not an object.
 */
typedef void member_fn(struct cfg_ctx *x, int k, const cJSON *e, const char *path, void *arg);

static bool get_members(struct cfg_ctx *x, const cJSON *v, const char *path, const char *const *known,
			size_t nknown, member_fn *fn, void *arg)
{
	if (!cJSON_IsObject(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an object, found %s", json_kind(v));
		return false;
	}
	bool seen[8] = { false };
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		const char *key = e->string ? e->string : "";
		char *p = json_path_key(&x->c->arena, path, key);
		int k = json_key_index(key, known, nknown);
		if (k < 0) {
			unknown_key(x, key, p, known, nknown);
			continue;
		}
		if (seen[k]) {
			bad(x, E_CONFIG_DUP, p, "duplicate key '%s'", key);
			continue;
		}
		seen[k] = true;
		fn(x, k, e, p, arg);
	}
	return true;
}

/* A header name: an HTTP token (RFC 9110). */
static bool header_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", *s)))
			return false;
	return true;
}

/* A source: "header:NAME", "segment:N", "method", or a literal. */
static void get_source(struct cfg_ctx *x, const cJSON *v, const char *path, struct gw_source *out)
{
	struct arena *a = &x->c->arena;
	if (!cJSON_IsString(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected a string, found %s", json_kind(v));
		return;
	}
	const char *s = v->valuestring;
	if (!strncmp(s, "header:", 7)) {
		if (!header_name_ok(s + 7)) {
			bad(x, E_CONFIG_VALUE, path, "'%s' does not name a header", show(x, s));
			return;
		}
		*out = (struct gw_source){ GW_HEADER, arena_strdup(a, s + 7), 0 };
	} else if (!strncmp(s, "segment:", 8)) {
		char *end;
		long n = strtol(s + 8, &end, 10);
		if (s[8] < '1' || s[8] > '9' || *end || n > 64) {
			bad(x, E_CONFIG_VALUE, path, "'%s' must name a path segment from 1 to 64", show(x, s));
			return;
		}
		*out = (struct gw_source){ GW_SEGMENT, NULL, (unsigned)n };
	} else if (!strcmp(s, "method")) {
		*out = (struct gw_source){ GW_METHOD, NULL, 0 };
	} else if (!*s) {
		bad(x, E_CONFIG_VALUE, path, "expected a source ('header:NAME', 'segment:N', 'method') or a literal, found \"\"");
	} else {
		*out = (struct gw_source){ GW_LITERAL, arena_strdup(a, s), 0 };
	}
}

/* An object of attribute (or method) name -> source into *pairs. */
static void get_pairs(struct cfg_ctx *x, const cJSON *v, const char *path, struct gw_pair **pairs,
		      size_t *npairs, bool literal_only)
{
	if (!cJSON_IsObject(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an object, found %s", json_kind(v));
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
	struct gw_pair *list = arena_calloc(&x->c->arena, n ? n : 1, sizeof *list);
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		const char *key = e->string ? e->string : "";
		char *p = json_path_key(&x->c->arena, path, key);
		bool dup = false;
		for (size_t i = 0; i < k; i++)
			dup = dup || !strcmp(list[i].key, key);
		if (dup) {
			bad(x, E_CONFIG_DUP, p, "duplicate key '%s'", show(x, key));
			continue;
		}
		if (!*key) {
			bad(x, E_CONFIG_VALUE, p, "a name must not be empty");
			continue;
		}
		struct gw_source src = { GW_NONE, NULL, 0 };
		if (literal_only && cJSON_IsString(e) && *e->valuestring)
			src = (struct gw_source){ GW_LITERAL, arena_strdup(&x->c->arena, e->valuestring), 0 };
		else if (literal_only)
			bad(x, E_CONFIG_VALUE, p, "expected an action name, found %s", json_kind(e));
		else
			get_source(x, e, p, &src);
		if (src.kind != GW_NONE)
			list[k++] = (struct gw_pair){ arena_strdup(&x->c->arena, key), src };
	}
	*pairs = list;
	*npairs = k;
}

struct entity_arg {
	struct gw_config *g;
	int root;
	struct gw_source *type, *id;
};

static void entity_member(struct cfg_ctx *x, int k, const cJSON *e, const char *path, void *arg)
{
	struct entity_arg *ea = arg;
	if (k == 0)
		get_source(x, e, path, ea->type);
	else if (k == 1)
		get_source(x, e, path, ea->id);
	else
		get_pairs(x, e, path, &ea->g->attrs[ea->root], &ea->g->nattrs[ea->root], false);
}

/* A key object `v` must have (a faulty value is reported where it is). */
static void need(struct cfg_ctx *x, const cJSON *v, const char *path, const char *key)
{
	if (!cJSON_GetObjectItemCaseSensitive(v, key))
		bad(x, E_CONFIG_VALUE, path, "missing key '%s'", key);
}

static void gateway_member(struct cfg_ctx *x, int k, const cJSON *e, const char *path, void *arg)
{
	struct gw_config *g = arg;
	struct arena *a = &x->c->arena;
	switch (k) {
	case 0:
	case 1:
		if (!cJSON_IsString(e) || !header_name_ok(e->valuestring)) {
			bad(x, E_CONFIG_VALUE, path, "expected a header name, found %s", json_kind(e));
			break;
		}
		*(k == 0 ? &g->method_header : &g->path_header) = arena_strdup(a, e->valuestring);
		break;
	case 2:
	case 4: {
		struct entity_arg ea = { g, k == 2 ? GW_PRINCIPAL : GW_RESOURCE,
					 k == 2 ? &g->principal_type : &g->resource_type,
					 k == 2 ? &g->principal_id : &g->resource_id };
		if (get_members(x, e, path, entity_keys, NKEYS(entity_keys), entity_member, &ea)) {
			need(x, e, path, "type");
			need(x, e, path, "id");
		}
		break;
	}
	case 3:
		if (cJSON_IsObject(e))
			get_pairs(x, e, path, &g->methods, &g->nmethods, true);
		else
			get_source(x, e, path, &g->action);
		break;
	case 5:
		get_pairs(x, e, path, &g->attrs[GW_CONTEXT], &g->nattrs[GW_CONTEXT], false);
		break;
	}
}

static void serve_member(struct cfg_ctx *x, int k, const cJSON *e, const char *path, void *arg)
{
	(void)k;
	(void)arg;
	struct arena *a = &x->c->arena;
	struct gw_config *g = arena_calloc(a, 1, sizeof *g);
	g->method_header = arena_strdup(a, "X-Original-Method");
	g->path_header = arena_strdup(a, "X-Original-URI");
	size_t before = x->errors;
	if (!get_members(x, e, path, gw_keys, NKEYS(gw_keys), gateway_member, g))
		return;
	need(x, e, path, "principal");
	need(x, e, path, "action");
	need(x, e, path, "resource");
	if (x->errors == before && g->action.kind == GW_NONE && !g->nmethods)
		bad(x, E_CONFIG_VALUE, json_path_key(a, path, "action"), "expected at least one method");
	if (x->errors == before)
		x->c->config.gateway = g;
}

static void get_serve(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	get_members(x, v, path, serve_keys, NKEYS(serve_keys), serve_member, NULL);
}

/* {====================================================================
** trusted_keys (authzc(1), "authzc.json"; authzc-keygen(1))
** ===================================================================== */

static const char *const tk_keys[] = { "key", "roles" };

struct tk_entry {
	struct ev_pub pub;
	bool has_key;
	unsigned roles;
	bool has_roles;
};

/* "key": a public key line (inline), or the project-relative path of a
 * NAME.pub file, read from the same tree as authzc.json. */
static void tk_key(struct cfg_ctx *x, const cJSON *e, const char *path, struct tk_entry *t)
{
	char why[256];
	if (!cJSON_IsString(e)) {
		bad(x, E_CONFIG_VALUE, path, "expected a public key line or the path of a .pub file, found %s",
		    json_kind(e));
		return;
	}
	const char *s = e->valuestring;
	if (strncmp(s, "authzc-ed25519", 14) == 0 && strchr(s, ' ') != NULL) {
		if (ev_pub_parse(s, strlen(s), &t->pub, why, sizeof why) != 0) {
			bad(x, E_CONFIG_VALUE, path, "%s", why);
			return;
		}
		t->has_key = true;
		return;
	}
	char *rel = get_path(x, e, path, false);
	if (!rel)
		return;
	char *buf = NULL;
	size_t len = 0;
	if (x->tree->read_file(x->tree->payload, rel, &buf, &len) != 0) {
		int err = errno;
		struct diag *d = bad(x, E_CONFIG_VALUE, path, "cannot read the key file '%s': %s", show(x, rel),
				     err == ENOENT ? "no such file" : err == EISDIR ? "it is a folder" : strerror(err));
		diag_help(&x->c->diags, d, "give the NAME.pub file authzc keygen wrote, relative to the project root");
		return;
	}
	int rc = ev_pub_parse(buf, len, &t->pub, why, sizeof why);
	free(buf);
	if (rc != 0) {
		bad(x, E_CONFIG_VALUE, path, "'%s': %s", show(x, rel), why);
		return;
	}
	t->has_key = true;
}

static void tk_roles(struct cfg_ctx *x, const cJSON *e, const char *path, struct tk_entry *t)
{
	static const char *const names[] = { "bundle", "promote", "approve", "log" };
	const cJSON *one = e;
	size_t i = 0;
	if (!cJSON_IsString(e) && !cJSON_IsArray(e)) {
		bad(x, E_CONFIG_VALUE, path, "expected a role or an array of roles (%s), found %s",
		    "\"bundle\", \"promote\", \"approve\", \"log\"", json_kind(e));
		return;
	}
	if (cJSON_IsArray(e)) {
		if (cJSON_GetArraySize(e) == 0) {
			bad(x, E_CONFIG_VALUE, path, "a trusted key needs at least one role");
			return;
		}
		one = e->child;
	}
	for (; one; one = cJSON_IsArray(e) ? one->next : NULL, i++) {
		const char *p = cJSON_IsArray(e) ? json_path_index(&x->c->arena, path, i) : path;
		unsigned r = cJSON_IsString(one) ? ev_role_parse(one->valuestring) : 0;
		if (!r) {
			struct diag *d = bad(x, E_CONFIG_VALUE, p, "unknown role %s",
					     cJSON_IsString(one) ? arena_printf(&x->c->arena, "'%s'", show(x, one->valuestring))
								 : json_kind(one));
			const char *sug = cJSON_IsString(one) ? suggest_closest(one->valuestring, names, 4) : NULL;
			if (sug)
				diag_help(&x->c->diags, d, "did you mean '%s'?", sug);
			else
				diag_help(&x->c->diags, d, "the roles are 'bundle', 'promote', 'approve' and 'log'");
			continue;
		}
		t->roles |= r;
	}
	t->has_roles = true;
}

static void tk_member(struct cfg_ctx *x, int k, const cJSON *e, const char *path, void *arg)
{
	if (k == 0)
		tk_key(x, e, path, arg);
	else
		tk_roles(x, e, path, arg);
}

static void get_trusted_keys(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	struct arena *a = &x->c->arena;
	struct project_config *cfg = &x->c->config;
	if (!cJSON_IsArray(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an array of {\"key\": ..., \"roles\": [...]}, found %s",
		    json_kind(v));
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	cfg->trusted_keys = arena_calloc(a, n ? n : 1, sizeof *cfg->trusted_keys);
	cfg->ntrusted_keys = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		char *p = json_path_index(a, path, i++);
		struct tk_entry t;
		memset(&t, 0, sizeof t);
		size_t before = x->errors;
		if (!get_members(x, e, p, tk_keys, NKEYS(tk_keys), tk_member, &t))
			continue;
		if (!t.has_key && x->errors == before)
			bad(x, E_CONFIG_VALUE, p, "missing \"key\": a public key line or the path of a .pub file");
		if (!t.has_roles && x->errors == before)
			bad(x, E_CONFIG_VALUE, p, "missing \"roles\": what the key is trusted for (%s)",
			    "\"bundle\", \"promote\", \"approve\", \"log\"");
		if (x->errors != before)
			continue;
		size_t j;
		for (j = 0; j < cfg->ntrusted_keys; j++)
			if (!strcmp(cfg->trusted_keys[j].pub.id, t.pub.id))
				break;
		if (j < cfg->ntrusted_keys) {
			cfg->trusted_keys[j].roles |= t.roles;
			continue;
		}
		cfg->trusted_keys[cfg->ntrusted_keys].pub = t.pub;
		cfg->trusted_keys[cfg->ntrusted_keys].roles = t.roles;
		cfg->ntrusted_keys++;
	}
}

/*
 * A strict JSON syntax check (RFC 8259) that finds exactly where the text
 * goes wrong: cJSON's error pointer is approximate (it can land past the
 * culprit) and cJSON lets control bytes through as blank space.  The text
 * is parsed by cJSON only once this check passed.
 */
enum json_fault {
	JF_NONE,
	JF_UNEXPECTED,  /* the byte at `at` */
	JF_TRAILING,    /* something after the top-level value */
	JF_CONTROL,     /* a raw control byte inside a string */
	JF_ESCAPE,      /* a bad backslash escape */
	JF_DEEP,        /* nesting deeper than JSON_MAX_DEPTH */
};

#define JSON_MAX_DEPTH 256

struct jscan {
	const char *s;
	size_t len, at;
	enum json_fault fault;
};

static void js_ws(struct jscan *j)
{
	while (j->at < j->len && strchr(" \t\r\n", j->s[j->at]) && j->s[j->at])
		j->at++;
}

static bool js_fail(struct jscan *j, enum json_fault f)
{
	j->fault = f;
	return false;
}

static bool js_digits(struct jscan *j)
{
	size_t start = j->at;
	while (j->at < j->len && j->s[j->at] >= '0' && j->s[j->at] <= '9')
		j->at++;
	return j->at > start || js_fail(j, JF_UNEXPECTED);
}

static bool js_string(struct jscan *j)
{
	j->at++;        /* the opening quote */
	while (j->at < j->len) {
		unsigned char ch = (unsigned char)j->s[j->at];
		if (ch == '"') {
			j->at++;
			return true;
		}
		if (ch < 0x20)
			return js_fail(j, JF_CONTROL);
		if (ch == '\\') {
			size_t esc = j->at;
			j->at++;
			if (j->at >= j->len)
				break;
			char e = j->s[j->at];
			if (e == 'u') {
				for (int k = 0; k < 4; k++) {
					j->at++;
					if (j->at >= j->len || !strchr("0123456789abcdefABCDEF", j->s[j->at]) ||
					    !j->s[j->at]) {
						j->at = esc;
						return js_fail(j, JF_ESCAPE);
					}
				}
			} else if (!e || !strchr("\"\\/bfnrt", e)) {
				j->at = esc;
				return js_fail(j, JF_ESCAPE);
			}
		}
		j->at++;
	}
	return js_fail(j, JF_UNEXPECTED);       /* at the end of the file */
}

static bool js_value(struct jscan *j, int depth);

/* '{' or '[' at j->at: members up to the closing bracket. */
static bool js_container(struct jscan *j, int depth)
{
	bool object = j->s[j->at] == '{';
	char close = object ? '}' : ']';
	if (depth >= JSON_MAX_DEPTH)
		return js_fail(j, JF_DEEP);
	j->at++;
	js_ws(j);
	if (j->at < j->len && j->s[j->at] == close) {
		j->at++;
		return true;
	}
	for (;;) {
		if (object) {
			if (j->at >= j->len || j->s[j->at] != '"')
				return js_fail(j, JF_UNEXPECTED);
			if (!js_string(j))
				return false;
			js_ws(j);
			if (j->at >= j->len || j->s[j->at] != ':')
				return js_fail(j, JF_UNEXPECTED);
			j->at++;
			js_ws(j);
		}
		if (!js_value(j, depth + 1))
			return false;
		js_ws(j);
		if (j->at < j->len && j->s[j->at] == ',') {
			j->at++;
			js_ws(j);
			continue;
		}
		if (j->at < j->len && j->s[j->at] == close) {
			j->at++;
			return true;
		}
		return js_fail(j, JF_UNEXPECTED);
	}
}

static bool js_value(struct jscan *j, int depth)
{
	if (j->at >= j->len)
		return js_fail(j, JF_UNEXPECTED);
	char ch = j->s[j->at];
	if (ch == '{' || ch == '[')
		return js_container(j, depth);
	if (ch == '"')
		return js_string(j);
	if (ch == '-' || (ch >= '0' && ch <= '9')) {
		if (ch == '-')
			j->at++;
		if (j->at < j->len && j->s[j->at] == '0')
			j->at++;
		else if (!js_digits(j))
			return false;
		if (j->at < j->len && j->s[j->at] == '.') {
			j->at++;
			if (!js_digits(j))
				return false;
		}
		if (j->at < j->len && (j->s[j->at] == 'e' || j->s[j->at] == 'E')) {
			j->at++;
			if (j->at < j->len && (j->s[j->at] == '+' || j->s[j->at] == '-'))
				j->at++;
			if (!js_digits(j))
				return false;
		}
		return true;
	}
	static const char *const words[] = { "true", "false", "null" };
	for (size_t w = 0; w < 3; w++) {
		size_t n = strlen(words[w]);
		if (ch != words[w][0])
			continue;
		for (size_t k = 0; k < n; k++, j->at++)
			if (j->at >= j->len || j->s[j->at] != words[w][k])
				return js_fail(j, JF_UNEXPECTED);
		return true;
	}
	return js_fail(j, JF_UNEXPECTED);
}

/* Check `s`; JF_NONE, or the fault and its offset in *at. */
static enum json_fault json_scan(const char *s, size_t len, size_t *at)
{
	struct jscan j = { s, len, 0, JF_NONE };
	js_ws(&j);
	if (js_value(&j, 0)) {
		js_ws(&j);
		if (j.at < len)
			j.fault = JF_TRAILING;
	}
	*at = j.at;
	return j.fault;
}

/* Report a JSON syntax fault at offset `at`. */
static void json_syntax_error(struct cfg_ctx *x, struct src_file *f, size_t at, enum json_fault fault)
{
	struct span sp = { x->file, (uint32_t)at, (uint32_t)at };
	char what[32];
	if (at >= f->len) {
		snprintf(what, sizeof what, "end of file");
	} else {
		size_t n = utf8_len(f->text + at, f->len - at);
		sp.end = (uint32_t)(at + (n ? n : 1));
		unsigned char ch = (unsigned char)f->text[at];
		if (ch >= 0x20 && ch < 0x7f)
			snprintf(what, sizeof what, "'%c'", ch);
		else if (n > 1)
			snprintf(what, sizeof what, "'%.*s'", (int)n, f->text + at);
		else
			snprintf(what, sizeof what, "byte 0x%02x", ch);
	}
	struct diag_list *l = &x->c->diags;
	x->errors++;
	switch (fault) {
	case JF_CONTROL:
		diag_at(l, E_CONFIG_JSON, sp, "invalid JSON: control character in a string");
		break;
	case JF_ESCAPE:
		diag_at(l, E_CONFIG_JSON, sp, "invalid JSON: bad escape sequence in a string");
		break;
	case JF_DEEP:
		diag_at(l, E_CONFIG_JSON, sp, "invalid JSON: nested deeper than %d levels",
			JSON_MAX_DEPTH);
		break;
	case JF_TRAILING:
		diag_at(l, E_CONFIG_JSON, sp, "invalid JSON: unexpected %s after the top-level value", what);
		break;
	default:
		diag_at(l, E_CONFIG_JSON, sp, "invalid JSON: unexpected %s", what);
		break;
	}
}

size_t project_load_config(struct compilation *c, struct source_tree *t)
{
	struct cfg_ctx x = { c, t, 0, 0 };
	struct arena *a = &c->arena;
	struct project_config *cfg = &c->config;
	char *buf = NULL;
	size_t len = 0;
	if (t->read_file(t->payload, CONFIG_FILE_NAME, &buf, &len) != 0) {
		int err = errno;
		if (err == ENOENT)
			return 0;
		if (err == EFBIG)
			diag_file(&c->diags, E_LIMIT, UINT32_MAX,
				  "'%s' is larger than the %u MiB limit", CONFIG_FILE_NAME,
				  SRC_MAX_BYTES >> 20);
		else
			diag_file(&c->diags, E_IO, UINT32_MAX, "cannot read '%s': %s",
				  CONFIG_FILE_NAME, err == EISDIR ? "it is a folder" : strerror(err));
		return 1;
	}
	x.file = srcset_add(&c->src, CONFIG_FILE_NAME, buf, len);
	free(buf);
	cfg->has_file = true;
	cfg->file = x.file;
	struct src_file *f = srcset_file(&c->src, x.file);

	size_t at = 0;
	enum json_fault fault = json_scan(f->text, f->len, &at);
	if (fault != JF_NONE) {
		json_syntax_error(&x, f, at, fault);
		return x.errors;
	}
	cJSON *root = cJSON_ParseWithLength(f->text, f->len);
	if (!root) {            /* out of memory: the syntax was checked */
		diag_file(&c->diags, E_CONFIG_JSON, x.file, "cannot parse '%s': out of memory",
			  CONFIG_FILE_NAME);
		return 1;
	}
	if (!cJSON_IsObject(root)) {
		bad(&x, E_CONFIG_VALUE, "$", "expected an object at the top level, found %s",
		    json_kind(root));
		cJSON_Delete(root);
		return x.errors;
	}

	bool seen[NTOP] = { false };
	const cJSON *e;
	cJSON_ArrayForEach(e, root) {
		const char *key = e->string ? e->string : "";
		char *p = json_path_key(a, "$", key);
		int k = json_key_index(key, top_keys, NTOP);
		if (k < 0) {
			unknown_key(&x, key, p, top_keys, NTOP);
			continue;
		}
		if (seen[k]) {
			bad(&x, E_CONFIG_DUP, p, "duplicate key '%s'", key);
			continue;
		}
		seen[k] = true;
		switch (k) {
		case 0: {       /* schema */
			char *s = get_path(&x, e, p, false);
			if (s)
				cfg->schema = s;
			break;
		}
		case 1:         /* policies */
			get_path_list(&x, e, p, &cfg->policies, &cfg->npolicies);
			break;
		case 2:         /* tests */
			get_path_list(&x, e, p, &cfg->tests, &cfg->ntests);
			cfg->tests_given = true;
			break;
		case 3:
			get_environments(&x, e, p);
			break;
		case 4:
			get_ref_prefix(&x, e, p);
			break;
		case 5:
			get_gates(&x, e, p);
			break;
		case 6:
			get_serve(&x, e, p);
			break;
		case 7:
			get_trusted_keys(&x, e, p);
			break;
		}
	}
	check_env_gates(&x);
	cJSON_Delete(root);
	return x.errors;
}
