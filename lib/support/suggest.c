/*
 * suggest.c - edit distances and the nearest name (see suggest.h).
 */
#include <stdlib.h>
#include <string.h>

#include "support/suggest.h"

#define MAX_COUNTED	64

static char
fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c;
}

size_t
pf_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	/* Three rows of the Damerau-Levenshtein (optimal string) table. */
	size_t rows[3][MAX_COUNTED + 2], *prev2 = rows[0], *prev = rows[1],
	    *cur = rows[2], *t, i, j, cost, best;

	if (alen > MAX_COUNTED || blen > MAX_COUNTED)
		return MAX_COUNTED + 1;
	for (j = 0; j <= blen; j++)
		prev[j] = j;
	for (i = 1; i <= alen; i++) {
		cur[0] = i;
		for (j = 1; j <= blen; j++) {
			cost = fold(a[i - 1]) != fold(b[j - 1]);
			best = prev[j - 1] + cost;
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen];
}

/* Whether name starts with typed, ASCII case folded. */
static int
starts_with(const char *name, const char *typed, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0' || fold(name[i]) != fold(typed[i]))
			return 0;
	return 1;
}

long
pf_suggest(const char *typed, size_t len, const char *const *names,
    size_t n)
{
	size_t limit = len <= 2 ? 0 : len <= 4 ? 1 : len <= 8 ? 2 : 3, i, d,
	    best_d;
	long best = -1;

	best_d = limit + 1;
	for (i = 0; i < n; i++) {
		d = pf_edit_distance(typed, len, names[i], strlen(names[i]));
		if (d > limit && len >= 3 && starts_with(names[i], typed, len))
			d = limit;
		if (d < best_d && !(d == 0 && strlen(names[i]) == len &&
		    memcmp(names[i], typed, len) == 0)) {
			best_d = d;
			best = (long)i;
		}
	}
	return best;
}
