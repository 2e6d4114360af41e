/*
 * test_schema.c: the schema loader (authzc-policy(5), THE SCHEMA) and static types.
 */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "schema.h"

static struct arena arena = ARENA_INIT;
static struct srcset src;
static struct diag_list diags;

static size_t load(const char *json, struct schema **out)
{
	arena_free(&arena);
	srcset_init(&src, &arena);
	diag_list_init(&diags, &arena);
	uint32_t id = srcset_add(&src, "schema.json", json, strlen(json));
	size_t n = schema_load(&arena, &src, id, &diags, out);
	cr_assert_not_null(*out);
	cr_assert_eq(n, diags.errors, "returned count %zu, diags %zu", n, diags.errors);
	return n;
}

static size_t load_len(const char *json, size_t len, struct schema **out)
{
	arena_free(&arena);
	srcset_init(&src, &arena);
	diag_list_init(&diags, &arena);
	uint32_t id = srcset_add(&src, "schema.json", json, len);
	size_t n = schema_load(&arena, &src, id, &diags, out);
	cr_assert_not_null(*out);
	return n;
}

/* Assert diagnostic i: code, message, JSON path and help (NULL: none). */
static void expect_diag(size_t i, enum diag_code code, const char *msg, const char *path,
			const char *help)
{
	cr_assert_lt(i, diags.n, "no diagnostic %zu (only %zu)", i, diags.n);
	struct diag *d = diags.items[i];
	cr_expect_str_eq(diag_code_str(d->code), diag_code_str(code));
	cr_expect_str_eq(d->message, msg);
	if (path) {
		cr_assert_not_null(d->json_path, "no json path for '%s'", d->message);
		cr_expect_str_eq(d->json_path, path);
	}
	if (help) {
		cr_assert_not_null(d->help, "no help for '%s'", d->message);
		cr_expect_str_eq(d->help, help);
	} else {
		cr_expect_null(d->help, "unexpected help '%s'", d->help ? d->help : "");
	}
}

static void expect_line_col(size_t i, uint32_t line, uint32_t col)
{
	cr_assert_lt(i, diags.n);
	struct diag *d = diags.items[i];
	cr_assert(d->has_span, "diagnostic '%s' has no span", d->message);
	uint32_t l, c;
	src_line_col(srcset_file(&src, d->span.file), d->span.start, &l, &c);
	cr_expect_eq(l, line, "line %u, expected %u", l, line);
	cr_expect_eq(c, col, "col %u, expected %u", c, col);
}


/* The example schema of authzc-policy(5), shared with the checker's tests. */
Test(schema, loads_the_language_example)
{
	struct schema *s;
	cr_assert_eq(load(fixture_text("schema/language.json"), &s), 0);
	cr_assert_eq(diags.n, 0);
	cr_assert_eq(s->ntypes, 3);
	cr_expect_str_eq(s->types[0].name, "ServiceAccount");
	cr_expect_str_eq(s->types[1].name, "User");
	cr_expect_str_eq(s->types[2].name, "Dataset");
	cr_expect_eq(s->types[2].index, 2);
	cr_expect_str_eq(s->types[1].json_path, "$.types.User");

	const struct entity_type *sa = schema_find_type(s, "ServiceAccount");
	cr_assert_eq(sa, &s->types[0]);
	cr_assert_eq(sa->attrs.n, 5);
	const struct attr_decl *t = record_find(&sa->attrs, "tenant");
	cr_assert_not_null(t);
	cr_expect_eq(t->type, type_scalar(TY_STRING));
	cr_expect(!t->optional);
	cr_expect_str_eq(t->json_path, "$.types.ServiceAccount.tenant");
	const struct attr_decl *g = record_find(&sa->attrs, "groups");
	cr_expect_eq(g->type->kind, TY_SET);
	cr_expect_eq(g->type->elem, type_scalar(TY_STRING));
	cr_expect_eq(g->index, 2);

	const struct attr_decl *w = record_find(&sa->attrs, "workload");
	cr_assert_eq(w->type->kind, TY_RECORD);
	cr_expect(!w->optional);
	cr_assert_eq(w->type->record->n, 2);
	cr_expect_eq(record_find(w->type->record, "signed")->type, type_scalar(TY_BOOL));
	cr_expect_str_eq(record_find(w->type->record, "spiffe_id")->json_path,
			 "$.types.ServiceAccount.workload.spiffe_id");

	cr_expect_null(record_find(&sa->attrs, "window?"));
	const struct attr_decl *win = record_find(&sa->attrs, "window");
	cr_assert_not_null(win);
	cr_expect(win->optional);
	cr_expect_str_eq(win->json_path, "$.types.ServiceAccount[\"window?\"]");
	cr_assert_eq(win->type->kind, TY_RECORD);
	cr_expect_eq(record_find(win->type->record, "end")->type, type_scalar(TY_TIMESTAMP));

	const struct entity_type *ds = schema_find_type(s, "Dataset");
	cr_expect_eq(record_find(&ds->attrs, "change_tickets")->type->elem, type_scalar(TY_STRING));
	cr_expect_null(schema_find_type(s, "user"));
	cr_expect_null(schema_find_type(s, "Nope"));

	cr_assert_eq(s->nactions, 2);
	const struct action_decl *r = schema_find_action(s, "read");
	cr_assert_not_null(r);
	cr_expect_eq(r->nprincipals, 2);
	cr_expect_eq(r->principals[0], sa);
	cr_expect_eq(r->principals[1], schema_find_type(s, "User"));
	cr_expect_eq(r->nresources, 1);
	cr_expect(action_allows_principal(r, sa));
	cr_expect(action_allows_resource(r, ds));
	cr_expect(!action_allows_resource(r, sa));
	const struct action_decl *wr = schema_find_action(s, "write");
	cr_expect(!action_allows_principal(wr, schema_find_type(s, "User")));
	cr_expect_eq(wr->index, 1);
	cr_expect_null(schema_find_action(s, "delete"));

	cr_assert_eq(s->context.n, 2);
	cr_expect(record_find(&s->context, "ticket")->optional);
	cr_expect_eq(record_find(&s->context, "source_ip")->type, type_scalar(TY_IP));
	cr_assert_not_null(s->context_type);
	cr_expect_eq(s->context_type->kind, TY_RECORD);
	cr_expect_eq(s->context_type->record, &s->context);
}

