/*
 * cli_trust.h: --trust PUBFILE, the bundle keys of eval, serve and inspect,
 * and the auditor's keys of log --verify (cli_trust.c).
 */
#ifndef AUTHZC_CLI_TRUST_H
#define AUTHZC_CLI_TRUST_H

#include "authz.h"
#include "keyring.h"
#include "opt.h"

/* The most --trust options one command takes. */
#define CLI_MAX_TRUST 64

struct cli_trust {
	struct ev_keyring ring;         /* the keys, with their names */
	authz_public_key *keys;         /* the same, for libauthz */
	authz_load_options opts;
};

/* Read each file of `files` (NAME.pub, authzc-keygen(1)) into t, trusted
 * for the bundle role.  EXIT_OK, or EXIT_TROUBLE printed (naming the file
 * and what is wrong with it); t is then empty.  Release t either way. */
int cli_trust_load(struct cli_trust *t, const char *cmd, const struct opt_list *files);
void cli_trust_release(struct cli_trust *t);
/* The load options of t: NULL when no key was given. */
const authz_load_options *cli_trust_opts(const struct cli_trust *t);

#endif
