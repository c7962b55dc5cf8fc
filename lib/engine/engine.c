/*
 * engine.c - the reader, worker and writer threads every tool runs on.
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

#include "engine/engine.h"
#include "support/outfile.h"
#include "csv/reader.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

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
	bool		 trigger;	/* the reader ended it at a trigger */
	void		*result;	/* the tool's batch_end() result */
	const char	*failure;	/* why the batch stopped early, or NULL */
	char		*failure_text;	/* failure, when the tool gave it */
	uint64_t	 fail_record;	/* 1-based record index in the batch */
	uint64_t	 fail_line;	/* LFs before the failed record */
	struct batch	*next;
};

struct worker {
	struct engine	*engine;
	pthread_t	 thread;
	void		*state;		/* the tool's per-worker state */
	struct pf_splitter splitter;
	double		 busy, waiting;
};

struct engine {
	const struct pf_options	*opt;
	struct pf_tool		*tool;
	struct pf_reader	*reader;
	const struct pf_schema	*schema;
	struct pf_outfile	 bad;		/* --bad */

	pthread_mutex_t	 lock;
	pthread_cond_t	 free_cv;	/* a batch came back to the pool */
	pthread_cond_t	 work_cv;	/* work queued, or input done */
	pthread_cond_t	 done_cv;	/* a batch finished, or input done */
	pthread_cond_t	 nr_cv;		/* record numbers: a base is known */
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
	atomic_uint_fast64_t bytes_read;

	/* Owned by the writer thread until it is joined. */
	pthread_t	 writer;
	uint64_t	 next_write;
	int		 cur_file;
	uint64_t	 line, record;	/* position in cur_file */
	uint64_t	 stream_records; /* records before the current batch */
	struct pf_buf	 result_out;	/* batch_result()'s output */
	uint64_t	 records_in, records_out, nbad;
	int		 status;
	bool		 broken_pipe;
	double		 write_busy, write_waiting;
	double		 last_progress;
	bool		 show_progress;

	double		 read_busy, read_waiting, started;
};

/* Seconds on the monotonic clock, for --stats and --progress. */
static double
now(void)
{
	return pf_monotonic_ms() / 1e3;
}
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

/* Ends a batch at rec, which the writer reports with why. */
static void
stop_batch(struct batch *b, const struct pf_record *rec, const char *why)
{
	const char *p;

	b->failure = why;
	b->fail_record = b->records;
	b->fail_line = 0;
	for (p = b->in.data; p < rec->raw; p++)
		b->fail_line += *p == '\n';
}

/* Splits a batch's records and runs the tool on each. */
static void
process_batch(struct worker *w, struct batch *b)
{
	struct engine *e = w->engine;
	const struct pf_dialect *d = &e->opt->in;
	const char *p = b->in.data, *end = b->in.data + b->in.len, *next;
	const size_t nfields = e->schema->nfields;
	const bool check = d->header;
	enum pf_split_status status;
	struct pf_record rec;
	const char *why;
	uint64_t written;
	size_t lines;

	while ((next = pf_split_next(&w->splitter, d, p, end, &rec, &lines,
	    &status)) != NULL) {
		b->records++;
		why = pf_record_malformed(status, rec.field_count,
		    check ? nfields : 0);
		if (why == NULL) {
			rec.order = b->seq << 32 | b->records;
			rec.nr = b->nr_base + b->records;
			written = e->tool->record(w->state, &rec, &b->out);
			if (written == PF_RECORD_FAILED) {
				b->failure_text = pf_xstrdup(
				    e->tool->record_failure(w->state));
				stop_batch(b, &rec, b->failure_text);
				return;
			}
			b->written += written;
		} else if (e->bad.f != NULL) {
			pf_buf_add(&b->bad, rec.raw, rec.raw_len);
			pf_buf_addc(&b->bad, '\n');
			b->nbad++;
		} else {
			stop_batch(b, &rec, why);
			return;
		}
		b->lines += lines;
		p = next;
	}
	b->lines += lines;
}

