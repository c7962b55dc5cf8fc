/*
 * table.c - the arena and preduce's group and value hash tables
 * (see table.h).
 */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "support/table.h"
#include "support/xalloc.h"

struct pf_arena_chunk {
	struct pf_arena_chunk	*next;
	size_t			 size;
	max_align_t		 data[];
};

#define ARENA_CHUNK	(1 << 20)

void *
pf_arena_alloc(struct pf_arena *a, size_t size)
{
	struct pf_arena_chunk *c;
	size_t want;
	void *p;

	size = (size + 7) & ~(size_t)7;
	if ((size_t)(a->end - a->ptr) < size) {
		want = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		c = pf_xmalloc(sizeof(*c) + want);
		c->size = want;
		c->next = a->chunks;
		a->chunks = c;
		a->reserved += want;
		a->ptr = (char *)c->data;
		a->end = a->ptr + want;
	}
	p = a->ptr;
	a->ptr += size;
	a->used += size;
	return p;
}

char *
pf_arena_dup(struct pf_arena *a, const void *p, size_t len)
{
	char *s = pf_arena_alloc(a, len ? len : 1);

	if (len)
		memcpy(s, p, len);
	return s;
}

void
pf_arena_free(struct pf_arena *a)
{
	struct pf_arena_chunk *c, *next;

	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

uint64_t
pf_hash(const void *p, size_t len)
{
	return XXH3_64bits(p, len);
}

void
pf_key_add(char **p, const char *s, size_t len)
{
	unsigned char *q = (unsigned char *)*p;
	size_t n = len;

	while (n >= 0x80) {
		*q++ = (unsigned char)(n | 0x80);
		n >>= 7;
	}
	*q++ = (unsigned char)n;
	if (len)
		memcpy(q, s, len);
	*p = (char *)q + len;
}

bool
pf_key_next(const char **p, const char *end, const char **s, size_t *len)
{
	const unsigned char *q = (const unsigned char *)*p;
	size_t n = 0;
	int shift = 0;

	if (*p >= end)
		return false;
	while (*q & 0x80) {
		n |= (size_t)(*q++ & 0x7f) << shift;
		shift += 7;
	}
	n |= (size_t)*q++ << shift;
	*s = (const char *)q;
	*len = n;
	*p = (const char *)q + n;
	return true;
}

void
pf_groups_init(struct pf_groups *t, struct pf_arena *arena, size_t state_size)
{
	memset(t, 0, sizeof(*t));
	t->arena = arena;
	t->state_size = (state_size + 7) & ~(size_t)7;
	t->stride = sizeof(struct pf_group) + t->state_size;
	t->mask = 15;
	t->slots = pf_xcalloc(t->mask + 1, sizeof(*t->slots));
}

void
pf_groups_free(struct pf_groups *t)
{
	size_t i;

	for (i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void
groups_grow(struct pf_groups *t)
{
	size_t mask = t->mask * 2 + 1, i, j;
	uint64_t *slots = pf_xcalloc(mask + 1, sizeof(*slots));
	struct pf_group *g;
	uint64_t h;

	for (i = 0; i < t->count; i++) {
		g = pf_groups_at(t, (uint32_t)i);
		h = pf_hash(g->key, g->keylen);
		for (j = h & mask; slots[j] != 0; j = (j + 1) & mask)
			;
		slots[j] = (uint64_t)(i + 1) << 32 | h >> 32;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
}

/* Adds a group for the key at slot j (free), growing the table after. */
static struct pf_group *
groups_add(struct pf_groups *t, size_t j, uint32_t tag, const char *key,
    size_t keylen)
{
	struct pf_group *g;

	if (t->count % PF_GROUP_CHUNK == 0) {
		if (t->nchunks % 64 == 0)
			t->chunks = pf_xrealloc(t->chunks,
			    (t->nchunks + 64) * sizeof(*t->chunks));
		t->chunks[t->nchunks++] = pf_xmalloc(PF_GROUP_CHUNK *
		    t->stride);
	}
	g = pf_groups_at(t, t->count);
	memset(g, 0, t->stride);
	g->order = UINT64_MAX;
	g->key = pf_arena_dup(t->arena, key, keylen);
	g->keylen = (uint32_t)keylen;
	g->index = t->count;
	t->slots[j] = (uint64_t)(t->count + 1) << 32 | tag;
	t->count++;
	if (t->count * 4 > (t->mask + 1) * 3)
		groups_grow(t);
	return g;
}

static inline struct pf_group *
groups_get(struct pf_groups *t, uint64_t hash, const char *key,
    size_t keylen, bool *added)
{
	uint32_t tag = (uint32_t)(hash >> 32);
	struct pf_group *g;
	size_t j;
	uint64_t s;

	for (j = hash & t->mask; (s = t->slots[j]) != 0; j = (j + 1) & t->mask) {
		if ((uint32_t)s != tag)
			continue;
		g = pf_groups_at(t, (uint32_t)(s >> 32) - 1);
		if (g->keylen == keylen && pf_bytes_eq(g->key, key, keylen)) {
			*added = false;
			return g;
		}
	}
	*added = true;
	return groups_add(t, j, tag, key, keylen);
}

struct pf_group *
pf_groups_get(struct pf_groups *t, uint64_t hash, const char *key,
    size_t keylen, bool *added)
{
	return groups_get(t, hash, key, keylen, added);
}

struct pf_group *
pf_groups_find(struct pf_groups *t, const char *key, size_t keylen,
    bool *added)
{
	/* Short keys, the common case, hash and compare without a call. */
	if (keylen <= 16)
		return groups_get(t, XXH3_64bits(key, keylen), key, keylen,
		    added);
	return pf_groups_get(t, pf_hash(key, keylen), key, keylen, added);
}

const struct pf_group *
pf_groups_lookup(const struct pf_groups *t, const char *key, size_t keylen)
{
	uint64_t hash = keylen <= 16 ? XXH3_64bits(key, keylen) :
	    pf_hash(key, keylen), s;
	uint32_t tag = (uint32_t)(hash >> 32);
	const struct pf_group *g;
	size_t j;

	for (j = hash & t->mask; (s = t->slots[j]) != 0; j = (j + 1) & t->mask) {
		if ((uint32_t)s != tag)
			continue;
		g = pf_groups_at(t, (uint32_t)(s >> 32) - 1);
		if (g->keylen == keylen && pf_bytes_eq(g->key, key, keylen))
			return g;
	}
	return NULL;
}

void
pf_values_init(struct pf_values *t, struct pf_arena *arena)
{
	memset(t, 0, sizeof(*t));
	t->arena = arena;
}

void
pf_values_free(struct pf_values *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void
values_grow(struct pf_values *t)
{
	size_t mask = t->mask ? t->mask * 2 + 1 : 63, i, j;
	struct pf_value_entry **slots = pf_xcalloc(mask + 1, sizeof(*slots));
	struct pf_value_entry *e;

	for (i = 0; t->slots != NULL && i <= t->mask; i++) {
		if ((e = t->slots[i]) == NULL)
			continue;
		for (j = e->hash & mask; slots[j] != NULL; j = (j + 1) & mask)
			;
		slots[j] = e;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
}

void
pf_values_reserve(struct pf_values *t, size_t n)
{
	while ((n + 1) * 4 > (t->mask + 1) * 3 || t->slots == NULL)
		values_grow(t);
}

struct pf_value_entry *
pf_values_add(struct pf_values *t, uint32_t group, uint16_t agg,
    const void *bytes, size_t len, uint64_t n, uint64_t order, uint32_t sub)
{
	uint64_t h = XXH3_64bits_withSeed(bytes, len,
	    (uint64_t)group << 16 | agg);
	struct pf_value_entry *e;
	size_t j;

	if ((t->count + 1) * 4 > (t->mask + 1) * 3 || t->slots == NULL)
		values_grow(t);
	for (j = h & t->mask; (e = t->slots[j]) != NULL; j = (j + 1) & t->mask)
		if (e->hash == h && e->group == group && e->agg == agg &&
		    e->len == len && pf_bytes_eq(e->bytes, bytes, len)) {
			e->count += n;
			if (order < e->first ||
			    (order == e->first && sub < e->sub)) {
				e->first = order;
				e->sub = sub;
			}
			return e;
		}
	e = pf_arena_alloc(t->arena, sizeof(*e) + len);
	e->hash = h;
	e->count = n;
	e->first = order;
	e->group = group;
	e->agg = agg;
	e->pad = 0;
	e->len = (uint32_t)len;
	e->sub = sub;
	if (len)
		memcpy(e->bytes, bytes, len);
	t->slots[j] = e;
	t->count++;
	return e;
}
