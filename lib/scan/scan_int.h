/*
 * scan_int.h - pscan's private parts: the compiled steps (step.c), the
 * rows workers prepare (scan.c), the per-key state the in-order stage
 * applies them to (scan_apply.c, scan_window.c) and the records lead
 * holds back (scan_lead.c).
 */
#ifndef PF_SCAN_INT_H
#define PF_SCAN_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv/output.h"
#include "engine/engine.h"
#include "expr/keys.h"
#include "reduce/agg.h"
#include "support/decimal.h"
#include "scan/scan.h"
#include "support/buf.h"
#include "support/number.h"
#include "support/table.h"

enum scan_func {
	SCAN_COUNT, SCAN_RANK, SCAN_SUM, SCAN_MEAN, SCAN_MIN, SCAN_MAX,
	SCAN_FIRST, SCAN_FILL, SCAN_LAG, SCAN_LEAD, SCAN_DELTA, SCAN_RATIO,
	SCAN_MSUM, SCAN_MMEAN, SCAN_MMIN, SCAN_MMAX, SCAN_EWMA, SCAN_SESSION
};

struct scan_step {
	enum scan_func	 func;
	char		*field;		/* as written; NULL: none */
	char		*name;		/* output column */
	long		 index;		/* field's index, -1: none */
	int		 slot;		/* its value slot in a row, -1: none */
	bool		 numeric;	/* skips non-numbers (counted) */
	uint64_t	 n;		/* lag/lead: N; window of N records */
	long		 span_ms;	/* window over a time span: its length */
	long		 gap_ms;	/* session: the gap that starts one */
	double		 alpha;		/* ewma */
	struct pf_agg	 agg;		/* count:F, sum, mean, min, max,
					   first, fill: preduce's state */
	size_t		 offset;	/* of its state in the key's block */
	int		 lead;		/* lead: its index among leads, else -1 */
};

/* The state of delta, ratio, ewma and session in a key's block. */
struct scan_prev {
	char		*text;		/* delta: the last number, as written */
	uint32_t	 len, cap;	/* (in the arena, reused while it fits) */
	struct pf_number num;		/* delta, ratio: the last number */
	double		 e;		/* ewma: the average so far */
	int64_t		 t;		/* session: the last time */
	uint64_t	 session;	/* session: its number */
	bool		 has;		/* a value was seen */
};

/*
 * Parses a STEP operand into *st (strings malloc'd). Returns false with
 * a message in err.
 */
bool pf_scan_step_parse(const char *arg, struct scan_step *st, char *err,
    size_t errlen);
void pf_scan_step_free(struct scan_step *st);
/* Whether the step reads --time (time windows, session). */
bool pf_scan_step_uses_time(const struct scan_step *st);
/* Bytes of the step's state in the key's block. */
size_t pf_scan_step_state_size(const struct scan_step *st);

/* A value a worker read for a slot of a row. */
enum scan_kind { SCAN_EMPTY, SCAN_NUMBER, SCAN_TEXT };

struct scan_value {
	size_t		 off, len;	/* its bytes in the batch's text */
	enum scan_kind	 kind;
	struct pf_number num;		/* when kind is SCAN_NUMBER */
};

/* One record as a worker prepared it. */
struct scan_row {
	size_t		 key_off, key_len;	/* encoded key */
	size_t		 out_off, out_len;	/* the record's output, its
						   fields without the end */
	const char	*raw;			/* when the output is the
						   record as read: its bytes
						   in the batch's input (no
						   copy; out_off unused) */
	uint64_t	 order;
	int64_t		 time_ms;
	bool		 has_time;		/* --time read */
};

/*
 * A new column of a row, made in the batch's turn: cells_text[off..),
 * or a count to write after the turn (is_count: count and rank).
 */
struct scan_cell {
	size_t		 off;
	uint64_t	 count;
	uint32_t	 len;
	bool		 is_number, is_count;
};

/*
 * What a worker made of one batch: rows and values[row * nslots + slot];
 * in its turn (no lead), cells[row * nsteps + step] too.
 */
struct scan_batch {
	struct scan_batch	*next;		/* in the pool of spare ones */
	struct pf_buf		 text;
	struct scan_row		*rows;
	struct scan_value	*values;
	size_t			 nrows, cap;
	struct scan_cell	*cells;
	size_t			 cells_cap;
	struct pf_buf		 cells_text;
};