/* Counts a batch's records, malformed ones too, as process_batch() sees them. */
static uint64_t
count_records(struct worker *w, const struct batch *b)
{
	const struct pf_dialect *d = &w->engine->opt->in;
	const char *p = b->in.data, *end = b->in.data + b->in.len;
	enum pf_split_status status;
	struct pf_record rec;
	uint64_t n = 0;
	size_t lines;

	while ((p = pf_split_next(&w->splitter, d, p, end, &rec, &lines,
	    &status)) != NULL)
		n++;
	return n;
}

/*
 * Record numbers: sets b->nr_base, the records of every batch before it.
 * Workers count their batches in parallel; the counts are summed in
 * sequence order under the lock, and a batch waits only until every
 * batch before it is counted. Batches reach workers in sequence order,
 * so the earliest uncounted one is always being counted: no deadlock.
 * When the run is stopping, a batch counts as empty.
 */
static void
number_batch(struct worker *w, struct batch *b)
{
	struct engine *e = w->engine;
	uint64_t n = atomic_load(&e->stopping) ? 0 : count_records(w, b);
	size_t slot = (size_t)(b->seq % (uint64_t)e->pool);

	pthread_mutex_lock(&e->lock);
	e->nr_count[slot] = n;
	e->nr_counted[slot] = true;
	for (;;) {
		slot = (size_t)(e->nr_next % (uint64_t)e->pool);
		if (!e->nr_counted[slot])
			break;
		e->nr_counted[slot] = false;
		e->nr_base[slot] = e->nr_total;
		e->nr_total += e->nr_count[slot];
		e->nr_next++;
		pthread_cond_broadcast(&e->nr_cv);
	}
	while (b->seq >= e->nr_next)
		pthread_cond_wait(&e->nr_cv, &e->lock);
	b->nr_base = e->nr_base[b->seq % (uint64_t)e->pool];
	pthread_mutex_unlock(&e->lock);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->engine;
	struct batch *b;
	double t0, t1;

	for (;;) {
		t0 = now();
		pthread_mutex_lock(&e->lock);
		while (e->work_head == NULL && !e->input_done)
			pthread_cond_wait(&e->work_cv, &e->lock);
		b = e->work_head;
		if (b != NULL && (e->work_head = b->next) == NULL)
			e->work_tail = NULL;
		pthread_mutex_unlock(&e->lock);
		if (b == NULL)
			break;
		t1 = now();
		w->waiting += t1 - t0;
		if (e->tool->record_numbers)
			number_batch(w, b);
		if (!atomic_load(&e->stopping)) {
			process_batch(w, b);
			if (e->tool->batch_end != NULL)
				b->result = e->tool->batch_end(w->state);
		}
		w->busy += now() - t1;

		pthread_mutex_lock(&e->lock);
		e->done[b->seq % (uint64_t)e->pool] = b;
		pthread_cond_signal(&e->done_cv);
		pthread_mutex_unlock(&e->lock);
	}
	return NULL;
}

static void
show_progress(struct engine *e, bool final)
{
	uint64_t bytes = atomic_load(&e->bytes_read);
	uint64_t total = e->reader->total_bytes;
	double t = now(), elapsed = t - e->started;
	char line[200];
	int n;

	if (!e->show_progress || (!final && t - e->last_progress < 0.25))
		return;
	e->last_progress = t;
	if (final) {
		fputs("\r\033[K", stderr);
		return;
	}
	n = snprintf(line, sizeof(line), "\r\033[K%s: %.1f MB, %llu records, "
	    "%.0f records/s", program_invocation_short_name, (double)bytes / 1e6,
	    (unsigned long long)e->records_in,
	    elapsed > 0 ? (double)e->records_in / elapsed : 0.0);
	if (total > 0 && bytes > 0 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n,
		    ", %.0f%%, ETA %.0fs", 100.0 * (double)bytes / (double)total,
		    elapsed * ((double)total - (double)bytes) / (double)bytes);
	fputs(line, stderr);
}

/*
 * Writes output through the tool's emit() or to stdout. Returns false
 * after a write error (reported) or a broken pipe (quiet): either way
 * the run is told to stop.
 */
static bool
emit_output(struct engine *e, const struct pf_buf *out)
{
	int rc;

	if (out->len == 0)
		return true;
	rc = e->tool->emit != NULL ? e->tool->emit(e->tool->ctx, out) :
	    pf_write_all(STDOUT_FILENO, out->data, out->len);
	if (rc == 0)
		return true;
	if (errno == EPIPE)
		e->broken_pipe = true;
	else {
		warn("write error");
		e->status = 1;
	}
	atomic_store(&e->stopping, true);
	return false;
}

