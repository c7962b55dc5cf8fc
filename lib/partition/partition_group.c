/*
 * partition_group.c - -o with -n: each worker groups its batch's records
 * by partition, and the writer thread writes each group to its file with
 * one write(2).
 *
 * While it splits a batch, a worker only notes where each record is and
 * where it goes (its raw input bytes, which last as long as the batch,
 * or the bytes output.c wrote for it) and adds up each partition's
 * bytes. At the batch's end (batch_end) it copies the records once, in
 * input order, into one buffer laid out partition after partition; the
 * writer takes that buffer in input order (batch_result), writes each
 * partition's part and puts the buffer back in a pool of spare ones,
 * which keeps its pages: nothing is copied on the writer thread, no page
 * is faulted in again. A pool holds at most a group per batch in flight
 * and per worker, each about one batch of bytes (--broadcast: the
 * records once, the same bytes written to every file).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "partition/partition_int.h"
#include "support/status.h"
#include "support/xalloc.h"

/* One record noted by a worker. */
struct noted {
	uint64_t	at;		/* raw_copy: the address of its raw
					   bytes; else its offset in rendered */
	uint32_t	len;		/* bytes written (raw: + the LF) */
	uint32_t	part;
};

void
pf_partition_group_init(struct partition *p)
{
	pthread_mutex_init(&p->spare_lock, NULL);
	p->grouping = true;
}

void
pf_partition_group_note(struct partition *p, struct grouping *g,
    uint64_t part, const struct pf_record *rec)
{
	struct noted *n;
	size_t at;

	if (g->sizes == NULL)
		g->sizes = pf_xcalloc(p->nparts, sizeof(*g->sizes));
	if (g->nnoted == g->cap) {
		g->cap = g->cap == 0 ? 4096 : g->cap * 2;
		g->noted = pf_xrealloc(g->noted, g->cap * sizeof(*g->noted));
	}
	n = &g->noted[g->nnoted++];
	if (p->raw_copy) {
		n->at = (uint64_t)(uintptr_t)rec->raw;
		n->len = (uint32_t)rec->raw_len + 1;
	} else {
		at = g->rendered.len;
		pf_output_record(&p->out, &g->rendered, rec->fields,
		    rec->kinds, rec->nfields);
		n->at = at;
		n->len = (uint32_t)(g->rendered.len - at);
	}
	n->part = (uint32_t)part;
	if (!p->args->broadcast)
		g->sizes[part] += n->len;
}

/*
 * The largest buffer kept for the next batch: a batch is at most
 * PF_DECODED_CHUNKS (4) chunks of decoded input (engine_int.h); what one
 * huge record grew is let go.
 */
static size_t
keep_limit(const struct partition *p)
{
	return 16 * p->opt->chunk + 65536;
}

/* A group from the pool, or a new one. */
static struct group *
spare_group(struct partition *p)
{
	struct group *r;

	pthread_mutex_lock(&p->spare_lock);
	if ((r = p->spare) != NULL)
		p->spare = r->next;
	pthread_mutex_unlock(&p->spare_lock);
	if (r == NULL) {
		r = pf_xcalloc(1, sizeof(*r));
		r->start = pf_xcalloc(p->nparts + 1, sizeof(*r->start));
	}
	r->bytes.len = 0;
	return r;
}

struct group *
pf_partition_group_end(struct partition *p, struct grouping *g)
{
	const bool to_all = p->args->broadcast, raw = p->raw_copy;
	const char *from = raw ? NULL : g->rendered.data;
	struct group *r;
	uint64_t i, off, total, *cursor = g->sizes;
	const struct noted *n, *end = g->noted + g->nnoted;
	char *to;

	if (g->nnoted == 0)
		return NULL;
	r = spare_group(p);
	r->to_all = to_all;
	total = 0;
	if (to_all) {
		for (n = g->noted; n < end; n++)
			total += n->len;
	} else {
		/* sizes[] becomes each partition's next byte, from 0 again. */
		for (i = 0; i < p->nparts; i++) {
			r->start[i] = off = total;
			total += cursor[i];
			cursor[i] = off;
		}
		r->start[p->nparts] = total;
	}
	pf_buf_reserve(&r->bytes, total);
	for (n = g->noted, off = 0; n < end; n++) {
		to = r->bytes.data + (to_all ? off : cursor[n->part]);
		if (raw) {
			memcpy(to, (const char *)(uintptr_t)n->at, n->len - 1);
			to[n->len - 1] = '\n';
		} else
			memcpy(to, from + n->at, n->len);
		if (to_all)
			off += n->len;
		else
			cursor[n->part] += n->len;
	}
	r->bytes.len = total;
	if (!to_all)
		memset(g->sizes, 0, p->nparts * sizeof(*g->sizes));
	g->nnoted = 0;
	g->rendered.len = 0;
	if (g->rendered.cap > keep_limit(p))
		pf_buf_free(&g->rendered);
	return r;
}

/*
 * Writes each partition's part of r to its file. Returns 0, or -1 after
 * reporting the file that failed.
 */
static int
write_group(struct partition *p, const struct group *r)
{
	const char *s;
	size_t len;
	uint64_t i;

	for (i = 0; i < p->nparts; i++) {
		s = r->bytes.data + (r->to_all ? 0 : r->start[i]);
		len = r->to_all ? r->bytes.len : r->start[i + 1] - r->start[i];
		if (len > 0 && pf_write_coded(p->z, p->codecs[i], p->fds[i], s,
		    len) < 0) {
			pf_partition_file_failed(p, p->paths[i]);
			return -1;
		}
	}
	return 0;
}

void
pf_partition_group_write(struct partition *p, struct group *r, bool write)
{
	if (write && p->status == 0 && write_group(p, r) < 0)
		p->tool->stop_status = PF_FAILED;
	if (r->bytes.cap > keep_limit(p))
		pf_buf_free(&r->bytes);
	pthread_mutex_lock(&p->spare_lock);
	r->next = p->spare;
	p->spare = r;
	pthread_mutex_unlock(&p->spare_lock);
}

void
pf_partition_grouping_free(struct grouping *g)
{
	free(g->noted);
	free(g->sizes);
	pf_buf_free(&g->rendered);
}

void
pf_partition_group_finish(struct partition *p)
{
	struct group *r;

	if (!p->grouping)
		return;
	while ((r = p->spare) != NULL) {
		p->spare = r->next;
		pf_buf_free(&r->bytes);
		free(r->start);
		free(r);
	}
	pthread_mutex_destroy(&p->spare_lock);
}
