/*
 * first.c - ptakesort -n N: the first N records in key order, per group
 * with -g, or a random sample with --sample.
 *
 * DESIGN
 *
 * Each worker keeps the first N records it has seen in a bounded heap
 * (topn.c), ordered by the keys and then by rec->order, the record's
 * input position, so ties keep input order. At the end the workers'
 * heaps are merged by one sort and the first N written: the first N of
 * the union of every worker's first N are the first N of the input,
 * whatever records each worker happened to get, so the output is the
 * same for every -j.
 *
 * Automatic keys (sortkey.c) compare numerically only if every value
 * in the whole input is a number. That is only known at the end, and
 * the two orders keep different records, so each worker keeps one heap
 * per possible outcome: with m such keys, 2^m heaps, indexed by a mask
 * whose bit k says "key k is a string". When a worker sees a non-number
 * for key k, the outcome for k is settled (string) and the heaps that
 * assumed "numeric" for it are dropped. At the end the outcome is the
 * OR of the workers' masks and the heap of that mask is taken from each
 * worker: it holds that worker's first N under exactly the order the
 * output needs. With one automatic key and numeric data that is two
 * heaps; :num or :str avoid the second.
 *
 * A kept record is a blob (sortkey.c) owned by its heap. The hot path
 * compares a record's keys, as views into the batch, with the heap's
 * worst blob before copying anything, so for a small N almost every
 * record costs its key parsing and one or two comparisons.
 *
 * SAMPLES (--sample)
 * A sample is the N records of least priority, a priority being
 * XXH64(the record's number in the input, seed): pseudo-random, distinct
 * records get independent ones, so the N least are a uniform sample, and
 * a record's priority does not depend on -j or --chunk (pf_record.nr).
 * It is a key like any other (one numeric key), kept in the same heaps;
 * the sample is then written in input order.
 *
 * GROUPS (-g)
 * With -g, a worker keeps its heaps per group: a group table (table.h)
 * maps each group's key (keys.h) to its heaps and its first appearance
 * (the lowest record order seen). At the end the groups of every worker
 * are joined by key and written in order of first appearance, each the
 * merge of its workers' heaps, as above.
 */
#include <stdlib.h>
#include <string.h>

#include "support/xalloc.h"
#include "takesort/keyvalue.h"
#include "takesort/takesort_int.h"


/* Adds a set of heaps (a group's); returns its index. */
static uint32_t
new_set(struct worker *w)
{
	const struct takesort *ts = w->ts;
	struct heaps *set;
	unsigned m;

	if (w->nsets == w->setcap) {
		w->setcap = w->setcap ? 2 * w->setcap : 4;
		w->sets = pf_xrealloc(w->sets, w->setcap * sizeof(*w->sets));
	}
	set = &w->sets[w->nsets];
	set->heaps = pf_xcalloc(ts->nvariants, sizeof(*set->heaps));
	set->order = UINT64_MAX;
	for (m = 0; m < ts->nvariants; m++)
		pf_topn_init(&set->heaps[m], ts->args->limit, blob_cmp,
		    &ts->variants[m]);
	return (uint32_t)w->nsets++;
}

/*
 * The heaps of the record's group (the only set without -g); NULL when
 * the group's expression failed.
 */
static struct heaps *
set_of(struct worker *w, const struct pf_record *rec)
{
	struct pf_group *g;
	struct heaps *set;
	uint32_t i;
	bool added;

	if (w->ts->groups.proj == NULL)
		return &w->sets[0];
	if (pf_keys_encode(&w->ts->groups, w->eval, rec, &w->gkey) != NULL)
		return NULL;	/* a regex: takesort_failure() */
	g = pf_groups_find(&w->index, w->gkey.data, w->gkey.len, &added);
	if (added) {
		i = new_set(w);
		memcpy(PF_GROUP_STATE(g), &i, sizeof(i));
	} else
		memcpy(&i, PF_GROUP_STATE(g), sizeof(i));
	set = &w->sets[i];
	if (rec->order < set->order)
		set->order = rec->order;
	return set;
}

void
first_worker_init(struct worker *w)
{
	if (w->ts->groups.proj != NULL)
		pf_groups_init(&w->index, &w->arena, sizeof(uint32_t));
	else
		new_set(w);
}

void
first_worker_free(struct worker *w)
{
	size_t i;
	unsigned m;

	for (i = 0; i < w->nsets; i++) {
		for (m = 0; m < w->ts->nvariants; m++)
			pf_topn_free(&w->sets[i].heaps[m]);
		free(w->sets[i].heaps);
	}
	free(w->sets);
	if (w->ts->groups.proj != NULL)
		pf_groups_free(&w->index);
	pf_arena_free(&w->arena);
	pf_buf_free(&w->gkey);
}

/* Copies the record and its keys into heap h. */
static void
keep(struct worker *w, struct pf_topn *h, const struct pf_record *rec,
    uint64_t hint)
{
	struct blob *b;

	b = (struct blob *)pf_topn_slot(h, blob_size(w, rec));
	blob_fill(w, rec, b);
	pf_topn_commit(h, hint, rec->order);
}

/*
 * Notes the automatic keys that turned out to be strings and drops the
 * heaps that assumed "numeric" for them.
 */
static void
settle_modes(struct worker *w)
{
	const struct takesort *ts = w->ts;
	unsigned m;
	size_t i;

	if (!note_strings(w))
		return;
	for (i = 0; i < w->nsets; i++)
		for (m = 0; m < ts->nvariants; m++)
			if ((m & w->strmask) != w->strmask &&
			    w->sets[i].heaps[m].alloc > 0)
				pf_topn_free(&w->sets[i].heaps[m]);
}

