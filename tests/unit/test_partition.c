/*
 * test_partition.c - ppartition's pure parts (lib/partition/): the
 * partition of a key, the division-free remainder, safe file names and
 * pattern expansion, the key bytes of -k (keys.h with join_sep), and the
 * --by-value table (table.h's groups, hashed as the workers hash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/keys.h"
#include "partition/partition.h"
#include "support/table.h"
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

/*
 * The memo answers as pf_partition_of() for keys of every length, of
 * bytes that differ little (packed keys that nearly collide), when keys
 * take each other's slots, and after it gave up on keys that all differ.
 */
static void
test_memo(void)
{
	struct pf_partition_memo memo = { 0 }, many = { 0 };
	static const uint64_t ns[] = { 1, 2, 7, 8, 100000 };
	char keys[700][24], k[24];
	size_t lens[700], nkeys = 0, base, i, j, len, pos;
	uint64_t seed = 42, n, got;
	int bad = 0, round, alt;

	/* For each length, a key and those that differ from it in one byte. */
	for (len = 0; len <= 24; len++) {
		base = nkeys;
		for (j = 0; j < len; j++) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			keys[nkeys][j] = "ab\0\xff"[seed >> 62];
		}
		lens[nkeys++] = len;
		for (pos = 0; pos < len; pos++)
			for (alt = 1; alt <= 2; alt++) {
				memcpy(keys[nkeys], keys[base], len);
				keys[nkeys][pos] = (char)(keys[nkeys][pos] + alt);
				lens[nkeys++] = len;
			}
	}
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		n = ns[i];
		for (round = 0; round < 20; round++)
			for (j = 0; j < nkeys; j++) {
				got = pf_partition_memo_of(&memo, keys[j],
				    lens[j], n, pf_partition_fastmod_m(n));
				bad += got != pf_partition_of(keys[j], lens[j], n);
			}
		CHECK(memo.slots != NULL);	/* still looking */
		pf_partition_memo_free(&memo);
		memo = (struct pf_partition_memo){ 0 };
	}
	CHECK(bad == 0);
	/* Every key new: the memo stops looking, and still answers. */
	for (i = 0; i < 20000; i++) {
		len = (size_t)snprintf(k, sizeof(k), "key%zu", i);
		got = pf_partition_memo_of(&many, k, len, 7,
		    pf_partition_fastmod_m(7));
		bad += got != pf_partition_of(k, len, 7);
	}
	CHECK(bad == 0);
	CHECK(many.started && many.slots == NULL);
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

/* -k's key bytes: each form of a name, several joined by 0x1f. */
static void
test_key_bytes(void)
{
	char *names[] = { "Name", "Major Genre", "a:b" };
	struct pf_schema schema = { .nfields = 3, .names = names,
	    .has_header = true };
	struct pf_field fields[] = { { "Ann", 3 }, { "Drama", 5 }, { "x", 1 } };
	struct pf_record rec = { .fields = fields, .nfields = 3,
	    .field_count = 3 };
	static const struct {
		const char	*src;
		const char	*bytes;
		size_t		 len;
		long		 single;
	} cases[] = {
		{ "Major Genre", "Drama", 5, 1 },
		{ "{Major Genre}", "Drama", 5, 1 },
		{ "2", "Drama", 5, 1 },
		{ "{a:b}", "x", 1, 2 },
		{ "Name,{a:b}", "Ann\x1fx", 5, -1 },
		{ "lower(Name),3", "ann\x1fx", 5, -1 },
		{ "Name,4", NULL, 0, -1 },		/* past the fields */
		{ "{Genre}", NULL, 0, -1 },
	};
	struct pf_buf out = { 0 };
	struct pf_eval *ev = pf_eval_new();
	struct pf_keys k;
	size_t i;
	int st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = pf_keys_compile(&k, cases[i].src, &schema);
		if (cases[i].bytes == NULL) {
			CHECK(st == 2);
			continue;
		}
		CHECK(st == 0);
		k.join_sep = PF_PARTITION_KEY_SEP;
		CHECK(k.single_field == cases[i].single);
		CHECK(pf_keys_encode(&k, ev, &rec, &out) == NULL);
		CHECK(out.len == cases[i].len &&
		    memcmp(out.data, cases[i].bytes, out.len) == 0);
		pf_keys_free(&k);
	}
	/* A record short of a key field: that part is empty. */
	rec.nfields = 1;
	CHECK(pf_keys_compile(&k, "Name,3", &schema) == 0);
	k.join_sep = PF_PARTITION_KEY_SEP;
	CHECK(pf_keys_encode(&k, ev, &rec, &out) == NULL);
	CHECK_BYTES(out.data, out.len, "Ann\x1f");
	pf_keys_free(&k);
	pf_buf_free(&out);
	pf_eval_free(ev);
}

/*
 * --by-value's table: groups found by the hash the workers compute
 * (pf_hash) stay found after the table grows, the empty key included,
 * and keep their state and their first-seen index.
 */
static void
test_value_table(void)
{
	struct pf_arena arena = { 0 };
	struct pf_groups t;
	struct pf_group *g;
	char key[32];
	size_t i, len;
	bool added;

	pf_groups_init(&t, &arena, sizeof(int));
	g = pf_groups_get(&t, pf_hash("", 0), "", 0, &added);
	CHECK(added && g->index == 0 && g->keylen == 0);
	*(int *)PF_GROUP_STATE(g) = -1;
	for (i = 1; i < 5000; i++) {
		len = (size_t)snprintf(key, sizeof(key), "v%zu\x1f%zu", i, i * 7);
		g = pf_groups_get(&t, pf_hash(key, len), key, len, &added);
		CHECK(added && g->index == i);
		*(int *)PF_GROUP_STATE(g) = (int)i;
	}
	g = pf_groups_get(&t, pf_hash("", 0), "", 0, &added);
	CHECK(!added && g->index == 0 && *(int *)PF_GROUP_STATE(g) == -1);
	for (i = 1; i < 5000; i += 13) {
		len = (size_t)snprintf(key, sizeof(key), "v%zu\x1f%zu", i, i * 7);
		g = pf_groups_find(&t, key, len, &added);
		CHECK(!added && g->index == i &&
		    *(int *)PF_GROUP_STATE(g) == (int)i);
		CHECK_BYTES(pf_groups_at(&t, (uint32_t)i)->key,
		    pf_groups_at(&t, (uint32_t)i)->keylen, key);
	}
	CHECK(t.count == 5000);
	pf_groups_free(&t);
	pf_arena_free(&arena);
}

int
main(void)
{
	UNIT_RUN(test_partition_of);
	UNIT_RUN(test_fastmod);
	UNIT_RUN(test_memo);
	UNIT_RUN(test_safe_name);
	UNIT_RUN(test_expand);
	UNIT_RUN(test_key_bytes);
	UNIT_RUN(test_value_table);
	return UNIT_DONE();
}
