/*
 * alloc_fail.h: allocation failure injection for the unit-test binary.
 *
 * malloc, calloc and realloc are wrapped for the whole binary (UNIT_WRAP
 * in the Makefile: -Wl,--wrap=...).  While armed, allocation number `at`
 * (1-based, counted from af_arm) fails, and with `rest` every later one
 * too.  Used by test_failclosed.c (load, parse, decide) and
 * test_writer_alloc.c (the compiler's bundle writer).
 */
#ifndef TEST_ALLOC_FAIL_H
#define TEST_ALLOC_FAIL_H

/* Arm: fail allocation `at` (and every later one when `rest`). */
void af_arm(unsigned long at, int rest);
/* Disarm; the counters keep their values until the next af_arm. */
void af_disarm(void);
/* Allocations counted since af_arm, and how many of them failed. */
unsigned long af_count(void);
unsigned long af_failed(void);

#endif
