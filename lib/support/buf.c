/*
 * buf.c - a growable byte buffer (see buf.h).
 */
#include "support/buf.h"
#include "support/xalloc.h"

#include <stdlib.h>

void
pf_buf_grow(struct pf_buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 256;

	while (cap - b->len < extra)
		cap *= 2;
	b->data = pf_xrealloc(b->data, cap);
	b->cap = cap;
}

void
pf_buf_free(struct pf_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
