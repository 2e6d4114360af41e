/*
 * closest.c: the declared name closest to a misspelt one (closest.h).
 */
#include <string.h>

#include "closest.h"

#define CLOSEST_MAX 64

static unsigned char fold(unsigned char x)
{
	return x >= 'A' && x <= 'Z' ? (unsigned char)(x - 'A' + 'a') : x;
}

/* Optimal string alignment distance of a[0..n) and b[0..m), both at most
 * CLOSEST_MAX bytes, over three rolling rows. */
static size_t osa(const char *a, size_t n, const char *b, size_t m)
{
	size_t rows[3][CLOSEST_MAX + 1];
	size_t *two = rows[0], *one = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= m; j++)
		one[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t sub = one[j - 1] + (fold((unsigned char)a[i - 1]) != fold((unsigned char)b[j - 1]));
			size_t d = one[j] + 1 < cur[j - 1] + 1 ? one[j] + 1 : cur[j - 1] + 1;
			if (sub < d)
				d = sub;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && two[j - 2] + 1 < d)
				d = two[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = two;
		two = one;
		one = cur;
		cur = t;
	}
	return one[m];
}

void rt_closest_init(struct rt_closest *c, const char *name, size_t len)
{
	c->name = name;
	c->len = len;
	c->limit = len / 3 > 1 ? len / 3 : 1;
	c->best_d = (size_t)-1;
	c->best = NULL;
}

void rt_closest_offer(struct rt_closest *c, const char *candidate)
{
	size_t m = strlen(candidate);
	if (c->len > CLOSEST_MAX || m > CLOSEST_MAX)
		return;
	size_t d = osa(c->name, c->len, candidate, m);
	if (d <= c->limit && d < c->best_d) {
		c->best_d = d;
		c->best = candidate;
	}
}

const char *rt_printable(char *buf, size_t size, const char *name, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 4 < size; i++) {
		if (i == CLOSEST_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		unsigned char ch = (unsigned char)name[i];
		buf[o++] = ch >= ' ' && ch < 0x7f ? (char)ch : '?';
	}
	buf[o] = '\0';
	return buf;
}
