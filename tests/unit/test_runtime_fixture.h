/*
 * test_runtime_fixture.h: bundles assembled by hand with the writer API for
 * the runtime's unit tests (tests/unit/runtime/).  The schema is the example of
 * authzc-policy(5) plus an int and a duration.
 */
#ifndef TEST_RUNTIME_FIXTURE_H
#define TEST_RUNTIME_FIXTURE_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "bundle_write.h"
#include "rule_image.h"

struct fx {
	struct bundle_writer *w;
	uint32_t sa, user, dataset, read, write;
	uint32_t tenant, revoked, groups, workload, w_signed, w_spiffe, window, win_start, win_end, level,
		 quota, env, tickets, mfa;
	uint32_t c_ticket, c_ip, c_n;
	uint32_t file, rule, guard;
};

#define OK(x) cr_assert_eq((x), 0, "%s failed: %s", #x, bw_error(f->w))

static inline void fx_attr(struct fx *f, uint32_t owner, const char *a, const char *b, enum authz_kind t,
			   enum authz_kind elem, bool opt, uint32_t *slot)
{
	const char *path[2] = { a, b };
	OK(bw_attr(f->w, owner, path, b ? 2 : 1, t, elem, opt, slot));
}

static inline void fx_schema(struct fx *f)
{
	memset(f, 0, sizeof *f);
	cr_assert_eq(bw_new(&f->w), 0);
	OK(bw_entity_type(f->w, "ServiceAccount", &f->sa));
	OK(bw_entity_type(f->w, "User", &f->user));
	OK(bw_entity_type(f->w, "Dataset", &f->dataset));
	uint32_t s;
	fx_attr(f, f->sa, "tenant", NULL, AUTHZ_K_STRING, 0, false, &f->tenant);
	fx_attr(f, f->sa, "revoked", NULL, AUTHZ_K_BOOL, 0, false, &f->revoked);
	fx_attr(f, f->sa, "groups", NULL, AUTHZ_K_SET, AUTHZ_K_STRING, false, &f->groups);
	fx_attr(f, f->sa, "workload", NULL, AUTHZ_K_RECORD, 0, false, &f->workload);
	fx_attr(f, f->sa, "workload", "signed", AUTHZ_K_BOOL, 0, false, &f->w_signed);
	fx_attr(f, f->sa, "workload", "spiffe_id", AUTHZ_K_STRING, 0, false, &f->w_spiffe);
	fx_attr(f, f->sa, "window", NULL, AUTHZ_K_RECORD, 0, true, &f->window);
	fx_attr(f, f->sa, "window", "start", AUTHZ_K_TIMESTAMP, 0, false, &f->win_start);
	fx_attr(f, f->sa, "window", "end", AUTHZ_K_TIMESTAMP, 0, false, &f->win_end);
	fx_attr(f, f->sa, "level", NULL, AUTHZ_K_INT, 0, false, &f->level);
	fx_attr(f, f->sa, "quota", NULL, AUTHZ_K_DURATION, 0, true, &f->quota);
	fx_attr(f, f->user, "tenant", NULL, AUTHZ_K_STRING, 0, false, &s);
	cr_assert_eq(s, f->tenant, "slots are shared by name across types");
	fx_attr(f, f->user, "mfa", NULL, AUTHZ_K_BOOL, 0, false, &f->mfa);
	fx_attr(f, f->dataset, "tenant", NULL, AUTHZ_K_STRING, 0, false, &s);
	fx_attr(f, f->dataset, "env", NULL, AUTHZ_K_STRING, 0, false, &f->env);
	fx_attr(f, f->dataset, "change_tickets", NULL, AUTHZ_K_SET, AUTHZ_K_STRING, false, &f->tickets);
	fx_attr(f, BW_CONTEXT, "ticket", NULL, AUTHZ_K_STRING, 0, true, &f->c_ticket);
	fx_attr(f, BW_CONTEXT, "source_ip", NULL, AUTHZ_K_IP, 0, false, &f->c_ip);
	fx_attr(f, BW_CONTEXT, "n", NULL, AUTHZ_K_INT, 0, true, &f->c_n);
	uint32_t both[2] = { f->sa, f->user };
	OK(bw_action(f->w, "read", both, 2, &f->dataset, 1, &f->read));
	OK(bw_action(f->w, "write", &f->sa, 1, &f->dataset, 1, &f->write));
	OK(bw_file(f->w, "policies/p.authz", &f->file));
}

/* Begin rule `id` with any scope and one guard. */
static inline void fx_rule(struct fx *f, const char *id, enum authz_effect effect)
{
	struct bw_rule_desc d = { .id = id, .effect = effect, .file = f->file, .line = 3, .col = 1 };
	OK(bw_rule_begin(f->w, &d, &f->rule));
	OK(bw_guard(f->w, f->file, 5, 8, "the guard", &f->guard));
}

static inline void fx_emit(struct fx *f, uint32_t ins) { OK(bw_emit(f->w, ins)); }
static inline void fx_n(struct fx *f, enum authz_op op) { fx_emit(f, AUTHZ_CREATE_N(op)); }
static inline void fx_k(struct fx *f, uint32_t k) { fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_CONST, k)); }

static inline void fx_kint(struct fx *f, enum authz_kind kind, int64_t v)
{
	uint32_t k;
	OK(bw_const_int(f->w, kind, v, &k));
	fx_k(f, k);
}

static inline void fx_kstr(struct fx *f, const char *s)
{
	uint32_t k;
	OK(bw_const_string(f->w, s, strlen(s), &k));
	fx_k(f, k);
}

