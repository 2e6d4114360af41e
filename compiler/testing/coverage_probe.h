/*
 * coverage_probe.h: the guard coverage of forbid rules (coverage.h): which
 * guard alone kept a forbid from applying in a test, decided against the
 * probe bundle (codegen_probe_bundle).  Internal to compiler/testing.
 */
#ifndef AUTHZC_COVERAGE_PROBE_H
#define AUTHZC_COVERAGE_PROBE_H

#include <stddef.h>

#include "coverage.h"

/* Build the probe bundle of cov->c when it has forbid guards (cov->probe
 * stays NULL when not).  On failure cov->probe_failed is set with
 * cov->probe_msg, and every forbid guard stays uncovered: never covered by
 * a guess. */
void cov_probe_init(struct coverage *cov);
/* Record test `test`, in which forbid cov->rules[rule] was held back by
 * guard `guard`: the guard is covered when the probe rule without it
 * applies to the test's request. */
void cov_probe_record(struct coverage *cov, size_t test, size_t rule, size_t guard);
void cov_probe_release(struct coverage *cov);

#endif