Test(schema, scalar_kinds_and_a_quoted_action_name)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"U\": {}, \"D\": {\"size\": \"int\", \"ttl\": \"duration\",\n"
			  "  \"ips\": \"set<ip>\"}},\n"
			  " \"actions\": {\"read\": {\"principals\": [\"U\"], \"resources\": [\"D\"]},\n"
			  "  \"s3:GetObject\": {\"resources\": [\"D\"], \"principals\": [\"U\"]}}}", &s), 0);
	cr_assert_eq(diags.n, 0);
	const struct entity_type *d = schema_find_type(s, "D");
	cr_expect_eq(record_find(&d->attrs, "size")->type, type_scalar(TY_INT));
	cr_expect_eq(record_find(&d->attrs, "ttl")->type, type_scalar(TY_DURATION));
	cr_expect_eq(record_find(&d->attrs, "ips")->type->kind, TY_SET);
	cr_expect_eq(record_find(&d->attrs, "ips")->type->elem, type_scalar(TY_IP));
	const struct action_decl *g3 = schema_find_action(s, "s3:GetObject");
	cr_assert_not_null(g3);
	cr_expect_str_eq(g3->json_path, "$.actions[\"s3:GetObject\"]");
	cr_expect_eq(g3->index, 1);
	cr_expect(action_allows_principal(g3, schema_find_type(s, "U")));
	cr_expect(action_allows_resource(g3, d));
}

Test(schema, every_part_is_optional)
{
	struct schema *s;
	cr_assert_eq(load("{}", &s), 0);
	cr_expect_eq(s->ntypes, 0);
	cr_expect_eq(s->nactions, 0);
	cr_expect_eq(s->context.n, 0);
	cr_assert_not_null(s->context_type);
	cr_expect_eq(s->context_type->kind, TY_RECORD);
	cr_assert_eq(load("{\"types\": {\"A\": {}}, \"context\": {}}", &s), 0);
	cr_expect_eq(s->ntypes, 1);
	cr_expect_eq(s->types[0].attrs.n, 0);
}

Test(schema, id_is_allowed_in_nested_records_and_context)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"A\": {\"x\": {\"id\": \"int\"}}}, \"context\": {\"id\": \"string\"}}", &s), 0);
}

/* ---- E0101 invalid JSON -------------------------------------------------- */

Test(schema, invalid_json_has_line_and_column)
{
	struct schema *s;
	cr_assert_eq(load("{\n  \"types\": {\n    \"User\": { \"a\": tru }\n  }\n}\n", &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: unexpected character 't'", NULL, NULL);
	expect_line_col(0, 3, 20);
	cr_expect_null(diags.items[0]->json_path);
	cr_expect_eq(s->ntypes, 0);
	cr_assert_not_null(s->context_type);
}

Test(schema, invalid_json_missing_comma)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {}\n \"actions\": {}}", &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: unexpected character '\"'", NULL, NULL);
	expect_line_col(0, 2, 2);
}

Test(schema, invalid_json_end_of_file)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\n", &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: unexpected end of file", NULL, NULL);
	expect_line_col(0, 2, 1);
	cr_assert_eq(load("", &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: unexpected end of file", NULL, NULL);
	expect_line_col(0, 1, 1);
}

Test(schema, invalid_json_trailing_text)
{
	struct schema *s;
	cr_assert_eq(load("{}\n}", &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: unexpected character '}'", NULL, NULL);
	expect_line_col(0, 2, 1);
}

Test(schema, invalid_json_nul_byte)
{
	struct schema *s;
	cr_assert_eq(load_len("{}\0{}", 5, &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: NUL byte in the schema", NULL, NULL);
	expect_line_col(0, 1, 3);
}

Test(schema, invalid_json_binary)
{
	struct schema *s;
	cr_assert_eq(load("\xff\xfe{}", &s), 1);
	expect_diag(0, E_SCHEMA_JSON, "invalid JSON: unexpected byte 0xFF", NULL, NULL);
	expect_line_col(0, 1, 1);
}

/* ---- E0102 unknown type name ----------------------------------------------- */

Test(schema, unknown_type_name_suggests_closest)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {\"tenant\": \"strng\", \"mfa\": \"bool\"}}}", &s), 1);
	expect_diag(0, E_SCHEMA_TYPE, "unknown type 'strng' for attribute 'tenant' of 'User'",
		    "$.types.User.tenant", "did you mean 'string'?");
	/* Best effort: the attribute is kept with the error type. */
	cr_assert_eq(s->types[0].attrs.n, 2);
	cr_expect_eq(record_find(&s->types[0].attrs, "tenant")->type->kind, TY_ERROR);
	cr_expect_eq(record_find(&s->types[0].attrs, "mfa")->type, type_scalar(TY_BOOL));
}

Test(schema, unknown_type_name_is_an_entity)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {}, \"Doc\": {\"owner\": \"User\"}}}", &s), 1);
	expect_diag(0, E_SCHEMA_TYPE, "unknown type 'User' for attribute 'owner' of 'Doc'",
		    "$.types.Doc.owner",
		    "'User' is an entity type; an attribute cannot hold an entity, use its id (string) instead");
}

