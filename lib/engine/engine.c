/*
 * engine.c - the reader, worker and writer threads every tool runs on:
 * set-up, the reader loop and shut-down here; the workers in
 * engine_worker.c, the writer in engine_writer.c.
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
 * Shutdown: the reader marks the input done; workers leave when the work
 * queue is empty; the writer leaves after the last sequence number. All
 * batches are back in the pool at the end (checked).
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
#include "support/outfile.h"
#include "support/status.h"
#include "support/xalloc.h"
int
pf_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The reader loop, on the main thread. Returns 0, or -1 on input error. */
static int
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
		b->trigger = e->reader->trigger;
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
	    (unsigned long long)e->reader->bytes, elapsed);
	fprintf(stderr, "%s: reader %.3fs busy, %.3fs waiting for a free "
	    "batch; workers (%d) %.3fs busy, %.3fs idle; writer %.3fs busy, "
	    "%.3fs waiting\n", program_invocation_short_name, e->read_busy,
	    e->read_waiting, n, busy, waiting, e->write_busy,
	    e->write_waiting);
}

static int
run_pipeline(struct engine *e)
{
	const struct pf_options *opt = e->opt;
	struct worker *workers;
	void **states;
	struct pf_buf out = { 0 };
	int i, read_status, nfree;
	struct batch *b;

	e->pool = opt->queue;
	e->batches = pf_xcalloc((size_t)e->pool, sizeof(*e->batches));
	e->done = pf_xcalloc((size_t)e->pool, sizeof(*e->done));
	e->nr_count = pf_xcalloc((size_t)e->pool, sizeof(*e->nr_count));
	e->nr_base = pf_xcalloc((size_t)e->pool, sizeof(*e->nr_base));
	e->nr_counted = pf_xcalloc((size_t)e->pool, sizeof(*e->nr_counted));
	for (i = 0; i < e->pool; i++) {
		e->batches[i].next = e->free_list;
		e->free_list = &e->batches[i];
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->free_cv, NULL);
	pthread_cond_init(&e->work_cv, NULL);
	pthread_cond_init(&e->done_cv, NULL);
	pthread_cond_init(&e->nr_cv, NULL);
	e->cur_file = -1;

	workers = pf_xcalloc((size_t)opt->jobs, sizeof(*workers));
	states = pf_xcalloc((size_t)opt->jobs, sizeof(*states));
	for (i = 0; i < opt->jobs; i++) {
		workers[i].engine = e;
		workers[i].splitter.want = e->tool->fields_needed;
		if (e->tool->worker_new != NULL)
			workers[i].state = e->tool->worker_new(e->tool->ctx);
		states[i] = workers[i].state;
		if (pthread_create(&workers[i].thread, NULL, worker_main,
		    &workers[i]) != 0)
			errx(1, "cannot start worker thread");
	}
	if (pthread_create(&e->writer, NULL, writer_main, e) != 0)
		errx(1, "cannot start writer thread");

	read_status = read_input(e);

	pthread_mutex_lock(&e->lock);
	e->input_done = true;
	pthread_cond_broadcast(&e->work_cv);
	pthread_cond_broadcast(&e->done_cv);
	pthread_mutex_unlock(&e->lock);
	for (i = 0; i < opt->jobs; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_join(e->writer, NULL);
	show_progress(e, true);

	if (read_status < 0 && !e->broken_pipe && e->status == 0) {
		warnx("%s", e->reader->error);
		e->status = PF_FAILED;
	}
	if (e->status == 0 && !e->broken_pipe && e->tool->finish != NULL) {
		e->tool->finish(e->tool->ctx, states, opt->jobs, &out);
		emit_output(e, &out);
	}
	if (opt->stats)
		print_stats(e, workers, opt->jobs);

	for (i = 0; i < opt->jobs; i++) {
		if (e->tool->worker_free != NULL)
			e->tool->worker_free(workers[i].state);
		pf_splitter_free(&workers[i].splitter);
	}
	for (nfree = 0, b = e->free_list; b != NULL; b = b->next, nfree++) {
		pf_buf_free(&b->in);
		pf_buf_free(&b->out);
		pf_buf_free(&b->bad);
	}
	if (nfree != e->pool)
		errx(1, "internal error: %d of %d batches lost", e->pool - nfree,
		    e->pool);
	pf_buf_free(&out);
	pf_buf_free(&e->result_out);
	free(workers);
	free(states);
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
	return e->status;
}

int
pf_run(const struct pf_options *opt, char **files, int nfiles,
    struct pf_tool *tool)
{
	struct engine e = { 0 };
	struct pf_reader reader;
	struct pf_schema schema;
	struct pf_buf header = { 0 };
	struct pf_inputs inputs = { 0 };
	int got, status;

	signal(SIGPIPE, SIG_IGN);
	e.opt = opt;
	e.tool = tool;
	e.reader = &reader;
	e.schema = &schema;
	e.started = now();
	e.show_progress = opt->progress == PF_PROGRESS_ALWAYS ||
	    (opt->progress == PF_PROGRESS_AUTO && isatty(STDERR_FILENO));
	pf_reader_init(&reader, &opt->in, files, nfiles, opt->chunk,
	    opt->flush_ms);
	reader.every_records = tool->every_records;
	reader.every_ms = tool->every_ms;

	/* An output that is also an input: refuse before reading it. */
	pf_inputs_add(&inputs, files, nfiles);
	status = pf_inputs_check_path(&inputs, opt->bad_path);
	if (status == 0)
		status = pf_inputs_check_fd(&inputs, STDOUT_FILENO);
	if (status != 0) {
		pf_inputs_free(&inputs);
		pf_reader_free(&reader);
		return status;
	}
	got = pf_reader_start(&reader, &schema);
	if (got < 0) {
		warnx("%s", reader.error);
		pf_inputs_free(&inputs);
		pf_reader_free(&reader);
		return 1;
	}
	if (got == 0) {
		/* No record at all: nothing to check, nothing to write. */
		pf_inputs_free(&inputs);
		pf_reader_free(&reader);
		return 0;
	}
	if ((status = tool->start(tool->ctx, &schema, &header)) != 0)
		goto out;
	if (!emit_output(&e, &header)) {
		status = e.status;
		goto out;
	}
	if (opt->bad_path != NULL &&
	    (status = pf_outfile_open(&e.bad, opt->bad_path, false,
	    &inputs)) != 0)
		goto out;
	if (e.bad.f != NULL && tool->nbad > 0) {
		fwrite(tool->bad->data, 1, tool->bad->len, e.bad.f);
		e.nbad = tool->nbad;
	}
	status = bad_file_ok(&e) ? run_pipeline(&e) : e.status;
	if (e.bad.f != NULL) {
		if (pf_outfile_close(&e.bad) != 0)
			status = PF_FAILED;
		else if (e.nbad > 0)
			warnx("%llu malformed record%s written to %s",
			    (unsigned long long)e.nbad, e.nbad == 1 ? "" : "s",
			    opt->bad_path);
	}
out:
	pf_inputs_free(&inputs);
	pf_buf_free(&header);
	pf_schema_free(&schema);
	pf_reader_free(&reader);
	return status;
}
