/*
 * test_verify.c: the loader and verifier refuse every damaged or
 * hostile bundle with a message: truncations, bit flips, wrong version or
 * digest, and (digest recomputed, so only the verifier stands in the way)
 * bad jumps, constants, slots, stack depths and counts.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>

#include "test_runtime_fixture.h"

#define P AUTHZ_ROOT_PRINCIPAL

static void small_rule(struct fx *f)
{
	fx_rule(f, "r", AUTHZ_PERMIT);
	fx_attr_read(f, P, f->level);
	fx_kint(f, AUTHZ_K_INT, 3);
	fx_n(f, AUTHZ_OP_GT);
	fx_end_when(f);
}

static uint8_t *small_bundle(size_t *len)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	small_rule(f);
	uint8_t *buf;
	authz_bundle_free(fx_load(f, &buf, len));
	return buf;
}

static void wr64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static void redigest(uint8_t *buf, size_t len)
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, buf, 32);
	crypto_hash_sha256_update(&st, buf + 64, len - 64);
	crypto_hash_sha256_final(&st, buf + 32);
}

/* A (well-formed) LEB128 varint at p[*at]. */
static uint64_t rdv(const uint8_t *p, size_t *at)
{
	uint64_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t x = p[(*at)++];
		v |= (uint64_t)(x & 0x7f) << shift;
		if (!(x & 0x80))
			return v;
	}
}

static size_t putv(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	do {
		p[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

#define NSEC 7
/* Offsets and lengths of the sections (1-based ids at [id - 1]). */
static void sections(const uint8_t *buf, size_t *off, size_t *len)
{
	size_t at = 72;
	for (int i = 0; i < NSEC; i++)
		len[i] = (size_t)rdv(buf, &at);
	for (int i = 0; i < NSEC; i++) {
		off[i] = at;
		at += len[i];
	}
}

/* A copy of `buf` with section `id` replaced by bytes[0..n): section
 * table, total length and digest fixed, so only the loader stands in the
 * way. */
static uint8_t *splice(const uint8_t *buf, int id, const uint8_t *bytes, size_t n, size_t *out_len)
{
	size_t off[NSEC], len[NSEC];
	sections(buf, off, len);
	len[id - 1] = n;
	size_t total = 72 + 10 * NSEC;
	for (int i = 0; i < NSEC; i++)
		total += len[i];
	uint8_t *out = malloc(total), *p = out + 72;
	memcpy(out, buf, 72);
	for (int i = 0; i < NSEC; i++)
		p += putv(p, len[i]);
	for (int i = 0; i < NSEC; i++) {
		memcpy(p, i == id - 1 ? bytes : buf + off[i], len[i]);
		p += len[i];
	}
	*out_len = (size_t)(p - out);
	wr64(out + 24, *out_len);
	redigest(out, *out_len);
	return out;
}

/* The instructions of the code section (at most 64). */
static uint32_t decode_code(const uint8_t *buf, uint32_t *ins)
{
	size_t off[NSEC], len[NSEC];
	sections(buf, off, len);
	size_t at = off[4];
	uint32_t n = (uint32_t)rdv(buf, &at);
	cr_assert(n <= 64);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t op = buf[at++];
		switch (authz_op_info(op)->fmt) {
		case AUTHZ_FMT_N: case AUTHZ_FMT_E: ins[i] = op; break;
		case AUTHZ_FMT_R: ins[i] = AUTHZ_CREATE_AB(op, buf[at], 0); at++; break;
		case AUTHZ_FMT_S: { uint32_t a = buf[at++]; ins[i] = AUTHZ_CREATE_AB(op, a, (uint32_t)rdv(buf, &at)); break; }
		default: ins[i] = AUTHZ_CREATE_AX(op, (uint32_t)rdv(buf, &at)); break;
		}
	}
	return n;
}

/* `buf` with its code replaced by ins[0..n), encoded as the writer does
 * (an unknown opcode as its byte alone). */
static uint8_t *with_code(const uint8_t *buf, const uint32_t *ins, uint32_t n, size_t *out_len)
{
	uint8_t sec[64 * 8], *p = sec;
	p += putv(p, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t op = AUTHZ_GET_OP(ins[i]);
		*p++ = (uint8_t)op;
		if (op >= AUTHZ_OP_COUNT)
			continue;
		switch (authz_op_info(op)->fmt) {
		case AUTHZ_FMT_N: case AUTHZ_FMT_E: break;
		case AUTHZ_FMT_R: *p++ = (uint8_t)AUTHZ_GET_A(ins[i]); break;
		case AUTHZ_FMT_S: *p++ = (uint8_t)AUTHZ_GET_A(ins[i]); p += putv(p, AUTHZ_GET_B(ins[i])); break;
		default: p += putv(p, AUTHZ_GET_AX(ins[i])); break;
		}
	}
	return splice(buf, 5, sec, (size_t)(p - sec), out_len);
}

static void expect_refused(const uint8_t *buf, size_t len, const char *msg)
{
	authz_bundle *b = (authz_bundle *)1;
	authz_error err;
	int e = authz_bundle_load(&b, buf, len, &err);
	cr_assert_eq(e, AUTHZ_EFORMAT, "accepted (%s)", msg ? msg : "");
	cr_assert_null(b);
	cr_assert_eq(err.code, AUTHZ_EFORMAT);
	if (msg)
		cr_assert_str_eq(err.message, msg);
	else
		cr_assert(strncmp(err.message, "bad bundle format (", 19) == 0, "%s", err.message);
}

Test(runtime_verify, round_trip_is_deterministic)
{
	size_t n1, n2;
	uint8_t *a = small_bundle(&n1), *b = small_bundle(&n2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(a, b, n1), 0, "same calls, same bytes");
	free(a);
	free(b);
}

Test(runtime_verify, every_truncation_is_refused)
{
	size_t len;
	uint8_t *buf = small_bundle(&len);
	for (size_t n = 0; n < len; n++)
		expect_refused(buf, n, NULL);
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, buf, len);
	longer[len] = 0;
	expect_refused(longer, len + 1, NULL);
	free(longer);
	free(buf);
}

Test(runtime_verify, every_bit_flip_is_refused)
{
	size_t len;
	uint8_t *buf = small_bundle(&len);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1 << bit);
			expect_refused(buf, len, NULL);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	authz_bundle *b;
	cr_assert_eq(authz_bundle_load(&b, buf, len, NULL), 0);
	authz_bundle_free(b);
	free(buf);
}

