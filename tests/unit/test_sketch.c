/*
 * test_sketch.c - HyperLogLog, DDSketch, Count-Min and the occurrence
 * sample (support/sketch.h): their bounds on random data, and merges
 * that give the same state whatever the split and order of the values.
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

/*
 * A stream of 200000 values: heavy hitters h0..h9 making 30%, 15%, ...
 * of it (30 / (i + 1) %), the rest spread over 50000 values. Count-Min
 * never under-counts and over-counts by more than its bound for almost
 * none (the bound holds with probability 98% each); the sample holds
 * every heavy hitter and is the same split three ways in any order.
 */
static void
test_heavy_hitters(void)
{
	enum { N = 200000, HEAVY = 10, LIGHT = 50000 };
	static uint32_t stream[N];
	static uint64_t truth[HEAVY + LIGHT];
	struct pf_cms all = { 0 }, part[3] = { { 0 } };
	struct pf_sample sall, spart[3];
	char key[32];
	size_t i, j, over = 0, found;
	uint64_t h, est, bound;
	double u, cum;
	int n;

	pf_sample_init(&sall);
	for (j = 0; j < 3; j++)
		pf_sample_init(&spart[j]);
	for (i = 0; i < N; i++) {
		u = uniform();
		stream[i] = HEAVY + (uint32_t)(next() % LIGHT);
		for (j = 0, cum = 0; j < HEAVY; j++) {
			cum += 0.3 / (double)(j + 1);
			if (u < cum * 0.5) {	/* 0.15 / (j+1) .. sums to 44% */
				stream[i] = (uint32_t)j;
				break;
			}
		}
		truth[stream[i]]++;
	}
	/* The parts take every third value, backwards. */
	for (i = N; i-- > 0;) {
		n = snprintf(key, sizeof(key), "v%u", stream[i]);
		h = pf_hash(key, (size_t)n);
		pf_cms_add(&all, h, 1);
		pf_cms_add(&part[i % 3], h, 1);
		pf_sample_add(&spart[i % 3], pf_sample_priority(i + 1, 7),
		    i + 1, key, (size_t)n);
	}
	for (i = 0; i < N; i++) {	/* the whole, forwards */
		n = snprintf(key, sizeof(key), "v%u", stream[i]);
		pf_sample_add(&sall, pf_sample_priority(i + 1, 7), i + 1,
		    key, (size_t)n);
	}
	bound = pf_cms_bound(&all);
	CHECK(all.total == N && bound == (uint64_t)(N * 2.718281828459045 /
	    PF_CMS_WIDTH));
	for (i = 0; i < HEAVY + LIGHT; i++) {
		n = snprintf(key, sizeof(key), "v%zu", i);
		est = pf_cms_estimate(&all, pf_hash(key, (size_t)n));
		CHECK(est >= truth[i]);
		over += est - truth[i] > bound;
	}
	CHECK(over <= (HEAVY + LIGHT) / 50);	/* at most 2%: here none */
	CHECK(over == 0);
	pf_cms_merge(&part[0], &part[1]);
	pf_cms_merge(&part[0], &part[2]);
	CHECK(part[0].total == all.total && memcmp(part[0].count, all.count,
	    PF_CMS_DEPTH * PF_CMS_WIDTH * sizeof(uint64_t)) == 0);

	/* The sample: PF_SAMPLE_SIZE of them, the lowest priorities. */
	pf_sample_merge(&spart[2], &spart[0]);
	pf_sample_merge(&spart[2], &spart[1]);
	CHECK(sall.n == PF_SAMPLE_SIZE && spart[2].n == PF_SAMPLE_SIZE);
	for (i = 0, found = 0; i < sall.n; i++)
		for (j = 0; j < spart[2].n; j++)
			found += sall.item[i].position ==
			    spart[2].item[j].position &&
			    sall.item[i].len == spart[2].item[j].len &&
			    memcmp(sall.item[i].bytes, spart[2].item[j].bytes,
			    sall.item[i].len) == 0;
	CHECK(found == PF_SAMPLE_SIZE);
	for (i = 0, cum = 0; i < N; i++)	/* the limit: the highest, - 1 */
		if (pf_sample_priority(i + 1, 7) <= sall.limit + 1)
			cum++;
	CHECK(cum == PF_SAMPLE_SIZE);
	for (j = 0; j < HEAVY; j++) {
		n = snprintf(key, sizeof(key), "v%zu", j);
		for (i = 0, found = 0; i < sall.n; i++)
			found += sall.item[i].len == (size_t)n &&
			    memcmp(sall.item[i].bytes, key, (size_t)n) == 0;
		CHECK(found > 0);	/* 1.5% or more of the stream */
	}
	pf_cms_free(&all);
	for (j = 0; j < 3; j++) {
		pf_cms_free(&part[j]);
		pf_sample_free(&spart[j]);
	}
	pf_sample_free(&sall);
}

/* Values past PF_SAMPLE_MAXLEN keep their place but not their bytes. */
static void
test_sample_long_values(void)
{
	static char big[PF_SAMPLE_MAXLEN + 1];
	struct pf_sample a, b;
	size_t i, nobytes = 0;

	memset(big, 'x', sizeof(big));
	pf_sample_init(&a);
	pf_sample_init(&b);
	pf_sample_add(&a, 5, 1, big, PF_SAMPLE_MAXLEN);
	pf_sample_add(&a, 3, 2, big, PF_SAMPLE_MAXLEN + 1);
	pf_sample_merge(&b, &a);
	CHECK(b.n == 2);
	for (i = 0; i < b.n; i++) {
		CHECK(b.item[i].len == PF_SAMPLE_MAXLEN +
		    (b.item[i].position == 2));
		if (b.item[i].bytes == NULL)
			nobytes++;
		else
			CHECK(memcmp(b.item[i].bytes, big,
			    PF_SAMPLE_MAXLEN) == 0);
	}
	CHECK(nobytes == 1);
	pf_sample_free(&a);
	pf_sample_free(&b);
}

int
main(void)
{
	UNIT_RUN(test_hll_bounds);
	UNIT_RUN(test_hll_merge);
	UNIT_RUN(test_dds_ranks);
	UNIT_RUN(test_dds_counts_and_infinities);
	UNIT_RUN(test_heavy_hitters);
	UNIT_RUN(test_sample_long_values);
	return UNIT_DONE();
}
