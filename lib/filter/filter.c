/*
 * filter.c - pfilter's per-record work (see filter.h).
 *
 * A kept record is written as its raw bytes when the output format is
 * the input's, so records round-trip byte for byte; otherwise its fields
 * are written through output.c. With --unique, a kept record is offered
 * with its key to filter_unique.c, which writes the first of each key
 * from the writer thread (batch_end, batch_result).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/engine.h"
#include "expr/expr.h"
#include "filter/filter.h"
#include "filter/filter_unique.h"
#include "expr/keys.h"
#include "csv/output.h"
#include "expr/report.h"
#include "support/status.h"
#include "support/xalloc.h"

struct filter {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_filter_args	*args;
	struct pf_expr			*expr;
	struct pf_output		 out;
	bool				 raw_copy;
	struct pf_keys			 keys;		/* --unique */
	struct pf_unique		*unique;	/* the writer's set */
	uint64_t			 unique_kept;
	bool				 started;	/* start() ran: there
							   was input */
	bool				 constant;	/* EXPR is a constant
							   (`-c true`): not
							   evaluated per record */
	bool				 keep;		/* ... whether it keeps
							   every record */
};

/*
 * After a vector that pf_eval_select() gave up (a value to note), this
 * many go one record at a time: data that notes often pays little for
 * the passes it wastes.
 */
#define VECTOR_BACKOFF	8

struct filter_worker {
	struct filter	*filter;
	struct pf_eval	*eval;
	uint64_t	 kept;
	struct pf_unique_worker *unique;
	struct pf_buf	 key, rec;	/* --unique: a record's key, output */
	uint32_t	 sel[PF_VECTOR]; /* the records a vector keeps */
	unsigned	 backoff;	/* vectors to evaluate one record at a
					   time after one that had to be */
};

/* Compiles EXPR and --unique's keys (check, and the start of start). */
static int
filter_check(void *ctx, const struct pf_schema *schema)
{
	struct filter *f = ctx;
	struct pf_expr_error err;

	if ((f->expr = pf_expr_compile(f->args->expr, schema, &err)) == NULL) {
		pf_report_expr_error(f->args->expr, &err);
		return PF_USAGE;
	}
	if (f->args->unique != NULL &&
	    pf_keys_compile(&f->keys, f->args->unique, schema) != 0)
		return PF_USAGE;
	return 0;
}

static int
filter_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct filter *f = ctx;
	const struct pf_options *opt = f->opt;
	int status;

	if ((status = filter_check(f, schema)) != 0)
		return status;
	f->started = true;
	if ((f->constant = pf_expr_constant(f->expr, &f->keep)))
		f->keep = f->keep != f->args->invert;
	f->tool->record_numbers = pf_expr_uses_nr(f->expr) ||
	    pf_projection_uses_nr(f->keys.proj);
	f->raw_copy = opt->out_format == opt->in.format &&
	    opt->out_delim == opt->in.delim;
	/* A raw copy needs only the fields the expression and keys read. */
	if (f->raw_copy) {
		long last = pf_expr_max_field(f->expr), k;

		if (f->keys.proj != NULL &&
		    (k = pf_projection_max_field(f->keys.proj)) > last)
			last = k;
		f->tool->fields_needed = last < 0 ? 1 : (size_t)last + 1;
	}
	pf_output_init(&f->out, opt->out_format, opt->out_delim, schema->names,
	    schema->nfields);
	if (schema->has_header && !f->args->count)
		pf_output_header(&f->out, out);
	return 0;
}

static void *
filter_worker_new(void *ctx)
{
	struct filter_worker *w = pf_xcalloc(1, sizeof(*w));

	w->filter = ctx;
	w->eval = pf_eval_new();
	if (w->filter->args->unique != NULL)
		w->unique = pf_unique_worker_new();
	return w;
}

static void
filter_worker_free(void *worker)
{
	struct filter_worker *w = worker;

	pf_eval_free(w->eval);
	pf_unique_worker_free(w->unique);
	pf_buf_free(&w->key);
	pf_buf_free(&w->rec);
	free(w);
}

/* Appends a kept record: its raw bytes, or its fields re-serialized. */
static void
write_kept(const struct filter *f, const struct pf_record *rec,
    struct pf_buf *out)
{
	if (f->raw_copy) {
		pf_buf_reserve(out, rec->raw_len + 1);
		memcpy(out->data + out->len, rec->raw, rec->raw_len);
		out->len += rec->raw_len;
		out->data[out->len++] = '\n';
	} else
		pf_output_record(&f->out, out, rec->fields, rec->kinds,
		    rec->nfields);
}

/* --unique: the record goes to the writer if it may be its key's first. */
static uint64_t
offer_unique(struct filter_worker *w, const struct pf_record *rec)
{
	struct filter *f = w->filter;

	if (pf_keys_encode(&f->keys, w->eval, rec, &w->key) != NULL)
		return PF_RECORD_FAILED;	/* a regex: filter_failure() */
	w->rec.len = 0;
	if (!f->args->count)
		write_kept(f, rec, &w->rec);
	pf_unique_offer(w->unique, w->key.data, w->key.len, w->rec.data,
	    w->rec.len);
	return 0;
}

static void *
filter_batch_end(void *worker)
{
	return pf_unique_batch_end(((struct filter_worker *)worker)->unique);
}