Test(runtime_verify, header_checks_have_messages)
{
	size_t len;
	uint8_t *buf = small_bundle(&len);
	buf[4] = 1;
	expect_refused(buf, len, "bad bundle format (version 1; this library reads versions 3 and 4: compile the policies again with the authzc that matches it)");
	buf[4] = 5;
	expect_refused(buf, len, "bad bundle format (version 5; this library reads versions 3 and 4: compile the policies again with the authzc that matches it)");
	buf[4] = BUNDLE_VERSION;
	buf[40] ^= 1;
	expect_refused(buf, len, "bad bundle format (digest mismatch)");
	buf[40] ^= 1;
	buf[10] = '\n';         /* "\r\n" became "\n\n" */
	expect_refused(buf, len, "bad bundle format (corrupted by text-mode conversion)");
	buf[10] = '\r';
	expect_refused(buf, 10, "bad bundle format (truncated)");
	expect_refused((const uint8_t *)"hello", 5, "bad bundle format (not a bundle)");
	free(buf);
}

/* Replace instruction `pc` of the (only) rule and fix the digest. */
static void expect_code_refused(uint32_t pc, uint32_t ins, const char *msg)
{
	size_t len;
	uint8_t *orig = small_bundle(&len);
	uint32_t code[64], n = decode_code(orig, code);
	cr_assert(pc < n);
	code[pc] = ins;
	uint8_t *buf = with_code(orig, code, n, &len);
	expect_refused(buf, len, msg);
	free(buf);
	free(orig);
}

