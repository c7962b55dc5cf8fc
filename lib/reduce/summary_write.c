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
	"stdev", "p25", "median", "p75", "minlen", "maxlen", "top"
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* The aggregations a row is made of, as preduce parses them. */
enum { A_MIN, A_MAX, A_MEAN, A_STDEV, A_P25, A_MEDIAN, A_P75, NAGGS };
static const char *const agg_names[NAGGS] = {
	"min", "max", "mean", "stdev", "p25", "median", "p75"
};

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
	pf_output_field(r->o, r->out, r->col++, s, len, is_number);
}

static void
field_int(struct row *r, uint64_t v)
{
	char num[PF_NUMBER_MAX];

	field(r, num, pf_format_int((int64_t)v, num), true);
}

/* Appends the top values of e[0..n) (sorted by count) to val. */
static void
top_values(struct pf_value_entry **e, size_t n, struct pf_buf *val)
{
	char num[PF_NUMBER_MAX];
	size_t i;

	for (i = 0; i < n && i < PF_SUMMARY_TOP; i++) {
		if (i > 0)
			pf_buf_adds(val, "; ");
		pf_buf_add(val, e[i]->bytes, e[i]->len);
		pf_buf_addc(val, ':');
		pf_buf_add(val, num, pf_format_int((int64_t)e[i]->count, num));
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

/* Writes the row of column c, whose n distinct values are e[0..n). */
static void
write_row(struct summary *s, const struct pf_output *o, size_t c,
    struct pf_value_entry **e, size_t n, struct pf_agg *aggs,
    struct pf_buf *out)
{
	struct row r = { o, out, 0 };
	unsigned char *state[NAGGS] = { NULL };
	struct pf_value_entry **q;
	struct pf_arena arena = { 0 };
	struct pf_buf val = { 0 };
	struct pf_number num;
	uint64_t count = 0, minlen = UINT64_MAX, maxlen = 0, len;
	unsigned kinds = 0, k;
	bool is_number, numeric;
	size_t i;

	for (k = 0; k < NAGGS; k++)
		if (pf_agg_state_size(aggs[k].func) > 0)
			state[k] = pf_xcalloc(1, pf_agg_state_size(
			    aggs[k].func));
	qsort(e, n, sizeof(*e), by_first);
	for (i = 0; i < n; i++) {
		const struct pf_value_entry *v = e[i];
		enum pf_value_kind kind = pf_value_kind(v->bytes, v->len, &num);
		bool isnum = kind == PF_KIND_INTEGER || kind == PF_KIND_DECIMAL;

		kinds |= 1u << kind;
		count += v->count;
		len = characters(v->bytes, v->len);
		minlen = len < minlen ? len : minlen;
		maxlen = len > maxlen ? len : maxlen;
		for (k = A_MIN; k <= A_MAX; k++)
			pf_agg_update_times(&aggs[k], state[k], v->bytes,
			    v->len, isnum ? &num : NULL, v->count, v->first,
			    &arena);
	}
	numeric = kinds != 0 && (kinds & ~(1u << PF_KIND_INTEGER |
	    1u << PF_KIND_DECIMAL)) == 0;
	for (i = 0; numeric && i < n; i++) {
		pf_number_parse(e[i]->bytes, e[i]->len, &num);
		for (k = A_MEAN; k <= A_STDEV; k++)
			pf_agg_update_times(&aggs[k], state[k], e[i]->bytes,
			    e[i]->len, &num, e[i]->count, e[i]->first, &arena);
	}

	field(&r, s->names[c], strlen(s->names[c]), false);
	field(&r, type_name(kinds), strlen(type_name(kinds)), false);
	field_int(&r, count);
	field_int(&r, s->empty[c]);
	field_int(&r, n);
	for (k = A_MIN; k <= A_STDEV; k++) {
		val.len = 0;
		if (k <= A_MAX || numeric)
			pf_agg_result(&aggs[k], state[k], &val, &is_number);
		field(&r, val.data, val.len, is_number && val.len > 0);
	}
	q = numeric ? quantile_entries(e, n, &arena) : NULL;
	for (k = A_P25; k <= A_P75; k++) {
		val.len = 0;
		is_number = false;
		if (numeric)
			pf_agg_values_result(&aggs[k], q, n, &val, &is_number);
		field(&r, val.data, val.len, is_number && val.len > 0);
	}
	if (n > 0) {
		field_int(&r, minlen);
		field_int(&r, maxlen);
	} else {
		field(&r, "", 0, false);
		field(&r, "", 0, false);
	}
	qsort(e, n, sizeof(*e), by_count);
	val.len = 0;
	top_values(e, n, &val);
	field(&r, val.data, val.len, false);
	pf_output_end(o, out, r.col);
	s->tool->written++;

	free(q);
	for (k = 0; k < NAGGS; k++)
		free(state[k]);
	pf_buf_free(&val);
	pf_arena_free(&arena);
}

void
pf_summary_write(struct summary *s, struct pf_buf *out)
{
	struct pf_value_entry **v, *e;
	struct pf_agg aggs[NAGGS];
	struct pf_output o;
	size_t *starts, i, c;

	memset(aggs, 0, sizeof(aggs));
	for (i = 0; i < NAGGS; i++)
		if (!pf_agg_func_find(agg_names[i], strlen(agg_names[i]),
		    &aggs[i]))
			abort();
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
		write_row(s, &o, c, v + starts[c], starts[c + 1] - starts[c],
		    aggs, out);
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
