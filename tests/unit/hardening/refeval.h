/*
 * refeval.h: a reference evaluator for the differential test
 * (test_differential.c), written from authzc-policy(5), EXPRESSIONS and EVALUATION, alone.
 *
 * It walks the checked AST of one rule (ast.h; only e->type is used from
 * the checker, to tell a timestamp accessor from an attribute) against a
 * request in its own simple model, with its own value representation,
 * arithmetic, set, like, ip and calendar code.  It shares nothing with
 * compiler/lang/codegen.c or runtime/, so agreement means something.  It covers
 * the schema of test_differential.c (one principal type, one resource
 * type, the context below), not every schema.
 */
#ifndef AUTHZC_TEST_REFEVAL_H
#define AUTHZC_TEST_REFEVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

#define REF_MAX_SET 4

struct ref_entity {
	const char *type;
	const char *id;
	int64_t level;
	const char *name;
	const char *tags[REF_MAX_SET];
	int ntags;
	int64_t nums[REF_MAX_SET];
	int nnums;
	bool flag;
	int64_t born, ttl;      /* ms */
	uint8_t home[4];
	bool has_opt;
	int64_t opt;
};

struct ref_request {
	struct ref_entity p, r;
	const char *action;
	int64_t n;
	const char *s;
	int64_t t, d;
	uint8_t ip[4];
	bool has_o;
	const char *o;
	int64_t now;            /* ms since the epoch */
};

enum ref_outcome { REF_NOT_APPLIED, REF_APPLIED, REF_ERROR };

/* The outcome of `rule` on `req` (scope, when clauses in order, then
 * unless clauses in order, stopping at the first that settles it). */
enum ref_outcome refeval_rule(const struct ast_rule *rule, const struct ref_request *req);

/* 1 when `s` matches glob `pat` ('*' any run, '\*' a star). */
int refeval_like(const char *s, size_t n, const char *pat, size_t m);

#endif
