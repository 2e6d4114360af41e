/*
 * config.c: read and validate authzc.json (see project.h, config.h).
 *
 * Every fault is reported, not just the first: an unknown key (E0202, with
 * the closest known key suggested), a duplicate key (E0204), a value of the
 * wrong kind or out of range (E0203), each at its JSON path.  Invalid JSON
 * (E0201) points at the line and column where cJSON gave up.  A value that
 * is faulty keeps its default, so later phases still have a whole config.
 */
#include "config.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
	"schema", "policies", "tests", "environments", "env_ref_prefix", "gates",
};
#define NTOP (sizeof top_keys / sizeof top_keys[0])

static const char *const gate_keys[] = { "min_guard_coverage" };
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

/* ---- small text helpers ---------------------------------------------------- */

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned c = s[0];
	size_t len;
	unsigned cp, min;
	if (c < 0x80)
		return 1;
	else if ((c & 0xE0) == 0xC0)
		len = 2, cp = c & 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		len = 3, cp = c & 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

char *text_show(struct arena *a, const char *s, size_t len, size_t max)
{
	/* Worst case: 4 output bytes per input byte, plus "...". */
	size_t cap = (len < max * 4 ? len : max * 4) * 4 + 8;
	char *out = arena_alloc(a, cap);
	size_t o = 0, chars = 0, i = 0;
	static const char hex[] = "0123456789abcdef";
	while (i < len && o + 8 < cap) {
		const unsigned char *p = (const unsigned char *)s + i;
		if (chars == max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		size_t n = utf8_seq_len(p, len - i);
		if (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\'' && *p != '\\') {
			out[o++] = (char)*p;
		} else if (n == 1 && (*p == '\'' || *p == '\\')) {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (n > 1) {
			memcpy(out + o, p, n);
			o += n;
		} else {
			n = 1;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
		i += n;
		chars++;
	}
	out[o] = '\0';
	return out;
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

/* ---- JSON paths and kinds ---------------------------------------------------- */

static bool is_ident(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* parent.key, or parent["key"] when key is not an identifier. */
static char *path_key(struct arena *a, const char *parent, const char *key)
{
	if (is_ident(key))
		return arena_printf(a, "%s.%s", parent, key);
	return arena_printf(a, "%s[\"%s\"]", parent, text_show(a, key, strlen(key), SHOW_MAX));
}

static char *path_index(struct arena *a, const char *parent, size_t i)
{
	return arena_printf(a, "%s[%zu]", parent, i);
}

/* "a string", "an array", ... for "expected X, found Y". */
static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsObject(v)) return "an object";
	return "an invalid value";
}

/* ---- the loader ----------------------------------------------------------------- */

struct cfg_ctx {
	struct compilation *c;
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

/* policies / tests: an array of path strings, or one string. */
static void get_path_list(struct cfg_ctx *x, const cJSON *v, const char *path,
			  char ***out, size_t *nout)
{
	struct arena *a = &x->c->arena;
	if (cJSON_IsString(v)) {
		char *p = get_path(x, v, path, true);
		if (p) {
			*out = arena_calloc(a, 1, sizeof(char *));
			(*out)[0] = p;
			*nout = 1;
		}
		return;
	}
	if (!cJSON_IsArray(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an array of paths or a path, found %s",
		    json_kind(v));
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), k = 0, before = x->errors;
	char **list = arena_calloc(a, n ? n : 1, sizeof(char *));
	const cJSON *e;
	size_t i = 0;
	cJSON_ArrayForEach(e, v) {
		char *p = get_path(x, e, path_index(a, path, i), true);
		if (p)
			list[k++] = p;
		i++;
	}
	if (x->errors == before) {
		*out = list;
		*nout = k;
	}
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

static void get_environments(struct cfg_ctx *x, const cJSON *v, const char *path)
{
	struct arena *a = &x->c->arena;
	if (!cJSON_IsArray(v)) {
		bad(x, E_CONFIG_VALUE, path, "expected an array of environment names, found %s",
		    json_kind(v));
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), k = 0, before = x->errors;
	char **list = arena_calloc(a, n ? n : 1, sizeof(char *));
	const cJSON *e;
	size_t i = 0;
	cJSON_ArrayForEach(e, v) {
		char *p = path_index(a, path, i++);
		if (!cJSON_IsString(e)) {
			bad(x, E_CONFIG_VALUE, p, "expected a string, found %s", json_kind(e));
			continue;
		}
		const char *name = e->valuestring;
		if (!*name) {
			bad(x, E_CONFIG_VALUE, p, "environment name must not be empty");
			continue;
		}
		if (!env_name_ok(name)) {
			struct diag *d = bad(x, E_CONFIG_VALUE, p, "invalid environment name '%s'",
					     show(x, name));
			diag_help(&x->c->diags, d, "use letters, digits, '_', '-' and '.', starting with a letter or digit");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = !strcmp(list[j], name);
		if (dup) {
			bad(x, E_CONFIG_VALUE, p, "duplicate environment '%s'", show(x, name));
			continue;
		}
		list[k++] = arena_strdup(a, name);
	}
	if (x->errors == before) {
		x->c->config.environments = list;
		x->c->config.nenvironments = k;
	}
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

/* Index of key in known[], or -1. */
static int key_index(const char *key, const char *const *known, size_t nknown)
{
	for (size_t i = 0; i < nknown; i++)
		if (!strcmp(key, known[i]))
			return (int)i;
	return -1;
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
		char *p = path_key(a, path, key);
		int k = key_index(key, gate_keys, NGATES);
		if (k < 0) {
			unknown_key(x, key, p, gate_keys, NGATES);
			continue;
		}
		if (seen[k]) {
			bad(x, E_CONFIG_DUP, p, "duplicate key '%s'", key);
			continue;
		}
		seen[k] = true;
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

/* Offset of the first byte cJSON would let through but JSON forbids: a
 * control byte outside a string other than blank space (cJSON skips every
 * byte up to ' ' as space), or any control byte inside a string.  `len`
 * when there is none. */
static size_t json_bad_byte(const char *s, size_t len, bool *in_string)
{
	bool str = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (str) {
			if (ch < 0x20) {
				*in_string = true;
				return i;
			}
			if (ch == '\\')
				i++;
			else if (ch == '"')
				str = false;
		} else if (ch == '"') {
			str = true;
		} else if (ch < 0x20 && ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
			*in_string = false;
			return i;
		}
	}
	return len;
}

/* Report where cJSON stopped: `at` is an offset into the text. */
static void json_syntax_error(struct cfg_ctx *x, struct src_file *f, size_t at, bool trailing,
			      bool in_string)
{
	if (at > f->len)
		at = f->len;
	/* cJSON may stop on the blank before the culprit. */
	while (!in_string && at < f->len && strchr(" \t\r\n", f->text[at]) && f->text[at])
		at++;
	struct span sp = { x->file, (uint32_t)at, (uint32_t)at };
	const char *what;
	char buf[16];
	if (at >= f->len) {
		what = "unexpected end of file";
	} else {
		size_t n = utf8_seq_len((const unsigned char *)f->text + at, f->len - at);
		sp.end = (uint32_t)(at + (n ? n : 1));
		unsigned char ch = (unsigned char)f->text[at];
		if (ch >= 0x20 && ch < 0x7f)
			snprintf(buf, sizeof buf, "'%c'", ch);
		else if (n > 1)
			snprintf(buf, sizeof buf, "'%.*s'", (int)n, f->text + at);
		else
			snprintf(buf, sizeof buf, "byte 0x%02x", ch);
		what = buf;
	}
	x->errors++;
	if (in_string)
		diag_at(&x->c->diags, E_CONFIG_JSON, sp, "invalid JSON: control character in a string");
	else if (trailing || at < f->len)
		diag_at(&x->c->diags, E_CONFIG_JSON, sp, "invalid JSON: unexpected %s%s",
			at >= f->len ? "end of file" : what,
			trailing ? " after the top-level value" : "");
	else
		diag_at(&x->c->diags, E_CONFIG_JSON, sp, "invalid JSON: %s", what);
}

size_t project_load_config(struct compilation *c, struct source_tree *t)
{
	struct cfg_ctx x = { c, 0, 0 };
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

	const char *end = NULL;
	bool in_string = false;
	size_t bad_at = json_bad_byte(f->text, f->len, &in_string);
	cJSON *root = cJSON_ParseWithLengthOpts(f->text, f->len, &end, false);
	size_t stop = root || !end ? f->len : (size_t)(end - f->text);
	if (bad_at < f->len && bad_at <= stop) {
		cJSON_Delete(root);
		json_syntax_error(&x, f, bad_at, false, in_string);
		return x.errors;
	}
	if (!root) {
		json_syntax_error(&x, f, end ? (size_t)(end - f->text) : 0, false, false);
		return x.errors;
	}
	size_t at = (size_t)(end - f->text);
	while (at < f->len && strchr(" \t\r\n", f->text[at]) && f->text[at])
		at++;
	if (at < f->len) {
		cJSON_Delete(root);
		json_syntax_error(&x, f, at, true, false);
		return x.errors;
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
		char *p = path_key(a, "$", key);
		int k = key_index(key, top_keys, NTOP);
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
		}
	}
	cJSON_Delete(root);
	return x.errors;
}
