/*
 * schema.c: static types and the JSON schema loader (see schema.h and
 * authzc-policy(5), THE SCHEMA).
 *
 * schema_load() parses the text with cJSON, then walks the tree once,
 * reporting every fault with its JSON path and building a best-effort
 * schema from the parts that are sound.  The work is bounded: the JSON text
 * is scanned for its nesting depth before cJSON (which recurses) sees it,
 * and the counts of types, actions and attributes are capped.
 */
#include "schema.h"
#include "suggest.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authzc_limits.h"
#include "hash.h"
#include "json.h"
#include "text.h"

/* Limits on a schema (SCHEMA_MAX_*: authzc_limits.h); beyond them the
 * schema is refused with E0010. */
#define SCHEMA_MAX_ERRORS 100

/* ---- static types -------------------------------------------------------- */

static const struct type scalar_types[] = {
	[TY_BOOL] = { .kind = TY_BOOL },
	[TY_INT] = { .kind = TY_INT },
	[TY_STRING] = { .kind = TY_STRING },
	[TY_TIMESTAMP] = { .kind = TY_TIMESTAMP },
	[TY_DURATION] = { .kind = TY_DURATION },
	[TY_IP] = { .kind = TY_IP },
	[TY_SET] = { .kind = TY_ERROR },
	[TY_RECORD] = { .kind = TY_ERROR },
	[TY_ENTITY] = { .kind = TY_ERROR },
	[TY_ERROR] = { .kind = TY_ERROR },
};

/* The scalar type names, in enum order (TY_BOOL..TY_IP). */
static const char *const scalar_names[] = {
	"bool", "int", "string", "timestamp", "duration", "ip",
};
#define NSCALARS (sizeof(scalar_names) / sizeof(scalar_names[0]))

const struct type *type_scalar(enum type_kind kind)
{
	if ((unsigned)kind > TY_ERROR)
		kind = TY_ERROR;
	return &scalar_types[kind];
}

const struct type *type_set(struct arena *a, const struct type *elem)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_SET;
	t->elem = elem;
	return t;
}

const struct type *type_record(struct arena *a, const struct record_type *rec)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_RECORD;
	t->record = rec;
	return t;
}

const struct type *type_entities(struct arena *a, const struct entity_type *const *types, size_t n)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	const struct entity_type **copy = arena_calloc(a, n ? n : 1, sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		copy[i] = types[i];
	t->kind = TY_ENTITY;
	t->entities = copy;
	t->nentities = n;
	return t;
}

static bool entity_in(const struct type *t, const struct entity_type *e)
{
	for (size_t i = 0; i < t->nentities; i++)
		if (t->entities[i] == e)
			return true;
	return false;
}

bool type_equal(const struct type *a, const struct type *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TY_SET:
		if (!a->elem || !b->elem)
			return a->elem == b->elem;
		return type_equal(a->elem, b->elem);
	case TY_RECORD:
		if (a->record == b->record)
			return true;
		if (!a->record || !b->record || a->record->n != b->record->n)
			return false;
		for (size_t i = 0; i < a->record->n; i++) {
			const struct attr_decl *x = &a->record->attrs[i];
			const struct attr_decl *y = record_find(b->record, x->name);
			if (!y || x->optional != y->optional || !type_equal(x->type, y->type))
				return false;
		}
		return true;
	case TY_ENTITY:
		for (size_t i = 0; i < a->nentities; i++)
			if (!entity_in(b, a->entities[i]))
				return false;
		for (size_t i = 0; i < b->nentities; i++)
			if (!entity_in(a, b->entities[i]))
				return false;
		return true;
	default:
		return true;
	}
}

const char *type_str(struct arena *a, const struct type *t)
{
	if (!t)
		return "error";
	switch (t->kind) {
	case TY_BOOL: case TY_INT: case TY_STRING: case TY_TIMESTAMP:
	case TY_DURATION: case TY_IP:
		return scalar_names[t->kind];
	case TY_SET:
		if (!t->elem)
			return "empty set";
		return arena_printf(a, "set<%s>", type_str(a, t->elem));
	case TY_RECORD:
		return "record";
	case TY_ENTITY: {
		if (t->nentities == 0)
			return "entity";
		size_t len = 1;
		for (size_t i = 0; i < t->nentities; i++)
			len += strlen(t->entities[i]->name) + 3;
		char *buf = arena_alloc(a, len);
		char *p = buf;
		for (size_t i = 0; i < t->nentities; i++) {
			if (i) {
				memcpy(p, " | ", 3);
				p += 3;
			}
			size_t n = strlen(t->entities[i]->name);
			memcpy(p, t->entities[i]->name, n);
			p += n;
		}
		*p = 0;
		return buf;
	}
	case TY_ERROR:
		break;
	}
	return "error";
}

