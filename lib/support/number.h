/*
 * number.h - parsing and formatting of numbers, shared by all tools.
 *
 * A number is the whole of a byte string in decimal: an optional sign,
 * digits with an optional fraction ("12", "-3.5", "7.") or a fraction
 * alone (".5"), and an optional exponent ("1e3", "2.5E-4"). Spaces, hex,
 * "inf" and "nan" are not numbers. Numbers are written in the shortest
 * form that reads back to the same double, integral values without a
 * decimal point. Both directions assume LC_NUMERIC is "C" (the tools never
 * set it).
 */
#ifndef PF_NUMBER_H
#define PF_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any formatted number, with its NUL. */
#define PF_NUMBER_MAX 40

struct pf_number {
	bool	 is_int;	/* no '.' or exponent, and fits int64: i */
	int64_t	 i;
	double	 d;		/* always set */
};

/* True when all len bytes of s are a number; fills *out. */
bool pf_number_parse(const char *s, size_t len, struct pf_number *out);

/*
 * The common case of pf_number_parse(), inline: whether s[0..len) is a
 * plain integer ("-"? and 1 to 18 digits, which cannot overflow), with
 * its value in *v. False for anything else, which may still be a number.
 */
static inline bool
pf_number_plain_int(const char *s, size_t len, int64_t *v)
{
	const char *p = s, *end = s + len;
	uint64_t mant = 0;
	unsigned digit;
	bool neg;

	if (len == 0 || len > 18)
		return false;
	neg = *p == '-';
	if (len == (size_t)neg)
		return false;
	for (p += neg; p < end; p++) {
		if ((digit = (unsigned)(unsigned char)*p - '0') > 9)
			return false;
		mant = mant * 10 + digit;
	}
	*v = neg ? -(int64_t)mant : (int64_t)mant;
	return true;
}

/*
 * Compares the numbers written in a and b (both pf_number_parse()
 * numbers) exactly, as decimals: returns -1, 0 or 1. "1.50" equals
 * "15e-1", and 9007199254740993 is more than 9007199254740992.
 */
int pf_number_cmp_text(const char *a, size_t alen, const char *b,
    size_t blen);

/* Whether a number is written as JSON writes numbers ("-0.5", not ".5"). */
bool pf_number_is_json(const char *s, size_t len);

/*
 * Writes d into buf (PF_NUMBER_MAX bytes), NUL-terminated, and returns its
 * length: integral values up to 2^53 as integers ("3", "-0" as "0"), others
 * in the shortest of %.15g, %.16g, %.17g that reads back exactly (any
 * precision for subnormals), and
 * "inf", "-inf", "nan" for the rest.
 */
size_t pf_format_double(double d, char *buf);
/* Writes v in decimal into buf (PF_NUMBER_MAX bytes); returns the length. */
size_t pf_format_int(int64_t v, char *buf);

#endif
