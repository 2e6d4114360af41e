/*
 * fuzz_policy.c: a policy or test file, through the whole front end.
 *
 * The input is one .authz file ("tests/f_test.authz" when it mentions
 * `test "` or `request `, else "policies/f.authz") checked against
 * examples/schema.json.  Properties, beyond "no crash, no sanitizer report,
 * no hang":
 *   - a file that checks without errors compiles to a bundle that
 *     authz_bundle_load accepts (unless codegen reports a format limit);
 *   - fmt_source (format, re-parse, same AST, same comments, fixed point)
 *     never returns FMT_UNSAFE;
 *   - rendering the diagnostics (line/column maps, snippets) is safe.
 */
#include "fuzz_common.h"
#include "fmt.h"

static char *schema_text;
static size_t schema_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	schema_text = fuzz_read_example("schema.json", &schema_len);
	return 0;
}

static int mentions(const uint8_t *d, size_t n, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= n; i++)
		if (!memcmp(d + i, word, w))
			return 1;
	return 0;
}

static void check_and_compile(const char *name, const uint8_t *data, size_t size)
{
	struct compilation c;
	compilation_init(&c);
	c.now_ms = FUZZ_NOW_MS;
	uint32_t sid = srcset_add(&c.src, "schema.json", schema_text, schema_len);
	c.schema_file = sid;
	if (schema_load(&c.arena, &c.src, sid, &c.diags, &c.schema) != 0)
		fuzz_die("examples/schema.json does not load");
	c.has_schema = true;
	project_add_source(&c, name, (const char *)data, size);
	if (compilation_parse(&c) == 0 && compilation_check(&c) == 0) {
		uint8_t *buf = NULL;
		size_t len = 0;
		if (codegen_bundle(&c, "fuzz", &buf, &len) == 0) {
			authz_bundle *b = NULL;
			authz_error err;
			if (authz_bundle_load(&b, buf, len, &err) != 0) {
				fprintf(stderr, "checked policy gives a bundle that does not load: %s\n",
					err.message);
				abort();
			}
			authz_bundle_free(b);
			free(buf);
		}
	}
	diag_render_text(fuzz_devnull(), &c.src, &c.diags, false);
	compilation_release(&c);
}

static void format(const char *name, const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct srcset src;
	struct diag_list diags;
	srcset_init(&src, &a);
	diag_list_init(&diags, &a);
	uint32_t id = srcset_add(&src, name, (const char *)data, size);
	char *out = NULL;
	size_t out_len = 0;
	if (fmt_source(&a, &src, id, &diags, &out, &out_len) == FMT_UNSAFE) {
		fprintf(stderr, "fmt_source: the formatted text does not mean the same\n");
		abort();
	}
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name = mentions(data, size, "test \"") || mentions(data, size, "request ")
		? "tests/f_test.authz" : "policies/f.authz";
	check_and_compile(name, data, size);
	format(name, data, size);
	return 0;
}
