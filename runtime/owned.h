/*
 * owned.h: how a runtime struct lists the arrays it owns (internal).
 *
 * A struct that owns heap arrays lists them once, in an X-macro next to
 * it: LIST(X, s) expands X(s, element type, member) for each array.  The
 * struct declares them with LIST(RT_OWNED_MEMBER, ) and its free function
 * frees them with LIST(RT_OWNED_FREE, pointer), so an array added to the
 * list is declared and freed in one edit.  To check what a struct owns,
 * read its list: every other pointer member points into a listed array,
 * or the struct's comment says how it is freed.
 */
#ifndef AUTHZ_OWNED_H
#define AUTHZ_OWNED_H

#include <stdlib.h>

#define RT_OWNED_MEMBER(s, type, name) type *name;
#define RT_OWNED_FREE(s, type, name) free((void *)(s)->name);

#endif
