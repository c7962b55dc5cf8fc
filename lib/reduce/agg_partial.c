/*
 * agg_partial.c - the partial (mergeable) form of preduce's fixed-size
 * aggregation states (see agg.h): the names of a function's partial
 * columns, a state written as them, and read back from them (preduce
 * --partial, --merge).
 */
#include <stdbool.h>
#include <stdint.h>

#include "reduce/agg.h"
#include "reduce/agg_int.h"
#include "support/number.h"


static const char *const parts_n[] = { "n", NULL };
static const char *const parts_sum[] = { "n", "sum", NULL };
static const char *const parts_var[] = { "n", "sum", "sumsq", NULL };
static const char *const parts_minmax[] = { "num", "str", NULL };
static const char *const parts_pick[] = { "value", NULL };
static const char *const parts_values[] = { "values", NULL };

const char *const *
pf_agg_parts(enum pf_agg_func f)
{
	switch (f) {
	case PF_AGG_COUNT:
		return parts_n;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return parts_sum;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return parts_var;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		return parts_minmax;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		return parts_pick;
	default:
		return parts_values;
	}
}

void
pf_agg_encode(const struct pf_agg *a, const unsigned char *state,
    size_t part, struct pf_buf *out)
{
	const struct sum_state *ss = (const struct sum_state *)state;
	const struct var_state *vs = (const struct var_state *)state;
	const struct minmax_state *ms = (const struct minmax_state *)state;
	const struct pick_state *ps = (const struct pick_state *)state;
	char num[PF_NUMBER_MAX];

	switch (a->func) {
	case PF_AGG_COUNT:
		pf_buf_add(out, num, pf_format_int(
		    (int64_t)((const struct count_state *)state)->n, num));
		break;
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		if (part == 0)
			pf_buf_add(out, num, pf_format_int((int64_t)ss->n,
			    num));
		else
			pf_dec_encode(&ss->s, out);
		break;
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		if (part == 0)
			pf_buf_add(out, num, pf_format_int((int64_t)vs->n,
			    num));
		else
			pf_dec_encode(part == 1 ? &vs->s : &vs->q, out);
		break;
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		/* num: the numeric extreme, empty once a value was not. */
		if (part == 0 && ms->num.str != NULL && !ms->nonnum)
			pf_buf_add(out, ms->num.str, ms->num.len);
		else if (part == 1 && ms->str.str != NULL)
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

static bool
parse_count(const char *s, size_t len, uint64_t *n)
{
	struct pf_number num;

	if (!pf_number_parse(s, len, &num) || !num.is_int || num.i < 0)
		return false;
	*n = (uint64_t)num.i;
	return true;
}

bool
pf_agg_decode(const struct pf_agg *a, unsigned char *state,
    const char *const *f, const size_t *lens, uint64_t order,
    struct pf_arena *arena)
{
	struct sum_state *ss = (struct sum_state *)state;
	struct var_state *vs = (struct var_state *)state;
	struct minmax_state *ms = (struct minmax_state *)state;
	struct pick_state *ps = (struct pick_state *)state;
	struct pf_number num;

	switch (a->func) {
	case PF_AGG_COUNT:
		return parse_count(f[0], lens[0],
		    &((struct count_state *)state)->n);
	case PF_AGG_SUM:
	case PF_AGG_MEAN:
		return parse_count(f[0], lens[0], &ss->n) &&
		    pf_dec_decode(&ss->s, f[1], lens[1], arena);
	case PF_AGG_STDEV:
	case PF_AGG_VAR:
		return parse_count(f[0], lens[0], &vs->n) &&
		    pf_dec_decode(&vs->s, f[1], lens[1], arena) &&
		    pf_dec_decode(&vs->q, f[2], lens[2], arena);
	case PF_AGG_MIN:
	case PF_AGG_MAX:
		if (lens[1] == 0)
			return lens[0] == 0;
		ms->str.str = (char *)f[1];
		ms->str.len = (uint32_t)lens[1];
		if (lens[0] == 0) {
			ms->nonnum = true;
			return true;
		}
		if (!pf_number_parse(f[0], lens[0], &num))
			return false;
		ms->num.str = (char *)f[0];
		ms->num.len = (uint32_t)lens[0];
		ms->num_order = order;
		ms->num_d = num.d;
		ms->num_i = num.i;
		ms->num_is_int = num.is_int;
		return true;
	case PF_AGG_FIRST:
	case PF_AGG_LAST:
		if (lens[0] > 0) {
			ps->str.str = (char *)f[0];
			ps->str.len = (uint32_t)lens[0];
			ps->order = order;
		}
		return true;
	default:
		return false;
	}
}
