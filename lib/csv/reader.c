/*
 * reader.c - input files as one stream of record batches (see reader.h):
 * cutting the bytes into batches, on time and count triggers too, and
 * saying why each batch ended; the files themselves are opened and read
 * in reader_open.c. A batch is filled in two steps (pf_reader_fill(), at
 * the end): get_bytes() reads until there is enough, a deadline passes or
 * the file ends; choose_cut() then picks where the batch ends.
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

/*
 * Shortens a batch to end at the next count trigger, if it holds one;
 * then sets *ended to PF_BATCH_COUNT.
 */
static size_t
cut_at_count_trigger(struct pf_reader *r, const char *buf, size_t cut,
    enum pf_batch_end *ended)
{
	size_t n, end;

	if (r->every_records == 0)
		return cut;
	n = pf_chunk_records(&r->dialect, buf, cut,
	    r->every_records - r->epoch_records, &end);
	r->epoch_records += n;
	if (r->epoch_records == r->every_records) {
		r->epoch_records = 0;
		*ended = PF_BATCH_COUNT;
		return end;
	}
	return cut;
}

/*
 * The next batch of a regular file as a byte range only (r->ranges): the
 * file is scanned in blocks of SCAN_BLOCK bytes read with pread(2), and
 * the batch ends where pf_reader_fill() would end it: at the last record
 * boundary within chunk bytes of its start, else within twice as many,
 * and so on; at the end of the file, at its end. Sets r->ended (full or
 * file end) and returns 1 or -1.
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
	r->ended = PF_BATCH_FULL;
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
			r->ended = PF_BATCH_FILE_END;
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

/*
 * Filling a batch alternates two steps: get_bytes() reads until the batch
 * holds enough bytes, or a deadline passes, or the file ends; then
 * choose_cut() picks where the batch ends, or asks for more bytes (no
 * record is complete yet). What the two share for one batch:
 */
struct filling {
	size_t		want;		/* enough bytes: try to cut from here */
	double		flush_at;	/* when what is complete must go (the
					   --flush deadline); 0: none */
};

/* What get_bytes() stopped at. */
enum got {
	GOT_ENOUGH,		/* the batch holds want bytes */
	GOT_IDLE,		/* the flush deadline passed */
	GOT_TIMER,		/* the time trigger is due */
	GOT_END,		/* the file ended (and is closed) */
	GOT_ERROR,		/* a read failed (r->error says why) */
};

/*
 * Reads from the current file onto in. On a pipe or terminal, waits for
 * input only until the flush deadline or the next timer; a time trigger
 * is checked after every read too (a busy stream ticks as well).
 *
 * A regular file too is read(2) into the batch, a batch (--chunk, 1 MiB)
 * at a time: the copy costs less than not copying. Measured on a 2-core
 * VM, flights-30m.csv (968 MB) in the page cache: read(2) of 1 MiB into
 * one buffer plus a memchr pass over it, 0.46 s (0.34 s CPU); the same
 * pass over an mmap(MAP_PRIVATE) of the file with MADV_SEQUENTIAL, 1.41 s
 * (1.21 s with MAP_POPULATE; MADV_POPULATE_READ takes 0.04 s yet the first
 * pass still takes 0.86 s, later passes 0.25 s): first touching each page
 * of a new mapping costs about 3 us here, far more than the copy, which
 * is 15% of pfilter -c true's CPU (perf record, _copy_to_iter). Larger
 * reads do not pay either: pfilter -c true, CPU (user + system) with
 * --chunk 256K 564 ms, 512K 534, 1M 486, 2M 568, 4M 520.
 */
static enum got
get_bytes(struct pf_reader *r, struct pf_buf *in, struct filling *f)
{
	ssize_t n;
	long wait;

	for (;;) {
		if (r->fd < 0)
			return GOT_END;
		if (in->len >= f->want)
			return GOT_ENOUGH;
		if (!r->regular && (wait = wait_limit(r, f->flush_at)) >= 0 &&
		    !wait_input(r, wait))
			return timer_due(r) ? GOT_TIMER : GOT_IDLE;
		if ((n = reader_read(r, in, f->want - in->len)) < 0)
			return GOT_ERROR;
		if (timer_due(r))
			return GOT_TIMER;
		if (n == 0)
			return GOT_END;
		if (r->regular || r->flush_ms < 0 || in->len == 0)
			continue;
		if (f->flush_at == 0)	/* the batch's first bytes */
			f->flush_at = pf_monotonic_ms() + (double)r->flush_ms;
		else if (pf_monotonic_ms() >= f->flush_at)
			return GOT_IDLE;	/* a steady slow stream */
	}
}

