/*
 * reduce_stream.c - preduce on endless input: snapshots (--every,
 * --interval) and windows (--window count:N, time:D, event:D), see
 * reduce.h and preduce(1), "ENDLESS INPUT".
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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/number.h"
#include "reduce/reduce_int.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

/* A worker's records of one event window (or of all, without them). */
struct part {
	int64_t		 start;		/* the window's start, ms */
	struct shard	 s;
	uint64_t	 records;	/* records folded into s */
	uint64_t	 late;		/* records late within the batch */
};

/* What batch_end() hands to batch_result(). */
struct batch_parts {
	struct part	*parts;
	size_t		 nparts;
	int64_t		 max_time;	/* of the folded records, or INT64_MIN */
	uint64_t	 untimed;	/* records without a valid time */
};

struct pf_stream_worker {
	struct pf_stream *st;
	struct part	*parts;		/* this batch's event windows */
	size_t		 nparts, cap;
	size_t		 cur;		/* the part whose shard is in w->s */
	uint64_t	 records;	/* folded in this batch */
	int64_t		 max_time;
	uint64_t	 untimed;
	char		 last[32];	/* the last time read, and its ms */
	size_t		 last_len;
	int64_t		 last_ms;
	char		 date[10];	/* the last date read, and its ms */
	int64_t		 date_ms;
	int64_t		 win_lo, win_hi; /* the last window, [lo, hi) */
};

/* An open event window. */
struct window {
	int64_t		 start;
	uint64_t	 records;
	struct shard	 s;
};

struct pf_stream {
	struct reduce	*r;
	enum pf_window_kind kind;
	uint64_t	 every;		/* --every */
	long		 interval;	/* --interval, ms */
	uint64_t	 wrecords;	/* count:N */
	int64_t		 wms;		/* time:D, event:D */
	int64_t		 span;		/* event: D + lateness */
	long		 time_index;	/* --time's field */
	size_t		 nfields;	/* of the header */
	const char	*time_name;

	double		 started;	/* monotonic ms at start */
	double		 next_snap;	/* next --interval snapshot due */
	double		 win_end;	/* time: the current window's end */
	double		 win_mono;	/* time: its start, monotonic ms */
	int64_t		 win_label;	/* time: its start, epoch ms */

	uint64_t	 pos;		/* records read so far */
	uint64_t	 win_records;	/* records in the current window */
	uint64_t	 last_snap;	/* position of the last snapshot */
	bool		 snapped;	/* a snapshot was written */

