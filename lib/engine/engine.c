/*
 * engine.c - the reader, worker and writer threads every tool runs on:
 * set-up, the reader loop and shut-down here; the workers in
 * engine_worker.c, the writer in engine_writer.c, driven mode in
 * engine_driven.c.
 *
 * DESIGN
 *
 * The main thread reads. It takes a free batch from a fixed pool (the
 * pool holds --queue batches), fills it with complete records (reader.c),
 * stamps it with the next sequence number and puts it on the work queue.
 * When the pool is empty the reader waits: that wait is the demand
 * signal. It stops the reading of stdin, so a slow consumer at the end
 * of the pipeline slows the producer at its start, and memory stays at
 * pool x batch size whatever the input size.
 *
 * Workers take the oldest batch, split its records, check each against
 * the header, and call the tool's record() callback, which appends
 * output to the batch's own output buffer (or folds the record into the
 * worker's state, for aggregating tools). Malformed records go to the
 * batch's --bad buffer, or stop the batch with an error.
 *
 * The writer thread emits batches strictly by sequence number, so output
 * is in input order for every -j; since only --queue batches exist, the
 * reorder window is bounded too. It writes each batch with one write(2),
 * reports errors with absolute file, line and record numbers (it is the
 * one thread that sees batches in order, so it keeps the counts), and
 * returns the batch to the pool. A broken pipe or an error sets
 * `stopping`: the reader stops, the rest is drained without output.
 *
 * Keyed state in input order (pscan: running sums, lag, lead, windows
 * per key). Partitioning keys over workers (a PartitionDispatcher)
 * would need each worker to see its keys' records in order, and a
 * reorder of the output by record afterwards; instead the work is cut
 * where the state begins. Workers do the stateless part of each
 * record, batch by batch, in parallel: split it, encode its key, read
 * the values the steps need as numbers and times, write the record's
 * own fields; that is the batch's result (batch_end). The writer hands
 * the results on in sequence order (batch_result), and there the tool
 * applies each row to its key's state in one hash table and appends
 * the new columns: a lookup and a few additions per record, in input
 * order, so the output is the same for every -j and --chunk. When
 * batch_result must stop the run, it sets the tool's stop_status; with
 * result_until_failure, a batch that stopped at a failed record still
 * has its result handed on, so what came before the failure is written.
 * That in-order stage is one thread's work for all the records, so it
 * bounds the speed-up of -j. A tool whose state needs only its own
 * batch's rows in order (pscan without lead) takes turns instead
 * (pf_tool.in_order): the worker that made a batch's result waits until
 * the batch before it has had its turn, applies its rows to the shared
 * state, passes the turn on, and then, in parallel with the next turn,
 * writes its rows and their new columns into the batch's own output.
 * Only the lookups and updates run one batch at a time; each batch's
 * writing runs on its own worker. Batches reach workers in sequence
 * order and every batch takes its turn (with no call when the run is
 * stopping), so the batch whose turn it is is always at work or about
 * to take it: no deadlock, as for record numbers.
 *
 * Vectors: a worker gathers up to PF_VECTOR well-formed records and
 * hands them on at once, to the tool's record() one by one, or, when
 * it has one, to its records() (pfilter), so that it can work a column
 * at a time with selection vectors, as MonetDB/X100 and DuckDB do
 * (pfilter's EXPR in expr_vector.c: a comparison of a field with a
 * constant runs as one loop over the vector, && and || narrow and merge
 * selections, and no per-record call, reset or dispatch remains); a
 * record that comes alone (the splitter's slow path) goes to record()
 * at once. The records of the splitter's runs (split_run.h)
 * go into the vector straight (take_vectors); their fields stay put
 * until the next run, so a vector is handed on when it is full, before
 * a record that needs the splitter's slow path (whose field array each
 * record reuses), and before a malformed record is set aside or stops
 * the batch, so output, --bad and errors keep input order. A record
 * the tool fails on stops the batch there, as record()'s failure does.
 * The evaluation must give what one record at a time gives, notes and
 * failures too: a vector that would note a value or fail is given up,
 * with nothing noted, and evaluated a record at a time.
 *
 * Shutdown: the reader marks the input done; workers leave when the work
 * queue is empty; the writer leaves after the last sequence number. All
 * batches are back in the pool at the end (checked).
 *
 * Driven mode (engine_driven.c) is for a tool whose in-order stage is an
 * event loop of its own: pmap's command mode, which must serve its
 * children's pipes while it waits for input. The reader then runs on a
 * thread the engine starts, the workers as above, and there is no writer
 * thread: the tool's loop, on the main thread, is the in-order stage. It
 * calls pf_engine_next(), which never blocks: it takes the next batch in
 * sequence if a worker has finished it, does the writer's work on it
 * (--bad, counts, the error of a malformed record, --progress) and hands
 * the tool what record() made of its records. Workers (and the reader,
 * at the end) write a byte to a non-blocking notification pipe when they
 * finish a batch; the loop polls its read end (pf_engine_fd()) only when
 * it has room for more work, and pf_engine_next() drains the pipe before
 * it looks, so a batch finished after the look always wakes the loop.
 * As it hands on one batch only, it puts a byte back when what follows
 * was there already (the next batch, or the end): the pipe stays
 * readable while there is more, however long the loop waits to ask.
 * Back-pressure is the same as for every tool: a batch handed out is
 * back in the pool only when the tool asks for the next one, so a loop
 * with no room leaves the pool empty and the reader waits.
 *
 * Whole batches (pf_tool.whole_batches, pmap --pipe): workers split and
 * check the records as for every tool (a regular file's batch, which the
 * reader hands out as a byte range (reader.h) for the tool to splice to
 * its commands, is read in for that) but do not call record(); records
 * set aside for --bad leave the others' bytes in the batch's output.
 *
 * Stopping a driven run (a signal, --halt, a closed stdout) may find the
 * reader blocked in read(2) on a pipe or terminal that says nothing.
 * pf_engine_close() waits ABANDON_AFTER_MS for it, then leaves it: the
 * workers are joined, --bad and --stats are done, and the caller exits
 * the process without freeing what the reader still uses.
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "engine/stdout.h"
#include "support/compat.h"
#include "support/outfile.h"
#include "support/status.h"
#include "support/xalloc.h"

/*
 * The reader loop: on the main thread, or in driven mode on the reader
 * thread. Returns 0, or -1 on input error.
 */
