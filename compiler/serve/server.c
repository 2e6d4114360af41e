/*
 * server.c: the HTTP side of `authzc serve` (server.h) on libmicrohttpd:
 * routing, bodies, and the answers of each endpoint.
 *
 * libmicrohttpd calls handle() for each request: once when the headers are
 * in, once per piece of the body, once at the end.  The body is kept in
 * the request's `struct req` (bounded by max_body); the answer is made at
 * the end, from a bundle reference taken for that request alone.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "declog.h"
#include "fetch.h"
#include "fileio.h"
#include "gateway.h"
#include "holder.h"
#include "json.h"
#include "listen.h"
#include "metrics.h"
#include "server.h"
#include "shadow.h"

/* libmicrohttpd's memory per connection: the request line and headers. */
#define SERVE_HEADER_MEMORY (64u << 10)

/* Where a bundle comes from: a file watched, or a URL polled. */
struct source {
	const char *what;               /* "bundle", "shadow bundle" */
	struct holder *h;
	const char *path, *url, *cache; /* at most one of path and url */
	bool fetching;                  /* `fetch` was made */
	struct fetch fetch;
	struct buf body;                /* its last download */
	struct metrics *m;              /* counts the fetches; NULL: not counted */
};

struct server {
	struct MHD_Daemon *d;
	int fd;
	struct serve_opts o;
	struct holder h;
	struct metrics m;
	struct declog *log;             /* NULL: no decision records */
	pthread_key_t scratch;          /* each thread's struct scratch */
	struct source main;             /* -b or --bundle-url, into h */
	/* --shadow: the candidate bundle and where its disagreements go. */
	bool shadowing;
	struct holder sh;
	struct source cand;             /* --shadow, into sh */
	struct declog *shadow_log;
	struct shadow *shadow;          /* its thread */
	atomic_int inflight;
	char addr[160];
};

enum route { R_DECIDE, R_BATCH, R_GATEWAY, R_HEALTH, R_METRICS, R_NOT_FOUND, R_METHOD };

struct req {
	enum route route;
	struct buf body;
	bool over;              /* the body passed max_body */
	struct timespec t0;
};

void serve_opts_init(struct serve_opts *o)
{
	memset(o, 0, sizeof *o);
	o->listen = SERVE_LISTEN;
	o->max_body = SERVE_MAX_BODY;
	o->max_connections = SERVE_MAX_CONNECTIONS;
	o->timeout_s = SERVE_TIMEOUT_S;
	o->threads = SERVE_THREADS;
	o->max_batch = SERVE_MAX_BATCH;
}

static void note(struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct server *s, const char *fmt, ...)
{
	if (!s->o.note)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->o.note(s->o.payload, msg);
}

/* ---- answers ------------------------------------------------------------------ */

struct header {
	const char *name, *value;
};

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
			       const char *body, size_t len, const struct header *extra, size_t nextra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	for (size_t i = 0; i < nextra; i++)
		MHD_add_response_header(r, extra[i].name, extra[i].value);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result respond_buf(struct MHD_Connection *c, unsigned status, const struct buf *b,
				   const struct header *extra, size_t nextra)
{
	return respond(c, status, "application/json", b->p ? b->p : "", b->n, extra, nextra);
}

/* {"error":"<message>"} with `status`, counted as error `e`. */
static enum MHD_Result fail(struct server *s, struct MHD_Connection *c, unsigned status,
			    enum metrics_error e, const char *message)
{
	metrics_error(&s->m, e);
	struct buf b = { 0 };
	buf_puts(&b, "{\"error\":");
	json_put_str(&b, message, strlen(message));
	buf_puts(&b, "}\n");
	enum MHD_Result rc;
	if (b.oom)
		rc = respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json",
			     "{\"error\":\"out of memory\"}\n", 26, NULL, 0);
	else if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		rc = respond_buf(c, status, &b, &(struct header){ "Allow", "POST" }, 1);
	else
		rc = respond_buf(c, status, &b, NULL, 0);
	buf_release(&b);
	return rc;
}

