/*
 * stream_event.c - preduce's event windows (--window event:D --time F
 * [--lateness L]), and the workers' side of every snapshot and window:
 * folding a batch into a shard (one per event window) and handing it to
 * the writer at the batch's end. See "DESIGN" in reduce_stream.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/stream_int.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

/* Worker side. */

/* The part of window start, its shard made the worker's current one. */
static struct part *
part_switch(struct reduce_worker *w, int64_t start)
{
	struct pf_stream_worker *sw = w->sw;
	struct part *p;
	size_t i;

	for (i = 0; i < sw->nparts; i++)
		if (sw->parts[i].start == start)
			break;
	if (i == sw->nparts) {
		if (sw->nparts == sw->cap) {
			sw->cap = sw->cap ? 2 * sw->cap : 4;
			sw->parts = pf_xrealloc(sw->parts, sw->cap *
			    sizeof(*sw->parts));
			for (i = 0; i < sw->nparts; i++)
				shard_take(&sw->parts[i].s, &sw->parts[i].s);
		}
		p = &sw->parts[sw->nparts++];
		memset(p, 0, sizeof(*p));
		p->start = start;
		pf_reduce_shard_init(w->r, &p->s);
	}
	if (sw->cur != SIZE_MAX)
		shard_take(&sw->parts[sw->cur].s, &w->s);
	else
		pf_reduce_shard_free(&w->s);	/* empty, unused */
	shard_take(&w->s, &sw->parts[i].s);
	sw->cur = i;
	return &sw->parts[i];
}

void
pf_stream_record(struct reduce_worker *w, const struct pf_record *rec)
{
	struct pf_stream_worker *sw = w->sw;
	struct pf_stream *st = sw->st;
	const struct pf_field *f;
	struct part *p;
	int64_t t, start, seen;

	if (st->kind != PF_WINDOW_EVENT) {
		pf_reduce_fold(w, rec);
		sw->records++;
		return;
	}
	if ((size_t)st->time_index >= rec->nfields)
		goto untimed;
	f = &rec->fields[st->time_index];
	/* Many records share their time, most their date, with the last. */
	if (f->len == sw->last_len && memcmp(f->ptr, sw->last, f->len) == 0)
		t = sw->last_ms;
	else if (f->len >= 10 && memcmp(f->ptr, sw->date, 10) == 0) {
		if (!pf_stream_clock_ms(f->ptr + 10, f->ptr + f->len, &t))
			goto untimed;
		t += sw->date_ms;
	} else if (f->len >= 10 && f->ptr[4] == '-' &&
	    pf_iso_date(f->ptr, &sw->date_ms)) {
		sw->date_ms *= 1000;
		memcpy(sw->date, f->ptr, 10);
		if (!pf_stream_clock_ms(f->ptr + 10, f->ptr + f->len, &t))
			goto untimed;
		t += sw->date_ms;
	} else if (!pf_stream_parse_time(f->ptr, f->len, &t))
		goto untimed;
	if (f->len <= sizeof(sw->last) && t != sw->last_ms) {
		memcpy(sw->last, f->ptr, f->len);
		sw->last_len = f->len;
		sw->last_ms = t;
	}
	if (t >= sw->win_lo && t < sw->win_hi)
		start = sw->win_lo;
	else {
		start = floor_div(t, st->wms) * st->wms;
		sw->win_lo = start;
		sw->win_hi = start + st->wms;
	}
	if (sw->cur != SIZE_MAX && sw->parts[sw->cur].start == start)
		p = &sw->parts[sw->cur];
	else
		p = part_switch(w, start);
	/*
	 * Late within the batch, or behind a watermark the writer published
	 * (of earlier batches only, so a lower bound of the exact one).
	 */
	seen = atomic_load_explicit(&st->published, memory_order_relaxed);
	if (sw->max_time > seen)
		seen = sw->max_time;
	if (seen != INT64_MIN && start + st->span <= seen) {
		p->late++;
		return;
	}
	pf_reduce_fold(w, rec);
	p->records++;
	if (t > sw->max_time)
		sw->max_time = t;
	return;
untimed:
	sw->untimed++;
}

void *
pf_stream_batch_end(void *worker)
{
	struct reduce_worker *w = worker;
	struct pf_stream_worker *sw = w->sw;
	struct batch_parts *bp;

	if (sw->st->kind != PF_WINDOW_EVENT) {
		if (sw->records == 0)
			return NULL;
		bp = pf_xcalloc(1, sizeof(*bp));
		bp->parts = pf_xcalloc(1, sizeof(*bp->parts));
		bp->nparts = 1;
		bp->parts[0].records = sw->records;
		shard_take(&bp->parts[0].s, &w->s);
		pf_reduce_shard_init(w->r, &w->s);
		sw->records = 0;
		return bp;
	}
	if (sw->nparts == 0 && sw->untimed == 0)
		return NULL;
	bp = pf_xcalloc(1, sizeof(*bp));
	if (sw->cur != SIZE_MAX) {
		shard_take(&sw->parts[sw->cur].s, &w->s);
		pf_reduce_shard_init(w->r, &w->s);
	}
	bp->parts = sw->parts;
	bp->nparts = sw->nparts;
	bp->max_time = sw->max_time;
	bp->untimed = sw->untimed;
	sw->parts = NULL;
	sw->nparts = sw->cap = 0;
	sw->cur = SIZE_MAX;
	sw->max_time = INT64_MIN;
	sw->untimed = 0;
	return bp;
}

