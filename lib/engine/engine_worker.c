/*
 * engine_worker.c - a worker thread: takes the oldest batch, splits its
 * records, checks each against the header (pf_record_malformed), runs
 * the tool on the good ones in vectors (record() or records(); a whole
 * batch's are only checked), sets the bad ones aside for --bad or stops
 * the batch at the first, and hands the batch to the writer. See
 * engine.c for the design.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv/split_run.h"
#include "engine/engine_int.h"
#include "support/outfile.h"
#include "support/xalloc.h"

/*
 * Ends a batch at rec, which the writer reports with why; the batch's
 * bytes start at start.
 */
static void
stop_batch(struct batch *b, const char *start, const struct pf_record *rec,
    const char *why)
{
	const char *p;

	b->failure = why;
	b->fail_record = b->records;
	b->fail_line = 0;
	for (p = start; p < rec->raw; p++)
		b->fail_line += *p == '\n';
}

/*
 * The bytes of a whole batch that is only a byte range of a regular file
 * (pmap --pipe), read into w->range from the file, opened again by name
 * and used only if it is still the file the reader read. NULL, with the
 * batch stopped, when it cannot be read.
 */
static const char *
read_range(struct worker *w, struct batch *b)
{
	const struct pf_reader *r = w->engine->reader;
	const char *path = r->paths[b->file];
	struct stat st;
	size_t got = 0;
	ssize_t n;

	if (w->range_file != b->file) {
		if (w->range_fd > STDIN_FILENO)
			close(w->range_fd);
		w->range_file = b->file;
		w->range_fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
		    open(path, O_RDONLY | O_CLOEXEC);
		if (w->range_fd >= 0 && (fstat(w->range_fd, &st) != 0 ||
		    st.st_dev != r->ids[b->file].dev ||
		    st.st_ino != r->ids[b->file].ino)) {
			if (w->range_fd > STDIN_FILENO)
				close(w->range_fd);
			w->range_fd = -1;
		}
	}
	w->range.len = 0;
	pf_buf_reserve(&w->range, (size_t)b->length);
	while (w->range_fd >= 0 && got < (size_t)b->length) {
		n = pread(w->range_fd, w->range.data + got,
		    (size_t)b->length - got, b->offset + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < (size_t)b->length) {
		b->failure = "cannot read it again (changed or removed?)";
		b->fail_record = 1;
		b->fail_line = 0;
		return NULL;
	}
	w->range.len = got;
	pf_split_pad(&w->range);
	return w->range.data;
}

/*
 * pf_split_next() with the next record of the splitter's run taken here,
 * inline: the call per record is the hot path's (split_run.h).
 */
static inline const char *
split_next(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec, size_t *lines,
    enum pf_split_status *status)
{
	const char *next = pf_split_run_take(sp, d, p, end, rec, lines,
	    status);

	return next != NULL ? next : pf_split_next(sp, d, p, end, rec, lines,
	    status);
}

/*
 * Stops the batch at rec, a record the tool failed on, with the tool's
 * reason (record_failure()).
 */
static void
tool_failed(struct worker *w, struct batch *b, const char *start,
    const struct pf_record *rec)
{
	b->failure_text = pf_xstrdup(w->engine->tool->record_failure(
	    w->state));
	stop_batch(b, start, rec, b->failure_text);
	b->fail_record = rec->in_batch;
}

/* The tool's record() on rec; false when it failed: the batch stopped. */
static bool
run_record(struct worker *w, struct batch *b, const char *start,
    const struct pf_record *rec)
{
	uint64_t written = w->engine->tool->record(w->state, rec, &b->out);

	if (written == PF_RECORD_FAILED) {
		tool_failed(w, b, start, rec);
		return false;
	}
	b->written += written;
	return true;
}

/*
 * Hands the records gathered in w->vec to the tool's records(), or to
 * its record() one by one, and empties it. Returns false when a record
 * failed: the batch then stops at it.
 */
static bool
flush_vector(struct worker *w, struct batch *b, const char *start)
{
	const struct pf_tool *t = w->engine->tool;
	uint64_t written;
	size_t n = w->nvec, i, failed = 0;

	w->nvec = 0;
	if (t->records == NULL) {
		for (i = 0; i < n; i++)
			if (!run_record(w, b, start, &w->vec[i]))
				return false;
		return true;
	}
	if (n == 0)
		return true;
	written = t->records(w->state, w->vec, n, &b->out, &failed);
	if (written == PF_RECORD_FAILED) {
		tool_failed(w, b, start, &w->vec[failed]);
		return false;
	}
	b->written += written;
	return true;
}

/*
 * The next record, as split_next(); the records gathered so far are
 * handed on first when the next one needs the splitter's slow path,
 * which reuses the memory their fields are in (a run's records stay put
 * until the next run). *stopped: a gathered record failed.
 */
static inline const char *
next_record(struct worker *w, struct batch *b, const char *start,
    const char *p, const char *end, struct pf_record *rec, size_t *lines,
    enum pf_split_status *status, bool *stopped)
{
	struct pf_splitter *sp = &w->splitter;
	const struct pf_dialect *d = &w->engine->opt->in;
	const char *next = pf_split_run_take(sp, d, p, end, rec, lines,
	    status);

	if (next != NULL)
		return next;
	if (w->nvec > 0 && !flush_vector(w, b, start)) {
		*stopped = true;
		return NULL;
	}
	return pf_split_next(sp, d, p, end, rec, lines, status);
}

/*
 * The fast path of process_batch(): the well-formed records of the splitter's runs, from p, go into w->vec
 * straight, numbered as process_batch() numbers them, a vector handed
 * on each time it is full. Returns where the records taken end: where
 * process_batch() goes on, a record at a time, with the rest; or NULL
 * when a record failed, the batch stopped at it.
 */
static const char *
take_vectors(struct worker *w, struct batch *b, const char *start,
    const char *p, const char *end)
{
	struct engine *e = w->engine;
	const size_t nfields = e->opt->in.header ? e->schema->nfields : 0;
	struct pf_record *rec;
	const char *next;
	size_t n, k, lines;

	while ((n = pf_split_run_take_many(&w->splitter, &e->opt->in, p, end,
	    w->vec + w->nvec, PF_VECTOR - w->nvec, nfields, &next,
	    &lines)) > 0) {
		rec = w->vec + w->nvec;
		for (k = 0; k < n; k++) {
			b->records++;
			rec[k].order = b->seq << 32 | b->records;
			rec[k].nr = b->nr_base + b->records;
			rec[k].in_batch = b->records;
			rec[k].lines_before = b->lines + k;
			rec[k].file = e->reader->paths[b->file];
		}
		b->lines += lines;
		w->nvec += n;
		p = next;
		if (w->nvec == PF_VECTOR && !flush_vector(w, b, start))
			return NULL;
	}
	return p;
}

/*
 * Splits a batch's records and runs the tool on them, gathered into
 * vectors of up to PF_VECTOR (flush_vector()). A whole batch (pmap
 * --pipe) is checked the same way, but its records are not handed to
 * the tool: when --bad set some aside, or a malformed one stopped it,
 * b->out gets the bytes of the others (before it), as they were, and
 * b->filtered says so.
 */
static void
process_batch(struct worker *w, struct batch *b)
{
	struct engine *e = w->engine;
	const bool whole = e->tool->whole_batches;
	const char *start = b->in.data, *p, *end, *next;
	const size_t nfields = e->schema->nfields;
	const bool check = e->opt->in.header;
	enum pf_split_status status;
	struct pf_record rec;
	const char *why;
	size_t lines = 0, len = b->in.len;
	bool stopped = false;

	if (whole && b->offset >= 0) {
		if ((start = read_range(w, b)) == NULL)
			return;
		len = w->range.len;
	}
	p = start;
	end = start + len;
	if (!whole && (p = take_vectors(w, b, start, p, end)) == NULL)
		return;
	while ((next = next_record(w, b, start, p, end, &rec, &lines,
	    &status, &stopped)) != NULL) {
		b->records++;
		why = pf_record_malformed(status, rec.field_count,
		    check ? nfields : 0);
		if (why == NULL && whole) {
			if (b->filtered)
				pf_buf_add(&b->out, p, (size_t)(next - p));
		} else if (why == NULL) {
			rec.order = b->seq << 32 | b->records;
			rec.nr = b->nr_base + b->records;
			rec.in_batch = b->records;
			rec.lines_before = b->lines;
			rec.file = e->reader->paths[b->file];
			if (w->nvec == 0) {
				/* One record alone (the splitter's slow path,
				   JSON Lines): to record() at once. */
				if (!run_record(w, b, start, &rec))
					return;
			} else {
				w->vec[w->nvec++] = rec;
				if (w->nvec == PF_VECTOR &&
				    !flush_vector(w, b, start))
					return;
			}
			b->lines += lines;
			p = next;
			if (pf_split_run_left(&w->splitter) &&
			    (p = take_vectors(w, b, start, p, end)) == NULL)
				return;
			continue;
		} else if (!whole && !flush_vector(w, b, start)) {
			return;		/* the records before it first */
		} else if (e->bad.f != NULL) {
			if (whole && !b->filtered) {
				b->filtered = true;
				pf_buf_add(&b->out, start, (size_t)(p - start));
			}
			pf_buf_add(&b->bad, rec.raw, rec.raw_len);
			pf_buf_addc(&b->bad, '\n');
			b->nbad++;
		} else {
			/* The records before it still run, as in every mode. */
			if (whole && !b->filtered) {
				b->filtered = true;
				pf_buf_add(&b->out, start, (size_t)(p - start));
			}
			/* The splitter's message lasts only until its next. */
			b->failure_text = pf_xstrdup(status == PF_SPLIT_JSON ?
			    w->splitter.why : why);
			stop_batch(b, start, &rec, b->failure_text);
			return;
		}
		b->lines += lines;
		p = next;
	}
	if (!stopped)
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
	size_t lines, want = w->splitter.want;

	/* Only the records' ends count: the first field is all it splits. */
	w->splitter.want = 1;
	while ((p = split_next(&w->splitter, d, p, end, &rec, &lines,
	    &status)) != NULL)
		n++;
	w->splitter.want = want;
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

/*
 * A batch's turn in input order (pf_tool.in_order): waits until every
 * batch before it has had its turn, runs in_order, passes the turn on,
 * then runs after_order. Every batch takes its turn, with no call when
 * the run is stopping or it has no result.
 */
static void
take_turn(struct worker *w, struct batch *b)
{
	struct engine *e = w->engine;
	bool call;

	pthread_mutex_lock(&e->lock);
	while (b->seq != e->turn_next)
		pthread_cond_wait(&e->turn_cv, &e->lock);
	pthread_mutex_unlock(&e->lock);
	call = b->result != NULL && !atomic_load(&e->stopping);
	if (call)
		e->tool->in_order(w->state, b->result);
	pthread_mutex_lock(&e->lock);
	e->turn_next++;
	pthread_cond_broadcast(&e->turn_cv);
	pthread_mutex_unlock(&e->lock);
	if (call && e->tool->after_order(w->state, b->result, &b->out))
		b->result = NULL;	/* released: nothing to hand on */
}

void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->engine;
	struct batch *b;
	double t0, t1;

	pf_notes_bind(&w->notes);
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
			if (w->notes.n > 0) {	/* the batch takes them */
				struct pf_notes swap = b->notes;

				b->notes = w->notes;
				w->notes = swap;
			}
			if (e->tool->batch_end != NULL)
				b->result = e->tool->batch_end(w->state);
		}
		if (e->tool->in_order != NULL)
			take_turn(w, b);
		w->busy += now() - t1;

		pthread_mutex_lock(&e->lock);
		e->done[b->seq % (uint64_t)e->pool] = b;
		pthread_cond_signal(&e->done_cv);
		pthread_mutex_unlock(&e->lock);
		if (e->driven)
			notify_driver(e);
	}
	pf_notes_bind(NULL);
	return NULL;
}
