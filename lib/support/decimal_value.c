/*
 * decimal_value.c - reading an exact sum out (see decimal.h): as the
 * double nearest to the sum, its mean or the sample variance (correct
 * rounding, ties to even), or exactly as the partial form's text.
 */
#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/decimal_int.h"

/* Powers of ten that doubles hold exactly. */
static const double pow10_double[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Final values. */

static bool
has_infinite(const struct pf_dec *d)
{
	return d->big != NULL && d->big->inf != 0;
}

/* The value of a sum with infinite parts: inf, -inf or nan. */
static double
infinite_value(const struct pf_dec *d)
{
	if (d->big->inf == (INF_POS | INF_NEG))
		return NAN;
	return d->big->inf == INF_POS ? INFINITY : -INFINITY;
}

/* The whole exact value as z / 10^scale, scale >= 0; returns scale. */
static long
dec_total(const struct pf_dec *d, mpz_t z)
{
	long c = d->scale;
	mpz_t t;

	pf_dec_mpz_set(z, d->m);
	if (d->big != NULL && d->big->size != 0) {
		mpz_init(t);
		pf_dec_big_get(d->big, t);
		if (d->big->scale > c) {
			pf_dec_mpz_scale_up(z, d->big->scale - c);
			c = d->big->scale;
		}
		pf_dec_mpz_scale_up(t, c - d->big->scale);
		mpz_add(z, z, t);
		mpz_clear(t);
	}
	return c;
}

/*
 * The double nearest to p / q (q > 0), ties to even, subnormals and
 * overflow included: a quotient of 53 significant bits (fewer in the
 * subnormal range) and its remainder decide the rounding exactly.
 */
double
pf_dec_ratio_to_double(const mpz_t p, const mpz_t q)
{
	mpz_t a, b, quo, rem;
	long shift;
	double v;
	int c;

	if (mpz_sgn(p) == 0)
		return 0;
	mpz_inits(a, b, quo, rem, NULL);
	mpz_abs(a, p);
	/* a / b * 2^shift lies in [2^52, 2^54): at most one step back. */
	shift = 53 - ((long)mpz_sizeinbase(a, 2) - (long)mpz_sizeinbase(q, 2));
	for (;;) {
		if (shift > 1074)	/* below the smallest subnormal step */
			shift = 1074;
		mpz_abs(a, p);
		mpz_set(b, q);
		if (shift >= 0)
			mpz_mul_2exp(a, a, (mp_bitcnt_t)shift);
		else
			mpz_mul_2exp(b, b, (mp_bitcnt_t)-shift);
		mpz_tdiv_qr(quo, rem, a, b);
		if (mpz_sizeinbase(quo, 2) <= 53)
			break;
		shift--;
	}
	mpz_mul_2exp(rem, rem, 1);
	c = mpz_cmp(rem, b);
	if (c > 0 || (c == 0 && mpz_odd_p(quo)))
		mpz_add_ui(quo, quo, 1);
	/* quo <= 2^53 is exact in a double; ldexp overflows to inf. */
	v = ldexp(mpz_get_d(quo), (int)-shift);
	mpz_clears(a, b, quo, rem, NULL);
	return mpz_sgn(p) < 0 ? -v : v;
}

/* The double nearest to p / (den * 10^scale), den > 0, scale >= 0. */
static double
scaled_ratio(const mpz_t p, const mpz_t den, long scale)
{
	mpz_t q;
	double v;

	mpz_init_set(q, den);
	pf_dec_mpz_scale_up(q, scale);
	v = pf_dec_ratio_to_double(p, q);
	mpz_clear(q);
	return v;
}

static double
dec_div(const struct pf_dec *d, uint64_t n)
{
	mpz_t z, den;
	long scale;
	double v;

	mpz_inits(z, den, NULL);
	scale = dec_total(d, z);
	mpz_set_ui(den, n);
	v = scaled_ratio(z, den, scale);
	mpz_clears(z, den, NULL);
	return v;
}

double
pf_dec_value(const struct pf_dec *d)
{
	if (d->big == NULL && d->m <= EXACT_DOUBLE && d->m >= -EXACT_DOUBLE &&
	    d->scale <= 22)
		/* Exact operands, one correctly rounded operation. */
		return (double)d->m / pow10_double[d->scale];
	if (has_infinite(d))
		return infinite_value(d);
	return dec_div(d, 1);
}

double
pf_dec_mean(const struct pf_dec *d, uint64_t n)
{
	uint64_t den;

	if (d->big == NULL && d->m <= EXACT_DOUBLE && d->m >= -EXACT_DOUBLE &&
	    d->scale <= 19 && !__builtin_mul_overflow(n,
	    (uint64_t)pf_dec_pow10[d->scale], &den) && den <= (1ULL << 53))
		return (double)d->m / (double)den;
	if (has_infinite(d))
		return infinite_value(d);
	return dec_div(d, n);
}

double
pf_dec_variance(const struct pf_dec *s, const struct pf_dec *q, uint64_t n)
{
	mpz_t ts, tq, num, den;
	long a, b, c;
	double v;

	if (has_infinite(s) || has_infinite(q))
		return NAN;
	mpz_inits(ts, tq, num, den, NULL);
	a = dec_total(s, ts);
	b = dec_total(q, tq);
	/* (n q - s^2) at the common scale c, over n (n - 1) 10^c. */
	c = 2 * a > b ? 2 * a : b;
	mpz_mul_ui(num, tq, n);
	pf_dec_mpz_scale_up(num, c - b);
	mpz_mul(ts, ts, ts);
	pf_dec_mpz_scale_up(ts, c - 2 * a);
	mpz_sub(num, num, ts);
	mpz_set_ui(den, n);
	mpz_mul_ui(den, den, n - 1);
	v = mpz_sgn(num) <= 0 ? 0.0 : scaled_ratio(num, den, c);
	mpz_clears(ts, tq, num, den, NULL);
	return v;
}

/* The partial form. */

/*
 * Appends digits / 10^scale, digits being |value| in decimal: plainly,
 * or with an exponent where that saves more than 20 zeros.
 */
void
pf_dec_encode_digits(struct pf_buf *out, bool neg, const char *digits, size_t n,
    long scale)
{
	char exp[32];
	long zeros;

	if (n == 1 && digits[0] == '0') {
		pf_buf_addc(out, '0');
		return;
	}
	while (n > 1 && digits[n - 1] == '0') {
		n--;
		scale--;
	}
	if (neg)
		pf_buf_addc(out, '-');
	if (scale < -20 || scale - (long)n > 20) {
		pf_buf_add(out, digits, n);
		snprintf(exp, sizeof(exp), "e%ld", -scale);
		pf_buf_adds(out, exp);
	} else if (scale <= 0) {
		pf_buf_add(out, digits, n);
		for (zeros = -scale; zeros > 0; zeros--)
			pf_buf_addc(out, '0');
	} else if ((size_t)scale < n) {
		pf_buf_add(out, digits, n - (size_t)scale);
		pf_buf_addc(out, '.');
		pf_buf_add(out, digits + n - scale, (size_t)scale);
	} else {
		pf_buf_add(out, "0.", 2);
		for (zeros = scale - (long)n; zeros > 0; zeros--)
			pf_buf_addc(out, '0');
		pf_buf_add(out, digits, n);
	}
}

void
pf_dec_encode(const struct pf_dec *d, struct pf_buf *out)
{
	char *digits;
	long scale;
	mpz_t z;

	if (has_infinite(d)) {
		pf_buf_adds(out, d->big->inf == INF_POS ? "inf" :
		    d->big->inf == INF_NEG ? "-inf" : "nan");
		return;
	}
	mpz_init(z);
	scale = dec_total(d, z);
	digits = mpz_get_str(NULL, 10, z);
	pf_dec_encode_digits(out, digits[0] == '-', digits + (digits[0] == '-'),
	    strlen(digits) - (digits[0] == '-'), scale);
	free(digits);
	mpz_clear(z);
}
