/*
 * test_mutation.c: corrupted and hostile bundles are refused at load.
 *
 * The examples/ project is compiled in the test (codegen_bundle), then:
 *   - every single-bit flip and every truncation is refused with a
 *     message (the SHA-256 digest, or the header checks before it);
 *   - every byte after the header replaced by four other values, with the
 *     total length and digest recomputed, is refused with a message or
 *     loads and decides a request without fault (under ASan in make test);
 *   - hostile code with a valid digest: a jump out of its rule, a constant,
 *     slot, root, guard or opcode out of range, a stack overflow, huge
 *     counts: each refused by the loader or verifier, with a message.
 *
 * The hostile cases edit the code section and re-encode the file, locating
 * sections through the layout runtime/bundle.h and authzc-bundle(5)
 * document: a 72-byte header, the section lengths as LEB128 varints, then
 * the sections back to back; the code section is a varint count and per
 * instruction an opcode byte and its operands (formats in opcodes.def).
 * If that layout changes, mt_split fails loudly rather than testing
 * nothing.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "bytecode.h"
#include "harden_util.h"

static struct compilation mt_c;

static uint8_t *mt_examples(size_t *len)
{
	compilation_init(&mt_c);
	mt_c.root = arena_strdup(&mt_c.arena, "examples");
	mt_c.now_ms = CK_NOW_MS;
	struct source_tree tree;
	source_tree_fs(&tree, "examples");
	size_t errors = compilation_run(&mt_c, &tree);
	cr_assert_eq(errors, 0, "examples/ does not check (run from the repository root)");
	uint8_t *buf = NULL;
	cr_assert_eq(codegen_bundle(&mt_c, "mutation-test", &buf, len), 0);
	compilation_release(&mt_c);
	return buf;
}

static void mt_fix(uint8_t *p, size_t len)
{
	for (int i = 0; i < 8; i++)
		p[24 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, p, 32);
	crypto_hash_sha256_update(&st, p + 64, len - 64);
	crypto_hash_sha256_final(&st, p + 32);
}

/* Load: 1 loaded (and freed after deciding HU-style requests), 0 refused
 * with a message. */
static int mt_try(const uint8_t *p, size_t len, char *msg, size_t msgsize)
{
	authz_bundle *b = NULL;
	authz_error err;
	int rc = authz_bundle_load(&b, p, len, &err);
	if (rc != 0) {
		cr_assert_null(b);
		cr_assert_eq(rc, err.code);
		cr_assert(err.message[0], "refused without a message");
		if (msg)
			snprintf(msg, msgsize, "%s", err.message);
		return 0;
	}
	authz_request *r;
	authz_decision *d;
	cr_assert_eq(authz_request_new(&r, b), 0);
	cr_assert_eq(authz_decision_new(&d), 0);
	static const char req[] =
		"{\"principal\":{\"type\":\"User\",\"id\":\"u\",\"attrs\":{\"tenant\":\"acme\","
		"\"department\":\"sales\",\"groups\":[\"g\"],\"clearance\":3,\"mfa\":true}},"
		"\"action\":\"read\",\"resource\":{\"type\":\"Dataset\",\"id\":\"d\",\"attrs\":{"
		"\"tenant\":\"acme\",\"env\":\"staging\",\"department\":\"sales\",\"classification\":\"x\","
		"\"sensitivity\":1,\"scope\":\"s\",\"change_tickets\":[],\"legal_holds\":[]}},"
		"\"context\":{\"source_ip\":\"10.1.2.3\"},\"time\":\"2026-11-24T10:00:00Z\"}";
	authz_decide_json(d, b, r, req, sizeof req - 1, AUTHZ_DECIDE_TRACE);
	authz_decision_json(d, NULL);
	authz_decision_free(d);
	authz_request_free(r);
	authz_bundle_free(b);
	return 1;
}

Test(mutation, every_bit_flip_is_refused)
{
	size_t len;
	uint8_t *orig = mt_examples(&len);
	cr_assert_eq(mt_try(orig, len, NULL, 0), 1, "the examples bundle does not load");
	uint8_t *p = malloc(len);
	size_t refused = 0;
	char msg[256];
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p, orig, len);
			p[i] ^= (uint8_t)(1u << bit);
			cr_assert_eq(mt_try(p, len, msg, sizeof msg), 0,
				     "flip of bit %d of byte %zu loads", bit, i);
			cr_assert(strncmp(msg, "bad bundle format", 17) == 0, "byte %zu: %s", i, msg);
			refused++;
		}
	}
	cr_assert_eq(refused, 8 * len);
	cr_log_info("bit flips: %zu of %zu refused", refused, 8 * len);
	free(p);
	free(orig);
}

