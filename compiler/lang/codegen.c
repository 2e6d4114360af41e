/*
 * codegen.c: checked policy set -> bundle (codegen.h).
 *
 * One pass over the checked rules.  Expressions compile to stack code:
 * each node pushes one value.  `a and b` is `a; JF end; b; end:` (JF keeps
 * the false it jumps with, so the result is always on the stack), `or` the
 * same with JT.  Attribute reads name a root (principal, resource, context)
 * and the slot of the attribute's path, which the writer shares between
 * every entity type declaring that path.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_write.h"
#include "checker.h"
#include "codegen.h"
#include "keys.h"

struct cg {
	struct compilation *c;
	struct bundle_writer *w;
	uint32_t *type_ids;             /* by entity_type.index */
	uint32_t *action_ids;           /* by action_decl.index */
	uint32_t *file_ids;             /* by srcset id; UINT32_MAX: not declared yet */
	size_t nfile_ids;
	const struct checked_rule *rule;
	size_t errors;
};

/* ---- errors ---------------------------------------------------------------- */

/* Report the writer's (or our) failure at `span` as E0010 and count it. */
static int cg_fail(struct cg *g, struct span span, const char *what)
{
	const char *msg = what ? what : bw_error(g->w);
	if (!msg || !*msg)
		msg = "cannot encode";
	if (g->rule)
		diag_at(&g->c->diags, E_LIMIT, span, "cannot compile rule '%s': %s", g->rule->id, msg);
	else
		diag_file(&g->c->diags, E_LIMIT, g->c->schema_file, "cannot compile the schema: %s", msg);
	g->errors++;
	return -1;
}

#define TRY(g, span, x) do { if ((x) < 0) return cg_fail((g), (span), NULL); } while (0)

/* ---- schema ---------------------------------------------------------------- */

static enum authz_kind kind_of(const struct type *t)
{
	switch (t ? t->kind : TY_ERROR) {
	case TY_BOOL: return AUTHZ_K_BOOL;
	case TY_INT: return AUTHZ_K_INT;
	case TY_STRING: return AUTHZ_K_STRING;
	case TY_TIMESTAMP: return AUTHZ_K_TIMESTAMP;
	case TY_DURATION: return AUTHZ_K_DURATION;
	case TY_IP: return AUTHZ_K_IP;
	case TY_SET: return AUTHZ_K_SET;
	case TY_RECORD: return AUTHZ_K_RECORD;
	default: return AUTHZ_K_NONE;
	}
}

/* Declare every attribute of `rec` under path[0..depth) of `owner`. */
static int declare_record(struct cg *g, uint32_t owner, const struct record_type *rec,
			  const char **path, size_t depth)
{
	struct span none = { 0 };
	if (depth >= AUTHZ_MAX_DEPTH)
		return cg_fail(g, none, "records nested too deeply");
	for (size_t i = 0; i < rec->n; i++) {
		const struct attr_decl *a = &rec->attrs[i];
		enum authz_kind k = kind_of(a->type);
		enum authz_kind elem = k == AUTHZ_K_SET ? kind_of(a->type->elem) : AUTHZ_K_NONE;
		uint32_t slot;
		path[depth] = a->name;
		TRY(g, none, bw_attr(g->w, owner, path, depth + 1, k, elem, a->optional, &slot));
		if (k == AUTHZ_K_RECORD && a->type->record &&
		    declare_record(g, owner, a->type->record, path, depth + 1) < 0)
			return -1;
	}
	if (rec->open)
		TRY(g, none, bw_open(g->w, owner, path, depth));
	return 0;
}

