/*
 * engine_int.h - private to the engine: its batches, workers and shared
 * state, and the thread bodies each file owns:
 *
 *   engine.c         set-up, the reader loop, shut-down
 *   engine_worker.c  a worker: splits a batch's records, runs the tool
 *   engine_writer.c  the in-order stage: batches in order, output, --bad,
 *                    progress (the writer thread, or a driven tool's loop)
 *   engine_driven.c  driven mode: the reader on a thread, the in-order
 *                    stage handed to the tool's event loop
 */
#ifndef PF_ENGINE_INT_H
#define PF_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "csv/reader.h"
#include "engine/engine.h"
#include "expr/notes.h"
#include "support/outfile.h"
#include "support/timeutil.h"

struct batch {
	uint64_t	 seq;
	int		 file;		/* operand the records came from */
	struct pf_buf	 in;		/* records, plus a '\n' sentinel */
	struct pf_buf	 out;		/* the tool's output */
	struct pf_buf	 bad;		/* malformed records, for --bad */
	uint64_t	 records;	/* records split (malformed included) */
	uint64_t	 lines;		/* LFs consumed */
	uint64_t	 written;	/* records output */
	uint64_t	 nr_base;	/* records before it (record_numbers) */
	uint64_t	 nbad;
	enum pf_batch_end ended;	/* why the reader ended it */
	bool		 filtered;	/* whole: records went to --bad, out
					   holds the others' bytes */
	off_t		 offset;	/* where it starts in its file; -1: not
					   a regular file (reader.h batch_offset) */
	off_t		 length;	/* ... and its length */
	void		*result;	/* the tool's batch_end() result */
	const char	*failure;	/* why the batch stopped early, or NULL */
	char		*failure_text;	/* failure, when the tool gave it */
	uint64_t	 fail_record;	/* 1-based record index in the batch */
	uint64_t	 fail_line;	/* LFs before the failed record */
	struct pf_notes	 notes;		/* what its expressions could not
					   compute (notes.h) */
	struct batch	*next;
};

struct worker {
	struct engine	*engine;
	pthread_t	 thread;
	void		*state;		/* the tool's per-worker state */
	struct pf_splitter splitter;
	struct pf_buf	 range;		/* a whole batch's file range, read */
	int		 range_file;	/* ... from this operand, -1: none */
	int		 range_fd;	/* ... opened again, or -1 */
	struct pf_notes	 notes;		/* bound to the thread: this batch's */
	struct pf_record *vec;		/* the vector being gathered */
	size_t		 nvec;		/* ... its records */
	double		 busy, waiting;
};

/* Batches of compressed input, without --chunk: this many chunks. */
#define PF_DECODED_CHUNKS	4

struct engine {
	const struct pf_options	*opt;
	struct pf_tool		*tool;
	struct pf_reader	*reader;
	const struct pf_schema	*schema;
	struct pf_outfile	 bad;		/* --bad */
	struct pf_reader	 reader_own;	/* what reader, schema point to */
	struct pf_schema	 schema_own;
	struct pf_inputs	 inputs;	/* for "an output is an input" */
	struct pf_buf		 header;	/* start()'s output */
	bool			 no_input;	/* the input holds no record */

	pthread_mutex_t	 lock;
	pthread_cond_t	 free_cv;	/* a batch came back to the pool */
	pthread_cond_t	 work_cv;	/* work queued, or input done */
	pthread_cond_t	 done_cv;	/* a batch finished, or input done */
	pthread_cond_t	 nr_cv;		/* record numbers: a base is known */
	pthread_cond_t	 turn_cv;	/* in_order: a batch had its turn */
	struct batch	*batches;	/* the pool's storage */
	int		 pool;
	struct batch	*free_list;
	struct batch	*work_head, *work_tail;
	struct batch	**done;		/* finished batches by seq % pool */
	uint64_t	 nbatches;	/* sequence numbers handed out */
	bool		 input_done;
	atomic_bool	 stopping;

	/* Record numbers, by seq % pool: counts summed in seq order. */
	uint64_t	*nr_count, *nr_base;
	bool		*nr_counted;
	uint64_t	 nr_next;	/* the first seq with no base yet */
	uint64_t	 nr_total;	/* records before nr_next */
	uint64_t	 turn_next;	/* in_order: the seq whose turn it is */
	atomic_uint_fast64_t bytes_read;

	/* Owned by the writer thread until it is joined. */
	pthread_t	 writer;
	uint64_t	 next_write;
	int		 cur_file;
	uint64_t	 line, record;	/* position in cur_file */
	uint64_t	 stream_records; /* records before the current batch */
	uint64_t	 batch_first;	/* its first record's number */
	uint64_t	 batch_line;	/* LFs in its file before it */
	struct pf_buf	 result_out;	/* batch_result()'s output */
	uint64_t	 records_in, records_out, nbad;
	struct pf_notes	 notes;		/* all batches', merged in order */
	int		 status;
	bool		 broken_pipe;
	double		 write_busy, write_waiting;
	double		 last_progress;
	bool		 show_progress;

	double		 read_busy, read_waiting, started;
	struct worker	*workers;
	void		**states;

	/* Driven mode (engine_driven.c). */
	bool		 driven;
	int		 notify[2];	/* readable: a batch is done, or the end */
	pthread_t	 reader_thread;
	bool		 reader_started;
	int		 read_status;	/* read_input()'s, once it returned */
	struct batch	*current;	/* handed to the tool, not yet back */
};

/* Seconds on the monotonic clock, for --stats and --progress. */
static inline double
now(void)
{
	return pf_monotonic_ms() / 1e3;
}

/* Thread bodies (arg: the struct worker, or the struct engine). */
void *worker_main(void *arg);
void *writer_main(void *arg);

/* Set-up and shut-down (engine.c), shared by pf_run() and driven mode. */
int engine_open(struct engine *e, const struct pf_options *opt, char **files,
    int nfiles, struct pf_tool *tool);
void engine_close(struct engine *e);
void engine_close_bad(struct engine *e);
void pipeline_start(struct engine *e);
int read_input(struct engine *e);
void pipeline_end(struct engine *e, int read_status);
/* Driven mode: tells the tool's loop to look (a byte on notify). */
void notify_driver(struct engine *e);

/* The in-order stage's work on one batch, and its return to the pool. */
void write_batch(struct engine *e, struct batch *b);
void release_batch(struct engine *e, struct batch *b);
void hand_on_result(struct engine *e, struct batch *b);
void batch_info(const struct engine *e, const struct batch *b,
    struct pf_batch_info *info);

/* Writer helpers the set-up uses too (engine_writer.c). */
void show_progress(struct engine *e, bool final);
/* Writes out (or hands it to the tool's emit); false when the run stops. */
bool emit_output(struct engine *e, const struct pf_buf *out);
/* After a write to --bad: false, the run told to stop, when it failed. */
bool bad_file_ok(struct engine *e);

#endif
