/*
 * decimal.c - exact decimal sums (see decimal.h): reading numbers and
 * adding them, squares and other sums into a sum, and reading a sum back
 * from its partial form. decimal_value.c reads sums out. GMP does the
 * big-integer arithmetic.
 */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "support/decimal_int.h"
#include "support/xalloc.h"

#define P19	((pf_dec_int)10000000000000000000ULL)
const pf_dec_int pf_dec_pow10[39] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000,
	10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000,
	P19, P19 * 10, P19 * 100, P19 * 1000, P19 * 10000, P19 * 100000,
	P19 * 1000000, P19 * 10000000, P19 * 100000000, P19 * 1000000000,
	P19 * 10000000000, P19 * 100000000000, P19 * 1000000000000,
	P19 * 10000000000000, P19 * 100000000000000,
	P19 * 1000000000000000, P19 * 10000000000000000,
	P19 * 100000000000000000, P19 * 1000000000000000000,
	P19 * P19,
};

/* Reading numbers. */

/*
 * Reads a number (already validated) as m / 10^scale with at most 19
 * significant digits and 0 <= scale <= MAX_FAST_SCALE; false when it
 * does not fit.
 */
bool
pf_dec_parse_fast(const char *s, size_t len, pf_dec_int *m, int *scale)
{
	const char *p = s, *end = s + len;
	uint64_t u = 0;
	int frac = 0, e = 0;
	bool neg = false, eneg = false, dot = false;
	pf_dec_int v;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	/* Trailing zeros of a fraction add nothing: drop them. */
	if (memchr(p, '.', (size_t)(end - p)) != NULL &&
	    memchr(p, 'e', (size_t)(end - p)) == NULL &&
	    memchr(p, 'E', (size_t)(end - p)) == NULL)
		while (end > p && end[-1] == '0')
			end--;
	for (; p < end && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
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
		frac += eneg ? e : -e;
	}
	v = (pf_dec_int)u;
	if (frac < 0) {
		if (-frac > 38 || __builtin_mul_overflow(v, pf_dec_pow10[-frac],
		    &v))
			return false;
		frac = 0;
	}
	if (frac > MAX_FAST_SCALE)
		return false;
	*m = neg ? -v : v;
	*scale = frac;
	return true;
}

long
pf_dec_split(const char *s, size_t len, char *digits, long *nd, bool *neg)
{
	const char *p = s, *end = s + len;
	long frac = 0, e = 0;
	bool eneg = false, dot = false;

	*nd = 0;
	*neg = false;
	if (p < end && (*p == '+' || *p == '-'))
		*neg = *p++ == '-';
	for (; p < end && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
		if (*nd > 0 || *p != '0')	/* not a leading zero */
			digits[(*nd)++] = *p;
		frac += dot;
	}
	if (p < end) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end; p++)
			if (e < 100000000)
				e = e * 10 + (*p - '0');
		frac += eneg ? e : -e;
	}
	return frac;
}

/*
 * Reads a number (already validated) exactly as z / 10^scale, digits
 * finer than 10^-PF_DEC_MAX_SCALE dropped. Returns 0, or 1 (-1) for a
 * value of 10^maxexp or more (less than -10^maxexp): infinite.
 */
int
pf_dec_parse_big(const char *s, size_t len, mpz_t z, long *scale, long maxexp)
{
	char *digits = pf_xmalloc(len + 1);
	long nd, lead, frac;
	bool neg;

	frac = pf_dec_split(s, len, digits, &nd, &neg);
	*scale = 0;
	mpz_set_ui(z, 0);
	if (nd == 0) {
		free(digits);
		return 0;
	}
	lead = nd - 1 - frac;		/* the exponent of the first digit */
	if (lead >= maxexp) {
		free(digits);
		return neg ? -1 : 1;
	}
	if (frac > PF_DEC_MAX_SCALE) {
		nd -= frac - PF_DEC_MAX_SCALE;
		frac = PF_DEC_MAX_SCALE;
	}
	if (nd > 0) {
		digits[nd] = '\0';
		mpz_set_str(z, digits, 10);
		if (neg)
			mpz_neg(z, z);
		*scale = frac;
	}
	free(digits);
	return 0;
}