static const struct type *scalar_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < NSCALARS; i++)
		if (strlen(scalar_names[i]) == len && !memcmp(scalar_names[i], name, len))
			return type_scalar((enum type_kind)i);
	return NULL;
}

const struct type *type_parse_name(struct arena *a, const char *name)
{
	size_t len = strlen(name);
	const struct type *t = scalar_by_name(name, len);
	if (t)
		return t;
	if (len > 5 && !memcmp(name, "set<", 4) && name[len - 1] == '>') {
		const struct type *elem = scalar_by_name(name + 4, len - 5);
		if (elem)
			return type_set(a, elem);
	}
	return NULL;
}

/* ---- lookups --------------------------------------------------------------- */

const struct entity_type *schema_find_type(const struct schema *s, const char *name)
{
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (!strcmp(s->types[i].name, name))
			return &s->types[i];
	return NULL;
}

const struct action_decl *schema_find_action(const struct schema *s, const char *name)
{
	for (size_t i = 0; s && i < s->nactions; i++)
		if (!strcmp(s->actions[i].name, name))
			return &s->actions[i];
	return NULL;
}

const struct attr_decl *record_find(const struct record_type *r, const char *name)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (!strcmp(r->attrs[i].name, name))
			return &r->attrs[i];
	return NULL;
}

bool action_allows_principal(const struct action_decl *a, const struct entity_type *t)
{
	for (size_t i = 0; i < a->nprincipals; i++)
		if (a->principals[i] == t)
			return true;
	return false;
}

bool action_allows_resource(const struct action_decl *a, const struct entity_type *t)
{
	for (size_t i = 0; i < a->nresources; i++)
		if (a->resources[i] == t)
			return true;
	return false;
}

/* ---- a string set for duplicate detection ---------------------------------- */

struct name_set {
	const char **slots;
	const char **paths;     /* where each name was first seen */
	size_t cap;
};

static void name_set_init(struct arena *a, struct name_set *s, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	s->cap = cap;
	s->slots = arena_calloc(a, cap, sizeof(*s->slots));
	s->paths = arena_calloc(a, cap, sizeof(*s->paths));
}

static bool name_set_has(const struct name_set *s, const char *name)
{
	size_t i = (size_t)fnv1a_str(name) & (s->cap - 1);
	while (s->slots[i]) {
		if (!strcmp(s->slots[i], name))
			return true;
		i = (i + 1) & (s->cap - 1);
	}
	return false;
}

/* Add `name`; returns NULL when new, else the path where it was first seen.
 * The set is sized for every name it will hold, so it never fills. */
static const char *name_set_add(struct name_set *s, const char *name, const char *path)
{
	size_t i = (size_t)fnv1a_str(name) & (s->cap - 1);
	while (s->slots[i]) {
		if (!strcmp(s->slots[i], name))
			return s->paths[i];
		i = (i + 1) & (s->cap - 1);
	}
	s->slots[i] = name;
	s->paths[i] = path;
	return NULL;
}

/* ---- the loader ------------------------------------------------------------ */

struct loader {
	struct arena *a;
	struct diag_list *diags;
	uint32_t file;
	size_t errors;
	bool capped;
	struct schema *s;
	struct name_set bad_types;      /* declared with a faulty name or body */
};

static struct diag *report(struct loader *L, enum diag_code code, const char *path,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void help(struct loader *L, struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report a fault at a JSON path; stops after SCHEMA_MAX_ERRORS (returns NULL
 * from then on). */
static struct diag *report(struct loader *L, enum diag_code code, const char *path,
			   const char *fmt, ...)
{
	if (L->capped)
		return NULL;
	if (L->errors >= SCHEMA_MAX_ERRORS) {
		L->capped = true;
		diag_json(L->diags, E_LIMIT, L->file, path,
			  "too many errors in the schema; stopped after %d", SCHEMA_MAX_ERRORS);
		L->errors++;
		return NULL;
	}
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vjson(L->diags, code, L->file, path, fmt, ap);
	va_end(ap);
	L->errors++;
	return d;
}

static void help(struct loader *L, struct diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	diag_vhelp(L->diags, d, fmt, ap);
	va_end(ap);
}

/* A name from the schema made safe to quote in a message. */
static const char *qn(struct loader *L, const char *s)
{
	return text_show(L->a, s, strlen(s), 64);
}

static bool is_action_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
		      (*s >= '0' && *s <= '9') || *s == ':' || *s == '/' || *s == '-' || *s == '.'))
			return false;
	return true;
}