Test(schema, unknown_type_name_far_from_everything)
{
	struct schema *s;
	cr_assert_eq(load("{\"context\": {\"x\": {\"y\": \"quaternion\"}}}", &s), 1);
	expect_diag(0, E_SCHEMA_TYPE, "unknown type 'quaternion' for attribute 'y' of 'context.x'",
		    "$.context.x.y",
		    "the types are bool, int, string, timestamp, duration, ip, set<T> or a record { ... }");
}

Test(schema, unknown_set_element_type)
{
	struct schema *s;
	cr_assert_eq(load("{\"context\": {\"tags\": \"set<strin>\"}}", &s), 1);
	expect_diag(0, E_SCHEMA_TYPE, "unknown type 'strin' in 'set<strin>' for attribute 'tags' of 'context'",
		    "$.context.tags", "did you mean 'set<string>'?");
}

/* ---- E0103 reserved id --------------------------------------------------- */

Test(schema, id_is_reserved_on_entity_types)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {\"id\": \"string\", \"id?\": \"int\", \"a\": \"int\"}}}", &s), 2);
	const char *help = "every entity has an id: 'principal.id' and 'resource.id' are its id string; "
			   "remove or rename this attribute";
	expect_diag(0, E_SCHEMA_ID, "reserved attribute 'id' declared on entity type 'User'",
		    "$.types.User.id", help);
	expect_diag(1, E_SCHEMA_ID, "reserved attribute 'id' declared on entity type 'User'",
		    "$.types.User[\"id?\"]", help);
	cr_expect_eq(s->types[0].attrs.n, 1);
}

/* ---- E0104 undeclared type in an action ------------------------------------ */

Test(schema, action_names_undeclared_type)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {}, \"Doc\": {}},"
			  " \"actions\": {\"s3:GetObject\": {\"principals\": [\"User\", \"Usr\"],"
			  " \"resources\": [\"Bucket\"]}}}", &s), 2);
	expect_diag(0, E_SCHEMA_ACTION, "action 's3:GetObject' names undeclared entity type 'Usr' in 'principals'",
		    "$.actions[\"s3:GetObject\"].principals[1]", "did you mean 'User'?");
	expect_diag(1, E_SCHEMA_ACTION, "action 's3:GetObject' names undeclared entity type 'Bucket' in 'resources'",
		    "$.actions[\"s3:GetObject\"].resources[0]", "declare it under \"types\"");
	/* Best effort: the action stays, with the types that exist. */
	const struct action_decl *a = schema_find_action(s, "s3:GetObject");
	cr_assert_not_null(a);
	cr_expect_eq(a->nprincipals, 1);
	cr_expect_eq(a->nresources, 0);
}

Test(schema, badly_declared_type_is_not_reported_again)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"my-type\": {}},"
			  " \"actions\": {\"a\": {\"principals\": [\"my-type\"], \"resources\": [\"my-type\"]}}}", &s), 1);
	expect_diag(0, E_SCHEMA_NAME, "invalid entity type name 'my-type'", "$.types[\"my-type\"]",
		    "type names are identifiers: letters, digits and '_', not starting with a digit");
}

/* ---- E0105 bad set ---------------------------------------------------------- */

