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

#include "csv/record.h"
#include "partition/partition_int.h"
#include "support/status.h"
#include "support/xalloc.h"

/*
 * Bytes after each partition's part of a group, and after rendered
 * records: records are copied 32 bytes at a time, so a copy reads and
 * writes up to GAP - 1 bytes past the end. A raw record is read from
 * its batch, which has PF_SPLIT_PAD readable bytes after its end
 * (record.h).
 */
#define GAP	32
_Static_assert(GAP <= PF_SPLIT_PAD, "a raw record's copy stays in its batch");

void
pf_partition_group_init(struct partition *p)
{
	pthread_mutex_init(&p->spare_lock, NULL);
	p->grouping = true;
}

void
pf_partition_grouping_grow(struct partition *p, struct grouping *g)
{
	if (g->sizes == NULL)
		g->sizes = pf_xcalloc(p->nparts, sizeof(*g->sizes));
	g->cap = g->cap == 0 ? 4096 : g->cap * 2;
	g->noted = pf_xrealloc(g->noted, g->cap * sizeof(*g->noted));
}

void
pf_partition_group_render(struct partition *p, struct grouping *g,
    struct noted *n, const struct pf_record *rec)
{
	size_t at = g->rendered.len;

	pf_output_record(&p->out, &g->rendered, rec->fields, rec->kinds,
	    rec->nfields);
	n->at = at;
	n->len = (uint32_t)(g->rendered.len - at);
}

/* Copies len bytes (len > 0), reading and writing up to GAP - 1 more. */
static inline void
copy_over(char *to, const char *from, size_t len)
{
	size_t i = 0;

	do {
		memcpy(to + i, from + i, GAP);
		i += GAP;
	} while (i < len);
}

/* The bytes of partition i in r (any i under --broadcast). */
static inline size_t
part_len(const struct group *r, uint64_t i)
{
	size_t len;

	if (r->to_all)
		i = 0;
	len = r->start[i + 1] - r->start[i];
	return len > 0 ? len - GAP : 0;
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
	const bool raw = p->raw_copy;
	const uint64_t nparts = p->args->broadcast ? 1 : p->nparts;
	const struct noted *n, *end = g->noted + g->nnoted;
	uint64_t i, off, *next = g->sizes;
	const char *from;
	struct group *r;
	char *to;

	if (g->nnoted == 0)
		return NULL;
	r = spare_group(p);
	r->to_all = p->args->broadcast;
	/* Each part, and a gap after it; sizes[] becomes its next byte. */
	for (off = 0, i = 0; i < nparts; i++) {
		r->start[i] = off;
		off += next[i] > 0 ? next[i] + GAP : 0;
		next[i] = r->start[i];
	}
	r->start[nparts] = off;
	pf_buf_reserve(&r->bytes, off);
	pf_buf_reserve(&g->rendered, GAP);
	from = raw ? NULL : g->rendered.data;
	for (n = g->noted; n < end; n++) {
		to = r->bytes.data + next[n->part];
		next[n->part] += n->len;
		if (raw) {
			copy_over(to, (const char *)(uintptr_t)n->at,
			    n->len - 1);
			to[n->len - 1] = '\n';
		} else
			copy_over(to, from + n->at, n->len);
	}
	r->bytes.len = off;
	memset(g->sizes, 0, nparts * sizeof(*g->sizes));
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
	size_t len;
	uint64_t i;

	for (i = 0; i < p->nparts; i++) {
		if ((len = part_len(r, i)) > 0 && pf_write_coded(p->z,
		    p->codecs[i], p->fds[i], r->bytes.data +
		    r->start[r->to_all ? 0 : i], len) < 0) {
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
