/*
 * scan.c - pscan's tool callbacks (see scan.h) and its worker side.
 *
 * Workers prepare each record for the in-order stage: they split it,
 * encode its key, copy the values the steps read and parse them as
 * numbers, read --time, and write the record's own fields in the output
 * format; a batch's rows go to the writer thread as the batch's result
 * (batch_end). Then, in input order, scan_apply.c looks each row's key
 * up and applies the steps to its state: in the batch's turn on its own
 * worker (pf_tool.in_order), which then writes the rows and their new
 * columns in parallel with the next turn; with lead, whose held records
 * are written in later batches' output, on the writer thread. So the
 * costly part of a record runs on -j workers, and the part that must
 * see every record of a key in order is a hash lookup and a few updates
 * per record.
 */
#include <err.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"
#include "support/status.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

struct scan_worker {
	struct scan		*s;
	struct pf_eval		*eval;
	struct pf_buf		 key;
	struct scan_batch	*b;		/* the batch being prepared */
	uint64_t		 nonnum;
	char			*failure;
};

static void scan_in_order(void *worker, void *result);
static bool scan_after_order(void *worker, void *result, struct pf_buf *out);
static void recycle(struct scan *s, struct scan_batch *b);

/* Resolves a field by the field rule; reports an unknown one. */
static int
lookup(const struct pf_schema *schema, const char *name, const char *context,
    long *index)
{
	if ((*index = pf_field_lookup(schema, name, strlen(name))) < 0) {
		pf_field_unknown(schema, name, context);
		return PF_USAGE;
	}
	return 0;
}

/* Compiles the keys and resolves the fields (check, and start). */
static int
scan_check(void *ctx, const struct pf_schema *schema)
{
	struct scan *s = ctx;
	size_t i;

	if (s->args->keys != NULL &&
	    pf_keys_compile(&s->keys, s->args->keys, schema) != 0)
		return PF_USAGE;
	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].field != NULL && lookup(schema,
		    s->steps[i].field, s->steps[i].name, &s->steps[i].index))
			return PF_USAGE;
	if (s->args->time_field != NULL &&
	    lookup(schema, s->args->time_field, "--time", &s->time_index))
		return PF_USAGE;
	return 0;
}

/* Gives each distinct field a step reads a slot in the rows. */
static void
plan_slots(struct scan *s)
{
	size_t i, k;

	s->slot_field = pf_xcalloc(s->nsteps + 1, sizeof(*s->slot_field));
	for (i = 0; i < s->nsteps; i++) {
		struct scan_step *st = &s->steps[i];

		if (st->index < 0)
			continue;
		for (k = 0; k < s->nslots && s->slot_field[k] != st->index; k++)
			;
		if (k == s->nslots)
			s->slot_field[s->nslots++] = st->index;
		st->slot = (int)k;
	}
}

/* The last field a raw copy needs split, plus one. */
static size_t
fields_needed(const struct scan *s)
{
	long last = s->time_index, k;
	size_t i;

	for (i = 0; i < s->nslots; i++)
		if (s->slot_field[i] > last)
			last = s->slot_field[i];
	if (s->keys.proj != NULL &&
	    (k = pf_projection_max_field(s->keys.proj)) > last)
		last = k;
	return last < 0 ? 1 : (size_t)last + 1;
}

static int
scan_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct scan *s = ctx;
	const struct pf_options *opt = s->opt;
	char **names;
	size_t i;
	int status;

	if ((status = scan_check(s, schema)) != 0)
		return status;
	s->started = true;
	s->one_key = s->args->keys == NULL;
	s->tool->record_numbers = s->keys.proj != NULL &&
	    pf_projection_uses_nr(s->keys.proj);
	plan_slots(s);
	s->ncols_in = schema->nfields;
	s->raw_copy = opt->out_format == opt->in.format &&
	    opt->out_delim == opt->in.delim && opt->out_format != PF_JSONL;
	if (s->raw_copy)
		s->tool->fields_needed = fields_needed(s);
	names = pf_xcalloc(s->ncols_in + s->nsteps, sizeof(*names));
	for (i = 0; i < s->ncols_in; i++)
		names[i] = schema->names[i];
	for (i = 0; i < s->nsteps; i++)
		names[s->ncols_in + i] = s->steps[i].name;
	pf_output_init(&s->out, opt->out_format, opt->out_delim, names,
	    s->ncols_in + s->nsteps);
	free(names);
	if (schema->has_header)
		pf_output_header(&s->out, out);
	pf_scan_apply_init(s);
	if (s->lead == NULL) {	/* each batch's turn applies it */
		s->tool->in_order = scan_in_order;
		s->tool->after_order = scan_after_order;
	}
	return 0;
}

