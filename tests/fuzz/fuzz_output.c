/*
 * fuzz_output.c - fuzz target for the JSON Lines and TSV writers
 * (output.c), checked against parsers of their own:
 * - every JSON Lines record is one strict JSON object (RFC 8259: string
 *   keys; string, number or null values; escapes; well-formed UTF-8,
 *   no raw control bytes, no lone surrogates) with the expected keys,
 *   and a value written from well-formed UTF-8 decodes to the same
 *   bytes; a value marked as a number is a JSON number or null, and
 *   an unmarked value is a number only when it is wholly one in JSON's
 *   grammar, written as its bytes;
 * - TSV written with escapes and split again as --tsv gives the same
 *   fields (but a record of one empty field: an empty line);
 * - the views for people are UTF-8 without control bytes, in the lines
 *   they should have.
 *
 * Input layout: byte 0 picks the column count (1-8) and which columns
 * are marked as numbers, the rest is the fields, separated by 0xFF.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/buf.h"
#include "fields.h"
#include "csv/output.h"
#include "csv/record.h"
#include "csv/view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXCOLS	8

static void
fail(const char *what, const char *at)
{
	fprintf(stderr, "fuzz_output: %s at \"%.40s\"\n", what, at);
	abort();
}

/* Length of the well-formed UTF-8 sequence at p (Unicode 3-7), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static bool
well_formed(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n;

	for (; p < end; p += n)
		if ((n = utf8_len(p, end)) == 0)
			return false;
	return true;
}

static unsigned
hex4(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			fail("bad \\u escape", p);
	}
	return v;
}

static void
put_utf8(struct pf_buf *b, unsigned cp)
{
	if (cp < 0x80)
		pf_buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		pf_buf_addc(b, (char)(0xc0 | cp >> 6));
		pf_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		pf_buf_addc(b, (char)(0xe0 | cp >> 12));
		pf_buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		pf_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		pf_buf_addc(b, (char)(0xf0 | cp >> 18));
		pf_buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		pf_buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		pf_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Parses a JSON string at *p, decoding it into out. */
static void
json_string(const char **p, const char *end, struct pf_buf *out)
{
	const char *q = *p;
	unsigned cp, lo;
	size_t n;

	out->len = 0;
	if (q >= end || *q++ != '"')
		fail("string expected", q);
	while (q < end && *q != '"') {
		if ((unsigned char)*q < 0x20)
			fail("raw control byte", q);
		if (*q != '\\') {
			n = utf8_len((const unsigned char *)q,
			    (const unsigned char *)end);
			if (n == 0)
				fail("ill-formed UTF-8", q);
			pf_buf_add(out, q, n);
			q += n;
			continue;
		}
		if (++q >= end)
			fail("cut escape", q);
		switch (*q++) {
		case '"': pf_buf_addc(out, '"'); break;
		case '\\': pf_buf_addc(out, '\\'); break;
		case '/': pf_buf_addc(out, '/'); break;
		case 'b': pf_buf_addc(out, '\b'); break;
		case 'f': pf_buf_addc(out, '\f'); break;
		case 'n': pf_buf_addc(out, '\n'); break;
		case 'r': pf_buf_addc(out, '\r'); break;
		case 't': pf_buf_addc(out, '\t'); break;
		case 'u':
			if (end - q < 4)
				fail("cut \\u", q);
			cp = hex4(q);
			q += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				fail("lone low surrogate", q);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - q < 6 || q[0] != '\\' || q[1] != 'u')
					fail("lone high surrogate", q);
				lo = hex4(q + 2);
				if (lo < 0xdc00 || lo > 0xdfff)
					fail("bad surrogate pair", q);
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				q += 6;
			}
			put_utf8(out, cp);
			break;
		default:
			fail("bad escape", q);
		}
	}
	if (q >= end)
		fail("unterminated string", *p);
	*p = q + 1;
}

/* Parses a JSON number or null at *p; returns false for null. */
static bool
json_number(const char **p, const char *end)
{
	const char *q = *p;

	if (end - q >= 4 && memcmp(q, "null", 4) == 0) {
		*p = q + 4;
		return false;
	}
	if (q < end && *q == '-')
		q++;
	if (q >= end || *q < '0' || *q > '9')
		fail("number expected", q);
	if (*q == '0')
		q++;
	else
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	if (q < end && *q == '.') {
		if (++q >= end || *q < '0' || *q > '9')
			fail("digits after '.'", q);
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || *q < '0' || *q > '9')
			fail("exponent digits", q);
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	*p = q;
	return true;
}

/*
 * The views for people (view.h): whatever the fields, each view's text
 * is well-formed UTF-8 with no control byte but LF, in the expected
 * number of lines (header and record for --otable and --omd's three,
 * one a field for --oxtab).
 */