/* Reserved words of the policy language (authzc-policy(5), LEXICAL STRUCTURE): a type or
 * attribute with one of these names could never be written in a policy. */
static bool is_reserved(const char *s)
{
	static const char *const words[] = {
		"package", "const", "permit", "forbid", "principal", "action", "resource",
		"context", "now", "when", "unless", "is", "in", "has", "like", "and", "or",
		"not", "true", "false", "test", "request", "given", "with", "without", "at",
		"expect", "allow", "deny", "by", "default",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(words[i], s))
			return true;
	return false;
}

static const char *const scalar_list = "bool, int, string, timestamp, duration, ip, set<T> or a record { ... }";

/* The entity type names, for "did you mean". */
static const char **entity_names(struct loader *L)
{
	const char **names = arena_calloc(L->a, L->s->ntypes + 1, sizeof(*names));
	for (size_t i = 0; i < L->s->ntypes; i++)
		names[i] = L->s->types[i].name;
	return names;
}

/* Check a type name written as a JSON string (for attribute `what` at
 * `path`); returns the type, or TY_ERROR after reporting. */
static const struct type *load_type_name(struct loader *L, const char *name, const char *path,
					 const char *what)
{
	const struct type *t = type_parse_name(L->a, name);
	if (t)
		return t;
	size_t len = strlen(name);
	const struct type *err = type_scalar(TY_ERROR);
	struct diag *d;
	if (!strncmp(name, "set", 3) && (len == 3 || name[3] == '<' || name[3] == '(' ||
					 name[3] == '[' || name[3] == ' ')) {
		if (len == 3 || name[3] != '<') {
			d = report(L, E_SCHEMA_SET, path, "malformed set type '%s' for %s",
				   qn(L, name), what);
			help(L, d, "write the element type in angle brackets: set<string>");
			return err;
		}
		const char *close = strrchr(name, '>');
		if (!close) {
			d = report(L, E_SCHEMA_SET, path, "malformed set type '%s' for %s: missing '>'",
				   qn(L, name), what);
			help(L, d, "write set<%s>", qn(L, name + 4));
			return err;
		}
		if (close[1]) {
			d = report(L, E_SCHEMA_SET, path,
				   "malformed set type '%s' for %s: text after '>'", qn(L, name), what);
			help(L, d, "write set<T> with nothing after it");
			return err;
		}
		char *inner = arena_strndup(L->a, name + 4, (size_t)(close - name - 4));
		if (!*inner) {
			d = report(L, E_SCHEMA_SET, path, "set type '%s' for %s has no element type",
				   qn(L, name), what);
			help(L, d, "write the element type: set<string>");
			return err;
		}
		if (!strncmp(inner, "set", 3)) {
			d = report(L, E_SCHEMA_SET, path, "sets of sets are not supported: '%s' for %s",
				   qn(L, name), what);
			help(L, d, "a set holds one of bool, int, string, timestamp, duration, ip");
			return err;
		}
		if (schema_find_type(L->s, inner)) {
			d = report(L, E_SCHEMA_SET, path,
				   "sets of entities are not supported: '%s' for %s", qn(L, name), what);
			help(L, d, "hold the entities' ids instead: set<string>");
			return err;
		}
		/* Blanks around a valid element type: "set< int >". */
		const char *b = inner, *e = inner + strlen(inner);
		while (*b == ' ' || *b == '\t')
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (scalar_by_name(b, (size_t)(e - b))) {
			d = report(L, E_SCHEMA_SET, path, "malformed set type '%s' for %s",
				   qn(L, name), what);
			help(L, d, "write set<%.*s> without blanks", (int)(e - b), b);
			return err;
		}
		d = report(L, E_SCHEMA_TYPE, path, "unknown type '%s' in '%s' for %s",
			   qn(L, inner), qn(L, name), what);
		const char *s = suggest_closest(inner, scalar_names, NSCALARS);
		if (s)
			help(L, d, "did you mean 'set<%s>'?", s);
		else
			help(L, d, "a set holds one of bool, int, string, timestamp, duration, ip");
		return err;
	}
	d = report(L, E_SCHEMA_TYPE, path, "unknown type '%s' for %s", qn(L, name), what);
	const char *s = suggest_closest(name, scalar_names, NSCALARS);
	const char *ent = suggest_closest(name, entity_names(L), L->s->ntypes);
	if (s)
		help(L, d, "did you mean '%s'?", s);
	else if (ent)
		help(L, d, "'%s' is an entity type; an attribute cannot hold an entity, "
			   "use its id (string) instead", ent);
	else
		help(L, d, "the types are %s", scalar_list);
	return err;
}

