/*
 * test_topn.c - the bounded heap with sequence numbers (topn.c), against
 * a stable sort of the whole stream as the reference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "takesort/topn.h"
#include "unit.h"

/* Blobs are "KEY:payload" strings; the key is a decimal int before ':'. */
static int
key_of(const void *blob)
{
	return atoi(blob);
}

static int
by_key(const void *a, const void *b, void *arg)
{
	int x = key_of(a), y = key_of(b);

	(void)arg;
	return x < y ? -1 : x > y;
}

static int
by_key_desc(const void *a, const void *b, void *arg)
{
	return -by_key(a, b, arg);
}

struct rec {
	int		 key;
	uint64_t	 seq;
};

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Whether offer() passes coarse hints (key / 4) or none. */
static int use_hints;

/* Offers "key:seq" with a payload of varying length, to vary slot sizes. */
static void
offer(struct pf_topn *t, int key, uint64_t seq)
{
	uint64_t hint = use_hints ? (uint64_t)(key + 1000) / 4 : 0;
	char blob[128];
	int n;

	n = snprintf(blob, sizeof(blob), "%d:%llu:%.*s", key,
	    (unsigned long long)seq, (int)(seq % 50), "xxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxx");
	pf_topn_offer(t, blob, (size_t)n + 1, hint, seq);
}

/* Checks that t (sorted) holds exactly the first limit of ref[0..n). */
static void
check_against(struct pf_topn *t, struct rec *ref, size_t n, size_t limit)
{
	size_t want = n < limit ? n : limit, i;
	char expect[64];

	qsort(ref, n, sizeof(*ref), rec_cmp);
	CHECK(t->n == want);
	for (i = 0; i < want && i < t->n; i++) {
		snprintf(expect, sizeof(expect), "%d:%llu:", ref[i].key,
		    (unsigned long long)ref[i].seq);
		CHECK(t->items[i].seq == ref[i].seq);
		CHECK(strncmp(t->items[i].data, expect, strlen(expect)) == 0);
	}
}

static void
test_keeps_first_n(void)
{
	static const size_t limits[] = { 0, 1, 2, 7, 100, 1000, 5000 };
	struct rec *ref = malloc(3000 * sizeof(*ref));
	struct pf_topn t;
	size_t li, i, n = 3000;

	for (li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
		pf_topn_init(&t, limits[li], by_key, NULL);
		for (i = 0; i < n; i++) {
			ref[i].key = (int)(next_rand() % 100) - 50;
			ref[i].seq = i;
			offer(&t, ref[i].key, i);
		}
		CHECK(t.n == (n < limits[li] ? n : limits[li]));
		pf_topn_sort(&t);
		check_against(&t, ref, n, limits[li]);
		pf_topn_free(&t);
	}
	free(ref);
}

static void
test_ties_keep_earliest(void)
{
	struct pf_topn t;
	size_t i;

	pf_topn_init(&t, 3, by_key, NULL);
	/* All equal: the first three offered stay, in order. */
	for (i = 0; i < 10; i++)
		offer(&t, 5, 100 + i);
	pf_topn_sort(&t);
	CHECK(t.n == 3);
	CHECK(t.items[0].seq == 100);
	CHECK(t.items[1].seq == 101);
	CHECK(t.items[2].seq == 102);
	pf_topn_free(&t);

	/* Sequence numbers offered out of order still decide ties. */
	pf_topn_init(&t, 2, by_key, NULL);
	offer(&t, 1, 9);
	offer(&t, 1, 7);
	offer(&t, 1, 8);
	offer(&t, 1, 3);
	pf_topn_sort(&t);
	CHECK(t.n == 2);
	CHECK(t.items[0].seq == 3);
	CHECK(t.items[1].seq == 7);
	pf_topn_free(&t);
}

static void
test_descending_comparator(void)
{
	struct pf_topn t;

	pf_topn_init(&t, 2, by_key_desc, NULL);
	offer(&t, 1, 0);
	offer(&t, 9, 1);
	offer(&t, 5, 2);
	offer(&t, 9, 3);
	pf_topn_sort(&t);
	CHECK(t.n == 2);
	CHECK(key_of(t.items[0].data) == 9 && t.items[0].seq == 1);
	CHECK(key_of(t.items[1].data) == 9 && t.items[1].seq == 3);
	pf_topn_free(&t);
}

