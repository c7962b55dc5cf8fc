/*
 * agg.c - preduce's aggregation states: update, merge, final value and
 * partial form (see agg.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "xalloc.h"

static const char *const func_names[PF_AGG_NFUNCS] = {
	"count", "sum", "mean", "min", "max", "first", "last", "distinct",
	"stdev", "var", "median", "p50", "p90", "p95", "p99", "mode",
};

const char pf_agg_func_list[] = "count, sum, mean, min, max, first, last, "
    "distinct, stdev, var, median, p50, p90, p95, p99, mode";

/* A string kept in the arena, reused while new values fit. */
struct slot {
	char		*str;		/* NULL: no value yet */
	uint32_t	 len, cap;
};

struct count_state {			/* as pf_agg_count_record() has it */
	uint64_t	 n;
};

struct sum_state {			/* sum and mean */
	uint64_t	 n;
	struct pf_dec	 s;
};

struct var_state {			/* var and stdev */
	uint64_t	 n;
	struct pf_dec	 s, q;		/* sum and sum of squares */
};

struct minmax_state {
	double		 num;
	struct slot	 str;		/* byte-wise extreme of all values */
	bool		 has_num;
	bool		 nonnum;	/* some value was not a number */
};

struct pick_state {			/* first and last */
	uint64_t	 order;
	struct slot	 str;
};

static const int64_t pow10_i64[19] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL,
};

#define MAX_SCALE 18

const char *
pf_agg_func_name(enum pf_agg_func f)
{
	return func_names[f];
}

bool
pf_agg_func_find(const char *s, size_t len, enum pf_agg_func *f)
{
	int i;

	for (i = 0; i < PF_AGG_NFUNCS; i++)
		if (strlen(func_names[i]) == len &&
		    memcmp(func_names[i], s, len) == 0) {
			*f = (enum pf_agg_func)i;
			return true;
		}
	return false;
}

bool
pf_agg_parse(const char *arg, struct pf_agg *a, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':'), *field, *name;
	size_t flen;

	memset(a, 0, sizeof(*a));
	a->index = -1;
	a->vindex = -1;
	if (colon == NULL) {
		if (strcmp(arg, "count") == 0) {
			a->func = PF_AGG_COUNT;
			a->name = pf_xstrdup("count");
			return true;
		}
		if (pf_agg_func_find(arg, strlen(arg), &a->func))
			snprintf(err, errlen, "%s needs a field: %s:FIELD", arg,
			    arg);
		else
			snprintf(err, errlen, "unknown function \"%s\"; "
			    "functions are: %s", arg, pf_agg_func_list);
		return false;
	}
	if (!pf_agg_func_find(arg, (size_t)(colon - arg), &a->func)) {
		snprintf(err, errlen, "unknown function \"%.*s\" in \"%s\"; "
		    "functions are: %s", (int)(colon - arg), arg, arg,
		    pf_agg_func_list);
		return false;
	}
	field = colon + 1;
	name = strchr(field, ':');
	flen = name != NULL ? (size_t)(name - field) : strlen(field);
	if (flen == 0 || (name != NULL && name[1] == '\0')) {
		snprintf(err, errlen, "malformed aggregation \"%s\": "
		    "expected FUNC:FIELD[:NAME]", arg);
		return false;
	}
	a->field = pf_xstrndup(field, flen);
	if (name != NULL)
		a->name = pf_xstrdup(name + 1);
	else {
		a->name = pf_xmalloc(flen + strlen(func_names[a->func]) + 2);
		sprintf(a->name, "%s_%s", a->field, func_names[a->func]);
	}
	return true;
}

void
pf_agg_free(struct pf_agg *a)
{
	free(a->field);
	free(a->name);
	a->field = a->name = NULL;
}

bool
pf_agg_numeric(enum pf_agg_func f)
{
	return f == PF_AGG_SUM || f == PF_AGG_MEAN || f == PF_AGG_STDEV ||
	    f == PF_AGG_VAR || pf_agg_quantile(f) >= 0;
}

bool
pf_agg_uses_values(enum pf_agg_func f)
{
	return f == PF_AGG_DISTINCT || f == PF_AGG_MODE ||
	    pf_agg_quantile(f) >= 0;
}

double
pf_agg_quantile(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_MEDIAN:
	case PF_AGG_P50:
		return 0.5;
	case PF_AGG_P90:
		return 0.9;
	case PF_AGG_P95:
		return 0.95;
	case PF_AGG_P99:
		return 0.99;
	default:
		return -1;
	}
}

