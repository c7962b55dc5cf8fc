/*
 * test_scan.c - every CSV kernel this CPU runs (lib/csv/scan.h) against
 * the reference automaton: hand-made cases at the 64-byte seams, random
 * CSV made of the bytes that matter (quotes, "", delimiters, CR, CRLF,
 * stray quotes, unterminated quotes), in every dialect and with the
 * splitter asking for all fields or a few (tests/fuzz/kernels.h).
 */
#include <stdlib.h>
#include <string.h>

#include "../fuzz/kernels.h"
#include "unit.h"

static const struct pf_dialect dialects[] = {
	{ PF_CSV, ',', true },
	{ PF_CSV, ';', true },
	{ PF_CSV, '\t', false },
	{ PF_TSV, '\t', true },
	{ PF_LINES, '\0', false },
	{ PF_LINES, ',', false },
};
#define NDIALECTS (sizeof(dialects) / sizeof(dialects[0]))

static bool
check_all(const char *text, size_t len)
{
	size_t i, want;

	for (i = 0; i < NDIALECTS; i++)
		for (want = 0; want < 4; want += 2)
			if (!check_kernels(&dialects[i], text, len, want)) {
				printf("# dialect %zu, want %zu: \"%.*s\"\n",
				    i, want, (int)len, text);
				return false;
			}
	return true;
}

/* The kernels this machine runs include the reference and "c". */
static void
test_kernels_listed(void)
{
	CHECK(pf_scan_kernel_find("ref") == &pf_scan_kernel_ref);
	CHECK(pf_scan_kernel_find("c") == &pf_scan_kernel_c);
	CHECK(pf_scan_kernel_find("none") == NULL);
	CHECK(pf_scan_kernel() != NULL);
}

/* One special byte (or a pair) at each position around the seams. */
static void
test_seams(void)
{
	static const char *const marks[] = { "\"", ",", "\n", "\r\n", "\"\"",
	    "x\"y", "\",\"", "\"\n\"", "\r", "\\", "\t" };
	char text[300];
	size_t pos, m, len;

	for (pos = 0; pos < 200; pos++) {
		if (pos % 64 > 4 && pos % 64 < 59)
			continue;
		for (m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
			/* a quoted field across the seam, then the mark */
			memset(text, 'a', sizeof(text));
			text[0] = '"';
			len = strlen(marks[m]);
			memcpy(text + 1 + pos / 2, "\",", 2);
			memcpy(text + 3 + pos, marks[m], len);
			memcpy(text + 3 + pos + len, ",\"b\"\"c\"\nd,e\n", 12);
			CHECK(check_all(text, 15 + pos + len));
			/* unquoted, then the mark */
			memset(text, 'a', sizeof(text));
			memcpy(text + pos, marks[m], len);
			memcpy(text + pos + len, ",z\n\"q\n", 6);
			CHECK(check_all(text, pos + len + 6));
		}
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/*
 * Random CSV: fields quoted or not, with "", delimiters, LFs and CRs in
 * them, CRLF or LF ends, and now and then a stray or missing quote.
 */
static size_t
random_csv(char *out, size_t cap)
{
	static const char *const pieces[] = { "a", "bc", "\"", "\"\"", ",",
	    "\n", "\r\n", "\r", ";", "\t", "\\", "x\"y", " ", "12345678" };
	size_t len = 0, n, p, pieces_n = 1 + next_random() % 200;
	bool quoted;

	for (n = 0; n < pieces_n && len + 16 < cap; n++) {
		quoted = next_random() % 4 == 0;
		if (quoted)
			out[len++] = '"';
		for (p = next_random() % 6; p > 0 && len + 12 < cap; p--) {
			const char *s = pieces[next_random() %
			    (sizeof(pieces) / sizeof(pieces[0]))];

			if (quoted && s[0] == '"' && s[1] == '\0' &&
			    next_random() % 8 != 0)
				s = "\"\"";	/* mostly well-formed */
			memcpy(out + len, s, strlen(s));
			len += strlen(s);
		}
		if (quoted && next_random() % 16 != 0)
			out[len++] = '"';
		out[len++] = next_random() % 3 == 0 ? '\n' : ',';
	}
	return len;
}

static void
test_random(void)
{
	char text[4096];
	size_t len, i;

	for (i = 0; i < 400; i++) {
		len = random_csv(text, sizeof(text));
		if (!check_all(text, len)) {
			CHECK(!"random CSV");
			break;
		}
	}
}

/* Long quoted fields with LFs: parity carried over many blocks. */
static void
test_long_fields(void)
{
	char text[1200];
	size_t i;

	for (i = 0; i < 20; i++) {
		memset(text, 'q', sizeof(text));
		text[0] = '"';
		text[100 + i] = '\n';
		text[300 + 7 * i] = '"';
		text[301 + 7 * i] = '"';
		text[700 + i] = '\n';
		memcpy(text + 900 + i, "\",x\n1,2\n", 8);
		CHECK(check_all(text, 908 + i));
		CHECK(check_all(text, 905 + i));	/* open at the end */
	}
}

int
main(void)
{
	UNIT_RUN(test_kernels_listed);
	UNIT_RUN(test_seams);
	UNIT_RUN(test_random);
	UNIT_RUN(test_long_fields);
	return UNIT_DONE();
}