static int declare_schema(struct cg *g)
{
	const struct schema *s = g->c->schema;
	struct span none = { 0 };
	const char *path[AUTHZ_MAX_DEPTH + 1];
	g->type_ids = arena_calloc(&g->c->arena, s->ntypes + 1, sizeof(uint32_t));
	g->action_ids = arena_calloc(&g->c->arena, s->nactions + 1, sizeof(uint32_t));
	for (size_t i = 0; i < s->ntypes; i++)
		TRY(g, none, bw_entity_type(g->w, s->types[i].name, &g->type_ids[s->types[i].index]));
	for (size_t i = 0; i < s->ntypes; i++)
		if (declare_record(g, g->type_ids[s->types[i].index], &s->types[i].attrs, path, 0) < 0)
			return -1;
	if (declare_record(g, BW_CONTEXT, &s->context, path, 0) < 0)
		return -1;
	for (size_t i = 0; i < s->nactions; i++) {
		const struct action_decl *a = &s->actions[i];
		uint32_t *p = arena_calloc(&g->c->arena, a->nprincipals + 1, sizeof(uint32_t));
		uint32_t *r = arena_calloc(&g->c->arena, a->nresources + 1, sizeof(uint32_t));
		for (size_t k = 0; k < a->nprincipals; k++)
			p[k] = g->type_ids[a->principals[k]->index];
		for (size_t k = 0; k < a->nresources; k++)
			r[k] = g->type_ids[a->resources[k]->index];
		TRY(g, none, bw_action(g->w, a->name, p, a->nprincipals, r, a->nresources,
				       &g->action_ids[a->index]));
	}
	return 0;
}

/* ---- constants ------------------------------------------------------------- */

/* The bundle constant of scalar or set `v` into *out. */
static int const_of(struct cg *g, struct span span, const struct value *v, uint32_t *out)
{
	switch (v->kind) {
	case VAL_BOOL:
		TRY(g, span, bw_const_int(g->w, AUTHZ_K_BOOL, v->u.b, out));
		return 0;
	case VAL_INT:
	case VAL_TIMESTAMP:
	case VAL_DURATION: {
		/* Three kinds with an int64 payload. */
		enum authz_kind k = v->kind == VAL_INT ? AUTHZ_K_INT
				  : v->kind == VAL_TIMESTAMP ? AUTHZ_K_TIMESTAMP : AUTHZ_K_DURATION;
		TRY(g, span, bw_const_int(g->w, k, v->u.i, out));
		return 0;
	}
	case VAL_STRING:
		TRY(g, span, bw_const_string(g->w, v->u.str.s, v->u.str.len, out));
		return 0;
	case VAL_IP:
		TRY(g, span, bw_const_ip(g->w, &v->u.ip, out));
		return 0;
	case VAL_SET: {
		uint32_t *items = arena_calloc(&g->c->arena, v->u.set.n + 1, sizeof(uint32_t));
		for (size_t i = 0; i < v->u.set.n; i++) {
			if (v->u.set.items[i].kind == VAL_SET || v->u.set.items[i].kind == VAL_RECORD)
				return cg_fail(g, span, "a set may only hold scalars");
			if (const_of(g, span, &v->u.set.items[i], &items[i]) < 0)
				return -1;
		}
		TRY(g, span, bw_const_set(g->w, items, v->u.set.n, out));
		return 0;
	}
	case VAL_RECORD:
		break;
	}
	return cg_fail(g, span, "a record is not a value");
}

/* ---- expressions ----------------------------------------------------------- */

static int emit(struct cg *g, struct span span, uint32_t ins)
{
	TRY(g, span, bw_emit(g->w, ins));
	return 0;
}

static int emit_op(struct cg *g, struct span span, enum authz_op op)
{
	return emit(g, span, AUTHZ_CREATE_N(op));
}

static int emit_value(struct cg *g, struct span span, const struct value *v)
{
	if (v->kind == VAL_BOOL)
		return emit_op(g, span, v->u.b ? AUTHZ_OP_TRUE : AUTHZ_OP_FALSE);
	uint32_t k;
	if (const_of(g, span, v, &k) < 0)
		return -1;
	if (k > AUTHZ_MAXARG_AX)
		return cg_fail(g, span, "too many constants");
	return emit(g, span, AUTHZ_CREATE_AX(AUTHZ_OP_CONST, k));
}

/*
 * The root and attribute path of an attribute chain `e` (EX_ATTR or the
 * base of EX_HAS) ending at principal, resource or context: fills
 * path[0..*depth) with the names from the root down.  -1 when `e` is not
 * such a chain.
 */