size_t
pf_agg_state_size(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_COUNT:
		return sizeof(struct count_state);
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return sizeof(struct sum_state);
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return sizeof(struct var_state);
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		return sizeof(struct minmax_state);
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		return sizeof(struct pick_state);
	default:
		return 0;
	}
}

/* Exact decimals. */

/*
 * Reads a number (already validated) as m / 10^scale. Returns false when
 * it does not fit: more than 19 significant digits or a scale out of
 * [0, MAX_SCALE].
 */
static bool
dec_parse(const char *s, size_t len, int64_t *m, int *scale)
{
	const char *p = s, *end = s + len;
	uint64_t u = 0;
	int frac = 0, exp10 = 0, e = 0;
	bool neg = false, eneg = false, dot = false;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	/* Trailing zeros of a fraction add nothing: drop them. */
	if (memchr(p, '.', (size_t)(end - p)) != NULL &&
	    memchr(p, 'e', (size_t)(end - p)) == NULL &&
	    memchr(p, 'E', (size_t)(end - p)) == NULL)
		while (end > p && end[-1] == '0')
			end--;
	for (; p < end; p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
		if (*p == 'e' || *p == 'E')
			break;
		if (u > (UINT64_MAX - 9) / 10)
			return false;
		u = u * 10 + (uint64_t)(*p - '0');
		frac += dot;
	}
	if (p < end) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end; p++) {
			if (e > 1000)
				return false;
			e = e * 10 + (*p - '0');
		}
		exp10 = eneg ? -e : e;
	}
	if (u > INT64_MAX)
		return false;
	frac -= exp10;
	while (frac < 0) {
		if (u > INT64_MAX / 10)
			return false;
		u *= 10;
		frac++;
	}
	if (frac > MAX_SCALE)
		return false;
	*m = neg ? -(int64_t)u : (int64_t)u;
	*scale = frac;
	return true;
}

static double
exact_value(int64_t m, int scale)
{
	char buf[48];
	int64_t a = m < 0 ? -m : m;

	if (scale == 0)
		return (double)m;
	if (a <= (1LL << 53))
		return (double)m / (double)pow10_i64[scale];
	/* Correct rounding of a long mantissa: let strtod do it. */
	snprintf(buf, sizeof(buf), "%lde-%d", (long)m, scale);
	return strtod(buf, NULL);
}

static void
dec_add_float(struct pf_dec *d, double v)
{
	d->f += v;
	d->has_f = true;
}

/*
 * dec_add_exact() in general: to the larger scale, in floating point
 * what overflows. Kept out of line: where it is inlined, GCC does not
 * see that scales are never negative, and warns (-Warray-bounds).
 */
static void __attribute__((noinline))
dec_add_scaled(struct pf_dec *d, int64_t m, int scale)
{
	int64_t sum;

	if (scale > d->scale) {
		if (__builtin_mul_overflow(d->m, pow10_i64[scale - d->scale],
		    &sum)) {
			dec_add_float(d, exact_value(d->m, d->scale));
			sum = 0;
		}
		d->m = sum;
		d->scale = (int16_t)scale;
	} else if (scale < d->scale &&
	    __builtin_mul_overflow(m, pow10_i64[d->scale - scale], &m)) {
		dec_add_float(d, exact_value(m, scale));
		return;
	}
	if (__builtin_add_overflow(d->m, m, &sum))
		dec_add_float(d, exact_value(m, d->scale));
	else
		d->m = sum;
}

/* Adds m / 10^scale; an integer to a sum of integers, mostly, inline. */
static inline void
dec_add_exact(struct pf_dec *d, int64_t m, int scale)
{
	int64_t sum;

	if (scale == 0 && d->scale == 0 &&
	    !__builtin_add_overflow(d->m, m, &sum))
		d->m = sum;
	else
		dec_add_scaled(d, m, scale);
}

void
pf_dec_add_text(struct pf_dec *d, const char *s, size_t len)
{
	int64_t m;
	int scale;

	if (dec_parse(s, len, &m, &scale))
		dec_add_exact(d, m, scale);
	else {
		struct pf_number n;

		if (pf_number_parse(s, len, &n))
			dec_add_float(d, n.d);
	}
}

