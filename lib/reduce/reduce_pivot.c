/*
 * reduce_pivot.c - preduce --pivot F AGG (long to wide): the groups are
 * folded by the -k keys and F together, as usual; here they are written
 * as one record per -k key, with one column per value of F holding that
 * group's AGG (empty where the key never had the value). Rows and
 * columns are in order of first appearance in the input (each group
 * keeps the lowest record order it saw), so the output is the same for
 * every -j. The header is known only at the end, and written then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reduce/reduce_int.h"
#include "support/compat.h"
#include "support/xalloc.h"

bool
pf_reduce_check_pivot(const struct pf_reduce_args *args, char *err,
    size_t errlen)
{
	struct pf_agg a;
	char msg[256];
	bool fixed;

	if (args->pivot == NULL)
		return true;
	if (args->partial || args->merge || pf_reduce_streaming(args)) {
		snprintf(err, errlen, "--pivot writes final values only: not "
		    "with --partial, --merge, --every, --interval or --window");
		return false;
	}
	if (args->naggs != 1) {
		snprintf(err, errlen, "--pivot F takes one AGG, the value of "
		    "each cell (e.g. first:value, sum:amount)");
		return false;
	}
	if (!pf_agg_parse(args->aggs[0], &a, msg, sizeof(msg)))
		return true;	/* pf_reduce_check_aggs() says why */
	fixed = !pf_agg_uses_values(a.func);
	pf_agg_free(&a);
	if (!fixed)
		snprintf(err, errlen, "--pivot's AGG is one of count, sum, "
		    "mean, min, max, first, last, stdev, var");
	return fixed;
}

/* The key of a group: the -k parts (prefix), and F's value (last part). */
static void
split_key(const struct reduce *r, const struct pf_group *g,
    const char **prefix_end, const char **value, size_t *vlen)
{
	const char *p = g->key, *end = g->key + g->keylen, *s, *before = p;
	size_t len;

	*prefix_end = g->key;
	if (r->nkeys == 1) {
		*prefix_end = g->key;
		*value = g->key;
		*vlen = g->keylen;
		return;
	}
	*value = NULL;
	*vlen = 0;
	while (before = p, pf_key_next(&p, end, &s, &len)) {
		*prefix_end = before;
		*value = s;
		*vlen = len;
	}
}

struct cell {
	uint32_t	 row, col;	/* ranks */
	uint32_t	 group;
};

static int
by_cell(const void *x, const void *y)
{
	const struct cell *a = x, *b = y;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

/* rank[i]: the place of t's entry i in order of first appearance. */
static uint32_t *
ranks(const struct pf_groups *t)
{
	uint32_t *order = pf_xcalloc(t->count + 1, sizeof(*order));
	uint32_t *rank = pf_xcalloc(t->count + 1, sizeof(*rank));
	uint32_t i;

	for (i = 0; i < t->count; i++)
		order[i] = i;
	pf_qsort_r(order, t->count, sizeof(*order), pf_reduce_by_order,
	    (void *)t);
	for (i = 0; i < t->count; i++)
		rank[order[i]] = i;
	free(order);
	return rank;
}

static struct pf_group *
seen_at(struct pf_groups *t, const char *s, size_t len, uint64_t order)
{
	bool added;
	struct pf_group *g = pf_groups_find(t, s, len, &added);

	if (order < g->order)
		g->order = order;
	return g;
}

/* The header: the -k names, then F's values in order of appearance. */
static void
write_header(struct reduce *r, const struct pf_groups *cols,
    const uint32_t *col_rank, struct pf_buf *out)
{
	size_t nk = r->nkeys - 1, n = nk + cols->count, i;
	char **names = pf_xcalloc(n + 1, sizeof(*names));
	const struct pf_group *c;

	for (i = 0; i < nk; i++)
		names[i] = pf_xstrdup(r->keynames[i]);
	for (i = 0; i < cols->count; i++) {
		c = pf_groups_at(cols, (uint32_t)i);
		names[nk + col_rank[i]] = pf_xstrndup(c->key, c->keylen);
	}
	pf_output_free(&r->out);
	pf_output_init(&r->out, r->opt->out_format, r->opt->out_delim, names,
	    n);
	if (r->opt->in.header && n > 0)
		pf_output_header(&r->out, out);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* One row: the -k parts of a group's key, then each column's cell. */
static void
write_row(struct reduce *r, struct shard *s, const struct cell *c,
    size_t ncells, size_t ncols, struct pf_buf *val, struct pf_buf *out)
{
	const struct pf_group *g = pf_groups_at(&s->groups, c[0].group);
	const char *p = g->key, *end, *v, *part;
	const struct pf_agg *a = &r->aggs[0];
	size_t col = 0, k = 0, vlen, len;
	bool is_number;

	split_key(r, g, &end, &v, &vlen);
	while (p < end && pf_key_next(&p, end, &part, &len))
		pf_output_field(&r->out, out, col++, part, len,
		    PF_JSON_AUTO);
	for (size_t j = 0; j < ncols; j++) {
		val->len = 0;
		is_number = false;
		if (k < ncells && c[k].col == j) {
			g = pf_groups_at(&s->groups, c[k++].group);
			pf_agg_result(a, PF_GROUP_STATE(g) + a->offset, val,
			    &is_number);
		}
		pf_output_field(&r->out, out, col++, val->data, val->len,
		    is_number && val->len > 0 ? PF_JSON_NUMBER : PF_JSON_AUTO);
	}
	pf_output_end(&r->out, out, col);
	r->tool->written++;
}

void
pf_reduce_write_pivot(struct reduce *r, struct shard *s, struct pf_buf *out)
{
	struct pf_arena arena = { 0 };
	struct pf_groups rows, cols;
	struct pf_buf val = { 0 };
	struct cell *cells;
	uint32_t *row_of, *col_of, *row_rank, *col_rank, i, n = s->groups.count;
	const char *prefix_end, *v;
	struct pf_group *g;
	size_t vlen, j, k;

	pf_groups_init(&rows, &arena, 0);
	pf_groups_init(&cols, &arena, 0);
	row_of = pf_xcalloc(n + 1, sizeof(*row_of));
	col_of = pf_xcalloc(n + 1, sizeof(*col_of));
	for (i = 0; i < n; i++) {
		g = pf_groups_at(&s->groups, i);
		split_key(r, g, &prefix_end, &v, &vlen);
		row_of[i] = seen_at(&rows, g->key, (size_t)(prefix_end -
		    g->key), g->order)->index;
		col_of[i] = seen_at(&cols, v, vlen, g->order)->index;
	}
	row_rank = ranks(&rows);
	col_rank = ranks(&cols);
	cells = pf_xcalloc(n + 1, sizeof(*cells));
	for (i = 0; i < n; i++)
		cells[i] = (struct cell){ row_rank[row_of[i]],
		    col_rank[col_of[i]], i };
	qsort(cells, n, sizeof(*cells), by_cell);
	write_header(r, &cols, col_rank, out);
	for (j = 0; j < n; j = k) {
		for (k = j; k < n && cells[k].row == cells[j].row; k++)
			;
		write_row(r, s, cells + j, k - j, cols.count, &val, out);
		if (out->len >= (1u << 20)) {
			if (pf_write_all(STDOUT_FILENO, out->data, out->len) < 0)
				break;	/* the engine reports the error */
			out->len = 0;
		}
	}
	free(cells);
	free(row_of);
	free(col_of);
	free(row_rank);
	free(col_rank);
	pf_buf_free(&val);
	pf_groups_free(&rows);
	pf_groups_free(&cols);
	pf_arena_free(&arena);
}
