/*
 * test_decimal.c - unit tests of lib/support/decimal.c: exact sums, their
 * partial form, and correct rounding (checked against strtod, which
 * rounds a decimal string correctly), whatever the order of additions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support/decimal.h"
#include "unit.h"

static struct pf_arena arena;

static void
add(struct pf_dec *d, const char *s)
{
	struct pf_number n;

	if (!pf_number_parse(s, strlen(s), &n))
		printf("# not a number: %s\n", s);
	pf_dec_add(d, s, strlen(s), &n, &arena);
}

static void
add_square(struct pf_dec *d, const char *s)
{
	struct pf_number n;

	pf_number_parse(s, strlen(s), &n);
	pf_dec_add_square(d, s, strlen(s), &n, &arena);
}

/* d's partial form, NUL-terminated, in a static buffer. */
static const char *
encoded(const struct pf_dec *d)
{
	static struct pf_buf b;

	b.len = 0;
	pf_dec_encode(d, &b);
	pf_buf_addc(&b, '\0');
	return b.data;
}

static void
test_exact_sums(void)
{
	struct pf_dec d = { 0 };

	add(&d, "0.1");
	add(&d, "0.2");
	CHECK(pf_dec_value(&d) == 0.3);
	CHECK_STR(encoded(&d), "0.3");
	memset(&d, 0, sizeof(d));
	add(&d, "0.001");
	add(&d, "10000000000000000");
	CHECK_STR(encoded(&d), "10000000000000000.001");
	CHECK(pf_dec_value(&d) == 1e16);
	memset(&d, 0, sizeof(d));
	add(&d, "0.123456789012345678");
	add(&d, "20");
	CHECK_STR(encoded(&d), "20.123456789012345678");
	CHECK(pf_dec_value(&d) == strtod("20.123456789012345678", NULL));
	/* Ties to even, and the smallest excess breaks the tie. */
	memset(&d, 0, sizeof(d));
	add(&d, "9007199254740992");
	add(&d, "1");
	CHECK(pf_dec_value(&d) == 9007199254740992.0);
	add(&d, "1e-30");
	CHECK(pf_dec_value(&d) == 9007199254740994.0);
	CHECK_STR(encoded(&d), "9007199254740993.000000000000000000000000000001");
	/* Subnormals and the limits. */
	memset(&d, 0, sizeof(d));
	add(&d, "1e-320");
	add(&d, "1e-320");
	CHECK(pf_dec_value(&d) == strtod("2e-320", NULL));
	CHECK_STR(encoded(&d), "2e-320");
	memset(&d, 0, sizeof(d));
	add(&d, "1e308");
	add(&d, "1e308");
	CHECK(isinf(pf_dec_value(&d)) && pf_dec_value(&d) > 0);
	CHECK(pf_dec_mean(&d, 2) == 1e308);
	add(&d, "-2e308");
	CHECK(pf_dec_value(&d) == 0);
	add(&d, "1e2000");
	CHECK_STR(encoded(&d), "inf");
	add(&d, "-1e2000");
	CHECK(isnan(pf_dec_value(&d)));
	CHECK_STR(encoded(&d), "nan");
}

/* A sum in one order and in another, and merged from two halves. */
static void
test_order_independence(void)
{
	char vals[200][48];
	struct pf_dec fwd = { 0 }, back = { 0 }, h1 = { 0 }, h2 = { 0 };
	char want[4096];
	unsigned seed = 1;
	int i;

	for (i = 0; i < 200; i++) {
		seed = seed * 1103515245 + 12345;
		switch (i % 5) {
		case 0:
			snprintf(vals[i], sizeof(vals[i]), "%u.%02u",
			    seed % 100000, seed % 97);
			break;
		case 1:
			snprintf(vals[i], sizeof(vals[i]), "-%ue%d", seed % 1000,
			    (int)(seed % 61) - 30);
			break;
		case 2:
			snprintf(vals[i], sizeof(vals[i]),
			    "170000000012345%04u", seed % 10000);
			break;
		case 3:
			snprintf(vals[i], sizeof(vals[i]), "0.%020u%010u",
			    seed, seed / 7);
			break;
		default:
			snprintf(vals[i], sizeof(vals[i]), "%u.%ue200",
			    seed % 10, seed % 1000);
		}
	}
	for (i = 0; i < 200; i++) {
		add(&fwd, vals[i]);
		add(&back, vals[199 - i]);
		add(i % 2 ? &h1 : &h2, vals[i]);
	}
	pf_dec_merge(&h1, &h2, &arena);
	snprintf(want, sizeof(want), "%s", encoded(&fwd));
	CHECK_STR(encoded(&back), want);
	CHECK_STR(encoded(&h1), want);
	CHECK(pf_dec_value(&fwd) == strtod(want, NULL));
	CHECK(pf_dec_value(&back) == pf_dec_value(&h1));
}

