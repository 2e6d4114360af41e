/*
 * fixture.h: files under tests/fixtures/ (schemas shared by several test
 * files), read at test time.  The folder's absolute path is compiled into
 * fixture.c (TEST_FIXTURES, set by the Makefile), so a test finds its
 * fixtures wherever it runs, even after changing the current folder.
 */
#ifndef AUTHZC_TEST_FIXTURE_H
#define AUTHZC_TEST_FIXTURE_H

/*
 * The text of tests/fixtures/<rel>, NUL-terminated.  Read once per process
 * and kept until it exits (the pointer stays valid); the calling test
 * fails when the file cannot be read.
 */
const char *fixture_text(const char *rel);

#endif
