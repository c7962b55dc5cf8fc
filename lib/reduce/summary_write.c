/*
 * summary_write.c - the rows of preduce --summary (see summary.c's
 * DESIGN): for each column, from its distinct values with their counts,
 * its type, counts, extremes, mean, stdev, quartiles, lengths and most
 * common values, computed by preduce's own aggregation functions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv/output.h"
#include "reduce/agg.h"
#include "reduce/summary_int.h"
#include "support/compat.h"
#include "support/number.h"
#include "support/valuekind.h"
#include "support/xalloc.h"

static const char *const columns[] = {
	"field", "type", "count", "empty", "distinct", "min", "max", "mean",
	"stdev", "p25", "median", "p75", "minlen", "maxlen", "top", "approx"
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static int
by_first(const void *x, const void *y)
{
	const struct pf_value_entry *a = *(struct pf_value_entry *const *)x;
	const struct pf_value_entry *b = *(struct pf_value_entry *const *)y;

	return a->first < b->first ? -1 : a->first > b->first;
}

/* Most seen first; ties by first appearance. */
static int
by_count(const void *x, const void *y)
{
	const struct pf_value_entry *a = *(struct pf_value_entry *const *)x;
	const struct pf_value_entry *b = *(struct pf_value_entry *const *)y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return by_first(x, y);
}

static const char *
type_name(unsigned kinds)
{
	const unsigned numbers = 1u << PF_KIND_INTEGER | 1u << PF_KIND_DECIMAL;

	if (kinds == 0)
		return "empty";
	if (kinds == 1u << PF_KIND_INTEGER)
		return "integer";
	if ((kinds & ~numbers) == 0)
		return "decimal";
	if (kinds == 1u << PF_KIND_DATE)
		return "date";
	if (kinds == 1u << PF_KIND_TEXT)
		return "text";
	return "mixed";
}

struct row {
	const struct pf_output	*o;
	struct pf_buf		*out;
	size_t			 col;
};

static void
field(struct row *r, const char *s, size_t len, bool is_number)
{
	pf_output_field(r->o, r->out, r->col++, s, len,
	    is_number ? PF_JSON_NUMBER : PF_JSON_AUTO);
}

static void
field_int(struct row *r, uint64_t v)
{
	char num[PF_NUMBER_MAX];

	field(r, num, pf_format_int((int64_t)v, num), true);
}

/*
 * Appends the top values of e[0..n) (by_count's first PF_SUMMARY_TOP,
 * picked in one pass, not sorted) to val.
 */
static void
top_values(struct pf_value_entry **e, size_t n, struct pf_buf *val)
{
	struct pf_value_entry *top[PF_SUMMARY_TOP];
	char num[PF_NUMBER_MAX];
	size_t i, j, ntop = 0;

	for (i = 0; i < n; i++) {
		if (ntop == PF_SUMMARY_TOP &&
		    by_count(&e[i], &top[ntop - 1]) >= 0)
			continue;
		if (ntop < PF_SUMMARY_TOP)
			ntop++;
		for (j = ntop - 1; j > 0 && by_count(&e[i], &top[j - 1]) < 0;
		    j--)
			top[j] = top[j - 1];
		top[j] = e[i];
	}
	for (i = 0; i < ntop; i++) {
		if (i > 0)
			pf_buf_adds(val, "; ");
		pf_buf_add(val, top[i]->bytes, top[i]->len);
		pf_buf_addc(val, ':');
		pf_buf_add(val, num, pf_format_int((int64_t)top[i]->count,
		    num));
	}
}

/*
 * Quantile entries of the numbers e[0..n), as preduce's quantiles keep
 * them (pf_agg_quantile_key), in arena.
 */
static struct pf_value_entry **
quantile_entries(struct pf_value_entry **e, size_t n, struct pf_arena *arena)
{
	struct pf_value_entry **q = pf_xcalloc(n + 1, sizeof(*q));
	struct pf_buf key = { 0 };
	struct pf_number num;
	size_t i;

	for (i = 0; i < n; i++) {
		pf_number_parse(e[i]->bytes, e[i]->len, &num);
		pf_agg_quantile_key(e[i]->bytes, e[i]->len, &num, &key);
		q[i] = pf_arena_alloc(arena, sizeof(*q[i]) + key.len);
		*q[i] = *e[i];
		q[i]->len = (uint32_t)key.len;
		memcpy(q[i]->bytes, key.data, key.len);
	}
	pf_buf_free(&key);
	return q;
}

/*
 * Writes the columns every row shares from the folded column col: field,
 * type, count, empty, then (after distinct, written by the caller) min,
 * max, mean and stdev.
 */
static void
write_head(struct summary *s, struct row *r, size_t c,
    const struct summary_column *col)
{
	const char *type = type_name(col->kinds);

	field(r, s->names[c], strlen(s->names[c]), false);
	field(r, type, strlen(type), false);
	field_int(r, col->count);
	field_int(r, s->empty[c]);
}

