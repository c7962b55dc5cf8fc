/*
 * join_table.c - pjoin's TABLE: read whole into memory, split into
 * records, and indexed by key (see join_int.h).
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv/codec.h"
#include "csv/jsonl.h"
#include "join/join_int.h"
#include "support/status.h"
#include "support/xalloc.h"

/* TABLE's name in messages: stdin for "-". */
static const char *
table_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* Reads path ("-": stdin) whole into b; 2 past memory bytes, 1 on an error. */
static int
read_whole(const char *path, size_t memory, struct pf_buf *b)
{
	struct stat st;
	ssize_t n;
	int fd = STDIN_FILENO, status = 0;

	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		warn("%s", path);
		return PF_FAILED;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0) {
		if ((uint64_t)st.st_size > memory)
			status = PF_USAGE;
		else	/* no doubling: the buffer is the file's size */
			pf_buf_reserve(b, (size_t)st.st_size + PF_SPLIT_PAD +
			    1);
	}
	while (status == 0) {
		pf_buf_reserve(b, 1 << 16);
		n = read(fd, b->data + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn("%s", table_name(path));
			status = PF_FAILED;
		} else if (n == 0)
			break;
		else if ((b->len += (size_t)n) > memory)
			status = PF_USAGE;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}

/*
 * A compressed TABLE (gzip, zstd, bzip2, xz: its first bytes say) is
 * decoded whole, as the stream is: b then holds the text. 2 past memory
 * bytes, 1 on a truncated or corrupt file (said).
 */
static int
decode_whole(const char *path, size_t memory, struct pf_buf *b)
{
	enum pf_codec c = pf_codec_sniff(b->data, b->len);
	const unsigned char *in = (const unsigned char *)b->data;
	struct pf_buf text = { 0 };
	struct pf_decoder *d;
	size_t in_len = b->len, produced;
	const char *why;
	int status = 0, done = 0;

	if (c == PF_CODEC_NONE)
		return 0;
	d = pf_decoder_new(c);
	while (done == 0) {
		pf_buf_reserve(&text, 1 << 16);
		done = pf_decoder_run(d, &in, &in_len,
		    (unsigned char *)text.data + text.len, text.cap - text.len,
		    &produced, true, &why);
		text.len += produced;
		if (done < 0) {
			warnx("%s: %s", table_name(path), why);
			status = PF_FAILED;
		} else if (text.len > memory)
			status = PF_USAGE;
		if (status != 0)
			break;
	}
	pf_decoder_free(d);
	if (status == 0) {
		pf_buf_free(b);
		*b = text;
	} else
		pf_buf_free(&text);
	return status;
}

size_t
pf_join_table_cost(const struct pf_join_table *t)
{
	const struct pf_groups *g = &t->index;

	return t->bytes.len + t->arena.reserved +
	    t->cap * sizeof(*t->recs) + (g->slots != NULL ?
	    (g->mask + 1) * sizeof(*g->slots) + g->nchunks *
	    (PF_GROUP_CHUNK * g->stride + sizeof(*g->chunks)) : 0);
}

/*
 * Keeps a split record: its fields point into TABLE's bytes, or are
 * copied into the arena when the split unquoted them. False when that
 * would take TABLE past memory bytes (counting the records' array while
 * it grows, the old one and the new at once).
 */
