/*
 * check.c: the project checked with the client's buffers laid over the
 * files on disk, and its diagnostics published (see lsp_int.h).
 *
 * The overlay is a struct source_tree: an open document whose path lies in
 * the project is read from its buffer, everything else from disk; a buffer
 * not yet saved still appears in its folder's listing.  The compilation is
 * exactly `authzc check`'s (compilation_run, then the solver's lint when a
 * save asked for it), so codes, messages, ranges and help are the same.
 *
 * Diagnostics are published per file, sorted by URI: for each file that
 * has some now, each that had some at the last publication (now empty),
 * and each open document.  A diagnostic about no file (a missing schema)
 * is shown on authzc.json.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json_locate.h"
#include "lsp_int.h"
#include "sym_lint.h"

struct overlay {
	struct lsp_server *s;
	struct source_tree fs;
};

static int ov_read(void *payload, const char *path, char **buf, size_t *len)
{
	struct overlay *ov = payload;
	for (size_t i = 0; i < ov->s->ndocs; i++) {
		const struct lsp_doc *d = ov->s->docs[i];
		if (!d->path || strcmp(d->path, path))
			continue;
		if (d->len > SRC_MAX_BYTES) {
			errno = EFBIG;
			return -1;
		}
		*buf = malloc(d->len + 1);
		if (!*buf) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(*buf, d->text, d->len);
		(*buf)[d->len] = '\0';
		*len = d->len;
		return 0;
	}
	return ov->fs.read_file(ov->fs.payload, path, buf, len);
}

struct listing {
	int (*fn)(const char *name, bool is_dir, void *arg);
	void *arg;
	const char **seen;
	size_t n, cap;
	int oom, stop;
};

static int ov_seen(const char *name, bool is_dir, void *arg)
{
	struct listing *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		const char **ns = realloc(l->seen, cap * sizeof(*ns));
		if (!ns) {
			l->oom = 1;
			return 1;
		}
		l->seen = ns;
		l->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy) {
		l->oom = 1;
		return 1;
	}
	l->seen[l->n++] = copy;
	l->stop = l->fn(name, is_dir, l->arg);
	return l->stop;
}

static int ov_list(void *payload, const char *path,
		   int (*fn)(const char *name, bool is_dir, void *arg), void *arg)
{
	struct overlay *ov = payload;
	struct listing l = { fn, arg, NULL, 0, 0, 0, 0 };
	int rc = ov->fs.list_dir(ov->fs.payload, path, ov_seen, &l);
	int err = errno;
	bool stopped = l.stop != 0;
	size_t plen = strlen(path);
	int extra = 0;
	for (size_t i = 0; !stopped && !l.oom && i < ov->s->ndocs; i++) {
		const char *p = ov->s->docs[i]->path;
		if (!p || (plen && (strncmp(p, path, plen) || p[plen] != '/')))
			continue;
		const char *name = p + (plen ? plen + 1 : 0);
		if (!*name || strchr(name, '/'))
			continue;
		bool dup = false;
		for (size_t k = 0; k < l.n && !dup; k++)
			dup = !strcmp(l.seen[k], name);
		if (dup)
			continue;
		extra++;
		if (fn(name, false, arg))
			break;
	}
	for (size_t k = 0; k < l.n; k++)
		free((char *)l.seen[k]);
	free(l.seen);
	if (l.oom) {
		errno = ENOMEM;
		return -1;
	}
	if (rc != 0 && !extra) {
		errno = err;
		return -1;
	}
	return 0;
}

/* ---- files and locations -------------------------------------------------------------- */

uint32_t check_file_of_uri(struct lsp_server *s, const char *uri)
{
	if (!s->have_c || !uri)
		return UINT32_MAX;
	char *abs = uri_to_path(uri);
	char *rel = abs ? root_relative(s, abs) : NULL;
	free(abs);
	uint32_t id = UINT32_MAX;
	for (uint32_t i = 0; rel && i < s->c->src.n; i++)
		if (s->c->src.files[i]->name && !strcmp(s->c->src.files[i]->name, rel)) {
			id = i;
			break;
		}
	free(rel);
	return id;
}

