/*
 * test_keys.c: key pairs and their text forms (compiler/evidence/keys.h)
 * and the keyring (keyring.h): generation, files and modes, every refusal
 * of a damaged key line, signatures made and refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyring.h"
#include "keys.h"

static char dir[] = "/tmp/authzc-keys.XXXXXX";
static char err[512];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *in_dir(const char *name)
{
	static char path[2][256];
	static int k;
	k ^= 1;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static void put(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(in_dir(name), "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(in_dir(name), mode), 0);
}

static char *slurp(const char *name)
{
	static char buf[512];
	FILE *f = fopen(in_dir(name), "r");
	cr_assert_not_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

TestSuite(keys, .init = setup, .fini = teardown);

Test(keys, keygen_writes_a_private_secret_and_a_public_line)
{
	struct ev_pub pub;
	struct stat st;
	cr_assert_eq(ev_keygen(dir, "alice", &pub, err, sizeof err), 0, "%s", err);
	cr_assert_eq(stat(in_dir("alice.key"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(in_dir("alice.pub"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	char line[EV_PUB_LINE_MAX];
	ev_pub_format(&pub, line, sizeof line);
	cr_assert_str_eq(slurp("alice.pub"), line);
	cr_assert_eq(strncmp(line, "authzc-ed25519 ", 15), 0);
	cr_assert_str_eq(pub.name, "alice");
	cr_assert_eq(strlen(pub.id), EV_KEYID_CHARS);

	struct ev_pub back;
	cr_assert_eq(ev_pub_load(in_dir("alice.pub"), &back, err, sizeof err), 0, "%s", err);
	cr_assert_eq(memcmp(back.pk, pub.pk, EV_PK_BYTES), 0);
	cr_assert_str_eq(back.id, pub.id);

	struct ev_sec sec;
	cr_assert_eq(ev_sec_load(in_dir("alice.key"), &sec, err, sizeof err), 0, "%s", err);
	cr_assert_eq(memcmp(sec.pub.pk, pub.pk, EV_PK_BYTES), 0);
	cr_assert_str_eq(sec.pub.name, "alice");
	ev_sec_wipe(&sec);
}

Test(keys, keygen_never_overwrites_and_checks_the_name)
{
	cr_assert_eq(ev_keygen(dir, "bob", NULL, err, sizeof err), 0, "%s", err);
	char before[512];
	snprintf(before, sizeof before, "%s", slurp("bob.key"));
	cr_assert_eq(ev_keygen(dir, "bob", NULL, err, sizeof err), -1);
	cr_assert(strstr(err, "never overwrites"), "%s", err);
	cr_assert_str_eq(slurp("bob.key"), before);
	/* a stray NAME.key alone is not overwritten either, and no .pub is left */
	put("carol.key", "mine\n", 0600);
	cr_assert_eq(ev_keygen(dir, "carol", NULL, err, sizeof err), -1);
	cr_assert_str_eq(slurp("carol.key"), "mine\n");
	cr_assert_neq(access(in_dir("carol.pub"), F_OK), 0);
	const char *badnames[] = { "", "a b", "../x", ".hidden", "-x", "a/b",
				   "0123456789012345678901234567890123456789012345678901234567890123456789" };
	for (size_t i = 0; i < sizeof badnames / sizeof *badnames; i++)
		cr_assert_eq(ev_keygen(dir, badnames[i], NULL, err, sizeof err), -1, "%s", badnames[i]);
}

Test(keys, two_keys_differ_and_ids_follow_keys)
{
	struct ev_pub a, b;
	cr_assert_eq(ev_keygen(dir, "a", &a, err, sizeof err), 0);
	cr_assert_eq(ev_keygen(dir, "b", &b, err, sizeof err), 0);
	cr_assert_neq(memcmp(a.pk, b.pk, EV_PK_BYTES), 0);
	cr_assert_str_neq(a.id, b.id);
	char id[EV_KEYID_CHARS + 1];
	ev_key_id(a.pk, id);
	cr_assert_str_eq(id, a.id);
}

