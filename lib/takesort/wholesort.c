/*
 * wholesort.c - ptakesort without -n: every record in key order, in
 * bounded memory.
 *
 * DESIGN
 *
 * Each worker collects the records it is given in one buffer of
 * --memory / jobs bytes: blobs (sortkey.c) from the bottom, an item per
 * record (hint, input position, blob) from the top, and below the items
 * room for as many more (the radix sort's scratch). When the next
 * record does not fit, the worker sorts its items (itemsort.c) and
 * writes them as a sorted run to its temporary file (runs.c), then
 * starts again at the bottom; a record larger than the buffer makes a
 * run of its own. So sorting and spilling happen on the workers, in
 * parallel with reading.
 * At the end the buffers are sorted in parallel, one thread each, and a
 * k-way merge of those and of the runs on disk writes the output; with
 * more runs than MERGE_FANIN, runs are first merged into longer runs in
 * passes, MERGE_FANIN at a time, each pass writing one new file, so the
 * open files stay few whatever --memory and the input's size (a worker's
 * runs share its file). A failure at any step is status 1 with its
 * cause; each run is released once, and no file has a name. The order is the keys, then input position, a
 * total order: the output is the same for every -j, --chunk and
 * --memory, and equals `-n HUGE` (same comparison, same tie rule).
 *
 * Automatic keys: a run is sorted under the outcome known when it was
 * written (its strmask). If a key later turns out to be a string, such
 * stale runs are read back one at a time, sorted again under the final
 * outcome and rewritten before the merge (the buffers are spilled first
 * to make room); it costs one more pass, only when a key's type changes
 * after a spill.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/parallel.h"
#include "engine/stdout.h"
#include "support/status.h"
#include "support/xalloc.h"
#include "takesort/runs.h"
#include "takesort/keyvalue.h"
#include "takesort/takesort_int.h"

#define MERGE_FANIN	64		/* runs merged at once */
#define OUT_CHUNK	(1024 * 1024)	/* output written in this much */
#define PREFETCH	8		/* items ahead to fetch the blob of */
#define HUGE_BUFFER	(4 << 20)	/* buffers this large are mmap()ed */
#define HUGE_PAGE	(2 << 20)

struct sorter {
	char		*mem;		/* blobs up from 0, items down from cap */
	size_t		 cap, used;	/* bytes; used: the blobs' */
	size_t		 n;		/* items */
	size_t		 budget;	/* cap to start with */
	bool		 mapped;	/* mem is mmap()ed, not malloc()ed */
	struct tmpfile	*file;		/* this worker's runs, once it spills */
	struct run	*runs;
	size_t		 nruns, runcap;
	char		*error;		/* why a spill failed */
};

static inline struct sort_item *
items_of(const struct sorter *s)
{
	if (s->mem == NULL)
		return NULL;
	return (struct sort_item *)(s->mem + s->cap) - s->n;
}

/* The room below the items for as many more (see fits()). */
static inline struct sort_item *
scratch_of(const struct sorter *s)
{
	if (s->mem == NULL)
		return NULL;
	return items_of(s) - s->n;
}

/* Frees the buffer. */
static void
release_mem(struct sorter *s)
{
	if (s->mapped)
		munmap(s->mem, s->cap);
	else
		free(s->mem);
	s->mem = NULL;
	s->cap = 0;
	s->mapped = false;
}

void
sort_worker_init(struct worker *w)
{
	const struct takesort *ts = w->ts;
	struct sorter *s = pf_xcalloc(1, sizeof(*s));
	size_t budget = ts->args->memory / (size_t)ts->opt->jobs;

	s->budget = budget < 64 ? 64 : budget & ~(size_t)7;
	w->sort = s;
}

void
sort_worker_free(struct worker *w)
{
	struct sorter *s = w->sort;
	size_t i;

	for (i = 0; i < s->nruns; i++)
		tmp_release(s->runs[i].file);
	if (s->file != NULL)
		tmp_release(s->file);
	free(s->runs);
	release_mem(s);
	free(s->error);
	free(s);
	w->sort = NULL;
}

/* Notes a run of the sorter's (which now holds its file's reference). */
static void
add_run(struct sorter *s, const struct run *run)
{
	if (s->nruns == s->runcap) {
		s->runcap = s->runcap ? 2 * s->runcap : 16;
		s->runs = pf_xrealloc(s->runs, s->runcap * sizeof(*s->runs));
	}
	s->runs[s->nruns++] = *run;
}

/*
 * Writes the sorter's items, sorted under m, as a run of its file, and
 * empties the buffer. Returns 0, or -1 with errno set.
 */
