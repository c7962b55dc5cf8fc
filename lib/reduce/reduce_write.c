/*
 * reduce_write.c - preduce's output: a shard's groups as records, in
 * order of first appearance (each group keeps the lowest record order it
 * saw), each AGG's result, or with --partial its state's parts.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reduce/reduce_int.h"
#include "support/compat.h"
#include "support/number.h"
#include "support/xalloc.h"

int
pf_reduce_by_order(const void *x, const void *y, void *ctx)
{
	const struct pf_groups *t = ctx;
	uint64_t a = pf_groups_at(t, *(const uint32_t *)x)->order;
	uint64_t b = pf_groups_at(t, *(const uint32_t *)y)->order;

	return a < b ? -1 : a > b;
}

/* Entries of the value table grouped by group: starts[g]..starts[g+1]. */
static struct pf_value_entry **
entries_by_group(const struct shard *s, size_t **startsp)
{
	size_t ngroups = s->groups.count, i, *starts, *fill;
	struct pf_value_entry **v, *e;

	starts = pf_xcalloc(ngroups + 2, sizeof(*starts));
	v = pf_xcalloc(s->values.count + 1, sizeof(*v));
	for (i = 0; s->values.slots != NULL && i <= s->values.mask; i++)
		if ((e = s->values.slots[i]) != NULL)
			starts[e->group + 1]++;
	for (i = 1; i <= ngroups; i++)
		starts[i] += starts[i - 1];
	fill = pf_xcalloc(ngroups + 1, sizeof(*fill));
	memcpy(fill, starts, (ngroups + 1) * sizeof(*fill));
	for (i = 0; s->values.slots != NULL && i <= s->values.mask; i++)
		if ((e = s->values.slots[i]) != NULL)
			v[fill[e->group]++] = e;
	free(fill);
	*startsp = starts;
	return v;
}

/* The window column of a snapshot or window (reduce_stream.c). */
struct win_col {
	const char	*s;
	size_t		 len;
	bool		 is_number;
};

static void
write_group(struct reduce *r, const struct win_col *win, struct pf_group *g,
    struct pf_value_entry **v, size_t nv, struct pf_value_entry **scratch,
    struct pf_buf *val, struct pf_buf *out)
{
	const char *p = g->key, *end = g->key + g->keylen, *s;
	const struct pf_agg *a;
	char num[PF_NUMBER_MAX];
	size_t col = 0, i, j, n, len, k;
	bool is_number;

	if (win != NULL)
		pf_output_field(&r->out, out, col++, win->s, win->len,
		    win->is_number ? PF_JSON_NUMBER : PF_JSON_AUTO);
	if (r->nkeys == 1)		/* the bytes themselves (fold_record) */
		pf_output_field(&r->out, out, col++, g->key, g->keylen,
		    PF_JSON_AUTO);
	else
		while (pf_key_next(&p, end, &s, &len))
			pf_output_field(&r->out, out, col++, s, len,
			    PF_JSON_AUTO);
	if (r->args->partial) {
		len = pf_format_int((int64_t)g->records, num);
		pf_output_field(&r->out, out, col++, num, len,
		    PF_JSON_AUTO);
	}
	for (i = 0; i < r->naggs; i++) {
		a = &r->aggs[i];
		if (pf_agg_uses_values(a->func)) {
			for (n = 0, j = 0; j < nv; j++)
				if (v[j]->agg == i)
					scratch[n++] = v[j];
			val->len = 0;
			if (r->args->partial)
				pf_agg_values_encode(a, scratch, n, val);
			else
				pf_agg_values_result(a, scratch, n, val,
				    &is_number);
			pf_output_field(&r->out, out, col++, val->data,
			    val->len, !r->args->partial && is_number ?
			    PF_JSON_NUMBER : PF_JSON_AUTO);
			continue;
		}
		if (!r->args->partial) {
			val->len = 0;
			pf_agg_result(a, PF_GROUP_STATE(g) + a->offset, val,
			    &is_number);
			pf_output_field(&r->out, out, col++, val->data,
			    val->len, is_number && val->len > 0 ?
			    PF_JSON_NUMBER : PF_JSON_AUTO);
			continue;
		}
		for (k = 0; pf_agg_parts(a->func)[k] != NULL; k++) {
			val->len = 0;
			pf_agg_encode(a, PF_GROUP_STATE(g) + a->offset, k,
			    val);
			pf_output_field(&r->out, out, col++, val->data,
			    val->len, PF_JSON_AUTO);
		}
	}
	pf_output_end(&r->out, out, col);
	r->tool->written++;
}

/*
 * Writes s's groups in order of first appearance; out is written to
 * stdout whenever it passes 1 MiB. Returns -1 on a write error.
 */
static int
write_groups(struct reduce *r, struct shard *s, const struct win_col *win,
    struct pf_buf *out)
{
	struct pf_value_entry **v, **scratch;
	struct pf_buf val = { 0 };
	uint32_t *order, i;
	size_t *starts;
	bool added;
	int rc = 0;

	if (r->nkeys == 0 && s->groups.count == 0)
		pf_groups_get(&s->groups, pf_hash("", 0), "", 0, &added);

	order = pf_xcalloc(s->groups.count + 1, sizeof(*order));
	for (i = 0; i < s->groups.count; i++)
		order[i] = i;
	pf_qsort_r(order, s->groups.count, sizeof(*order), pf_reduce_by_order,
	    &s->groups);
	v = entries_by_group(s, &starts);
	scratch = pf_xcalloc(s->values.count + 1, sizeof(*scratch));
	for (i = 0; i < s->groups.count; i++) {
		write_group(r, win, pf_groups_at(&s->groups, order[i]),
		    v + starts[order[i]], starts[order[i] + 1] -
		    starts[order[i]], scratch, &val, out);
		if (out->len >= (1u << 20)) {
			if ((rc = pf_write_all(STDOUT_FILENO, out->data,
			    out->len)) < 0)
				break;	/* the engine reports the error */
			out->len = 0;
		}
	}
	free(order);
	free(v);
	free(starts);
	free(scratch);
	pf_buf_free(&val);
	return rc;
}

void
pf_reduce_write_shard(struct reduce *r, struct shard *s, const char *win,
    size_t winlen, bool win_number, struct pf_buf *out)
{
	struct win_col w = { win, winlen, win_number };

	(void)write_groups(r, s, win != NULL ? &w : NULL, out);
}
