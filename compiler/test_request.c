/*
 * test_request.c: checked request -> authz_request (test_request.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "codegen.h"
#include "test_request.h"

/* Can every value of record `v` go through the setter API? */
static bool record_settable(const struct value *v)
{
	for (size_t i = 0; i < v->u.rec.n; i++) {
		const struct value *x = &v->u.rec.fields[i].value;
		switch (x->kind) {
		case VAL_STRING:
			if (memchr(x->u.str.s, 0, x->u.str.len))
				return false;
			break;
		case VAL_SET:
			for (size_t k = 0; k < x->u.set.n; k++) {
				const struct value *e = &x->u.set.items[k];
				if (e->kind != VAL_STRING && e->kind != VAL_INT)
					return false;
				if (e->kind == VAL_STRING && memchr(e->u.str.s, 0, e->u.str.len))
					return false;
			}
			break;
		case VAL_RECORD:
			if (!record_settable(x))
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

static bool settable(const struct checked_request *q)
{
	return !memchr(q->principal.id, 0, q->principal.id_len) &&
	       !memchr(q->resource.id, 0, q->resource.id_len) &&
	       record_settable(&q->principal.attrs) && record_settable(&q->resource.attrs) &&
	       record_settable(&q->context);
}

/* Set every attribute of record `v` under `prefix` ("" at the root). */
static int set_record(authz_request *r, int root, const char *prefix, const struct value *v,
		      struct arena *a, char *msg, size_t size)
{
	for (size_t i = 0; i < v->u.rec.n; i++) {
		const struct value_field *f = &v->u.rec.fields[i];
		const struct value *x = &f->value;
		const char *path = *prefix ? arena_printf(a, "%s.%s", prefix, f->name) : f->name;
		char ip[64];
		int rc = 0;
		switch (x->kind) {
		case VAL_BOOL: rc = authz_request_set_bool(r, root, path, x->u.b); break;
		case VAL_INT: rc = authz_request_set_int(r, root, path, x->u.i); break;
		case VAL_TIMESTAMP: rc = authz_request_set_timestamp(r, root, path, x->u.i); break;
		case VAL_DURATION: rc = authz_request_set_duration(r, root, path, x->u.i); break;
		case VAL_STRING: rc = authz_request_set_string(r, root, path, x->u.str.s); break;
		case VAL_IP:
			codegen_ip_text(&x->u.ip, ip, sizeof ip);
			rc = authz_request_set_ip(r, root, path, ip);
			break;
		case VAL_SET:
			rc = authz_request_set_empty_set(r, root, path);
			for (size_t k = 0; rc == 0 && k < x->u.set.n; k++) {
				const struct value *e = &x->u.set.items[k];
				rc = e->kind == VAL_INT ? authz_request_add_int(r, root, path, e->u.i)
							: authz_request_add_string(r, root, path, e->u.str.s);
			}
			break;
		case VAL_RECORD:
			rc = set_record(r, root, path, x, a, msg, size);
			if (rc < 0)
				return rc;
			break;
		}
		if (rc < 0) {
			static const char *const roots[] = { "principal", "resource", "context" };
			snprintf(msg, size, "cannot set '%s.%s': %s", roots[root], path,
				 rc == AUTHZ_ENOTFOUND ? "not declared in the bundle's schema"
				 : rc == AUTHZ_ENOMEM ? "out of memory" : "wrong type");
			return rc;
		}
	}
	return 0;
}

static char *json_str(struct arena *a, const char *s, size_t len)
{
	struct value v = value_string(s, len);
	return value_str(a, &v, VALUE_JSON);
}

char *test_request_json(struct arena *a, const struct checked_request *q)
{
	char *t = arena_printf(
		a, "{\"principal\":{\"type\":%s,\"id\":%s,\"attrs\":%s},\"action\":%s,"
		"\"resource\":{\"type\":%s,\"id\":%s,\"attrs\":%s},\"context\":%s",
		json_str(a, q->principal.type->name, strlen(q->principal.type->name)),
		json_str(a, q->principal.id, q->principal.id_len),
		value_str(a, &q->principal.attrs, VALUE_JSON),
		json_str(a, q->action->name, strlen(q->action->name)),
		json_str(a, q->resource.type->name, strlen(q->resource.type->name)),
		json_str(a, q->resource.id, q->resource.id_len),
		value_str(a, &q->resource.attrs, VALUE_JSON), value_str(a, &q->context, VALUE_JSON));
	if (q->has_time) {
		struct value tv = value_int(VAL_TIMESTAMP, q->time_ms);
		t = arena_printf(a, "%s,\"time\":%s", t, value_str(a, &tv, VALUE_JSON));
	}
	return arena_printf(a, "%s}", t);
}

int test_request_build(authz_request *r, const struct checked_request *q, struct arena *a,
		       char *msg, size_t size)
{
	int rc;
	msg[0] = 0;
	if (!settable(q)) {
		char *json = test_request_json(a, q);
		rc = authz_request_parse_json(r, json, strlen(json));
		if (rc < 0)
			snprintf(msg, size, "out of memory");
		return rc;
	}
	authz_request_reset(r);
	const char *what = "principal";
	rc = authz_request_set_principal(r, q->principal.type->name, q->principal.id);
	if (rc == 0) {
		what = "resource";
		rc = authz_request_set_resource(r, q->resource.type->name, q->resource.id);
	}
	if (rc == 0) {
		what = "action";
		rc = authz_request_set_action(r, q->action->name);
	}
	if (rc < 0) {
		snprintf(msg, size, "cannot set the %s: %s", what,
			 rc == AUTHZ_ENOTFOUND ? "not declared in the bundle's schema" : "bad value");
		return rc;
	}
	if (q->has_time && (rc = authz_request_set_time(r, q->time_ms)) < 0) {
		snprintf(msg, size, "cannot set the time");
		return rc;
	}
	if ((rc = set_record(r, AUTHZ_PRINCIPAL, "", &q->principal.attrs, a, msg, size)) < 0 ||
	    (rc = set_record(r, AUTHZ_RESOURCE, "", &q->resource.attrs, a, msg, size)) < 0 ||
	    (rc = set_record(r, AUTHZ_CONTEXT, "", &q->context, a, msg, size)) < 0)
		return rc;
	return 0;
}
