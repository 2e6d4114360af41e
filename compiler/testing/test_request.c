/*
 * test_request.c: checked request -> authz_request (test_request.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "test_request.h"

/* Append element `e` to the set at `path`. */
static int add_element(authz_request *r, int root, const char *path, const struct value *e)
{
	switch (e->kind) {
	case VAL_BOOL: return authz_request_add_bool(r, root, path, e->u.b);
	case VAL_INT: return authz_request_add_int(r, root, path, e->u.i);
	case VAL_TIMESTAMP: return authz_request_add_timestamp(r, root, path, e->u.i);
	case VAL_DURATION: return authz_request_add_duration(r, root, path, e->u.i);
	case VAL_STRING: return authz_request_add_string_n(r, root, path, e->u.str.s, e->u.str.len);
	case VAL_IP: return authz_request_add_ip_addr(r, root, path, &e->u.ip);
	default:
		return AUTHZ_EINVAL;    /* sets of sets or records: not in the language */
	}
}

/* Set every attribute of record `v` under `prefix` ("" at the root). */
static int set_record(authz_request *r, int root, const char *prefix, const struct value *v,
		      struct arena *a, char *msg, size_t size)
{
	for (size_t i = 0; i < v->u.rec.n; i++) {
		const struct value_field *f = &v->u.rec.fields[i];
		const struct value *x = &f->value;
		const char *path = *prefix ? arena_printf(a, "%s.%s", prefix, f->name) : f->name;
		int rc = 0;
		switch (x->kind) {
		case VAL_BOOL: rc = authz_request_set_bool(r, root, path, x->u.b); break;
		case VAL_INT: rc = authz_request_set_int(r, root, path, x->u.i); break;
		case VAL_TIMESTAMP: rc = authz_request_set_timestamp(r, root, path, x->u.i); break;
		case VAL_DURATION: rc = authz_request_set_duration(r, root, path, x->u.i); break;
		case VAL_STRING:
			rc = authz_request_set_string_n(r, root, path, x->u.str.s, x->u.str.len);
			break;
		case VAL_IP: rc = authz_request_set_ip_addr(r, root, path, &x->u.ip); break;
		case VAL_SET:
			rc = authz_request_set_empty_set(r, root, path);
			for (size_t k = 0; rc == 0 && k < x->u.set.n; k++)
				rc = add_element(r, root, path, &x->u.set.items[k]);
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
	authz_request_reset(r);
	const char *what = "principal";
	rc = authz_request_set_principal_n(r, q->principal.type->name, q->principal.id, q->principal.id_len);
	if (rc == 0) {
		what = "resource";
		rc = authz_request_set_resource_n(r, q->resource.type->name, q->resource.id, q->resource.id_len);
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
