/*
 * sketch.h - mergeable sketches whose state depends only on the multiset
 * of values added (not their order), so that merging per-thread sketches
 * gives the same result for every split of the input: HyperLogLog for
 * the number of distinct values, DDSketch for quantiles.
 *
 * HyperLogLog (Flajolet et al., 2007): 2^PF_HLL_BITS one-byte registers
 * of 64-bit hashes; the estimate's relative standard error is
 * 1.04 / sqrt(2^PF_HLL_BITS) = 0.81%, so PF_HLL_BOUND (3 standard
 * errors) holds in more than 99% of cases; small counts use linear
 * counting (exact up to a few hundred values in practice).
 *
 * DDSketch (Masson et al., 2019): counts per logarithmic bucket of
 * ratio (1 + a) / (1 - a), a = PF_DDS_ALPHA, for the positive and the
 * negative values, and a count of zeros. The value it gives for a rank
 * is within a relative error a of the true value at that rank, always.
 */
#ifndef PF_SKETCH_H
#define PF_SKETCH_H

#include <stdint.h>
#include <stddef.h>

#define PF_HLL_BITS	14
#define PF_HLL_BOUND	"2.43%"		/* 3 x 1.04 / sqrt(2^14) */
#define PF_DDS_ALPHA	0.01
#define PF_DDS_BOUND	"1%"		/* PF_DDS_ALPHA */
#define PF_DDS_TINY	1e-300	/* smaller magnitudes count as 0 */

struct pf_hll {
	uint8_t	*reg;		/* 2^PF_HLL_BITS registers, or NULL: empty */
};

/* Adds a value by its 64-bit hash (pf_hash). */
void pf_hll_add(struct pf_hll *h, uint64_t hash);
/* Merges src into dst. */
void pf_hll_merge(struct pf_hll *dst, const struct pf_hll *src);
/* The estimated number of distinct values added. */
double pf_hll_estimate(const struct pf_hll *h);
void pf_hll_free(struct pf_hll *h);

/* Counts per bucket index lo .. lo + n - 1. */
struct pf_dds_store {
	uint64_t	*counts;
	int32_t		 lo;
	uint32_t	 n;
};

struct pf_dds {
	struct pf_dds_store pos, neg;	/* neg holds -x */
	uint64_t	 zeros;		/* and values below PF_DDS_TINY */
	uint64_t	 neg_inf, pos_inf;
	uint64_t	 total;
};

/* Adds n values x (finite or not: infinities go to the last buckets). */
void pf_dds_add(struct pf_dds *d, double x, uint64_t n);
void pf_dds_merge(struct pf_dds *dst, const struct pf_dds *src);
/*
 * The value at 0-based rank r < total, within the relative error
 * PF_DDS_ALPHA of the true one.
 */
double pf_dds_at_rank(const struct pf_dds *d, uint64_t r);
void pf_dds_free(struct pf_dds *d);

#endif
