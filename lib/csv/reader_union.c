/*
 * reader_union.c - --union: files whose headers differ read as one
 * stream of the union of their fields (see reader.h).
 *
 * Before any record, every operand's header is read (the collecting
 * pass: reader_union_header() adds the names not seen yet, in order of
 * first appearance). Then each file, as it is opened, gets a map from
 * its fields to the union's; a file whose header is the union read in
 * order is handed on as it is, and the batches of any other file are
 * written again in the union's order (reader_union_batch(), on the
 * reader's thread), a field the file lacks empty. Malformed records
 * are left as they are, for the workers to report or set aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/output.h"
#include "csv/reader.h"
#include "csv/reader_int.h"
#include "support/xalloc.h"

static long
union_find(const struct pf_reader *r, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->union_n; i++)
		if (strlen(r->union_names[i]) == len &&
		    memcmp(r->union_names[i], name, len) == 0)
			return (long)i;
	return -1;
}

void
reader_union_header(struct pf_reader *r, const struct pf_record *header)
{
	size_t i;
	long at;

	if (r->union_collecting) {
		for (i = 0; i < header->nfields; i++) {
			if (union_find(r, header->fields[i].ptr,
			    header->fields[i].len) >= 0)
				continue;
			r->union_names = pf_xrealloc(r->union_names,
			    (r->union_n + 1) * sizeof(char *));
			r->union_names[r->union_n++] = pf_xstrndup(
			    header->fields[i].ptr, header->fields[i].len);
		}
		return;
	}
	free(r->union_map);
	r->union_map = pf_xcalloc(header->nfields + 1, sizeof(size_t));
	r->union_map_n = header->nfields;
	r->union_identity = header->nfields == r->union_n;
	for (i = 0; i < header->nfields; i++) {
		at = union_find(r, header->fields[i].ptr, header->fields[i].len);
		/* A name twice in one header: its first field has it. */
		r->union_map[i] = at < 0 ? r->union_n : (size_t)at;
		if (r->union_map[i] != i)
			r->union_identity = false;
	}
}

/* Appends field s[0..len) as the dialect reads it back. */
static void
add_field(const struct pf_reader *r, struct pf_buf *b, const char *s,
    size_t len)
{
	size_t i;

	if (r->dialect.format == PF_TSV) {
		pf_tsv_escape(b, s, len);
		return;
	}
	for (i = 0; i < len; i++)
		if (s[i] == r->dialect.delim || s[i] == '"' || s[i] == '\n' ||
		    s[i] == '\r')
			break;
	if (i == len && !(len == 0 && r->union_n == 1)) {
		pf_buf_add(b, s, len);
		return;
	}
	pf_buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			pf_buf_addc(b, '"');
		pf_buf_addc(b, s[i]);
	}
	pf_buf_addc(b, '"');
}

static size_t
count_lf(const char *p, size_t len)
{
	size_t n = 0;

	while (len-- > 0)
		n += *p++ == '\n';
	return n;
}

void
reader_union_batch(struct pf_reader *r, struct pf_buf *in)
{
	struct pf_buf *out = &r->union_out;
	enum pf_split_status st;
	struct pf_record rec;
	struct pf_buf swap;
	const char *p, *end, *next;
	const struct pf_field **at;
	size_t lines, own, start, i;

	pf_split_pad(in);
	out->len = 0;
	at = pf_xcalloc(r->union_n + 1, sizeof(*at));
	p = in->data;
	end = in->data + in->len;
	while ((next = pf_split_next(&r->union_sp, &r->dialect, p, end, &rec,
	    &lines, &st)) != NULL) {
		start = out->len;
		if (st != PF_SPLIT_OK || rec.field_count != r->union_map_n) {
			pf_buf_add(out, rec.raw, rec.raw_len);
		} else {
			memset(at, 0, (r->union_n + 1) * sizeof(*at));
			for (i = r->union_map_n; i-- > 0;)
				at[r->union_map[i]] = &rec.fields[i];
			for (i = 0; i < r->union_n; i++) {
				if (i > 0)
					pf_buf_addc(out, r->dialect.delim);
				if (at[i] != NULL)
					add_field(r, out, at[i]->ptr, at[i]->len);
				else if (r->union_n == 1)
					add_field(r, out, "", 0);
			}
		}
		pf_buf_addc(out, '\n');
		/* Empty lines skipped before it: kept, for line numbers. */
		own = count_lf(out->data + start, out->len - start);
		for (i = own; i < lines; i++)
			pf_buf_addc(out, '\n');
		p = next;
	}
	free(at);
	swap = *in;
	*in = *out;
	*out = swap;
}