char *check_uri_of_file(struct lsp_server *s, uint32_t file)
{
	const struct src_file *f = s->have_c ? srcset_file(&s->c->src, file) : NULL;
	return uri_of_rel(s, f ? f->name : CONFIG_FILE_NAME);
}

const struct ast_file *check_ast(struct lsp_server *s, uint32_t file)
{
	for (size_t i = 0; s->have_c && i < s->c->nfiles; i++)
		if (s->c->files[i] && s->c->files[i]->file == file)
			return s->c->files[i];
	return NULL;
}

cJSON *check_location(struct lsp_server *s, struct span sp)
{
	struct src_file *f = srcset_file(&s->c->src, sp.file);
	if (!f)
		return NULL;
	char *uri = check_uri_of_file(s, sp.file);
	if (!uri)
		return NULL;
	cJSON *loc = cJSON_CreateObject();
	cJSON_AddStringToObject(loc, "uri", uri);
	cJSON_AddItemToObject(loc, "range", range_json(s, f->text, f->len, sp.start, sp.end));
	free(uri);
	return loc;
}

/* The range of diagnostic d in its file. */
static cJSON *diag_range(struct lsp_server *s, const struct diag *d)
{
	struct src_file *f = srcset_file(&s->c->src, d->span.file);
	if (!f)
		return range_json(s, "", 0, 0, 0);
	if (d->has_span)
		return range_json(s, f->text, f->len, d->span.start, d->span.end);
	struct json_loc loc;
	if (d->json_path && json_locate(f->text, f->len, d->json_path, &loc) >= 0) {
		if (loc.has_key)
			return range_json(s, f->text, f->len, loc.key_start, loc.key_end);
		/* A container: only its first character, not the whole file. */
		uint32_t end = loc.end;
		if (f->text[loc.start] == '{' || f->text[loc.start] == '[')
			end = loc.start + 1;
		return range_json(s, f->text, f->len, loc.start, end);
	}
	return range_json(s, f->text, f->len, 0, 0);
}

static cJSON *diag_to_json(struct lsp_server *s, const struct diag *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "range", diag_range(s, d));
	cJSON_AddNumberToObject(o, "severity", d->severity == DIAG_ERROR ? 1
				: d->severity == DIAG_WARNING ? 2 : 3);
	cJSON_AddStringToObject(o, "code", diag_code_str(d->code));
	cJSON_AddStringToObject(o, "source", "authzc");
	struct buf m = BUF_INIT;
	buf_put_utf8(&m, d->message, strlen(d->message));
	if (d->json_path && !d->has_span)
		buf_printf(&m, " (at %s)", d->json_path);
	if (d->help) {
		buf_puts(&m, "\nhelp: ");
		buf_put_utf8(&m, d->help, strlen(d->help));
	}
	cJSON_AddStringToObject(o, "message", m.oom ? d->message : buf_cstr(&m));
	buf_release(&m);
	if (d->nnotes) {
		cJSON *rel = cJSON_AddArrayToObject(o, "relatedInformation");
		for (size_t i = 0; i < d->nnotes; i++) {
			const struct diag_note *n = &d->notes[i];
			struct span sp = n->has_span ? n->span : (struct span){ d->span.file, 0, 0 };
			cJSON *loc = check_location(s, sp);
			if (!loc)
				continue;
			cJSON *ri = cJSON_CreateObject();
			cJSON_AddItemToObject(ri, "location", loc);
			struct buf nm = BUF_INIT;
			buf_put_utf8(&nm, n->message, strlen(n->message));
			cJSON_AddStringToObject(ri, "message", nm.oom ? "" : buf_cstr(&nm));
			buf_release(&nm);
			cJSON_AddItemToArray(rel, ri);
		}
	}
	return o;
}

/* ---- publishing ------------------------------------------------------------------------- */

