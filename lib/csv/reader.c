/*
 * reader.c - input files as one stream of record batches (see reader.h).
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
#include "support/timeutil.h"
#include "support/xalloc.h"

/* Smallest read; a pipe rarely holds more. */
#define MIN_READ	(64 * 1024)
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
	r->chunk = chunk;
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
	if (r->fd > 0)
		close(r->fd);
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

static int
fail(struct pf_reader *r, const char *what)
{
	snprintf(r->error, sizeof(r->error), "%s: %s",
	    pf_reader_name(r, r->index), what);
	return -1;
}

/*
 * Reads once from the current file, appending to b. Returns the bytes
 * read (0 at end of file, which also closes it) or -1 on error.
 */
static ssize_t
read_some(struct pf_reader *r, struct pf_buf *b, size_t want)
{
	ssize_t n;

	/* Small --chunk sizes are honoured (tests rely on tiny batches). */
	if (want < MIN_READ)
		want = r->chunk < MIN_READ ? r->chunk : MIN_READ;
	pf_buf_reserve(b, want + 1);
	do
		n = read(r->fd, b->data + b->len, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(r, strerror(errno));
	if (n == 0) {
		r->file_eof = true;
		if (r->fd != STDIN_FILENO)
			close(r->fd);
		r->fd = -1;
		return 0;
	}
	b->len += (size_t)n;
	r->bytes += (uint64_t)n;
	r->offset += n;
	return n;
}

/*
 * Reads into pending until it holds a whole first record (past any empty
 * lines) or the file ends; returns the length of the complete records in
 * pending.
 */
static ssize_t
read_first_record(struct pf_reader *r)
{
	size_t cut, empty;

	for (;;) {
		/* Empty lines before the record are no record of their own. */
		for (empty = 0; empty < r->pending.len; empty++)
			if (r->pending.data[empty] != '\n' &&
			    (r->pending.data[empty] != '\r' ||
			    empty + 1 == r->pending.len ||
			    r->pending.data[empty + 1] != '\n'))
				break;
		cut = pf_chunk_cut(&r->dialect, r->pending.data + empty,
		    r->pending.len - empty);
		if (cut > 0 || r->file_eof)
			break;
		if (read_some(r, &r->pending, r->pending.len) < 0)
			return -1;
	}
	return (ssize_t)(cut == 0 ? r->pending.len : empty + cut);
}

/*
 * Splits the first record in pending[0..len) (a copy, for the sentinel);
 * returns the bytes it spans, leading empty lines and terminator included.
 */
static size_t
split_first(struct pf_reader *r, size_t len, struct pf_splitter *sp,
    struct pf_record *rec, struct pf_buf *copy, size_t *lines)
{
	enum pf_split_status status = PF_SPLIT_OK;
	const char *next;

	copy->len = 0;
	pf_buf_add(copy, r->pending.data, len);
	pf_split_pad(copy);
	rec->raw = NULL;
	rec->nfields = 0;
	*lines = 0;
	next = pf_split_next(sp, &r->dialect, copy->data, copy->data + len,
	    rec, lines, &status);
	return next == NULL ? len : (size_t)(next - copy->data);
}

/*
 * Whether a later file's header, raw[0..len), reads as the same fields as
 * the first file's ("a",b and a,b are the same header).
 */
static bool
same_header(struct pf_reader *r, const char *raw, size_t len)
{
	struct pf_splitter sa = { 0 }, sb = { 0 };
	struct pf_buf a = { 0 }, b = { 0 };
	struct pf_record ra, rb;
	enum pf_split_status st_a, st_b;
	size_t lines, i;
	bool same;

	pf_buf_add(&a, r->header.data, r->header.len);
	pf_split_pad(&a);
	pf_buf_add(&b, raw, len);
	pf_split_pad(&b);
	same = pf_split_next(&sa, &r->dialect, a.data, a.data + a.len, &ra,
	    &lines, &st_a) != NULL && pf_split_next(&sb, &r->dialect, b.data,
	    b.data + b.len, &rb, &lines, &st_b) != NULL &&
	    st_a == PF_SPLIT_OK && st_b == PF_SPLIT_OK &&
	    ra.nfields == rb.nfields;
	for (i = 0; same && i < ra.nfields; i++)
		same = ra.fields[i].len == rb.fields[i].len &&
		    memcmp(ra.fields[i].ptr, rb.fields[i].ptr,
		    ra.fields[i].len) == 0;
	pf_splitter_free(&sa);
	pf_splitter_free(&sb);
	pf_buf_free(&a);
	pf_buf_free(&b);
	return same;
}

static void
drop_pending(struct pf_reader *r, size_t n)
{
	memmove(r->pending.data, r->pending.data + n, r->pending.len - n);
	r->pending.len -= n;
}

/*
 * Opens the next operand: drops its BOM and, with headers, checks and
 * drops its header (the first file's is kept). Returns 1, 0 when there
 * are no more operands, or -1 on error.
 */
static int
open_next(struct pf_reader *r)
{
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	struct pf_buf copy = { 0 };
	struct stat st;
	const char *path, *p;
	ssize_t len;
	size_t lines;
	int status = 1;

	if (r->index + 1 >= r->npaths)
		return 0;
	path = r->paths[++r->index];
	if (strcmp(path, "-") == 0)
		r->fd = STDIN_FILENO;
	else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail(r, strerror(errno));
	if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(r->fd);
		r->fd = -1;
		return fail(r, "is a directory");
	}
	r->regular = fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
	if (r->regular) {
		r->ids[r->index].dev = st.st_dev;
		r->ids[r->index].ino = st.st_ino;
		/* stdin may have been read from before us */
		r->offset = lseek(r->fd, 0, SEEK_CUR);
	} else
		r->offset = 0;
	r->file_eof = false;
	if (r->regular)
		posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	while (r->pending.len < 3 && !r->file_eof)
		if (read_some(r, &r->pending, r->chunk) < 0)
			return -1;
	if (r->pending.len >= 3 && memcmp(r->pending.data, "\xEF\xBB\xBF", 3) == 0)
		drop_pending(r, 3);
	if (pf_chunk_cr_only(&r->dialect, r->pending.data, r->pending.len))
		return fail(r, "lines end in CR only (old Mac text); "
		    "convert them first, e.g. with tr '\\r' '\\n'");
	if (!r->dialect.header)
		return 1;

	/* Skip leading empty lines, as the splitter does, then the header. */
	if ((len = read_first_record(r)) < 0)
		return -1;
	if (len == 0)
		return 1;
	len = (ssize_t)split_first(r, (size_t)len, &sp, &rec, &copy, &lines);
	if (rec.raw == NULL) {
		/* Only empty lines: nothing to check. */
	} else if (!r->have_header) {
		pf_buf_add(&r->header, rec.raw, rec.raw_len);
		r->header_line = 1;	/* after the empty lines skipped */
		for (p = copy.data; p < rec.raw; p++)
			r->header_line += *p == '\n';
		r->header_crlf = rec.raw + rec.raw_len < copy.data + copy.len &&
		    rec.raw[rec.raw_len] == '\r';
		r->header_lines = lines;
		r->have_header = true;
	} else if ((rec.raw_len != r->header.len ||
	    memcmp(rec.raw, r->header.data, rec.raw_len) != 0) &&
	    !same_header(r, rec.raw, rec.raw_len)) {
		snprintf(r->error, sizeof(r->error),
		    "header of %s differs from header of %s", path,
		    pf_reader_name(r, 0));
		status = -1;
	}
	if (status == 1)
		drop_pending(r, (size_t)len);
	pf_splitter_free(&sp);
	pf_buf_free(&copy);
	return status;
}

