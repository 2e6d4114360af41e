/*
 * alloc_fail.h: allocation failure injection for the unit-test binary.
 *
 * malloc, calloc, realloc and free are wrapped for the whole binary
 * (UNIT_WRAP in the Makefile: -Wl,--wrap=...).  While armed, allocation
 * number `at` (1-based, counted from af_arm) fails, and with `rest` every
 * later one too.  Between af_track_begin and af_track_end the wrappers
 * count the blocks allocated and not yet freed: a run that leaks ends
 * above 0.  That is the tests' leak check: under ASan, LeakSanitizer's
 * report at the exit of a criterion test does not fail the test.  Used by
 * test_failclosed.c (load, parse, decide) and test_writer_alloc.c (the
 * compiler's bundle writer).
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
/* Count live blocks from now on: begin before the run under test
 * allocates anything it frees. */
void af_track_begin(void);
/* The blocks allocated since af_track_begin and not freed; stops counting. */
long af_track_end(void);

#endif
