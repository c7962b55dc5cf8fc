/*
 * agg.c - preduce's fixed-size aggregation states: update, merge, final
 * value (see agg.h). Their layout is agg_int.h, their partial form
 * agg_partial.c; names and parsing are in agg_parse.c, the value
 * aggregations in agg_values.c, exact sums in decimal.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/agg.h"
#include "reduce/agg_int.h"
#include "support/xalloc.h"

size_t
pf_agg_state_size(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_COUNT:
		return sizeof(struct count_state);
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return sizeof(struct sum_state);
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return sizeof(struct var_state);
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		return sizeof(struct minmax_state);
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		return sizeof(struct pick_state);
	default:
		return 0;
	}
}

/* Strings in slots. */

static void
slot_set(struct slot *sl, const char *s, size_t len, struct pf_arena *arena)
{
	uint32_t cap;

	if (sl->str == NULL || len > sl->cap) {
		for (cap = 8; cap < len; cap *= 2)
			;
		sl->str = pf_arena_alloc(arena, cap);
		sl->cap = cap;
	}
	memcpy(sl->str, s, len);
	sl->len = (uint32_t)len;
}

/* Byte-wise comparison, a prefix first (memcmp, shorter first). */
static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Updates. */

/*
 * Makes s the byte-wise extreme if it is beyond the one kept. Out of
 * line, so that the updates' common case stays small.
 */
static void __attribute__((noinline))
minmax_str(struct minmax_state *st, bool is_min, const char *s, size_t len,
    struct pf_arena *arena)
{
	int c;

	if (st->str.str != NULL) {
		c = bytes_cmp(s, len, st->str.str, st->str.len);
		if (is_min ? c >= 0 : c <= 0)
			return;
	}
	slot_set(&st->str, s, len, arena);
}

/*
 * Compares the number s (parsed in num) with the numeric extreme kept:
 * doubles first (rounding keeps their order), the text when they are
 * equal, as two decimals.
 */
static int
minmax_num_cmp(const struct minmax_state *st, const char *s, size_t len,
    const struct pf_number *num)
{
	if (num->is_int && st->num_is_int)
		return num->i < st->num_i ? -1 : num->i > st->num_i;
	if (num->d != st->num_d)
		return num->d < st->num_d ? -1 : 1;
	if (len == st->num.len && memcmp(s, st->num.str, len) == 0)
		return 0;
	return pf_number_cmp_text(s, len, st->num.str, st->num.len);
}

/* Makes s the numeric extreme if it is beyond the one kept, or first. */
static void __attribute__((noinline))
minmax_num(struct minmax_state *st, bool is_min, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	int c;

	if (st->num.str != NULL) {
		c = minmax_num_cmp(st, s, len, num);
		if (is_min ? c > 0 : c < 0)
			return;
		if (c == 0 && order >= st->num_order)
			return;
	}
	slot_set(&st->num, s, len, arena);
	st->num_order = order;
	st->num_d = num->d;
	st->num_i = num->i;
	st->num_is_int = num->is_int;
}

static inline void
minmax_update(struct minmax_state *st, bool is_min, const char *s,
    size_t len, const struct pf_number *num, uint64_t order,
    struct pf_arena *arena)
{
	unsigned char a, b;

	if (num == NULL)
		st->nonnum = true;
	else if (st->num.str == NULL || (is_min ? num->d <= st->num_d :
	    num->d >= st->num_d))
		minmax_num(st, is_min, s, len, num, order, arena);
	/* Most values are behind the extreme from their first byte on. */
	if (st->str.str != NULL && len > 0 && st->str.len > 0) {
		a = (unsigned char)s[0];
		b = (unsigned char)st->str.str[0];
		if (is_min ? a > b : a < b)
			return;
	}
	minmax_str(st, is_min, s, len, arena);
}

static inline void
pick_update(struct pick_state *st, bool is_first, const char *s, size_t len,
    uint64_t order, struct pf_arena *arena)
{
	if (st->str.str != NULL &&
	    (is_first ? order >= st->order : order <= st->order))
		return;
	st->order = order;
	slot_set(&st->str, s, len, arena);
}

/* Each function's update: pf_agg_updater() hands these out. */

static void
count_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)s, (void)len, (void)num, (void)order, (void)arena;
	pf_agg_count_record(state);
}

static void
sum_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	struct sum_state *sum = (struct sum_state *)state;

	(void)order;
	sum->n++;
	pf_dec_add(&sum->s, s, len, num, arena);
}

static void
var_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	struct var_state *st = (struct var_state *)state;

	(void)order;
	st->n++;
	pf_dec_add(&st->s, s, len, num, arena);
	pf_dec_add_square(&st->q, s, len, num, arena);
}

static void
min_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	minmax_update((struct minmax_state *)state, true, s, len, num, order,
	    arena);
}

static void
max_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	minmax_update((struct minmax_state *)state, false, s, len, num, order,
	    arena);
}

static void
first_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)num;
	pick_update((struct pick_state *)state, true, s, len, order, arena);
}

static void
last_update(unsigned char *state, const char *s, size_t len,
    const struct pf_number *num, uint64_t order, struct pf_arena *arena)
{
	(void)num;
	pick_update((struct pick_state *)state, false, s, len, order, arena);
}

pf_agg_update_fn *
pf_agg_updater(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_COUNT:
		return count_update;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return sum_update;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return var_update;
	case PF_AGG_MIN:
		return min_update;
	case PF_AGG_MAX:
		return max_update;
	case PF_AGG_FIRST:
		return first_update;
	case PF_AGG_LAST:
		return last_update;
	default:
		return NULL;
	}
}