static void *
scan_worker_new(void *ctx)
{
	struct scan_worker *w = pf_xcalloc(1, sizeof(*w));

	w->s = ctx;
	if (w->s->keys.uses_eval)
		w->eval = pf_eval_new();
	return w;
}

static void
batch_free(struct scan_batch *b)
{
	if (b == NULL)
		return;
	pf_buf_free(&b->text);
	free(b->rows);
	free(b->values);
	free(b->cells);
	pf_buf_free(&b->cells_text);
	free(b);
}

static void
scan_worker_free(void *worker)
{
	struct scan_worker *w = worker;

	if (w->eval != NULL)
		pf_eval_free(w->eval);
	pf_buf_free(&w->key);
	batch_free(w->b);
	free(w->failure);
	free(w);
}

/* A new row at the end of the worker's batch. */
static struct scan_row *
add_row(struct scan_worker *w, struct scan_value **values)
{
	struct scan_batch *b = w->b;
	size_t nslots = w->s->nslots;

	if (b == NULL) {
		/* A spare batch keeps its buffers: no growing, no faults. */
		pthread_mutex_lock(&w->s->pool_lock);
		if ((b = w->s->pool) != NULL)
			w->s->pool = b->next;
		pthread_mutex_unlock(&w->s->pool_lock);
		if (b == NULL)
			b = pf_xcalloc(1, sizeof(*b));
		b->text.len = 0;
		b->nrows = 0;
		w->b = b;
	}
	if (b->nrows == b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->rows = pf_xrealloc(b->rows, b->cap * sizeof(*b->rows));
		b->values = pf_xrealloc(b->values, b->cap * (nslots + 1) *
		    sizeof(*b->values));
	}
	*values = b->values + b->nrows * nslots;
	return &b->rows[b->nrows++];
}

static const struct pf_field empty_field = { "", 0 };

static const struct pf_field *
field_at(const struct pf_record *rec, long i)
{
	return (size_t)i < rec->nfields ? &rec->fields[i] : &empty_field;
}

/* The first numeric step that reads slot k, or NULL. */
static const struct scan_step *
slot_numeric(const struct scan *s, int k)
{
	size_t i;

	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].slot == k && s->steps[i].numeric)
			return &s->steps[i];
	return NULL;
}

/* Copies slot k's value into the batch and reads it as a number. */
static int
read_value(struct scan_worker *w, const struct pf_field *f, int k,
    struct scan_value *v)
{
	struct pf_buf *text = &w->b->text;
	const struct scan_step *st;

	v->off = text->len;
	v->len = f->len;
	pf_buf_add(text, f->ptr, f->len);
	if (f->len == 0)
		v->kind = SCAN_EMPTY;
	else if (pf_number_parse(f->ptr, f->len, &v->num))
		v->kind = SCAN_NUMBER;
	else {
		v->kind = SCAN_TEXT;
		if ((st = slot_numeric(w->s, k)) != NULL) {
			w->nonnum++;
			if (w->s->args->strict) {
				free(w->failure);
				if (asprintf(&w->failure, "field %s: '%.*s' is "
				    "not a number (%s)", st->field,
				    (int)(f->len > 100 ? 100 : f->len), f->ptr,
				    st->name) < 0)
					err(1, NULL);
				return -1;
			}
		}
	}
	return 0;
}

static uint64_t
scan_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct scan_worker *w = worker;
	struct scan *s = w->s;
	struct scan_value *values;
	struct scan_row *row;
	const struct pf_field *f;
	const char *why;
	size_t i;
	int k;

	(void)out;
	row = add_row(w, &values);
	row->order = rec->order;
	/* The key. */
	row->key_off = w->b->text.len;
	if (s->one_key)
		row->key_len = 0;
	else if (s->keys.single_field >= 0) {
		f = field_at(rec, s->keys.single_field);
		pf_buf_add(&w->b->text, f->ptr, f->len);
		row->key_len = f->len;
	} else {
		if ((why = pf_keys_encode(&s->keys, w->eval, rec, &w->key)) !=
		    NULL) {
			free(w->failure);
			w->failure = pf_xstrdup(why);
			w->b->nrows--;	/* the rows before it are written */
			return PF_RECORD_FAILED;
		}
		pf_buf_add(&w->b->text, w->key.data, w->key.len);
		row->key_len = w->key.len;
	}
	/* The record's own fields, in the output format. */
	row->out_off = w->b->text.len;
	row->raw = NULL;
	if (s->raw_copy) {	/* the input lives as long as the batch */
		row->raw = rec->raw;
		row->out_len = rec->raw_len;
	} else
		for (i = 0; i < rec->nfields; i++)
			pf_output_field(&s->out, &w->b->text, i,
			    rec->fields[i].ptr, rec->fields[i].len,
			    pf_json_kind_at(rec->kinds, i));
	if (row->raw == NULL)
		row->out_len = w->b->text.len - row->out_off;
	/* The values the steps read, and the time. */
	for (k = 0; k < (int)s->nslots; k++)
		if (read_value(w, field_at(rec, s->slot_field[k]), k,
		    &values[k]) != 0) {
			w->b->nrows--;
			return PF_RECORD_FAILED;
		}
	row->has_time = false;
	if (s->time_index >= 0) {
		f = field_at(rec, s->time_index);
		row->has_time = f->len > 0 &&
		    pf_time_parse_ms(f->ptr, f->len, &row->time_ms);
	}
	return 0;
}

