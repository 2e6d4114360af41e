/*
 * grow.h: the growth rule of the runtime's growable arrays (internal).
 */
#ifndef AUTHZ_GROW_H
#define AUTHZ_GROW_H

#include <stdint.h>
#include <stdlib.h>

#include "authz.h"

/*
 * Make room for `need` elements of `size` bytes in *p, which has room for
 * *cap: nothing when it has; else the capacity doubles (from 16) until it
 * fits, and *p moves.  0, or AUTHZ_ENOMEM with *p and *cap as they were.
 * Inline: deciding calls it with room to spare, a compare and no call.
 */
static inline int rt_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / size)
		return AUTHZ_ENOMEM;
	void *q = realloc(*p, c * size);
	if (!q)
		return AUTHZ_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

#endif