Test(runtime_verify, bad_code_is_refused_with_a_valid_digest)
{
	/* code: 0 ATTR 0 level, 1 CONST 3, 2 GT, 3 WHEN 0, 4 APPLY */
	expect_code_refused(1, AUTHZ_CREATE_AX(AUTHZ_OP_CONST, 9999),
			    "bad bundle format (rule 'r' at 1: constant 9999 out of range)");
	expect_code_refused(0, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, 0, 999),
			    "bad bundle format (rule 'r' at 0: slot 999 out of range)");
	expect_code_refused(0, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, 3, 0),
			    "bad bundle format (rule 'r' at 0: slot 0 out of range)");
	expect_code_refused(0, AUTHZ_CREATE_AB(AUTHZ_OP_ATTR, 2, 0),   /* entity slot read as context */
			    "bad bundle format (rule 'r' at 0: slot 0 out of range)");
	expect_code_refused(2, AUTHZ_CREATE_AX(AUTHZ_OP_JMP, 5),
			    "bad bundle format (rule 'r' at 2: jump out of range)");
	/* a "backward" jump cannot be encoded: the largest offset wraps nowhere */
	expect_code_refused(2, AUTHZ_CREATE_AX(AUTHZ_OP_JMP, AUTHZ_MAXARG_AX),
			    "bad bundle format (rule 'r' at 2: jump out of range)");
	expect_code_refused(2, AUTHZ_CREATE_AX(AUTHZ_OP_JT, 0),
			    "bad bundle format (rule 'r' at 3: stack height differs)");
	expect_code_refused(0, AUTHZ_CREATE_N(AUTHZ_OP_POP),
			    "bad bundle format (rule 'r' at 0: stack underflow)");
	expect_code_refused(3, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, 1),
			    "bad bundle format (rule 'r' at 3: guard 1 out of range)");
	expect_code_refused(3, AUTHZ_CREATE_N(AUTHZ_OP_NOP),
			    "bad bundle format (rule 'r' at 4: stack not empty)");
	expect_code_refused(4, AUTHZ_CREATE_N(AUTHZ_OP_NOP),
			    "bad bundle format (rule 'r' at 4: code runs off the end)");
	expect_code_refused(2, 0xff, "bad bundle format (code: unknown opcode 255 at 2)");
	/* a stray operand cannot be encoded: format N has no operand bytes */
	expect_code_refused(2, AUTHZ_CREATE_AX(AUTHZ_OP_TIME_PART, 6),
			    "bad bundle format (rule 'r' at 2: bad timestamp part 6)");
	expect_code_refused(2, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, 0),
			    "bad bundle format (rule 'r' at 2: pattern is not a string)");
}

Test(runtime_verify, unreachable_code_is_refused)
{
	/* 0 ATTR, 1 CONST, 2 GT, 3 WHEN, 4 APPLY: make 3 "JMP +0" -> 4 is
	 * reached by the jump; make 2 a JMP over 3 instead: 3 unreachable */
	expect_code_refused(2, AUTHZ_CREATE_AX(AUTHZ_OP_JMP, 1),
			    "bad bundle format (rule 'r' at 3: unreachable instruction)");
}

Test(runtime_verify, writer_refuses_what_the_verifier_refuses)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	fx_rule(f, "deep", AUTHZ_PERMIT);
	for (int i = 0; i < AUTHZ_MAX_STACK + 1; i++)
		fx_n(f, AUTHZ_OP_TRUE);
	for (int i = 0; i < AUTHZ_MAX_STACK; i++)
		fx_n(f, AUTHZ_OP_POP);
	fx_end_when(f);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(bw_finish(f->w, &buf, &len), AUTHZ_EFORMAT);
	cr_assert_str_eq(bw_error(f->w), "bad bundle format (rule 'deep' at 256: stack overflow)");
	bw_free(f->w);
	/* a jump list never patched */
	fx_schema(f);
	fx_rule(f, "dangling", AUTHZ_PERMIT);
	uint32_t l = BW_NO_JUMP;
	fx_n(f, AUTHZ_OP_TRUE);
	OK(bw_jump(f->w, AUTHZ_OP_JF, &l));
	fx_end_when(f);
	cr_assert_eq(bw_finish(f->w, &buf, &len), AUTHZ_EFORMAT);
	cr_assert_str_eq(bw_error(f->w), "bad bundle format (rule 'dangling' at 1: jump out of range)");
	/* the error sticks */
	cr_assert_eq(bw_emit(f->w, AUTHZ_CREATE_N(AUTHZ_OP_NOP)), AUTHZ_EFORMAT);
	bw_free(f->w);
}