static void
test_roundtrip(void)
{
	static const char *const cases[] = { "0", "87.8", "-0.005", "1e400",
	    "-3e-1000", "12345678901234567890123456789012345678901234567890.5",
	    "inf", "-inf", "nan", NULL };
	struct pf_dec d, e = { 0 };
	int i;

	for (i = 0; cases[i] != NULL; i++) {
		CHECK(pf_dec_decode(&d, cases[i], strlen(cases[i]), &arena));
		CHECK_STR(encoded(&d), cases[i]);
	}
	CHECK(!pf_dec_decode(&d, "abc", 3, &arena));
	CHECK(!pf_dec_decode(&d, "1|2", 3, &arena));
	/* Digits finer than 10^-1100 are dropped. */
	CHECK(pf_dec_decode(&d, "3e-1101", 7, &arena));
	CHECK_STR(encoded(&d), "0");
	CHECK(pf_dec_decode(&d, "1.3e-1100", 9, &arena));
	CHECK_STR(encoded(&d), "1e-1100");
	/* A partial sum past one value's limit still reads back. */
	add(&e, "9e1099");
	add(&e, "9e1099");
	CHECK_STR(encoded(&e), "18e1099");
	CHECK(pf_dec_decode(&d, "18e1099", 7, &arena));
	CHECK_STR(encoded(&d), "18e1099");
}

static void
test_mean_and_variance(void)
{
	struct pf_dec s = { 0 }, q = { 0 };
	static const char *const v[] = { "1000000000.1", "1000000000.2",
	    "1000000000.3", "1000000000.4", NULL };
	int i;

	for (i = 0; v[i] != NULL; i++) {
		add(&s, v[i]);
		add_square(&q, v[i]);
	}
	/* Exactly 1/60, 1000000000.25; cancellation cannot hurt. */
	CHECK(pf_dec_variance(&s, &q, 4) == 1.0 / 60);
	CHECK(pf_dec_mean(&s, 4) == 1000000000.25);
	memset(&s, 0, sizeof(s));
	memset(&q, 0, sizeof(q));
	for (i = 0; i < 3; i++) {
		add(&s, "1e200");
		add_square(&q, "1e200");
	}
	CHECK(pf_dec_variance(&s, &q, 3) == 0);
	memset(&s, 0, sizeof(s));
	memset(&q, 0, sizeof(q));
	add(&s, "1.23456789");
	add_square(&q, "1.23456789");
	add(&s, "100");
	add_square(&q, "100");
	CHECK(pf_dec_variance(&s, &q, 2) == strtod("4877.30528993750952605",
	    NULL));
	/* mean of 1/3 rounds correctly */
	memset(&s, 0, sizeof(s));
	add(&s, "1");
	CHECK(pf_dec_mean(&s, 3) == 1.0 / 3);
	add(&s, "1e-40");
	CHECK(pf_dec_mean(&s, 3) == 1.0 / 3);
}

int
main(void)
{
	UNIT_RUN(test_exact_sums);
	UNIT_RUN(test_order_independence);
	UNIT_RUN(test_roundtrip);
	UNIT_RUN(test_mean_and_variance);
	pf_arena_free(&arena);
	return UNIT_DONE();
}
