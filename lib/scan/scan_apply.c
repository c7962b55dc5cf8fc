/*
 * scan_apply.c - pscan's in-order stage: in each batch's turn on its
 * worker (with lead, on the writer thread), each row a worker prepared
 * (scan.c) is applied, in input order, to the state of its key (one block per key in the project's hash table, table.h), and
 * written with its new columns. Running count, sum, mean, min, max,
 * first and fill are preduce's own states (reduce/agg.h), updated and
 * read after each value; lag keeps the key's last N values, lead holds
 * the key's last N records back (scan_lead.c) until the value they wait
 * for comes; the moving windows are in scan_window.c.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/scan_int.h"
#include "support/decimal.h"
#include "support/status.h"
#include "support/xalloc.h"

/* A value kept in a ring: malloc'd, reused while it fits. */
struct kept {
	char		*s;
	uint32_t	 len, cap;
};

/* lag: the key's last n values; lead: its last n entries held back. */
struct ring {
	uint64_t	 n, pos, filled;
	union {
		struct kept		 *values;
		struct scan_entry	**entries;
	} u;
};

void
pf_scan_apply_init(struct scan *s)
{
	size_t i;
	int leads = 0;

	for (i = 0; i < s->nsteps; i++) {
		s->steps[i].offset = s->state_size;
		s->steps[i].agg.offset = s->state_size;
		s->state_size += pf_scan_step_state_size(&s->steps[i]);
		if (s->steps[i].func == SCAN_LEAD)
			s->steps[i].lead = leads++;
	}
	pf_groups_init(&s->groups, &s->arena, s->state_size);
	if (leads > 0)
		s->lead = pf_scan_lead_new(s->nsteps, s->args->memory);
}

static void
kept_set(struct kept *k, const char *s, size_t len)
{
	if (k->s == NULL || len > k->cap) {
		free(k->s);
		k->cap = len < 16 ? 16 : (uint32_t)len;
		k->s = pf_xmalloc(k->cap);
	}
	memcpy(k->s, s, len);
	k->len = (uint32_t)len;
}

static struct ring *
ring_of(unsigned char *state, uint64_t n, bool entries)
{
	struct ring *r;

	memcpy(&r, state, sizeof(r));
	if (r == NULL) {
		r = pf_xcalloc(1, sizeof(*r));
		r->n = n;
		if (entries)
			r->u.entries = pf_xcalloc(n, sizeof(*r->u.entries));
		else
			r->u.values = pf_xcalloc(n, sizeof(*r->u.values));
		memcpy(state, &r, sizeof(r));
	}
	return r;
}

/* lag: writes the value n records back, then keeps this one. */
static void
lag_step(unsigned char *state, const struct scan_step *st, const char *v,
    size_t len, struct pf_buf *col)
{
	struct ring *r = ring_of(state, st->n, false);
	struct kept *k = &r->u.values[r->pos];

	if (r->filled == r->n)
		pf_buf_add(col, k->s, k->len);
	else
		r->filled++;
	kept_set(k, v, len);
	r->pos = (r->pos + 1) % r->n;
}

/* lead: this record's value completes the entry n records back. */
static void
lead_step(struct scan *s, unsigned char *state, const struct scan_step *st,
    size_t col, const char *v, size_t len, struct scan_entry *e)
{
	struct ring *r = ring_of(state, st->n, true);
	struct scan_entry **slot = &r->u.entries[r->pos];

	if (r->filled == r->n)
		pf_scan_lead_set(s->lead, *slot, col, v, len,
		    s->out.format == PF_JSONL && pf_number_is_json(v, len),
		    true);
	else
		r->filled++;
	*slot = e;
	pf_scan_lead_expect(e);
	r->pos = (r->pos + 1) % r->n;
}

/* Appends a double as preduce writes computed numbers. */
static void
add_double(struct pf_buf *col, double d, bool *is_number)
{
	pf_agg_add_number(col, d, is_number);
}