static void load_record(struct loader *L, const cJSON *obj, const char *path, const char *owner,
			bool is_entity, int depth, struct record_type *out);

/* The type of one attribute: a type name string or a nested record. */
static const struct type *load_attr_type(struct loader *L, const cJSON *v, const char *path,
					 const char *owner, const char *name, int depth)
{
	const char *what = arena_printf(L->a, "attribute '%s' of '%s'", qn(L, name), qn(L, owner));
	if (cJSON_IsString(v))
		return load_type_name(L, v->valuestring, path, what);
	if (cJSON_IsObject(v)) {
		/* `depth` names lead here (entity attributes are depth 1); the
		 * record's own attributes would be depth + 1 names long. */
		if (depth >= SCHEMA_MAX_DEPTH) {
			struct diag *d = report(L, E_LIMIT, path,
						"records nested too deeply: attribute paths are at most "
						"%d names long", SCHEMA_MAX_DEPTH);
			help(L, d, "a bundle holds records nested at most %d deep: flatten the "
			     "record '%s' into attributes of its parent", SCHEMA_MAX_DEPTH - 1, qn(L, name));
			return type_scalar(TY_ERROR);
		}
		struct record_type *rec = arena_alloc(L->a, sizeof(*rec));
		const char *sub = arena_printf(L->a, "%s.%s", owner, name);
		load_record(L, v, path, sub, false, depth + 1, rec);
		return type_record(L->a, rec);
	}
	struct diag *d = report(L, E_SCHEMA_SHAPE, path,
				"%s must be a type name or a record object, not %s", what, json_kind(v));
	help(L, d, "the types are %s", scalar_list);
	return type_scalar(TY_ERROR);
}

/* Load the attributes of object `obj` (an entity type, the context or a
 * nested record) into *out. */
static void load_record(struct loader *L, const cJSON *obj, const char *path, const char *owner,
			bool is_entity, int depth, struct record_type *out)
{
	size_t count = (size_t)cJSON_GetArraySize(obj);
	if (count > SCHEMA_MAX_ATTRS) {
		report(L, E_LIMIT, path, "too many attributes in '%s' (%zu; at most %d)",
		       qn(L, owner), count, SCHEMA_MAX_ATTRS);
		count = SCHEMA_MAX_ATTRS;
	}
	out->attrs = arena_calloc(L->a, count ? count : 1, sizeof(*out->attrs));
	out->n = 0;
	out->open = false;
	struct name_set seen;
	name_set_init(L->a, &seen, count);
	size_t i = 0;
	for (const cJSON *c = obj->child; c && i < count; c = c->next, i++) {
		const char *key = c->string ? c->string : "";
		char *apath = json_path_key(L->a, path, key);
		if (!strcmp(key, SCHEMA_OPEN_KEY)) {
			if (cJSON_IsBool(c)) {
				out->open = cJSON_IsTrue(c);
				continue;
			}
			struct diag *d = report(L, E_SCHEMA_SHAPE, apath,
						"'%s' in '%s' must be true or false, not %s", SCHEMA_OPEN_KEY,
						qn(L, owner), json_kind(c));
			help(L, d, "write \"%s\": true to accept attributes the schema does not "
			     "declare; '%s' cannot name an attribute", SCHEMA_OPEN_KEY, SCHEMA_OPEN_KEY);
			continue;
		}
		size_t klen = strlen(key);
		bool optional = klen > 0 && key[klen - 1] == '?';
		char *name = arena_strndup(L->a, key, optional ? klen - 1 : klen);
		bool ok = true;
		if (!json_is_ident(name)) {
			struct diag *d = report(L, E_SCHEMA_NAME, apath, "invalid attribute name '%s' in '%s'",
						qn(L, name), qn(L, owner));
			help(L, d, "attribute names are identifiers: letters, digits and '_', "
				   "not starting with a digit (add '?' to make one optional)");
			ok = false;
		} else if (is_reserved(name)) {
			struct diag *d = report(L, E_SCHEMA_NAME, apath,
						"attribute name '%s' in '%s' is a reserved word",
						name, qn(L, owner));
			help(L, d, "a policy could not read it; rename the attribute");
			ok = false;
		} else if (is_entity && !strcmp(name, "id")) {
			struct diag *d = report(L, E_SCHEMA_ID, apath,
						"reserved attribute 'id' declared on entity type '%s'",
						qn(L, owner));
			help(L, d, "every entity has an id: 'principal.id' and 'resource.id' "
				   "are its id string; remove or rename this attribute");
			ok = false;
		} else {
			const char *first = name_set_add(&seen, name, apath);
			if (first) {
				struct diag *d = report(L, E_SCHEMA_DUP, apath,
							"duplicate attribute '%s' in '%s'", name, qn(L, owner));
				size_t fl = strlen(first);
				bool first_opt = fl > 3 && !strcmp(first + fl - 3, "?\"]");
				if (first_opt != optional)
					help(L, d, "it is first declared at %s ('%s' and '%s?' name the same attribute)",
					     first, name, name);
				else
					help(L, d, "it is first declared at %s", first);
				ok = false;
			}
		}
		/* Faulty attributes are still walked, to report what is inside. */
		const struct type *t = load_attr_type(L, c, apath, owner, name, depth);
		if (!ok)
			continue;
		struct attr_decl *ad = &out->attrs[out->n];
		ad->name = name;
		ad->optional = optional;
		ad->type = t;
		ad->json_path = apath;
		ad->index = (uint32_t)out->n;
		out->n++;
	}
}

