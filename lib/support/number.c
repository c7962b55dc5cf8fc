/*
 * number.c - decimal number parsing and shortest-form formatting
 * (see number.h).
 *
 * Parsing validates the syntax by hand and computes the value directly
 * when that is exact (integers; up to 15 significant digits with a small
 * decimal exponent), so the common cases never reach strtod; short plain
 * integers take a shortcut of their own.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/number.h"
#include "support/xalloc.h"

/* Powers of ten that doubles hold exactly. */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define MANT_LIMIT	((UINT64_MAX - 9) / 10)

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* strtod on a NUL-terminated copy: the bytes after s are not ours. */
static double
slow_strtod(const char *s, size_t len)
{
	char small[64], *copy = small;
	double d;

	if (len >= sizeof(small))
		copy = pf_xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	d = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return d;
}

/* Any number: pf_number_parse() past its shortcut. */
static bool
parse_any(const char *s, size_t len, struct pf_number *out)
{
	const char *p = s, *end;
	uint64_t mant = 0;
	int exp10 = 0, ndigits = 0;
	bool neg = false, inexact = false, is_int = true;

	if (len == 0)
		return false;	/* and s may be NULL */
	end = s + len;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end && is_digit(*p); p++, ndigits++) {
		if (mant <= MANT_LIMIT)
			mant = mant * 10 + (uint64_t)(*p - '0');
		else {
			exp10++;
			inexact = true;
		}
	}
	if (p < end && *p == '.') {
		is_int = false;
		for (p++; p < end && is_digit(*p); p++, ndigits++) {
			if (mant <= MANT_LIMIT) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				exp10--;
			} else
				inexact = true;
		}
	}
	if (ndigits == 0)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false;
		int e = 0;

		is_int = false;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == end || !is_digit(*p))
			return false;
		for (; p < end && is_digit(*p); p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		exp10 += eneg ? -e : e;
	}
	if (p != end)
		return false;

	if (is_int && !inexact &&
	    mant <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
		out->is_int = true;
		out->i = neg ? (int64_t)(0 - mant) : (int64_t)mant;
		out->d = (double)out->i;
		return true;
	}
	out->is_int = false;
	out->i = 0;
	if (!inexact && mant <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
		/* One correctly rounded operation on exact operands. */
		double d = (double)mant;

		d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
		out->d = neg ? -d : d;
	} else
		out->d = slow_strtod(s, len);
	return true;
}

bool
pf_number_parse(const char *s, size_t len, struct pf_number *out)
{
	int64_t i;

	if (!pf_number_plain_int(s, len, &i))
		return parse_any(s, len, out);	/* s may be NULL if len is 0 */
	out->is_int = true;
	out->i = i;
	out->d = (double)i;
	return true;
}

size_t
pf_format_int(int64_t v, char *buf)
{
	/* Two digits at a time, from the right. */
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char tmp[24], *t = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	while (u >= 100) {
		t -= 2;
		memcpy(t, pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		t -= 2;
		memcpy(t, pairs + 2 * u, 2);
	} else
		*--t = (char)('0' + u);
	if (v < 0)
		*--t = '-';
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(buf, t, n);
	buf[n] = '\0';
	return n;
}

size_t
pf_format_double(double d, char *buf)
{
	int prec, n = 0;

	if (isnan(d)) {
		memcpy(buf, "nan", 4);
		return 3;
	}
	if (isinf(d)) {
		strcpy(buf, d < 0 ? "-inf" : "inf");
		return d < 0 ? 4 : 3;
	}
	if (fabs(d) <= 9007199254740992.0 && d == trunc(d))
		return pf_format_int((int64_t)d, buf);	/* also -0 as "0" */
	/* Subnormals have few significant digits: search from the shortest. */
	for (prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		n = snprintf(buf, PF_NUMBER_MAX, "%.*g", prec, d);
		if (prec == 17 || strtod(buf, NULL) == d)
			break;
	}
	return (size_t)n;
}

/* Exact comparison. */

/* A number as its significant digits and the exponent of the first. */
struct digits_view {
	const char	*p, *end;	/* from the first non-zero digit */
	long		 exp;		/* its power of ten */
	bool		 neg, zero;
};

static void
digits_view(const char *s, size_t len, struct digits_view *v)
{
	const char *p = s, *end = s + len, *mend, *dot;
	long e = 0;
	bool eneg = false;

	v->neg = p < end && *p == '-';
	if (p < end && (*p == '+' || *p == '-'))
		p++;
	for (mend = p; mend < end && *mend != 'e' && *mend != 'E'; mend++)
		;
	if (mend < end) {
		const char *q = mend + 1;

		if (q < end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		for (; q < end; q++)
			if (e < 1000000000L)
				e = e * 10 + (*q - '0');
		if (eneg)
			e = -e;
	}
	dot = memchr(p, '.', (size_t)(mend - p));
	while (p < mend && (*p == '0' || *p == '.'))
		p++;
	v->p = p;
	v->end = mend;
	v->zero = p == mend;
	if (v->zero)
		return;
	/* The first significant digit's power of ten. */
	if (dot == NULL || p < dot)
		v->exp = (long)((dot != NULL ? dot : mend) - p) - 1 + e;
	else
		v->exp = -(long)(p - dot) + e;
}

int
pf_number_cmp_text(const char *a, size_t alen, const char *b, size_t blen)
{
	struct digits_view x, y;
	int c = 0, sign;

	digits_view(a, alen, &x);
	digits_view(b, blen, &y);
	if (x.zero || y.zero) {
		if (x.zero && y.zero)
			return 0;
		if (x.zero)
			return y.neg ? 1 : -1;
		return x.neg ? -1 : 1;
	}
	if (x.neg != y.neg)
		return x.neg ? -1 : 1;
	sign = x.neg ? -1 : 1;
	if (x.exp != y.exp)
		return x.exp < y.exp ? -sign : sign;
	/* Same magnitude: the digits decide, '.' skipped, zeros padding. */
	for (;;) {
		while (x.p < x.end && *x.p == '.')
			x.p++;
		while (y.p < y.end && *y.p == '.')
			y.p++;
		if (x.p == x.end || y.p == y.end)
			break;
		if (*x.p != *y.p)
			return *x.p < *y.p ? -sign : sign;
		x.p++;
		y.p++;
	}
	for (; x.p < x.end; x.p++)
		if (*x.p >= '1' && *x.p <= '9')
			c = 1;
	for (; y.p < y.end; y.p++)
		if (*y.p >= '1' && *y.p <= '9')
			c = -1;
	return c * sign;
}

bool
pf_number_is_json(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	if (p < end && *p == '-')
		p++;
	if (p == end || !is_digit(*p))
		return false;
	if (*p == '0')
		p++;
	else
		while (p < end && is_digit(*p))
			p++;
	if (p < end && *p == '.') {
		if (++p == end || !is_digit(*p))
			return false;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return false;
		while (p < end && is_digit(*p))
			p++;
	}
	return p == end;
}
