/*
 * fuzz_split.c - fuzz target for the batch cutter (chunk.c) and the field
 * splitter (record.c): the invariant behind -j.
 *
 * The input is cut into batches the way the reader cuts it: take about
 * "chunk" bytes, cut at the last record boundary pf_chunk_cut() finds,
 * double the window when there is none, and hand the rest over whole at
 * the end of input. The batch sizes come from a small generator seeded by
 * the input. Every batch is split with pf_split_next(), and the records,
 * fields, statuses and line counts must be exactly those of one
 * sequential split of the whole input. The batched split may also ask
 * for only the first few fields (the splitter's want, as tools that read
 * few fields do): those fields and the field count must still be the
 * whole split's. Each cut must also be what pf_chunk_scan() finds when
 * the window is scanned in blocks of random sizes, the scan's state
 * carried from block to block (the reader's scan of a file for pmap
 * --pipe), and what a plain byte-by-byte reading of chunk.h's rule finds
 * (a quote opens a field only at a field's start; x"y is data), so that
 * stray quotes cannot move a cut.
 *
 * Input layout: byte 0 picks the dialect (low 3 bits) and the fields
 * wanted (0: all, else 1-4), bytes 1-2 seed the batch sizes, the rest is
 * the data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/buf.h"
#include "csv/chunk.h"
#include "csv/record.h"
#include "split_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Appends a size and bytes to the rendering. */
static void
put(struct pf_buf *out, const void *p, size_t len)
{
	uint64_t n = len;

	pf_buf_add(out, &n, sizeof(n));
	pf_buf_add(out, p, len);
}

/*
 * Splits [p, p+len), a whole batch, appending every record to out as
 * (cumulative lines, status, raw, field count, the first `show` fields or
 * all when 0); *lines carries the line count across batches.
 */
static void
split_all(struct pf_splitter *sp, const struct pf_dialect *d,
    const uint8_t *p, size_t len, struct pf_buf *out, uint64_t *lines,
    size_t show)
{
	char *b = padded_copy(p, len);
	const char *at = b, *end = b + len, *next;
	struct pf_record rec;
	enum pf_split_status st;
	size_t n, i, nshow;
	uint64_t status, count;

	while ((next = pf_split_next(sp, d, at, end, &rec, &n, &st)) != NULL) {
		if (next <= at || next > end)
			abort();	/* no progress, or past the batch */
		if (rec.raw < at || rec.raw + rec.raw_len > end)
			abort();
		*lines += n;
		status = st;
		pf_buf_add(out, lines, sizeof(*lines));
		pf_buf_add(out, &status, sizeof(status));
		put(out, rec.raw, rec.raw_len);
		/*
		 * Fields split: all of them without a want, else at least
		 * the wanted ones (quoted records are split whole).
		 */
		if (rec.nfields > rec.field_count)
			abort();
		count = rec.field_count;
		pf_buf_add(out, &count, sizeof(count));
		nshow = show > 0 && show < rec.field_count ? show :
		    rec.field_count;
		if (rec.nfields < (sp->want == 0 ? rec.field_count : nshow))
			abort();
		for (i = 0; i < nshow; i++)
			put(out, rec.fields[i].ptr, rec.fields[i].len);
		at = next;
	}
	*lines += n;
	free(b);
}

static uint32_t
next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* A batch size: mostly small, sometimes large, never 0. */
static size_t
batch_size(uint32_t *state)
{
	uint32_t r = next_random(state);

	switch (r & 3) {
	case 0: return 1 + (r >> 8) % 4;
	case 1: return 1 + (r >> 8) % 32;
	case 2: return 1 + (r >> 8) % 256;
	default: return 1 + (r >> 8) % 4096;
	}
}

