/*
 * sym_lint.h: the lint of `authzc check`, by the solver (sym_lint.c,
 * authzc-check(1), LINT).
 */
#ifndef AUTHZC_SYM_LINT_H
#define AUTHZC_SYM_LINT_H

#include <stddef.h>

#include "project.h"
#include "sym.h"

/* Compile c (checked, without errors) in memory and add a diagnostic for
 * each rule that never matters: W0601 never applies, W0602 a permit that
 * never decides, W0603 can fail, I0604 a forbid that applies to every
 * request of its scope.  Returns how many were added. */
size_t sym_lint_check(struct compilation *c, const struct sym_opts *o);

#endif
