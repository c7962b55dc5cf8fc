/*
 * scan_lead.c - the records pscan holds back for lead: a queue, in input
 * order, of entries (a record's output: its fields, then its columns),
 * some of whose lead columns wait for a later record of the key. The
 * head is written as soon as it is complete, so output stays in input
 * order; a record waits until N later records of its key came, or the
 * input ended, and the records after it wait with it. The bytes held are
 * counted, for --memory.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"
#include "support/xalloc.h"

struct column {
	size_t		 off, len;
	bool		 is_number;
};

struct scan_entry {
	struct scan_entry	*next;
	size_t			 missing;	/* lead columns still to come */
	struct pf_buf		 text;		/* fields, then column values */
	size_t			 prefix_len;
	struct column		 cols[];
};

struct scan_lead {
	struct scan_entry	*head, *tail;
	size_t			 ncols, bytes, memory;
};

struct scan_lead *
pf_scan_lead_new(size_t ncols, size_t memory)
{
	struct scan_lead *l = pf_xcalloc(1, sizeof(*l));

	l->ncols = ncols;
	l->memory = memory;
	return l;
}

static size_t
entry_bytes(const struct scan_lead *l, const struct scan_entry *e)
{
	return sizeof(*e) + l->ncols * sizeof(e->cols[0]) + e->text.cap;
}

struct scan_entry *
pf_scan_lead_add(struct scan_lead *l, const char *prefix, size_t len)
{
	struct scan_entry *e = pf_xcalloc(1, sizeof(*e) +
	    l->ncols * sizeof(e->cols[0]));

	pf_buf_add(&e->text, prefix, len);
	e->prefix_len = len;
	if (l->tail != NULL)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->bytes += entry_bytes(l, e);
	return e;
}

void
pf_scan_lead_set(struct scan_lead *l, struct scan_entry *e, size_t col,
    const char *s, size_t len, bool is_number, bool missing)
{
	l->bytes -= entry_bytes(l, e);
	e->cols[col] = (struct column){ e->text.len, len, is_number };
	pf_buf_add(&e->text, s, len);
	l->bytes += entry_bytes(l, e);
	if (missing)
		e->missing--;
}

void
pf_scan_lead_expect(struct scan_entry *e)
{
	e->missing++;
}

static void
entry_free(struct scan_lead *l, struct scan_entry *e)
{
	l->bytes -= entry_bytes(l, e);
	pf_buf_free(&e->text);
	free(e);
}

uint64_t
pf_scan_lead_flush(struct scan_lead *l, const struct pf_output *o,
    size_t ncols_in, struct pf_buf *out)
{
	struct scan_entry *e;
	uint64_t n = 0;
	size_t i;

	while ((e = l->head) != NULL && e->missing == 0) {
		pf_buf_add(out, e->text.data, e->prefix_len);
		for (i = 0; i < l->ncols; i++)
			pf_output_field(o, out, ncols_in + i,
			    e->text.data + e->cols[i].off, e->cols[i].len,
			    e->cols[i].is_number ? PF_JSON_NUMBER :
			    PF_JSON_AUTO);
		pf_output_end(o, out, ncols_in + l->ncols);
		if ((l->head = e->next) == NULL)
			l->tail = NULL;
		entry_free(l, e);
		n++;
	}
	return n;
}

size_t
pf_scan_lead_bytes(const struct scan_lead *l)
{
	return l->bytes;
}

void
pf_scan_lead_free(struct scan_lead *l)
{
	struct scan_entry *e;

	if (l == NULL)
		return;
	while ((e = l->head) != NULL) {
		l->head = e->next;
		entry_free(l, e);
	}
	free(l);
}
