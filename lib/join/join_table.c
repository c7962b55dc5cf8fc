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

#include "join/join_int.h"
#include "support/status.h"
#include "support/xalloc.h"

/* Reads path whole into b; 2 past memory bytes, 1 on an error. */
static int
read_whole(const char *path, size_t memory, struct pf_buf *b)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		warn("%s", path);
		return PF_FAILED;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > memory) {
		close(fd);
		return PF_USAGE;
	}
	for (;;) {
		pf_buf_reserve(b, 1 << 16);
		n = read(fd, b->data + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn("%s", path);
			close(fd);
			return PF_FAILED;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > memory) {
			close(fd);
			return PF_USAGE;
		}
	}
	close(fd);
	return 0;
}

/* Copies a split record's fields into the arena. */
static void
keep_record(struct pf_join_table *t, const struct pf_record *rec)
{
	struct pf_field *f;
	size_t i;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->recs = pf_xrealloc(t->recs, t->cap * sizeof(*t->recs));
	}
	f = pf_arena_alloc(&t->arena, (rec->nfields ? rec->nfields : 1) *
	    sizeof(*f));
	for (i = 0; i < rec->nfields; i++) {
		f[i].len = rec->fields[i].len;
		f[i].ptr = rec->fields[i].len > 0 ? pf_arena_dup(&t->arena,
		    rec->fields[i].ptr, rec->fields[i].len) : "";
	}
	t->recs[t->n].fields = f;
	t->recs[t->n].nfields = rec->nfields;
	t->recs[t->n].next = UINT32_MAX;
	t->n++;
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

int
pf_join_table_read(struct pf_join_table *t, const char *path,
    const struct pf_dialect *d, size_t memory, bool set_aside)
{
	struct pf_splitter sp = { 0 };
	struct pf_buf b = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	const char *p, *end, *why;
	size_t lines, line = 1, nrec = 0;
	int status;

	t->path = path;
	if ((status = read_whole(path, memory, &b)) != 0) {
		pf_buf_free(&b);
		return status;
	}
	p = b.data;
	if (b.len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	pf_split_pad(&b);
	end = b.data + b.len;
	while ((p = pf_split_next(&sp, d, p, end, &rec, &lines, &st)) != NULL) {
		why = pf_record_malformed(st, 0, 0);
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
		} else
			keep_record(t, &rec);
		line += lines;
	}
	if (t->schema.names == NULL)
		t->schema.names = pf_xcalloc(1, sizeof(char *));
	pf_splitter_free(&sp);
	pf_buf_free(&b);
	return status;
}

int
pf_join_table_index(struct pf_join_table *t)
{
	struct pf_eval *ev = t->keys.uses_eval ? pf_eval_new() : NULL;
	struct pf_buf key = { 0 };
	struct pf_record rec = { 0 };
	struct pf_group *g;
	uint32_t ends[2];	/* the first and the last record of a key */
	const char *why;
	size_t i;
	bool added;

	pf_groups_init(&t->index, &t->arena, sizeof(ends));
	for (i = 0; i < t->n; i++) {
		rec.fields = t->recs[i].fields;
		rec.nfields = rec.field_count = t->recs[i].nfields;
		rec.nr = i + 1;
		if ((why = pf_keys_encode(&t->keys, ev, &rec, &key)) != NULL) {
			warnx("%s: record %zu: %s", t->path, i + 1, why);
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
	return i < t->n ? 1 : 0;
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
	pf_keys_free(&t->keys);
	pf_buf_free(&t->bad);
}