static enum MHD_Result out_of_memory(struct server *s, struct MHD_Connection *c)
{
	return fail(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, MERR_INTERNAL, "out of memory");
}

/* ---- deciding ------------------------------------------------------------------- */

/*
 * Each answering thread keeps its request and decision scratch between
 * requests (thread-specific data, freed when the thread ends), so a
 * decision allocates nothing once they have grown.  A request object is
 * made for one bundle: the scratch holds a reference to the bundle it was
 * made for and is made again when another is active, so a thread keeps at
 * most one old bundle alive until its next request.
 */
struct slot {
	struct serve_bundle *sb;        /* the bundle `req` was made for (a reference) */
	authz_request *req;
	authz_decision *d;
};

struct scratch {
	struct slot main;
};

static void slot_free(struct slot *t)
{
	authz_request_free(t->req);
	authz_decision_free(t->d);
	serve_bundle_release(t->sb);
}

static void scratch_free(void *p)
{
	struct scratch *t = p;
	slot_free(&t->main);
	free(t);
}

/* This thread's slot, made for `sb`: NULL when out of memory. */
static struct slot *scratch_for(struct server *s, struct serve_bundle *sb)
{
	struct scratch *t = pthread_getspecific(s->scratch);
	if (!t) {
		if (!(t = calloc(1, sizeof *t)))
			return NULL;
		if (pthread_setspecific(s->scratch, t)) {
			free(t);
			return NULL;
		}
	}
	struct slot *l = &t->main;
	if (!l->d && authz_decision_new(&l->d) < 0)
		return NULL;
	if (l->sb != sb) {
		authz_request_free(l->req);
		l->req = NULL;
		serve_bundle_release(l->sb);
		atomic_fetch_add(&sb->refs, 1);
		l->sb = sb;
		if (authz_request_new(&l->req, sb->b) < 0)
			return NULL;
	}
	return l;
}

/* What one HTTP request decides with: its bundle reference and scratch. */
struct decider {
	struct server *s;
	struct serve_bundle *sb;        /* NULL: no bundle, every decision denies */
	authz_request *req;
	authz_decision *d;
	struct eval_decide_opts o;
	struct buf out;
	struct buf rec, ann;            /* a decision record, with --log */
	bool allowed;                   /* of the last decision */
};

/* Take the active bundle and scratch for it: 0, or -1 out of memory. */
static int decider_open(struct decider *x, struct server *s, unsigned flags)
{
	memset(x, 0, sizeof *x);
	x->s = s;
	x->o = s->o.decide;
	x->o.flags = flags;
	x->sb = holder_acquire(&s->h);
	if (!x->sb)
		return 0;
	struct slot *t = scratch_for(s, x->sb);
	if (!t)
		return -1;
	x->req = t->req;
	x->d = t->d;
	/* --shadow: the candidate decides a request without a time at the
	 * instant of its answer. */
	if (s->shadow && !x->o.has_now) {
		x->o.has_now = true;
		x->o.now = holder_now_ms();
	}
	return 0;
}

static void decider_close(struct decider *x)
{
	serve_bundle_release(x->sb);
	buf_release(&x->out);
	buf_release(&x->rec);
	buf_release(&x->ann);
}

/* Queue the decision record of request json[0..len) (NULL: none was
 * made) and its decision dec[0..dlen) (`decided`: x->d holds it).  A
 * record that cannot be made is counted as dropped. */
static void decider_log(struct decider *x, const char *json, size_t len, const char *dec, size_t dlen,
			bool decided)
{
	if (!x->s->log)
		return;
	const authz_bundle *b = x->sb ? x->sb->b : NULL;
	buf_reset(&x->rec);
	buf_reset(&x->ann);
	if ((decided && eval_annotations_json(&x->ann, b, x->d) < 0) ||
	    eval_log_record(&x->rec, json, len, dec, dlen, b ? authz_bundle_digest(b) : NULL,
			    b ? authz_bundle_source_revision(b) : NULL, decided ? buf_cstr(&x->ann) : NULL) < 0) {
		buf_reset(&x->rec);
		buf_reset(&x->ann);
		declog_drop(x->s->log);
		return;
	}
	declog_push(x->s->log, x->rec.p, x->rec.n);
}