/* Adds a parsed number, exactly when it can. */
static inline void
dec_add_number(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num)
{
	if (num->is_int)
		dec_add_exact(d, num->i, 0);
	else
		pf_dec_add_text(d, s, len);
}

void
pf_dec_add(struct pf_dec *d, const struct pf_dec *v)
{
	dec_add_exact(d, v->m, v->scale);
	if (v->has_f)
		dec_add_float(d, v->f);
}

double
pf_dec_value(const struct pf_dec *d)
{
	double v = exact_value(d->m, d->scale);

	return d->has_f ? v + d->f : v;
}

void
pf_dec_encode(const struct pf_dec *d, struct pf_buf *out)
{
	char digits[24], num[PF_NUMBER_MAX];
	uint64_t u = d->m < 0 ? 0 - (uint64_t)d->m : (uint64_t)d->m;
	int n = snprintf(digits, sizeof(digits), "%llu",
	    (unsigned long long)u), scale = d->scale, lead;

	/* Drop trailing zeros of the fraction. */
	while (scale > 0 && n > 1 && digits[n - 1] == '0') {
		n--;
		scale--;
	}
	if (u == 0)
		scale = 0;
	if (d->m < 0)
		pf_buf_addc(out, '-');
	if (scale == 0)
		pf_buf_add(out, digits, (size_t)n);
	else if (n > scale) {
		pf_buf_add(out, digits, (size_t)(n - scale));
		pf_buf_addc(out, '.');
		pf_buf_add(out, digits + n - scale, (size_t)scale);
	} else {
		pf_buf_add(out, "0.", 2);
		for (lead = scale - n; lead > 0; lead--)
			pf_buf_addc(out, '0');
		pf_buf_add(out, digits, (size_t)n);
	}
	if (d->has_f) {
		pf_buf_addc(out, '|');
		pf_buf_add(out, num, pf_format_double(d->f, num));
	}
}

bool
pf_dec_decode(struct pf_dec *d, const char *s, size_t len)
{
	const char *bar = memchr(s, '|', len);
	size_t elen = bar != NULL ? (size_t)(bar - s) : len;
	struct pf_number n;
	int64_t m;
	int scale;

	memset(d, 0, sizeof(*d));
	if (!pf_number_parse(s, elen, &n) || !dec_parse(s, elen, &m, &scale))
		return false;
	d->m = m;
	d->scale = (int16_t)scale;
	if (bar != NULL) {
		if (!pf_number_parse(bar + 1, len - elen - 1, &n))
			return false;
		dec_add_float(d, n.d);
	}
	return true;
}

/* Strings in slots. */

static void
slot_set(struct slot *sl, const char *s, size_t len, struct pf_arena *arena)
{
	uint32_t cap;

	if (sl->str == NULL || len > sl->cap) {
		for (cap = 8; cap < len; cap *= 2)
			;
		sl->str = pf_arena_alloc(arena, cap);
		sl->cap = cap;
	}
	memcpy(sl->str, s, len);
	sl->len = (uint32_t)len;
}

/* Byte-wise comparison, a prefix first (memcmp, shorter first). */
static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Updates. */

/*
 * Makes s the byte-wise extreme if it is beyond the one kept. Out of
 * line, so that the updates' common case stays small.
 */
static void __attribute__((noinline))
minmax_str(struct minmax_state *st, bool is_min, const char *s, size_t len,
    struct pf_arena *arena)
{
	int c;

	if (st->str.str != NULL) {
		c = bytes_cmp(s, len, st->str.str, st->str.len);
		if (is_min ? c >= 0 : c <= 0)
			return;
	}
	slot_set(&st->str, s, len, arena);
}

static inline void
minmax_update(struct minmax_state *st, bool is_min, const char *s,
    size_t len, const struct pf_number *num, struct pf_arena *arena)
{
	unsigned char a, b;

	if (num == NULL)
		st->nonnum = true;
	else if (!st->has_num || (is_min ? num->d < st->num :
	    num->d > st->num)) {
		st->num = num->d;
		st->has_num = true;
	}
	/* Most values are behind the extreme from their first byte on. */
	if (st->str.str != NULL && len > 0 && st->str.len > 0) {
		a = (unsigned char)s[0];
		b = (unsigned char)st->str.str[0];
		if (is_min ? a > b : a < b)
			return;
	}
	minmax_str(st, is_min, s, len, arena);
}

