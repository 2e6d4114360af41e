/*
 * schema.h: the JSON schema of entity types, actions and context
 * (authzc-policy(5), THE SCHEMA) and the static types the checker works with.
 *
 * schema_load() reads the JSON text of one srcset file with cJSON and
 * reports every fault with its JSON path ($.types.User.tenant).  Everything
 * is allocated from the compilation's arena.  Attribute and type order is
 * the order of the JSON text; lookups are by name.
 */
#ifndef AUTHZC_SCHEMA_H
#define AUTHZC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "source.h"

enum type_kind {
	TY_BOOL,
	TY_INT,
	TY_STRING,
	TY_TIMESTAMP,
	TY_DURATION,
	TY_IP,
	TY_SET,         /* elem: a scalar type, or NULL for the empty set [] */
	TY_RECORD,      /* record: attributes */
	TY_ENTITY,      /* entities: one or more entity types (a scope) */
	TY_ERROR,       /* already reported; absorbs further errors */
};

struct record_type;
struct entity_type;

struct type {
	enum type_kind kind;
	const struct type *elem;                /* TY_SET */
	const struct record_type *record;       /* TY_RECORD */
	const struct entity_type *const *entities; /* TY_ENTITY: the types in scope */
	size_t nentities;
};

struct attr_decl {
	char *name;
	bool optional;          /* declared as "name?" */
	const struct type *type;
	char *json_path;        /* for diagnostics: $.types.User["window?"] */
	uint32_t index;         /* position in its record */
};

/* The schema key that lets an entity type, the context or a record accept
 * attributes it does not declare (authzc-policy(5)); without it a request
 * naming an undeclared attribute is refused. */
#define SCHEMA_OPEN_KEY "additionalAttributes"
struct record_type {
	struct attr_decl *attrs;
	size_t n;
	bool open;              /* "additionalAttributes": true */
};

struct entity_type {
	char *name;
	struct record_type attrs;
	uint32_t index;         /* position in schema->types */
	char *json_path;
};

struct action_decl {
	char *name;
	const struct entity_type **principals;
	size_t nprincipals;
	const struct entity_type **resources;
	size_t nresources;
	uint32_t index;
	char *json_path;
};

struct schema {
	uint32_t file;          /* srcset id of the JSON text */
	struct entity_type *types;
	size_t ntypes;
	struct action_decl *actions;
	size_t nactions;
	struct record_type context;
	const struct type *context_type;   /* TY_RECORD over `context` */
};

/* Shared singletons for the scalar kinds (and TY_ERROR). */
const struct type *type_scalar(enum type_kind kind);
/* set<elem> (elem may be NULL: the empty set literal's type). */
const struct type *type_set(struct arena *a, const struct type *elem);
const struct type *type_record(struct arena *a, const struct record_type *rec);
const struct type *type_entities(struct arena *a, const struct entity_type *const *types, size_t n);
/*
 * The one type equality: are `a` and `b` the same type?  Structural and
 * strict: scalars by kind; sets by element type, and the empty set literal's
 * type (elem NULL) equals only itself; records when they have the same
 * attributes by name (in any order), each with the same optionality and an
 * equal type, wherever they were declared; entity types as sets of entity
 * types (order and repeats do not matter).  Where the empty set may stand
 * for a set of any element type, callers say so explicitly before asking.
 */
bool type_equal(const struct type *a, const struct type *b);
/* "string", "set<int>", "record", "User", "User | Service" */
const char *type_str(struct arena *a, const struct type *t);
/* Parse a schema type name ("int", "set<string>"); NULL when not one. */
const struct type *type_parse_name(struct arena *a, const char *name);

/*
 * Load the schema in srcset file `file`.  Reports every fault found (not just
 * the first) to `diags` with diag_json() and its JSON path; returns the
 * number of errors.  *out is set even when there were errors (a best-effort
 * schema with the faulty parts left out), never NULL.
 */
size_t schema_load(struct arena *a, const struct srcset *src, uint32_t file,
		   struct diag_list *diags, struct schema **out);

const struct entity_type *schema_find_type(const struct schema *s, const char *name);
const struct action_decl *schema_find_action(const struct schema *s, const char *name);
const struct attr_decl *record_find(const struct record_type *r, const char *name);
/* May `t` be the principal (resource) of `a`? */
bool action_allows_principal(const struct action_decl *a, const struct entity_type *t);
bool action_allows_resource(const struct action_decl *a, const struct entity_type *t);


#endif
