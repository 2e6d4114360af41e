/*
 * keyring.h: the trusted public keys of a project (authzc.json
 * "trusted_keys", authzc(1)) or of a command line (--trust), each with the
 * roles it is trusted for.
 *
 * A key is trusted for what its roles say and nothing else: a "bundle" key
 * cannot approve, an "approve" key cannot sign bundles.  The same key
 * listed twice has the union of its roles.
 */
#ifndef AUTHZC_KEYRING_H
#define AUTHZC_KEYRING_H

#include <stddef.h>

#include "keys.h"

enum ev_role {
	EV_ROLE_BUNDLE = 1u << 0,  /* signs bundles (compile --sign) */
	EV_ROLE_PROMOTE = 1u << 1, /* signs promotion records */
	EV_ROLE_APPROVE = 1u << 2, /* signs approvals (authzc approve) */
	EV_ROLE_LOG = 1u << 3,     /* signs decision-log checkpoints */
};
#define EV_ROLE_ALL (EV_ROLE_BUNDLE | EV_ROLE_PROMOTE | EV_ROLE_APPROVE | EV_ROLE_LOG)

/* The role named `name` ("bundle", "promote", "approve", "log"), or 0. */
unsigned ev_role_parse(const char *name);
/* The name of one role bit. */
const char *ev_role_name(unsigned role);
/* "bundle, approve": the names of a set of roles, into buf. */
void ev_roles_text(unsigned roles, char *buf, size_t bufsz);

struct ev_trusted {
	struct ev_pub pub;
	unsigned roles;
};

struct ev_keyring {
	struct ev_trusted *keys;
	size_t n, cap;
};

void ev_keyring_init(struct ev_keyring *kr);
void ev_keyring_free(struct ev_keyring *kr);

/* Add `k` with `roles`; a key already there gains the roles.  -1 only when
 * out of memory. */
int ev_keyring_add(struct ev_keyring *kr, const struct ev_pub *k, unsigned roles);

/* The key with id `id`, or NULL. */
const struct ev_trusted *ev_keyring_find(const struct ev_keyring *kr, const char *id);

/* The key with id `id` when it has every bit of `role`, or NULL. */
const struct ev_trusted *ev_keyring_find_role(const struct ev_keyring *kr, const char *id, unsigned role);

#endif
