/*
 * reader.c - input files as one stream of record batches (see reader.h):
 * cutting the bytes into batches, on time and count triggers too; the
 * files themselves are opened and read in reader_open.c.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv/chunk.h"
#include "csv/reader.h"
#include "csv/reader_int.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

#define SCAN_BLOCK	(128 * 1024)	/* ranges: stays in the cache */

static char stdin_path[] = "-";
static char *stdin_paths[] = { stdin_path };

void
pf_reader_init(struct pf_reader *r, const struct pf_dialect *d,
    char **paths, int npaths, size_t chunk, long flush_ms)
{
	struct stat st;
	int i;

	memset(r, 0, sizeof(*r));
	r->dialect = *d;
	if (npaths == 0) {
		paths = stdin_paths;
		npaths = 1;
	}
	r->paths = paths;
	r->npaths = npaths;
	r->chunk = r->chunk_decoded = chunk;
	r->flush_ms = flush_ms;
	r->index = -1;
	r->fd = -1;
	r->batch_offset = -1;
	r->ids = pf_xcalloc((size_t)npaths, sizeof(*r->ids));
	for (i = 0; i < npaths; i++) {
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 ||
		    !S_ISREG(st.st_mode)) {
			r->total_bytes = 0;
			break;
		}
		r->total_bytes += (uint64_t)st.st_size;
	}
}

void
pf_reader_free(struct pf_reader *r)
{
	size_t i;

	reader_close(r);
	for (i = 0; i < r->union_n; i++)
		free(r->union_names[i]);
	free(r->union_names);
	free(r->union_map);
	pf_splitter_free(&r->union_sp);
	pf_buf_free(&r->union_out);
	pf_buf_free(&r->pending);
	pf_buf_free(&r->header);
	pf_buf_free(&r->scan);
	free(r->ids);
}

const char *
pf_reader_name(const struct pf_reader *r, int i)
{
	if (i < 0 || i >= r->npaths)
		return "";
	return strcmp(r->paths[i], "-") == 0 ? "stdin" : r->paths[i];
}

void
pf_reader_report(const struct pf_reader *r, int file, uint64_t line,
    uint64_t record, const char *why)
{
	pf_report_record(pf_reader_name(r, file), line, record, why);
}

/*
 * Whether the time trigger is due; if so, sets the next deadline (a
 * stream that was idle for several periods gets one trigger, not many).
 */
static bool
timer_due(struct pf_reader *r)
{
	double t;

	if (r->every_ms <= 0 || (t = pf_monotonic_ms()) < r->deadline)
		return false;
	r->deadline += (double)r->every_ms;
	if (r->deadline <= t)
		r->deadline = t + (double)r->every_ms;
	return true;
}

/*
 * Waits for input on a pipe or terminal for at most timeout_ms (-1: no
 * limit). Returns true when there is input (or end of file) to read.
 */
static bool
wait_input(struct pf_reader *r, long timeout_ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	int n;

	if (r->inflow != NULL)
		return pf_inflow_wait(r->inflow, timeout_ms);
	do
		n = poll(&pfd, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR);
	return n != 0;
}

/*
 * How long a read on a pipe may wait before the reader must act: until
 * the batch's flush deadline (flush_at > 0: a record waits at most
 * --flush for its batch, whether the input is idle or steadily slow),
 * or the next timer.
 */
static long
wait_limit(const struct pf_reader *r, double flush_at)
{
	long wait = -1;
	double left;

	if (flush_at > 0) {
		left = flush_at - pf_monotonic_ms();
		wait = left < 0 ? 0 : (long)left + 1;
	}

	if (r->every_ms > 0) {
		left = r->deadline - pf_monotonic_ms();
		if (left < 0)
			left = 0;
		if (wait < 0 || left < (double)wait)
			wait = (long)left + 1;
	}
	return wait;
}

/* Shortens a batch to end at the next count trigger, if it holds one. */
static size_t
cut_at_count_trigger(struct pf_reader *r, const char *buf, size_t cut)
{
	size_t n, end;

	if (r->every_records == 0)
		return cut;
	n = pf_chunk_records(&r->dialect, buf, cut,
	    r->every_records - r->epoch_records, &end);
	r->epoch_records += n;
	if (r->epoch_records == r->every_records) {
		r->epoch_records = 0;
		r->trigger = true;
		return end;
	}
	return cut;
}

/*
 * The next batch of a regular file as a byte range only (r->ranges): the
 * file is scanned in blocks of SCAN_BLOCK bytes read with pread(2), and
 * the batch ends where pf_reader_fill() would end it: at the last record
 * boundary within chunk bytes of its start, else within twice as many,
 * and so on; at the end of the file, at its end. Returns 1 or -1.
 */