Test(runtime_verify, writer_argument_errors)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	uint32_t x;
	cr_assert_eq(bw_entity_type(f->w, "User", &x), AUTHZ_EINVAL);
	cr_assert_str_eq(bw_error(f->w), "duplicate entity type 'User'");
	bw_free(f->w);
	fx_schema(f);
	const char *path[2] = { "nope", "x" };
	cr_assert_eq(bw_attr(f->w, f->sa, path, 2, AUTHZ_K_INT, 0, false, &x), AUTHZ_EINVAL);
	cr_assert_str_eq(bw_error(f->w), "parent of attribute 'x' is not declared");
	bw_free(f->w);
	fx_schema(f);
	authz_ip ip = { .family = 4, .prefix = 33, .addr = { 10 } };
	cr_assert_eq(bw_const_ip(f->w, &ip, &x), AUTHZ_EINVAL);
	cr_assert_str_eq(bw_error(f->w), "bad ip address (family 4, prefix 33)");
	bw_free(f->w);
	fx_schema(f);
	const char *slot_path[2] = { "workload", "signed" };
	cr_assert_eq(bw_slot(f->w, BW_NS_ENTITY, slot_path, 2, &x), 0);
	cr_assert_eq(x, f->w_signed);
	cr_assert_eq(bw_slot(f->w, BW_NS_CONTEXT, slot_path, 2, &x), AUTHZ_ENOTFOUND);
	uint32_t a, b, s1, s2, s3;
	OK(bw_const_string(f->w, "a", 1, &a));
	OK(bw_const_string(f->w, "b", 1, &b));
	uint32_t ab[2] = { a, b }, ba[3] = { b, a, b };
	OK(bw_const_set(f->w, ab, 2, &s1));
	OK(bw_const_set(f->w, ba, 3, &s2));
	cr_assert_eq(s1, s2, "sets are interned regardless of order and duplicates");
	OK(bw_const_string(f->w, "a", 1, &s3));
	cr_assert_eq(s3, a);
	uint32_t mixed[2] = { a, 0 };
	OK(bw_const_int(f->w, AUTHZ_K_INT, 1, &mixed[1]));
	cr_assert_eq(bw_const_set(f->w, mixed, 2, &x), AUTHZ_EINVAL);
	cr_assert_str_eq(bw_error(f->w), "set elements must be scalars of one kind");
	bw_free(f->w);
}

/* Replace section `id` by bytes[0..n) (digest fixed): refused with `msg`. */
static void expect_section_refused(int id, const char *bytes, size_t n, const char *msg)
{
	size_t len;
	uint8_t *orig = small_bundle(&len);
	uint8_t *buf = splice(orig, id, (const uint8_t *)bytes, n, &len);
	expect_refused(buf, len, msg);
	free(buf);
	free(orig);
}

#define SEC_REFUSED(id, lit, msg) expect_section_refused(id, lit, sizeof lit - 1, msg)

Test(runtime_verify, huge_counts_and_bad_indices)
{
	SEC_REFUSED(1, "\xff\xff\xff\xff\x0f", "bad bundle format (string table)");
	SEC_REFUSED(2, "\xff\xff\xff\x7f", "bad bundle format (constant table)");
	SEC_REFUSED(3, "\xff\xff\x03", "bad bundle format (slot table)");
	SEC_REFUSED(4, "\x80\x80\x80\x80\x01", "bad bundle format (rule table)");
	SEC_REFUSED(5, "\xff\xff\xff\xff\x0f", "bad bundle format (code section)");
	SEC_REFUSED(4, "\x01\x7f\x00\x05\x01\x00\x00\x00\x00", "bad bundle format (rule 0)");  /* id string */
	SEC_REFUSED(4, "\x01\x01\x00\x06\x01\x00\x00\x00\x00", "bad bundle format (rule 0: code offset)");
	SEC_REFUSED(4, "\x01\x01\x04\x05\x01\x00\x00\x00\x00", "bad bundle format (rule 0)");  /* flags */
	SEC_REFUSED(7, "\x7f", "bad bundle format (meta section)");
	SEC_REFUSED(7, "", "bad bundle format (meta section)");
}

