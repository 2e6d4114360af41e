/*
 * test_ast_find.c: what the syntax tree holds at an offset, and the walk
 * over every expression (compiler/lang/ast_find.h), as the language
 * server's hover, definition and references use them.
 */
#include "check_util.h"
#include "ast_find.h"

static const char POLICY[] =
	"package datasets;\n"
	"const PROD_ENVS = [\"production\"];\n"
	"@owner(\"data-platform\")\n"
	"permit ci_read_prod {\n"
	"  principal is ServiceAccount\n"
	"  action in [\"read\", \"write\"]\n"
	"  resource is Dataset\n"
	"  when resource.env in PROD_ENVS and principal.workload.signed\n"
	"}\n";

static const char TESTS[] =
	"package datasets_test;\n"
	"request ci_read {\n"
	"  principal ServiceAccount \"ci\" { tenant: \"acme\", revoked: false, groups: [],\n"
	"    workload: { signed: true, spiffe_id: \"x\" } }\n"
	"  action \"read\"\n"
	"  resource Dataset \"sales\" { tenant: \"acme\", env: \"production\", change_tickets: [] }\n"
	"  context { source_ip: ip(\"10.0.0.1\") }\n"
	"}\n"
	"test \"reads\" {\n"
	"  given ci_read\n"
	"  with principal.workload.signed = true\n"
	"  expect allow by datasets.ci_read_prod\n"
	"}\n";

/* The offset of the n-th (from 0) occurrence of `what` in text, plus `plus`. */
static uint32_t at(const char *text, const char *what, int n, uint32_t plus)
{
	const char *p = text;
	for (int i = 0; i <= n; i++) {
		p = strstr(i ? p + 1 : p, what);
		cr_assert_not_null(p, "'%s' #%d not in the text", what, n);
	}
	return (uint32_t)(p - text) + plus;
}

static struct ast_hit find(int file, uint32_t off)
{
	cr_assert_eq(ck_with_tests(POLICY, TESTS), 0);
	struct ast_hit h;
	const struct ast_file *f = NULL;
	for (size_t i = 0; i < ck_c.nfiles; i++)
		if (ck_c.files[i]->is_test == (file == 1))
			f = ck_c.files[i];
	cr_assert_not_null(f);
	ast_find(f, off, &h);
	return h;
}

Test(ast_find, attribute_names_constants_and_the_innermost_expression)
{
	struct ast_hit h = find(0, at(POLICY, "env in", 0, 1));
	cr_assert_eq(h.kind, HIT_EXPR);
	cr_assert_eq(h.expr->kind, EX_ATTR);
	cr_assert_str_eq(h.expr->u.attr.name, "env");
	cr_assert_eq(h.item->kind, ITEM_RULE);

	h = find(0, at(POLICY, "PROD_ENVS and", 0, 3));
	cr_assert_eq(h.kind, HIT_EXPR);
	cr_assert_eq(h.expr->kind, EX_NAME);
	cr_assert_eq(h.expr->ref_kind, REF_CONST, "the checker resolved it");
	/* A cursor just after a word (where completion and hover are asked
	 * while typing) still finds it. */
	h = find(0, at(POLICY, "PROD_ENVS and", 0, 9));
	cr_assert_eq(h.kind, HIT_EXPR);
	cr_assert_eq(h.expr->kind, EX_NAME);

	/* On `.workload` of principal.workload.signed: the inner attribute. */
	h = find(0, at(POLICY, "workload.signed", 0, 2));
	cr_assert_eq(h.expr->kind, EX_ATTR);
	cr_assert_str_eq(h.expr->u.attr.name, "workload");

	/* Between operands: the binary expression around them. */
	h = find(0, at(POLICY, " and principal", 0, 2));
	cr_assert_eq(h.expr->kind, EX_BINARY);
	cr_assert_eq(h.expr->u.bin.op, BIN_AND);
}