static inline void
pick_update(struct pick_state *st, bool is_first, const char *s, size_t len,
    uint64_t order, struct pf_arena *arena)
{
	if (st->str.str != NULL &&
	    (is_first ? order >= st->order : order <= st->order))
		return;
	st->order = order;
	slot_set(&st->str, s, len, arena);
}

static void
var_add(struct var_state *st, const char *s, size_t len,
    const struct pf_number *num)
{
	int64_t m, sq;
	int scale;

	st->n++;
	if (num->is_int) {
		m = num->i;
		scale = 0;
	} else if (!dec_parse(s, len, &m, &scale)) {
		dec_add_float(&st->s, num->d);
		dec_add_float(&st->q, num->d * num->d);
		return;
	}
	dec_add_exact(&st->s, m, scale);
	if (2 * scale > MAX_SCALE || __builtin_mul_overflow(m, m, &sq))
		dec_add_float(&st->q, num->d * num->d);
	else
		dec_add_exact(&st->q, sq, 2 * scale);
}

/* Each function's update: pf_agg_updater() hands these out. */

static void
count_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)s, (void)len, (void)num, (void)order, (void)arena;
	pf_agg_count_record(state);
}

static void
sum_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	struct sum_state *sum = (struct sum_state *)state;

	(void)order, (void)arena;
	sum->n++;
	dec_add_number(&sum->s, s, len, num);
}

static void
var_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)order, (void)arena;
	var_add((struct var_state *)state, s, len, num);
}

static void
min_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)order;
	minmax_update((struct minmax_state *)state, true, s, len, num, arena);
}

static void
max_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)order;
	minmax_update((struct minmax_state *)state, false, s, len, num, arena);
}

static void
first_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)num;
	pick_update((struct pick_state *)state, true, s, len, order, arena);
}

static void
last_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)num;
	pick_update((struct pick_state *)state, false, s, len, order, arena);
}

pf_agg_update_fn *
pf_agg_updater(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_COUNT:
		return count_update;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return sum_update;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return var_update;
	case PF_AGG_MIN:
		return min_update;
	case PF_AGG_MAX:
		return max_update;
	case PF_AGG_FIRST:
		return first_update;
	case PF_AGG_LAST:
		return last_update;
	default:
		return NULL;
	}
}

void
pf_agg_update(const struct pf_agg *a, unsigned char *state, const char *s,
    size_t len, const struct pf_number *num, uint64_t order,
    struct pf_arena *arena)
{
	pf_agg_update_fn *update = pf_agg_updater(a->func);

	if (update != NULL)
		update(state, s, len, num, order, arena);
}

void
pf_agg_merge(const struct pf_agg *a, unsigned char *dst,
    const unsigned char *src, struct pf_arena *arena)
{
	const struct sum_state *ss;
	const struct var_state *vs;
	const struct minmax_state *ms;
	const struct pick_state *ps;
	struct minmax_state *md;
	struct var_state *vd;

	switch (a->func) {
	case PF_AGG_COUNT:
		((struct count_state *)dst)->n +=
		    ((const struct count_state *)src)->n;
		break;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		ss = (const struct sum_state *)src;
		((struct sum_state *)dst)->n += ss->n;
		pf_dec_add(&((struct sum_state *)dst)->s, &ss->s);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		vs = (const struct var_state *)src;
		vd = (struct var_state *)dst;
		vd->n += vs->n;
		pf_dec_add(&vd->s, &vs->s);
		pf_dec_add(&vd->q, &vs->q);
		break;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		ms = (const struct minmax_state *)src;
		md = (struct minmax_state *)dst;
		if (ms->str.str == NULL)
			break;
		if (ms->has_num) {
			struct pf_number n = { .d = ms->num };

			minmax_update(md, a->func == PF_AGG_MIN, ms->str.str,
			    ms->str.len, &n, arena);
			/* The string belongs to some value, maybe not num. */
		} else
			minmax_update(md, a->func == PF_AGG_MIN, ms->str.str,
			    ms->str.len, NULL, arena);
		md->nonnum |= ms->nonnum;
		break;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		ps = (const struct pick_state *)src;
		if (ps->str.str != NULL)
			pick_update((struct pick_state *)dst,
			    a->func == PF_AGG_FIRST, ps->str.str, ps->str.len,
			    ps->order, arena);
		break;
	default:
		break;
	}
}