	int64_t		 watermark;	/* event: the greatest time so far */
	_Atomic int64_t	 published;	/* the same, for the workers */
	struct window	*open;		/* event: open windows by start */
	size_t		 nopen, capopen;
	uint64_t	 late, untimed, windows;
	bool		 bad;		/* --bad: late records go there */
	struct pf_splitter splitter;	/* for the --bad re-scan */
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

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

/* The time of day after a date, in ms (fractions below a ms dropped). */
static bool
clock_ms(const char *p, const char *end, int64_t *ms)
{
	struct pf_iso_time t;

	if (!pf_iso_clock(p, end, &t))
		return false;
	/* The slack absorbs the rounding of the decimal fraction. */
	*ms = t.secs * 1000 + (int64_t)(t.frac * 1000 + 1e-6);
	return true;
}

/*
 * Reads an event time: an ISO 8601 date or date-time as time() reads it
 * ("2024-01-31", "2024-01-31T10:20[:30[.25]]", a space for the T, "Z" or
 * an offset "+01:00", "+0100", "+01"; no offset is UTC), or a number of
 * seconds since the epoch. Fractions below a millisecond are dropped.
 */
bool
pf_stream_parse_time(const char *s, size_t len, int64_t *ms)
{
	struct pf_number n;
	int64_t day;

	if (len >= 10 && s[4] == '-') {
		if (!pf_iso_date(s, &day) || !clock_ms(s + 10, s + len, ms))
			return false;
		*ms += day * 1000;
		return true;
	}
	if (!pf_number_parse(s, len, &n))
		return false;
	if (n.is_int) {
		if (n.i > INT64_MAX / 1000 || n.i < INT64_MIN / 1000)
			return false;
		*ms = n.i * 1000;
		return true;
	}
	if (!(n.d * 1000 < 9.2e18 && n.d * 1000 > -9.2e18))
		return false;
	*ms = (int64_t)(n.d * 1000 >= 0 ? n.d * 1000 : n.d * 1000 - 0.999999);
	return true;
}

/* Option parsing (called by cmd/preduce.c). */

bool
pf_reduce_streaming(const struct pf_reduce_args *args)
{
	return args->every > 0 || args->interval_ms > 0 ||
	    args->window != PF_WINDOW_NONE;
}

bool
pf_reduce_parse_window(const char *spec, struct pf_reduce_args *args,
    char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	char *end;
	unsigned long long n;
	long ms;

	if (colon == NULL)
		goto bad;
	if (strncmp(spec, "count:", 6) == 0) {
		errno = 0;
		n = strtoull(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
		    n == 0 || errno != 0)
			goto bad;
		args->window = PF_WINDOW_COUNT;
		args->window_records = n;
		return true;
	}
	if (strncmp(spec, "time:", 5) == 0 || strncmp(spec, "event:", 6) == 0) {
		if (!pf_parse_duration(colon + 1, &ms) || ms <= 0)
			goto bad;
		args->window = spec[0] == 't' ? PF_WINDOW_TIME :
		    PF_WINDOW_EVENT;
		args->window_ms = ms;
		return true;
	}
bad:
	snprintf(err, errlen, "bad --window '%s' (count:N, time:DURATION or "
	    "event:DURATION, e.g. event:1d)", spec);
	return false;
}

bool
pf_reduce_check_stream(const struct pf_reduce_args *args, char *err,
    size_t errlen)
{
	if (args->merge && pf_reduce_streaming(args))
		snprintf(err, errlen, "--merge takes no --every, --interval "
		    "or --window");
	else if (args->window == PF_WINDOW_EVENT && args->time_field == NULL)
		snprintf(err, errlen, "--window event:... needs --time FIELD");
	else if (args->window != PF_WINDOW_EVENT && args->time_field != NULL)
		snprintf(err, errlen, "--time goes with --window event:...");
	else if (args->window != PF_WINDOW_EVENT && args->lateness_ms > 0)
		snprintf(err, errlen, "--lateness goes with --window "
		    "event:...");
	else
		return true;
	return false;
}

/* Set-up. */

static void *stream_batch_end(void *worker);
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
	tool->batch_end = stream_batch_end;
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
pf_stream_start(struct pf_stream *st, const struct pf_schema *schema)
{
	const char *name = st->time_name;
	struct timespec ts;
	char *list;

	if (name != NULL) {
		st->time_index = pf_schema_find(schema, name, strlen(name));
		if (st->time_index < 0) {
			list = pf_schema_list(schema);
			warnx("unknown field '%s' in --time (fields: %s)", name,
			    list);
			free(list);
			return 2;
		}
	}
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

/* Worker side. */

/* Moves shard src into dst (not holding anything); src is left as is. */
static void
shard_take(struct shard *dst, const struct shard *src)
{
	*dst = *src;
	dst->groups.arena = dst->values.arena = &dst->arena;
}

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
		if (!clock_ms(f->ptr + 10, f->ptr + f->len, &t))
			goto untimed;
		t += sw->date_ms;
	} else if (f->len >= 10 && f->ptr[4] == '-' &&
	    pf_iso_date(f->ptr, &sw->date_ms)) {
		sw->date_ms *= 1000;
		memcpy(sw->date, f->ptr, 10);
		if (!clock_ms(f->ptr + 10, f->ptr + f->len, &t))
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

static void *
stream_batch_end(void *worker)
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

/* Merges src into dst and frees src. */
static void
shard_absorb(struct reduce *r, struct shard *dst, struct shard *src)
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

static void
write_at_time(struct pf_stream *st, struct shard *s, int64_t ms,
    struct pf_buf *out)
{
	char buf[64];
	size_t len = pf_iso_time_format_ms(ms, buf, sizeof(buf));

	pf_reduce_write_shard(st->r, s, buf, len, false, out);
}

static void
write_at_number(struct pf_stream *st, struct shard *s, uint64_t n,
    struct pf_buf *out)
{
	char buf[PF_NUMBER_MAX];
	size_t len = pf_format_int((int64_t)n, buf);

	pf_reduce_write_shard(st->r, s, buf, len, true, out);
}

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

/* Writes and drops the first n open windows. */
static void
close_windows(struct pf_stream *st, size_t n, struct pf_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		write_at_time(st, &st->open[i].s, st->open[i].start, out);
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

static void
event_result(struct pf_stream *st, struct batch_parts *bp,
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
		shard_absorb(st->r, &win->s, &p->s);
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
	close_windows(st, n, out);
}

/* Whether a snapshot is due at the end of this batch. */
static bool
snapshot_due(struct pf_stream *st, const struct pf_batch_info *info)
{
	bool due = false;
	double now;

	if (st->every > 0 && info->records > 0 && st->pos % st->every == 0)
		due = true;
	if (st->interval > 0 && info->trigger && (now = pf_monotonic_ms()) >=
	    st->next_snap) {
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
		write_at_number(st, &r->global, st->pos, out);
		break;
	case PF_WINDOW_COUNT:
		write_at_number(st, &r->global, st->pos / st->wrecords *
		    st->wrecords + 1, out);
		break;
	case PF_WINDOW_TIME:
		write_at_time(st, &r->global, st->win_label, out);
		break;
	case PF_WINDOW_EVENT:
		for (i = 0; i < st->nopen; i++)
			write_at_time(st, &st->open[i].s, st->open[i].start,
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
		write_at_number(st, &r->global, st->pos - st->wrecords + 1,
		    out);
	else
		write_at_time(st, &r->global, st->win_label, out);
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

	if (!info->trigger || (now = pf_monotonic_ms()) < st->win_end)
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
		event_result(st, bp, info, out);
	else if (bp != NULL) {
		st->win_records += bp->parts[0].records;
		shard_absorb(r, &r->global, &bp->parts[0].s);
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
		write_at_number(st, &r->global, st->pos, out);
		break;
	case PF_WINDOW_COUNT:
		if (st->win_records > 0)
			write_at_number(st, &r->global, st->pos / st->wrecords *
			    st->wrecords + 1, out);
		break;
	case PF_WINDOW_TIME:
		if (st->win_records > 0)
			write_at_time(st, &r->global, st->win_label, out);
		break;
	case PF_WINDOW_EVENT:
		close_windows(st, st->nopen, out);
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