/* Append a deny with one request error, for request json[0..len) (NULL:
 * none could be made) never decided. */
static int decider_deny(struct decider *x, const char *json, size_t len, const char *message)
{
	int64_t now = x->o.has_now ? x->o.now : holder_now_ms();
	x->allowed = false;
	metrics_decision(&x->s->m, false);
	size_t at = x->out.n;
	if (eval_deny_json(&x->out, message, now, x->sb ? authz_bundle_digest(x->sb->b) : NULL,
			   x->o.flags & AUTHZ_DECIDE_TRACE) < 0)
		return -1;
	decider_log(x, json, len, x->out.p + at, x->out.n - at, false);
	return 0;
}

/* Append the decision of json[0..len): 0, or -1 out of memory. */
static int decider_run(struct decider *x, const char *json, size_t len)
{
	if (!x->sb)
		return decider_deny(x, json, len, "no bundle is loaded");
	const char *dec;
	size_t dlen;
	if (eval_decide_json(x->d, x->sb->b, x->req, &x->o, json, len, &dec, &dlen) < 0)
		return -1;
	x->allowed = authz_decision_allowed(x->d) == 1;
	metrics_decision(&x->s->m, x->allowed);
	buf_put(&x->out, dec, dlen);
	decider_log(x, json, len, dec, dlen, true);
	if (x->s->shadow)
		shadow_push(x->s->shadow, x->sb, json, len, dec, dlen, x->allowed, x->o.now);
	return x->out.oom ? -1 : 0;
}

static bool explain(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "explain");
	return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

static enum MHD_Result do_decide(struct server *s, struct MHD_Connection *c, struct req *r)
{
	struct buf check = { 0 };
	int rc = eval_json_compact(&check, r->body.p ? r->body.p : "", r->body.n, NULL);
	buf_release(&check);
	if (rc < 0)
		return out_of_memory(s, c);
	if (rc == 1)
		return fail(s, c, MHD_HTTP_BAD_REQUEST, MERR_BAD_JSON, "request body is not JSON");
	struct decider x;
	if (decider_open(&x, s, explain(c) ? AUTHZ_DECIDE_EXPLAIN : 0) < 0 ||
	    decider_run(&x, r->body.p, r->body.n) < 0) {
		decider_close(&x);
		return out_of_memory(s, c);
	}
	buf_putc(&x.out, '\n');
	enum MHD_Result res;
	if (x.out.oom) {
		res = out_of_memory(s, c);
	} else if (!x.sb) {
		metrics_error(&s->m, MERR_NO_BUNDLE);
		res = respond_buf(c, MHD_HTTP_SERVICE_UNAVAILABLE, &x.out, NULL, 0);
	} else {
		res = respond_buf(c, MHD_HTTP_OK, &x.out, NULL, 0);
	}
	decider_close(&x);
	return res;
}

struct batch {
	struct decider *x;
	unsigned n, max;
};

static int batch_one(const char *elem, size_t len, void *payload)
{
	struct batch *b = payload;
	if (++b->n > b->max)
		return 2;
	if (b->n > 1)
		buf_putc(&b->x->out, ',');
	return decider_run(b->x, elem, len) < 0 ? -1 : 0;
}

/* The lines of a JSON Lines body, blank ones skipped. */
static int batch_lines(struct batch *b, const char *s, size_t n)
{
	size_t at = 0;
	while (at < n) {
		const char *nl = memchr(s + at, '\n', n - at);
		size_t end = nl ? (size_t)(nl - s) : n;
		int rc = eval_blank(s + at, end - at) ? 0 : batch_one(s + at, end - at, b);
		if (rc)
			return rc;
		at = end + 1;
	}
	return 0;
}