Test(runtime_verify, hostile_varints_are_refused)
{
	/* truncated: a continuation bit and nothing after it */
	SEC_REFUSED(7, "\x80", "bad bundle format (meta section)");
	/* not canonical: a redundant zero group */
	SEC_REFUSED(7, "\x80\x00", "bad bundle format (meta section)");
	/* more than 32 bits where 32 are allowed, more than 64 bits, 11 bytes */
	SEC_REFUSED(7, "\x80\x80\x80\x80\x10", "bad bundle format (meta section)");
	SEC_REFUSED(7, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", "bad bundle format (meta section)");
	SEC_REFUSED(7, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", "bad bundle format (meta section)");
	/* a string longer than its section */
	SEC_REFUSED(1, "\x01\x05" "ab", "bad bundle format (string 0)");
	/* a constant set naming itself or a later constant */
	SEC_REFUSED(2, "\x01\x07\x02\x01\x00", "bad bundle format (constant 0: set element)");
	/* an ip constant cut short */
	SEC_REFUSED(2, "\x01\x06\x04\x20\x0a\x00", "bad bundle format (constant 0: ip)");
	/* a section table entry past the end of the file */
	size_t len;
	uint8_t *buf = small_bundle(&len);
	buf[72] = 0x7f;
	redigest(buf, len);
	expect_refused(buf, len, NULL);
	free(buf);
}

static int collect(const char *text, size_t len, void *payload)
{
	char **out = payload;
	size_t have = *out ? strlen(*out) : 0;
	*out = realloc(*out, have + len + 1);
	memcpy(*out + have, text, len);
	(*out)[have + len] = '\0';
	return 0;
}

Test(runtime_verify, disassembler_lists_every_instruction)
{
	size_t len;
	uint8_t *buf = small_bundle(&len);
	authz_bundle *b;
	cr_assert_eq(authz_bundle_load(&b, buf, len, NULL), 0);
	char *text = NULL;
	cr_assert_eq(authz_bundle_disasm(b, collect, &text), 0);
	cr_assert_str_eq(text, "rule r (permit, 1 guards)\n"
			       "     0  ATTR         0 9\t; principal.level\n"
			       "     1  CONST        0\t; 3\n"
			       "     2  GT           \n"
			       "     3  WHEN         0\n"
			       "     4  APPLY        \n");
	free(text);
	authz_bundle_free(b);
	free(buf);
}

Test(runtime_verify, load_file_errors_name_the_file)
{
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load_file(&b, "/nonexistent/x.authzb", &err), AUTHZ_EIO);
	cr_assert_str_eq(err.message, "cannot open '/nonexistent/x.authzb': No such file or directory");
	char path[] = "/tmp/authz-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "\x1b" "AZBxx", 6), 6);
	close(fd);
	cr_assert_eq(authz_bundle_load_file(&b, path, &err), AUTHZ_EFORMAT);
	char want[128];
	snprintf(want, sizeof want, "%s: bad bundle format (truncated)", path);
	cr_assert_str_eq(err.message, want);
	unlink(path);
}

/* Three guards touching most operand formats, for the mutation test. */
static uint8_t *rich_bundle(size_t *len)
{
	struct fx fx, *f = &fx;
	fx_schema(f);
	fx_rule(f, "rich", AUTHZ_FORBID);
	uint32_t l = BW_NO_JUMP, g, k;
	fx_attr_read(f, P, f->level);
	fx_kint(f, AUTHZ_K_INT, INT64_MAX);
	fx_n(f, AUTHZ_OP_MUL);
	fx_kint(f, AUTHZ_K_INT, 0);
	fx_n(f, AUTHZ_OP_GT);
	OK(bw_jump(f->w, AUTHZ_OP_JT, &l));
	fx_emit(f, AUTHZ_CREATE_AB(AUTHZ_OP_HAS, AUTHZ_ROOT_CONTEXT, f->c_ticket));
	OK(bw_patch_here(f->w, l));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_WHEN, f->guard));
	OK(bw_guard(f->w, f->file, 6, 1, "g1", &g));
	fx_n(f, AUTHZ_OP_NOW);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_TIME_PART, AUTHZ_TP_WEEKDAY));
	fx_kint(f, AUTHZ_K_INT, 7);
	fx_n(f, AUTHZ_OP_EQ);
	fx_attr_read(f, P, f->w_spiffe);
	OK(bw_const_string(f->w, "*ci", 3, &k));
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_LIKE, k));
	fx_n(f, AUTHZ_OP_NOT);
	fx_n(f, AUTHZ_OP_NE);
	fx_emit(f, AUTHZ_CREATE_AX(AUTHZ_OP_UNLESS, g));
	fx_n(f, AUTHZ_OP_APPLY);
	OK(bw_rule_end(f->w));
	uint8_t *buf;
	authz_bundle_free(fx_load(f, &buf, len));
	return buf;
}

