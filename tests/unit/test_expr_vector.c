/*
 * test_expr_vector.c - the differential test of pf_eval_select()
 * (lib/expr/expr_vector.c) against pf_eval() one record at a time, on
 * random expressions over random, adversarial values: numbers at the
 * edges of int64, decimals, exponents, empty fields, missing fields
 * (ragged records), text that looks like truth, regexes.
 *
 * For every vector: when pf_eval_select() gives a selection, it must be
 * the records pf_eval() finds true (or false, inverted), and pf_eval()
 * must have noted nothing and failed nowhere; when it gives up, pf_eval()
 * must note or fail on some record (with --strict, fail). Either way
 * pf_eval_select() itself notes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "expr/expr.h"
#include "expr/notes.h"
#include "unit.h"

static const char *names[] = { "a", "b", "c", "d" };
static const struct pf_schema schema = { .nfields = 4,
    .names = (char **)names, .has_header = true };

static const char *values[] = {
	"", "0", "1", "-1", "2", "42", "60", "61", "-0", "007", "3.5", "-2.25",
	"1e3", "abc", "ORD", "false", "true", "x y", " 7", "nan",
	"9223372036854775807", "-9223372036854775808",
	"99999999999999999999", ".5", "7.", "é", "0.0",
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

static const char *constants[] = {
	"0", "1", "60", "-1", "2.5", "\"\"", "\"abc\"", "\"60\"", "1e3",
	"9223372036854775807", "true", "false", "\"ORD\"", "-0",
};
#define NCONSTANTS (sizeof(constants) / sizeof(constants[0]))

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned
pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Appends a random expression of at most depth levels to buf. */
static void
gen(char *buf, size_t size, int depth)
{
	static const char *cmp[] = { "==", "!=", "<", "<=", ">", ">=" };
	static const char *arith[] = { "+", "-", "*", "/", "%" };
	size_t len = strlen(buf);
	unsigned k = depth <= 0 ? pick(3) : pick(18);

	switch (k) {
	case 0:		/* a field alone */
		snprintf(buf + len, size - len, "%s", names[pick(4)]);
		return;
	case 1:
		snprintf(buf + len, size - len, "%s", constants[pick(
		    NCONSTANTS)]);
		return;
	case 2: case 3: case 4:	/* field OP constant, the fast path */
		snprintf(buf + len, size - len, "%s %s %s", names[pick(4)],
		    cmp[pick(6)], constants[pick(NCONSTANTS)]);
		return;
	case 5:
		snprintf(buf + len, size - len, "%s %s %s",
		    constants[pick(NCONSTANTS)], cmp[pick(6)], names[pick(4)]);
		return;
	case 6: case 7:
		strncat(buf, "(", size - len - 1);
		gen(buf, size, depth - 1);
		strncat(buf, pick(2) ? ") && (" : ") || (", size -
		    strlen(buf) - 1);
		gen(buf, size, depth - 1);
		strncat(buf, ")", size - strlen(buf) - 1);
		return;
	case 8:
		strncat(buf, "!(", size - len - 1);
		gen(buf, size, depth - 1);
		strncat(buf, ")", size - strlen(buf) - 1);
		return;
	case 9: case 10:	/* arithmetic, which notes */
		snprintf(buf + len, size - len, "%s %s %s %s %s",
		    names[pick(4)], arith[pick(5)], pick(2) ? names[pick(4)] :
		    constants[pick(NCONSTANTS)], cmp[pick(6)],
		    constants[pick(NCONSTANTS)]);
		return;
	case 11:
		snprintf(buf + len, size - len, "%s %s %s", names[pick(4)],
		    cmp[pick(6)], names[pick(4)]);
		return;
	case 12:
		snprintf(buf + len, size - len, "%s in (1, \"abc\", \"\")",
		    names[pick(4)]);
		return;
	case 13:
		snprintf(buf + len, size - len, "%s =~ /^[0-9]+$/",
		    names[pick(4)]);
		return;
	case 14:
		snprintf(buf + len, size - len, pick(2) ? "len(%s) > 1" :
		    "num(%s)", names[pick(4)]);
		return;
	case 15: case 16:	/* nested arithmetic, negation */
		snprintf(buf + len, size - len, "%s(%s %s %s) %s -%s %s %s",
		    pick(2) ? "-" : "", names[pick(4)], arith[pick(5)],
		    constants[pick(NCONSTANTS)], arith[pick(5)],
		    names[pick(4)], cmp[pick(6)], pick(2) ?
		    constants[pick(NCONSTANTS)] : names[pick(4)]);
		return;
	default:
		strncat(buf, "(", size - len - 1);
		gen(buf, size, depth - 1);
		strncat(buf, ") ? ", size - strlen(buf) - 1);
		gen(buf, size, depth - 1);
		strncat(buf, " : ", size - strlen(buf) - 1);
		gen(buf, size, depth - 1);
		strncat(buf, "", size - strlen(buf) - 1);
		return;
	}
}

#define VECTOR	64

struct records {
	struct pf_field	 fields[VECTOR][4];
	struct pf_record recs[VECTOR];
	char		 raw[VECTOR][160];
};

