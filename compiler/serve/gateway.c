/*
 * gateway.c: a forwarded request mapped to a decision request (gateway.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway.h"
#include "json.h"

/* The longest path segment or header value mapped. */
#define GW_VALUE_MAX 4096

struct gw_in {
	const struct gw_config *g;
	const char *method, *path;
	gw_header_fn *header;
	void *payload;
	char *msg;
	size_t size;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gateway_segment(const char *path, unsigned n, char *dst, size_t size)
{
	const char *p = path;
	size_t end = strcspn(path, "?#");
	const char *stop = path + end;
	for (unsigned k = 0; k < n; k++) {
		while (p < stop && *p == '/')
			p++;
		if (p >= stop)
			return -1;
		const char *seg = p;
		while (p < stop && *p != '/')
			p++;
		if (k + 1 < n)
			continue;
		size_t o = 0;
		for (const char *q = seg; q < p; q++) {
			char c = *q;
			if (c == '%') {
				if (p - q < 3)
					return -1;
				int hi = hexval(q[1]), lo = hexval(q[2]);
				if (hi < 0 || lo < 0)
					return -1;
				c = (char)(hi * 16 + lo);
				if (!c)
					return -1;
				q += 2;
			}
			if (o + 1 >= size)
				return -1;
			dst[o++] = c;
		}
		dst[o] = '\0';
		return o ? 0 : -1;
	}
	return -1;
}

/* The value of source `s` into v[0..GW_VALUE_MAX): 0, 1 absent (a header
 * not sent), -1 with why in in->msg (`what` names the part). */
static int source_value(struct gw_in *in, const struct gw_source *s, const char *what, char *v)
{
	const char *t = NULL;
	switch (s->kind) {
	case GW_NONE:
		return 1;
	case GW_LITERAL:
		t = s->text;
		break;
	case GW_METHOD:
		t = in->method;
		break;
	case GW_HEADER:
		t = in->header(in->payload, s->text);
		if (!t)
			return 1;
		break;
	case GW_SEGMENT:
		if (gateway_segment(in->path, s->segment, v, GW_VALUE_MAX) < 0) {
			snprintf(in->msg, in->size, "%s: path segment %u is missing or badly encoded",
				 what, s->segment);
			return -1;
		}
		return 0;
	}
	if (strlen(t) >= GW_VALUE_MAX) {
		snprintf(in->msg, in->size, "%s: value is longer than %d bytes", what, GW_VALUE_MAX);
		return -1;
	}
	strcpy(v, t);
	return 0;
}

/* A source the request cannot do without: 0, or -1 with why in in->msg. */
static int required(struct gw_in *in, const struct gw_source *s, const char *what, char *v)
{
	int rc = source_value(in, s, what, v);
	if (rc == 1) {
		if (s->kind == GW_HEADER)
			snprintf(in->msg, in->size, "%s: header '%s' is missing", what, s->text);
		else
			snprintf(in->msg, in->size, "%s: not mapped", what);
		return -1;
	}
	return rc;
}

static void put_str(struct buf *out, const char *s)
{
	json_put_str(out, s, strlen(s));
}

/* ,"attrs":{...} of root `r` (nothing when it maps none); -1 with why. */
static int put_attrs(struct gw_in *in, struct buf *out, int r, const char *key, char *v)
{
	const struct gw_config *g = in->g;
	bool any = false;
	for (size_t i = 0; i < g->nattrs[r]; i++) {
		int rc = source_value(in, &g->attrs[r][i].src, g->attrs[r][i].key, v);
		if (rc < 0)
			return -1;
		if (rc == 1)
			continue;       /* a header not sent: the attribute is absent */
		buf_puts(out, any ? "," : key);
		any = true;
		put_str(out, g->attrs[r][i].key);
		buf_putc(out, ':');
		put_str(out, v);
	}
	if (any)
		buf_putc(out, '}');
	return 0;
}

/* The action: from its source, else by method. */
static int action(struct gw_in *in, char *v)
{
	const struct gw_config *g = in->g;
	if (g->action.kind != GW_NONE)
		return required(in, &g->action, "action", v);
	const struct gw_pair *any = NULL;
	for (size_t i = 0; i < g->nmethods; i++) {
		if (!strcasecmp(g->methods[i].key, in->method)) {
			snprintf(v, GW_VALUE_MAX, "%s", g->methods[i].src.text);
			return 0;
		}
		if (!strcmp(g->methods[i].key, "*"))
			any = &g->methods[i];
	}
	if (any) {
		snprintf(v, GW_VALUE_MAX, "%s", any->src.text);
		return 0;
	}
	snprintf(in->msg, in->size, "action: method '%.32s' has no action", in->method);
	return -1;
}

int gateway_request(struct buf *out, const struct gw_config *g, const char *method, const char *path,
		    gw_header_fn *header, void *payload, char *msg, size_t size)
{
	char tv[GW_VALUE_MAX];
	struct gw_in in = { g, method, path, header, payload, msg, size };
	const char *m = g->method_header ? header(payload, g->method_header) : NULL;
	const char *p = g->path_header ? header(payload, g->path_header) : NULL;
	if (m && *m)
		in.method = m;
	if (p && *p)
		in.path = p;
	size_t before = out->n;
	buf_puts(out, "{\"principal\":{\"type\":");
	if (required(&in, &g->principal_type, "principal type", tv) < 0)
		goto bad;
	put_str(out, tv);
	buf_puts(out, ",\"id\":");
	if (required(&in, &g->principal_id, "principal id", tv) < 0)
		goto bad;
	put_str(out, tv);
	if (put_attrs(&in, out, GW_PRINCIPAL, ",\"attrs\":{", tv) < 0)
		goto bad;
	buf_puts(out, "},\"action\":");
	if (action(&in, tv) < 0)
		goto bad;
	put_str(out, tv);
	buf_puts(out, ",\"resource\":{\"type\":");
	if (required(&in, &g->resource_type, "resource type", tv) < 0)
		goto bad;
	put_str(out, tv);
	buf_puts(out, ",\"id\":");
	if (required(&in, &g->resource_id, "resource id", tv) < 0)
		goto bad;
	put_str(out, tv);
	if (put_attrs(&in, out, GW_RESOURCE, ",\"attrs\":{", tv) < 0)
		goto bad;
	buf_putc(out, '}');
	if (put_attrs(&in, out, GW_CONTEXT, ",\"context\":{", tv) < 0)
		goto bad;
	buf_putc(out, '}');
	return out->oom ? -1 : 0;
bad:
	buf_truncate(out, before);
	return out->oom ? -1 : 1;
}
