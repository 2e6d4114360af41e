/*
 * fixture.c: files under tests/fixtures/, read once (see fixture.h).
 */
#include "fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

#ifndef TEST_FIXTURES
#error "TEST_FIXTURES must name the tests/fixtures/ folder"
#endif

/* The fixtures read so far: a few per test, so a list is enough. */
struct fixture {
	struct fixture *next;
	char *rel, *text;
};

static struct fixture *loaded;

const char *fixture_text(const char *rel)
{
	for (struct fixture *f = loaded; f; f = f->next)
		if (!strcmp(f->rel, rel))
			return f->text;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", TEST_FIXTURES, rel);
	char *buf = NULL;
	size_t len = 0;
	int rc = fileio_read(path, &buf, &len, NULL), err = errno;
	cr_assert_eq(rc, 0, "cannot read fixture '%s': %s", path, fileio_reason(err));
	char *text = realloc(buf, len + 1);
	struct fixture *f = malloc(sizeof *f);
	cr_assert(text && f, "out of memory reading fixture '%s'", path);
	text[len] = '\0';
	cr_assert_eq(strlen(text), len, "fixture '%s' holds a NUL byte", path);
	f->rel = strdup(rel);
	cr_assert_not_null(f->rel);
	f->text = text;
	f->next = loaded;
	loaded = f;
	return text;
}