/* pf_chunk_cut(d, p, len) found a block at a time, as the reader does. */
static size_t
scan_cut(const struct pf_dialect *d, const uint8_t *p, size_t len,
    uint32_t *state)
{
	size_t at = 0, block, got, cut = 0;
	enum pf_scan_state st = PF_SCAN_START;

	while (at < len) {
		block = batch_size(state);
		if (block > len - at)
			block = len - at;
		got = pf_chunk_scan(d, (const char *)p + at, block, &st);
		if (got > block)
			abort();
		if (got > 0)
			cut = at + got;
		at += block;
	}
	return cut;
}

/*
 * The last record boundary in p[0..len), which starts at one, read byte
 * by byte the plainest way: the reference for the cutter's masks.
 */
static size_t
reference_cut(const struct pf_dialect *d, const uint8_t *p, size_t len)
{
	bool quoted = false, field_start = true, after_close = false;
	size_t i, cut = 0;

	for (i = 0; i < len; i++) {
		if (d->format != PF_CSV) {
			if (p[i] == '\n')
				cut = i + 1;
		} else if (quoted) {
			if (p[i] == '"') {
				quoted = false;
				after_close = true;
			}
		} else if (p[i] == '"' && (field_start || after_close)) {
			quoted = true;		/* opens, or the second of "" */
			field_start = after_close = false;
		} else {
			after_close = false;
			field_start = p[i] == '\n' || p[i] == (uint8_t)d->delim;
			if (p[i] == '\n')
				cut = i + 1;
		}
	}
	return cut;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_splitter sp = { 0 };
	struct pf_buf whole = { 0 }, batched = { 0 };
	const struct pf_dialect *d;
	uint64_t lines_whole = 0, lines_batched = 0, lfs;
	uint32_t state, scan_state;
	size_t pos, left, want, cut, take, fields;

	if (size < 3)
		return 0;
	d = &split_dialects[data[0] % 8];
	fields = (size_t)(data[0] >> 3) % 5;
	state = 0x9e3779b9u ^ ((uint32_t)data[1] << 8 | data[2]);
	scan_state = state ^ 0x5bd1e995u;
	data += 3;
	size -= 3;

	split_all(&sp, d, data, size, &whole, &lines_whole, fields);
	sp.want = fields;

	for (pos = 0; pos < size; pos += take) {
		left = size - pos;
		want = batch_size(&state);
		for (;;) {
			if (want >= left) {
				take = left;	/* end of input: the rest */
				break;
			}
			cut = pf_chunk_cut(d, (const char *)data + pos, want);
			if (cut > want)
				abort();
			if (reference_cut(d, data + pos, want) != cut) {
				fprintf(stderr, "fuzz_split: pf_chunk_cut cuts "
				    "elsewhere than the byte-wise reference\n");
				abort();
			}
			if (scan_cut(d, data + pos, want, &scan_state) != cut) {
				fprintf(stderr, "fuzz_split: a scan in blocks "
				    "cuts elsewhere than pf_chunk_cut\n");
				abort();
			}
			if (cut > 0) {
				take = cut;
				break;
			}
			want *= 2;	/* a record larger than a batch */
		}
		split_all(&sp, d, data + pos, take, &batched, &lines_batched,
		    fields);
	}

	for (pos = 0, lfs = 0; pos < size; pos++)
		lfs += data[pos] == '\n';
	if (lines_whole != lfs) {
		fprintf(stderr, "fuzz_split: %llu lines counted, the input "
		    "holds %llu LFs\n", (unsigned long long)lines_whole,
		    (unsigned long long)lfs);
		abort();
	}
	if (lines_whole != lines_batched || whole.len != batched.len ||
	    (whole.len > 0 && memcmp(whole.data, batched.data, whole.len))) {
		fprintf(stderr, "fuzz_split: batched split differs from the "
		    "whole split (lines %llu vs %llu, rendering %zu vs %zu "
		    "bytes)\n", (unsigned long long)lines_batched,
		    (unsigned long long)lines_whole, batched.len, whole.len);
		abort();
	}
	pf_splitter_free(&sp);
	pf_buf_free(&whole);
	pf_buf_free(&batched);
	return 0;
}