/* min, max, mean, stdev; numeric: whether the column is. */
static void
write_states(struct summary *s, struct row *r,
    const struct summary_column *col, bool numeric, struct pf_buf *val)
{
	bool is_number;
	unsigned k;

	for (k = S_MIN; k <= S_STDEV; k++) {
		val->len = 0;
		is_number = false;
		if (k <= S_MAX || numeric)
			pf_agg_result(&s->aggs[k], col->state[k], val,
			    &is_number);
		field(r, val->data, val->len, is_number && val->len > 0);
	}
}

static void
write_lengths(struct row *r, const struct summary_column *col)
{
	if (col->count > 0) {
		field_int(r, col->minlen);
		field_int(r, col->maxlen);
	} else {
		field(r, "", 0, false);
		field(r, "", 0, false);
	}
}

static bool
is_numeric(unsigned kinds)
{
	return kinds != 0 && (kinds & ~(1u << PF_KIND_INTEGER |
	    1u << PF_KIND_DECIMAL)) == 0;
}

/* Writes the exact row of column c, whose n distinct values are e[0..n). */
static void
write_row(struct summary *s, const struct pf_output *o, size_t c,
    struct pf_value_entry **e, size_t n, struct pf_buf *out)
{
	struct row r = { o, out, 0 };
	struct summary_column *col = pf_summary_columns_new(s, 1);
	struct pf_value_entry **q = NULL;
	struct pf_arena arena = { 0 };
	struct pf_buf val = { 0 };
	bool is_number, numeric;
	size_t i;
	unsigned k;

	/* In any order: the states keep the first by order, sums exact. */
	for (i = 0; i < n; i++)
		pf_summary_column_add(s, col, e[i]->bytes, e[i]->len,
		    e[i]->count, e[i]->first, false, &arena);
	numeric = is_numeric(col->kinds);
	write_head(s, &r, c, col);
	field_int(&r, n);
	write_states(s, &r, col, numeric, &val);
	if (numeric)
		q = quantile_entries(e, n, &arena);
	for (k = S_P25; k <= S_P75; k++) {
		val.len = 0;
		is_number = false;
		if (numeric)
			pf_agg_values_result(&s->aggs[k], q, n, &val,
			    &is_number);
		field(&r, val.data, val.len, is_number && val.len > 0);
	}
	write_lengths(&r, col);
	val.len = 0;
	top_values(e, n, &val);
	field(&r, val.data, val.len, false);
	field(&r, "", 0, false);	/* approx: nothing */
	pf_output_end(o, out, r.col);
	s->tool->written++;

	free(q);
	pf_summary_columns_free(s, col, 1);
	pf_buf_free(&val);
	pf_arena_free(&arena);
}

struct candidate {
	const struct pf_sample_item *item;	/* its first in the sample */
	uint64_t	 count;			/* Count-Min's estimate */
};

static int
by_bytes(const void *x, const void *y)
{
	const struct pf_sample_item *a = *(struct pf_sample_item *const *)x;
	const struct pf_sample_item *b = *(struct pf_sample_item *const *)y;
	int c = memcmp(a->bytes, b->bytes, a->len < b->len ? a->len : b->len);

	if (c != 0 || a->len == b->len)
		return c != 0 ? c : (a->position > b->position) -
		    (a->position < b->position);
	return a->len < b->len ? -1 : 1;
}

/* Highest estimate first; ties by first position in the sample. */
static int
by_estimate(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return (a->item->position > b->item->position) -
	    (a->item->position < b->item->position);
}

/*
 * Appends the top values past --memory to val: the values of the
 * column's occurrence sample (but those past PF_SAMPLE_MAXLEN bytes)
 * whose Count-Min estimate passes the sketch's error bound, highest
 * first (at most the count of values).
 */
static void
top_sketch(const struct pf_sample *sample, const struct summary_column *col,
    struct pf_buf *val)
{
	const struct pf_sample_item **it = pf_xcalloc(sample->n + 1,
	    sizeof(*it));
	struct candidate *c = pf_xcalloc(sample->n + 1, sizeof(*c));
	uint64_t bound = pf_cms_bound(&col->cms);
	char num[PF_NUMBER_MAX];
	size_t i, m = 0, n = 0;

