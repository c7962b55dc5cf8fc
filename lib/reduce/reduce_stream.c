/*
 * reduce_stream.c - preduce on endless input: snapshots (--every,
 * --interval) and windows (--window count:N, time:D, event:D), see
 * reduce.h and preduce(1), "ENDLESS INPUT". Here: the set-up, the
 * writer's side, snapshots, count and time windows; event windows and
 * the workers' side are stream_event.c's, times and options
 * stream_time.c's.
 *
 * DESIGN
 *
 * The engine ends a batch at every trigger: after every N records
 * (every_records) and every so many milliseconds (every_ms, an empty
 * batch when no input came). A worker folds a batch's records into a
 * shard of its own; batch_end() hands that shard over, and
 * batch_result() - on the writer thread, strictly in input order -
 * merges it into the state that the snapshots and windows are written
 * from. So a snapshot after record n holds exactly records 1..n, the
 * same for every -j, and no record waits for the end of input.
 *
 * Count windows and snapshots are decided by the position (records read
 * so far); time windows and --interval by the writer's clock at trigger
 * batches (each due time, kept on a fixed schedule from the start, is
 * met at the first trigger at or after it).
 *
 * Event windows are fixed, aligned to the epoch: a record at time t is
 * in the window starting at floor(t / D) * D. A window closes when a
 * record at least D + lateness past its start arrives; a record is late
 * when its window's start + D + lateness <= the greatest time of all
 * records before it. A worker knows the greatest time before a record
 * within its batch, so it folds a batch into one part per window (the
 * records late already within the batch are only counted); the writer
 * knows the greatest time of all earlier batches (the watermark), so it
 * takes a part as a whole or counts it late, then advances the
 * watermark and closes the windows it passed, in order of start. That is
 * exactly what one worker reading record by record would do.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reduce/stream_int.h"
#include "support/compat.h"
#include "support/number.h"
#include "support/status.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	uint64_t t;

	if (a == 0)
		return b;
	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Set-up. */

static void stream_batch_result(void *ctx, void *result,
    const struct pf_batch_info *info, struct pf_buf *out);

struct pf_stream *
pf_stream_new(struct reduce *r, struct pf_tool *tool)
{
	const struct pf_reduce_args *a = r->args;
	struct pf_stream *st = pf_xcalloc(1, sizeof(*st));

	st->r = r;
	st->kind = a->window;
	st->every = a->every;
	st->interval = a->interval_ms;
	st->wrecords = a->window_records;
	st->wms = a->window_ms;
	st->span = a->window_ms + a->lateness_ms;
	st->time_name = a->time_field;
	st->watermark = INT64_MIN;
	atomic_init(&st->published, INT64_MIN);
	st->bad = r->opt->bad_path != NULL;
	tool->batch_end = pf_stream_batch_end;
	tool->batch_result = stream_batch_result;
	tool->every_records = st->every;
	if (st->kind == PF_WINDOW_COUNT)
		tool->every_records = gcd(st->every, st->wrecords);
	tool->every_ms = st->interval;
	if (st->kind == PF_WINDOW_TIME)
		tool->every_ms = (long)gcd((uint64_t)st->interval,
		    (uint64_t)st->wms);
	return st;
}

int
pf_stream_check(struct pf_stream *st, const struct pf_schema *schema)
{
	const char *name = st->time_name;

	if (name != NULL) {
		st->time_index = pf_field_lookup(schema, name, strlen(name));
		if (st->time_index < 0) {
			pf_field_unknown(schema, name, "--time");
			return PF_USAGE;
		}
	}
	return 0;
}

int
pf_stream_start(struct pf_stream *st, const struct pf_schema *schema)
{
	struct timespec ts;
	int status;

	if ((status = pf_stream_check(st, schema)) != 0)
		return status;
	st->nfields = schema->nfields;
	st->started = pf_monotonic_ms();
	st->next_snap = st->started + (double)st->interval;
	st->win_mono = st->started;
	st->win_end = st->started + (double)st->wms;
	clock_gettime(CLOCK_REALTIME, &ts);
	st->win_label = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return 0;
}

