/*
 * split_run.h - records split a run at a time. pf_split_next() (record.c)
 * first hands out the records a kernel's split_run (scan.h) split in one
 * pass over a batch's bytes; when they are used up it asks for the next
 * run, and a record no run can take (quotes, a TSV escape, an empty CSV
 * line, JSON Lines, --lines -d ' ') goes to the kernel's split() or the
 * reference splitter as before. A run holds good only for the calls that
 * walk it in order (p each time the previous call's result, the same
 * end, dialect object and wanted fields); any other call starts a new
 * one. (A caller that changes a dialect in place between two calls on
 * the same bytes must not: none does.)
 */
#ifndef PF_SPLIT_RUN_H
#define PF_SPLIT_RUN_H

#include <stdbool.h>

#include "csv/record.h"
#include "csv/scan.h"

/*
 * pf_split_next()'s result for the next record of sp's run, when the
 * call walks the run (above); else NULL, having changed nothing.
 */
static inline const char *
pf_split_run_take(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec, size_t *lines,
    enum pf_split_status *status)
{
	struct pf_split_run *r = sp->run;
	const struct pf_run_record *x;

	if (r == NULL || r->i == r->n || p != r->expect || end != r->end ||
	    d != r->dialect || sp->want != r->want)
		return NULL;
	x = &r->rec[r->i++];
	rec->raw = x->raw;
	rec->raw_len = x->raw_len;
	rec->fields = r->fields + x->first;
	rec->kinds = NULL;
	rec->nfields = x->field_count < r->max ? x->field_count : r->max;
	rec->field_count = x->field_count;
	*lines = x->lf < end;
	*status = PF_SPLIT_OK;
	r->expect = x->lf < end ? x->lf + 1 : end;
	sp->resume = r->expect;
	return r->expect;
}

/*
 * Splits a new run from p through kernel k, where dialect d allows one.
 * Returns whether it holds a record (then pf_split_run_take() hands it
 * out); after a run that split nothing, the next few calls return false
 * at once, so records with quotes do not pay for a run each.
 */
bool pf_split_run_fill(struct pf_splitter *sp,
    const struct pf_scan_kernel *k, const struct pf_dialect *d,
    const char *p, const char *end);

void pf_split_run_free(struct pf_split_run *r);

#endif