Test(mutation, every_truncation_is_refused)
{
	size_t len;
	uint8_t *orig = mt_examples(&len);
	char msg[256];
	for (size_t n = 0; n < len; n++) {
		uint8_t *p = malloc(n ? n : 1);      /* exact size: ASan sees overreads */
		memcpy(p, orig, n);
		cr_assert_eq(mt_try(p, n, msg, sizeof msg), 0, "prefix of %zu bytes loads", n);
		free(p);
	}
	/* And with a trailing byte. */
	uint8_t *q = malloc(len + 1);
	memcpy(q, orig, len);
	q[len] = 0;
	cr_assert_eq(mt_try(q, len + 1, msg, sizeof msg), 0);
	cr_expect(strstr(msg, "trailing") != NULL, "%s", msg);
	free(q);
	free(orig);
}

Test(mutation, every_byte_rewritten_with_a_valid_digest_is_safe)
{
	size_t len;
	uint8_t *orig = mt_examples(&len);
	uint8_t *p = malloc(len);
	static const uint8_t delta[] = { 0x01, 0x80, 0xff, 0x7f };
	size_t loaded = 0, refused = 0;
	for (size_t i = BUNDLE_HEADER_SIZE; i < len; i++) {
		for (size_t k = 0; k < sizeof delta; k++) {
			memcpy(p, orig, len);
			p[i] = k < 2 ? (uint8_t)(p[i] ^ delta[k]) : delta[k];
			if (p[i] == orig[i])
				continue;
			mt_fix(p, len);
			if (mt_try(p, len, NULL, 0))
				loaded++;
			else
				refused++;
		}
	}
	cr_log_info("byte rewrites with a valid digest: %zu refused, %zu loaded and decided",
		    refused, loaded);
	cr_assert(refused > loaded, "the verifier refuses too little: %zu loaded", loaded);
	free(p);
	free(orig);
}

/* ---- hostile code with a valid digest ------------------------------------ */

struct mt_insn { uint32_t op, a, b, ax; };

struct mt_file {
	uint8_t head[BUNDLE_HEADER_SIZE];
	uint8_t *sec[BUNDLE_NSECTIONS];
	size_t len[BUNDLE_NSECTIONS];
	struct mt_insn *code;
	size_t ncode;
};

