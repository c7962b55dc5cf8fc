/*
 * reader_open.c - the reader's files: opening each operand, knowing its
 * codec, reading its bytes (through a decoder when it is compressed),
 * and its header: the first file's kept, each later one's checked and
 * dropped (see reader.h). pf_reader_fill() in reader.c cuts batches.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv/chunk.h"
#include "csv/jsonl.h"
#include "csv/reader.h"
#include "csv/reader_int.h"
#include "support/xalloc.h"

/* Ends the current file: its decoder, then its descriptor (not stdin). */
void
reader_close(struct pf_reader *r)
{
	pf_inflow_free(r->inflow);
	r->inflow = NULL;
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}

int
reader_fail(struct pf_reader *r, const char *what)
{
	snprintf(r->error, sizeof(r->error), "%s: %s",
	    pf_reader_name(r, r->index), what);
	return -1;
}

/*
 * Reads once from the current file, appending to b. Returns the bytes
 * read (0 at end of file, which also closes it) or -1 on error.
 */
ssize_t
reader_read(struct pf_reader *r, struct pf_buf *b, size_t want)
{
	ssize_t n;

	/* Small --chunk sizes are honoured (tests rely on tiny batches). */
	if (want < MIN_READ)
		want = r->chunk < MIN_READ ? r->chunk : MIN_READ;
	pf_buf_reserve(b, want + 1);
	if (r->inflow != NULL) {
		n = pf_inflow_read(r->inflow, b->data + b->len, want);
		r->bytes = r->bytes_base + pf_inflow_bytes_in(r->inflow);
		if (n < 0)
			return reader_fail(r, pf_inflow_error(r->inflow));
	} else {
		do
			n = read(r->fd, b->data + b->len, want);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return reader_fail(r, strerror(errno));
		r->bytes += (uint64_t)n;
	}
	if (n == 0) {
		r->file_eof = true;
		reader_close(r);
		return 0;
	}
	b->len += (size_t)n;
	r->offset += n;
	return n;
}

/*
 * Reads the file's first bytes into pending (empty), enough to know a
 * codec; if they name one, the rest of the file is read through a
 * decoder from then on. Returns 0, or -1 on error.
 */