/* delta and ratio: against the key's last number. */
static void
prev_step(struct scan *s, struct scan_prev *p, const struct scan_step *st,
    const struct scan_value *v, const char *text, struct pf_buf *col,
    bool *is_number)
{
	struct pf_dec d = { 0 };

	if (v->kind != SCAN_NUMBER)
		return;
	if (p->has && st->func == SCAN_DELTA) {
		/* Exact: text - p->text, rounded once. */
		pf_dec_add(&d, text, v->len, &v->num, &s->scratch);
		pf_scan_dec_sub(s, &d, p->text, p->len, &p->num,
		    &s->scratch);
		add_double(col, pf_dec_value(&d), is_number);
	} else if (p->has && p->num.d != 0)	/* x/0: empty, as SQL's NULL */
		add_double(col, v->num.d / p->num.d, is_number);
	if (p->text == NULL || v->len > p->cap) {
		p->cap = v->len < 16 ? 16 : (uint32_t)v->len;
		p->text = pf_arena_alloc(&s->arena, p->cap);
	}
	memcpy(p->text, text, v->len);
	p->len = (uint32_t)v->len;
	p->num = v->num;
	p->has = true;
}

static void
ewma_step(struct scan_prev *p, const struct scan_step *st,
    const struct scan_value *v, struct pf_buf *col, bool *is_number)
{
	if (v->kind == SCAN_NUMBER) {
		p->e = p->has ? st->alpha * v->num.d + (1 - st->alpha) * p->e :
		    v->num.d;
		p->has = true;
	}
	if (p->has)
		add_double(col, p->e, is_number);
}

/* session: 1, 2, ... a new one when the gap to the last time is larger. */
static bool
session_step(struct scan_prev *p, const struct scan_step *st,
    const struct scan_row *row, struct pf_buf *col, bool *is_number)
{
	char num[PF_NUMBER_MAX];
	bool back = false;

	if (!row->has_time)
		return false;
	if (!p->has)
		p->session = 1;
	else if (row->time_ms - p->t > st->gap_ms)
		p->session++;
	back = p->has && row->time_ms < p->t;
	p->t = row->time_ms;
	p->has = true;
	pf_buf_add(col, num, pf_format_int((int64_t)p->session, num));
	*is_number = true;
	return back;
}

/* count and rank: the key's count, one more; returns it. */
static uint64_t
count_up(unsigned char *state)
{
	uint64_t n;

	memcpy(&n, state, sizeof(n));
	n++;
	memcpy(state, &n, sizeof(n));
	return n;
}

/* A step's column for one row, appended to col. */
static void
apply_step(struct scan *s, struct pf_group *g, size_t i,
    const struct scan_row *row, const struct scan_value *values,
    const char *text, struct scan_entry *e, struct pf_buf *col,
    bool *is_number)
{
	const struct scan_step *st = &s->steps[i];
	unsigned char *state = PF_GROUP_STATE(g) + st->offset;
	const struct scan_value *v = st->slot >= 0 ? &values[st->slot] : NULL;
	const char *vt = v != NULL ? text + v->off : NULL;
	char num[PF_NUMBER_MAX];
	uint64_t n;
	size_t at;

	*is_number = false;
	if (st->agg.funcname[0] != '\0') {
		if (v->kind != SCAN_EMPTY &&
		    !(st->numeric && v->kind != SCAN_NUMBER))
			pf_agg_update(&st->agg, state, vt, v->len,
			    v->kind == SCAN_NUMBER ? &v->num : NULL,
			    row->order, &s->arena);
		pf_agg_result(&st->agg, state, col, is_number);
		return;
	}
	switch (st->func) {
	case SCAN_COUNT:
	case SCAN_RANK:
		n = count_up(state);
		pf_buf_add(col, num, pf_format_int((int64_t)n, num));
		*is_number = true;
		break;
	case SCAN_LAG:
		at = col->len;
		lag_step(state, st, vt, v->len, col);
		*is_number = s->out.format == PF_JSONL &&
		    pf_number_is_json(col->data + at, col->len - at);
		break;
	case SCAN_LEAD:
		lead_step(s, state, st, i, vt, v->len, e);
		break;
	case SCAN_DELTA:
	case SCAN_RATIO:
		prev_step(s, (struct scan_prev *)state, st, v, vt, col,
		    is_number);
		break;
	case SCAN_EWMA:
		ewma_step((struct scan_prev *)state, st, v, col, is_number);
		break;
	case SCAN_SESSION:
		if (session_step((struct scan_prev *)state, st, row, col,
		    is_number))
			s->unordered++;
		break;
	default:
		pf_scan_window_step(s, st, (struct scan_window **)state, row, v,
		    vt, col, is_number);
		break;
	}
}

