/*
 * suggest.h: "did you mean" for every unknown name: commands, types,
 * actions, attributes, rule ids, keys of JSON files.
 */
#ifndef AUTHZC_SUGGEST_H
#define AUTHZC_SUGGEST_H

#include <stddef.h>

/* The closest of `n` candidate names to `name` (edit distance), or NULL when
 * none is close enough to suggest. */
const char *suggest_closest(const char *name, const char *const *candidates, size_t n);

#endif
