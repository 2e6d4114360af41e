/*
 * cmd_approve.c: `authzc approve ENV`: a signed approval of a commit for
 * an environment, stored in git for the approvals gate of `promote`
 * (authzc-approve(1), approval.h).
 */
#include <stdio.h>
#include <string.h>

#include "approval.h"
#include "cli.h"
#include "keys.h"

static void approve_usage(FILE *out)
{
	fputs("usage: authzc approve [--from REV|ENV] --key KEYFILE [--ticket ID] ENV\n"
	      "\n"
	      "Sign an approval of a commit for environment ENV with an approve key and\n"
	      "store it under refs/authzc/approvals/ENV/COMMIT/KEYID, where 'promote ENV'\n"
	      "counts it against gates.environments.ENV.approvals.  An approval is never\n"
	      "replaced.  Push it with: git push origin 'refs/authzc/*:refs/authzc/*'\n"
	      "\n"
	      "options:\n"
	      "  --from REV|ENV   the commit to approve (default: what 'promote ENV' would\n"
	      "                   take: the previous environment's commit, or HEAD)\n"
	      "  --key KEYFILE    the approver's secret key (authzc keygen)\n"
	      "  --ticket ID      the change ticket the approval is for\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 approved, 2 usage trouble, a bad key, an unknown environment,\n"
	      "an approval already there or repository trouble\n", out);
}

int cmd_approve(int argc, char **argv)
{
	const char *dir = NULL, *from = NULL, *keyfile = NULL, *ticket = NULL;
	const struct opt opts[] = {
		OPT_VALUE(0, "from", &from),
		OPT_VALUE(0, "key", &keyfile),
		OPT_VALUE(0, "ticket", &ticket),
		OPT_END,
	};
	struct opt_result r;
	int code = cli_parse(&r, argc, argv, opts, 1, approve_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (r.noperands != 1)
		return cli_usage_error("approve", "which environment? (authzc approve ENV --key KEYFILE)");
	if (!keyfile)
		return cli_usage_error("approve", "give the approver's key (--key KEYFILE)");
	if (ticket && !*ticket)
		return cli_usage_error("approve", "'--ticket' needs a ticket id");
	if ((code = cli_chdir(dir)) != EXIT_OK)
		return code;
	const char *env = r.operands[0];
	char err[512];
	struct ev_sec key;
	if (ev_init(err, sizeof err) < 0 || ev_sec_load(keyfile, &key, err, sizeof err) < 0)
		return cli_error("approve: %s", err);
	struct gitx g;
	struct arena a = ARENA_INIT;
	git_commit *c = NULL;
	const char *ref;
	if ((code = cli_open_repo(&g)) != EXIT_OK)
		goto done;
	int idx = gitx_env_find(&g, env);
	if (idx < 0) {
		code = cli_error("%s", g.msg);
		goto done;
	}
	const char *spec = from ? from : idx > 0 ? g.cfg.config.environments[idx - 1] : "HEAD";
	if (gitx_resolve(&c, &g, spec) < 0 ||
	    approval_write(&g, &a, env, git_commit_id(c), &key, ticket, g.cfg.now_ms, &ref) < 0) {
		code = cli_error("%s", g.msg);
		goto done;
	}
	/* judged at promote, against the keys of what the environment runs;
	 * the working tree's keys are a hint worth giving now */
	const struct ev_trusted *t = NULL;
	for (size_t i = 0; i < g.cfg.config.ntrusted_keys && !t; i++)
		if (!strcmp(g.cfg.config.trusted_keys[i].pub.id, key.pub.id))
			t = &g.cfg.config.trusted_keys[i];
	if (!t || !(t->roles & EV_ROLE_APPROVE))
		fprintf(stderr, "authzc: warning: key %s (%s) is not trusted with the 'approve' role in this "
			"authzc.json; 'promote %s' counts only approvals by keys that the authzc.json of what "
			"'%s' runs trusts\n", key.pub.id, key.pub.name, env, env);
	char s[8];
	printf("approved %s for '%s' as %s (%s)%s%s\nstored as %s\n", gitx_short(git_commit_id(c), s), env,
	       key.pub.name, key.pub.id, ticket ? ", ticket " : "", ticket ? ticket : "", ref);
	code = EXIT_OK;
done:
	ev_sec_wipe(&key);
	git_commit_free(c);
	arena_free(&a);
	gitx_close(&g);
	return code;
}