int
read_input(struct engine *e)
{
	struct batch *b;
	int got;
	double t0, t1;

	for (;;) {
		t0 = now();
		pthread_mutex_lock(&e->lock);
		while (e->free_list == NULL && !atomic_load(&e->stopping))
			pthread_cond_wait(&e->free_cv, &e->lock);
		b = e->free_list;
		if (atomic_load(&e->stopping))
			b = NULL;
		else
			e->free_list = b->next;
		pthread_mutex_unlock(&e->lock);
		if (b == NULL)
			return 0;
		t1 = now();
		e->read_waiting += t1 - t0;
		got = pf_reader_fill(e->reader, &b->in, &b->file);
		b->ended = e->reader->ended;
		b->offset = e->reader->batch_offset;
		b->length = e->reader->batch_len;
		e->read_busy += now() - t1;
		atomic_store(&e->bytes_read, e->reader->bytes);

		pthread_mutex_lock(&e->lock);
		if (got <= 0) {
			b->next = e->free_list;
			e->free_list = b;
		} else {
			b->seq = e->nbatches++;
			b->next = NULL;
			if (e->work_tail != NULL)
				e->work_tail->next = b;
			else
				e->work_head = b;
			e->work_tail = b;
			pthread_cond_signal(&e->work_cv);
		}
		pthread_mutex_unlock(&e->lock);
		if (got <= 0)
			return got;
	}
}