Test(schema, malformed_sets)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {}}, \"context\": {"
			  "\"a\": \"set<set<int>>\", \"b\": \"set<>\", \"c\": \"set<User>\","
			  " \"d\": \"set<int\", \"e\": \"set\", \"f\": \"set< int >\", \"g\": \"set<int>x\","
			  " \"h\": \"set(int)\", \"ok\": \"set<bool>\"}}", &s), 8);
	const char *one = "a set holds one of bool, int, string, timestamp, duration, ip";
	expect_diag(0, E_SCHEMA_SET, "sets of sets are not supported: 'set<set<int>>' for attribute 'a' of 'context'",
		    "$.context.a", one);
	expect_diag(1, E_SCHEMA_SET, "set type 'set<>' for attribute 'b' of 'context' has no element type",
		    "$.context.b", "write the element type: set<string>");
	expect_diag(2, E_SCHEMA_SET, "sets of entities are not supported: 'set<User>' for attribute 'c' of 'context'",
		    "$.context.c", "hold the entities' ids instead: set<string>");
	expect_diag(3, E_SCHEMA_SET, "malformed set type 'set<int' for attribute 'd' of 'context': missing '>'",
		    "$.context.d", "write set<int>");
	expect_diag(4, E_SCHEMA_SET, "malformed set type 'set' for attribute 'e' of 'context'",
		    "$.context.e", "write the element type in angle brackets: set<string>");
	expect_diag(5, E_SCHEMA_SET, "malformed set type 'set< int >' for attribute 'f' of 'context'",
		    "$.context.f", "write set<int> without blanks");
	expect_diag(6, E_SCHEMA_SET, "malformed set type 'set<int>x' for attribute 'g' of 'context': text after '>'",
		    "$.context.g", "write set<T> with nothing after it");
	expect_diag(7, E_SCHEMA_SET, "malformed set type 'set(int)' for attribute 'h' of 'context'",
		    "$.context.h", "write the element type in angle brackets: set<string>");
	cr_expect_eq(record_find(&s->context, "ok")->type->elem, type_scalar(TY_BOOL));
	/* "settings" is not a set at all. */
	cr_assert_eq(load("{\"context\": {\"a\": \"settings\"}}", &s), 1);
	expect_diag(0, E_SCHEMA_TYPE, "unknown type 'settings' for attribute 'a' of 'context'", "$.context.a",
		    "the types are bool, int, string, timestamp, duration, ip, set<T> or a record { ... }");
}

/* ---- E0106 duplicates --------------------------------------------------------- */

Test(schema, duplicate_attribute)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {\"a\": \"int\", \"b\": \"int\", \"a\": \"string\"}}}", &s), 1);
	expect_diag(0, E_SCHEMA_DUP, "duplicate attribute 'a' in 'User'", "$.types.User.a",
		    "it is first declared at $.types.User.a");
	cr_assert_eq(s->types[0].attrs.n, 2);
	cr_expect_eq(record_find(&s->types[0].attrs, "a")->type, type_scalar(TY_INT));
}

Test(schema, optional_and_required_are_the_same_name)
{
	struct schema *s;
	cr_assert_eq(load("{\"context\": {\"t\": \"int\", \"t?\": \"int\"}}", &s), 1);
	expect_diag(0, E_SCHEMA_DUP, "duplicate attribute 't' in 'context'", "$.context[\"t?\"]",
		    "it is first declared at $.context.t ('t' and 't?' name the same attribute)");
}

Test(schema, duplicate_types_actions_keys)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"U\": {}, \"U\": {\"x\": \"int\"}},"
			  " \"actions\": {\"r\": {\"principals\": [\"U\", \"U\"], \"resources\": [\"U\"],"
			  " \"resources\": [\"U\"]}, \"r\": {}},"
			  " \"types\": {}}", &s), 5);
	expect_diag(0, E_SCHEMA_DUP, "duplicate key 'types' in the schema", "$.types", "merge the two into one");
	expect_diag(1, E_SCHEMA_DUP, "duplicate entity type 'U'", "$.types.U", "it is first declared at $.types.U");
	expect_diag(2, E_SCHEMA_DUP, "duplicate entity type 'U' in 'principals' of action 'r'",
		    "$.actions.r.principals[1]", "it is first listed at $.actions.r.principals[0]");
	expect_diag(3, E_SCHEMA_DUP, "duplicate key 'resources' in action 'r'", "$.actions.r.resources",
		    "it is first given at $.actions.r.resources");
	expect_diag(4, E_SCHEMA_DUP, "duplicate action 'r'", "$.actions.r", "it is first declared at $.actions.r");
	cr_expect_eq(s->ntypes, 1);
	cr_expect_eq(s->types[0].attrs.n, 0);
	cr_expect_eq(s->nactions, 1);
	cr_expect_eq(s->actions[0].nprincipals, 1);
}

/* ---- E0107 shapes -------------------------------------------------------------- */

Test(schema, root_must_be_an_object)
{
	struct schema *s;
	cr_assert_eq(load("[1, 2]", &s), 1);
	expect_diag(0, E_SCHEMA_SHAPE, "the schema must be a JSON object, not an array", "$",
		    "write { \"types\": { ... }, \"actions\": { ... }, \"context\": { ... } }");
}

Test(schema, unknown_top_level_key)
{
	struct schema *s;
	cr_assert_eq(load("{\"typs\": {}, \"zzzzzzzz\": 1}", &s), 2);
	expect_diag(0, E_SCHEMA_SHAPE, "unknown key 'typs' in the schema", "$.typs", "did you mean 'types'?");
	expect_diag(1, E_SCHEMA_SHAPE, "unknown key 'zzzzzzzz' in the schema", "$.zzzzzzzz",
		    "the schema has the keys 'types', 'actions' and 'context'");
}

