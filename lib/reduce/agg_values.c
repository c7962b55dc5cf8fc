/*
 * agg_values.c - the value aggregations of preduce: distinct, mode and
 * the quantiles (median, pN), computed from a group's entries in the
 * value table (see agg.h), and their partial form.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/agg.h"

/* Integers a double holds: their key is the double alone. */
#define EXACT_INT	(INT64_C(1) << 53)

void
pf_agg_quantile_key(const char *s, size_t len, const struct pf_number *num,
    struct pf_buf *key)
{
	double d = num->d == 0 ? 0 : num->d;	/* -0 and 0 are one value */
	const char *text;

	key->len = 0;
	pf_buf_add(key, &d, 8);
	if (num->is_int && num->i > -EXACT_INT && num->i < EXACT_INT)
		return;
	pf_dec_canonical(s, len, key);
	text = key->data + 8;
	if (fabs(d) < (double)EXACT_INT &&
	    memchr(text, '.', key->len - 8) == NULL &&
	    memchr(text, 'e', key->len - 8) == NULL)
		key->len = 8;	/* "5.0": an integer too */
}

static double
entry_double(const struct pf_value_entry *e)
{
	double d;

	memcpy(&d, e->bytes, 8);
	return d;
}

/*
 * The value's text in a quantile entry: after the double, or, for an
 * integer, the double's (written into buf, PF_NUMBER_MAX bytes).
 */
static inline const char *
entry_text(const struct pf_value_entry *e, char *buf, size_t *len)
{
	if (e->len == 8) {
		*len = pf_format_double(entry_double(e), buf);
		return buf;
	}
	*len = e->len - 8;
	return (const char *)e->bytes + 8;
}

/* Exact order: the doubles, then (when they tie) the decimal texts. */
static int
by_value(const void *x, const void *y)
{
	const struct pf_value_entry *ea = *(struct pf_value_entry *const *)x;
	const struct pf_value_entry *eb = *(struct pf_value_entry *const *)y;
	double a = entry_double(ea), b = entry_double(eb);
	char bufa[PF_NUMBER_MAX], bufb[PF_NUMBER_MAX];
	const char *ta, *tb;
	size_t la, lb;

	if (a != b)
		return a < b ? -1 : 1;
	if (ea->len == 8 && eb->len == 8)
		return 0;
	ta = entry_text(ea, bufa, &la);
	tb = entry_text(eb, bufb, &lb);
	return pf_number_cmp_text(ta, la, tb, lb);
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

/* The entry at 0-based rank r of the sorted (value, count) entries. */
static const struct pf_value_entry *
rank_entry(struct pf_value_entry **e, size_t n, uint64_t r)
{
	size_t i;

	for (i = 0; i < n - 1 && r >= e[i]->count; i++)
		r -= e[i]->count;
	return e[i];
}

/*
 * DuckDB's quantile_cont, exactly: h = (total - 1) q with q = q_num /
 * q_den as written, the values at ranks floor(h) and floor(h) + 1
 * interpolated by the fraction of h, from their decimal texts, and
 * rounded once.
 */
static double
quantile(const struct pf_agg *a, struct pf_value_entry **e, size_t n,
    uint64_t total)
{
	unsigned __int128 h = (unsigned __int128)(total - 1) * a->q_num;
	uint64_t below = (uint64_t)(h / a->q_den), r = (uint64_t)(h % a->q_den);
	const struct pf_value_entry *lo = rank_entry(e, n, below), *hi;
	char lbuf[PF_NUMBER_MAX], hbuf[PF_NUMBER_MAX];
	const char *lt, *ht;
	size_t ll, hl;

	if (r == 0)
		return entry_double(lo);
	hi = rank_entry(e, n, below + 1);
	lt = entry_text(lo, lbuf, &ll);
	ht = entry_text(hi, hbuf, &hl);
	return pf_dec_interpolate(lt, ll, entry_double(lo), ht, hl,
	    entry_double(hi), r, a->q_den);
}

void
pf_agg_values_result(const struct pf_agg *a, struct pf_value_entry **e,
    size_t n, struct pf_buf *out, bool *is_number)
{
	const struct pf_value_entry *best = NULL;
	char num[PF_NUMBER_MAX];
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
	qsort(e, n, sizeof(*e), by_value);
	for (i = 0; i < n; i++)
		total += e[i]->count;
	pf_agg_add_number(out, quantile(a, e, n, total), is_number);
}

void
pf_agg_values_encode(const struct pf_agg *a, struct pf_value_entry **e,
    size_t n, struct pf_buf *out)
{
	char num[PF_NUMBER_MAX];
	const char *text;
	size_t i, len;

	if (pf_agg_is_quantile(a->func)) {
		qsort(e, n, sizeof(*e), by_value);
		for (i = 0; i < n; i++) {
			if (i > 0)
				pf_buf_addc(out, ';');
			text = entry_text(e[i], num, &len);
			pf_buf_add(out, text, len);
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
	struct pf_buf key = { 0 };
	struct pf_number num;
	uint64_t count, vlen;
	size_t i, ilen;

	if (pf_agg_is_quantile(a->func)) {
		for (i = 0; p < end; i++) {
			item = p;
			while (p < end && *p != ';' && *p != '*')
				p++;
			ilen = (size_t)(p - item);
			if (!pf_number_parse(item, ilen, &num))
				goto malformed;
			count = 1;
			if (p < end && *p == '*') {
				p++;
				if (!read_uint(&p, end, &count) || count == 0)
					goto malformed;
			}
			if (p < end && (*p != ';' || ++p == end))
				goto malformed;
			pf_agg_quantile_key(item, ilen, &num, &key);
			add(ctx, key.data, key.len, count, i);
		}
		pf_buf_free(&key);
		return true;
malformed:
		pf_buf_free(&key);
		return false;
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