/* Type names listed by an action ("principals" or "resources"). */
static void load_type_list(struct loader *L, const char *action, const cJSON *v, const char *path,
			   const char *key, const struct entity_type ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!cJSON_IsArray(v)) {
		struct diag *d = report(L, E_SCHEMA_SHAPE, path,
					"'%s' of action '%s' must be an array of entity type names, not %s",
					key, qn(L, action), json_kind(v));
		help(L, d, "write \"%s\": [\"User\"]", key);
		return;
	}
	size_t count = (size_t)cJSON_GetArraySize(v);
	if (count == 0) {
		struct diag *d = report(L, E_SCHEMA_SHAPE, path, "'%s' of action '%s' is empty",
					key, qn(L, action));
		help(L, d, "list at least one entity type the action applies to");
		return;
	}
	if (count > SCHEMA_MAX_TYPES) {
		report(L, E_LIMIT, path, "too many entries in '%s' of action '%s' (%zu; at most %d)",
		       key, qn(L, action), count, SCHEMA_MAX_TYPES);
		count = SCHEMA_MAX_TYPES;
	}
	const struct entity_type **arr = arena_calloc(L->a, count, sizeof(*arr));
	size_t n = 0, i = 0;
	struct name_set seen;
	name_set_init(L->a, &seen, count);
	for (const cJSON *c = v->child; c && i < count; c = c->next, i++) {
		char *epath = json_path_index(L->a, path, i);
		if (!cJSON_IsString(c)) {
			struct diag *d = report(L, E_SCHEMA_SHAPE, epath,
						"entry of '%s' of action '%s' must be an entity type name string, not %s",
						key, qn(L, action), json_kind(c));
			help(L, d, "write \"%s\": [\"User\"]", key);
			continue;
		}
		const char *name = c->valuestring;
		const struct entity_type *t = schema_find_type(L->s, name);
		if (!t) {
			/* A type declared with a fault was reported already. */
			if (name_set_has(&L->bad_types, name))
				continue;
			struct diag *d = report(L, E_SCHEMA_ACTION, epath,
						"action '%s' names undeclared entity type '%s' in '%s'",
						qn(L, action), qn(L, name), key);
			const char *s = suggest_closest(name, entity_names(L), L->s->ntypes);
			if (s)
				help(L, d, "did you mean '%s'?", s);
			else
				help(L, d, "declare it under \"types\"");
			continue;
		}
		const char *first = name_set_add(&seen, t->name, epath);
		if (first) {
			struct diag *d = report(L, E_SCHEMA_DUP, epath,
						"duplicate entity type '%s' in '%s' of action '%s'",
						t->name, key, qn(L, action));
			help(L, d, "it is first listed at %s", first);
			continue;
		}
		arr[n++] = t;
	}
	*out = arr;
	*nout = n;
}

