/*
 * record_seal.c: the signature of a promotion record (promote.h,
 * record_seal): what bytes it covers, and adding it.
 */
#include <stdlib.h>
#include <string.h>

#include "promote.h"

#define DOMAIN "authzc promotion record v1"

unsigned char *record_signed_bytes(const cJSON *rec, size_t *len)
{
	cJSON *copy = cJSON_Duplicate(rec, 1);
	if (!copy)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "signature");
	char *body = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	if (!body)
		return NULL;
	size_t d = sizeof DOMAIN, b = strlen(body);
	unsigned char *m = malloc(d + b);
	if (m) {
		memcpy(m, DOMAIN, d);   /* with its NUL */
		memcpy(m + d, body, b);
		*len = d + b;
	}
	free(body);
	return m;
}

char *record_seal(cJSON *rec, const struct ev_sec *k)
{
	if (!k) {
		cJSON_AddNullToObject(rec, "signature");
		return cJSON_Print(rec);
	}
	size_t len;
	unsigned char *m = record_signed_bytes(rec, &len);
	if (!m)
		return NULL;
	unsigned char sig[EV_SIG_BYTES];
	char b64[EV_SIG_B64_CHARS + 1];
	ev_sign(k, m, len, sig);
	free(m);
	ev_sig_to_b64(sig, b64);
	cJSON *s = cJSON_AddObjectToObject(rec, "signature");
	cJSON_AddStringToObject(s, "key", k->pub.id);
	cJSON_AddStringToObject(s, "name", k->pub.name);
	cJSON_AddStringToObject(s, "sig", b64);
	return cJSON_Print(rec);
}
