/*
 * json_locate.h: where a JSON path (as json_path_key and json_path_index
 * write them: $, .key, ["key"], [3]) points in a JSON text, so that a
 * diagnostic about schema.json or authzc.json, or an attribute declared
 * there, can be shown at its place in the file.
 */
#ifndef AUTHZC_JSON_LOCATE_H
#define AUTHZC_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_loc {
	uint32_t start, end;            /* the value: [start, end) bytes */
	bool has_key;                   /* the last segment was a member */
	uint32_t key_start, key_end;    /* its key, quotes included */
};

/*
 * Find `path` in text[0..len).  Returns 0 when the whole path was found,
 * 1 when only a leading part was (out then holds the deepest value found),
 * -1 when not even the root value is there or `path` is not a JSON path.
 * Never reads past len; nesting deeper than 512 stops the search.
 */
int json_locate(const char *text, size_t len, const char *path, struct json_loc *out);

#endif
