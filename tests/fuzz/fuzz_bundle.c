/*
 * fuzz_bundle.c: bundle bytes through the loader, the verifier and the VM.
 *
 * Each input is loaded twice: as given (almost always refused by the
 * length or digest check), then with its total-length field and SHA-256
 * digest recomputed (authzc-bundle(5), header offsets 24 and 32), so the
 * fuzzer reaches the section parser and the bytecode verifier.  A bundle
 * that loads is disassembled, its rule table read, and a fixed request
 * decided with and without a trace.  Properties: no crash, no sanitizer
 * report, no hang (the verifier promises termination).
 *
 * Signed bundles (authzc-bundle(5), "Signature"): each input is also
 * loaded with the fuzzer's own key trusted, and once more as a version 4
 * bundle re-signed by that key (its last 108 bytes made the signature
 * section of the rest): then, with the key trusted, it must load exactly
 * when it loads without keys, and be marked verified.
 *
 * A bundle of 1 MiB or more is hashed on a second thread while it is
 * decoded: the input as given and its digest-fixed copy are loaded both
 * ways (rt_hash_thread_min 0 for the second), and must get the same
 * verdict, the same message, the same digest.
 */
#include <sodium.h>

#include "bundle.h"
#include "fuzz_common.h"

static const char REQUEST[] =
	"{\"principal\":{\"type\":\"ServiceAccount\",\"id\":\"ci\",\"attrs\":{\"tenant\":\"acme\","
	"\"revoked\":false,\"key_id\":\"k\",\"groups\":[\"deployers\",\"writers\"],"
	"\"issued_at\":\"2026-11-24T09:30:00Z\",\"workload\":{\"signed\":true,"
	"\"spiffe_id\":\"spiffe://acme/ci/deploy\"},\"window\":{\"start\":\"2026-11-24T09:00:00Z\","
	"\"end\":\"2026-11-24T11:00:00Z\"}}},\"action\":\"read\",\"resource\":{\"type\":\"Dataset\","
	"\"id\":\"sales\",\"attrs\":{\"tenant\":\"acme\",\"env\":\"production\",\"department\":\"sales\","
	"\"classification\":\"internal\",\"sensitivity\":3,\"scope\":\"sales\","
	"\"change_tickets\":[\"CHG-42\"],\"legal_holds\":[]}},"
	"\"context\":{\"source_ip\":\"10.1.2.3\",\"ticket\":\"CHG-42\"},"
	"\"time\":\"2026-11-24T10:00:00Z\"}";

static authz_decision *dec;
/* The fuzzer's signing key and its trusted form. */
static unsigned char fz_sk[crypto_sign_SECRETKEYBYTES];
static authz_public_key fz_pk;
static authz_load_options fz_keys = { &fz_pk, 1 };
static unsigned char fz_kid[8];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsigned char seed[crypto_sign_SEEDBYTES];
	memset(seed, 0x5a, sizeof seed);
	char id[AUTHZ_KEY_ID_CHARS + 1];
	if (sodium_init() < 0 || authz_decision_new(&dec) != 0 ||
	    crypto_sign_seed_keypair(fz_pk.key, fz_sk, seed) != 0)
		fuzz_die("setup");
	authz_key_id(&fz_pk, id);
	if (sodium_hex2bin(fz_kid, sizeof fz_kid, id, AUTHZ_KEY_ID_CHARS, NULL, NULL, NULL) != 0)
		fuzz_die("setup");
	return 0;
}

static int sink(const char *text, size_t len, void *payload)
{
	(void)text;
	(void)len;
	(void)payload;
	return 0;
}

/* Load buf[0..len) (with `keys` when not NULL) and use what loads: 1
 * loaded, 0 refused. */