void
pf_agg_update(const struct pf_agg *a, unsigned char *state, const char *s,
    size_t len, const struct pf_number *num, uint64_t order,
    struct pf_arena *arena)
{
	pf_agg_update_fn *update = pf_agg_updater(a->func);

	if (update != NULL)
		update(state, s, len, num, order, arena);
}

/* Adds term n times to d (n >= 1), by doubling; term is spent. */
static void
dec_add_times(struct pf_dec *d, struct pf_dec *term, uint64_t n,
    struct pf_arena *arena)
{
	struct pf_dec twice;

	for (;;) {
		if (n & 1)
			pf_dec_merge(d, term, arena);
		if ((n >>= 1) == 0)
			return;
		memset(&twice, 0, sizeof(twice));
		pf_dec_merge(&twice, term, arena);
		pf_dec_merge(&twice, term, arena);
		*term = twice;
	}
}

void
pf_agg_update_times(const struct pf_agg *a, unsigned char *state,
    const char *s, size_t len, const struct pf_number *num, uint64_t n,
    uint64_t order, struct pf_arena *arena)
{
	struct sum_state *sum = (struct sum_state *)state;
	struct var_state *var = (struct var_state *)state;
	struct pf_dec term;

	switch (a->func) {
	case PF_AGG_COUNT:
		((struct count_state *)state)->n += n;
		break;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		sum->n += n;
		memset(&term, 0, sizeof(term));
		pf_dec_add(&term, s, len, num, arena);
		dec_add_times(&sum->s, &term, n, arena);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		var->n += n;
		memset(&term, 0, sizeof(term));
		pf_dec_add(&term, s, len, num, arena);
		dec_add_times(&var->s, &term, n, arena);
		memset(&term, 0, sizeof(term));
		pf_dec_add_square(&term, s, len, num, arena);
		dec_add_times(&var->q, &term, n, arena);
		break;
	default:	/* min, max, first, last: n sightings are one */
		pf_agg_update(a, state, s, len, num, order, arena);
	}
}

void
pf_agg_merge(const struct pf_agg *a, unsigned char *dst,
    const unsigned char *src, struct pf_arena *arena)
{
	const struct sum_state *ss = (const struct sum_state *)src;
	const struct var_state *vs = (const struct var_state *)src;
	const struct minmax_state *ms = (const struct minmax_state *)src;
	const struct pick_state *ps = (const struct pick_state *)src;
	struct minmax_state *md = (struct minmax_state *)dst;
	struct var_state *vd = (struct var_state *)dst;
	struct sum_state *sd = (struct sum_state *)dst;
	bool is_min = a->func == PF_AGG_MIN;
	struct pf_number n;

	switch (a->func) {
	case PF_AGG_COUNT:
		((struct count_state *)dst)->n +=
		    ((const struct count_state *)src)->n;
		break;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		sd->n += ss->n;
		pf_dec_merge(&sd->s, &ss->s, arena);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		vd->n += vs->n;
		pf_dec_merge(&vd->s, &vs->s, arena);
		pf_dec_merge(&vd->q, &vs->q, arena);
		break;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		if (ms->num.str != NULL) {
			n = (struct pf_number){ .is_int = ms->num_is_int,
			    .i = ms->num_i, .d = ms->num_d };
			minmax_num(md, is_min, ms->num.str, ms->num.len, &n,
			    ms->num_order, arena);
		}
		if (ms->str.str != NULL)
			minmax_str(md, is_min, ms->str.str, ms->str.len,
			    arena);
		md->nonnum |= ms->nonnum;
		break;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		if (ps->str.str != NULL)
			pick_update((struct pick_state *)dst,
			    a->func == PF_AGG_FIRST, ps->str.str, ps->str.len,
			    ps->order, arena);
		break;
	default:
		break;
	}
}

/* Appends a computed number; non-finite ones too (JSON writes null). */
void
pf_agg_add_number(struct pf_buf *out, double d, bool *is_number)
{
	char num[PF_NUMBER_MAX];

	pf_buf_add(out, num, pf_format_double(d, num));
	*is_number = true;
}

void
pf_agg_result(const struct pf_agg *a, const unsigned char *state,
    struct pf_buf *out, bool *is_number)
{
	const struct sum_state *ss = (const struct sum_state *)state;
	const struct var_state *vs = (const struct var_state *)state;
	const struct minmax_state *ms = (const struct minmax_state *)state;
	const struct pick_state *ps = (const struct pick_state *)state;
	char num[PF_NUMBER_MAX];
	double v;

	*is_number = false;
	switch (a->func) {
	case PF_AGG_COUNT:
		pf_buf_add(out, num, pf_format_int(
		    (int64_t)((const struct count_state *)state)->n, num));
		*is_number = true;
		break;
	case PF_AGG_SUM:
		if (ss->n > 0)
			pf_agg_add_number(out, pf_dec_value(&ss->s), is_number);
		break;
	case PF_AGG_MEAN:
		if (ss->n > 0)
			pf_agg_add_number(out, pf_dec_mean(&ss->s, ss->n),
			    is_number);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		if (vs->n < 2)
			break;
		v = pf_dec_variance(&vs->s, &vs->q, vs->n);
		pf_agg_add_number(out, a->func == PF_AGG_VAR ? v : sqrt(v),
		    is_number);
		break;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		if (!ms->nonnum && ms->num.str != NULL) {
			/* The value as written: a JSON number if it is one. */
			pf_buf_add(out, ms->num.str, ms->num.len);
			*is_number = pf_number_is_json(ms->num.str,
			    ms->num.len);
		} else if (ms->str.str != NULL)
			pf_buf_add(out, ms->str.str, ms->str.len);
		break;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		if (ps->str.str != NULL)
			pf_buf_add(out, ps->str.str, ps->str.len);
		break;
	default:
		break;
	}
}
