/*
 * topn.h - a bounded heap that keeps the first N items of a stream in
 * some order, ties broken by sequence number (earlier first), so the
 * kept set never depends on how the stream was cut up.
 *
 * Items are opaque byte blobs that the heap owns: the caller asks for a
 * slot of some size, fills it, and commits it with its sequence number.
 * A full heap reuses the buffer of the item it drops, so a steady stream
 * of candidates allocates nothing once the buffers have grown. The heap
 * is a max-heap under the output order: its root is the worst item kept,
 * the one a better candidate replaces, so a rejection costs one compare.
 *
 * The comparator orders two blobs by their keys only (negative when a
 * comes first); pf_topn breaks ties with the sequence numbers. It must be
 * a total preorder, or which items are kept is unspecified.
 *
 * Each item also carries a hint: a 64-bit prefix of its key such that a
 * smaller hint always means "comes first" (equal hints say nothing). The
 * heap compares hints before calling the comparator, so most sift steps
 * of a large heap never touch the blobs. Pass 0 to have no hints.
 */
#ifndef PF_TOPN_H
#define PF_TOPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int (*pf_topn_cmp)(const void *a, const void *b, void *arg);

struct pf_topn_item {
	uint64_t	 hint;		/* compared first, see above */
	uint64_t	 seq;
	char		*data;		/* owned; cap bytes allocated */
	size_t		 len;
	size_t		 cap;
};

struct pf_topn {
	size_t			 limit;	/* N: at most this many items */
	size_t			 n;	/* items kept */
	size_t			 alloc;	/* items[] allocated */
	struct pf_topn_item	*items;	/* heap: items[0] is the worst */
	pf_topn_cmp		 cmp;
	void			*arg;
	int			 pending; /* 0, or 1 (push) / 2 (replace) */
};

void pf_topn_init(struct pf_topn *t, size_t limit, pf_topn_cmp cmp,
    void *arg);
/* Frees every item's buffer and the heap itself. */
void pf_topn_free(struct pf_topn *t);

static inline bool
pf_topn_full(const struct pf_topn *t)
{
	return t->n >= t->limit;
}

/* The worst item kept (the next to go), or NULL when the heap is empty. */
static inline const struct pf_topn_item *
pf_topn_worst(const struct pf_topn *t)
{
	return t->n > 0 ? &t->items[0] : NULL;
}

/*
 * Whether a candidate blob with sequence number seq would be kept: true
 * while the heap is not full, else when it comes before the worst item.
 * (A caller may decide this more cheaply itself, from its own keys.)
 */
bool pf_topn_admits(const struct pf_topn *t, const void *blob, uint64_t hint,
    uint64_t seq);

/*
 * Returns a buffer of len bytes for a candidate that pf_topn_admits():
 * a new item's while the heap is not full, else the worst item's, which
 * is dropped. The caller fills it and calls pf_topn_commit() before any
 * other call on the heap. Not to be called when the limit is 0.
 */
char *pf_topn_slot(struct pf_topn *t, size_t len);
/* Puts the slot's item in its place in the heap. */
void pf_topn_commit(struct pf_topn *t, uint64_t hint, uint64_t seq);

/* Copies blob in if pf_topn_admits(); returns whether it did. */
bool pf_topn_offer(struct pf_topn *t, const void *blob, size_t len,
    uint64_t hint, uint64_t seq);

/*
 * Moves every item of the heaps src[0..nsrc) into dst (empty, with its
 * limit and comparator set), keeps the first dst->limit in order, frees
 * the rest, and leaves dst->items sorted, best first: no longer a heap,
 * only to be read and freed. The sources are left empty.
 */
void pf_topn_merge(struct pf_topn *dst, struct pf_topn **src, size_t nsrc);

/* Sorts t's items in output order (best first); t is no longer a heap. */
void pf_topn_sort(struct pf_topn *t);

#endif
