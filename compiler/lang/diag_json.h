/*
 * diag_json.h: machine-readable renderings of a diag_list, for
 * `authzc check --format json|sarif`.
 *
 * JSON (one object, one line):
 *   {"version":1,"diagnostics":[{"severity","code","message","file","line",
 *    "column","end_line","end_column","json_path","help","notes":[{"message",
 *    "file","line","column"}]}],"errors":N,"warnings":N}
 * Lines and columns are 1-based, columns count characters, end_column is
 * exclusive (one past the last character).  Positions are null for a
 * diagnostic without a span; json_path is present only for diagnostics on
 * JSON files; file is null for a diagnostic about no file.
 *
 * SARIF 2.1.0 as GitHub code scanning reads it: one run, the rule table from
 * diag_codes.def, one result per diagnostic with a stable partial
 * fingerprint.  Every string is made valid UTF-8 (bad bytes become U+FFFD).
 */
#ifndef AUTHZC_DIAG_JSON_H
#define AUTHZC_DIAG_JSON_H

#include <stdio.h>

#include "diag.h"
#include "source.h"

#define AUTHZC_INFO_URI "https://github.com/authzc/authzc"

/* Write the JSON object and a newline to `out`.  0, or -1 out of memory. */
int diag_render_json(FILE *out, const struct srcset *src, const struct diag_list *l);

/* Write a SARIF log to `out`.  Diagnostics about no file are placed at
 * `fallback_uri` line 1 (the project's authzc.json), or get no location
 * when it is NULL.  0, or -1 out of memory. */
int diag_render_sarif(FILE *out, const struct srcset *src, const struct diag_list *l,
		      const char *fallback_uri);

#endif
