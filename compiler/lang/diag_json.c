/*
 * diag_json.c: JSON and SARIF renderings of diagnostics (see diag_json.h).
 */
#include "diag_json.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "version.h"

/* A cJSON string of `s` with invalid UTF-8 replaced by U+FFFD. */
static cJSON *utf8_string(const char *s)
{
	struct buf b = BUF_INIT;
	buf_put_utf8(&b, s, strlen(s));
	cJSON *item = b.oom ? NULL : cJSON_CreateString(buf_cstr(&b));
	buf_release(&b);
	return item;
}

static void add_str(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObject(obj, key, s ? utf8_string(s) : cJSON_CreateNull());
}

static void add_num(cJSON *obj, const char *key, double v)
{
	cJSON_AddItemToObject(obj, key, cJSON_CreateNumber(v));
}

static void add_pos(cJSON *obj, const char *key, bool known, uint32_t v)
{
	cJSON_AddItemToObject(obj, key, known ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

/* Print `root` (and a newline), then free it.  -1 when out of memory. */
static int print_and_free(FILE *out, cJSON *root, bool pretty)
{
	char *text = root ? (pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root)) : NULL;
	cJSON_Delete(root);
	if (!text)
		return -1;
	fputs(text, out);
	fputc('\n', out);
	free(text);
	return 0;
}

struct pos {
	const char *file;       /* NULL: no file */
	bool has_span;
	uint32_t line, col, end_line, end_col;
};

static struct pos locate(const struct srcset *src, uint32_t file, bool has_span, struct span sp)
{
	struct pos p = { 0 };
	struct src_file *f = srcset_file(src, file);
	if (!f)
		return p;
	p.file = f->name;
	if (has_span) {
		p.has_span = true;
		src_line_col(f, sp.start, &p.line, &p.col);
		src_line_col(f, sp.end > sp.start ? sp.end : sp.start, &p.end_line, &p.end_col);
	}
	return p;
}

int diag_render_json(FILE *out, const struct srcset *src, const struct diag_list *l)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return -1;
	add_num(root, "version", 1);
	cJSON *arr = cJSON_AddArrayToObject(root, "diagnostics");
	for (size_t i = 0; arr && i < l->n; i++) {
		const struct diag *d = l->items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		cJSON_AddItemToArray(arr, o);
		struct pos p = locate(src, d->span.file, d->has_span, d->span);
		add_str(o, "severity", diag_severity_str(d->severity));
		add_str(o, "code", diag_code_str(d->code));
		add_str(o, "message", d->message);
		add_str(o, "file", p.file);
		add_pos(o, "line", p.has_span, p.line);
		add_pos(o, "column", p.has_span, p.col);
		add_pos(o, "end_line", p.has_span, p.end_line);
		add_pos(o, "end_column", p.has_span, p.end_col);
		if (d->json_path)
			add_str(o, "json_path", d->json_path);
		add_str(o, "help", d->help);
		cJSON *notes = cJSON_AddArrayToObject(o, "notes");
		for (size_t k = 0; notes && k < d->nnotes; k++) {
			const struct diag_note *n = &d->notes[k];
			struct pos np = locate(src, n->span.file, n->has_span, n->span);
			cJSON *no = cJSON_CreateObject();
			if (!no)
				break;
			cJSON_AddItemToArray(notes, no);
			add_str(no, "message", n->message);
			add_str(no, "file", np.file);
			add_pos(no, "line", np.has_span, np.line);
			add_pos(no, "column", np.has_span, np.col);
		}
	}
	add_num(root, "errors", (double)l->errors);
	add_num(root, "warnings", (double)l->warnings);
	return print_and_free(out, root, false);
}

/* ---- SARIF --------------------------------------------------------------------- */