static void load_action(struct loader *L, struct action_decl *ad, const cJSON *v, const char *path)
{
	static const char *const keys[] = { "principals", "resources" };
	const cJSON *lists[2] = { NULL, NULL };
	for (const cJSON *c = v->child; c; c = c->next) {
		const char *key = c->string ? c->string : "";
		char *kpath = json_path_key(L->a, path, key);
		int k = json_key_index(key, keys, 2);
		if (k < 0) {
			struct diag *d = report(L, E_SCHEMA_SHAPE, kpath, "unknown key '%s' in action '%s'",
						qn(L, key), qn(L, ad->name));
			const char *s = suggest_closest(key, keys, 2);
			if (s)
				help(L, d, "did you mean '%s'?", s);
			else
				help(L, d, "an action has the keys 'principals' and 'resources'");
			continue;
		}
		if (lists[k]) {
			struct diag *d = report(L, E_SCHEMA_DUP, kpath, "duplicate key '%s' in action '%s'",
						key, qn(L, ad->name));
			help(L, d, "it is first given at %s", json_path_key(L->a, path, key));
			continue;
		}
		lists[k] = c;
		load_type_list(L, ad->name, c, kpath, key,
			       k == 0 ? &ad->principals : &ad->resources,
			       k == 0 ? &ad->nprincipals : &ad->nresources);
	}
	for (int k = 0; k < 2; k++) {
		if (lists[k])
			continue;
		struct diag *d = report(L, E_SCHEMA_SHAPE, path, "action '%s' has no '%s' list",
					qn(L, ad->name), keys[k]);
		help(L, d, "list the entity types it applies to: \"%s\": [\"User\"]", keys[k]);
	}
}

static void load_types(struct loader *L, const cJSON *types)
{
	const char *path = "$.types";
	if (!cJSON_IsObject(types)) {
		struct diag *d = report(L, E_SCHEMA_SHAPE, path,
					"'types' must be an object mapping entity type names to attributes, not %s",
					json_kind(types));
		help(L, d, "write \"types\": { \"User\": { \"tenant\": \"string\" } }");
		return;
	}
	size_t count = (size_t)cJSON_GetArraySize(types);
	if (count > SCHEMA_MAX_TYPES) {
		report(L, E_LIMIT, path, "too many entity types (%zu; at most %d)", count,
		       SCHEMA_MAX_TYPES);
		count = SCHEMA_MAX_TYPES;
	}
	struct schema *s = L->s;
	s->types = arena_calloc(L->a, count ? count : 1, sizeof(*s->types));
	const cJSON **bodies = arena_calloc(L->a, count ? count : 1, sizeof(*bodies));
	struct name_set seen;
	name_set_init(L->a, &seen, count);
	/* First the names, so that every message about attributes can
	 * suggest an entity type declared anywhere in the file. */
	size_t i = 0;
	for (const cJSON *c = types->child; c && i < count; c = c->next, i++) {
		const char *name = c->string ? c->string : "";
		char *tpath = json_path_key(L->a, path, name);
		bool ok = true;
		if (!json_is_ident(name)) {
			struct diag *d = report(L, E_SCHEMA_NAME, tpath, "invalid entity type name '%s'",
						qn(L, name));
			help(L, d, "type names are identifiers: letters, digits and '_', "
				   "not starting with a digit");
			ok = false;
		} else if (is_reserved(name)) {
			struct diag *d = report(L, E_SCHEMA_NAME, tpath,
						"entity type name '%s' is a reserved word", name);
			help(L, d, "a policy could not name it; rename the type");
			ok = false;
		} else {
			const char *first = name_set_add(&seen, name, tpath);
			if (first) {
				struct diag *d = report(L, E_SCHEMA_DUP, tpath, "duplicate entity type '%s'",
							name);
				help(L, d, "it is first declared at %s", first);
				continue;
			}
		}
		if (!cJSON_IsObject(c)) {
			struct diag *d = report(L, E_SCHEMA_SHAPE, tpath,
						"entity type '%s' must be an object of attributes, not %s",
						qn(L, name), json_kind(c));
			help(L, d, "write \"%s\": { \"tenant\": \"string\" } (or {} for none)",
			     qn(L, name));
			ok = false;
		}
		if (!ok) {
			if (!name_set_has(&L->bad_types, name))
				name_set_add(&L->bad_types, arena_strdup(L->a, name), NULL);
			if (cJSON_IsObject(c)) {
				struct record_type scratch;
				load_record(L, c, tpath, name, true, 1, &scratch);
			}
			continue;
		}
		struct entity_type *t = &s->types[s->ntypes];
		t->name = arena_strdup(L->a, name);
		t->index = (uint32_t)s->ntypes;
		t->json_path = tpath;
		bodies[s->ntypes] = c;
		s->ntypes++;
	}
	for (size_t k = 0; k < s->ntypes; k++)
		load_record(L, bodies[k], s->types[k].json_path, s->types[k].name, true, 1,
			    &s->types[k].attrs);
}

