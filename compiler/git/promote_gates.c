/*
 * promote_gates.c: the gates in force for a move, read from authzc.json
 * at one commit (promote.h): never from the commit being promoted, unless
 * it is the environment's first version.
 */
#include <string.h>

#include "config.h"
#include "promote.h"

int promote_gates_load(struct gitx *g, const git_oid *commit, const char *env, struct promote_gates *out)
{
	struct compilation c;
	struct gitx_tree gt = { 0 };
	struct source_tree st;
	git_commit *cm = NULL;
	int code = 0, error;
	memset(out, 0, sizeof *out);
	ev_keyring_init(&out->keys);
	git_oid_tostr(out->from, sizeof out->from, commit);
	compilation_init(&c);
	if ((error = git_commit_lookup(&cm, g->repo, commit)) < 0)
		code = gitx_fail(g, error, "cannot read %.7s, whose gates apply", out->from);
	else if (gitx_tree_open(g, cm, &gt, &st) < 0)
		code = -1;
	else if (project_load_config(&c, &st) > 0)
		code = gitx_fail_plain(g, -1, "invalid %s at %.7s, whose gates apply", CONFIG_FILE_NAME,
				       out->from);
	else {
		const struct project_config *cfg = &c.config;
		out->min = cfg->min_guard_coverage;
		out->refuse_untested = cfg->refuse_untested_loosening;
		for (size_t i = 0; i < cfg->ntrusted_keys && code == 0; i++) {
			if (ev_keyring_add(&out->keys, &cfg->trusted_keys[i].pub, cfg->trusted_keys[i].roles) < 0)
				code = gitx_fail_plain(g, -1, "out of memory");
			if (cfg->trusted_keys[i].roles & EV_ROLE_PROMOTE)
				out->has_promote_keys = true;
		}
		for (size_t i = 0; i < cfg->nenv_gates; i++)
			if (!strcmp(cfg->env_gates[i].env, env)) {
				out->approvals = cfg->env_gates[i].approvals;
				out->require_ticket = cfg->env_gates[i].require_ticket;
				out->has_soak = cfg->env_gates[i].has_soak;
				out->min_soak_ms = cfg->env_gates[i].min_soak_ms;
			}
	}
	gitx_tree_free(&gt);
	git_commit_free(cm);
	compilation_release(&c);
	return code;
}

void promote_gates_free(struct promote_gates *gt)
{
	ev_keyring_free(&gt->keys);
}