static enum MHD_Result do_batch(struct server *s, struct MHD_Connection *c, struct req *r)
{
	const char *body = r->body.p ? r->body.p : "";
	size_t n = r->body.n, i = 0;
	while (i < n && strchr(" \t\r\n", body[i]))
		i++;
	bool array = i < n && body[i] == '[';
	struct buf check = { 0 };
	int rc = array ? eval_json_compact(&check, body, n, NULL) : 0;
	if (rc == 1)
		return buf_release(&check),
		       fail(s, c, MHD_HTTP_BAD_REQUEST, MERR_BAD_JSON, "request body is not a JSON array");
	struct decider x;
	if (rc < 0 || decider_open(&x, s, explain(c) ? AUTHZ_DECIDE_EXPLAIN : 0) < 0) {
		buf_release(&check);
		if (rc >= 0)
			decider_close(&x);
		return out_of_memory(s, c);
	}
	struct batch b = { &x, 0, s->o.max_batch };
	buf_putc(&x.out, '[');
	rc = array ? eval_json_array(body, n, &check, batch_one, &b) : batch_lines(&b, body, n);
	buf_release(&check);
	buf_puts(&x.out, "]\n");
	enum MHD_Result res;
	if (rc == 2) {
		char msg[96];
		snprintf(msg, sizeof msg, "a batch holds at most %u requests", s->o.max_batch);
		res = fail(s, c, MHD_HTTP_CONTENT_TOO_LARGE, MERR_TOO_LARGE, msg);
	} else if (rc != 0 || x.out.oom) {
		res = out_of_memory(s, c);
	} else if (!x.sb) {
		metrics_error(&s->m, MERR_NO_BUNDLE);
		res = respond_buf(c, MHD_HTTP_SERVICE_UNAVAILABLE, &x.out, NULL, 0);
	} else {
		res = respond_buf(c, MHD_HTTP_OK, &x.out, NULL, 0);
	}
	decider_close(&x);
	return res;
}

static const char *header_of(void *payload, const char *name)
{
	return MHD_lookup_connection_value(payload, MHD_HEADER_KIND, name);
}

/* The deciding rules, comma-separated, for X-Authz-Rules. */
static void rule_list(struct buf *out, const authz_decision *d)
{
	for (size_t i = 0; d && i < authz_decision_rule_count(d); i++) {
		if (i)
			buf_putc(out, ',');
		for (const char *p = authz_decision_rule(d, i); *p; p++)
			if ((unsigned char)*p > 0x20 && *p != ',' && *p != 0x7f)
				buf_putc(out, *p);
	}
	buf_putc(out, '\0');
}

static enum MHD_Result do_gateway(struct server *s, struct MHD_Connection *c, const char *url,
				  const char *method)
{
	const char *path = url + strlen("/v1/gateway");
	struct buf q = { 0 }, rules = { 0 };
	struct decider x;
	char msg[256];
	if (decider_open(&x, s, 0) < 0) {
		decider_close(&x);
		return out_of_memory(s, c);
	}
	int rc = gateway_request(&q, s->o.gateway, method, *path ? path : "/", header_of, c, msg, sizeof msg);
	bool decided = rc == 0 && x.sb;
	if (rc == 0)
		rc = decider_run(&x, q.p, q.n);
	else if (rc == 1)
		rc = decider_deny(&x, NULL, 0, msg);
	buf_putc(&x.out, '\n');
	rule_list(&rules, decided ? x.d : NULL);
	enum MHD_Result res;
	if (rc < 0 || x.out.oom || rules.oom) {
		res = out_of_memory(s, c);
	} else {
		if (!x.sb)
			metrics_error(&s->m, MERR_NO_BUNDLE);
		const struct header h[] = {
			{ "X-Authz-Decision", x.allowed ? "allow" : "deny" },
			{ "X-Authz-Rules", rules.p },
			{ "X-Authz-Bundle", x.sb ? authz_bundle_digest(x.sb->b) : "none" },
		};
		res = respond_buf(c, x.allowed ? MHD_HTTP_OK : MHD_HTTP_FORBIDDEN, &x.out, h, 3);
	}
	buf_release(&q);
	buf_release(&rules);
	decider_close(&x);
	return res;
}

/* ---- health and metrics ---------------------------------------------------------- */