static const char *sarif_level(enum diag_severity s)
{
	return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

/* A relative path as a URI reference: unreserved bytes and '/' kept, every
 * other byte percent-encoded. */
static char *uri_encode(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path);
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)path[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~/", ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/* Hash the C string `s` and its NUL (a separator) on from `h`. */
static uint64_t hash_field(uint64_t h, const char *s)
{
	return fnv1a(h, s, strlen(s) + 1);
}

/*
 * Partial fingerprints: code, file and message identify a finding across
 * runs (line numbers move with unrelated edits); an occurrence count tells
 * identical findings in one file apart.  The counts live in an open
 * addressing table so a huge diagnostic list stays linear.
 */
struct fp_slot {
	uint64_t hash;
	unsigned count;         /* 0: empty */
};

struct fp_table {
	struct fp_slot *slots;
	size_t mask;
};

static int fp_init(struct fp_table *t, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	t->slots = calloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	return t->slots ? 0 : -1;
}

/* How many times `h` has been seen, this one included. */
static unsigned fp_count(struct fp_table *t, uint64_t h)
{
	size_t i = (size_t)h & t->mask;
	while (t->slots[i].count && t->slots[i].hash != h)
		i = (i + 1) & t->mask;
	t->slots[i].hash = h;
	return ++t->slots[i].count;
}

static cJSON *sarif_rules(void)
{
	cJSON *rules = cJSON_CreateArray();
	for (int code = 0; rules && code < DIAG__COUNT; code++) {
		cJSON *r = cJSON_CreateObject();
		if (!r)
			break;
		cJSON_AddItemToArray(rules, r);
		add_str(r, "id", diag_code_str((enum diag_code)code));
		cJSON *sd = cJSON_AddObjectToObject(r, "shortDescription");
		if (sd)
			add_str(sd, "text", diag_code_desc((enum diag_code)code));
		cJSON *dc = cJSON_AddObjectToObject(r, "defaultConfiguration");
		if (dc)
			add_str(dc, "level", sarif_level(diag_code_severity((enum diag_code)code)));
	}
	return rules;
}

static cJSON *sarif_location(const char *file, const struct pos *p)
{
	cJSON *loc = cJSON_CreateObject();
	cJSON *phys = loc ? cJSON_AddObjectToObject(loc, "physicalLocation") : NULL;
	cJSON *art = phys ? cJSON_AddObjectToObject(phys, "artifactLocation") : NULL;
	char *uri = uri_encode(file);
	if (art && uri) {
		add_str(art, "uri", uri);
		add_str(art, "uriBaseId", "%SRCROOT%");
	}
	free(uri);
	cJSON *reg = phys ? cJSON_AddObjectToObject(phys, "region") : NULL;
	if (reg) {
		add_num(reg, "startLine", p->has_span ? p->line : 1);
		if (p->has_span) {
			add_num(reg, "startColumn", p->col);
			add_num(reg, "endLine", p->end_line);
			add_num(reg, "endColumn", p->end_col);
		}
	}
	return loc;
}

static cJSON *sarif_result(const struct srcset *src, const struct diag_list *l, size_t i,
			   const char *fallback_uri, const char *fp)
{
	const struct diag *d = l->items[i];
	struct pos p = locate(src, d->span.file, d->has_span, d->span);
	const char *file = p.file ? p.file : fallback_uri;
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return NULL;
	add_str(r, "ruleId", diag_code_str(d->code));
	add_num(r, "ruleIndex", d->code < DIAG__COUNT ? (double)d->code : 0);
	add_str(r, "level", sarif_level(d->severity));

	struct buf text = BUF_INIT;
	buf_puts(&text, d->message);
	if (d->json_path)
		buf_printf(&text, " (at %s)", d->json_path);
	for (size_t k = 0; k < d->nnotes; k++)
		buf_printf(&text, "\nnote: %s", d->notes[k].message);
	if (d->help)
		buf_printf(&text, "\nhelp: %s", d->help);
	cJSON *msg = text.oom ? NULL : cJSON_AddObjectToObject(r, "message");
	if (msg)
		add_str(msg, "text", buf_cstr(&text));
	buf_release(&text);

	cJSON *locs = cJSON_AddArrayToObject(r, "locations");
	if (locs && file)
		cJSON_AddItemToArray(locs, sarif_location(file, &p));

	cJSON *pf = cJSON_AddObjectToObject(r, "partialFingerprints");
	if (pf)
		add_str(pf, "authzcFinding/v1", fp);
	return r;
}

int diag_render_sarif(FILE *out, const struct srcset *src, const struct diag_list *l,
		      const char *fallback_uri)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return -1;
	add_str(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	add_str(root, "version", "2.1.0");
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	cJSON *run = cJSON_CreateObject();
	if (!runs || !run) {
		cJSON_Delete(run);
		cJSON_Delete(root);
		return -1;
	}
	cJSON_AddItemToArray(runs, run);
	cJSON *tool = cJSON_AddObjectToObject(run, "tool");
	cJSON *driver = tool ? cJSON_AddObjectToObject(tool, "driver") : NULL;
	if (driver) {
		add_str(driver, "name", "authzc");
		add_str(driver, "version", AUTHZC_VERSION);
		add_str(driver, "semanticVersion", AUTHZC_VERSION);
		add_str(driver, "informationUri", AUTHZC_INFO_URI);
		cJSON_AddItemToObject(driver, "rules", sarif_rules());
	}
	add_str(run, "columnKind", "unicodeCodePoints");
	cJSON *results = cJSON_AddArrayToObject(run, "results");
	struct fp_table t = { 0 };
	if (l->n && fp_init(&t, l->n) != 0) {
		cJSON_Delete(root);
		return -1;
	}
	for (size_t i = 0; results && i < l->n; i++) {
		const struct diag *d = l->items[i];
		struct src_file *f = srcset_file(src, d->span.file);
		const char *file = f ? f->name : fallback_uri;
		uint64_t h = hash_field(hash_field(hash_field(FNV1A_INIT, diag_code_str(d->code)),
						   file ? file : ""), d->message);
		char fp[40];
		snprintf(fp, sizeof fp, "%016llx:%u", (unsigned long long)h, fp_count(&t, h));
		cJSON *r = sarif_result(src, l, i, fallback_uri, fp);
		if (r)
			cJSON_AddItemToArray(results, r);
	}
	free(t.slots);
	return print_and_free(out, root, true);
}
