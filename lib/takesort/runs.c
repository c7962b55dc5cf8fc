/*
 * runs.c - the whole sort's temporary files, the runs written to them,
 * and the k-way merge (see runs.h).
 *
 * A run on disk is a sequence of records, each a header of three 64-bit
 * words (the item's hint, order and the blob's size) and the blob, its
 * key texts written as offsets from the blob's start instead of
 * pointers. Sizes are multiples of 8, so a record read into a buffer
 * at an offset that is a multiple of 8 is aligned and is used in place.
 *
 * The merge is a binary heap of sources under item_before(): the keys,
 * then input position, so merging runs keeps ties in input order
 * whichever runs the records were spilled into.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/xalloc.h"
#include "takesort/runs.h"

#define WRITE_CHUNK	(1024 * 1024)	/* a writer's buffer */
#define READ_CHUNK	(256 * 1024)	/* a source's buffer, at first */
#define TMP_SLOTS	64
#define HEADER		(3 * sizeof(uint64_t))

/*
 * The names of temporary files between mkstemp() and unlink(), for the
 * signal handler: a slot is 0 (free), 1 (being filled) or 2 (named).
 */
static char		tmp_names[TMP_SLOTS][PATH_MAX];
static atomic_int	tmp_state[TMP_SLOTS];

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < TMP_SLOTS; i++)
		if (atomic_load(&tmp_state[i]) == 2)
			unlink(tmp_names[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
tmp_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* A signal ignored by our parent (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

struct tmpfile *
tmp_create(const char *dir)
{
	struct tmpfile *f;
	char local[PATH_MAX];
	char *name = local;
	int slot, expect, fd, n, saved;

	for (slot = 0; slot < TMP_SLOTS; slot++) {
		expect = 0;
		if (atomic_compare_exchange_strong(&tmp_state[slot], &expect,
		    1)) {
			name = tmp_names[slot];
			break;
		}
	}
	n = snprintf(name, PATH_MAX, "%s/ptakesort.XXXXXX", dir);
	if (n < 0 || n >= PATH_MAX) {
		if (slot < TMP_SLOTS)
			atomic_store(&tmp_state[slot], 0);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (slot < TMP_SLOTS)
		atomic_store(&tmp_state[slot], 2);
	fd = mkstemp(name);
	saved = errno;
	if (fd >= 0)
		unlink(name);
	if (slot < TMP_SLOTS)
		atomic_store(&tmp_state[slot], 0);
	if (fd < 0) {
		errno = saved;
		return NULL;
	}
	f = pf_xcalloc(1, sizeof(*f));
	f->fd = fd;
	f->live = 1;		/* the creator's reference */
	return f;
}

bool
tmp_probe(const char *dir)
{
	struct tmpfile *f;

	if ((f = tmp_create(dir)) == NULL)
		return false;
	close(f->fd);
	free(f);
	return true;
}

void
tmp_release(struct tmpfile *f)
{
	if (--f->live > 0)
		return;
	close(f->fd);
	free(f);
}

/* Writes the buffer at the end of the file. Returns 0 or -1 (errno). */
static int
flush_writer(struct run_writer *rw)
{
	const char *p = rw->buf.data;
	size_t left = rw->buf.len;
	ssize_t n;

	while (left > 0) {
		n = pwrite(rw->file->fd, p, left, rw->file->size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		left -= (size_t)n;
		rw->file->size += n;
	}
	rw->buf.len = 0;
	return 0;
}

void
run_begin(struct run_writer *rw, const struct takesort *ts,
    struct tmpfile *file, unsigned strmask)
{
	rw->ts = ts;
	rw->file = file;
	rw->run = (struct run){ .file = file, .off = file->size,
	    .strmask = strmask };
	rw->buf.len = 0;
}

/* Its keys, raw bytes, '\n' and key texts. */
size_t
blob_bytes(const struct takesort *ts, const struct blob *b)
{
	const char *base = (const char *)b;
	const char *end = (const char *)(b->vals + ts->nkeys) + b->raw_len + 1;
	size_t j;

	for (j = 0; j < ts->nkeys; j++)
		if (b->vals[j].s + b->vals[j].len > end)
			end = b->vals[j].s + b->vals[j].len;
	return ((size_t)(end - base) + 7) & ~(size_t)7;
}

int
run_put(struct run_writer *rw, const struct sort_item *it)
{
	const struct takesort *ts = rw->ts;
	size_t size = blob_bytes(ts, it->blob), at, j;
	uint64_t hdr[3] = { it->hint, it->order, size };
	struct blob *copy;

	pf_buf_add(&rw->buf, (const char *)hdr, sizeof(hdr));
	at = rw->buf.len;
	pf_buf_add(&rw->buf, (const char *)it->blob, size);
	copy = (struct blob *)(rw->buf.data + at);
	for (j = 0; j < ts->nkeys; j++)
		copy->vals[j].s = (const char *)(uintptr_t)
		    (it->blob->vals[j].s - (const char *)it->blob);
	rw->run.count++;
	rw->run.mem += size + sizeof(*it);
	if (rw->buf.len >= WRITE_CHUNK)
		return flush_writer(rw);
	return 0;
}

int
run_end(struct run_writer *rw, struct run *run)
{
	if (flush_writer(rw) != 0)
		return -1;
	rw->run.len = rw->file->size - rw->run.off;
	rw->file->live++;
	*run = rw->run;
	pf_buf_free(&rw->buf);
	return 0;
}

void
run_abandon(struct run_writer *rw)
{
	pf_buf_free(&rw->buf);
}

/*
 * Makes at least need bytes of the run readable from s->buf + s->start.
 * Returns 0, or -1 with errno set (EIO for a run cut short).
 */
static int
source_fill(struct source *s, size_t need)
{
	size_t want;
	ssize_t n;

	if (s->end - s->start >= need)
		return 0;
	memmove(s->buf, s->buf + s->start, s->end - s->start);
	s->end -= s->start;
	s->start = 0;
	if (need > s->cap) {
		s->cap = need > 2 * s->cap ? need : 2 * s->cap;
		s->buf = pf_xrealloc(s->buf, s->cap);
	}
	while (s->end < need) {
		want = s->cap - s->end;
		if ((off_t)want > s->left)
			want = (size_t)s->left;
		if (want == 0) {
			errno = EIO;
			return -1;
		}
		n = pread(s->run->file->fd, s->buf + s->end, want, s->pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		s->end += (size_t)n;
		s->pos += n;
		s->left -= n;
	}
	return 0;
}

/* Reads the source's next item into s->cur: 1, 0 at its end, or -1. */
static int
source_next(const struct takesort *ts, struct source *s)
{
	uint64_t hdr[3];
	struct blob *b;
	size_t j;

	if (s->items != NULL) {
		if (s->next == s->n)
			return 0;
		s->cur = s->items[s->next++];
		return 1;
	}
	if (s->buf == NULL) {
		s->cap = READ_CHUNK;
		s->buf = pf_xmalloc(s->cap);
		s->pos = s->run->off;
		s->left = s->run->len;
	}
	if (s->left == 0 && s->start == s->end)
		return 0;
	if (source_fill(s, HEADER) != 0)
		return -1;
	memcpy(hdr, s->buf + s->start, sizeof(hdr));
	if (source_fill(s, HEADER + hdr[2]) != 0)
		return -1;
	b = (struct blob *)(s->buf + s->start + HEADER);
	for (j = 0; j < ts->nkeys; j++)
		b->vals[j].s = (const char *)b + (uintptr_t)b->vals[j].s;
	s->cur = (struct sort_item){ hdr[0], hdr[1], b };
	s->start += HEADER + hdr[2];
	return 1;
}

void
source_free(struct source *s)
{
	free(s->buf);
	s->buf = NULL;
}

static void
sift_down(const struct takesort *ts, unsigned strmask, struct source **heap,
    size_t n, size_t i)
{
	struct source *tmp;
	size_t child, best;

	for (;;) {
		best = i;
		child = 2 * i + 1;
		if (child < n && item_before(ts, strmask, &heap[child]->cur,
		    &heap[best]->cur))
			best = child;
		child++;
		if (child < n && item_before(ts, strmask, &heap[child]->cur,
		    &heap[best]->cur))
			best = child;
		if (best == i)
			return;
		tmp = heap[i];
		heap[i] = heap[best];
		heap[best] = tmp;
		i = best;
	}
}

int
merge_runs(const struct takesort *ts, unsigned strmask, struct source *src,
    size_t nsrc, merge_put put, void *arg, bool *read_failed)
{
	struct source **heap = pf_xcalloc(nsrc > 0 ? nsrc : 1, sizeof(*heap));
	size_t n = 0, i;
	int r = 0;

	*read_failed = false;
	for (i = 0; i < nsrc; i++) {
		if ((r = source_next(ts, &src[i])) < 0)
			goto read_error;
		if (r > 0)
			heap[n++] = &src[i];
	}
	for (i = n / 2; i-- > 0; )
		sift_down(ts, strmask, heap, n, i);
	while (n > 0) {
		if (put(arg, &heap[0]->cur) != 0) {
			free(heap);
			return -1;
		}
		if ((r = source_next(ts, heap[0])) < 0)
			goto read_error;
		if (r == 0)
			heap[0] = heap[--n];
		sift_down(ts, strmask, heap, n, 0);
	}
	free(heap);
	return 0;
read_error:
	*read_failed = true;
	free(heap);
	return -1;
}

int
run_read(const struct takesort *ts, const struct run *run,
    int (*fn)(void *arg, const struct sort_item *it), void *arg)
{
	struct source s = { .run = run };
	int r;

	while ((r = source_next(ts, &s)) > 0)
		if (fn(arg, &s.cur) != 0) {
			r = -1;
			break;
		}
	source_free(&s);
	return r;
}