/* After a write to --bad: false, the run told to stop, when it failed. */
static bool
bad_file_ok(struct engine *e)
{
	if (e->bad.f == NULL || pf_outfile_ok(&e->bad))
		return true;
	e->status = 1;
	atomic_store(&e->stopping, true);
	return false;
}

/* Gives the tool a batch's result, in order, and writes what it says. */
static void
hand_on_result(struct engine *e, struct batch *b)
{
	struct pf_batch_info info = {
		.first_record = e->stream_records + 1,
		.records = b->records,
		.trigger = b->trigger,
		.in = b->in.data,
		.in_len = b->in.len,
		.bad = e->bad.f,
	};
	bool stopping = atomic_load(&e->stopping);

	e->result_out.len = 0;
	e->tool->batch_result(e->tool->ctx, b->result, &info,
	    stopping ? NULL : &e->result_out);
	b->result = NULL;
	if (!stopping)
		emit_output(e, &e->result_out);
}

/* The writer's handling of one batch, in sequence order. */
static void
write_batch(struct engine *e, struct batch *b)
{
	if (b->file != e->cur_file) {
		e->cur_file = b->file;
		e->line = e->opt->in.header ? e->reader->header_lines : 0;
		e->record = 0;
	}
	if (!emit_output(e, &b->out))
		return;
	if (b->nbad > 0) {
		fwrite(b->bad.data, 1, b->bad.len, e->bad.f);
		e->nbad += b->nbad;
		if (!bad_file_ok(e))
			return;
	}
	e->records_in += b->records;
	e->records_out += b->written;
	if (b->failure != NULL) {
		pf_reader_report(e->reader, b->file,
		    e->line + b->fail_line + 1, e->record + b->fail_record,
		    b->failure);
		e->status = 1;
		atomic_store(&e->stopping, true);
		return;
	}
	e->line += b->lines;
	e->record += b->records;
	if (e->tool->batch_result != NULL) {
		hand_on_result(e, b);
		if (!bad_file_ok(e))
			return;
	}
	e->stream_records += b->records;
	show_progress(e, false);
}

/* Returns a batch to the pool, shrinking buffers a huge record grew. */
static void
release_batch(struct engine *e, struct batch *b)
{
	size_t limit = 4 * e->opt->chunk + 65536;

	if (b->in.cap > limit)
		pf_buf_free(&b->in);
	if (b->out.cap > limit)
		pf_buf_free(&b->out);
	if (b->bad.cap > limit)
		pf_buf_free(&b->bad);
	b->out.len = b->bad.len = 0;
	b->records = b->lines = b->written = b->nbad = b->nr_base = 0;
	b->failure = NULL;
	free(b->failure_text);
	b->failure_text = NULL;
	b->trigger = false;
	b->result = NULL;
	pthread_mutex_lock(&e->lock);
	b->next = e->free_list;
	e->free_list = b;
	pthread_cond_signal(&e->free_cv);
	pthread_mutex_unlock(&e->lock);
}

static void *
writer_main(void *arg)
{
	struct engine *e = arg;
	struct batch *b;
	size_t slot;
	double t0, t1;

	for (;;) {
		t0 = now();
		slot = (size_t)(e->next_write % (uint64_t)e->pool);
		pthread_mutex_lock(&e->lock);
		while (e->done[slot] == NULL &&
		    !(e->input_done && e->next_write == e->nbatches))
			pthread_cond_wait(&e->done_cv, &e->lock);
		b = e->done[slot];
		e->done[slot] = NULL;
		pthread_mutex_unlock(&e->lock);
		if (b == NULL)
			break;
		t1 = now();
		e->write_waiting += t1 - t0;
		if (!atomic_load(&e->stopping))
			write_batch(e, b);
		if (b->result != NULL)	/* not handed on: only to be freed */
			hand_on_result(e, b);
		e->write_busy += now() - t1;
		e->next_write++;
		release_batch(e, b);
	}
	return NULL;
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
		e->status = 1;
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
			status = 1;
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
