/*
 * scan_window.c - pscan's moving windows: msum, mmean, mmin and mmax
 * over the key's last N records (msum:5:F) or over the records of the
 * key whose --time lies within a span of the current one's
 * (mmean:10m:F: from t - 10m to t, both included, as SQL's RANGE
 * BETWEEN INTERVAL 10 MINUTE PRECEDING AND CURRENT ROW).
 *
 * A window is a ring of the key's records in it; each holds its value
 * as written. Empty values and non-numbers take their place in a
 * window of N records but add nothing (SQL's NULLs). The sum is exact
 * (decimal.h): a value leaving the window is subtracted exactly, so
 * msum and mmean are the doubles nearest to the true sum and mean of
 * the values in the window. mmin and mmax compare the values in the
 * window exactly (as preduce's min and max do) and write the extreme as
 * written; ties keep the earliest.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"
#include "support/decimal.h"
#include "support/xalloc.h"

struct wentry {
	char		*s;		/* the value, malloc'd, reused */
	uint32_t	 len, cap;
	bool		 is_num;
	struct pf_number num;
	int64_t		 t;
};

struct scan_window {
	struct wentry	*e;
	size_t		 cap, head, count;
	struct pf_dec	 sum;		/* of the numbers in the window */
	uint64_t	 nnum;
	struct pf_arena	 arena;		/* the sum's big part */
};

void
pf_scan_dec_sub(struct scan *s, struct pf_dec *d, const char *text,
    size_t len, const struct pf_number *num, struct pf_arena *arena)
{
	struct pf_number neg = *num;
	struct pf_buf *b = &s->neg;

	/* -text, written so that it reads as -num. */
	b->len = 0;
	if (text[0] == '-')
		pf_buf_add(b, text + 1, len - 1);
	else {
		pf_buf_addc(b, '-');
		pf_buf_add(b, text[0] == '+' ? text + 1 : text,
		    text[0] == '+' ? len - 1 : len);
	}
	neg.d = -num->d;
	if (num->is_int && num->i != INT64_MIN)
		neg.i = -num->i;
	else
		neg.is_int = false;
	pf_dec_add(d, b->data, b->len, &neg, arena);
}

static struct wentry *
at(struct scan_window *w, size_t i)
{
	return &w->e[(w->head + i) % w->cap];
}

/* Takes the oldest record out of the window. */
static void
evict(struct scan *s, struct scan_window *w)
{
	struct wentry *o = at(w, 0);

	if (o->is_num) {
		pf_scan_dec_sub(s, &w->sum, o->s, o->len, &o->num,
		    &w->arena);
		w->nnum--;
	}
	w->head = (w->head + 1) % w->cap;
	w->count--;
}

/* Room for one more record: a ring of N, or one that grows (spans). */
static void
make_room(struct scan *s, struct scan_window *w, const struct scan_step *st)
{
	struct wentry *e;
	size_t i, cap;

	if (st->span_ms == 0) {
		if (w->count == w->cap)
			evict(s, w);
		return;
	}
	if (w->count < w->cap)
		return;
	cap = w->cap * 2;
	e = pf_xcalloc(cap, sizeof(*e));
	for (i = 0; i < w->cap; i++)
		e[i] = *at(w, i);
	free(w->e);
	w->e = e;
	w->head = 0;
	w->cap = cap;
}

static void
add(struct scan_window *w, const struct scan_value *v, const char *text,
    int64_t t)
{
	struct wentry *e = at(w, w->count);

	e->is_num = v != NULL && v->kind == SCAN_NUMBER;
	e->t = t;
	if (e->is_num) {
		if (e->s == NULL || v->len > e->cap) {
			free(e->s);
			e->cap = v->len < 16 ? 16 : (uint32_t)v->len;
			e->s = pf_xmalloc(e->cap);
		}
		memcpy(e->s, text, v->len);
		e->len = (uint32_t)v->len;
		e->num = v->num;
		pf_dec_add(&w->sum, text, v->len, &v->num, &w->arena);
		w->nnum++;
	}
	w->count++;
}

/* -1, 0, 1: a against b, two numbers as written, exactly. */
static int
compare(const struct wentry *a, const struct wentry *b)
{
	if (a->num.is_int && b->num.is_int)
		return a->num.i < b->num.i ? -1 : a->num.i > b->num.i;
	if (a->num.d != b->num.d)
		return a->num.d < b->num.d ? -1 : 1;
	return pf_number_cmp_text(a->s, a->len, b->s, b->len);
}

static void
extreme(struct scan_window *w, bool is_min, struct pf_buf *col,
    bool *is_number)
{
	struct wentry *best = NULL, *e;
	size_t i;
	int c;

	for (i = 0; i < w->count; i++) {
		e = at(w, i);
		if (!e->is_num)
			continue;
		c = best == NULL ? 0 : compare(e, best);
		if (best == NULL || (is_min ? c < 0 : c > 0))
			best = e;
	}
	if (best == NULL)
		return;
	pf_buf_add(col, best->s, best->len);
	*is_number = pf_number_is_json(best->s, best->len);
}

void
pf_scan_window_step(struct scan *s, const struct scan_step *st,
    struct scan_window **wp, const struct scan_row *row,
    const struct scan_value *v, const char *text, struct pf_buf *col,
    bool *is_number)
{
	struct scan_window *w = *wp;

	if (st->span_ms > 0 && !row->has_time)
		return;		/* counted by the caller */
	if (w == NULL) {
		w = *wp = pf_xcalloc(1, sizeof(*w));
		w->cap = st->span_ms > 0 ? 8 : st->n;
		w->e = pf_xcalloc(w->cap, sizeof(*w->e));
	}
	if (st->span_ms > 0 && w->count > 0 &&
	    row->time_ms < at(w, w->count - 1)->t)
		s->unordered++;
	make_room(s, w, st);
	add(w, v, text, row->time_ms);
	if (st->span_ms > 0)
		while (w->count > 0 && at(w, 0)->t < row->time_ms - st->span_ms)
			evict(s, w);
	switch (st->func) {
	case SCAN_MSUM:
		if (w->nnum > 0)
			pf_agg_add_number(col, pf_dec_value(&w->sum), is_number);
		break;
	case SCAN_MMEAN:
		if (w->nnum > 0)
			pf_agg_add_number(col, pf_dec_mean(&w->sum, w->nnum),
			    is_number);
		break;
	default:
		extreme(w, st->func == SCAN_MMIN, col, is_number);
		break;
	}
}

void
pf_scan_window_free(struct scan_window *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->cap; i++)
		free(w->e[i].s);
	free(w->e);
	pf_arena_free(&w->arena);
	free(w);
}
