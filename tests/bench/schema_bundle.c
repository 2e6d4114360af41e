/*
 * schema_bundle.c: a bundle with the schema of a project and one rule,
 * written with the runtime's bundle writer (runtime/bundle_write.h).
 *
 *   schema_bundle SCHEMA.json OUT.authzb
 *
 * The rule, `bench.any`, is a permit with no scope and no condition, so
 * every conforming request is allowed and every other one is denied with a
 * request error.  Until `authzc compile` exists this lets tests/bench/run.sh
 * run bench_decide on the generated requests: it proves they conform to the
 * schema, that the typed API and the JSON entry point agree on them, and
 * measures the cost of handling a request apart from evaluating rules.
 * Reads only the schema form authzc-policy(5), THE SCHEMA, describes (records one
 * or more levels deep, "?" for optional attributes).
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_write.h"

#define MAX_DEPTH 8
#define MAX_TYPES 256

static struct bundle_writer *w;

static void fail(const char *what)
{
	fprintf(stderr, "schema_bundle: %s: %s\n", what, w ? bw_error(w) : "");
	exit(2);
}

static int kind_of(const char *s, enum authz_kind *elem)
{
	static const struct { const char *name; enum authz_kind k; } kinds[] = {
		{ "bool", AUTHZ_K_BOOL }, { "int", AUTHZ_K_INT }, { "string", AUTHZ_K_STRING },
		{ "timestamp", AUTHZ_K_TIMESTAMP }, { "duration", AUTHZ_K_DURATION }, { "ip", AUTHZ_K_IP },
	};
	*elem = AUTHZ_K_NONE;
	if (!strncmp(s, "set<", 4) && s[strlen(s) - 1] == '>') {
		char inner[32];
		size_t n = strlen(s) - 5;
		if (n >= sizeof inner)
			return -1;
		memcpy(inner, s + 4, n);
		inner[n] = '\0';
		enum authz_kind dummy;
		int k = kind_of(inner, &dummy);
		if (k < 0)
			return -1;
		*elem = (enum authz_kind)k;
		return AUTHZ_K_SET;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kinds[i].name, s))
			return kinds[i].k;
	return -1;
}

/* Declare the attributes of record `o` under path[0..depth). */
static void declare(uint32_t owner, const cJSON *o, char **path, size_t depth)
{
	const cJSON *it;
	if (depth >= MAX_DEPTH)
		fail("records nested too deep");
	cJSON_ArrayForEach(it, o) {
		size_t len = strlen(it->string);
		bool opt = len > 0 && it->string[len - 1] == '?';
		path[depth] = strndup(it->string, opt ? len - 1 : len);
		enum authz_kind elem = AUTHZ_K_NONE;
		int k = cJSON_IsObject(it) ? AUTHZ_K_RECORD
			: cJSON_IsString(it) ? kind_of(it->valuestring, &elem) : -1;
		if (k < 0)
			fail("unknown attribute type");
		uint32_t slot;
		if (bw_attr(w, owner, (const char *const *)path, depth + 1, (enum authz_kind)k, elem, opt, &slot))
			fail("bw_attr");
		if (k == AUTHZ_K_RECORD)
			declare(owner, it, path, depth + 1);
		free(path[depth]);
	}
}

static uint32_t type_index(const char **names, size_t n, const uint32_t *ids, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return ids[i];
	fail("action names an undeclared type");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: schema_bundle SCHEMA.json OUT.authzb\n", stderr);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	cJSON *schema = cJSON_Parse(text);
	if (!schema)
		fail("schema is not valid JSON");
	if (bw_new(&w))
		fail("bw_new");

	const char *names[MAX_TYPES];
	uint32_t ids[MAX_TYPES];
	size_t ntypes = 0;
	char *path[MAX_DEPTH];
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(schema, "types")) {
		if (ntypes == MAX_TYPES)
			fail("too many types");
		names[ntypes] = t->string;
		if (bw_entity_type(w, t->string, &ids[ntypes]))
			fail("bw_entity_type");
		declare(ids[ntypes++], t, path, 0);
	}
	declare(BW_CONTEXT, cJSON_GetObjectItemCaseSensitive(schema, "context"), path, 0);
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(schema, "actions")) {
		uint32_t ps[MAX_TYPES], rs[MAX_TYPES], act;
		size_t np = 0, nr = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "principals"))
			if (np < MAX_TYPES && cJSON_IsString(x))
				ps[np++] = type_index(names, ntypes, ids, x->valuestring);
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "resources"))
			if (nr < MAX_TYPES && cJSON_IsString(x))
				rs[nr++] = type_index(names, ntypes, ids, x->valuestring);
		if (bw_action(w, a->string, ps, np, rs, nr, &act))
			fail("bw_action");
	}

	uint32_t file, rule;
	if (bw_file(w, "bench.authz", &file))
		fail("bw_file");
	struct bw_rule_desc d = { .id = "bench.any", .effect = AUTHZ_PERMIT, .file = file, .line = 1, .col = 1 };
	if (bw_rule_begin(w, &d, &rule) || bw_emit(w, AUTHZ_CREATE_N(AUTHZ_OP_APPLY)) || bw_rule_end(w))
		fail("writing the rule");
	uint8_t *buf;
	size_t len;
	if (bw_finish(w, &buf, &len))
		fail("bw_finish");
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(argv[2]);
		return 2;
	}
	free(buf);
	bw_free(w);
	cJSON_Delete(schema);
	return 0;
}
