/*
 * expr_vector.c - an expression's truth over a vector of records at
 * once, with selection vectors (expr.h: pf_eval_select()).
 *
 * A selection is the ascending indexes of the records still in play.
 * The logic is worked a node at a time over the whole selection, as
 * MonetDB/X100 and DuckDB do: `a && b` selects where a is true, then
 * where b is true among those; `a || b` selects where a is true, asks b
 * only of the rest, and merges the two; `!a` keeps what a did not
 * select; a constant keeps all or none. The common leaf `field OP
 * constant` runs as one tight loop over the field's values
 * (pf_select_field_const(), beside its one-record form in expr_eval.c);
 * a field alone is its values' truth. A comparison with arithmetic on
 * fields and constants (`delay / 60 > 1`) computes a column of numbers
 * per operator, then compares them; a record where an operand is not a
 * number (empty, text) has that comparison evaluated on its own. Every
 * other node (calls, regexes, `in`, `?:`) is evaluated record by
 * record, but only for the records selected, so a call runs for
 * exactly the records it runs for one record at a time.
 *
 * The result must be the one pf_eval() gives a record at a time, notes
 * and failures included. Evaluation is pure but for those two: a value
 * noted (notes.h) or an evaluation that fails. So the vector runs with
 * ev->probing set: pf_note() then notes nothing and sets ev->noted, and
 * either event gives up the vector (SIZE_MAX) before anything leaves
 * it; the caller evaluates those records one at a time, which notes and
 * fails in input order. Data where that happens often pays for a wasted
 * pass; clean data (the common case) never does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_int.h"
#include "support/xalloc.h"

/* Selections deeper than this many logic nodes go record by record. */
#define MAX_SELECTIONS	64
/* Number columns a comparison's arithmetic may hold at once. */
#define MAX_COLUMNS	16

/* A record's number at a node, or ok false: it is not one here. */
struct number {
	struct pf_number n;
	bool		 ok;
};

struct vector {
	struct pf_eval		*ev;
	const struct pf_expr	*e;
	const struct pf_record	*recs;
	uint32_t		*mem;		/* selections, a stack of them */
	size_t			 used, n;	/* n: entries per selection */
	struct number		*cols;		/* number columns, a stack */
	size_t			 cols_used;
	bool			 given_up;	/* a record needs pf_eval() */
};

/* Selections that node i needs while it runs (beyond its output). */
static size_t
selections_needed(const struct pf_expr *e, uint32_t i)
{
	const struct pf_node *x = &e->nodes[i];
	size_t a, b;

	switch (x->kind) {
	case PF_N_AND:
	case PF_N_OR:
		a = selections_needed(e, x->a);
		b = selections_needed(e, x->b);
		return (x->kind == PF_N_AND ? 1 : 3) + (a > b ? a : b);
	case PF_N_NOT:
		return 1 + selections_needed(e, x->a);
	default:
		return 0;
	}
}

static uint32_t *
selection_push(struct vector *v)
{
	uint32_t *s = v->mem + v->used * v->n;

	v->used++;
	return s;
}

/*
 * The truth of node i for record s on its own, as pf_eval_node() gives
 * it; false, with the vector given up, where it would note or fail.
 */
static bool
one_record(struct vector *v, uint32_t i, uint32_t s, bool *truth)
{
	struct pf_value val;

	pf_eval_node(v->ev, v->e, i, &v->recs[s], &val);
	if (v->ev->noted || v->ev->failed) {
		v->given_up = true;
		return false;
	}
	*truth = pf_value_truthy(&val);
	return true;
}

/*
 * Whether node i is arithmetic on fields and numeric constants only,
 * and how many number columns computing it holds at once (*cols).
 */
static bool
arithmetic(const struct pf_expr *e, uint32_t i, size_t *cols)
{
	const struct pf_node *x = &e->nodes[i];
	size_t a = 0, b = 0;

	switch (x->kind) {
	case PF_N_FIELD:
		*cols = 0;
		return true;
	case PF_N_CONST:
		*cols = 0;
		return x->is_num;
	case PF_N_NEG:
		if (!arithmetic(e, x->a, &a))
			return false;
		*cols = 1 + a;
		return true;
	case PF_N_ARITH:
		if (!arithmetic(e, x->a, &a) || !arithmetic(e, x->b, &b))
			return false;
		*cols = 2 + (a > b ? a : b);
		return true;
	default:
		return false;
	}
}