static void
fill_records(struct records *r, size_t n)
{
	size_t i, j, len;

	for (i = 0; i < n; i++) {
		size_t nf = pick(8) == 0 ? pick(4) : 4;	/* ragged */

		len = 0;
		r->raw[i][0] = '\0';
		for (j = 0; j < nf; j++) {
			const char *v = values[pick(NVALUES)];

			r->fields[i][j].ptr = v;
			r->fields[i][j].len = strlen(v);
			len += (size_t)snprintf(r->raw[i] + len,
			    sizeof(r->raw[i]) - len, "%s%s", j ? "," : "", v);
		}
		r->recs[i] = (struct pf_record){ .raw = r->raw[i],
		    .raw_len = len, .fields = r->fields[i], .nfields = nf,
		    .field_count = nf, .in_batch = i + 1 };
	}
}

static size_t vectored, given_up;

/* One expression over one vector of records, both ways. */
static void
compare_once(const char *src, struct pf_eval *ev, struct records *r,
    size_t n, bool invert, bool strict)
{
	struct pf_notes one = { .strict = strict }, vec = { .strict = strict };
	struct pf_expr_error err;
	struct pf_expr *e = pf_expr_compile(src, &schema, &err);
	uint32_t sel[VECTOR], want[VECTOR];
	size_t i, m = 0, got;
	bool failed = false;
	struct pf_value v;

	if (e == NULL) {
		printf("# does not compile: %s: %s\n", src, err.msg);
		CHECK(e != NULL);
		return;
	}
	pf_notes_bind(&one);
	for (i = 0; i < n && !failed; i++) {
		pf_eval_reset(ev);
		pf_eval(ev, e, &r->recs[i], &v);
		if (pf_eval_error(ev) != NULL)
			failed = true;
		else if (pf_value_truthy(&v) != invert)
			want[m++] = (uint32_t)i;
	}
	pf_notes_bind(&vec);
	got = pf_eval_select(ev, e, r->recs, n, invert, sel);
	pf_notes_bind(NULL);
	CHECK(vec.n == 0);		/* the vector notes nothing */
	if (got == SIZE_MAX) {
		given_up++;
		if (!(failed || one.n > 0))
			printf("# gave up needlessly: %s\n", src);
		CHECK(failed || one.n > 0);
	} else {
		vectored++;
		if (failed || one.n > 0 || got != m ||
		    memcmp(sel, want, m * sizeof(*sel)) != 0)
			printf("# differs: %s%s (got %zu, want %zu)\n",
			    invert ? "(inverted) " : "", src, got, m);
		CHECK(!failed && one.n == 0);
		CHECK(got == m && memcmp(sel, want, m * sizeof(*sel)) == 0);
	}
	pf_notes_free(&one);
	pf_notes_free(&vec);
	pf_expr_free(e);
}

static void
test_random_expressions(void)
{
	static struct records r;
	struct pf_eval *ev = pf_eval_new();
	char src[4096];
	int round;

	for (round = 0; round < 3000; round++) {
		size_t n = 1 + pick(VECTOR);

		src[0] = '\0';
		gen(src, sizeof(src), 1 + pick(4));
		fill_records(&r, n);
		compare_once(src, ev, &r, n, pick(2), pick(4) == 0);
	}
	/* Both ways were taken, and mostly the vector. */
	printf("# %zu vectors selected, %zu given up\n", vectored, given_up);
	CHECK(vectored > 1000 && given_up > 100);
	pf_eval_free(ev);
}

/* The shapes pfilter users write, with exact selections. */
static void
test_known_selections(void)
{
	static struct records r;
	static const char *row[][4] = {
		{ "60", "ORD", "", "1" }, { "61", "LAX", "x", "0" },
		{ "", "ORD", "y", "" }, { "100", "SFO", "", "false" },
		{ "-5", "ORD", "z", "2" },
	};
	struct pf_eval *ev = pf_eval_new();
	struct { const char *src; bool invert; const char *want; } c[] = {
		{ "a > 60", false, "1 3" },
		{ "a > 60", true, "0 2 4" },	/* empty against 60: false */
		{ "a > 60 && b == \"ORD\"", false, "" },
		{ "a > 60 || b == \"ORD\"", false, "0 1 2 3 4" },
		{ "!(b == \"ORD\") && c", false, "1" },
		{ "d", false, "0 4" },
		{ "60 < a", false, "1 3" },
		{ "true", false, "0 1 2 3 4" },
		{ "a >= 60 && (c || d)", false, "0 1" },
		{ "a / 2 > 30", false, "1 3" },		/* 61/2 is 30.5 */
		{ "-a * 2 + 1 < -119", false, "1 3" },
		{ "a % 7 == 4 || a - 1 == -6", false, "0 4" },
	};
	size_t i, k, m;
	uint32_t sel[8];
	char got[64];

	for (i = 0; i < 5; i++) {
		for (k = 0; k < 4; k++) {
			r.fields[i][k].ptr = row[i][k];
			r.fields[i][k].len = strlen(row[i][k]);
		}
		r.recs[i] = (struct pf_record){ .raw = "", .fields =
		    r.fields[i], .nfields = 4, .field_count = 4 };
	}
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct pf_expr_error err;
		struct pf_expr *e = pf_expr_compile(c[i].src, &schema, &err);

		m = pf_eval_select(ev, e, r.recs, 5, c[i].invert, sel);
		got[0] = '\0';
		for (k = 0; k < m && m != SIZE_MAX; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%u", k ? " " : "", sel[k]);
		CHECK_STR(got, c[i].want);
		pf_expr_free(e);
	}
	pf_eval_free(ev);
}

int
main(void)
{
	UNIT_RUN(test_known_selections);
	UNIT_RUN(test_random_expressions);
	return UNIT_DONE();
}