static bool
keep_record(struct pf_join_table *t, const struct pf_record *rec,
    size_t memory)
{
	const char *lo = t->bytes.data, *hi = t->bytes.data + t->bytes.len;
	struct pf_field *f;
	size_t i, cap;

	if (t->n == t->cap) {
		cap = t->cap ? 2 * t->cap : 256;
		if (pf_join_table_cost(t) + cap * sizeof(*t->recs) > memory)
			return false;
		t->cap = cap;
		t->recs = pf_xrealloc(t->recs, t->cap * sizeof(*t->recs));
	}
	f = pf_arena_alloc(&t->arena, (rec->nfields ? rec->nfields : 1) *
	    sizeof(*f));
	for (i = 0; i < rec->nfields; i++) {
		f[i].len = rec->fields[i].len;
		f[i].ptr = rec->fields[i].ptr;
		if (f[i].len == 0)
			f[i].ptr = "";
		else if (f[i].ptr < lo || f[i].ptr + f[i].len > hi)
			f[i].ptr = pf_arena_dup(&t->arena, f[i].ptr, f[i].len);
	}
	t->recs[t->n].fields = f;
	t->recs[t->n].kinds = NULL;
	if (rec->kinds != NULL && rec->nfields > 0) {
		t->recs[t->n].kinds = pf_arena_alloc(&t->arena, rec->nfields);
		memcpy(t->recs[t->n].kinds, rec->kinds, rec->nfields);
	}
	t->recs[t->n].nfields = rec->nfields;
	t->recs[t->n].next = UINT32_MAX;
	t->n++;
	return pf_join_table_cost(t) <= memory;
}

/* The schema from the header record (or positions, without one). */
static void
set_schema(struct pf_join_table *t, const struct pf_record *rec, bool header)
{
	char num[24];
	size_t i;

	t->schema.nfields = rec->nfields;
	t->schema.names = pf_xcalloc(rec->nfields + 1, sizeof(char *));
	t->schema.has_header = header;
	for (i = 0; i < rec->nfields; i++) {
		if (header)
			t->schema.names[i] = pf_xstrndup(rec->fields[i].ptr,
			    rec->fields[i].len);
		else {
			snprintf(num, sizeof(num), "%zu", i + 1);
			t->schema.names[i] = pf_xstrdup(num);
		}
	}
}

/*
 * A JSON Lines TABLE: the keys of its first object (the first line that
 * is not empty, from p) are its fields, a key table of its own that sp
 * splits its lines with. Returns false (said) when that line is no
 * object or holds a key twice.
 */
static bool
jsonl_schema(struct pf_join_table *t, const char *p, const char *end,
    struct pf_splitter *sp)
{
	const char *lf;
	char why[192];
	size_t line = 1, len;

	while (p < end && (*p == '\n' ||
	    (*p == '\r' && p + 1 < end && p[1] == '\n'))) {
		p += *p == '\n' ? 1 : 2;
		line++;
	}
	t->json_keys = pf_jsonl_keys_new();
	sp->own_keys = t->json_keys;
	t->schema.has_header = true;
	if (p >= end)
		return true;	/* no record: no field */
	if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
		lf = end;
	len = (size_t)(lf - p);
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (!pf_jsonl_keys_learn(t->json_keys, p, len, why, sizeof(why))) {
		warnx("%s:%zu (record 1): %s", t->path, line, why);
		return false;
	}
	pf_jsonl_keys_schema(t->json_keys, &t->schema);
	return true;
}