static void
print_stats(struct engine *e, struct worker *workers, int n)
{
	double busy = 0, waiting = 0, elapsed = now() - e->started;
	int i;

	for (i = 0; i < n; i++) {
		busy += workers[i].busy;
		waiting += workers[i].waiting;
	}
	fprintf(stderr, "%s: %llu records in, %llu records out, %llu bad, "
	    "%llu bytes, %.3fs elapsed\n", program_invocation_short_name,
	    (unsigned long long)e->records_in,
	    (unsigned long long)(e->records_out + e->tool->written),
	    (unsigned long long)e->nbad,
	    (unsigned long long)atomic_load(&e->bytes_read), elapsed);
	fprintf(stderr, "%s: reader %.3fs busy, %.3fs waiting for a free "
	    "batch; workers (%d) %.3fs busy, %.3fs idle; ",
	    program_invocation_short_name, e->read_busy, e->read_waiting, n,
	    busy, waiting);
	if (e->driven)	/* the tool's loop waits for more than batches */
		fprintf(stderr, "in-order stage %.3fs busy\n", e->write_busy);
	else
		fprintf(stderr, "writer %.3fs busy, %.3fs waiting\n",
		    e->write_busy, e->write_waiting);
}

/* Makes the pool and starts the workers (and, unless driven, the writer). */
void
pipeline_start(struct engine *e)
{
	const struct pf_options *opt = e->opt;
	int i;

	e->pool = opt->queue;
	e->batches = pf_xcalloc((size_t)e->pool, sizeof(*e->batches));
	e->done = pf_xcalloc((size_t)e->pool, sizeof(*e->done));
	e->nr_count = pf_xcalloc((size_t)e->pool, sizeof(*e->nr_count));
	e->nr_base = pf_xcalloc((size_t)e->pool, sizeof(*e->nr_base));
	e->nr_counted = pf_xcalloc((size_t)e->pool, sizeof(*e->nr_counted));
	for (i = 0; i < e->pool; i++) {
		e->batches[i].offset = -1;
		e->batches[i].next = e->free_list;
		e->free_list = &e->batches[i];
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->free_cv, NULL);
	pthread_cond_init(&e->work_cv, NULL);
	pthread_cond_init(&e->done_cv, NULL);
	pthread_cond_init(&e->nr_cv, NULL);
	pthread_cond_init(&e->turn_cv, NULL);
	e->cur_file = -1;

	e->workers = pf_xcalloc((size_t)opt->jobs, sizeof(*e->workers));
	e->states = pf_xcalloc((size_t)opt->jobs, sizeof(*e->states));
	for (i = 0; i < opt->jobs; i++) {
		e->workers[i].engine = e;
		e->workers[i].notes.strict = opt->strict;
		e->workers[i].splitter.want = e->tool->fields_needed;
		e->workers[i].range_file = e->workers[i].range_fd = -1;
		if (e->tool->worker_new != NULL)
			e->workers[i].state = e->tool->worker_new(e->tool->ctx);
		e->workers[i].vec = pf_xcalloc(PF_VECTOR,
		    sizeof(*e->workers[i].vec));
		e->states[i] = e->workers[i].state;
		if (pthread_create(&e->workers[i].thread, NULL, worker_main,
		    &e->workers[i]) != 0)
			errx(1, "cannot start worker thread");
	}
	if (!e->driven &&
	    pthread_create(&e->writer, NULL, writer_main, e) != 0)
		errx(1, "cannot start writer thread");
}

/* Marks the input done and joins the workers (and the writer). */
static void
join_threads(struct engine *e)
{
	int i;

	pthread_mutex_lock(&e->lock);
	e->input_done = true;
	pthread_cond_broadcast(&e->work_cv);
	pthread_cond_broadcast(&e->done_cv);
	pthread_mutex_unlock(&e->lock);
	for (i = 0; i < e->opt->jobs; i++)
		pthread_join(e->workers[i].thread, NULL);
	if (!e->driven)
		pthread_join(e->writer, NULL);
}

