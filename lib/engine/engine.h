/*
 * engine.h - the pipeline every tool runs on:
 *
 *   reader -> [bounded pool of batches] -> N workers -> [reorder] -> writer
 *
 * A tool hands pf_run() a table of callbacks; the engine knows nothing of
 * any one tool. The callbacks run on worker threads (record) or on the
 * main thread (start, finish); emit runs on the writer thread, in input
 * order. See engine.c for the design.
 */
#ifndef PF_ENGINE_H
#define PF_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "support/buf.h"
#include "support/writer.h"
#include "engine/options.h"
#include "csv/reader.h"
#include "csv/record.h"

/* What the in-order stage knows of a batch when it hands it on. */
struct pf_batch_info {
	uint64_t	first_record;	/* 1-based record number in the stream */
	uint64_t	records;	/* records in the batch (malformed too) */
	enum pf_batch_end ended;	/* why the reader ended it (reader.h):
					   pf_batch_at_trigger(ended) when at
					   an every_* point */
	const char	*in;		/* the batch's input bytes (splittable) */
	size_t		 in_len;
	FILE		*bad;		/* the --bad file, or NULL */
	int		 file;		/* the operand it came from */
	uint64_t	 line;		/* LFs in that file before it */
	off_t		 offset;	/* whole_batches: where it starts in a
					   regular file, -1 otherwise (then in
					   holds it) */
	off_t		 length;	/* ... and its length */
	bool		 filtered;	/* whole_batches: records of it went to
					   --bad, and the batch's output holds
					   the others' bytes, to use in place
					   of in or the range */
};

#define PF_RECORD_FAILED	UINT64_MAX

/* The most records pf_tool.records() is handed at once. */
#define PF_VECTOR	256

struct pf_tool {
	void	*ctx;		/* the tool's own state, passed back below */

	/*
	 * Called once the header is known, before any record: checks the
	 * tool's fields against the schema and appends the output header
	 * to out (written at once). Returns 0, or an exit status to stop
	 * with (its message already printed).
	 */
	int	 (*start)(void *ctx, const struct pf_schema *schema,
		    struct pf_buf *out);

	/*
	 * Optional, in place of start() when the input holds no record,
	 * not even a header: checks what the user wrote (expressions,
	 * regex literals, key lists, AGGs...) as start() would, and fails
	 * with the same message and status. The schema has no fields; when
	 * a header was expected it takes any name (any_name, record.h), as
	 * none can be checked. check() only compiles: no output, no file,
	 * no child, no reading (pjoin's TABLE). What it compiles may stay
	 * in ctx, freed as start()'s is. Returns 0, or an exit status.
	 */
	int	 (*check)(void *ctx, const struct pf_schema *schema);

	/*
	 * How many leading fields record() reads; 0 means all. Set by
	 * start(): the splitter only counts the fields past it.
	 */
	size_t	 fields_needed;

	/* Per-worker state (optional). */
	void	*(*worker_new)(void *ctx);
	void	 (*worker_free)(void *worker);

	/*
	 * One well-formed record: append its output, if any, to out and
	 * return the number of records written; or PF_RECORD_FAILED to
	 * stop the run at this record (a value --strict refuses, say):
	 * the engine reports it as it reports malformed input, as
	 * "FILE:LINE (record N): why", why being what record_failure()
	 * then returns.
	 */
	uint64_t (*record)(void *worker, const struct pf_record *rec,
		    struct pf_buf *out);
	const char *(*record_failure)(void *worker);

	/*
	 * Optional, beside record(): a vector of well-formed records,
	 * recs[0..n) in input order (n at most PF_VECTOR), whose fields
	 * hold only during the call, so the tool may work a column at a
	 * time (engine.c, DESIGN). Appends their output to out in order,
	 * as record() would, and returns the number written; or
	 * PF_RECORD_FAILED with *failed the index of the record the run
	 * stops at, as record()'s failure (the records before it done).
	 * A record that comes alone (quoted CSV, JSON Lines) still goes to
	 * record(), which must agree.
	 */
	uint64_t (*records)(void *worker, const struct pf_record *recs,
		    size_t n, struct pf_buf *out, size_t *failed);

	/*
	 * Optional: takes a batch's output, in input order, instead of the
	 * engine writing it to stdout. Returns 0, or -1 with errno set.
	 */
	int	 (*emit)(void *ctx, const struct pf_buf *out);

	/*
	 * Optional: after all input, with every worker's state, appends
	 * the final output to out (aggregating tools).
	 */
	void	 (*finish)(void *ctx, void **workers, int nworkers,
		    struct pf_buf *out);