static void put_time(struct buf *b, int64_t ms)
{
	char t[32];
	authz_format_time(ms, t);
	buf_putc(b, '"');
	buf_puts(b, t);
	buf_putc(b, '"');
}

/* The holder's bundle, revision, load time, reloads and last refusal, as
 * members of a JSON object. */
static void put_holder(struct buf *b, const struct holder_status *h)
{
	buf_puts(b, "\"bundle\":");
	if (h->active) {
		json_put_str(b, h->digest, strlen(h->digest));
		buf_puts(b, ",\"revision\":");
		json_put_str(b, h->revision, strlen(h->revision));
		buf_puts(b, ",\"loaded_at\":");
		put_time(b, h->loaded_ms);
	} else {
		buf_puts(b, "null,\"revision\":null,\"loaded_at\":null");
	}
	buf_printf(b, ",\"reloads\":%llu,\"reload_failures\":%llu,\"last_refusal\":",
		   (unsigned long long)h->reloads, (unsigned long long)h->failures);
	if (h->has_error) {
		buf_puts(b, "{\"message\":");
		json_put_str(b, h->error, strlen(h->error));
		buf_puts(b, ",\"at\":");
		put_time(b, h->error_ms);
		buf_putc(b, '}');
	} else {
		buf_puts(b, "null");
	}
}

static enum MHD_Result do_health(struct server *s, struct MHD_Connection *c)
{
	struct holder_status h;
	holder_status(&s->h, &h);
	struct buf b = { 0 };
	buf_puts(&b, h.active ? "{\"status\":\"ok\",\"bundle\":" : "{\"status\":\"no bundle\",\"bundle\":");
	if (h.active) {
		json_put_str(&b, h.digest, strlen(h.digest));
		buf_puts(&b, ",\"revision\":");
		json_put_str(&b, h.revision, strlen(h.revision));
		buf_puts(&b, ",\"loaded_at\":");
		put_time(&b, h.loaded_ms);
		buf_puts(&b, ",\"signer\":");
		if (h.signer[0])
			json_put_str(&b, h.signer, strlen(h.signer));
		else
			buf_puts(&b, "null");
		buf_puts(&b, h.verified ? ",\"signature_verified\":true" : ",\"signature_verified\":false");
	} else {
		buf_puts(&b, "null,\"revision\":null,\"loaded_at\":null,\"signer\":null,"
			 "\"signature_verified\":false");
	}
	buf_printf(&b, ",\"reloads\":%llu,\"reload_failures\":%llu,\"last_refusal\":",
		   (unsigned long long)h.reloads, (unsigned long long)h.failures);
	if (h.has_error) {
		buf_puts(&b, "{\"message\":");
		json_put_str(&b, h.error, strlen(h.error));
		buf_puts(&b, ",\"at\":");
		put_time(&b, h.error_ms);
		buf_putc(&b, '}');
	} else {
		buf_puts(&b, "null");
	}
	if (s->shadowing) {
		struct holder_status sh;
		holder_status(&s->sh, &sh);
		buf_puts(&b, ",\"shadow\":{");
		put_holder(&b, &sh);
		buf_putc(&b, '}');
	}
	buf_puts(&b, "}\n");
	enum MHD_Result rc = b.oom ? out_of_memory(s, c)
				   : respond_buf(c, h.active ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
						 &b, NULL, 0);
	buf_release(&b);
	return rc;
}

