/*
 * keyring.c: trusted public keys and their roles (keyring.h).
 */
#include "keyring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = { "bundle", "promote", "approve", "log" };
#define NROLES (sizeof role_names / sizeof role_names[0])

unsigned ev_role_parse(const char *name)
{
	for (size_t i = 0; i < NROLES; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *ev_role_name(unsigned role)
{
	for (size_t i = 0; i < NROLES; i++)
		if (role == 1u << i)
			return role_names[i];
	return "?";
}

void ev_roles_text(unsigned roles, char *buf, size_t bufsz)
{
	size_t o = 0;
	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < NROLES; i++) {
		if (!(roles & (1u << i)))
			continue;
		int w = snprintf(buf + o, bufsz - o, "%s%s", o ? ", " : "", role_names[i]);
		if (w < 0 || (size_t)w >= bufsz - o)
			return;
		o += (size_t)w;
	}
}

void ev_keyring_init(struct ev_keyring *kr)
{
	kr->keys = NULL;
	kr->n = kr->cap = 0;
}

void ev_keyring_free(struct ev_keyring *kr)
{
	free(kr->keys);
	ev_keyring_init(kr);
}

int ev_keyring_add(struct ev_keyring *kr, const struct ev_pub *k, unsigned roles)
{
	for (size_t i = 0; i < kr->n; i++) {
		if (strcmp(kr->keys[i].pub.id, k->id) == 0) {
			kr->keys[i].roles |= roles;
			return 0;
		}
	}
	if (kr->n == kr->cap) {
		size_t cap = kr->cap ? kr->cap * 2 : 4;
		struct ev_trusted *nk = realloc(kr->keys, cap * sizeof *nk);
		if (nk == NULL)
			return -1;
		kr->keys = nk;
		kr->cap = cap;
	}
	kr->keys[kr->n].pub = *k;
	kr->keys[kr->n].roles = roles;
	kr->n++;
	return 0;
}

const struct ev_trusted *ev_keyring_find(const struct ev_keyring *kr, const char *id)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->keys[i].pub.id, id) == 0)
			return &kr->keys[i];
	return NULL;
}

const struct ev_trusted *ev_keyring_find_role(const struct ev_keyring *kr, const char *id, unsigned role)
{
	const struct ev_trusted *t = ev_keyring_find(kr, id);
	return t != NULL && (t->roles & role) == role ? t : NULL;
}