	for (i = 0; i < sample->n; i++)
		if (sample->item[i].bytes != NULL)	/* not too long */
			it[m++] = &sample->item[i];
	qsort(it, m, sizeof(*it), by_bytes);
	for (i = 0; i < m; i++) {
		if (i > 0 && it[i]->len == it[i - 1]->len &&
		    memcmp(it[i]->bytes, it[i - 1]->bytes, it[i]->len) == 0)
			continue;	/* the value's first is already in */
		c[n].item = it[i];
		c[n].count = pf_cms_estimate(&col->cms,
		    pf_hash(it[i]->bytes, it[i]->len));
		if (c[n].count > col->count)
			c[n].count = col->count;
		if (c[n].count > bound)
			n++;
	}
	qsort(c, n, sizeof(*c), by_estimate);
	for (i = 0; i < n && i < PF_SUMMARY_TOP; i++) {
		if (i > 0)
			pf_buf_adds(val, "; ");
		pf_buf_add(val, c[i].item->bytes, c[i].item->len);
		pf_buf_addc(val, ':');
		pf_buf_add(val, num, pf_format_int((int64_t)c[i].count, num));
	}
	free(c);
	free(it);
}

/*
 * The DDSketch's quantile_cont: h = (count - 1) q, the sketch's values
 * at ranks floor(h) and floor(h) + 1 interpolated.
 */
static double
sketch_quantile(const struct pf_dds *d, uint64_t q_num, uint64_t q_den)
{
	unsigned __int128 h = (unsigned __int128)(d->total - 1) * q_num;
	uint64_t below = (uint64_t)(h / q_den), r = (uint64_t)(h % q_den);
	double lo = pf_dds_at_rank(d, below), hi;

	if (r == 0)
		return lo;
	hi = pf_dds_at_rank(d, below + 1);
	return lo + (hi - lo) * ((double)r / (double)q_den);
}

/* Writes the row of column c from its sketches (past --memory). */
static void
write_sketch_row(struct summary *s, const struct pf_output *o, size_t c,
    struct pf_buf *out)
{
	const struct summary_column *col = &s->sketch[c];
	struct row r = { o, out, 0 };
	struct pf_buf val = { 0 };
	bool numeric = is_numeric(col->kinds), is_number;
	double d = pf_hll_estimate(&col->hll);
	uint64_t distinct = (uint64_t)(d + 0.5);
	unsigned k;

	/* At most count, and at least one value when there are any. */
	if (distinct > col->count)
		distinct = col->count;
	if (distinct == 0 && col->count > 0)
		distinct = 1;
	write_head(s, &r, c, col);
	field_int(&r, distinct);
	write_states(s, &r, col, numeric, &val);
	for (k = S_P25; k <= S_P75; k++) {
		val.len = 0;
		is_number = false;
		if (numeric)
			pf_agg_add_number(&val, sketch_quantile(&col->dds,
			    s->aggs[k].q_num, s->aggs[k].q_den), &is_number);
		field(&r, val.data, val.len, is_number && val.len > 0);
	}
	write_lengths(&r, col);
	val.len = 0;
	top_sketch(&s->samples[c], col, &val);
	field(&r, val.data, val.len, false);
	val.len = 0;
	if (col->count > 0)
		pf_buf_adds(&val, "distinct±" PF_HLL_BOUND);
	if (numeric) {
		for (k = S_P25; k <= S_P75; k++) {
			pf_buf_addc(&val, ' ');
			pf_buf_adds(&val, s->aggs[k].funcname);
			pf_buf_adds(&val, "±" PF_DDS_BOUND);
		}
	}
	if (col->count > 0)
		pf_buf_adds(&val, " top+" PF_CMS_BOUND);
	field(&r, val.data, val.len, false);
	pf_output_end(o, out, r.col);
	s->tool->written++;
	pf_buf_free(&val);
}

void
pf_summary_write(struct summary *s, struct pf_buf *out)
{
	struct pf_value_entry **v, *e;
	struct pf_output o;
	size_t *starts, i, c;

	/* The entries by column: a counting sort on the group. */
	starts = pf_xcalloc(s->ncols + 2, sizeof(*starts));
	for (i = 0; s->values.slots != NULL && i <= s->values.mask; i++)
		if ((e = s->values.slots[i]) != NULL)
			starts[e->group + 2]++;
	for (c = 0; c < s->ncols; c++)
		starts[c + 2] += starts[c + 1];
	v = pf_xcalloc(s->values.count + 1, sizeof(*v));
	for (i = 0; s->values.slots != NULL && i <= s->values.mask; i++)
		if ((e = s->values.slots[i]) != NULL)
			v[starts[e->group + 1]++] = e;

	pf_output_init(&o, s->opt->out_format, s->opt->out_delim,
	    (char *const *)columns, NCOLUMNS);
	pf_output_header(&o, out);
	for (c = 0; c < s->ncols; c++) {
		if (s->sketch != NULL)
			write_sketch_row(s, &o, c, out);
		else
			write_row(s, &o, c, v + starts[c],
			    starts[c + 1] - starts[c], out);
		if (out->len >= (1u << 20)) {
			if (pf_write_all(STDOUT_FILENO, out->data,
			    out->len) < 0)
				break;	/* the engine reports the error */
			out->len = 0;
		}
	}
	pf_output_free(&o);
	free(v);
	free(starts);
}
