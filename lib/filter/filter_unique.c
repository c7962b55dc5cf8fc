/*
 * filter_unique.c - pfilter --unique's key sets (see filter_unique.h).
 */
#include <stdlib.h>
#include <string.h>

#include "filter/filter_unique.h"
#include "support/table.h"
#include "support/xalloc.h"

struct pf_unique {
	struct pf_arena	 arena;
	struct pf_groups seen;
};

struct pf_unique_worker {
	struct pf_arena	 arena;
	struct pf_groups seen;
	struct pf_buf	*candidates;	/* keylen, outlen, key, out; ... */
};

struct pf_unique *
pf_unique_new(void)
{
	struct pf_unique *u = pf_xcalloc(1, sizeof(*u));

	pf_groups_init(&u->seen, &u->arena, 0);
	return u;
}

void
pf_unique_free(struct pf_unique *u)
{
	if (u == NULL)
		return;
	pf_groups_free(&u->seen);
	pf_arena_free(&u->arena);
	free(u);
}

struct pf_unique_worker *
pf_unique_worker_new(void)
{
	struct pf_unique_worker *w = pf_xcalloc(1, sizeof(*w));

	pf_groups_init(&w->seen, &w->arena, 0);
	return w;
}

static void
candidates_free(struct pf_buf *c)
{
	if (c != NULL) {
		pf_buf_free(c);
		free(c);
	}
}

void
pf_unique_worker_free(struct pf_unique_worker *w)
{
	if (w == NULL)
		return;
	pf_groups_free(&w->seen);
	pf_arena_free(&w->arena);
	candidates_free(w->candidates);
	free(w);
}

void
pf_unique_offer(struct pf_unique_worker *w, const char *key, size_t keylen,
    const char *out, size_t outlen)
{
	bool added;

	pf_groups_find(&w->seen, key, keylen, &added);
	if (!added)
		return;
	if (w->candidates == NULL)
		w->candidates = pf_xcalloc(1, sizeof(*w->candidates));
	pf_buf_add(w->candidates, &keylen, sizeof(keylen));
	pf_buf_add(w->candidates, &outlen, sizeof(outlen));
	pf_buf_add(w->candidates, key, keylen);
	pf_buf_add(w->candidates, out, outlen);
}

void *
pf_unique_batch_end(struct pf_unique_worker *w)
{
	struct pf_buf *c = w->candidates;

	w->candidates = NULL;
	return c;
}

uint64_t
pf_unique_result(struct pf_unique *u, void *candidates, struct pf_buf *out)
{
	struct pf_buf *c = candidates;
	const char *p, *end;
	size_t keylen, outlen;
	uint64_t n = 0;
	bool added;

	if (c == NULL)
		return 0;
	for (p = c->data, end = p + c->len; out != NULL && p < end; ) {
		memcpy(&keylen, p, sizeof(keylen));
		memcpy(&outlen, p + sizeof(keylen), sizeof(outlen));
		p += sizeof(keylen) + sizeof(outlen);
		pf_groups_find(&u->seen, p, keylen, &added);
		if (added) {
			pf_buf_add(out, p + keylen, outlen);
			n++;
		}
		p += keylen + outlen;
	}
	candidates_free(c);
	return n;
}
