/*
 * test_agg.c - unit tests of lib/agg*.c (aggregation states) and
 * lib/support/table.c (arena, group and value tables, key encoding).
 */
#include <stdlib.h>
#include <string.h>

#include "reduce/agg.h"
#include "support/table.h"
#include "unit.h"

static struct pf_arena arena;

/* A state block big enough for any function. */
struct block {
	unsigned char	b[128] __attribute__((aligned(8)));
};

static void
feed(const struct pf_agg *a, unsigned char *st, const char *const *vals,
    uint64_t order0)
{
	struct pf_number n;
	size_t i;

	for (i = 0; vals[i] != NULL; i++) {
		bool isnum = pf_number_parse(vals[i], strlen(vals[i]), &n);

		pf_agg_update(a, st, vals[i], strlen(vals[i]), isnum ? &n : NULL,
		    order0 + i, &arena);
	}
}

static void
result(const struct pf_agg *a, const unsigned char *st, const char *want)
{
	struct pf_buf out = { 0 };
	bool is_number;

	pf_agg_result(a, st, &out, &is_number);
	pf_buf_addc(&out, '\0');
	CHECK_STR(out.data, want);
	pf_buf_free(&out);
}

static struct pf_agg
agg(const char *arg)
{
	struct pf_agg a;
	char err[256];

	if (!pf_agg_parse(arg, &a, err, sizeof(err)))
		printf("# %s\n", err);
	return a;
}

