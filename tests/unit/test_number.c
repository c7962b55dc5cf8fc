/*
 * test_number.c - unit tests for lib/support/number.c: what is a number, and the
 * shortest text that reads back to the same double.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "support/number.h"
#include "unit.h"

static bool
parse(const char *s, struct pf_number *n)
{
	return pf_number_parse(s, strlen(s), n);
}

static void
test_parse_integers(void)
{
	struct pf_number n;

	CHECK(parse("0", &n) && n.is_int && n.i == 0 && n.d == 0);
	CHECK(parse("42", &n) && n.is_int && n.i == 42 && n.d == 42);
	CHECK(parse("-7", &n) && n.is_int && n.i == -7 && n.d == -7);
	CHECK(parse("+5", &n) && n.is_int && n.i == 5);
	CHECK(parse("00012", &n) && n.is_int && n.i == 12);
	CHECK(parse("9223372036854775807", &n) && n.is_int &&
	    n.i == INT64_MAX);
	CHECK(parse("-9223372036854775808", &n) && n.is_int &&
	    n.i == INT64_MIN);
	/* Too big for int64: still a number, as a double. */
	CHECK(parse("9223372036854775808", &n) && !n.is_int &&
	    n.d == 9223372036854775808.0);
	CHECK(parse("-9223372036854775809", &n) && !n.is_int &&
	    n.d == -9223372036854775808.0);
	CHECK(parse("123456789012345678901234567890", &n) && !n.is_int &&
	    n.d == 123456789012345678901234567890.0);
	/* Only len bytes count. */
	CHECK(pf_number_parse("123abc", 3, &n) && n.is_int && n.i == 123);
	CHECK(pf_number_parse("1234", 2, &n) && n.is_int && n.i == 12);
}

static void
test_parse_decimals(void)
{
	struct pf_number n;

	CHECK(parse("3.5", &n) && !n.is_int && n.d == 3.5);
	CHECK(parse("-0.25", &n) && !n.is_int && n.d == -0.25);
	CHECK(parse(".5", &n) && !n.is_int && n.d == 0.5);
	CHECK(parse("-.5", &n) && n.d == -0.5);
	CHECK(parse("7.", &n) && !n.is_int && n.d == 7);
	CHECK(parse("1e3", &n) && !n.is_int && n.d == 1000);
	CHECK(parse("1E-2", &n) && n.d == 0.01);
	CHECK(parse("2.5e+3", &n) && n.d == 2500);
	CHECK(parse("0.1", &n) && n.d == 0.1);
	CHECK(parse("123456789.123456789", &n) &&
	    n.d == strtod("123456789.123456789", NULL));
	CHECK(parse("0.30000000000000004", &n) && n.d == 0.1 + 0.2);
	CHECK(parse("1.7976931348623157e308", &n) && n.d == 1.7976931348623157e308);
	CHECK(parse("4.9e-324", &n) && n.d == 4.9e-324);
	CHECK(parse("-0.0", &n) && n.d == 0 && signbit(n.d));
	CHECK(parse("1e400", &n) && isinf(n.d));
	/* Digits after the bytes of the number must not be read. */
	CHECK(pf_number_parse("1.25", 3, &n) && n.d == 1.2);
	CHECK(pf_number_parse("1e55", 3, &n) && n.d == 1e5);
}

static void
test_parse_rejects(void)
{
	static const char *bad[] = {
		"", "-", "+", ".", "-.", "e3", "1e", "1e+", "1e-", " 1", "1 ",
		"0x10", "inf", "-inf", "nan", "NaN", "1..2", "1.2.3", "--1",
		"+-1", "1e3.5", "abc", "1,5", "1_000", "12a", ".e1",
	};
	struct pf_number n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &n)) {
			printf("# \"%s\" parsed as a number\n", bad[i]);
			unit_check_failed = 1;
		}
	}
}

