/*
 * sketch.h - mergeable sketches whose state depends only on the multiset
 * of values added (not their order), so that merging per-thread sketches
 * gives the same result for every split of the input: HyperLogLog for
 * the number of distinct values, DDSketch for quantiles, Count-Min and
 * a sample of occurrences for the most common values.
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
 *
 * Count-Min (Cormode and Muthukrishnan, 2005): PF_CMS_DEPTH rows of
 * PF_CMS_WIDTH counters; a value adds its count to one counter per row
 * (chosen by its hash), and its estimate is the least of its counters:
 * never below its true count, and above it by at most e/PF_CMS_WIDTH
 * of the total count (PF_CMS_BOUND) with probability 1 - e^-PF_CMS_DEPTH
 * (98%). The counters are sums, so they merge exactly.
 *
 * An occurrence sample: of the values added at distinct positions (the
 * record's number in the input, which is the same for every split), the
 * PF_SAMPLE_SIZE whose priority pf_sample_priority(position, salt) is
 * lowest. The priorities depend only on the positions, so the sample is
 * the same whatever the split and order of the additions; it is uniform
 * over the occurrences: a value that makes a fraction f of them is in
 * it with probability about 1 - (1 - f)^PF_SAMPLE_SIZE (99.997% for f =
 * 1%). Count-Min's estimates of its values give the heavy hitters.
 */
#ifndef PF_SKETCH_H
#define PF_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#define PF_CMS_DEPTH	4
#define PF_CMS_WIDTH	2048
#define PF_CMS_BOUND	"0.14%"		/* e / PF_CMS_WIDTH, rounded up */

struct pf_cms {
	uint64_t	*count;	/* PF_CMS_DEPTH x PF_CMS_WIDTH, or NULL: empty */
	uint64_t	 total;
};

/* Adds n occurrences of the value with this 64-bit hash (pf_hash). */
void pf_cms_add(struct pf_cms *s, uint64_t hash, uint64_t n);
void pf_cms_merge(struct pf_cms *dst, const struct pf_cms *src);
/* The estimated count of the value with this hash (>= the true one). */
uint64_t pf_cms_estimate(const struct pf_cms *s, uint64_t hash);
/*
 * The most an estimate can be over the true count with probability
 * 1 - e^-PF_CMS_DEPTH: total e / PF_CMS_WIDTH, rounded down.
 */
uint64_t pf_cms_bound(const struct pf_cms *s);
void pf_cms_free(struct pf_cms *s);

#define PF_SAMPLE_SIZE	1024
#define PF_SAMPLE_MAXLEN 256	/* longer values are kept without bytes */

struct pf_sample_item {
	uint64_t	 priority;	/* distinct within a sample */
	uint64_t	 position;
	char		*bytes;		/* malloc'd, len bytes; NULL past
					   PF_SAMPLE_MAXLEN (memory stays
					   bounded) */
	size_t		 len;
};

struct pf_sample {
	struct pf_sample_item *item;	/* a max-heap on priority */
	size_t		 n;
	uint64_t	 limit;		/* priorities above it are not taken */
};

/*
 * The priority of the occurrence at position (1-based) in the stream
 * salt names (a column): distinct positions have distinct priorities.
 */
static inline uint64_t
pf_sample_priority(uint64_t position, uint64_t salt)
{
	/* splitmix64's finalizer: a bijection of position ^ salt's mix */
	uint64_t x = position ^ (salt + 1) * 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A sample that takes nothing yet. */
void pf_sample_init(struct pf_sample *s);

/* Whether pf_sample_add() would keep an occurrence of this priority. */
static inline bool
pf_sample_wants(const struct pf_sample *s, uint64_t priority)
{
	return priority <= s->limit;
}

/*
 * Adds the occurrence of value v[0..len) at position with this priority
 * (copying v, unless v is NULL or len passes PF_SAMPLE_MAXLEN: then
 * bytes is NULL), dropping the highest priority past PF_SAMPLE_SIZE. An
 * occurrence the sample already holds must not be added again.
 */
void pf_sample_add(struct pf_sample *s, uint64_t priority,
    uint64_t position, const char *v, size_t len);
/* Adds src's occurrences to dst (disjoint positions). */
void pf_sample_merge(struct pf_sample *dst, const struct pf_sample *src);
void pf_sample_free(struct pf_sample *s);

#endif