/*
 * After the input: joins the threads, runs finish(), prints --stats,
 * frees the pool (every batch must be back in it).
 */
void
pipeline_end(struct engine *e, int read_status)
{
	const struct pf_options *opt = e->opt;
	struct pf_buf out = { 0 };
	int i, nfree;
	struct batch *b;

	join_threads(e);
	if (e->driven) {
		/* Batches done but not taken: only to be freed. */
		atomic_store(&e->stopping, true);
		for (; e->next_write < e->nbatches; e->next_write++) {
			b = e->done[e->next_write % (uint64_t)e->pool];
			e->done[e->next_write % (uint64_t)e->pool] = NULL;
			if (b->result != NULL)
				hand_on_result(e, b);
			release_batch(e, b);
		}
	}
	show_progress(e, true);

	if (read_status < 0 && !e->broken_pipe && e->status == 0) {
		warnx("%s", e->reader->error);
		e->status = PF_FAILED;
	}
	if (e->status == 0 && !e->broken_pipe && e->tool->finish != NULL) {
		e->tool->finish(e->tool->ctx, e->states, opt->jobs, &out);
		emit_output(e, &out);
	}
	if (!e->broken_pipe)
		pf_notes_report(&e->notes, e->reader);
	pf_notes_free(&e->notes);
	if (opt->stats)
		print_stats(e, e->workers, opt->jobs);

	for (i = 0; i < opt->jobs; i++) {
		if (e->tool->worker_free != NULL)
			e->tool->worker_free(e->workers[i].state);
		pf_splitter_free(&e->workers[i].splitter);
		pf_buf_free(&e->workers[i].range);
		free(e->workers[i].vec);
		if (e->workers[i].range_fd > STDIN_FILENO)
			close(e->workers[i].range_fd);
		pf_notes_free(&e->workers[i].notes);
	}
	for (nfree = 0, b = e->free_list; b != NULL; b = b->next, nfree++) {
		pf_buf_free(&b->in);
		pf_buf_free(&b->out);
		pf_buf_free(&b->bad);
		pf_notes_free(&b->notes);
	}
	if (nfree != e->pool)
		errx(1, "internal error: %d of %d batches lost", e->pool - nfree,
		    e->pool);
	pf_buf_free(&out);
	pf_buf_free(&e->result_out);
	free(e->workers);
	free(e->states);
	free(e->batches);
	free(e->done);
	free(e->nr_count);
	free(e->nr_base);
	free(e->nr_counted);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->free_cv);
	pthread_cond_destroy(&e->work_cv);
	pthread_cond_destroy(&e->done_cv);
	pthread_cond_destroy(&e->nr_cv);
	pthread_cond_destroy(&e->turn_cv);
}

/* The thread that decodes a compressed input (the reader asks for it). */
static int
start_inflow_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	return pthread_create(thread, NULL, fn, arg);
}

/*
 * Before the pipeline: checks that no output is an input, reads the
 * header, calls start() and writes its header, opens --bad. Returns 0
 * (e->no_input set when there is no record: only check() was called,
 * nothing more to do), or the status to stop with.
 */