static void
part_free(struct part *p)
{
	pf_reduce_shard_free(&p->s);
}

static void
parts_free(struct batch_parts *bp)
{
	size_t i;

	for (i = 0; i < bp->nparts; i++)
		part_free(&bp->parts[i]);
	free(bp->parts);
	free(bp);
}

void
pf_stream_free(struct pf_stream *st)
{
	size_t i;

	for (i = 0; i < st->nopen; i++)
		pf_reduce_shard_free(&st->open[i].s);
	free(st->open);
	pf_splitter_free(&st->splitter);
	free(st);
}

struct pf_stream_worker *
pf_stream_worker_new(struct pf_stream *st)
{
	struct pf_stream_worker *sw = pf_xcalloc(1, sizeof(*sw));

	sw->st = st;
	sw->cur = SIZE_MAX;
	sw->max_time = INT64_MIN;
	sw->date[0] = 'x';	/* matches no date */
	sw->last_len = SIZE_MAX;	/* nor any time */
	return sw;
}

void
pf_stream_worker_free(struct pf_stream_worker *sw)
{
	size_t i;

	for (i = 0; i < sw->nparts; i++)
		if (i != sw->cur)
			part_free(&sw->parts[i]);
	free(sw->parts);
	free(sw);
}

void
pf_stream_absorb(struct reduce *r, struct shard *dst, struct shard *src)
{
	if (dst->groups.count == 0 && dst->values.count == 0) {
		pf_reduce_shard_free(dst);
		shard_take(dst, src);
	} else {
		pf_reduce_shard_merge(r, dst, src);
		pf_reduce_shard_free(src);
	}
	memset(src, 0, sizeof(*src));
}

void
pf_stream_write_at_time(struct pf_stream *st, struct shard *s, int64_t ms,
    struct pf_buf *out)
{
	char buf[64];
	size_t len = pf_iso_time_format_ms(ms, buf, sizeof(buf));

	pf_reduce_write_shard(st->r, s, buf, len, false, out);
}

void
pf_stream_write_at_number(struct pf_stream *st, struct shard *s, uint64_t n,
    struct pf_buf *out)
{
	char buf[PF_NUMBER_MAX];
	size_t len = pf_format_int((int64_t)n, buf);

	pf_reduce_write_shard(st->r, s, buf, len, true, out);
}

/* Whether a snapshot is due at the end of this batch. */
static bool
snapshot_due(struct pf_stream *st, const struct pf_batch_info *info)
{
	bool due = false;
	double now;

	if (st->every > 0 && info->records > 0 && st->pos % st->every == 0)
		due = true;
	if (st->interval > 0 && pf_batch_at_trigger(info->ended) &&
	    (now = pf_monotonic_ms()) >= st->next_snap) {
		due = true;
		st->next_snap += (double)st->interval;
		if (st->next_snap <= now)
			st->next_snap = now + (double)st->interval;
	}
	return due;
}

/* Writes the current state as a snapshot. */
static void
write_snapshot(struct pf_stream *st, struct pf_buf *out)
{
	struct reduce *r = st->r;
	size_t i;

	switch (st->kind) {
	case PF_WINDOW_NONE:
		pf_stream_write_at_number(st, &r->global, st->pos, out);
		break;
	case PF_WINDOW_COUNT:
		pf_stream_write_at_number(st, &r->global, st->pos / st->wrecords *
		    st->wrecords + 1, out);
		break;
	case PF_WINDOW_TIME:
		pf_stream_write_at_time(st, &r->global, st->win_label, out);
		break;
	case PF_WINDOW_EVENT:
		for (i = 0; i < st->nopen; i++)
			pf_stream_write_at_time(st, &st->open[i].s, st->open[i].start,
			    out);
		break;
	}
	st->last_snap = st->pos;
	st->snapped = true;
}