static void load_actions(struct loader *L, const cJSON *actions)
{
	const char *path = "$.actions";
	if (!cJSON_IsObject(actions)) {
		struct diag *d = report(L, E_SCHEMA_SHAPE, path,
					"'actions' must be an object mapping action names to their types, not %s",
					json_kind(actions));
		help(L, d, "write \"actions\": { \"read\": { \"principals\": [\"User\"], "
			   "\"resources\": [\"Doc\"] } }");
		return;
	}
	size_t count = (size_t)cJSON_GetArraySize(actions);
	if (count > SCHEMA_MAX_ACTIONS) {
		report(L, E_LIMIT, path, "too many actions (%zu; at most %d)", count,
		       SCHEMA_MAX_ACTIONS);
		count = SCHEMA_MAX_ACTIONS;
	}
	struct schema *s = L->s;
	s->actions = arena_calloc(L->a, count ? count : 1, sizeof(*s->actions));
	struct name_set seen;
	name_set_init(L->a, &seen, count);
	size_t i = 0;
	for (const cJSON *c = actions->child; c && i < count; c = c->next, i++) {
		const char *name = c->string ? c->string : "";
		char *apath = json_path_key(L->a, path, name);
		bool ok = true;
		if (!is_action_name(name)) {
			struct diag *d = report(L, E_SCHEMA_NAME, apath, "invalid action name '%s'",
						qn(L, name));
			help(L, d, "action names are not empty and use letters, digits and _ : / - .");
			ok = false;
		} else {
			const char *first = name_set_add(&seen, name, apath);
			if (first) {
				struct diag *d = report(L, E_SCHEMA_DUP, apath, "duplicate action '%s'", name);
				help(L, d, "it is first declared at %s", first);
				continue;
			}
		}
		if (!cJSON_IsObject(c)) {
			struct diag *d = report(L, E_SCHEMA_SHAPE, apath,
						"action '%s' must be an object with 'principals' and 'resources', not %s",
						qn(L, name), json_kind(c));
			help(L, d, "write \"%s\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] }",
			     qn(L, name));
			continue;
		}
		struct action_decl scratch;
		struct action_decl *ad = ok ? &s->actions[s->nactions] : &scratch;
		memset(ad, 0, sizeof(*ad));
		ad->name = arena_strdup(L->a, name);
		ad->json_path = apath;
		load_action(L, ad, c, apath);
		if (ok) {
			ad->index = (uint32_t)s->nactions;
			s->nactions++;
		}
	}
}

/* The deepest nesting of arrays and objects in a JSON text, measured
 * without recursion; stops at the first bracket deeper than `limit` and
 * returns its offset in *at (else *at = len). */
