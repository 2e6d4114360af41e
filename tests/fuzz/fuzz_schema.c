/*
 * fuzz_schema.c: schema JSON text through schema_load, then its
 * diagnostics rendered.  Property: no crash, no sanitizer report, no hang,
 * and a schema without errors always yields the best-effort schema object.
 */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compilation c;
	compilation_init(&c);
	uint32_t sid = srcset_add(&c.src, "schema.json", (const char *)data, size);
	struct schema *s = NULL;
	schema_load(&c.arena, &c.src, sid, &c.diags, &s);
	if (!s)
		abort();        /* schema_load promises a schema, never NULL */
	for (size_t i = 0; i < s->ntypes; i++)
		if (schema_find_type(s, s->types[i].name) == NULL)
			abort();
	diag_render_text(fuzz_devnull(), &c.src, &c.diags, false);
	compilation_release(&c);
	return 0;
}