int
engine_open(struct engine *e, const struct pf_options *opt, char **files,
    int nfiles, struct pf_tool *tool)
{
	int got, status;

	signal(SIGPIPE, SIG_IGN);
	e->opt = opt;
	e->tool = tool;
	e->reader = &e->reader_own;
	e->schema = &e->schema_own;
	e->started = now();
	e->show_progress = opt->progress == PF_PROGRESS_ALWAYS ||
	    (opt->progress == PF_PROGRESS_AUTO && isatty(STDERR_FILENO));
	pf_reader_init(&e->reader_own, &opt->in, files, nfiles, opt->chunk,
	    opt->flush_ms);
	/*
	 * Decoded input comes in larger batches by default: each hand-off
	 * between the decoder, the reader and the workers wakes a thread,
	 * and fewer of them keep the decoder, the critical path, busy
	 * (flights-30m.csv.zst, pfilter 'delay > 60', 2 cores: 1.60 s with
	 * 1 MiB batches, 1.31 s with 4 MiB; zstd -dc alone 1.18 s).
	 */
	if (!opt->chunk_set)
		e->reader_own.chunk_decoded = PF_DECODED_CHUNKS * opt->chunk;
	e->reader_own.every_records = tool->every_records;
	e->reader_own.every_ms = tool->every_ms;
	e->reader_own.ranges = tool->whole_batches;
	e->reader_own.start_thread = start_inflow_thread;
	e->reader_own.names = opt->names;
	e->reader_own.unite = opt->unite;

	/* An output that is also an input: refuse before reading it. */
	pf_inputs_add(&e->inputs, files, nfiles);
	if (tool->nother_inputs > 0)
		pf_inputs_add(&e->inputs, tool->other_inputs,
		    tool->nother_inputs);
	status = pf_inputs_check_path(&e->inputs, opt->bad_path);
	if (status == 0)
		status = pf_inputs_check_fd(&e->inputs, STDOUT_FILENO);
	if (status != 0)
		return status;
	got = pf_reader_start(&e->reader_own, &e->schema_own);
	e->schema_own.one_field = opt->in.format == PF_LINES &&
	    opt->in.delim == 0;
	if (got < 0) {
		warnx("%s", e->reader_own.error);
		return 1;
	}
	if (got == 0) {
		/*
		 * No record at all: nothing to write, but the syntax to check.
		 * Names only when no header was expected (-H, --lines): then
		 * there are none, with input or without.
		 */
		e->no_input = true;
		e->schema_own.any_name = opt->in.header ||
		    opt->in.format == PF_JSONL;
		return tool->check != NULL ?
		    tool->check(tool->ctx, e->schema) : 0;
	}
	pf_stdout_start(opt->out_format);
	if ((status = tool->start(tool->ctx, e->schema, &e->header)) != 0)
		return status;
	if (!emit_output(e, &e->header))
		return e->status;
	if (opt->bad_path != NULL &&
	    (status = pf_outfile_open(&e->bad, opt->bad_path, false,
	    &e->inputs)) != 0)
		return status;
	if (e->bad.f != NULL && tool->nbad > 0) {
		fwrite(tool->bad->data, 1, tool->bad->len, e->bad.f);
		e->nbad = tool->nbad;
	}
	return bad_file_ok(e) ? 0 : e->status;
}

/* Closes --bad, its count said (a failure sets the status). */
void
engine_close_bad(struct engine *e)
{
	if (e->bad.f == NULL)
		return;
	if (pf_outfile_close(&e->bad) != 0)
		e->status = PF_FAILED;
	else if (e->nbad > 0)
		warnx("%llu malformed record%s written to %s",
		    (unsigned long long)e->nbad, e->nbad == 1 ? "" : "s",
		    e->opt->bad_path);
}

/* Closes --bad and frees what engine_open() made. */
void
engine_close(struct engine *e)
{
	engine_close_bad(e);
	pf_inputs_free(&e->inputs);
	pf_buf_free(&e->header);
	pf_schema_free(&e->schema_own);
	pf_reader_free(&e->reader_own);
}

int
pf_run(const struct pf_options *opt, char **files, int nfiles,
    struct pf_tool *tool)
{
	struct engine e = { 0 };
	int status;

	status = engine_open(&e, opt, files, nfiles, tool);
	if (status == 0 && !e.no_input) {
		pipeline_start(&e);
		pipeline_end(&e, read_input(&e));
		status = e.status;
	}
	/* What a view still holds; after a failure too, as CSV would be. */
	if (!e.broken_pipe && pf_stdout_finish() != 0 && errno != EPIPE) {
		warn("write error");
		e.status = PF_FAILED;
	}
	engine_close(&e);
	return e.status != 0 ? e.status : status;
}