/* On the writer, in input order: the first record of each new key. */
static void
filter_batch_result(void *ctx, void *result, const struct pf_batch_info *info,
    struct pf_buf *out)
{
	struct filter *f = ctx;
	uint64_t n;

	(void)info;
	n = pf_unique_result(f->unique, result, out);
	f->unique_kept += n;
	if (!f->args->count)
		f->tool->written += n;
}

/*
 * Whether EXPR keeps rec: 1 or 0; -1 when its evaluation failed
 * (filter_failure() says why).
 */
static int
keeps(struct filter_worker *w, const struct pf_record *rec)
{
	struct filter *f = w->filter;
	struct pf_value v;

	if (f->constant)
		return f->keep;
	pf_eval_reset(w->eval);
	pf_eval(w->eval, f->expr, rec, &v);
	if (pf_eval_error(w->eval) != NULL)
		return -1;
	return pf_value_truthy(&v) != f->args->invert;
}

/*
 * A kept record: counted, and written or offered to --unique. Returns
 * the records written, or PF_RECORD_FAILED (a --unique key's regex).
 */
static inline uint64_t
take_kept(struct filter_worker *w, const struct pf_record *rec,
    struct pf_buf *out)
{
	struct filter *f = w->filter;

	w->kept++;
	if (w->unique != NULL)
		return offer_unique(w, rec);
	if (!f->args->count)
		write_kept(f, rec, out);
	return 1;
}

static uint64_t
filter_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct filter_worker *w = worker;
	int keep = keeps(w, rec);

	if (keep <= 0)
		return keep < 0 ? PF_RECORD_FAILED : 0;
	return take_kept(w, rec, out);
}

/*
 * The records of a vector that EXPR keeps, into w->sel, and their number
 * in *kept. Returns false when a record failed (*failed its index):
 * *kept then counts the kept records before it.
 */
static bool
select_kept(struct filter_worker *w, const struct pf_record *recs, size_t n,
    size_t *kept, size_t *failed)
{
	struct filter *f = w->filter;
	size_t i, m;
	int keep;

	if (f->constant) {
		m = f->keep ? n : 0;
		for (i = 0; i < m; i++)
			w->sel[i] = (uint32_t)i;
		*kept = m;
		return true;
	}
	if (w->backoff == 0) {
		*kept = pf_eval_select(w->eval, f->expr, recs, n,
		    f->args->invert, w->sel);
		if (*kept != SIZE_MAX)
			return true;
		w->backoff = VECTOR_BACKOFF;
	} else
		w->backoff--;
	/* A value to note or a failure: one at a time, in order. */
	for (i = m = 0; i < n; i++) {
		if ((keep = keeps(w, &recs[i])) < 0) {
			*kept = m;
			*failed = i;
			return false;
		}
		if (keep)
			w->sel[m++] = (uint32_t)i;
	}
	*kept = m;
	return true;
}

/*
 * A vector of records (pf_tool.records): EXPR chooses the kept ones a
 * node at a time over the vector (pf_eval_select()), then each kept
 * record is written, counted or offered to --unique in order.
 */
static uint64_t
filter_records(void *worker, const struct pf_record *recs, size_t n,
    struct pf_buf *out, size_t *failed)
{
	struct filter_worker *w = worker;
	uint64_t written = 0, one;
	size_t m, i;
	bool ok = select_kept(w, recs, n, &m, failed);

	for (i = 0; i < m; i++) {
		if ((one = take_kept(w, &recs[w->sel[i]], out)) ==
		    PF_RECORD_FAILED) {
			*failed = w->sel[i];
			return PF_RECORD_FAILED;
		}
		written += one;
	}
	return ok ? written : PF_RECORD_FAILED;
}

static const char *
filter_failure(void *worker)
{
	return pf_eval_error(((struct filter_worker *)worker)->eval);
}

static void
filter_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct filter *f = ctx;
	uint64_t kept = 0;
	char line[32];
	int i;

	if (!f->args->count)
		return;
	for (i = 0; i < nworkers; i++)
		kept += ((struct filter_worker *)workers[i])->kept;
	if (f->unique != NULL)
		kept = f->unique_kept;
	snprintf(line, sizeof(line), "%" PRIu64 "\n", kept);
	pf_buf_adds(out, line);
}

int
pf_filter_main(const struct pf_options *opt,
    const struct pf_filter_args *args, char **files, int nfiles)
{
	struct filter f = { .opt = opt, .args = args };
	struct pf_tool tool = {
		.ctx = &f,
		.start = filter_start,
		.check = filter_check,
		.worker_new = filter_worker_new,
		.worker_free = filter_worker_free,
		.record = filter_record,
		.records = filter_records,
		.record_failure = filter_failure,
		.finish = filter_finish,
	};
	int status;

	f.tool = &tool;
	if (args->unique != NULL) {
		f.unique = pf_unique_new();
		tool.batch_end = filter_batch_end;
		tool.batch_result = filter_batch_result;
	}
	status = pf_run(opt, files, nfiles, &tool);
	pf_unique_free(f.unique);
	pf_keys_free(&f.keys);
	if (status == 0 && args->count && !f.started)
		fputs("0\n", stdout);	/* input held no record at all */
	if (f.expr != NULL)
		pf_expr_free(f.expr);
	if (f.started)
		pf_output_free(&f.out);
	return status;
}