static int
write_run(const struct takesort *ts, struct sorter *s, unsigned m)
{
	struct sort_item *items = items_of(s);
	struct run_writer rw = { 0 };
	struct run run;
	size_t i;

	if (s->file == NULL && (s->file = tmp_create(ts->args->tmpdir)) == NULL)
		return -1;
	run_begin(&rw, ts, s->file, m);
	for (i = 0; i < s->n; i++) {
		/* In sorted order the blobs are far apart: fetch ahead. */
		if (i + PREFETCH < s->n)
			__builtin_prefetch(items[i + PREFETCH].blob);
		if (run_put(&rw, &items[i]) != 0) {
			run_abandon(&rw);
			return -1;
		}
	}
	if (run_end(&rw, &run) != 0)
		return -1;
	add_run(s, &run);
	s->n = s->used = 0;
	return 0;
}

/* Sorts and spills the worker's buffer; on failure sets s->error. */
static int
spill(struct worker *w)
{
	const struct takesort *ts = w->ts;
	struct sorter *s = w->sort;
	unsigned m = w->strmask | atomic_load_explicit(&w->ts->strmask,
	    memory_order_relaxed);

	sort_items(ts, m, items_of(s), s->n, scratch_of(s));
	if (write_run(ts, s, m) == 0)
		return 0;
	free(s->error);
	if (asprintf(&s->error, "cannot write a temporary file in %s: %s",
	    ts->args->tmpdir, strerror(errno)) < 0)
		s->error = NULL;
	return -1;
}

/*
 * Makes an empty buffer hold at least need bytes; a large one is mapped
 * in huge pages where the system has them.
 */
static void
reserve(struct sorter *s, size_t need)
{
	need = (need + 7) & ~(size_t)7;
	if (need < s->budget)
		need = s->budget;
	if (s->mem != NULL && s->cap >= need)
		return;
	release_mem(s);
	if (need >= HUGE_BUFFER) {
		need = (need + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		s->mem = mmap(NULL, need, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->mem == MAP_FAILED)
			err(1, "mmap");
		/* Fewer page faults: they are a good part of filling it. */
#ifdef MADV_HUGEPAGE			/* Linux only */
		(void)madvise(s->mem, need, MADV_HUGEPAGE);
#endif
		s->mapped = true;
	} else
		s->mem = pf_xmalloc(need);
	s->cap = need;
}

/* A record's item, and its place in the radix sort's scratch. */
#define ITEM_ROOM	(2 * sizeof(struct sort_item))

/* Whether a blob of size bytes and its item fit in the buffer. */
static inline bool
fits(const struct sorter *s, size_t size)
{
	return s->mem != NULL && s->used + size + (s->n + 1) * ITEM_ROOM <=
	    s->cap;
}

/* Appends a blob of size bytes (that fits) and its item; returns it. */
static inline struct blob *
append(struct sorter *s, size_t size, uint64_t order)
{
	struct blob *b = (struct blob *)(s->mem + s->used);

	s->used += size;
	s->n++;
	*items_of(s) = (struct sort_item){ 0, order, b };
	return b;
}

uint64_t
sort_record(struct worker *w, const struct pf_record *rec)
{
	struct sorter *s = w->sort;
	size_t size;

	eval_keys(w, rec);
	if (w->eval != NULL && pf_eval_error(w->eval) != NULL)
		return PF_RECORD_FAILED;
	if (w->ts->nvariants > 1)
		note_strings(w);
	size = blob_size(w, rec);
	if (!fits(s, size)) {
		if (s->n > 0 && spill(w) != 0)
			return PF_RECORD_FAILED;
		reserve(s, size + ITEM_ROOM);
	}
	blob_fill(w, rec, append(s, size, rec->order));
	return 0;
}

const char *
sort_failure(struct worker *w)
{
	return w->sort->error;
}

/* The workers' buffers to sort at the end, under m. */
struct sort_jobs {
	const struct takesort	*ts;
	struct worker		**ws;
	unsigned		 m;
};

static void
sort_job(void *ctx, size_t k)
{
	const struct sort_jobs *j = ctx;
	struct sorter *s = j->ws[k]->sort;

	sort_items(j->ts, j->m, items_of(s), s->n, scratch_of(s));
}

/* Sorts every worker's buffer under m, in parallel (the engine's threads). */
static void
sort_buffers(const struct takesort *ts, struct worker **ws, int nworkers,
    unsigned m)
{
	struct sort_jobs j = { ts, ws, m };

	pf_parallel_run((size_t)nworkers, sort_job, &j);
}

struct reload {
	const struct takesort	*ts;
	struct sorter		*s;
};

/* Copies a record read back from a run into the sorter (it fits). */
static int
reload_item(void *arg, const struct sort_item *it)
{
	struct reload *r = arg;
	const struct blob *from = it->blob;
	size_t size = blob_bytes(r->ts, from), j;
	struct blob *b;

	if (!fits(r->s, size)) {
		errno = EFBIG;
		return -1;
	}
	b = append(r->s, size, it->order);
	memcpy(b, from, size);
	for (j = 0; j < r->ts->nkeys; j++)
		b->vals[j].s = (const char *)b +
		    (from->vals[j].s - (const char *)from);
	return 0;
}

/* The runs of a finish: all the workers', then merged ones. */
struct runlist {
	struct run	*runs;
	size_t		 n, cap;
};

static void
runlist_add(struct runlist *l, const struct run *run)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->runs = pf_xrealloc(l->runs, l->cap * sizeof(*l->runs));
	}
	l->runs[l->n++] = *run;
}

