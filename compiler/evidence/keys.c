/*
 * keys.c: Ed25519 key pairs and their text forms (keys.h).
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"

#define PUB_TAG "authzc-ed25519"
#define SEC_TAG "authzc-ed25519-secret"
#define KEY_B64_CHARS 44 /* 32 bytes, padded */
#define B64 sodium_base64_VARIANT_ORIGINAL

int ev_init(char *err, size_t errsz)
{
	if (sodium_init() < 0) {
		snprintf(err, errsz, "libsodium could not start (no entropy source?)");
		return -1;
	}
	return 0;
}

int ev_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > EV_NAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return 0;
	}
	return 1;
}

void ev_key_id(const unsigned char pk[EV_PK_BYTES], char id[EV_KEYID_CHARS + 1])
{
	static const unsigned char domain[] = "authzc key id"; /* with its NUL */
	unsigned char h[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, domain, sizeof domain);
	crypto_generichash_update(&st, pk, EV_PK_BYTES);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(id, EV_KEYID_CHARS + 1, h, EV_KEYID_CHARS / 2);
}

/* Split a one-line key file into its four fields, in place.  The line may
 * end with "\n" or "\r\n"; fields are separated by single spaces. */
static int split4(char *line, size_t len, char *f[4], const char *what, char *err, size_t errsz)
{
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (memchr(line, '\0', len) != NULL || memchr(line, '\n', len) != NULL) {
		snprintf(err, errsz, "%s is not one line of text", what);
		return -1;
	}
	line[len] = '\0';
	char *p = line;
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		char *sp = strchr(p, ' ');
		if (i < 3) {
			if (sp == NULL) {
				snprintf(err, errsz, "%s has %d field%s; expected 4: tag, key id, key, name", what,
				         i + 1, i ? "s" : "");
				return -1;
			}
			*sp = '\0';
			p = sp + 1;
		} else if (sp != NULL) {
			snprintf(err, errsz, "%s has more than 4 fields; expected: tag, key id, key, name", what);
			return -1;
		}
	}
	return 0;
}

/* Decode a padded base64 32-byte value. */
static int b64_32(const char *s, unsigned char out[32])
{
	size_t n = 0;
	const char *end = NULL;
	if (strlen(s) != KEY_B64_CHARS)
		return -1;
	if (sodium_base642bin(out, 32, s, KEY_B64_CHARS, NULL, &n, &end, B64) != 0 || n != 32 ||
	    end != s + KEY_B64_CHARS)
		return -1;
	return 0;
}

static int fields_common(char *f[4], const char *tag, const char *what, unsigned char key[32],
                         char *err, size_t errsz)
{
	if (strcmp(f[0], tag) != 0) {
		snprintf(err, errsz, "%s starts with '%.40s', expected '%s'%s", what, f[0], tag,
		         strcmp(tag, PUB_TAG) == 0 && strcmp(f[0], SEC_TAG) == 0
		             ? " (this is a secret key: give the NAME.pub file)"
		             : strcmp(tag, SEC_TAG) == 0 && strcmp(f[0], PUB_TAG) == 0
		                   ? " (this is a public key: give the NAME.key file)"
		                   : "");
		return -1;
	}
	size_t idn = strlen(f[1]);
	if (idn != EV_KEYID_CHARS || strspn(f[1], "0123456789abcdef") != idn) {
		snprintf(err, errsz, "%s: the key id must be %d lowercase hex digits", what, EV_KEYID_CHARS);
		return -1;
	}
	if (b64_32(f[2], key) != 0) {
		snprintf(err, errsz, "%s: the key is not 32 bytes of padded base64", what);
		return -1;
	}
	if (!ev_name_ok(f[3])) {
		snprintf(err, errsz, "%s: the name '%.70s' is not 1 to %d characters of A-Z a-z 0-9 . _ @ -", what,
		         f[3], EV_NAME_MAX);
		return -1;
	}
	return 0;
}

