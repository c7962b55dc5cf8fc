/*
 * fuzz_split_libcsv.c - differential fuzz target: pflow's CSV splitter
 * (chunk.c cuts, record.c splits) against libcsv (csv_parse).
 *
 * The input is cut into batches as the reader cuts it (pf_chunk_cut(),
 * the window doubled when it holds no boundary) and every batch split
 * with pf_split_next(). The same bytes go through libcsv, configured to
 * read what pflow reads: the dialect's delimiter, no space trimming (a
 * space function that says no), CR and LF as terminators (libcsv's
 * default). Byte 0 picks the delimiter (, ; tab |), the rest is the
 * data.
 *
 * Where the two are defined to agree, and so what is compared:
 *
 * - Only inputs where every CR outside a quoted field is followed by LF
 *   or ends the input. pflow takes CRLF (and a CR at the end of input)
 *   as a terminator but a lone CR as data; libcsv ends a record at any
 *   CR. A CR inside quotes is data to both, and stays in the input.
 * - When pflow splits every record cleanly (PF_SPLIT_OK), libcsv in its
 *   lenient mode must give the same records with the same fields, byte
 *   for byte. Both skip empty lines (CRLF ones too). A quote inside an
 *   unquoted field (x"y) is data to both in that mode, so those inputs
 *   are compared too; libcsv's strict mode must then fail exactly when
 *   the input holds such a quote, and succeed otherwise.
 * - When pflow finds a malformed record (text after a closing quote, or
 *   a quote still open at the end), libcsv in strict mode (CSV_STRICT |
 *   CSV_STRICT_FINI) must report an error too. Past the first malformed
 *   record the two recover differently, so nothing else is compared.
 * - A byte order mark is the reader's business (it drops one at the
 *   start of a file); at this level it is data to both and compared.
 *
 * A disagreement aborts, with both renderings on stderr.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "support/buf.h"
#include "csv/chunk.h"
#include "csv/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char delims[4] = { ',', ';', '\t', '|' };

/* Records rendered as (field count, then each field's length and bytes). */
struct rendering {
	struct pf_buf	out;
	struct pf_buf	fields;		/* libcsv: the current record's */
	uint64_t	nfields;
};

static void
put(struct pf_buf *b, const void *p, size_t len)
{
	uint64_t n = len;

	pf_buf_add(b, &n, sizeof(n));
	if (len > 0)
		pf_buf_add(b, p, len);
}

static void
libcsv_field(void *s, size_t len, void *data)
{
	struct rendering *r = data;

	put(&r->fields, s, len);
	r->nfields++;
}

