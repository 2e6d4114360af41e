/*
 * keys.h: Ed25519 key pairs for evidence (authzc-keygen(1)): bundle
 * signatures, approvals, promotion records and decision-log checkpoints.
 *
 * All cryptography is libsodium's (crypto_sign_*, crypto_generichash);
 * nothing here is hand-written but the two text formats:
 *
 *   NAME.pub  one line:  authzc-ed25519 KEYID PUBLIC NAME
 *   NAME.key  one line:  authzc-ed25519-secret KEYID SEED NAME
 *
 * KEYID is 16 lowercase hex digits, the first 8 bytes of BLAKE2b-128 of
 * "authzc key id\0" followed by the 32-byte public key; PUBLIC and SEED are
 * the 32-byte public key and secret seed in standard base64 with padding;
 * NAME is 1 to 64 characters of [A-Za-z0-9._@-].  A line may end with
 * "\n" or "\r\n"; nothing else may follow.  A secret key file must not be
 * readable by group or others (as ssh refuses an unprotected key).
 *
 * Functions return 0, or -1 with a message in err[0..errsz) (what is wrong
 * and what to do); none prints.
 */
#ifndef AUTHZC_KEYS_H
#define AUTHZC_KEYS_H

#include <stddef.h>

#define EV_PK_BYTES    32
#define EV_SK_BYTES    64
#define EV_SEED_BYTES  32
#define EV_SIG_BYTES   64
#define EV_KEYID_CHARS 16
#define EV_NAME_MAX    64
/* A public key line: tag, id, 44 base64 characters, name, separators. */
#define EV_PUB_LINE_MAX 160

struct ev_pub {
	char id[EV_KEYID_CHARS + 1];
	char name[EV_NAME_MAX + 1];
	unsigned char pk[EV_PK_BYTES];
};

struct ev_sec {
	struct ev_pub pub;
	unsigned char sk[EV_SK_BYTES];
};

/* Start libsodium (idempotent); -1 if it cannot start. */
int ev_init(char *err, size_t errsz);

/* Whether `name` is a valid key name (see above). */
int ev_name_ok(const char *name);

/* The key id of a public key, as 16 hex digits and a NUL. */
void ev_key_id(const unsigned char pk[EV_PK_BYTES], char id[EV_KEYID_CHARS + 1]);

/*
 * Generate a key pair named `name` and write DIR/NAME.key (mode 0600,
 * created with O_EXCL) and DIR/NAME.pub (0644).  Refuses when either file
 * exists, and leaves neither behind on failure.  The public half goes to
 * *out when out is not NULL.
 */
int ev_keygen(const char *dir, const char *name, struct ev_pub *out, char *err, size_t errsz);

/* Parse one public key line (text[0..len), an optional line end). */
int ev_pub_parse(const char *text, size_t len, struct ev_pub *out, char *err, size_t errsz);

/* Write the public key line of `k`, with its "\n", into buf (at least
 * EV_PUB_LINE_MAX bytes). */
void ev_pub_format(const struct ev_pub *k, char *buf, size_t bufsz);

/* Read a NAME.pub file. */
int ev_pub_load(const char *path, struct ev_pub *out, char *err, size_t errsz);

/* Read a NAME.key file: refused when group or others may read it, or when
 * its key id does not match the key its seed makes. */
int ev_sec_load(const char *path, struct ev_sec *out, char *err, size_t errsz);

/* Overwrite the secret in *k (sodium_memzero). */
void ev_sec_wipe(struct ev_sec *k);

/* Sign msg[0..len) (detached Ed25519). */
void ev_sign(const struct ev_sec *k, const void *msg, size_t len, unsigned char sig[EV_SIG_BYTES]);

/* 0 when sig is k's signature of msg[0..len), -1 otherwise. */
int ev_verify(const struct ev_pub *k, const void *msg, size_t len, const unsigned char sig[EV_SIG_BYTES]);

/* Base64 (standard, padded) of a signature: 88 characters and a NUL. */
#define EV_SIG_B64_CHARS 88
void ev_sig_to_b64(const unsigned char sig[EV_SIG_BYTES], char out[EV_SIG_B64_CHARS + 1]);
/* Parse it back; -1 unless it is exactly one padded base64 signature. */
int ev_sig_from_b64(const char *b64, size_t len, unsigned char sig[EV_SIG_BYTES]);

/* "sha256:" and the 64 lowercase hex digits of SHA-256 of msg[0..len)
 * (promotion record chains). */
#define EV_SHA256_TEXT 72
void ev_sha256_text(const void *msg, size_t len, char out[EV_SHA256_TEXT]);

#endif