static void
test_parse(void)
{
	struct pf_agg a;
	char err[512];

	CHECK(pf_agg_parse("count", &a, err, sizeof(err)));
	CHECK(a.func == PF_AGG_COUNT && a.field == NULL);
	CHECK_STR(a.name, "count");
	pf_agg_free(&a);
	CHECK(pf_agg_parse("p90:delay", &a, err, sizeof(err)));
	CHECK(a.func == PF_AGG_PERCENTILE && a.q_num == 90 && a.q_den == 100);
	CHECK_STR(a.field, "delay");
	CHECK_STR(a.name, "delay_p90");
	pf_agg_free(&a);
	/* Any percentile in (0, 100], exactly N/100. */
	CHECK(pf_agg_parse("p99.9:x", &a, err, sizeof(err)));
	CHECK(a.q_num == 999 && a.q_den == 1000);
	CHECK_STR(a.name, "x_p99.9");
	pf_agg_free(&a);
	CHECK(pf_agg_parse("p100:x", &a, err, sizeof(err)) && a.q_num == 100 && a.q_den == 100);
	pf_agg_free(&a);
	CHECK(pf_agg_parse("p0.5:x", &a, err, sizeof(err)) && a.q_num == 5 && a.q_den == 1000);
	pf_agg_free(&a);
	CHECK(pf_agg_parse("median:x", &a, err, sizeof(err)) && a.q_num == 1 && a.q_den == 2);
	CHECK_STR(a.name, "x_median");
	pf_agg_free(&a);
	CHECK(!pf_agg_parse("p0:x", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("p100.1:x", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("p:x", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("p9.:x", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("p.9:x", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("p1e1:x", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("p-5:x", &a, err, sizeof(err)));
	CHECK(pf_agg_parse("mean:delay:avg", &a, err, sizeof(err)));
	CHECK_STR(a.name, "avg");
	pf_agg_free(&a);
	CHECK(!pf_agg_parse("avg:delay", &a, err, sizeof(err)));
	CHECK(strstr(err, "functions are: count, sum") != NULL);
	CHECK(!pf_agg_parse("mean", &a, err, sizeof(err)));
	CHECK(!pf_agg_parse("mean:", &a, err, sizeof(err)));
}

static void
test_sum_mean_var(void)
{
	static const char *const v1[] = { "1", "2.5", NULL };
	static const char *const v2[] = { "-3", "10", NULL };
	struct pf_agg s = agg("sum:x"), m = agg("mean:x"), v = agg("var:x"),
	    sd = agg("stdev:x");
	struct block a = { 0 }, b = { 0 }, va = { 0 }, vb = { 0 }, e = { 0 };

	feed(&s, a.b, v1, 1);
	feed(&s, b.b, v2, 10);
	pf_agg_merge(&s, a.b, b.b, &arena);
	result(&s, a.b, "10.5");
	result(&m, a.b, "2.625");	/* same state layout as sum */
	result(&s, e.b, "");		/* no value: empty */
	feed(&v, va.b, v1, 1);
	feed(&v, vb.b, v2, 10);
	pf_agg_merge(&v, va.b, vb.b, &arena);
	result(&v, va.b, "29.5625");
	result(&sd, va.b, "5.437140792732887");
	memset(&vb, 0, sizeof(vb));
	feed(&v, vb.b, (const char *const[]){ "4", NULL }, 1);
	result(&v, vb.b, "");		/* fewer than two values */
	pf_agg_free(&s);
	pf_agg_free(&m);
	pf_agg_free(&v);
	pf_agg_free(&sd);
}

static void
test_minmax(void)
{
	struct pf_agg mn = agg("min:x"), mx = agg("max:x");
	struct block a = { 0 }, b = { 0 }, c = { 0 };

	feed(&mn, a.b, (const char *const[]){ "10", "9", "-2.50", NULL }, 1);
	result(&mn, a.b, "-2.50");		/* numeric, as written */
	feed(&mx, b.b, (const char *const[]){ "10", "9", NULL }, 1);
	result(&mx, b.b, "10");
	/* A word makes the comparison byte-wise over all values. */
	feed(&mx, c.b, (const char *const[]){ "abc", NULL }, 5);
	pf_agg_merge(&mx, b.b, c.b, &arena);
	result(&mx, b.b, "abc");
	memset(&c, 0, sizeof(c));
	feed(&mn, c.b, (const char *const[]){ "abc", NULL }, 5);
	pf_agg_merge(&mn, c.b, a.b, &arena);
	result(&mn, c.b, "-2.50");
	pf_agg_free(&mn);
	pf_agg_free(&mx);
}

/* Exact comparison keeps the value as written; ties keep the first. */
static void
test_minmax_exact(void)
{
	struct pf_agg mn = agg("min:x"), mx = agg("max:x");
	struct block a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	feed(&mx, a.b, (const char *const[]){ "9007199254740992",
	    "9007199254740993", "9007199254740992.5", NULL }, 1);
	result(&mx, a.b, "9007199254740993");
	feed(&mn, b.b, (const char *const[]){ "0.30000000000000000001",
	    "0.3", "3e-1", NULL }, 1);
	result(&mn, b.b, "0.3");
	/* Equal values: the first in input order, whoever saw it. */
	feed(&mn, c.b, (const char *const[]){ "3e-1", NULL }, 10);
	feed(&mn, d.b, (const char *const[]){ "0.30", NULL }, 5);
	pf_agg_merge(&mn, c.b, d.b, &arena);
	result(&mn, c.b, "0.30");
	pf_agg_merge(&mn, d.b, b.b, &arena);
	result(&mn, d.b, "0.3");
	pf_agg_free(&mn);
	pf_agg_free(&mx);
}

static void
test_first_last_orders(void)
{
	struct pf_agg f = agg("first:x"), l = agg("last:x");
	struct block a = { 0 }, b = { 0 }, la = { 0 }, lb = { 0 };

	/* Worker b saw the earlier records. */
	feed(&f, a.b, (const char *const[]){ "late1", "late2", NULL }, 100);
	feed(&f, b.b, (const char *const[]){ "early1", "early2", NULL }, 5);
	pf_agg_merge(&f, a.b, b.b, &arena);
	result(&f, a.b, "early1");
	feed(&l, la.b, (const char *const[]){ "late1", "late2", NULL }, 100);
	feed(&l, lb.b, (const char *const[]){ "early1", "early2", NULL }, 5);
	pf_agg_merge(&l, lb.b, la.b, &arena);
	result(&l, lb.b, "late2");
	pf_agg_free(&f);
	pf_agg_free(&l);
}

static void
test_partial_roundtrip(void)
{
	static const char *const vals[] = { "3", "1.5", "x", "7", NULL };
	static const char *funcs[] = { "count:x", "sum:x", "var:x", "min:x",
	    "max:x", "first:x", "last:x" };
	struct pf_buf parts[3] = { 0 }, want = { 0 }, got = { 0 };
	const char *fields[3];
	size_t lens[3], i, k;
	bool isn;

	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		struct pf_agg a = agg(funcs[i]);
		struct block st = { 0 }, back = { 0 };
		struct pf_number n;
		size_t j;

		for (j = 0; vals[j] != NULL; j++) {
			bool num = pf_number_parse(vals[j], strlen(vals[j]),
			    &n);

			if (!num && pf_agg_numeric(a.func))
				continue;
			pf_agg_update(&a, st.b, vals[j], strlen(vals[j]),
			    num ? &n : NULL, j + 1, &arena);
		}
		for (k = 0; pf_agg_parts(a.func)[k] != NULL; k++) {
			parts[k].len = 0;
			pf_agg_encode(&a, st.b, k, &parts[k]);
			fields[k] = parts[k].data ? parts[k].data : "";
			lens[k] = parts[k].len;
		}
		CHECK(pf_agg_decode(&a, back.b, fields, lens, 1, &arena));
		want.len = got.len = 0;
		pf_agg_result(&a, st.b, &want, &isn);
		pf_agg_result(&a, back.b, &got, &isn);
		if (want.len != got.len || memcmp(want.data, got.data,
		    want.len) != 0)
			printf("# %s: %.*s != %.*s\n", funcs[i], (int)want.len,
			    want.data, (int)got.len, got.data);
		CHECK(want.len == got.len);
		pf_agg_free(&a);
	}
	for (k = 0; k < 3; k++)
		pf_buf_free(&parts[k]);
	pf_buf_free(&want);
	pf_buf_free(&got);
}

struct collect {
	struct pf_values	*t;
	uint64_t		 order;
};

static void
collect_add(void *ctx, const void *bytes, size_t len, uint64_t count,
    size_t i)
{
	struct collect *c = ctx;

	pf_values_add(c->t, 0, 0, bytes, len, count, c->order, (uint32_t)i);
}

/* Runs a value aggregation over vals and returns its result. */
static void
values_check(const char *arg, const char *const *vals, const char *want,
    const char *want_partial)
{
	struct pf_agg a = agg(arg);
	struct pf_values t, t2;
	struct pf_value_entry *e[64];
	struct pf_buf out = { 0 };
	struct pf_number n;
	struct pf_buf key = { 0 };
	struct collect c;
	size_t i, ne = 0;
	bool isn;

	pf_buf_reserve(&out, 1);	/* data never NULL, for CHECK_BYTES */
	pf_values_init(&t, &arena);
	for (i = 0; vals[i] != NULL; i++) {
		if (pf_agg_is_quantile(a.func)) {
			if (!pf_number_parse(vals[i], strlen(vals[i]), &n))
				continue;
			pf_agg_quantile_key(vals[i], strlen(vals[i]), &n,
			    &key);
			pf_values_add(&t, 0, 0, key.data, key.len, 1, i + 1, 0);
		} else
			pf_values_add(&t, 0, 0, vals[i], strlen(vals[i]), 1,
			    i + 1, 0);
	}
	for (i = 0; t.slots != NULL && i <= t.mask; i++)
		if (t.slots[i] != NULL)
			e[ne++] = t.slots[i];
	pf_agg_values_result(&a, e, ne, &out, &isn);
	CHECK_BYTES(out.data, out.len, want);
	out.len = 0;
	pf_agg_values_encode(&a, e, ne, &out);
	CHECK_BYTES(out.data, out.len, want_partial);
	/* Decoding the partial form gives the same result. */
	pf_values_init(&t2, &arena);
	c.t = &t2;
	c.order = 1;
	CHECK(pf_agg_values_decode(&a, out.data, out.len, collect_add, &c));
	for (ne = 0, i = 0; t2.slots != NULL && i <= t2.mask; i++)
		if (t2.slots[i] != NULL)
			e[ne++] = t2.slots[i];
	out.len = 0;
	pf_agg_values_result(&a, e, ne, &out, &isn);
	CHECK_BYTES(out.data, out.len, want);
	pf_values_free(&t);
	pf_values_free(&t2);
	pf_buf_free(&out);
	pf_buf_free(&key);
	pf_agg_free(&a);
}

static void
test_values(void)
{
	static const char *const nums[] = { "10", "1", "2", "2", "-0", "0",
	    NULL };
	static const char *const words[] = { "b", "a,x", "a,x", "b", "c",
	    NULL };

	values_check("median:x", nums, "1.5", "0*2;1;2*2;10");
	values_check("p90:x", nums, "6", "0*2;1;2*2;10");
	values_check("p99:x", nums, "9.6", "0*2;1;2*2;10");
	/* Exact from the texts, rounded once; one text per value. */
	values_check("median:x", (const char *const[]){ "0.1", "0.2", NULL },
	    "0.15", "0.1;0.2");
	values_check("p90:x", (const char *const[]){ "1.50", "15e-1", "+1.5",
	    "0.30000000000000001", "0.3", NULL }, "1.5",
	    "0.3;0.30000000000000001;1.5*3");
	values_check("median:x", (const char *const[]){ "5.0", "5", "+5", "50e-1",
	    "-0.0", NULL }, "5", "0;5*4");
	values_check("p99.9:x", (const char *const[]){ "0", "1e400", NULL },
	    "inf", "0;1e400");
	values_check("median:x", (const char *const[]){ "18446744073709551616",
	    "18446744073709551617", NULL }, "1.8446744073709552e+19",
	    "18446744073709551616;18446744073709551617");
	values_check("distinct:x", words, "3", "1:b3:a,x1:c");
	values_check("mode:x", words, "b", "2*1:b2*3:a,x1:c");
	values_check("median:x", (const char *const[]){ NULL }, "", "");
}

static void
test_values_decode_errors(void)
{
	struct pf_agg q = agg("p90:x"), d = agg("distinct:x");
	struct pf_values t;
	struct collect c = { &t, 1 };

	pf_values_init(&t, &arena);
	CHECK(!pf_agg_values_decode(&q, "1;x", 3, collect_add, &c));
	CHECK(!pf_agg_values_decode(&q, "1*0", 3, collect_add, &c));
	CHECK(!pf_agg_values_decode(&q, "1;", 2, collect_add, &c));
	CHECK(!pf_agg_values_decode(&d, "5:ab", 4, collect_add, &c));
	CHECK(!pf_agg_values_decode(&d, "ab", 2, collect_add, &c));
	CHECK(pf_agg_values_decode(&d, "0:", 2, collect_add, &c));
	pf_values_free(&t);
	pf_agg_free(&q);
	pf_agg_free(&d);
}

static void
test_keys_and_groups(void)
{
	struct pf_groups t;
	struct pf_group *g;
	char buf[64], *p = buf;
	const char *q, *s;
	size_t len, i;
	bool added;
	char key[16];

	pf_key_add(&p, "a,b", 3);
	pf_key_add(&p, "", 0);
	q = buf;
	CHECK(pf_key_next(&q, p, &s, &len) && len == 3 &&
	    memcmp(s, "a,b", 3) == 0);
	CHECK(pf_key_next(&q, p, &s, &len) && len == 0);
	CHECK(!pf_key_next(&q, p, &s, &len));

	pf_groups_init(&t, &arena, 24);
	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		g = pf_groups_get(&t, pf_hash(key, strlen(key)), key,
		    strlen(key), &added);
		CHECK(added && g->index == i);
		PF_GROUP_STATE(g)[0] = (unsigned char)i;
	}
	for (i = 0; i < 20000; i += 7) {
		snprintf(key, sizeof(key), "k%zu", i);
		g = pf_groups_get(&t, pf_hash(key, strlen(key)), key,
		    strlen(key), &added);
		CHECK(!added && g->index == i &&
		    PF_GROUP_STATE(g)[0] == (unsigned char)i);
	}
	CHECK(t.count == 20000);
	pf_groups_free(&t);
}

int
main(void)
{
	UNIT_RUN(test_parse);
	UNIT_RUN(test_sum_mean_var);
	UNIT_RUN(test_minmax);
	UNIT_RUN(test_minmax_exact);
	UNIT_RUN(test_first_last_orders);
	UNIT_RUN(test_partial_roundtrip);
	UNIT_RUN(test_values);
	UNIT_RUN(test_values_decode_errors);
	UNIT_RUN(test_keys_and_groups);
	pf_arena_free(&arena);
	return UNIT_DONE();
}
