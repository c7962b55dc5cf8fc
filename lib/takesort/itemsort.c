/*
 * itemsort.c - sorts the whole sort's items (a record's hint, input
 * position and blob) in memory: a radix sort of the hints when they
 * decide the order alone, else an introsort with item_before() inlined,
 * so that most comparisons are of two hints, or of two hints and two
 * positions when the hints are exact, without touching the records.
 */
#include <stdlib.h>
#include <string.h>

#include "support/xalloc.h"
#include "takesort/keyvalue.h"
#include "takesort/takesort_int.h"

#define SMALL_SORT	16

static inline void
swap_items(struct sort_item *a, struct sort_item *b)
{
	struct sort_item t = *a;

	*a = *b;
	*b = t;
}

static void
insertion_sort(const struct takesort *ts, unsigned m, struct sort_item *a,
    size_t n)
{
	struct sort_item t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		t = a[i];
		for (j = i; j > 0 && item_before(ts, m, &t, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

static void
heap_sift(const struct takesort *ts, unsigned m, struct sort_item *a,
    size_t n, size_t i)
{
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && item_before(ts, m, &a[c], &a[c + 1]))
			c++;
		if (!item_before(ts, m, &a[i], &a[c]))
			return;
		swap_items(&a[i], &a[c]);
		i = c;
	}
}

/* The fallback when quicksort's pivots keep going wrong. */
static void
heap_sort(const struct takesort *ts, unsigned m, struct sort_item *a, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0; )
		heap_sift(ts, m, a, n, i);
	while (n > 1) {
		swap_items(&a[0], &a[--n]);
		heap_sift(ts, m, a, n, 0);
	}
}

/*
 * Introsort: quicksort on the median of three, heapsort past a depth
 * limit, insertion sort for short ranges. No two items are equal (their
 * positions differ), so no care for runs of equal keys is needed.
 */
static void
intro_sort(const struct takesort *ts, unsigned m, struct sort_item *a,
    size_t n, unsigned depth)
{
	size_t i, j, mid;

	while (n > SMALL_SORT) {
		if (depth-- == 0) {
			heap_sort(ts, m, a, n);
			return;
		}
		mid = n / 2;
		if (item_before(ts, m, &a[mid], &a[0]))
			swap_items(&a[mid], &a[0]);
		if (item_before(ts, m, &a[n - 1], &a[mid])) {
			swap_items(&a[n - 1], &a[mid]);
			if (item_before(ts, m, &a[mid], &a[0]))
				swap_items(&a[mid], &a[0]);
		}
		swap_items(&a[0], &a[mid]);	/* the pivot, at a[0] */
		i = 0;
		j = n;
		for (;;) {
			do
				i++;
			while (i < n && item_before(ts, m, &a[i], &a[0]));
			do
				j--;
			while (item_before(ts, m, &a[0], &a[j]));
			if (i >= j)
				break;
			swap_items(&a[i], &a[j]);
		}
		swap_items(&a[0], &a[j]);
		/* Recurse into the shorter side, loop on the longer. */
		if (j < n - j - 1) {
			intro_sort(ts, m, a, j, depth);
			a += j + 1;
			n -= j + 1;
		} else {
			intro_sort(ts, m, a + j + 1, n - j - 1, depth);
			n = j;
		}
	}
	insertion_sort(ts, m, a, n);
}

/*
 * A stable LSD radix sort of the items by hint, a byte at a time, only
 * the bytes in which some hints differ (vary); through scratch, n items.
 * With backward set, the items are taken as if in the opposite order,
 * so that equal hints end in that order.
 */
static void
radix_sort(struct sort_item *a, struct sort_item *scratch, size_t n,
    uint64_t vary, bool backward)
{
	size_t (*count)[256] = pf_xcalloc(8, sizeof(*count));
	struct sort_item *from = a, *to = scratch, *t;
	size_t i, k, sum, c;
	unsigned byte, shift;

	for (i = 0; i < n; i++)
		for (byte = 0; byte < 8; byte++)
			count[byte][(a[i].hint >> 8 * byte) & 0xff]++;
	for (byte = 0; byte < 8; byte++) {
		shift = 8 * byte;
		if (((vary >> shift) & 0xff) == 0)
			continue;
		for (sum = 0, i = 0; i < 256; i++) {
			c = count[byte][i];
			count[byte][i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			k = backward ? n - 1 - i : i;
			to[count[byte][(from[k].hint >> shift) & 0xff]++] =
			    from[k];
		}
		backward = false;
		t = from;
		from = to;
		to = t;
	}
	for (i = 0; backward && i < n / 2; i++)	/* every hint the same */
		swap_items(&a[i], &a[n - 1 - i]);
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
	free(count);
}

/*
 * Sorts items under the outcome m, their hints made for it first. When
 * every hint is exact (one key; see hint_exact) the order is the hints',
 * then the input positions': items in input order, or in its reverse (a
 * worker's buffer, filled downwards), then need only a stable sort by
 * hint, the radix sort, when the caller has room for it (scratch, n
 * items; or NULL).
 */
void
sort_items(const struct takesort *ts, unsigned m, struct sort_item *a,
    size_t n, struct sort_item *scratch)
{
	unsigned depth = 0;
	uint64_t vary = 0, pos, last = 0;
	bool exact = scratch != NULL, up = true, down = true;
	size_t i;

	for (i = 0; i < n; i++) {
		a[i].hint = hint_of(ts, &a[i].blob->vals[0], m);
		pos = a[i].order & ~ITEM_EXACT;
		a[i].order = pos;
		if (hint_exact(ts, &a[i].blob->vals[0], m))
			a[i].order |= ITEM_EXACT;
		else
			exact = false;
		if (i > 0) {
			up = up && pos > last;
			down = down && pos < last;
		}
		last = pos;
		vary |= a[i].hint ^ a[0].hint;
	}
	if (exact && (up || down)) {
		radix_sort(a, scratch, n, vary, !up);
		return;
	}
	for (i = n; i > 1; i >>= 1)
		depth += 2;
	intro_sort(ts, m, a, n, depth);
}