static enum MHD_Result do_metrics(struct server *s, struct MHD_Connection *c)
{
	struct holder_status h;
	struct metrics_snapshot m;
	holder_status(&s->h, &h);
	metrics_snapshot(&s->m, &m);
	if (s->log) {
		struct declog_counts lc;
		declog_get_counts(s->log, &lc);
		m.log_written = lc.written;
		m.log_dropped = lc.dropped;
		m.log_failed = lc.failed;
	}
	if (s->shadowing) {
		struct holder_status sh;
		struct declog_counts lc;
		struct shadow_counts sc;
		holder_status(&s->sh, &sh);
		declog_get_counts(s->shadow_log, &lc);
		shadow_get_counts(s->shadow, &sc);
		m.shadow_on = true;
		m.shadow = sc.decided;
		m.loosened = sc.loosened;
		m.tightened = sc.tightened;
		m.shadow_skipped = sc.skipped;
		m.shadow_active = sh.active;
		snprintf(m.shadow_digest, sizeof m.shadow_digest, "%s", sh.digest);
		snprintf(m.shadow_revision, sizeof m.shadow_revision, "%s", sh.revision);
		m.shadow_reloads = sh.reloads;
		m.shadow_failures = sh.failures;
		m.shadow_dropped = lc.dropped + lc.failed;
	}
	struct buf b = { 0 };
	enum MHD_Result rc = metrics_render(&b, &m, &h) < 0
				     ? out_of_memory(s, c)
				     : respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.p,
					       b.n, NULL, 0);
	buf_release(&b);
	return rc;
}

/* ---- the handler ----------------------------------------------------------------- */

static bool is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

static enum route route_of(const struct server *s, const char *url, const char *method)
{
	bool post = is(method, "POST");
	bool get = is(method, "GET") || is(method, "HEAD");
	if (is(url, "/v1/decide"))
		return post ? R_DECIDE : R_METHOD;
	if (is(url, "/v1/decide/batch"))
		return post ? R_BATCH : R_METHOD;
	if (s->o.gateway && (is(url, "/v1/gateway") || !strncmp(url, "/v1/gateway/", 12)))
		return R_GATEWAY;
	if (is(url, "/health"))
		return get ? R_HEALTH : R_METHOD;
	if (is(url, "/metrics"))
		return get ? R_METRICS : R_METHOD;
	return R_NOT_FOUND;
}

static uint64_t since_ns(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0->tv_sec) * 1000000000u + (uint64_t)(t.tv_nsec - t0->tv_nsec);
}

static enum MHD_Result too_large(struct server *s, struct MHD_Connection *c)
{
	char msg[96];
	snprintf(msg, sizeof msg, "request body is larger than the %zu byte limit", s->o.max_body);
	return fail(s, c, MHD_HTTP_CONTENT_TOO_LARGE, MERR_TOO_LARGE, msg);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)version;
	if (!r) {
		if (!(r = calloc(1, sizeof *r)))
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		r->route = route_of(s, url, method);
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->o.max_body)
			return too_large(s, c);
		return MHD_YES;
	}
	if (*upload_size) {
		bool keep = r->route == R_DECIDE || r->route == R_BATCH || r->route == R_GATEWAY;
		if (keep && !r->over) {
			if (r->body.n + *upload_size > s->o.max_body)
				r->over = true;
			else
				buf_put(&r->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->over)
		return too_large(s, c);
	if (r->body.oom)
		return out_of_memory(s, c);
	enum MHD_Result rc;
	switch (r->route) {
	case R_DECIDE:
		rc = do_decide(s, c, r);
		break;
	case R_BATCH:
		rc = do_batch(s, c, r);
		break;
	case R_GATEWAY:
		rc = do_gateway(s, c, url, method);
		break;
	case R_HEALTH:
		return do_health(s, c);
	case R_METRICS:
		return do_metrics(s, c);
	case R_METHOD:
		return fail(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, MERR_METHOD,
			    is(url, "/health") || is(url, "/metrics") ? "use GET" : "use POST");
	default:
		return fail(s, c, MHD_HTTP_NOT_FOUND, MERR_NOT_FOUND, "no such endpoint");
	}
	metrics_latency(&s->m, since_ns(&r->t0));
	return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	note(s, "libmicrohttpd: %s", msg);
}

/*
 * Leave the URL as it came: the gateway decodes each path segment once
 * (gateway_segment), as it does X-Original-URI, so an encoded '/' (%2F)
 * stays inside its segment and nothing is decoded twice.  libmicrohttpd
 * would otherwise decode the path before the handler sees it (and the
 * query's values: only "explain" is read, as 1 or true).
 */
static size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* ---- start, bundle, stop ------------------------------------------------------------ */

bool serve_is_url(const char *s)
{
	return s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8));
}

