/*
 * json.h: JSON text the compiler writes, and the helpers its two JSON
 * readers (authzc.json in lang/config.c, the schema in lang/schema.c)
 * share to name what they find: JSON paths, the kind of a value, a key
 * among the known ones.
 */
#ifndef AUTHZC_JSON_H
#define AUTHZC_JSON_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"

/*
 * Append s[0..n) as a JSON string, quotes included: '"' and '\\' get a
 * backslash, newline, tab and carriage return are \n \t \r, every other
 * byte below 0x20 and 0x7f is \u00xx (lowercase hex), and each byte that
 * is not part of a valid UTF-8 character is replaced by U+FFFD, so the
 * result is valid JSON whatever the bytes.
 */
void json_put_str(struct buf *b, const char *s, size_t n);

/* Is `s` an identifier: an ASCII letter or '_', then letters, digits and
 * '_'?  Such a key is written .key in a path (json_path_key); the schema
 * asks the same of the names of types and attributes. */
bool json_is_ident(const char *s);

/* The path of member `key` of the value at path `parent`: parent.key for
 * an identifier, else parent["key"] with the key written as a JSON string
 * (json_put_str), never cut: $.types.User, $.actions["s3:Get"]. */
char *json_path_key(struct arena *a, const char *parent, const char *key);

/* The path of element `i` of the array at path `parent`: parent[i]. */
char *json_path_index(struct arena *a, const char *parent, size_t i);

/* What `v` is, with its article, for "expected X, found Y": "an object",
 * "an array", "a string", "a number", "a boolean", "null". */
const char *json_kind(const cJSON *v);

/* The index of `key` in known[0..n), or -1. */
int json_key_index(const char *key, const char *const *known, size_t n);

#endif