static int exercise(const uint8_t *buf, size_t len, const authz_load_options *keys)
{
	authz_bundle *b = NULL;
	authz_error err;
	if (authz_bundle_load_ex(&b, buf, len, keys, &err) != 0) {
		if (!err.message[0] || err.code == AUTHZ_OK)
			abort();        /* a refusal always says why */
		return 0;
	}
	if (keys && !authz_bundle_signature_verified(b))
		abort();                /* loaded with keys: verified */
	authz_bundle_disasm(b, sink, NULL);
	authz_bundle_digest(b);
	authz_bundle_source_revision(b);
	for (size_t i = 0; i < authz_bundle_rule_count(b); i++) {
		authz_bundle_rule_id(b, i);
		authz_bundle_rule_effect(b, i);
		size_t na = authz_bundle_rule_annotation_count(b, i);
		for (size_t k = 0; k < na; k++) {
			const char *key, *value;
			authz_bundle_rule_annotation(b, i, k, &key, &value);
		}
	}
	authz_request *req = NULL;
	if (authz_request_new(&req, b) == 0) {
		authz_decide_json(dec, b, req, REQUEST, sizeof REQUEST - 1, 0);
		authz_decide_json(dec, b, req, REQUEST, sizeof REQUEST - 1, AUTHZ_DECIDE_EXPLAIN);
		size_t n;
		authz_decision_json(dec, &n);
		for (size_t i = 0; i < authz_decision_trace_count(dec); i++)
			for (size_t k = 0; k < authz_decision_trace_operand_count(dec, i); k++) {
				const char *name, *value;
				authz_decision_trace_operand(dec, i, k, &name, &value);
			}
		authz_request_free(req);
	}
	authz_bundle_free(b);
	return 1;
}

/* The SHA-256 of p[0..32) and p[64..len) into p[32..64). */
static void fix_digest(uint8_t *p, size_t len)
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, p, 32);
	crypto_hash_sha256_update(&st, p + 64, len - 64);
	crypto_hash_sha256_final(&st, p + 32);
}

/* p[0..size): its body p[0..size - 108) made a version 4 bundle with a
 * valid length and digest, and its last 108 bytes its signature section,
 * signed by the fuzzer's key. */
static void resign(uint8_t *p, size_t size)
{
	size_t body = size - 108;
	p[4] = 4;
	p[5] = 0;
	for (int i = 0; i < 8; i++)
		p[24 + i] = (uint8_t)((uint64_t)body >> (8 * i));
	fix_digest(p, body);
	uint8_t *sec = p + body;
	memcpy(sec, "\x1b" "AZS", 4);
	memcpy(sec + 4, fz_kid, 8);
	memcpy(sec + 12, p + 32, 32);
	static const char domain[] = "authzc bundle signature v1";
	uint8_t msg[sizeof domain + 32 + 8];
	memcpy(msg, domain, sizeof domain);
	memcpy(msg + sizeof domain, p + 32, 32);
	memcpy(msg + sizeof domain + 32, fz_kid, 8);
	crypto_sign_detached(sec + 44, NULL, msg, sizeof msg, fz_sk);
}

/* buf[0..len) loaded with its hash inline and on a second thread: the
 * same verdict and message (or digest) both ways, else abort. */
static void same_when_threaded(const uint8_t *buf, size_t len)
{
	authz_bundle *a = NULL, *b = NULL;
	authz_error ea, eb;
	int ra = authz_bundle_load(&a, buf, len, &ea);
	size_t min = rt_hash_thread_min;
	rt_hash_thread_min = 0;
	int rb = authz_bundle_load(&b, buf, len, &eb);
	rt_hash_thread_min = min;
	if (ra != rb || (ra && strcmp(ea.message, eb.message)) ||
	    (!ra && strcmp(authz_bundle_digest(a), authz_bundle_digest(b))))
		abort();
	authz_bundle_free(a);
	authz_bundle_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	same_when_threaded(data, size);
	exercise(data, size, NULL);
	exercise(data, size, &fz_keys);
	if (size < 64)
		return 0;
	uint8_t *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	uint64_t total = size;
	for (int i = 0; i < 8; i++)
		copy[24 + i] = (uint8_t)(total >> (8 * i));
	fix_digest(copy, size);
	exercise(copy, size, NULL);
	same_when_threaded(copy, size);
	if (size >= 72 + 108) {
		memcpy(copy, data, size);
		resign(copy, size);
		if (exercise(copy, size, NULL) != exercise(copy, size, &fz_keys))
			abort();        /* a good signature by a trusted key changes nothing */
	}
	free(copy);
	return 0;
}