static const char *
scan_failure(void *worker)
{
	return ((struct scan_worker *)worker)->failure;
}

static void *
scan_batch_end(void *worker)
{
	struct scan_worker *w = worker;
	struct scan_batch *b = w->b;

	w->b = NULL;
	return b;
}

/* Without lead: the batch's turn, in input order, on its worker. */
static void
scan_in_order(void *worker, void *result)
{
	struct scan_worker *w = worker;

	pf_scan_apply_turn(w->s, result);
}

/*
 * ... and after it, on the same worker: the rows are written, and the
 * batch is at once free for the next (fewer batches, less memory).
 */
static bool
scan_after_order(void *worker, void *result, struct pf_buf *out)
{
	struct scan_worker *w = worker;

	pf_scan_write_rows(w->s, result, out);
	recycle(w->s, result);
	return true;
}

/* Puts a batch back in the pool of spare ones. */
static void
recycle(struct scan *s, struct scan_batch *b)
{
	pthread_mutex_lock(&s->pool_lock);
	b->next = s->pool;
	s->pool = b;
	pthread_mutex_unlock(&s->pool_lock);
}

/* On the writer thread, in input order: with lead, the in-order stage. */
static void
scan_batch_result(void *ctx, void *result, const struct pf_batch_info *info,
    struct pf_buf *out)
{
	struct scan *s = ctx;
	struct scan_batch *b = result;

	if (b == NULL)
		return;
	if (out != NULL && s->lead != NULL)
		pf_scan_apply(s, b, info, out);
	recycle(s, b);
}

static void
scan_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct scan *s = ctx;
	int i;

	for (i = 0; i < nworkers; i++)
		s->nonnum += ((struct scan_worker *)workers[i])->nonnum;
	pf_scan_apply_finish(s, out);
}

void
pf_scan_check_steps(const struct pf_scan_args *args, const char *usage_text)
{
	struct scan_step st;
	char msg[512];
	int i;

	for (i = 0; i < args->nsteps; i++) {
		if (!pf_scan_step_parse(args->steps[i], &st, msg, sizeof(msg)))
			pf_usage_error(usage_text, "%s", msg);
		if (pf_scan_step_uses_time(&st) && args->time_field == NULL)
			pf_usage_error(usage_text, "%s needs --time FIELD",
			    args->steps[i]);
		pf_scan_step_free(&st);
	}
}

int
pf_scan_main(const struct pf_options *opt, const struct pf_scan_args *args,
    char **files, int nfiles)
{
	struct scan s = { .opt = opt, .args = args, .time_index = -1,
	    .keys = { .single_field = -1 } };
	struct pf_tool tool = {
		.ctx = &s,
		.start = scan_start,
		.check = scan_check,
		.worker_new = scan_worker_new,
		.worker_free = scan_worker_free,
		.record = scan_record,
		.record_failure = scan_failure,
		.batch_end = scan_batch_end,
		.batch_result = scan_batch_result,
		.finish = scan_finish,
		.result_until_failure = true,
	};
	struct scan_batch *b;
	char msg[512];
	size_t i;
	int status;

	s.tool = &tool;
	pthread_mutex_init(&s.pool_lock, NULL);
	s.nsteps = (size_t)args->nsteps;
	s.steps = pf_xcalloc(s.nsteps + 1, sizeof(*s.steps));
	for (i = 0; i < s.nsteps; i++)
		if (!pf_scan_step_parse(args->steps[i], &s.steps[i], msg,
		    sizeof(msg)))
			errx(PF_USAGE, "%s", msg);	/* checked before */
	status = pf_run(opt, files, nfiles, &tool);
	if (s.started) {
		pf_scan_apply_free(&s);
		pf_output_free(&s.out);
	}
	for (i = 0; i < s.nsteps; i++)
		pf_scan_step_free(&s.steps[i]);
	free(s.steps);
	free(s.slot_field);
	while ((b = s.pool) != NULL) {
		s.pool = b->next;
		batch_free(b);
	}
	pthread_mutex_destroy(&s.pool_lock);
	pf_keys_free(&s.keys);
	return status;
}