static void
test_admits_and_worst(void)
{
	struct pf_topn t;

	pf_topn_init(&t, 2, by_key, NULL);
	CHECK(pf_topn_worst(&t) == NULL);
	CHECK(pf_topn_admits(&t, "100:", 0, 0));
	offer(&t, 4, 0);
	offer(&t, 2, 1);
	CHECK(pf_topn_full(&t));
	CHECK(key_of(pf_topn_worst(&t)->data) == 4);
	CHECK(pf_topn_admits(&t, "3:", 0, 5));
	CHECK(!pf_topn_admits(&t, "4:", 0, 5));	/* a tie, but later */
	CHECK(!pf_topn_admits(&t, "4:", 0, 0));	/* same seq: not before */
	CHECK(!pf_topn_admits(&t, "9:", 0, 2));
	/* A hint decides alone when it differs. */
	CHECK(pf_topn_admits(&t, "9:", UINT64_C(0) - 1, 2) == false);
	offer(&t, 3, 2);
	CHECK(key_of(pf_topn_worst(&t)->data) == 3);
	pf_topn_free(&t);

	pf_topn_init(&t, 0, by_key, NULL);
	CHECK(!pf_topn_admits(&t, "1:", 0, 0));
	CHECK(!pf_topn_offer(&t, "1:", 3, 0, 0));
	CHECK(t.n == 0);
	pf_topn_free(&t);
}

/* Slots reuse the dropped item's buffer; contents must be the new ones. */
static void
test_slot_commit(void)
{
	struct pf_topn t;
	char *p;
	int i;

	pf_topn_init(&t, 3, by_key, NULL);
	for (i = 20; i >= 0; i--) {
		p = pf_topn_slot(&t, 200);
		snprintf(p, 200, "%d:slot", i);
		pf_topn_commit(&t, 0, (uint64_t)(20 - i));
	}
	pf_topn_sort(&t);
	CHECK(t.n == 3);
	CHECK_STR(t.items[0].data, "0:slot");
	CHECK_STR(t.items[1].data, "1:slot");
	CHECK_STR(t.items[2].data, "2:slot");
	CHECK(t.items[0].len == 200);
	pf_topn_free(&t);
}

/* Any split of the stream over several heaps merges to the same result. */
static void
test_merge_any_split(void)
{
	static const size_t limits[] = { 1, 3, 10, 64, 700 };
	enum { N = 2000, HEAPS = 4 };
	struct pf_topn heaps[HEAPS], *ptrs[HEAPS], merged;
	struct rec ref[N];
	size_t li, i, h;

	for (li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
		for (h = 0; h < HEAPS; h++) {
			pf_topn_init(&heaps[h], limits[li], by_key, NULL);
			ptrs[h] = &heaps[h];
		}
		/* Runs of records go to a random heap, like batches. */
		for (i = 0, h = 0; i < N; i++) {
			if (i % 37 == 0)
				h = next_rand() % HEAPS;
			ref[i].key = (int)(next_rand() % 40);
			ref[i].seq = i;
			offer(&heaps[h], ref[i].key, i);
		}
		pf_topn_init(&merged, limits[li], by_key, NULL);
		pf_topn_merge(&merged, ptrs, HEAPS);
		check_against(&merged, ref, N, limits[li]);
		for (h = 0; h < HEAPS; h++) {
			CHECK(heaps[h].n == 0);
			pf_topn_free(&heaps[h]);
		}
		pf_topn_free(&merged);
	}
}

/* A large limit with a large stream must be O(n log N), not quadratic. */
static void
test_large_limit(void)
{
	enum { N = 1000000, LIMIT = 500000 };
	struct pf_topn t;
	char blob[16];
	size_t i;
	int n, prev = -1;
	int ok = 1;

	pf_topn_init(&t, LIMIT, by_key, NULL);
	for (i = 0; i < N; i++) {
		n = snprintf(blob, sizeof(blob), "%d", (int)(next_rand() % 1000000));
		pf_topn_offer(&t, blob, (size_t)n + 1, 0, i);
	}
	CHECK(t.n == LIMIT);
	pf_topn_sort(&t);
	for (i = 0; i < t.n; i++) {
		if (key_of(t.items[i].data) < prev)
			ok = 0;
		prev = key_of(t.items[i].data);
	}
	CHECK(ok);
	pf_topn_free(&t);
}

/* The same checks with hints that are coarser than the keys. */
static void
test_with_hints(void)
{
	use_hints = 1;
	test_keeps_first_n();
	test_ties_keep_earliest();
	test_merge_any_split();
	use_hints = 0;
}

int
main(void)
{
	UNIT_RUN(test_keeps_first_n);
	UNIT_RUN(test_ties_keep_earliest);
	UNIT_RUN(test_descending_comparator);
	UNIT_RUN(test_admits_and_worst);
	UNIT_RUN(test_slot_commit);
	UNIT_RUN(test_merge_any_split);
	UNIT_RUN(test_with_hints);
	UNIT_RUN(test_large_limit);
	return UNIT_DONE();
}