static struct number *
column_push(struct vector *v)
{
	return v->cols + v->cols_used++ * v->n;
}

/*
 * The numbers of arithmetic node i (arithmetic() holds) for the records
 * of sel, into col[record]: computed as pf_eval_node() computes them,
 * ok false where an operand is not a number or a division is by zero.
 */
static void
numbers(struct vector *v, uint32_t i, const uint32_t *sel, size_t n,
    struct number *col)
{
	const struct pf_node *x = &v->e->nodes[i];
	const size_t mark = v->cols_used;
	struct number *a, *b;
	struct pf_value val;
	size_t k, s;

	switch (x->kind) {
	case PF_N_CONST:
		for (k = 0; k < n; k++)
			col[sel[k]] = (struct number){ x->num, true };
		return;
	case PF_N_FIELD:
		for (k = 0; k < n; k++) {
			const struct pf_record *r = &v->recs[sel[k]];
			const size_t f = (size_t)x->field;

			col[sel[k]].ok = f < r->nfields && pf_number_parse(
			    r->fields[f].ptr, r->fields[f].len, &col[sel[k]].n);
		}
		return;
	case PF_N_NEG:
		a = column_push(v);
		numbers(v, x->a, sel, n, a);
		for (k = 0; k < n; k++) {
			s = sel[k];
			if ((col[s].ok = a[s].ok)) {
				pf_negate(&a[s].n, &val);
				pf_value_number(&val, &col[s].n);
			}
		}
		break;
	default:	/* PF_N_ARITH */
		a = column_push(v);
		b = column_push(v);
		numbers(v, x->a, sel, n, a);
		numbers(v, x->b, sel, n, b);
		for (k = 0; k < n; k++) {
			s = sel[k];
			col[s].ok = a[s].ok && b[s].ok &&
			    pf_arith(x->op, &a[s].n, &b[s].n, &val) &&
			    pf_value_number(&val, &col[s].n);
		}
		break;
	}
	v->cols_used = mark;
}

/*
 * A comparison of arithmetic (arithmetic() holds on both sides): the
 * two sides' number columns compared, and a record where one is not a
 * number evaluated on its own. False when it cannot hold the columns.
 */
static bool
select_arithmetic(struct vector *v, uint32_t i, const uint32_t *sel,
    size_t n, uint32_t *out, size_t *m)
{
	const struct pf_node *x = &v->e->nodes[i];
	const size_t mark = v->cols_used;
	struct number *a, *b;
	size_t ca, cb, k, s;
	bool t;

	if (!arithmetic(v->e, x->a, &ca) || !arithmetic(v->e, x->b, &cb) ||
	    (ca == 0 && cb == 0) ||
	    mark + 2 + (ca > cb ? ca : cb) > MAX_COLUMNS)
		return false;
	a = column_push(v);
	b = column_push(v);
	numbers(v, x->a, sel, n, a);
	numbers(v, x->b, sel, n, b);
	for (k = *m = 0; k < n; k++) {
		s = sel[k];
		if (a[s].ok && b[s].ok)
			t = pf_compare_numbers(x->op, &a[s].n, &b[s].n);
		else if (!one_record(v, i, (uint32_t)s, &t))
			break;
		out[*m] = (uint32_t)s;
		*m += t;
	}
	v->cols_used = mark;
	return true;
}

/* out = sel minus sub (sub a subsequence of sel); returns its length. */
static size_t
minus(const uint32_t *sel, size_t n, const uint32_t *sub, size_t k,
    uint32_t *out)
{
	size_t i, j = 0, m = 0;

	for (i = 0; i < n; i++) {
		if (j < k && sub[j] == sel[i])
			j++;
		else
			out[m++] = sel[i];
	}
	return m;
}

/* out = the ascending union of two disjoint ascending selections. */
static size_t
merge(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
    uint32_t *out)
{
	size_t i = 0, j = 0, m = 0;

	while (i < na && j < nb)
		out[m++] = a[i] < b[j] ? a[i++] : b[j++];
	while (i < na)
		out[m++] = a[i++];
	while (j < nb)
		out[m++] = b[j++];
	return m;
}