Test(ast_find, names_of_declarations_and_scopes)
{
	struct ast_hit h = find(0, at(POLICY, "ci_read_prod", 0, 3));
	cr_assert_eq(h.kind, HIT_RULE_NAME);
	h = find(0, at(POLICY, "PROD_ENVS", 0, 0));
	cr_assert_eq(h.kind, HIT_CONST_NAME);
	h = find(0, at(POLICY, "ServiceAccount", 0, 4));
	cr_assert_eq(h.kind, HIT_SCOPE_TYPE);
	cr_assert_eq(h.var, VAR_PRINCIPAL);
	cr_assert_str_eq(h.name->name, "ServiceAccount");
	h = find(0, at(POLICY, "Dataset", 0, 0));
	cr_assert_eq(h.kind, HIT_SCOPE_TYPE);
	cr_assert_eq(h.var, VAR_RESOURCE);
	h = find(0, at(POLICY, "\"write\"", 0, 2));
	cr_assert_eq(h.kind, HIT_SCOPE_ACTION);
	cr_assert_str_eq(h.name->name, "write");
	h = find(0, at(POLICY, "@owner", 0, 2));
	cr_assert_eq(h.kind, HIT_ANNOTATION);
	cr_assert_str_eq(h.annotation->name, "owner");
	h = find(0, at(POLICY, "datasets;", 0, 2));
	cr_assert_eq(h.kind, HIT_PACKAGE);
}

Test(ast_find, tests_requests_given_by_and_paths)
{
	struct ast_hit h = find(1, at(TESTS, "ci_read", 1, 2));
	cr_assert_eq(h.kind, HIT_GIVEN);
	cr_assert_str_eq(h.name->name, "ci_read");
	h = find(1, at(TESTS, "ci_read", 0, 2));
	cr_assert_eq(h.kind, HIT_REQUEST_NAME);
	h = find(1, at(TESTS, "datasets.ci_read_prod", 0, 12));
	cr_assert_eq(h.kind, HIT_BY_RULE);
	cr_assert_str_eq(h.name->name, "datasets.ci_read_prod");
	h = find(1, at(TESTS, "workload.signed =", 0, 10));
	cr_assert_eq(h.kind, HIT_PATH);
	cr_assert_eq(h.seg, 1);
	h = find(1, at(TESTS, "Dataset", 0, 1));
	cr_assert_eq(h.kind, HIT_ENTITY_TYPE);
	cr_assert_eq(h.var, VAR_RESOURCE);
	h = find(1, at(TESTS, "\"read\"", 0, 1));
	cr_assert_eq(h.kind, HIT_REQUEST_ACTION);
	h = find(1, at(TESTS, "10.0.0.1", 0, 0));
	cr_assert_eq(h.kind, HIT_EXPR);
	cr_assert_eq(h.expr->kind, EX_IP);
	h = find(1, at(TESTS, "\"reads\"", 0, 1));
	cr_assert_eq(h.kind, HIT_TEST_NAME);
}

Test(ast_find, nothing_between_items_or_past_the_end)
{
	struct ast_hit h;
	cr_assert_not(ast_find(NULL, 0, &h));
	h = find(0, (uint32_t)strlen(POLICY) + 10);
	cr_assert_eq(h.kind, HIT_NONE);
	cr_assert_null(h.item);
	/* On the newline between the constant and the rule's annotation. */
	h = find(0, at(POLICY, "\n@owner", 0, 1) - 1);
	cr_assert(h.kind == HIT_NONE || h.kind == HIT_EXPR || h.kind == HIT_CONST_NAME);
}

static int count(const struct ast_expr *e, const struct ast_item *item, void *arg)
{
	(void)item;
	size_t *n = arg;
	n[0]++;
	if (e->kind == EX_ATTR)
		n[1]++;
	return 0;
}

static int stop_at_name(const struct ast_expr *e, const struct ast_item *item, void *arg)
{
	(void)item;
	(void)arg;
	return e->kind == EX_NAME ? 7 : 0;
}

Test(ast_find, the_walk_visits_every_expression_once_and_stops_on_demand)
{
	cr_assert_eq(ck_with_tests(POLICY, TESTS), 0);
	const struct ast_file *pf = ck_c.files[0]->is_test ? ck_c.files[1] : ck_c.files[0];
	size_t n[2] = { 0, 0 };
	cr_assert_eq(ast_walk_exprs(pf, count, n), 0);
	/* The constant's set and its string; and, in, resource.env, resource,
	 * PROD_ENVS, principal.workload.signed, principal.workload, principal. */
	cr_assert_eq(n[0], 10, "%zu expressions", n[0]);
	cr_assert_eq(n[1], 3);
	cr_assert_eq(ast_walk_exprs(pf, stop_at_name, NULL), 7);
}