/*
 * Given what get_bytes() stopped at, sets *cut to where the batch in
 * ends and r->ended to why: at the last record boundary (full, or idle
 * input handing on what is complete), at a count trigger inside that,
 * at the end of the file (the rest is the last record), or at a time
 * trigger (even with nothing complete: an empty batch). Returns false
 * when no record is complete yet and more bytes must come first.
 */
static bool
choose_cut(struct pf_reader *r, const struct pf_buf *in, enum got got,
    struct filling *f, size_t *cut)
{
	enum pf_batch_end ended;

	switch (got) {
	case GOT_ENOUGH:
		ended = PF_BATCH_FULL;
		if ((*cut = pf_chunk_cut(&r->dialect, in->data, in->len)) == 0) {
			f->want = in->len * 2;	/* a record larger than a batch */
			return false;
		}
		break;
	case GOT_IDLE:
		ended = PF_BATCH_IDLE;
		if ((*cut = pf_chunk_cut(&r->dialect, in->data, in->len)) == 0) {
			f->flush_at = 0;	/* nothing complete: wait for it */
			return false;
		}
		break;
	case GOT_TIMER:
		ended = PF_BATCH_TIME;
		*cut = r->fd < 0 ? in->len :
		    pf_chunk_cut(&r->dialect, in->data, in->len);
		break;
	case GOT_END:
	default:
		ended = PF_BATCH_FILE_END;
		*cut = in->len;
		break;
	}
	*cut = cut_at_count_trigger(r, in->data, *cut, &ended);
	r->ended = ended;
	return true;
}

/* Whether the current file is read as byte ranges (see reader.h). */
static bool
reading_ranges(const struct pf_reader *r)
{
	return r->ranges && r->fd >= 0 && r->regular &&
	    r->codec == PF_CODEC_NONE && (!r->unite || r->union_identity) &&
	    r->every_records == 0 && r->every_ms == 0;
}

/*
 * (reader.h) Gets bytes and chooses the cut until a batch holds a record
 * or ends at a trigger; an operand that ends with nothing left opens the
 * next one.
 */
int
pf_reader_fill(struct pf_reader *r, struct pf_buf *in, int *file)
{
	struct filling f;
	enum got got;
	size_t cut;
	int opened;

	in->len = 0;
	if (r->every_ms > 0 && r->deadline == 0)
		r->deadline = pf_monotonic_ms() + (double)r->every_ms;
	for (;;) {
		/* Between files: whatever is pending ends the old one. */
		if (r->fd < 0 && r->pending.len == 0 &&
		    (opened = reader_open_next(r)) <= 0)
			return opened;
		*file = r->index;
		if (reading_ranges(r)) {
			if (fill_range(r) < 0)
				return -1;
			if (r->batch_len == 0)
				continue;	/* an empty end of file */
			pf_split_pad(in);
			return 1;
		}
		pf_buf_add(in, r->pending.data, r->pending.len);
		r->pending.len = 0;
		f.want = r->inflow != NULL ? r->chunk_decoded : r->chunk;
		f.flush_at = in->len > 0 && r->flush_ms >= 0 && !r->regular ?
		    pf_monotonic_ms() + (double)r->flush_ms : 0;
		do {
			if ((got = get_bytes(r, in, &f)) == GOT_ERROR)
				return -1;
		} while (!choose_cut(r, in, got, &f, &cut));

		/* in holds the bytes of the current file that precede offset. */
		r->batch_offset = r->regular && r->codec == PF_CODEC_NONE &&
		    (!r->unite || r->union_identity) &&
		    r->offset >= 0 ?
		    r->offset - (off_t)in->len : -1;
		r->batch_len = (off_t)cut;
		pf_buf_add(&r->pending, in->data + cut, in->len - cut);
		in->len = cut;
		if (in->len > 0 || pf_batch_at_trigger(r->ended))
			break;
	}
	if (r->unite && !r->union_identity && in->len > 0)
		reader_union_batch(r, in);
	pf_split_pad(in);
	return 1;
}