Test(schema, sections_must_be_objects)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": [], \"actions\": \"x\", \"context\": null}", &s), 3);
	expect_diag(0, E_SCHEMA_SHAPE,
		    "'types' must be an object mapping entity type names to attributes, not an array", "$.types",
		    "write \"types\": { \"User\": { \"tenant\": \"string\" } }");
	expect_diag(1, E_SCHEMA_SHAPE,
		    "'actions' must be an object mapping action names to their types, not a string", "$.actions",
		    "write \"actions\": { \"read\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] } }");
	expect_diag(2, E_SCHEMA_SHAPE, "'context' must be an object of attributes, not null", "$.context",
		    "write \"context\": { \"source_ip\": \"ip\" }");
}

Test(schema, entity_and_attribute_shapes)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"U\": 3, \"V\": {\"a\": 1, \"b\": [\"int\"]}}}", &s), 3);
	expect_diag(0, E_SCHEMA_SHAPE, "entity type 'U' must be an object of attributes, not a number", "$.types.U",
		    "write \"U\": { \"tenant\": \"string\" } (or {} for none)");
	const char *h = "the types are bool, int, string, timestamp, duration, ip, set<T> or a record { ... }";
	expect_diag(1, E_SCHEMA_SHAPE, "attribute 'a' of 'V' must be a type name or a record object, not a number",
		    "$.types.V.a", h);
	expect_diag(2, E_SCHEMA_SHAPE, "attribute 'b' of 'V' must be a type name or a record object, not an array",
		    "$.types.V.b", h);
}

Test(schema, action_shapes)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"U\": {}}, \"actions\": {"
			  "\"a\": [], "
			  "\"b\": {\"principals\": [\"U\"]}, "
			  "\"c\": {\"principals\": \"U\", \"resources\": [\"U\", 7]}, "
			  "\"d\": {\"principals\": [], \"resources\": [\"U\"], \"principles\": 1}}}", &s), 6);
	expect_diag(0, E_SCHEMA_SHAPE, "action 'a' must be an object with 'principals' and 'resources', not an array",
		    "$.actions.a", "write \"a\": { \"principals\": [\"User\"], \"resources\": [\"Doc\"] }");
	expect_diag(1, E_SCHEMA_SHAPE, "action 'b' has no 'resources' list", "$.actions.b",
		    "list the entity types it applies to: \"resources\": [\"User\"]");
	expect_diag(2, E_SCHEMA_SHAPE, "'principals' of action 'c' must be an array of entity type names, not a string",
		    "$.actions.c.principals", "write \"principals\": [\"User\"]");
	expect_diag(3, E_SCHEMA_SHAPE, "entry of 'resources' of action 'c' must be an entity type name string, not a number",
		    "$.actions.c.resources[1]", "write \"resources\": [\"User\"]");
	expect_diag(4, E_SCHEMA_SHAPE, "'principals' of action 'd' is empty", "$.actions.d.principals",
		    "list at least one entity type the action applies to");
	expect_diag(5, E_SCHEMA_SHAPE, "unknown key 'principles' in action 'd'", "$.actions.d.principles",
		    "did you mean 'principals'?");
}

/* ---- E0108 names ---------------------------------------------------------------- */

Test(schema, invalid_names)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"1User\": {}, \"when\": {}, \"U\": {\"bad-attr\": \"int\", \"?\": \"int\","
			  " \"has\": \"int\", \"ok?\": \"int\"}},"
			  " \"actions\": {\"\": {\"principals\": [\"U\"], \"resources\": [\"U\"]},"
			  " \"a b\": {\"principals\": [\"U\"], \"resources\": [\"U\"]},"
			  " \"s3:Get/x-y.z\": {\"principals\": [\"U\"], \"resources\": [\"U\"]}}}", &s), 7);
	const char *th = "type names are identifiers: letters, digits and '_', not starting with a digit";
	const char *ah = "attribute names are identifiers: letters, digits and '_', not starting with a digit "
			 "(add '?' to make one optional)";
	const char *acth = "action names are not empty and use letters, digits and _ : / - .";
	expect_diag(0, E_SCHEMA_NAME, "invalid entity type name '1User'", "$.types[\"1User\"]", th);
	expect_diag(1, E_SCHEMA_NAME, "entity type name 'when' is a reserved word", "$.types.when",
		    "a policy could not name it; rename the type");
	expect_diag(2, E_SCHEMA_NAME, "invalid attribute name 'bad-attr' in 'U'", "$.types.U[\"bad-attr\"]", ah);
	expect_diag(3, E_SCHEMA_NAME, "invalid attribute name '' in 'U'", "$.types.U[\"?\"]", ah);
	expect_diag(4, E_SCHEMA_NAME, "attribute name 'has' in 'U' is a reserved word", "$.types.U.has",
		    "a policy could not read it; rename the attribute");
	expect_diag(5, E_SCHEMA_NAME, "invalid action name ''", "$.actions[\"\"]", acth);
	expect_diag(6, E_SCHEMA_NAME, "invalid action name 'a b'", "$.actions[\"a b\"]", acth);
	cr_expect_eq(s->ntypes, 1);
	cr_expect_eq(s->types[0].attrs.n, 1);
	cr_expect_eq(s->nactions, 1);
	cr_expect_str_eq(s->actions[0].name, "s3:Get/x-y.z");
}

