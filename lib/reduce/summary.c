/*
 * summary.c - preduce --summary (pflow stats): one row per input column
 * (see reduce.h); the engine's side: the workers' tables, their merge,
 * and --memory. summary_write.c turns the merged table into the rows.
 *
 * DESIGN
 *
 * Every summary column but empty follows from a column's distinct values
 * with their counts and first orders: count, distinct, the type, the
 * lengths and the top values directly; min, max, mean and stdev by
 * folding each distinct value once into preduce's states with its count
 * (pf_agg_update_times: exact sums by doubling); the quantiles by
 * preduce's own function over the values and counts. So a worker only
 * adds each non-empty field to a value table (column -> value bytes ->
 * count, lowest record order: table.h's pf_values, the column as the
 * group) and counts the empty ones. No number is parsed per record.
 *
 * A worker's table spills into the global one under a lock when it
 * passes a quarter of --memory (at most SPILL_BYTES); at the end every
 * worker's table is merged in. Entries keep the lowest order, so the
 * merged table, and every row, is the same for every -j and --chunk.
 *
 * --memory bounds the bytes of the distinct values kept (the table's
 * entries, pf_arena.used of a table's arena, which the merged table's
 * entries alone fill). Any worker's or partial global table is part of
 * the final one, so passing the budget there means the final one passes
 * it too, and the final one is measured at the end: the summary is
 * approximate exactly when the final table would pass --memory, whatever
 * -j and --chunk. Then (s->sketching) each table is folded, entry by
 * entry, into per-column sketches (summary_column.c: the exact states,
 * HyperLogLog, DDSketch, Count-Min), and workers fold each later value
 * into their own; the sketches depend only on the values, so they merge
 * into the same result for every -j and --chunk.
 *
 * The top values past --memory cannot come from the tables, whose
 * entries hold counts but no longer positions: which values were counted
 * before the switch depends on -j and --chunk, and so would any summary
 * that keeps some values and drops others in the order they come
 * (Space-Saving, Misra-Gries). So every worker also keeps, from the
 * start, each column's occurrence sample (sketch.h): the non-empty
 * values of the records whose priority, a mix of the record's number in
 * the input, is among the PF_SAMPLE_SIZE lowest. It costs a mix and a
 * comparison per record, depends only on the input, and gives the top
 * values' candidates; their counts are Count-Min's estimates
 * (summary_write.c).
 */
#include <err.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "reduce/reduce_int.h"
#include "reduce/summary_int.h"
#include "support/xalloc.h"

/*
 * A worker's shortcut to the entries of short values (up to 7 bytes:
 * codes, small numbers): a direct-mapped cache per column, from the
 * value's bytes to its entry in the worker's table, so that a value seen
 * before costs a few instructions instead of a hash and a probe. Longer
 * values check the column's last entry (sorted input repeats it).
 * Emptied whenever the table is.
 */
#define SHORT_MAX	7
#define CACHE_BITS	10

struct short_slot {
	uint64_t		 key;	/* the bytes, see short_key() */
	struct pf_value_entry	*e;	/* with the length; NULL: free */
};

struct summary_worker {
	struct summary	*s;
	struct pf_arena	 arena;
	struct pf_values values;
	uint64_t	*empty;		/* per column */
	struct pf_value_entry **last;	/* per column: its last value's
					   entry in values, or NULL */
	struct short_slot *cache;	/* per column, 1 << CACHE_BITS */
	struct pf_sample *samples;	/* per column */
	uint64_t	 sample_limit;	/* the highest of theirs */
	struct summary_column *sketch;	/* once sketching, per column */
	struct pf_arena	 sketch_arena;
};

static void
table_init(struct pf_arena *arena, struct pf_values *values)
{
	memset(arena, 0, sizeof(*arena));
	pf_values_init(values, arena);
}

static void
table_free(struct pf_arena *arena, struct pf_values *values)
{
	pf_values_free(values);
	pf_arena_free(arena);
}

/* Adds every entry of src to dst (src is left as it was). */
static void
table_merge(struct pf_values *dst, const struct pf_values *src)
{
	struct pf_value_entry *e;
	size_t i;

	pf_values_reserve(dst, dst->count + src->count);
	for (i = 0; src->slots != NULL && i <= src->mask; i++)
		if ((e = src->slots[i]) != NULL)
			pf_values_add(dst, e->group, 0, e->bytes, e->len,
			    e->count, e->first, 0);
}