/* Ends the current count or time window: writes it, starts afresh. */
static void
end_window(struct pf_stream *st, struct pf_buf *out)
{
	struct reduce *r = st->r;

	if (st->kind == PF_WINDOW_COUNT)
		pf_stream_write_at_number(st, &r->global, st->pos - st->wrecords + 1,
		    out);
	else
		pf_stream_write_at_time(st, &r->global, st->win_label, out);
	pf_reduce_shard_free(&r->global);
	pf_reduce_shard_init(r, &r->global);
	st->win_records = 0;
	st->windows++;
}

/* Whether the current time window is over; if so, moves the next on. */
static bool
time_window_over(struct pf_stream *st, const struct pf_batch_info *info,
    int64_t *next_label)
{
	double now;
	int64_t k;

	if (!pf_batch_at_trigger(info->ended) || (now = pf_monotonic_ms()) < st->win_end)
		return false;
	k = (int64_t)((now - st->win_mono) / (double)st->wms);
	if (k < 1)
		k = 1;
	st->win_mono += (double)(k * st->wms);
	st->win_end = st->win_mono + (double)st->wms;
	*next_label = st->win_label + k * st->wms;
	return true;
}

static void
stream_batch_result(void *ctx, void *result,
    const struct pf_batch_info *info, struct pf_buf *out)
{
	struct reduce *r = ctx;
	struct pf_stream *st = r->stream;
	struct batch_parts *bp = result;
	bool window_over = false, due;
	int64_t next_label = 0;

	if (out == NULL) {
		/* Stopping: only to be freed. */
		if (bp != NULL)
			parts_free(bp);
		return;
	}
	st->pos = info->first_record - 1 + info->records;
	if (st->kind == PF_WINDOW_EVENT)
		pf_stream_event_result(st, bp, info, out);
	else if (bp != NULL) {
		st->win_records += bp->parts[0].records;
		pf_stream_absorb(r, &r->global, &bp->parts[0].s);
	}
	if (st->kind == PF_WINDOW_COUNT)
		window_over = info->records > 0 && st->pos % st->wrecords == 0;
	else if (st->kind == PF_WINDOW_TIME)
		window_over = time_window_over(st, info, &next_label);
	due = snapshot_due(st, info);
	if (window_over) {
		end_window(st, out);
		st->win_label = next_label;
		/* A snapshot now would show an empty window: none. */
	} else if (due)
		write_snapshot(st, out);
	if (bp != NULL)
		parts_free(bp);	/* what was not absorbed */
}

void
pf_stream_finish(struct pf_stream *st, struct pf_buf *out)
{
	struct reduce *r = st->r;

	if (st->snapped && st->last_snap == st->pos)
		return;		/* the last snapshot is the final result */
	switch (st->kind) {
	case PF_WINDOW_NONE:
		pf_stream_write_at_number(st, &r->global, st->pos, out);
		break;
	case PF_WINDOW_COUNT:
		if (st->win_records > 0)
			pf_stream_write_at_number(st, &r->global, st->pos / st->wrecords *
			    st->wrecords + 1, out);
		break;
	case PF_WINDOW_TIME:
		if (st->win_records > 0)
			pf_stream_write_at_time(st, &r->global, st->win_label, out);
		break;
	case PF_WINDOW_EVENT:
		pf_stream_close_windows(st, st->nopen, out);
		break;
	}
}

void
pf_stream_report(struct pf_stream *st)
{
	const char *bad = st->r->opt->bad_path;

	if (st->r->opt->stats && st->kind == PF_WINDOW_EVENT)
		fprintf(stderr, "%s: %" PRIu64 " windows closed, %" PRIu64
		    " late records, %" PRIu64 " without a time\n",
		    program_invocation_short_name, st->windows, st->late,
		    st->untimed);
	if (st->late > 0)
		warnx("%" PRIu64 " late record%s %s%s", st->late,
		    st->late == 1 ? "" : "s", bad ? "written to " : "skipped",
		    bad ? bad : "");
	if (st->untimed > 0)
		warnx("%" PRIu64 " record%s without a valid time (%s) %s%s",
		    st->untimed, st->untimed == 1 ? "" : "s", st->time_name,
		    bad ? "written to " : "skipped", bad ? bad : "");
}

