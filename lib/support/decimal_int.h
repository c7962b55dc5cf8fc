/*
 * decimal_int.h - what decimal.c (adding numbers) and decimal_value.c
 * (reading sums out) share: the big part's layout, powers of ten and the
 * GMP conversions. Not for other files: decimal.h is the interface.
 */
#ifndef PF_DECIMAL_INT_H
#define PF_DECIMAL_INT_H

#include <gmp.h>

#include "support/decimal.h"

/* The big part: limbs / 10^scale, in the arena. */
struct pf_dec_big {
	mp_limb_t	*limbs;		/* |value|, GMP's limb order */
	int32_t		 size;		/* limbs used; negative: value < 0 */
	uint32_t	 cap;		/* limbs allocated */
	int32_t		 scale;		/* any sign: 1e300 is 1 at -300 */
	uint8_t		 inf;		/* INF_POS | INF_NEG: seen */
};

#define INF_POS		1
#define INF_NEG		2
#define MAX_FAST_SCALE	36		/* of the fast part */
#define EXACT_DOUBLE	((pf_dec_int)1 << 53)

/* 10^0 .. 10^38, exact in a pf_dec_int. */
extern const pf_dec_int pf_dec_pow10[39];

/* z = m. */
void pf_dec_mpz_set(mpz_t z, pf_dec_int m);
/* z *= 10^k, k >= 0. */
void pf_dec_mpz_scale_up(mpz_t z, long k);
/* z = the big part's |limbs| with its sign (its scale is b->scale). */
void pf_dec_big_get(const struct pf_dec_big *b, mpz_t z);

/*
 * Reads a number (already validated) as m / 10^scale with at most 19
 * significant digits and 0 <= scale <= MAX_FAST_SCALE; false when it
 * does not fit.
 */
bool pf_dec_parse_fast(const char *s, size_t len, pf_dec_int *m, int *scale);
/*
 * Splits a number (already validated) into its significant digits, no
 * leading zeros (into digits, room for len bytes; *nd of them, maybe 0
 * for zero) and its sign: the value is digits / 10^(the return value).
 */
long pf_dec_split(const char *s, size_t len, char *digits, long *nd,
    bool *neg);
/*
 * Reads a number (already validated) exactly as z / 10^scale, digits
 * finer than 10^-PF_DEC_MAX_SCALE dropped. Returns 0, or 1 (-1) for a
 * value of 10^maxexp or more (less than -10^maxexp): infinite.
 */
int pf_dec_parse_big(const char *s, size_t len, mpz_t z, long *scale,
    long maxexp);
/* The double nearest to p / q (q > 0), ties to even. */
double pf_dec_ratio_to_double(const mpz_t p, const mpz_t q);
/*
 * Appends digits / 10^scale (digits: |value| in decimal, n of them), as
 * the partial form writes numbers: plainly, or with an exponent where
 * that saves more than 20 zeros; trailing zeros go, so one value has one
 * text.
 */
void pf_dec_encode_digits(struct pf_buf *out, bool neg, const char *digits,
    size_t n, long scale);

#endif