/* GMP integers from and into the other forms. */

void
pf_dec_mpz_set(mpz_t z, pf_dec_int m)
{
	unsigned __int128 u = m < 0 ? -(unsigned __int128)m :
	    (unsigned __int128)m;

	mpz_set_ui(z, (unsigned long)(u >> 64));
	mpz_mul_2exp(z, z, 64);
	mpz_add_ui(z, z, (unsigned long)u);
	if (m < 0)
		mpz_neg(z, z);
}

/* z *= 10^k, k >= 0. */
void
pf_dec_mpz_scale_up(mpz_t z, long k)
{
	mpz_t t;

	if (k <= 0 || mpz_sgn(z) == 0)
		return;
	mpz_init(t);
	mpz_ui_pow_ui(t, 10, (unsigned long)k);
	mpz_mul(z, z, t);
	mpz_clear(t);
}

void
pf_dec_big_get(const struct pf_dec_big *b, mpz_t z)
{
	mpz_t view;

	if (b->size == 0) {
		mpz_set_ui(z, 0);
		return;
	}
	mpz_roinit_n(view, b->limbs, b->size);
	mpz_set(z, view);
}

static void
big_set(struct pf_dec_big *b, const mpz_t z, long scale,
    struct pf_arena *arena)
{
	size_t n = mpz_size(z), cap;

	if (n > b->cap) {
		for (cap = b->cap > 0 ? b->cap : 2; cap < n; cap *= 2)
			;
		b->limbs = pf_arena_alloc(arena, cap * sizeof(mp_limb_t));
		b->cap = (uint32_t)cap;
	}
	if (n > 0)
		memcpy(b->limbs, mpz_limbs_read(z), n * sizeof(mp_limb_t));
	b->size = mpz_sgn(z) < 0 ? -(int32_t)n : (int32_t)n;
	b->scale = n > 0 ? (int32_t)scale : 0;
}

static struct pf_dec_big *
big_of(struct pf_dec *d, struct pf_arena *arena)
{
	if (d->big == NULL) {
		d->big = pf_arena_alloc(arena, sizeof(*d->big));
		memset(d->big, 0, sizeof(*d->big));
	}
	return d->big;
}

/* Adds z / 10^zscale to the big part. */
static void
big_add(struct pf_dec *d, const mpz_t z, long zscale,
    struct pf_arena *arena)
{
	struct pf_dec_big *b;
	mpz_t acc, t;
	long c;

	if (mpz_sgn(z) == 0)
		return;
	b = big_of(d, arena);
	c = b->size == 0 || zscale > b->scale ? zscale : b->scale;
	mpz_init(acc);
	mpz_init_set(t, z);
	pf_dec_big_get(b, acc);
	pf_dec_mpz_scale_up(acc, c - b->scale);
	pf_dec_mpz_scale_up(t, c - zscale);
	mpz_add(acc, acc, t);
	big_set(b, acc, c, arena);
	mpz_clear(acc);
	mpz_clear(t);
}

static void
big_add_dec_int(struct pf_dec *d, pf_dec_int m, int scale,
    struct pf_arena *arena)
{
	mpz_t z;

	mpz_init(z);
	pf_dec_mpz_set(z, m);
	big_add(d, z, scale, arena);
	mpz_clear(z);
}

/* Moves the fast part into the big part. */
static void
spill(struct pf_dec *d, struct pf_arena *arena)
{
	big_add_dec_int(d, d->m, d->scale, arena);
	d->m = 0;
}

