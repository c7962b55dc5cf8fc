/*
 * fuzz_csv.c - fuzz target for the CSV writer (output.c) and the field
 * splitter (record.c): written fields read back unchanged.
 *
 * Fields taken from the input are written with pf_output_field() as CSV
 * with minimal quoting, NCOLS to a record, and the output is split again:
 * every record must come back with the same fields, the output must end
 * at a record boundary (pf_chunk_cut() takes all of it), and
 * pf_output_record() must write the same bytes as field by field.
 *
 * Input layout: byte 0 picks the delimiter, byte 1 the number of columns,
 * the rest is the fields, separated by the byte 0xFF.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/buf.h"
#include "fields.h"
#include "csv/chunk.h"
#include "csv/output.h"
#include "csv/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXCOLS	8

static const char delims[] = { ',', ';', '\t', '|', ' ', ':', 'a', '\'' };

static void
fail(const char *what, size_t record)
{
	fprintf(stderr, "fuzz_csv: record %zu: %s\n", record, what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *names[MAXCOLS] = { "a", "b", "c", "d", "e", "f", "g",
	    "h" };
	struct pf_dialect d = { PF_CSV, ',', false };
	struct pf_field fields[MAXCOLS];
	struct pf_output o;
	struct pf_buf out = { 0 }, again = { 0 }, copy = { 0 };
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	const uint8_t *p, *end;
	const char *at, *next;
	size_t ncols, nrec, i, lines, start, r;

	if (size < 2)
		return 0;
	d.delim = delims[data[0] % sizeof(delims)];
	ncols = 1 + data[1] % MAXCOLS;
	p = data + 2;
	end = data + size;
	pf_output_init(&o, PF_CSV, d.delim, names, ncols);

	/* Write: whole records only, short last record padded with "". */
	for (nrec = 0; p < end; nrec++) {
		start = out.len;
		for (i = 0; i < ncols; i++) {
			if (p < end)
				fields[i].len = next_field(&p, end,
				    &fields[i].ptr);
			else
				fields[i].ptr = "", fields[i].len = 0;
			pf_output_field(&o, &out, i, fields[i].ptr,
			    fields[i].len, PF_JSON_AUTO);
		}
		pf_output_end(&o, &out, ncols);
		again.len = 0;
		pf_output_record(&o, &again, fields, NULL, ncols);
		if (again.len != out.len - start ||
		    memcmp(again.data, out.data + start, again.len) != 0)
			fail("pf_output_record differs from pf_output_field",
			    nrec);
	}
	if (pf_chunk_cut(&d, out.data, out.len) != out.len)
		fail("output does not end at a record boundary", nrec);

	/* Read back and compare with the fields, in the same order. */
	pf_buf_add(&copy, out.data, out.len);
	pf_split_pad(&copy);
	at = copy.data;
	p = data + 2;
	for (r = 0; r < nrec; r++, at = next) {
		next = pf_split_next(&sp, &d, at, copy.data + copy.len, &rec,
		    &lines, &st);
		if (next == NULL)
			fail("missing when read back", r);
		if (st != PF_SPLIT_OK)
			fail("malformed when read back", r);
		if (rec.nfields != ncols)
			fail("wrong field count when read back", r);
		for (i = 0; i < ncols; i++) {
			const char *s = "";
			size_t len = p < end ? next_field(&p, end, &s) : 0;

			if (rec.fields[i].len != len || (len > 0 &&
			    memcmp(rec.fields[i].ptr, s, len) != 0))
				fail("field differs when read back", r);
		}
	}
	if (pf_split_next(&sp, &d, at, copy.data + copy.len, &rec, &lines,
	    &st) != NULL)
		fail("extra record when read back", r);

	pf_splitter_free(&sp);
	pf_output_free(&o);
	pf_buf_free(&out);
	pf_buf_free(&again);
	pf_buf_free(&copy);
	return 0;
}
