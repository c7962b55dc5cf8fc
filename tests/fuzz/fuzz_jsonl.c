/*
 * fuzz_jsonl.c - fuzz target for the JSON Lines reader (lib/csv/jsonl.c).
 *
 * The input's first line is the first object: its keys are learned
 * (pf_jsonl_keys_learn); when it is no object, that must be all. The
 * whole input is then split record by record with pf_split_next() in
 * the JSON Lines dialect, from a padded copy (AddressSanitizer sees any
 * read past the padding the splitter is promised). For every record:
 * the line count advances by the LFs consumed; a well-formed record has
 * exactly one field per key, and a malformed one a message. Each
 * well-formed record is then written back as an object of JSON strings
 * (its fields escaped as \", \\, \uXXXX for control bytes, other bytes
 * as they are) and split again: the fields must come back byte for
 * byte, which holds the unescaping to the escaping.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/jsonl.h"
#include "csv/record.h"
#include "support/buf.h"
#include "split_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pf_dialect jsonl = { PF_JSONL, ',', false };

static void
add_json_string(struct pf_buf *b, const char *p, size_t len)
{
	char esc[8];
	size_t i;

	pf_buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\') {
			pf_buf_addc(b, '\\');
			pf_buf_addc(b, (char)c);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			pf_buf_adds(b, esc);
		} else
			pf_buf_addc(b, (char)c);
	}
	pf_buf_addc(b, '"');
}

/* Writes rec back as an object of strings and checks it splits the same. */
static void
round_trip(const struct pf_jsonl_keys *k, const struct pf_record *rec)
{
	struct pf_splitter sp = { 0 };
	struct pf_buf line = { 0 };
	struct pf_record again;
	enum pf_split_status st;
	size_t i, lines;
	char *copy;

	pf_buf_addc(&line, '{');
	for (i = 0; i < k->n; i++) {
		if (i > 0)
			pf_buf_addc(&line, ',');
		add_json_string(&line, k->names[i], k->lens[i]);
		pf_buf_addc(&line, ':');
		add_json_string(&line, rec->fields[i].ptr, rec->fields[i].len);
	}
	pf_buf_addc(&line, '}');
	copy = padded_copy(line.data, line.len);
	if (pf_split_next(&sp, &jsonl, copy, copy + line.len, &again, &lines,
	    &st) == NULL || st != PF_SPLIT_OK || again.nfields != k->n)
		abort();
	for (i = 0; i < k->n; i++)
		if (again.fields[i].len != rec->fields[i].len ||
		    memcmp(again.fields[i].ptr, rec->fields[i].ptr,
		    rec->fields[i].len) != 0)
			abort();
	free(copy);
	pf_buf_free(&line);
	pf_splitter_free(&sp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_jsonl_keys *k = pf_jsonl_stream_keys();
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	const char *p, *end, *lf, *next;
	char why[192], *buf;
	size_t lines, total = 0, lfs = 0, i, first;

	lf = memchr(data, '\n', size);
	first = lf != NULL ? (size_t)(lf - (const char *)data) : size;
	if (!pf_jsonl_keys_learn(k, (const char *)data, first, why,
	    sizeof(why))) {
		if (why[0] == '\0')
			abort();
		return 0;
	}
	buf = padded_copy(data, size);
	end = buf + size;
	for (i = 0; i < size; i++)
		lfs += data[i] == '\n';
	for (p = buf; (next = pf_split_next(&sp, &jsonl, p, end, &rec,
	    &lines, &st)) != NULL; p = next) {
		total += lines;
		if (next <= p || next > end)
			abort();
		if (st == PF_SPLIT_OK) {
			if (rec.nfields != k->n || rec.field_count != k->n)
				abort();
			round_trip(k, &rec);
		} else if (st != PF_SPLIT_JSON || sp.why[0] == '\0')
			abort();
	}
	total += lines;
	if (total != lfs)
		abort();
	free(buf);
	pf_splitter_free(&sp);
	return 0;
}