static int
fill_range(struct pf_reader *r)
{
	off_t start, pos, limit, cut = -1;
	enum pf_scan_state state = PF_SCAN_START;
	size_t want, at;
	ssize_t n;

	/* What reader_open_next() read past the header is not handed out yet. */
	r->offset -= (off_t)r->pending.len;
	r->bytes -= r->pending.len;
	r->pending.len = 0;
	start = pos = r->offset;
	limit = start + (off_t)r->chunk;
	pf_buf_reserve(&r->scan, SCAN_BLOCK);
	for (;;) {
		want = limit - pos < SCAN_BLOCK ? (size_t)(limit - pos) :
		    SCAN_BLOCK;
		do
			n = pread(r->fd, r->scan.data, want, pos);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return reader_fail(r, strerror(errno));
		if (n == 0) {		/* the rest is the last record */
			cut = pos;
			r->file_eof = true;
			if (r->fd == STDIN_FILENO)	/* as if read to the end */
				(void)lseek(r->fd, pos, SEEK_SET);
			else
				close(r->fd);
			r->fd = -1;
			break;
		}
		if ((at = pf_chunk_scan(&r->dialect, r->scan.data, (size_t)n,
		    &state)) > 0)
			cut = pos + (off_t)at;
		pos += n;
		r->bytes += (uint64_t)n;
		if (pos == limit) {
			if (cut > start)
				break;
			limit = start + 2 * (pos - start); /* a record longer */
		}
	}
	r->bytes -= (uint64_t)(pos - cut);	/* scanned again next time */
	r->batch_offset = start;
	r->batch_len = cut - start;
	r->offset = cut;
	return 1;
}

int
pf_reader_fill(struct pf_reader *r, struct pf_buf *in, int *file)
{
	size_t cut, next_try;
	double flush_at;	/* when what is complete must go; 0: none */
	ssize_t n;
	long wait;
	int got;

	in->len = 0;
	r->trigger = false;
	if (r->every_ms > 0 && r->deadline == 0)
		r->deadline = pf_monotonic_ms() + (double)r->every_ms;
	for (;;) {
		/* Between files: whatever is pending ends the old one. */
		if (r->fd < 0 && r->pending.len == 0) {
			if ((got = reader_open_next(r)) <= 0)
				return got;
		}
		if (r->ranges && r->fd >= 0 && r->regular &&
		    r->codec == PF_CODEC_NONE &&
		    (!r->unite || r->union_identity) &&
		    r->every_records == 0 && r->every_ms == 0) {
			*file = r->index;
			if (fill_range(r) < 0)
				return -1;
			if (r->batch_len == 0)
				continue;	/* an empty end of file */
			pf_split_pad(in);
			return 1;
		}
		*file = r->index;
		pf_buf_add(in, r->pending.data, r->pending.len);
		r->pending.len = 0;
		next_try = r->inflow != NULL ? r->chunk_decoded : r->chunk;
		flush_at = in->len > 0 && r->flush_ms >= 0 && !r->regular ?
		    pf_monotonic_ms() + (double)r->flush_ms : 0;
		cut = 0;
		while (r->fd >= 0) {
			if (in->len >= next_try) {
				if ((cut = pf_chunk_cut(&r->dialect, in->data,
				    in->len)) > 0)
					break;
				next_try = in->len * 2; /* a record larger than a batch */
			}
			if (!r->regular && (wait = wait_limit(r, flush_at)) >= 0 &&
			    !wait_input(r, wait)) {
				/* Idle input: hand on what is complete. */
				cut = pf_chunk_cut(&r->dialect, in->data, in->len);
				if (timer_due(r)) {
					r->trigger = true;
					break;
				}
				if (cut > 0)
					break;
				flush_at = 0;	/* nothing complete: wait for it */
				continue;
			}
			n = reader_read(r, in, next_try - in->len);
			if (n < 0)
				return -1;
			if (timer_due(r)) {	/* a busy stream ticks too */
				cut = pf_chunk_cut(&r->dialect, in->data, in->len);
				r->trigger = true;
				break;
			}
			if (r->regular || r->flush_ms < 0 || in->len == 0)
				continue;
			if (flush_at == 0)	/* the batch's first bytes */
				flush_at = pf_monotonic_ms() + (double)r->flush_ms;
			else if (pf_monotonic_ms() >= flush_at) {
				/* A steady slow stream: its deadline is up. */
				if ((cut = pf_chunk_cut(&r->dialect, in->data,
				    in->len)) > 0)
					break;
				flush_at = pf_monotonic_ms() +
				    (double)r->flush_ms;
			}
		}
		if (r->fd < 0)
			cut = in->len;	/* end of file: the rest is the last record */
		/* in holds the bytes of the current file that precede offset. */
		r->batch_offset = r->regular && r->codec == PF_CODEC_NONE &&
		    (!r->unite || r->union_identity) &&
		    r->offset >= 0 ?
		    r->offset - (off_t)in->len : -1;
		cut = cut_at_count_trigger(r, in->data, cut);
		r->batch_len = (off_t)cut;
		pf_buf_add(&r->pending, in->data + cut, in->len - cut);
		in->len = cut;
		if (in->len > 0 || r->trigger)
			break;
	}
	if (r->unite && !r->union_identity && in->len > 0)
		reader_union_batch(r, in);
	pf_split_pad(in);
	return 1;
}