Test(schema, quoted_path_escapes)
{
	struct schema *s;
	cr_assert_eq(load("{\"context\": {\"a\\\"b\\\\c\\u0001\": \"int\"}}", &s), 1);
	expect_diag(0, E_SCHEMA_NAME, "invalid attribute name 'a\"b\\\\c\\x01' in 'context'",
		    "$.context[\"a\\\"b\\\\c\\u0001\"]",
		    "attribute names are identifiers: letters, digits and '_', not starting with a digit "
		    "(add '?' to make one optional)");
}

/* Names are quoted in messages as authzc.json's keys are (text_show): a
 * quote escaped, a byte that is not UTF-8 as \xNN (valid characters
 * around it kept), long names cut after 64 characters. */
Test(schema, names_in_messages_are_shown_safely)
{
	struct schema *s;
	char json[256];
	snprintf(json, sizeof json, "{\"actions\": {\"it's\": {}, \"\xc3\xa9\xff\": {}, \"%s\": 1}}",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-tail");
	cr_assert_eq(load(json, &s), 7);     /* each of the first two lacks both lists */
	expect_diag(0, E_SCHEMA_NAME, "invalid action name 'it\\'s'", "$.actions[\"it's\"]",
		    "action names are not empty and use letters, digits and _ : / - .");
	expect_diag(3, E_SCHEMA_NAME, "invalid action name '\xc3\xa9\\xff'",
		    "$.actions[\"\xc3\xa9\xef\xbf\xbd\"]",
		    "action names are not empty and use letters, digits and _ : / - .");
	cr_expect_str_eq(diags.items[6]->message,
			 "action 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
			 "must be an object with 'principals' and 'resources', not a number");
	cr_expect_str_eq(diags.items[6]->json_path,
			 "$.actions[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-tail\"]",
			 "a path is never cut");
}

/* ---- every fault, not just the first ----------------------------------------- */

Test(schema, reports_every_fault)
{
	struct schema *s;
	size_t n = load("{\"types\": {\"U\": {\"a\": \"strng\", \"id\": \"int\", \"b\": \"set<>\"}},"
			" \"actions\": {\"r\": {\"principals\": [\"X\"], \"resources\": [\"U\"]}},"
			" \"context\": {\"c\": 5}, \"extra\": 1}", &s);
	cr_expect_eq(n, 6);
	cr_expect_eq(diags.errors, 6);
}

Test(schema, error_count_is_capped)
{
	struct schema *s;
	size_t cap = 4096 * 16;
	char *buf = malloc(cap);
	size_t off = (size_t)snprintf(buf, cap, "{\"context\": {");
	for (int i = 0; i < 300; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s\"a%d\": \"nope\"", i ? "," : "", i);
	snprintf(buf + off, cap - off, "}}");
	size_t n = load(buf, &s);
	free(buf);
	cr_expect_eq(n, 101);
	cr_expect_str_eq(diags.items[100]->message, "too many errors in the schema; stopped after 100");
	cr_expect_eq(diags.items[100]->code, E_LIMIT);
}

/* ---- limits -------------------------------------------------------------------- */

Test(schema, deep_json_is_refused_before_parsing)
{
	struct schema *s;
	size_t depth = 100000;
	char *buf = malloc(depth * 2 + 1);
	for (size_t i = 0; i < depth; i++) {
		buf[i] = '[';
		buf[depth + i] = ']';
	}
	buf[depth * 2] = 0;
	cr_assert_eq(load(buf, &s), 1);
	free(buf);
	expect_diag(0, E_LIMIT, "schema JSON nested more than 64 deep", NULL, NULL);
	expect_line_col(0, 1, 65);
}

Test(schema, cjson_refuses_input_over_its_nesting_limit)
{
	/* Our own depth check runs first, but cJSON must also fail cleanly. */
	size_t depth = CJSON_NESTING_LIMIT + 10;
	char *buf = malloc(depth * 2 + 1);
	for (size_t i = 0; i < depth; i++) {
		buf[i] = '[';
		buf[depth + i] = ']';
	}
	buf[depth * 2] = 0;
	cJSON *j = cJSON_Parse(buf);
	cr_expect_null(j);
	cJSON_Delete(j);
	free(buf);
}

Test(schema, deep_records_are_refused)
{
	struct schema *s;
	char buf[4096];
	size_t off = (size_t)snprintf(buf, sizeof buf, "{\"context\": ");
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "{\"r\": ");
	off += (size_t)snprintf(buf + off, sizeof buf - off, "\"int\"");
	for (int i = 0; i < 41; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "}");
	cr_assert_eq(load(buf, &s), 1);
	cr_assert_eq(diags.items[0]->code, E_LIMIT);
	cr_expect_str_eq(diags.items[0]->message,
			 "records nested too deeply: attribute paths are at most 16 names long");
	cr_expect_str_eq(diags.items[0]->json_path, "$.context.r.r.r.r.r.r.r.r.r.r.r.r.r.r.r.r");
	/* Paths of 16 names (what a bundle holds) are fine. */
	off = (size_t)snprintf(buf, sizeof buf, "{\"context\": ");
	for (int i = 0; i < 16; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "{\"r\": ");
	off += (size_t)snprintf(buf + off, sizeof buf - off, "\"int\"");
	for (int i = 0; i < 17; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "}");
	cr_assert_eq(load(buf, &s), 0);
}

