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
 */
#include <sodium.h>

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0 || authz_decision_new(&dec) != 0)
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

static void exercise(const uint8_t *buf, size_t len)
{
	authz_bundle *b = NULL;
	authz_error err;
	if (authz_bundle_load(&b, buf, len, &err) != 0) {
		if (!err.message[0] || err.code == AUTHZ_OK)
			abort();        /* a refusal always says why */
		return;
	}
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	exercise(data, size);
	if (size < 64)
		return 0;
	uint8_t *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	uint64_t total = size;
	for (int i = 0; i < 8; i++)
		copy[24 + i] = (uint8_t)(total >> (8 * i));
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, copy, 32);
	crypto_hash_sha256_update(&st, copy + 64, size - 64);
	crypto_hash_sha256_final(&st, copy + 32);
	exercise(copy, size);
	free(copy);
	return 0;
}
