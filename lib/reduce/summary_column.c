/*
 * summary_column.c - what preduce --summary folds a column's values into
 * (summary_int.h): the kinds, count, lengths and preduce's min, max,
 * mean and stdev states, from distinct values with their counts (exact)
 * or from every value (past --memory), then with HyperLogLog, DDSketch
 * and Count-Min beside them; and the columns' occurrence samples. Every part depends only on the values and their
 * first orders, not on how they were split among workers.
 */
#include <stdlib.h>
#include <string.h>

#include "reduce/summary_int.h"
#include "support/valuekind.h"
#include "support/xalloc.h"

static const char *const agg_names[S_NAGGS] = {
	"min", "max", "mean", "stdev", "p25", "median", "p75"
};

void
pf_summary_aggs(struct summary *s)
{
	size_t i;

	memset(s->aggs, 0, sizeof(s->aggs));
	for (i = 0; i < S_NAGGS; i++)
		if (!pf_agg_func_find(agg_names[i], strlen(agg_names[i]),
		    &s->aggs[i]))
			abort();
}

struct summary_column *
pf_summary_columns_new(const struct summary *s, size_t n)
{
	struct summary_column *cols = pf_xcalloc(n + 1, sizeof(*cols));
	size_t i, k;

	for (i = 0; i < n; i++) {
		cols[i].minlen = UINT64_MAX;
		for (k = 0; k < S_NSTATES; k++)
			cols[i].state[k] = pf_xcalloc(1,
			    pf_agg_state_size(s->aggs[k].func));
	}
	return cols;
}

void
pf_summary_columns_free(const struct summary *s, struct summary_column *c,
    size_t n)
{
	size_t i, k;

	(void)s;
	for (i = 0; c != NULL && i < n; i++) {
		for (k = 0; k < S_NSTATES; k++)
			free(c[i].state[k]);
		pf_hll_free(&c[i].hll);
		pf_dds_free(&c[i].dds);
		pf_cms_free(&c[i].cms);
	}
	free(c);
}

struct pf_sample *
pf_summary_samples_new(size_t n)
{
	struct pf_sample *samples = pf_xcalloc(n + 1, sizeof(*samples));
	size_t i;

	for (i = 0; i < n; i++)
		pf_sample_init(&samples[i]);
	return samples;
}

void
pf_summary_samples_free(struct pf_sample *samples, size_t n)
{
	size_t i;

	for (i = 0; samples != NULL && i < n; i++)
		pf_sample_free(&samples[i]);
	free(samples);
}

/* Characters of UTF-8 text: the bytes that do not continue one. */
static uint64_t
characters(const char *s, size_t len)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

void
pf_summary_column_add(const struct summary *s, struct summary_column *c,
    const char *v, size_t len, uint64_t n, uint64_t order, bool sketch,
    struct pf_arena *arena)
{
	struct pf_number num;
	enum pf_value_kind kind = pf_value_kind(v, len, &num);
	bool isnum = kind == PF_KIND_INTEGER || kind == PF_KIND_DECIMAL;
	uint64_t chars = characters(v, len), hash;
	size_t k;

	c->kinds |= 1u << kind;
	c->count += n;
	c->minlen = chars < c->minlen ? chars : c->minlen;
	c->maxlen = chars > c->maxlen ? chars : c->maxlen;
	for (k = 0; k < S_NSTATES; k++)
		if (k <= S_MAX || isnum)
			pf_agg_update_times(&s->aggs[k], c->state[k], v, len,
			    isnum ? &num : NULL, n, order, arena);
	if (!sketch)
		return;
	hash = pf_hash(v, len);
	pf_hll_add(&c->hll, hash);
	pf_cms_add(&c->cms, hash, n);
	if (isnum)
		pf_dds_add(&c->dds, num.d, n);
}

void
pf_summary_columns_add_table(const struct summary *s,
    struct summary_column *cols, const struct pf_values *t,
    struct pf_arena *arena)
{
	struct pf_value_entry *e;
	size_t i;

	for (i = 0; t->slots != NULL && i <= t->mask; i++)
		if ((e = t->slots[i]) != NULL)
			pf_summary_column_add(s, &cols[e->group], e->bytes,
			    e->len, e->count, e->first, true, arena);
}

void
pf_summary_columns_merge(const struct summary *s,
    struct summary_column *dst, const struct summary_column *src,
    struct pf_arena *arena)
{
	size_t i, k;

	for (i = 0; i < s->ncols; i++) {
		dst[i].kinds |= src[i].kinds;
		dst[i].count += src[i].count;
		if (src[i].minlen < dst[i].minlen)
			dst[i].minlen = src[i].minlen;
		if (src[i].maxlen > dst[i].maxlen)
			dst[i].maxlen = src[i].maxlen;
		for (k = 0; k < S_NSTATES; k++)
			pf_agg_merge(&s->aggs[k], dst[i].state[k],
			    src[i].state[k], arena);
		pf_hll_merge(&dst[i].hll, &src[i].hll);
		pf_dds_merge(&dst[i].dds, &src[i].dds);
		pf_cms_merge(&dst[i].cms, &src[i].cms);
	}
}
