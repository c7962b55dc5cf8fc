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

/* Whether sp's run holds records not handed out yet. */
static inline bool
pf_split_run_left(const struct pf_splitter *sp)
{
	return sp->run != NULL && sp->run->i < sp->run->n;
}

/*
 * pf_split_run_take() for many records at once: while the call walks
 * sp's run, hands out up to max of its records into recs, stopping
 * before one whose field count is not nfields (when nfields is not 0:
 * pf_record_malformed() would refuse it). Sets what pf_split_next()
 * sets of each record; *next is where the walk goes on and *lines the
 * LFs the records taken end in. Returns how many (0: none, nothing
 * changed).
 */
static inline size_t
pf_split_run_take_many(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *recs, size_t max,
    size_t nfields, const char **next, size_t *lines)
{
	struct pf_split_run *r = sp->run;
	const struct pf_run_record *x;
	size_t k, n, lf = 0;

	if (r == NULL || r->i == r->n || p != r->expect || end != r->end ||
	    d != r->dialect || sp->want != r->want)
		return 0;
	n = r->n - r->i < max ? r->n - r->i : max;
	for (k = 0; k < n; k++) {
		x = &r->rec[r->i + k];
		if (nfields != 0 && x->field_count != nfields)
			break;
		recs[k].raw = x->raw;
		recs[k].raw_len = x->raw_len;
		recs[k].fields = r->fields + x->first;
		recs[k].kinds = NULL;
		recs[k].nfields = x->field_count < r->max ? x->field_count :
		    r->max;
		recs[k].field_count = x->field_count;
		lf += x->lf < end;
	}
	if (k == 0)
		return 0;
	x = &r->rec[r->i + k - 1];
	r->i += k;
	r->expect = x->lf < end ? x->lf + 1 : end;
	sp->resume = r->expect;
	*next = r->expect;
	*lines = lf;
	return k;
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
