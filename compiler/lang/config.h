/*
 * config.h: authzc.json, the project configuration (authzc(1), "authzc.json").
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

/* Fill `cfg` with the defaults authzc(1) lists for authzc.json, strings
 * from `a`. */
void project_config_defaults(struct project_config *cfg, struct arena *a);

/*
 * Normalise a project-relative path written in authzc.json: drop "."
 * segments, repeated and trailing '/'.  "" (or ".") is the project root.
 * Returns NULL, with a reason in *why, for an absolute path or one with a
 * ".." segment (a path must stay inside the project: a git tree has no
 * outside).
 */
char *config_norm_path(struct arena *a, const char *path, const char **why);

#endif
