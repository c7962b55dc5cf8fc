/*
 * summary_int.h - preduce --summary's state, shared by summary.c (the
 * engine's side) and summary_write.c (the rows). Not a public interface.
 */
#ifndef PF_SUMMARY_INT_H
#define PF_SUMMARY_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "reduce/agg.h"
#include "support/buf.h"
#include "support/sketch.h"
#include "support/table.h"

/* How many most common values the top column lists. */
#define PF_SUMMARY_TOP	5

/* The aggregations of a row, as preduce parses them (summary_column.c). */
enum { S_MIN, S_MAX, S_MEAN, S_STDEV, S_P25, S_MEDIAN, S_P75, S_NAGGS };
#define S_NSTATES	(S_STDEV + 1)	/* those with a fixed-size state */

/*
 * What a column's values fold into, in the order-independent part: kinds
 * seen, count, lengths, the min/max/mean/stdev states; with sketches
 * also the distinct values' HyperLogLog, the numbers' DDSketch and the
 * values' Count-Min (the counts of the top values).
 */
struct summary_column {
	unsigned	 kinds;		/* 1 << pf_value_kind */
	uint64_t	 count, minlen, maxlen;
	unsigned char	*state[S_NSTATES];
	struct pf_hll	 hll;
	struct pf_dds	 dds;
	struct pf_cms	 cms;
};

struct summary {
	const struct pf_options	*opt;
	size_t		 memory;	/* --memory: bytes of values kept */
	size_t		 spill;		/* a worker's table that spills */
	size_t		 ncols;
	char		**names;	/* the input's column names */
	bool		 has_header;
	bool		 started;
	uint64_t	*empty;		/* per column, merged at the end */
	struct pf_sample *samples;	/* per column: the top values' candidates */
	struct pf_agg	 aggs[S_NAGGS];

	/* Past --memory: every column's sketches (guarded by lock). */
	_Atomic bool	 sketching;
	struct summary_column *sketch;	/* per column, or NULL */
	struct pf_arena	 sketch_arena;	/* the states' strings */

	pthread_mutex_t	 lock;		/* guards arena and values */
	struct pf_arena	 arena;
	struct pf_values values;	/* column (the group) -> value */
	struct pf_tool	*tool;
};

/* summary_column.c */
/* n empty samples (pf_sample_init), freed by _free. */
struct pf_sample *pf_summary_samples_new(size_t n);
void pf_summary_samples_free(struct pf_sample *samples, size_t n);

/* Parses the row's aggregations into s->aggs. */
void pf_summary_aggs(struct summary *s);
/* n columns with empty states, freed by _free. */
struct summary_column *pf_summary_columns_new(const struct summary *s,
    size_t n);
void pf_summary_columns_free(const struct summary *s,
    struct summary_column *c, size_t n);
/*
 * Folds a non-empty value seen n times, first at order, into c; with
 * sketch also into its sketches. Strings go to arena.
 */
void pf_summary_column_add(const struct summary *s, struct summary_column *c,
    const char *v, size_t len, uint64_t n, uint64_t order, bool sketch,
    struct pf_arena *arena);
/* Folds every entry of table t into the columns cols (sketches too). */
void pf_summary_columns_add_table(const struct summary *s,
    struct summary_column *cols, const struct pf_values *t,
    struct pf_arena *arena);
/* Merges the columns src into dst (sketches too). */
void pf_summary_columns_merge(const struct summary *s,
    struct summary_column *dst, const struct summary_column *src,
    struct pf_arena *arena);

/*
 * Appends the output (header, then one row per column in input order)
 * to out, from s->values (exact) or s->sketch (when not NULL) and
 * s->empty; writes out to stdout whenever it passes 1 MiB.
 */
void pf_summary_write(struct summary *s, struct pf_buf *out);

#endif