int
pf_join_table_read(struct pf_join_table *t, const char *path,
    const struct pf_dialect *d, size_t memory, bool set_aside)
{
	struct pf_splitter sp = { 0 };
	struct pf_buf *b = &t->bytes;
	struct pf_record rec;
	enum pf_split_status st;
	const char *p, *end, *why;
	size_t lines, line = 1, nrec = 0;
	int status;

	t->path = table_name(path);
	if ((status = read_whole(path, memory, b)) != 0 ||
	    (status = decode_whole(path, memory, b)) != 0)
		return status;
	path = t->path;
	p = b->data;
	if (b->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	pf_split_pad(b);
	end = b->data + b->len;
	if (d->format == PF_JSONL && !jsonl_schema(t, p, end, &sp)) {
		pf_splitter_free(&sp);
		return PF_FAILED;
	}
	while ((p = pf_split_next(&sp, d, p, end, &rec, &lines, &st)) != NULL) {
		why = pf_record_malformed(st, 0, 0);
		if (st == PF_SPLIT_JSON)
			why = sp.why;	/* which key, which fault */
		if (t->schema.names == NULL && d->header) {
			if (why != NULL) {
				warnx("%s:%zu (header): %s", path, line, why);
				status = PF_FAILED;
				break;
			}
			set_schema(t, &rec, true);
			line += lines;
			continue;
		}
		if (why == NULL && t->schema.names == NULL)
			set_schema(t, &rec, false);
		nrec++;
		if (why == NULL && d->header)
			why = pf_record_malformed(st, rec.field_count,
			    t->schema.nfields);
		if (why != NULL && set_aside) {
			pf_buf_add(&t->bad, rec.raw, rec.raw_len);
			pf_buf_addc(&t->bad, '\n');
			t->nbad++;
		} else if (why != NULL) {
			pf_report_record(path, line, nrec, why);
			status = PF_FAILED;
			break;
		} else if (!keep_record(t, &rec, memory)) {
			status = PF_USAGE;
			break;
		}
		line += lines;
	}
	if (t->schema.names == NULL)
		t->schema.names = pf_xcalloc(1, sizeof(char *));
	pf_splitter_free(&sp);
	return status;
}

int
pf_join_table_index(struct pf_join_table *t, size_t memory)
{
	struct pf_eval *ev = t->keys.uses_eval ? pf_eval_new() : NULL;
	struct pf_buf key = { 0 };
	struct pf_record rec = { 0 };
	struct pf_group *g;
	uint32_t ends[2];	/* the first and the last record of a key */
	const char *why;
	size_t i;
	bool added;
	int status = 0;

	pf_groups_init(&t->index, &t->arena, sizeof(ends));
	for (i = 0; i < t->n; i++) {
		rec.fields = t->recs[i].fields;
		rec.nfields = rec.field_count = t->recs[i].nfields;
		rec.nr = i + 1;
		if ((why = pf_keys_encode(&t->keys, ev, &rec, &key)) != NULL) {
			warnx("%s: record %zu: %s", t->path, i + 1, why);
			status = PF_FAILED;
			break;
		}
		/* Its slots double past 3/4 full: both arrays at once. */
		if ((t->index.count + 1) * 4 > (t->index.mask + 1) * 3 &&
		    pf_join_table_cost(t) + 2 * (t->index.mask + 1) *
		    sizeof(*t->index.slots) > memory) {
			status = PF_USAGE;
			break;
		}
		g = pf_groups_find(&t->index, key.data, key.len, &added);
		if (added)
			ends[0] = ends[1] = (uint32_t)i;
		else {
			memcpy(ends, PF_GROUP_STATE(g), sizeof(ends));
			t->recs[ends[1]].next = (uint32_t)i;
			ends[1] = (uint32_t)i;
		}
		memcpy(PF_GROUP_STATE(g), ends, sizeof(ends));
	}
	if (ev != NULL)
		pf_eval_free(ev);
	pf_buf_free(&key);
	if (status == 0 && pf_join_table_cost(t) > memory)
		status = PF_USAGE;
	return status;
}

uint32_t
pf_join_table_first(const struct pf_join_table *t, const char *key,
    size_t len)
{
	const struct pf_group *g = pf_groups_lookup(&t->index, key, len);
	uint32_t ends[2];

	if (g == NULL)
		return UINT32_MAX;
	memcpy(ends, (const unsigned char *)g + sizeof(*g), sizeof(ends));
	return ends[0];
}

void
pf_join_table_free(struct pf_join_table *t)
{
	size_t i;

	if (t->index.slots != NULL)
		pf_groups_free(&t->index);
	pf_arena_free(&t->arena);
	free(t->recs);
	for (i = 0; t->schema.names != NULL && i < t->schema.nfields; i++)
		free(t->schema.names[i]);
	free(t->schema.names);
	pf_jsonl_keys_free(t->json_keys);
	pf_keys_free(&t->keys);
	pf_buf_free(&t->bad);
	pf_buf_free(&t->bytes);
}