uint64_t
first_record(struct worker *w, const struct pf_record *rec)
{
	const struct takesort *ts = w->ts;
	const struct pf_topn_item *worst;
	struct heaps *set;
	struct pf_topn *h;
	uint64_t hint;
	unsigned m;

	if (ts->args->limit == 0)
		return 0;
	if ((set = set_of(w, rec)) == NULL)
		return PF_RECORD_FAILED;
	eval_keys(w, rec);
	if (w->eval != NULL && pf_eval_error(w->eval) != NULL)
		return PF_RECORD_FAILED;
	if (ts->nvariants > 1)
		settle_modes(w);
	for (m = 0; m < ts->nvariants; m++) {
		if ((m & w->strmask) != w->strmask)
			continue;
		h = &set->heaps[m];
		hint = hint_of(ts, &w->cand[0], m);
		/*
		 * A worker sees its records in input order, so a tie with
		 * the worst kept record loses: only "strictly before" wins.
		 */
		if (pf_topn_full(h)) {
			worst = pf_topn_worst(h);
			if (hint > worst->hint)
				continue;
			if (hint == worst->hint && vals_cmp(ts, w->cand,
			    ((const struct blob *)worst->data)->vals, m) >= 0)
				continue;
		}
		keep(w, h, rec, hint);
	}
	return 0;
}


static int
by_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct pf_topn_item *)a)->seq;
	uint64_t y = ((const struct pf_topn_item *)b)->seq;

	return x < y ? -1 : x > y;
}

/* Merges the workers' heaps of one group (strmask's) and writes them. */
static void
write_group(struct takesort *ts, struct pf_topn **heaps, size_t n,
    unsigned strmask, struct pf_buf *out)
{
	struct pf_splitter sp = { 0 };
	struct pf_buf scratch = { 0 };
	struct pf_topn merged;
	size_t i;

	pf_topn_init(&merged, ts->args->limit, blob_cmp,
	    &ts->variants[strmask]);
	pf_topn_merge(&merged, heaps, n);
	if (ts->args->sample)	/* a sample is written in input order */
		qsort(merged.items, merged.n, sizeof(*merged.items), by_seq);
	for (i = 0; i < merged.n; i++)
		write_blob(ts, &sp, &scratch,
		    (const struct blob *)merged.items[i].data, out);
	ts->tool->written += merged.n;
	pf_topn_free(&merged);
	pf_buf_free(&scratch);
	pf_splitter_free(&sp);
}

/* A group across workers: its first appearance and its heaps. */
struct joined {
	uint64_t	  order;
	struct pf_topn	**heaps;	/* [nworkers], n used */
	size_t		  n;
};

static int
by_order(const void *a, const void *b)
{
	uint64_t x = ((const struct joined *)a)->order;
	uint64_t y = ((const struct joined *)b)->order;

	return x < y ? -1 : x > y;
}

/* -g: joins the workers' groups by key, writes them by first appearance. */
static void
write_groups(struct takesort *ts, struct worker **workers, int nworkers,
    unsigned strmask, struct pf_buf *out)
{
	struct pf_arena arena = { 0 };
	struct pf_groups all;
	struct joined *joined = NULL, *j;
	struct pf_group *g, *a;
	size_t njoined = 0, cap = 0, i;
	uint32_t idx;
	bool added;
	int k;

	pf_groups_init(&all, &arena, sizeof(uint32_t));
	for (k = 0; k < nworkers; k++)
		for (i = 0; i < workers[k]->index.count; i++) {
			g = pf_groups_at(&workers[k]->index, (uint32_t)i);
			a = pf_groups_find(&all, g->key, g->keylen, &added);
			if (added) {
				if (njoined == cap) {
					cap = cap ? 2 * cap : 64;
					joined = pf_xrealloc(joined,
					    cap * sizeof(*joined));
				}
				idx = (uint32_t)njoined++;
				memcpy(PF_GROUP_STATE(a), &idx, sizeof(idx));
				joined[idx] = (struct joined){ UINT64_MAX,
				    pf_xcalloc((size_t)nworkers,
				    sizeof(struct pf_topn *)), 0 };
			} else
				memcpy(&idx, PF_GROUP_STATE(a), sizeof(idx));
			j = &joined[idx];
			memcpy(&idx, PF_GROUP_STATE(g), sizeof(idx));
			if (workers[k]->sets[idx].order < j->order)
				j->order = workers[k]->sets[idx].order;
			j->heaps[j->n++] = &workers[k]->sets[idx].heaps[strmask];
		}
	qsort(joined, njoined, sizeof(*joined), by_order);
	for (i = 0; i < njoined; i++) {
		write_group(ts, joined[i].heaps, joined[i].n, strmask, out);
		free(joined[i].heaps);
	}
	free(joined);
	pf_groups_free(&all);
	pf_arena_free(&arena);
}

void
first_finish(struct takesort *ts, struct worker **ws, int nworkers,
    struct pf_buf *out)
{
	struct pf_topn **heaps;
	unsigned strmask = 0;
	int k;

	if (ts->args->limit == 0)
		return;
	for (k = 0; k < nworkers; k++)
		strmask |= ws[k]->strmask;
	if (ts->groups.proj != NULL) {
		write_groups(ts, ws, nworkers, strmask, out);
		return;
	}
	heaps = pf_xcalloc((size_t)nworkers, sizeof(*heaps));
	for (k = 0; k < nworkers; k++)
		heaps[k] = &ws[k]->sets[0].heaps[strmask];
	write_group(ts, heaps, (size_t)nworkers, strmask, out);
	free(heaps);
}
