/*
 * peek.c - pflow head, tail and headers (see peek.h).
 *
 * Workers format their records into a per-batch list (batch_end hands
 * it on); batch_result, in input order on the writer, keeps what the
 * look needs: head writes records until it has n and then stops the run
 * (its emit says the pipe is done, which the engine takes quietly); tail
 * keeps a ring of the last n records and writes them at the end;
 * headers counts the kinds of value of each field in the first n.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv/output.h"
#include "engine/engine.h"
#include "front/peek.h"
#include "support/valuekind.h"
#include "support/xalloc.h"

/* A batch's records, formatted, one after another. */
struct records {
	struct pf_buf	 text;
	size_t		*ends;		/* where each record ends in text */
	size_t		 n, cap;
	unsigned	*kinds;		/* headers: bit per kind, per field */
	size_t		 nkinds;
};

struct peek {
	const struct pf_options	*opt;
	enum pf_peek_mode	 mode;
	uint64_t		 n, seen;
	struct pf_output	 out;
	bool			 output_ready, done;
	struct pf_buf		*ring;		/* tail: the last n records */
	size_t			 ring_next;
	size_t			 nfields;
	char			**names;
	unsigned		*kinds;		/* headers: seen kinds per field */
};

struct peek_worker {
	struct peek	*peek;
	struct records	*batch;
};

static int
peek_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct peek *p = ctx;
	size_t i;

	p->nfields = schema->nfields;
	p->names = pf_xcalloc(schema->nfields + 1, sizeof(char *));
	for (i = 0; i < schema->nfields; i++)
		p->names[i] = pf_xstrdup(schema->names[i]);
	p->kinds = pf_xcalloc(schema->nfields + 1, sizeof(*p->kinds));
	pf_output_init(&p->out, p->opt->out_format, p->opt->out_delim,
	    p->names, p->nfields);
	p->output_ready = true;
	if (p->mode != PF_PEEK_HEADERS && schema->has_header)
		pf_output_header(&p->out, out);
	return 0;
}

static void *
peek_worker_new(void *ctx)
{
	struct peek_worker *w = pf_xcalloc(1, sizeof(*w));

	w->peek = ctx;
	return w;
}

static void
records_free(struct records *r)
{
	if (r == NULL)
		return;
	pf_buf_free(&r->text);
	free(r->ends);
	free(r->kinds);
	free(r);
}

static void
peek_worker_free(void *worker)
{
	struct peek_worker *w = worker;

	records_free(w->batch);
	free(w);
}

static uint64_t
peek_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct peek_worker *w = worker;
	struct records *r;
	struct pf_number num;
	size_t i;

	(void)out;
	if (w->batch == NULL)
		w->batch = pf_xcalloc(1, sizeof(*w->batch));
	r = w->batch;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->ends = pf_xrealloc(r->ends, r->cap * sizeof(*r->ends));
	}
	if (w->peek->mode == PF_PEEK_HEADERS) {
		/* One word per field: a bit per kind, bit 4 if not empty. */
		r->kinds = pf_xrealloc(r->kinds, (r->nkinds + rec->nfields) *
		    sizeof(*r->kinds));
		for (i = 0; i < rec->nfields; i++)
			r->kinds[r->nkinds + i] = rec->fields[i].len == 0 ? 0 :
			    1u << pf_value_kind(rec->fields[i].ptr,
			    rec->fields[i].len, &num) | 1u << PF_NKINDS;
		r->nkinds += rec->nfields;
		r->ends[r->n++] = r->nkinds;
		return 0;
	}
	pf_output_record(&w->peek->out, &r->text, rec->fields, rec->kinds,
	    rec->nfields);
	r->ends[r->n++] = r->text.len;
	return 0;
}

static void *
peek_batch_end(void *worker)
{
	struct peek_worker *w = worker;
	struct records *r = w->batch;

	w->batch = NULL;
	return r;
}