/* Writes merged records to stdout, through the engine's buffer. */
struct out_sink {
	struct takesort		*ts;
	struct pf_buf		*out;
	struct pf_splitter	 sp;
	struct pf_buf		 scratch;
	uint64_t		 written;
};

static int
put_output(void *arg, const struct sort_item *it)
{
	struct out_sink *o = arg;

	write_blob(o->ts, &o->sp, &o->scratch, it->blob, o->out);
	o->written++;
	if (o->out->len < OUT_CHUNK)
		return 0;
	if (pf_stdout_write(o->out->data, o->out->len) != 0)
		return -1;
	o->out->len = 0;
	return 0;
}

static int
put_run(void *arg, const struct sort_item *it)
{
	return run_put(arg, it);
}

/* Says why a temporary file failed; the run ends with status 1. */
static void
tmp_error(struct takesort *ts, const char *what)
{
	warn("cannot %s a temporary file in %s", what, ts->args->tmpdir);
	ts->status = PF_FAILED;
}

/*
 * Rewrites the runs sorted under another outcome than m: spills every
 * buffer (sorted under m) to make room, then reads each stale run into
 * the first worker's buffer, sorts it and writes it again.
 */
static int
resort_stale(struct takesort *ts, struct worker **ws, int nworkers,
    unsigned m, struct runlist *l)
{
	struct sorter *s = ws[0]->sort;
	struct reload r = { ts, s };
	struct run old;
	size_t i, n = l->n;
	int k;

	for (k = 0; k < nworkers; k++) {
		if (ws[k]->sort->n == 0)
			continue;
		if (write_run(ts, ws[k]->sort, m) != 0)
			return -1;
		runlist_add(l, &ws[k]->sort->runs[--ws[k]->sort->nruns]);
	}
	for (i = 0; i < n; i++) {
		if (l->runs[i].strmask == m)
			continue;
		old = l->runs[i];
		/* mem counts an item a record; the buffer holds two (its
		   place in the radix sort's scratch: ITEM_ROOM). */
		reserve(s, old.mem + old.count * (ITEM_ROOM -
		    sizeof(struct sort_item)));
		if (run_read(ts, &old, reload_item, &r) != 0)
			return -1;
		sort_items(ts, m, items_of(s), s->n, scratch_of(s));
		if (write_run(ts, s, m) != 0)
			return -1;
		l->runs[i] = s->runs[--s->nruns];
		tmp_release(old.file);
	}
	return 0;
}

/*
 * Merges sources src[0..k) into one new run of the pass's file out, added
 * to l. Returns 0, or -1 after saying why (the new run is then not made).
 */
static int
merge_into(struct takesort *ts, unsigned m, const struct run *runs, size_t k,
    struct tmpfile *out, struct runlist *l)
{
	struct source src[MERGE_FANIN];
	struct run_writer rw = { 0 };
	struct run run;
	size_t i;
	bool read_failed;
	int r;

	memset(src, 0, sizeof(src));
	for (i = 0; i < k; i++)
		src[i].run = &runs[i];
	run_begin(&rw, ts, out, m);
	r = merge_runs(ts, m, src, k, put_run, &rw, &read_failed);
	for (i = 0; i < k; i++)
		source_free(&src[i]);
	if (r == 0)
		r = run_end(&rw, &run);
	else
		run_abandon(&rw);
	if (r != 0) {
		tmp_error(ts, read_failed ? "read" : "write");
		return -1;
	}
	runlist_add(l, &run);
	return 0;
}