static const char *
fmt(double d)
{
	static char buf[PF_NUMBER_MAX];
	size_t n = pf_format_double(d, buf);

	CHECK(n == strlen(buf));
	return buf;
}

static void
test_format_double(void)
{
	CHECK_STR(fmt(3.0), "3");
	CHECK_STR(fmt(-0.0), "0");
	CHECK_STR(fmt(0.0), "0");
	CHECK_STR(fmt(-42.0), "-42");
	CHECK_STR(fmt(0.1), "0.1");
	CHECK_STR(fmt(2.5), "2.5");
	CHECK_STR(fmt(-2.5), "-2.5");
	CHECK_STR(fmt(123.456), "123.456");
	CHECK_STR(fmt(1.0 / 3), "0.3333333333333333");
	CHECK_STR(fmt(2.0 / 3), "0.6666666666666666");
	CHECK_STR(fmt(0.1 + 0.2), "0.30000000000000004");
	CHECK_STR(fmt(1e-5), "1e-05");
	CHECK_STR(fmt(0.0001), "0.0001");
	CHECK_STR(fmt(1e20), "1e+20");
	CHECK_STR(fmt(9007199254740992.0), "9007199254740992");
	CHECK_STR(fmt(-9007199254740992.0), "-9007199254740992");
	CHECK_STR(fmt(9007199254740994.0), "9007199254740994");
	CHECK_STR(fmt(12345678901234567e3), "1.2345678901234567e+19");
	CHECK_STR(fmt(9223372036854775808.0), "9.223372036854776e+18");
	CHECK_STR(fmt(18446744073709551616.0), "1.8446744073709552e+19");
	CHECK_STR(fmt(1.7976931348623157e308), "1.7976931348623157e+308");
	CHECK_STR(fmt(5e-324), "5e-324");
	CHECK_STR(fmt(INFINITY), "inf");
	CHECK_STR(fmt(-INFINITY), "-inf");
	CHECK_STR(fmt(NAN), "nan");
}

/* Whatever the double, its text reads back to it. */
static void
test_format_roundtrip(void)
{
	struct pf_number n;
	char buf[PF_NUMBER_MAX];
	unsigned long seed = 12345;
	int i, bad = 0;

	for (i = 0; i < 200000; i++) {
		uint64_t bits = 0;
		double d;
		size_t len;
		int k;

		for (k = 0; k < 4; k++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			bits = (bits << 16) | ((seed >> 33) & 0xffff);
		}
		memcpy(&d, &bits, sizeof(d));
		if (i % 3 == 0)
			d = (double)(int64_t)(bits >> (bits % 60)) / 1000;
		if (isnan(d) || isinf(d))
			continue;
		len = pf_format_double(d, buf);
		if (!pf_number_parse(buf, len, &n) || n.d != d) {
			if (bad++ < 5)
				printf("# %.17g -> \"%s\"\n", d, buf);
		}
	}
	CHECK(bad == 0);
}

static void
test_format_int(void)
{
	char buf[PF_NUMBER_MAX];

	CHECK(pf_format_int(0, buf) == 1);
	CHECK_STR(buf, "0");
	CHECK(pf_format_int(-1, buf) == 2);
	CHECK_STR(buf, "-1");
	pf_format_int(1234567890, buf);
	CHECK_STR(buf, "1234567890");
	CHECK(pf_format_int(INT64_MAX, buf) == 19);
	CHECK_STR(buf, "9223372036854775807");
	CHECK(pf_format_int(INT64_MIN, buf) == 20);
	CHECK_STR(buf, "-9223372036854775808");
}

int
main(void)
{
	UNIT_RUN(test_parse_integers);
	UNIT_RUN(test_parse_decimals);
	UNIT_RUN(test_parse_rejects);
	UNIT_RUN(test_format_double);
	UNIT_RUN(test_format_roundtrip);
	UNIT_RUN(test_format_int);
	return UNIT_DONE();
}