/* Node i evaluated on its own for each selected record. */
static size_t
select_each(struct vector *v, uint32_t i, const uint32_t *sel, size_t n,
    uint32_t *out)
{
	size_t k, m = 0;
	bool t;

	for (k = 0; k < n; k++) {
		if (!one_record(v, i, sel[k], &t))
			return 0;
		out[m] = sel[k];
		m += t;
	}
	return m;
}

/* A field's truth: not empty, "0" or "false" (pf_value_truthy()). */
static size_t
select_field(struct vector *v, long field, const uint32_t *sel, size_t n,
    uint32_t *out)
{
	struct pf_value val = { .type = PF_V_STR };
	size_t k, m = 0;

	for (k = 0; k < n; k++) {
		const struct pf_record *r = &v->recs[sel[k]];

		if ((size_t)field >= r->nfields)
			continue;
		val.s = r->fields[field].ptr;
		val.len = r->fields[field].len;
		if (pf_value_truthy(&val))
			out[m++] = sel[k];
	}
	return m;
}

/* Writes to out the records of sel where node i is true. */
static size_t
select_true(struct vector *v, uint32_t i, const uint32_t *sel, size_t n,
    uint32_t *out)
{
	const struct pf_expr *e = v->e;
	const struct pf_node *x = &e->nodes[i];
	const struct pf_node *a, *b;
	size_t mark = v->used, k, m;
	uint32_t *t, *r, *u;

	switch (x->kind) {
	case PF_N_CONST:
		if (!pf_value_truthy(&x->val))
			return 0;
		memmove(out, sel, n * sizeof(*sel));
		return n;
	case PF_N_FIELD:
		return select_field(v, x->field, sel, n, out);
	case PF_N_AND:
		t = selection_push(v);
		k = select_true(v, x->a, sel, n, t);
		m = v->given_up ? 0 : select_true(v, x->b, t, k, out);
		break;
	case PF_N_OR:
		t = selection_push(v);
		r = selection_push(v);
		u = selection_push(v);
		k = select_true(v, x->a, sel, n, t);
		m = minus(sel, n, t, k, r);
		m = v->given_up ? 0 : select_true(v, x->b, r, m, u);
		m = merge(t, k, u, m, out);
		break;
	case PF_N_NOT:
		t = selection_push(v);
		k = select_true(v, x->a, sel, n, t);
		m = minus(sel, n, t, k, out);
		break;
	case PF_N_CMP:
		a = &e->nodes[x->a];
		b = &e->nodes[x->b];
		if (a->kind == PF_N_FIELD && b->kind == PF_N_CONST)
			return pf_select_field_const(x, a, b, v->recs, sel, n,
			    out);
		if (select_arithmetic(v, i, sel, n, out, &m))
			return m;
		return select_each(v, i, sel, n, out);
	default:
		return select_each(v, i, sel, n, out);
	}
	v->used = mark;
	return m;
}

size_t
pf_eval_select(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_record *recs, size_t n, bool invert, uint32_t *sel)
{
	struct vector v = { .ev = ev, .e = e, .recs = recs, .n = n };
	size_t need, k, m;
	uint32_t *all, *t;

	/* Only the logic nodes count: a walk over a few nodes. */
	need = selections_needed(e, e->root) + 2;
	if (need > MAX_SELECTIONS)
		return SIZE_MAX;
	if (ev->vector_cap < need * n) {
		free(ev->vector_mem);
		ev->vector_cap = need * n;
		ev->vector_mem = pf_xcalloc(ev->vector_cap, sizeof(uint32_t));
	}
	if (ev->columns_cap < MAX_COLUMNS * n) {
		free(ev->columns);
		ev->columns_cap = MAX_COLUMNS * n;
		ev->columns = pf_xcalloc(ev->columns_cap, sizeof(*v.cols));
	}
	v.mem = ev->vector_mem;
	v.cols = ev->columns;
	all = selection_push(&v);
	t = selection_push(&v);
	for (k = 0; k < n; k++)
		all[k] = (uint32_t)k;

	pf_eval_reset(ev);
	ev->probing = true;
	ev->noted = false;
	m = select_true(&v, e->root, all, n, invert ? t : sel);
	ev->probing = false;
	if (v.given_up || ev->noted || ev->failed) {
		pf_eval_reset(ev);
		return SIZE_MAX;
	}
	return invert ? minus(all, n, t, m, sel) : m;
}
