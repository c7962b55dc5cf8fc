/*
 * reduce_fold.c - preduce's worker side: each worker folds its records
 * into its own shard (a group per key, each AGG's state in the group's
 * block, values of distinct, mode and the quantiles in the value table),
 * and moves a shard grown past SPILL_BYTES into the global one.
 */
#include <err.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/reduce_int.h"
#include "support/number.h"
#include "support/xalloc.h"

/*
 * Errors (--strict, bad --merge input): the record being folded stops the
 * run; the engine reports it with its file and line, the first in input
 * order whichever worker met it.
 */

void
pf_reduce_fail(struct reduce_worker *w, const char *fmt, ...)
{
	va_list ap;

	free(w->failure);
	va_start(ap, fmt);
	if (vasprintf(&w->failure, fmt, ap) < 0)
		w->failure = NULL;
	va_end(ap);
	if (w->failure == NULL)
		err(1, NULL);
}

const char *
pf_reduce_failure(void *worker)
{
	return ((struct reduce_worker *)worker)->failure;
}

void *
pf_reduce_worker_new(void *ctx)
{
	struct reduce_worker *w = pf_xcalloc(1, sizeof(*w));
	struct reduce *r = ctx;

	w->r = r;
	pf_reduce_shard_init(r, &w->s);
	if (r->keys.uses_eval)
		w->eval = pf_eval_new();
	w->nums = pf_xcalloc(r->naggs + 1, sizeof(*w->nums));
	w->parsed = pf_xcalloc(r->naggs + 1, 1);
	w->tmp = pf_xcalloc(1, r->state_size + 8);
	if (r->stream != NULL)
		w->sw = pf_stream_worker_new(r->stream);
	return w;
}

void
pf_reduce_worker_free(void *worker)
{
	struct reduce_worker *w = worker;

	pf_reduce_shard_free(&w->s);
	if (w->eval != NULL)
		pf_eval_free(w->eval);
	pf_buf_free(&w->key);
	pf_buf_free(&w->qkey);
	free(w->nums);
	free(w->parsed);
	free(w->tmp);
	pf_arena_free(&w->tmp_arena);
	free(w->failure);
	if (w->sw != NULL)
		pf_stream_worker_free(w->sw);
	free(w);
}

struct pf_group *
pf_reduce_find_group(struct reduce_worker *w, const char *key, size_t len,
    uint64_t order)
{
	struct pf_group *g;
	bool added;

	g = pf_groups_find(&w->s.groups, key, len, &added);
	if (order < g->order)
		g->order = order;
	return g;
}

static struct pf_group *
find_group(struct reduce_worker *w, uint64_t order)
{
	return pf_reduce_find_group(w, w->key.data, w->key.len, order);
}

/* Moves a big shard into the global one, so memory follows groups. */
static void
maybe_spill(struct reduce_worker *w)
{
	struct reduce *r = w->r;

	if (pf_reduce_shard_bytes(&w->s) < SPILL_BYTES)
		return;
	pthread_mutex_lock(&r->lock);
	pf_reduce_shard_merge(r, &r->global, &w->s);
	pthread_mutex_unlock(&r->lock);
	pf_reduce_shard_free(&w->s);
	pf_reduce_shard_init(r, &w->s);
}

static const struct pf_field empty_field = { "", 0 };

/* Field i of rec, empty if the record is short of it. */
static inline const struct pf_field *
field_at(const struct pf_record *rec, size_t i)
{
	return i < rec->nfields ? &rec->fields[i] : &empty_field;
}

/* The group of a key of several fields, or of expressions. */
static struct pf_group *
key_group(struct reduce_worker *w, const struct pf_record *rec)
{
	const char *why;

	if ((why = pf_keys_encode(&w->r->keys, w->eval, rec, &w->key)) != NULL)
		pf_reduce_fail(w, "%s", why);	/* a regex */
	return find_group(w, rec->order);
}

/* A value of a numeric AGG that is not a number: counted once a record. */
static void
skip_value(struct reduce_worker *w, const struct fold_step *st,
    const struct pf_field *f)
{
	struct reduce *r = w->r;
	const struct pf_agg *a = &r->aggs[st - r->steps];

	if (w->parsed[st->slot] == -2)
		return;		/* counted already */
	w->parsed[st->slot] = -2;
	w->nonnum++;
	if (r->args->strict)
		pf_reduce_fail(w, "field %s: '%.*s' is not a number (%s)",
		    a->field, (int)(f->len > 100 ? 100 : f->len), f->ptr,
		    a->name);
}

/* A value of distinct, mode or a quantile, into the value table. */
static void
add_value(struct reduce_worker *w, struct pf_group *g,
    const struct fold_step *st, const struct pf_field *f,
    const struct pf_number *num, uint64_t order)
{
	uint16_t agg = (uint16_t)(st - w->r->steps);

	if (num != NULL) {
		pf_agg_quantile_key(f->ptr, f->len, num, &w->qkey);
		pf_values_add(&w->s.values, g->index, agg, w->qkey.data,
		    w->qkey.len, 1, order, 0);
	} else
		pf_values_add(&w->s.values, g->index, agg, f->ptr, f->len, 1,
		    order, 0);
}

/*
 * pf_reduce_fold(), inline for reduce_record(). The steps were planned in
 * start(); what is rare (non-numbers, value tables, keys to encode) is
 * out of line.
 */
static inline void
fold_record(struct reduce_worker *w, const struct pf_record *rec)
{
	const struct reduce *r = w->r;
	const struct fold_step *st, *end;
	const struct pf_number *num;
	const struct pf_field *f;
	struct pf_group *g;

	if (r->keys.single_field >= 0) {
		/* One key field: its bytes are the key, nothing to encode. */
		f = field_at(rec, (size_t)r->keys.single_field);
		g = pf_reduce_find_group(w, f->ptr, f->len, rec->order);
	} else
		g = key_group(w, rec);
	g->records++;
	for (st = r->steps, end = st + r->naggs; st < end; st++) {
		if (st->index < 0) {
			pf_agg_count_record(PF_GROUP_STATE(g) + st->offset);
			continue;
		}
		f = field_at(rec, (size_t)st->index);
		if (f->len == 0)
			continue;
		num = NULL;
		if (st->parse) {
			if (st->first)
				w->parsed[st->slot] = pf_number_parse(f->ptr,
				    f->len, &w->nums[st->slot]) ? 1 : -1;
			if (w->parsed[st->slot] > 0)
				num = &w->nums[st->slot];
			else if (st->numeric) {
				skip_value(w, st, f);
				continue;
			}
		}
		if (st->update != NULL)
			st->update(PF_GROUP_STATE(g) + st->offset, f->ptr,
			    f->len, num, rec->order, &w->s.arena);
		else
			add_value(w, g, st, f, num, rec->order);
	}
}

void
pf_reduce_fold(struct reduce_worker *w, const struct pf_record *rec)
{
	fold_record(w, rec);
}

uint64_t
pf_reduce_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct reduce_worker *w = worker;
	struct reduce *r = w->r;

	(void)out;
	if (w->failure != NULL) {	/* the engine took it */
		free(w->failure);
		w->failure = NULL;
	}
	if (r->args->merge)
		pf_reduce_merge_record(w, rec);
	else if (w->sw != NULL)
		/* Snapshots and windows: the shard is the batch's own. */
		pf_stream_record(w, rec);
	else
		fold_record(w, rec);
	if (w->failure != NULL)
		return PF_RECORD_FAILED;
	if (w->sw == NULL)
		maybe_spill(w);
	return 0;
}
