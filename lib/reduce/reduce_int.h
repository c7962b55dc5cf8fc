/*
 * reduce_int.h - preduce's inner structures, shared by its files:
 * reduce.c (start and finish), reduce_shard.c (shards), reduce_fold.c
 * (the workers), reduce_merge.c (--merge input), reduce_write.c (the
 * output), and the streaming files (stream_*.c, reduce_stream.c). Not a
 * public interface.
 */
#ifndef PF_REDUCE_INT_H
#define PF_REDUCE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "reduce/agg.h"
#include "support/buf.h"
#include "engine/engine.h"
#include "expr/expr.h"
#include "expr/keys.h"
#include "csv/output.h"
#include "reduce/reduce.h"
#include "support/table.h"

#ifndef SPILL_BYTES
#define SPILL_BYTES	(64u << 20)	/* a worker's shard size that spills */
#endif
#define PARTIAL_MARK	"preduce:partial:"

struct shard {
	struct pf_arena	 arena;
	struct pf_groups groups;
	struct pf_values values;
};

/* How pf_reduce_fold() takes one AGG, worked out once in start(). */
struct fold_step {
	pf_agg_update_fn *update;	/* NULL: a value aggregation */
	long		 index;		/* the field, or -1: plain count */
	size_t		 offset;	/* of the state in the group block */
	int		 slot;		/* the field's entry in nums, parsed */
	bool		 parse;		/* reads the field as a number */
	bool		 first;		/* the first step to parse the field */
	bool		 numeric;	/* needs a number (pf_agg_numeric) */
};

struct reduce {
	const struct pf_options		*opt;
	const struct pf_reduce_args	*args;
	struct pf_agg	*aggs;
	size_t		 naggs;
	struct fold_step *steps;	/* per agg, for the fold */
	size_t		 state_size;
	struct pf_keys	 keys;		/* -k (not with --merge) */
	size_t		 nkeys;
	char		**keynames;

	/* --merge: the partial header's layout. */
	size_t		*part_col;	/* per agg, its first column */
	char		**header;	/* the header, to skip repeats */
	size_t		 nheader;

	struct pf_output out;
	bool		 started;

	pthread_mutex_t	 lock;		/* guards global */
	struct shard	 global;

	struct pf_stream *stream;	/* snapshots and windows, or NULL */
	struct pf_tool	*tool;		/* the engine's view of preduce */
};

struct reduce_worker {
	struct reduce	*r;
	struct shard	 s;
	struct pf_eval	*eval;
	struct pf_buf	 key;
	struct pf_buf	 qkey;		/* a quantile's value entry key */
	struct pf_number *nums;		/* per field slot: the field parsed */
	signed char	*parsed;	/* per field slot: 1 parsed, -1 not a
					   number, -2 and counted as skipped;
					   set by the slot's first step */
	unsigned char	*tmp;		/* a state decoded from --merge input */
	struct pf_arena	 tmp_arena;	/* what tmp's exact sums need */
	uint64_t	 nonnum;
	char		*failure;	/* why the last record stopped the run */
	struct pf_stream_worker *sw;	/* reduce_stream.c's part, or NULL */
};

/* reduce.c */
/* Lays out the AGGs' states in a group's block (state_size, offsets). */
void	 pf_reduce_layout_states(struct reduce *r);

/*
 * reduce_write.c: qsort_r's comparison of group indices (uint32_t) of
 * the pf_groups ctx, by first appearance.
 */
int	 pf_reduce_by_order(const void *x, const void *y, void *ctx);

/* reduce_pivot.c: --pivot's output, header first. */
void	 pf_reduce_write_pivot(struct reduce *r, struct shard *s,
	    struct pf_buf *out);

/* reduce_shard.c */
void	 pf_reduce_shard_init(struct reduce *r, struct shard *s);
void	 pf_reduce_shard_free(struct shard *s);
/* Merges src into dst; src is left as it was. */
void	 pf_reduce_shard_merge(struct reduce *r, struct shard *dst,
	    const struct shard *src);
/* Moves src into an empty dst (src is left empty). */
void	 pf_reduce_shard_move(struct reduce *r, struct shard *dst,
	    struct shard *src);
/* The memory a shard holds, for SPILL_BYTES. */
size_t	 pf_reduce_shard_bytes(const struct shard *s);

/* reduce_fold.c: the engine's worker callbacks (pf_tool). */
void	*pf_reduce_worker_new(void *ctx);
void	 pf_reduce_worker_free(void *worker);
uint64_t pf_reduce_record(void *worker, const struct pf_record *rec,
	    struct pf_buf *out);
const char *pf_reduce_failure(void *worker);
/* Folds one record into the worker's shard w->s. */
void	 pf_reduce_fold(struct reduce_worker *w, const struct pf_record *rec);
/* The group of an encoded key in w->s, its order lowered to order. */
struct pf_group *pf_reduce_find_group(struct reduce_worker *w,
	    const char *key, size_t len, uint64_t order);
/* Makes the record being folded stop the run with this message. */
void	 pf_reduce_fail(struct reduce_worker *w, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* reduce_merge.c: --merge. */
/* Reads the partial header's layout; returns 0 or 2 after a message. */
int	 pf_reduce_start_merge(struct reduce *r,
	    const struct pf_schema *schema);
/* Merges one row of partial state into the worker's shard. */
void	 pf_reduce_merge_record(struct reduce_worker *w,
	    const struct pf_record *rec);

/* reduce_write.c */
/*
 * Writes a shard's groups in order of first appearance, each preceded by
 * the window column win (when win is not NULL); with no keys, an empty
 * shard still writes its one group.
 */
void	 pf_reduce_write_shard(struct reduce *r, struct shard *s,
	    const char *win, size_t winlen, bool win_number, struct pf_buf *out);

/* reduce_stream.c */
struct pf_stream *pf_stream_new(struct reduce *r, struct pf_tool *tool);
void	 pf_stream_free(struct pf_stream *st);
/* Resolves --time against schema. Returns 0, or 2 after a message. */
int	 pf_stream_check(struct pf_stream *st, const struct pf_schema *schema);
/* Called by start(): resolves --time, notes the start time. */
int	 pf_stream_start(struct pf_stream *st, const struct pf_schema *schema);
struct pf_stream_worker *pf_stream_worker_new(struct pf_stream *st);
void	 pf_stream_worker_free(struct pf_stream_worker *sw);
void	 pf_stream_record(struct reduce_worker *w, const struct pf_record *rec);
/* At the end of input: the final result, or the open windows. */
void	 pf_stream_finish(struct pf_stream *st, struct pf_buf *out);
/*
 * Event times: ISO 8601 (as time() in expressions reads it) or epoch
 * seconds, to milliseconds; and milliseconds to ISO 8601 UTC.
 */
bool	 pf_stream_parse_time(const char *s, size_t len, int64_t *ms);
/* At exit, after pf_run(): late-record counts on stderr. */
void	 pf_stream_report(struct pf_stream *st);

#endif