/* Writer side, in input order. */

/* The open event window of this start, added in order if need be. */
static struct window *
open_window(struct pf_stream *st, int64_t start)
{
	struct window *win;
	size_t i;

	for (i = st->nopen; i > 0 && st->open[i - 1].start >= start; i--)
		if (st->open[i - 1].start == start)
			return &st->open[i - 1];
	if (st->nopen == st->capopen) {
		st->capopen = st->capopen ? 2 * st->capopen : 8;
		st->open = pf_xrealloc(st->open, st->capopen *
		    sizeof(*st->open));
	}
	memmove(st->open + i + 1, st->open + i, (st->nopen - i) *
	    sizeof(*st->open));
	/* The shards moved: their arena pointers follow them. */
	for (size_t k = i + 1; k <= st->nopen; k++)
		st->open[k].s.groups.arena = st->open[k].s.values.arena =
		    &st->open[k].s.arena;
	for (size_t k = 0; k < i; k++)
		st->open[k].s.groups.arena = st->open[k].s.values.arena =
		    &st->open[k].s.arena;
	st->nopen++;
	win = &st->open[i];
	win->start = start;
	win->records = 0;
	pf_reduce_shard_init(st->r, &win->s);
	return win;
}

void
pf_stream_close_windows(struct pf_stream *st, size_t n, struct pf_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pf_stream_write_at_time(st, &st->open[i].s, st->open[i].start, out);
		pf_reduce_shard_free(&st->open[i].s);
		st->windows++;
	}
	memmove(st->open, st->open + n, (st->nopen - n) * sizeof(*st->open));
	st->nopen -= n;
	for (i = 0; i < st->nopen; i++)
		st->open[i].s.groups.arena = st->open[i].s.values.arena =
		    &st->open[i].s.arena;
}

/*
 * --bad: reads the batch again and writes its late records and those
 * without a valid time, as one worker would have judged them.
 */
static void
write_late(struct pf_stream *st, const struct pf_batch_info *info,
    int64_t watermark)
{
	const struct pf_dialect *d = &st->r->opt->in;
	const char *p = info->in, *end = info->in + info->in_len, *next;
	enum pf_split_status status;
	struct pf_record rec;
	const struct pf_field *f;
	size_t lines, nfields = 0;
	int64_t t, start;
	bool late;

	if (info->bad == NULL || p == NULL)
		return;
	if (d->header)
		nfields = st->nfields;
	while ((next = pf_split_next(&st->splitter, d, p, end, &rec, &lines,
	    &status)) != NULL) {
		p = next;
		if (status != PF_SPLIT_OK || (d->header &&
		    rec.field_count != nfields))
			continue;	/* malformed: the engine's */
		late = true;
		if ((size_t)st->time_index < rec.nfields) {
			f = &rec.fields[st->time_index];
			if (pf_stream_parse_time(f->ptr, f->len, &t)) {
				start = floor_div(t, st->wms) * st->wms;
				late = watermark != INT64_MIN &&
				    start + st->span <= watermark;
				if (!late && t > watermark)
					watermark = t;
			}
		}
		if (late) {
			fwrite(rec.raw, 1, rec.raw_len, info->bad);
			fputc('\n', info->bad);
		}
	}
}

void
pf_stream_event_result(struct pf_stream *st, struct batch_parts *bp,
    const struct pf_batch_info *info, struct pf_buf *out)
{
	int64_t watermark = st->watermark;
	uint64_t late = 0;
	struct window *win;
	struct part *p;
	size_t i, n;

	for (i = 0; bp != NULL && i < bp->nparts; i++) {
		p = &bp->parts[i];
		late += p->late;
		if (p->records == 0)
			continue;
		if (watermark != INT64_MIN && p->start + st->span <=
		    watermark) {
			late += p->records;
			continue;
		}
		win = open_window(st, p->start);
		win->records += p->records;
		pf_stream_absorb(st->r, &win->s, &p->s);
	}
	if (bp != NULL) {
		st->untimed += bp->untimed;
		if (st->bad && (late > 0 || bp->untimed > 0))
			write_late(st, info, watermark);
		if (bp->max_time > st->watermark) {
			st->watermark = bp->max_time;
			atomic_store_explicit(&st->published, st->watermark,
			    memory_order_relaxed);
		}
	}
	st->late += late;
	for (n = 0; n < st->nopen && st->watermark != INT64_MIN &&
	    st->open[n].start + st->span <= st->watermark; n++)
		;
	pf_stream_close_windows(st, n, out);
}
