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

#include "support/buf.h"
#include "engine/options.h"
#include "csv/record.h"

/* What the writer knows of a batch when it hands on its result. */
struct pf_batch_info {
	uint64_t	first_record;	/* 1-based record number in the stream */
	uint64_t	records;	/* records in the batch (malformed too) */
	bool		trigger;	/* the batch ends at an every_* point */
	const char	*in;		/* the batch's input bytes (splittable) */
	size_t		 in_len;
	FILE		*bad;		/* the --bad file, or NULL */
};

#define PF_RECORD_FAILED	UINT64_MAX

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
	 * Triggers: when nonzero, the reader ends a batch after every
	 * every_records records, and every every_ms milliseconds of wall
	 * time (then also with no input: the batch is empty), and marks it
	 * in pf_batch_info.trigger.
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
	 * Malformed records the tool read itself (pjoin's TABLE, read by
	 * start()), raw and each followed by LF, and their number: with
	 * --bad, written to its file before the stream's and counted with
	 * them.
	 */
	const struct pf_buf *bad;
	uint64_t nbad;
};

/*
 * Runs tool over the input files (none means stdin) with the common
 * options. Returns the exit status: 0, 1 after a data or I/O error (the
 * message printed), or the status start() asked for.
 */
int pf_run(const struct pf_options *opt, char **files, int nfiles,
    struct pf_tool *tool);

/* Writes all of buf to fd. Returns 0, or -1 with errno set. */
int pf_write_all(int fd, const char *buf, size_t len);

#endif
