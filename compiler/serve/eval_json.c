/*
 * eval_json.c: the JSON text of `authzc eval` and `authzc serve`
 * (eval_json.h): a strict JSON checker that writes the value back
 * compacted, arrays split into their elements, the --log decision record,
 * the deny for a request the runtime never saw, and one request decided.
 */
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "eval_json.h"
#include "json.h"
#include "utf8.h"

#define JSON_MAX_DEPTH 128

bool eval_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* {====================================================================
** The checker: recursive descent over the text, copying each token.
** ===================================================================== */

struct jc {
	const char *s;
	size_t n, at;
	struct buf *out;
};

static void jc_ws(struct jc *j)
{
	while (j->at < j->n && (j->s[j->at] == ' ' || j->s[j->at] == '\t' || j->s[j->at] == '\n' ||
				j->s[j->at] == '\r'))
		j->at++;
}

static bool jc_copy(struct jc *j, size_t from)
{
	buf_put(j->out, j->s + from, j->at - from);
	return !j->out->oom;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at j->at (the opening quote); its body in *start and *len. */
static bool jc_string(struct jc *j, size_t *start, size_t *len)
{
	size_t from = j->at++;
	*start = j->at;
	while (j->at < j->n) {
		unsigned char c = (unsigned char)j->s[j->at];
		if (c == '"') {
			*len = j->at - *start;
			j->at++;
			return jc_copy(j, from);
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->at + 1 >= j->n)
				return false;
			char e = j->s[j->at + 1];
			if (e == 'u') {
				if (j->at + 6 > j->n)
					return false;
				for (size_t k = 2; k < 6; k++)
					if (!is_hex(j->s[j->at + k]))
						return false;
				j->at += 6;
			} else if (e && strchr("\"\\/bfnrt", e)) {
				j->at += 2;
			} else {
				return false;
			}
			continue;
		}
		size_t ul = utf8_len(j->s + j->at, j->n - j->at);
		if (!ul)
			return false;
		j->at += ul;
	}
	return false;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool jc_number(struct jc *j)
{
	size_t from = j->at;
	if (j->s[j->at] == '-')
		j->at++;
	if (j->at >= j->n || !is_digit(j->s[j->at]))
		return false;
	if (j->s[j->at] == '0')
		j->at++;
	else
		while (j->at < j->n && is_digit(j->s[j->at]))
			j->at++;
	if (j->at < j->n && j->s[j->at] == '.') {
		j->at++;
		if (j->at >= j->n || !is_digit(j->s[j->at]))
			return false;
		while (j->at < j->n && is_digit(j->s[j->at]))
			j->at++;
	}
	if (j->at < j->n && (j->s[j->at] == 'e' || j->s[j->at] == 'E')) {
		j->at++;
		if (j->at < j->n && (j->s[j->at] == '+' || j->s[j->at] == '-'))
			j->at++;
		if (j->at >= j->n || !is_digit(j->s[j->at]))
			return false;
		while (j->at < j->n && is_digit(j->s[j->at]))
			j->at++;
	}
	return jc_copy(j, from);
}

static bool jc_word(struct jc *j, const char *w)
{
	size_t n = strlen(w);
	if (j->n - j->at < n || memcmp(j->s + j->at, w, n))
		return false;
	size_t from = j->at;
	j->at += n;
	return jc_copy(j, from);
}

static bool jc_put(struct jc *j, char c)
{
	buf_putc(j->out, c);
	return !j->out->oom;
}

/* Does the key s[0..n) (raw, escapes as written) spell "time"? */
static bool key_is_time(const char *s, size_t n)
{
	char k[5];
	size_t m = 0;
	for (size_t i = 0; i < n; m++) {
		if (m == 4)
			return false;
		if (s[i] != '\\') {
			k[m] = s[i++];
		} else if (s[i + 1] == 'u' && !memcmp(s + i + 2, "00", 2)) {
			k[m] = (char)strtol((char[]){ s[i + 4], s[i + 5], 0 }, NULL, 16);
			i += 6;
		} else {
			return false;
		}
	}
	return m == 4 && !memcmp(k, "time", 4);
}

static bool jc_value(struct jc *j, int depth, struct eval_json_info *info);

static bool jc_container(struct jc *j, int depth, struct eval_json_info *info)
{
	char open = j->s[j->at], close = open == '{' ? '}' : ']';
	if (depth >= JSON_MAX_DEPTH || !jc_put(j, open))
		return false;
	j->at++;
	jc_ws(j);
	if (j->at < j->n && j->s[j->at] == close) {
		j->at++;
		return jc_put(j, close);
	}
	for (;;) {
		size_t ks = 0, kl = 0;
		if (open == '{') {
			if (j->at >= j->n || j->s[j->at] != '"' || !jc_string(j, &ks, &kl))
				return false;
			jc_ws(j);
			if (j->at >= j->n || j->s[j->at] != ':' || !jc_put(j, ':'))
				return false;
			j->at++;
			jc_ws(j);
		}
		size_t vat = j->at;
		if (!jc_value(j, depth + 1, NULL))
			return false;
		if (info && open == '{' && key_is_time(j->s + ks, kl) && j->s[vat] == '"') {
			info->has_time = true;
			info->time_start = vat + 1;
			info->time_len = j->at - vat - 2;
		}
		jc_ws(j);
		if (j->at >= j->n)
			return false;
		if (j->s[j->at] == close) {
			j->at++;
			return jc_put(j, close);
		}
		if (j->s[j->at] != ',' || !jc_put(j, ','))
			return false;
		j->at++;
		jc_ws(j);
	}
}

/* One value at j->at (no leading whitespace); `info` for the top level. */
static bool jc_value(struct jc *j, int depth, struct eval_json_info *info)
{
	if (j->at >= j->n)
		return false;
	size_t s, l;
	switch (j->s[j->at]) {
	case '{':
		if (info)
			info->object = true;
		return jc_container(j, depth, info);
	case '[':
		return jc_container(j, depth, NULL);
	case '"':
		return jc_string(j, &s, &l);
	case 't':
		return jc_word(j, "true");
	case 'f':
		return jc_word(j, "false");
	case 'n':
		return jc_word(j, "null");
	default:
		return jc_number(j);
	}
}

int eval_json_compact(struct buf *out, const char *s, size_t n, struct eval_json_info *info)
{
	struct eval_json_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	if (out->oom)
		return -1;
	size_t before = out->n;
	struct jc j = { s, n, 0, out };
	jc_ws(&j);
	bool ok = jc_value(&j, 0, info);
	jc_ws(&j);
	if (ok && j.at == n)
		return 0;
	buf_truncate(out, before);
	memset(info, 0, sizeof *info);
	return out->oom ? -1 : 1;
}

int eval_json_array(const char *s, size_t n, struct buf *scratch,
		    int (*each)(const char *elem, size_t len, void *payload), void *payload)
{
	if (scratch->oom)
		return -1;
	struct jc j = { s, n, 0, scratch };
	jc_ws(&j);
	if (j.at >= n || s[j.at] != '[')
		return 1;
	j.at++;
	jc_ws(&j);
	int rc = 0;
	bool first = true;
	for (;;) {
		if (j.at < n && s[j.at] == ']' && first) {
			j.at++;
			break;
		}
		size_t from = j.at;
		buf_reset(scratch);
		if (!jc_value(&j, 1, NULL)) {
			rc = scratch->oom ? -1 : 1;
			break;
		}
		if ((rc = each(s + from, j.at - from, payload)) != 0)
			break;
		first = false;
		jc_ws(&j);
		if (j.at < n && s[j.at] == ',') {
			j.at++;
			jc_ws(&j);
			continue;
		}
		if (j.at < n && s[j.at] == ']') {
			j.at++;
			break;
		}
		rc = 1;
		break;
	}
	buf_reset(scratch);
	if (rc)
		return rc;
	jc_ws(&j);
	return j.at == n ? 0 : 1;
}

int eval_log_members(struct buf *out, const char *req, size_t req_len, const char *decision,
		     size_t decision_len, const char *digest, const char *revision, const char *annotations)
{
	buf_puts(out, "\"request\":");
	if (!req)
		buf_puts(out, "null");
	else if (eval_json_compact(out, req, req_len, NULL) == 1)
		json_put_str(out, req, req_len);
	buf_puts(out, ",\"decision\":");
	buf_put(out, decision, decision_len);
	buf_puts(out, ",\"bundle\":");
	if (digest)
		json_put_str(out, digest, strlen(digest));
	else
		buf_puts(out, "null");
	buf_puts(out, ",\"revision\":");
	if (revision)
		json_put_str(out, revision, strlen(revision));
	else
		buf_puts(out, "null");
	buf_puts(out, ",\"annotations\":");
	buf_puts(out, annotations ? annotations : "{}");
	return out->oom ? -1 : 0;
}

int eval_log_record(struct buf *out, const char *req, size_t req_len, const char *decision,
		    size_t decision_len, const char *digest, const char *revision, const char *annotations)
{
	buf_putc(out, '{');
	eval_log_members(out, req, req_len, decision, decision_len, digest, revision, annotations);
	buf_puts(out, "}\n");
	return out->oom ? -1 : 0;
}

int eval_annotations_json(struct buf *out, const authz_bundle *b, const authz_decision *d)
{
	buf_putc(out, '{');
	for (size_t i = 0; i < authz_decision_rule_count(d); i++) {
		size_t ri;
		if (authz_decision_rule_index(d, i, &ri) < 0)
			continue;
		const char *id = authz_bundle_rule_id(b, ri), *key, *value;
		if (i)
			buf_putc(out, ',');
		json_put_str(out, id, strlen(id));
		buf_puts(out, ":{");
		for (size_t k = 0; k < authz_bundle_rule_annotation_count(b, ri); k++) {
			if (authz_bundle_rule_annotation(b, ri, k, &key, &value) < 0)
				continue;
			if (k)
				buf_putc(out, ',');
			json_put_str(out, key, strlen(key));
			buf_putc(out, ':');
			json_put_str(out, value, strlen(value));
		}
		buf_putc(out, '}');
	}
	buf_putc(out, '}');
	return out->oom ? -1 : 0;
}

int eval_deny_json(struct buf *out, const char *message, int64_t time_ms, const char *digest,
		   bool trace)
{
	char tbuf[32];
	authz_format_time(time_ms, tbuf);
	buf_puts(out, "{\"decision\":\"deny\",\"rules\":[],\"errors\":[{\"kind\":\"request\",\"message\":");
	json_put_str(out, message, strlen(message));
	buf_puts(out, "}],\"time\":\"");
	buf_puts(out, tbuf);
	buf_puts(out, "\",\"bundle\":");
	if (digest)
		json_put_str(out, digest, strlen(digest));
	else
		buf_puts(out, "null");
	buf_puts(out, trace ? ",\"annotations\":{},\"trace\":[]}" : "}");
	return out->oom ? -1 : 0;
}

int eval_decide_json(authz_decision *d, const authz_bundle *b, authz_request *req,
		     const struct eval_decide_opts *o, const char *json, size_t len,
		     const char **out, size_t *outlen)
{
	int rc;
	if (o->has_now) {
		/* The request's own "time" wins; --now fills it in otherwise. */
		if (authz_request_parse_json(req, json, len) < 0)
			return -1;
		if (!authz_request_has_time(req))
			authz_request_set_time(req, o->now);
		rc = authz_decide(d, b, req, o->flags);
	} else {
		rc = authz_decide_json(d, b, req, json, len, o->flags);
	}
	*out = rc == AUTHZ_ENOMEM ? NULL : authz_decision_json(d, outlen);
	return *out ? 0 : -1;
}
