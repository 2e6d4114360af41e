/*
 * diff_config.c: the changes to authzc.json between two versions (see
 * diff.h).  Every key counts, not only the ones the policies see: the
 * gates, the environments and their refs decide what reaches production.
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

/* A side's authzc.json parsed (an empty object when it has none). */
static cJSON *config_json(const struct diff_side *s)
{
	const struct project_config *cfg = &s->c->config;
	cJSON *j = NULL;
	if (cfg->has_file)
		j = cJSON_Parse(srcset_file(&s->c->src, cfg->file)->text);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = cJSON_CreateObject();
	}
	return j;
}

/* A value as compact JSON text in r's arena; NULL for NULL. */
static const char *value_text(struct diff_report *r, const cJSON *v)
{
	if (!v)
		return NULL;
	char *text = cJSON_PrintUnformatted(v);
	const char *copy = arena_strdup(r->a, text ? text : "?");
	free(text);
	return copy;
}

static void push(struct diff_report *r, enum diff_change change, const char *key, const cJSON *old,
		 const cJSON *new)
{
	r->config = arena_grow(r->a, r->config, r->nconfig, r->nconfig + 1, sizeof(*r->config));
	r->config[r->nconfig++] = (struct diff_config){ change, key, value_text(r, old),
							value_text(r, new) };
}

/* Compare objects o and n key by key; `prefix` names where they are
 * ("" at the top, "gates." inside "gates"). */
static void walk(struct diff_report *r, const char *prefix, const cJSON *o, const cJSON *n)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, o) {
		const char *key = arena_printf(r->a, "%s%s", prefix, v->string);
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(n, v->string);
		if (!w)
			push(r, DIFF_REMOVED, key, v, NULL);
		else if (cJSON_IsObject(v) && cJSON_IsObject(w))
			walk(r, arena_printf(r->a, "%s.", key), v, w);
		else if (!cJSON_Compare(v, w, true))
			push(r, DIFF_CHANGED, key, v, w);
	}
	cJSON_ArrayForEach(v, n)
		if (!cJSON_GetObjectItemCaseSensitive(o, v->string))
			push(r, DIFF_ADDED, arena_printf(r->a, "%s%s", prefix, v->string), NULL, v);
}

void diff_config(struct diff_report *r, const struct diff_side *old, const struct diff_side *new)
{
	cJSON *o = config_json(old), *n = config_json(new);
	walk(r, "", o, n);
	cJSON_Delete(o);
	cJSON_Delete(n);
}
