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
 * a field alone is its values' truth. Every other node (arithmetic,
 * calls, regexes, `in`, `?:`) is evaluated record by record, but only
 * for the records selected, so a call runs for exactly the records it
 * runs for one record at a time.
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

struct vector {
	struct pf_eval		*ev;
	const struct pf_expr	*e;
	const struct pf_record	*recs;
	uint32_t		*mem;		/* selections, a stack of them */
	size_t			 used, n;	/* n: entries per selection */
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
	struct pf_value val;
	size_t k, m = 0;

	for (k = 0; k < n; k++) {
		pf_eval_node(v->ev, v->e, i, &v->recs[sel[k]], &val);
		if (v->ev->noted || v->ev->failed) {
			v->given_up = true;
			return 0;
		}
		if (pf_value_truthy(&val))
			out[m++] = sel[k];
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
	v.mem = ev->vector_mem;
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