Test(schema, too_many_attributes_and_types)
{
	struct schema *s;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	size_t off = (size_t)snprintf(buf, cap, "{\"context\": {");
	for (int i = 0; i < 1001; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s\"a%d\": \"int\"", i ? "," : "", i);
	snprintf(buf + off, cap - off, "}}");
	cr_assert_eq(load(buf, &s), 1);
	expect_diag(0, E_LIMIT, "too many attributes in 'context' (1001; at most 1000)", "$.context", NULL);
	cr_expect_eq(s->context.n, 1000);

	off = (size_t)snprintf(buf, cap, "{\"types\": {");
	for (int i = 0; i < 10001; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s\"T%d\": {}", i ? "," : "", i);
	snprintf(buf + off, cap - off, "}}");
	cr_assert_eq(load(buf, &s), 1);
	expect_diag(0, E_LIMIT, "too many entity types (10001; at most 10000)", "$.types", NULL);
	cr_expect_eq(s->ntypes, 10000);
	cr_expect_not_null(schema_find_type(s, "T9999"));
	free(buf);
}

/* ---- static types ------------------------------------------------------------ */

Test(schema, type_parse_name_and_str)
{
	struct arena a = ARENA_INIT;
	cr_expect_eq(type_parse_name(&a, "bool"), type_scalar(TY_BOOL));
	cr_expect_eq(type_parse_name(&a, "timestamp"), type_scalar(TY_TIMESTAMP));
	const struct type *t = type_parse_name(&a, "set<duration>");
	cr_assert_not_null(t);
	cr_expect_eq(t->kind, TY_SET);
	cr_expect_eq(t->elem, type_scalar(TY_DURATION));
	cr_expect_str_eq(type_str(&a, t), "set<duration>");
	cr_expect_null(type_parse_name(&a, "set<set<int>>"));
	cr_expect_null(type_parse_name(&a, "set<>"));
	cr_expect_null(type_parse_name(&a, "set"));
	cr_expect_null(type_parse_name(&a, "String"));
	cr_expect_null(type_parse_name(&a, ""));
	cr_expect_null(type_parse_name(&a, "set<int"));
	cr_expect_str_eq(type_str(&a, type_scalar(TY_IP)), "ip");
	cr_expect_str_eq(type_str(&a, type_scalar(TY_ERROR)), "error");
	cr_expect_str_eq(type_str(&a, type_set(&a, NULL)), "empty set");
	struct record_type rec = { 0 };
	cr_expect_str_eq(type_str(&a, type_record(&a, &rec)), "record");
	struct entity_type u = { .name = "User" }, sv = { .name = "Service" };
	const struct entity_type *both[] = { &u, &sv };
	cr_expect_str_eq(type_str(&a, type_entities(&a, both, 1)), "User");
	cr_expect_str_eq(type_str(&a, type_entities(&a, both, 2)), "User | Service");
	arena_free(&a);
}