static void
add_number(struct pf_buf *out, double d, bool *is_number)
{
	char num[PF_NUMBER_MAX];

	pf_buf_add(out, num, pf_format_double(d, num));
	*is_number = true;
}

/*
 * num / den / 10^scale (den > 0) as the nearest double: the quotient is
 * written out in decimal, 40 digits past the point plus a sticky digit
 * for any remainder, and strtod() rounds that correctly. No long double,
 * so the result is the same on every machine (and under valgrind).
 */
static double
exact_quotient(__int128 num, __int128 den, int scale)
{
	unsigned __int128 u = num < 0 ? -(unsigned __int128)num :
	    (unsigned __int128)num, d = (unsigned __int128)den, q, r;
	char buf[128], digits[48];
	int n = 0, k = 0, i;

	q = u / d;
	r = u % d;
	if (num < 0)
		buf[n++] = '-';
	do {
		digits[k++] = (char)('0' + (int)(q % 10));
		q /= 10;
	} while (q != 0);
	while (k > 0)
		buf[n++] = digits[--k];
	buf[n++] = '.';
	for (i = 0; i < 40; i++) {
		r *= 10;
		buf[n++] = (char)('0' + (int)(r / d));
		r %= d;
	}
	if (r != 0)
		buf[n++] = '1';
	snprintf(buf + n, sizeof(buf) - (size_t)n, "e-%d", scale);
	return strtod(buf, NULL);
}

/*
 * Sample variance: (n*Q - S^2) / (n(n-1)), exactly in 128 bits when the
 * sums are exact and it fits, in long double otherwise.
 */
static bool
var_value(const struct var_state *st, double *out)
{
	__int128 nq, s2, num;
	long double n = (long double)st->n, v, s, q;
	int c;

	if (st->n < 2)
		return false;
	if (!st->s.has_f && !st->q.has_f) {
		c = st->q.scale > 2 * st->s.scale ? st->q.scale :
		    2 * st->s.scale;
		nq = (__int128)st->q.m * pow10_i64[c - st->q.scale];
		s2 = (__int128)st->s.m * st->s.m;
		if (c - 2 * st->s.scale > 0)
			s2 *= pow10_i64[c - 2 * st->s.scale];
		/* n(n-1) stays below 2^120, so the digits loop cannot overflow. */
		if (!__builtin_mul_overflow(nq, (__int128)st->n, &nq) &&
		    !__builtin_sub_overflow(nq, s2, &num) &&
		    st->n < ((int64_t)1 << 60)) {
			*out = exact_quotient(num, (__int128)st->n *
			    (st->n - 1), c);
			return true;
		}
	}
	s = pf_dec_value(&st->s);
	q = pf_dec_value(&st->q);
	v = (q - s * s / n) / (n - 1);
	*out = v < 0 ? 0.0 : (double)v;
	return true;
}

void
pf_agg_result(const struct pf_agg *a, const unsigned char *state,
    struct pf_buf *out, bool *is_number)
{
	const struct sum_state *ss = (const struct sum_state *)state;
	const struct minmax_state *ms = (const struct minmax_state *)state;
	const struct pick_state *ps = (const struct pick_state *)state;
	char num[PF_NUMBER_MAX];
	double v;

	*is_number = false;
	switch (a->func) {
	case PF_AGG_COUNT:
		pf_buf_add(out, num, pf_format_int(
		    (int64_t)((const struct count_state *)state)->n, num));
		*is_number = true;
		break;
	case PF_AGG_SUM:
		if (ss->n > 0)
			add_number(out, pf_dec_value(&ss->s), is_number);
		break;
	case PF_AGG_MEAN:
		if (ss->n > 0)
			add_number(out, pf_dec_value(&ss->s) / (double)ss->n,
			    is_number);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		if (var_value((const struct var_state *)state, &v))
			add_number(out, a->func == PF_AGG_VAR ? v : sqrt(v),
			    is_number);
		break;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		if (ms->str.str == NULL)
			break;
		if (!ms->nonnum && ms->has_num)
			add_number(out, ms->num, is_number);
		else
			pf_buf_add(out, ms->str.str, ms->str.len);
		break;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		if (ps->str.str != NULL)
			pf_buf_add(out, ps->str.str, ps->str.len);
		break;
	default:
		break;
	}
}

/* Partial form. */