static int
summary_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct summary *s = ctx;
	size_t i;

	(void)out;	/* the header comes with the rows, in finish() */
	s->ncols = schema->nfields;
	if (s->ncols > UINT32_MAX)
		errx(1, "--summary: too many columns (%zu)", s->ncols);
	s->names = pf_xcalloc(s->ncols + 1, sizeof(char *));
	for (i = 0; i < s->ncols; i++)
		s->names[i] = pf_xstrdup(schema->names[i]);
	s->has_header = schema->has_header;
	s->empty = pf_xcalloc(s->ncols + 1, sizeof(uint64_t));
	s->samples = pf_summary_samples_new(s->ncols);
	s->tool->record_numbers = true;	/* the samples' positions */
	pf_summary_aggs(s);
	table_init(&s->arena, &s->values);
	s->started = true;
	return 0;
}

static void *
summary_worker_new(void *ctx)
{
	struct summary_worker *w = pf_xcalloc(1, sizeof(*w));

	w->s = ctx;
	table_init(&w->arena, &w->values);
	return w;
}

static void
summary_worker_free(void *worker)
{
	struct summary_worker *w = worker;

	table_free(&w->arena, &w->values);
	pf_summary_columns_free(w->s, w->sketch, w->s->ncols);
	pf_arena_free(&w->sketch_arena);
	pf_summary_samples_free(w->samples, w->s->ncols);
	free(w->last);
	free(w->cache);
	free(w->empty);
	free(w);
}

/*
 * Folds a table into the sketches cols (made if NULL) and empties it.
 */
static void
to_sketch(struct summary *s, struct summary_column **cols,
    struct pf_arena *sketch_arena, struct pf_arena *arena,
    struct pf_values *values)
{
	if (*cols == NULL)
		*cols = pf_summary_columns_new(s, s->ncols);
	pf_summary_columns_add_table(s, *cols, values, sketch_arena);
	table_free(arena, values);
	table_init(arena, values);
}

/* Empties the worker's shortcuts to its table's entries. */
static void
forget_entries(struct summary_worker *w)
{
	size_t n = w->s->ncols;

	memset(w->last, 0, n * sizeof(*w->last));
	memset(w->cache, 0, (n << CACHE_BITS) * sizeof(*w->cache));
}

/*
 * The bytes of a value of 1 to SHORT_MAX bytes as one number, which with
 * the length tells the value: two 4-byte loads that overlap, or three
 * bytes.
 */
static inline uint64_t
short_key(const char *p, size_t len)
{
	uint32_t lo, hi;

	if (len >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + len - 4, 4);
		return (uint64_t)hi << 32 | lo;
	}
	return (uint64_t)(unsigned char)p[0] |
	    (uint64_t)(unsigned char)p[len / 2] << 8 |
	    (uint64_t)(unsigned char)p[len - 1] << 16;
}

/* Adds a non-empty value of column i seen at order to the worker's table. */
static inline void
add_value(struct summary_worker *w, uint32_t i, const char *p, size_t len,
    uint64_t order)
{
	struct pf_value_entry *e;
	struct short_slot *slot;
	uint64_t key;

	if (len <= SHORT_MAX) {
		key = short_key(p, len);
		slot = &w->cache[((size_t)i << CACHE_BITS) +
		    (size_t)((key * 0x9e3779b97f4a7c15ULL + len) >>
		    (64 - CACHE_BITS))];
		e = slot->e;
		if (slot->key == key && e != NULL && e->len == len)
			goto found;
		slot->e = pf_values_add(&w->values, i, 0, p, len, 1, order,
		    0);
		slot->key = key;
		return;
	}
	e = w->last[i];
	if (e != NULL && e->len == len && pf_bytes_eq(e->bytes, p, len))
		goto found;
	w->last[i] = pf_values_add(&w->values, i, 0, p, len, 1, order, 0);
	return;
found:
	e->count++;
	if (order < e->first)
		e->first = order;
}

/*
 * Moves the worker's table into the global one; past --memory, the
 * global table goes to the sketches from then on.
 */
static void
spill(struct summary_worker *w)
{
	struct summary *s = w->s;

	pthread_mutex_lock(&s->lock);
	table_merge(&s->values, &w->values);
	if (s->arena.used > s->memory) {
		to_sketch(s, &s->sketch, &s->sketch_arena, &s->arena,
		    &s->values);
		s->sketching = true;
	}
	pthread_mutex_unlock(&s->lock);
	table_free(&w->arena, &w->values);
	table_init(&w->arena, &w->values);
	forget_entries(w);
}

/* A record once sketching: each value into the worker's sketches. */
static void
sketch_record(struct summary_worker *w, const struct pf_record *rec, size_t n)
{
	struct summary *s = w->s;
	const struct pf_field *f;
	size_t i;

	if (w->sketch == NULL || w->values.count > 0) {
		to_sketch(s, &w->sketch, &w->sketch_arena, &w->arena,
		    &w->values);
		forget_entries(w);
	}
	for (i = 0; i < n; i++) {
		f = &rec->fields[i];
		if (f->len == 0)
			w->empty[i]++;
		else
			pf_summary_column_add(s, &w->sketch[i], f->ptr,
			    f->len, 1, rec->order, true, &w->sketch_arena);
	}
}

