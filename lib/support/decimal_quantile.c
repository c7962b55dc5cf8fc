/*
 * decimal_quantile.c - the exact arithmetic of quantiles (see decimal.h):
 * one text per decimal value, and the interpolation between two values
 * rounded once to a double.
 */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support/decimal_int.h"
#include "support/xalloc.h"

/* Whether s is written as pf_dec_canonical writes it (short texts only). */
static bool
is_canonical(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	/* Past 21 bytes the canonical text may need an exponent. */
	if (len == 0 || len > 21)
		return false;
	if (*p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return false;
	if (*p == '0') {
		p++;
		if (p == end)	/* "0"; "-0" is "0" */
			return s[0] != '-';
	} else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p == end)
		return true;
	if (*p++ != '.' || p == end)
		return false;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p == end && end[-1] != '0';
}

void
pf_dec_canonical(const char *s, size_t len, struct pf_buf *out)
{
	char *digits;
	long scale, nd;
	bool neg;

	if (is_canonical(s, len)) {
		pf_buf_add(out, s, len);
		return;
	}
	digits = pf_xmalloc(len + 1);
	scale = pf_dec_split(s, len, digits, &nd, &neg);
	if (nd == 0)
		pf_buf_addc(out, '0');
	else
		pf_dec_encode_digits(out, neg, digits, (size_t)nd, scale);
	free(digits);
}

/* The exact path: GMP, or doubles past PF_DEC_MAX_EXP (inf, nan). */
static double
interpolate_big(const char *lo, size_t lolen, const char *hi, size_t hilen,
    double lod, double hid, uint64_t r, uint64_t den)
{
	mpz_t a, b, q;
	long sa, sb, c;
	double v;

	mpz_inits(a, b, q, NULL);
	if (pf_dec_parse_big(lo, lolen, a, &sa, PF_DEC_MAX_EXP) != 0 ||
	    pf_dec_parse_big(hi, hilen, b, &sb, PF_DEC_MAX_EXP) != 0) {
		mpz_clears(a, b, q, NULL);
		return lod + (hid - lod) * ((double)r / (double)den);
	}
	c = sa > sb ? sa : sb;
	pf_dec_mpz_scale_up(a, c - sa);
	pf_dec_mpz_scale_up(b, c - sb);
	/* (a (den - r) + b r) / (den 10^c) */
	pf_dec_mpz_set(q, (pf_dec_int)(den - r));
	mpz_mul(a, a, q);
	pf_dec_mpz_set(q, (pf_dec_int)r);
	mpz_mul(b, b, q);
	mpz_add(a, a, b);
	pf_dec_mpz_set(q, (pf_dec_int)den);
	if (c < 0)		/* 1e200 is 1 at scale -200 */
		pf_dec_mpz_scale_up(a, -c);
	else
		pf_dec_mpz_scale_up(q, c);
	v = pf_dec_ratio_to_double(a, q);
	mpz_clears(a, b, q, NULL);
	return v;
}

double
pf_dec_interpolate(const char *lo, size_t lolen, double lod, const char *hi,
    size_t hilen, double hid, uint64_t r, uint64_t den)
{
	pf_dec_int a, b, num, d;
	int sa, sb, c;

	if (r == 0)
		return lod;
	/* The common case: both fit 128 bits at one scale, and so does all. */
	if (pf_dec_parse_fast(lo, lolen, &a, &sa) &&
	    pf_dec_parse_fast(hi, hilen, &b, &sb)) {
		c = sa > sb ? sa : sb;
		if (!__builtin_mul_overflow(a, pf_dec_pow10[c - sa], &a) &&
		    !__builtin_mul_overflow(b, pf_dec_pow10[c - sb], &b) &&
		    !__builtin_mul_overflow(a, (pf_dec_int)(den - r), &a) &&
		    !__builtin_mul_overflow(b, (pf_dec_int)r, &b) &&
		    !__builtin_add_overflow(a, b, &num) &&
		    !__builtin_mul_overflow((pf_dec_int)den, pf_dec_pow10[c],
		    &d) && num <= EXACT_DOUBLE && num >= -EXACT_DOUBLE &&
		    d <= EXACT_DOUBLE)
			/* Exact operands, one correctly rounded division. */
			return (double)num / (double)d;
	}
	return interpolate_big(lo, lolen, hi, hilen, lod, hid, r, den);
}