int ev_pub_parse(const char *text, size_t len, struct ev_pub *out, char *err, size_t errsz)
{
	char line[EV_PUB_LINE_MAX + 2];
	char *f[4];
	if (len > EV_PUB_LINE_MAX) {
		snprintf(err, errsz, "the public key line is longer than %d bytes", EV_PUB_LINE_MAX);
		return -1;
	}
	memcpy(line, text, len);
	line[len] = '\0';
	if (split4(line, len, f, "the public key", err, errsz) != 0 ||
	    fields_common(f, PUB_TAG, "the public key", out->pk, err, errsz) != 0)
		return -1;
	ev_key_id(out->pk, out->id);
	if (strcmp(out->id, f[1]) != 0) {
		snprintf(err, errsz, "the public key's id %s does not match its key (which has id %s): the line was edited", f[1],
		         out->id);
		return -1;
	}
	snprintf(out->name, sizeof out->name, "%s", f[3]);
	return 0;
}

void ev_pub_format(const struct ev_pub *k, char *buf, size_t bufsz)
{
	char b64[KEY_B64_CHARS + 1];
	sodium_bin2base64(b64, sizeof b64, k->pk, EV_PK_BYTES, B64);
	snprintf(buf, bufsz, "%s %s %s %s\n", PUB_TAG, k->id, b64, k->name);
}

int ev_pub_load(const char *path, struct ev_pub *out, char *err, size_t errsz)
{
	char *buf = NULL;
	size_t len = 0;
	char why[256];
	if (fileio_read(path, &buf, &len, NULL) != 0) {
		snprintf(err, errsz, "%s: %s", path, fileio_reason(errno));
		return -1;
	}
	int rc = ev_pub_parse(buf, len, out, why, sizeof why);
	free(buf);
	if (rc != 0)
		snprintf(err, errsz, "%s: %s", path, why);
	return rc;
}