/* Adds m / 10^scale (0 <= scale <= MAX_FAST_SCALE). */
static void
add_fast(struct pf_dec *d, pf_dec_int m, int scale, struct pf_arena *arena)
{
	pf_dec_int t;

	if (scale > d->scale) {
		if (__builtin_mul_overflow(d->m, pf_dec_pow10[scale - d->scale],
		    &t))
			spill(d, arena);
		else
			d->m = t;
		d->scale = scale;
	} else if (scale < d->scale) {
		if (__builtin_mul_overflow(m, pf_dec_pow10[d->scale - scale],
		    &t)) {
			big_add_dec_int(d, m, scale, arena);
			return;
		}
		m = t;
	}
	if (__builtin_add_overflow(d->m, m, &t)) {
		spill(d, arena);
		t = m;
	}
	d->m = t;
}

static void
add_infinite(struct pf_dec *d, int sign, struct pf_arena *arena)
{
	big_of(d, arena)->inf |= sign > 0 ? INF_POS : INF_NEG;
}

/* Adds the number in s, or its square, through the big part. */
static void
add_text_big(struct pf_dec *d, const char *s, size_t len, bool square,
    long maxexp, struct pf_arena *arena)
{
	long scale;
	int inf;
	mpz_t z;

	mpz_init(z);
	inf = pf_dec_parse_big(s, len, z, &scale, maxexp);
	if (inf != 0)
		add_infinite(d, square ? 1 : inf, arena);
	else if (square) {
		mpz_mul(z, z, z);
		big_add(d, z, 2 * scale, arena);
	} else
		big_add(d, z, scale, arena);
	mpz_clear(z);
}

/* Adds a number: fast when it fits, else exactly below 10^maxexp. */
static void
add_number(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num, long maxexp, struct pf_arena *arena)
{
	pf_dec_int m;
	int scale;

	if (num->is_int)
		add_fast(d, num->i, 0, arena);
	else if (pf_dec_parse_fast(s, len, &m, &scale))
		add_fast(d, m, scale, arena);
	else
		add_text_big(d, s, len, false, maxexp, arena);
}

void
pf_dec_add_slow(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num, struct pf_arena *arena)
{
	add_number(d, s, len, num, PF_DEC_MAX_EXP, arena);
}

void
pf_dec_add_square(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num, struct pf_arena *arena)
{
	pf_dec_int m, sq;
	int scale;

	if (num->is_int) {
		m = num->i;
		scale = 0;
	} else if (!pf_dec_parse_fast(s, len, &m, &scale)) {
		add_text_big(d, s, len, true, PF_DEC_MAX_EXP, arena);
		return;
	}
	if (2 * scale > MAX_FAST_SCALE || __builtin_mul_overflow(m, m, &sq))
		add_text_big(d, s, len, true, PF_DEC_MAX_EXP, arena);
	else
		add_fast(d, sq, 2 * scale, arena);
}

void
pf_dec_merge(struct pf_dec *d, const struct pf_dec *v, struct pf_arena *arena)
{
	mpz_t z;

	if (v->m != 0)
		add_fast(d, v->m, v->scale, arena);
	if (v->big == NULL)
		return;
	if (v->big->inf != 0)
		big_of(d, arena)->inf |= v->big->inf;
	if (v->big->size != 0) {
		mpz_init(z);
		pf_dec_big_get(v->big, z);
		big_add(d, z, v->big->scale, arena);
		mpz_clear(z);
	}
}

bool
pf_dec_decode(struct pf_dec *d, const char *s, size_t len,
    struct pf_arena *arena)
{
	struct pf_number num;

	memset(d, 0, sizeof(*d));
	if (len == 3 && memcmp(s, "nan", 3) == 0) {
		add_infinite(d, 1, arena);
		add_infinite(d, -1, arena);
		return true;
	}
	if ((len == 3 && memcmp(s, "inf", 3) == 0) ||
	    (len == 4 && memcmp(s, "-inf", 4) == 0)) {
		add_infinite(d, *s == '-' ? -1 : 1, arena);
		return true;
	}
	if (!pf_number_parse(s, len, &num))
		return false;
	/* A sum may pass the limit of one value: allow more. */
	add_number(d, s, len, &num, 2 * PF_DEC_MAX_EXP, arena);
	return true;
}