static int attr_path(const struct ast_expr *e, unsigned *root, const char **path, size_t *depth)
{
	const struct ast_expr *chain[AUTHZ_MAX_DEPTH + 1];
	size_t n = 0;
	while (e->kind == EX_ATTR && e->ref_kind == REF_NONE) {
		if (n > AUTHZ_MAX_DEPTH)
			return -1;
		chain[n++] = e;
		e = e->u.attr.base;
	}
	if (e->kind != EX_VAR)
		return -1;
	switch (e->u.var) {
	case VAR_PRINCIPAL: *root = AUTHZ_ROOT_PRINCIPAL; break;
	case VAR_RESOURCE: *root = AUTHZ_ROOT_RESOURCE; break;
	case VAR_CONTEXT: *root = AUTHZ_ROOT_CONTEXT; break;
	default: return -1;
	}
	for (size_t i = 0; i < n; i++)
		path[i] = chain[n - 1 - i]->u.attr.name;
	*depth = n;
	return 0;
}

static int slot_of(struct cg *g, unsigned root, const char **path, size_t depth, uint32_t *slot)
{
	if (depth == 0 || depth > AUTHZ_MAX_DEPTH)
		return AUTHZ_ENOTFOUND;
	return bw_slot(g->w, root == AUTHZ_ROOT_CONTEXT ? BW_NS_CONTEXT : BW_NS_ENTITY, path, depth, slot);
}

static const char *const time_parts[AUTHZ_TP_COUNT] = {
	[AUTHZ_TP_YEAR] = "year", [AUTHZ_TP_MONTH] = "month", [AUTHZ_TP_DAY] = "day",
	[AUTHZ_TP_HOUR] = "hour", [AUTHZ_TP_MINUTE] = "minute", [AUTHZ_TP_WEEKDAY] = "weekday",
};

static int compile_expr(struct cg *g, const struct ast_expr *e);

/* e.name: a timestamp accessor, an entity's id or an attribute read. */
static int compile_attr(struct cg *g, const struct ast_expr *e)
{
	const struct ast_expr *base = e->u.attr.base;
	const struct type *bt = base->type;
	if (bt && bt->kind == TY_TIMESTAMP) {
		for (unsigned p = 0; p < AUTHZ_TP_COUNT; p++)
			if (!strcmp(e->u.attr.name, time_parts[p])) {
				if (compile_expr(g, base) < 0)
					return -1;
				return emit(g, e->span, AUTHZ_CREATE_AX(AUTHZ_OP_TIME_PART, p));
			}
		return cg_fail(g, e->span, "unknown timestamp accessor");
	}
	if (bt && bt->kind == TY_ENTITY && !strcmp(e->u.attr.name, "id") && base->kind == EX_VAR &&
	    (base->u.var == VAR_PRINCIPAL || base->u.var == VAR_RESOURCE))
		return emit(g, e->span, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY_ID,
							base->u.var == VAR_PRINCIPAL ? 0 : 1, 0));
	const char *path[AUTHZ_MAX_DEPTH + 1];
	size_t depth;
	unsigned root;
	uint32_t slot;
	if (attr_path(e, &root, path, &depth) < 0)
		return cg_fail(g, e->span, "attribute read on an unsupported value");
	if (slot_of(g, root, path, depth, &slot) < 0)
		return cg_fail(g, e->span, "attribute not declared in the schema");
	return emit(g, e->span, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, root, slot));
}

/* e has name */
static int compile_has(struct cg *g, const struct ast_expr *e)
{
	const struct ast_expr *base = e->u.attr.base;
	if (base->type && base->type->kind == TY_ENTITY && !strcmp(e->u.attr.name, "id"))
		return emit_op(g, e->span, AUTHZ_OP_TRUE);
	const char *path[AUTHZ_MAX_DEPTH + 2];
	size_t depth;
	unsigned root;
	uint32_t slot;
	if (attr_path(base, &root, path, &depth) < 0 || depth >= AUTHZ_MAX_DEPTH)
		return cg_fail(g, e->span, "'has' on an unsupported value");
	path[depth++] = e->u.attr.name;
	int rc = slot_of(g, root, path, depth, &slot);
	if (rc == AUTHZ_ENOTFOUND)      /* no type declares it: never present */
		return emit_op(g, e->span, AUTHZ_OP_FALSE);
	if (rc < 0)
		return cg_fail(g, e->span, NULL);
	return emit(g, e->span, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, root, slot));
}

