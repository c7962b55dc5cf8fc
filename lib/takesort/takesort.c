/*
 * takesort.c - ptakesort's wiring: the engine's callbacks, which hand
 * each record to top-N (first.c: -n, -g, --sample) or to the whole sort
 * (wholesort.c: no -n). Keys and their order are in sortkey.c.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "support/compat.h"
#include "support/seed.h"
#include "support/status.h"
#include "support/xalloc.h"
#include "takesort/runs.h"
#include "takesort/takesort_int.h"

/* Whether ptakesort sorts the whole input (no -n). */
static inline bool
whole(const struct takesort *ts)
{
	return ts->args->whole;
}

/* Compiles -k and -g (check, and the start of start). */
static int
takesort_check(void *ctx, const struct pf_schema *schema)
{
	struct takesort *ts = ctx;
	int status;

	if ((status = compile_keys(ts, schema)) != 0)
		return status;
	if (ts->args->groups != NULL)
		return pf_keys_compile(&ts->groups, ts->args->groups, schema);
	return 0;
}

static int
takesort_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct takesort *ts = ctx;
	const struct pf_options *opt = ts->opt;
	size_t i;
	int status;

	if ((status = takesort_check(ts, schema)) != 0)
		return status;
	ts->tool->record_numbers = ts->args->sample ||
	    pf_projection_uses_nr(ts->groups.proj);
	for (i = 0; i < ts->nkeys; i++)
		if (pf_expr_uses_nr(ts->keys[i].expr))
			ts->tool->record_numbers = true;
	ts->raw_copy = opt->out_format == opt->in.format &&
	    opt->out_delim == opt->in.delim;
	if (ts->raw_copy)	/* the record is copied whole: split only keys */
		ts->tool->fields_needed = key_fields_needed(ts);
	if (ts->raw_copy && ts->groups.proj != NULL &&
	    pf_projection_max_field(ts->groups.proj) >=
	    (long)ts->tool->fields_needed)
		ts->tool->fields_needed =
		    (size_t)pf_projection_max_field(ts->groups.proj) + 1;
	pf_output_init(&ts->out, opt->out_format, opt->out_delim,
	    schema->names, schema->nfields);
	ts->output_ready = true;
	if (schema->has_header)
		pf_output_header(&ts->out, out);
	return 0;
}

static void *
takesort_worker_new(void *ctx)
{
	struct takesort *ts = ctx;
	struct worker *w = pf_xcalloc(1, sizeof(*w));

	w->ts = ts;
	if (ts->uses_eval || ts->groups.uses_eval)
		w->eval = pf_eval_new();
	w->cand = pf_xcalloc(ts->nkeys, sizeof(*w->cand));
	if (whole(ts))
		sort_worker_init(w);
	else
		first_worker_init(w);
	return w;
}

static void
takesort_worker_free(void *worker)
{
	struct worker *w = worker;

	if (whole(w->ts))
		sort_worker_free(w);
	else
		first_worker_free(w);
	free(w->cand);
	if (w->eval != NULL)
		pf_eval_free(w->eval);
	free(w);
}

static const char *
takesort_failure(void *worker)
{
	struct worker *w = worker;

	if (whole(w->ts) && sort_failure(w) != NULL)
		return sort_failure(w);
	return pf_eval_error(w->eval);
}

static uint64_t
takesort_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct worker *w = worker;

	(void)out;
	return whole(w->ts) ? sort_record(w, rec) : first_record(w, rec);
}

static void
takesort_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct takesort *ts = ctx;

	if (whole(ts))
		sort_finish(ts, (struct worker **)workers, nworkers, out);
	else
		first_finish(ts, (struct worker **)workers, nworkers, out);
}

int
pf_takesort_main(const struct pf_options *opt,
    const struct pf_takesort_args *given, char **files, int nfiles)
{
	struct pf_takesort_args drawn = *given, *args = &drawn;
	struct takesort ts = { .opt = opt, .args = args };
	struct pf_tool tool = {
		.ctx = &ts,
		.start = takesort_start,
		.check = takesort_check,
		.worker_new = takesort_worker_new,
		.worker_free = takesort_worker_free,
		.record = takesort_record,
		.record_failure = takesort_failure,
		.finish = takesort_finish,
	};
	int status;

	if (!parse_keys(&ts)) {
		free_keys(&ts);
		return PF_USAGE;
	}
	if (args->whole) {
		if (!tmp_probe(args->tmpdir)) {
			warn("-T %s: cannot make a temporary file there",
			    args->tmpdir);
			free_keys(&ts);
			return PF_USAGE;
		}
		tmp_signals();
	}
	/* A sample without --seed differs from run to run: --stats says how. */
	if (args->sample && !args->seeded)
		drawn.seed = pf_seed_draw();
	ts.tool = &tool;
	status = pf_run(opt, files, nfiles, &tool);
	if (args->sample && opt->stats)
		fprintf(stderr, "%s: seed %llu\n", program_invocation_short_name,
		    (unsigned long long)args->seed);
	if (status == 0)
		status = ts.status;
	if (ts.output_ready)
		pf_output_free(&ts.out);
	free_keys(&ts);
	return status;
}