Test(runtime_verify, accepted_mutants_never_crash)
{
	size_t len;
	uint8_t *orig = rich_bundle(&len);
	uint32_t code[64], n = decode_code(orig, code), mut[64];
	uint64_t seed = 42;
	int accepted = 0;
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(mut, code, sizeof mut);
		for (int m = 0; m < 1 + iter % 3; m++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			uint32_t pc = (uint32_t)(seed >> 33) % n;
			uint32_t op = (uint32_t)(seed >> 20) % (AUTHZ_OP_COUNT + 2);
			uint32_t ax = (uint32_t)(seed >> 40) % (iter % 2 ? 4 : 40);
			mut[pc] = AUTHZ_CREATE_AX(op, ax);
		}
		uint8_t *buf = with_code(orig, mut, n, &len);
		authz_bundle *b;
		int rc = authz_bundle_load(&b, buf, len, NULL);
		free(buf);
		if (rc != 0)
			continue;
		accepted++;
		char *line = fx_decide(b, NULL, AUTHZ_DECIDE_TRACE);
		cr_assert(strncmp(line, "{\"decision\":\"", 13) == 0);
		free(line);
		authz_bundle_free(b);
	}
	cr_assert(accepted > 10, "the test must exercise accepted mutants (%d)", accepted);
	free(orig);
}

/* rt_required_build over field tables made by hand: the checks of a tree
 * in field order with their skips; fields shared by two records, or
 * nested deeper than a schema may be, are refused (a loader error). */
static int required_of(struct bundle_field *fields, uint32_t n, uint32_t ntop, authz_bundle *b)
{
	static struct bundle_owner owner;
	memset(b, 0, sizeof *b);
	owner = (struct bundle_owner){ .name = BUNDLE_NO_INDEX, .ntop = ntop, .nall = n };
	b->fields = fields;
	b->nfields = n;
	b->owners = &owner;
	return rt_required_build(b);
}

static void required_free(authz_bundle *b)
{
	free(b->req);
	free(b->req_cond);
	free(b->req_must);
	free(b->req_first);
}