static int mt_var(const uint8_t *p, size_t n, size_t *at, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64 && *at < n; shift += 7) {
		uint8_t c = p[(*at)++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static size_t mt_put_var(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		out[n++] = (uint8_t)(c | (v ? 0x80 : 0));
	} while (v);
	return n;
}

/* Split a bundle into its sections and decode its code section. */
static void mt_split(const uint8_t *p, size_t len, struct mt_file *f)
{
	memset(f, 0, sizeof *f);
	cr_assert(len > BUNDLE_HEADER_SIZE);
	cr_assert_eq(p[4], BUNDLE_VERSION, "format version changed: update test_mutation.c");
	memcpy(f->head, p, BUNDLE_HEADER_SIZE);
	size_t at = BUNDLE_HEADER_SIZE;
	uint64_t lens[BUNDLE_NSECTIONS];
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		cr_assert_eq(mt_var(p, len, &at, &lens[i]), 0, "section table");
	for (int i = 0; i < BUNDLE_NSECTIONS; i++) {
		cr_assert(lens[i] <= len - at, "section %d overruns: layout changed?", i + 1);
		f->len[i] = lens[i];
		f->sec[i] = malloc(lens[i] + 1);
		memcpy(f->sec[i], p + at, lens[i]);
		at += lens[i];
	}
	cr_assert_eq(at, len, "sections do not end the file: layout changed?");
	const uint8_t *c = f->sec[SEC_CODE - 1];
	size_t cn = f->len[SEC_CODE - 1], ci = 0;
	uint64_t n;
	cr_assert_eq(mt_var(c, cn, &ci, &n), 0);
	f->ncode = n;
	f->code = calloc(n + 1, sizeof *f->code);
	for (size_t i = 0; i < n; i++) {
		struct mt_insn *in = &f->code[i];
		uint64_t v = 0;
		cr_assert(ci < cn);
		in->op = c[ci++];
		cr_assert(in->op < AUTHZ_OP_COUNT);
		switch (authz_op_info(in->op)->fmt) {
		case AUTHZ_FMT_N:
		case AUTHZ_FMT_E:
			break;
		case AUTHZ_FMT_R:
			in->a = c[ci++];
			break;
		case AUTHZ_FMT_S:
			in->a = c[ci++];
			cr_assert_eq(mt_var(c, cn, &ci, &v), 0);
			in->b = (uint32_t)v;
			break;
		default:
			cr_assert_eq(mt_var(c, cn, &ci, &v), 0);
			in->ax = (uint32_t)v;
			break;
		}
	}
	cr_assert_eq(ci, cn, "code section not fully decoded: layout changed?");
}

/* Re-encode: the code section from f->code (with `count` as its count,
 * normally f->ncode), sections, table, length, digest. */
static uint8_t *mt_join(struct mt_file *f, uint64_t count, size_t *out_len)
{
	uint8_t *code = malloc(16 + f->ncode * 12);
	size_t cn = mt_put_var(code, count);
	for (size_t i = 0; i < f->ncode; i++) {
		struct mt_insn *in = &f->code[i];
		code[cn++] = (uint8_t)in->op;
		switch (authz_op_info(in->op < AUTHZ_OP_COUNT ? in->op : 0)->fmt) {
		case AUTHZ_FMT_N:
		case AUTHZ_FMT_E:
			break;
		case AUTHZ_FMT_R:
			code[cn++] = (uint8_t)in->a;
			break;
		case AUTHZ_FMT_S:
			code[cn++] = (uint8_t)in->a;
			cn += mt_put_var(code + cn, in->b);
			break;
		default:
			cn += mt_put_var(code + cn, in->ax);
			break;
		}
	}
	size_t total = BUNDLE_HEADER_SIZE + 10 * BUNDLE_NSECTIONS;
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		total += i == SEC_CODE - 1 ? cn : f->len[i];
	uint8_t *p = malloc(total);
	memcpy(p, f->head, BUNDLE_HEADER_SIZE);
	size_t at = BUNDLE_HEADER_SIZE;
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		at += mt_put_var(p + at, i == SEC_CODE - 1 ? cn : f->len[i]);
	for (int i = 0; i < BUNDLE_NSECTIONS; i++) {
		const uint8_t *s = i == SEC_CODE - 1 ? code : f->sec[i];
		size_t n = i == SEC_CODE - 1 ? cn : f->len[i];
		memcpy(p + at, s, n);
		at += n;
	}
	free(code);
	mt_fix(p, at);
	*out_len = at;
	return p;
}

static void mt_free(struct mt_file *f)
{
	for (int i = 0; i < BUNDLE_NSECTIONS; i++)
		free(f->sec[i]);
	free(f->code);
}

/* Index of the first instruction with opcode `op` (asserted present). */
static size_t mt_find(const struct mt_file *f, uint32_t op)
{
	for (size_t i = 0; i < f->ncode; i++)
		if (f->code[i].op == op)
			return i;
	cr_assert_fail("no %s instruction in the bundle", authz_op_info(op)->name);
	return 0;
}

/* Apply `edit` to a fresh split of `orig`, re-encode, expect refusal with
 * a message containing `want` (NULL: any). */
static void mt_expect_refused(const uint8_t *orig, size_t len, const char *what, const char *want,
			      void (*edit)(struct mt_file *f, uint64_t *count))
{
	struct mt_file f;
	mt_split(orig, len, &f);
	uint64_t count = f.ncode;
	edit(&f, &count);
	size_t n;
	uint8_t *p = mt_join(&f, count, &n);
	char msg[256];
	cr_expect_eq(mt_try(p, n, msg, sizeof msg), 0, "%s: loaded", what);
	if (want)
		cr_expect(strstr(msg, want) != NULL, "%s: message '%s' lacks '%s'", what, msg, want);
	free(p);
	mt_free(&f);
}

static void ed_none(struct mt_file *f, uint64_t *count) { (void)f; (void)count; }
static void ed_jump_out(struct mt_file *f, uint64_t *count)
{
	(void)count;
	size_t i = mt_find(f, AUTHZ_OP_WHEN);
	f->code[i].op = AUTHZ_OP_JMP;
	f->code[i].ax = (uint32_t)f->ncode;     /* past the end of every rule */
}
static void ed_jump_cond(struct mt_file *f, uint64_t *count)
{
	(void)count;
	for (size_t i = 0; i < f->ncode; i++)
		if (f->code[i].op == AUTHZ_OP_JT || f->code[i].op == AUTHZ_OP_JF) {
			f->code[i].ax += 10000;
			return;
		}
	cr_assert_fail("no JT/JF in the bundle");
}
static void ed_const(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[mt_find(f, AUTHZ_OP_CONST)].ax = AUTHZ_MAXARG_AX;
}
static void ed_slot(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[mt_find(f, AUTHZ_OP_ATTR)].b = AUTHZ_MAXARG_B;
}
static void ed_root(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[mt_find(f, AUTHZ_OP_ATTR)].a = 3;
}
static void ed_guard(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[mt_find(f, AUTHZ_OP_WHEN)].ax = 1000000;
}
static void ed_opcode(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[0].op = AUTHZ_OP_COUNT;
}
static void ed_time_part(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[mt_find(f, AUTHZ_OP_TIME_PART)].ax = 6;
}
static void ed_underflow(struct mt_file *f, uint64_t *count)
{
	(void)count;
	f->code[0].op = AUTHZ_OP_EQ;    /* pops two from an empty stack */
	f->code[0].ax = f->code[0].a = f->code[0].b = 0;
}
static void ed_no_apply(struct mt_file *f, uint64_t *count)
{
	(void)count;
	size_t i = mt_find(f, AUTHZ_OP_APPLY);
	f->code[i].op = AUTHZ_OP_NOP;
}
static void ed_huge_count(struct mt_file *f, uint64_t *count)
{
	(void)f;
	*count = UINT32_MAX;
}
static void ed_count_over_limit(struct mt_file *f, uint64_t *count)
{
	(void)f;
	*count = (uint64_t)AUTHZ_MAX_COUNT + 1;
}
static void ed_count_64bit(struct mt_file *f, uint64_t *count)
{
	(void)f;
	*count = UINT64_MAX;
}

Test(mutation, hostile_code_with_a_valid_digest_is_refused)
{
	size_t len;
	uint8_t *orig = mt_examples(&len);
	/* The re-encoder itself is faithful: no edit, same bytes. */
	struct mt_file f;
	mt_split(orig, len, &f);
	size_t n;
	uint8_t *same = mt_join(&f, f.ncode, &n);
	cr_assert_eq(n, len);
	cr_assert(memcmp(same, orig, len) == 0, "re-encoding changed the bundle");
	free(same);
	mt_free(&f);
	(void)ed_none;

	mt_expect_refused(orig, len, "jump past the rule", "jump", ed_jump_out);
	mt_expect_refused(orig, len, "conditional jump out", "jump", ed_jump_cond);
	mt_expect_refused(orig, len, "constant index", NULL, ed_const);
	mt_expect_refused(orig, len, "slot index", NULL, ed_slot);
	mt_expect_refused(orig, len, "root", NULL, ed_root);
	mt_expect_refused(orig, len, "guard index", NULL, ed_guard);
	mt_expect_refused(orig, len, "unknown opcode", "opcode", ed_opcode);
	mt_expect_refused(orig, len, "time part", NULL, ed_time_part);
	mt_expect_refused(orig, len, "stack underflow", "stack", ed_underflow);
	mt_expect_refused(orig, len, "no APPLY", NULL, ed_no_apply);
	mt_expect_refused(orig, len, "huge code count", NULL, ed_huge_count);
	mt_expect_refused(orig, len, "code count over the limit", NULL, ed_count_over_limit);
	mt_expect_refused(orig, len, "64-bit code count", NULL, ed_count_64bit);
	free(orig);
}

/* A rule of 200 alternatives: its code is long enough to overflow the
 * 256-value operand stack once its first 257 instructions push. */
static void ed_overflow(struct mt_file *f, uint64_t *count)
{
	(void)count;
	cr_assert(f->ncode > AUTHZ_MAX_STACK + 2);
	for (size_t i = 0; i <= AUTHZ_MAX_STACK; i++)
		f->code[i] = (struct mt_insn){ AUTHZ_OP_TRUE, 0, 0, 0 };
}

Test(mutation, stack_overflow_is_refused)
{
	char policy[16384];
	size_t n = (size_t)snprintf(policy, sizeof policy, "permit big {\n  when principal.level == 0");
	for (int i = 1; i < 200; i++)
		n += (size_t)snprintf(policy + n, sizeof policy - n, "\n    or principal.level == %d", i);
	snprintf(policy + n, sizeof policy - n, "\n}\n");
	size_t len;
	uint8_t *orig = hu_compile(HU_SCHEMA, policy, &len);
	authz_bundle_free(hu_load(orig, len));
	mt_expect_refused(orig, len, "stack overflow", "stack", ed_overflow);
	free(orig);
}