/* tail: record i of r into the ring, over the oldest. */
static void
ring_add(struct peek *p, const char *s, size_t len)
{
	struct pf_buf *slot = &p->ring[p->ring_next];

	slot->len = 0;
	pf_buf_add(slot, s, len);
	p->ring_next = (p->ring_next + 1) % p->n;
}

static void
peek_batch_result(void *ctx, void *result, const struct pf_batch_info *info,
    struct pf_buf *out)
{
	struct peek *p = ctx;
	struct records *r = result;
	size_t i, start = 0, f;

	(void)info;
	for (i = 0; r != NULL && out != NULL && i < r->n; i++) {
		size_t end = r->ends[i];

		if (p->mode == PF_PEEK_TAIL) {
			if (p->n > 0)
				ring_add(p, r->text.data + start, end - start);
		} else if (p->seen >= p->n)
			break;
		else if (p->mode == PF_PEEK_HEAD)
			pf_buf_add(out, r->text.data + start, end - start);
		else
			for (f = 0; f < end - start && f < p->nfields; f++)
				p->kinds[f] |= r->kinds[start + f];
		p->seen++;
		start = end;
	}
	if (p->mode != PF_PEEK_TAIL && p->seen >= p->n)
		p->done = true;
	records_free(r);
}

/* head and headers: a closed pipe to the engine once they have enough. */
static int
peek_emit(void *ctx, const struct pf_buf *out)
{
	struct peek *p = ctx;

	if (p->mode != PF_PEEK_HEADERS &&
	    pf_write_all(STDOUT_FILENO, out->data, out->len) < 0)
		return -1;
	if (p->done) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

static const char *
type_name(unsigned kinds)
{
	if (!(kinds & 1u << PF_NKINDS))
		return "empty";
	kinds &= ~(1u << PF_NKINDS);
	if (kinds == 1u << PF_KIND_INTEGER)
		return "integer";
	if ((kinds & ~(1u << PF_KIND_INTEGER | 1u << PF_KIND_DECIMAL)) == 0)
		return "decimal";
	if (kinds == 1u << PF_KIND_DATE)
		return "date";
	return "text";
}

static void
peek_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct peek *p = ctx;
	size_t i, k;

	(void)workers;
	(void)nworkers;
	if (p->mode == PF_PEEK_TAIL) {
		k = p->seen < p->n ? 0 : p->ring_next;
		for (i = 0; i < p->n && i < p->seen; i++)
			pf_buf_add(out, p->ring[(k + i) % p->n].data,
			    p->ring[(k + i) % p->n].len);
	}
}

/* headers: one line per field, written after the run. */
static void
write_headers(const struct peek *p)
{
	size_t i;

	for (i = 0; i < p->nfields; i++)
		printf("%zu\t%s\t%s\n", i + 1, p->names[i],
		    type_name(p->kinds[i]));
	fflush(stdout);
}

int
pf_peek_main(const struct pf_options *opt, enum pf_peek_mode mode, long n,
    char **files, int nfiles)
{
	struct peek p = { .opt = opt, .mode = mode, .n = (uint64_t)n };
	struct pf_tool tool = {
		.ctx = &p,
		.start = peek_start,
		.worker_new = peek_worker_new,
		.worker_free = peek_worker_free,
		.record = peek_record,
		.batch_end = peek_batch_end,
		.batch_result = peek_batch_result,
		.emit = peek_emit,
		.finish = peek_finish,
	};
	size_t i;
	int status;

	if (mode == PF_PEEK_TAIL && n > 0)
		p.ring = pf_xcalloc((size_t)n, sizeof(*p.ring));
	if (mode == PF_PEEK_HEAD && n == 0)
		p.done = true;
	status = pf_run(opt, files, nfiles, &tool);
	if (mode == PF_PEEK_HEADERS && status == 0)
		write_headers(&p);
	for (i = 0; p.ring != NULL && i < (size_t)n; i++)
		pf_buf_free(&p.ring[i]);
	free(p.ring);
	for (i = 0; i < p.nfields; i++)
		free(p.names[i]);
	free(p.names);
	free(p.kinds);
	if (p.output_ready)
		pf_output_free(&p.out);
	return status;
}
