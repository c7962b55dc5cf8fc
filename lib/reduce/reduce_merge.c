/*
 * reduce_merge.c - preduce --merge: reads rows of partial state (written
 * by --partial) instead of records. The partial header gives the layout:
 * K key columns, the preduce:partial:K column (records per group), then
 * each AGG's parts as NAME:FUNC:PART. A row's key is its leading
 * columns; each state is decoded and merged into the group as if it came
 * from a worker, at the row's order.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/reduce_int.h"
#include "support/number.h"
#include "support/status.h"
#include "support/xalloc.h"

/* Reads NAME:FUNC:PART (FUNC into a): returns false unless it is one. */
static bool
split_state_column(const char *col, char **name, struct pf_agg *a,
    const char **part)
{
	const char *c2 = strrchr(col, ':'), *c1;

	if (c2 == NULL || c2 == col)
		return false;
	for (c1 = c2 - 1; c1 > col && *c1 != ':'; c1--)
		;
	if (*c1 != ':' || !pf_agg_func_find(c1 + 1, (size_t)(c2 - c1 - 1), a))
		return false;
	*name = pf_xstrndup(col, (size_t)(c1 - col));
	*part = c2 + 1;
	return true;
}

int
pf_reduce_start_merge(struct reduce *r, const struct pf_schema *schema)
{
	const char *const *parts, *part;
	struct pf_agg f = { 0 }, f2 = { 0 };
	size_t i, col, k;
	char *name, *end;
	long nkeys = -1;

	if (!schema->has_header) {
		warnx("--merge needs the partial header");
		return PF_USAGE;
	}
	for (i = 0; i < schema->nfields; i++)
		if (strncmp(schema->names[i], PARTIAL_MARK,
		    strlen(PARTIAL_MARK)) == 0) {
			nkeys = strtol(schema->names[i] + strlen(PARTIAL_MARK),
			    &end, 10);
			if (*end != '\0' || nkeys != (long)i)
				nkeys = -1;
			break;
		}
	if (nkeys < 0) {
		warnx("--merge: not a partial header (no %sK column after "
		    "K keys)", PARTIAL_MARK);
		return PF_USAGE;
	}
	r->nkeys = (size_t)nkeys;
	r->keynames = pf_xcalloc(r->nkeys + 1, sizeof(char *));
	for (i = 0; i < r->nkeys; i++)
		r->keynames[i] = pf_xstrdup(schema->names[i]);
	r->aggs = pf_xcalloc(schema->nfields, sizeof(*r->aggs));
	r->part_col = pf_xcalloc(schema->nfields, sizeof(size_t));
	for (col = r->nkeys + 1; col < schema->nfields; ) {
		if (!split_state_column(schema->names[col], &name, &f, &part)) {
			warnx("--merge: bad partial column '%s'",
			    schema->names[col]);
			return PF_USAGE;
		}
		parts = pf_agg_parts(f.func);
		for (k = 0; parts[k] != NULL; k++) {
			char *n2 = NULL;

			if (col + k >= schema->nfields ||
			    !split_state_column(schema->names[col + k], &n2,
			    &f2, &part) || strcmp(f2.funcname, f.funcname) != 0 ||
			    strcmp(n2, name) != 0 ||
			    strcmp(part, parts[k]) != 0) {
				warnx("--merge: partial column %zu: expected "
				    "'%s:%s:%s'", col + k + 1, name,
				    f.funcname, parts[k]);
				free(n2);
				free(name);
				return PF_USAGE;
			}
			free(n2);
		}
		r->aggs[r->naggs] = f;
		r->aggs[r->naggs].name = name;
		r->aggs[r->naggs].index = -1;
		r->aggs[r->naggs].vindex = -1;
		r->part_col[r->naggs++] = col;
		col += k;
	}
	r->nheader = schema->nfields;
	r->header = pf_xcalloc(r->nheader, sizeof(char *));
	for (i = 0; i < r->nheader; i++)
		r->header[i] = pf_xstrdup(schema->names[i]);
	pf_reduce_layout_states(r);
	return 0;
}

static inline void
key_add(struct pf_buf *key, const char *s, size_t len)
{
	char *p;

	pf_buf_reserve(key, PF_KEY_ROOM(len));
	p = key->data + key->len;
	pf_key_add(&p, s, len);
	key->len = (size_t)(p - key->data);
}

struct list_ctx {
	struct reduce_worker	*w;
	uint32_t		 group;
	uint16_t		 agg;
	uint64_t		 order;
};

static void
list_add(void *ctx, const void *bytes, size_t len, uint64_t count, size_t i)
{
	struct list_ctx *c = ctx;

	pf_values_add(&c->w->s.values, c->group, c->agg, bytes, len, count,
	    c->order, (uint32_t)(i > UINT32_MAX ? UINT32_MAX : i));
}

static bool
is_header_again(struct reduce *r, const struct pf_record *rec)
{
	size_t i;

	if (rec->nfields != r->nheader)
		return false;
	for (i = 0; i < r->nheader; i++)
		if (rec->fields[i].len != strlen(r->header[i]) ||
		    memcmp(rec->fields[i].ptr, r->header[i],
		    rec->fields[i].len) != 0)
			return false;
	return true;
}

void
pf_reduce_merge_record(struct reduce_worker *w, const struct pf_record *rec)
{
	struct reduce *r = w->r;
	const char *fields[4];
	size_t lens[4], i, k, col;
	struct pf_number n;
	struct pf_group *g;
	const struct pf_agg *a;
	struct list_ctx lc;

	if (is_header_again(r, rec))
		return;
	if (r->nkeys == 1)
		g = pf_reduce_find_group(w, rec->fields[0].ptr,
		    rec->fields[0].len, rec->order);
	else {
		w->key.len = 0;
		for (i = 0; i < r->nkeys; i++)
			key_add(&w->key, rec->fields[i].ptr,
			    rec->fields[i].len);
		g = pf_reduce_find_group(w, w->key.data, w->key.len,
		    rec->order);
	}
	col = r->nkeys;
	if (!pf_number_parse(rec->fields[col].ptr, rec->fields[col].len,
	    &n) || !n.is_int || n.i < 0)
		goto bad;
	g->records += (uint64_t)n.i;
	for (i = 0; i < r->naggs; i++) {
		a = &r->aggs[i];
		col = r->part_col[i];
		if (pf_agg_uses_values(a->func)) {
			lc = (struct list_ctx){ w, g->index, (uint16_t)i,
			    rec->order };
			if (!pf_agg_values_decode(a, rec->fields[col].ptr,
			    rec->fields[col].len, list_add, &lc))
				goto bad;
			continue;
		}
		for (k = 0; pf_agg_parts(a->func)[k] != NULL; k++) {
			fields[k] = rec->fields[col + k].ptr;
			lens[k] = rec->fields[col + k].len;
		}
		memset(w->tmp, 0, r->state_size + 8);
		if (!pf_agg_decode(a, w->tmp, fields, lens, rec->order,
		    &w->tmp_arena))
			goto bad;
		pf_agg_merge(a, PF_GROUP_STATE(g) + a->offset, w->tmp,
		    &w->s.arena);
		if (w->tmp_arena.used > 0)
			pf_arena_free(&w->tmp_arena);
	}
	return;
bad:
	pf_reduce_fail(w, "bad partial state in column '%s': '%.*s'",
	    r->header[col], (int)(rec->fields[col].len > 100 ? 100 :
	    rec->fields[col].len), rec->fields[col].ptr);
}