static void
make_schema(struct pf_schema *schema, const struct pf_record *rec,
    bool has_header)
{
	char name[24];
	size_t i;

	schema->nfields = rec->nfields;
	schema->has_header = has_header;
	schema->names = pf_xcalloc(rec->nfields, sizeof(char *));
	for (i = 0; i < rec->nfields; i++) {
		if (has_header) {
			schema->names[i] = pf_xstrndup(rec->fields[i].ptr,
			    rec->fields[i].len);
		} else {
			snprintf(name, sizeof(name), "%zu", i + 1);
			schema->names[i] = pf_xstrdup(name);
		}
	}
}

int
pf_reader_start(struct pf_reader *r, struct pf_schema *schema)
{
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	struct pf_buf copy = { 0 };
	enum pf_split_status status;
	ssize_t len;
	size_t lines;
	int got;

	memset(schema, 0, sizeof(*schema));
	/* Find the first file that holds a record. */
	for (;;) {
		if ((got = open_next(r)) <= 0)
			return got;
		if (r->dialect.header && r->have_header)
			break;
		if ((len = read_first_record(r)) < 0)
			return -1;
		if (len > 0 && r->pending.len > 0) {
			split_first(r, (size_t)len, &sp, &rec, &copy, &lines);
			if (rec.raw != NULL)
				break;
		}
		/* An empty file: the next one may hold the header. */
		r->pending.len = 0;
		if (r->fd > 0)
			close(r->fd);
		r->fd = -1;
	}
	if (r->dialect.header) {
		copy.len = 0;
		pf_buf_add(&copy, r->header.data, r->header.len);
		pf_split_pad(&copy);
		status = PF_SPLIT_OK;
		pf_split_next(&sp, &r->dialect, copy.data,
		    copy.data + r->header.len, &rec, &lines, &status);
		if (status != PF_SPLIT_OK) {
			pf_splitter_free(&sp);
			pf_buf_free(&copy);
			snprintf(r->error, sizeof(r->error), "%s:%zu (header): %s",
			    pf_reader_name(r, r->index), r->header_line,
			    pf_record_malformed(status, 0, 0));
			return -1;
		}
	}
	make_schema(schema, &rec, r->dialect.header);
	pf_splitter_free(&sp);
	pf_buf_free(&copy);
	return 1;
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

	/* What open_next() read past the header is not handed out yet. */
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
			return fail(r, strerror(errno));
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
			if ((got = open_next(r)) <= 0)
				return got;
		}
		if (r->ranges && r->fd >= 0 && r->regular &&
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
		next_try = r->chunk;
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
			n = read_some(r, in, next_try - in->len);
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
		r->batch_offset = r->regular && r->offset >= 0 ?
		    r->offset - (off_t)in->len : -1;
		cut = cut_at_count_trigger(r, in->data, cut);
		r->batch_len = (off_t)cut;
		pf_buf_add(&r->pending, in->data + cut, in->len - cut);
		in->len = cut;
		if (in->len > 0 || r->trigger)
			break;
	}
	pf_split_pad(in);
	return 1;
}
