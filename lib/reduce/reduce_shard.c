/*
 * reduce_shard.c - preduce's shards: a group table and a value table in
 * one arena (see reduce_int.h); made, freed, moved and merged.
 */
#include <stdlib.h>
#include <string.h>

#include "reduce/reduce_int.h"
#include "support/xalloc.h"

void
pf_reduce_shard_init(struct reduce *r, struct shard *s)
{
	memset(&s->arena, 0, sizeof(s->arena));
	pf_groups_init(&s->groups, &s->arena, r->state_size);
	pf_values_init(&s->values, &s->arena);
}

void
pf_reduce_shard_free(struct shard *s)
{
	pf_groups_free(&s->groups);
	pf_values_free(&s->values);
	pf_arena_free(&s->arena);
}

size_t
pf_reduce_shard_bytes(const struct shard *s)
{
	return s->arena.reserved + s->groups.nchunks * PF_GROUP_CHUNK *
	    s->groups.stride + (s->groups.mask + 1) * sizeof(uint64_t) +
	    (s->values.mask + 1) * sizeof(void *);
}

void
pf_reduce_shard_move(struct reduce *r, struct shard *dst, struct shard *src)
{
	pf_reduce_shard_free(dst);
	*dst = *src;
	dst->groups.arena = dst->values.arena = &dst->arena;
	pf_reduce_shard_init(r, src);
}

void
pf_reduce_shard_merge(struct reduce *r, struct shard *dst,
    const struct shard *src)
{
	uint32_t *map = pf_xmalloc((src->groups.count + 1) * sizeof(*map));
	struct pf_group *g, *d;
	struct pf_value_entry *e;
	size_t i, k;
	bool added;

	for (i = 0; i < src->groups.count; i++) {
		g = pf_groups_at(&src->groups, (uint32_t)i);
		d = pf_groups_get(&dst->groups, pf_hash(g->key, g->keylen),
		    g->key, g->keylen, &added);
		if (g->order < d->order)
			d->order = g->order;
		d->records += g->records;
		for (k = 0; k < r->naggs; k++)
			if (pf_agg_state_size(r->aggs[k].func) > 0)
				pf_agg_merge(&r->aggs[k],
				    PF_GROUP_STATE(d) + r->aggs[k].offset,
				    PF_GROUP_STATE(g) + r->aggs[k].offset,
				    &dst->arena);
		map[i] = d->index;
	}
	for (i = 0; src->values.slots != NULL && i <= src->values.mask; i++)
		if ((e = src->values.slots[i]) != NULL)
			pf_values_add(&dst->values, map[e->group], e->agg,
			    e->bytes, e->len, e->count, e->first, e->sub);
	free(map);
}
