/*
 * test_partition.c - ppartition's pure parts (lib/partition/partition.c): the
 * partition of a key, the division-free remainder, safe file names and
 * pattern expansion.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partition/partition.h"
#include "unit.h"

/* The values `printf KEY | xxhsum -H1` prints. */
static void
test_partition_of(void)
{
	CHECK(pf_partition_of("ATL", 3, UINT64_MAX) == 0xb2e6fa49f520b9e6ULL);
	CHECK(pf_partition_of("DEN", 3, UINT64_MAX) == 0x86ebd58ba28ba3ddULL);
	CHECK(pf_partition_of("ATL", 3, 4) == 0xb2e6fa49f520b9e6ULL % 4);
	CHECK(pf_partition_of("", 0, UINT64_MAX) == 0xef46db3751d8e999ULL);
	CHECK(pf_partition_of("anything", 8, 1) == 0);
}

static void
test_fastmod(void)
{
	static const uint64_t ds[] = { 1, 2, 3, 7, 8, 10, 1000, 65537,
	    99991, 100000, 4294967295ULL, 4294967297ULL, UINT64_MAX / 3,
	    UINT64_MAX };
	uint64_t h = 0x9e3779b97f4a7c15ULL, x;
	size_t i;
	int k, bad = 0;

	for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		__uint128_t m = pf_partition_fastmod_m(ds[i]);

		for (k = 0; k < 20000; k++) {
			x = h * (uint64_t)(k + 1) ^ (h >> (k % 64));
			if (k < 4)
				x = k == 0 ? 0 : k == 1 ? UINT64_MAX :
				    k == 2 ? ds[i] : ds[i] - 1;
			if (pf_partition_fastmod(x, m, ds[i]) != x % ds[i])
				bad++;
		}
	}
	CHECK(bad == 0);
}

static void
name_is(const char *value, size_t len, const char *want)
{
	struct pf_buf b = { 0 };

	pf_partition_safe_name(&b, value, len);
	CHECK_BYTES(b.data, b.len, want);
	pf_buf_free(&b);
}

static void
test_safe_name(void)
{
	char longv[300];

	name_is("ATL", 3, "ATL");
	name_is("a-b_c.d", 7, "a-b_c.d");
	name_is("", 0, "%empty");
	name_is(".", 1, "%2E");
	name_is("..", 2, "%2E.");
	name_is("../etc", 6, "%2E.%2Fetc");
	name_is("a/b", 3, "a%2Fb");
	name_is("x y%", 4, "x%20y%25");
	name_is("a\x1f" "b", 3, "a%1Fb");
	name_is("\xc3\xa9", 2, "%C3%A9");
	name_is("a\0b", 3, "a%00b");

	memset(longv, 'z', sizeof(longv));
	{
		struct pf_buf b = { 0 };

		pf_partition_safe_name(&b, longv, sizeof(longv));
		CHECK(b.len == 200 + 17);
		CHECK(b.data[200] == '%');
		CHECK(memchr(b.data, '/', b.len) == NULL);
		pf_buf_free(&b);
	}
}

static void
test_expand(void)
{
	struct pf_buf b = { 0 };

	pf_partition_expand(&b, "out/part-{}.csv", "3", 1);
	CHECK_BYTES(b.data, b.len, "out/part-3.csv");
	b.len = 0;
	pf_partition_expand(&b, "{}/{}", "ab", 2);
	CHECK_BYTES(b.data, b.len, "ab/ab");
	b.len = 0;
	pf_partition_expand(&b, "x{y}", "ab", 2);
	CHECK_BYTES(b.data, b.len, "x{y}");
	pf_buf_free(&b);
}

int
main(void)
{
	UNIT_RUN(test_partition_of);
	UNIT_RUN(test_fastmod);
	UNIT_RUN(test_safe_name);
	UNIT_RUN(test_expand);
	return UNIT_DONE();
}