static int compile_call(struct cg *g, const struct ast_expr *e)
{
	const char *name = e->u.call.name;
	enum authz_op op;
	size_t want;
	if (!strcmp(name, "containsAll"))
		op = AUTHZ_OP_CONTAINS_ALL, want = 1;
	else if (!strcmp(name, "containsAny"))
		op = AUTHZ_OP_CONTAINS_ANY, want = 1;
	else if (!strcmp(name, "isEmpty"))
		op = AUTHZ_OP_IS_EMPTY, want = 0;
	else
		return cg_fail(g, e->span, "unknown method");
	if (e->u.call.nargs != want)
		return cg_fail(g, e->span, "wrong number of arguments");
	if (compile_expr(g, e->u.call.base) < 0)
		return -1;
	if (want && compile_expr(g, e->u.call.args[0]) < 0)
		return -1;
	return emit_op(g, e->span, op);
}

/* a and b / a or b: the left value stays on the stack when it settles. */
static int compile_logic(struct cg *g, const struct ast_expr *e, enum authz_op jump)
{
	uint32_t list = BW_NO_JUMP;
	if (compile_expr(g, e->u.bin.lhs) < 0)
		return -1;
	TRY(g, e->span, bw_jump(g->w, jump, &list));
	if (compile_expr(g, e->u.bin.rhs) < 0)
		return -1;
	TRY(g, e->span, bw_patch_here(g->w, list));
	return 0;
}

static int compile_binary(struct cg *g, const struct ast_expr *e)
{
	static const enum authz_op ops[] = {
		[BIN_EQ] = AUTHZ_OP_EQ, [BIN_NE] = AUTHZ_OP_NE, [BIN_LT] = AUTHZ_OP_LT,
		[BIN_LE] = AUTHZ_OP_LE, [BIN_GT] = AUTHZ_OP_GT, [BIN_GE] = AUTHZ_OP_GE,
		[BIN_IN] = AUTHZ_OP_IN, [BIN_ADD] = AUTHZ_OP_ADD, [BIN_SUB] = AUTHZ_OP_SUB,
		[BIN_MUL] = AUTHZ_OP_MUL,
	};
	switch (e->u.bin.op) {
	case BIN_AND:
		return compile_logic(g, e, AUTHZ_OP_JF);
	case BIN_OR:
		return compile_logic(g, e, AUTHZ_OP_JT);
	case BIN_EQ: case BIN_NE: case BIN_LT: case BIN_LE: case BIN_GT: case BIN_GE:
	case BIN_IN: case BIN_ADD: case BIN_SUB: case BIN_MUL:
		if (compile_expr(g, e->u.bin.lhs) < 0 || compile_expr(g, e->u.bin.rhs) < 0)
			return -1;
		return emit_op(g, e->span, ops[e->u.bin.op]);
	}
	return cg_fail(g, e->span, "unknown operator");
}

/* Push the value of `e` (checked, well typed). */
static int compile_expr(struct cg *g, const struct ast_expr *e)
{
	if (e->ref_kind != REF_NONE && e->ref)
		return emit_value(g, e->span, e->ref);
	switch (e->kind) {
	case EX_VAR:
		switch (e->u.var) {
		case VAR_PRINCIPAL:
			return emit(g, e->span, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 0, 0));
		case VAR_RESOURCE:
			return emit(g, e->span, AUTHZ_CREATE_AB(AUTHZ_OP_ENTITY, 1, 0));
		case VAR_ACTION:
			return emit_op(g, e->span, AUTHZ_OP_ACTION);
		case VAR_NOW:
			return emit_op(g, e->span, AUTHZ_OP_NOW);
		case VAR_CONTEXT:
			break;
		}
		return cg_fail(g, e->span, "the context record is not a value");
	case EX_ATTR:
		return compile_attr(g, e);
	case EX_HAS:
		return compile_has(g, e);
	case EX_CALL:
		return compile_call(g, e);
	case EX_LIKE: {
		const struct ast_expr *pat = e->u.bin.rhs;
		const struct value *v = pat->ref;
		uint32_t k;
		if (pat->ref_kind != REF_VALUE || !v || v->kind != VAL_STRING)
			return cg_fail(g, pat->span, "the pattern of 'like' is not a string literal");
		if (compile_expr(g, e->u.bin.lhs) < 0 || const_of(g, pat->span, v, &k) < 0)
			return -1;
		return emit(g, e->span, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, k));
	}
	case EX_NOT:
		if (compile_expr(g, e->u.un.operand) < 0)
			return -1;
		return emit_op(g, e->span, AUTHZ_OP_NOT);
	case EX_NEG:
		if (compile_expr(g, e->u.un.operand) < 0)
			return -1;
		return emit_op(g, e->span, AUTHZ_OP_NEG);
	case EX_BINARY:
		return compile_binary(g, e);
	case EX_BOOL: case EX_INT: case EX_STRING: case EX_DURATION: case EX_TIME: case EX_IP:
	case EX_SET: case EX_RECORD: case EX_NAME:
		break;
	}
	return cg_fail(g, e->span, "expression was not resolved by the checker");
}

