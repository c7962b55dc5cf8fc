/*
 * test_sketch.c - HyperLogLog and DDSketch (support/sketch.h): their
 * bounds on random data, and merges that give the same state whatever
 * the split and order of the values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support/sketch.h"
#include "support/table.h"
#include "unit.h"

/* xorshift64*: the same numbers on every system. */
static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static double
uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static void
test_hll_bounds(void)
{
	static const uint64_t sizes[] = { 1, 10, 1000, 20000, 300000 };
	struct pf_hll h;
	char key[32];
	size_t i, k;
	double e;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(&h, 0, sizeof(h));
		for (i = 0; i < sizes[k]; i++) {
			int n = snprintf(key, sizeof(key), "v%zu-%zu", k, i);

			pf_hll_add(&h, pf_hash(key, (size_t)n));
			pf_hll_add(&h, pf_hash(key, (size_t)n));  /* again */
		}
		e = pf_hll_estimate(&h);
		if (fabs(e - (double)sizes[k]) > 0.0243 * (double)sizes[k] + 1)
			printf("# %zu values: estimate %.1f\n",
			    (size_t)sizes[k], e);
		CHECK(fabs(e - (double)sizes[k]) <=
		    0.0243 * (double)sizes[k] + 1);
		pf_hll_free(&h);
	}
	memset(&h, 0, sizeof(h));
	CHECK(pf_hll_estimate(&h) == 0);
}

static void
test_hll_merge(void)
{
	struct pf_hll all = { 0 }, a = { 0 }, b = { 0 };
	uint64_t v;
	size_t i;

	for (i = 0; i < 50000; i++) {
		v = next();
		pf_hll_add(&all, v);
		pf_hll_add(i % 3 ? &a : &b, v);
	}
	pf_hll_merge(&b, &a);
	CHECK(memcmp(all.reg, b.reg, 1u << PF_HLL_BITS) == 0);
	pf_hll_free(&all);
	pf_hll_free(&a);
	pf_hll_free(&b);
}

static int
by_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void
test_dds_ranks(void)
{
	enum { N = 20000 };
	double *v = malloc(N * sizeof(*v)), got;
	struct pf_dds d = { 0 }, a = { 0 }, b = { 0 };
	size_t i, bad = 0;

	for (i = 0; i < N; i++) {
		/* both signs, zeros, 12 decades */
		v[i] = i % 97 == 0 ? 0 : (uniform() < 0.3 ? -1 : 1) *
		    exp(uniform() * 28 - 14);
		pf_dds_add(&d, v[i], 1);
		pf_dds_add(i % 2 ? &a : &b, v[i], 1);
	}
	qsort(v, N, sizeof(*v), by_double);
	for (i = 0; i < N; i++) {
		got = pf_dds_at_rank(&d, i);
		if (fabs(got - v[i]) > PF_DDS_ALPHA * fabs(v[i]) * 1.000001)
			bad++;
	}
	CHECK(bad == 0);
	pf_dds_merge(&a, &b);
	CHECK(a.total == d.total && a.zeros == d.zeros);
	for (i = 0; i < N; i++)
		CHECK(pf_dds_at_rank(&a, i) == pf_dds_at_rank(&d, i));
	pf_dds_free(&d);
	pf_dds_free(&a);
	pf_dds_free(&b);
	free(v);
}

static void
test_dds_counts_and_infinities(void)
{
	struct pf_dds d = { 0 };

	pf_dds_add(&d, 5, 3);
	pf_dds_add(&d, INFINITY, 1);
	pf_dds_add(&d, -INFINITY, 2);
	pf_dds_add(&d, 1e-310, 1);	/* below PF_DDS_TINY: 0 */
	CHECK(d.total == 7);
	CHECK(pf_dds_at_rank(&d, 0) == -INFINITY);
	CHECK(pf_dds_at_rank(&d, 1) == -INFINITY);
	CHECK(pf_dds_at_rank(&d, 2) == 0);
	CHECK(fabs(pf_dds_at_rank(&d, 3) - 5) <= 0.05);
	CHECK(fabs(pf_dds_at_rank(&d, 5) - 5) <= 0.05);
	CHECK(pf_dds_at_rank(&d, 6) == INFINITY);
	pf_dds_free(&d);
}

int
main(void)
{
	UNIT_RUN(test_hll_bounds);
	UNIT_RUN(test_hll_merge);
	UNIT_RUN(test_dds_ranks);
	UNIT_RUN(test_dds_counts_and_infinities);
	return UNIT_DONE();
}
