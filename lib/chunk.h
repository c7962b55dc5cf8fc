/*
 * chunk.h - where a block of input may be cut into batches.
 *
 * A batch must end at a record boundary. For CSV that is an LF outside
 * quotes; since RFC 4180's "" keeps the parity of quotes, "outside" is
 * an even number of '"' since the block began (blocks always begin at a
 * boundary). record.c splits by the same rule.
 */
#ifndef PF_CHUNK_H
#define PF_CHUNK_H

#include <stddef.h>

#include "record.h"

/*
 * Returns the length of the longest prefix of buf[0..len) that ends at a
 * record boundary (just after an LF), or 0 if there is none.
 */
size_t pf_chunk_cut(const struct pf_dialect *d, const char *buf, size_t len);

#endif