Test(runtime_verify, required_checks_follow_the_field_tree)
{
	authz_bundle b;
	/* a (required), r? { x (required), y? }, s { z } */
	struct bundle_field tree[] = {
		{ .slot = 0, .type = AUTHZ_K_STRING },
		{ .slot = 1, .type = AUTHZ_K_RECORD, .optional = 1, .first_child = 3, .nchild = 2 },
		{ .slot = 2, .type = AUTHZ_K_RECORD, .first_child = 5, .nchild = 1 },
		{ .slot = 3, .type = AUTHZ_K_STRING },
		{ .slot = 4, .type = AUTHZ_K_STRING, .optional = 1 },
		{ .slot = 5, .type = AUTHZ_K_STRING },
	};
	cr_assert_eq(required_of(tree, 6, 3, &b), 0);
	cr_assert_eq(b.req_first[1], 6u);
	static const uint32_t slots[] = { 0, 1, 3, 4, 2, 5 }, skips[] = { 0, 2, 0, 0, 1, 0 };
	for (int i = 0; i < 6; i++) {
		cr_expect_eq(b.req[i].slot, slots[i], "check %d", i);
		cr_expect_eq(b.req[i].skip, skips[i], "check %d", i);
	}
	/* always: a, s, s.z; when r is there: r's subtree */
	cr_assert_eq(b.must_first[1], 3u);
	cr_expect(b.req_must[0] == 0 && b.req_must[1] == 2 && b.req_must[2] == 5);
	cr_assert_eq(b.cond_first[1], 3u);
	cr_expect(b.req_cond[0].slot == 1 && b.req_cond[0].skip == 2 && b.req_cond[1].slot == 3);
	required_free(&b);

	struct bundle_field shared[] = {
		{ .slot = 0, .type = AUTHZ_K_RECORD, .first_child = 2, .nchild = 1 },
		{ .slot = 0, .type = AUTHZ_K_RECORD, .first_child = 2, .nchild = 1 },
		{ .slot = 1, .type = AUTHZ_K_STRING },
	};
	cr_expect_eq(required_of(shared, 3, 2, &b), AUTHZ_EFORMAT);
	required_free(&b);

	struct bundle_field deep[AUTHZ_MAX_DEPTH + 3];
	for (uint32_t i = 0; i < AUTHZ_MAX_DEPTH + 3; i++)
		deep[i] = (struct bundle_field){ .slot = i, .type = AUTHZ_K_RECORD, .first_child = i + 1,
						 .nchild = i + 1 < AUTHZ_MAX_DEPTH + 3 };
	cr_expect_eq(required_of(deep, AUTHZ_MAX_DEPTH + 3, 1, &b), AUTHZ_EFORMAT);
	required_free(&b);
}

/* The hash on its own thread (rt_hash_thread_min 0: every bundle takes the
 * path of a bundle of 1 MiB or more). */
static void threaded(void) { rt_hash_thread_min = 0; }
static void inline_hash(void) { rt_hash_thread_min = (size_t)1 << 20; }

Test(runtime_verify, a_bundle_hashed_on_a_second_thread_loads_and_refuses_the_same,
     .init = threaded, .fini = inline_hash)
{
	size_t len;
	uint8_t *buf = small_bundle(&len);
	authz_bundle *b;
	cr_assert_eq(authz_bundle_load(&b, buf, len, NULL), 0);
	cr_assert_str_eq(authz_bundle_rule_id(b, 0), "r");
	authz_bundle_free(b);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (uint8_t)(1 << bit);
			expect_refused(buf, len, NULL);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	free(buf);
}

Test(runtime_verify, a_digest_mismatch_is_named_whatever_the_sections_hold,
     .init = threaded, .fini = inline_hash)
{
	/* code the verifier refuses, and a digest that does not match: the
	 * digest is what the message names, as when it is checked first */
	size_t len;
	uint8_t *orig = small_bundle(&len);
	uint32_t code[64], n = decode_code(orig, code);
	code[1] = AUTHZ_CREATE_AX(AUTHZ_OP_CONST, 9999);
	uint8_t *buf = with_code(orig, code, n, &len);
	expect_refused(buf, len, "bad bundle format (rule 'r' at 1: constant 9999 out of range)");
	buf[40] ^= 1;
	expect_refused(buf, len, "bad bundle format (digest mismatch)");
	free(buf);
	free(orig);
}

Test(runtime_verify, a_file_hashed_on_a_second_thread_loads, .init = threaded, .fini = inline_hash)
{
	size_t len;
	uint8_t *buf = small_bundle(&len);
	char path[] = "/tmp/authzc-threaded-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	authz_bundle *b;
	authz_error err;
	cr_assert_eq(authz_bundle_load_file(&b, path, &err), 0, "%s", err.message);
	authz_bundle_free(b);
	buf[len - 1] ^= 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	cr_assert_eq(authz_bundle_load_file(&b, path, &err), AUTHZ_EFORMAT);
	cr_assert(strstr(err.message, "digest mismatch"), "%s", err.message);
	unlink(path);
	free(buf);
}