/* ---- rules ----------------------------------------------------------------- */

static int file_of(struct cg *g, uint32_t src, uint32_t *out)
{
	struct span none = { 0 };
	if (src >= g->nfile_ids) {
		size_t n = (size_t)src + 1;
		g->file_ids = arena_grow(&g->c->arena, g->file_ids, g->nfile_ids, n, sizeof(uint32_t));
		for (size_t i = g->nfile_ids; i < n; i++)
			g->file_ids[i] = UINT32_MAX;
		g->nfile_ids = n;
	}
	if (g->file_ids[src] == UINT32_MAX) {
		struct src_file *f = srcset_file(&g->c->src, src);
		TRY(g, none, bw_file(g->w, f ? f->name : "?", &g->file_ids[src]));
	}
	*out = g->file_ids[src];
	return 0;
}

static void position(struct cg *g, struct span s, uint32_t *line, uint32_t *col)
{
	struct src_file *f = srcset_file(&g->c->src, s.file);
	*line = *col = 0;
	if (f)
		src_line_col(f, s.start, line, col);
}

static const uint32_t *map_types(struct cg *g, const struct entity_type **t, size_t n, bool any,
				 size_t *count)
{
	*count = any ? 0 : n;
	uint32_t *ids = arena_calloc(&g->c->arena, n + 1, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		ids[i] = g->type_ids[t[i]->index];
	return ids;
}

static int compile_guard(struct cg *g, const struct ast_guard *gd)
{
	const struct ast_expr *e = gd->expr;
	uint32_t file, line, col, index;
	if (file_of(g, e->span.file, &file) < 0)
		return -1;
	position(g, e->span, &line, &col);
	struct src_file *f = srcset_file(&g->c->src, e->span.file);
	const char *text = "";
	if (f && e->span.end <= f->len && e->span.start <= e->span.end)
		text = arena_strndup(&g->c->arena, f->text + e->span.start, e->span.end - e->span.start);
	TRY(g, e->span, bw_guard(g->w, file, line, col, text, &index));
	if (compile_expr(g, e) < 0)
		return -1;
	return emit(g, e->span, AUTHZ_CREATE_AX(gd->is_unless ? AUTHZ_OP_UNLESS : AUTHZ_OP_WHEN, index));
}

/* Rule cr as rule `id` of the bundle, leaving out guard `skip` (SIZE_MAX:
 * none) and, with a skip, the annotations. */
static int compile_rule(struct cg *g, const struct checked_rule *cr, const char *id, size_t skip)
{
	const struct ast_rule *r = cr->rule;
	struct bw_rule_desc d = { 0 };
	g->rule = cr;
	d.id = id;
	d.effect = cr->effect == EFFECT_FORBID ? AUTHZ_FORBID : AUTHZ_PERMIT;
	d.has_expires = cr->has_expires;
	d.expires_ms = cr->expires_ms;
	d.principal_types = map_types(g, cr->principals, cr->nprincipals, cr->principal_any,
				      &d.nprincipal_types);
	d.resource_types = map_types(g, cr->resources, cr->nresources, cr->resource_any,
				     &d.nresource_types);
	uint32_t *acts = arena_calloc(&g->c->arena, cr->nactions + 1, sizeof(uint32_t));
	for (size_t i = 0; i < cr->nactions; i++)
		acts[i] = g->action_ids[cr->actions[i]->index];
	d.actions = acts;
	d.nactions = cr->action_any ? 0 : cr->nactions;
	if (file_of(g, r->span.file, &d.file) < 0)
		return -1;
	position(g, r->effect_span, &d.line, &d.col);
	uint32_t index;
	TRY(g, r->name_span, bw_rule_begin(g->w, &d, &index));
	for (size_t i = 0; skip == SIZE_MAX && i < r->nannotations; i++)
		TRY(g, r->annotations[i].span,
		    bw_annotation(g->w, r->annotations[i].name, r->annotations[i].value));
	for (size_t i = 0; i < cr->nguards; i++)
		if (i != skip && compile_guard(g, &cr->guards[i]) < 0)
			return -1;
	TRY(g, r->name_span, bw_emit(g->w, AUTHZ_CREATE_N(AUTHZ_OP_APPLY)));
	TRY(g, r->name_span, bw_rule_end(g->w));
	g->rule = NULL;
	return 0;
}

enum cg_mode { CG_RULES, CG_PROBES, CG_ASSERTS };

/* The rules of the bundle: every rule (CG_RULES), every probe rule of
 * codegen_probe_bundle (CG_PROBES), or every assertion's condition rule of
 * codegen_assert_bundle (CG_ASSERTS). */
static int compile_rules(struct cg *g, enum cg_mode mode)
{
	const struct checked *ck = g->c->checked;
	int rc = 0;
	bool probe = mode == CG_PROBES;
	if (mode == CG_ASSERTS) {
		for (size_t i = 0; rc == 0 && i < ck->nasserts; i++)
			if (ck->asserts[i].ok)
				rc = compile_rule(g, &ck->asserts[i].cond,
						  arena_printf(&g->c->arena, CODEGEN_ASSERT_PREFIX "%zu", i), SIZE_MAX);
		return rc;
	}
	for (size_t i = 0; rc == 0 && i < ck->nrules; i++) {
		const struct checked_rule *cr = &ck->rules[i];
		if (!probe)
			rc = compile_rule(g, cr, cr->id, SIZE_MAX);
		else if (cr->effect == EFFECT_FORBID)
			for (size_t k = 0; rc == 0 && k < cr->nguards; k++)
				rc = compile_rule(g, cr, arena_printf(&g->c->arena, "%s" CODEGEN_PROBE_SEP "%zu",
								      cr->id, k), k);
	}
	return rc;
}

static size_t generate(struct compilation *c, const char *revision, enum cg_mode probe, uint8_t **buf,
		       size_t *len)
{
	struct cg g = { .c = c };
	struct span none = { 0 };
	*buf = NULL;
	*len = 0;
	if (!c->checked || !c->schema) {
		diag_file(&c->diags, E_LIMIT, UINT32_MAX, "nothing to compile: the policy set was not checked");
		return 1;
	}
	if (bw_new(&g.w) < 0) {
		diag_file(&c->diags, E_LIMIT, UINT32_MAX, "out of memory");
		return 1;
	}
	int rc = declare_schema(&g);
	if (rc == 0)
		rc = compile_rules(&g, probe);
	if (rc == 0 && bw_set_revision(g.w, revision ? revision : "") < 0)
		rc = cg_fail(&g, none, NULL);
	if (rc == 0 && bw_finish(g.w, buf, len) < 0) {
		/* The writer verifies its own output: a failure here is a limit
		 * (stack depth, size) of the whole bundle. */
		diag_file(&c->diags, E_LIMIT, UINT32_MAX, "cannot write the bundle: %s", bw_error(g.w));
		g.errors++;
		*buf = NULL;
		*len = 0;
	}
	bw_free(g.w);
	return g.errors;
}

size_t codegen_bundle(struct compilation *c, const char *revision, uint8_t **buf, size_t *len)
{
	return generate(c, revision, CG_RULES, buf, len);
}

size_t codegen_probe_bundle(struct compilation *c, uint8_t **buf, size_t *len)
{
	return generate(c, "", CG_PROBES, buf, len);
}

size_t codegen_assert_bundle(struct compilation *c, uint8_t **buf, size_t *len)
{
	return generate(c, "", CG_ASSERTS, buf, len);
}

/* bw_signer: Ed25519 through compiler/evidence. */
static void sign_with(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	ev_sign(ctx, msg, len, sig);
}

int codegen_sign(const uint8_t *in, size_t len, const struct ev_sec *k, uint8_t **out, size_t *outlen,
		 char *err, size_t errsz)
{
	authz_error e;
	if (bw_sign(in, len, k->pub.pk, sign_with, (void *)k, out, outlen, &e) < 0) {
		snprintf(err, errsz, "%s", e.message);
		return -1;
	}
	return 0;
}