static void
libcsv_record(int c, void *data)
{
	struct rendering *r = data;

	(void)c;
	pf_buf_add(&r->out, &r->nfields, sizeof(r->nfields));
	if (r->fields.len > 0)
		pf_buf_add(&r->out, r->fields.data, r->fields.len);
	r->fields.len = 0;
	r->nfields = 0;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Parses the input with libcsv; false on a parse error. */
static bool
libcsv_split(const uint8_t *p, size_t len, char delim, int options,
    struct rendering *r)
{
	struct csv_parser parser;
	bool ok;

	if (csv_init(&parser, (unsigned char)options) != 0)
		abort();
	csv_set_delim(&parser, (unsigned char)delim);
	csv_set_space_func(&parser, no_space);
	ok = csv_parse(&parser, p, len, libcsv_field, libcsv_record, r) ==
	    len;
	if (ok && csv_error(&parser) != CSV_SUCCESS)
		ok = false;
	if (ok && csv_fini(&parser, libcsv_field, libcsv_record, r) != 0)
		ok = false;
	csv_free(&parser);
	return ok;
}

/*
 * Splits one batch with pflow into r; false if a record is malformed.
 * The batch is copied with the sentinel and padding the splitter needs.
 */
static bool
pflow_split_batch(struct pf_splitter *sp, const struct pf_dialect *d,
    const uint8_t *p, size_t len, struct rendering *r)
{
	struct pf_record rec;
	enum pf_split_status st;
	struct pf_buf b = { 0 };
	const char *at, *end, *next;
	bool ok = true;
	size_t lines, i;
	uint64_t n;

	pf_buf_add(&b, p, len);
	pf_split_pad(&b);
	at = b.data;
	end = b.data + len;
	while ((next = pf_split_next(sp, d, at, end, &rec, &lines, &st)) !=
	    NULL) {
		if (st != PF_SPLIT_OK) {
			ok = false;
			break;
		}
		n = rec.field_count;
		pf_buf_add(&r->out, &n, sizeof(n));
		for (i = 0; i < rec.field_count; i++)
			put(&r->out, rec.fields[i].ptr, rec.fields[i].len);
		at = next;
	}
	pf_buf_free(&b);
	return ok;
}

/* The reader's batches (fuzz_split.c checks the cuts themselves). */
static bool
pflow_split(const struct pf_dialect *d, const uint8_t *p, size_t len,
    struct rendering *r)
{
	struct pf_splitter sp = { 0 };
	size_t pos, take, want, cut;
	uint32_t state = 0x2545f491u ^ (uint32_t)len;
	bool ok = true;

	for (pos = 0; pos < len && ok; pos += take) {
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		want = 1 + state % 512;
		for (;;) {
			if (want >= len - pos) {
				take = len - pos;
				break;
			}
			cut = pf_chunk_cut(d, (const char *)p + pos, want);
			if (cut > 0) {
				take = cut;
				break;
			}
			want *= 2;
		}
		ok = pflow_split_batch(&sp, d, p + pos, take, r);
	}
	pf_splitter_free(&sp);
	return ok;
}

/*
 * Reads the input by the quote rule (a quote opens a field only at a
 * field's start): sets *lone_cr if a CR outside quotes is followed by
 * neither LF nor the end of input, *stray_quote if an unquoted field
 * holds a quote.
 */
static void
scan(const uint8_t *p, size_t len, char delim, bool *lone_cr,
    bool *stray_quote)
{
	bool quoted = false, field_start = true, after_close = false;
	size_t i;

	*lone_cr = *stray_quote = false;
	for (i = 0; i < len; i++) {
		if (quoted) {
			if (p[i] == '"') {
				quoted = false;
				after_close = true;
			}
			continue;
		}
		if (p[i] == '"' && (field_start || after_close)) {
			quoted = true;
			field_start = after_close = false;
			continue;
		}
		if (p[i] == '"')
			*stray_quote = true;
		if (p[i] == '\r' && i + 1 < len && p[i + 1] != '\n')
			*lone_cr = true;
		after_close = false;
		field_start = p[i] == '\n' || p[i] == (uint8_t)delim ||
		    (p[i] == '\r' && field_start);
	}
}

static void
show(const char *what, const struct pf_buf *b)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", what, b->len);
	for (i = 0; i < b->len && i < 512; i++)
		fprintf(stderr, " %02x", (unsigned char)b->data[i]);
	fprintf(stderr, "\n");
}

static void
fail(const char *what, const struct rendering *mine,
    const struct rendering *ref)
{
	fprintf(stderr, "fuzz_split_libcsv: %s\n", what);
	if (mine != NULL)
		show("pflow", &mine->out);
	if (ref != NULL)
		show("libcsv", &ref->out);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_dialect d = { PF_CSV, ',', false };
	struct rendering mine = { 0 }, ref = { 0 }, strict = { 0 };
	bool lone_cr, stray_quote, ok, strict_ok;

	if (size < 1)
		return 0;
	d.delim = delims[data[0] % 4];
	data++;
	size--;
	scan(data, size, d.delim, &lone_cr, &stray_quote);
	if (lone_cr)
		return 0;	/* a record boundary to libcsv only */

	ok = pflow_split(&d, data, size, &mine);
	strict_ok = libcsv_split(data, size, d.delim,
	    CSV_STRICT | CSV_STRICT_FINI, &strict);
	if (!ok) {
		if (strict_ok)
			fail("pflow finds a malformed record, strict libcsv "
			    "none", &mine, &strict);
	} else {
		if (!libcsv_split(data, size, d.delim, 0, &ref))
			fail("lenient libcsv fails", &mine, &ref);
		if (mine.out.len != ref.out.len || (mine.out.len > 0 &&
		    memcmp(mine.out.data, ref.out.data, mine.out.len) != 0))
			fail("records differ", &mine, &ref);
		if (strict_ok == stray_quote)
			fail(stray_quote ? "strict libcsv accepts a quote in "
			    "an unquoted field" : "strict libcsv fails on "
			    "well-formed input", &mine, &strict);
	}
	pf_buf_free(&mine.out);
	pf_buf_free(&mine.fields);
	pf_buf_free(&ref.out);
	pf_buf_free(&ref.fields);
	pf_buf_free(&strict.out);
	pf_buf_free(&strict.fields);
	return 0;
}
