/*
 * split_run.c - the runs of split_run.h: making them and their field
 * arrays. Handing their records out is inline (split_run.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "csv/split_run.h"
#include "support/xalloc.h"

/* Calls that go to split() after a run that split nothing. */
#define RUN_BACKOFF	8

void
pf_split_run_grow(struct pf_split_run *r, size_t need)
{
	size_t cap = r->cap ? r->cap : 1024;

	while (cap < need)
		cap *= 2;
	r->fields = pf_xrealloc(r->fields, cap * sizeof(*r->fields));
	r->cap = cap;
}

bool
pf_split_run_fill(struct pf_splitter *sp, const struct pf_scan_kernel *k,
    const struct pf_dialect *d, const char *p, const char *end)
{
	const struct pf_scan_chars chars = pf_scan_chars_for(d);
	struct pf_split_run *r = sp->run;

	if (k->split_run == NULL || p >= end || d->format == PF_JSONL ||
	    (d->format == PF_LINES && d->delim == ' '))
		return false;
	if (r == NULL)
		r = sp->run = pf_xcalloc(1, sizeof(*r));
	r->i = r->n = 0;
	if (r->backoff > 0) {
		r->backoff--;
		return false;
	}
	r->n = k->split_run(r, &chars, sp->want, p, end);
	if (r->n == 0) {
		r->backoff = RUN_BACKOFF;
		return false;
	}
	r->expect = p;
	r->end = end;
	r->dialect = d;
	r->want = sp->want;
	r->max = sp->want ? sp->want : SIZE_MAX;
	return true;
}

void
pf_split_run_free(struct pf_split_run *r)
{
	if (r != NULL)
		free(r->fields);
	free(r);
}