struct pub {
	char *uri;
	cJSON *diags;
};

static int pub_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pub *)a)->uri, ((const struct pub *)b)->uri);
}

static struct pub *pub_get(struct pub **v, size_t *n, size_t *cap, const char *uri, bool *oom)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].uri, uri))
			return &(*v)[i];
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct pub *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv) {
			*oom = true;
			return NULL;
		}
		*v = nv;
		*cap = nc;
	}
	struct pub *p = &(*v)[(*n)++];
	p->uri = strdup(uri);
	p->diags = cJSON_CreateArray();
	if (!p->uri || !p->diags) {
		*oom = true;
		(*n)--;
		free(p->uri);
		cJSON_Delete(p->diags);
		return NULL;
	}
	return p;
}

static void publish(struct lsp_server *s)
{
	struct pub *v = NULL;
	size_t n = 0, cap = 0;
	bool oom = false;
	for (size_t i = 0; i < s->c->diags.n && !oom; i++) {
		const struct diag *d = s->c->diags.items[i];
		char *uri = check_uri_of_file(s, d->span.file);
		struct pub *p = uri ? pub_get(&v, &n, &cap, uri, &oom) : NULL;
		free(uri);
		if (p)
			cJSON_AddItemToArray(p->diags, diag_to_json(s, d));
	}
	for (size_t i = 0; i < s->npublished && !oom; i++)
		pub_get(&v, &n, &cap, s->published[i], &oom);
	for (size_t i = 0; i < s->ndocs && !oom; i++)
		pub_get(&v, &n, &cap, s->docs[i]->uri, &oom);
	if (n)
		qsort(v, n, sizeof(*v), pub_cmp);
	for (size_t i = 0; i < s->npublished; i++)
		free(s->published[i]);
	s->npublished = 0;
	char **np = n ? realloc(s->published, n * sizeof(char *)) : s->published;
	if (np)
		s->published = np;
	for (size_t i = 0; i < n; i++) {
		cJSON *params = cJSON_CreateObject();
		cJSON_AddStringToObject(params, "uri", v[i].uri);
		struct lsp_doc *d = doc_find(s, v[i].uri);
		if (d)
			cJSON_AddNumberToObject(params, "version", (double)d->version);
		bool some = cJSON_GetArraySize(v[i].diags) > 0;
		cJSON_AddItemToObject(params, "diagnostics", v[i].diags);
		rpc_notify(s, "textDocument/publishDiagnostics", params);
		if (some && np)
			s->published[s->npublished++] = v[i].uri;
		else
			free(v[i].uri);
	}
	free(v);
}

const struct checked *check_names(struct lsp_server *s)
{
	if (s->have_c && s->c->checked)
		return s->c->checked;
	return s->good ? s->good->checked : NULL;
}

void check_now(struct lsp_server *s)
{
	if (!s->dirty && s->have_c)
		return;
	s->pc_text = NULL;
	struct compilation *c = malloc(sizeof(*c));
	if (!c)
		return;         /* stays dirty: tried again on the next request */
	if (s->have_c) {
		if (s->c->checked) {
			if (s->good)
				compilation_release(s->good);
			free(s->good);
			s->good = s->c;
		} else {
			compilation_release(s->c);
			free(s->c);
		}
	}
	s->c = c;
	compilation_init(s->c);
	s->have_c = true;
	s->c->root = arena_strdup(&s->c->arena, s->root);
	struct overlay ov = { s, { 0 } };
	source_tree_fs(&ov.fs, s->c->root);
	struct source_tree t = { &ov, ov_read, ov_list };
	compilation_run(s->c, &t);
	if (s->lint_due && s->o.lint_on_save && !s->c->diags.errors && s->c->checked) {
		struct sym_opts so = SYM_OPTS_DEFAULT;
		sym_lint_check(s->c, &so);
	}
	s->lint_due = false;
	diag_sort(&s->c->diags);
	s->dirty = false;
	s->checks++;
	publish(s);
}