static size_t json_depth(const char *text, size_t len, size_t limit, size_t *at)
{
	size_t depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
			if (depth > limit) {
				*at = i;
				return depth;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	*at = len;
	return max;
}

/* Report invalid JSON at byte `off` of the text, with line:col. */
static void report_json_at(struct loader *L, const struct src_file *f, size_t off,
			   enum diag_code code, const char *what)
{
	struct span sp = { L->file, (uint32_t)off, (uint32_t)(off < f->len ? off + 1 : off) };
	diag_at(L->diags, code, sp, "%s", what);
	L->errors++;
}

static struct schema *empty_schema(struct arena *a, uint32_t file)
{
	struct schema *s = arena_alloc(a, sizeof(*s));
	s->file = file;
	s->context_type = type_record(a, &s->context);
	return s;
}

size_t schema_load(struct arena *a, const struct srcset *src, uint32_t file,
		   struct diag_list *diags, struct schema **out)
{
	struct loader L;
	memset(&L, 0, sizeof(L));
	L.a = a;
	L.diags = diags;
	L.file = file;
	L.s = empty_schema(a, file);
	*out = L.s;
	name_set_init(a, &L.bad_types, SCHEMA_MAX_TYPES);

	struct src_file *f = srcset_file(src, file);
	if (!f) {
		diag_file(diags, E_IO, UINT32_MAX, "cannot read the schema: no such source");
		return 1;
	}
	const char *nul = memchr(f->text, 0, f->len);
	if (nul) {
		report_json_at(&L, f, (size_t)(nul - f->text), E_SCHEMA_JSON,
			       "invalid JSON: NUL byte in the schema");
		return L.errors;
	}
	size_t deep_at;
	if (json_depth(f->text, f->len, SCHEMA_MAX_JSON_DEPTH, &deep_at) > SCHEMA_MAX_JSON_DEPTH) {
		char msg[96];
		snprintf(msg, sizeof msg, "schema JSON nested more than %d deep", SCHEMA_MAX_JSON_DEPTH);
		report_json_at(&L, f, deep_at, E_LIMIT, msg);
		return L.errors;
	}
	/* The length includes the NUL terminator of the srcset copy: cJSON
	 * 1.7.15 wants to see it when asked to reject trailing text. */
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(f->text, f->len + 1, &end, 1);
	if (!root) {
		size_t off = end && end >= f->text ? (size_t)(end - f->text) : 0;
		if (off > f->len)
			off = f->len;
		/* Skip blanks: cJSON points at them when the value is missing. */
		while (off < f->len && (f->text[off] == ' ' || f->text[off] == '\t' ||
					f->text[off] == '\n' || f->text[off] == '\r'))
			off++;
		char msg[96];
		unsigned char c = off < f->len ? (unsigned char)f->text[off] : 0;
		if (off >= f->len)
			snprintf(msg, sizeof msg, "invalid JSON: unexpected end of file");
		else if (c >= 0x20 && c < 0x7f)
			snprintf(msg, sizeof msg, "invalid JSON: unexpected character '%c'", c);
		else
			snprintf(msg, sizeof msg, "invalid JSON: unexpected byte 0x%02X", c);
		report_json_at(&L, f, off, E_SCHEMA_JSON, msg);
		return L.errors;
	}

	if (!cJSON_IsObject(root)) {
		struct diag *d = report(&L, E_SCHEMA_SHAPE, "$",
					"the schema must be a JSON object, not %s", json_kind(root));
		help(&L, d, "write { \"types\": { ... }, \"actions\": { ... }, \"context\": { ... } }");
		cJSON_Delete(root);
		return L.errors;
	}
	static const char *const keys[] = { "types", "actions", "context" };
	const cJSON *parts[3] = { NULL, NULL, NULL };
	for (const cJSON *c = root->child; c; c = c->next) {
		const char *key = c->string ? c->string : "";
		int k = json_key_index(key, keys, 3);
		char *kpath = json_path_key(a, "$", key);
		if (k < 0) {
			struct diag *d = report(&L, E_SCHEMA_SHAPE, kpath, "unknown key '%s' in the schema",
						qn(&L, key));
			const char *s = suggest_closest(key, keys, 3);
			if (s)
				help(&L, d, "did you mean '%s'?", s);
			else
				help(&L, d, "the schema has the keys 'types', 'actions' and 'context'");
			continue;
		}
		if (parts[k]) {
			struct diag *d = report(&L, E_SCHEMA_DUP, kpath, "duplicate key '%s' in the schema",
						key);
			help(&L, d, "merge the two into one");
			continue;
		}
		parts[k] = c;
	}
	if (parts[0])
		load_types(&L, parts[0]);
	if (parts[1])
		load_actions(&L, parts[1]);
	if (parts[2]) {
		if (!cJSON_IsObject(parts[2])) {
			struct diag *d = report(&L, E_SCHEMA_SHAPE, "$.context",
						"'context' must be an object of attributes, not %s",
						json_kind(parts[2]));
			help(&L, d, "write \"context\": { \"source_ip\": \"ip\" }");
		} else {
			load_record(&L, parts[2], "$.context", "context", false, 1, &L.s->context);
		}
	}
	cJSON_Delete(root);
	return L.errors;
}
