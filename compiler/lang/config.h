/*
 * config.h: authzc.json, the project configuration (CLI.md "authzc.json").
 *
 * project_load_config() (project.h) is implemented in config.c; this header
 * adds what project.c and the tests need besides.
 */
#ifndef AUTHZC_CONFIG_H
#define AUTHZC_CONFIG_H

#include <stddef.h>

#include "arena.h"
#include "project.h"

#define CONFIG_FILE_NAME "authzc.json"

/* Fill `cfg` with the defaults of CLI.md, strings from `a`. */
void project_config_defaults(struct project_config *cfg, struct arena *a);

/*
 * Normalise a project-relative path written in authzc.json: drop "."
 * segments, repeated and trailing '/'.  "" (or ".") is the project root.
 * Returns NULL, with a reason in *why, for an absolute path or one with a
 * ".." segment (a path must stay inside the project: a git tree has no
 * outside).
 */
char *config_norm_path(struct arena *a, const char *path, const char **why);

/* `s` (len bytes) made safe to print inside 'quotes': control bytes and
 * invalid UTF-8 as \xNN, quote and backslash escaped, cut after `max`
 * characters with "...". */
char *text_show(struct arena *a, const char *s, size_t len, size_t max);

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 when
 * the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
