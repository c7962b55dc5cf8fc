/*
 * sketch.c - HyperLogLog and DDSketch (see sketch.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support/sketch.h"
#include "support/xalloc.h"

#define HLL_M	(1u << PF_HLL_BITS)

void
pf_hll_add(struct pf_hll *h, uint64_t hash)
{
	uint32_t i = (uint32_t)(hash >> (64 - PF_HLL_BITS));
	uint64_t rest = hash << PF_HLL_BITS;
	uint8_t rank = rest == 0 ? 64 - PF_HLL_BITS + 1 :
	    (uint8_t)(__builtin_clzll(rest) + 1);

	if (h->reg == NULL)
		h->reg = pf_xcalloc(HLL_M, 1);
	if (rank > h->reg[i])
		h->reg[i] = rank;
}

void
pf_hll_merge(struct pf_hll *dst, const struct pf_hll *src)
{
	uint32_t i;

	if (src->reg == NULL)
		return;
	if (dst->reg == NULL)
		dst->reg = pf_xcalloc(HLL_M, 1);
	for (i = 0; i < HLL_M; i++)
		if (src->reg[i] > dst->reg[i])
			dst->reg[i] = src->reg[i];
}

double
pf_hll_estimate(const struct pf_hll *h)
{
	double m = HLL_M, sum = 0, e;
	uint32_t i, zeros = 0;

	if (h->reg == NULL)
		return 0;
	for (i = 0; i < HLL_M; i++) {
		sum += ldexp(1, -h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / zeros);	/* linear counting */
	return e;
}

void
pf_hll_free(struct pf_hll *h)
{
	free(h->reg);
	h->reg = NULL;
}

/* DDSketch */

static double
log_gamma(void)
{
	return log((1 + PF_DDS_ALPHA) / (1 - PF_DDS_ALPHA));
}

/* Makes room for index i in s. */
static void
store_add(struct pf_dds_store *s, int32_t i, uint64_t n)
{
	int32_t lo, hi;
	uint64_t *c;

	if (s->n == 0) {
		s->counts = pf_xcalloc(1, sizeof(*s->counts));
		s->lo = i;
		s->n = 1;
	} else if (i < s->lo || i >= s->lo + (int32_t)s->n) {
		lo = i < s->lo ? i : s->lo;
		hi = i >= s->lo + (int32_t)s->n ? i + 1 : s->lo + (int32_t)s->n;
		c = pf_xcalloc((size_t)(hi - lo), sizeof(*c));
		memcpy(c + (s->lo - lo), s->counts, s->n * sizeof(*c));
		free(s->counts);
		s->counts = c;
		s->lo = lo;
		s->n = (uint32_t)(hi - lo);
	}
	s->counts[i - s->lo] += n;
}

void
pf_dds_add(struct pf_dds *d, double x, uint64_t n)
{
	double a = fabs(x);

	d->total += n;
	if (isinf(x))
		*(x > 0 ? &d->pos_inf : &d->neg_inf) += n;
	else if (a < PF_DDS_TINY)
		d->zeros += n;
	else
		store_add(x > 0 ? &d->pos : &d->neg,
		    (int32_t)ceil(log(a) / log_gamma()), n);
}

void
pf_dds_merge(struct pf_dds *dst, const struct pf_dds *src)
{
	uint32_t i;

	for (i = 0; i < src->pos.n; i++)
		if (src->pos.counts[i] > 0)
			store_add(&dst->pos, src->pos.lo + (int32_t)i,
			    src->pos.counts[i]);
	for (i = 0; i < src->neg.n; i++)
		if (src->neg.counts[i] > 0)
			store_add(&dst->neg, src->neg.lo + (int32_t)i,
			    src->neg.counts[i]);
	dst->zeros += src->zeros;
	dst->pos_inf += src->pos_inf;
	dst->neg_inf += src->neg_inf;
	dst->total += src->total;
}

/* The value bucket i stands for: within PF_DDS_ALPHA of all it holds. */
static double
bucket_value(int32_t i)
{
	double g = (1 + PF_DDS_ALPHA) / (1 - PF_DDS_ALPHA);

	return 2 * exp(i * log_gamma()) / (g + 1);
}

double
pf_dds_at_rank(const struct pf_dds *d, uint64_t r)
{
	uint32_t i;

	if (r < d->neg_inf)
		return -INFINITY;
	r -= d->neg_inf;
	for (i = d->neg.n; i-- > 0;) {
		if (r < d->neg.counts[i])
			return -bucket_value(d->neg.lo + (int32_t)i);
		r -= d->neg.counts[i];
	}
	if (r < d->zeros)
		return 0;
	r -= d->zeros;
	for (i = 0; i < d->pos.n; i++) {
		if (r < d->pos.counts[i])
			return bucket_value(d->pos.lo + (int32_t)i);
		r -= d->pos.counts[i];
	}
	return INFINITY;
}

void
pf_dds_free(struct pf_dds *d)
{
	free(d->pos.counts);
	free(d->neg.counts);
	memset(d, 0, sizeof(*d));
}
