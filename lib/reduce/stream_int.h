/*
 * stream_int.h - preduce's snapshots and windows: the structures shared
 * by reduce_stream.c (set-up, snapshots, count and time windows, the
 * writer's side), stream_event.c (event windows, and the workers' side)
 * and stream_time.c (event times, the options). Not a public interface.
 */
#ifndef PF_STREAM_INT_H
#define PF_STREAM_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "reduce/reduce_int.h"

/* A worker's records of one event window (or of all, without them). */
struct part {
	int64_t		 start;		/* the window's start, ms */
	struct shard	 s;
	uint64_t	 records;	/* records folded into s */
	uint64_t	 late;		/* records late within the batch */
};

/* What batch_end() hands to batch_result(). */
struct batch_parts {
	struct part	*parts;
	size_t		 nparts;
	int64_t		 max_time;	/* of the folded records, or INT64_MIN */
	uint64_t	 untimed;	/* records without a valid time */
};

struct pf_stream_worker {
	struct pf_stream *st;
	struct part	*parts;		/* this batch's event windows */
	size_t		 nparts, cap;
	size_t		 cur;		/* the part whose shard is in w->s */
	uint64_t	 records;	/* folded in this batch */
	int64_t		 max_time;
	uint64_t	 untimed;
	char		 last[32];	/* the last time read, and its ms */
	size_t		 last_len;
	int64_t		 last_ms;
	char		 date[10];	/* the last date read, and its ms */
	int64_t		 date_ms;
	int64_t		 win_lo, win_hi; /* the last window, [lo, hi) */
};

/* An open event window. */
struct window {
	int64_t		 start;
	uint64_t	 records;
	struct shard	 s;
};

struct pf_stream {
	struct reduce	*r;
	enum pf_window_kind kind;
	uint64_t	 every;		/* --every */
	long		 interval;	/* --interval, ms */
	uint64_t	 wrecords;	/* count:N */
	int64_t		 wms;		/* time:D, event:D */
	int64_t		 span;		/* event: D + lateness */
	long		 time_index;	/* --time's field */
	size_t		 nfields;	/* of the header */
	const char	*time_name;

	double		 started;	/* monotonic ms at start */
	double		 next_snap;	/* next --interval snapshot due */
	double		 win_end;	/* time: the current window's end */
	double		 win_mono;	/* time: its start, monotonic ms */
	int64_t		 win_label;	/* time: its start, epoch ms */

	uint64_t	 pos;		/* records read so far */
	uint64_t	 win_records;	/* records in the current window */
	uint64_t	 last_snap;	/* position of the last snapshot */
	bool		 snapped;	/* a snapshot was written */

	int64_t		 watermark;	/* event: the greatest time so far */
	_Atomic int64_t	 published;	/* the same, for the workers */
	struct window	*open;		/* event: open windows by start */
	size_t		 nopen, capopen;
	uint64_t	 late, untimed, windows;
	bool		 bad;		/* --bad: late records go there */
	struct pf_splitter splitter;	/* for the --bad re-scan */
};

static inline int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Moves shard src into dst (not holding anything); src is left as is. */
static inline void
shard_take(struct shard *dst, const struct shard *src)
{
	*dst = *src;
	dst->groups.arena = dst->values.arena = &dst->arena;
}

/* reduce_stream.c */
/* Merges src into dst and frees src. */
void	pf_stream_absorb(struct reduce *r, struct shard *dst,
	    struct shard *src);
/* Writes a shard with its window column: a time, or a number. */
void	pf_stream_write_at_time(struct pf_stream *st, struct shard *s,
	    int64_t ms, struct pf_buf *out);
void	pf_stream_write_at_number(struct pf_stream *st, struct shard *s,
	    uint64_t n, struct pf_buf *out);

/* stream_event.c */
/* The engine's batch_end(): hands the batch's shards to the writer. */
void	*pf_stream_batch_end(void *worker);
/* The writer's side of an event-window batch (bp may be NULL). */
void	pf_stream_event_result(struct pf_stream *st, struct batch_parts *bp,
	    const struct pf_batch_info *info, struct pf_buf *out);
/* Writes and drops the first n open windows. */
void	pf_stream_close_windows(struct pf_stream *st, size_t n,
	    struct pf_buf *out);

/* stream_time.c */
/* The time of day after a date, in ms (fractions below a ms dropped). */
bool	pf_stream_clock_ms(const char *p, const char *end, int64_t *ms);

#endif
