/*
 * sketch.c - HyperLogLog, DDSketch, Count-Min and the occurrence sample
 * (see sketch.h).
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

/* Count-Min */

/* Row r's counter for hash: double hashing over the hash's two halves. */
static size_t
cms_slot(uint64_t hash, unsigned r)
{
	uint32_t a = (uint32_t)hash, b = (uint32_t)(hash >> 32) | 1;

	return (size_t)r * PF_CMS_WIDTH + (a + r * b) % PF_CMS_WIDTH;
}

void
pf_cms_add(struct pf_cms *s, uint64_t hash, uint64_t n)
{
	unsigned r;

	if (s->count == NULL)
		s->count = pf_xcalloc((size_t)PF_CMS_DEPTH * PF_CMS_WIDTH,
		    sizeof(*s->count));
	for (r = 0; r < PF_CMS_DEPTH; r++)
		s->count[cms_slot(hash, r)] += n;
	s->total += n;
}

void
pf_cms_merge(struct pf_cms *dst, const struct pf_cms *src)
{
	size_t i;

	if (src->count == NULL)
		return;
	if (dst->count == NULL)
		dst->count = pf_xcalloc((size_t)PF_CMS_DEPTH * PF_CMS_WIDTH,
		    sizeof(*dst->count));
	for (i = 0; i < (size_t)PF_CMS_DEPTH * PF_CMS_WIDTH; i++)
		dst->count[i] += src->count[i];
	dst->total += src->total;
}

uint64_t
pf_cms_estimate(const struct pf_cms *s, uint64_t hash)
{
	uint64_t least = UINT64_MAX, c;
	unsigned r;

	if (s->count == NULL)
		return 0;
	for (r = 0; r < PF_CMS_DEPTH; r++)
		if ((c = s->count[cms_slot(hash, r)]) < least)
			least = c;
	return least;
}

uint64_t
pf_cms_bound(const struct pf_cms *s)
{
	return (uint64_t)((double)s->total * 2.718281828459045 / PF_CMS_WIDTH);
}

void
pf_cms_free(struct pf_cms *s)
{
	free(s->count);
	memset(s, 0, sizeof(*s));
}

/* The occurrence sample */

void
pf_sample_init(struct pf_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->limit = UINT64_MAX;
}

/* Restores the max-heap below i. */
static void
sift_down(struct pf_sample_item *h, size_t n, size_t i)
{
	struct pf_sample_item t;
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && h[c + 1].priority > h[c].priority)
			c++;
		if (h[i].priority >= h[c].priority)
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

void
pf_sample_add(struct pf_sample *s, uint64_t priority, uint64_t position,
    const char *v, size_t len)
{
	struct pf_sample_item *it, t;
	size_t i;

	if (!pf_sample_wants(s, priority))
		return;
	if (s->item == NULL)
		s->item = pf_xcalloc(PF_SAMPLE_SIZE, sizeof(*s->item));
	if (s->n == PF_SAMPLE_SIZE) {	/* replace the highest */
		it = &s->item[0];
		free(it->bytes);
	} else {
		it = &s->item[s->n++];
	}
	it->priority = priority;
	it->position = position;
	it->len = len;
	it->bytes = NULL;
	if (v != NULL && len <= PF_SAMPLE_MAXLEN) {
		it->bytes = pf_xmalloc(len + 1);
		memcpy(it->bytes, v, len);
	}
	if (it == &s->item[0] && s->n == PF_SAMPLE_SIZE) {
		sift_down(s->item, s->n, 0);
	} else {	/* sift up */
		for (i = s->n - 1; i > 0 &&
		    s->item[(i - 1) / 2].priority < s->item[i].priority;
		    i = (i - 1) / 2) {
			t = s->item[i];
			s->item[i] = s->item[(i - 1) / 2];
			s->item[(i - 1) / 2] = t;
		}
	}
	if (s->n == PF_SAMPLE_SIZE)
		s->limit = s->item[0].priority - 1;
}

void
pf_sample_merge(struct pf_sample *dst, const struct pf_sample *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		pf_sample_add(dst, src->item[i].priority,
		    src->item[i].position, src->item[i].bytes,
		    src->item[i].len);
}

void
pf_sample_free(struct pf_sample *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->item[i].bytes);
	free(s->item);
	pf_sample_init(s);
}
