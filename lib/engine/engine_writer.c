/*
 * engine_writer.c - the writer thread: takes batches strictly in
 * sequence order, writes their output (or hands it to the tool), writes
 * --bad records, reports errors with absolute file, line and record
 * numbers, shows --progress, and returns batches to the pool. See
 * engine.c for the design.
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

void
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
bool
emit_output(struct engine *e, const struct pf_buf *out)
{
	int rc;

	if (out->len == 0)
		return true;
	rc = e->tool->emit != NULL ? e->tool->emit(e->tool->ctx, out) :
	    pf_stdout_write(out->data, out->len);
	if (rc == 0)
		return true;
	if (errno == EPIPE)
		e->broken_pipe = true;
	else {
		warn("write error");
		e->status = PF_FAILED;
	}
	atomic_store(&e->stopping, true);
	return false;
}

/* After a write to --bad: false, the run told to stop, when it failed. */
bool
bad_file_ok(struct engine *e)
{
	if (e->bad.f == NULL || pf_outfile_ok(&e->bad))
		return true;
	e->status = PF_FAILED;
	atomic_store(&e->stopping, true);
	return false;
}

/* What the tool is told of a batch (once write_batch() has seen it). */
void
batch_info(const struct engine *e, const struct batch *b,
    struct pf_batch_info *info)
{
	*info = (struct pf_batch_info){
		.first_record = e->batch_first,
		.records = b->records,
		.ended = b->ended,
		.in = b->in.data,
		.in_len = b->in.len,
		.bad = e->bad.f,
		.file = b->file,
		.line = e->batch_line,
		.offset = b->offset,
		.length = b->length,
		.filtered = b->filtered,
	};
}

/* Gives the tool a batch's result, in order, and writes what it says. */
void
hand_on_result(struct engine *e, struct batch *b)
{
	struct pf_batch_info info;
	bool stopping = atomic_load(&e->stopping);

	batch_info(e, b, &info);
	e->result_out.len = 0;
	e->tool->batch_result(e->tool->ctx, b->result, &info,
	    stopping ? NULL : &e->result_out);
	b->result = NULL;
	if (!stopping)
		emit_output(e, &e->result_out);
	if (!stopping && e->tool->stop_status != 0) {
		e->status = e->tool->stop_status;
		atomic_store(&e->stopping, true);
	}
}

/*
 * The in-order stage's handling of one batch, in sequence order: its
 * output (a driven tool takes that itself), --bad, counts, its error.
 */
void
write_batch(struct engine *e, struct batch *b)
{
	if (b->file != e->cur_file) {
		e->cur_file = b->file;
		e->line = e->opt->in.header ? e->reader->header_lines : 0;
		e->record = 0;
	}
	e->batch_line = e->line;
	e->batch_first = e->stream_records + 1;
	if (!e->driven && !emit_output(e, &b->out))
		return;
	if (b->nbad > 0) {
		fwrite(b->bad.data, 1, b->bad.len, e->bad.f);
		e->nbad += b->nbad;
		if (!bad_file_ok(e))
			return;
	}
	e->records_in += b->records;
	e->records_out += b->written;
	if (b->notes.n > 0)
		pf_notes_merge(&e->notes, &b->notes, b->file, e->line,
		    e->record);
	if (b->failure != NULL) {
		/* What the tool made of the records before it (pscan). */
		if (e->tool->batch_result != NULL && !e->driven &&
		    e->tool->result_until_failure)
			hand_on_result(e, b);
		pf_reader_report(e->reader, b->file,
		    e->line + b->fail_line + 1, e->record + b->fail_record,
		    b->failure);
		e->status = PF_FAILED;
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
void
release_batch(struct engine *e, struct batch *b)
{
	size_t limit = 4 * e->reader->chunk_decoded + 65536;

	if (b->in.cap > limit)
		pf_buf_free(&b->in);
	if (b->out.cap > limit)
		pf_buf_free(&b->out);
	if (b->bad.cap > limit)
		pf_buf_free(&b->bad);
	b->out.len = b->bad.len = 0;
	b->records = b->lines = b->written = b->nbad = b->nr_base = 0;
	b->failure = NULL;
	pf_notes_reset(&b->notes);
	free(b->failure_text);
	b->failure_text = NULL;
	b->ended = PF_BATCH_FULL;
	b->filtered = false;
	b->result = NULL;
	b->offset = -1;
	b->length = 0;
	pthread_mutex_lock(&e->lock);
	b->next = e->free_list;
	e->free_list = b;
	pthread_cond_signal(&e->free_cv);
	pthread_mutex_unlock(&e->lock);
}

void *
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
