/*
 * fuzz_request.c: request JSON decided against the examples/ bundle.
 *
 * authz_request_parse_json, then authz_decide (with a trace when the input
 * length is odd) and the decision's JSON line.  Properties: no crash, no
 * sanitizer report; a request that carries a request error is never
 * allowed (fail closed).
 */
#include "fuzz_common.h"

static authz_bundle *bundle;
static authz_request *req;
static authz_decision *dec;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bundle = fuzz_examples_bundle();
	if (authz_request_new(&req, bundle) != 0 || authz_decision_new(&dec) != 0)
		fuzz_die("out of memory");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (authz_request_parse_json(req, (const char *)data, size) != 0)
		return 0;       /* AUTHZ_ENOMEM only */
	static const unsigned flags[] = { 0, AUTHZ_DECIDE_TRACE, AUTHZ_DECIDE_EXPLAIN };
	int rc = authz_decide(dec, bundle, req, flags[size % 3]);
	int allowed = authz_decision_allowed(dec);
	if (rc != 0 && allowed)
		abort();
	for (size_t i = 0; i < authz_decision_error_count(dec); i++) {
		int kind;
		const char *rule, *msg;
		authz_decision_error(dec, i, &kind, &rule, &msg);
		if (kind == AUTHZ_ERR_REQUEST && allowed)
			abort();        /* a bad request must be denied */
	}
	size_t len;
	authz_decision_json(dec, &len);
	return 0;
}