static int
sniff_codec(struct pf_reader *r)
{
	bool raw_eof = false;
	size_t want;
	ssize_t n;

	/* No more than a batch: small --chunk sizes are honoured. */
	want = r->chunk < MIN_READ ? r->chunk : MIN_READ;
	if (want < PF_CODEC_SNIFF)
		want = PF_CODEC_SNIFF;
	r->codec = PF_CODEC_NONE;
	pf_buf_reserve(&r->pending, want + 1);
	while (!raw_eof && (r->pending.len == 0 ||
	    pf_codec_partial(r->pending.data, r->pending.len))) {
		do
			n = read(r->fd, r->pending.data + r->pending.len,
			    want - r->pending.len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return reader_fail(r, strerror(errno));
		raw_eof = n == 0;
		r->pending.len += (size_t)n;
		r->bytes += (uint64_t)n;
		r->offset += n;
	}
	r->codec = pf_codec_sniff(r->pending.data, r->pending.len);
	if (r->codec == PF_CODEC_NONE) {
		if (raw_eof) {
			r->file_eof = true;
			reader_close(r);
		}
		return 0;
	}
	r->inflow = pf_inflow_new(r->fd, !r->regular, r->codec,
	    r->pending.data, r->pending.len, raw_eof);
	r->bytes_base = r->bytes - r->pending.len;
	r->pending.len = 0;
	(void)pf_inflow_start(r->inflow, r->start_thread);
	return 0;
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
		if (reader_read(r, &r->pending, r->pending.len) < 0)
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
int
reader_open_next(struct pf_reader *r)
{
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	struct pf_buf copy = { 0 };
	struct stat st;
	const char *path, *p;
	char why[256];
	ssize_t len;
	size_t lines;
	int status = 1;

	if (r->index + 1 >= r->npaths)
		return 0;
	path = r->paths[++r->index];
	if (strcmp(path, "-") == 0)
		r->fd = STDIN_FILENO;
	else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return reader_fail(r, strerror(errno));
	if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(r->fd);
		r->fd = -1;
		return reader_fail(r, "is a directory");
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

	if (sniff_codec(r) < 0)
		return -1;
	while (r->pending.len < 3 && !r->file_eof)
		if (reader_read(r, &r->pending, r->chunk) < 0)
			return -1;
	if (r->pending.len >= 3 && memcmp(r->pending.data, "\xEF\xBB\xBF", 3) == 0)
		drop_pending(r, 3);
	if (pf_codec_binary(r->pending.data, r->pending.len, why, sizeof(why)))
		return reader_fail(r, why);
	if (pf_chunk_cr_only(&r->dialect, r->pending.data, r->pending.len))
		return reader_fail(r, "lines end in CR only (old Mac text); "
		    "convert them first, e.g. with tr '\\r' '\\n'");
	if (!r->dialect.header)
		return 1;

	/* Skip leading empty lines, as the splitter does, then the header. */
	if ((len = read_first_record(r)) < 0)
		return -1;
	if (len == 0)
		return 1;
	len = (ssize_t)split_first(r, (size_t)len, &sp, &rec, &copy, &lines);
	if (rec.raw != NULL && r->unite)
		reader_union_header(r, &rec);
	if (rec.raw == NULL) {
		/* Only empty lines: nothing to check. */
		r->union_identity = true;
	} else if (!r->have_header) {
		pf_buf_add(&r->header, rec.raw, rec.raw_len);
		r->header_line = 1;	/* after the empty lines skipped */
		for (p = copy.data; p < rec.raw; p++)
			r->header_line += *p == '\n';
		r->header_crlf = rec.raw + rec.raw_len < copy.data + copy.len &&
		    rec.raw[rec.raw_len] == '\r';
		r->header_lines = lines;
		r->have_header = true;
	} else if (!r->unite && (rec.raw_len != r->header.len ||
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

/* -H --names a,b,c: the names given, written as a header on output. */
static void
names_schema(struct pf_schema *schema, const char *names)
{
	const char *p, *comma;
	size_t n = 1, i;

	for (p = names; *p != '\0'; p++)
		n += *p == ',';
	schema->nfields = n;
	schema->has_header = true;
	schema->names = pf_xcalloc(n, sizeof(char *));
	for (p = names, i = 0; i < n; i++, p = comma + 1) {
		if ((comma = strchr(p, ',')) == NULL)
			comma = p + strlen(p);
		schema->names[i] = pf_xstrndup(p, (size_t)(comma - p));
	}
}

/*
 * JSON Lines: the first object's keys are the fields (the stream's key
 * table, jsonl.h). rec is that first record, split from copy. Returns
 * false with r->error set when it is no object or holds a key twice.
 */
static bool
jsonl_schema(struct pf_reader *r, struct pf_schema *schema,
    const struct pf_record *rec, const struct pf_buf *copy)
{
	struct pf_jsonl_keys *keys = pf_jsonl_stream_keys();
	const char *p;
	char why[192];
	size_t line = 1;

	if (!pf_jsonl_keys_learn(keys, rec->raw, rec->raw_len, why,
	    sizeof(why))) {
		for (p = copy->data; p < rec->raw; p++)
			line += *p == '\n';
		snprintf(r->error, sizeof(r->error), "%s:%zu (record 1): %s",
		    pf_reader_name(r, r->index), line, why);
		return false;
	}
	pf_jsonl_keys_schema(keys, schema);
	return true;
}

/*
 * --union: reads every operand's header, the union of their names in
 * order of first appearance, then rewinds to read the records. Returns
 * false with r->error set on error.
 */
static bool
union_collect(struct pf_reader *r)
{
	int i, got;

	for (i = 0; i < r->npaths; i++)
		if (strcmp(r->paths[i], "-") == 0) {
			snprintf(r->error, sizeof(r->error), "--union reads "
			    "every file's header before any record: standard "
			    "input cannot be one of its files");
			return false;
		}
	r->union_collecting = true;
	while ((got = reader_open_next(r)) > 0) {
		reader_close(r);
		r->pending.len = 0;
	}
	r->union_collecting = false;
	if (got < 0)
		return false;
	r->index = -1;
	r->have_header = false;
	r->header.len = 0;
	r->bytes = 0;
	return true;
}

int
pf_reader_start(struct pf_reader *r, struct pf_schema *schema)
{
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	struct pf_buf copy = { 0 };
	enum pf_split_status status;
	ssize_t len;
	size_t lines, i;
	int got;

	memset(schema, 0, sizeof(*schema));
	if (r->unite && !union_collect(r))
		return -1;
	/* Find the first file that holds a record. */
	for (;;) {
		if ((got = reader_open_next(r)) <= 0) {
			/* No record: the names given are still the fields. */
			if (got == 0 && !r->dialect.header && r->names != NULL)
				names_schema(schema, r->names);
			return got;
		}
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
		reader_close(r);
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
	if (r->dialect.format == PF_JSONL) {
		if (!jsonl_schema(r, schema, &rec, &copy)) {
			pf_splitter_free(&sp);
			pf_buf_free(&copy);
			return -1;
		}
	} else if (r->unite) {
		schema->nfields = r->union_n;
		schema->has_header = true;
		schema->names = pf_xcalloc(r->union_n, sizeof(char *));
		for (i = 0; i < r->union_n; i++)
			schema->names[i] = pf_xstrdup(r->union_names[i]);
	} else if (!r->dialect.header && r->names != NULL)
		names_schema(schema, r->names);
	else
		make_schema(schema, &rec, r->dialect.header);
	pf_splitter_free(&sp);
	pf_buf_free(&copy);
	return 1;
}
