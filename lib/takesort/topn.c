/*
 * topn.c - the bounded heap with sequence numbers (see topn.h).
 *
 * "a before b" is the output order: the comparator, then the sequence
 * number. The heap keeps its latest item (the worst) at the root, so
 * each candidate costs one comparison when it is rejected and O(log N)
 * when it is kept. The items array grows by doubling up to the limit,
 * so a large -n costs nothing until that many items arrive.
 */
#include <stdlib.h>
#include <string.h>

#include "takesort/topn.h"
#include "support/compat.h"
#include "support/xalloc.h"

struct order {
	pf_topn_cmp	 cmp;
	void		*arg;
};

static inline bool
before(const struct pf_topn *t, const struct pf_topn_item *a,
    const struct pf_topn_item *b)
{
	int c;

	if (a->hint != b->hint)
		return a->hint < b->hint;
	c = t->cmp(a->data, b->data, t->arg);
	return c < 0 || (c == 0 && a->seq < b->seq);
}

static void
swap(struct pf_topn_item *a, struct pf_topn_item *b)
{
	struct pf_topn_item tmp = *a;

	*a = *b;
	*b = tmp;
}

static void
sift_up(struct pf_topn *t, size_t i)
{
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!before(t, &t->items[parent], &t->items[i]))
			break;
		swap(&t->items[parent], &t->items[i]);
		i = parent;
	}
}

static void
sift_down(struct pf_topn *t, size_t i)
{
	size_t child, worst;

	for (;;) {
		worst = i;
		child = 2 * i + 1;
		if (child < t->n && before(t, &t->items[worst], &t->items[child]))
			worst = child;
		child++;
		if (child < t->n && before(t, &t->items[worst], &t->items[child]))
			worst = child;
		if (worst == i)
			break;
		swap(&t->items[worst], &t->items[i]);
		i = worst;
	}
}

void
pf_topn_init(struct pf_topn *t, size_t limit, pf_topn_cmp cmp, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
	t->cmp = cmp;
	t->arg = arg;
}

void
pf_topn_free(struct pf_topn *t)
{
	size_t i;

	for (i = 0; i < t->alloc; i++)
		free(t->items[i].data);
	free(t->items);
	t->items = NULL;
	t->n = t->alloc = 0;
}

bool
pf_topn_admits(const struct pf_topn *t, const void *blob, uint64_t hint,
    uint64_t seq)
{
	int c;

	if (t->limit == 0)
		return false;
	if (!pf_topn_full(t))
		return true;
	if (hint != t->items[0].hint)
		return hint < t->items[0].hint;
	c = t->cmp(blob, t->items[0].data, t->arg);
	return c < 0 || (c == 0 && seq < t->items[0].seq);
}

/*
 * Makes item's buffer hold at least len bytes; its contents may go. A
 * new buffer fits exactly (N of them may be kept); one that is reused
 * grows with some slack, as the next record may be longer still.
 */
static void
reserve(struct pf_topn_item *item, size_t len)
{
	if (item->data != NULL && item->cap >= len)
		return;
	item->cap = item->data == NULL ? len : len + len / 4;
	free(item->data);
	item->data = pf_xmalloc(item->cap > 0 ? item->cap : 1);
}

char *
pf_topn_slot(struct pf_topn *t, size_t len)
{
	struct pf_topn_item *item;
	size_t grow;

	if (!pf_topn_full(t)) {
		if (t->n == t->alloc) {
			grow = t->alloc < 16 ? 16 : t->alloc * 2;
			if (grow > t->limit)
				grow = t->limit;
			t->items = pf_xrealloc(t->items, grow * sizeof(*t->items));
			memset(t->items + t->alloc, 0,
			    (grow - t->alloc) * sizeof(*t->items));
			t->alloc = grow;
		}
		item = &t->items[t->n];
		t->pending = 1;
	} else {
		item = &t->items[0];
		t->pending = 2;
	}
	reserve(item, len);
	item->len = len;
	return item->data;
}

void
pf_topn_commit(struct pf_topn *t, uint64_t hint, uint64_t seq)
{
	if (t->pending == 1) {
		t->items[t->n].hint = hint;
		t->items[t->n].seq = seq;
		t->n++;
		sift_up(t, t->n - 1);
	} else if (t->pending == 2) {
		t->items[0].hint = hint;
		t->items[0].seq = seq;
		sift_down(t, 0);
	}
	t->pending = 0;
}

bool
pf_topn_offer(struct pf_topn *t, const void *blob, size_t len, uint64_t hint,
    uint64_t seq)
{
	if (!pf_topn_admits(t, blob, hint, seq))
		return false;
	memcpy(pf_topn_slot(t, len), blob, len);
	pf_topn_commit(t, hint, seq);
	return true;
}

static int
item_order(const void *a, const void *b, void *arg)
{
	const struct pf_topn_item *x = a, *y = b;
	const struct order *o = arg;
	int c;

	if (x->hint != y->hint)
		return x->hint < y->hint ? -1 : 1;
	c = o->cmp(x->data, y->data, o->arg);
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
pf_topn_sort(struct pf_topn *t)
{
	struct order o = { t->cmp, t->arg };

	if (t->n > 1)
		pf_qsort_r(t->items, t->n, sizeof(*t->items), item_order, &o);
}

void
pf_topn_merge(struct pf_topn *dst, struct pf_topn **src, size_t nsrc)
{
	size_t total = 0, i, k;

	pf_topn_free(dst);
	for (i = 0; i < nsrc; i++)
		total += src[i]->n;
	dst->items = pf_xcalloc(total > 0 ? total : 1, sizeof(*dst->items));
	dst->alloc = total;
	for (i = 0, k = 0; i < nsrc; i++) {
		if (src[i]->n == 0)
			continue;
		memcpy(dst->items + k, src[i]->items,
		    src[i]->n * sizeof(*src[i]->items));
		memset(src[i]->items, 0, src[i]->n * sizeof(*src[i]->items));
		k += src[i]->n;
		src[i]->n = 0;
	}
	dst->n = total;
	pf_topn_sort(dst);
	if (dst->n > dst->limit) {
		for (i = dst->limit; i < dst->n; i++) {
			free(dst->items[i].data);
			dst->items[i].data = NULL;
		}
		dst->n = dst->limit;
	}
}