/* A row's own output: its fields as read, or as the worker wrote them. */
static inline const char *
pf_scan_row_output(const struct scan_batch *b, const struct scan_row *row)
{
	return row->raw != NULL ? row->raw : b->text.data + row->out_off;
}

struct scan_lead;

struct scan {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_scan_args	*args;
	struct scan_step		*steps;
	size_t				 nsteps;
	struct pf_keys			 keys;
	bool				 one_key;	/* no -k */
	long				 time_index;	/* --time, or -1 */
	long				*slot_field;	/* slot -> field */
	size_t				 nslots;
	size_t				 ncols_in;	/* input fields */
	bool				 raw_copy;
	struct pf_output		 out;
	bool				 started;

	/* The in-order stage's state (scan_apply.c). */
	struct pf_arena			 arena;
	struct pf_arena			 scratch;	/* a batch's sums */
	struct pf_groups		 groups;	/* key -> state block */
	size_t				 state_size;
	struct pf_buf			 tmp, neg;
	struct scan_lead		*lead;		/* NULL without lead */
	uint64_t			 nonnum, untimed, unordered;
	/* Batches the writer is done with, for workers to fill again. */
	pthread_mutex_t			 pool_lock;
	struct scan_batch		*pool;
};

/* The in-order stage (scan_apply.c). */
void pf_scan_apply_init(struct scan *s);
/*
 * Applies a batch's rows to their keys' state and writes them to out
 * (with lead, on the writer thread).
 */
void pf_scan_apply(struct scan *s, const struct scan_batch *b,
    const struct pf_batch_info *info, struct pf_buf *out);
/*
 * Without lead, in the batch's turn (pf_tool.in_order): applies its rows
 * to their keys' state, their new columns into b->cells.
 */
void pf_scan_apply_turn(struct scan *s, struct scan_batch *b);
/* ... then, after the turn, writes the rows with those columns to out. */
void pf_scan_write_rows(const struct scan *s, const struct scan_batch *b,
    struct pf_buf *out);
/* After the input: what lead still holds, then the counts' warnings. */
void pf_scan_apply_finish(struct scan *s, struct pf_buf *out);
void pf_scan_apply_free(struct scan *s);

/* Moving windows (scan_window.c), in a step's state: a pointer. */
struct scan_window;
/* Adds the row's value to the key's window and writes the result. */
void pf_scan_window_step(struct scan *s, const struct scan_step *st,
    struct scan_window **w, const struct scan_row *row,
    const struct scan_value *v, const char *text, struct pf_buf *col,
    bool *is_number);
void pf_scan_window_free(struct scan_window *w);

/*
 * Exact arithmetic on numbers as written (scan_window.c): adds the
 * number written in text (parsed in num), negated, to d; a big part
 * goes to arena.
 */
void pf_scan_dec_sub(struct scan *s, struct pf_dec *d, const char *text,
    size_t len, const struct pf_number *num, struct pf_arena *arena);

/*
 * Records held back for lead (scan_lead.c). An entry is one record's
 * output, columns and all, some of them still to come.
 */
struct scan_entry;
struct scan_lead *pf_scan_lead_new(size_t ncols, size_t memory);
/* A new entry at the tail: the record's fields (no end) and columns. */
struct scan_entry *pf_scan_lead_add(struct scan_lead *l, const char *prefix,
    size_t len);
/* Sets column col of e (a copy of s), counting one missing less. */
void pf_scan_lead_set(struct scan_lead *l, struct scan_entry *e, size_t col,
    const char *s, size_t len, bool is_number, bool missing);
/* Counts a column of e that lead fills later. */
void pf_scan_lead_expect(struct scan_entry *e);
/*
 * Writes (and frees) the complete entries at the head, in order. With
 * all, every entry must be complete.
 */
uint64_t pf_scan_lead_flush(struct scan_lead *l, const struct pf_output *o,
    size_t ncols_in, struct pf_buf *out);
/* Bytes the entries held take. */
size_t pf_scan_lead_bytes(const struct scan_lead *l);
void pf_scan_lead_free(struct scan_lead *l);

#endif
