/*
 * table.h - an arena, and the two hash tables preduce keeps per worker:
 * groups (key -> fixed-size state block) and values (group, aggregation,
 * value bytes -> count and first-seen order, for distinct, mode and the
 * quantiles).
 *
 * Both tables use open addressing with linear probing and hash with
 * XXH3 (libxxhash). Nothing is malloc'd per record: keys, value bytes
 * and state blocks live in the arena, which allocates in large chunks and
 * is freed, or reset, as a whole. Groups sit in fixed-stride chunks and
 * are named by a 32-bit index, so a table slot is 8 bytes (index and 32
 * bits of the hash).
 */
#ifndef PF_TABLE_H
#define PF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bump allocation in chunks; freed only all at once. */
struct pf_arena {
	struct pf_arena_chunk	*chunks;
	char			*ptr, *end;
	size_t			 used;		/* bytes handed out */
	size_t			 reserved;	/* bytes of all chunks */
};

void *pf_arena_alloc(struct pf_arena *a, size_t size);	/* 8-aligned */
char *pf_arena_dup(struct pf_arena *a, const void *p, size_t len);
void pf_arena_free(struct pf_arena *a);

/* A group: its encoded key, first appearance, then its state block. */
struct pf_group {
	uint64_t	 order;		/* lowest record order seen */
	uint64_t	 records;	/* records folded into it */
	const char	*key;		/* encoded key (pf_key_*), in the arena */
	uint32_t	 keylen;
	uint32_t	 index;		/* its index in the table */
	/* the state block follows, 8-aligned */
};

#define PF_GROUP_STATE(g) ((unsigned char *)(g) + sizeof(struct pf_group))

struct pf_groups {
	struct pf_arena	 *arena;
	size_t		  state_size;	/* bytes of each state block */
	size_t		  stride;
	unsigned char	**chunks;	/* PF_GROUP_CHUNK groups each */
	size_t		  nchunks;
	uint32_t	  count;
	uint64_t	 *slots;	/* index + 1 << 32 | hash >> 32; 0 = free */
	size_t		  mask;
};

#define PF_GROUP_CHUNK 4096

void pf_groups_init(struct pf_groups *t, struct pf_arena *arena,
    size_t state_size);
void pf_groups_free(struct pf_groups *t);

static inline struct pf_group *
pf_groups_at(const struct pf_groups *t, uint32_t i)
{
	return (struct pf_group *)(t->chunks[i / PF_GROUP_CHUNK] +
	    (size_t)(i % PF_GROUP_CHUNK) * t->stride);
}

/*
 * Finds the group with this encoded key, or adds it (state zeroed, order
 * UINT64_MAX, key copied into the arena). *added tells which.
 */
struct pf_group *pf_groups_get(struct pf_groups *t, uint64_t hash,
    const char *key, size_t keylen, bool *added);

/* pf_groups_get() hashing the key itself (as pf_hash), short keys inline. */
struct pf_group *pf_groups_find(struct pf_groups *t, const char *key,
    size_t keylen, bool *added);

uint64_t pf_hash(const void *p, size_t len);

/*
 * Whether a[0..len) and b[0..len) are equal; short ones without a call
 * or a loop: two loads that overlap (or three bytes) cover the whole key.
 */
static inline bool
pf_bytes_eq(const char *a, const char *b, size_t len)
{
	uint64_t x, y, x2, y2;
	uint32_t u, v, u2, v2;

	if (len > 16)
		return memcmp(a, b, len) == 0;
	if (len >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&x2, a + len - 8, 8);
		memcpy(&y2, b + len - 8, 8);
		return x == y && x2 == y2;
	}
	if (len >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		memcpy(&u2, a + len - 4, 4);
		memcpy(&v2, b + len - 4, 4);
		return u == v && u2 == v2;
	}
	return len == 0 || (a[0] == b[0] && a[len / 2] == b[len / 2] &&
	    a[len - 1] == b[len - 1]);
}

/*
 * The group with this encoded key, or NULL; changes nothing, so threads
 * may look up a table no one writes any more.
 */
const struct pf_group *pf_groups_lookup(const struct pf_groups *t,
    const char *key, size_t keylen);

/*
 * Keys of several parts are encoded as each part's length (a varint)
 * followed by its bytes, so that ("a,b") and ("a", "b") differ; a key of
 * one part is just its bytes (preduce's choice).
 */
void pf_key_add(char **p, const char *s, size_t len);	/* p has room */
#define PF_KEY_ROOM(len) ((len) + 10)
/* Decodes the next part at *p (< end); returns false at the end. */
bool pf_key_next(const char **p, const char *end, const char **s,
    size_t *len);

/* A value of a group's distinct, mode or quantile aggregation. */
struct pf_value_entry {
	uint64_t	 hash;
	uint64_t	 count;		/* times seen */
	uint64_t	 first;		/* lowest order it was seen at */
	uint32_t	 group;		/* index in the owning pf_groups */
	uint16_t	 agg;		/* index of the aggregation */
	uint16_t	 pad;
	uint32_t	 len;
	uint32_t	 sub;		/* breaks ties of first: item in a list */
	char		 bytes[];	/* the value (a double for quantiles) */
};

struct pf_values {
	struct pf_arena		 *arena;
	struct pf_value_entry	**slots;
	size_t			  mask;
	size_t			  count;
};

void pf_values_init(struct pf_values *t, struct pf_arena *arena);
void pf_values_free(struct pf_values *t);

/*
 * Makes room for n entries in all. Call it before adding another table's
 * entries in their slot order: into a smaller table, linear probing
 * would make long runs of them.
 */
void pf_values_reserve(struct pf_values *t, size_t n);
/*
 * Adds n sightings of the value at (order, sub), keeping the lowest, and
 * returns its entry.
 */
struct pf_value_entry *pf_values_add(struct pf_values *t, uint32_t group,
    uint16_t agg, const void *bytes, size_t len, uint64_t n, uint64_t order,
    uint32_t sub);

#endif
