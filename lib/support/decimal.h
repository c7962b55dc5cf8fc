/*
 * decimal.h - exact sums of decimal numbers as written, for preduce's
 * sum, mean, var and stdev.
 *
 * DESIGN
 * A CSV number is a decimal: "0.1" is one tenth, not the double nearest
 * to it. A pf_dec adds such numbers exactly, so a sum does not depend on
 * the order of the additions, hence not on -j, --chunk or the order of
 * --merge parts, and its final value is the double nearest to the exact
 * result (correct rounding, ties to even).
 *
 * Two parts hold the exact value m / 10^scale + big:
 * - the fast part, a 128-bit integer m at a decimal scale: most values
 *   (up to 19 significant digits, up to 36 decimal places) are added to
 *   it with one or two checked integer operations;
 * - the big part, a GMP integer at a scale of its own, kept in the
 *   caller's arena, for what does not fit: long mantissas, large
 *   exponents, and the fast part itself when it would overflow.
 * Neither part ever rounds. Limits, documented in preduce(1): digits
 * finer than 10^-PF_DEC_MAX_SCALE are dropped, and a value of magnitude
 * 10^PF_DEC_MAX_EXP or more counts as infinite; both are far outside
 * the range of doubles (about 4.9e-324 to 1.8e308).
 *
 * Final values (sum, mean, sample variance) are computed exactly and
 * rounded once: with plain double arithmetic when every operand is an
 * exact double and one operation gives the result, otherwise with GMP
 * (pf_dec_ratio).
 *
 * The partial form (pf_dec_encode) is the exact sum written as a decimal
 * ("12.5", "1e400", "-3e-1200"), or "inf", "-inf", "nan".
 */
#ifndef PF_DECIMAL_H
#define PF_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/buf.h"
#include "support/number.h"
#include "support/table.h"

#define PF_DEC_MAX_SCALE	1100	/* decimal places kept */
#define PF_DEC_MAX_EXP		1100	/* 10^this and more: infinite */

/* 8-aligned, as the arena's state blocks are. */
typedef __int128 pf_dec_int __attribute__((aligned(8)));

struct pf_dec_big;			/* decimal_int.h; in an arena */

struct pf_dec {
	pf_dec_int	 	 m;	/* the fast part is m / 10^scale */
	struct pf_dec_big	*big;	/* NULL: none */
	int32_t		 	 scale;
};

/* Adds the number written in s (known to be a number, parsed in num). */
void pf_dec_add_slow(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num, struct pf_arena *arena);

static inline void
pf_dec_add(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num, struct pf_arena *arena)
{
	pf_dec_int sum;

	/* The common case: an integer into a sum of integers. */
	if (num->is_int && d->scale == 0 &&
	    !__builtin_add_overflow(d->m, (pf_dec_int)num->i, &sum))
		d->m = sum;
	else
		pf_dec_add_slow(d, s, len, num, arena);
}

/* Adds the square of the number written in s (for the variance). */
void pf_dec_add_square(struct pf_dec *d, const char *s, size_t len,
    const struct pf_number *num, struct pf_arena *arena);

/* Adds v to d; v is left as it was. */
void pf_dec_merge(struct pf_dec *d, const struct pf_dec *v,
    struct pf_arena *arena);

/* The double nearest to d (inf, -inf or nan past the limits). */
double pf_dec_value(const struct pf_dec *d);
/* The double nearest to d / n, n > 0. */
double pf_dec_mean(const struct pf_dec *d, uint64_t n);
/*
 * The double nearest to the sample variance of n >= 2 values whose sum
 * is s and sum of squares q: (n q - s^2) / (n (n - 1)).
 */
double pf_dec_variance(const struct pf_dec *s, const struct pf_dec *q,
    uint64_t n);

/* Appends the exact value (see the partial form above). */
void pf_dec_encode(const struct pf_dec *d, struct pf_buf *out);
/* Reads what pf_dec_encode wrote into a zeroed d; false if malformed. */
bool pf_dec_decode(struct pf_dec *d, const char *s, size_t len,
    struct pf_arena *arena);

/*
 * Quantiles (decimal_quantile.c). pf_dec_canonical appends the one text
 * of the value written in s (a number): "1.50", "15e-1" and "+1.5" are
 * all "1.5", "-0" is "0", "1e400" stays; short texts already so are
 * copied as they are.
 */
void pf_dec_canonical(const char *s, size_t len, struct pf_buf *out);
/*
 * The double nearest to lo + (hi - lo) r / den, computed exactly from
 * the numbers written in lo and hi (lod, hid: the doubles nearest to
 * them), 0 <= r < den, den <= 10^18. Past the limits above it is
 * computed in doubles (inf, or nan between -inf and inf).
 */
double pf_dec_interpolate(const char *lo, size_t lolen, double lod,
    const char *hi, size_t hilen, double hid, uint64_t r, uint64_t den);

#endif