int ev_sec_load(const char *path, struct ev_sec *out, char *err, size_t errsz)
{
	char *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	char *f[4];
	unsigned char seed[EV_SEED_BYTES];
	char line[EV_PUB_LINE_MAX + 18];
	char why[256];
	if (ev_init(err, errsz) != 0)
		return -1;
	if (fileio_read(path, &buf, &len, &mode) != 0) {
		snprintf(err, errsz, "%s: %s", path, fileio_reason(errno));
		return -1;
	}
	int rc = -1;
	if (len >= sizeof PUB_TAG && memcmp(buf, PUB_TAG " ", sizeof PUB_TAG) == 0) {
		snprintf(err, errsz, "%s is a public key: give the secret NAME.key file authzc keygen wrote", path);
	} else if (mode & 077) {
		snprintf(err, errsz, "%s: the secret key may be read by others (mode %03o); run chmod 600 %s", path,
		         (unsigned)(mode & 0777), path);
	} else if (len > EV_PUB_LINE_MAX + 16) {
		snprintf(err, errsz, "%s: not a secret key file (longer than one key line)", path);
	} else if ((memcpy(line, buf, len), line[len] = '\0',
	            split4(line, len, f, "the secret key", why, sizeof why) != 0) ||
	           fields_common(f, SEC_TAG, "the secret key", seed, why, sizeof why) != 0) {
		snprintf(err, errsz, "%s: %s", path, why);
	} else {
		crypto_sign_seed_keypair(out->pub.pk, out->sk, seed);
		ev_key_id(out->pub.pk, out->pub.id);
		if (strcmp(out->pub.id, f[1]) != 0) {
			snprintf(err, errsz, "%s: the key id %s does not match the key (id %s): the file was edited", path,
			         f[1], out->pub.id);
			ev_sec_wipe(out);
		} else {
			snprintf(out->pub.name, sizeof out->pub.name, "%s", f[3]);
			rc = 0;
		}
	}
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(line, sizeof line);
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

void ev_sec_wipe(struct ev_sec *k)
{
	sodium_memzero(k, sizeof *k);
}

/* Create path with O_EXCL and write text to it, durably. */
static int write_new(const char *path, const char *text, mode_t mode, char *err, size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errsz, "cannot create %s: %s%s", path,
		         e == ENOENT ? "the folder does not exist" : strerror(e),
		         e == EEXIST ? "; keygen never overwrites a key: remove it or choose another name" : "");
		return -1;
	}
	if (fchmod(fd, mode) != 0 || fileio_write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int ev_keygen(const char *dir, const char *name, struct ev_pub *out, char *err, size_t errsz)
{
	struct ev_sec k;
	unsigned char seed[EV_SEED_BYTES];
	char seed64[KEY_B64_CHARS + 1];
	char line[EV_PUB_LINE_MAX + 16];
	char secpath[4096], pubpath[4096];
	struct stat st;

	if (ev_init(err, errsz) != 0)
		return -1;
	if (!ev_name_ok(name)) {
		snprintf(err, errsz, "'%.70s' is not a key name: use 1 to %d characters of A-Z a-z 0-9 . _ @ -, not starting with . or -",
		         name, EV_NAME_MAX);
		return -1;
	}
	if ((size_t)snprintf(secpath, sizeof secpath, "%s/%s.key", dir, name) >= sizeof secpath ||
	    (size_t)snprintf(pubpath, sizeof pubpath, "%s/%s.pub", dir, name) >= sizeof pubpath) {
		snprintf(err, errsz, "the folder name is too long");
		return -1;
	}
	if (lstat(pubpath, &st) == 0) {
		snprintf(err, errsz, "%s exists; keygen never overwrites a key: remove it or choose another name", pubpath);
		return -1;
	}
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(k.pub.pk, k.sk, seed);
	ev_key_id(k.pub.pk, k.pub.id);
	snprintf(k.pub.name, sizeof k.pub.name, "%s", name);
	sodium_bin2base64(seed64, sizeof seed64, seed, sizeof seed, B64);
	snprintf(line, sizeof line, "%s %s %s %s\n", SEC_TAG, k.pub.id, seed64, name);
	int rc = write_new(secpath, line, 0600, err, errsz);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(seed64, sizeof seed64);
	sodium_memzero(line, sizeof line);
	if (rc == 0) {
		ev_pub_format(&k.pub, line, sizeof line);
		rc = write_new(pubpath, line, 0644, err, errsz);
		if (rc != 0)
			unlink(secpath);
	}
	if (rc == 0 && out != NULL)
		*out = k.pub;
	ev_sec_wipe(&k);
	return rc;
}

void ev_sign(const struct ev_sec *k, const void *msg, size_t len, unsigned char sig[EV_SIG_BYTES])
{
	crypto_sign_detached(sig, NULL, msg, len, k->sk);
}

int ev_verify(const struct ev_pub *k, const void *msg, size_t len, const unsigned char sig[EV_SIG_BYTES])
{
	return crypto_sign_verify_detached(sig, msg, len, k->pk) == 0 ? 0 : -1;
}

void ev_sig_to_b64(const unsigned char sig[EV_SIG_BYTES], char out[EV_SIG_B64_CHARS + 1])
{
	sodium_bin2base64(out, EV_SIG_B64_CHARS + 1, sig, EV_SIG_BYTES, B64);
}

int ev_sig_from_b64(const char *b64, size_t len, unsigned char sig[EV_SIG_BYTES])
{
	size_t n = 0;
	const char *end = NULL;
	if (len != EV_SIG_B64_CHARS)
		return -1;
	if (sodium_base642bin(sig, EV_SIG_BYTES, b64, len, NULL, &n, &end, B64) != 0 || n != EV_SIG_BYTES ||
	    end != b64 + len)
		return -1;
	return 0;
}

void ev_sha256_text(const void *msg, size_t len, char out[EV_SHA256_TEXT])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, msg, len);
	memcpy(out, "sha256:", 7);
	sodium_bin2hex(out + 7, EV_SHA256_TEXT - 7, h, sizeof h);
}
