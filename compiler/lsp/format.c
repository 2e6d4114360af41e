/*
 * format.c: textDocument/formatting through fmt_source, the code of
 * `authzc fmt`: the buffer (saved or not) is formatted and proved (same
 * syntax tree, same comments, a fixed point); the answer is one edit that
 * replaces the whole text, or none when it is already formatted.  A file
 * with syntax errors, or one that is not a .authz file, is refused with an
 * error saying why; nothing is written to disk.
 */
#include <string.h>

#include "fmt.h"
#include "lsp_int.h"

cJSON *lsp_formatting(struct lsp_server *s, const cJSON *params)
{
	struct query q;
	if (!query_at(s, params, &q))
		return NULL;
	const char *text = q.doc ? q.doc->text : q.sf ? q.sf->text : NULL;
	size_t len = q.doc ? q.doc->len : q.sf ? q.sf->len : 0;
	size_t ul = strlen(q.uri);
	if (!text || ul < 6 || strcmp(q.uri + ul - 6, ".authz"))
		return cJSON_CreateString("error: only .authz files are formatted");
	struct arena a = ARENA_INIT;
	struct srcset src;
	struct diag_list diags;
	srcset_init(&src, &a);
	diag_list_init(&diags, &a);
	const char *slash = strrchr(q.uri, '/');
	uint32_t id = srcset_add(&src, slash ? slash + 1 : q.uri, text, len);
	char *out = NULL;
	size_t out_len = 0;
	cJSON *res;
	switch (fmt_source(&a, &src, id, &diags, &out, &out_len)) {
	case FMT_OK:
		res = cJSON_CreateArray();
		if (out_len != len || memcmp(out, text, len)) {
			cJSON *edit = cJSON_CreateObject();
			cJSON_AddItemToObject(edit, "range", range_json(s, text, len, 0, (uint32_t)len));
			cJSON_AddStringToObject(edit, "newText", out);
			cJSON_AddItemToArray(res, edit);
		}
		break;
	case FMT_SYNTAX:
		res = cJSON_CreateString("error: the file has syntax errors; fix them first");
		break;
	default:
		res = cJSON_CreateString("error: internal error: formatting would change the "
					 "meaning; the file is left as it is");
		break;
	}
	arena_free(&a);
	return res;
}