/*
 * Merges the runs in l, in passes, until at most MERGE_FANIN sources
 * remain with the nmem buffers. A pass writes its merged runs into one
 * new file and merges at most MERGE_FANIN runs at once; the runs it
 * consumes are released as it goes, so a file closes with its last run.
 * Open files stay under the workers' files plus one per pass (a pass
 * divides the runs by MERGE_FANIN), whatever the number of runs. On
 * failure l holds exactly the runs still unmerged, each once.
 */
static int
reduce_runs(struct takesort *ts, unsigned m, struct runlist *l, size_t nmem)
{
	struct runlist next;
	struct tmpfile *out;
	size_t first, k, i, left;
	int r = 0;

	while (l->n >= 2 && l->n + nmem > MERGE_FANIN) {
		if ((out = tmp_create(ts->args->tmpdir)) == NULL) {
			tmp_error(ts, "create");
			return -1;
		}
		next = (struct runlist){ 0 };
		for (first = 0; first < l->n && r == 0; first += k) {
			/* What remains, counted as sources of the last merge. */
			left = l->n - first + next.n + nmem;
			if (left <= MERGE_FANIN)
				break;
			k = l->n - first < MERGE_FANIN ? l->n - first :
			    MERGE_FANIN;
			/* Merging k runs makes k - 1 fewer: no more than needed. */
			if (k > left - MERGE_FANIN + 1)
				k = left - MERGE_FANIN + 1;
			if (k < 2)
				break;
			if ((r = merge_into(ts, m, l->runs + first, k, out,
			    &next)) != 0)
				break;
			for (i = 0; i < k; i++)
				tmp_release(l->runs[first + i].file);
		}
		tmp_release(out);	/* the new runs hold it now */
		/* The runs not merged join the new ones. */
		for (i = first; i < l->n; i++)
			runlist_add(&next, &l->runs[i]);
		free(l->runs);
		*l = next;
		if (r != 0)
			return -1;
	}
	return 0;
}

/* The final merge: the buffers and the runs, to stdout. */
static void
write_sorted(struct takesort *ts, struct worker **ws, int nworkers,
    unsigned m, struct runlist *l, struct pf_buf *out)
{
	struct out_sink o = { .ts = ts, .out = out };
	struct source *src;
	size_t nsrc = 0, i;
	bool read_failed;
	int k;

	src = pf_xcalloc(l->n + (size_t)nworkers + 1, sizeof(*src));
	for (k = 0; k < nworkers; k++)
		if (ws[k]->sort->n > 0) {
			src[nsrc].items = items_of(ws[k]->sort);
			src[nsrc++].n = ws[k]->sort->n;
		}
	for (i = 0; i < l->n; i++)
		src[nsrc++].run = &l->runs[i];
	if (merge_runs(ts, m, src, nsrc, put_output, &o, &read_failed) != 0) {
		if (read_failed)
			tmp_error(ts, "read");
		else if (errno != EPIPE) {
			warn("write error");
			ts->status = PF_FAILED;
		}
		out->len = 0;	/* a closed stdout: stop quietly */
	}
	ts->tool->written += o.written;
	for (i = 0; i < nsrc; i++)
		source_free(&src[i]);
	free(src);
	pf_buf_free(&o.scratch);
	pf_splitter_free(&o.sp);
}

void
sort_finish(struct takesort *ts, struct worker **ws, int nworkers,
    struct pf_buf *out)
{
	struct runlist l = { 0 };
	unsigned m = atomic_load(&ts->strmask);
	size_t i, nmem = 0;
	bool stale = false;
	int k;

	for (k = 0; k < nworkers; k++)
		m |= ws[k]->strmask;
	sort_buffers(ts, ws, nworkers, m);
	/* The runs change hands: from the workers to the list. */
	for (k = 0; k < nworkers; k++) {
		struct sorter *s = ws[k]->sort;

		for (i = 0; i < s->nruns; i++) {
			runlist_add(&l, &s->runs[i]);
			stale |= s->runs[i].strmask != m;
		}
		s->nruns = 0;
		if (s->file != NULL) {	/* a file goes with its last run */
			tmp_release(s->file);
			s->file = NULL;
		}
		nmem += s->n > 0;
	}
	if (stale && resort_stale(ts, ws, nworkers, m, &l) != 0)
		tmp_error(ts, "write");	/* read errors say "write" too */
	else if (stale)
		nmem = 0;
	if (ts->status == 0 && reduce_runs(ts, m, &l, nmem) == 0)
		write_sorted(ts, ws, nworkers, m, &l, out);
	for (i = 0; i < l.n; i++)
		tmp_release(l.runs[i].file);
	free(l.runs);
}