static const char *const parts_n[] = { "n", NULL };
static const char *const parts_sum[] = { "n", "sum", NULL };
static const char *const parts_var[] = { "n", "sum", "sumsq", NULL };
static const char *const parts_minmax[] = { "num", "str", NULL };
static const char *const parts_pick[] = { "value", NULL };
static const char *const parts_values[] = { "values", NULL };

const char *const *
pf_agg_parts(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_COUNT:
		return parts_n;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return parts_sum;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return parts_var;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		return parts_minmax;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		return parts_pick;
	default:
		return parts_values;
	}
}

void
pf_agg_encode(const struct pf_agg *a, const unsigned char *state,
    size_t part, struct pf_buf *out)
{
	const struct sum_state *ss = (const struct sum_state *)state;
	const struct var_state *vs = (const struct var_state *)state;
	const struct minmax_state *ms = (const struct minmax_state *)state;
	const struct pick_state *ps = (const struct pick_state *)state;
	char num[PF_NUMBER_MAX];

	switch (a->func) {
	case PF_AGG_COUNT:
		pf_buf_add(out, num, pf_format_int(
		    (int64_t)((const struct count_state *)state)->n, num));
		break;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		if (part == 0)
			pf_buf_add(out, num, pf_format_int((int64_t)ss->n,
			    num));
		else
			pf_dec_encode(&ss->s, out);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		if (part == 0)
			pf_buf_add(out, num, pf_format_int((int64_t)vs->n,
			    num));
		else
			pf_dec_encode(part == 1 ? &vs->s : &vs->q, out);
		break;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		if (part == 0 && ms->has_num && !ms->nonnum)
			pf_buf_add(out, num, pf_format_double(ms->num, num));
		else if (part == 1 && ms->str.str != NULL)
			pf_buf_add(out, ms->str.str, ms->str.len);
		break;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		if (ps->str.str != NULL)
			pf_buf_add(out, ps->str.str, ps->str.len);
		break;
	default:
		break;
	}
}

static bool
parse_count(const char *s, size_t len, uint64_t *n)
{
	struct pf_number num;

	if (!pf_number_parse(s, len, &num) || !num.is_int || num.i < 0)
		return false;
	*n = (uint64_t)num.i;
	return true;
}

bool
pf_agg_decode(const struct pf_agg *a, unsigned char *state,
    const char *const *f, const size_t *lens, uint64_t order)
{
	struct sum_state *ss = (struct sum_state *)state;
	struct var_state *vs = (struct var_state *)state;
	struct minmax_state *ms = (struct minmax_state *)state;
	struct pick_state *ps = (struct pick_state *)state;
	struct pf_number num;

	switch (a->func) {
	case PF_AGG_COUNT:
		return parse_count(f[0], lens[0],
		    &((struct count_state *)state)->n);
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return parse_count(f[0], lens[0], &ss->n) &&
		    pf_dec_decode(&ss->s, f[1], lens[1]);
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return parse_count(f[0], lens[0], &vs->n) &&
		    pf_dec_decode(&vs->s, f[1], lens[1]) &&
		    pf_dec_decode(&vs->q, f[2], lens[2]);
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		if (lens[1] == 0)
			return lens[0] == 0;
		ms->str.str = (char *)f[1];
		ms->str.len = (uint32_t)lens[1];
		if (lens[0] == 0) {
			ms->nonnum = true;
			return true;
		}
		if (!pf_number_parse(f[0], lens[0], &num))
			return false;
		ms->has_num = true;
		ms->num = num.d;
		return true;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		if (lens[0] > 0) {
			ps->str.str = (char *)f[0];
			ps->str.len = (uint32_t)lens[0];
			ps->order = order;
		}
		return true;
	default:
		return false;
	}
}

/* Value aggregations. */

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
	double q = pf_agg_quantile(a->func), h, lo, hi;
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
	h = (double)(total - 1) * q;
	lo = rank_value(e, n, (uint64_t)floor(h));
	hi = rank_value(e, n, (uint64_t)ceil(h));
	add_number(out, floor(h) == ceil(h) ? lo : lo + (hi - lo) *
	    (h - floor(h)), is_number);
}

void
pf_agg_values_encode(const struct pf_agg *a, struct pf_value_entry **e,
    size_t n, struct pf_buf *out)
{
	char num[PF_NUMBER_MAX];
	size_t i;

	if (pf_agg_quantile(a->func) >= 0) {
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

	if (pf_agg_quantile(a->func) >= 0) {
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
