/*
 * cli_trust.c: --trust PUBFILE (eval, serve, inspect): the public keys a
 * bundle must be signed by, read with compiler/evidence and handed to
 * libauthz as authz_load_options (authz(3)).
 *
 * A --trust file is a bundle key by definition: the command line says
 * what this process trusts to sign the policies it decides with.  The
 * project's trusted_keys are not used here: authzc.json lives next to the
 * policies, so whoever can change the policies could change the keys too.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_trust.h"

int cli_trust_load(struct cli_trust *t, const char *cmd, const struct opt_list *files)
{
	memset(t, 0, sizeof *t);
	ev_keyring_init(&t->ring);
	if (files->n > files->cap)
		return cli_usage_error(cmd, "more than %zu --trust keys", files->cap);
	if (!files->n)
		return EXIT_OK;
	char err[256];
	if (ev_init(err, sizeof err) != 0)
		return cli_error("%s", err);
	if (!(t->keys = calloc(files->n, sizeof *t->keys)))
		return cli_error("out of memory");
	for (size_t i = 0; i < files->n; i++) {
		struct ev_pub pub;
		if (ev_pub_load(files->v[i], &pub, err, sizeof err) != 0) {
			cli_trust_release(t);
			return cli_error("--trust %s: %s", files->v[i], err);
		}
		if (ev_keyring_add(&t->ring, &pub, EV_ROLE_BUNDLE) != 0) {
			cli_trust_release(t);
			return cli_error("out of memory");
		}
		memcpy(t->keys[i].key, pub.pk, sizeof t->keys[i].key);
	}
	t->opts.trusted_keys = t->keys;
	t->opts.ntrusted_keys = files->n;
	return EXIT_OK;
}

void cli_trust_release(struct cli_trust *t)
{
	free(t->keys);
	t->keys = NULL;
	t->opts.trusted_keys = NULL;
	t->opts.ntrusted_keys = 0;
	ev_keyring_free(&t->ring);
}

const authz_load_options *cli_trust_opts(const struct cli_trust *t)
{
	return t->opts.ntrusted_keys ? &t->opts : NULL;
}