static inline void fx_kip(struct fx *f, const char *s)
{
	uint32_t k;
	authz_ip ip;
	OK(authz_parse_ip(s, strlen(s), &ip));
	OK(bw_const_ip(f->w, &ip, &k));
	fx_k(f, k);
}

/* A set of strings (n of them). */
static inline void fx_kset(struct fx *f, const char *const *v, size_t n)
{
	uint32_t e[16] = { 0 }, k;
	for (size_t i = 0; i < n; i++)
		OK(bw_const_string(f->w, v[i], strlen(v[i]), &e[i]));
	OK(bw_const_set(f->w, e, n, &k));
	fx_k(f, k);
}

static inline void fx_attr_read(struct fx *f, unsigned root, uint32_t slot)
{
	fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, root, slot));
}

/* Close a one-guard `when` rule: WHEN 0, APPLY. */
static inline void fx_end_when(struct fx *f)
{
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	fx_n(f, AUTHZ_OP_APPLY);
	OK(bw_rule_end(f->w));
}

static inline authz_bundle *fx_load(struct fx *f, uint8_t **bytes, size_t *len)
{
	uint8_t *buf;
	size_t n;
	OK(bw_finish(f->w, &buf, &n));
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load(&b, buf, n, &err), 0, "load: %s", err.message);
	cr_assert_eq(authz_bundle_prepare(b), 0);      /* the images and index the tests look at */
	if (bytes) {
		*bytes = buf;
		*len = n;
	} else {
		free(buf);
	}
	bw_free(f->w);
	f->w = NULL;
	return b;
}

static const char FX_REQUEST[] =
	"{\"principal\":{\"type\":\"ServiceAccount\",\"id\":\"ci-bot\",\"attrs\":{\"tenant\":\"acme\","
	"\"revoked\":false,\"groups\":[\"deployers\",\"ops\"],\"workload\":{\"signed\":true,"
	"\"spiffe_id\":\"spiffe://acme/ci\"},\"window\":{\"start\":\"2026-11-22T09:00:00Z\","
	"\"end\":\"2026-11-22T11:00:00Z\"},\"level\":5}},\"action\":\"read\","
	"\"resource\":{\"type\":\"Dataset\",\"id\":\"sales\",\"attrs\":{\"tenant\":\"acme\","
	"\"env\":\"production\",\"change_tickets\":[\"CHG-42\"]}},"
	"\"context\":{\"ticket\":\"CHG-42\",\"source_ip\":\"10.1.2.3\"},\"time\":\"2026-11-22T10:00:00Z\"}";

/* A new request *r for b and a new decision of `json` (FX_REQUEST when
 * NULL) with `flags` in it; free both. */
static inline authz_decision *fx_decided(authz_bundle *b, const char *json, unsigned flags, authz_request **r)
{
	authz_decision *d;
	cr_assert_eq(authz_request_new(r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	if (!json)
		json = FX_REQUEST;
	cr_assert_eq(authz_decide_json(d, b, *r, json, strlen(json), flags), 0);
	return d;
}

/* Decide `json` (FX_REQUEST when NULL) against b; returns the JSON line
 * (malloc'd). */
static inline char *fx_decide(authz_bundle *b, const char *json, unsigned flags)
{
	authz_request *r;
	authz_decision *d = fx_decided(b, json, flags, &r);
	const char *line = authz_decision_json(d, NULL);
	cr_assert(line);
	char *out = strdup(line);
	authz_decision_free(d);
	authz_request_free(r);
	return out;
}

/* Decide `json` (FX_REQUEST when NULL) against b with `flags` twice: with
 * its guards fused (rule_image.h), as loaded, and with the images built
 * again without fusing; the two decisions must be the same, byte for
 * byte, with and without a trace.  Returns the line (malloc'd); b is left
 * fused. */
static inline char *fx_decide_both(authz_bundle *b, const char *json, unsigned flags)
{
	char *fused = fx_decide(b, json, flags), *traced = fx_decide(b, json, flags | AUTHZ_DECIDE_TRACE);
	cr_assert_eq(rt_img_build(b, false), 0);
	char *plain = fx_decide(b, json, flags), *plain_traced = fx_decide(b, json, flags | AUTHZ_DECIDE_TRACE);
	cr_assert_eq(rt_img_build(b, true), 0);
	cr_assert_eq(rt_index_rebuild(b, 0), 0);       /* key_end, which images built anew lack */
	cr_assert_str_eq(fused, plain, "fused guards decide otherwise");
	cr_assert_str_eq(traced, plain_traced, "fused guards trace otherwise");
	free(plain);
	free(traced);
	free(plain_traced);
	return fused;
}

/* A bundle of one permit "t" whose one `when` guard is what `emit`
 * writes. */
static inline authz_bundle *fx_one_rule(void (*emit)(struct fx *f))
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	fx_rule(f, "t", AUTHZ_PERMIT);
	emit(f);
	fx_end_when(f);
	return fx_load(f, NULL, NULL);
}

/* Evaluate the expression emitted by `emit` as the only `when` guard of a
 * permit: 1 true, 0 false, -1 rule error; the same with and without fused
 * guards (fx_decide_both). */
static inline int fx_eval(void (*emit)(struct fx *f))
{
	authz_bundle *b = fx_one_rule(emit);
	char *line = fx_decide_both(b, NULL, 0);
	int res = strstr(line, "\"kind\":\"rule\"") ? -1 : strncmp(line, "{\"decision\":\"allow\"", 19) == 0;
	free(line);
	authz_bundle_free(b);
	return res;
}

#endif
