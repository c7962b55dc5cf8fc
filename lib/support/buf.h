/*
 * buf.h - a growable byte buffer.
 *
 * Output is built into buffers and written with one write(2) per batch.
 * A zeroed struct pf_buf is a valid empty buffer. The bytes are not
 * NUL-terminated unless the caller adds one.
 */
#ifndef PF_BUF_H
#define PF_BUF_H

#include <stddef.h>
#include <string.h>

struct pf_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* Makes room for at least extra more bytes. */
void pf_buf_grow(struct pf_buf *b, size_t extra);
void pf_buf_free(struct pf_buf *b);

static inline void
pf_buf_reserve(struct pf_buf *b, size_t extra)
{
	if (b->cap - b->len < extra)
		pf_buf_grow(b, extra);
}

static inline void
pf_buf_add(struct pf_buf *b, const void *p, size_t n)
{
	pf_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void
pf_buf_addc(struct pf_buf *b, char c)
{
	pf_buf_reserve(b, 1);
	b->data[b->len++] = c;
}

static inline void
pf_buf_adds(struct pf_buf *b, const char *s)
{
	pf_buf_add(b, s, strlen(s));
}

#endif