static void
check_views(char **names, const struct pf_field *fields, size_t ncols)
{
	static const enum pf_format views[] = { PF_TABLE, PF_XTAB, PF_MD };
	const size_t want[] = { 2, ncols, 3 };
	struct pf_buf carrier = { 0 }, shown = { 0 };
	struct pf_output o;
	struct pf_view *v;
	size_t k, i, lines;

	for (k = 0; k < 3; k++) {
		pf_output_init(&o, views[k], '\t', names, ncols);
		carrier.len = shown.len = 0;
		pf_output_header(&o, &carrier);
		pf_output_record(&o, &carrier, fields, NULL, ncols);
		v = pf_view_new(views[k]);
		pf_view_put(v, carrier.data, carrier.len, &shown);
		pf_view_finish(v, &shown);
		pf_view_free(v);
		if (!well_formed(shown.data, shown.len))
			fail("a view's text is not UTF-8", shown.data);
		for (i = lines = 0; i < shown.len; i++) {
			if (shown.data[i] == '\n')
				lines++;
			else if ((unsigned char)shown.data[i] < 0x20 ||
			    shown.data[i] == 0x7f)
				fail("a control byte in a view", shown.data + i);
		}
		if (lines != want[k] || shown.data[shown.len - 1] != '\n')
			fail("a view's lines", shown.data);
		pf_output_free(&o);
	}
	pf_buf_free(&carrier);
	pf_buf_free(&shown);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *names[MAXCOLS] = { "a", "b\"q", "c\\", "d\n", "\xc3\xa9",
	    "f", "g", "h" };
	struct pf_field fields[MAXCOLS];
	struct pf_dialect tsv = { PF_TSV, '\t', false };
	struct pf_output json, tab;
	struct pf_buf out = { 0 }, text = { 0 }, key = { 0 }, copy = { 0 };
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	const uint8_t *in, *end;
	const char *p, *e;
	size_t ncols, i, lines;
	unsigned numbers;

	if (size < 1)
		return 0;
	ncols = 1 + data[0] % MAXCOLS;
	numbers = data[0] >> 3;
	in = data + 1;
	end = data + size;
	for (i = 0; i < ncols; i++)
		if (in < end)
			fields[i].len = next_field(&in, end, &fields[i].ptr);
		else
			fields[i].ptr = "", fields[i].len = 0;

	/* JSON Lines: one strict object with the expected keys. */
	pf_output_init(&json, PF_JSONL, ',', names, ncols);
	for (i = 0; i < ncols; i++)
		pf_output_field(&json, &out, i, fields[i].ptr, fields[i].len,
		    (numbers >> i & 1) != 0 ? PF_JSON_NUMBER : PF_JSON_AUTO);
	pf_output_end(&json, &out, ncols);
	p = out.data;
	e = out.data + out.len;
	if (e == p || e[-1] != '\n' || memchr(p, '\n', out.len - 1) != NULL)
		fail("not one line", p);
	e--;
	if (*p++ != '{')
		fail("'{' expected", p);
	for (i = 0; i < ncols; i++) {
		if (i > 0 && (p >= e || *p++ != ','))
			fail("',' expected", p);
		json_string(&p, e, &key);
		if (key.len != strlen(names[i]) ||
		    memcmp(key.data, names[i], key.len) != 0)
			fail("wrong key", p);
		if (p >= e || *p++ != ':')
			fail("':' expected", p);
		if (p < e && *p == '"') {
			json_string(&p, e, &text);
			if (well_formed(fields[i].ptr, fields[i].len) &&
			    (text.len != fields[i].len || (text.len > 0 &&
			    memcmp(text.data, fields[i].ptr, text.len) != 0)))
				fail("string differs from the field", p);
		} else {
			/* Marked, or wholly a number: then exactly it. */
			const char *at = p;

			json_number(&p, e);
			if (!(numbers >> i & 1) &&
			    ((size_t)(p - at) != fields[i].len ||
			    memcmp(at, fields[i].ptr, fields[i].len) != 0))
				fail("a string field written as a number", p);
		}
	}
	if (p >= e || *p++ != '}' || p != e)
		fail("'}' and the end expected", p);

	/*
	 * TSV: escaped, split again, the same fields. A record of one empty
	 * field is an empty line, which readers skip: TSV cannot say it.
	 */
	pf_output_init(&tab, PF_TSV, '\t', names, ncols);
	if (ncols == 1 && fields[0].len == 0)
		goto done;
	out.len = 0;
	pf_output_header(&tab, &out);
	pf_output_record(&tab, &out, fields, NULL, ncols);
	pf_buf_add(&copy, out.data, out.len);
	pf_split_pad(&copy);
	p = copy.data;
	p = pf_split_next(&sp, &tsv, p, copy.data + copy.len, &rec, &lines,
	    &st);		/* the header */
	if (p == NULL || pf_split_next(&sp, &tsv, p, copy.data + copy.len,
	    &rec, &lines, &st) == NULL)
		fail("TSV record missing", out.data);
	if (st != PF_SPLIT_OK || rec.nfields != ncols)
		fail("TSV field count", out.data);
	for (i = 0; i < ncols; i++)
		if (rec.fields[i].len != fields[i].len ||
		    (fields[i].len > 0 && memcmp(rec.fields[i].ptr,
		    fields[i].ptr, fields[i].len) != 0))
			fail("TSV field differs", out.data);

done:
	check_views(names, fields, ncols);
	pf_splitter_free(&sp);
	pf_output_free(&json);
	pf_output_free(&tab);
	pf_buf_free(&out);
	pf_buf_free(&text);
	pf_buf_free(&key);
	pf_buf_free(&copy);
	return 0;
}