/* What a refused bundle of `src` leaves serving, for the note. */
static const char *left_text(struct server *s, const struct source *src)
{
	if (src->h == &s->h)
		return s->h.cur ? "the active bundle keeps serving" : "no bundle: every decision denies";
	return s->sh.cur ? "the previous shadow bundle stays" : "no shadow decisions until one loads";
}

/* The file of `src`, if it changed (or `force`): 0, 1 reloaded, -1 refused. */
static int check_file(struct server *s, struct source *src, bool force)
{
	if (!src->path)
		return 0;
	authz_error err = { 0 };
	int rc = force ? (holder_load_file(src->h, src->path, &err) < 0 ? -1 : 1)
		       : holder_poll_file(src->h, src->path, &err);
	if (rc < 0) {
		note(s, "%s '%s' refused: %s; %s", src->what, src->path, err.message, left_text(s, src));
	} else if (rc > 0) {
		struct holder_status h;
		holder_status(src->h, &h);
		note(s, "%s %s loaded from '%s'", src->what, h.digest, src->path);
	}
	return rc;
}

int server_check_bundle(struct server *s, bool force)
{
	if (s->shadowing)
		check_file(s, &s->cand, force);
	return check_file(s, &s->main, force);
}

/* Poll the URL of `src`: 0 unchanged, 1 reloaded, -1 failed. */
static int check_url(struct server *s, struct source *src)
{
	if (!src->url)
		return 0;
	authz_error aerr = { 0 };
	int rc = fetch_poll(&src->fetch, &src->body, aerr.message, sizeof aerr.message);
	if (src->m)
		metrics_fetch(src->m, rc == FETCH_NEW ? MFETCH_NEW : rc == FETCH_SAME ? MFETCH_SAME : MFETCH_ERROR);
	const char *left = left_text(s, src);
	if (rc == FETCH_SAME)
		return 0;
	if (rc == FETCH_ERROR) {
		aerr.code = AUTHZ_EIO;
		holder_refuse(src->h, &aerr);
		if (src->h == &s->h)
			note(s, "%s; %s", aerr.message, left);
		else
			note(s, "%s: %s; %s", src->what, aerr.message, left);
		return -1;
	}
	/* Refused or taken, this body is not downloaded again until it changes. */
	fetch_keep_etag(&src->fetch);
	if (holder_load_buffer(src->h, src->body.p, src->body.n, &aerr) < 0) {
		note(s, "%s from '%s' refused: %s; %s", src->what, src->url, aerr.message, left);
		buf_release(&src->body);
		return -1;
	}
	struct holder_status h;
	holder_status(src->h, &h);
	note(s, "%s %s loaded from '%s'", src->what, h.digest, src->url);
	if (src->cache && fileio_replace(src->cache, src->body.p, src->body.n, 0644) < 0)
		note(s, "cannot write the bundle cache '%s': %s", src->cache, strerror(errno));
	buf_release(&src->body);
	return 1;
}

int server_check_url(struct server *s)
{
	if (s->shadowing)
		check_url(s, &s->cand);
	return check_url(s, &s->main);
}

/* Serve the cached bundle of the URL, if there is one. */
static void load_cache(struct server *s)
{
	authz_error err = { 0 };
	if (!s->o.bundle_cache || access(s->o.bundle_cache, F_OK) < 0)
		return;
	if (holder_load_file(&s->h, s->o.bundle_cache, &err) < 0) {
		note(s, "bundle cache '%s' refused: %s", s->o.bundle_cache, err.message);
		return;
	}
	struct holder_status h;
	holder_status(&s->h, &h);
	note(s, "bundle %s loaded from the cache '%s'", h.digest, s->o.bundle_cache);
}

static void source_init(struct source *src, const char *what, struct holder *h, const char *path,
			const char *url, const char *cache, struct metrics *m)
{
	memset(src, 0, sizeof *src);
	src->what = what;
	src->h = h;
	src->path = path;
	src->url = url;
	src->cache = cache;
	src->m = m;
}