Test(keys, damaged_public_lines_are_refused)
{
	struct ev_pub k, out;
	cr_assert_eq(ev_keygen(dir, "k", &k, err, sizeof err), 0);
	char line[EV_PUB_LINE_MAX];
	ev_pub_format(&k, line, sizeof line);
	cr_assert_eq(ev_pub_parse(line, strlen(line), &out, err, sizeof err), 0, "%s", err);
	/* CRLF is fine, and no line end at all */
	char crlf[EV_PUB_LINE_MAX + 2];
	snprintf(crlf, sizeof crlf, "%.*s\r\n", (int)strlen(line) - 1, line);
	cr_assert_eq(ev_pub_parse(crlf, strlen(crlf), &out, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ev_pub_parse(line, strlen(line) - 1, &out, err, sizeof err), 0, "%s", err);

	char bad[EV_PUB_LINE_MAX + 8];
	/* the id edited */
	snprintf(bad, sizeof bad, "%s", line);
	bad[15] = bad[15] == '0' ? '1' : '0';
	cr_assert_eq(ev_pub_parse(bad, strlen(bad), &out, err, sizeof err), -1);
	cr_assert(strstr(err, "does not match"), "%s", err);
	/* the key edited (the id no longer matches) */
	snprintf(bad, sizeof bad, "%s", line);
	bad[33] = bad[33] == 'A' ? 'B' : 'A';
	cr_assert_eq(ev_pub_parse(bad, strlen(bad), &out, err, sizeof err), -1);
	/* a secret line given as public */
	snprintf(bad, sizeof bad, "authzc-ed25519-secret%s", line + 14);
	cr_assert_eq(ev_pub_parse(bad, strlen(bad), &out, err, sizeof err), -1);
	cr_assert(strstr(err, "secret key"), "%s", err);
	/* fields missing, extra, or two lines */
	const char *shapes[] = { "authzc-ed25519", "authzc-ed25519 abc", "", "\n",
				 "authzc-ed25519 0123456789abcdef AAAA x" };
	for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
		cr_assert_eq(ev_pub_parse(shapes[i], strlen(shapes[i]), &out, err, sizeof err), -1, "%s", shapes[i]);
	snprintf(bad, sizeof bad, "%.*s extra\n", (int)strlen(line) - 1, line);
	cr_assert_eq(ev_pub_parse(bad, strlen(bad), &out, err, sizeof err), -1);
	snprintf(bad, sizeof bad, "%s%s", line, "x");
	cr_assert_eq(ev_pub_parse(bad, strlen(bad), &out, err, sizeof err), -1);
	char nul[EV_PUB_LINE_MAX];
	memcpy(nul, line, strlen(line));
	nul[20] = '\0';
	cr_assert_eq(ev_pub_parse(nul, strlen(line), &out, err, sizeof err), -1);
}

Test(keys, an_unprotected_or_edited_secret_is_refused)
{
	struct ev_sec s;
	cr_assert_eq(ev_keygen(dir, "s", NULL, err, sizeof err), 0);
	cr_assert_eq(chmod(in_dir("s.key"), 0640), 0);
	cr_assert_eq(ev_sec_load(in_dir("s.key"), &s, err, sizeof err), -1);
	cr_assert(strstr(err, "chmod 600"), "%s", err);
	cr_assert_eq(chmod(in_dir("s.key"), 0600), 0);
	char text[512];
	snprintf(text, sizeof text, "%s", slurp("s.key"));
	text[22] = text[22] == '0' ? '1' : '0'; /* inside the key id */
	put("t.key", text, 0600);
	cr_assert_eq(ev_sec_load(in_dir("t.key"), &s, err, sizeof err), -1);
	cr_assert(strstr(err, "does not match"), "%s", err);
	/* a public key given as secret */
	cr_assert_eq(ev_sec_load(in_dir("s.pub"), &s, err, sizeof err), -1);
	cr_assert(strstr(err, "is a public key"), "%s", err);
	cr_assert_eq(ev_sec_load(in_dir("missing.key"), &s, err, sizeof err), -1);
	cr_assert(strstr(err, "no such file"), "%s", err);
}

Test(keys, signatures_verify_only_for_their_key_and_message)
{
	struct ev_sec a, b;
	cr_assert_eq(ev_keygen(dir, "a", NULL, err, sizeof err), 0);
	cr_assert_eq(ev_keygen(dir, "b", NULL, err, sizeof err), 0);
	cr_assert_eq(ev_sec_load(in_dir("a.key"), &a, err, sizeof err), 0);
	cr_assert_eq(ev_sec_load(in_dir("b.key"), &b, err, sizeof err), 0);
	unsigned char sig[EV_SIG_BYTES];
	ev_sign(&a, "digest", 6, sig);
	cr_assert_eq(ev_verify(&a.pub, "digest", 6, sig), 0);
	cr_assert_eq(ev_verify(&b.pub, "digest", 6, sig), -1);
	cr_assert_eq(ev_verify(&a.pub, "digesT", 6, sig), -1);
	sig[10] ^= 1;
	cr_assert_eq(ev_verify(&a.pub, "digest", 6, sig), -1);
	sig[10] ^= 1;

	char b64[EV_SIG_B64_CHARS + 1];
	unsigned char back[EV_SIG_BYTES];
	ev_sig_to_b64(sig, b64);
	cr_assert_eq(strlen(b64), EV_SIG_B64_CHARS);
	cr_assert_eq(ev_sig_from_b64(b64, strlen(b64), back), 0);
	cr_assert_eq(memcmp(back, sig, EV_SIG_BYTES), 0);
	cr_assert_eq(ev_sig_from_b64(b64, strlen(b64) - 1, back), -1);
	b64[3] = '*';
	cr_assert_eq(ev_sig_from_b64(b64, strlen(b64), back), -1);
}

Test(keys, keyring_roles_are_kept_apart_and_merged)
{
	struct ev_pub a, b;
	cr_assert_eq(ev_keygen(dir, "a", &a, err, sizeof err), 0);
	cr_assert_eq(ev_keygen(dir, "b", &b, err, sizeof err), 0);
	struct ev_keyring kr;
	ev_keyring_init(&kr);
	cr_assert_eq(ev_keyring_add(&kr, &a, EV_ROLE_BUNDLE), 0);
	cr_assert_eq(ev_keyring_add(&kr, &b, EV_ROLE_APPROVE), 0);
	cr_assert_not_null(ev_keyring_find_role(&kr, a.id, EV_ROLE_BUNDLE));
	cr_assert_null(ev_keyring_find_role(&kr, a.id, EV_ROLE_APPROVE));
	cr_assert_null(ev_keyring_find_role(&kr, b.id, EV_ROLE_BUNDLE));
	cr_assert_eq(ev_keyring_add(&kr, &a, EV_ROLE_APPROVE), 0);
	cr_assert_eq(kr.n, 2);
	cr_assert_not_null(ev_keyring_find_role(&kr, a.id, EV_ROLE_APPROVE));
	cr_assert_null(ev_keyring_find(&kr, "0000000000000000"));
	char text[64];
	ev_roles_text(EV_ROLE_BUNDLE | EV_ROLE_LOG, text, sizeof text);
	cr_assert_str_eq(text, "bundle, log");
	cr_assert_eq(ev_role_parse("approve"), EV_ROLE_APPROVE);
	cr_assert_eq(ev_role_parse("Approve"), 0);
	cr_assert_str_eq(ev_role_name(EV_ROLE_PROMOTE), "promote");
	ev_keyring_free(&kr);
}