	/*
	 * Optional, for results that must be combined in input order
	 * (preduce's snapshots and windows). batch_end runs on a worker
	 * after a batch's last record and returns the worker's result for
	 * that batch (it owns it; NULL for none). batch_result runs on the
	 * writer thread, strictly in input order, once per batch, with that
	 * result (NULL for a batch no worker saw, such as an empty one),
	 * and may append output, which is written at once. When the run
	 * is stopping (an error, a closed stdout), out is NULL: the result
	 * is only to be freed.
	 */
	void	*(*batch_end)(void *worker);
	void	 (*batch_result)(void *ctx, void *result,
		    const struct pf_batch_info *info, struct pf_buf *out);
	/*
	 * Optional, with batch_end, set by start(): turns in input order
	 * on the workers (engine.c, DESIGN). in_order runs on the worker
	 * that made a batch's result, right after batch_end, strictly in
	 * input order across workers (each waits for the batch before it);
	 * after_order then runs on the same worker, in parallel with the
	 * next batch's turn, and may append to out, the batch's own output
	 * (written as record()'s would be, a failed batch's too). Neither
	 * is called for a NULL result or when the run is stopping. The
	 * result then goes to batch_result, in order, to be freed; unless
	 * after_order returns true: it has released the result itself
	 * (for reuse by the next batch), and batch_result gets NULL.
	 */
	void	 (*in_order)(void *worker, void *result);
	bool	 (*after_order)(void *worker, void *result, struct pf_buf *out);
	/*
	 * Set by batch_result to stop the run with this status, its
	 * message printed (pscan's lead past --memory): what it appended
	 * is written, nothing after it.
	 */
	int	 stop_status;
	/*
	 * Whether batch_result also takes the result of a batch that a
	 * failed or malformed record stopped (what the records before it
	 * made), so that they are written as record()'s output would be.
	 */
	bool	 result_until_failure;

	/*
	 * Triggers: when nonzero, the reader ends a batch after every
	 * every_records records, and every every_ms milliseconds of wall
	 * time (then also with no input: the batch is empty), and marks it
	 * in pf_batch_info.ended (PF_BATCH_COUNT, PF_BATCH_TIME).
	 */
	uint64_t every_records;
	long	 every_ms;

	/*
	 * Set by start() when the tool reads pf_record.nr (an expression
	 * calls nr()): each batch's records are then counted before they
	 * are processed. Costs nothing otherwise.
	 */
	bool	 record_numbers;

	/*
	 * Records written by finish() and batch_result() (they count them
	 * here), for --stats' "records out".
	 */
	uint64_t written;

	/*
	 * Other files the tool reads itself (pjoin's TABLE; "-" is stdin):
	 * every output (stdout, --bad) is refused when it is one of them,
	 * as when it is one of the input files.
	 */
	char *const *other_inputs;
	int	 nother_inputs;

	/*
	 * Malformed records the tool read itself (pjoin's TABLE, read by
	 * start()), raw and each followed by LF, and their number: with
	 * --bad, written to its file before the stream's and counted with
	 * them.
	 */
	const struct pf_buf *bad;
	uint64_t nbad;

	/*
	 * Whole batches (pmap --pipe): a batch of a regular file is only
	 * its byte range (offset and length in pf_batch_info; reader.h's
	 * ranges). Records are counted and checked (a malformed one stops
	 * the run or goes to --bad, see pf_batch_info.filtered) but not
	 * handed to record().
	 */
	bool	 whole_batches;
};

/*
 * Runs tool over the input files (none means stdin) with the common
 * options. Returns the exit status: 0, 1 after a data or I/O error (the
 * message printed), or the status start() asked for.
 */
int pf_run(const struct pf_options *opt, char **files, int nfiles,
    struct pf_tool *tool);

/*
 * Driven mode, for a tool whose in-order stage is its own event loop
 * (pmap's commands): the engine reads on a thread of its own and its
 * workers run record() as for pf_run(), but no writer thread is started:
 * the tool's loop, on the calling thread, takes the batches in input
 * order with pf_engine_next(), when it has room for them, and polls
 * pf_engine_fd() to learn when the next one is ready. See engine.c.
 */
struct pf_engine;
struct pf_reader;

/* A driven run over the input files; nothing is read yet. */
struct pf_engine *pf_engine_new(const struct pf_options *opt, char **files,
    int nfiles, struct pf_tool *tool);

/* The reader: the header, operand names (for messages), file ids. */
const struct pf_reader *pf_engine_reader(const struct pf_engine *e);

/*
 * Reads the header, calls start() (check() for empty input), opens --bad
 * and starts the threads.
 * Returns 0, or an exit status to stop with (the message printed); then
 * only pf_engine_close() may follow.
 */
int pf_engine_start(struct pf_engine *e);

/*
 * A descriptor that polls readable whenever pf_engine_next() has more to
 * say (a batch, or the end), until it is called; sometimes also when it
 * has not. A loop may poll it with no timeout, and need not call
 * pf_engine_next() until it returns 0 before it polls.
 */
int pf_engine_fd(const struct pf_engine *e);

/*
 * Without blocking: the next batch in input order, *out being what the
 * workers' record() calls appended. The batch's --bad records, counts
 * and any error (reported, the run stopping) are the engine's. Returns
 * 1 (valid until the next call), 0 when it is not ready yet, -1 when
 * there is no more (the end of the input, an error, or a stop).
 */
int pf_engine_next(struct pf_engine *e, struct pf_batch_info *info,
    const struct pf_buf **out);

/* Whether pf_engine_next() would return a batch now. */
bool pf_engine_ready(struct pf_engine *e);

/* Stops reading: no batch is handed on after this. */
void pf_engine_stop(struct pf_engine *e);

/*
 * Ends the run: the threads, --bad's count, --stats (records out being
 * tool->written), and frees e. Returns the engine's status (0, or 1
 * after a data or I/O error). A reader blocked in read(2) on a pipe or
 * terminal after a stop cannot be joined: then *abandoned is set, e is
 * not freed, and the caller must end the process (exit) soon.
 */
int pf_engine_close(struct pf_engine *e, bool *abandoned);

/* pf_write_all(), writing all of a buffer: support/writer.h. */

#endif