/*
 * A record whose priority some column's sample wants: its non-empty
 * values go to the samples that want them.
 */
static void
sample_record(struct summary_worker *w, const struct pf_record *rec,
    size_t n, uint64_t prio)
{
	const struct pf_field *f;
	size_t i;

	w->sample_limit = 0;
	for (i = 0; i < n; i++) {
		f = &rec->fields[i];
		if (f->len > 0 && pf_sample_wants(&w->samples[i], prio))
			pf_sample_add(&w->samples[i], prio, rec->nr, f->ptr,
			    f->len);
		if (w->samples[i].limit > w->sample_limit)
			w->sample_limit = w->samples[i].limit;
	}
	for (; i < w->s->ncols; i++)	/* absent: empty */
		if (w->samples[i].limit > w->sample_limit)
			w->sample_limit = w->samples[i].limit;
}

static uint64_t
summary_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct summary_worker *w = worker;
	struct summary *s = w->s;
	const struct pf_field *f;
	size_t i, n = rec->nfields < s->ncols ? rec->nfields : s->ncols;
	uint64_t prio;

	(void)out;
	if (w->empty == NULL) {
		w->empty = pf_xcalloc(s->ncols + 1, sizeof(uint64_t));
		w->samples = pf_summary_samples_new(s->ncols);
		w->sample_limit = UINT64_MAX;
		w->last = pf_xcalloc(s->ncols + 1, sizeof(*w->last));
		w->cache = pf_xcalloc((s->ncols + 1) << CACHE_BITS,
		    sizeof(*w->cache));
	}
	for (i = n; i < s->ncols; i++)	/* fields a record lacks: empty */
		w->empty[i]++;
	prio = pf_sample_priority(rec->nr, 0);
	if (prio <= w->sample_limit)
		sample_record(w, rec, n, prio);
	if (s->sketching) {
		sketch_record(w, rec, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		f = &rec->fields[i];
		if (f->len == 0)
			w->empty[i]++;
		else
			add_value(w, (uint32_t)i, f->ptr, f->len, rec->order);
	}
	if (w->arena.used > s->spill)
		spill(w);
	return 0;
}

static void
summary_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct summary *s = ctx;
	struct summary_worker *w;
	size_t i;
	int k;

	for (k = 0; k < nworkers; k++) {
		w = workers[k];
		for (i = 0; w->empty != NULL && i < s->ncols; i++) {
			s->empty[i] += w->empty[i];
			pf_sample_merge(&s->samples[i], &w->samples[i]);
		}
		if (w->sketch != NULL) {
			s->sketching = true;
			if (s->sketch == NULL)
				s->sketch = pf_summary_columns_new(s,
				    s->ncols);
			pf_summary_columns_merge(s, s->sketch, w->sketch,
			    &s->sketch_arena);
		}
		if (s->values.count == 0) {
			/* Nothing to merge into: take the table as it is. */
			table_free(&s->arena, &s->values);
			s->arena = w->arena;
			s->values = w->values;
			s->values.arena = &s->arena;
			table_init(&w->arena, &w->values);
			continue;
		}
		table_merge(&s->values, &w->values);
		table_free(&w->arena, &w->values);
		table_init(&w->arena, &w->values);
	}
	if (s->sketching || s->arena.used > s->memory)
		to_sketch(s, &s->sketch, &s->sketch_arena, &s->arena,
		    &s->values);
	pf_summary_write(s, out);
}

int
pf_reduce_summary_main(const struct pf_options *opt, size_t memory,
    char **files, int nfiles)
{
	struct summary s = { .opt = opt, .memory = memory };
	struct pf_tool tool = {
		.ctx = &s,
		.start = summary_start,
		.worker_new = summary_worker_new,
		.worker_free = summary_worker_free,
		.record = summary_record,
		.finish = summary_finish,
	};
	size_t i;
	int status;

	pthread_mutex_init(&s.lock, NULL);
	s.spill = memory / 4 < SPILL_BYTES ? memory / 4 : SPILL_BYTES;
	s.tool = &tool;
	status = pf_run(opt, files, nfiles, &tool);
	if (s.started)
		table_free(&s.arena, &s.values);
	pf_summary_columns_free(&s, s.sketch, s.ncols);
	pf_arena_free(&s.sketch_arena);
	for (i = 0; s.names != NULL && i < s.ncols; i++)
		free(s.names[i]);
	free(s.names);
	free(s.empty);
	pf_summary_samples_free(s.samples, s.ncols);
	pthread_mutex_destroy(&s.lock);
	return status;
}