Test(schema, type_equal_rules)
{
	struct arena a = ARENA_INIT;
	const struct type *si = type_set(&a, type_scalar(TY_INT));
	const struct type *si2 = type_set(&a, type_scalar(TY_INT));
	const struct type *ss = type_set(&a, type_scalar(TY_STRING));
	const struct type *empty = type_set(&a, NULL), *empty2 = type_set(&a, NULL);
	cr_expect(type_equal(si, si2));
	cr_expect(!type_equal(si, ss));
	/* strict on the empty set: it equals only itself (callers that let []
	 * stand for any set say so before asking) */
	cr_expect(type_equal(empty, empty2));
	cr_expect(!type_equal(empty, ss));
	cr_expect(!type_equal(si, empty));
	cr_expect(!type_equal(empty, type_scalar(TY_INT)));
	cr_expect(type_equal(type_scalar(TY_INT), type_scalar(TY_INT)));
	cr_expect(!type_equal(type_scalar(TY_INT), type_scalar(TY_DURATION)));
	cr_expect(!type_equal(NULL, type_scalar(TY_INT)));
	/* records: structural, by attribute name in any order, with optionality */
	struct attr_decl ab[] = {
		{ .name = "a", .type = type_scalar(TY_INT) },
		{ .name = "b", .type = ss },
	};
	struct attr_decl ba[] = {
		{ .name = "b", .type = type_set(&a, type_scalar(TY_STRING)) },
		{ .name = "a", .type = type_scalar(TY_INT) },
	};
	struct attr_decl ab_opt[] = {
		{ .name = "a", .type = type_scalar(TY_INT), .optional = true },
		{ .name = "b", .type = ss },
	};
	struct attr_decl ab_dur[] = {
		{ .name = "a", .type = type_scalar(TY_DURATION) },
		{ .name = "b", .type = ss },
	};
	struct attr_decl ac[] = {
		{ .name = "a", .type = type_scalar(TY_INT) },
		{ .name = "c", .type = ss },
	};
	struct record_type r1 = { 0 }, r2 = { 0 }, rab = { ab, 2, false }, rba = { ba, 2, false };
	struct record_type rab1 = { ab, 1, false }, ropt = { ab_opt, 2, false }, rdur = { ab_dur, 2, false };
	struct record_type rac = { ac, 2, false };
	cr_expect(type_equal(type_record(&a, &r1), type_record(&a, &r1)));
	cr_expect(type_equal(type_record(&a, &r1), type_record(&a, &r2)), "two empty records");
	cr_expect(type_equal(type_record(&a, &rab), type_record(&a, &rba)), "declared apart, same shape");
	cr_expect(!type_equal(type_record(&a, &rab), type_record(&a, &rab1)));
	cr_expect(!type_equal(type_record(&a, &rab1), type_record(&a, &rab)));
	cr_expect(!type_equal(type_record(&a, &rab), type_record(&a, &ropt)));
	cr_expect(!type_equal(type_record(&a, &rab), type_record(&a, &rdur)));
	cr_expect(!type_equal(type_record(&a, &rab), type_record(&a, &rac)));
	struct record_type *nest1 = &rab, *nest2 = &rba;
	struct attr_decl w1[] = { { .name = "w", .type = type_record(&a, nest1) } };
	struct attr_decl w2[] = { { .name = "w", .type = type_record(&a, nest2) } };
	struct attr_decl w3[] = { { .name = "w", .type = type_record(&a, &rac) } };
	struct record_type rw1 = { w1, 1, false }, rw2 = { w2, 1, false }, rw3 = { w3, 1, false };
	cr_expect(type_equal(type_record(&a, &rw1), type_record(&a, &rw2)), "nested records");
	cr_expect(!type_equal(type_record(&a, &rw1), type_record(&a, &rw3)));
	/* entity types: as sets */
	struct entity_type u = { .name = "User" }, sv = { .name = "Service" };
	const struct entity_type *us[] = { &u, &sv }, *su[] = { &sv, &u }, *uu[] = { &u, &u };
	cr_expect(type_equal(type_entities(&a, us, 2), type_entities(&a, su, 2)));
	cr_expect(!type_equal(type_entities(&a, us, 1), type_entities(&a, su, 2)));
	cr_expect(!type_equal(type_entities(&a, us, 1), type_entities(&a, su, 1)));
	cr_expect(type_equal(type_entities(&a, uu, 2), type_entities(&a, us, 1)), "repeats do not count");
	cr_expect(!type_equal(type_entities(&a, uu, 2), type_entities(&a, us, 2)));
	arena_free(&a);
}

/* Records are closed unless the schema opens them: "additionalAttributes"
 * takes true or false on an entity type, a nested record or the context,
 * and is never an attribute. */
Test(schema, additional_attributes_opens_a_record)
{
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {\"tenant\": \"string\", \"additionalAttributes\": true,"
			  " \"w\": {\"a\": \"int\", \"additionalAttributes\": true}},"
			  " \"Doc\": {\"x\": {\"b\": \"bool\"}, \"additionalAttributes\": false}},"
			  " \"context\": {\"additionalAttributes\": true, \"ip\": \"ip\"}}", &s), 0);
	const struct entity_type *u = schema_find_type(s, "User"), *d = schema_find_type(s, "Doc");
	cr_assert(u && d);
	cr_expect(u->attrs.open);
	cr_expect_eq(u->attrs.n, 2, "the key is not an attribute");
	cr_expect_null(record_find(&u->attrs, "additionalAttributes"));
	const struct attr_decl *w = record_find(&u->attrs, "w");
	cr_assert(w && w->type->kind == TY_RECORD);
	cr_expect(w->type->record->open);
	cr_expect_eq(w->type->record->n, 1);
	cr_expect_not(d->attrs.open);
	cr_expect_not(record_find(&d->attrs, "x")->type->record->open, "closed by default");
	cr_expect(s->context.open);
	cr_expect_eq(s->context.n, 1);
}

Test(schema, additional_attributes_takes_a_boolean)
{
	static const char help[] = "write \"additionalAttributes\": true to accept attributes the schema does "
				   "not declare; 'additionalAttributes' cannot name an attribute";
	struct schema *s;
	cr_assert_eq(load("{\"types\": {\"User\": {\"additionalAttributes\": \"bool\"}},"
			  " \"context\": {\"additionalAttributes\": 1}}", &s), 2);
	expect_diag(0, E_SCHEMA_SHAPE, "'additionalAttributes' in 'User' must be true or false, not a string",
		    "$.types.User.additionalAttributes", help);
	expect_diag(1, E_SCHEMA_SHAPE, "'additionalAttributes' in 'context' must be true or false, not a number",
		    "$.context.additionalAttributes", help);
	cr_expect_not(schema_find_type(s, "User")->attrs.open);
}
