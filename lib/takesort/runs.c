/*
 * runs.c - the whole sort's temporary files, the runs written to them,
 * and the k-way merge (see runs.h).
 *
 * A run on disk is a sequence of records, each
 *
 *	u32 size	the record's bytes, these included
 *	u32 raw_len
 *	u64 order	the item's, with ITEM_EXACT
 *	per key: u64 number, u32 offset of its text, u32 its length
 *	per key: u8 kind | is_int << 2
 *	the raw bytes, '\n', the key texts that lie elsewhere
 *
 * in the machine's byte order and unaligned: 33 bytes and the record's
 * for one key, where the blob in memory takes 64 (sortkey.c). A record
 * read back is rebuilt as a blob in the source's own buffer; its hint,
 * which depends on the outcome of the automatic keys, is made again.
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
#include "takesort/keyvalue.h"
#include "takesort/runs.h"

#define WRITE_CHUNK	(1024 * 1024)	/* a writer's buffer */
#define READ_CHUNK	(256 * 1024)	/* a source's buffer, at first */
#define TMP_SLOTS	64
#define HEADER		16		/* size, raw_len, order */
#define DISK_VAL	16		/* number, offset, length */

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
	const struct blob *b = it->blob;
	const char *raw = (const char *)(b->vals + ts->nkeys);
	size_t bytes = blob_bytes(ts, b), text, size, j;
	uint32_t u32[2];
	uint64_t num;
	char *p;

	/* The raw bytes, '\n' and key texts: what follows the vals. */
	text = b->raw_len + 1;
	for (j = 0; j < ts->nkeys; j++)
		if ((size_t)(b->vals[j].s - raw) + b->vals[j].len > text)
			text = (size_t)(b->vals[j].s - raw) + b->vals[j].len;
	size = HEADER + ts->nkeys * (DISK_VAL + 1) + text;
	if (size > UINT32_MAX || b->raw_len > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	pf_buf_reserve(&rw->buf, size);
	p = rw->buf.data + rw->buf.len;
	u32[0] = (uint32_t)size;
	u32[1] = (uint32_t)b->raw_len;
	memcpy(p, u32, 8);
	memcpy(p + 8, &it->order, 8);
	p += HEADER;
	for (j = 0; j < ts->nkeys; j++, p += DISK_VAL) {
		memcpy(&num, &b->vals[j].i, 8);
		u32[0] = (uint32_t)(b->vals[j].s - raw);
		u32[1] = (uint32_t)b->vals[j].len;
		memcpy(p, &num, 8);
		memcpy(p + 8, u32, 8);
	}
	for (j = 0; j < ts->nkeys; j++)
		*p++ = (char)(b->vals[j].kind | b->vals[j].is_int << 2);
	memcpy(p, raw, text);
	rw->buf.len += size;
	rw->run.count++;
	rw->run.mem += bytes + sizeof(*it);
	if (rw->buf.len >= WRITE_CHUNK)
		return flush_writer(rw);
	return 0;
}

int
run_end(struct run_writer *rw, struct run *run)
{
	if (flush_writer(rw) != 0) {
		pf_buf_free(&rw->buf);
		return -1;
	}
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

/*
 * Reads the source's next item into s->cur, its hint made under
 * strmask: 1, 0 at its end, or -1 with errno set.
 */
static int
source_next(const struct takesort *ts, unsigned strmask, struct source *s)
{
	const size_t nkeys = ts->nkeys;
	const char *p;
	uint32_t u32[2];
	uint64_t order;
	size_t size, text, need, j;
	struct blob *b;
	char *raw;

	if (s->items != NULL) {
		if (s->next == s->n)
			return 0;
		/* In sorted order the blobs are far apart: fetch ahead. */
		if (s->next + 8 < s->n)
			__builtin_prefetch(s->items[s->next + 8].blob);
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
	memcpy(u32, s->buf + s->start, 8);
	size = u32[0];
	if (size < HEADER + nkeys * (DISK_VAL + 1) + 1) {
		errno = EIO;
		return -1;
	}
	if (source_fill(s, size) != 0)
		return -1;
	p = s->buf + s->start;
	memcpy(&order, p + 8, 8);
	text = size - HEADER - nkeys * (DISK_VAL + 1);
	need = sizeof(struct blob) + nkeys * sizeof(struct val) + text;
	if (need > s->blob_cap) {
		free(s->blob);
		s->blob_cap = need + need / 2;
		s->blob = pf_xmalloc(s->blob_cap);
	}
	b = (struct blob *)s->blob;
	b->raw_len = u32[1];
	raw = (char *)(b->vals + nkeys);
	memcpy(raw, p + HEADER + nkeys * (DISK_VAL + 1), text);
	for (j = 0; j < nkeys; j++) {
		const char *d = p + HEADER + j * DISK_VAL;
		unsigned char flags = (unsigned char)
		    p[HEADER + nkeys * DISK_VAL + j];

		memcpy(&b->vals[j].i, d, 8);
		memcpy(u32, d + 8, 8);
		b->vals[j].s = raw + u32[0];
		b->vals[j].len = u32[1];
		b->vals[j].kind = flags & 3;
		b->vals[j].is_int = flags >> 2;
	}
	s->start += size;
	s->cur = (struct sort_item){ hint_of(ts, &b->vals[0], strmask),
	    order, b };
	return 1;
}

void
source_free(struct source *s)
{
	free(s->buf);
	free(s->blob);
	s->buf = s->blob = NULL;
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
		if ((r = source_next(ts, strmask, &src[i])) < 0)
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
		if ((r = source_next(ts, strmask, heap[0])) < 0)
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

	while ((r = source_next(ts, 0, &s)) > 0)
		if (fn(arg, &s.cur) != 0) {
			r = -1;
			break;
		}
	source_free(&s);
	return r;
}