/* Stops the run: lead holds more than --memory. */
static void
too_much_held(struct scan *s, const struct pf_batch_info *info, size_t r)
{
	warnx("record %" PRIu64 ": lead holds %zu bytes of records waiting "
	    "for later records of their keys, more than --memory (%zu); "
	    "raise --memory, or use lag on the input in reverse",
	    info->first_record + r, pf_scan_lead_bytes(s->lead),
	    s->args->memory);
	s->tool->stop_status = PF_FAILED;
}

void
pf_scan_apply(struct scan *s, const struct scan_batch *b,
    const struct pf_batch_info *info, struct pf_buf *out)
{
	const char *text = b->text.data;
	const struct scan_value *values;
	const struct scan_row *row;
	struct scan_entry *e = NULL;
	struct pf_group *g;
	struct pf_buf *col = &s->tmp;
	bool added, is_number, timed;
	size_t r, i;

	timed = false;
	for (i = 0; i < s->nsteps; i++)
		timed |= pf_scan_step_uses_time(&s->steps[i]);
	for (r = 0; r < b->nrows; r++) {
		row = &b->rows[r];
		values = b->values + r * s->nslots;
		g = pf_groups_find(&s->groups, text + row->key_off,
		    row->key_len, &added);
		g->records++;
		if (timed && !row->has_time)
			s->untimed++;
		if (s->lead != NULL)
			e = pf_scan_lead_add(s->lead, pf_scan_row_output(b,
			    row), row->out_len);
		else
			pf_buf_add(out, pf_scan_row_output(b, row),
			    row->out_len);
		for (i = 0; i < s->nsteps; i++) {
			col->len = 0;
			apply_step(s, g, i, row, values, text, e, col,
			    &is_number);
			if (s->steps[i].func == SCAN_LEAD)
				continue;
			if (e != NULL)
				pf_scan_lead_set(s->lead, e, i, col->data,
				    col->len, is_number, false);
			else
				pf_output_field(&s->out, out, s->ncols_in + i,
				    col->data, col->len, is_number ?
				    PF_JSON_NUMBER : PF_JSON_AUTO);
		}
		if (e == NULL) {
			pf_output_end(&s->out, out, s->ncols_in + s->nsteps);
			s->tool->written++;
			continue;
		}
		s->tool->written += pf_scan_lead_flush(s->lead, &s->out,
		    s->ncols_in, out);
		if (pf_scan_lead_bytes(s->lead) > s->args->memory) {
			too_much_held(s, info, r);
			break;
		}
	}
	pf_arena_free(&s->scratch);
}

void
pf_scan_apply_turn(struct scan *s, struct scan_batch *b)
{
	const char *text = b->text.data;
	const struct scan_row *row;
	struct scan_cell *cell;
	struct pf_group *g;
	bool added, timed = false;
	size_t r, i;

	for (i = 0; i < s->nsteps; i++)
		timed |= pf_scan_step_uses_time(&s->steps[i]);
	if (b->nrows * s->nsteps > b->cells_cap) {
		b->cells_cap = b->nrows * s->nsteps;
		b->cells = pf_xrealloc(b->cells,
		    b->cells_cap * sizeof(*b->cells));
	}
	b->cells_text.len = 0;
	for (r = 0, cell = b->cells; r < b->nrows; r++) {
		row = &b->rows[r];
		g = pf_groups_find(&s->groups, text + row->key_off,
		    row->key_len, &added);
		g->records++;
		if (timed && !row->has_time)
			s->untimed++;
		for (i = 0; i < s->nsteps; i++, cell++) {
			cell->is_count = s->steps[i].func == SCAN_COUNT ||
			    s->steps[i].func == SCAN_RANK;
			if (cell->is_count) {	/* written after the turn */
				cell->count = count_up(PF_GROUP_STATE(g) +
				    s->steps[i].offset);
				continue;
			}
			cell->off = b->cells_text.len;
			apply_step(s, g, i, row, b->values + r * s->nslots,
			    text, NULL, &b->cells_text, &cell->is_number);
			cell->len = (uint32_t)(b->cells_text.len - cell->off);
		}
	}
	s->tool->written += b->nrows;
	pf_arena_free(&s->scratch);
}

