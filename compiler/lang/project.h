/*
 * project.h: a compilation of one project: its authzc.json, schema, policy
 * and test files, wherever they come from.
 *
 * Files are read through a struct source_tree, so the same code compiles the
 * working tree (source_tree_fs) or a commit's tree read with libgit2 (the
 * diff and promote commands).  The driver runs the phases in order and stops
 * between phases when one reports errors (jq's compile driver does the same):
 *
 *   project_load_config  authzc.json (defaults when absent)
 *   project_load_sources schema + every .authz file, sorted by path
 *   compilation_parse    flex/bison into ast_file
 *   compilation_check    schema types, names, guards, tests (checker.h)
 */
#ifndef AUTHZC_PROJECT_H
#define AUTHZC_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "keyring.h"
#include "schema.h"
#include "source.h"

/*
 * serve.gateway in authzc.json (authzc-serve(1), GATEWAY): where each part
 * of a decision request comes from when `authzc serve` answers a gateway's
 * forwarded request (NGINX auth_request, Envoy ext_authz).  A source is a
 * literal text, a header's value, a path segment or the method.
 */
enum gw_kind {
	GW_NONE,                        /* not given */
	GW_LITERAL,                     /* "Dataset": the text itself */
	GW_HEADER,                      /* "header:X-User": that header's value */
	GW_SEGMENT,                     /* "segment:2": path segment 2 (from 1) */
	GW_METHOD,                      /* "method": the forwarded method */
};

struct gw_source {
	enum gw_kind kind;
	char *text;                     /* the literal or the header name */
	unsigned segment;
};

/* A key and its source: an attribute and where its value comes from, or a
 * method and its action (a literal). */
struct gw_pair {
	char *key;
	struct gw_source src;
};

enum gw_root { GW_PRINCIPAL, GW_RESOURCE, GW_CONTEXT, GW_NROOTS };

struct gw_config {
	char *method_header;            /* "X-Original-Method" */
	char *path_header;              /* "X-Original-URI" */
	struct gw_source principal_type, principal_id;
	struct gw_source action;        /* GW_NONE: by method, from `methods` */
	struct gw_pair *methods;        /* "GET": "read"; "*" for any other */
	size_t nmethods;
	struct gw_source resource_type, resource_id;
	struct gw_pair *attrs[GW_NROOTS];       /* principal, resource, context */
	size_t nattrs[GW_NROOTS];
};

/* gates.environments.<env> (authzc(1), "authzc.json"; authzc-promote(1)). */
struct env_gates {
	char *env;                      /* the environment */
	char *path;                     /* its JSON path, for later checks */
	unsigned approvals;             /* distinct approvers needed, 0 */
	bool require_ticket;            /* promote needs --ticket */
	bool has_soak;
	int64_t min_soak_ms;            /* time in the previous environment */
};

struct project_config {
	char *schema;                   /* "schema.json" */
	char **policies;                /* ["policies"]: folders or files */
	size_t npolicies;
	char **tests;                   /* ["tests"] */
	size_t ntests;
	bool tests_given;               /* "tests" was set in authzc.json: then a
					 * missing test folder is an error */
	char **environments;            /* ["dev", "staging", "prod"] */
	size_t nenvironments;
	char *env_ref_prefix;           /* "refs/heads/env/" */
	double min_guard_coverage;      /* gates.min_guard_coverage, 100 */
	bool refuse_untested_loosening; /* gates.untested_loosening: "refuse" (true)
					 * or "allow" (false, the default) */
	struct gw_config *gateway;      /* serve.gateway; NULL when not given */
	struct ev_trusted *trusted_keys;/* trusted_keys, each key once with the
					 * union of its roles (keyring.h) */
	size_t ntrusted_keys;
	struct env_gates *env_gates;    /* gates.environments, one per env */
	size_t nenv_gates;
	bool has_file;                  /* authzc.json existed */
	uint32_t file;                  /* its srcset id when has_file */
};

/* Where a project's files come from. Paths are relative to the project
 * root, '/'-separated, without "./". */
struct source_tree {
	void *payload;
	/* Read a file into a malloc'd buffer (caller frees). 0, or -1 with
	 * errno: ENOENT, EISDIR, EFBIG (over SRC_MAX_BYTES), EIO. */
	int (*read_file)(void *payload, const char *path, char **buf, size_t *len);
	/* Call fn for each entry of a folder ("" is the root), in any order.
	 * 0, or -1 with errno (ENOENT, ENOTDIR). fn returning non-zero stops. */
	int (*list_dir)(void *payload, const char *path,
			int (*fn)(const char *name, bool is_dir, void *arg), void *arg);
};

/* A source_tree over a folder on disk; `root` must outlive the tree. */
void source_tree_fs(struct source_tree *t, const char *root);

struct checked;                         /* checker.h */

struct compilation {
	struct arena arena;
	struct srcset src;
	struct diag_list diags;
	struct project_config config;
	char *root;                     /* project root as given (display) */
	struct schema *schema;
	uint32_t schema_file;
	bool has_schema;
	struct ast_file **files;        /* policy and test files, by path */
	size_t nfiles;
	uint32_t *file_ids;             /* srcset ids of files not yet parsed */
	size_t nfile_ids;
	struct checked *checked;        /* set by compilation_check */
	/* The files are the whole project's (project_load_sources read them),
	 * not a chosen few: the checker then also reports what the project
	 * as a whole lacks (W0503, no tests). */
	bool whole_project;
	/* The checker's clock (ms since the epoch, UTC) for `@expires`
	 * warnings: the current time, or $AUTHZC_NOW (RFC 3339) so tests are
	 * reproducible.  Set by compilation_init. */
	int64_t now_ms;
};

void compilation_init(struct compilation *c);
/* Free everything the compilation owns (one arena). */
void compilation_release(struct compilation *c);

/* Nearest folder, from `start` upwards, holding authzc.json.  Returns 0 and a
 * malloc'd path in *out; 1 and a copy of `start` when there is none; -1 on
 * error (errno). */
int project_find_root(const char *start, char **out);

/* Start a compilation of the project around the current folder: find its
 * root (project_find_root), compilation_init(c) with c->root set, and point
 * *tree at that root on disk.  0, or -1 with errno (c is then untouched). */
int project_open(struct compilation *c, struct source_tree *tree);

/* Read and validate authzc.json from the tree root (defaults when absent).
 * Unknown keys are errors with the closest known key suggested.  Returns the
 * number of errors added. */
size_t project_load_config(struct compilation *c, struct source_tree *t);

/* Read the schema and every *.authz file under the configured policy and
 * test paths (recursively, sorted by path; *_test.authz files are tests
 * wherever they are).  Missing paths are errors.  Returns errors added. */
size_t project_load_sources(struct compilation *c, struct source_tree *t);

/* Read and load only the schema (check with explicit files).  A missing
 * schema is E0011.  Returns errors added. */
size_t project_load_schema(struct compilation *c, struct source_tree *t);

/* Add one source file (from disk or memory) to be parsed. */
void project_add_source(struct compilation *c, const char *name, const char *text, size_t len);

/* Parse every added file. Returns errors added. */
size_t compilation_parse(struct compilation *c);

/* Type-check the parsed files against the schema (checker.h).  Returns
 * errors added. */
size_t compilation_check(struct compilation *c);

/* load config + sources + parse + check, stopping after a phase with
 * errors. Returns the total number of errors. */
size_t compilation_run(struct compilation *c, struct source_tree *t);

#endif
