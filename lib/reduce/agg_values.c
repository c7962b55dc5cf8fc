/*
 * agg_values.c - the value aggregations of preduce: distinct, mode and
 * the quantiles (median, pN), computed from a group's entries in the
 * value table (see agg.h), and their partial form.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/agg.h"

void
pf_agg_quantile_key(double d, unsigned char key[8])
{
	if (d == 0)
		d = 0;		/* -0 and 0 are one value */
	memcpy(key, &d, 8);
}

static double
entry_double(const struct pf_value_entry *e)
{
	double d;

	memcpy(&d, e->bytes, 8);
	return d;
}

static int
by_value(const void *x, const void *y)
{
	double a = entry_double(*(struct pf_value_entry *const *)x);
	double b = entry_double(*(struct pf_value_entry *const *)y);

	return a < b ? -1 : a > b;
}

static int
by_first(const void *x, const void *y)
{
	const struct pf_value_entry *a = *(struct pf_value_entry *const *)x;
	const struct pf_value_entry *b = *(struct pf_value_entry *const *)y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->sub < b->sub ? -1 : a->sub > b->sub;
}

/* The value at 0-based rank r of the sorted (value, count) entries. */
static double
rank_value(struct pf_value_entry **e, size_t n, uint64_t r)
{
	size_t i;

	for (i = 0; i < n - 1 && r >= e[i]->count; i++)
		r -= e[i]->count;
	return entry_double(e[i]);
}

void
pf_agg_values_result(const struct pf_agg *a, struct pf_value_entry **e,
    size_t n, struct pf_buf *out, bool *is_number)
{
	const struct pf_value_entry *best = NULL;
	char num[PF_NUMBER_MAX];
	double h, lo, hi;
	uint64_t total = 0;
	size_t i;

	*is_number = false;
	if (a->func == PF_AGG_DISTINCT) {
		pf_buf_add(out, num, pf_format_int((int64_t)n, num));
		*is_number = true;
		return;
	}
	if (n == 0)
		return;
	if (a->func == PF_AGG_MODE) {
		for (i = 0; i < n; i++)
			if (best == NULL || e[i]->count > best->count ||
			    (e[i]->count == best->count &&
			    by_first(&e[i], &best) < 0))
				best = e[i];
		pf_buf_add(out, best->bytes, best->len);
		return;
	}
	/* quantile_cont: interpolate between the ranks around (n-1)q. */
	qsort(e, n, sizeof(*e), by_value);
	for (i = 0; i < n; i++)
		total += e[i]->count;
	h = (double)(total - 1) * a->q;
	lo = rank_value(e, n, (uint64_t)floor(h));
	hi = rank_value(e, n, (uint64_t)ceil(h));
	pf_agg_add_number(out, floor(h) == ceil(h) ? lo : lo + (hi - lo) *
	    (h - floor(h)), is_number);
}

void
pf_agg_values_encode(const struct pf_agg *a, struct pf_value_entry **e,
    size_t n, struct pf_buf *out)
{
	char num[PF_NUMBER_MAX];
	size_t i;

	if (pf_agg_is_quantile(a->func)) {
		qsort(e, n, sizeof(*e), by_value);
		for (i = 0; i < n; i++) {
			if (i > 0)
				pf_buf_addc(out, ';');
			pf_buf_add(out, num, pf_format_double(
			    entry_double(e[i]), num));
			if (e[i]->count > 1) {
				pf_buf_addc(out, '*');
				pf_buf_add(out, num, pf_format_int(
				    (int64_t)e[i]->count, num));
			}
		}
		return;
	}
	qsort(e, n, sizeof(*e), by_first);
	for (i = 0; i < n; i++) {
		if (a->func == PF_AGG_MODE && e[i]->count > 1) {
			pf_buf_add(out, num, pf_format_int(
			    (int64_t)e[i]->count, num));
			pf_buf_addc(out, '*');
		}
		pf_buf_add(out, num, pf_format_int((int64_t)e[i]->len, num));
		pf_buf_addc(out, ':');
		pf_buf_add(out, e[i]->bytes, e[i]->len);
	}
}

/* Reads digits at *p; returns false if there are none. */
static bool
read_uint(const char **p, const char *end, uint64_t *v)
{
	const char *q = *p;

	*v = 0;
	while (q < end && *q >= '0' && *q <= '9' && *v < UINT64_MAX / 10)
		*v = *v * 10 + (uint64_t)(*q++ - '0');
	if (q == *p)
		return false;
	*p = q;
	return true;
}

bool
pf_agg_values_decode(const struct pf_agg *a, const char *s, size_t len,
    void (*add)(void *, const void *, size_t, uint64_t, size_t), void *ctx)
{
	const char *p = s, *end = s + len, *item;
	unsigned char key[8];
	struct pf_number num;
	uint64_t count, vlen;
	size_t i;

	if (pf_agg_is_quantile(a->func)) {
		for (i = 0; p < end; i++) {
			item = p;
			while (p < end && *p != ';' && *p != '*')
				p++;
			if (!pf_number_parse(item, (size_t)(p - item), &num))
				return false;
			count = 1;
			if (p < end && *p == '*') {
				p++;
				if (!read_uint(&p, end, &count) || count == 0)
					return false;
			}
			if (p < end && (*p != ';' || ++p == end))
				return false;
			pf_agg_quantile_key(num.d, key);
			add(ctx, key, 8, count, i);
		}
		return true;
	}
	for (i = 0; p < end; i++) {
		if (!read_uint(&p, end, &vlen))
			return false;
		count = 1;
		if (p < end && *p == '*') {
			count = vlen;
			p++;
			if (count == 0 || !read_uint(&p, end, &vlen))
				return false;
		}
		if (p == end || *p++ != ':' || vlen > (uint64_t)(end - p))
			return false;
		add(ctx, p, (size_t)vlen, count, i);
		p += vlen;
	}
	return true;
}