void
pf_scan_write_rows(const struct scan *s, const struct scan_batch *b,
    struct pf_buf *out)
{
	const struct scan_row *row;
	const struct scan_cell *cell = b->cells;
	char num[PF_NUMBER_MAX];
	size_t r, i;

	for (r = 0; r < b->nrows; r++) {
		row = &b->rows[r];
		pf_buf_add(out, pf_scan_row_output(b, row), row->out_len);
		for (i = 0; i < s->nsteps; i++, cell++)
			if (cell->is_count)
				pf_output_field(&s->out, out, s->ncols_in + i,
				    num, pf_format_int((int64_t)cell->count,
				    num), PF_JSON_NUMBER);
			else
				pf_output_field(&s->out, out, s->ncols_in + i,
				    b->cells_text.data + cell->off, cell->len,
				    cell->is_number ? PF_JSON_NUMBER :
				    PF_JSON_AUTO);
		pf_output_end(&s->out, out, s->ncols_in + s->nsteps);
	}
}

/* The pointer a lag, lead or window step keeps in key k's block. */
static void *
step_pointer(const struct scan *s, uint32_t k, size_t i)
{
	void *p;

	memcpy(&p, PF_GROUP_STATE(pf_groups_at(&s->groups, k)) +
	    s->steps[i].offset, sizeof(p));
	return p;
}

/* The end of the input: what lead waits for will not come. */
static void
end_leads(struct scan *s)
{
	struct ring *r;
	uint64_t j;
	uint32_t k;
	size_t i;

	for (k = 0; k < s->groups.count; k++)
		for (i = 0; i < s->nsteps; i++) {
			if (s->steps[i].func != SCAN_LEAD ||
			    (r = step_pointer(s, k, i)) == NULL)
				continue;
			/* The oldest first: pos, pos + 1, ... */
			for (j = 0; j < r->filled; j++)
				pf_scan_lead_set(s->lead, r->u.entries[(r->pos +
				    r->n - r->filled + j) % r->n], i, "", 0,
				    false, true);
			r->filled = 0;
		}
}

static void
warn_count(uint64_t n, const char *one, const char *many)
{
	if (n > 0)
		warnx("%" PRIu64 " %s", n, n == 1 ? one : many);
}

void
pf_scan_apply_finish(struct scan *s, struct pf_buf *out)
{
	if (s->lead != NULL) {
		end_leads(s);
		s->tool->written += pf_scan_lead_flush(s->lead, &s->out,
		    s->ncols_in, out);
	}
	/* Write the records before the warnings, so they come last. */
	if ((s->nonnum > 0 || s->untimed > 0 || s->unordered > 0) &&
	    out->len > 0 && pf_write_all(STDOUT_FILENO, out->data,
	    out->len) == 0)
		out->len = 0;
	warn_count(s->nonnum, "non-numeric value skipped",
	    "non-numeric values skipped");
	warn_count(s->untimed, "record without a readable --time: its time "
	    "steps are empty", "records without a readable --time: their "
	    "time steps are empty");
	warn_count(s->unordered, "time earlier than its key's previous one "
	    "(time steps assume each key's times ascend)", "times earlier "
	    "than their key's previous one (time steps assume each key's "
	    "times ascend)");
}

void
pf_scan_apply_free(struct scan *s)
{
	struct ring *r;
	uint64_t j;
	uint32_t k;
	size_t i;

	for (k = 0; k < s->groups.count; k++)
		for (i = 0; i < s->nsteps; i++)
			switch (s->steps[i].func) {
			case SCAN_LAG:
			case SCAN_LEAD:
				if ((r = step_pointer(s, k, i)) == NULL)
					break;
				if (s->steps[i].func == SCAN_LAG)
					for (j = 0; j < r->n; j++)
						free(r->u.values[j].s);
				free(r->u.values);
				free(r);
				break;
			case SCAN_MSUM:
			case SCAN_MMEAN:
			case SCAN_MMIN:
			case SCAN_MMAX:
				pf_scan_window_free(step_pointer(s, k, i));
				break;
			default:
				break;
			}
	pf_groups_free(&s->groups);
	pf_arena_free(&s->arena);
	pf_arena_free(&s->scratch);
	pf_buf_free(&s->tmp);
	pf_buf_free(&s->neg);
	pf_scan_lead_free(s->lead);
}