static void source_release(struct source *src)
{
	if (src->fetching)
		fetch_release(&src->fetch);
	src->fetching = false;
	buf_release(&src->body);
}

/* Undo what server_start made before the daemon (each part may be
 * missing: fd < 0, NULL logs, no fetch). */
static void server_free(struct server *s)
{
	source_release(&s->main);
	source_release(&s->cand);
	shadow_close(s->shadow);        /* decides what is queued, into shadow_log */
	declog_close(s->shadow_log);
	declog_close(s->log);
	if (s->fd >= 0) {
		close(s->fd);
		if (s->o.socket_path)
			unlink(s->o.socket_path);
	}
	pthread_key_delete(s->scratch);
	if (s->shadowing)
		holder_release(&s->sh);
	holder_release(&s->h);
	free(s);
}

int server_start(struct server **out, const struct serve_opts *o, char *err, size_t size)
{
	struct server *s = calloc(1, sizeof *s);
	if (!s || holder_init(&s->h) < 0) {
		free(s);
		snprintf(err, size, "out of memory");
		return -1;
	}
	s->h.load = o->load;
	if (pthread_key_create(&s->scratch, scratch_free)) {
		holder_release(&s->h);
		free(s);
		snprintf(err, size, "out of memory");
		return -1;
	}
	s->o = *o;
	s->fd = -1;
	metrics_init(&s->m);
	atomic_init(&s->inflight, 0);
	source_init(&s->main, "bundle", &s->h, o->bundle_path, o->bundle_url, o->bundle_cache, &s->m);
	if (o->shadow) {
		if (!o->shadow_log) {
			snprintf(err, size, "--shadow needs a log for its disagreements");
			server_free(s);
			return -1;
		}
		if (holder_init(&s->sh) < 0) {
			snprintf(err, size, "out of memory");
			server_free(s);
			return -1;
		}
		/* A candidate is held to the same keys as the active bundle. */
		s->sh.load = o->load;
		s->shadowing = true;
		bool url = serve_is_url(o->shadow);
		source_init(&s->cand, "shadow bundle", &s->sh, url ? NULL : o->shadow, url ? o->shadow : NULL,
			    NULL, NULL);
	}
	s->fd = listen_open(o->listen, o->socket_path, s->addr, sizeof s->addr, err, size);
	if (s->fd < 0 || (o->log && declog_open(&s->log, o->log, err, size) < 0) ||
	    (o->shadow && (declog_open(&s->shadow_log, o->shadow_log, err, size) < 0 ||
			   shadow_open(&s->shadow, &s->sh, s->shadow_log,
				       o->shadow_log->queue ? o->shadow_log->queue : DECLOG_QUEUE, err, size) < 0))) {
		server_free(s);
		return -1;
	}
	if (o->bundle_url) {
		if (fetch_init(&s->main.fetch, o->bundle_url, err, size) < 0) {
			server_free(s);
			return -1;
		}
		s->main.fetching = true;
	}
	if (s->cand.url) {
		if (fetch_init(&s->cand.fetch, s->cand.url, err, size) < 0) {
			server_free(s);
			return -1;
		}
		s->cand.fetching = true;
	}
	server_check_bundle(s, false);
	if (o->bundle_url)
		load_cache(s);
	if (o->bundle_url || s->cand.url)
		server_check_url(s);
	unsigned threads = o->threads ? o->threads : 1;
	s->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				handle, s,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->fd,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
				MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_HEADER_MEMORY,
				MHD_OPTION_NOTIFY_COMPLETED, completed, s,
				MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, s,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, size, "cannot start the HTTP server on %s", s->addr);
		server_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

const char *server_address(const struct server *s)
{
	return s->addr;
}

void server_stop(struct server *s, unsigned drain_s)
{
	if (!s)
		return;
	MHD_quiesce_daemon(s->d);
	/* Requests in flight finish; idle keep-alive connections are closed. */
	for (unsigned waited = 0; atomic_load(&s->inflight) > 0 && waited < drain_s * 100; waited++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	MHD_stop_daemon(s->d);         /* its threads ended: their scratch is freed */
	server_free(s);
}
